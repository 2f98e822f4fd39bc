"""Frozen period reports (site_config/freeze.yml), read and checked against the model.

A period — a quarter `2024-Q3`, a year `2024`, or a session declared here — is frozen by
`sunlight freeze` into a record of the declared type: its figures computed once, as they were
on the closing date, and never recomputed. The type's field names are part of this
configuration language (FIELDS, ITEM_FIELDS: what the command writes and the checks read), so
the code names no field of the default pack; labels, folder, ID pattern and visibility are the
deployment's. Checked at load with Chinese messages at file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import strict_yaml
from .problems import problem

FREEZE_KEYS = {"type", "id", "title", "in_period", "to_date", "sessions"}
SESSION_KEYS = {"id", "label", "from", "to"}
# The freeze type's fields the command writes, and the kind each must be.
FIELDS = {"period": "string", "closes": "date", "frozen_on": "date", "basis": "string",
          "backfilled": "boolean", "previous": "ref", "figures": "list",
          "internal_figures": "list"}
FIGURE_LISTS = ("figures", "internal_figures")
# Sub-fields of one frozen figure: the statistic, its words then, and its value.
ITEM_FIELDS = {"figure": "string", "label": "string", "text": "string", "change": "string",
               "definition": "text", "value": "integer", "numerator": "integer",
               "denominator": "integer"}
PERIOD, FIGURE, LABEL = "period", "figure", "label"
# The fields a frozen figure lives in: `check --base` refuses any change to them.
FROZEN_FIELDS = ("period", "closes", "basis", "backfilled", "previous") + FIGURE_LISTS
# Scopes of a frozen figure: records whose start falls in the period, or all up to its end.
IN_PERIOD, TO_DATE = "in_period", "to_date"
# Every word of this language, for tests/test_no_pack_names.py.
WORDS = FREEZE_KEYS | SESSION_KEYS | set(FIELDS) | set(ITEM_FIELDS)

QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$", re.ASCII)
YEAR = re.compile(r"^[0-9]{4}$", re.ASCII)
SESSION_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]*$", re.ASCII)
QUARTER_WORDS = "一二三四"


@dataclass(frozen=True)
class Period:
    """A span of days that can be frozen, and the one before it (None: none declared)."""

    id: str
    label: str
    start: date
    end: date                  # the closing date
    previous: str | None


@dataclass(frozen=True)
class Session:
    id: str
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class FreezeDeclaration:
    type: str
    id_template: str
    title_template: str
    scopes: dict[str, str]                 # statistic -> IN_PERIOD | TO_DATE, in declared order
    sessions: tuple[Session, ...] = ()

    def period(self, period_id: str) -> Period | None:
        """The period an ID names: 2024-Q3, 2024 or a declared session; None if none."""
        m = QUARTER.match(period_id)
        if m:
            year, q = int(m.group(1)), int(m.group(2))
            start = date(year, 3 * q - 2, 1)
            end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
            previous = f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
            return Period(period_id, f"{year}年第{QUARTER_WORDS[q - 1]}季度", start, end, previous)
        if YEAR.match(period_id):
            year = int(period_id)
            return Period(period_id, f"{year}年", date(year, 1, 1), date(year, 12, 31),
                          str(year - 1))
        for i, s in enumerate(self.sessions):
            if s.id == period_id:
                return Period(s.id, s.label, s.start, s.end,
                              self.sessions[i - 1].id if i else None)
        return None

    def record_id(self, period: Period) -> str:
        return self.id_template.format(period=period.id, label=period.label)

    def title(self, period: Period) -> str:
        return self.title_template.format(period=period.id, label=period.label)


def read_freeze(config_dir: Path, model: Any) -> tuple[FreezeDeclaration | None, list[str]]:
    """Read site_config/freeze.yml (optional) → (declaration or None, errors at file:line)."""
    path = config_dir / "freeze.yml"
    if not path.is_file():
        return None, []
    parsed = strict_yaml.parse(path.read_text(encoding="utf-8"))
    if parsed.issues or parsed.fatal:
        return None, [f"{path}:{i.line}: {problem(i.code, str(path), i.line, **_params(i)).message}"
                      for i in parsed.issues] or [f"{path}: 无法读取"]
    errors: list[str] = []

    def err(keys: tuple, message: str) -> None:
        errors.append(f"{path}:{strict_yaml.line_of(parsed.lines, keys)}: {message}")

    doc = parsed.data
    if not isinstance(doc, dict):
        err((), "freeze.yml 应为映射（type、id、title、in_period、to_date、sessions）")
        return None, errors
    for key in doc:
        if key not in FREEZE_KEYS:
            err((key,), f"freeze.yml 中未知的配置项“{key}”（可用：{'、'.join(sorted(FREEZE_KEYS))}）")
    type_name = doc.get("type")
    rtype = model.types.get(type_name) if isinstance(type_name, str) else None
    if rtype is None:
        err(("type",), f"type 应为一个记录类型（可用：{'、'.join(model.types)}），"
                       f"“{type_name}”不是")
    else:
        _check_type(rtype, lambda keys, m: err(("type",), m))
    templates = {}
    for key in ("id", "title"):
        value = doc.get(key)
        if not isinstance(value, str) or "{period}" not in value and "{label}" not in value:
            err((key,), f"{key} 应为含有 {{period}} 或 {{label}} 的模板，例如 “DG-{{period}}”")
            value = None
        else:
            try:
                value.format(period="2024-Q3", label="2024年第三季度")
            except (KeyError, IndexError, ValueError):
                err((key,), f"{key} 模板只能使用 {{period}} 和 {{label}}")
                value = None
        templates[key] = value
    if rtype is not None and templates["id"]:
        example = templates["id"].format(period="2024-Q3", label="")
        if not rtype.id_pattern.match(example):
            err(("id",), f"按 id 模板生成的编号（例如“{example}”）不符合{rtype.label}的编号规则"
                         f" {rtype.id_pattern.pattern}")
    stats = getattr(model.statistics, "statistics", None) or {}
    scopes: dict[str, str] = {}
    for scope in (IN_PERIOD, TO_DATE):
        names = doc.get(scope) or []
        if not isinstance(names, list):
            err((scope,), f"{scope} 应为统计编号列表")
            continue
        for i, sid in enumerate(names):
            stat = stats.get(sid) if isinstance(sid, str) else None
            if stat is None:
                err((scope, i), f"统计“{sid}”未在 statistics.yml 中定义")
            elif stat.measure.kind == "change":
                err((scope, i), f"“{sid}”是 change（与上一组相比），不能定格；与上期相比由定格报告计算")
            elif sid in scopes:
                err((scope, i), f"统计“{sid}”重复（in_period 和 to_date 只能写一次）")
            else:
                for base in bases(stats, sid):
                    if scope == IN_PERIOD and not model.types[base.population.type].roles.start:
                        err((scope, i), f"“{sid}”统计的{model.types[base.population.type].label}"
                                        "没有起算日期（roles.start），无法判断是否在期间内；请写在 to_date 中")
                        break
                else:
                    scopes[sid] = scope
    sessions = _sessions(doc.get("sessions"), err)
    if errors or rtype is None:
        return None, errors
    return FreezeDeclaration(rtype.name, templates["id"], templates["title"], scopes,
                             sessions), errors


def _check_type(rtype: Any, err: Any) -> None:
    for name, kind in FIELDS.items():
        spec = rtype.fields.get(name)
        if spec is None or spec.type != kind:
            err((), f"类型“{rtype.name}”需要 {kind} 字段“{name}”（sunlight freeze 写入它）")
            continue
        if name == "previous" and tuple(spec.to) != (rtype.name,):
            err((), f"“{rtype.name}.previous”应引用同一类型（to: {rtype.name}）")
        if name in FIGURE_LISTS:
            subs = spec.items.fields if spec.items is not None and spec.items.type == "object" else {}
            for sub, sub_kind in ITEM_FIELDS.items():
                if sub not in subs or subs[sub].type != sub_kind:
                    err((), f"“{rtype.name}.{name}”的每一项需要 {sub_kind} 子字段“{sub}”")
    spec = rtype.fields.get("internal_figures")
    if spec is not None and not spec.internal:
        err((), f"“{rtype.name}.internal_figures”保存内部数字，必须声明 internal: true")


def bases(stats: dict, sid: str) -> list:
    stat = stats[sid]
    if stat.population is not None:
        return [stat]
    return [b for other in stat.measure.of for b in bases(stats, other)]


def _sessions(doc: Any, err: Any) -> tuple[Session, ...]:
    if doc is None:
        return ()
    if not isinstance(doc, list):
        err(("sessions",), "sessions 应为列表，每项 {id, label, from, to}")
        return ()
    out: list[Session] = []
    for i, item in enumerate(doc):
        if not isinstance(item, dict):
            err(("sessions", i), "每个会议期间应写成 {id, label, from, to}")
            continue
        for key in item:
            if key not in SESSION_KEYS:
                err(("sessions", i, key), f"未知的配置项“{key}”（可用：id、label、from、to）")
        sid, label = item.get("id"), item.get("label")
        if not isinstance(sid, str) or not SESSION_ID.match(sid) or QUARTER.match(sid) \
                or YEAR.match(sid):
            err(("sessions", i, "id"), f"会议编号“{sid}”无效：只用字母、数字和连字符，"
                                       "不能与年度（2024）或季度（2024-Q3）的写法相同")
            continue
        if any(s.id == sid for s in out):
            err(("sessions", i, "id"), f"会议编号“{sid}”重复")
            continue
        if not isinstance(label, str) or not label:
            err(("sessions", i), f"会议期间“{sid}”需要 label（名称）")
            continue
        days = []
        for key in ("from", "to"):
            try:
                days.append(date.fromisoformat(str(item.get(key))))
            except ValueError:
                err(("sessions", i, key), f"{key} 应为日期，例如 2021-09-30")
        if len(days) != 2:
            continue
        if days[0] > days[1]:
            err(("sessions", i, "to"), "to（最后一天）早于 from（第一天）")
            continue
        if out and days[0] <= out[-1].end:
            err(("sessions", i, "from"), f"会议期间应按时间顺序排列且不重叠（“{out[-1].id}”到 "
                                         f"{out[-1].end.isoformat()} 为止）")
            continue
        out.append(Session(sid, label, days[0], days[1]))
    return tuple(out)


def _params(issue: Any) -> dict:
    params = dict(issue.params)
    params.pop("field", None)
    return params
