"""The benchmark scripts stay runnable: their generated content must validate and build."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from builder.pipeline import Project, build, check

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_validate import generate  # noqa: E402


def test_generated_benchmark_content_validates_and_builds(tmp_path: Path) -> None:
    generate(tmp_path, 60)
    checked = check(Project(tmp_path))
    assert checked.validation.problems == []
    assert len(checked.validation.records) == 60
    built = build(Project(tmp_path), tmp_path / "site", date(2026, 11, 21))
    assert built.public_records == 60
    assert set(built.timings) >= {"load+validate", "render", "mkdocs", "verify"}


def test_statistics_benchmark_runs(capsys, monkeypatch) -> None:
    from bench_statistics import main
    monkeypatch.setattr(sys, "argv", ["bench_statistics.py", "--records", "60", "--repeat", "1"])
    main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["records", "figures", "rows"]
    assert lines[1].split()[0] == "60"
