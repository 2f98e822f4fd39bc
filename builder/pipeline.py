"""The whole story in one place: load → validate → history → project → render → engine →
verify → publish. Each step is a plain function of a stage module; this module
only wires them. Only the CLI prints and picks exit codes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from . import dashboards, engine, feeds, publish, render, statistics, verify
from .history import NotARepository, read_history
from .timeline import Timelines, change_log, timelines
from .load import load
from .model import Model, load_model
from .opendata import write_open_data
from .project import Audience, project
from .validate import Validation, validate

SUNLIGHT_HOME = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Project:
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
    def assets_dir(self) -> Path:
        return next(d / "assets" for d in self.template_dirs if (d / "assets").is_dir())

    @property
    def theme_dir(self) -> Path:
        return next((d / "overrides" for d in self.template_dirs if (d / "overrides").is_dir()),
                    self.root / "templates" / "overrides")


@dataclass
class Checked:
    model: Model
    validation: Validation
    files: int


def check(project: Project, paths: Iterable[Path] | None = None) -> Checked:
    """Load and validate all content. With `paths`, report only problems in those files,
    but still resolve references against every record."""
    model = load_model(project.config_dir)
    documents, load_problems = load(project.root, project.content_dir)
    validation = validate(documents, model)
    validation.problems = sorted(load_problems + validation.problems,
                                 key=lambda p: (p.path, p.line, p.code))
    files = len(documents) + len({p.path for p in load_problems} - {d.path for d in documents})
    if paths is not None:
        wanted = {_relative(project.root, Path(p)) for p in paths}
        wanted_dirs = tuple(w.rstrip("/") + "/" for w in wanted)
        validation.problems = [p for p in validation.problems
                               if p.path in wanted or p.path.startswith(wanted_dirs)]
        files = len({d.path for d in documents
                     if d.path in wanted or d.path.startswith(wanted_dirs)})
    return Checked(model=model, validation=validation, files=files)


def figures(project: Project, as_of: date) -> tuple[Checked, statistics.Figures]:
    """Validate, then compute every declared statistic from all the records."""
    checked = check(project)
    return checked, statistics.compute(checked.validation.records, checked.model, as_of)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class ContentInvalid(Exception):
    """The content has errors; nothing was built."""

    def __init__(self, checked: Checked):
        super().__init__(f"{len(checked.validation.errors)} content errors")
        self.checked = checked


class WrongTarget(Exception):
    """An audience's build was pointed at the other audience's folder; nothing was built."""


class LeakDetected(Exception):
    """The built site contains internal-only values; nothing was published."""

    def __init__(self, leaks: list[verify.Leak]):
        super().__init__(f"{len(leaks)} internal values found in the public output")
        self.leaks = leaks


@dataclass
class Built:
    checked: Checked
    out_dir: Path
    pages: int
    public_records: int
    secrets_checked: int
    timings: dict[str, float]
    notices: list[str]


class _Stopwatch:
    """Seconds spent per stage, for `make bench` and the CLI's summary."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def build(project_: Project, out_dir: Path, as_of: date, audience: Audience = Audience.PUBLIC,
          body: str | None = None, previous_manifest: Path | None = None,
          history: bool = True) -> Built:
    """Build one audience's site into `out_dir`, all or nothing:
    load → validate → history → project → stats → render → open data → engine → verify →
    publish. With `history=False` (or outside a Git repository) pages carry no timelines."""
    clock = _Stopwatch()
    checked = check(project_)
    clock.lap("load+validate")
    if not checked.validation.valid:
        raise ContentInvalid(checked)
    records, model = checked.validation.records, checked.model
    _check_target(project_, model, out_dir, audience, body)
    found, notices = _timelines(project_, model, as_of, audience, body, history)
    clock.lap("history")
    projection = project(records, model, audience, as_of, body)
    shown = [r.id for r in projection.records]
    found = found.only(shown)
    clock.lap("project")
    commit = publish.head_commit(project_.root)
    digests = publish.manifest_records(projection)
    if audience is Audience.PUBLIC:
        previous = publish.read_manifest(previous_manifest or out_dir)
        publish.check_continuity(previous, commit, digests, project_.root)
    figures_ = statistics.compute(projection.records, model, as_of,
                                  internal=audience is Audience.INTERNAL)
    clock.lap("stats")
    work = publish.workspace(out_dir)
    try:
        boards = dashboards.compute(projection.records, model, as_of,
                                    checked.validation.warnings) \
            if audience is Audience.INTERNAL else None
        rendered = render.render(projection, figures_, model, project_.template_dirs,
                                 work / "docs", project_.assets_dir, commit=commit,
                                 dashboards=boards, timelines=found,
                                 changes=change_log(found, projection))
        _write_files(work / "docs", feeds.feeds(found, projection, model, feeds.site_url(model)))
        if audience is Audience.PUBLIC:
            write_open_data(projection.records, model, work / "docs" / "data",
                            statistics=statistics.as_json(figures_))
        publish.write_manifest(work / "docs", projection, as_of, commit, digests)
        clock.lap("render")
        config = engine.write_config(rendered, project_.base_config,
                                     _theme_dir(project_, audience), work / "site",
                                     _engine_extra(model, audience, body))
        engine.build(config, as_of)
        clock.lap("mkdocs")
        secrets = verify.secrets(records + found.revisions_for_leak_guard(shown), model, as_of,
                                 audience, body)
        leaks = verify.scan(work / "site", secrets)
        clock.lap("verify")
        if leaks:
            raise LeakDetected(leaks)
        publish.swap_into(work / "site", out_dir)
        clock.lap("publish")
    finally:
        publish.discard(work)
    return Built(checked=checked, out_dir=out_dir, pages=len(rendered.pages),
                 public_records=len(projection.records), secrets_checked=len(secrets),
                 timings=clock.timings, notices=notices)


def _write_files(docs_dir: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (docs_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs_dir / rel).write_bytes(data)


def _timelines(project_: Project, model: Model, as_of: date, audience: Audience,
               body: str | None, wanted: bool) -> tuple[Timelines, list[str]]:
    """Every record's timeline from one pass over Git. A shallow clone raises ShallowClone
    (its history would be wrong); outside a repository the site simply has no timelines."""
    empty = Timelines(audience=audience, body=body)
    if not wanted:
        return empty, ["未读取 Git 历史（--no-history）：页面不显示变化记录。"]
    try:
        history_ = read_history(project_.root, project_.content_dir)
    except NotARepository:
        return empty, ["项目不在 Git 仓库中：页面不显示变化记录。"]
    found = timelines(history_, model, as_of, audience, body)
    return found, [f"{n.path}（提交 {n.short_sha}）：{n.message}" for n in found.notices]


def _check_target(project_: Project, model: Model, out_dir: Path, audience: Audience,
                  body: str | None) -> None:
    """Never let one audience's build land in the other audience's folder."""
    if body is not None and audience is not Audience.INTERNAL:
        raise WrongTarget("只有内部版本（--audience internal）可以指定 --body")
    if body is not None and body not in model.registry.bodies:
        raise WrongTarget(f"机关编号“{body}”不在 site_config/registry.yml 中"
                          f"（可用：{'、'.join(model.registry.bodies)}）")
    other = project_.public_out if audience is Audience.INTERNAL else project_.internal_out
    if out_dir.resolve() == other.resolve():
        raise WrongTarget(f"拒绝把{'内部' if audience is Audience.INTERNAL else '公开'}版本写入 "
                          f"{out_dir}：那是{'公开' if audience is Audience.INTERNAL else '内部'}版本的文件夹")
    existing = publish.read_manifest(out_dir)
    if existing is not None and existing.get("audience") != audience.value:
        raise WrongTarget(f"拒绝覆盖 {out_dir}：那里是{existing.get('audience')}版本的网站")


def _theme_dir(project_: Project, audience: Audience) -> Path:
    """Each audience has its own theme overrides (the internal one adds the banner)."""
    return project_.theme_dir / audience.value


def _engine_extra(model: Model, audience: Audience, body: str | None) -> dict[str, Any]:
    if audience is not Audience.INTERNAL:
        return {}
    name = model.registry.bodies[body].name if body else ""
    return {"extra": {"sunlight_body": name}, "site_name": model.site.get("name", "") + "（内部）"}
