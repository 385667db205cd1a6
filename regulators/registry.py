"""The explicit list of jurisdictions: id -> (module, class). Tests check it against the package.

Adding a jurisdiction means one module, one line here, one test file (docs/adding-a-jurisdiction.md).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Final

from regulators.base import Regulator
from regulators.us_states.table import OWN_MODULE, ROWS

# Jurisdictions with a module of their own.
MODULES: Final[dict[str, tuple[str, str]]] = {
    "CN": ("regulators.china", "China"),
    "EU": ("regulators.eu_gdpr", "EuGdpr"),
    "GB": ("regulators.uk_gdpr", "UkGdpr"),
    "CA": ("regulators.canada", "Canada"),
    "AU": ("regulators.australia", "Australia"),
    "BR": ("regulators.brazil", "Brazil"),
    "SG": ("regulators.singapore", "Singapore"),
    "JP": ("regulators.japan", "Japan"),
    "KR": ("regulators.south_korea", "SouthKorea"),
    "IN": ("regulators.india", "India"),
    "US-HIPAA": ("regulators.us_hipaa", "UsHipaa"),
    "US-CA": ("regulators.us_states.california", "California"),
    "US-TX": ("regulators.us_states.texas", "Texas"),
    "US-NY": ("regulators.us_states.new_york", "NewYork"),
    "US-FL": ("regulators.us_states.florida", "Florida"),
    "US-MA": ("regulators.us_states.massachusetts", "Massachusetts"),
    "US-WA": ("regulators.us_states.washington", "Washington"),
}
# Every other US state, DC and PR: one generated class per row of the 50-state table.
GENERIC = "regulators.us_states.generic"
REGULATORS: Final[dict[str, tuple[str, str]]] = {
    **{f"US-{row.state}": (GENERIC, "".join(p.capitalize() for p in row.name.split()))
       for row in ROWS if row.state not in OWN_MODULE},
    **MODULES,
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
