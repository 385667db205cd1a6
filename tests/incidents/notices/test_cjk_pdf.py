"""Issue 15 (polish) and point 10: Japanese and Chinese letters and reports as PDFs. ReportLab's
built-in CID fonts need no font file; the document's language picks the font (a Japanese
paragraph of kanji only, 拝啓 or 敬具, is Japanese), lines break between CJK characters within
the margins, and a CJK run in a Latin paragraph gets its own font. Checked by extracting the
text back with pdftotext (poppler), as a reader's copy-and-paste or a screen reader would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from freezegun import freeze_time

from incidents.notices import generation
from incidents.rendering.letter_pdf import letter_pdf
from incidents.rendering.pdf import html_to_pdf
from tests.incidents.notices import helpers

CATEGORIES = ("name", "email", "password", "date_of_birth")


def _html(codes: tuple[str, ...], locale: str, channel: str) -> str:
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, CATEGORIES),
            selection=helpers.selection(codes, CATEGORIES),
            citations=[law.citation for law in helpers.laws(codes, CATEGORIES)],
            authorities=True, channels=(channel,))
    html = out[0].html
    assert html is not None
    return html


def _text(pdf: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _squeezed(text: str) -> str:
    # The Japanese CID font's one glyph for ～ (fullwidth tilde) reads back as 〜 (wave dash).
    return re.sub(r"\s+", "", text).replace("\uff5e", "\u301c")


def _paragraphs(html: str) -> list[str]:
    main = re.sub(r'<div class="window">.*?</div>', "", html[html.index("<main"):], flags=re.S)
    found = re.findall(r"<(?:p|h1|h2|li)[^>]*>(.*?)</(?:p|h1|h2|li)>", main, flags=re.S)
    return [t for t in (re.sub(r"<[^>]+>", "", f).strip() for f in found) if t]


def _within_margins(pdf: bytes, tmp_path: Path) -> None:
    layout = _text(pdf, tmp_path, "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', layout))
    assert right <= width - 40, (right, width)  # 20 mm margins, lines broken inside them


def test_japanese_letter_reads_back_in_japanese_fonts(tmp_path) -> None:
    html = _html(("JP",), "ja", "letter")
    recipient = ["山田 太郎 様", "〒100-0001", "東京都千代田区千代田1-1"]
    pdf, pages = letter_pdf(html, recipient=recipient, paper="a4", reference="R-1")
    text = _squeezed(_text(pdf, tmp_path))
    for paragraph in _paragraphs(html) + recipient:
        assert _squeezed(paragraph) in text, paragraph
    assert b"HeiseiMin-W3" in pdf and b"STSong-Light" not in pdf  # 拝啓 is not set in Chinese
    _within_margins(pdf, tmp_path)
    assert pages >= 1


def test_chinese_report_and_letter_read_back(tmp_path) -> None:
    html = _html(("CN",), "zh-CN", "email")
    pdf = html_to_pdf(html, title="个人信息安全事件告知")
    text = _squeezed(_text(pdf, tmp_path))
    for paragraph in _paragraphs(html):
        assert _squeezed(paragraph) in text, paragraph
    assert b"STSong-Light" in pdf and b"Heisei" not in pdf
    _within_margins(pdf, tmp_path)
    letter = _html(("CN",), "zh-CN", "letter")
    pdf, _ = letter_pdf(letter, recipient=["张伟", "北京市朝阳区建国路1号"], paper="a4", reference="R-2")
    assert "北京市朝阳区建国路1号" in _squeezed(_text(pdf, tmp_path))
    # 此致 indented on its own line, 敬礼！ flush left on the next, then the signature.
    layout = _text(pdf, tmp_path, "-bbox")
    x = {w: float(re.search(rf'xMin="([\d.]+)"[^>]*>{w}<', layout).group(1)) for w in ("此致", "敬礼！")}
    assert x["此致"] > x["敬礼！"] + 15
    lines = [line.strip() for line in _text(pdf, tmp_path, "-layout").splitlines()]
    assert lines.index("此致") + 1 == lines.index("敬礼！")


def test_a_cjk_run_in_a_latin_paragraph_keeps_both_scripts(tmp_path) -> None:
    html = ('<html lang="en"><body><main><p>Under Article 57 of the 《中华人民共和国个人信息保护法》'
            ' the company told everyone.</p></main></body></html>')
    pdf = html_to_pdf(html, title="mixed")
    text = _squeezed(_text(pdf, tmp_path))
    assert _squeezed("Under Article 57 of the 《中华人民共和国个人信息保护法》 the company told") in text
    assert b"Vera" in pdf and b"STSong-Light" in pdf
    letter = _html(("GB",), "en", "letter")
    pdf, _ = letter_pdf(letter, recipient=["Wei Zhang 张伟", "1 High Street"], paper="a4", reference="R-3")
    assert "WeiZhang张伟" in _squeezed(_text(pdf, tmp_path))
