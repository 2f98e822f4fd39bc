"""The web editor's generated configuration and its pinned, self-hosted script.

- Every type and every field of site_config/ is in the generated Decap configuration, with a
  widget by its declared type; a type added to a copy of site_config/ appears as a collection.
- The editor's page names no other host, and the vendored script matches its pinned hash (the
  page's SRI attribute is that file's SHA-384).
- It ships with the internal site, not with the public one unless site.yml turns it on, and
  internal record pages link to the record in the editor.
- The record format (editor.js, run under Node.js) reads and writes every demo record so that
  `sunlight check --base` sees no change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import cli
from builder.commands import editor
from builder.model.model import load_model
from builder.pipeline import Deployment, build
from builder.stages.projection import Audience

from conftest import BASE_RECORDS, REPO, SITE_CONFIG, make_project, write_all
from gitrepo import GitProject

TEMPLATES = [REPO / "templates"]


def generated(model, tmp_path: Path, backend=None) -> tuple[dict, Path]:
    folder = editor.write_editor(tmp_path / "editor", model, {}, TEMPLATES,
                                 backend=backend or {"name": "github", "repo": "o/r"})
    return yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8")), folder


def _names(fields: list[dict]) -> list[str]:
    return [f["name"] for f in fields]


def test_config_covers_every_type_and_every_field(tmp_path) -> None:
    model = load_model(SITE_CONFIG)
    config, _ = generated(model, tmp_path)
    collections = {c["name"]: c for c in config["collections"]}
    assert set(collections) == set(model.types)
    for rtype in model.types.values():
        c = collections[rtype.name]
        assert c["folder"] == f"content/{rtype.folder}"
        assert c["identifier_field"] == "id" and c["slug"] == "{{id}}"
        assert c["format"] == editor.RECORD_FORMAT and c["delete"] is False
        assert "{{id}}" in c["summary"] and "{{title}}" in c["summary"] and "{{status}}" in c["summary"]
        fields = {f["name"]: f for f in c["fields"]}
        assert set(fields) == set(rtype.fields) | {editor.BODY_KEY}
        for name, spec in rtype.fields.items():
            f = fields[name]
            assert f["required"] is spec.required, (rtype.name, name)
            assert ("内部" in f["label"]) is spec.internal, (rtype.name, name)
            if spec.description:
                assert spec.description in f.get("hint", ""), (rtype.name, name)
            expected = {"date": "datetime", "integer": "number", "boolean": "boolean",
                        "text": "text", "string": "string", "enum": "select", "status": "select",
                        "record-type": "hidden", "id": "string", "object": "object",
                        "list": ("list", "select", "relation")}[spec.type] \
                if spec.type != "ref" else ("select", "relation", "string")
            assert f["widget"] in (expected if isinstance(expected, tuple) else (expected,)), \
                (rtype.name, name, f["widget"])
            if spec.type == "date":
                assert f["format"] == "YYYY-MM-DD" and f["time_format"] is False
            if spec.type == "enum" and name != "visibility":
                assert [(o["value"], o["label"]) for o in f["options"]] == list(spec.values.items())
            if spec.type == "status":
                assert [o["value"] for o in f["options"]] == list(rtype.lifecycle.statuses)
                assert f["default"] == rtype.lifecycle.initial
            if spec.type == "ref" and len(spec.to) == 1 and spec.to[0] in model.types:
                assert f["widget"] == "relation" and f["collection"] == spec.to[0]
                assert f["value_field"] == "id"
            if spec.type == "ref" and spec.to and spec.to[0] in ("body", "unit"):
                entries = model.registry.entries(spec.to[0])
                assert {o["value"]: o["label"] for o in f["options"]} == \
                    {e.id: e.name for e in entries.values()}
            if spec.type == "object":
                assert _names(f["fields"]) == list(spec.fields)
            if spec.type == "list" and spec.items is not None and spec.items.type == "object":
                assert _names(f["fields"]) == list(spec.items.fields)
        assert fields["id"]["pattern"][0] == rtype.id_pattern.pattern
        body = fields[editor.BODY_KEY]
        assert body["widget"] == "markdown" and "<!-- internal -->" in body["hint"]


def test_key_order_is_the_order_of_the_records(tmp_path) -> None:
    """Decap writes keys in the order of the fields: ID, type, title, status, the type's own
    fields, then the other common fields (as `sunlight new` and the demo records have them)."""
    model = load_model(SITE_CONFIG)
    config, _ = generated(model, tmp_path)
    rect = next(c for c in config["collections"] if c["name"] == "rectification")
    names = _names(rect["fields"])
    assert names[:5] == ["id", "type", "title", "status", "finding"]
    assert names[-2:] == ["source", editor.BODY_KEY]


def test_a_type_added_to_site_config_appears_as_a_collection(tmp_path) -> None:
    config_dir = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, config_dir)
    (config_dir / "types" / "petition.yml").write_text("""\
name: petition
label: 群众来信
folder: petitions
id_pattern: '^XF-[0-9]{4}-[0-9]{3}$'
id_format: 'XF-{year}-{seq:03d}'
fields:
  received:
    type: date
    required: true
    label: 收信日期
    description: 收到来信的日期。
  handler:
    type: ref
    to: unit
    label: 承办单位
    description: 承办来信的单位。
lifecycle:
  initial: open
  statuses:
    open: {label: 办理中}
    closed: {label: 已办结, done: true}
  transitions:
    open: [closed]
""", encoding="utf-8")
    config, _ = generated(load_model(config_dir), tmp_path)
    added = next(c for c in config["collections"] if c["name"] == "petition")
    assert added["label"] == "群众来信" and added["folder"] == "content/petitions"
    fields = {f["name"]: f for f in added["fields"]}
    assert fields["received"]["widget"] == "datetime" and fields["received"]["required"] is True
    assert fields["handler"]["widget"] == "select"
    assert [o["label"] for o in fields["status"]["options"]] == ["办理中", "已办结"]


def test_the_page_names_no_other_host_and_the_script_matches_its_pinned_hash(tmp_path) -> None:
    model = load_model(SITE_CONFIG)
    _, folder = generated(model, tmp_path, backend={"name": "gitea", "repo": "o/r"})
    script = folder / f"decap-cms-{editor.DECAP_VERSION}" / editor.DECAP_MAIN
    data = script.read_bytes()
    assert hashlib.sha256(data).hexdigest() == editor.DECAP_SHA256
    assert (folder / f"decap-cms-{editor.DECAP_VERSION}" / "LICENSE").is_file()
    page = (folder / "index.html").read_text(encoding="utf-8")
    sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f'src="decap-cms-{editor.DECAP_VERSION}/{editor.DECAP_MAIN}" integrity="{sri}"' in page
    # Nothing the page loads comes from elsewhere: no scheme-relative or absolute URL in the
    # page, its configuration, its own scripts or the model.
    for name in ("index.html", "config.yml", "editor.js", "model.js"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]", text), name
    for src in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert not re.match(r"(?i)[a-z]+:|//", src), src


def test_a_changed_vendored_file_stops_the_build(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "vendor"
    for folder in editor.VENDORED:
        shutil.copytree(editor.vendor_dir(folder), fake / folder)
    chunk = next((fake / f"decap-cms-{editor.DECAP_VERSION}").glob("*.decap-cms.js"))
    chunk.write_bytes(chunk.read_bytes() + b"\n;alert(1)")
    monkeypatch.setattr(editor, "SUNLIGHT_HOME", tmp_path)
    with pytest.raises(editor.EditorError, match="SHA256SUMS"):
        editor.checked_vendor()


def test_the_editor_ships_with_the_internal_site_only(tmp_path) -> None:
    root = make_project(tmp_path / "project")
    write_all(root, dict(BASE_RECORDS))
    internal = build(Deployment(root), tmp_path / "internal", date(2024, 1, 10), Audience.INTERNAL,
                     history=False)
    page = (internal.out_dir / "editor" / "index.html").read_text(encoding="utf-8")
    assert "网页编辑器尚未配置" in page   # no backend declared in the default site.yml
    record = (internal.out_dir / "rectification" / "ZG-2023-001" / "index.html").read_text("utf-8")
    assert 'href="../../editor/#/collections/rectification/entries/ZG-2023-001"' in record
    public = build(Deployment(root), tmp_path / "public", date(2024, 1, 10), history=False,
                   first_publication=True)
    assert not (public.out_dir / "editor").exists()
    assert "editor/" not in (public.out_dir / "rectification" / "ZG-2023-001" / "index.html"
                             ).read_text("utf-8")


def test_a_deployment_turns_the_editor_on_for_its_public_site(tmp_path) -> None:
    root = make_project(tmp_path / "project")
    write_all(root, dict(BASE_RECORDS))
    site_yml = root / "site_config" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + """
editor:
  public: true
  backend:
    name: gitlab
    repo: supervision/records
    branch: main
""", encoding="utf-8")
    public = build(Deployment(root), tmp_path / "public", date(2024, 1, 10), history=False,
                   first_publication=True)
    config = yaml.safe_load((public.out_dir / "editor" / "config.yml").read_text("utf-8"))
    assert config["backend"] == {"name": "sunlight-gitlab", "repo": "supervision/records",
                                 "branch": "main"}
    assert config["publish_mode"] == "editorial_workflow" and config["locale"] == "zh_Hans"
    rect = next(c for c in config["collections"] if c["name"] == "rectification")
    ids = next(f for f in rect["fields"] if f["name"] == "id")
    assert ids["default"] == "ZG-2024-001"   # the first of the build year


def test_a_misspelt_editor_setting_is_a_configuration_error(tmp_path) -> None:
    root = make_project(tmp_path / "project")
    site_yml = root / "site_config" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8") + "editor:\n  publc: true\n",
                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)])
    assert result.exit_code == 2 and "publc" in result.output


# --- the record format, run where it runs: JavaScript ------------------------------------------

NODE = shutil.which("node")
_HARNESS = r"""
const fs = require("fs");
const [folder, files] = [process.argv[2], JSON.parse(fs.readFileSync(0, "utf8"))];
global.window = global;
global.document = { getElementById: () => ({}) };
eval(fs.readFileSync(folder + "/model.js", "utf8"));
window.jsyaml = require(folder + "/js-yaml-4.3.2/js-yaml.min.js");
let format = null;
window.CMS = { getBackend: () => null, registerBackend() {}, registerPreviewTemplate() {},
  registerPreviewStyle() {}, init() {}, registerCustomFormat(n, e, f) { format = f; } };
window.createClass = (x) => x; window.h = () => null;
eval(fs.readFileSync(folder + "/editor.js", "utf8"));
const out = {};
for (const [path, [text, order]] of Object.entries(files)) {
  out[path] = format.toFile(format.fromFile(text), order);
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None and not os.environ.get("CI"), reason="node is not installed")
def test_opening_and_saving_every_demo_record_changes_nothing_check_reports(tmp_path) -> None:
    model = load_model(SITE_CONFIG)
    _, folder = generated(model, tmp_path)
    config = yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
    orders = {c["folder"]: _names(c["fields"]) for c in config["collections"]}
    project = GitProject(tmp_path / "project")
    shutil.rmtree(project.root / "content")
    shutil.copytree(REPO / "content", project.root / "content")
    base = project.commit("2024-01-02T10:00:00+08:00", "demo", {})
    files = {}
    for path in sorted((project.root / "content").rglob("*.md")):
        rel = path.relative_to(project.root).as_posix()
        if rel.rsplit("/", 1)[0] in orders:
            files[rel] = [path.read_text(encoding="utf-8"), orders[rel.rsplit("/", 1)[0]]]
    (tmp_path / "harness.js").write_text(_HARNESS, encoding="utf-8")
    done = subprocess.run([NODE or "node", str(tmp_path / "harness.js"), str(folder)],
                          input=json.dumps(files), capture_output=True, text=True, check=True)
    saved = json.loads(done.stdout)
    assert len(saved) == len(files) > 300
    same = sum(saved[p] == files[p][0] for p in files)
    for rel, text in saved.items():
        (project.root / rel).write_text(text, encoding="utf-8")
    assert CliRunner().invoke(cli, ["validate", "--root", str(project.root)]).exit_code == 0
    checked = CliRunner().invoke(cli, ["check", "--base", base, "--root", str(project.root)])
    assert checked.exit_code == 0, checked.output
    # Saving again writes the same bytes: the shape is stable.
    again = subprocess.run([NODE or "node", str(tmp_path / "harness.js"), str(folder)],
                           input=json.dumps({p: [saved[p], files[p][1]] for p in saved}),
                           capture_output=True, text=True, check=True)
    assert json.loads(again.stdout) == saved
    print(f"{same} of {len(files)} demo records byte-identical after open and save")
    # The only change is the loss of YAML comments (the demo generator's marker line, which
    # then rightly marks the file as maintained by hand): everything else keeps its bytes.
    for rel, text in saved.items():
        assert text == re.sub(r"(?m)^#.*\n", "", files[rel][0], count=1) or text == files[rel][0], rel

