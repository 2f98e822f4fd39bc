"""The editor's guide (docs/editor-guide.md) must not go out of date.

- every error code of the catalogue has its own `### \\`code\\`` section, and no such section
  documents a code that does not exist (stale docs);
- every field of every record type (common fields and sub-fields included), every type name,
  every status and every enum value of the content model appears in the guide;
- every `sunlight` subcommand is documented in the guide or the README;
- the guide's examples are true: each record file it shows as an example validates cleanly,
  each "错误写法" (wrong example) really produces the code of its section, and each "改正后"
  (fixed example) validates cleanly again.

Example files are marked in the guide by a line naming their path in backticks just before
the fenced block, e.g.  示例文件 `content/plans/JH-2023-01.md`：  or
错误写法（`content/rectifications/ZG-2023-002.md`）：  or  改正后（`…`）：

Codes that compare two versions (`needs_base`, found by `sunlight check --base`) also show
the file as it was before, labelled 基准版本（`…`）：. Here their fixed example must validate
on top of it; tests/test_check.py replays base, wrong and fixed example in a real Git history
(for `id-taken-on-base`, its AFTER_THE_FORK, the 基准版本 file reaches main after the editor's
branch left it, and the examples are checked on that branch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.model import strict_yaml
from builder.cli import cli
from builder.stages.load import load
from builder.model.model import FieldSpec, Model, RecordType, load_model
from builder.model.problems import CATALOGUE, Problem
from builder.stages.validate import validate
from conftest import write_all

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "editor-guide.md"
README = REPO / "README.md"
SITE_CONFIG = REPO / "site_config"

CODE_HEADING = re.compile(r"^###[ \t]+`([^`]+)`[ \t]*$", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
OUTPUT = re.compile(r"^检查时显示：[ \t]*\n+```text\n(.*?)\n```", re.MULTILINE | re.DOTALL)
LABEL = re.compile(r"^(示例文件|基准版本|错误写法|改正后)[^`\n]*`(content/[^`\s]+\.md)`[^\n]*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")

# Codes whose wrong example cannot be shown as text in a code block (bytes, permissions,
# size): the guide describes them, and the test builds the broken file from the section's
# fixed example (or, for the size limit, from a generated one).
SPECIAL = ("unreadable-file", "invalid-utf8", "utf8-bom", "front-matter-too-large",
           "symlink-not-allowed", "body-too-large")
# Codes whose examples need a record type the default pack does not have: they use the worked
# example of docs/deploy-guide.md (督办件, answered within 10 个工作日), whose type files are
# added to a copy of site_config/ (see deploy_types()).
WITH_DEPLOY_TYPES = ("calendar-gap",)
# Codes found only against a base revision: validating one version cannot produce them.
NEEDS_BASE = tuple(code for code, kind in CATALOGUE.items() if kind.needs_base)


# --- reading the guide -------------------------------------------------------------------------


@lru_cache(maxsize=None)
def guide() -> str:
    assert GUIDE.is_file(), f"{GUIDE} is missing"
    return GUIDE.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def model() -> Model:
    return load_model(SITE_CONFIG)


@dataclass
class Section:
    heading: str
    level: int
    text: str
    start: int         # index of the heading line
    end: int           # index of the line after the section


def sections() -> list[Section]:
    """Every heading with the text up to the next heading of the same or a higher level."""
    lines = guide().split("\n")
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := HEADING.match(line)):
            heads.append((i, len(m.group(1)), m.group(2).strip()))
    out = []
    for n, (i, level, title) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1:] if lv <= level), len(lines))
        out.append(Section(title, level, "\n".join(lines[i + 1:end]), i, end))
    return out


def code_sections() -> dict[str, Section]:
    found: dict[str, Section] = {}
    for s in sections():
        m = re.fullmatch(r"`([^`]+)`", s.heading)
        if s.level == 3 and m:
            assert m.group(1) not in found, f"code {m.group(1)} is documented twice"
            found[m.group(1)] = s
    return found


def section_of(code: str) -> Section:
    section = code_sections().get(code)
    assert section is not None, f"no ### `{code}` section in the guide"
    return section


@dataclass
class Example:
    kind: str          # 示例文件, 基准版本, 错误写法 or 改正后
    path: str
    text: str
    line: int          # line in the guide, for messages


def examples(text: str) -> list[Example]:
    """The labelled example files of a piece of the guide, in order."""
    lines = text.split("\n")
    out: list[Example] = []
    i = 0
    while i < len(lines):
        m = LABEL.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j]) if j < len(lines) else None
        assert fence, f"label without a fenced block after it: {lines[i]!r}"
        k = j + 1
        while k < len(lines) and not lines[k].startswith(fence.group(1)):
            k += 1
        out.append(Example(m.group(1), m.group(2), "\n".join(lines[j + 1:k]) + "\n", i + 1))
        i = k + 1
    return out


def base_examples() -> list[Example]:
    """示例文件 blocks outside the error-code sections."""
    lines = guide().split("\n")
    for s in code_sections().values():
        lines[s.start:s.end] = [""] * (s.end - s.start)
    found = examples("\n".join(lines))
    assert all(e.kind == "示例文件" for e in found), \
        "错误写法/改正后 examples belong in a ### `code` section"
    return found


def base_files() -> dict[str, str]:
    """The latest version of every example file: the records every other example relies on."""
    return {e.path: e.text for e in base_examples()}


# --- validating examples -------------------------------------------------------------------------


def check_files(root: Path, files: dict[str, str | bytes], unreadable: tuple[str, ...] = (),
                links: dict[str, str] | None = None,
                config: dict[str, str] | None = None) -> list[Problem]:
    """Write files into a fresh project and validate it the way `sunlight validate` does.
    Each path in `unreadable` becomes a folder named like a record file, which cannot be read;
    each path in `links` a symbolic link to a file outside the project holding that text;
    `config` files are written over a copy of site_config/."""
    (root / "content").mkdir(parents=True)
    if config:
        import shutil
        shutil.copytree(SITE_CONFIG, root / "site_config")
        write_all(root, config)
    else:
        (root / "site_config").symlink_to(SITE_CONFIG, target_is_directory=True)
    write_all(root, files)
    for rel in unreadable:
        (root / rel).mkdir(parents=True)
    for rel, text in (links or {}).items():
        target = root.parent / "outside" / Path(rel).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        (root / rel).unlink(missing_ok=True)
        (root / rel).symlink_to(target)
    documents, load_problems = load(root, root / "content")
    used = load_model(root / "site_config") if config else model()
    return load_problems + validate(documents, used).problems


def config_for(code: str) -> dict[str, str] | None:
    return deploy_types() if code in WITH_DEPLOY_TYPES else None


def shown(problems: list[Problem]) -> str:
    return "\n".join(f"{p.path}:{p.line}: {p.code} {p.message}" for p in problems) or "（无）"


# --- the catalogue -------------------------------------------------------------------------------


def test_every_code_has_a_section():
    documented = code_sections()
    missing = [code for code in CATALOGUE if code not in documented]
    assert not missing, f"error codes without a ### `code` section in the guide: {missing}"


def test_no_section_documents_an_unknown_code():
    stale = [code for code in CODE_HEADING.findall(guide()) if code not in CATALOGUE]
    assert not stale, f"the guide documents codes that do not exist: {stale}"


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_code_section_has_wrong_and_fixed_example(code):
    section = section_of(code)
    assert "错误写法" in section.text and "改正后" in section.text, \
        f"### `{code}` needs a 错误写法 (wrong example) and a 改正后 (fix)"
    if code not in SPECIAL:
        assert any(e.kind == "错误写法" for e in examples(section.text)), \
            f"### `{code}`: no 错误写法 example file labelled with its path"


# --- the content model ---------------------------------------------------------------------------


def all_field_names(specs: dict[str, FieldSpec]) -> set[str]:
    names: set[str] = set()
    for name, spec in specs.items():
        names.add(name)
        sub = spec.fields or (spec.items.fields if spec.items is not None else {})
        names |= all_field_names(sub)
    return names


@lru_cache(maxsize=None)
def common_specs() -> dict[str, FieldSpec]:
    """The common fields of site.yml, each as most record types declare it (a type may
    redeclare a common field as its own, as finding does with `source`)."""
    site = strict_yaml.parse((SITE_CONFIG / "site.yml").read_text(encoding="utf-8")).data
    out: dict[str, FieldSpec] = {}
    for name in (site.get("common_fields") or {}):
        specs = [t.fields[name] for t in model().types.values() if name in t.fields]
        out[name] = max(specs, key=specs.count)
    return out


def common_fields() -> set[str]:
    return set(common_specs())


def own_fields(rtype: RecordType) -> list[str]:
    """The fields a type declares itself: not common, or a common name redeclared."""
    return [n for n, spec in rtype.fields.items() if common_specs().get(n) != spec]


def type_section(rtype: RecordType) -> Section:
    found = [s for s in sections() if s.level == 3 and f"`{rtype.name}`" in s.heading]
    assert len(found) == 1, f"expected one ### section with `{rtype.name}` in its heading"
    return found[0]


def enum_values(spec: FieldSpec) -> dict[str, str]:
    if spec.type == "list" and spec.items is not None:
        return enum_values(spec.items)
    return spec.values if spec.type == "enum" else {}


def test_common_fields_documented():
    text = guide()
    for name in common_fields():
        assert f"| `{name}` |" in text, f"common field `{name}` has no row in a field table"


@pytest.mark.parametrize("type_name", sorted(load_model(SITE_CONFIG).types))
def test_every_field_documented(type_name):
    rtype = model().types[type_name]
    text = guide()
    missing = sorted(n for n in all_field_names(rtype.fields) if f"`{n}`" not in text)
    assert not missing, f"fields of {type_name} not in the guide: {missing}"
    section = type_section(rtype).text
    own = own_fields(rtype)
    no_row = [n for n in own if f"| `{n}` |" not in section]
    assert not no_row, f"fields of {type_name} without a row in its section: {no_row}"
    for name, spec in rtype.fields.items():
        for sub in all_field_names(spec.fields or (spec.items.fields if spec.items else {})):
            assert f"| `{sub}` |" in section, f"sub-field {name}.{sub} has no row"


@pytest.mark.parametrize("type_name", sorted(load_model(SITE_CONFIG).types))
def test_type_statuses_and_values_documented(type_name):
    rtype = model().types[type_name]
    section = type_section(rtype)
    assert rtype.label in section.heading
    assert f"`content/{rtype.folder}/`" in section.text, f"folder of {type_name} not given"
    assert f"`{rtype.id_example()}`" in section.text, f"ID example of {type_name} not given"
    assert f"（`{rtype.visibility}`）" in section.text, f"default visibility of {type_name}"
    for name, status in rtype.lifecycle.statuses.items():
        assert f"| `{name}` | {status.label}" in section.text, \
            f"status {name} ({status.label}) of {type_name} has no row in its status table"
    for name in own_fields(rtype):
        for value, label in enum_values(rtype.fields[name]).items():
            assert f"`{value}` {label}" in section.text, \
                f"value {value} ({label}) of {type_name}.{name} not documented"


def test_common_enum_values_documented():
    text = guide()
    for name in common_fields():
        spec = common_specs()[name]
        for value, label in enum_values(spec).items():
            assert f"`{value}`" in text and label in text, f"{name}: {value} ({label})"


def test_every_type_named():
    text = guide()
    for rtype in model().types.values():
        assert f"`{rtype.name}`" in text and rtype.label in text


def test_every_body_listed():
    """The guide lists the supervising bodies of the registry (units are looked up there)."""
    text = guide()
    missing = [b for b in model().registry.bodies if f"| `{b}` |" not in text]
    assert not missing, f"bodies of registry.yml not in the guide's table: {missing}"


# --- the command line ----------------------------------------------------------------------------


def test_subcommands_documented():
    text = guide()
    for name in ("validate", "stats"):
        assert f"sunlight {name}" in text, f"`sunlight {name}` is not in the guide"
    readme = README.read_text(encoding="utf-8") if README.is_file() else ""
    undocumented = [name for name in cli.commands
                    if f"sunlight {name}" not in text and f"sunlight {name}" not in readme]
    assert not undocumented, f"subcommands in neither the guide nor the README: {undocumented}"


def test_install_section_matches_the_project():
    """The guide's first section says how to get `sunlight`: the Python version, the command
    name and the pre-commit hook it names are the ones this project declares."""
    (section,) = [s for s in sections() if s.heading.startswith("1.1 ")]
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    python = re.search(r'requires-python = ">=([0-9.]+)"', pyproject).group(1)
    assert f"Python {python}" in section.text
    assert re.search(r"^sunlight = ", pyproject, re.MULTILINE)
    for command in ("-m venv .venv", "pip install -e .", "pre-commit install", "sunlight validate"):
        assert command in section.text, command
    hooks = strict_yaml.parse((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")).data
    named = set(re.findall(r"- id: (\S+)", section.text))
    assert named and named <= {hook["id"] for hook in hooks}


# --- the examples are true -----------------------------------------------------------------------


def test_guide_has_example_records():
    kinds = {Path(p).parts[1] for p in base_files()}
    folders = {t.folder for t in model().types.values()}
    assert folders <= kinds, f"no example record for folders {sorted(folders - kinds)}"


@pytest.mark.parametrize("index", range(len(base_examples())))
def test_example_record_is_valid(tmp_path, index):
    example = base_examples()[index]
    files = {**base_files(), example.path: example.text}
    problems = check_files(tmp_path, files)
    assert not problems, (f"example {example.path} (guide line {example.line}) is not valid:\n"
                          + shown(problems))


def _special_wrong(code: str, fixed: dict[str, str]) -> dict[str, str | bytes]:
    path, text = next(iter(fixed.items()))
    if code == "utf8-bom":
        return {path: b"\xef\xbb\xbf" + text.encode("utf-8")}
    if code == "invalid-utf8":
        return {path: text.encode("gb18030")}
    if code == "front-matter-too-large":
        pasted = "整改报告全文" * (strict_yaml.MAX_BYTES // 18 + 1)  # 3 bytes a character
        return {path: text.replace("\n---\n", f"\ninternal_note: {pasted}\n---\n", 1)}
    if code == "body-too-large":
        return {path: text + "整改报告全文。\n" * (model().body_max_bytes // 22 + 1)}
    raise AssertionError(code)


def _fixed_files(code: str) -> dict[str, str]:
    return {e.path: e.text for e in examples(section_of(code).text) if e.kind == "改正后"}


def base_version_files(code: str) -> dict[str, str]:
    """The 基准版本 examples of a code's section: files as the base revision has them."""
    return {e.path: e.text for e in examples(section_of(code).text) if e.kind == "基准版本"}


@pytest.mark.parametrize("code", [c for c in CATALOGUE if c not in NEEDS_BASE])
def test_wrong_example_produces_its_code(tmp_path, code):
    wrong: dict[str, str | bytes] = {e.path: e.text for e in examples(section_of(code).text)
                                     if e.kind == "错误写法"}
    unreadable: tuple[str, ...] = ()
    links: dict[str, str] = {}
    if code == "unreadable-file":
        unreadable = ("content/rectifications/ZG-2023-002.md",)
    elif code == "symlink-not-allowed":
        links = _fixed_files(code)   # the same record, reached through a link
    elif code in SPECIAL and not wrong:
        wrong = _special_wrong(code, _fixed_files(code))
    problems = check_files(tmp_path / "project", {**base_files(), **wrong}, unreadable, links,
                           config_for(code))
    assert code in {p.code for p in problems}, \
        f"the wrong example of ### `{code}` does not produce {code}; it gives:\n" + shown(problems)


@pytest.mark.parametrize("code", [c for c in CATALOGUE if c != "unreadable-file"])
def test_fixed_example_is_valid(tmp_path, code):
    fixed = _fixed_files(code)
    assert fixed, f"### `{code}`: no 改正后 example file labelled with its path"
    problems = check_files(tmp_path, {**base_files(), **base_version_files(code), **fixed},
                           config=config_for(code))
    assert not problems, f"the fixed example of ### `{code}` is not valid:\n" + shown(problems)


@pytest.mark.parametrize("code", [c for c in CATALOGUE if c not in SPECIAL + NEEDS_BASE])
def test_shown_output_is_what_validate_prints(tmp_path, code):
    """The "检查时显示" block of a code's section is what `sunlight validate` really prints
    for the wrong example (the blocks of the SPECIAL codes are only illustrations)."""
    shown_blocks = OUTPUT.findall(section_of(code).text)
    assert shown_blocks, f"### `{code}`: no 检查时显示 block with the validator's output"
    wrong = {e.path: e.text for e in examples(section_of(code).text) if e.kind == "错误写法"}
    check_files(tmp_path, {**base_files(), **wrong}, config=config_for(code))
    result = CliRunner().invoke(cli, ["validate", "--root", str(tmp_path)])
    printed = result.output.splitlines()
    for block in shown_blocks:
        for line in block.splitlines():
            assert line in printed, (f"### `{code}` shows a line `sunlight validate` does not "
                                     f"print:\n{line}\nit prints:\n{result.output}")


# --- the deployment guide (docs/deploy-guide.md, 为新机关部署) -----------------------------------

DEPLOY_GUIDE = REPO / "docs" / "deploy-guide.md"
DEPLOY_FILE = re.compile(r"(?:配置文件|示例记录) `((?:site_config|content)/[^`]+)`：[ \t]*\n+```[a-z]*\n(.*?)\n```",
                         re.DOTALL)
DEPLOY_RUN = re.compile(r"运行 `sunlight stats --as-of (\d{4}-\d{2}-\d{2})`，显示（节选）：[ \t]*\n+```text\n(.*?)\n```",
                        re.DOTALL)


def deploy_types() -> dict[str, str]:
    """The record types the deployment guide's worked example adds to site_config/."""
    files = dict(DEPLOY_FILE.findall(DEPLOY_GUIDE.read_text(encoding="utf-8")))
    return {path: body + "\n" for path, body in files.items() if path.startswith("site_config/types/")}


def test_deploy_guide_names_every_role_and_measure():
    from builder.model.roles import ROLE_NAMES
    from builder.model.statistics_config import MEASURES
    text = DEPLOY_GUIDE.read_text(encoding="utf-8")
    missing = [name for name in sorted(ROLE_NAMES) + list(MEASURES) if f"`{name}" not in text]
    assert not missing, f"docs/deploy-guide.md does not explain: {missing}"


def test_deploy_guide_example_gives_the_figures_it_promises(tmp_path):
    """Copy the worked example into a fresh site_config/ and content/: `sunlight stats` prints
    the lines the guide shows."""
    import shutil
    text = DEPLOY_GUIDE.read_text(encoding="utf-8")
    files = dict(DEPLOY_FILE.findall(text))
    assert any(p.startswith("site_config/types/") for p in files) and \
        "site_config/statistics.yml" in files and any(p.startswith("content/") for p in files)
    root = tmp_path / "deployment"
    shutil.copytree(SITE_CONFIG, root / "site_config")
    (root / "content").mkdir()
    write_all(root, {path: body + "\n" for path, body in files.items()})
    as_of, expected = DEPLOY_RUN.search(text).groups()
    assert CliRunner().invoke(cli, ["validate", "--root", str(root)]).exit_code == 0
    result = CliRunner().invoke(cli, ["stats", "--as-of", as_of, "--root", str(root)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for line in expected.splitlines():
        assert line in result.output.splitlines(), f"{line!r} not in:\n{result.output}"
