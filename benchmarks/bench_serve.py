"""Benchmark: from an edit of one record to the changed page being served by `sunlight serve`.

    python benchmarks/bench_serve.py [--records 1000] [--edits 5]

A project of N generated records (bench_validate's generator, with a copy of site_config/
and one Git commit) is previewed by a real `sunlight serve` process. Each edit changes one
record's title in content/ and polls the record's page over HTTP until the new title is
there; the median time is printed. The watcher polls every 0.5 s, so about 0.25 s of each
figure is waiting for it to notice.

Then the same edit is rebuilt in-process, the way the preview does (page cache and
pipeline.Reuse), to print where the time goes: the seconds of each stage and the pages taken
from the cache. Target (issue 14): ≤ 2 s at 1 000 records.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_validate import generate  # noqa: E402

from builder.pipeline import Deployment, Reuse, build  # noqa: E402

AS_OF = "2026-11-21"
RECORD = "content/rectifications/ZG-2023-00005.md"
PAGE = "rectification/ZG-2023-00005/"
TITLE = re.compile(r"^title: .*$", re.M)


def make_project(root: Path, records: int) -> None:
    generate(root, records)
    link = root / "site_config"
    link.unlink()
    shutil.copytree(ROOT / "site_config", link)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
           "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+08:00",
           "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+08:00"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "记录"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)


def set_title(root: Path, title: str) -> None:
    path = root / RECORD
    text = path.read_text(encoding="utf-8")
    path.write_text(TITLE.sub(f"title: {title}", text, count=1), encoding="utf-8")


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def lines_of(process: subprocess.Popen) -> "queue.Queue[str]":
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            found.put(line)
    threading.Thread(target=read, daemon=True).start()
    return found


def wait_line(lines: "queue.Queue[str]", pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        match = re.search(pattern, line)
        if match:
            return match
    raise SystemExit(f"sunlight serve did not print {pattern!r} within {timeout} s")


def served_edits(root: Path, edits: int) -> tuple[list[float], list[float]]:
    """Seconds from each edit to the served page showing it, against a real `sunlight serve`,
    and the seconds of each rebuild as the preview reports them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "builder.cli", "serve", "--root", str(root), "--port", "0",
         "--as-of", AS_OF], cwd=root, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        lines = lines_of(process)
        address = wait_line(lines, r"(http://[0-9.]+:\d+/)", 120).group(1)
        wait_line(lines, "已更新预览", 600)
        seconds, rebuilds = [], []
        for n in range(edits):
            title = f"服务基准修改第{n + 1}次"
            start = time.perf_counter()
            set_title(root, title)
            while title not in fetch(address + PAGE):
                if time.perf_counter() - start > 600:
                    raise SystemExit("the edit never appeared")
                time.sleep(0.2)
            seconds.append(time.perf_counter() - start)
            # The rebuild that showed it has ended; it says how long it took.
            rebuilds.append(float(wait_line(lines, r"已更新预览（([0-9.]+) 秒", 600).group(1)))
        return seconds, rebuilds
    finally:
        process.terminate()
        process.wait(timeout=60)


def stage_timings(root: Path) -> tuple[dict[str, float], object]:
    """One edit rebuilt in-process the way the preview rebuilds it, after a first build."""
    deployment, reuse = Deployment(root), Reuse()
    out = Path(tempfile.mkdtemp(prefix="sunlight-bench-serve-out-")) / "site"
    try:
        build(deployment, out, date.fromisoformat(AS_OF), reuse=reuse)
        set_title(root, "服务基准分阶段计时")
        built = build(deployment, out, date.fromisoformat(AS_OF), reuse=reuse)
        return built.timings, built.cache
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-serve-"))
    try:
        root = tmp / "project"
        make_project(root, args.records)
        seconds, rebuilds = served_edits(root, args.edits)
        print(f"{args.records} records: edit → page served, median of {len(seconds)}: "
              f"{statistics.median(seconds):.2f} s "
              f"({', '.join(f'{s:.2f}' for s in seconds)}; target ≤ 2 s at 1 000); "
              f"the preview's rebuilds took {', '.join(f'{s:.1f}' for s in rebuilds)} s")
        timings, cache = stage_timings(root)
        print("  one edit rebuilt in-process: "
              + ", ".join(f"{stage} {t:.2f} s" for stage, t in timings.items())
              + f"; total {sum(timings.values()):.2f} s; page cache {cache}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
