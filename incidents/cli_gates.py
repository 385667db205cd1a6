"""A local `run`/`resume` waiting at a gate says where and how to answer it.

The flow pauses in this process for the gate's form; without this watcher the terminal would
just hang. The watcher follows the audit trail (`gate.asked`) and, for each gate asked, prints
the Prefect UI address of the waiting run, or, where the run uses a temporary Prefect server
without a UI, how else to go on. When stdin is a terminal it also asks the question there and
hands the answer to the waiting run, as the intake API does (the actor is recorded as
`unverified:<login name>`: a terminal answer carries no authenticated identity)."""

from __future__ import annotations

import getpass
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO

from sqlalchemy.exc import OperationalError
from sqlmodel import col, func, select

from incidents import db
from incidents.models import AuditEvent

QUESTIONS = {
    "triage": ("Confirm triage as shown (breach, severity, awareness time)?", "confirmed"),
    "notices": ("Approve the notices (samples in the output folder) for sending?", "approved"),
}
# The filing gate asks per report (time and reference each): the terminal names the command
# that records one instead of a yes/no it could not complete.
FILING_HINT = ("  Or record each report's filing here: `breachflow filed {incident} REPORT --at TIME "
               "--reference REF` (a report recorded so is not asked again; once all are, the run goes on).")
RESUME_TRIES = 30
INTERRUPT_GRACE_SECONDS = 30.0


def _last_id(incident_id: str) -> int:
    with db.session() as s:
        found = s.exec(select(func.max(AuditEvent.id)).where(AuditEvent.incident_id == incident_id)).one()
    return int(found or 0)


def _asked_since(incident_id: str, after: int) -> list[tuple[int, dict[str, Any]]]:
    with db.session() as s:
        rows = s.exec(
            select(AuditEvent.id, AuditEvent.detail)
            .where(
                AuditEvent.incident_id == incident_id,
                AuditEvent.action == "gate.asked",
                col(AuditEvent.id) > after,
            )
            .order_by(col(AuditEvent.id))
        ).all()
    return [(int(i or 0), dict(d)) for i, d in rows]


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "terminal"


class QuietInterrupt(logging.Filter):
    """Ctrl-C is how a person leaves a waiting gate: the CLI says how to go on, so Prefect's
    "Crash detected!" line for it is noise (the run is still marked crashed in Prefect)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "aborted by an interrupt signal" not in record.getMessage()


def quiet_interrupts() -> None:
    logging.getLogger("prefect.flow_runs").addFilter(QuietInterrupt())


def interrupted(which: str) -> str:
    return f"\nbreachflow: interrupted; what was done is kept: `breachflow resume {which}` continues"


@contextmanager
def leave_on_interrupt(external_id: str, *, grace: float = INTERRUPT_GRACE_SECONDS) -> Iterator[None]:
    """Ctrl-C ends a local run: Prefect records the run as crashed, then the command says how to
    go on. Should that take longer than `grace` (a Prefect API call cut off mid-request can
    hang), or at a second Ctrl-C, the process leaves at once: every step is checkpointed in
    the database, so nothing done is lost. The exit after it (Prefect's log and event
    hand-over) is watched the same way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = threading.Event()

    def leave() -> None:
        sys.stderr.write(interrupted(external_id) + "\n")
        sys.stderr.flush()
        os._exit(130)

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if pressed.is_set():
            leave()
        pressed.set()
        timer = threading.Timer(grace, leave)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        if not pressed.is_set():  # once pressed, it stays until the process has left
            signal.signal(signal.SIGINT, previous)


def ui_address(flow_run_id: str) -> str | None:
    """The UI page of the waiting run; None on a temporary server (no UI)."""
    if not os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.settings import get_current_settings

    base = get_current_settings().ui_url or os.environ["PREFECT_API_URL"].removesuffix("/api")
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}"


class GateWatch(threading.Thread):
    def __init__(
        self,
        incident_id: str,
        external_id: str,
        *,
        interactive: bool | None = None,
        out: TextIO | None = None,
    ) -> None:
        super().__init__(name="breachflow-gate-watch", daemon=True)
        self.incident_id, self.external_id = incident_id, external_id
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.out = out or sys.stderr
        self.stopped = threading.Event()
        self.seen = _last_id(incident_id)
        self.filing_asked = False

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            try:
                asked = _asked_since(self.incident_id, self.seen)
            except OperationalError:  # a busy database: look again in a second
                continue
            for event_id, detail in asked:
                self.seen = event_id
                self._announce(str(detail.get("gate")), str(detail.get("flow_run_id")))
            if self.filing_asked:
                self._release_filing()

    def _release_filing(self) -> None:
        """Every report recorded with `breachflow filed` (in another terminal): the filing
        gate's form has nothing left to ask, so the run goes on."""
        from flows import filing_gate

        try:
            released = filing_gate.release(self.incident_id, actor=_login())
        except OperationalError:
            return
        if released:
            self.filing_asked = False
            self._say("  gate filing: every report is recorded; the run goes on")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _announce(self, gate: str, flow_run_id: str) -> None:
        self._say(f"\nWaiting at gate: {gate} (incident {self.external_id}, flow run {flow_run_id}).")
        address = ui_address(flow_run_id)
        if address:
            self._say(f"  Answer it in the Prefect UI: {address}")
        else:
            self._say(
                "  This run uses a temporary Prefect server without a UI. To answer in the UI, "
                "stop here (Ctrl-C), start `breachflow serve` and run "
                f"`breachflow resume {self.external_id}` with PREFECT_API_URL set."
            )
        self._say(
            f"  Or pass every gate: Ctrl-C, then `breachflow resume {self.external_id} --auto-approve`."
        )
        if gate == "filing":
            self.filing_asked = True
            self._say(FILING_HINT.format(incident=self.external_id))
        if self.interactive and gate in QUESTIONS:
            self._ask(gate, flow_run_id)

    def _ask(self, gate: str, flow_run_id: str) -> None:
        question, field = QUESTIONS[gate]
        from incidents import terminal

        with terminal.paused():  # the live progress would overwrite the typed answer
            self._say(f"  Or answer here: {question} [y/n]")
            line = sys.stdin.readline()
        if not line or self.stopped.is_set():
            return
        yes = line.strip().lower() in ("y", "yes")
        from flows.gates import answer_json

        answer = answer_json(self.incident_id, gate, {field: yes, "approver": _login()})
        self._resume(gate, flow_run_id, answer)

    def _resume(self, gate: str, flow_run_id: str, answer: dict[str, Any]) -> None:
        from uuid import UUID

        from prefect.flow_runs import resume_flow_run

        for _ in range(RESUME_TRIES):  # the run may not have reached its pause yet
            try:
                resume_flow_run(UUID(flow_run_id), run_input=answer)
            except Exception:
                time.sleep(1.0)
                continue
            self._say(f"  gate {gate}: answer sent")
            return
        self._say(f"  gate {gate}: the run did not take the answer; answer it in the UI")
