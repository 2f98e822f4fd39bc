"""Self-contained sites: no output file of either demo site points a browser at another host.

In mainland China Google Fonts and public CDNs are slow or blocked, an office intranet reaches
none of them, and each request tells a third party who reads the page. This test reads every
output file of the public and the internal demo site and fails on any URL to a host other than
the site's own. Allowed, and why:

- the host of `site_url` (a deployment sets it; canonical links, sitemap, feeds);
- links an editor wrote in a record's body (`<a href>` inside `.sl-body`), and links to a host
  the deployment names in `site_config/` (e.g. the data licence's text): the reader follows
  them on purpose, nothing is fetched when the page loads;
- XML and SVG namespace names (`xmlns`, `http://www.w3.org/...`), JSON Schema `$schema`/`$id`
  and the licence's `path` in the data package: identifiers that no browser fetches;
- comments (licence notices inside the theme's stylesheet and scripts) and source maps
  (`.map`, fetched only by a developer's tools);
- URLs inside mkdocs-material's and lunr's own scripts, listed in VENDOR_SCRIPT_HOSTS with what
  they are for; none is requested with Sunlight's configuration, and a new one fails the test;
  likewise in Pagefind's search scripts (`pagefind/*.js`, PAGEFIND_SCRIPT_HOSTS);
- the scripts of the web editor's vendored packages (`editor/<package>-<version>/`, internal site
  only): upstream bundles checked byte for byte against their pinned SHA-256 at every build
  (builder/commands/editor.py, tests/test_editor.py). Their strings hold hundreds of error and
  documentation links; what the editor talks to is the backend the deployment configures (its
  forge, or the local preview's own /api/v1). The editor's page, configuration and Sunlight's own
  editor script are checked like every other file.

tests/test_a11y_browser.py checks the same from the other side: it records every request
a real Chromium makes while visiting every page kind.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.commands.editor import EDITOR_DIR, VENDORED
from builder.pipeline import Deployment, build
from builder.stages.projection import Audience

REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 21)
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'<>)\\]*""")
NAMESPACE_HOSTS = {"www.w3.org", "www.sitemaps.org"}
# Strings in the theme's minified scripts. None is fetched with Sunlight's mkdocs.yml: there is
# no repo_url (GitHub API), no mermaid (unpkg) and no share button; the rest are comments and
# documentation links inside lunr and its language plugins.
VENDOR_SCRIPT_HOSTS = {
    "github.com": "repository facts, only with repo_url", "api.github.com": "same",
    "unpkg.com": "mermaid, only for mermaid diagrams (not enabled)",
    "www.mozilla.org": "licence comment", "people.mozilla.org": "comment",
    "developer.mozilla.org": "comment", "snowball.tartarus.org": "stemmer comment",
    "tartarus.org": "stemmer comment", "code.google.com": "comment", "en.wikipedia.org": "comment",
    "clipboardjs.com": "licence comment", "bit.ly": "comment", "wiki.ecmascript.org": "comment",
    "wiki.commonjs.org": "comment", "underscorejs.org": "comment", "narwhaljs.org": "comment",
    "msdn.microsoft.com": "comment", "lunrjs.com": "licence comment",
    "docs.python.org": "comment", "chasen.org": "comment",
}
# Pagefind's scripts parse a result's path against a placeholder origin to add an anchor and
# strip the origin again (pagefind.js, pagefind-worker.js): nothing is fetched from it.
PAGEFIND_SCRIPT_HOSTS = {"example.com": "placeholder origin for parsing result paths"}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "cite",
                  "background", "content", "ping", "manifest", "icon"}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sites")
    for audience in (Audience.PUBLIC, Audience.INTERNAL):
        build(Deployment(REPO), out / audience.value, AS_OF, audience, history=False)
    return {a.value: out / a.value for a in (Audience.PUBLIC, Audience.INTERNAL)}


class _Urls(HTMLParser):
    """(where, url) of every URL an HTML page would load or link to, outside record bodies."""

    def __init__(self, link_hosts: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.link_hosts = link_hosts        # hosts a deployment's own links may go to
        self.found: list[tuple[str, str]] = []
        self._body_depth = 0        # inside <div class="sl-body">: the editor's own text
        self._style = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if self._body_depth and tag == "div":
            self._body_depth += 1
        elif tag == "div" and "sl-body" in (attributes.get("class") or "").split():
            self._body_depth = 1
        self._style = tag == "style"
        for name, value in attrs:
            if not value or name.startswith("xmlns"):
                continue
            if name == "style":
                self.found += [(f"<{tag} style>", u) for u in URL.findall(value)]
            elif name in URL_ATTRIBUTES or name.startswith("data-"):
                if tag == "a" and name == "href" and (
                        self._body_depth or urlsplit(value).hostname in self.link_hosts):
                    continue
                self.found += [(f"<{tag} {name}>", u) for u in URL.findall(value)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._body_depth:
            self._body_depth -= 1
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found += [("<style>", u) for u in URL.findall(data)]


def _json_urls(value, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [hit for k, v in value.items() if k not in ("$schema", "$id")
                for hit in _json_urls(v, k)]
    if isinstance(value, list):
        return [hit for v in value for hit in _json_urls(v, key)]
    if isinstance(value, str) and key != "path":
        return [(key, u) for u in URL.findall(value)]
    return []


def _strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def configured_link_hosts(config_dir: Path) -> frozenset[str]:
    """Hosts of the web addresses a deployment writes in its site_config/."""
    return frozenset(urlsplit(u).hostname for path in config_dir.rglob("*.yml")
                     for u in re.findall(r"https?://[^\s\"']+", path.read_text(encoding="utf-8")))


def foreign_urls(site: Path, own_hosts: set[str],
                 link_hosts: frozenset[str] = frozenset()) -> list[str]:
    """Every URL in every output file whose host is neither the site's nor allowed above."""
    found = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        # Binary files, and source maps (only a developer's tools fetch them, never a page).
        if path.suffix in {".gz", ".png", ".jpg", ".ico", ".woff", ".woff2", ".map"}:
            continue
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == EDITOR_DIR and parts[1] in VENDORED:
            continue                    # pinned upstream bundle, see the module docstring
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            parser = _Urls(link_hosts)
            parser.feed(text)
            hits = parser.found
        elif path.suffix == ".css":
            # What a stylesheet loads: url(...) and @import targets (a data: URI's SVG may
            # carry a licence comment with a web address; that loads nothing).
            hits = [("css", u) for u in re.findall(
                r"""(?:url\(\s*|@import\s+)["']?((?:https?:)?//[^"')\s]+)""",
                _strip_comments(text))]
        elif path.suffix == ".js":
            hits = [("js", u) for u in re.findall(r"https?://[A-Za-z0-9.-]+[^\s\"'`)]*", text)
                    if not (urlsplit(u).hostname in VENDOR_SCRIPT_HOSTS
                            and rel.startswith("assets/javascripts/"))
                    and not (re.match(r"https?://([A-Za-z0-9.-]+)", u).group(1)
                             in PAGEFIND_SCRIPT_HOSTS and rel.startswith("pagefind/"))]
        elif path.suffix == ".json":
            hits = _json_urls(json.loads(text))
        else:                                   # XML (feeds, sitemap), CSV, TXT, SVG
            text = re.sub(r"""xmlns(:\w+)?=["'][^"']*["']""", "", text)
            hits = [("text", u) for u in URL.findall(text)]
        for where, url in hits:
            host = urlsplit(url if "//" in url else "//" + url).hostname or ""
            if host and host not in own_hosts and host not in NAMESPACE_HOSTS:
                found.append(f"{rel} {where}: {url}")
    return found


def test_no_output_file_points_at_another_host(sites: dict[str, Path]) -> None:
    configured = re.search(r"^site_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"),
                           re.M)
    own = {urlsplit(configured.group(1)).hostname} if configured else set()
    for audience, site in sites.items():
        found = foreign_urls(site, own, configured_link_hosts(REPO / "site_config"))
        assert not found, f"{audience}: " + "\n".join(found[:30])


def test_the_check_sees_a_theme_font_link_and_a_footer_credit(tmp_path: Path) -> None:
    """The check itself: the two foreign links issue 13 found are reported, an editor's link
    in a body is not."""
    site = tmp_path / "site"
    (site / "x").mkdir(parents=True)
    (site / "x" / "index.html").write_text(
        '<html><head><link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>'
        '<style>@import url(https://fonts.googleapis.com/css?family=Roboto)</style></head>'
        '<body><svg xmlns="http://www.w3.org/2000/svg"></svg>'
        '<div class="sl-body"><p><a href="https://www.npc.gov.cn/">全国人大</a></p></div>'
        '<footer><a href="https://squidfunk.github.io/mkdocs-material/">Material</a></footer>'
        '</body></html>', encoding="utf-8")
    (site / "feed.xml").write_text('<feed xmlns="http://www.w3.org/2005/Atom">'
                                   '<link href="https://cdn.example.com/x.js"/></feed>')
    found = foreign_urls(site, set())
    assert [f.split(": ", 1)[1] for f in found] == [
        "https://cdn.example.com/x.js", "https://fonts.gstatic.com",
        "https://fonts.googleapis.com/css?family=Roboto",
        "https://squidfunk.github.io/mkdocs-material/"]
