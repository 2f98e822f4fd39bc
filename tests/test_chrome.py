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
    """The theme takes one override folder per audience; these files must not drift apart."""
    shared = ["404.html", "partials/copyright.html", "partials/search.html",
              "partials/sunlight-access.html", "partials/sunlight-print.html"]
    for rel in shared:
        assert (OVERRIDES / "public" / rel).read_bytes() == \
            (OVERRIDES / "internal" / rel).read_bytes(), rel
