"""13. What breachflow writes is readable by its user only, whatever the shell's umask: the
database (every contact, the activation codes), the output folder (directory ids in the
data-quality report) and their folders."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from tests.incidents.cli_helpers import user_env


def test_files_written_under_a_permissive_umask_are_private(demo_files, tmp_path):
    env = user_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "incidents.cli", "assess", str(demo_files["incident.json"]),
         "--affected", str(demo_files["affected.csv"]), "--directory",
         str(demo_files["directory.csv"])], env=env, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: os.umask(0o022), check=False)
    assert done.returncode == 0, done.stderr
    written = [p for root in (tmp_path / "home", tmp_path / "out") if root.exists()
               for p in [root, *root.rglob("*")]]
    assert any(p.name == "data-quality.json" for p in written)
    shared = [str(p.relative_to(tmp_path)) for p in written
              if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert shared == []
