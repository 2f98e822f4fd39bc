"""Stage 4, project: what one audience may see, and nothing else.

The public projection is an allow-list, never a deny-list: a record is kept only if it is
public (and past its embargo date, the `embargo` role); of its fields only those the schema declares and
does not mark internal; of its body only what lies outside internal blocks; of its references
only those pointing at records the same audience sees (others vanish without a trace, not
as dead links). Withdrawn records become tombstones: what it was, when and why withdrawn.

The internal projection is for the supervising bodies: public, internal and embargoed
records with every declared field and their internal blocks. Restricted records (问题线索)
appear only in the build for their owning body while their type's `verified` role says they
are not verified: only then are they shared with the other bodies. Every later stage works on a projection only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from ..text.record_body import strip_internal
from ..model.model import FieldSpec, Model
from ..model.records import Record
from ..model.roles import RecordIndex

# What a tombstone keeps of a withdrawn record, besides the fields of its withdrawal roles.
TOMBSTONE_FIELDS = ("id", "type", "title", "status")
TOMBSTONE_ROLES = ("withdrawal_date", "withdrawal_reason")


class Audience(str, Enum):
    PUBLIC = "public"
    INTERNAL = "internal"


@dataclass
class Projection:
    audience: Audience
    as_of: date
    records: list[Record] = field(default_factory=list)
    body: str | None = None          # internal builds: the body the build is made for

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}


def is_public(record: Record, as_of: date, model: Model) -> bool:
    """Public, and past any embargo (the `embargo` role)."""
    if record.visibility != "public":
        return False
    embargo_field = model.types[record.type].roles.embargo
    embargo = record.get(embargo_field) if embargo_field else None
    return not (isinstance(embargo, date) and embargo > as_of)


def visible(record: Record, model: Model, audience: Audience, as_of: date,
            body: str | None = None, index: RecordIndex | None = None) -> bool:
    """Whether `audience` (built for `body`, if internal) may see `record` at all.

    A restricted record is seen by its owning body only (owner_body role), until its type's
    `verified` role says it is verified: then every body sees it. A restricted type without
    a `verified` role stays with its owner. `index` resolves a dotted owner_body role."""
    if audience is Audience.PUBLIC:
        return is_public(record, as_of, model)
    if record.visibility != "restricted":
        return True
    verified = model.types[record.type].roles.verified
    if verified and record.get(verified) is True:
        return True
    if body is None:
        return False
    index = index if index is not None else RecordIndex([record], model)
    return index.body_of(record) == body


def project(records: list[Record], model: Model, audience: Audience, as_of: date,
            body: str | None = None) -> Projection:
    """Keep only what `audience` may see of `records`, as of the build date."""
    if audience is Audience.PUBLIC and body is not None:
        raise ValueError("a public build is the same for everyone: it takes no body")
    index = RecordIndex(records, model)
    shown = {r.id for r in records if visible(r, model, audience, as_of, body, index)}
    out = Projection(audience=audience, as_of=as_of, body=body)
    for record in records:
        if record.id not in shown:
            continue
        rtype = model.types[record.type]
        status = rtype.lifecycle.statuses.get(record.status)
        if audience is Audience.INTERNAL:
            fields = _allowed(record.fields, rtype.fields, shown, internal=True)
            body_text = record.body
        elif status is not None and status.withdrawn:
            kept = TOMBSTONE_FIELDS + tuple(filter(None, (rtype.roles.field_of(role)
                                                          for role in TOMBSTONE_ROLES)))
            fields = {k: record.fields[k] for k in kept if k in record.fields}
            body_text = ""
        else:
            fields = _allowed(record.fields, rtype.fields, shown, internal=False)
            fields.pop("visibility", None)
            if rtype.roles.embargo:
                fields.pop(rtype.roles.embargo, None)
            body_text = strip_internal(record.body)
        out.records.append(Record(id=record.id, type=record.type, path=record.path,
                                  fields=fields, body=body_text, body_line=record.body_line,
                                  lines=record.lines,
                                  visibility=record.visibility if audience is Audience.INTERNAL
                                  else "public"))
    return out


def _allowed(values: dict[str, Any], specs: dict[str, FieldSpec], shown: set[str],
             internal: bool) -> dict:
    kept: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None or (spec.internal and not internal):
            continue
        value = _value(value, spec, shown, internal)
        if value is not _DROP:
            kept[name] = value
    return kept


_DROP = object()


def _value(value: Any, spec: FieldSpec, shown: set[str], internal: bool) -> Any:
    if spec.type == "ref" and spec.to[0] not in ("body", "unit"):
        return value if value in shown else _DROP
    if spec.type == "list" and spec.items is not None:
        items = [_value(v, spec.items, shown, internal) for v in value]
        items = [v for v in items if v is not _DROP]
        return items if items else _DROP
    if spec.type == "object":
        return _allowed(value, spec.fields, shown, internal)
    return value
