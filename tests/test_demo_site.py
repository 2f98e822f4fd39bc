"""The demo site built from the real content/: pages, 洛阳 figures, sizes, and the leak guard
with canaries planted in a copy of the demo content."""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from builder.stages.load import load
from builder.model import load_model
from builder.model.roles import RecordIndex
from builder.pipeline import Deployment, build, check
from builder.stages.projection import Audience, is_public, project

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
CANARY = re.compile(r"(?<!PUBLIC)CANARY\d+X")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    # Without history: the demo's own Git history depends on how this checkout was cloned
    # (CI may clone shallow); history is tested on scripted repositories.
    build(Deployment(REPO), out, AS_OF, history=False)
    return out


def test_every_public_demo_record_has_a_page(demo: Path) -> None:
    checked = check(Deployment(REPO))
    projection = project(checked.validation.records, checked.model, Audience.PUBLIC, AS_OF)
    assert len(projection.records) > 250
    for record in projection.records:
        assert (demo / record.type / record.id / "index.html").is_file(), record.id
    hidden = [r for r in checked.validation.records if not is_public(r, AS_OF, checked.model)]
    assert hidden, "the demo has internal and restricted records"
    for record in hidden:
        assert not (demo / record.type / record.id).exists(), record.id


def test_statistics_page_shows_the_luoyang_2023_figures(demo: Path) -> None:
    soup = BeautifulSoup((demo / "stats" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    rows = [[td.get_text(strip=True) for td in tr.select("td")]
            for tr in soup.select("article table tr")]
    assert ["洛阳市人大常委会", "2023", "129", "113", "87.6%"] in [row[:5] for row in rows]
    plan = next(row for row in rows if row and row[0] == "洛阳市人大常委会2023年度监督工作计划")
    assert plan[2:] == ["28", "18", "18", "8"]
    home = BeautifulSoup((demo / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "监督事项 28 项，重点事项 18 项，已启动 18 项，已完成 8 项" in home.select_one("#plans + ul").get_text()


def test_record_pages_stay_small(demo: Path) -> None:
    types = load_model(REPO / "site_config").types
    sizes = {p: p.stat().st_size for t in types for p in demo.glob(f"{t}/*/index.html")}
    assert len(sizes) > 250
    biggest = max(sizes, key=sizes.get)
    assert sizes[biggest] < 60_000, biggest


def list_pages(site: Path, folder: str) -> list[Path]:
    """Page 1 of a list and its numbered pages (…/page/n/), in order."""
    later = sorted((site / folder / "page").glob("*/index.html"), key=lambda p: int(p.parent.name))
    return [site / folder / "index.html", *later]


def test_long_demo_lists_are_paginated_and_complete(demo: Path) -> None:
    """The demo's 145 rectifications run over two pages of settings.page_size rows, in the
    ledger and in their listing; together the pages hold every record once, and rows.json,
    which the ledger's filters read, holds the same rows."""
    checked = check(Deployment(REPO))
    model = checked.model
    projection = project(checked.validation.records, model, Audience.PUBLIC, AS_OF)
    ledger_type = model.pages["ledger"].type
    live = sorted(r.id for r in RecordIndex(projection.records, model).live(ledger_type))
    every = sorted(r.id for r in projection.records if r.type == ledger_type)
    for folder, table, expected in (("ledger", "table[data-ledger]", live),
                                    (ledger_type, "table", every)):
        pages = list_pages(demo, folder)
        assert len(pages) == -(-len(expected) // model.page_size) > 1, folder
        ids = []
        for n, page in enumerate(pages, 1):
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            rows = soup.select(f"article {table} tbody tr")
            assert len(rows) <= model.page_size
            ids += [tr.td.get_text(strip=True) for tr in rows]
            assert soup.select_one("nav.sl-pager [aria-current=page]").get_text() == str(n)
        assert ids == expected, folder
    data = json.loads((demo / "ledger" / "rows.json").read_text(encoding="utf-8"))
    assert [row[data["fields"].index("id")] for row in data["rows"]] == live


# --- canaries -----------------------------------------------------------------------------------


def plant_canaries(root: Path) -> tuple[int, str]:
    """Rewrite every record of a copy of the demo content so that each internal field,
    internal block and non-public record carries a unique canary; one public field carries
    the positive control. Returns the number of canaries and the public one."""
    model = load_model(root / "site_config")
    documents, problems = load(root, root / "content")
    assert not problems
    checked = {r.path: r for r in check(Deployment(root)).validation.records}
    count = 0
    public_canary = ""

    def canary() -> str:
        nonlocal count
        count += 1
        return f"CANARY{count}X内部"

    for doc in documents:
        record = checked[doc.path]
        rtype = model.types[record.type]
        meta = dict(doc.meta)
        body = doc.body
        for name, spec in rtype.fields.items():
            if spec.internal and spec.type in ("string", "text"):
                meta[name] = canary()
        body = re.sub(r"(<!-- internal -->\n)", lambda m: m.group(1) + canary() + "\n", body)
        if is_public(record, AS_OF, model):
            body += f"\n<!-- internal -->\n{canary()}\n<!-- /internal -->\n"
            if not public_canary and record.type == "rectification" and "progress" in meta:
                public_canary = "PUBLICCANARY1X公开"
                meta["progress"] = public_canary
        else:
            meta["title"] = f"{meta['title']}{canary()}"
            body += f"\n{canary()}\n"
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        (root / doc.path).write_text(f"---\n{text}---\n{body}", encoding="utf-8")
    return count, public_canary


def decoded_outputs(site: Path):
    for file in sorted(p for p in site.rglob("*") if p.is_file()):
        text = file.read_bytes().decode("utf-8", errors="replace")
        if file.suffix == ".json":
            text += json.dumps(json.loads(text), ensure_ascii=False)
        yield file, html.unescape(text).replace("\u200b", "")


def test_canaries_in_every_internal_place_never_reach_the_public_site(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "site_config", root / "site_config")
    planted, public_canary = plant_canaries(root)
    assert planted > 100 and public_canary
    assert check(Deployment(root)).validation.valid
    build(Deployment(root), root / "site", AS_OF)  # the leak guard passes ...
    hits, positive = [], []
    for file, text in decoded_outputs(root / "site"):  # ... and an independent scan agrees
        hits += [(file.name, m) for m in CANARY.findall(text) if not m.startswith("PUBLIC")]
        if public_canary in text:
            positive.append(file)
    assert hits == []
    assert positive, "the public canary (positive control) must be found"
