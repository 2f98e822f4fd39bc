"""The page cache: bytes on disk by the digest of everything they were made from.

A build renders a page only when something it shows changed; otherwise it reads the bytes
an earlier build made from the same inputs. Nothing in the cache is trusted more than a
fresh render would be:

- the key is a SHA-256 over a global part (Sunlight's code, the library versions that shape
  the output, every template and asset, the whole `site_config/`, mkdocs.yml, the build date,
  the audience and body, the commit in the footnote) and the page's own inputs; an entry
  stores its key and the digest of its bytes, and anything that does not match (a torn
  write, another build's entry, a foreign file) is a miss and is overwritten;
- each audience (and each body of the internal site) has its own folder *and* its own keys,
  so no entry is ever shared between audiences;
- a cache that cannot be read or written is no cache: a notice, never a failure;
- whatever comes from the cache still goes through the engine and the leak guard, which
  reads every output file after the engine, like a freshly rendered page.

Entries a build did not use are removed at its end (`prune`), so the folder holds one build's
pages per audience and grows with the records, not with the number of builds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import re
import sys
import tempfile
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

FORMAT = b"sunlight-cache 1"
FOLDER = ".sunlight-cache"
# Libraries whose version changes the bytes of a rendered page.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "pymdown-extensions", "nh3")
# And those that change the rest of a built site: the engine's and the search index's.
SITE_LIBRARIES = LIBRARIES + ("mkdocs", "mkdocs-material", "pagefind", "pagefind_bin_extended")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def canonical(value: Any) -> bytes:
    """One byte string per value, the same in every run: dict keys sorted, dates in ISO form,
    a date never equal to the string that reads the same. A type it does not know raises
    TypeError, so a key can never silently leave part of a page's input out."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_plain).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return {"enum": value.value}
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(canonical(v).decode("utf-8") for v in value)}
    if isinstance(value, tuple):
        return {"tuple": list(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: getattr(value, f.name)
                                       for f in dataclasses.fields(value)}}
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(*parts: Any) -> str:
    return hashlib.sha256(canonical(list(parts))).hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """Every file under each path (a folder's whole tree, in a stable order) by relative name
    and content; a missing path counts as such, so adding it later changes the digest."""
    sha = hashlib.sha256()
    for index, path in enumerate(paths):
        sha.update(f"\0root {index}\0".encode())
        if path.is_file():
            sha.update(path.read_bytes())
            continue
        if not path.is_dir():
            sha.update(b"\0missing")
            continue
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            sha.update(b"\0" + file.relative_to(path).as_posix().encode("utf-8") + b"\0")
            sha.update(file.read_bytes())
    return sha.hexdigest()


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def site_files(folder: Path) -> dict[str, str] | None:
    """Every file under `folder` by relative path → SHA-256 of its bytes: what a build left
    there, to tell later whether the folder still holds exactly that. None when the folder is
    missing or holds anything but plain files and folders (a symlink could point anywhere)."""
    if not folder.is_dir() or folder.is_symlink():
        return None
    found: dict[str, str] = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                return None
        for name in files:
            path = Path(top) / name
            try:
                found[path.relative_to(folder).as_posix()] = \
                    hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None
    return dict(sorted(found.items()))


def scope(audience: str, body: str | None) -> str:
    """The folder of one audience (and body): readable when the names are plain, else hashed."""
    if body is None:
        return audience
    return f"{audience}-{body}" if _SAFE_NAME.fullmatch(body) else \
        f"{audience}-{hashlib.sha256(body.encode('utf-8')).hexdigest()[:16]}"


@dataclasses.dataclass
class Stats:
    """What a build took from the cache and what it made anew."""

    hits: int = 0
    misses: int = 0
    written: int = 0
    rejected: int = 0      # entries present but not matching (corrupt, foreign): rebuilt
    missed: list[str] = dataclasses.field(default_factory=list)   # what was made anew


class Cache:
    """Entries of one audience in `folder`, keyed under `base` (the global part of every key).

    `key(*parts)` adds a page's own inputs to the base; `get(key)` returns the stored bytes or
    None; `put(key, data)` stores them atomically. The engine can use the same API with its
    own `Cache` in a sibling folder."""

    def __init__(self, folder: Path, base: str):
        self.folder, self.base = folder, base
        self.stats = Stats()
        self.notices: list[str] = []
        self._used: set[str] = set()
        self._writable = True
        self._marked = False

    @classmethod
    def open(cls, cache_dir: Path, audience: str, body: str | None, *base: Any,
             name: str = "pages") -> "Cache":
        """The cache of one audience under `cache_dir`; the audience and body are in the
        folder and in the base of every key. `name` parts the folder (render's pages; the
        engine's output could be another)."""
        return cls(cache_dir / scope(audience, body) / name,
                   digest(FORMAT.decode(), name, audience, body, *base))

    def key(self, *parts: Any) -> str:
        return digest(self.base, *parts)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str, name: str = "") -> bytes | None:
        """The bytes stored under `key`, or None; `name` (a page path) is listed in
        `stats.missed` when there are none."""
        self._used.add(key)
        try:
            data = _unpack(self._path(key).read_bytes(), key)
            if data is None:
                self.stats.rejected += 1
        except OSError:
            data = None
        if data is None:
            self.stats.misses += 1
            if name:
                self.stats.missed.append(name)
            return None
        self.stats.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`: a temporary file renamed into place, so a reader sees
        the whole entry or none. A failure turns the cache off for this build, with a notice."""
        self._used.add(key)
        if not self._writable:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not self._marked:
                _ignore_in_git(self.folder.parents[1])
                self._marked = True
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(_pack(key, data))
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            self._writable = False
            self.notices.append(f"无法写入缓存 {self.folder}（{exc.strerror or exc}）："
                                "本次构建不使用缓存，结果不受影响。")
            return
        self.stats.written += 1

    def prune(self) -> int:
        """Remove the entries (and stray temporary files) this build did not use."""
        removed = 0
        if not self._writable or not self.folder.is_dir():
            return removed
        for shard in os.scandir(self.folder):
            if not shard.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(shard.path):
                if entry.name in self._used:
                    continue
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
        return removed


def _pack(key: str, data: bytes) -> bytes:
    return b"\n".join([FORMAT, key.encode("ascii"),
                       hashlib.sha256(data).hexdigest().encode("ascii"), data])


def _unpack(raw: bytes, key: str) -> bytes | None:
    """The payload when the entry is whole and was stored under `key`, else None."""
    parts = raw.split(b"\n", 3)
    if len(parts) != 4 or parts[0] != FORMAT or parts[1] != key.encode("ascii"):
        return None
    if hashlib.sha256(parts[3]).hexdigest().encode("ascii") != parts[2]:
        return None
    return parts[3]


def _ignore_in_git(cache_root: Path) -> None:
    """The cache folder keeps itself out of `git status` (and out of a commit) in any project."""
    marker = cache_root / ".gitignore"
    if not marker.exists():
        marker.write_text("# Sunlight's page cache: safe to delete at any time.\n*\n",
                          encoding="utf-8")


# --- derived from Sunlight's own code only ---------------------------------------------------


def beside_code(package: Path, stem: str, key: str) -> bytes | None:
    """What `keep_beside_code` kept for `key` in `package`'s bytecode folder, or None.

    For data derived from Sunlight's code alone (the leak guard's code literals), never from
    a project: it is kept beside Python's own bytecode (`__pycache__/`), which is trusted as
    much as the code, not in the project's cache folder, which may be restored from
    elsewhere (a CI cache) and must never decide what counts as public."""
    try:
        return (package / "__pycache__" / f"{stem}.{key[:32]}").read_bytes()
    except OSError:
        return None


def keep_beside_code(package: Path, stem: str, key: str, data: bytes) -> None:
    """Keep `data` for `beside_code`, replacing what older code left; only where Python
    writes bytecode (not under PYTHONDONTWRITEBYTECODE, nor where the installation is
    read-only: then nothing is kept, silently, and the data is made again next time)."""
    if sys.dont_write_bytecode:
        return
    folder = package / "__pycache__"
    with contextlib.suppress(OSError):
        folder.mkdir(exist_ok=True)
        for old in folder.glob(f"{stem}.*"):
            old.unlink()
        # Written whole under another name first: a reader sees all of it or nothing.
        partial = folder / f".{stem}.{os.getpid()}"
        partial.write_bytes(data)
        os.replace(partial, folder / f"{stem}.{key[:32]}")
