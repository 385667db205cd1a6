"""9. Personal values stay out of logs and exceptions: tracebacks are scrubbed with their
message, national phone formats and URL credentials too, and a failed step does not chain
the original exception (whose text would reach Prefect's logs)."""

from __future__ import annotations

import io
import logging

import pytest

from incidents import db, org, payload, service, steps
from incidents.exceptions import StepFailed
from incidents.models import IncidentCreate
from incidents.privacy import RedactingFilter, redact


def _logged(*args, **kwargs) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("breachflow.test-redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error(*args, **kwargs)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_traceback_is_scrubbed_with_its_message():
    try:
        raise ValueError("could not notify jane.doe@mail.example at (415) 555-0100")
    except ValueError:
        text = _logged("sending failed", exc_info=True)
    assert "Traceback" in text and "ValueError" in text
    assert "jane.doe@mail.example" not in text and "555-0100" not in text


def test_national_numbers_and_url_credentials_are_scrubbed():
    text = redact("call (415) 555-0100 or 415-555-0199; directory "
                  "postgresql+psycopg://breachflow:hunter2@db-host/users")
    assert "555-0100" not in text and "555-0199" not in text and "hunter2" not in text
    assert "db-host/users" in text  # the rest stays readable
    assert redact("DEMO-20261129-064436 at 2026-11-20T10:30:00Z") == (
        "DEMO-20261129-064436 at 2026-11-20T10:30:00Z")


def test_a_failed_step_does_not_chain_the_original_exception(home, demo_files):
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test")
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")

    def work(_: str) -> dict[str, int]:
        raise RuntimeError("row for jane.doe@mail.example, +1 415 555 0100 failed")

    with pytest.raises(StepFailed) as caught:
        steps.run(incident.id, "identification", work)
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None
    assert "jane.doe" not in str(error) and "555" not in str(error)
