"""A print-ready letter: one person's letter notice as a PDF for a window envelope.

The page follows the letter notice's own HTML (`individuals.letter.html.j2`): its `sender`
paragraph becomes the return address and its `window` block the recipient's address, both placed
where an envelope's windows show them; the date and the reference open the text, the signature
closes it. Every word comes from the notice; this module only places it.

Paper and windows:
- US Letter (8.5 × 11 in) for the United States and Canada, tri-folded into a #10 double-window
  envelope: the upper window (3.25 × 0.875 in) 0.625 in from the left edge and 0.875 in from
  the top shows the return address; the lower window (4 × 1 in) 0.625 in from the left and
  2.125 in from the top shows the recipient.
- A4 everywhere else, folded for a DL window envelope as DIN 5008 form B places the address
  field: 20 mm from the left, 45 mm from the top, 85 × 45 mm, the return address in small type on
  its first line and the recipient below it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final

from reportlab.lib.pagesizes import A4, LETTER  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import inch, mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Frame,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
)

from incidents.rendering.pdf import _Blocks, _font, _register_fonts, language, line_font, markup, wrap

# Countries whose post uses US Letter paper and #10 envelopes.
LETTER_PAPER: Final = frozenset({"US", "CA"})


class Window:
    """Where the return address and the recipient's address go (from the page's top-left)."""

    def __init__(self, *, left: float, sender_top: float, sender_height: float, top: float,
                 width: float, height: float, body_top: float, sender_size: float) -> None:
        self.left, self.sender_top, self.sender_height = left, sender_top, sender_height
        self.top, self.width, self.height = top, width, height
        self.body_top, self.sender_size = body_top, sender_size


WINDOWS: Final = {
    "letter": Window(left=0.625 * inch + 8, sender_top=0.875 * inch + 6,
                     sender_height=0.875 * inch - 12, top=2.125 * inch + 6, width=4 * inch - 16,
                     height=1 * inch - 12, body_top=3.5 * inch, sender_size=8),
    "a4": Window(left=20 * mm + 5 * mm, sender_top=45 * mm + 5 * mm, sender_height=12.7 * mm,
                 top=45 * mm + 17.7 * mm, width=85 * mm - 10 * mm, height=27.3 * mm,
                 body_top=100 * mm, sender_size=7),
}
PAGES: Final = {"letter": LETTER, "a4": A4}


def paper_for(country: str) -> str:
    return "letter" if country.upper() in LETTER_PAPER else "a4"


class _LetterBlocks(_Blocks):
    """The report parser, also telling the letter's parts (sender, window, date, ...) apart."""

    ROLES: Final = frozenset({"sender", "date", "reference", "closing", "closing-lead", "signatory",
                              "signatory-title", "signatory-org", "addressee", "from-org",
                              "from", "closing-end"})

    def __init__(self) -> None:
        super().__init__()
        self.window = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = dict(attrs).get("class") or ""
        if tag == "div" and role == "window":
            self._flush()
            self.window += 1
            return
        super().handle_starttag(tag, attrs)
        if tag == "p" and role in self.ROLES:
            self.kind = role
        elif self.window and tag == "p":
            self.kind = "window"

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.window:
            self._flush()
            self.window -= 1
            return
        super().handle_endtag(tag)


def _story(blocks: list[tuple[str, Any]], *, lang: str) -> list[Any]:
    def _style(name: str, text: str, *, size: float, bold: bool = False, space: float = 4,
               align: int = 0, indent: float = 0) -> ParagraphStyle:
        font = _font(text, bold=bold, lang=lang)
        return ParagraphStyle(f"{name}-{font}", fontName=font, fontSize=size, leading=size * 1.3,
                              spaceAfter=space, alignment=align, firstLineIndent=indent,
                              wordWrap=wrap(text, lang=lang))

    def mark(text: str, *, bold: bool = False) -> str:
        return markup(text, lang=lang, bold=bold)

    story: list[Any] = []
    priors = ["", *(kind for kind, _ in blocks)]
    for (kind, content), prior in zip(blocks, priors, strict=False):
        if kind in ("sender", "window"):
            continue  # placed in the windows
        if kind == "ul":
            story.append(ListFlowable(
                [ListItem(Paragraph(mark(item), _style("li", item, size=10.5, space=1)))
                 for item in content], bulletType="bullet", leftIndent=12, spaceAfter=4))
            continue
        if kind == "table":
            for row in content:
                line = " — ".join(row)
                story.append(Paragraph(mark(line), _style("td", line, size=10.5)))
            continue
        text = str(content)
        if kind == "h1":
            story.append(Paragraph(mark(text, bold=True), _style("h1", text, size=14, bold=True, space=8)))
        elif kind in ("h2", "h3"):
            story.append(Spacer(1, 4))
            story.append(Paragraph(mark(text, bold=True), _style("h2", text, size=11.5, bold=True)))
        elif kind in ("date", "reference"):
            story.append(Paragraph(mark(text), _style(kind, text, size=10, space=1, align=2)))
            if kind == "reference":
                story.append(Spacer(1, 8))
        elif kind == "addressee":  # a Japanese letter: 宛名 above the title
            story.append(Paragraph(mark(text), _style(kind, text, size=11, space=6)))
        elif kind in ("from-org", "from"):  # and the sender on the right below it
            story.append(Paragraph(mark(text), _style(kind, text, size=10.5, space=1, align=2)))
            if kind == "from":
                story.append(Spacer(1, 4))
        elif kind == "closing-end":  # 敬具, on the right at the end
            story.append(Paragraph(mark(text), _style(kind, text, size=10.5, space=4, align=2)))
        elif kind == "closing-lead":  # 此致, indented, its 敬礼！ on the next line
            story.append(Spacer(1, 6))
            story.append(Paragraph(mark(text), _style(kind, text, size=10.5, space=0,
                                                      indent=2 * 10.5)))
        elif kind == "closing":
            if prior != "closing-lead":
                story.append(Spacer(1, 6))
            story.append(Paragraph(mark(text), _style(kind, text, size=10.5, space=18)))
        elif kind.startswith("signatory"):
            strong = kind == "signatory"
            story.append(Paragraph(mark(text, bold=strong),
                                   _style(kind, text, size=10.5, space=0, bold=strong)))
        else:
            body = mark(text).replace("\n", "<br/>") if kind == "pre" else mark(text)
            story.append(Paragraph(body, _style("p", text, size=10.5)))
    return story


def _lines(canvas: Any, lines: Sequence[str], *, x: float, top: float, size: float,
           page_height: float, max_lines: int, lang: str) -> None:
    y = page_height - top - size
    for line in list(lines)[:max_lines]:
        canvas.setFont(line_font(line, lang=lang), size)
        canvas.drawString(x, y, line)
        y -= size * 1.2


def letter_pdf(html: str, *, recipient: Sequence[str], paper: str, reference: str) -> tuple[bytes, int]:
    """The letter as PDF bytes and its number of pages. `recipient`: the address block's lines
    (name first); `reference` is printed with the page number at the foot of every page."""
    _register_fonts()
    lang = language(html)
    parser = _LetterBlocks()
    parser.feed(html)
    parser.close()
    sender = " · ".join(text for kind, text in parser.blocks if kind == "sender")
    window = WINDOWS[paper]
    width, height = PAGES[paper]
    left, right = window.left - 8, 20 * mm

    def first_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        # The return address wraps at its window's width, in small type.
        words, rows, row = sender.split(), [], ""
        for word in words:
            candidate = f"{row} {word}".strip()
            if canvas.stringWidth(candidate, line_font(candidate, lang=lang),
                                  window.sender_size) > window.width and row:
                rows.append(row)
                row = word
            else:
                row = candidate
        rows.append(row)
        fits = int(window.sender_height // (window.sender_size * 1.2)) or 1
        _lines(canvas, rows, x=window.left, top=window.sender_top, size=window.sender_size,
               page_height=height, max_lines=fits, lang=lang)
        _lines(canvas, recipient, x=window.left, top=window.top, size=10, page_height=height,
               max_lines=int(window.height // 12) or 1, lang=lang)
        canvas.restoreState()
        footer(canvas, document)

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        text = f"{reference} · {document.page}"
        canvas.setFont(line_font(text, lang=lang), 7)
        canvas.drawRightString(width - right, 10 * mm, text)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=(width, height), title=reference,
                               author="breachflow", invariant=1)
    first = Frame(left, 18 * mm, width - left - right, height - window.body_top - 18 * mm,
                  id="first", leftPadding=0, rightPadding=0)
    later = Frame(left, 18 * mm, width - left - right, height - 38 * mm, id="later",
                  leftPadding=0, rightPadding=0)
    document.addPageTemplates([
        PageTemplate(id="first", frames=[first], onPage=first_page, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[later], onPage=footer)])
    document.build(_story(parser.blocks, lang=lang))
    return buffer.getvalue(), int(document.page)
