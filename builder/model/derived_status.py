"""Derived status: a record's status computed from its children instead of typed by hand.

A type file may declare

    derive_status:
      from: <child type>          # whose `parents` role points at this type
      rules:                      # first match wins
        - {status: <status>, when: all_done}
        - {status: <status>, when: any_started}
        - {status: <status>, when: none_started}

Conditions are evaluated over the record's live children (not withdrawn), by the lifecycle
flags of the child type (`done`, `started`), never by status names, so a deployment that
renames its statuses keeps its rules. A record with no live child, a withdrawn record, a
record with a child whose status is invalid and a record whose rules match nothing keep the
status typed in the file.

The derived status is what the site, listings, statistics, dashboards and open data show:
`apply()` puts it in the record's `status` and keeps the typed one in `typed_status`, and
reports each record whose typed status disagrees (the editor then sees both and the children).
Types are derived children first, so a chain (a parent derived from records that are
themselves derived) reads its children's derived status. Linear in the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    from .model import RecordType
    from .records import Record
    from .roles import RecordIndex

At = Callable[[tuple], str]

# Condition -> (what it means in Chinese, the test over the live children's flags).
WHEN: dict[str, str] = {
    "all_done": "全部已完成",
    "any_done": "至少一项已完成",
    "all_started": "全部已开始",
    "any_started": "至少一项已开始（含已完成）",
    "none_started": "都还没有开始",
    "otherwise": "其他情况（只要有未撤回的下级记录）",
}
KEYS = {"from", "rules"}


@dataclass(frozen=True)
class DeriveRule:
    status: str
    when: str


@dataclass(frozen=True)
class DeriveStatus:
    child_type: str
    rules: tuple[DeriveRule, ...]


@dataclass(frozen=True)
class Derivation:
    """One record whose typed status disagrees with the one derived from its children."""

    record: "Record"
    typed: str
    derived: str
    children: tuple["Record", ...]       # the live children the rule was evaluated over


def _holds(when: str, done: list[bool], started: list[bool]) -> bool:
    if when == "all_done":
        return all(done)
    if when == "any_done":
        return any(done)
    if when == "all_started":
        return all(started)
    if when == "any_started":
        return any(started)
    if when == "none_started":
        return not any(started)
    return when == "otherwise"


# --- reading and checking at load -------------------------------------------------------------


def read_derive_status(doc: Any, rtype: "RecordType", types: dict[str, "RecordType"],
                       at: At, errors: list[str]) -> DeriveStatus | None:
    """Check one type's `derive_status:` against the model (every role already read)."""
    key = ("derive_status",)
    if not isinstance(doc, dict):
        errors.append(f"{at(key)}: derive_status 应写成 from（下级类型）和 rules（推算规则）")
        return None
    ok = True
    for k in doc:
        if k not in KEYS:
            errors.append(f"{at(key + (k,))}: derive_status 中未知的配置项“{k}”（可用：from、rules）")
            ok = False
    child = doc.get("from")
    child_type = types.get(child) if isinstance(child, str) else None
    if child_type is None:
        errors.append(f"{at(key + ('from',))}: derive_status.from “{child}”不是记录类型"
                      f"（可用：{'、'.join(sorted(types))}）")
        ok = False
    elif child_type.name == rtype.name:
        errors.append(f"{at(key + ('from',))}: 类型“{rtype.name}”的状态不能由它自己推算")
        ok = False
    elif not _points_at(child_type, rtype.name):
        errors.append(f"{at(key + ('from',))}: 类型“{child}”的 parents 角色中没有指向"
                      f"“{rtype.name}”的字段，无法找到下级记录（请在 {child} 的 roles.parents 中声明）")
        ok = False
    rules_doc = doc.get("rules")
    if not isinstance(rules_doc, list) or not rules_doc:
        errors.append(f"{at(key + ('rules',))}: derive_status.rules 应为至少一条规则的列表，"
                      f"例如 - {{status: …, when: all_done}}")
        return None
    statuses = rtype.lifecycle.statuses
    rules = []
    for i, raw in enumerate(rules_doc):
        where = key + ("rules", i)
        if not isinstance(raw, dict) or set(raw) != {"status", "when"}:
            errors.append(f"{at(where)}: 每条规则写成 {{status: 状态, when: 条件}}")
            ok = False
            continue
        status, when = raw["status"], raw["when"]
        if not isinstance(status, str) or status not in statuses:
            errors.append(f"{at(where + ('status',))}: 状态“{status}”不在类型“{rtype.name}”的 "
                          f"statuses 中（可用：{'、'.join(statuses)}）")
            ok = False
        elif statuses[status].withdrawn:
            errors.append(f"{at(where + ('status',))}: 撤回状态“{status}”不能推算得出："
                          f"撤回要由编辑写明原因")
            ok = False
        if not isinstance(when, str) or when not in WHEN:
            errors.append(f"{at(where + ('when',))}: 条件“{when}”无效（可用："
                          + "、".join(f"{k}（{v}）" for k, v in WHEN.items()) + "）")
            ok = False
        if ok:
            rules.append(DeriveRule(status=status, when=when))
    return DeriveStatus(child_type=child_type.name, rules=tuple(rules)) if ok else None


def _points_at(child: "RecordType", parent: str) -> bool:
    for name in child.roles.parents:
        spec = child.fields[name]
        spec = spec.items if spec.type == "list" and spec.items is not None else spec
        if parent in spec.to:
            return True
    return False


def order(derived: dict[str, DeriveStatus], at_of: Callable[[str], At],
          errors: list[str]) -> tuple[str, ...]:
    """Types with derived status, each after the type it derives from; a cycle is an error."""
    out: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done" or name not in derived:
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            errors.append(f"{at_of(name)(('derive_status', 'from'))}: derive_status 循环推算："
                          + " ← ".join(cycle))
            return
        state[name] = "visiting"
        visit(derived[name].child_type, path + [name])
        state[name] = "done"
        out.append(name)

    for name in derived:
        visit(name, [])
    return tuple(out)


# --- applying to records ----------------------------------------------------------------------


def apply(records: Iterable["Record"], index: "RecordIndex",
          types_in_order: tuple[str, ...]) -> list[Derivation]:
    """Put each derived status in its record; return the records whose typed status differs."""
    model = index.model
    out: list[Derivation] = []
    for type_name in types_in_order:
        rtype = model.types[type_name]
        spec: DeriveStatus = rtype.derive_status
        for record in index.by_type.get(type_name, []):
            typed = record.status
            status = rtype.lifecycle.statuses.get(typed)
            if status is None or status.withdrawn:
                continue        # an invalid status is reported already; withdrawal is typed
            live = [c for c in index.children(record, spec.child_type) if not index.is_withdrawn(c)]
            record.derived_from = tuple(c.id for c in index.children(record, spec.child_type))
            # A child whose status is invalid is reported already; guessing from the others
            # would add a second, misleading message.
            if not live or any(index.status(c) is None for c in live):
                continue
            done = [index.is_done(c) for c in live]
            started = [index.is_started(c) for c in live]
            derived = next((rule.status for rule in spec.rules
                            if _holds(rule.when, done, started)), None)
            if derived is None or derived == typed:
                continue
            record.typed_status = typed
            record.fields["status"] = derived
            out.append(Derivation(record, typed, derived, tuple(live)))
    return out
