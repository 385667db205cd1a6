"""3. A directory row's push target must not make the server send requests where it likes:
whole URLs only for allowed push-vendor schemes, never to loopback, private or link-local
hosts, never with method or header overrides. A refused target is a data-quality finding,
not a usable channel, and the sender refuses it too."""

from __future__ import annotations

import csv
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

from sqlmodel import select

from incidents import db
from incidents.channels.apprise_push import ApprisePush
from incidents.channels.base import Outcome, Outgoing
from incidents.models import AffectedSubject
from tests.incidents.channels.contract import UNLIMITED, notice
from tests.security.helpers import prepared


class _Internal(BaseHTTPRequestHandler):
    """An internal admin endpoint that must never hear from breachflow."""

    calls: ClassVar[list[tuple[str, str]]] = []

    def _any(self) -> None:
        _Internal.calls.append((self.command, self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815 - http.server's names

    def log_message(self, *args: Any) -> None:
        pass


def _internal() -> HTTPServer:
    server = HTTPServer(("127.0.0.1", 0), _Internal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Internal.calls.clear()
    return server


def _hostile_targets(port: int) -> dict[str, str]:
    return {
        "u-json": f"json://127.0.0.1:{port}/internal/admin?method=DELETE",
        "u-form": f"form://127.0.0.1:{port}/internal/admin",
        "u-metadata": "gorush://169.254.169.254/latest/meta-data",
        "u-private": "gorush://10.0.0.5/push",
        "u-shorthand": f"gorush://127.1:{port}/push",
        "u-header": "gorush://push.example.com/push?+X-Admin=1",
    }


def test_refused_targets_are_findings_not_channels(home, demo_files, tmp_path, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_PUSH_SCHEMES", "gorush,json,form")  # json/form never count
    hostile = _hostile_targets(9)
    directory, affected = tmp_path / "directory.csv", tmp_path / "affected.csv"
    with open(demo_files["directory.csv"], encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    chosen = rows[:len(hostile) + 1]
    for row, target in zip(chosen, [*hostile.values(), "device-token-123"], strict=True):
        row.update(email="", phone="", push_target=target, guardian_email="", guardian_phone="")
    with open(directory, "w", newline="", encoding="utf-8") as sink:
        writer = csv.DictWriter(sink, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ids = [row["subject_id"] for row in chosen]
    affected.write_text("subject_id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out, directory=directory, affected=affected,
                           until="identification")
    with db.session() as s:
        people = {p.subject_id: p for p in s.exec(select(AffectedSubject).where(
            AffectedSubject.incident_id == incident_id))}
    for subject_id in ids[:-1]:
        person = people[subject_id]
        assert "push" not in person.channels and person.push_target is None, subject_id
    assert people[ids[-1]].channels == ["push"]  # a device token stays usable
    report = json.loads((out / "data-quality.json").read_text(encoding="utf-8"))
    refused = {v["subject_id"]: v.get("reason") for v in report["invalid_values"]
               if v["field"] == "push_target"}
    assert set(refused) == set(ids[:-1]) and all(refused.values()), refused
    assert report["refused_push_targets"] == len(hostile)
    assert "169.254" not in json.dumps(report)  # the value itself is never copied


def test_the_sender_refuses_them_too_and_nothing_reaches_the_host(monkeypatch):
    server = _internal()
    try:
        port = server.server_address[1]
        channel = ApprisePush(url_template=None, pacer=UNLIMITED,
                              schemes=frozenset({"json", "form", "gorush"}))
        messages = [Outgoing(f"d{n}", target, "en", 1)
                    for n, target in enumerate(_hostile_targets(port).values())]
        results = channel.send(notice=notice("push"), messages=messages, claim_token="c",
                               incident_ref="i")
    finally:
        server.shutdown()
    assert {(r.outcome, r.error) for r in results} == {(Outcome.FAILED, "push-target-refused")}
    assert _Internal.calls == []


def test_a_token_cannot_steer_the_configured_push_url():
    channel = ApprisePush(url_template="gorush://push.example.com/{token}", pacer=UNLIMITED)
    url = channel.target_url("x/../../admin?method=DELETE&+X-Admin=1", "d1")
    assert url is not None and url.startswith("gorush://push.example.com/x%2F..%2F..%2Fadmin%3F")
    assert "method=DELETE" not in url and "+X-Admin" not in url
