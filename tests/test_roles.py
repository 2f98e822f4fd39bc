"""Roles: declared in site_config/, checked at load with file and line, answered by RecordIndex.

A deployment renames or drops a field and moves its role; code reads roles only, so the
answers follow. Every question about a record with missing data answers None or False.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builder.model import ConfigError, load_model
from builder.pipeline import Deployment, check
from builder.model.records import Record
from builder.model.roles import RecordIndex

REPO = Path(__file__).resolve().parent.parent
D = date.fromisoformat


def rec(rid: str, rtype: str, status: str, **fields) -> Record:
    return Record(id=rid, type=rtype, path=f"{rid}.md",
                  fields={"id": rid, "type": rtype, "title": rid, "status": status, **fields},
                  body="")


@pytest.fixture(scope="module")
def model():
    return load_model(REPO / "site_config")


# --- the default pack's roles ----------------------------------------------------------------


def test_the_default_pack_declares_its_roles(model):
    rect = model.types["rectification"].roles
    assert rect.owner_body == "finding.source_body"
    assert rect.responsible_unit == "responsible_unit"
    assert rect.parents == ("finding",)
    assert (rect.due.field, rect.due.extensions, rect.due.extension_due) == \
        ("deadline", "deadline_extensions", "deadline")
    assert rect.embargo == "publish_after"          # from site.yml common_roles
    sheet = model.types["resolution"].roles.due
    assert sheet.field == "response_due" and str(sheet.default.period) == "20 日"
    assert model.types["lead"].roles.verified == "verified"
    assert model.types["exchange"].roles.shares == "lead"


def test_every_demo_record_belongs_to_the_body_its_type_names(model):
    checked = check(Deployment(REPO))
    index = RecordIndex(checked.validation.records, model)
    for r in checked.validation.records:
        if r.type == "rectification":
            expected = index.by_id[r.get("finding")].get("source_body")
        else:
            expected = r.get(model.types[r.type].roles.owner_body)
        assert index.body_of(r) == expected, r.id
    assert all(index.body_of(r) for r in index.live("rectification"))


def test_roll_up_follows_parents_down_the_chain(model):
    checked = check(Deployment(REPO))
    index = RecordIndex(checked.validation.records, model)
    plan = index.by_id["JH-2023-01"]
    items = index.children(plan, "item")
    assert items and all(i.get("plan") == plan.id for i in items)
    rect = index.live("rectification")[0]
    finding = index.parents(rect)[0]
    assert finding.id == rect.get("finding")
    assert rect in index.children(finding, "rectification")
    assert index.ancestor(rect, "rectification") is rect


# --- due dates -------------------------------------------------------------------------------


def test_due_in_force_is_the_last_extension(model):
    r = rec("ZG-2023-001", "rectification", "in_progress", assigned=D("2023-03-01"),
            deadline=D("2023-06-30"),
            deadline_extensions=[{"date": D("2023-06-20"), "deadline": D("2023-09-30"),
                                  "reason": "甲"},
                                 {"date": D("2023-09-20"), "deadline": D("2023-12-31"),
                                  "reason": "乙"}])
    index = RecordIndex([r], model)
    assert index.original_due(r) == D("2023-06-30")
    assert index.due_in_force(r) == D("2023-12-31")
    assert [(e.due, e.reason) for e in index.extensions(r)] == \
        [(D("2023-09-30"), "甲"), (D("2023-12-31"), "乙")]
    assert index.is_overdue(r, D("2024-01-01")) and not index.is_overdue(r, D("2023-12-31"))
    assert index.days_overdue(r, D("2024-01-10")) == 10
    assert index.year_of(r) == 2023


def test_a_default_period_applies_only_where_its_condition_holds(model):
    sheet = rec("YJ-2023-001", "resolution", "issued", kind="feedback_sheet",
                adopted=D("2023-10-01"), body="dt-zx")
    opinion = rec("YJ-2023-002", "resolution", "issued", kind="review_opinion",
                  adopted=D("2023-10-01"), body="dt-zx")
    stated = rec("YJ-2023-003", "resolution", "issued", kind="feedback_sheet",
                 adopted=D("2023-10-01"), response_due=D("2023-10-15"), body="dt-zx")
    index = RecordIndex([sheet, opinion, stated], model)
    assert index.due_in_force(sheet) == D("2023-10-21")      # adopted + 20 日
    assert index.due_in_force(opinion) is None
    assert index.due_in_force(stated) == D("2023-10-15")


def test_missing_or_wrong_data_answers_none_never_raises(model):
    bare = rec("ZG-2023-009", "rectification", "completed", finding="WT-404",
               deadline="not a date", deadline_extensions=["x", {"deadline": None}])
    index = RecordIndex([bare], model)
    assert index.body_of(bare) is None                      # the finding does not exist
    assert index.due_in_force(bare) is None
    assert not index.is_overdue(bare, D("2030-01-01"))
    assert not index.completed_on_time(bare)
    assert index.start(bare) is None and index.year_of(bare) is None
    assert index.parents(bare) == []


# --- a deployment moves a role ---------------------------------------------------------------


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_renaming_a_field_and_moving_its_role_moves_the_answers(project):
    types = project / "site_config" / "types"
    _replace(types / "finding.yml", "  source_body:\n", "  found_by:\n")
    _replace(types / "finding.yml", "owner_body: source_body", "owner_body: found_by")
    _replace(types / "finding.yml", "listing: [source_body,", "listing: [found_by,")
    _replace(types / "rectification.yml", "owner_body: finding.source_body",
             "owner_body: finding.found_by")
    _replace(types / "rectification.yml", "    field: deadline\n", "    field: due_by\n")
    _replace(types / "rectification.yml", "  deadline:\n    type: date", "  due_by:\n    type: date")
    _replace(types / "rectification.yml", "listing: [responsible_unit, deadline,",
             "listing: [responsible_unit, due_by,")
    _replace(types / "rectification.yml", "date_order: [assigned, deadline]",
             "date_order: [assigned, due_by]")
    model = load_model(project / "site_config")
    finding = rec("WT-2023-001", "finding", "open", found_by="ly-rd")
    r = rec("ZG-2023-001", "rectification", "in_progress", finding="WT-2023-001",
            due_by=D("2023-06-30"))
    index = RecordIndex([finding, r], model)
    assert index.body_of(r) == "ly-rd"
    assert index.due_in_force(r) == D("2023-06-30")


# --- checked at load, with file and line ------------------------------------------------------

BROKEN = [
    # (file, old text, new text, the line holding this text, words of the message)
    ("rectification.yml", "  responsible_unit: responsible_unit\n  parents",
     "  responsible_units: responsible_unit\n  parents", "responsible_units:", "未知的角色"),
    ("rectification.yml", "  start: assigned\n", "  start: assigned_on\n", "assigned_on",
     "assigned_on"),
    ("rectification.yml", "  start: assigned\n", "  start: progress\n", "start: progress",
     "应为日期"),
    ("rectification.yml", "owner_body: finding.source_body", "owner_body: finding.nowhere",
     "finding.nowhere", "没有字段"),
    ("rectification.yml", "owner_body: finding.source_body", "owner_body: progress.x",
     "progress.x", "不是指向记录的引用字段"),
    ("rectification.yml", "owner_body: finding.source_body", "owner_body: finding.unit",
     "owner_body: finding.unit", "应为机关引用"),
    ("rectification.yml", "  parents: [finding]\n", "  parents: [responsible_unit]\n",
     "parents: [responsible_unit]", "parents"),
    ("rectification.yml", "    field: deadline\n", "    field: progress\n", "field: progress",
     "due.field"),
    ("rectification.yml", "    extensions: deadline_extensions\n", "    extensions: evidence\n",
     "extensions: evidence", "list of object"),
    ("rectification.yml", "    extension_due: deadline\n", "    extension_due: reason\n",
     "extension_due: reason", "日期子字段"),
    ("resolution.yml", "  start: adopted\n", "", "default:", "start 角色"),
    ("resolution.yml", "when: {kind: feedback_sheet}", "when: {kind: feedback_sheets}",
     "feedback_sheets", "无效"),
    ("resolution.yml", "when: {kind: feedback_sheet}", "when: {kinds: feedback_sheet}",
     "kinds: feedback_sheet", "未定义"),
    ("lead.yml", "  verified: verified\n", "", "shares: lead", "verified 角色"),
    ("resolution.yml", "  amends: amends\n", "  amends: item\n", "amends: item",
     "本类型"),
    ("../site.yml", "  embargo: publish_after", "  embargo: source", "embargo: source",
     "应为日期"),
]


@pytest.mark.parametrize("name, old, new, needle, words", BROKEN,
                         ids=[f"{b[0]}:{b[2].strip()[:30]}" for b in BROKEN])
def test_a_broken_role_is_a_chinese_config_error_at_file_and_line(project, name, old, new,
                                                                 needle, words):
    path = (project / "site_config" / "types" / name).resolve()
    _replace(path, old, new)
    where = path
    if needle == "shares: lead":      # the error belongs to the type that shares
        where = (project / "site_config" / "types" / "exchange.yml").resolve()
    with pytest.raises(ConfigError) as found:
        load_model(project / "site_config")
    line = next(i for i, text in enumerate(where.read_text(encoding="utf-8").splitlines(), 1)
                if needle in text)
    messages = [m.replace(str(project / "site_config" / "types" / ".."),
                          str(project / "site_config")) for m in found.value.messages]
    assert any(m.startswith(f"{where}:{line}: ") and words in m for m in messages), \
        f"expected {where.name}:{line} with “{words}”, got:\n" + "\n".join(messages)
