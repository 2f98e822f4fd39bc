"""Bounded bodies (issue 9, point 2): the attacks that stalled or crashed a build are now
reported by `sunlight validate` with code and line, and the renderer refuses them again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.text import body_limits
from builder.cli import cli
from builder.model import ConfigError, load_model
from builder.pipeline import ContentInvalid, Deployment, build
from builder.stages.render import render_body
from conftest import RECTIFICATION, RECTIFICATION_PATH, SITE_CONFIG, edit, write_all

NESTED_LIST = "".join("    " * i + "- 第 %d 层\n" % i for i in range(500))
BODIES = {
    # body text after "整改正文。" (file line 17) → the code and file line validate reports
    "brackets": ("[" * 50_000, "body-nesting-too-deep", 17),
    "nested list": ("\n\n" + NESTED_LIST, "body-nesting-too-deep", 19 + 16),
    "2 MB": ("\n" + "整改报告全文，第一部分。\n" * 60_000, "body-too-large",
             18 + (1_048_576 - 16) // 37),
}


def _validate_json(root: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["validate", "--root", str(root), "--format", "json"])
    report = json.loads(result.output)
    return result.exit_code, report["errors"] + report["warnings"]


@pytest.mark.parametrize("name", BODIES)
def test_validate_reports_the_attack_with_its_line(valid_project, name):
    text, code, line = BODIES[name]
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "整改正文。",
                                                       "整改正文。" + text)})
    exit_code, problems = _validate_json(valid_project)
    assert exit_code == 1
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [
        (code, RECTIFICATION_PATH, line)]


@pytest.mark.parametrize("name", BODIES)
def test_build_refuses_before_rendering(valid_project, tmp_path, name):
    text, code, _ = BODIES[name]
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "整改正文。",
                                                       "整改正文。" + text)})
    with pytest.raises(ContentInvalid) as caught:
        build(Deployment(valid_project), tmp_path / "out", date(2026, 1, 1), history=False)
    assert code in {p.code for p in caught.value.checked.validation.errors}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", BODIES)
def test_renderer_refuses_what_validation_refuses(name):
    text, code, _ = BODIES[name]
    with pytest.raises(body_limits.BodyLimitError) as caught:
        render_body(text)
    assert caught.value.exceeded.code == code


def test_deep_nesting_never_recurses_out():
    """The deepest body the limits allow renders, and one level more is refused by the
    guard, never by a RecursionError."""
    allowed = body_limits.MAX_DEPTH + body_limits.RENDER_SLACK
    deepest = "".join("    " * i + "- x\n" for i in range(allowed))
    html = str(render_body(deepest))
    assert html.count("<ul>") == allowed
    quotes = "> " * allowed + "x"
    assert str(render_body(quotes)).count("<blockquote>") == allowed
    with pytest.raises(body_limits.BodyLimitError):
        render_body("> " * (allowed + 1) + "x")


def test_the_deepest_allowed_body_builds(valid_project, tmp_path):
    deepest = "\n\n" + "".join("    " * i + "- 第 %d 层\n" % i
                               for i in range(body_limits.MAX_DEPTH))
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "整改正文。\n",
                                                       "整改正文。\n" + deepest)})
    for audience in ("public", "internal"):
        result = CliRunner().invoke(cli, ["build", "--root", str(valid_project), "--out",
                                          str(tmp_path / audience), "--audience", audience,
                                          "--no-history", "--as-of", "2026-01-01"])
        assert result.exit_code == 0, result.output
        page = (tmp_path / audience / "rectification" / "ZG-2023-001" / "index.html")
        assert "第 15 层" in page.read_text(encoding="utf-8")


def test_unbalanced_brackets_in_separate_paragraphs_are_fine():
    """A paragraph may leave a few brackets open; the count starts again after a blank line."""
    body = "\n\n".join(["见附件[1" for _ in range(200)] + ["(注：待补充" for _ in range(200)])
    assert body_limits.check(body, 1) == []


def test_thematic_breaks_are_not_lists():
    assert body_limits.check("* " * 40 + "*", 1) == []


def test_size_limit_is_a_setting(project):
    site = project / "site_config" / "site.yml"
    text = site.read_text(encoding="utf-8")
    assert "body_max_bytes: 1048576" in text
    assert load_model(SITE_CONFIG).body_max_bytes == 1_048_576
    site.write_text(text.replace("body_max_bytes: 1048576", "body_max_bytes: 2048"),
                    encoding="utf-8")
    assert load_model(project / "site_config").body_max_bytes == 2048
    site.write_text(text.replace("body_max_bytes: 1048576", "body_max_bytes: 1MB"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(project / "site_config")
    assert "settings.body_max_bytes 应为正整数，现在是“1MB”" in str(caught.value)


def test_a_smaller_size_limit_applies_to_validate(valid_project):
    site = valid_project / "site_config" / "site.yml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("body_max_bytes: 1048576", "body_max_bytes: 64"),
                    encoding="utf-8")
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "整改正文。",
                                                       "整改正文。" * 10)})
    exit_code, problems = _validate_json(valid_project)
    assert exit_code == 1
    assert [p["code"] for p in problems] == ["body-too-large"]
