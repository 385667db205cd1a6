"""Plain text and Markdown from our own rendered HTML, so that the text part of an e-mail, the
press text of the announcement and the Markdown report say exactly what the HTML says.

It understands the few elements our layouts use (headings, paragraphs, lists, tables, links,
sections) and ignores the document head, styles and scripts.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Literal

# Text from a webhook or a directory (titles, summaries, names) reaches the Markdown report:
# it must stay text there, never become a link, an image, emphasis or raw HTML.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")


def markdown_escape(text: str) -> str:
    """`text` as literal Markdown text: inline syntax escaped, HTML as entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


BLOCKS = frozenset({"p", "div", "section", "main", "header", "footer", "ul", "ol", "table",
                    "h1", "h2", "h3", "h4", "br", "tr", "article", "nav", "aside"})
SKIP = frozenset({"head", "style", "script", "title", "template"})


class _Converter(HTMLParser):
    def __init__(self, mode: Literal["text", "markdown"]) -> None:
        super().__init__(convert_charrefs=True)
        self.mode = mode
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.heading: str | None = None
        self.href: str | None = None
        self.link_text: list[str] = []
        self.cells: list[str] | None = None
        self.rows: list[list[str]] = []
        self.in_cell = False

    def _flush(self, prefix: str = "") -> None:
        # White space collapses, except the ideographic space of 拝啓　平素は…: it is part of the text.
        text = re.sub(r"[^\S\u3000]+", " ", "".join(self.current)).strip()
        self.current = []
        if not text:
            return
        if self.mode == "markdown":
            text = _MD_LINE_START.sub(r"\\\1", text)  # not a list item, quote or heading rule
        if self.heading == "h1":
            text = f"# {text}" if self.mode == "markdown" else f"{text}\n{'=' * min(len(text), 72)}"
        elif self.heading:
            level = int(self.heading[1])
            text = f"{'#' * level} {text}" if self.mode == "markdown" else text.upper()
        self.lines.append(prefix + text)

    def _blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in ("td", "th"):
            self.in_cell = True
            self.current = []
            return
        if tag == "tr":
            self.cells = []
            return
        if tag == "li":
            self._flush()
            return
        if tag in BLOCKS:
            self._flush()
            if tag != "br":
                self._blank()
        if tag in ("h1", "h2", "h3", "h4"):
            self.heading = tag
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in ("td", "th") and self.cells is not None:
            self.cells.append(re.sub(r"\s+", " ", "".join(self.current)).strip())
            self.current, self.in_cell = [], False
            return
        if tag == "tr" and self.cells is not None:
            self.rows.append(self.cells)
            self.cells = None
            return
        if tag == "table":
            self._table()
            return
        if tag == "a" and self.href:
            text = "".join(self.link_text).strip()
            if self.href not in text:
                href = self.href.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
                self.current.append(f" <{self.href}>" if self.mode == "text" else f" (<{href}>)")
            self.href = None
            return
        if tag == "li":
            self._flush("- ")
            return
        if tag in BLOCKS:
            self._flush()
            self.heading = None
            self._blank()

    def _table(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        self._blank()
        if self.mode == "markdown":
            width = max(len(r) for r in rows)
            padded = [r + [""] * (width - len(r)) for r in rows]
            # Cells are escaped text already (a "|" is "\\|").
            self.lines.append("| " + " | ".join(padded[0]) + " |")
            self.lines.append("|" + "---|" * width)
            for row in padded[1:]:
                self.lines.append("| " + " | ".join(row) + " |")
        else:
            for row in rows:
                self.lines.append(": ".join(c for c in row if c))
        self._blank()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.href is not None:
            self.link_text.append(data)
        self.current.append(markdown_escape(data) if self.mode == "markdown" else data)

    def result(self) -> str:
        self._flush()
        text = "\n".join(self.lines).strip()
        return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def html_to_text(html: str) -> str:
    converter = _Converter("text")
    converter.feed(html)
    converter.close()
    return converter.result()


def html_to_markdown(html: str) -> str:
    converter = _Converter("markdown")
    converter.feed(html)
    converter.close()
    return converter.result()
