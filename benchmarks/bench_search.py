"""Site search: the bytes a visitor downloads before the first results appear.

Builds a generated project (bench_validate.generate) with Sunlight, serves the public site on
127.0.0.1 and, in a fresh headless Chromium for each query, opens the home page, types the
query into the search field and waits for the result list. The server records every file the
browser asks for, the page's and Pagefind's web worker's alike; a file counts with its
compressed size (gzip -9, as a web server would send it; Pagefind's data files are gzip
already; the filter lists, which search.js asks for once the first results are drawn,
count only in the second figure). Printed: per query, the files fetched for the search and their compressed bytes,
before the first results and once the filter lists have loaded too; the index's size on
disk for comparison, and the peak memory of each Pagefind service (the index is built in
bundles of search_index.PAGES_PER_BUNDLE pages, a process each, one after another). Needs Debian's chromium and
chromium-driver.

    python benchmarks/bench_search.py                    # 1 000 records
    python benchmarks/bench_search.py --records 1000 10000
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench_validate import generate  # noqa: E402
from builder.pipeline import Deployment, build  # noqa: E402
from builder.stages import search_index  # noqa: E402

# A word in every rectification's body, a word in the findings only, a title and an exact ID.
QUERIES = ("整改措施", "拨付", "基准整改事项", "ZG-2023-00123")
TARGET = 300e3


@dataclass
class Fetched:
    query: str
    results: str = ""
    first: dict[str, int] = field(default_factory=dict)     # path → compressed bytes
    settled: dict[str, int] = field(default_factory=dict)   # … once the filter lists loaded


class Measured:
    """Stands in for the subprocess module inside search_index: starts Pagefind's service
    the same way and, once it is reaped, keeps its peak resident memory (os.wait4's rusage,
    in KiB on Linux): one process a bundle."""

    def __init__(self) -> None:
        self.peaks: list[int] = []

    def __getattr__(self, name: str):
        return getattr(subprocess, name)

    def Popen(self, *args, **kwargs):  # noqa: N802 (subprocess's name)
        peaks = self.peaks

        class Reaped(subprocess.Popen):
            def wait(self, timeout=None):
                if self.returncode is None:
                    _, status, usage = os.wait4(self.pid, 0)
                    self.returncode = os.waitstatus_to_exitcode(status)
                    peaks.append(usage.ru_maxrss)
                return self.returncode

        return Reaped(*args, **kwargs)


def compressed(path: Path) -> int:
    data = path.read_bytes()
    return min(len(data), len(gzip.compress(data, compresslevel=9, mtime=0)))


def fetch(site: Path, query: str, profile: Path) -> Fetched:
    """What the browser downloads for `query`, typed into the search field of the home page."""
    from browser import chrome, serve
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    served: list[str] = []
    found = Fetched(query)
    with serve(site, served) as url:
        driver = chrome(profile)
        try:
            driver.get(url)
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(
                By.CSS_SELECTOR, "[data-sl-search][data-ready]"))
            before = len(served)
            driver.find_element(By.CSS_SELECTOR, "body").send_keys("/")
            driver.switch_to.active_element.send_keys(query)
            count = driver.find_element(By.CSS_SELECTOR, "[data-sl-search-count]")
            WebDriverWait(driver, 120, poll_frequency=0.05).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "li.md-search-result__item")
                or count.text.startswith("没有找到"))
            first = [p for p in served[before:] if not p.split("?")[0].endswith(".pf_filter")]
            # The count is said once the drawn results are complete (search.js).
            WebDriverWait(driver, 120).until(lambda d: count.get_attribute("data-query") == query)
            found.results = count.text
            # search.js asks for the filter lists only once the first results are drawn; the
            # poll above may see them already requested (they are left out of `first`).
            WebDriverWait(driver, 120).until(lambda d: d.find_element(
                By.CSS_SELECTOR, "[data-sl-search-filters]").is_displayed())
            time.sleep(0.5)
            settled = list(served[before:])
        finally:
            driver.quit()
    for paths, into in ((first, found.first), (settled, found.settled)):
        for path in paths:
            local = site / path.split("?")[0].lstrip("/")
            if local.is_file():
                into[path.split("?")[0]] = compressed(local)
    return found


def kind(path: str) -> str:
    for suffix, name in ((".pf_index", "word chunks"), (".pf_fragment", "fragments"),
                         (".pf_filter", "filters"), (".pf_meta", "metadata"),
                         (".pagefind", "WebAssembly"), (".json", "entry"), (".js", "scripts")):
        if path.endswith(suffix):
            return name
    return "other"


def report(records: int, fetched: list[Fetched], bundle: Path) -> None:
    on_disk = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    print(f"== {records} records: index {on_disk / 1e6:.1f} MB on disk "
          f"in {sum(1 for p in bundle.rglob('*') if p.is_file())} files")
    for one in fetched:
        parts: dict[str, int] = {}
        for path, size in one.first.items():
            parts[kind(path)] = parts.get(kind(path), 0) + size
        total = sum(one.first.values())
        print(f"   {one.query!r:<18} {one.results:<12} first results "
              f"{total / 1e3:6.1f} KB gz in {len(one.first):3d} files "
              f"({', '.join(f'{k} {v / 1e3:.1f}' for k, v in sorted(parts.items()))}); "
              f"with filters {sum(one.settled.values()) / 1e3:.1f} KB")
    worst = max(sum(one.first.values()) for one in fetched)
    print(f"   largest before first results: {worst / 1e3:.1f} KB gz "
          f"(target ≤ {TARGET / 1e3:.0f} KB at 10 000 records: "
          f"{'met' if worst <= TARGET else 'NOT met'} at {records})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    for records in args.records:
        tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-search-"))
        try:
            generate(tmp / "project", records)
            start = time.perf_counter()
            measured = Measured()
            search_index.subprocess = measured
            try:
                built = build(Deployment(tmp / "project"), tmp / "site", date(2026, 11, 21),
                              history=False)
            finally:
                search_index.subprocess = subprocess
            print(f"(built {built.pages} pages in {time.perf_counter() - start:.0f} s; "
                  f"search index {built.timings['search']:.1f} s)")
            bundles = 1 + len(json.loads((tmp / "site" / search_index.BUNDLE
                                          / search_index.PARTS).read_bytes()))
            print(f"   Pagefind: {bundles} bundle(s) of ≤ {search_index.PAGES_PER_BUNDLE} "
                  f"pages in {len(measured.peaks)} service process(es), peak "
                  f"{', '.join(f'{kib / 1024:.0f}' for kib in measured.peaks)} MiB")
            fetched = [fetch(tmp / "site", q, tmp / f"profile-{i}")
                       for i, q in enumerate(QUERIES)]
            report(records, fetched, tmp / "site" / "pagefind")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
