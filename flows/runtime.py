"""Process set-up for Prefect: call `configure()` before anything imports prefect."""

from __future__ import annotations

import logging
import os

from incidents import config
from incidents.privacy import RedactingFilter


def configure() -> None:
    config.keep_files_private()
    settings = config.load()
    defaults = {
        # Runs, logs and artifacts stay in breachflow's home, so `breachflow serve` shows them.
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # Nor does the client report usage anywhere: a breach response phones nobody home.
        "DO_NOT_TRACK": "1",
        # Prefect's default thread pool is unbounded; SQLite and the providers are not.
        "PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS": "4",
        # The database is the checkpoint: Prefect must never write task results to disk.
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    settings.prefect_home.mkdir(parents=True, exist_ok=True)


def install_redaction() -> None:
    """Scrub e-mail- and phone-shaped text from every record that reaches a handler."""
    import prefect  # noqa: F401  (sets up Prefect's handlers first)

    redacting = RedactingFilter()
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "breachflow"):
        for handler in logging.getLogger(name).handlers:
            handler.addFilter(redacting)
