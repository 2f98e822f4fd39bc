"""One fixture per error code: start from the valid base records, break one thing, and
assert code, path, line and field of everything reported.

CASES is the table; test_every_code_has_a_case fails when a code is added to the
catalogue without a case here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from builder.model import strict_yaml
from builder.stages.load import parse_bytes
from builder.model.problems import CATALOGUE, Severity
from conftest import (EXCHANGE, EXCHANGE_PATH, FINDING, FINDING_PATH, ITEM,
                      ITEM_PATH, LEAD, LEAD_PATH, PLAN, PLAN_PATH, RECTIFICATION,
                      RECTIFICATION_PATH, SITE_CONFIG, edit, flatten, validate_project, write,
                      write_all)

R = RECTIFICATION_PATH
SUGGESTION_PATH = "content/suggestions/DB-2027-001.md"
SUGGESTION = """\
---
id: DB-2027-001
type: suggestion
title: 关于增设社区老年助餐点的建议
status: assigned
body: ly-rd
term: 第十五届
session: 第十五届人民代表大会第二次会议
channel: session_period
deputy: 冯某
undertaker: ly-mzj
assigned: 2027-01-11
---
"""
BOM = b"\xef\xbb\xbf"
DIRECTORY = object()  # a case file that is a folder named like a record file


@dataclass(frozen=True)
class Link:
    """A case file that is a symbolic link to a file outside the project holding `text`."""

    text: str


@dataclass
class Case:
    """Files laid over the base records (None deletes one), and what must be reported."""

    name: str
    files: dict
    expected: list[tuple]
    message: tuple[str, ...] = ()   # substrings of the first problem's message
    hint: tuple[str, ...] = ()      # substrings of the first problem's hint
    valid: bool = False             # warnings only: content still valid

    @property
    def codes(self) -> set[str]:
        return {code for code, *_ in self.expected}


def _front_matter_only(text: str) -> str:
    """The record's lines up to, not including, its closing '---'."""
    lines = text.split("\n")
    close = lines.index("---", 1)
    return "\n".join(lines[:close]) + "\n"


CASES = [
    # --- reading the file ------------------------------------------------------------------
    Case("unreadable-file",
         {"content/rectifications/ZG-2023-002.md": DIRECTORY},
         [("unreadable-file", "content/rectifications/ZG-2023-002.md", 1, None)]),
    Case("symlink-not-allowed",
         {R: None, "content/rectifications/ZG-2023-002.md": Link(
             edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002"))},
         [("symlink-not-allowed", "content/rectifications/ZG-2023-002.md", 1, None)],
         message=("符号链接", "outside/ZG-2023-002.md"), hint=("复制",)),
    Case("invalid-utf8",
         {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title: @@").encode("utf-8")
             .replace(b"@@", b"\xff\xfe")},
         [("invalid-utf8", R, 4, None)]),
    Case("utf8-bom",
         {R: BOM + RECTIFICATION.encode("utf-8")},
         [("utf8-bom", R, 1, None)], valid=True),
    Case("missing-front-matter",
         {R: "# 加快林业项目资金拨付\n\n" + RECTIFICATION},
         [("missing-front-matter", R, 1, None)]),
    Case("unclosed-front-matter",
         {R: _front_matter_only(RECTIFICATION) + "\n整改正文。\n"},
         [("unclosed-front-matter", R, 1, None)]),
    Case("front-matter-too-large",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。", "result: " + "已拨付全部资金。" * 3000)},
         [("front-matter-too-large", R, 2, None)], message=("65536",)),
    Case("front-matter-too-deep",
         {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title: [[[[[[[[[加快]]]]]]]]]")},
         [("front-matter-too-deep", R, 4, None)]),
    Case("yaml-syntax",
         {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title: 加快: 资金拨付")},
         [("yaml-syntax", R, 4, None)], message=("冒号",)),
    Case("full-width-colon",
         {R: edit(RECTIFICATION, "status: completed", "status：completed")},
         [("full-width-colon", R, 5, "status")], message=("“：”", "status"),
         hint=("status: completed",)),
    Case("no-space-after-colon",
         {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title:加快林业项目资金拨付")},
         [("no-space-after-colon", R, 4, "title")], message=("title", "空格"),
         hint=("title: 加快林业项目资金拨付",)),
    Case("tab-indent",
         {R: edit(RECTIFICATION, "  - date: 2023-06-20", "\t- date: 2023-06-20")},
         [("tab-indent", R, 11, "date")], message=("第 11 行", "Tab")),
    Case("full-width-indent",
         {R: edit(RECTIFICATION, "    reason: 需调整年度资金计划", "\u3000\u3000reason: 需调整年度资金计划")},
         [("full-width-indent", R, 13, "reason")], message=("第 13 行", "“　”")),
    Case("front-matter-not-mapping",
         {R: "---\n- 加快林业项目资金拨付\n- ZG-2023-001\n---\n整改正文。\n"},
         [("front-matter-not-mapping", R, 2, None)], message=("列表",)),
    Case("duplicate-key",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                  "result: 已拨付全部资金。\ndeadline: 2023-07-31\n")},
         [("duplicate-key", R, 16, "deadline")], message=("第 9 行", "第 16 行")),
    Case("yaml-alias",
         {R: edit(RECTIFICATION, "assigned: 2023-05-01\n",
                  "assigned: &day 2023-05-01\nprogress: *day\n")},
         [("yaml-alias", R, 8, None), ("yaml-alias", R, 9, None)]),
    Case("yaml-tag",
         {R: edit(RECTIFICATION, "assigned: 2023-05-01", "assigned: !!str 2023-05-01")},
         [("yaml-tag", R, 8, None)], message=("!!str",)),
    # --- the record against its type ---------------------------------------------------------
    Case("unknown-type",
         {R: edit(RECTIFICATION, "type: rectification", "type: rectificaton")},
         [("unknown-type", R, 3, "type")], message=("rectificaton",),
         hint=("rectification（整改事项）",)),
    Case("wrong-folder",
         {R: None, "content/findings/ZG-2023-001.md": RECTIFICATION},
         [("wrong-folder", "content/findings/ZG-2023-001.md", 3, "type")],
         message=("content/rectifications/", "content/findings/")),
    Case("unknown-field",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\nprogres: 已完成。\n")},
         [("unknown-field", R, 16, "progres")], hint=("是不是“progress”（整改进展）？",)),
    Case("missing-field",
         {R: edit(RECTIFICATION, "deadline: 2023-06-30\n", "deadline:\n")},
         [("missing-field", R, 9, "deadline")], message=("整改期限",)),
    Case("wrong-type",
         {PLAN_PATH: edit(PLAN, "year: 2023", "year: 二〇二三")},
         [("wrong-type", PLAN_PATH, 7, "year")], message=("整数", "二〇二三")),
    Case("invalid-enum",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\nsatisfaction: 很满意\n")},
         [("invalid-enum", R, 16, "satisfaction")],
         hint=("satisfied（满意）、basically_satisfied（基本满意）、unsatisfied（不满意）",)),
    Case("invalid-date",
         {R: edit(RECTIFICATION, "deadline: 2023-06-30", "deadline: 2023-02-30")},
         [("invalid-date", R, 9, "deadline")], message=("2023-02-30",)),
    Case("bad-id",
         {R: edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-23-1")},
         [("bad-id", R, 2, "id")], hint=("ZG-2023-001",)),
    Case("duplicate-id",
         {"content/rectifications/2022/ZG-2023-001.md": RECTIFICATION},
         [("duplicate-id", "content/rectifications/2022/ZG-2023-001.md", 2, "id"),
          ("duplicate-id", R, 2, "id")],
         message=(R,)),
    Case("broken-reference",
         {R: edit(RECTIFICATION, "finding: WT-2023-001", "finding: WT-2023-999")},
         [("broken-reference", R, 6, "finding")], message=("WT-2023-999",)),
    Case("wrong-reference-type",
         {R: edit(RECTIFICATION, "finding: WT-2023-001", "finding: SX-2023-001")},
         [("wrong-reference-type", R, 6, "finding")], message=("发现问题", "监督事项")),
    Case("restricted-reference",
         {FINDING_PATH: edit(FINDING, "category: funds\n",
                             "category: funds\nvisibility: restricted\n")},
         [("restricted-reference", R, 6, "finding")]),
    Case("visibility-not-allowed",
         {LEAD_PATH: edit(LEAD, "verified: false\n", "verified: false\nvisibility: public\n")},
         [("visibility-not-allowed", LEAD_PATH, 10, "visibility")], hint=("restricted（限定范围）",)),
    Case("status-requires-field",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n", "")},
         [("status-requires-field", R, 5, "result")], message=("已完成",)),
    Case("status-forbids-field",
         {R: edit(RECTIFICATION, "status: completed", "status: in_progress"),
          FINDING_PATH: edit(FINDING, "status: resolved", "status: rectifying")},
         [("status-forbids-field", R, 14, "completed")], message=("整改中",)),
    Case("status-field-mismatch",
         {LEAD_PATH: edit(LEAD, "status: received\n",
                          "status: verified\nverified_on: 2023-04-20\n")},
         [("status-field-mismatch", LEAD_PATH, 10, "verified")], message=("已核实", "true")),
    Case("filename-mismatch",
         {R: None, "content/rectifications/ZG-2023-1.md": RECTIFICATION},
         [("filename-mismatch", "content/rectifications/ZG-2023-1.md", 2, "id")],
         message=("ZG-2023-1.md", "ZG-2023-001"), valid=True),
    Case("date-order",
         {R: edit(RECTIFICATION, "completed: 2023-09-15", "completed: 2023-04-15")},
         [("date-order", R, 14, "completed")], message=("2023-04-15", "2023-05-01")),
    # A second rectification still in progress: the finding, typed "resolved", is derived
    # "rectifying" from its two rectifications (finding.yml's derive_status).
    Case("derived-status-mismatch",
         {"content/rectifications/ZG-2023-002.md": edit(edit(RECTIFICATION, "ZG-2023-001", "ZG-2023-002"),
                                                       "status: completed", "status: in_progress")
          .replace("completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")},
         [("derived-status-mismatch", FINDING_PATH, 5, "status")],
         message=("“已整改”（resolved）", "“整改中”（rectifying）", "ZG-2023-001（已完成）",
                  "ZG-2023-002（整改中）"),
         hint=("改为 rectifying", "derive_status"), valid=True),
    # A reply period in working days from a date in a year no calendar covers (the package
    # knows up to 2026, site_config/calendar.yml adds none).
    Case("calendar-gap",
         {"site_config/types/suggestion.yml": edit(
             (SITE_CONFIG / "types" / "suggestion.yml").read_text(encoding="utf-8"),
             'default: {period: "3 个月"}', 'default: {period: "60 个工作日"}'),
          SUGGESTION_PATH: SUGGESTION},
         [("calendar-gap", SUGGESTION_PATH, 12, "assigned")],
         message=("2027-01-11", "60 个工作日", "2027 年"),
         hint=("site_config/calendar.yml 中补充 2027 年", "reply_due")),
    Case("extension-not-later",
         {R: edit(RECTIFICATION, "    deadline: 2023-09-30", "    deadline: 2023-06-15")},
         [("extension-not-later", R, 12, "deadline_extensions[0].deadline")],
         message=("第 1 次", "2023-06-15", "2023-06-30")),
    Case("unverified-lead-shared",
         {LEAD_PATH: LEAD, EXCHANGE_PATH: EXCHANGE},
         [("unverified-lead-shared", EXCHANGE_PATH, 10, "lead")], message=("XS-2023-001",)),
    # --- the body ------------------------------------------------------------------------
    Case("unbalanced-internal-block",
         {R: edit(RECTIFICATION, "<!-- /internal -->\n", "")},
         [("unbalanced-internal-block", R, 19, "正文")], message=("第 19 行",)),
    Case("unsafe-html",
         {R: edit(RECTIFICATION, "整改正文。", "整改正文。<script>alert(1)</script>")},
         [("unsafe-html", R, 17, "正文")], message=("<script>",)),
    Case("unsafe-link",
         {R: edit(RECTIFICATION, "整改正文。", "[整改正文](javascript:alert(1))。")},
         [("unsafe-link", R, 17, "正文")], message=("javascript:",)),
    Case("unsafe-attribute",
         {R: edit(RECTIFICATION, "整改正文。\n", '整改正文。\n{: onclick="alert(1)" }\n')},
         [("unsafe-attribute", R, 18, "正文")], message=("onclick",)),
    Case("raw-html",
         {R: edit(RECTIFICATION, "整改正文。", "整改<b>正文</b>。")},
         [("raw-html", R, 17, "正文")], message=("<b>",), valid=True),
    # 2.5 MB of 37-byte lines after the 16-byte first line (file line 17): the first
    # megabyte ends on file line 17 + 1 + (1 048 576 - 16) // 37 = 28 357.
    Case("body-too-large",
         {R: edit(RECTIFICATION, "整改正文。\n", "整改正文。\n" + "整改报告全文第一段内容。\n" * 70_000)},
         [("body-too-large", R, 28_357, "正文")],
         message=("1048576 字节", "第 28357 行"), hint=("body_max_bytes",)),
    Case("body-nesting-too-deep",
         {R: edit(RECTIFICATION, "整改正文。", "整改正文。" + "[" * 50_000)},
         [("body-nesting-too-deep", R, 17, "正文")], message=("括号“[”", "17 层")),
    # --- more variants of the same codes -----------------------------------------------------
    Case("missing-field-absent",
         {R: edit(RECTIFICATION, "deadline: 2023-06-30\n", "")},
         [("missing-field", R, 1, "deadline")]),
    Case("missing-field-type",
         {R: edit(RECTIFICATION, "type: rectification\n", "")},
         [("missing-field", R, 2, "type")], hint=("type: rectification",)),
    Case("missing-field-nested",
         {R: edit(RECTIFICATION, "    reason: 需调整年度资金计划\n", "")},
         [("missing-field", R, 11, "deadline_extensions[0].reason")],
         hint=("延期必须写明理由",)),
    Case("invalid-date-slashes",
         {R: edit(RECTIFICATION, "deadline: 2023-06-30", "deadline: 2023/6/30")},
         [("invalid-date", R, 9, "deadline")]),
    Case("broken-reference-registry",
         {R: edit(RECTIFICATION, "responsible_unit: ly-lyj", "responsible_unit: ly-lyjj")},
         [("broken-reference", R, 7, "responsible_unit")], hint=("是不是", "ly-lyj", "units")),
    Case("broken-reference-in-list",
         {ITEM_PATH: edit(ITEM, "subjects: [ly-lyj]", "subjects: [ly-lyj, ly-nothing]")},
         [("broken-reference", ITEM_PATH, 8, "subjects[1]")]),
    Case("unknown-field-nested",
         {R: edit(RECTIFICATION, "    reason: 需调整年度资金计划\n",
                  "    reason: 需调整年度资金计划\n    reasn: 多写了一个\n")},
         [("unknown-field", R, 14, "deadline_extensions[0].reasn")], hint=("是不是“reason”",)),
    Case("unknown-field-label",
         {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\n整改进展: 顺利\n")},
         [("unknown-field", R, 16, "整改进展")], hint=("是不是“progress”",)),
    Case("wrong-type-list",
         {ITEM_PATH: edit(ITEM, "subjects: [ly-lyj]", "subjects: ly-lyj")},
         [("wrong-type", ITEM_PATH, 8, "subjects")], message=("列表",)),
    Case("status-requires-withdrawal",
         {R: edit(RECTIFICATION, "status: completed", "status: withdrawn")},
         [("status-requires-field", R, 5, "withdrawn"),
          ("status-requires-field", R, 5, "withdrawal_reason")]),
    Case("unsafe-html-event",
         {R: edit(RECTIFICATION, "整改正文。", '整改正文。<img src="a.png" onerror="alert(1)">')},
         [("unsafe-html", R, 17, "正文")], message=("onerror",)),
    Case("unsafe-link-entity",
         {R: edit(RECTIFICATION, "整改正文。", "[整改正文](jav&#x61;script:alert(1))。")},
         [("unsafe-link", R, 17, "正文")]),
    Case("unsafe-link-blank",
         {R: edit(RECTIFICATION, "整改正文。", "[整改正文](java&#09;script:alert(1))。")},
         [("unsafe-link", R, 17, "正文")]),
    Case("unsafe-link-reference",
         {R: edit(RECTIFICATION, "整改正文。\n", "整改正文。\n\n[详情]: JavaScript:alert(1)\n")},
         [("unsafe-link", R, 19, "正文")]),
    Case("unbalanced-internal-close",
         {R: edit(RECTIFICATION, "<!-- internal -->\n", "")},
         [("unbalanced-internal-block", R, 20, "正文")], message=("没有对应的开始标记",)),
    Case("unbalanced-internal-nested",
         {R: edit(RECTIFICATION, "内部督办情况。\n", "<!-- internal -->\n内部督办情况。\n")},
         [("unbalanced-internal-block", R, 20, "正文")], message=("第 19 行",)),
    Case("body-nesting-too-deep-list",
         {R: edit(RECTIFICATION, "整改正文。\n", "整改正文。\n\n"
                  + "".join("    " * i + "- 第 %d 层\n" % i for i in range(500)))},
         [("body-nesting-too-deep", R, 19 + 16, "正文")], message=("列表或引用", "17 层")),
    Case("body-nesting-too-deep-quote",
         {R: edit(RECTIFICATION, "整改正文。", "> " * 40 + "整改正文。")},
         [("body-nesting-too-deep", R, 17, "正文")], message=("40 层",)),
    Case("unbalanced-internal-inline",
         {R: edit(RECTIFICATION, "整改正文。", "整改正文。<!-- internal -->秘密")},
         [("unbalanced-internal-block", R, 17, "正文")], message=("单独占一行",)),
]


@pytest.fixture(params=CASES, ids=lambda case: case.name)
def case(request) -> Case:
    return request.param


def test_problem(valid_project, case):
    for rel, content in case.files.items():
        if content is DIRECTORY:
            (valid_project / rel).mkdir(parents=True)
    write_all(valid_project, {rel: content for rel, content in case.files.items()
                              if content is not DIRECTORY and not isinstance(content, Link)})
    for rel, content in case.files.items():
        if isinstance(content, Link):
            target = write(valid_project.parent, "outside/" + rel.rsplit("/", 1)[-1],
                           content.text)
            (valid_project / rel).parent.mkdir(parents=True, exist_ok=True)
            (valid_project / rel).symlink_to(target)

    validation = validate_project(valid_project).validation

    assert flatten(validation.problems) == case.expected
    first = validation.problems[0]
    for text in case.message:
        assert text in first.message
    for text in case.hint:
        assert text in first.hint
    assert validation.valid is case.valid


def test_every_code_has_a_case():
    # Codes that need a base revision are tested one by one in tests/test_check.py.
    assert set().union(*(case.codes for case in CASES)) == {
        code for code, kind in CATALOGUE.items() if not kind.needs_base}


def test_every_case_name_is_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


def test_base_records_are_valid(valid_project):
    validation = validate_project(valid_project).validation
    assert flatten(validation.problems) == []
    assert sorted(r.id for r in validation.records) == [
        "JH-2023-01", "SX-2023-001", "WT-2023-001", "ZG-2023-001"]


def test_lead_and_exchange_fixtures_are_valid_when_lead_verified(valid_project):
    write_all(valid_project, {
        LEAD_PATH: edit(LEAD, "verified: false", "verified: true"),
        EXCHANGE_PATH: EXCHANGE,
    })
    assert flatten(validate_project(valid_project).validation.problems) == []


# --- specific behaviour behind some codes ------------------------------------------------------


def test_duplicate_key_keeps_the_first_value(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                                      "result: 已拨付全部资金。\ndeadline: 2023-07-31\n")})
    validation = validate_project(valid_project).validation
    record = next(r for r in validation.records if r.id == "ZG-2023-001")
    assert record.get("deadline").isoformat() == "2023-06-30"


def test_duplicate_id_names_both_files(valid_project):
    other = "content/rectifications/2022/ZG-2023-001.md"
    write_all(valid_project, {other: RECTIFICATION})
    first, second = validate_project(valid_project).validation.problems
    assert R in first.message and first.path == other
    assert other in second.message and second.path == R


def test_duplicate_id_names_every_other_file(valid_project):
    others = ["content/rectifications/2022/ZG-2023-001.md",
              "content/rectifications/2021/ZG-2023-001.md"]
    write_all(valid_project, {path: RECTIFICATION for path in others})
    problems = validate_project(valid_project).validation.problems
    assert [p.code for p in problems] == ["duplicate-id"] * 3
    mine = next(p for p in problems if p.path == R)
    assert all(path in mine.message for path in others)


def test_bom_is_stripped_and_record_still_validates(valid_project):
    write_all(valid_project, {R: BOM + RECTIFICATION.encode("utf-8")})
    validation = validate_project(valid_project).validation
    assert validation.valid
    assert [p.severity for p in validation.problems] == [Severity.WARNING]
    record = next(r for r in validation.records if r.id == "ZG-2023-001")
    assert record.get("deadline").isoformat() == "2023-06-30"
    assert record.body.startswith("整改正文。")


def test_unclosed_front_matter_never_becomes_body(valid_project):
    write_all(valid_project, {R: _front_matter_only(RECTIFICATION) + "\n整改正文。\n"})
    validation = validate_project(valid_project).validation
    assert all(r.path != R for r in validation.records)
    assert all("responsible_unit" not in r.body for r in validation.records)


def test_horizontal_rule_in_body_is_not_front_matter(valid_project):
    """The first '---' after the opening one closes the front matter; later ones are body."""
    write_all(valid_project, {R: RECTIFICATION + "\n---\n\n附件说明。\n"})
    validation = validate_project(valid_project).validation
    assert validation.valid
    record = next(r for r in validation.records if r.id == "ZG-2023-001")
    assert record.body.endswith("---\n\n附件说明。\n")


@pytest.mark.parametrize("front", [
    "title: " + "[" * 9 + "x" + "]" * 9,                               # flow nesting
    "title:\n" + "\n".join(" " * (2 * i) + f"k{i}:" for i in range(1, 40)) + " x",  # indentation
])
def test_too_deep_is_rejected_before_parsing(monkeypatch, front):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("the YAML parser saw oversized input")

    monkeypatch.setattr(strict_yaml.yaml, "parse", must_not_parse)
    document, problems = parse_bytes(("---\n" + front + "\n---\n").encode(), R, "rectifications")
    assert document is None
    assert [p.code for p in problems] == ["front-matter-too-deep"]


def test_deep_block_nesting_within_indent_bound_is_too_deep(valid_project):
    front = "title:\n" + "\n".join(" " * i + f"k{i}:" for i in range(1, 12)) + " x"
    write_all(valid_project, {R: "---\n" + front + "\n---\n"})
    problems = validate_project(valid_project, [valid_project / R]).validation.problems
    assert flatten(problems) == [("front-matter-too-deep", R, 10, None)]


def test_too_large_is_rejected_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("the YAML parser saw oversized input")

    monkeypatch.setattr(strict_yaml.yaml, "parse", must_not_parse)
    text = edit(RECTIFICATION, "result: 已拨付全部资金。", "result: " + "x" * (64 * 1024))
    document, problems = parse_bytes(text.encode(), R, "rectifications")
    assert document is None
    assert flatten(problems) == [("front-matter-too-large", R, 2, None)]


def test_front_matter_just_under_the_limit_is_read(valid_project):
    padding = 64 * 1024 - len(RECTIFICATION.encode("utf-8")) - 200
    write_all(valid_project, {R: edit(RECTIFICATION, "result: 已拨付全部资金。",
                                      "result: " + "x" * padding)})
    assert validate_project(valid_project).validation.valid


# --- YAML 1.1 typing is off: the schema decides types -------------------------------------------


@pytest.mark.parametrize("raw", ["no", "010", "12:30", "on", "0x1A", "1e3", "~x", "2023-06-30"])
def test_string_fields_keep_yaml_11_lookalikes_as_text(valid_project, raw):
    write_all(valid_project, {R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", f"title: {raw}")})
    validation = validate_project(valid_project).validation
    assert validation.valid
    record = next(r for r in validation.records if r.id == "ZG-2023-001")
    assert record.title == raw


@pytest.mark.parametrize("raw", ["010", "12:30", "0x7E7", "2_023", "+2023", "2023.0", "1e3"])
def test_integer_field_rejects_yaml_11_integers(valid_project, raw):
    write_all(valid_project, {PLAN_PATH: edit(PLAN, "year: 2023", f"year: {raw}")})
    problems = validate_project(valid_project).validation.problems
    assert flatten(problems) == [("wrong-type", PLAN_PATH, 7, "year")]
    assert problems[0].value == raw


@pytest.mark.parametrize("raw", ["no", "yes", "on", "off", "y", "n", "1", "0"])
def test_boolean_field_rejects_yaml_11_booleans(valid_project, raw):
    write_all(valid_project, {ITEM_PATH: edit(ITEM, "key: true", f"key: {raw}")})
    problems = validate_project(valid_project).validation.problems
    assert flatten(problems) == [("wrong-type", ITEM_PATH, 9, "key")]
    assert "true" in problems[0].hint


@pytest.mark.parametrize("raw", ["true", "True", "TRUE", "false", "False", "FALSE"])
def test_boolean_field_accepts_true_and_false(valid_project, raw):
    write_all(valid_project, {ITEM_PATH: edit(ITEM, "key: true", f"key: {raw}")})
    validation = validate_project(valid_project).validation
    assert validation.valid
    item = next(r for r in validation.records if r.id == "SX-2023-001")
    assert item.get("key") is (raw.lower() == "true")


def test_quoted_integer_is_still_an_integer(valid_project):
    """Quotes only say where text starts and ends; the schema decides the type."""
    write_all(valid_project, {PLAN_PATH: edit(PLAN, "year: 2023", 'year: "2023"')})
    validation = validate_project(valid_project).validation
    assert validation.valid
    assert next(r for r in validation.records if r.id == "JH-2023-01").get("year") == 2023


# --- every mistake at once -------------------------------------------------------------------


def test_one_file_with_several_mistakes_reports_all_of_them(valid_project):
    broken = RECTIFICATION
    for old, new in [
        ("id: ZG-2023-001", "id: ZG-2023-001"),                         # kept: references resolve
        ("status: completed", "status: done"),                          # invalid-enum (status)
        ("responsible_unit: ly-lyj", "responsible_unit: ly-nobody"),    # broken-reference
        ("deadline: 2023-06-30", "deadline: 2023-06-31"),               # invalid-date
        ("    reason: 需调整年度资金计划\n", ""),                         # missing-field (nested)
        ("result: 已拨付全部资金。\n", "result: 已拨付全部资金。\nprogres: 顺利\nassigned: 2023-05-02\n"),
        ("整改正文。", "[整改正文](javascript:void(0))"),                  # unsafe-link
    ]:
        broken = edit(broken, old, new)
    write_all(valid_project, {R: broken})
    assert flatten(validate_project(valid_project).validation.problems) == [
        ("invalid-enum", R, 5, "status"),
        ("broken-reference", R, 7, "responsible_unit"),
        ("invalid-date", R, 9, "deadline"),
        ("missing-field", R, 11, "deadline_extensions[0].reason"),
        ("unknown-field", R, 15, "progres"),
        ("duplicate-key", R, 16, "assigned"),
        ("unsafe-link", R, 18, "正文"),
    ]


def test_every_file_is_reported_not_only_the_first(valid_project):
    write_all(valid_project, {
        PLAN_PATH: edit(PLAN, "year: 2023", "year: 二〇二三"),
        ITEM_PATH: edit(ITEM, "key: true", "key: 是"),
        FINDING_PATH: "没有元数据\n",
        R: edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title: [加快"),
    })
    assert [(code, path) for code, path, *_ in
            flatten(validate_project(valid_project).validation.problems)] == [
        ("missing-front-matter", FINDING_PATH),
        ("wrong-type", ITEM_PATH),
        ("wrong-type", PLAN_PATH),
        ("yaml-syntax", R),
    ]


def test_top_level_notes_in_content_are_not_records(valid_project):
    write_all(valid_project, {"content/README.md": "# 说明\n没有元数据。\n"})
    assert validate_project(valid_project).validation.valid


def test_problem_as_dict_has_every_key(valid_project):
    write_all(valid_project, {R: edit(RECTIFICATION, "deadline: 2023-06-30",
                                      "deadline: 2023-02-30")})
    (found,) = validate_project(valid_project).validation.problems
    assert found.as_dict() == {
        "code": "invalid-date", "severity": "error", "path": R, "line": 9, "field": "deadline",
        "value": "2023-02-30", "title": CATALOGUE["invalid-date"].title,
        "message": found.message, "hint": found.hint,
    }


def test_catalogue_templates_fill_without_errors():
    """Every code has a title, a message and a hint written for editors."""
    for code, kind in CATALOGUE.items():
        assert kind.code == code
        assert kind.title and kind.template and kind.hint


# --- regressions -----------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_line_numbers_survive_yaml_only_line_breaks(valid_project, separator):
    """YAML 1.1 breaks lines at LS, PS and NEL (pasted text carries them); editors don't."""
    text = edit(RECTIFICATION, "title: 加快林业项目资金拨付", f'title: "加快{separator}拨付"')
    write_all(valid_project, {R: edit(text, "deadline: 2023-06-30", "deadline: 2023-02-30")})
    assert flatten(validate_project(valid_project).validation.problems) == [
        ("invalid-date", R, 9, "deadline")]


def test_syntax_error_after_yaml_only_line_break_points_at_its_line(valid_project):
    text = edit(RECTIFICATION, "title: 加快林业项目资金拨付", "title: '加快\u2028拨付'")
    write_all(valid_project, {R: edit(text, "result: 已拨付全部资金。", "result: [已拨付")})
    (found,) = validate_project(valid_project).validation.problems
    assert (found.code, found.line) == ("yaml-syntax", 15)


def test_shared_lead_of_the_wrong_type_is_only_a_wrong_reference(valid_project):
    write_all(valid_project, {EXCHANGE_PATH: edit(EXCHANGE, "lead: XS-2023-001",
                                                  "lead: SX-2023-001")})
    assert flatten(validate_project(valid_project).validation.problems) == [
        ("wrong-reference-type", EXCHANGE_PATH, 10, "lead")]


def test_verified_lead_may_be_shared(valid_project):
    write_all(valid_project, {LEAD_PATH: edit(LEAD, "verified: false", "verified: true"),
                              EXCHANGE_PATH: EXCHANGE})
    assert validate_project(valid_project).validation.valid
