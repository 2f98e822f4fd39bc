"""The content model in site_config/: a broken configuration is refused with every problem
listed, and a deployment extends the model by editing YAML only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from builder.model import ConfigError, load_model
from conftest import (BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, SITE_CONFIG, edit, record,
                      validate_project, write_all)


def change(config: Path, name: str, how) -> None:
    """Edit one YAML file of a copied site_config/ as data, so the test does not depend on
    the file's exact wording."""
    path = config / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    how(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def config_errors(config: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_model(config)
    assert str(caught.value) == "\n".join(caught.value.messages)
    return caught.value.messages


def test_the_real_site_config_loads():
    model = load_model(SITE_CONFIG)
    assert {"plan", "item", "finding", "rectification", "lead", "exchange"} <= set(model.types)
    assert {"ly-rd", "lz-sj"} <= set(model.registry.bodies)
    assert "ly-lyj" in model.registry.units
    rectification = model.types["rectification"]
    assert rectification.folder == "rectifications"
    assert rectification.id_pattern.fullmatch("ZG-2023-001")
    assert rectification.fields["deadline_extensions"].items.fields["reason"].required
    assert rectification.lifecycle.statuses["completed"].done
    assert model.types["lead"].allowed_visibility == ("restricted",)


def test_round_trip_through_the_test_helper_keeps_the_model(project):
    """`change` rewrites YAML through PyYAML; the result must still be the same model."""
    types = sorted((project / "site_config" / "types").glob("*.yml"))
    for name in ["site.yml", "registry.yml", *(f"types/{p.name}" for p in types)]:
        change(project / "site_config", name, lambda data: None)
    assert load_model(project / "site_config") == load_model(SITE_CONFIG)


def test_every_config_problem_is_listed(project):
    config = project / "site_config"

    def rectification(doc):
        doc["fields"]["budget"] = {"type": "money", "label": "资金"}
        doc["rules"].append({"when_status": ["completed"], "require": ["completion_report"]})

    def item(doc):
        doc["lifecycle"]["transitions"]["planned"].append("cancelled")

    def plan(doc):
        doc["id_pattern"] = "^JH-(\\d{4}-\\d{2}$"

    change(config, "types/rectification.yml", rectification)
    change(config, "types/item.yml", item)
    change(config, "types/plan.yml", plan)
    messages = config_errors(config)
    # Each at file and line, then the key path inside the file.
    expected = [
        (r"rectification\.yml:\d+: fields\.budget: ", "字段类型“money”无效"),
        (r"rectification\.yml:\d+: rules\[\d+\]: ", "字段“completion_report”未定义"),
        (r"item\.yml:\d+: lifecycle\.transitions\.planned: ", "状态“cancelled”不在 statuses 中"),
        (r"plan\.yml:\d+: id_pattern: ", "id_pattern 不是有效的正则表达式"),
    ]
    for where, what in expected:
        assert any(re.search(where, m) and what in m for m in messages), (where, what, messages)
    assert len(messages) == len(expected)


@pytest.mark.parametrize("name, how, message", [
    ("types/rectification.yml",
     lambda d: d["fields"].__setitem__("lead", {"type": "ref", "to": "petition", "label": "x"}),
     "引用目标“petition”不是记录类型"),
    ("types/rectification.yml",
     lambda d: d["fields"].__setitem__("grade", {"type": "enum", "label": "等级"}),
     "枚举字段需要 values"),
    ("types/rectification.yml", lambda d: d.__setitem__("colour", "red"), "未知的配置项“colour”"),
    ("types/rectification.yml", lambda d: d["lifecycle"].__setitem__("initial", "new"),
     "initial “new”不在 statuses 中"),
    ("types/rectification.yml", lambda d: d.__setitem__("id_format", "ZG{year}"),
     "id_format 生成的“ZG2023”不符合 id_pattern"),
    ("types/rectification.yml", lambda d: d["rules"].append({"when_status": ["finished"],
                                                              "forbid": ["completed"]}),
     "状态“finished”未定义"),
    ("types/rectification.yml", lambda d: d["rules"].append({"date_order": ["assigned", "title"]}),
     "字段“title”应为 date 类型"),
    ("types/rectification.yml", lambda d: d["rules"].append({"sometimes": "x"}), "未知的规则"),
    ("types/rectification.yml", lambda d: d.__setitem__("visibility", "secret"),
     "公开范围“secret”无效"),
    ("types/lead.yml", lambda d: d.__setitem__("folder", "rectifications"),
     "多个类型使用同一文件夹“rectifications”"),
    ("registry.yml", lambda d: d["bodies"]["ly-rd"].__setitem__("kind", "court"),
     "kind “court”不在 body_kinds 中"),
    ("registry.yml", lambda d: d["units"].__setitem__("LY_Bad", {"name": "x"}),
     "编号只能用小写字母、数字和连字符"),
])
def test_each_config_problem(project, name, how, message):
    change(project / "site_config", name, how)
    assert any(message in m for m in config_errors(project / "site_config")), message


@pytest.mark.parametrize("name, how, message", [
    ("types/rectification.yml", lambda d: d["fields"]["deadline"].__setitem__("type", ["date"]),
     "字段类型"),
    ("types/rectification.yml", lambda d: d["lifecycle"].__setitem__("statuses", ["assigned"]),
     "statuses 应为"),
    ("types/rectification.yml", lambda d: d["lifecycle"].__setitem__("transitions", "all"),
     "transitions 应为"),
    ("types/rectification.yml", lambda d: d["fields"]["finding"].__setitem__("to", {"x": 1}),
     "to 应写类型名"),
    ("types/rectification.yml", lambda d: d.__setitem__("id_pattern", ["^ZG$"]), "应为一行文字"),
    ("types/rectification.yml", lambda d: d.__setitem__("listing", ["responsible_unit", {"a": 1}]),
     "listing 中的字段"),
    ("types/rectification.yml", lambda d: d.__setitem__("rules", {"a": 1}), "rules 应为列表"),
    ("types/rectification.yml", lambda d: d["rules"].append({"require": [{"a": 1}],
                                                              "when_status": "completed"}),
     "应写字段名"),
    ("site.yml", lambda d: d.__setitem__("settings", {"due_soon_days": 30}), "不再使用"),
    ("site.yml", lambda d: d["site"].__setitem__("nmae", "x"), "未知的配置项“nmae”"),
    ("site.yml", lambda d: d.__setitem__("common_field", {}), "未知的配置项“common_field”"),
    ("registry.yml", lambda d: d.__setitem__("body_kinds", ["congress"]), "body_kinds"),
])
def test_odd_shapes_are_chinese_errors_at_file_and_line(project, name, how, message):
    """Whatever a deployment writes, loading ends in a ConfigError whose every message starts
    with the file and a line — never a TypeError."""
    change(project / "site_config", name, how)
    messages = config_errors(project / "site_config")
    assert all(re.match(r"^/\S+\.yml:\d+: ", m) for m in messages), messages
    assert any(message in m for m in messages), messages


def test_config_yaml_problems_are_listed_with_their_line(project):
    types = project / "site_config" / "types"
    (types / "plan.yml").write_text("name: plan\nname: plan\n", encoding="utf-8")
    (types / "item.yml").write_text("name: &n item\nlabel: *n\n", encoding="utf-8")
    messages = config_errors(project / "site_config")
    assert any("plan.yml:2: duplicate-key" in m for m in messages)
    assert any("item.yml:1: yaml-alias" in m for m in messages)
    assert any("item.yml:2: yaml-alias" in m for m in messages)


def test_config_without_types_is_refused(project):
    for path in (project / "site_config" / "types").glob("*.yml"):
        path.unlink()
    assert any("没有任何记录类型定义" in m for m in config_errors(project / "site_config"))


# --- a deployment extends the model by editing site_config/ only -----------------------------

PETITION_TYPE = """\
name: petition
label: 信访件
description: 群众来信来访反映的问题。
folder: petitions
id_pattern: '^XF-\\d{4}-\\d{3}$'
id_format: 'XF-{year}-{seq:03d}'
visibility: internal
allowed_visibility: [internal, restricted]
fields:
  received:
    type: date
    required: true
    label: 收到日期
  rectification:
    type: ref
    to: rectification
    label: 对应整改事项
  answered_on:
    type: date
    label: 答复日期
  anonymous:
    type: boolean
    label: 匿名
lifecycle:
  initial: open
  statuses:
    open: {label: 办理中}
    answered: {label: 已答复, started: true, done: true}
  transitions:
    open: [answered]
rules:
  - when_status: [answered]
    require: [answered_on]
  - date_order: [received, answered_on]
"""


@pytest.fixture
def extended(valid_project):
    config = valid_project / "site_config"

    def add_budget(doc):
        doc["fields"]["budget"] = {"type": "integer", "label": "整改资金（万元）"}

    change(config, "types/rectification.yml", add_budget)
    (config / "types" / "petition.yml").write_text(PETITION_TYPE, encoding="utf-8")
    return valid_project


def petition(**changes: str) -> str:
    fields = {"id": "XF-2023-001", "type": "petition", "title": "反映资金拨付滞后",
              "status": "answered", "received": "2023-04-01", "answered_on": "2023-04-20",
              "rectification": "ZG-2023-001", "anonymous": "false", **changes}
    return record("\n".join(f"{k}: {v}" for k, v in fields.items()))


def test_new_field_and_new_type_from_config_alone(extended):
    write_all(extended, {
        RECTIFICATION_PATH: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                                 "result: 已拨付全部资金。\nbudget: 350\n"),
        "content/petitions/XF-2023-001.md": petition(),
    })
    validation = validate_project(extended).validation
    assert validation.problems == []
    by_id = {r.id: r for r in validation.records}
    assert by_id["ZG-2023-001"].get("budget") == 350
    assert by_id["XF-2023-001"].get("anonymous") is False
    assert by_id["XF-2023-001"].visibility == "internal"


def test_new_field_and_new_type_are_enforced(extended):
    write_all(extended, {
        RECTIFICATION_PATH: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                                 "result: 已拨付全部资金。\nbudget: 三百五十\n"),
        "content/petitions/XF-2023-001.md": petition(rectification="WT-2023-001",
                                                     answered_on="2023-03-01"),
        "content/petitions/XF-2023-002.md": petition(id="XF-2023-002", answered_on="",
                                                     visibility="public"),
    })
    problems = validate_project(extended).validation.problems
    assert [(p.code, p.path, p.field) for p in problems] == [
        ("date-order", "content/petitions/XF-2023-001.md", "answered_on"),
        ("wrong-reference-type", "content/petitions/XF-2023-001.md", "rectification"),
        ("status-requires-field", "content/petitions/XF-2023-002.md", "answered_on"),
        ("visibility-not-allowed", "content/petitions/XF-2023-002.md", "visibility"),
        ("wrong-type", RECTIFICATION_PATH, "budget"),
    ]


def test_restricted_lead_referenced_by_a_public_field(valid_project):
    """No public type refers to leads in the shipped model; a deployment that adds such a
    field gets restricted-reference, unless the field is internal."""
    def add_lead_fields(doc):
        doc["fields"]["lead"] = {"type": "ref", "to": "lead", "label": "线索"}
        doc["fields"]["lead_note"] = {"type": "ref", "to": "lead", "label": "线索（内部）",
                                      "internal": "true"}

    change(valid_project / "site_config", "types/rectification.yml", add_lead_fields)
    write_all(valid_project, {
        "content/leads/XS-2023-001.md": BASE_LEAD,
        RECTIFICATION_PATH: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                                 "result: 已拨付全部资金。\nlead: XS-2023-001\nlead_note: XS-2023-001\n"),
    })
    problems = validate_project(valid_project).validation.problems
    assert [(p.code, p.path, p.line, p.field) for p in problems] == [
        ("restricted-reference", RECTIFICATION_PATH, 16, "lead")]


BASE_LEAD = record("""
    id: XS-2023-001
    type: lead
    title: 线索
    status: received
    owner_body: ly-rd
    received: 2023-04-01
    summary: 摘要。
    verified: false
    """)


def test_registry_entries_are_configuration(valid_project):
    def add_unit(doc):
        doc["units"]["ly-new"] = {"name": "洛阳市新设局"}

    change(valid_project / "site_config", "registry.yml", add_unit)
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "responsible_unit: ly-lyj",
                                                       "responsible_unit: ly-new")})
    assert validate_project(valid_project).validation.valid
    assert set(BASE_RECORDS) <= {r.path for r in validate_project(valid_project).validation.records}
