"""Stage 6, engine: hand a finished docs tree to mkdocs-material and get HTML back.

The engine is an implementation detail behind this one module: Sunlight's logic lives in
plain Python and the engine only receives a generated docs tree and config (mkdocs-material
is in maintenance mode; its successor ignores MkDocs plugins). Nothing here decides content.

The docs tree already holds finished HTML, so MkDocs is never let to parse it: each page hands
Python-Markdown an empty stub and gets its HTML back as the page's content (`_Engine`). And
record pages, which differ from one another only in title, content and address, are not
rendered by the theme one by one: mkdocs-material renders one shell page per folder depth
with markers in those places, and every record page is stamped from it (`_Stamp`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from markupsafe import escape

from .cache import template_bytecode

if TYPE_CHECKING:   # annotations only: the CLI imports EngineError without the renderer
    from .render import Rendered


class EngineError(Exception):
    """MkDocs refused the generated tree; `messages` are its warnings and errors."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages) or "mkdocs build failed")
        self.messages = messages


def write_config(rendered: Rendered, docs_dir: Path, base_config: Path,
                 theme_dirs: list[Path] | None, site_dir: Path,
                 extra: dict[str, Any] | None = None) -> Path:
    """A generated mkdocs.yml that inherits the deployment's base config (JSON is YAML).
    `theme_dirs` are overlaid in order (a later file replaces an earlier one of the same
    path) into one theme folder beside the docs tree: MkDocs takes a single custom_dir."""
    folders = sorted({p.path.split("/")[0] for p in rendered.pages if "/" in p.path})
    config: dict[str, Any] = {
        "INHERIT": str(base_config.resolve()),
        "docs_dir": str(docs_dir.resolve()),
        "site_dir": str(site_dir.resolve()),
        "nav": rendered.nav,
        "not_in_nav": "\n".join(f"/{folder}/" for folder in folders),
        "extra_css": ["assets/sunlight.css"],
        "extra_javascript": ["assets/ledger.js"],
    }
    existing = [d for d in theme_dirs or [] if d.is_dir()]
    theme = docs_dir.parent / THEME_DIR
    if existing:
        _overlay(existing, theme)
        config["theme"] = {"name": "material", "custom_dir": str(theme.resolve())}
    elif theme.is_dir():     # a kept workspace whose deployment dropped its overrides
        shutil.rmtree(theme)
    config.update(extra or {})
    path = docs_dir.parent / CONFIG_NAME
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# What `write_config` puts beside the docs tree: the overlaid theme folder and the config.
THEME_DIR = "theme"
CONFIG_NAME = "mkdocs.generated.yml"


def _overlay(folders: list[Path], theme: Path) -> None:
    """`folders` overlaid into `theme` (a later file replaces an earlier one of the same path).
    A theme folder kept from the last build (the preview's) is brought up to date: a file is
    written only where its bytes differ, and one no folder has any more is removed."""
    wanted: dict[str, Path] = {}
    for folder in folders:
        wanted |= {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
                   if p.is_file()}
    if theme.is_dir():
        for old in [p for p in theme.rglob("*") if p.is_file()]:
            if old.relative_to(theme).as_posix() not in wanted:
                old.unlink()
    for rel, source in wanted.items():
        target = theme / rel
        if not _same_bytes(source, target):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _same_bytes(source: str | Path, target: str | Path) -> bool:
    """Whether `target` exists and holds exactly the bytes of `source`."""
    try:
        return os.path.getsize(source) == os.path.getsize(target) and \
            _holds(Path(target), Path(source).read_bytes())
    except OSError:
        return False


def build(config_file: Path, build_date: date, stamp: Iterable[str] = (),
          keep: bool = False) -> set[str]:
    """Run `mkdocs build` in-process. Raises EngineError with MkDocs' own messages. Returns
    the paths (relative to the site folder) of every file this build produced.

    `stamp`: docs-tree paths of pages that may be stamped from a shell (record pages); one
    that does not fit (see `_Engine.stampable`) is rendered by the theme like any page.

    `keep`: build into the site folder as the last build left it (the preview's), without
    emptying it first: creating a file costs the system far more than overwriting one. Every
    page is still built; a static file is copied, and a stamped page written, only where
    the bytes differ. Files no longer produced stay: the caller removes what is not in the
    returned set."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    with _quiet_environment(build_date), _collect_logs() as messages, _no_dirty_warning(keep):
        engine = None
        try:
            config = load_config(config_file=str(config_file))
            engine = _Engine(set(stamp), keep)
            config.plugins["sunlight-engine"] = engine
            # MkDocs' "dirty" build only to skip emptying the site folder: `_Engine.on_files`
            # makes every page count as modified, so none is skipped.
            mkdocs_build(config, dirty=keep)
            engine.stamp(config)
            return engine.produced(config)
        except (exceptions.MkDocsException, exceptions.Abort) as exc:
            raise EngineError(messages + [str(exc)]) from exc
        except SystemExit as exc:  # mkdocs' config loader exits on some YAML errors
            raise EngineError(messages + [f"mkdocs exited ({exc.code})"]) from exc
        finally:
            if engine is not None:
                engine.release()


@contextlib.contextmanager
def _quiet_environment(build_date: date) -> Iterator[None]:
    """Reproducible dates (sitemap lastmod) and no end-of-life banner or jieba chatter."""
    saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    epoch = datetime(build_date.year, build_date.month, build_date.day, tzinfo=timezone.utc)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch.timestamp()))
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    try:
        import jieba
        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # search then falls back to unsegmented text
        pass
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _no_dirty_warning(keep: bool) -> Iterator[None]:
    """MkDocs warns that a "dirty" build may leave navigation stale; here every page is built
    (`keep`), so the warning is wrong, and in strict mode it would even abort the build."""
    if not keep:
        yield
        return

    def drop(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")

    logger = logging.getLogger("mkdocs.commands.build")
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


@contextlib.contextmanager
def _collect_logs() -> Iterator[list[str]]:
    """Capture MkDocs' warnings instead of letting them print (only the CLI prints)."""
    messages: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = Collector()
    saved_handlers, saved_propagate = logger.handlers[:], logger.propagate
    logger.handlers = [handler]
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.handlers, logger.propagate = saved_handlers, saved_propagate


# --- no re-parse, and record pages stamped from a shell ---------------------------------------

SHELL = "sunlight-stamp-shell"           # file name of the shell page in a record folder
_TITLE = "sunlight-stamp-title"
# The theme adds a heading of its own to content without "<h1"; every stamped page has one.
_CONTENT = '<h1 id="top">sunlight-stamp-content</h1>'
_FRONT = re.compile(r"\A---\n(\{[^\n]*\})\n---\n")     # render writes one line of JSON


class _Engine:
    """Wired into MkDocs as a plugin object (MkDocs registers any `on_<event>` method; no
    entry point, and MkDocs is only imported when a build runs). Every page's finished HTML
    bypasses Python-Markdown; the pages named in `candidates` that fit are taken out of the
    MkDocs run and stamped afterwards from a shell the theme renders once per depth."""

    def __init__(self, candidates: set[str], keep: bool = False):
        self.candidates = candidates
        self.keep = keep                             # building into the last build's site
        self.kept: dict[str, str] = {}
        self.stamped: list[tuple[Any, str]] = []     # (MkDocs File, its page title)
        self.shells: dict[int, Any] = {}             # depth → the shell's MkDocs File
        self.order: list[str] = []                   # every page's path, as MkDocs listed them
        self.env: Any = None
        self.nav: Any = None
        self.files: Any = None

    def on_files(self, files: Any, config: Any) -> Any:
        from mkdocs.structure.files import File

        self.order = [f.src_uri for f in files.documentation_pages()]
        if self.keep:
            # A kept site folder holds the last build's files, newer than their sources:
            # MkDocs would skip them by modification time. Every page counts as modified;
            # a static file is copied where its bytes differ from what the site holds.
            for file in files:
                file.is_modified = (_always if file.is_documentation_page()
                                    else functools.partial(_differs, file))
        for file in list(files.documentation_pages()):
            title = self.stampable(file) if file.src_uri in self.candidates else None
            if title is None:
                continue
            files.remove(file)
            self.stamped.append((file, title))
            depth = file.src_uri.count("/")
            if depth not in self.shells:
                folder = file.src_uri.rsplit("/", 1)[0]
                name = f"{folder}/{SHELL}.md"
                while name in files.src_uris:
                    name = name[:-3] + "-.md"
                # Out of the search index (the shell is no page of the site); the meta keys
                # a stampable page may have are exactly this shell's.
                meta = json.dumps({"title": _TITLE, "search": {"exclude": True}})
                self.shells[depth] = File.generated(config, name,
                                                    content=f"---\n{meta}\n---\n\n{_CONTENT}\n")
                files.append(self.shells[depth])
        return files

    def release(self) -> None:
        """Let go of the site MkDocs built. MkDocs keeps the last configuration's plugins in
        a class attribute of its configuration schema until the next build, and through this
        plugin every page, its navigation and the theme's environment would stay alive with
        them: at 10 000 records, 60 MiB held through the search index and the leak guard."""
        self.kept.clear()
        self.stamped.clear()
        self.shells.clear()
        self.order.clear()
        self.env = self.nav = self.files = None

    def stampable(self, file: Any) -> str | None:
        """The page's title when stamping gives the theme's own result: a page inside a folder
        whose address is as deep as the shell's beside it (no index or README page, which
        MkDocs gives its folder's address), front matter holding only a title the theme
        prints as is, and content with its own <h1>."""
        folder, _, name = file.src_uri.rpartition("/")
        if not folder or name.rsplit(".", 1)[0].lower() in ("index", "readme"):
            return None
        meta, html = _page_source(file)
        if meta is None or set(meta) != {"title"} or "<h1" not in html:
            return None
        title = meta["title"]
        return title if isinstance(title, str) and str(escape(title)) == title else None

    def on_nav(self, nav: Any, config: Any, files: Any) -> Any:
        self.nav = nav
        return nav

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        self.env, self.files = env, files
        # The theme's templates compiled once, not by every build (see cache.template_bytecode).
        env.bytecode_cache = template_bytecode()
        return env

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        # The page is finished HTML: Python-Markdown gets nothing to parse.
        self.kept[page.file.src_uri] = markdown
        return ""

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        # What Python-Markdown returns for a page that is one block of raw HTML: the same text,
        # stripped (tests/test_engine.py compares it with a real conversion).
        return self.kept.pop(page.file.src_uri).strip()

    # Last to see the Markdown (whatever else reads it sees the HTML), first to set the content.
    on_page_markdown.mkdocs_priority = -100      # type: ignore[attr-defined]
    on_page_content.mkdocs_priority = 100        # type: ignore[attr-defined]

    def stamp(self, config: Any) -> None:
        """After MkDocs: every stamped page written from its depth's shell, the shells
        removed, and the sitemap made again over the site's real pages."""
        from mkdocs.structure.pages import Page

        stamps = {depth: _Stamp.of(shell) for depth, shell in self.shells.items()}
        for file, title in self.stamped:
            page = Page(None, file, config)
            _, html = _page_source(file)
            out = stamps[file.src_uri.count("/")].fill(page, title, html.strip())
            data = out.encode("utf-8", errors="xmlcharrefreplace")
            dest = Path(file.abs_dest_path)
            if self.keep and _holds(dest, data):
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        if self.stamped:
            self._sitemap(config)

    def produced(self, config: Any) -> set[str]:
        """Every file this build wrote or would have written, relative to the site folder:
        the pages and static files MkDocs copied or rendered, the stamped pages, and the
        theme's static templates (the sitemap beside its gzip copy); never a shell."""
        shells = {shell.dest_uri for shell in self.shells.values()}
        files = [f for f in self.files or () if f.inclusion.is_included()]
        out = {f.dest_uri for f in files} | {f.dest_uri for f, _ in self.stamped}
        out |= set(config.theme.static_templates) | set(config.extra_templates)
        if "sitemap.xml" in out:
            out.add("sitemap.xml.gz")
        return out - shells

    def _sitemap(self, config: Any) -> None:
        """The theme's sitemap lists pages MkDocs rendered: the shells, not the stamped
        pages. Rendered again by MkDocs itself over every page, in MkDocs' own order."""
        from mkdocs.commands.build import _build_theme_template
        from mkdocs.structure.files import Files

        if "sitemap.xml" not in config.theme.static_templates:
            return
        shells = {shell.src_uri for shell in self.shells.values()}
        pages = {f.src_uri: f for f in self.files.documentation_pages() if f.src_uri not in shells}
        pages |= {f.src_uri: f for f, _ in self.stamped}
        order = {path: n for n, path in enumerate(self.order)}
        ranked = sorted(pages.values(), key=lambda f: order.get(f.src_uri, len(order)))
        _build_theme_template("sitemap.xml", self.env, Files(ranked), config, self.nav)


def _always() -> bool:
    return True


def _differs(file: Any) -> bool:
    """A static file is copied into a kept site when the site does not hold its bytes."""
    if file.abs_src_path is None:        # generated in memory: MkDocs always writes it
        return True
    return not _same_bytes(file.abs_src_path, file.abs_dest_path)


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _page_source(file: Any) -> tuple[dict[str, Any] | None, str]:
    """A generated page's JSON front matter and its HTML, read as MkDocs reads a page."""
    text = file.content_string
    match = _FRONT.match(text)
    if match is None:
        return None, text
    try:
        meta = json.loads(match.group(1))
    except ValueError:
        return None, text
    return (meta if isinstance(meta, dict) else None), text[match.end():].lstrip("\n")


@dataclass
class _Stamp:
    """A shell page cut at its markers: literal pieces and, between them, which value of the
    page goes there (title, content or address)."""

    pieces: list[str]
    slots: list[str]

    @classmethod
    def of(cls, shell: Any) -> "_Stamp":
        dest = Path(shell.abs_dest_path)
        html = dest.read_text(encoding="utf-8")
        dest.unlink()
        with contextlib.suppress(OSError):       # the shell's own folder (directory URLs)
            dest.parent.rmdir()
        # The page's address relative to the site: the canonical URL and its path (with a
        # site_url) end with it, so they are filled in with it.
        markers = {_TITLE: "title", _CONTENT: "content", shell.page.url: "url"}
        pattern = re.compile("|".join(re.escape(m) for m in sorted(markers, key=len,
                                                                    reverse=True)))
        parts = pattern.split(html)
        slots = [markers[m] for m in pattern.findall(html)]
        stray = [p for p in parts if "sunlight-stamp" in p]
        if stray or "content" not in slots:
            # The theme shows the page somewhere the stamp does not know how to fill.
            raise EngineError([f"mkdocs-material 的页面外壳无法套用（{shell.src_uri}）："
                               "主题在未知位置显示了页面标题或地址"])
        return cls(parts, slots)

    def fill(self, page: Any, title: str, content: str) -> str:
        values = {"title": title, "content": content, "url": page.url}
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:]):
            out.append(values[slot])
            out.append(piece)
        return "".join(out)
