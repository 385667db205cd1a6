"""Shared fixtures. One Prefect server serves the whole test session (and every process the
tests start): it is started once, in the controller, before any worker exists."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
_server: subprocess.Popen[bytes] | None = None


def _start_prefect_server() -> None:
    global _server
    home = Path(tempfile.mkdtemp(prefix="breachflow-prefect-"))
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    _server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
        if _server.poll() is not None:
            raise RuntimeError(f"the Prefect server exited; see {home / 'server.log'}")
    else:
        raise RuntimeError("the Prefect server did not become healthy in 180 s")
    os.environ["PREFECT_API_URL"] = url
    os.environ["BREACHFLOW_TEST_PREFECT_HOME"] = str(home)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get("PREFECT_API_URL"):
        return  # an xdist worker inherits the controller's server through the environment
    markexpr = config.getoption("markexpr", "") or ""
    if "not prefect" in markexpr:
        return
    _start_prefect_server()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server is not None:
        _server.terminate()
        try:
            _server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _server.kill()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh breachflow home (SQLite file, Prefect client home) and output root."""
    from incidents import channels, db

    folder = tmp_path / "home"
    monkeypatch.setenv("BREACHFLOW_HOME", str(folder))
    monkeypatch.setenv("BREACHFLOW_OUT", str(tmp_path / "out"))
    monkeypatch.delenv("BREACHFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("BREACHFLOW_SANDBOX_URL", raising=False)
    for key in ("SENDGRID_API_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "LOB_API_KEY",
                "BREACHFLOW_MAIL_DIR"):
        monkeypatch.delenv(key, raising=False)
    channels.reset()
    yield folder
    channels.reset()
    db.reset()


@pytest.fixture
def demo_files(tmp_path: Path) -> dict[str, Path]:
    from incidents import demo

    return demo.write(tmp_path / "inputs", count=120, seed=11, strangers=0)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = os.environ.get("BREACHFLOW_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("BREACHFLOW_TEST_POSTGRES_URL is not set (CI sets it where PostgreSQL runs)")
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"breachflow_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        from incidents import db

        db.reset()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def exclusive_deployments() -> Iterator[None]:
    """Tests that register breachflow's deployments on the session's Prefect server take turns
    across the xdist workers: the deployments share their names, and one test's clean-up
    (or its runner) would take another's."""
    folder = Path(os.environ.get("BREACHFLOW_TEST_PREFECT_HOME") or tempfile.gettempdir())
    with open(folder / "deployments.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
