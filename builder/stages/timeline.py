"""Stage 3b, timeline: each record's dated changes, computed on projections of its revisions.

The history is walked oldest commit first, keeping the latest revision of every record, so
which references were visible at that moment is known. Each changed record is validated on
its own and projected with the same code as today's build, as of the commit's date (so an
embargo counts from its date); its projection is then compared with the previous projected
revision of the same ID. A commit's date is clamped to the chain (chain_time): never after the
build date, never before the commit before it, so no committer clock can lift an embargo
early or reorder the history. What the public never saw cannot show up: revisions from before a
record became public yield no events, internal fields are gone before the comparison, and
public events carry no commit message, author name or e-mail — only the date and commit id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, Iterable

from .history import Commit, FileChange, History, HistoryNotice
from ..model.format import scalar_text
from ..model.model import FieldSpec, Model
from ..model.news import DEFAULT_BULK_PUBLICATION, QUIET_VALUES, quiet_kind
from .projection import Audience, Projection, project, visible
from ..model.records import Record, mentioned
from ..model.roles import DueFacts, due_in_force
from .validate import validate

# Fields with an event of their own are found by role: progress, result, reopen_reason and
# withdrawal_reason (the last is also a tombstone field, project.py).
# Errors a historical revision may have and still count: those that come from other records
# (it is validated on its own) and those of an older content model (fields since added or
# renamed). Any other error skips the revision: a rejected visibility value or an unbalanced
# internal block must never make an old revision look public (fail-closed).
TOLERATED = {"broken-reference", "wrong-reference-type", "restricted-reference",
             "unverified-lead-shared", "duplicate-id", "missing-field", "unknown-field"}
NOTHING = "（无）"


class EventKind(str, Enum):
    PUBLISHED = "published"              # first public revision
    CREATED = "created"                  # first revision (internal audience)
    REPUBLISHED = "republished"
    UNPUBLISHED = "unpublished"          # left the audience's view: hidden or deleted
    STATUS = "status-changed"
    REOPENED = "reopened"                # from a done status back to an open one
    WITHDRAWN = "withdrawn"
    DEADLINE_EXTENDED = "deadline-extended"
    PROGRESS = "progress-changed"
    RESULT_ADDED = "result-added"
    FIELD = "field-changed"
    BODY = "body-changed"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EventKind.PUBLISHED: "公开", EventKind.CREATED: "新建", EventKind.REPUBLISHED: "重新公开",
    EventKind.UNPUBLISHED: "不再公开", EventKind.STATUS: "状态变化", EventKind.REOPENED: "重新打开",
    EventKind.WITHDRAWN: "撤回", EventKind.DEADLINE_EXTENDED: "期限延长",
    EventKind.PROGRESS: "进展更新", EventKind.RESULT_ADDED: "结果公布",
    EventKind.FIELD: "内容修改", EventKind.BODY: "正文修改",
}
_OPENING = (EventKind.PUBLISHED, EventKind.CREATED)


@dataclass(frozen=True)
class Event:
    """One dated change of one record, as its audience sees it."""

    record_id: str
    record_type: str
    title: str                     # the record's title at the time
    when: datetime                 # the commit's chain time (an embargo's end for a delayed publication)
    sha: str
    short_sha: str
    kind: EventKind
    field: str | None = None
    old: Any = None
    new: Any = None
    reason: str | None = None
    author_name: str | None = None     # internal audience only
    author_email: str | None = None    # internal audience only
    message: str | None = None         # internal audience only
    # "migration" or "correction" when the commit says so (news.quiet_kind): kept in the
    # record's history, never announced. Only the word is kept, never the message.
    quiet: str | None = None
    bulk = False                   # one change of one record, not a BulkPublication

    @property
    def date(self) -> date:
        return self.when.date()

    @property
    def key(self) -> str:
        """Stable identity: the same change of the same commit always has the same key."""
        parts = [self.record_id, self.sha, self.kind.value]
        if self.field:
            parts.append(self.field)
        if self.kind is EventKind.DEADLINE_EXTENDED and isinstance(self.new, date):
            parts.append(self.new.isoformat())
        return "/".join(parts)


@dataclass(frozen=True)
class BulkPublication:
    """Many records first published on one day (an import), announced as one entry instead
    of one per record. Each record keeps its own publication in its history."""

    day: date
    events: tuple[Event, ...]      # the first publications, newest first
    bulk = True

    @property
    def kind(self) -> EventKind:
        return self.events[0].kind

    @property
    def when(self) -> datetime:
        return self.events[0].when

    @property
    def date(self) -> date:
        return self.day

    @property
    def key(self) -> str:
        """Stable identity: one bulk entry per day and kind."""
        return f"bulk/{self.kind.value}/{self.day.isoformat()}"

    @property
    def short_shas(self) -> list[str]:
        """The commits that published them, oldest first."""
        return list(dict.fromkeys(e.short_sha for e in reversed(self.events)))

    def type_counts(self) -> dict[str, int]:
        """How many of the records are of each type (by type name)."""
        counts: dict[str, int] = defaultdict(int)
        for event in self.events:
            counts[event.record_type] += 1
        return dict(counts)


def announcements(events: list[Event], threshold: int = DEFAULT_BULK_PUBLICATION
                  ) -> list[Event | BulkPublication]:
    """Announced events (newest first) as entries: the first publications of a day become
    one BulkPublication, at the place of the newest, when there are at least `threshold` of
    them; every other event is an entry of its own. One pass, plus one over the days."""
    opening: dict[tuple[date, EventKind], list[Event]] = defaultdict(list)
    for event in events:
        if event.kind in _OPENING:
            opening[(event.date, event.kind)].append(event)
    bulk = {key for key, found in opening.items() if len(found) >= threshold}
    out: list[Event | BulkPublication] = []
    for event in events:
        key = (event.date, event.kind)
        if key not in bulk:
            out.append(event)
        elif opening[key][0] is event:
            out.append(BulkPublication(event.date, tuple(opening[key])))
    return out


@dataclass
class Timeline:
    """A record's events, oldest first, and the figures a record page shows."""

    record_id: str
    record_type: str
    events: list[Event] = field(default_factory=list)
    deadline_extensions: int = 0       # extensions in the latest revision shown

    @property
    def first_published(self) -> datetime | None:
        return next((e.when for e in self.events if e.kind in _OPENING), None)

    @property
    def last_updated(self) -> datetime | None:
        return self.events[-1].when if self.events else None


@dataclass
class Timelines:
    """Every record's timeline for one audience, plus what the walk noticed."""

    audience: Audience
    body: str | None = None            # internal builds: the body the build is made for
    records: dict[str, Timeline] = field(default_factory=dict)
    notices: list[HistoryNotice] = field(default_factory=list)
    # Every validated historical revision, unprojected (see revisions_for_leak_guard).
    revisions: list[Record] = field(default_factory=list)
    model: Model | None = None         # for the roles of hidden revisions

    def get(self, record_id: str) -> Timeline | None:
        return self.records.get(record_id)

    def events(self) -> list[Event]:
        """All events, newest first; ties by record ID, then in the order they happened."""
        ordered = [e for t in sorted(self.records.values(), key=lambda t: t.record_id)
                   for e in t.events]
        ordered.sort(key=lambda e: e.when, reverse=True)
        return ordered

    def news(self) -> list[Event]:
        """The events the public is told about (change log, 最新动态, feeds), newest first:
        those the model's news rules announce, from commits not marked quiet."""
        return [e for e in self.events() if is_news(e, self.model)]

    def latest_news(self, shown: Iterable[str] | None = None) -> list[Event | BulkPublication]:
        """Each record's newest announced change, newest first: records by when they last
        changed in a way that is news; a day's many first publications as one entry. Only
        records in `shown`, when given."""
        wanted = set(shown) if shown is not None else None
        events = [e for e in self.news() if wanted is None or e.record_id in wanted]
        seen: set[str] = set()
        out: list[Event | BulkPublication] = []
        for entry in announcements(events, self.bulk_publication):
            if entry.bulk:
                out.append(entry)
            elif entry.record_id not in seen:
                seen.add(entry.record_id)
                out.append(entry)
        return out

    @property
    def bulk_publication(self) -> int:
        """From how many first publications on one day they are one entry (site.yml)."""
        return self.model.news.bulk_publication if self.model else DEFAULT_BULK_PUBLICATION

    def only(self, record_ids: Iterable[str]) -> Timelines:
        """The timelines of these records only (e.g. those of the current projection)."""
        wanted = set(record_ids)
        return Timelines(self.audience, self.body,
                         {k: v for k, v in self.records.items() if k in wanted},
                         self.notices, self.revisions, self.model)

    def revisions_for_leak_guard(self, visible_now: Iterable[str]) -> list[Record]:
        """The historical revisions to add to the leak guard's records (verify.secrets).

        Their internal fields and blocks, and everything of a revision the audience could
        not see then, become secrets too. A record the audience cannot see today passes
        every revision as hidden: what it once showed must not appear now either."""
        shown = set(visible_now)
        return [r if r.id in shown else _hidden(r, self.model) for r in self.revisions]


def is_news(event: Event, model: Model | None) -> bool:
    """Whether the public is told about `event` (news rules of site.yml, quiet commits)."""
    if model is None:
        return event.quiet is None
    return model.news.announces(event.kind.value, event.record_type, event.field, event.quiet)


def _hidden(record: Record, model: Model | None) -> Record:
    """A copy no audience sees: restricted, and not verified (so never shared)."""
    rtype = model.types.get(record.type) if model is not None else None
    verified = rtype.roles.verified if rtype is not None else None
    return replace(record, visibility="restricted",
                   fields={k: v for k, v in record.fields.items() if k != verified})


def timelines(history: History, model: Model, as_of: date,
              audience: Audience = Audience.PUBLIC, body: str | None = None) -> Timelines:
    """Walk the history once and return every record's timeline for `audience`.

    Each revision is projected for `audience` (and `body`, for an internal build) as of
    its commit's chain time (chain_time: never after `as_of`). Public: embargoes end on their date, up to `as_of`; no commit
    message or author. Internal: every field, and the commit's message and author."""
    audience = Audience(audience)
    walk = _Walk(model, audience, body)
    when: datetime | None = None
    for commit in history.commits:
        when = chain_time(commit.when, when, as_of)
        walk.release_embargoes(when.date())
        walk.apply(commit, when)
    walk.release_embargoes(as_of)
    return walk.result()


def chain_time(committed: datetime, previous: datetime | None, as_of: date) -> datetime:
    """When a commit counts, for visibility and for the dates shown: its committer date,
    but never after the build date and never before the commit before it on the
    first-parent chain.

    A committer date is whatever the committer's clock or `GIT_COMMITTER_DATE` said. Taken
    as it is, a date in the future would lift an embargo early (the revision is projected
    as of that date) and a backdated one would sort before changes made earlier. Clamped,
    the order of the chain decides, and no revision is projected as of a day later than
    the build date: an embargoed record is public only once the build date reaches it."""
    if committed.date() > as_of:
        committed = datetime.combine(as_of, time.min, tzinfo=committed.tzinfo)
    if previous is not None and committed < previous:
        committed = previous
    return committed


class _Walk:
    """The state of the walk: the latest revision of every record, and what was shown."""

    def __init__(self, model: Model, audience: Audience, body: str | None):
        self.model, self.audience, self.body = model, audience, body
        self.public = audience is Audience.PUBLIC
        self.state: dict[str, Record] = {}                    # latest revision of each record
        self.shown: dict[str, tuple[Record, Record]] = {}     # (revision, view) now shown
        self.last_shown: dict[str, tuple[Record, Record]] = {}  # kept while hidden
        self.pending: dict[str, tuple[date, Commit]] = {}     # public once the embargo ends
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.notices: list[HistoryNotice] = []
        self.revisions: list[Record] = []

    # --- the walk -------------------------------------------------------------------------

    def apply(self, commit: Commit, when: datetime) -> None:
        """The commit's changes, dated `when` (its chain time, see chain_time)."""
        revised: dict[str, Record] = {}
        gone: list[str] = []
        for change in commit.changes:
            if change.deleted:
                if change.record_id:
                    gone.append(change.record_id)
                continue
            record = self._validated(change, commit)
            if record is not None:
                revised[record.id] = record
        gone = [rid for rid in gone if rid not in revised]    # moved files keep their record
        for rid in gone:
            self.state.pop(rid, None)
            self.pending.pop(rid, None)
        self.state.update(revised)
        for rid in gone:
            if rid in self.shown:
                self._hide(rid, when, commit)
        for record in revised.values():
            self._revise(record, when, commit, when.date())

    def release_embargoes(self, until: date) -> None:
        """Publish embargoed records whose `publish_after` date has come, dated that day."""
        for day, rid in sorted((d, rid) for rid, (d, _) in self.pending.items() if d <= until):
            _, commit = self.pending.pop(rid)
            when = datetime.combine(day, time.min, tzinfo=commit.when.tzinfo)
            self._revise(self.state[rid], when, commit, day)

    def _validated(self, change: FileChange, commit: Commit) -> Record | None:
        problems = list(change.problems)
        record = None
        if change.document is not None:
            result = validate([change.document], self.model)
            record = result.records[0] if result.records else None
            problems = [p for p in result.errors if p.code not in TOLERATED]
            if record is not None:
                # A skipped revision was never shown: all of it counts as hidden.
                self.revisions.append(_hidden(record, self.model) if problems else record)
        if record is None or problems:
            first = problems[0] if problems else None
            detail = f"（{first.path}:{first.line}: {first.code} {first.message}）" if first else ""
            self.notices.append(HistoryNotice(
                code="revision-skipped", path=change.path, sha=commit.sha,
                short_sha=commit.short_sha, when=commit.when, record_id=change.record_id,
                message=f"提交 {commit.short_sha} 中的 {change.path} 无法读取或有错误，"
                        f"修改历史跳过了这一版本{detail}"))
            return None
        return record

    def _view(self, record: Record, day: date) -> Record | None:
        """What the audience sees of one revision on `day`, or None."""
        if not visible(record, self.model, self.audience, day, self.body):
            return None
        # Project the record with the records it mentions, so a reference survives exactly
        # when its target was visible then; everything else is irrelevant to this record.
        context = [record] + [self.state[i] for i in mentioned(record.fields, self.state)
                              if i != record.id]
        projection = project(context, self.model, self.audience, day, body=self.body)
        return next(r for r in projection.records if r.id == record.id)

    def _revise(self, record: Record, when: datetime, commit: Commit, day: date) -> None:
        rid = record.id
        view = self._view(record, day)
        embargo_field = self.model.types[record.type].roles.embargo
        embargo = record.get(embargo_field) if embargo_field else None
        if (self.public and view is None and record.visibility == "public"
                and isinstance(embargo, date) and embargo > day):
            self.pending[rid] = (embargo, commit)
        else:
            self.pending.pop(rid, None)
        if view is None:
            if rid in self.shown:
                self._hide(rid, when, commit)
            return
        previous = self.shown.get(rid)
        if previous is None:
            previous = self.last_shown.get(rid)
            kind = (EventKind.PUBLISHED if self.public else EventKind.CREATED) \
                if previous is None else EventKind.REPUBLISHED
            self._emit(view, when, commit, kind, new=view.status)
        if previous is not None:
            # The earlier revision seen in today's context: only this commit's changes show,
            # not those of references that became visible meanwhile.
            before = self._view(previous[0], day) or previous[1]
            for kind, name, old, new, reason in _changes(before, view, self.model):
                self._emit(view, when, commit, kind, name, old, new, reason)
        self.shown[rid] = self.last_shown[rid] = (record, view)

    def _hide(self, rid: str, when: datetime, commit: Commit) -> None:
        _, view = self.shown.pop(rid)
        self._emit(view, when, commit, EventKind.UNPUBLISHED)

    def _emit(self, view: Record, when: datetime, commit: Commit, kind: EventKind,
              name: str | None = None, old: Any = None, new: Any = None,
              reason: str | None = None) -> None:
        private = {} if self.public else {"author_name": commit.author_name,
                                          "author_email": commit.author_email,
                                          "message": commit.message}
        self.events[view.id].append(Event(
            record_id=view.id, record_type=view.type, title=view.title, when=when,
            sha=commit.sha, short_sha=commit.short_sha, kind=kind, field=name, old=old,
            new=new, reason=reason, quiet=quiet_kind(commit.message), **private))

    def result(self) -> Timelines:
        out = Timelines(self.audience, self.body, notices=self.notices, revisions=self.revisions,
                        model=self.model)
        for rid in sorted(self.events):
            view = self.last_shown[rid][1]
            due = self.model.types[view.type].roles.due
            count = len(view.get(due.extensions) or []) if due and due.extensions else 0
            out.records[rid] = Timeline(rid, view.type, self.events[rid], count)
        return out


def _changes(before: Record, after: Record, model: Model) -> list[tuple]:
    """(kind, field, old, new, reason) for each change from one view to the next."""
    out: list[tuple] = []
    rtype = model.types[after.type]
    roles = rtype.roles
    statuses = rtype.lifecycle.statuses
    old_status, new_status = statuses.get(before.status), statuses.get(after.status)
    settled = {"id", "type", "status"}
    if before.status != after.status:
        if new_status is not None and new_status.withdrawn:
            # A tombstone replaces the record: the withdrawal is the whole story.
            return [(EventKind.WITHDRAWN, "status", before.status, after.status,
                     after.get(roles.withdrawal_reason) if roles.withdrawal_reason else None)]
        if old_status is not None and old_status.withdrawn:
            return [(EventKind.STATUS, "status", before.status, after.status, None)]
        if old_status is not None and old_status.done and not (new_status and new_status.done):
            out.append((EventKind.REOPENED, "status", before.status, after.status,
                        after.get(roles.reopen_reason) if roles.reopen_reason else None))
            if roles.reopen_reason:
                settled.add(roles.reopen_reason)
        else:
            out.append((EventKind.STATUS, "status", before.status, after.status, None))
    if roles.due and roles.due.extensions:
        settled.add(roles.due.extensions)
        out.extend(_extensions(before, after, model))
    for name in rtype.fields:
        old, new = before.get(name), after.get(name)
        if name in settled or old == new:
            continue
        if name == roles.progress:
            out.append((EventKind.PROGRESS, name, old, new, None))
        elif name == roles.result and old is None:
            out.append((EventKind.RESULT_ADDED, name, None, new, None))
        else:
            out.append((EventKind.FIELD, name, old, new, None))
    if before.body != after.body:
        out.append((EventKind.BODY, None, None, None, None))
    return out


def _extensions(before: Record, after: Record, model: Model) -> list[tuple]:
    """New extension entries appended to the list: each moves the due date in force."""
    due = model.types[after.type].roles.due
    old = list(before.get(due.extensions) or [])
    new = list(after.get(due.extensions) or [])
    if old == new:
        return []
    if new[:len(old)] != old:       # an earlier entry edited or removed: an ordinary change
        return [(EventKind.FIELD, due.extensions, old or None, new or None, None)]
    deadline = due_in_force(before, model)
    out = []
    for entry in new[len(old):]:
        entry = entry if isinstance(entry, dict) else {}
        moved = entry.get(due.extension_due) if due.extension_due else None
        out.append((EventKind.DEADLINE_EXTENDED, due.extensions, deadline, moved,
                    entry.get(due.extension_reason) if due.extension_reason else None))
        deadline = moved if moved is not None else deadline
    return out


# --- in words ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeDay:
    day: date
    events: tuple[Event | BulkPublication, ...]


CHANGE_LOG_DAYS = 30


def change_log(found: Timelines, projection: Projection, days: int = CHANGE_LOG_DAYS
               ) -> list[ChangeDay]:
    """The site's change log: the announced events (Timelines.news) of the records in
    `projection` during the `days` days up to its as-of date, grouped by day, newest first;
    a day's many first publications are one entry (announcements)."""
    require_same_audience(found, projection)
    shown = {r.id for r in projection.records}
    first = projection.as_of - timedelta(days=days - 1)
    groups: dict[date, list[Event | BulkPublication]] = defaultdict(list)
    events = [e for e in found.news()
              if e.record_id in shown and first <= e.date <= projection.as_of]
    for entry in announcements(events, found.bulk_publication):
        groups[entry.date].append(entry)
    return [ChangeDay(day, tuple(groups[day])) for day in sorted(groups, reverse=True)]


def require_same_audience(found: Timelines, projection: Projection) -> None:
    if (found.audience, found.body) != (projection.audience, projection.body):
        raise ValueError("timelines and projection are for different audiences")


def describe(event: Event, model: Model, limit: int | None = None, head: bool = True) -> str:
    """The change in one Chinese line, e.g. "ZG-2023-017 状态：整改中 → 已完成".

    `limit` shortens each quoted value to that many characters (feed titles); without
    `head` the line leaves out the record's ID (where its ID and title stand beside it)."""
    text = _describe(event, model, limit)
    if not head and event.kind in (EventKind.PUBLISHED, EventKind.CREATED,
                                   EventKind.REPUBLISHED):
        text = event.kind.label      # the title stands beside it
    if event.quiet is not None:
        text += f"（{QUIET_VALUES[event.quiet]}）"
    return f"{event.record_id} {text}" if head else text


def _describe(event: Event, model: Model, limit: int | None) -> str:
    rtype = model.types.get(event.record_type)
    spec = rtype.fields.get(event.field) if rtype and event.field else None

    def shown(value: Any, value_spec: FieldSpec | None = spec) -> str:
        text = format_value(value, value_spec, model)
        if limit is None or not isinstance(value, str) or len(text) <= limit:
            return text
        return text[:limit - 1] + "…"

    def status(name: Any) -> str:
        return rtype.lifecycle.label(name) if rtype and isinstance(name, str) else shown(name)

    label = spec.label if spec else (event.field or "")
    kind = event.kind
    reason = f"；理由：{shown(event.reason, None)}" if event.reason else ""
    if kind in (EventKind.PUBLISHED, EventKind.CREATED, EventKind.REPUBLISHED):
        return f"{kind.label}：{shown(event.title, None)}"
    if kind is EventKind.UNPUBLISHED:
        return "不再公开"
    if kind is EventKind.STATUS:
        return f"状态：{status(event.old)} → {status(event.new)}"
    if kind is EventKind.REOPENED:
        return f"重新打开：{status(event.old)} → {status(event.new)}{reason}"
    if kind is EventKind.WITHDRAWN:
        return f"已撤回{reason}"
    if kind is EventKind.DEADLINE_EXTENDED:
        due = rtype.roles.due if rtype else None
        deadline = rtype.fields[due.field].label if due and due.field else "期限"
        return (f"{deadline}延长：{shown(event.old, None)} → {shown(event.new, None)}"
                f"{reason}")
    if kind in (EventKind.PROGRESS, EventKind.RESULT_ADDED):
        return f"{label}：{shown(event.new)}"
    if kind is EventKind.BODY:
        return "正文已修改"
    return f"{label}：{shown(event.old)} → {shown(event.new)}"


def describe_bulk(bulk: BulkPublication, model: Model) -> str:
    """A bulk publication in one Chinese line: "首次公开 283 条记录：整改事项 147 条、问题 60 条"."""
    counts = bulk.type_counts()
    parts = [f"{rtype.label} {counts[name]} 条" for name, rtype in model.types.items()
             if name in counts]
    return f"{bulk_heading(bulk)}：{'、'.join(parts)}"


def bulk_heading(bulk: BulkPublication) -> str:
    """"首次公开 283 条记录" (public) or "新建 283 条记录" (internal)."""
    verb = "首次公开" if bulk.kind is EventKind.PUBLISHED else bulk.kind.label
    return f"{verb} {len(bulk.events)} 条记录"


def due_words(facts: DueFacts, label: str = "期限") -> str:
    """The honest deadline in one line: the one in force, the extensions with the original
    date shown as superseded, and the days overdue, e.g.
    "整改期限 2027-04-30（已延期 1 次；原期限 2025-10-31）；逾期 12 日"."""
    text = f"{label} {facts.in_force.isoformat()}" if facts.in_force else label
    if facts.extensions:
        original = f"；原期限 {facts.superseded.isoformat()}" if facts.superseded else ""
        text += f"（已延期 {facts.extensions} 次{original}）"
    if facts.days_overdue is not None:
        text += f"；逾期 {facts.days_overdue} 日"
    return text


def format_value(value: Any, spec: FieldSpec | None, model: Model) -> str:
    """A field value as a citizen reads it: dates, labels and registry names, one line."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, list):
        items = spec.items if spec is not None else None
        return "、".join(format_value(v, items, model) for v in value)
    if isinstance(value, dict):
        subs = spec.fields if spec is not None else {}
        return "，".join(f"{subs[k].label if k in subs else k}：{format_value(v, subs.get(k), model)}"
                        for k, v in value.items())
    return " ".join(scalar_text(value, spec, model.registry).split())
