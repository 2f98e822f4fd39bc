"""Calendar gaps reach the editor: a declared period in 个工作日, added to a record's date,
that reaches a year no calendar covers is the error `calendar-gap` on that record and field.

It is an error so that `sunlight stats` and `sunlight build` stop instead of computing figures
that silently left the record out; adding the year to site_config/calendar.yml (or writing the
due date in the record) clears it. Real projects in temporary folders, the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from conftest import edit, flatten, validate_project, write_all
from test_problems import SUGGESTION as PROBLEMS_SUGGESTION

SUGGESTION_YML = "site_config/types/suggestion.yml"
STATISTICS_YML = "site_config/statistics.yml"
S = "content/suggestions/DB-2027-001.md"
# The suggestion of tests/test_problems.py, with its assignment date to fill in.
SUGGESTION = PROBLEMS_SUGGESTION.replace("assigned: 2027-01-11", "assigned: {assigned}")
# 2027 as the State Council would publish it (illustrative days; the test needs a covered year).
CALENDAR_2027 = """\
years:
  2027:
    holidays: [2027-01-01, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
    workdays: [2027-02-06, 2027-02-20]
"""


def working_day_replies(root: Path) -> None:
    """The default pack's suggestions are answered within 3 个月; make it 60 个工作日."""
    path = root / SUGGESTION_YML
    path.write_text(edit(path.read_text(encoding="utf-8"), 'default: {period: "3 个月"}',
                         'default: {period: "60 个工作日"}'), encoding="utf-8")


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)


@pytest.fixture
def gap(valid_project: Path) -> Path:
    working_day_replies(valid_project)
    write_all(valid_project, {S: SUGGESTION.format(assigned="2027-01-11")})
    return valid_project


def test_reported_on_the_start_field_with_year_and_fix(gap):
    (found,) = validate_project(gap).validation.problems
    assert (found.code, found.path, found.line, found.field, found.value) == \
        ("calendar-gap", S, 12, "assigned", "2027-01-11")
    assert found.message == ("“assigned”（交办日期）为 2027-01-11，从这一天起算的“60 个工作日”（办复期限）"
                             "要用到 2027 年的工作日，而 2027 年的节假日安排尚未收录")
    assert found.hint.startswith("在 site_config/calendar.yml 中补充 2027 年的节假日安排")
    assert "“reply_due”（办复期限）" in found.hint


def test_a_period_crossing_into_an_uncovered_year(valid_project):
    """Assigned in a covered year, but the 60th working day falls in 2027."""
    working_day_replies(valid_project)
    write_all(valid_project, {S: SUGGESTION.format(assigned="2026-12-01")})
    assert [(p.code, p.value) for p in validate_project(valid_project).validation.problems] == \
        [("calendar-gap", "2026-12-01")]


def test_stats_and_build_stop_rather_than_drop_the_record(gap, tmp_path):
    stats = run(gap, "stats", "--as-of", "2027-06-01")
    assert stats.exit_code == 1 and "calendar-gap" in stats.output
    assert "内容有错误，统计数字不可靠" in stats.output
    build = run(gap, "build", "--as-of", "2027-06-01", "--no-history", "--out", str(tmp_path / "out"))
    assert build.exit_code == 1 and "calendar-gap" in build.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_the_calendar_year_clears_it_and_the_record_counts(gap):
    write_all(gap, {"site_config/calendar.yml": CALENDAR_2027})
    assert validate_project(gap).validation.problems == []
    result = run(gap, "stats", "--as-of", "2027-06-01", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["statistics"]
    assert figures["suggestions_handled"]["value"] == 1


@pytest.mark.parametrize("how", ["reply_due written", "withdrawn", "covered year"])
def test_not_reported_when_nothing_is_computed_or_counted(gap, how):
    text = SUGGESTION.format(assigned="2027-01-11")
    if how == "reply_due written":
        text = edit(text, "assigned: 2027-01-11", "assigned: 2027-01-11\nreply_due: 2027-04-11")
    elif how == "withdrawn":
        text = edit(text, "status: assigned", "status: withdrawn\nwithdrawn: 2027-01-20\n"
                    "withdrawal_reason: 代表撤回建议。")
    else:
        text = edit(text, "assigned: 2027-01-11", "assigned: 2025-01-11")
    write_all(gap, {S: text})
    assert flatten(validate_project(gap).validation.problems) == []


def test_a_passed_condition_of_a_statistic(valid_project):
    """A figure that counts suggestions whose assignment is 30 working days past: the
    record's date plus that period is needed for the figure, so the gap is reported, naming
    the statistic."""
    path = valid_project / STATISTICS_YML
    text = path.read_text(encoding="utf-8")
    path.write_text(edit(text, "statistics:\n", """statistics:
  suggestions_past_30:
    label: 交办满 30 个工作日的建议
    unit: 件
    definition: 交办已满 30 个工作日的代表建议数。
    population: {type: suggestion, where: {assigned: {passed: "30 个工作日"}}}
    measure: count
"""), encoding="utf-8")
    write_all(valid_project, {S: SUGGESTION.format(assigned="2027-01-11")})
    (found,) = validate_project(valid_project).validation.problems
    assert (found.code, found.field) == ("calendar-gap", "assigned")
    assert "统计“交办满 30 个工作日的建议”的条件" in found.message
    assert "reply_due" not in found.hint       # writing the due date would not help here
