"""The leak guard (builder/verify.py) without false positives: text that public output
legitimately holds (dates, numbers, the site name, theme and template words, public values)
is no leak, while a real leak — long or short, free text or typed field — is still found
and reported with record, field, file and the surrounding text.

Real builds into tmp folders; "leaky" projections stand in for a projection bug."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from builder import pipeline
from builder.stages import verify
from builder.model import load_model
from builder.pipeline import LeakDetected, Deployment, build, check
from builder.stages.projection import Audience

from conftest import BASE_RECORDS, RECTIFICATION, RECTIFICATION_PATH, edit, make_project, write_all

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
NOTE = "电话督办 2020-09-30"     # the issue's note: its date is on 13 public pages of the demo
real_project = pipeline.project


def leaky_projection(records, model, audience, as_of, body=None):
    """A projection bug: internal fields of public records get through."""
    projection = real_project(records, model, audience, as_of, body)
    sources = {r.id: r for r in records}
    for record in projection.records:
        specs = model.types[record.type].fields
        record.fields.update({k: v for k, v in sources[record.id].fields.items()
                              if k in specs and specs[k].internal})
    return projection


def add_fields(path: Path, lines: str) -> None:
    """Add front-matter lines right after a record's `id:` line."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n", 2)[:2], text.split("\n", 2)[2]
    path.write_text("\n".join(head) + "\n" + lines.rstrip("\n") + "\n" + rest, encoding="utf-8")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the demo project outside Git (no commit ids on pages)."""
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "site_config", root / "site_config")
    return root


def test_the_issues_note_and_notes_sharing_public_words_build(demo: Path, monkeypatch) -> None:
    model = load_model(demo / "site_config")
    unit = next(iter(model.registry.units.values())).name
    add_fields(demo / "content/rectifications/ZG-2020-001.md", f"internal_note: {NOTE}")
    add_fields(demo / "content/rectifications/ZG-2020-002.md",
               f"internal_note: 已电话督办 {model.site['name']} {unit} 整改期限延长 2023年10月 87.6%"
               f" {AS_OF.isoformat()}\n"   # the build date: on every page, in no record
               f"contact: {model.site['name']}")
    built = build(Deployment(demo), demo / "site", AS_OF, history=False)   # no false positive
    assert built.secrets_checked > 100

    # The same notes, really leaked: found, and reported on the record's own page first.
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(demo), demo / "site", AS_OF, history=False)
    leaks = caught.value.leaks   # the demo's own internal notes leak too
    assert leaks[0].file.endswith(f"/{leaks[0].secret.record}/index.html")
    first = next(leak for leak in leaks if leak.secret.record == "ZG-2020-001")
    assert first.file == "rectification/ZG-2020-001/index.html"
    assert first.message().startswith("泄露：记录 ZG-2020-001 的内部字段“内部备注”（internal_note）"
                                      "出现在 rectification/ZG-2020-001/index.html（页面正文）：“")
    assert {(leak.secret.record, leak.secret.match) for leak in leaks} >= {
        ("ZG-2020-001", verify.VALUE), ("ZG-2020-001", verify.FIELD), ("ZG-2020-002", verify.FIELD)}
    assert not [leak for leak in leaks if leak.file == "404.html"]
    # Nothing public was taken for a secret: not the date, the site name or the unit.
    assert not {leak.secret.value for leak in leaks} & {"2020-09-30", model.site["name"], unit}
    assert (demo / "site" / "index.html").is_file()   # the first build stays live


def test_a_canary_in_a_note_is_found_with_its_surroundings(demo: Path, monkeypatch) -> None:
    """The positive control, with a note that also holds public words and a date."""
    add_fields(demo / "content/rectifications/ZG-2020-001.md",
               f"internal_note: {NOTE}，督办CANARY内部备注7")
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(demo), demo / "site", AS_OF, history=False)
    text_leaks = [leak for leak in caught.value.leaks if leak.secret.match == verify.TEXT
                  and leak.secret.record == "ZG-2020-001"]
    assert {leak.secret.value for leak in text_leaks} == {"督办CANARY内部备注7"}
    page = text_leaks[0]
    assert (page.file, page.place) == ("rectification/ZG-2020-001/index.html", "页面正文")
    assert "电话督办 2020-09-30，督办CANARY内部备注7" in page.context


def test_text_the_public_pages_already_show_is_never_a_secret(demo: Path) -> None:
    """Every text node of every record page, used as an internal note, gives no leak."""
    site = build(Deployment(demo), demo / "site", AS_OF, history=False).out_dir
    checked = check(Deployment(demo))
    records, model = checked.validation.records, checked.model
    nodes: set[str] = set()
    for page in site.glob("*/*/index.html"):
        if "sl-tombstone" not in page.read_text(encoding="utf-8"):
            nodes |= verify.shown_text(page)[1]
    assert len(nodes) > 1000
    target = next(r for r in records if r.id == "ZG-2020-001")
    notes = [replace(target, fields={**target.fields, "internal_note": n}) for n in sorted(nodes)]
    found = verify.secrets(records + notes, model, AS_OF, chrome=verify.chrome(
        Deployment(demo).template_dirs, Deployment(demo).base_config))
    assert [(leak.secret.value, leak.file) for leak in verify.scan(site, found)] == []


def test_a_short_internal_name_is_caught_as_a_whole_value(tmp_path: Path, monkeypatch) -> None:
    """王芳 is shorter than MIN_LENGTH: never searched inside running text, but caught as
    the whole text of a cell and as an internal field's row in the facts table."""
    root = make_project(tmp_path / "project")
    write_all(root, {**BASE_RECORDS, RECTIFICATION_PATH: edit(
        RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\ncontact: 王芳\n")})
    build(Deployment(root), root / "site", AS_OF)          # the real projection: no leak
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(root), root / "site", AS_OF)
    found = {(leak.secret.match, leak.file, leak.context) for leak in caught.value.leaks}
    page = "rectification/ZG-2023-001/index.html"
    assert (verify.VALUE, page, "王芳") in found
    assert (verify.FIELD, page, "基本情况表中的“联系人（内部）”一栏：王芳") in found


TYPED_FIELDS = """\
  reviewed: {type: date, internal: true, label: 内部复核日期, description: 只在内部显示。}
  visits: {type: integer, internal: true, label: 走访次数, description: 只在内部显示。}
  risk: {type: enum, internal: true, label: 风险等级, description: 只在内部显示。, values: {high: 高, low: 低}}
  overseer: {type: ref, to: unit, internal: true, label: 督办单位, description: 只在内部显示。}
"""
TYPED_VALUES = "reviewed: 2023-06-30\nvisits: 3\nrisk: high\noverseer: ly-lyj\n"


@pytest.fixture
def typed(tmp_path: Path) -> Path:
    """A project whose rectifications have internal date, integer, enum and ref fields."""
    root = make_project(tmp_path / "project")
    schema = root / "site_config/types/rectification.yml"
    schema.write_text(edit(schema.read_text(encoding="utf-8"), "\nfields:\n",
                           "\nfields:\n" + TYPED_FIELDS), encoding="utf-8")
    write_all(root, {**BASE_RECORDS, RECTIFICATION_PATH: edit(
        RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\n" + TYPED_VALUES)})
    return root


def test_typed_internal_fields_are_caught_where_fields_are_shown(typed: Path,
                                                                 monkeypatch) -> None:
    build(Deployment(typed), typed / "site", AS_OF)        # values shared with public ones: fine
    monkeypatch.setattr(pipeline, "project", leaky_projection)
    with pytest.raises(LeakDetected) as caught:
        build(Deployment(typed), typed / "site", AS_OF)
    rows = {(leak.secret.field, leak.context) for leak in caught.value.leaks
            if leak.secret.match == verify.FIELD}
    assert rows == {
        ("reviewed", "基本情况表中的“内部复核日期（内部）”一栏：2023-06-30"),
        ("visits", "基本情况表中的“走访次数（内部）”一栏：3"),
        ("risk", "基本情况表中的“风险等级（内部）”一栏：高"),
        ("overseer", "基本情况表中的“督办单位（内部）”一栏：洛阳市林业局"),
    }


def test_typed_internal_fields_in_open_data_are_caught(typed: Path) -> None:
    """Open data applies its own allow-list; were it broken, the guard still sees the field."""
    site = build(Deployment(typed), typed / "site", AS_OF).out_dir
    checked = check(Deployment(typed))
    found = verify.secrets(checked.validation.records, checked.model, AS_OF)
    assert verify.scan(site, found) == []
    data = json.loads((site / "data/records.json").read_text(encoding="utf-8"))
    next(r for r in data["records"] if r["id"] == "ZG-2023-001")["reviewed"] = "2023-06-30"
    (site / "data/records.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    rows = list(csv.reader(io.StringIO((site / "data/records.csv").read_text("utf-8"))))
    rows[0].append("risk")
    for row in rows[1:]:
        row.append("high" if row[0] == "ZG-2023-001" else "")
    with (site / "data/records.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    leaks = {(leak.file, leak.secret.field, leak.context) for leak in verify.scan(site, found)}
    assert leaks == {("data/records.json", "reviewed", "ZG-2023-001 的 reviewed：2023-06-30"),
                     ("data/records.csv", "risk", "ZG-2023-001 的 risk：high")}


def test_internal_builds_guard_only_other_bodies_unverified_leads(tmp_path: Path) -> None:
    """Internal fields are for the internal site: no FIELD secrets there."""
    root = make_project(tmp_path / "project")
    write_all(root, {**BASE_RECORDS, RECTIFICATION_PATH: edit(
        RECTIFICATION, "result: 已拨付全部资金。\n", "result: 已拨付全部资金。\ncontact: 王芳\n")})
    checked = check(Deployment(root))
    found = verify.secrets(checked.validation.records, checked.model, AS_OF, Audience.INTERNAL)
    assert found == []
    built = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL)
    assert "王芳" in (built.out_dir / "rectification/ZG-2023-001/index.html").read_text("utf-8")


def test_code_literals_are_builders_string_literals_without_docstrings() -> None:
    """Phrases the code puts on pages are public; docstrings, which hold examples of record
    values, are not (one walk per module finds both)."""
    literals = verify._code_literals()
    assert "现行期限" in literals                     # render.py: a computed fact's label
    assert "已延期 " in literals                      # the text part of an f-string
    assert verify.__doc__ not in literals              # a module's docstring
    assert verify._code_literals.__doc__ not in literals   # a function's
    assert verify.Leak.__doc__ not in literals         # a class's


def test_code_literals_kept_between_processes_are_the_ast_walks_of_the_same_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged build takes the literals kept beside builder's bytecode instead of
    parsing builder/ again: what it takes is what the walk finds, a changed module is walked
    again, a damaged file is no file, and nothing is kept where Python keeps no bytecode."""
    source = tmp_path / "builder"
    shutil.copytree(verify._SOURCE, source, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(verify, "_SOURCE", source)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    kept = source / "__pycache__"

    def literals() -> tuple[str, ...]:
        verify.code_literals.cache_clear()       # another process
        return verify.code_literals()

    walked = verify._literals_of(verify._sources())
    assert literals() == walked
    [entry] = kept.glob(f"{verify.LITERALS}.*")
    # The next process reads them and parses nothing.
    with monkeypatch.context() as no_walk:
        no_walk.setattr(verify, "_literals_of", lambda sources: pytest.fail("parsed again"))
        assert literals() == walked
    # A module of the copy gets a new phrase: the literals of the old code are not used.
    module = source / "stages" / "render.py"
    module.write_text(module.read_text(encoding="utf-8") + '\nNEW_PHRASE = "新加的页面用语"\n',
                      encoding="utf-8")
    changed = literals()
    assert "新加的页面用语" in changed and changed == verify._literals_of(verify._sources())
    assert not entry.exists() and len(list(kept.glob(f"{verify.LITERALS}.*"))) == 1
    # A file that is not a list of strings is no file.
    [entry] = kept.glob(f"{verify.LITERALS}.*")
    entry.write_bytes(b'{"not": "a list"}')
    assert literals() == changed
    # Where Python writes no bytecode, nothing is kept.
    shutil.rmtree(kept)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert literals() == changed and not kept.exists()
    verify.code_literals.cache_clear()


def test_a_short_value_is_found_as_a_node_with_or_without_character_references(
        tmp_path: Path) -> None:
    """A whole text node equal to a short secret is a leak however the page writes it:
    plain, as character references, or escaped twice inside a JSON string of HTML."""
    site = tmp_path / "site"
    site.mkdir()
    secret = verify.Secret("王芳", "ZG-2023-001", "contact", match=verify.VALUE)
    refs = "".join(f"&#x{ord(c):x};" for c in secret.value)
    (site / "plain.html").write_text("<article><td>王芳</td></article>", encoding="utf-8")
    (site / "refs.html").write_text(f"<article><td>{refs}</td></article>", encoding="utf-8")
    (site / "index.json").write_text(json.dumps({"html": f"&lt;td&gt;{refs}&lt;/td&gt;"}),
                                     encoding="utf-8")
    (site / "other.html").write_text("<article><td>王芳芳</td></article>", encoding="utf-8")
    assert sorted(leak.file for leak in verify.scan(site, [secret])) == \
        ["index.json", "plain.html", "refs.html"]


def test_every_version_of_a_file_is_scanned_apart_and_once(tmp_path: Path) -> None:
    """The guard reads a file's versions (readable, unescaped, raw, JSON strings) one by one
    instead of as one joined copy: a secret only one version shows is still found, in the
    words of that version, and a file with nothing to unescape is read once, not three
    times."""
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    secret = verify.Secret("督办内部备注七号", "ZG-2023-001", "internal_note")
    # JSON escapes: only the parsed strings show the secret.
    escaped = "".join(f"\\u{ord(c):04x}" for c in secret.value)
    (site / "data" / "notes.json").write_text(f'{{"note": "{escaped}"}}', encoding="utf-8")
    # HTML character references: only the unescaped version shows it.
    refs = "".join(f"&#x{ord(c):x};" for c in secret.value)
    (site / "page.html").write_text(f"<article><p>{refs}</p></article>", encoding="utf-8")
    (site / "plain.txt").write_text(f"前文 {secret.value} 后文", encoding="utf-8")
    leaks = verify.scan(site, [secret])
    assert sorted(leak.file for leak in leaks) == ["data/notes.json", "page.html", "plain.txt"]
    assert all(secret.value in leak.context for leak in leaks)
    texts, _ = verify.shown_parts(site / "plain.txt")
    assert texts == [f"前文 {secret.value} 后文"]
    text, _ = verify.shown_text(site / "page.html")
    assert secret.value in text and refs in text
