"""Stage 7, search index: Pagefind over the finished site → a chunked static index.

mkdocs-material's search sends every visitor the whole index in one file (11 MB at 10 000
records). Pagefind splits it into chunks by word and one fragment per page, so a visitor
downloads what one query needs. It runs after the engine, over the output folder: the pages
whose template marks a `data-pagefind-body` (record pages and tombstones) are indexed, with
the filters and metadata their `data-pagefind-filter`/`-meta` attributes carry; listings,
dashboards and the change log carry no such mark and stay out.

Chinese: Pagefind's indexer segments Chinese with a jieba dictionary and its browser code
segments a query with the browser's own (ICU) dictionary; where they disagree (种质 is one
word to one and two to the other) a word inside a sentence is not found. So the indexer is
given every Han character as a word of its own (spaces between them, in copies of the pages
that nobody is served), and Sunlight's search script looks a query up as the phrase of its
characters: exact substring search, the same in every browser. Nothing here decides content.

Bundles: Pagefind holds everything it indexes in memory (about 60 MiB and 70 KB a page), so
the pages are indexed in bundles of at most PAGES_PER_BUNDLE, in the order of their paths,
one Pagefind run after another: the first bundle is `pagefind/` (a site of one bundle is
laid out as Pagefind lays it out), the n-th `pagefind/part-n/` (its own metadata, word
chunks, filters and fragments; the script and WebAssembly are the first's), and
`pagefind/parts.json` lists the others. search.js merges them into one search
(Pagefind's mergeIndex): one ranking, filters and their counts over all bundles.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterator

import cbor2

BUNDLE = "pagefind"
# Pages a Pagefind run indexes at most: its peak then stays near 60 MiB + 110 KB × 2 000
# whatever the site's size (282 MiB a run at 10 000 records, whose pages are larger than at
# 1 000), under the build's 300 MiB target; larger bundles would mean fewer files for a query
# to fetch (benchmarks/bench_search.py), smaller ones a lower peak.
# A constant, not a setting: it changes no page and no result, only memory and file counts.
PAGES_PER_BUNDLE = 2000
# The bundles after the first, as folders under pagefind/ (a JSON list), for search.js.
PARTS = "parts.json"
# The page attribute that puts a page in the index (templates/record.html, tombstone.html).
BODY_MARK = "data-pagefind-body"
# What a browser needs of Pagefind's output: its search script and worker, the index entry,
# metadata, WebAssembly, word chunks, filters and page fragments. Pagefind's own UI bundles
# are left out (templates/assets/search.js is the UI).
_SERVED = re.compile(r"(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json"
                     r"|pagefind\.[\w-]+\.pf_meta|wasm\.[\w-]+\.pagefind"
                     r"|(index|fragment|filter)/[\w-]+\.pf_(index|fragment|filter))")
# What a later bundle needs: Pagefind loads the script and WebAssembly once, from the first.
_SERVED_PART = re.compile(r"(pagefind-entry\.json|pagefind\.[\w-]+\.pf_meta"
                          r"|(index|fragment|filter)/[\w-]+\.pf_(index|fragment|filter))")
# Han characters, the same ranges as templates/assets/search.js.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_PAIR = re.compile(f"([{_HAN}])(?=[{_HAN}])")
_SPACED_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")
_TEXT = re.compile(r">([^<]+)")
_LANG = re.compile(r"<html\b[^>]*?\blang=\"([^\"]*)\"")
# Pagefind's data files are gzip-compressed and start with this signature once unpacked.
_SIGNATURE = b"pagefind_dcd"
TIMEOUT = 600  # seconds; Pagefind indexes 1 000 record pages in about 1 s


class SearchIndexError(Exception):
    """Pagefind could not be found or run; the message says what to do, in Chinese."""


def inputs(site_dir: Path, per_bundle: int | None = None) -> Iterator[tuple[str, bytes]]:
    """The pages Pagefind reads: every HTML page of the built site that marks a search body,
    from that mark to its end (the theme's header and navigation are never indexed), in the
    page's language, with a space between Han characters in the text, each under the folder
    of its bundle (`1/…`, `2/…`: `per_bundle` pages each, PAGES_PER_BUNDLE unless given, in
    the order of their paths). Yielded one page at a time, for the writer to put on disk at
    once: all of them together are the size of the site's record pages (about 120 MB at
    10 000 records)."""
    size = per_bundle or PAGES_PER_BUNDLE
    count = 0
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        mark = text.find(BODY_MARK)
        if mark < 0:
            continue
        lang = _LANG.search(text, 0, mark)
        start = text.rfind("<", 0, mark)
        head = (f'<!DOCTYPE html><html lang="{lang.group(1) if lang else ""}"><head>'
                '<meta charset="utf-8"></head><body>')
        cut = _TEXT.sub(lambda m: ">" + space_han(m.group(1)), text[start:])
        yield (f"{count // size + 1}/{page.relative_to(site_dir).as_posix()}",
               (head + cut).encode("utf-8"))
        count += 1


def index(pages_dir: Path, work_dir: Path) -> dict[str, bytes]:
    """Run Pagefind over each bundle of `pages_dir` (what `inputs` returned, written out), one
    run after another, and return what a browser needs, as `pagefind/…` → bytes: the first
    bundle in `pagefind/`, the n-th in `pagefind/part-n/`, and `pagefind/parts.json`.
    Raises SearchIndexError."""
    bundles = sorted((p for p in pages_dir.glob("*") if p.name.isdigit()), key=lambda p: int(p.name))
    out: dict[str, bytes] = {}
    parts = []
    for number, pages in enumerate(bundles or [pages_dir / "1"], start=1):
        prefix = BUNDLE if number == 1 else f"{BUNDLE}/part-{number}"
        out |= _run(pages, work_dir / f"{BUNDLE}-{number}", prefix,
                    _SERVED if number == 1 else _SERVED_PART)
        if number > 1:
            parts.append(f"part-{number}/")
    out[f"{BUNDLE}/{PARTS}"] = json.dumps(parts).encode("utf-8")
    return out


def _run(pages: Path, output: Path, prefix: str, served: re.Pattern[str]) -> dict[str, bytes]:
    """One Pagefind run over the folder `pages`: its files a browser needs, under `prefix`."""
    command = [str(executable()), "--site", str(pages.resolve()),
               "--output-path", str(output.resolve()), "--silent"]
    # Pagefind also reads PAGEFIND_* variables and a pagefind.yml in its working folder:
    # neither may change what a build produces.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    try:
        done = subprocess.run(command, cwd=output.parent, env=env, capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"生成搜索索引超时（Pagefind 运行超过 {TIMEOUT} 秒）") from None
    except OSError as exc:
        raise SearchIndexError(f"无法运行搜索索引程序 {command[0]}：{exc.strerror or exc}"
                               f"。{_REINSTALL}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", errors="replace").strip()
        raise SearchIndexError(f"生成搜索索引失败（Pagefind 退出码 {done.returncode}）："
                               f"{said[-800:] or '没有输出'}")
    bundle = {f"{prefix}/{p.relative_to(output).as_posix()}": p.read_bytes()
              for p in sorted(output.rglob("*"))
              if p.is_file() and served.fullmatch(p.relative_to(output).as_posix())}
    if f"{prefix}/pagefind-entry.json" not in bundle or (
            served is _SERVED and f"{prefix}/pagefind.js" not in bundle):
        raise SearchIndexError("生成搜索索引失败：Pagefind 没有写出 pagefind.js")
    try:
        return _canonical(bundle, prefix)
    except (ValueError, IndexError, KeyError, TypeError, OSError, EOFError, zlib.error,
            cbor2.CBORDecodeError) as exc:
        raise SearchIndexError(f"生成搜索索引失败：无法读取 Pagefind 写出的文件（{exc}）；"
                               f"Sunlight 只认 Pagefind 1.5.2。{_REINSTALL}") from None


_REINSTALL = "请重新安装依赖：pip install 'pagefind[extended]==1.5.2'（或 make setup）"


def executable() -> Path:
    """The extended Pagefind binary (Chinese segmentation), shipped by the PyPI wheel."""
    try:
        from pagefind_bin_extended import get_executable
        return Path(get_executable())
    except (ImportError, FileNotFoundError):
        raise SearchIndexError(f"没有找到搜索索引程序 Pagefind（扩展版）。{_REINSTALL}") from None


def space_han(text: str) -> str:
    """A space between every two Han characters: each becomes a word of the index."""
    return _HAN_PAIR.sub(r"\1 ", text)


def unspace_han(text: str) -> str:
    """`space_han` undone (and the zero-width spaces Pagefind puts between words dropped):
    the text as the page shows it."""
    return _SPACED_HAN.sub("", text.replace("\u200b", ""))


# --- Pagefind's files: made canonical, and read back (the leak guard reads every output byte) --


def _canonical(files: dict[str, bytes], prefix: str = BUNDLE) -> dict[str, bytes]:
    """The same content gives the same bytes: Pagefind writes the values of each filter and
    the list of filters in its metadata in hash-map order, which changes from run to run.
    Sort them, and name the rewritten files by their content as Pagefind does."""
    renamed: dict[str, str] = {}
    out = dict(files)
    for path, raw in files.items():
        if path.endswith(".pf_filter"):
            name, values = _unpack(raw)
            data = _pack([name, sorted(values, key=lambda v: v[0])])
            lang = path.rsplit("/", 1)[1].split("_")[0]
            new = f"{prefix}/filter/{lang}_{_digest(data, 7)}.pf_filter"
            renamed[_stem(path)] = _stem(new)
            del out[path]
            out[new] = _gzip(data)
    for path, raw in files.items():
        if path.endswith(".pf_meta"):
            meta = _unpack(raw)
            # [version, pages, word chunks, filters: [[name, file]], sorts, metadata keys]
            meta[3] = sorted([name, renamed.get(file, file)] for name, file in meta[3])
            data = _pack(meta)
            old = path.rsplit("/", 1)[1].split(".")[1]
            new = f"{old.split('_')[0]}_{_digest(data, 10)}"
            del out[path]
            out[f"{prefix}/pagefind.{new}.pf_meta"] = _gzip(data)
            entry = f"{prefix}/pagefind-entry.json"
            out[entry] = out[entry].replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    return out


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[1].split(".")[0]


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _gzip(data: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + data, compresslevel=9, mtime=0)


def _unpack(raw: bytes) -> Any:
    data = gzip.decompress(raw)
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind data file")
    return cbor2.loads(memoryview(data)[len(_SIGNATURE):])


def strings(raw: bytes) -> list[str] | None:
    """Every string inside one of Pagefind's data files (fragments: JSON; word chunks,
    filters and metadata: CBOR), as the page showed it; None for any other file."""
    try:
        data = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        return None
    if not data.startswith(_SIGNATURE):
        return None
    body = memoryview(data)[len(_SIGNATURE):]
    found: list[str] = []
    try:
        # cbor2's compiled decoder: the pure-Python one cost most of the leak guard's time.
        value = json.loads(bytes(body)) if body[:1] == b"{" else cbor2.loads(body)
        _collect(value, found)
    except (ValueError, IndexError, TypeError, RecursionError, cbor2.CBORDecodeError):
        # Unreadable as its format, or holding what Pagefind never writes (a tagged value
        # decoded into an object): every UTF-8 run in it still counts.
        found = [bytes(body).decode("utf-8", errors="replace")]
    return [unspace_han(s) for s in found]


def _collect(value: Any, into: list[str]) -> None:
    """The strings of a decoded JSON or CBOR value, keys included, in document order.
    Word chunks are mostly long lists of page and position numbers: those are skipped first."""
    kind = type(value)
    if kind is str:
        into.append(value)
    elif kind is list or kind is tuple:
        for item in value:
            if type(item) is not int:
                _collect(item, into)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            into.append(key if type(key) is str else str(key))
            _collect(item, into)
    elif isinstance(value, cbor2.CBORTag):
        _collect(value.value, into)
    elif not isinstance(value, (int, float, bytes, type(None))):
        raise TypeError(f"unexpected {kind.__name__} in a Pagefind file")


def _pack(value: Any) -> bytes:
    """CBOR of integers, strings and arrays, each in its shortest form (what Pagefind's
    metadata and filter files hold)."""
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise ValueError(f"cannot write {type(value).__name__} as CBOR here")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    return _cbor_head(4, len(value)) + b"".join(_pack(item) for item in value)


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("CBOR length too large")
