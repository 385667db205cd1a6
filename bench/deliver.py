"""Benchmark of multi-channel delivery (not a test).

    .venv/bin/python bench/deliver.py                          # 100,000 people, naive on 1,000
    .venv/bin/python bench/deliver.py --people 10000 --naive 500
    .venv/bin/python bench/deliver.py --only apprise           # Apprise's throttling alone

People: 70 % e-mail, 20 % SMS, 10 % push, one notice each, through the real `sendgrid`,
`twilio` and `apprise` clients to a sandbox process (a separate process, as providers are), with
provider pacing off (the sandbox has no sender limits; the figure is our own cost). It prints:

* ours: the flow's notification stage (`flows.delivery.notify`: batch tasks on Prefect's
  thread pool, the ledger on SQLite in WAL mode, fully updated) — wall time, notices/s per
  channel, peak RSS of this process;
* bare: the same clients and the same concurrency with no ledger and no Prefect;
* naive: one Prefect task per person (claim, send, record), on --naive people;
* the ratios ours/bare (overhead) and naive/ours (per notice);
* Apprise's per-plugin throttling: one URL with several targets against one URL per target,
  and one notify() over many services against our pool of per-person instances.

Prefect runs against PREFECT_API_URL when set, else a temporary local server."""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARES = (("email", 0.7), ("sms", 0.2), ("push", 0.1))
SMS_SERVICE = "MG" + "6e" * 16
ACCOUNT = "AC" + "6f" * 16
WORKERS = 8


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class SandboxProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", "0"],
            stdout=subprocess.PIPE, text=True, cwd=ROOT)
        if self.process.stdout is None:
            raise RuntimeError("the sandbox process has no output")
        self.url = self.process.stdout.readline().strip()

    def get(self, path: str) -> Any:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}{path}", timeout=60) as reply:  # noqa: S310
            return json.loads(reply.read())

    def post(self, path: str) -> None:
        import urllib.request

        request = urllib.request.Request(f"{self.url}{path}", data=b"", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310
            pass

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _environment(home: Path, sandbox: SandboxProcess) -> None:
    host = sandbox.url.removeprefix("http://")
    os.environ.update({
        "BREACHFLOW_HOME": str(home), "BREACHFLOW_OUT": str(home / "out"),
        "SENDGRID_API_KEY": "SG.bench", "BREACHFLOW_SENDGRID_HOST": sandbox.url,
        "BREACHFLOW_EMAIL_FROM": "security@example.com",
        "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": "bench",
        "BREACHFLOW_TWILIO_BASE_URL": sandbox.url, "BREACHFLOW_SMS_FROM": SMS_SERVICE,
        "BREACHFLOW_VOICE_FROM": "+15005550006",
        "BREACHFLOW_PUSH_URL": f"json://{host}/push/{{token}}",
        "BREACHFLOW_RATE_EMAIL": "0", "BREACHFLOW_RATE_SMS": "0", "BREACHFLOW_RATE_VOICE": "0",
        "BREACHFLOW_RATE_PUSH": "0", "BREACHFLOW_TWILIO_WORKERS": str(WORKERS),
        "BREACHFLOW_PUSH_WORKERS": str(WORKERS),
    })
    os.environ.pop("BREACHFLOW_DATABASE_URL", None)


def _population(count: int) -> list[tuple[str, str]]:
    """(channel, address) per person, in the benchmark's shares."""
    found: list[tuple[str, str]] = []
    for channel, share in SHARES:
        for n in range(int(count * share)):
            address = {"email": f"person.{n}@mail.example", "sms": f"+1415{n:07d}",
                       "push": f"device-{n:08d}"}[channel]
            found.append((channel, address))
    return found


def _incident(population: list[tuple[str, str]]) -> str:
    """One incident, its people and one notice per channel, written in bulk."""
    from sqlalchemy import insert

    from incidents import db
    from incidents.models import AffectedSubject, Incident, Notice
    from incidents.sqltypes import utcnow

    now = utcnow()
    with db.session() as s:
        incident = Incident(external_id=f"BENCH-{uuid.uuid4().hex[:8]}", title="bench",
                            detected_at=now, aware_at=now, determined_at=now, status="open")
        s.add(incident)
        s.flush()
        incident_id = incident.id
        rows = []
        for n, (channel, address) in enumerate(population):
            rows.append({
                "incident_id": incident_id, "subject_id": f"u{n:07d}", "in_directory": True,
                "records": 1, "data_categories": ["email"], "minor": False, "unreachable": False,
                "email": address if channel == "email" else None,
                "phone": address if channel == "sms" else None,
                "phone_type": "mobile" if channel == "sms" else None,
                "push_target": address if channel == "push" else None,
                "channels": [channel], "jurisdictions": ["EU"], "locale": "en",
                "notice_group": "g1"})
        for start in range(0, len(rows), 10_000):
            s.execute(insert(AffectedSubject), rows[start:start + 10_000])
        for channel in ("email", "sms", "voice", "push"):
            s.add(Notice(incident_id=incident_id, group_key="g1-subject", channel=channel,
                         locale="en", subject="Notice of Data Breach",
                         body_text="Lumen Gadgets: a security incident involved some of your "
                                   "personal data. What happened and what to do: "
                                   "https://lumen.example/security-notice/BENCH",
                         body_html="<p>Lumen Gadgets: a security incident involved some of "
                                   "your personal data.</p>" if channel == "email" else None,
                         template=f"en/individuals.{channel}.txt.j2", content_hash="h"))
    return incident_id


def _per_channel(incident_id: str) -> dict[str, dict[str, Any]]:
    """Notices and their own span per channel (first claim to last outcome) from the ledger."""
    from sqlmodel import func, select

    from incidents import db
    from incidents.models import Delivery

    found = {}
    with db.session() as s:
        for channel, n, first, last in s.exec(
                select(Delivery.channel, func.count(), func.min(Delivery.created_at),
                       func.max(Delivery.updated_at))
                .where(Delivery.incident_id == incident_id, Delivery.state == "accepted")
                .group_by(Delivery.channel)):
            found[channel] = {"notices": n, "span": (last - first).total_seconds()}
    return found


def _warm_up() -> None:
    """Start Prefect (a temporary server when none is configured) outside the measurements."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    warm_up()


def run_ours(incident_id: str) -> dict[str, Any]:
    from prefect import flow

    from flows import fanout
    from flows.delivery import notify
    from flows.respond import BATCH_WORKERS

    @flow(name="bench-delivery", task_runner=fanout.task_runner(max_workers=BATCH_WORKERS))
    def bench_delivery(incident_id: str) -> dict[str, Any]:
        return notify(incident_id)

    started = time.monotonic()
    outcome = bench_delivery(incident_id)
    wall = time.monotonic() - started
    return {"wall": wall, "outcome": outcome, "channels": _per_channel(incident_id)}


def run_bare(population: list[tuple[str, str]], sandbox_url: str) -> dict[str, Any]:
    """The same clients and concurrency, nothing recorded anywhere."""
    import apprise
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import Content, CustomArg, From, Mail, Personalization, To
    from twilio.rest import Client

    from flows.delivery import LANES
    from incidents.channels.twilio_http import RewritingTwilioHttpClient

    text = ("Lumen Gadgets: a security incident involved some of your personal data. What "
            "happened and what to do: https://lumen.example/security-notice/BENCH")
    by_channel: dict[str, list[str]] = {}
    for channel, address in population:
        by_channel.setdefault(channel, []).append(address)
    spans: dict[str, float] = {}

    def email_lane(lane: int) -> None:
        client = SendGridAPIClient(api_key="SG.bench", host=sandbox_url)
        client.client.timeout = 30
        addresses = by_channel.get("email", [])
        for start in range(lane * 1000, len(addresses), LANES["email"] * 1000):
            mail = Mail(from_email=From("security@example.com"), subject="Notice of Data Breach")
            mail.add_content(Content("text/plain", text))
            mail.add_content(Content("text/html", f"<p>{text}</p>"))
            for i, address in enumerate(addresses[start:start + 1000]):
                p = Personalization()
                p.add_to(To(address))
                p.add_custom_arg(CustomArg("delivery_id", uuid.uuid4().hex))
                mail.add_personalization(p, index=i)
            client.send(mail)

    local = threading.local()

    def sms_one(address: str) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = Client(ACCOUNT, "bench", http_client=RewritingTwilioHttpClient(
                sandbox_url, timeout=15))
        client.messages.create(to=address, body=text, messaging_service_sid=SMS_SERVICE,
                               validity_period=14400, status_callback=(
                                   "http://127.0.0.1:8000/v1/providers/twilio/status"
                                   f"?delivery_id={uuid.uuid4().hex}"))

    def push_one(token: str) -> None:
        host = sandbox_url.removeprefix("http://")
        plugin = apprise.Apprise.instantiate(
            f"json://{host}/push/{token}?rto=10&+X-Delivery-Id={uuid.uuid4().hex}")
        plugin.notify(body=text, title="Notice of Data Breach")

    def email() -> None:  # as many requests at a time as the flow's e-mail lanes
        with ThreadPoolExecutor(LANES["email"]) as lanes:
            list(lanes.map(email_lane, range(LANES["email"])))

    def pooled(channel: str, one: Any) -> None:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(one, by_channel.get(channel, [])))

    def timed(channel: str, work: Any) -> None:
        began = time.monotonic()
        work()
        spans[channel] = time.monotonic() - began

    started = time.monotonic()
    threads = [threading.Thread(target=timed, args=("email", email)),
               threading.Thread(target=timed, args=("sms", lambda: pooled("sms", sms_one))),
               threading.Thread(target=timed, args=("push", lambda: pooled("push", push_one)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    return {"wall": wall, "channels": {c: {"notices": len(by_channel.get(c, [])), "span": s}
                                       for c, s in spans.items()}}


def run_naive(incident_id: str) -> dict[str, Any]:
    """One Prefect task per person: claim that person's row, send it, record it."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from prefect.futures import wait
    from sqlmodel import select

    from flows import fanout
    from incidents import channels, db
    from incidents.delivery import ledger, send
    from incidents.models import Delivery, Notice

    ledger.plan(incident_id, served=channels.active())
    with db.session() as s:
        ids = list(s.exec(select(Delivery.id).where(Delivery.incident_id == incident_id)))
        notices = {n.id: n for n in s.exec(select(Notice).where(Notice.incident_id == incident_id))}

    @task(name="send-one", cache_policy=NO_CACHE)
    def send_one(delivery_id: str) -> str:
        with db.session() as s:
            row = s.get(Delivery, delivery_id)
            if row is None:
                raise RuntimeError("no such delivery")
            row.state, row.claim_token, row.attempts = "claimed", delivery_id, 1
        by_notice, _ = send._outgoing([row])
        adapter = channels.active()[row.channel]
        [(notice_id, messages)] = by_notice.items()
        results = adapter.send(notice=notices[notice_id], messages=messages,
                               claim_token=delivery_id, incident_ref=incident_id)
        ledger.record(results, token=delivery_id)
        return results[0].outcome.value

    @flow(name="bench-naive", task_runner=fanout.task_runner(max_workers=4))
    def naive(delivery_ids: list[str]) -> int:
        futures = [send_one.submit(d) for d in delivery_ids]
        wait(futures)
        return sum(f.result() == "accepted" for f in futures)

    started = time.monotonic()
    accepted = naive(ids)
    return {"wall": time.monotonic() - started, "notices": len(ids), "accepted": accepted}


def apprise_throttling(sandbox_url: str, services: int = 300) -> dict[str, float]:
    """Seconds for: 3 ntfy topics on one URL (one plugin instance), the same on three URLs,
    and `services` json:// targets in one notify() vs our pool of per-person instances."""
    import apprise

    host = sandbox_url.removeprefix("http://")
    found: dict[str, float] = {}
    one = apprise.Apprise()
    one.add(f"ntfy://{host}/t1/t2/t3")
    started = time.monotonic()
    one.notify(body="x")
    found["ntfy_one_url_three_topics_s"] = time.monotonic() - started
    three = apprise.Apprise()
    for k in range(3):
        three.add(f"ntfy://{host}/u{k}")
    started = time.monotonic()
    three.notify(body="x")
    found["ntfy_three_urls_s"] = time.monotonic() - started
    many = apprise.Apprise()
    started = time.monotonic()
    for n in range(services):
        many.add(f"json://{host}/push/m{n}")
    many.notify(body="x", title="t")
    found["one_notify_per_s"] = services / (time.monotonic() - started)

    def each(n: int) -> bool:
        plugin = apprise.Apprise.instantiate(f"json://{host}/push/p{n}")
        return bool(plugin.notify(body="x", title="t"))

    started = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(each, range(services)))
    found["pool_of_instances_per_s"] = services / (time.monotonic() - started)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=1_000)
    parser.add_argument("--only", choices=["ours", "bare", "naive", "apprise"], action="append")
    args = parser.parse_args()
    wanted = set(args.only or ["ours", "bare", "naive", "apprise"])
    results: dict[str, Any] = {"people": args.people}
    sandbox = SandboxProcess()
    scratch = Path(tempfile.mkdtemp(prefix="breachflow-bench-delivery-"))
    try:
        _environment(scratch / "home", sandbox)
        from flows import runtime

        runtime.configure()
        population = _population(args.people)
        if wanted & {"ours", "naive"}:
            _warm_up()
        if "apprise" in wanted:
            results["apprise"] = apprise_throttling(sandbox.url)
            sandbox.post("/sandbox/reset")
        if "bare" in wanted:
            results["bare"] = run_bare(population, sandbox.url)
            sandbox.post("/sandbox/reset")
        if "ours" in wanted:
            incident_id = _incident(population)
            results["ours"] = run_ours(incident_id)
            stats = sandbox.get("/sandbox/stats")
            results["ours"]["sandbox_counts"] = stats["counts"]
            results["ours"]["duplicates"] = stats["duplicates_total"]
            results["ours"]["peak_rss_mib"] = _peak_rss_mib()
            sandbox.post("/sandbox/reset")
        if "naive" in wanted:
            naive_id = _incident(_population(args.naive))
            results["naive"] = run_naive(naive_id)
    finally:
        sandbox.stop()
    _report(results)
    return 0


def _report(results: dict[str, Any]) -> None:
    print(json.dumps(results, indent=2, default=str))
    print()
    ours, bare, naive = results.get("ours"), results.get("bare"), results.get("naive")
    if ours:
        total = sum(c["notices"] for c in ours["channels"].values())
        print(f"ours:  {total:,} notices in {ours['wall']:.1f} s = {total / ours['wall']:,.0f}/s;"
              f" peak RSS {ours['peak_rss_mib']:.0f} MiB; duplicates at the sandbox "
              f"{ours['duplicates']}")
        for channel, c in sorted(ours["channels"].items()):
            print(f"       {channel:<5} {c['notices']:>7,} in {c['span']:6.1f} s = "
                  f"{c['notices'] / max(c['span'], 1e-9):8,.0f}/s")
    if bare:
        total = sum(c["notices"] for c in bare["channels"].values())
        print(f"bare:  {total:,} notices in {bare['wall']:.1f} s = {total / bare['wall']:,.0f}/s")
        for channel, c in sorted(bare["channels"].items()):
            print(f"       {channel:<5} {c['notices']:>7,} in {c['span']:6.1f} s = "
                  f"{c['notices'] / max(c['span'], 1e-9):8,.0f}/s")
    if ours and bare:
        print(f"overhead over the bare loop: {100 * (ours['wall'] / bare['wall'] - 1):+.0f} %")
    if naive:
        rate = naive["notices"] / naive["wall"]
        print(f"naive: {naive['notices']:,} notices, one task each, in {naive['wall']:.1f} s = "
              f"{rate:,.1f}/s")
        if ours:
            total = sum(c["notices"] for c in ours["channels"].values())
            print(f"ours is {total / ours['wall'] / rate:,.0f}x faster per notice than a task "
                  "per person")
    if "apprise" in results:
        a = results["apprise"]
        print(f"apprise: ntfy, 3 topics on one URL {a['ntfy_one_url_three_topics_s']:.1f} s, on "
              f"three URLs {a['ntfy_three_urls_s']:.2f} s; json:// one notify() "
              f"{a['one_notify_per_s']:.0f}/s, our pool of instances "
              f"{a['pool_of_instances_per_s']:.0f}/s")


if __name__ == "__main__":
    raise SystemExit(main())
