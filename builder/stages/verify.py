"""Stage 7, verify: the leak guard. After a build, look in every place the output shows
content for every value the audience must not see; one hit fails the build.

What is secret is derived from the records and the schema, never from the projection, so a
bug in the projection cannot hide its own leaks: the text of internal fields and internal
body blocks, and everything of the records the audience may not see (their ID included).

What is *not* secret, although an internal value may contain it, because public output
legitimately holds it:

- dates, times and short numbers (a note `电话督办 2020-09-30`: the date is not the secret);
- text that also occurs in what the audience may see, again derived from records and schema
  (public fields of visible records, typed ones as they are shown: dates, enum labels,
  registry names), in the model's labels, and in the site's own chrome (site settings, the
  base MkDocs configuration, the template folders, and Sunlight's own source, which is
  public code).

Three ways to find a secret, each one linear in output size:

1. Text runs of at least MIN_LENGTH characters, between spaces and punctuation, as
   substrings (one Aho-Corasick pass per file).
2. Whole values of any length from two characters (a name like `王芳`), as a whole text node
   of a page or feed, a whole JSON string or a whole CSV cell. Too short to search for
   inside running text, they are caught where a field is shown as a field.
3. Internal fields *as fields*, whatever their type (date, integer, enum, reference, short
   text): a record the audience sees must not carry one as a key of its object in
   `data/records.json`, a filled cell of its column in `data/records.csv`, or a row of the
   facts list on its page. Typed values (a date, `satisfied`, `ly-lyj`) are far too common
   to search for as text; their protection is the projection's allow-list, checked here by
   where they would be shown. Typed fields of a hidden record are protected through the
   record: its ID (a secret, 1 or 2) is on every page, row and object that shows it.

Where content is shown: an HTML page's article and title (not the theme's header,
navigation and footer, which hold the site name and theme words), and the whole of every
other file — search index, feeds, sitemap, data files. `assets/` is not read: it holds the
theme's and the template folders' static files, into which nothing from records is written.
Output is decoded the way a reader or a crawler would: HTML entities unescaped, tags
removed, JSON strings decoded, zero-width spaces dropped, and Pagefind's search index
(`pagefind/`: gzip-compressed JSON fragments and CBOR word chunks, filters and metadata)
unpacked by search_index.strings. Short body lines (under MIN_LENGTH) are not checked.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import gzip
import hashlib
import html
import io
import json
import os
import re
import sys
from dataclasses import dataclass, replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from functools import lru_cache
from typing import Any, Iterable

import ahocorasick

from ..text.record_body import INTERNAL_CLOSE, INTERNAL_OPEN, strip_internal
from . import opendata, search_index
from .cache import beside_code, digest, keep_beside_code
from ..model.model import FieldSpec, Model
from .projection import Audience, visible
from ..model.records import Record
from ..model.roles import RecordIndex

MIN_LENGTH = 6   # shorter runs are too likely to occur by chance inside public text
TEXT, VALUE, FIELD = "text", "value", "field"   # how a secret is looked for (see above)
BODY, INTERNAL_BLOCK = "正文", "正文（内部内容）"   # Secret.field of body text
_TAG = re.compile(r"<[^>]*>")
_RUN = re.compile(r"[^\s*_`#\[\]()<>|!>:：，。、；;,.]{%d,}" % MIN_LENGTH)
# Short plain words ("internal", "function") occur in any theme asset: not evidence of a leak.
_COMMON_WORD = re.compile(r"/?[A-Za-z]{1,11}")
# Dates, times, years, counts and percentages: every public page is full of them. Longer
# digit groups (telephone, account or ID-card numbers) stay secret.
_CHANCE = re.compile(r"[\d\-/.:：年月日号时分%％~～至]*")
_LONG_DIGITS = re.compile(r"\d{5,}")
_NODE = re.compile(r">([^<>]+)<")
# Words: numbers, Latin words and runs of other letters (Chinese) apart, so that “145整改事项”
# and “co_bodies_name” are made of known parts.
_WORD = re.compile(r"\d+|[A-Za-z]+|[^\W\dA-Za-z_]+")
_TEXT_SUFFIXES = {".html", ".htm", ".json", ".xml", ".csv", ".txt", ".js", ".css", ".svg", ".md"}
_CHROME_SUFFIXES = {".html", ".htm", ".js", ".css", ".svg", ".yml", ".yaml", ".md"}
_SOURCE = Path(__file__).resolve().parents[1]   # the whole builder/ package
_OPEN_DATA = "data/records"


@dataclass(frozen=True)
class Secret:
    value: str
    record: str
    field: str              # where in the record: `contact`, `deadline_extensions[0].reason`, 正文
    label: str = ""         # the field as an editor knows it: its Chinese label
    hidden: bool = False    # the whole record is not for this audience
    match: str = TEXT       # TEXT, VALUE or FIELD (see the module docstring)
    path: tuple = ()        # FIELD: the path of the value inside the record's object
    page: str = ""          # FIELD: the record's own page


@dataclass(frozen=True)
class Leak:
    secret: Secret
    file: str
    context: str = ""       # the text around the hit, as a reader sees it
    place: str = ""         # what kind of output: 页面正文, 搜索索引, 开放数据 …

    def message(self) -> str:
        """One sentence for the editor: which record, which field, which file, what text."""
        s = self.secret
        record = f"不公开的记录 {s.record}" if s.hidden else f"记录 {s.record}"
        if s.field == INTERNAL_BLOCK:
            what = f"{record} {s.label}"
        elif s.field == BODY:
            what = f"{record} 的正文"
        else:
            what = f"{record} 的{'' if s.hidden else '内部字段'}“{s.label or s.field}”（{s.field}）"
        return f"泄露：{what}出现在 {self.file}（{self.place}）：“{self.context}”"


# --- what is secret -----------------------------------------------------------------------


def secrets(records: list[Record], model: Model, as_of: date,
            audience: Audience = Audience.PUBLIC, body: str | None = None,
            chrome: Iterable[str] = ()) -> list[Secret]:
    """Every value `audience` must not see. Public builds: internal fields and blocks, and
    all of non-public records. Internal builds: all of the restricted records this body may
    not see (another body's unverified leads). `chrome`: the texts the site ships with
    (see `chrome`), which are public whatever a record says."""
    runs: dict[str, Secret] = {}
    values: dict[str, Secret] = {}
    fields: dict[tuple, Secret] = {}
    public_texts: list[str] = []
    public_values: set[str] = set()
    public = audience is Audience.PUBLIC
    index = RecordIndex(records, model)   # 索引号 a record page shows (its body's pattern)

    def add(text: str, secret: Secret) -> None:
        for run in _RUN.findall(text):
            if not _by_chance(run):
                runs.setdefault(run, replace(secret, value=run))

    def add_value(text: str, secret: Secret) -> None:
        text = text.strip()
        if len(text) >= 2 and not _by_chance(text):
            values.setdefault(text, replace(secret, value=text, match=VALUE))

    for record in records:
        rtype = model.types[record.type]
        hidden = not visible(record, model, audience, as_of, body)
        if hidden:
            secret = Secret(record.id, record.id, "id", "编号", hidden=True)
            if len(record.id) >= MIN_LENGTH:
                runs.setdefault(record.id, secret)
            else:
                add_value(record.id, secret)
        for name, value in record.fields.items():
            spec = rtype.fields.get(name)
            for leaf in _leaves(value, spec, (name,), hidden or (public and _internal(spec))):
                shown = _shown(leaf.value, leaf.spec, model)
                if not leaf.secret:
                    public_texts.extend(shown)
                    public_values.update(s.strip() for s in shown)
                    continue
                secret = Secret(str(leaf.value), record.id, _dotted(leaf.path),
                                leaf.spec.label if leaf.spec else "", hidden)
                if leaf.spec is None or leaf.spec.type in _FREE_TEXT:
                    for text in shown:
                        add(text, secret)
                        add_value(text, secret)
                if not hidden:
                    fields.setdefault((record.id, leaf.path), replace(
                        secret, match=FIELD, path=leaf.path,
                        page=f"{record.type}/{record.id}/index.html"))
        number = None if hidden else index.index_number(record)
        if number:
            public_texts.append(number)
            public_values.add(number)
        if hidden:
            for line in record.body.split("\n"):
                if not (INTERNAL_OPEN.fullmatch(line) or INTERNAL_CLOSE.fullmatch(line)):
                    add(line, Secret("", record.id, BODY, "正文", hidden=True))
        elif public:
            for line in _internal_lines(record.body):
                add(line, Secret("", record.id, INTERNAL_BLOCK, "正文中的内部内容"))
            public_texts.append(strip_internal(record.body))
        else:
            public_texts.append(record.body)
    # A hidden record's ID is public only if a public record names it; an example in code
    # or configuration says nothing about this record.
    ids = {v: s for v, s in runs.items() if s.field == "id"}
    _drop_known(ids, "\n".join(public_texts))
    runs = {v: s for v, s in runs.items() if s.field != "id"}
    known = "\n".join([*public_texts, *_model_texts(model), *chrome])
    words = set(_WORD.findall(known)) | public_values
    _drop_known(runs, known)
    runs.update(ids)
    _drop_known(values, known, longer_than=MIN_LENGTH - 1)
    runs, values = _drop_composed(runs, words, known), _drop_composed(values, words, known)
    return [*runs.values(), *values.values(), *_labelled(fields.values(), model)]


_FREE_TEXT = ("string", "text", "id")


@dataclass(frozen=True)
class _Leaf:
    value: Any
    spec: FieldSpec | None
    path: tuple
    secret: bool


def _leaves(value: Any, spec: FieldSpec | None, path: tuple, secret: bool) -> Iterable[_Leaf]:
    """Every scalar under a field, with its spec and whether it is for this audience only."""
    if spec is not None and spec.type == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, spec.items, (*path, i), secret)
    elif spec is not None and spec.type == "object" and isinstance(value, dict):
        for key, item in value.items():
            sub = spec.fields.get(key)
            yield from _leaves(item, sub, (*path, key), secret or _internal(sub))
    elif value is not None and not isinstance(value, (list, dict)):
        yield _Leaf(value, spec, path, secret)


def _shown(value: Any, spec: FieldSpec | None, model: Model) -> list[str]:
    """A scalar as pages and data files show it. References to records are left out: the
    record they name may be hidden, and its ID must stay a secret."""
    kind = spec.type if spec is not None else "string"
    if isinstance(value, date):
        return [value.isoformat()]
    if kind == "enum":
        return [str(value), spec.values.get(value, "")]
    if kind == "ref":
        entries = model.registry.entries(spec.to[0]) if spec.to[0] in ("body", "unit") else {}
        return [str(value), entries[value].name, entries[value].short] if value in entries else []
    return [str(value)]


def _by_chance(text: str) -> bool:
    """Text every public page holds by chance: a date, a number, a common word."""
    return bool(_COMMON_WORD.fullmatch(text) or _number(text))


def _number(text: str) -> bool:
    return bool(_CHANCE.fullmatch(text) and not _LONG_DIGITS.search(text))


def _drop_known(found: dict[str, Secret], known: str, longer_than: int = 0) -> None:
    """Leave out every secret that occurs in public text: a hit must mean something got out."""
    for value in _occurring([v for v in found if len(v) > longer_than], known):
        found.pop(value, None)


def _occurring(texts: Iterable[str], known: str) -> set[str]:
    """Which of `texts` occur in `known`, in one pass."""
    automaton = ahocorasick.Automaton()
    for text in texts:
        automaton.add_word(text, text)
    if not len(automaton):
        return set()
    automaton.make_automaton()
    return {text for _, text in automaton.iter(known)}


def _drop_composed(found: dict[str, Secret], words: set[str], known: str
                   ) -> dict[str, Secret]:
    """Leave out values made only of public words, dates and numbers (“ZG-2023-001 加快…”,
    a line quoting a public title): they tell nothing. A hidden record's ID stays: that the
    record exists is the secret."""
    parts = {value: _WORD.findall(value) for value in found}
    long_known = _occurring({w for ws in parts.values() for w in ws
                             if len(w) >= MIN_LENGTH and w not in words}, known)
    return {value: secret for value, secret in found.items()
            if secret.field == "id" or
            not all(w in words or w in long_known or _number(w) for w in parts[value])}


def _labelled(found: Iterable[Secret], model: Model) -> list[Secret]:
    """FIELD secrets, each with the label its facts-table row would carry. A label that a
    public field of the same type also carries says nothing and is left blank."""
    out = []
    for secret in found:
        rtype = model.types[secret.page.split("/")[0]]
        public_labels = {spec.label for spec in _all_specs(rtype.fields.values())
                         if not spec.internal}
        label = "" if secret.label in public_labels else secret.label
        out.append(replace(secret, value=label))
    return out


def _all_specs(specs: Iterable[FieldSpec]) -> Iterable[FieldSpec]:
    for spec in specs:
        yield spec
        if spec.items is not None:
            yield from _all_specs([spec.items])
        yield from _all_specs(spec.fields.values())


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                   for i, p in enumerate(path))


def _internal(spec: FieldSpec | None) -> bool:
    return spec is None or spec.internal


def _automaton(items: Iterable[Secret]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for secret in items:
        automaton.add_word(secret.value, secret)
    automaton.make_automaton()
    return automaton


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
    """Public words that come from configuration: site settings, registry names and schema
    labels."""
    yield from (str(v) for v in model.site.values())
    # The open-data documentation (data package, JSON Schemas) is computed from the model alone.
    yield json.dumps(opendata.data_package(model, opendata.table_columns(model)),
                     ensure_ascii=False)
    for rtype in opendata.publishable_types(model).values():
        yield json.dumps(opendata.record_schema(rtype, model), ensure_ascii=False)
    for entry in (*model.registry.bodies.values(), *model.registry.units.values()):
        yield entry.name
        yield entry.short
    for rtype in model.types.values():
        yield rtype.label
        yield rtype.description
        yield rtype.name
        for spec in _all_specs(rtype.fields.values()):
            if not spec.internal:
                yield from (spec.name, spec.label, spec.description)
                yield from (f"{k} {v}" for k, v in spec.values.items())
        for status in rtype.lifecycle.statuses.values():
            yield from (status.name, status.label)
    # Declared figures, dashboards and pages: their titles, labels and definitions are shown.
    yield from _strings((model.statistics, model.dashboards, model.pages))


def _strings(value: Any) -> Iterable[str]:
    """Every string inside a declaration (dataclasses, mappings and sequences of them)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _strings(item)


def chrome(template_dirs: Iterable[Path], base_config: Path) -> list[str]:
    """The text a site ships with rather than takes from its records: the template folders,
    the base MkDocs configuration and the string literals of Sunlight's own code (public
    code, whose phrases such as 现行整改期限 appear on pages)."""
    files = [base_config]
    for folder in template_dirs:
        files += [p for p in folder.rglob("*") if p.suffix in _CHROME_SUFFIXES]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files if p.is_file()]
    return [*texts, *code_literals()]


LITERALS = "sunlight-literals"     # file name stem in builder/__pycache__/


@lru_cache(maxsize=1)
def code_literals() -> tuple[str, ...]:
    """`_code_literals()`, kept between processes beside Python's own bytecode of builder/
    (`builder/__pycache__/`), under the SHA-256 of every module's bytes and the Python
    version: parsing builder/ is most of an unchanged build's fixed cost (about 0.18 s
    against a few ms to read the file). Not in the project's page cache: that folder may be
    restored from elsewhere (a CI cache), and what counts as public must never come from
    it. A folder where Python may write its bytecode is trusted as much as the code itself.
    Written only where Python writes bytecode (not under PYTHONDONTWRITEBYTECODE, nor in a
    read-only installation); a file that is not a list of strings is no file."""
    sources = _sources()
    key = digest(sys.version, sorted((name, hashlib.sha256(data).hexdigest())
                                     for name, data in sources.items()))
    stored = beside_code(_SOURCE, LITERALS, key)
    try:
        found = json.loads(stored) if stored is not None else None
    except ValueError:
        found = None
    if isinstance(found, list) and all(isinstance(s, str) for s in found):
        return tuple(found)
    literals = _literals_of(sources)
    # ASCII JSON: a literal may hold any code point, a lone surrogate included.
    keep_beside_code(_SOURCE, LITERALS, key, json.dumps(literals).encode("ascii"))
    return literals


def _sources() -> dict[str, bytes]:
    """builder/'s modules by relative path, in a stable order."""
    return {module.relative_to(_SOURCE).as_posix(): module.read_bytes()
            for module in sorted(_SOURCE.rglob("*.py"))}


@lru_cache(maxsize=1)
def _code_literals() -> tuple[str, ...]:
    """Every string literal in builder/, docstrings excepted: those hold examples of
    record values, and an example must not make a real value look public."""
    return _literals_of(_sources())


def _literals_of(sources: dict[str, bytes]) -> tuple[str, ...]:
    """The string literals of these modules, docstrings excepted (see `_code_literals`)."""
    found = []
    holders = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for source in sources.values():
        docstrings: set[int] = set()
        # One walk (parsing is most of the cost, a walk a third of it): the walk is breadth
        # first, so a docstring's holder always comes before the docstring itself.
        # Line ends read as Path.read_text reads them (universal newlines).
        text = source.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, holders):
                if node.body and isinstance(node.body[0], ast.Expr):
                    docstrings.add(id(node.body[0].value))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                found.append(node.value)
    return tuple(found)


# --- where it got out ---------------------------------------------------------------------


def scan(out_dir: Path, found: list[Secret]) -> list[Leak]:
    """Every (secret, file) hit in the built site, the record's own page first."""
    if not found:
        return []
    runs = [s for s in found if s.match == TEXT]
    automaton = _automaton(runs) if runs else None
    values = {s.value: s for s in found if s.match == VALUE}
    leaks: list[Leak] = []
    for rel, file in _files(out_dir):
        texts, nodes = shown_parts(file)
        place = _place(rel)
        seen: set[str] = set()
        fields_hit: set[tuple[str, str]] = set()
        for text in texts if automaton else ():
            for end, secret in automaton.iter(text):
                if secret.value not in seen:
                    seen.add(secret.value)
                    fields_hit.add((secret.record, secret.field))
                    leaks.append(Leak(secret, rel, _around(text, end + 1 - len(secret.value),
                                                           end + 1), place))
        for node in sorted(nodes & values.keys()):
            # A long value already found through its runs is one leak, not two.
            if (values[node].record, values[node].field) not in fields_hit:
                leaks.append(Leak(values[node], rel, node, place))
    leaks += _field_leaks(out_dir, [s for s in found if s.match == FIELD])
    return sorted(leaks, key=_rank)


def _files(out_dir: Path) -> list[tuple[str, Path]]:
    """Every file of the site but those under assets/, by relative path, in the order of their
    paths' parts. Listed from directory entries, which carry their types (no stat call a file,
    and no Path object but the file's). Like a glob, folders behind symbolic links are not
    entered; a link to a file is read. A folder that is not there holds nothing to read (a
    preview's folder of changed files when nothing changed)."""
    found: list[tuple[str, Path]] = []
    pending = [("", os.fspath(out_dir))] if out_dir.is_dir() else []
    while pending:
        prefix, top = pending.pop()
        with os.scandir(top) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if rel != "assets":
                        pending.append((rel + "/", entry.path))
                elif entry.is_file():
                    found.append((rel, Path(entry.path)))
    return sorted(found, key=lambda item: item[0].split("/"))


def _rank(leak: Leak) -> tuple:
    """The record's own page first, then other pages, then data, search and feeds; chrome-
    only pages (404.html) last. An editor reads the first line."""
    own = f"/{leak.secret.record}/" in f"/{leak.file}"
    kind = 0 if own else 3 if leak.file == "404.html" else 1 if leak.file.endswith(".html") else 2
    return (kind, leak.secret.record, leak.file, leak.secret.field)


def _place(rel: str) -> str:
    if rel.endswith((".html", ".htm")):
        return "页面正文"
    if rel.startswith((f"{search_index.BUNDLE}/", "search/")):
        return "搜索索引"
    if rel.startswith("data/"):
        return "开放数据"
    if rel.startswith("feeds/"):
        return "订阅源"
    if rel.startswith("sitemap"):
        return "站点地图"
    return "网站文件"


def _around(text: str, start: int, end: int, width: int = 20) -> str:
    return " ".join(text[max(0, start - width):end + width].split())


def shown_text(file: Path) -> tuple[str, set[str]]:
    """Where a file shows content, as every consumer could read it: its text (readable
    versions first, for the report) and its whole values (text nodes, JSON strings, CSV
    cells)."""
    texts, nodes = shown_parts(file)
    return "\n".join(texts), nodes


def shown_parts(file: Path) -> tuple[list[str], set[str]]:
    """`shown_text` with the versions of the text apart and each only once: no secret spans
    two of them (a text run ends at a line break), and joined they were several copies of
    the largest data file (records.json: about 60 MB at 5 000 records)."""
    raw = file.read_bytes()
    found = search_index.strings(raw) if file.suffix.startswith(".pf_") else None
    if found is not None:
        # Pagefind's page fragments, word chunks, filters and metadata, unpacked, with the
        # spaces it was given between Han characters taken out again.
        return ["\n".join(found)], {s.strip() for s in found}
    if file.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            pass
        file = file.with_suffix("")
    # utf-8-sig: records.csv starts with a byte-order mark (for Excel), which is no text.
    text = raw.decode("utf-8-sig", errors="replace")
    if file.suffix not in _TEXT_SUFFIXES:
        return [text], set()  # binary files: raw bytes decoded leniently are enough
    if file.suffix in (".html", ".htm"):
        text = _content_region(text)
    parts, nodes, marked_up = [text], set(), [text]
    if file.suffix == ".json":
        try:
            strings = list(_json_strings(json.loads(text)))
        except ValueError:
            strings = []
        parts.insert(0, "\n".join(strings))
        nodes.update(strings)
        marked_up = strings   # markup inside strings (the search index holds page HTML)
    elif file.suffix == ".csv":
        nodes.update(cell for row in csv.reader(io.StringIO(text)) for cell in row)
    joined = "\n".join(parts)
    unescaped = html.unescape(joined)
    readable = html.unescape(_TAG.sub("", unescaped))
    for source in marked_up:
        # Text without a character reference unescapes to itself: its nodes are read once.
        for variant in (source, html.unescape(source)) if "&" in source else (source,):
            nodes.update(map(html.unescape, _NODE.findall(variant)))
    nodes = {n.replace("\u200b", "").strip() for n in nodes}
    texts: list[str] = []
    for version in (readable, unescaped, joined):
        version = version.replace("\u200b", "")
        if version not in texts:
            texts.append(version)
    return texts, nodes


def _content_region(page: str) -> str:
    """A page's title and article: what the page shows of records, without the theme's
    header, navigation and footer. A page without an article is read whole."""
    start, end = page.find("<article"), page.rfind("</article>")
    if start < 0 or end < start:
        return page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    return (title.group(1) if title else "") + "\n" + page[start:end]


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


# --- internal fields shown as fields --------------------------------------------------------


def _field_leaks(out_dir: Path, found: list[Secret]) -> list[Leak]:
    """FIELD secrets: the internal field of a visible record, shown in open data or in the
    facts list of the record's page."""
    if not found:
        return []
    by_record: dict[str, list[Secret]] = {}
    for secret in found:
        by_record.setdefault(secret.record, []).append(secret)
    leaks = _open_data_leaks(out_dir, by_record)
    for record, secrets_ in by_record.items():
        page = out_dir / secrets_[0].page
        if not page.is_file():
            continue
        table = _facts_table(page.read_text(encoding="utf-8", errors="replace"))
        labels = {html.unescape(_TAG.sub("", th)).strip() for _, th in _TH.findall(table)}
        for secret in secrets_:
            wanted = {secret.value, f"{secret.value}（内部）"} - {"", "（内部）"}
            # Parsing rows is slow next to finding labels: only for a label that is there.
            for label, row in _facts_rows(table) if wanted & labels else ():
                if label in wanted:
                    shown = row.removeprefix(label).strip()
                    leaks.append(Leak(secret, secrets_[0].page,
                                      f"基本情况表中的“{label}”一栏：{shown}", "页面正文"))
    return leaks


def _open_data_leaks(out_dir: Path, by_record: dict[str, list[Secret]]) -> list[Leak]:
    leaks = []
    data = out_dir / f"{_OPEN_DATA}.json"
    if data.is_file():
        try:
            objects = json.loads(data.read_text(encoding="utf-8")).get("records", [])
        except (ValueError, AttributeError):
            objects = []
        for obj in objects if isinstance(objects, list) else []:
            for secret in by_record.get(obj.get("id") if isinstance(obj, dict) else None, []):
                found = _at(obj, secret.path)
                if found is not _MISSING:
                    leaks.append(Leak(secret, f"{_OPEN_DATA}.json",
                                      f"{secret.record} 的 {secret.field}：{found}", "开放数据"))
    table = out_dir / f"{_OPEN_DATA}.csv"
    if table.is_file():
        rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
        for row in rows:
            for secret in by_record.get(row.get("id"), []):
                cell = row.get(secret.path[0]) or ""
                found = cell if len(secret.path) == 1 else _at(_json_or(cell), secret.path[1:])
                if found not in ("", _MISSING):
                    leaks.append(Leak(secret, f"{_OPEN_DATA}.csv",
                                      f"{secret.record} 的 {secret.field}：{found}", "开放数据"))
    return leaks


_MISSING = object()


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _MISSING
    return value


def _json_or(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# The facts list of a record page (`<dl data-facts>`: one `<div><dt>label</dt><dd>value</dd>
# </div>` per field) and the tables nested in its values (lists of objects): containers, rows
# and labels of both, read by one parser.
_FACTS_CONTAINERS, _FACTS_ROWS, _FACTS_LABELS = ("dl", "table"), ("div", "tr"), ("dt", "th")


class _FactsTable(HTMLParser):
    """The (label, row text) of every row of a page's facts list, nested tables included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, str]] = []
        self._depth = 0                                   # containers open inside the facts
        self._open: list[tuple[list[str], list[str]]] = []  # open rows: text, labels
        self._th: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _FACTS_CONTAINERS and (self._depth or any(k == "data-facts" for k, _ in attrs)):
            self._depth += 1
        elif self._depth and tag in _FACTS_ROWS:
            self._open.append(([], []))
        elif self._depth and tag in _FACTS_LABELS:
            self._th = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _FACTS_CONTAINERS and self._depth:
            self._depth -= 1
        elif self._th is not None and tag in _FACTS_LABELS:
            if self._open:
                self._open[-1][1].append("".join(self._th).strip())
            self._th = None
        elif self._depth and tag in _FACTS_ROWS and self._open:
            text, labels = self._open.pop()
            self.rows += [(label, " ".join("".join(text).split())) for label in labels]

    def handle_data(self, data: str) -> None:
        if self._th is not None:
            self._th.append(data)
        for text, _ in self._open:
            text.append(data)


_LIST_TAG = re.compile(r"<(/?)dl\b")
_FACTS_TABLE = re.compile(r"<dl\b[^>]*\bdata-facts\b")
_TH = re.compile(r"<(dt|th)\b[^>]*>(.*?)</\1>", re.S)


def _facts_table(page: str) -> str:
    """The facts list of a page (nested lists and tables included), or ""."""
    table = _FACTS_TABLE.search(page)
    if table is None:
        return ""
    depth = 0
    for tag in _LIST_TAG.finditer(page, table.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return page[table.start():tag.end()] + ">"
    return page[table.start():]


def _facts_rows(table: str) -> list[tuple[str, str]]:
    parser = _FactsTable()
    parser.feed(table)
    return parser.rows


def first_leaks(leaks: list[Leak]) -> list[tuple[Leak, int]]:
    """Each leaked value once, at its first (best-ranked) file, with how many other files
    hold it: one line per leak for the editor, not one per page."""
    firsts: dict[tuple, Leak] = {}
    counts: dict[tuple, int] = {}
    for leak in leaks:
        key = (leak.secret.record, leak.secret.field, leak.secret.value, leak.secret.match)
        firsts.setdefault(key, leak)
        counts[key] = counts.get(key, 0) + 1
    return [(leak, counts[key] - 1) for key, leak in firsts.items()]
