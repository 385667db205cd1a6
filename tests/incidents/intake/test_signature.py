"""The signature contract: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">, 5 minutes."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from incidents.exceptions import SignatureError
from incidents.intake.signature import sign, verify

BODY = b'{"external_id": "A-1"}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    header = sign(BODY, secret="k", timestamp=1_700_000_000)
    expected = hmac.new(b"k", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify(BODY, header, secrets=["k"], now=1_700_000_000) == 1_700_000_000


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_timestamp_outside_five_minutes_is_refused(offset):
    header = sign(BODY, secret="k", timestamp=1_700_000_000)
    with pytest.raises(SignatureError, match="tolerance"):
        verify(BODY, header, secrets=["k"], now=1_700_000_000 - offset)


def test_the_edge_of_the_window_is_accepted():
    header = sign(BODY, secret="k", timestamp=1_700_000_000)
    assert verify(BODY, header, secrets=["k"], now=1_700_000_300)


@pytest.mark.parametrize("header", [
    None, "", "v1=abc", "t=1700000000", "t=abc,v1=00", "garbage", "t=1700000000;v1=00",
])
def test_malformed_headers_are_refused(header):
    with pytest.raises(SignatureError):
        verify(BODY, header, secrets=["k"], now=1_700_000_000)


def test_a_changed_body_or_a_wrong_secret_is_refused():
    header = sign(BODY, secret="k", timestamp=1_700_000_000)
    with pytest.raises(SignatureError, match="does not match"):
        verify(BODY + b" ", header, secrets=["k"], now=1_700_000_000)
    with pytest.raises(SignatureError, match="does not match"):
        verify(BODY, header, secrets=["other"], now=1_700_000_000)


def test_the_timestamp_is_part_of_what_is_signed():
    header = sign(BODY, secret="k", timestamp=1_700_000_000)
    moved = header.replace("t=1700000000", "t=1700000100")
    with pytest.raises(SignatureError, match="does not match"):
        verify(BODY, moved, secrets=["k"], now=1_700_000_100)


def test_any_of_several_signatures_or_secrets_may_match_during_rotation():
    old = sign(BODY, secret="old", timestamp=1_700_000_000)
    new = sign(BODY, secret="new", timestamp=1_700_000_000)
    both = f"{old},v1={new.split('v1=')[1]}"
    assert verify(BODY, both, secrets=["new"], now=1_700_000_000)
    assert verify(BODY, old, secrets=["new", "old"], now=1_700_000_000)
