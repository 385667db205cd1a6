"""A responder's first day, with only the browser: a signed webhook opens the incident and
`breachflow serve` runs it; a headless Chromium at 1366×768 (driven over the DevTools
protocol, as tests/flows/test_prefect_ui.py does) finds the run by the ticket id, reads the
triage form with the model's answer, overrides the severity (first without a reason: not
applied, values kept), reads a notice's text and its HTML, declines the notices once (the
run waits, not fails, and says who and why; the next ask shows it), approves them, declines
the filing at the regulator track's gate once (the same: paused, who and why, shown on the
next ask with the command that records a filing), files each regulator report with its own
reference and sees the run complete. Screenshots of each step are in the test's tmp folder
(journey/); nothing the UI shows carries a person's data."""

from __future__ import annotations

import base64
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from incidents import demo
from incidents.intake.signature import HEADER, sign
from tests.flows.test_prefect_ui import CHROMIUM, CHROMIUM_FLAGS, Page
from tests.ports import free_port

pytestmark = [pytest.mark.prefect, pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)")]
WIDTH, HEIGHT = 1366, 768
EXTERNAL_ID = "SIEM-2026-4711"
SECRET, TOKEN = "whsec-journey", "api-token-journey"
# The schema form's fields, found by their label; values set as a person's input would be.
FORM_JS = """
window.__field = (title) => [...document.querySelectorAll('.p-modal .schema-form-property')]
  .find(p => { const l = p.querySelector('.schema-form-property__label');
               return l && l.textContent.replace('(Optional)', '').trim() === title; });
window.__set = (title, value) => {
  const field = window.__field(title);
  if (!field) { return 'no field ' + title; }
  const control = field.querySelector('select, textarea, input:not([type=checkbox])');
  const proto = Object.getPrototypeOf(control);
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(control, value);
  control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input',
                                  {bubbles: true}));
  return control.value;
};
window.__type = (control, value) => {
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(control), 'value').set.call(control, value);
  control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input',
                                  {bubbles: true}));
};
window.__setAll = (title, value) => {
  const fields = [...document.querySelectorAll('.p-modal .schema-form-property')]
    .filter(p => { const l = p.querySelector('.schema-form-property__label');
                   return l && l.textContent.replace('(Optional)', '').trim() === title; });
  fields.forEach(f => window.__type(f.querySelector('select, textarea, input:not([type=checkbox])'), value));
  return fields.length;
};
window.__tab = (text) => {
  const tab = [...document.querySelectorAll('[role=tab], button, a, li, div')]
    .filter(e => e.children.length === 0 || e.getAttribute('role') === 'tab')
    .find(e => e.offsetParent !== null && e.textContent.trim() === text);
  if (tab) { tab.click(); }
  return Boolean(tab);
};
window.__get = (title) => {
  const field = window.__field(title);
  return field ? field.querySelector('select, textarea, input:not([type=checkbox])').value : null;
};
window.__click = (text, scope) => {
  const found = [...document.querySelectorAll((scope || '') + ' button, ' + (scope || '') + ' a')]
    .filter(e => e.offsetParent !== null && e.textContent.trim() === text);
  if (found.length) { found[found.length - 1].click(); }
  return found.length > 0;
};
true
"""
# Installed before the UI's own scripts: what the UI posted to the API and what it answered,
# so that a failed Submit says why (the UI's toasts are transient and generic).
XHR_JS = """
window.__calls = [];
const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.open = function (method, url) {
  this.__call = {method, url: String(url)}; return open.apply(this, arguments); };
XMLHttpRequest.prototype.send = function (body) {
  const call = this.__call;
  if (call && (call.url.includes('/resume') || call.method !== 'GET')) {
    call.body = typeof body === 'string' ? body.slice(0, 4000) : null;
  }
  this.addEventListener('loadend', () => {
    if (!call) { return; }
    call.status = this.status;
    if (call.url.includes('/resume') || this.status === 0 || this.status >= 400) {
      call.reply = String(this.responseText || '').slice(0, 4000);
      window.__calls.push(call);
    }
  });
  return send.apply(this, arguments);
};
"""


class Journey:
    """The browser tab, the Prefect API beside it and the screenshots taken on the way."""

    def __init__(self, page: Page, ui: str, folder: Path, log: Path) -> None:
        self.page, self.ui, self.folder, self.log, self.seen = page, ui, folder, log, []
        self.waiting: tuple[str, str] | None = None  # the run and the gate the form answers
        folder.mkdir(parents=True, exist_ok=True)
        page.call("Page.addScriptToEvaluateOnNewDocument", source=XHR_JS)

    def go(self, url: str, *needles: str) -> str:
        self.page.call("Page.navigate", url=url if url.startswith("http") else self.ui + url)
        text = self.page.wait_for_text(*needles)
        self.page.evaluate(FORM_JS)
        return text

    def text(self) -> str:
        text = str(self.page.evaluate("document.body.innerText"))
        self.seen.append(text)
        return text

    def shot(self, name: str) -> None:
        data = base64.b64decode(self.page.call("Page.captureScreenshot", format="png")["data"])
        assert data.startswith(b"\x89PNG")
        (self.folder / f"{name}.png").write_bytes(data)
        self.text()

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the test's own server
            f"{self.ui}/api{path}", method="POST" if body is not None else "GET",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - test server
            return json.loads(reply.read())

    def paused(self, run_id: str, key: str, timeout: float = 240) -> dict[str, Any]:
        """The run once it waits at the gate asked with `key`."""
        deadline = time.monotonic() + timeout
        run: dict[str, Any] = {}
        while time.monotonic() < deadline:
            run = self.api(f"/flow_runs/{run_id}")
            state = run.get("state") or {}
            if (state.get("type") == "PAUSED"
                    and state.get("state_details", {}).get("pause_key") == key):
                return run
            time.sleep(0.5)
        self.shot(f"never-waited-at-{key}")
        raise AssertionError(f"the run never waited at {key}: {run.get('state')}")

    def regulator_waiting(self, incident_id: str, answered: set[tuple[str, str]],
                          timeout: float = 300) -> tuple[str, str] | None:
        """The regulator track's run and gate key once it waits at a filing gate not yet
        answered (None after `timeout`, when given a short one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for run in self.api("/flow_runs/filter", {"flow_runs": {"name": {
                    "any_": [f"regulator-{incident_id}"]}}, "sort": "START_TIME_DESC"}):
                state = run.get("state") or {}
                key = str(state.get("state_details", {}).get("pause_key"))
                if (state.get("type") == "PAUSED" and key.startswith("gate-filing")
                        and (str(run["id"]), key) not in answered):
                    return str(run["id"]), key
                break  # the newest run only: an earlier one stopped with its parent
            time.sleep(1)
        if timeout > 10:
            raise AssertionError("the regulator track never waited at its filing gate")
        return None

    def decline_filing(self, regulator: str, comment: str) -> None:
        """Answer the filing form "no" for every report, saying why."""
        self.open_form(regulator, "Filed", "Comment")
        assert self.page.evaluate("window.__setAll('Filed', 'no')") >= 1
        self.fill(Comment=comment, Approver="Bob Counsel")
        self.submit("s5-filing-no")

    def file_each_report(self, regulator: str, *, first: bool) -> None:
        self.open_form(regulator, "Filed")
        count = self.page.evaluate("window.__setAll('Filed', 'yes')")
        assert count >= 1
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        assert self.page.evaluate(f"window.__setAll('Filed At', {json.dumps(now)})") == count
        self.page.evaluate("""[...document.querySelectorAll('.p-modal .schema-form-property')]
          .filter(p => (p.querySelector('.schema-form-property__label') || {}).textContent
                       === 'Reference (Optional)')
          .forEach((p, i) => window.__type(p.querySelector('textarea'), 'DPC-2026-004' + i))""")
        self.fill(Approver="Bob Counsel")
        if first:
            self.shot("15-filing-per-report")
        self.submit("s6" if first else "s7")

    def open_form(self, run_id: str, *needles: str, timeout: float = 60) -> str:
        """The run's Resume form, once the form itself (not the page's logs) shows `needles`."""
        state = self.api(f"/flow_runs/{run_id}")["state"]
        assert state["type"] == "PAUSED", state
        self.waiting = (run_id, state["state_details"]["pause_key"])
        self.go(f"/runs/flow-run/{run_id}", "Resume")
        assert self.page.evaluate("window.__click('Resume')") is True
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = str(self.page.evaluate(
                "(document.querySelector('.p-modal') || {}).innerText || ''"))
            if "Submit" in text and all(n in text for n in needles):
                time.sleep(0.5)  # the schema form settles
                return text
            time.sleep(0.3)
        raise AssertionError(f"the form never showed {needles}: {text[:1500]}")

    def scroll_to(self, needle: str) -> None:
        self.page.evaluate(f"""(() => {{
          const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n;
          while ((n = w.nextNode())) {{ if (n.textContent.includes({json.dumps(needle)})) {{
            n.parentElement.scrollIntoView({{block: 'center'}}); return true; }} }}
          return false; }})()""")
        time.sleep(0.3)

    def fill(self, **values: str) -> None:
        for title, value in values.items():
            got = self.page.evaluate(f"window.__set({json.dumps(title)}, {json.dumps(value)})")
            assert got == value, got

    def submit(self, name: str, timeout: float = 120) -> None:
        """Submit the open form and wait until the server took the answer: the run no longer
        waits at that gate (the UI's "Flow run resumed" toast is gone in seconds)."""
        assert self.waiting is not None
        run_id, key = self.waiting
        self.shot(f"{name}-filled")
        assert self.page.evaluate("window.__click('Submit', '.p-modal')") is True
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.api(f"/flow_runs/{run_id}").get("state") or {}
            if (state.get("type") != "PAUSED"
                    or state.get("state_details", {}).get("pause_key") != key):
                self.waiting = None
                return
            time.sleep(0.5)
        self.shot(f"{name}-not-taken")
        calls = self.page.evaluate("JSON.stringify(window.__calls || [])")
        log = self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""
        raise AssertionError(f"the answer to {key} was not taken: state {state}; the UI's "
                             f"failed and resume calls: {calls}; serve's log ends:\n{log}")

    def in_view(self, needle: str) -> bool:
        """The text is on screen in the form at this window size, not squeezed to nothing."""
        return bool(self.page.evaluate(f"""(() => {{
          const w = document.createTreeWalker(document.querySelector('.p-modal'),
                                              NodeFilter.SHOW_TEXT);
          let n;
          while ((n = w.nextNode())) {{
            if (!n.textContent.includes({json.dumps(needle)})) continue;
            const r = n.parentElement.getBoundingClientRect();
            const box = n.parentElement.closest('article').getBoundingClientRect();
            if (r.height > 0 && box.height > 0 && r.top >= 0 && r.bottom <= innerHeight)
              return true;
          }}
          return false; }})()"""))

    def href(self, text: str) -> str:
        return str(self.page.evaluate(f"""[...document.querySelectorAll('a')]
            .filter(a => a.offsetParent !== null && a.textContent.trim() === {json.dumps(text)})
            .map(a => a.href)[0] || ''"""))


def _wait_ready(serve: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and serve.poll() is None:
        if "\nReady." in "\n" + log.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise AssertionError(f"`breachflow serve` never got ready:\n{log.read_text(errors='replace')}")


def _start_browser(tmp_path: Path, port: int) -> tuple[subprocess.Popen[bytes], Page]:
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--window-size")]
    browser = subprocess.Popen(
        [str(CHROMIUM), *flags, f"--window-size={WIDTH},{HEIGHT}",
         f"--user-data-dir={tmp_path / 'chromium'}", f"--remote-debugging-port={port}",
         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    targets: list[dict[str, Any]] = []
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=1) as reply:
                targets = json.loads(reply.read())
            break
        except OSError:
            time.sleep(0.1)
    page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
    page.call("Page.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
              deviceScaleFactor=1, mobile=False)
    return browser, page


def test_a_responder_takes_an_incident_from_webhook_to_close_in_the_prefect_ui(
        tmp_path, sandbox_process):
    ui_port, api_port, debug_port = free_port(), free_port(), free_port()
    files = demo.write(tmp_path / "inputs", count=60, seed=9, strangers=0)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_", "PREFECT_API_URL"))}
    env.update({
        "BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"),
        "BREACHFLOW_WEBHOOK_SECRET": SECRET, "BREACHFLOW_API_TOKEN": TOKEN,
        "BREACHFLOW_AFFECTED": str(files["affected.csv"]),
        "BREACHFLOW_DIRECTORY": str(files["directory.csv"]),
        "SENDGRID_API_KEY": "SG.test-key", "BREACHFLOW_SENDGRID_HOST": sandbox_process.url,
        "BREACHFLOW_EMAIL_FROM": "security@example.com", "PREFECT_RUNNER_POLL_FREQUENCY": "1"})
    # Serve's output goes to a file: a pipe nobody reads after start-up would fill and stall
    # its processes; the file is quoted when an answer is not taken.
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen([sys.executable, "-m", "incidents.cli", "serve", "--ui-port",
                                  str(ui_port), "--api-port", str(api_port)], env=env,
                                 stdout=out, stderr=subprocess.STDOUT)
    browser = None
    try:
        _wait_ready(serve, log)
        payload = {**json.loads(files["incident.json"].read_text()), "external_id": EXTERNAL_ID}
        body = json.dumps(payload).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{api_port}/v1/incidents", data=body, method="POST",
            headers={"Content-Type": "application/json", HEADER: sign(body, secret=SECRET)})
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - test server
            opened = json.loads(reply.read())
        run_id, incident_id = opened["flow_run_id"], opened["incident_id"]
        browser, page = _start_browser(tmp_path, debug_port)
        journey = Journey(page, f"http://127.0.0.1:{ui_port}", tmp_path / "journey", log)
        try:
            _walk(journey, run_id=run_id, incident_id=incident_id, api_port=api_port)
        finally:
            page.close()
        # Nothing the UI showed, and no artifact, carries a person's data.
        artifacts = journey.api("/artifacts/filter", {})
        shown = journey.seen + [json.dumps(a.get("data")) + str(a.get("description"))
                                for a in artifacts]
        with open(files["directory.csv"], newline="", encoding="utf-8") as directory:
            people = list(csv.DictReader(directory))
        secrets = {p[k] for p in people for k in ("email", "phone", "full_name") if p.get(k)}
        assert len(secrets) > 50
        assert [s for s in secrets if any(s in text for text in shown)] == []
        # One card per key: resuming the run four times added no duplicate.
        # (The audit anchor and the delivery progress keep versions by design.)
        keys = [a["key"] for a in artifacts if a.get("key") and a["flow_run_id"] == run_id
                and not a["key"].startswith(("audit-anchor", "delivery-"))]
        assert len(keys) == len(set(keys)) and f"obligations-{incident_id}" in keys
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=20)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)


def _walk(journey: Journey, *, run_id: str, incident_id: str, api_port: int) -> None:
    # 1. Find the run by the ticket id the responder knows.
    journey.paused(run_id, "gate-triage")
    journey.go("/runs", "Search by flow run name")
    search = "document.querySelector('input[placeholder=\"Search by flow run name\"]')"
    journey.page.evaluate(f"window.__type({search}, {json.dumps(EXTERNAL_ID)})")
    assert journey.page.evaluate(f"{search}.value") == EXTERNAL_ID
    journey.page.wait_for_text(f"{EXTERNAL_ID} — ")
    time.sleep(1)  # the list follows the search box
    journey.shot("01-runs-found-by-ticket-id")
    assert journey.page.evaluate(f"""(() => {{ const a = [...document.querySelectorAll('a')]
        .find(a => a.textContent.trim().startsWith({json.dumps(EXTERNAL_ID + ' — ')}));
        a.click(); return Boolean(a); }})()""") is True
    text = journey.page.wait_for_text("Suspended", "Resume", EXTERNAL_ID)
    assert run_id in str(journey.page.evaluate("location.href"))
    assert "P3" in text or "P4" in text or "P2" in text  # the severity tag

    # 2. The triage form stands alone at 1366×768: the model's answer is on screen, pre-filled.
    journey.open_form(run_id, f"Triage confirmation of {EXTERNAL_ID}")
    journey.shot("02-triage-form")
    assert journey.in_view("The model says")
    model = str(journey.page.evaluate("window.__get('Severity')"))
    assert model in ("P2", "P3", "P4")
    assert journey.page.evaluate("window.__get('Decision')") == ""  # no default choice
    shown = journey.text()
    # Opened with the model's answer and required all the same: none reads "(Optional)".
    assert not [f for f in ("Decision", "Is Breach", "Severity", "Aware At", "Approver")
                if f"{f} (Optional)" in shown]

    # 3. An override without a reason is not applied; the form comes back with my values.
    journey.fill(Decision="confirm", Severity="P1", Approver="Alice Responder")
    journey.submit("s1")
    waiting = journey.paused(run_id, "gate-triage-2")
    assert waiting["state"]["message"].startswith("Not applied: severity")
    journey.open_form(run_id, "Not applied")
    journey.shot("03-triage-not-applied")
    assert journey.in_view("Not applied: severity")
    assert journey.page.evaluate("window.__get('Severity')") == "P1"
    assert journey.page.evaluate("window.__get('Approver')") == "Alice Responder"
    journey.fill(Reason="customer accounts of minors in the sample")
    journey.submit("s2")

    # 4. The notices gate: the state names it and the nearest deadline; the override shows.
    waiting = journey.paused(run_id, "gate-notices")
    assert waiting["state"]["message"].startswith("Waiting: notice approval — ")
    assert " due in " in waiting["state"]["message"] or "overdue" in waiting["state"]["message"]
    assert "P1" in waiting["tags"] and model not in waiting["tags"]
    journey.go(f"/runs/flow-run/{run_id}", "Resume", "triage applied: severity P1")
    assert journey.page.evaluate("window.__tab('Details')") is True
    journey.page.wait_for_text("Waiting: notice approval — ")
    journey.scroll_to("Waiting: notice approval — ")
    journey.shot("04-run-waits-at-the-notices-gate")

    # 5. Read one notice's text in the UI, then its HTML on breachflow.
    journey.open_form(run_id, f"Notice approval of {EXTERNAL_ID}")
    journey.shot("05-notices-form")
    context = journey.href("the context")
    assert "/artifacts/artifact/" in context
    journey.go(context, "The notices", "recipients")
    journey.shot("06-notices-context")
    # An English notice (this machine's Chromium may lack CJK fonts for the screenshot).
    card = str(journey.page.evaluate("""[...document.querySelectorAll('tr')]
        .filter(r => r.textContent.includes('× en'))
        .map(r => [...r.querySelectorAll('a')].find(a => a.textContent.trim() === 'read'))
        .filter(Boolean).map(a => a.href)[0] || ''""")) or journey.href("read")
    assert "/artifacts/artifact/" in card
    text = journey.go(card, "Subject:", "recipients", "content hash")
    journey.shot("07-one-notice")
    html = journey.href("Open the rendered notice (HTML)")
    assert html.startswith(f"http://127.0.0.1:{api_port}/v1/incidents/{incident_id}/notices/")
    journey.go(html, payload_line(text))
    journey.shot("08-notice-html")
    refused = html.split("?key=")[0] + "?key=" + "0" * 32
    journey.page.call("Page.navigate", url=refused)
    time.sleep(1)
    assert payload_line(text) not in journey.text()  # a wrong key reads nothing

    # 6. Decline the notices once: the run waits (not failed), saying who declined and why.
    journey.open_form(run_id, f"Notice approval of {EXTERNAL_ID}")
    journey.fill(Decision="decline", Approver="Alice Responder",
                 Comment="counsel must review the Spanish letter first")
    journey.submit("s3")
    waiting = journey.paused(run_id, "gate-notices-2")
    assert waiting["state"]["type"] == "PAUSED"
    assert "Declined by unverified:Alice Responder" in waiting["state"]["message"]
    assert "counsel must review the Spanish letter first" in waiting["state"]["message"]
    journey.go(f"/runs/flow-run/{run_id}", "Suspended", "Resume")
    assert journey.page.evaluate("window.__tab('Details')") is True
    journey.page.wait_for_text("Declined by unverified:Alice Responder")
    assert "Failed" not in journey.text()
    journey.scroll_to("Declined by unverified:Alice Responder")
    journey.shot("09-notices-declined")

    # 7. The next ask shows the decline; approve.
    journey.open_form(run_id, "Declined by unverified:Alice Responder")
    journey.shot("10-notices-asked-again")
    assert journey.in_view("counsel must review the Spanish letter first")
    journey.fill(Decision="approve", Approver="Alice Responder", Comment="counsel reviewed")
    journey.submit("s4")

    # 8. The regulator track's filing gate: declined once (the run waits, paused, not failed,
    # saying who and why; the next ask shows it), then one answer per report, each with its
    # reference (again for the later phases, drafted once delivery ended); the run completes.
    regulator, key = journey.regulator_waiting(incident_id, set())
    journey.go(f"/runs/flow-run/{run_id}", EXTERNAL_ID)
    assert journey.page.evaluate("window.__tab('Subflow Runs')") is True
    journey.page.wait_for_text(f"regulator-{incident_id}")
    journey.shot("11-subflow-runs")
    comment = "the regulator's portal is down until noon"
    journey.decline_filing(regulator, comment)
    answered: set[tuple[str, str]] = {(regulator, key)}
    again = journey.regulator_waiting(incident_id, answered)
    assert again == (regulator, f"{key}-2"), again
    key = again[1]
    state = journey.api(f"/flow_runs/{regulator}")["state"]
    assert state["type"] == "PAUSED"
    said = f"Declined by unverified:Bob Counsel: “{comment}”."
    assert state["message"].startswith(said) and "Waiting: regulator filing" in state["message"]
    journey.go(f"/runs/flow-run/{regulator}", "Resume", "Declined by unverified:Bob Counsel")
    assert journey.page.evaluate("window.__tab('Details')") is True
    journey.page.wait_for_text("State Message", "Declined by unverified:Bob Counsel")
    # The UI shortens a long state message: "See More" shows the comment.
    journey.page.evaluate("""[...document.querySelectorAll('a, button, span, div')]
        .filter(e => e.children.length === 0 && e.textContent.trim() === 'See More')
        .forEach(e => e.click())""")
    journey.page.wait_for_text(comment)
    assert "Failed" not in journey.text() and "Crashed" not in journey.text()
    journey.scroll_to(comment)
    journey.shot("13-filing-declined")
    form = journey.open_form(regulator, "Declined by unverified:Bob Counsel")
    journey.shot("14-filing-asked-again")
    assert journey.in_view(comment) and f"breachflow filed {incident_id} REPORT" in form
    journey.page.evaluate("window.__click('Close', '.p-modal')")
    deadline = time.monotonic() + 600
    first = True
    while True:
        assert "Waiting: regulator filing" in journey.api(
            f"/flow_runs/{regulator}")["state"]["message"]
        journey.file_each_report(regulator, first=first)
        answered.add((regulator, key))
        first = False
        found = None
        while found is None and time.monotonic() < deadline:
            if journey.api(f"/flow_runs/{run_id}")["state_type"] == "COMPLETED":
                break
            found = journey.regulator_waiting(incident_id, answered, timeout=2)
        if found is None:
            break
        regulator, key = found
    assert journey.api(f"/flow_runs/{run_id}")["state_type"] == "COMPLETED"
    # Every report filed, each with its own reference; the decline is on the record.
    filed = journey.api(f"/flow_runs/{regulator}")["state_type"]
    assert filed == "COMPLETED", filed

    # 9. Closed.
    journey.go(f"/runs/flow-run/{run_id}", "Completed")
    assert journey.page.evaluate("window.__tab('Artifacts')") is True
    # The incident's own cards; the notice cards are on their own run (hundreds at scale).
    journey.page.wait_for_text("TABLE", f"obligations-{incident_id}")
    journey.shot("16-closed")


def payload_line(markdown_page: str) -> str:
    """A line of the notice's own text as the artifact page shows it."""
    lines = [line.strip() for line in markdown_page.split("Subject:", 1)[1].splitlines()]
    return next(line for line in lines[2:] if len(line) > 40)
