"""The web editor: Decap CMS, its whole configuration generated from the model.

Office clerks change records through a form that writes the same Markdown files and opens the
same pull requests (Decap's editorial workflow), so review, checks and publication stay as
they are. Nothing here is written by hand per deployment: one collection per record type, a
widget per field by its declared type, the lifecycle's statuses, the registry's bodies and
units, the next free ID at build time. Adding a type or a field to site_config/ adds it here.

The script is Decap's own bundle, vendored at an exact version (vendor/decap-cms-<version>/,
fetched by scripts/vendor_decap.py) and checked against SHA256SUMS and the digest pinned in
this module before it is copied; the page loads it from the site itself with an SRI hash, so
no request goes to a CDN.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from ..model.model import FieldSpec, Model, RecordType, RequireRule

SUNLIGHT_HOME = Path(__file__).resolve().parents[2]
DECAP_VERSION = "3.16.3"
# SHA-256 of vendor/decap-cms-3.16.3/decap-cms.js as published on the npm registry
# (scripts/vendor_decap.py prints it). Pinned here as well as in SHA256SUMS so that replacing
# the file and its list together is still noticed.
DECAP_SHA256 = "7c1efd6b616b4786e279aeef194dd21649a72058d3bc8d1f78901b574610dfb8"
DECAP_MAIN = "decap-cms.js"
# js-yaml reads and writes the front matter in the editor's record format (editor.js), so
# what the form saves has Sunlight's shape: keys in the model's order, every scalar read as
# text (like strict_yaml.py), quotes only where YAML needs them, block lists.
JS_YAML_VERSION = "4.3.2"
JS_YAML_MAIN = "js-yaml.min.js"
JS_YAML_SHA256 = "32391560601990bb6e0daabd8106a35a6a539de088532413931a70a4cb4f4769"
# Every vendored package: folder -> (its script, the pinned SHA-256 of that script).
VENDORED = {f"decap-cms-{DECAP_VERSION}": (DECAP_MAIN, DECAP_SHA256),
            f"js-yaml-{JS_YAML_VERSION}": (JS_YAML_MAIN, JS_YAML_SHA256)}
# Decap keeps a file's text after the front matter under this key; Sunlight's own format
# uses a name no declared field has (a type may well have a field called "body").
BODY_KEY = "__body"
RECORD_FORMAT = "sunlight-md"
EDITOR_DIR = "editor"          # where the editor lives in a built site (…/editor/)
# Decap's backends that open pull requests; each is wrapped (index.html) so a new record's
# file is named by its ID exactly (Decap lower-cases slugs) and an ID already taken is refused.
FORGES = ("github", "gitlab", "gitea")
# The one place a body's internal-block syntax is explained to the form (record_body.py).
INTERNAL_BLOCK_HINT = ("用 Markdown 写详细情况，空一行分段。只给内部看的段落写在单独一行的 "
                       "<!-- internal --> 和 <!-- /internal --> 之间，公开网站不显示它们"
                       "（编辑指南 7.3 节）。不要写脚本、样式或 javascript: 链接。")


class EditorError(Exception):
    """The vendored editor is missing or does not match its pinned digest (exit 2)."""


def vendor_dir(folder: str = f"decap-cms-{DECAP_VERSION}") -> Path:
    return SUNLIGHT_HOME / "vendor" / folder


def checked_vendor() -> dict[str, str]:
    """Every vendored folder's main script (relative path) and its SRI value, after checking
    each file against the folder's SHA256SUMS and each main script against the digest pinned
    here. Reads the 5.8 MB once."""
    scripts = {}
    for folder_name, (main, pinned) in VENDORED.items():
        folder = vendor_dir(folder_name)
        sums_file = folder / "SHA256SUMS"
        if not sums_file.is_file():
            raise EditorError(f"找不到网页编辑器的脚本 {folder}（应随代码仓库提供）；"
                              "请用 scripts/vendor_decap.py 重新取得")
        listed = {}
        for line in sums_file.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            listed[name] = digest
        if listed.get(main) != pinned:
            raise EditorError(f"{sums_file} 中 {main} 的摘要与代码中固定的版本不符")
        for name, digest in listed.items():
            data = (folder / name).read_bytes() if (folder / name).is_file() else b""
            if hashlib.sha256(data).hexdigest() != digest:
                raise EditorError(f"网页编辑器的文件 {folder / name} 缺失或被改动（与 SHA256SUMS 不符）；"
                                  "请用 scripts/vendor_decap.py 重新取得")
            if name == main:
                scripts[f"{folder_name}/{main}"] = \
                    "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    return scripts


@dataclass(frozen=True)
class EditorSettings:
    """site.yml's `editor:` section. `backend` is handed to Decap as written (name, repo,
    branch, base_url, auth_endpoint, app_id, api_root …); `public` also puts the editor on
    the public site, which it is not by default (editors are staff)."""

    backend: dict[str, Any] = field(default_factory=dict)
    public: bool = False

    @classmethod
    def of(cls, model: Model) -> "EditorSettings":
        raw = model.editor or {}
        return cls(backend=dict(raw.get("backend") or {}), public=raw.get("public") == "true")


# --- the configuration -------------------------------------------------------------------------


def decap_config(model: Model, next_ids: dict[str, str], backend: dict[str, Any],
                 editorial_workflow: bool = True) -> dict[str, Any]:
    """Decap's config.yml for every type of the model. `next_ids`: type → next free ID."""
    name = backend.get("name", "")
    # The wrapped backends (see FORGES) carry their own names.
    wrapped = {**backend, "name": f"sunlight-{name}"} if name in (*FORGES, "proxy") else backend
    config: dict[str, Any] = {
        "backend": wrapped,
        "locale": "zh_Hans",
        # Records carry no uploads: files belong on the site, linked from a body.
        "media_folder": "content/.editor-uploads",
        "collections": [collection(rtype, model, next_ids.get(rtype.name, ""))
                        for rtype in model.types.values()],
    }
    if editorial_workflow:
        config["publish_mode"] = "editorial_workflow"
    return config


def collection(rtype: RecordType, model: Model, next_id: str) -> dict[str, Any]:
    """One folder collection: file name = ID, summary with ID, title and status."""
    fields = [widget(spec, model, rtype, next_id) for spec in ordered_fields(rtype, model)]
    fields.append({"name": BODY_KEY, "label": "正文", "widget": "markdown", "required": False,
                   "modes": ["raw"], "hint": INTERNAL_BLOCK_HINT})
    return {
        "name": rtype.name,
        "label": rtype.label,
        "label_singular": rtype.label,
        "description": f"{rtype.description} 编号格式 {rtype.id_pattern.pattern}，"
                       f"构建网站时下一个空闲编号是 {next_id or '（无法自动编号）'}。",
        "folder": f"content/{rtype.folder}",
        "extension": "md",
        "format": RECORD_FORMAT,
        "create": True,
        # Nothing published disappears: a record is withdrawn (status and reason), never deleted.
        "delete": False,
        "identifier_field": "id",
        "slug": "{{id}}",
        "summary": "{{id}} · {{title}} · {{status}}",
        "sortable_fields": ["id", "title", "status"],
        "fields": fields,
    }


def ordered_fields(rtype: RecordType, model: Model) -> list[FieldSpec]:
    """The order Decap writes keys in, which is the order `sunlight new` and the records use:
    the identifying common fields (ID, type, title, status), the type's own fields, then the
    other common ones (visibility, embargo, withdrawal, source)."""
    common = [rtype.fields[n] for n in model.common_fields if n in rtype.fields]
    head = [s for s in common if s.type in ("id", "record-type", "status") or s.name == "title"]
    own = [s for n, s in rtype.fields.items() if n not in model.common_fields]
    return head + own + [s for s in common if s not in head]


def widget(spec: FieldSpec, model: Model, rtype: RecordType | None, next_id: str = "") -> dict:
    """The Decap field for one declared field, by its type."""
    out: dict[str, Any] = {"name": spec.name, "label": spec.label + ("（内部）" if spec.internal else ""),
                           "required": spec.required}
    hint = " ".join(t for t in (spec.description, spec.hint if spec.hint not in spec.description
                                else "") if t)
    if spec.internal:
        hint = "内部字段：只在内部网站显示，公众看不到。" + hint
    kind = spec.type
    if kind == "id" and rtype is not None:
        out.update(widget="string", default=next_id,
                   pattern=[rtype.id_pattern.pattern,
                            f"编号格式不对：应像 {rtype.id_example()}（{rtype.id_pattern.pattern}）"])
        hint = (f"{hint} 下一个空闲编号（构建网站时）：{next_id or '请按格式填写'}。"
                f"格式 {rtype.id_pattern.pattern}。如果保存时提示编号已被占用，把序号加 1。").strip()
    elif kind == "record-type" and rtype is not None:
        out.update(widget="hidden", default=rtype.name)
    elif kind == "status" and rtype is not None:
        out.update(widget="select", default=rtype.lifecycle.initial,
                   options=[{"label": s.label, "value": s.name}
                            for s in rtype.lifecycle.statuses.values()])
        hint = (hint + " 状态只能按“状态流转”改变（见预览），编辑器不检查，合并请求的检查会检查。").strip()
    elif kind == "enum":
        values = spec.values
        if rtype is not None and spec.name == "visibility":
            # Only what the type allows (leads: restricted only); empty means its default.
            values = {v: values[v] for v in rtype.allowed_visibility if v in values}
            hint = f"{hint} 本类型默认：{spec.values.get(rtype.visibility, rtype.visibility)}。"
        out.update(widget="select", options=[{"label": label, "value": value}
                                             for value, label in values.items()])
    elif kind == "date":
        out.update(widget="datetime", format="YYYY-MM-DD", date_format="YYYY-MM-DD",
                   time_format=False, picker_utc=True)
    elif kind == "integer":
        out.update(widget="number", value_type="int")
    elif kind == "boolean":
        out.update(widget="boolean")
    elif kind == "text":
        out.update(widget="text")
    elif kind == "ref":
        out.update(reference(spec, model))
    elif kind == "list" and spec.items is not None:
        out.update(list_widget(spec.items, model))
    elif kind == "object":
        out.update(widget="object", fields=[widget(s, model, None) for s in spec.fields.values()])
    else:
        out.update(widget="string")
    if hint:
        out["hint"] = hint
    return out


def reference(spec: FieldSpec, model: Model, multiple: bool = False) -> dict[str, Any]:
    """A body or unit: a select from the registry (name shown, ID stored). One record type:
    a relation widget on its collection. Several types: their IDs typed, checked by pattern."""
    target = spec.to[0] if spec.to else ""
    if target not in model.types and target:
        entries = model.registry.entries(target)
        return {"widget": "select", "multiple": multiple,
                "options": [{"label": e.name, "value": e.id} for e in entries.values()]}
    targets = [model.types[t] for t in spec.to if t in model.types]
    if len(targets) == 1:
        return {"widget": "relation", "collection": targets[0].name, "value_field": "id",
                "search_fields": ["id", "title"], "display_fields": ["{{id}} {{title}}"],
                "multiple": multiple}
    pattern = "|".join(f"(?:{t.id_pattern.pattern.strip('^$')})" for t in targets)
    examples = "、".join(t.id_example() for t in targets)
    if multiple:
        return {"widget": "list", "field": {"name": "id", "label": "编号", "widget": "string",
                                            "pattern": [f"^(?:{pattern})$", f"应为编号，例如 {examples}"]}}
    return {"widget": "string", "pattern": [f"^(?:{pattern})$", f"应为编号，例如 {examples}"]}


def list_widget(items: FieldSpec, model: Model) -> dict[str, Any]:
    """A list: of objects (a sub-form per item), of references (a multiple select or
    relation), or of plain values (one input per item)."""
    if items.type == "object":
        return {"widget": "list", "fields": [widget(s, model, None) for s in items.fields.values()]}
    if items.type == "ref":
        return reference(items, model, multiple=True)
    single = widget(items, model, None)
    single.pop("required", None)
    return {"widget": "list", "field": {**single, "name": "entry", "label": items.label}}


# --- the model the preview needs ---------------------------------------------------------------


def preview_model(model: Model) -> dict[str, Any]:
    """Labels, statuses, transitions and registry names for preview.js, which renders a
    record as the public page does and marks what the public will not see."""
    types = {}
    for rtype in model.types.values():
        due = rtype.roles.due
        types[rtype.name] = {
            "label": rtype.label,
            "visibility": rtype.visibility,
            "fields": [_field_model(s) for s in ordered_fields(rtype, model)],
            "statuses": {s.name: {"label": s.label, "withdrawn": s.withdrawn}
                         for s in rtype.lifecycle.statuses.values()},
            "transitions": {k: list(v) for k, v in rtype.lifecycle.transitions.items()},
            "requires": [{"when": list(r.when_status), "fields": list(r.fields)}
                         for r in rtype.rules if isinstance(r, RequireRule)],
            "embargo": rtype.roles.field_of("embargo"),
            "extensions": ({"field": due.extensions, "reasonField": due.extension_reason}
                           if due is not None and due.extensions else None),
        }
    return {
        "types": types,
        "bodies": {e.id: e.name for e in model.registry.bodies.values()},
        "units": {e.id: e.name for e in model.registry.units.values()},
    }


def _field_model(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "label": spec.label, "type": spec.type,
                           "internal": spec.internal}
    if spec.values:
        out["values"] = spec.values
    if spec.to:
        out["to"] = list(spec.to)
    if spec.items is not None:
        out["items"] = _field_model(spec.items)
    if spec.fields:
        out["fields"] = [_field_model(s) for s in spec.fields.values()]
    return out


# --- writing it out ----------------------------------------------------------------------------


def write_editor(folder: Path, model: Model, next_ids: dict[str, str], template_dirs: list[Path],
                 backend: dict[str, Any] | None = None, editorial_workflow: bool = True) -> Path:
    """Write the editor into `folder` (a site's editor/): page, configuration, preview, and
    the checked Decap files. Without a backend the page says how to configure one."""
    scripts = checked_vendor()
    backend = backend if backend is not None else EditorSettings.of(model).backend
    folder.mkdir(parents=True, exist_ok=True)
    for folder_name in VENDORED:
        shutil.copytree(vendor_dir(folder_name), folder / folder_name, dirs_exist_ok=True)
    own = _template_file(template_dirs, "editor.js")
    shutil.copyfile(own, folder / "editor.js")
    (folder / "model.js").write_text(
        "window.SUNLIGHT_MODEL = " + json.dumps({**preview_model(model), "bodyKey": BODY_KEY,
                                                 "format": RECORD_FORMAT},
                                                ensure_ascii=False) + ";\n",
        encoding="utf-8")
    if backend.get("name"):
        config = decap_config(model, next_ids, backend, editorial_workflow)
        (folder / "config.yml").write_text(
            yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000),
            encoding="utf-8")
    page = _template_file(template_dirs, "index.html").read_text(encoding="utf-8")
    tags = "\n".join(f'<script src="{src}" integrity="{sri}" crossorigin="anonymous"></script>'
                     for src, sri in scripts.items())
    page = (page.replace("{{ scripts }}", tags)
            .replace("{{ site_name }}", str(escape(model.site.get("name", ""))))
            .replace("{{ configured }}", "true" if backend.get("name") else "false"))
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder


def _template_file(template_dirs: list[Path], name: str) -> Path:
    for d in template_dirs:
        if (d / EDITOR_DIR / name).is_file():
            return d / EDITOR_DIR / name
    raise EditorError(f"找不到网页编辑器的模板 {EDITOR_DIR}/{name}")


def editor_link(record_type: str, record_id: str) -> str:
    """Where the editor opens one record, relative to the site root."""
    return f"{EDITOR_DIR}/#/collections/{record_type}/entries/{record_id}"
