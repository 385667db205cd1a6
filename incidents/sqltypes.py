"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, String, TypeDecorator, cast
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns an aware datetime: SQLite would hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every time in breachflow is UTC-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONValue(TypeDecorator[Any]):
    """Portable JSON column (JSONB is not needed: we never query inside these values)."""

    impl = JSON
    cache_ok = True


def json_text(column: Any) -> ColumnElement[str]:
    """A JSON column read as the text it holds (both databases return it as written), for
    `JSONTexts` to decode: the subjects' lists repeat a few hundred values over a million rows,
    and decoding each row again was most of the time of the stages that read them all."""
    return cast(column, String).label(column.key)


class JSONTexts:
    """Decodes each distinct JSON text once. Lists come back as tuples: one value is shared by
    every row with the same text, so none may change it."""

    def __init__(self) -> None:
        self._seen: dict[str | None, Any] = {}

    def __call__(self, text: str | None) -> Any:
        try:
            return self._seen[text]
        except KeyError:
            value = None if text is None else json.loads(text)
            value = self._seen[text] = tuple(value) if isinstance(value, list) else value
            return value


class ModelJSON(TypeDecorator[Any]):
    """A JSON column that holds one typed document: a pydantic model in, the same model out."""

    impl = JSON
    cache_ok = True

    def __init__(self, model: type[BaseModel]) -> None:
        super().__init__()
        self.model = model

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:  # noqa: ARG002
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json", exclude_none=True)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:  # noqa: ARG002
        return None if value is None else self.model.model_validate(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time as people type it (`Z` for UTC); ValueError when it is not one."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def iso_z(value: datetime | None) -> str | None:
    """A stored time as the JSON outputs and documents write it (UTC as `Z`)."""
    return value.isoformat().replace("+00:00", "Z") if value else None
