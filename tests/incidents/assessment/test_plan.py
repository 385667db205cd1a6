"""The plan (dry run): counts, deadlines and time left per jurisdiction x audience x channel,
costs that the law engine's substitute-notice thresholds use, deadlines at risk given each
channel's rate, and the timeline chart."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest

from incidents import cli, db, org, payload
from incidents.assessment import impact, plan
from incidents.channels import pacing
from incidents.demo import _phone
from incidents.identification import matching
from incidents.models import IncidentSources, RunSettings
from incidents.triage import correlation
from incidents.triage import stage as triage_stage

AWARE = "2026-11-20T10:30:00Z"


ORG = """name = "Plan Test Inc."
contact_email = "privacy@plan-test.example"
contact_phone = "+1 555 0100"
postal_address = "1 Test Way, Springfield, USA"
website = "https://plan-test.example"
remedy = "credit monitoring"
dpo_name = "Privacy Office"
dpo_email = "dpo@plan-test.example"
"""


def _files(folder: Path, *, people: int, channel: str = "email", prices: str = "email = 0.001",
           start: int = 0) -> dict[str, Path]:
    """CA residents whose names and SSNs leaked; each reachable on `channel` only."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    incident = {"external_id": "PLAN-1", "title": "Payroll export", "detected_at": AWARE,
                "aware_at": AWARE, "data_categories": ["name", "ssn"], "contained": True,
                "cause": "insider_error", "systems": ["payroll"]}
    (folder / "incident.json").write_text(json.dumps(incident))
    with open(folder / "directory.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject_id", "full_name", "email", "phone", "country", "region"])
        for n in range(start, start + people):
            email = f"person{n}@mail.example" if channel == "email" else ""
            phone = _phone(rng, "US", phonenumbers.PhoneNumberType.MOBILE) if channel == "sms" else ""
            writer.writerow([f"s{n}", f"Person Number{n}", email, phone, "US", "US-CA"])
    with open(folder / "affected.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject_id"])
        writer.writerows([f"s{n}"] for n in range(start, start + people))
    (folder / "org.toml").write_text(ORG + f'[unit_prices]\n{prices}\n')
    return {name: folder / name for name in ("incident.json", "directory.csv", "affected.csv", "org.toml")}


def _plan_cli(files, out: Path, capsys) -> dict:
    code = cli.main(["plan", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                     "--directory", str(files["directory.csv"]), "--org", str(files["org.toml"]),
                     "--out", str(out), "--json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def _row(document, jurisdiction, audience, channel=None):
    return next(r for r in document["rows"] if r["jurisdiction"] == jurisdiction
                and r["audience"] == audience and (channel is None or r["channel"] == channel))


def test_one_million_sms_at_100_per_second_take_2_8_hours():
    assert plan.send_seconds(1_000_000, "sms", 100.0, units=1) / 3600 == pytest.approx(2.78, abs=0.01)
    # A notice is counted as SMS_SEGMENTS segments, as in the cost estimate: twice as long.
    assert plan.send_seconds(1_000_000, "sms", 100.0) == 20_000
    # E-mail is paced in SendGrid requests of 1,000 personalizations.
    assert plan.send_seconds(1_000_000, "email", 10.0) == pytest.approx(100.0)
    assert plan.send_seconds(10, "letter", None) is None
    assert plan.send_seconds(10, "push", 0.0) == 0.0  # 0: unlimited, as the pacing reads it


def test_rates_are_the_delivery_pacing_settings(monkeypatch):
    assert plan.rates() == {**pacing.DEFAULT_RATES, "letter": None}
    monkeypatch.setenv("BREACHFLOW_RATE_SMS", "3")
    monkeypatch.setenv("BREACHFLOW_RATE_LETTER", "2.5")
    monkeypatch.setenv("BREACHFLOW_RATE_PUSH", "0")
    monkeypatch.setenv("BREACHFLOW_EMAIL_BATCH", "500")
    assert plan.rates() == {**pacing.DEFAULT_RATES, "sms": 3.0, "letter": 2.5, "push": 0.0}
    assert plan.per_notice()["email"] == 1 / 500


def test_a_bad_rate_is_an_input_error_naming_the_setting(home, tmp_path, monkeypatch, capsys):
    files = _files(tmp_path / "in", people=3)
    monkeypatch.setenv("BREACHFLOW_RATE_EMAIL", "fast")
    code = cli.main(["plan", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                     "--directory", str(files["directory.csv"]), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "BREACHFLOW_RATE_EMAIL" in capsys.readouterr().err


@pytest.mark.parametrize(("people", "substitute"), [(250, False), (251, True)])
def test_costs_cross_californias_250000_dollar_substitute_notice_threshold(
        home, tmp_path, capsys, people, substitute):
    # $1,000 an e-mail makes the statutory figure reachable with a few hundred people.
    files = _files(tmp_path / "in", people=people, prices="email = 1000.0")
    document = _plan_cli(files, tmp_path / "out", capsys)
    row = _row(document, "US-CA", "individuals", "email")
    assert row["count"] == people and row["cost_usd"] == people * 1000.0
    assert document["costs"]["by_jurisdiction"]["US-CA"]["individuals_usd"] == people * 1000.0
    assert row["substitute_notice"] is substitute
    # The law engine compared that very figure with § 1798.82(j)'s "exceeds $250,000".
    assessed = cli.main(["assess", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                         "--directory", str(files["directory.csv"]), "--org", str(files["org.toml"]),
                         "--json"])
    assert assessed == 0
    obligations = json.loads(capsys.readouterr().out)["obligations"]
    ca = {o["audience"]: o for o in obligations if o["jurisdiction"] == "US-CA"}
    assert ca["individuals"]["substitute_notice"] is substitute
    cost_reason = f"notice cost ${people * 1000:,}: more than 250,000 USD notice cost"
    assert (cost_reason in ca.get("public", {}).get("reasons", [])) is substitute


def test_plan_rows_per_channel_with_deadline_and_time_left(home, tmp_path):
    files = _files(tmp_path / "in", people=40)
    sms = _files(tmp_path / "sms", people=30, channel="sms", start=100)
    with open(files["directory.csv"], "a", newline="") as handle:
        handle.writelines(sms["directory.csv"].read_text().splitlines(keepends=True)[1:])
    with open(files["affected.csv"], "a", newline="") as handle:
        handle.writelines(sms["affected.csv"].read_text().splitlines(keepends=True)[1:])
    incident_id = _assessed(files, tmp_path)
    aware = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    now = aware + timedelta(days=2)
    with db.session() as s:
        from incidents import service

        document = plan.build(s, service.get_incident(session=s, incident_id=incident_id), now=now).to_json()
    email = _row(document, "US-CA", "individuals", "email")
    text = _row(document, "US-CA", "individuals", "sms")
    assert (email["count"], text["count"]) == (40, 30)
    assert email["cost_usd"] == pytest.approx(0.04) and text["cost_usd"] == pytest.approx(30 * 2 * 0.0079)
    assert email["deadline"] == "2026-12-20T10:30:00Z"  # 30 calendar days from discovery
    assert email["time_left_hours"] == 28 * 24
    assert text["send_hours"] == round(30 * 2 / 100 / 3600, 2)
    assert email["at_risk"] is False and document["at_risk"] == []
    assert document["channels"]["sms"]["notices"] == 30
    assert document["aware_at"] == AWARE and document["aware_at_source"] == "test"


def _assessed(files, tmp_path) -> str:
    sources = IncidentSources(affected=str(files["affected.csv"]), directory=str(files["directory.csv"]))
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(
            session=s, payload=payload.load(files["incident.json"]), sources=sources,
            settings=RunSettings(out=str(tmp_path / "out")), org=org.load(files["org.toml"]),
            actor="test")
    triage_stage.decide(incident.id, page=False)
    matching.identify(incident.id, out_dir=tmp_path / "out")
    impact.assess(incident.id)
    return incident.id


def test_a_slow_channel_puts_the_deadline_at_risk(home, tmp_path):
    files = _files(tmp_path / "in", people=300, channel="sms")
    incident_id = _assessed(files, tmp_path)
    deadline = datetime(2026, 12, 20, 10, 30, tzinfo=UTC)
    now = deadline - timedelta(hours=1)
    from incidents import service

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        fine = plan.build(s, incident, now=now).to_json()
        slow = plan.build(s, incident, now=now, channel_rates={**plan.rates(), "sms": 0.1}).to_json()
        late = plan.build(s, incident, now=deadline + timedelta(minutes=1)).to_json()
    assert _row(fine, "US-CA", "individuals", "sms")["at_risk"] is False
    row = _row(slow, "US-CA", "individuals", "sms")
    assert row["at_risk"] is True and row["queue_hours"] == round(300 * 2 / 0.1 / 3600, 2)
    assert row["risk"] == "sending the sms queue takes 1.7 h; the deadline is in 1.0 h"
    assert [r["channel"] for r in slow["at_risk"]] == ["sms"]
    assert _row(late, "US-CA", "individuals", "sms")["risk"] == "the deadline has passed"


def test_plan_writes_the_chart_and_nothing_to_the_register(home, tmp_path, capsys):
    files = _files(tmp_path / "in", people=12)
    document = _plan_cli(files, tmp_path / "out", capsys)
    out = tmp_path / "out" / "charts"
    png, svg = out / "plan-timeline.png", out / "plan-timeline.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    assert ET.parse(svg).getroot().tag.endswith("svg")  # noqa: S314 - the file we just wrote
    assert svg.stat().st_size > 5_000
    assert document["charts"] == {"svg": "plan-timeline.svg", "png": "plan-timeline.png"}
    written = (out / "plan.json").read_text()
    assert json.loads(written)["rows"] == document["rows"]
    directory = files["directory.csv"].read_text()
    for secret in ("person3@mail.example", "Person Number3", "s3,"):
        assert secret in directory and secret not in written and secret not in svg.read_text()
    database = home / "breachflow.db"
    if database.exists():
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT count(*) FROM incident").fetchone() == (0,)


def test_assess_json_has_a_plan_and_keeps_its_keys(home, tmp_path, capsys):
    files = _files(tmp_path / "in", people=5)
    assert cli.main(["assess", str(files["incident.json"]), "--affected", str(files["affected.csv"]),
                     "--directory", str(files["directory.csv"]), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    # The contract's keys first and in order; later issues add keys after them (data quality).
    assert list(document)[:4] == ["incident", "affected", "obligations", "plan"]
    assert {"rows", "channels", "costs", "at_risk", "rates", "unit_prices"} <= set(document["plan"])


def test_the_plan_counts_per_deadline_what_is_sent_before_it(home, tmp_path):
    """The ledger sends by deadline: California's 30-day notices go before Texas's 60-day ones,
    so only California's count against California's deadline."""
    files = _files(tmp_path / "in", people=300, channel="sms")
    rows = (files["directory.csv"]).read_text().splitlines()
    rows = [rows[0], *[r.replace("US-CA", "US-TX") if n % 2 else r for n, r in enumerate(rows[1:])]]
    files["directory.csv"].write_text("\n".join(rows) + "\n")
    incident_id = _assessed(files, tmp_path)
    california = datetime(2026, 12, 20, 10, 30, tzinfo=UTC)
    now = california - timedelta(hours=1)
    from incidents import service

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        fits = plan.build(s, incident, now=now, channel_rates={**plan.rates(), "sms": 0.1}).to_json()
        slow = plan.build(s, incident, now=now, channel_rates={**plan.rates(), "sms": 0.05}).to_json()
    row = _row(fits, "US-CA", "individuals", "sms")
    # 150 Californians x 2 segments at 0.1/s: 0.83 h, inside the hour left; the whole queue
    # of 300 would take 1.67 h.
    assert row["queue_hours"] == round(150 * 2 / 0.1 / 3600, 2) and row["at_risk"] is False
    first = fits["deadlines"][0]
    assert first["deadline"] == "2026-12-20T10:30:00Z" and first["jurisdictions"] == ["US-CA"]
    assert first["channels"]["sms"]["notices"] == 150 and first["met"] is True
    assert fits["deadlines"][-1]["channels"]["sms"]["notices"] == 300
    assert slow["deadlines"][0]["met"] is False
    assert slow["deadlines"][0]["channels"]["sms"]["send_hours"] == round(150 * 2 / 0.05 / 3600, 2)
    assert "NOT MET" in plan.text(plan.Plan.model_validate(slow))
