"""A second build of unchanged content (pipeline._left_as_built), with real builds of real Git
repositories in tmp folders and the real CLI.

When every input of the site is that of the build that made the live folder, and the folder
still holds exactly the files that build left, nothing is rendered, run or published, but the
leak guard reads the live folder again. Any change of content (committed or not), template,
site_config, date, commit, history or audience, and any change in the live folder, makes a
real build; the checks of continuity run as before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, build
from builder.stages import cache as page_cache
from builder.stages.projection import Audience
from builder.stages.publish import ManifestError

from conftest import (BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, cache_entries,
                      change_an_input_of_every_page, edit, store_cache_entry, tree_bytes,
                      write_all)
from gitrepo import GitProject

AS_OF = date(2026, 11, 21)
REPO = Path(__file__).resolve().parents[1]
PAGE = "rectification/ZG-2023-001/index.html"
INTERNAL = "内部督办情况。"          # the internal block of conftest.RECTIFICATION


def site_entry(root: Path, scope: str = "public") -> tuple[str, bytes]:
    """The one record of what the last build left in its output folder: key and value."""
    found = cache_entries(root, scope, "site")
    assert len(found) == 1, found
    return next(iter(found.items()))


@pytest.fixture
def repo(tmp_path: Path) -> GitProject:
    project = GitProject(tmp_path / "project")
    project.commit("2023-05-01T10:00:00+08:00", "一条整改链", BASE_RECORDS)
    return project


def test_an_unchanged_build_publishes_nothing_and_the_leak_guard_reads_the_live_folder(
        repo: GitProject, tmp_path: Path) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    first = build(deployment, out, AS_OF, first_publication=True)
    assert not first.unchanged and "mkdocs" in first.timings
    before, inode = tree_bytes(out), out.stat().st_ino

    again = build(deployment, out, AS_OF)
    assert again.unchanged and again.pages == first.pages
    # Nothing rendered, no engine, no search index, no swap; the leak guard ran.
    assert {"render", "mkdocs", "search", "publish"}.isdisjoint(again.timings)
    assert "verify" in again.timings and again.secrets_checked == first.secrets_checked > 0
    assert tree_bytes(out) == before and out.stat().st_ino == inode

    # The CLI says so.
    result = CliRunner().invoke(cli, ["build", "--root", str(repo.root), "--out", str(out),
                                      "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0 and "公开网站没有变化" in result.output


def test_a_leak_planted_in_the_live_folder_stops_the_unchanged_build(
        repo: GitProject, tmp_path: Path) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    build(deployment, out, AS_OF, first_publication=True)
    # Planted with the record of the last build forged to match: the digests cannot tell,
    # the leak guard does.
    page = out / PAGE
    page.write_bytes(page.read_bytes().replace(b"</article>", f"<p>{INTERNAL}</p></article>"
                                               .encode(), 1))
    assert INTERNAL.encode() in page.read_bytes()
    key, value = site_entry(repo.root)
    record = json.loads(page_cache._unpack(value, key))
    record["files"] = page_cache.site_files(out)
    store_cache_entry(repo.root, "public", key,
                      page_cache._pack(key, page_cache.canonical(record)), "site")
    planted = tree_bytes(out)

    result = CliRunner().invoke(cli, ["build", "--root", str(repo.root), "--out", str(out),
                                      "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 2
    assert "没有构建" in result.output and "被改动过" in result.output
    assert INTERNAL in result.output                         # the leak, named
    assert tree_bytes(out) == planted                             # nothing published


def test_an_unchanged_build_loads_neither_renderer_nor_engine(repo: GitProject,
                                                              tmp_path: Path) -> None:
    """The `sunlight` process of an unchanged build imports no template engine, no Markdown
    and no MkDocs (a tenth of its time), while a build that renders does."""
    out = tmp_path / "site"
    build(Deployment(repo.root), out, AS_OF, first_publication=True)
    # The modules a process loaded, printed as it ends (the CLI exits through sys.exit).
    probe = ("import atexit, json, sys\n"
             "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
             "from builder.cli import main\n"
             "sys.argv[0] = 'sunlight'\n"
             "main()\n")
    lazy = {"jinja2", "markdown", "mkdocs", "material", "builder.stages.render",
            "builder.stages.dashboards", "builder.stages.feeds"}

    def loaded(as_of: date) -> tuple[set[str], str]:
        result = subprocess.run([sys.executable, "-c", probe, "build", "--root", str(repo.root),
                                 "--out", str(out), "--as-of", as_of.isoformat()],
                                capture_output=True, text=True, cwd=repo.root,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert result.returncode == 0, result.stderr
        return set(json.loads(result.stderr.strip().splitlines()[-1])), result.stdout

    modules, said = loaded(AS_OF)
    assert "公开网站没有变化" in said and lazy.isdisjoint(modules)
    # A build that renders (another date is another site) needs them all.
    modules, said = loaded(date(2026, 11, 22))
    assert "公开网站没有变化" not in said and lazy <= modules


@pytest.mark.parametrize("tamper", ["edited", "added", "added-in-a-folder", "removed",
                                    "linked"])
def test_a_live_folder_that_changed_is_built_again(repo: GitProject, tmp_path: Path,
                                                   tamper: str) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    build(deployment, out, AS_OF, first_publication=True)
    built = tree_bytes(out)
    if tamper == "edited":
        (out / PAGE).write_bytes((out / PAGE).read_bytes() + b"<!-- x -->")
    elif tamper == "added":
        (out / "extra.html").write_text("<p>多出来的文件</p>", encoding="utf-8")
    elif tamper == "added-in-a-folder":
        (out / "extra" / "deeper").mkdir(parents=True)
        (out / "extra" / "deeper" / "index.html").write_text("<p>多出来的文件</p>",
                                                             encoding="utf-8")
    elif tamper == "linked":
        # The same bytes, behind a link that could point anywhere the server reaches.
        copy = tmp_path / "elsewhere.html"
        copy.write_bytes((out / PAGE).read_bytes())
        (out / PAGE).unlink()
        (out / PAGE).symlink_to(copy)
    else:
        (out / PAGE).unlink()
    again = build(deployment, out, AS_OF)
    assert not again.unchanged and "mkdocs" in again.timings
    assert tree_bytes(out) == built


@pytest.mark.parametrize("change", ["content", "uncommitted", "template", "site_config",
                                    "date", "commit", "history"])
def test_any_change_of_an_input_is_a_real_build(repo: GitProject, tmp_path: Path,
                                                 change: str) -> None:
    deployment, out = Deployment(repo.root), tmp_path / "site"
    build(deployment, out, AS_OF, first_publication=True)
    assert build(deployment, out, AS_OF).unchanged
    as_of, history = AS_OF, True
    if change == "content":
        repo.commit("2023-06-01T10:00:00+08:00", "改标题",
                    {RECTIFICATION_PATH: edit(RECTIFICATION, "加快林业", "尽快完成林业")})
    elif change == "uncommitted":
        # Only a comment in the internal block: the public projection is the same, the
        # source is not (and the manifest says the sources are not the commit's).
        write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, INTERNAL,
                                                       INTERNAL + "\n补充。")})
    elif change in ("template", "site_config"):
        change_an_input_of_every_page(repo.root, change)
    elif change == "date":
        as_of = date(2026, 11, 22)
    elif change == "commit":
        repo.commit("2023-06-01T10:00:00+08:00", "空提交", {})
    else:
        history = False
    rebuilt = build(deployment, out, as_of, history=history)
    assert not rebuilt.unchanged and "mkdocs" in rebuilt.timings
    # And the new inputs are then the unchanged ones.
    assert build(deployment, out, as_of, history=history).unchanged


def test_audiences_keep_their_own_record_and_continuity_is_checked_first(
        repo: GitProject, tmp_path: Path) -> None:
    deployment = Deployment(repo.root)
    public, internal = tmp_path / "public", tmp_path / "internal"
    build(deployment, public, AS_OF, first_publication=True)
    build(deployment, internal, AS_OF, Audience.INTERNAL, first_publication=True)
    assert site_entry(repo.root, "public")[0] != site_entry(repo.root, "internal")[0]
    assert build(deployment, public, AS_OF).unchanged
    assert build(deployment, internal, AS_OF, Audience.INTERNAL).unchanged
    # Unchanged or not, a first publication where one exists is refused as before.
    with pytest.raises(ManifestError):
        build(deployment, public, AS_OF, first_publication=True)
    # The internal site's files in the public folder are not the public build's files, and
    # continuity sees the manifest's digests do not match Git: refused, nothing published.
    shutil.rmtree(public)
    shutil.copytree(internal, public)
    manifest = json.loads((public / "sunlight-manifest.json").read_text(encoding="utf-8"))
    manifest["audience"] = "public"
    (public / "sunlight-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    planted = tree_bytes(public)
    with pytest.raises(ManifestError):
        build(deployment, public, AS_OF)
    assert tree_bytes(public) == planted
