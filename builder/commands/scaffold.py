"""`sunlight new`: a record file for an editor to fill in, for any type declared in site_config/.

The file gets the next free ID of its year, the fields whose value is known (id, type, the
lifecycle's initial status, the title if given), every other required field left empty with
a comment saying what goes there, the optional fields an editor usually needs as commented
lines, and a body placeholder.

Required values that only the editor knows (a date, a unit, the linked record) are left empty
on purpose: an empty field counts as not filled, so `sunlight validate` reports each one as
`missing-field` with the field's own hint until it is filled. Nothing here guesses them.
"""

from __future__ import annotations

import itertools
import re
import string
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..model import strict_yaml
from ..stages.load import find_record_files
from ..stages.repository import paths_in_history
from ..model.model import FieldSpec, Model, RecordType

if TYPE_CHECKING:
    from ..pipeline import Deployment

# The validator requires these for a withdrawn status (validate.py); a new record is not
# withdrawn, so they are left out of the template (the guide's §4.4 explains withdrawal).
_WITHDRAWAL_FIELDS = ("withdrawn", "withdrawal_reason")
# Registry lists up to this long are written out in the comment; longer ones are referred to.
_LIST_ENTRIES = 10


class ScaffoldError(Exception):
    """The record cannot be created; the message (Chinese) says why and what to do."""


class UnknownType(ScaffoldError):
    """No such record type in site_config/types/."""


def scaffold(deployment: Deployment, model: Model, type_name: str, year: int,
             title: str | None) -> tuple[Path, str]:
    """The path and text of a new record of `type_name` with the next free ID of `year`.
    Reads content/ (and Git history, if any) to find the IDs taken; writes nothing."""
    rtype = model.types.get(type_name)
    if rtype is None:
        types = "、".join(f"{t.name}（{t.label}）" for t in model.types.values())
        raise UnknownType(f"没有“{type_name}”这种记录类型。可用的类型：{types}。")
    record_id = next_id(deployment, rtype, year)
    path = deployment.content_dir / rtype.folder / f"{record_id}.md"
    return path, record_text(rtype, model, record_id, year, title)


def create_file(path: Path, text: str) -> None:
    """Write a new record file (UTF-8, LF); raises FileExistsError rather than overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_record(path: Path, text: str) -> None:
    """Create the record file; never overwrites one that exists."""
    try:
        create_file(path, text)
    except FileExistsError:
        raise ScaffoldError(f"{path} 已经存在，没有覆盖它；请再运行一次 sunlight new。") from None


# --- the next free ID --------------------------------------------------------------------------


def next_id(deployment: Deployment, rtype: RecordType, year: int,
            also: Iterable[str] = ()) -> str:
    """One more than the highest sequence number of `year` ever used for this type; `also`
    are more texts IDs are taken in (the records of a base revision).

    Gaps are not filled: an ID that was used once (a deleted file in Git history, a record in
    the wrong folder, an ID some record refers to) may be known to someone, so it is never
    handed out again."""
    pattern = _id_regex(rtype, year)
    seen = [0]
    for text in itertools.chain(_id_sources(deployment), also):
        seen.extend(int(m.group("seq")) for m in pattern.finditer(text))
    record_id = rtype.id_format.format(year=year, seq=max(seen) + 1)
    if not rtype.id_pattern.fullmatch(record_id):
        raise ScaffoldError(
            f"{year} 年的{rtype.label}编号已经用到 {rtype.id_format.format(year=year, seq=max(seen))}，"
            f"下一个编号“{record_id}”不符合编号格式（{rtype.id_pattern.pattern}）；"
            "请维护人员放宽 site_config/types/ 中的 id_pattern。")
    return record_id


def next_ids(deployment: Deployment, model: Model, year: int) -> dict[str, str]:
    """The next free ID of `year` for every type that numbers itself (the web editor shows
    them): the same rule as next_id, the files and Git history read once for all types."""
    sources = list(_id_sources(deployment))
    out = {}
    for rtype in model.types.values():
        try:
            pattern = _id_regex(rtype, year)
        except ScaffoldError:
            continue
        seen = [0] + [int(m.group("seq")) for text in sources for m in pattern.finditer(text)]
        record_id = rtype.id_format.format(year=year, seq=max(seen) + 1)
        if rtype.id_pattern.fullmatch(record_id):
            out[rtype.name] = record_id
    return out


def id_year(rtype: RecordType, record_id: str) -> int | None:
    """The year an ID of this type was numbered in (ZG-2026-004 → 2026), or None when the
    type's id_format has no year or the ID does not follow it."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(rtype.id_format):
        parts.append(re.escape(literal))
        if name == "year" and "(?P<year>" not in "".join(parts):
            parts.append(r"(?P<year>[0-9]{4})")
        elif name is not None:
            parts.append(r"[0-9]+")
    match = re.fullmatch("".join(parts), record_id)
    return int(match.group("year")) if match and "year" in match.groupdict() else None


def _id_regex(rtype: RecordType, year: int) -> re.Pattern[str]:
    """A regex finding this type's IDs of `year` in any text, the sequence number as `seq`."""
    parts: list[str] = []
    has_seq = False
    for literal, name, spec, _ in string.Formatter().parse(rtype.id_format):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(re.escape(format(year, spec or "")))
        elif name == "seq" and not has_seq:
            parts.append(r"(?P<seq>[0-9]+)")
            has_seq = True
        elif name is not None:
            raise ScaffoldError(f"{rtype.name} 的编号格式 id_format 中的“{{{name}}}”无法自动编号。")
    if not has_seq:
        raise ScaffoldError(f"{rtype.name} 的编号格式 id_format 没有序号“{{seq}}”，无法自动编号。")
    # IDs are ASCII; Chinese text may touch them directly ("与WT-2023-002重复").
    return re.compile(r"(?<![A-Za-z0-9_-])" + "".join(parts) + r"(?![0-9])")


def _id_sources(deployment: Deployment):
    """Every text an ID may be taken in: record files' paths and contents, and every path
    under content/ in the Git history (deleted and renamed files, other branches)."""
    for file in find_record_files(deployment.content_dir):
        yield file.as_posix()
        try:
            yield file.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
    yield paths_in_history(deployment.root, deployment.content_dir)


# --- the file text -----------------------------------------------------------------------------


def record_text(rtype: RecordType, model: Model, record_id: str, year: int,
                title: str | None) -> str:
    """The record file: commented front matter and a body placeholder."""
    known = {"id": record_id, "type": rtype.name, "status": rtype.lifecycle.initial}
    if title and title.strip() and "title" in rtype.fields:
        printable = "".join(c for c in title if c.isprintable() or c.isspace())
        known["title"] = " ".join(printable.split())
    return _Template(rtype, model, year).text(known)


class _Template:
    """Writes the front matter of one new record, a commented block per field."""

    def __init__(self, rtype: RecordType, model: Model, year: int):
        self.rtype, self.model, self.year = rtype, model, year
        self.listed: dict[str, str] = {}   # registry kind -> the field whose comment lists it

    def text(self, known: dict[str, str]) -> str:
        rtype = self.rtype
        visibility = rtype.fields.get("visibility")
        default = visibility.values.get(rtype.visibility, rtype.visibility) if visibility \
            else rtype.visibility
        lines = [
            "---",
            f"# 新的{rtype.label}（由 sunlight new {rtype.name} 生成）。{rtype.description}",
            "# 冒号后面空着的字段都要填写；填好后运行 sunlight validate 检查，按提示改到没有错误为止。",
            "# 以“#”开头的行是注释，不会被读取，填好后可以删掉。",
            f"# 本类型默认公开范围：{default}（{rtype.visibility}）。",
            "",
        ]
        for name, spec in rtype.fields.items():
            if spec.required:
                lines += self.required(spec, known.get(name))
        optional = [spec for name, spec in rtype.fields.items()
                    if not spec.required and name not in _WITHDRAWAL_FIELDS
                    and not (name == "visibility" and len(rtype.allowed_visibility) < 2)]
        if optional:
            lines += ["# ———— 可选字段：需要时删去字段行开头的“# ”再填写，用不上的可以删掉 ————", ""]
            for spec in optional:
                lines += self.optional(spec)
        lines += [
            "---",
            "<!-- 正文（可以不写）：在下面用 Markdown 写详细情况，空一行分段。"
            "只给内部看的段落写在内部内容标记之间（见编辑指南 7.3 节）。这一行不会发布，可以删掉。 -->",
            "",
        ]
        return "\n".join(line.rstrip() for line in lines)

    def required(self, spec: FieldSpec, value: str | None) -> list[str]:
        comment = self.describe(spec, required=True)
        if value is not None:
            return comment + [f"{spec.name}: {_scalar(value)}", ""]
        if spec.type == "object" and spec.fields:
            # Its required sub-fields stay empty, so each is reported missing until filled.
            return comment + [f"{spec.name}:"] + self.skeleton(spec) + [""]
        # Empty, hence `missing-field`; a list's shape is shown as a comment below it.
        return comment + [f"{spec.name}:"] + ["# " + line for line in self.skeleton(spec)] + [""]

    def optional(self, spec: FieldSpec) -> list[str]:
        comment = self.describe(spec, required=False)
        return comment + ["# " + line for line in [f"{spec.name}:"] + self.skeleton(spec)] + [""]

    def skeleton(self, spec: FieldSpec) -> list[str]:
        """The lines under `name:` that show how a list or a group of sub-fields is written."""
        if spec.type == "object" and spec.fields:
            return self.sub_fields(spec, "  ")
        if spec.type == "list" and spec.items is not None:
            if spec.items.type == "object" and spec.items.fields:
                subs = self.sub_fields(spec.items, "    ")
                return ["  - " + subs[0][4:]] + subs[1:]
            if spec.items.type != "object":
                return ["  - "]
        return []

    def sub_fields(self, spec: FieldSpec, indent: str) -> list[str]:
        """`name:  # label（必填）：how to write it`, one line per sub-field."""
        width = max(len(n) for n in spec.fields) + 2
        return [f"{indent}{(name + ':').ljust(width)} # {_what(sub, sub.required)}："
                + self.kind(sub, short=True)[0] for name, sub in spec.fields.items()]

    def describe(self, spec: FieldSpec, required: bool) -> list[str]:
        """The comment above a field: what it is, then how to write its value."""
        rtype, first = self.rtype, f"# {_what(spec, required)}"
        if spec.type == "id":
            return [first + "：按当年已用的最大序号加 1 生成。一经发布不得更改，文件名与它相同。"]
        if spec.type == "record-type":
            return [first + f"：{rtype.label}，与文件夹 content/{rtype.folder}/ 对应，不要改。"]
        if spec.type == "status":
            return self.describe_status(first)
        if spec.name == "visibility":
            allowed = "、".join(f"{v}（{spec.values.get(v, v)}）" for v in rtype.allowed_visibility)
            return [first + f"：不填时为本类型的默认公开范围。可选值：{allowed}。"]
        line = first + (f"：{spec.description}" if spec.description else "")
        if spec.hint and spec.hint not in spec.description:
            line += spec.hint
        return [line] + [f"#   {text}" for text in self.kind(spec, field=spec.name)]

    def describe_status(self, first: str) -> list[str]:
        lifecycle = self.rtype.lifecycle
        initial = lifecycle.initial
        later = [s for s in lifecycle.statuses.values() if s.name != initial and not s.withdrawn]
        lines = [first + f"：新记录用初始状态 {initial}（{lifecycle.label(initial)}）。"]
        if later:
            lines += ["#   事情已经进行到后面的阶段时可改为："
                      + "、".join(f"{s.name}（{s.label}）" for s in later) + "；",
                      "#   那时要同时填写该状态要求的字段，sunlight validate 会提示缺哪些。"]
        return lines

    def kind(self, spec: FieldSpec, field: str = "", short: bool = False) -> list[str]:
        """How to write a value of this field, as comment lines (without the '#')."""
        kind = spec.type
        if kind == "date":
            return [f"日期，写成 YYYY-MM-DD，例如 {self.year}-03-01。"]
        if kind == "integer":
            return ["整数，只写阿拉伯数字。"]
        if kind == "boolean":
            return ["只能填 true（是）或 false（否）。"]
        if kind == "string":
            return ["一行文字；含有英文冒号加空格时给整个值加引号。"]
        if kind == "text":
            return ["文字；多行时冒号后写“|”，下面各行缩进两个空格。"]
        if kind == "enum":
            return _choices(spec.values, short)
        if kind == "ref":
            return self.reference(spec, field, short)
        if kind == "list" and spec.items is not None:
            if spec.items.type == "object":
                return ["列表：每项以两个空格和“- ”开头，是一组子字段，写法如下（用时去掉行首的“# ”）。"]
            item = self.kind(spec.items, field, short)
            return ["列表：每项单独一行，以两个空格和“- ”开头；或写成 [甲, 乙]。每项："
                    + item[0]] + item[1:]
        if kind == "object":
            return ["一组子字段：在下一行缩进两个空格，逐个填写。"]
        return []

    def reference(self, spec: FieldSpec, field: str, short: bool) -> list[str]:
        target = spec.to[0]
        if target not in ("body", "unit"):
            targets = [self.model.types[t] for t in spec.to if t in self.model.types]
            names = "或".join(t.label for t in targets)
            examples = " 或 ".join(t.id_example(self.year) for t in targets)
            return [f"填{names}的编号，例如 {examples}；被引用的记录必须已经存在。"]
        entries = self.model.registry.entries(target)
        section, noun = ("bodies", "机关") if target == "body" else ("units", "单位")
        where = f"填 site_config/registry.yml 中 {section} 的{noun}编号"
        if short or not entries:
            return [where + "。"]
        if len(entries) > _LIST_ENTRIES:
            first = next(iter(entries.values()))
            return [where + f"，例如 {first.id}（{first.name}），不写全称。"]
        if target in self.listed:
            return [where + f"（见上面 {self.listed[target]} 的说明）。"]
        self.listed[target] = field
        width = max(len(e) for e in entries) + 2
        return [where + "："] + [f"  {e.id.ljust(width)}{e.name}" for e in entries.values()]


def _what(spec: FieldSpec, required: bool) -> str:
    notes = "、".join(n for n, on in (("必填", required), ("内部字段，不公开", spec.internal)) if on)
    return f"{spec.label} {spec.name}" + (f"（{notes}）" if notes else "")


def _choices(values: dict[str, str], short: bool) -> list[str]:
    if short or len(values) <= 4:
        return ["可选值（填左边的英文）：" + "、".join(f"{k}（{v}）" for k, v in values.items()) + "。"]
    width = max(len(k) for k in values) + 2
    return ["可选值（填左边的英文）："] + [f"  {k.ljust(width)}{v}" for k, v in values.items()]


def _scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this string."""
    parsed = strict_yaml.parse(f"v: {value}")
    if not parsed.issues and parsed.data == {"v": value}:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
