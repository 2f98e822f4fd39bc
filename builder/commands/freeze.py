"""`sunlight freeze --period 2024-Q3`: write a period's figures, as they were on its closing
date, into a new record of the freeze type (site_config/freeze.yml), for the editor to commit.

The records counted are those of the commit in force on the closing date (stages/freeze.py
says how it is found); with `backfill`, those of the latest commit, for periods that closed
before their records were entered. A period is frozen once: an existing report for it, even
a withdrawn one, is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..model.model import load_model
from ..model.records import Record
from ..pipeline import Deployment, check
from .scaffold import create_file
from ..stages import freeze as frozen
from ..stages.history import read_history
from ..stages.repository import HistoryError, is_clean


class FreezeError(Exception):
    """The period cannot be frozen; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class Frozen:
    path: Path
    record_id: str
    period: frozen.Period
    basis: str
    backfilled: bool
    figures: tuple[frozen.FrozenFigure, ...]
    previous: str | None
    notices: tuple[str, ...] = ()


def freeze(deployment: Deployment, period_id: str, as_of: date, backfill: bool = False) -> Frozen:
    model = load_model(deployment.config_dir)
    decl = model.freeze
    if decl is None:
        raise FreezeError("site_config/freeze.yml 不存在：先声明要定格的数字（in_period、to_date）"
                          "和保存它们的记录类型（type），见编辑指南“定格期间报告”一节。")
    period = decl.period(period_id)
    if period is None:
        sessions = "、".join(s.id for s in decl.sessions) or "（freeze.yml 中没有声明会议期间）"
        raise FreezeError(f"期间“{period_id}”无效：季度写 2024-Q3，年度写 2024，"
                          f"会议期间写 freeze.yml 中声明的编号：{sessions}。")
    if period.end >= as_of:
        raise FreezeError(f"{period.label}到 {period.end.isoformat()} 才结束：期间结束以后"
                          f"（{period.end.isoformat()} 之后）才能定格。")
    rtype = model.types[decl.type]
    record_id = decl.record_id(period)
    path = deployment.content_dir / rtype.folder / f"{record_id}.md"
    records = check(deployment).validation.records
    reports = [r for r in records if r.type == decl.type]
    existing = next((r for r in reports if r.get("period") == period.id or r.id == record_id), None)
    if existing is not None or path.exists():
        where = existing.path if existing is not None else path
        raise FreezeError(f"{period.label}已经定格（{where}）：定格的数字不再重算，也不覆盖。")
    try:
        history = read_history(deployment.root, deployment.content_dir)
    except HistoryError as exc:
        raise FreezeError(f"{exc}定格要读取 Git 历史，才能按期末那天的记录计算。") from None
    notices: list[str] = []
    if backfill:
        commit = history.commits[-1] if history.commits else None
        if not is_clean(deployment.root, [deployment.content_dir]):
            notices.append("content/ 中有未提交的修改：补录只按已提交的记录计算，未提交的修改不计入。")
    else:
        commit = frozen.basis(history, period.end, as_of)
    if commit is None:
        raise FreezeError(
            f"{period.end.isoformat()}（{period.label}期末）那天仓库中还没有任何记录的提交，"
            "无法按期末那天的记录计算。如果这一期的记录是后来补录的，请加 --backfill，"
            "按现在已提交的记录计算，报告会注明“补录”。")
    documents = frozen.snapshots(history, [commit.sha])[commit.sha]
    previous = _previous(reports, period, model)
    figures = frozen.compute(frozen.records_of(documents, model), model, period, previous)
    text = frozen.report_text(model, period, figures, commit.sha, backfill, as_of, previous)
    try:
        create_file(path, text)
    except FileExistsError:
        raise FreezeError(f"{path} 已经存在，没有覆盖它。") from None
    return Frozen(path, record_id, period, commit.sha, backfill, tuple(figures),
                  previous.id if previous is not None else None, tuple(notices))


def _previous(reports: list[Record], period: frozen.Period, model) -> Record | None:
    if period.previous is None:
        return None
    statuses = model.types[model.freeze.type].lifecycle.statuses
    return next((r for r in reports if r.get("period") == period.previous
                 and not (r.status in statuses and statuses[r.status].withdrawn)), None)
