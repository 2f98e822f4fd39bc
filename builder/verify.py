"""Stage 7, verify: the leak guard. After a public build, scan every output byte for every
value the public must not see; one hit fails the build.

What must not appear: the text of internal fields, of internal body blocks, and of every
record the audience may not see (including its ID). Output is decoded the way a reader or a
crawler would: HTML entities unescaped, tags removed, JSON strings decoded (the search index
stores Chinese as \\uXXXX escapes) and jieba's zero-width spaces dropped. One Aho-Corasick
pass per file keeps this linear in output size, however many values there are.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import ahocorasick

from .body import INTERNAL_CLOSE, INTERNAL_OPEN, strip_internal
from .model import FieldSpec, Model
from .project import Audience, visible
from .records import Record

MIN_LENGTH = 6   # shorter values are too likely to occur by chance in public text
_TAG = re.compile(r"<[^>]*>")
_RUN = re.compile(r"[^\s*_`#\[\]()<>|!>:：，。、；;,.]{%d,}" % MIN_LENGTH)
# Short plain words ("internal", "function") occur in any theme asset: not evidence of a leak.
_COMMON_WORD = re.compile(r"/?[A-Za-z]{1,11}")
_TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".csv", ".txt", ".js", ".css", ".svg", ".md"}


@dataclass(frozen=True)
class Secret:
    value: str
    record: str
    field: str


@dataclass(frozen=True)
class Leak:
    secret: Secret
    file: str


def secrets(records: list[Record], model: Model, as_of: date,
            audience: Audience = Audience.PUBLIC, body: str | None = None) -> list[Secret]:
    """Every value `audience` must not see. Public builds: internal fields and blocks, and
    all of non-public records. Internal builds: all of the restricted records this body may
    not see (another body's unverified leads).

    Derived from the records and the schema, not from the projection, so a bug in the
    projection cannot hide its own leaks. A value that also occurs in public content (a
    shared name, a common phrase) is no leak and is left out: a hit always means something
    internal got out."""
    found: dict[str, Secret] = {}
    public_texts: list[str] = []

    def add(value: str, record: Record, field: str) -> None:
        for run in _RUN.findall(value):
            if not _COMMON_WORD.fullmatch(run):
                found.setdefault(run, Secret(run, record.id, field))

    for record in records:
        specs = model.types[record.type].fields
        hidden = not visible(record, model, audience, as_of, body)
        public = audience is Audience.PUBLIC
        if hidden and len(record.id) >= MIN_LENGTH:
            found.setdefault(record.id, Secret(record.id, record.id, "id"))
        for name, value in record.fields.items():
            spec = specs.get(name)
            secret_field = hidden or (public and _internal(spec))
            for text, field, secret in _strings(value, spec, name, secret_field):
                if secret:
                    add(text, record, field)
                else:
                    public_texts.append(text)
        if hidden:
            for line in record.body.split("\n"):
                if not (INTERNAL_OPEN.fullmatch(line) or INTERNAL_CLOSE.fullmatch(line)):
                    add(line, record, "正文")
        elif public:
            for line in _internal_lines(record.body):
                add(line, record, "正文（内部内容）")
            public_texts.append(strip_internal(record.body))
        else:
            public_texts.append(record.body)
    if not found:
        return []
    automaton = _automaton(found.values())
    corpus = "\n".join([*public_texts, *_model_texts(model)])
    for _, secret in automaton.iter(corpus):
        found.pop(secret.value, None)
    return list(found.values())


def _internal(spec: FieldSpec | None) -> bool:
    return spec is None or spec.internal


def _automaton(items: Iterable[Secret]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for secret in items:
        automaton.add_word(secret.value, secret)
    automaton.make_automaton()
    return automaton


def _strings(value: Any, spec: FieldSpec | None, path: str, secret: bool
             ) -> Iterable[tuple[str, str, bool]]:
    """Free-text values under a field, each with whether it is internal-only."""
    if spec is not None and spec.type == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, spec.items, f"{path}[{i}]", secret)
    elif spec is not None and spec.type == "object" and isinstance(value, dict):
        for key, item in value.items():
            sub = spec.fields.get(key)
            yield from _strings(item, sub, f"{path}.{key}", secret or _internal(sub))
    elif isinstance(value, str) and (spec is None or spec.type in ("string", "text", "id")):
        yield value, path, secret


def _internal_lines(body: str) -> list[str]:
    lines, inside = [], False
    for line in body.split("\n"):
        if INTERNAL_OPEN.fullmatch(line):
            inside = True
        elif INTERNAL_CLOSE.fullmatch(line):
            inside = False
        elif inside:
            lines.append(line)
    return lines


def _model_texts(model: Model) -> Iterable[str]:
    """Public words that come from configuration: registry names and schema labels."""
    for entry in (*model.registry.bodies.values(), *model.registry.units.values()):
        yield entry.name
        yield entry.short
    for rtype in model.types.values():
        yield rtype.label
        yield rtype.description
        for spec in rtype.fields.values():
            if not spec.internal:
                yield spec.label
                yield spec.description
                yield from spec.values.values()
        for status in rtype.lifecycle.statuses.values():
            yield status.label


def scan(out_dir: Path, found: list[Secret]) -> list[Leak]:
    """Every (secret, file) hit in the built site."""
    if not found:
        return []
    automaton = _automaton(found)
    leaks: list[Leak] = []
    for file in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        text = readable_text(file)
        seen: set[str] = set()
        for _, secret in automaton.iter(text):
            if secret.value not in seen:
                seen.add(secret.value)
                leaks.append(Leak(secret, file.relative_to(out_dir).as_posix()))
    return leaks


def readable_text(file: Path) -> str:
    """A file's text as every consumer could read it, concatenated."""
    raw = file.read_bytes()
    if file.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            pass
        file = file.with_suffix("")
    text = raw.decode("utf-8", errors="replace")
    parts = [text]
    if file.suffix == ".json":
        try:
            parts.append("\n".join(_json_strings(json.loads(text))))
        except ValueError:
            pass
    elif file.suffix not in _TEXT_SUFFIXES:
        return text  # binary assets: raw bytes decoded leniently are enough
    joined = "\n".join(parts)
    unescaped = html.unescape(joined)
    return "\n".join((joined, unescaped, html.unescape(_TAG.sub("", unescaped)))).replace("\u200b", "")


def _json_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
