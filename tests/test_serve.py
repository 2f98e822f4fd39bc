"""`sunlight serve`: a real process on a free local port picks up an edited record."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import BASE_RECORDS, RECTIFICATION_PATH, edit, write_all


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float = 90.0, step: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def test_serve_rebuilds_after_an_edit_and_keeps_the_last_good_build(valid_project: Path) -> None:
    log = valid_project.parent / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "builder.cli", "serve", "--root", str(valid_project),
             "--port", "0", "--as-of", "2026-11-21"],
            stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    try:
        address = wait_for(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text()))
        assert address, log.read_text()
        page = f"{address.group(0)}rectification/ZG-2023-001/"
        assert "加快林业项目资金拨付" in (wait_for(lambda: fetch(page)) or "")

        original = BASE_RECORDS[RECTIFICATION_PATH]
        write_all(valid_project, {RECTIFICATION_PATH: edit(original, "title: 加快林业项目资金拨付",
                                                           "title: 全面完成林业项目资金拨付")})
        assert wait_for(lambda: "全面完成林业项目资金拨付" in (fetch(page) or "")), log.read_text()

        # A broken edit is reported in the terminal; the last good page keeps being served.
        write_all(valid_project, {RECTIFICATION_PATH: edit(original, "deadline: 2023-06-30",
                                                           "deadline: 2023-06-31")})
        assert wait_for(lambda: "invalid-date" in log.read_text()), log.read_text()
        assert "全面完成林业项目资金拨付" in (fetch(page) or "")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
