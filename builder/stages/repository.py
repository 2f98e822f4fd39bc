"""Git, one way: every Git command Sunlight runs goes through GitPython on the repository
`open_repository` finds (never one above a broken `.git`), and every failure becomes a
HistoryError with a Chinese message — for reading history, for the publishing checks and for
the commands (`sunlight new`, `sunlight check --base`). Not a stage: what stages and commands
ask of Git."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path
from subprocess import PIPE
from typing import IO, Iterable, Iterator

# Blobs asked for at once. The requests (41 bytes each) then fit in the 64 KiB pipe buffer, so
# writing them never blocks while cat-file waits for its answers to be read: no deadlock.
BLOB_BATCH = 500
# First-parent commits a segment of a parallel log holds at least: below that, one more git
# process costs more than it saves.
LOG_SEGMENT_MIN = 2_000
# Regular files; a symbolic link (120000) or submodule (160000) is no record file.
FILE_MODES = ("100644", "100755")


class HistoryError(Exception):
    """History cannot be read. The message is Chinese, for the CLI to print as it is."""


class NotARepository(HistoryError):
    """The project folder is not inside a Git repository."""


class ShallowClone(HistoryError):
    """A shallow clone: every file would look newly added at the cut-off commit."""


def git_module():
    # Imported here: GitPython refuses to import where no git executable exists, and
    # commands that never read history (validate, stats) must keep working there.
    try:
        import git
    except ImportError as exc:
        raise HistoryError("找不到 git 命令，无法读取记录的修改历史：请先安装 Git。") from exc
    return git


def open_repository(root: Path):
    """The Git repository `root` lies in (a GitPython Repo, to use in a `with`).

    Raises NotARepository only when no folder from `root` upwards holds a `.git`: that is the
    plain local case. A `.git` that cannot be read is a HistoryError, never taken for "no
    repository" (a corrupt repository would otherwise build a site with no history and no
    commit, and skip the publishing checks)."""
    root = Path(root).resolve()
    top = next((d for d in (root, *root.parents) if os.path.lexists(d / ".git")), None)
    if top is None:
        raise NotARepository(f"{root} 不在 Git 仓库中，无法读取记录的修改历史。"
                             "请在仓库中构建，或选择不带历史构建。")
    git = git_module()
    try:
        # Not search_parent_directories: a broken .git must not send us to an outer repository.
        repo = git.Repo(top)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError, ValueError) as exc:
        raise HistoryError(corrupt(top, f"{type(exc).__name__}：{exc}")) from exc
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        raise NotARepository(f"{root} 是裸仓库，无法读取记录的修改历史。")
    # Every git command of this repository runs on exactly this .git, never one found above,
    # nor the one a Git hook we run inside names in GIT_DIR and its companions.
    repo.git.update_environment(GIT_DIR=str(repo.git_dir),
                                GIT_WORK_TREE=str(repo.working_tree_dir),
                                GIT_COMMON_DIR=str(repo.common_dir),
                                GIT_INDEX_FILE=os.path.join(repo.git_dir, "index"))
    return repo


def resolve(repo, rev: str = "HEAD") -> str | None:
    """The commit `rev` names. None only for HEAD on a branch with no commit yet; a ref or
    object that cannot be read raises HistoryError."""
    status, out, _ = repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}",
                                        with_extended_output=True, with_exceptions=False)
    if status == 0 and out.strip():
        return out.strip()
    if rev != "HEAD":
        raise HistoryError(f"找不到提交“{rev}”，无法读取修改历史。")
    # An unborn branch: HEAD names a branch, and that branch names nothing at all. A branch
    # naming a missing object is damage, not "no commits yet".
    branch_status, branch, _ = repo.git.symbolic_ref("-q", "HEAD", with_extended_output=True,
                                                     with_exceptions=False)
    named_status, _, _ = repo.git.rev_parse("--verify", "--quiet", branch.strip() or "HEAD",
                                            with_extended_output=True, with_exceptions=False)
    if branch_status == 0 and named_status != 0:
        return None
    raise HistoryError(corrupt(Path(repo.working_tree_dir), "HEAD 指向的提交无法读取"))


def corrupt(top: Path, detail: object) -> str:
    return (f"{top / '.git'} 中的 Git 仓库已损坏，无法读取（{detail}）。损坏的仓库不能当作"
            "“没有历史”来发布：请修复仓库（例如重新克隆：git clone），再构建。")


def relative(path: Path, top: Path) -> str:
    try:
        rel = path.relative_to(top).as_posix()
    except ValueError as exc:
        raise NotARepository(f"{path} 不在 Git 仓库 {top} 中。") from exc
    return "" if rel == "." else rel


class Blobs:
    """One persistent `git cat-file --batch` process, asked for blobs in batches."""

    def __init__(self, process):
        self.process = process

    @classmethod
    def of(cls, repo) -> "Blobs":
        return cls(repo.git.cat_file(batch=True, istream=PIPE, as_process=True))

    def fetch(self, shas: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(shas))
        found: dict[str, bytes] = {}
        stdin, stdout = self.process.stdin, self.process.stdout
        for i in range(0, len(wanted), BLOB_BATCH):
            batch = wanted[i:i + BLOB_BATCH]
            stdin.write("".join(sha + "\n" for sha in batch).encode("ascii"))
            stdin.flush()
            for sha in batch:
                header = stdout.readline().split()       # sha, type, size — or "sha missing"
                if len(header) != 3:
                    raise HistoryError(f"Git 对象 {sha} 读取失败：{b' '.join(header).decode()}")
                found[sha] = stdout.read(int(header[2]))
                stdout.read(1)                          # the newline after the content
        return found

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


class FirstParentLog:
    """`git log --first-parent <options>` of a commit, run as consecutive segments of its
    first-parent chain, one git process each, all at once.

    Comparing each commit's tree with its parent's is most of the time of reading history
    and git does it on one core; the segments use them all. Segment k lists the commits
    after the last one of segment k-1 (`^end_k-1 end_k`): on a first-parent chain that is
    exactly its stretch, whichever parents a merge has, and each commit is still compared
    with its first parent. `streams()` hands the outputs over in order, the first one as
    git writes it; later ones are read into memory meanwhile, so no git waits on a full pipe.
    Their concatenation is the output of one `git log` over the whole chain."""

    def __init__(self, repo, tip: str, options: Iterable[str], segments: int | None = None):
        options = list(options)
        chain = repo.git.rev_list("--first-parent", tip).split()      # newest first
        count = len(chain)
        parts = max(1, min(segments or _cores(), count // LOG_SEGMENT_MIN))
        # The newest commit of each segment, oldest segment first; the last one is `tip`.
        ends = [chain[count - (k + 1) * count // parts] for k in range(parts)]
        self.processes = []
        self.outputs: list[list[bytes]] = []
        self.readers: list[threading.Thread] = []
        try:
            for k, end in enumerate(ends):
                revs = [f"^{ends[k - 1]}", end] if k else [end]
                self.processes.append(repo.git.log(*options, *revs, "--", as_process=True,
                                                   stdout_as_string=False))
            for process in self.processes[1:]:
                buffer: list[bytes] = []
                reader = threading.Thread(target=_read_all, args=(process.proc.stdout, buffer),
                                          daemon=True)
                reader.start()
                self.outputs.append(buffer)
                self.readers.append(reader)
        except BaseException:
            self.close()
            raise

    def streams(self) -> Iterator[IO[bytes]]:
        """Each segment's output, oldest segment first."""
        yield self.processes[0].proc.stdout
        for reader, buffer in zip(self.readers, self.outputs):
            reader.join()
            yield io.BytesIO(b"".join(buffer))

    def wait(self) -> None:
        """Raises GitCommandError if a segment's git failed."""
        for process in self.processes:
            process.wait()

    def close(self) -> None:
        for process in self.processes:
            if process.proc is not None and process.proc.poll() is None:
                process.proc.kill()
                process.proc.wait()


def _read_all(stream: IO[bytes], into: list[bytes]) -> None:
    while chunk := stream.read(1 << 20):
        into.append(chunk)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        return os.cpu_count() or 1


# --- what the publishing checks ask of Git ------------------------------------------------------


def head_commit(root: Path) -> str | None:
    """The commit being built; None outside a Git repository or before the first commit.

    A repository that cannot be read raises HistoryError: it is not "outside Git"."""
    try:
        repo = open_repository(root)
    except NotARepository:
        return None
    with repo:
        return resolve(repo)


def descends_from(root: Path, old: str, new: str) -> bool:
    """Whether commit `old` is `new` or one of its ancestors. A commit this repository does
    not hold raises HistoryError (another repository's manifest, or history not fetched)."""
    with open_repository(root) as repo:
        status, _, err = repo.git.merge_base("--is-ancestor", old, new,
                                             with_extended_output=True, with_exceptions=False)
    if status in (0, 1):
        return status == 0
    raise HistoryError(f"本仓库中找不到上次发布的提交 {old[:10]}（{err.strip()}）。请取回完整历史"
                       "（actions/checkout 的 “fetch-depth: 0”，或 git fetch --unshallow），"
                       "并确认上次发布的清单来自这个仓库。")


def current_branch(root: Path) -> str | None:
    """The name of the branch checked out; None on a detached HEAD."""
    with open_repository(root) as repo:
        status, out, _ = repo.git.symbolic_ref("-q", "--short", "HEAD",
                                               with_extended_output=True, with_exceptions=False)
    return out.strip() if status == 0 and out.strip() else None


def fork_point(root: Path, base: str) -> str | None:
    """Where the branch being checked left `base`: the merge base of HEAD and `base`. None
    before the first commit, or where the two share no commit (unrelated or cut-off
    history), so no file can be told apart as the branch's own."""
    with open_repository(root) as repo:
        if resolve(repo) is None:
            return None
        status, out, err = repo.git.merge_base("HEAD", base, with_extended_output=True,
                                               with_exceptions=False)
    if status == 0 and out.strip():
        return out.strip()
    if status == 1:
        return None
    raise HistoryError(f"无法找到当前分支与基准版本 {base[:10]} 的分叉点：{err.strip()}")


def read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """{blob id: content} of the blobs asked for, through one `git cat-file --batch`."""
    with open_repository(root) as repo:
        blobs = Blobs.of(repo)
        try:
            return blobs.fetch(shas)
        finally:
            blobs.close()


def paths_in_history(root: Path, folder: Path, timeout: float = 120) -> str:
    """Every path under `folder` in every commit of every branch, one a line (deleted and
    renamed files included); empty outside a Git repository or where Git cannot tell."""
    try:
        with open_repository(root) as repo:
            spec = relative(Path(folder).resolve(), Path(repo.working_tree_dir).resolve())
            status, out, _ = repo.git(c="core.quotepath=off").log(
                "--all", "--format=", "--name-only", "--no-renames", "--", spec,
                with_extended_output=True, with_exceptions=False, kill_after_timeout=timeout)
    except HistoryError:
        return ""
    return out if status == 0 else ""


def blobs_at(root: Path, commit: str, folders: Iterable[Path],
             files_only: bool = False) -> dict[str, str]:
    """{path relative to `root`: blob id} of every file under `folders` at `commit`; with
    `files_only`, regular files alone (a symbolic link or submodule is no record file)."""
    with open_repository(root) as repo:
        top = Path(repo.working_tree_dir).resolve()
        prefix = relative(Path(root).resolve(), top)
        specs = [relative(Path(f).resolve(), top) for f in folders]
        try:
            out = repo.git.ls_tree("-r", "-z", "--full-tree", commit, "--", *specs)
        except git_module().GitCommandError as exc:
            raise HistoryError(f"无法读取提交 {commit[:10]} 中的文件：{exc.stderr}") from exc
    found: dict[str, str] = {}
    for entry in filter(None, out.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split()
        if files_only and mode not in FILE_MODES:
            continue
        if kind == "blob" and (not prefix or path.startswith(prefix + "/")):
            found[path[len(prefix) + 1:] if prefix else path] = blob
    return found


def blob_id(data: bytes, like: str) -> str:
    """The id Git gives a blob of `data`, in the hash of `like` (SHA-1 or SHA-256 repository)."""
    algorithm = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest()


def is_clean(root: Path, folders: Iterable[Path]) -> bool:
    """Whether the files under `folders` are exactly those of HEAD: nothing modified, staged,
    untracked or ignored there."""
    with open_repository(root) as repo:
        top = Path(repo.working_tree_dir).resolve()
        specs = [relative(Path(f).resolve(), top) for f in folders]
        status, out, err = repo.git.status("--porcelain", "-z", "--untracked-files=all",
                                           "--ignored=matching", "--", *specs,
                                           with_extended_output=True, with_exceptions=False)
    if status != 0:
        raise HistoryError(corrupt(top, err.strip()))
    return out == ""
