"""What each provider answer means for the ledger: one table per provider.

Four classes, and what the ledger does with each:
- permanent: this address will not work on this channel; the person moves down the ladder.
- transient: the provider did not process the request (rate limit, queue full, refused
  connection); the same message is sent again later, with backoff.
- ambiguous: it may or may not have been sent (timeout, reset, 5xx after the request left);
  it is reconciled with the provider before anything is sent again.
- halt: the channel cannot work at all (credentials, account, sender); sending on it stops
  until an operator fixes the configuration. Nothing was sent, so nothing is lost.

The error strings we record are codes (`twilio-21211`), never provider messages: those quote
phone numbers and addresses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Disposition(StrEnum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    AMBIGUOUS = "ambiguous"
    HALT = "halt"


P, T, A, H = Disposition.PERMANENT, Disposition.TRANSIENT, Disposition.AMBIGUOUS, Disposition.HALT

# SendGrid v3 mail/send (HTTP status). 413 is handled by splitting the batch (not processed);
# a 400 names the offending personalization, so only that person fails.
SENDGRID_HTTP: Final[dict[int, Disposition]] = {
    400: P,
    401: H,   # bad or revoked API key
    403: H,   # key lacks mail.send, or the sender identity is not verified
    404: H,   # wrong host or API version: a configuration problem
    413: T,   # payload too large: never processed; split and resend
    429: T,   # rate limited: never processed; X-RateLimit-Reset says when
    500: A,
    502: A,
    503: A,
    504: A,
}

# Twilio REST error codes returned synchronously by Messages.create / Calls.create.
TWILIO_CODES: Final[dict[int, Disposition]] = {
    20003: H,   # authentication failed
    20005: H,   # account not active
    20008: H,   # test credentials cannot reach this resource
    20404: H,   # wrong account SID or resource: configuration
    20429: T,   # too many concurrent requests: "never processed and always safe to retry"
    21210: H,   # caller ID not verified for this account
    21212: H,   # invalid From number
    21213: H,   # From missing
    21603: H,   # From missing
    21606: H,   # From is not a message-capable number of this account
    21608: H,   # trial account: unverified destination
    21705: H,   # invalid Messaging Service
    21211: P,   # invalid To number
    21214: P,   # To cannot be reached (voice)
    21215: P,   # no geographic permission for this destination
    21216: P,   # To is blocked
    21217: P,   # To is not a valid phone number (voice)
    21265: P,   # To is a short code
    21266: P,   # To and From are the same
    21401: P,   # invalid phone number
    21407: P,   # destination not supported
    21408: P,   # no permission to send to this region
    21610: P,   # the person replied STOP: respect it, use another channel
    21612: P,   # no route to this number
    21614: P,   # not a mobile number: try voice
    21617: P,   # body longer than 1,600 characters
    21635: P,   # landline outside US/CA/UK
    13223: P,   # invalid phone number format (voice)
    13224: P,   # invalid phone number (voice)
    21611: T,   # sender queue full: slow down, never processed
    30001: T,   # queue overflow
}

# Twilio asynchronous ErrorCode in status callbacks of undelivered/failed messages. All of them
# end this channel for the person (the notice moves to the next channel); the class says why.
TWILIO_ASYNC_CODES: Final[dict[int, Disposition]] = {
    30001: T,   # queue overflow: ours to slow down
    30002: H,   # account suspended
    30003: T,   # unreachable handset (off, out of coverage)
    30004: P,   # message blocked by the recipient or carrier
    30005: P,   # unknown or inactive number
    30006: P,   # landline or unreachable carrier
    30007: P,   # carrier filtering
    30008: T,   # unknown error
    30034: P,   # unregistered US A2P 10DLC sender
}

# Push endpoints reached through Apprise (HTTP status as the gateway answers: FCM, gorush,
# a json:// receiver). 404/410 is FCM's UNREGISTERED / APNs' "device token no longer active".
PUSH_HTTP: Final[dict[int, Disposition]] = {
    400: P,
    401: H,
    403: H,
    404: P,
    410: P,
    413: P,
    429: T,
    500: A,
    502: A,
    503: A,
    504: A,
}


# Lob's Letters API: HTTP status, refined by the error `code` where one status covers several
# kinds (a 422 is mostly the person's address, but a foreign return address is ours).
LOB_HTTP: Final[dict[int, Disposition]] = {
    401: H,   # unauthorized, invalid API key, unverified payment method
    403: H,   # forbidden, publishable key, billing address required
    404: H,   # wrong base URL, or the `from` address id does not exist
    408: A,   # request timeout: it may have been created
    409: A,   # conflict
    422: P,   # the letter for this person cannot be made (address, file)
    429: T,   # rate_limit_exceeded: never processed
    500: A,
    502: A,
    503: A,
    504: A,
}
LOB_CODES: Final[dict[str, Disposition]] = {
    "foreign_return_address": H,          # the `from` must be a US address
    "billing_address_required": H,
    "payment_method_unverified": H,
    "email_required": H,
    "feature_limit_reached": H,
    "unsupported_lob_version": H,
    "invalid_api_key": H,
    "unauthorized": H,
    "rate_limit_exceeded": T,
    "address_length_exceeds_limit": P,    # the two street lines exceed 50 characters
    "failed_deliverability_strictness": P,  # the address cannot be delivered
    "invalid_country_covid": P,
    "internal_server_error": A,
    "service_unavailable": A,
    "request_timeout": A,
}


def lob_error(status: int, code: str | None) -> Disposition:
    """A Lob error answer: the code decides where it is known, else the HTTP status."""
    if code and code in LOB_CODES:
        return LOB_CODES[code]
    if status in LOB_HTTP:
        return LOB_HTTP[status]
    return A if status >= 500 or status == 0 else P


def sendgrid_status(status: int) -> Disposition:
    if status in SENDGRID_HTTP:
        return SENDGRID_HTTP[status]
    return A if status >= 500 else P


def twilio_error(status: int, code: int | None) -> Disposition:
    """A Twilio exception: the code decides; without one, the HTTP status."""
    if code is not None and code in TWILIO_CODES:
        return TWILIO_CODES[code]
    if status == 429:
        return T
    if status in (401, 403):
        return H
    if status >= 500 or status == 0:
        return A
    return P


def twilio_async(code: int | None) -> Disposition:
    return TWILIO_ASYNC_CODES.get(code or 0, P)


def push_status(status: int) -> Disposition:
    if status in PUSH_HTTP:
        return PUSH_HTTP[status]
    return A if status >= 500 else P
