"""Frozen period reports: a period's figures computed once, as they were on its closing date.

Freezing (`sunlight freeze`, builder/commands/freeze.py) takes the records of the commit in
force on the closing date — the last first-parent commit whose chain time (timeline.chain_time)
falls on or before that day — projects them for each audience as of that day, and evaluates
the declared figures (site_config/freeze.yml) with populations narrowed to the period: an
`in_period` figure counts the records whose start role falls within the period, a `to_date`
figure those whose start is on or before its end (or that have no start). Parents, children
and dotted roles still see every record, so a rectification of the quarter keeps its finding
of the quarter before. The result is written as a record of the declared type and committed;
the site shows that record as it is, never recomputed.

Every build rechecks each frozen report: the same figures from today's records, as of the same
closing date. A difference is a warning (pipeline → CLI and the internal site), naming the
records of the figure's population whose values changed since the basis commit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from ..model.freeze_config import (FIGURE_LISTS, IN_PERIOD, FreezeDeclaration, Period,  # noqa: F401
                                   bases)
from ..model.model import Model
from ..model.records import Record
from ..model.roles import RecordIndex
from . import statistics
from .history import History
from .load import Document
from .projection import Audience, project
from .statistics import Change, Ratio
from .timeline import chain_time
from .validate import validate

PUBLIC_LIST, INTERNAL_LIST = FIGURE_LISTS


@dataclass(frozen=True)
class FrozenFigure:
    """One figure as it is frozen: the statistic's words then, and its value."""

    figure: str
    label: str
    text: str
    definition: str
    value: int | None = None          # a count; 1/0 for yes/no
    numerator: int | None = None      # a ratio
    denominator: int | None = None
    change: str = ""                  # against the previous frozen period
    internal: bool = False

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {"figure": self.figure, "label": self.label, "text": self.text}
        if self.change:
            out["change"] = self.change
        out["definition"] = self.definition
        for key in ("value", "numerator", "denominator"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    def same_value(self, entry: dict[str, Any]) -> bool:
        return all(entry.get(k) == getattr(self, k) for k in ("value", "numerator", "denominator"))


@dataclass(frozen=True)
class Difference:
    """A frozen figure that today's records compute differently, and why."""

    report: Record
    list_field: str
    index: int                        # the figure's position in its list
    figure: str
    label: str
    frozen: str                       # the frozen text
    now: str                          # the text recomputed from today's records
    causes: tuple[str, ...] = ()      # records of its population changed since the basis
    known: bool = True                # False: the basis commit is not in the history read

    @property
    def period(self) -> str:
        return str(self.report.get("period"))

    def message(self) -> str:
        period = self.period
        why = ("；原因：" + "、".join(self.causes) + " 在期末以后有改动") if self.causes else \
            ("" if self.known else "；未能读取依据的提交，无法指出是哪些记录")
        return (f"{self.report.path}: 定格报告 {self.report.id}（{period}）的“{self.label}”"
                f"定格为 {self.frozen}，按现在的记录重算为 {self.now}{why}。定格数字不变；"
                "如属更正，请在下一期说明。")


# --- which records a figure counts -----------------------------------------------------------


def in_scope(index: RecordIndex, record: Record, scope: str, period: Period) -> bool:
    start = index.start(record)
    if scope == IN_PERIOD:
        return start is not None and period.start <= start <= period.end
    return start is None or start <= period.end


def scoped_index(records: list[Record], model: Model, keep: Callable[[Record], bool]) -> RecordIndex:
    """An index whose populations hold only the records `keep` takes, while parents,
    children and dotted roles still see every record."""
    index = RecordIndex(records, model)
    if records:
        index.children(records[0])     # the child map is built over every record, now
    index.by_type = defaultdict(list, {t: [r for r in rs if keep(r)]
                                       for t, rs in index.by_type.items()})
    return index


def compute(records: list[Record], model: Model, period: Period,
            previous: Record | None = None) -> list[FrozenFigure]:
    """The declared figures of `period` over `records` (every record, unprojected), each
    audience's figures over its projection as of the closing date."""
    decl: FreezeDeclaration = model.freeze
    stats = model.statistics
    before = _entries(previous) if previous is not None else {}
    values: dict[tuple[str, bool], Any] = {}
    for audience in (Audience.PUBLIC, Audience.INTERNAL):
        internal = audience is Audience.INTERNAL
        wanted = [sid for sid in decl.scopes if stats.public(sid) != internal]
        if not wanted:
            continue
        shown = project(records, model, audience, period.end).records
        for scope in sorted({decl.scopes[sid] for sid in wanted}):
            plain = RecordIndex(shown, model)
            index = scoped_index(shown, model,
                                 lambda r, s=scope: in_scope(plain, r, s, period))
            found = statistics.compute(shown, model, period.end, internal=True, index=index)
            for sid in wanted:
                if decl.scopes[sid] == scope:
                    values[(sid, internal)] = found.values[sid]
    out = []
    for sid in decl.scopes:
        internal = not stats.public(sid)
        value = values[(sid, internal)]
        stat = stats.statistics[sid]
        out.append(_frozen(stat, value, internal, before.get(sid)))
    return out


def _frozen(stat: Any, value: Any, internal: bool, before: dict | None) -> FrozenFigure:
    kw: dict[str, Any] = {}
    if isinstance(value, Ratio):
        kw = {"numerator": value.numerator, "denominator": value.denominator}
    elif isinstance(value, bool):
        kw = {"value": int(value)}
    elif isinstance(value, int):
        kw = {"value": value}
    change = ""
    if before is not None:
        found = _change(value, before)
        change = str(found) if found is not None else ""
    return FrozenFigure(stat.id, stat.label, statistics.show(value, stat, with_unit=True),
                        stat.definition, change=change, internal=internal, **kw)


def _change(value: Any, before: dict) -> Change | None:
    if isinstance(value, Ratio):
        then = Ratio(before.get("numerator") or 0, before.get("denominator") or 0) \
            if before.get("denominator") is not None else None
        if then is None or value.percent is None or then.percent is None:
            return None
        return Change(value.percent - then.percent, points=True)
    if isinstance(value, int) and not isinstance(value, bool) \
            and isinstance(before.get("value"), int):
        return Change(Decimal(value - before["value"]))
    return None


def _entries(report: Record) -> dict[str, dict]:
    """A report's frozen figures by statistic (both lists)."""
    return {e.get("figure"): e for name in FIGURE_LISTS
            for e in (report.get(name) or []) if isinstance(e, dict)}


# --- records as they were ------------------------------------------------------------------


def basis(history: History, closing: date, as_of: date):
    """The commit in force on `closing`: the last first-parent commit that changed records
    whose chain time is on or before that day; None if the history starts later."""
    when: datetime | None = None
    found = None
    for commit in history.commits:
        when = chain_time(commit.when, when, as_of)
        if when.date() > closing:
            break
        found = commit
    return found


def snapshots(history: History, shas: Iterable[str]) -> dict[str, list[Document]]:
    """The record documents in force at each of `shas` (one walk over the history)."""
    wanted = set(shas)
    state: dict[str, Document] = {}
    out: dict[str, list[Document]] = {}
    for commit in history.commits:
        for change in commit.changes:
            if change.record_id is None:
                continue
            if change.deleted or change.document is None:
                state.pop(change.record_id, None)
            else:
                state[change.record_id] = change.document
        if commit.sha in wanted:
            out[commit.sha] = list(state.values())
            if len(out) == len(wanted):
                break
    return out


def records_of(documents: list[Document], model: Model) -> list[Record]:
    return validate(documents, model).records


# --- the record ------------------------------------------------------------------------------


def report_text(model: Model, period: Period, figures: list[FrozenFigure], basis_sha: str,
                backfilled: bool, frozen_on: date, previous: Record | None) -> str:
    """The frozen report's file: front matter written here, so every value is quoted."""
    decl: FreezeDeclaration = model.freeze
    rtype = model.types[decl.type]
    lines = ["---", f"id: {decl.record_id(period)}", f"type: {rtype.name}",
             f"title: {_q(decl.title(period))}", f"status: {rtype.lifecycle.initial}",
             f"period: {_q(period.id)}", f"closes: {period.end.isoformat()}",
             f"frozen_on: {frozen_on.isoformat()}", f"basis: {_q(basis_sha)}"]
    if backfilled:
        lines.append("backfilled: true")
    if previous is not None:
        lines.append(f"previous: {previous.id}")
    for name, internal in ((PUBLIC_LIST, False), (INTERNAL_LIST, True)):
        shown = [f for f in figures if f.internal == internal]
        if not shown:
            continue
        lines.append(f"{name}:")
        for f in shown:
            first = True
            for key, value in f.entry().items():
                text = str(value) if isinstance(value, int) else _q(value)
                lines.append(f"  {'- ' if first else '  '}{key}: {text}")
                first = False
    lines.append("---")
    how = (f"定格时（{frozen_on.isoformat()}）仓库中最新的提交 {basis_sha[:10]}（补录：期末那天仓库中还没有这些记录）"
           if backfilled else f"期末那天有效的提交 {basis_sha[:10]}")
    lines += [f"{period.label}（{period.start.isoformat()} 至 {period.end.isoformat()}）的统计数字，"
              f"由 `sunlight freeze` 于 {frozen_on.isoformat()} 定格。",
              "",
              f"数字按{how}中的记录、以期末 {period.end.isoformat()} 为统计日期计算；"
              "只统计起算日期在期间内的记录（截至期末的累计数字统计期末以前的全部记录）。"
              "定格以后记录再有修改，这里的数字也不改变。", ""]
    return "\n".join(lines)


def _q(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: nothing in it is read as YAML syntax.
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)


# --- rechecking at build time ------------------------------------------------------------------


def frozen_reports(records: list[Record], model: Model) -> list[Record]:
    decl = model.freeze
    if decl is None:
        return []
    statuses = model.types[decl.type].lifecycle.statuses
    return [r for r in records if r.type == decl.type
            and not (r.status in statuses and statuses[r.status].withdrawn)]


def recheck(records: list[Record], model: Model, history: History | None) -> list[Difference]:
    """Each frozen figure recomputed from today's `records` as of its closing date; every
    one that differs, with the records that changed since the report's basis commit."""
    reports = frozen_reports(records, model)
    if not reports:
        return []
    decl: FreezeDeclaration = model.freeze
    at_basis = snapshots(history, {str(r.get("basis")) for r in reports}) if history else {}
    out: list[Difference] = []
    for report in reports:
        period = decl.period(str(report.get("period")))
        if period is None:
            continue          # a session no longer declared: nothing to recompute against
        now = {f.figure: f for f in compute(records, model, period)}
        before_records: list[Record] | None = None
        for name in FIGURE_LISTS:
            for i, entry in enumerate(report.get(name) or []):
                sid = entry.get("figure") if isinstance(entry, dict) else None
                current = now.get(sid)
                if current is None or current.same_value(entry):
                    continue
                docs = at_basis.get(str(report.get("basis")))
                if before_records is None and docs is not None:
                    before_records = records_of(docs, model)
                causes = _causes(model, sid, period, before_records, records) \
                    if before_records is not None else ()
                out.append(Difference(report, name, i, sid, str(entry.get("label") or sid),
                                      str(entry.get("text") or ""), current.text, causes,
                                      known=before_records is not None))
    return out


def _causes(model: Model, sid: str, period: Period, before: list[Record],
            now: list[Record]) -> tuple[str, ...]:
    """Records of the figure's population types, in its scope then or now, that were
    added, removed or changed between the basis and today."""
    stats = model.statistics.statistics
    types = {b.population.type for b in bases(stats, sid)}
    scope = model.freeze.scopes[sid]
    then_index, now_index = RecordIndex(before, model), RecordIndex(now, model)
    then = {r.id: r for r in before if r.type in types and in_scope(then_index, r, scope, period)}
    later = {r.id: r for r in now if r.type in types and in_scope(now_index, r, scope, period)}
    then_all, now_all = then_index.by_id, now_index.by_id
    changed = []
    for rid in sorted(set(then) | set(later)):
        a, b = then_all.get(rid), now_all.get(rid)
        if a is None or b is None or a.fields != b.fields or a.visibility != b.visibility:
            changed.append(rid)
    return tuple(changed)
