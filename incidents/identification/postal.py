"""Postal addresses: what makes one usable for a letter.

The directory's `postal_address` is the address as it goes on the envelope, one line per line
(a newline or `|` between lines), without the person's name (that is `full_name`). Its last line
may be the ISO 3166-1 alpha-2 code of the destination country; otherwise the directory's
`country` column says where it goes. An address is usable when it has a country, two to six
lines (the window of an envelope shows the name and five more), none empty and none longer than
a window is wide, and — for the United States and Canada, where the postal services read it by
machine — a last line of city, state or province and ZIP or postal code.

A usable address is stored normalised: its lines, then the country code as the last line, so a
letter never has to guess where it goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

MAX_LINES: Final = 6
MAX_LINE: Final = 60  # characters: what fits across a window at 10 points
_SPLIT = re.compile(r"\r\n|\r|\n|\|")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
# The last line where the postal service reads it by machine: "Springfield, IL 62701".
_LAST_LINE: Final = {
    "US": re.compile(r"(?P<city>[^,]+?),?\s+(?P<state>[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)"),
    "CA": re.compile(r"(?P<city>[^,]+?),?\s+(?P<state>[A-Z]{2})\s+(?P<zip>[A-Z]\d[A-Z] ?\d[A-Z]\d)"),
}

# The problems the data-quality report counts (never the value).
MISSING_COUNTRY: Final = "missing country"
EMPTY_LINE: Final = "empty line"
TOO_FEW_LINES: Final = "too few lines"
TOO_MANY_LINES: Final = "too many lines"
LINE_TOO_LONG: Final = "line too long"
NO_CITY_LINE: Final = "no city, state and postal code line"


@dataclass(frozen=True)
class PostalAddress:
    lines: tuple[str, ...]
    country: str

    def stored(self) -> str:
        return "\n".join((*self.lines, self.country))

    def city_line(self) -> dict[str, str] | None:
        """City, state and postal code of a US or Canadian address's last line."""
        pattern = _LAST_LINE.get(self.country)
        found = pattern.fullmatch(self.lines[-1]) if pattern is not None else None
        return found.groupdict() if found is not None else None


def parse(raw: str, country: str | None = None) -> PostalAddress | str:
    """The address, or the problem that makes it unusable. `country` is the directory's
    country column (ISO alpha-2), used when the address does not end with a country code."""
    lines = [line.strip() for line in _SPLIT.split(raw.strip())]
    if len(lines) > 1 and _COUNTRY.fullmatch(lines[-1]):
        country = lines.pop().upper()
    if country is None or not _COUNTRY.fullmatch(country):
        return MISSING_COUNTRY
    if any(not line for line in lines):
        return EMPTY_LINE
    if len(lines) < 2:
        return TOO_FEW_LINES
    if len(lines) > MAX_LINES - 1:  # the name takes the window's first line
        return TOO_MANY_LINES
    if any(len(line) > MAX_LINE for line in lines):
        return LINE_TOO_LONG
    address = PostalAddress(tuple(lines), country.upper())
    if address.country in _LAST_LINE and address.city_line() is None:
        return NO_CITY_LINE
    return address


def stored(value: str) -> PostalAddress:
    """A normalised address as identification stored it (its last line is the country)."""
    *lines, country = value.split("\n")
    return PostalAddress(tuple(lines), country)
