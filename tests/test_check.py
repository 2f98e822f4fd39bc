"""`sunlight check --base`: the rules between a base revision and the working tree, on real
Git histories (a repository per test, the base committed with fixed dates, then the working
tree changed); the reviewer's summary; the CLI's exit codes and formats; and the editor's
guide examples of the codes that need a base revision."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import test_docs
from builder.cli import cli
from builder.commands.diffcheck import check_against_base
from builder.pipeline import Deployment
from builder.model.problems import CATALOGUE, Severity
from builder.commands.review import summary_markdown
from conftest import (BASE_RECORDS, FINDING, FINDING_PATH, RECTIFICATION, RECTIFICATION_PATH, edit,
                      flatten, make_project, write_all)

R = RECTIFICATION_PATH
AS_OF = date(2024, 6, 30)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_AUTHOR_DATE": "2024-01-02T09:00:00+08:00",
    "GIT_COMMITTER_DATE": "2024-01-02T09:00:00+08:00",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}
NEEDS_BASE = {code for code, kind in CATALOGUE.items() if kind.needs_base}

# --- fixtures over the base records ----------------------------------------------------------

FR = "content/period-reports/DG-2023-Q1.md"
# A frozen period report (written by `sunlight freeze`): 7 closes, 10 figures, 15 the first
# value, 20 the ratio's numerator, 22 the third figure.
FROZEN = """\
---
id: DG-2023-Q1
type: period_report
title: 2023年第一季度统计数字（定格）
status: frozen
period: 2023-Q1
closes: 2023-03-31
frozen_on: 2023-04-03
basis: 4f0c2a9e81d35b7c6a1e0d9f2b8c7a6e5d4c3b2a
figures:
  - figure: ledger_total
    label: 整改事项
    text: 12 项
    definition: 列入整改台账、未撤回的整改事项数。
    value: 12
  - figure: ledger_completion_rate
    label: 完成率
    text: 75.0%
    definition: 已完成 ÷ 整改事项。
    numerator: 9
    denominator: 12
  - figure: opinions_zero_balance
    label: 零余额
    text: 是
    definition: 有审议意见、且全部已经办结时为“是”。
    value: 1
---
2023年第一季度的统计数字。
"""
# Line numbers matter. RECTIFICATION (conftest): 5 status, 9 deadline, 10 deadline_extensions,
# 11-13 the first extension (date, deadline, reason), 14 completed, 15 result.

# The rectification still in progress, with one extension (lines as above up to 13; 14 '---').
OPEN = edit(RECTIFICATION, "status: completed", "status: in_progress").replace(
    "completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")
WITHDRAWN = edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                 "result: 已拨付全部资金。\nwithdrawn: 2024-03-01\nwithdrawal_reason: 与 ZG-2023-005 重复录入。\n"
                 ).replace("status: completed", "status: withdrawn")
# The finding as its open rectification derives it (finding.yml's derive_status): with OPEN
# and a finding still typed "resolved", validation would warn (derived-status-mismatch).
RECTIFYING = edit(FINDING, "status: resolved", "status: rectifying")
SECOND_EXTENSION = """\
  - date: 2023-09-20
    deadline: 2023-12-31
    reason: 资金计划调整后需重新招标。
"""

RES = "content/resolutions/YJ-2023-001.md"
# 5 status, 9 adopted, 10 '---', 11 the body's first line.
RESOLUTION = """\
---
id: YJ-2023-001
type: resolution
title: 关于林业项目资金使用情况的审议意见
status: issued
kind: review_opinion
body: ly-rd
item: SX-2023-001
adopted: 2023-06-28
---
一、加快资金拨付进度。

<!-- internal -->
分管领导已阅。
<!-- /internal -->
"""
CLOSED = edit(RESOLUTION, "status: issued", "status: closed\nresponded: 2023-09-20")
AMENDMENT = """\
---
id: YJ-2023-002
type: resolution
title: 关于修改《关于林业项目资金使用情况的审议意见》的决定
status: issued
kind: amendment
amends: YJ-2023-001
body: ly-rd
adopted: 2023-10-25
---
将第一条修改为“按季度拨付资金”。
"""


# --- Git helpers -----------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def committed(root: Path, base: dict[str, str | None], now: dict[str, str | None]) -> str:
    """Commit the base records plus `base` on branch main, then lay `now` over the working
    tree (None deletes a file). Returns the base commit."""
    write_all(root, {**BASE_RECORDS, **base})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "基准版本")
    write_all(root, now)
    return git(root, "rev-parse", "HEAD").strip()


def errors(result) -> list[tuple]:
    return flatten(p for p in result.problems if p.severity is Severity.ERROR)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path / "repo")


# --- each rule fails with its code and line --------------------------------------------------


@dataclass
class Case:
    name: str
    base: dict
    now: dict
    expected: list[tuple]


CASES = [
    Case("deleting a public record", {}, {R: None},
         [("published-record-deleted", R, 1, None)]),
    Case("making a public record internal", {},
         {R: edit(RECTIFICATION, "status: completed", "status: completed\nvisibility: internal")},
         [("published-record-hidden", R, 6, "visibility")]),
    Case("moving a public record's embargo into the future", {},
         {R: edit(RECTIFICATION, "status: completed", "status: completed\npublish_after: 2025-01-01")},
         [("published-record-hidden", R, 6, "publish_after")]),
    Case("changing an ID", {}, {R: edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002")},
         [("id-changed", R, 2, "id")]),
    # Copied to a new file, the ID left as it was: the base holds it (see the branch tests
    # below for two editors given the same next ID).
    Case("a new file under an ID the base holds", {},
         {"content/rectifications/ZG-2023-009.md": RECTIFICATION},
         [("duplicate-id", R, 2, "id"),
          ("duplicate-id", "content/rectifications/ZG-2023-009.md", 2, "id"),
          ("id-taken-on-base", "content/rectifications/ZG-2023-009.md", 2, "id")]),
    Case("jumping from completed back to in progress", {},
         {R: edit(RECTIFICATION, "status: completed", "status: in_progress").replace(
             "completed: 2023-09-15\n", "")},
         [("illegal-status-change", R, 5, "status")]),
    Case("bringing back a withdrawn record", {R: WITHDRAWN}, {R: RECTIFICATION},
         [("illegal-status-change", R, 5, "status")]),
    Case("reopening with last time's reason",
         {R: RECTIFICATION.replace("result: 已拨付全部资金。\n",
                                   "result: 已拨付全部资金。\nreopen_reason: 资金被挪用。\n")},
         {R: RECTIFICATION.replace("result: 已拨付全部资金。\n",
                                   "result: 已拨付全部资金。\nreopen_reason: 资金被挪用。\n")
          .replace("status: completed", "status: reopened")},
         [("reopen-without-reason", R, 16, "reopen_reason")]),
    Case("reopening a closed resolution without a reason", {RES: CLOSED},
         {RES: RESOLUTION.replace("status: issued", "status: responding")},
         [("reopen-without-reason", RES, 5, "reopen_reason")]),
    Case("reopening a closed resolution with an empty reason", {RES: CLOSED},
         {RES: RESOLUTION.replace("status: issued", "status: responding\nreopen_reason:")},
         [("reopen-without-reason", RES, 6, "reopen_reason")]),
    Case("retitling an adopted resolution", {RES: RESOLUTION},
         {RES: edit(RESOLUTION, "的审议意见\n", "的审议意见（修改稿）\n")},
         [("resolution-text-changed", RES, 4, "title")]),
    Case("rewording an adopted resolution", {RES: RESOLUTION},
         {RES: edit(RESOLUTION, "加快资金拨付进度", "按季度拨付资金")},
         [("resolution-text-changed", RES, 11, "正文")]),
    Case("moving the deadline itself", {R: OPEN},
         {R: edit(OPEN, "deadline: 2023-06-30", "deadline: 2023-08-31")},
         [("deadline-changed-silently", R, 9, "deadline")]),
    Case("editing an extension", {R: OPEN},
         {R: edit(OPEN, "deadline: 2023-09-30", "deadline: 2023-10-31")},
         [("deadline-changed-silently", R, 12, "deadline_extensions[0].deadline")]),
    Case("removing an extension", {R: OPEN},
         {R: edit(OPEN, "deadline_extensions:\n  - date: 2023-06-20\n    deadline: 2023-09-30\n"
                        "    reason: 需调整年度资金计划\n", "")},
         [("deadline-changed-silently", R, 9, "deadline_extensions")]),
    Case("editing a frozen count", {FR: FROZEN},
         {FR: edit(FROZEN, "    value: 12", "    value: 13")},
         [("frozen-figure-changed", FR, 15, "figures[0].value")]),
    Case("editing a frozen ratio and dropping a figure", {FR: FROZEN},
         {FR: edit(FROZEN, "    numerator: 9", "    numerator: 10").replace(
             FROZEN[FROZEN.index("  - figure: opinions_zero_balance"):FROZEN.index("---\n2023")], "")},
         [("frozen-figure-changed", FR, 10, "figures[2]"),
          ("frozen-figure-changed", FR, 20, "figures[1].numerator")]),
    Case("moving a frozen period's closing date", {FR: FROZEN},
         {FR: edit(FROZEN, "closes: 2023-03-31", "closes: 2023-04-30")},
         [("frozen-figure-changed", FR, 7, "closes")]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fails_with_its_code_and_line(repo, case):
    committed(repo, case.base, case.now)
    result = check_against_base(Deployment(repo), "main", AS_OF)
    assert errors(result) == case.expected
    assert not result.valid


def test_every_code_that_needs_a_base_has_a_case():
    assert {code for case in CASES for code, *_ in case.expected
            if CATALOGUE[code].needs_base} == NEEDS_BASE


def test_messages_name_what_changed(repo):
    committed(repo, {}, {R: edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002")})
    (changed,) = [p for p in check_against_base(Deployment(repo), "main", AS_OF).problems
                  if p.code == "id-changed"]
    assert changed.message == "编号由“ZG-2023-001”改成了“ZG-2023-002”"
    assert "把 id 改回“ZG-2023-001”" in changed.hint


def test_illegal_status_change_lists_the_allowed_statuses(repo):
    committed(repo, {}, {R: edit(RECTIFICATION, "status: completed", "status: assigned").replace(
        "completed: 2023-09-15\n", "")})
    # The finding's status, derived from its only rectification, is no longer "resolved":
    # a warning on the finding; the illegal step is the rectification's.
    derived, found = check_against_base(Deployment(repo), "main", AS_OF).problems
    assert (derived.code, derived.path) == ("derived-status-mismatch", FINDING_PATH)
    assert found.message == "状态不能从“已完成”（completed）改为“已交办”（assigned）"
    assert found.hint.startswith("“已完成”只能改为：reopened（重新整改）、withdrawn（已撤回）。")


def test_validation_problems_are_reported_too(repo):
    committed(repo, {}, {R: edit(RECTIFICATION, "deadline: 2023-06-30", "deadline: 2023-02-30")})
    assert errors(check_against_base(Deployment(repo), "main", AS_OF)) == [
        ("invalid-date", R, 9, "deadline")]


# --- proper changes pass ---------------------------------------------------------------------


PASSING = {
    "a proper withdrawal": ({}, {R: WITHDRAWN}),
    "a proper extension": ({R: OPEN, FINDING_PATH: RECTIFYING}, {R: OPEN.replace("    reason: 需调整年度资金计划\n",
                                                      "    reason: 需调整年度资金计划\n" + SECOND_EXTENSION)}),
    "deleting a record that was internal at the base":
        ({R: edit(RECTIFICATION, "status: completed", "status: completed\nvisibility: internal")},
         {R: None}),
    "deleting a record still under embargo at the base":
        ({R: edit(RECTIFICATION, "status: completed", "status: completed\npublish_after: 2025-01-01")},
         {R: None}),
    "reopening with a reason":
        ({}, {R: edit(RECTIFICATION, "status: completed", "status: reopened\nreopen_reason: 资金被挪用。"),
              FINDING_PATH: edit(FINDING, "status: resolved",
                                 "status: rectifying\nreopen_reason: 整改事项重新整改。")}),
    "reopening a closed resolution with a reason":
        ({RES: CLOSED}, {RES: edit(RESOLUTION, "status: issued",
                                   "status: responding\nreopen_reason: 满意度测评不满意，要求重新办理。")}),
    "an amendment instead of a changed text, and an internal note":
        ({RES: RESOLUTION}, {RES: edit(RESOLUTION, "分管领导已阅。", "分管领导已阅，要求按季度拨付。"),
                             "content/resolutions/YJ-2023-002.md": AMENDMENT}),
    "changing a resolution not yet adopted":
        ({RES: edit(RESOLUTION, "adopted: 2023-06-28", "adopted: 2024-08-28")},
         {RES: edit(RESOLUTION, "adopted: 2023-06-28", "adopted: 2024-08-28").replace(
             "加快资金拨付进度", "按季度拨付资金")}),
    "a new record": ({}, {"content/findings/WT-2023-002.md": edit(FINDING, "WT-2023-001",
                                                                  "WT-2023-002")}),
    "nothing changed": ({}, {}),
}


@pytest.mark.parametrize("name", list(PASSING))
def test_proper_change_passes(repo, name):
    base, now = PASSING[name]
    committed(repo, base, now)
    result = check_against_base(Deployment(repo), "main", AS_OF)
    assert flatten(result.problems) == []
    assert result.valid


def test_files_that_fail_to_load_are_not_called_deleted(repo):
    committed(repo, {}, {R: RECTIFICATION.replace("---\n", "", 1)})
    assert [code for code, *_ in errors(check_against_base(Deployment(repo), "main", AS_OF))] == [
        "missing-front-matter"]


def test_base_in_a_project_below_the_repository_root(tmp_path):
    project = make_project(tmp_path / "repo" / "site")
    write_all(project, BASE_RECORDS)
    git(tmp_path / "repo", "init", "-q", "-b", "main")
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-q", "-m", "基准版本")
    write_all(project, {R: None})
    assert errors(check_against_base(Deployment(project), "main", AS_OF)) == [
        ("published-record-deleted", R, 1, None)]


# --- the reviewer's summary ------------------------------------------------------------------


# --- two editors, one ID: the second branch checked after the first was merged ----------------

NEXT = "content/rectifications/ZG-2024-001.md"


def item(record_id: str, title: str, unit: str) -> str:
    return f"""\
---
id: {record_id}
type: rectification
title: {title}
status: completed
finding: WT-2023-001
responsible_unit: {unit}
assigned: 2024-03-01
deadline: 2024-06-30
completed: 2024-05-20
result: 已按期完成。
---
"""


FIRST = item("ZG-2024-001", "补种林场苗木", "ly-lyj")
SECOND = item("ZG-2024-001", "规范涉企收费", "lz-scj")


def two_editors(repo: Path, second: dict[str, str | None]) -> None:
    """Both editors branch off main; the first adds ZG-2024-001 (and withdraws an old item,
    a change the second branch never sees) and is merged; the second branch, with `second`
    committed, is checked out: what `sunlight check` sees on a forge that tests the branch."""
    committed(repo, {}, {})
    git(repo, "checkout", "-q", "-b", "editor-a")
    write_all(repo, {NEXT: FIRST, R: WITHDRAWN})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "新建 ZG-2024-001")
    git(repo, "checkout", "-q", "-b", "editor-b", "main")
    write_all(repo, second)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "新建整改事项")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "合并 editor-a", "editor-a")
    git(repo, "checkout", "-q", "editor-b")


def test_an_id_the_base_took_meanwhile_is_reported_with_the_next_free_one(repo):
    two_editors(repo, {NEXT: SECOND})
    result = run("check", "--base", "main", "--root", str(repo), "--as-of", "2024-06-30")
    assert result.exit_code == 1, result.output
    assert (f"{NEXT}:2: id-taken-on-base 这条新记录的编号“ZG-2024-001”在基准版本 main 上已经是"
            f"另一条记录的编号：{NEXT}（“补种林场苗木”）；两个文件同名，合并时会冲突（conflict）"
            "（字段 id）") in result.output
    assert ("换用下一个空闲编号 ZG-2024-002：把文件改名为 content/rectifications/ZG-2024-002.md，"
            "并把其中的 id 改成 ZG-2024-002") in result.output
    checked = check_against_base(Deployment(repo), "main", AS_OF)
    assert flatten(checked.problems) == [("id-taken-on-base", NEXT, 2, "id")]
    # Not an edit of the first editor's record, and the old item the first branch withdrew
    # is no change of this branch: one new record.
    assert [(c.kind, c.id, c.title) for c in checked.changes] == [
        ("added", "ZG-2024-001", "规范涉企收费")]


def test_the_same_path_is_a_git_conflict_on_the_forge(repo):
    """What the forge shows for the same case: merging the branch conflicts on the file (and
    GitHub runs no pull-request workflow then); the check on the branch names the cause."""
    two_editors(repo, {NEXT: SECOND})
    git(repo, "checkout", "-q", "--detach", "main")
    merged = subprocess.run(["git", "merge", "--no-ff", "-m", "合并请求", "editor-b"], cwd=repo,
                            capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert merged.returncode != 0 and f"CONFLICT (add/add): Merge conflict in {NEXT}" in merged.stdout


def test_another_file_under_the_taken_id_is_reported_on_the_branch_and_on_the_merge(repo):
    lower = "content/rectifications/zg-2024-001.md"     # as Decap would name it unwrapped
    two_editors(repo, {lower: SECOND})
    on_branch = check_against_base(Deployment(repo), "main", AS_OF)
    assert errors(on_branch) == [("id-taken-on-base", lower, 2, "id")]
    assert "；合并后两条记录会共用这个编号" in on_branch.problems[-1].message
    # The merge a forge prepares (GitHub's refs/pull/N/merge): both files are there.
    git(repo, "checkout", "-q", "--detach", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "合并请求", "editor-b")
    on_merge = check_against_base(Deployment(repo), "main", AS_OF)
    assert errors(on_merge) == [("duplicate-id", NEXT, 2, "id"), ("duplicate-id", lower, 2, "id"),
                                ("id-taken-on-base", lower, 2, "id")]


@pytest.mark.parametrize("second", [
    {"content/rectifications/ZG-2024-002.md": item("ZG-2024-002", "规范涉企收费", "lz-scj")},
    {NEXT: FIRST},                                           # the very same file, added twice
    {FINDING_PATH: None, "content/findings/WT-2023-001-林业.md": FINDING},  # moved by the branch
], ids=["the next free ID", "the same file", "a record moved"])
def test_a_branch_behind_its_base_without_a_collision_passes(repo, second):
    two_editors(repo, second)
    checked = check_against_base(Deployment(repo), "main", AS_OF)
    assert errors(checked) == []
    assert "id-taken-on-base" not in {p.code for p in checked.problems}
    # What the base did alone (a record added, an item withdrawn) is not the branch's change.
    assert all(c.id != "ZG-2023-001" or c.path != R for c in checked.changes)


def test_summary_lists_exactly_the_changes(repo):
    internal = "content/rectifications/ZG-2023-002.md"
    internal_base = edit(edit(OPEN, "ZG-2023-001", "ZG-2023-002"), "status: in_progress",
                         "status: assigned\nvisibility: internal")
    other_finding = "content/findings/WT-2023-002.md"
    finding_base = edit(edit(FINDING, "WT-2023-001", "WT-2023-002"), "status: resolved",
                        "status: rectifying")
    commit = committed(repo, {R: OPEN, FINDING_PATH: RECTIFYING, internal: internal_base,
                              other_finding: finding_base}, {
        R: edit(OPEN, "    reason: 需调整年度资金计划\n",
                "    reason: 需调整年度资金计划\n" + SECOND_EXTENSION
                + "progress: 已拨付 80% 资金。\ncontact: 张某 0379-0000000\n"),
        internal: edit(internal_base, "status: assigned", "status: in_progress"),
        other_finding: edit(finding_base, "status: rectifying",
                            "status: withdrawn\nwithdrawn: 2024-03-01\nwithdrawal_reason: 与 WT-2023-001 重复。"),
        "content/rectifications/ZG-2023-003.md": edit(edit(OPEN, "ZG-2023-001", "ZG-2023-003"),
                                                      "title: 加快林业项目资金拨付",
                                                      "title: 公开林业项目资金<拨付>进度"),
    })
    result = run("check", "--base", "main", "--root", str(repo), "--as-of", "2024-06-30",
                 "--summary", str(repo / "summary.md"))
    assert result.exit_code == 0, result.output
    assert (repo / "summary.md").read_text(encoding="utf-8") == f"""\
## Sunlight 审核摘要

对照基准版本 main（提交 `{commit[:12]}`），按 2024-06-30 的公开状态计算。

检查通过：没有错误，0 个警告。

记录变化：新增 1 条、修改 2 条、撤回 1 条。

### 公众可见的变化

#### 新增的记录（1 条）

- 整改事项 ZG-2023-003「公开林业项目资金\\<拨付\\>进度」：整改中

#### 修改的记录（1 条）

- 整改事项 ZG-2023-001「加快林业项目资金拨付」
  - 新增第 2 次延期记录：批准日期 2023-09-20，新期限 2023-12-31，延期理由 资金计划调整后需重新招标。
  - 现行整改期限：2023-09-30 → 2023-12-31
  - 整改进展：（空） → 已拨付 80% 资金。
  - 内部字段有修改（不公开）：联系人

#### 撤回的记录（1 条）

- 发现问题 WT-2023-002「林业项目资金拨付滞后」
  - 状态：整改中 → 已撤回
  - 撤回日期：（空） → 2024-03-01
  - 撤回原因：（空） → 与 WT-2023-001 重复。

### 不公开的变化

只在内部视图中出现，或只涉及内部字段，公众看不到。

#### 修改的记录（1 条）

- 整改事项 ZG-2023-002「加快林业项目资金拨付」
  - 状态：已交办 → 整改中
"""


def test_summary_counts_errors_and_deleted_records(repo):
    committed(repo, {}, {R: None})
    text = summary_markdown(check_against_base(Deployment(repo), "main", AS_OF))
    assert "**检查未通过：1 个错误，0 个警告。** 错误列在检查输出中，改正后才能合并。" in text
    assert ("#### 删除的记录（1 条）\n\n- 整改事项 ZG-2023-001「加快林业项目资金拨付」：已完成，"
            f"文件 {R}\n") in text


def test_summary_without_changes(repo):
    committed(repo, {}, {})
    result = run("check", "--base", "main", "--root", str(repo))
    assert result.exit_code == 0
    assert "记录变化：没有记录变化。" in result.output
    assert "### 公众可见的变化\n\n无：这次修改不会改变公开网站。\n" in result.output


# --- the command line ------------------------------------------------------------------------


def test_cli_text_prints_problems_then_the_summary(repo):
    committed(repo, {}, {R: None})
    result = run("check", "--base", "main", "--root", str(repo))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (f"{R}:1: published-record-deleted 已公开的记录“ZG-2023-001”"
                        "（整改事项“加快林业项目资金拨付”）被删除了")
    assert lines[1].startswith("    提示：已经公开的记录不能删除，只能撤回")
    assert "## Sunlight 审核摘要" in lines


def test_cli_github_annotations_and_summary_file(repo):
    committed(repo, {R: OPEN, FINDING_PATH: RECTIFYING},
              {R: edit(OPEN, "deadline: 2023-06-30", "deadline: 2023-08-31")})
    summary = repo / "summary.md"
    result = run("check", "--base", "main", "--root", str(repo), "--format", "github",
                 "--summary", str(summary))
    assert result.exit_code == 1
    assert result.output.startswith(
        f"::error file={R},line=9,title=deadline-changed-silently 期限被悄悄修改::")
    assert "## Sunlight 审核摘要" not in result.output
    assert "**检查未通过：1 个错误" in summary.read_text(encoding="utf-8")


def test_cli_json(repo):
    committed(repo, {}, {R: edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002")})
    result = run("check", "--base", "main", "--root", str(repo), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert [(e["code"], e["line"], e["field"]) for e in report["errors"]] == [("id-changed", 2, "id")]
    assert [w["code"] for w in report["warnings"]] == ["filename-mismatch"]


def test_cli_passes_with_exit_0(repo):
    committed(repo, {}, {R: WITHDRAWN})
    result = run("check", "--base", "main", "--root", str(repo), "--as-of", "2024-06-30")
    assert result.exit_code == 0, result.output
    assert "#### 撤回的记录（1 条）" in result.output


def test_unknown_base_exits_2(repo):
    committed(repo, {}, {})
    result = run("check", "--base", "no-such-branch", "--root", str(repo))
    assert result.exit_code == 2
    assert "无法与基准版本比较：找不到基准版本“no-such-branch”" in result.output
    assert "Traceback" not in result.output


def test_option_like_base_exits_2(repo):
    committed(repo, {}, {})
    result = run("check", "--base", "--output=x", "--root", str(repo))
    assert result.exit_code == 2
    assert "基准版本“--output=x”无效" in result.output


def test_not_a_git_repository_exits_2(tmp_path):
    project = make_project(tmp_path / "plain")
    write_all(project, BASE_RECORDS)
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = CliRunner(env=env).invoke(cli, ["check", "--base", "main", "--root", str(project)])
    assert result.exit_code == 2
    assert "不在 Git 仓库中" in result.output


def test_base_option_is_required(repo):
    result = run("check", "--root", str(repo))
    assert result.exit_code == 2


# --- the editor's guide ------------------------------------------------------------------------


def _guide_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        if text.strip() == f"git rm {rel}":
            (root / rel).unlink()
        else:
            write_all(root, {rel: text})


# Codes whose 基准版本 files reached the base after the editor's branch left it (another
# pull request merged first): the guide's other records are committed on main, the branch
# starts there, the 基准版本 files are committed on main, and the examples go on the branch.
AFTER_THE_FORK = ("id-taken-on-base",)


@pytest.mark.parametrize("code", sorted(NEEDS_BASE))
def test_guide_examples_against_their_base(tmp_path, code):
    """Base version committed, wrong example laid over it: `sunlight check` reports the code
    and prints the section's 检查时显示 lines; the fixed example instead passes."""
    section = test_docs.section_of(code)
    found = test_docs.examples(section.text)
    assert test_docs.base_version_files(code), f"### `{code}` has no 基准版本 example"
    later = test_docs.base_version_files(code) if code in AFTER_THE_FORK else {}
    base = {**test_docs.base_files(), **test_docs.base_version_files(code)}
    wrong = {e.path: e.text for e in found if e.kind == "错误写法"}
    fixed = {e.path: e.text for e in found if e.kind == "改正后"}
    shown = test_docs.OUTPUT.findall(section.text)
    assert shown, f"### `{code}`: no 检查时显示 block"
    for name, change, passes in (("wrong", wrong, False), ("fixed", fixed, True)):
        root = tmp_path / name
        (root / "content").mkdir(parents=True)
        (root / "site_config").symlink_to(test_docs.SITE_CONFIG, target_is_directory=True)
        write_all(root, {p: t for p, t in base.items() if p not in later})
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "基准版本")
        if later:
            git(root, "branch", "editor")
            write_all(root, later)
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "另一个合并请求")
            git(root, "checkout", "-q", "editor")
        _guide_tree(root, change)
        result = run("check", "--base", "main", "--root", str(root))
        if passes:
            assert result.exit_code == 0, f"fixed example of ### `{code}`:\n{result.output}"
            continue
        assert result.exit_code == 1 and f" {code} " in result.output, result.output
        printed = result.output.splitlines()
        for line in "\n".join(shown).splitlines():
            assert line in printed, f"### `{code}` shows a line not printed:\n{line}\n{result.output}"


def test_guide_summary_example_is_what_check_writes(tmp_path):
    """The summary shown in 14.4 is real: the guide's records before and after."""
    section = next(s for s in test_docs.sections() if s.heading.startswith("14.4"))
    example = re.search(r"```markdown\n(.*?)\n```", section.text, re.DOTALL).group(1) + "\n"
    files = test_docs.base_files()
    before = dict(files)
    rect, finding = "content/rectifications/ZG-2023-001.md", "content/findings/WT-2023-002.md"
    before[rect] = next(e.text for e in test_docs.base_examples()
                        if e.path == rect and "status: in_progress" in e.text
                        and "deadline_extensions" in e.text)
    before[finding] = re.sub(r"withdrawn: .*\nwithdrawal_reason: .*\n", "",
                             files[finding].replace("status: withdrawn", "status: rectifying"))
    root = tmp_path / "guide"
    (root / "content").mkdir(parents=True)
    (root / "site_config").symlink_to(test_docs.SITE_CONFIG, target_is_directory=True)
    write_all(root, before)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "基准版本")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    write_all(root, {**files, "content/rectifications/ZG-2024-007.md": NEW_IN_GUIDE})
    result = run("check", "--base", "origin/main", "--root", str(root), "--as-of", "2024-03-20",
                 "--summary", str(tmp_path / "summary.md"))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "summary.md").read_text(encoding="utf-8")
    commit = git(root, "rev-parse", "HEAD").strip()[:12]
    assert written == re.sub(r"提交 `[0-9a-f]{12}`", f"提交 `{commit}`", example)


NEW_IN_GUIDE = """\
---
id: ZG-2024-007
type: rectification
title: 规范涉企收费事项
status: assigned
finding: WT-2023-001
responsible_unit: lz-scj
assigned: 2024-03-01
deadline: 2024-06-30
---
"""
