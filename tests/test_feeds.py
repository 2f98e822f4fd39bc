"""builder.feeds: Atom feeds that parse cleanly, link to record pages and never change
their bytes for the same commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest

from builder.stages import verify
from builder.stages.feeds import feeds, site_url
from builder.stages.history import read_history
from builder.model import load_model
from builder.pipeline import Deployment, check
from builder.stages.projection import Audience, Projection, project
from builder.model.records import Record
from builder.stages.timeline import Event, EventKind, Timeline, Timelines, timelines

from conftest import (FINDING, FINDING_PATH, ITEM, ITEM_PATH, PLAN, PLAN_PATH,
                      SITE_CONFIG)
from gitrepo import AUTHOR, EMAIL, GitProject, git

MODEL = load_model(SITE_CONFIG)
AS_OF = date(2024, 1, 31)
URL = "https://sunlight.example.org/ly"
CANARY = "CANARY-反馈-5521"
ZG1 = "content/rectifications/ZG-2023-001.md"
ZG2 = "content/rectifications/ZG-2023-002.md"


def rect(rid: str, status: str, extra: str = "") -> str:
    return (f"---\nid: {rid}\ntype: rectification\ntitle: 整改事项 {rid} <&> \"引号\"\n"
            f"status: {status}\nfinding: WT-2023-001\nresponsible_unit: ly-lyj\n"
            f"assigned: 2023-05-01\ndeadline: 2023-06-30\n{extra}---\n正文。\n")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitProject:
    repo = GitProject(tmp_path_factory.mktemp("feeds") / "project")
    repo.commit("2023-05-04T09:00:00+08:00", "录入",
                {PLAN_PATH: PLAN, ITEM_PATH: ITEM, FINDING_PATH: FINDING,
                 ZG1: rect("ZG-2023-001", "assigned"),
                 ZG2: rect("ZG-2023-002", "assigned", "visibility: internal\n")})
    repo.commit("2023-06-20T10:00:00+08:00", "延期",
                {ZG1: rect("ZG-2023-001", "in_progress",
                           f"internal_note: {CANARY}\ndeadline_extensions:\n"
                           "  - date: 2023-06-20\n    deadline: 2023-09-30\n"
                           "    reason: 需调整年度资金计划\n")})
    repo.commit("2023-12-28T16:30:00+08:00", "完成",
                {ZG1: rect("ZG-2023-001", "completed",
                           "completed: 2023-12-28\nresult: 已拨付全部资金。\ndeadline_extensions:\n"
                           "  - date: 2023-06-20\n    deadline: 2023-09-30\n"
                           "    reason: 需调整年度资金计划\n"),
                 ZG2: rect("ZG-2023-002", "in_progress", "visibility: internal\n")})
    return repo


def build_feeds(root: Path, url: str | None = URL) -> dict[str, bytes]:
    """The whole chain, as the pipeline will run it."""
    checked = check(Deployment(root))
    assert checked.validation.valid, checked.validation.errors
    projection = project(checked.validation.records, MODEL, Audience.PUBLIC, AS_OF)
    return feeds(timelines(read_history(root), MODEL, AS_OF), projection, MODEL, url)


def test_feeds_parse_without_errors_and_link_to_record_pages(repo: GitProject) -> None:
    built = build_feeds(repo.root)
    assert sorted(built) == ["feeds/all.xml", "feeds/body/ly-rd.xml"]
    parsed = feedparser.parse(built["feeds/all.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "阳光监督公开平台（示例）：最新变化"
    assert parsed.feed.updated == "2023-12-28T16:30:00+08:00"
    titles = [e.title for e in parsed.entries]
    head = 'ZG-2023-001 整改事项 ZG-2023-001 <&> "引号"：'
    # Each entry names the record's ID and title; a plain field edit (完成日期) is no news.
    assert titles[:2] == [head + "状态：整改中 → 已完成", head + "整改结果：已拨付全部资金。"]
    assert head + "整改期限延长：2023-06-30 → 2023-09-30；理由：需调整年度资金计划" in titles
    assert not any("完成日期" in t for t in titles)
    first = parsed.entries[0]
    assert first.link == f"{URL}/rectification/ZG-2023-001/"
    assert first.updated == "2023-12-28T16:30:00+08:00"
    sha = repo.sha()
    assert first.id == f"tag:sunlight.example.org,2023-12-28:ZG-2023-001/{sha}/status-changed/status"
    assert "整改事项 ZG-2023-001 <&> \"引号\"" in first.summary
    assert f"提交 {sha[:7]}" in first.summary
    # The honest deadline: the one in force, with the original shown as superseded.
    assert "现行期限 2023-09-30（已延期 1 次；原期限 2023-06-30）" in first.summary
    body = feedparser.parse(built["feeds/body/ly-rd.xml"])
    assert not body.bozo
    assert body.feed.title == "阳光监督公开平台（示例）：洛阳市人大常委会的最新变化"
    assert {e.link for e in body.entries} >= {f"{URL}/rectification/ZG-2023-001/",
                                              f"{URL}/plan/JH-2023-01/"}


def test_feeds_hold_nothing_internal(repo: GitProject) -> None:
    for data in build_feeds(repo.root).values():
        text = data.decode("utf-8")
        for hidden in (CANARY, "ZG-2023-002", AUTHOR, EMAIL, "延期\n", "录入"):
            assert hidden not in text


def test_same_commit_gives_the_same_bytes(repo: GitProject, tmp_path: Path) -> None:
    first, second = build_feeds(repo.root), build_feeds(repo.root)
    assert first == second
    git(tmp_path, "clone", "-q", f"file://{repo.root}", "clone")
    assert build_feeds(tmp_path / "clone") == first
    ids = [e.id for e in feedparser.parse(first["feeds/all.xml"]).entries]
    assert ids == [e.id for e in feedparser.parse(second["feeds/all.xml"]).entries]
    assert len(ids) == len(set(ids))


def test_without_a_site_url_links_are_relative(repo: GitProject) -> None:
    built = build_feeds(repo.root, url=None)
    parsed = feedparser.parse(built["feeds/body/ly-rd.xml"])
    assert not parsed.bozo
    raw = built["feeds/body/ly-rd.xml"].decode()
    assert 'href="../../rectification/ZG-2023-001/"' in raw
    assert parsed.entries[0].id.startswith("tag:sunlight.invalid,")


def test_entries_are_limited_newest_first(repo: GitProject) -> None:
    checked = check(Deployment(repo.root))
    projection = project(checked.validation.records, MODEL, Audience.PUBLIC, AS_OF)
    found = timelines(read_history(repo.root), MODEL, AS_OF)
    parsed = feedparser.parse(feeds(found, projection, MODEL, URL, entries=2)["feeds/all.xml"])
    assert [e.updated for e in parsed.entries] == ["2023-12-28T16:30:00+08:00"] * 2


def test_site_url_from_settings_or_override() -> None:
    assert site_url(MODEL) is None
    assert site_url(MODEL, "https://a.example/x/") == "https://a.example/x"


def test_control_characters_never_break_the_xml() -> None:
    """The loader refuses control characters; the feed writer drops them all the same."""
    when = datetime(2023, 5, 4, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    event = Event("ZG-2023-009", "rectification", "标题\x0b\x01", when, "a" * 40, "a" * 7,
                  EventKind.PROGRESS, "progress", None, "进展\x1f说明")
    found = Timelines(Audience.PUBLIC, records={"ZG-2023-009": Timeline(
        "ZG-2023-009", "rectification", [event])})
    projection = Projection(Audience.PUBLIC, AS_OF, [Record(
        "ZG-2023-009", "rectification", "x.md", {"title": "标题"}, "")])
    data = feeds(found, projection, MODEL, URL)["feeds/all.xml"]
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.entries[0].title == "ZG-2023-009 标题：整改进展：进展 说明"


def test_leak_guard_covers_history(repo: GitProject, tmp_path: Path) -> None:
    """A canary written into an internal field in an old commit and removed later is a
    secret of the public build: absent from the feeds, and caught if it ever got in."""
    checked = check(Deployment(repo.root))
    records = checked.validation.records
    projection = project(records, MODEL, Audience.PUBLIC, AS_OF)
    found = timelines(read_history(repo.root), MODEL, AS_OF)
    assert all(CANARY not in str(r.fields) for r in records)     # gone from the content
    guarded = found.revisions_for_leak_guard(r.id for r in projection.records)
    found_secrets = verify.secrets(records + guarded, MODEL, AS_OF)
    assert CANARY in {s.value for s in found_secrets}
    assert not any(s.value in ("整改事项", "ZG-2023-001") for s in found_secrets)
    site = tmp_path / "site"
    for rel, data in feeds(found, projection, MODEL, URL).items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    assert verify.scan(site, found_secrets) == []
    (site / "feeds" / "all.xml").write_text(f"<feed><title>{CANARY}</title></feed>")
    assert [leak.secret.value for leak in verify.scan(site, found_secrets)] == [CANARY]
