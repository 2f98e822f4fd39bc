"""Hostile text in every public text field comes out as the literal text: no tag, attribute
or link it could create. The field list is checked against the model, so a new text field
fails this test until it is covered."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.model import load_model
from builder.pipeline import Deployment, build
from builder.stages.render import render_body

from conftest import BASE_RECORDS, SITE_CONFIG, make_project, record, write_all

HOSTILE = ('<script>alert(1)</script>"><img src=x onerror=alert(2)>'
           '](javascript:alert(3)) {: onclick=alert(4)} |a|b|\n第二行 &amp; &#60;b&#62;')
H = json.dumps(HOSTILE, ensure_ascii=False)  # a YAML-safe (JSON) rendering of the value

RECORDS = {
    "content/plans/JH-2023-02.md": record(f"""
        id: JH-2023-02
        type: plan
        title: {H}
        status: adopted
        body: ly-rd
        year: 2023
        adopted: 2023-01-05
        source: {H}
        reopen_reason: {H}
        """),
    "content/items/SX-2023-002.md": record(f"""
        id: SX-2023-002
        type: item
        title: {H}
        status: result_forming
        plan: JH-2023-02
        lead_body: ly-rd
        co_bodies: [lz-sj]
        coordination: joint_two
        started: 2023-02-01
        consultations:
          - body: lz-sj
            requested: 2023-03-01
            answered: 2023-03-09
            opinion: {H}
        reopen_reason: {H}
        """),
    "content/resolutions/YJ-2023-001.md": record(f"""
        id: YJ-2023-001
        type: resolution
        title: {H}
        status: closed
        kind: review_opinion
        body: ly-rd
        item: SX-2023-002
        session: {H}
        adopted: 2023-04-01
        response_due: 2023-07-01
        responded: 2023-06-20
        response: {H}
        reopen_reason: {H}
        """),
    "content/findings/WT-2023-002.md": record(f"""
        id: WT-2023-002
        type: finding
        title: {H}
        status: rectifying
        origin: YJ-2023-001
        source_body: ly-rd
        category: conduct
        found: 2023-04-02
        description: {H}
        reopen_reason: {H}
        """),
    "content/rectifications/ZG-2023-002.md": record(f"""
        id: ZG-2023-002
        type: rectification
        title: {H}
        status: reopened
        finding: WT-2023-002
        responsible_unit: ly-lyj
        assigned: 2023-04-10
        deadline: 2023-06-30
        deadline_extensions:
          - date: 2023-06-01
            deadline: 2023-12-31
            reason: {H}
        progress: {H}
        result: {H}
        evidence:
          - {H}
        reopen_reason: {H}
        """),
    "content/rectifications/ZG-2023-003.md": record(f"""
        id: ZG-2023-003
        type: rectification
        title: {H}
        status: withdrawn
        finding: WT-2023-002
        responsible_unit: ly-lyj
        assigned: 2023-04-10
        deadline: 2023-06-30
        withdrawn: 2023-05-01
        withdrawal_reason: {H}
        """),
    "content/reports/BG-2023-001.md": record(f"""
        id: BG-2023-001
        type: report
        title: {H}
        status: submitted
        kind: rectification_report
        body: ly-rd
        unit: ly-lyj
        subject: ZG-2023-002
        period: {H}
        due: 2023-08-01
        submitted: 2023-07-20
        reopen_reason: {H}
        """),
    "content/suggestions/DB-2023-001.md": record(f"""
        id: DB-2023-001
        type: suggestion
        title: {H}
        status: closed
        body: djk-rd
        term: {H}
        session: {H}
        channel: session_period
        deputy: {H}
        undertaker: djk-jyj
        assigned: 2023-02-20
        replied_on: 2023-05-10
        reply_class: class_b
        reply: {H}
        reopen_reason: {H}
        """),
    "content/suggestion-batches/JB-2023-01.md": record(f"""
        id: JB-2023-01
        type: suggestion_batch
        title: {H}
        status: evaluated
        body: djk-rd
        term: term_09
        channel: recess_period
        occasion: {H}
        assigned: 2023-03-01
        handled: 10
        reply_classes: {{class_a: 4, class_b: 3, class_c: 2, class_d: 1}}
        resolved: 4
        evaluated_on: 2024-01-10
        reopen_reason: {H}
        """),
    "content/appraisals/PY-2023-001.md": record(f"""
        id: PY-2023-001
        type: appraisal
        title: {H}
        status: completed
        body: djk-rd
        unit: djk-mzj
        started: 2023-03-01
        appraised_on: 2023-06-01
        appraisal_result: satisfied
        report_result: satisfied
        completed: 2023-11-01
        reopen_reason: {H}
        """),
    # Written by `sunlight freeze`, but a file like any other: an editor could type into it.
    "content/period-reports/DG-2023-Q4.md": record(f"""
        id: DG-2023-Q4
        type: period_report
        title: {H}
        status: frozen
        period: {H}
        closes: 2023-12-31
        frozen_on: 2024-01-05
        basis: {H}
        figures:
          - figure: {H}
            label: {H}
            text: {H}
            change: {H}
            definition: {H}
            value: 3
        """),
}

COVERED = {
    ("plan", "title"), ("plan", "source"), ("item", "title"), ("item", "consultations.opinion"),
    ("resolution", "title"), ("resolution", "session"), ("resolution", "response"),
    ("finding", "title"), ("finding", "description"), ("rectification", "title"),
    ("rectification", "deadline_extensions.reason"), ("rectification", "progress"),
    ("rectification", "result"), ("rectification", "evidence"),
    ("rectification", "reopen_reason"), ("rectification", "withdrawal_reason"),
    ("report", "title"), ("report", "period"),
    # Every type's reason for reopening a finished record (sunlight check requires it).
    ("plan", "reopen_reason"), ("item", "reopen_reason"), ("resolution", "reopen_reason"),
    ("finding", "reopen_reason"), ("report", "reopen_reason"),
    ("suggestion", "title"), ("suggestion", "term"), ("suggestion", "session"),
    ("suggestion", "deputy"), ("suggestion", "reply"), ("suggestion", "reopen_reason"),
    ("suggestion_batch", "title"), ("suggestion_batch", "occasion"),
    ("suggestion_batch", "reopen_reason"), ("appraisal", "title"), ("appraisal", "reopen_reason"),
    ("period_report", "title"), ("period_report", "period"), ("period_report", "basis"),
    ("period_report", "figures.figure"), ("period_report", "figures.label"),
    ("period_report", "figures.text"), ("period_report", "figures.change"),
    ("period_report", "figures.definition"),
}
PAGES = ["plan/JH-2023-02", "item/SX-2023-002", "resolution/YJ-2023-001", "finding/WT-2023-002",
         "rectification/ZG-2023-002", "rectification/ZG-2023-003", "report/BG-2023-001",
         "suggestion/DB-2023-001", "suggestion_batch/JB-2023-01", "appraisal/PY-2023-001",
         "period_report/DG-2023-Q4"]


def public_text_fields() -> set[tuple[str, str]]:
    """(type, field) for every string/text field the public can see, sub-fields dotted."""
    out = set()
    for rtype in load_model(SITE_CONFIG).types.values():
        if "public" not in rtype.allowed_visibility:
            continue
        for name, spec in rtype.fields.items():
            if spec.internal:
                continue
            item = spec.items if spec.type == "list" else spec
            if item.type in ("string", "text"):
                out.add((rtype.name, name))
            for sub_name, sub in (item.fields if item.type == "object" else {}).items():
                if sub.type in ("string", "text") and not sub.internal:
                    out.add((rtype.name, f"{name}.{sub_name}"))
    return out


def test_every_public_text_field_is_covered() -> None:
    model_fields = public_text_fields()
    by_field = {field for _, field in COVERED}
    missing = {(t, f) for t, f in model_fields
               if (t, f) not in COVERED and not (f in ("title", "source", "withdrawal_reason")
                                                 and f in by_field)}
    assert missing == set()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile") / "project")
    write_all(root, {**BASE_RECORDS, **RECORDS})
    build(Deployment(root), root / "site", date(2026, 11, 21))
    return root / "site"


@pytest.mark.parametrize("url", PAGES + ["", "ledger", "rectification", "body/ly-rd", "stats"])
def test_hostile_values_create_no_markup(site: Path, url: str) -> None:
    path = site / url / "index.html" if url else site / "index.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    content = soup.select_one("article")
    for element in content.find_all(True):
        assert element.name not in ("script", "img", "iframe", "style"), element
        assert not [a for a in element.attrs if a.lower().startswith("on")], element
        for attr in ("href", "src"):
            assert not str(element.get(attr, "")).strip().lower().startswith("javascript"), element
    assert "<script>" not in soup.title.get_text() and "<img" not in soup.title.get_text()
    for script in soup.find_all("script"):
        assert "alert(" not in (script.string or "")


@pytest.mark.parametrize("url", PAGES)
def test_hostile_values_read_as_literal_text(site: Path, url: str) -> None:
    soup = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    content = soup.select_one("article")
    assert content.h1.get_text() == HOSTILE
    cells = [dd.get_text("\n") for dd in content.select("dl[data-facts] dd")]
    if url != "rectification/ZG-2023-003":  # a tombstone shows its reason, not the fields
        assert HOSTILE in cells or any(HOSTILE in c for c in cells), cells


def test_body_sanitiser_drops_what_validation_would_reject() -> None:
    """Validation refuses these bodies; the renderer sanitises regardless (defence in depth)."""
    html = render_body(
        "## 小标题\n\n" + HOSTILE + "\n\n[链接](javascript:alert(5)) [好](https://example.org)\n\n"
        '<a href="jav&#x09;ascript:alert(6)">x</a> <div onclick="alert(7)">y</div>\n\n'
        "!!! note \"说明\"\n    提示内容\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    soup = BeautifulSoup(str(html), "html.parser")
    assert soup.find(["script", "img", "iframe", "style"]) is None
    assert all(not a.lower().startswith("on") for el in soup.find_all(True) for a in el.attrs)
    hrefs = [a.get("href") for a in soup.find_all("a")]
    assert "https://example.org" in hrefs
    assert not [h for h in hrefs if h and "script" in h.lower()]
    assert soup.find("h2")["id"] == "小标题"
    assert soup.select_one("div.admonition.note p.admonition-title").get_text() == "说明"
    assert soup.find("table").find_all("td")[1].get_text() == "2"
