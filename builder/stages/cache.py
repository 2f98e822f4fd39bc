"""The page cache: bytes on disk by the digest of everything they were made from.

A build renders a page only when something it shows changed; otherwise it reads the bytes
an earlier build made from the same inputs. Nothing in the cache is trusted more than a
fresh render would be:

- the key is a SHA-256 over a global part (Sunlight's code, the library versions that shape
  the output, every template and asset, the whole `site_config/`, mkdocs.yml, the build date,
  the audience and body, the commit in the footnote) and the page's own inputs; an entry
  stores its key and the digest of its bytes, and anything that does not match (a torn
  write, another build's entry, a foreign file) is a miss and is overwritten;
- each audience (and each body of the internal site) has its own folder, database *and*
  keys, so no entry is ever shared between audiences;
- a cache that cannot be read or written (not a database, damaged, locked by another build
  beyond `LOCK_TIMEOUT`, in a read-only folder) is no cache for that build: a notice, never a
  failure; a file that is not a database is replaced by a fresh one on the next write;
- whatever comes from the cache still goes through the engine and the leak guard, which
  reads every output file after the engine, like a freshly rendered page.

The entries of one cache are rows of one SQLite database, `<scope>/<name>.sqlite`: creating
(and later deleting) a file per page is what cost a build most system time, one database
costs two files for good. A build's writes are one transaction, committed by `prune` together
with the removal of the entries the build did not use, so the database holds one build's pages
per audience (its free pages are reused by the next build) and grows with the records, not
with the number of builds; a killed build loses only its own writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

FORMAT = b"sunlight-cache 1"
FOLDER = ".sunlight-cache"
# How long a build waits for another one that is writing the same cache before it builds
# without it: a build holds its write lock for its whole render stage.
LOCK_TIMEOUT = 1.0
# Libraries whose version changes the bytes of a rendered page.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "pymdown-extensions", "nh3")
# And those that change the rest of a built site: the engine's and the search index's.
SITE_LIBRARIES = LIBRARIES + ("mkdocs", "mkdocs-material", "pagefind", "pagefind_bin_extended")
# Sunlight's package (builder/): data derived from its code alone is kept in its __pycache__.
PACKAGE = Path(__file__).resolve().parents[1]
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
    # Directory entries, not Path objects: their types come with the listing (no stat call a
    # file) and the relative path is built as the walk goes; at 10 000 records the folder
    # holds 21 000 files, and the objects cost three times the hashing of its 340 MB.
    pending = [("", os.fspath(folder))]
    try:
        while pending:
            prefix, top = pending.pop()
            with os.scandir(top) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((f"{prefix}{entry.name}/", entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        with open(entry.path, "rb") as file:
                            found[prefix + entry.name] = \
                                hashlib.file_digest(file, "sha256").hexdigest()
                    else:
                        return None
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
    """Entries of one audience in one SQLite database `path`, keyed under `base` (the global
    part of every key).

    `key(*parts)` adds a page's own inputs to the base; `get(key)` returns the stored bytes or
    None; `put(key, data)` stores them in the build's one transaction, which `prune` commits
    (and `close` rolls back when the build failed before). The engine can use the same API
    with its own `Cache` beside this one."""

    def __init__(self, path: Path, base: str):
        self.path, self.base = path, base
        self.stats = Stats()
        self.notices: list[str] = []
        self._used: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._reading = self._writing = True
        self._replace = False          # the file is not a database: a fresh one on first write
        self._replaced = False         # (once a build: a fresh one that fails is no cache)

    @classmethod
    def open(cls, cache_dir: Path, audience: str, body: str | None, *base: Any,
             name: str = "pages") -> "Cache":
        """The cache of one audience under `cache_dir`; the audience and body are in the
        folder and in the base of every key. `name` is the database in that folder (render's
        pages; the engine's output could be another)."""
        return cls(cache_dir / scope(audience, body) / f"{name}.sqlite",
                   digest(FORMAT.decode(), name, audience, body, *base))

    def key(self, *parts: Any) -> str:
        return digest(self.base, *parts)

    def get(self, key: str, name: str = "") -> bytes | None:
        """The bytes stored under `key`, or None; `name` (a page path) is listed in
        `stats.missed` when there are none."""
        self._used.add(key)
        data = None
        raw = self._read(key)
        if raw is not None:
            data = _unpack(raw, key)
            if data is None:
                self.stats.rejected += 1
        if data is None:
            self.stats.misses += 1
            if name:
                self.stats.missed.append(name)
            return None
        self.stats.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` in this build's transaction: a reader sees the whole entry
        once `prune` commits, or none. A failure turns the cache off for this build, with a
        notice."""
        self._used.add(key)
        db = self._writer()
        if db is None:
            return
        try:
            db.execute("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)",
                       (key, _pack(key, data)))
        except sqlite3.Error as exc:
            self._fail(exc, "无法写入缓存")
            return
        self.stats.written += 1

    def prune(self) -> int:
        """Remove the entries this build did not use and commit its writes, in one step: the
        database then holds this build's entries alone. The connection is closed."""
        if self._db is None and not self.path.is_file():
            return 0
        db = self._writer()
        if db is None:
            return 0
        try:
            unused = [(key,) for (key,) in db.execute("SELECT key FROM entries").fetchall()
                      if key not in self._used]
            db.executemany("DELETE FROM entries WHERE key = ?", unused)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc, "无法写入缓存")
            return 0
        self.close()
        return len(unused)

    def close(self) -> None:
        """Close the database; writes `prune` did not commit are rolled back (a failed build
        keeps the entries of the last one that finished)."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _read(self, key: str) -> bytes | None:
        if not self._reading:
            return None
        try:
            db = self._connect(create=False)
            if db is None:
                return None
            rows = db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchall()
        except sqlite3.Error as exc:
            self._fail(exc, "无法读取缓存")
            return None
        if not rows:
            return None
        # A value that is not bytes was not put by a build: present, but no entry.
        return rows[0][0] if isinstance(rows[0][0], bytes) else b""

    def _writer(self) -> sqlite3.Connection | None:
        """The connection inside this build's one write transaction, begun on first use; None
        when the cache cannot be written."""
        if not self._writing:
            return None
        try:
            if self._replace:
                self._start_afresh()
            db = self._connect(create=True)
            assert db is not None
            if not db.in_transaction:
                # IMMEDIATE: another build writing the same cache makes this one wait (at most
                # LOCK_TIMEOUT) here, not halfway through its pages.
                db.execute("BEGIN IMMEDIATE")
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc, "无法写入缓存")
            return None
        return db

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.is_file():
            return None
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _ignore_in_git(self.path.parents[1])
            if not self.path.exists():
                _forget_shard_folders(self.path)
        db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            # The rollback journal keeps a killed build's half-written transaction out (the
            # next open rolls it back) and writes each page once; TRUNCATE keeps the journal
            # file between builds instead of creating and deleting it (creating files is what
            # a build should do least). No fsync (synchronous OFF): a commit survives a killed
            # process all the same, and what a power cut could leave behind is read as a miss
            # (every entry carries its key and digest) or, when not a database any more,
            # replaced; losing the cache costs a full build, nothing else.
            db.execute("PRAGMA journal_mode = TRUNCATE").fetchall()
            db.execute("PRAGMA synchronous = OFF")
            # (An empty file is an empty database to SQLite: it gets its table here.)
            db.execute("CREATE TABLE IF NOT EXISTS entries "
                       "(key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _start_afresh(self) -> None:
        """Replace a file that is not a database (or no longer one) by a fresh database."""
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        self._replace = False

    def _fail(self, exc: BaseException, what: str) -> None:
        """No cache for the rest of this build, with a notice; a file that is no database is
        also marked to be replaced on the next write."""
        name = getattr(exc, "sqlite_errorname", "")
        broken = name in ("SQLITE_NOTADB", "SQLITE_CORRUPT")
        if isinstance(exc, sqlite3.Error):
            reason = _REASONS.get(name, str(exc))
        else:
            reason = getattr(exc, "strerror", None) or str(exc)
        self.close()
        self._reading = False
        if broken and self._writing and not self._replaced:
            self._replace = self._replaced = True
            self.notices.append(f"缓存 {self.path} 已损坏（{reason}）：本次构建不读取它，"
                                "并换成新的缓存，结果不受影响。")
            return
        self._writing = False
        self.notices.append(f"{what} {self.path}（{reason}）：本次构建不使用缓存，结果不受影响。")


# What an editor reads for the SQLite failures a cache meets (others keep SQLite's words).
_REASONS = {
    "SQLITE_NOTADB": "不是缓存数据库",
    "SQLITE_CORRUPT": "文件已损坏",
    "SQLITE_BUSY": "正被另一个构建占用",
    "SQLITE_LOCKED": "正被另一个构建占用",
    "SQLITE_READONLY": "只读",
    "SQLITE_CANTOPEN": "无法打开",
    "SQLITE_FULL": "磁盘已满",
    "SQLITE_IOERR": "读写出错",
}


def _forget_shard_folders(path: Path) -> None:
    """Once, when a database is created where the previous format kept the same entries as
    one file each in 256 folders (`<scope>/<name>/<2 hex>/<key>`): those files are never read
    again, and left they would stay on disk for good."""
    old = path.with_suffix("")
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)


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


def template_bytecode(package: Path | None = None) -> Any:
    """A jinja2 bytecode cache in `package`'s bytecode folder (`__pycache__/jinja/`), or None
    where Python writes no bytecode. Compiling the ~40 templates of Sunlight and of the
    theme is 0.15–0.2 s of every build's process; what jinja2 keeps is checked against each
    template's source before use, so an edited template is compiled again. Compiled code is
    trusted only from beside Sunlight's own code (as Python's .pyc files are), never from the
    project's cache folder. A folder that cannot be read or written costs the compile only."""
    if sys.dont_write_bytecode:
        return None
    import jinja2

    class Kept(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError, ValueError, EOFError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = (package or PACKAGE) / "__pycache__" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return Kept(str(folder))
