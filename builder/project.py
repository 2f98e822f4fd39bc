"""Stage 4, project: what one audience may see, and nothing else.

The public projection is an allow-list, never a deny-list: a record is kept only if it is
public (and past its `publish_after` date); of its fields only those the schema declares and
does not mark internal; of its body only what lies outside internal blocks; of its references
only those pointing at records the same audience sees (others vanish without a trace, not
as dead links). Withdrawn records become tombstones: what it was, when and why withdrawn.

The internal projection is for the supervising bodies: public, internal and embargoed
records with every declared field and their internal blocks. Restricted records (问题线索)
appear only in the build for their owning body, until they are verified: only then are they
shared with the other bodies. Every later stage works on a projection only.
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
    INTERNAL = "internal"


@dataclass
class Projection:
    audience: Audience
    as_of: date
    records: list[Record] = field(default_factory=list)
    body: str | None = None          # internal builds: the body the build is made for

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}


def is_public(record: Record, as_of: date) -> bool:
    """Public, and past any embargo."""
    if record.visibility != "public":
        return False
    embargo = record.get("publish_after")
    return not (isinstance(embargo, date) and embargo > as_of)


def owner(record: Record, model: Model) -> str | None:
    """The body a record belongs to: its first field referring to a body (a lead's
    owner_body), which decides who sees it while it is restricted."""
    for name, spec in model.types[record.type].fields.items():
        if spec.type == "ref" and spec.to == ("body",) and isinstance(record.get(name), str):
            return record.get(name)
    return None


def visible(record: Record, model: Model, audience: Audience, as_of: date,
            body: str | None = None) -> bool:
    """Whether `audience` (built for `body`, if internal) may see `record` at all."""
    if audience is Audience.PUBLIC:
        return is_public(record, as_of)
    if record.visibility != "restricted":
        return True
    if record.get("verified") is True:  # verified leads are shared with every body
        return True
    return body is not None and owner(record, model) == body


def project(records: list[Record], model: Model, audience: Audience, as_of: date,
            body: str | None = None) -> Projection:
    """Keep only what `audience` may see of `records`, as of the build date."""
    if audience is Audience.PUBLIC and body is not None:
        raise ValueError("a public build is the same for everyone: it takes no body")
    shown = {r.id for r in records if visible(r, model, audience, as_of, body)}
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
            fields = {k: record.fields[k] for k in TOMBSTONE_FIELDS if k in record.fields}
            body_text = ""
        else:
            fields = _allowed(record.fields, rtype.fields, shown, internal=False)
            fields.pop("visibility", None)
            fields.pop("publish_after", None)
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
