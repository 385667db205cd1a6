"""Streaming readers for the affected-records export and the user directory.

CSV, JSONL and Parquet files, or (for the directory) a SQLAlchemy URL with a table; every
reader yields (row_number, row) in chunks so memory does not grow with the file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from incidents.exceptions import InputError

DIRECTORY_COLUMNS = ("subject_id", "full_name", "email", "phone", "push_target", "country",
                     "region", "locale", "birth_date", "guardian_email", "guardian_phone",
                     "postal_address")
AFFECTED_COLUMNS = ("subject_id", "data_categories")

Row = dict[str, str | None]


class BadRow(Exception):
    """A row that could not be parsed; reported by number in the data-quality report."""


def _kind(source: str) -> str:
    if "://" in source:
        return "sql"
    suffix = Path(source).suffix.lower()
    if suffix in {".csv", ".jsonl", ".ndjson", ".parquet"}:
        return suffix.lstrip(".").replace("ndjson", "jsonl")
    raise InputError(f"{source!r}: unsupported file type {suffix or '(none)'!r}; "
                     "use .csv, .jsonl or .parquet", field=source)


def columns(source: str, *, label: str, table: str | None = None) -> list[str]:
    """The column names of a source; raises InputError naming a missing file or subject_id."""
    kind = _kind(source)
    if kind != "sql" and not Path(source).is_file():
        raise InputError(f"{label} file {Path(source).name!r}: not found", field=label)
    if kind == "csv":
        with open(source, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    elif kind == "jsonl":
        header = []
        with open(source, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    try:
                        header = list(json.loads(line))
                    except (json.JSONDecodeError, TypeError):
                        raise InputError(f"{label} file {Path(source).name!r}: first row is "
                                         "not a JSON object", field=label) from None
                    break
    elif kind == "parquet":
        import pyarrow.parquet as pq

        header = list(pq.read_schema(source).names)
    else:
        header = _sql_columns(source, table, label=label)
    if "subject_id" not in header:
        raise InputError(f"{label}: required column 'subject_id' is missing", field="subject_id")
    return header


def _sql_columns(url: str, table: str | None, *, label: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    if not table:
        raise InputError(f"{label}: a database URL needs --directory-table", field="--directory-table")
    try:
        found = inspect(create_engine(url)).get_columns(table)
    except Exception as error:
        raise InputError(f"{label}: cannot read table {table!r}: {type(error).__name__}",
                         field="--directory-table") from None
    return [str(column["name"]) for column in found]


def rows(source: str, *, table: str | None = None, chunk: int = 10_000) -> Iterator[tuple[int, Row | None]]:
    """(1-based data row number, row) for each row; row is None where it could not be parsed."""
    kind = _kind(source)
    if kind == "csv":
        yield from _csv_rows(source)
    elif kind == "jsonl":
        yield from _jsonl_rows(source)
    elif kind == "parquet":
        yield from _parquet_rows(source, chunk)
    else:
        yield from _sql_rows(source, table or "", chunk)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _csv_rows(path: str) -> Iterator[tuple[int, Row | None]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for number, raw in enumerate(reader, start=1):
            if None in raw:  # more fields than the header
                yield number, None
                continue
            yield number, {key: _clean(value) for key, value in raw.items()}


def _jsonl_rows(path: str) -> Iterator[tuple[int, Row | None]]:
    with open(path, encoding="utf-8") as handle:
        number = 0
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                yield number, None
                continue
            if not isinstance(raw, dict):
                yield number, None
                continue
            yield number, {str(key): _clean(value) for key, value in raw.items()}


def _parquet_rows(path: str, chunk: int) -> Iterator[tuple[int, Row | None]]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk):
        for raw in batch.to_pylist():
            number += 1
            yield number, {str(key): _clean(value) for key, value in raw.items()}


def _sql_rows(url: str, table: str, chunk: int) -> Iterator[tuple[int, Row | None]]:
    from sqlalchemy import MetaData, Table, create_engine, select

    engine = create_engine(url)
    source = Table(table, MetaData(), autoload_with=engine)
    number = 0
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=chunk).execute(
            select(source))
        for record in result.mappings():
            number += 1
            yield number, {str(key): _clean(value) for key, value in record.items()}
