"""PDF of a rendered report with ReportLab (pure Python wheels, no system packages).

The PDF is laid out from the report's own HTML (headings, paragraphs, lists, tables, preformatted
sample notice), so it says exactly what the HTML says. Latin text uses the Bitstream Vera font
that ReportLab ships; Chinese and Japanese use ReportLab's built-in CID fonts (STSong-Light;
HeiseiMin-W3 for text and HeiseiKakuGo-W5 for headings), which PDF readers supply, so nothing
has to be installed on the machine.

The document's language (`<html lang>`) picks the CJK font: a Japanese paragraph of kanji only
(拝啓, 敬具, 報告先) is Japanese, not Chinese, and a Chinese font may lack Japanese forms. A
ReportLab paragraph has one font, so in a Chinese or Japanese document every paragraph is set in
the CID font (which has Latin letters too) with CJK line breaking (no spaces between words);
in any other document, CJK runs inside a Latin paragraph switch font for the run.
"""

from __future__ import annotations

import io
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import reportlab  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_LANG = re.compile(r"<html[^>]*\blang=\"([A-Za-z-]+)\"")
# (regular, bold) per script; ReportLab's CID fonts have no bold Chinese face.
_FONTS = {"ja": ("HeiseiMin-W3", "HeiseiKakuGo-W5"), "zh": ("STSong-Light", "STSong-Light"),
          "latin": ("Vera", "Vera-Bold")}
_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Bold", str(folder / "VeraBd.ttf")))
    for name in ("STSong-Light", "HeiseiMin-W3", "HeiseiKakuGo-W5"):
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    _fonts_ready = True


def language(html: str) -> str:
    found = _LANG.search(html)
    return found.group(1) if found else "en"


def _script(text: str, lang: str) -> str:
    """The CJK script of this text in a document of `lang`: kana is Japanese; kanji alone is
    the document's own (Japanese in a Japanese document), else Chinese."""
    if lang.startswith("ja") or _KANA.search(text):
        return "ja"
    return "zh"


def _font(text: str, *, bold: bool = False, lang: str = "en") -> str:
    """The paragraph's font: the document's CJK font in a Chinese or Japanese document, else
    Vera (CJK runs then get their own font, `markup`)."""
    if lang.startswith(("ja", "zh")) or (_CJK.search(text) and not _LATIN.search(text)):
        return _FONTS[_script(text, lang)][bool(bold)]
    return _FONTS["latin"][bool(bold)]



def markup(text: str, *, lang: str = "en", bold: bool = False) -> str:
    """The paragraph's text as ReportLab markup: escaped, and in a Latin paragraph each CJK run
    wrapped in its own font, since the paragraph's font has no CJK glyphs."""
    if _font(text, lang=lang, bold=bold) not in _FONTS["latin"]:
        return escape(text)
    out, at = [], 0
    for run in _CJK.finditer(text):
        out.append(escape(text[at:run.start()]))
        face = _FONTS[_script(run.group(), lang)][bool(bold)]
        out.append(f'<font face="{face}">{escape(run.group())}</font>')
        at = run.end()
    out.append(escape(text[at:]))
    return "".join(out)


def line_font(text: str, *, lang: str = "en") -> str:
    """The font of a line drawn as one string (an address in an envelope's window): a CJK font
    wherever the line has CJK, since those fonts also have Latin letters."""
    if _CJK.search(text):
        return _FONTS[_script(text, lang)][0]
    return _font(text, lang=lang)


def wrap(text: str, *, lang: str = "en") -> str | None:
    """CJK line breaking (between any two characters) where the paragraph is set in a CJK font."""
    return "CJK" if _font(text, lang=lang) not in _FONTS["latin"] else None


class _Blocks(HTMLParser):
    """Flattens our report HTML into (kind, text | rows) blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, Any]] = []
        self.text: list[str] = []
        self.kind = "p"
        self.skip = 0
        self.items: list[str] | None = None
        self.rows: list[list[str]] | None = None
        self.row: list[str] | None = None
        self.pre = False

    def _flush(self) -> None:
        raw = "".join(self.text)
        # White space collapses, except the ideographic space of 拝啓　平素は…: it is part of the text.
        text = raw.strip("\n") if self.pre else re.sub(r"[^\S\u3000]+", " ", raw).strip()
        self.text = []
        if not text:
            return
        if self.row is not None:
            self.row.append(text)
        elif self.items is not None:
            self.items.append(text)
        else:
            self.blocks.append(("pre" if self.pre else self.kind, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        if tag in ("head", "style", "script", "title"):
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "p", "li", "td", "th", "pre", "section", "blockquote"):
            self._flush()
            self.kind = tag if tag in ("h1", "h2", "h3") else "p"
            self.pre = self.pre or tag == "pre"
        elif tag == "ul":
            self._flush()
            self.items = []
        elif tag == "table":
            self._flush()
            self.rows = []
        elif tag == "tr":
            self.row = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("h1", "h2", "h3", "p", "li", "td", "th", "pre", "section", "blockquote"):
            self._flush()
            self.kind = "p"
            if tag == "pre":
                self.pre = False
        elif tag == "ul" and self.items is not None:
            self._flush()
            self.blocks.append(("ul", self.items))
            self.items = None
        elif tag == "tr" and self.row is not None and self.rows is not None:
            self._flush()
            self.rows.append(self.row)
            self.row = None
        elif tag == "table" and self.rows is not None:
            self.blocks.append(("table", self.rows))
            self.rows = None

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def html_to_pdf(html: str, *, title: str) -> bytes:
    _register_fonts()
    lang = language(html)
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    base = getSampleStyleSheet()

    def style(name: str, text: str) -> ParagraphStyle:
        parents = {"h1": base["Title"], "h2": base["Heading2"], "h3": base["Heading3"]}
        parent = parents.get(name, base["BodyText"])
        size = {"h1": 16, "h2": 13, "h3": 12}.get(name, 10)
        font = _font(text, bold=name != "p", lang=lang)
        return ParagraphStyle(f"{name}-{font}", parent=parent, fontName=font, fontSize=size,
                              leading=size * 1.35, wordWrap=wrap(text, lang=lang))

    def para(text: str, kind: str = "p") -> Paragraph:
        bold = kind not in ("p", "pre")
        body = markup(text, lang=lang, bold=bold)
        if kind == "pre":
            body = body.replace("\n", "<br/>")
        return Paragraph(body, style("p" if kind == "pre" else kind, text))

    story: list[Any] = []
    for kind, content in parser.blocks:
        if kind == "ul":
            story.append(ListFlowable([ListItem(para(item)) for item in content], bulletType="bullet"))
        elif kind == "table":
            width = max(len(r) for r in content)
            rows = [[para(c) for c in r] + [""] * (width - len(r)) for r in content]
            table = Table(rows, colWidths=[55 * mm] + [(170 - 55) * mm / max(1, width - 1)] * (width - 1)
                          if width > 1 else None)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(table)
        else:
            story.append(para(content, kind))
        story.append(Spacer(1, 2 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="breachflow",
                                 leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, invariant=1)
    document.build(story)
    return buffer.getvalue()
