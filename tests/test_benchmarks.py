"""The benchmark scripts stay runnable: their generated content must validate and build."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from builder.pipeline import Deployment, build, check

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_body  # noqa: E402
from bench_validate import generate  # noqa: E402


def test_generated_benchmark_content_validates_and_builds(tmp_path: Path) -> None:
    generate(tmp_path, 60)
    checked = check(Deployment(tmp_path))
    assert checked.validation.problems == []
    assert len(checked.validation.records) == 60
    built = build(Deployment(tmp_path), tmp_path / "site", date(2026, 11, 21))
    assert built.public_records == 60
    assert set(built.timings) >= {"load+validate", "render", "mkdocs", "verify"}


def test_body_benchmark_runs_every_shape() -> None:
    """The shapes render (the "[" shape is beyond the body limits on purpose: the guard is
    bypassed, so the renderer's own bounds are measured); figures are the script's job."""
    rows = bench_body.measure(400, repeat=1)
    assert [name for name, _, _ in rows] == list(bench_body.SHAPES)
    assert all(len(times) == 3 and min(times) > 0 for _, times, _ in rows)
    assert len(bench_body.SHAPES["many ["](400 * 16)) == 6400


def test_statistics_benchmark_runs(capsys, monkeypatch) -> None:
    from bench_statistics import main
    monkeypatch.setattr(sys, "argv", ["bench_statistics.py", "--records", "60", "--repeat", "1"])
    main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["records", "figures", "rows"]
    assert lines[1].split()[0] == "60"


def test_targets_benchmark_prints_every_target(capsys, monkeypatch) -> None:
    """Both builds really run as processes; the table has a row for each target of issue 14."""
    from bench_targets import main
    monkeypatch.setattr(sys, "argv", ["bench_targets.py", "--records", "30", "--repeat", "1"])
    main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("30 records")
    header = next(i for i, line in enumerate(lines) if line.startswith("target (issue 14)"))
    rows = {line.split(" | ")[0].strip(): line.split(" | ")[1:] for line in lines[header + 1:]}
    # One size: its CPU, second-build and two page-size rows, and seven others.
    assert len(rows) == 11
    ratio = rows["CPU Sunlight/bare at 30 records (≤ 1.0 at 1 000/5 000)"][0]
    assert float(ratio.split("×")[0]) > 0
    assert rows["one-record edit visible in serve ≤ 2 s at 1 000"][0].strip() \
        == "not measured (bench_serve.py)"
    assert "KB gz at 30" in rows["search bytes before first results ≤ 300 KB gz at 10 000"][0]
    largest = rows["no page over 200 KB at 10 000 (30 records)"][0]
    assert re.fullmatch(r"largest \d+ KB \(\S+/\) *", largest), largest
    assert "KB gz at 30" in rows["(ledger rows for filters, loaded on first use; no target)"][0]


def test_history_benchmark_prints_its_target(capsys, monkeypatch) -> None:
    from bench_history import main
    monkeypatch.setattr(sys, "argv", ["bench_history.py", "--records", "40", "--commits", "80",
                                      "--repeat", "1", "--sample", "2"])
    main()
    out = capsys.readouterr().out
    assert "≤ 10 s — measured" in out
    assert out.splitlines()[2].split()[0] == "80"


def test_serve_benchmark_measures_an_edit_end_to_end(capsys, monkeypatch) -> None:
    """A real `sunlight serve` shows the edited page; the in-process rebuild takes the
    unchanged pages from the cache."""
    from bench_serve import main
    monkeypatch.setattr(sys, "argv", ["bench_serve.py", "--records", "30", "--edits", "1"])
    main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("30 records: edit → page served, median of 1:")
    assert "render" in lines[1] and "hits=" in lines[1] and "misses=4" in lines[1]
