"""Benchmark: the targets of issue 14 beside the measured figures.

    python benchmarks/bench_targets.py [--records 500 1000] [--repeat 3]
    python benchmarks/bench_targets.py --full          # 1 000, 5 000 and 10 000 records

For each size, N records are generated (bench_validate's generator) and three builds run in
turn, several times: the bare mkdocs-material build, a cold Sunlight public build (new output
folder, the project's page cache removed first) and a second Sunlight build of the unchanged
content into the same folder (with the page cache the cold build left). Each build
is its own process (`sunlight build`, `mkdocs build`), so the CPU time (user + system) is that
of the whole process and the processes it waited for (Pagefind), read with os.wait4 - the
rusage of that one child, which RUSAGE_CHILDREN would blur over all children. Peak memory is
the most the process tree held at once: the resident memory of the build and of every process
it started, summed and sampled every 20 ms (the build keeps its own memory while Pagefind
runs, so the larger of the two peaks alone would understate it), and never less than the
largest single peak the kernel recorded (ru_maxrss). Medians are reported.

The bare build is mkdocs 1.6 + mkdocs-material over the same page paths as Sunlight's output:
every record page gets the record's own Markdown body (its public part), the other pages
(home, listings, dashboards ...) only a title, because their Markdown is Sunlight's own output,
not an input; record pages are kept out of the nav (not_in_nav), search uses `lang: zh`.

Figures that this script cannot measure cheaply (serve latency, history, search in Chromium)
are printed as "not measured" with where they are measured, never guessed.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_validate import generate  # noqa: E402

from builder.stages.cache import FOLDER as CACHE_FOLDER  # noqa: E402

AS_OF = "2026-11-21"
MIB = 1024 * 1024
# What the public sees of a body: the generator marks its internal part with these comments.
INTERNAL = re.compile(r"<!-- internal -->.*?<!-- /internal -->\n?", re.S)


@dataclass
class Run:
    """One process: CPU seconds (user + system) and peak resident memory in MiB."""
    cpu: float
    peak_mib: float


@dataclass
class Size:
    """Everything measured for one number of records."""
    records: int
    bare: list[Run] = field(default_factory=list)
    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    pages: int = 0
    search_gzip: int = 0
    bare_search_gzip: int = 0
    largest_record_page: int = 0
    largest_page: int = 0
    largest_page_url: str = ""
    ledger_rows_gzip: int = 0       # ledger/rows.json: loaded on the first filter or sort

    def median(self, runs: str) -> float:
        return statistics.median(r.cpu for r in getattr(self, runs))

    def peak(self, runs: str) -> float:
        return max(r.peak_mib for r in getattr(self, runs))


PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE = 0.02   # seconds between two readings of the process tree's memory


def tree_resident(pid: int) -> int:
    """Bytes resident in `pid` and all its descendants now (Linux /proc); 0 once it is gone."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as kids:
                    stack += [int(child) for child in kids.read().split()]
        except (OSError, ValueError):
            continue    # the process (or a thread) ended between two reads
    return total


def installed_env() -> dict[str, str]:
    """Both builds run as installed software runs: Python keeps its bytecode. pip compiled
    MkDocs' at install time; under PYTHONDONTWRITEBYTECODE (set on some development machines)
    Sunlight's own modules would be compiled again by every process and the comparison would
    not be fair. `compile_sunlight` compiles them once before the runs."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_sunlight() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "builder")],
                   env=installed_env(), check=True)


def run_process(args: list[str], cwd: Path) -> Run:
    """Run one command to its end and read its own rusage (its waited-for children included);
    its tree's resident memory is sampled meanwhile."""
    proc = subprocess.Popen(args, cwd=cwd, env=installed_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE):
            peak[0] = max(peak[0], tree_resident(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read()
    done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n"
                         f"{output.decode('utf-8', 'replace')[-3000:]}")
    # ru_maxrss is in KiB on Linux.
    return Run(usage.ru_utime + usage.ru_stime, max(peak[0] / MIB, usage.ru_maxrss / 1024))


def sunlight_build(project: Path, out: Path) -> Run:
    return run_process([sys.executable, "-m", "builder.cli", "build", "--root", str(project),
                        "--out", str(out), "--as-of", AS_OF, "--no-history"], project)


def bare_build(bare: Path) -> Run:
    return run_process([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                        str(bare / "mkdocs.yml")], bare)


def html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if p.is_file()]


def record_bodies(project: Path) -> dict[str, str]:
    """Record ID -> the public part of its Markdown body, read from the generated content."""
    bodies = {}
    for source in (project / "content").rglob("*.md"):
        _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
        record_id = re.search(r"^id: (\S+)$", front, re.M).group(1)
        bodies[record_id] = INTERNAL.sub("", body)
    return bodies


def write_bare_project(project: Path, site: Path, bare: Path) -> None:
    """The bare mkdocs-material project over Sunlight's page paths and the records' bodies."""
    bodies = record_bodies(project)
    docs = bare / "docs"
    record_folders = set()
    for page in html_pages(site):
        relative = page.relative_to(site)
        if relative.name != "index.html":
            continue  # 404.html and the like are the theme's own, in both builds
        folder = relative.parent
        markdown = docs / ("index.md" if folder == Path(".") else folder.with_suffix(".md"))
        markdown.parent.mkdir(parents=True, exist_ok=True)
        if folder.name in bodies:
            record_folders.add(folder.parent.as_posix())
            markdown.write_text(f"# {folder.name}\n\n{bodies[folder.name]}", encoding="utf-8")
        else:
            markdown.write_text(f"# {folder.name or '首页'}\n", encoding="utf-8")
    not_in_nav = "".join(f"    /{folder}/\n" for folder in sorted(record_folders))
    (bare / "mkdocs.yml").write_text(
        "site_name: bare\nuse_directory_urls: true\n"
        "theme:\n  name: material\n  language: zh\n  font: false\n"
        "plugins:\n  - search:\n      lang: zh\n"
        f"not_in_nav: |\n{not_in_nav}"
        f"site_dir: {bare / 'site'}\n", encoding="utf-8")


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)) if path.exists() else 0


def measure_outputs(size: Size, project: Path, site: Path, bare_site: Path) -> None:
    """Sizes a visitor meets: the search index (before the first result) and the pages."""
    ids = set(record_bodies(project))
    pages = html_pages(site)
    size.pages = len(pages)
    largest = max(pages, key=lambda p: p.stat().st_size)
    size.largest_page = largest.stat().st_size
    size.largest_page_url = largest.parent.relative_to(site).as_posix() + "/"
    size.ledger_rows_gzip = gzip_size(site / "ledger" / "rows.json")
    size.largest_record_page = max(p.stat().st_size for p in pages if p.parent.name in ids)
    size.search_gzip = search_first_results(site)
    size.bare_search_gzip = gzip_size(bare_site / "search" / "search_index.json")


def search_first_results(site: Path) -> int:
    """The most one of bench_search.QUERIES downloads before its first results appear
    (Pagefind's chunked index, in headless Chromium); 0 where Chromium is missing."""
    import bench_search
    from browser import CHROMEDRIVER, CHROMIUM
    if not (CHROMIUM and CHROMEDRIVER):
        return 0
    with tempfile.TemporaryDirectory() as profiles:
        return max(sum(bench_search.fetch(site, query, Path(profiles) / str(n)).first.values())
                   for n, query in enumerate(bench_search.QUERIES))


def measure(records: int, repeat: int) -> Size:
    """Interleave bare, cold and second builds `repeat` times for one number of records."""
    size = Size(records)
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-targets-"))
    try:
        project = tmp / "project"
        generate(project, records)
        for n in range(repeat):
            out = tmp / f"site-{n}"
            shutil.rmtree(project / CACHE_FOLDER, ignore_errors=True)   # cold means cold
            size.cold.append(sunlight_build(project, out))
            if n == 0:
                write_bare_project(project, out, tmp / "bare")
            size.bare.append(bare_build(tmp / "bare"))
            size.warm.append(sunlight_build(project, out))
            if n == 0:
                measure_outputs(size, project, out, tmp / "bare" / "site")
            shutil.rmtree(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return size


def growth_exponent(sizes: list[Size]) -> float | None:
    """Least-squares slope of log(CPU) over log(records); 1.0 is linear."""
    if len(sizes) < 2:
        return None
    xs = [math.log(s.records) for s in sizes]
    ys = [math.log(s.median("cold")) for s in sizes]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys))
            / sum((x - mx) ** 2 for x in xs))


def verdict(value: float | None, limit: float) -> str:
    return "not measured" if value is None else ("yes" if value <= limit else "NO")


def at_scale(value: float, limit: float, measured_at: int, target_at: int) -> str:
    """A size that only grows with the records: over the limit below the target scale is a
    clear no; under it, nothing is proven until the target scale is measured."""
    if value > limit:
        return "NO"
    return "yes" if measured_at >= target_at else f"open (at {measured_at}, not {target_at})"


def table(sizes: list[Size]) -> list[tuple[str, str, str]]:
    """(target, measured, met?) rows, every figure read from the runs above."""
    rows = []
    for s in sizes:
        ratio = s.median("cold") / s.median("bare")
        target = "≤ 1.0" if s.records in (1000, 5000) else "(≤ 1.0 at 1 000/5 000)"
        rows.append((f"CPU Sunlight/bare at {s.records} records {target}",
                     f"{ratio:.2f}× ({s.median('cold'):.1f} s / {s.median('bare'):.1f} s)",
                     verdict(ratio, 1.0) if s.records in (1000, 5000) else "-"))
    exponent = growth_exponent(sizes)
    span = f"{sizes[0].records}-{sizes[-1].records}"
    rows.append(("growth exponent of CPU ≤ 1.05 up to 10 000",
                 "not measured" if exponent is None else f"{exponent:.2f} ({span})",
                 verdict(exponent, 1.05) if exponent is None or sizes[-1].records >= 10000
                 else ("NO" if exponent > 1.05 else f"open ({span})")))
    big = sizes[-1]
    rows.append(("peak memory ≤ 300 MiB at 10 000",
                 f"{big.peak('cold'):.0f} MiB at {big.records} (bare {big.peak('bare'):.0f})",
                 at_scale(big.peak("cold"), 300, big.records, 10000)))
    for s in sizes:
        ratio = s.median("warm") / s.median("cold")
        rows.append((f"second build / cold ≤ 0.25 ({s.records} records)", f"{ratio:.2f}×",
                     verdict(ratio, 0.25)))
    rows.append(("one-record edit visible in serve ≤ 2 s at 1 000",
                 "not measured (bench_serve.py)", "-"))
    rows.append(("search bytes before first results ≤ 300 KB gz at 10 000",
                 f"{big.search_gzip / 1e3:.0f} KB gz at {big.records} "
                 f"(bare {big.bare_search_gzip / 1e3:.0f} KB)",
                 at_scale(big.search_gzip, 300e3, big.records, 10000)))
    rows.append(("search: Chinese words, exact ID first, result fields, filters",
                 "not measured (Chromium tests)", "-"))
    # Page sizes at every size measured: paginated lists keep them flat, not growing.
    for s in sizes:
        rows.append((f"largest record page ≤ 30 KB at 10 000 ({s.records} records)",
                     f"{s.largest_record_page / 1e3:.1f} KB",
                     at_scale(s.largest_record_page, 30e3, s.records, 10000)))
    for s in sizes:
        rows.append((f"no page over 200 KB at 10 000 ({s.records} records)",
                     f"largest {s.largest_page / 1e3:.0f} KB ({s.largest_page_url})",
                     at_scale(s.largest_page, 200e3, s.records, 10000)))
    rows.append(("(ledger rows for filters, loaded on first use; no target)",
                 f"{big.ledger_rows_gzip / 1e3:.0f} KB gz at {big.records}", "-"))
    rows.append(("history 10 000 records × 20 000 commits ≤ 10 s",
                 "not measured (bench_history.py)", "-"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true",
                        help="1 000, 5 000 and 10 000 records (takes most of an hour)")
    args = parser.parse_args()
    counts = [1000, 5000, 10000] if args.full else sorted(args.records)
    compile_sunlight()
    sizes = []
    for count in counts:
        size = measure(count, args.repeat)
        sizes.append(size)
        print(f"{count} records, {size.pages} pages, median of {args.repeat}: "
              f"bare {size.median('bare'):.2f} s CPU {size.peak('bare'):.0f} MiB; "
              f"Sunlight cold {size.median('cold'):.2f} s {size.peak('cold'):.0f} MiB, "
              f"second {size.median('warm'):.2f} s", flush=True)
    rows = [("target (issue 14)", "measured", "met?")] + table(sizes)
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(" | ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)))


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1
               for ch in text)


if __name__ == "__main__":
    main()
