"""Internal dashboards (内部工作台): the declarations of site_config/dashboards.yml, evaluated.

A pure function of the records (the INTERNAL projection: internal fields present, restricted
leads only for their owning body), the model, the as-of date and the validation warnings.
Each dashboard comes out as a title, its rule in words, its columns and its rows; each row
holds one ready cell per column (labels, day counts, registry names already decided), so one
template places every dashboard and a heading can never sit over another column's cells.

Nothing here names a type or a field: what to list, and how, is declared (see
builder/dashboard_config.py for the closed set of conditions and columns). The rules of the
default declarations are repeated in Chinese in docs/editor-guide.md, section 内部视图.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..model.dashboard_config import Column, DashboardSpec, Follower
from ..model.format import registry_kind, registry_name, scalar_text
from ..model.model import FieldSpec, Model
from ..model.periods import CalendarGap, Period
from ..model.population import select
from ..model.problems import Problem
from ..model.records import Record
from ..model.roles import RecordIndex


# --- what a template places ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """A link to a record page: `{{ root }}{{ ref.path }}`."""

    id: str
    type: str
    title: str

    @property
    def path(self) -> str:
        return f"{self.type}/{self.id}/"


@dataclass(frozen=True)
class Badge:
    status: str
    label: str
    overdue: bool = False


@dataclass(frozen=True)
class Cell:
    """One table cell: a link, text, a bulleted list, further links on their own lines,
    code, or a status badge. Empty parts print nothing."""

    text: str = ""
    link: RecordRef | None = None
    items: tuple[str, ...] = ()
    links: tuple[RecordRef, ...] = ()
    code: bool = False
    badge: Badge | None = None

    def __str__(self) -> str:
        """The cell as plain text (tests and the text report read it)."""
        parts = [f"{self.link.id} {self.link.title}" if self.link else "", self.text,
                 *self.items, *(f"{r.id} {r.title}" for r in self.links),
                 self.badge.label if self.badge else ""]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Row:
    record: RecordRef | None
    cells: tuple[Cell, ...]             # one per column, in the columns' order
    facts: dict[str, Any]               # computed values (due, days …), for order and tests
    highlight: bool = False             # overdue / unanswered: shown in red

    def cell(self, board: "Board", key: str) -> Cell:
        return self.cells[board.keys.index(key)]


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Board:
    """One evaluated dashboard."""

    id: str
    title: str
    index_label: str
    rule: str
    empty: str
    keys: tuple[str, ...]               # column keys, in order
    labels: tuple[str, ...]             # column headings, same order
    rows: tuple[Row, ...] = ()
    groups: tuple[Group, ...] = ()      # followers: one group per following body

    @property
    def count(self) -> int:
        return len(self.rows) + sum(len(g.rows) for g in self.groups)

    def row(self, record_id: str) -> Row | None:
        every = list(self.rows) + [r for g in self.groups for r in g.rows]
        return next((r for r in every if r.record and r.record.id == record_id), None)


@dataclass(frozen=True)
class Dashboards:
    as_of: date
    boards: tuple[Board, ...] = ()

    def board(self, board_id: str) -> Board:
        return next(b for b in self.boards if b.id == board_id)


# --- the stage -------------------------------------------------------------------------------


def compute(records: list[Record], model: Model, as_of: date,
            warnings: list[Problem]) -> Dashboards:
    """Every declared dashboard as of `as_of`."""
    index = RecordIndex(records, model)
    specs = getattr(model, "dashboards", ()) or ()
    return Dashboards(as_of=as_of,
                      boards=tuple(_board(index, spec, as_of, warnings) for spec in specs))


def _board(index: RecordIndex, spec: DashboardSpec, as_of: date,
           warnings: list[Problem]) -> Board:
    kind = spec.condition.kind
    if kind == "data_quality":
        facts = _data_quality(index, spec, warnings)
    elif kind == "rhythm":
        facts = _rhythm(index, spec, as_of)
    else:
        facts = []
        for record in select(index, spec.population, as_of):
            found = _condition(index, spec, record, as_of)
            if found is not None:
                facts.append({"record": record, "id": record.id, **found})
    board = Board(spec.id, spec.title, spec.index_label, _rule(spec, index, as_of, facts),
                  spec.empty, keys=tuple(c.key for c in spec.columns),
                  labels=tuple(c.label for c in spec.columns))
    if spec.followers:
        return replace(board, groups=_follow(index, spec, facts, as_of))
    return replace(board, rows=tuple(_row(index, spec, f) for f in _sorted(facts, spec.order)))


def _rule(spec: DashboardSpec, index: RecordIndex, as_of: date, facts: list[dict]) -> str:
    """The declared rule text with its placeholders filled."""
    period = spec.condition.period
    if period is None and spec.population is not None:
        due = index.model.types[spec.population.type].roles.due
        period = due.default.period if due is not None and due.default else None
    values = {"as_of": as_of.isoformat(), "period": str(period) if period else "",
              "count": len(facts),
              "overdue": sum(1 for f in facts if f.get("overdue")),
              "due_soon": sum(1 for f in facts if "overdue" in f and not f["overdue"])}
    try:
        return spec.rule.format(**values)
    except (KeyError, IndexError, ValueError):
        return spec.rule


def _sorted(facts: list[dict], order: tuple[str, ...]) -> list[dict]:
    """Sort by each key in turn (a leading "-" reverses it); empty values go last."""
    out = list(facts)
    for key in reversed(order):
        name, reverse = (key[1:], True) if key.startswith("-") else (key, False)
        present = [f for f in out if _sort_value(f, name) is not None]
        absent = [f for f in out if _sort_value(f, name) is None]
        present.sort(key=lambda f: _sort_value(f, name), reverse=reverse)
        out = present + absent
    return out


def _sort_value(facts: dict, name: str) -> Any:
    if name in facts:
        value = facts[name]
    else:
        record = facts.get("record")
        value = record.get(name) if isinstance(record, Record) else None
    if isinstance(value, (list, dict)):
        return None
    return value if isinstance(value, (str, int, date, bool)) else None


# --- conditions ------------------------------------------------------------------------------


def _condition(index: RecordIndex, spec: DashboardSpec, record: Record,
               as_of: date) -> dict[str, Any] | None:
    """The facts a record brings to the dashboard, or None when it does not belong on it."""
    c = spec.condition
    if c.kind in ("due_within", "overdue"):
        return _due_facts(index, record, as_of, c.period if c.kind == "due_within" else None)
    if c.kind == "passed":
        start = record.get(c.from_field)
        due = _add(index, start, c.period) if isinstance(start, date) else None
        if due is None or due > as_of:
            return None
        return {"due": due, "days_past": (as_of - due).days}
    if c.kind == "late":
        return _late(index, record, as_of, c.states)
    if c.kind == "owed":
        owed = _owed(index, record, as_of, c.owed)
        return {"owed": owed} if owed else None
    if c.kind == "open_with":
        children = [r for r in index.children(record, c.child_type) if not index.is_withdrawn(r)]
        still_open = [r for r in children if not index.is_done(r)]
        if index.is_done(record) and not still_open:
            return None
        label = index.model.types[c.child_type].label
        return {"children": (label, children, still_open)}
    return {}


def _add(index: RecordIndex, start: date, period: Period | None) -> date | None:
    if period is None:
        return None
    try:
        return period.add(start, index.calendar)
    except CalendarGap:
        return None     # the validator reports the missing calendar year; never guess


def _due_facts(index: RecordIndex, record: Record, as_of: date,
               within: Period | None) -> dict[str, Any] | None:
    """Overdue, or (with `within`) due within that period of `as_of`; open records only."""
    if index.is_done(record) or index.is_withdrawn(record):
        return None
    due = index.due_in_force(record)
    if due is None:
        return None
    overdue = due < as_of
    if not overdue:
        horizon = _add(index, as_of, within)
        if horizon is None or due > horizon:
            return None
    days = (as_of - due).days if overdue else (due - as_of).days
    timing = f"逾期 {days} 日" if overdue else ("今日到期" if days == 0 else f"还剩 {days} 日")
    return {"due": due, "overdue": overdue, "days": days, "timing": timing,
            "extensions": len(index.extensions(record))}


def _late(index: RecordIndex, record: Record, as_of: date,
          states: tuple[str, str]) -> dict[str, Any] | None:
    """Answered after the due date in force, or unanswered on a day after it."""
    due = index.due_in_force(record)
    answered_on = index.completion(record)
    until = answered_on if answered_on is not None else as_of
    if due is None or until <= due:
        return None
    replied = answered_on is not None
    return {"due": due, "replied": replied, "days_late": (until - due).days,
            "state": states[0] if replied else states[1]}


def _owed(index: RecordIndex, record: Record, as_of: date, spec) -> tuple[str, ...]:
    """One line per value of `each` without an answered entry in `in`."""
    entries = [e for e in record.get(spec.within) or [] if isinstance(e, dict)]
    out = []
    for value in record.get(spec.each) or []:
        mine = [e for e in entries if e.get(spec.match) == value]
        if any(isinstance(e.get(spec.answered_on), date) for e in mine):
            continue
        asked = [e[spec.asked_on] for e in mine if isinstance(e.get(spec.asked_on), date)]
        name = _value_text(index, value, _item_spec(index, record, spec.each))
        if asked:
            first = min(asked)
            out.append(f"{name}：{first.isoformat()} 征询，已 {(as_of - first).days} 日未回复")
        else:
            out.append(f"{name}：未记录征询")
    return tuple(out)


# --- rhythms (periods owed, not records) ------------------------------------------------------

QUARTER_WORDS = "一二三四"


def _rhythm(index: RecordIndex, spec: DashboardSpec, as_of: date) -> list[dict[str, Any]]:
    """One row per group and complete period since the rhythm began with no record dated in it.

    Records are placed in periods once (linear in the records); the periods walked are bounded
    by the calendar, not by the records. The period holding `as_of` is still running: not owed."""
    rhythm = spec.condition.rhythm
    held: dict[Any, dict[int, date]] = {}        # group → period number → last date in it
    for record in select(index, spec.population, as_of):
        day = record.get(rhythm.date)
        if not isinstance(day, date) or day > as_of:
            continue
        group = record.get(rhythm.group_by) if rhythm.group_by else ""
        for key in (group if isinstance(group, list) else [group]):
            slot = held.setdefault(key, {})
            n = _period_number(day, rhythm.months)
            slot[n] = max(slot.get(n, day), day)
    if not rhythm.group_by:
        held.setdefault("", {})
    first, running = _period_number(rhythm.since, rhythm.months), \
        _period_number(as_of, rhythm.months)
    group_spec = _item_spec_of(index, spec.population.type, rhythm.group_by)
    out = []
    for group, periods in held.items():
        dates = sorted(periods.values())
        for n in range(first, running):
            if n in periods:
                continue
            start = _period_start(n, rhythm.months)
            before = [d for d in dates if d < start]
            last = before[-1] if before else None
            out.append({"group": _value_text(index, group, group_spec),
                        "group_key": group if isinstance(group, str) else "",
                        "period": _period_label(n, rhythm.months),
                        "period_start": start, "last_held": last,
                        "days_since": (as_of - last).days if last else None,
                        "overdue": True})
    return sorted(out, key=lambda f: (f["group"], f["period_start"]))


def _period_number(day: date, months: int) -> int:
    """Calendar periods of `months` months numbered without gaps across years."""
    return (day.year * 12 + day.month - 1) // months


def _period_start(n: int, months: int) -> date:
    first_month = n * months
    return date(first_month // 12, first_month % 12 + 1, 1)


def _period_label(n: int, months: int) -> str:
    start = _period_start(n, months)
    if months == 3:
        return f"{start.year}年第{QUARTER_WORDS[(start.month - 1) // 3]}季度"
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    return f"{start.year}年"


def _item_spec_of(index: RecordIndex, type_name: str, name: str) -> FieldSpec | None:
    spec = index.model.types[type_name].fields.get(name) if name else None
    return spec.items if spec is not None and spec.type == "list" else spec


# --- followers (grouped dashboards) ------------------------------------------------------------


def _follow(index: RecordIndex, spec: DashboardSpec, facts: list[dict],
            as_of: date) -> tuple[Group, ...]:
    """One group per following body, each listing the records it should follow up."""
    groups: dict[str, list[Row]] = {}
    for f in facts:
        record = f["record"]
        owner = index.body_of(record)
        reasons: dict[str, str] = {}
        ancestor = None
        for follower in spec.followers:
            source = record
            if follower.ancestor is not None:
                source = _ancestor(index, record, follower.ancestor)
                if source is None or (follower.when is not None and
                                      not follower.when.matches(index, source, as_of)):
                    continue
                ancestor = ancestor or source
            for body in _bodies(source, follower):
                if body != owner:
                    reasons[body] = _reason(index, source, follower)
        for body, reason in reasons.items():
            row_facts = {**f, "why": reason, "ancestor": ancestor}
            groups.setdefault(body, []).append(row_facts)
    out = []
    for body in sorted(groups):
        rows = tuple(_row(index, spec, f) for f in _sorted(groups[body], spec.order))
        out.append(Group(key=body, label=_registry_name(index, "body", body), rows=rows))
    return tuple(out)


def _ancestor(index: RecordIndex, record: Record, type_name: str) -> Record | None:
    """The nearest record of a type strictly above `record` in its parents chain."""
    for parent in index.parents(record):
        found = index.ancestor(parent, type_name)
        if found is not None:
            return found
    return None


def _bodies(source: Record, follower: Follower) -> list[str]:
    out = []
    for name in follower.bodies:
        value = source.get(name)
        for body in (value if isinstance(value, list) else [value]):
            if isinstance(body, str) and body and body not in out:
                out.append(body)
    return out


def _reason(index: RecordIndex, source: Record, follower: Follower) -> str:
    specs = index.model.types[source.type].fields
    values = {name: (_value_text(index, source.get(name), spec)
                     or follower.empty.get(name, "")) for name, spec in specs.items()}
    try:
        return follower.why.format(**values)
    except (KeyError, IndexError, ValueError):
        return follower.why


# --- data quality ----------------------------------------------------------------------------


def _data_quality(index: RecordIndex, spec: DashboardSpec,
                  warnings: list[Problem]) -> list[dict[str, Any]]:
    """Warnings on the records shown, and open records missing expected fields.

    A warning about a file that is not among the records (a lead of another body, say) is
    dropped: its message may quote what this audience must not see."""
    by_path = {r.path: r for r in index.by_id.values()}
    out = [{"problem_kind": "校验警告", "file": p.path, "line": p.line, "code": p.code,
            "message": p.message, "record": by_path[p.path]}
           for p in warnings if p.path in by_path]
    for type_name, names in spec.expected_fields.items():
        specs = index.model.types[type_name].fields
        for record in index.live(type_name):
            if index.is_done(record):
                continue
            missing = [n for n in names if record.get(n) in (None, "", [], {})]
            if missing:
                labels = "、".join(f"{specs[n].label}（{n}）" for n in missing)
                out.append({"problem_kind": "缺少应填字段", "file": record.path,
                            "line": record.line("id"), "code": "",
                            "message": f"尚未填写：{labels}", "record": record})
    return out


# --- cells -----------------------------------------------------------------------------------


def _ref(record: Record | None) -> RecordRef | None:
    return RecordRef(record.id, record.type, record.title) if record is not None else None


def _row(index: RecordIndex, spec: DashboardSpec, facts: dict[str, Any]) -> Row:
    record = facts.get("record")
    highlight = bool(facts.get("overdue")) or facts.get("replied") is False
    return Row(record=_ref(record),
               cells=tuple(_cell(index, column, facts) for column in spec.columns),
               facts={k: v for k, v in facts.items() if k != "record"}, highlight=highlight)


def _cell(index: RecordIndex, column: Column, facts: dict[str, Any]) -> Cell:
    record: Record | None = facts.get("record")
    if column.source == "show":
        return _fact_cell(index, column, facts)
    if record is None:
        return Cell()
    if column.source == "field":
        value, spec = record.get(column.name), index.model.types[record.type].fields[column.name]
    else:
        value, spec = index.role(record, column.name), _role_spec(index, record, column.name)
    if spec is not None and spec.type == "ref" and spec.to[0] not in ("body", "unit"):
        target = index.by_id.get(value) if isinstance(value, str) else None
        return Cell(link=_ref(target)) if target is not None else Cell(text=column.empty)
    return Cell(text=_value_text(index, value, spec) or column.empty)


def _fact_cell(index: RecordIndex, column: Column, facts: dict[str, Any]) -> Cell:
    name, record = column.name, facts.get("record")
    value = facts.get(name)
    if name == "record":
        return Cell(link=_ref(record))
    if name == "status":
        rtype = index.model.types[record.type]
        return Cell(badge=Badge(record.status, rtype.lifecycle.label(record.status),
                                bool(facts.get("overdue"))))
    if name == "due":
        return Cell(text=_due_text(index, column, record, value))
    if name in ("days_past", "days_late"):
        return Cell(text=f"{value} 日")
    if name == "last_held":
        return Cell(text=value.isoformat() if value else column.empty)
    if name == "days_since":
        return Cell(text=f"{value} 日" if value is not None else column.empty)
    if name == "owed":
        return Cell(items=value)
    if name == "ancestor":
        return Cell(link=_ref(value))
    if name == "children":
        return _children_cell(*value)
    if name == "file":
        return Cell(text=f"{facts['file']}:{facts['line']}", code=True)
    if name == "code":
        return Cell(text=value, code=True)
    if isinstance(value, bool):
        return Cell(text="是" if value else "否")
    return Cell(text="" if value is None else str(value))


def _due_text(index: RecordIndex, column: Column, record: Record, due: date | None) -> str:
    if due is None:
        return column.empty
    text = due.isoformat()
    if not (column.note_stated or column.note_default):
        return text
    roles = index.model.types[record.type].roles
    stated = roles.due is not None and roles.due.field and isinstance(
        record.get(roles.due.field), date) or bool(index.extensions(record))
    if stated:
        return f"{text}（{column.note_stated}）" if column.note_stated else text
    period = roles.due.default.period if roles.due and roles.due.default else ""
    note = column.note_default.replace("{period}", str(period))
    return f"{text}（{note}）" if note else text


def _children_cell(label: str, children: list[Record], still_open: list[Record]) -> Cell:
    """共 2 项整改事项，1 项未完成, then a link to each open one."""
    if not children:
        return Cell(text=f"尚无{label}")
    return Cell(text=f"共 {len(children)} 项{label}，{len(still_open)} 项未完成",
                links=tuple(_ref(r) for r in sorted(still_open, key=lambda r: r.id)))


def _role_spec(index: RecordIndex, record: Record, role: str) -> FieldSpec | None:
    """The field spec behind a role, following "ref_field.field" into the target type."""
    rtype = index.model.types[record.type]
    path = rtype.roles.fields.get(role)
    if not path:
        return None
    first, _, rest = path.partition(".")
    spec = rtype.fields.get(first)
    if not rest or spec is None:
        return spec
    target = next((index.model.types[t] for t in spec.to if t in index.model.types), None)
    return target.fields.get(rest) if target is not None else None


def _item_spec(index: RecordIndex, record: Record, name: str) -> FieldSpec | None:
    spec = index.model.types[record.type].fields.get(name)
    return spec.items if spec is not None and spec.type == "list" else spec


def _registry_name(index: RecordIndex, kind: str, key: Any) -> str:
    return registry_name(index.model.registry, kind, key) if isinstance(key, str) else ""


def _value_text(index: RecordIndex, value: Any, spec: FieldSpec | None) -> str:
    """A field value as plain text: registry names, enum labels, ISO dates, lists with 、."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        item = spec.items if spec is not None and spec.type == "list" else spec
        return "、".join(t for t in (_value_text(index, v, item) for v in value) if t)
    if isinstance(value, dict):
        return ""
    if registry_kind(spec) is not None and not isinstance(value, str):
        return ""
    return scalar_text(value, spec, index.model.registry)
