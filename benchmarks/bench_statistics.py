"""Benchmark: evaluate every figure of site_config/statistics.yml over N generated records.

    python benchmarks/bench_statistics.py [--records 2500 5000 10000] [--repeat 3]

Prints, for each size, the seconds to compute all declared figures and tables (records
already loaded and validated: that cost is bench_validate.py's). Evaluation is linear in the
number of records: each figure selects its population once, each table groups it once.
"""

from __future__ import annotations

import argparse
import statistics as stats_module
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_validate import generate  # noqa: E402
from builder.stages import statistics  # noqa: E402
from builder.pipeline import Deployment, check  # noqa: E402

AS_OF = date(2026, 11, 21)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[2500, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'records':>8} {'figures':>8} {'rows':>6} {'seconds (median)':>17} {'µs/record':>10}")
    for size in args.records:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), size)
            checked = check(Deployment(Path(tmp)))
            records, model = checked.validation.records, checked.model
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                found = statistics.compute(records, model, AS_OF)
                times.append(time.perf_counter() - start)
            median = stats_module.median(times)
            rows = sum(len(t.rows) for t in found.tables)
            print(f"{len(records):>8} {len(found.values):>8} {rows:>6} {median:>17.3f} "
                  f"{median / len(records) * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
