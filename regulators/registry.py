"""The explicit list of jurisdictions: id -> (module, class). Tests check it against the package.

Adding a jurisdiction means one module, one line here, one test file (DESIGN.md, Layout).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Final

from regulators.base import Regulator

REGULATORS: Final[dict[str, tuple[str, str]]] = {
    "CN": ("regulators.china", "China"),
    "EU": ("regulators.eu_gdpr", "EuGdpr"),
    "US-CA": ("regulators.us_states.california", "California"),
}


def codes() -> list[str]:
    return sorted(REGULATORS)


@cache
def load(code: str) -> Regulator:
    try:
        module_name, class_name = REGULATORS[code]
    except KeyError:
        raise KeyError(f"unknown jurisdiction {code!r}; known: {', '.join(codes())}") from None
    cls = getattr(importlib.import_module(module_name), class_name)
    regulator = cls()
    if not isinstance(regulator, Regulator) or regulator.code != code:
        raise TypeError(f"registry entry {code!r} does not load a Regulator with that code")
    return regulator
