"""Engine and sessions. The schema is owned by Alembic and upgraded on start."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

from incidents import config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (status, the UI) work while a run writes; busy_timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured database), migrated to the newest schema."""
    return _engine(url or config.load().database_url)


def location(url: str | None = None) -> str:
    """The configured database, as messages name it: the SQLite file, or the URL without its
    password."""
    from sqlalchemy.engine import make_url

    url = url or config.load().database_url
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return make_url(url).render_as_string(hide_password=True)


def exists(url: str | None = None) -> bool:
    """Whether the configured database is there: a read command must not create an empty
    SQLite file (a server database is always taken to exist)."""
    url = url or config.load().database_url
    if not url.startswith("sqlite:///"):
        return True
    path = url.removeprefix("sqlite:///")
    return path == ":memory:" or Path(path).is_file()


def reset() -> None:
    """Close and forget every engine this process opened (the assess dry run, tests)."""
    for opened in _opened:
        opened.dispose()
    _opened.clear()
    _engine.cache_clear()


_opened: list[Engine] = []


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a failing statement's error would otherwise quote the row it wrote.
        eng = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(eng, "connect", _sqlite_pragmas)
    else:
        eng = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    upgrade(eng)
    _opened.append(eng)
    return eng


def upgrade(eng: Engine) -> None:
    """Apply the migrations; processes starting together take turns (one migrates, the others
    then find the schema current)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(eng), eng.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which the tables
            # referring to it forbid while foreign keys are enforced: off for the migration
            # (outside its transaction, where SQLite honours it), checked after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(7218394)"))
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left {len(broken)} broken references")


@contextmanager
def _migration_lock(eng: Engine) -> Iterator[None]:
    database = eng.url.database if eng.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def session() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine(), expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
