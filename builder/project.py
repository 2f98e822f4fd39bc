"""Stage 4, project: what one audience may see, and nothing else.

The public projection is an allow-list, never a deny-list: a record is kept only if it is
public (and past its `publish_after` date); of its fields only those the schema declares and
does not mark internal; of its body only what lies outside internal blocks; of its references
only those pointing at records the same audience sees (others vanish without a trace, not
as dead links). Withdrawn records become tombstones: what it was, when and why withdrawn.
Every later stage — stats, render, open data, history — works on this output only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from .body import strip_internal
from .model import FieldSpec, Model
from .records import Record

# What a tombstone keeps of a withdrawn record.
TOMBSTONE_FIELDS = ("id", "type", "title", "status", "withdrawn", "withdrawal_reason")


class Audience(str, Enum):
    PUBLIC = "public"


@dataclass
class Projection:
    audience: Audience
    as_of: date
    records: list[Record] = field(default_factory=list)

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}


def is_public(record: Record, as_of: date) -> bool:
    """Public, and past any embargo."""
    if record.visibility != "public":
        return False
    embargo = record.get("publish_after")
    return not (isinstance(embargo, date) and embargo > as_of)


def project(records: list[Record], model: Model, audience: Audience, as_of: date) -> Projection:
    """Keep only what `audience` may see of `records`, as of the build date."""
    if audience is not Audience.PUBLIC:
        raise ValueError(f"unsupported audience {audience}")
    visible = {r.id for r in records if is_public(r, as_of)}
    out = Projection(audience=audience, as_of=as_of)
    for record in records:
        if record.id not in visible:
            continue
        rtype = model.types[record.type]
        status = rtype.lifecycle.statuses.get(record.status)
        if status is not None and status.withdrawn:
            fields = {k: record.fields[k] for k in TOMBSTONE_FIELDS if k in record.fields}
            body = ""
        else:
            fields = _allowed(record.fields, rtype.fields, visible)
            fields.pop("visibility", None)
            fields.pop("publish_after", None)
            body = strip_internal(record.body)
        out.records.append(Record(id=record.id, type=record.type, path=record.path,
                                  fields=fields, body=body, body_line=record.body_line,
                                  visibility="public"))
    return out


def _allowed(values: dict[str, Any], specs: dict[str, FieldSpec], visible: set[str]) -> dict:
    kept: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None or spec.internal:
            continue
        value = _value(value, spec, visible)
        if value is not _DROP:
            kept[name] = value
    return kept


_DROP = object()


def _value(value: Any, spec: FieldSpec, visible: set[str]) -> Any:
    if spec.type == "ref" and spec.to[0] not in ("body", "unit"):
        return value if value in visible else _DROP
    if spec.type == "list" and spec.items is not None:
        items = [_value(v, spec.items, visible) for v in value]
        items = [v for v in items if v is not _DROP]
        return items if items else _DROP
    if spec.type == "object":
        return _allowed(value, spec.fields, visible)
    return value
