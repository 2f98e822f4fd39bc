"""builder.timeline: public and internal timelines from a scripted Git history.

One repository, built once for the module, plays a year of a rectification ledger: status
moves, a deadline extended twice, an internal note added then removed, completion, a merged
pull request, reopening, a rename, a revert; beside it a record internal at first and public
later, an embargoed one, a withdrawn one, one deleted and re-added, one made internal again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from builder.stages.history import History, read_history
from builder.model import load_model
from builder.pipeline import Deployment, check
from builder.stages.projection import Audience, project
from builder.stages.timeline import (ChangeDay, EventKind, Timelines, change_log, describe,
                              format_value, timelines)

from conftest import (FINDING, FINDING_PATH, ITEM, ITEM_PATH, LEAD, LEAD_PATH, PLAN, PLAN_PATH,
                      SITE_CONFIG, edit)
from gitrepo import AUTHOR, EMAIL, GitProject

CST = timezone(timedelta(hours=8))
MODEL = load_model(SITE_CONFIG)
AS_OF = date(2024, 4, 21)
CANARY = "CANARY-督办-7731"
SECRET_PROGRESS = "内部方案甲-SECRET"

ZG1 = "content/rectifications/ZG-2023-001.md"
ZG1_MOVED = "content/rectifications/2023/ZG-2023-001.md"


def rect(rid: str, status: str = "assigned", extra: str = "") -> str:
    """A rectification item; `extra` holds more front-matter lines."""
    front = [f"id: {rid}", "type: rectification", f"title: 整改事项 {rid}", f"status: {status}",
             "finding: WT-2023-001", "responsible_unit: ly-lyj", "assigned: 2023-05-01",
             "deadline: 2023-06-30", "contact: 李四 0379-12345678", extra.strip("\n")]
    return "---\n" + "\n".join(line for line in front if line) + "\n---\n整改正文。\n"


EXT1 = """
deadline_extensions:
  - date: 2023-06-20
    deadline: 2023-09-30
    reason: 需调整年度资金计划"""
EXT2 = EXT1 + """
  - date: 2023-09-25
    deadline: 2023-12-31
    reason: 部分项目跨年度实施"""


def path(rid: str) -> str:
    return f"content/rectifications/{rid}.md"


@pytest.fixture(scope="module")
def scripted(tmp_path_factory) -> tuple[GitProject, dict[str, str]]:
    repo = GitProject(tmp_path_factory.mktemp("timeline") / "project")
    sha: dict[str, str] = {}
    sha["c1"] = repo.commit("2023-05-04T09:00:00+08:00", "录入", {
        PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING, ZG1: rect("ZG-2023-001"),
        path("ZG-2023-005"): rect("ZG-2023-005"), path("ZG-2023-006"): rect("ZG-2023-006"),
        path("ZG-2023-007"): rect("ZG-2023-007")})
    sha["c2"] = repo.commit("2023-05-20T10:00:00+08:00", "开始整改", {
        ZG1: rect("ZG-2023-001", "in_progress", "progress: 已拨付 40% 资金"),
        path("ZG-2023-002"): rect("ZG-2023-002", "in_progress",
                                  f"visibility: internal\nprogress: {SECRET_PROGRESS}"),
        path("ZG-2023-007"): rect("ZG-2023-007", extra="visibility: internal")})
    sha["c3"] = repo.commit("2023-06-20T10:00:00+08:00", "第一次延期", {
        ZG1: rect("ZG-2023-001", "in_progress",
                  f"progress: 已拨付 40% 资金\ninternal_note: {CANARY}" + EXT1),
        path("ZG-2023-006"): None})
    sha["c4"] = repo.commit("2023-07-15T10:00:00+08:00", "进展", {
        ZG1: rect("ZG-2023-001", "in_progress", "progress: 已拨付 80% 资金" + EXT1),
        path("ZG-2023-002"): rect("ZG-2023-002", "in_progress",
                                  "visibility: internal\nprogress: 内部方案乙-SECRET"),
        path("ZG-2023-006"): rect("ZG-2023-006", "in_progress", "progress: 恢复后继续整改")})
    sha["c5"] = repo.commit("2023-09-25T10:00:00+08:00", "第二次延期", {
        ZG1: rect("ZG-2023-001", "in_progress", "progress: 已拨付 80% 资金" + EXT2),
        path("ZG-2023-002"): rect("ZG-2023-002", "in_progress", "progress: 已制定整改方案"),
        path("ZG-2023-004"): rect("ZG-2023-004", extra="publish_after: 2023-10-01")})
    done = "progress: 已拨付 80% 资金\ncompleted: 2023-12-28\nresult: 已拨付全部资金。"
    sha["c6"] = repo.commit("2023-12-28T16:30:00+08:00", "完成", {
        ZG1: rect("ZG-2023-001", "completed", done + EXT2),
        path("ZG-2023-005"): rect("ZG-2023-005", "withdrawn",
                                  "withdrawn: 2023-12-28\nwithdrawal_reason: 与 ZG-2023-001 重复")})
    repo.branch("pr-17")
    repo.commit("2024-01-05T09:00:00+08:00", "分支：新增", {
        path("ZG-2023-003"): rect("ZG-2023-003"),
        ZG1: rect("ZG-2023-001", "completed", done.replace("80%", "90%") + EXT2)})
    repo.commit("2024-01-06T09:00:00+08:00", "分支：修改", {
        path("ZG-2023-003"): rect("ZG-2023-003", "in_progress"),
        ZG1: rect("ZG-2023-001", "completed", done.replace("80%", "100%") + EXT2)})
    repo.checkout("main")
    sha["merge"] = repo.merge("2024-01-10T09:00:00+08:00", "合并拉取请求 #17", "pr-17")
    reopened = ("progress: 已拨付 100% 资金\ncompleted: 2023-12-28\nresult: 已拨付全部资金。\n"
                "reopen_reason: 回头看发现两个项目资金未到位")
    sha["c7"] = repo.commit("2024-03-01T10:00:00+08:00", "重新整改", {
        ZG1: rect("ZG-2023-001", "reopened", reopened + EXT2)})
    sha["c8"] = repo.move("2024-03-05T10:00:00+08:00", "归档到年度文件夹", ZG1, ZG1_MOVED)
    again = ("progress: 正在追缴剩余资金\nresult: 已拨付全部资金。\n"
             "reopen_reason: 回头看发现两个项目资金未到位")
    sha["c9"] = repo.commit("2024-04-10T10:00:00+08:00", "继续整改", {
        ZG1_MOVED: rect("ZG-2023-001", "in_progress", again + EXT2)})
    sha["c10"] = repo.commit("2024-04-20T10:00:00+08:00", "误改进展", {
        ZG1_MOVED: rect("ZG-2023-001", "in_progress",
                        again.replace("正在追缴剩余资金", "错误的进展") + EXT2)})
    sha["c11"] = repo.revert("2024-04-21T09:00:00+08:00")
    return repo, {k: v[:7] for k, v in sha.items()}


@pytest.fixture(scope="module")
def public(scripted) -> Timelines:
    repo, _ = scripted
    return timelines(read_history(repo.root), MODEL, AS_OF)


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00")


def flat(found: Timelines, rid: str) -> list[tuple]:
    return [(e.when, e.short_sha, e.kind, e.field, e.old, e.new, e.reason)
            for e in found.records[rid].events]


def test_rectification_timeline_is_exact(public: Timelines, scripted) -> None:
    _, sha = scripted
    D = date
    assert flat(public, "ZG-2023-001") == [
        (at("2023-05-04", "09:00"), sha["c1"], EventKind.PUBLISHED, None, None, "assigned", None),
        (at("2023-05-20"), sha["c2"], EventKind.STATUS, "status", "assigned", "in_progress", None),
        (at("2023-05-20"), sha["c2"], EventKind.PROGRESS, "progress", None, "已拨付 40% 资金", None),
        (at("2023-06-20"), sha["c3"], EventKind.DEADLINE_EXTENDED, "deadline_extensions",
         D(2023, 6, 30), D(2023, 9, 30), "需调整年度资金计划"),
        (at("2023-07-15"), sha["c4"], EventKind.PROGRESS, "progress", "已拨付 40% 资金",
         "已拨付 80% 资金", None),
        (at("2023-09-25"), sha["c5"], EventKind.DEADLINE_EXTENDED, "deadline_extensions",
         D(2023, 9, 30), D(2023, 12, 31), "部分项目跨年度实施"),
        (at("2023-12-28", "16:30"), sha["c6"], EventKind.STATUS, "status", "in_progress",
         "completed", None),
        (at("2023-12-28", "16:30"), sha["c6"], EventKind.FIELD, "completed", None,
         D(2023, 12, 28), None),
        (at("2023-12-28", "16:30"), sha["c6"], EventKind.RESULT_ADDED, "result", None,
         "已拨付全部资金。", None),
        # The merged pull request is one event at the merge, whatever its branch did.
        (at("2024-01-10", "09:00"), sha["merge"], EventKind.PROGRESS, "progress",
         "已拨付 80% 资金", "已拨付 100% 资金", None),
        (at("2024-03-01"), sha["c7"], EventKind.REOPENED, "status", "completed", "reopened",
         "回头看发现两个项目资金未到位"),
        # c8 only moved the file: nothing to show, and the history goes on after it.
        (at("2024-04-10"), sha["c9"], EventKind.STATUS, "status", "reopened", "in_progress",
         None),
        (at("2024-04-10"), sha["c9"], EventKind.PROGRESS, "progress", "已拨付 100% 资金",
         "正在追缴剩余资金", None),
        (at("2024-04-10"), sha["c9"], EventKind.FIELD, "completed", D(2023, 12, 28), None, None),
        (at("2024-04-20"), sha["c10"], EventKind.PROGRESS, "progress", "正在追缴剩余资金",
         "错误的进展", None),
        (at("2024-04-21", "09:00"), sha["c11"], EventKind.PROGRESS, "progress", "错误的进展",
         "正在追缴剩余资金", None),
    ]
    one = public.records["ZG-2023-001"]
    assert one.first_published == at("2023-05-04", "09:00")
    assert one.last_updated == at("2024-04-21", "09:00")
    assert one.deadline_extensions == 2
    assert one.record_type == "rectification"


def test_public_events_carry_no_author_message_or_internal_value(public: Timelines) -> None:
    events = [e for t in public.records.values() for e in t.events]
    assert all(e.author_name is None and e.author_email is None and e.message is None
               for e in events)
    text = repr(events)
    for hidden in (CANARY, SECRET_PROGRESS, "内部方案乙-SECRET", "李四", AUTHOR, EMAIL, "误改进展"):
        assert hidden not in text


def test_record_internal_at_first_shows_nothing_before_it_became_public(
        public: Timelines, scripted) -> None:
    _, sha = scripted
    assert flat(public, "ZG-2023-002") == [
        (at("2023-09-25"), sha["c5"], EventKind.PUBLISHED, None, None, "in_progress", None)]


def test_embargo_publishes_on_its_date_with_the_commit_that_set_it(
        public: Timelines, scripted) -> None:
    _, sha = scripted
    assert flat(public, "ZG-2023-004") == [
        (datetime(2023, 10, 1, tzinfo=CST), sha["c5"], EventKind.PUBLISHED, None, None,
         "assigned", None)]


def test_embargo_not_yet_over_shows_nothing(scripted) -> None:
    repo, sha = scripted
    early = timelines(read_history(repo.root, rev=sha["c5"]), MODEL, date(2023, 9, 30))
    assert "ZG-2023-004" in {r.id for r in early.revisions}
    assert "ZG-2023-004" not in early.records


def test_withdrawal_is_one_event_with_its_reason(public: Timelines, scripted) -> None:
    _, sha = scripted
    assert flat(public, "ZG-2023-005")[1:] == [
        (at("2023-12-28", "16:30"), sha["c6"], EventKind.WITHDRAWN, "status", "assigned",
         "withdrawn", "与 ZG-2023-001 重复")]


def test_deleted_and_re_added(public: Timelines, scripted) -> None:
    _, sha = scripted
    assert flat(public, "ZG-2023-006")[1:] == [
        (at("2023-06-20"), sha["c3"], EventKind.UNPUBLISHED, None, None, None, None),
        (at("2023-07-15"), sha["c4"], EventKind.REPUBLISHED, None, None, "in_progress", None),
        (at("2023-07-15"), sha["c4"], EventKind.STATUS, "status", "assigned", "in_progress",
         None),
        (at("2023-07-15"), sha["c4"], EventKind.PROGRESS, "progress", None, "恢复后继续整改",
         None),
    ]


def test_merged_branch_record_appears_once_at_the_merge(public: Timelines, scripted) -> None:
    _, sha = scripted
    assert flat(public, "ZG-2023-003") == [
        (at("2024-01-10", "09:00"), sha["merge"], EventKind.PUBLISHED, None, None,
         "in_progress", None)]


def test_record_made_internal_again_is_left_out_of_the_site(public: Timelines,
                                                            scripted) -> None:
    assert [e.kind for e in public.records["ZG-2023-007"].events] == [
        EventKind.PUBLISHED, EventKind.UNPUBLISHED]
    repo, _ = scripted
    projection = _projection(repo)
    assert "ZG-2023-007" not in public.only(r.id for r in projection.records).records
    assert all(e.record_id != "ZG-2023-007" for day in change_log(public, projection, 400)
               for e in day.events)


def test_internal_timeline_has_every_field_author_and_message(scripted) -> None:
    repo, sha = scripted
    internal = timelines(read_history(repo.root), MODEL, AS_OF, Audience.INTERNAL)
    assert internal.audience is Audience.INTERNAL
    events = internal.records["ZG-2023-001"].events
    assert events[0].kind is EventKind.CREATED
    assert (events[0].author_name, events[0].author_email, events[0].message) == (
        AUTHOR, EMAIL, "录入")
    notes = [(e.short_sha, e.old, e.new) for e in events if e.field == "internal_note"]
    assert notes == [(sha["c3"], None, CANARY), (sha["c4"], CANARY, None)]
    assert [(e.short_sha, e.kind) for e in internal.records["ZG-2023-002"].events][:2] == [
        (sha["c2"], EventKind.CREATED), (sha["c4"], EventKind.PROGRESS)]
    visibility = [e for e in internal.records["ZG-2023-002"].events if e.field == "visibility"]
    assert [(v.short_sha, v.old, v.new) for v in visibility] == [(sha["c5"], "internal", None)]


def test_unsupported_audience_is_refused(public: Timelines) -> None:
    with pytest.raises(ValueError):
        timelines(History(), MODEL, AS_OF, audience="restricted")


def test_revisions_feed_the_leak_guard(public: Timelines) -> None:
    """Every validated revision is kept, unprojected, so the leak guard knows old secrets."""
    notes = [r.get("internal_note") for r in public.revisions if r.get("internal_note")]
    assert notes == [CANARY]


def _projection(repo: GitProject):
    checked = check(Deployment(repo.root))
    assert checked.validation.valid, checked.validation.errors
    return project(checked.validation.records, MODEL, Audience.PUBLIC, AS_OF)


def test_change_log_groups_recent_days_newest_first(public: Timelines, scripted) -> None:
    repo, sha = scripted
    days = change_log(public, _projection(repo), days=30)
    assert [d.day for d in days] == [date(2024, 4, 21), date(2024, 4, 20), date(2024, 4, 10)]
    assert [describe(e, MODEL) for e in days[0].events] == [
        "ZG-2023-001 整改进展：正在追缴剩余资金"]
    assert [describe(e, MODEL) for e in days[2].events] == [
        "ZG-2023-001 状态：重新整改 → 整改中",
        "ZG-2023-001 整改进展：正在追缴剩余资金",
    ]   # the completion date emptied on reopening is in the record's history, not news
    assert isinstance(days[0], ChangeDay)
    assert change_log(public, _projection(repo), days=1) == days[:1]


def test_descriptions_in_chinese(public: Timelines) -> None:
    lines = [describe(e, MODEL) for e in public.records["ZG-2023-001"].events]
    assert lines[:4] == [
        "ZG-2023-001 公开：整改事项 ZG-2023-001",
        "ZG-2023-001 状态：已交办 → 整改中",
        "ZG-2023-001 整改进展：已拨付 40% 资金",
        "ZG-2023-001 整改期限延长：2023-06-30 → 2023-09-30；理由：需调整年度资金计划",
    ]
    assert "ZG-2023-001 重新打开：已完成 → 重新整改；理由：回头看发现两个项目资金未到位" in lines
    assert "ZG-2023-001 整改结果：已拨付全部资金。" in lines
    withdrawn = public.records["ZG-2023-005"].events[-1]
    assert describe(withdrawn, MODEL) == "ZG-2023-005 已撤回；理由：与 ZG-2023-001 重复"
    assert describe(public.records["ZG-2023-007"].events[-1], MODEL) == "ZG-2023-007 不再公开"
    assert describe(public.records["ZG-2023-001"].events[3], MODEL, limit=5) == (
        "ZG-2023-001 整改期限延长：2023-06-30 → 2023-09-30；理由：需调整年…")


def test_format_value_uses_labels_and_registry_names() -> None:
    specs = MODEL.types["rectification"].fields
    assert format_value("ly-lyj", specs["responsible_unit"], MODEL) == "洛阳市林业局"
    assert format_value("satisfied", specs["satisfaction"], MODEL) == "满意"
    assert format_value(None, specs["progress"], MODEL) == "（无）"
    assert format_value(["甲", "乙"], specs["evidence"], MODEL) == "甲、乙"
    assert format_value(True, None, MODEL) == "是"


def test_revision_with_an_error_is_skipped_and_noticed(tmp_path: Path) -> None:
    repo = GitProject(tmp_path / "project")
    repo.commit("2023-05-04T09:00:00+08:00", "录入",
                {PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING,
                 path("ZG-2023-001"): rect("ZG-2023-001")})
    bad = repo.commit("2023-05-05T09:00:00+08:00", "写错公开范围",
                      {path("ZG-2023-001"): rect("ZG-2023-001", extra="visibility: intern")})
    repo.commit("2023-05-06T09:00:00+08:00", "改正",
                {path("ZG-2023-001"): rect("ZG-2023-001", "in_progress")})
    found = timelines(read_history(repo.root), MODEL, AS_OF)
    assert [e.kind for e in found.records["ZG-2023-001"].events] == [
        EventKind.PUBLISHED, EventKind.STATUS]
    (notice,) = found.notices
    assert (notice.code, notice.sha, notice.record_id) == ("revision-skipped", bad,
                                                          "ZG-2023-001")
    assert "invalid-enum" in notice.message


def test_reference_to_a_record_not_yet_visible_is_no_change(tmp_path: Path) -> None:
    """A finding made public later does not show up as a change of its rectification."""
    repo = GitProject(tmp_path / "project")
    hidden = edit(FINDING, "status: resolved", "status: resolved\nvisibility: internal")
    repo.commit("2023-05-04T09:00:00+08:00", "录入",
                {PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: hidden,
                 path("ZG-2023-001"): rect("ZG-2023-001")})
    repo.commit("2023-05-05T09:00:00+08:00", "公开问题", {FINDING_PATH: FINDING})
    repo.commit("2023-05-06T09:00:00+08:00", "开始整改",
                {path("ZG-2023-001"): rect("ZG-2023-001", "in_progress")})
    found = timelines(read_history(repo.root), MODEL, AS_OF)
    assert [(e.kind, e.field) for e in found.records["ZG-2023-001"].events] == [
        (EventKind.PUBLISHED, None), (EventKind.STATUS, "status")]


def test_changed_id_ends_one_record_and_starts_another(tmp_path: Path) -> None:
    repo = GitProject(tmp_path / "project")
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    changed = repo.commit("2023-05-05T09:00:00+08:00", "改编号",
                          {PLAN_PATH: edit(PLAN, "id: JH-2023-01", "id: JH-2023-02")})
    found = timelines(read_history(repo.root), MODEL, AS_OF)
    assert [e.kind for e in found.records["JH-2023-01"].events] == [
        EventKind.PUBLISHED, EventKind.UNPUBLISHED]
    assert [(e.kind, e.sha) for e in found.records["JH-2023-02"].events] == [
        (EventKind.PUBLISHED, changed)]


def test_empty_history_gives_empty_timelines() -> None:
    found = timelines(History(), MODEL, AS_OF)
    assert found.records == {} and found.events() == []


def test_internal_timeline_shows_a_restricted_lead_only_to_its_owner(tmp_path: Path) -> None:
    repo = GitProject(tmp_path / "project")
    repo.commit("2023-04-01T09:00:00+08:00", "受理线索", {LEAD_PATH: LEAD})
    verified = repo.commit("2023-04-20T09:00:00+08:00", "核实", {LEAD_PATH: edit(
        edit(LEAD, "status: received", "status: verified\nverified_on: 2023-04-20"),
        "verified: false", "verified: true")})
    history = read_history(repo.root)
    owner = timelines(history, MODEL, AS_OF, Audience.INTERNAL, body="ly-rd")
    assert [e.kind for e in owner.records["XS-2023-001"].events][:2] == [
        EventKind.CREATED, EventKind.STATUS]
    other = timelines(history, MODEL, AS_OF, Audience.INTERNAL, body="lz-sj")
    assert [(e.kind, e.sha) for e in other.records["XS-2023-001"].events] == [
        (EventKind.CREATED, verified)]     # shared with every body once verified
    assert timelines(history, MODEL, AS_OF).records == {}


def test_revisions_for_the_leak_guard_hide_records_hidden_today(public: Timelines) -> None:
    guarded = public.revisions_for_leak_guard(["ZG-2023-001"])
    seven = [r for r in guarded if r.id == "ZG-2023-007"]
    assert seven and all(r.visibility == "restricted" for r in seven)
    one = [r for r in guarded if r.id == "ZG-2023-001"]
    assert {r.visibility for r in one} == {"public"}


def test_built_pages_show_exactly_these_timelines(scripted, public: Timelines,
                                                  tmp_path: Path) -> None:
    """Every record page of a real build shows its timeline event for event, newest first,
    with the dates and commits asserted above; nothing internal from any revision leaks."""
    from bs4 import BeautifulSoup

    from builder.pipeline import build

    repo, _ = scripted
    out = build(Deployment(repo.root), tmp_path / "site", AS_OF).out_dir
    for rid, timeline in public.records.items():
        page = out / timeline.record_type / rid / "index.html"
        if not page.is_file():
            continue  # not public today (made internal again): no page at all
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        shown = [[td.get_text() for td in tr.select("td")]
                 for tr in soup.select("table[data-history] tbody tr")]
        expected = [[e.date.isoformat(), describe(e, MODEL), e.short_sha]
                    for e in sorted(timeline.events, key=lambda e: e.when, reverse=True)]
        assert shown == expected, rid
    assert (out / "rectification/ZG-2023-001/index.html").is_file()
    for file in out.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", errors="replace")
            assert CANARY not in text and "SECRET" not in text, file


# --- committer dates are not trusted (issue 9, point 4) -----------------------------------------

BUILD_DAY = date(2026, 11, 21)
EMBARGO_CANARY = "EMBARGO-CANARY-5519"


def test_a_future_committer_date_does_not_lift_an_embargo(tmp_path: Path) -> None:
    """The attack: a commit dated 2030 on a record embargoed until 2027. The public build of
    2026-11-21 shows nothing of it, and is not blocked (the leak guard finds nothing)."""
    from click.testing import CliRunner

    from builder.cli import cli

    repo = GitProject(tmp_path / "project")
    embargoed = rect("ZG-2023-004", extra="publish_after: 2027-01-01")
    repo.commit("2026-05-04T09:00:00+08:00", "录入", {
        PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING,
        path("ZG-2023-001"): rect("ZG-2023-001"), path("ZG-2023-004"): embargoed})
    future = repo.commit("2030-01-01T09:00:00+08:00", "未来日期的提交", {
        path("ZG-2023-004"): rect("ZG-2023-004", "in_progress",
                                  f"publish_after: 2027-01-01\nprogress: {EMBARGO_CANARY}"),
        path("ZG-2023-001"): rect("ZG-2023-001", "in_progress")})
    found = timelines(read_history(repo.root), MODEL, BUILD_DAY)
    assert "ZG-2023-004" not in found.records
    # The other record's change counts, dated no later than the build date.
    assert [(e.kind, e.sha, e.when) for e in found.records["ZG-2023-001"].events][1:] == [
        (EventKind.STATUS, future, datetime(2026, 11, 21, tzinfo=CST))]

    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--root", str(repo.root), "--out", str(out),
                                      "--as-of", BUILD_DAY.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "未发现泄露" in result.output
    assert not (out / "rectification" / "ZG-2023-004").exists()
    for file in out.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert b"ZG-2023-004" not in data and EMBARGO_CANARY.encode() not in data, file
            assert b"2030-01-01" not in data, file


def test_an_embargo_that_ended_starts_at_the_first_commit_public_as_of_the_build_date(
        tmp_path: Path) -> None:
    repo = GitProject(tmp_path / "project")
    first = repo.commit("2026-01-04T09:00:00+08:00", "录入", {
        PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING,
        path("ZG-2023-004"): rect("ZG-2023-004", extra="publish_after: 2026-06-01")})
    future = repo.commit("2099-01-01T09:00:00+08:00", "未来日期的提交", {
        path("ZG-2023-004"): rect("ZG-2023-004", "in_progress", "publish_after: 2026-06-01")})
    found = timelines(read_history(repo.root), MODEL, BUILD_DAY)
    assert [(e.kind, e.sha, e.when) for e in found.records["ZG-2023-004"].events] == [
        (EventKind.PUBLISHED, first, datetime(2026, 6, 1, tzinfo=CST)),
        (EventKind.STATUS, future, datetime(2026, 11, 21, tzinfo=CST))]
    # Built before the embargo's end, the same history shows nothing of it.
    assert "ZG-2023-004" not in timelines(read_history(repo.root), MODEL,
                                          date(2026, 5, 31)).records


def test_a_backdated_commit_keeps_its_place_on_the_chain(tmp_path: Path) -> None:
    repo = GitProject(tmp_path / "project")
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {
        PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING,
        path("ZG-2023-001"): rect("ZG-2023-001")})
    started = repo.commit("2023-06-01T10:00:00+08:00", "开始整改", {
        path("ZG-2023-001"): rect("ZG-2023-001", "in_progress")})
    backdated = repo.commit("2001-01-01T10:00:00+08:00", "倒填日期的提交", {
        path("ZG-2023-001"): rect("ZG-2023-001", "in_progress", "progress: 已拨付资金")})
    found = timelines(read_history(repo.root), MODEL, BUILD_DAY)
    events = found.records["ZG-2023-001"].events
    assert [(e.sha, e.when) for e in events[1:]] == [
        (started, at("2023-06-01")), (backdated, at("2023-06-01"))]


def test_chain_time() -> None:
    from builder.stages.timeline import chain_time

    day = date(2026, 11, 21)
    assert chain_time(at("2026-11-20"), None, day) == at("2026-11-20")
    assert chain_time(at("2030-01-01"), None, day) == datetime(2026, 11, 21, tzinfo=CST)
    assert chain_time(at("2020-01-01"), at("2026-11-20"), day) == at("2026-11-20")
    assert chain_time(at("2030-01-01"), at("2026-11-21", "15:00"), day) == \
        at("2026-11-21", "15:00")
