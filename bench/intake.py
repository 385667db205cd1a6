"""Benchmark of the intake API (not a test).

    .venv/bin/python bench/intake.py                   # 300 requests of each kind
    .venv/bin/python bench/intake.py --requests 1000

Starts the intake API under uvicorn in its own process (SQLite home in a temporary folder, no
Prefect API, so the figure is the API's own cost: signature, validation, the incident and its
audit events in one transaction) and sends, one at a time over one keep-alive connection:

* new: signed new incidents (202);
* again: the same external_ids again (200, nothing written);
* refused: bad signatures (401) and invalid bodies (422).

It prints p50 / p95 / max latency per kind and the requests per second. The time from a POST
to a running flow run depends on the runner's poll interval (PREFECT_RUNNER_POLL_FREQUENCY)
and the flow process start-up; tests/incidents/intake/test_intake_prefect.py prints it."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incidents.intake.signature import HEADER, sign  # noqa: E402

SECRET = "bench-secret"  # noqa: S105 - a throwaway secret for a local server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _body(n: int) -> bytes:
    return json.dumps({"external_id": f"BENCH-{n}", "title": "Benchmark incident",
                       "detected_at": "2026-11-20T08:00:00Z",
                       "data_categories": ["name", "email", "password"]}).encode()


def _timed(client: httpx.Client, raw: bytes, header: str, expect: int) -> float:
    started = time.perf_counter()
    reply = client.post("/v1/incidents", content=raw, headers={HEADER: header})
    elapsed = time.perf_counter() - started
    if reply.status_code != expect:
        raise SystemExit(f"expected {expect}, got {reply.status_code}: {reply.text}")
    return elapsed


def _report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{name:<8} n={len(times):<5} p50 {statistics.median(times) * 1000:6.1f} ms   "
          f"p95 {p95 * 1000:6.1f} ms   max {ordered[-1] * 1000:6.1f} ms   "
          f"{len(times) / sum(times):6.0f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="breachflow-bench-intake-") as scratch:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BREACHFLOW_")}
        env.pop("PREFECT_API_URL", None)
        env.update({"BREACHFLOW_HOME": scratch, "BREACHFLOW_OUT": f"{scratch}/out",
                    "BREACHFLOW_WEBHOOK_SECRET": SECRET, "BREACHFLOW_API_TOKEN": "bench"})
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "incidents.intake.app:create_app",
             "--port", str(port), "--log-level", "critical", "--no-access-log"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for _ in range(300):
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                bodies = [_body(n) for n in range(args.requests)]
                new = [_timed(client, raw, sign(raw, secret=SECRET), 202) for raw in bodies]
                again = [_timed(client, raw, sign(raw, secret=SECRET), 200) for raw in bodies]
                wrong = "not-the-secret"
                refused = [_timed(client, raw, sign(raw, secret=wrong), 401) for raw in bodies]
                invalid = [_timed(client, b'{"external_id": "x"}',
                                  sign(b'{"external_id": "x"}', secret=SECRET), 422)
                           for _ in bodies]
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"intake API, {args.requests} requests per kind, one connection, SQLite (WAL)")
    _report("new", new)
    _report("again", again)
    _report("401", refused)
    _report("422", invalid)


if __name__ == "__main__":
    main()
