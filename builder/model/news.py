"""News rules: which changes of a record the public is told about.

Every change stays in the record's own history (its 变化记录). The change log, the home
page's 最新动态 and the Atom feeds announce only what a citizen cares about, declared in
site.yml's `news:` section: the kinds of change to announce, and per type the fields whose
plain edits are news too. Corrections and migrations are announced never: their commit says
so, with a trailer in the last paragraph of its message (`Sunlight-Change: migration` or
`Sunlight-Change: correction`) or a subject that starts with `[迁移]` or `[更正]`.

A day that first publishes many records (an import) is announced as one entry, "首次公开 293 条
记录" with the types and counts, from `bulk_publication` first publications on (default 10);
below it every new record keeps its own entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

# The kinds of change the history walk tells apart (timeline.EventKind values).
EVENT_KINDS = ("published", "created", "republished", "unpublished", "status-changed",
               "reopened", "withdrawn", "deadline-extended", "progress-changed",
               "result-added", "field-changed", "body-changed")
# Announced when site.yml says nothing: a new record, its status, the due date in force, its
# progress and result, a reopening and a withdrawal. Plain field edits and body edits are
# most often corrections, so they stay in the record's own history.
DEFAULT_EVENTS = ("published", "created", "republished", "status-changed", "reopened",
                  "withdrawn", "deadline-extended", "progress-changed", "result-added")
NEWS_KEYS = {"events", "fields", "bulk_publication"}
# From this many first publications on one day, the change log, 最新动态 and the feeds show
# one entry for them: an import of hundreds of records is one piece of news, not hundreds.
DEFAULT_BULK_PUBLICATION = 10

# How a commit says its changes are not news (the words of the trailer's value, and the
# subject prefixes); the value names what kind of commit it is.
TRAILER = "Sunlight-Change"
QUIET_VALUES = {"migration": "迁移", "correction": "更正"}
QUIET_PREFIXES = {"[迁移]": "migration", "[更正]": "correction",
                  "［迁移］": "migration", "［更正］": "correction"}
_TRAILER_LINE = re.compile(rf"^{TRAILER}:[ \t]*([A-Za-z-]+)[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class NewsRules:
    """What is announced: these event kinds, plus edits of these fields (per type)."""

    events: frozenset[str] = frozenset(DEFAULT_EVENTS)
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    bulk_publication: int = DEFAULT_BULK_PUBLICATION

    def announces(self, kind: str, type_name: str, field_name: str | None,
                  quiet: str | None) -> bool:
        """Whether a change of `kind` (to `field_name`) made by a commit is news."""
        if quiet is not None:
            return False
        if kind in self.events:
            return True
        return field_name is not None and field_name in self.fields.get(type_name, ())


def quiet_kind(message: str | None) -> str | None:
    """"migration" or "correction" when a commit message marks the commit as one, else None.

    The trailer counts only in the message's last paragraph (Git's trailer convention), so
    a sentence that mentions it in the body does not silence a commit."""
    if not message:
        return None
    text = message.strip()
    subject = text.split("\n", 1)[0].strip()
    for prefix, kind in QUIET_PREFIXES.items():
        if subject.startswith(prefix):
            return kind
    paragraphs = re.split(r"\n[ \t]*\n", text)
    if len(paragraphs) < 2:
        return None
    for line in paragraphs[-1].splitlines():
        found = _TRAILER_LINE.match(line.strip())
        if found and found.group(1).lower() in QUIET_VALUES:
            return found.group(1).lower()
    return None


def read_news(doc: Any, types: dict[str, Any], at: Callable[[tuple], str],
              errors: list[str]) -> NewsRules:
    """site.yml's `news:` section, checked against the event kinds and the types' fields."""
    if doc is None:
        return NewsRules()
    if not isinstance(doc, dict):
        errors.append(f"{at(('news',))}: news 应为映射（events、fields）")
        return NewsRules()
    for key in doc:
        if key not in NEWS_KEYS:
            errors.append(f"{at(('news', key))}: news 中未知的配置项“{key}”"
                          f"（可用：{'、'.join(sorted(NEWS_KEYS))}）")
    events = DEFAULT_EVENTS
    if "events" in doc:
        raw = doc["events"] or []
        if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
            errors.append(f"{at(('news', 'events'))}: news.events 应为变化种类的列表")
            raw = []
        for i, kind in enumerate(raw):
            if kind not in EVENT_KINDS:
                errors.append(f"{at(('news', 'events', i))}: 未知的变化种类“{kind}”"
                              f"（可用：{'、'.join(EVENT_KINDS)}）")
        events = tuple(raw)
    fields: dict[str, frozenset[str]] = {}
    raw_fields = doc.get("fields") or {}
    if not isinstance(raw_fields, dict):
        errors.append(f"{at(('news', 'fields'))}: news.fields 应为“类型: [字段]”映射")
        raw_fields = {}
    for type_name, names in raw_fields.items():
        rtype = types.get(type_name)
        if rtype is None:
            errors.append(f"{at(('news', 'fields', type_name))}: 类型“{type_name}”未定义")
            continue
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            errors.append(f"{at(('news', 'fields', type_name))}: 应为字段名列表")
            continue
        for i, name in enumerate(names):
            spec = rtype.fields.get(name)
            if spec is None:
                errors.append(f"{at(('news', 'fields', type_name, i))}: 字段“{name}”"
                              f"在类型“{type_name}”中未定义")
            elif spec.internal:
                errors.append(f"{at(('news', 'fields', type_name, i))}: 内部字段“{name}”"
                              "的变化不能公开播报")
        fields[type_name] = frozenset(names)
    bulk = DEFAULT_BULK_PUBLICATION
    if doc.get("bulk_publication") is not None:
        raw = str(doc["bulk_publication"]).strip()
        if raw.isascii() and raw.isdigit() and int(raw) >= 2:
            bulk = int(raw)
        else:
            errors.append(f"{at(('news', 'bulk_publication'))}: news.bulk_publication 应为"
                          "不小于 2 的整数（一天内首次公开多少条记录时合并为一条动态），"
                          f"现在是“{doc['bulk_publication']}”")
    return NewsRules(events=frozenset(events), fields=fields, bulk_publication=bulk)
