"""Engine and sessions. The schema is owned by Alembic and upgraded on start."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from incidents import config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_SECONDS = 30.0  # SQLite: how long one statement waits for another connection's write
# How long a step that must not fail behind a long writer (the regulator reports beside the
# notices step, which holds SQLite's only writer for minutes at a million people) keeps trying.
WRITER_WAIT_SECONDS = 3600.0
WRITER_RETRY_FIRST_SECONDS = 1.0
WRITER_RETRY_MAX_SECONDS = 30.0

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (status, the UI) work while a run writes; busy_timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
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
        eng = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, hide_parameters=True)
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


def locked(error: BaseException) -> bool:
    """SQLite's "database is locked": another connection kept the only writer past the busy
    timeout (directly, or as the reason a step failed)."""
    if getattr(error, "locked", False):
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def waiting_for_writer(work: Callable[[], T], *, what: str, log: Any = None,
                       limit: float | None = None) -> T:
    """Run `work` (idempotent: a step that continues from what it wrote) again while SQLite
    says another writer holds the database, with backoff, up to `limit` seconds in all.
    The warning names the step only: no row, no statement parameters."""
    log = log or logging.getLogger(__name__)
    deadline = time.monotonic() + (WRITER_WAIT_SECONDS if limit is None else limit)
    delay = WRITER_RETRY_FIRST_SECONDS
    while True:
        try:
            return work()
        except Exception as error:
            if not locked(error) or time.monotonic() + delay > deadline:
                raise
        log.warning("%s: the database is locked by another writer (a long step); "
                    "trying again in %.1f s", what, delay)
        time.sleep(delay)
        delay = min(delay * 2, WRITER_RETRY_MAX_SECONDS)
