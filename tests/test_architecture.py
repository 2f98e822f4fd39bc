"""The house shows the architecture: the package's layout, one writer of the docs tree, one
way to call Git, one rule for a record file and one for how a value reads.

Each test fails when the rule gets a second home again."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from builder.commands.diffcheck import _Shower
from builder.model.format import registry_kind
from builder.model.roles import RecordIndex
from builder.pipeline import Deployment, check
from builder.stages.dashboards import _value_text
from builder.stages.load import find_record_files, is_record_path
from builder.stages.timeline import format_value

BUILDER = Path(__file__).resolve().parent.parent / "builder"


def _modules(folder: Path = BUILDER) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(module: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _called_methods(module: Path) -> set[str]:
    return {node.func.attr for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}


def test_only_the_entry_points_sit_at_the_top() -> None:
    top = {p.name for p in BUILDER.glob("*.py")}
    assert top == {"__init__.py", "cli.py", "pipeline.py"}
    assert {p.name for p in BUILDER.iterdir() if p.is_dir() and p.name != "__pycache__"} \
        == {"commands", "model", "stages", "text"}


def test_the_model_and_the_text_helpers_never_reach_into_stages_or_commands() -> None:
    """Declarations and body text are what stages work on; they never depend on a stage, a
    command or the pipeline."""
    for folder in ("model", "text"):
        for module in _modules(BUILDER / folder):
            for line in module.read_text(encoding="utf-8").splitlines():
                words = line.split()
                if words[:1] == ["from"] and len(words) > 1:
                    assert not words[1].startswith(("..stages", "..commands", "..pipeline")), \
                        (module, line)


# Modules that start a process other than Git, and what they start.
OTHER_PROCESSES = {"commands/serve.py": "npx decap-server, the web editor's local backend "
                                        "(in its git mode, on a scratch repository, it runs git "
                                        "itself: that is Decap's, not Sunlight's, access)",
                   # The site search's index is Pagefind's binary (from its PyPI wheel) run
                   # over the built pages; it has no Python API but one over pipes.
                   "stages/search_index.py": "pagefind_extended, the search index builder"}


def test_one_way_to_call_git() -> None:
    callers = [p.relative_to(BUILDER).as_posix() for p in _modules()
               if _imports(p) & {"git", "subprocess"}]
    assert [c for c in callers if c not in OTHER_PROCESSES] == ["stages/repository.py"]
    for name in OTHER_PROCESSES:
        source = (BUILDER / name).read_text(encoding="utf-8")
        # A command line starting with git; the word alone is allowed, since decap-server's
        # mode that plays the editorial workflow is named "git" (MODE=git).
        assert "import git" not in source and not re.search(r'[\[(]\s*"git"', source), name


def test_one_writer_of_the_docs_tree() -> None:
    """Stages return data; publish writes the docs tree and engine its generated config.
    The page cache writes too, but only its own entries inside its own folder (never the docs
    tree or the site: pages taken from it still pass through publish, engine and verify)."""
    writes = {"write_text", "write_bytes", "mkdir", "copyfile", "copytree"}
    writers = [p.relative_to(BUILDER).as_posix() for p in _modules(BUILDER / "stages")
               if _called_methods(p) & writes]
    assert writers == ["stages/cache.py", "stages/engine.py", "stages/publish.py"]


def test_the_walk_over_content_and_the_record_file_rule_agree(tmp_path: Path) -> None:
    content = tmp_path / "content"
    files = ["README.md", "notes.txt", "plans/JH-2023-01.md", "plans/draft.txt",
             "plans/.hidden.md", ".drafts/x.md", "items/2023/SX-2023-001.md",
             "items/.cache/y.md", "findings/sub/deeper/z.md"]
    for rel in files:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("---\n---\n", encoding="utf-8")
    walked = {p.relative_to(content).as_posix() for p in find_record_files(content)}
    assert walked == {rel for rel in files if is_record_path(rel)}
    assert walked == {"plans/JH-2023-01.md", "items/2023/SX-2023-001.md",
                      "findings/sub/deeper/z.md"}


def test_a_value_reads_the_same_in_timelines_dashboards_and_reviews(valid_project: Path) -> None:
    """Dates, yes/no, enum labels and registry names come from model/format.py, whoever
    shows them."""
    checked = check(Deployment(valid_project))
    model, records = checked.model, checked.validation.records
    index = RecordIndex(records, model)
    compared = 0
    for record in records:
        rtype = model.types[record.type]
        show = _Shower(model, rtype)
        for name, spec in rtype.fields.items():
            value = record.get(name)
            if value is None or not (spec.type in ("enum", "date", "boolean")
                                     or registry_kind(spec) is not None):
                continue
            readings = {format_value(value, spec, model), _value_text(index, value, spec),
                        show(value, spec)}
            assert len(readings) == 1, (record.id, name, readings)
            compared += 1
    assert compared >= 10
