"""Internal dashboards: what the supervising bodies must chase, computed from records.

A pure function of the records (the INTERNAL projection: internal fields present, restricted
leads only for their owning body), the model, the as-of date and the validation warnings.
Every row is a small frozen dataclass holding everything a template prints, already decided
(labels, day counts, registry names): templates only place them.

The rules (docs/editor-guide.md, section 内部视图, repeats them in Chinese):

- deadlines: rectification items neither done nor withdrawn whose deadline in force (the last
  extension's, else the original) is before the as-of date (overdue), or at most
  `due_soon_days` days after it (due soon; due today counts as due soon);
- consultations (征询意见): joint items (coordination joint_two/joint_three, or any co_bodies)
  whose result is being formed or is formed (status result_forming or a done status) while
  some co-supervising body has no consultation entry with an `answered` date;
- usage feedback: exchanges not done whose `work_ended` + `usage_feedback_days` is on or
  before the as-of date (the same rule as the usage-feedback statistic);
- feedback sheets: sheets whose limit (`response_due`, else `adopted` + `feedback_days`) has
  passed: answered after it, or still unanswered on a day after it;
- follow-ups (成果共用): findings with rectification still open (the finding not done, or a
  live rectification of it not done) that another body must follow up: the other parties of
  the joint item the finding came from, and the body it was transferred to (问题互移);
- data quality: validation warnings on the records shown, and records still open (neither done
  nor withdrawn) missing a field listed for their type in `settings.expected_fields`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .model import ConfigError, Model
from .problems import Problem
from .records import Record
from .stats import Index, is_overdue, rectification_body

JOINT = ("joint_two", "joint_three")
DEFAULTS = {"due_soon_days": 30, "feedback_days": 20, "usage_feedback_days": 30}


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """A link to a record page: `{{ root }}{{ ref.path }}`."""

    id: str
    type: str
    title: str

    @property
    def path(self) -> str:
        return f"{self.type}/{self.id}/"


@dataclass(frozen=True)
class RectificationDue:
    """A rectification item past, or close to, its deadline in force."""

    record: RecordRef
    status: str
    status_label: str
    overdue: bool
    days: int                   # days overdue, or days left (0 = due today)
    timing: str                 # 逾期 12 日 / 今日到期 / 还剩 3 日
    deadline: date              # in force
    extensions: int
    unit: str
    unit_name: str
    contact: str                # internal field; "" when not filled
    body: str                   # the supervising body (the finding's source_body)
    body_name: str
    finding: RecordRef | None


@dataclass(frozen=True)
class OwedConsultation:
    """One co-supervising body whose opinion is not recorded as answered."""

    body: str
    body_name: str
    requested: date | None      # earliest request still unanswered; None: never requested
    days_waiting: int | None
    note: str                   # 2023-11-06 征询，已 20 日未回复 / 未记录征询


@dataclass(frozen=True)
class ConsultationGap:
    """A joint item forming its result without every co-body's opinion."""

    item: RecordRef
    status: str
    status_label: str
    lead_body: str
    lead_body_name: str
    coordination_label: str
    owed: tuple[OwedConsultation, ...]


@dataclass(frozen=True)
class UsageFeedbackOwed:
    """Shared material whose user has not reported how it was used."""

    exchange: RecordRef
    status: str
    status_label: str
    from_body: str
    from_body_name: str
    to_body: str                # the user, who owes the feedback
    to_body_name: str
    material: str
    shared: date
    work_ended: date
    due: date
    days_past_due: int          # 0 = due today
    related_item: RecordRef | None


@dataclass(frozen=True)
class LateFeedbackSheet:
    """A feedback sheet answered after its limit, or unanswered past it."""

    sheet: RecordRef
    status: str
    status_label: str
    body: str
    body_name: str
    addressed_to: tuple[str, ...]   # unit names
    adopted: date
    due: date
    limit_note: str                 # 反馈单规定的期限 / 发出后 20 日
    answered: bool
    responded: date | None
    responded_text: str             # the date, or 未反馈
    days_late: int
    state: str                      # 超期反馈 / 超期未反馈
    item: RecordRef | None


@dataclass(frozen=True)
class FollowUp:
    """A finding of another body that this body should follow up."""

    finding: RecordRef
    status: str
    status_label: str
    source_body: str
    source_body_name: str
    unit_name: str
    reason: str                     # 三方联动事项… / 问题互移…
    item: RecordRef | None
    open_rectifications: tuple[RecordRef, ...]
    rectifications: int             # live rectification items of the finding
    rectification_note: str         # 共 2 项整改事项，1 项未完成 / 尚无整改事项


@dataclass(frozen=True)
class FollowUpGroup:
    """Everything one body should follow up."""

    body: str
    body_name: str
    findings: tuple[FollowUp, ...]


@dataclass(frozen=True)
class DataQualityIssue:
    """A validation warning, or an open record missing expected fields."""

    kind: str                       # warning / missing
    kind_label: str                 # 校验警告 / 缺少应填字段
    code: str                       # the warning code; "" for missing fields
    path: str
    line: int
    message: str
    record: RecordRef | None


@dataclass(frozen=True)
class Dashboards:
    """Every internal dashboard, as of one date, with the limits its rules used."""

    as_of: date
    due_soon_days: int
    feedback_days: int
    usage_feedback_days: int
    rectifications: list[RectificationDue]
    consultations: list[ConsultationGap]
    usage_feedback: list[UsageFeedbackOwed]
    feedback_sheets: list[LateFeedbackSheet]
    follow_ups: list[FollowUpGroup]
    data_quality: list[DataQualityIssue]

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rectifications if r.overdue)

    @property
    def due_soon_count(self) -> int:
        return sum(1 for r in self.rectifications if not r.overdue)

    @property
    def follow_up_count(self) -> int:
        return sum(len(g.findings) for g in self.follow_ups)


# --- the stage -------------------------------------------------------------------------------


def compute(records: list[Record], model: Model, as_of: date,
            warnings: list[Problem]) -> Dashboards:
    """Every internal dashboard as of `as_of`. Raises ConfigError if
    `settings.expected_fields` names an unknown type or field."""
    index = Index(records, model)
    expected = expected_fields(model)
    return Dashboards(
        as_of=as_of,
        due_soon_days=setting(model, "due_soon_days"),
        feedback_days=setting(model, "feedback_days"),
        usage_feedback_days=setting(model, "usage_feedback_days"),
        rectifications=rectification_deadlines(index, as_of),
        consultations=consultation_gaps(index, as_of),
        usage_feedback=usage_feedback_owed(index, as_of),
        feedback_sheets=late_feedback_sheets(index, as_of),
        follow_ups=follow_ups(index),
        data_quality=data_quality(index, warnings, expected),
    )


def setting(model: Model, name: str) -> int:
    """A whole-number setting of site.yml (scalars arrive as text), else its default."""
    return int(model.settings.get(name, DEFAULTS[name]))


def expected_fields(model: Model) -> dict[str, tuple[str, ...]]:
    """`settings.expected_fields` (type → field names), checked against the model."""
    raw = model.settings.get("expected_fields") or {}
    where = "site_config/site.yml: settings.expected_fields"
    if not isinstance(raw, dict):
        raise ConfigError([f"{where} 应为“类型: [字段, …]”映射"])
    errors: list[str] = []
    out: dict[str, tuple[str, ...]] = {}
    for type_name, names in raw.items():
        rtype = model.types.get(type_name)
        if rtype is None:
            errors.append(f"{where}: 类型“{type_name}”未定义")
            continue
        if not isinstance(names, list):
            errors.append(f"{where}.{type_name} 应为字段名列表")
            continue
        unknown = [n for n in names if n not in rtype.fields]
        errors.extend(f"{where}.{type_name}: 字段“{n}”未定义" for n in unknown)
        out[type_name] = tuple(n for n in names if n in rtype.fields)
    if errors:
        raise ConfigError(errors)
    return out


# --- helpers ---------------------------------------------------------------------------------


def _ref(record: Record) -> RecordRef:
    return RecordRef(id=record.id, type=record.type, title=record.title)


def _ref_to(index: Index, record_id: Any) -> RecordRef | None:
    target = index.by_id.get(record_id) if isinstance(record_id, str) else None
    return _ref(target) if target is not None else None


def _status_label(index: Index, record: Record) -> str:
    return index.model.types[record.type].lifecycle.label(record.status)


def _name(index: Index, kind: str, key: Any) -> str:
    if not isinstance(key, str):
        return ""
    entries = index.model.registry.entries(kind)
    return entries[key].name if key in entries else key


def _open(index: Index, type_name: str) -> list[Record]:
    """Records of a type neither withdrawn nor done."""
    return [r for r in index.live(type_name) if not index.is_done(r)]


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


# --- deadlines -------------------------------------------------------------------------------


def rectification_deadlines(index: Index, as_of: date) -> list[RectificationDue]:
    """Open rectification items overdue (most overdue first), then due soon (soonest first)."""
    horizon = as_of + timedelta(days=setting(index.model, "due_soon_days"))
    rows = []
    for record in _open(index, "rectification"):
        deadline = record.current_deadline()
        if deadline is None or deadline > horizon:
            continue
        rows.append(_deadline_row(index, record, deadline, is_overdue(index, record, as_of), as_of))
    rows.sort(key=lambda r: (not r.overdue, r.deadline, r.record.id))
    return rows


def _deadline_row(index: Index, record: Record, deadline: date, overdue: bool,
                  as_of: date) -> RectificationDue:
    days = (as_of - deadline).days if overdue else (deadline - as_of).days
    timing = f"逾期 {days} 日" if overdue else ("今日到期" if days == 0 else f"还剩 {days} 日")
    body = rectification_body(index, record) or ""
    unit = record.get("responsible_unit") or ""
    return RectificationDue(
        record=_ref(record), status=record.status, status_label=_status_label(index, record),
        overdue=overdue, days=days, timing=timing, deadline=deadline,
        extensions=len(record.get("deadline_extensions") or []),
        unit=unit, unit_name=_name(index, "unit", unit), contact=record.get("contact") or "",
        body=body, body_name=_name(index, "body", body),
        finding=_ref_to(index, record.get("finding")),
    )


# --- consultations ---------------------------------------------------------------------------


def is_joint(item: Record) -> bool:
    """三方联动 or 两两契合: declared so, or carried out with co-supervising bodies."""
    return item.get("coordination") in JOINT or bool(item.get("co_bodies"))


def _forming_result(index: Index, item: Record) -> bool:
    return item.status == "result_forming" or index.is_done(item)


def consultation_gaps(index: Index, as_of: date) -> list[ConsultationGap]:
    """Joint items forming (or having formed) their result without every co-body's answer."""
    rows = []
    for item in index.live("item"):
        if not (is_joint(item) and _forming_result(index, item)):
            continue
        owed = tuple(_owed(index, item, body, as_of) for body in item.get("co_bodies") or []
                     if not _answered(item, body))
        if owed:
            rows.append(_gap_row(index, item, owed))
    rows.sort(key=lambda r: r.item.id)
    return rows


def _consultations(item: Record, body: str) -> list[dict]:
    return [c for c in item.get("consultations") or []
            if isinstance(c, dict) and c.get("body") == body]


def _answered(item: Record, body: str) -> bool:
    return any(isinstance(c.get("answered"), date) for c in _consultations(item, body))


def _owed(index: Index, item: Record, body: str, as_of: date) -> OwedConsultation:
    asked = [c["requested"] for c in _consultations(item, body)
             if isinstance(c.get("requested"), date)]
    requested = min(asked) if asked else None
    days = (as_of - requested).days if requested else None
    note = (f"{requested.isoformat()} 征询，已 {days} 日未回复" if requested
            else "未记录征询")
    return OwedConsultation(body=body, body_name=_name(index, "body", body),
                            requested=requested, days_waiting=days, note=note)


def coordination_label(index: Index, item: Record) -> str:
    """三方联动 / 两两契合 …, as the item type labels it; 协同监督 when not stated."""
    spec = index.model.types[item.type].fields.get("coordination")
    value = item.get("coordination") or ""
    label = spec.values.get(value, value) if spec is not None else value
    return label or "协同监督"


def _gap_row(index: Index, item: Record, owed: tuple[OwedConsultation, ...]) -> ConsultationGap:
    lead = item.get("lead_body") or ""
    return ConsultationGap(
        item=_ref(item), status=item.status, status_label=_status_label(index, item),
        lead_body=lead, lead_body_name=_name(index, "body", lead),
        coordination_label=coordination_label(index, item), owed=owed,
    )


# --- usage feedback --------------------------------------------------------------------------


def usage_feedback_owed(index: Index, as_of: date) -> list[UsageFeedbackOwed]:
    """Exchanges without usage feedback `usage_feedback_days` after the work ended."""
    grace = timedelta(days=setting(index.model, "usage_feedback_days"))
    rows = []
    for record in _open(index, "exchange"):
        ended = record.get("work_ended")
        if not isinstance(ended, date) or ended + grace > as_of:
            continue
        rows.append(_usage_row(index, record, ended, ended + grace, as_of))
    rows.sort(key=lambda r: (r.due, r.exchange.id))
    return rows


def _usage_row(index: Index, record: Record, ended: date, due: date,
               as_of: date) -> UsageFeedbackOwed:
    source, user = record.get("from_body") or "", record.get("to_body") or ""
    return UsageFeedbackOwed(
        exchange=_ref(record), status=record.status, status_label=_status_label(index, record),
        from_body=source, from_body_name=_name(index, "body", source),
        to_body=user, to_body_name=_name(index, "body", user),
        material=record.get("material") or "", shared=record.get("shared"), work_ended=ended,
        due=due, days_past_due=(as_of - due).days,
        related_item=_ref_to(index, record.get("related_item")),
    )


# --- feedback sheets -------------------------------------------------------------------------


def feedback_sheet_due(sheet: Record, limit_days: int) -> date | None:
    """The sheet's own `response_due`, else `adopted` + the configured number of days."""
    stated = sheet.get("response_due")
    if isinstance(stated, date):
        return stated
    adopted = sheet.get("adopted")
    return adopted + timedelta(days=limit_days) if isinstance(adopted, date) else None


def late_feedback_sheets(index: Index, as_of: date) -> list[LateFeedbackSheet]:
    """Sheets unanswered after their limit (first), then those answered late."""
    limit = setting(index.model, "feedback_days")
    rows = []
    for sheet in index.live("resolution"):
        if sheet.get("kind") != "feedback_sheet":
            continue
        due = feedback_sheet_due(sheet, limit)
        responded = sheet.get("responded")
        answered = isinstance(responded, date)
        late_until = responded if answered else as_of
        if due is None or late_until <= due:
            continue
        rows.append(_sheet_row(index, sheet, due, limit, responded if answered else None,
                               (late_until - due).days))
    rows.sort(key=lambda r: (r.answered, r.due, r.sheet.id))
    return rows


def _sheet_row(index: Index, sheet: Record, due: date, limit: int, responded: date | None,
               days_late: int) -> LateFeedbackSheet:
    stated = isinstance(sheet.get("response_due"), date)
    body = sheet.get("body") or ""
    return LateFeedbackSheet(
        sheet=_ref(sheet), status=sheet.status, status_label=_status_label(index, sheet),
        body=body, body_name=_name(index, "body", body),
        addressed_to=tuple(_name(index, "unit", u) for u in sheet.get("addressed_to") or []),
        adopted=sheet.get("adopted"), due=due,
        limit_note="反馈单规定的期限" if stated else f"发出后 {limit} 日",
        answered=responded is not None, responded=responded,
        responded_text=responded.isoformat() if responded is not None else "未反馈",
        days_late=days_late,
        state="超期反馈" if responded is not None else "超期未反馈",
        item=_ref_to(index, sheet.get("item")),
    )


# --- follow-ups (成果共用) ---------------------------------------------------------------------


def follow_ups(index: Index) -> list[FollowUpGroup]:
    """Per following-up body, the other bodies' findings whose rectification is still open."""
    by_finding: dict[str, list[Record]] = defaultdict(list)
    for r in index.live("rectification"):
        by_finding[r.get("finding", "")].append(r)
    groups: dict[str, list[FollowUp]] = defaultdict(list)
    for finding in index.live("finding"):
        rectifications = by_finding.get(finding.id, [])
        still_open = tuple(_ref(r) for r in sorted(rectifications, key=lambda r: r.id)
                           if not index.is_done(r))
        if index.is_done(finding) and not still_open:
            continue
        for body, reason, item in _followers(index, finding):
            groups[body].append(_follow_up_row(index, finding, reason, item, still_open,
                                               len(rectifications)))
    return [FollowUpGroup(body=b, body_name=_name(index, "body", b),
                          findings=tuple(sorted(rows, key=lambda f: f.finding.id)))
            for b, rows in sorted(groups.items())]


def joint_item_of(index: Index, finding: Record) -> Record | None:
    """The joint item a finding came from: its origin, or the item of its origin resolution."""
    origin = index.by_id.get(finding.get("origin", ""))
    if origin is not None and origin.type == "resolution":
        origin = index.by_id.get(origin.get("item", ""))
    if origin is None or origin.type != "item" or not is_joint(origin):
        return None
    return origin


def _followers(index: Index, finding: Record) -> list[tuple[str, str, Record | None]]:
    """(body, why, joint item) for every body other than the finder that should follow up."""
    source = finding.get("source_body")
    item = joint_item_of(index, finding)
    out: dict[str, tuple[str, str, Record | None]] = {}
    if item is not None:
        label = coordination_label(index, item)
        for body in [item.get("lead_body"), *(item.get("co_bodies") or [])]:
            if isinstance(body, str) and body != source:
                out[body] = (body, f"{label}事项中其他机关发现的问题，纳入本机关跟踪监督", item)
    moved = finding.get("transferred_to")
    if isinstance(moved, str) and moved != source:
        out[moved] = (moved, "问题互移：移交本机关处置", item)
    return list(out.values())


def _follow_up_row(index: Index, finding: Record, reason: str, item: Record | None,
                   still_open: tuple[RecordRef, ...], total: int) -> FollowUp:
    source = finding.get("source_body") or ""
    return FollowUp(
        finding=_ref(finding), status=finding.status,
        status_label=_status_label(index, finding), source_body=source,
        source_body_name=_name(index, "body", source),
        unit_name=_name(index, "unit", finding.get("unit")), reason=reason,
        item=_ref(item) if item is not None else None,
        open_rectifications=still_open, rectifications=total,
        rectification_note=(f"共 {total} 项整改事项，{len(still_open)} 项未完成" if total
                            else "尚无整改事项"),
    )


# --- data quality ----------------------------------------------------------------------------


def data_quality(index: Index, warnings: list[Problem],
                 expected: dict[str, tuple[str, ...]]) -> list[DataQualityIssue]:
    """Warnings on the records shown, and open records missing expected fields.

    A warning about a file that is not among the records (a lead of another body, say) is
    dropped: its message may quote what this audience must not see."""
    by_path = {r.path: r for r in index.by_id.values()}
    rows = [_warning_row(p, by_path[p.path]) for p in warnings if p.path in by_path]
    for type_name, names in expected.items():
        for record in _open(index, type_name):
            missing = [n for n in names if not _filled(record.get(n))]
            if missing:
                rows.append(_missing_row(index, record, missing))
    rows.sort(key=lambda r: (r.path, r.line, r.kind, r.code))
    return rows


def _warning_row(found: Problem, record: Record) -> DataQualityIssue:
    return DataQualityIssue(kind="warning", kind_label="校验警告", code=found.code,
                            path=found.path, line=found.line, message=found.message,
                            record=_ref(record))


def _missing_row(index: Index, record: Record, missing: list[str]) -> DataQualityIssue:
    specs = index.model.types[record.type].fields
    labels = "、".join(f"{specs[n].label}（{n}）" for n in missing)
    return DataQualityIssue(kind="missing", kind_label="缺少应填字段", code="",
                            path=record.path, line=record.line("id"),
                            message=f"尚未填写：{labels}", record=_ref(record))
