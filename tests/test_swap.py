"""Publishing is one atomic step: at no moment is there no live site.

The publish step is made to fail at each of its file-system operations in turn, both as an
error (the code after it runs) and as a kill (nothing after it runs: every later operation
fails too), with and without the atomic exchange. After each, the live folder is a complete
site, old or new, with a readable manifest — at once where the exchange exists, and after the
next build's repair where it does not. Sites are real builds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.stages import publish
from builder.cli import cli
from builder.pipeline import Deployment, build
from builder.stages.publish import MANIFEST

from conftest import BASE_RECORDS, RECTIFICATION_PATH, edit, write_all

AS_OF = date(2026, 11, 21)


class Killed(BaseException):
    """The process died here: no handler of ours may catch it as an ordinary error."""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """An old and a new public site (a record's title changed), built for real."""
    from conftest import make_project
    root = make_project(tmp_path_factory.mktemp("swap") / "project")
    write_all(root, BASE_RECORDS)
    old = build(Deployment(root), root / "old", AS_OF, history=False).out_dir
    write_all(root, {RECTIFICATION_PATH: edit(BASE_RECORDS[RECTIFICATION_PATH],
                                              "title: 加快林业项目资金拨付",
                                              "title: 全面完成林业项目资金拨付")})
    new = build(Deployment(root), root / "new", AS_OF, history=False).out_dir
    assert snapshot(old) != snapshot(new)
    return snapshot(old), snapshot(new)


def lay_out(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


class Faults:
    """Counts the publish step's file-system operations; makes number `at` fail."""

    def __init__(self, at: int, kill: bool):
        self.at, self.kill, self.count, self.fired = at, kill, 0, False

    def wrap(self, real):
        def operation(*args, **kwargs):
            if self.fired and self.kill:
                raise Killed()
            step, self.count = self.count, self.count + 1
            if step == self.at:
                self.fired = True
                raise Killed() if self.kill else OSError(5, "injected I/O error")
            return real(*args, **kwargs)
        return operation


@contextlib.contextmanager
def injected(monkeypatch, faults: Faults, exchange: bool):
    with monkeypatch.context() as m:
        m.setattr(os, "rename", faults.wrap(os.rename))
        m.setattr(shutil, "rmtree", faults.wrap(shutil.rmtree))
        m.setattr(tempfile, "mkdtemp", faults.wrap(tempfile.mkdtemp))
        m.setattr(publish, "_RENAMEAT2",
                  faults.wrap(publish._RENAMEAT2) if exchange and publish._RENAMEAT2 else None)
        yield


def live_site(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """'old' or 'new' when `out` is one of them, complete, with a readable manifest."""
    assert out.is_dir(), "no live site"
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["audience"] == "public"
    found = snapshot(out)
    assert found in (old, new), "a mixed or incomplete site"
    return "old" if found == old else "new"


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
@pytest.mark.parametrize("kill", [False, True], ids=["error", "kill"])
def test_publish_fails_at_every_step_and_a_live_site_remains(sites, tmp_path: Path, monkeypatch,
                                                             exchange: bool, kill: bool) -> None:
    if exchange and publish._RENAMEAT2 is None:
        pytest.skip("no renameat2 on this system")
    old, new = sites
    outcomes = []
    for at in range(20):
        parent = tmp_path / f"at-{at}"
        out = parent / "site"
        lay_out(out, old)
        built = Path(tempfile.mkdtemp(prefix=".site.build-", dir=parent)) / "site"
        lay_out(built, new)
        faults = Faults(at, kill)
        with injected(monkeypatch, faults, exchange):
            with contextlib.suppress(OSError, Killed):
                publish.swap_into(built, out)
        if exchange or not kill:
            outcomes.append(live_site(out, old, new))  # at once: never a moment without one
        else:
            missing = not out.exists()
            publish.tidy(out)  # the next build, first thing
            outcomes.append(live_site(out, old, new) + (" (repaired)" if missing else ""))
        publish.tidy(out)
        assert sorted(p.name for p in parent.iterdir()) == ["site"], "leftovers not removed"
        if not faults.fired:
            break
    steps = len(outcomes) - 1
    assert steps == (2 if exchange else 4), outcomes  # every operation was made to fail once
    assert outcomes[-1] == "new" and outcomes[0] == "old"
    if not exchange and kill:
        assert "old (repaired)" in outcomes  # killed between the two renames


def test_the_next_build_puts_a_stranded_site_back_and_removes_only_its_own_leftovers(
        valid_project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "www" / "site"
    args = ["build", "--root", str(valid_project), "--out", str(out), "--as-of", "2026-11-21"]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    published = snapshot(out)
    parent = out.parent
    # A build killed between the two renames of the fallback swap …
    stranded = parent / ".site.old-k1ll3d_1"
    stranded.mkdir()
    os.rename(out, stranded / "site")
    # … and builds killed before their swap.
    for name in (".site.build-abcd1234", ".site.build-zz_9x0yq"):
        (parent / name / "site" / "assets").mkdir(parents=True)
        (parent / name / "site" / "index.html").write_text("<p>半成品</p>", encoding="utf-8")
    # Neighbours that are not Sunlight's work folders, and one a running build holds.
    (parent / ".site.build-notes.txt").write_text("备忘", encoding="utf-8")
    (parent / ".site.backup").mkdir()
    (parent / ".site.backup" / "index.html").write_text("备份", encoding="utf-8")
    (parent / ".blog.build-abcd1234").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (parent / ".site.build-l1nk0000").symlink_to(elsewhere, target_is_directory=True)
    running = publish.workspace(out)
    (running / "docs").mkdir()
    try:
        # The build that follows loses a published record: the continuity check must see
        # the restored site's manifest and refuse, not skip the check for want of a site.
        write_all(valid_project, {RECTIFICATION_PATH: None})
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert "拒绝发布" in result.output and "ZG-2023-001" in result.output
        assert snapshot(out) == published
        assert sorted(p.name for p in parent.iterdir()) == sorted(
            ["site", ".site.build-notes.txt", ".site.backup", ".blog.build-abcd1234",
             ".site.build-l1nk0000", running.name])
        assert (elsewhere / "keep.txt").read_text() == "keep"
        assert (running / "docs").is_dir()
    finally:
        publish.discard(running)
    # With the record back, the next build publishes and says what it repaired before.
    write_all(valid_project, {RECTIFICATION_PATH: BASE_RECORDS[RECTIFICATION_PATH]})
    stranded.mkdir()
    os.rename(out, stranded / "site")
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"已把原来的网站放回 {out}" in result.output
    assert "已删除 1 个中断的构建留下的临时文件夹" in result.output
    assert not stranded.exists()


def test_a_killed_build_leaves_the_live_site_and_the_next_one_cleans_up(
        valid_project: Path, tmp_path: Path) -> None:
    """A real process killed (SIGKILL) while it renders: the live site is untouched and its
    work folder is gone after the next build."""
    out = tmp_path / "site"
    args = ["build", "--root", str(valid_project), "--out", str(out), "--as-of", "2026-11-21",
            "--no-history"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    published = snapshot(out)
    script = ("import sys, os, signal\n"
              "from builder.stages import engine\n"
              "def die(*a, **k): os.kill(os.getpid(), signal.SIGKILL)\n"
              "engine.build = die\n"
              "from builder.cli import main\n"
              "sys.argv = ['sunlight'] + sys.argv[1:]\n"
              "main()\n")
    # Another date: with the same inputs as the live site's the build would render nothing.
    changed = [a if a != "2026-11-21" else "2026-11-22" for a in args]
    process = subprocess.run([os.sys.executable, "-c", script, *changed],
                             cwd=Path(__file__).resolve().parents[1], capture_output=True)
    assert process.returncode == -9
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.build-")]
    assert len(left) == 1 and snapshot(out) == published
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
