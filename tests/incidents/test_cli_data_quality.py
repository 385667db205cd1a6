"""Data quality is visible (issue 20, point 3): `assess`, `plan` and the `run` summary print
what in the sources was ignored or unusable (a misspelt column, an unknown category, a duplicate
directory id, a national phone number without a country), `assess` keeps data-quality.json
where it says, and a header-only affected file is refused with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.incidents.cli_helpers import breachflow, user_env

DIRECTORY = """subject_id,full_name,email,mobil,phone,country
u1,Ann One,ann@example.org,+14155550100,,US
u2,Bob Two,bob@example.org,,(415) 555-1000,
u2,Bob Two,bob2@example.org,,,US
u3,Cy Three,cy@example.org,,,US
"""
AFFECTED = "subject_id,data_categories\nu1,emial\nu2,\nu3,\n"


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    from incidents import demo

    files = demo.write(tmp_path / "inputs", count=5, seed=1, strangers=0)
    (tmp_path / "directory.csv").write_text(DIRECTORY)
    (tmp_path / "affected.csv").write_text(AFFECTED)
    (tmp_path / "empty.csv").write_text("subject_id,data_categories\n")
    return {
        "incident": files["incident.json"],
        "directory": tmp_path / "directory.csv",
        "affected": tmp_path / "affected.csv",
        "empty": tmp_path / "empty.csv",
    }


def _args(command: str, sources: dict[str, Path], affected: str = "affected") -> list[str]:
    return [
        command,
        str(sources["incident"]),
        "--affected",
        str(sources[affected]),
        "--directory",
        str(sources["directory"]),
    ]


def _shows_the_problems(text: str) -> None:
    assert "'mobil' (did you mean 'phone'?)" in text
    assert "unknown data categories in --affected (ignored): emial" in text
    assert re.search(r"1 subject ids listed more than once in --directory", text)
    assert re.search(r"1 unusable phone numbers", text)


def test_assess_and_plan_show_the_data_quality_and_keep_the_file(sources, tmp_path):
    env = user_env(tmp_path)
    done = breachflow(*_args("assess", sources), env=env)
    assert done.returncode == 0, done.stderr
    _shows_the_problems(done.stdout)
    kept = Path(re.search(r"row numbers and ids: (\S+data-quality\.json)", done.stdout)[1])
    assert json.loads(kept.read_text())["duplicate_subject_ids"] == ["u2"]
    document = json.loads(breachflow(*_args("assess", sources), "--json", env=env).stdout)
    assert document["data_quality"]["unknown_columns"] == {"--directory": {"mobil": "phone"}}
    assert document["data_quality_file"] == str(kept)
    plan = breachflow(*_args("plan", sources), "--out", str(tmp_path / "plan"), env=env)
    assert plan.returncode == 0, plan.stderr
    _shows_the_problems(plan.stdout)


def test_a_header_only_affected_file_is_refused(sources, tmp_path):
    env = user_env(tmp_path)
    for command in ("assess", "run"):
        done = breachflow(*_args(command, sources, affected="empty"), env=env)
        assert done.returncode == 2
        assert "no records, only a header" in done.stderr
    assert not (tmp_path / "home" / "breachflow.db").exists()


@pytest.mark.prefect
def test_the_run_summary_shows_the_data_quality(sources, tmp_path):
    done = breachflow(*_args("run", sources), "--auto-approve", env=user_env(tmp_path))
    assert done.returncode in (0, 1), done.stderr  # 1: the close step waits for people
    _shows_the_problems(done.stdout)
