"""Benchmark: body rendering time at 1×, 4× and 16× a size, for several body shapes, and
the growth exponent (issue 9: it must stay at or below 1.2, i.e. near-linear).

    python benchmarks/bench_body.py [--size 16000] [--repeat 3]

Rendering is Markdown → HTML → sanitiser (`builder.render.render_body`), without the body
limits guard, so shapes the validator refuses (thousands of "[") are measured too.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.text import body_markdown, sanitise  # noqa: E402

LIMIT = 1.2


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * max(1, size // len(unit))


def _nested_lists(size: int) -> str:
    """Lists nested 16 deep (the limit), repeated until the body has `size` characters."""
    block = "".join("    " * i + f"- 第 {i} 层事项\n" for i in range(16)) + "\n"
    return block * max(1, size // len(block))


def _table(size: int) -> str:
    head = "| 编号 | 单位 | 进展 |\n|---|---|---|\n"
    row = "| ZG-2023-001 | 市林业局 | 已完成[整改](https://example.org/a) |\n"
    return head + row * max(1, size // len(row))


SHAPES: dict[str, Callable[[int], str]] = {
    "plain text": _repeat("整改工作按计划推进，已完成阶段性目标。\n"),
    "many [": _repeat("["),
    "many [a](": _repeat("[a]("),
    "many <a": _repeat("<a "),
    "links": _repeat("见[整改报告](https://example.org/r.pdf)。"),
    "nested lists": _nested_lists,
    "long table": _table,
}


def render_seconds(text: str, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        sanitise.clean(body_markdown.to_html(text))
        best = min(best, time.perf_counter() - started)
    return best


def measure(size: int, repeat: int) -> list[tuple[str, list[float], float]]:
    """Per shape: seconds at 1×, 4× and 16× `size`, and the exponent fitted to the ends."""
    rows = []
    for name, make in SHAPES.items():
        times = [render_seconds(make(size * factor), repeat) for factor in (1, 4, 16)]
        exponent = math.log(max(times[2], 1e-6) / max(times[0], 1e-6)) / math.log(16)
        rows.append((name, times, exponent))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16_000, help="characters at 1×")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = measure(args.size, args.repeat)
    print(f"body rendering, {args.size} characters at 1× (best of {args.repeat})")
    print(f"{'shape':<14}{'1×':>10}{'4×':>10}{'16×':>10}{'exponent':>10}")
    for name, times, exponent in rows:
        print(f"{name:<14}" + "".join(f"{t:>9.3f}s" for t in times) + f"{exponent:>10.2f}")
    worst = max(exponent for _, _, exponent in rows)
    print(f"largest growth exponent {worst:.2f} (limit {LIMIT})")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
