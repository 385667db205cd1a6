"""The one Jinja2 environment for notices, announcements and reports.

Sandboxed (templates are legal text that lawyers edit), autoescaped for HTML, and strict: a
missing value is an error, never a blank in a legal document.

The folder `templates/notifications/` holds:
    layouts/<name>                       one layout per channel and document, locale-neutral
    <locale>/messages.toml               every sentence of a notice in one language
    form.toml                            the default order of headings and the elements under each
    jurisdictions/<code>/form.toml       a form the law prescribes (California, China)
    jurisdictions/<code>/<locale>/messages.toml   wording the law prescribes, per language
    jurisdictions/<code>/<name>          a layout part of one jurisdiction (report form fields)
Template lookup: a jurisdiction's override in the locale, the jurisdiction's, the locale's,
then the shared layout. Messages: the locale's, overlaid by each jurisdiction's in that locale.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, pass_context, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from incidents import config

DEFAULT_LOCALE = "en"
LAYOUTS = "layouts"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Unicode isolates keep a right-to-left value from reordering the sentence around it.
FSI, PDI = "\u2068", "\u2069"


@cache
def root() -> Path:
    return config.load().templates_dir / "notifications"


def _rtl(value: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in value)


def _shown(value: Any, *, html: bool) -> str:
    if html and isinstance(value, Markup):
        return str(value)
    text = str(value)
    if html:
        return f"<bdi>{escape(text)}</bdi>" if _rtl(text) else str(escape(text))
    return f"{FSI}{text}{PDI}" if _rtl(text) else text


def fill_text(text: str, values: dict[str, Any], *, html: bool) -> str:
    """Put values into a message's {placeholders} in one pass: a value is never re-read as a
    template, and in HTML the message and the values are escaped separately."""
    out: list[str] = []
    previous = ""
    for index, piece in enumerate(_PLACEHOLDER.split(text)):
        if index % 2:
            if piece not in values:
                raise KeyError(f"message placeholder {{{piece}}} has no value")
            previous = str(values[piece])
            out.append(_shown(values[piece], html=html))
            continue
        if previous.endswith(".") and piece.startswith("."):
            piece = piece[1:]  # "Example Ltd." then "." reads "Example Ltd."
        out.append(str(escape(piece)) if html else piece)
    return "".join(out)


def _in_locale(value: str | dict[str, str] | None, locale: str) -> str:
    """An org text given per language (a table of locale -> text): the reader's, else their
    language's, else English; plain text as it is."""
    if not isinstance(value, dict):
        return value or ""
    return (value.get(locale) or value.get(locale.split("-")[0]) or value.get("en")
            or next(iter(value.values()), ""))


@pass_eval_context
def _fill(eval_ctx: EvalContext, text: str, **values: Any) -> str | Markup:
    if eval_ctx.autoescape:
        return Markup(fill_text(str(text), values, html=True))  # noqa: S704 - parts escaped
    return fill_text(str(text), values, html=False)


# Our locales -> CLDR's. English is British unless the notice is for US readers (`babel_locale`).
_CLDR = {"en": "en_GB", "en-US": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "ja": "ja_JP",
         "zh-CN": "zh_Hans_CN"}
# CLDR has no ordinal day in its date patterns; French writes the first of the month "1er".
_FIRST_OF_MONTH = {"fr": ("1 ", "1er ")}


def cldr_locale(locale: str, jurisdictions: Sequence[str] = ()) -> str:
    """The CLDR locale a notice formats its dates and numbers in: US English for US readers."""
    if locale == "en" and any(code.startswith("US") for code in jurisdictions):
        return _CLDR["en-US"]
    return _CLDR.get(locale, _CLDR.get(locale.split("-")[0], "en_GB"))


def long_date(value: datetime | date | str | None, locale: str) -> str:
    """The date as a reader of `locale` (a CLDR locale) writes it: 5 December 2026,
    December 5, 2026, 5. Dezember 2026, 1er décembre 2026, 2026年12月5日."""
    if value is None:
        raise ValueError("a date required by the notice is missing")
    if isinstance(value, str):  # a date (enrol-by) or a timestamp (a JSON document's)
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    day = value.date() if isinstance(value, datetime) else value
    text = str(format_date(day, format="long", locale=locale))
    plain, ordinal = _FIRST_OF_MONTH.get(locale.split("_")[0], ("", ""))
    if plain and day.day == 1 and text.startswith(plain):
        text = ordinal + text[len(plain):]
    return text


def _context_locale(context: Context) -> str:
    found = context.get("babel_locale")
    if found:
        return str(found)
    return cldr_locale(str(context.get("locale") or context.get("lang") or DEFAULT_LOCALE))


@pass_context
def _ldate(context: Context, value: datetime | date | str | None) -> str:
    return long_date(value, _context_locale(context))


@pass_context
def _number(context: Context, value: int | float) -> str:
    """A count as the reader writes it: 12,000 / 12.000 / 12 000."""
    return str(format_decimal(value, locale=_context_locale(context)))


@cache
def environment(folder: Path | None = None) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(folder or root())),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["in_locale"] = _in_locale
    env.filters["fill"] = _fill
    env.filters["ldate"] = _ldate
    env.filters["number"] = _number
    env.filters["pick"] = lambda keys, mapping: [mapping[key] for key in keys]
    # A variant where it has the key (a guardian's wording), else the general message.
    env.filters["pick_either"] = lambda keys, first, second: [first.get(k) or second[k] for k in keys]
    env.filters["date"] = lambda value: value.strftime("%Y-%m-%d") if value else "—"
    env.filters["datetime"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
    return env


@cache
def locales() -> tuple[str, ...]:
    """The locales that have a message catalog (folders named like 'en', 'zh-CN')."""
    return tuple(sorted(p.name for p in root().iterdir()
                        if p.is_dir() and re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", p.name)
                        and (p / "messages.toml").is_file()))


def locale_for(requested: str | None) -> str:
    """The best locale we have templates for: exact, then language, then English."""
    if not requested:
        return DEFAULT_LOCALE
    parts = re.split(r"[-_]", requested)
    language = parts[0].lower()
    exact = f"{language}-{parts[1].upper()}" if len(parts) > 1 else language
    available = locales()
    for candidate in (exact, language):
        if candidate in available:
            return candidate
    for candidate in available:
        if candidate.split("-")[0] == language:
            return candidate
    return DEFAULT_LOCALE


def candidates(name: str, *, locale: str, jurisdictions: Sequence[str] = ()) -> list[str]:
    """Lookup order: a jurisdiction's override in the locale, the jurisdiction's, the
    locale's, then the shared layout."""
    found = [f"jurisdictions/{code}/{locale}/{name}" for code in jurisdictions]
    found += [f"jurisdictions/{code}/{name}" for code in jurisdictions]
    found += [f"{locale}/{name}", f"{LAYOUTS}/{name}"]
    return list(dict.fromkeys(found))


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _catalog(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def messages(locale: str, jurisdictions: Sequence[str] = ()) -> dict[str, Any]:
    """The locale's messages overlaid by each jurisdiction's wording in that locale."""
    return _messages(locale, tuple(jurisdictions))


@cache
def _messages(locale: str, jurisdictions: tuple[str, ...]) -> dict[str, Any]:
    base = root()
    merged = _catalog(base / locale / "messages.toml")
    if locale == "en" and any(code.startswith("US") for code in jurisdictions):
        merged = _merge(merged, _catalog(base / "en" / "us.toml"))  # US English for US readers
    for code in jurisdictions:
        override = base / "jurisdictions" / code / locale / "messages.toml"
        if override.is_file():
            merged = _merge(merged, _catalog(override))
    return merged


def form(jurisdictions: Sequence[str] = ()) -> dict[str, Any]:
    """The prescribed form of the first jurisdiction that has one, else the default form."""
    return _form(tuple(jurisdictions))


@cache
def _form(jurisdictions: tuple[str, ...]) -> dict[str, Any]:
    base = root()
    for code in jurisdictions:
        path = base / "jurisdictions" / code / "form.toml"
        if path.is_file():
            return {"jurisdiction": code, **_catalog(path)}
    return {"jurisdiction": None, **_catalog(base / "form.toml")}


def render(name: str, context: dict[str, Any], *, locale: str = DEFAULT_LOCALE,
           jurisdictions: Sequence[str] = ()) -> tuple[str, str]:
    """(template actually used, rendered text)."""
    template = environment().select_template(candidates(name, locale=locale,
                                                        jurisdictions=jurisdictions))
    return str(template.name), template.render(context)


def content_hash(*parts: str | None) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode())
        digest.update(b"\x00")
    return digest.hexdigest()
