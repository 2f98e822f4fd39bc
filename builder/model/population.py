"""Populations: which records a statistic or a dashboard is about, declared in site_config/.

    population: {type: resolution, where: {kind: review_opinion}}

`where` is a mapping; every condition must hold (use `any: [{…}, {…}]` for "one of"):

- `<field>: value` (or `[v1, v2]`) — the field holds that value; enum values are checked
  against the model; `filled` / `empty`; `true` / `false` for yes/no fields;
  `<date field>: {passed: "30 日"}` — the date is filled and the period after it has ended
  by the build date;
- `status: done | started | unfinished | withdrawn` (the lifecycle's flags; `unfinished` =
  neither done nor withdrawn; `started` includes done), or a status name, or a list of them.
  A flag wins over a status of the same name (the default pack's findings have a status
  `open`, which is why the flag is not called that);
- `overdue: true | false` — the due date in force (the type's `due` role) has passed and the
  record is not done;
- `due_soon: "30 日"` — not done, not overdue, and due within that period of the build date;
- `in_time: true | false` — the completion date (the `completion` role) is filled and not after
  the due date in force; a record that carries a count (`sum:`) is then counted "in time";
- `any: [where, where, …]` — at least one of the mappings holds.

Withdrawn records are left out unless the population says `include_withdrawn: true`.
Everything is checked against the model when site_config/ is loaded (Chinese messages at
file and line); selecting never raises on a record whose optional fields are empty: a
condition on a missing value simply does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable

from .periods import CalendarGap, Period, PeriodError

# Lifecycle flags a `status:` condition may name instead of a status.
STATUS_FLAGS = ("done", "started", "unfinished", "withdrawn")
# Condition keys that are not field names (a field of the same name cannot be filtered).
RESERVED = ("status", "overdue", "due_soon", "in_time", "any")
FILLED, EMPTY = "filled", "empty"

At = Callable[[tuple], str]   # key path in the declaration file -> "file:line"


@dataclass(frozen=True)
class Condition:
    """One checked condition of a `where` mapping."""

    kind: str                         # field | passed | status | overdue | due_soon | in_time | any
    name: str = ""                    # the field, for field and passed conditions
    values: tuple[Any, ...] = ()      # accepted values; FILLED / EMPTY; status names or flags
    period: Period | None = None      # passed, due_soon
    flag: bool = True                 # overdue, in_time: true / false
    alternatives: tuple[tuple["Condition", ...], ...] = ()   # any


@dataclass(frozen=True)
class Population:
    """A record type and the conditions its records must meet."""

    type: str
    where: tuple[Condition, ...] = ()
    include_withdrawn: bool = False

    def matches(self, index: Any, record: Any, as_of: date) -> bool:
        if record.type != self.type:
            return False
        if not self.include_withdrawn and index.is_withdrawn(record):
            return False
        return all(holds(c, index, record, as_of) for c in self.where)

    def refine(self, other: "Population") -> "Population":
        """This population narrowed by the conditions of another one of the same type."""
        return Population(self.type, self.where + other.where,
                          self.include_withdrawn and other.include_withdrawn)


def select(index: Any, population: Population, as_of: date,
           records: Iterable[Any] | None = None) -> list[Any]:
    """The records of `population` (among `records`, default all of its type), in order."""
    pool = index.by_type.get(population.type, []) if records is None else records
    return [r for r in pool if population.matches(index, r, as_of)]


# --- evaluating -------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def holds(c: Condition, index: Any, record: Any, as_of: date) -> bool:
    """Whether one condition holds for a record on `as_of` (never raises on missing data)."""
    if c.kind == "field":
        value = record.get(c.name)
        if c.values == (FILLED,):
            return _filled(value)
        if c.values == (EMPTY,):
            return not _filled(value)
        if isinstance(value, list):
            return any(v in c.values for v in value)
        return value in c.values
    if c.kind == "passed":
        value = record.get(c.name)
        if not isinstance(value, date):
            return False
        try:
            return c.period.add(value, index.calendar) <= as_of
        except CalendarGap:
            return False   # reported by the validator; a figure never guesses a holiday
    if c.kind == "status":
        return any(_status_is(index, record, v) for v in c.values)
    if c.kind == "overdue":
        return index.is_overdue(record, as_of) is c.flag
    if c.kind == "due_soon":
        return _due_soon(index, record, as_of, c.period)
    if c.kind == "in_time":
        due, done_on = index.due_in_force(record), index.completion(record)
        return (due is not None and done_on is not None and done_on <= due) is c.flag
    if c.kind == "any":
        return any(all(holds(x, index, record, as_of) for x in group)
                   for group in c.alternatives)
    return False


def _status_is(index: Any, record: Any, wanted: str) -> bool:
    if wanted == "done":
        return index.is_done(record)
    if wanted == "started":
        return index.is_started(record)
    if wanted == "withdrawn":
        return index.is_withdrawn(record)
    if wanted == "unfinished":
        return not index.is_done(record) and not index.is_withdrawn(record)
    return record.status == wanted


def _due_soon(index: Any, record: Any, as_of: date, period: Period) -> bool:
    return index.is_due_soon(record, as_of, period)


# --- reading the declaration ------------------------------------------------------------------


def parse_population(doc: Any, model: Any, at: At, path: tuple, errors: list[str]
                     ) -> Population | None:
    """Check a `population:` mapping against the model; None (and errors) when it is wrong."""
    if isinstance(doc, str):
        doc = {"type": doc}
    if not isinstance(doc, dict):
        errors.append(f"{at(path)}: population 应为映射，例如 {{type: 类型名, where: {{…}}}}")
        return None
    unknown = set(doc) - {"type", "where", "include_withdrawn"}
    for key in sorted(unknown, key=str):
        errors.append(f"{at(path + (key,))}: population 中未知的配置项“{key}”"
                      f"（可用：type、where、include_withdrawn）")
    type_name = doc.get("type")
    if type_name not in model.types:
        errors.append(f"{at(path + ('type',))}: 记录类型“{type_name}”未定义"
                      f"（可用：{'、'.join(model.types)}）")
        return None
    include = doc.get("include_withdrawn", "false")
    if include not in ("true", "false"):
        errors.append(f"{at(path + ('include_withdrawn',))}: include_withdrawn 只能是 true 或 false")
    where = parse_where(doc.get("where"), model.types[type_name], model, at, path + ("where",),
                        errors)
    return Population(type_name, where, include == "true")


def parse_where(doc: Any, rtype: Any, model: Any, at: At, path: tuple, errors: list[str]
                ) -> tuple[Condition, ...]:
    """The conditions of a `where:` mapping for records of `rtype`."""
    if doc in (None, {}):
        return ()
    if not isinstance(doc, dict):
        errors.append(f"{at(path)}: where 应为“条件: 值”映射")
        return ()
    out = []
    for key, value in doc.items():
        found = _condition(str(key), value, rtype, model, at, path + (key,), errors)
        if found is not None:
            out.append(found)
    return tuple(out)


def _values(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _condition(key: str, value: Any, rtype: Any, model: Any, at: At, path: tuple,
               errors: list[str]) -> Condition | None:
    where = at(path)
    if key == "any":
        if not isinstance(value, list) or not value:
            errors.append(f"{where}: any 应为条件映射的列表")
            return None
        groups = tuple(parse_where(v, rtype, model, at, path + (i,), errors)
                       for i, v in enumerate(value))
        return Condition("any", alternatives=groups)
    if key == "status":
        values = _values(value)
        for v in values:
            if v not in STATUS_FLAGS and v not in rtype.lifecycle.statuses:
                errors.append(f"{where}: 状态“{v}”不是{rtype.label}的状态，也不是 "
                              f"{'、'.join(STATUS_FLAGS)}（可用状态：{'、'.join(rtype.lifecycle.statuses)}）")
        return Condition("status", values=values)
    if key == "overdue":
        if value not in ("true", "false"):
            errors.append(f"{where}: overdue 只能是 true 或 false")
        _need_due(rtype, where, key, errors)
        return Condition("overdue", flag=value == "true")
    if key == "in_time":
        if value not in ("true", "false"):
            errors.append(f"{where}: in_time 只能是 true 或 false")
        _need_due(rtype, where, key, errors)
        roles = getattr(rtype, "roles", None)
        if roles is not None and not roles.fields.get("completion"):
            errors.append(f"{where}: {rtype.label}没有声明完成日期角色（roles.completion），不能用 in_time 作条件")
        return Condition("in_time", flag=value == "true")
    if key == "due_soon":
        _need_due(rtype, where, key, errors)
        period = _period(value, where, errors)
        return Condition("due_soon", period=period) if period else None
    spec = rtype.fields.get(key)
    if spec is None:
        errors.append(f"{where}: {rtype.label}没有字段“{key}”"
                      f"（可用：{'、'.join(n for n in rtype.fields if n not in RESERVED)}）")
        return None
    if isinstance(value, dict):
        if set(value) != {"passed"} or spec.type != "date":
            errors.append(f"{where}: 字段条件只能写值、列表、filled、empty，"
                          f"日期字段还可以写 {{passed: \"30 日\"}}")
            return None
        period = _period(value["passed"], at(path + ("passed",)), errors)
        return Condition("passed", name=key, period=period) if period else None
    values = _values(value)
    if values in ((FILLED,), (EMPTY,)):
        return Condition("field", name=key, values=values)
    typed = []
    for v in values:
        parsed = _typed(v, spec, model, where, key, errors)
        if parsed is not None:
            typed.append(parsed)
    return Condition("field", name=key, values=tuple(typed))


def _typed(value: Any, spec: Any, model: Any, where: str, key: str, errors: list[str]) -> Any:
    """A condition value as records hold it, checked against the field's type."""
    item = spec.items if spec.type == "list" and spec.items is not None else spec
    kind = item.type
    if kind == "enum":
        if value not in item.values:
            errors.append(f"{where}: “{value}”不是字段“{key}”的可选值"
                          f"（可用：{'、'.join(item.values)}、filled、empty）")
            return None
        return value
    if kind == "boolean":
        if value not in ("true", "false"):
            errors.append(f"{where}: 是否字段“{key}”的条件只能是 true、false、filled 或 empty")
            return None
        return value == "true"
    if kind == "integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            errors.append(f"{where}: 整数字段“{key}”的条件“{value}”不是整数")
            return None
    if kind == "date":
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            errors.append(f"{where}: 日期字段“{key}”的条件“{value}”不是日期（YYYY-MM-DD）")
            return None
    if kind == "ref" and item.to and item.to[0] in ("body", "unit"):
        entries = model.registry.entries(item.to[0])
        if value not in entries:
            errors.append(f"{where}: “{value}”不在 registry.yml 的 {item.to[0]} 中")
            return None
        return value
    if kind in ("object",):
        errors.append(f"{where}: 字段“{key}”是对象，只能用 filled 或 empty 作条件")
        return None
    return str(value)


def _need_due(rtype: Any, where: str, key: str, errors: list[str]) -> None:
    roles = getattr(rtype, "roles", None)
    if roles is not None and getattr(roles, "due", None) is None:
        errors.append(f"{where}: {rtype.label}没有声明期限角色（roles.due），不能用 {key} 作条件")


def _period(value: Any, where: str, errors: list[str]) -> Period | None:
    try:
        return Period.parse(value)
    except PeriodError as exc:
        errors.append(f"{where}: {exc}")
        return None
