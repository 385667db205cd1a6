"""What our packages import is declared in pyproject.toml, and what is declared is used.

An import that only works because another dependency happens to bring the package breaks the
day that dependency drops it; a declared package nobody imports is installed for nothing."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("incidents", "flows", "regulators", "sandbox")
# Declared and used without an import statement in our packages.
USED_WITHOUT_IMPORT = {
    "uvicorn": "flows/operate.py runs `python -m uvicorn` for the intake API",
    "psycopg": "SQLAlchemy loads it from a postgresql+psycopg:// URL",
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {_name(r) for r in project["dependencies"]}
    optional = {_name(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    return required, optional


def _imports() -> dict[str, str]:
    """Top-level third-party module -> the first file importing it."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


@cache
def _installed() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def _distributions(module: str) -> set[str]:
    return {_name(d) for d in _installed().get(module, [])}


def test_every_third_party_import_is_declared() -> None:
    required, optional = _declared()
    undeclared = []
    for module, where in sorted(_imports().items()):
        dists = _distributions(module)
        if not dists:
            undeclared.append(f"{module} (imported in {where}) is not installed at all")
        elif not dists & (required | optional):
            undeclared.append(
                f"{module} (imported in {where}): add {sorted(dists)[0]!r} to "
                "[project] dependencies (or an extra, if the import is optional)"
            )
    assert not undeclared, "undeclared imports in pyproject.toml:\n  " + "\n  ".join(undeclared)


def test_every_declared_dependency_is_used() -> None:
    required, _ = _declared()
    imported = {d for module in _imports() for d in _distributions(module)}
    unused = sorted(required - imported - set(USED_WITHOUT_IMPORT))
    assert not unused, (
        f"declared in pyproject.toml but imported nowhere in {PACKAGES}: {unused}; "
        "drop them, or name them in USED_WITHOUT_IMPORT with the reason"
    )


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    toml = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert toml["project"]["license"] == "Apache-2.0"  # a string, not the deprecated table
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in toml["build-system"]["requires"])
