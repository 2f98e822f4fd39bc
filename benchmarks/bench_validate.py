"""Benchmark: load and validate N generated records (default 10 000); prints figures.

    python benchmarks/bench_validate.py [--records 10000] [--repeat 3]

Target (issue #2): under 5 s for 10 000 records on the development machine. The design is
linear in the number of records: run with --records 2500 / 5000 / 10000 to see it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.model import strict_yaml  # noqa: E402
from builder.stages.load import load  # noqa: E402
from builder.model import load_model  # noqa: E402
from builder.stages.validate import validate  # noqa: E402

UNITS = ["ly-fgw", "ly-jyj", "ly-rsj", "ly-swj", "ly-whj", "ly-lyj", "ly-sthj", "ly-slj"]


def generate(root: Path, records: int) -> None:
    """A realistic mix: per 10 records one finding and nine rectifications, plus a plan/item."""
    content = root / "content"
    for folder in ("plans", "items", "findings", "rectifications"):
        (content / folder).mkdir(parents=True)
    (root / "site_config").symlink_to(ROOT / "site_config", target_is_directory=True)
    (content / "plans" / "JH-2023-01.md").write_text(
        "---\nid: JH-2023-01\ntype: plan\ntitle: 基准计划\nstatus: in_progress\nbody: ly-rd\n"
        "year: 2023\nadopted: 2023-02-20\n---\n基准。\n", encoding="utf-8")
    (content / "items" / "SX-2023-001.md").write_text(
        "---\nid: SX-2023-001\ntype: item\ntitle: 基准事项\nstatus: launched\nplan: JH-2023-01\n"
        "lead_body: ly-rd\nkey: true\nstarted: 2023-03-01\n---\n基准。\n", encoding="utf-8")
    finding = 0
    for n in range(1, records - 1):
        if n % 10 == 1:
            finding += 1
            (content / "findings" / f"WT-2023-{finding:04d}.md").write_text(
                f"---\nid: WT-2023-{finding:04d}\ntype: finding\ntitle: 基准问题 {finding}\n"
                "status: rectifying\norigin: SX-2023-001\nsource_body: ly-rd\ncategory: funds\n"
                "found: 2023-05-01\ndescription: 专项资金拨付滞后，项目推进缓慢。\n---\n"
                "问题描述。\n", encoding="utf-8")
            continue
        done = n % 7 != 0
        extra = ("completed: 2023-11-30\nresult: 已完成整改，建立长效机制。\n"
                 "satisfaction: satisfied\n" if done else "progress: 正在推进。\n")
        (content / "rectifications" / f"ZG-2023-{n:05d}.md").write_text(
            f"---\nid: ZG-2023-{n:05d}\ntype: rectification\ntitle: 基准整改事项 {n}\n"
            f"status: {'completed' if done else 'in_progress'}\nfinding: WT-2023-{finding:04d}\n"
            f"responsible_unit: {UNITS[n % len(UNITS)]}\nassigned: 2023-06-01\n"
            "deadline: 2023-12-31\ndeadline_extensions:\n  - date: 2023-12-01\n"
            "    deadline: 2024-06-30\n    reason: 涉及跨部门协调，需延长期限。\n"
            f"{extra}contact: 张三 0379-00000000\n---\n"
            "## 整改措施\n\n1. 制定方案。\n2. 落实责任。\n\n<!-- internal -->\n内部备注。\n"
            "<!-- /internal -->\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"libyaml C parser: {'yes' if strict_yaml._Loader.__name__.startswith('C') else 'NO'}")
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
    try:
        generate(tmp, args.records)
        model = load_model(tmp / "site_config")
        load_times, validate_times = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            documents, load_problems = load(tmp, tmp / "content")
            t1 = time.perf_counter()
            result = validate(documents, model)
            t2 = time.perf_counter()
            load_times.append(t1 - t0)
            validate_times.append(t2 - t1)
        problems = load_problems + result.problems
        assert not problems, problems[:3]
        load_s, validate_s = statistics.median(load_times), statistics.median(validate_times)
        print(f"records: {len(documents)} (valid, 0 problems)")
        print(f"load:     {load_s:6.2f} s  ({load_s / len(documents) * 1e3:.3f} ms/record)")
        print(f"validate: {validate_s:6.2f} s  ({validate_s / len(documents) * 1e3:.3f} ms/record)")
        print(f"total:    {load_s + validate_s:6.2f} s  (median of {args.repeat}; target < 5 s "
              "for 10 000)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
