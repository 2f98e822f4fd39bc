"""Helpers for the tests that run the built sites in a real headless Chromium.

One place knows how to start Debian's chromium/chromedriver, how to serve a built site on
127.0.0.1 and where axe-core lives, so the accessibility test, the request check and
`scripts/screenshots.py` start the browser the same way.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

AXE_VERSION = "4.14.1"
# Outside the repository: axe-core is a test tool, not part of the site (MPL-2.0, 650 KB).
# .ci/run installs it here before the tests; SUNLIGHT_AXE names another copy.
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sunlight" / \
    f"axe-core-{AXE_VERSION}"


def axe_script() -> Path | None:
    """axe.min.js: $SUNLIGHT_AXE, else the cache, else installed into the cache with npm."""
    named = os.environ.get("SUNLIGHT_AXE")
    if named:
        return Path(named) if Path(named).is_file() else None
    path = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if path.is_file():
        return path
    npm = shutil.which("npm")
    if npm is None:
        return None
    AXE_CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund",
                    "--silent", f"axe-core@{AXE_VERSION}"], check=False, timeout=300,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path if path.is_file() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    served: list[str] | None = None

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def send_head(self):
        # What the browser asked for, from any of its threads: a web worker's requests do
        # not reach the page's performance log.
        if self.served is not None:
            self.served.append(self.path)
        return super().send_head()


@contextlib.contextmanager
def serve(folder: Path, served: list[str] | None = None) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port); yields its base URL. With `served`,
    every requested path is appended to it."""
    handler = functools.partial(type("Handler", (_QuietHandler,), {"served": served}),
                                directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chrome(profile: Path, width: int = 1366, height: int = 900):
    """A headless Chromium that records every network request (performance log)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--force-device-scale-factor=1",
                 f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


def set_viewport(driver, width: int, height: int = 900) -> None:
    """The CSS viewport exactly (window size includes no chrome in headless mode, but be sure)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def requested_urls(driver) -> list[str]:
    """URLs the browser asked for since the last call (drains the performance log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
