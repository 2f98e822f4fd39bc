"""What a citizen reads on the public site (issue 13, the data half): honest deadlines,
meaningful changes only, the progress of children, one definition of every count, open data
for Excel users, and the disclosure block — on the demo site and in scripted Git histories."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from builder.model import ConfigError, load_model
from builder.model.news import quiet_kind
from builder.model.roles import RecordIndex
from builder.pipeline import Deployment, build, check
from builder.stages.projection import Audience, project

from conftest import BASE_RECORDS, RECTIFICATION_PATH, make_project, write_all
from gitrepo import GitProject

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, page: str) -> BeautifulSoup:
    found = soup(site / page / "index.html").select_one("article")
    assert found is not None, page
    return found


def text(node) -> str:
    return " ".join(node.get_text().split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("citizen-demo") / "site"
    build(Deployment(REPO), out, AS_OF, history=False)
    return out


@pytest.fixture(scope="module")
def projection():
    checked = check(Deployment(REPO))
    return project(checked.validation.records, checked.model, Audience.PUBLIC, AS_OF), \
        checked.model


# --- 4. honest deadlines -------------------------------------------------------------------


def test_demo_shows_the_deadline_in_force_everywhere(demo: Path) -> None:
    """ZG-2023-003 was extended once: 2025-10-31 → 2027-04-30. Header, facts, the type and
    unit listings, the ledger and open data say 2027-04-30 first, the original struck through."""
    honest = "2027-04-30（已延期 1 次；原期限 2025-10-31）"
    page = article(demo, "rectification/ZG-2023-003")
    assert f"整改期限：{honest}" in text(page.select_one(".sl-meta"))
    assert page.select_one(".sl-meta del").get_text() == "2025-10-31"
    facts = {div.dt.get_text(): text(div.dd) for div in page.select("dl[data-facts] > div")}
    assert facts["整改期限"] == honest
    for listing in ("rectification", "unit/ly-lyj", "ledger"):
        row = article(demo, listing).select_one("a[href$='ZG-2023-003/']").find_parent("tr")
        assert honest in text(row), listing
        assert row.select_one("del").get_text() == "2025-10-31", listing
    data = json.loads((demo / "data/records.json").read_text(encoding="utf-8"))
    record = next(r for r in data["records"] if r["id"] == "ZG-2023-003")
    assert (record["deadline"], record["due_in_force"], record["due_extensions"]) == \
        ("2025-10-31", "2027-04-30", 1)
    assert "days_overdue" not in record


def test_public_pages_say_how_many_days_overdue(demo: Path, projection) -> None:
    shown, model = projection
    index = RecordIndex(shown.records, model)
    late = [r for r in shown.records if index.is_overdue(r, AS_OF)]
    assert late
    for record in late[:5]:
        days = (AS_OF - index.due_in_force(record)).days
        page = article(demo, f"{record.type}/{record.id}")
        assert f"逾期 {days} 日" in [b.get_text() for b in page.select(".sl-meta .sl-badge")]
        overdue = article(demo, "overdue").select_one(f"a[href$='{record.id}/']").find_parent("tr")
        assert f"逾期 {days} 日" in text(overdue)
    data = json.loads((demo / "data/records.json").read_text(encoding="utf-8"))
    first = next(r for r in data["records"] if r["id"] == late[0].id)
    assert first["days_overdue"] == (AS_OF - index.due_in_force(late[0])).days
    assert data["as_of"] == AS_OF.isoformat()


# --- 6. progress of children -----------------------------------------------------------------


def test_plan_page_shows_children_progress_and_statuses(demo: Path) -> None:
    page = article(demo, "plan/JH-2023-01")
    rows = {tr.td.get_text(): [td.get_text(strip=True) for td in tr.select("td")[1:6]]
            for tr in page.select("table[data-rollup] tbody tr")}
    total, done, going, waiting, late = (int(n) for n in rows["监督事项"])
    assert (total, done) == (28, 8) and done + going + waiting == total
    bar = page.select_one("table[data-rollup] progress")
    assert bar is not None and bar.get("aria-label")
    children = page.select("#chain ~ div h3 ~ ul li")
    items = [li for li in children if li.get_text().startswith("监督事项")]
    # Every child in the list shows its status, not colour alone: a word in a badge.
    assert all(li.select_one(".sl-badge") is not None for li in items)
    # The page lists settings.children_shown (20) of the 28 and links to all of them, so it
    # stays small however many records hang below it.
    assert len(items) == 20
    more = page.select_one("#chain ~ div .sl-more-children")
    assert text(more).startswith("共 28 条，这里列出前 20 条")
    assert more.a["href"] == "../../plan/JH-2023-01/children/"
    full = article(demo, "plan/JH-2023-01/children")
    rows = full.select("table tbody tr")
    assert len(rows) == 28 and text(full.h2) == "监督事项：28 条"
    assert {tr.select_one("td a").get_text() for tr in rows} >= {li.a.get_text().split()[0]
                                                                  for li in items}
    labels = {tr.select_one(".sl-badge").get_text() for tr in rows}
    assert {"已完成"} < labels
    assert full.select_one("a[href='../../../plan/JH-2023-01/']").get_text() == \
        "返回监督计划 JH-2023-01"


# --- 7. one definition of every count ----------------------------------------------------------


def test_counts_agree_and_say_what_they_count(demo: Path, projection) -> None:
    shown, model = projection
    index = RecordIndex(shown.records, model)
    items = index.by_type["item"]
    withdrawn = [r for r in items if index.is_withdrawn(r)]
    assert withdrawn, "the demo has a withdrawn supervision item"
    words = f"{len(items)} 条（含已撤回 {len(withdrawn)} 条）"
    home = article(demo, "")
    assert f"监督事项：{words}" in text(home.select_one("#contents + ul"))
    assert text(article(demo, "item").select_one("h2")) == f"监督事项：{words}"
    assert f"监督事项：{words}" in text(article(demo, "browse"))
    everything = len(shown.records)
    all_withdrawn = sum(1 for r in shown.records if index.is_withdrawn(r))
    total = f"{everything} 条（含已撤回 {all_withdrawn} 条）"
    assert f"共 {total}公开记录" in text(home)
    assert f"共 {total}" in text(article(demo, "data"))
    data = json.loads((demo / "data/records.json").read_text(encoding="utf-8"))
    assert (data["count"], data["withdrawn"]) == (everything, all_withdrawn)


# --- 9. open data for people who use Excel ------------------------------------------------------


def test_open_data_for_excel_with_licence_and_reader_descriptions(demo: Path) -> None:
    raw = (demo / "data/records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,type,")
    # Excel on Chinese Windows reads a BOM-less file as GBK: with the BOM it reads UTF-8.
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert next(r for r in rows if r["id"] == "ZG-2023-003")["due_in_force"] == "2027-04-30"
    page = article(demo, "data")
    licence = page.select_one("[data-license] a[rel=license]")
    assert licence is not None and "CC-BY-4.0" in text(page.select_one("[data-license]"))
    package = json.loads((demo / "data/datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert all(r["licenses"] == package["licenses"] for r in package["resources"])
    for name in ("records.json", "statistics.json"):
        doc = json.loads((demo / "data" / name).read_text(encoding="utf-8"))
        assert doc["license"]["name"] == "CC-BY-4.0", name
    # Descriptions explain to readers; instructions to editors stay in the editor's guide.
    assert "必须与所在文件夹对应" not in page.get_text()
    assert "延期不改这里" not in page.get_text()
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert "必须" not in fields["type"]["description"]
    assert "现行期限" in fields["deadline"]["description"]
    assert fields["due_in_force"]["type"] == "date"


def test_open_data_urls_are_absolute_when_the_site_has_an_address(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    config = root / "site_config" / "site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  language: zh\n", "  language: zh\n  url: https://sunlight.example.org/ly/\n"),
        encoding="utf-8")
    write_all(root, BASE_RECORDS)
    site = build(Deployment(root), tmp_path / "site", AS_OF, history=False).out_dir
    data = json.loads((site / "data/records.json").read_text(encoding="utf-8"))
    urls = {r["id"]: r["url"] for r in data["records"]}
    assert urls["ZG-2023-001"] == "https://sunlight.example.org/ly/rectification/ZG-2023-001/"
    rows = list(csv.DictReader(io.StringIO((site / "data/records.csv").read_text("utf-8-sig"))))
    assert all(r["id"] for r in rows)


# --- 10. disclosure block ----------------------------------------------------------------------


def test_record_page_has_the_disclosure_block(demo: Path) -> None:
    page = article(demo, "rectification/ZG-2023-003")
    block = {div.dt.get_text(): div.dd.get_text() for div in page.select("dl[data-disclosure] > div")}
    assert block["发布机构"] == "洛阳市人大常委会"
    # registry.yml: ly-rd numbers its disclosures "LYRD-{year}-{id}"; the year is the start role's.
    assert block["索引号"] == "LYRD-2023-ZG-2023-003"
    # Without history there is no first-publication date: the block says nothing rather than guess.
    assert "发布日期" not in block


def test_a_bad_index_pattern_or_news_rule_is_a_configuration_error(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    registry = root / "site_config" / "registry.yml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        'index_pattern: "LYRD-{year}-{id}"', 'index_pattern: "LYRD-{年份}-{id}"'), encoding="utf-8")
    site = root / "site_config" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "progress-changed,", "progress-changed, field-edited,").replace(
        "rectification: [satisfaction]", "rectification: [satisfaction, contact]"),
        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(root / "site_config")
    assert "index_pattern" in str(caught.value) and "{year}" in str(caught.value)
    registry.write_text(registry.read_text(encoding="utf-8").replace("{年份}", "{year}"),
                        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(root / "site_config")
    messages = "\n".join(caught.value.messages)
    assert "未知的变化种类“field-edited”" in messages
    assert "内部字段“contact”" in messages


# --- 5. meaningful changes only ------------------------------------------------------------------


def test_a_commit_marks_itself_as_a_migration_or_correction() -> None:
    assert quiet_kind("Rename finding.source to origin\n\nSunlight-Change: migration") == "migration"
    assert quiet_kind("[更正] 错别字") == "correction"
    assert quiet_kind("[迁移] 字段改名") == "migration"
    assert quiet_kind("修正来源\n\n说明\n\nSunlight-Change: correction\nSigned-off-by: A <a@b>") \
        == "correction"
    # Only a trailer in the last paragraph counts; a mention in the text does not.
    assert quiet_kind("整改完成\n\nSunlight-Change: migration 不是这里\n\n正文") is None
    assert quiet_kind("Sunlight-Change: migration") is None
    assert quiet_kind("整改完成") is None and quiet_kind(None) is None


def rect(rid: str, title: str, status: str, extra: str = "", source: str = "台账") -> str:
    return (f"---\nid: {rid}\ntype: rectification\ntitle: {title}\nstatus: {status}\n"
            f"finding: WT-2023-001\nresponsible_unit: ly-lyj\nassigned: 2026-09-30\n"
            f"deadline: 2027-06-30\nsource: {source}\n{extra}---\n正文。\n")


ZG1, ZG2 = RECTIFICATION_PATH, "content/rectifications/ZG-2023-002.md"
MIGRATION = "资料来源改用文件名\n\n批量调整数据格式。\n\nSunlight-Change: migration"


@pytest.fixture(scope="module")
def news_repo(tmp_path_factory) -> GitProject:
    repo = GitProject(tmp_path_factory.mktemp("news") / "project")
    repo.commit("2026-10-25T09:00:00+08:00", "录入",
                {**{k: v for k, v in BASE_RECORDS.items() if k != ZG1},
                 ZG1: rect("ZG-2023-001", "加快林业项目资金拨付", "in_progress"),
                 ZG2: rect("ZG-2023-002", "完善林业项目资金监管制度", "in_progress")})
    repo.commit("2026-11-05T10:00:00+08:00", "进展",
                {ZG1: rect("ZG-2023-001", "加快林业项目资金拨付", "in_progress",
                           "progress: 已拨付八成资金。\n")})
    # A migration changes ZG-2023-002 last of all, and even its status: no news.
    repo.commit("2026-11-08T10:00:00+08:00", MIGRATION,
                {ZG2: rect("ZG-2023-002", "完善林业项目资金监管制度", "assigned",
                           source="lyrd-2023-12.pdf")})
    repo.commit("2026-11-09T10:00:00+08:00", "[更正] 进展中的错别字",
                {ZG1: rect("ZG-2023-001", "加快林业项目资金拨付", "in_progress",
                           "progress: 已拨付八成的资金。\n")})
    # No marker: a plain field edit is no news, a declared field (satisfaction) is.
    repo.commit("2026-11-10T10:00:00+08:00", "满意度测评；来源补正",
                {ZG1: rect("ZG-2023-001", "加快林业项目资金拨付", "in_progress",
                           "progress: 已拨付八成的资金。\nsatisfaction: satisfied\n"),
                 ZG2: rect("ZG-2023-002", "完善林业项目资金监管制度", "assigned",
                           source="lyrd-2023-12-v2.pdf")})
    return repo


@pytest.fixture(scope="module")
def news_site(news_repo: GitProject) -> Path:
    return build(Deployment(news_repo.root), news_repo.root / "site", AS_OF).out_dir


def test_change_log_and_feeds_announce_only_news(news_site: Path, news_repo: GitProject) -> None:
    changes = article(news_site, "changes")
    days = [h.get_text() for h in changes.select("h2")]
    assert days == ["2026-11-10", "2026-11-05", "2026-10-25"]
    lines = [text(li) for li in changes.select("ul li")]
    assert lines[0] == f"ZG-2023-001 加快林业项目资金拨付：满意度测评：（无） → 满意 {news_repo.sha()[:7]}"
    assert lines[1].startswith("ZG-2023-001 加快林业项目资金拨付：整改进展：已拨付八成资金。")
    assert all("资料来源" not in line and "已交办" not in line for line in lines)
    assert "ZG-2023-002 完善林业项目资金监管制度：公开" in " ".join(lines)
    feed = feedparser.parse((news_site / "feeds/all.xml").read_bytes())
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert titles[:2] == ["ZG-2023-001 加快林业项目资金拨付：满意度测评：（无） → 满意",
                          "ZG-2023-001 加快林业项目资金拨付：整改进展：已拨付八成资金。"]
    assert not any("资料来源" in t or "八成的" in t or "已交办" in t for t in titles)
    assert "现行期限 2027-06-30" in feed.entries[0].summary


def test_the_record_keeps_every_change_in_its_own_history(news_site: Path) -> None:
    page = article(news_site, "rectification/ZG-2023-002")
    rows = [[td.get_text() for td in tr.select("td")[:2]]
            for tr in page.select("table[data-history] tbody tr")]
    assert ["2026-11-08", "ZG-2023-002 状态：整改中 → 已交办（迁移）"] in rows
    assert ["2026-11-08", "ZG-2023-002 资料来源：台账 → lyrd-2023-12.pdf（迁移）"] in rows
    assert ["2026-11-10", "ZG-2023-002 资料来源：lyrd-2023-12.pdf → lyrd-2023-12-v2.pdf"] in rows
    block = {div.dt.get_text(): div.dd.get_text()
             for div in page.select("dl[data-disclosure] > div")}
    assert block["发布日期"] == "2026-10-25" and block["更新日期"] == "2026-11-10"


def test_home_latest_lists_records_by_their_last_announced_change(news_site: Path) -> None:
    """ZG-2023-002 changed last (a migration and a correction) and has the latest date fields;
    ZG-2023-001's satisfaction vote is the newest news, so it comes first."""
    latest = article(news_site, "").select("ul.sl-latest li")
    ids = [li.select_one("a").get_text().split()[0] for li in latest]
    assert ids[0] == "ZG-2023-001"
    assert text(latest[0]).startswith("2026-11-10 ZG-2023-001 加快林业项目资金拨付：满意度测评")
    assert "ZG-2023-002" in ids and ids.count("ZG-2023-002") == 1
    second = next(li for li in latest if "ZG-2023-002" in li.get_text())
    assert text(second).startswith("2026-10-25 ZG-2023-002 完善林业项目资金监管制度：公开")


def test_internal_change_log_announces_new_records(news_repo: GitProject, tmp_path: Path) -> None:
    """The internal site's first revision of a record is "created", not "published": the
    news rules announce it there too, and the migration stays quiet on both sites."""
    site = build(Deployment(news_repo.root), tmp_path / "internal", AS_OF,
                 Audience.INTERNAL).out_dir
    lines = [text(li) for li in article(site, "changes").select("ul li")]
    assert "ZG-2023-002 完善林业项目资金监管制度：新建" in " ".join(lines)
    assert not any("资料来源" in line or "已交办" in line for line in lines)


def _shallow(root: Path) -> bool:
    done = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=root,
                          capture_output=True, text=True)
    return done.returncode != 0 or done.stdout.strip() != "false"


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory) -> Path:
    """The demo site built with its Git history."""
    if _shallow(REPO):
        pytest.skip("a shallow clone has no history to read")
    return build(Deployment(REPO), tmp_path_factory.mktemp("demo-history") / "site",
                 AS_OF).out_dir


def test_demo_change_log_does_not_broadcast_the_field_rename(demo_history: Path) -> None:
    """Commit a469a87 renamed finding.source to origin and corrected sample sources: 156
    field and body edits on 2026-11-21 that the change log used to list. They stay in the
    findings' own history."""
    site = demo_history
    changes = article(site, "changes")
    lines = [text(li) for li in changes.select("ul li")]
    assert lines, "the demo's publications are news"
    assert not [line for line in lines if re.search("问题来源|资料来源|正文已修改", line)]
    finding = article(site, "finding/WT-2023-001")
    history = text(finding.select_one("table[data-history]"))
    assert "问题来源" in history or "资料来源" in history


# --- 5b. one entry for a bulk publication ------------------------------------------------------


BULK = re.compile(r"^首次公开 (\d+) 条记录：(.*)（分类浏览）")


def test_demo_import_is_one_entry_in_change_log_home_and_feeds(demo_history: Path,
                                                                projection) -> None:
    """The demo's records were imported in a few commits, which a build as of 2026-11-21 dates
    that day (no commit counts after the build date): one entry with the types and counts,
    not one line per record, on the change log, the home page and in the feeds."""
    shown, model = projection
    changes = article(demo_history, "changes")
    entries = changes.select("ul li")
    assert len(entries) == 1, [text(li) for li in entries[:5]]
    entry = entries[0]
    found = BULK.match(text(entry))
    assert found and int(found.group(1)) == len(shown.records)
    counts = {a.get_text(): int(a.next_sibling.split()[0]) for a in entry.select("a")[:-1]}
    index = RecordIndex(shown.records, model)
    assert counts == {model.types[t].label: len(rs) for t, rs in index.by_type.items()}
    links = [a["href"] for a in entry.select("a")]
    assert links[-1] == "../browse/" and "../rectification/" in links
    assert all((demo_history / href.removeprefix("../") / "index.html").is_file()
               for href in links)
    latest = article(demo_history, "").select("ul.sl-latest li")
    assert [BULK.match(" ".join(text(li).split()[1:])) is not None for li in latest] == [True]
    assert latest[0].select_one("time")["datetime"] == AS_OF.isoformat()
    feed = feedparser.parse((demo_history / "feeds/all.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [f"首次公开 {len(shown.records)} 条记录"]
    assert feed.entries[0].link == "../browse/"
    assert "整改事项 145 条" in feed.entries[0].summary
    body = feedparser.parse((demo_history / "feeds/body/ly-rd.xml").read_bytes())
    assert len(body.entries) == 1 and body.entries[0].link == "../../body/ly-rd/"


RECTIFICATIONS = [(f"ZG-2023-{n:03}", f"整改事项第{n}项") for n in range(2, 8)]


@pytest.fixture(scope="module")
def bulk_repo(tmp_path_factory) -> GitProject:
    """Threshold 3: day 1 publishes the chain (4 records of 4 types) in one commit; day 2
    publishes 2 rectifications (below it) and a status change; day 3 publishes 4 more in two
    commits (one day, at it)."""
    repo = GitProject(tmp_path_factory.mktemp("bulk") / "project")
    site_yml = repo.root / "site_config" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace(
        "bulk_publication: 10", "bulk_publication: 3"), encoding="utf-8")
    path = lambda rid: f"content/rectifications/{rid}.md"  # noqa: E731
    repo.commit("2026-10-25T09:00:00+08:00", "录入", BASE_RECORDS)
    repo.commit("2026-11-02T09:00:00+08:00", "新增两项",
                {path(rid): rect(rid, title, "assigned") for rid, title in RECTIFICATIONS[:2]})
    repo.commit("2026-11-02T15:00:00+08:00", "整改开始",
                {path("ZG-2023-002"): rect("ZG-2023-002", "整改事项第2项", "in_progress")})
    for hour, batch in (("09", RECTIFICATIONS[2:4]), ("16", RECTIFICATIONS[4:])):
        repo.commit(f"2026-11-09T{hour}:00:00+08:00", "批量录入",
                    {path(rid): rect(rid, title, "assigned") for rid, title in batch})
    return repo


def test_a_bulk_publication_is_one_entry_from_the_threshold_on(bulk_repo: GitProject) -> None:
    site = build(Deployment(bulk_repo.root), bulk_repo.root / "site", AS_OF).out_dir
    changes = article(site, "changes")
    days = {h.get_text(): [text(li) for li in h.find_next_sibling("ul").select("li")]
            for h in changes.select("h2")}
    # At the threshold: 4 records on 2026-11-09, from two commits, are one entry.
    assert days["2026-11-09"] == [
        f"首次公开 4 条记录：整改事项 4 条（分类浏览） {bulk_repo.sha('HEAD~1')[:7]} "
        f"{bulk_repo.sha()[:7]}"]
    # Below it: each new record keeps its own line, and so does every other change.
    assert sorted(days["2026-11-02"]) == sorted([
        f"ZG-2023-002 整改事项第2项：状态：已交办 → 整改中 {bulk_repo.sha('HEAD~2')[:7]}",
        f"ZG-2023-002 整改事项第2项：公开 {bulk_repo.sha('HEAD~3')[:7]}",
        f"ZG-2023-003 整改事项第3项：公开 {bulk_repo.sha('HEAD~3')[:7]}"])
    # The first day's four records, of four types, reach the threshold too.
    assert len(days["2026-10-25"]) == 1 and days["2026-10-25"][0].startswith(
        "首次公开 4 条记录：发现问题 1 条、监督事项 1 条、监督计划 1 条、整改事项 1 条")
    entry = changes.select_one("li[data-bulk]")
    assert [a["href"] for a in entry.select("a")] == ["../rectification/", "../browse/"]
    latest = [text(li) for li in article(site, "").select("ul.sl-latest li")]
    assert latest[0] == "2026-11-09 首次公开 4 条记录：整改事项 4 条（分类浏览）"
    assert sum(line.startswith("2026-11-02 ZG-2023-00") for line in latest) == 2
    feed = feedparser.parse((site / "feeds/all.xml").read_bytes())
    titles = [e.title for e in feed.entries]
    assert titles[0] == "首次公开 4 条记录"
    assert "ZG-2023-003 整改事项第3项：公开" in titles
    assert not any(t.startswith("ZG-2023-004") for t in titles)
    assert feed.entries[0].id.endswith(":bulk/published/2026-11-09")
    # Every record keeps its own publication in its history.
    history = text(article(site, "rectification/ZG-2023-005").select_one("table[data-history]"))
    assert "2026-11-09" in history and "公开" in history


def test_the_threshold_is_a_checked_setting(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    site_yml = root / "site_config" / "site.yml"
    assert load_model(root / "site_config").news.bulk_publication == 10
    for bad in ("1", "很多", "-3"):
        site_yml.write_text(re.sub(r"bulk_publication: \S+", f"bulk_publication: {bad}",
                                   site_yml.read_text(encoding="utf-8")), encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_model(root / "site_config")
        assert "news.bulk_publication 应为不小于 2 的整数" in str(caught.value), bad
