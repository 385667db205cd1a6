"""Per-channel rate limits hold across threads and across processes that share the ledger
database, and a provider's 429 holds the channel for every one of them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from incidents.channels import pacing

CHILD = """
import sys, time
from incidents import db
from incidents.channels import pacing
start, count = float(sys.argv[1]), int(sys.argv[2])
pacer = pacing.Pacer({"sms": 40.0})
db.engine()  # connect before the clock starts
time.sleep(max(0.0, start - time.time()))
for _ in range(count):
    pacer.acquire("sms", 1)
print(time.time())
"""


def test_threads_of_one_process_share_the_rate(home):
    pacer = pacing.Pacer({"sms": 50.0})
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [pacer.acquire("sms", 1) for _ in range(30)])
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    # 150 tokens at 50/s with a one-second bucket: at least (150 - 50) / 50 = 2 s.
    assert elapsed >= 1.9


def test_two_processes_on_one_database_share_the_rate(home: Path):
    from incidents import db

    db.engine()  # the schema exists before the two processes start
    start = time.time() + 3.0
    env = {**os.environ, "BREACHFLOW_HOME": str(home)}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(start), "60"], env=env,
                                 stdout=subprocess.PIPE, text=True) for _ in range(2)]
    ends = [float(c.communicate(timeout=60)[0].strip().splitlines()[-1]) for c in children]
    assert all(c.returncode == 0 for c in children)
    elapsed = max(ends) - start
    # Alone, each process would need (60 - 40) / 40 = 0.5 s; sharing one bucket of 40/s the
    # two need (120 - 40) / 40 = 2 s together.
    assert elapsed >= 1.8, f"the rate did not hold across processes ({elapsed:.2f} s)"
    assert elapsed < 20


def test_a_429_holds_the_channel_for_every_worker(home):
    here, elsewhere = pacing.Pacer({"voice": 100.0}), pacing.Pacer({"voice": 100.0})
    elsewhere.acquire("voice", 1)  # the bucket exists and has tokens
    here.hold("voice", 1.0)
    started = time.monotonic()
    for _ in range(10):  # what `elsewhere` already took (one 50 ms grant) may still go out
        elsewhere.acquire("voice", 1)
    assert time.monotonic() - started >= 0.8


def test_an_unlimited_channel_never_waits_nor_touches_the_database(home):
    pacer = pacing.Pacer({"push": 0.0})
    started = time.monotonic()
    for _ in range(10_000):
        pacer.acquire("push", 1)
    assert time.monotonic() - started < 1.0


def test_rates_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BREACHFLOW_RATE_SMS", "3")
    monkeypatch.delenv("BREACHFLOW_RATE_VOICE", raising=False)
    assert pacing.rate_from_env("sms") == 3.0
    assert pacing.rate_from_env("voice") == pacing.DEFAULT_RATES["voice"]
    monkeypatch.setenv("BREACHFLOW_RATE_SMS", "fast")
    try:
        pacing.rate_from_env("sms")
    except ValueError as error:
        assert "BREACHFLOW_RATE_SMS" in str(error)
    else:
        raise AssertionError("a bad rate must be refused naming the variable")
