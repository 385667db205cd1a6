"""Every BREACHFLOW_* environment variable the code reads is documented in docs/environment.md.

A name ending in `_` is a prefix the code completes at run time (`BREACHFLOW_RATE_{channel}`):
the document must list at least one variable with that prefix."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "environment.md"
# Everything that runs: the packages, the scripts, the benchmarks, the tests and the launchers.
SOURCES = ("incidents", "flows", "regulators", "sandbox", "scripts", "bench", "tests")
LAUNCHERS = ("breachflow", "run-tests")
NAME = re.compile(r"BREACHFLOW_[A-Z0-9_]+")


def _read_by_code() -> dict[str, str]:
    """Variable name -> the first place (file:line) that names it."""
    found: dict[str, str] = {}
    files = [
        p
        for folder in SOURCES
        for p in sorted((ROOT / folder).rglob("*"))
        if p.is_file() and p.suffix in ("", ".py", ".sh", ".toml")
    ]
    files += [ROOT / name for name in LAUNCHERS if (ROOT / name).is_file()]
    for path in files:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for number, line in enumerate(text.splitlines(), 1):
            for name in NAME.findall(line):
                found.setdefault(name, f"{path.relative_to(ROOT)}:{number}")
    return found


def test_every_environment_variable_is_documented() -> None:
    documented = set(re.findall(r"`(BREACHFLOW_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    missing = []
    for name, where in sorted(_read_by_code().items()):
        if name.endswith("_"):
            if not any(d.startswith(name) for d in documented):
                missing.append(f"{name}* (read in {where}): list each variable of this prefix")
        elif name not in documented:
            missing.append(f"{name} (read in {where})")
    assert not missing, (
        "environment variables read by the code but not documented; add a row "
        "`| `NAME` | what it does | default |` to the right table of "
        "docs/environment.md:\n  " + "\n  ".join(missing)
    )


def test_the_document_lists_no_variable_the_code_does_not_read() -> None:
    read = _read_by_code()
    documented = set(re.findall(r"`(BREACHFLOW_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    stale = sorted(
        d for d in documented if d not in read and not any(d.startswith(p) for p in read if p.endswith("_"))
    )
    assert not stale, f"docs/environment.md lists variables nothing reads any more: {stale}"
