"""Real Git repositories for the history tests: a Sunlight project committed step by step,
with fixed dates and a fixed author, and no influence from the machine's Git configuration."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import make_project, write_all

ISOLATED = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
AUTHOR, EMAIL = "编辑甲", "editor-a@example.org"


def git(cwd: Path, *args: str, when: str | None = None) -> str:
    """Run git in `cwd`; `when` (ISO 8601 with offset) is both author and committer date."""
    env = {**os.environ, **ISOLATED}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip()


class GitProject:
    """A project folder (real site_config/, content/) that is also a Git repository."""

    def __init__(self, root: Path):
        self.root = make_project(root)
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", AUTHOR)
        git(root, "config", "user.email", EMAIL)
        git(root, "config", "commit.gpgsign", "false")

    def commit(self, when: str, message: str, files: dict[str, str | bytes | None]) -> str:
        """Write (None: delete) the files, commit everything, return the commit's sha."""
        write_all(self.root, files)
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message, when=when)
        return self.sha()

    def move(self, when: str, message: str, old: str, new: str) -> str:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        git(self.root, "mv", old, new)
        git(self.root, "commit", "-q", "-m", message, when=when)
        return self.sha()

    def branch(self, name: str) -> None:
        git(self.root, "checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        git(self.root, "checkout", "-q", name)

    def merge(self, when: str, message: str, branch: str) -> str:
        git(self.root, "merge", "-q", "--no-ff", "-m", message, branch, when=when)
        return self.sha()

    def revert(self, when: str) -> str:
        git(self.root, "revert", "--no-edit", "HEAD", when=when)
        return self.sha()

    def sha(self, rev: str = "HEAD") -> str:
        return git(self.root, "rev-parse", rev)
