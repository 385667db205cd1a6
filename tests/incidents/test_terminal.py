"""What the terminal shows (issue 20, point 7): progress per stage and per channel with rates and
ETA, status as tables with overdue obligations flagged and whole outcomes, gates in flow order,
the severity line agreeing with triage, help text for every option and `--version`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import timedelta

from rich.console import Console

from incidents import db, org, payload, terminal
from incidents.cli import parser
from incidents.models import Obligation, Step
from incidents.records import status
from incidents.sqltypes import utcnow
from incidents.triage import correlation

ALERT = {
    "external_id": "TERM-1",
    "title": "Exposed bucket",
    "detected_at": "2026-11-20T08:00:00Z",
    "aware_at": "2026-11-20T09:00:00Z",
    "data_categories": ["email"],
    "breach_types": ["confidentiality"],
}


def _incident() -> str:
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(
            session=s,
            payload=payload.parse(ALERT),
            sources=None,
            settings=None,
            org=org.load(None),
            actor="siem",
        )
        return incident.id


def _step(incident_id: str, name: str, outcome: dict[str, object], state: str = "done") -> None:
    with db.session() as s:
        s.add(Step(incident_id=incident_id, name=name, state=state, outcome=outcome))


def _document(incident_id: str) -> dict[str, object]:
    from incidents import service

    with db.session() as s:
        return status.status_document(s, service.get_incident(session=s, incident_id=incident_id))


def test_every_option_has_help_and_every_command_examples():
    root = parser()
    commands = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        if name == "sandbox":
            continue  # its options are the sandbox's own
        assert command.epilog and "examples:" in command.epilog, name
        for action in command._actions:
            assert action.help, f"{name} {action.dest}"


def test_version_prints_the_package_version():
    done = subprocess.run(
        [sys.executable, "-m", "incidents.cli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("breachflow ")


def test_gates_are_listed_where_the_flow_passes_them(home):
    incident_id = _incident()
    for name in (
        "triage",
        "identification",
        "notices",
        "notification",
        "gate:filing",
        "gate:notices",
        "gate:triage",
        "reports",
        "close",
    ):
        _step(incident_id, name, {})
    names = [step["name"] for step in _document(incident_id)["steps"]]  # type: ignore[index]
    assert names == [
        "triage",
        "gate:triage",
        "identification",
        "notices",
        "gate:notices",
        "notification",
        "reports",
        "gate:filing",
        "close",
    ]


def test_an_open_required_obligation_past_its_deadline_is_flagged_overdue(home):
    incident_id = _incident()
    with db.session() as s:
        for deadline, required in (
            (utcnow() - timedelta(hours=1), True),
            (utcnow() + timedelta(days=2), True),
            (utcnow() - timedelta(hours=1), False),
        ):
            s.add(
                Obligation(
                    incident_id=incident_id,
                    jurisdiction="EU",
                    audience="regulator",
                    required=required,
                    deadline=deadline,
                    deadline_rule="72 hours",
                    citation="GDPR Art. 33(1)",
                    verification="V",
                )
            )
    obligations = _document(incident_id)["obligations"]
    assert [o["overdue"] for o in obligations] == [True, False, False]  # type: ignore[index]
    console = Console(record=True, width=120)
    console.print(terminal.obligations_table(obligations, now=utcnow()))  # type: ignore[arg-type]
    assert console.export_text().count("OVERDUE") == 1


def test_a_long_outcome_is_shown_whole_not_cut_mid_json():
    outcome = {f"count_{n}": n for n in range(30)} | {"reachable_by": {"email": 3, "sms": 1}}
    console = Console(record=True, width=100)
    console.print(
        terminal.steps_table([{"name": "identification", "state": "done", "outcome": outcome, "error": None}])
    )
    text = " ".join(console.export_text().split())
    assert "count 29 29" in text
    assert "reachable by email 3, sms 1" in text
    assert "{" not in text


def test_the_severity_line_says_when_the_assessment_changed_triages_answer():
    document = {
        "incident": {"severity": "P2"},
        "steps": [
            {"name": "triage", "outcome": {"severity": "P3"}},
            {"name": "gate:triage", "outcome": {"severity": "P3"}},
            {"name": "assessment", "outcome": {"subjects": 341, "severity": "P2"}},
        ],
    }
    assert terminal.severity_line(document) == (
        "severity P2 (triage said P3; the assessment of 341 people changed it)"
    )
    document["steps"] = document["steps"][:2]
    document["incident"] = {"severity": "P3"}
    assert terminal.severity_line(document) == "severity P3"


def test_progress_shows_each_channel_with_its_rate_and_eta(home):
    incident_id = _incident()
    console = Console(record=True, force_terminal=True, width=160)
    clock = iter([100.0, 100.0, 104.0, 104.0])  # email, sms; then both 4 s later
    view = terminal.RunProgress(incident_id, console=console, clock=lambda: next(clock))
    steps = {"triage": ("done", {"is_breach": True, "severity": "P3"}), "notification": ("running", {})}
    view.update(terminal.Snapshot(steps=steps, deliveries={"email": {"pending": 40}, "sms": {"pending": 5}}))
    view.update(
        terminal.Snapshot(
            steps=steps,
            deliveries={"email": {"pending": 30, "accepted": 9, "failed": 1}, "sms": {"pending": 5}},
        )
    )
    console.print(view.progress)
    shown = console.export_text()
    email = next(line for line in shown.splitlines() if "email" in line)
    assert "10/40" in email
    assert "2.5/s" in email  # 10 settled in 4 seconds
    assert "ETA 0:12" in email  # 30 left at 2.5 a second
    assert "9 accepted" in email
    assert "10 of 45 notices settled" in shown
    assert "triage" in shown and "severity P3" in shown


def test_a_finished_channel_keeps_its_rate_and_one_done_before_shows_none(home):
    clock = iter([0.0, 0.0, 10.0, 10.0, 60.0, 60.0])
    view = terminal.RunProgress(_incident(), console=Console(record=True), clock=lambda: next(clock))
    steps = {"notification": ("running", {})}
    view.update(terminal.Snapshot(steps=steps, deliveries={"email": {"pending": 50}, "sms": {"accepted": 5}}))
    for _ in range(2):  # done at 10 s; looked at again at 60 s
        view.update(
            terminal.Snapshot(steps=steps, deliveries={"email": {"accepted": 50}, "sms": {"accepted": 5}})
        )
    fields = {task.description.strip(): task.fields for task in view.progress.tasks}
    assert fields["email"]["rate"] == 5.0
    assert fields["sms"]["rate"] is None
