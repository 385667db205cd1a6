"""The house rules (pyproject.toml, [tool.importlinter]): rooms import only the rooms below them,
the law never imports the domain, the sandbox imports nothing of breachflow, no import cycles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    found = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stdout[-4000:] + found.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in found.stdout
