"""Letters through Lob's print-and-mail API with the official `lob-python` SDK.

Lob prints, folds and posts each letter in a #10 double-window envelope and prints both
addresses itself (`address_placement=top_first_page`): the letter we hand over is the person's
letter notice as HTML (their page link and the reference filled in, the address parts of the
layout left out, the top of the first page left free for Lob's address block). The SDK sends
JSON, in which Lob takes a letter as an HTML string of under 10,000 characters; a longer letter
fails for that person (`lob-file-too-long`) and the ladder moves on.

- `to`: the person's name and address, US and Canadian last lines split into city, state and
  ZIP; elsewhere the first line, the middle lines and the last line (post code and town).
- `from`: a return address saved in Lob (`BREACHFLOW_LOB_FROM`, an `adr_…` id).
- `metadata` carries the delivery id and nothing else; there is no description.
- The delivery id is the `Idempotency-Key`: a resend of an ambiguous request returns the
  letter already made instead of printing a second one. Reconciliation lists letters by that
  metadata.

One request per letter, `BREACHFLOW_LOB_WORKERS` (default 4) at a time, paced by
`BREACHFLOW_RATE_LETTER` (letters per second; unset: Lob's own limit of 150 requests per 5
seconds applies and its 429s are honoured). The SDK's own retries are off: a retry is the
ledger's."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import datetime
from typing import Any, ClassVar

import urllib3
from lob_python import ApiClient, Configuration
from lob_python.api.letters_api import LettersApi
from lob_python.exceptions import ApiException, OpenApiException
from lob_python.model.address_editable import AddressEditable
from lob_python.model.country_extended import CountryExtended
from lob_python.model.letter_editable import LetterEditable
from lob_python.model.ltr_use_type import LtrUseType
from lob_python.model.mail_type import MailType
from lob_python.model.metadata_model import MetadataModel

from incidents import credentials
from incidents.channels import classify, pacing, quiet
from incidents.channels.base import OUTCOME, Outcome, Outgoing, PerMessageChannel, Result, provider_timeout
from incidents.channels.classify import Disposition
from incidents.channels.letters import Envelope, letter_html, resident
from incidents.exceptions import ChannelHalted
from incidents.models import Notice

DEFAULT_BASE_URL = "https://api.lob.com/v1"
SANDBOX_KEY = "test_sandbox"
SANDBOX_FROM = "adr_sandboxsender"
HTML_LIMIT = 10_000
# The parts of the letter layout Lob prints itself (both addresses), and its style: Lob renders
# the letter with its own page setup.
_STYLE = re.compile(r"<style>.*?</style>", re.S)
_SENDER = re.compile(r'<p class="sender">.*?</p>\s*', re.S)
_WINDOW = re.compile(r'<div class="window">.*?</div>\s*', re.S)
# Lob's address block covers the top of the first page: the text starts below it.
LOB_CSS = ("<style>body{font-family:Arial,Helvetica,sans-serif;font-size:10.5pt;line-height:1.35;"
           "margin:0}main{padding-top:3.4in}h1{font-size:14pt}h2{font-size:11.5pt;margin:1em 0 .3em}"
           ".date,.reference{text-align:right;margin:0}</style>")


def lob_html(notice: Notice, message: Outgoing) -> str:
    html = letter_html(notice, message)
    html = _WINDOW.sub("", _SENDER.sub("", html, count=1), count=1)
    return _STYLE.sub(lambda _: LOB_CSS, html, count=1)


def to_address(found: Envelope, resident: str) -> AddressEditable:
    """Lob's `to` from an envelope (the name cut to Lob's 40 characters)."""
    address = found.address
    name = (found.name or resident)[:40]
    fields: dict[str, Any]
    parts = address.city_line()
    if parts is not None:
        street = address.lines[:-1]
        fields = {"address_line1": street[0], "address_city": parts["city"],
                  "address_state": parts["state"], "address_zip": parts["zip"]}
        if len(street) > 1:
            fields["address_line2"] = " ".join(street[1:])
        if address.country != "US":
            fields["address_country"] = CountryExtended(address.country)
        return AddressEditable(name=name, **fields)
    city, code = split_postcode(address.lines[-1])
    fields = {"address_line1": address.lines[0], "address_city": city,
              "address_country": CountryExtended(address.country)}
    if code:
        fields["address_zip"] = code
    if len(address.lines) > 2:
        fields["address_line2"] = ", ".join(address.lines[1:-1])
    return AddressEditable(name=name, **fields)


def split_postcode(line: str) -> tuple[str, str | None]:
    """(town, post code) of an address's last line outside North America: the words with a
    digit at its start ("10115 Berlin") or at its end ("London SW1A 1AA"), else no code."""
    words = line.replace(",", " , ").split()
    lead = 0
    while lead < len(words) - 1 and any(c.isdigit() for c in words[lead]):
        lead += 1
    if lead:
        return " ".join(words[lead:]).replace(" ,", ","), " ".join(words[:lead])
    tail = len(words)
    while tail > 1 and any(c.isdigit() for c in words[tail - 1]):
        tail -= 1
    if tail < len(words):
        return " ".join(words[:tail]).replace(" ,", ",").rstrip(", "), " ".join(words[tail:])
    return line, None


class LobLetters(PerMessageChannel):
    name: ClassVar[str] = "letter"
    batch_size = 100

    def __init__(self, *, api_key: str, sender: str, base_url: str | None = None,
                 workers: int | None = None, timeout: float | None = None,
                 pacer: pacing.Pacer | None = None) -> None:
        self.api_key, self.sender = api_key, sender
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout or provider_timeout(30.0)
        self.pacer = pacer or pacing.default()
        self._start_pool(workers or int(os.environ.get("BREACHFLOW_LOB_WORKERS", "4")), "lob")
        self._local = threading.local()

    @classmethod
    def from_env(cls, sandbox: str | None = None) -> LobLetters | None:
        key = credentials.get("LOB_API_KEY")
        base = os.environ.get("BREACHFLOW_LOB_BASE_URL") or None
        if key:
            sender = credentials.get("BREACHFLOW_LOB_FROM")
            return cls(api_key=key, sender=sender, base_url=base) if sender else None
        if sandbox:
            channel = cls(api_key=SANDBOX_KEY, sender=SANDBOX_FROM, base_url=f"{sandbox}/v1")
            channel.sandboxed = True
            return channel
        return None

    def api(self) -> LettersApi:
        """This thread's client (the SDK's pool manager is not shared between threads)."""
        found: LettersApi | None = getattr(self._local, "api", None)
        if found is None:
            config = Configuration(host=self.base_url, username=self.api_key, password="")
            config.retries = False
            found = self._local.api = LettersApi(ApiClient(config))
        return found

    def _send_one(self, notice: Notice, message: Outgoing) -> Result:
        delivery_id = message.delivery_id
        html = lob_html(notice, message)
        if len(html) >= HTML_LIMIT:
            return Result(delivery_id, Outcome.FAILED, error="lob-file-too-long")
        try:
            found = Envelope.of(message)
            letter = LetterEditable(
                to=to_address(found, resident(notice)), _from=self.sender, file=html, color=False,
                double_sided=True, address_placement="top_first_page",
                mail_type=MailType("usps_first_class"), use_type=LtrUseType("operational"),
                metadata=MetadataModel(delivery_id=delivery_id))
        except (ValueError, IndexError, OpenApiException):
            # The SDK checks lengths and enumerations before sending; its message quotes the
            # value, so only the class is kept.
            return Result(delivery_id, Outcome.FAILED, error="lob-address-refused")
        self.pacer.acquire(self.name, 1.0)
        try:
            # The answer is not type-checked: the SDK's model of an address (US or
            # international, one of) refuses the Canadian addresses Lob answers with.
            with quiet.captured():
                created = self.api().create(letter, idempotency_key=delivery_id, _check_return_type=False,
                                            _request_timeout=self.timeout)
        except ApiException as error:
            return self._refused(message, error)
        except urllib3.exceptions.NewConnectionError:
            return Result(delivery_id, Outcome.RETRY, error="lob-connection-refused")
        except urllib3.exceptions.ConnectTimeoutError:
            return Result(delivery_id, Outcome.RETRY, error="lob-connect-timeout")
        except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError,
                urllib3.exceptions.MaxRetryError):
            return Result(delivery_id, Outcome.UNKNOWN, error="lob-timeout")
        return Result(delivery_id, Outcome.ACCEPTED, provider_id=str(created.id))

    def _refused(self, message: Outgoing, error: ApiException) -> Result:
        status = int(error.status or 0)
        code = _error_code(error.body)
        kind = classify.lob_error(status, code)
        label = f"lob-{status}" + (f"-{code}" if code else "")
        if kind is Disposition.HALT:
            raise ChannelHalted(f"Lob refused the letter channel ({label}): check LOB_API_KEY, "
                                "BREACHFLOW_LOB_FROM and BREACHFLOW_LOB_BASE_URL")
        wait = None
        if kind is Disposition.TRANSIENT:
            wait = _reset_in(error.headers)
            if wait:
                self.pacer.hold(self.name, wait)
        return Result(message.delivery_id, OUTCOME[kind], error=label, retry_after=wait)

    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],  # noqa: ARG002
                  claim_token: str, since: datetime) -> dict[str, str | None]:  # noqa: ARG002
        """Ask Lob for letters whose metadata carries each delivery id."""
        found: dict[str, str | None] = {}
        for message in messages:
            with quiet.captured():
                listed = self.api().list(metadata=MetadataModel(delivery_id=message.delivery_id),
                                         limit=1, _request_timeout=self.timeout,
                                         _check_return_type=False)
            data = listed.get("data") or []
            first = data[0] if data else None
            found[message.delivery_id] = str(first["id"]) if first else None
        return found


def _error_code(body: Any) -> str | None:
    try:
        document = json.loads(body) if isinstance(body, str | bytes) else None
    except ValueError:
        return None
    error = document.get("error") if isinstance(document, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code).lower() if code else None


def _reset_in(headers: Any) -> float | None:
    """Seconds until Lob's rate-limit window resets (X-Rate-Limit-Reset, epoch seconds)."""
    value = {str(k).lower(): v for k, v in dict(headers or {}).items()}.get("x-rate-limit-reset")
    try:
        return max(0.5, float(value) - time.time()) if value else None
    except ValueError:
        return None
