"""Stage 5, render: the public projection → a freshly generated MkDocs docs tree.

Everything a visitor reads is produced here through autoescaped jinja2 templates (MkDocs
never escapes, and mkdocs-material prints page titles raw), and record bodies are turned
into HTML here and sanitised with an allow-list (nh3). The engine then only wraps our HTML
in the theme. Records stay out of the navigation: with every record in the nav,
mkdocs-material's output grows with the square of the record count.

Numbers and decisions are computed in Python and handed to templates ready to place.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import jinja2
from markupsafe import Markup, escape

from ..text import body_limits, body_markdown, sanitise
from . import charts, paging
from .cache import Cache, digest, template_bytecode
from ..text.record_body import mark_internal
from .dashboards import Dashboards
from .feeds import FEEDS_DIR
from .timeline import (CHANGE_LOG_DAYS, BulkPublication, ChangeDay, Event, Timelines,
                       bulk_heading, describe)
from ..model.format import REGISTRY_KINDS, date_html, dated_text, registry_name, scalar_text
from ..model.model import FieldSpec, Model, RecordType
from .projection import Audience, Projection
from ..model.records import Record, mentioned
from ..model.roles import DueFacts, RecordIndex
from .statistics import Figures, KeyPart, Ratio, Row, show

ASSETS = ("sunlight.css", "ledger.js", "search.js")
LATEST = 12

_UNSAFE_TITLE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇",
                               "\n": " ", "\r": " "})


@dataclass(frozen=True)
class Tally:
    """A count of published records with the withdrawn ones among them, said in words
    wherever it is shown, so the home page, listings and open data count alike."""

    total: int
    withdrawn: int = 0

    def __str__(self) -> str:
        return f"{self.total} 条" + (f"（含已撤回 {self.withdrawn} 条）" if self.withdrawn else "")


@dataclass(frozen=True)
class Page:
    """A generated page: its path in the docs tree, whether it is in the navigation and
    whether it is a record's page (the engine stamps those from one shell)."""

    path: str
    title: str
    in_nav: bool = False
    record: bool = False


@dataclass
class Rendered:
    """The generated docs tree as data (path → bytes), its pages and its navigation; one
    writer (`publish.write_tree`) puts it on disk."""

    files: dict[str, bytes] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    nav: list[dict[str, Any]] = field(default_factory=list)


def safe_title(text: str) -> str:
    """A page title for MkDocs metadata: the theme prints it unescaped (and `striptags`
    unescapes entities), so markup characters become their full-width look-alikes."""
    return str(text).translate(_UNSAFE_TITLE).strip()


def render_body(text: str, max_bytes: int = body_limits.DEFAULT_MAX_BYTES) -> Markup:
    """Markdown → HTML → the shared allow-list (sanitise). A body beyond the body limits
    raises BodyLimitError before any parsing: validation refuses such bodies first."""
    body_limits.guard(text, max_bytes)
    return Markup(sanitise.clean(body_markdown.to_html(text)))


class Site:
    """Lookup and formatting helpers shared by every page of one build."""

    def __init__(self, projection: Projection, model: Model, figures: Figures):
        self.projection, self.model, self.figures = projection, model, figures
        self.as_of = projection.as_of
        self.internal = projection.audience is Audience.INTERNAL
        self.commit: str | None = None
        self.timelines: Timelines | None = None
        self.index = RecordIndex(projection.records, model)
        self.records = sorted(projection.records, key=lambda r: (r.type, r.id))
        self.by_id = self.index.by_id
        self.children: dict[str, list[tuple[Record, FieldSpec]]] = defaultdict(list)
        self._due_facts: dict[str, DueFacts | None] = {}
        for record in self.records:
            for spec, target in self._outgoing(record):
                self.children[target].append((record, spec))
        self._digests: dict[str, str] = {}
        self._deadlines: dict[str, Markup] = {}
        self._mentions: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None

    # --- relations ------------------------------------------------------------------------

    def _outgoing(self, record: Record) -> Iterable[tuple[FieldSpec, str]]:
        specs = self.model.types[record.type].fields
        for name, value in record.fields.items():
            spec = specs.get(name)
            if spec is None:
                continue
            item = spec.items if spec.type == "list" else spec
            if item is None or item.type != "ref" or item.to[0] in ("body", "unit"):
                continue
            for target in (value if isinstance(value, list) else [value]):
                if target in self.by_id:
                    yield spec, target

    def parents(self, record: Record) -> list[tuple[FieldSpec, Record]]:
        return [(spec, self.by_id[t]) for spec, t in self._outgoing(record)]

    # --- facts ---------------------------------------------------------------------------

    def rtype(self, record: Record) -> RecordType:
        return self.model.types[record.type]

    def status_label(self, record: Record) -> str:
        return self.rtype(record).lifecycle.label(record.status)

    def is_withdrawn(self, record: Record) -> bool:
        status = self.rtype(record).lifecycle.statuses.get(record.status)
        return bool(status and status.withdrawn)

    def overdue(self, record: Record) -> bool:
        """Any type with a due role: open and past its due date in force."""
        return self.index.is_overdue(record, self.as_of)

    def days_overdue(self, record: Record) -> int | bool:
        """Days past the due date in force (≥ 1) for the overdue badge, False when not overdue."""
        return self.index.days_overdue(record, self.as_of) or False

    def due_facts(self, record: Record) -> DueFacts | None:
        """The honest deadline (roles.DueFacts); a withdrawn record has none. Kept per record:
        its page and every listing row showing it ask again, and the answer is fixed for the
        build (one projection, one as-of date)."""
        if record.id not in self._due_facts:
            self._due_facts[record.id] = None if self.is_withdrawn(record) \
                else self.index.due_facts(record, self.as_of)
        return self._due_facts[record.id]

    def deadline(self, record: Record) -> Markup:
        """The deadline in force, with "已延期 N 次" and the original date shown as superseded
        (struck through and labelled 原期限, so it is not told by colour alone). Made once per
        record: every listing that shows the record shows the same words."""
        found = self._deadlines.get(record.id)
        if found is None:
            found = self._deadlines[record.id] = self._deadline(record)
        return found

    def _deadline(self, record: Record) -> Markup:
        facts = self.due_facts(record)
        if facts is None:
            return Markup("")
        # Built with f-strings: Markup.format costs twenty times as much, and this runs for
        # every record on its page and in every listing.
        day = facts.in_force.isoformat()
        out = f'<span class="sl-due" data-due="{day}">{date_html(facts.in_force)}'
        if facts.extensions:
            note = f"已延期 {escape(facts.extensions)} 次"
            if facts.superseded:
                note += f'；原期限 <del>{date_html(facts.superseded)}</del>'
            out += f'<span class="sl-due-note">（{note}）</span>'
        return Markup(out + "</span>")

    def field_cell(self, record: Record, name: str, root: str) -> Markup:
        """A field as a listing cell or header fact: the due field shows the deadline in force."""
        due = self.rtype(record).roles.due
        if due is not None and name == due.field and self.due_facts(record) is not None:
            return self.deadline(record)
        return self.fmt(record.get(name), self.rtype(record).fields[name], root)

    def tally(self, records: Iterable[Record]) -> "Tally":
        """THE count of records shown anywhere: every published record, withdrawn ones
        (their tombstones stay public) included and said so."""
        records = list(records)
        return Tally(len(records), sum(1 for r in records if self.is_withdrawn(r)))

    def disclosure(self, record: Record) -> list[tuple[str, Markup]]:
        """The block Chinese disclosure sites show: 发布机构 (the owning body), 发布日期 (first
        published, from history), 更新日期 (last change) and 索引号 (the body's pattern)."""
        rows = []
        body = self.body_of(record)
        if body:
            rows.append(("发布机构", escape(self.registry_name("body", body))))
        timeline = self.timelines.get(record.id) if self.timelines else None
        first = timeline.first_published if timeline else None
        if first is not None:
            rows.append(("发布日期" if not self.internal else "首次记录", date_html(first.date())))
        if timeline is not None and timeline.last_updated is not None:
            rows.append(("更新日期", date_html(timeline.last_updated.date())))
        number = self.index.index_number(record)
        if number:
            rows.append(("索引号", escape(number)))
        return rows

    def body_of(self, record: Record) -> str | None:
        return self.index.body_of(record)

    def due_label(self, rtype: RecordType) -> str:
        """How a type calls its due date (the due field's label), for computed facts."""
        due = rtype.roles.due
        spec = rtype.fields.get(due.field) if due is not None and due.field else None
        return spec.label if spec is not None else "期限"

    def years(self, record: Record) -> set[int]:
        dates = [v for v in record.fields.values() if isinstance(v, date)]
        year = record.get("year")
        return ({year} if isinstance(year, int) else set()) | ({min(dates).year} if dates else set())

    def registry_name(self, kind: str, key: str) -> str:
        return registry_name(self.model.registry, kind, key)

    # --- formatting (returns Markup; every piece of record text goes through escape) -------

    def fmt(self, value: Any, spec: FieldSpec, root: str) -> Markup:
        if value is None or value == "" or value == []:
            return Markup("")
        kind = spec.type
        if kind == "list" and spec.items is not None:
            if spec.items.type == "object":
                return self.object_table(value, spec.items, root)
            return Markup("、").join(self.fmt(v, spec.items, root) for v in value)
        if kind == "object":
            return self.object_table([value], spec, root)
        if kind == "date" and isinstance(value, date):
            return date_html(value)
        if kind in ("date", "boolean", "enum"):
            return escape(scalar_text(value, spec, self.model.registry))
        if kind == "ref":
            target = spec.to[0]
            if target in REGISTRY_KINDS:
                return Markup(f'<a href="{escape(f"{root}{target}/{value}/")}">'
                              f'{escape(self.registry_name(target, value))}</a>')
            record = self.by_id.get(value)
            if record is None:
                return Markup("")
            return self.record_link(record, root)
        if kind == "text":
            return Markup("<br>").join(escape(line) for line in str(value).split("\n"))
        return escape(str(value))

    def object_table(self, rows: list[dict], spec: FieldSpec, root: str) -> Markup:
        columns = list(spec.fields.values())
        head = "".join(f"<th>{escape(c.label)}</th>" for c in columns)
        # A card on a phone (data-cards): each value after the first under its column's label.
        body = "".join(
            "<tr>" + "".join((f'<td data-label="{escape(c.label)}">' if i else "<td>")
                             + f"{self.fmt(row.get(c.name), c, root)}</td>"
                             for i, c in enumerate(columns))
            + "</tr>" for row in rows)
        return Markup(f"<table data-cards><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                      "</table>")

    def record_link(self, record: Record, root: str) -> Markup:
        return Markup(f'<a href="{escape(self.url(record, root))}">{escape(record.id)}</a> '
                      f'{escape(record.title)}')

    def url(self, record: Record, root: str) -> str:
        return f"{root}{record.type}/{record.id}/"

    def facts(self, record: Record, root: str) -> list[tuple[str, Markup]]:
        """Every public field in schema order, labelled, plus computed facts."""
        skip = {"id", "type", "title", "status"}
        rows = []
        for name, spec in self.rtype(record).fields.items():
            if name in skip or name not in record.fields:
                continue
            label = f"{spec.label}（内部）" if spec.internal else spec.label
            rows.append((label, self.fmt(record.fields[name], spec, root)))
        due = self.rtype(record).roles.due
        facts = self.due_facts(record)
        if facts is not None:
            if due.field in record.fields:
                # The due field's row says the deadline in force, the original as superseded.
                label = self.rtype(record).fields[due.field].label
                rows = [(lab, self.deadline(record) if lab == label else value)
                        for lab, value in rows]
            else:
                rows.append(("现行期限", self.deadline(record)))
            if facts.days_overdue is not None:
                rows.append(("逾期", Markup('<strong class="sl-overdue">截至 {} 已逾期 {} 日</strong>'
                                            ).format(date_html(self.as_of), facts.days_overdue)))
        return rows

    def bulk_line(self, bulk: BulkPublication, root: str) -> Markup:
        """"首次公开 283 条记录：整改事项 147 条、…", each type linked to its listing, then
        the page that browses them all."""
        counts = bulk.type_counts()
        parts = Markup("、").join(
            Markup('<a href="{}{}/">{}</a> {} 条').format(root, name, rtype.label, counts[name])
            for name, rtype in self.model.types.items()
            if name in counts and self.index.by_type.get(name))
        return Markup('{}：{}（<a href="{}browse/">分类浏览</a>）').format(
            bulk_heading(bulk), parts, root)

    def announced(self, entry: Event | BulkPublication, root: str
                  ) -> tuple[Event | BulkPublication, Record | None, str | Markup]:
        """An entry of the change log or 最新动态: (entry, its record, what changed)."""
        if entry.bulk:
            return entry, None, self.bulk_line(entry, root)
        return entry, self.by_id.get(entry.record_id), describe(entry, self.model, head=False)

    def history_rows(self, record: Record) -> list[dict[str, Any]]:
        """The record's timeline, newest first, in words. Commit messages and authors only
        ever reach internal builds: the public timeline never carries them."""
        timeline = self.timelines.get(record.id) if self.timelines else None
        rows = []
        # Newest first; the changes of one commit keep their order (sort is stable).
        for event in sorted(timeline.events if timeline else [], key=lambda e: e.when,
                            reverse=True):
            row = {"date": event.date, "sha": event.short_sha, "kind": event.kind.label,
                   "text": describe(event, self.model)}
            if self.internal:
                row["author"] = event.author_name or ""
                row["message"] = (event.message or "").strip().split("\n")[0]
            rows.append(row)
        return rows

    def summary(self, record: Record, root: str) -> list[tuple[str, Markup]]:
        """The listing fields, shown (and indexed for search) under the title."""
        rtype = self.rtype(record)
        return [(rtype.fields[n].label, self.field_cell(record, n, root))
                for n in rtype.listing if record.get(n) not in (None, "", [])]

    def search_facets(self, record: Record) -> dict[str, list[tuple[str, str]]]:
        """What the site search narrows a record by (Pagefind filters: type, owning body,
        responsible unit, year, status) and shows beside it (metadata: title, type, ID,
        status, unit, body), as the pages word them: labels and registry names."""
        body, unit = self.body_of(record), self.index.unit_of(record)
        words = {"type": self.rtype(record).label, "status": self.status_label(record),
                 "body": self.registry_name("body", body) if body else "",
                 "unit": self.registry_name("unit", unit) if unit else ""}
        filters = [(key, words[key]) for key in ("type", "body", "unit") if words[key]]
        filters += [("year", str(year)) for year in sorted(self.years(record))]
        filters.append(("status", words["status"]))
        meta = [("title", record.title), ("id", record.id)]
        meta += [(key, value) for key, value in words.items() if value]
        return {"filters": filters, "meta": meta}

    def listing_row(self, record: Record, root: str) -> dict[str, Any]:
        rtype = self.rtype(record)
        return {
            "id": record.id, "url": self.url(record, root), "title": record.title,
            "type_label": rtype.label, "status": record.status,
            "status_label": self.status_label(record), "overdue": self.days_overdue(record),
            "cells": [self.field_cell(record, n, root) for n in rtype.listing],
        }

    def role_label(self, rtype: RecordType, role: str) -> str:
        """The label of the field playing `role` (its last part, for a dotted path)."""
        path = rtype.roles.field_of(role) or ""
        first, _, rest = path.partition(".")
        spec = rtype.fields.get(first)
        if spec is not None and rest:
            target = next((self.model.types[t] for t in spec.to if t in self.model.types), None)
            spec = target.fields.get(rest) if target is not None else None
        return spec.label if spec is not None else ""

    def rollup(self, record: Record) -> list[dict[str, Any]]:
        """Completion of everything below `record` down its children chain, per type
        (withdrawn records left out): the parents roles, read the other way."""
        below: dict[str, list[Record]] = defaultdict(list)
        seen = {record.id}
        todo = [record]
        while todo:
            for child in self.index.children(todo.pop()):
                if child.id in seen or self.is_withdrawn(child):
                    continue
                seen.add(child.id)
                below[child.type].append(child)
                todo.append(child)
        out = []
        for rtype in self.model.types.values():
            kids = below.get(rtype.name)
            if kids:
                done = sum(1 for c in kids if self.index.is_done(c))
                going = sum(1 for c in kids if self.index.is_started(c)
                            and not self.index.is_done(c))
                out.append({"label": rtype.label, "total": len(kids), "done": done,
                            "going": going, "waiting": len(kids) - done - going,
                            "overdue": sum(1 for c in kids if self.overdue(c)),
                            "rate": Ratio(done, len(kids))})
        return out

    def withdrawn_below(self, record: Record) -> int:
        """Withdrawn records directly below `record`, which the roll-up leaves out."""
        return sum(1 for c in self.index.children(record) if self.is_withdrawn(c))

    def listing_columns(self, type_name: str) -> list[str]:
        rtype = self.model.types[type_name]
        return [rtype.fields[n].label for n in rtype.listing]

    # --- what a record page is made from (the page cache's key) ----------------------------

    def record_digest(self, record_id: str) -> str:
        """Everything about one projected record a page may show, hashed once per build."""
        found = self._digests.get(record_id)
        if found is None:
            r = self.by_id[record_id]
            found = self._digests[record_id] = digest(
                r.type, r.id, r.visibility, r.fields, r.body, r.typed_status, r.derived_from)
        return found

    def shown_records(self, record: Record) -> list[str]:
        """The IDs of every record a record page shows or computes with: the record; the
        records it mentions (links, parents, a role read one hop through a reference); the
        records mentioning it (its children, any field) and every record below it (the
        roll-up); and what those mention, because their badges and overdue counts read
        roles one hop away too. A superset errs towards rebuilding, never towards staleness."""
        if self._mentions is None:
            out = {r.id: mentioned(r.fields, self.by_id) for r in self.records}
            back: dict[str, list[str]] = defaultdict(list)
            for source, targets in out.items():
                for target in targets:
                    back[target].append(source)
            self._mentions = out, back
        out, back = self._mentions
        near = set(back.get(record.id, ()))
        seen, todo = {record.id}, [record]
        while todo:
            for child in self.index.children(todo.pop()):
                if child.id not in seen:
                    seen.add(child.id)
                    near.add(child.id)
                    todo.append(child)
        shown = {record.id, *out[record.id], *near}
        for other in near:
            shown.update(out[other])
        return sorted(shown)

    def page_inputs(self, record: Record) -> list[Any]:
        """A record page's own part of its cache key: the digests of the records it shows
        and its timeline (the rest — code, templates, config, date, audience, commit — is
        in every key of the build)."""
        timeline = self.timelines.get(record.id) if self.timelines else None
        return [[(rid, self.record_digest(rid)) for rid in self.shown_records(record)],
                timeline]


def environment(template_dirs: list[Path]) -> jinja2.Environment:
    """The jinja2 environment of Sunlight's page templates: autoescaped, strict, and with
    the `time` filter every date a page shows goes through (a <time> kept whole by CSS).
    Compiled templates are kept for the next build in the same process (`serve`) while no
    template file changed: a changed, added or removed file gives a new environment."""
    dirs = [Path(d) for d in template_dirs]
    snapshot = (tuple(dirs), tuple(sorted(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for d in dirs if d.is_dir() for p in d.rglob("*") if p.is_file())))
    kept = _ENVIRONMENT.get(snapshot)
    if kept is None:
        _ENVIRONMENT.clear()
        kept = _ENVIRONMENT[snapshot] = _new_environment(dirs)
    return kept


_ENVIRONMENT: dict[tuple, jinja2.Environment] = {}


def _new_environment(template_dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates do not change during a build: no stat() of the file for every page.
        auto_reload=False,
        bytecode_cache=template_bytecode(),
    )
    env.filters["time"] = date_html
    env.filters["dated"] = dated_text      # text composed in Python that may hold dates
    return env


# --- the stage -------------------------------------------------------------------------------


def render(projection: Projection, figures: Figures, model: Model,
           template_dirs: list[Path], assets_dir: Path,
           commit: str | None = None, dashboards: Dashboards | None = None,
           timelines: Timelines | None = None, changes: list[ChangeDay] | None = None,
           frozen: list[Any] | None = None, cache: Cache | None = None,
           sink: Callable[[str, bytes], None] | None = None) -> Rendered:
    """The whole docs tree for one audience: every page, the assets and, for the internal
    site, robots.txt. With a `cache`, a record page whose inputs did not change is read from
    it instead of rendered (the same bytes). With a `sink`, each file is handed to it as soon
    as it is made and `Rendered.files` stays empty: the tree is never held whole (at 10 000
    records its pages would be about 100 MB of a build's peak memory)."""
    env = environment(template_dirs)
    site = Site(projection, model, figures)
    site.commit = commit
    site.timelines = timelines or Timelines(audience=projection.audience, body=projection.body)
    out = Rendered()
    writer = _Writer(env, site, out, cache, sink)
    writer.home()
    if dashboards is not None:
        writer.page("dashboards.md", "内部工作台", "internal/dashboards.html", nav="内部工作台",
                    search=False, dashboards=dashboards)
    if frozen is not None:
        # Internal only: frozen figures today's records compute differently (stages/freeze.py).
        writer.page("frozen-check.md", "定格数字复核", "internal/frozen.html", nav="定格数字复核",
                    search=False, differences=frozen)
    writer.ledger()
    writer.changes(changes or [])
    writer.overdue()
    writer.statistics()
    writer.browse()
    writer.type_listings()
    writer.group_listings()
    writer.records()
    if projection.audience is Audience.PUBLIC:
        writer.open_data_page()
    else:
        # Internal sites must never be indexed, wherever they end up being served.
        writer.put("robots.txt", b"User-agent: *\nDisallow: /\n")
    for name in ASSETS:
        writer.put(f"assets/{name}", (assets_dir / name).read_bytes())
    return out


class _Writer:
    def __init__(self, env: jinja2.Environment, site: Site, out: Rendered,
                 cache: Cache | None = None, sink: Callable[[str, bytes], None] | None = None):
        self.env, self.site, self.out, self.cache = env, site, out, cache
        self.put = out.files.__setitem__ if sink is None else sink
        self.groups = self._groups()

    def page(self, path: str, title: str, template: str, *, nav: str | None = None,
             search: bool = True, record_page: bool = False, **context: Any) -> bytes:
        root = paging.root_of(path)
        html = self.env.get_template(template).render(
            site=self.site, root=root, title=title, as_of=self.site.as_of, **context)
        html = re.sub(r"\n\s*\n+", "\n", html).strip()
        meta: dict[str, Any] = {"title": safe_title(title)}
        if not search:
            meta["search"] = {"exclude": True}
        text = "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n\n" + html + "\n"
        data = text.encode("utf-8")
        self.put(path, data)
        self.out.pages.append(Page(path=path, title=title, in_nav=nav is not None,
                                   record=record_page))
        if nav is not None:
            self.out.nav.append({nav: path})
        return data

    def paged(self, path: str, title: str, template: str, items: Sequence[Any],
              context: Callable[[Sequence[Any], str], dict[str, Any]], *,
              nav: str | None = None, **shared: Any) -> None:
        """One list over as many pages as settings.page_size asks (paging.py). `context`
        turns a page's items into that page's context; it gets the page's root because
        links depend on how deep the page sits. Only page 1 is in the navigation."""
        for path_n, chunk, pager in paging.paginate(path, items, self.site.model.page_size):
            self.page(path_n, title + pager.title_suffix, template, search=False,
                      nav=nav if pager.number == 1 else None, pager=pager, **shared,
                      **context(chunk, paging.root_of(path_n)))

    def home(self) -> None:
        site = self.site
        latest = [site.announced(e, "") for e in site.timelines.latest_news(site.by_id)][:LATEST]
        counts = [(t.label, t.name, site.tally(site.index.by_type[t.name]))
                  for t in site.model.types.values() if site.index.by_type.get(t.name)]
        figures, decl = site.figures, site.figures.declarations
        shown = decl.home + (decl.internal if site.internal else ())
        tables = []
        for table_id in decl.home_tables:
            found = figures.table(table_id)
            if found is None:      # an internal table on the public site
                continue
            tables.append({"id": found.table.id, "title": found.table.title, "lines": [
                (Markup(" ").join(self._link(p, "") for p in row.parts),
                 "，".join(f"{decl.statistics[c].label} "
                          f"{show(row.values[c], decl.statistics[c], True)}"
                          for c in found.table.columns))
                for row in found.rows]})
        self.page("index.md", site.model.site.get("name", "首页"), "home.html", nav="首页",
                  figures=self._figures(shown), tables=tables,
                  counts=counts, latest=latest, total=site.tally(site.records),
                  history=bool(site.timelines.records))

    def ledger(self) -> None:
        """The ledger page of the type site_config/pages.yml names (none when it names none),
        in pages of settings.page_size rows, and its rows as one JSON file beside it, which
        ledger.js loads when a reader filters or sorts, so both cover every row."""
        site = self.site
        spec = site.model.pages.get("ledger")
        if spec is None:
            return
        rtype = site.model.types[spec.type]
        items = sorted(site.index.live(spec.type), key=lambda r: r.id)
        names = {r.id: (site.registry_name("unit", site.index.unit_of(r) or ""),
                        site.registry_name("body", site.body_of(r) or "")) for r in items}
        completed = sum(1 for r in items if site.index.is_done(r))
        totals = {"total": len(items), "done": completed,
                  "completion_rate": Ratio(completed, len(items)),
                  "overdue": sum(1 for r in items if site.days_overdue(r))}

        def rows(chunk: Sequence[Record], root: str) -> dict[str, Any]:
            return {"rows": [{**site.listing_row(r, root), "record": r,
                              "unit": names[r.id][0], "body": names[r.id][1]} for r in chunk]}

        path = "ledger.md"
        data = f"{paging.folder_of(path)}/rows.json"
        self.put(data, self._ledger_data(items, names, data))
        self.paged(path, spec.title, "ledger.html", items, rows, nav=spec.title,
                   totals=totals, type_label=rtype.label,
                   unit_label=site.role_label(rtype, "responsible_unit"),
                   statuses=sorted({site.status_label(r) for r in items}),
                   units=sorted({unit for unit, _ in names.values()}),
                   data_src=data, page_size=site.model.page_size)

    # What ledger.js draws a row from: exactly what a row of the ledger page shows.
    LEDGER_FIELDS = ("url", "id", "title", "unit", "body", "due", "extensions", "original",
                     "status", "status_label", "overdue")

    def _ledger_data(self, items: list[Record], names: dict[str, tuple[str, str]],
                     path: str) -> bytes:
        """The ledger's rows for the browser: one array a row, in LEDGER_FIELDS order, links
        relative to the file itself. Only what the page shows (the leak guard reads it)."""
        site = self.site
        root = "../" * path.count("/")     # a file, not a page: served where it lies
        rows = []
        for r in items:
            facts = site.due_facts(r)
            due = facts.in_force.isoformat() if facts and facts.in_force else ""
            original = facts.superseded.isoformat() if facts and facts.superseded else ""
            rows.append([site.url(r, root), r.id, r.title, *names[r.id], due,
                         facts.extensions if facts else 0, original, r.status,
                         site.status_label(r), site.days_overdue(r) or 0])
        data = {"fields": self.LEDGER_FIELDS, "rows": rows}
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    def changes(self, days: list[ChangeDay]) -> None:
        """The change log, newest day first, paginated as one list of events: a day's events
        may continue on the next page under the same date."""
        site = self.site
        bodies = sorted({site.body_of(r) for r in site.records if site.body_of(r)})
        events = [(day.day, e) for day in days for e in day.events]
        self.paged("changes.md", "更新动态", "changes.html", events,
                   lambda chunk, root: {"groups": paging.regroup(
                       [(day, site.announced(e, root)) for day, e in chunk])},
                   nav="更新动态", feeds_dir=FEEDS_DIR, days=CHANGE_LOG_DAYS,
                   body_feeds=[(b, site.registry_name("body", b)) for b in bodies])

    def overdue(self) -> None:
        """Every record past its due date in force: one section per type with a due role,
        paginated as one list. Cells are keyed by column, so a heading always sits over its
        own values; a section's count is the whole section's, not the page's."""
        site = self.site
        spec = site.model.pages.get("overdue")
        if spec is None:
            return
        sections, late = [], []
        for rtype in site.model.types.values():
            if rtype.roles.due is None:
                continue
            found = sorted((r for r in site.index.live(rtype.name) if site.overdue(r)),
                           key=lambda r: (site.index.due_in_force(r), r.id))
            if not found:
                continue
            who = "responsible_unit" if rtype.roles.field_of("responsible_unit") else "owner_body"
            columns = [("id", "编号"), ("title", rtype.label), (who, site.role_label(rtype, who)),
                       ("due", "现行期限"), ("status", "状态")]
            late += [(len(sections), r) for r in found]
            sections.append({"label": rtype.label, "columns": columns, "count": len(found)})

        def row(r: Record, root: str) -> dict[str, Any]:
            return {"id": r.id, "url": site.url(r, root), "status": r.status,
                    "days": site.days_overdue(r), "status_label": site.status_label(r),
                    "cells": {"id": r.id, "title": r.title,
                              "responsible_unit": site.registry_name(
                                  "unit", site.index.unit_of(r) or ""),
                              "owner_body": site.registry_name("body", site.body_of(r) or ""),
                              "due": date_html(site.index.due_in_force(r))}}

        def page_sections(chunk: Sequence[tuple[int, Record]], root: str) -> dict[str, Any]:
            return {"sections": [{**sections[n], "rows": [row(r, root) for r in found]}
                                 for n, found in paging.regroup(chunk)]}

        self.paged("overdue.md", spec.title, "overdue.html", late, page_sections,
                   nav=spec.title, total=len(late))

    def statistics(self) -> None:
        """The statistics page: every declared table, its chart and its definitions."""
        figures, decl = self.site.figures, self.site.figures.declarations
        root = "../"
        tables = []
        for found in figures.tables:
            table = found.table
            stats = [decl.statistics[c] for c in table.columns]
            if table.rows is not None:
                rtype = self.site.model.types[table.rows.type]
                headers = [rtype.label] + [rtype.fields[n].label for n in table.show]
            else:
                headers = [k.label for k in table.group_by]
            rows = []
            for row in found.rows:
                if row.record is not None:
                    keys = [self._link(row.parts[0], root)] + [
                        Markup("") if p is None else self._link(p, root) for p in row.shown]
                else:
                    keys = [self._link(p, root) for p in row.parts]
                rows.append(keys + [show(row.values[s.id], s) for s in stats])
            total = None
            if found.total is not None:
                total = (["合计"] + [""] * (len(headers) - 1)
                         + [show(found.total.values[s.id], s) for s in stats])
            chart = charts.stacked_bars(table.chart, [(self._row_heading(row), row.values)
                                                      for row in found.rows],
                                        decl.statistics) if table.chart else Markup("")
            tables.append({"id": table.id, "title": table.title,
                           "description": table.description, "chart": chart,
                           "headers": headers + [s.label for s in stats], "rows": rows,
                           "total": total,
                           "definitions": [(s.label, s.definition) for s in stats]})
        shown = decl.internal if self.site.internal else ()
        self.page("stats.md", "统计", "stats.html", nav="统计", search=False,
                  tables=tables, figures=self._figures(shown))

    # --- statistics helpers: figures come computed (statistics.py); these only place them ---

    def _figures(self, ids: tuple[str, ...]) -> list[dict[str, str]]:
        figures = self.site.figures
        out = []
        for sid in ids:
            if sid in figures.values:
                stat = figures.statistic(sid)
                out.append({"label": stat.label, "definition": stat.definition,
                            "text": show(figures.values[sid], stat)})
        return out

    def _link(self, part: KeyPart, root: str) -> Markup:
        if part.link is None:
            return date_html(part.value) if isinstance(part.value, date) else escape(part.text)
        kind, key = part.link
        return Markup('<a href="{}">{}</a>').format(f"{root}{kind}/{key}/", part.text)

    def _row_heading(self, row: Row) -> str:
        return row.record.title if row.record is not None else row.label

    def browse(self) -> None:
        site = self.site
        groups = self.groups
        self.page("browse.md", "分类浏览", "browse.html", nav="分类浏览", search=False,
                  types=[(t, site.tally(site.index.by_type.get(t.name, []))) for t in
                         site.model.types.values() if site.index.by_type.get(t.name)],
                  bodies=[(k, site.registry_name("body", k), site.tally(v))
                          for k, v in groups["body"]],
                  units=[(k, site.registry_name("unit", k), site.tally(v))
                         for k, v in groups["unit"]],
                  years=[(k, site.tally(v)) for k, v in groups["year"]],
                  statuses=[(k, label, site.tally(v)) for (k, label), v in groups["status"]])

    def _groups(self) -> dict[str, list]:
        """Records by body, unit, year and type·status, for the hub and the listings."""
        site = self.site
        by_body, by_unit, by_year = defaultdict(list), defaultdict(list), defaultdict(list)
        by_status: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for r in site.records:
            body = site.body_of(r)
            if body:
                by_body[body].append(r)
            for name, spec in site.rtype(r).fields.items():
                if spec.type == "ref" and spec.to == ("unit",) and r.get(name):
                    by_unit[r.get(name)].append(r)
                elif spec.type == "list" and spec.items and spec.items.to == ("unit",):
                    for unit in r.get(name) or []:
                        by_unit[unit].append(r)
            for year in site.years(r):
                by_year[year].append(r)
            key = f"{r.type}-{r.status}"
            by_status[(key, f"{site.rtype(r).label}·{site.status_label(r)}")].append(r)
        return {
            "body": sorted(by_body.items()), "unit": sorted(by_unit.items()),
            "year": sorted(by_year.items(), reverse=True), "status": sorted(by_status.items()),
        }

    def type_listings(self) -> None:
        site = self.site
        for rtype in site.model.types.values():
            records = site.index.by_type.get(rtype.name, [])
            if records:
                self._listing(f"{rtype.name}/index.md", rtype.label, rtype.description, records)

    def group_listings(self) -> None:
        site = self.site
        groups = self.groups
        for kind, title in (("body", "监督机关"), ("unit", "被监督和责任单位")):
            for key, records in groups[kind]:
                name = site.registry_name(kind, key)
                self._listing(f"{kind}/{key}.md", name, f"{title}：{name}", records)
        for year, records in groups["year"]:
            self._listing(f"year/{year}.md", f"{year}年", f"{year} 年的记录", records)
        for (key, label), records in groups["status"]:
            self._listing(f"status/{key}.md", label, f"状态为“{label}”的记录", records)

    def _listing(self, path: str, title: str, intro: str, records: Iterable[Record],
                 up: tuple[str, str] | None = None) -> None:
        """A listing: one section per type (in the model's order, records by ID), paginated
        as one list; each section's heading counts the whole listing, not the page. `up`:
        the page the list belongs to (a path from the site root, and its link text)."""
        order = {name: n for n, name in enumerate(self.site.model.types)}
        ordered = sorted(records, key=lambda r: (order[r.type], r.id))
        by_type: dict[str, list[Record]] = defaultdict(list)
        for r in ordered:
            by_type[r.type].append(r)
        tallies = {name: self.site.tally(found) for name, found in by_type.items()}
        self.paged(path, title, "listing.html", ordered,
                   lambda chunk, root: {"sections": self._sections(chunk, root, tallies)},
                   intro=intro, up=up)

    def _sections(self, records: Sequence[Record], root: str, tallies: dict[str, "Tally"]
                  ) -> list[tuple[str, list[str], list[dict], Tally]]:
        site = self.site
        return [(site.rtype(found[0]).label, site.listing_columns(name),
                 [site.listing_row(r, root) for r in found], tallies[name])
                for name, found in paging.regroup([(r.type, r) for r in records])]

    def records(self) -> None:
        """Every record page: from the cache when nothing it shows changed, else rendered
        (and stored). The bulk of the stage, so an unchanged record costs a digest and a read.
        A record's complete list of children is a page of its own, made either way."""
        for r in self.site.records:
            path = f"{r.type}/{r.id}.md"
            tombstone = self.site.is_withdrawn(r) and not self.site.internal
            children = None if tombstone else self._children(r, "../../")
            if self.cache is None:
                self._record(r, children)
                continue
            key = self.cache.key(path, self.site.page_inputs(r))
            cached = self.cache.get(key, path)
            if cached is not None:
                self.put(path, cached)
                self.out.pages.append(Page(path=path, title=r.title, record=True))
                continue
            self.cache.put(key, self._record(r, children))

    def _record(self, r: Record, children: tuple[list[tuple[str, list[Record]]],
                                                 dict[str, Any] | None] | None) -> bytes:
        """A record page, or the tombstone of a withdrawn record (`children` is None)."""
        site = self.site
        root = "../../"
        if children is None:
            return self.page(f"{r.type}/{r.id}.md", r.title, "tombstone.html", record=r,
                             record_page=True,
                             type_label=site.rtype(r).label, facts=site.facts(r, root),
                             facets=site.search_facets(r),
                             history=site.history_rows(r))
        listed, more = children
        return self.page(
            f"{r.type}/{r.id}.md", r.title, "record.html", record=r, record_page=True,
            type_label=site.rtype(r).label, status_label=site.status_label(r),
            overdue=site.days_overdue(r), facts=site.facts(r, root),
            disclosure=site.disclosure(r), withdrawn_below=site.withdrawn_below(r),
            summary=site.summary(r, root), history=site.history_rows(r),
            parents=[(spec.label, target) for spec, target in site.parents(r)],
            children=listed, more_children=more, rollup=site.rollup(r),
            body_html=self._body_html(r), facets=site.search_facets(r),
        )

    def _children(self, record: Record, root: str) -> tuple[list[tuple[str, list[Record]]],
                                                            dict[str, Any] | None]:
        """The children a record page lists (by type label, at most settings.children_shown)
        and, when it has more, the link to the complete list, which gets pages of its own:
        an item with every finding below it would otherwise grow with the records."""
        site = self.site
        found = sorted(((site.rtype(child).label, child)
                        for child, _ in site.children.get(record.id, [])),
                       key=lambda pair: pair[0])
        shown = site.model.children_shown
        if len(found) <= shown:
            return paging.regroup(found), None
        path = f"{record.type}/{record.id}/children.md"
        label = site.rtype(record).label
        self._listing(path, f"{record.title}的下级记录",
                      f"{label} {record.id}“{record.title}”的全部下级记录，按类型和编号排列。",
                      list({child.id: child for _, child in found}.values()),
                      up=(site.url(record, ""), f"返回{label} {record.id}"))
        return paging.regroup(found[:shown]), {"total": len(found), "shown": shown,
                                               "href": f"{root}{paging.folder_of(path)}/"}

    def _body_html(self, record: Record) -> Markup:
        text = mark_internal(record.body) if self.site.internal else record.body
        try:
            return render_body(text, self.site.model.body_max_bytes)
        except body_limits.BodyLimitError as exc:
            raise body_limits.BodyLimitError(exc.exceeded, record.path) from None

    def open_data_page(self) -> None:
        site = self.site
        types = [(t, [(name, spec) for name, spec in t.fields.items() if not spec.internal])
                 for t in site.model.types.values() if site.index.by_type.get(t.name)]
        self.page("data.md", "开放数据", "data.html", nav="开放数据", search=False, types=types,
                  count=site.tally(site.records), license=site.model.license,
                  csv_bom=True)
