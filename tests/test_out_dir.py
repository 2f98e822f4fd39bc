"""`sunlight build --out`: never deletes or overwrites what Sunlight did not make.

Each test replays an attack of issue 9 through the real CLI and checks the exit code, the one
Chinese line that names the folder, and that every file is still there byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.stages.publish import MANIFEST

AS_OF = "2026-11-21"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_refused(result, *named: str) -> None:
    """Exit 2, one line, in Chinese, naming what it must; never the internal-error text."""
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and "内部错误" not in line and "维护者" not in line, line
    assert line.startswith("没有构建："), line
    for text in named:
        assert text in line, (text, line)


@pytest.mark.parametrize("folder, named", [
    ("content", "它就是记录文件夹 content/"),
    ("site_config", "它就是配置文件夹 site_config/"),
    (".", "它就是项目文件夹"),
    ("..", "它包含项目文件夹"),
    ("content/rectifications", "它在记录文件夹 content/"),
    ("templates", "它就是模板文件夹"),
    (".git", "它就是Git 仓库 .git/"),
])
def test_source_folders_and_their_ancestors_are_refused(valid_project: Path, folder: str,
                                                        named: str) -> None:
    (valid_project / ".git").mkdir()
    (valid_project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (valid_project / "templates").mkdir()
    (valid_project / "templates" / "page.html").write_text("{{ page }}")
    (valid_project / "草稿.md").write_text("未提交的草稿", encoding="utf-8")
    everything = snapshot(valid_project.parent)
    result = run("build", "--root", str(valid_project), "--out", str(valid_project / folder),
                 "--as-of", AS_OF)
    assert_refused(result, "拒绝使用", named, "请用 --out 指定一个新的或空的文件夹")
    assert snapshot(valid_project.parent) == everything
    assert sorted(p.name for p in valid_project.parent.iterdir()) == ["project"]


def test_a_manifest_does_not_make_a_source_folder_an_output_folder(valid_project: Path) -> None:
    """Someone copied a built site's manifest into content/: still refused."""
    (valid_project / "content" / MANIFEST).write_text(json.dumps({"audience": "public"}))
    before = snapshot(valid_project)
    result = run("build", "--root", str(valid_project), "--out",
                 str(valid_project / "content"), "--as-of", AS_OF)
    assert_refused(result, "记录文件夹 content/")
    assert snapshot(valid_project) == before


def test_a_folder_sunlight_did_not_make_is_refused(valid_project: Path, tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "ZG-2024-009.md").write_text("---\nid: ZG-2024-009\n---\n还没提交的草稿", "utf-8")
    (drafts / "notes").mkdir()
    (drafts / "notes" / "会议记录.txt").write_text("内部讨论", encoding="utf-8")
    before = snapshot(drafts)
    result = run("build", "--root", str(valid_project), "--out", str(drafts), "--as-of", AS_OF)
    assert_refused(result, f"拒绝覆盖 {drafts}", f"不是 Sunlight 生成的网站（没有 {MANIFEST}）")
    assert snapshot(drafts) == before


def test_a_home_folder_is_refused_even_with_a_manifest(valid_project: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    home = tmp_path / "home" / "editor"
    (home / "文档").mkdir(parents=True)
    (home / "文档" / "工作总结.docx").write_bytes(b"PK\x03\x04 not really")
    (home / ".bashrc").write_text("export PATH=$PATH\n")
    (home / MANIFEST).write_text(json.dumps({"audience": "public"}))
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(home)
    result = run("build", "--root", str(valid_project), "--out", str(home), "--as-of", AS_OF)
    assert_refused(result, "它就是用户主目录")
    assert snapshot(home) == before
    # Its parent holds it, so it is refused too (`--out ~/..`).
    result = run("build", "--root", str(valid_project), "--out", str(home.parent),
                 "--as-of", AS_OF)
    assert_refused(result, "它包含用户主目录")
    assert snapshot(home) == before


def test_the_other_audiences_site_is_refused(valid_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "somewhere"
    assert run("build", "--root", str(valid_project), "--out", str(out), "--audience",
               "internal", "--as-of", AS_OF).exit_code == 0
    before = snapshot(out)
    result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of", AS_OF)
    assert_refused(result, f"拒绝覆盖 {out}", "那里是内部版本的网站")
    assert snapshot(out) == before


def test_a_malformed_manifest_is_not_a_sunlight_site(valid_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "odd"
    out.mkdir()
    (out / MANIFEST).write_text("[1, 2, 3]")
    (out / "index.html").write_text("<p>别人的网站</p>", encoding="utf-8")
    before = snapshot(out)
    result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of", AS_OF)
    # Refused with the manifest's own problem (the continuity guard's wording), never overwritten.
    assert_refused(result, "不是 Sunlight 写的清单", str(out / MANIFEST))
    assert snapshot(out) == before


def test_new_empty_and_own_folders_are_fine(valid_project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "new" / "site", empty, empty):  # the last: a site it built itself
        result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert (out / MANIFEST).is_file()


def test_a_file_is_not_an_output_folder(valid_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "site.zip"
    target.write_bytes(b"PK")
    result = run("build", "--root", str(valid_project), "--out", str(target), "--as-of", AS_OF)
    assert_refused(result, f"{target} 是一个文件，不是文件夹")
    assert target.read_bytes() == b"PK"


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_an_unwritable_output_folder_is_a_usage_error(valid_project: Path, tmp_path: Path,
                                                      where: str) -> None:
    """Permissions do not stop root (the test may run as root): use places no one can write."""
    if where == "under-a-file":
        (tmp_path / "plain-file").write_text("x")
        out = tmp_path / "plain-file" / "site"
    else:
        out = Path("/proc/sunlight-site")
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc here")
    result = run("build", "--root", str(valid_project), "--out", str(out), "--as-of", AS_OF)
    assert_refused(result, "无法写入", "请用 --out 指定一个可以写入的文件夹")
    assert not out.exists()
