"""Screenshots of the public demo site in headless Chromium, for the README and for review.

    python scripts/screenshots.py [--out docs/img] [--widths 390,1366]

Builds the demo site (this repository's content, with its Git history) into a temporary
folder, serves it on 127.0.0.1 and saves the first screen of the home page, a record page,
the ledger and the statistics page at each width as `<page>-<width>.png`, and one screen of the
statistics page scrolled to its first table (cards on a phone). Needs Debian's
chromium and chromium-driver and selenium (the test extras).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import browser as chromium  # noqa: E402  (tests/browser.py: how Sunlight starts Chromium)
from builder.pipeline import Deployment, build  # noqa: E402

# name: (page, element scrolled to the top of the screen, or None for the first screen)
PAGES = {"home": ("", None), "record": ("rectification/ZG-2023-003/", None),
         "ledger": ("ledger/", None), "statistics": ("stats/", None),
         "statistics-table": ("stats/", "table[data-statistics]")}
HEIGHTS = {390: 844}          # a phone's screen; other widths get a desktop's 900


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    parser.add_argument("--widths", default="390,1366")
    parser.add_argument("--as-of", default=date.today().isoformat())
    args = parser.parse_args()
    if not (chromium.CHROMIUM and chromium.CHROMEDRIVER):
        print("chromium and chromedriver are needed", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(Deployment(REPO), site, date.fromisoformat(args.as_of))
        driver = chromium.chrome(Path(tmp) / "profile")
        try:
            with chromium.serve(site) as base:
                for width in (int(w) for w in args.widths.split(",")):
                    chromium.set_viewport(driver, width, HEIGHTS.get(width, 900))
                    for name, (page, top) in PAGES.items():
                        driver.get(base + page)
                        if top:
                            driver.execute_script(
                                "document.querySelector(arguments[0]).scrollIntoView()", top)
                        target = args.out / f"{name}-{width}.png"
                        target.write_bytes(driver.get_screenshot_as_png())
                        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}"
                              f"  {target.stat().st_size // 1024} KB")
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
