"""The incident payload of the contract: validated strictly, errors name the field."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from incidents.exceptions import InputError
from regulators.vocab import BREACH_TYPES, CAUSES, DATA_CATEGORIES


class Encryption(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    encrypted: bool = False
    key_compromised: bool = False


class Translation(BaseModel):
    """The incident's free text in one more language: what a notice in that language quotes."""

    model_config = ConfigDict(extra="forbid")
    summary: str | None = Field(default=None, max_length=20_000)
    measures_taken: str | None = Field(default=None, max_length=20_000)


_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")


class IncidentPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=20_000)
    detected_at: datetime
    aware_at: datetime | None = None
    determined_at: datetime | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    breach_types: list[str] = Field(default_factory=lambda: ["confidentiality"], max_length=3)
    cause: str | None = None
    data_categories: list[str] = Field(min_length=1, max_length=64)
    encryption: Encryption = Field(default_factory=Encryption)
    systems: list[str] = Field(default_factory=list, max_length=200)
    contained: bool | None = None
    measures_taken: str | None = Field(default=None, max_length=20_000)
    law_enforcement_delay: bool = False
    # The affected data came from records of care (patient, treatment or billing records): at a
    # HIPAA covered entity any identifier in them is protected health information (45 CFR
    # 160.103), so HIPAA applies even without a health data category.
    records_of_care: bool = False
    related_to: str | None = Field(default=None, max_length=200)
    # The language `summary` and `measures_taken` are written in (BCP 47), and the same text in
    # other languages: every notice states the facts in its reader's language.
    language: str = Field(default="en", max_length=20)
    translations: dict[str, Translation] = Field(default_factory=dict, max_length=50)

    @field_validator("external_id", "title", "related_to")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        # Printed by `register`, `status` and the gate prompt: an escape sequence in a webhook's
        # id or title would drive the responder's terminal.
        if value is not None and any(unicodedata.category(c) == "Cc" for c in value):
            raise ValueError("must not contain control characters (escape, tab, newline ...)")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _LOCALE.fullmatch(value):
            raise ValueError("must be a language tag such as en, de or zh-CN")
        return value

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: dict[str, Translation]) -> dict[str, Translation]:
        bad = sorted(key for key in value if not _LOCALE.fullmatch(key))
        if bad:
            raise ValueError(f"{bad[0]!r} is not a language tag such as de or zh-CN")
        return value

    @field_validator("detected_at", "aware_at", "determined_at", "occurred_from", "occurred_to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone, e.g. 2026-11-20T08:00:00Z")
        return value

    @field_validator("data_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - DATA_CATEGORIES)
        if unknown:
            import difflib

            hints = [close[0] for u in unknown
                     if (close := difflib.get_close_matches(u, sorted(DATA_CATEGORIES), n=1))]
            raise ValueError(f"unknown data category {', '.join(map(repr, unknown))}"
                             + (f" (did you mean {', '.join(map(repr, hints))}?)" if hints else "")
                             + f"; the vocabulary: {', '.join(sorted(DATA_CATEGORIES))}")
        return sorted(set(value))

    @field_validator("breach_types")
    @classmethod
    def _breach_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - BREACH_TYPES)
        if unknown:
            raise ValueError(f"unknown breach type {', '.join(map(repr, unknown))}")
        return sorted(set(value))

    @field_validator("cause")
    @classmethod
    def _cause(cls, value: str | None) -> str | None:
        if value is not None and value not in CAUSES:
            raise ValueError(f"unknown cause {value!r}; one of {', '.join(sorted(CAUSES))}")
        return value


def _describe(error: ValidationError) -> InputError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "payload"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"].startswith(("datetime", "date", "timezone")):
        # A time, not a validator's internals: say the format and show what was given.
        given = str(first.get("input"))[:40]
        message = (f"{given!r} is not a date and time; expected ISO 8601 with a time zone, "
                   "e.g. 2026-11-20T08:00:00Z")
    return InputError(f"incident payload: field {field!r}: {message}", field=field)


def parse(data: Any) -> IncidentPayload:
    if not isinstance(data, dict):
        raise InputError("incident payload: must be a JSON object", field="payload")
    try:
        payload = IncidentPayload.model_validate(data)
    except ValidationError as error:
        raise _describe(error) from None
    if payload.occurred_from and payload.occurred_to and payload.occurred_to < payload.occurred_from:
        raise InputError("incident payload: field 'occurred_to': is before occurred_from",
                         field="occurred_to")
    return payload


def load(path: Path) -> IncidentPayload:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"incident file {path.name!r}: not found", field="INCIDENT") from None
    except IsADirectoryError:
        raise InputError(f"incident file {path.name!r}: is a folder, not a JSON file",
                         field="INCIDENT") from None
    except OSError as error:
        raise InputError(f"incident file {path.name!r}: cannot be read ({error.strerror})",
                         field="INCIDENT") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"incident file {path.name!r}: not valid JSON ({error})",
                         field="INCIDENT") from None
    return parse(data)
