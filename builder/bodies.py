"""Which supervising body a record belongs to: one rule for listings, statistics and feeds.

A rectification item belongs to the body that found its problem (its finding's
`source_body`); every other record names its body in one of a few fields.
"""

from __future__ import annotations

from typing import Mapping

from .records import Record

# Fields that name a record's own body, first match wins (same order as the site's listings).
BODY_FIELDS = ("body", "lead_body", "source_body", "owner_body", "convener", "from_body")


def rectification_body(record: Record, by_id: Mapping[str, Record]) -> str | None:
    """The body that found the problem a rectification item answers."""
    finding = by_id.get(record.get("finding", ""))
    return finding.get("source_body") if finding is not None else None


def body_of(record: Record, by_id: Mapping[str, Record]) -> str | None:
    """The registry ID of the supervising body `record` belongs to, if any."""
    if record.type == "rectification":
        return rectification_body(record, by_id)
    for name in BODY_FIELDS:
        if isinstance(record.get(name), str):
            return record.get(name)
    return None
