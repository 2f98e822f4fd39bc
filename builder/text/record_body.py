"""Record bodies: internal blocks and the unsafe constructs an editor must not write.

Internal blocks are lines between `<!-- internal -->` and `<!-- /internal -->`; the public
projection removes them. The checks here report; the renderer sanitises regardless, and the
link and attribute checks ask that same sanitiser (`sanitise`), so a body that passes them
loses no link and no attribute when it is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import sanitise

INTERNAL_OPEN = re.compile(r"\s*<!--\s*internal\s*-->\s*")
INTERNAL_CLOSE = re.compile(r"\s*<!--\s*/internal\s*-->\s*")
_MARKER_LIKE = re.compile(r"<!--\s*(?:/\s*)?internal\b", re.IGNORECASE)

# Tag patterns stop at the next "<" as well as at ">": scanning to the end of the line from
# every "<" would make a long pasted line without ">" take quadratic time.
_UNSAFE_TAGS = ("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
                "form", "input", "button", "textarea", "select", "link", "meta", "base", "svg",
                "math", "template")
_UNSAFE_TAG = re.compile(r"<\s*(%s)\b[^<>]*>?" % "|".join(_UNSAFE_TAGS), re.IGNORECASE)
_EVENT_ATTR = re.compile(r"<[a-zA-Z][^<>]*?[\s/\"']on[a-zA-Z]+\s*=[^<>]*>?", re.IGNORECASE)
_ANY_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?=[\s/>])[^<>]*>")
_ATTR_LIST = re.compile(r"\{:?[^{}\n]*?\b(on[a-zA-Z]+|style)\s*=[^{}\n]*\}?", re.IGNORECASE)
_LINK_TARGETS = (
    re.compile(r"\]\(\s*<?([^)>]*)"),                                # [text](target "title")
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"),         # [ref]: target
    re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^>\s]*)>"),             # <scheme:autolink>
)
# A URL attribute anywhere on a line, its value quoted or not. Old browsers also took a
# backtick as a quote, so `javascript:…` in backticks counts as javascript:.
_URL_ATTRIBUTE = re.compile(
    r"(?<![\w-])(?:%s)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|`([^`]*)`|([^\s>]+))"
    % "|".join(sorted(map(re.escape, sanitise.URL_ATTRIBUTES), key=len, reverse=True)),
    re.IGNORECASE)
_LINK_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*'|\([^)]*\))\s*$""")
# A tag with its attributes, quoted values read whole (they may hold ">" or "<").
_TAG_ATTRIBUTES = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
# Markdown also lets a link's target start on the next line: "[text](⏎target)", "[ref]:⏎target".
_SPLIT_LINK_TARGETS = (
    re.compile(r"\]\([ \t]*\n[ \t]*<?([^)>\s]*)"),
    re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\n[ \t]*<?(\S+?)>?(?:\s|$)", re.MULTILINE),
)


@dataclass(frozen=True)
class BodyIssue:
    code: str
    line: int
    value: str = ""
    detail: str = ""


def check_body(body: str, first_line: int) -> list[BodyIssue]:
    """Every unsafe construct and marker imbalance in a body, with file line numbers."""
    issues: list[BodyIssue] = []
    open_line: int | None = None
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if INTERNAL_OPEN.fullmatch(line):
            if open_line is not None:
                issues.append(BodyIssue("unbalanced-internal-block", number, line.strip(),
                                        f"第 {number} 行的内部内容开始标记前，第 {open_line} 行开始的内部内容还没有结束"))
            open_line = number
            continue
        if INTERNAL_CLOSE.fullmatch(line):
            if open_line is None:
                issues.append(BodyIssue("unbalanced-internal-block", number, line.strip(),
                                        f"第 {number} 行的内部内容结束标记没有对应的开始标记"))
            open_line = None
            continue
        if _MARKER_LIKE.search(line):
            issues.append(BodyIssue("unbalanced-internal-block", number, line.strip()[:60],
                                    f"第 {number} 行的内部内容标记必须单独占一行，写作“<!-- internal -->”或“<!-- /internal -->”"))
            continue
        issues.extend(_line_issues(line, number))
    reported = {(i.line, i.value) for i in issues if i.code == "unsafe-link"}
    for pattern in _SPLIT_LINK_TARGETS:
        for m in pattern.finditer(body):
            issue = BodyIssue("unsafe-link", first_line + body.count("\n", 0, m.start(1)),
                              m.group(1)[:60])
            if not is_safe_url(m.group(1)) and (issue.line, issue.value) not in reported:
                issues.append(issue)
    if open_line is not None:
        issues.append(BodyIssue("unbalanced-internal-block", open_line, "<!-- internal -->",
                                f"第 {open_line} 行开始的内部内容没有结束标记“<!-- /internal -->”"))
    return issues


def _line_issues(line: str, number: int) -> list[BodyIssue]:
    issues: list[BodyIssue] = []
    unsafe_spans: list[tuple[int, int]] = []
    for pattern in (_UNSAFE_TAG, _EVENT_ATTR):
        for m in pattern.finditer(line):
            issues.append(BodyIssue("unsafe-html", number, m.group(0)[:60]))
            unsafe_spans.append(m.span())
    seen: set[str] = set()
    for m in _ANY_TAG.finditer(line):
        name = m.group(1).lower()
        if name not in seen and not any(a <= m.start() < b for a, b in unsafe_spans):
            seen.add(name)
            issues.append(BodyIssue("raw-html", number, f"<{name}>"))
    for m in _ATTR_LIST.finditer(line):
        issues.append(BodyIssue("unsafe-attribute", number, m.group(0)[:60]))
    links: list[str] = []
    for pattern in _LINK_TARGETS:
        links += [_LINK_TITLE.sub("", m.group(1)) for m in pattern.finditer(line)]
    for m in _URL_ATTRIBUTE.finditer(line):
        value = next(v for v in m.groups() if v is not None)
        links.append(value)
    # Markdown turns `…` inside a link target into code and then back into plain text.
    links += [url.replace("`", "") for url in links if "`" in url]
    for url in dict.fromkeys(links):
        if not is_safe_url(url):
            issues.append(BodyIssue("unsafe-link", number, url[:60]))
    issues.extend(_removed_attributes(line, number))
    return issues


def _removed_attributes(line: str, number: int) -> list[BodyIssue]:
    """Attributes the sanitiser would remove: `style` on any tag, and on a tag it keeps,
    anything its allow-list lacks. Event and URL attributes are reported on their own."""
    issues: list[BodyIssue] = []
    for tag in _TAG_ATTRIBUTES.finditer(line):
        name = tag.group(1).lower()
        for attribute in _ATTRIBUTE.finditer(tag.group(2)):
            key = attribute.group(1).lower()
            value = next((v for v in attribute.groups()[1:] if v is not None), "")
            if key.startswith("on") or (key in sanitise.URL_ATTRIBUTES
                                        and not is_safe_url(value)):
                continue
            if key == "style" or (name in sanitise.TAGS
                                  and not sanitise.keeps_attribute(name, key, value)):
                issues.append(BodyIssue("unsafe-attribute", number, attribute.group(0)[:60]))
    return issues


def is_safe_url(url: str) -> bool:
    """Whether the sanitiser keeps a link to `url`: http(s), mailto, or relative, judged
    the way browsers read it (entities decoded, blanks and controls in the scheme dropped)."""
    return sanitise.keeps_url(url)


def strip_internal(body: str) -> str:
    """The body without its internal blocks (markers included). Assumes a checked body."""
    out: list[str] = []
    inside = False
    for line in body.split("\n"):
        if INTERNAL_OPEN.fullmatch(line):
            inside = True
        elif INTERNAL_CLOSE.fullmatch(line):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)



def mark_internal(body: str) -> str:
    """For internal builds: each internal block becomes a visible "内部内容" admonition
    (Markdown admonition syntax: a title line, then the block indented by four spaces)."""
    out: list[str] = []
    inside = False
    for line in body.split("\n"):
        if INTERNAL_OPEN.fullmatch(line):
            out += ["", '!!! danger "内部内容（不得公开）"', ""]
            inside = True
        elif INTERNAL_CLOSE.fullmatch(line):
            out.append("")
            inside = False
        else:
            out.append("    " + line if inside and line.strip() else line)
    return "\n".join(out)
