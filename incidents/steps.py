"""Checkpoints: each stage is an idempotent function of the incident id that records its Step.

A finished step is skipped on every re-run; a failed or interrupted one runs again and
continues from what it already wrote to the database."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session, col, select

from incidents import db
from incidents.exceptions import BreachflowError, StepFailed, Unaccounted
from incidents.models import Step
from incidents.privacy import redact
from incidents.sqltypes import utcnow

# Who holds a claim or a running step: a later process can tell whether the holder is alive.
OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

Outcome = dict[str, Any]


def owner_alive(owner: str | None) -> bool:
    """False only when the owner ran on this host and its process is gone."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    if host != socket.gethostname():
        return True
    pid = int(rest.split(":")[0])
    if pid == os.getpid():
        return owner == OWNER
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _step(session: Session, incident_id: str, name: str) -> Step:
    step = session.exec(select(Step).where(Step.incident_id == incident_id, Step.name == name)).first()
    if step is None:
        step = Step(incident_id=incident_id, name=name)
        session.add(step)
        session.flush()
    return step


def run_again(session: Session, *, incident_id: str, names: Iterable[str]) -> None:
    """Set finished (or failed) steps to run again on the next run or `resume`: a decision made
    after them (a resolution, returned mail) changes what they must do."""
    for step in session.exec(select(Step).where(Step.incident_id == incident_id,
                                                col(Step.name).in_(list(names)))):
        step.state = "pending"


def state(incident_id: str, name: str) -> str:
    with db.session() as s:
        step = s.exec(select(Step).where(Step.incident_id == incident_id, Step.name == name)).first()
        return step.state if step else "pending"


def run(incident_id: str, name: str, work: Callable[[str], Outcome]) -> Outcome:
    """Run `work(incident_id)` unless this step is done; record start, end and outcome."""
    with db.session() as s:
        step = _step(s, incident_id, name)
        if step.state == "done":
            return {**step.outcome, "skipped": True}
        step.state, step.attempts, step.owner = "running", step.attempts + 1, OWNER
        step.started_at, step.error = utcnow(), None
    failure: str | None = None
    waiting = locked = False
    try:
        outcome = work(incident_id)
    except BreachflowError as error:
        failure, waiting = str(error), isinstance(error, Unaccounted)
    except Exception as error:
        failure, locked = f"{type(error).__name__}: {error}", db.locked(error)
    if failure is not None:
        # Raised outside the handler: the original exception (and its traceback's values) is
        # not chained to what Prefect logs and stores; the step's record keeps the reason.
        _fail(incident_id, name, failure)
        raise StepFailed(name, redact(failure), waiting=waiting, locked=locked)
    with db.session() as s:
        step = _step(s, incident_id, name)
        step.state, step.finished_at, step.outcome = "done", utcnow(), outcome
    return outcome


def _fail(incident_id: str, name: str, reason: str) -> None:
    with db.session() as s:
        step = _step(s, incident_id, name)
        step.state, step.finished_at, step.error = "failed", utcnow(), redact(reason)[:2000]
