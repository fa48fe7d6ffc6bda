"""Product descriptions from shop exports, as the plain text the catalog holds.

Shopify and Magento store descriptions as HTML; the catalog, the keyword index and the
page want readable text. Block tags become line breaks, list items ``- `` lines, and
scripts and styles vanish. A description without markup keeps its own line breaks.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any


class _TextOf(HTMLParser):
    BLOCKS = frozenset(("p", "div", "br", "ul", "ol", "table", "tr", "section", "article"))
    BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(markup: str) -> str:
    """Readable text of HTML, list items as ``- `` lines.

    ``"<p>Soft &amp; warm</p><ul><li>Wool</li></ul>" -> "Soft & warm\\n- Wool"``
    """
    if re.search(r"</?[A-Za-z!]", markup):
        parser = _TextOf()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    else:  # plain text already: keep its line breaks
        text = html.unescape(markup)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line and line != "-")
