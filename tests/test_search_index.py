"""The search index stage (builder/stages/search_index.py) in real builds: what Pagefind
indexes (record pages of the audience, nothing else), that the same content gives the same
bytes, that the leak guard reads the index, and that a broken binary is a clear Chinese
message with exit 2. The browser side is tests/test_search_browser.py."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date
from pathlib import Path

import cbor2
import pytest
from click.testing import CliRunner
from hypothesis import example, given, strategies as st

from builder import pipeline
from builder.cli import cli
from builder.pipeline import Deployment, LeakDetected, build
from builder.stages import publish, search_index, verify
from builder.stages.projection import Audience

from conftest import (BASE_RECORDS, EXCHANGE, EXCHANGE_PATH, RECTIFICATION, RECTIFICATION_PATH,
                      edit, make_project, write_all)
from test_leak_guard import leaky_projection

AS_OF = date(2026, 11, 21)
CANARY = "督办CANARY内部备注七号"


def _fragments(site: Path) -> dict[str, dict]:
    """Every indexed page: URL → its fragment (Pagefind's JSON for one page)."""
    out = {}
    for path in (site / search_index.BUNDLE / "fragment").iterdir():
        data = json.loads(search_index.gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        out[data["url"]] = data
    return out


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    # An internal record, for the internal site's own index.
    write_all(root, {**BASE_RECORDS, EXCHANGE_PATH: edit(EXCHANGE, "lead: XS-2023-001\n", "")})
    return root


def test_record_pages_are_indexed_with_filters_and_metadata_and_nothing_else(root: Path) -> None:
    site = build(Deployment(root), root / "site", AS_OF).out_dir
    pages = _fragments(site)
    assert set(pages) == {"/plan/JH-2023-01/", "/item/SX-2023-001/", "/finding/WT-2023-001/",
                          "/rectification/ZG-2023-001/"}
    page = pages["/rectification/ZG-2023-001/"]
    assert page["meta"] == {"title": "加快林业项目资金拨付", "id": "ZG-2023-001", "type": "整改事项",
                            "status": "已完成", "body": "洛阳市人大常委会", "unit": "洛阳市林业局"}
    assert page["filters"] == {"type": ["整改事项"], "body": ["洛阳市人大常委会"],
                               "unit": ["洛阳市林业局"], "year": ["2023"], "status": ["已完成"]}
    text = search_index.unspace_han(page["content"])
    assert "加快林业项目资金拨付" in text and "整改正文" in text and "已拨付全部资金" in text
    # Labels, history and the footnote repeat on every page: not indexed.
    assert "本页由记录自动生成" not in text and "责任单位" not in text
    # Served: Pagefind's search script and data, not its own UI bundles.
    served = {p.name for p in (site / search_index.BUNDLE).iterdir() if p.is_file()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"} <= served
    # One bundle: Pagefind's own layout, and no other bundle to merge.
    assert (site / search_index.BUNDLE / search_index.PARTS).read_bytes() == b"[]"
    assert not [n for n in served if "-ui" in n or "highlight" in n]
    # The theme's search plugin is gone, and with it its single index file.
    assert not (site / "search").exists()


def test_each_audience_has_its_own_index(root: Path) -> None:
    public = build(Deployment(root), root / "site", AS_OF).out_dir
    internal = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    assert "/exchange/JL-2023-001/" in _fragments(internal)
    assert "/exchange/JL-2023-001/" not in _fragments(public)
    assert not [p for p in public.rglob("*") if p.is_file() and b"JL-2023-001" in p.read_bytes()]


def test_the_same_content_gives_the_same_index(root: Path, tmp_path: Path) -> None:
    first = build(Deployment(root), tmp_path / "one", AS_OF).out_dir
    second = build(Deployment(root), tmp_path / "two", AS_OF).out_dir

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes()
                for p in (site / search_index.BUNDLE).rglob("*") if p.is_file()}
    assert files(first) == files(second)
    assert len(files(first)) > 10


def test_the_leak_guard_reads_the_index(root: Path, monkeypatch) -> None:
    """An internal note a projection bug lets onto a record page is found in the page and in
    Pagefind's fragment of it (gzip, JSON, Han characters spaced apart in the index)."""
    write_all(root, {RECTIFICATION_PATH: edit(RECTIFICATION, "result: 已拨付全部资金。\n",
                                              f"result: 已拨付全部资金。\ninternal_note: {CANARY}\n")})
    build(Deployment(root), root / "site", AS_OF)            # the real projection: no leak
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(root), root / "site", AS_OF)
    found = {(leak.file.split("/")[0], leak.place) for leak in caught.value.leaks
             if leak.secret.value == CANARY}
    assert ("rectification", "页面正文") in found
    assert ("pagefind", "搜索索引") in found, caught.value.leaks


def test_pagefind_files_are_read_as_a_reader_would(root: Path) -> None:
    """The guard's reading of each kind of Pagefind file: fragments (JSON), word chunks,
    filters and metadata (CBOR)."""
    site = build(Deployment(root), root / "site", AS_OF).out_dir
    bundle = site / search_index.BUNDLE
    texts = [verify.shown_text(f) for f in (bundle / "fragment").iterdir()]
    text, nodes = next(shown for shown in texts if "/rectification/ZG-2023-001/" in shown[1])
    assert "加快林业项目资金拨付. ZG-2023-001 WT-2023-001 林业项目资金拨付滞后. 洛阳市林业局" in text
    assert {"加快林业项目资金拨付", "洛阳市林业局", "整改事项"} <= nodes    # metadata, filters
    words = set()
    for chunk in (bundle / "index").iterdir():
        words |= verify.shown_text(chunk)[1]
    assert {"林", "业", "zg", "2023"} <= words
    filters = set()
    for chunk in (bundle / "filter").iterdir():
        filters |= verify.shown_text(chunk)[1]
    assert {"洛阳市林业局", "整改事项", "已完成"} <= filters
    assert search_index.strings(b"not gzip") is None
    assert search_index.unspace_han(search_index.space_han("整改 ZG-2023-001 已完成")) == \
        "整改 ZG-2023-001 已完成"


def _pagefind_file(body: bytes) -> bytes:
    return gzip.compress(b"pagefind_dcd" + body)


def _strings_of(value: object) -> list[str]:
    """The strings of a value as it was before it was encoded, in order: keys before their
    values, byte strings as text, a tag's content."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("utf-8", errors="replace")]
    if isinstance(value, list):
        return [s for item in value for s in _strings_of(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings_of(item)]]
    if isinstance(value, cbor2.CBORTag):
        return _strings_of(value.value)
    return []


_CBOR = st.recursive(
    st.integers(-2 ** 64, 2 ** 64 - 1) | st.text() | st.binary() | st.booleans() | st.none()
    | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    | st.builds(cbor2.CBORTag, st.integers(40, 2 ** 32), inner),
    max_leaves=60)


# Every width of every head: arguments of 0, 1, 2, 4 and 8 bytes, of integers both signed,
# of strings, arrays and maps, and floats of 2, 4 and 8 bytes.
_WIDTHS = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 64 - 1]


@given(_CBOR)
@example([n for n in _WIDTHS] + [-1 - n for n in _WIDTHS] + ["a"] + [1.5, 1.1, 1e300])
@example(["a" * n for n in (23, 24, 255, 256, 65535, 65536)]
         + [b"b" * n for n in (23, 24, 255, 256, 65535, 65536)])
@example([list(range(n)) for n in (23, 24, 256, 65536)] + ["a"])
@example([{str(i): i for i in range(n)} for n in (23, 24, 256)] + ["a"])
@example([cbor2.CBORTag(tag, "t") for tag in (23, 24, 255, 256, 65536, 2 ** 32)])
def test_every_string_of_any_cbor_value_is_read_in_order(value: object) -> None:
    """Word chunks, filters and metadata are read as the flat sequence of items CBOR is: every
    text and byte string comes out, in document order, beside integers of every width, floats,
    simple values, tags, arrays and maps nested any way."""
    found = search_index.strings(_pagefind_file(cbor2.dumps(value)))
    assert found == [search_index.unspace_han(s) for s in _strings_of(value)]


def test_floats_and_simple_values_of_every_width_are_stepped_over() -> None:
    # Half, single and double floats, a one-byte simple value, true, null (cbor2 writes every
    # float as a double, so these are written by hand).
    body = (b"\x86\xf9\x3c\x00\xfa\x3f\x80\x00\x01\xfb\x3f\xf1\x99\x99\x99\x99\x99\x9a"
            b"\xf8\x20\xf5\xf6" + cbor2.dumps("内部意见"))
    assert search_index.strings(_pagefind_file(body)) == ["内部意见"]


@given(st.binary(max_size=300))
def test_any_bytes_in_a_pagefind_file_are_read_without_failing(body: bytes) -> None:
    found = search_index.strings(_pagefind_file(body))
    assert isinstance(found, list) and all(isinstance(s, str) for s in found)


def test_what_a_cbor_decoder_would_not_reach_is_read_all_the_same() -> None:
    """A string after the item a decoder reads, split into an indefinite-length string's
    chunks, cut off by the file's end, or behind a reserved byte still counts."""
    secret = "内部联系人王某某"
    after_the_item = cbor2.dumps([1, 2, 3]) + cbor2.dumps(secret)
    assert search_index.strings(_pagefind_file(after_the_item)) == [secret]
    chunked = b"\x82\x01\x7f" + cbor2.dumps(secret[:3]) + cbor2.dumps(secret[3:]) + b"\xff"
    cut = cbor2.dumps([[secret, [[5, [1, 2]]]]])[:-2]
    reserved = b"\x1c" + cbor2.dumps(secret)
    for body in (chunked, cut, reserved):
        found = "\n".join(search_index.strings(_pagefind_file(body)))
        assert secret[:3] in found and secret[3:] in found, body


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_missing_binary_is_a_usage_error_in_chinese(root: Path, monkeypatch) -> None:
    monkeypatch.setattr(search_index, "executable", lambda: Path("/nonexistent/pagefind"))
    result = _run("build", "--root", str(root), "--out", str(root / "site"), "--as-of", "2026-11-21")
    assert result.exit_code == 2
    assert "无法运行搜索索引程序" in result.output and "pagefind[extended]==1.5.2" in result.output
    assert "Traceback" not in result.output
    assert not (root / "site").exists()


def test_a_failing_binary_is_a_usage_error_with_its_words(root: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(search_index, "executable", lambda: broken)
    result = _run("build", "--root", str(root), "--out", str(root / "site"), "--as-of", "2026-11-21")
    assert result.exit_code == 2
    assert "生成搜索索引失败（Pagefind 退出码 3）：Error: something broke" in result.output
    assert "Traceback" not in result.output


def test_the_pages_go_to_pagefind_with_no_file_in_between(root: Path, tmp_path: Path) -> None:
    """`inputs` yields the pages one at a time (all of them at once are the size of the
    record pages) and `index` hands them to Pagefind's service as they come and yields its
    files a bundle at a time: nothing is written, neither the pages nor Pagefind's files, in
    its working folder or anywhere in the site."""
    site = build(Deployment(root), root / "site", AS_OF).out_dir
    before = sorted(p for p in site.rglob("*"))
    pages = search_index.inputs(site)
    assert not isinstance(pages, (dict, list, tuple))
    pages = list(pages)
    assert [(p.bundle, p.url) for p in pages] == [
        (1, "/finding/WT-2023-001/"), (1, "/item/SX-2023-001/"), (1, "/plan/JH-2023-01/"),
        (1, "/rectification/ZG-2023-001/")]
    work = tmp_path / "work"
    work.mkdir()
    index = search_index.index(iter(pages), work)
    assert not isinstance(index, (dict, list, tuple))
    index = dict(index)
    assert list(work.iterdir()) == []
    assert sorted(p for p in site.rglob("*")) == before
    assert index == {f"{search_index.BUNDLE}/{p.relative_to(site / search_index.BUNDLE)}":
                     p.read_bytes() for p in (site / search_index.BUNDLE).rglob("*") if p.is_file()}


def test_han_characters_are_spaced_in_the_text_and_never_in_a_tag(tmp_path: Path) -> None:
    """What Pagefind is handed of a page: from the tag holding the search mark on, in the
    page's language, a space between two Han characters of the text; attributes (filters,
    metadata, links) stay as they are. A page without the mark is not handed at all."""
    page = ('<!doctype html><html lang="zh"><head><title>整改事项</title></head><body>'
            '<nav>导航菜单</nav><article data-pagefind-body data-pagefind-meta="title:整改事项">'
            '<h1>加快资金拨付</h1><a href="/单位/" title="洛阳市林业局">林业局 ZG-1</a>'
            '<p>整改A措施，已完成。</p></article></body></html>')
    publish.write_tree(tmp_path, {"rectification/ZG-1/index.html": page.encode("utf-8"),
                                  "index.html": "<html><body>首页</body></html>".encode("utf-8")})
    assert list(search_index.inputs(tmp_path)) == [search_index.Page(
        1, "/rectification/ZG-1/",
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"></head><body>'
        '<article data-pagefind-body data-pagefind-meta="title:整改事项">'
        '<h1>加 快 资 金 拨 付</h1><a href="/单位/" title="洛阳市林业局">林 业 局 ZG-1</a>'
        '<p>整 改A措 施，已 完 成。</p></article></body></html>')]
    assert search_index.space_han("整改 ZG-2023-001 已完成") == "整 改 ZG-2023-001 已 完 成"


def _service(tmp_path: Path, script: str) -> Path:
    """A stand-in for Pagefind's binary: a shell script speaking (or not) its protocol."""
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    fake.chmod(0o755)
    return fake


def _answer(message: str) -> str:
    """A shell line that writes one message of the service's protocol (base64, then a comma)."""
    return f"printf '%s,' \"$(printf '%s' '{message}' | base64 -w0)\"\n"


PAGES = [search_index.Page(1, "/rectification/ZG-1/",
                           "<html><body data-pagefind-body>整 改</body></html>")]


def test_an_error_answered_by_pagefind_is_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    fake = _service(tmp_path, _answer('{"message_id":1,"payload":{"type":"Error","original_'
                                      'message":null,"message":"Invalid config supplied"}}')
                    + "exec cat >/dev/null\n")
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    with pytest.raises(search_index.SearchIndexError,
                       match="生成搜索索引失败：Pagefind 报告错误：Invalid config supplied"):
        dict(search_index.index(PAGES, tmp_path))


def test_garbage_from_pagefind_is_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    fake = _service(tmp_path, "printf 'Hello, world,'\nexec cat >/dev/null\n")
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    with pytest.raises(search_index.SearchIndexError, match="Pagefind 的回答无法读取"):
        dict(search_index.index(PAGES, tmp_path))
    # An answer to another request than the one sent is no answer either.
    fake = _service(tmp_path, _answer('{"message_id":1,"payload":{"type":"DeleteIndex"}}')
                    + "exec cat >/dev/null\n")
    with pytest.raises(search_index.SearchIndexError, match="等的是第 1 条请求（NewIndex）的回答"):
        dict(search_index.index(PAGES, tmp_path))


def test_pagefind_dying_halfway_is_its_exit_code_and_last_words(tmp_path: Path,
                                                                  monkeypatch) -> None:
    fake = _service(tmp_path, _answer('{"message_id":1,"payload":{"type":"NewIndex","index_id":0}}')
                    + "echo 'thread main panicked' >&2\nexit 101\n")
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    with pytest.raises(search_index.SearchIndexError,
                       match=r"生成搜索索引失败（Pagefind 退出码 101）：thread main panicked"):
        dict(search_index.index(PAGES * 500, tmp_path))


def test_pagefind_taking_too_long_is_killed(tmp_path: Path, monkeypatch) -> None:
    fake = _service(tmp_path, f"echo $$ > {tmp_path / 'pid'}\nexec sleep 60\n")
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    monkeypatch.setattr(search_index, "TIMEOUT", 1)
    with pytest.raises(search_index.SearchIndexError, match="生成搜索索引超时（Pagefind 运行超过 1 秒）"):
        dict(search_index.index(PAGES, tmp_path))
    with pytest.raises(ProcessLookupError):       # killed and reaped
        os.kill(int((tmp_path / "pid").read_text()), 0)


def test_a_page_that_cannot_be_read_is_not_blamed_on_pagefind(tmp_path: Path) -> None:
    """An error reading the pages (raised in the thread that sends them) reaches the build
    as it is, and the service is ended."""
    def pages():
        yield from PAGES
        raise PermissionError("页面无法读取")
    with pytest.raises(PermissionError, match="页面无法读取"):
        dict(search_index.index(pages(), tmp_path))


def test_a_large_site_is_indexed_in_bundles_byte_for_byte_the_same(root: Path, tmp_path: Path,
                                                                    monkeypatch) -> None:
    """Bundles of 2 pages split the 5 public record pages (in the order of their paths) among
    three Pagefind services one after another: pagefind/, pagefind/part-2/, pagefind/part-3/,
    listed in parts.json; the later bundles carry no script or WebAssembly of their own; two
    builds give the same bytes; the leak guard reads every bundle."""
    write_all(root, {"content/rectifications/ZG-2023-002.md": edit(
        RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002")})
    monkeypatch.setattr(search_index, "PAGES_PER_BUNDLE", 2)
    # The real binary, each start noted: a process a bundle, so one's memory is a bundle's.
    real, started = search_index.executable(), tmp_path / "started"
    fake = _service(tmp_path, f'echo "$@" >> {started}\nexec {real} "$@"\n')
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    first = build(Deployment(root), tmp_path / "one", AS_OF).out_dir
    assert started.read_text().splitlines() == ["--service"] * 3
    second = build(Deployment(root), tmp_path / "two", AS_OF).out_dir
    index = first / search_index.BUNDLE
    assert json.loads((index / search_index.PARTS).read_bytes()) == ["part-2/", "part-3/"]
    bundles = {}
    for folder in (index, index / "part-2", index / "part-3"):
        bundles[folder.name] = sorted(_fragments_in(folder))
    assert bundles == {"pagefind": ["/finding/WT-2023-001/", "/item/SX-2023-001/"],
                       "part-2": ["/plan/JH-2023-01/", "/rectification/ZG-2023-001/"],
                       "part-3": ["/rectification/ZG-2023-002/"]}
    for part in ("part-2", "part-3"):
        names = {p.name for p in (index / part).iterdir() if p.is_file()}
        assert "pagefind-entry.json" in names and [n for n in names if n.endswith(".pf_meta")]
        assert not [n for n in names if n.endswith((".js", ".pagefind"))], names
        assert {"index", "fragment", "filter"} <= {p.name for p in (index / part).iterdir()}

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes()
                for p in (site / search_index.BUNDLE).rglob("*") if p.is_file()}
    assert files(first) == files(second)
    # The last bundle's fragment is read by the guard like the first's.
    fragment = next((index / "part-3" / "fragment").iterdir())
    assert "ZG-2023-002" in verify.shown_text(fragment)[0]


def _fragments_in(folder: Path) -> list[str]:
    return [json.loads(search_index.gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])["url"]
            for p in (folder / "fragment").iterdir()]


def test_each_bundle_is_handed_over_before_the_next_one_starts(root: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    """`index` yields a bundle's files as soon as its service has ended, before the next
    service is started (so they are written and let go of first), and parts.json last; the
    same pages give the same bytes again."""
    site = build(Deployment(root), root / "site", AS_OF).out_dir
    real, started = search_index.executable(), tmp_path / "started"
    fake = _service(tmp_path, f'echo "$@" >> {started}\nexec {real} "$@"\n')
    monkeypatch.setattr(search_index, "executable", lambda: fake)
    work = tmp_path / "work"
    work.mkdir()
    seen, files = [], {}
    for rel, data in search_index.index(search_index.inputs(site, per_bundle=2), work):
        seen.append((rel, len(started.read_text().splitlines())))
        files[rel] = data
    second = f"{search_index.BUNDLE}/part-2/"
    assert seen[-1] == (f"{search_index.BUNDLE}/{search_index.PARTS}", 2)
    bundles = [(rel.startswith(second), services) for rel, services in seen[:-1]]
    assert bundles == sorted(bundles) and {b for b, _ in bundles} == {False, True}
    assert all(services == (2 if in_second else 1) for in_second, services in bundles)
    assert dict(search_index.index(search_index.inputs(site, per_bundle=2), work)) == files
