"""Stage 3, history: every revision of every record file under content/, read from Git in one pass.

One `git log --first-parent --raw` lists what each commit changed, and one persistent
`git cat-file --batch` process hands over each changed blob. Per-file `git log` — what the
git-date plugins do — is far slower (DESIGN.md §7, benchmarks/bench_history.py). Following
only the first parent makes a merged pull request one event: the merge commit's change
against the branch it was merged into. The log is read as git writes it, so git compares
trees while Python parses the blobs of the commits before.

Records are followed by their ID, not their path: each blob is parsed with the loader and its
`id` names the record, so a moved or renamed file keeps its history. A file whose ID changes
is reported (IDs are immutable) and treated as one record ending and another beginning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Iterable, Iterator

from .load import Document, is_record_path, parse_bytes
from .repository import (BLOB_BATCH, FILE_MODES, Blobs, FirstParentLog, HistoryError,
                         ShallowClone, git_module, open_repository, relative, resolve)
from ..model.problems import Problem

SHORT_SHA = 7
# Record separator before each commit, unit separator between its header fields. A commit
# message never contains NUL, which -z puts after the header and after each path.
_FORMAT = "%x1e%H%x1f%cI%x1f%an%x1f%ae%x1f%B%x1f"


@dataclass(frozen=True)
class FileChange:
    """One record file changed by one commit."""

    path: str                      # relative to the project root: content/<folder>/<file>.md
    blob: bytes | None             # the new content; None if the file was deleted
    record_id: str | None          # the record the file holds after the change (before, if deleted)
    document: Document | None = None          # the parsed blob; None if deleted or unreadable
    problems: tuple[Problem, ...] = ()        # what the loader found wrong with the blob

    @property
    def deleted(self) -> bool:
        return self.blob is None


@dataclass(frozen=True)
class Commit:
    """A first-parent commit that changed record files."""

    sha: str
    short_sha: str
    when: datetime                 # committer date, with the committer's time zone
    author_name: str
    author_email: str
    message: str
    changes: tuple[FileChange, ...] = ()


@dataclass(frozen=True)
class HistoryNotice:
    """Something odd in the history an editor should know about (not a content error)."""

    code: str                      # "id-changed"; the timeline adds "revision-skipped"
    path: str
    sha: str
    short_sha: str
    when: datetime
    message: str                   # Chinese
    record_id: str | None = None


@dataclass(frozen=True)
class History:
    commits: tuple[Commit, ...] = ()           # oldest first
    notices: tuple[HistoryNotice, ...] = ()
    shallow: bool = False                      # read from a shallow clone (allow_shallow=True)


def read_history(root: Path, content_dir: Path | None = None, rev: str = "HEAD",
                 allow_shallow: bool = False) -> History:
    """Every first-parent commit of `rev` that changed a record file, oldest first.

    Raises NotARepository outside Git and ShallowClone in a shallow clone unless
    `allow_shallow`; a repository without commits has an empty history."""
    git = git_module()
    root = Path(root)
    content_dir = Path(content_dir) if content_dir is not None else root / "content"
    with open_repository(root) as repo:
        status, out, _ = repo.git.rev_parse("--is-shallow-repository", "--verify", "--quiet",
                                            f"{rev}^{{commit}}", with_extended_output=True,
                                            with_exceptions=False)
        words = out.split()                     # "true"/"false", then the commit if any
        shallow = words[:1] == ["true"]
        if shallow and not allow_shallow:
            raise ShallowClone(
                "这是一个浅克隆（shallow clone）：只取回了最近的提交，每个记录都会像是刚刚新增的，"
                "修改历史不完整。请取回完整历史：在 GitHub Actions 中给 actions/checkout 加上 "
                "“fetch-depth: 0”，或在本地运行“git fetch --unshallow”；也可以选择不带历史构建。")
        # No commit: an unborn branch (an empty history) or damage (resolve raises).
        tip = words[1] if status == 0 and len(words) > 1 else resolve(repo, rev)
        if tip is None:
            return History(shallow=shallow)     # no commits yet
        top = Path(repo.working_tree_dir).resolve()
        reader = _Reader(relative(content_dir.resolve(), top), relative(root.resolve(), top))
        # No pathspec: with one, git compares every commit with its parent twice (to
        # simplify history, then for the output), which doubles the time. Paths are
        # filtered here instead.
        # Explicit options so that no configuration (log.showRoot, diff.renames, …)
        # changes the output.
        try:
            log = FirstParentLog(repo, tip, (
                "--first-parent", "--diff-merges=first-parent", "--reverse", "--root", "--raw",
                "--no-abbrev", "--no-renames", "--no-relative", "--no-color",
                "--no-show-signature", "--encoding=UTF-8", "-z", f"--format={_FORMAT}"))
            blobs = Blobs.of(repo)
        except git.GitCommandError as exc:
            raise _unreadable(rev, exc) from exc
        try:
            entries = (e for stream in log.streams() for e in _log_entries(stream))
            commits = reader.commits(entries, blobs)
            log.wait()
        except git.GitCommandError as exc:
            raise _unreadable(rev, exc) from exc
        finally:
            blobs.close()
            log.close()
    return History(commits=tuple(c for c in commits if c.changes),
                   notices=tuple(reader.notices), shallow=shallow)


def _unreadable(rev: str, exc: Exception) -> HistoryError:
    stderr = exc.stderr.strip() if isinstance(exc.stderr, str) else exc.stderr
    return HistoryError(f"无法读取“{rev}”的修改历史：{stderr}")


@dataclass
class _LogEntry:
    header: bytes
    files: list[tuple[str, str | None]] = field(default_factory=list)  # (path, blob or None)


def _log_entries(stream: IO[bytes]) -> Iterator[_LogEntry]:
    """Commits from `git log -z --raw` output, as git writes them."""
    entry: _LogEntry | None = None
    tokens = _tokens(stream)
    for token in tokens:
        token = token.lstrip(b"\n")
        if token.startswith(b"\x1e"):
            if entry is not None:
                yield entry
            entry = _LogEntry(token[1:])
        elif token.startswith(b":") and entry is not None:
            # ":old-mode new-mode old-blob new-blob status", then the path
            fields = token.split(b" ")
            path = next(tokens).decode("utf-8", "replace")
            # A symbolic link (mode 120000) or submodule is no record file: the loader
            # refuses it, so history treats the path as gone rather than parse the link.
            blob = None if fields[4].startswith(b"D") or fields[1] not in _FILE_MODES \
                else fields[3].decode("ascii")
            entry.files.append((path, blob))
    if entry is not None:
        yield entry


_FILE_MODES = tuple(mode.encode("ascii") for mode in FILE_MODES)


def _tokens(stream: IO[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    rest = b""
    while chunk := stream.read(size):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


class _Reader:
    """Turns log entries (oldest first) into Commits: fetches the changed blobs, parses
    them and follows records by their ID."""

    def __init__(self, content_prefix: str, project_prefix: str):
        self.prefix = content_prefix + "/" if content_prefix else ""
        self.project_prefix = project_prefix + "/" if project_prefix else ""
        self.parsed: dict[tuple[str, str], tuple[Document | None, tuple[Problem, ...]]] = {}
        self.path_ids: dict[str, str] = {}           # project path -> the ID it holds now
        self.id_paths: dict[str, set[str]] = {}      # ID -> the paths holding it now
        self.notices: list[HistoryNotice] = []
        self.record_files: dict[str, bool] = {}

    def commits(self, entries: Iterable[_LogEntry], blobs: Blobs) -> list[Commit]:
        out: list[Commit] = []
        batch: list[_LogEntry] = []
        wanted = 0
        for entry in entries:
            entry.files = [(path[len(self.project_prefix):], blob) for path, blob in entry.files
                           if self._is_record_file(path)]
            batch.append(entry)
            wanted += len(entry.files)
            if wanted >= BLOB_BATCH:
                out.extend(self._batch(batch, blobs))
                batch, wanted = [], 0
        out.extend(self._batch(batch, blobs))
        return out

    def _batch(self, batch: list[_LogEntry], blobs: Blobs) -> list[Commit]:
        data = blobs.fetch(blob for entry in batch for _, blob in entry.files if blob)
        return [self._commit(entry, data) for entry in batch]

    def _is_record_file(self, path: str) -> bool:
        # The same paths come back commit after commit: decide each once.
        found = self.record_files.get(path)
        if found is None:
            found = self.record_files[path] = (path.startswith(self.prefix)
                                               and is_record_path(path[len(self.prefix):]))
        return found

    def _commit(self, entry: _LogEntry, data: dict[str, bytes]) -> Commit:
        sha, when, name, email, message = entry.header.decode("utf-8", "replace").split("\x1f", 4)
        commit = Commit(sha=sha, short_sha=sha[:SHORT_SHA], when=datetime.fromisoformat(when),
                        author_name=name, author_email=email,
                        message=message.removesuffix("\x1f").strip())
        changes: list[FileChange] = []
        for path, blob in entry.files:
            if blob is None:
                changes.extend(self._deleted(path))
            else:
                changes.extend(self._changed(commit, path, blob, data[blob]))
        return replace(commit, changes=tuple(changes))

    def _deleted(self, path: str) -> list[FileChange]:
        record_id = self.path_ids.pop(path, None)
        if record_id is None:
            return []
        paths = self.id_paths[record_id]
        paths.discard(path)
        # A copy of a record that lives on in another file: the record is not gone.
        return [] if paths else [FileChange(path, None, record_id)]

    def _changed(self, commit: Commit, path: str, blob: str, data: bytes) -> list[FileChange]:
        key = (blob, path)
        if key not in self.parsed:
            folder = path[len(self.prefix) - len(self.project_prefix):].split("/", 1)[0]
            doc, problems = parse_bytes(data, path, folder, quick=True)
            self.parsed[key] = (doc, tuple(problems))
        doc, problems = self.parsed[key]
        record_id = doc.meta.get("id") if doc is not None else None
        before = self.path_ids.get(path)
        changes: list[FileChange] = []
        if not isinstance(record_id, str) or not record_id:
            record_id = before     # unreadable: still the record it held, as far as we know
        elif before != record_id:
            if before is not None:
                self.notices.append(_id_changed(commit, path, before, record_id))
                changes.extend(self._deleted(path))
            self.path_ids[path] = record_id
            self.id_paths.setdefault(record_id, set()).add(path)
        changes.append(FileChange(path, data, record_id, doc, problems))
        return changes


def _id_changed(commit: Commit, path: str, before: str, after: str) -> HistoryNotice:
    return HistoryNotice(
        code="id-changed", path=path, sha=commit.sha, short_sha=commit.short_sha,
        when=commit.when, record_id=after,
        message=(f"提交 {commit.short_sha}（{commit.when.date().isoformat()}）把 {path} 的编号由 "
                 f"{before} 改为 {after}。编号一经发布不得更改：请恢复原编号；"
                 f"确需新记录时另建文件，并把原记录撤回。"))
