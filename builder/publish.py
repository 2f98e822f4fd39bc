"""Stage 8, publish: put a verified build in place of the live folder, all or nothing.

A build is made in a fresh folder beside the target; only after verification does it
replace the live folder, by renaming (atomic on one file system). A failed build leaves the
live folder untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from .project import Projection

MANIFEST = "sunlight-manifest.json"


def workspace(out_dir: Path) -> Path:
    """A fresh, empty folder on the same file system as `out_dir`, for one build."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))


def swap_into(built: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `built`. The old folder is moved aside first, then deleted."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "site")
    os.rename(built, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def write_manifest(docs_dir: Path, projection: Projection, as_of: date) -> Path:
    """What this build contains: audience, build date and a SHA-256 of every record's
    projection, so a later publish can tell what changed or went missing."""
    records = {r.id: _digest(r.fields, r.body) for r in sorted(projection.records,
                                                                 key=lambda r: r.id)}
    manifest = {"audience": projection.audience.value, "body": projection.body,
                "build_date": as_of.isoformat(), "records": records}
    path = docs_dir / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _digest(fields: dict[str, Any], body: str) -> str:
    canonical = json.dumps({"fields": fields, "body": body}, ensure_ascii=False, sort_keys=True,
                           default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
