"""Internal builds: what the supervising bodies see, kept apart from the public site."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline import Deployment, WrongTarget, build
from builder.stages.projection import Audience

from conftest import BASE_RECORDS, EXCHANGE, EXCHANGE_PATH, edit, make_project, record, write_all
from test_demo_site import REPO, decoded_outputs, plant_canaries

AS_OF = date(2026, 11, 21)

LEAD_UNVERIFIED = record("""
    id: XS-2023-001
    type: lead
    title: 未核实线索LEADSECRETA1
    status: verifying
    owner_body: lz-xc
    received: 2023-04-01
    summary: 群众反映LEADSECRETA2
    verified: false
    """)
LEAD_VERIFIED = record("""
    id: XS-2023-002
    type: lead
    title: 已核实线索LEADSHAREDB1
    status: verified
    owner_body: lz-xc
    received: 2023-04-01
    summary: 已核实的线索LEADSHAREDB2
    verified: true
    verified_on: 2023-05-01
    """)
EMBARGOED = record("""
    id: BG-2023-001
    type: report
    title: 暂缓公开的整改报告EMBARGOC1
    status: submitted
    kind: rectification_report
    body: ly-rd
    unit: ly-lyj
    submitted: 2023-10-01
    publish_after: 2027-01-15
    """)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    write_all(root, {**BASE_RECORDS,
                     "content/leads/XS-2023-001.md": LEAD_UNVERIFIED,
                     "content/leads/XS-2023-002.md": LEAD_VERIFIED,
                     EXCHANGE_PATH: edit(EXCHANGE, "lead: XS-2023-001", "lead: XS-2023-002"),
                     "content/reports/BG-2023-001.md": EMBARGOED})
    return root


def site_text(site: Path) -> str:
    return "\n".join(text for _, text in decoded_outputs(site))


def test_lead_appears_only_in_its_owners_build_until_verified(root: Path) -> None:
    internal = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    owner = build(Deployment(root), root / "site-lz-xc", AS_OF, Audience.INTERNAL, "lz-xc").out_dir
    other = build(Deployment(root), root / "site-lz-sj", AS_OF, Audience.INTERNAL, "lz-sj").out_dir
    for site in (internal, other):
        assert "LEADSECRETA" not in site_text(site)
        assert not (site / "lead" / "XS-2023-001").exists()
        assert "LEADSHAREDB1" in site_text(site)  # verified: shared with every body
    assert (owner / "lead" / "XS-2023-001" / "index.html").is_file()
    assert "LEADSECRETA2" in site_text(owner)
    public = build(Deployment(root), root / "site", AS_OF).out_dir
    assert "LEADSHAREDB" not in site_text(public) and "LEADSECRETA" not in site_text(public)


def test_internal_pages_carry_banner_noindex_and_robots(root: Path) -> None:
    site = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    soup = BeautifulSoup((site / "rectification/ZG-2023-001/index.html").read_text("utf-8"),
                         "html.parser")
    assert "内部资料 不得公开" in soup.select_one(".md-banner").get_text()
    assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert (site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    block = soup.select_one(".sl-body .admonition.danger")
    assert "内部督办情况" in block.get_text()
    public = build(Deployment(root), root / "site", AS_OF).out_dir
    page = (public / "rectification/ZG-2023-001/index.html").read_text("utf-8")
    assert "内部资料" not in page and "noindex" not in page
    assert not (public / "robots.txt").exists()


def test_embargoed_record_moves_from_internal_to_public_on_its_date(root: Path) -> None:
    before, after = date(2027, 1, 14), date(2027, 1, 15)
    internal = build(Deployment(root), root / "site-internal", before, Audience.INTERNAL).out_dir
    assert (internal / "report/BG-2023-001/index.html").is_file()
    public = build(Deployment(root), root / "site", before).out_dir
    assert not (public / "report/BG-2023-001").exists()
    assert "EMBARGOC1" not in site_text(public)
    public = build(Deployment(root), root / "site", after).out_dir
    assert (public / "report/BG-2023-001/index.html").is_file()


def test_audiences_never_write_into_each_others_folders(root: Path) -> None:
    with pytest.raises(WrongTarget):
        build(Deployment(root), root / "site", AS_OF, Audience.INTERNAL)
    with pytest.raises(WrongTarget):
        build(Deployment(root), root / "site-internal", AS_OF, Audience.PUBLIC)
    build(Deployment(root), root / "elsewhere", AS_OF, Audience.INTERNAL)
    with pytest.raises(WrongTarget):  # the folder's manifest says it holds an internal site
        build(Deployment(root), root / "elsewhere", AS_OF, Audience.PUBLIC)
    with pytest.raises(WrongTarget):
        build(Deployment(root), root / "x", AS_OF, Audience.PUBLIC, "lz-xc")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--audience", "internal",
                                      "--out", str(root / "site")])
    assert result.exit_code == 2 and "拒绝" in result.output
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--audience", "internal",
                                      "--body", "no-such-body"])
    assert result.exit_code == 2 and "no-such-body" in result.output


def test_every_internal_value_of_the_demo_reaches_the_internal_site(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "site_config", root / "site_config")
    planted, _ = plant_canaries(root)
    text = site_text(build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir)
    # The demo's unverified leads belong to 泸州市委巡察办 and (派驻 leads) 临沂市纪委监委.
    owners = ("lz-xc", "lyi-jw")
    missing = [n for n in range(1, planted + 1) if f"CANARY{n}X" not in text]
    owner_text = "".join(site_text(build(Deployment(root), root / f"site-{owner}", AS_OF,
                                         Audience.INTERNAL, owner).out_dir) for owner in owners)
    assert [n for n in missing if f"CANARY{n}X" not in owner_text] == []
    assert len(missing) < planted // 10  # only the unverified leads' canaries were held back


def test_dashboards_page_exists_only_in_internal_builds(root: Path) -> None:
    internal = build(Deployment(root), root / "site-internal", AS_OF, Audience.INTERNAL).out_dir
    soup = BeautifulSoup((internal / "dashboards/index.html").read_text("utf-8"), "html.parser")
    assert soup.select_one("article h1").get_text() == "内部工作台"
    nav = {a.get_text(strip=True) for a in soup.select("nav.md-nav--primary a")}
    assert "内部工作台" in nav
    public = build(Deployment(root), root / "site", AS_OF).out_dir
    assert not (public / "dashboards").exists()
