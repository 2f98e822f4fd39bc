"""The fast history reader against an independent, slow reading of the same repository.

`read_history` reads one `git log` (in parallel segments), parses each blob once and takes a
quick path through YAML where it can. Here a seeded random history of a few hundred commits
— moves, deletions, copies, ID changes, reverts, merges, symbolic links, files outside
content/ and many kinds of malformed blob — is read again the plain way: per commit, the full
file lists of the commit and of its first parent compared in Python, each blob read on its own
and parsed by the strict loader. Both readings must agree on every commit, change, parsed
document, problem and notice, so no speed trick can change what history says."""

from __future__ import annotations

import os
import random
import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.model import load_model, strict_yaml
from builder.stages import repository
from builder.stages.history import read_history
from builder.stages.load import is_record_path, parse_bytes
from builder.stages.timeline import timelines

from conftest import FINDING, ITEM, PLAN, RECTIFICATION, SITE_CONFIG, edit
from gitrepo import ISOLATED, GitProject, git

MODEL = load_model(SITE_CONFIG)
FILE_MODES = {"100644", "100755"}
ZG = "content/rectifications/ZG-2023-{:03d}.md"
WORDS = ["正在推进", "已完成", "资金到位", "回头看", "牡丹", "种质资源", "a, b", "C#", "12:30",
         "http://example.org/x", "x's", "“放管服”改革"]


def _rectification(n: int, rng: random.Random) -> str:
    text = edit(RECTIFICATION, "id: ZG-2023-001", f"id: ZG-2023-{n:03d}")
    return edit(text, "result: 已拨付全部资金。", f"result: {rng.choice(WORDS)} {rng.randrange(99)}")


def _number(path: str) -> int:
    return int(re.search(r"ZG-2023-(\d+)", path).group(1))


def _malformed(text: str, kind: int) -> str | bytes:
    """One way of breaking (or oddly writing) a record file, as editors did."""
    kind %= 24
    if kind == 0:
        return b"\xef\xbb\xbf" + text.encode()
    if kind == 1:
        return text.encode().replace("加快".encode(), b"\xff\xfe", 1)
    if kind == 2:
        return text.replace("---\n", "", 1)                          # no front matter
    if kind == 3:
        return "---\n" + text[4:].replace("\n---\n", "\n", 1)             # unclosed
    if kind == 4:
        return text.replace("title: ", "title: [", 1)                # YAML syntax error
    if kind == 5:
        return text.replace("status: ", "status: assigned\nstatus: ", 1)   # duplicate key
    if kind == 6:
        return text.replace("title: ", "title: &t ", 1).replace("result: ", "result: *t #", 1)
    if kind == 7:
        return text.replace("title: ", "title: !!str ", 1)
    if kind == 8:
        return text.replace("\n    reason:", "\n\u3000\u3000reason:", 1)
    if kind == 9:
        return text.replace("\n    reason:", "\n\treason:", 1)
    if kind == 10:
        return text.replace("\n", "\r\n")
    if kind == 11:
        return text.replace("title: ", "# 注释\n\ntitle: '它''s' #x\ndummy: ", 1)
    if kind == 12:
        return text.replace("result: ", "result: 多行\n  续写的\n\n  第二段 ", 1)
    if kind == 13:
        return text.replace("result: ", "result: |\n  第一行\n  第二行\nnote: ", 1)
    if kind == 14:
        return text.replace("title: ", 'title: "双引号\\n转义" ', 1)
    if kind == 15:
        return text.replace("deadline_extensions:\n", "deadline_extensions: \n", 1)
    if kind == 16:
        return text.replace("status: completed", "status: ", 1)       # empty value
    if kind == 17:
        return text.replace("status: completed", "status: ~", 1)
    if kind == 18:
        return text.replace("  - date:", "- date:", 1).replace("\n    ", "\n  ")
    if kind == 19:
        return text.replace("result: ", "result: a: b ", 1)          # mapping value in plain
    if kind == 20:
        return text.replace("id: ", "id: [x]\nold_id: ", 1)          # an ID that is no text
    if kind == 21:
        return text.replace("title: ", "title:    ", 1).replace("result: 已", "result: 已  ", 1)
    if kind == 22:
        return text.replace("status: completed", "status: completed\nsubjects: [ly-lyj, {a: b}]", 1)
    return text.replace("---\n", "---\n---\n", 1)                    # two documents


def generate(repo: GitProject, commits: int, seed: int = 14) -> None:
    """A seeded random first-parent history with a side branch merged now and then."""
    rng = random.Random(seed)
    repo.commit("2023-01-01T09:00:00+08:00", "录入基础记录",
                {"content/plans/JH-2023-01.md": PLAN, "content/items/SX-2023-001.md": ITEM,
                 "content/findings/WT-2023-001.md": FINDING, "content/README.md": "说明\n"})
    live: dict[str, str | bytes] = {}       # path -> current content of the rectifications
    history: list[str | bytes] = []         # earlier contents, for reverts and copies
    n = odd = 0
    for k in range(1, commits):
        when = f"2023-{1 + k // 28 % 12:02d}-{1 + k % 28:02d}T10:{k % 60:02d}:00+08:00"
        op = rng.randrange(100)
        files: dict[str, str | bytes | None] = {}
        if not live or op < 20:                                   # new record
            n += 1
            files[ZG.format(n)] = _rectification(n, rng)
        elif op < 45:                                             # ordinary edit
            path = rng.choice(sorted(live))
            text = _rectification(_number(path), rng)
            files[path] = text
        elif op < 60:                                             # malformed or odd edit
            path = rng.choice(sorted(live))
            odd += 1
            files[path] = _malformed(_rectification(_number(path), rng), odd)
        elif op < 66:                                             # move, keeping the ID
            path = rng.choice(sorted(live))
            files[path] = None
            files[path.replace("rectifications/", f"rectifications/moved{k}/")] = live[path]
        elif op < 70:                                             # deletion
            files[rng.choice(sorted(live))] = None
        elif op < 74:                                             # ID changed in place
            path = rng.choice(sorted(live))
            n += 1
            files[path] = _rectification(n, rng)
        elif op < 78 and history:                                 # revert to an older blob
            files[rng.choice(sorted(live))] = rng.choice(history)
        elif op < 81:                                             # a copy under another name
            path = rng.choice(sorted(live))
            files[path.replace(".md", f"-copy{k}.md")] = live[path]
        elif op < 84:                                             # not record files
            files[rng.choice(["site_config/notes.md", "content/README.md",
                              "content/.drafts/x.md", "notes.md"])] = f"说明 {k}\n"
        elif op < 86:                                             # a symbolic link
            link = repo.root / f"content/rectifications/link{k}.md"
            os.symlink(os.path.basename(rng.choice(sorted(live))), link)
        elif op < 88:                                             # executable bit only
            path = rng.choice(sorted(live))
            os.chmod(repo.root / path, 0o755)
            files[path] = live[path]
        elif op < 92:                                             # a side branch, merged
            repo.branch(f"side{k}")
            path = rng.choice(sorted(live))
            side = _rectification(_number(path), rng)
            repo.commit(when, "分支修改", {path: side})
            odd += 1
            repo.commit(when, "分支再改", {path: _malformed(side, odd)})
            repo.checkout("main")
            repo.merge(when, "合并", f"side{k}")
            files = {}
            live[path] = (repo.root / path).read_bytes()
        else:                                                     # several at once
            for path in rng.sample(sorted(live), min(3, len(live))):
                files[path] = _rectification(n, rng) if rng.random() < 0.3 else None
        for path, content in files.items():
            if content is None:
                live.pop(path, None)
            elif path.startswith("content/rectifications/"):
                live[path] = content
                history.append(content)
        files = {p: c for p, c in files.items() if c is not None or (repo.root / p).exists()
                 or (repo.root / p).is_symlink()}
        repo.commit(when, f"第 {k} 次修改", files)


# --- the independent reading ----------------------------------------------------------------


def _run(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, check=True,
                          capture_output=True, env={**os.environ, **ISOLATED}).stdout


def _files(root: Path, commit: str | None) -> dict[str, tuple[str, str]]:
    if commit is None:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for entry in filter(None, _run(root, "ls-tree", "-r", "-z", "--full-tree", commit)
                        .decode().split("\0")):
        meta, path = entry.split("\t", 1)
        mode, _, blob = meta.split()
        out[path] = (mode, blob)
    return out


def independent_history(root: Path) -> tuple[list[tuple], list[tuple]]:
    """(commits, notices) read commit by commit with plumbing and the strict loader."""
    chain = _run(root, "rev-list", "--first-parent", "--reverse", "HEAD").decode().split()
    path_ids: dict[str, str] = {}
    id_paths: dict[str, set[str]] = {}
    commits, notices = [], []
    before: dict[str, tuple[str, str]] = {}

    def gone(path: str) -> list[tuple]:
        rid = path_ids.pop(path, None)
        if rid is None:
            return []
        id_paths[rid].discard(path)
        return [] if id_paths[rid] else [(path, None, rid, None, ())]

    for sha in chain:
        header = _run(root, "show", "-s", "--format=%cI%x1f%an%x1f%ae%x1f%B", sha).decode()
        when, name, email, message = header.split("\x1f", 3)
        after = _files(root, sha)
        changes: list[tuple] = []
        for path in sorted(set(before) | set(after)):
            if before.get(path) == after.get(path):
                continue
            if not (path.startswith("content/") and is_record_path(path[len("content/"):])):
                continue
            mode, blob = after.get(path, ("", ""))
            if mode not in FILE_MODES:
                changes.extend(gone(path))
                continue
            data = _run(root, "cat-file", "blob", blob)
            doc, problems = parse_bytes(data, path, path.split("/")[1])
            rid = doc.meta.get("id") if doc is not None else None
            held = path_ids.get(path)
            if not isinstance(rid, str) or not rid:
                rid = held
            elif held != rid:
                if held is not None:
                    notices.append((sha, path, held, rid))
                    changes.extend(gone(path))
                path_ids[path] = rid
                id_paths.setdefault(rid, set()).add(path)
            changes.append((path, data, rid, doc, tuple(problems)))
        if changes:
            commits.append((sha, datetime.fromisoformat(when.strip()), name, email,
                            message.strip(), changes))
        before = after
    return commits, notices


def fast_history(root: Path) -> tuple[list[tuple], list[tuple]]:
    found = read_history(root)
    commits = [(c.sha, c.when, c.author_name, c.author_email, c.message,
                [(ch.path, ch.blob, ch.record_id, ch.document, ch.problems) for ch in c.changes])
               for c in found.commits]
    notices = []
    for notice in found.notices:
        assert notice.code == "id-changed"
        old, new = notice.message.split("编号由 ")[1].split("。")[0].split(" 改为 ")
        notices.append((notice.sha, notice.path, old, new))
    return commits, notices


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> GitProject:
    repo = GitProject(tmp_path_factory.mktemp("equivalence") / "project")
    generate(repo, 260)
    return repo


@pytest.mark.parametrize("segments", [1, 3])
def test_fast_reader_agrees_with_an_independent_reading(generated: GitProject, segments: int,
                                                        monkeypatch) -> None:
    # Several log segments even on a few hundred commits and one core.
    monkeypatch.setattr(repository, "LOG_SEGMENT_MIN", 1 if segments > 1 else 10 ** 9)
    monkeypatch.setattr(repository, "_cores", lambda: segments)
    started = []
    original = repository.FirstParentLog.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(len(self.processes))

    monkeypatch.setattr(repository.FirstParentLog, "__init__", spy)

    fast = fast_history(generated.root)
    slow = independent_history(generated.root)

    assert started == [segments]
    assert len(fast[0]) == len(slow[0]) > 200
    for mine, theirs in zip(*(c for c, _ in (fast, slow))):
        assert mine == theirs
    assert fast[1] == slow[1]
    # The history covers what it should: every kind of change and problem occurs.
    changes = [ch for c in slow[0] for ch in c[5]]
    assert any(ch[1] is None for ch in changes)                   # deletions
    assert len(slow[1]) >= 3                                      # ID changes
    codes = {p.code for ch in changes for p in ch[4]}
    assert {"utf8-bom", "invalid-utf8", "missing-front-matter", "unclosed-front-matter",
            "yaml-syntax", "duplicate-key", "yaml-alias", "yaml-tag"} <= codes
    merges = git(generated.root, "rev-list", "--first-parent", "--merges", "HEAD").split()
    assert len(merges) >= 3


def test_timelines_of_the_generated_history_are_those_of_one_segment(generated: GitProject,
                                                                      monkeypatch) -> None:
    """What builds see: the timelines, read with one log process and with several."""
    def read(segments: int):
        monkeypatch.setattr(repository, "LOG_SEGMENT_MIN", 1)
        monkeypatch.setattr(repository, "_cores", lambda: segments)
        found = timelines(read_history(generated.root), MODEL, date(2024, 6, 1))
        return ({k: t.events for k, t in found.records.items()},
                [(n.code, n.sha, n.path, n.message) for n in found.notices])

    one = read(1)
    assert one == read(4)
    assert sum(len(events) for events in one[0].values()) > 100


# --- the quick YAML path ----------------------------------------------------------------------

_KEYS = st.sampled_from(["id", "title", "status", "null", "a-b", "k", "deadline_extensions"])
_VALUES = st.one_of(
    st.sampled_from(["", " ", "x", "~", "null", "Null", "no", "010", "12:30", "a: b", "a:b",
                     "x:", "C#", "a #b", "- x", "-x", "? x", "&a x", "*a", "!!str x", "|",
                     ">", "'q'", "'it''s'", "'open", '"d"', '"e\\n"', '"x" y', "[a, b]", "[]",
                     "[a,b]", "[null, x]", "[a, [b]]", "{a: b}", "...", "---", "%x", "@x",
                     "`x`", "值", "“放管服”", "a\u3000b", "\u00a0x", "x ", " x", "\u2028",
                     "[[[[[[[[[x"]),
    st.text(alphabet="ab :#-'\"[]{},!&*|>?%@\u3000\t", max_size=6))
_LINE = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", _KEYS, _VALUES),
    st.builds(lambda k: f"{k}:", _KEYS),
    st.builds(lambda i, v: " " * i + f"- {v}", st.sampled_from([0, 2, 4, 70]), _VALUES),
    st.builds(lambda i, k, v: " " * i + f"{k}: {v}", st.sampled_from([2, 4, 6]), _KEYS, _VALUES),
    st.builds(lambda i, k, v: " " * i + f"- {k}: {v}", st.sampled_from([0, 2]), _KEYS, _VALUES),
    st.sampled_from(["", "  ", "# 注释", "   # 注释", " " * 70 + "# x", "---", "...", "%YAML 1.1",
                     "  续行", "-", "- ", "  -"]))


@given(st.lists(_LINE, max_size=12))
@example(["id:", "- x "])                # found by a longer run: YAML trims the item's space
@settings(max_examples=3000, suppress_health_check=list(HealthCheck))
def test_quick_yaml_path_gives_the_strict_answer(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert strict_yaml.parse_quick(text, 2) == strict_yaml.parse(text, 2)


def test_quick_yaml_path_takes_the_usual_front_matter(monkeypatch) -> None:
    """The demo content and the generated history mostly stay on the quick path (else the
    speed is gone, though the answers would still be right)."""
    slow = []
    strict = strict_yaml.parse
    monkeypatch.setattr(strict_yaml, "parse", lambda *a: slow.append(a) or strict(*a))
    files = sorted((SITE_CONFIG.parent / "content").rglob("*.md"))
    read = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            front = text[4:].split("\n---\n", 1)[0]
            assert strict_yaml.parse_quick(front, 2) == strict(front, 2)
            read += 1
    assert read > 300 and len(slow) < read / 10
