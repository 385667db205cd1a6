"""Golden notices: the exact text of representative notices, reviewed in diffs.

Regenerate after an intended change with `scripts/update-notice-goldens` (it sets
BREACHFLOW_UPDATE_GOLDENS=1 and runs this file), then review `git diff tests/incidents/notices/goldens`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from freezegun import freeze_time

from incidents.notices import generation
from tests.incidents.notices import helpers

GOLDENS = Path(__file__).parent / "goldens"
UPDATE = os.environ.get("BREACHFLOW_UPDATE_GOLDENS") == "1"
CASES = {
    "us-ca.en": (("US-CA",), "en", ("name", "email", "password", "ssn")),
    "us-ca.es": (("US-CA",), "es", ("name", "email", "password", "ssn")),
    "us-ma.en": (("US-MA",), "en", ("name", "ssn", "financial_account")),
    "us-ny.en": (("US-NY",), "en", ("name", "email", "password")),
    "us-hipaa.en": (("US-TX", "US-HIPAA"), "en", ("name", "health", "health_insurance")),
    "cn.zh-CN": (("CN",), "zh-CN", ("name", "phone", "national_id", "precise_location")),
    "eu.de": (("EU",), "de", ("name", "email", "password", "date_of_birth")),
    "eu.fr": (("EU",), "fr", ("name", "email", "payment_card")),
    "eu.es": (("EU",), "es", ("name", "email", "password")),
    "gb.en": (("GB",), "en", ("name", "email", "password")),
    "ca.fr": (("CA",), "fr", ("name", "email", "financial_account")),
    "jp.ja": (("JP",), "ja", ("name", "email", "password", "payment_card")),
    "unknown.en": ((), "en", ("name", "email")),
}
SUFFIX = {"email": "email.txt", "sms": "sms.txt", "voice": "voice.txt", "push": "push.txt",
          "letter": "letter.txt", "page": "page.html"}


def _render(case: str) -> dict[str, str]:
    codes, locale, categories = CASES[case]
    selection = helpers.selection(codes, categories)
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, categories), selection=selection,
            citations=[law.citation for law in helpers.laws(codes, categories)], authorities=True)
    files = {}
    for r in out:
        body = r.html if SUFFIX[r.channel].endswith(".html") else r.text
        files[f"{case}.{SUFFIX[r.channel]}"] = f"Subject: {r.subject}\n\n{body}"
    return files


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    for name, text in _render(case).items():
        path = GOLDENS / name
        if UPDATE:
            path.write_text(text, encoding="utf-8")
            continue
        assert path.exists(), f"{name}: no golden yet; run scripts/update-notice-goldens"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} changed; review it and run scripts/update-notice-goldens if intended")
