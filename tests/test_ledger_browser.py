"""The paginated ledger in a real headless Chromium: filters and sorting cover every row.

The generated project of test_pages.py (23 rectifications, 5 rows a page) is built and
served on 127.0.0.1. With scripts, filtering and sorting load rows.json and draw the matching
rows of the whole ledger, a page at a time, each row exactly as the pages print it; without
scripts, page 2 is one 下一页 away and the pages together are the complete ledger. Needs
Debian's chromium and chromium-driver (.ci/run installs them); without them the test is
skipped locally and fails in CI.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from bs4 import BeautifulSoup

import browser as chromium
from builder.pipeline import Deployment, build

from test_pages import RECTIFICATIONS, paged_project

if not (chromium.CHROMIUM and chromium.CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are required in CI", pytrace=False)
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)
pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

AS_OF = date(2026, 11, 21)
OPEN = [f"ZG-2023-{n:03d}" for n in range(1, RECTIFICATIONS + 1) if n % 3 == 0]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = paged_project(tmp_path_factory.mktemp("ledger-browser") / "project")
    site = root.parent / "site"
    build(Deployment(root), site, AS_OF)
    with chromium.serve(site) as base:
        yield base, site


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium.chrome(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def printed_rows(site) -> dict[str, list[str]]:
    """Each ledger row as the built pages print it (cell texts), by ID."""
    rows = {}
    for page in [site / "ledger" / "index.html", *sorted((site / "ledger" / "page").glob(
            "*/index.html"))]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tr in soup.select("table[data-ledger] tbody tr"):
            rows[tr.td.get_text()] = [" ".join(td.get_text().split()) for td in tr.select("td")]
    return rows


def shown_rows(driver) -> list[list[str]]:
    return [[" ".join(td.text.split()) for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "table[data-ledger] tbody tr")]


def count(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "[data-ledger-count]").text


def test_a_filter_finds_rows_of_every_page_and_draws_them_as_printed(served, browser) -> None:
    base, site = served
    chromium.requested_urls(browser)
    browser.get(base + "ledger/")
    wait = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException])
    status = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-filter=status]")
                        if d.find_element(By.CSS_SELECTOR, "[data-ledger-filters]")
                        .is_displayed() else None)
    # rows.json is loaded only when a reader filters or sorts.
    assert not [u for u in chromium.requested_urls(browser) if u.endswith("rows.json")]
    Select(status).select_by_visible_text("整改中")
    wait.until(lambda d: count(d) == f"显示 {len(OPEN)} / {RECTIFICATIONS} 项")
    assert [u for u in chromium.requested_urls(browser) if u.endswith("/ledger/rows.json")]
    printed = printed_rows(site)
    rows = shown_rows(browser)
    # Seven open rows from all five pages: five on the first page of results, as printed.
    assert [r[0] for r in rows] == OPEN[:5]
    assert rows == [printed[r[0]] for r in rows]
    assert not browser.find_element(By.CSS_SELECTOR, "nav[data-pager]").is_displayed()
    pager = browser.find_element(By.CSS_SELECTOR, "nav[aria-label='筛选结果分页']")
    assert pager.find_element(By.TAG_NAME, "p").text == "第 1 / 2 页"
    assert pager.find_element(By.CSS_SELECTOR, "[aria-current=page]").text == "1"
    pager.find_element(By.XPATH, ".//button[text()='下一页']").click()
    wait.until(lambda d: [r[0] for r in shown_rows(d)] == OPEN[5:])
    # The links of drawn rows lead to the records.
    link = browser.find_element(By.CSS_SELECTOR, "table[data-ledger] tbody a")
    assert link.get_attribute("href") == f"{base}rectification/{OPEN[5]}/"
    # Overdue only, then a word: filters combine, still over the whole ledger.
    browser.find_element(By.CSS_SELECTOR, "[data-filter=overdue]").click()
    wait.until(lambda d: count(d) == f"显示 {len(OPEN)} / {RECTIFICATIONS} 项")
    box = browser.find_element(By.CSS_SELECTOR, "[data-filter=text]")
    box.send_keys("整改事项021")
    wait.until(lambda d: count(d) == f"显示 1 / {RECTIFICATIONS} 项")
    assert [r[0] for r in shown_rows(browser)] == ["ZG-2023-021"]


def test_sorting_orders_the_whole_ledger(served, browser) -> None:
    base, site = served
    browser.get(base + "ledger/page/3/")
    wait = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException])
    header = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "th[data-sort=id]"))
    header.click()
    wait.until(lambda d: count(d) == f"显示 {RECTIFICATIONS} / {RECTIFICATIONS} 项")
    assert header.get_attribute("aria-sort") == "ascending"
    assert [r[0] for r in shown_rows(browser)] == [f"ZG-2023-{n:03d}" for n in range(1, 6)]
    header.click()
    wait.until(lambda d: header.get_attribute("aria-sort") == "descending")
    wait.until(lambda d: shown_rows(d)[0][0] == f"ZG-2023-{RECTIFICATIONS:03d}")
    assert [r[0] for r in shown_rows(browser)] == [f"ZG-2023-{n:03d}"
                                                   for n in range(RECTIFICATIONS, 18, -1)]
    # By deadline in force: the extended ones (2024-03-31) come last.
    due = browser.find_element(By.CSS_SELECTOR, "th[data-sort=due]")
    due.click()
    pager = browser.find_element(By.CSS_SELECTOR, "nav[aria-label='筛选结果分页']")
    pager.find_element(By.XPATH, ".//button[text()='5']").click()
    wait.until(lambda d: [r[0] for r in shown_rows(d)] == ["ZG-2023-012", "ZG-2023-016",
                                                          "ZG-2023-020"])
    printed = printed_rows(site)
    assert shown_rows(browser) == [printed[i] for i in ("ZG-2023-012", "ZG-2023-016", "ZG-2023-020")]


def test_without_scripts_every_page_is_reachable_and_the_pages_are_complete(served, browser
                                                                            ) -> None:
    base, _ = served
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(base + "ledger/")
        assert not browser.find_element(By.CSS_SELECTOR, "[data-ledger-filters]").is_displayed()
        seen = [r[0] for r in shown_rows(browser)]
        pages = 1
        while True:
            nxt = browser.find_elements(By.CSS_SELECTOR, "nav[data-pager] a[rel=next]")
            if not nxt:
                break
            nxt[0].click()
            pages += 1
            assert browser.current_url == f"{base}ledger/page/{pages}/"
            seen += [r[0] for r in shown_rows(browser)]
        assert pages == 5
        assert seen == [f"ZG-2023-{n:03d}" for n in range(1, RECTIFICATIONS + 1)]
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
