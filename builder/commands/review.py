"""The reviewer's summary of a pull request, in Markdown (Chinese): what the check found, and
which records were added, changed (field by field), withdrawn or deleted — first what the
public will see change, then what stays internal. Values are escaped, so a record's text
cannot inject Markdown or HTML into the job summary it is posted to."""

from __future__ import annotations

import re

from .diffcheck import Change, DiffCheck

_KINDS = (("added", "新增的记录"), ("changed", "修改的记录"), ("withdrawn", "撤回的记录"),
          ("deleted", "删除的记录"))
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def summary_markdown(result: DiffCheck) -> str:
    """The whole summary, ending with a newline."""
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    counts = "、".join(f"{label[:2]} {n} 条" for kind, label in _KINDS
                       if (n := sum(c.kind == kind for c in result.changes)))
    out = ["## Sunlight 审核摘要", "",
           f"对照基准版本 {_md(result.base)}（提交 `{result.commit[:12]}`），"
           f"按 {result.as_of.isoformat()} 的公开状态计算。", ""]
    if errors:
        out.append(f"**检查未通过：{errors} 个错误，{warnings} 个警告。** 错误列在检查输出中，"
                   "改正后才能合并。")
    else:
        out.append(f"检查通过：没有错误，{warnings} 个警告。")
    out += ["", f"记录变化：{counts}。" if counts else "记录变化：没有记录变化。", ""]
    public = [c for c in result.changes if c.public]
    internal = [c for c in result.changes if not c.public]
    out += ["### 公众可见的变化", ""]
    out += _groups(public) if public else ["无：这次修改不会改变公开网站。", ""]
    if internal:
        out += ["### 不公开的变化", "", "只在内部视图中出现，或只涉及内部字段，公众看不到。", ""]
        out += _groups(internal)
    return "\n".join(out).rstrip("\n") + "\n"


def _groups(changes: list[Change]) -> list[str]:
    out: list[str] = []
    for kind, heading in _KINDS:
        group = [c for c in changes if c.kind == kind]
        if not group:
            continue
        out += [f"#### {heading}（{len(group)} 条）", ""]
        for change in group:
            out += _change(change)
        out.append("")
    return out


def _change(change: Change) -> list[str]:
    head = f"- {_md(change.type_label)} {_md(change.id)}「{_md(change.title)}」"
    if change.kind in ("added", "deleted"):
        where = "" if change.kind == "added" else f"，文件 {_md(change.path)}"
        return [f"{head}：{_md(change.status)}{where}"]
    lines = [head]
    for f in change.fields:
        text = _md(f.new) if f.old is None else f"{_md(f.old)} → {_md(f.new)}"
        lines.append(f"  - {_md(f.label)}：{text}")
    if change.internal:
        lines.append(f"  - 内部字段有修改（不公开）：{'、'.join(_md(n) for n in change.internal)}")
    return lines


def _md(text: str) -> str:
    """Plain text safe inside Markdown: punctuation that could start markup is escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
