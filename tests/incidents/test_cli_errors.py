"""Errors that say what is wrong (issue 20, point 4), from the command line as a user runs it:
a semicolon-delimited CSV, UTF-16 and Windows-1252 files, a folder given as a file, a bad date,
an unknown category (with the vocabulary), and `status | head` (a quiet exit)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.incidents.cli_helpers import breachflow, user_env


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    from incidents import demo

    return demo.write(tmp_path / "inputs", count=5, seed=2, strangers=0)


def _assess(inputs: dict[str, Path], tmp_path: Path, **override: Path) -> subprocess.CompletedProcess[str]:
    given = {
        "incident": inputs["incident.json"],
        "affected": inputs["affected.csv"],
        "directory": inputs["directory.csv"],
        **override,
    }
    extra = ["--org", str(given["org"])] if "org" in given else []
    return breachflow(
        "assess",
        str(given["incident"]),
        "--affected",
        str(given["affected"]),
        "--directory",
        str(given["directory"]),
        *extra,
        env=user_env(tmp_path),
    )


def _incident_with(inputs: dict[str, Path], tmp_path: Path, **fields: object) -> Path:
    data = {**json.loads(inputs["incident.json"].read_text()), **fields}
    path = tmp_path / "incident-changed.json"
    path.write_text(json.dumps(data))
    return path


def test_a_semicolon_delimited_directory_is_named_as_such(inputs, tmp_path):
    semi = tmp_path / "semi.csv"
    semi.write_text(inputs["directory.csv"].read_text().replace(",", ";"))
    done = _assess(inputs, tmp_path, directory=semi)
    assert done.returncode == 2
    assert "separated by semicolons" in done.stderr and "missing" not in done.stderr


def test_utf16_and_windows_1252_files_name_the_encoding(inputs, tmp_path):
    text = inputs["directory.csv"].read_text()
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(text, encoding="utf-16")
    done = _assess(inputs, tmp_path, directory=utf16)
    assert done.returncode == 2 and "is UTF-16 encoded; save it as UTF-8" in done.stderr
    cp1252 = tmp_path / "cp1252.csv"
    lines = text.splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[1], "José Müller")
    cp1252.write_text("\n".join(lines) + "\n", encoding="cp1252")
    done = _assess(inputs, tmp_path, directory=cp1252)
    assert done.returncode == 2
    assert "is not UTF-8: byte 0xE9 on line 2" in done.stderr
    assert "UnicodeDecodeError" not in done.stderr


def test_a_folder_given_as_a_file_exits_2(inputs, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    for override, said in (
        ({"incident": folder}, "is a folder"),
        ({"affected": folder}, "is a folder"),
        ({"directory": folder}, "is a folder"),
        ({"org": folder}, "is a folder"),
    ):
        done = _assess(inputs, tmp_path, **override)
        assert done.returncode == 2, (override, done.stderr)
        assert said in done.stderr and "resume" not in done.stderr


def test_a_bad_date_gives_the_expected_format(inputs, tmp_path):
    done = _assess(inputs, tmp_path, incident=_incident_with(inputs, tmp_path, detected_at="2026-13-45"))
    assert done.returncode == 2
    assert "expected ISO 8601" in done.stderr and "2026-11-20T08:00:00Z" in done.stderr
    assert "Input should be" not in done.stderr


def test_an_unknown_category_lists_the_vocabulary(inputs, tmp_path):
    done = _assess(inputs, tmp_path, incident=_incident_with(inputs, tmp_path, data_categories=["emial"]))
    assert done.returncode == 2
    assert "did you mean 'email'?" in done.stderr
    assert "the vocabulary:" in done.stderr and "payment_card" in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    env = user_env(tmp_path)
    # `breachflow rules | head -1`: the reader is gone before the output is written.
    reader = subprocess.Popen(
        [sys.executable, "-m", "incidents.cli", "rules", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None
    reader.stdout.close()
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 141
    assert err == ""
