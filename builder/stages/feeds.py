"""Atom feeds of the public timeline: all changes, and one feed per supervising body.

Every entry is one announced change (Timelines.news: the news rules of site.yml; corrections
and migrations are never announced) of a record in the projection: a Chinese title with the
record's ID and title ("ZG-2023-017 加快林业项目资金拨付：状态：整改中 → 已完成"), a link to the
record page, the date of the commit, the deadline in force for a record with a due role, and a
tag: URI built from record ID, commit and change, so a reader never shows an entry twice. A
day's many first publications (an import; news.bulk_publication in site.yml) are one entry,
"首次公开 283 条记录" with the types and counts, linking to the browse page (in a body's feed,
that body's listing). No build clock and a fixed order: building the same commit twice gives
the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

from ..model.model import Model
from .projection import Projection
from ..model.roles import RecordIndex
from .timeline import (BulkPublication, Event, Timelines, announcements, bulk_heading, describe,
                       describe_bulk, due_words, require_same_audience)

ATOM = "http://www.w3.org/2005/Atom"
FEEDS_DIR = "feeds"
ENTRIES = 50                  # newest entries per feed
TITLE_LIMIT = 40              # characters of a quoted value in an entry title
FALLBACK_AUTHORITY = "sunlight.invalid"   # tag: URIs when no site URL is configured
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)   # `updated` of a feed without entries
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def site_url(model: Model, override: str | None = None) -> str | None:
    """The public site's address: the override, else `site.url` in site_config/site.yml."""
    url = override or model.site.get("url")
    return url.rstrip("/") if isinstance(url, str) and url.strip() else None


def feeds(found: Timelines, projection: Projection, model: Model, url: str | None = None,
          entries: int = ENTRIES) -> dict[str, bytes]:
    """Every feed as {path in the site: Atom bytes}: feeds/all.xml, feeds/body/<body>.xml.

    Only events of records in `projection` are used, and each body's feed holds the records
    that body has today. Without `url` links are relative to the feed."""
    require_same_audience(found, projection)
    index = RecordIndex(projection.records, model)
    events = [e for e in found.news() if e.record_id in index.by_id]
    by_body: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        body = index.body_of(index.by_id[event.record_id])
        if body:
            by_body[body].append(event)
    name = model.site.get("name") or "阳光监督"
    deadlines = {rid: _deadline(index, index.by_id[rid], projection)
                 for rid in {e.record_id for e in events}}
    bulk = found.bulk_publication
    out = {f"{FEEDS_DIR}/all.xml": _feed(f"{FEEDS_DIR}/all.xml", f"{name}：最新变化",
                                         announcements(events, bulk), model, url, entries,
                                         deadlines, "browse/")}
    for body in sorted(by_body):
        entry = model.registry.bodies.get(body)
        title = f"{name}：{entry.name if entry else body}的最新变化"
        path = f"{FEEDS_DIR}/body/{body}.xml"
        # A body's own import is one entry of its feed; the page lists that body's records.
        out[path] = _feed(path, title, announcements(by_body[body], bulk), model, url, entries,
                          deadlines, f"body/{body}/")
    return out


def _deadline(index: RecordIndex, record, projection: Projection) -> str:
    """The deadline in force, in words, of a record whose type has a due role ('' otherwise).
    Days overdue are left out: they change every day, and a feed stays the same bytes for
    the same commit."""
    facts = index.due_facts(record, projection.as_of)
    if facts is None or index.is_withdrawn(record):
        return ""
    return due_words(replace(facts, days_overdue=None), "现行期限")


def _feed(path: str, title: str, events: list[Event | BulkPublication], model: Model,
          url: str | None, entries: int, deadlines: dict[str, str] | None = None,
          listing: str = "browse/") -> bytes:
    """One Atom document. `events` are newest first; a bulk publication links to `listing`."""
    events = events[:entries]
    up = "../" * path.count("/")
    authority = urlsplit(url).hostname if url else None
    authority = authority or FALLBACK_AUTHORITY
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})
    _text(feed, "id", f"{url}/{path}" if url else f"tag:{authority},1970:{path}")
    _text(feed, "title", title)
    _text(feed, "updated", _date(events[0].when if events else EPOCH))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": f"{url}/{path}" if url else path.rsplit("/", 1)[-1]})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html",
                                 "href": f"{url}/" if url else up})
    author = ET.SubElement(feed, "author")
    _text(author, "name", model.site.get("name") or "阳光监督")
    _text(feed, "generator", "Sunlight")
    for event in events:
        if event.bulk:
            _bulk_entry(feed, event, model, url, up, authority, listing)
            continue
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", f"tag:{authority},{event.date.isoformat()}:{event.key}")
        _text(entry, "title", f"{event.record_id} {_short(event.title)}："
                              f"{describe(event, model, limit=TITLE_LIMIT, head=False)}")
        page = f"{event.record_type}/{event.record_id}/"
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html",
                                      "href": f"{url}/{page}" if url else up + page})
        _text(entry, "published", _date(event.when))
        _text(entry, "updated", _date(event.when))
        deadline = (deadlines or {}).get(event.record_id)
        _text(entry, "summary", f"{event.title}\n{describe(event, model)}\n"
                                + (f"{deadline}\n" if deadline else "")
                                + f"{event.date.isoformat()}，提交 {event.short_sha}", type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _bulk_entry(feed: ET.Element, bulk: BulkPublication, model: Model, url: str | None,
                up: str, authority: str, listing: str) -> None:
    """One entry for a day's many first publications, linking to the page that lists them."""
    entry = ET.SubElement(feed, "entry")
    _text(entry, "id", f"tag:{authority},{bulk.date.isoformat()}:{bulk.key}")
    _text(entry, "title", bulk_heading(bulk))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html",
                                  "href": f"{url}/{listing}" if url else up + listing})
    _text(entry, "published", _date(bulk.when))
    _text(entry, "updated", _date(bulk.when))
    _text(entry, "summary", f"{describe_bulk(bulk, model)}\n"
                            f"{bulk.date.isoformat()}，提交 {'、'.join(bulk.short_shas)}",
          type="text")


def _short(title: str) -> str:
    return title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT - 1] + "…"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = _NOT_XML.sub("", text)
    return element


def _date(when: datetime) -> str:
    """RFC 3339, in the committer's own time zone (as Git recorded it)."""
    return when.isoformat()
