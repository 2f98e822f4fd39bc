"""Body checks: internal blocks, unsafe HTML, links and attributes, line by line."""

from __future__ import annotations

import time

import pytest

from builder.text.record_body import check_body, is_safe_url, strip_internal


def codes_and_lines(body: str, first_line: int = 10) -> list[tuple[str, int]]:
    return [(issue.code, issue.line) for issue in check_body(body, first_line)]


@pytest.mark.parametrize("url", [
    "https://www.example.org/a", "http://x", "mailto:a@example.org", "/records/ZG-2023-001/",
    "../a.md", "#anchor", "a.pdf", "", "//example.org/a", "HTTPS://X",
])
def test_safe_urls(url):
    assert is_safe_url(url)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "java\tscript:x",
    "java\nscript:x", "jav&#x61;script:x", "&#106;avascript:x", "javascript&colon;x",
    "javascript&#58;x", "vbscript:x", "data:text/html,<script>", "file:///etc/passwd",
    "java&#09;script:x", "\x01javascript:x",
])
def test_unsafe_urls(url):
    assert not is_safe_url(url)


@pytest.mark.parametrize("body, expected", [
    ("[a](\njavascript:alert(1))", [("unsafe-link", 11)]),
    ("正文\n[a]:\n  javascript:x\n\n[a]", [("unsafe-link", 12)]),
    ("[a]:\n<vbscript:x>", [("unsafe-link", 11)]),                 # reported once
    ("[a](\n  https://example.org)", []),
    ("<a href='javascript:x'>a</a>", [("raw-html", 10), ("unsafe-link", 10)]),
    ("<JAVASCRIPT:alert(1)>", [("unsafe-link", 10)]),
    ("<https://example.org>", []),
])
def test_links(body, expected):
    assert codes_and_lines(body) == expected


@pytest.mark.parametrize("body", [
    "<SCRIPT>x</SCRIPT>", "< script src=x>", "<iframe src=x>", "<svg/onload=alert(1)>",
    "<style>p{}</style>", "<div onmouseover='x'>", "<img src=x\tonerror=alert(1)>",
    "<script", "<form action=x>",
])
def test_unsafe_html(body):
    assert [code for code, _ in codes_and_lines(body)].count("unsafe-html") >= 1


@pytest.mark.parametrize("body", [
    '{: onclick="x" }', "{: style='color:red' }", "{#id .cls onload=x}", "## 标题 {: onClick=x}",
])
def test_unsafe_attribute_lists(body):
    assert ("unsafe-attribute", 10) in codes_and_lines(body)


@pytest.mark.parametrize("body", [
    "正文", "a < b > c", "1<2", "**粗体** _斜体_", "{: .class }", "表格 | a | b |", "<!-- 普通注释 -->",
    "2 < 3 and 4 > 3", "<>", "[链接](https://example.org)",
])
def test_plain_markdown_is_fine(body):
    assert codes_and_lines(body) == []


def test_internal_blocks_balanced():
    body = ("公开\n<!-- internal -->\n内部\n<!-- /internal -->\n"
            "公开二\n  <!--internal-->\n内部二\n<!--  /internal  -->")
    assert check_body(body, 1) == []
    assert strip_internal(body) == "公开\n公开二"


@pytest.mark.parametrize("unit", ["<a ", "<a on", "<a'", "<script", "<img src=", "{ on", "](",
                                  "<!--" + " " * 100])
def test_long_lines_take_linear_time(unit):
    """A pasted line without '>' must not make the checks quadratic."""
    line = unit * (200_000 // len(unit))
    started = time.perf_counter()
    check_body(line, 1)
    assert time.perf_counter() - started < 5
