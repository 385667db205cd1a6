"""The one Jinja2 environment for notices, announcements and reports.

Sandboxed (templates are legal text that lawyers edit), autoescaped for HTML, and strict: a
missing value is an error, never a blank in a legal document."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from incidents import config

DEFAULT_LOCALE = "en"


@cache
def environment(root: Path | None = None) -> ImmutableSandboxedEnvironment:
    root = root or config.load().templates_dir / "notifications"
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(root)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = lambda value: value.strftime("%Y-%m-%d") if value else "—"
    env.filters["datetime"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
    return env


@cache
def locales() -> tuple[str, ...]:
    """The locales that have templates (folders named like 'en', 'zh-CN')."""
    root = config.load().templates_dir / "notifications"
    return tuple(sorted(p.name for p in root.iterdir()
                        if p.is_dir() and re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", p.name)))


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


def candidates(name: str, *, locale: str, jurisdictions: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Lookup order: a jurisdiction's override in the locale, then the locale, then English."""
    found = [f"jurisdictions/{code}/{locale}/{name}" for code in jurisdictions]
    found += [f"{locale}/{name}", f"{DEFAULT_LOCALE}/{name}"]
    return list(dict.fromkeys(found))


def render(name: str, context: dict[str, Any], *, locale: str = DEFAULT_LOCALE,
           jurisdictions: list[str] | tuple[str, ...] = ()) -> tuple[str, str]:
    """(template actually used, rendered text)."""
    template = environment().select_template(candidates(name, locale=locale, jurisdictions=jurisdictions))
    return str(template.name), template.render(context)


def content_hash(*parts: str | None) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode())
        digest.update(b"\x00")
    return digest.hexdigest()
