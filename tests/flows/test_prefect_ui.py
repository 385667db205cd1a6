"""The Prefect UI as a responder sees it: `breachflow serve` starts the server with its UI, a
run finishes, and a headless Chromium (driven over the DevTools protocol) opens the run's page,
clicks the Artifacts tab and finds the obligations table and the document links (screenshot in
the test's tmp folder)."""

from __future__ import annotations

import base64
import csv
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from websockets.sync.client import connect

from incidents import demo
from tests.ports import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.prefect, pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)")]
# Chromium's background services would call out of this closed network at every start.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1400,1000"]
CLICK_TAB = """(() => {
  const tab = [...document.querySelectorAll('button, [role=tab], a, li, div')]
    .filter(e => e.children.length === 0 || e.getAttribute('role') === 'tab')
    .find(e => e.textContent.trim() === 'Artifacts');
  if (tab) { tab.click(); }
  return Boolean(tab);
})()"""


class Page:
    """One Chromium tab over the DevTools protocol."""

    def __init__(self, url: str) -> None:
        self._ids = itertools.count(1)
        self._socket = connect(url, max_size=64 * 1024 * 1024)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        self._socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=60))
            if message.get("id") == number:
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression,
                         returnByValue=True)["result"].get("value")

    def wait_for_text(self, *needles: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = str(self.evaluate("document.body ? document.body.innerText : ''"))
            if all(n in text for n in needles):
                return text
            time.sleep(0.3)
        raise AssertionError(f"the page never showed {needles}: {text[:2000]}")

    def close(self) -> None:
        self._socket.close()


def _wait_line(process: subprocess.Popen[str], prefix: str, timeout: float = 240) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"`breachflow serve` never printed {prefix!r}:\n{seen}")


def test_the_run_page_shows_the_obligations_and_document_artifacts(tmp_path):
    ui_port, api_port, debug_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_", "PREFECT_API_URL"))}
    env.update({"BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out")})
    serve = subprocess.Popen([sys.executable, "-m", "incidents.cli", "serve", "--ui-port",
                              str(ui_port), "--api-port", str(api_port)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    browser = None
    try:
        _wait_line(serve, "Ready.")
        files = demo.write(tmp_path / "inputs", count=60, seed=4, strangers=0)
        run = subprocess.run(
            [sys.executable, "-m", "incidents.cli", "run", str(files["incident.json"]),
             "--affected", str(files["affected.csv"]), "--directory", str(files["directory.csv"]),
             "--auto-approve"],
            env={**env, "BREACHFLOW_HOME": str(tmp_path / "run-home"),
                 "PREFECT_API_URL": f"http://127.0.0.1:{ui_port}/api"},
            capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr
        incident_id = run.stdout.split("Incident ", 1)[1].split()[0]
        request = urllib.request.Request(
            f"http://127.0.0.1:{ui_port}/api/flow_runs/filter", method="POST",
            data=json.dumps({"flow_runs": {"tags": {"all_": [f"incident:{incident_id}"]}}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            (flow_run,) = json.loads(reply.read())
        assert flow_run["state_type"] == "COMPLETED"

        browser = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}",
             f"--remote-debugging-port={debug_port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        targets: list[dict[str, Any]] = []
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list",
                                            timeout=1) as reply:
                    targets = json.loads(reply.read())
                break
            except OSError:
                time.sleep(0.1)
        page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        # Each card on the page of the run that wrote it: the obligations on the incident's
        # run, the documents on the regulator track's (it publishes them as its reports exist).
        wanted = [f"obligations-{incident_id}", f"documents-{incident_id}"]
        request = urllib.request.Request(
            f"http://127.0.0.1:{ui_port}/api/artifacts/filter", method="POST",
            data=json.dumps({"artifacts": {"key": {"any_": wanted}}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            cards = {a["key"]: a["flow_run_id"] for a in json.loads(reply.read())}
        assert sorted(cards) == sorted(wanted)
        assert cards[wanted[0]] == flow_run["id"]
        text = ""
        try:
            page.call("Page.enable")
            for key in wanted:
                page.call("Page.navigate",
                          url=f"http://127.0.0.1:{ui_port}/runs/flow-run/{cards[key]}")
                page.wait_for_text("Artifacts", "Completed")
                assert page.evaluate(CLICK_TAB) is True
                text += page.wait_for_text(key)
            shot = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
        finally:
            page.close()
        screenshot = tmp_path / "prefect-ui-artifacts.png"
        screenshot.write_bytes(shot)
        assert shot.startswith(b"\x89PNG") and len(shot) > 20_000
        assert "TABLE" in text.upper() and "MARKDOWN" in text.upper()
        # What the UI shows carries no personal data.
        with open(files["directory.csv"], newline="", encoding="utf-8") as directory:
            emails = {row["email"] for row in csv.DictReader(directory) if row["email"]}
        assert emails and not any(address in text for address in emails)
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=20)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
