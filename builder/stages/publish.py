"""Stage 8, publish: put a verified build in place of the live folder, all or nothing.

A build is made in a fresh folder beside the target; only after verification does it
replace the live folder, in one atomic step (an exchange of the two folders where the system
has one, else two renames that the next build repairs): at no moment is there no live site,
and the live folder stays a real directory that web servers and upload actions can read. A
failed build leaves the live folder untouched; the next build removes what a killed one
left. Each build writes a manifest (audience, commit, build date, SHA-256 of every record's
projection); a public build refuses to replace a published site whose
commit is not an ancestor of its own (history rewritten), whose records it would lose
(nothing published disappears: withdraw instead), or whose digest of a record nothing has
changed differs from today's (the live folder was tampered with).

Continuity fails closed: a manifest that is named but missing, unreadable, malformed, of
the other audience or without a commit stops the build; so does a built site without a
manifest. Only a build into a new folder may go without one, and a first publication is
declared (`first_publication`), never inferred from a manifest that could not be read.
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
from typing import Any, Iterable, Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, see _try_claim
    fcntl = None  # type: ignore[assignment]

from .. import __version__
from .projection import Projection
from .repository import blob_id, blobs_at, descends_from, read_blobs
from ..model.records import Record, mentioned

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


def update_into(built: Path, out_dir: Path, changed: Iterable[str],
                removed: Iterable[str]) -> None:
    """For the preview only: bring `out_dir` up to `built` file by file. Each changed file is
    renamed into place (a reader gets the old file or the new one, never half of one), then
    the removed ones are deleted. Not one atomic step like `swap_into`: a preview may show an
    old page beside a new one for a moment, a published site may not."""
    for rel in changed:
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(built / rel, target)
    for rel in removed:
        with contextlib.suppress(FileNotFoundError):
            (out_dir / rel).unlink()


def link_tree(source: Path, folder: Path, files: Iterable[str]) -> None:
    """`files` of `source` seen in `folder` too, as hard links (copies where the file system
    has none), so a step can read just those files of a tree."""
    for rel in files:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, target)
        except OSError:
            shutil.copyfile(source / rel, target)


def discard(path: Path) -> None:
    """Delete a work folder and let go of it."""
    shutil.rmtree(path, ignore_errors=True)
    _release(_CLAIMED.pop(path, None))


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


class ManifestError(Exception):
    """The last publication cannot be read or trusted, so continuity cannot be checked:
    nothing is built (a usage error). The message is Chinese and names the file."""


def check_continuity(previous: dict[str, Any] | None, commit: str | None,
                     records: dict[str, str], root: Path,
                     sources: Iterable[Record] = (), content_dir: Path | None = None,
                     config_dir: Path | None = None) -> None:
    """Refuse a publish that does not continue the last one (`previous`, a checked manifest).

    It must descend from the published commit, keep every published record ID, and give an
    unchanged record the digest the manifest holds for it (see _unexplained). `sources` are
    the validated records of this build; the digests are compared only when the folders
    their projections are made from (`content_dir`, `config_dir`) are given."""
    if not previous:
        return
    old_commit = previous["commit"]
    if old_commit is None and commit is not None:
        raise ManifestError(
            f"上次发布的清单没有提交编号（“commit”: null），无法确认这次构建是它的后续。{_FIX}")
    if old_commit is not None and commit is None:
        raise ManifestError(
            f"上次发布来自提交 {old_commit[:10]}，这次构建却不在 Git 仓库中（或仓库还没有提交），"
            "无法确认它是其后续。请在发布所用的仓库中构建。")
    if old_commit and commit and old_commit != commit and \
            not descends_from(root, old_commit, commit):
        raise PublishRefused(
            f"当前提交 {commit[:10]} 不是上次发布的提交 {old_commit[:10]} 的后续：历史被改写"
            "（例如强制推送）。已发布的内容不能这样撤下；请恢复历史，改用撤回记录的方式。")
    lost = sorted(set(previous["records"]) - set(records))
    if lost:
        raise PublishRefused(
            f"这次构建会让 {len(lost)} 条已发布的记录消失：{'、'.join(lost[:20])}"
            f"{' 等' if len(lost) > 20 else ''}。已发布的记录不能删除，只能撤回（状态改为已撤回并写明原因）。")
    if old_commit and commit and content_dir is not None and config_dir is not None:
        changed = _unexplained(previous, records, list(sources), root, content_dir, config_dir)
        if changed:
            raise ManifestError(
                f"上次发布的清单与 Git 不符：{'、'.join(changed[:20])}{' 等' if len(changed) > 20 else ''}"
                f" 的文件自提交 {old_commit[:10]} 以来没有改动，清单中的摘要却与它们现在的公开内容不同"
                "——已发布的网站或它的清单被改动过。没有构建。请查明原因，用上次发布的构建结果恢复网站，"
                "或用 --previous-manifest 指定一份可信的清单；如果上次是用未提交的修改在本地构建的，"
                "换一个新的输出文件夹重新构建。")


def _unexplained(previous: dict[str, Any], records: dict[str, str], sources: list[Record],
                 root: Path, content_dir: Path, config_dir: Path) -> list[str]:
    """Published records whose digest changed although nothing that makes it changed.

    A record's projection is a function of its own file, of site_config/, of Sunlight's code,
    and of which records it refers to are visible (a reference to a hidden record is
    dropped). The build date enters only through visibility: an embargo that ended since
    the last publication makes a record appear, and its references with it. So a digest
    must be the same when the code is the same (the manifest's fingerprint), no file under
    site_config/ differs from the published commit, the record's file is byte for byte the
    one at the published commit, and every record it refers to has an unchanged file and is
    still exactly as visible (published then ⇔ published now); a status derived from
    children (derive_status) also needs every child's file unchanged and none deleted. Only records whose digest
    differs are looked at, so an ordinary build asks Git nothing. Only a manifest of a clean
    build (nothing uncommitted under content/ or site_config/) is compared."""
    old = previous["records"]
    differing = [rid for rid, digest in records.items() if rid in old and old[rid] != digest]
    # A build made with uncommitted edits (a local build, a preview) holds digests of files
    # the commit does not have: undoing such an edit is no tampering.
    if not differing or previous.get("sunlight") != fingerprint() \
            or previous.get("clean") is not True:
        return []
    at_commit = blobs_at(root, previous["commit"], [content_dir, config_dir])
    like = next(iter(at_commit.values()), "")
    same: dict[str, bool] = {}

    def unchanged(rel: str) -> bool:
        if rel not in same:
            try:
                data = (root / rel).read_bytes()
            except OSError:
                data = None
            same[rel] = data is not None and at_commit.get(rel) == blob_id(data, like)
        return same[rel]

    prefix = _relative(config_dir, root)
    prefix_content = _relative(content_dir, root) + "/"
    gone: dict[str, bool] = {}

    def status_moved(r: Record) -> bool:
        """Whether a child is new since the published commit or its typed status changed."""
        if unchanged(r.path):
            return False
        if r.path not in at_commit:
            return True
        from .load import parse_bytes
        raw = read_blobs(root, [at_commit[r.path]]).get(at_commit[r.path])
        doc = parse_bytes(raw, r.path, "")[0] if raw is not None else None
        return doc is None or doc.meta.get("status") != r.written_status

    def deleted(under: str) -> bool:
        """Whether a file under `under` at the published commit is gone now (asked once)."""
        if under not in gone:
            gone[under] = any(p.startswith(under) and not (root / p).exists() for p in at_commit)
        return gone[under]

    now = {_relative(f, root) for f in config_dir.rglob("*") if f.is_file()}
    then = {p for p in at_commit if p.startswith(prefix + "/")}
    if now != then or not all(unchanged(p) for p in now):
        return []              # another configuration may project the same file differently
    by_id = {r.id: r for r in sources}
    out = []
    for rid in differing:
        source = by_id.get(rid)
        if source is None or not unchanged(source.path):
            continue
        refs = [by_id[i] for i in mentioned(source.fields, by_id) if i != rid]
        if not all(unchanged(r.path) and (r.id in old) == (r.id in records) for r in refs):
            continue
        # A status derived from children (derive_status) changes with their files, and
        # with a child deleted since the published commit.
        children = _derived_sources(source, by_id)
        if children is not None and (deleted(prefix_content) or
                                     any(status_moved(r) for r in children)):
            continue
        out.append(rid)
    return sorted(out)


def _derived_sources(record: Record, by_id: dict[str, Record]) -> list[Record] | None:
    """The records a derived status was computed from, down the chain; None if not derived."""
    if record.derived_from is None:
        return None
    found: dict[str, Record] = {}
    todo = list(record.derived_from)
    while todo:
        child = by_id.get(todo.pop())
        if child is not None and child.id not in found:
            found[child.id] = child
            todo.extend(child.derived_from or ())
    return list(found.values())


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def manifest_records(projection: Projection) -> dict[str, str]:
    return {r.id: _digest(r.fields, r.body) for r in sorted(projection.records,
                                                             key=lambda r: r.id)}


def manifest(projection: Projection, as_of: date, commit: str | None, records: dict[str, str],
             clean: bool = False) -> dict[str, bytes]:
    """What this build contains: audience, build date and a SHA-256 of every record's
    projection, so a later publish can tell what changed or went missing; whether content/
    and site_config/ were exactly the commit's (`clean`), and the code's fingerprint, so it
    knows when those digests must still hold."""
    content = {"audience": projection.audience.value, "body": projection.body,
               "build_date": as_of.isoformat(), "commit": commit,
               "records": records, "sunlight": fingerprint(), "clean": clean}
    text = json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {MANIFEST: text.encode("utf-8")}


def write_tree(folder: Path, files: dict[str, bytes] | Iterable[tuple[str, bytes]]
               ) -> list[Path]:
    """The one writer of a generated tree: every stage hands its files here as data
    (path → bytes, or pairs a stage yields one at a time so that they are never all held).
    Returns the paths written, in the order given."""
    writer = TreeWriter(folder)
    return [writer.write(rel, data)
            for rel, data in (files.items() if isinstance(files, dict) else files)]


class TreeWriter:
    """`write_tree` one file at a time, for a stage that hands each file over as soon as it
    is made (render's pages: the docs tree is then never held whole in memory). It keeps no
    list of what it wrote: it lives as long as its stage, and a path held for each of ten
    thousand pages is memory the stages after it (Pagefind's services) could use.

    With `before` (path → SHA-256 of what the folder holds, as `finish` returned last time:
    the preview's kept docs tree), a file is written only where its bytes changed, and
    `finish` deletes those no longer given: creating files is what costs the system, not
    comparing digests."""

    def __init__(self, folder: Path, before: dict[str, str] | None = None):
        self.folder, self.before = folder, before
        self.now: dict[str, str] = {}
        self._made: set[str] = set()          # the folders made, by their relative names

    def write(self, rel: str, data: bytes) -> Path | None:
        """Write one file; returns its path, or None where `before` has its bytes already."""
        if self.before is not None:
            self.now[rel] = hashlib.sha256(data).hexdigest()
            if self.before.get(rel) == self.now[rel]:
                return None
        path = self.folder / rel
        parent = os.path.dirname(rel)
        if parent not in self._made:          # a folder once, not once a file (thousands)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        path.write_bytes(data)
        return path

    def write_all(self, files: dict[str, bytes] | Iterable[tuple[str, bytes]]) -> None:
        for rel, data in files.items() if isinstance(files, dict) else files:
            self.write(rel, data)

    def finish(self) -> dict[str, str]:
        """With `before`: delete what it held and this build did not give. Returns the
        folder's files now, path → SHA-256 (empty without `before`)."""
        if self.before is not None:
            _delete(self.folder, [rel for rel in self.before if rel not in self.now])
        return self.now


def keep_only(folder: Path, wanted: set[str]) -> None:
    """Delete every file under `folder` whose path (relative, with slashes) is not in
    `wanted`, and the folders that leaves empty: what a kept site folder still holds of
    builds before (a deleted record's page, the last search index)."""
    _delete(folder, [rel for rel in _files_under(folder) if rel not in wanted])


def _files_under(folder: Path) -> Iterator[str]:
    for base, _, names in os.walk(folder):
        prefix = Path(base).relative_to(folder).as_posix()
        for name in names:
            yield name if prefix == "." else f"{prefix}/{name}"


def _delete(folder: Path, files: list[str]) -> None:
    """Delete `files` of `folder`, then each of their folders that is left empty."""
    emptied: set[str] = set()
    for rel in files:
        with contextlib.suppress(FileNotFoundError):
            (folder / rel).unlink()
        parts = rel.split("/")[:-1]
        emptied.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
    # Deepest first, so a folder is tried after the folders inside it.
    for rel in sorted(emptied, key=lambda r: r.count("/"), reverse=True):
        with contextlib.suppress(OSError):           # not empty: something else lives there
            (folder / rel).rmdir()


def clear_except(folder: Path, names: set[str]) -> None:
    """Delete everything directly in `folder` but the entries named `names`. Raises
    OSError when something cannot be deleted."""
    for entry in os.scandir(folder):
        if entry.name in names:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def copy_tree(source: Path, target: Path) -> Path:
    """A copy of the tree `source` at `target` (a new path), bytes only."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    return target


def read_manifest(location: Path) -> dict[str, Any] | None:
    """The manifest in a site folder (or a manifest file itself); None when there is none.

    A manifest that is there but cannot be read, or is not one Sunlight wrote (not an
    object, a key missing, a value of the wrong kind), raises ManifestError: it must never
    count as "no previous publication"."""
    path = location / MANIFEST if location.is_dir() else location
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"无法读取 {path}（{getattr(exc, 'strerror', None) or exc}）。{_FIX}")
    except ValueError as exc:
        raise ManifestError(f"{path} 不是有效的 JSON（{exc}）。{_FIX}") from None
    problem = _malformed(data)
    if problem:
        raise ManifestError(f"{path} 不是 Sunlight 写的清单：{problem}。{_FIX}")
    return data


def previous_publication(out_dir: Path, given: Path | None, audience: str,
                         first_publication: bool = False) -> dict[str, Any] | None:
    """The manifest of the publication this build continues: `given` (--previous-manifest),
    else the one in `out_dir`. None for a first publication, or a plain build into a new
    folder. Anything doubtful raises ManifestError: a named manifest that is missing, a
    folder holding a built site without one, a manifest for another audience, or a first
    publication declared where a manifest exists."""
    if given is not None and first_publication:
        raise ManifestError("--first-publication 与 --previous-manifest 不能同时使用："
                            "第一次发布没有上次发布的清单。请只保留其中一个。")
    if given is not None:
        manifest = read_manifest(given)
        if manifest is None:
            raise ManifestError(f"找不到上次发布的清单 {given}。请确认下载成功、路径正确；"
                                "如果这确实是第一次发布，去掉 --previous-manifest，改用 --first-publication。")
        where = given
    else:
        manifest = read_manifest(out_dir)
        where = out_dir / MANIFEST
        if manifest is None and _holds_a_site(out_dir):
            raise ManifestError(
                f"{out_dir} 中有一个已生成的网站，却没有 {MANIFEST}：无法确认那里发布过什么，"
                "也就无法检查已发布的记录是否都还在。请恢复这个清单，或用 --previous-manifest "
                "指定上次发布的清单；如果那个文件夹不是已发布的网站，换一个新的输出文件夹。")
    if manifest is None:
        return None
    if first_publication:
        raise ManifestError(f"指定了 --first-publication，但 {where} 是上次发布的清单："
                            "已经发布过。请去掉 --first-publication。")
    if manifest["audience"] != audience:
        raise ManifestError(f"{where} 是{_AUDIENCE.get(manifest['audience'])}版本的清单，"
                            f"这次构建的是{_AUDIENCE.get(audience)}版本。请指定同一版本上次发布的清单。")
    return manifest


_FIX = ("请重新取得已发布网站的 sunlight-manifest.json（或恢复输出文件夹中的这个文件）；"
        "如果从未发布过，换一个新的输出文件夹，并用 --first-publication 声明第一次发布。")
_AUDIENCE = {"public": "公开", "internal": "内部"}
_COMMIT = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _malformed(data: Any) -> str | None:
    """What makes `data` not a manifest, in words; None if it is one."""
    if not isinstance(data, dict):
        return f"应为 JSON 对象，实际是 {_shown(data)}"
    missing = [k for k in ("audience", "body", "build_date", "commit", "records") if k not in data]
    if missing:
        return f"缺少 {'、'.join(f'“{k}”' for k in missing)}"
    if data["audience"] not in _AUDIENCE:
        return f"“audience” 应为 public 或 internal，实际是 {_shown(data['audience'])}"
    if data["commit"] is not None and not (isinstance(data["commit"], str)
                                           and _COMMIT.fullmatch(data["commit"])):
        return f"“commit” 应为提交编号（40 位十六进制），实际是 {_shown(data['commit'])}"
    if not isinstance(data["build_date"], str) or not _is_date(data["build_date"]):
        return f"“build_date” 应为日期（如 2026-11-21），实际是 {_shown(data['build_date'])}"
    if data["body"] is not None and not isinstance(data["body"], str):
        return f"“body” 应为机关编号或 null，实际是 {_shown(data['body'])}"
    records = data["records"]
    if not isinstance(records, dict):
        return f"“records” 应为“编号: 摘要”的对象，实际是 {_shown(records)}"
    bad = next((k for k, v in records.items() if not (isinstance(v, str) and _DIGEST.fullmatch(v))),
               None)
    if bad is not None:
        return f"记录 {bad} 的摘要应为 64 位十六进制，实际是 {_shown(records[bad])}"
    return None


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:60] + "…"


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _holds_a_site(folder: Path) -> bool:
    """A folder a build wrote: mkdocs always writes a sitemap, Sunlight always its assets."""
    return (folder / "sitemap.xml").exists() or (folder / "assets").is_dir()


def fingerprint() -> str:
    """Sunlight's version and a hash of its code: digests are compared only between builds
    by the same code, since another version may project the same file differently."""
    code = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for file in sorted(package.rglob("*.py")):
        code.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return f"{__version__}+{code.hexdigest()[:16]}"


def _digest(fields: dict[str, Any], body: str) -> str:
    canonical = json.dumps({"fields": fields, "body": body}, ensure_ascii=False, sort_keys=True,
                           default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
