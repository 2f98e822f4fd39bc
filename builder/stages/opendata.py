"""Open data: the public records as downloadable files, documented from the model.

Input is the public projection only (builder.project); this stage adds nothing to it. It
writes, into the site's `data/` folder:

- `records.json` — `{"generated_from": "public projection", "count": N, "withdrawn": W,
  "as_of": date, "license": {...}, "records": [...]}`;
  each record is an object with `id`, `type`, `type_label`, `title`, `status`,
  `status_label`, `url` (the page's full address when `site.url` is set, else relative to
  `data/`: `../<type>/<ID>/`), then its public fields as
  JSON values (dates as ISO strings), and for every reference to a supervising body or a
  supervised unit also `<field>_name`, the name from the registry (a list of names for a
  list of references; inside objects likewise); a record of a type with a due role also
  carries its honest deadline: `due_in_force`, `due_extensions` and `days_overdue` (as of the
  build date; absent when not overdue). Sorted by type, then ID.
- `records.csv` — UTF-8 with a byte-order mark (so Excel on Chinese Windows reads it as
  UTF-8), comma-separated, CRLF line ends
  (RFC 4180), one header row and one row per record, in the same order. Columns: id, type,
  type_label, title, status, status_label, then the fields every publishable type has, then
  each type's own fields in model order, each registry reference followed by its `_name`
  column. A cell is empty when the record's type has no such field or the field is not
  filled. Lists of plain values are joined with "; "; objects and lists of objects are
  compact JSON; dates are ISO; booleans are `true` / `false`.
- `schemas/<type>.schema.json` — a JSON Schema (draft 2020-12) of one record in
  records.json, for each type that may be public at all.
- `statistics.json` — every public figure declared in site_config/statistics.yml, computed
  from the same public projection: each figure with its label, its definition in plain
  Chinese and its value, and the statistics page's tables row by row (builder.statistics).
- `datapackage.json` — a Frictionless Data Package describing all of the above; records.csv
  is a tabular resource whose Table Schema is generated from the same model. The licence is
  `site.license` of site_config/site.yml, on the package and on every resource.

Field descriptions are written for readers: a field's `public_description`, else its
`description` (FieldSpec.reader_description).

Types that can never be public (their `allowed_visibility` lacks "public": leads, meetings,
exchanges) get no schema and no columns. Fields marked internal, and the publication-control
fields (`visibility` and the field playing the `embargo` role), are never written: the field list is an allow-list
built from the model, applied again here even though the projection already applied it.
Every file is byte-for-byte reproducible (sorted keys, no timestamps).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from ..model.model import FieldSpec, Model, RecordType, Registry
from ..model.records import Record
from ..model.roles import DueFacts, RecordIndex

PACKAGE_NAME = "sunlight-open-data"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SAMPLE_DATA_NOTE = "注意：本数据包中的记录是据公开报道整理的示例数据（sample data），不是官方发布。"

# The field that decides who may see a record; in open data it says nothing (nor does the
# field playing the `embargo` role: see publication_control).
VISIBILITY_FIELDS = frozenset({"visibility"})
LIST_SEPARATOR = "; "
STATISTICS_FILE = "statistics.json"
REGISTRY_LABELS = {"body": "监督机关", "unit": "单位"}
BOM = "\ufeff"
# Computed columns of a type with a due role: the deadline as a citizen should read it.
DUE_IN_FORCE, DUE_EXTENSIONS, DAYS_OVERDUE = "due_in_force", "due_extensions", "days_overdue"
_TABLE_TYPES = {"integer": "integer", "boolean": "boolean", "date": "date", "object": "object"}


class OpenDataError(Exception):
    """A record handed to this stage is not a public record of a publishable type."""


@dataclass(frozen=True)
class Column:
    """One column of records.csv as it is documented in the Table Schema."""

    name: str
    type: str                     # Table Schema type: string, integer, boolean, date, object, array
    title: str
    description: str
    enum: tuple[str, ...] = ()


# --- the stage --------------------------------------------------------------------------------


def open_data(records: list[Record], model: Model, statistics: dict[str, Any] | None = None,
              folder: str = "", as_of: date | None = None,
              url: str | None = None) -> dict[str, bytes]:
    """records.json, records.csv, one JSON Schema per type, statistics.json (the figures
    computed from the same projection, when given) and datapackage.json, by their path
    under `folder`, in that order. `records` must be the public projection, `as_of` its date
    (days overdue are counted to it), `url` the site's address (absolute page URLs)."""
    types = publishable_types(model)
    _check_public(records, types)
    ordered = sorted(records, key=lambda r: (r.type, r.id))
    index = RecordIndex(records, model)
    objects = [record_object(r, types[r.type], model.registry, url,
                             _due(index, r, as_of, types[r.type])) for r in ordered]
    columns = table_columns(model)
    withdrawn = sum(1 for r in records if index.is_withdrawn(r))
    files = {"records.json": _json_bytes(records_document(objects, withdrawn, as_of,
                                                          model.license)),
             "records.csv": records_csv(objects, columns)}
    for name, rtype in types.items():
        files[schema_path(name)] = _json_bytes(record_schema(rtype, model))
    if statistics is not None:
        files[STATISTICS_FILE] = _json_bytes({"generated_from": "public projection", **statistics,
                                              **({"license": model.license} if model.license
                                                 else {})})
    files["datapackage.json"] = _json_bytes(data_package(model, columns, statistics is not None))
    prefix = folder.rstrip("/") + "/" if folder else ""
    return {prefix + name: data for name, data in files.items()}


def publishable_types(model: Model) -> dict[str, RecordType]:
    """The record types that may be public, in model order."""
    return {name: t for name, t in model.types.items() if "public" in t.allowed_visibility}


def schema_path(type_name: str) -> str:
    """Where a type's JSON Schema lives, relative to the data folder."""
    return f"schemas/{type_name}.schema.json"


def _check_public(records: Iterable[Record], types: dict[str, RecordType]) -> None:
    for record in records:
        if record.type not in types or record.visibility != "public":
            raise OpenDataError(f"{record.id}（{record.type}）不是公开记录，不能写入开放数据；"
                                "开放数据只接受公开投影")


# --- public fields ----------------------------------------------------------------------------


def public_fields(specs: dict[str, FieldSpec], control: frozenset[str] = VISIBILITY_FIELDS
                  ) -> dict[str, FieldSpec]:
    """The fields open data may carry: declared, not internal, not publication control."""
    return {name: spec for name, spec in specs.items()
            if not spec.internal and not (spec.items and spec.items.internal)
            and name not in control}


def publication_control(rtype: RecordType) -> frozenset[str]:
    """A type's fields that only decide publication: visibility and its embargo role."""
    embargo = rtype.roles.fields.get("embargo")
    return VISIBILITY_FIELDS | ({embargo} if embargo else set())


def registry_kind(spec: FieldSpec) -> str | None:
    """The registry kind ("body" or "unit") a reference, or each item of a list, names."""
    if spec.type == "list" and spec.items is not None:
        return registry_kind(spec.items)
    if spec.type == "ref" and spec.to and spec.to[0] in REGISTRY_LABELS:
        return spec.to[0]
    return None


def name_field(field_name: str) -> str:
    """The companion field that carries the registry name of a reference."""
    return f"{field_name}_name"


# --- records.json -----------------------------------------------------------------------------


def record_object(record: Record, rtype: RecordType, registry: Registry,
                  url: str | None = None, due: DueFacts | None = None) -> dict[str, Any]:
    """One record as a JSON object: identity, labels, page URL (absolute under `url`),
    public fields, registry names, and the honest deadline `due` when it has one."""
    page = f"{record.type}/{record.id}/"
    obj: dict[str, Any] = {
        "id": record.id,
        "type": record.type,
        "type_label": rtype.label,
        "title": record.title,
        "status": record.status,
        "status_label": rtype.lifecycle.label(record.status),
        "url": f"{url.rstrip('/')}/{page}" if url else f"../{page}",
    }
    obj.update(_public_values(record.fields, rtype.fields, registry, publication_control(rtype)))
    if due is not None:
        obj[DUE_IN_FORCE] = due.in_force.isoformat()
        obj[DUE_EXTENSIONS] = due.extensions
        if due.days_overdue is not None:
            obj[DAYS_OVERDUE] = due.days_overdue
    return obj


def _due(index: RecordIndex, record: Record, as_of: date | None,
         rtype: RecordType) -> DueFacts | None:
    """The honest deadline of a record in open data (none for a withdrawn record, and none
    where the type already has a field of a computed column's name)."""
    if index.is_withdrawn(record) or set(rtype.fields) & {DUE_IN_FORCE, DUE_EXTENSIONS,
                                                          DAYS_OVERDUE}:
        return None
    facts = index.due_facts(record, as_of or date.min)
    if facts is not None and as_of is None:
        facts = DueFacts(facts.in_force, facts.original, facts.extensions, None)
    return facts


def records_document(objects: list[dict[str, Any]], withdrawn: int = 0,
                     as_of: date | None = None, license_: dict[str, str] | None = None
                     ) -> dict[str, Any]:
    """The whole of records.json: `count` is every published record, `withdrawn` of them
    withdrawn (the same count every page shows)."""
    document: dict[str, Any] = {"generated_from": "public projection", "count": len(objects),
                                "withdrawn": withdrawn, "records": objects}
    if as_of is not None:
        document["as_of"] = as_of.isoformat()
    if license_:
        document["license"] = license_
    return document


def _public_values(values: dict[str, Any], specs: dict[str, FieldSpec],
                   registry: Registry, control: frozenset[str] = VISIBILITY_FIELDS
                   ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in public_fields(specs, control).items():
        if values.get(name) is None:
            continue
        out[name] = _json_value(values[name], spec, registry)
        kind = registry_kind(spec)
        if kind is not None and name_field(name) not in specs:
            out[name_field(name)] = _registry_names(values[name], registry.entries(kind))
    return out


def _json_value(value: Any, spec: FieldSpec | None, registry: Registry) -> Any:
    if isinstance(value, list):
        item_spec = spec.items if spec is not None else None
        return [_json_value(v, item_spec, registry) for v in value]
    if isinstance(value, dict):
        return _public_values(value, spec.fields if spec is not None else {}, registry)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _registry_names(value: Any, entries: dict) -> Any:
    # Validation guarantees the entry exists; the ID stands in rather than a gap.
    if isinstance(value, list):
        return [_registry_names(v, entries) for v in value]
    entry = entries.get(value)
    return entry.name if entry is not None else value


# --- records.csv ------------------------------------------------------------------------------


def records_csv(objects: list[dict[str, Any]], columns: list[Column]) -> bytes:
    """records.csv as bytes: header row, then one row per record object."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for obj in objects:
        writer.writerow([csv_cell(obj.get(c.name)) for c in columns])
    # The byte-order mark tells Excel on Chinese Windows the file is UTF-8 (without it Excel
    # reads GBK and shows garbage); csv readers and Frictionless skip it.
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_cell(value: Any) -> str:
    """A JSON value as one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and not any(isinstance(v, (list, dict)) for v in value):
        return LIST_SEPARATOR.join(csv_cell(v) for v in value)
    if isinstance(value, (list, dict)):
        return _compact_json(value)
    return str(value)


def table_columns(model: Model) -> list[Column]:
    """The columns of records.csv: fixed identity columns, then the fields every type has,
    then each type's own fields in model order; one column per name across all types."""
    variants: dict[str, list[tuple[RecordType, Column]]] = {}
    per_type = []
    for rtype in publishable_types(model).values():
        columns = _type_columns(rtype, model)
        per_type.append([c.name for c in columns])
        for column in columns:
            variants.setdefault(column.name, []).append((rtype, column))
    common = [n for n in per_type[0] if all(n in names for names in per_type)] if per_type else []
    leading = ["id", "type", "type_label", "title", "status", "status_label"]
    order = _unique(leading + common + [n for names in per_type for n in names])
    return [_merge(name, variants[name]) for name in order if name in variants]


def _type_columns(rtype: RecordType, model: Model) -> list[Column]:
    columns = [
        Column("type_label", "string", "记录类型名称", "记录类型的中文名称。",
               (rtype.label,)),
        Column("status_label", "string", "状态名称", "状态的中文名称。",
               tuple(s.label for s in rtype.lifecycle.statuses.values())),
    ]
    for name, spec in public_fields(rtype.fields, publication_control(rtype)).items():
        description = describe(spec, rtype, model)
        if _table_type(spec) == "string" and spec.type == "list":
            description += f"多项以“{LIST_SEPARATOR}”分隔。"
        columns.append(Column(name, _table_type(spec), spec.label, description,
                              _enum(spec, rtype)))
        kind = registry_kind(spec)
        if kind is not None and name_field(name) not in rtype.fields:
            columns.append(Column(name_field(name), "string", f"{spec.label}（名称）",
                                  _name_description(spec, kind)))
    return columns + due_columns(rtype)


def due_columns(rtype: RecordType) -> list[Column]:
    """The computed deadline columns of a type with a due role (none without one, and none
    when a field already has such a name)."""
    if rtype.roles.due is None or set(rtype.fields) & {DUE_IN_FORCE, DUE_EXTENSIONS,
                                                       DAYS_OVERDUE}:
        return []
    return [Column(DUE_IN_FORCE, "date", "现行期限",
                   "现在有效的期限：最后一次批准延期后的新期限；没有延期时就是原定期限。"
                   "由记录计算得出，已撤回的记录没有。"),
            Column(DUE_EXTENSIONS, "integer", "延期次数", "期限被批准延长的次数。"),
            Column(DAYS_OVERDUE, "integer", "逾期天数",
                   "截至数据生成日（records.json 的 as_of）超过现行期限仍未完成的天数；"
                   "没有逾期时为空。")]


def _table_type(spec: FieldSpec) -> str:
    if spec.type == "list":
        return "array" if spec.items is not None and spec.items.type == "object" else "string"
    return _TABLE_TYPES.get(spec.type, "string")


def _merge(name: str, variants: list[tuple[RecordType, Column]]) -> Column:
    """One column from the same-named fields of several types; "string" when types differ."""
    kinds = {c.type for _, c in variants}
    titles = _unique(c.title for _, c in variants)
    by_description: dict[str, list[str]] = {}
    for rtype, column in variants:
        by_description.setdefault(column.description, []).append(rtype.label)
    descriptions = [d for d in by_description if d]
    if len(by_description) > 1:
        descriptions = [f"{'、'.join(labels)}：{d}" for d, labels in by_description.items() if d]
    enum: tuple[str, ...] = ()
    if all(c.enum for _, c in variants):
        enum = tuple(_unique(v for _, c in variants for v in c.enum))
    return Column(name=name, type=kinds.pop() if len(kinds) == 1 else "string",
                  title="／".join(titles), description="\n".join(descriptions), enum=enum)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- documentation shared by the JSON Schemas and the Table Schema ----------------------------


def describe(spec: FieldSpec, rtype: RecordType, model: Model) -> str:
    """The Chinese description of a field, with its allowed values or reference target."""
    parts = [spec.reader_description] if spec.reader_description else []
    target = _item_or_self(spec)
    values = _value_labels(target, rtype)
    if values:
        parts.append("取值：" + "、".join(f"{v}（{label}）" for v, label in values.items()) + "。")
    if target.type == "ref":
        parts.append(_ref_note(target, spec.name, model))
    return "".join(parts)


def _item_or_self(spec: FieldSpec) -> FieldSpec:
    return spec.items if spec.type == "list" and spec.items is not None else spec


def _value_labels(spec: FieldSpec, rtype: RecordType) -> dict[str, str]:
    if spec.type == "enum":
        return dict(spec.values)
    if spec.type == "status":
        return {name: s.label for name, s in rtype.lifecycle.statuses.items()}
    return {}


def _enum(spec: FieldSpec, rtype: RecordType) -> tuple[str, ...]:
    if spec.type == "record-type":
        return (rtype.name,)
    return tuple(_value_labels(spec, rtype)) if spec.type in ("enum", "status") else ()


def _ref_note(target: FieldSpec, field_name: str, model: Model) -> str:
    kind = registry_kind(target)
    if kind is not None:
        return f"引用登记的{REGISTRY_LABELS[kind]}编号，名称见 {name_field(field_name)}。"
    targets = "或".join(_type_label(t, model) for t in target.to)
    return f"引用{targets}的编号；被引用的记录未公开时省略。"


def _type_label(type_name: str, model: Model) -> str:
    rtype = model.types.get(type_name)
    return f"{rtype.label}（{type_name}）" if rtype is not None else type_name


def _name_description(spec: FieldSpec, kind: str) -> str:
    return f"{spec.label}的{REGISTRY_LABELS[kind]}名称，由 {spec.name} 的编号查登记表得出。"


# --- JSON Schema ------------------------------------------------------------------------------


def record_schema(rtype: RecordType, model: Model) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one record of `rtype` in records.json."""
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": rtype.label,
        "description": rtype.description,
        "type": "object",
        "properties": {
            "type_label": {"title": "记录类型名称", "const": rtype.label},
            "status_label": {"title": "状态名称", "type": "string",
                             "enum": [s.label for s in rtype.lifecycle.statuses.values()]},
            "url": {"title": "页面地址", "type": "string",
                    "description": "记录页面的地址：网站设置了网址时是完整网址，"
                                   "否则是相对于 data/ 的地址。"},
            **_properties(rtype.fields, rtype, model, publication_control(rtype)),
            **{c.name: {"title": c.title, "description": c.description,
                        **({"type": "string", "format": "date"} if c.type == "date"
                           else {"type": c.type})} for c in due_columns(rtype)},
        },
        "required": ["id", "type", "type_label", "title", "status", "status_label", "url"],
        "additionalProperties": False,
    }
    schema.update(_required_unless_withdrawn(rtype, schema["required"]))
    return schema


def _properties(specs: dict[str, FieldSpec], rtype: RecordType, model: Model,
                control: frozenset[str] = VISIBILITY_FIELDS) -> dict:
    properties: dict[str, Any] = {}
    for name, spec in public_fields(specs, control).items():
        properties[name] = property_schema(spec, rtype, model)
        kind = registry_kind(spec)
        if kind is not None and name_field(name) not in specs:
            name_schema: dict[str, Any] = {"type": "string"}
            if spec.type == "list":
                name_schema = {"type": "array", "items": name_schema}
            properties[name_field(name)] = {"title": f"{spec.label}（名称）",
                                            "description": _name_description(spec, kind),
                                            **name_schema}
    return properties


def property_schema(spec: FieldSpec, rtype: RecordType, model: Model) -> dict[str, Any]:
    """JSON Schema of one field's value."""
    schema: dict[str, Any] = {}
    if spec.label and spec.label != spec.name:
        schema["title"] = spec.label
    description = describe(spec, rtype, model)
    if description:
        schema["description"] = description
    schema.update(_value_schema(spec, rtype, model))
    return schema


def _value_schema(spec: FieldSpec, rtype: RecordType, model: Model) -> dict[str, Any]:
    kind = spec.type
    if kind == "integer":
        return {"type": "integer"}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind in ("enum", "status"):
        return {"type": "string", "enum": list(_value_labels(spec, rtype))}
    if kind == "record-type":
        return {"const": rtype.name}
    if kind == "id":
        return {"type": "string", "pattern": rtype.id_pattern.pattern}
    if kind == "list":
        # The list's own description already names the items' values or target.
        items = _value_schema(spec.items, rtype, model) if spec.items else {}
        return {"type": "array", "items": items}
    if kind == "object":
        return {"type": "object", "properties": _properties(spec.fields, rtype, model),
                "required": _guaranteed(spec.fields), "additionalProperties": False}
    return {"type": "string"}


def _guaranteed(specs: dict[str, FieldSpec], control: frozenset[str] = VISIBILITY_FIELDS
                ) -> list[str]:
    """Required public fields the projection always keeps. It drops a reference to a record
    that is not public and a list left empty, so neither is ever guaranteed."""
    names = []
    for name, spec in public_fields(specs, control).items():
        if not spec.required or spec.type == "list":
            continue
        if spec.type == "ref" and registry_kind(spec) is None:
            continue
        names.append(name)
        if registry_kind(spec) is not None and name_field(name) not in specs:
            names.append(name_field(name))
    return names


def _required_unless_withdrawn(rtype: RecordType, always: list[str]) -> dict[str, Any]:
    """A withdrawn record is a tombstone that keeps only a few fields: the other required
    fields are required only while the record is not withdrawn."""
    more = [n for n in _guaranteed(rtype.fields, publication_control(rtype)) if n not in always]
    if not more:
        return {}
    withdrawn = [name for name, s in rtype.lifecycle.statuses.items() if s.withdrawn]
    if not withdrawn:
        return {"required": always + more}
    return {"if": {"properties": {"status": {"enum": withdrawn}}, "required": ["status"]},
            "else": {"required": more}}


# --- datapackage.json -------------------------------------------------------------------------


def data_package(model: Model, columns: list[Column], with_statistics: bool = False
                 ) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the data folder."""
    site = model.site
    description = "".join(p for p in (str(site.get("description") or ""), SAMPLE_DATA_NOTE) if p)
    licenses = {"licenses": [model.license]} if model.license else {}
    resources = [
        _csv_resource(columns),
        _json_resource("records-json", "records.json", "全部公开记录（JSON）",
                       "与 records.csv 的记录相同，另有记录页面地址 url；每条记录的结构见 schemas/ 下对应类型的 JSON Schema。",
                       "application/json"),
        *[_json_resource(f"schema-{name}", schema_path(name), f"{t.label} JSON Schema",
                         f"records.json 中一条{t.label}记录的 JSON Schema（draft 2020-12）。",
                         "application/schema+json")
          for name, t in publishable_types(model).items()],
        *([_json_resource("statistics", STATISTICS_FILE, "统计数字（JSON）",
                          "网站统计页和首页上的每个数字：名称、口径（definition）和数值，以及统计页各表逐行的数字；"
                          "由本数据包中的公开记录按 site_config/statistics.yml 的声明计算。",
                          "application/json")] if with_statistics else []),
    ]
    # Each file carries the licence in its own metadata too, for whoever takes one file.
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": str(site.get("name") or PACKAGE_NAME),
        "description": description,
        **licenses,
        "resources": [{**resource, **licenses} for resource in resources],
    }


def _csv_resource(columns: list[Column]) -> dict[str, Any]:
    return {
        "name": "records",
        "title": "全部公开记录（CSV）",
        "description": "每条公开记录一行；某类型没有的字段留空。UTF-8 编码，带字节顺序标记（BOM），"
                       "Excel 可以直接打开。",
        "path": "records.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [table_field(c) for c in columns], "primaryKey": ["id"],
                   "missingValues": [""]},
    }


def _json_resource(name: str, path: str, title: str, description: str,
                   mediatype: str) -> dict[str, Any]:
    # "type": "json" keeps Frictionless from reading *.schema.json as a Table Schema.
    return {"name": name, "title": title, "description": description, "path": path,
            "format": "json", "mediatype": mediatype, "encoding": "utf-8", "type": "json"}


def table_field(column: Column) -> dict[str, Any]:
    """A Table Schema field descriptor for one column."""
    field: dict[str, Any] = {"name": column.name, "type": column.type, "title": column.title}
    if column.description:
        field["description"] = column.description
    constraints: dict[str, Any] = {}
    if column.name == "id":
        constraints.update(required=True, unique=True)
    if column.enum and column.type == "string":
        constraints["enum"] = list(column.enum)
    if constraints:
        field["constraints"] = constraints
    return field


# --- encoding ---------------------------------------------------------------------------------


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json_bytes(document: Any) -> bytes:
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    return text.encode("utf-8")
