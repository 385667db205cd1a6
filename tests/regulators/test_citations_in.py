"""Issue 15 point 7 (and the announcement): a law is cited in each reader's language by the
jurisdiction module that names it. A module that names its law per locale names every law a
person or the public is told about: the notice's and the substitute notice's (which the
public announcement cites), so a Chinese or Japanese page never falls back to English."""

from __future__ import annotations

import pytest

from regulators import all_regulators, cite

LOCALES = ("en", "de", "fr", "es", "ja", "zh-CN")  # the catalogs under templates/notifications


@pytest.mark.parametrize("regulator", [r for r in all_regulators() if r.citations_in],
                         ids=lambda r: r.code)
def test_every_citation_told_to_people_is_named_in_every_locale(regulator) -> None:
    told = {d.citation for d in regulator.duties if d.audience in ("individuals", "public")}
    if regulator.substitute is not None:
        told.add(regulator.substitute.citation)
    for citation in sorted(told):
        named = regulator.citations_in.get(citation, {})
        missing = [locale for locale in LOCALES if locale not in named]
        assert not missing, (regulator.code, citation, missing)
        assert all(cite(citation, locale) == named[locale] for locale in LOCALES)
