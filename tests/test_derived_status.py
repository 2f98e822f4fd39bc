"""A status derived from children (derive_status), on real projects in temporary folders.

- the declaration is checked at load: every mistake is a Chinese ConfigError at file and line;
- the derived status is what validate hands on: the record page, the listing, open data and
  `sunlight stats` show it; the typed one is kept for `check --base`;
- a typed status that disagrees is a warning naming both statuses and the children; a record
  without live children, a withdrawn record and a record with a child whose status is invalid
  keep their typed status;
- chains: a parent derived from records that are themselves derived reads their derived status.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.model import ConfigError, load_model
from builder.model.derived_status import order
from builder.pipeline import Deployment, build
from conftest import (FINDING, FINDING_PATH, ITEM_PATH, RECTIFICATION,
                      edit, flatten, validate_project, write_all)

FINDING_YML = "types/finding.yml"
DERIVE = """derive_status:
  from: rectification
  rules:
    - {status: resolved, when: all_done}
    - {status: rectifying, when: any_started}
    - {status: open, when: none_started}
"""


def rectification(rid: str, status: str) -> str:
    """A copy of the base rectification (of WT-2023-001) with another ID and status."""
    text = edit(RECTIFICATION, "ZG-2023-001", rid)
    if status != "completed":
        text = text.replace("completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")
        text = edit(text, "status: completed", f"status: {status}")
    if status == "reopened":
        text = edit(text, "status: reopened", "status: reopened\nreopen_reason: 资金被挪用。")
    if status == "withdrawn":
        text = edit(text, "status: withdrawn",
                    "status: withdrawn\nwithdrawn: 2023-07-01\nwithdrawal_reason: 重复录入。")
    return text


def path_of(rid: str) -> str:
    return f"content/rectifications/{rid}.md"


@pytest.fixture
def open_child(valid_project: Path) -> Path:
    """The base records (finding typed "resolved") and a second rectification in progress."""
    write_all(valid_project, {path_of("ZG-2023-002"): rectification("ZG-2023-002", "in_progress")})
    return valid_project


# --- checked at load ---------------------------------------------------------------------------


def replace_derive(config: Path, text: str) -> int:
    """Put `text` in place of finding.yml's derive_status block; returns its first line."""
    path = config / FINDING_YML
    body = path.read_text(encoding="utf-8")
    assert body.count(DERIVE) == 1, "finding.yml's derive_status block changed"
    path.write_text(body.replace(DERIVE, text), encoding="utf-8")
    return body[:body.index(DERIVE)].count("\n") + 1


BROKEN = {
    "not a mapping": ("derive_status: rectification\n", 0, "应写成 from"),
    "unknown key": (DERIVE + "  order: first\n", 6, "未知的配置项“order”"),
    "unknown type": (DERIVE.replace("from: rectification", "from: rectifications"), 1,
                     "“rectifications”不是记录类型"),
    "a child not pointing here": (DERIVE.replace("from: rectification", "from: resolution"), 1,
                                  "没有指向“finding”的字段"),
    "itself": (DERIVE.replace("from: rectification", "from: finding"), 1, "不能由它自己推算"),
    "unknown status": (DERIVE.replace("status: resolved", "status: done"), 3,
                       "状态“done”不在类型“finding”的 statuses 中"),
    "withdrawn status": (DERIVE.replace("status: open", "status: withdrawn"), 5,
                         "撤回状态“withdrawn”不能推算得出"),
    "unknown condition": (DERIVE.replace("when: all_done", "when: all_completed"), 3,
                          "条件“all_completed”无效"),
    "rule without status": (DERIVE.replace("{status: resolved, when: all_done}", "{when: all_done}"),
                            3, "每条规则写成"),
    "no rules": ("derive_status:\n  from: rectification\n  rules: []\n", 2, "至少一条规则"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_declaration_is_a_chinese_error_at_file_and_line(project, name):
    text, offset, words = BROKEN[name]
    first = replace_derive(project / "site_config", text)
    with pytest.raises(ConfigError) as caught:
        load_model(project / "site_config")
    found = [m for m in caught.value.messages if words in m]
    assert found, caught.value.messages
    assert found[0].startswith(f"{project / 'site_config' / FINDING_YML}:{first + offset}: ")
    result = CliRunner().invoke(cli, ["validate", "--root", str(project)])
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_a_cycle_is_an_error():
    class Spec:
        def __init__(self, child: str):
            self.child_type = child
    errors: list[str] = []
    assert order({"a": Spec("b"), "b": Spec("a")}, lambda name: lambda keys: f"{name}.yml:1",
                 errors) in (("b", "a"), ("a", "b"))
    assert errors and "循环推算" in errors[0] and "a ← b ← a" in errors[0]


def test_children_types_come_first():
    class Spec:
        def __init__(self, child: str):
            self.child_type = child
    errors: list[str] = []
    chain = {"plan": Spec("item"), "item": Spec("finding"), "finding": Spec("rectification")}
    assert order(chain, lambda name: lambda keys: "", errors) == ("finding", "item", "plan")
    assert errors == []


# --- validate --------------------------------------------------------------------------------


def test_a_disagreeing_typed_status_is_a_warning_naming_both_and_the_children(open_child):
    validation = validate_project(open_child).validation
    assert flatten(validation.problems) == [("derived-status-mismatch", FINDING_PATH, 5, "status")]
    (warning,) = validation.problems
    assert warning.message == ("状态写的是“已整改”（resolved），按整改事项推算应为“整改中”（rectifying）："
                               "ZG-2023-001（已完成）、ZG-2023-002（整改中）")
    assert warning.hint.startswith("把 status 改为 rectifying。")
    assert validation.valid
    finding = next(r for r in validation.records if r.id == "WT-2023-001")
    assert (finding.status, finding.typed_status, finding.written_status) == \
        ("rectifying", "resolved", "resolved")
    assert finding.derived_from == ("ZG-2023-001", "ZG-2023-002")


@pytest.mark.parametrize("statuses, derived", [
    (("completed", "completed"), "resolved"),
    (("completed", "reopened"), "rectifying"),
    (("assigned", "assigned"), "open"),
    (("assigned", "in_progress"), "rectifying"),
    (("completed", "withdrawn"), "resolved"),      # a withdrawn child does not count
])
def test_first_matching_rule_over_live_children(valid_project, statuses, derived):
    write_all(valid_project, {path_of("ZG-2023-001"): rectification("ZG-2023-001", statuses[0]),
                              path_of("ZG-2023-002"): rectification("ZG-2023-002", statuses[1])})
    validation = validate_project(valid_project).validation
    finding = next(r for r in validation.records if r.id == "WT-2023-001")
    assert finding.status == derived
    codes = [p.code for p in validation.problems]
    assert codes == ([] if derived == "resolved" else ["derived-status-mismatch"])


@pytest.mark.parametrize("case", ["no children", "only withdrawn children", "withdrawn finding",
                                  "a child's status is invalid"])
def test_the_typed_status_stays(valid_project, case):
    files: dict = {}
    typed = "resolved"
    if case == "no children":
        files = {path_of("ZG-2023-001"): None}
    elif case == "only withdrawn children":
        files = {path_of("ZG-2023-001"): rectification("ZG-2023-001", "withdrawn")}
    elif case == "withdrawn finding":
        typed = "withdrawn"
        files = {FINDING_PATH: edit(FINDING, "status: resolved", "status: withdrawn\nwithdrawn: "
                                    "2023-12-01\nwithdrawal_reason: 重复录入。"),
                 path_of("ZG-2023-002"): rectification("ZG-2023-002", "in_progress")}
    else:
        files = {path_of("ZG-2023-002"): edit(rectification("ZG-2023-002", "in_progress"),
                                              "status: in_progress", "status: doing")}
    write_all(valid_project, files)
    validation = validate_project(valid_project).validation
    finding = next(r for r in validation.records if r.id == "WT-2023-001")
    assert (finding.status, finding.typed_status) == (typed, None)
    assert "derived-status-mismatch" not in [p.code for p in validation.problems]


# --- a chain, in statistics ----------------------------------------------------------------------


ITEM_DERIVE = """derive_status:
  from: finding
  rules:
    - {status: completed, when: all_done}
    - {status: launched, when: any_started}
"""


def test_a_chain_reads_the_derived_status_of_its_children(open_child):
    """Items derive from findings, findings from rectifications: with one rectification still
    in progress, the finding typed "resolved" is rectifying, so its item is launched, not
    completed — in validation and in `sunlight stats`."""
    config = open_child / "site_config" / "types" / "item.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\nfields:\n", "\n" + ITEM_DERIVE + "fields:\n", 1),
                      encoding="utf-8")
    validation = validate_project(open_child).validation
    by_id = {r.id: r for r in validation.records}
    assert (by_id["WT-2023-001"].status, by_id["SX-2023-001"].status) == ("rectifying", "launched")
    assert [p.path for p in validation.problems] == [FINDING_PATH, ITEM_PATH]
    result = CliRunner().invoke(cli, ["stats", "--root", str(open_child), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["tables"]["plans"]["rows"][0]["values"]
    assert (plan["plan_launched"], plan["plan_completed"]) == (1, 0)
    # the same project with the second rectification completed: the item is completed
    write_all(open_child, {path_of("ZG-2023-002"): rectification("ZG-2023-002", "completed")})
    result = CliRunner().invoke(cli, ["stats", "--root", str(open_child), "--format", "json",
                                      "--as-of", "2026-11-21"], catch_exceptions=False)
    plan = json.loads(result.stdout)["tables"]["plans"]["rows"][0]["values"]
    assert (plan["plan_launched"], plan["plan_completed"]) == (1, 1)


# --- the site and open data ---------------------------------------------------------------------


def test_the_site_listing_and_open_data_show_the_derived_status(open_child, tmp_path):
    out = tmp_path / "site"
    build(Deployment(open_child), out, date(2026, 11, 21), history=False)
    page = (out / "finding" / "WT-2023-001" / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):page.index("</article>")]
    assert "整改中" in article and "已整改" not in article
    listings = [p for p in out.rglob("index.html") if "WT-2023-001" in p.read_text(encoding="utf-8")
                and p.parent.name != "WT-2023-001"]
    assert listings
    for listing in listings:
        row = re.search(r"<tr>(?:(?!</tr>).)*WT-2023-001(?:(?!</tr>).)*</tr>",
                        listing.read_text(encoding="utf-8"), re.DOTALL)
        if row:
            assert "已整改" not in row.group(0), listing
    records = json.loads((out / "data" / "records.json").read_text(encoding="utf-8"))["records"]
    finding = next(r for r in records if r["id"] == "WT-2023-001")
    assert (finding["status"], finding["status_label"]) == ("rectifying", "整改中")
