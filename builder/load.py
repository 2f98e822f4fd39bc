"""Stage 1, load: read record files into Documents, strictly.

python-frontmatter (like MkDocs) silently turns a file with a BOM, without front matter or
with an unclosed one into page text, which would publish internal fields as body text. So the
structure is checked line by line here first; only then does python-frontmatter's handler
interface, fitted with our strict YAML, read the metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import frontmatter

from . import strict_yaml
from .problems import Problem, problem

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


def find_record_files(content_dir: Path, paths: Iterable[Path] | None = None) -> list[Path]:
    """Record files: every *.md below content/, except top-level notes such as README.md."""
    if paths:
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files.extend(f for f in p.rglob("*.md") if _is_record_file(content_dir, f))
            else:
                files.append(p)
        return sorted(set(files))
    return sorted(f for f in content_dir.rglob("*.md") if _is_record_file(content_dir, f))


def _is_record_file(content_dir: Path, file: Path) -> bool:
    try:
        rel = file.resolve().relative_to(content_dir.resolve())
    except ValueError:
        return True
    return len(rel.parts) > 1 and not any(part.startswith(".") for part in rel.parts)


def load(root: Path, content_dir: Path, paths: Iterable[Path] | None = None
         ) -> tuple[list[Document], list[Problem]]:
    """Read every record file. Returns the documents that could be read and all problems."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in find_record_files(content_dir, paths):
        doc, found = load_file(root, content_dir, file)
        problems.extend(found)
        if doc is not None:
            documents.append(doc)
    return documents, problems


def load_file(root: Path, content_dir: Path, file: Path) -> tuple[Document | None, list[Problem]]:
    """Read one record file. Never raises on bad content."""
    rel = _relative(root, file)
    folder = _folder(content_dir, file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [problem("unreadable-file", rel, 1, detail=str(exc.strerror))]
    return parse_bytes(raw, rel, folder)


def parse_bytes(raw: bytes, rel: str, folder: str) -> tuple[Document | None, list[Problem]]:
    """Turn a file's bytes into a Document, or say precisely why not."""
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
    parsed = HANDLER.parse(fm, first_line=2)
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


def _relative(root: Path, file: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _folder(content_dir: Path, file: Path) -> str:
    try:
        rel = file.resolve().relative_to(content_dir.resolve())
    except ValueError:
        return file.parent.name
    return rel.parts[0] if len(rel.parts) > 1 else ""
