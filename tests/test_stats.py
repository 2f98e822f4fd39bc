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
from builder.pipeline import Project, figures
from builder.stats import Ratio
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
    checked, result = figures(Project(root), as_of)
    assert checked.validation.valid, [p.message for p in checked.validation.problems]
    return result


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
    total = compute(project)["ledger"]["total"]
    assert (total["total"], total["completed"], str(total["completion_rate"])) == (129, 113, "87.6%")


# --- the ledger --------------------------------------------------------------------------------


def test_ledger_total(stats_project):
    total = compute(stats_project)["ledger"]["total"]
    assert total == {
        "total": 7, "completed": 5, "completion_rate": ratio(5, 7),
        "on_time": 4, "on_time_rate": ratio(4, 5), "overdue": 1, "extended": 3,
        "satisfaction_rate": ratio(2, 3),
    }
    assert str(total["completion_rate"]) == "71.4%"
    assert str(total["on_time_rate"]) == "80.0%"


def test_ledger_groups(stats_project):
    ledger = compute(stats_project)["ledger"]
    assert [(r["body"], r["total"], r["completed"], r["on_time"]) for r in ledger["by_body"]] == [
        ("ly-rd", 6, 4, 3), ("lz-rd", 1, 1, 1)]
    assert [(r["year"], r["total"]) for r in ledger["by_year"]] == [(2023, 6), (2024, 1)]
    assert [(r["body"], r["year"], r["total"]) for r in ledger["by_body_year"]] == [
        ("ly-rd", 2023, 6), ("lz-rd", 2024, 1)]
    assert [(r["unit"], r["total"], r["overdue"]) for r in ledger["by_unit"]] == [
        ("ly-lyj", 6, 1), ("lz-fgw", 1, 0)]


@pytest.mark.parametrize("as_of, overdue", [
    (date(2026, 11, 20), 0),    # due today is not overdue
    (date(2026, 11, 21), 1),    # ZG-2023-006
    (date(2027, 1, 1), 2),      # and ZG-2023-005, whose extended deadline has passed
    (date(2023, 7, 1), 0),      # ZG-2023-005 was already extended beyond 2023-06-30
])
def test_overdue_as_of_a_date(stats_project, as_of, overdue):
    assert compute(stats_project, as_of)["ledger"]["total"]["overdue"] == overdue


def test_on_time_uses_the_deadline_in_force(project):
    """Completed after the original deadline and the first extension, before the last."""
    write_all(project, {**{k: v for k, v in FILES.items() if "rectifications" not in k},
                        "content/rectifications/ZG-2023-003.md": FILES[
                            "content/rectifications/ZG-2023-003.md"]})
    total = compute(project)["ledger"]["total"]
    assert (total["completed"], total["on_time"]) == (1, 1)


def test_withdrawn_items_are_not_counted(project):
    write_all(project, {k: v for k, v in FILES.items()
                        if "rectifications" not in k or k.endswith("ZG-2023-007.md")})
    assert compute(project)["ledger"]["total"]["total"] == 0
    assert str(compute(project)["ledger"]["total"]["completion_rate"]) == "—"


# --- plans, opinions, feedback -----------------------------------------------------------------


def test_plan_progress(stats_project):
    plans = compute(stats_project)["plans"]
    assert [(p["id"], p["body"], p["year"], p["planned"], p["key"], p["launched"], p["completed"])
            for p in plans] == [
        ("JH-2023-01", "ly-rd", 2023, 4, 2, 3, 1),
        ("JH-2024-01", "lz-rd", 2024, 0, 0, 0, 0),
    ]


def test_review_opinions_zero_balance(stats_project):
    opinions = compute(stats_project)["review_opinions"]
    assert opinions["by_body"] == [
        {"body": "ly-rd", "total": 2, "closed": 2, "open": 0, "closed_in_time": 1,
         "closed_in_time_rate": ratio(1, 2), "zero_balance": True},
        {"body": "lz-rd", "total": 1, "closed": 0, "open": 1, "closed_in_time": 0,
         "closed_in_time_rate": ratio(0, 1), "zero_balance": False},
    ]
    assert opinions["total"]["zero_balance"] is False


def test_feedback_sheets_within_20_days(stats_project):
    sheets = compute(stats_project)["feedback_sheets"]["total"]
    assert sheets == {"total": 4, "answered": 2, "answered_within_limit": 1,
                      "within_limit_rate": ratio(1, 4), "unanswered_past_limit": 1,
                      "limit_days": 20}


def test_feedback_limit_comes_from_settings(stats_project):
    site = stats_project / "site_config" / "site.yml"
    site.write_text(edit(site.read_text(encoding="utf-8"), "feedback_days: 20", "feedback_days: 21"),
                    encoding="utf-8")
    sheets = compute(stats_project)["feedback_sheets"]["total"]
    assert (sheets["answered_within_limit"], sheets["unanswered_past_limit"], sheets["limit_days"]) \
        == (2, 0, 21)


def test_usage_feedback_rate(stats_project):
    usage = compute(stats_project)["usage_feedback"]
    assert usage["total"] == {"shared": 4, "feedback_due": 2, "feedback_given": 1,
                              "feedback_rate": ratio(1, 2)}
    assert [r["body"] for r in usage["by_body"]] == ["lz-sj"]


# --- through the CLI ---------------------------------------------------------------------------


def test_stats_json_cli(stats_project):
    result = CliRunner().invoke(cli, ["stats", "--root", str(stats_project), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-21"
    total = data["ledger"]["total"]
    assert total["completion_rate"] == {"numerator": 5, "denominator": 7, "percent": 71.4}
    assert total["on_time_rate"]["percent"] == 80.0
    assert total["overdue"] == 1
    assert data["plans"][0]["launched"] == 3
    assert data["review_opinions"]["by_body"][0]["zero_balance"] is True
    assert data["feedback_sheets"]["total"]["within_limit_rate"]["percent"] == 25.0
    assert data["usage_feedback"]["total"]["feedback_rate"]["percent"] == 50.0


def test_stats_text_cli(stats_project):
    result = CliRunner().invoke(cli, ["stats", "--root", str(stats_project),
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "统计截至 2026-11-21" in result.output
    assert ("合计：整改事项 7 项，已完成 5 项，完成率 71.4%；按期完成率 80.0%；逾期 1 项；延期 3 项；"
            "满意度 66.7%") in result.output
    assert "洛阳市人大常委会：共 2 条，已办结 2 条，期限内办结 1 条（50.0%），“零余额”" in result.output


def test_stats_on_invalid_content_exits_1(valid_project):
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "deadline: 2023-06-30",
                                                       "deadline: 2023-02-30")})
    result = CliRunner().invoke(cli, ["stats", "--root", str(valid_project), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "invalid-date" in result.output
    assert "统计数字不可靠" in result.stderr
