"""What a responder sees in the terminal: the stages moving while a run works, and the status
as tables. Everything shown is read from the database (the checkpoint), so the display needs no
hook in the flow and can never change what the run does. Counts and states only.

On a terminal the progress is live (rich); piped or captured, one line per finished stage."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import func
from sqlmodel import col, select

from incidents import db
from incidents.delivery import ledger
from incidents.models import AffectedSubject, Notice, Step
from incidents.records.status import STAGES

POLL_SECONDS = 0.5


@dataclass
class Snapshot:
    """One look at the incident's progress."""

    steps: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # name: state, outcome
    people: int = 0
    notices: int = 0
    deliveries: dict[str, dict[str, int]] = field(default_factory=dict)


def snapshot(incident_id: str) -> Snapshot:
    with db.session() as s:
        steps = {
            step.name: (step.state, dict(step.outcome or {}))
            for step in s.exec(select(Step).where(Step.incident_id == incident_id))
        }
        people = s.exec(
            select(func.count())
            .select_from(AffectedSubject)
            .where(col(AffectedSubject.incident_id) == incident_id)
        ).one()
        notices = s.exec(
            select(func.count()).select_from(Notice).where(col(Notice.incident_id) == incident_id)
        ).one()
        deliveries = ledger.counts(s, incident_id)
    return Snapshot(steps=steps, people=int(people), notices=int(notices), deliveries=deliveries)


def outcome_text(outcome: dict[str, Any] | None) -> str:
    """A step's outcome as `key value` pairs, whole (a table wraps it; nothing is cut)."""
    if not outcome:
        return ""
    return "; ".join(_pairs(outcome))


def _pairs(outcome: dict[str, Any]) -> list[str]:
    def shown(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k} {shown(v)}" for k, v in value.items()) or "none"
        if isinstance(value, list):
            return ", ".join(map(shown, value)) or "none"
        return "-" if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    return [f"{key.replace('_', ' ')} {shown(value)}" for key, value in outcome.items()]


def headline(outcome: dict[str, Any] | None, *, pairs: int = 4) -> str:
    """The first few of a step's outcome pairs, whole: for a one-line progress view."""
    found = _pairs(outcome or {})
    return "; ".join(found[:pairs]) + ("; …" if len(found) > pairs else "")


def stage_detail(name: str, shot: Snapshot) -> str:
    """The counts a stage has produced so far (while it runs) or its outcome (once done)."""
    state, outcome = shot.steps.get(name, ("", {}))
    if state == "done":
        return headline(outcome)
    if name == "identification":
        return f"{shot.people} people identified so far"
    if name == "notices":
        return f"{shot.notices} notices rendered so far"
    if name == "notification":
        settled = sum(
            n for states in shot.deliveries.values() for s, n in states.items() if s in ledger.FINAL
        )
        total = sum(n for states in shot.deliveries.values() for n in states.values())
        return f"{settled} of {total} notices settled"
    return state


class _Fields(ProgressColumn):
    """A channel's rate and time left, as `RunProgress` measured them (empty for stages)."""

    def render(self, task: Task) -> Text:
        rate, left = task.fields.get("rate"), task.fields.get("left")
        if rate is None:
            return Text("")
        return Text(f"{rate:7.1f}/s", style="cyan") + Text(f"  ETA {left}" if left else "")


def eta(seconds: float | None) -> str:
    if seconds is None:
        return "-:--"
    minutes, rest = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


class RunProgress:
    """A live view of one incident's stages and, per channel, its sending (rate and ETA)."""

    def __init__(
        self,
        incident_id: str,
        *,
        console: Console | None = None,
        interval: float = POLL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.incident_id = incident_id
        self.clock = clock
        self._first: dict[str, tuple[float, int]] = {}  # channel: when first seen, settled then
        self._settled: dict[str, int] = {}
        self._changed: dict[str, float] = {}  # channel: when its settled count last moved
        self.console = console or Console()
        self.interval = interval
        self.live = self.console.is_terminal
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<15}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            _Fields(),
            TextColumn("{task.fields[detail]}", style="dim"),
            console=self.console,
            transient=False,
            auto_refresh=self.live,
        )
        self._tasks: dict[str, TaskID] = {}
        self._printed: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RunProgress:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        first = snapshot(self.incident_id)
        # A resumed run: what was done before is not news.
        self._printed = {name for name, (state, _) in first.steps.items() if state == "done"}
        self.update(first)
        if self.live:
            self.progress.start()
        self._thread = threading.Thread(target=self._poll, name="breachflow-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.update(snapshot(self.incident_id))
        if self.live:
            self.progress.stop()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.update(snapshot(self.incident_id))
            except Exception:  # noqa: S112 - a display must never break the run it shows
                continue

    def _task(self, key: str, description: str, **fields: Any) -> TaskID:
        if key not in self._tasks:
            self._tasks[key] = self.progress.add_task(description, total=None, detail="", **fields)
        return self._tasks[key]

    def update(self, shot: Snapshot) -> None:
        # The flow's order; the gates between the stages are shown where they wait.
        for name in STAGES:
            if name not in shot.steps:
                continue
            state = shot.steps[name][0]
            done = state == "done"
            task = self._task(name, name, kind="stage")
            count = {"identification": shot.people, "notices": shot.notices}.get(name, 0)
            self.progress.update(
                task,
                total=(count or 1) if done else None,
                completed=(count or 1) if done else count,
                detail=stage_detail(name, shot),
            )
            if name == "notification":
                self._channels(shot)
            if done and not self.live and name not in self._printed:
                self._printed.add(name)
                self.console.print(
                    f"{name}: done ({stage_detail(name, shot)})", highlight=False, soft_wrap=True
                )

    def _channels(self, shot: Snapshot) -> None:
        for channel, states in sorted(shot.deliveries.items()):
            total = sum(states.values())
            settled = sum(n for s, n in states.items() if s in ledger.FINAL)
            task = self._task(f"send:{channel}", f"  {channel}", kind="channel")
            # The rate since this view first saw the channel: steady, unlike a short window,
            # when a channel sends in batches (e-mail: a thousand per request). A channel done
            # before the view started (a resumed run) shows no rate.
            now = self.clock()
            since, before = self._first.setdefault(channel, (now, settled))
            if settled != self._settled.get(channel, before):
                self._changed[channel] = now
            self._settled[channel] = settled
            # While it sends the rate runs to now (a stall shows); once done it stays as it was.
            until = now if settled < total else self._changed.get(channel, since)
            rate = (settled - before) / (until - since) if until > since and settled > before else None
            left = (total - settled) / rate if rate else None
            self.progress.update(
                task,
                total=total,
                completed=settled,
                rate=rate,
                left="" if settled >= total else eta(left),
                detail=", ".join(f"{n} {s}" for s, n in sorted(states.items())),
            )


@contextmanager
def run_progress(incident_id: str, *, console: Console | None = None) -> Iterator[RunProgress]:
    view = RunProgress(incident_id, console=console)
    view.start()
    try:
        yield view
    finally:
        view.stop()


def steps_table(steps: list[dict[str, Any]]) -> Table:
    table = Table(title="Steps", title_justify="left", show_lines=False, expand=False)
    table.add_column("step", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("outcome", overflow="fold")
    for step in steps:
        style = {"failed": "red", "running": "yellow"}.get(step["state"], "")
        table.add_row(
            step["name"], Text(step["state"], style=style), step.get("error") or outcome_text(step["outcome"])
        )
    return table


def obligations_table(obligations: list[dict[str, Any]], *, now: datetime) -> Table:
    """One row per obligation; an open required one past its deadline is flagged OVERDUE."""
    table = Table(title="Obligations", title_justify="left")
    for name in ("jurisdiction", "audience", "required", "deadline", "flags"):
        table.add_column(name, overflow="fold", no_wrap=name in ("jurisdiction", "audience"))
    for o in obligations:
        flags = []
        if o.get("overdue"):
            flags.append(Text("OVERDUE", style="bold red"))
        elif o.get("fulfilled"):
            flags.append(Text("met", style="green"))
        if o["needs_review"]:
            flags.append(Text("needs review", style="yellow"))
        deadline = Text(o["deadline"] or o["deadline_rule"], style="bold red" if o.get("overdue") else "")
        table.add_row(
            o["jurisdiction"],
            o["audience"],
            "yes" if o["required"] else "no",
            deadline,
            Text(", ").join(flags),
        )
    table.caption = f"times in UTC; now {now.isoformat(timespec='minutes').replace('+00:00', 'Z')}"
    return table


def severity_line(document: dict[str, Any]) -> str:
    """The severity, and where it came from when the assessment changed triage's answer (the
    number of people can raise it), so that the line and the triage step never disagree."""
    severity = document["incident"]["severity"]
    steps = {step["name"]: step for step in document["steps"]}
    at_gate = (steps.get("gate:triage", {}).get("outcome") or {}).get("severity")
    at_triage = at_gate or (steps.get("triage", {}).get("outcome") or {}).get("severity")
    if not at_triage or at_triage == severity:
        return f"severity {severity}"
    people = (steps.get("assessment", {}).get("outcome") or {}).get("subjects")
    why = f"the assessment of {people} people" if people is not None else "the assessment"
    return f"severity {severity} (triage said {at_triage}; {why} changed it)"


def show(renderable: Any) -> None:
    """Print a table the width of the terminal (or 120 columns when piped)."""
    console = Console(width=None if Console().is_terminal else 120, highlight=False)
    console.print(renderable)
