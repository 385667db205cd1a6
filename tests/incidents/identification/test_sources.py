"""Sources: CSV, JSONL, Parquet and databases (SQLite, PostgreSQL, MariaDB), read as streams
with row numbers for what cannot be parsed; bad sources are named in an InputError."""

import csv
import json
import os
import uuid
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text

from incidents.exceptions import InputError
from incidents.identification import sources

WANTED = ("subject_id", "email", "country")
MARIADB_URL = os.environ.get("BREACHFLOW_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def _read(path, **kwargs):
    rows = sources.read(str(path), WANTED, **kwargs)
    return rows.positions, list(rows)


def _values(positions, row):
    return {name: row[index] for name, index in positions.items()}


def test_csv_rows_with_line_numbers_for_what_cannot_be_parsed(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_bytes(
        "\ufeffcountry, subject_id ,email\n"  # BOM, spaced header names, any column order
        "DE,u1,a@mail.example\n"
        "\n"  # a blank line is not a record
        "FR,u2\n"  # a field missing
        "US,u3,b@mail.example,extra\n"  # a field too many
        '"GB","u4","multi\nline@mail.example"\n'  # a quoted field over two lines
        "JP,u5,c@mail.example\n".encode()
        + b"CN,u6,\xff\xfe@mail.example\n"  # not UTF-8
        + b"KR,u7,d@mail.example\n")
    positions, rows = _read(path)
    assert positions == {"subject_id": 1, "email": 2, "country": 0}
    parsed = {number: _values(positions, row) for number, row in rows if row is not None}
    unparsed = [number for number, row in rows if row is None]
    assert unparsed == [4, 5, 9]
    assert parsed[2] == {"subject_id": "u1", "email": "a@mail.example", "country": "DE"}
    assert parsed[7]["email"] == "multi\nline@mail.example"  # numbered by its last line
    assert [v["subject_id"] for v in parsed.values()] == ["u1", "u4", "u5", "u7"]


def test_csv_line_the_parser_rejects_is_reported_and_reading_goes_on(tmp_path):
    path = tmp_path / "affected.csv"
    path.write_text("subject_id\nu1\n" + "x" * 200 + "\nu3\n", encoding="utf-8")
    limit = csv.field_size_limit(100)  # restored below: the module-wide limit is 16 MiB
    try:
        positions, rows = _read(path)
    finally:
        csv.field_size_limit(limit)
    assert [(n, r if r is None else r[positions["subject_id"]]) for n, r in rows] == [
        (2, "u1"), (3, None), (4, "u3")]


def test_jsonl_rows(tmp_path):
    path = tmp_path / "affected.jsonl"
    path.write_text('\ufeff{"subject_id": "u1", "email": "a@mail.example"}\n'
                    "\n"
                    "{not json\n"
                    '["a", "list"]\n'
                    '{"subject_id": 42, "country": "DE", "other": 1}\n', encoding="utf-8")
    positions, rows = _read(path)
    assert [number for number, row in rows if row is None] == [3, 4]
    good = [_values(positions, row) for _, row in rows if row is not None]
    assert good == [{"subject_id": "u1", "email": "a@mail.example", "country": None},
                    {"subject_id": 42, "email": None, "country": "DE"}]


def test_parquet_is_read_in_batches_and_only_the_wanted_columns(tmp_path):
    path = tmp_path / "directory.parquet"
    table = pa.table({"subject_id": [f"u{n}" for n in range(10)],
                      "email": [f"p{n}@mail.example" for n in range(10)],
                      "notes": ["x"] * 10})
    pq.write_table(table, path, row_group_size=4)
    rows = sources.read(str(path), WANTED, chunk=3)
    assert rows.positions == {"subject_id": 0, "email": 1}  # no country column, notes not read
    found = list(rows)
    assert [n for n, _ in found] == list(range(1, 11))
    assert found[9][1] == ("u9", "p9@mail.example")


def _sqlite_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (subject_id TEXT, email TEXT, country TEXT, "
                                "active INTEGER)"))
        connection.execute(text("INSERT INTO users VALUES ('u1', 'a@mail.example', 'DE', 1), "
                                "('u2', NULL, 'FR', 0), ('u3', 'c@mail.example', 'JP', 1)"))
    engine.dispose()
    return url


def test_sqlite_table_and_query(tmp_path):
    url = _sqlite_directory(tmp_path)
    assert sources.columns(url, label="--directory", table="users") == [
        "subject_id", "email", "country", "active"]
    positions, rows = _read(url, table="users", chunk=2)
    assert [_values(positions, r)["subject_id"] for _, r in rows] == ["u1", "u2", "u3"]
    query = "SELECT subject_id, email FROM users WHERE active = 1;"
    assert sources.columns(url, label="--directory", query=query) == ["subject_id", "email"]
    positions, rows = _read(url, query=query)
    assert positions == {"subject_id": 0, "email": 1}
    assert [(n, tuple(r)) for n, r in rows] == [(1, ("u1", "a@mail.example")),
                                                (2, ("u3", "c@mail.example"))]


def _database_roundtrip(url, table):
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {table} (subject_id VARCHAR(20), email VARCHAR(100), "
                                "country VARCHAR(2), birth_date DATE)"))
        connection.execute(text(f"INSERT INTO {table} VALUES "  # noqa: S608 - test table
                                "('u1', 'a@mail.example', 'DE', '2012-05-01'), "
                                "('u2', NULL, 'US', NULL), ('u3', 'c@mail.example', 'CN', NULL)"))
    try:
        header = sources.columns(url, label="--directory", table=table)
        assert header == ["subject_id", "email", "country", "birth_date"]
        rows = sources.read(url, (*WANTED, "birth_date"), table=table, chunk=2)
        found = [tuple(row) for _, row in rows]
        assert sorted(found)[0] == ("u1", "a@mail.example", "DE", date(2012, 5, 1))
        query = f"SELECT subject_id, country FROM {table} WHERE country <> 'US'"  # noqa: S608
        rows = sources.read(url, WANTED, query=query, chunk=1)
        assert rows.positions == {"subject_id": 0, "country": 1}
        assert sorted(tuple(row) for _, row in rows) == [("u1", "DE"), ("u3", "CN")]
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {table}"))
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_table_and_query(postgres_url):
    _database_roundtrip(postgres_url, "users")


def test_mariadb_table_and_query():
    import pymysql

    try:
        pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database="test",
                        connect_timeout=2).close()
    except pymysql.MySQLError:
        pytest.skip("no MariaDB/MySQL at 127.0.0.1:3306 (database test, user root)")
    _database_roundtrip(MARIADB_URL, f"breachflow_users_{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize(("make", "kwargs", "field", "says"), [
    (lambda p: p / "missing.csv", {}, "--directory", "'missing.csv': not found"),
    (lambda p: _write(p / "users.txt", "subject_id\n"), {}, "--directory", "unsupported file type"),
    (lambda p: _write(p / "users.csv", "id,email\n1,a@b.example\n"), {}, "subject_id", "'subject_id'"),
    (lambda p: _write(p / "users.csv", ""), {}, "--directory", "no header row"),
    (lambda p: _write(p / "users.jsonl", "[1, 2]\n"), {}, "--directory", "not a JSON object"),
    (lambda p: _write(p / "users.parquet", "not parquet"), {}, "--directory", "not a readable Parquet"),
    (lambda p: _write(p / "users.csv", "subject_id\n"), {"table": "users"}, "--directory-table",
     "applies to a database URL"),
])
def test_bad_sources_are_named(tmp_path, make, kwargs, field, says):
    with pytest.raises(InputError) as caught:
        sources.columns(str(make(tmp_path)), label="--directory", **kwargs)
    assert caught.value.field == field
    assert says in str(caught.value)


def test_unreadable_file(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(b"\xff\xfesubject_id\n")  # UTF-16 or worse: not a CSV in UTF-8
    with pytest.raises(InputError, match=r"'users\.csv': is UTF-16 encoded; save it as UTF-8") as caught:
        sources.columns(str(path), label="--directory")
    assert caught.value.field == "--directory"


def test_bad_database_sources_are_named_without_the_url(tmp_path):
    url = _sqlite_directory(tmp_path)
    with pytest.raises(InputError) as caught:
        sources.columns(url, label="--directory")
    assert caught.value.field == "--directory-table"
    with pytest.raises(InputError) as caught:
        sources.columns(url, label="--directory", table="no_such_table")
    assert caught.value.field == "--directory-table" and "no_such_table" in str(caught.value)
    with pytest.raises(InputError) as caught:
        sources.columns(url, label="--directory", query="SELEKT nothing")
    assert caught.value.field == "--directory-query"
    secret = "s3cret-pass"
    with pytest.raises(InputError) as caught:
        sources.columns(f"postgresql+psycopg://user:{secret}@127.0.0.1:1/db", label="--directory",
                        table="users")
    assert secret not in str(caught.value)
    with pytest.raises(InputError, match=r"breachflow\[mysql\]"):
        sources.columns("mysql+mysqldb://root@127.0.0.1/test", label="--directory", table="users")


def _write(path, content):
    path.write_text(content, encoding="utf-8")
    return path


def test_rows_are_streamed_not_loaded(tmp_path):
    """The reader hands out the first row before it has read the rest of the file."""
    path = tmp_path / "affected.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(50_000):
            handle.write(json.dumps({"subject_id": f"u{n}"}) + "\n")
    rows = iter(sources.read(str(path), ("subject_id",)))
    assert next(rows) == (1, ["u0"])
    with open(path, "a", encoding="utf-8") as handle:  # appended after reading began
        handle.write(json.dumps({"subject_id": "late"}) + "\n")
    assert list(rows)[-1] == (50_001, ["late"])
