"""代表建议 (suggestion), added as configuration and content only: its type file, ten demo
records of 丹江口 and its figures in statistics.yml. Nothing under builder/ names it, yet it
gets pages, overdue flags from its due role (交办 + 3 个月), and its 解决落实率 (resolved ÷
handled) on the statistics page and in `sunlight stats --format json`.

Demo: 10 suggestions handled, 8 replied, 4 resolved → 40.0 %; two still open past their
due date on 2026-11-21.
"""

from __future__ import annotations

import ast
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, build

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suggestions") / "site"
    build(Deployment(REPO), out, AS_OF, history=False)
    return out


def article(site: Path, path: str) -> BeautifulSoup:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article")


def test_builder_never_names_the_new_type() -> None:
    names = {"suggestion", "suggestions", "代表建议", "undertaker", "reply_class", "resolved"}
    for source in (REPO / "builder").rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        strings = {n.value for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not strings & names, (source, strings & names)


def test_resolved_rate_on_the_statistics_page(site: Path) -> None:
    stats = article(site, "stats")
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in stats.select("tr")]
    assert ["丹江口市人大常委会", "10", "8", "4", "40.0%"] in [r[:5] for r in rows]
    assert "解决落实率" in stats.get_text()


def test_resolved_rate_in_stats_json() -> None:
    old = os.getcwd()
    try:
        os.chdir(REPO)
        result = CliRunner().invoke(cli, ["stats", "--as-of", AS_OF.isoformat(),
                                          "--format", "json"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    figure = json.loads(result.output)["statistics"]["suggestions_resolved_rate"]
    assert figure["label"] == "解决落实率"
    assert figure["value"] == {"numerator": 4, "denominator": 10, "percent": 40.0}
    assert figure["definition"]


def test_suggestions_get_pages_listings_and_overdue_flags(site: Path) -> None:
    listing = article(site, "suggestion")
    assert len(listing.select("tbody tr")) == 10
    open_one = article(site, "suggestion/DB-2020-010")
    badges = [b.get_text() for b in open_one.select(".sl-meta .sl-badge")]
    assert badges[0] == "已交办" and re.fullmatch(r"逾期 \d+ 日", badges[1])
    overdue = article(site, "overdue")
    section = next(h for h in overdue.select("h2") if h.get_text().startswith("代表建议"))
    table = section.find_next_sibling("table")
    heads = [th.get_text() for th in table.select("thead th")]
    first = dict(zip(heads, (td.get_text() for td in table.select("tbody tr")[0].select("td"))))
    assert heads == ["编号", "代表建议", "承办单位", "现行期限", "状态"]
    assert first["编号"] == "DB-2020-009" and first["现行期限"] == "2020-12-15"
    assert first["承办单位"] == "丹江口市民政局"
