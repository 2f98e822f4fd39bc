"""Declared meeting rhythms (condition `rhythm:` in site_config/dashboards.yml): a calendar
period in which no meeting was held is owed, whether or not anyone entered a planned meeting.

The small project is built for real (internal audience) as of 2024-08-15, inside the third
quarter: the default declaration wants a 派驻监督情况分析会 and a 问题线索研判处置会 from
临沂市纪委监委 every quarter since 2024-01-01.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.model import ConfigError, load_model
from builder.pipeline import Deployment, build, check
from builder.stages.dashboards import compute
from builder.stages.projection import Audience
from conftest import BASE_RECORDS, REPO, record, write_all

AS_OF = date(2024, 8, 15)
BOARD = "rhythm-dispatch-meetings"


def meeting(n: int, kind: str, held: str | None, day: str) -> tuple[str, str]:
    """A 临沂 meeting: held on `held`, or still planned for `day` when `held` is None."""
    rid = f"HY-2024-{n:03d}"
    status = f"status: held\n    held_on: {held}" if held else "status: planned"
    return f"content/meetings/{rid}.md", record(f"""
    id: {rid}
    type: meeting
    title: 会议 {rid}
    {status}
    kind: {kind}
    date: {held or day}
    convener: lyi-jw
    bodies: [lyi-jw]
    """, "按季度召开。\n")


MEETINGS = dict([
    meeting(1, "quarterly_analysis", "2024-03-12", ""),
    meeting(2, "quarterly_analysis", None, "2024-06-20"),   # planned only: not held in Q2
    meeting(3, "quarterly_analysis", "2024-07-09", ""),     # the running quarter
    meeting(4, "lead_disposal", "2024-02-02", ""),
    meeting(5, "lead_disposal", "2024-05-30", ""),
])


def owed_rows(root: Path, files: dict[str, str | None]) -> list[list[str]]:
    """The rows of the rhythm board on the internal site built from the base records + files."""
    write_all(root, {**BASE_RECORDS, **files})
    out = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    soup = BeautifulSoup((out / "dashboards/index.html").read_text("utf-8"), "html.parser")
    section = soup.select_one(f"section#{BOARD}")
    assert section is not None
    return [[td.get_text(strip=True) for td in tr.select("td")]
            for tr in section.select("tbody tr")]


def test_a_missing_quarter_is_owed_not_a_met_or_running_one(project: Path) -> None:
    rows = owed_rows(project, MEETINGS)
    assert rows == [["派驻监督情况分析会", "2024年第二季度", "2024-03-12", "156 日"]]
    # Without its first-quarter meeting, that quarter is owed too, and nothing was held before.
    rows = owed_rows(project, {"content/meetings/HY-2024-001.md": None})
    assert ["派驻监督情况分析会", "2024年第一季度", "从未召开", "—"] in rows
    assert ["派驻监督情况分析会", "2024年第二季度", "从未召开", "—"] in rows
    assert not any("第三季度" in cell for row in rows for cell in row)
    assert not any(row[0] == "问题线索研判处置会" for row in rows)


def test_the_quarter_becomes_owed_once_it_has_ended(project: Path) -> None:
    write_all(project, {**BASE_RECORDS, **{k: v for k, v in MEETINGS.items()
                                           if "HY-2024-003" not in k}})
    checked = check(Deployment(project))
    assert checked.validation.valid
    for as_of, owed in ((date(2024, 9, 30), False), (date(2024, 10, 1), True)):
        board = compute(checked.validation.records, checked.model, as_of, []).board(BOARD)
        periods = [str(r.cell(board, "period")) for r in board.rows]
        assert ("2024年第三季度" in periods) is owed, (as_of, periods)


def test_demo_rhythms() -> None:
    checked = check(Deployment(REPO))
    d = compute(checked.validation.records, checked.model, date(2026, 11, 21), [])

    def periods(board_id: str, group: str = "") -> list[str]:
        board = d.board(board_id)
        return [str(r.cell(board, "period")) for r in board.rows
                if not group or str(r.cell(board, "group")) == group]

    analysis = periods(BOARD, "派驻监督情况分析会")
    assert "2024年第二季度" in analysis            # held on 2024-07-09, a quarter late
    assert "2024年第一季度" not in analysis and "2024年第三季度" not in analysis
    disposal = periods(BOARD, "问题线索研判处置会")
    assert "2024年第四季度" in disposal            # entered as planned, never held
    assert "2024年第三季度" not in disposal and "2026年第四季度" not in disposal
    joint = periods("rhythm-joint-analyses")
    assert "2023年上半年" in joint and "2023年下半年" not in joint
    meetings = periods("rhythm-joint-meetings")
    assert "2023年" not in meetings and "2024年" in meetings and "2026年" not in meetings


RHYTHM = "rhythm: {every: quarter, date: held_on, since: 2024-01-01, group_by: kind}"


@pytest.mark.parametrize("new, message", [
    ("rhythm: {every: month, date: held_on, since: 2024-01-01}", "every 应为"),
    ("rhythm: {every: quarter, date: convener, since: 2024-01-01}", "这里需要 date"),
    ("rhythm: {every: quarter, date: held_on, since: 2024-13-01}", "since 应为起算日期"),
    ("rhythm: {every: quarter, date: held_on, since: 2024-01-01, group_by: colour}",
     "没有字段“colour”"),
    ("rhythm: {every: quarter, date: held_on, since: 2024-01-01, each: kind}",
     "未知的配置项“each”"),
])
def test_a_malformed_rhythm_is_a_config_error_at_file_and_line(project: Path, new: str,
                                                               message: str) -> None:
    path = project / "site_config" / "dashboards.yml"
    text = path.read_text(encoding="utf-8")
    assert RHYTHM in text
    path.write_text(text.replace(RHYTHM, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_model(project / "site_config")
    hit = [m for m in error.value.messages if message in m]
    assert hit, error.value.messages
    assert all(re.search(r"dashboards\.yml:\d+: ", m) for m in hit)


def test_a_rhythm_board_shows_no_record_fields(project: Path) -> None:
    path = project / "site_config" / "dashboards.yml"
    text = path.read_text(encoding="utf-8")
    old = "      - {show: group, label: 会议类别}\n"
    assert old in text
    path.write_text(text.replace(old, "      - {field: kind, label: 会议类别}\n", 1),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_model(project / "site_config")
    assert any("列只能写 show" in m and re.search(r"dashboards\.yml:\d+: ", m)
               for m in error.value.messages), error.value.messages
