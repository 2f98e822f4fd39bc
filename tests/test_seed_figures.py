"""Every figure of the seed reports, computed from the demo records, on the page its declaration
names: the public statistics page, or the internal one (internal tables) and the internal
dashboards (内部工作台) of a site built for 临沂市纪委监委, which owns the 派驻 leads.

The figures live in site_config/statistics.yml and dashboards.yml; the records in content/ come
from scripts/make_demo_content.py (and scripts/demo_seeds.py). For each figure the test also
drops one record that it counts and computes the statistics again: the figure must change,
so it is computed from records and not typed in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.pipeline import Deployment, build, check
from builder.stages import statistics
from builder.stages.projection import Audience

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
DJK, LY, LZH, LYI = "丹江口市人大常委会", "洛阳市人大常委会", "柳州市纪委监委", "临沂市纪委监委"

# (site, table id, the row's key cells, column heading, figure id, shown value, a record it counts)
FIGURES = [
    # 丹江口: 193 review opinions (in 53 documents), all closed within the legal period
    ("public", "review-opinions", [DJK], "意见条数", "opinion_items", "193",
     "content/resolutions/YJ-2016-001.md"),
    ("public", "review-opinions", [DJK], "条数期限内办结率", "opinion_items_in_time_rate",
     "193/193（100.0%）", "content/resolutions/YJ-2020-001.md"),
    ("public", "review-opinions-by-year", [DJK, "2018"], "期限内办结条数", "opinion_items_in_time",
     "39", "content/resolutions/YJ-2018-003.md"),
    ("public", "review-opinion-votes", [DJK, "2020"], "满意票", "opinion_votes_satisfied", "286",
     "content/resolutions/YJ-2020-002.md"),
    # 26 performance reports, 117 problems, all rectified
    ("public", "performance-reports", [DJK], "应报送", "reports_total", "26",
     "content/reports/BG-2019-001.md"),
    ("public", "performance-reports", [DJK], "反馈问题", "report_problems", "117",
     "content/reports/BG-2019-001.md"),
    ("public", "performance-reports", [DJK], "问题整改率", "report_problems_rate",
     "117/117（100.0%）", "content/reports/BG-2019-002.md"),
    # 专项工作评议: 10 departments, 79 problems, 35 opinions, 双满意 every year
    ("public", "appraisals", ["合计"], "被评议部门", "appraisals_total", "10",
     "content/appraisals/PY-2016-001.md"),
    ("public", "appraisals", ["合计"], "已整改", "appraisal_problems_rectified", "79",
     "content/appraisals/PY-2017-002.md"),
    ("public", "appraisals", ["合计"], "评议意见", "appraisal_opinions", "35",
     "content/appraisals/PY-2018-001.md"),
    ("public", "appraisals", [DJK, "2019"], "双满意", "appraisal_double_satisfied", "2",
     "content/appraisals/PY-2019-002.md"),
    # deputies' suggestions: 478 + 296, 327 resolved = 42.2 %, previous term 34.3 %
    ("public", "suggestions-by-term", [DJK, "第九届"], "会议期间", "batch_handled_session", "478",
     "content/suggestion-batches/JB-2018-01.md"),
    ("public", "suggestions-by-term", [DJK, "第九届"], "闭会期间", "batch_handled_recess", "296",
     "content/suggestion-batches/JB-2018-02.md"),
    ("public", "suggestions-by-term", [DJK, "第九届"], "解决落实到位", "batch_resolved", "327",
     "content/suggestion-batches/JB-2019-01.md"),
    ("public", "suggestions-by-term", [DJK, "第九届"], "解决落实率", "batch_resolved_rate", "42.2%",
     "content/suggestion-batches/JB-2016-01.md"),
    ("public", "suggestions-by-term", [DJK, "第八届"], "解决落实率", "batch_resolved_rate", "34.3%",
     "content/suggestion-batches/JB-2013-01.md"),
    ("public", "suggestions-by-term", [DJK, "第九届"], "比上一期", "batch_resolved_rate_change",
     "+7.9 个百分点", "content/suggestion-batches/JB-2011-01.md"),
    ("public", "suggestions-by-year", [DJK, "2019"], "解决落实率", "batch_resolved_rate", "42.0%",
     "content/suggestion-batches/JB-2019-02.md"),
    # 洛阳: 12 linked projects, 372 problems, all handed over
    ("public", "linked-levels", [LY], "联动项目", "linked_items", "12",
     "content/items/SX-2023-001.md"),
    ("public", "linked-levels", [LY], "发现问题", "linked_problems", "372",
     "content/items/SX-2023-002.md"),
    ("public", "linked-levels", [LY], "交办率", "linked_assigned_rate", "372/372（100.0%）",
     "content/items/SX-2023-003.md"),
    # 泸州: 近 20 joint items, 近 170 materials
    ("public", "joint-items", ["合计"], "融合式监督", "joint_items", "19",
     "content/items/SX-2022-001.md"),
    ("internal", "exchanges", ["合计"], "交换资料", "exchange_pieces", "168",
     "content/exchanges/JL-2023-001.md"),
    # 派驻: 三单, the quarterly report, the meeting rhythm, the lead cycle
    ("internal", "dispatch-sheets", ["合计"], "发出", "sheets_issued", "11",
     "content/dispatch-sheets/GD-2024-001.md"),
    ("internal", "dispatch-sheets", [LZH, "监督建议单"], "逾期未办结", "sheets_overdue", "1",
     "content/dispatch-sheets/GD-2024-009.md"),
    ("internal", "analysis-reports", [LZH, "2024年第4季度"], "应报送", "analysis_reports_due", "1",
     "content/reports/BG-2024-013.md"),
    ("internal", "meeting-rhythm", [LYI, "问题线索研判处置会"], "欠开", "meetings_not_held", "1",
     "content/meetings/HY-2024-018.md"),
    ("internal", "meeting-rhythm", [LYI, "派驻监督情况分析会"], "按节奏召开",
     "meetings_held_on_time", "3", "content/meetings/HY-2024-011.md"),
    ("internal", "lead-cycle", [LYI], "已分类处置待反馈", "leads_disposed", "2",
     "content/leads/XS-2024-012.md"),
    ("internal", "lead-cycle", [LYI], "逾期未反馈", "leads_feedback_overdue", "2",
     "content/leads/XS-2024-013.md"),
]


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("seeds")
    out = {"public": root / "public", "internal": root / "internal"}
    build(Deployment(REPO), out["public"], AS_OF, history=False)
    build(Deployment(REPO), out["internal"], AS_OF, audience=Audience.INTERNAL, body="lyi-jw",
          history=False)
    return out


@pytest.fixture(scope="module")
def checked():
    result = check(Deployment(REPO))
    assert result.validation.valid
    return result


def page(site: Path, path: str) -> BeautifulSoup:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article")


def table(site: Path, table_id: str) -> tuple[list[str], list[list[str]]]:
    """The headings and the rows (cell texts) of one statistics table, found by its anchor."""
    heading = page(site, "stats").find(id=table_id)
    assert heading is not None, f"no table {table_id} on {site.name}/stats"
    found = heading.find_next("table")
    heads = [th.get_text(strip=True) for th in found.select("thead th")]
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in found.select("tbody tr")]
    return heads, rows


def linked_ids(found) -> list[str]:
    """The record IDs the rows of a table link to (first link of each row)."""
    return [tr.select_one("td a")["href"].rstrip("/").split("/")[-1]
            for tr in found.select("tbody tr")]


def json_value(figures: statistics.Figures, table_id: str, key: list[str], figure: str):
    tf = next(t for t in figures.tables if t.table.id == table_id)
    rows = ([tf.total] if key == ["合计"] else
            [r for r in tf.rows if [p.text + p.suffix.replace("年", "") for p in r.parts] == key])
    assert len(rows) <= 1, (table_id, key)
    # A row whose last record is gone is no longer shown: the figure has no value.
    return statistics.json_value(rows[0].values[figure]) if rows else None


@pytest.mark.parametrize("site, table_id, key, heading, figure, shown, counted", FIGURES,
                         ids=[f"{f[1]}-{f[4]}" for f in FIGURES])
def test_seed_figure_on_its_page_and_computed_from_records(sites, checked, site, table_id, key,
                                                           heading, figure, shown, counted):
    heads, rows = table(sites[site], table_id)
    row = next((r for r in rows if r[:len(key)] == key), None)
    assert row is not None, f"{table_id}: no row {key} in {rows}"
    assert row[heads.index(heading)] == shown

    records = checked.validation.records
    assert any(r.path == counted for r in records), counted
    before = statistics.compute(records, checked.model, AS_OF)
    after = statistics.compute([r for r in records if r.path != counted], checked.model, AS_OF)
    assert json_value(after, table_id, key, figure) != json_value(before, table_id, key, figure)


def test_internal_tables_are_not_on_the_public_site(sites):
    public = page(sites["public"], "stats")
    for table_id in ("exchanges", "dispatch-sheets", "analysis-reports", "meeting-rhythm",
                     "lead-cycle"):
        assert public.find(id=table_id) is None, table_id
    assert not (sites["public"] / "lead").exists()
    assert not (sites["public"] / "dispatch_sheet").exists()


@pytest.mark.parametrize("table_id, ids", [
    ("common-issues", ["WT-2023-042", "WT-2023-043", "WT-2023-045"]),       # 泸州 共性问题清单
    ("duty-list", ["SX-2024-001", "SX-2024-002", "SX-2024-003", "SX-2024-004"]),   # 监督履职清单
    ("feedback-list", ["YJ-2024-001", "YJ-2024-002", "YJ-2024-003", "YJ-2024-004",
                       "YJ-2024-005", "YJ-2026-001"]),                        # 整改反馈清单
    ("transfers", ["WT-2024-004"]),                                           # 问题互移
])
def test_dongtou_and_luzhou_listings(sites, table_id, ids):
    heads, rows = table(sites["public"], table_id)
    found = page(sites["public"], "stats").find(id=table_id).find_next("table")
    assert linked_ids(found) == ids
    if table_id == "transfers":
        row = dict(zip(heads, rows[0]))
        assert row["移交机关"] == "温州市洞头区纪委监委" and row["已完成"] == "1"


def test_internal_dashboards_list_what_is_owed(sites):
    board = page(sites["internal"], "dashboards")

    def ids_in(title: str) -> list[str]:
        heading = next(h for h in board.select("h2") if h.get_text(strip=True).startswith(title))
        return linked_ids(heading.find_next("table"))

    assert ids_in("欠开的会议") == ["HY-2024-018"]
    assert ids_in("问题线索闭环管理") == ["XS-2024-010", "XS-2024-011", "XS-2024-012", "XS-2024-013"]
    assert ids_in("逾期未办结的派驻监督工作单") == ["GD-2024-009"]
