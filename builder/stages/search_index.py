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
given every Han character as a word of its own (spaces between them, in the copies of the
pages it is handed, which nobody is served), and Sunlight's search script looks a query up as
the phrase of its characters: exact substring search, the same in every browser. Nothing here
decides content.

No files in between: Pagefind runs as a service (`pagefind_extended --service`, a process a
bundle) that takes each page over its stdin and hands the index back over its stdout, so neither the pages it reads nor the files it makes pass through the disk (creating
and deleting thousands of small files cost more system time than Pagefind's own work). Each
message is base64 of a JSON object followed by a comma; the service answers every request in
the order it came, so the pages are indexed in the order they are sent (their paths') and the
index's bytes follow from the pages alone.

Bundles: Pagefind holds everything it indexes in memory (about 60 MiB and 70 KB a page), so
the pages are indexed in bundles of at most PAGES_PER_BUNDLE, in the order of their paths,
each by a service process of its own, one after another: the first bundle is
`pagefind/` (a site of one bundle is laid out as Pagefind lays it out), the n-th
`pagefind/part-n/` (its own metadata, word chunks, filters and fragments; the script and
WebAssembly are the first's), and `pagefind/parts.json` lists the others. search.js merges
them into one search (Pagefind's mergeIndex): one ranking, filters and their counts over all
bundles.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ctypes
import gzip
import hashlib
import itertools
import json
import os
import queue
import re
import select
import subprocess
import threading
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import cbor2

BUNDLE = "pagefind"
# Pages a bundle indexes at most: a service's peak then stays near 60 MiB + 70 KB × 1 000
# whatever the site's size (130 MiB at 10 000 records, against 219 MiB for 2 000), which
# with the build's own memory beside it keeps the whole build under its 300 MiB target.
# Bundles of 1 000 also made a query fetch less than bundles of 2 000 (at 10 000 records at
# most 218 KB gzipped before the first results, against 281 KB; benchmarks/bench_search.py).
# A constant, not a setting: it changes no page and no result, only memory and file counts.
PAGES_PER_BUNDLE = 1000
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
# Between two Han characters: a zero-width match, replaced by a literal space (a template
# replacement such as `\1 ` costs three times as much, over every page of the site).
_HAN_GAP = re.compile(f"(?<=[{_HAN}])(?=[{_HAN}])")
_SPACED_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")
# A tag: what lies between two of them is the text that gets spaced (attributes never are).
_TAG = re.compile(r"(<[^>]*>)")
_LANG = re.compile(r"<html\b[^>]*?\blang=\"([^\"]*)\"")
# Pagefind's data files are gzip-compressed and start with this signature once unpacked.
_SIGNATURE = b"pagefind_dcd"
TIMEOUT = 600  # seconds for the whole index; Pagefind indexes 1 000 record pages in about 1 s
# The end of the service's stderr kept for a message (it says little, and only when failing).
_SAID = 4000
# Requests sent and not yet answered, at most: the service reads its stdin into a queue with
# no bound while it indexes one page after another, so pages sent faster than it indexes them
# would wait in its memory on top of the index (up to a bundle's pages, tens of MB).
IN_FLIGHT = 64


class SearchIndexError(Exception):
    """Pagefind could not be found or run; the message says what to do, in Chinese."""


class Page(NamedTuple):
    """One page as Pagefind is handed it: the bundle it belongs to (1, 2, …), its URL on the
    site, and its HTML from the search mark on, Han characters spaced."""
    bundle: int
    url: str
    html: str


def inputs(site_dir: Path, per_bundle: int | None = None) -> Iterator[Page]:
    """The pages Pagefind reads: every HTML page of the built site that marks a search body,
    from that mark to its end (the theme's header and navigation are never indexed), in the
    page's language, with a space between Han characters in the text, numbered by bundle
    (`per_bundle` pages each, PAGES_PER_BUNDLE unless given, in the order of their paths).
    Yielded one page at a time, for `index` to send on at once: all of them together are the
    size of the site's record pages (about 120 MB at 10 000 records)."""
    size = per_bundle or PAGES_PER_BUNDLE
    count = 0
    for page in _html_files(site_dir):
        text = page.read_text(encoding="utf-8", errors="replace")
        mark = text.find(BODY_MARK)
        if mark < 0:
            continue
        lang = _LANG.search(text, 0, mark)
        start = text.rfind("<", 0, mark)
        head = (f'<!DOCTYPE html><html lang="{lang.group(1) if lang else ""}"><head>'
                '<meta charset="utf-8"></head><body>')
        parts = _TAG.split(text[start:])
        parts[::2] = [space_han(part) for part in parts[::2]]
        rel = page.relative_to(site_dir).as_posix()
        url = "/" + (rel[:-len("index.html")] if rel.rsplit("/", 1)[-1] == "index.html" else rel)
        yield Page(count // size + 1, url, head + "".join(parts))
        count += 1


def _html_files(folder: Path) -> Iterator[Path]:
    """The HTML files under `folder` in the order of their paths (`sorted(rglob("*.html"))`'s:
    a folder's entries by name, a subfolder's files where its name falls), found one folder
    at a time: the list of every page of a large site (a folder a record), held while all
    of them are indexed, is memory beside Pagefind's services."""
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        if entry.is_dir(follow_symlinks=False):
            yield from _html_files(Path(entry.path))
        elif entry.name.endswith(".html"):
            yield Path(entry.path)


def index(pages: Iterable[Page], work_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Index `pages` (what `inputs` yields, taken one at a time) with Pagefind's service
    running in `work_dir`, a bundle after another, and yield what a browser needs, as
    (`pagefind/…`, bytes): the first bundle in `pagefind/`, the n-th in `pagefind/part-n/`,
    and `pagefind/parts.json` last. Each bundle's files come as soon as its service has
    ended, before the next bundle is started: written as they come, they are never all held
    (the index of 10 000 records is about 10 000 files), and nothing of a bundle is left
    in memory beside the next bundle's service. Raises SearchIndexError (while iterated)."""
    parts = []
    number = 0
    for number, bundle in itertools.groupby(pages, key=lambda page: page.bundle):
        yield from _indexed(bundle, number, work_dir).items()
        if number > 1:
            parts.append(f"part-{number}/")
    if not number:                    # no page at all: an empty index, for search.js to load
        yield from _indexed(iter(()), 1, work_dir).items()
    yield f"{BUNDLE}/{PARTS}", json.dumps(parts).encode("utf-8")


def _indexed(pages: Iterator[Page], number: int, work_dir: Path) -> dict[str, bytes]:
    """Bundle `number` of the index, made of `pages` by a service process of its own: a
    process does not give back all of an index's memory when the index is dropped (three
    bundles of 2 000 pages in one process peaked 20–35 MiB above one), and starting one costs
    about 8 ms."""
    _trim_memory()
    with _Service(work_dir) as service:
        files = service.index(pages)
    first = number == 1
    return _bundle(files, BUNDLE if first else f"{BUNDLE}/part-{number}",
                   _SERVED if first else _SERVED_PART)


def _trim_memory() -> None:
    """Hand the C allocator's free memory back to the system (glibc's malloc_trim): what
    the last bundle's files let go (decoded after its service ended) otherwise stays
    resident beside the next service. Elsewhere than on glibc nothing is done."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _bundle(files: list[dict[str, str]], prefix: str, served: re.Pattern[str]
            ) -> dict[str, bytes]:
    """One bundle's files as the service handed them: those a browser needs, under
    `prefix`, made canonical."""
    try:
        bundle = {f"{prefix}/{file['path']}": base64.b64decode(file["content"], validate=True)
                  for file in sorted(files, key=lambda f: f["path"])
                  if served.fullmatch(file["path"])}
        if f"{prefix}/pagefind-entry.json" not in bundle or (
                served is _SERVED and f"{prefix}/pagefind.js" not in bundle):
            raise SearchIndexError("生成搜索索引失败：Pagefind 没有交回 pagefind.js")
        return _canonical(bundle, prefix)
    except (ValueError, IndexError, KeyError, TypeError, OSError, EOFError, zlib.error,
            cbor2.CBORDecodeError) as exc:
        raise SearchIndexError(f"生成搜索索引失败：无法读取 Pagefind 交回的文件（{exc}）；"
                               f"Sunlight 只认 Pagefind 1.5.2。{_REINSTALL}") from None


# The type of the service's answer to each type of request, where the two differ.
_ANSWERS = {"AddFile": "IndexedFile"}


class _Stopped(Exception):
    """The sender is told to stop: the reader has ended the service."""


class _Service:
    """One `pagefind_extended --service` process and the conversation with it: a thread
    sends the requests, at most IN_FLIGHT ahead, while this one reads the answers (either
    side alone would fill a pipe the other is not emptying), each answer checked against the
    request it belongs to.
    Everything that goes wrong — the binary missing, dying, answering an error or what is no
    answer, or taking longer than TIMEOUT (it is killed) — is a SearchIndexError."""

    def __init__(self, work_dir: Path) -> None:
        command = [str(executable()), "--service"]
        # Pagefind also reads PAGEFIND_* variables and a pagefind.yml in its working folder:
        # neither may change what a build produces.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        self.deadline = time.monotonic() + TIMEOUT
        try:
            self.process = subprocess.Popen(command, cwd=work_dir, env=env,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE)
        except OSError as exc:
            raise SearchIndexError(f"无法运行搜索索引程序 {command[0]}：{exc.strerror or exc}"
                                   f"。{_REINSTALL}") from None
        # What the service wrote and no message has taken yet: chunks as they were read, the
        # first from `start` on; a comma (the end of a message) only in the last one.
        self.received: list[bytes] = []
        self.start = 0
        self.said = bytearray()
        self.said_open = True
        self.finished = False
        # What the sender sent, in order, for the reader to expect (then how it stopped);
        # and the index each new bundle got, for the sender (None: stop).
        self.sent: queue.Queue[tuple[str, int]] = queue.Queue()
        self.failure: BaseException | None = None
        self.index_ids: queue.Queue[int | None] = queue.Queue()
        self.in_flight = threading.Semaphore(IN_FLIGHT)
        self.stopping = False
        self.sender: threading.Thread | None = None

    def __enter__(self) -> _Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, pages: Iterator[Page]) -> list[Any]:
        """The files the service made of `pages`, sent as they come.

        The answer holding the files (about 2 MB a bundle) is read as it comes but decoded
        only once the service has ended: decoding it takes several times its size, which
        beside the service at its largest (it then holds the whole bundle's index) was the
        peak of the build's memory."""
        self.sender = threading.Thread(target=self._send, args=(pages,), daemon=True)
        self.sender.start()
        files: tuple[list[bytes], int] = ([], 0)  # GetFiles' answer and id ("end" follows)
        while True:
            kind, message_id = self._next_sent()
            if kind == "end":
                self.finished = True
                self.close()
                payload = self._checked(self._decoded(files[0]), files[1], "GetFiles")
                if not isinstance(payload.get("files"), list):
                    raise self._garbage(f"没有文件列表：{str(payload)[:200]}")
                return payload["files"]
            if kind == "GetFiles":
                files = self._raw_message(), message_id
                self.in_flight.release()
                continue
            payload = self._answer(message_id, kind)
            self.in_flight.release()
            if kind == "NewIndex":
                if type(payload.get("index_id")) is not int:
                    raise self._garbage(f"新索引没有编号：{str(payload)[:200]}")
                self.index_ids.put(payload["index_id"])

    def close(self) -> None:
        """Let the service end (its stdin closed once every answer is in) or kill it; reap
        it and the sender."""
        if not self.finished:
            self.process.kill()
        self.stopping = True
        self.index_ids.put(None)
        self.in_flight.release(IN_FLIGHT)
        if self.sender is not None:
            self.sender.join()
        try:
            self.process.stdin.close()
        except OSError:  # a killed service's broken pipe, with requests still buffered
            pass
        try:
            self.process.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()

    # --- the sender's side (a thread of its own) --------------------------------------

    def _send(self, pages: Iterator[Page]) -> None:
        """NewIndex, AddFile for each page, then GetFiles; each request goes to `sent` before
        it is written, and how the sending stopped goes there last."""
        pipe = self.process.stdin
        message_id = 0

        def request(payload: dict[str, Any]) -> None:
            nonlocal message_id
            self.in_flight.acquire()
            if self.stopping:
                raise _Stopped
            message_id += 1
            self.sent.put((payload["type"], message_id))
            pipe.write(base64.b64encode(json.dumps(
                {"message_id": message_id, "payload": payload},
                ensure_ascii=False).encode("utf-8")) + b",")
            # Out at once: the reader waits for its answer, whatever comes (or fails) next.
            pipe.flush()

        try:
            request({"type": "NewIndex", "config": None})
            index_id = self.index_ids.get()  # awaited before any page is sent
            if index_id is None:
                return
            for page in pages:
                request({"type": "AddFile", "index_id": index_id, "url": page.url,
                         "file_contents": page.html, "file_path": None})
            request({"type": "GetFiles", "index_id": index_id})
            self.sent.put(("end", 0))
        except _Stopped:                  # the reader gave up first
            pass
        except BrokenPipeError:           # the service is gone: the reader finds out how
            self.sent.put(("gone", 0))
        except BaseException as exc:      # reading the pages failed: raised in the reader
            self.failure = exc
            self.sent.put(("failed", 0))

    # --- the reader's side -------------------------------------------------------------

    def _next_sent(self) -> tuple[str, int]:
        """The next request the sender sent, or how it stopped."""
        while True:
            try:
                item = self.sent.get(timeout=min(0.5, self._left()))
            except queue.Empty:
                # Nothing sent for a while (the pages are slow to come): keep the service's
                # output flowing meanwhile, so that it never waits on a full pipe.
                self._read(0)
                continue
            if item[0] == "failed":
                raise self.failure
            if item[0] == "gone":
                while self._read(self._left()):
                    pass
                raise self._ended()
            return item

    def _answer(self, message_id: int, kind: str) -> dict[str, Any]:
        """The payload answering request `message_id` of type `kind`."""
        return self._checked(self._decoded(self._raw_message()), message_id, kind)

    def _checked(self, answer: Any, message_id: int, kind: str) -> dict[str, Any]:
        """The payload of `answer`, which must answer request `message_id` of type `kind`."""
        payload = answer.get("payload") if isinstance(answer, dict) else None
        if not isinstance(payload, dict):
            raise self._garbage(f"没有 payload：{str(answer)[:200]}")
        if payload.get("type") == "Error":
            raise SearchIndexError(f"生成搜索索引失败：Pagefind 报告错误：{payload.get('message')}")
        if answer.get("message_id") != message_id or \
                payload.get("type") != _ANSWERS.get(kind, kind):
            raise self._garbage(f"等的是第 {message_id} 条请求（{kind}）的回答，收到的是"
                                f"第 {answer.get('message_id')} 条（{payload.get('type')}）")
        return payload

    def _raw_message(self) -> list[bytes]:
        """The next message of the service as it came (base64), in the pieces it was read in,
        taken out of `received`. The pieces are joined only when it is decoded: one buffer
        grown at each read was moved again and again (touching four times the 2 MB of a
        bundle's files), and the files are decoded only once their service has ended."""
        while True:
            if self.received:
                last = self.received[-1]
                end = last.find(b",", self.start if len(self.received) == 1 else 0)
                if end >= 0:
                    first, *middle = self.received
                    raw = [last[self.start:end]] if len(self.received) == 1 else [
                        first[self.start:], *middle[:-1], last[:end]]
                    self.received, self.start = [last], end + 1
                    return raw
            if not self._read(self._left()):
                raise self._ended()

    def _decoded(self, raw: list[bytes]) -> Any:
        """A message of the service (base64 of JSON), decoded."""
        whole = b"".join(raw)
        try:
            return json.loads(binascii.a2b_base64(whole, strict_mode=True))
        except (ValueError, RecursionError) as exc:  # base64, UTF-8, JSON alike
            raise self._garbage(f"{exc}；开头是 {whole[:60]!r}") from None

    def _read(self, wait: float) -> bool:
        """Whatever the service wrote within `wait` seconds (stdout to `received`, stderr to
        `said`); False once its stdout has ended. Past the deadline it is killed."""
        out, err = self.process.stdout.fileno(), self.process.stderr.fileno()
        ready, _, _ = select.select([out, err] if self.said_open else [out], [], [], wait)
        if not ready and wait > 0:
            self._left()                  # raises once the deadline has passed
        if err in ready:
            self._hear(err)
        if out in ready:
            chunk = os.read(out, 1 << 20)
            if not chunk:
                return False
            if len(self.received) == 1 and self.start == len(self.received[0]):
                self.received, self.start = [], 0     # every message in it was taken
            self.received.append(chunk)
        return True

    def _hear(self, err: int) -> None:
        """Read what the service wrote on stderr (its last words are kept)."""
        chunk = os.read(err, 1 << 16)
        self.said_open = bool(chunk)
        self.said += chunk
        del self.said[:-_SAID]

    def _ended(self) -> SearchIndexError:
        """The service closed its output: what it said, with its exit code."""
        try:
            self.process.wait(timeout=self._left())
        except subprocess.TimeoutExpired:
            self._left()
        err = self.process.stderr.fileno()
        while self.said_open and select.select([err], [], [], 0.1)[0]:
            self._hear(err)
        said = self.said.decode("utf-8", errors="replace").strip()
        return SearchIndexError(f"生成搜索索引失败（Pagefind 退出码 {self.process.returncode}）："
                                f"{said[-800:] or '没有输出'}")

    def _left(self) -> float:
        """Seconds left before the deadline; past it the service is killed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.process.kill()
            raise SearchIndexError(f"生成搜索索引超时（Pagefind 运行超过 {TIMEOUT} 秒）")
        return left

    def _garbage(self, what: str) -> SearchIndexError:
        return SearchIndexError(f"生成搜索索引失败：Pagefind 的回答无法读取（{what}）；"
                                f"Sunlight 只认 Pagefind 1.5.2。{_REINSTALL}")


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
    return _HAN_GAP.sub(" ", text)


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
    found: list[str] | None = []
    try:
        if body[:1] == b"{":
            _collect(json.loads(bytes(body)), found)
        else:
            found = _cbor_strings(body)
    except (ValueError, RecursionError):
        found = None
    if found is None:
        # Unreadable as its format: every UTF-8 run in it still counts.
        found = [bytes(body).decode("utf-8", errors="replace")]
    return [unspace_han(s) for s in found]


def _collect(value: Any, into: list[str]) -> None:
    """The strings of a decoded JSON value, keys included, in document order."""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, list):
        for item in value:
            _collect(item, into)
    elif isinstance(value, dict):
        for key, item in value.items():
            into.append(key)
            _collect(item, into)


# Any CBOR data item but a string, as its head and argument: an integer (major types 0
# and 1), the head of an array or a map (4, 5; their items follow as items of their own), a
# tag (6), a simple value or a float (7), and the heads and the end of indefinite arrays and
# maps. CBOR is read as the flat sequence of items it is, each head telling its own length,
# so a run of these is skipped by the regular expression engine in one call: a word chunk is
# mostly page and position numbers (2.6 million at 10 000 records), and a decoder that made a
# Python object of each spent most of the leak guard's time on them.
_NOT_A_STRING = re.compile(
    rb"(?:[\x00-\x17\x20-\x37\x80-\x97\xa0-\xb7\xc0-\xd7\xe0-\xf7\x9f\xbf\xff]"
    rb"|[\x18\x38\x98\xb8\xd8\xf8][\x00-\xff]"
    rb"|[\x19\x39\x99\xb9\xd9\xf9][\x00-\xff]{2}"
    rb"|[\x1a\x3a\x9a\xba\xda\xfa][\x00-\xff]{4}"
    rb"|[\x1b\x3b\x9b\xbb\xdb\xfb][\x00-\xff]{8})*+")


def _cbor_strings(body: memoryview) -> list[str] | None:
    """Every text and byte string of a CBOR sequence, in order, by walking its items: not one
    byte goes unaccounted for, whatever arrays and maps say about their lengths (a string a
    structured decoder would stop before is still read). None where a byte is no head of a
    definite item or an item runs past the end: the caller then reads the file as text."""
    found: list[str] = []
    skip, end, position = _NOT_A_STRING.match, len(body), 0
    while True:
        position = skip(body, position).end()
        if position == end:
            return found
        head = body[position]
        info = head & 0x1F
        if head >> 5 not in (2, 3) or info > 27:  # reserved, or an indefinite-length string
            return None
        if info < 24:
            length, position = info, position + 1
        else:
            size = 1 << (info - 24)
            length = int.from_bytes(body[position + 1:position + 1 + size], "big")
            position += 1 + size
        if position + length > end:
            return None
        found.append(str(body[position:position + length], "utf-8", "replace"))
        position += length


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
