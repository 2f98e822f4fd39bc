"""Internal dashboards (site_config/dashboards.yml evaluated by builder/dashboards.py): for
each one, records that should and records that should not appear on it, with the as-of date
placed on the boundaries (due today, due tomorrow, exactly 20 days, 21 days); then the one
template, rendered on the demo content; then the declarations checked at load.

As of 2026-11-21 throughout; dashboards.yml: due within 30 日, usage feedback 30 日 after
the work ended; resolution.yml: a feedback sheet without a limit is due 20 日 after issue.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.stages.dashboards import Board, Dashboards, Row, compute
from builder.stages.render import environment
from builder.model import ConfigError, load_model
from builder.pipeline import Deployment, check
from builder.model.roles import RecordIndex
from conftest import BASE_RECORDS, FINDING, FINDING_PATH, REPO, edit, record, write_all

AS_OF = date(2026, 11, 21)
TEMPLATES = REPO / "templates"


def dashboards_for(root: Path, files: dict[str, str], as_of: date = AS_OF,
                   hide: tuple[str, ...] = ()) -> Dashboards:
    """Validate the base records plus `files` (they must be valid) and compute the
    dashboards; records whose ID is in `hide` are left out, as a projection would."""
    write_all(root, {**BASE_RECORDS, **files})
    checked = check(Deployment(root))
    assert checked.validation.valid, [f"{p.path}:{p.line} {p.message}"
                                      for p in checked.validation.errors]
    records = [r for r in checked.validation.records if r.id not in hide]
    return compute(records, checked.model, as_of, checked.validation.warnings)


def rectification(rid: str, status: str, deadline: str, *, extensions: tuple[str, ...] = (),
                  contact: str | None = None, finding: str = "WT-2023-001",
                  progress: str | None = None) -> tuple[str, str]:
    lines = [f"id: {rid}", "type: rectification", f"title: 整改 {rid}", f"status: {status}",
             f"finding: {finding}", "responsible_unit: ly-lyj", "assigned: 2023-05-01",
             f"deadline: {deadline}"]
    if extensions:
        lines.append("deadline_extensions:")
        for new in extensions:
            lines += ["  - date: 2023-06-01", f"    deadline: {new}", "    reason: 需要延期"]
    if status == "completed":
        lines += ["completed: 2026-11-20", "result: 已完成。"]
    if status == "reopened":
        lines.append("reopen_reason: 群众反映问题反弹。")
    if status == "withdrawn":
        lines += ["withdrawn: 2023-06-01", "withdrawal_reason: 重复交办。"]
    if contact:
        lines.append(f"contact: {contact}")
    if progress:
        lines.append(f"progress: {progress}")
    return f"content/rectifications/{rid}.md", record("\n".join(lines))


def item(rid: str, status: str, *, coordination: str | None = None,
         co_bodies: tuple[str, ...] = (), consultations: tuple[tuple, ...] = (),
         lead: str = "lz-rd") -> tuple[str, str]:
    lines = [f"id: {rid}", "type: item", f"title: 事项 {rid}", f"status: {status}",
             "plan: JH-2023-01", f"lead_body: {lead}"]
    if coordination:
        lines.append(f"coordination: {coordination}")
    if co_bodies:
        lines.append(f"co_bodies: [{', '.join(co_bodies)}]")
    if status in ("launched", "result_forming", "completed"):
        lines.append("started: 2023-03-01")
    if status == "completed":
        lines.append("completed: 2026-11-01")
    if status == "withdrawn":
        lines += ["withdrawn: 2023-04-01", "withdrawal_reason: 调整计划。"]
    if consultations:
        lines.append("consultations:")
        for body, requested, answered in consultations:
            lines += [f"  - body: {body}", f"    requested: {requested}"]
            if answered:
                lines.append(f"    answered: {answered}")
    return f"content/items/{rid}.md", record("\n".join(lines))


def exchange(rid: str, status: str, work_ended: str | None = None) -> tuple[str, str]:
    lines = [f"id: {rid}", "type: exchange", f"title: 资料 {rid}", f"status: {status}",
             "from_body: lz-rd", "to_body: lz-xc", "material: 视察调研报告",
             "shared: 2024-05-10", "related_item: SX-2023-001"]
    if work_ended:
        lines.append(f"work_ended: {work_ended}")
    if status == "feedback_given":
        lines += ["feedback_on: 2024-09-01", "usage_feedback: 已用于巡察。"]
    if status == "withdrawn":
        lines += ["withdrawn: 2024-06-01", "withdrawal_reason: 误发。"]
    return f"content/exchanges/{rid}.md", record("\n".join(lines))


def sheet(rid: str, status: str, adopted: str, *, responded: str | None = None,
          response_due: str | None = None, kind: str = "feedback_sheet") -> tuple[str, str]:
    lines = [f"id: {rid}", "type: resolution", f"title: 反馈单 {rid}", f"status: {status}",
             f"kind: {kind}", "body: dt-zx", f"adopted: {adopted}", "addressed_to: [dt-zjj]"]
    if response_due:
        lines.append(f"response_due: {response_due}")
    if responded:
        lines.append(f"responded: {responded}")
    if status == "withdrawn":
        lines += ["withdrawn: 2026-10-02", "withdrawal_reason: 重复发出。"]
    return f"content/resolutions/{rid}.md", record("\n".join(lines))


def finding(rid: str, status: str, origin: str, source: str,
            transferred_to: str | None = None) -> tuple[str, str]:
    lines = [f"id: {rid}", "type: finding", f"title: 问题 {rid}", f"status: {status}",
             f"origin: {origin}", f"source_body: {source}", "unit: lz-fgw", "category: funds",
             "found: 2023-04-10", "description: 问题。"]
    if transferred_to:
        lines.append(f"transferred_to: {transferred_to}")
    return f"content/findings/{rid}.md", record("\n".join(lines))


def files(*pairs: tuple[str, str]) -> dict[str, str]:
    return dict(pairs)


def text(board: Board, row: Row, key: str) -> str:
    """A cell of `row` under the column `key`, as plain text."""
    return str(row.cell(board, key))


def by_id(board: Board) -> dict[str, Row]:
    return {r.record.id: r for r in board.rows}


# --- overdue and due soon --------------------------------------------------------------------


def test_rectification_deadlines(project):
    d = dashboards_for(project, files(
        rectification("ZG-2023-002", "in_progress", "2026-11-20", contact="林业局 张某 555-0101"),
        rectification("ZG-2023-003", "assigned", "2026-11-21"),                 # due today
        rectification("ZG-2023-004", "assigned", "2026-11-22"),                 # due tomorrow
        rectification("ZG-2023-005", "in_progress", "2026-12-21"),              # day 30
        rectification("ZG-2023-006", "in_progress", "2026-12-22"),              # day 31: not yet
        rectification("ZG-2023-007", "in_progress", "2026-01-01", extensions=("2027-06-30",)),
        rectification("ZG-2023-008", "in_progress", "2026-01-01", extensions=("2026-11-01",)),
        rectification("ZG-2023-009", "completed", "2025-01-01"),                # done late
        rectification("ZG-2023-010", "withdrawn", "2026-01-01"),
        rectification("ZG-2023-011", "reopened", "2026-06-30"),                 # open again
    ))
    board = d.board("deadlines")
    rows = by_id(board)
    assert [r.record.id for r in board.rows] == [
        "ZG-2023-011", "ZG-2023-008", "ZG-2023-002",                 # overdue, oldest first
        "ZG-2023-003", "ZG-2023-004", "ZG-2023-005"]                 # due soon, soonest first
    assert "逾期 3 项，即将到期 3 项" in board.rule
    late = rows["ZG-2023-002"]
    assert (late.highlight, late.facts["days"], text(board, late, "timing")) == (
        True, 1, "逾期 1 日")
    assert (text(board, late, "responsible_unit"), text(board, late, "contact"),
            text(board, late, "owner_body")) == (
        "洛阳市林业局", "林业局 张某 555-0101", "洛阳市人大常委会")
    assert late.record.path == "rectification/ZG-2023-002/"
    assert late.cell(board, "status").badge.overdue
    assert (rows["ZG-2023-003"].highlight, text(board, rows["ZG-2023-003"], "timing")) == (
        False, "今日到期")
    assert (rows["ZG-2023-004"].facts["days"], text(board, rows["ZG-2023-004"], "timing")) == (
        1, "还剩 1 日")
    assert rows["ZG-2023-005"].facts["days"] == 30
    extended = rows["ZG-2023-008"]
    assert (extended.facts["due"], extended.facts["days"], text(board, extended, "extensions")
            ) == (date(2026, 11, 1), 20, "1")
    assert text(board, extended, "due") == "2026-11-01"
    assert text(board, rows["ZG-2023-003"], "contact") == ""


def test_due_tomorrow_becomes_overdue_the_day_after(project):
    d = dashboards_for(project, files(rectification("ZG-2023-004", "assigned", "2026-11-22")),
                       as_of=date(2026, 11, 23))
    board = d.board("deadlines")
    assert [(r.record.id, r.highlight, text(board, r, "timing")) for r in board.rows] == [
        ("ZG-2023-004", True, "逾期 1 日")]


# --- consultations (征询意见) -----------------------------------------------------------------


def test_consultation_gaps(project):
    d = dashboards_for(project, files(
        item("SX-2023-002", "result_forming", coordination="joint_three",
             co_bodies=("lz-xc", "lz-sj"),
             consultations=(("lz-sj", "2026-10-20", "2026-10-25"),
                            ("lz-xc", "2026-11-01", None),
                            ("lz-xc", "2026-11-10", None))),
        item("SX-2023-003", "completed", coordination="joint_two", co_bodies=("lz-sj",)),
        item("SX-2023-004", "result_forming", coordination="joint_three",
             co_bodies=("lz-xc", "lz-sj"),
             consultations=(("lz-sj", "2026-10-20", "2026-10-25"),
                            ("lz-xc", "2026-10-20", "2026-10-21"))),
        item("SX-2023-005", "launched", coordination="joint_two", co_bodies=("lz-sj",)),
        item("SX-2023-006", "result_forming", coordination="single"),
        item("SX-2023-007", "result_forming", co_bodies=("lz-sj",),
             consultations=(("lz-rd", "2026-10-20", "2026-10-21"),)),   # only its own lead
        item("SX-2023-008", "withdrawn", coordination="joint_two", co_bodies=("lz-sj",)),
        item("SX-2023-009", "completed", coordination="joint_two", co_bodies=("lz-xc",),
             consultations=(("lz-xc", "2026-10-01", None), ("lz-xc", "2026-10-05", "2026-10-09"))),
    ))
    board = d.board("consultations")
    gaps = by_id(board)
    assert sorted(gaps) == ["SX-2023-002", "SX-2023-003", "SX-2023-007"]
    owed = gaps["SX-2023-002"].cell(board, "owed").items
    assert owed == ("中共泸州市委巡察工作领导小组办公室：2026-11-01 征询，已 20 日未回复",)
    assert text(board, gaps["SX-2023-002"], "coordination") == "三方联动"
    assert text(board, gaps["SX-2023-002"], "lead_body") == "泸州市人大常委会"
    assert gaps["SX-2023-003"].cell(board, "owed").items == ("泸州市审计局：未记录征询",)
    assert text(board, gaps["SX-2023-007"], "coordination") == "协同监督"
    assert gaps["SX-2023-007"].cell(board, "owed").items == ("泸州市审计局：未记录征询",)


# --- usage feedback of shared materials ----------------------------------------------------


def test_usage_feedback_owed(project):
    d = dashboards_for(project, files(
        exchange("JL-2024-001", "in_use", "2026-10-22"),          # ended 30 days ago: owed today
        exchange("JL-2024-002", "in_use", "2026-10-23"),          # 29 days: not yet
        exchange("JL-2024-003", "shared"),                        # work not ended
        exchange("JL-2024-004", "feedback_given", "2024-08-01"),
        exchange("JL-2024-005", "shared", "2025-01-01"),
        exchange("JL-2024-006", "withdrawn", "2024-06-01"),
    ))
    board = d.board("usage-feedback")
    rows = by_id(board)
    assert [u.record.id for u in board.rows] == ["JL-2024-005", "JL-2024-001"]
    today = rows["JL-2024-001"]
    assert (today.facts["due"], text(board, today, "days_past")) == (date(2026, 11, 21), "0 日")
    assert (text(board, today, "from_body"), text(board, today, "to_body")) == (
        "泸州市人大常委会", "中共泸州市委巡察工作领导小组办公室")
    assert text(board, today, "material") == "视察调研报告"
    assert today.cell(board, "related_item").link.id == "SX-2023-001"
    assert rows["JL-2024-005"].facts["days_past"] == (AS_OF - date(2025, 1, 31)).days


# --- feedback sheets (反馈单) -----------------------------------------------------------------


def test_late_feedback_sheets(project):
    d = dashboards_for(project, files(
        sheet("YJ-2026-001", "closed", "2026-10-01", responded="2026-10-21"),   # day 20: in time
        sheet("YJ-2026-002", "closed", "2026-10-01", responded="2026-10-22"),   # day 21: late
        sheet("YJ-2026-003", "issued", "2026-11-01"),                           # due today
        sheet("YJ-2026-004", "responding", "2026-10-31"),                       # due yesterday
        sheet("YJ-2026-005", "issued", "2026-10-01", response_due="2026-11-30"),
        sheet("YJ-2026-006", "closed", "2026-10-01", response_due="2026-10-10",
              responded="2026-10-15"),
        sheet("YJ-2026-007", "issued", "2025-01-01", kind="review_opinion"),
        sheet("YJ-2026-008", "withdrawn", "2026-01-01"),
    ))
    board = d.board("feedback-sheets")
    rows = by_id(board)
    assert [s.record.id for s in board.rows] == ["YJ-2026-004", "YJ-2026-006", "YJ-2026-002"]
    open_ = rows["YJ-2026-004"]
    assert (open_.facts["replied"], text(board, open_, "state"), open_.facts["days_late"],
            open_.facts["due"]) == (False, "超期未反馈", 1, date(2026, 11, 20))
    assert open_.highlight and text(board, open_, "completion") == "未反馈"
    assert text(board, open_, "due") == "2026-11-20（发出后 20 日）"
    assert text(board, open_, "addressed_to") == "温州市洞头区住房和城乡建设局"
    late = rows["YJ-2026-002"]
    assert (late.facts["replied"], text(board, late, "state"), late.facts["days_late"],
            text(board, late, "completion")) == (True, "超期反馈", 1, "2026-10-22")
    own = rows["YJ-2026-006"]
    assert (text(board, own, "due"), own.facts["days_late"]) == (
        "2026-10-10（反馈单规定的期限）", 5)


def test_feedback_period_is_configurable(project):
    resolution = project / "site_config" / "types" / "resolution.yml"
    text_ = resolution.read_text(encoding="utf-8")
    assert 'period: "20 日"' in text_
    resolution.write_text(text_.replace('period: "20 日"', 'period: "10 日"'), encoding="utf-8")
    d = dashboards_for(project, files(
        sheet("YJ-2026-001", "closed", "2026-10-01", responded="2026-10-11"),   # day 10
        sheet("YJ-2026-002", "closed", "2026-10-01", responded="2026-10-12"),   # day 11
    ))
    board = d.board("feedback-sheets")
    assert "收到反馈单后 10 日内" in board.rule
    assert [(s.record.id, text(board, s, "due")) for s in board.rows] == [
        ("YJ-2026-002", "2026-10-11（发出后 10 日）")]


# --- follow-ups (成果共用) --------------------------------------------------------------------


def test_follow_ups(project):
    d = dashboards_for(project, files(
        item("SX-2023-010", "completed", coordination="joint_three",
             co_bodies=("lz-xc", "lz-sj")),
        # lz-rd's finding, a rectification still in progress → lz-xc and lz-sj follow it up
        finding("WT-2023-010", "rectifying", "SX-2023-010", "lz-rd"),
        rectification("ZG-2023-020", "in_progress", "2027-06-30", finding="WT-2023-010"),
        rectification("ZG-2023-021", "completed", "2024-06-30", finding="WT-2023-010"),
        # lz-sj's finding, everything done → nobody
        finding("WT-2023-011", "resolved", "SX-2023-010", "lz-sj"),
        rectification("ZG-2023-022", "completed", "2024-06-30", finding="WT-2023-011"),
        # lz-sj's finding resolved, but its rectification was reopened → lz-rd and lz-xc
        finding("WT-2023-012", "resolved", "SX-2023-010", "lz-sj"),
        rectification("ZG-2023-023", "reopened", "2027-06-30", finding="WT-2023-012"),
        # lz-xc's finding with no rectification yet → lz-rd and lz-sj
        finding("WT-2023-013", "open", "SX-2023-010", "lz-xc"),
        # a single body's item: nobody else, unless transferred to another body
        finding("WT-2023-014", "rectifying", "SX-2023-001", "ly-rd"),
        finding("WT-2023-015", "open", "SX-2023-001", "ly-rd", transferred_to="dt-jw"),
        finding("WT-2023-016", "open", "SX-2023-001", "ly-rd", transferred_to="ly-rd"),
        # through a resolution of the joint item
        ("content/resolutions/YJ-2023-010.md", record("""
            id: YJ-2023-010
            type: resolution
            title: 审议意见
            status: issued
            kind: review_opinion
            body: lz-rd
            item: SX-2023-010
            adopted: 2023-11-01
            """)),
        finding("WT-2023-017", "open", "YJ-2023-010", "lz-rd"),
    ))
    board = d.board("follow-ups")
    listed = {g.key: [(f.record.id, [r.id for r in f.cell(board, "children").links],
                       text(board, f, "children").split("，")[0]) for f in g.rows]
              for g in board.groups}
    assert listed == {
        "dt-jw": [("WT-2023-015", [], "尚无整改事项")],
        "lz-rd": [("WT-2023-012", ["ZG-2023-023"], "共 1 项整改事项"),
                  ("WT-2023-013", [], "尚无整改事项")],
        "lz-sj": [("WT-2023-010", ["ZG-2023-020"], "共 2 项整改事项"),
                  ("WT-2023-013", [], "尚无整改事项"), ("WT-2023-017", [], "尚无整改事项")],
        "lz-xc": [("WT-2023-010", ["ZG-2023-020"], "共 2 项整改事项"),
                  ("WT-2023-012", ["ZG-2023-023"], "共 1 项整改事项"),
                  ("WT-2023-017", [], "尚无整改事项")],
    }
    assert board.count == 9
    groups = {g.key: g for g in board.groups}
    assert groups["dt-jw"].label == "温州市洞头区纪委监委"
    moved = groups["dt-jw"].rows[0]
    assert (text(board, moved, "why"), moved.cell(board, "ancestor").link,
            text(board, moved, "owner_body")) == (
        "问题互移：移交本机关处置", None, "洛阳市人大常委会")
    joint = groups["lz-xc"].rows[0]
    assert text(board, joint, "why").startswith("三方联动事项")
    assert joint.cell(board, "ancestor").link.id == "SX-2023-010"
    assert groups["lz-sj"].rows[2].cell(board, "ancestor").link.id == "SX-2023-010"  # via YJ
    assert joint.cell(board, "children").text == "共 2 项整改事项，1 项未完成"
    assert groups["dt-jw"].rows[0].cell(board, "children").text == "尚无整改事项"


# --- data quality ----------------------------------------------------------------------------


def test_data_quality(project):
    lead = record("""
        id: XS-2023-001
        type: lead
        title: 线索
        status: received
        owner_body: ly-rd
        received: 2023-04-01
        summary: 群众反映。
        verified: false
        """, "线索<font>内容</font>\n")
    d = dashboards_for(project, {
        **files(
            rectification("ZG-2023-002", "in_progress", "2027-06-30"),        # both missing
            rectification("ZG-2023-003", "in_progress", "2027-06-30", contact="张某",
                          progress="已拨付一半。"),
            rectification("ZG-2023-004", "assigned", "2027-06-30", progress="已部署。"),
            rectification("ZG-2023-005", "withdrawn", "2027-06-30"),
        ),
        "content/rectifications/ZG-2023-006.md": rectification(
            "ZG-2023-006", "in_progress", "2027-06-30", contact="李某",
            progress="推进中。")[1] + "整改要求：<font color=red>年底前完成</font>\n",
        "content/leads/XS-2023-001.md": lead,
        # as its open rectifications derive it, so that no status warning joins the list
        FINDING_PATH: edit(FINDING, "status: resolved", "status: rectifying"),
    }, hide=("XS-2023-001",))
    board = d.board("data-quality")
    rows = [(text(board, q, "problem_kind"), text(board, q, "code"), q.facts["file"],
             text(board, q, "message")) for q in board.rows]
    assert rows == [
        ("缺少应填字段", "", "content/rectifications/ZG-2023-002.md",
         "尚未填写：整改进展（progress）、联系人（contact）"),
        ("缺少应填字段", "", "content/rectifications/ZG-2023-004.md", "尚未填写：联系人（contact）"),
        ("校验警告", "raw-html", "content/rectifications/ZG-2023-006.md", rows[2][3]),
    ]
    warning = board.rows[2]
    assert "<font>" in warning.facts["message"] and warning.facts["line"] > 1
    assert warning.record is not None and warning.record.id == "ZG-2023-006"
    # the completed base rectification (ZG-2023-001) and the hidden lead's warning are absent
    assert not any("ZG-2023-001" in q.facts["file"] or "XS-2023-001" in q.facts["file"]
                   for q in board.rows)


def test_expected_fields_read_from_the_declaration(project):
    checked = _checked(project)
    spec = next(s for s in checked.model.dashboards if s.id == "data-quality")
    assert spec.expected_fields["rectification"] == ("progress", "contact")
    empty = dataclasses.replace(checked.model, dashboards=(
        dataclasses.replace(spec, expected_fields={}),))
    d = compute(checked.validation.records, empty, AS_OF, [])
    assert d.board("data-quality").rows == ()


# --- the declarations are checked at load ------------------------------------------------------


def _declare(root: Path, old: str, new: str) -> list[str]:
    write_all(root, BASE_RECORDS)
    path = root / "site_config" / "dashboards.yml"
    text_ = path.read_text(encoding="utf-8")
    assert old in text_, old
    path.write_text(text_.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_model(root / "site_config")
    return error.value.messages


@pytest.mark.parametrize("old, new, message", [
    ("rectification: [progress, contact]", "memo: [x]", "记录类型“memo”未定义"),
    ("finding: [unit]", "finding: [unit, colour]", "没有字段“colour”"),
    ("finding: [unit]", "finding: unit", "应为字段名列表"),
    ("{field: contact, label: 联系人}", "{field: phone, label: 联系人}", "没有字段“phone”"),
    ("{role: responsible_unit, label: 责任单位}", "{role: unit_of, label: 责任单位}",
     "没有声明角色“unit_of”"),
    ("{show: timing, label: 期限情况}", "{show: days_late, label: 期限情况}",
     "不能显示“days_late”"),
    ('condition: {due_within: "30 日"}', 'condition: {due_within: "30 天半"}', "期限"),
    ("order: [due, id]", "order: [colour, id]", "不能按“colour”排序"),
    ("population: {type: rectification, where: {status: unfinished}}",
     "population: {type: rectifications}", "未定义"),
    ("condition: {open_with: rectification}", "condition: {open_with: fix}", "“fix”未定义"),
    ("bodies: [transferred_to]", "bodies: [description]", "没有引用机关"),
    ("    title: 数据质量\n", "    titel: 数据质量\n", "未知的配置项“titel”"),
])
def test_declarations_are_checked_with_file_and_line(project, old, new, message):
    messages = _declare(project, old, new)
    hit = [m for m in messages if message in m]
    assert hit, messages
    assert all(re.search(r"dashboards\.yml:\d+: ", m) for m in hit)


def test_reordered_columns_keep_headings_over_their_cells(project):
    write_all(project, {**BASE_RECORDS, **files(
        rectification("ZG-2023-002", "in_progress", "2026-11-20", contact="张某"))})
    path = project / "site_config" / "dashboards.yml"
    text_ = path.read_text(encoding="utf-8")
    path.write_text(text_.replace(
        "      - {show: record, label: 整改事项}\n      - {show: timing, label: 期限情况}\n",
        "      - {show: timing, label: 期限情况}\n      - {show: record, label: 整改事项}\n"),
        encoding="utf-8")
    checked = check(Deployment(project))
    soup = render(compute(checked.validation.records, checked.model, AS_OF, []))
    table = soup.select_one("section#deadlines table")
    heads = [th.get_text() for th in table.select("thead th")]
    cells = dict(zip(heads, (td.get_text() for td in table.select("tbody tr td"))))
    assert heads[:2] == ["期限情况", "整改事项"]
    assert cells["期限情况"] == "逾期 1 日" and cells["整改事项"].startswith("ZG-2023-002")
    assert cells["联系人"] == "张某"


def _checked(root: Path):
    write_all(root, BASE_RECORDS)
    return check(Deployment(root))


# --- the template ------------------------------------------------------------------------------


def render(d: Dashboards, root: str = "../") -> BeautifulSoup:
    env = environment([TEMPLATES])
    html = env.get_template("internal/dashboards.html").render(
        dashboards=d, root=root, title="内部工作台")
    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def demo():
    checked = check(Deployment(REPO))
    assert checked.validation.valid
    records = checked.validation.records
    d = compute(records, checked.model, AS_OF, checked.validation.warnings)
    return records, checked.model, d, render(d)


def _row(soup: BeautifulSoup, section: str, href: str):
    link = soup.select_one(f"section#{section} a[href='../{href}']")
    assert link is not None, f"{href} not in section {section}"
    return link.find_parent("tr")


def test_demo_consultation_of_inspection_office_owed(demo):
    _, _, _, soup = demo
    row = _row(soup, "consultations", "item/SX-2023-030/")
    text_ = row.get_text()
    assert "中共泸州市委巡察工作领导小组办公室：2023-11-06 征询" in text_ and "未回复" in text_
    assert "泸州市审计局" not in text_                        # it answered on 2023-11-15
    assert soup.select_one("section#consultations a[href='../item/SX-2023-029/']") is None


def test_demo_exchange_without_usage_feedback(demo):
    _, _, _, soup = demo
    text_ = _row(soup, "usage-feedback", "exchange/JL-2023-005/").get_text()
    assert "中共泸州市委巡察工作领导小组办公室" in text_ and "2023-12-29" in text_
    for done in ("JL-2023-001", "JL-2023-002", "JL-2023-003", "JL-2023-006"):
        assert soup.select_one(f"section#usage-feedback a[href='../exchange/{done}/']") is None


def test_demo_feedback_sheets(demo):
    _, _, _, soup = demo
    open_ = _row(soup, "feedback-sheets", "resolution/YJ-2026-001/").get_text()
    assert "超期未反馈" in open_ and "2026-11-05" in open_ and "16 日" in open_
    late = _row(soup, "feedback-sheets", "resolution/YJ-2024-005/").get_text()
    assert "超期反馈" in late and "2024-10-08" in late and "9 日" in late
    for in_time in ("YJ-2024-003", "YJ-2024-004"):
        assert soup.select_one(f"section#feedback-sheets a[href='../resolution/{in_time}/']") \
            is None
    heading = soup.select_one("section#feedback-sheets h2").get_text()
    assert heading == "超期的整改落实情况反馈单（2）"
    assert "20 日内" in soup.select_one("section#feedback-sheets p.sl-rule").get_text()


def test_demo_overdue_rectifications_with_contacts(demo):
    records, model, d, soup = demo
    index = RecordIndex(records, model)
    board = d.board("deadlines")
    overdue = [r for r in index.by_type["rectification"] if index.is_overdue(r, AS_OF)]
    assert len(overdue) == sum(1 for r in board.rows if r.highlight) > 0
    for r in overdue:
        text_ = _row(soup, "deadlines", f"rectification/{r.id}/").get_text()
        assert f"逾期 {(AS_OF - index.due_in_force(r)).days} 日" in text_
        assert r.get("contact") and r.get("contact") in text_
    luoyang = _row(soup, "deadlines", "rectification/ZG-2023-124/").get_text()
    assert "洛阳市中级人民法院" in luoyang and "洛阳市人大常委会" in luoyang


def test_demo_follow_ups_and_counts(demo):
    _, _, d, soup = demo
    text_ = soup.select_one("section#follow-ups").get_text()
    assert "泸州市审计局" in text_ and "WT-2023-044" in text_ and "ZG-2023-135" in text_
    assert "共 2 项整改事项，1 项未完成" in text_
    index = soup.select_one("ul.sl-dashboard-index").get_text()
    assert f"逾期和即将到期的整改事项：{d.board('deadlines').count}" in index


def test_empty_dashboards_say_so(project):
    soup = render(dashboards_for(project, {}, as_of=date(2023, 1, 1)))
    empty = [p.get_text() for p in soup.select("p.sl-empty")]
    assert empty == ["目前没有逾期或即将到期的整改事项。", "目前没有缺少征询意见的联动事项。",
                     "目前没有欠反馈的资料。", "目前没有超期的反馈单。",
                     "目前没有需要其他机关跟踪的问题。", "目前没有欠开的会议。",
                     "每个已结束的年度都召开了联席会议。", "每个已结束的半年都开展了联合研判。",
                     "每个已结束的季度都召开了两类会议。",
                     "目前没有尚未反馈结果的线索。", "目前没有逾期的工作单。",
                     "没有警告，仍在办理的记录都填写了应填字段。"]
    assert not soup.select("table")
    assert all(p.get_text() for p in soup.select("p.sl-rule"))


def test_record_text_is_escaped(project):
    path, text_ = rectification("ZG-2023-002", "in_progress", "2026-11-20",
                                contact="<script>alert(1)</script>")
    text_ = text_.replace("title: 整改 ZG-2023-002", 'title: "<img src=x onerror=alert(1)>"')
    soup = render(dashboards_for(project, {path: text_}))
    assert not soup.select("script") and not soup.select("img")
    row = _row(soup, "deadlines", "rectification/ZG-2023-002/").get_text()
    assert "<script>alert(1)</script>" in row and "<img src=x onerror=alert(1)>" in row
