"""The page cache (stages/cache.py), with real builds of real Git repositories in tmp folders.

A page from the cache must be byte for byte the page a fresh render makes: edits of related
records rebuild the pages that show them, a change of template, configuration, date or commit
rebuilds every page, audiences never share an entry, a corrupt or planted entry is never
trusted, and whatever comes out of the cache still meets the leak guard.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from builder import pipeline
from builder.pipeline import Deployment, LeakDetected, WrongTarget, build, check
from builder.stages import cache as page_cache
from builder.stages import render, statistics
from builder.stages.projection import Audience, project

from conftest import (BASE_RECORDS, FINDING, ITEM, RECTIFICATION, RECTIFICATION_PATH, REPO,
                      cache_entries, change_an_input_of_every_page, edit, store_cache_entry,
                      tree_bytes, write_all)
from gitrepo import GitProject

AS_OF = date(2026, 11, 21)
SECRET = "CACHECANARY内部督办意见"

# A second chain under the same plan, which an edit of the first chain does not touch.
OTHER_ITEM_PATH = "content/items/SX-2023-002.md"
OTHER_FINDING_PATH = "content/findings/WT-2023-002.md"
OTHER_RECTIFICATION_PATH = "content/rectifications/ZG-2023-002.md"
OTHER = {
    OTHER_ITEM_PATH: edit(edit(ITEM, "SX-2023-001", "SX-2023-002"), "林业项目", "水利项目"),
    OTHER_FINDING_PATH: edit(edit(edit(FINDING, "WT-2023-001", "WT-2023-002"),
                                  "SX-2023-001", "SX-2023-002"), "title: 林业项目资金", "title: 水利工程"),
    OTHER_RECTIFICATION_PATH: edit(edit(edit(
        RECTIFICATION, "ZG-2023-001", "ZG-2023-002"), "WT-2023-001", "WT-2023-002"),
        "内部督办情况。", f"{SECRET}。"),
}
REOPENED = edit(edit(edit(RECTIFICATION, "status: completed", "status: in_progress"),
                     "completed: 2023-09-15\n", "progress: 正在重新整改。\n"),
                "result: 已拨付全部资金。\n", "")


def record_page(site: Path, type_name: str, record_id: str) -> str:
    return (site / type_name / record_id / "index.html").read_text(encoding="utf-8")


def entries(root: Path, scope: str) -> dict[str, bytes]:
    return cache_entries(root, scope)


def store(root: Path, scope: str, key: str, value: bytes) -> None:
    store_cache_entry(root, scope, key, value)


@pytest.fixture
def repo(tmp_path: Path) -> GitProject:
    project = GitProject(tmp_path / "project")
    project.commit("2023-05-01T10:00:00+08:00", "两条整改链", {**BASE_RECORDS, **OTHER})
    return project


def test_editing_a_child_rebuilds_what_shows_it_and_serves_the_rest_from_the_cache(
        repo: GitProject, tmp_path: Path) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    cold = build(deployment, out, AS_OF, first_publication=True)
    assert cold.cache.hits == 0 and cold.cache.misses == 7      # seven records, seven pages
    before = tree_bytes(out)

    # The rectification is reopened in the working tree (the preview's case: no commit).
    write_all(repo.root, {RECTIFICATION_PATH: REOPENED})
    warm = build(deployment, out, AS_OF)

    # Made anew: the record, its finding (its child's badge; its derived status), the item
    # and the plan (their roll-ups count it). The other chain came from the cache.
    assert sorted(warm.cache.missed) == ["finding/WT-2023-001.md", "item/SX-2023-001.md",
                                         "plan/JH-2023-01.md", "rectification/ZG-2023-001.md"]
    assert warm.cache.hits == 3 and warm.cache.rejected == 0
    after = tree_bytes(out)
    for unchanged in ("finding/WT-2023-002/index.html", "rectification/ZG-2023-002/index.html"):
        assert after[unchanged] == before[unchanged]
    # The parent's page and the listings show the new status.
    assert "整改中" in record_page(out, "finding", "WT-2023-001").split('id="chain"')[1]
    assert "status/rectification-in_progress/index.html" in after
    assert "ZG-2023-001" in after["status/rectification-in_progress/index.html"].decode()
    assert "ZG-2023-001" not in after["status/rectification-completed/index.html"].decode()


@pytest.mark.parametrize("change", ["template", "site_config", "date", "commit"])
def test_a_change_every_page_depends_on_rebuilds_every_page(repo: GitProject, tmp_path: Path,
                                                            change: str) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    build(deployment, out, AS_OF, first_publication=True)
    # Warm: all seven hit (into a new folder: into `out` the unchanged build renders nothing).
    assert build(deployment, tmp_path / "warm", AS_OF, first_publication=True).cache.misses == 0
    as_of = date(2026, 11, 22) if change == "date" else AS_OF
    if change == "commit":
        repo.commit("2023-06-01T10:00:00+08:00", "空提交", {})   # the footnote names it
    elif change != "date":
        change_an_input_of_every_page(repo.root, change)
    rebuilt = build(deployment, out, as_of)
    assert rebuilt.cache.hits == 0 and rebuilt.cache.misses == 7
    # The entries of the earlier builds were pruned: the cache holds this build's alone.
    assert len(entries(repo.root, "public")) == 7


def test_the_same_commit_builds_the_same_bytes_with_and_without_the_cache(
        repo: GitProject, tmp_path: Path) -> None:
    deployment = Deployment(repo.root)
    build(deployment, tmp_path / "cold", AS_OF, first_publication=True)
    warm = build(deployment, tmp_path / "warm", AS_OF, first_publication=True)
    assert warm.cache.hits == 7
    none = build(deployment, tmp_path / "none", AS_OF, first_publication=True, cache=False)
    assert none.cache is None
    assert tree_bytes(tmp_path / "cold") == tree_bytes(tmp_path / "warm") == tree_bytes(tmp_path / "none")


def test_audiences_share_no_entry_and_a_planted_internal_page_never_comes_out_public(
        repo: GitProject, tmp_path: Path) -> None:
    deployment = Deployment(repo.root)
    build(deployment, tmp_path / "public", AS_OF, first_publication=True)
    build(deployment, tmp_path / "internal", AS_OF, Audience.INTERNAL, first_publication=True)
    public, internal = entries(repo.root, "public"), entries(repo.root, "internal")
    assert len(public) == len(internal) == 7 and not set(public) & set(internal)

    def entry_of(found: dict[str, bytes], record_id: str) -> tuple[str, bytes]:
        """(key, page bytes) of the entry holding a record's page."""
        for key, value in found.items():
            data = page_cache._unpack(value, key)
            if data is not None and f"<code>{record_id}</code>" in data.decode():
                return key, data
        raise AssertionError(record_id)

    public_key, public_page = entry_of(public, "ZG-2023-002")
    _, internal_page = entry_of(internal, "ZG-2023-002")
    assert SECRET in internal_page.decode() and SECRET not in public_page.decode()

    # Copied as it is under the public key's name: the key inside does not match, so the
    # entry is rejected and the page rendered afresh (and the entry replaced).
    # (Into a new folder: into the one that holds this very build nothing is rendered.)
    store(repo.root, "public", public_key, internal[entry_of(internal, "ZG-2023-002")[0]])
    built = build(deployment, tmp_path / "again", AS_OF, first_publication=True)
    assert built.cache.rejected == 1 and built.cache.missed == ["rectification/ZG-2023-002.md"]
    assert SECRET not in record_page(tmp_path / "again", "rectification", "ZG-2023-002")
    assert page_cache._unpack(entries(repo.root, "public")[public_key], public_key) == public_page

    # Forged with the public key and a matching digest, the cache would serve it: the leak
    # guard, which reads every output file after the engine, stops the build.
    store(repo.root, "public", public_key, page_cache._pack(public_key, internal_page))
    with pytest.raises(LeakDetected) as caught:
        build(deployment, tmp_path / "forged", AS_OF, first_publication=True)
    assert any(SECRET in leak.secret.value for leak in caught.value.leaks)
    assert not (tmp_path / "forged").exists()
    assert SECRET not in record_page(tmp_path / "public", "rectification", "ZG-2023-002")


def test_a_corrupt_entry_is_ignored_and_replaced(repo: GitProject, tmp_path: Path) -> None:
    deployment = Deployment(repo.root)
    build(deployment, tmp_path / "a", AS_OF, first_publication=True)
    key, good = sorted(entries(repo.root, "public").items())[0]
    store(repo.root, "public", key, good[:-20] + b"<p>tampered</p>")
    built = build(deployment, tmp_path / "b", AS_OF, first_publication=True)
    assert (built.cache.rejected, built.cache.misses, built.cache.hits) == (1, 1, 6)
    assert entries(repo.root, "public")[key] == good
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_a_cache_that_cannot_be_written_is_no_cache(repo: GitProject, tmp_path: Path) -> None:
    (repo.root / page_cache.FOLDER).write_text("not a folder", encoding="utf-8")
    built = build(Deployment(repo.root), tmp_path / "site", AS_OF, first_publication=True)
    assert built.cache.written == 0 and built.cache.misses == 7
    assert any("无法写入缓存" in notice for notice in built.notices)
    assert (tmp_path / "site" / "rectification" / "ZG-2023-001" / "index.html").is_file()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_database_that_is_not_one_is_no_cache_and_the_next_build_repairs_it(
        repo: GitProject, tmp_path: Path, damage: str) -> None:
    deployment = Deployment(repo.root)
    build(deployment, tmp_path / "first", AS_OF, first_publication=True)
    for name in ("pages", "site"):
        path = repo.root / page_cache.FOLDER / "public" / f"{name}.sqlite"
        good = path.read_bytes()
        path.write_bytes({"garbage": b"not a database\n" * 4096,
                          "truncated": good[:len(good) // 2], "empty": b""}[damage])
    shutil.rmtree(tmp_path / "first")   # (else the site record would make it an unchanged build)

    damaged = build(deployment, tmp_path / "first", AS_OF, first_publication=True)
    build(deployment, tmp_path / "none", AS_OF, first_publication=True, cache=False)
    assert tree_bytes(tmp_path / "first") == tree_bytes(tmp_path / "none")
    assert damaged.cache.hits < 7 and damaged.cache.written > 0
    if damage != "empty":                # (an empty file is an empty database to SQLite)
        assert any("已损坏" in notice for notice in damaged.notices), damaged.notices

    # Both databases were replaced and filled by that build: the next one takes every page
    # from the cache, and into the same folder it is the unchanged build.
    again = build(deployment, tmp_path / "again", AS_OF, first_publication=True)
    assert again.cache.hits == 7 and not any("缓存" in n for n in again.notices)
    assert build(deployment, tmp_path / "first", AS_OF).unchanged


def test_a_database_locked_by_another_program_is_no_cache_for_that_build(
        repo: GitProject, tmp_path: Path) -> None:
    deployment = Deployment(repo.root)
    build(deployment, tmp_path / "first", AS_OF, first_publication=True)
    held = sqlite3.connect(repo.root / page_cache.FOLDER / "public" / "pages.sqlite",
                           isolation_level=None)
    try:
        held.execute("BEGIN EXCLUSIVE")
        locked = build(deployment, tmp_path / "locked", AS_OF, first_publication=True)
    finally:
        held.close()
    assert (locked.cache.hits, locked.cache.written) == (0, 0)
    assert any("正被另一个构建占用" in notice for notice in locked.notices), locked.notices
    assert tree_bytes(tmp_path / "locked") == tree_bytes(tmp_path / "first")
    # The entries the first build left are all still there.
    assert build(deployment, tmp_path / "after", AS_OF, first_publication=True).cache.hits == 7


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from builder.stages import cache
pages = cache.Cache.open(Path(sys.argv[1]), "public", None, "base")
for n in range(600):   # ~12 MB, more than SQLite keeps in memory: it reaches the file
    pages.put(pages.key(n), os.urandom(20_000))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_build_loses_only_its_uncommitted_entries(tmp_path: Path) -> None:
    pages = page_cache.Cache.open(tmp_path, "public", None, "base")
    old = {pages.key(n): n.to_bytes(2, "big") * 10_000 for n in range(300)}
    for key, data in old.items():
        pages.put(key, data)
    pages.prune()
    # The killed build overwrote these 300 entries and added 300 more, none committed.
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)],
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == -signal.SIGKILL
    again = page_cache.Cache.open(tmp_path, "public", None, "base")
    assert {key: again.get(key) for key in old} == old
    assert again.get(again.key(300)) is None and again.notices == []
    assert again.prune() == 0


def test_the_entries_of_the_previous_format_are_removed_once(repo: GitProject,
                                                             tmp_path: Path) -> None:
    old = repo.root / page_cache.FOLDER / "public" / "pages" / "ab"
    old.mkdir(parents=True)
    (old / ("ab" + "0" * 62)).write_bytes(b"an entry of the file-per-entry format")
    build(Deployment(repo.root), tmp_path / "site", AS_OF, first_publication=True)
    # One database and its journal per cache, nothing else.
    assert sorted(os.listdir(repo.root / page_cache.FOLDER / "public")) == \
        ["pages.sqlite", "pages.sqlite-journal", "site.sqlite", "site.sqlite-journal"]


def test_the_cache_is_git_ignored_and_never_an_output_folder(repo: GitProject,
                                                             tmp_path: Path) -> None:
    build(Deployment(repo.root), tmp_path / "site", AS_OF, first_publication=True)
    from gitrepo import git
    assert git(repo.root, "status", "--porcelain") == ""
    for out in (repo.root / page_cache.FOLDER, repo.root / page_cache.FOLDER / "public"):
        with pytest.raises(WrongTarget, match="缓存文件夹"):
            build(Deployment(repo.root), out, AS_OF, first_publication=True)


# --- render alone, over the demo content: a cached page is the page a fresh render makes ---

DEMO_EDITS = [
    # (file, old, new): a parent's title (its children link it), a grandchild's deadline
    # (roll-ups count it overdue or not), a body, a new child, a child deleted.
    ("content/findings/WT-2020-001.md", "title: ", "title: 改过的"),
    ("content/rectifications/ZG-2023-003.md", "deadline: 2027-04-30", "deadline: 2026-04-30"),
    ("content/rectifications/ZG-2020-001.md", "评阅反馈问题清单", "评阅反馈的问题清单"),
    ("content/rectifications/ZG-2020-099.md", None, "ZG-2020-001.md"),
    ("content/rectifications/ZG-2020-001.md", None, None),
]


def _render(root: Path, with_cache: bool) -> tuple[dict[str, bytes], page_cache.Stats | None]:
    deployment = Deployment(root)
    checked = check(deployment)
    assert checked.validation.valid, checked.validation.errors[:3]
    model = checked.model
    projection = project(checked.validation.records, model, Audience.PUBLIC, AS_OF, None)
    figures = statistics.compute(projection.records, model, AS_OF)
    cache = pipeline._page_cache(deployment, Audience.PUBLIC, None, AS_OF, None) \
        if with_cache else None
    rendered = render.render(projection, figures, model, deployment.template_dirs,
                             deployment.assets_dir, cache=cache)
    if cache is not None:
        cache.prune()           # (commits the render's entries, as the pipeline does)
    return rendered.files, cache.stats if cache else None


def test_after_every_kind_of_edit_the_cached_render_is_the_fresh_render(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "site_config", root / "site_config")
    _render(root, with_cache=True)
    for rel, old, new in DEMO_EDITS:
        path = root / rel
        if old is None and new is None:
            path.unlink()
        elif old is None:
            source = (path.parent / new).read_text(encoding="utf-8")
            path.write_text(source.replace(Path(new).stem, path.stem), encoding="utf-8")
        else:
            path.write_text(edit(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
        cached, stats = _render(root, with_cache=True)
        fresh, _ = _render(root, with_cache=False)
        assert cached == fresh, rel
        assert 0 < stats.misses < 20 and stats.hits > 300, (rel, stats.misses, stats.hits)


# --- the preview: an edit costs what it touches ------------------------------------------------


def test_the_preview_rebuilds_only_what_an_edit_touches(repo: GitProject) -> None:
    from builder.commands.serve import Preview
    preview = Preview(Deployment(repo.root), as_of=AS_OF)
    try:
        first = preview.rebuild()
        assert first.error is None and first.built.cache.misses == 7
        model, timelines = preview.reuse.model, preview.reuse.timelines

        write_all(repo.root, {RECTIFICATION_PATH: REOPENED})
        second = preview.rebuild()
        assert second.error is None and second.built.cache.hits == 3
        assert "rectification/ZG-2023-001.md" in second.built.cache.missed
        assert "整改中" in record_page(preview.out_dir, "rectification", "ZG-2023-001")
        # Nothing under site_config/ and no commit changed: both kept, not read again.
        assert preview.reuse.model is model and preview.reuse.timelines is timelines

        # A commit is history: the timelines are read again and the page shows the change.
        repo.commit("2024-01-10T10:00:00+08:00", "重新整改", {})
        third = preview.rebuild()
        assert third.error is None and preview.reuse.timelines is not timelines
        assert preview.reuse.model is model
        assert "2024-01-10" in record_page(preview.out_dir, "rectification", "ZG-2023-001")

        with (repo.root / "site_config" / "registry.yml").open("a", encoding="utf-8") as f:
            f.write("# 注释也算修改\n")
        fourth = preview.rebuild()
        assert fourth.error is None and preview.reuse.model is not model
        assert fourth.built.cache.hits == 0
    finally:
        preview.close()


def test_compiled_templates_are_kept_beside_the_code_and_an_edited_template_is_compiled_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja's compiled templates are kept in the package's bytecode folder (not the project's
    cache); a kept one is used only for the very source it was compiled from."""
    import sys

    import jinja2

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    package, templates = tmp_path / "builder", tmp_path / "templates"
    package.mkdir()
    templates.mkdir()
    (templates / "page.html").write_text("旧的{{ n }}", encoding="utf-8")

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                                 bytecode_cache=page_cache.template_bytecode(package))
        return env.get_template("page.html").render(n=1)

    assert render() == "旧的1"
    kept = list((package / "__pycache__" / "jinja").iterdir())
    assert len(kept) == 1
    # The next process loads the kept code instead of compiling.
    compiled = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda *a, **k: pytest.fail("compiled again"))
    assert render() == "旧的1"
    monkeypatch.setattr(jinja2.Environment, "compile", compiled)
    # An edited template is compiled again, never served from the old code.
    (templates / "page.html").write_text("新的{{ n }}", encoding="utf-8")
    assert render() == "新的1"
    # A damaged entry costs a compile, never a failure; nothing is kept where Python keeps
    # no bytecode, nor where the folder cannot be made.
    kept[0].write_bytes(b"not marshalled code")
    assert render() == "新的1"
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert page_cache.template_bytecode(package) is None
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the package folder would be", encoding="utf-8")
    assert page_cache.template_bytecode(blocked) is None
