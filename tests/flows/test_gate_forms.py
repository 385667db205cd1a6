"""The gate forms as the Prefect UI renders them (their JSON schema) and as answers are read:
an explicit decision with no default, a required name, times typed with their zone, the
model's answer pre-filled, earlier answer shapes still read; run names; time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.utilities.schema_tools import ValidationError, validate
from pydantic import ValidationError as PydanticError

from flows import artifacts, filing_gate, gates, labels


def _schema(name: str, defaults: dict[str, object] | None = None) -> dict[str, object]:
    form = gates.form_for(name, "**Guidance** with [the context](/artifacts/artifact/x)",
                          defaults or {})
    return create_v2_schema(form.__name__, model_base=form)


AWARE = datetime(2026, 12, 5, 14, 31, tzinfo=UTC)
OPENS_WITH = {"triage": {"severity": "P3", "is_breach": True, "aware_at": AWARE}, "notices": {}}


@pytest.mark.parametrize("name", ["triage", "notices"])
def test_each_form_asks_for_an_explicit_decision_and_a_name(name):
    schema = _schema(name, OPENS_WITH[name])
    props = schema["properties"]
    assert next(iter(props)) == "decision" and list(props)[-1] == "approver"
    assert {"decision", "approver"} <= set(schema["required"])
    assert "default" not in props["decision"] and "decline" in props["decision"]["enum"]
    # The guidance sits on the decision field, which the UI always shows.
    assert props["decision"]["description"].startswith("**Guidance**")
    # Hidden from the form, still accepted from the intake API.
    assert "attestation" not in props
    with pytest.raises(ValidationError):
        validate({"approver": "alice"}, schema, raise_on_error=True)  # no decision
    decision = props["decision"]["enum"][0]
    # What the UI posts: the pre-filled values with the responder's on top.
    prefilled = {k: p["default"] for k, p in props.items() if "default" in p}
    validate({**prefilled, "decision": decision, "approver": "a", "attestation": "n"}, schema,
             raise_on_error=True)


def test_the_triage_form_opens_with_the_models_answer_and_takes_times_with_a_zone():
    schema = _schema("triage", OPENS_WITH["triage"])
    props = schema["properties"]
    assert props["severity"]["default"] == "P3"
    assert props["aware_at"]["default"] == "2026-12-05T14:31:00Z"
    # A text field with a pattern, not the UI's date-only picker.
    assert "format" not in props["aware_at"] and props["aware_at"]["type"] == "string"
    base = {"decision": "confirm", "approver": "a", "severity": "P3", "is_breach": True}
    validate({**base, "aware_at": "2026-12-05T15:31:00+01:00"}, schema, raise_on_error=True)
    for no_zone in ("2026-12-05", "2026-12-05T15:31:00"):
        with pytest.raises(ValidationError):
            validate({**base, "aware_at": no_zone}, schema, raise_on_error=True)


def test_answers_of_the_earlier_forms_still_read():
    read = gates.FORMS["notices"].model_validate({"approved": False, "approver": "bob"})
    assert read.decision == "decline"  # type: ignore[attr-defined]
    read = gates.FORMS["triage"].with_initial_data(**OPENS_WITH["triage"]).model_validate(
        {"confirmed": True, "approver": "c", "severity": ""})
    assert (read.decision, read.severity) == ("confirm", "P3")  # type: ignore[attr-defined]
    with pytest.raises(PydanticError):
        gates.FORMS["notices"].model_validate({"approver": "bob"})  # neither shape


def test_runs_are_named_by_the_ticket_id_and_title():
    assert labels.name_for("SIEM-2026-4711", "Credential\nstuffing  ") == (
        "SIEM-2026-4711 — Credential stuffing")
    assert labels.name_for("SIEM/1", "x").startswith("SIEM_1~")  # the safe name
    assert len(labels.name_for("A", "t" * 500)) < 100


def test_time_left_reads_in_days_and_hours_and_says_overdue():
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert artifacts.time_left(now + timedelta(days=1, hours=19, minutes=5), now) == "1 d 19 h"
    assert artifacts.time_left(now + timedelta(hours=5, minutes=30), now) == "5 h 30 min"
    assert artifacts.time_left(now - timedelta(days=2, hours=1), now) == "overdue by 2 d 1 h"
    assert artifacts.time_left(None, now) == "-"


def test_a_filing_time_is_typed_with_its_zone_per_report():
    form = gates.FilingConfirmation.with_initial_data(reports=[{"report": 1, "jurisdiction": "EU"}])
    schema = create_v2_schema(form.__name__, model_base=form)
    filed_at = schema["definitions"]["ReportFiling"]["properties"]["filed_at"]
    assert filed_at["type"] == "string" and "format" not in filed_at
    item = {"report": 1, "filed": "yes", "reference": "DPC-1"}
    validate({"reports": [{**item, "filed_at": "2026-12-05T10:00:00+01:00"}], "approver": "c"},
             schema, raise_on_error=True)
    validate({"reports": [{**item, "filed": "no", "filed_at": ""}], "approver": "c",
              "comment": "the portal is down"}, schema, raise_on_error=True)
    with pytest.raises(ValidationError):
        validate({"reports": [{**item, "filed_at": "2026-12-05"}], "approver": "c"}, schema,
                 raise_on_error=True)
    assert gates.ReportFiling.model_validate({"report": 1, "filed": "no"}).filed_at is None


def test_fields_opened_with_the_models_answer_are_still_required():
    schema = _schema("triage", OPENS_WITH["triage"])
    assert {"decision", "is_breach", "severity", "aware_at", "approver"} <= set(
        schema["required"])
    assert schema["properties"]["severity"]["default"] == "P3"  # pre-filled all the same
    assert not {"reason", "merge", "merge_into", "aware_at_reason"} & set(schema["required"])
    with pytest.raises(ValidationError):  # an answer that leaves them out is refused
        validate({"decision": "confirm", "approver": "a"}, schema, raise_on_error=True)


def test_the_filing_form_lists_the_reports_with_its_guidance_and_asks_who_and_why():
    form = filing_gate.form("**Declined by unverified:bob: “portal down”.** Answer again.",
                            [{"report": 3, "jurisdiction": "EU", "phase": "initial"}])
    schema = create_v2_schema(form.__name__, model_base=form)
    props = schema["properties"]
    assert list(props)[-1] == "approver" and {"reports", "approver"} <= set(schema["required"])
    assert props["reports"]["default"][0]["report"] == 3
    assert props["reports"]["description"].startswith("**Declined by unverified:bob")
    assert "comment" in props and "attestation" not in props
    with pytest.raises(ValidationError):
        validate({"reports": []}, schema, raise_on_error=True)  # nobody answered
    # The intake API's attestation is still accepted by the server's check of a resume.
    validate({"reports": [], "approver": "c", "attestation": "n"}, schema, raise_on_error=True)
