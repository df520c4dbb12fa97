"""The plain-text part of a message made from its HTML, and the links of both parts.

``html_to_text`` is a small, careful converter: what a person would read
in the HTML, in reading order — headings and paragraphs as blocks separated
by a blank line, list items with ``- ``, table cells separated by a space,
a link as ``words (address)`` unless its words are the address (an address
that is a template expression, ``{{ unsubscribe_url }}``, counts as one), an image by
its ``alt`` text; ``script``, ``style``, ``head`` and HTML comments are left
out; entities are decoded; runs of spaces collapse as a browser would.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Final

_BLOCKS: Final = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "pre",
        "address",
        "form",
        "center",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
    }
)
_HIDDEN: Final = frozenset({"script", "style", "head", "title", "template", "noscript"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.links: list[tuple[str, int]] = []
        self.pending_blank = False

    # -- output
    def _flush(self, blank: bool) -> None:
        line = "".join(self.current).strip() if not self.pre else "".join(self.current)
        self.current = []
        if line:
            if self.pending_blank and self.lines and self.lines[-1] != "":
                self.lines.append("")
            self.lines.append(line)
            self.pending_blank = False
        if blank:
            self.pending_blank = True

    def _write(self, words: str) -> None:
        if self.hidden:
            return
        if self.pre:
            parts = words.split("\n")
            for part in parts[:-1]:
                self.current.append(part)
                self._flush(blank=False)
            self.current.append(parts[-1])
            return
        words = _SPACES.sub(" ", words)
        if not self.current or "".join(self.current).endswith(" "):
            words = words.lstrip(" ")
        if words:
            self.current.append(words)

    # -- parser
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self._flush(blank=False)
        elif tag == "hr":
            self._flush(blank=True)
            self.lines.append("-" * 20)
        elif tag == "li":
            self._flush(blank=False)
            self._write("- ")
        elif tag in ("td", "th"):
            if self.current:
                self._write("  ")
        elif tag == "img":
            alt = (found.get("alt") or "").strip()
            if alt:
                self._write(f" {alt} ")
        elif tag == "a":
            self.links.append((found.get("href") or "", len("".join(self.current))))
        elif tag in _BLOCKS:
            self._flush(blank=True)
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            words = "".join(self.current)[start:].strip()
            target = href.strip()
            web = target.lower().startswith(("http://", "https://")) or "{{" in target
            if web and target != words:
                self._write(f" ({target})" if words else target)
            elif target.lower().startswith("mailto:") and target[7:] != words:
                self._write(f" ({target[7:]})" if words else target[7:])
        elif tag in _BLOCKS:
            self._flush(blank=True)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        self._write(data)


def html_to_text(source: str) -> str:
    """What a person reads in ``source``, as plain text ending with one newline."""
    reader = _Reader()
    reader.feed(source)
    reader.close()
    reader._flush(blank=False)
    text = "\n".join(line.rstrip() for line in reader.lines).strip("\n")
    return text + "\n" if text else ""


_HREF = re.compile(r"""(\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_URL = re.compile(r"""https?://[^\s<>"'()\[\]]+[^\s<>"'()\[\].,;:!?]""", re.IGNORECASE)


def replace_links(body: str, swap: Callable[[str], str], *, html: bool) -> str:
    """``body`` with each http(s) address passed through ``swap``.

    In HTML only ``href`` attributes are touched (their entities decoded
    before ``swap`` and the result escaped again); in plain text every
    address is.
    """
    if not html:
        return _URL.sub(lambda found: swap(found.group(0)), body)

    def attribute(found: re.Match[str]) -> str:
        raw = found.group(2) if found.group(2) is not None else found.group(3)
        url = html_module.unescape(raw).strip()
        if not url.lower().startswith(("http://", "https://")):
            return found.group(0)
        return f'{found.group(1)}"{html_module.escape(swap(url), quote=True)}"'

    return _HREF.sub(attribute, body)


__all__ = ["html_to_text", "replace_links"]
