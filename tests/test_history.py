"""builder.history: one pass over real Git repositories made in temporary folders."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import git as gitpython
import pytest

from builder.stages import history as history_module
from builder.stages.history import History, read_history
from builder.stages.repository import NotARepository, ShallowClone
from builder.model import load_model
from builder.stages.timeline import timelines

from conftest import (FINDING, FINDING_PATH, ITEM, ITEM_PATH, PLAN, PLAN_PATH, RECTIFICATION,
                      RECTIFICATION_PATH, SITE_CONFIG, edit)
from gitrepo import AUTHOR, EMAIL, GitProject, git

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_history import make_repository  # noqa: E402

CST = timezone(timedelta(hours=8))
MODEL = load_model(SITE_CONFIG)


@pytest.fixture
def repo(tmp_path: Path) -> GitProject:
    return GitProject(tmp_path / "project")


def changes(history: History) -> list[tuple]:
    """(short sha, path, record id, deleted) for every change, oldest first."""
    return [(c.short_sha, ch.path, ch.record_id, ch.deleted)
            for c in history.commits for ch in c.changes]


def test_commits_oldest_first_with_date_author_message_and_blobs(repo: GitProject) -> None:
    first = repo.commit("2023-05-04T09:00:00+08:00", "录入洛阳林业资金监督\n\n第二段说明。",
                        {PLAN_PATH: PLAN, ITEM_PATH: ITEM, "content/README.md": "说明\n",
                         "content/.drafts/x.md": "草稿\n", "notes.md": "不是记录\n"})
    repo.commit("2023-05-05T09:00:00+08:00", "只改说明", {"content/README.md": "新说明\n",
                                                          "notes.md": "仍不是记录\n"})
    second = repo.commit("2023-05-20T10:00:00+08:00", "计划进展",
                         {PLAN_PATH: edit(PLAN, "status: in_progress", "status: completed")})
    third = repo.commit("2023-06-01T08:00:00+08:00", "删除事项", {ITEM_PATH: None})

    found = read_history(repo.root)

    assert [c.sha for c in found.commits] == [first, second, third]
    one = found.commits[0]
    assert one.short_sha == first[:7]
    assert one.when == datetime(2023, 5, 4, 9, 0, tzinfo=CST)
    assert (one.author_name, one.author_email) == (AUTHOR, EMAIL)
    assert one.message == "录入洛阳林业资金监督\n\n第二段说明。"
    assert changes(found) == [
        (first[:7], ITEM_PATH, "SX-2023-001", False),
        (first[:7], PLAN_PATH, "JH-2023-01", False),
        (second[:7], PLAN_PATH, "JH-2023-01", False),
        (third[:7], ITEM_PATH, "SX-2023-001", True),
    ]
    plan = found.commits[1].changes[0]
    assert plan.blob == edit(PLAN, "status: in_progress", "status: completed").encode()
    assert plan.document is not None and plan.document.meta["status"] == "completed"
    assert plan.document.folder == "plans"
    assert found.commits[2].changes[0].blob is None
    assert found.notices == () and found.shallow is False


def test_one_log_and_one_cat_file_whatever_the_number_of_commits(repo: GitProject,
                                                                  monkeypatch) -> None:
    for n in range(1, 6):
        repo.commit(f"2023-05-0{n}T09:00:00+08:00", f"第 {n} 次",
                    {PLAN_PATH: edit(PLAN, "year: 2023", f"year: 202{n}")})
    commands: list[list[str]] = []
    popen = gitpython.cmd.safer_popen

    def spy(command, *args, **kwargs):
        commands.append([c for c in command if c in ("log", "cat-file", "rev-parse")][:1])
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(gitpython.cmd, "safer_popen", spy)
    found = read_history(repo.root)
    assert len(found.commits) == 5
    assert sorted(c[0] for c in commands if c) == ["cat-file", "log", "rev-parse"]


def test_merge_is_one_commit_with_its_first_parent_diff(repo: GitProject) -> None:
    base = repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN, ITEM_PATH: ITEM})
    repo.branch("pr-17")
    repo.commit("2023-05-05T09:00:00+08:00", "分支一", {FINDING_PATH: FINDING})
    repo.commit("2023-05-06T09:00:00+08:00", "分支二",
                {FINDING_PATH: edit(FINDING, "status: resolved", "status: rectifying")})
    repo.checkout("main")
    merge = repo.merge("2023-05-10T09:00:00+08:00", "合并拉取请求 #17", "pr-17")

    found = read_history(repo.root)

    assert [c.sha for c in found.commits] == [base, merge]
    assert found.commits[1].when == datetime(2023, 5, 10, 9, 0, tzinfo=CST)
    assert changes(found)[-1] == (merge[:7], FINDING_PATH, "WT-2023-001", False)
    assert found.commits[1].changes[0].document.meta["status"] == "rectifying"


def test_rename_keeps_the_record(repo: GitProject) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    moved = repo.move("2023-05-05T09:00:00+08:00", "归档", PLAN_PATH,
                      "content/plans/2023/JH-2023-01.md")
    found = read_history(repo.root)
    # The new path is listed first and already holds the record, so the old path's
    # deletion ends nothing: the record simply lives on at its new path.
    assert changes(found)[1:] == [
        (moved[:7], "content/plans/2023/JH-2023-01.md", "JH-2023-01", False)]
    assert found.commits[1].changes[0].document.folder == "plans"


def test_deleted_and_re_added_and_reverted(repo: GitProject) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    gone = repo.commit("2023-05-05T09:00:00+08:00", "误删", {PLAN_PATH: None})
    back = repo.commit("2023-05-06T09:00:00+08:00", "恢复", {PLAN_PATH: PLAN})
    changed = repo.commit("2023-05-07T09:00:00+08:00", "改错",
                          {PLAN_PATH: edit(PLAN, "year: 2023", "year: 2024")})
    reverted = repo.revert("2023-05-08T09:00:00+08:00")
    found = read_history(repo.root)
    assert changes(found)[1:] == [(gone[:7], PLAN_PATH, "JH-2023-01", True),
                                  (back[:7], PLAN_PATH, "JH-2023-01", False),
                                  (changed[:7], PLAN_PATH, "JH-2023-01", False),
                                  (reverted[:7], PLAN_PATH, "JH-2023-01", False)]
    assert found.commits[-1].changes[0].blob == PLAN.encode()
    assert found.commits[-1].message.startswith('Revert "改错"')


def test_changed_id_is_reported_and_ends_the_old_record(repo: GitProject) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    renamed = repo.commit("2023-05-05T09:00:00+08:00", "改编号",
                          {PLAN_PATH: edit(PLAN, "id: JH-2023-01", "id: JH-2023-02")})
    found = read_history(repo.root)
    assert changes(found)[1:] == [(renamed[:7], PLAN_PATH, "JH-2023-01", True),
                                  (renamed[:7], PLAN_PATH, "JH-2023-02", False)]
    (notice,) = found.notices
    assert (notice.code, notice.path, notice.sha, notice.record_id) == (
        "id-changed", PLAN_PATH, renamed, "JH-2023-02")
    assert notice.message == (
        f"提交 {renamed[:7]}（2023-05-05）把 {PLAN_PATH} 的编号由 JH-2023-01 改为 JH-2023-02。"
        "编号一经发布不得更改：请恢复原编号；确需新记录时另建文件，并把原记录撤回。")


def test_copy_of_a_record_deleted_keeps_the_record(repo: GitProject) -> None:
    copy = "content/plans/JH-2023-01-copy.md"
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN, copy: PLAN})
    repo.commit("2023-05-05T09:00:00+08:00", "删副本", {copy: None})
    found = read_history(repo.root)
    assert [ch.deleted for c in found.commits for ch in c.changes] == [False, False]


def test_unreadable_revision_keeps_the_record_it_held(repo: GitProject) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    repo.commit("2023-05-05T09:00:00+08:00", "坏了", {PLAN_PATH: PLAN.replace("---\n", "", 1)})
    broken = read_history(repo.root).commits[1].changes[0]
    assert broken.record_id == "JH-2023-01" and broken.document is None
    assert [p.code for p in broken.problems] == ["missing-front-matter"]


def test_shallow_clone_is_refused_with_the_fix(repo: GitProject, tmp_path: Path) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    repo.commit("2023-05-05T09:00:00+08:00", "改", {PLAN_PATH: edit(PLAN, "2023-02-20",
                                                                    "2023-02-21")})
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", "shallow")
    with pytest.raises(ShallowClone) as raised:
        read_history(tmp_path / "shallow")
    assert "fetch-depth: 0" in str(raised.value) and "git fetch --unshallow" in str(raised.value)
    assert "actions/checkout" in str(raised.value)
    allowed = read_history(tmp_path / "shallow", allow_shallow=True)
    assert allowed.shallow is True and len(allowed.commits) == 1


def test_repository_without_commits_has_no_history(repo: GitProject) -> None:
    assert read_history(repo.root) == History()


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    with pytest.raises(NotARepository) as raised:
        read_history(tmp_path)
    assert "不在 Git 仓库中" in str(raised.value)


def test_unknown_revision_is_a_history_error(repo: GitProject) -> None:
    repo.commit("2023-05-04T09:00:00+08:00", "录入", {PLAN_PATH: PLAN})
    with pytest.raises(history_module.HistoryError, match="找不到提交“no-such-branch”"):
        read_history(repo.root, rev="no-such-branch")


def test_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    outer = GitProject(tmp_path / "outer")
    project = outer.root / "deploy" / "ly"
    (project / "content" / "plans").mkdir(parents=True)
    sha = outer.commit("2023-05-04T09:00:00+08:00", "录入",
                       {"deploy/ly/" + PLAN_PATH: PLAN, PLAN_PATH: PLAN})
    found = read_history(project)
    assert changes(found) == [(sha[:7], PLAN_PATH, "JH-2023-01", False)]


def test_blobs_are_fetched_in_batches(repo: GitProject, monkeypatch) -> None:
    monkeypatch.setattr(history_module, "BLOB_BATCH", 2)
    files = {RECTIFICATION_PATH: RECTIFICATION, PLAN_PATH: PLAN, ITEM_PATH: ITEM,
             FINDING_PATH: FINDING}
    repo.commit("2023-05-04T09:00:00+08:00", "录入", files)
    repo.commit("2023-05-05T09:00:00+08:00", "改", {PLAN_PATH: edit(PLAN, "2023-02-20",
                                                                    "2023-02-21")})
    found = read_history(repo.root)
    assert {ch.path: ch.blob for ch in found.commits[0].changes} == {
        p: t.encode() for p, t in files.items()}


def test_benchmark_repository_reads_whole(tmp_path: Path) -> None:
    """The benchmark's generated history stays valid, so its timings stay meaningful."""
    make_repository(tmp_path / "bench", records=32, commits=12)
    found = read_history(tmp_path / "bench")
    assert len(found.commits) == 12
    assert sum(len(c.changes) for c in found.commits) == 32 + 8
    result = timelines(found, MODEL, date(2026, 1, 1))
    assert result.notices == [] and len(result.records) == 32
