"""Legal time limits: periods ("20 日", "15 个工作日", "3 个月") and mainland China's working days.

A period is declared in site_config/ as Chinese text and added to a start date. Working days
follow the official calendar of the State Council's General Office (国务院办公厅): public
holidays are off, and the 调休 weekends that make up for them are working days. The
`chinesecalendar` package carries the published years; `site_config/calendar.yml` adds years
the installed package does not know yet. A date in a year neither covers is never guessed:
`CalendarGap` names the year, and the caller reports it with the record and the fix.

"N 日" counts calendar days (start + N), "N 个月" lands on the same day N months later (the
month's last day when that day does not exist), "N 个工作日" is the N-th working day after
the start date (the start day itself never counts, as in 民法典 第二百零一条).
"""

from __future__ import annotations

import calendar as _monthcal
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import chinese_calendar

_PERIOD = re.compile(r"^\s*(\d{1,4})\s*(日|天|个工作日|工作日|个月|月)\s*$")
# Units as written -> canonical unit.
_UNITS = {"日": "日", "天": "日", "个工作日": "个工作日", "工作日": "个工作日", "个月": "个月", "月": "个月"}


class PeriodError(ValueError):
    """A period is not written as "N 日", "N 个工作日" or "N 个月"."""


class CalendarGap(Exception):
    """Working days asked for a year no calendar covers."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year

    @property
    def message(self) -> str:
        return f"{self.year} 年的节假日安排尚未收录，无法计算工作日"

    @property
    def hint(self) -> str:
        return (f"在 site_config/calendar.yml 中补充 {self.year} 年的节假日安排"
                f"（以国务院办公厅发布的通知为准）")


@dataclass(frozen=True)
class Period:
    """A time limit: `count` units of 日, 个工作日 or 个月."""

    count: int
    unit: str

    @classmethod
    def parse(cls, text: Any) -> "Period":
        """Read "20 日", "15 个工作日", "3 个月"; raise PeriodError (Chinese) otherwise."""
        match = _PERIOD.match(str(text)) if isinstance(text, (str, int)) else None
        if match is None:
            raise PeriodError(f"期限“{text}”写法不对，应写成“20 日”“15 个工作日”或“3 个月”")
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    @property
    def working_days(self) -> bool:
        return self.unit == "个工作日"

    @property
    def days(self) -> int | None:
        """The length in calendar days, when the unit is 日 (else None)."""
        return self.count if self.unit == "日" else None

    def add(self, start: date, cal: "Calendar") -> date:
        """The last day of the period that starts on `start`. Raises CalendarGap."""
        if self.unit == "日":
            return start + timedelta(days=self.count)
        if self.unit == "个月":
            months = start.month - 1 + self.count
            year, month = start.year + months // 12, months % 12 + 1
            return date(year, month, min(start.day, _monthcal.monthrange(year, month)[1]))
        return cal.add_working_days(start, self.count)

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"


def add(start: date, period: Period, cal: "Calendar") -> date:
    """`period` added to `start` (see Period.add)."""
    return period.add(start, cal)


@dataclass(frozen=True)
class YearPlan:
    """One year's official arrangement: days off on weekdays, working weekends (调休)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Calendar:
    """Mainland China's working days: the package's years, then site_config/calendar.yml's."""

    extra: dict[int, YearPlan] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return year in self.extra or _package_covers(year)

    def is_workday(self, day: date) -> bool:
        """True on a working day; raises CalendarGap for a year no calendar covers."""
        plan = self.extra.get(day.year)
        if plan is not None:
            if day in plan.workdays:
                return True
            if day in plan.holidays:
                return False
            return day.weekday() < 5
        if not _package_covers(day.year):
            raise CalendarGap(day.year)
        return chinese_calendar.is_workday(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (linear in the days crossed)."""
        day = start
        left = count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day


def _package_covers(year: int) -> bool:
    # The package stores its published years in two dicts; a year it has no notice for
    # raises NotImplementedError in is_workday, so ask for the range instead of catching.
    years = _package_years()
    return years[0] <= year <= years[1]


_YEARS: tuple[int, int] | None = None


def _package_years() -> tuple[int, int]:
    global _YEARS
    if _YEARS is None:
        days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
        _YEARS = (min(days).year, max(days).year)
    return _YEARS


def read_calendar(doc: Any, at, errors: list[str]) -> Calendar:
    """Turn calendar.yml (`years: {2027: {holidays: [...], workdays: [...]}}`) into a Calendar.

    `at(path)` gives "file:line" for a key path; problems are appended to `errors` in Chinese.
    """
    if not doc:
        return Calendar()
    if not isinstance(doc, dict) or set(doc) - {"years"}:
        errors.append(f"{at(())}: calendar.yml 只能有 years（年份: holidays/workdays）")
        return Calendar()
    years = doc.get("years") or {}
    if not isinstance(years, dict):
        errors.append(f"{at(('years',))}: years 应为“年份: 安排”映射")
        return Calendar()
    extra: dict[int, YearPlan] = {}
    for key, plan in years.items():
        where = ("years", key)
        if not re.fullmatch(r"\d{4}", str(key)):
            errors.append(f"{at(where)}: 年份“{key}”应为四位数字")
            continue
        year = int(key)
        if not isinstance(plan, dict) or set(plan) - {"holidays", "workdays"}:
            errors.append(f"{at(where)}: {year} 年的安排只能有 holidays（放假日）和 workdays（调休上班日）")
            continue
        days: dict[str, frozenset[date]] = {}
        for kind in ("holidays", "workdays"):
            values = plan.get(kind) or []
            if not isinstance(values, list):
                errors.append(f"{at(where + (kind,))}: {kind} 应为日期列表")
                values = []
            parsed = set()
            for i, text in enumerate(values):
                try:
                    day = date.fromisoformat(str(text))
                except ValueError:
                    errors.append(f"{at(where + (kind, i))}: “{text}”不是日期（应为 YYYY-MM-DD）")
                    continue
                if day.year != year:
                    errors.append(f"{at(where + (kind, i))}: {day} 不在 {year} 年")
                parsed.add(day)
            days[kind] = frozenset(parsed)
        for day in sorted(days["holidays"] & days["workdays"]):
            errors.append(f"{at(where)}: {day} 同时列为放假日和调休上班日")
        extra[year] = YearPlan(holidays=days["holidays"], workdays=days["workdays"])
    return Calendar(extra=extra)
