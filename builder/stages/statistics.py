"""Stage: statistics — every figure declared in site_config/statistics.yml
(model/statistics_config.py) evaluated over a record set, and shown as text and JSON.

Evaluating never raises on a record whose optional fields are empty: the record does not
meet the condition. Linear in the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable

from ..model.format import registry_kind, registry_name, scalar_text
from ..model.population import Population, holds
from ..model.statistics_config import (MISSING, Declarations, GroupKey, Statistic, Table,
                                       base_figures)

# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """A part of a whole; shown as a percentage with one decimal, rounded half up."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        value = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        p = self.percent
        return "—" if p is None else f"{p}%"

    def as_dict(self) -> dict[str, Any]:
        p = self.percent
        return {"numerator": self.numerator, "denominator": self.denominator,
                "percent": None if p is None else float(p)}


@dataclass(frozen=True)
class Change:
    """A difference against the previous group: a count, or percentage points of a ratio."""

    amount: Decimal
    points: bool = False

    def __str__(self) -> str:
        sign = "+" if self.amount > 0 else ""
        return f"{sign}{self.amount} 个百分点" if self.points else f"{sign}{self.amount}"

    def as_dict(self) -> dict[str, Any]:
        return {"amount": float(self.amount) if self.points else int(self.amount),
                "unit": "percentage points" if self.points else "count"}


# --- evaluating -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPart:
    """One part of a row's key as shown: the raw value, its text, and what it links to."""

    value: Any
    text: str
    link: tuple[str, str] | None = None      # ("body"|"unit"|<type>, id)
    suffix: str = ""                         # read after the text in a heading ("2023" + "年")


@dataclass
class Row:
    parts: tuple[KeyPart, ...]
    values: dict[str, Any]
    record: Any = None                       # the row's record (rows: {type: …})
    shown: tuple[KeyPart | None, ...] = ()   # the row record's `show` fields (None: empty)

    @property
    def label(self) -> str:
        return " ".join(p.text + p.suffix for p in self.parts)


@dataclass
class TableFigures:
    table: Table
    rows: list[Row]
    total: Row | None = None


@dataclass
class Figures:
    """Every declared figure for one record set on one day."""

    as_of: date
    declarations: Declarations
    values: dict[str, Any]                   # the overall value of each statistic
    tables: list[TableFigures]

    def statistic(self, sid: str) -> Statistic:
        return self.declarations.statistics[sid]

    def table(self, table_id: str) -> TableFigures | None:
        return next((t for t in self.tables if t.table.id == table_id), None)


def compute(records: Iterable[Any], model: Any, as_of: date, internal: bool = True,
            index: Any = None) -> Figures:
    """Evaluate every declared figure over `records`. With internal=False the figures and
    tables declared internal are left out (the public site and its open data)."""
    from ..model.roles import RecordIndex   # roles imports the model; keep this module light

    index = index if index is not None else RecordIndex(records, model)
    decl: Declarations = getattr(model, "statistics", None) or Declarations()
    evaluator = _Evaluator(decl, index, model, as_of)
    values = {sid: evaluator.overall(sid) for sid in decl.statistics
              if internal or decl.public(sid)}
    tables = [evaluator.table(t) for t in decl.tables if internal or not t.internal]
    return Figures(as_of=as_of, declarations=decl, values=values, tables=tables)


class _Evaluator:
    def __init__(self, decl: Declarations, index: Any, model: Any, as_of: date):
        self.decl, self.index, self.model, self.as_of = decl, index, model, as_of
        self._selected: dict[str, list[Any]] = {}
        self._overall: dict[str, Any] = {}

    def selected(self, stat: Statistic) -> list[Any]:
        """The population of a statistic, selected once."""
        if stat.id not in self._selected:
            self._selected[stat.id] = [r for r in self.index.by_type.get(stat.population.type, [])
                                       if stat.population.matches(self.index, r, self.as_of)]
        return self._selected[stat.id]

    # -- one figure over a set of records ----------------------------------------------------

    def measure(self, stat: Statistic, records: list[Any]) -> Any:
        index, kind = self.index, stat.measure.kind
        if kind == "count":
            return len(records)
        if kind == "share":
            hit = sum(1 for r in records
                      if all(holds(c, index, r, self.as_of) for c in stat.measure.where))
            return Ratio(hit, len(records))
        if kind == "sum":
            return sum(v for v in (_summand(r, stat.measure.field) for r in records)
                       if isinstance(v, int) and not isinstance(v, bool))
        if kind == "on_time":
            return sum(1 for r in records if index.completed_on_time(r))
        if kind == "answered_within":
            return sum(1 for r in records if _within(index, r))
        if kind == "overdue":
            return sum(1 for r in records if index.is_overdue(r, self.as_of))
        if kind == "zero_balance":
            return bool(records) and not any(not index.is_done(r) and not index.is_withdrawn(r)
                                             for r in records)
        raise ValueError(kind)   # ratio and change never reach here (checked at load)

    def overall(self, sid: str) -> Any:
        """A figure over its whole population (computed once: totals and home reuse it)."""
        if sid not in self._overall:
            self._overall[sid] = self.value(sid, lambda stat: self.selected(stat))
        return self._overall[sid]

    def value(self, sid: str, records_of: Callable[[Statistic], list[Any]]) -> Any:
        stat = self.decl.statistics[sid]
        if stat.measure.kind == "ratio":
            a, b = (self.value(o, records_of) for o in stat.measure.of)
            return Ratio(a, b)
        if stat.measure.kind == "change":
            return None          # only defined between the rows of an ordered table
        return self.measure(stat, records_of(stat))

    # -- tables ------------------------------------------------------------------------------

    def table(self, table: Table) -> TableFigures:
        needed = {b.id: b for c in table.columns for b in base_figures(self.decl.statistics, c)}
        for c in table.columns:
            stat = self.decl.statistics[c]
            if stat.measure.kind == "change":
                needed.update({b.id: b for b in base_figures(self.decl.statistics, stat.measure.of[0])})
        groups: dict[tuple, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        parts: dict[tuple, tuple[KeyPart, ...]] = {}
        keys_of: dict[str, list[tuple[KeyPart, ...]]] = {}   # a record is in several populations
        for stat in needed.values():
            for r in self.selected(stat):
                if r.id not in keys_of:
                    keys_of[r.id] = self._keys(table, r)
                for key in keys_of[r.id]:
                    groups[tuple(p.value for p in key)][stat.id].append(r)
                    parts.setdefault(tuple(p.value for p in key), key)
        rows: list[Row] = []
        if table.rows is not None:
            for record in sorted(select_rows(self.index, table.rows, self.as_of), key=lambda r: r.id):
                key = (record.id,)
                rows.append(Row(parts=(self._part(table.group_by[0], record.id),),
                                values=self._row_values(table, groups.get(key, {})),
                                record=record,
                                shown=tuple(self._shown(table, record))))
        else:
            for key in sorted(groups, key=_sort_key):
                rows.append(Row(parts=parts[key], values=self._row_values(table, groups[key])))
        self._changes(table, rows)
        for row in rows:       # figures a change needed but the table does not show
            row.values = {c: row.values[c] for c in table.columns}
        total = None
        if table.total:
            total = Row(parts=(KeyPart(None, "合计"),),
                        values={c: self.overall(c) for c in table.columns})
        return TableFigures(table=table, rows=rows, total=total)

    def _row_values(self, table: Table, group: dict[str, list[Any]]) -> dict[str, Any]:
        wanted = list(table.columns) + [self.decl.statistics[c].measure.of[0] for c in table.columns
                                        if self.decl.statistics[c].measure.kind == "change"]
        return {c: self.value(c, lambda stat: group.get(stat.id, [])) for c in wanted}

    def _changes(self, table: Table, rows: list[Row]) -> None:
        """A change compares a row with the previous row that shares every other key part."""
        changes = [c for c in table.columns if self.decl.statistics[c].measure.kind == "change"]
        if not changes:
            return
        previous: dict[tuple, Row] = {}
        for row in rows:
            head = tuple(p.value for p in row.parts[:-1])
            before = previous.get(head)
            for c in changes:
                of = self.decl.statistics[c].measure.of[0]
                row.values[c] = None if before is None else \
                    _difference(row.values.get(of), before.values.get(of))
            previous[head] = row

    def _keys(self, table: Table, record: Any) -> list[tuple[KeyPart, ...]]:
        out: list[tuple[KeyPart, ...]] = [()]
        for key in table.group_by:
            values = self._key_values(key, record)
            out = [prefix + (self._part(key, v),) for prefix in out for v in values]
        return out

    def _key_values(self, key: GroupKey, record: Any) -> list[Any]:
        index = self.index
        if key.kind == "body":
            return [index.body_of(record)]
        if key.kind == "unit":
            return [index.unit_of(record)]
        if key.kind == "year":
            return [index.year_of(record)]
        if key.kind == "period":
            start = index.start(record)
            if start is None:
                return [None]
            return [start.year if key.name == "year" else (start.year, (start.month - 1) // 3 + 1)]
        if key.kind == "parent":
            found = index.ancestor(record, key.name)
            return [found.id if found is not None else None]
        if key.kind == "role":
            value = index.role(record, key.name)
        else:
            value = record.get(key.name)
        if isinstance(value, list):
            return [v for v in value if v not in (None, "")] or [None]
        return [value if value not in ("", {}) else None]

    def _part(self, key: GroupKey, value: Any) -> KeyPart:
        if value is None:
            return KeyPart(None, MISSING)
        registry = self.model.registry
        if key.kind in ("body", "unit"):
            return _registry_part(registry, key.kind, value)
        if key.kind == "year" or (key.kind == "period" and key.name == "year"):
            return KeyPart(value, str(value), suffix="年")
        if key.kind == "period":
            return KeyPart(value, f"{value[0]}年第{value[1]}季度")
        if key.kind == "parent":
            record = self.index.by_id.get(value)
            title = record.title if record is not None else value
            return KeyPart(value, title, (key.name, value))
        return self._field_part(key, value)

    def _shown(self, table: Table, record: Any) -> list[KeyPart | None]:
        out = []
        for name in table.show:
            value = record.get(name)
            out.append(None if value in (None, "", []) else
                       self._field_part(GroupKey(name, "field", name), value, table.rows.type))
        return out

    def _field_part(self, key: GroupKey, value: Any, prefer: str | None = None) -> KeyPart:
        """A field (or role) value as a heading: enum label, registry name, yes/no, date."""
        types = self.model.types
        for rtype in ([types[prefer]] if prefer in types else []) + list(types.values()):
            name = rtype.roles.fields.get(key.name) if key.kind == "role" else key.name
            spec = rtype.fields.get(name or "")
            if spec is None:
                continue
            item = spec.items if spec.type == "list" and spec.items is not None else spec
            if item.type == "enum" and value in item.values:
                return KeyPart(value, item.values[value])
            if registry_kind(item) is not None:
                return _registry_part(self.model.registry, registry_kind(item), value)
        return KeyPart(value, scalar_text(value, None, self.model.registry))


def select_rows(index: Any, population: Population, as_of: date) -> list[Any]:
    return [r for r in index.by_type.get(population.type, [])
            if population.matches(index, r, as_of)]


def _registry_part(registry: Any, kind: str, value: Any) -> KeyPart:
    known = value in registry.entries(kind)
    return KeyPart(value, registry_name(registry, kind, value), (kind, value) if known else None)


def _summand(record: Any, name: str) -> Any:
    head, _, sub = name.partition(".")
    value = record.get(head)
    if sub:
        return value.get(sub) if isinstance(value, dict) else None
    return value


def _within(index: Any, record: Any) -> bool:
    due, done_on = index.due_in_force(record), index.completion(record)
    return due is not None and done_on is not None and done_on <= due


def _difference(now: Any, then: Any) -> Change | None:
    if isinstance(now, Ratio) and isinstance(then, Ratio):
        if now.percent is None or then.percent is None:
            return None
        return Change(now.percent - then.percent, points=True)
    if isinstance(now, int) and isinstance(then, int):
        return Change(Decimal(now - then))
    return None


def _sort_key(key: tuple) -> tuple:
    # Missing parts last; mixed kinds never compare with each other.
    return tuple((v is None, type(v).__name__, v if v is not None else 0) for v in key)


# --- showing --------------------------------------------------------------------------------


def show(value: Any, stat: Statistic, with_unit: bool = False) -> str:
    """A figure as text: counts (with their unit), percentages, yes/no, changes; — if none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Ratio):
        if stat.format == "fraction":
            return f"{value.numerator}/{value.denominator}（{value}）"
        return str(value)
    if isinstance(value, int) and with_unit and stat.unit:
        return f"{value} {stat.unit}"
    return str(value)


def json_value(value: Any) -> Any:
    """A figure as JSON: numbers, true/false, null, or {numerator, denominator, percent}."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return value


def as_json(figures: Figures) -> dict[str, Any]:
    """The document of `sunlight stats --format json` and data/statistics.json."""
    decl = figures.declarations
    statistics = {}
    for sid, value in figures.values.items():
        stat = decl.statistics[sid]
        statistics[sid] = {"label": stat.label, "definition": stat.definition,
                           "unit": stat.unit, "measure": stat.measure.kind,
                           "population": stat.population.type if stat.population else None,
                           "value": json_value(value), "text": show(value, stat, True)}
    tables = {}
    for tf in figures.tables:
        t = tf.table
        tables[t.id] = {
            "title": t.title,
            "group_by": [k.spec for k in t.group_by],
            "columns": list(t.columns),
            "rows": [_row_json(t, row) for row in tf.rows],
            "total": {c: json_value(v) for c, v in tf.total.values.items()} if tf.total else None,
        }
    return {"as_of": figures.as_of.isoformat(), "statistics": statistics, "tables": tables}


def _row_json(table: Table, row: Row) -> dict[str, Any]:
    key = {}
    for k, part in zip(table.group_by, row.parts):
        value = part.value
        key[k.spec] = list(value) if isinstance(value, tuple) else (
            value.isoformat() if isinstance(value, date) else value)
    out: dict[str, Any] = {"group": key, "label": row.label,
                           "values": {c: json_value(v) for c, v in row.values.items()}}
    if row.record is not None:
        out["title"] = row.record.title
        out["fields"] = {n: None if p is None else
                         p.value.isoformat() if isinstance(p.value, date) else p.value
                         for n, p in zip(table.show, row.shown)}
    return out


def as_text(figures: Figures) -> str:
    """The report of `sunlight stats`: each table, row by row, then every definition."""
    decl = figures.declarations
    out = [f"统计截至 {figures.as_of.isoformat()}（全部数字由记录计算得出）"]
    for tf in figures.tables:
        out += ["", tf.table.title]
        for row in tf.rows:
            label = row.label
            if row.record is not None:
                extra = "，".join(p.text for p in row.shown if p is not None)
                label = f"{row.record.id} {row.record.title}" + (f"（{extra}）" if extra else "")
            out.append(f"  {label}：" + _figures_text(tf.table, row, decl))
        if tf.total is not None:
            out.append("  合计：" + _figures_text(tf.table, tf.total, decl))
        if not tf.rows:
            out.append("  （暂无记录）")
    out += ["", "口径"]
    for sid in figures.values:
        stat = decl.statistics[sid]
        out.append(f"  {stat.label}（{sid}）：{stat.definition}")
    return "\n".join(out)


def _figures_text(table: Table, row: Row, decl: Declarations) -> str:
    return "，".join(f"{decl.statistics[c].label} {show(row.values[c], decl.statistics[c], True)}"
                    for c in table.columns)
