"""Settings read from the environment, with embedded defaults for a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    templates_dir: Path
    out_root: Path

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"


def load() -> Settings:
    """Settings for this process: BREACHFLOW_HOME holds the SQLite file and Prefect's home."""
    home = Path(os.environ.get("BREACHFLOW_HOME", ".breachflow")).resolve()
    url = os.environ.get("BREACHFLOW_DATABASE_URL") or f"sqlite:///{home / 'breachflow.db'}"
    templates = Path(os.environ.get("BREACHFLOW_TEMPLATES", REPO_ROOT / "templates"))
    out_root = Path(os.environ.get("BREACHFLOW_OUT", "breachflow-out")).resolve()
    return Settings(home=home, database_url=url, templates_dir=templates, out_root=out_root)
