"""Shared test helpers: a throw-away Sunlight project and a valid chain of base records.

Every error test starts from the base records (plan → item → finding → rectification),
which validate cleanly, and breaks exactly one thing in them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import textwrap
from pathlib import Path
from typing import Iterable

import pytest
from hypothesis import settings

from builder.pipeline import Checked, Deployment, check
from builder.model.problems import Problem

# Hypothesis: the default run is small and deterministic; `make fuzz` selects the "fuzz"
# profile (HYPOTHESIS_PROFILE=fuzz) for many more, random examples.
settings.register_profile("sunlight", derandomize=True, database=None, deadline=None,
                          print_blob=True)
settings.register_profile("fuzz", max_examples=20_000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sunlight"))

REPO = Path(__file__).resolve().parent.parent
SITE_CONFIG = REPO / "site_config"

# --- base records --------------------------------------------------------------------------
# Line numbers matter: tests assert them. Line 1 is the opening "---".

PLAN_PATH = "content/plans/JH-2023-01.md"
PLAN = """\
---
id: JH-2023-01
type: plan
title: 洛阳市人大常委会2023年度监督工作计划
status: in_progress
body: ly-rd
year: 2023
adopted: 2023-02-20
---
计划正文。
"""

ITEM_PATH = "content/items/SX-2023-001.md"
ITEM = """\
---
id: SX-2023-001
type: item
title: 林业项目资金使用情况专项监督
status: completed
plan: JH-2023-01
lead_body: ly-rd
subjects: [ly-lyj]
key: true
started: 2023-03-01
completed: 2023-11-30
---
事项正文。
"""

FINDING_PATH = "content/findings/WT-2023-001.md"
FINDING = """\
---
id: WT-2023-001
type: finding
title: 林业项目资金拨付滞后
status: resolved
origin: SX-2023-001
source_body: ly-rd
unit: ly-lyj
category: funds
found: 2023-04-10
description: 部分林业项目资金拨付滞后。
---
问题正文。
"""

RECTIFICATION_PATH = "content/rectifications/ZG-2023-001.md"
RECTIFICATION = """\
---
id: ZG-2023-001
type: rectification
title: 加快林业项目资金拨付
status: completed
finding: WT-2023-001
responsible_unit: ly-lyj
assigned: 2023-05-01
deadline: 2023-06-30
deadline_extensions:
  - date: 2023-06-20
    deadline: 2023-09-30
    reason: 需调整年度资金计划
completed: 2023-09-15
result: 已拨付全部资金。
---
整改正文。

<!-- internal -->
内部督办情况。
<!-- /internal -->
"""

BASE_RECORDS: dict[str, str] = {
    PLAN_PATH: PLAN,
    ITEM_PATH: ITEM,
    FINDING_PATH: FINDING,
    RECTIFICATION_PATH: RECTIFICATION,
}

# Not in the base set: a restricted lead and an internal exchange, for the tests that need them.
LEAD_PATH = "content/leads/XS-2023-001.md"
LEAD = """\
---
id: XS-2023-001
type: lead
title: 林业项目资金拨付线索
status: received
owner_body: ly-rd
received: 2023-04-01
summary: 群众反映资金拨付滞后。
verified: false
---
"""

EXCHANGE_PATH = "content/exchanges/JL-2023-001.md"
EXCHANGE = """\
---
id: JL-2023-001
type: exchange
title: 向审计局提供林业资金监督资料
status: shared
from_body: ly-rd
to_body: lz-sj
material: 林业项目资金监督报告
shared: 2023-05-10
lead: XS-2023-001
---
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace `old` by `new`, insisting that `old` occurs exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def record(front: str, body: str = "") -> str:
    """A record file from front-matter text (without the '---' lines) and a body."""
    return "---\n" + textwrap.dedent(front).strip("\n") + "\n---\n" + textwrap.dedent(body)


def write(root: Path, rel: str, content: str | bytes) -> Path:
    """Write a file below the project root, creating its folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_all(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write several files; None deletes a file."""
    for rel, content in files.items():
        if content is None:
            (root / rel).unlink()
        else:
            write(root, rel, content)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its path: a built site, to compare byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cache_entries(root: Path, scope: str, name: str = "pages") -> dict[str, bytes]:
    """Every value in one page cache database (stages/cache.py) by key, read with sqlite3 as
    another program would; {} when there is none."""
    from builder.stages.cache import FOLDER
    path = root / FOLDER / scope / f"{name}.sqlite"
    if not path.is_file():
        return {}
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT key, value FROM entries").fetchall())


def store_cache_entry(root: Path, scope: str, key: str, value: bytes,
                      name: str = "pages") -> None:
    """Overwrite one value of a page cache database behind the cache's back."""
    from builder.stages.cache import FOLDER
    path = root / FOLDER / scope / f"{name}.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        assert db.execute("UPDATE entries SET value = ? WHERE key = ?", (value, key)).rowcount


def change_an_input_of_every_page(root: Path, change: str) -> None:
    """Change what every page of a build is made from besides the records: `template` (a
    deployment's own copy of a template) or `site_config` (a comment in a config file)."""
    if change == "template":
        own = root / "templates"
        own.mkdir()
        shutil.copy(REPO / "templates" / "_macros.html", own / "_macros.html")
        with (own / "_macros.html").open("a", encoding="utf-8") as macros:
            macros.write("{# a deployment's own copy #}\n")
    elif change == "site_config":
        with (root / "site_config" / "registry.yml").open("a", encoding="utf-8") as f:
            f.write("# 注释也算修改\n")
    else:
        raise ValueError(change)


def flatten(problems: Iterable[Problem]) -> list[tuple]:
    """Problems as (code, path, line, field) tuples, for one-line assertions."""
    return [(p.code, p.path, p.line, p.field) for p in problems]


def validate_project(root: Path, paths: list[Path] | None = None) -> Checked:
    """Load and validate a project the way `sunlight validate` does."""
    return check(Deployment(root), paths)


def make_project(root: Path, config: Path = SITE_CONFIG) -> Path:
    """A project folder with a copy of site_config/ and an empty content/ tree."""
    shutil.copytree(config, root / "site_config")
    (root / "content").mkdir(parents=True)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: the real site_config/ (copied, so a test may edit it) and no records."""
    return make_project(tmp_path / "project")


@pytest.fixture
def valid_project(project: Path) -> Path:
    """A project holding the base records, which validate cleanly."""
    write_all(project, BASE_RECORDS)
    return project
