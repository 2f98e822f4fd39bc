"""The validator and the sanitiser share one allow-list (builder/sanitise.py): whatever the
body checks accept, sanitising keeps link for link and attribute for attribute."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, strategies as st

from builder.text import body_markdown, sanitise
from builder.text.record_body import check_body
from builder.model.problems import CATALOGUE, Severity
from builder.stages.render import render_body


def errors(body: str) -> list[tuple[str, int]]:
    return [(i.code, i.line) for i in check_body(body, 1)
            if CATALOGUE[i.code].severity is Severity.ERROR]


# The constructs of issue 9 that validation passed although publishing neutralises them.
@pytest.mark.parametrize("body, code", [
    ("[a](java\tscript:alert(1))", "unsafe-link"),
    ('<a href="  javascript:alert(1)">x</a>', "unsafe-link"),
    ("<img src=`javascript:alert(1)`>", "unsafe-link"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "unsafe-attribute"),
    ('<table background="javascript:alert(1)"><tr><td>x</td></tr></table>', "unsafe-link"),
    ("[a](`javascript:alert(1)`)", "unsafe-link"),
])
def test_issue_9_constructs_are_rejected(body, code):
    assert (code, 1) in errors(body)
    published = BeautifulSoup(str(render_body(body)), "html.parser")
    for element in published.find_all(True):
        assert "style" not in element.attrs and "background" not in element.attrs
        for url in (element.get("href"), element.get("src")):
            # A browser drops outer blanks and inner tabs/newlines before reading a scheme.
            read = (url or "").strip().replace("\t", "").replace("\n", "").lower()
            assert not read.startswith("javascript"), url


# Harmless but removed when published: rejected too, so an editor sees what will be lost.
@pytest.mark.parametrize("body, code", [
    ('<a href="http://[bad">x</a>', "unsafe-link"),
    ('<table background="bg.png"><tr><td>x</td></tr></table>', "unsafe-attribute"),
    ('<span class="red">x</span>', "unsafe-attribute"),
    ('<a title="a>b" style="color:red" href="https://example.org">x</a>', "unsafe-attribute"),
])
def test_what_the_sanitiser_removes_is_rejected(body, code):
    assert (code, 1) in errors(body)
    html = body_markdown.to_html(body)
    assert _attributes(sanitise.clean(html)) != _attributes(html)


@pytest.mark.parametrize("body", [
    '[a](https://example.org "说明")', '<a href="https://example.org" title="t">x</a>',
    '<div class="admonition note">x</div>', '<abbr title="NPC: 全国人大">NPC</abbr>',
    "<td align=\"center\">x</td>", "[a](a b)", "<https://example.org>",
])
def test_what_the_sanitiser_keeps_is_accepted(body):
    assert errors(body) == []


def _attributes(html: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every element the sanitiser allows, with its attributes (rel is the sanitiser's).
    A set: the sanitiser's HTML5 parser may close or repeat an element, never an attribute."""
    soup = BeautifulSoup(html, "html.parser")
    return {(el.name, tuple(sorted((k, " ".join(v) if isinstance(v, list) else v)
                                   for k, v in el.attrs.items() if k != "rel")))
            for el in soup.find_all(True) if el.name in sanitise.TAGS}


SCHEMES = ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "  javascript:x",
           "jav&#x61;script:x", "javascript&colon;x", "vbscript:x", "data:text/html,x",
           "https://example.org/a", "http://[bad", "mailto:a@example.org", "/a/b", "#top",
           "tel:123", "`javascript:x`", "a b", ""]
# Tags that parse anywhere (a lone <td> is dropped by the HTML parser, whatever its attributes).
TAGS = ["a", "p", "span", "div", "table", "img", "font", "abbr", "h3"]
ATTRIBUTES = ["href", "src", "style", "background", "title", "class", "align", "id", "lang",
              "target", "action"]
QUOTES = ['"{}"', "'{}'", "`{}`", "{}"]


@st.composite
def hostile_bodies(draw) -> str:
    """Markdown and HTML built from link and attribute pieces that hide schemes."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        url = draw(st.sampled_from(SCHEMES))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            title = draw(st.sampled_from(["", ' "标题"', " '标题'"]))
            parts.append(f"[链接]({url}{title})")
        elif kind == 1:
            parts.append(f"\n[参考]: {url}\n\n[参考]")
        elif kind == 2 and url and " " not in url:
            parts.append(f"<{url}>")
        else:
            tag = draw(st.sampled_from(TAGS))
            # Distinct names: parsers disagree on which of two equal attributes counts.
            names = draw(st.lists(st.sampled_from(ATTRIBUTES), min_size=1, max_size=3,
                                  unique=True))
            attrs = " ".join(
                f"{name}=" + draw(st.sampled_from(QUOTES)).format(
                    draw(st.sampled_from(SCHEMES + ["note", "admonition", "center", "x"])))
                for name in names)
            parts.append(f"<{tag} {attrs}>文字</{tag}>")
    return draw(st.sampled_from([" ", "\n", "\n\n"])).join(parts)


@given(hostile_bodies())
def test_accepted_bodies_lose_nothing_when_sanitised(body):
    """Validator accepts ⇒ the sanitiser keeps every link and every attribute of the tags
    it allows (tags outside the allow-list are the raw-html warning's business)."""
    if errors(body):
        return
    html = body_markdown.to_html(body)
    assert _attributes(sanitise.clean(html)) == _attributes(html), body
