"""Streaming readers for the affected-records export and the user directory.

Files: CSV, JSONL and Parquet. The directory may also be any SQLAlchemy URL (SQLite,
PostgreSQL, MySQL/MariaDB) with a table name or a query. Every reader holds one chunk at a
time — the csv module's buffer, one Parquet record batch, one fetch of a server-side cursor —
so memory does not grow with the size of the source.

`columns()` validates a source before anything is written (the CLI calls it); `read()` yields
(row number, row) where row is a sequence indexed by `Rows.positions`, or None for a row that
could not be parsed. Row numbers are line numbers for CSV and JSONL (the CSV header is line 1)
and 1-based positions for Parquet and database rows: what a data steward needs to find them."""

from __future__ import annotations

import codecs
import csv
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incidents.exceptions import InputError

DIRECTORY_COLUMNS = ("subject_id", "full_name", "email", "phone", "push_target", "country",
                     "region", "locale", "birth_date", "guardian_email", "guardian_phone",
                     "postal_address", "electronic_consent")
AFFECTED_COLUMNS = ("subject_id", "data_categories")
# What exports commonly call the contract's columns: the hint for an unknown column.
COLUMN_ALIASES = {"mobile": "phone", "cell": "phone", "telephone": "phone", "tel": "phone",
                  "phone_number": "phone", "msisdn": "phone", "mail": "email",
                  "email_address": "email", "e_mail": "email", "name": "full_name",
                  "dob": "birth_date", "birthdate": "birth_date", "date_of_birth": "birth_date",
                  "language": "locale", "lang": "locale", "state": "region", "province": "region",
                  "address": "postal_address", "id": "subject_id", "user_id": "subject_id",
                  "categories": "data_categories", "category": "data_categories"}
CHUNK = 10_000
# A directory export may carry long postal addresses or notes; the csv module's 128 KiB
# default would turn such rows into parse errors.
csv.field_size_limit(16 * 1024 * 1024)

Row = Sequence[Any]
_handler_ids = itertools.count()


@dataclass(frozen=True)
class Source:
    """Where rows come from: a file path, or a database URL with a table or a query."""

    location: str
    label: str
    table: str | None = None
    query: str | None = None

    @property
    def kind(self) -> str:
        if "://" in self.location:
            return "sql"
        suffix = Path(self.location).suffix.lower()
        if suffix in {".csv", ".jsonl", ".ndjson", ".parquet"}:
            return suffix.lstrip(".").replace("ndjson", "jsonl")
        raise InputError(f"{self.label} file {Path(self.location).name!r}: unsupported file type "
                         f"{suffix or '(none)'!r}; use .csv, .jsonl or .parquet", field=self.label)

    @property
    def name(self) -> str:
        """How messages name the source: the file name, never a URL (it may hold a password)."""
        return f"file {Path(self.location).name!r}" if self.kind != "sql" else "database"


class Rows:
    """The rows of one source. `positions` maps each wanted column the source has to its index;
    `text_only` says every value is a str (CSV), so that a consumer can skip type checks."""

    def __init__(self, positions: dict[str, int], rows: Iterator[tuple[int, Row | None]], *,
                 text_only: bool = False) -> None:
        self.positions = positions
        self.text_only = text_only
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[int, Row | None]]:
        return self._rows


def columns(location: str, *, label: str, table: str | None = None,
            query: str | None = None) -> list[str]:
    """The column names of a source. Raises InputError naming the flag, file or column when the
    source cannot be read or has no `subject_id`."""
    if "://" not in location and Path(location).is_dir():
        raise InputError(f"{label} {Path(location).name!r}: is a folder; give the file "
                         "(.csv, .jsonl or .parquet)", field=label)
    source = Source(location, label, table, query)
    kind = source.kind
    if kind != "sql" and (table or query):
        flag = "--directory-table" if table else "--directory-query"
        raise InputError(f"{flag} applies to a database URL, not to {source.name}", field=flag)
    if kind != "sql" and not Path(location).is_file():
        raise InputError(f"{label} {source.name}: not found", field=label)
    try:
        header = _header(source)
    except InputError:
        raise
    except UnicodeDecodeError as error:
        raise InputError(f"{label} {source.name}: {encoding_problem(Path(location), error)}",
                         field=label) from None
    except (OSError, csv.Error, ValueError) as error:
        raise InputError(f"{label} {source.name}: cannot be read ({type(error).__name__})",
                         field=label) from None
    if "subject_id" not in header and kind == "csv" and len(header) == 1:
        for delimiter in (";", "\t", "|"):
            if "subject_id" in header[0].split(delimiter):
                named = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[delimiter]
                raise InputError(f"{label} {source.name}: the columns are separated by {named}; "
                                 "breachflow reads comma-separated CSV: export it with commas",
                                 field=label)
    if "subject_id" not in header:
        raise InputError(f"{label} {source.name}: required column 'subject_id' is missing",
                         field="subject_id")
    return header


def encoding_problem(path: Path, error: UnicodeDecodeError) -> str:
    """What is wrong with a file that is not UTF-8, and where: UTF-16 (a byte-order mark, or
    NUL bytes between ASCII letters) or a one-byte code page such as Windows-1252."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:40:2].count(0) > 10:
        return "is UTF-16 encoded; save it as UTF-8 (in Excel: CSV UTF-8)"
    try:  # the reader's offset is within its chunk: find the first bad byte in the file
        head.decode("utf-8")
        start = error.start
    except UnicodeDecodeError as found:
        start = found.start
    line = head[:start].count(b"\n") + 1
    byte = head[start:start + 1].hex().upper()
    return (f"is not UTF-8: byte 0x{byte} on line {line} (a Windows-1252 or Latin-1 export?); "
            "save it as UTF-8 (in Excel: CSV UTF-8)")


def unknown_columns(header: Sequence[str], known: Sequence[str]) -> dict[str, str | None]:
    """Columns the contract does not name (ignored: `mobil` is not `phone`), each with the
    known column it most resembles, if any."""
    import difflib

    names = {**{a: c for a, c in COLUMN_ALIASES.items() if c in known}, **{k: k for k in known}}

    def hint(name: str) -> str | None:
        close = difflib.get_close_matches(name.lower().replace("-", "_"), names, n=1, cutoff=0.75)
        return names[close[0]] if close else None

    return {name: hint(name) for name in header if name and name not in known}


def require_rows(location: str, *, label: str) -> None:
    """Refuse a file with a header and no record: an empty export is a mistake, and a run on
    it would notify nobody and report so."""
    source = Source(location, label)
    if source.kind == "sql":
        return
    wanted = _header(source)[:1]
    for _, _ in read(location, wanted, label=label):
        return
    raise InputError(f"{label} {source.name}: no records, only a header (is it the right export?)",
                     field=label)


def _header(source: Source) -> list[str]:
    kind = source.kind
    if kind == "csv":
        with open(source.location, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
        if header is None:
            raise InputError(f"{source.label} {source.name}: empty, no header row", field=source.label)
        return [name.strip() for name in header]
    if kind == "jsonl":
        with open(source.location, encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    try:
                        first = json.loads(line)
                    except json.JSONDecodeError:
                        first = None
                    if not isinstance(first, dict):
                        raise InputError(f"{source.label} {source.name}: the first line is not a "
                                         "JSON object", field=source.label)
                    return [str(key) for key in first]
        raise InputError(f"{source.label} {source.name}: empty", field=source.label)
    if kind == "parquet":
        pq = _pyarrow_parquet(source)
        try:
            return list(pq.ParquetFile(source.location).schema_arrow.names)
        except Exception as error:
            # pyarrow raises ArrowInvalid (a ValueError) and OSError subclasses for a bad file.
            raise InputError(f"{source.label} {source.name}: not a readable Parquet file "
                             f"({type(error).__name__})", field=source.label) from None
    return _sql_header(source)


def read(location: str, wanted: Sequence[str], *, label: str = "source", table: str | None = None,
         query: str | None = None, chunk: int = CHUNK) -> Rows:
    """Stream the rows of a source, with the positions of the `wanted` columns it has."""
    source = Source(location, label, table, query)
    kind = source.kind
    if kind == "csv":
        return _csv_rows(source, wanted)
    if kind == "jsonl":
        return _jsonl_rows(source, wanted)
    if kind == "parquet":
        return _parquet_rows(source, wanted, chunk)
    return _sql_rows(source, wanted, chunk)


class _DecodeErrors:
    """Counts bytes that are not UTF-8 and replaces them with U+FFFD, so that one bad line is
    reported by number instead of failing the whole file. While the count is zero (the usual
    case) no row needs to be searched for the replacement character."""

    def __init__(self) -> None:
        self.count = 0
        self.name = f"breachflow-replace-{next(_handler_ids)}"
        codecs.register_error(self.name, self._handle)

    def _handle(self, error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError):
            raise error
        self.count += 1
        return "\ufffd", error.end


def _damaged(row: Sequence[Any]) -> bool:
    return any("\ufffd" in value for value in row if isinstance(value, str))


def _csv_rows(source: Source, wanted: Sequence[str]) -> Rows:
    errors = _DecodeErrors()
    handle = open(source.location, newline="", encoding="utf-8-sig", errors=errors.name)  # noqa: SIM115 - closed by the generator
    reader = csv.reader(handle)
    header = [name.strip() for name in next(reader, [])]
    positions = {name: header.index(name) for name in wanted if name in header}
    width = len(header)

    def generate() -> Iterator[tuple[int, Row | None]]:
        with handle:
            while True:
                try:
                    for row in reader:
                        if len(row) != width:
                            if row:  # a blank line is not a record
                                yield reader.line_num, None
                            continue
                        if errors.count and _damaged(row):
                            yield reader.line_num, None
                            continue
                        yield reader.line_num, row
                    return
                except csv.Error:  # NUL byte, an oversized field: report the line and go on
                    yield reader.line_num, None

    return Rows(positions, generate(), text_only=True)


def _jsonl_rows(source: Source, wanted: Sequence[str]) -> Rows:
    errors = _DecodeErrors()
    positions = {name: index for index, name in enumerate(wanted)}

    def generate() -> Iterator[tuple[int, Row | None]]:
        loads = json.loads
        with open(source.location, encoding="utf-8-sig", errors=errors.name) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = loads(line)
                except ValueError:
                    yield number, None
                    continue
                if not isinstance(record, dict) or (errors.count and "\ufffd" in line):
                    yield number, None
                    continue
                yield number, [record.get(name) for name in wanted]

    return Rows(positions, generate())


def _pyarrow_parquet(source: Source) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise InputError(f"{source.label}: reading Parquet needs the 'pyarrow' package",
                         field=source.label) from None
    return pq


def _parquet_rows(source: Source, wanted: Sequence[str], chunk: int) -> Rows:
    pq = _pyarrow_parquet(source)
    parquet = pq.ParquetFile(source.location)
    present = [name for name in wanted if name in parquet.schema_arrow.names]
    positions = {name: index for index, name in enumerate(present)}

    def generate() -> Iterator[tuple[int, Row | None]]:
        number = 0
        for batch in parquet.iter_batches(batch_size=chunk, columns=present):
            for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                number += 1
                yield number, row

    return Rows(positions, generate())


# -- databases ------------------------------------------------------------------------------

# Query keys that carry a secret in some drivers' URLs (?password=…, ?sslpassword=…).
_SECRET_KEYS = ("pass", "pwd", "secret", "token", "key")
# Full URLs given to this process (`breachflow run --directory URL`), by their stored form.
_given: dict[str, str] = {}


def without_credentials(location: str) -> str:
    """A database URL as it may be stored with an incident: the user name stays, the password
    and secret query parameters go. Files are returned as they are."""
    if "://" not in location:
        return location
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(location)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy reads: keep its scheme only, so nothing secret is stored.
        return location.split("://", 1)[0] + "://[unreadable URL]"
    query = {k: v for k, v in url.query.items()
             if not any(word in k.lower() for word in _SECRET_KEYS)}
    # URL.set() ignores None; the URL is a named tuple, so _replace clears the password.
    return str(url._replace(password=None).set(query=query).render_as_string(hide_password=False))


def remember(location: str) -> str:
    """Keep a URL with its password for this process only; returns the form to store."""
    stored = without_credentials(location)
    if stored != location:
        _given[stored] = location
    return stored


def with_credentials(stored: str) -> str:
    """The stored URL with its password back: from this process (`remember`) or from
    BREACHFLOW_DIRECTORY when it names the same database; else as stored (the driver's own
    means, e.g. PGPASSWORD or ~/.pgpass, may supply it)."""
    import os

    if stored in _given:
        return _given[stored]
    configured = os.environ.get("BREACHFLOW_DIRECTORY", "")
    if configured and configured != stored and without_credentials(configured) == stored:
        return configured
    return stored


def _engine(source: Source) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        return create_engine(source.location, hide_parameters=True)
    except ModuleNotFoundError as error:
        raise InputError(f"{source.label}: no database driver installed for this URL "
                         f"(missing module {error.name!r}; for MySQL/MariaDB install "
                         "breachflow[mysql] and use mysql+pymysql://)", field=source.label) from None
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise InputError(f"{source.label}: not a usable database URL ({type(error).__name__})",
                         field=source.label) from None


def _table(source: Source, engine: Any) -> Any:
    from sqlalchemy import MetaData, Table

    schema, _, name = (source.table or "").rpartition(".")
    return Table(name, MetaData(), schema=schema or None, autoload_with=engine)


def _query_clause(source: Source) -> str:
    # Wrapped as a subquery: only a single SELECT fits, and we pick the columns we need.
    return f"({(source.query or '').strip().rstrip(';')}) AS breachflow_source"


def _sql_header(source: Source) -> list[str]:
    from sqlalchemy import text

    if bool(source.table) == bool(source.query):
        raise InputError(f"{source.label}: a database URL needs --directory-table NAME or "
                         "--directory-query SQL (one of them)", field="--directory-table")
    engine = _engine(source)
    flag = "--directory-table" if source.table else "--directory-query"
    try:
        if source.table:
            return [str(column.name) for column in _table(source, engine).columns]
        with engine.connect() as connection:
            result = connection.execute(text(f"SELECT * FROM {_query_clause(source)} WHERE 1 = 0"))  # noqa: S608 - the operator's own query
            names = [str(name) for name in result.keys()]  # noqa: SIM118 - a Result, not a dict
            result.close()
            return names
    except InputError:
        raise
    except Exception as error:
        # The driver's message may quote the URL with its password: name the error type only.
        what = f"table {source.table!r}" if source.table else "the query"
        raise InputError(f"{source.label}: cannot read {what} ({type(error).__name__})",
                         field=flag) from None
    finally:
        engine.dispose()


def _sql_rows(source: Source, wanted: Sequence[str], chunk: int) -> Rows:
    from sqlalchemy import column, select, text

    engine = _engine(source)
    if source.table:
        table = _table(source, engine)
        present = [name for name in wanted if name in table.columns]
        statement = select(*(table.columns[name] for name in present))
    else:
        header = _sql_header(source)
        present = [name for name in wanted if name in header]
        subquery = text((source.query or "").strip().rstrip(";")).columns(
            *(column(name) for name in header)).subquery("breachflow_source")
        statement = select(*(subquery.columns[name] for name in present))
    positions = {name: index for index, name in enumerate(present)}

    def generate() -> Iterator[tuple[int, Row | None]]:
        number = 0
        try:
            with engine.connect() as connection:
                # A server-side cursor (PostgreSQL, MySQL) or SQLite's stepping cursor: one
                # chunk of rows in memory at a time.
                result = connection.execution_options(stream_results=True, max_row_buffer=chunk)\
                    .execute(statement)
                for part in result.partitions(chunk):
                    for row in part:
                        number += 1
                        yield number, row
        finally:
            engine.dispose()

    return Rows(positions, generate())
