"""Stage 6, engine: hand a finished docs tree to mkdocs-material and get HTML back.

The engine is an implementation detail behind this one module: Sunlight's logic lives in
plain Python and the engine only receives a generated docs tree and config (mkdocs-material
is in maintenance mode; its successor ignores MkDocs plugins). Nothing here decides content.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

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
    if existing:
        theme = docs_dir.parent / "theme"
        for folder in existing:
            shutil.copytree(folder, theme, dirs_exist_ok=True)
        config["theme"] = {"name": "material", "custom_dir": str(theme.resolve())}
    config.update(extra or {})
    path = docs_dir.parent / "mkdocs.generated.yml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def build(config_file: Path, build_date: date) -> None:
    """Run `mkdocs build` in-process. Raises EngineError with MkDocs' own messages."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    with _quiet_environment(build_date), _collect_logs() as messages:
        try:
            config = load_config(config_file=str(config_file))
            mkdocs_build(config)
        except (exceptions.MkDocsException, exceptions.Abort) as exc:
            raise EngineError(messages + [str(exc)]) from exc
        except SystemExit as exc:  # mkdocs' config loader exits on some YAML errors
            raise EngineError(messages + [f"mkdocs exited ({exc.code})"]) from exc


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
