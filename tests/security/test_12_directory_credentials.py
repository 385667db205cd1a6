"""12. A directory URL's password is never stored with the incident; it is found again where
it was given (the process that opened the incident, or BREACHFLOW_DIRECTORY)."""

from __future__ import annotations

import json

from incidents.identification import sources
from tests.incidents.intake.conftest import incident_body, start_intake, stop

URL = "postgresql+psycopg://breachflow:s3cret-Passw0rd@db-host:5432/users?sslmode=require"


def test_the_stored_sources_carry_no_password(tmp_path, monkeypatch):
    intake = start_intake(tmp_path, extra_env={"BREACHFLOW_DIRECTORY": URL,
                                               "BREACHFLOW_DIRECTORY_TABLE": "users"})
    try:
        assert intake.post(incident_body("CRED-1")).status_code in (200, 202)
        ((stored,),) = intake.query("SELECT sources FROM incident")
        dump = "\n".join(str(row) for table in intake.snapshot() for row in table)
    finally:
        stop(intake)
    directory = json.loads(stored)["directory"]
    assert "s3cret" not in stored and "s3cret" not in dump
    assert directory == "postgresql+psycopg://breachflow@db-host:5432/users?sslmode=require"
    # Identification gets it back from the server's configuration.
    monkeypatch.setenv("BREACHFLOW_DIRECTORY", URL)
    assert sources.with_credentials(directory) == URL
    assert sources.without_credentials(
        "postgresql://u@h/d?password=p&sslpassword=q&application_name=x") == (
        "postgresql://u@h/d?application_name=x")
