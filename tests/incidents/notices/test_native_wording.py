"""Issue 15 (polish): the French, Spanish and Chinese notices read as written in the language,
not translated from English. Calques a native reader (and a privacy lawyer) stopped at, by
catalog; each must stay out of every message, jurisdiction overrides included."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest

from incidents.rendering import render

CALQUES = {
    "fr": ("Attendez-vous à", "placer une alerte", "placer un gel", "pour vos dossiers",
           "parcourir avec vous", "Ceci est un avis", "Veuillez agréer nos salutations",
           "que vous ne reconnaissez pas", "Nous regrettons sincèrement"),
    "es": ("Cuente con intentos", "colocar una alerta", "Considere colocar", "para sus archivos",
           "repasarla con usted", "Este es un aviso", "Lamentamos sinceramente"),
    "zh-CN": ("不认识的", "不公平对待", "每 12 个月"),
}


def _walk(table: dict[str, object], where: str) -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _walk(value, f"{where}{key}.")
        elif isinstance(value, list):
            yield from ((f"{where}{key}", str(v)) for v in value)
        else:
            yield f"{where}{key}", str(value)


def _messages(locale: str) -> Iterator[tuple[str, str]]:
    files = [render.root() / locale / "messages.toml",
             *render.root().glob(f"jurisdictions/*/{locale}/messages.toml")]
    for path in files:
        yield from _walk(tomllib.loads(path.read_text(encoding="utf-8")), f"{path}:")


@pytest.mark.parametrize("locale", sorted(CALQUES))
def test_no_calques_from_english(locale: str) -> None:
    for where, text in _messages(locale):
        for calque in CALQUES[locale]:
            assert calque not in text, (where, calque)


def test_a_chinese_letter_closes_with_cizhi_jingli() -> None:
    closing = tomllib.loads((render.root() / "zh-CN" / "messages.toml").read_text(encoding="utf-8"))
    # 此致 alone leaves the salutation open: 敬礼！ follows on its own line
    assert (closing["letter"]["closing"], closing["letter"]["closing_after"]) == ("此致", "敬礼！")
