"""Per-channel rate limits that hold across every thread, task, process and host.

One token bucket per channel lives in the database (`ChannelPace`), next to the ledger that every
worker already shares. A sender takes a small grant of tokens (50 ms worth) in one optimistic
transaction (a version check, so SQLite and PostgreSQL behave alike) and spends it locally; the
grants of all workers together never exceed the bucket, so the configured rate holds however
many batch tasks, processes or hosts send at once. A provider's 429 holds the whole channel until
its Retry-After / X-RateLimit-Reset, for everyone (a worker may still spend the grant it
already holds, at most 50 ms of the rate).

Rates are per second, from `BREACHFLOW_RATE_<CHANNEL>`: e-mail in requests (each up to 1,000
personalizations), SMS in segments (what Twilio's MPS counts), voice in calls (Twilio's CPS),
push in messages. 0 means unlimited (a sandbox, or a provider that paces itself).

Why not Prefect's global concurrency limits: each `rate_limit` call is a round trip to the
Prefect server, which under a burst answered 503 (research notes), and workers that run without
a server (the embedded mode) would have none. The ledger database is always there.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from incidents import db
from incidents.models import ChannelPace
from incidents.sqltypes import utcnow

DEFAULT_RATES: dict[str, float] = {"email": 10.0, "sms": 100.0, "voice": 1.0, "push": 500.0}
GRANT_SECONDS = 0.05  # how much of the rate one worker takes at a time
BURST_SECONDS = 1.0   # the bucket holds one second of the rate


def rate_from_env(channel: str) -> float:
    raw = os.environ.get(f"BREACHFLOW_RATE_{channel.upper()}")
    if raw is None or raw.strip() == "":
        return DEFAULT_RATES.get(channel, 0.0)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"BREACHFLOW_RATE_{channel.upper()} must be a number (per second)") from None
    if value < 0:
        raise ValueError(f"BREACHFLOW_RATE_{channel.upper()} must not be negative")
    return value


class Pacer:
    """Blocks senders so that each channel stays under its rate, across all workers."""

    def __init__(self, rates: dict[str, float] | None = None) -> None:
        self._rates = dict(rates) if rates is not None else None
        self._reserve: dict[str, float] = defaultdict(float)
        self._held: dict[str, float] = defaultdict(float)  # monotonic time until which we wait
        self._lock = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)

    def rate(self, channel: str) -> float:
        if self._rates is not None:
            return self._rates.get(channel, 0.0)
        return rate_from_env(channel)

    def acquire(self, channel: str, n: float = 1.0) -> float:
        """Take `n` tokens, waiting as long as needed; returns the seconds waited."""
        rate = self.rate(channel)
        if rate <= 0:
            return 0.0
        n = min(n, max(rate * BURST_SECONDS, 1.0))
        waited = 0.0
        while True:
            with self._lock:
                pause = self._held[channel] - time.monotonic()
                if pause <= 0 and self._reserve[channel] >= n:
                    self._reserve[channel] -= n
                    return waited
            if pause <= 0:
                with self._fetch_locks[channel]:
                    pause = self._fetch(channel, rate, n)
            if pause > 0:
                time.sleep(pause)
                waited += pause

    def hold(self, channel: str, seconds: float) -> None:
        """Nobody sends on `channel` for `seconds` (a 429 with Retry-After)."""
        if seconds <= 0:
            return
        until = utcnow() + timedelta(seconds=seconds)
        with self._lock:
            self._held[channel] = max(self._held[channel], time.monotonic() + seconds)
            self._reserve[channel] = 0.0
        if self.rate(channel) <= 0:
            return
        with db.session() as s:
            row = self._row(s, channel, self.rate(channel))
            if row.held_until is None or row.held_until < until:
                s.execute(update(ChannelPace).where(col(ChannelPace.channel) == channel)
                          .values(held_until=until, version=ChannelPace.version + 1))

    def _row(self, s: Session, channel: str, rate: float) -> ChannelPace:
        row = s.get(ChannelPace, channel)
        if row is None:
            row = ChannelPace(channel=channel, tokens=max(rate * BURST_SECONDS, 1.0))
            s.add(row)
            s.flush()
        return row

    def _fetch(self, channel: str, rate: float, n: float) -> float:
        """Move a grant from the shared bucket to this process; return how long to wait (0:
        try the reserve again)."""
        with self._lock:
            if self._reserve[channel] >= n:
                return 0.0
            missing = n - self._reserve[channel]
        capacity = max(rate * BURST_SECONDS, 1.0)
        want = min(capacity, max(missing, rate * GRANT_SECONDS))
        try:
            with db.session() as s:
                row = self._row(s, channel, rate)
                now = utcnow()
                if row.held_until is not None and row.held_until > now:
                    pause = (row.held_until - now).total_seconds()
                    with self._lock:
                        self._held[channel] = max(self._held[channel], time.monotonic() + pause)
                    return pause
                elapsed = max(0.0, (now - row.refilled_at).total_seconds())
                tokens = min(capacity, row.tokens + rate * elapsed)
                grant = min(tokens, want) if tokens >= missing else 0.0
                moved = s.execute(
                    update(ChannelPace).where(col(ChannelPace.channel) == channel,
                                              col(ChannelPace.version) == row.version)
                    .values(tokens=tokens - grant, refilled_at=now,
                            version=ChannelPace.version + 1))
                if not moved.rowcount:  # type: ignore[attr-defined]
                    return 0.0  # another worker took from the bucket first: read it again
        except IntegrityError:
            return 0.0  # two workers created the bucket at once; the other one won
        with self._lock:
            self._reserve[channel] += grant
        return 0.0 if grant else (missing - tokens) / rate


_default: Pacer | None = None
_default_lock = threading.Lock()


def default() -> Pacer:
    global _default
    with _default_lock:
        if _default is None:
            _default = Pacer()
        return _default


def reset() -> None:
    global _default
    with _default_lock:
        _default = None
