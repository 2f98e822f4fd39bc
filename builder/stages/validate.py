"""Stage 2, validate: check Documents against the content model and turn them into Records.

Never raises on bad content: every problem of every file is returned, so an editor fixes
them all in one round. Checks run per document first (fields, types, rules, body), then
across documents (duplicate IDs, references).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..text import record_body as body_checks
from ..text import body_limits
from .load import Document
from ..model.model import (DateOrderRule, Entry, ExpectRule, FieldSpec, ForbidRule, Model, RecordType,
                    RequireRule)
from ..model.problems import Problem, Severity, problem
from ..model.records import Record
from ..model.roles import RecordIndex
from ..model import dated_periods, derived_status
from ..model.strict_yaml import dotted

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}
_TYPE_NAMES = {"string": "一行文字", "text": "文字", "integer": "整数", "boolean": "true 或 false",
               "date": "日期（YYYY-MM-DD）", "list": "列表", "object": "一组子字段",
               "enum": "可选值之一", "status": "状态值", "ref": "编号", "id": "编号",
               "record-type": "类型名"}
_TYPE_HINTS = {
    "integer": "写阿拉伯数字，不要加引号、单位或前导 0，例如 26。",
    "boolean": "只能写 true（是）或 false（否）。",
    "list": "写成列表：每项单独一行，以“- ”开头；或写成 [甲, 乙]。",
    "object": "在下一行缩进两个空格，逐个写子字段。",
    "string": "在冒号后写一行文字；含有冒号等符号时给整个值加引号。",
    "text": "在冒号后写文字；多行文字用“|”开头并缩进。",
}
_MISSING = object()


@dataclass
class Validation:
    """What validation returns: the records, every problem, and whether content is valid."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class _Ref:
    """A reference seen while converting, resolved once every record is known."""

    spec: FieldSpec
    path: tuple
    value: str
    line: int


def validate(documents: list[Document], model: Model) -> Validation:
    """Check every document and every cross-record rule; collect all problems."""
    result = Validation()
    checked: list[tuple[Record, list[_Ref]]] = []
    for doc in documents:
        record, found, doc_refs = _check_document(doc, model)
        result.problems.extend(found)
        if record is not None:
            checked.append((record, doc_refs))
    result.records = [record for record, _ in checked if record.id]
    by_id = _check_unique_ids(result)
    for record, doc_refs in checked:
        result.problems.extend(_check_references(record, doc_refs, by_id, model))
    index = RecordIndex(result.records, model)
    result.problems.extend(_derive_statuses(index, model))
    result.problems.extend(_calendar_gaps(result.records, model))
    result.problems.sort(key=lambda p: (p.path, p.line, p.code))
    return result


# --- one document ----------------------------------------------------------------------------


def _check_document(doc: Document, model: Model) -> tuple[Record | None, list[Problem], list[_Ref]]:
    problems: list[Problem] = []
    type_name = doc.meta.get("type")
    rtype = model.types.get(type_name) if isinstance(type_name, str) else None
    if type_name is None:
        folder_type = model.type_for_folder(doc.folder)
        problems.append(problem("missing-field", doc.path, 2, field="type", label="记录类型",
                                field_hint=f"在元数据中加一行“type: {folder_type.name}”。"
                                if folder_type else "写明记录类型，例如“type: rectification”。"))
    elif rtype is None:
        problems.append(problem("unknown-type", doc.path, doc.line("type"), field="type",
                                value=type_name, allowed=_enum_list(
                                    {t.name: t.label for t in model.types.values()})))
    if rtype is None:
        problems.extend(_body_problems(doc, model))
        return None, problems, []

    if doc.folder != rtype.folder:
        problems.append(problem("wrong-folder", doc.path, doc.line("type"), field="type",
                                value=type_name, type_label=rtype.label, expected=rtype.folder,
                                actual=f"content/{doc.folder}/" if doc.folder else "content/"))

    converter = _Converter(doc, rtype, model)
    fields = converter.object(doc.meta, rtype.fields, ())
    problems.extend(converter.problems)
    visibility = fields.get("visibility") or rtype.visibility
    if "visibility" in fields and visibility not in rtype.allowed_visibility:
        problems.append(problem("visibility-not-allowed", doc.path, doc.line("visibility"),
                                field="visibility", value=visibility, type_label=rtype.label,
                                allowed=_enum_list({v: rtype.fields["visibility"].values.get(v, v)
                                                    for v in rtype.allowed_visibility})))
    problems.extend(_check_rules(doc, rtype, fields, set(converter.invalid)))
    stem = doc.path.rsplit("/", 1)[-1].removesuffix(".md")
    if isinstance(fields.get("id"), str) and stem != fields["id"]:
        problems.append(problem("filename-mismatch", doc.path, doc.line("id"), field="id",
                                value=fields["id"], actual=stem + ".md"))
    problems.extend(_body_problems(doc, model))
    # A record whose ID is unusable is still checked for its references, but is not
    # handed on: nothing can link to it or publish it.
    record = Record(id=fields.get("id", ""), type=rtype.name, path=doc.path, fields=fields,
                    body=doc.body, body_line=doc.body_line, lines=doc.lines, visibility=visibility)
    return record, problems, converter.refs


class _Converter:
    """Converts strict-YAML strings to typed values, noting a problem for each bad one."""

    def __init__(self, doc: Document, rtype: RecordType, model: Model):
        self.doc, self.rtype, self.model = doc, rtype, model
        self.problems: list[Problem] = []
        self.refs: list[_Ref] = []
        self.invalid: list[str] = []   # top-level fields whose value was rejected

    def _add(self, code: str, path: tuple, spec: FieldSpec | None, value: Any = None,
             **params: Any) -> None:
        if path:
            self.invalid.append(path[0])
        label = spec.label if spec else ""
        self.problems.append(problem(code, self.doc.path, self.doc.line(*path), field=dotted(path),
                                     value=value, label=label, **params))

    def object(self, data: dict, specs: dict[str, FieldSpec], path: tuple) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, raw in data.items():
            spec = specs.get(key)
            if spec is None:
                self._unknown(key, specs, path + (key,))
                continue
            if raw is None:
                continue  # an empty field counts as not filled
            value = self.value(raw, spec, path + (key,))
            if value is not _MISSING:
                out[key] = value
        for name, spec in specs.items():
            if spec.required and data.get(name) is None:
                hint = spec.hint or f"加一行“{name}: ……”（{spec.description or spec.label}）。"
                line = self.doc.line(*path, name) if name in data else (
                    self.doc.line(*path) if path else 1)
                self.problems.append(problem("missing-field", self.doc.path, line,
                                             field=dotted(path + (name,)), label=spec.label,
                                             field_hint=hint))
        return out

    def _unknown(self, key: Any, specs: dict[str, FieldSpec], path: tuple) -> None:
        names = list(specs)
        labels = {spec.label: name for name, spec in specs.items()}
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        if str(key) in labels:
            close = [labels[str(key)]]
        if close:
            suggestion = f"是不是“{close[0]}”（{specs[close[0]].label}）？"
        else:
            suggestion = "可用字段：" + "、".join(names) + "。"
        self.problems.append(problem("unknown-field", self.doc.path, self.doc.line(*path),
                                     field=dotted(path), value=key, type_label=self.rtype.label,
                                     suggestion=suggestion))

    def value(self, raw: Any, spec: FieldSpec, path: tuple) -> Any:
        kind = spec.type
        if kind == "list":
            if not isinstance(raw, list):
                return self._wrong(raw, spec, path)
            items = [self.value(item, spec.items, path + (i,)) if item is not None else _MISSING
                     for i, item in enumerate(raw)]
            return [item for item in items if item is not _MISSING]
        if kind == "object":
            if not isinstance(raw, dict):
                return self._wrong(raw, spec, path)
            return self.object(raw, spec.fields, path)
        if not isinstance(raw, str):
            return self._wrong(raw, spec, path)
        if kind in ("string", "text"):
            return raw
        if kind == "integer":
            return int(raw) if _INTEGER.fullmatch(raw) else self._wrong(raw, spec, path)
        if kind == "boolean":
            return _BOOLEANS[raw] if raw in _BOOLEANS else self._wrong(raw, spec, path)
        if kind == "date":
            return self._date(raw, spec, path)
        if kind == "enum":
            return self._choice(raw, spec.values, spec, path)
        if kind == "status":
            statuses = {n: s.label for n, s in self.rtype.lifecycle.statuses.items()}
            return self._choice(raw, statuses, spec, path)
        if kind == "record-type":
            return raw  # checked before conversion
        if kind == "id":
            if not self.rtype.id_pattern.fullmatch(raw):
                self._add("bad-id", path, spec, raw, type_label=self.rtype.label,
                          example=self.rtype.id_example(), pattern=self.rtype.id_pattern.pattern,
                          advice=_non_ascii_advice(raw))
                return _MISSING
            return raw
        if kind == "ref":
            return self._ref(raw, spec, path)
        raise AssertionError(f"unhandled field type {kind}")  # model.py admits no other

    def _wrong(self, raw: Any, spec: FieldSpec, path: tuple) -> Any:
        shown = raw if isinstance(raw, str) else ("列表" if isinstance(raw, list) else
                                                  "一组子字段" if isinstance(raw, dict) else raw)
        self._add("wrong-type", path, spec, shown, expected=_TYPE_NAMES[spec.type],
                  type_hint=_TYPE_HINTS.get(spec.type, "请按字段说明填写。"))
        return _MISSING

    def _date(self, raw: str, spec: FieldSpec, path: tuple) -> Any:
        if _DATE.fullmatch(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        self._add("invalid-date", path, spec, raw)
        return _MISSING

    def _choice(self, raw: str, values: dict[str, str], spec: FieldSpec, path: tuple) -> Any:
        if raw in values:
            return raw
        self._add("invalid-enum", path, spec, raw, allowed=_enum_list(values))
        return _MISSING

    def _ref(self, raw: str, spec: FieldSpec, path: tuple) -> Any:
        target = spec.to[0]
        if target in ("body", "unit"):
            entries = self.model.registry.entries(target)
            if raw not in entries:
                where = "site_config/registry.yml 的 " + ("bodies" if target == "body" else "units")
                named = _entry_named(raw, entries)
                if named is not None:
                    hint = (f"这里要写编号，不写名称：请写编号 {named.id}（{named.name}）。"
                            f"名称只在 {where} 中写一次，网站显示时自动换成名称。")
                else:
                    close = difflib.get_close_matches(raw, list(entries), n=3, cutoff=0.5)
                    hint = (f"是不是 {'、'.join(close)}？" if close else "") + f"可用编号见 {where}。"
                self._add("broken-reference", path, spec, raw, reference_hint=hint)
                return _MISSING
            return raw
        self.refs.append(_Ref(spec, path, raw, self.doc.line(*path)))
        return raw


def _entry_named(text: str, entries: dict[str, Entry]) -> Entry | None:
    """The registry entry whose full name or short name an editor wrote instead of its ID."""
    wanted = "".join(text.split())
    return next((e for e in entries.values()
                 if wanted in ("".join(e.name.split()), "".join(e.short.split()))), None)


def _non_ascii_advice(record_id: str) -> str:
    """What to tell an editor whose ID holds a character a Chinese input method typed."""
    char = next((c for c in record_id if not c.isascii()), None)
    if char is None:
        return ""
    kind = "全角或其他文字的数字" if char.isdigit() else "不是半角字符"
    return (f"其中“{char}”{kind}：编号只能用英文字母、半角数字 0-9 和“-”，"
            "请切换到英文输入法重新输入。")


def _enum_list(values: dict[str, str]) -> str:
    return "、".join(f"{k}（{v}）" for k, v in values.items())


def _check_rules(doc: Document, rtype: RecordType, fields: dict[str, Any],
                 invalid: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    status = fields.get("status")
    lifecycle = rtype.lifecycle
    specs = rtype.fields

    def filled(name: str) -> bool:
        return name in fields or name in invalid

    def status_problem(code: str, name: str) -> Problem:
        return problem(code, doc.path, doc.line(name) if name in doc.meta else doc.line("status"),
                       field=name, value=fields.get(name), label=specs[name].label,
                       status_label=lifecycle.label(status))

    if status in lifecycle.statuses and lifecycle.statuses[status].withdrawn:
        for name in filter(None, (rtype.roles.withdrawal_date, rtype.roles.withdrawal_reason)):
            if name in specs and not filled(name):
                problems.append(status_problem("status-requires-field", name))
    for rule in rtype.rules:
        if isinstance(rule, RequireRule) and status in rule.when_status:
            problems.extend(status_problem("status-requires-field", n)
                            for n in rule.fields if not filled(n))
        elif isinstance(rule, ForbidRule) and status in rule.when_status:
            problems.extend(status_problem("status-forbids-field", n)
                            for n in rule.fields if n in fields)
        elif isinstance(rule, ExpectRule) and status in rule.when_status:
            actual = fields.get(rule.field)
            wanted = _BOOLEANS.get(rule.value, rule.value) if specs[rule.field].type == "boolean" \
                else rule.value
            if rule.field not in invalid and actual != wanted:
                problems.append(problem(
                    "status-field-mismatch", doc.path,
                    doc.line(rule.field) if rule.field in doc.meta else doc.line("status"),
                    field=rule.field, value=doc.meta.get(rule.field), label=specs[rule.field].label,
                    status_label=lifecycle.label(status), expected=rule.value))
        elif isinstance(rule, DateOrderRule):
            early, late = fields.get(rule.earlier), fields.get(rule.later)
            if isinstance(early, date) and isinstance(late, date) and late < early:
                problems.append(problem(
                    "date-order", doc.path, doc.line(rule.later), field=rule.later,
                    value=late.isoformat(), label=specs[rule.later].label,
                    earlier_field=rule.earlier, earlier_label=specs[rule.earlier].label,
                    earlier_value=early.isoformat()))
    problems.extend(_check_extensions(doc, rtype, fields))
    return problems


def _check_extensions(doc: Document, rtype: RecordType, fields: dict[str, Any]) -> list[Problem]:
    """Each extension of the due role moves the due date later than the one before."""
    due = rtype.roles.due
    if due is None or not due.extensions or not due.extension_due:
        return []
    problems: list[Problem] = []
    previous = fields.get(due.field) if due.field else None
    for i, ext in enumerate(fields.get(due.extensions) or []):
        new = ext.get(due.extension_due) if isinstance(ext, dict) else None
        if isinstance(previous, date) and isinstance(new, date) and new <= previous:
            path = (due.extensions, i, due.extension_due)
            problems.append(problem("extension-not-later", doc.path, doc.line(*path),
                                    field=dotted(path), value=new.isoformat(),
                                    number=i + 1, previous=previous.isoformat()))
        if isinstance(new, date):
            previous = new
    return problems


def _body_problems(doc: Document, model: Model) -> list[Problem]:
    problems = [problem(e.code, doc.path, e.line, field="正文", value=e.value, **e.params)
                for e in body_limits.check(doc.body, doc.body_line, model.body_max_bytes)]
    if any(p.code == "body-too-large" for p in problems):
        return problems     # shortened first, then checked line by line
    for issue in body_checks.check_body(doc.body, doc.body_line):
        params = {"detail": issue.detail} if issue.code == "unbalanced-internal-block" else {}
        problems.append(problem(issue.code, doc.path, issue.line, field="正文", value=issue.value,
                                **params))
    return problems


# --- across documents ------------------------------------------------------------------------


def _check_unique_ids(result: Validation) -> dict[str, Record]:
    by_id: dict[str, list[Record]] = {}
    for record in result.records:
        by_id.setdefault(record.id, []).append(record)
    for record_id, group in by_id.items():
        if len(group) > 1:
            for record in group:
                others = "、".join(r.path for r in group if r is not record)
                result.problems.append(problem("duplicate-id", record.path, record.line("id"),
                                               field="id", value=record_id, other_path=others))
    return {record_id: group[0] for record_id, group in by_id.items()}


def _check_references(record: Record, refs: list[_Ref], by_id: dict[str, Record],
                      model: Model) -> list[Problem]:
    problems: list[Problem] = []
    rtype = model.types[record.type]
    for ref in refs:
        target = by_id.get(ref.value)
        field_name = dotted(ref.path)
        if target is None:
            example = " 或 ".join(model.types[t].label for t in ref.spec.to)
            problems.append(problem("broken-reference", record.path, ref.line, field=field_name,
                                    value=ref.value, label=ref.spec.label,
                                    reference_hint=f"检查编号是否写错；被引用的{example}必须已经存在于 content/ 中。"
                                    + _non_ascii_advice(ref.value)))
            continue
        if target.type not in ref.spec.to:
            problems.append(problem("wrong-reference-type", record.path, ref.line, field=field_name,
                                    value=ref.value, label=ref.spec.label,
                                    expected="或".join(model.types[t].label for t in ref.spec.to),
                                    actual=model.types[target.type].label))
            continue
        top_spec = rtype.fields.get(ref.path[0])
        if (record.visibility == "public" and target.visibility == "restricted"
                and not (top_spec and top_spec.internal)):
            problems.append(problem("restricted-reference", record.path, ref.line, field=field_name,
                                    value=ref.value, label=ref.spec.label))
    shares = rtype.roles.shares
    if shares:
        shared = by_id.get(record.get(shares, ""))
        # A reference to a record of another type is already a wrong-reference-type.
        if shared is not None and shared.type in rtype.fields[shares].to:
            verified = model.types[shared.type].roles.verified
            if verified and shared.get(verified) is not True:
                problems.append(problem("unverified-lead-shared", record.path,
                                        record.line(shares), field=shares, value=shared.id))
    return problems


def _derive_statuses(index: RecordIndex, model: Model) -> list[Problem]:
    """Statuses derived from children replace typed ones; a disagreement is a warning that
    names both statuses and the children (an editor reads why the site shows another one)."""
    problems = []
    for found in derived_status.apply(index.by_id.values(), index, model.derived):
        record, rtype = found.record, model.types[found.record.type]
        child_type = model.types[rtype.derive_status.child_type]
        shown = [f"{c.id}（{child_type.lifecycle.label(c.status)}）" for c in found.children[:10]]
        more = len(found.children) - len(shown)
        problems.append(problem(
            "derived-status-mismatch", record.path, record.line("status"), field="status",
            value=found.typed, typed_label=rtype.lifecycle.label(found.typed),
            derived=found.derived, derived_label=rtype.lifecycle.label(found.derived),
            child_label=child_type.label, type_name=rtype.name,
            children="、".join(shown) + (f" 等 {len(found.children)} 项" if more else "")))
    return problems


def _calendar_gaps(records: list[Record], model: Model) -> list[Problem]:
    """A declared period in working days that reaches a year no calendar covers is an error
    on the date it starts from: a figure would otherwise leave the record out unnoticed."""
    problems = []
    for gap in dated_periods.gaps(records, model):
        record, use = gap.record, gap.use
        specs = model.types[record.type].fields
        fix = (f"；或者，交办时已规定了期限的，把它写在“{use.due_field}”"
               f"（{specs[use.due_field].label}）中") if use.due_field else ""
        problems.append(problem(
            "calendar-gap", record.path, record.line(use.field), field=use.field,
            value=gap.start.isoformat(), label=specs[use.field].label, period=str(use.period),
            purpose=use.purpose, year=gap.year, record_fix=fix))
    return problems
