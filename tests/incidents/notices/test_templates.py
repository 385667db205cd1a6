"""Every notice channel rendered for every jurisdiction x locale, checked against the law."""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from incidents.notices import generation, segments
from incidents.notices import page as notice_page
from incidents.notices.elements import BASELINE, POLICY_PROMISES
from incidents.rendering import render
from regulators.registry import codes
from tests.incidents.notices import helpers

LOCALES = ("en", "zh-CN", "de", "fr", "es", "ja")
CATEGORIES = helpers.ALL_CATEGORIES
HTML_CHANNELS = ("email", "letter", "page")


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.h2: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in ("h1", "h2"):
            self._in = tag
            getattr(self, tag).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            getattr(self, self._in)[-1] += data


def headings(html: str) -> _Headings:
    parser = _Headings()
    parser.feed(html)
    return parser


def render_all(code_list: tuple[str, ...], locale: str, *, guardian: bool = False,
               categories: tuple[str, ...] = CATEGORIES,
               **incident: object) -> dict[str, generation.Rendered]:
    selection = helpers.selection(code_list, categories)
    group = generation.Group(code_list, locale, categories, guardian)
    out = generation.render_group(helpers.incident(**incident), group, selection=selection,
                                  citations=[law.citation for law in helpers.laws(code_list, categories)],
                                  authorities=True)
    return {r.channel: r for r in out}


def test_every_locale_has_every_message() -> None:
    def keys(table: dict[str, object], prefix: str = "") -> set[str]:
        found = set()
        for key, value in table.items():
            found.add(prefix + key)
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    root = render.root()
    english = keys(tomllib.loads((root / "en" / "messages.toml").read_text()))
    assert set(render.locales()) >= set(LOCALES)
    for locale in render.locales():
        assert keys(tomllib.loads((root / locale / "messages.toml").read_text())) == english, locale
    for override in (root / "jurisdictions").glob("*/*/messages.toml"):
        assert keys(tomllib.loads(override.read_text())) <= english, override


@pytest.mark.parametrize("code", codes())
def test_every_jurisdiction_in_every_locale(code: str) -> None:
    selection = helpers.selection((code,), CATEGORIES)
    required = {e for law in helpers.laws((code,), CATEGORIES) for e in law.required}
    prohibited = {e for law in helpers.laws((code,), CATEGORIES) for e in law.prohibited} - required
    for locale in LOCALES:
        rendered = render_all((code,), locale)
        assert set(rendered) == set(generation.CHANNELS)
        for channel in HTML_CHANNELS:
            present = generation.elements_in(rendered[channel].html or "")
            assert required <= present, (code, locale, channel, required - present)
            assert not prohibited & present, (code, locale, channel, prohibited & present)
            # The privacy policy's four promises, unless a law forbids one (Massachusetts).
            for promise, needed in POLICY_PROMISES.items():
                if not set(needed) & prohibited:
                    assert set(needed) <= present, (code, locale, promise)
            assert set(selection.elements) <= present | {"notice_date"}
            assert "font-size:9" not in rendered[channel].html and "<small" not in rendered[channel].html
        sms = rendered["sms"].text
        assert segments.segments(sms) <= 2, (code, locale, sms)
        assert notice_page.placeholder_url() in sms
        assert notice_page.placeholder_url() in rendered["push"].text
        for channel in ("email", "letter", "page"):
            assert rendered[channel].text.strip() and "{" not in rendered[channel].text


@pytest.mark.parametrize("locale", LOCALES)
def test_california_title_headings_and_type_size(locale: str) -> None:
    rendered = render_all(("US-CA",), locale)
    statutory = ["What Happened", "What Information Was Involved", "What We Are Doing",
                 "What You Can Do", "For More Information"]
    for channel in HTML_CHANNELS:
        html = rendered[channel].html or ""
        found = headings(html)
        assert any("Notice of Data Breach" in h for h in found.h1)
        assert len(found.h2) == 5
        for heading, words in zip(found.h2, statutory, strict=True):
            assert words in heading
        sizes = [int(n) for n in re.findall(r"font-size:(\d+)pt", html)]
        assert sizes and min(sizes) >= 10


def test_massachusetts_never_states_the_nature_or_number() -> None:
    for locale in LOCALES:
        rendered = render_all(("US-MA",), locale, categories=("name", "ssn"))
        html = rendered["email"].html or ""
        present = generation.elements_in(html)
        assert "what_happened" not in present and "number_affected" not in present
        assert {"police_report_right", "security_freeze", "credit_monitoring"} <= present
        # Not even indirectly: the incident's own words stay out.
        assert "attacker" not in rendered["email"].text.lower()
        assert "Credential stuffing" not in rendered["email"].text


def test_massachusetts_prohibition_yields_to_hipaa() -> None:
    rendered = render_all(("US-MA", "US-HIPAA"), "en", categories=("name", "ssn", "health"))
    present = generation.elements_in(rendered["email"].html or "")
    assert {"what_happened", "date_of_breach", "date_of_discovery"} <= present


def test_china_uses_the_gbt_35273_items_as_headings() -> None:
    found = headings(render_all(("CN",), "zh-CN")["email"].html or "")
    assert found.h2 == ["事件的基本情况和可能的影响", "已采取或将要采取的处置措施",
                        "您可自主防范和降低风险的建议", "为您提供的补救措施",
                        "个人信息保护负责人及联系方式"]


def test_gdpr_article_34_2_content() -> None:
    for locale in LOCALES:
        present = generation.elements_in(render_all(("EU",), locale)["email"].html or "")
        assert {"what_happened", "dpo_contact", "likely_consequences", "measures_taken"} <= present


def test_hipaa_contact_procedures() -> None:
    text = render_all(("US-HIPAA",), "en")["email"].text
    for needed in ("Toll-free: +1 800 555 0199", "E-mail: privacy@", "Website: https://", "Post: "):
        assert needed in text


def test_notice_lists_the_persons_own_categories_and_advice() -> None:
    only_email = render_all(("EU",), "en", categories=("name", "email"))["email"].text
    assert "Password" not in only_email and "Change your password now" not in only_email
    with_card = render_all(("EU",), "en", categories=("name", "payment_card"))["email"].text
    assert "Payment card details" in with_card and "block and replace the card" in with_card
    assert "E-mail address" not in with_card


def test_guardian_notice_speaks_to_the_guardian() -> None:
    rendered = render_all(("CN",), "zh-CN", guardian=True)
    assert "监护" in rendered["email"].subject and "监护" in rendered["sms"].text
    assert "家长或监护人" in rendered["email"].text


def test_missing_value_fails_the_render() -> None:
    org = helpers.incident().org | {}
    del org["toll_free_number"]
    with pytest.raises(Exception, match="toll_free_number"):
        render_all(("CA",), "en", org=org)


HOSTILE = {
    "name": "<script>alert(1)</script> & Söhne {org} {{ 7*7 }} 🚀 شركة المثال " + "Ω" * 300,
    "remedy": {"vendor": "<b>free</b> monitoring {remedy}", "product": "<script>x</script>",
               "months": 24, "enrol_url": "javascript:alert(1)", "enrol_by": "2027-01-01",
               "help_line": "<img src=x>", "activation_codes": True, "text": {}},
    "contact_email": "a@b.example\"><img src=x>",
    "postal_address": "‮evil‬ Street", "website": "javascript:alert(1)",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_hostile_values_cannot_break_escaping_or_the_sms_rule(locale: str) -> None:
    org = helpers.incident().org | HOSTILE
    rendered = render_all(("US-CA", "US-HIPAA"), locale, org=org,
                          summary="<iframe src=x></iframe> {summary}", title="</section><h1>x")
    for channel in HTML_CHANNELS:
        html = rendered[channel].html or ""
        assert "<script" not in html and "<img" not in html and "<iframe" not in html
        assert "&lt;script&gt;" in html
        assert "<h1>x" not in html and "{{ 7*7 }}" in html
        assert "<bdi>" in html  # the Arabic part of the name is isolated
        assert len(headings(html).h1) == 1
    sms = rendered["sms"].text
    assert segments.segments(sms) <= 2 and notice_page.placeholder_url() in sms
    assert "{{ 7*7 }}" in rendered["email"].subject  # a value is never read as a template


def test_sms_of_a_very_long_name_is_shortened_not_dropped() -> None:
    org = helpers.incident().org | {"name": "Example " * 80}
    sms = render_all(("EU",), "en", org=org)["sms"].text
    assert segments.segments(sms) <= 2 and sms.endswith(notice_page.placeholder_url())
    assert sms.startswith("Example") and "…" in sms


def test_layouts_reference_only_known_elements() -> None:
    from regulators.content import ELEMENTS

    text = (render.root() / "layouts" / "_elements.html.j2").read_text()
    named = set(re.findall(r'name == "([a-z_]+)"', text))
    assert named <= set(ELEMENTS) and set(BASELINE) <= named
    for form in Path(render.root()).rglob("form.toml"):
        placed = {e for part in tomllib.loads(form.read_text())["part"] for e in part["elements"]}
        assert placed <= named, form
