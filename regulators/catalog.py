"""The rules as documents: `breachflow rules` (text and JSON), the README coverage table, and
the snapshot an assessment stores so that a later rule change never rewrites a past decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from regulators.base import Regulator
from regulators.registry import codes, load
from regulators.rules import MARKS
from regulators.vocab import AUDIENCES

# Column order of the coverage table (issue 3: individuals / regulator / public / CRA / media).
COVERAGE_COLUMNS = ("individuals", "regulator", "public", "credit_agencies", "media")
COVERAGE_HEADINGS = ("Individuals", "Regulator", "Public", "CRA", "Media")


def rules_data(selected: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every jurisdiction's rules as JSON-ready data (`breachflow rules --json`)."""
    return [load(code).describe() for code in (sorted(selected) if selected else codes())]


def rules_snapshot(selected: Iterable[str]) -> dict[str, Any]:
    """The exact rules applied, with a digest: store it on the incident with its obligations."""
    rules = {item["code"]: item for item in rules_data(selected)}
    blob = json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()
    return {"sha256": hashlib.sha256(blob).hexdigest(), "rules": rules}


def coverage(regulator: Regulator) -> dict[str, str]:
    """Audience -> the marks of its duties, strongest first ("V/U"; "" where there is none)."""
    out = {}
    for audience in AUDIENCES:
        marks = {d.verification for d in regulator.duties if d.audience == audience}
        out[audience] = "/".join(m for m in MARKS if m in marks)
    return out


def coverage_markdown() -> str:
    """README table: one row per jurisdiction, one column per audience, cells = verification."""
    lines = [
        "| Jurisdiction | Law | " + " | ".join(COVERAGE_HEADINGS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in COVERAGE_HEADINGS) + " |",
    ]
    for regulator in (load(code) for code in codes()):
        cells = coverage(regulator)
        row = [f"`{regulator.code}`", regulator.name] + [
            f"[{cells[a]}]" if cells[a] else "—" for a in COVERAGE_COLUMNS]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("[V] primary text read, [S] secondary source, [U] unverified: obligations "
                 "resting on [U] rules come out as `needs_review`. — no such duty.")
    return "\n".join(lines) + "\n"


def rules_text(selected: Iterable[str] | None = None) -> str:
    """`breachflow rules`: per jurisdiction, one line per duty."""
    blocks = []
    for item in rules_data(selected):
        lines = [f"{item['code']}  {item['name']}"]
        for duty in item["duties"]:
            threshold = duty["threshold"]
            parts = [duty["recipient"] or ""]
            if threshold["op"] != "any":
                parts.append(f"if {threshold['op']} {threshold['value']:,} {threshold['unit']}")
            parts.append(duty["deadline"]["rule"])
            if duty["in_force_from"]:
                parts.append(f"applies from {duty['in_force_from']}")
            parts.append(f"{duty['citation']} [{duty['verification']}]")
            lines.append(f"  {duty['audience']:<16}" + "; ".join(p for p in parts if p))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
