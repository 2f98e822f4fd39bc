"""Strict YAML: the subset of YAML that editors' records and site_config may use.

Plain PyYAML silently keeps the last of two duplicate keys, types `no` as False, `010` as 8
and `12:30` as 750, expands aliases (billion laughs) and honours `!!tags`. Here we read the
libyaml *event stream* (fast C parser, no C composer: its recursion segfaults on deep
nesting) and build the data ourselves, iteratively:

- every scalar stays a string; a plain empty/`null`/`~` scalar is None. The schema converts.
- duplicate keys, anchors/aliases and tags are reported with their line, never honoured;
- every mapping key and sequence item gets its line number, so later stages can point at it.

Size and nesting are bounded by a cheap scan before the parser sees the text.

`parse_quick` gives the same answer faster for front matter written the usual way (one
`key: value` a line, lists of values or of flat mappings): the history reads every revision
of every record, tens of thousands of blobs, and libyaml's event stream is most of that time.
Anything it does not recognise line by line goes to `parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 64 * 1024
MAX_DEPTH = 8
MAX_INDENT = 64
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

Path = tuple  # a location inside the data: ("deadline_extensions", 1, "reason")


@dataclass(frozen=True)
class YamlIssue:
    """A problem found while reading YAML; `code` is a catalogue code."""

    code: str
    line: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    data: Any
    lines: dict[Path, int]
    issues: list[YamlIssue]

    @property
    def fatal(self) -> bool:
        return self.data is _FAILED


_FAILED = object()


def prescan(text: str, first_line: int = 1) -> list[YamlIssue]:
    """Reject oversized or too deeply nested text before any parser sees it."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return [YamlIssue("front-matter-too-large", first_line, {"size": size, "limit": MAX_BYTES})]
    depth = 0
    for offset, line in enumerate(text.split("\n")):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_INDENT:
            return [YamlIssue("front-matter-too-deep", first_line + offset, {"limit": MAX_DEPTH})]
        # Brackets inside quoted strings are counted too: over-counting only makes the
        # bound stricter, and real records never come near it.
        for ch in line:
            if ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return [YamlIssue("front-matter-too-deep", first_line + offset,
                                      {"limit": MAX_DEPTH})]
            elif ch in "]}":
                depth = max(0, depth - 1)
    return []


def parse(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document strictly. Never raises on bad input."""
    issues = prescan(text, first_line)
    if issues:
        return Parsed(_FAILED, {}, issues)
    lines: dict[Path, int] = {}
    line_of = _line_mapper(text, first_line)
    try:
        data = _build(yaml.parse(text, Loader=_Loader), line_of, lines, issues)
    except yaml.MarkedYAMLError as exc:
        mark = _mistake_mark(exc)
        index = mark.line if mark is not None else 0
        text_lines = text.split("\n")
        bad_line = text_lines[index] if index < len(text_lines) else ""
        # A slip may also sit one line up: after "　　- date: x" libyaml reads on into the
        # next line before it gives up.
        slip = _slip(text_lines, index, line_of(index)) or (
            _slip(text_lines, index - 1, line_of(index - 1)) if index > 0 else None)
        if slip is not None and not any(ch in text for ch in _YAML_ONLY_BREAKS):
            return Parsed(_FAILED, {}, [slip])
        detail = _zh_detail(exc.problem or exc.context or "")
        if _QUOTE_THEN_TEXT.search(bad_line):
            detail = "值以引号开头，引号后面却还有文字：请用另一种引号把整个值括起来，例如 title: '“放管服”改革'"
        return Parsed(_FAILED, {}, [YamlIssue("yaml-syntax", line_of(index), {"detail": detail})])
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        return Parsed(_FAILED, {}, [YamlIssue("yaml-syntax", first_line,
                                              {"detail": _zh_detail(str(exc))})])
    except _TooDeep as exc:
        return Parsed(_FAILED, {}, [YamlIssue("front-matter-too-deep", exc.line,
                                              {"limit": MAX_DEPTH})])
    except _Unsupported as exc:
        return Parsed(_FAILED, {}, [YamlIssue("yaml-syntax", exc.line, {"detail": exc.detail})])
    if any(issue.code == "full-width-indent" for issue in issues):
        # Where such a line really belongs is a guess: better one clear problem than
        # "missing field" and "unknown field" for a structure that was never meant.
        return Parsed(_FAILED, {}, issues)
    return Parsed(data, lines, issues)


def parse_quick(text: str, first_line: int = 1) -> Parsed:
    """`parse(text, first_line)`, the same result, faster for the usual way of writing.

    The recognised lines are a subset of YAML whose meaning is plain: top-level keys with a
    plain or quoted one-line value, a simple flow list, or nothing; below a key with nothing,
    a block list of such values or of flat mappings. A text that is anything else — comments,
    blank lines, continued or block scalars, anchors, tags, unusual characters or spacing,
    deeper nesting, a duplicate key — is handed to `parse`, so its problems are reported
    exactly as there. tests/test_history_equivalence.py holds the two to the same answers."""
    # Text prescan could refuse (at most 4 bytes a character; brackets counted even in
    # quotes) and characters YAML reads otherwise than Python (tabs, NEL, U+3000, BOM …).
    if (len(text) > MAX_BYTES // 4 or text.count("[") + text.count("{") > MAX_DEPTH
            or "\n" + " " * (MAX_INDENT + 1) in "\n" + text
            or "\t" in text or not text.replace("\n", "").isprintable()):
        return parse(text, first_line)
    try:
        data, lines = _quick(text.split("\n"), first_line)
    except _NotQuick:
        return parse(text, first_line)
    return Parsed(data, lines, [])


class _NotQuick(Exception):
    """The text is not in the quick subset: parse it strictly."""


_QUICK_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?")
_QUICK_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_QUICK_DOUBLE = re.compile(r'"([^"\\]*)"')
_QUICK_FLOW = re.compile(r"\[((?:[A-Za-z0-9_][A-Za-z0-9_.-]*)(?:, [A-Za-z0-9_][A-Za-z0-9_.-]*)*)?\]")
# What a plain scalar may not start with: YAML indicators, and a space.
_QUICK_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")


def _quick(text_lines: list[str], first_line: int) -> tuple[dict, dict[Path, int]]:
    # Blank and comment lines mean nothing where every value fits on its own line.
    numbered = [(first_line + index, line) for index, line in enumerate(text_lines)
                if line.strip(" ") and not line.lstrip(" ").startswith("#")]
    if not numbered:
        raise _NotQuick                         # no document at all
    data: dict[str, Any] = {}
    lines: dict[Path, int] = {}
    count = len(numbered)
    i = 0
    while i < count:
        key_line, text = numbered[i]
        key, raw = _quick_key(text, data)
        lines[(key,)] = key_line
        i += 1
        if raw is not None:
            data[key] = _quick_value(raw, lines, (key,), key_line)
            continue
        following = numbered[i][1] if i < count else ""
        indent = len(following) - len(following.lstrip(" "))
        if indent > MAX_DEPTH:
            raise _NotQuick
        if following[indent:indent + 2] != "- ":
            if not indent:
                data[key] = None
                continue
            mapping: dict[str, Any] = {}       # a flat mapping, one `key: value` a line
            data[key] = mapping
            while i < count and numbered[i][1].startswith(" " * indent) \
                    and numbered[i][1][indent] != " ":
                sub, value = _quick_key(numbered[i][1][indent:], mapping)
                if value is None:
                    raise _NotQuick
                lines[(key, sub)] = numbered[i][0]
                mapping[sub] = _quick_value(value, lines, (key, sub), numbered[i][0])
                i += 1
            if i < count and numbered[i][1][:1] in (" ", "-"):
                raise _NotQuick
            continue
        dash = " " * indent + "- "
        inner = " " * (indent + 2)
        items: list[Any] = []
        data[key] = items
        while i < count and numbered[i][1].startswith(dash):
            item_line, text = numbered[i]
            rest = text[indent + 2:]
            path = (key, len(items))
            lines[path] = item_line
            if not _QUICK_KEY.fullmatch(rest):
                items.append(_quick_value(rest, lines, path, item_line))
                i += 1
                continue
            item: dict[str, Any] = {}
            items.append(item)
            while True:
                sub, value = _quick_key(rest, item)
                if value is None:
                    raise _NotQuick             # nested deeper
                lines[path + (sub,)] = numbered[i][0]
                item[sub] = _quick_value(value, lines, path + (sub,), numbered[i][0])
                i += 1
                if i < count and numbered[i][1].startswith(inner) \
                        and numbered[i][1][indent + 2:indent + 3] not in (" ", "-"):
                    rest = numbered[i][1][indent + 2:]
                    continue
                break
        if i < count and numbered[i][1][:1] in (" ", "-"):
            raise _NotQuick                     # neither the next item nor the next key
    return data, lines


def _quick_key(line: str, into: dict) -> tuple[str, str | None]:
    m = _QUICK_KEY.fullmatch(line)
    if m is None or m.group(1) in into or m.group(1) in NULLS:
        raise _NotQuick
    raw = m.group(2)
    if raw is not None and (raw == "" or raw != raw.strip(" ")):
        raise _NotQuick                         # spacing YAML would trim: let it decide
    return m.group(1), raw


def _quick_value(raw: str, lines: dict[Path, int], path: Path, line: int) -> Any:
    first = raw[:1]
    if not first or raw[-1] == " ":
        raise _NotQuick                         # an empty list item, or spaces YAML trims
    if first == "'":
        m = _QUICK_SINGLE.fullmatch(raw)
        if m is None:
            raise _NotQuick
        return m.group(1).replace("''", "'")
    if first == '"':
        m = _QUICK_DOUBLE.fullmatch(raw)
        if m is None:
            raise _NotQuick
        return m.group(1)
    if first == "[":
        m = _QUICK_FLOW.fullmatch(raw)
        if m is None:
            raise _NotQuick
        items = m.group(1).split(", ") if m.group(1) else []
        for index in range(len(items)):
            lines[path + (index,)] = line
        return [None if item in NULLS else item for item in items]
    if first in _QUICK_INDICATORS or ": " in raw or " #" in raw or raw.endswith(":"):
        raise _NotQuick
    return None if raw in NULLS else raw


# libyaml notices a slip only at the token after it: a key that never gets its ":" is
# reported where the next line starts. For these errors the context mark (where the
# unfinished key, bracket or quote began) is the line that holds the mistake.
_CONTEXT_HOLDS_MISTAKE = ("while scanning a simple key", "while parsing a flow",
                          "while scanning a quoted scalar")


def _mistake_mark(exc: yaml.MarkedYAMLError):
    if exc.context_mark is not None and (exc.context or "").startswith(_CONTEXT_HOLDS_MISTAKE):
        return exc.context_mark
    return exc.problem_mark or exc.context_mark


# Editors' commonest slips, recognised on the line that broke the parse. Field names are
# ASCII (site_config declares them); a Chinese input method types "：" and U+3000.
FULL_WIDTH_SPACE = "\u3000"
_KEY = r"(?P<item>-[ ]+)?(?P<key>[A-Za-z_][A-Za-z0-9_-]*)"
_FULL_WIDTH_COLON = re.compile(r"^(?P<indent>[ ]*)" + _KEY + r"[ ]*：")
_NO_SPACE = re.compile(r"^(?P<indent>[ ]*)" + _KEY + r":(?P<rest>[^\s/:].*)$")
_INDENT = re.compile(r"^[ \t\u3000]*")
_PLAIN_KEY = re.compile(r"^(?:-[ ]+)?([A-Za-z_][A-Za-z0-9_-]*)[ ]*[:：]")


def _slip(lines: list[str], index: int, file_line: int) -> YamlIssue | None:
    """A full-width colon, a missing space after ":", or tab / full-width-space indentation
    on the line where parsing failed, as its own issue naming the character and field."""
    if index >= len(lines):
        return None
    line = lines[index]
    indent = _INDENT.match(line).group()
    if "\t" in indent or FULL_WIDTH_SPACE in indent:
        code = "tab-indent" if "\t" in indent else "full-width-indent"
        return YamlIssue(code, file_line, {"field": _field_of(lines, index), "value": line})
    if m := _FULL_WIDTH_COLON.match(line):
        fixed = line[:m.end()].rstrip("：").rstrip() + ": " + line[m.end():].lstrip()
        return YamlIssue("full-width-colon", file_line,
                         {"field": m.group("key"), "value": line.strip(), "fixed": fixed.strip()})
    if (m := _NO_SPACE.match(line)) and ": " not in m.group("rest"):
        fixed = line[:m.start("rest")] + " " + m.group("rest")
        return YamlIssue("no-space-after-colon", file_line,
                         {"field": m.group("key"), "value": line.strip(), "fixed": fixed.strip()})
    return None


def _field_of(lines: list[str], index: int) -> str | None:
    """The field a line writes, or else the field it is indented under."""
    own = _PLAIN_KEY.match(lines[index].lstrip(" \t" + FULL_WIDTH_SPACE))
    if own:
        return own.group(1)
    width = len(_INDENT.match(lines[index]).group())
    for line in reversed(lines[:index]):
        indent = len(_INDENT.match(line).group())
        parent = _PLAIN_KEY.match(line[indent:])
        if parent and indent < width:
            return parent.group(1)
    return None


_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")


def _line_mapper(text: str, first_line: int):
    """Parser line index -> file line. YAML 1.1 also breaks lines at NEL, LS and PS (pasted
    text brings them), which neither editors nor our loader count as new lines."""
    if not any(ch in text for ch in _YAML_ONLY_BREAKS):
        return lambda index: first_line + index
    file_lines = [0]
    for ch in text:
        if ch == "\n":
            file_lines.append(file_lines[-1] + 1)
        elif ch in _YAML_ONLY_BREAKS:
            file_lines.append(file_lines[-1])
    return lambda index: first_line + file_lines[min(index, len(file_lines) - 1)]


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Unsupported(Exception):
    def __init__(self, line: int, detail: str):
        self.line, self.detail = line, detail


class _Frame:
    """A mapping or sequence being built, with where its next child goes."""

    __slots__ = ("container", "path", "key", "key_line", "seen")

    def __init__(self, container: Any, path: Path):
        self.container = container
        self.path = path
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.seen: dict[str, int] = {}


_NO_KEY = object()
_DROP = object()  # the value of a duplicate key: reported, not stored


def _build(events, file_line, lines: dict[Path, int], issues: list[YamlIssue]) -> Any:
    stack: list[_Frame] = []
    root: Any = None
    documents = 0

    def line_of(event) -> int:
        return file_line(event.start_mark.line)

    def attach(value: Any, line: int) -> _Frame | None:
        nonlocal root
        if not stack:
            root = value
            return None
        top = stack[-1]
        if isinstance(top.container, list):
            path = top.path + (len(top.container),)
            top.container.append(value)
            lines[path] = line
            return top
        if top.key is _NO_KEY:  # this value is a key
            if not isinstance(value, str):
                raise _Unsupported(line, "字段名必须是文字")
            if value.startswith(FULL_WIDTH_SPACE):
                # U+3000 is no YAML space, so "　　status: x" parses as the key "　　status".
                issues.append(YamlIssue("full-width-indent", line,
                                        {"field": value.strip(), "value": value}))
                value = value.strip()
            if value in top.seen:
                issues.append(YamlIssue("duplicate-key", line,
                                        {"field": _dotted(top.path + (value,)),
                                         "first_line": top.seen[value]}))
                top.key = _DROP
            else:
                top.seen[value] = line
                top.key = value
            top.key_line = line
            return top
        if top.key is not _DROP:
            top.container[top.key] = value
            lines[top.path + (top.key,)] = top.key_line
        top.key = _NO_KEY
        return top

    def check_node(event) -> None:
        if getattr(event, "anchor", None) is not None:
            issues.append(YamlIssue("yaml-alias", line_of(event)))
        if getattr(event, "tag", None) is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            issues.append(YamlIssue("yaml-tag", line_of(event), {"tag": tag}))

    for event in events:
        if isinstance(event, yaml.ScalarEvent):
            check_node(event)
            plain = not event.style  # the C parser says '' for plain, the Python one None
            value = None if (plain and event.value in NULLS) else event.value
            attach(value, line_of(event))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            check_node(event)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep(line_of(event))
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            parent = stack[-1] if stack else None
            if parent is None:
                path: Path = ()
            elif isinstance(parent.container, list):
                path = parent.path + (len(parent.container),)
            elif parent.key is _NO_KEY:
                raise _Unsupported(line_of(event), "字段名必须是文字")
            else:
                path = parent.path + ((parent.key,) if parent.key is not _DROP else ("(重复)",))
            attach(container, line_of(event))
            stack.append(_Frame(container, path))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            issues.append(YamlIssue("yaml-alias", line_of(event)))
            attach(None, line_of(event))
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Unsupported(line_of(event), "只能有一组元数据（出现了第二个文档）")
    return root


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of a field, or of the nearest enclosing one, else 1 (the front matter start)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def _dotted(path: Path) -> str:
    """("deadline_extensions", 1, "reason") -> "deadline_extensions[1].reason"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted

_QUOTE_THEN_TEXT = re.compile(r"""^\s*[^:#]+:\s+(["'])[^"']*\1\s*[^\s#]""")

_DETAILS = {
    "found character that cannot start any token": "含有不能出现在这里的字符（常见原因：用 Tab 缩进，或值以 @、` 等符号开头；请用空格缩进，并给值加引号）",
    "did not find expected ',' or ']'": "方括号列表没有正确结束（缺少“]”或逗号）",
    "did not find expected ',' or '}'": "花括号没有正确结束（缺少“}”或逗号）",
    "did not find expected '-' indicator": "列表项缺少“- ”，或缩进没有对齐",
    "did not find expected <document start>": "多出了不属于任何字段的内容",
    "mapping values are not allowed": "这里不能出现“:”（值中含冒号时请给整个值加引号）",
    "could not find expected ':'": "找不到应有的“:”",
    "found character '\\t' that cannot start any token": "含有制表符（Tab），请改用空格缩进",
    "found unexpected end of stream": "引号或括号没有闭合",
    "did not find expected key": "缩进没有对齐，或少了“-”",
    "found undefined alias": "使用了未定义的别名",
    "expected ',' or ']', but got": "方括号列表没有正确结束",
    "expected ',' or '}', but got": "花括号没有正确结束",
}


def _zh_detail(detail: str) -> str:
    for en, zh in _DETAILS.items():
        if detail.startswith(en):
            return zh
    return f"无法识别的写法（{detail}）" if detail else "无法识别的写法"
