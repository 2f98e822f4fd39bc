"""Fuzzing the loader and the validator with malformed record files.

Whatever an editor (or a broken editor program) saves, `parse_bytes` and `validate` must
answer with problems, never with an exception, and every problem must point at a line.

The default run is small and deterministic (`derandomize`); `make fuzz` runs the slow
variants under the "fuzz" Hypothesis profile (see conftest.py) with many more examples.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.stages.load import Document, parse_bytes
from builder.model import load_model
from builder.model.problems import CATALOGUE
from builder.stages.validate import validate
from conftest import BASE_RECORDS, EXCHANGE, LEAD, SITE_CONFIG, edit

MODEL = load_model(SITE_CONFIG)
BASE_DOCUMENTS = [parse_bytes(text.encode("utf-8"), path, path.split("/")[1])[0]
                  for path, text in {**BASE_RECORDS, "content/leads/XS-2023-001.md":
                                     edit(LEAD, "verified: false", "verified: true"),
                                     "content/exchanges/JL-2023-001.md": EXCHANGE}.items()]
PATH, FOLDER = "content/x/y.md", "x"
BOM = b"\xef\xbb\xbf"


def check(raw: bytes) -> None:
    """The properties every input must have."""
    document, problems = parse_bytes(raw, PATH, FOLDER)
    lines = raw.count(b"\n") + raw.count(b"\r") + 1   # an upper bound: CRLF counted twice
    for p in problems:
        assert p.code in CATALOGUE
        assert p.path == PATH
        assert 1 <= p.line <= lines, (p.code, p.line, lines)
    if document is None:
        assert any(CATALOGUE[p.code].severity.value == "error" for p in problems)
        return
    assert isinstance(document, Document)
    assert isinstance(document.meta, dict)
    assert all(isinstance(key, str) for key in document.meta)
    validation = validate(BASE_DOCUMENTS + [document], MODEL)
    for p in validation.problems:
        assert p.code in CATALOGUE
        assert p.line >= 1
        if p.path == PATH:
            assert p.line <= lines, (p.code, p.line, lines)
        else:   # the base records are valid; only references to the fuzzed record may change
            assert p.code in ("duplicate-id", "restricted-reference", "wrong-reference-type",
                              "unverified-lead-shared"), p
    for record in validation.records:
        assert isinstance(record.fields, dict)


# --- strategies --------------------------------------------------------------------------------

FIELD_NAMES = sorted({name for t in MODEL.types.values() for name in t.fields})
TYPE_NAMES = sorted(MODEL.types)
SCALARS = [
    "", "~", "null", "no", "yes", "on", "true", "false", "True", "010", "0x1A", "12:30", "1e3",
    "-1", "2023", "2023-06-30", "2023-02-30", "2023/6/30", "2024-02-29", "ZG-2023-001",
    "WT-2023-001", "SX-2023-001", "JH-2023-01", "XS-2023-001", "JL-2023-001", "ly-rd", "ly-lyj",
    "completed", "in_progress", "withdrawn", "public", "internal", "restricted", "satisfied",
    "funds", "'引号'", '"双引号\\n"', "[a, b]", "{a: b}", "[]", "{}", "&a x", "*a", "!!int 3",
    "!local x", "!<tag:yaml.org,2002:str> x", "|", ">-", "#", "---", "...", "中文", "\\u0000",
    "\x85", "\u2028", "\ufeff",
]
BROKEN_SCALARS = ["'未闭合", "[", "{", "]", "}", "- x", "a: b", "%", "@", "`", "? x", "\t"]
BODY_LINES = [
    "", "正文。", "<!-- internal -->", "<!-- /internal -->", "<!--internal-->", "x <!-- internal",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>粗</b>", "<svg onload=x>",
    "[a](javascript:alert(1))", "[a](jav&#x61;script:x)", "[a](java&#09;script:x)",
    "[r]: vbscript:x", "<javascript:x>", "{: onclick=x }", "{: style='x' }", "---", "<", "[](",
    "&#", "<a href='data:text/html,x'>", "<!--", "-->",
]


@st.composite
def values(draw) -> str:
    """Mostly well-formed YAML values; now and then one that breaks the syntax."""
    roll = draw(st.integers(0, 13))
    if roll == 0:
        return draw(st.sampled_from(BROKEN_SCALARS))
    if roll == 1:
        return draw(st.text(max_size=12))
    return draw(st.sampled_from(SCALARS))


@st.composite
def front_matter_lines(draw) -> list[str]:
    """Plausible record lines with hostile values, nesting and duplicates."""
    out = [f"type: {draw(st.sampled_from(TYPE_NAMES + ['nothing', '', '[x]']))}"]
    for _ in range(draw(st.integers(0, 14))):
        key = draw(st.sampled_from(FIELD_NAMES) if draw(st.integers(0, 9))
                   else st.sampled_from(["", "x", "? k", "- k", "1", "a b", "整改"]))
        value = draw(values())
        shape = draw(st.integers(0, 5))
        if shape == 0:
            out.append(f"{key}:\n  - {value}\n  - {draw(st.sampled_from(SCALARS))}")
        elif shape == 1:
            out.append(f"{key}:\n  - date: {value}\n    deadline: {draw(st.sampled_from(SCALARS))}"
                       f"\n    reason: {draw(st.sampled_from(SCALARS))}")
        elif shape == 2:
            out.append(f"{key}:\n  for: {value}\n  against: 0\n  abstain: {value}")
        else:
            out.append(f"{key}: {value}")
    if draw(st.integers(0, 3)) == 0:                      # a duplicate key
        out.append(draw(st.sampled_from(out)))
    return out


@st.composite
def record_files(draw) -> bytes:
    """A record file assembled from parts, sometimes damaged at the byte level."""
    lines = draw(front_matter_lines())
    body = draw(st.lists(st.sampled_from(BODY_LINES) | st.text(max_size=20), max_size=8))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    damage = draw(st.sampled_from(["none"] * 8 + ["bom", "utf8", "cut", "no-opening",
                                                  "odd-opening", "no-closing", "dots-closing"]))
    opening = {"no-opening": "", "odd-opening": draw(st.sampled_from(["----", "# 标题", " ---"]))
               }.get(damage, draw(st.sampled_from(["---", "--- ", "---\t"])))
    closing = {"no-closing": [], "dots-closing": ["..."]}.get(damage, ["---"])
    raw = newline.join([opening, *lines, *closing, *body]).encode("utf-8")
    if damage == "bom":
        raw = BOM + raw
    elif damage == "utf8":
        at = draw(st.integers(0, len(raw)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\x80\x80",
                                     b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"]))
        raw = raw[:at] + junk + raw[at:]
    elif damage == "cut":
        raw = raw[:draw(st.integers(0, len(raw)))]
    return raw


@st.composite
def deep_nesting(draw) -> bytes:
    """Brackets thousands deep, deeply indented blocks, nested dashes and keys."""
    n = draw(st.integers(1, 5000))
    kind = draw(st.sampled_from(["flow-seq", "flow-map", "mixed", "unclosed", "dashes",
                                 "keys", "block-map", "block-seq", "quoted"]))
    small = min(n, 400)   # indented blocks grow quadratically; 400 is far past every bound
    front = {
        "flow-seq": "title: " + "[" * n + "x" + "]" * n,
        "flow-map": "title: " + "{a: " * n + "x" + "}" * n,
        "mixed": "title: " + "[{a: " * n + "x" + "}]" * n,
        "unclosed": "title: " + "[" * n,
        "dashes": "title:\n" + "- " * n + "x",
        "keys": "title:\n" + "? " * n + "x",
        "block-map": "title:\n" + "\n".join(" " * i + f"k{i}:" for i in range(1, small)) + " x",
        "block-seq": "title:\n" + "\n".join(" " * i + "-" for i in range(1, small)) + " x",
        "quoted": "title: '" + "[" * n + "'",
    }[kind]
    return ("---\ntype: rectification\n" + front + "\n---\n正文\n").encode("utf-8")


@st.composite
def tags_and_aliases(draw) -> bytes:
    """Anchors, aliases and tags anywhere: keys, values, containers, nested."""
    node = st.sampled_from(["&a", "*a", "!!int", "!!map", "!!python/object:os.system", "!x",
                            "!<tag:x>", "&b [1, *b]", "*missing", "&a &b", "!!binary"])
    lines = ["---", "type: rectification"]
    for i in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, 3))
        tag = draw(node)
        value = draw(st.sampled_from(SCALARS))
        lines.append([f"k{i}: {tag} {value}", f"{tag} k{i}: {value}", f"k{i}: {tag}\n  a: {value}",
                      f"k{i}:\n  - {tag} {value}"][where])
    lines.append("---")
    return "\n".join(lines).encode("utf-8")


@st.composite
def yaml_fragments(draw) -> bytes:
    """Broken YAML: text from YAML's own punctuation, inside well-formed delimiters."""
    alphabet = st.sampled_from(list(":-?[]{},#&*!|>'\"%@`\t \n\\") + ["a", "中", "1", "\r"])
    front = draw(st.text(alphabet=alphabet, max_size=80))
    return ("---\n" + front + "\n---\n").encode("utf-8")


def random_bytes() -> st.SearchStrategy[bytes]:
    prefix = st.sampled_from([b"", b"---\n", BOM, BOM + b"---\n", b"---\r\n", b"---\nid: x\n"])
    suffix = st.sampled_from([b"", b"\n---\n", b"\n---\nbody", b"\r\n---\r\n"])
    return st.builds(lambda p, b, s: p + b + s, prefix, st.binary(max_size=400), suffix)


STRATEGIES = {
    "random-bytes": (random_bytes(), 600),
    "yaml-fragments": (yaml_fragments(), 600),
    "record-files": (record_files(), 600),
    "tags-and-aliases": (tags_and_aliases(), 300),
    "deep-nesting": (deep_nesting(), 300),
}


def _fuzz(strategy: st.SearchStrategy[bytes], **overrides) -> None:
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
              **overrides)
    @given(raw=strategy)
    def run(raw: bytes) -> None:
        check(raw)

    run()


@pytest.mark.parametrize("name", STRATEGIES)
def test_loader_never_raises(name):
    strategy, examples = STRATEGIES[name]
    _fuzz(strategy, max_examples=examples)


@pytest.mark.slow
@pytest.mark.parametrize("name", STRATEGIES)
def test_loader_never_raises_fuzz(name):
    """The same properties, with the profile's (much larger) number of examples."""
    strategy, _ = STRATEGIES[name]
    _fuzz(strategy)


# --- fixed inputs the strategies might take long to find ---------------------------------------


@pytest.mark.parametrize("raw", [
    b"", b"\n", b"---", b"---\n", b"---\n---", b"---\n---\n", b"---\r\n---\r\n", b"\xef\xbb\xbf",
    b"\xef\xbb\xbf---\n---\n", b"---\n\xff\n---\n", b"---\nid: [\n---\n", b"---\n- a\n---\n",
    b"---\nx\n---\n", b"---\n{}\n---\n", b"---\n[]\n---\n", b"---\n? [a]\n: b\n---\n",
    b"---\n[a]: b\n---\n", b"---\n: b\n---\n", b"---\n~: b\n---\n", b"---\na: 1\n...\n---\n",
    b"---\na: 1\n---\nb: 2\n---\n", b"---\n%YAML 1.1\n---\na: 1\n---\n",
    b"---\na: !!python/object/apply:os.system [ls]\n---\n", b"---\na: &x [*x]\n---\n",
    b"---\na: b\na: c\na: d\n---\n", b"---\na:\n  b: 1\n  b: 2\n---\n",
    b"---\na:\n  b:\n    c: 1\n  b:\n    c: 2\n---\n", b"---\n\x00\n---\n", b"---\n\x1b\n---\n",
    b"---\ntype: rectification\ndeadline_extensions:\n  - x\n  - [1]\n"
    b"  - {deadline: 2023-01-01}\n---\n",
    b"---\ntype: resolution\nvotes: [1, 2]\n---\n",
    b"---\ntype: resolution\nvotes:\n  for: x\n  for: y\n---\n",
    b"---\ntype: exchange\nlead: SX-2023-001\n---\n",
    b"---\ntype: [rectification]\n---\n", b"---\ntype: {a: b}\n---\n",
    b"---\n" + b"a" * 70000 + b"\n---\n", b"---\n" + b"[" * 100000 + b"\n---\n",
    b"---\n" + b"- " * 30000 + b"x\n---\n", b"---\n" + b"\n" * 10000 + b"a: 1\n---\n",
])
def test_known_nasty_inputs(raw):
    check(raw)
