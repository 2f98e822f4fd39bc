"""site_config/statistics.yml: every mistake reported at load with file and line, in Chinese;
the less common measures and groupings computed by hand; statistics.json in the built site.

The records are those of tests/test_stats.py (numbers worked out in its docstring).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, build, figures
from builder.stages.statistics import Change, Ratio
from conftest import edit, write_all
from test_stats import AS_OF, FILES

STATS = "site_config/statistics.yml"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)


def declare(root: Path, text: str, replace: bool = False) -> None:
    """Add figures/tables to the project's statistics.yml (or replace it)."""
    path = root / STATS
    if replace:
        path.write_text(text, encoding="utf-8")
    else:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(root: Path, needle: str) -> int:
    lines = (root / STATS).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.fixture
def stats_project(project):
    write_all(project, FILES)
    return project


# --- checked at load --------------------------------------------------------------------------

# (what is written, the line to find it on, a piece of the Chinese message)
BROKEN = [
    ("population: {type: rectification}", "population: {type: rectificaton}", "记录类型“rectificaton”未定义"),
    ("where: {deadline_extensions: filled}", "where: {deadline_extension: filled}", "没有字段“deadline_extension”"),
    ("where: {kind: review_opinion}}", "where: {kind: review_opnion}}", "不是字段“kind”的可选值"),
    ("where: {status: done}}", "where: {status: finished}}", "状态“finished”不是监督事项的状态"),
    ("measure: count", "measure: tally", "统计方法“tally”无效"),
    ("measure: {ratio: [ledger_completed, ledger_total]}",
     "measure: {ratio: [ledger_completed, ledger_satisfaction]}", "“ledger_satisfaction”不是计数"),
    ("measure: {ratio: [ledger_on_time, ledger_completed]}",
     "measure: {ratio: [ledger_on_time, ledger_done]}", "统计“ledger_done”未定义"),
    ("definition: 已完成 ÷ 整改事项。", "definition: ''", "缺少 definition"),
    ("group_by: [unit]", "group_by: [unt]", "不能按“unt”分组"),
    ("- {figure: ledger_completed, legend: 已完成}\n      rest: 未完成\n  - id: by-year",
     "- {figure: ledger_on_time, legend: 已完成}\n      rest: 未完成\n  - id: by-year",
     "“ledger_on_time”不在 columns 中"),
    ("figures: [ledger_total,", "figures: [ledger_totl,", "统计“ledger_totl”未定义"),
    ("    total: true\n", "    total: yes\n", "total 只能是 true 或 false"),
    ("work_ended: {passed: \"30 日\"}", "work_ended: {passed: \"30 天半\"}", "写法不对"),
]


@pytest.mark.parametrize("old, new, message", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_declaration_is_reported_at_file_and_line(project, old, new, message):
    path = project / STATS
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = line_of(project, new.splitlines()[0].strip())
    for command in ("validate", "stats"):
        result = run(project, command)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and "内部错误" not in result.output
        found = [l for l in result.stderr.splitlines() if "statistics.yml:" in l]
        assert found, result.stderr
        assert any(f"statistics.yml:{line}: " in l and message in l for l in found), found


def insert_figure(root: Path, text: str) -> None:
    path = root / STATS
    path.write_text(path.read_text(encoding="utf-8").replace("statistics:\n", "statistics:\n" + text, 1),
                    encoding="utf-8")


def test_a_due_measure_needs_a_due_role(project):
    insert_figure(project, "  plans_on_time: {label: 按期, definition: 测试。, "
                           "population: {type: plan}, measure: on_time}\n")
    result = run(project, "stats")
    assert result.exit_code == 2
    assert f"statistics.yml:{line_of(project, 'plans_on_time')}: on_time 要和期限比较，" \
           f"但监督计划没有声明期限角色（roles.due）" in result.stderr


def test_grouping_by_a_role_the_type_lacks_is_refused(project):
    path = project / STATS
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    group_by: [unit]\n", "    group_by: [role:verified]\n", 1), encoding="utf-8")
    result = run(project, "stats")
    assert result.exit_code == 2
    assert "不能按“role:verified”分组：该类型没有声明 verified 角色" in result.stderr
    assert re.search(r"statistics\.yml:\d+: ", result.stderr)


def test_no_statistics_file_means_no_figures(valid_project):
    (valid_project / STATS).unlink()
    # freeze.yml names figures of statistics.yml: without them it is a configuration error.
    (valid_project / "site_config" / "freeze.yml").unlink()
    result = run(valid_project, "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["statistics"] == {}


def test_freeze_declaration_without_its_statistics_is_a_config_error(valid_project):
    (valid_project / STATS).unlink()
    result = run(valid_project, "stats")
    assert result.exit_code == 2 and "freeze.yml" in result.output and "未在 statistics.yml 中定义" \
        in result.output


# --- a date made optional by a deployment ------------------------------------------------------


def test_a_date_made_optional_never_crashes_a_figure(stats_project):
    """The issue's case: `adopted` made optional in resolution.yml, a feedback sheet without
    it. Its due date cannot be computed, so it is neither answered in time nor overdue."""
    config = stats_project / "site_config" / "types" / "resolution.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("""  adopted:
    type: date
    required: true""", """  adopted:
    type: date"""), encoding="utf-8")
    sheet = stats_project / "content" / "resolutions" / "YJ-2024-003.md"
    sheet.write_text(edit(sheet.read_text(encoding="utf-8"), "adopted: 2026-11-01\n", ""),
                     encoding="utf-8")
    assert run(stats_project, "validate").exit_code in (0, 1)
    result = run(stats_project, "stats", "--format", "json", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.output
    figures_ = json.loads(result.stdout)["statistics"]
    assert figures_["sheets_total"]["value"] == 4
    assert figures_["sheets_answered_within"]["value"] == 1
    assert figures_["sheets_late"]["value"] == 1


# --- measures and groupings ---------------------------------------------------------------------


EXTRA = """
  t_count: {label: 整改, definition: 整改事项数。, unit: 项, population: {type: rectification}, measure: count}
  t_done: {label: 完成, definition: 已完成。, unit: 项, population: {type: rectification, where: {status: done}}, measure: count}
  t_rate: {label: 完成率, definition: 完成 ÷ 整改。, measure: {ratio: [t_done, t_count]}}
  t_rate_change: {label: 比上年, definition: 完成率与上一年度相比。, measure: {change: t_rate}}
  t_count_change: {label: 增减, definition: 整改数与上一年度相比。, measure: {change: t_count}}
  t_any: {label: 已办结或已交办, definition: 测试 any。, population: {type: resolution, where: {any: [{status: done}, {status: issued}]}}, measure: count}
tables_extra_marker: true
"""


def add_figures(root: Path, figures_text: str, tables_text: str) -> None:
    path = root / STATS
    text = path.read_text(encoding="utf-8")
    text = text.replace("\ntables:\n", figures_text.replace("tables_extra_marker: true\n", "")
                        + "\ntables:\n" + tables_text, 1)
    path.write_text(text, encoding="utf-8")


def test_change_against_the_previous_year(stats_project):
    add_figures(stats_project, EXTRA.replace("  t_any:", "  #"), """
  - id: t-years
    title: 按年度比较
    group_by: [year]
    columns: [t_count, t_rate, t_rate_change, t_count_change]
""")
    checked, result = figures(Deployment(stats_project), AS_OF)
    rows = result.table("t-years").rows
    # 2023: 6 items, 4 done (66.7 %); 2024: 1 item, 1 done (100.0 %).
    assert [(r.parts[0].value, r.values["t_count"], str(r.values["t_rate"])) for r in rows] == [
        (2023, 6, "66.7%"), (2024, 1, "100.0%")]
    assert rows[0].values["t_rate_change"] is None
    assert rows[1].values["t_rate_change"] == Change(Decimal("33.3"), points=True)
    assert str(rows[1].values["t_rate_change"]) == "+33.3 个百分点"
    assert str(rows[1].values["t_count_change"]) == "-5"
    assert result.values["t_rate_change"] is None      # no previous group overall


def test_groupings_by_quarter_parent_role_and_field(stats_project):
    add_figures(stats_project, EXTRA, """
  - id: t-quarter
    title: 按季度
    group_by: [{period: quarter}]
    columns: [t_count]
  - id: t-plan
    title: 按计划
    group_by: [parent:plan]
    columns: [t_count]
  - id: t-recipient
    title: 按接收机关
    group_by: [role:responsible_unit, satisfaction]
    columns: [t_count]
  - id: t-any
    title: any
    group_by: [body]
    columns: [t_any]
""")
    checked, result = figures(Deployment(stats_project), AS_OF)
    quarters = [(r.label, r.values["t_count"]) for r in result.table("t-quarter").rows]
    assert quarters == [("2023年第2季度", 6), ("2024年第1季度", 1)]
    # Rectifications reach the plan through finding → item → plan; WT-2024-001 comes from
    # SX-2023-004 too, so all seven are under JH-2023-01.
    assert [(r.parts[0].value, r.values["t_count"]) for r in result.table("t-plan").rows] == [
        ("JH-2023-01", 7)]
    assert result.table("t-plan").rows[0].parts[0].link == ("plan", "JH-2023-01")
    by_unit = {(r.parts[0].value, r.parts[1].value): r.values["t_count"]
               for r in result.table("t-recipient").rows}
    assert by_unit == {("ly-lyj", "satisfied"): 1, ("ly-lyj", "basically_satisfied"): 1,
                       ("ly-lyj", "unsatisfied"): 1, ("ly-lyj", None): 3, ("lz-fgw", None): 1}
    labels = [r.label for r in result.table("t-recipient").rows]
    assert "洛阳市林业局 基本满意" in labels and "洛阳市林业局 （未填）" in labels
    # closed or issued resolutions: ly-rd 2 closed, dt-zx 2 closed + 2 issued, lz-rd none.
    assert {r.parts[0].value: r.values["t_any"] for r in result.table("t-any").rows} == {
        "dt-zx": 4, "ly-rd": 2}


def test_sum_of_an_integer_field(project):
    config = project / "site_config" / "types" / "plan.yml"
    write_all(project, {
        "content/plans/JH-2023-01.md": FILES["content/plans/JH-2023-01.md"],
        "content/plans/JH-2024-01.md": FILES["content/plans/JH-2024-01.md"]})
    add_figures(project, """
  t_years: {label: 年度和, definition: 计划年度之和（只为测试 sum）。, population: {type: plan}, measure: {sum: year}}
""", "")
    assert config.is_file()
    checked, result = figures(Deployment(project), AS_OF)
    assert result.values["t_years"] == 2023 + 2024


def test_share_counts_the_part_meeting_its_condition(stats_project):
    values = figures(Deployment(stats_project), AS_OF)[1].values
    assert values["ledger_satisfaction"] == Ratio(2, 3)


# --- on the site and in open data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    from conftest import make_project
    root = make_project(tmp_path_factory.mktemp("stats") / "project")
    write_all(root, FILES)
    out = root / "site"
    build(Deployment(root), out, AS_OF, history=False)
    return out


def test_statistics_json_in_open_data(built_site):
    data = json.loads((built_site / "data" / "statistics.json").read_text(encoding="utf-8"))
    assert data["generated_from"] == "public projection"
    assert data["as_of"] == "2026-11-21"
    ledger = data["statistics"]["ledger_completion_rate"]
    assert ledger["label"] == "完成率" and ledger["definition"] == "已完成 ÷ 整改事项。"
    assert ledger["value"] == {"numerator": 5, "denominator": 7, "percent": 71.4}
    # Internal-only figures and tables are not in the public file.
    assert "usage_shared" not in data["statistics"]
    assert "usage-feedback" not in data["tables"]
    package = json.loads((built_site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert "statistics.json" in {r["path"] for r in package["resources"]}


def test_statistics_page_shows_definitions_next_to_figures(built_site):
    from bs4 import BeautifulSoup
    soup = BeautifulSoup((built_site / "stats" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    ledger = soup.select_one("table[data-statistics=ledger]")
    headers = [th.get_text() for th in ledger.select("th")]
    assert headers == ["监督机关", "年度", "整改事项", "已完成", "完成率", "按期完成率", "逾期",
                       "延期", "满意度"]
    definitions = ledger.find_next_sibling("dl")
    assert "已完成 ÷ 整改事项。" in definitions.get_text()
    assert soup.select_one("table[data-statistics=usage-feedback]") is None
    home = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    captions = [c.get_text() for c in home.select(".sl-figure .sl-caption")]
    assert captions == ["整改事项", "已完成", "完成率", "逾期"]
    assert home.select(".sl-figure")[2]["title"] == "已完成 ÷ 整改事项。"


def test_changing_a_declaration_changes_the_site_without_code(tmp_path):
    """A figure added in statistics.yml only appears on the home page and the stats page."""
    from conftest import make_project
    root = make_project(tmp_path / "project")
    write_all(root, FILES)
    add_figures(root, """
  ledger_unsatisfied:
    label: 不满意
    unit: 项
    definition: 满意度测评为“不满意”的整改事项数。
    population: {type: rectification, where: {satisfaction: unsatisfied}}
    measure: count
""", "")
    path = root / STATS
    path.write_text(path.read_text(encoding="utf-8").replace(
        "figures: [ledger_total, ledger_completed, ledger_completion_rate, ledger_overdue]",
        "figures: [ledger_total, ledger_unsatisfied]"), encoding="utf-8")
    result = run(root, "stats", "--as-of", "2026-11-21")
    assert "不满意（ledger_unsatisfied）：满意度测评为“不满意”的整改事项数。" in result.output
    out = tmp_path / "site"
    build(Deployment(root), out, AS_OF, history=False)
    from bs4 import BeautifulSoup
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [f.get_text(" ", strip=True) for f in home.select(".sl-figure")] == ["7 整改事项",
                                                                                 "1 不满意"]


# --- records that carry counts: sum of an object's sub-field, in_time ------------------------------


def test_sum_of_an_object_sub_field_and_in_time(project):
    """A record standing for several counted things (the 表决结果 of a resolution) is summed
    through a dotted sub-field; `in_time` keeps only records answered by their due date."""
    def opinion(rid: str, votes: int, responded: str) -> str:
        return (f"---\nid: {rid}\ntype: resolution\ntitle: 审议意见 {rid}\nstatus: closed\n"
                f"kind: review_opinion\nbody: ly-rd\nadopted: 2023-06-01\n"
                f"response_due: 2023-09-01\nresponded: {responded}\n"
                f"votes:\n  for: {votes}\n  against: 0\n  abstain: 1\n---\n正文。\n")
    write_all(project, {
        "content/resolutions/YJ-2023-001.md": opinion("YJ-2023-001", 30, "2023-08-20"),
        "content/resolutions/YJ-2023-002.md": opinion("YJ-2023-002", 25, "2023-09-15")})
    add_figures(project, """
  t_for: {label: 赞成票, definition: 赞成票之和。, population: {type: resolution}, measure: {sum: votes.for}}
  t_for_in_time: {label: 按期, definition: 按期办结的审议意见的赞成票之和。, population: {type: resolution, where: {in_time: true}}, measure: {sum: votes.for}}
  t_late: {label: 超期, definition: 超期办结的审议意见数。, population: {type: resolution, where: {in_time: false}}, measure: count}
  t_for_rate: {label: 按期占比, definition: 按期 ÷ 赞成票。, measure: {ratio: [t_for_in_time, t_for]}}
""", "")
    values = figures(Deployment(project), AS_OF)[1].values
    assert values["t_for"] == 55 and values["t_for_in_time"] == 30 and values["t_late"] == 1
    assert values["t_for_rate"] == Ratio(30, 55)


@pytest.mark.parametrize("text, message", [
    ("{sum: votes.maybe}", "sum 需要决议决定与审议意见的一个整数字段，“votes.maybe”不是"),
    ("{sum: title.x}", "“title.x”不是"),
])
def test_sum_of_a_sub_field_is_checked_at_load(project, text, message):
    add_figures(project, f"""
  t_bad: {{label: 坏, definition: 坏。, population: {{type: resolution}}, measure: {text}}}
""", "")
    result = run(project, "validate")
    assert result.exit_code == 2 and message in result.output, result.output


def test_in_time_needs_a_due_and_a_completion_role(project):
    add_figures(project, """
  t_bad: {label: 坏, definition: 坏。, population: {type: plan, where: {in_time: true}}, measure: count}
""", "")
    result = run(project, "validate")
    assert result.exit_code == 2
    assert "没有声明期限角色（roles.due），不能用 in_time 作条件" in result.output
    assert "没有声明完成日期角色（roles.completion）" in result.output
