"""Returned mail: `breachflow mail returned` marks letters returned through the ledger's event
path and moves their people on (their next channel, else the announcement or needs_action);
a bad file exits 2 and changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from incidents import accounting, channels, db
from incidents.cli import main
from incidents.delivery import ledger, send
from incidents.models import AffectedSubject, AuditEvent, Delivery, Step
from incidents.sqltypes import utcnow
from tests.incidents.channels import people


def _sent_letters(incident_id: str) -> dict[int, str]:
    """Plan and send every letter through the mail-house folder; subject pk -> delivery id."""
    ledger.plan(incident_id, served=set(channels.active()))
    while send.send_batch(incident_id, "letter"):
        pass
    with db.session() as s:
        rows = s.exec(select(Delivery).where(Delivery.incident_id == incident_id,
                                             Delivery.channel == "letter")).all()
        assert rows and {r.state for r in rows} == {"accepted"}
        return {r.subject_pk: r.id for r in rows}


def _setup(home, tmp_path, monkeypatch) -> tuple[str, dict[str, int], dict[int, str]]:
    monkeypatch.setenv("BREACHFLOW_MAIL_DIR", str(tmp_path / "mail"))
    # Written notice first (as US law's default method), then e-mail.
    monkeypatch.setenv("BREACHFLOW_LADDER", "letter,email")
    channels.reset()
    everyone = [people.person(1, email=True, letter=True), people.person(2, email=False, letter=True),
                people.person(3, email=False, letter=True)]
    incident_id = people.incident(everyone)
    with db.session() as s:
        pks = {p.subject_id: p.id or 0 for p in s.exec(select(AffectedSubject).where(
            AffectedSubject.incident_id == incident_id))}
        s.add(Step(incident_id=incident_id, name="notification", state="done",
                   started_at=utcnow(), finished_at=utcnow()))
    return incident_id, pks, _sent_letters(incident_id)


def _states(incident_id: str) -> list[tuple[int, str, str]]:
    with db.session() as s:
        return sorted((d.subject_pk, d.channel, d.state) for d in s.exec(
            select(Delivery).where(Delivery.incident_id == incident_id)))


def _audits(incident_id: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.incident_id == incident_id,
                                                    col(AuditEvent.action) == "mail.returned")))


def test_returned_letters_move_people_down_the_ladder_or_to_needs_action(home, tmp_path,
                                                                         monkeypatch, capsys):
    incident_id, pks, letters = _setup(home, tmp_path, monkeypatch)
    returned = tmp_path / "returned.csv"
    returned.write_text("delivery_id,reason,returned_at\n"
                        f"{letters[pks['u00001']]},Attempted - Not Known,2026-12-01\n"
                        f"{letters[pks['u00002']]},Moved Left No Address,2026-12-02T10:00:00Z\n",
                        encoding="utf-8")
    assert main(["mail", "returned", incident_id, str(returned)]) == 0
    assert "2 letters marked returned" in capsys.readouterr().out
    states = _states(incident_id)
    # Person 1 has e-mail: the next method is queued. Person 2 has nothing left. Person 3's letter stands.
    assert (pks["u00001"], "letter", "bounced") in states
    assert (pks["u00001"], "email", "pending") in states
    assert (pks["u00002"], "letter", "bounced") in states
    assert not [s for s in states if s[0] == pks["u00002"] and s[1] != "letter"]
    assert (pks["u00003"], "letter", "accepted") in states
    with db.session() as s:
        bounced = s.get(Delivery, letters[pks["u00002"]])
        assert bounced is not None and bounced.last_error == "returned:moved-left-no-address"
        assert bounced.settled_at is not None and bounced.settled_at.day == 2
        assert s.get(AffectedSubject, pks["u00002"]).unreachable  # type: ignore[union-attr]
        step = s.exec(select(Step).where(Step.incident_id == incident_id,
                                         Step.name == "notification")).one()
        assert step.state == "pending", "resume sends the next method"
        document = accounting.account(s, incident_id)
    # Person 1 is queued on e-mail; person 2 has nothing left; person 3 was notified.
    assert (document["notified"], document["pending"], document["needs_action"]) == (1, 1, 1)
    assert document["reasons"] == {"queued": 1, "every method failed": 1}
    [event] = _audits(incident_id)
    assert event.detail == {"rows": 2, "returned": 2, "already_returned": 0, "next_channel": 1}

    # The same file again changes nothing more.
    assert main(["mail", "returned", incident_id, str(returned)]) == 0
    assert _states(incident_id) == states
    assert _audits(incident_id)[-1].detail["already_returned"] == 2


def test_a_person_with_no_lawful_method_left_needs_action(home, tmp_path, monkeypatch):
    incident_id, pks, letters = _setup(home, tmp_path, monkeypatch)
    with db.session() as s:  # a law without a substitute notice
        for person in s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)):
            person.jurisdictions = ["SG"]
    returned = tmp_path / "returned.csv"
    returned.write_text(f"delivery_id\n{letters[pks['u00003']]}\n", encoding="utf-8")
    assert main(["mail", "returned", incident_id, str(returned)]) == 0
    with db.session() as s:
        states = {p.pk: st for p, st in accounting.walk(s, incident_id)}
    assert states[pks["u00003"]][0][1:] == ("needs_action", "every method failed")


def test_bad_returned_mail_files_exit_2_and_change_nothing(home, tmp_path, monkeypatch, capsys):
    incident_id, pks, letters = _setup(home, tmp_path, monkeypatch)
    before = _states(incident_id)
    cases = {
        "binary.csv": (b"\xff\xfe\x00garbage\x00", "cannot be read"),
        "nocolumn.csv": (b"id,reason\nabc,moved\n", "delivery_id column"),
        "unknown.csv": (f"delivery_id\n{letters[pks['u00001']]}\n{'0' * 32}\n".encode(),
                        "line 3: not a letter of this incident"),
        "baddate.csv": (f"delivery_id,returned_at\n{letters[pks['u00001']]},yesterday\n".encode(),
                        "line 2: returned_at"),
        "notanid.csv": (b"delivery_id\n../../etc/passwd\n", "line 2: delivery_id"),
        "empty.csv": (b"delivery_id\n", "no returned letters"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["mail", "returned", incident_id, str(path)]) == 2, name
        assert message in capsys.readouterr().err, name
    assert main(["mail", "returned", incident_id, str(tmp_path / "missing.csv")]) == 2
    assert _states(incident_id) == before
    assert _audits(incident_id) == []
    assert not Path(tmp_path / "binary.csv").read_bytes().startswith(b"delivery_id")
