"""The engine: pages bypass Python-Markdown, and record pages are stamped from one shell.

The demo is built once by the pipeline (stamped record pages), and the very same docs tree and
configuration are built again with every page rendered by mkdocs-material itself. Every file
the theme's own build writes must then be byte for byte what the stamped build wrote — record
pages, tombstones, the canonical links (a `site_url` is set) and the sitemap.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest

from builder.pipeline import Deployment, build
from builder.stages import engine, search_index, verify

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
SITE_URL = "https://example.gov.cn/sunshine/"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("engine")
    root = tmp / "project"
    for folder in ("content", "site_config"):
        shutil.copytree(REPO / folder, root / folder)
    base = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(base + f"site_url: {SITE_URL}\n", encoding="utf-8")
    themed, docs = tmp / "themed", tmp / "docs"
    stamped_paths: list[str] = []
    real_build = engine.build

    def stamped_then_themed(config: Path, build_date: date, stamp=(), keep=False) -> set[str]:
        stamped_paths.extend(stamp)
        produced = real_build(config, build_date, stamp, keep)
        # The same docs tree and theme, kept beyond the pipeline's workspace.
        settings = json.loads(config.read_text(encoding="utf-8"))
        shutil.copytree(settings["docs_dir"], docs)
        shutil.copytree(settings["theme"]["custom_dir"], tmp / "theme")
        settings |= {"docs_dir": str(docs), "site_dir": str(themed)}
        settings["theme"]["custom_dir"] = str(tmp / "theme")
        other = tmp / "mkdocs.themed.yml"
        other.write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
        real_build(other, build_date)          # nothing stamped: every page through the theme
        return produced

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "build", stamped_then_themed)
        build(Deployment(root), tmp / "site", AS_OF, history=False, first_publication=True)
    return SimpleNamespace(stamped=tmp / "site", themed=themed, docs=docs,
                           paths=stamped_paths, config=tmp / "mkdocs.themed.yml")


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def test_record_pages_are_stamped(sites: SimpleNamespace) -> None:
    """The pipeline asks for every record page, tombstones included, to be stamped."""
    assert len(sites.paths) > 300
    assert "item/SX-2023-033.md" in sites.paths          # withdrawn: a tombstone
    tombstone = sites.stamped / "item" / "SX-2023-033" / "index.html"
    assert "sl-tombstone" in tombstone.read_text(encoding="utf-8")


def test_every_page_equals_the_themes_own_rendering(sites: SimpleNamespace) -> None:
    themed, stamped = _files(sites.themed), _files(sites.stamped)
    compared = 0
    for rel, path in themed.items():
        if rel == "search/search_index.json":
            continue
        assert rel in stamped, rel
        assert stamped[rel].read_bytes() == path.read_bytes(), rel
        compared += 1
    assert compared > 500
    # The canonical address really is per page (a stamp that kept the shell's would differ).
    page = (sites.stamped / "item" / "SX-2023-033" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}item/SX-2023-033/">' in page


def test_no_shell_is_left_and_the_sitemap_lists_every_page(sites: SimpleNamespace) -> None:
    assert not [rel for rel in _files(sites.stamped) if engine.SHELL in rel]
    sitemap = (sites.stamped / "sitemap.xml").read_text(encoding="utf-8")
    assert engine.SHELL not in sitemap
    pages = [rel for rel in _files(sites.stamped) if rel.endswith("index.html")]
    assert sitemap.count("<url>") == len(pages)
    assert f"<loc>{SITE_URL}item/SX-2023-033/</loc>" in sitemap
    with gzip.open(sites.stamped / "sitemap.xml.gz") as packed:
        assert packed.read().decode("utf-8") == sitemap


def test_the_stamped_pages_are_in_the_sites_search_and_the_shell_is_not(
        sites: SimpleNamespace) -> None:
    """The site's search indexes the finished site folder (stages/search_index.py), so the
    stamped record pages are found like any other and the shell, deleted before, never is;
    the theme's own search index is not written at all."""
    assert not (sites.stamped / "search" / "search_index.json").exists()
    fragments = "\n".join(verify.shown_text(f)[0] for f in
                          (sites.stamped / search_index.BUNDLE / "fragment").iterdir())
    assert "/item/SX-2023-001/" in fragments
    assert engine.SHELL not in fragments


def test_the_kept_html_is_what_python_markdown_would_make(sites: SimpleNamespace) -> None:
    """Pages hand Python-Markdown an empty stub and keep their HTML as the content: that is
    only right while Python-Markdown, with the site's own extensions, returns our HTML
    unchanged. Checked on every page of the demo."""
    from mkdocs.config import load_config
    from mkdocs.utils.meta import get_data

    config = load_config(config_file=str(sites.config))
    pages = sorted(sites.docs.rglob("*.md"))
    assert len(pages) > 500
    for page in pages:
        body, _ = get_data(page.read_text(encoding="utf-8-sig"))
        converter = markdown.Markdown(extensions=config["markdown_extensions"],
                                      extension_configs=config["mdx_configs"] or {})
        assert converter.convert(body) == body.strip(), page


@pytest.mark.parametrize("path, source, fits", [
    ("item/SX-1.md", '---\n{"title": "整改事项"}\n---\n\n<h1 id="top">整改事项</h1>\n', True),
    # MkDocs gives an index page its folder's address, and a page at the top has no folder
    # to put a shell beside it.
    ("item/index.md", '---\n{"title": "整改事项"}\n---\n\n<h1 id="top">整改事项</h1>\n', False),
    ("item/README.md", '---\n{"title": "整改事项"}\n---\n\n<h1 id="top">整改事项</h1>\n', False),
    ("SX-1.md", '---\n{"title": "整改事项"}\n---\n\n<h1 id="top">整改事项</h1>\n', False),
    # Other front matter (here: out of search) may change what the theme prints.
    ("item/SX-1.md",
     '---\n{"title": "整改事项", "search": {"exclude": true}}\n---\n\n<h1>x</h1>\n', False),
    # The theme adds a heading of its own to content without one.
    ("item/SX-1.md", '---\n{"title": "整改事项"}\n---\n\n<p>x</p>\n', False),
    # A title the theme would print differently from the shell's marker.
    ("item/SX-1.md", '---\n{"title": "A & B"}\n---\n\n<h1>x</h1>\n', False),
    ("item/SX-1.md", '# Markdown\n', False),
])
def test_only_pages_the_shell_renders_alike_are_stamped(path: str, source: str, fits: bool
                                                       ) -> None:
    """A page that does not fit is left to the theme, never stamped wrongly."""
    page = SimpleNamespace(src_uri=path, content_string=source)
    title = engine._Engine(set()).stampable(page)
    assert (title is not None) == fits


def test_a_theme_showing_the_address_where_the_stamp_cannot_fill_it_is_an_error(
        tmp_path: Path) -> None:
    """A shell whose markers show up in a form the stamp does not know fails the build
    rather than publishing the shell's address or title on record pages."""
    shell = tmp_path / "item" / engine.SHELL / "index.html"
    shell.parent.mkdir(parents=True)
    # The address relative to the page itself: a form the stamp does not fill.
    shell.write_text(f'<title>{engine._TITLE}</title><a href="../{engine.SHELL}/">'
                     f"{engine._CONTENT}", encoding="utf-8")
    file = SimpleNamespace(abs_dest_path=str(shell), src_uri=f"item/{engine.SHELL}.md",
                           page=SimpleNamespace(url=f"item/{engine.SHELL}/"))
    with pytest.raises(engine.EngineError, match="外壳"):
        engine._Stamp.of(file)
