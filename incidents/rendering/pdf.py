"""PDF of a rendered report with ReportLab (pure Python wheels, no system packages).

The PDF is laid out from the report's own HTML (headings, paragraphs, lists, tables, preformatted
sample notice), so it says exactly what the HTML says. Latin text uses the Bitstream Vera font
that ReportLab ships; Chinese and Japanese use ReportLab's built-in CID fonts (STSong-Light,
HeiseiMin-W3), which PDF readers supply, so nothing has to be installed on the machine.
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

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Bold", str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    _fonts_ready = True


def _font(text: str, *, bold: bool = False) -> str:
    if _KANA.search(text):
        return "HeiseiMin-W3"
    if _CJK.search(text):
        return "STSong-Light"
    return "Vera-Bold" if bold else "Vera"


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
        text = raw.strip("\n") if self.pre else re.sub(r"\s+", " ", raw).strip()
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
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    base = getSampleStyleSheet()

    def style(name: str, text: str) -> ParagraphStyle:
        parents = {"h1": base["Title"], "h2": base["Heading2"], "h3": base["Heading3"]}
        parent = parents.get(name, base["BodyText"])
        size = {"h1": 16, "h2": 13, "h3": 12}.get(name, 10)
        return ParagraphStyle(f"{name}-{_font(text)}", parent=parent,
                              fontName=_font(text, bold=name != "p"), fontSize=size,
                              leading=size * 1.35, wordWrap="CJK" if _CJK.search(text) else None)

    def para(text: str, kind: str = "p") -> Paragraph:
        body = escape(text).replace("\n", "<br/>") if kind == "pre" else escape(text)
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
