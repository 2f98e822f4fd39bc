"""Open data stage: records.json, records.csv, JSON Schemas and datapackage.json.

The records come from a small temporary project validated the way `sunlight validate`
does it, then reduced to the public projection. The projection used here is a stand-in
that applies the same allow-list as builder.stages.projection, so these tests do not depend on it;
`test_with_the_real_projection` runs the two together when builder.stages.projection is present.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from builder.model.model import FieldSpec, Model
from builder.stages.opendata import OpenDataError, open_data, table_columns
from builder.stages.publish import write_tree
from builder.pipeline import Deployment, check
from builder.model.records import Record

REPO = Path(__file__).resolve().parent.parent

RECORDS = {
    "plans/JH-2023-01.md": """\
id: JH-2023-01
type: plan
title: 泸州市人大常委会2023年度监督工作计划
status: in_progress
body: lz-rd
year: 2023
adopted: 2023-02-20
""",
    "items/SX-2023-001.md": """\
id: SX-2023-001
type: item
title: 优化营商环境三方联动监督
status: launched
plan: JH-2023-01
lead_body: lz-xc
co_bodies: [lz-rd, lz-sj]
coordination: joint_three
subjects: [lz-fgw]
methods: [hearing_report, audit]
key: true
started: 2023-03-01
consultations:
  - body: lz-sj
    requested: 2023-04-01
    answered: 2023-04-10
    opinion: 同意形成监督成果。
internal_note: 秘密催办记录甲
""",
    # Not public: the finding below refers to it, and the projection drops that reference.
    "items/SX-2023-002.md": """\
id: SX-2023-002
type: item
title: 尚未公开的监督事项
status: planned
plan: JH-2023-01
lead_body: lz-rd
visibility: internal
""",
    "findings/WT-2023-001.md": """\
id: WT-2023-001
type: finding
title: 企业开办审批时限偏长
status: rectifying
origin: SX-2023-001
source_body: lz-xc
unit: lz-fgw
category: business_environment
found: 2023-04-10
description: 部分审批事项超过承诺时限。
""",
    "findings/WT-2023-002.md": """\
id: WT-2023-002
type: finding
title: 来源未公开的问题
status: open
origin: SX-2023-002
source_body: lz-rd
category: policy
found: 2023-05-10
description: 问题描述。
""",
    "rectifications/ZG-2023-001.md": """\
id: ZG-2023-001
type: rectification
title: 压缩企业开办审批时限
status: completed
finding: WT-2023-001
responsible_unit: lz-fgw
assigned: 2023-05-01
deadline: 2023-06-30
deadline_extensions:
  - date: 2023-06-20
    deadline: 2023-09-30
    reason: 需修订办事指南
completed: 2023-09-15
result: 审批时限压缩至1个工作日。
evidence: [办事指南（修订版）, 整改报告]
satisfaction: satisfied
contact: 秘密联系人乙 0830-1234567
internal_note: 秘密督办备注丙
""",
    "rectifications/ZG-2023-002.md": """\
id: ZG-2023-002
type: rectification
title: 已撤回的整改事项
status: withdrawn
finding: WT-2023-001
responsible_unit: lz-fgw
assigned: 2023-05-01
deadline: 2023-06-30
withdrawn: 2023-06-01
withdrawal_reason: 与 ZG-2023-001 重复。
contact: 秘密联系人丁
""",
    "resolutions/YJ-2023-001.md": """\
id: YJ-2023-001
type: resolution
title: 关于优化营商环境工作情况报告的审议意见
status: responding
kind: review_opinion
body: lz-rd
item: SX-2023-001
session: 市人大常委会第十次会议
adopted: 2023-06-28
votes:
  for: "30"
  against: "0"
  abstain: "1"
addressed_to: [lz-gov]
response_due: 2023-09-28
""",
    "reports/BG-2023-001.md": """\
id: BG-2023-001
type: report
title: 关于审议意见办理情况的报告
status: submitted
kind: rectification_report
body: lz-rd
unit: lz-gov
subject: YJ-2023-001
period: 2023年度
due: 2023-09-28
submitted: 2023-09-20
""",
    "leads/XS-2023-001.md": """\
id: XS-2023-001
type: lead
title: 秘密线索戊
status: received
owner_body: lz-xc
received: 2023-04-01
summary: 秘密线索摘要己。
verified: false
""",
    "meetings/HY-2023-001.md": """\
id: HY-2023-001
type: meeting
title: 三方联席会议
status: held
kind: joint_meeting
date: 2023-01-10
held_on: 2023-01-10
convener: lz-rd
bodies: [lz-rd, lz-xc, lz-sj]
""",
}
PUBLIC_IDS = {"JH-2023-01", "SX-2023-001", "WT-2023-001", "WT-2023-002", "ZG-2023-001",
              "ZG-2023-002", "YJ-2023-001", "BG-2023-001"}
# Everything the public must never see: internal field names and every non-public value.
NEVER_PUBLIC = ["contact", "internal_note", "秘密", "SX-2023-002", "XS-2023-001", "HY-2023-001",
                "内部督办", "publish_after"]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory):
    """The sample project, validated: (model, every record)."""
    root = tmp_path_factory.mktemp("project")
    (root / "site_config").symlink_to(REPO / "site_config", target_is_directory=True)
    for rel, front in RECORDS.items():
        body = "正文。\n\n<!-- internal -->\n内部督办情况。\n<!-- /internal -->\n"
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    result = check(Deployment(root))
    assert result.validation.errors == []
    return result.model, result.validation.records


@pytest.fixture(scope="module")
def model(checked) -> Model:
    return checked[0]


@pytest.fixture(scope="module")
def public(checked) -> list[Record]:
    return public_projection(checked[1], checked[0])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, public, model) -> Path:
    out = tmp_path_factory.mktemp("site") / "data"
    write_tree(out, open_data(public, model))
    return out


def public_projection(records: list[Record], model: Model) -> list[Record]:
    """Stand-in for builder.stages.projection: public records; of their fields only declared,
    non-internal ones; references only to public records; withdrawn ones as tombstones."""
    public_ids = {r.id for r in records if r.visibility == "public"}
    out = []
    for record in records:
        if record.id not in public_ids:
            continue
        rtype = model.types[record.type]
        fields = {}
        for name, value in record.fields.items():
            spec = rtype.fields.get(name)
            if spec is None or spec.internal or name in ("visibility", "publish_after"):
                continue
            if spec.type == "ref" and spec.to[0] in model.types and value not in public_ids:
                continue
            fields[name] = value
        if rtype.lifecycle.statuses[record.status].withdrawn:
            keep = ("id", "type", "title", "status", "withdrawn", "withdrawal_reason")
            fields = {k: v for k, v in fields.items() if k in keep}
        out.append(Record(id=record.id, type=record.type, path=record.path, fields=fields,
                          body="", visibility="public"))
    return out


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def all_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the files --------------------------------------------------------------------------------


def test_writes_the_documented_files(tmp_path: Path, public, model):
    written = write_tree(tmp_path, open_data(public, model))
    names = [p.relative_to(tmp_path).as_posix() for p in written]
    schemas = [f"schemas/{t}.schema.json" for t in
               ("appraisal", "finding", "item", "period_report", "plan", "rectification",
                "report", "resolution", "suggestion", "suggestion_batch")]
    assert names == ["records.json", "records.csv", *schemas, "datapackage.json"]
    assert sorted(all_files(tmp_path)) == sorted(names)


def test_records_json(data_dir: Path, public):
    document = read_json(data_dir / "records.json")
    records = document["records"]
    assert document["generated_from"] == "public projection"
    assert document["count"] == len(records) == len(public) == len(PUBLIC_IDS)
    assert [(r["type"], r["id"]) for r in records] == sorted((r["type"], r["id"]) for r in records)
    by_id = {r["id"]: r for r in records}
    assert set(by_id) == PUBLIC_IDS

    item = by_id["SX-2023-001"]
    assert item["type_label"] == "监督事项"
    assert (item["status"], item["status_label"]) == ("launched", "已启动")
    assert item["url"] == "../item/SX-2023-001/"
    assert item["started"] == "2023-03-01"
    assert item["key"] is True
    assert item["lead_body_name"] == "中共泸州市委巡察工作领导小组办公室"
    assert item["co_bodies"] == ["lz-rd", "lz-sj"]
    assert item["co_bodies_name"] == ["泸州市人大常委会", "泸州市审计局"]
    assert item["consultations"] == [{"body": "lz-sj", "body_name": "泸州市审计局",
                                      "requested": "2023-04-01", "answered": "2023-04-10",
                                      "opinion": "同意形成监督成果。"}]
    assert by_id["YJ-2023-001"]["votes"] == {"for": 30, "against": 0, "abstain": 1}
    assert by_id["ZG-2023-001"]["deadline_extensions"][0]["deadline"] == "2023-09-30"
    assert "source" not in by_id["WT-2023-002"]   # its source item is not public


def test_records_json_is_written_as_documented(data_dir: Path):
    text = (data_dir / "records.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "企业开办" in text                      # ensure_ascii=False
    assert text.startswith('{\n "count": ')        # sorted keys, indent 1


def test_records_csv(data_dir: Path, public):
    raw = (data_dir / "records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,")     # UTF-8 with a BOM, for Excel
    rows = read_csv(data_dir / "records.csv")
    assert len(rows) == len(public)
    header = list(rows[0])
    assert header[:6] == ["id", "type", "type_label", "title", "status", "status_label"]
    assert header.index("withdrawal_reason") < header.index("finding")   # common fields first
    assert header.index("lead_body") + 1 == header.index("lead_body_name")
    by_id = {r["id"]: r for r in rows}
    in_json = read_json(data_dir / "records.json")["records"]
    assert [r["id"] for r in rows] == [r["id"] for r in in_json]
    item = by_id["SX-2023-001"]
    assert item["key"] == "true"
    assert item["co_bodies"] == "lz-rd; lz-sj"
    assert item["co_bodies_name"] == "泸州市人大常委会; 泸州市审计局"
    assert item["started"] == "2023-03-01"
    assert json.loads(item["consultations"])[0]["body_name"] == "泸州市审计局"
    assert item["deadline"] == ""                  # items have no deadline
    assert by_id["YJ-2023-001"]["votes"] == '{"abstain":1,"against":0,"for":30}'
    assert by_id["ZG-2023-002"]["withdrawal_reason"] == "与 ZG-2023-001 重复。"


def test_columns_take_their_table_type_from_the_model(model):
    columns = {c.name: c for c in table_columns(model)}
    assert columns["year"].type == "integer"
    assert columns["deadline"].type == "date"
    assert columns["key"].type == "boolean"
    assert columns["votes"].type == "object"
    assert columns["deadline_extensions"].type == "array"
    assert columns["co_bodies"].type == "string"   # joined with "; "
    assert {"resolution", "review_opinion", "rectification_report"} <= set(columns["kind"].enum)
    assert "contact" not in columns and "visibility" not in columns


def test_a_column_with_different_types_is_a_string(model):
    report = model.types["report"]
    period_as_year = FieldSpec(name="year", type="string", label="年度")
    changed = replace(report, fields={**report.fields, "year": period_as_year})
    columns = {c.name: c for c in table_columns(replace(model, types={**model.types,
                                                                      "report": changed}))}
    assert columns["year"].type == "string"       # an integer in plans, a string in reports


def test_datapackage_validates_offline(data_dir: Path, monkeypatch):
    frictionless = pytest.importorskip("frictionless")

    def no_network(*args, **kwargs):
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    report = frictionless.validate(str(data_dir / "datapackage.json"))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    assert [task.name for task in report.tasks][:2] == ["records", "records-json"]


def test_datapackage_describes_the_files(data_dir: Path, model):
    package = read_json(data_dir / "datapackage.json")
    assert package["title"] == model.site["name"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "示例数据" in package["description"]
    assert "created" not in package
    paths = {r["path"]: r for r in package["resources"]}
    assert paths["records.json"]["mediatype"] == "application/json"
    assert paths["schemas/rectification.schema.json"]["format"] == "json"
    table = paths["records.csv"]["schema"]
    header = next(csv.reader(io.StringIO((data_dir / "records.csv").read_text(encoding="utf-8-sig"))))
    assert [f["name"] for f in table["fields"]] == header
    deadline = next(f for f in table["fields"] if f["name"] == "deadline")
    assert (deadline["type"], deadline["title"]) == ("date", "整改期限")


def test_each_record_validates_against_its_type_schema(data_dir: Path):
    jsonschema = pytest.importorskip("jsonschema")
    validator_class = jsonschema.Draft202012Validator
    records = read_json(data_dir / "records.json")["records"]
    for record in records:
        schema = read_json(data_dir / "schemas" / f"{record['type']}.schema.json")
        validator_class.check_schema(schema)
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        assert list(validator.iter_errors(record)) == [], record["id"]


def test_schemas_document_the_model_and_refuse_what_it_does_not_declare(data_dir: Path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = read_json(data_dir / "schemas" / "rectification.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "整改事项"
    deadline = schema["properties"]["deadline"]
    assert deadline == {"title": "整改期限", "description": deadline["description"],
                        "type": "string", "format": "date"}
    assert schema["properties"]["satisfaction"]["enum"] == ["satisfied", "basically_satisfied",
                                                             "unsatisfied"]
    assert "对应问题" in schema["properties"]["finding"]["title"]
    assert "发现问题（finding）" in schema["properties"]["finding"]["description"]
    assert "responsible_unit" in schema["else"]["required"]
    record = next(r for r in read_json(data_dir / "records.json")["records"]
                  if r["id"] == "ZG-2023-001")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**record, "contact": "x"}, schema)


# --- what must never be written ---------------------------------------------------------------


def test_nothing_internal_is_written(data_dir: Path):
    for name, content in all_files(data_dir).items():
        text = content.decode("utf-8")
        for secret in NEVER_PUBLIC:
            assert secret not in text, f"{secret} in {name}"
    assert not (data_dir / "schemas" / "lead.schema.json").exists()
    assert not (data_dir / "schemas" / "meeting.schema.json").exists()


def test_internal_fields_stay_out_even_if_the_projection_let_them_through(tmp_path, checked):
    model, records = checked
    leaky = [r for r in records if r.visibility == "public"]   # internal fields still inside
    assert any("contact" in r.fields for r in leaky)
    write_tree(tmp_path, open_data(leaky, model))
    for name, content in all_files(tmp_path).items():
        text = content.decode("utf-8")
        assert "contact" not in text and "秘密" not in text, name


def test_refuses_a_record_that_is_not_public(tmp_path, checked):
    model, records = checked
    lead = next(r for r in records if r.type == "lead")
    with pytest.raises(OpenDataError):
        write_tree(tmp_path, open_data([lead], model))


# --- reproducible builds ----------------------------------------------------------------------


def test_output_is_byte_identical_across_runs(tmp_path: Path, public, model):
    write_tree(tmp_path / "first", open_data(public, model))
    write_tree(tmp_path / "second", open_data(list(reversed(public)), model))
    first, second = all_files(tmp_path / "first"), all_files(tmp_path / "second")
    assert first == second


def test_with_the_real_projection(tmp_path: Path, checked):
    project_stage = pytest.importorskip("builder.stages.projection")
    from datetime import date

    model, records = checked
    projection = project_stage.project(records, model, project_stage.Audience.PUBLIC,
                                       date(2024, 1, 1))
    write_tree(tmp_path, open_data(projection.records, model))
    document = read_json(tmp_path / "records.json")
    assert {r["id"] for r in document["records"]} == PUBLIC_IDS
    for content in all_files(tmp_path).values():
        assert not any(secret in content.decode("utf-8") for secret in NEVER_PUBLIC)
