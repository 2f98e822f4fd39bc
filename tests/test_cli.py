"""`sunlight validate` through click: exit codes, the three output formats, and that no
failure ever ends in a traceback."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from builder import pipeline
from builder.cli import cli
from conftest import (ITEM, ITEM_PATH, PLAN, PLAN_PATH, RECTIFICATION, RECTIFICATION_PATH, edit,
                      write_all)

R = RECTIFICATION_PATH
INVALID_DATE = edit(RECTIFICATION, "deadline: 2023-06-30", "deadline: 2023-02-30")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def validate(project, *args: str):
    return run("validate", "--root", str(project), *args)


# --- exit codes --------------------------------------------------------------------------------


def test_valid_content_exits_0(valid_project):
    result = validate(valid_project)
    assert result.exit_code == 0, result.output
    assert result.output == "检查了 4 个文件：0 个错误，0 个警告。\n"


def test_warnings_alone_exit_0(valid_project):
    write_all(valid_project, {R: b"\xef\xbb\xbf" + RECTIFICATION.encode("utf-8")})
    result = validate(valid_project)
    assert result.exit_code == 0
    assert f"{R}:1: utf8-bom [警告] " in result.output
    assert "0 个错误，1 个警告" in result.output


def test_content_errors_exit_1(valid_project):
    write_all(valid_project, {R: INVALID_DATE})
    result = validate(valid_project)
    assert result.exit_code == 1
    assert "1 个错误" in result.output


def test_root_that_is_not_a_project_exits_2(tmp_path):
    result = run("validate", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "不是 Sunlight 项目" in result.output
    assert "Traceback" not in result.output


def test_unknown_format_exits_2(valid_project):
    result = validate(valid_project, "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.output


def test_path_that_does_not_exist_exits_2(valid_project):
    result = validate(valid_project, str(valid_project / "content" / "nothing.md"))
    assert result.exit_code == 2


def test_unreadable_site_config_exits_2_with_every_problem(valid_project):
    config = valid_project / "site_config"
    (config / "site.yml").write_text("settings:\n  a: 1\n  a: 2\n", encoding="utf-8")
    (config / "types" / "plan.yml").write_text("name: plan\nlabel: [\n", encoding="utf-8")
    result = validate(valid_project)
    assert result.exit_code == 2
    assert "site_config/ 配置有误" in result.output
    assert "site.yml:3: duplicate-key" in result.output
    assert "plan.yml:3: yaml-syntax" in result.output
    assert "Traceback" not in result.output


def test_inconsistent_site_config_exits_2_with_every_problem(valid_project):
    types = valid_project / "site_config" / "types"
    (types / "broken.yml").write_text("name: broken\n", encoding="utf-8")
    (types / "plan.yml").write_text(
        (types / "plan.yml").read_text(encoding="utf-8").replace("type: integer", "type: number"),
        encoding="utf-8")
    result = validate(valid_project)
    assert result.exit_code == 2
    assert "broken.yml:1: 缺少 label, folder, id_pattern, id_format, fields, lifecycle" in result.output
    assert re.search(r"plan\.yml:\d+: fields\.year: 字段类型“number”无效", result.output)
    assert "Traceback" not in result.output


def test_unexpected_exception_exits_2_without_traceback(valid_project, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "validate", explode)
    monkeypatch.delenv("SUNLIGHT_DEBUG", raising=False)
    result = validate(valid_project)
    assert result.exit_code == 2
    assert "sunlight 内部错误：RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_unexpected_exception_in_stats_exits_2(valid_project, monkeypatch):
    def explode(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline.statistics, "compute", explode)
    result = run("stats", "--root", str(valid_project))
    assert result.exit_code == 2
    assert "ZeroDivisionError" in result.output
    assert "Traceback" not in result.output


# --- text format -------------------------------------------------------------------------------


def test_text_format_is_path_line_code_message_and_hint(valid_project):
    write_all(valid_project, {R: INVALID_DATE})
    lines = validate(valid_project).output.splitlines()
    assert lines[0] == (f"{R}:9: invalid-date 字段“deadline”（整改期限）的值“2023-02-30”不是有效日期")
    assert lines[1].startswith("    提示：日期写成 YYYY-MM-DD")
    assert lines[2] == "检查了 4 个文件：1 个错误，0 个警告。"


def test_text_format_names_the_field_when_the_message_does_not(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "assigned: 2023-05-01",
                                      "assigned: !!str 2023-05-01")})
    first = validate(valid_project).output.splitlines()[0]
    assert first.startswith(f"{R}:8: yaml-tag 第 8 行使用了 YAML 标签")


# --- json format -------------------------------------------------------------------------------


def test_json_format(valid_project):
    write_all(valid_project, {
        R: b"\xef\xbb\xbf" + INVALID_DATE.encode("utf-8"),
        PLAN_PATH: edit(PLAN, "year: 2023", "year: 010"),
    })
    result = validate(valid_project, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"valid", "errors", "warnings", "stats"}
    assert report["valid"] is False
    assert report["stats"] == {"files": 4, "records": 4, "errors": 2, "warnings": 1}
    assert [(e["code"], e["path"], e["line"], e["field"], e["value"]) for e in report["errors"]] == [
        ("wrong-type", PLAN_PATH, 7, "year", "010"),
        ("invalid-date", R, 9, "deadline", "2023-02-30"),
    ]
    assert [(w["code"], w["severity"]) for w in report["warnings"]] == [("utf8-bom", "warning")]
    for problem in report["errors"] + report["warnings"]:
        assert {"code", "path", "line", "field", "value", "message", "hint", "title",
                "severity"} <= set(problem)
        assert problem["message"] and problem["hint"]


def test_json_format_valid(valid_project):
    report = json.loads(validate(valid_project, "--format", "json").stdout)
    assert report == {"valid": True, "errors": [], "warnings": [],
                      "stats": {"files": 4, "records": 4, "errors": 0, "warnings": 0}}


# --- github format -----------------------------------------------------------------------------


def test_github_format(valid_project):
    write_all(valid_project, {R: INVALID_DATE})
    result = validate(valid_project, "--format", "github")
    assert result.exit_code == 1
    first, summary = result.output.splitlines()
    assert first.startswith(f"::error file={R},line=9,title=invalid-date 日期不存在或格式不对::"
                            "字段“deadline”（整改期限）的值“2023-02-30”不是有效日期%0A提示：")
    assert summary == "::notice title=sunlight validate::检查了 4 个文件：1 个错误，0 个警告。"


def test_github_format_escapes_properties_and_message(valid_project):
    odd = "content/rectifications/ZG,2023:001.md"
    write_all(valid_project, {R: None, odd: edit(RECTIFICATION, "status: completed",
                                                 "status: 100%\\n")})
    write_all(valid_project, {"content/findings/WT-2023-002.md": "---\n- a\n---\n"})
    output = validate(valid_project, "--format", "github").output
    assert ("::warning file=content/rectifications/ZG%2C2023%3A001.md,line=2,"
            "title=filename-mismatch") in output
    lines = [line for line in output.splitlines() if line.startswith("::error")]
    assert lines[0].startswith(
        "::error file=content/findings/WT-2023-002.md,line=2,"
        "title=front-matter-not-mapping 元数据不是“字段%3A 值”的形式::")
    assert lines[1].startswith("::error file=content/rectifications/ZG%2C2023%3A001.md,line=5,")
    assert "“100%25\\n”" in lines[1]                  # % escaped, the literal backslash kept
    assert all(line.startswith("::") for line in output.splitlines())   # newlines escaped


def test_github_format_warning(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "整改正文。", "整改<b>正文</b>。")})
    first = validate(valid_project, "--format", "github").output.splitlines()[0]
    assert first.startswith(f"::warning file={R},line=17,title=raw-html ")


# --- validating some paths only ------------------------------------------------------------------


def test_single_path_reports_only_that_file(valid_project):
    write_all(valid_project, {PLAN_PATH: edit(PLAN, "year: 2023", "year: 二〇二三")})
    result = validate(valid_project, str(valid_project / R))
    assert result.exit_code == 0, result.output
    assert result.output == "检查了 1 个文件：0 个错误，0 个警告。\n"


def test_single_path_resolves_references_against_every_record(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "finding: WT-2023-001", "finding: WT-2023-999"),
                              PLAN_PATH: edit(PLAN, "year: 2023", "year: 二〇二三")})
    report = json.loads(validate(valid_project, "--format", "json", str(valid_project / R)).stdout)
    assert [(e["code"], e["path"], e["line"]) for e in report["errors"]] == [
        ("broken-reference", R, 6)]


def test_single_path_sees_duplicate_ids_in_other_files(valid_project):
    write_all(valid_project, {"content/rectifications/ZG-2023-002.md": RECTIFICATION})
    report = json.loads(validate(valid_project, "--format", "json", str(valid_project / R)).stdout)
    assert [(e["code"], e["path"]) for e in report["errors"]] == [("duplicate-id", R)]
    assert "ZG-2023-002.md" in report["errors"][0]["message"]


def test_folder_path_reports_the_files_below_it(valid_project):
    write_all(valid_project, {ITEM_PATH: edit(ITEM, "key: true", "key: no"),
                              PLAN_PATH: edit(PLAN, "year: 2023", "year: 二〇二三")})
    result = validate(valid_project, "--format", "json", str(valid_project / "content" / "items"))
    report = json.loads(result.stdout)
    assert [(e["code"], e["path"]) for e in report["errors"]] == [("wrong-type", ITEM_PATH)]
    assert report["stats"]["files"] == 1


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_every_format_runs_on_every_kind_of_problem(valid_project, fmt):
    write_all(valid_project, {
        R: edit(RECTIFICATION, "整改正文。", "<script>x</script>[a](javascript:x){: onclick=x }"),
        "content/plans/JH-2023-02.md": b"\xff",
        "content/items/SX-2023-002.md": "---\na: [\n---\n",
    })
    result = validate(valid_project, "--format", fmt)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
