"""Roles: which field of a record type plays each part the code needs, and the RecordIndex.

Code never names a field of the default pack. A type file declares, under `roles:`, which of
its fields is the owning body, the due date, the completion date and so on (site.yml's
`common_roles:` does it for the fields every type shares); this module checks those
declarations against the fields at load and answers every role question about a set of
records, once, in `RecordIndex`. A deployment can rename or drop a field and move its role.

Role values are a field name, or "ref_field.field": read `field` on the record that `ref_field`
points to (one hop; the target's own role may point on, so chains are allowed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .periods import Calendar, CalendarGap, Period, PeriodError

if TYPE_CHECKING:  # model.py imports this module; the names are only needed for hints
    from .model import FieldSpec, Model, RecordType, Status
    from .records import Record

# Role name -> what its field must be. "body"/"unit": a ref to the registry; "date", "boolean";
# "value": one line or text; "record": a ref to a record type.
SIMPLE_ROLES: dict[str, str] = {
    "owner_body": "body",          # the supervising body a record belongs to (pages, feeds, figures)
    "recipient_body": "body",      # the body a record is sent to (exchanges)
    "responsible_unit": "unit",    # the unit that must act (ledgers, dashboards)
    "start": "date",               # the clock starts; also the record's year for grouping
    "completion": "date",          # done / answered on
    "adopted": "date",             # adopted text: changes only by amendment (diffcheck)
    "verified_on": "date",
    "embargo": "date",             # public only from this date
    "withdrawal_date": "date",
    "result": "value",
    "progress": "value",
    "reopen_reason": "value",
    "contact": "value",            # internal contact shown on dashboards
    "withdrawal_reason": "value",
    "verified": "boolean",         # true = verified; an unverified record stays with its owner
    "amends": "record",            # an amendment points at the text it amends
    "shares": "record",            # may point only at a verified record
}
# Roles that may be read through a reference ("finding.source_body").
DOTTED_ROLES = {"owner_body", "recipient_body", "responsible_unit", "start", "completion"}
DUE_KEYS = {"field", "extensions", "extension_due", "extension_reason", "extension_date",
            "default"}
ROLE_NAMES = set(SIMPLE_ROLES) | {"parents", "due"}
_KIND_LABELS = {"body": "机关引用（ref to: body）", "unit": "单位引用（ref to: unit）",
                "date": "日期（date）", "boolean": "true/false（boolean）",
                "value": "文字（string 或 text）", "record": "记录引用（ref）"}


@dataclass(frozen=True)
class Extension:
    """One entry of a due role's extension list, read through the role's sub-field names."""

    due: date | None           # the new due date
    reason: str | None
    approved: date | None      # the date the extension was granted


@dataclass(frozen=True)
class DueFacts:
    """A record's deadline as a citizen should read it: the due date in force first, the
    original one shown as superseded when extensions moved it, and the days overdue."""

    in_force: date | None
    original: date | None
    extensions: int                 # how many times the due date was extended
    days_overdue: int | None        # None when not overdue on the as-of date

    @property
    def superseded(self) -> date | None:
        """The original due date when the one in force differs from it."""
        return self.original if self.extensions and self.original != self.in_force else None


@dataclass(frozen=True)
class DueDefault:
    """When the due field is empty: start + period, for records matching `when`."""

    period: Period
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (field, accepted values as written)

    def applies(self, record: "Record") -> bool:
        return all(_as_text(record.get(name)) in values for name, values in self.when)


@dataclass(frozen=True)
class DueRole:
    """The due date, with its extension list (each entry moves the due date later)."""

    field: str | None = None
    extensions: str | None = None
    extension_due: str | None = None
    extension_reason: str | None = None
    extension_date: str | None = None
    default: DueDefault | None = None


@dataclass(frozen=True)
class Roles:
    """The roles one record type's fields play; None when the type has no such field."""

    fields: dict[str, str] = field(default_factory=dict)     # simple role -> field or dotted path
    parents: tuple[str, ...] = ()
    due: DueRole | None = None

    def field_of(self, role: str) -> str | None:
        """The field (or dotted path) playing `role`."""
        return self.fields.get(role)

    def __getattr__(self, name: str) -> Any:
        # roles.owner_body, roles.completion … read like attributes; unknown names still fail.
        if name in SIMPLE_ROLES:
            return self.fields.get(name)
        raise AttributeError(name)

    def role_fields(self) -> set[str]:
        """Every own field this type gives a role (first part of a dotted path)."""
        out = {path.split(".")[0] for path in self.fields.values()} | set(self.parents)
        if self.due:
            out |= {f for f in (self.due.field, self.due.extensions) if f}
        return out


# --------------------------------------------------------------------------------------------
# Reading and checking roles at load


At = Callable[[tuple], str]   # key path inside a config file -> "file:line"


def read_roles(own: Any, common: Any, rtype: "RecordType", types: dict[str, "RecordType"],
               at: At, common_at: At, errors: list[str]) -> Roles:
    """Check the `roles:` of one type (and site.yml's common_roles) against its fields."""
    out: dict[str, str] = {}
    parents: tuple[str, ...] = ()
    due: DueRole | None = None
    sources = []
    if common:
        if not isinstance(common, dict):
            errors.append(f"{common_at(('common_roles',))}: common_roles 应为“角色: 字段”映射")
        else:
            sources.append((common, common_at, ("common_roles",)))
    if own:
        if not isinstance(own, dict):
            errors.append(f"{at(('roles',))}: roles 应为“角色: 字段”映射")
        else:
            sources.append((own, at, ("roles",)))
    for doc, where, base in sources:
        for role, value in doc.items():
            key = base + (role,)
            if role not in ROLE_NAMES:
                errors.append(f"{where(key)}: 未知的角色“{role}”（可用：{'、'.join(sorted(ROLE_NAMES))}）")
                continue
            if role == "parents":
                parents = _read_parents(value, rtype, where, key, errors)
            elif role == "due":
                due = _read_due(value, rtype, where, key, errors)
            elif _check_simple(role, value, rtype, types, where(key), errors):
                out[role] = value
    return Roles(fields=out, parents=parents, due=due)


def check_cross_type(types: dict[str, "RecordType"], at_of: Callable[[str], At],
                     errors: list[str]) -> None:
    """Checks that need every type's roles: `shares` must point at types with a `verified` role."""
    for rtype in types.values():
        name = rtype.roles.fields.get("shares")
        if not name:
            continue
        for target in rtype.fields[name].to:
            if target in types and not types[target].roles.fields.get("verified"):
                errors.append(f"{at_of(rtype.name)(('roles', 'shares'))}: 角色 shares 的字段“{name}”"
                              f"引用的类型“{target}”没有 verified 角色（无法判断是否已核实）")


def _spec_kind(spec: "FieldSpec") -> str | None:
    if spec.type == "date":
        return "date"
    if spec.type == "boolean":
        return "boolean"
    if spec.type in ("string", "text"):
        return "value"
    if spec.type == "ref":
        if spec.to == ("body",):
            return "body"
        if spec.to == ("unit",):
            return "unit"
        return "record"
    return None


def _check_simple(role: str, value: Any, rtype: "RecordType", types: dict[str, "RecordType"],
                  where: str, errors: list[str]) -> bool:
    if not isinstance(value, str) or not value:
        errors.append(f"{where}: 角色 {role} 应写一个字段名")
        return False
    wanted = SIMPLE_ROLES[role]
    parts = value.split(".")
    if len(parts) > 1 and role not in DOTTED_ROLES:
        errors.append(f"{where}: 角色 {role} 只能写本类型的字段，不能写“{value}”")
        return False
    if len(parts) > 2:
        errors.append(f"{where}: “{value}”只能跨一层引用（写成“引用字段.字段”）；"
                      f"更远的记录请在被引用类型的角色中继续声明")
        return False
    first = rtype.fields.get(parts[0])
    if first is None:
        errors.append(f"{where}: 角色 {role} 的字段“{parts[0]}”在类型“{rtype.name}”中未定义")
        return False
    specs: list[tuple[str, "FieldSpec"]] = [(rtype.name, first)]
    if len(parts) == 2:
        if first.type != "ref" or any(t not in types for t in first.to):
            errors.append(f"{where}: “{parts[0]}”不是指向记录的引用字段，不能写“{value}”")
            return False
        specs = []
        for target in first.to:
            sub = types[target].fields.get(parts[1])
            if sub is None:
                errors.append(f"{where}: 角色 {role} 的“{value}”：类型“{target}”没有字段“{parts[1]}”")
                return False
            specs.append((target, sub))
    for owner, spec in specs:
        if _spec_kind(spec) != wanted:
            errors.append(f"{where}: 角色 {role} 的字段“{value}”应为{_KIND_LABELS[wanted]}，"
                          f"而“{owner}”中它是 {spec.type}")
            return False
    if role == "amends" and rtype.name not in first.to:
        errors.append(f"{where}: 角色 amends 的字段“{value}”应引用本类型“{rtype.name}”")
        return False
    return True


def _read_parents(value: Any, rtype: "RecordType", where: At, key: tuple,
                  errors: list[str]) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        errors.append(f"{where(key)}: parents 应为引用字段名的列表，例如 [finding]")
        return ()
    out = []
    for i, name in enumerate(names):
        spec = rtype.fields.get(name)
        if spec is not None and spec.type == "list" and spec.items is not None:
            spec = spec.items
        if spec is None:
            errors.append(f"{where(key + (i,))}: parents 中的字段“{name}”在类型“{rtype.name}”中未定义")
        elif spec.type != "ref" or spec.to in (("body",), ("unit",)):
            errors.append(f"{where(key + (i,))}: parents 中的字段“{name}”应为指向记录的引用（ref）")
        else:
            out.append(name)
    return tuple(out)


def _read_due(value: Any, rtype: "RecordType", where: At, key: tuple,
              errors: list[str]) -> DueRole | None:
    if isinstance(value, str):
        value = {"field": value}
    if not isinstance(value, dict):
        errors.append(f"{where(key)}: due 应写日期字段名，或写成 field/extensions/default 映射")
        return None
    for k in value:
        if k not in DUE_KEYS:
            errors.append(f"{where(key + (k,))}: due 中未知的配置项“{k}”（可用：{'、'.join(sorted(DUE_KEYS))}）")
    fields = rtype.fields
    name = value.get("field")
    ok = True
    if name is not None and (name not in fields or fields[name].type != "date"):
        errors.append(f"{where(key + ('field',))}: due.field “{name}”应为类型“{rtype.name}”的日期字段")
        ok = False
    ext = value.get("extensions")
    sub_names = {k: value.get(k) for k in ("extension_due", "extension_reason", "extension_date")}
    if ext is not None:
        spec = fields.get(ext)
        if spec is None or spec.type != "list" or spec.items is None or spec.items.type != "object":
            errors.append(f"{where(key + ('extensions',))}: due.extensions “{ext}”应为由子字段组成的列表字段（list of object）")
            ok = False
        else:
            subs = spec.items.fields
            wanted = {"extension_due": ("date",), "extension_reason": ("string", "text"),
                      "extension_date": ("date",)}
            if not sub_names["extension_due"]:
                errors.append(f"{where(key)}: 写了 due.extensions 就要写 extension_due（延期后新期限的子字段）")
                ok = False
            for role_key, sub in sub_names.items():
                if sub is None:
                    continue
                if sub not in subs or subs[sub].type not in wanted[role_key]:
                    errors.append(f"{where(key + (role_key,))}: {role_key} “{sub}”应为“{ext}”中的"
                                  f"{'日期' if wanted[role_key] == ('date',) else '文字'}子字段")
                    ok = False
    elif any(sub_names.values()):
        errors.append(f"{where(key)}: extension_due 等子字段需要先写 due.extensions")
        ok = False
    default = None
    if value.get("default") is not None:
        default = _read_default(value["default"], rtype, where, key + ("default",), errors)
        ok = ok and default is not None
    if name is None and default is None:
        errors.append(f"{where(key)}: due 需要 field（期限字段）或 default（由起算日加期限）")
        return None
    if not ok:
        return None
    return DueRole(field=name, extensions=ext, extension_due=sub_names["extension_due"],
                   extension_reason=sub_names["extension_reason"],
                   extension_date=sub_names["extension_date"], default=default)


def _read_default(doc: Any, rtype: "RecordType", where: At, key: tuple,
                  errors: list[str]) -> DueDefault | None:
    if not isinstance(doc, dict) or "period" not in doc or set(doc) - {"period", "when"}:
        errors.append(f"{where(key)}: due.default 应写成 {{period: \"20 日\", when: {{字段: 值}}}}")
        return None
    try:
        period = Period.parse(doc["period"])
    except PeriodError as exc:
        errors.append(f"{where(key + ('period',))}: {exc}")
        return None
    when = doc.get("when") or {}
    if not isinstance(when, dict):
        errors.append(f"{where(key + ('when',))}: when 应为“字段: 值”映射")
        return None
    conditions = []
    for name, wanted in when.items():
        spec = rtype.fields.get(name)
        values = tuple(str(v) for v in (wanted if isinstance(wanted, list) else [wanted]))
        if spec is None:
            errors.append(f"{where(key + ('when', name))}: when 中的字段“{name}”在类型“{rtype.name}”中未定义")
            return None
        allowed = (set(spec.values) if spec.type == "enum" else
                   set(rtype.lifecycle.statuses) if spec.type == "status" else
                   {"true", "false"} if spec.type == "boolean" else None)
        bad = [v for v in values if allowed is not None and v not in allowed]
        if bad:
            errors.append(f"{where(key + ('when', name))}: when 中“{name}”的值“{bad[0]}”无效"
                          f"（可用：{'、'.join(sorted(allowed))}）")
            return None
        conditions.append((name, values))
    return DueDefault(period=period, when=tuple(conditions))


def finish(rtype: "RecordType", roles: Roles, at: At, errors: list[str]) -> None:
    """Checks between roles of one type: a default due period needs a start role."""
    if roles.due and roles.due.default and not roles.fields.get("start"):
        errors.append(f"{at(('roles', 'due', 'default'))}: due.default 从起算日计算期限，"
                      f"请同时声明 start 角色（类型“{rtype.name}”）")


def _as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------
# Answering role questions about a set of records


class RecordIndex:
    """Records by ID and by type, and every role question about them, built once per record set.

    This is the one home of: the body a record belongs to, its due date in force, whether it
    is overdue, its parents and children. Every answer is None/False/[] when the data is
    missing or of the wrong kind (a deployment may make any field optional): callers count
    such a record as not meeting the condition, they never crash on it.
    """

    def __init__(self, records: Iterable["Record"], model: "Model",
                 calendar: Calendar | None = None):
        self.model = model
        self.calendar = calendar if calendar is not None else getattr(model, "calendar", Calendar())
        self.by_id: dict[str, "Record"] = {}
        self.by_type: dict[str, list["Record"]] = defaultdict(list)
        for r in records:
            self.by_id[r.id] = r
            self.by_type[r.type].append(r)
        self.gaps: list[tuple["Record", int]] = []    # (record, year) a due date could not be computed for
        self._children: dict[str, list["Record"]] | None = None
        self._due: dict[str, date | None] = {}

    # -- types and statuses ------------------------------------------------------------------

    def roles(self, r: "Record") -> Roles:
        rtype = self.model.types.get(r.type)
        return rtype.roles if rtype is not None else Roles()

    def status(self, r: "Record") -> "Status | None":
        rtype = self.model.types.get(r.type)
        return rtype.lifecycle.statuses.get(r.status) if rtype is not None else None

    def is_done(self, r: "Record") -> bool:
        s = self.status(r)
        return bool(s and s.done)

    def is_started(self, r: "Record") -> bool:
        s = self.status(r)
        return bool(s and s.started)

    def is_withdrawn(self, r: "Record") -> bool:
        s = self.status(r)
        return bool(s and s.withdrawn)

    def live(self, type_name: str) -> list["Record"]:
        """Records of a type that are not withdrawn."""
        return [r for r in self.by_type.get(type_name, []) if not self.is_withdrawn(r)]

    # -- simple roles -------------------------------------------------------------------------

    def role(self, r: "Record", role: str) -> Any:
        """The value of a simple role, following a dotted path one hop; None when absent."""
        path = self.roles(r).fields.get(role)
        if not path:
            return None
        return self.follow(r, path)

    def follow(self, r: "Record", path: str) -> Any:
        """The value at "field" or "ref_field.field" of `r`."""
        first, _, rest = path.partition(".")
        value = r.get(first)
        if not rest:
            return value
        target = self.by_id.get(value) if isinstance(value, str) else None
        return target.get(rest) if target is not None else None

    def _date(self, r: "Record", role: str) -> date | None:
        value = self.role(r, role)
        return value if isinstance(value, date) else None

    def body_of(self, r: "Record") -> str | None:
        """The registry ID of the supervising body `r` belongs to (owner_body role)."""
        value = self.role(r, "owner_body")
        return value if isinstance(value, str) and value else None

    def unit_of(self, r: "Record") -> str | None:
        """The registry ID of the unit responsible for `r` (responsible_unit role)."""
        value = self.role(r, "responsible_unit")
        return value if isinstance(value, str) and value else None

    def start(self, r: "Record") -> date | None:
        return self._date(r, "start")

    def completion(self, r: "Record") -> date | None:
        return self._date(r, "completion")

    def year_of(self, r: "Record") -> int | None:
        """The year of the start role (the year a ledger groups a record under); None without it."""
        start = self.start(r)
        return start.year if start else None

    def index_number(self, r: "Record") -> str | None:
        """The 索引号 of `r`: its owning body's `index_pattern` (registry.yml) filled with the
        record's ID, year (start role) and type; None when the body has no pattern or the
        record no year."""
        body = self.body_of(r)
        entry = self.model.registry.bodies.get(body) if body else None
        year = self.year_of(r)
        if entry is None or not entry.index_pattern or year is None:
            return None
        return entry.index_pattern.format(id=r.id, year=year, type=r.type)

    def is_verified(self, r: "Record") -> bool:
        """True unless the type has a `verified` role and the record is not verified."""
        name = self.roles(r).fields.get("verified")
        return name is None or r.get(name) is True

    # -- due dates ----------------------------------------------------------------------------

    def original_due(self, r: "Record") -> date | None:
        """The due field, else start + the default period when its `when` matches."""
        return original_due(r, self.model, self.calendar, self.gaps)

    def extensions(self, r: "Record") -> list[Extension]:
        """The extension entries, oldest first (None where a sub-field is missing)."""
        return extensions(r, self.model)

    def due_in_force(self, r: "Record") -> date | None:
        """The last extension's due date, else the original due date."""
        if r.id not in self._due:
            self._due[r.id] = due_in_force(r, self.model, self.calendar, self.gaps)
        return self._due[r.id]

    def is_overdue(self, r: "Record", as_of: date) -> bool:
        """Not done, not withdrawn, not yet completed or answered (completion role empty),
        and the due date in force is before `as_of`."""
        # A submitted report waiting for review is not done, but what was due has been
        # delivered: it may have been late, it is not overdue.
        if self.is_done(r) or self.is_withdrawn(r) or self.completion(r) is not None:
            return False
        due = self.due_in_force(r)
        return due is not None and due < as_of

    def days_overdue(self, r: "Record", as_of: date) -> int | None:
        if not self.is_overdue(r, as_of):
            return None
        return (as_of - self.due_in_force(r)).days

    def due_facts(self, r: "Record", as_of: date) -> DueFacts | None:
        """The honest deadline of `r` (None when its type has no due role or no due date):
        the one home of what every page, feed and data file says about a deadline."""
        if self.roles(r).due is None:
            return None
        in_force = self.due_in_force(r)
        if in_force is None:
            return None
        return DueFacts(in_force=in_force, original=self.original_due(r),
                        extensions=sum(1 for e in self.extensions(r) if e.due is not None),
                        days_overdue=self.days_overdue(r, as_of))

    def is_due_soon(self, r: "Record", as_of: date, within: Period) -> bool:
        """Open, not yet overdue, and due on or before `as_of` + `within`."""
        if self.is_done(r) or self.is_withdrawn(r):
            return False
        due = self.due_in_force(r)
        if due is None or due < as_of:
            return False
        try:
            return due <= within.add(as_of, self.calendar)
        except CalendarGap:
            return False

    def completed_on_time(self, r: "Record") -> bool:
        """Done, with a completion date on or before the due date in force."""
        due, done_on = self.due_in_force(r), self.completion(r)
        return self.is_done(r) and due is not None and done_on is not None and done_on <= due

    # -- roll-up ------------------------------------------------------------------------------

    def parents(self, r: "Record") -> list["Record"]:
        """The records `r`'s parents role points at (each ref field, list items too)."""
        out = []
        for name in self.roles(r).parents:
            value = r.get(name)
            for ref in (value if isinstance(value, list) else [value]):
                target = self.by_id.get(ref) if isinstance(ref, str) else None
                if target is not None:
                    out.append(target)
        return out

    def children(self, r: "Record", type_name: str | None = None) -> list["Record"]:
        """Records whose parents role points at `r` (optionally of one type), in load order."""
        if self._children is None:
            self._children = defaultdict(list)
            for records in self.by_type.values():
                for child in records:
                    for parent in self.parents(child):
                        self._children[parent.id].append(child)
        kids = self._children.get(r.id, [])
        return [c for c in kids if type_name is None or c.type == type_name]

    def ancestor(self, r: "Record", type_name: str) -> "Record | None":
        """The nearest record of `type_name` up the parents chain (r itself included)."""
        seen: set[str] = set()
        todo = [r]
        while todo:
            current = todo.pop(0)
            if current.type == type_name:
                return current
            if current.id in seen:
                continue
            seen.add(current.id)
            todo.extend(self.parents(current))
        return None


# Functions for stages that hold one record and the model, not a whole record set.


def extensions(r: "Record", model: "Model") -> list[Extension]:
    """`r`'s extension entries, read by the type's due role."""
    rtype = model.types.get(r.type)
    due = rtype.roles.due if rtype is not None else None
    if due is None or not due.extensions:
        return []
    out = []
    for entry in r.get(due.extensions) or []:
        if not isinstance(entry, dict):
            continue
        def sub(name: str | None) -> Any:
            return entry.get(name) if name else None
        new, reason, approved = (sub(due.extension_due), sub(due.extension_reason),
                                 sub(due.extension_date))
        out.append(Extension(due=new if isinstance(new, date) else None,
                             reason=reason if isinstance(reason, str) else None,
                             approved=approved if isinstance(approved, date) else None))
    return out


def original_due(r: "Record", model: "Model", calendar: Calendar | None = None,
                 gaps: list | None = None) -> date | None:
    """The due field, else start + the default period when its `when` matches, else None."""
    rtype = model.types.get(r.type)
    due = rtype.roles.due if rtype is not None else None
    if due is None:
        return None
    if due.field:
        value = r.get(due.field)
        if isinstance(value, date):
            return value
    if due.default is None or not due.default.applies(r):
        return None
    start_field = rtype.roles.fields.get("start")
    start = r.get(start_field) if start_field and "." not in start_field else None
    if not isinstance(start, date):
        return None
    try:
        return due.default.period.add(start, calendar if calendar is not None
                                      else getattr(model, "calendar", Calendar()))
    except CalendarGap as gap:
        if gaps is not None:
            gaps.append((r, gap.year))
        return None


def due_in_force(r: "Record", model: "Model", calendar: Calendar | None = None,
                 gaps: list | None = None) -> date | None:
    """THE due date in force: the last extension's new due date, else the original one."""
    for entry in reversed(extensions(r, model)):
        if entry.due is not None:
            return entry.due
    return original_due(r, model, calendar, gaps)
