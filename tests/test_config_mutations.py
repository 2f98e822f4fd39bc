"""No change to site_config/ ends in a traceback, an internal error or a mislabelled column.

A deployment adapts Sunlight by editing site_config/ only, so every edit it can make must end
in a working site or in a Chinese message at file and line. This test mutates a copy of the
real site_config/ in many ways — drop, rename, make optional and retype each field; drop and
retarget each role; drop, rename and break each statistic, table and dashboard; drop and spoil
each setting (and add unknown ones); reorder and shorten each listing — and runs `sunlight validate` and
`sunlight stats` through the CLI for each, and `sunlight build --no-history` (the default run
builds after the listing changes that could mislabel a column; `make mutations` builds after
every mutation of the default spread and more):

- the exit code is 0, 1 (content no longer fits the model) or 2 (configuration refused);
- nothing prints a traceback, "内部错误" or a Python type name;
- exit 2 lists every problem as "<file>.yml:<line>: <中文说明>";
- after a build, the overdue page's headings match its cells (each labelled field column holds
  that field's value of the row's record).

The records are the small hand-checked set of tests/test_stats.py (fast, and every figure of
statistics.yml has records). The default run takes a deterministic spread of at least 200
mutations; `-m slow` runs all of them and builds more.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, check
from conftest import SITE_CONFIG, make_project, write_all
from test_stats import FILES

AS_OF = "2026-11-21"
DEFAULT_COUNT = 220
PYTHON_WORDS = re.compile(r"Traceback|内部错误|\b(TypeError|KeyError|AttributeError|ValueError|"
                          r"IndexError|NoneType|RecursionError)\b|<class ")
LOCATED = re.compile(r"\.yml:\d+: .*[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str                               # relative to site_config/
    change: Callable[[Any], Any]            # the parsed file -> the mutated document


def _load(rel: str) -> Any:
    return yaml.safe_load((SITE_CONFIG / rel).read_text(encoding="utf-8"))


def _edit(fn: Callable[[Any], None]) -> Callable[[Any], Any]:
    def change(doc: Any) -> Any:
        doc = copy.deepcopy(doc)
        fn(doc)
        return doc
    return change


def _retyped(spec: dict) -> dict:
    """The same field with another type: dates and refs become text, the rest dates."""
    new = {k: v for k, v in spec.items() if k not in ("type", "values", "to", "items", "fields")}
    new["type"] = "string" if spec.get("type") in ("date", "ref", "enum", "list") else "date"
    return new


def mutations() -> list[Mutation]:
    out: list[Mutation] = []
    add = out.append
    for path in sorted((SITE_CONFIG / "types").glob("*.yml")):
        rel = f"types/{path.name}"
        doc = _load(rel)
        name = doc["name"]
        for field_name, spec in (doc.get("fields") or {}).items():
            f = field_name
            add(Mutation(f"drop-field:{name}.{f}", rel,
                         _edit(lambda d, f=f: d["fields"].pop(f))))
            add(Mutation(f"rename-field:{name}.{f}", rel,
                         _edit(lambda d, f=f: d["fields"].__setitem__(f + "_renamed",
                                                                       d["fields"].pop(f)))))
            if spec.get("required"):
                add(Mutation(f"optional-field:{name}.{f}", rel,
                             _edit(lambda d, f=f: d["fields"][f].pop("required"))))
            add(Mutation(f"retype-field:{name}.{f}", rel,
                         _edit(lambda d, f=f: d["fields"].__setitem__(f, _retyped(d["fields"][f])))))
        for role in (doc.get("roles") or {}):
            r = role
            add(Mutation(f"drop-role:{name}.{r}", rel, _edit(lambda d, r=r: d["roles"].pop(r))))
            add(Mutation(f"retarget-role:{name}.{r}", rel,
                         _edit(lambda d, r=r: d["roles"].__setitem__(r, "title"))))
            add(Mutation(f"unknown-role-field:{name}.{r}", rel,
                         _edit(lambda d, r=r: d["roles"].__setitem__(r, "no_such_field"))))
        if doc.get("listing"):
            add(Mutation(f"reverse-listing:{name}", rel,
                         _edit(lambda d: d.__setitem__("listing", list(reversed(d["listing"]))))))
            add(Mutation(f"shorten-listing:{name}", rel,
                         _edit(lambda d: d.__setitem__("listing", d["listing"][1:]))))
            add(Mutation(f"unknown-listing:{name}", rel,
                         _edit(lambda d: d["listing"].append("no_such_field"))))
        for status in doc["lifecycle"]["statuses"]:
            s = status
            add(Mutation(f"unflag-status:{name}.{s}", rel,
                         _edit(lambda d, s=s: d["lifecycle"]["statuses"].__setitem__(
                             s, {"label": "改过的状态"}))))
    statistics = _load("statistics.yml")
    for sid in statistics["statistics"]:
        s = sid
        add(Mutation(f"drop-statistic:{s}", "statistics.yml",
                     _edit(lambda d, s=s: d["statistics"].pop(s))))
        add(Mutation(f"rename-statistic:{s}", "statistics.yml",
                     _edit(lambda d, s=s: d["statistics"].__setitem__(s + "_x", d["statistics"].pop(s)))))
        add(Mutation(f"bad-measure:{s}", "statistics.yml",
                     _edit(lambda d, s=s: d["statistics"][s].__setitem__("measure", "average"))))
        if "population" in statistics["statistics"][s]:
            add(Mutation(f"other-population:{s}", "statistics.yml",
                         _edit(lambda d, s=s: d["statistics"][s].__setitem__(
                             "population", {"type": "meeting"}))))
    for i, table in enumerate(statistics.get("tables") or []):
        add(Mutation(f"drop-table:{table['id']}", "statistics.yml",
                     _edit(lambda d, i=i: d["tables"].pop(i))))
        add(Mutation(f"reverse-columns:{table['id']}", "statistics.yml",
                     _edit(lambda d, i=i: d["tables"][i].__setitem__(
                         "columns", list(reversed(d["tables"][i]["columns"]))))))
        add(Mutation(f"group-by-unit:{table['id']}", "statistics.yml",
                     _edit(lambda d, i=i: (d["tables"][i].pop("rows", None),
                                           d["tables"][i].__setitem__("group_by", ["unit"])))))
    dashboards = _load("dashboards.yml")
    for i, board in enumerate(dashboards.get("dashboards") or []):
        add(Mutation(f"drop-dashboard:{board['id']}", "dashboards.yml",
                     _edit(lambda d, i=i: d["dashboards"].pop(i))))
        if board.get("columns"):
            add(Mutation(f"reverse-dashboard-columns:{board['id']}", "dashboards.yml",
                         _edit(lambda d, i=i: d["dashboards"][i].__setitem__(
                             "columns", list(reversed(d["dashboards"][i]["columns"]))))))
        if board.get("population"):
            add(Mutation(f"dashboard-population:{board['id']}", "dashboards.yml",
                         _edit(lambda d, i=i: d["dashboards"][i].__setitem__(
                             "population", {"type": "plan"}))))
    site = _load("site.yml")
    # Settings are a closed set (the default pack has none left): an unknown or leftover one
    # must be refused with its line, never ignored.
    for key in ("due_soon_days", "no_such_setting"):
        k = key
        add(Mutation(f"add-setting:{k}", "site.yml",
                     _edit(lambda d, k=k: d.setdefault("settings", {}).__setitem__(k, "30"))))
    for key in site.get("settings") or {}:
        k = key
        add(Mutation(f"drop-setting:{k}", "site.yml", _edit(lambda d, k=k: d["settings"].pop(k))))
        add(Mutation(f"spoil-setting:{k}", "site.yml",
                     _edit(lambda d, k=k: d["settings"].__setitem__(k, "很多天"))))
    for role in site.get("common_roles") or {}:
        r = role
        add(Mutation(f"drop-common-role:{r}", "site.yml",
                     _edit(lambda d, r=r: d["common_roles"].pop(r))))
    for field_name in site.get("common_fields") or {}:
        f = field_name
        add(Mutation(f"drop-common-field:{f}", "site.yml",
                     _edit(lambda d, f=f: d["common_fields"].pop(f))))
    return out


def spread(items: list[Mutation], count: int) -> list[Mutation]:
    """A deterministic selection: the first mutation of every kind, then evenly spaced others."""
    if len(items) <= count:
        return items
    first: dict[str, Mutation] = {}
    for m in items:
        first.setdefault(m.id.split(":")[0], m)
    rest = [m for m in items if m not in first.values()]
    step = len(rest) / max(count - len(first), 1)
    chosen = set(first.values()) | {rest[int(i * step)] for i in range(count - len(first))}
    return [m for m in items if m in chosen]


ALL = mutations()
DEFAULT = spread(ALL, DEFAULT_COUNT)
SLOW = [m for m in ALL if m not in DEFAULT]


def test_there_are_enough_mutations():
    assert len(DEFAULT) >= 200
    kinds = {m.id.split(":")[0] for m in DEFAULT}
    assert {"drop-field", "rename-field", "optional-field", "retype-field", "drop-role",
            "retarget-role", "drop-statistic", "bad-measure", "drop-dashboard",
            "reverse-listing", "add-setting"} <= kinds, kinds


# --- running one mutation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("mutations") / "project")
    write_all(root, FILES)
    return root


def apply(root: Path, mutation: Mutation) -> None:
    """A fresh copy of the real site_config/ with one file mutated (written back as YAML)."""
    config = root / "site_config"
    shutil.rmtree(config)
    shutil.copytree(SITE_CONFIG, config)
    doc = mutation.change(_load(mutation.file))
    (config / mutation.file).write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, [*args, "--root", str(root)])
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    return result, text


def assert_clean_exit(mutation: Mutation, command: str, result, text: str) -> None:
    where = f"{mutation.id} → sunlight {command}"
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{where}: {result.exception!r}"
    assert result.exit_code in (0, 1, 2), f"{where}: exit {result.exit_code}\n{text}"
    assert not PYTHON_WORDS.search(text), f"{where}:\n{text}"
    if result.exit_code == 2:
        problems = [line.strip() for line in result.stderr.splitlines()[1:] if line.strip()]
        assert problems, f"{where}: exit 2 without a message"
        unlocated = [p for p in problems if not LOCATED.search(p)]
        assert not unlocated, f"{where}: not at file and line:\n" + "\n".join(unlocated)


def check_mutation(root: Path, mutation: Mutation) -> int:
    apply(root, mutation)
    codes = []
    for command, args in (("validate", ()), ("stats", ("--as-of", AS_OF))):
        result, text = run(root, command, *args)
        assert_clean_exit(mutation, command, result, text)
        codes.append(result.exit_code)
    return codes[0]


@pytest.mark.parametrize("mutation", DEFAULT, ids=[m.id for m in DEFAULT])
def test_mutation_validate_and_stats(workspace, mutation):
    check_mutation(workspace, mutation)


@pytest.mark.slow
@pytest.mark.parametrize("mutation", SLOW, ids=[m.id for m in SLOW])
def test_mutation_validate_and_stats_slow(workspace, mutation):
    check_mutation(workspace, mutation)


# --- building: the overdue page's headings match its cells -------------------------------------


def due_types() -> list[str]:
    """Types with a due role and a listing (read from the YAML: collection must not depend
    on the configuration loading)."""
    docs = [_load(f"types/{p.name}") for p in sorted((SITE_CONFIG / "types").glob("*.yml"))]
    return [d["name"] for d in docs if (d.get("roles") or {}).get("due") and d.get("listing")]


BUILDS = [m for m in ALL if m.id.split(":")[0] in ("reverse-listing", "shorten-listing")
          and m.id.split(":")[1] in due_types()]
QUICK_BUILDS = [m for m in BUILDS if m.id.startswith("reverse-listing:")][:2]


def expected_text(value: Any, spec: Any, model: Any, rtype: Any) -> str:
    if spec.type == "status":
        return rtype.lifecycle.label(value)
    if isinstance(value, date):
        return value.isoformat()
    if spec.type == "ref" and spec.to and spec.to[0] in ("body", "unit"):
        entries = model.registry.entries(spec.to[0])
        return entries[value].name if value in entries else str(value)
    if spec.type == "enum":
        return spec.values.get(value, value)
    if isinstance(value, list):
        return ""       # compared by containment below
    return str(value)


def overdue_headings_match_cells(root: Path, out: Path) -> int:
    """Check every labelled field column of the overdue page; return the cells checked."""
    checked = check(Deployment(root))
    model = checked.model
    records = {r.id: r for r in checked.validation.records}
    by_label = {t.label: t for t in model.types.values()}
    soup = BeautifulSoup((out / "overdue" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    article = soup.select_one("article") or soup
    seen = 0
    for table in article.select("table"):
        heading = table.find_previous("h2").get_text()
        rtype = next((t for label, t in by_label.items() if heading.startswith(label)), None)
        assert rtype is not None, heading
        headers = [th.get_text(strip=True) for th in table.select("thead th")]
        fields = {spec.label: (name, spec) for name, spec in rtype.fields.items()}
        for tr in table.select("tbody tr"):
            cells = [td.get_text(strip=True) for td in tr.select("td")]
            record_id = next((c for c in cells if c in records), None)
            assert record_id is not None, cells
            record = records[record_id]
            for header, cell in zip(headers, cells):
                if header not in fields:
                    continue
                name, spec = fields[header]
                value = record.get(name)
                if value in (None, "", []):
                    continue
                expected = expected_text(value, spec, model, rtype)
                assert expected in cell, f"column {header}: {cell!r} is not {expected!r}"
                seen += 1
    return seen


def build_and_check(root: Path, mutation: Mutation, tmp: Path) -> None:
    apply(root, mutation)
    out = tmp / "site"
    result, text = run(root, "build", "--no-history", "--as-of", AS_OF, "--out", str(out))
    assert_clean_exit(mutation, "build", result, text)
    if result.exit_code == 0:
        assert overdue_headings_match_cells(root, out) > 0


@pytest.mark.parametrize("mutation", QUICK_BUILDS, ids=[m.id for m in QUICK_BUILDS])
def test_build_after_listing_change_labels_overdue_columns_right(workspace, tmp_path, mutation):
    build_and_check(workspace, mutation, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("mutation", [m for m in BUILDS if m not in QUICK_BUILDS] +
                         spread([m for m in ALL if m not in BUILDS], 40),
                         ids=lambda m: m.id)
def test_build_after_mutation_slow(workspace, tmp_path, mutation):
    build_and_check(workspace, mutation, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("mutation", [m for m in DEFAULT if m not in QUICK_BUILDS],
                         ids=lambda m: m.id)
def test_every_default_mutation_builds(workspace, tmp_path, mutation):
    """validate and stats run for these in the default suite; here each one builds as well."""
    build_and_check(workspace, mutation, tmp_path)
