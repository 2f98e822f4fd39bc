"""The preview's own last steps (pipeline._update_preview), with real builds of a real Git
repository in tmp folders, built the way `sunlight serve` builds (pipeline.Reuse).

A rebuild moves into the preview folder only the files that changed and leak-checks only
those while the secrets are the ones every other served file was checked against; the
folder then holds exactly what a full build makes. When the secrets change every file is
checked again and the old search index is dropped before the new one is made.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import material as mkdocs_material
import pytest

from builder import pipeline
from builder.pipeline import Deployment, LeakDetected, Reuse, build
from builder.stages.publish import PublishRefused
from builder.stages import cache as page_cache
from builder.stages import publish
from builder.stages.projection import Audience

from conftest import (BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, REPO, cache_entries,
                      edit, store_cache_entry, tree_bytes, write_all)
from gitrepo import GitProject

AS_OF = date(2026, 11, 21)
PAGE = "rectification/ZG-2023-001/index.html"
INTERNAL = "内部督办情况。"          # the internal block of conftest.RECTIFICATION


@pytest.fixture
def repo(tmp_path: Path) -> GitProject:
    project = GitProject(tmp_path / "project")
    project.commit("2023-05-01T10:00:00+08:00", "一条整改链", BASE_RECORDS)
    return project


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each run of the leak guard read."""
    counts: list[int] = []
    real = pipeline.verify.scan

    def counting(folder: Path, secrets: list) -> list:
        counts.append(sum(1 for p in folder.rglob("*") if p.is_file()))
        return real(folder, secrets)
    monkeypatch.setattr(pipeline.verify, "scan", counting)
    return counts


def test_an_edit_is_served_with_the_bytes_of_a_full_build_and_only_it_is_checked(
        repo: GitProject, tmp_path: Path, scanned: list[int]) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    everything = len(tree_bytes(out))
    assert scanned == [everything]
    inode = out.stat().st_ino

    # A public edit: the secrets stay the same, so only the changed files are checked.
    write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, "加快林业", "尽快完成林业")})
    scanned.clear()
    built = build(deployment, out, AS_OF, reuse=reuse)
    assert "尽快完成林业" in (out / PAGE).read_text(encoding="utf-8")
    assert out.stat().st_ino == inode                        # updated in place, not swapped
    assert 0 < scanned[0] < everything / 3                   # the pages that changed
    assert len(scanned) == 2 and "search" in built.timings   # then the new search index
    full = build(deployment, tmp_path / "full", AS_OF, first_publication=True)
    assert not full.unchanged
    assert tree_bytes(out) == tree_bytes(tmp_path / "full")

    # The same inputs again: nothing changed, nothing to check, the search index is kept.
    scanned.clear()
    again = build(deployment, out, AS_OF, reuse=reuse)
    assert scanned == [0] and "search" not in again.timings
    assert tree_bytes(out) == tree_bytes(tmp_path / "full")


def test_when_the_secrets_change_every_file_is_checked_again(
        repo: GitProject, tmp_path: Path, scanned: list[int]) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    # A new internal line: a new secret, which any unchanged file could hold.
    write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, INTERNAL,
                                                   INTERNAL + "\n新的内部批示。")})
    scanned.clear()
    build(deployment, out, AS_OF, reuse=reuse)
    full = tmp_path / "full"
    build(deployment, full, AS_OF, first_publication=True)
    # Every page and data file of the new build (its search index comes after, checked too).
    assert scanned[0] == len([p for p in tree_bytes(full) if not p.startswith("pagefind/")])
    assert tree_bytes(out) == tree_bytes(full)


def test_a_leak_in_a_changed_file_is_never_served(repo: GitProject, tmp_path: Path) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    served = tree_bytes(out)
    build(deployment, tmp_path / "internal", AS_OF, Audience.INTERNAL, first_publication=True)

    def entry(scope: str) -> tuple[str, bytes]:
        for key, value in cache_entries(repo.root, scope).items():
            data = page_cache._unpack(value, key)
            if data is not None and "<code>ZG-2023-001</code>" in data.decode():
                return key, data
        raise AssertionError(scope)

    # The public entry forged to hold the internal page, with a matching key and digest.
    key, _ = entry("public")
    store_cache_entry(repo.root, "public", key, page_cache._pack(key, entry("internal")[1]))
    with pytest.raises(LeakDetected) as caught:
        build(deployment, out, AS_OF, reuse=reuse)
    assert any(INTERNAL.rstrip("。") in leak.secret.value for leak in caught.value.leaks)
    assert tree_bytes(out) == served


# --- the kept workspace: docs, theme and site brought up to date in place --------------------

SECOND = "content/rectifications/ZG-2023-002.md"
COPYRIGHT = "templates/overrides/common/partials/copyright.html"
FOOTER = "templates/overrides/common/partials/footer.html"


def second_rectification() -> str:
    """A second rectification of the same finding (a record added, then deleted)."""
    return edit(edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002"),
                "title: 加快林业项目资金拨付", "title: 补齐林业项目验收材料")


def workspace_of(reuse: Reuse) -> Path:
    assert reuse.workspace is not None
    return reuse.workspace[1]


def full_build(deployment: Deployment, folder: Path,
               audience: Audience = Audience.PUBLIC) -> dict[str, bytes]:
    build(deployment, folder, AS_OF, audience, first_publication=True)
    return tree_bytes(folder)


@pytest.mark.parametrize("audience, changes", [
    # Both show a deleted record going: a preview continues no publication, not even its own
    # last build. The internal one carries the web editor. (The edit between: a page new in a
    # build is moved into the preview, the next build makes it in the kept site again, and the
    # deletion must remove it from there.)
    (Audience.PUBLIC, ["edit", "add", "theme", "unthemed", "site_config", "delete"]),
    (Audience.INTERNAL, ["add", "edit", "delete"]),
])
def test_after_every_kind_of_change_the_kept_workspace_serves_what_a_full_build_makes(
        repo: GitProject, tmp_path: Path, audience: Audience, changes: list[str]) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, audience, reuse=reuse)
    work = workspace_of(reuse)
    for n, change in enumerate(changes):
        if change == "edit":
            write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, "加快林业",
                                                           "尽快完成林业")})
        elif change == "add":
            write_all(repo.root, {SECOND: second_rectification()})
        elif change == "delete":
            write_all(repo.root, {SECOND: None})
        elif change == "theme":
            # The deployment's own copy of an override of Sunlight's and an override of its
            # own (a theme partial Sunlight leaves alone): every page changes.
            material = Path(mkdocs_material.__file__).parent / "templates" / "partials"
            write_all(repo.root, {
                COPYRIGHT: (REPO / COPYRIGHT).read_text(encoding="utf-8")
                .replace("自动生成", "每日自动生成"),
                FOOTER: "<p>本地页脚</p>\n" + (material / "footer.html").read_text(encoding="utf-8")})
        elif change == "unthemed":  # and gone again: the kept theme folder must forget them
            shutil.rmtree(repo.root / "templates")
        else:                       # the site's name, on every page
            site = repo.root / "site_config" / "site.yml"
            site.write_text(edit(site.read_text(encoding="utf-8"), "阳光监督公开平台（示例）",
                                 "阳光监督公开平台（预览）"), encoding="utf-8")
        before = tree_bytes(out)
        build(deployment, out, AS_OF, audience, reuse=reuse)
        served = tree_bytes(out)
        assert served == full_build(deployment, tmp_path / f"full-{n}", audience), change
        assert served != before, change
        # The same workspace, holding only what the next build brings up to date.
        assert workspace_of(reuse) == work and work.is_dir()
        assert sorted(p.name for p in work.iterdir()) == ["docs", "mkdocs.generated.yml",
                                                          "site", "theme"]
        assert ("rectification/ZG-2023-002/index.html" in served) == (repo.root / SECOND).exists()
    if audience is Audience.INTERNAL:
        assert any(rel.startswith("editor/") for rel in tree_bytes(out))


def test_what_did_not_change_is_neither_written_nor_created_again(
        repo: GitProject, tmp_path: Path) -> None:
    """Creating files is what costs the system: an unchanged docs file is left as it is, an
    unchanged record page is not written, and every other file of the kept site is
    overwritten in place (the same inode), never deleted and created again."""
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    work = workspace_of(reuse)

    def stats(folder: Path) -> dict[str, tuple[int, int]]:
        return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in folder.rglob("*") if p.is_file()}

    # The first build's search index went into the site it served: the next removes it.
    build(deployment, out, AS_OF, reuse=reuse)
    docs, site, site_bytes = stats(work / "docs"), stats(work / "site"), tree_bytes(work / "site")
    digests = dict(reuse.docs)
    write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, "整改正文。", "整改正文有补充。")})
    build(deployment, out, AS_OF, reuse=reuse)
    assert "整改正文有补充" in (out / PAGE).read_text(encoding="utf-8")

    same_docs = [rel for rel, sha in reuse.docs.items() if digests.get(rel) == sha]
    assert 0 < len(same_docs) < len(reuse.docs)
    assert all(stats(work / "docs")[rel] == docs[rel] for rel in same_docs)

    # The files that changed were moved into the preview; every other file is still the one
    # the last build left (the same inode), and an unchanged record page was not written.
    now, now_bytes = stats(work / "site"), tree_bytes(work / "site")
    moved = set(site) - set(now)
    assert PAGE in moved and set(now) <= set(site)
    assert all(tree_bytes(out)[rel] != site_bytes[rel] for rel in moved)
    assert all(now[rel][0] == site[rel][0] for rel in now)
    records = [rel for rel in now if rel.startswith(("plan/", "item/", "finding/"))
               and rel.endswith("/index.html") and rel.count("/") == 2]
    assert len(records) == 3 and all(now[rel] == site[rel] for rel in records)
    assert all(now_bytes[rel] == site_bytes[rel] for rel in records)


def test_a_leak_planted_in_the_kept_workspace_is_never_served(
        repo: GitProject, tmp_path: Path) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    work = workspace_of(reuse)

    # In the kept site: a page no build makes, and a copied asset altered. The first is
    # removed, the second copied again; neither is served.
    (work / "site" / "planted").mkdir()
    (work / "site" / "planted" / "index.html").write_text(f"<p>{INTERNAL}</p>", encoding="utf-8")
    css = work / "site" / "assets" / "sunlight.css"
    css.write_text(css.read_text(encoding="utf-8") + f"/* {INTERNAL} */", encoding="utf-8")
    write_all(repo.root, {RECTIFICATION_PATH: edit(RECTIFICATION, "加快林业", "尽快完成林业")})
    build(deployment, out, AS_OF, reuse=reuse)
    assert tree_bytes(out) == full_build(deployment, tmp_path / "full")
    assert INTERNAL not in (work / "site" / "assets" / "sunlight.css").read_text(encoding="utf-8")

    # In the kept docs tree, where the preview remembers other bytes (so the file is not
    # written again): the page made from it differs from the served one, so the leak guard
    # reads it before anything is served.
    served = tree_bytes(out)
    source = work / "docs" / "finding" / "WT-2023-001.md"
    source.write_text(source.read_text(encoding="utf-8").replace("问题正文。", INTERNAL),
                      encoding="utf-8")
    with pytest.raises(LeakDetected) as caught:
        build(deployment, out, AS_OF, reuse=reuse)
    assert any(leak.file.startswith("finding/WT-2023-001/") for leak in caught.value.leaks)
    assert tree_bytes(out) == served
    # The failed build's workspace is gone; the next starts afresh and serves the truth.
    assert reuse.workspace is None and not work.exists()
    build(deployment, out, AS_OF, reuse=reuse)
    assert tree_bytes(out) == full_build(deployment, tmp_path / "full-again")


KILLED_PREVIEW = """
import os, signal, sys
from datetime import date
from pathlib import Path
from builder.pipeline import Deployment, Reuse, build
reuse = Reuse()
for _ in range(2):
    build(Deployment(Path(sys.argv[1])), Path(sys.argv[2]), date(2026, 11, 21), reuse=reuse)
print(reuse.workspace[1], flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_kept_workspace_is_held_while_the_preview_lives_and_removed_once_it_is_killed(
        repo: GitProject, tmp_path: Path) -> None:
    deployment, reuse = Deployment(repo.root), Reuse()
    out = tmp_path / "preview" / "site"
    build(deployment, out, AS_OF, reuse=reuse)
    work = workspace_of(reuse)
    # Another build's tidy beside the same folder leaves a living preview's workspace alone.
    assert publish.tidy(out) == [] and work.is_dir()
    build(deployment, out, AS_OF, reuse=reuse)
    assert workspace_of(reuse) == work
    reuse.close()
    assert not work.exists()

    # A preview killed with its workspace kept: the next build beside it removes it.
    killed = tmp_path / "killed" / "site"
    done = subprocess.run([sys.executable, "-c", KILLED_PREVIEW, str(repo.root), str(killed)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == -signal.SIGKILL, done.stderr
    left = Path(done.stdout.strip())
    assert left.is_dir() and left.parent == killed.parent
    built = build(deployment, killed, AS_OF)
    assert not left.exists()
    assert any("中断的构建" in notice for notice in built.notices)
    assert [p.name for p in killed.parent.iterdir()] == ["site"]


# --- a preview is no publication ---------------------------------------------------------------

THIRD = "content/rectifications/ZG-2023-003.md"
UNCOMPARED = "没有与已发布的网站比对"     # the publishing build's notice, meaningless here


@pytest.mark.parametrize("change, committed", [("delete", False), ("rename", False),
                                                ("delete", True)])
def test_a_public_preview_shows_a_deleted_or_renamed_record_as_a_full_build_would(
        repo: GitProject, tmp_path: Path, change: str, committed: bool) -> None:
    """An editor deletes or renames a record the preview showed a minute ago (a draft never
    committed, or a commit never published). The manifest in the preview's folder is its own
    last build's, not a publication: the rebuild neither refuses the change as a published
    record disappearing nor says that it compared with no published site."""
    from builder.commands.serve import Preview
    if committed:
        repo.commit("2024-01-10T10:00:00+08:00", "补齐验收材料", {SECOND: second_rectification()})
    else:
        write_all(repo.root, {SECOND: second_rectification()})
    preview = Preview(Deployment(repo.root), as_of=AS_OF)
    try:
        first = preview.rebuild()
        assert first.error is None, first.error
        assert "rectification/ZG-2023-002/index.html" in tree_bytes(preview.out_dir)
        renamed = edit(second_rectification(), "id: ZG-2023-002", "id: ZG-2023-003")
        write_all(repo.root, {SECOND: None, **({THIRD: renamed} if change == "rename" else {})})
        again = preview.rebuild()
        assert again.error is None, again.error
        assert not any(UNCOMPARED in notice for result in (first, again)
                       for notice in result.built.notices)
        served = tree_bytes(preview.out_dir)
        assert "rectification/ZG-2023-002/index.html" not in served
        assert ("rectification/ZG-2023-003/index.html" in served) == (change == "rename")
        assert served == full_build(Deployment(repo.root), tmp_path / "full")
    finally:
        preview.close()


def test_a_published_record_deleted_is_still_refused_where_a_publication_is_named(
        repo: GitProject, tmp_path: Path) -> None:
    """What the preview shows, the publishing build into the live folder refuses; so does a
    preview built against the published manifest (`previous_manifest`)."""
    repo.commit("2024-01-10T10:00:00+08:00", "补齐验收材料", {SECOND: second_rectification()})
    deployment = Deployment(repo.root)
    live = tmp_path / "live" / "site"
    build(deployment, live, AS_OF, first_publication=True)
    published = tree_bytes(live)
    out, reuse = tmp_path / "preview" / "site", Reuse()
    build(deployment, out, AS_OF, reuse=reuse)
    repo.commit("2024-01-11T10:00:00+08:00", "删除整改事项", {SECOND: None})

    build(deployment, out, AS_OF, reuse=reuse)
    assert "rectification/ZG-2023-002/index.html" not in tree_bytes(out)
    with pytest.raises(PublishRefused, match="ZG-2023-002"):
        build(deployment, out, AS_OF, reuse=Reuse(), previous_manifest=live / publish.MANIFEST)
    with pytest.raises(PublishRefused, match="已发布的记录不能删除"):
        build(deployment, live, AS_OF)
    assert tree_bytes(live) == published
    reuse.close()
