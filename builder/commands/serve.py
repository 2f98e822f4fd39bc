"""Local preview: build, serve on localhost, rebuild when content/, templates/ or site_config/
change, and keep serving the last good build while the content has errors.

The preview runs the same pipeline as a real build (leak guard included) into a private
temporary folder, never into site/; the folder is removed when the preview stops, and one
left by a killed preview is removed by the next. Watching is plain polling of modification
times: no extra dependency, and a few hundred files are checked in milliseconds.
"""

from __future__ import annotations

import functools
import http.server
import io
import ipaddress
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from ..stages import publish
from ..pipeline import Built, Deployment, build
from ..stages.projection import Audience

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


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the preview is quiet
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        if not os.path.isdir(self.directory):  # no successful build yet
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
                 body: str | None = None, as_of: date | None = None):
        self.deployment, self.audience, self.body = deployment, audience, body
        self.as_of = as_of
        self.workdir = publish.preview_folder()
        # One level down: builds lock the output's parent, and the preview holds the workdir.
        (self.workdir / "out").mkdir()
        self.out_dir = self.workdir / "out" / "site"
        self.server: http.server.ThreadingHTTPServer | None = None
        self.seen: dict[str, float] = {}  # watched files as the last build began

    def rebuild(self) -> Rebuilt:
        # Taken before building, so an edit saved while this build runs triggers the next.
        self.seen = snapshot(self.deployment.root)
        start = time.perf_counter()
        try:
            built = build(self.deployment, self.out_dir, self.as_of or date.today(), self.audience,
                          self.body)
            return Rebuilt(built, None, time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - reported to the editor, old site kept
            return Rebuilt(None, exc, time.perf_counter() - start)

    def start(self, host: str, port: int) -> tuple[str, int]:
        """Serve the output folder (looked up per request, so swaps are picked up). Raises
        OSError when the address cannot be used (port taken, no permission)."""
        handler = functools.partial(_Handler, directory=str(self.out_dir))
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
        publish.discard(self.workdir)
