"""The registry, the package and the public API agree (holidays' test_registry)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import regulators
from regulators import (
    OrgFacts,
    Regulator,
    all_regulators,
    get_regulator,
    jurisdictions_for,
)
from regulators.registry import REGULATORS

ORG = OrgFacts(establishment="DE", hipaa_covered_entity=False, critical_infrastructure=False)
HIPAA_ORG = OrgFacts(establishment="US", hipaa_covered_entity=True, critical_infrastructure=False)


def regulator_classes() -> dict[str, type[Regulator]]:
    """Every concrete Regulator subclass defined anywhere in the package, by code."""
    found: dict[str, type[Regulator]] = {}
    for info in pkgutil.walk_packages(regulators.__path__, "regulators."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, Regulator)
                    and obj.__module__ == info.name and "code" in vars(obj)):
                found[obj.code] = obj
    return found


def test_every_registry_entry_imports() -> None:
    for code, (module, cls) in REGULATORS.items():
        regulator = get_regulator(code)
        assert regulator.code == code
        assert type(regulator).__module__ == module and type(regulator).__name__ == cls


def test_registry_matches_modules() -> None:
    classes = regulator_classes()
    assert set(classes) <= set(REGULATORS)
    for code, cls in classes.items():
        assert REGULATORS[code] == (cls.__module__, cls.__name__)


def test_all_regulators_are_distinct_and_sorted() -> None:
    codes = [r.code for r in all_regulators()]
    assert codes == sorted(set(codes)) and len(codes) == len(REGULATORS)


def test_unknown_code() -> None:
    with pytest.raises(KeyError, match="XX"):
        get_regulator("XX")


@pytest.mark.parametrize(("country", "region", "expected"), [
    ("DE", None, ["EU"]),
    ("no", None, ["EU"]),  # Norway, EEA
    ("US", "US-CA", ["US-CA"]),
    ("US", "CA", ["US-CA"]),
    ("CN", "CN-GD", ["CN"]),
    (None, None, []),
    ("", "US-CA", []),
    ("HK", None, []),  # PIPL does not extend to Hong Kong
    ("PR", None, ["US-PR"]),
    ("US", "US-DC", ["US-DC"]),
    ("US", "US-ZZ", []),
    ("US", None, []),  # state unknown: surfaced as unresolved
    ("GB", "GB-SCT", ["GB"]),
    ("JP", None, ["JP"]),
])
def test_residence(country: str | None, region: str | None, expected: list[str]) -> None:
    assert jurisdictions_for(country=country, region=region, categories=frozenset({"email"}),
                             org=ORG) == expected
