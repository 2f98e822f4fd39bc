"""Stage 8, publish: put a verified build in place of the live folder, all or nothing.

A build is made in a fresh folder beside the target; only after verification does it
replace the live folder, by renaming (atomic on one file system). A failed build leaves the
live folder untouched. Each build writes a manifest (audience, commit, build date, SHA-256
of every record's projection); a public build refuses to replace a published site whose
commit is not an ancestor of its own (history rewritten) or whose records it would lose
(nothing published disappears: withdraw instead).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from .project import Projection

MANIFEST = "sunlight-manifest.json"


def workspace(out_dir: Path) -> Path:
    """A fresh, empty folder on the same file system as `out_dir`, for one build."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))


def swap_into(built: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `built`. The old folder is moved aside first, then deleted."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "site")
    os.rename(built, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


class PublishRefused(Exception):
    """Publishing this build would rewrite history or lose published records."""


def head_commit(root: Path) -> str | None:
    """The commit being built; None outside a Git repository or before the first commit.

    A repository that cannot be read raises HistoryError: it is not "outside Git"."""
    from .history import NotARepository, open_repository, resolve
    try:
        repo = open_repository(root)
    except NotARepository:
        return None
    with repo:
        return resolve(repo)


def check_continuity(previous: dict[str, Any] | None, commit: str | None,
                     records: dict[str, str], root: Path) -> None:
    """Refuse a publish that does not descend from the last one or loses a record ID."""
    if not previous:
        return
    old_commit = previous.get("commit")
    if old_commit and commit and old_commit != commit:
        import git
        repo = git.Repo(root, search_parent_directories=True)
        try:
            repo.git.merge_base("--is-ancestor", old_commit, commit)
        except git.GitCommandError as exc:
            raise PublishRefused(
                f"当前提交 {commit[:10]} 不是上次发布的提交 {old_commit[:10]} 的后续：历史被改写"
                "（例如强制推送）。已发布的内容不能这样撤下；请恢复历史，改用撤回记录的方式。"
            ) from exc
    lost = sorted(set(previous.get("records", {})) - set(records))
    if lost:
        raise PublishRefused(
            f"这次构建会让 {len(lost)} 条已发布的记录消失：{'、'.join(lost[:20])}"
            f"{' 等' if len(lost) > 20 else ''}。已发布的记录不能删除，只能撤回（状态改为已撤回并写明原因）。")


def manifest_records(projection: Projection) -> dict[str, str]:
    return {r.id: _digest(r.fields, r.body) for r in sorted(projection.records,
                                                             key=lambda r: r.id)}


def write_manifest(docs_dir: Path, projection: Projection, as_of: date,
                   commit: str | None, records: dict[str, str]) -> Path:
    """What this build contains: audience, build date and a SHA-256 of every record's
    projection, so a later publish can tell what changed or went missing."""
    manifest = {"audience": projection.audience.value, "body": projection.body,
                "build_date": as_of.isoformat(), "commit": commit,
                "records": records}
    path = docs_dir / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read_manifest(location: Path) -> dict[str, Any] | None:
    """The manifest in a site folder (or a manifest file itself), if there is one."""
    path = location if location.is_file() else location / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _digest(fields: dict[str, Any], body: str) -> str:
    canonical = json.dumps({"fields": fields, "body": body}, ensure_ascii=False, sort_keys=True,
                           default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
