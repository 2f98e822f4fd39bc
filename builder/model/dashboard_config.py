"""The 内部工作台 declarations (site_config/dashboards.yml), read and checked against the model.

A dashboard is a population of records, a condition from a small closed set, columns and an
order. Every key is checked here, at load, with a Chinese message at file and line, so that a
configuration change can end in a clear error but never in a traceback or a mislabelled
column. builder/dashboards.py evaluates the declarations; it never names a type or a field.

Conditions (each one provides the computed columns listed in FACTS):
- due_within: "30 日"   open records whose due date in force is before the build date
                        (overdue) or at most the period after it (due soon);
- overdue: true         open records whose due date in force is before the build date;
- passed: {from, period} records whose `from` date plus the period is on or before the build date;
- late: {late_reply, no_reply}  answered after the due date in force, or still unanswered after it
                        (the two texts name each case);
- owed: {each, in, match, asked_on, answered_on}  each value of the list field `each` that
                        has no entry in the object list `in` whose `match` equals it and whose
                        `answered_on` date is filled;
- open_with: <child type>  the record is not done, or one of its live children of that type is not;
- rhythm: {every, date, since, group_by}  a declared rhythm (quarter / half_year / year): one
                        row per group and complete calendar period since `since` in which no
                        record of the population has its `date` inside the period — so a
                        meeting nobody entered is owed too, not only a planned one;
- data_quality          (its own key) validation warnings and open records missing expected fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import strict_yaml
from .periods import Period, PeriodError
from .population import Population, parse_population, parse_where
from .problems import problem

# Columns every record dashboard can show, whatever its condition.
BASE_FACTS = ("record", "status")
FACTS = {
    None: (),
    "due_within": ("due", "overdue", "days", "timing", "extensions"),
    "overdue": ("due", "overdue", "days", "timing", "extensions"),
    "passed": ("due", "days_past"),
    "late": ("due", "replied", "state", "days_late"),
    "owed": ("owed",),
    "open_with": ("children",),
    "rhythm": ("group", "period", "last_held", "days_since"),
    "followers": ("why", "ancestor"),
    "data_quality": ("problem_kind", "file", "line", "record", "code", "message"),
}
# Conditions that need the type to have a due role.
NEEDS_DUE = ("due_within", "overdue", "late")
DASHBOARD_KEYS = {"id", "title", "index_label", "rule", "empty", "population", "condition",
                  "columns", "order", "followers", "data_quality"}
COLUMN_KEYS = {"show", "field", "role", "label", "empty", "note"}


@dataclass(frozen=True)
class Column:
    """One column: a computed fact (`show`), a field of the record, or the field playing a role."""

    key: str
    label: str
    source: str                 # show | field | role
    name: str
    empty: str = ""             # shown when the value is empty
    note_stated: str = ""       # due column: after a due date written in the record
    note_default: str = ""      # due column: after a due date computed from a default period


@dataclass(frozen=True)
class Owed:
    each: str
    within: str
    match: str
    asked_on: str
    answered_on: str


# Rhythm lengths in months; the periods are calendar quarters, halves and years.
RHYTHM_MONTHS = {"quarter": 3, "half_year": 6, "year": 12}


@dataclass(frozen=True)
class Rhythm:
    """Something the population must do at least once in every calendar period."""

    months: int                 # one of RHYTHM_MONTHS
    date: str                   # the date field that places a record in a period
    since: date                 # the first period owed is the one holding this day
    group_by: str = ""          # a field: each of its values keeps its own rhythm


@dataclass(frozen=True)
class Follower:
    """Bodies that follow a record up: fields of the record or of an ancestor of a type."""

    bodies: tuple[str, ...]
    why: str                                # the text shown; {field} is that field's value
    ancestor: str | None = None
    when: Population | None = None          # on the ancestor (or the record): one of when_any
    empty: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    kind: str | None = None
    period: Period | None = None
    from_field: str = ""
    owed: Owed | None = None
    child_type: str = ""
    states: tuple[str, str] = ("", "")      # late: (replied late, no reply yet)
    rhythm: Rhythm | None = None


@dataclass(frozen=True)
class DashboardSpec:
    id: str
    title: str
    index_label: str
    rule: str
    empty: str
    population: Population | None           # None for data quality
    condition: Condition
    columns: tuple[Column, ...]
    order: tuple[str, ...]
    followers: tuple[Follower, ...] = ()
    expected_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


class _Checker:
    """Collects every problem of the file, each at its line."""

    def __init__(self, model, file: str, lines: dict, errors: list[str]):
        self.model, self.file, self.lines, self.errors = model, file, lines, errors

    def at(self, path: tuple) -> str:
        return f"{self.file}:{strict_yaml.line_of(self.lines, tuple(path))}"

    def error(self, path: tuple, message: str) -> None:
        self.errors.append(f"{self.at(path)}: {message}")

    def mapping(self, value: Any, path: tuple, allowed: set[str], what: str) -> dict:
        if not isinstance(value, dict):
            self.error(path, f"{what}应为“键: 值”映射")
            return {}
        for key in value:
            if key not in allowed:
                self.error(path + (key,), f"{what}中有未知的配置项“{key}”"
                                          f"（可用：{'、'.join(sorted(allowed))}）")
        return value

    def text(self, value: Any, path: tuple, what: str, required: bool = True) -> str:
        if value is None or value == "":
            if required:
                self.error(path, f"缺少{what}")
            return ""
        if not isinstance(value, str):
            self.error(path, f"{what}应为一段文字")
            return ""
        return value

    def period(self, value: Any, path: tuple) -> Period | None:
        try:
            return Period.parse(value)
        except PeriodError as exc:
            self.error(path, str(exc))
            return None

    def rtype(self, name: Any, path: tuple):
        rtype = self.model.types.get(name) if isinstance(name, str) else None
        if rtype is None:
            self.error(path, f"记录类型“{name}”未定义（可用：{'、'.join(self.model.types)}）")
        return rtype

    def field_of(self, rtype, name: Any, path: tuple, kinds: tuple[str, ...] = ()) -> str:
        """A field of `rtype` (optionally of one of `kinds`), else an error and ""."""
        spec = rtype.fields.get(name) if isinstance(name, str) else None
        if spec is None:
            self.error(path, f"类型“{rtype.name}”没有字段“{name}”")
            return ""
        if kinds and spec.type not in kinds:
            self.error(path, f"字段“{name}”的类型是 {spec.type}，这里需要 {'或'.join(kinds)}")
            return ""
        return name


def read_dashboards(config_dir: Path, model) -> tuple[tuple[DashboardSpec, ...], list[str]]:
    """Read site_config/dashboards.yml (optional) → (declarations, Chinese errors)."""
    path = config_dir / "dashboards.yml"
    if not path.is_file():
        return (), []
    errors: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return (), [f"{path}: 无法读取（{exc}）"]
    parsed = strict_yaml.parse(text)
    if parsed.issues or parsed.fatal:
        return (), [f"{path}:{i.line}: {problem(i.code, str(path), i.line, **_params(i)).message}"
                    for i in parsed.issues] or [f"{path}: 无法读取"]
    check = _Checker(model, str(path), parsed.lines, errors)
    doc = check.mapping(parsed.data, (), {"dashboards"}, "dashboards.yml ")
    boards = doc.get("dashboards") or []
    if not isinstance(boards, list):
        check.error(("dashboards",), "dashboards 应为清单列表（每项以“- id: …”开头）")
        return (), errors
    out: list[DashboardSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(boards):
        spec = _dashboard(check, raw, ("dashboards", i))
        if spec is None:
            continue
        if spec.id in seen:
            check.error(("dashboards", i, "id"), f"清单编号“{spec.id}”重复")
        seen.add(spec.id)
        out.append(spec)
    return tuple(out), errors


def _params(issue) -> dict:
    params = dict(issue.params)
    params.pop("field", None)
    return params


def _dashboard(check: _Checker, raw: Any, path: tuple) -> DashboardSpec | None:
    raw = check.mapping(raw, path, DASHBOARD_KEYS, "清单")
    if not raw:
        return None
    board_id = check.text(raw.get("id"), path + ("id",), "清单编号 id")
    title = check.text(raw.get("title"), path + ("title",), "标题 title")
    rule = check.text(raw.get("rule"), path + ("rule",), "说明 rule", required=False)
    empty = check.text(raw.get("empty"), path + ("empty",), "没有条目时的说明 empty",
                       required=False)
    index_label = check.text(raw.get("index_label"), path + ("index_label",), "index_label",
                             required=False) or title
    if "data_quality" in raw:
        expected = _expected_fields(check, raw.get("data_quality"), path + ("data_quality",))
        condition = Condition(kind="data_quality")
        rtype, population = None, None
    else:
        population = parse_population(raw.get("population"), check.model, check.at,
                                      path + ("population",), check.errors)
        if population is None:
            return None
        rtype = check.model.types[population.type]
        condition = _condition(check, rtype, raw.get("condition"), path + ("condition",))
        expected = {}
    followers = _followers(check, rtype, raw.get("followers"), path + ("followers",)) \
        if "followers" in raw and rtype is not None else ()
    facts = set(BASE_FACTS) | set(FACTS.get(condition.kind, ())) | \
        (set(FACTS["followers"]) if followers else set())
    if condition.kind in ("data_quality", "rhythm"):
        facts = set(FACTS[condition.kind])
    columns = _columns(check, rtype, raw.get("columns"), path + ("columns",), facts, condition)
    if condition.kind == "rhythm" and any(c.source != "show" for c in columns):
        # A row is a period nobody met, not a record: there is no field to show.
        check.error(path + ("columns",), "按节奏（rhythm）列出的清单每行是一个欠开的期间，"
                                         f"列只能写 show（可用：{'、'.join(FACTS['rhythm'])}）")
    order = _order(check, rtype, raw.get("order"), path + ("order",), facts)
    if not (board_id and title):
        return None
    return DashboardSpec(id=board_id, title=title, index_label=index_label, rule=rule,
                         empty=empty, population=population,
                         condition=condition, columns=columns, order=order,
                         followers=followers, expected_fields=expected)


def _condition(check: _Checker, rtype, raw: Any, path: tuple) -> Condition:
    if raw is None:
        return Condition()
    raw = check.mapping(raw, path, set(FACTS) - {None, "followers", "data_quality"}, "condition ")
    if len(raw) != 1:
        if raw:
            check.error(path, "condition 只能写一个条件")
        return Condition()
    (kind, value), = raw.items()
    sub = path + (kind,)
    if kind in NEEDS_DUE and getattr(rtype, "roles", None) is not None \
            and getattr(rtype.roles, "due", None) is None:
        check.error(sub, f"条件 {kind} 需要类型“{rtype.name}”在 roles 中声明 due（期限）")
    if kind == "due_within":
        return Condition(kind=kind, period=check.period(value, sub))
    if kind == "overdue":
        if value != "true":
            check.error(sub, "overdue 只能写 true")
        return Condition(kind=kind)
    if kind == "passed":
        spec = check.mapping(value, sub, {"from", "period"}, "passed ")
        start = check.field_of(rtype, spec.get("from"), sub + ("from",), ("date",))
        return Condition(kind=kind, from_field=start,
                         period=check.period(spec.get("period"), sub + ("period",)))
    if kind == "late":
        spec = check.mapping(value, sub, {"late_reply", "no_reply"}, "late ")
        states = (check.text(spec.get("late_reply"), sub + ("late_reply",),
                             "late_reply（超期后才完成时显示的文字）"),
                  check.text(spec.get("no_reply"), sub + ("no_reply",),
                             "no_reply（超期仍未完成时显示的文字）"))
        return Condition(kind=kind, states=states)
    if kind == "owed":
        return Condition(kind=kind, owed=_owed(check, rtype, value, sub))
    if kind == "rhythm":
        return Condition(kind=kind, rhythm=_rhythm(check, rtype, value, sub))
    # open_with
    child = check.rtype(value, sub)
    return Condition(kind=kind, child_type=child.name if child else "")


def _owed(check: _Checker, rtype, value: Any, path: tuple) -> Owed | None:
    spec = check.mapping(value, path, {"each", "in", "match", "asked_on", "answered_on"}, "owed ")
    each = check.field_of(rtype, spec.get("each"), path + ("each",), ("list",))
    within = check.field_of(rtype, spec.get("in"), path + ("in",), ("list",))
    if not within:
        return None
    items = rtype.fields[within].items
    subfields = items.fields if items is not None and items.type == "object" else {}
    if not subfields:
        check.error(path + ("in",), f"字段“{within}”应为对象列表")
        return None
    names = {}
    for key, kinds in (("match", None), ("asked_on", ("date",)), ("answered_on", ("date",))):
        name = spec.get(key)
        if name not in subfields:
            check.error(path + (key,), f"字段“{within}”的条目没有子字段“{name}”")
        elif kinds and subfields[name].type not in kinds:
            check.error(path + (key,), f"子字段“{name}”应为日期")
        names[key] = name if isinstance(name, str) else ""
    if not each:
        return None
    return Owed(each=each, within=within, **names)


def _rhythm(check: _Checker, rtype, value: Any, path: tuple) -> Rhythm | None:
    spec = check.mapping(value, path, {"every", "date", "since", "group_by"}, "rhythm ")
    if not spec:
        return None
    every = spec.get("every")
    if every not in RHYTHM_MONTHS:
        check.error(path + ("every",), f"rhythm 的 every 应为 {'、'.join(RHYTHM_MONTHS)} 之一"
                                       f"（季度、半年、年），这里写的是“{every}”")
    date_field = check.field_of(rtype, spec.get("date"), path + ("date",), ("date",))
    since = None
    raw_since = spec.get("since")
    try:
        since = date.fromisoformat(str(raw_since)) if raw_since is not None else None
    except ValueError:
        pass
    if since is None:
        check.error(path + ("since",), f"rhythm 的 since 应为起算日期，例如 2023-01-01"
                                       f"（这里写的是“{raw_since}”）")
    group_by = ""
    if spec.get("group_by") is not None:
        group_by = check.field_of(rtype, spec.get("group_by"), path + ("group_by",),
                                  ("ref", "enum", "string"))
    if every not in RHYTHM_MONTHS or not date_field or since is None:
        return None
    return Rhythm(months=RHYTHM_MONTHS[every], date=date_field, since=since, group_by=group_by)


def _followers(check: _Checker, rtype, raw: Any, path: tuple) -> tuple[Follower, ...]:
    if not isinstance(raw, list) or not raw:
        check.error(path, "followers 应为列表（每项写 bodies 和 why）")
        return ()
    out = []
    for i, item in enumerate(raw):
        sub = path + (i,)
        spec = check.mapping(item, sub, {"ancestor", "when_any", "bodies", "why", "empty"},
                             "followers ")
        if not spec:
            continue
        source = rtype
        ancestor = None
        if spec.get("ancestor") is not None:
            source = check.rtype(spec.get("ancestor"), sub + ("ancestor",))
            if source is None:
                continue
            ancestor = source.name
        bodies = spec.get("bodies")
        if not isinstance(bodies, list) or not bodies:
            check.error(sub + ("bodies",), "bodies 应为字段名列表")
            continue
        for j, name in enumerate(bodies):
            fspec = source.fields.get(name) if isinstance(name, str) else None
            item_spec = fspec.items if fspec is not None and fspec.type == "list" else fspec
            if item_spec is None or item_spec.type != "ref" or item_spec.to != ("body",):
                check.error(sub + ("bodies", j),
                            f"类型“{source.name}”没有引用机关（to: body）的字段“{name}”")
        when = None
        if spec.get("when_any") is not None:
            # The shared population syntax: `any` of the listed where-mappings.
            where = parse_where({"any": spec["when_any"]}, source, check.model,
                                lambda keys: check.at(sub + ("when_any",) + tuple(keys[1:])),
                                ("any",), check.errors)
            when = Population(source.name, where, include_withdrawn=True)
        why = check.text(spec.get("why"), sub + ("why",), "why（为什么要跟踪）")
        empty = spec.get("empty") or {}
        if not isinstance(empty, dict):
            check.error(sub + ("empty",), "empty 应为“字段: 文字”映射")
            empty = {}
        try:
            why.format(**{n: "" for n in source.fields})
        except (KeyError, IndexError, ValueError):
            check.error(sub + ("why",), "why 中的 {…} 只能写字段名")
        out.append(Follower(bodies=tuple(b for b in bodies if isinstance(b, str)), why=why,
                            ancestor=ancestor, when=when, empty=dict(empty)))
    return tuple(out)


def _columns(check: _Checker, rtype, raw: Any, path: tuple, facts: set[str],
             condition: Condition) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        check.error(path, "columns 应为列的列表（每列写 show、field 或 role 之一，以及 label）")
        return ()
    out = []
    for i, item in enumerate(raw):
        sub = path + (i,)
        spec = check.mapping(item, sub, COLUMN_KEYS, "列")
        sources = [k for k in ("show", "field", "role") if k in spec]
        if len(sources) != 1:
            if spec:
                check.error(sub, "每列只能写 show、field、role 中的一个")
            continue
        source = sources[0]
        name = spec[source]
        label = check.text(spec.get("label"), sub + ("label",), "列名 label")
        if source == "show" and name not in facts:
            check.error(sub + ("show",), f"这个清单不能显示“{name}”"
                                         f"（可用：{'、'.join(sorted(facts))}）")
            continue
        if source == "field" and rtype is not None:
            if not check.field_of(rtype, name, sub + ("field",)):
                continue
        if source == "role" and rtype is not None and not _has_role(rtype, name):
            check.error(sub + ("role",), f"类型“{rtype.name}”没有声明角色“{name}”")
            continue
        note = spec.get("note") or {}
        note = check.mapping(note, sub + ("note",), {"stated", "default"}, "note ") \
            if note else {}
        out.append(Column(key=name if isinstance(name, str) else "", label=label,
                          source=source, name=name,
                          empty=check.text(spec.get("empty"), sub + ("empty",), "empty",
                                           required=False),
                          note_stated=note.get("stated") or "",
                          note_default=note.get("default") or ""))
    keys = [c.key for c in out]
    for key in {k for k in keys if keys.count(k) > 1}:
        check.error(path, f"列“{key}”出现了不止一次")
    return tuple(out)


def _has_role(rtype, role: str) -> bool:
    """Whether `rtype` declares `role` (a simple role, or the due / completion / start ones)."""
    roles = getattr(rtype, "roles", None)
    return roles is not None and getattr(roles, role, None) not in (None, "", (), [])


def _order(check: _Checker, rtype, raw: Any, path: tuple, facts: set[str]) -> tuple[str, ...]:
    if raw is None:
        return ("id",)
    if not isinstance(raw, list):
        check.error(path, "order 应为列表，例如 [due, id]；在名字前加“-”表示从大到小")
        return ("id",)
    allowed = facts | {"id"} | set(rtype.fields if rtype else ())
    out = []
    for i, key in enumerate(raw):
        name = key[1:] if isinstance(key, str) and key.startswith("-") else key
        if name not in allowed:
            check.error(path + (i,), f"不能按“{key}”排序（可用：{'、'.join(sorted(allowed))}）")
            continue
        out.append(key)
    return tuple(out)


def _expected_fields(check: _Checker, raw: Any, path: tuple) -> dict[str, tuple[str, ...]]:
    spec = check.mapping(raw, path, {"expected_fields"}, "data_quality ")
    fields_ = spec.get("expected_fields") or {}
    sub = path + ("expected_fields",)
    if not isinstance(fields_, dict):
        check.error(sub, "expected_fields 应为“类型: [字段, …]”映射")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for type_name, names in fields_.items():
        rtype = check.rtype(type_name, sub + (type_name,))
        if rtype is None:
            continue
        if not isinstance(names, list):
            check.error(sub + (type_name,), f"expected_fields.{type_name} 应为字段名列表")
            continue
        out[type_name] = tuple(n for j, n in enumerate(names)
                               if check.field_of(rtype, n, sub + (type_name, j)))
    return out


# --- declared public pages (site_config/pages.yml) ---------------------------------------------


@dataclass(frozen=True)
class PageSpec:
    """A computed public page: its title and, for a ledger, the record type it lists."""

    title: str
    type: str | None = None


def read_pages(config_dir: Path, model) -> tuple[dict[str, PageSpec], list[str]]:
    """Read site_config/pages.yml (optional) → ({"ledger"|"overdue": PageSpec}, errors)."""
    path = config_dir / "pages.yml"
    if not path.is_file():
        return {}, []
    parsed = strict_yaml.parse(path.read_text(encoding="utf-8"))
    if parsed.issues or parsed.fatal:
        return {}, [f"{path}:{i.line}: {problem(i.code, str(path), i.line, **_params(i)).message}"
                    for i in parsed.issues] or [f"{path}: 无法读取"]
    errors: list[str] = []
    check = _Checker(model, str(path), parsed.lines, errors)
    doc = check.mapping(parsed.data, (), {"ledger", "overdue"}, "pages.yml ")
    out: dict[str, PageSpec] = {}
    for key in ("ledger", "overdue"):
        if key not in doc:
            continue
        spec = check.mapping(doc[key], (key,), {"type", "title"} if key == "ledger"
                             else {"title"}, f"{key} ")
        title = check.text(spec.get("title"), (key, "title"), "标题 title")
        rtype = check.rtype(spec.get("type"), (key, "type")) if key == "ledger" else None
        if key == "ledger" and rtype is not None:
            for role in ("responsible_unit", "due"):
                if not _has_role(rtype, role):
                    check.error((key, "type"), f"台账类型“{rtype.name}”需要在 roles 中声明 {role}")
        if title and (key != "ledger" or rtype is not None):
            out[key] = PageSpec(title=title, type=rtype.name if rtype else None)
    return out, errors
