"""What the theme prints around Sunlight's pages: Chinese, once, and the same for both sites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup

from builder.pipeline import Deployment, build

from conftest import BASE_RECORDS, make_project, write_all

REPO = Path(__file__).resolve().parents[1]
OVERRIDES = REPO / "templates" / "overrides"


def test_404_footer_and_home_title_are_chinese_and_said_once(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    write_all(root, BASE_RECORDS)
    build(Deployment(root), root / "site", date(2026, 11, 21))
    site = root / "site"
    missing = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert missing.h1.get_text(strip=True) == "页面不存在（404）"
    assert "Not found" not in missing.get_text()
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    name = home.select_one(".md-header__topic").get_text(strip=True)
    assert home.title.get_text() == name
    footer = home.select_one("footer").get_text(" ", strip=True)
    assert "Made with" not in footer and "Material" not in footer
    assert home.select_one("a.md-skip").get_text(strip=True) == "跳到正文"
    assert home.select_one("a.md-skip")["href"] == "#top" and home.select_one("#top")
    assert home.select_one(".md-search")["aria-label"]
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")
    ledger = BeautifulSoup((site / "ledger" / "index.html").read_text(encoding="utf-8"),
                           "html.parser")
    assert ledger.title.get_text() == f"整改台账 - {name}"


def test_both_audiences_share_the_same_reading_aids() -> None:
    """The reading aids live once, in overrides/common/, overlaid under each audience's own
    folder; an audience folder holds only what differs (its main.html)."""
    shared = {p.relative_to(OVERRIDES / "common").as_posix()
              for p in (OVERRIDES / "common").rglob("*") if p.is_file()}
    assert {"404.html", "partials/copyright.html", "partials/search.html",
            "partials/sunlight-access.html", "partials/sunlight-print.html"} <= shared
    for audience in ("public", "internal"):
        own = {p.relative_to(OVERRIDES / audience).as_posix()
               for p in (OVERRIDES / audience).rglob("*") if p.is_file()}
        assert not own & shared, (audience, own & shared)
