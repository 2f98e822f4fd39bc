"""Continuity fails closed (issue 9, points 5 and 10): each attack on the publishing guard is
replayed through the real CLI, on a real Git repository, and must stop the build with exit 2
and a Chinese line naming the file — the live folder byte for byte unchanged, nothing new
published. A plain local build into a new folder stays as simple as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.stages.publish import MANIFEST

from conftest import FINDING, FINDING_PATH, RECTIFICATION, RECTIFICATION_PATH, edit, write_all
from gitrepo import git

DAY = "2026-11-21"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["build", "--root", str(root), "--as-of", DAY, *args],
                              catch_exceptions=False)


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, when="2026-01-01T10:00:00+08:00")
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(valid_project: Path) -> Path:
    git(valid_project, "init", "-q", "-b", "main")
    git(valid_project, "config", "user.name", "编辑")
    git(valid_project, "config", "user.email", "editor@example.org")
    commit(valid_project, "初始记录")
    return valid_project


@pytest.fixture
def published(repo: Path) -> tuple[Path, Path, dict[Path, bytes]]:
    """The repository, its live public site (built with --first-publication), a snapshot."""
    out = repo / "site"
    first = run(repo, "--out", str(out), "--first-publication")
    assert first.exit_code == 0, first.output
    return repo, out, snapshot(out)


def delete_a_record(root: Path) -> None:
    (root / RECTIFICATION_PATH).unlink()
    commit(root, "删除整改事项")


def refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    # Refused either by the continuity guard ("已发布的网站保持不变") or, for a folder that holds
    # a site without its manifest, by the --out guard that runs first; both build nothing.
    assert "没有构建" in result.output
    assert "已发布的网站保持不变" in result.output or "拒绝覆盖" in result.output
    assert "内部错误" not in result.output and "维护者" not in result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


# --- the manifest of the live folder --------------------------------------------------------


def test_a_deleted_manifest_does_not_let_a_lost_record_through(published) -> None:
    repo, out, _ = published
    (out / MANIFEST).unlink()
    before = snapshot(out)
    delete_a_record(repo)
    result = run(repo, "--out", str(out))
    refused(result, str(out), MANIFEST)
    assert snapshot(out) == before


@pytest.mark.parametrize("text, shown", [
    ('{"audience": "public", "body": null, "build_date": "2026-11-20", "commit": 12345, '
     '"records": {}}', "12345"),
    ('[1, 2, 3]', "[1, 2, 3]"),
    ('{"commit": "', "不是有效的 JSON"),
    ('{"audience": "public", "commit": null}', "“body”、“build_date”、“records”"),
    ('{"audience": "public", "body": null, "build_date": "2026-11-20", "commit": null, '
     '"records": ["ZG-2023-001"]}', '["ZG-2023-001"]'),
    ('{"audience": "public", "body": null, "build_date": "yesterday", "commit": null, '
     '"records": {}}', '"yesterday"'),
], ids=["commit-number", "list", "invalid-json", "missing-keys", "records-list", "bad-date"])
def test_a_malformed_manifest_is_a_usage_error_naming_file_and_value(published, text,
                                                                     shown) -> None:
    repo, out, _ = published
    (out / MANIFEST).write_text(text, encoding="utf-8")
    before = snapshot(out)
    delete_a_record(repo)
    result = run(repo, "--out", str(out))
    refused(result, str(out / MANIFEST), shown, "--first-publication")
    assert snapshot(out) == before
    # The same file named by --previous-manifest, building into a new folder: the same answer.
    given = repo.parent / "live-manifest.json"
    given.write_text(text, encoding="utf-8")
    fresh = repo.parent / "fresh"
    refused(run(repo, "--out", str(fresh), "--previous-manifest", str(given)), str(given), shown)
    assert not fresh.exists()


def test_a_manifest_naming_no_commit_is_refused_in_a_repository(published) -> None:
    repo, out, _ = published
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["commit"] = None
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(out)
    delete_a_record(repo)
    refused(run(repo, "--out", str(out)), "没有提交编号")
    assert snapshot(out) == before


def test_a_manifest_of_a_commit_this_repository_lacks_is_refused(published) -> None:
    repo, out, _ = published
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["commit"] = "0123456789" * 4
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(out)
    refused(run(repo, "--out", str(out)), "找不到上次发布的提交 0123456789")
    assert snapshot(out) == before


# --- --previous-manifest and --first-publication --------------------------------------------


def test_a_missing_previous_manifest_is_refused(published) -> None:
    repo, _, _ = published
    missing = repo.parent / "downloaded" / MANIFEST
    fresh = repo.parent / "fresh"
    delete_a_record(repo)
    result = run(repo, "--out", str(fresh), "--previous-manifest", str(missing))
    refused(result, str(missing), "--first-publication")
    assert not fresh.exists()


def test_a_previous_manifest_of_the_other_audience_is_refused(repo: Path) -> None:
    internal = repo.parent / "internal"
    assert run(repo, "--out", str(internal), "--audience", "internal").exit_code == 0
    fresh = repo.parent / "fresh"
    result = run(repo, "--out", str(fresh), "--previous-manifest", str(internal / MANIFEST))
    refused(result, "内部版本的清单")
    assert not fresh.exists()


def test_first_publication_is_refused_where_a_manifest_exists(published) -> None:
    repo, out, before = published
    refused(run(repo, "--out", str(out), "--first-publication"), "--first-publication")
    given = repo.parent / "live.json"
    shutil.copy(out / MANIFEST, given)
    fresh = repo.parent / "fresh"
    both = run(repo, "--out", str(fresh), "--first-publication", "--previous-manifest", str(given))
    refused(both, "不能同时使用")
    assert snapshot(out) == before and not fresh.exists()


def test_a_previous_manifest_still_refuses_a_lost_record(published) -> None:
    repo, out, _ = published
    given = repo.parent / "live.json"
    shutil.copy(out / MANIFEST, given)
    delete_a_record(repo)
    fresh = repo.parent / "fresh"
    result = run(repo, "--out", str(fresh), "--previous-manifest", str(given))
    assert result.exit_code == 1 and "ZG-2023-001" in result.output
    assert not fresh.exists()


def test_a_plain_local_build_into_a_new_folder_stays_simple(repo: Path) -> None:
    out = repo.parent / "preview"
    result = run(repo, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "没有与已发布的网站比对" in result.output          # said, not refused
    again = run(repo, "--out", str(out))                    # over its own build: continuity
    assert again.exit_code == 0 and "没有与已发布的网站比对" not in again.output


def test_outside_git_a_folder_built_outside_git_is_rebuilt(valid_project: Path) -> None:
    out = valid_project.parent / "site"
    assert run(valid_project, "--out", str(out)).exit_code == 0
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["commit"] is None
    result = run(valid_project, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "项目不在 Git 仓库中" in result.output


def test_a_site_published_from_git_is_not_rebuilt_outside_it(published) -> None:
    repo, out, before = published
    shutil.rmtree(repo / ".git")
    refused(run(repo, "--out", str(out)), "不在 Git 仓库中")
    assert snapshot(out) == before


# --- an unreadable repository is not "no history" ---------------------------------------------


@pytest.mark.parametrize("damage", ["head", "objects", "branch", "gitfile"])
@pytest.mark.parametrize("history", [True, False], ids=["history", "no-history"])
def test_a_corrupt_repository_is_an_error(published, damage: str, history: bool) -> None:
    repo, out, before = published
    dot_git = repo / ".git"
    if damage == "head":
        (dot_git / "HEAD").write_text("garbage\n")
    elif damage == "objects":
        for folder in (dot_git / "objects").iterdir():
            if folder.name not in ("info", "pack"):
                shutil.rmtree(folder)
    elif damage == "branch":
        (dot_git / "refs" / "heads" / "main").write_text("ab" * 20 + "\n")
    else:
        shutil.rmtree(dot_git)
        dot_git.write_text("gitdir: /nonexistent/worktree\n")
    result = run(repo, "--out", str(out), *([] if history else ["--no-history"]))
    refused(result, "已损坏")
    assert snapshot(out) == before


# --- digests of unchanged records (the live folder tampered with) ----------------------------


def tamper(out: Path, record_id: str) -> None:
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["records"][record_id] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_digest_changed_without_a_commit_is_refused(published) -> None:
    repo, out, _ = published
    tamper(out, "WT-2023-001")
    before = snapshot(out)
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 加快拨付林业项目资金")})
    commit(repo, "改标题")
    result = run(repo, "--out", str(out))
    refused(result, "WT-2023-001", "被改动过")
    assert "ZG-2023-001" not in result.output.split("没有构建")[1].split("的文件")[0]
    assert snapshot(out) == before


def test_a_digest_changed_by_a_commit_is_accepted(published) -> None:
    repo, out, _ = published
    tamper(out, "ZG-2023-001")
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 加快拨付林业项目资金")})
    commit(repo, "改标题")
    result = run(repo, "--out", str(out))
    assert result.exit_code == 0, result.output


def test_a_digest_changed_by_an_uncommitted_edit_is_accepted(published) -> None:
    repo, out, _ = published
    tamper(out, "ZG-2023-001")
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 加快拨付林业项目资金")})
    assert run(repo, "--out", str(out)).exit_code == 0


def test_a_digest_changed_by_a_configuration_change_is_accepted(published) -> None:
    repo, out, _ = published
    tamper(out, "WT-2023-001")
    site = repo / "site_config" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")
    commit(repo, "改配置")
    assert run(repo, "--out", str(out)).exit_code == 0


def test_an_embargo_ending_changes_a_digest_legitimately(repo: Path) -> None:
    """The rectification refers to a finding embargoed until 2026-12-01: on the 21st of
    November the reference is dropped, on the 5th of December it is there. Same commit, same
    files; only the build date moved. That is no tampering."""
    write_all(repo, {FINDING_PATH: edit(FINDING, "status: resolved",
                                        "status: resolved\npublish_after: 2026-12-01")})
    commit(repo, "问题延后公开")
    out = repo / "site"
    assert run(repo, "--out", str(out), "--first-publication").exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert "WT-2023-001" not in manifest["records"]
    later = CliRunner().invoke(cli, ["build", "--root", str(repo), "--as-of", "2026-12-05",
                                     "--out", str(out)], catch_exceptions=False)
    assert later.exit_code == 0, later.output
    after = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert after["records"]["ZG-2023-001"] != manifest["records"]["ZG-2023-001"]
    assert "WT-2023-001" in after["records"]


def test_undoing_an_uncommitted_edit_is_no_tampering(published) -> None:
    """A local build (or a preview) made with an uncommitted edit, then the edit undone:
    the file is the commit's again, the digest differs, and that is fine."""
    repo, out, _ = published
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["clean"] is True
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 草稿标题")})
    assert run(repo, "--out", str(out)).exit_code == 0
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["clean"] is False
    write_all(repo, {RECTIFICATION_PATH: RECTIFICATION})
    result = run(repo, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["clean"] is True


def test_a_status_derived_from_a_changed_child_is_no_tampering(published) -> None:
    """The finding's status is derived from its rectification (finding.yml's derive_status):
    reopening the rectification changes the finding's published status although the finding's
    file did not change. Its child's status moved in a commit, so that is no tampering; a
    change of the child that leaves its status alone explains nothing (the test above)."""
    repo, out, _ = published
    before = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["records"]
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "status: completed",
                                              "status: reopened\nreopen_reason: 资金被挪用。")})
    commit(repo, "重新整改")
    result = run(repo, "--out", str(out))
    assert result.exit_code == 0, result.output
    after = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["records"]
    assert after["WT-2023-001"] != before["WT-2023-001"]
    page = (out / "finding" / "WT-2023-001" / "index.html").read_text(encoding="utf-8")
    assert "整改中" in page
