"""Settings read from the environment, with embedded defaults for a fresh machine."""

from __future__ import annotations

import os
import sys
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


LEGACY_HOME = ".breachflow"


def default_home() -> Path:
    """The per-user home, so that `breachflow status X` finds X from any folder: a
    `.breachflow` folder in the current directory (the default before) still wins where it
    exists; else the user's data folder ($XDG_DATA_HOME, ~/.local/share; on macOS
    ~/Library/Application Support; on Windows %LOCALAPPDATA%)."""
    legacy = Path(LEGACY_HOME)
    if legacy.is_dir():
        return legacy
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "breachflow"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "breachflow"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "breachflow"


def load() -> Settings:
    """Settings for this process: BREACHFLOW_HOME holds the SQLite file and Prefect's home."""
    given = os.environ.get("BREACHFLOW_HOME")
    home = (Path(given) if given else default_home()).resolve()
    url = os.environ.get("BREACHFLOW_DATABASE_URL") or f"sqlite:///{home / 'breachflow.db'}"
    templates = Path(os.environ.get("BREACHFLOW_TEMPLATES", REPO_ROOT / "templates"))
    out_root = Path(os.environ.get("BREACHFLOW_OUT", "breachflow-out")).resolve()
    return Settings(home=home, database_url=url, templates_dir=templates, out_root=out_root)


def keep_files_private() -> None:
    """What breachflow writes (the database, the output folder, the mail house's batches, the
    Prefect home) holds or leads to personal data: readable by this user only, whatever the
    shell's umask. Share an export pack deliberately, not by default."""
    os.umask(0o077)
