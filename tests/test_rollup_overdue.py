"""Generic overdue flags, the overdue page by column, and the roll-up on parent pages, on real
mkdocs builds in temporary folders.

- any type with a due role gets overdue flags (record page, listing, overdue page): shown
  with the review-opinion resolution type, whose due role is `response_due`;
- the overdue page prints each cell under its own heading, whatever the order of `listing`;
- a parent page shows its descendants' completion per type, down the parents chain
  (plan ← item ← finding ← rectification); on the demo, 洛阳's plan shows 28 items (8 done)
  and 129 rectification items (113 done, 87.6 %).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.pipeline import Deployment, build
from conftest import BASE_RECORDS, REPO, make_project, record, write_all

AS_OF = date(2026, 11, 21)

OPINION = record("""
    id: YJ-2023-001
    type: resolution
    title: 关于林业资金监督的审议意见
    status: issued
    kind: review_opinion
    body: ly-rd
    item: SX-2023-001
    adopted: 2023-06-01
    response_due: 2023-09-01
    """)

LATE_RECTIFICATION = record("""
    id: ZG-2023-002
    type: rectification
    title: 完善林业项目资金监管制度
    status: in_progress
    finding: WT-2023-001
    responsible_unit: ly-lyj
    assigned: 2023-05-01
    deadline: 2023-12-31
    """)


def page(site: Path, path: str) -> BeautifulSoup:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article")


def _build(root: Path, out: Path) -> Path:
    build(Deployment(root), out, AS_OF, history=False)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("generic") / "project")
    write_all(root, {**BASE_RECORDS,
                     "content/resolutions/YJ-2023-001.md": OPINION,
                     "content/rectifications/ZG-2023-002.md": LATE_RECTIFICATION})
    return _build(root, tmp_path_factory.mktemp("generic-site") / "site")


def test_any_type_with_a_due_role_is_flagged_overdue(site: Path) -> None:
    opinion = page(site, "resolution/YJ-2023-001")
    days = (AS_OF - date(2023, 9, 1)).days
    # Public pages say how many days, not only that it is overdue.
    assert [b.get_text() for b in opinion.select(".sl-meta .sl-badge")] == ["已交办",
                                                                           f"逾期 {days} 日"]
    facts = {div.dt.get_text(): div.dd.get_text()
             for div in opinion.select("dl[data-facts] > div")}
    assert facts["逾期"] == f"截至 {AS_OF.isoformat()} 已逾期 {days} 日"
    listing = page(site, "resolution")
    row = listing.select_one("a[href$='YJ-2023-001/']").find_parent("tr")
    assert f"逾期 {days} 日" in row.get_text()


def test_overdue_page_has_one_section_per_type_with_due_role(site: Path) -> None:
    overdue = page(site, "overdue")
    sections = [h.get_text() for h in overdue.select("h2")]
    assert sections == ["整改事项（1）", "决议决定与审议意见（1）"]   # types in model order
    tables = overdue.select("table")
    heads = [th.get_text() for th in tables[0].select("thead th")]
    cells = dict(zip(heads, (td.get_text() for td in tables[0].select("tbody td"))))
    assert cells == {"编号": "ZG-2023-002", "整改事项": "完善林业项目资金监管制度",
                     "责任单位": "洛阳市林业局", "现行期限": "2023-12-31",
                     "状态": f"整改中 逾期 {(AS_OF - date(2023, 12, 31)).days} 日"}
    opinion = dict(zip([th.get_text() for th in tables[1].select("thead th")],
                       (td.get_text() for td in tables[1].select("tbody td"))))
    assert opinion["作出机关"] == "洛阳市人大常委会" and opinion["现行期限"] == "2023-09-01"


def test_reordered_listing_never_mislabels_the_overdue_page(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    config = root / "site_config" / "types" / "rectification.yml"
    text = config.read_text(encoding="utf-8")
    assert "listing: [responsible_unit, deadline, completed]" in text
    config.write_text(text.replace("listing: [responsible_unit, deadline, completed]",
                                   "listing: [deadline, completed, responsible_unit]"),
                      encoding="utf-8")
    write_all(root, {**BASE_RECORDS, "content/rectifications/ZG-2023-002.md": LATE_RECTIFICATION})
    overdue = page(_build(root, tmp_path / "site"), "overdue")
    heads = [th.get_text() for th in overdue.select("thead th")]
    cells = dict(zip(heads, (td.get_text() for td in overdue.select("tbody td"))))
    assert cells["责任单位"] == "洛阳市林业局" and cells["现行期限"] == "2023-12-31"


def test_parent_pages_roll_up_their_descendants(site: Path) -> None:
    plan = page(site, "plan/JH-2023-01")
    rows = {tr.td.get_text(): [td.get_text(strip=True) for td in tr.select("td")[1:3]]
            for tr in plan.select("table[data-rollup] tbody tr")}
    # one item (done), one finding, two live rectifications (one done): every level below.
    assert rows["监督事项"][0] == "1"
    assert rows["整改事项"] == ["2", "1"]
    bar = plan.select_one("table[data-rollup] progress")
    assert bar is not None and bar["max"]
    finding = page(site, "finding/WT-2023-001")
    assert [tr.td.get_text() for tr in finding.select("table[data-rollup] tbody tr")] == [
        "整改事项"]
    rectification = page(site, "rectification/ZG-2023-002")
    assert rectification.select_one("table[data-rollup]") is None     # nothing below it


def test_demo_plan_rolls_up_the_luoyang_figures(tmp_path: Path) -> None:
    site = _build(REPO, tmp_path / "site")
    plan = page(site, "plan/JH-2023-01")
    rows = {tr.td.get_text(): [td.get_text(strip=True) for td in tr.select("td")[1:]]
            for tr in plan.select("table[data-rollup] tbody tr")}
    assert rows["监督事项"][:2] == ["28", "8"]
    # 共计, 已完成, 进行中, 未开始, 逾期, 完成进度 (bar and figure)
    assert rows["整改事项"][:2] + rows["整改事项"][-1:] == ["129", "113", "87.6%87.6%"]
    total, done, going, waiting = (int(n) for n in rows["整改事项"][:4])
    assert done + going + waiting == total
