"""Figures computed from a small synthetic project whose numbers can be checked by hand.

As of 2026-11-21 (the date used throughout):

rectifications (ly-rd finding WT-2023-001 unless noted; unit ly-lyj)
  ZG-2023-001 completed 2023-06-20, deadline 2023-06-30                 on time, satisfied
  ZG-2023-002 completed 2023-08-15, deadline 06-30 → extended to 09-30    on time, basically
  ZG-2023-003 completed 2023-10-15, deadline 06-30 → 08-31 → 12-31        on time (last extension)
  ZG-2023-004 completed 2023-07-15, deadline 2023-06-30                  late, unsatisfied
  ZG-2023-005 in progress, deadline 06-30 → 2026-12-31                   not overdue yet
  ZG-2023-006 assigned, deadline 2026-11-20                              overdue
  ZG-2023-007 withdrawn                                                  not counted
  ZG-2024-001 lz-rd finding WT-2024-001, unit lz-fgw, completed 2024-05-01, deadline 06-30
→ 7 items, 5 completed (71.4%), 4 on time (80.0%), 1 overdue, 3 extended, satisfaction 2/3.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, figures
from builder.stages.statistics import Ratio
from conftest import PLAN, RECTIFICATION, RECTIFICATION_PATH, edit, record, write_all

AS_OF = date(2026, 11, 21)


def rectification(rid: str, status: str, deadline: str, *, finding: str = "WT-2023-001",
                  unit: str = "ly-lyj", assigned: str = "2023-05-01", completed: str | None = None,
                  extensions: tuple[str, ...] = (), satisfaction: str | None = None) -> str:
    lines = [f"id: {rid}", "type: rectification", f"title: 整改事项 {rid}", f"status: {status}",
             f"finding: {finding}", f"responsible_unit: {unit}", f"assigned: {assigned}",
             f"deadline: {deadline}"]
    if extensions:
        lines.append("deadline_extensions:")
        for new in extensions:
            lines += [f"  - date: {assigned}", f"    deadline: {new}", "    reason: 延期"]
    if completed:
        lines += [f"completed: {completed}", "result: 已完成。"]
    if satisfaction:
        lines.append(f"satisfaction: {satisfaction}")
    if status == "withdrawn":
        lines += ["withdrawn: 2023-06-01", "withdrawal_reason: 重复交办。"]
    return record("\n".join(lines))


def resolution(rid: str, kind: str, body: str, status: str, adopted: str,
               responded: str | None = None, response_due: str | None = None) -> str:
    lines = [f"id: {rid}", "type: resolution", f"title: 文件 {rid}", f"status: {status}",
             f"kind: {kind}", f"body: {body}", f"adopted: {adopted}"]
    if response_due:
        lines.append(f"response_due: {response_due}")
    if responded:
        lines.append(f"responded: {responded}")
    if status == "withdrawn":
        lines += ["withdrawn: 2023-07-01", "withdrawal_reason: 撤回。"]
    return record("\n".join(lines))


def exchange(rid: str, status: str, work_ended: str | None = None) -> str:
    lines = [f"id: {rid}", "type: exchange", f"title: 资料 {rid}", f"status: {status}",
             "from_body: ly-rd", "to_body: lz-sj", "material: 监督报告", "shared: 2023-05-10"]
    if work_ended:
        lines.append(f"work_ended: {work_ended}")
    if status == "feedback_given":
        lines += ["feedback_on: 2023-09-01", "usage_feedback: 已用于审计。"]
    return record("\n".join(lines))


def item(rid: str, status: str, key: str) -> str:
    lines = [f"id: {rid}", "type: item", f"title: 事项 {rid}", f"status: {status}",
             "plan: JH-2023-01", "lead_body: ly-rd", f"key: {key}"]
    if status in ("launched", "result_forming", "completed"):
        lines.append("started: 2023-03-01")
    if status == "completed":
        lines.append("completed: 2023-10-01")
    if status == "withdrawn":
        lines += ["withdrawn: 2023-04-01", "withdrawal_reason: 调整计划。"]
    return record("\n".join(lines))


def finding(rid: str, body: str) -> str:
    return record(f"""
        id: {rid}
        type: finding
        title: 问题 {rid}
        status: rectifying
        origin: SX-2023-004
        source_body: {body}
        category: funds
        found: 2023-04-10
        description: 问题。
        """)


FILES = {
    "content/plans/JH-2023-01.md": PLAN,
    "content/plans/JH-2024-01.md": record("""
        id: JH-2024-01
        type: plan
        title: 泸州市人大常委会2024年度监督工作计划
        status: draft
        body: lz-rd
        year: 2024
        """),
    "content/items/SX-2023-001.md": item("SX-2023-001", "planned", "true"),
    "content/items/SX-2023-002.md": item("SX-2023-002", "launched", "false"),
    "content/items/SX-2023-003.md": item("SX-2023-003", "result_forming", "true"),
    "content/items/SX-2023-004.md": item("SX-2023-004", "completed", "false"),
    "content/items/SX-2023-005.md": item("SX-2023-005", "withdrawn", "true"),
    "content/findings/WT-2023-001.md": finding("WT-2023-001", "ly-rd"),
    "content/findings/WT-2024-001.md": finding("WT-2024-001", "lz-rd"),
    "content/rectifications/ZG-2023-001.md": rectification(
        "ZG-2023-001", "completed", "2023-06-30", completed="2023-06-20", satisfaction="satisfied"),
    "content/rectifications/ZG-2023-002.md": rectification(
        "ZG-2023-002", "completed", "2023-06-30", completed="2023-08-15",
        extensions=("2023-09-30",), satisfaction="basically_satisfied"),
    "content/rectifications/ZG-2023-003.md": rectification(
        "ZG-2023-003", "completed", "2023-06-30", completed="2023-10-15",
        extensions=("2023-08-31", "2023-12-31")),
    "content/rectifications/ZG-2023-004.md": rectification(
        "ZG-2023-004", "completed", "2023-06-30", completed="2023-07-15",
        satisfaction="unsatisfied"),
    "content/rectifications/ZG-2023-005.md": rectification(
        "ZG-2023-005", "in_progress", "2023-06-30", extensions=("2026-12-31",)),
    "content/rectifications/ZG-2023-006.md": rectification("ZG-2023-006", "assigned", "2026-11-20"),
    "content/rectifications/ZG-2023-007.md": rectification("ZG-2023-007", "withdrawn", "2023-06-30"),
    "content/rectifications/ZG-2024-001.md": rectification(
        "ZG-2024-001", "completed", "2024-06-30", finding="WT-2024-001", unit="lz-fgw",
        assigned="2024-03-01", completed="2024-05-01"),
    # review opinions: ly-rd closes both (one late) → zero balance; lz-rd has one open
    "content/resolutions/YJ-2023-001.md": resolution(
        "YJ-2023-001", "review_opinion", "ly-rd", "closed", "2023-06-01",
        response_due="2023-12-01", responded="2023-11-20"),
    "content/resolutions/YJ-2023-002.md": resolution(
        "YJ-2023-002", "review_opinion", "ly-rd", "closed", "2023-06-01",
        response_due="2023-12-01", responded="2023-12-15"),
    "content/resolutions/YJ-2023-003.md": resolution(
        "YJ-2023-003", "review_opinion", "lz-rd", "responding", "2023-06-01",
        response_due="2023-12-01"),
    "content/resolutions/YJ-2023-004.md": resolution(
        "YJ-2023-004", "review_opinion", "lz-rd", "withdrawn", "2023-06-01"),
    # feedback sheets, limit 20 days: answered on day 20 and day 21; open for 20 and 21 days
    "content/resolutions/YJ-2024-001.md": resolution(
        "YJ-2024-001", "feedback_sheet", "dt-zx", "closed", "2024-03-01", responded="2024-03-21"),
    "content/resolutions/YJ-2024-002.md": resolution(
        "YJ-2024-002", "feedback_sheet", "dt-zx", "closed", "2024-03-01", responded="2024-03-22"),
    "content/resolutions/YJ-2024-003.md": resolution(
        "YJ-2024-003", "feedback_sheet", "dt-zx", "issued", "2026-11-01"),
    "content/resolutions/YJ-2024-004.md": resolution(
        "YJ-2024-004", "feedback_sheet", "dt-zx", "issued", "2026-10-31"),
    # usage feedback, owed 30 days after the work ended
    "content/exchanges/JL-2023-001.md": exchange("JL-2023-001", "feedback_given"),
    "content/exchanges/JL-2023-002.md": exchange("JL-2023-002", "in_use", "2026-10-22"),
    "content/exchanges/JL-2023-003.md": exchange("JL-2023-003", "in_use", "2026-10-23"),
    "content/exchanges/JL-2023-004.md": exchange("JL-2023-004", "shared"),
}


@pytest.fixture
def stats_project(project):
    write_all(project, FILES)
    return project


def compute(root, as_of=AS_OF):
    checked, result = figures(Deployment(root), as_of)
    assert checked.validation.valid, [p.message for p in checked.validation.problems]
    return result


# The figures of site_config/statistics.yml under the names these tests used before they
# were declarations (the values are unchanged).
LEDGER = {"total": "ledger_total", "completed": "ledger_completed",
          "completion_rate": "ledger_completion_rate", "on_time": "ledger_on_time",
          "on_time_rate": "ledger_on_time_rate", "overdue": "ledger_overdue",
          "extended": "ledger_extended", "satisfaction_rate": "ledger_satisfaction"}


def total(root, as_of=AS_OF) -> dict:
    """The ledger's figures over every live rectification item."""
    values = compute(root, as_of).values
    return {name: values[sid] for name, sid in LEDGER.items()}


def rows(root, table: str) -> list[tuple]:
    """A statistics table as (key values…, {figure: value}) rows."""
    found = compute(root).table(table)
    return [tuple(p.value for p in row.parts) + (row.values,) for row in found.rows]


def ratio(numerator: int, denominator: int) -> Ratio:
    return Ratio(numerator, denominator)


# --- Ratio -------------------------------------------------------------------------------------


@pytest.mark.parametrize("numerator, denominator, percent, shown", [
    (113, 129, Decimal("87.6"), "87.6%"),
    (5, 7, Decimal("71.4"), "71.4%"),
    (1, 16, Decimal("6.3"), "6.3%"),      # 6.25 rounds half up, not to even
    (1, 8, Decimal("12.5"), "12.5%"),
    (2, 3, Decimal("66.7"), "66.7%"),
    (1, 1, Decimal("100.0"), "100.0%"),
    (0, 5, Decimal("0.0"), "0.0%"),
    (0, 0, None, "—"),
])
def test_ratio(numerator, denominator, percent, shown):
    value = Ratio(numerator, denominator)
    assert value.percent == percent
    assert str(value) == shown
    assert value.as_dict()["percent"] == (None if percent is None else float(percent))


def test_completion_rate_113_of_129(project):
    files = {"content/plans/JH-2023-01.md": PLAN,
             "content/items/SX-2023-004.md": item("SX-2023-004", "completed", "false"),
             "content/findings/WT-2023-001.md": finding("WT-2023-001", "ly-rd")}
    for n in range(1, 130):
        rid = f"ZG-2023-{n:03d}"
        files[f"content/rectifications/{rid}.md"] = (
            rectification(rid, "completed", "2023-06-30", completed="2023-06-01") if n <= 113
            else rectification(rid, "in_progress", "2026-12-31"))
    write_all(project, files)
    found = total(project)
    assert (found["total"], found["completed"], str(found["completion_rate"])) == (129, 113, "87.6%")


# --- the ledger --------------------------------------------------------------------------------


def test_ledger_total(stats_project):
    found = total(stats_project)
    assert found == {
        "total": 7, "completed": 5, "completion_rate": ratio(5, 7),
        "on_time": 4, "on_time_rate": ratio(4, 5), "overdue": 1, "extended": 3,
        "satisfaction_rate": ratio(2, 3),
    }
    assert str(found["completion_rate"]) == "71.4%"
    assert str(found["on_time_rate"]) == "80.0%"


def test_ledger_groups(stats_project):
    by_body_year = rows(stats_project, "ledger")
    assert [(b, y, v["ledger_total"], v["ledger_completed"]) for b, y, v in by_body_year] == [
        ("ly-rd", 2023, 6, 4), ("lz-rd", 2024, 1, 1)]
    assert [(y, v["ledger_total"]) for y, v in rows(stats_project, "by-year")] == [
        (2023, 6), (2024, 1)]
    assert [(u, v["ledger_total"], v["ledger_overdue"])
            for u, v in rows(stats_project, "by-unit")] == [("ly-lyj", 6, 1), ("lz-fgw", 1, 0)]
    values = compute(stats_project).values
    assert (values["ledger_on_time"], values["ledger_completed"]) == (4, 5)


@pytest.mark.parametrize("as_of, overdue", [
    (date(2026, 11, 20), 0),    # due today is not overdue
    (date(2026, 11, 21), 1),    # ZG-2023-006
    (date(2027, 1, 1), 2),      # and ZG-2023-005, whose extended deadline has passed
    (date(2023, 7, 1), 0),      # ZG-2023-005 was already extended beyond 2023-06-30
])
def test_overdue_as_of_a_date(stats_project, as_of, overdue):
    assert total(stats_project, as_of)["overdue"] == overdue


def test_on_time_uses_the_deadline_in_force(project):
    """Completed after the original deadline and the first extension, before the last."""
    write_all(project, {**{k: v for k, v in FILES.items() if "rectifications" not in k},
                        "content/rectifications/ZG-2023-003.md": FILES[
                            "content/rectifications/ZG-2023-003.md"]})
    found = total(project)
    assert (found["completed"], found["on_time"]) == (1, 1)


def test_withdrawn_items_are_not_counted(project):
    write_all(project, {k: v for k, v in FILES.items()
                        if "rectifications" not in k or k.endswith("ZG-2023-007.md")})
    assert total(project)["total"] == 0
    assert str(total(project)["completion_rate"]) == "—"


# --- plans, opinions, feedback -----------------------------------------------------------------


def test_plan_progress(stats_project):
    plans = compute(stats_project).table("plans").rows
    assert [(p.record.id, p.record.get("body"), p.record.get("year"), p.values["plan_items"],
             p.values["plan_key_items"], p.values["plan_launched"], p.values["plan_completed"])
            for p in plans] == [
        ("JH-2023-01", "ly-rd", 2023, 4, 2, 3, 1),
        ("JH-2024-01", "lz-rd", 2024, 0, 0, 0, 0),
    ]


def test_review_opinions_zero_balance(stats_project):
    names = {"opinions_total": "total", "opinions_closed": "closed", "opinions_open": "open",
             "opinions_closed_in_time_rate": "closed_in_time_rate",
             "opinions_zero_balance": "zero_balance"}
    by_body = [{"body": body, **{names[k]: v for k, v in values.items() if k in names}}
               for body, values in rows(stats_project, "review-opinions")]
    assert by_body == [
        {"body": "ly-rd", "total": 2, "closed": 2, "open": 0,
         "closed_in_time_rate": ratio(1, 2), "zero_balance": True},
        {"body": "lz-rd", "total": 1, "closed": 0, "open": 1,
         "closed_in_time_rate": ratio(0, 1), "zero_balance": False},
    ]
    values = compute(stats_project).values
    assert values["opinions_closed_in_time"] == 1
    assert values["opinions_zero_balance"] is False


def test_feedback_sheets_within_20_days(stats_project):
    values = compute(stats_project).values
    sheets = {k: values[k] for k in ("sheets_total", "sheets_answered", "sheets_answered_within",
                                     "sheets_within_rate", "sheets_late")}
    assert sheets == {"sheets_total": 4, "sheets_answered": 2, "sheets_answered_within": 1,
                      "sheets_within_rate": ratio(1, 4), "sheets_late": 1}


def test_feedback_limit_comes_from_the_due_role(stats_project):
    """The 20 days are the default period of resolution.yml's `due` role."""
    config = stats_project / "site_config" / "types" / "resolution.yml"
    config.write_text(edit(config.read_text(encoding="utf-8"), 'period: "20 日"', 'period: "21 日"'),
                      encoding="utf-8")
    values = compute(stats_project).values
    assert (values["sheets_answered_within"], values["sheets_late"]) == (2, 0)


def test_usage_feedback_rate(stats_project):
    values = compute(stats_project).values
    assert {k: values[k] for k in ("usage_shared", "usage_feedback_due", "usage_feedback_given",
                                   "usage_feedback_rate")} == {
        "usage_shared": 4, "usage_feedback_due": 2, "usage_feedback_given": 1,
        "usage_feedback_rate": ratio(1, 2)}
    assert [body for body, _ in rows(stats_project, "usage-feedback")] == ["lz-sj"]


# --- through the CLI ---------------------------------------------------------------------------


def test_stats_json_cli(stats_project):
    result = CliRunner().invoke(cli, ["stats", "--root", str(stats_project), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-21"
    total = data["tables"]["ledger"]["total"]
    assert total["ledger_completion_rate"] == {"numerator": 5, "denominator": 7, "percent": 71.4}
    assert total["ledger_on_time_rate"]["percent"] == 80.0
    assert total["ledger_overdue"] == 1
    assert data["tables"]["plans"]["rows"][0]["values"]["plan_launched"] == 3
    assert data["tables"]["review-opinions"]["rows"][0]["values"]["opinions_zero_balance"] is True
    figures = data["statistics"]
    assert figures["sheets_within_rate"]["value"]["percent"] == 25.0
    assert figures["usage_feedback_rate"]["value"]["percent"] == 50.0
    assert figures["ledger_completion_rate"]["definition"] == "已完成 ÷ 整改事项。"
    assert figures["ledger_total"]["text"] == "7 项"


def test_stats_text_cli(stats_project):
    result = CliRunner().invoke(cli, ["stats", "--root", str(stats_project),
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "统计截至 2026-11-21" in result.output
    assert ("合计：整改事项 7 项，已完成 5 项，完成率 71.4%，按期完成率 80.0%，逾期 1 项，延期 3 项，"
            "满意度 66.7%") in result.output
    assert ("洛阳市人大常委会：审议意见 2 份，已办结 2 份，期限内办结率 1/2（50.0%），待办 0 份，"
            "零余额 是") in result.output
    assert "完成率（ledger_completion_rate）：已完成 ÷ 整改事项。" in result.output


def test_stats_on_invalid_content_exits_1(valid_project):
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "deadline: 2023-06-30",
                                                       "deadline: 2023-02-30")})
    result = CliRunner().invoke(cli, ["stats", "--root", str(valid_project), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "invalid-date" in result.output
    assert "统计数字不可靠" in result.stderr
