"""Site search, checked where it lives: the built site in a real headless Chromium.

Builds a small site (its Pagefind index included), serves it on 127.0.0.1 and uses the theme's
search field as a citizen would: a Chinese word inside a sentence of a body is found (also
one that Pagefind's and the browser's dictionaries cut differently), an exact record ID
brings that record first although other records mention it more often, a filter narrows the
results, each result shows type, ID, status and unit, and the keyboard shortcut opens the
search. Needs Debian's chromium and chromium-driver (.ci/run installs them); without them the
test is skipped locally and fails in CI.
"""

from __future__ import annotations

import os
from datetime import date

import pytest

from builder.pipeline import Deployment, build
from builder.stages import search_index

from browser import CHROMEDRIVER, CHROMIUM, chrome, requested_urls, serve, set_viewport
from conftest import BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, edit, make_project, write_all

WORD = "芍药"          # only in the body of ZG-2023-001, inside a sentence
SPLIT_WORD = "种质"    # one word to Pagefind's jieba, two to the browser's dictionary

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are required in CI", pytrace=False)
    pytest.skip("chromium/chromedriver not installed", allow_module_level=True)

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def _rectification(number: int, title: str, status: str, unit: str, body: str) -> str:
    text = edit(RECTIFICATION, "id: ZG-2023-001", f"id: ZG-2023-{number:03d}")
    text = edit(text, "title: 加快林业项目资金拨付", f"title: {title}")
    text = edit(text, "responsible_unit: ly-lyj", f"responsible_unit: {unit}")
    if status != "completed":
        text = edit(text, "status: completed", f"status: {status}")
        text = edit(text, "completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")
    return edit(text, "整改正文。", body)


def _project(folder):
    root = make_project(folder / "project")
    files = dict(BASE_RECORDS)
    files[RECTIFICATION_PATH] = edit(
        RECTIFICATION, "整改正文。",
        f"整改正文。已在林场补种{WORD}和牡丹，建立牡丹{SPLIT_WORD}资源圃和养护台账。")
    # Three more rectifications of the same finding: two name ZG-2023-001 in their bodies
    # more often than its own page does; one is still in progress, at another unit.
    files["content/rectifications/ZG-2023-002.md"] = _rectification(
        2, "林业项目资金拨付情况复查", "completed", "ly-lyj",
        "复查 ZG-2023-001 的整改情况。ZG-2023-001 已完成，ZG-2023-001 的资金已拨付。")
    files["content/rectifications/ZG-2023-003.md"] = _rectification(
        3, "林业项目资金绩效评价", "in_progress", "ly-czj",
        "参照 ZG-2023-001 开展林业项目资金绩效评价，ZG-2023-001 的做法在全市推广。")
    files["content/rectifications/ZG-2023-004.md"] = _rectification(
        4, "林业项目资金公示", "completed", "ly-lyj", "在政府网站公示林业项目资金。")
    write_all(root, files)
    return root


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = _project(tmp_path_factory.mktemp("search"))
    build(Deployment(root), root / "site", date(2026, 11, 21))
    with serve(root / "site", SERVED) as url:
        yield url


SERVED: list[str] = []   # every path the browser asked the site for


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chrome(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def _search(browser, url: str, query: str) -> list[dict[str, str]]:
    """Open the search with its shortcut, type `query`, wait for the results to settle."""
    browser.get(url)
    wait = WebDriverWait(browser, 20)
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[data-sl-search][data-ready]")))
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    box = browser.switch_to.active_element
    assert box.get_attribute("data-sl-search-query") is not None, "/ did not focus the search"
    box.send_keys(query)
    # The count is said once the results of the whole query are on screen (not a prefix's).
    wait.until(lambda d: (lambda count: count.text.startswith(("找到", "没有找到"))
                          and count.get_attribute("data-query") == query)(
        d.find_element(By.CSS_SELECTOR, "[data-sl-search-count]")))
    return _results(browser)


def _results(browser) -> list[dict[str, str]]:
    out = []
    for item in browser.find_elements(By.CSS_SELECTOR, "li.md-search-result__item"):
        link = item.find_element(By.CSS_SELECTOR, "a.md-search-result__link")
        out.append({"href": link.get_attribute("href"),
                    "title": item.find_element(By.TAG_NAME, "h1").text,
                    "type": item.find_element(By.CSS_SELECTOR, ".sl-search-type").text,
                    "id": item.find_element(By.CSS_SELECTOR, ".sl-search-id").text,
                    "status": item.find_element(By.CSS_SELECTOR, ".sl-search-status").text,
                    "unit": _text(item, ".sl-search-unit"),
                    "excerpt": item.find_element(By.CSS_SELECTOR, ".sl-search-excerpt")
                    .get_attribute("innerHTML")})
    return out


def _text(item, selector: str) -> str:
    found = item.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def test_a_chinese_word_inside_a_sentence_is_found_and_shown(site_url, browser) -> None:
    results = _search(browser, site_url, WORD)
    assert [r["id"] for r in results] == ["ZG-2023-001"]
    shown = results[0]
    assert shown["href"].endswith("/rectification/ZG-2023-001/")
    assert (shown["title"], shown["type"], shown["status"], shown["unit"]) == (
        "加快林业项目资金拨付", "整改事项", "已完成", "洛阳市林业局")
    assert f"<mark>{WORD}</mark>" in shown["excerpt"]       # the page's text, not spaced out
    count = browser.find_element(By.CSS_SELECTOR, "[data-sl-search-count]")
    assert count.get_attribute("role") == "status" and count.text == "找到 1 条记录"
    # Every result is on screen: no "more" button to press.
    assert not browser.find_element(By.CSS_SELECTOR, "[data-sl-search-more]").is_displayed()


def test_a_word_the_two_dictionaries_cut_differently_is_found(site_url, browser) -> None:
    assert [r["id"] for r in _search(browser, site_url, SPLIT_WORD + "资源")] == ["ZG-2023-001"]
    assert [r["id"] for r in _search(browser, site_url, SPLIT_WORD)] == ["ZG-2023-001"]
    # Characters of the query spread over a page are no match: it is a phrase.
    assert _search(browser, site_url, "芍牡") == []


def test_an_exact_id_returns_that_record_first(site_url, browser) -> None:
    results = _search(browser, site_url, "ZG-2023-001")
    ids = [r["id"] for r in results]
    assert ids[0] == "ZG-2023-001" and {"ZG-2023-002", "ZG-2023-003"} <= set(ids), ids
    assert _search(browser, site_url, "zg-2023-003")[0]["id"] == "ZG-2023-003"


def test_a_filter_narrows_the_results(site_url, browser) -> None:
    everything = _search(browser, site_url, "林业项目资金")
    assert {r["id"] for r in everything} >= {"ZG-2023-001", "ZG-2023-002", "ZG-2023-003",
                                             "ZG-2023-004"}
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-filters]").is_displayed())
    status = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='status']"))
    status.select_by_value("整改中")      # the finding's status follows its open rectification
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-count]").text
               == "找到 2 条记录")
    assert {(r["id"], r["status"]) for r in _results(browser)} == {
        ("ZG-2023-003", "整改中"), ("WT-2023-001", "整改中")}
    kind = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='type']"))
    kind.select_by_value("整改事项")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-count]").text
               == "找到 1 条记录")
    assert [(r["id"], r["type"], r["status"], r["unit"]) for r in _results(browser)] == [
        ("ZG-2023-003", "整改事项", "整改中", "洛阳市财政局")]
    assert kind.first_selected_option.text == "整改事项（1）"   # what each value would leave
    unit = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='unit']"))
    assert "洛阳市林业局" in [o.get_attribute("value") for o in unit.options]
    years = [o.get_attribute("value") for o in
             Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='year']")).options]
    assert "2023" in years


def test_shortcuts_open_and_escape_closes_the_search_on_a_phone(site_url, browser) -> None:
    set_viewport(browser, 390, 844)
    try:
        browser.get(site_url)
        WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "[data-sl-search][data-ready]")))
        toggle = browser.find_element(By.ID, "__search")
        box = browser.find_element(By.CSS_SELECTOR, "[data-sl-search-query]")
        assert not toggle.is_selected() and not box.is_displayed()
        browser.find_element(By.TAG_NAME, "body").send_keys("s")
        WebDriverWait(browser, 5).until(lambda d: box.is_displayed())
        assert toggle.is_selected() and browser.switch_to.active_element == box
        box.send_keys(WORD)
        WebDriverWait(browser, 20).until(lambda d: d.find_elements(
            By.CSS_SELECTOR, "li.md-search-result__item"))
        item = browser.find_element(By.CSS_SELECTOR, "li.md-search-result__item")
        assert item.rect["width"] <= 390
        box.send_keys(Keys.ESCAPE)
        WebDriverWait(browser, 5).until(lambda d: not toggle.is_selected())
    finally:
        set_viewport(browser, 1366, 900)


def test_only_the_index_a_query_needs_is_downloaded(site_url, tmp_path) -> None:
    """Pagefind's files, from the site itself: some word chunks and the fragments of the
    results shown, never the whole index; no other host is asked for anything."""
    browser = chrome(tmp_path / "fresh")     # nothing cached
    try:
        SERVED.clear()
        _search(browser, site_url, WORD)
        paths = [p.split("?")[0] for p in SERVED]
        urls = requested_urls(browser)
    finally:
        browser.quit()
    assert {"/pagefind/pagefind.js", "/pagefind/pagefind-entry.json"} <= set(paths), paths
    chunks = [p for p in paths if p.endswith(".pf_index")]
    fragments = [p for p in paths if p.endswith(".pf_fragment")]
    assert chunks and len(fragments) == 1, paths
    web = [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))]
    assert web and all(u.startswith(site_url) for u in web), web


def test_the_ledger_still_filters_rows_in_the_browser(site_url, browser) -> None:
    browser.get(site_url + "ledger/")
    wait = WebDriverWait(browser, 20)
    box = wait.until(expected_conditions.visibility_of_element_located(
        (By.CSS_SELECTOR, "[data-filter='text']")))
    rows = browser.find_elements(By.CSS_SELECTOR, "table[data-ledger] tbody tr")
    assert len(rows) == 4
    box.send_keys("不存在的单位")
    # The script draws the matching rows of the whole ledger (rows.json) in place of the page's.
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-ledger-count]").text
               == "显示 0 / 4 项")
    assert not browser.find_elements(By.CSS_SELECTOR, "table[data-ledger] tbody tr")


# --- A site indexed in bundles: three Pagefind indexes merged into one search -----------------

# The 7 record pages in the order of their paths, 3 a bundle: the finding, item and plan in
# pagefind/, ZG-2023-001 to 003 in pagefind/part-2/, ZG-2023-004 alone in pagefind/part-3/.
BUNDLED: list[str] = []


@pytest.fixture(scope="module")
def bundled_url(tmp_path_factory):
    root = _project(tmp_path_factory.mktemp("bundled"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "PAGES_PER_BUNDLE", 3)
        build(Deployment(root), root / "site", date(2026, 11, 21))
    assert (root / "site" / "pagefind" / "part-3" / "pagefind-entry.json").is_file()
    with serve(root / "site", BUNDLED) as url:
        yield url


def test_one_query_searches_every_bundle_ranked_together(bundled_url, tmp_path) -> None:
    browser = chrome(tmp_path / "fresh")     # nothing cached
    try:
        BUNDLED.clear()
        ids = [r["id"] for r in _search(browser, bundled_url, "林业项目资金")]
        # Pages of the first bundle (the finding), the second and the third.
        assert {"WT-2023-001", "ZG-2023-001", "ZG-2023-003", "ZG-2023-004"} <= set(ids), ids
        paths = [p.split("?")[0] for p in BUNDLED]
        # Each bundle's entry and metadata; the script and WebAssembly once, from the first.
        for part in ("/pagefind/", "/pagefind/part-2/", "/pagefind/part-3/"):
            assert part + "pagefind-entry.json" in paths, paths
        assert [p for p in paths if p.endswith(".pagefind")] == \
            [p for p in paths if p.startswith("/pagefind/wasm.")], paths
        assert len([p for p in paths if p.endswith(".pagefind")]) == 1, paths
        # The exact-ID rule and the result fields are those of a one-bundle site.
        results = _search(browser, bundled_url, "ZG-2023-001")
        assert results[0]["id"] == "ZG-2023-001"
        assert {"ZG-2023-002", "ZG-2023-003"} <= {r["id"] for r in results}
        # A bundle without the ID's word would answer with every page of its longest prefix
        # (Pagefind's fallback, per bundle): an ID whole in one bundle finds that record only.
        assert [r["id"] for r in _search(browser, bundled_url, "ZG-2023-004")] == ["ZG-2023-004"]
        assert [r["id"] for r in _search(browser, bundled_url, "wt-2023-001")][0] == "WT-2023-001"
        shown = _search(browser, bundled_url, "公示")[0]
        assert (shown["id"], shown["type"], shown["status"], shown["unit"]) == (
            "ZG-2023-004", "整改事项", "已完成", "洛阳市林业局")
    finally:
        browser.quit()


def test_filters_and_their_counts_cover_every_bundle(bundled_url, browser) -> None:
    everything = _search(browser, bundled_url, "林业项目资金")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-filters]").is_displayed())
    # The values of the filter lists come from all bundles: 洛阳市财政局 only from the second.
    unit = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='unit']"))
    assert {"洛阳市林业局", "洛阳市财政局"} <= {o.get_attribute("value") for o in unit.options}
    status = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='status']"))
    status.select_by_value("整改中")      # the finding (first bundle), ZG-2023-003 (second)
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-count]").text
               == "找到 2 条记录")
    assert {r["id"] for r in _results(browser)} == {"ZG-2023-003", "WT-2023-001"}
    # The item (first bundle), ZG-2023-001 and 002 (second), ZG-2023-004 (third).
    status.select_by_value("已完成")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-sl-search-count]").text
               == "找到 4 条记录")
    assert {r["id"] for r in _results(browser)} == {"SX-2023-001", "ZG-2023-001", "ZG-2023-002",
                                                    "ZG-2023-004"}
    assert len(everything) > 4
    kind = Select(browser.find_element(By.CSS_SELECTOR, "select[data-search-filter='type']"))
    # The counts beside each value are summed over the bundles.
    assert "整改事项（3）" in [o.text for o in kind.options]
    status.select_by_value("")


def test_more_results_are_shown_a_page_at_a_time_until_none_is_left(tmp_path) -> None:
    """Ten results a page (search.js PAGE): the button shows the next ones, then is gone."""
    root = make_project(tmp_path / "project")
    write_all(root, {**BASE_RECORDS, **{
        f"content/rectifications/ZG-2023-{n:03d}.md": _rectification(
            n, f"林场防火通道第{n}段修复", "completed", "ly-lyj", "修复林场防火通道。")
        for n in range(2, 14)}})
    build(Deployment(root), root / "site", date(2026, 11, 21))
    browser = chrome(tmp_path / "chromium")
    try:
        with serve(root / "site") as url:
            assert len(_search(browser, url, "防火通道")) == 10
            more = browser.find_element(By.CSS_SELECTOR, "[data-sl-search-more]")
            assert more.is_displayed()
            more.click()
            WebDriverWait(browser, 20).until(lambda d: len(_results(d)) == 12)
            assert browser.find_element(By.CSS_SELECTOR, "[data-sl-search-count]").text \
                == "找到 12 条记录"
            assert not more.is_displayed()
    finally:
        browser.quit()
