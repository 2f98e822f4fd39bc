"""Record body Markdown → HTML in time linear in the body's size.

Python-Markdown itself is quadratic on some inputs: its link patterns scan from every "["
(and from every "(" after "]") to the end of the paragraph when there is no match, every
inline match copies the rest of its paragraph, and the raw-HTML reader rescans from every
"<tag" that never closes. Body limits bound nesting (`body_limits`); here each link scan is
confined to a window, all link scans of one body share a work budget proportional to its
size, text runs longer than INLINE_PIECE are handed to the inline patterns in pieces, and
"<" that cannot begin a tag is written as "&lt;" when a body holds many of them. Links
longer than the window, links beyond the budget (which only hostile bodies reach) and
inline markup that straddles a piece boundary stay literal text.
"""

from __future__ import annotations

import re
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX, ETX, AtomicString
from xml.etree import ElementTree as etree
from markdown.inlinepatterns import (IMAGE_LINK_RE, IMAGE_REFERENCE_RE, LINK_RE, REFERENCE_RE,
                                     ImageInlineProcessor, ImageReferenceInlineProcessor,
                                     LinkInlineProcessor, ReferenceInlineProcessor,
                                     ShortImageReferenceInlineProcessor,
                                     ShortReferenceInlineProcessor)
from pymdownx.slugs import slugify

# A link's [text] and its (target "title") are each at most this many characters.
LINK_WINDOW = 2000
# Characters all link scans of one body may examine: a few times the body, plus a floor.
# A character Python-Markdown's own target scanner reads one by one costs several of those
# `str.find` passes over.
WORK_PER_CHAR = 16
WORK_FLOOR = 1 << 16
SLOW_SCAN_COST = 8
# Inline patterns see text in runs of at most this many characters (cut at a line end or a
# space or sentence end where there is one): each match copies the rest of its run.
INLINE_PIECE = 4096
_CUT_AFTER = ("\n", " ", "。", "；", "，", "\t")
# Fewer stray "<" than this cost little even when each is rescanned to the end.
STRAY_LT_ALLOWED = 64

# "<" followed by what could start a tag, but with another "<" (or the end) before any ">".
_STRAY_LT = re.compile(r"<(?=[A-Za-z/!?][^<>]*(?:<|\Z))")
_TRICKY_TARGET = re.compile(r"[(<\"']")
# `(address "title")` without parentheses in the address or the title's own quote inside it.
_TITLED_TARGET = re.compile(r"""\( *[^\s()"'<]* +(?:"[^"]*"|'[^']*') *\)""")


class _Budget:
    def __init__(self, size: int):
        self.left = WORK_FLOOR + WORK_PER_CHAR * size

    def spend(self, amount: int) -> bool:
        """Take `amount` from the budget; False (and empty) when it does not suffice."""
        if amount > self.left:
            self.left = 0
            return False
        self.left -= amount
        return True


class _BoundedLink:
    """getText and getLink of Python-Markdown's link processors, confined to a window and
    paid from the body's budget. Within the window the results are the originals'."""

    md: Any

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        end = min(len(data), index + LINK_WINDOW)
        budget: _Budget = self.md.sunlight_budget
        depth, pos = 1, index
        while True:
            close = data.find("]", pos, end)
            if not budget.spend((close if close >= 0 else end) - pos + 1):
                return "", index, False
            if close < 0:
                return "", index, False
            depth += data.count("[", pos, close) - 1
            if depth == 0:
                return data[index:close], close + 1, True
            pos = close + 1

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        end = min(len(data), index + LINK_WINDOW)
        # The original stops at the same ")" for a plain target and for one with a title;
        # anything else (nested parentheses, unclosed quotes) pays for the whole window.
        close = data.find(")", index, end)
        titled = _TITLED_TARGET.match(data, index, end)
        if close >= 0 and not _TRICKY_TARGET.search(data, index + 1, close):
            end = close + 1
        elif titled:
            end = titled.end()
        cost = end - index + 1 if end == close + 1 or titled else SLOW_SCAN_COST * (end - index)
        if not self.md.sunlight_budget.spend(cost):
            return "", None, index, False
        href, title, stop, handled = super().getLink(data[index:end], 0)  # type: ignore[misc]
        return href, title, stop + index, handled


class _BoundedReferenceId:
    """evalId of the `[text][id]` processors, confined to the window and the budget."""

    md: Any
    RE_LINK: re.Pattern[str]

    def evalId(self, data: str, index: int, text: str) -> tuple[str | None, int, bool]:
        end = min(len(data), index + LINK_WINDOW)
        if not self.md.sunlight_budget.spend(end - index + 1):
            return None, index, False
        m = self.RE_LINK.match(data, index, end)
        if not m:
            return None, index, False
        return (m.group(1).lower() or text.lower()), m.end(0), True


class _Link(_BoundedLink, LinkInlineProcessor):
    pass


class _Image(_BoundedLink, ImageInlineProcessor):
    pass


class _Reference(_BoundedReferenceId, _BoundedLink, ReferenceInlineProcessor):
    pass


class _ImageReference(_BoundedReferenceId, _BoundedLink, ImageReferenceInlineProcessor):
    pass


class _ShortReference(_BoundedLink, ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_BoundedLink, ShortImageReferenceInlineProcessor):
    pass


class _PieceLongText(Treeprocessor):
    """Before inline parsing: an element's text or a child's tail longer than INLINE_PIECE
    becomes a row of <span> pieces, which the inline patterns then parse one by one."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            if _long(parent.text):
                pieces = _spans(parent.text)
                parent.text = None
                parent[0:0] = pieces
            for child in list(parent):
                if _long(child.tail):
                    pieces = _spans(child.tail)
                    child.tail = None
                    at = list(parent).index(child) + 1
                    parent[at:at] = pieces


def _long(text: str | None) -> bool:
    return text is not None and len(text) > INLINE_PIECE and not isinstance(text, AtomicString)


def _spans(text: str) -> list[etree.Element]:
    spans = []
    for piece in _pieces(text):
        span = etree.Element("span")
        span.text = piece
        spans.append(span)
    return spans


def _pieces(text: str) -> list[str]:
    """`text` cut into runs of at most INLINE_PIECE characters, never inside a stashed
    placeholder (STX…ETX), preferring a cut after a line end, space or punctuation."""
    out, start = [], 0
    while len(text) - start > INLINE_PIECE:
        limit = start + INLINE_PIECE
        cut = max(text.rfind(c, start, limit) for c in _CUT_AFTER) + 1
        if cut <= start + INLINE_PIECE // 2:
            cut = limit
        stx = text.rfind(STX, start, cut)
        if stx > start and text.find(ETX, stx, cut) < 0:
            cut = stx
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


class BoundedLinks(Extension):
    """Replaces the six link processors, under their own names and priorities, and pieces
    long text runs before the inline patterns see them."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Python-Markdown's inline processor runs at priority 20.
        md.treeprocessors.register(_PieceLongText(md), "sunlight_pieces", 25)
        for cls, pattern, name, priority in (
                (_Reference, REFERENCE_RE, "reference", 170),
                (_Link, LINK_RE, "link", 160),
                (_Image, IMAGE_LINK_RE, "image_link", 150),
                (_ImageReference, IMAGE_REFERENCE_RE, "image_reference", 140),
                (_ShortReference, REFERENCE_RE, "short_reference", 130),
                (_ShortImageReference, IMAGE_REFERENCE_RE, "short_image_ref", 125)):
            md.inlinePatterns.register(cls(pattern, md), name, priority)


_converter: markdown.Markdown | None = None


def to_html(text: str) -> str:
    """A body's Markdown as (unsanitised) HTML. Headings get readable Chinese anchors."""
    global _converter
    # One converter for every body: building one costs as much as converting a short body.
    # `reset()` clears what a conversion leaves behind (references, stashed HTML, heading ids).
    if _converter is None:
        _converter = markdown.Markdown(
            extensions=["tables", "admonition", "sane_lists", "toc", BoundedLinks()],
            extension_configs={"toc": {"slugify": slugify(case="lower")}})
    md = _converter.reset()
    md.sunlight_budget = _Budget(len(text))  # type: ignore[attr-defined]
    return md.convert(_defuse_stray_lt(text))


def _defuse_stray_lt(text: str) -> str:
    """Many "<" that can never close into a tag make the raw-HTML reader quadratic; as
    "&lt;" they read the same and cost nothing."""
    strays = 0
    for _ in _STRAY_LT.finditer(text):
        strays += 1
        if strays > STRAY_LT_ALLOWED:
            return _STRAY_LT.sub("&lt;", text)
    return text
