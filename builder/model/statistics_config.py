"""Statistics as declarations: site_config/statistics.yml read and checked against the model at
load (the figures are evaluated by stages/statistics.py).

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import strict_yaml
from .population import Condition, Population, parse_population, parse_where
from .problems import problem

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


def base_figures(stats: dict[str, Statistic], sid: str) -> list[Statistic]:
    """The figures with a population that `sid` is computed from (itself, if it has one)."""
    stat = stats[sid]
    if stat.population is not None:
        return [stat]
    return [b for other in stat.measure.of for b in base_figures(stats, other)]


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
    bases = [b for c in columns for b in base_figures(stats, c)]
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
