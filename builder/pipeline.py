"""The whole story in one place: load → validate → stats (history, project, render, engine,
verify and publish join here as they are built). Each step is a plain function of a stage
module; this module only wires them. Only the CLI prints and picks exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from . import stats as stats_stage
from .load import load
from .model import Model, load_model
from .validate import Validation, validate


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


def figures(project: Project, as_of: date) -> tuple[Checked, dict[str, Any]]:
    """Validate, then compute every statistic from the records."""
    checked = check(project)
    return checked, stats_stage.compute(checked.validation.records, checked.model, as_of)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
