"""History on the built site: timelines on record pages, the change log, Atom feeds, the leak
guard over old revisions, reproducible output and shallow clones — from a scripted Git repo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import cli
from builder.stages.repository import ShallowClone
from builder.pipeline import Deployment, build
from builder.stages.projection import Audience

from conftest import BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, edit
from gitrepo import GitProject, git

AS_OF = date(2026, 11, 12)  # the change log covers 30 days up to here
CANARY = "OLDCANARY内部联系人"
R = RECTIFICATION_PATH
IN_PROGRESS = edit(edit(RECTIFICATION, "status: completed", "status: in_progress"),
                   "completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")
NO_EXTENSION = edit(IN_PROGRESS, "deadline_extensions:\n  - date: 2023-06-20\n"
                    "    deadline: 2023-09-30\n    reason: 需调整年度资金计划\n", "")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitProject:
    project = GitProject(tmp_path_factory.mktemp("history") / "project")
    project.commit("2026-10-01T09:00:00+08:00", "交办整改事项",
                   {**BASE_RECORDS, R: edit(NO_EXTENSION, "finding: WT-2023-001",
                                            f"finding: WT-2023-001\ncontact: {CANARY}")})
    project.commit("2026-10-20T10:00:00+08:00", "批准延期（内部说明：局长已同意）",
                   {R: IN_PROGRESS})  # the contact is gone, the extension is new
    project.commit("2026-11-10T16:30:00+08:00", "整改完成", {R: RECTIFICATION})
    return project


@pytest.fixture(scope="module")
def site(repo: GitProject) -> Path:
    return build(Deployment(repo.root), repo.root / "site", AS_OF).out_dir


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_record_page_shows_the_dated_timeline(site: Path, repo: GitProject) -> None:
    page = soup(site / "rectification/ZG-2023-001/index.html")
    rows = [[td.get_text() for td in tr.select("td")]
            for tr in page.select("table[data-history] tbody tr")]
    short = [repo.sha(f"HEAD~{n}")[:7] for n in (0, 1, 2)]
    assert rows == [
        ["2026-11-10", "ZG-2023-001 状态：整改中 → 已完成", short[0]],
        ["2026-11-10", "ZG-2023-001 完成日期：（无） → 2023-09-15", short[0]],
        ["2026-11-10", "ZG-2023-001 整改结果：已拨付全部资金。", short[0]],
        ["2026-10-20", "ZG-2023-001 整改期限延长：2023-06-30 → 2023-09-30；理由：需调整年度资金计划",
         short[1]],
        ["2026-10-01", "ZG-2023-001 公开：加快林业项目资金拨付", short[2]],
    ]
    disclosure = {div.dt.get_text(): div.dd.get_text()
                  for div in page.select("dl[data-disclosure] > div")}
    assert disclosure["发布日期"] == "2026-10-01" and disclosure["更新日期"] == "2026-11-10"
    assert disclosure["发布机构"] == "洛阳市人大常委会"
    facts = {div.dt.get_text(): div.dd.get_text()
             for div in page.select("dl[data-facts] > div")}
    assert facts["整改期限"] == "2023-09-30（已延期 1 次；原期限 2023-06-30）"
    text = page.get_text()
    assert "局长已同意" not in text and "editor-a@example.org" not in text and "编辑甲" not in text


def test_change_log_and_feeds(site: Path) -> None:
    changes = soup(site / "changes/index.html").select_one("article")
    assert [h.get_text() for h in changes.select("h2")] == ["2026-11-10", "2026-10-20"]
    feed = feedparser.parse((site / "feeds/all.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert any("状态：整改中 → 已完成" in t for t in titles)
    assert all(e.link.endswith("/") for e in feed.entries)
    body_feed = feedparser.parse((site / "feeds/body/ly-rd.xml").read_bytes())
    assert not body_feed.bozo and body_feed.entries
    head = soup(site / "index.html").find("link", attrs={"type": "application/atom+xml"})
    assert head["href"].endswith("feeds/all.xml")


def test_an_internal_value_from_an_old_commit_appears_nowhere(site: Path) -> None:
    for file in site.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", errors="replace")
            assert "OLDCANARY" not in text and CANARY not in text, file


def test_internal_timeline_shows_messages_and_authors(repo: GitProject) -> None:
    out = build(Deployment(repo.root), repo.root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    page = soup(out / "rectification/ZG-2023-001/index.html")
    text = page.select_one("table[data-history]").get_text()
    assert "批准延期（内部说明：局长已同意）" in text and "编辑甲" in text


def test_building_the_same_commit_twice_gives_the_same_bytes(repo: GitProject,
                                                             tmp_path: Path) -> None:
    first = build(Deployment(repo.root), tmp_path / "a", AS_OF).out_dir
    second = build(Deployment(repo.root), tmp_path / "b", AS_OF).out_dir
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
    ids = [e.id for e in feedparser.parse((first / "feeds/all.xml").read_bytes()).entries]
    assert ids == [e.id for e in feedparser.parse((second / "feeds/all.xml").read_bytes()).entries]


def test_a_shallow_clone_is_refused_with_the_fix(repo: GitProject, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    with pytest.raises(ShallowClone):
        build(Deployment(clone), clone / "site", AS_OF)
    result = CliRunner().invoke(cli, ["build", "--root", str(clone), "--as-of", "2026-11-21"])
    assert result.exit_code == 2 and "fetch-depth: 0" in result.output
    result = CliRunner().invoke(cli, ["build", "--root", str(clone), "--as-of", "2026-11-21",
                                      "--no-history"])
    assert result.exit_code == 0, result.output
    assert "未读取 Git 历史" in result.output
