"""Every declared period that is added to a date of a record, and the records it cannot be
computed for because the period reaches a year no calendar covers.

Periods come from the model: a due role's default period (start role + period), and the
`passed: {from: field, period: …}` conditions of statistics and dashboards. A period in
个工作日 needs the official holiday arrangement of every year it crosses; where none is known
(`CalendarGap`), the computation gives up rather than guess, which would silently drop the
record from a figure, an overdue list or a dashboard. The validator reports each such record
(`calendar-gap`, an error), so `stats` and `build` never run on a figure that left it out.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .periods import CalendarGap, Period

if TYPE_CHECKING:
    from .model import Model
    from .records import Record


@dataclass(frozen=True)
class DatedPeriod:
    """`period` is added to the date in `field` of records of `type`."""

    type: str
    field: str
    period: Period
    purpose: str              # what the computed date is, in Chinese, for the message
    due_field: str = ""       # a due role's field: writing the date there avoids the period
    when: Any = None          # a due role's DueDefault: the period applies only where it matches


@dataclass(frozen=True)
class Gap:
    record: "Record"
    use: DatedPeriod
    start: date
    year: int


def dated_periods(model: "Model") -> list[DatedPeriod]:
    """The periods in working days the model adds to record dates (others need no calendar)."""
    found: list[DatedPeriod] = []
    for rtype in model.types.values():
        due, start = rtype.roles.due, rtype.roles.fields.get("start")
        if due is not None and due.default is not None and start and "." not in start:
            label = rtype.fields[due.field].label if due.field else "期限"
            found.append(DatedPeriod(rtype.name, start, due.default.period, label,
                                     due.field or "", due.default))
    declarations = model.statistics
    for stat in getattr(declarations, "statistics", {}).values():
        if stat.population is not None:
            conditions = stat.population.where + stat.measure.where
            found += _passed(stat.population.type, conditions, f"统计“{stat.label}”的条件")
    for table in getattr(declarations, "tables", ()):
        if table.rows is not None:
            found += _passed(table.rows.type, table.rows.where, f"统计表“{table.title}”的条件")
    for board in model.dashboards:
        purpose = f"工作台“{board.title}”的条件"
        if board.population is not None:
            found += _passed(board.population.type, board.population.where, purpose)
            c = board.condition
            if c.kind == "passed" and c.period is not None and c.from_field:
                found.append(DatedPeriod(board.population.type, c.from_field, c.period, purpose))
        for follower in board.followers:
            if follower.when is not None:
                found += _passed(follower.when.type, follower.when.where, purpose)
    return [d for d in found if d.period.working_days]


def _passed(type_name: str, conditions: Iterable[Any], purpose: str) -> Iterator[DatedPeriod]:
    for c in conditions:
        if c.kind == "passed" and c.period is not None:
            yield DatedPeriod(type_name, c.name, c.period, purpose)
        for group in c.alternatives:
            yield from _passed(type_name, group, purpose)


def gaps(records: Iterable["Record"], model: "Model") -> list[Gap]:
    """Each record and declared period that reaches a year no calendar covers (once per
    record, field and year). Linear in the records times the declared working-day periods."""
    uses = _uses_by_type(model)
    out: list[Gap] = []
    for record in records:
        seen: set[tuple[str, int]] = set()
        status = model.types[record.type].lifecycle.statuses.get(record.status) \
            if record.type in model.types else None
        if status is not None and status.withdrawn:
            continue            # counted nowhere, so nothing is dropped
        for use in uses.get(record.type, ()):
            start = record.get(use.field)
            if not isinstance(start, date) or (use.due_field and record.get(use.due_field)) \
                    or (use.when is not None and not use.when.applies(record)):
                continue
            try:
                use.period.add(start, model.calendar)
            except CalendarGap as gap:
                if (use.field, gap.year) not in seen:
                    seen.add((use.field, gap.year))
                    out.append(Gap(record, use, start, gap.year))
    return out


# The periods of a model, by type: the history walk validates every revision on its own, and
# reading the declarations again each time cost a third of that validation.
_BY_MODEL: dict[int, dict[str, list[DatedPeriod]]] = {}


def _uses_by_type(model: "Model") -> dict[str, list[DatedPeriod]]:
    key = id(model)
    uses = _BY_MODEL.get(key)
    if uses is None:
        uses = {}
        for use in dated_periods(model):
            uses.setdefault(use.type, []).append(use)
        _BY_MODEL[key] = uses
        # Forgotten with the model, before its id can name another one.
        weakref.finalize(model, _BY_MODEL.pop, key, None)
    return uses
