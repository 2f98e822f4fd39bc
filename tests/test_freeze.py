"""Frozen period reports (`sunlight freeze`), on real Git histories and real builds.

A quarter is frozen from the commit in force on its closing date (a late entry committed after
it is not counted), with its change against the frozen quarter before; a later commit changes
a record of the quarter; the built page still shows the frozen figures, the build warns and
names the records, the internal site lists them, and `check --base` refuses an edit of the
frozen figures. Plus the refusals of the command and the configuration checks.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.model.model import load_model
from builder.pipeline import Deployment, check
from conftest import BASE_RECORDS, SITE_CONFIG, write_all
from gitrepo import GitProject, git

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
Q2, Q3 = "content/period-reports/DG-2024-Q2.md", "content/period-reports/DG-2024-Q3.md"


def rect(number: int, assigned: str, done: str | None = None) -> dict[str, str]:
    """A rectification of the base finding, assigned on `assigned`, completed on `done`."""
    rid = f"ZG-2024-{number:03d}"
    end = (f"status: completed\ncompleted: {done}\nresult: 已整改到位。\n" if done
           else "status: in_progress\n")
    text = (f"---\nid: {rid}\ntype: rectification\ntitle: 第{number}项整改\n{end}"
            f"finding: WT-2023-001\nresponsible_unit: ly-lyj\nassigned: {assigned}\n"
            f"deadline: 2024-12-31\n---\n整改情况。\n")
    return {f"content/rectifications/{rid}.md": text}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def figure(text: str, sid: str) -> dict[str, str]:
    """The sub-fields of one frozen figure in a report's file, as written."""
    block = re.search(rf"  - figure: \"{sid}\"\n((?:    .*\n)+)", text).group(1)
    return {k: v.strip('"') for k, v in re.findall(r"    (\w+): (.*)", block)}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    """Q2 frozen; Q3's records, one entered late; Q3 frozen; then a Q3 record completed."""
    repo = GitProject(tmp_path_factory.mktemp("freeze") / "project")
    root = str(repo.root)
    repo.commit("2024-06-10T10:00:00+08:00", "第二季度", {**BASE_RECORDS, **rect(1, "2024-05-10",
                                                                            "2024-06-01")})
    frozen_q2 = run("freeze", "--period", "2024-Q2", "--as-of", "2024-07-02", "--root", root)
    repo.commit("2024-07-02T10:00:00+08:00", "定格第二季度", {})
    in_force = repo.commit("2024-09-20T10:00:00+08:00", "第三季度",
                           {**rect(2, "2024-07-15", "2024-09-01"), **rect(3, "2024-08-01")})
    late = repo.commit("2024-10-02T10:00:00+08:00", "补录", rect(4, "2024-09-25"))
    frozen_q3 = run("freeze", "--period", "2024-Q3", "--as-of", "2024-10-05", "--root", root)
    q3_text = (repo.root / Q3).read_text(encoding="utf-8")
    repo.commit("2024-10-05T10:00:00+08:00", "定格第三季度", {})
    repo.commit("2024-10-10T10:00:00+08:00", "完成整改", rect(3, "2024-08-01", "2024-10-08"))
    return {"repo": repo, "root": root, "q2": frozen_q2, "q3": frozen_q3, "q3_text": q3_text,
            "in_force": in_force, "late": late}


def test_freeze_counts_the_commit_in_force_on_the_closing_date(history):
    assert history["q2"].exit_code == 0, history["q2"].output
    assert history["q3"].exit_code == 0, history["q3"].output
    assert history["q3"].output.splitlines()[0].endswith(Q3)
    text = history["q3_text"]
    # The commit of 2024-09-20 was in force on 2024-09-30; ZG-2024-004 came on 2024-10-02.
    assert f'basis: "{history["in_force"]}"' in text and "backfilled" not in text
    assert "period: \"2024-Q3\"" in text and "closes: 2024-09-30" in text
    assert "previous: DG-2024-Q2" in text
    total = figure(text, "ledger_total")
    assert (total["value"], total["text"], total["change"]) == ("2", "2 项", "+1")
    rate = figure(text, "ledger_completion_rate")
    assert (rate["numerator"], rate["denominator"], rate["text"]) == ("1", "2", "50.0%")
    assert rate["change"] == "-50.0 个百分点"          # Q2: 1 of 1
    # The frozen report is a valid record of the working tree.
    assert check(Deployment(history["repo"].root)).validation.valid


def test_build_shows_the_frozen_figures_and_names_the_changed_records(history, tmp_path):
    root = history["root"]
    out = tmp_path / "site"
    result = run("build", "--root", root, "--out", str(out), "--as-of", "2024-10-12",
                 "--first-publication")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "定格数字与重算不一致" in line]
    total = next(w for w in warnings if "“整改事项”" in w)
    assert "定格为 2 项，按现在的记录重算为 3 项" in total
    assert "ZG-2024-003" in total and "ZG-2024-004" in total and "ZG-2024-002" not in total
    completed = next(w for w in warnings if "“已完成”" in w)
    assert "定格为 1 项，按现在的记录重算为 2 项" in completed and "ZG-2024-003" in completed
    page = (out / "period_report" / "DG-2024-Q3" / "index.html").read_text(encoding="utf-8")
    # Cells after the first carry their column's label (data-label: a card on a phone).
    assert re.search(r"<td>ledger_total</td>\s*<td[^>]*>整改事项</td>\s*<td[^>]*>2 项</td>"
                     r"\s*<td[^>]*>\+1</td>", page), "the frozen page must show the figure as frozen"
    assert re.search(r"<td>ledger_completed</td>\s*<td[^>]*>已完成</td>\s*<td[^>]*>1 项</td>", page)
    listing = (out / "period_report" / "index.html").read_text(encoding="utf-8")
    assert "DG-2024-Q2" in listing and "DG-2024-Q3" in listing
    # The live statistics page counts today's records: the frozen page is the only 2.
    assert not (out / "frozen-check").exists()


def test_internal_site_lists_the_differences(history, tmp_path):
    out = tmp_path / "internal"
    result = run("build", "--root", history["root"], "--out", str(out), "--as-of", "2024-10-12",
                 "--audience", "internal")
    assert result.exit_code == 0, result.output
    page = (out / "frozen-check" / "index.html").read_text(encoding="utf-8")
    assert "DG-2024-Q3" in page and "ZG-2024-003" in page and "ZG-2024-004" in page
    assert re.search(r"<td[^>]*>整改事项（ledger_total）</td>\s*<td[^>]*>2 项</td>\s*<td[^>]*>3 项</td>", page)


def test_check_base_refuses_an_edit_of_the_frozen_figures(history):
    repo, root = history["repo"], history["root"]
    path = repo.root / Q3
    kept = path.read_text(encoding="utf-8")
    try:
        path.write_text(kept.replace("    text: \"2 项\"\n", "    text: \"3 项\"\n", 1)
                        .replace("    value: 2\n", "    value: 3\n", 1), encoding="utf-8")
        result = run("check", "--base", "main", "--root", root, "--as-of", "2024-10-12")
        assert result.exit_code == 1, result.output
        line = next(l for l in result.output.splitlines() if " frozen-figure-changed " in l)
        assert line.startswith(f"{Q3}:") and "“整改事项”（ledger_total）" in line
        assert "由 2 项 改成了 3 项" in line
        # Withdrawing the report is not an edit of its figures.
        path.write_text(kept.replace("status: frozen", "status: withdrawn\nwithdrawn: 2024-10-12\n"
                                     "withdrawal_reason: 期末统计口径有误。"), encoding="utf-8")
        result = run("check", "--base", "main", "--root", root, "--as-of", "2024-10-12")
        assert result.exit_code == 0, result.output
    finally:
        path.write_text(kept, encoding="utf-8")


def test_freeze_refuses_an_open_period_a_second_freeze_and_a_missing_commit(history, tmp_path):
    root = history["root"]
    result = run("freeze", "--period", "2024-Q4", "--as-of", "2024-12-31", "--root", root)
    assert result.exit_code == 2 and "期间结束以后" in result.output
    result = run("freeze", "--period", "2024-Q3", "--as-of", "2024-12-31", "--root", root)
    assert result.exit_code == 2 and "已经定格" in result.output
    result = run("freeze", "--period", "2024-13", "--as-of", "2024-12-31", "--root", root)
    assert result.exit_code == 2 and "无效" in result.output and "DJK-9" in result.output
    # The history starts in June 2024: nothing was in force at the end of 2024-Q1.
    result = run("freeze", "--period", "2024-Q1", "--as-of", "2024-12-31", "--root", root)
    assert result.exit_code == 2 and "--backfill" in result.output
    assert not (history["repo"].root / "content/period-reports/DG-2024-Q1.md").exists()


def test_backfill_counts_the_latest_commit_and_says_so(tmp_path):
    repo = GitProject(tmp_path / "project")
    repo.commit("2025-03-01T10:00:00+08:00", "补录去年的记录",
                {**BASE_RECORDS, **rect(1, "2024-02-10", "2024-03-01"), **rect(2, "2024-11-02")})
    result = run("freeze", "--period", "2024", "--as-of", "2025-03-02", "--backfill",
                 "--root", str(repo.root))
    assert result.exit_code == 0, result.output
    text = (repo.root / "content/period-reports/DG-2024.md").read_text(encoding="utf-8")
    assert "backfilled: true" in text and "补录" in text
    assert figure(text, "ledger_total")["value"] == "2"
    assert "change" not in figure(text, "ledger_total")           # no 2023 report
    assert figure(text, "ledger_overdue")["value"] == "0"         # due 2024-12-31, as of then


def test_sessions_and_periods():
    decl = load_model(SITE_CONFIG).freeze
    q1 = decl.period("2025-Q1")
    assert (q1.label, q1.start.isoformat(), q1.end.isoformat(), q1.previous) == \
        ("2025年第一季度", "2025-01-01", "2025-03-31", "2024-Q4")
    session = decl.period(decl.sessions[1].id)
    assert session.previous == decl.sessions[0].id and session.label == decl.sessions[1].label
    assert decl.period(decl.sessions[0].id).previous is None
    assert decl.record_id(q1) == "DG-2025-Q1"


@pytest.mark.parametrize("change, message", [
    ("in_period:\n  - ledger_total\n", "in_period:\n  - ledger_gone\n"),
    ("  - ledger_total\n", "  - ledger_total\n  - ledger_total\n"),
])
def test_freeze_config_errors_name_file_and_line(tmp_path, change, message):
    root = tmp_path / "project"
    shutil.copytree(SITE_CONFIG, root / "site_config")
    (root / "content").mkdir()
    path = root / "site_config" / "freeze.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(change, message, 1), encoding="utf-8")
    result = run("validate", "--root", str(root))
    assert result.exit_code == 2
    assert re.search(r"site_config/freeze\.yml:\d+: ", result.output), result.output


def test_session_declarations_are_checked(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(SITE_CONFIG, root / "site_config")
    (root / "content").mkdir()
    path = root / "site_config" / "freeze.yml"
    path.write_text(path.read_text(encoding="utf-8") +
                    "  - {id: 2024-Q1, label: 错误, from: 2022-01-01, to: 2021-01-01}\n",
                    encoding="utf-8")
    result = run("validate", "--root", str(root))
    assert result.exit_code == 2 and "会议编号“2024-Q1”无效" in result.output


def test_frozen_page_survives_without_history(history, tmp_path):
    """Without Git history the figures are still rechecked; the records cannot be named."""
    result = run("build", "--root", history["root"], "--out", str(tmp_path / "site"),
                 "--as-of", "2024-10-12", "--first-publication", "--no-history")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "定格数字与重算不一致" in line]
    assert warnings and all("ZG-2024-003" not in w and "未能读取依据的提交" in w
                            for w in warnings), warnings


def test_config_without_freeze_declaration(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(SITE_CONFIG, root / "site_config")
    (root / "site_config" / "freeze.yml").unlink()
    (root / "content").mkdir()
    write_all(root, BASE_RECORDS)
    git(root, "init", "-q")
    result = run("freeze", "--period", "2024", "--root", str(root), "--as-of", "2025-02-01")
    assert result.exit_code == 2 and "freeze.yml 不存在" in result.output
