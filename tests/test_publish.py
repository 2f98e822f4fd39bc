"""Publishing guarantees: the manifest, history that may not be rewritten, records that may not
disappear, and the commit shown on every record page."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, build
from builder.stages.publish import MANIFEST, PublishRefused

from conftest import RECTIFICATION, RECTIFICATION_PATH, edit, record, write_all

AS_OF = date(2026, 11, 21)


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_DATE": "2026-01-01T10:00:00+08:00",
           "GIT_COMMITTER_DATE": "2026-01-01T10:00:00+08:00", "HOME": str(root),
           "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", "-c", "user.name=编辑", "-c", "user.email=editor@example.org",
                           "-c", "init.defaultBranch=main", *args], cwd=root, env=env,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(valid_project: Path) -> Path:
    git(valid_project, "init", "-q")
    git(valid_project, "add", "-A")
    git(valid_project, "commit", "-qm", "初始记录")
    return valid_project


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_manifest_and_record_pages_name_the_commit(repo: Path) -> None:
    out = build(Deployment(repo), repo / "site", AS_OF).out_dir
    head = git(repo, "rev-parse", "HEAD")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["commit"] == head and manifest["audience"] == "public"
    assert manifest["build_date"] == "2026-11-21"
    assert set(manifest["records"]) == {"JH-2023-01", "SX-2023-001", "WT-2023-001", "ZG-2023-001"}
    assert all(len(digest) == 64 for digest in manifest["records"].values())
    page = BeautifulSoup((out / "rectification/ZG-2023-001/index.html").read_text("utf-8"),
                         "html.parser")
    assert page.select_one(".sl-footnote code").get_text() == head[:10]


def test_a_rewritten_history_is_refused_and_the_site_kept(repo: Path) -> None:
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 加快拨付林业项目资金")})
    git(repo, "commit", "-qam", "改标题")
    out = build(Deployment(repo), repo / "site", AS_OF).out_dir
    before = snapshot(out)
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # force-push style rewrite
    write_all(repo, {RECTIFICATION_PATH: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                              "title: 另一个标题")})
    git(repo, "commit", "-qam", "改写后的历史")
    with pytest.raises(PublishRefused, match="历史被改写"):
        build(Deployment(repo), out, AS_OF)
    assert snapshot(out) == before


def test_a_published_record_may_not_disappear_but_may_be_withdrawn(repo: Path) -> None:
    out = build(Deployment(repo), repo / "site", AS_OF).out_dir
    (repo / RECTIFICATION_PATH).unlink()
    git(repo, "commit", "-qam", "删除整改事项")
    result = CliRunner().invoke(cli, ["build", "--root", str(repo), "--as-of", "2026-11-21"])
    assert result.exit_code == 1
    assert "拒绝发布" in result.output and "ZG-2023-001" in result.output
    withdrawn = record("""
        id: ZG-2023-001
        type: rectification
        title: 加快林业项目资金拨付
        status: withdrawn
        finding: WT-2023-001
        responsible_unit: ly-lyj
        assigned: 2023-05-01
        deadline: 2023-06-30
        withdrawn: 2023-08-01
        withdrawal_reason: 与其他整改事项合并办理
        """)
    write_all(repo, {RECTIFICATION_PATH: withdrawn})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "撤回整改事项")
    build(Deployment(repo), out, AS_OF)
    assert "与其他整改事项合并办理" in (out / "rectification/ZG-2023-001/index.html").read_text("utf-8")


def test_previous_manifest_can_come_from_the_live_site(repo: Path, tmp_path: Path) -> None:
    out = build(Deployment(repo), repo / "site", AS_OF).out_dir
    live = tmp_path / "live-manifest.json"
    live.write_bytes((out / MANIFEST).read_bytes())  # e.g. downloaded from the Pages site
    (repo / RECTIFICATION_PATH).unlink()
    git(repo, "commit", "-qam", "删除")
    with pytest.raises(PublishRefused):
        build(Deployment(repo), tmp_path / "fresh", AS_OF, previous_manifest=live)
