"""`sunlight build` through the CLI: exit codes, messages, and the live folder on failure."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from builder import pipeline
from builder.cli import cli

from conftest import BASE_RECORDS, RECTIFICATION_PATH, edit, write_all


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_build_succeeds_and_reports(valid_project: Path) -> None:
    out = valid_project / "public"
    result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert "已生成公开网站" in result.output and "未发现泄露" in result.output
    assert (out / "rectification" / "ZG-2023-001" / "index.html").is_file()
    # Nothing but generated pages, theme assets and data: no sources, no dotfiles.
    assert not [p for p in out.rglob("*") if p.suffix == ".md" or p.name.startswith(".")]


def test_content_errors_stop_the_build_and_keep_the_live_site(valid_project: Path) -> None:
    out = valid_project / "public"
    assert run("build", "--root", str(valid_project), "--out", str(out)).exit_code == 0
    before = snapshot(out)
    write_all(valid_project, {RECTIFICATION_PATH: edit(BASE_RECORDS[RECTIFICATION_PATH],
                                                       "deadline: 2023-06-30", "deadline: 2023-06-31")})
    result = run("build", "--root", str(valid_project), "--out", str(out))
    assert result.exit_code == 1
    assert f"{RECTIFICATION_PATH}:9: invalid-date" in result.output
    assert "没有生成网站" in result.output
    assert snapshot(out) == before


def test_a_leak_is_named_with_record_field_and_file(valid_project: Path, monkeypatch) -> None:
    real_project = pipeline.project

    def leaky(records, model, audience, as_of, body=None):
        projection = real_project(records, model, audience, as_of, body)
        for record in projection.records:  # a projection bug: internal bodies get through
            source = next(r for r in records if r.id == record.id)
            record.body = source.body
        return projection

    monkeypatch.setattr(pipeline, "project", leaky)
    result = run("build", "--root", str(valid_project), "--out", str(valid_project / "public"))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("泄露：记录 ZG-2023-001 正文中的内部内容出现在 "
                            "rectification/ZG-2023-001/index.html（页面正文）：“")
    assert "内部督办情况。" in first and "另有 1 个文件也含有它" in first   # the search index
    assert "构建失败" in result.output
    assert not (valid_project / "public").exists()


def test_build_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "不是 Sunlight 项目" in result.output
