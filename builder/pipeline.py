"""The whole story in one place: load → validate → history → project → render → engine →
verify → publish. Each step is a plain function of a stage module; this module
only wires them. Only the CLI prints and picks exit codes."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from .stages import cache as page_cache
from .stages import engine, freeze, opendata, publish, search_index, statistics, verify
from .stages.history import History, read_history
from .stages.repository import NotARepository, head_commit, is_clean
from .stages.timeline import Timelines, change_log, timelines
from .stages.load import load, project_path
from .model.model import Model, load_model
from .model.records import Record
from .stages.projection import Audience, Projection, project
from .stages.validate import Validation, validate
from .commands import editor as web_editor
from .commands.scaffold import next_ids

if TYPE_CHECKING:   # annotations only: render is imported by a build that renders (_render)
    from .stages.render import Rendered

SUNLIGHT_HOME = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Deployment:
    """Where a deployment keeps its content and configuration."""

    root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def config_dir(self) -> Path:
        return self.root / "site_config"

    @property
    def public_out(self) -> Path:
        return self.root / "site"

    @property
    def internal_out(self) -> Path:
        return self.root / "site-internal"

    @property
    def template_dirs(self) -> list[Path]:
        """The deployment's templates first, Sunlight's own as the fallback."""
        dirs = [self.root / "templates", SUNLIGHT_HOME / "templates"]
        return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in
                {x.resolve() for x in dirs[:i]}]

    @property
    def base_config(self) -> Path:
        own = self.root / "mkdocs.yml"
        return own if own.is_file() else SUNLIGHT_HOME / "mkdocs.yml"

    @property
    def cache_dir(self) -> Path:
        """Rendered pages by digest, one folder per audience (stages/cache.py); git-ignored by
        a .gitignore of its own, safe to delete at any time."""
        return self.root / page_cache.FOLDER

    @property
    def assets_dir(self) -> Path:
        return next(d / "assets" for d in self.template_dirs if (d / "assets").is_dir())

    def theme_dirs(self, audience: str) -> list[Path]:
        """Theme overrides to overlay, in order: Sunlight's own, then the deployment's; in each,
        what both audiences share, then the audience's own (the internal one adds the banner)."""
        return [d / "overrides" / part for d in reversed(self.template_dirs)
                for part in ("common", audience)]


@dataclass
class Checked:
    model: Model
    validation: Validation
    files: int


def check(deployment: Deployment, paths: Iterable[Path] | None = None,
          model: Model | None = None) -> Checked:
    """Load and validate all content. With `paths`, report only problems in those files,
    but still resolve references against every record. `model`: site_config/ already read."""
    model = model if model is not None else load_model(deployment.config_dir)
    documents, load_problems = load(deployment.root, deployment.content_dir)
    validation = validate(documents, model)
    validation.problems = sorted(load_problems + validation.problems,
                                 key=lambda p: (p.path, p.line, p.code))
    # A file that could not be read is still a file that was checked.
    seen = {d.path for d in documents} | {p.path for p in load_problems}
    if paths is not None:
        wanted = {project_path(deployment.root, Path(p)) for p in paths}
        wanted_dirs = tuple(w.rstrip("/") + "/" for w in wanted)
        validation.problems = [p for p in validation.problems
                               if p.path in wanted or p.path.startswith(wanted_dirs)]
        seen = {path for path in seen if path in wanted or path.startswith(wanted_dirs)}
    return Checked(model=model, validation=validation, files=len(seen))


def figures(deployment: Deployment, as_of: date) -> tuple[Checked, statistics.Figures]:
    """Validate, then compute every declared statistic from all the records."""
    checked = check(deployment)
    return checked, statistics.compute(checked.validation.records, checked.model, as_of)


class ContentInvalid(Exception):
    """The content has errors; nothing was built."""

    def __init__(self, checked: Checked):
        super().__init__(f"{len(checked.validation.errors)} content errors")
        self.checked = checked


class WrongTarget(Exception):
    """The output folder may not or cannot be written (a source folder, a folder Sunlight did
    not make, the other audience's site, no permission); nothing was built or published."""


class LeakDetected(Exception):
    """The built site contains internal-only values; nothing was published."""

    def __init__(self, leaks: list[verify.Leak]):
        super().__init__(f"{len(leaks)} internal values found in the public output")
        self.leaks = leaks


class LiveSiteLeaks(LeakDetected):
    """Nothing changed since the build that made the live folder, yet the leak guard finds
    internal-only values there: the folder (and the record of what that build left in it)
    was altered afterwards. No content is at fault, so this is not a content error; nothing
    was built or published, and the folder is left for a person to look at."""


@dataclass
class Built:
    checked: Checked
    out_dir: Path
    pages: int
    public_records: int
    secrets_checked: int
    timings: dict[str, float]
    notices: list[str]
    # Frozen figures that today's records compute differently (warnings, never a failure).
    frozen: list[freeze.Difference] = field(default_factory=list)
    # Pages taken from the page cache and pages rendered anew (None: built without the cache).
    cache: page_cache.Stats | None = None
    # Nothing the site is made of changed since the build that made the live folder, which
    # still holds exactly that build's files: nothing was rendered or published, only the
    # leak guard read the live folder again.
    unchanged: bool = False


@dataclass
class Reuse:
    """What consecutive builds of one working copy (`sunlight serve`) keep between builds,
    each beside the digest of what it was made from, so a change is never missed: the model
    while site_config/ is unchanged, the timelines while HEAD names the same commit (history
    is read from commits only; edits in the working tree are not history).

    A build with a `Reuse` is a preview: it publishes nothing, and the manifest in its folder
    is its own last build's, not a publication, so it continues only the publication it is
    given (`previous_manifest`); guarding what was published is the publishing build's and
    `check --base`'s work."""

    model: tuple[str, Model] | None = None
    timelines: tuple[str, tuple[Timelines, list[str], History | None]] | None = None
    # The preview folder's files (path → SHA-256) as the last build left them, beside the
    # folder and the digest of the secrets each of them was checked against; and the digest
    # of the pages the search index in it was made from.
    served: tuple[Path, str, dict[str, str]] | None = None
    search: str | None = None
    # The workspace kept from one build to the next, beside the output folder it serves
    # (held like any build's workspace, so `publish.tidy` leaves it alone while this process
    # lives and removes it once a killed one let go), and its docs tree as the last build
    # wrote it (path → SHA-256): the docs, the theme and the site are brought up to date in
    # place, since creating files is most of what a rebuild costs the system.
    workspace: tuple[Path, Path] | None = None
    docs: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Delete the kept workspace and let go of it."""
        if self.workspace is not None:
            publish.discard(self.workspace[1])
        self.workspace, self.docs = None, {}


class _Stopwatch:
    """Seconds spent per stage, for `make bench` and the CLI's summary."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def build(deployment: Deployment, out_dir: Path, as_of: date, audience: Audience = Audience.PUBLIC,
          body: str | None = None, previous_manifest: Path | None = None,
          history: bool = True, first_publication: bool = False, cache: bool = True,
          reuse: Reuse | None = None) -> Built:
    """Build one audience's site into `out_dir`, all or nothing:
    load → validate → history → project → stats → render → open data → engine → verify →
    publish. With `history=False` (or outside a Git repository) pages carry no timelines.

    The publication it continues is `previous_manifest`, else the manifest in `out_dir`
    (but a preview, built with `reuse`, continues only `previous_manifest`);
    `first_publication` declares there is none (refused where one exists).

    With `cache`, a build whose inputs are all those of the build that made `out_dir`, while
    `out_dir` still holds exactly the files that build left, is not made again: after every
    check of continuity, the leak guard reads the live folder and nothing is published
    (`Built.unchanged`).

    With `cache`, record pages whose inputs are unchanged come from the page cache
    (`Deployment.cache_dir`); they still go through the engine and the leak guard. `reuse`
    carries the model and the timelines from one build of a series to the next."""
    clock = _Stopwatch()
    repaired = _prepare_out_dir(deployment, out_dir, audience)
    checked = check(deployment, model=_model(deployment, reuse))
    clock.lap("load+validate")
    if not checked.validation.valid:
        raise ContentInvalid(checked)
    records, model = checked.validation.records, checked.model
    _check_target(deployment, model, out_dir, audience, body)
    # Read before any work; a preview's folder holds no publication (see Reuse).
    previous = publish.previous_publication(out_dir, previous_manifest, audience.value,
                                            first_publication) \
        if reuse is None or previous_manifest is not None else None
    found, notices, history_ = _reused_timelines(deployment, model, as_of, audience, body,
                                                 history, reuse)
    clock.lap("history")
    # Frozen reports are shown as frozen; a figure today's records compute differently is
    # a warning naming the records changed since the report's basis commit.
    differences = freeze.recheck(records, model, history_)
    clock.lap("freeze")
    projection = project(records, model, audience, as_of, body)
    found = found.only([r.id for r in projection.records])
    clock.lap("project")
    commit, manifest, compared = _continue_publication(
        deployment, records, projection, as_of, audience, previous,
        nothing_to_compare=first_publication or reuse is not None)
    run = _Run(deployment, out_dir, as_of, audience, body, checked, projection, found,
               differences, commit, manifest, clock, repaired + notices + compared)
    # (A preview rebuilds only when a watched file changed, and updates its folder in place.)
    site = _site_cache(deployment, audience, body, as_of, commit, history, manifest) \
        if cache and reuse is None else None
    clock.lap("stats")
    left = _left_as_built(site, out_dir)
    if left is not None:
        site.close()   # read only: the record stays as the build that made the folder left it
        return _verify_unchanged(run, left)
    # What the leak guard looks for is made before the pages, while the process is small:
    # making it takes about 50 MiB at 10 000 records and lets go of most of it, which render
    # and the engine then reuse (made after them, it sat beside Pagefind's services).
    secrets = run.secrets()
    # Computed only by a build that renders (no statistic is in the manifest).
    figures_ = statistics.compute(projection.records, model, as_of,
                                  internal=audience is Audience.INTERNAL)
    pages = _page_cache(deployment, audience, body, as_of, commit) if cache else None
    work = _workspace(out_dir, reuse)
    done = False
    try:
        rendered = _render(run, figures_, work, pages, reuse)
        _run_engine(run, rendered, work, kept=reuse is not None)
        _verify_and_publish(run, work, secrets, len(rendered.pages), site, reuse)
        done = True
    finally:
        _let_go(work, reuse, done, [pages, site])
    return run.built(len(rendered.pages), len(secrets),
                     notices=[n for c in (pages, site) if c is not None for n in c.notices],
                     cache=pages.stats if pages is not None else None)


@dataclass(frozen=True)
class _Run:
    """One build once its records are projected: what it was asked and what the stages so
    far made, which every later step reads."""

    deployment: Deployment
    out_dir: Path
    as_of: date
    audience: Audience
    body: str | None
    checked: Checked
    projection: Projection
    found: Timelines
    differences: list[freeze.Difference]
    commit: str | None
    manifest: dict[str, bytes]
    clock: _Stopwatch
    notices: list[str]

    @property
    def model(self) -> Model:
        return self.checked.model

    def secrets(self) -> list[verify.Secret]:
        return _secrets(self.deployment, self.model, self.checked.validation.records,
                        self.found, [r.id for r in self.projection.records], self.as_of,
                        self.audience, self.body)

    def built(self, pages: int, secrets: int, notices: Iterable[str] = (), **extra: Any
              ) -> Built:
        return Built(checked=self.checked, out_dir=self.out_dir, pages=pages,
                     public_records=len(self.projection.records), secrets_checked=secrets,
                     timings=self.clock.timings, notices=self.notices + list(notices),
                     frozen=self.differences, **extra)


def _verify_unchanged(run: _Run, left: dict[str, Any]) -> Built:
    """Nothing the site is made of changed since the build that made the live folder, which
    still holds exactly its files: the leak guard reads that folder again, nothing else runs."""
    secrets = run.secrets()
    leaks = verify.scan(run.out_dir, secrets)
    run.clock.lap("verify")
    if leaks:
        raise LiveSiteLeaks(leaks)
    return run.built(left["pages"], len(secrets), unchanged=True)


def _render(run: _Run, figures_: statistics.Figures, work: Path,
            pages: page_cache.Cache | None, reuse: Reuse | None) -> Rendered:
    """The docs tree into the workspace: the pages, feeds, open data and the manifest."""
    # Imported only by a build that renders: the templates, Markdown and sanitiser they pull
    # in are a tenth of an unchanged build's time, which never needs them.
    from .stages import dashboards, feeds, render
    projection, model, audience, as_of = run.projection, run.model, run.audience, run.as_of
    kept = reuse is not None
    docs = publish.TreeWriter(work / "docs", reuse.docs if kept else None)
    boards = dashboards.compute(projection.records, model, as_of,
                                run.checked.validation.warnings) \
        if audience is Audience.INTERNAL else None
    rendered = render.render(projection, figures_, model, run.deployment.template_dirs,
                             run.deployment.assets_dir, commit=run.commit,
                             dashboards=boards, timelines=run.found,
                             changes=change_log(run.found, projection),
                             frozen=_visible(run.differences, projection)
                             if audience is Audience.INTERNAL else None, cache=pages,
                             sink=docs.write)
    # The docs tree is the engine's input, read from disk: each file is written as it is
    # made, so the build never holds the whole tree (the size of the site) in memory; the
    # preview's kept tree gets only the files whose bytes changed.
    docs.write_all(feeds.feeds(run.found, projection, model, feeds.site_url(model)))
    if audience is Audience.PUBLIC:
        docs.write_all(opendata.open_data(
            projection.records, model, statistics.as_json(figures_), folder="data",
            as_of=as_of, url=feeds.site_url(model)))
    docs.write_all(run.manifest)
    if kept:
        reuse.docs = docs.finish()
    if pages is not None:
        pages.prune()
    run.clock.lap("render")
    return rendered


def _run_engine(run: _Run, rendered: Rendered, work: Path, kept: bool) -> None:
    """The docs tree → the site in the workspace (with the web editor where it goes)."""
    deployment, model, audience = run.deployment, run.model, run.audience
    config = engine.write_config(rendered, work / "docs", deployment.base_config,
                                 deployment.theme_dirs(audience.value), work / "site",
                                 _engine_extra(model, audience, run.body))
    produced = engine.build(config, run.as_of, stamp=[p.path for p in rendered.pages
                                                      if p.record], keep=kept)
    if kept:
        # What earlier builds left in the kept site and this one did not make: a
        # deleted record's page, the search index of a first build, the editor.
        publish.keep_only(work / "site", produced)
    if audience is Audience.INTERNAL or web_editor.EditorSettings.of(model).public:
        # The web editor goes with the internal site (editors are staff); the public site
        # has it only when the deployment says so (site.yml editor.public).
        web_editor.write_editor(work / "site" / web_editor.EDITOR_DIR, model,
                                next_ids(deployment, model, run.as_of.year),
                                deployment.template_dirs)
    # Pagefind runs beside this process from here on: what the engine let go is collected
    # first (the search index hands freed memory back to the system before each of its
    # services starts), so the two together stay within the memory a build may use.
    gc.collect()
    run.clock.lap("mkdocs")


def _verify_and_publish(run: _Run, work: Path, secrets: list[verify.Secret], pages: int,
                        site: page_cache.Cache | None, reuse: Reuse | None) -> None:
    """The built site → search index → leak guard (looking for `secrets`) → `out_dir`; a
    preview whose folder is served updates it in its own way (`_update_preview`)."""
    if reuse is not None and reuse.served is not None and reuse.served[0] == run.out_dir \
            and run.out_dir.is_dir():
        _update_preview(work, run.out_dir, secrets, reuse, run.clock)
        return
    searched = _index_search(work, run.clock, digests=reuse is not None)
    leaks = verify.scan(work / "site", secrets)
    run.clock.lap("verify")
    if leaks:
        raise LeakDetected(leaks)
    _publish(work, run.out_dir, secrets, searched, pages, site, reuse, run.clock)


def _index_search(work: Path, clock: _Stopwatch, digests: bool) -> dict[str, str]:
    """The search index, built from the finished pages and output like any other file (the
    leak guard reads it); with `digests` (a preview, which compares them on its next update)
    returns the digests of the pages it was made from. Each bundle's files are written as
    soon as that bundle is made, so the index is never held whole beside Pagefind's next
    service."""
    searched: dict[str, str] = {}
    pages = search_index.inputs(work / "site")
    publish.TreeWriter(work / "site").write_all(search_index.index(
        _hashed(pages, searched) if digests else pages, work))
    clock.lap("search")
    return searched


def _publish(work: Path, out_dir: Path, secrets: list[verify.Secret], searched: dict[str, str],
             pages: int, site: page_cache.Cache | None, reuse: Reuse | None,
             clock: _Stopwatch) -> None:
    """The verified site into `out_dir` in one atomic step; then what the next build of a
    preview or of the same inputs needs to know about it."""
    kept = reuse is not None
    files = page_cache.site_files(work / "site") if site is not None or kept else None
    # A kept workspace keeps its site for the next build to update: a copy is served.
    _writable(publish.swap_into, _writable(publish.copy_tree, work / "site",
                                           work / "served") if kept else work / "site",
              out_dir)
    if reuse is not None and files is not None:
        reuse.served = (out_dir, _digest_of(secrets), files)
        reuse.search = page_cache.digest(searched)
    if site is not None and files is not None:
        # Recorded only once the files are live: a build killed before leaves none.
        site.put(site.key(), page_cache.canonical({"files": files, "pages": pages}))
        site.prune()
    clock.lap("publish")


def _let_go(work: Path, reuse: Reuse | None, done: bool,
            caches: list[page_cache.Cache | None]) -> None:
    """After a build, finished or not: the workspace goes, or what a preview keeps of it
    stays; every cache is closed."""
    if reuse is None:
        publish.discard(work)
    elif not done:
        # A build that failed halfway leaves a workspace nobody knows: the next starts
        # afresh.
        reuse.close()
    else:
        # Only what the next build updates stays: the search index's inputs and output
        # and the leak guard's links go; a workspace where that fails is dropped.
        try:
            publish.clear_except(work, {"docs", "site", engine.THEME_DIR,
                                        engine.CONFIG_NAME})
        except OSError:
            reuse.close()
    # A build that fails before a cache's prune leaves that cache as the last build did.
    for opened in caches:
        if opened is not None:
            opened.close()


def _workspace(out_dir: Path, reuse: Reuse | None) -> Path:
    """A fresh workspace for this build; with `reuse`, the one kept from its last build
    into the same output folder (made on the first)."""
    if reuse is None:
        return _writable(publish.workspace, out_dir)
    if reuse.workspace is not None and (reuse.workspace[0] != out_dir
                                        or not reuse.workspace[1].is_dir()):
        reuse.close()
    if reuse.workspace is None:
        reuse.workspace = (out_dir, _writable(publish.workspace, out_dir))
    return reuse.workspace[1]


def _update_preview(work: Path, out_dir: Path, secrets: list[verify.Secret], reuse: Reuse,
                    clock: _Stopwatch) -> None:
    """The preview's own last steps: the pages first, then the search index.

    Only the files that differ from what the preview folder holds are checked and moved into
    it, when every other file there was checked against the same secrets (else all are
    checked, and the old search index is dropped); the page is served at once. Then the
    search index catches up: Pagefind runs over the served pages only when the pages it
    indexes changed, and its new files are checked before they replace the old ones."""
    _, checked_with, served = reuse.served or (None, "", {})
    # Forgotten until the folder is known again: a step that fails halfway leaves the next
    # build a folder it does not know, which it then replaces whole.
    reuse.served = None
    same = checked_with == _digest_of(secrets)
    built = page_cache.site_files(work / "site") or {}
    bundle = search_index.BUNDLE + "/"
    old_index = [rel for rel in served if rel.startswith(bundle)]
    changed = [rel for rel, sha in built.items() if served.get(rel) != sha]
    removed = [rel for rel in served if rel not in built and (not same or
                                                                not rel.startswith(bundle))]
    if same:
        _writable(publish.link_tree, work / "site", work / "check", changed)
    leaks = verify.scan(work / "check" if same else work / "site", secrets)
    clock.lap("verify")
    if leaks:
        raise LeakDetected(leaks)
    _writable(publish.update_into, work / "site", out_dir, changed, removed)
    kept = {} if not same else {rel: served[rel] for rel in old_index}
    reuse.served = (out_dir, _digest_of(secrets), {**built, **kept})
    clock.lap("publish")
    # A first pass only digests the pages (none is held, none written); Pagefind is handed
    # them again, as they are read, only when they changed.
    searched: dict[str, str] = {}
    for _ in _hashed(search_index.inputs(out_dir), searched):
        pass
    key = page_cache.digest(searched)
    if key == reuse.search and kept:
        return
    # Written as each bundle comes, its digests noted (a writer that held nothing before
    # writes every file): the index is never held whole.
    index = publish.TreeWriter(work / "search", {})
    index.write_all(search_index.index(search_index.inputs(out_dir), work))
    fresh = index.finish()
    leaks = verify.scan(work / "search", secrets)
    if leaks:
        raise LeakDetected(leaks)
    _writable(publish.update_into, work / "search", out_dir,
              [rel for rel, sha in fresh.items() if kept.get(rel) != sha],
              [rel for rel in kept if rel not in fresh])
    reuse.served = (out_dir, reuse.served[1], {**built, **fresh})
    reuse.search = key
    clock.lap("search")


def _hashed(pages: Iterable[search_index.Page], digests: dict[str, str]
            ) -> Iterator[search_index.Page]:
    """The pages as they come (never all held), each one's SHA-256 noted in `digests`."""
    for page in pages:
        digests[f"{page.bundle}{page.url}"] = hashlib.sha256(
            page.html.encode("utf-8")).hexdigest()
        yield page


def _digest_of(secrets: list[verify.Secret]) -> str:
    """One digest of everything the leak guard looks for, whatever the order."""
    return page_cache.digest(sorted(page_cache.canonical(s).decode("utf-8") for s in secrets))


def _secrets(deployment: Deployment, model: Model, records: list[Record], found: Timelines,
             shown: list[str], as_of: date, audience: Audience, body: str | None
             ) -> list[verify.Secret]:
    """Every value the leak guard looks for: the records' and their past revisions'."""
    return verify.secrets(records + found.revisions_for_leak_guard(shown), model, as_of,
                          audience, body, verify.chrome(deployment.template_dirs,
                                                        deployment.base_config))


def _site_cache(deployment: Deployment, audience: Audience, body: str | None, as_of: date,
                commit: str | None, history: bool, manifest: dict[str, bytes]
                ) -> page_cache.Cache:
    """What the last build of this audience left in its output folder, keyed under everything
    a built site is made of: Sunlight's code, the engine's and the search index's versions,
    every template and asset, site_config/, mkdocs.yml, every byte under content/ (edits not
    yet committed included), the commit (and so the history read from it), whether history
    is read, the date, the audience and body, and the manifest this build would write (the
    projection of every record and whether the sources are the commit's)."""
    sources = page_cache.files_digest([*deployment.template_dirs, deployment.config_dir,
                                       deployment.base_config, deployment.content_dir])
    written = hashlib.sha256(b"".join(manifest.values())).hexdigest()
    return page_cache.Cache.open(deployment.cache_dir, audience.value, body,
                                 publish.fingerprint(),
                                 page_cache.library_versions(page_cache.SITE_LIBRARIES),
                                 sources, as_of, commit, history, written, name="site")


def _left_as_built(site: page_cache.Cache | None, out_dir: Path) -> dict[str, Any] | None:
    """The record of the build with these very inputs when `out_dir` still holds exactly the
    files it left (none changed, added or removed); else None, and the build runs."""
    if site is None:
        return None
    raw = site.get(site.key())
    if raw is None:
        return None
    try:
        left = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(left, dict) or not isinstance(left.get("pages"), int):
        return None
    return left if page_cache.site_files(out_dir) == left.get("files") else None


def _page_cache(deployment: Deployment, audience: Audience, body: str | None, as_of: date,
                commit: str | None) -> page_cache.Cache:
    """The page cache of this audience, keyed under everything every page depends on:
    Sunlight's code, the libraries that shape a page, every template and asset, the whole
    site_config/, mkdocs.yml, the build date and the commit the footnote names."""
    sources = page_cache.files_digest([*deployment.template_dirs, deployment.config_dir,
                                       deployment.base_config])
    return page_cache.Cache.open(deployment.cache_dir, audience.value, body,
                                 publish.fingerprint(), page_cache.library_versions(),
                                 sources, as_of, commit)


def _visible(differences: list[freeze.Difference], projection: Any) -> list[freeze.Difference]:
    """The differences of reports this audience sees (their internal figures included)."""
    shown = {r.id for r in projection.records}
    return [d for d in differences if d.report.id in shown]


def _continue_publication(deployment: Deployment, records: list[Record], projection: Projection,
                          as_of: date, audience: Audience, previous: dict[str, Any] | None,
                          nothing_to_compare: bool
                          ) -> tuple[str | None, dict[str, bytes], list[str]]:
    """The commit built, the manifest this build will write, and the notices of the check
    that the public site continues `previous` (which raises where it does not)."""
    commit = head_commit(deployment.root)
    digests = publish.manifest_records(projection)
    notices = _continues(deployment, previous, commit, digests, records, nothing_to_compare) \
        if audience is Audience.PUBLIC else []
    clean = commit is not None and is_clean(deployment.root, [deployment.content_dir,
                                                              deployment.config_dir])
    return commit, publish.manifest(projection, as_of, commit, digests, clean=clean), notices


def _continues(deployment: Deployment, previous: dict[str, Any] | None, commit: str | None,
               digests: dict[str, str], records: list[Record], nothing_to_compare: bool
               ) -> list[str]:
    """The public site continues its last publication (publish.check_continuity raises
    where it does not); a build with nothing to compare with says so, unless that is
    expected (a first publication, a preview)."""
    publish.check_continuity(previous, commit, digests, deployment.root, records,
                             deployment.content_dir, deployment.config_dir)
    if previous is None and not nothing_to_compare:
        return ["没有与已发布的网站比对（输出文件夹是新的，也没有 --previous-manifest）："
                "发布时请用 --previous-manifest 指定上次发布的清单，"
                "或用 --first-publication 声明第一次发布。"]
    return []


def _model(deployment: Deployment, reuse: Reuse | None) -> Model | None:
    """The model of the previous build while site_config/ is byte for byte the same."""
    if reuse is None:
        return None
    key = page_cache.files_digest([deployment.config_dir])
    if reuse.model is None or reuse.model[0] != key:
        reuse.model = (key, load_model(deployment.config_dir))
    return reuse.model[1]


def _reused_timelines(deployment: Deployment, model: Model, as_of: date, audience: Audience,
                      body: str | None, wanted: bool, reuse: Reuse | None
                      ) -> tuple[Timelines, list[str], History | None]:
    """`_timelines`, kept while HEAD, site_config/, the date and the audience are the same."""
    head = head_commit(deployment.root) if reuse is not None and wanted else None
    if head is None:
        return _timelines(deployment, model, as_of, audience, body, wanted)
    key = page_cache.digest(head, str(deployment.content_dir.resolve()), reuse.model and
                            reuse.model[0], as_of, audience.value, body)
    if reuse.timelines is None or reuse.timelines[0] != key:
        reuse.timelines = (key, _timelines(deployment, model, as_of, audience, body, wanted))
    found, notices, history_ = reuse.timelines[1]
    return found, list(notices), history_


def _timelines(deployment: Deployment, model: Model, as_of: date, audience: Audience,
               body: str | None, wanted: bool) -> tuple[Timelines, list[str], History | None]:
    """Every record's timeline from one pass over Git. A shallow clone raises ShallowClone
    and a repository that cannot be read a HistoryError (its history would be wrong);
    outside a repository the site simply has no timelines."""
    empty = Timelines(audience=audience, body=body)
    if not wanted:
        return empty, ["未读取 Git 历史（--no-history）：页面不显示变化记录。"], None
    try:
        history_ = read_history(deployment.root, deployment.content_dir)
    except NotARepository:
        return empty, ["项目不在 Git 仓库中：页面不显示变化记录。"], None
    found = timelines(history_, model, as_of, audience, body)
    return found, [f"{n.path}（提交 {n.short_sha}）：{n.message}" for n in found.notices], history_


_AUDIENCE_WORDS = {Audience.PUBLIC: "公开", Audience.INTERNAL: "内部"}


def _prepare_out_dir(deployment: Deployment, out_dir: Path, audience: Audience) -> list[str]:
    """Before anything is read or written: refuse an output folder the swap would destroy,
    then repair what killed builds left beside it. Returns the repairs, for the notices."""
    _refuse_source_folders(deployment, out_dir)
    repaired = _writable(publish.tidy, out_dir)
    if os.path.lexists(out_dir) and not out_dir.is_dir():
        raise WrongTarget(f"{out_dir} 是一个文件，不是文件夹；请用 --out 指定一个新的或空的文件夹")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        # A manifest that is there but malformed is refused with its own message (ManifestError).
        manifest = publish.read_manifest(out_dir)
        found = manifest.get("audience") if manifest else None
        if found != audience.value:
            what = (f"那里是{_AUDIENCE_WORDS[Audience(found)]}版本的网站"
                    if found in {a.value for a in _AUDIENCE_WORDS} else
                    f"它不是空的，也不是 Sunlight 生成的网站（没有 {publish.MANIFEST}）")
            raise WrongTarget(f"拒绝覆盖 {out_dir}：{what}，构建会替换其中的全部文件。"
                              f"请用 --out 指定一个新的或空的文件夹，或{_AUDIENCE_WORDS[audience]}"
                              "版本网站所在的文件夹")
    return repaired


def _refuse_source_folders(deployment: Deployment, out_dir: Path) -> None:
    """The project, its sources and their ancestors (`--out .`, `--out ..`, `--out ~`) are
    never an output folder, even with a manifest in them; neither is anything inside the
    sources."""
    out = out_dir.resolve()
    # (folder, its name for the editor, whether a folder inside it is refused too)
    kept = [(deployment.root, "项目文件夹", False),
            (deployment.content_dir, f"记录文件夹 {deployment.content_dir.name}/", True),
            (deployment.config_dir, f"配置文件夹 {deployment.config_dir.name}/", True),
            (deployment.root / ".git", "Git 仓库 .git/", True),
            (deployment.cache_dir, f"缓存文件夹 {page_cache.FOLDER}/", True),
            *((d, "模板文件夹", True) for d in deployment.template_dirs)]
    with contextlib.suppress(RuntimeError):  # no home directory known: nothing to add
        kept.append((Path.home(), "用户主目录", False))
    for folder, name, nor_inside in kept:
        folder = folder.resolve()
        if folder == out:
            why = f"它就是{name}"
        elif folder.is_relative_to(out):
            why = f"它包含{name} {folder}"
        elif nor_inside and out.is_relative_to(folder):
            why = f"它在{name} {folder} 里面"
        else:
            continue
        raise WrongTarget(f"拒绝使用 {out_dir} 作为输出文件夹：{why}，构建会替换整个文件夹。"
                          "请用 --out 指定一个新的或空的文件夹，例如项目里的 site/")


def _writable(step: Callable[..., Any], *args: Any) -> Any:
    """Run a step that writes beside the output folder; a refusal by the system (permissions,
    a read-only disk) is the user's to fix, not an internal error."""
    try:
        return step(*args)
    except OSError as exc:
        raise WrongTarget(f"无法写入 {exc.filename or args[-1]}：{exc.strerror or exc}；"
                          "请用 --out 指定一个可以写入的文件夹") from exc


def _check_target(deployment: Deployment, model: Model, out_dir: Path, audience: Audience,
                  body: str | None) -> None:
    """Never let one audience's build land in the other audience's folder."""
    if body is not None and audience is not Audience.INTERNAL:
        raise WrongTarget("只有内部版本（--audience internal）可以指定 --body")
    if body is not None and body not in model.registry.bodies:
        raise WrongTarget(f"机关编号“{body}”不在 site_config/registry.yml 中"
                          f"（可用：{'、'.join(model.registry.bodies)}）")
    other = deployment.public_out if audience is Audience.INTERNAL else deployment.internal_out
    if out_dir.resolve() == other.resolve():
        raise WrongTarget(f"拒绝把{'内部' if audience is Audience.INTERNAL else '公开'}版本写入 "
                          f"{out_dir}：那是{'公开' if audience is Audience.INTERNAL else '内部'}版本的文件夹")


def _engine_extra(model: Model, audience: Audience, body: str | None) -> dict[str, Any]:
    if audience is not Audience.INTERNAL:
        return {}
    name = model.registry.bodies[body].name if body else ""
    return {"extra": {"sunlight_body": name}, "site_name": model.site.get("name", "") + "（内部）"}
