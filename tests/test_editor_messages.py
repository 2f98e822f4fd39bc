"""Editors' commonest slips, replayed through the real `sunlight validate`: each is reported
on the line that holds it, names the character and the field, and says how to fix it.
IDs are ASCII: look-alike digits typed by an input method are refused, in records and in
a deployment's ID patterns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.model.model import ConfigError, load_model, non_ascii_lookalikes
from conftest import (ITEM, ITEM_PATH, RECTIFICATION, RECTIFICATION_PATH, SITE_CONFIG, edit,
                      flatten, validate_project, write_all)

R = RECTIFICATION_PATH


def validate(project: Path, *args: str):
    return CliRunner().invoke(cli, ["validate", "--root", str(project), *args],
                              catch_exceptions=False)


def only_problem(project: Path, *args: str) -> dict:
    result = validate(project, "--format", "json", *args)
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.output)["errors"]
    return found


# --- the YAML slips of a Chinese keyboard ---------------------------------------------------------


@pytest.mark.parametrize("old, new, code, line, field, said", [
    # a full-width colon, mid-file and on the last line of the front matter
    ("status: completed", "status：completed", "full-width-colon", 5, "status", "“：”"),
    ("result: 已拨付全部资金。", "result：已拨付全部资金。", "full-width-colon", 15, "result", "“：”"),
    # no space after the colon
    ("title: 加快林业项目资金拨付", "title:加快林业项目资金拨付", "no-space-after-colon", 4, "title",
     "缺少空格"),
    ("result: 已拨付全部资金。", "result:已拨付全部资金。", "no-space-after-colon", 15, "result",
     "缺少空格"),
    # a tab, and full-width spaces, as indentation of a list item and of a sub-field
    ("  - date: 2023-06-20", "\t- date: 2023-06-20", "tab-indent", 11, "date", "Tab"),
    ("    reason: 需调整年度资金计划", "\t\treason: 需调整年度资金计划", "tab-indent", 13, "reason",
     "Tab"),
    ("  - date: 2023-06-20", "\u3000\u3000- date: 2023-06-20", "full-width-indent", 11, "date",
     "全角空格“　”"),
    ("    reason: 需调整年度资金计划", "\u3000\u3000reason: 需调整年度资金计划", "full-width-indent", 13,
     "reason", "全角空格“　”"),
])
def test_slip_is_named_on_its_own_line(valid_project, old, new, code, line, field, said):
    write_all(valid_project, {R: edit(RECTIFICATION, old, new)})
    found = only_problem(valid_project)
    assert (found["code"], found["path"], found["line"], found["field"]) == (code, R, line, field)
    assert said in found["message"] and field in found["message"]
    assert field in found["value"]


def test_list_indented_with_full_width_spaces(valid_project):
    write_all(valid_project, {ITEM_PATH: edit(ITEM, "subjects: [ly-lyj]",
                                              "subjects:\n\u3000\u3000- ly-lyj")})
    problems = validate_project(valid_project).validation.problems
    assert ("full-width-indent", ITEM_PATH, 9, "subjects") in flatten(problems)


def test_fix_is_spelled_out_in_the_hint(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "status: completed", "status：completed")})
    assert "改成“status: completed”" in only_problem(valid_project)["hint"]
    write_all(valid_project, {R: RECTIFICATION.replace("title: ", "title:")})
    assert "改成“title: 加快林业项目资金拨付”" in only_problem(valid_project)["hint"]


def test_text_output_names_file_line_code_and_character(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "status: completed", "status：in_progress")})
    result = validate(valid_project, R)
    assert result.exit_code == 1
    assert (f"{R}:5: full-width-colon 字段“status”后面用了中文冒号“：”，应为英文冒号“:”加一个空格"
            in result.output)
    assert "找不到应有的" not in result.output


def test_full_width_colon_inside_a_value_is_fine(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付",
                                      "title: 林业资金：加快拨付")})
    assert validate_project(valid_project).validation.valid


def test_full_width_spaces_inside_a_block_of_text_are_fine(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "result: 已拨付全部资金。",
                                      "result: |\n  \u3000\u3000一、已拨付全部资金。\n  \tnote:这行在文字块里")})
    assert validate_project(valid_project).validation.valid


@pytest.mark.parametrize("old, new, line", [
    ("title: 加快林业项目资金拨付", "title: [加快林业项目资金拨付", 4),     # unclosed bracket
    ("title: 加快林业项目资金拨付", 'title: "加快林业项目资金拨付', 4),      # unclosed quote
    ("status: completed", "status completed", 5),                       # no colon at all
])
def test_syntax_error_names_the_line_that_holds_the_mistake(valid_project, old, new, line):
    """libyaml notices these on the next line; the editor must be sent to this one."""
    write_all(valid_project, {R: edit(RECTIFICATION, old, new)})
    assert flatten(validate_project(valid_project).validation.problems) == [
        ("yaml-syntax", R, line, None)]


def test_slip_in_site_config_is_a_config_error_with_file_and_line(project):
    plan = project / "site_config" / "types" / "plan.yml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("folder: ", "folder：", 1),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(project / "site_config")
    assert any("plan.yml:" in m and "full-width-colon" in m and "folder" in m
               for m in caught.value.messages), caught.value.messages


# --- one-file summaries ---------------------------------------------------------------------------


def test_one_unparsable_file_is_counted(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "status: completed", "status：completed")})
    result = validate(valid_project, str(valid_project / R))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "检查了 1 个文件：1 个错误，0 个警告。"


def test_folder_summary_counts_unparsable_files(valid_project):
    write_all(valid_project, {R: "没有元数据\n",
                              "content/rectifications/ZG-2023-002.md": "---\ntitle: [\n---\n"})
    result = validate(valid_project, str(valid_project / "content/rectifications"))
    assert result.output.splitlines()[-1] == "检查了 2 个文件：2 个错误，0 个警告。"


# --- names where an ID belongs --------------------------------------------------------------------


@pytest.mark.parametrize("path, old, new, field, hint", [
    (R, "responsible_unit: ly-lyj", "responsible_unit: 洛阳市住房和城乡建设局", "responsible_unit",
     "请写编号 ly-zjj"),
    (R, "responsible_unit: ly-lyj", "responsible_unit: 洛阳市 林业局", "responsible_unit",
     "请写编号 ly-lyj"),
    (ITEM_PATH, "lead_body: ly-rd", "lead_body: 洛阳人大", "lead_body", "请写编号 ly-rd"),
    (ITEM_PATH, "lead_body: ly-rd", "lead_body: 洛阳市人大常委会", "lead_body", "请写编号 ly-rd"),
    (ITEM_PATH, "subjects: [ly-lyj]", "subjects: [ly-lyj, 洛阳市住房和城乡建设局]", "subjects[1]",
     "请写编号 ly-zjj"),
])
def test_full_name_is_answered_with_its_id(valid_project, path, old, new, field, hint):
    base = {R: RECTIFICATION, ITEM_PATH: ITEM}[path]
    write_all(valid_project, {path: edit(base, old, new)})
    found = only_problem(valid_project)
    assert (found["code"], found["field"]) == ("broken-reference", field)
    assert hint in found["hint"]


def test_unknown_name_still_gets_the_registry_pointer(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "responsible_unit: ly-lyj",
                                      "responsible_unit: 某某局")})
    found = only_problem(valid_project)
    assert "请写编号" not in found["hint"] and "registry.yml" in found["hint"]


# --- IDs are ASCII ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["ZG-２０２３-００１", "ZG-٢٠٢٣-٠٠١", "ZG-२०२३-००१", "ZG－2023-001"])
def test_look_alike_id_is_refused_with_a_hint(valid_project, bad):
    write_all(valid_project, {"content/rectifications/ZG-2023-002.md":
                              edit(RECTIFICATION, "id: ZG-2023-001", f"id: {bad}")})
    result = validate(valid_project, "--format", "json")
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    bad_id = next(e for e in errors if e["code"] == "bad-id")
    assert (bad_id["line"], bad_id["value"]) == (2, bad)
    assert "英文输入法" in bad_id["hint"]
    assert all(r.id != bad for r in validate_project(valid_project).validation.records)


def test_look_alike_reference_gets_the_same_hint(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "finding: WT-2023-001",
                                      "finding: WT-２０２３-００１")})
    found = only_problem(valid_project)
    assert found["code"] == "broken-reference" and "英文输入法" in found["hint"]


def test_shipped_id_patterns_take_no_look_alike_digits():
    for rtype in load_model(SITE_CONFIG).types.values():
        assert "\\d" not in rtype.id_pattern.pattern, rtype.name
        for lookalike in non_ascii_lookalikes(rtype.id_example()):
            assert not rtype.id_pattern.fullmatch(lookalike), (rtype.name, lookalike)


def test_backslash_d_in_a_deployment_pattern_matches_ascii_only(project):
    plan = project / "site_config" / "types" / "plan.yml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("[0-9]", "\\d"), encoding="utf-8")
    rtype = load_model(project / "site_config").types["plan"]
    assert rtype.id_pattern.fullmatch("JH-2023-01")
    assert not rtype.id_pattern.fullmatch("JH-２０２３-０１")


def test_deployment_pattern_that_takes_look_alikes_is_a_config_error(project):
    plan = project / "site_config" / "types" / "plan.yml"
    lines = plan.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("id_pattern:"))
    lines[at] = "id_pattern: '^JH-.{4}-.{2,3}$'"
    plan.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(project / "site_config")
    (message,) = caught.value.messages
    assert message.startswith(f"{plan}:{at + 1}: id_pattern: 也接受“JH-２０２３-０１”")
    assert "[0-9]" in message
    result = validate(project)
    assert result.exit_code == 2 and "id_pattern" in result.output
