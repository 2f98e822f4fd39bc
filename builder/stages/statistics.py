"""Statistics: every figure the site shows, declared in site_config/statistics.yml, evaluated here.

A statistic is an ID, a Chinese label, a plain-Chinese definition, a population (population.py)
and a measure from a closed set:

- `count` — records of the population;
- `share: {where}` — the part of the population meeting `where`, as a ratio;
- `sum: <integer field>` — the sum of a field, or of an integer sub-field of an object field
  (`sum: votes.for`): records that carry a count where a report gives only totals;
- `on_time` — done, with a completion date on or before the due date in force;
- `answered_within` — a completion date on or before the due date in force (done or not);
- `overdue` — not done, and the due date in force is before the build date;
- `zero_balance` — the population is not empty and nothing of it is still unfinished (yes/no);
- `ratio: [a, b]` — figure a ÷ figure b (both counts), as a percentage;
- `change: <figure>` — the figure minus its value in the previous group of an ordered
  grouping (year, period): percentage points for a ratio.

Tables (the sections of the statistics page, `sunlight stats`, data/statistics.json) evaluate
figures per group: one row per record of a type (`rows: {type: …}`: figures over the records
below it through the `parents` roles), or `group_by` the owning body, the responsible unit, the
year or quarter of the start role, an ancestor of a type, a role or a field. The home page
shows the `home` figures and tables. Everything is checked against the model at load, with
Chinese messages at file and line; evaluating never raises on a record whose optional fields
are empty: the record does not meet the condition. Linear in the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from ..model import strict_yaml
from ..model.population import Condition, Population, holds, parse_population, parse_where
from ..model.problems import problem

COUNT_MEASURES = ("count", "sum", "on_time", "answered_within", "overdue")
PLAIN_MEASURES = ("count", "on_time", "answered_within", "overdue", "zero_balance")
MAPPED_MEASURES = ("share", "sum", "ratio", "change")
MEASURES = PLAIN_MEASURES + MAPPED_MEASURES
# Measures that compare with the due date in force (the type's `due` role).
DUE_MEASURES = ("on_time", "answered_within", "overdue")
GROUP_WORDS = ("body", "unit", "year")
PERIODS = ("year", "quarter")
FORMATS = ("percent", "fraction")
STATISTIC_KEYS = {"label", "definition", "unit", "population", "measure", "format"}
TABLE_KEYS = {"id", "title", "description", "rows", "group_by", "columns", "total", "chart",
              "internal"}
CHART_KEYS = {"title", "of", "stack", "rest"}
MISSING = "（未填）"
GROUP_LABELS = {"body": "监督机关", "unit": "责任单位", "year": "年度"}

At = Callable[[tuple], str]


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


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    kind: str
    where: tuple[Condition, ...] = ()       # share
    field: str = ""                         # sum
    of: tuple[str, ...] = ()                # ratio: (numerator, denominator); change: (figure,)


@dataclass(frozen=True)
class Statistic:
    id: str
    label: str
    definition: str
    measure: Measure
    population: Population | None = None
    unit: str = ""
    format: str = "percent"

    @property
    def counts(self) -> bool:
        return self.measure.kind in COUNT_MEASURES


@dataclass(frozen=True)
class GroupKey:
    """One part of a grouping: body, unit, year, period:<year|quarter>, parent:<type>,
    role:<role> or a field name."""

    spec: str
    kind: str          # body | unit | year | period | parent | role | field
    name: str = ""     # period unit, parent type, role or field name
    label: str = ""    # the column heading


@dataclass(frozen=True)
class Chart:
    title: str
    of: str                                  # the whole bar
    stack: tuple[tuple[str, str], ...]       # (figure, legend), nested: each within the next
    rest: str = ""                           # legend of what is left of the bar


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[str, ...]
    group_by: tuple[GroupKey, ...] = ()
    rows: Population | None = None           # one row per record of this population
    show: tuple[str, ...] = ()               # fields of the row record shown before the figures
    total: bool = False
    chart: Chart | None = None
    internal: bool = False
    description: str = ""


@dataclass(frozen=True)
class Declarations:
    statistics: dict[str, Statistic] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    home: tuple[str, ...] = ()               # key figures of the home page
    home_tables: tuple[str, ...] = ()        # tables listed on the home page
    internal: tuple[str, ...] = ()           # figures shown only on the internal site

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def public(self, statistic_id: str) -> bool:
        return statistic_id not in self.internal


# --- reading statistics.yml -----------------------------------------------------------------


def read_statistics(config_dir: Path, model: Any) -> tuple[Declarations, list[str]]:
    """Read site_config/statistics.yml (optional) → (declarations, Chinese errors at file:line)."""
    path = config_dir / "statistics.yml"
    if not path.is_file():
        return Declarations(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Declarations(), [f"{path}: 无法读取（{exc}）"]
    parsed = strict_yaml.parse(text)
    if parsed.issues or parsed.fatal:
        out = []
        for issue in parsed.issues:
            params = dict(issue.params)
            found = problem(issue.code, str(path), issue.line, field=params.pop("field", None),
                            **params)
            out.append(f"{path}:{issue.line}: {issue.code} {found.message}")
        return Declarations(), out or [f"{path}: 无法读取"]
    errors: list[str] = []

    def at(keys: tuple) -> str:
        return f"{path}:{strict_yaml.line_of(parsed.lines, tuple(keys))}"

    return read_declarations(parsed.data, model, at, errors), errors



def read_declarations(doc: Any, model: Any, at: At, errors: list[str]) -> Declarations:
    """Check statistics.yml against the model; every problem goes to `errors` (file:line)."""
    if not doc:
        return Declarations()
    if not isinstance(doc, dict):
        errors.append(f"{at(())}: statistics.yml 应为映射（statistics、tables、home、internal）")
        return Declarations()
    _unknown(doc, {"statistics", "tables", "home", "internal"}, at, (), "statistics.yml", errors)
    raw = doc.get("statistics") or {}
    if not isinstance(raw, dict):
        errors.append(f"{at(('statistics',))}: statistics 应为“编号: 定义”映射")
        raw = {}
    stats: dict[str, Statistic] = {}
    for sid, spec in raw.items():
        found = _statistic(str(sid), spec, model, at, ("statistics", sid), errors)
        if found is not None:
            stats[found.id] = found
    _check_operands(stats, raw, at, errors)
    tables = []
    raw_tables = doc.get("tables") or []
    if not isinstance(raw_tables, list):
        errors.append(f"{at(('tables',))}: tables 应为列表，每项是统计页的一节")
        raw_tables = []
    seen: set[str] = set()
    for i, spec in enumerate(raw_tables):
        table = _table(spec, stats, model, at, ("tables", i), errors)
        if table is None:
            continue
        if table.id in seen:
            errors.append(f"{at(('tables', i, 'id'))}: 表格编号“{table.id}”重复")
        seen.add(table.id)
        tables.append(table)
    home, home_tables = _home(doc.get("home"), stats, seen, at, errors)
    internal = _ids(doc.get("internal"), stats, at, ("internal",), errors)
    return Declarations(stats, tuple(tables), home, home_tables, internal)


def _unknown(doc: dict, allowed: set[str], at: At, path: tuple, what: str,
             errors: list[str]) -> None:
    for key in doc:
        if key not in allowed:
            errors.append(f"{at(path + (key,))}: {what} 中未知的配置项“{key}”"
                          f"（可用：{'、'.join(sorted(allowed))}）")


def _statistic(sid: str, spec: Any, model: Any, at: At, path: tuple,
               errors: list[str]) -> Statistic | None:
    if not isinstance(spec, dict):
        errors.append(f"{at(path)}: 统计“{sid}”应为映射（label、definition、population、measure）")
        return None
    _unknown(spec, STATISTIC_KEYS, at, path, f"统计“{sid}”", errors)
    ok = True
    for key in ("label", "definition", "measure"):
        if not isinstance(spec.get(key), str if key != "measure" else (str, dict)) \
                or not spec.get(key):
            errors.append(f"{at(path + ((key,) if key in spec else ()))}: 统计“{sid}”缺少 {key}"
                          + ("（用中文写明口径，网站和开放数据中显示在数字旁）"
                             if key == "definition" else ""))
            ok = False
    fmt = spec.get("format", "percent")
    if fmt not in FORMATS:
        errors.append(f"{at(path + ('format',))}: format 只能是 {'、'.join(FORMATS)}")
        ok = False
    if not ok:
        return None
    measure_doc = spec["measure"]
    kind = measure_doc if isinstance(measure_doc, str) else \
        (next(iter(measure_doc)) if len(measure_doc) == 1 else None)
    mpath = path + ("measure",)
    if kind not in MEASURES or (isinstance(measure_doc, str) and kind in MAPPED_MEASURES) \
            or (isinstance(measure_doc, dict) and kind in PLAIN_MEASURES):
        errors.append(f"{at(mpath)}: 统计方法“{_text(measure_doc)}”无效（可用：{'、'.join(PLAIN_MEASURES)}，"
                      f"或 share: {{条件}}、sum: 字段、ratio: [分子, 分母]、change: 统计编号）")
        return None
    population = None
    if kind in ("ratio", "change"):
        if "population" in spec:
            errors.append(f"{at(path + ('population',))}: {kind} 由其他统计算出，不写 population")
    else:
        if "population" not in spec:
            errors.append(f"{at(path)}: 统计“{sid}”缺少 population（统计哪些记录）")
            return None
        population = parse_population(spec["population"], model, at, path + ("population",),
                                      errors)
        if population is None:
            return None
    measure = _measure(kind, measure_doc, population, model, at, mpath, errors)
    if measure is None:
        return None
    return Statistic(id=sid, label=spec["label"], definition=spec["definition"],
                     measure=measure, population=population, unit=str(spec.get("unit") or ""),
                     format=fmt)


def _measure(kind: str, doc: Any, population: Population | None, model: Any, at: At,
             path: tuple, errors: list[str]) -> Measure | None:
    rtype = model.types[population.type] if population is not None else None
    if kind in DUE_MEASURES:
        roles = rtype.roles
        if roles.due is None:
            errors.append(f"{at(path)}: {kind} 要和期限比较，但{rtype.label}没有声明期限角色（roles.due）")
            return None
        if kind != "overdue" and not roles.fields.get("completion"):
            errors.append(f"{at(path)}: {kind} 要用完成日期，但{rtype.label}没有声明 completion 角色")
            return None
        return Measure(kind)
    if kind in PLAIN_MEASURES:
        return Measure(kind)
    arg = doc[kind]
    if kind == "share":
        where = parse_where(arg, rtype, model, at, path + (kind,), errors)
        if not where:
            errors.append(f"{at(path + (kind,))}: share 需要条件，例如 share: {{字段: [值1, 值2]}}")
            return None
        return Measure(kind, where=where)
    if kind == "sum":
        name = arg.get("field") if isinstance(arg, dict) else arg
        spec = _integer_field(rtype, name)
        if spec is None:
            errors.append(f"{at(path + (kind,))}: sum 需要{rtype.label}的一个整数字段，“{_text(name)}”不是")
            return None
        return Measure(kind, field=name)
    if kind == "ratio":
        if not isinstance(arg, list) or len(arg) != 2 or not all(isinstance(a, str) for a in arg):
            errors.append(f"{at(path + (kind,))}: ratio 应写成 [分子统计编号, 分母统计编号]")
            return None
        return Measure(kind, of=tuple(arg))
    # Always against the previous group of the table's ordered grouping (the year before).
    name = arg.get("of") if isinstance(arg, dict) else arg
    if isinstance(arg, dict) and set(arg) != {"of"}:
        errors.append(f"{at(path + (kind,))}: change 应写成 change: 统计编号（与上一组相比）")
        return None
    if not isinstance(name, str):
        errors.append(f"{at(path + (kind,))}: change 需要一个统计编号")
        return None
    return Measure(kind, of=(name,))


def _integer_field(rtype: Any, name: Any) -> Any:
    """The spec of an integer field, or of an object field's integer sub-field (`a.b`)."""
    if not isinstance(name, str):
        return None
    head, _, sub = name.partition(".")
    spec = rtype.fields.get(head)
    if spec is not None and sub:
        spec = spec.fields.get(sub) if spec.type == "object" else None
    return spec if spec is not None and spec.type == "integer" else None


def _check_operands(stats: dict[str, Statistic], raw: dict, at: At, errors: list[str]) -> None:
    """Ratios divide counts; a change follows a count or a ratio. Drops the broken ones."""
    for sid in list(stats):
        stat = stats[sid]
        path = ("statistics", sid, "measure", stat.measure.kind)
        if stat.measure.kind == "ratio":
            for i, other in enumerate(stat.measure.of):
                if other not in raw:
                    errors.append(f"{at(path + (i,))}: 统计“{other}”未定义")
                    stats.pop(sid, None)
                elif other in stats and not stats[other].counts:
                    errors.append(f"{at(path + (i,))}: ratio 只能除两个计数（{'、'.join(COUNT_MEASURES)}），"
                                  f"“{other}”不是计数")
                    stats.pop(sid, None)
        if stat.measure.kind == "change":
            other = stat.measure.of[0]
            if other not in raw:
                errors.append(f"{at(path)}: 统计“{other}”未定义")
                stats.pop(sid, None)
            elif other in stats and stats[other].measure.kind in ("change", "zero_balance"):
                errors.append(f"{at(path)}: change 只能比较计数或比率，“{other}”不是")
                stats.pop(sid, None)
    # A figure built on a dropped one is dropped too (its error is already reported).
    changed = True
    while changed:
        changed = False
        for sid in list(stats):
            if any(o not in stats for o in stats[sid].measure.of):
                stats.pop(sid)
                changed = True


def _base(stats: dict[str, Statistic], sid: str) -> list[Statistic]:
    """The figures with a population that `sid` is computed from (itself, if it has one)."""
    stat = stats[sid]
    if stat.population is not None:
        return [stat]
    return [b for other in stat.measure.of for b in _base(stats, other)]


def _table(spec: Any, stats: dict[str, Statistic], model: Any, at: At, path: tuple,
           errors: list[str]) -> Table | None:
    if not isinstance(spec, dict):
        errors.append(f"{at(path)}: 表格应为映射（id、title、columns，以及 rows 或 group_by）")
        return None
    _unknown(spec, TABLE_KEYS, at, path, "表格", errors)
    tid, title = spec.get("id"), spec.get("title")
    if not isinstance(tid, str) or not tid or not isinstance(title, str) or not title:
        errors.append(f"{at(path)}: 表格需要 id 和 title")
        return None
    columns = _ids(spec.get("columns"), stats, at, path + ("columns",), errors)
    if not columns:
        errors.append(f"{at(path + ('columns',))}: 表格“{tid}”需要 columns（统计编号列表）")
        return None
    flags = {}
    for key in ("total", "internal"):
        value = spec.get(key, "false")
        if value not in ("true", "false"):
            errors.append(f"{at(path + (key,))}: {key} 只能是 true 或 false")
        flags[key] = value == "true"
    bases = [b for c in columns for b in _base(stats, c)]
    rows, show, keys = None, (), ()
    if "rows" in spec and "group_by" in spec:
        errors.append(f"{at(path)}: 表格“{tid}”只能写 rows 或 group_by 之一")
        return None
    if "rows" in spec:
        rows_doc = spec["rows"]
        show_doc = rows_doc.get("show") if isinstance(rows_doc, dict) else None
        if isinstance(rows_doc, dict):
            rows_doc = {k: v for k, v in rows_doc.items() if k != "show"}
        rows = parse_population(rows_doc, model, at, path + ("rows",), errors)
        if rows is None:
            return None
        rtype = model.types[rows.type]
        show = tuple(_list(show_doc))
        for i, name in enumerate(show):
            if name not in rtype.fields or rtype.fields[name].internal:
                errors.append(f"{at(path + ('rows', 'show', i))}: {rtype.label}没有公开字段“{name}”")
                return None
        keys = (GroupKey(f"parent:{rows.type}", "parent", rows.type, rtype.label),)
    elif "group_by" in spec:
        keys = tuple(k for k in (_group_key(g, bases, model, at, path + ("group_by", i), errors)
                                 for i, g in enumerate(_list(spec["group_by"]))) if k)
        if len(keys) != len(_list(spec["group_by"])):
            return None
    for key in keys:
        if not _groupable(key, bases, model, at, path, errors):
            return None
    keys = tuple(_labelled(k, bases, model) for k in keys)
    chart = _chart(spec.get("chart"), stats, columns, at, path + ("chart",), errors) \
        if spec.get("chart") is not None else None
    return Table(id=tid, title=title, columns=columns, group_by=keys, rows=rows, show=show,
                 total=flags["total"], chart=chart, internal=flags["internal"],
                 description=str(spec.get("description") or ""))


def _list(value: Any) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _group_key(doc: Any, bases: list[Statistic], model: Any, at: At, path: tuple,
               errors: list[str]) -> GroupKey | None:
    if isinstance(doc, dict) and len(doc) == 1 and "period" in doc:
        if doc["period"] not in PERIODS:
            errors.append(f"{at(path)}: period 只能是 {'、'.join(PERIODS)}")
            return None
        return GroupKey(f"period:{doc['period']}", "period", doc["period"],
                        "季度" if doc["period"] != "year" else "年度")
    if not isinstance(doc, str) or not doc:
        errors.append(f"{at(path)}: 分组应写 body、unit、year、{{period: quarter}}、"
                      f"parent:类型、role:角色 或字段名")
        return None
    if doc in GROUP_WORDS:
        return GroupKey(doc, doc, "", GROUP_LABELS[doc])
    prefix, _, name = doc.partition(":")
    if prefix == "parent" and name:
        if name not in model.types:
            errors.append(f"{at(path)}: 类型“{name}”未定义（可用：{'、'.join(model.types)}）")
            return None
        return GroupKey(doc, "parent", name, model.types[name].label)
    if prefix == "role" and name:
        return GroupKey(doc, "role", name, "")
    return GroupKey(doc, "field", doc, "")


def _groupable(key: GroupKey, bases: list[Statistic], model: Any, at: At, path: tuple,
               errors: list[str]) -> bool:
    """Every figure of the table can be grouped so (its type has the role or field)."""
    role = {"body": "owner_body", "unit": "responsible_unit", "year": "start",
            "period": "start"}.get(key.kind, key.name if key.kind == "role" else "")
    for stat in bases:
        rtype = model.types[stat.population.type]
        where = f"{at(path + ('group_by',))}: 统计“{stat.id}”（{rtype.label}）"
        if key.kind == "field":
            spec = rtype.fields.get(key.name)
            if spec is None or spec.internal or spec.type in ("text", "object"):
                errors.append(f"{where}不能按“{key.name}”分组：没有这个公开字段，或它是长文字/对象")
                return False
        elif role and not rtype.roles.fields.get(role):
            errors.append(f"{where}不能按“{key.spec}”分组：该类型没有声明 {role} 角色")
            return False
    return True


def _labelled(key: GroupKey, bases: list[Statistic], model: Any) -> GroupKey:
    """A role or field grouping is headed by the field's label (of the first figure's type)."""
    if key.label or not bases:
        return key
    rtype = model.types[bases[0].population.type]
    name = rtype.roles.fields.get(key.name) if key.kind == "role" else key.name
    spec = rtype.fields.get((name or "").split(".")[0])
    return GroupKey(key.spec, key.kind, key.name, spec.label if spec is not None else key.spec)


def _chart(doc: Any, stats: dict[str, Statistic], columns: tuple[str, ...], at: At, path: tuple,
           errors: list[str]) -> Chart | None:
    if not isinstance(doc, dict) or not doc.get("title") or not doc.get("of"):
        errors.append(f"{at(path)}: chart 需要 title、of（整条的统计）和 stack（各段）")
        return None
    _unknown(doc, CHART_KEYS, at, path, "chart", errors)
    stack = []
    for i, part in enumerate(_list(doc.get("stack"))):
        if not isinstance(part, dict) or set(part) != {"figure", "legend"}:
            errors.append(f"{at(path + ('stack', i))}: stack 的每段写成 {{figure: 统计编号, legend: 图例}}")
            return None
        stack.append((part["figure"], part["legend"]))
    for i, sid in enumerate([doc["of"]] + [s for s, _ in stack]):
        where = at(path + (("of",) if i == 0 else ("stack", i - 1)))
        if sid not in stats:
            errors.append(f"{where}: 统计“{sid}”未定义")
            return None
        if sid not in columns:
            errors.append(f"{where}: 图表只能画本表的列，“{sid}”不在 columns 中")
            return None
        if not stats[sid].counts:
            errors.append(f"{where}: 图表的每段都应是计数，“{sid}”不是")
            return None
    return Chart(title=doc["title"], of=doc["of"], stack=tuple(stack), rest=str(doc.get("rest") or ""))


def _ids(doc: Any, stats: dict[str, Statistic], at: At, path: tuple, errors: list[str]
         ) -> tuple[str, ...]:
    out = []
    for i, sid in enumerate(_list(doc)):
        if sid not in stats:
            errors.append(f"{at(path + (i,))}: 统计“{_text(sid)}”未定义或有误")
        else:
            out.append(sid)
    return tuple(out)


def _home(doc: Any, stats: dict[str, Statistic], tables: set[str], at: At, errors: list[str]
          ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if isinstance(doc, list) or doc is None:
        return _ids(doc, stats, at, ("home",), errors), ()
    if not isinstance(doc, dict):
        errors.append(f"{at(('home',))}: home 应写成 {{figures: [统计编号…], tables: [表格编号…]}}")
        return (), ()
    _unknown(doc, {"figures", "tables"}, at, ("home",), "home", errors)
    figures = _ids(doc.get("figures"), stats, at, ("home", "figures"), errors)
    listed = []
    for i, tid in enumerate(_list(doc.get("tables"))):
        if tid not in tables:
            errors.append(f"{at(('home', 'tables', i))}: 表格“{_text(tid)}”未定义或有误")
        else:
            listed.append(tid)
    return figures, tuple(listed)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


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
        needed = {b.id: b for c in table.columns for b in _base(self.decl.statistics, c)}
        for c in table.columns:
            stat = self.decl.statistics[c]
            if stat.measure.kind == "change":
                needed.update({b.id: b for b in _base(self.decl.statistics, stat.measure.of[0])})
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
            if item.type == "ref" and item.to and item.to[0] in ("body", "unit"):
                return _registry_part(self.model.registry, item.to[0], value)
        if isinstance(value, bool):
            return KeyPart(value, "是" if value else "否")
        if isinstance(value, date):
            return KeyPart(value, value.isoformat())
        return KeyPart(value, str(value))


def select_rows(index: Any, population: Population, as_of: date) -> list[Any]:
    return [r for r in index.by_type.get(population.type, [])
            if population.matches(index, r, as_of)]


def _registry_part(registry: Any, kind: str, value: Any) -> KeyPart:
    entries = registry.entries(kind)
    name = entries[value].name if value in entries else str(value)
    return KeyPart(value, name, (kind, value) if value in entries else None)


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
