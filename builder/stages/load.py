"""Stage 1, load: read record files into Documents, strictly.

python-frontmatter (like MkDocs) silently turns a file with a BOM, without front matter or
with an unclosed one into page text, which would publish internal fields as body text. So the
structure is checked line by line here first; only then does python-frontmatter's handler
interface, fitted with our strict YAML, read the metadata.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import frontmatter

from ..model import strict_yaml
from ..model.problems import Problem, problem

BOM = b"\xef\xbb\xbf"
_DELIMITER = re.compile(r"---[ \t]*")


@dataclass(frozen=True)
class Document:
    """A record file as read from disk: metadata with line numbers, and the body."""

    path: str                      # relative to the project root, with forward slashes
    folder: str                    # the folder under content/ ('' for top level)
    meta: dict[str, Any]
    lines: dict[tuple, int]        # ("deadline_extensions", 0, "reason") -> line in the file
    body: str
    body_line: int                 # the file line the body starts on
    end_line: int                  # the line of the closing '---'

    def line(self, *path: Any) -> int:
        """The line of a field (or the nearest enclosing one), else the front matter start."""
        return strict_yaml.line_of(self.lines, path)


class StrictYAMLHandler(frontmatter.YAMLHandler):
    """python-frontmatter handler that reads metadata with Sunlight's strict YAML.

    `load` raises ValueError on any problem, for code that uses python-frontmatter directly
    (frontmatter.loads(text, handler=StrictYAMLHandler())); Sunlight's loader calls
    `parse` to get every problem with its line instead.
    """

    def parse(self, fm: str, first_line: int) -> strict_yaml.Parsed:
        return strict_yaml.parse(fm, first_line)

    def load(self, fm: str, **kwargs: object) -> Any:
        parsed = self.parse(fm, 2)
        if parsed.issues:
            issue = parsed.issues[0]
            raise ValueError(f"line {issue.line}: {issue.code}")
        return parsed.data


HANDLER = StrictYAMLHandler()


RECORD_SUFFIX = ".md"


def is_record_path(path: str) -> bool:
    """The one rule for a record file, on a path relative to content/ (a working-tree file,
    a path in Git's history or in a base revision): a *.md file in a folder below content/ —
    top-level files are notes such as README.md — with no hidden part."""
    parts = PurePosixPath(path).parts
    return (len(parts) > 1 and path.endswith(RECORD_SUFFIX)
            and not any(part.startswith(".") for part in parts))


def find_record_files(content_dir: Path, paths: Iterable[Path] | None = None) -> list[Path]:
    """Record files: every *.md below content/, except top-level notes such as README.md.
    Symbolic links are never among them (see `scan`)."""
    if paths:
        files: list[Path] = []
        for p in paths:
            if p.is_dir() and not p.is_symlink():
                files.extend(scan(p, top_level=_is_content_dir(content_dir, p)).files)
            elif not _has_symlink(content_dir, p):
                files.append(p)
        return sorted(set(files))
    return scan(content_dir).files


@dataclass(frozen=True)
class Scan:
    """What a walk over content/ found: record files, symbolic links and folders it
    could not open. Links are listed, never followed or read."""

    files: list[Path]
    links: list[Path]
    unreadable: list[tuple[Path, str]]


def scan(folder: Path, top_level: bool = True) -> Scan:
    """Walk `folder` without following symbolic links. A link may lead outside the
    repository (its content would be published) or into a loop; records are regular files
    inside content/, so every link below it is reported. Hidden names are skipped, and
    so are regular files at the top level (notes such as README.md)."""
    files: list[Path] = []
    links: list[Path] = []
    unreadable: list[tuple[Path, str]] = []
    pending = [(folder, top_level)]
    while pending:
        current, at_top = pending.pop()
        try:
            with os.scandir(current) as entries:
                found = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            unreadable.append((current, str(exc.strerror)))
            continue
        for entry in found:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                pending.append((path, False))
                # The walk applies is_record_path part by part: hidden names were skipped
                # above, top-level files are notes.
                if entry.name.endswith(RECORD_SUFFIX) and not at_top:
                    files.append(path)  # reported as unreadable-file when read
            elif entry.name.endswith(RECORD_SUFFIX) and not at_top:
                files.append(path)
    return Scan(sorted(files), sorted(links), unreadable)


def _is_content_dir(content_dir: Path, folder: Path) -> bool:
    return os.path.abspath(folder) == os.path.abspath(content_dir)


def _has_symlink(content_dir: Path, file: Path) -> bool:
    """Whether `file` or a folder between content/ and it is a symbolic link."""
    top = Path(os.path.abspath(content_dir))
    current = Path(os.path.abspath(file))
    while current != top and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def load(root: Path, content_dir: Path, paths: Iterable[Path] | None = None
         ) -> tuple[list[Document], list[Problem]]:
    """Read every record file. Returns the documents that could be read and all problems.
    Symbolic links are reported (symlink-not-allowed) and never read."""
    documents: list[Document] = []
    problems: list[Problem] = []
    found = scan(content_dir)
    for link in found.links:
        problems.append(problem("symlink-not-allowed", _relative(root, link), 1,
                                target=_shown_target(link)))
    for folder, reason in found.unreadable:
        problems.append(problem("unreadable-file", _relative(root, folder), 1, detail=reason))
    files = find_record_files(content_dir, paths) if paths else found.files
    # The root and content/ resolved once for all files, and each folder once for its files:
    # resolving them again for each file was half the loader's time.
    anchors = _unfollowed(root), _unfollowed(content_dir)
    folders: dict[Path, tuple[Path, bool]] = {}
    for file in files:
        doc, more = _load_file(anchors, content_dir, file, folders)
        problems.extend(more)
        if doc is not None:
            documents.append(doc)
    return documents, problems


def _shown_target(link: Path) -> str:
    """Where a link points, as written in the link itself: its target is never opened."""
    try:
        target = os.readlink(link)
    except OSError:
        return "（无法读取）"
    return target if len(target) <= 80 else "…" + target[-77:]  # the file name matters most


def load_file(root: Path, content_dir: Path, file: Path) -> tuple[Document | None, list[Problem]]:
    """Read one record file. Never raises on bad content."""
    return _load_file((_unfollowed(root), _unfollowed(content_dir)), content_dir, file)


def _load_file(anchors: tuple[Path, Path], content_dir: Path, file: Path,
               folders: dict[Path, tuple[Path, bool]] | None = None
               ) -> tuple[Document | None, list[Problem]]:
    """`load_file` with the root and content/ already resolved (`_unfollowed`); `folders`
    keeps, for one load, each folder's resolved path and whether a link lies between
    content/ and it."""
    top, content = anchors
    known = folders.get(file.parent) if folders is not None else None
    if known is None:
        known = _unfollowed(file).parent, _has_symlink(content_dir, file.parent)
        if folders is not None:
            folders[file.parent] = known
    path = known[0] / file.name
    rel, folder = _named(path, top, file), _folder_of(path, content, file)
    if known[1] or file.is_symlink():
        return None, [problem("symlink-not-allowed", rel, 1, target=_shown_target(file))]
    try:
        # O_NOFOLLOW: a file swapped for a link after the walk is still not followed.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        return None, [problem("unreadable-file", rel, 1, detail=str(exc.strerror))]
    return parse_bytes(raw, rel, folder)


def parse_bytes(raw: bytes, rel: str, folder: str,
                quick: bool = False) -> tuple[Document | None, list[Problem]]:
    """Turn a file's bytes into a Document, or say precisely why not. `quick` reads the front
    matter through `strict_yaml.parse_quick`: the same answer, faster on many blobs."""
    problems: list[Problem] = []
    if raw.startswith(BOM):
        problems.append(problem("utf8-bom", rel, 1))
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, problems + [problem("invalid-utf8", rel, line)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not _DELIMITER.fullmatch(lines[0]):
        return None, problems + [problem("missing-front-matter", rel, 1, value=lines[0][:60])]
    close = next((i for i in range(1, len(lines)) if _DELIMITER.fullmatch(lines[i])), None)
    if close is None:
        return None, problems + [problem("unclosed-front-matter", rel, 1)]
    fm = "\n".join(lines[1:close])
    parsed = strict_yaml.parse_quick(fm, 2) if quick else HANDLER.parse(fm, first_line=2)
    for issue in parsed.issues:
        params = dict(issue.params)
        fld = params.pop("field", None)
        problems.append(problem(issue.code, rel, issue.line, field=fld, **params))
    if parsed.fatal:
        return None, problems
    if not isinstance(parsed.data, dict):
        kind = "空的" if parsed.data is None else ("一个列表" if isinstance(parsed.data, list)
                                                   else "一段文字")
        return None, problems + [problem("front-matter-not-mapping", rel, 2, kind=kind)]
    body = "\n".join(lines[close + 1:])
    return Document(path=rel, folder=folder, meta=parsed.data, lines=parsed.lines, body=body,
                    body_line=close + 2, end_line=close + 1), problems


def project_path(root: Path, file: Path) -> str:
    """`file` relative to the project root, with forward slashes; a link is named as itself,
    never as the file it points to."""
    return _relative(root, file)


def _relative(root: Path, file: Path) -> str:
    return _named(_unfollowed(file), _unfollowed(root), file)


def _named(path: Path, top: Path, file: Path) -> str:
    """`file` (resolved: `path`) relative to `top` (resolved), else as given."""
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        return file.as_posix()


def _folder_of(path: Path, content: Path, file: Path) -> str:
    """The folder below content/ (resolved: `content`) that holds `file` (resolved: `path`)."""
    try:
        rel = path.relative_to(content)
    except ValueError:
        return file.parent.name
    return rel.parts[0] if len(rel.parts) > 1 else ""


def _unfollowed(path: Path) -> Path:
    """An absolute path whose folders are resolved but whose last part is not followed:
    a link is named as itself, and a link loop cannot stop the loader."""
    path = Path(os.path.abspath(path))
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):
        return path
