"""The content model, read from site_config/: record types, their fields and lifecycles, the registry.

Nothing about the domain is hard-coded in Python: a deployment adds a field or a type by
editing site_config/. This module turns those YAML files into typed, checked objects and
refuses a broken configuration with every problem listed (ConfigError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import strict_yaml
from ..text.body_limits import DEFAULT_MAX_BYTES
from .periods import Calendar, read_calendar
from .problems import problem
from .derived_status import order as derivation_order, read_derive_status
from .news import NewsRules, read_news
from .roles import Roles, check_cross_type, finish, read_roles

# Pages stay small at any number of records: a listing shows this many rows a page, a record
# page this many of its children (the rest on the paginated list of its children).
DEFAULT_PAGE_SIZE = 100
DEFAULT_CHILDREN_SHOWN = 20

SCALAR_TYPES = {"string", "text", "integer", "boolean", "date", "enum", "ref", "status", "id",
                "record-type"}
FIELD_TYPES = SCALAR_TYPES | {"list", "object"}
REGISTRY_KINDS = {"body", "unit"}
VISIBILITIES = ("public", "internal", "restricted")


class ConfigError(Exception):
    """site_config/ is broken. Carries every problem found, one line each."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    description: str = ""
    required: bool = False
    # For readers of the site and open data, where `description` instructs editors.
    public_description: str = ""
    internal: bool = False
    hint: str = ""
    values: dict[str, str] = field(default_factory=dict)      # enum: value -> Chinese label
    to: tuple[str, ...] = ()                                   # ref: record types, or body/unit
    items: "FieldSpec | None" = None                           # list: the spec of each item
    fields: dict[str, "FieldSpec"] = field(default_factory=dict)  # object: its fields

    @property
    def reader_description(self) -> str:
        """What the field means to a reader: the public description, else the description."""
        return self.public_description or self.description


@dataclass(frozen=True)
class Status:
    name: str
    label: str
    started: bool = False
    done: bool = False
    withdrawn: bool = False


@dataclass(frozen=True)
class Lifecycle:
    initial: str
    statuses: dict[str, Status]
    transitions: dict[str, tuple[str, ...]]

    def label(self, status: str) -> str:
        return self.statuses[status].label if status in self.statuses else status


@dataclass(frozen=True)
class RequireRule:
    """When the status is one of `when_status`, `fields` must be filled."""
    when_status: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ForbidRule:
    """When the status is one of `when_status`, `fields` must be empty."""
    when_status: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ExpectRule:
    """When the status is one of `when_status`, `field` must hold `value` (as written)."""
    when_status: tuple[str, ...]
    field: str
    value: str


@dataclass(frozen=True)
class DateOrderRule:
    """`earlier` must not be after `later` when both are filled."""
    earlier: str
    later: str


# Extensions of a due date and "shared only once verified" are roles now (roles.py):
# the validator checks them from `RecordType.roles`.
Rule = RequireRule | ForbidRule | ExpectRule | DateOrderRule


@dataclass(frozen=True)
class RecordType:
    name: str
    label: str
    description: str
    folder: str
    id_pattern: re.Pattern[str]
    id_format: str
    visibility: str
    allowed_visibility: tuple[str, ...]
    fields: dict[str, FieldSpec]
    lifecycle: Lifecycle
    rules: tuple[Rule, ...]
    listing: tuple[str, ...] = ()   # fields shown as columns in listings, after ID/title/status
    roles: Roles = field(default_factory=Roles)   # which field plays which part (roles.py)
    derive_status: Any = None       # status computed from children (derived_status.py)

    def id_example(self, year: int = 2023) -> str:
        return self.id_format.format(year=year, seq=1)


@dataclass(frozen=True)
class Entry:
    """A supervising body or a supervised unit from the registry."""
    id: str
    name: str
    short: str
    kind: str = ""
    index_pattern: str = ""     # a body's 索引号, e.g. "LYRD-{year}-{id}" (disclosure block)


@dataclass(frozen=True)
class Registry:
    body_kinds: dict[str, str]
    bodies: dict[str, Entry]
    units: dict[str, Entry]

    def entries(self, kind: str) -> dict[str, Entry]:
        return self.bodies if kind == "body" else self.units


@dataclass(frozen=True)
class Model:
    site: dict[str, Any]
    settings: dict[str, Any]
    types: dict[str, RecordType]
    registry: Registry
    calendar: Calendar = field(default_factory=Calendar)   # working days (periods.py)
    dashboards: tuple = ()      # 内部工作台 declarations (dashboard_config.py)
    pages: dict = field(default_factory=dict)   # computed public pages (pages.yml)
    statistics: Any = None      # figures declared in statistics.yml (statistics.py)
    freeze: Any = None          # frozen period reports declared in freeze.yml (freeze_config.py)
    body_max_bytes: int = DEFAULT_MAX_BYTES     # settings.body_max_bytes
    page_size: int = DEFAULT_PAGE_SIZE          # settings.page_size: rows of a listing page
    children_shown: int = DEFAULT_CHILDREN_SHOWN   # settings.children_shown (record pages)
    common_fields: tuple[str, ...] = ()         # site.yml common_fields, in order
    editor: dict = field(default_factory=dict)  # site.yml editor: (commands/editor.py)
    derived: tuple[str, ...] = ()   # types whose status is derived, children's types first
    news: NewsRules = field(default_factory=NewsRules)   # what is announced (news.py)
    license: dict[str, str] = field(default_factory=dict)  # site.license: name, title, path

    def type_for_folder(self, folder: str) -> RecordType | None:
        return next((t for t in self.types.values() if t.folder == folder), None)


# --------------------------------------------------------------------------------------------


# Digits that look like 0-9 to a reader but are other characters: full-width (typed by a
# Chinese input method), Arabic-Indic and Devanagari (what Python's \d also matches).
_LOOKALIKE_DIGITS = ("０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९")


def non_ascii_lookalikes(record_id: str) -> list[str]:
    """`record_id` with its digits written in each look-alike script."""
    return [record_id.translate(str.maketrans("0123456789", digits))
            for digits in _LOOKALIKE_DIGITS]


def load_model(config_dir: Path) -> Model:
    """Read and check site_config/. Raises ConfigError listing every problem."""
    errors: list[str] = []
    lines: dict[Path, dict] = {}
    site_doc = _read(config_dir / "site.yml", errors, lines)
    registry_doc = _read(config_dir / "registry.yml", errors, lines)
    calendar_path = config_dir / "calendar.yml"
    calendar_doc = _read(calendar_path, errors, lines) if calendar_path.exists() else {}
    type_files = sorted((config_dir / "types").glob("*.yml"))
    if not type_files:
        errors.append(f"{config_dir / 'types'}: 没有任何记录类型定义（*.yml）")
    type_docs = [(p, _read(p, errors, lines)) for p in type_files]
    if errors:
        raise ConfigError(errors)

    reader = _Reader(errors, lines)
    registry = reader.registry(registry_doc, config_dir / "registry.yml")
    reader.site(site_doc, config_dir / "site.yml")
    common = site_doc.get("common_fields", {}) if isinstance(site_doc, dict) else {}
    if not isinstance(common, dict):
        errors.append(f"{_Where(config_dir / 'site.yml', lines, ('common_fields',))}: 应为“字段: 定义”映射")
        common = {}
    type_names = {doc.get("name") for _, doc in type_docs if isinstance(doc, dict)}
    types: dict[str, RecordType] = {}
    type_paths: dict[str, Path] = {}
    for path, doc in type_docs:
        rtype = reader.record_type(doc, common, type_names, path, config_dir / "site.yml")
        if rtype is None:
            continue
        if rtype.name in types:
            errors.append(f"{_Where(path, lines, ('name',))}: 类型名“{rtype.name}”重复"
                          f"（{type_paths[rtype.name]} 中已有）")
        types[rtype.name] = rtype
        type_paths.setdefault(rtype.name, path)
    folders = [t.folder for t in types.values()]
    for folder in {f for f in folders if folders.count(f) > 1}:
        for name, rtype in types.items():
            if rtype.folder == folder:
                errors.append(f"{_Where(type_paths[name], lines, ('folder',))}: "
                              f"多个类型使用同一文件夹“{folder}”")
    if errors:
        raise ConfigError(errors)
    _attach_roles(types, type_docs, site_doc, config_dir, lines, errors)
    derived = _attach_derived_status(types, type_docs, lines, errors) if not errors else ()
    calendar = read_calendar(calendar_doc, _at(calendar_path, lines), errors)
    if errors:
        raise ConfigError(errors)
    site_doc = site_doc if isinstance(site_doc, dict) else {}
    settings = site_doc.get("settings", {}) or {}
    body_max_bytes = _positive_int(settings, "body_max_bytes", DEFAULT_MAX_BYTES,
                                   _Where(config_dir / "site.yml", lines, ("settings", "body_max_bytes")),
                                   errors)
    page_size = _positive_int(settings, "page_size", DEFAULT_PAGE_SIZE,
                              _Where(config_dir / "site.yml", lines, ("settings", "page_size")),
                              errors)
    children_shown = _positive_int(settings, "children_shown", DEFAULT_CHILDREN_SHOWN,
                                   _Where(config_dir / "site.yml", lines,
                                          ("settings", "children_shown")), errors)
    news = read_news(site_doc.get("news"), types, _at(config_dir / "site.yml", lines), errors)
    license_ = _license((site_doc.get("site") or {}).get("license"),
                        _Where(config_dir / "site.yml", lines, ("site", "license")), errors)
    if errors:
        raise ConfigError(errors)
    model = Model(site=site_doc.get("site", {}) or {}, settings=settings,
                  types=types, registry=registry, calendar=calendar, body_max_bytes=body_max_bytes,
                  page_size=page_size, children_shown=children_shown,
                  common_fields=tuple(common), editor=site_doc.get("editor") or {},
                  derived=derived, news=news, license=license_)
    from .dashboard_config import read_dashboards, read_pages   # they read the model's types
    boards, board_errors = read_dashboards(config_dir, model)
    pages, page_errors = read_pages(config_dir, model)
    board_errors += page_errors
    if board_errors:
        raise ConfigError(board_errors)
    from .statistics_config import read_statistics   # it reads the finished model's types and roles
    declared, stat_errors = read_statistics(config_dir, model)
    if stat_errors:
        raise ConfigError(stat_errors)
    model = replace(model, dashboards=boards, pages=pages, statistics=declared)
    from .freeze_config import read_freeze   # it reads the statistics declared above
    frozen, freeze_errors = read_freeze(config_dir, model)
    if freeze_errors:
        raise ConfigError(freeze_errors)
    return replace(model, freeze=frozen)


def _positive_int(settings: Any, name: str, default: int, where: "_Where",
                  errors: list[str]) -> int:
    """A whole-number setting (scalars arrive as text), checked once here at load."""
    raw = settings.get(name, default) if isinstance(settings, dict) else default
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        errors.append(f"{where}: settings.{name} 应为正整数，现在是“{raw}”")
        return default
    return int(text)


class _Where:
    """A place in a config file: prints as "file:line: key.path" for error messages."""

    def __init__(self, path: Path, lines: dict[Path, dict], keys: tuple = ()):
        self.path, self.lines, self.keys = path, lines, keys

    def key(self, *more: Any) -> "_Where":
        return _Where(self.path, self.lines, self.keys + more)

    def __str__(self) -> str:
        line = strict_yaml.line_of(self.lines.get(self.path, {}), self.keys)
        where = strict_yaml.dotted(self.keys)
        return f"{self.path}:{line}: {where}" if where else f"{self.path}:{line}"


# site.yml: its sections and the keys of `site:`. Settings are a closed set: a key no code
# reads is refused, so a typo cannot pass unnoticed.
SITE_SECTIONS = {"site", "settings", "common_fields", "common_roles", "editor", "news"}
SITE_KEYS = {"name", "description", "language", "url", "license"}
# The web editor (commands/editor.py): `backend` goes to Decap CMS as written; `public: true`
# also puts the editor on the public site.
EDITOR_KEYS = {"backend", "public"}
LICENSE_KEYS = {"name", "title", "path"}
# Placeholders of a body's index_pattern (索引号): the record's ID, its year and its type.
INDEX_PLACEHOLDERS = {"id": "ZG-2023-001", "year": 2023, "type": "type"}
# Setting -> what it does. Time limits are periods in roles and declarations, not settings.
SETTINGS: dict[str, str] = {"body_max_bytes": "正文的最大字节数（默认 1 MB）",
                            "page_size": "列表、台账和逾期事项每页的行数（默认 100）",
                            "children_shown": "记录页面直接列出的下级记录条数（默认 20）"}
# Settings of earlier versions, and where their meaning lives now.
MOVED_SETTINGS = ("feedback_days", "due_soon_days", "usage_feedback_days", "expected_fields")


def _license(doc: Any, where: "_Where", errors: list[str]) -> dict[str, str]:
    """site.license: the licence of the open data, a mapping of name (an SPDX identifier such
    as CC-BY-4.0), title and path (its text); a bare name is accepted too."""
    if doc is None:
        return {}
    if isinstance(doc, str):
        doc = {"name": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not doc["name"]:
        errors.append(f"{where}: license 应写成 {{name: CC-BY-4.0, title: …, path: …}}")
        return {}
    for key, value in doc.items():
        if key not in LICENSE_KEYS:
            errors.append(f"{where.key(key)}: license 中未知的配置项“{key}”"
                          f"（可用：{'、'.join(sorted(LICENSE_KEYS))}）")
        elif not isinstance(value, str):
            errors.append(f"{where.key(key)}: license.{key} 应为一行文字")
    return {k: v for k, v in doc.items() if k in LICENSE_KEYS and isinstance(v, str)}


def _at(path: Path, lines: dict[Path, dict]):
    """A function from a key path inside `path` to "file:line" for error messages."""
    file_lines = lines.get(path, {})
    return lambda keys: f"{path}:{strict_yaml.line_of(file_lines, tuple(keys))}"


def _attach_roles(types: dict[str, RecordType], type_docs: list, site_doc: Any,
                  config_dir: Path, lines: dict[Path, dict], errors: list[str]) -> None:
    """Read every type's roles once all types are known (dotted roles look into other types)."""
    common = site_doc.get("common_roles") if isinstance(site_doc, dict) else None
    common_at = _at(config_dir / "site.yml", lines)
    paths = {}
    for path, doc in type_docs:
        rtype = types.get(doc.get("name")) if isinstance(doc, dict) else None
        if rtype is None or paths.get(rtype.name):
            continue
        paths[rtype.name] = path
        at = _at(path, lines)
        roles = read_roles(doc.get("roles"), common, rtype, types, at, common_at, errors)
        finish(rtype, roles, at, errors)
        types[rtype.name] = replace(rtype, roles=roles)
    check_cross_type(types, lambda name: _at(paths[name], lines), errors)


def _attach_derived_status(types: dict[str, RecordType], type_docs: list,
                           lines: dict[Path, dict], errors: list[str]) -> tuple[str, ...]:
    """Read `derive_status:` once every type's roles are known (it needs the child's parents)."""
    paths = {}
    specs = {}
    for path, doc in type_docs:
        rtype = types.get(doc.get("name")) if isinstance(doc, dict) else None
        if rtype is None or rtype.name in paths:
            continue
        paths[rtype.name] = path
        if doc.get("derive_status") is None:
            continue
        spec = read_derive_status(doc["derive_status"], rtype, types, _at(path, lines), errors)
        if spec is not None:
            specs[rtype.name] = spec
            types[rtype.name] = replace(rtype, derive_status=spec)
    return derivation_order(specs, lambda name: _at(paths[name], lines), errors)


def _read(path: Path, errors: list[str], lines: dict[Path, dict] | None = None) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{path}: 无法读取（{exc}）")
        return {}
    parsed = strict_yaml.parse(text)
    if lines is not None:
        lines[path] = parsed.lines
    for issue in parsed.issues:
        params = dict(issue.params)
        found = problem(issue.code, str(path), issue.line, field=params.pop("field", None), **params)
        errors.append(f"{path}:{issue.line}: {issue.code} {found.message}")
    if parsed.fatal:
        return {}
    if not isinstance(parsed.data, dict):
        errors.append(f"{path}: 应为“键: 值”映射")
        return {}
    return parsed.data


class _Reader:
    """Turns config dictionaries into model objects, noting every problem."""

    def __init__(self, errors: list[str], lines: dict[Path, dict]):
        self.errors = errors
        self.lines = lines

    def _unknown_keys(self, where: "_Where", data: dict, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.errors.append(f"{where.key(key)}: 未知的配置项“{key}”"
                                   f"（可用：{', '.join(sorted(allowed)) or '无'}）")

    def site(self, doc: dict, path: Path) -> None:
        """site.yml's sections, `site:` keys and settings: closed sets, checked at load."""
        where = _Where(path, self.lines)
        self._unknown_keys(where, doc, SITE_SECTIONS)
        for section, allowed in (("site", SITE_KEYS), ("settings", set(SETTINGS)),
                                 ("editor", EDITOR_KEYS)):
            value = doc.get(section)
            if value is None:
                continue
            if not isinstance(value, dict):
                self.errors.append(f"{where.key(section)}: 应为“键: 值”映射")
                continue
            if section == "settings":
                for key in [k for k in value if k in MOVED_SETTINGS]:
                    self.errors.append(
                        f"{where.key(section, key)}: 设置“{key}”不再使用：法定期限写在类型的 "
                        f"roles.due.default（如“20 日”“15 个工作日”），工作台的期限写在 dashboards.yml")
                value = {k: v for k, v in value.items() if k not in MOVED_SETTINGS}
            self._unknown_keys(where.key(section), value, allowed)
            if section == "editor":
                self._editor(value, where.key(section))

    def _editor(self, value: dict, where: "_Where") -> None:
        if value.get("public", "false") not in ("true", "false"):
            self.errors.append(f"{where.key('public')}: public 只能是 true 或 false")
        backend = value.get("backend")
        if backend is not None and not (isinstance(backend, dict) and isinstance(
                backend.get("name"), str) and backend["name"]):
            self.errors.append(f"{where.key('backend')}: backend 应为映射，至少写 name"
                               "（github、gitlab 或 gitea），见 README 的网页编辑器一节")

    def registry(self, doc: dict, path: Path) -> Registry:
        where = _Where(path, self.lines)
        self._unknown_keys(where, doc, {"body_kinds", "bodies", "units"})
        kinds = doc.get("body_kinds") or {}
        if not isinstance(kinds, dict):
            self.errors.append(f"{where.key('body_kinds')}: 应为“编号: 中文名”映射")
            kinds = {}
        bodies = self._entries(doc.get("bodies") or {}, where.key("bodies"), kinds)
        units = self._entries(doc.get("units") or {}, where.key("units"), None)
        return Registry(body_kinds=dict(kinds), bodies=bodies, units=units)

    def _entries(self, data: Any, where: "_Where", kinds: dict | None) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        if not isinstance(data, dict):
            self.errors.append(f"{where}: 应为映射")
            return out
        for key, value in data.items():
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
                self.errors.append(f"{where.key(key)}: 编号只能用小写字母、数字和连字符")
            if not isinstance(value, dict) or not value.get("name"):
                self.errors.append(f"{where.key(key)}: 需要 name")
                continue
            self._unknown_keys(where.key(key), value, {"name", "short", "kind"} |
                               ({"index_pattern"} if kinds is not None else set()))
            kind = value.get("kind") or ""
            if kinds is not None and kind not in kinds:
                self.errors.append(f"{where.key(key, 'kind')}: kind “{kind}”不在 body_kinds 中")
            pattern = value.get("index_pattern") or ""
            if pattern:
                self._index_pattern(pattern, where.key(key, "index_pattern"))
            out[key] = Entry(id=key, name=value["name"], short=value.get("short") or value["name"],
                             kind=kind, index_pattern=pattern if isinstance(pattern, str) else "")
        return out

    def _index_pattern(self, pattern: Any, where: "_Where") -> None:
        try:
            if not isinstance(pattern, str):
                raise ValueError
            pattern.format(**INDEX_PLACEHOLDERS)
        except (KeyError, IndexError, ValueError):
            self.errors.append(f"{where}: index_pattern “{pattern}”无效：可用的占位符是 "
                               f"{'、'.join('{' + k + '}' for k in INDEX_PLACEHOLDERS)}")

    def record_type(self, doc: dict, common: dict, type_names: set, path: Path,
                    site_path: Path) -> RecordType | None:
        where = _Where(path, self.lines)
        self._unknown_keys(where, doc, {"name", "label", "description", "folder", "id_pattern",
                                        "id_format", "visibility", "allowed_visibility", "fields",
                                        "lifecycle", "rules", "listing", "roles",
                                        "derive_status"})
        missing = [k for k in ("name", "label", "folder", "id_pattern", "id_format", "fields",
                               "lifecycle") if not doc.get(k)]
        if missing:
            self.errors.append(f"{where}: 缺少 {', '.join(missing)}")
            return None
        for key in ("name", "label", "folder", "id_pattern", "id_format"):
            if not isinstance(doc[key], str):
                self.errors.append(f"{where.key(key)}: {key} 应为一行文字")
                return None
        try:
            # re.ASCII: \d and \w match only ASCII, so "ZG-２０２０-００１" is no ID.
            pattern = re.compile(doc["id_pattern"], re.ASCII)
        except re.error as exc:
            self.errors.append(f"{where.key('id_pattern')}: id_pattern 不是有效的正则表达式（{exc}）")
            return None
        visibility = doc.get("visibility", "public")
        allowed = doc.get("allowed_visibility") or VISIBILITIES
        allowed = tuple(allowed) if isinstance(allowed, (list, tuple)) else (allowed,)
        for v in (visibility, *allowed):
            if v not in VISIBILITIES:
                self.errors.append(f"{where.key('visibility' if v == visibility else 'allowed_visibility')}: "
                                   f"公开范围“{v}”无效（可用：{', '.join(VISIBILITIES)}）")
        if visibility not in allowed:
            self.errors.append(f"{where.key('visibility')}: 默认公开范围“{visibility}”不在 allowed_visibility 中")
        own = doc.get("fields")
        if not isinstance(own, dict):
            self.errors.append(f"{where.key('fields')}: fields 应为“字段: 定义”映射")
            return None
        fields: dict[str, FieldSpec] = {}
        site = _Where(site_path, self.lines, ("common_fields",))
        for name in set(common or {}) & set(own):
            self.errors.append(f"{where.key('fields', name)}: 字段“{name}”与公共字段重名（site.yml common_fields），请换一个名字")
        for name, spec in {**(common or {}), **own}.items():
            at = where.key("fields", name) if name in own else site.key(name)
            parsed = self.field(name, spec, at, type_names)
            if parsed is not None:
                fields[name] = parsed
        lifecycle = self.lifecycle(doc["lifecycle"], where.key("lifecycle"))
        rules_doc = doc.get("rules") or []
        if not isinstance(rules_doc, list):
            self.errors.append(f"{where.key('rules')}: rules 应为列表")
            rules_doc = []
        rules = tuple(r for r in (self.rule(r, fields, lifecycle, where.key("rules", i))
                                  for i, r in enumerate(rules_doc)) if r is not None)
        listing = tuple(_as_list(doc.get("listing")))
        for i, name in enumerate(listing):
            if not isinstance(name, str) or name not in fields:
                self.errors.append(f"{where.key('listing', i)}: listing 中的字段“{name}”未定义")
            elif fields[name].internal:
                self.errors.append(f"{where.key('listing', i)}: listing 不能包含内部字段“{name}”")
        try:
            example = str(doc["id_format"]).format(year=2023, seq=1)
            if not pattern.fullmatch(example):
                self.errors.append(f"{where.key('id_format')}: id_format 生成的“{example}”不符合 id_pattern")
            for lookalike in non_ascii_lookalikes(example):
                if pattern.fullmatch(lookalike):
                    self.errors.append(
                        f"{where.key('id_pattern')}: 也接受“{lookalike}”（全角或其他文字的数字）："
                        "编号只能用 ASCII 字符，数字请写成 [0-9]，不要用“.”或 \\w 之类宽泛的写法")
                    break
        except (KeyError, IndexError, ValueError) as exc:
            self.errors.append(f"{where.key('id_format')}: id_format 无效（{exc}）")
        return RecordType(
            name=doc["name"], label=doc["label"], description=doc.get("description") or "",
            folder=doc["folder"], id_pattern=pattern, id_format=doc["id_format"],
            visibility=visibility, allowed_visibility=allowed, fields=fields,
            lifecycle=lifecycle, rules=rules, listing=listing,
        )

    def field(self, name: str, spec: Any, where: "_Where", type_names: set) -> FieldSpec | None:
        if not isinstance(spec, dict) or "type" not in spec:
            self.errors.append(f"{where}: 需要 type")
            return None
        self._unknown_keys(where, spec, {"type", "label", "description", "required", "internal",
                                         "hint", "values", "to", "items", "fields",
                                         "public_description"})
        ftype = spec["type"]
        if not isinstance(ftype, str) or ftype not in FIELD_TYPES:
            self.errors.append(f"{where}: 字段类型“{ftype}”无效（可用：{', '.join(sorted(FIELD_TYPES))}）")
            return None
        values = spec.get("values") or {}
        if ftype == "enum" and (not isinstance(values, dict) or not values):
            self.errors.append(f"{where}: 枚举字段需要 values（值: 中文名）")
            values = {}
        to = _names(spec.get("to"))
        if spec.get("to") is not None and len(to) != len(_as_list(spec.get("to"))):
            self.errors.append(f"{where.key('to')}: to 应写类型名，或类型名列表")
        if ftype == "ref":
            if not to:
                self.errors.append(f"{where}: 引用字段需要 to")
            for target in to:
                if target not in type_names and target not in REGISTRY_KINDS:
                    self.errors.append(f"{where}: 引用目标“{target}”不是记录类型，也不是 body/unit")
            if any(t in REGISTRY_KINDS for t in to) and len(to) > 1:
                self.errors.append(f"{where}: body/unit 引用不能与其他目标混用")
        items = None
        if ftype == "list":
            items = self.field(f"{name}[]", spec.get("items"), where.key("items"), type_names)
        sub: dict[str, FieldSpec] = {}
        if ftype == "object":
            subs = spec.get("fields") or {}
            if not isinstance(subs, dict):
                self.errors.append(f"{where.key('fields')}: fields 应为“子字段: 定义”映射")
                subs = {}
            for sub_name, sub_spec in subs.items():
                parsed = self.field(sub_name, sub_spec, where.key("fields", sub_name), type_names)
                if parsed is not None:
                    sub[sub_name] = parsed
        for flag in ("required", "internal"):
            if flag in spec and spec[flag] not in ("true", "false"):
                self.errors.append(f"{where}: {flag} 只能是 true 或 false")
        return FieldSpec(
            name=name, type=ftype, label=spec.get("label") or name,
            description=spec.get("description") or "", required=spec.get("required") == "true",
            public_description=spec.get("public_description") or "",
            internal=spec.get("internal") == "true", hint=spec.get("hint") or "",
            values=dict(values), to=to, items=items, fields=sub,
        )

    def lifecycle(self, doc: Any, where: "_Where") -> Lifecycle:
        doc = doc if isinstance(doc, dict) else {}
        self._unknown_keys(where, doc, {"initial", "statuses", "transitions"})
        statuses: dict[str, Status] = {}
        declared = doc.get("statuses") or {}
        if not isinstance(declared, dict):
            self.errors.append(f"{where.key('statuses')}: statuses 应为“状态: 定义”映射")
            declared = {}
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            self._unknown_keys(where.key("statuses", name), spec,
                               {"label", "started", "done", "withdrawn"})
            statuses[name] = Status(name=name, label=spec.get("label") or name,
                                    started=spec.get("started") == "true",
                                    done=spec.get("done") == "true",
                                    withdrawn=spec.get("withdrawn") == "true")
        if not statuses:
            self.errors.append(f"{where}: 需要 statuses")
        initial = doc.get("initial")
        if not isinstance(initial, str) or initial not in statuses:
            self.errors.append(f"{where.key('initial')}: initial “{initial}”不在 statuses 中")
            initial = None
        transitions: dict[str, tuple[str, ...]] = {}
        moves = doc.get("transitions") or {}
        if not isinstance(moves, dict):
            self.errors.append(f"{where.key('transitions')}: transitions 应为“状态: [可改为的状态]”映射")
            moves = {}
        for source, targets in moves.items():
            targets = _names(targets)
            for name in (source, *targets):
                if name not in statuses:
                    self.errors.append(f"{where.key('transitions', source)}: 状态“{name}”不在 statuses 中")
            transitions[source] = targets
        return Lifecycle(initial=initial or "", statuses=statuses, transitions=transitions)

    def rule(self, doc: Any, fields: dict[str, FieldSpec], lifecycle: Lifecycle,
             where: "_Where") -> Rule | None:
        if not isinstance(doc, dict):
            self.errors.append(f"{where}: 规则应为映射")
            return None

        def written(raw: Any) -> tuple[str, ...]:
            names = _names(raw)
            if len(names) != len(_as_list(raw)):
                self.errors.append(f"{where}: 这里应写字段名或状态名（一个，或方括号列表）")
            return names

        def known(names: Any, ftype: str | None = None) -> tuple[str, ...]:
            names = written(names)
            for n in names:
                if n not in fields:
                    self.errors.append(f"{where}: 字段“{n}”未定义")
                elif ftype and fields[n].type != ftype:
                    self.errors.append(f"{where}: 字段“{n}”应为 {ftype} 类型")
            return tuple(names)

        def statuses(names: Any) -> tuple[str, ...]:
            names = written(names)
            for n in names:
                if n not in lifecycle.statuses:
                    self.errors.append(f"{where}: 状态“{n}”未定义")
            return tuple(names)

        if "require" in doc or "forbid" in doc:
            self._unknown_keys(where, doc, {"when_status", "require", "forbid"})
            when = statuses(doc.get("when_status"))
            if "require" in doc:
                return RequireRule(when, known(doc["require"]))
            return ForbidRule(when, known(doc["forbid"]))
        if "expect" in doc:
            self._unknown_keys(where, doc, {"when_status", "expect"})
            expected = doc["expect"]
            if not isinstance(expected, dict) or len(expected) != 1:
                self.errors.append(f"{where}: expect 需要恰好一个“字段: 值”")
                return None
            (name, value), = expected.items()
            known([name])
            return ExpectRule(statuses(doc.get("when_status")), name, str(value))
        if "date_order" in doc:
            pair = _names(doc["date_order"])
            if len(pair) != 2:
                self.errors.append(f"{where}: date_order 需要两个日期字段")
                return None
            known(pair, "date")
            return DateOrderRule(pair[0], pair[1])
        if "extensions" in doc or "verified_lead" in doc:
            role = "due.extensions" if "extensions" in doc else "shares"
            self.errors.append(f"{where}: 这条规则已改为角色：请删去它，在 roles 中声明 {role}")
            return None
        self.errors.append(f"{where}: 未知的规则（可用：require、forbid、expect、date_order）")
        return None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _names(value: Any) -> tuple[str, ...]:
    """A name or a list of names as written; anything that is not a name is left out (the
    caller reports what it expected)."""
    return tuple(v for v in _as_list(value) if isinstance(v, str))
