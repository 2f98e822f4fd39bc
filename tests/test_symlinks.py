"""Records are regular files inside content/: a symbolic link — to a file or a folder, inside
or outside the repository, broken or looping — is reported as symlink-not-allowed on line 1
and never read, so nothing of its target reaches validation output, the site or a new ID."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.stages.history import read_history
from conftest import (FINDING, RECTIFICATION, RECTIFICATION_PATH, edit, flatten,
                      validate_project, write)
from gitrepo import GitProject

R = RECTIFICATION_PATH
LINK = "content/rectifications/ZG-2023-002.md"
# A title no other file holds: if it shows up anywhere, the link's target was read.
CANARY_TITLE = "仓库以外的秘密整改事项"
OUTSIDE = edit(edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002"),
               "title: 加快林业项目资金拨付", f"title: {CANARY_TITLE}")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def link(project: Path, rel: str, target: Path | str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def outside_file(project: Path) -> Path:
    """A valid record outside the repository, as an attacker's link would reach it."""
    return write(project.parent, "elsewhere/ZG-2023-002.md", OUTSIDE)


def test_link_to_a_record_outside_the_repository_is_refused_not_read(valid_project):
    link(valid_project, LINK, outside_file(valid_project))
    checked = validate_project(valid_project)
    assert flatten(checked.validation.problems) == [("symlink-not-allowed", LINK, 1, None)]
    assert all(r.id != "ZG-2023-002" for r in checked.validation.records)
    assert not checked.validation.valid


def test_link_outside_is_not_published(valid_project, tmp_path):
    link(valid_project, LINK, outside_file(valid_project))
    out = tmp_path / "public"
    result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of",
                 "2024-01-01", "--no-history")
    assert result.exit_code == 1, result.output
    assert "symlink-not-allowed" in result.output
    assert CANARY_TITLE not in result.output
    assert not out.exists()


def test_link_inside_the_repository_is_refused_too(valid_project):
    link(valid_project, LINK, Path("ZG-2023-001.md"))
    problems = validate_project(valid_project).validation.problems
    assert flatten(problems) == [("symlink-not-allowed", LINK, 1, None)]
    assert "ZG-2023-001.md" in problems[0].message


def test_linked_folder_is_refused_and_not_entered(valid_project):
    write(valid_project.parent, "elsewhere/records/ZG-2023-002.md", OUTSIDE)
    link(valid_project, "content/rectifications/2024", valid_project.parent / "elsewhere/records")
    link(valid_project, "content/extra", valid_project.parent / "elsewhere")
    checked = validate_project(valid_project)
    assert flatten(checked.validation.problems) == [
        ("symlink-not-allowed", "content/extra", 1, None),
        ("symlink-not-allowed", "content/rectifications/2024", 1, None)]
    assert all(r.id != "ZG-2023-002" for r in checked.validation.records)


@pytest.mark.parametrize("loop", ["file", "folder"])
def test_symlink_loop_is_reported_and_validation_finishes(valid_project, loop):
    if loop == "file":
        link(valid_project, "content/rectifications/a.md", Path("b.md"))
        link(valid_project, "content/rectifications/b.md", Path("a.md"))
        expected = [("symlink-not-allowed", "content/rectifications/a.md", 1, None),
                    ("symlink-not-allowed", "content/rectifications/b.md", 1, None)]
    else:
        link(valid_project, "content/rectifications/again", Path(".."))
        expected = [("symlink-not-allowed", "content/rectifications/again", 1, None)]
    result = run("validate", "--root", str(valid_project))
    assert result.exit_code == 1, result.output
    assert "内部错误" not in result.output
    assert flatten(validate_project(valid_project).validation.problems) == expected


def test_link_to_a_loop_named_on_the_command_line_is_reported(valid_project):
    """pre-commit passes the changed files by name: a looping link is still reported."""
    link(valid_project, "content/rectifications/a.md", Path("a.md"))
    result = run("validate", "--root", str(valid_project),
                 str(valid_project / "content/rectifications/a.md"))
    assert result.exit_code == 1, result.output
    assert "content/rectifications/a.md:1: symlink-not-allowed" in result.output
    assert "检查了 1 个文件：1 个错误" in result.output


def test_link_named_on_the_command_line_is_not_taken_for_its_target(valid_project):
    """Naming a link must report the link, not filter its problem away as another file."""
    link(valid_project, LINK, Path("ZG-2023-001.md"))
    result = run("validate", "--root", str(valid_project), str(valid_project / LINK))
    assert result.exit_code == 1, result.output
    assert f"{LINK}:1: symlink-not-allowed" in result.output


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="needs /etc/passwd")
def test_json_output_holds_nothing_of_a_linked_system_file(valid_project):
    link(valid_project, LINK, Path("/etc/passwd"))
    first_line = Path("/etc/passwd").read_text(encoding="utf-8").split("\n")[0]
    result = run("validate", "--root", str(valid_project), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    (error,) = report["errors"]
    assert (error["code"], error["path"], error["line"], error["value"]) == (
        "symlink-not-allowed", LINK, 1, None)
    assert first_line not in result.output
    assert "root:" not in result.output


def test_new_id_is_not_taken_from_a_linked_file(valid_project):
    target = write(valid_project.parent, "elsewhere/notes.md",
                   edit(OUTSIDE, "id: ZG-2023-002", "id: ZG-2023-077"))
    link(valid_project, "content/rectifications/notes.md", target)
    result = run("new", "rectification", "--year", "2023", "--root", str(valid_project))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("ZG-2023-002.md")


def test_history_does_not_parse_a_committed_link(tmp_path):
    repo = GitProject(tmp_path / "project")
    write(repo.root, "content/findings/WT-2023-001.md", FINDING)
    os.symlink("/etc/passwd", repo.root / LINK.replace("rectifications", "findings"))
    repo.commit("2024-01-01T09:00:00+08:00", "记录和链接", {})
    found = read_history(repo.root)
    paths = [change.path for commit in found.commits for change in commit.changes]
    assert paths == ["content/findings/WT-2023-001.md"]
