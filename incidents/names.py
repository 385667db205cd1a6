"""File and URL names derived from an incident's `external_id`, which a security tool chooses.

An id that is already a plain name (letters, digits, `.`, `_`, `-`; not starting with `.` or `-`;
at most 100 characters) is its own name, so `SIEM-2026-4711` keeps its folder. Any other id
gets a readable slug followed by `~` and 16 hex digits of its SHA-256: `SIEM/1` becomes
`SIEM_1~…`. Plain names never contain `~`, so two different ids never share a name (short of
a SHA-256 collision), and no name can be `.`, `..`, contain a `/` or a `?`, or reach past 130
characters: every character is unreserved in a URL path (RFC 3986) and safe in a file name."""

from __future__ import annotations

import hashlib
import re
from typing import Final

_PLAIN: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")
_SLUG_LENGTH: Final = 100


def safe_name(external_id: str) -> str:
    """The file-system- and URL-safe name of an incident id; different ids, different names."""
    if _PLAIN.fullmatch(external_id):
        return external_id
    slug = _UNSAFE.sub("_", external_id).lstrip(".-")[:_SLUG_LENGTH] or "incident"
    return f"{slug}~{id_hash(external_id)}"


def id_hash(external_id: str) -> str:
    return hashlib.sha256(external_id.encode()).hexdigest()[:16]
