"""The public site, built for real with mkdocs-material into temporary folders.

One project is built once per module: the base chain (plan → item → finding →
rectification) plus records that exercise every rule of the public projection: an overdue
item with internal fields and an internal block, a withdrawn record, an internal meeting, a
restricted lead, an embargoed finding, and a record full of hostile text. Canary values are
planted in everything the public must not see.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder import pipeline
from builder.pipeline import LeakDetected, Deployment, build
from builder.model.records import Record

from conftest import BASE_RECORDS, edit, make_project, record, write_all

AS_OF = date(2026, 11, 21)
SECRET = "CANARYSECRET"
PUBLIC_CANARY = "PUBLICCANARY整改公开标记"
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>](javascript:alert(3))|x|\n第二行'

OVERDUE = record(f"""
    id: ZG-2023-002
    type: rectification
    title: 完善林业项目资金监管制度
    status: in_progress
    finding: WT-2023-001
    responsible_unit: ly-lyj
    assigned: 2023-05-01
    deadline: 2023-12-31
    deadline_extensions:
      - date: 2023-12-20
        deadline: 2024-06-30
        reason: 制度需经市政府常务会议审议
    progress: 制度草案已形成。{PUBLIC_CANARY}
    contact: 联系人{SECRET}01 电话0379-0000
    internal_note: 督办备注{SECRET}02
    """, f"""
    ## 整改措施

    修订资金管理办法。

    <!-- internal -->
    内部研判{SECRET}03意见
    <!-- /internal -->
    """)

WITHDRAWN = record("""
    id: ZG-2023-003
    type: rectification
    title: 重复交办的整改事项
    status: withdrawn
    finding: WT-2023-001
    responsible_unit: ly-lyj
    assigned: 2023-05-01
    deadline: 2023-12-31
    withdrawn: 2023-07-01
    withdrawal_reason: 与 ZG-2023-001 重复，合并办理
    """, "撤回前的正文不再公开。\n")

MEETING = record(f"""
    id: HY-2023-001
    type: meeting
    title: 三方联席会议{SECRET}04
    status: held
    kind: joint_meeting
    date: 2023-03-01
    held_on: 2023-03-01
    convener: lz-rd
    bodies: [lz-rd, lz-xc, lz-sj]
    decisions:
      - 商定联动事项{SECRET}05
    """)

LEAD = record(f"""
    id: XS-2023-001
    type: lead
    title: 资金拨付问题线索{SECRET}06
    status: received
    owner_body: ly-rd
    received: 2023-04-01
    summary: 群众反映{SECRET}07
    verified: false
    """)

EMBARGOED = record(f"""
    id: WT-2023-002
    type: finding
    title: 尚未公开的问题{SECRET}08
    status: open
    publish_after: 2027-01-15
    origin: SX-2023-001
    source_body: ly-rd
    category: funds
    found: 2023-04-10
    description: 暂缓公开{SECRET}09
    """)

HOSTILE_RECORD = record(f"""
    id: ZG-2023-004
    type: rectification
    title: {json.dumps(HOSTILE, ensure_ascii=False)}
    status: completed
    finding: WT-2023-001
    responsible_unit: ly-lyj
    assigned: 2023-05-01
    deadline: 2023-12-31
    completed: 2023-10-01
    result: {json.dumps(HOSTILE, ensure_ascii=False)}
    progress: {json.dumps(HOSTILE, ensure_ascii=False)}
    evidence:
      - {json.dumps(HOSTILE, ensure_ascii=False)}
    source: {json.dumps(HOSTILE, ensure_ascii=False)}
    """)

PUBLIC_IDS = {"JH-2023-01", "SX-2023-001", "WT-2023-001", "ZG-2023-001", "ZG-2023-002",
              "ZG-2023-003", "ZG-2023-004"}


def content() -> dict[str, str]:
    files = dict(BASE_RECORDS)
    # The rectification's internal block and a reference to the embargoed finding.
    files["content/rectifications/ZG-2023-001.md"] = edit(
        BASE_RECORDS["content/rectifications/ZG-2023-001.md"], "内部督办情况。",
        f"内部督办情况{SECRET}10。")
    files.update({
        "content/rectifications/ZG-2023-002.md": OVERDUE,
        "content/rectifications/ZG-2023-003.md": WITHDRAWN,
        "content/rectifications/ZG-2023-004.md": HOSTILE_RECORD,
        "content/meetings/HY-2023-001.md": MEETING,
        "content/leads/XS-2023-001.md": LEAD,
        "content/findings/WT-2023-002.md": EMBARGOED,
    })
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("site") / "project")
    write_all(root, content())
    result = build(Deployment(root), root / "site", AS_OF)
    assert result.public_records == len(PUBLIC_IDS)
    return root / "site"


def page(site: Path, url: str) -> BeautifulSoup:
    path = site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup):
    return soup.select_one("article")


def ids_linked(soup: BeautifulSoup) -> set[str]:
    return {a.get_text(strip=True) for a in article(soup).select("tr > td:first-child > a")}


# --- pages --------------------------------------------------------------------------------------


def test_every_public_record_has_a_page_and_nothing_else_does(built: Path) -> None:
    for record_id in PUBLIC_IDS:
        type_name = {"JH": "plan", "SX": "item", "WT": "finding", "ZG": "rectification"}[record_id[:2]]
        assert (built / type_name / record_id / "index.html").is_file(), record_id
    assert not (built / "meeting").exists()
    assert not (built / "lead").exists()
    assert not (built / "finding" / "WT-2023-002").exists()


def test_record_page_shows_status_facts_extensions_and_chain(built: Path) -> None:
    soup = article(page(built, "rectification/ZG-2023-002"))
    assert soup.h1.get_text() == "完善林业项目资金监管制度"
    badges = [b.get_text() for b in soup.select(".sl-meta .sl-badge")]
    days = (AS_OF - date(2024, 6, 30)).days      # past the deadline in force, not the original
    assert badges == ["整改中", f"逾期 {days} 日"]
    facts = {div.dt.get_text(): div.dd for div in soup.select("dl[data-facts] > div")}
    assert facts["责任单位"].get_text() == "洛阳市林业局"
    # The due field's row shows the deadline in force, the original struck through and labelled.
    assert facts["整改期限"].get_text() == "2024-06-30（已延期 1 次；原期限 2023-12-31）"
    assert facts["整改期限"].select_one("del").get_text() == "2023-12-31"
    header = soup.select_one(".sl-meta").get_text()
    assert "整改期限：2024-06-30（已延期 1 次；原期限 2023-12-31）" in header
    extension = [td.get_text() for td in facts["延期记录"].select("tbody td")]
    assert extension == ["2023-12-20", "2024-06-30", "制度需经市政府常务会议审议"]
    assert facts["逾期"].get_text() == f"截至 2026-11-21 已逾期 {days} 日"
    assert "联系人" not in facts and "内部备注" not in facts
    up = [a["href"] for a in soup.select("#chain ~ div a")]
    assert "../../finding/WT-2023-001/" in up
    # ... and the chain runs the other way from the finding.
    finding = article(page(built, "finding/WT-2023-001"))
    down = {a.get_text() for a in finding.select("#chain ~ div a")}
    assert {"ZG-2023-001 加快林业项目资金拨付", "ZG-2023-002 完善林业项目资金监管制度"} <= down
    assert "SX-2023-001 林业项目资金使用情况专项监督" in down


def test_body_is_rendered_without_its_internal_block(built: Path) -> None:
    body = article(page(built, "rectification/ZG-2023-002")).select_one(".sl-body")
    assert body.h2.get_text() == "整改措施"
    assert body.h2["id"] == "整改措施"  # a readable anchor, not _1
    assert "修订资金管理办法。" in body.get_text()
    assert SECRET not in body.get_text()


def test_reference_to_an_embargoed_record_is_dropped_not_dead(built: Path) -> None:
    soup = article(page(built, "item/SX-2023-001"))
    assert "WT-2023-002" not in soup.get_text()


def test_tombstone_keeps_id_title_and_reason(built: Path) -> None:
    soup = article(page(built, "rectification/ZG-2023-003"))
    assert soup.h1.get_text() == "重复交办的整改事项"
    text = soup.get_text()
    assert "已于 2023-07-01 撤回" in text and "与 ZG-2023-001 重复，合并办理" in text
    assert "撤回前的正文不再公开" not in text


def test_listings_per_type_body_unit_year_status(built: Path) -> None:
    assert ids_linked(page(built, "rectification")) == {"ZG-2023-001", "ZG-2023-002",
                                                         "ZG-2023-003", "ZG-2023-004"}
    assert ids_linked(page(built, "body/ly-rd")) >= {"JH-2023-01", "SX-2023-001", "WT-2023-001",
                                                     "ZG-2023-001"}
    assert "ZG-2023-002" in ids_linked(page(built, "unit/ly-lyj"))
    assert "JH-2023-01" in ids_linked(page(built, "year/2023"))
    assert ids_linked(page(built, "status/rectification-in_progress")) == {"ZG-2023-002"}
    browse = article(page(built, "browse"))
    assert {a["href"] for a in browse.select("a")} >= {"../rectification/", "../body/ly-rd/",
                                                       "../unit/ly-lyj/", "../year/2023/"}


def test_ledger_lists_live_rectifications_with_overdue_flags(built: Path) -> None:
    soup = article(page(built, "ledger"))
    rows = soup.select("table[data-ledger] tbody tr")
    assert [r.td.get_text() for r in rows] == ["ZG-2023-001", "ZG-2023-002", "ZG-2023-004"]
    flags = {r.td.get_text(): r["data-overdue"] for r in rows}
    assert flags == {"ZG-2023-001": "no", "ZG-2023-002": "yes", "ZG-2023-004": "no"}
    cells = [c.get_text() for c in rows[1].select("td")]
    # The deadline cell says how often it was extended: no separate 延期 column.
    assert cells[2:] == ["洛阳市林业局", "洛阳市人大常委会",
                         "2024-06-30（已延期 1 次；原期限 2023-12-31）", "整改中 逾期 874 日"]
    assert page(built, "ledger").select_one('script[src$="assets/ledger.js"]') is not None


def test_overdue_page_and_statistics_are_computed(built: Path) -> None:
    overdue = article(page(built, "overdue"))
    assert [a.get_text() for a in overdue.select("td:first-child a")] == ["ZG-2023-002"]
    stats = article(page(built, "stats"))
    total = [td.get_text() for td in stats.select("tr.sl-total td")]
    # 3 live rectifications, 2 completed (66.7 %), both on time, 1 overdue, 2 extended.
    assert total[2:8] == ["3", "2", "66.7%", "100.0%", "1", "2"]
    assert stats.select("svg.sl-chart title")[0].get_text() == "监督计划进度"


def test_home_shows_figures_computed_from_records(built: Path) -> None:
    soup = article(page(built, ""))
    figures = [f.select_one(".sl-number").get_text() for f in soup.select(".sl-figure")]
    assert figures == ["3", "2", "66.7%", "1"]


def test_records_stay_out_of_the_navigation(built: Path) -> None:
    nav = page(built, "rectification/ZG-2023-001").select_one("nav.md-nav--primary")
    links = {a.get_text(strip=True) for a in nav.select("a")}
    assert "整改台账" in links
    assert not any(link.startswith("ZG-") or "林业" in link for link in links)


def test_record_page_is_small(built: Path) -> None:
    size = (built / "rectification" / "ZG-2023-002" / "index.html").stat().st_size
    assert size < 60_000


# --- open data ----------------------------------------------------------------------------------


def test_open_data_matches_the_public_projection(built: Path) -> None:
    data = json.loads((built / "data" / "records.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in data["records"]} == PUBLIC_IDS
    with (built / "data" / "records.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(PUBLIC_IDS)
    assert "contact" not in rows[0] and "internal_note" not in rows[0]


# --- safety -------------------------------------------------------------------------------------


def test_no_canary_anywhere_but_the_public_one_is_found(built: Path) -> None:
    found_public = False
    for file in built.rglob("*"):
        if not file.is_file():
            continue
        text = file.read_bytes().decode("utf-8", errors="replace")
        text = text.encode().decode("unicode_escape", errors="replace") if file.suffix == ".json" \
            else text
        text = text.replace("\u200b", "")
        assert SECRET not in text, file
        assert "XS-2023-001" not in text and "HY-2023-001" not in text, file
        found_public = found_public or "PUBLICCANARY" in text
    assert found_public


def test_hostile_text_comes_out_as_literal_text(built: Path) -> None:
    soup = page(built, "rectification/ZG-2023-004")
    body = article(soup)
    assert body.h1.get_text() == HOSTILE
    for element in body.find_all(True):
        assert element.name not in ("script", "img", "iframe"), element
        assert not any(attr.startswith("on") for attr in element.attrs), element
        href = element.get("href", "")
        assert not href.lower().startswith("javascript"), element
    facts = {div.dt.get_text(): div.dd for div in body.select("dl[data-facts] > div")}
    assert facts["整改结果"].get_text("\n") == HOSTILE
    assert "<script>" not in soup.title.get_text()
    # The theme's own head has scripts; none of them came from the record.
    for script in soup.find_all("script"):
        assert "alert(" not in (script.string or "")


def test_a_leak_fails_the_build_and_keeps_the_live_site(tmp_path: Path, monkeypatch) -> None:
    root = make_project(tmp_path / "project")
    write_all(root, content())
    out = root / "site"
    build(Deployment(root), out, AS_OF)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def leaky_projection(records: list[Record], model, audience, as_of, body=None):
        projection = real_project(records, model, audience, as_of, body)
        # a bug that lets everything through, dressed up as public
        projection.records = [dataclasses.replace(r, visibility="public") for r in records
                              if "public" in model.types[r.type].allowed_visibility]
        return projection

    real_project = pipeline.project
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(root), out, AS_OF)
    leaked = {(leak.secret.record, leak.secret.field) for leak in caught.value.leaks}
    assert ("ZG-2023-002", "contact") in leaked
    assert ("WT-2023-002", "id") in leaked
    assert ("ZG-2023-001", "正文（内部内容）") in leaked
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site.")]
