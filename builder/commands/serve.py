"""Local preview: build, serve on localhost, rebuild when content/, templates/ or site_config/
change, and keep serving the last good build while the content has errors.

The preview runs the same pipeline as a real build (leak guard included) into a private
temporary folder, never into site/; the folder is removed when the preview stops, and one
left by a killed preview is removed by the next. Watching is plain polling of modification
times: no extra dependency, and a few hundred files are checked in milliseconds.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import io
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from ..stages import publish
from ..pipeline import Built, Deployment, Reuse, build
from ..stages.projection import Audience
from ..stages.repository import current_branch
from . import editor as web_editor

WATCHED = ("content", "templates", "site_config", "mkdocs.yml")


@dataclass(frozen=True)
class Rebuilt:
    """One preview build: either a fresh site or the error that kept the old one."""

    built: Built | None
    error: Exception | None
    seconds: float


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file."""
    stamps: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for file in files:
            try:
                stamps[str(file)] = file.stat().st_mtime_ns
            except OSError:
                continue  # deleted while we looked
    return stamps


# Shown until the first build succeeds; it reloads itself so the site appears on its own.
PLACEHOLDER = ("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=2>"
               "<title>预览</title><p>正在生成预览，或者内容有错误（请查看终端中的信息）。"
               "此页会自动刷新。</p>").encode("utf-8")


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is reachable from this machine only. An empty host
    means every interface. Raises OSError for a name that does not resolve."""
    if not host:
        return False
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


# The local backend of the web editor: Decap's proxy server from the npm registry, at an
# exact version, run with npx (Node.js is on developer machines, not on every editor's).
DECAP_SERVER = "decap-server@3.11.3"
API_PATH = "/api/v1"          # where the editor's page finds the local backend (same origin)
_API_MAX_BYTES = 64 * 1024 * 1024


class EditorUnavailable(Exception):
    """The web editor cannot run locally; the message (Chinese) says why and what to do."""


class LocalBackend:
    """decap-server writing into the working copy. Its fs mode (the default) saves files in
    place and commits nothing; the editor's own Git tools or `git` make the pull request. Its
    git mode (`workflow`) plays the editorial workflow on the local repository as a forge
    does: a draft is a commit on its own branch cms/<type>/<id>, its status the branch's
    description, publishing merges it into the current branch. It checks branches out and
    commits everything in the folder, so it is for a scratch repository (the screenshots, the
    browser test), never an editor's working copy: `sunlight serve` does not offer it."""

    def __init__(self, root: Path, workdir: Path, workflow: bool = False):
        self.root, self.workdir, self.workflow = root, workdir, workflow
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.log = workdir / "decap-server.log"

    def start(self, timeout: float = 240) -> int:
        npx = shutil.which("npx")
        if npx is None or shutil.which("node") is None:
            raise EditorUnavailable(
                "没有找到 Node.js（node 和 npx），无法在本机运行网页编辑器；预览照常进行。"
                "请安装 Node.js 20 或更新的版本后再加 --editor，或直接编辑 content/ 中的文件。")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "PORT": str(self.port), "BIND_HOST": "127.0.0.1",
               "MODE": "git" if self.workflow else "fs",
               "GIT_REPO_DIRECTORY": str(self.root.resolve()), "LOG_LEVEL": "warn"}
        with self.log.open("wb") as log:
            # Its own session, so closing ends npx and the node process it started together.
            self.process = subprocess.Popen([npx, "--yes", DECAP_SERVER], cwd=self.workdir,
                                            env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.answers():
                return self.port
            time.sleep(0.3)
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-800:]
        self.close()
        raise EditorUnavailable(f"网页编辑器的本地服务（{DECAP_SERVER}）没有启动：{tail.strip() or '没有输出'}。"
                                "第一次运行需要从 npm 下载它，请检查网络后重试。")

    def answers(self) -> bool:
        try:
            status, _, _ = self.forward(b'{"action":"info"}')
            return status == 200
        except OSError:
            return False

    def forward(self, body: bytes) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", API_PATH, body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            return answer.status, answer.getheader("Content-Type", "application/json"), answer.read()
        finally:
            conn.close()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
        self.process = None


class _Handler(http.server.SimpleHTTPRequestHandler):
    editor_root: str | None = None          # serves /editor/ when the editor is on
    backend: LocalBackend | None = None     # takes POST /api/v1 when the editor is on

    def log_message(self, format, *args):  # noqa: A002 - the preview is quiet
        pass

    def _in_editor(self) -> bool:
        path = self.path.split("?", 1)[0]
        return self.editor_root is not None and (path == "/" + web_editor.EDITOR_DIR or
                                                 path.startswith(f"/{web_editor.EDITOR_DIR}/"))

    def translate_path(self, path: str) -> str:
        if not self._in_editor():
            return super().translate_path(path)
        site, self.directory = self.directory, self.editor_root
        try:
            return super().translate_path(path)
        finally:
            self.directory = site

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("Content-Length") or 0)
        if self.backend is None or self.path != API_PATH or not 0 < length <= _API_MAX_BYTES:
            self.send_error(404)
            return
        try:
            status, kind, data = self.backend.forward(self.rfile.read(length))
        except OSError:
            self.send_error(502, "网页编辑器的本地服务没有响应")
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the page was closed or reloaded before the answer came: nobody to tell

    def send_head(self):  # type: ignore[no-untyped-def]
        if not self._in_editor() and not os.path.isdir(self.directory):  # no build yet
            self.send_response(503)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PLACEHOLDER)))
            self.end_headers()
            return io.BytesIO(PLACEHOLDER)
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # edits must show on reload
        super().end_headers()


class Preview:
    """A preview server for one project and audience."""

    def __init__(self, deployment: Deployment, audience: Audience = Audience.PUBLIC,
                 body: str | None = None, as_of: date | None = None, editor: bool = False,
                 workflow: bool = False):
        self.deployment, self.audience, self.body = deployment, audience, body
        self.as_of = as_of
        self.editor = editor
        self.workflow = workflow            # the editorial workflow on a scratch repository
        self.backend: LocalBackend | None = None
        self.workdir = publish.preview_folder()
        # One level down: builds lock the output's parent, and the preview holds the workdir.
        (self.workdir / "out").mkdir()
        self.out_dir = self.workdir / "out" / "site"
        self.server: http.server.ThreadingHTTPServer | None = None
        self.seen: dict[str, float] = {}  # watched files as the last build began
        # Kept from build to build under digests of their sources; unchanged record pages
        # come from the page cache (stages/cache.py), so an edit costs what it touches.
        self.reuse = Reuse()

    def rebuild(self) -> Rebuilt:
        # Taken before building, so an edit saved while this build runs triggers the next.
        self.seen = snapshot(self.deployment.root)
        start = time.perf_counter()
        try:
            if self.backend is not None:
                self.write_editor()
            built = build(self.deployment, self.out_dir, self.as_of or date.today(), self.audience,
                          self.body, reuse=self.reuse)
            return Rebuilt(built, None, time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - reported to the editor, old site kept
            return Rebuilt(None, exc, time.perf_counter() - start)

    @property
    def editor_root(self) -> Path:
        return self.workdir / "editor-root"

    def start_editor(self) -> None:
        """Start the local backend and write the editor (served at /editor/). Raises
        EditorUnavailable when Node.js is missing or the backend does not start."""
        self.backend = LocalBackend(self.deployment.root, self.workdir, self.workflow)
        self.backend.start()
        self.write_editor()

    def write_editor(self) -> None:
        """The editor as a deployment's internal site has it, but against the working copy:
        Decap's proxy backend on this server's /api/v1, saving straight into content/."""
        from ..model.model import load_model
        from .scaffold import next_ids
        model = load_model(self.deployment.config_dir)
        year = (self.as_of or date.today()).year
        backend = {"name": "proxy", "proxy_url": API_PATH}
        if self.workflow:   # drafts branch off, and are merged into, the branch checked out
            backend["branch"] = current_branch(self.deployment.root) or "main"
        web_editor.write_editor(self.editor_root / web_editor.EDITOR_DIR, model,
                                next_ids(self.deployment, model, year),
                                self.deployment.template_dirs, backend=backend,
                                editorial_workflow=self.workflow)

    def start(self, host: str, port: int) -> tuple[str, int]:
        """Serve the output folder (looked up per request, so swaps are picked up). Raises
        OSError when the address cannot be used (port taken, no permission)."""
        handler = type("Handler", (_Handler,), {
            "editor_root": str(self.editor_root) if self.backend else None,
            "backend": self.backend})
        handler = functools.partial(handler, directory=str(self.out_dir))
        self.server = http.server.ThreadingHTTPServer((host, port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[0], self.server.server_address[1]

    def watch(self, on_build: Callable[[Rebuilt], None], interval: float = 0.5,
              stop: threading.Event | None = None) -> None:
        """Rebuild whenever a watched file changes after the last build began, until `stop`
        is set."""
        stop = stop or threading.Event()
        while not stop.wait(interval):
            if snapshot(self.deployment.root) != self.seen:
                on_build(self.rebuild())

    def close(self) -> None:
        """Stop serving and remove the temporary folder (it may hold an internal site)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        self.reuse.close()
        publish.discard(self.workdir)
