"""`sunlight serve`: a real process on a free local port picks up an edited record."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import BASE_RECORDS, RECTIFICATION_PATH, edit, write_all


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float = 90.0, step: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def test_serve_rebuilds_after_an_edit_and_keeps_the_last_good_build(valid_project: Path) -> None:
    log = valid_project.parent / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "builder.cli", "serve", "--root", str(valid_project),
             "--port", "0", "--as-of", "2026-11-21"],
            stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    try:
        address = wait_for(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text()))
        assert address, log.read_text()
        page = f"{address.group(0)}rectification/ZG-2023-001/"
        assert "加快林业项目资金拨付" in (wait_for(lambda: fetch(page)) or "")

        original = BASE_RECORDS[RECTIFICATION_PATH]
        write_all(valid_project, {RECTIFICATION_PATH: edit(original, "title: 加快林业项目资金拨付",
                                                           "title: 全面完成林业项目资金拨付")})
        assert wait_for(lambda: "全面完成林业项目资金拨付" in (fetch(page) or "")), log.read_text()

        # A warning the edit brings is printed once, not again by the rebuilds after it.
        warned = edit(original, "title: 加快林业项目资金拨付", "title: 全面完成林业项目资金拨付") \
            + "\n<b>已完成</b>\n"
        write_all(valid_project, {RECTIFICATION_PATH: warned})
        assert wait_for(lambda: "raw-html [警告]" in log.read_text()), log.read_text()
        updates = log.read_text().count("已更新预览")
        write_all(valid_project, {RECTIFICATION_PATH: warned.replace("已完成</b>", "已经完成</b>")})
        assert wait_for(lambda: log.read_text().count("已更新预览") > updates), log.read_text()
        assert log.read_text().count("raw-html [警告]") == 1, log.read_text()

        # A broken edit is reported in the terminal; the last good page keeps being served.
        write_all(valid_project, {RECTIFICATION_PATH: edit(original, "deadline: 2023-06-30",
                                                           "deadline: 2023-06-31")})
        assert wait_for(lambda: "invalid-date" in log.read_text()), log.read_text()
        assert "全面完成林业项目资金拨付" in (fetch(page) or "")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- where the preview listens, its port, and its temporary folder ---------------------------

import socket  # noqa: E402
import tempfile  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from builder.stages import publish  # noqa: E402
from builder.cli import cli  # noqa: E402


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_usage_line(result, *named: str) -> str:
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and "内部错误" not in line and "维护者" not in line, line
    for text in named:
        assert text in line, (text, line)
    return line


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch) -> Path:
    """The preview's temporary folders go here, so a test sees exactly what it leaves."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("host", ["0.0.0.0", ""])
def test_the_internal_preview_is_refused_on_the_network(valid_project: Path, private_tmp: Path,
                                                        host: str) -> None:
    result = invoke("serve", "--root", str(valid_project), "--audience", "internal",
                    "--host", host, "--port", "0")
    one_usage_line(result, "拒绝在", "预览内部网站", "--trusted-network")
    assert list(private_tmp.iterdir()) == []  # nothing was built


def test_an_unknown_host_is_a_usage_error(valid_project: Path, private_tmp: Path) -> None:
    result = invoke("serve", "--root", str(valid_project), "--host", "no-such-host.invalid")
    one_usage_line(result, "无法识别 --host 的地址“no-such-host.invalid”")


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "80.5", "８０００", ""])
def test_a_bad_port_is_a_usage_error(valid_project: Path, private_tmp: Path, port: str) -> None:
    result = invoke("serve", "--root", str(valid_project), "--port", port)
    one_usage_line(result, f"端口“{port}”无效", "0 到 65535")
    assert list(private_tmp.iterdir()) == []


def test_a_port_in_use_is_a_usage_error_and_leaves_no_folder(valid_project: Path,
                                                             private_tmp: Path) -> None:
    # A preview killed earlier (SIGKILL) left its folder, an internal site in it; another
    # preview is running and holds its own. The next preview removes only the first.
    killed = private_tmp / "sunlight-preview-k1ll3d00"
    (killed / "out" / "site").mkdir(parents=True)
    (killed / "out" / "site" / "index.html").write_text("内部资料", encoding="utf-8")
    running = publish.preview_folder()
    assert running.parent == private_tmp
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = invoke("serve", "--root", str(valid_project), "--port", str(port))
        one_usage_line(result, f"端口 {port} 已被占用", "--port 0")
        assert sorted(private_tmp.iterdir()) == [running]
    finally:
        taken.close()
        publish.discard(running)


def previews(tmp: Path) -> list[Path]:
    return [p for p in tmp.iterdir() if p.name.startswith(publish.PREVIEW_PREFIX)]


def serve_process(root: Path, tmp: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    log = tmp.parent / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "builder.cli", "serve", "--root", str(root), "--port", "0",
             "--as-of", "2026-11-21", *args],
            stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)},
            start_new_session=True)
    return process, log


@pytest.mark.parametrize("audience, extra, warned", [
    ("public", (), "尚未发布的内容"),
    ("internal", ("--trusted-network",), "内部内容"),
])
def test_a_network_preview_warns_and_sigterm_removes_its_folder(
        valid_project: Path, private_tmp: Path, audience: str, extra: tuple[str, ...],
        warned: str) -> None:
    process, log = serve_process(valid_project, private_tmp, "--host", "0.0.0.0",
                                 "--audience", audience, *extra)
    try:
        assert wait_for(lambda: "已更新预览" in log.read_text()), log.read_text()
        text = log.read_text()
        assert f"注意：预览在 0.0.0.0 上对网络开放，同一网络中的其他人也能看到{warned}" in text
        port = re.search(r"http://0\.0\.0\.0:(\d+)/", text).group(1)
        assert "ZG-2023-001" in (fetch(f"http://127.0.0.1:{port}/rectification/ZG-2023-001/")
                                 or "")
        assert len(previews(private_tmp)) == 1
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "已停止预览" in log.read_text()
    assert previews(private_tmp) == []


def test_ctrl_c_before_the_first_build_ends_removes_the_folder(valid_project: Path,
                                                               private_tmp: Path) -> None:
    process, log = serve_process(valid_project, private_tmp)
    try:
        assert wait_for(lambda: "预览地址" in log.read_text(), step=0.05), log.read_text()
        port = re.search(r":(\d+)/", log.read_text()).group(1)
        # Before the first build is done, the browser gets a page that waits for it.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 503 and "正在生成预览" in exc.read().decode("utf-8")
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert previews(private_tmp) == [], log.read_text()
