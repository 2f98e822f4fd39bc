"""Body limits: how large a record body may be and how deeply its lists, block quotes and
brackets may nest, checked in one linear pass before any Markdown parsing.

Python-Markdown recurses once per nested list or quote (a list 300 deep exhausts Python's
stack) and scans from every unmatched "[" or "](" to the end of its paragraph. The
validator reports a body beyond these limits with its line; the renderer refuses one again
(`guard`), so a build never meets an unbounded body first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 1024 * 1024
# Real records nest lists or quotes three or four levels deep; sixteen leaves room and
# stays far below the depth at which Python-Markdown runs out of stack (about 250).
MAX_DEPTH = 16
# An internal build shows each internal block in an admonition: one level more.
RENDER_SLACK = 1

# What opens a nesting level at the start of a line: a quote marker, a list marker, or
# (counted by columns) indentation.
_PREFIX = re.compile(r"(?:[ \t]|>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))*")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
# A backslash escapes the next character; Markdown never treats an escaped bracket as one.
_BRACKET = re.compile(r"\\.|[\[\]()]")
_BLANK = re.compile(r"[ \t]*")
_OPENERS = {"[": "[", "(": "("}
_CLOSERS = {"]": "[", ")": "("}


@dataclass(frozen=True)
class Exceeded:
    """One limit a body goes beyond, at the file line where it first does."""

    code: str            # body-too-large or body-nesting-too-deep
    line: int
    value: str
    params: dict


class BodyLimitError(ValueError):
    """The renderer was handed a body beyond the limits (validation should have refused it)."""

    def __init__(self, exceeded: Exceeded, path: str = ""):
        where = f"{path} 的" if path else ""
        super().__init__(f"{where}正文超出限制（{exceeded.code}，正文第 {exceeded.line} 行），"
                         "校验本应先拒绝它")
        self.exceeded = exceeded


def check(body: str, first_line: int, max_bytes: int = DEFAULT_MAX_BYTES,
          max_depth: int = MAX_DEPTH) -> list[Exceeded]:
    """The size limit, then the first line where lists/quotes and where brackets nest
    deeper than `max_depth`. A body over the size limit is not scanned further."""
    size = len(body.encode("utf-8"))
    if size > max_bytes:
        crossed = body.encode("utf-8")[:max_bytes].count(b"\n")
        return [Exceeded("body-too-large", first_line + crossed, f"{size} 字节",
                         {"size": size, "limit": max_bytes})]
    found: list[Exceeded] = []
    blocks_done = brackets_done = False
    depth = {"[": 0, "(": 0}
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if _BLANK.fullmatch(line):
            depth = {"[": 0, "(": 0}    # Markdown looks for a closing bracket within a paragraph
            continue
        if not blocks_done and not _THEMATIC_BREAK.fullmatch(line):
            levels = _block_depth(line)
            if levels > max_depth:
                found.append(Exceeded("body-nesting-too-deep", number, line.strip()[:40],
                                      {"what": "列表或引用", "depth": levels, "limit": max_depth}))
                blocks_done = True
        if not brackets_done:
            for m in _BRACKET.finditer(line):
                char = m.group(0)
                if char in _OPENERS:
                    depth[char] += 1
                    if depth[char] > max_depth:
                        found.append(Exceeded(
                            "body-nesting-too-deep", number, line[max(0, m.start() - 20):m.end()],
                            {"what": f"括号“{char}”", "depth": depth[char], "limit": max_depth}))
                        brackets_done = True
                        break
                elif char in _CLOSERS:
                    opener = _CLOSERS[char]
                    depth[opener] = max(0, depth[opener] - 1)
        if blocks_done and brackets_done:
            break
    return found


def guard(body: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise BodyLimitError for a body the renderer must not parse."""
    exceeded = check(body, 1, max_bytes, MAX_DEPTH + RENDER_SLACK)
    if exceeded:
        raise BodyLimitError(exceeded[0])


def _block_depth(line: str) -> int:
    """Quote and list markers at the start of a line, plus one level per four columns of
    indentation (a tab reaches the next multiple of four, as in Markdown)."""
    prefix = _PREFIX.match(line).group(0)
    markers = columns = 0
    after_marker = False
    for char in prefix:
        if char in " \t" and after_marker:
            after_marker = False    # the one blank after a marker belongs to the marker
        elif char == "\t":
            columns += 4 - columns % 4
        elif char == " ":
            columns += 1
        elif char in ">-*+.)":      # "." and ")" end an ordered list marker such as "1."
            markers += 1
            after_marker = True
    return markers + columns // 4
