"""What makes a contact usable, and where a person lives when the directory does not say.

Phone numbers are checked against the `phonenumbers` library's numbering plans. The library
spends about 90 µs on parse + is_valid_number + number_type; identification checks one number
per affected person, so a breach of a million people would spend minutes there. `phone_info`
therefore takes a fast path for the common case — a plain E.164 string, "+" and digits — that
applies the library's own metadata (the same patterns, lengths and order of type checks as
`phonenumberutil._number_type_helper` and `region_code_for_number`) compiled once per calling
code, and hands everything else (formatting characters, a national prefix after the country
code, non-geographic codes) to the library itself. tests/incidents/identification/test_contacts.py checks the
two agree on every region's example numbers and on many mutations of them.

Push targets come from the directory, so a row of it must not make the server send requests
where it likes (`json://127.0.0.1:…/admin?method=DELETE`): `push_target_problem` says which
targets may be used — see its docstring and the README's "Push targets"."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata

_EMAIL = re.compile(r"^[^@\s\"<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_PHONE_TYPES = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.FIXED_LINE: "landline",
                PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile_or_landline",
                PhoneNumberType.VOIP: "voip"}
# SMS needs a handset; mobile_or_landline is where the numbering plan cannot tell (US, CN).
SMS_TYPES = frozenset({"mobile", "mobile_or_landline"})
_PLAIN_E164 = re.compile(r"\+[1-9][0-9]{2,16}")
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_MAX_LOCALE = 35


class PhoneInfo(NamedTuple):
    e164: str
    line_type: str  # mobile, landline, mobile_or_landline, voip, other
    country: str  # ISO 3166-1 alpha-2 of the numbering plan ("001" for non-geographic)


def valid_email(value: str | None) -> bool:
    return bool(value) and len(value or "") <= 254 and _EMAIL.match(value or "") is not None


def phone_info(value: str | None) -> PhoneInfo | None:
    """The E.164 form, line type and country of a valid international number, else None."""
    if not value or value[0] != "+":
        return None
    if _PLAIN_E164.fullmatch(value):
        found = _fast_phone_info(value)
        if found is not _UNDECIDED:
            return found  # type: ignore[return-value]
    return _library_phone_info(value)


def sms_capable(line_type: str | None) -> bool:
    return line_type in SMS_TYPES


def _library_phone_info(value: str) -> PhoneInfo | None:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    kind = phonenumbers.number_type(parsed)
    return PhoneInfo(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
                     _PHONE_TYPES.get(kind, "other"), phonenumbers.region_code_for_number(parsed) or "")


# -- the fast path --------------------------------------------------------------------------

_UNDECIDED = object()
_Desc = tuple[tuple[int, ...], re.Pattern[str] | None] | None


def _desc(number_desc: object) -> _Desc:
    if number_desc is None:
        return None
    pattern = getattr(number_desc, "national_number_pattern", None)
    return (tuple(getattr(number_desc, "possible_length", ()) or ()),
            re.compile(pattern) if pattern else None)


def _matches(nsn: str, desc: _Desc) -> bool:
    # phonenumberutil._is_number_matching_desc: lengths first, then a full match of the pattern.
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(nsn) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(nsn) is not None


_TYPES_IN_ORDER = (
    (PhoneNumberType.PREMIUM_RATE, "premium_rate"), (PhoneNumberType.TOLL_FREE, "toll_free"),
    (PhoneNumberType.SHARED_COST, "shared_cost"), (PhoneNumberType.VOIP, "voip"),
    (PhoneNumberType.PERSONAL_NUMBER, "personal_number"), (PhoneNumberType.PAGER, "pager"),
    (PhoneNumberType.UAN, "uan"), (PhoneNumberType.VOICEMAIL, "voicemail"),
    (PhoneNumberType.FIXED_LINE, "fixed_line"), (PhoneNumberType.MOBILE, "mobile"))


_GROUP_KIND = {f"t{kind}": kind for kind, _ in _TYPES_IN_ORDER}


@dataclass(frozen=True)
class _Plan:
    """One region's numbering plan, compiled from the library's metadata.

    `_number_type_helper` tries up to eleven patterns one after the other. For each length of
    national number, the patterns that admit that length are joined into one alternation,
    guarded by the general pattern: a regular expression takes the first alternative that
    matches the whole string, which is the library's order of checks in one C-level call."""

    region: str
    country_code: int
    leading_digits: re.Pattern[str] | None
    general: _Desc
    descs: tuple[tuple[int, _Desc], ...]
    same_mobile_and_fixed_line: bool
    _by_length: dict[int, re.Pattern[str] | None]

    @classmethod
    def of(cls, region: str, metadata: PhoneMetadata) -> _Plan:
        leading = metadata.leading_digits
        return cls(region, int(metadata.country_code or 0),
                   re.compile(leading) if leading is not None else None,
                   _desc(metadata.general_desc),
                   tuple((kind, _desc(getattr(metadata, name))) for kind, name in _TYPES_IN_ORDER),
                   bool(metadata.same_mobile_and_fixed_line_pattern), {})

    def _matcher(self, length: int) -> re.Pattern[str] | None:
        if length in self._by_length:
            return self._by_length[length]
        matcher = None
        general = self.general
        if general is not None and general[1] is not None and (not general[0] or length in general[0]):
            branches = []
            for kind, desc in self.descs:
                if desc is None or desc[1] is None or (desc[0] and length not in desc[0]):
                    continue
                if kind == PhoneNumberType.MOBILE and self.same_mobile_and_fixed_line:
                    continue  # the library never reports MOBILE for such a plan
                branches.append(f"(?P<t{kind}>{desc[1].pattern})")
            if branches:
                matcher = re.compile(f"(?=(?:{general[1].pattern})\\Z)(?:{'|'.join(branches)})")
        self._by_length[length] = matcher
        return matcher

    def number_type(self, nsn: str) -> int:
        """phonenumberutil._number_type_helper, with the same result."""
        matcher = self._matcher(len(nsn))
        found = matcher.fullmatch(nsn) if matcher is not None else None
        if found is None:
            return PhoneNumberType.UNKNOWN
        kind = _GROUP_KIND[found.lastgroup or ""]
        if kind == PhoneNumberType.FIXED_LINE:
            mobile = self.descs[-1][1]
            if self.same_mobile_and_fixed_line or _matches(nsn, mobile):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return kind


@dataclass(frozen=True)
class _CallingCode:
    national_prefix: re.Pattern[str] | None  # of the main region: parse() strips it when it matches
    plans: tuple[_Plan, ...]


@cache
def _calling_code(code: int) -> _CallingCode | None:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    main = PhoneMetadata.metadata_for_region(regions[0], None)
    if main is None:
        return None
    plans = []
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is not None:
            plans.append(_Plan.of(region, metadata))
    prefix = main.national_prefix_for_parsing
    return _CallingCode(re.compile(prefix) if prefix else None, tuple(plans))


_CODES = {str(code): code for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}


def _fast_phone_info(value: str) -> PhoneInfo | object | None:
    digits = value[1:]
    for size in (1, 2, 3):  # phonenumberutil._extract_country_code
        code = _CODES.get(digits[:size])
        if code is not None:
            break
    else:
        return None
    nsn = digits[size:]
    plan_set = _calling_code(code)
    if plan_set is None or len(nsn) < 2:
        return _UNDECIDED
    if plan_set.national_prefix is not None and plan_set.national_prefix.match(nsn):
        return _UNDECIDED  # parse() may strip a national prefix here: let the library decide
    kind = PhoneNumberType.UNKNOWN
    plans = plan_set.plans
    region_plan: _Plan | None = None
    if len(plans) == 1:
        region_plan = plans[0]
    else:  # phonenumberutil._region_code_for_number_from_list
        for plan in plans:
            if plan.leading_digits is not None:
                if plan.leading_digits.match(nsn):
                    region_plan = plan
                    break
            else:
                kind = plan.number_type(nsn)
                if kind != PhoneNumberType.UNKNOWN:
                    region_plan = plan
                    break
    if region_plan is None or region_plan.country_code != code:
        return None
    if kind == PhoneNumberType.UNKNOWN:
        kind = region_plan.number_type(nsn)
        if kind == PhoneNumberType.UNKNOWN:
            return None
    return PhoneInfo(value, _PHONE_TYPES.get(kind, "other"), region_plan.region)


# -- residence and age ------------------------------------------------------------------------

def country_from_locale(locale: str | None) -> str | None:
    """'de-DE' -> 'DE', 'zh_CN' -> 'CN'; a bare language says nothing about residence."""
    if not locale:
        return None
    parts = re.split(r"[-_]", locale)
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    return None


def valid_locale(value: str) -> bool:
    return len(value) <= _MAX_LOCALE and _LOCALE.fullmatch(value) is not None


def birth_date(value: str | None, today: date) -> date | None:
    """An ISO date (a timestamp's date part too) that is not in the future, else None."""
    if not value:
        return None
    try:
        born = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return born if born <= today else None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# -- push targets -----------------------------------------------------------------------------

PUSH_SCHEMES_ENV = "BREACHFLOW_PUSH_SCHEMES"
# Apprise schemes that send a request to whatever URL they are given, or mail: never a
# person's push target, whatever the configuration lists.
NEVER_PUSH_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "apprise",
                                "apprises", "mailto", "mailtos", "http", "https"})
# Push services whose Apprise plugin always calls the vendor's own API: the URL's "host"
# part is a key or an account, not a server to connect to.
FIXED_HOST_PUSH_SCHEMES = frozenset({"fcm", "onesignal", "pushy", "pover", "pushover", "kumulos",
                                     "pbul", "pushbullet", "pushed", "spush", "psafer", "psafers"})
_PUSH_TARGET = re.compile(r"[!-~]{1,2048}")  # one word of printable ASCII
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa",
                     ".corp", ".localdomain")


def push_schemes() -> frozenset[str]:
    """The schemes a whole-URL push target may use: BREACHFLOW_PUSH_SCHEMES (default none)."""
    raw = os.environ.get(PUSH_SCHEMES_ENV, "")
    return frozenset(s.strip().lower() for s in raw.split(",") if s.strip()) - NEVER_PUSH_SCHEMES


def push_host(target: str) -> str | None:
    """The host part of a whole-URL target (lower case, no port, no brackets)."""
    netloc = target.partition("://")[2].split("/", 1)[0].rpartition("@")[2]
    host = netloc[1:].partition("]")[0] if netloc.startswith("[") else netloc.partition(":")[0]
    return host.lower().rstrip(".") or None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton reads what the resolver reads too: "127.1", "2130706433", "0x7f.0.0.1".
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return bool(address.is_global) and not address.is_multicast


def public_host(host: str) -> bool:
    """False for a loopback, private, link-local or otherwise non-public address and for names
    that only make sense inside a network (localhost, single labels, .local, .internal …)."""
    address = _address(host)
    if address is not None:
        return _public_address(address)
    return not (host == "localhost" or "." not in host or host.endswith(_PRIVATE_SUFFIXES))


@lru_cache(maxsize=4096)
def resolves_public(host: str) -> bool:
    """Every address `host` resolves to is public (checked when sending: a public-looking name
    may point at 127.0.0.1). False when it does not resolve."""
    if not public_host(host):
        return False
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = [_address(str(info[4][0]).partition("%")[0]) for info in found]
    return bool(addresses) and all(a is not None and _public_address(a) for a in addresses)


def push_target_problem(value: str, *, schemes: frozenset[str]) -> str | None:
    """Why a directory's push target may not be used; None when it may.

    A device token (no `://`) is for the configured push service (BREACHFLOW_PUSH_URL), which
    gets it URL-quoted in its path, so it cannot change where the request goes. A whole URL
    is used only when its scheme is one the operator allows (`schemes`, never a generic HTTP
    or mail scheme), it carries no query or fragment (Apprise reads `method=`, `+Header=`,
    `-param`, `:payload` and `keyfile=` from there) and, unless the plugin always calls its
    vendor's API, its host is public (not loopback, private, link-local or a local name)."""
    if not _PUSH_TARGET.fullmatch(value):
        return "malformed"
    scheme, sep, rest = value.partition("://")
    if not sep:
        return None
    scheme = scheme.lower()
    if scheme in NEVER_PUSH_SCHEMES or scheme not in schemes:
        return "scheme-not-allowed"
    if "?" in rest or "#" in rest:
        return "url-parameters"
    if scheme in FIXED_HOST_PUSH_SCHEMES:
        return None
    host = push_host(value)
    if host is None:
        return "no-host"
    return None if public_host(host) else "non-public-host"
