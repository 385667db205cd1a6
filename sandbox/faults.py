"""Fault injection: seeded, per-channel rates of the provider failures the ledger must survive."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from typing import Any

from .wire import CHANNELS


class FaultConfigError(ValueError):
    """A fault configuration that cannot be applied; the message names the setting."""


class RequestFault(Enum):
    """What happens to one API request instead of a plain success."""

    RATE_LIMIT_429 = "rate_limit_429"  # refused before processing: safe to retry
    ERROR_5XX = "error_5xx"  # refused, nothing stored: looks ambiguous to the client
    ACCEPT_THEN_TIMEOUT = "accept_then_timeout"  # stored, then no answer within the timeout
    ACCEPT_THEN_5XX = "accept_then_5xx"  # stored, then a 500: the ambiguous case


# Order matters: one uniform draw per request is mapped onto these rates cumulatively.
_REQUEST_FAULTS: tuple[RequestFault, ...] = tuple(RequestFault)

# Which delivery outcome each channel can simulate (after the request was accepted).
_DELIVERY_FAULT_CHANNELS: dict[str, frozenset[str]] = {
    "bounce": frozenset({"email"}),
    "undelivered": frozenset({"sms", "voice"}),
}


@dataclass(frozen=True)
class ChannelFaults:
    """Probabilities in [0, 1]. The four request faults together must not exceed 1."""

    rate_limit_429: float = 0.0
    error_5xx: float = 0.0
    accept_then_timeout: float = 0.0
    accept_then_5xx: float = 0.0
    bounce: float = 0.0  # email: accepted, then bounced
    undelivered: float = 0.0  # sms / voice: accepted, then undelivered / no-answer

    def request_rate(self, fault: RequestFault) -> float:
        rate: float = getattr(self, fault.value)
        return rate


@dataclass(frozen=True)
class Faults:
    """The whole fault configuration; the default injects nothing."""

    email: ChannelFaults = ChannelFaults()
    sms: ChannelFaults = ChannelFaults()
    voice: ChannelFaults = ChannelFaults()
    push: ChannelFaults = ChannelFaults()
    letter: ChannelFaults = ChannelFaults()
    seed: int = 0
    hang_seconds: float = 10.0  # how long accept_then_timeout waits: set it past the client timeout
    retry_after_seconds: int = 1  # Retry-After / X-RateLimit-Reset distance on 429
    rate_limit_headers: bool = True  # False: a 429 without Retry-After / X-RateLimit-* headers

    def for_channel(self, channel: str) -> ChannelFaults:
        config: ChannelFaults = getattr(self, channel)
        return config

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Faults:
        """Build from the JSON shape of `to_json`; raises FaultConfigError naming the bad key."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise FaultConfigError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        settings: dict[str, Any] = _scalars_from_json(data)
        if "rate_limit_headers" in data:
            if not isinstance(data["rate_limit_headers"], bool):
                raise FaultConfigError("rate_limit_headers: expected true or false")
            settings["rate_limit_headers"] = data["rate_limit_headers"]
        for channel in CHANNELS:
            if channel in data:
                settings[channel] = _channel_from_json(channel, data[channel])
        faults = replace(cls(), **settings)
        faults.check()
        return faults

    def check(self) -> None:
        """Raise FaultConfigError unless every rate is a probability and makes sense for its channel."""
        if self.hang_seconds < 0 or self.retry_after_seconds < 0:
            raise FaultConfigError("hang_seconds and retry_after_seconds must not be negative")
        for channel in CHANNELS:
            _check_channel(channel, self.for_channel(channel))


def _channel_from_json(channel: str, value: Any) -> ChannelFaults:
    if not isinstance(value, Mapping):
        raise FaultConfigError(f"{channel}: expected an object of rates")
    names = {f.name for f in fields(ChannelFaults)}
    unknown = set(value) - names
    if unknown:
        raise FaultConfigError(f"{channel}: unknown fault(s): {', '.join(sorted(unknown))}")
    rates: dict[str, float] = {}
    for name, rate in value.items():
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise FaultConfigError(f"{channel}.{name}: expected a number")
        rates[name] = float(rate)
    return ChannelFaults(**rates)


def _scalars_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    scalars: dict[str, Any] = {}
    for name, kind in (
        ("seed", int),
        ("hang_seconds", float),
        ("retry_after_seconds", int),
    ):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FaultConfigError(f"{name}: expected a number")
        scalars[name] = kind(value)
    return scalars


def _check_channel(channel: str, config: ChannelFaults) -> None:
    for f in fields(config):
        rate = getattr(config, f.name)
        if not 0.0 <= rate <= 1.0:
            raise FaultConfigError(f"{channel}.{f.name}: rate must be between 0 and 1")
        allowed = _DELIVERY_FAULT_CHANNELS.get(f.name)
        if allowed is not None and rate > 0 and channel not in allowed:
            raise FaultConfigError(f"{channel}.{f.name}: only for {', '.join(sorted(allowed))}")
    if sum(config.request_rate(fault) for fault in _REQUEST_FAULTS) > 1.0 + 1e-9:
        raise FaultConfigError(f"{channel}: request fault rates add up to more than 1")


class FaultDice:
    """Seeded draws, one stream per channel and purpose, so a run is reproducible."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._request_rng: dict[str, random.Random] = {}
        self._delivery_rng: dict[str, random.Random] = {}
        self._reseed()

    @property
    def faults(self) -> Faults:
        return self._faults

    def configure(self, faults: Faults) -> None:
        faults.check()
        with self._lock:
            self._faults = faults
            self._reseed()

    def request_fault(self, channel: str) -> RequestFault | None:
        """At most one fault for this request; one draw per request keeps streams aligned."""
        with self._lock:
            config = self._faults.for_channel(channel)
            draw = self._request_rng[channel].random()
        threshold = 0.0
        for fault in _REQUEST_FAULTS:
            threshold += config.request_rate(fault)
            if draw < threshold:
                return fault
        return None

    def delivery_fails(self, channel: str) -> bool:
        """Whether one accepted message bounces (email) or is undelivered (sms, voice)."""
        with self._lock:
            config = self._faults.for_channel(channel)
            draw = self._delivery_rng[channel].random()
        rate = config.bounce if channel == "email" else config.undelivered
        return draw < rate

    def _reseed(self) -> None:
        # String seeds are hashed with SHA-512 by `random`, so they are stable across runs.
        # Reproducible test faults, not secrets: `random` is the right tool (S311 does not apply).
        seed = self._faults.seed
        self._request_rng = {c: _stream(f"{seed}:{c}:request") for c in CHANNELS}
        self._delivery_rng = {c: _stream(f"{seed}:{c}:delivery") for c in CHANNELS}


def _stream(seed: str) -> random.Random:
    return random.Random(seed)  # noqa: S311
