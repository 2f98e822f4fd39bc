"""Local preview: build, serve on localhost, rebuild when content/, templates/ or site_config/
change, and keep serving the last good build while the content has errors.

The preview runs the same pipeline as a real build (leak guard included) into a private
temporary folder, never into site/. Watching is plain polling of modification times: no
extra dependency, and a few hundred files are checked in milliseconds.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from .pipeline import Built, Project, build
from .project import Audience

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


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the preview is quiet
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # edits must show on reload
        super().end_headers()


class Preview:
    """A preview server for one project and audience."""

    def __init__(self, project: Project, audience: Audience = Audience.PUBLIC,
                 body: str | None = None, as_of: date | None = None):
        self.project, self.audience, self.body = project, audience, body
        self.as_of = as_of
        self.workdir = Path(tempfile.mkdtemp(prefix="sunlight-preview-"))
        self.out_dir = self.workdir / "site"
        self.server: http.server.ThreadingHTTPServer | None = None

    def rebuild(self) -> Rebuilt:
        start = time.perf_counter()
        try:
            built = build(self.project, self.out_dir, self.as_of or date.today(), self.audience,
                          self.body)
            return Rebuilt(built, None, time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - reported to the editor, old site kept
            return Rebuilt(None, exc, time.perf_counter() - start)

    def start(self, host: str, port: int) -> tuple[str, int]:
        """Serve the output folder (looked up per request, so swaps are picked up)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_Handler, directory=str(self.out_dir))
        self.server = http.server.ThreadingHTTPServer((host, port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[0], self.server.server_address[1]

    def watch(self, on_build: Callable[[Rebuilt], None], interval: float = 0.5,
              stop: threading.Event | None = None) -> None:
        """Rebuild whenever a watched file changes, until `stop` is set."""
        stop = stop or threading.Event()
        seen = snapshot(self.project.root)
        while not stop.wait(interval):
            now = snapshot(self.project.root)
            if now != seen:
                seen = now
                on_build(self.rebuild())

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        shutil.rmtree(self.workdir, ignore_errors=True)
