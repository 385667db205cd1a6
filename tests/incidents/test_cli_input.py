"""Bad input: exit 2 with a message naming the field or column; the database is unchanged."""

import json
import sqlite3

import pytest

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


def _run(demo_files, **override):
    args = ["run", str(override.get("incident", demo_files["incident.json"])),
            "--affected", str(override.get("affected", demo_files["affected.csv"])),
            "--directory", str(override.get("directory", demo_files["directory.csv"])),
            "--auto-approve"]
    return cli.main(args)


@pytest.fixture
def seeded(home, demo_files):
    """A database that already holds one incident, so 'unchanged' means something."""
    from incidents import db, org, payload, service

    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test")
        service.create_incident(session=s, incident_in=incident_in, actor="test")
    return _snapshot(home)


def test_malformed_incident_file(home, demo_files, seeded, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"external_id": "X", "title": ')
    assert _run(demo_files, incident=bad) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert _snapshot(home) == seeded


def test_unknown_data_category(home, demo_files, seeded, tmp_path, capsys):
    data = json.loads(demo_files["incident.json"].read_text())
    data["external_id"] = "OTHER-1"
    data["data_categories"].append("shoe_size")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert _run(demo_files, incident=bad) == 2
    err = capsys.readouterr().err
    assert "'data_categories'" in err and "shoe_size" in err
    assert _snapshot(home) == seeded


def test_directory_without_subject_id(home, demo_files, seeded, tmp_path, capsys):
    bad = tmp_path / "directory.csv"
    bad.write_text("id,email\n1,a@example.org\n")
    data = json.loads(demo_files["incident.json"].read_text())
    data["external_id"] = "OTHER-2"
    incident = tmp_path / "incident.json"
    incident.write_text(json.dumps(data))
    assert _run(demo_files, incident=incident, directory=bad) == 2
    assert "'subject_id'" in capsys.readouterr().err
    assert _snapshot(home) == seeded


def test_missing_affected_file(home, demo_files, seeded, tmp_path, capsys):
    assert _run(demo_files, affected=tmp_path / "nope.csv") == 2
    assert "--affected" in capsys.readouterr().err
    assert _snapshot(home) == seeded


def test_unknown_incident_id(home, capsys):
    assert cli.main(["status", "no-such-incident"]) == 2
    assert "no-such-incident" in capsys.readouterr().err


def test_assess_json_follows_the_contract(home, demo_files, capsys):
    code = cli.main(["assess", str(demo_files["incident.json"]), "--affected",
                     str(demo_files["affected.csv"]), "--directory",
                     str(demo_files["directory.csv"]), "--json"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) >= {"incident", "affected", "obligations"}
    assert document["incident"]["external_id"].startswith("DEMO-")
    assert document["incident"]["aware_at"].endswith("Z")
    affected = document["affected"]
    assert set(affected) == {"subjects", "records", "minors", "unreachable", "by_jurisdiction"}
    assert affected["subjects"] > 0 and affected["records"] >= affected["subjects"]
    assert sum(affected["by_jurisdiction"].values()) >= affected["subjects"]
    keys = {"jurisdiction", "audience", "required", "count", "deadline", "deadline_rule",
            "recipient", "citation", "reasons", "substitute_notice", "needs_review"}
    assert document["obligations"]
    for obligation in document["obligations"]:
        assert keys <= set(obligation)
        assert obligation["audience"] in {"individuals", "regulator", "public",
                                          "credit_agencies", "media"}
        assert obligation["citation"]
    assert {"CN", "EU", "US-CA"} <= {o["jurisdiction"] for o in document["obligations"]}
    # assess is a dry run: nothing lands in the register
    assert not (home / "breachflow.db").exists()


def test_an_unknown_electronic_consent_value_names_row_and_column(home, demo_files, seeded, tmp_path,
                                                                  capsys):
    import csv

    rows = list(csv.DictReader(demo_files["directory.csv"].open()))
    rows[6]["electronic_consent"] = "maybe-yes"
    bad = tmp_path / "directory.csv"
    with bad.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert _run(demo_files, directory=bad) == 2
    err = capsys.readouterr().err
    assert "row 8" in err and "electronic_consent" in err and "maybe-yes" not in err
    assert _snapshot(home) == seeded


def test_an_unknown_org_consent_mode_exits_2(home, demo_files, seeded, tmp_path, capsys):
    org = tmp_path / "org.toml"
    org.write_text(demo_files["org.toml"].read_text().replace(
        'electronic_consent = "column"', 'electronic_consent = "sometimes"'))
    args = ["run", str(demo_files["incident.json"]), "--affected", str(demo_files["affected.csv"]),
            "--directory", str(demo_files["directory.csv"]), "--org", str(org), "--auto-approve"]
    assert cli.main(args) == 2
    assert "notice.electronic_consent" in capsys.readouterr().err
    assert _snapshot(home) == seeded
