"""Benchmark: build the public site from 1 000 and 5 000 generated records.

    python benchmarks/bench_build.py [--records 1000 5000]

Prints the time of each pipeline stage, the output size, the size of one record page, and
the ratio to a plain mkdocs-material build of the same number of simple pages (same theme
and search plugin, pages likewise kept out of the navigation).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_validate import generate  # noqa: E402

from builder.stages import engine  # noqa: E402
from builder.pipeline import Deployment, build  # noqa: E402
from builder.stages.render import Page, Rendered  # noqa: E402


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def plain_build(tmp: Path, pages: int) -> tuple[float, int]:
    """mkdocs-material on `pages` simple Markdown pages, outside the nav."""
    docs = tmp / "plain" / "docs"
    (docs / "p").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n\n普通页面基准。\n", encoding="utf-8")
    for n in range(pages):
        (docs / "p" / f"{n:05d}.md").write_text(
            f"# 页面 {n}\n\n这是第 {n} 个普通页面，用于对比构建时间。整改事项按期完成。\n",
            encoding="utf-8")
    rendered = Rendered(pages=[Page("index.md", "首页", True), Page("p/x.md", "p")],
                        nav=[{"首页": "index.md"}])
    config = engine.write_config(rendered, docs, ROOT / "mkdocs.yml", None,
                                 tmp / "plain" / "site")
    data = json.loads(config.read_text(encoding="utf-8"))
    data.pop("extra_css"), data.pop("extra_javascript")
    config.write_text(json.dumps(data), encoding="utf-8")
    start = time.perf_counter()
    engine.build(config, date(2026, 11, 21))
    return time.perf_counter() - start, size_of(tmp / "plain" / "site")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    for count in args.records:
        tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-build-"))
        try:
            generate(tmp, count)
            start = time.perf_counter()
            built = build(Deployment(tmp), tmp / "site", date(2026, 11, 21))
            total = time.perf_counter() - start
            out = size_of(tmp / "site")
            page = next((tmp / "site" / "rectification").glob("ZG-*/index.html"))
            index = tmp / "site" / "pagefind"
            print(f"== {count} records: {built.pages} pages, {total:.1f} s, "
                  f"{out / 1e6:.1f} MB output")
            for stage, seconds in built.timings.items():
                print(f"   {stage:<14} {seconds:7.2f} s")
            print(f"   leak guard     {built.secrets_checked} secrets over {out / 1e6:.1f} MB: "
                  f"{built.timings['verify']:.2f} s, {built.timings['verify'] / count * 1e3:.2f} ms "
                  f"a record")
            print(f"   record page    {page.stat().st_size / 1e3:.1f} KB; search index "
                  f"{sum(p.stat().st_size for p in index.rglob('*') if p.is_file()) / 1e6:.2f} MB"
                  " in chunks (bench_search.py: what one query downloads)")
            plain_s, plain_size = plain_build(tmp, built.pages)
            print(f"   plain mkdocs-material, {built.pages} simple pages: {plain_s:.1f} s, "
                  f"{plain_size / 1e6:.1f} MB -> Sunlight/plain: time x{total / plain_s:.2f}, "
                  f"mkdocs stage x{built.timings['mkdocs'] / plain_s:.2f}, "
                  f"size x{out / plain_size:.2f}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
