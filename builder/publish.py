"""Stage 8, publish: put a verified build in place of the live folder, all or nothing.

A build is made in a fresh folder beside the target; only after verification does it
replace the live folder, in one atomic step (an exchange of the two folders where the system
has one, else two renames that the next build repairs): at no moment is there no live site,
and the live folder stays a real directory that web servers and upload actions can read. A
failed build leaves the live folder untouched; the next build removes what a killed one left. Each build writes a manifest (audience, commit, build date, SHA-256
of every record's projection); a public build refuses to replace a published site whose
commit is not an ancestor of its own (history rewritten) or whose records it would lose
(nothing published disappears: withdraw instead).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, see _try_claim
    fcntl = None  # type: ignore[assignment]

from .project import Projection

MANIFEST = "sunlight-manifest.json"


PREVIEW_PREFIX = "sunlight-preview-"


def workspace(out_dir: Path) -> Path:
    """A fresh, empty folder on the same file system as `out_dir`, for one build. It is held
    (locked) by this process until `discard`, so a concurrent build's `tidy` leaves it alone."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return _fresh(out_dir.parent, _work_prefix(out_dir, "build"))


def preview_folder() -> Path:
    """A private temporary folder for `sunlight serve`, held until `discard`. Preview folders
    of previews that were killed (their lock is free) are removed first: they hold built
    sites, internal ones included."""
    parent = Path(tempfile.gettempdir())
    pattern = re.compile(re.escape(PREVIEW_PREFIX) + r"[a-z0-9_]+")
    with _guard(parent):
        for folder, fd in _abandoned(parent, pattern, own_only=True):
            shutil.rmtree(folder, ignore_errors=True)
            _release(fd)
    return _fresh(parent, PREVIEW_PREFIX)


def tidy(out_dir: Path) -> list[str]:
    """Before a build: put back a live site that a killed build left stranded between the two
    renames of the fallback swap, then remove the work folders killed builds left beside
    `out_dir` (only ours: `.<name>.build-*` and `.<name>.old-*` folders that no running build
    holds). Returns what was repaired, in words for the editor."""
    parent, done = out_dir.parent, []
    if not parent.is_dir():
        return done
    pattern = re.compile(re.escape(f".{out_dir.name}.") + r"(build|old)-[a-z0-9_]+")
    with _guard(parent):
        found = _abandoned(parent, pattern)
        try:
            kind = {f: pattern.fullmatch(f.name).group(1) for f, _ in found}  # type: ignore[union-attr]
            stranded = [f for f, _ in found if kind[f] == "old" and (f / "site").is_dir()]
            if not os.path.lexists(out_dir) and stranded:
                newest = max(stranded, key=lambda f: f.stat().st_mtime_ns)
                os.rename(newest / "site", out_dir)
                done.append(f"上次构建在替换网站时中断，已把原来的网站放回 {out_dir}。")
            # While the live folder is missing, an old site is the only copy: keep it.
            removable = [f for f, _ in found if os.path.lexists(out_dir) or kind[f] == "build"]
            for folder in removable:
                shutil.rmtree(folder, ignore_errors=True)
            if removable:
                done.append(f"已删除 {len(removable)} 个中断的构建留下的临时文件夹"
                            f"（在 {parent} 中）。")
        finally:
            for _, fd in found:
                _release(fd)
    return done


def swap_into(built: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `built` in one atomic step; then delete the old site."""
    if not os.path.lexists(out_dir):
        os.rename(built, out_dir)
        return
    if _exchange(built, out_dir):
        shutil.rmtree(built, ignore_errors=True)  # `built` now holds the old site
        return
    # No exchange here (not Linux, or a file system without it): two renames. A kill between
    # them strands the old site in `.<name>.old-*`; the next build's `tidy` puts it back.
    with _guard(out_dir.parent):
        old = Path(tempfile.mkdtemp(prefix=_work_prefix(out_dir, "old"), dir=out_dir.parent))
        os.rename(out_dir, old / "site")
        try:
            os.rename(built, out_dir)
        except BaseException:
            os.rename(old / "site", out_dir)
            raise
    shutil.rmtree(old, ignore_errors=True)


def discard(path: Path) -> None:
    """Delete a work folder and let go of it."""
    shutil.rmtree(path, ignore_errors=True)
    _release(_CLAIMED.pop(path, None))


def site_audience(folder: Path) -> str | None:
    """The audience named by the manifest in `folder`, or None when it holds no readable
    Sunlight manifest (then Sunlight did not make it, as far as anyone can tell)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    audience = manifest.get("audience") if isinstance(manifest, dict) else None
    return audience if isinstance(audience, str) else None


# --- work folders, locks and the exchange ---------------------------------------------------

_CLAIMED: dict[Path, int | None] = {}
_NO_LOCKS = -1  # where the platform has no advisory locks every folder counts as free


def _work_prefix(out_dir: Path, kind: str) -> str:
    return f".{out_dir.name}.{kind}-"


def _fresh(parent: Path, prefix: str) -> Path:
    # Made and locked under the parent's guard, so no `tidy` can see it unlocked.
    with _guard(parent):
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        _CLAIMED[path] = _try_claim(path)
    return path


def _abandoned(parent: Path, pattern: re.Pattern[str],
               own_only: bool = False) -> list[tuple[Path, int]]:
    """Folders in `parent` named by `pattern` that no running process holds, each now held by
    us (release the descriptors). Call under `_guard(parent)`."""
    found = []
    for entry in os.scandir(parent):
        if not pattern.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        if own_only and hasattr(os, "getuid") and entry.stat().st_uid != os.getuid():
            continue
        try:
            fd = _try_claim(Path(entry.path))
        except OSError:
            continue  # vanished or unreadable: not ours to judge
        if fd is not None:
            found.append((Path(entry.path), fd))
    return found


def _try_claim(folder: Path) -> int | None:
    """A descriptor holding `folder`'s lock until released, or None while a live process holds
    it. A killed process holds nothing: the system drops its locks."""
    if fcntl is None:
        return _NO_LOCKS
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _release(fd: int | None) -> None:
    if fd is not None and fd != _NO_LOCKS:
        os.close(fd)


@contextlib.contextmanager
def _guard(parent: Path) -> Iterator[None]:
    """Hold `parent`'s lock (waiting for it) while work folders in it are made, swapped or
    tidied; each of those steps is short."""
    if fcntl is None:
        yield
        return
    fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _load_renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`). False where the
    kernel or file system cannot; then nothing was changed."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class PublishRefused(Exception):
    """Publishing this build would rewrite history or lose published records."""


def head_commit(root: Path) -> str | None:
    """The commit being built, or None outside a Git repository / before the first commit."""
    try:
        import git  # here, not at the top: validate/stats must work where git is missing
    except ImportError:
        return None
    try:
        return git.Repo(root, search_parent_directories=True).head.commit.hexsha
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return None


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
