"""Chinese full-text search, checked where it lives: in a real headless Chromium.

Builds a small site, serves it on 127.0.0.1, types a two-character word that occurs only in
one record's body into mkdocs-material's search box, and expects that record in the results.
Needs Debian's chromium and chromium-driver (.ci/run installs them); without them the test
is skipped locally and fails in CI.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from datetime import date

import pytest

from builder.pipeline import Deployment, build

from conftest import BASE_RECORDS, edit, make_project, write_all

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WORD = "芍药"  # appears only in the body of ZG-2023-001 below

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are required in CI", pytrace=False)
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("search") / "project")
    files = dict(BASE_RECORDS)
    files["content/rectifications/ZG-2023-001.md"] = edit(
        files["content/rectifications/ZG-2023-001.md"], "整改正文。",
        f"整改正文。已在林场补种{WORD}和牡丹，建立养护台账。")
    write_all(root, files)
    build(Deployment(root), root / "site", date(2026, 11, 21))
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_two_character_chinese_word_is_found_by_the_built_search(served_site, browser) -> None:
    browser.get(served_site)
    wait = WebDriverWait(browser, 20)
    toggle = wait.until(expected_conditions.element_to_be_clickable(
        (By.CSS_SELECTOR, "label.md-search__icon, label[for='__search']")))
    toggle.click()
    box = wait.until(expected_conditions.visibility_of_element_located(
        (By.CSS_SELECTOR, "input.md-search__input")))
    box.send_keys(WORD)
    results = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.md-search-result__item a")
                         or None)
    hrefs = [a.get_attribute("href") for a in results]
    assert any(h.rstrip("/").endswith("rectification/ZG-2023-001") or
               "rectification/ZG-2023-001/" in h for h in hrefs), hrefs


def test_ledger_filters_rows_in_the_browser(served_site, browser) -> None:
    browser.get(served_site + "ledger/")
    wait = WebDriverWait(browser, 20)
    box = wait.until(expected_conditions.visibility_of_element_located(
        (By.CSS_SELECTOR, "[data-filter='text']")))
    rows = browser.find_elements(By.CSS_SELECTOR, "table[data-ledger] tbody tr")
    assert len(rows) == 1
    box.send_keys("不存在的单位")
    # The script draws the matching rows of the whole ledger (rows.json) in place of the page's.
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-ledger-count]").text
               == "显示 0 / 1 项")
    assert not browser.find_elements(By.CSS_SELECTOR, "table[data-ledger] tbody tr")
