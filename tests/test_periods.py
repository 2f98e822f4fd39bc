"""Periods and working days: mainland China's official calendar, with its 调休 weekends.

Expected dates are worked out by hand from the State Council's notices (国务院办公厅关于
2024/2025/2026 年部分节假日安排的通知), not from the library under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builder.model import ConfigError, load_model
from builder.model.periods import Calendar, CalendarGap, Period, PeriodError, YearPlan

CAL = Calendar()
D = date.fromisoformat


@pytest.mark.parametrize("start, count, expected", [
    # 2024 春节: 2-10…2-17 off, Sunday 2-18 (and 2-04) worked.
    ("2024-02-08", 1, "2024-02-09"),
    ("2024-02-08", 2, "2024-02-18"),      # the 调休 Sunday counts
    ("2024-02-08", 3, "2024-02-19"),
    # 2024 国庆: 10-01…10-07 off, Saturday 10-12 worked.
    ("2024-09-30", 1, "2024-10-08"),
    ("2024-09-30", 5, "2024-10-12"),      # 调休 Saturday
    # 2025 春节: 1-28…2-04 off, Sunday 1-26 and Saturday 2-08 worked.
    ("2025-01-24", 1, "2025-01-26"),
    ("2025-01-24", 3, "2025-02-05"),
    ("2025-01-24", 6, "2025-02-08"),      # 调休 Saturday
    # 2025 国庆 and 中秋: 10-01…10-08 off, Sunday 9-28 and Saturday 10-11 worked.
    ("2025-09-26", 1, "2025-09-28"),
    ("2025-09-26", 4, "2025-10-09"),
    ("2025-09-26", 6, "2025-10-11"),
    ("2025-09-26", 7, "2025-10-13"),
    # 2026 春节: 2-15…2-23 off, Saturdays 2-14 and 2-28 worked.
    ("2026-02-13", 1, "2026-02-14"),      # 调休 Saturday
    ("2026-02-13", 2, "2026-02-24"),
    # 2026 国庆: 10-01…10-07 off, Saturday 10-10 worked.
    ("2026-09-30", 1, "2026-10-08"),
    ("2026-09-30", 3, "2026-10-10"),
    ("2026-09-30", 4, "2026-10-12"),
])
def test_working_days_follow_the_official_calendar(start, count, expected):
    assert Period.parse(f"{count} 个工作日").add(D(start), CAL) == D(expected)


@pytest.mark.parametrize("day, workday", [
    ("2024-02-18", True), ("2024-02-12", False), ("2024-10-12", True), ("2024-10-07", False),
    ("2025-02-08", True), ("2025-02-04", False), ("2025-10-11", True), ("2025-10-08", False),
    ("2026-02-14", True), ("2026-02-23", False), ("2026-10-10", True), ("2026-10-07", False),
    ("2026-10-11", False),                # an ordinary Sunday
])
def test_is_workday(day, workday):
    assert CAL.is_workday(D(day)) is workday


def test_a_year_no_calendar_covers_is_reported_never_guessed():
    with pytest.raises(CalendarGap) as found:
        Period.parse("5 个工作日").add(D("2026-12-30"), CAL)
    assert found.value.year == 2027
    assert "site_config/calendar.yml" in found.value.hint and "2027" in found.value.hint
    with pytest.raises(CalendarGap):
        CAL.is_workday(D("2099-03-02"))


def test_calendar_yml_adds_a_year():
    extra = Calendar({2027: YearPlan(holidays=frozenset({D("2027-01-01")}),
                                     workdays=frozenset({D("2027-01-09")}))})
    # 12-31 is the 1st working day, New Year's Day is off, 1-04 and 1-05 follow.
    assert Period.parse("3 个工作日").add(D("2026-12-30"), extra) == D("2027-01-05")
    assert extra.is_workday(D("2027-01-09"))          # a 调休 Saturday from the file
    assert not extra.is_workday(D("2027-01-10"))      # an ordinary Sunday


def test_calendar_days_and_months():
    assert Period.parse("20 日").add(D("2024-02-08"), CAL) == D("2024-02-28")
    assert Period.parse("20日").add(D("2099-01-01"), CAL) == D("2099-01-21")   # no calendar needed
    assert Period.parse("1 个月").add(D("2024-01-31"), CAL) == D("2024-02-29")
    assert Period.parse("1 个月").add(D("2023-01-31"), CAL) == D("2023-02-28")
    assert Period.parse("3 个月").add(D("2024-11-15"), CAL) == D("2025-02-15")
    assert str(Period.parse("15 工作日")) == "15 个工作日"


@pytest.mark.parametrize("text", ["二十日", "20 周", "", "20", "-3 日", None, "3 个月 2 日"])
def test_a_badly_written_period_is_refused_in_chinese(text):
    with pytest.raises(PeriodError, match="写法不对"):
        Period.parse(text)


# --- in site_config/ ------------------------------------------------------------------------


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def test_a_bad_period_in_a_role_is_a_config_error_at_file_and_line(project):
    path = project / "site_config" / "types" / "resolution.yml"
    _replace(path, 'period: "20 日"', 'period: "二十天"')
    with pytest.raises(ConfigError) as found:
        load_model(project / "site_config")
    line = _line_of(path, "二十天")
    assert any(m.startswith(f"{path}:{line}: ") and "二十天" in m and "写法不对" in m
               for m in found.value.messages), found.value.messages


def test_calendar_yml_is_read_and_checked_with_file_and_line(project):
    path = project / "site_config" / "calendar.yml"
    path.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-01-09]\n",
                    encoding="utf-8")
    model = load_model(project / "site_config")
    assert model.calendar.covers(2027) and model.calendar.is_workday(D("2027-01-09"))
    path.write_text("years:\n  2027:\n    holidays: [2027-01-01, 2028-13-01]\n"
                    "    workdays: [2026-01-09]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as found:
        load_model(project / "site_config")
    messages = found.value.messages
    assert any(m.startswith(f"{path}:3: ") and "2028-13-01" in m for m in messages), messages
    assert any(m.startswith(f"{path}:4: ") and "不在 2027 年" in m for m in messages), messages
