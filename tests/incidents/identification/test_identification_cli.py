"""The CLI's sources: a directory from a database query, and bad sources -> exit 2 naming the
flag or file, with the database unchanged."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from incidents import cli
from incidents.models import IncidentCreate


def _snapshot(home):
    path = home / "breachflow.db"
    if not path.exists():
        return None
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
        return {t: connection.execute(f"SELECT * FROM {t}").fetchall() for t in tables}  # noqa: S608


@pytest.fixture
def seeded(home, demo_files):
    from incidents import db, org, payload, service

    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test")
        service.create_incident(session=s, incident_in=incident_in, actor="test")
    return _snapshot(home)


@pytest.fixture
def users_db(tmp_path, demo_files):
    """The demo directory as a table of an SQLite database."""
    url = f"sqlite:///{tmp_path / 'users.db'}"
    with open(demo_files["directory.csv"], encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)  # postal addresses hold quoted commas
        rows = list(reader)
        header = list(reader.fieldnames or [])
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (" + ", ".join(f"{h} TEXT" for h in header) + ")"))
        connection.execute(text("INSERT INTO users VALUES (" + ", ".join(  # noqa: S608 - test table
            f":{h}" for h in header) + ")"), rows)
    engine.dispose()
    return url


def _other_incident(demo_files, tmp_path, external_id):
    data = json.loads(demo_files["incident.json"].read_text())
    data["external_id"] = external_id
    path = tmp_path / f"{external_id}.json"
    path.write_text(json.dumps(data))
    return path


def test_assess_with_a_directory_query(home, demo_files, users_db, capsys):
    def assess(*directory):
        code = cli.main(["assess", str(demo_files["incident.json"]), "--affected",
                         str(demo_files["affected.csv"]), *directory, "--json"])
        assert code == 0
        return json.loads(capsys.readouterr().out)["affected"]

    from_file = assess("--directory", str(demo_files["directory.csv"]))
    from_table = assess("--directory", users_db, "--directory-table", "users")
    assert from_table == from_file
    only_cn = assess("--directory", users_db, "--directory-query",
                     "SELECT * FROM users WHERE country = 'CN'")
    assert set(only_cn["by_jurisdiction"]) == {"CN", "UNKNOWN"}
    assert only_cn["subjects"] == from_file["subjects"]  # the others are unknown ids, not dropped


@pytest.mark.parametrize(("directory", "flag", "says"), [
    (["--directory-table", "users"], "--directory-table", "applies to a database URL"),
    (["--directory-query", "SELECT 1"], "--directory-query", "applies to a database URL"),
])
def test_table_or_query_with_a_file(home, demo_files, seeded, tmp_path, capsys, directory, flag, says):
    incident = _other_incident(demo_files, tmp_path, "OTHER-F")
    code = cli.main(["run", str(incident), "--affected", str(demo_files["affected.csv"]),
                     "--directory", str(demo_files["directory.csv"]), *directory, "--auto-approve"])
    assert code == 2
    err = capsys.readouterr().err
    assert flag in err and says in err
    assert _snapshot(home) == seeded


@pytest.mark.parametrize(("directory", "says"), [
    (["--directory-table", "no_such_table"], "'no_such_table'"),
    (["--directory-query", "SELECT nothing FROM nowhere"], "cannot read the query"),
    ([], "--directory-table NAME or --directory-query SQL"),
])
def test_bad_database_directory(home, demo_files, seeded, users_db, tmp_path, capsys, directory, says):
    incident = _other_incident(demo_files, tmp_path, "OTHER-D")
    code = cli.main(["run", str(incident), "--affected", str(demo_files["affected.csv"]),
                     "--directory", users_db, *directory, "--auto-approve"])
    assert code == 2
    assert says in capsys.readouterr().err
    assert _snapshot(home) == seeded


def test_corrupt_parquet_affected_file(home, demo_files, seeded, tmp_path, capsys):
    bad = tmp_path / "records.parquet"
    bad.write_bytes(b"PAR1 but not really")
    incident = _other_incident(demo_files, tmp_path, "OTHER-P")
    code = cli.main(["run", str(incident), "--affected", str(bad), "--directory",
                     str(demo_files["directory.csv"]), "--auto-approve"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--affected" in err and "'records.parquet'" in err
    assert _snapshot(home) == seeded
