"""The incident's free text (summary, measures taken) in each notice's language.

Responders write it once, in the payload's `language`; `translations` gives it in others. A
notice quotes the text in its reader's language; where no translation exists it quotes the
original, says in which language it is, and the incident `needs_translation` for that locale:
the notices gate and `status --json` say which, so a fact is never silently left out of one
language (a German reader was never told their password had been reset).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from babel import Locale, UnknownLocaleError
from sqlmodel import Session, select

from incidents.models import Incident, Notice
from incidents.rendering import render

FIELDS: Final = ("summary", "measures_taken")


def _language(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].lower()


def _translation(incident: Incident, locale: str) -> dict[str, Any]:
    found = incident.translations or {}
    if locale in found:
        return dict(found[locale])
    for key, value in found.items():
        if render.locale_for(key) == locale:
            return dict(value)
    return {}


def language_name(language: str, *, in_locale: str) -> str:
    """'English' in English, 'Englisch' in German, '英語' in Japanese."""
    try:
        return str(
            Locale.parse(language.replace("-", "_")).get_display_name(render.cldr_locale(in_locale))
            or language
        )
    except (ValueError, UnknownLocaleError):
        return language


def free_text(incident: Incident, locale: str) -> dict[str, dict[str, str] | None]:
    """field -> {"text": ..., "language": name of the original's language if not translated}
    (None where the incident has no such text)."""
    own = _language(locale) == _language(incident.language or "en")
    translated = _translation(incident, locale)
    out: dict[str, dict[str, str] | None] = {}
    for field in FIELDS:
        original = getattr(incident, field)
        if not original:
            out[field] = None
        elif own:
            out[field] = {"text": original, "language": ""}
        elif translated.get(field):
            out[field] = {"text": translated[field], "language": ""}
        else:
            out[field] = {
                "text": original,
                "language": language_name(incident.language or "en", in_locale=locale),
            }
    return out


def missing(incident: Incident, locales: Iterable[str]) -> dict[str, list[str]]:
    """locale -> the free-text fields a notice in it quotes untranslated."""
    found = {}
    for locale in sorted(set(locales)):
        fields = [f for f, value in free_text(incident, locale).items() if value and value["language"]]
        if fields:
            found[locale] = fields
    return found


def needs_translation(session: Session, incident: Incident) -> dict[str, list[str]]:
    """The same, for the locales this incident's notices are in."""
    locales = session.exec(select(Notice.locale).where(Notice.incident_id == incident.id).distinct())
    return missing(incident, list(locales))


def gate_warning(incident_id: str) -> str:
    """What the notices gate says first when a locale lacks a translation ('' when none)."""
    from incidents import db, service

    with db.session() as s:
        found = needs_translation(s, service.get_incident(session=s, incident_id=incident_id))
    if not found:
        return ""
    listed = "; ".join(f"{locale}: {', '.join(fields)}" for locale, fields in found.items())
    return (
        f"Needs translation: notices in these languages quote the incident's text in its "
        f"original language ({listed}). Add `translations` to the incident payload, or "
        "approve knowing they do. "
    )
