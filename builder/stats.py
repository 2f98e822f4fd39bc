"""Figures computed from records: never typed in, always recomputed.

Definitions (the editor's guide repeats them in Chinese):
- ledger (整改台账): rectification items that are not withdrawn, grouped by the body that
  found the problem (rectification → finding.source_body), by the year they were assigned,
  and by responsible unit. Completion rate = completed / total.
- on time: a completed item whose completion date is on or before the deadline in force
  (the last approved extension, else the original deadline).
- overdue: not completed, and the deadline in force is before the as-of date.
- plan progress: items of a plan (not withdrawn): planned, key, launched (any started
  status, completed ones included), completed.
- review opinions (审议意见): closed within the period = responded on or before response_due;
  "zero balance" = no opinion still open.
- feedback sheets (反馈单): answered by their `response_due`, or within `feedback_days` of
  issue when a sheet states no limit.
- usage feedback (资料交换): materials whose work ended at least `usage_feedback_days` ago,
  and how many of them got usage feedback.
Every function is linear in the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from . import bodies
from .model import Model
from .records import Record


@dataclass(frozen=True)
class Ratio:
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


class Index:
    """Records by ID and by type, built once."""

    def __init__(self, records: Iterable[Record], model: Model):
        self.model = model
        self.by_id: dict[str, Record] = {}
        self.by_type: dict[str, list[Record]] = defaultdict(list)
        for r in records:
            self.by_id[r.id] = r
            self.by_type[r.type].append(r)

    def status(self, record: Record):
        return self.model.types[record.type].lifecycle.statuses.get(record.status)

    def live(self, type_name: str) -> list[Record]:
        """Records of a type that are not withdrawn."""
        out = []
        for r in self.by_type.get(type_name, []):
            s = self.status(r)
            if s is None or not s.withdrawn:
                out.append(r)
        return out

    def is_done(self, record: Record) -> bool:
        s = self.status(record)
        return bool(s and s.done)

    def is_started(self, record: Record) -> bool:
        s = self.status(record)
        return bool(s and s.started)


def rectification_body(index: Index, record: Record) -> str | None:
    return bodies.rectification_body(record, index.by_id)


def ledger_row(index: Index, items: list[Record], as_of: date) -> dict[str, Any]:
    completed = [r for r in items if index.is_done(r)]
    on_time = 0
    for r in completed:
        deadline, done_on = r.current_deadline(), r.get("completed")
        if deadline and isinstance(done_on, date) and done_on <= deadline:
            on_time += 1
    overdue = sum(1 for r in items if is_overdue(index, r, as_of))
    extended = sum(1 for r in items if r.get("deadline_extensions"))
    voted = [r for r in items if r.get("satisfaction")]
    satisfied = sum(1 for r in voted if r.get("satisfaction") in ("satisfied", "basically_satisfied"))
    return {
        "total": len(items),
        "completed": len(completed),
        "completion_rate": Ratio(len(completed), len(items)),
        "on_time": on_time,
        "on_time_rate": Ratio(on_time, len(completed)),
        "overdue": overdue,
        "extended": extended,
        "satisfaction_rate": Ratio(satisfied, len(voted)),
    }


def is_overdue(index: Index, record: Record, as_of: date) -> bool:
    if index.is_done(record):
        return False
    deadline = record.current_deadline()
    return deadline is not None and deadline < as_of


def compute(records: Iterable[Record], model: Model, as_of: date) -> dict[str, Any]:
    """Every figure of DESIGN.md §3, overall and per body / year / unit."""
    index = Index(records, model)
    return {
        "as_of": as_of,
        "plans": plan_progress(index),
        "ledger": ledger(index, as_of),
        "review_opinions": review_opinions(index),
        "feedback_sheets": feedback_sheets(index, as_of),
        "usage_feedback": usage_feedback(index, as_of),
        "performance_reports": performance_reports(index),
    }


def plan_progress(index: Index) -> list[dict[str, Any]]:
    items_by_plan: dict[str, list[Record]] = defaultdict(list)
    for item in index.live("item"):
        items_by_plan[item.get("plan", "")].append(item)
    rows = []
    for plan in sorted(index.live("plan"), key=lambda r: r.id):
        items = items_by_plan.get(plan.id, [])
        rows.append({
            "id": plan.id, "title": plan.title, "body": plan.get("body"),
            "year": plan.get("year"),
            "planned": len(items),
            "key": sum(1 for i in items if i.get("key") is True),
            "launched": sum(1 for i in items if index.is_started(i)),
            "completed": sum(1 for i in items if index.is_done(i)),
        })
    return rows


def ledger(index: Index, as_of: date) -> dict[str, Any]:
    items = index.live("rectification")
    by_body: dict[str, list[Record]] = defaultdict(list)
    by_year: dict[int, list[Record]] = defaultdict(list)
    by_body_year: dict[tuple[str, int], list[Record]] = defaultdict(list)
    by_unit: dict[str, list[Record]] = defaultdict(list)
    for r in items:
        body = rectification_body(index, r) or ""
        year = r.get("assigned").year if isinstance(r.get("assigned"), date) else 0
        by_body[body].append(r)
        by_year[year].append(r)
        by_body_year[(body, year)].append(r)
        by_unit[r.get("responsible_unit", "")].append(r)
    return {
        "total": ledger_row(index, items, as_of),
        "by_body": [{"body": k, **ledger_row(index, v, as_of)} for k, v in sorted(by_body.items())],
        "by_year": [{"year": k, **ledger_row(index, v, as_of)} for k, v in sorted(by_year.items())],
        "by_body_year": [{"body": b, "year": y, **ledger_row(index, v, as_of)}
                         for (b, y), v in sorted(by_body_year.items())],
        "by_unit": [{"unit": k, **ledger_row(index, v, as_of)} for k, v in sorted(by_unit.items())],
    }


def _by_body(records: list[Record], row) -> list[dict[str, Any]]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[r.get("body", "")].append(r)
    return [{"body": k, **row(v)} for k, v in sorted(groups.items())]


def review_opinions(index: Index) -> dict[str, Any]:
    opinions = [r for r in index.live("resolution") if r.get("kind") == "review_opinion"]

    def row(group: list[Record]) -> dict[str, Any]:
        closed = [r for r in group if index.is_done(r)]
        in_time = sum(1 for r in closed if isinstance(r.get("response_due"), date)
                      and isinstance(r.get("responded"), date)
                      and r.get("responded") <= r.get("response_due"))
        return {"total": len(group), "closed": len(closed), "open": len(group) - len(closed),
                "closed_in_time": in_time, "closed_in_time_rate": Ratio(in_time, len(group)),
                "zero_balance": len(group) > 0 and len(closed) == len(group)}

    return {"total": row(opinions), "by_body": _by_body(opinions, row)}


def feedback_sheets(index: Index, as_of: date) -> dict[str, Any]:
    limit = int(index.model.settings.get("feedback_days", 20))
    sheets = [r for r in index.live("resolution") if r.get("kind") == "feedback_sheet"]

    def due(sheet: Record) -> date:
        """The sheet's own limit if it states one, else the configured number of days."""
        stated = sheet.get("response_due")
        return stated if isinstance(stated, date) else sheet.get("adopted") + timedelta(days=limit)

    def row(group: list[Record]) -> dict[str, Any]:
        answered = [r for r in group if isinstance(r.get("responded"), date)]
        within = sum(1 for r in answered if r.get("responded") <= due(r))
        late_open = sum(1 for r in group if r not in answered and due(r) < as_of)
        return {"total": len(group), "answered": len(answered), "answered_within_limit": within,
                "within_limit_rate": Ratio(within, len(group)), "unanswered_past_limit": late_open,
                "limit_days": limit}

    return {"total": row(sheets), "by_body": _by_body(sheets, row)}


def usage_feedback(index: Index, as_of: date) -> dict[str, Any]:
    grace = timedelta(days=int(index.model.settings.get("usage_feedback_days", 30)))
    exchanges = index.live("exchange")

    def owed(r: Record) -> bool:
        ended = r.get("work_ended")
        return index.is_done(r) or (isinstance(ended, date) and ended + grace <= as_of)

    def row(group: list[Record]) -> dict[str, Any]:
        due = [r for r in group if owed(r)]
        given = sum(1 for r in due if index.is_done(r))
        return {"shared": len(group), "feedback_due": len(due), "feedback_given": given,
                "feedback_rate": Ratio(given, len(due))}

    groups: dict[str, list[Record]] = defaultdict(list)
    for r in exchanges:
        groups[r.get("to_body", "")].append(r)
    return {"total": row(exchanges),
            "by_body": [{"body": k, **row(v)} for k, v in sorted(groups.items())]}


def performance_reports(index: Index) -> dict[str, Any]:
    reports = [r for r in index.live("report") if r.get("kind") == "performance_report"]

    def row(group: list[Record]) -> dict[str, Any]:
        submitted = [r for r in group if isinstance(r.get("submitted"), date)]
        on_time = sum(1 for r in submitted if isinstance(r.get("due"), date)
                      and r.get("submitted") <= r.get("due"))
        rated = [r for r in group if r.get("rating")]
        qualified = sum(1 for r in rated if r.get("rating") in ("excellent", "qualified"))
        return {"total": len(group), "submitted": len(submitted), "on_time": on_time,
                "on_time_rate": Ratio(on_time, len(group)),
                "qualified_rate": Ratio(qualified, len(rated))}

    return {"total": row(reports), "by_body": _by_body(reports, row)}
