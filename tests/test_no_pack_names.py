"""No Python under builder/ names the default pack: meaning comes from site_config/.

A second deployment edits site_config/ only. Code that says a type, folder, field, status,
enum value, setting key or body kind of the default pack is code that deployment cannot use,
so this test collects every such name from site_config/ and fails on each string constant in
builder/*.py that spells one (docstrings excepted: they explain, they do not decide).

The model's own keywords are allowed: they belong to the configuration language, not to the
pack (see ALLOWED).
"""

from __future__ import annotations

import ast
from pathlib import Path

from builder.model.model import SETTINGS, FieldSpec, load_model
from builder.model.roles import ROLE_NAMES, SIMPLE_ROLES
from builder.model.freeze_config import WORDS as FREEZE_WORDS

ROOT = Path(__file__).resolve().parent.parent
BUILDER = ROOT / "builder"

# Words of the configuration language itself; a pack happens to reuse some as names.
KEYWORDS = {
    # record keywords and visibilities
    "id", "type", "title", "status", "visibility", "public", "internal", "restricted",
    # registry kinds, sections and entry keys
    "body", "unit", "bodies", "units", "body_kinds", "kind", "name", "short",
    # lifecycle flags and keys
    "started", "done", "withdrawn", "initial", "statuses", "transitions",
    # field spec keys and field types
    "label", "description", "fields", "values", "to", "items", "required", "hint",
    "string", "text", "integer", "boolean", "date", "enum", "ref", "list", "object",
    # grouping and period words of the statistics language
    "year", "period", "quarter",
}
MEASURES = {"count", "share", "sum", "on_time", "answered_within", "overdue", "zero_balance",
            "ratio", "change"}
# Settings are a closed set the code defines (model.SETTINGS): part of the language too.
# The frozen period report's fields are written by `sunlight freeze`: words of freeze.yml's language.
ALLOWED = KEYWORDS | MEASURES | ROLE_NAMES | set(SIMPLE_ROLES) | set(SETTINGS) | FREEZE_WORDS
# Words of another vocabulary that a pack happens to reuse, allowed in one file only.
FOREIGN = {
    ("builder/stages/engine.py", "material"),      # the mkdocs theme's name
    ("builder/stages/feeds.py", "summary"),        # the Atom element
    ("builder/commands/editor.py", "summary"),     # a Decap CMS collection key
    ("builder/stages/timeline.py", "reopened"),    # a history event kind (published in feeds and data)
    ("builder/model/news.py", "reopened"),         # the same event kind, named by site.yml's news rules
    ("builder/model/strict_yaml.py", "key"),      # a __slots__ attribute of the YAML reader
    ("builder/pipeline.py", "project"),     # the name of the projection stage in timings
}


def pack_names() -> dict[str, str]:
    """Every name the default pack defines -> what it is (for the failure message)."""
    model = load_model(ROOT / "site_config")
    names: dict[str, str] = {}

    def add(name: str, what: str) -> None:
        if isinstance(name, str) and name:
            names.setdefault(name, what)

    def add_field(spec: FieldSpec, owner: str) -> None:
        add(spec.name, f"field of {owner}")
        for value in spec.values:
            add(value, f"enum value of {owner}.{spec.name}")
        if spec.items is not None:
            for value in spec.items.values:
                add(value, f"enum value of {owner}.{spec.name}")
            for sub in spec.items.fields.values():
                add_field(sub, f"{owner}.{spec.name}")
        for sub in spec.fields.values():
            add_field(sub, f"{owner}.{spec.name}")

    common = set.intersection(*(set(t.fields) for t in model.types.values()))
    for name in common:
        add(name, "common field")
    for rtype in model.types.values():
        add(rtype.name, "type")
        add(rtype.folder, "folder")
        for spec in rtype.fields.values():
            add_field(spec, rtype.name)
        for status in rtype.lifecycle.statuses:
            add(status, f"status of {rtype.name}")
    for key in model.settings:
        add(key, "setting")
    for key in model.registry.body_kinds:
        add(key, "body kind")
    return {n: what for n, what in names.items() if n not in ALLOWED}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def violations(path: Path, names: dict[str, str], root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip and node.value in names
                and (path.relative_to(root).as_posix(), node.value) not in FOREIGN):
            out.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r} "
                       f"({names[node.value]})")
    return out


def test_no_pack_names_in_builder():
    names = pack_names()
    found = [v for path in sorted(BUILDER.rglob("*.py")) for v in violations(path, names)]
    assert not found, "builder/ names the default pack; read these from the model:\n" + \
        "\n".join(found)


def test_the_check_sees_a_pack_name(tmp_path):
    """The check itself works: a planted constant is reported, a docstring is not."""
    names = pack_names()
    assert {"rectification", "deadline", "feedback_sheet", "satisfied"} <= set(names)
    planted = tmp_path / "planted.py"
    planted.write_text('"""About rectification."""\nX = "rectification"\nY = f"{X}-{Y}"\n',
                       encoding="utf-8")
    assert violations(planted, names, root=tmp_path) == ["planted.py:2: 'rectification' (type)"]
