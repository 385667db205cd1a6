"""`breachflow rules` data, the README coverage table, rule snapshots and notice checks."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from regulators.catalog import coverage_markdown, rules_data, rules_snapshot, rules_text
from regulators.content import ELEMENTS, check_notice
from regulators.registry import REGULATORS, codes
from regulators.us_states.california import ATTORNEY_GENERAL, California

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| Jurisdiction | Law | Individuals | Regulator | Public | CRA | Media |"


def row(code: str) -> list[str]:
    line = next(x for x in coverage_markdown().splitlines() if x.startswith(f"| `{code}` |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_coverage_table_has_a_row_per_jurisdiction() -> None:
    table = coverage_markdown()
    assert table.startswith(HEADER)
    assert sum(1 for line in table.splitlines() if line.startswith("| `")) == len(REGULATORS)


@pytest.mark.parametrize(("code", "expected"), [
    ("US-CA", ["[V]", "[S]", "[S]", "—", "—"]),
    ("US-HIPAA", ["[V]", "[V]", "[V]", "—", "[V]"]),
    ("US-TX", ["[V]", "[V]", "[S]", "[S]", "—"]),
    ("CN", ["[V]", "[V/U]", "[U]", "—", "—"]),
    ("SG", ["[V]", "[V]", "—", "—", "—"]),
])
def test_coverage_cells_show_duties_and_marks(code: str, expected: list[str]) -> None:
    assert row(code)[2:] == expected


def test_readme_carries_the_generated_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert HEADER in text
    start = text.index(HEADER)
    assert text[start:start + len(coverage_markdown())] == coverage_markdown()


def test_rules_data_is_json_and_complete() -> None:
    data = rules_data()
    assert [item["code"] for item in data] == codes()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert all(item["duties"] for item in data)


def test_rules_text_lists_every_duty() -> None:
    text = rules_text(["US-CA"])
    assert "California Attorney General; if > 500 California residents notified" in text
    assert text.count("Cal. Civ. Code") == 3


def test_snapshot_digest_moves_with_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    before = rules_snapshot(["US-CA", "EU"])
    assert before == rules_snapshot(["EU", "US-CA"])
    frozen = json.dumps(before, sort_keys=True)
    changed = replace(ATTORNEY_GENERAL, threshold=replace(ATTORNEY_GENERAL.threshold, value=1000))
    monkeypatch.setattr(California, "duties", (California.duties[0], changed,
                                               *California.duties[2:]))
    after = rules_snapshot(["US-CA", "EU"])
    assert after["sha256"] != before["sha256"]
    assert json.dumps(before, sort_keys=True) == frozen  # the stored snapshot is untouched


def test_check_notice_reports_missing_and_forbidden_elements() -> None:
    missing, forbidden = check_notice(
        frozenset({"police_report_right", "what_happened"}),
        required=("police_report_right", "security_freeze"),
        prohibited=("what_happened", "number_affected"),
    )
    assert missing == ("security_freeze",) and forbidden == ("what_happened",)
    assert all(desc for desc in ELEMENTS.values())
