"""Pull-request checks: the working tree against a base revision (`sunlight check --base`).

Validation sees one version; some promises only show between two. A record the public has
seen is never deleted or hidden (it is withdrawn, which keeps a tombstone), an ID never
changes, a status moves only along its type's lifecycle (and reopening says why), an adopted
text changes only through an amendment record, and a deadline moves only through a new
extension entry. A record the branch adds takes an ID nobody holds: two editors may both
have been given the next free ID, and the first to be merged keeps it. This module reads the
base revision's content/ with two git calls (`ls-tree`, then one `cat-file --batch`) and the
file list where the branch left the base (`merge-base`, `ls-tree`), validates the base with
the working tree's model, matches records by ID (and by path, to catch a changed ID) and
returns the problems together with the changes a reviewer needs to see (builder/review.py
writes them up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..text.record_body import strip_internal
from ..stages.load import Document, find_record_files, is_record_path, parse_bytes
from ..model.format import registry_kind, scalar_text
from ..model.freeze_config import FIGURE, FIGURE_LISTS, FROZEN_FIELDS, LABEL, PERIOD
from ..model.model import FieldSpec, Model, RecordType, RequireRule
from ..pipeline import Checked, Deployment, check
from ..model.problems import Problem, Severity, problem
from ..stages.projection import is_public
from ..model.records import Record
from ..model.roles import DueRole, due_in_force
from ..stages.repository import (HistoryError, NotARepository, blob_id, blobs_at, fork_point,
                                 open_repository, read_blobs)
from ..stages.validate import validate
from .scaffold import ScaffoldError, id_year, next_id

# Roles used here: reopen_reason ("why was this reopened"), amends (a reference to the same
# type: adopted text changes only by amendment), adopted, embargo, and due with extensions.
BODY = "正文"
EMPTY = "（空）"


class BaseUnavailable(HistoryError):
    """The base revision cannot be read: no git, not a repository, or an unknown revision."""


@dataclass(frozen=True)
class FieldChange:
    """One public field of one record, before and after. `old` is None for a note that has
    no before (a new extension entry, "正文：有修改")."""

    field: str
    label: str
    old: str | None
    new: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class Change:
    """What happened to one record between the base and the working tree."""

    kind: str                       # added, changed, withdrawn or deleted
    id: str
    type: str
    type_label: str
    title: str
    path: str
    status: str                     # Chinese label: now, or at the base for a deleted record
    public: bool                    # the public site will show this change
    fields: list[FieldChange] = field(default_factory=list)   # public fields only
    internal: list[str] = field(default_factory=list)         # labels of internal changes

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "type": self.type, "title": self.title,
                "path": self.path, "status": self.status, "public": self.public,
                "fields": [f.as_dict() for f in self.fields], "internal": list(self.internal)}


@dataclass
class DiffCheck:
    """Every problem (validation and diff-aware, sorted like validate's) and every change."""

    base: str                       # the revision as given
    commit: str                     # the commit it names
    as_of: date
    checked: Checked                # the working tree; its problems include the diff problems
    problems: list[Problem]
    changes: list[Change]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def valid(self) -> bool:
        return not self.errors


def check_against_base(deployment: Deployment, base: str, as_of: date) -> DiffCheck:
    """Validate the working tree and compare it with revision `base` as of `as_of`.
    Raises BaseUnavailable when `base` cannot be read; never raises on bad content."""
    checked = check(deployment)
    try:
        commit = resolve(deployment.root, base)
        base_documents, base_blobs = read_base(deployment.root, deployment.content_dir, commit)
        fork = fork_point(deployment.root, commit)
        forked = blobs_at(deployment.root, fork, [deployment.content_dir],
                          files_only=True) if fork else None
    except BaseUnavailable:
        raise
    except HistoryError as exc:     # no git, a damaged repository, an unreadable object
        raise BaseUnavailable(str(exc)) from None
    base_records = validate(base_documents, checked.model).records
    now = checked.validation.records
    present = {_relative(deployment.root, f) for f in find_record_files(deployment.content_dir)}
    taken = taken_on_base(deployment.root, base_records, base_blobs, now, forked, present)
    # A record whose ID the base gave another record meanwhile is no change of that record:
    # it is reported as new, with its own problem, and neither is compared with the other.
    # What changed on the base alone since the branch left it is not the branch's doing.
    skip = set(taken) | left_alone(deployment.root, base_records, now, forked)
    comparison = _Comparison(checked.model, as_of)
    comparison.run([r for r in base_records if r.id not in skip],
                   [r for r in now if r.id not in skip], present)
    for old, new in taken.values():
        comparison.taken(deployment, base, old, new, base_records)
    problems = sorted(checked.validation.problems + comparison.problems,
                      key=lambda p: (p.path, p.line, p.code))
    checked.validation.problems = problems
    return DiffCheck(base=base, commit=commit, as_of=as_of, checked=checked,
                     problems=problems, changes=comparison.changes)


# --- reading the base revision ---------------------------------------------------------------


def resolve(root: Path, base: str) -> str:
    """The commit id `base` names, or BaseUnavailable with a message for editors."""
    if not base or base.startswith("-"):
        raise BaseUnavailable(f"基准版本“{base}”无效：请写分支名、标签或提交编号，例如 origin/main。")
    try:
        with open_repository(root) as repo:
            status, out, _ = repo.git.rev_parse("--verify", "--quiet", f"{base}^{{commit}}",
                                                with_extended_output=True, with_exceptions=False)
            if status == 0 and out.strip():
                return out.strip()
            shallow = repo.git.rev_parse("--is-shallow-repository",
                                         with_exceptions=False).strip() == "true"
    except NotARepository:
        raise BaseUnavailable(f"{root.resolve()} 不在 Git 仓库中，无法与基准版本比较。") from None
    hint = ("这是一个浅克隆（shallow clone），缺少较早的提交：在 CI 中请设置 fetch-depth: 0，"
            "或先运行 git fetch --unshallow。") if shallow else \
        "请检查拼写；合并请求的目标分支通常是 origin/main（可能需要先运行 git fetch）。"
    raise BaseUnavailable(f"找不到基准版本“{base}”。{hint}")


def read_base(root: Path, content_dir: Path,
              commit: str) -> tuple[list[Document], dict[str, str]]:
    """Every record file of content/ at `commit`, parsed, and {path: blob id} of them all: one
    `git ls-tree`, one `git cat-file --batch`. Files that cannot be parsed are left out (they
    had their say when that revision was checked)."""
    prefix = _relative(root, content_dir) + "/"
    listing = blobs_at(root, commit, [content_dir], files_only=True)
    wanted = {path: blob for path, blob in listing.items()        # path -> blob id
              if path.startswith(prefix) and is_record_path(path[len(prefix):])}
    blobs = read_blobs(root, sorted(set(wanted.values())))
    documents = []
    for path, blob in sorted(wanted.items()):
        doc, _ = parse_bytes(blobs[blob], path, path[len(prefix):].split("/", 1)[0])
        if doc is not None:
            documents.append(doc)
    return documents, wanted


def left_alone(root: Path, base: list[Record], now: list[Record],
               forked: dict[str, str] | None) -> set[str]:
    """IDs of the records the branch has not touched: its file is as it was where the branch
    left the base, or the base added the record since and the branch never had it. Checked
    on the branch itself (local runs, forges that test the branch, not the merge), the base
    is ahead of it, and without this every record merged since would look deleted or
    turned back by the branch. `forked`: {path: blob id} at the fork; None: unknown."""
    if forked is None:
        return set()
    same = {r.id for r in now if r.path in forked and _same_file(root, r.path, forked[r.path])}
    ids_now = {r.id for r in now}
    added = {r.id for r in base if r.path not in forked and r.id not in ids_now}
    return same | added


def taken_on_base(root: Path, base: list[Record], base_blobs: dict[str, str], now: list[Record],
                  forked: dict[str, str] | None,
                  present: set[str]) -> dict[str, tuple[Record, Record]]:
    """{ID: (base record, working-tree record)} for each record the branch adds whose ID the
    base has given another record since the branch left it.

    `forked` holds the record files where the branch left the base (None: unknown, nothing is
    reported). A record is the branch's own when its path was not there. Its ID is taken when
    a base record holds it, unless that is the same record: moved by the branch (its old path
    was there at the fork and is gone now), or added on both sides as the very same file.
    Whether the check runs on the branch itself or on the merge a forge prepares, the added
    file is the same, so the answer is too."""
    if forked is None:
        return {}
    base_by_id = _first_by_id(base)
    taken: dict[str, tuple[Record, Record]] = {}
    for new in now:
        old = base_by_id.get(new.id)
        if old is None or new.path in forked or new.id in taken:
            continue
        if old.path in forked and old.path not in present:
            continue                                        # moved here by the branch
        if old.path == new.path and _same_file(root, new.path, base_blobs.get(old.path)):
            continue                                        # the same file, added twice
        taken[new.id] = (old, new)
    return taken


def _same_file(root: Path, path: str, blob: str | None) -> bool:
    try:
        data = (root / path).read_bytes()
    except OSError:
        return False
    return blob is not None and blob_id(data, blob) == blob


def _relative(root: Path, file: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


# --- comparing -------------------------------------------------------------------------------


class _Comparison:
    """Matches base and working-tree records and applies the rules; collects problems and
    changes."""

    def __init__(self, model: Model, as_of: date):
        self.model, self.as_of = model, as_of
        self.problems: list[Problem] = []
        self.changes: list[Change] = []

    def run(self, base: list[Record], now: list[Record], present: set[str]) -> None:
        base_by_id = _first_by_id(base)
        now_by_id = _first_by_id(now)
        now_by_path = {r.path: r for r in now}
        matched: set[str] = set()
        for old in base_by_id.values():
            new = now_by_id.get(old.id)
            id_changed = False
            if new is None:
                at_path = now_by_path.get(old.path)
                if at_path is not None and at_path.id not in base_by_id:
                    new, id_changed = at_path, True
                elif at_path is None and old.path in present:
                    continue  # the file is still there but unusable: validation says why
            if new is None:
                self._deleted(old)
                continue
            matched.add(new.id)
            if id_changed:
                self.problems.append(problem("id-changed", new.path, new.line("id"), field="id",
                                             value=new.id, old=old.id))
            if old.type == new.type:
                self._rules(old, new, self.model.types[new.type])
            change = self._change(old, new, id_changed)
            if change is not None:
                self.changes.append(change)
        for new in now:
            if new.id not in matched and new.id not in base_by_id:
                matched.add(new.id)
                self.changes.append(self._summary(new, "added", is_public(new, self.as_of, self.model)))

    def taken(self, deployment: Deployment, base: str, old: Record, new: Record,
              base_records: list[Record]) -> None:
        """A new record whose ID the base gave `old` meanwhile: the problem, with the next ID
        free on the base and in every branch this repository knows, and the record as new."""
        rtype = self.model.types[new.type]
        year = id_year(rtype, new.id) or self.as_of.year
        try:
            free = next_id(deployment, rtype, year,
                           also=[r.id for r in base_records if r.type == new.type])
        except ScaffoldError:
            free = f"（{year} 年的编号已经用完，请维护人员放宽编号格式）"
        folder = new.path.rsplit("/", 1)[0]
        how = ("；两个文件同名，合并时会冲突（conflict）" if old.path == new.path
               else "；合并后两条记录会共用这个编号")
        self.problems.append(problem(
            "id-taken-on-base", new.path, new.line("id"), field="id", value=new.id, base=base,
            other=old.path, other_title=old.title, how=how, next_id=free,
            next_path=f"{folder}/{free}.md"))
        self.changes.append(self._summary(new, "added", is_public(new, self.as_of, self.model)))

    # --- the rules -----------------------------------------------------------------------------

    def _deleted(self, old: Record) -> None:
        public = is_public(old, self.as_of, self.model)
        if public:
            rtype = self.model.types[old.type]
            self.problems.append(problem("published-record-deleted", old.path, 1, value=old.id,
                                         type_label=rtype.label, title=old.title,
                                         withdrawn_status=_withdrawn_status(rtype)))
        self.changes.append(self._summary(old, "deleted", public))

    def _rules(self, old: Record, new: Record, rtype: RecordType) -> None:
        self._hidden(old, new, rtype)
        self._status(old, new, rtype)
        self._text(old, new, rtype)
        due = rtype.roles.due
        if due is not None and due.extensions:
            self._deadline(old, new, rtype, due)
        if self.model.freeze is not None and rtype.name == self.model.freeze.type:
            self._frozen(old, new, rtype)

    def _hidden(self, old: Record, new: Record, rtype: RecordType) -> None:
        if not is_public(old, self.as_of, self.model) or is_public(new, self.as_of, self.model):
            return
        if new.visibility != "public":
            name = "visibility"
            shown = rtype.fields[name].values.get(new.visibility, new.visibility) \
                if name in rtype.fields else new.visibility
            how = (f"公开范围改成了“{shown}”" if (name,) in new.lines
                   else f"“{rtype.label}”默认不公开")
            value = new.visibility
        else:
            name = rtype.roles.embargo
            value = new.get(name)
            how = f"公开日期推迟到了 {value.isoformat()}"
        line = new.line(name) if (name,) in new.lines else new.line("id")
        self.problems.append(problem("published-record-hidden", new.path, line, field=name,
                                     value=value, record=new.id, how=how,
                                     withdrawn_status=_withdrawn_status(rtype)))

    def _status(self, old: Record, new: Record, rtype: RecordType) -> None:
        lifecycle = rtype.lifecycle
        # What the editor typed moves along the lifecycle; a status derived from children
        # (derive_status) changes with them and is no editor's step.
        before, after = old.written_status, new.written_status
        if before == after or before not in lifecycle.statuses \
                or after not in lifecycle.statuses:
            return
        allowed = allowed_next(rtype, before)
        labels = {"old_label": lifecycle.label(before), "new_label": lifecycle.label(after)}
        if after not in allowed:
            shown = "、".join(f"{s}（{lifecycle.label(s)}）" for s in allowed) or "无（该状态不能再改）"
            self.problems.append(problem("illegal-status-change", new.path, new.line("status"),
                                         field="status", value=after, old=before,
                                         allowed=shown, **labels))
            return
        target = lifecycle.statuses[after]
        if not lifecycle.statuses[before].done or target.done or target.withdrawn:
            return
        field_name = rtype.roles.reopen_reason
        if field_name is None:
            return  # the type offers no place for a reason: its configuration decides
        spec = rtype.fields[field_name]
        reason, previous = new.get(field_name), old.get(field_name)
        if not reason:
            if any(isinstance(rule, RequireRule) and after in rule.when_status
                   and field_name in rule.fields for rule in rtype.rules):
                return  # the type's own rule requires it: validation reports it already
            detail = f"但没有写明原因（{field_name}）"
            line = (new.line(field_name) if (field_name,) in new.lines
                    else new.line("status"))
        elif reason == previous:
            detail = f"但“{field_name}”还是上一次重新打开时的原因，没有写明这一次的原因"
            line = new.line(field_name)
        else:
            return
        self.problems.append(problem("reopen-without-reason", new.path, line,
                                     field=field_name, value=reason, detail=detail,
                                     reason_field=field_name, reason_label=spec.label,
                                     **labels))

    def _text(self, old: Record, new: Record, rtype: RecordType) -> None:
        if rtype.roles.amends is None:     # checked at load: a reference to this same type
            return
        adopted = self._adopted(old, rtype)
        if adopted is None:
            return
        params = {"record": new.id, "adopted": adopted}
        if old.title != new.title and "title" in new.fields:
            self.problems.append(problem("resolution-text-changed", new.path, new.line("title"),
                                         field="title", value=new.title, part="标题", **params))
        if _public_text(old.body) != _public_text(new.body):
            self.problems.append(problem("resolution-text-changed", new.path,
                                         _first_difference(old, new), field=BODY,
                                         part=BODY, **params))

    def _adopted(self, old: Record, rtype: RecordType) -> str | None:
        """How the base record counts as adopted: its `adopted` role's date has come, or (for a
        type without one) its status has moved past the initial one. None if not adopted."""
        when = old.get(rtype.roles.adopted) if rtype.roles.adopted else None
        if isinstance(when, date):
            return when.isoformat() if when <= self.as_of else None
        if old.status and old.status != rtype.lifecycle.initial:
            return f"状态为“{rtype.lifecycle.label(old.status)}”"
        return None

    def _deadline(self, old: Record, new: Record, rtype: RecordType, due: DueRole) -> None:
        extensions_spec = rtype.fields[due.extensions]
        params = {"extensions": due.extensions, "extensions_label": extensions_spec.label}
        deadline = due.field
        if deadline is not None:
            before, after = old.get(deadline), new.get(deadline)
            readable = after is not None or (deadline,) not in new.lines
            if isinstance(before, date) and before != after and readable:
                label = rtype.fields[deadline].label
                shown = after.isoformat() if isinstance(after, date) else "空（删除了）"
                self.problems.append(problem(
                    "deadline-changed-silently", new.path,
                    new.line(deadline) if (deadline,) in new.lines else new.line("id"),
                    field=deadline, value=after,
                    detail=f"“{deadline}”（{label}）由 {before.isoformat()} 改成了 {shown}",
                    **params))
        entries_before = old.get(due.extensions) or []
        entries_after = new.get(due.extensions) or []
        subfields = extensions_spec.items.fields if extensions_spec.items is not None else {}
        for i, entry in enumerate(entries_before):
            if not isinstance(entry, dict):
                continue
            if i >= len(entries_after):
                line = (new.line(due.extensions) if (due.extensions,) in new.lines
                        else new.line(deadline) if deadline else new.line("id"))
                shown = entry.get(due.extension_due) if due.extension_due else None
                self.problems.append(problem(
                    "deadline-changed-silently", new.path, line, field=due.extensions,
                    detail=f"第 {i + 1} 次延期记录（新期限 {_plain(shown)}）被删除了", **params))
                continue
            current = entries_after[i] if isinstance(entries_after[i], dict) else {}
            for key, sub in subfields.items():
                was, now = entry.get(key), current.get(key)
                if was == now or (now is None and (due.extensions, i, key) in new.lines):
                    continue  # unchanged, or unreadable now (validation reports it)
                self.problems.append(problem(
                    "deadline-changed-silently", new.path, new.line(due.extensions, i, key),
                    field=f"{due.extensions}[{i}].{key}", value=now,
                    detail=f"第 {i + 1} 次延期记录的“{key}”（{sub.label}）由 {_plain(was)} "
                           f"改成了 {_plain(now)}", **params))

    def _frozen(self, old: Record, new: Record, rtype: RecordType) -> None:
        """A frozen period report keeps its figures: every change to a frozen field, or to
        one figure of its lists, is refused at the line that changed."""
        params = {"record": new.id, "period": _plain(old.get(PERIOD)),
                  "file": new.path, "withdrawn_status": _withdrawn_status(rtype)}
        for name in FROZEN_FIELDS:
            was, now = old.get(name), new.get(name)
            if was == now or (now is None and (name,) in new.lines):
                continue      # unchanged, or unreadable now (validation reports it)
            spec = rtype.fields[name]
            here = new.line(name) if (name,) in new.lines else new.line("id")
            if name not in FIGURE_LISTS:
                self.problems.append(problem(
                    "frozen-figure-changed", new.path, here, field=name, value=now,
                    detail=f"的“{spec.label}”（{name}）由 {_plain(was)} 改成了 {_plain(now)}",
                    **params))
                continue
            was, now = was or [], now or []
            subs = spec.items.fields if spec.items is not None else {}
            for i in range(max(len(was), len(now))):
                a = was[i] if i < len(was) and isinstance(was[i], dict) else None
                b = now[i] if i < len(now) and isinstance(now[i], dict) else None
                if a == b:
                    continue
                shown = a or b or {}
                what = f"“{shown.get(LABEL) or shown.get(FIGURE)}”（{shown.get(FIGURE)}）"
                if b is None:
                    detail, line, where = f"删除了定格数字{what}", here, f"{name}[{i}]"
                elif a is None:
                    detail, line, where = f"新增了定格数字{what}", new.line(name, i), f"{name}[{i}]"
                else:
                    key = next(k for k in list(subs) + sorted(set(a) | set(b)) if a.get(k) != b.get(k))
                    label = subs[key].label if key in subs else key
                    detail = (f"的定格数字{what}的“{label}”由 {_plain(a.get(key))} "
                              f"改成了 {_plain(b.get(key))}")
                    line, where = new.line(name, i, key), f"{name}[{i}].{key}"
                self.problems.append(problem("frozen-figure-changed", new.path, line, field=where,
                                             value=b.get(key) if a and b else None,
                                             detail=detail, **params))

    # --- the changes ---------------------------------------------------------------------------

    def _summary(self, record: Record, kind: str, public: bool) -> Change:
        rtype = self.model.types[record.type]
        return Change(kind=kind, id=record.id, type=record.type, type_label=rtype.label,
                      title=record.title, path=record.path,
                      status=rtype.lifecycle.label(record.status), public=public)

    def _change(self, old: Record, new: Record, id_changed: bool) -> Change | None:
        rtype = self.model.types[new.type]
        show = _Shower(self.model, rtype)
        fields: list[FieldChange] = []
        internal: list[str] = []
        if id_changed:
            fields.append(FieldChange("id", rtype.fields["id"].label, old.id, new.id))
        due = rtype.roles.due
        extensions = due.extensions if due is not None else None
        for name, spec in rtype.fields.items():
            if name == "id":
                continue
            was, now = old.get(name), new.get(name)
            if was == now:
                continue
            if spec.internal:
                internal.append(spec.label)
            elif name == extensions:
                fields.extend(self._extensions(old, new, rtype, due, show))
            else:
                fields.append(FieldChange(name, spec.label, show(was, spec), show(now, spec)))
        if old.type != new.type:
            fields.insert(0, FieldChange("type", "记录类型", self.model.types[old.type].label,
                                         rtype.label))
        if _public_text(old.body) != _public_text(new.body):
            fields.append(FieldChange(BODY, BODY, None, "有修改"))
        elif _whole_text(old.body) != _whole_text(new.body):
            internal.append("正文中的内部内容")
        if not fields and not internal:
            return None
        statuses = rtype.lifecycle.statuses
        withdrawn_now = new.status in statuses and statuses[new.status].withdrawn
        withdrawn_before = old.status in statuses and statuses[old.status].withdrawn
        kind = "withdrawn" if withdrawn_now and not withdrawn_before else "changed"
        seen = is_public(old, self.as_of, self.model) or is_public(new, self.as_of, self.model)
        change = self._summary(new, kind, seen and (bool(fields) or kind == "withdrawn"))
        change.fields, change.internal = fields, internal
        return change

    def _extensions(self, old: Record, new: Record, rtype: RecordType, due: DueRole,
                    show: "_Shower") -> list[FieldChange]:
        """New extension entries one by one, and the due date in force, before and after."""
        spec = rtype.fields[due.extensions]
        was, now = old.get(due.extensions) or [], new.get(due.extensions) or []
        if now[:len(was)] != was:
            return [FieldChange(due.extensions, spec.label, show(was, spec), show(now, spec))]
        out = []
        subfields = spec.items.fields if spec.items is not None else {}
        for i, entry in enumerate(now[len(was):], start=len(was) + 1):
            parts = [f"{sub.label} {show(entry.get(key), sub)}" for key, sub in subfields.items()
                     if entry.get(key) is not None]
            out.append(FieldChange(due.extensions, f"新增第 {i} 次{spec.label}", None,
                                   "，".join(parts)))
        before = due_in_force(old, self.model)
        after = due_in_force(new, self.model)
        if before != after:
            label = "现行" + (rtype.fields[due.field].label if due.field else "期限")
            out.append(FieldChange(due.field or due.extensions, label, _plain(before),
                                   _plain(after)))
        return out


def allowed_next(rtype: RecordType, status: str) -> list[str]:
    """The statuses `status` may move to: its lifecycle's transitions, plus withdrawal, which
    is always open (a published record is withdrawn, never deleted) until withdrawn."""
    statuses = rtype.lifecycle.statuses
    allowed = list(rtype.lifecycle.transitions.get(status, ()))
    if status in statuses and not statuses[status].withdrawn:
        allowed += [s for s, st in statuses.items() if st.withdrawn and s not in allowed]
    return allowed


class _Shower:
    """A field value as a reviewer reads it: status and enum labels, registry names, dates."""

    def __init__(self, model: Model, rtype: RecordType):
        self.model, self.rtype = model, rtype

    def __call__(self, value: Any, spec: FieldSpec | None) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        kind = spec.type if spec is not None else ""
        if kind in ("status", "enum", "boolean") or registry_kind(spec) is not None:
            return scalar_text(value, spec, self.model.registry, self.rtype.lifecycle)
        if kind == "list" and isinstance(value, list):
            separator = "；" if spec.items is not None and spec.items.type == "object" else "、"
            return separator.join(self(v, spec.items) for v in value)
        if kind == "object" and isinstance(value, dict):
            return "，".join(f"{sub.label} {self(value[key], sub)}"
                            for key, sub in spec.fields.items() if key in value)
        return _plain(value)


def _plain(value: Any, limit: int = 80) -> str:
    if value is None:
        return EMPTY
    text = value.isoformat() if isinstance(value, date) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _withdrawn_status(rtype: RecordType) -> str:
    name = next((n for n, s in rtype.lifecycle.statuses.items() if s.withdrawn), "withdrawn")
    return f"{rtype.lifecycle.label(name)}（{name}）"


def _public_text(body: str) -> str:
    """What the public reads of a body, ignoring trailing blanks and blank edges."""
    return "\n".join(line.rstrip() for line in strip_internal(body).split("\n")).strip("\n")


def _whole_text(body: str) -> str:
    return "\n".join(line.rstrip() for line in body.split("\n")).strip("\n")


def _first_difference(old: Record, new: Record) -> int:
    """The file line where the working tree's body first differs from the base's."""
    before, after = old.body.split("\n"), new.body.split("\n")
    index = next((i for i, (a, b) in enumerate(zip(before, after)) if a.rstrip() != b.rstrip()),
                 min(len(before), len(after)))
    return new.body_line + min(index, max(len(after) - 1, 0))


def _first_by_id(records: list[Record]) -> dict[str, Record]:
    by_id: dict[str, Record] = {}
    for record in records:
        by_id.setdefault(record.id, record)
    return by_id
