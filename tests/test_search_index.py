"""The search index stage (builder/stages/search_index.py) in real builds: what Pagefind
indexes (record pages of the audience, nothing else), that the same content gives the same
bytes, that the leak guard reads the index, and that a broken binary is a clear Chinese
message with exit 2. The browser side is tests/test_search_browser.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

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


def test_the_pages_for_pagefind_are_written_one_at_a_time(root: Path, tmp_path: Path) -> None:
    """`inputs` yields pages for the writer one by one (all of them at once are the size of
    the record pages); written that way they are the same files as written from a dict."""
    site = build(Deployment(root), root / "site", AS_OF).out_dir
    pages = search_index.inputs(site)
    assert not isinstance(pages, dict)
    streamed = publish.write_tree(tmp_path / "streamed", pages)
    whole = publish.write_tree(tmp_path / "whole", dict(search_index.inputs(site)))
    assert [p.relative_to(tmp_path / "streamed") for p in streamed] == \
        [p.relative_to(tmp_path / "whole") for p in whole]
    assert len(streamed) == 4
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(streamed, whole))


def test_a_large_site_is_indexed_in_bundles_byte_for_byte_the_same(root: Path, tmp_path: Path,
                                                                    monkeypatch) -> None:
    """Bundles of 2 pages split the 5 public record pages (in the order of their paths) into
    three Pagefind runs: pagefind/, pagefind/part-2/, pagefind/part-3/, listed in parts.json;
    the later bundles carry no script or WebAssembly of their own; two builds give the same
    bytes; the leak guard reads every bundle."""
    write_all(root, {"content/rectifications/ZG-2023-002.md": edit(
        RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002")})
    monkeypatch.setattr(search_index, "PAGES_PER_BUNDLE", 2)
    first = build(Deployment(root), tmp_path / "one", AS_OF).out_dir
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
