"""`sunlight new <type>`: for every type of the content model, a correctly placed record with
the next free ID, every required field present, and placeholders the validator catches until
they are filled — after which the record validates."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.model import strict_yaml
from builder.cli import cli
from builder.model.model import FieldSpec, Model, load_model
from builder.pipeline import Deployment
from builder.commands.scaffold import scaffold
from conftest import (BASE_RECORDS, LEAD, LEAD_PATH, RECTIFICATION, SITE_CONFIG, edit, write,
                      write_all)

MODEL = load_model(SITE_CONFIG)
TYPES = sorted(MODEL.types)
YEAR = 2023
FILL_DATE = f"{YEAR}-06-01"
# The records of the base project, by type: what a filled-in reference may point to.
EXISTING = {"plan": "JH-2023-01", "item": "SX-2023-001", "finding": "WT-2023-001",
            "rectification": "ZG-2023-001", "lead": "XS-2023-001"}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def new(root: Path, *args: str):
    return run("new", "--root", str(root), *args)


@pytest.fixture
def base(project: Path) -> Path:
    """The base records and a lead: at least one record for every required reference."""
    write_all(project, {**BASE_RECORDS, LEAD_PATH: LEAD})
    return project


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    parsed = strict_yaml.parse(text.split("---\n")[1], first_line=2)
    assert not parsed.issues, parsed.issues
    return parsed.data


def created(result, root: Path) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def next_ids(model: Model, root: Path, type_name: str, year: int = YEAR) -> str:
    rtype = model.types[type_name]
    taken = [int(m.group(1)) for f in (root / "content").rglob("*.md")
             if (m := re.fullmatch(re.escape(rtype.id_format.split("{seq")[0].format(year=year))
                                   + r"(\d+)", f.stem))]
    return rtype.id_format.format(year=year, seq=max(taken, default=0) + 1)


# --- filling placeholders the way an editor would ----------------------------------------------


def value_for(spec: FieldSpec, model: Model) -> str:
    """A valid YAML value for a field, as written after its colon."""
    if spec.type == "date":
        return FILL_DATE
    if spec.type == "integer":
        return str(YEAR)
    if spec.type == "boolean":
        return "false"
    if spec.type in ("string", "text"):
        return "示例内容"
    if spec.type == "enum":
        return next(iter(spec.values))
    if spec.type == "ref":
        if spec.to[0] in ("body", "unit"):
            return next(iter(model.registry.entries(spec.to[0])))
        target = next((EXISTING[t] for t in spec.to if t in EXISTING), None)
        assert target, f"no existing record of {spec.to} to refer to"
        return target
    if spec.type == "list":
        return f"[{value_for(spec.items, model)}]"
    if spec.type == "object":
        return "{" + ", ".join(f"{n}: {value_for(s, model)}" for n, s in spec.fields.items()) + "}"
    raise AssertionError(f"no example value for a {spec.type} field")


def fill(path: Path, model: Model, type_name: str) -> None:
    """Write a value after every empty required field (and its empty required sub-fields)."""
    rtype = model.types[type_name]
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        m = re.fullmatch(r"(\w+):", line)
        if m and m.group(1) in rtype.fields:
            spec = rtype.fields[m.group(1)]
            if spec.type != "object":
                lines[i] = f"{line} {value_for(spec, model)}"
    for i, line in enumerate(lines):   # sub-fields of a required group: "  name:   # comment"
        m = re.fullmatch(r"  (\w+):\s+#.*", line)
        parent = next((lines[j][:-1] for j in range(i, -1, -1) if re.fullmatch(r"\w+:", lines[j])),
                      None)
        if m and parent in rtype.fields and rtype.fields[parent].type == "object":
            lines[i] = f"  {m.group(1)}: {value_for(rtype.fields[parent].fields[m.group(1)], model)}"
    path.write_text("\n".join(lines), encoding="utf-8")


# --- every type ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", TYPES)
def test_new_record_placed_with_next_id_and_every_required_field(base, type_name):
    rtype = MODEL.types[type_name]
    expected_id = next_ids(MODEL, base, type_name)
    path = created(new(base, type_name, "--year", str(YEAR)), base)
    assert path == base / "content" / rtype.folder / f"{expected_id}.md"
    meta = front_matter(path)
    required = [name for name, spec in rtype.fields.items() if spec.required]
    assert [k for k in meta if k in required] == required
    assert meta["id"] == expected_id
    assert meta["type"] == type_name
    assert meta["status"] == rtype.lifecycle.initial
    # every other required field is an empty placeholder the editor must fill
    assert {k for k in required if meta[k] is None} == set(required) - {"id", "type", "status"}


@pytest.mark.parametrize("type_name", TYPES)
def test_placeholders_are_reported_until_filled_then_record_validates(base, type_name):
    rtype = MODEL.types[type_name]
    path = created(new(base, type_name, "--year", str(YEAR)), base)
    rel = path.relative_to(base).as_posix()

    unfilled = run("validate", "--root", str(base))
    assert unfilled.exit_code == 1, unfilled.output
    to_fill = [n for n, s in rtype.fields.items() if s.required and n not in ("id", "type", "status")]
    for name in to_fill:
        line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
                    if text == f"{name}:")
        assert f"{rel}:{line}: missing-field 缺少必填字段“{name}”（{rtype.fields[name].label}）" \
            in unfilled.output
    assert unfilled.output.count("missing-field") == len(to_fill)

    fill(path, MODEL, type_name)
    filled = run("validate", "--root", str(base))
    assert filled.exit_code == 0, filled.output + path.read_text(encoding="utf-8")
    # A new open child makes a parent whose status is derived from it (derive_status) no
    # longer resolved: the parent's typed status is then reported, once.
    reopens = any(t.derive_status and t.derive_status.child_type == type_name
                  for t in MODEL.types.values())
    assert filled.output.endswith(f"0 个错误，{int(reopens)} 个警告。\n")
    assert filled.output.count("derived-status-mismatch") == int(reopens)


@pytest.mark.parametrize("type_name", TYPES)
def test_comments_explain_every_required_field(base, type_name):
    rtype = MODEL.types[type_name]
    path = created(new(base, type_name, "--year", str(YEAR)), base)
    text = path.read_text(encoding="utf-8")
    for name, spec in rtype.fields.items():
        if not spec.required:
            continue
        block = text.split(f"\n{name}:")[0].rsplit("\n\n", 1)[-1]
        assert block.startswith(f"# {spec.label} {name}（必填"), block
        if spec.description and spec.type not in ("id", "record-type", "status"):
            assert spec.description in block
        if spec.type == "enum":
            assert all(value in block for value in spec.values)
        if spec.type == "ref" and spec.to[0] not in ("body", "unit"):
            assert all(MODEL.types[t].label in block for t in spec.to)
        if spec.type == "ref" and spec.to[0] in ("body", "unit"):
            assert "site_config/registry.yml" in block


# --- the next free ID ------------------------------------------------------------------------


def test_first_record_of_a_year_gets_sequence_one(project):
    path = created(new(project, "rectification", "--year", "2024"), project)
    assert path.name == "ZG-2024-001.md"


def test_default_year_is_this_year(project):
    path = created(new(project, "plan"), project)
    assert path.name == f"JH-{date.today().year}-01.md"


def test_next_id_follows_the_highest_even_after_a_gap(valid_project):
    write(valid_project, "content/rectifications/ZG-2023-005.md",
          edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-005"))
    assert created(new(valid_project, "rectification", "--year", "2023"), valid_project).name \
        == "ZG-2023-006.md"
    # ...and a second run never hands out the same ID
    assert created(new(valid_project, "rectification", "--year", "2023"), valid_project).name \
        == "ZG-2023-007.md"


def test_ids_in_wrong_folders_and_misnamed_files_are_taken(valid_project):
    write(valid_project, "content/findings/ZG-2023-008.md",
          edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-008"))
    write(valid_project, "content/rectifications/copy.md",
          edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-011"))
    assert created(new(valid_project, "rectification", "--year", "2023"), valid_project).name \
        == "ZG-2023-012.md"


def test_other_years_do_not_count(valid_project):
    write(valid_project, "content/rectifications/ZG-2022-040.md",
          edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2022-040"))
    assert created(new(valid_project, "rectification", "--year", "2023"), valid_project).name \
        == "ZG-2023-002.md"


def test_an_id_deleted_in_git_history_is_not_reused(valid_project):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    later = "content/rectifications/ZG-2023-002.md"
    write(valid_project, later, edit(RECTIFICATION, "id: ZG-2023-001", "id: ZG-2023-002"))

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(valid_project), "-c", "user.name=t",
                        "-c", "user.email=t@example.org", *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "records")
    git("rm", "-q", later)
    git("commit", "-q", "-m", "deleted (it should have been withdrawn)")
    assert created(new(valid_project, "rectification", "--year", "2023"), valid_project).name \
        == "ZG-2023-003.md"


def test_sequence_exhausted_is_a_usage_error(valid_project):
    write(valid_project, "content/items/SX-2023-999.md", "---\nid: SX-2023-999\n---\n")
    result = new(valid_project, "item", "--year", "2023")
    assert result.exit_code == 2
    assert "id_pattern" in result.output
    assert not (valid_project / "content/items/SX-2023-1000.md").exists()


# --- options and errors ----------------------------------------------------------------------


@pytest.mark.parametrize("title", ["压缩涉企审批事项办理时限", "Re: 关于审批提速的意见",
                                   '"放管服"改革成效', "- 列表开头", "null", "整改 #1", "  两端空格  "])
def test_title_reads_back_exactly(project, title):
    path = created(new(project, "rectification", "--title", title), project)
    assert front_matter(path)["title"] == " ".join(title.split())


def test_prints_the_path_and_writes_nothing_else(project):
    result = new(project, "finding", "--year", "2023")
    assert result.stdout == f"{project / 'content' / 'findings' / 'WT-2023-001.md'}\n"
    assert [p.relative_to(project).as_posix() for p in (project / "content").rglob("*")
            if p.is_file()] == ["content/findings/WT-2023-001.md"]


def test_unknown_type_exits_2_and_lists_the_types(project):
    result = new(project, "petition")
    assert result.exit_code == 2
    for name, rtype in MODEL.types.items():
        assert f"{name}（{rtype.label}）" in result.output
    assert not any((project / "content").rglob("*.md"))


def test_not_a_project_exits_2(tmp_path):
    result = new(tmp_path, "plan")
    assert result.exit_code == 2
    assert "不是 Sunlight 项目" in result.output


def test_scaffold_is_pure(valid_project):
    path, text = scaffold(Deployment(valid_project), MODEL, "rectification", 2023, None)
    assert path == valid_project / "content/rectifications/ZG-2023-002.md"
    assert not path.exists()
    assert text.startswith("---\n# 新的整改事项")


def test_body_placeholder_is_never_published(base):
    path = created(new(base, "rectification", "--year", str(YEAR)), base)
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert body.startswith("<!--") and body.rstrip().endswith("-->")  # an HTML comment


def test_a_deployments_own_type_works_without_code(base):
    (base / "site_config/types/petition.yml").write_text("""\
name: petition
label: 群众来信
description: 群众来信来访的登记和办理。
folder: petitions
id_pattern: '^LX-\\d{4}-\\d{4}$'
id_format: 'LX-{year}-{seq:04d}'
visibility: internal
allowed_visibility: [internal]
fields:
  received:
    type: date
    required: true
    label: 收到日期
    description: 来信收到的日期。
  channel:
    type: enum
    required: true
    label: 来信渠道
    values: {letter: 信件, visit: 来访, online: 网上}
  about:
    type: ref
    to: [item, finding]
    required: true
    label: 涉及事项
  handled_by:
    type: list
    items: {type: ref, to: unit}
    required: true
    label: 承办单位
  count:
    type: integer
    required: true
    label: 人数
  tally:
    type: object
    required: true
    label: 办理统计
    fields:
      answered: {type: integer, required: true, label: 已答复}
      pending: {type: integer, label: 待答复}
lifecycle:
  initial: registered
  statuses:
    registered: {label: 已登记}
    answered: {label: 已答复, done: true}
    withdrawn: {label: 已撤回, withdrawn: true}
  transitions:
    registered: [answered, withdrawn]
""", encoding="utf-8")
    model = load_model(base / "site_config")
    path = created(new(base, "petition", "--year", "2025"), base)
    assert path == base / "content/petitions/LX-2025-0001.md"
    unfilled = run("validate", "--root", str(base))
    assert unfilled.exit_code == 1
    assert "missing-field 缺少必填字段“tally.answered”" in unfilled.output
    fill(path, model, "petition")
    filled = run("validate", "--root", str(base))
    assert filled.exit_code == 0, filled.output + path.read_text(encoding="utf-8")
