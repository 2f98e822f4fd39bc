"""Benchmark: read the history of 10 000 records over 20 000 commits in one pass.

    python benchmarks/bench_history.py [--records 10000] [--commits 20000] [--repeat 3] [--sample 10]

Target (issue 14): reading the history of 10 000 records × 20 000 commits in ≤ 10 s on the
2-core development machine, linear in commits. Printed for the first 5 000, 10 000 and all
20 000 commits of the same repository, each run `--repeat` times with the checkpoints
interleaved, as medians: wall time, the CPU time of this process (parsing) and of its git
processes (the log's tree comparisons, the blob reads) apart, and the load average, since the
machine is shared. Then the public timelines walked from that history, and the growth
exponent from 5 000 to 20 000 commits. Next to it, what per-file `git log` (the git-date
plugins' way) would take: measured on a sample of files and extrapolated to every file, as
said in the output (each such call walks every commit, seconds a file here, so the sample is
small). The repository is written with `git fast-import`, porcelain commits would take far
longer; even so it takes a minute or two, because every commit writes a new tree for the
9 000 files of content/rectifications/.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.stages.history import read_history  # noqa: E402
from builder.stages.repository import _cores  # noqa: E402
from builder.model import load_model  # noqa: E402
from builder.stages.timeline import timelines  # noqa: E402

UNITS = ["ly-fgw", "ly-jyj", "ly-rsj", "ly-swj", "ly-whj", "ly-lyj", "ly-sthj", "ly-slj"]
START = 1_577_836_800          # 2020-01-01T00:00:00Z; one commit an hour from there
CHECKPOINTS = (5_000, 10_000)


def _plan() -> str:
    return ("---\nid: JH-2023-01\ntype: plan\ntitle: 基准计划\nstatus: in_progress\nbody: ly-rd\n"
            "year: 2023\nadopted: 2023-02-20\n---\n基准。\n")


def _item() -> str:
    return ("---\nid: SX-2023-001\ntype: item\ntitle: 基准事项\nstatus: launched\n"
            "plan: JH-2023-01\nlead_body: ly-rd\nkey: true\nstarted: 2023-03-01\n---\n基准。\n")


def _finding(n: int) -> str:
    return (f"---\nid: WT-2023-{n:04d}\ntype: finding\ntitle: 基准问题 {n}\nstatus: rectifying\n"
            "origin: SX-2023-001\nsource_body: ly-rd\ncategory: funds\nfound: 2023-05-01\n"
            "description: 专项资金拨付滞后，项目推进缓慢。\n---\n问题描述。\n")


def _rectification(n: int, finding: int, version: int) -> str:
    """Revision `version` of rectification n: assigned, under way, extended, completed,
    reopened, and then progress notes."""
    status = ["assigned", "in_progress", "in_progress", "in_progress", "completed",
              "reopened"][min(version, 5)] if version < 6 else "in_progress"
    lines = [f"id: ZG-2023-{n:05d}", "type: rectification", f"title: 基准整改事项 {n}",
             f"status: {status}", f"finding: WT-2023-{finding:04d}",
             f"responsible_unit: {UNITS[n % len(UNITS)]}", "assigned: 2023-06-01",
             "deadline: 2023-12-31"]
    if version >= 2:
        lines += ["deadline_extensions:", "  - date: 2023-12-01", "    deadline: 2024-06-30",
                  "    reason: 涉及跨部门协调，需延长期限。"]
    if version in (1, 2, 3) or version >= 6:
        lines.append(f"progress: 第 {version} 次进展：正在推进。")
    if version == 4:
        lines += ["completed: 2024-05-30", "result: 已完成整改，建立长效机制。"]
    if version == 5:
        lines.append("reopen_reason: 回头看发现问题反弹。")
    lines.append("contact: 张三 0379-00000000")
    return ("---\n" + "\n".join(lines) + "\n---\n## 整改措施\n\n1. 制定方案。\n\n"
            "<!-- internal -->\n内部备注。\n<!-- /internal -->\n")


def fast_import_stream(records: int, commits: int) -> bytes:
    """A fast-import stream: the records are entered ten a commit (a plan and an item,
    then per ten one finding and nine rectification items), every later commit edits one
    rectification item. Commits without new records all see the full tree, so the times
    at the checkpoints compare like with like."""
    out: list[bytes] = []
    files: list[tuple[str, str]] = [("content/plans/JH-2023-01.md", _plan()),
                                    ("content/items/SX-2023-001.md", _item())]
    rectifications: list[tuple[int, int]] = []      # (n, finding)
    finding = 0
    for n in range(1, records - 1):
        if n % 10 == 1:
            finding += 1
            files.append((f"content/findings/WT-2023-{finding:04d}.md", _finding(finding)))
        else:
            rectifications.append((n, finding))
            files.append((f"content/rectifications/ZG-2023-{n:05d}.md",
                          _rectification(n, finding, 0)))
    versions = dict.fromkeys((n for n, _ in rectifications), 0)
    rng = random.Random(4)

    def data(text: str) -> bytes:
        raw = text.encode("utf-8")
        return b"data %d\n%s\n" % (len(raw), raw)

    for k in range(1, commits + 1):
        if files:
            changed, files = files[:10], files[10:]
            message = f"录入记录（第 {k} 批）"
        else:
            n, of = rectifications[rng.randrange(len(rectifications))]
            versions[n] += 1
            changed = [(f"content/rectifications/ZG-2023-{n:05d}.md",
                        _rectification(n, of, versions[n]))]
            message = f"更新整改事项 ZG-2023-{n:05d}"
        out.append(b"commit refs/heads/main\nmark :%d\n" % k)
        out.append(f"committer 编辑 <editor@example.org> {START + k * 3600} +0800\n".encode())
        out.append(data(message))
        for path, text in changed:
            out.append(f"M 100644 inline {path}\n".encode() + data(text))
        out.append(b"\n")
    for point in CHECKPOINTS:
        if point < commits:
            out.append(b"reset refs/heads/at-%d\nfrom :%d\n\n" % (point, point))
    return b"".join(out)


def make_repository(folder: Path, records: int, commits: int) -> Path:
    """A Git repository (nothing checked out) holding the generated history."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "fast-import", "--quiet"], check=True,
                   input=fast_import_stream(records, commits))
    return folder


def per_file_log(repo: Path, paths: list[str]) -> float:
    """Seconds for one `git log` per file, over `paths`."""
    start = time.perf_counter()
    for path in paths:
        subprocess.run(["git", "-C", str(repo), "log", "--format=%H %cI", "--", path],
                       check=True, capture_output=True)
    return time.perf_counter() - start


TARGET_S = 10.0


def measure(repo: Path, rev: str, model) -> dict[str, float]:
    """One reading of `rev`: wall and CPU seconds of read_history (this process, its git
    processes), then of the public timelines."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, cpu = time.perf_counter(), time.process_time()
    history = read_history(repo, rev=rev)
    read_s, read_cpu = time.perf_counter() - start, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    git_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    start, cpu = time.perf_counter(), time.process_time()
    found = timelines(history, model, date(2026, 1, 1))
    return {"read": read_s, "python": read_cpu, "git": git_cpu,
            "walk": time.perf_counter() - start, "walk_cpu": time.process_time() - cpu,
            "revisions": sum(len(c.changes) for c in history.commits),
            "events": sum(len(t.events) for t in found.records.values()),
            "notices": len(found.notices), "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-history-"))
    try:
        start = time.perf_counter()
        repo = make_repository(tmp / "repo", args.records, args.commits)
        print(f"repository: {args.records} records, {args.commits} commits "
              f"(fast-import {time.perf_counter() - start:.1f} s); {_cores()} cores, "
              f"medians of {args.repeat} runs, checkpoints interleaved")
        model = load_model(ROOT / "site_config")
        revs = [(f"at-{p}", p) for p in CHECKPOINTS if p < args.commits]
        revs.append(("main", args.commits))
        runs: dict[int, list[dict[str, float]]] = {count: [] for _, count in revs}
        for _ in range(args.repeat):
            for rev, count in revs:
                runs[count].append(measure(repo, rev, model))
        print(f"{'commits':>7}  {'read':>7}  {'ms/commit':>9}  {'CPU python':>10}  "
              f"{'CPU git':>7}  {'timelines':>9}  {'load':>5}  revisions / events / notices")
        medians: dict[int, dict[str, float]] = {}
        for _, count in revs:
            m = medians[count] = {k: statistics.median(r[k] for r in runs[count])
                                  for k in runs[count][0]}
            print(f"{count:7d}  {m['read']:6.2f}s  {m['read'] / count * 1e3:9.3f}  "
                  f"{m['python']:9.2f}s  {m['git']:6.2f}s  {m['walk']:8.2f}s  {m['load']:5.1f}  "
                  f"{m['revisions']:.0f} / {m['events']:.0f} / {m['notices']:.0f}")
        first, last = revs[0][1], revs[-1][1]
        if last > first:
            def exponent(key: str) -> float:
                return math.log(medians[last][key] / medians[first][key]) / math.log(last / first)
            cpu = {c: m["python"] + m["git"] for c, m in medians.items()}
            print(f"growth exponent {first} → {last} commits: read {exponent('read'):.2f} "
                  f"(wall), {math.log(cpu[last] / cpu[first]) / math.log(last / first):.2f} "
                  f"(CPU python + git), timelines {exponent('walk'):.2f}")
        files = sorted(subprocess.run(
            ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "main", "content"],
            check=True, capture_output=True, text=True).stdout.split())
        sample = files[:: max(1, len(files) // args.sample)][: args.sample]
        sample_s = per_file_log(repo, sample)
        print(f"per-file git log: {sample_s:.2f} s for a sample of {len(sample)} files; "
              f"extrapolated to all {len(files)} files: {sample_s / len(sample) * len(files):.0f} s "
              "(estimate, not measured on every file)")
        final = medians[last]
        print(f"target: read history of {args.records} records × {last} commits ≤ {TARGET_S:.0f} s"
              f" — measured {final['read']:.2f} s (median; CPU python {final['python']:.2f} s + "
              f"git {final['git']:.2f} s; load {final['load']:.1f}): "
              f"{'met' if final['read'] <= TARGET_S else 'NOT met'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
