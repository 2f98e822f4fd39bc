"""The preview's own last steps (pipeline._update_preview), with real builds of a real Git
repository in tmp folders, built the way `sunlight serve` builds (pipeline.Reuse).

A rebuild moves into the preview folder only the files that changed and leak-checks only
those while the secrets are the ones every other served file was checked against; the
folder then holds exactly what a full build makes. When the secrets change every file is
checked again and the old search index is dropped before the new one is made.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builder import pipeline
from builder.pipeline import Deployment, LeakDetected, Reuse, build
from builder.stages import cache as page_cache
from builder.stages.projection import Audience

from conftest import (BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, cache_entries, edit,
                      store_cache_entry, tree_bytes, write_all)
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
