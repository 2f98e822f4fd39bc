"""Page sizes (issue 14): long lists are paginated, record pages list their first children.

A generated project with a small declared page size (settings.page_size: 5,
settings.children_shown: 3) is committed to a real Git repository and built for real, so
every list runs over several pages: the type listing, a group listing made of several
sections, the ledger and its rows.json, the overdue page, the change log and the complete
list of one finding's 23 rectifications. Every page must say where it is (第 2 / 5 页), keep
a unique title, count the whole list, and together the pages must hold every row exactly once.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.model.model import ConfigError, load_model
from builder.pipeline import Deployment, LeakDetected, build
from builder.stages import render
from builder.stages.projection import Audience

from conftest import BASE_RECORDS, FINDING_PATH, ITEM_PATH, PLAN_PATH, edit
from gitrepo import GitProject

AS_OF = date(2026, 11, 21)
RECTIFICATIONS = 23
PAGE_SIZE = 5
UNITS = ("ly-lyj", "ly-fgw", "ly-jyj")
CONTACT = "联系人内部电话8675309"


def rectification(n: int) -> str:
    """ZG-2023-0nn: every third one is open and overdue, the others completed; every fourth
    one's deadline was extended once."""
    lines = [f"id: ZG-2023-{n:03d}", "type: rectification", f"title: 分页测试整改事项{n:03d}",
             "finding: WT-2023-001", f"responsible_unit: {UNITS[n % len(UNITS)]}",
             "assigned: 2023-05-01", "deadline: 2023-12-31", f"contact: {CONTACT}"]
    if n % 4 == 0:
        lines += ["deadline_extensions:", "  - date: 2023-06-20", "    deadline: 2024-03-31",
                  "    reason: 需跨部门协调"]
    if n % 3 == 0:
        lines += ["status: in_progress", "progress: 正在推进。"]
    else:
        lines += ["status: completed", "completed: 2023-09-15", "result: 已完成整改。"]
    return "---\n" + "\n".join(lines) + "\n---\n整改正文。\n"


def paged_project(root: Path) -> Path:
    """The base chain plus 23 rectifications of one finding, page size 5, 3 children shown;
    the one-day import keeps an entry a record in the change log (no bulk entry below 100),
    so the log is long enough to paginate."""
    project = GitProject(root)
    site = project.root / "site_config" / "site.yml"
    site.write_text(edit(site.read_text(encoding="utf-8"), "  page_size: 100\n",
                         f"  page_size: {PAGE_SIZE}\n").replace("  children_shown: 20\n",
                                                                "  children_shown: 3\n")
                    .replace("  bulk_publication: 10\n", "  bulk_publication: 100\n"),
                    encoding="utf-8")
    files = {path: text for path, text in BASE_RECORDS.items()
             if path in (PLAN_PATH, ITEM_PATH, FINDING_PATH)}
    files.update({f"content/rectifications/ZG-2023-{n:03d}.md": rectification(n)
                  for n in range(1, RECTIFICATIONS + 1)})
    project.commit("2026-11-01T10:00:00+08:00", "录入整改事项", files)
    return project.root


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = paged_project(tmp_path_factory.mktemp("pages") / "project")
    out = {}
    for audience in (Audience.PUBLIC, Audience.INTERNAL):
        out[audience.value] = root.parent / audience.value
        build(Deployment(root), out[audience.value], AS_OF, audience)
    return out


@pytest.fixture(scope="module")
def site(sites) -> Path:
    return sites["public"]


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(site: Path, url: str):
    return soup(site, url).select_one("article")


def text(node) -> str:
    return " ".join(node.get_text().split())


def follow(site: Path, url: str) -> list[str]:
    """Every page of a list, reached from page 1 by its 下一页 links alone (no script)."""
    urls = [url]
    while True:
        nxt = article(site, urls[-1]).select_one("nav.sl-pager a[rel=next]")
        if nxt is None:
            return urls
        target = (site / urls[-1] / nxt["href"]).resolve().relative_to(site.resolve())
        urls.append(target.as_posix())


def linked_ids(site: Path, url: str) -> list[str]:
    return [a.get_text() for a in article(site, url).select("tbody tr > td:first-child > a")]


# --- listings -------------------------------------------------------------------------------


def test_a_type_listing_is_split_into_pages_that_together_hold_every_record(site) -> None:
    urls = follow(site, "rectification")
    assert urls == ["rectification"] + [f"rectification/page/{n}" for n in range(2, 6)]
    ids = [i for url in urls for i in linked_ids(site, url)]
    assert ids == [f"ZG-2023-{n:03d}" for n in range(1, RECTIFICATIONS + 1)]
    titles = [soup(site, url).title.get_text() for url in urls]
    assert len(set(titles)) == len(titles)
    assert titles[1].startswith("整改事项（第 2 页） - ")
    second = article(site, "rectification/page/2")
    assert second.h1.get_text() == "整改事项（第 2 页）"
    # The count is the whole listing's, and the page says where it sits.
    assert text(second.h2) == f"整改事项：{RECTIFICATIONS} 条"
    assert text(second.select_one("[data-pages-of]")) == "第 2 / 5 页（第 6–10 条，共 23 条）"


def test_page_navigation_is_accessible_and_links_every_neighbour(site) -> None:
    nav = article(site, "rectification/page/3").select_one("nav.sl-pager")
    assert nav["aria-label"] == "分页：第 3 / 5 页"
    links = {a.get_text(): a for a in nav.select("a")}
    assert links["上一页"]["rel"] == ["prev"] and links["下一页"]["rel"] == ["next"]
    assert links["上一页"]["href"] == "../../../rectification/page/2/"
    # Page 1 keeps the listing's own URL, so links elsewhere stay valid.
    assert links["1"]["href"] == "../../../rectification/"
    current = nav.select("[aria-current=page]")
    assert [a.get_text() for a in current] == ["3"] and current[0]["aria-label"] == "第 3 页"
    first = article(site, "rectification").select_one("nav.sl-pager")
    assert first.select_one("a[rel=prev]") is None
    assert [a.get_text() for a in first.select("a")] == ["1", "2", "3", "5", "下一页"]
    assert first.select_one(".sl-pager-gap").get_text() == "…"
    # A list that fits one page has no navigation.
    assert article(site, "plan").select_one("nav.sl-pager") is None


def test_a_group_listing_paginates_across_its_sections(site) -> None:
    urls = follow(site, "body/ly-rd")
    ids = [i for url in urls for i in linked_ids(site, url)]
    assert len(ids) == len(set(ids)) == RECTIFICATIONS + 3
    # Sections in the model's order of types (site_config/types/*.yml), each by ID.
    assert ids[:3] == ["WT-2023-001", "SX-2023-001", "JH-2023-01"]
    assert [text(h) for h in article(site, urls[0]).select("h2")] == [
        "发现问题：1 条", "监督事项：1 条", "监督计划：1 条", f"整改事项：{RECTIFICATIONS} 条"]
    # A section continued on a later page keeps its heading and the whole section's count.
    headings = [text(h) for h in article(site, urls[-1]).select("h2")]
    assert headings == [f"整改事项：{RECTIFICATIONS} 条"]


# --- the ledger -----------------------------------------------------------------------------


def test_the_ledger_pages_hold_every_row_and_count_the_whole_ledger(site) -> None:
    urls = follow(site, "ledger")
    assert len(urls) == 5
    rows = [tr for url in urls for tr in article(site, url).select("table[data-ledger] tbody tr")]
    assert [tr.td.get_text() for tr in rows] == [f"ZG-2023-{n:03d}"
                                                for n in range(1, RECTIFICATIONS + 1)]
    second = article(site, "ledger/page/2")
    assert "全部整改事项 23 项，已完成 16 项" in text(second)
    # The filters offer every status and unit of the ledger, not only this page's.
    statuses = [o.get_text() for o in second.select("[data-filter=status] option")]
    assert statuses == ["全部", "已完成", "整改中"]
    assert len(second.select("[data-filter=unit] option")) == 1 + len(UNITS)
    assert second.select_one("[data-ledger-filters]")["data-src"] == "../../../ledger/rows.json"


def test_rows_json_holds_exactly_what_the_ledger_pages_show(sites) -> None:
    for audience, site in sites.items():
        data = json.loads((site / "ledger" / "rows.json").read_text(encoding="utf-8"))
        assert data["fields"] == list(render._Writer.LEDGER_FIELDS)
        rows = [dict(zip(data["fields"], values)) for values in data["rows"]]
        shown = {tr.td.get_text(): tr for url in follow(site, "ledger")
                 for tr in article(site, url).select("table[data-ledger] tbody tr")}
        assert [r["id"] for r in rows] == list(shown), audience
        for row in rows:
            tr = shown[row["id"]]
            cells = [text(td) for td in tr.select("td")]
            deadline = row["due"] + (f"（已延期 {row['extensions']} 次；原期限 {row['original']}）"
                                     if row["extensions"] else "")
            badge = row["status_label"] + (f" 逾期 {row['overdue']} 日" if row["overdue"] else "")
            assert cells == [row["id"], row["title"], row["unit"], row["body"], deadline,
                             badge], row["id"]
            assert tr["data-overdue"] == ("yes" if row["overdue"] else "no")
            # Links are relative to the file: ledger/ → ../rectification/ZG-…/
            assert row["url"] == f"../rectification/{row['id']}/"
        assert CONTACT not in (site / "ledger" / "rows.json").read_text(encoding="utf-8")


def test_the_leak_guard_reads_rows_json(tmp_path, monkeypatch) -> None:
    root = paged_project(tmp_path / "project")
    real = render._Writer._ledger_data

    def leaky(self, items, names, path):
        data = json.loads(real(self, items, names, path))
        data["rows"][0].append(CONTACT)
        return json.dumps(data, ensure_ascii=False).encode()

    monkeypatch.setattr(render._Writer, "_ledger_data", leaky)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(root), tmp_path / "site", AS_OF)
    assert {leak.file for leak in caught.value.leaks} == {"ledger/rows.json"}


# --- overdue, change log, children ------------------------------------------------------------


def test_the_overdue_page_is_paginated_and_counts_every_overdue_record(site) -> None:
    urls = follow(site, "overdue")
    late = [n for n in range(1, RECTIFICATIONS + 1) if n % 3 == 0]
    assert len(urls) == 2
    ids = [i for url in urls for i in linked_ids(site, url)]
    assert sorted(ids) == [f"ZG-2023-{n:03d}" for n in late]
    for url in urls:
        page = article(site, url)
        assert f"共有 {len(late)} 项记录超过现行期限" in text(page)
        assert text(page.h2) == f"整改事项（{len(late)}）"


def test_the_change_log_is_paginated_and_a_day_continues_on_the_next_page(site) -> None:
    urls = follow(site, "changes")
    items = [li for url in urls for li in article(site, url).select("h2 + ul > li")]
    assert len(items) == RECTIFICATIONS + 3
    assert len(urls) == -(-(RECTIFICATIONS + 3) // PAGE_SIZE)
    for url in urls:
        assert [h.get_text() for h in article(site, url).select("h2")] == ["2026-11-01"]


def test_a_record_with_many_children_lists_the_first_and_links_to_all(site) -> None:
    page = article(site, "finding/WT-2023-001")
    below = next(h for h in page.select("#chain ~ div h3") if h.get_text() == "下级记录")
    listed = below.find_next("ul").select("li")
    assert [li.a.get_text().split()[0] for li in listed] == ["ZG-2023-001", "ZG-2023-002",
                                                             "ZG-2023-003"]
    more = page.select_one(".sl-more-children")
    assert text(more) == (f"共 {RECTIFICATIONS} 条，这里列出前 3 条（完成情况见下）；"
                          f"查看全部 {RECTIFICATIONS} 条下级记录。")
    assert more.a["href"] == "../../finding/WT-2023-001/children/"
    # The roll-up still counts them all.
    rollup = [text(td) for td in page.select("table[data-rollup] tbody tr td")]
    assert rollup[:3] == ["整改事项", str(RECTIFICATIONS), "16"]
    urls = follow(site, "finding/WT-2023-001/children")
    assert urls[1] == "finding/WT-2023-001/children/page/2"
    ids = [i for url in urls for i in linked_ids(site, url)]
    assert ids == [f"ZG-2023-{n:03d}" for n in range(1, RECTIFICATIONS + 1)]
    assert soup(site, urls[1]).title.get_text().startswith("林业项目资金拨付滞后的下级记录（第 2 页）")
    # A record with few children lists them all and links nowhere else.
    item = article(site, "item/SX-2023-001")
    assert item.select_one(".sl-more-children") is None
    assert not (site / "item" / "SX-2023-001" / "children").exists()


# --- the settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ["page_size", "children_shown"])
def test_page_settings_must_be_positive_whole_numbers(tmp_path, setting) -> None:
    root = paged_project(tmp_path / "project")
    site = root / "site_config" / "site.yml"
    site.write_text(re.sub(rf"  {setting}: \d+", f"  {setting}: 0", site.read_text("utf-8")),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(root / "site_config")
    assert f"settings.{setting} 应为正整数，现在是“0”" in str(caught.value)
