"""Stage 8, publish: put a verified build in place of the live folder, all or nothing.

A build is made in a fresh folder beside the target; only after verification does it
replace the live folder, by renaming (atomic on one file system). A failed build leaves the
live folder untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


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
