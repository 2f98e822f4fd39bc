"""The body allow-list: the one definition of what survives sanitising.

The renderer cleans every body's HTML with it (`clean`), and the body checks ask the same
sanitiser whether a URL or an attribute would survive (`keeps_url`, `keeps_attribute`), so
the validator rejects exactly what publishing would remove and the two cannot disagree.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3

# What Markdown's tables/admonition/lists produce, nothing else.
TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "u", "s", "del", "ins", "sup", "sub",
                  "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h2", "h3",
                  "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
                  "div", "span", "abbr"})
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "h2": {"id"}, "h3": {"id"},
              "h4": {"id"}, "h5": {"id"}, "h6": {"id"}, "th": {"align"}, "td": {"align"}}
ADMONITION_CLASSES = frozenset({"admonition", "note", "abstract", "info", "tip", "success",
                                "question", "warning", "failure", "danger", "bug", "example",
                                "quote"})
CLASSES = {"div": set(ADMONITION_CLASSES), "p": {"admonition-title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Attributes whose value a browser loads or follows as a URL (HTML 4 and 5, SVG). The
# sanitiser drops them or checks their scheme; the body checks test each one's scheme.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "poster",
                            "cite", "data", "codebase", "longdesc", "usemap", "icon",
                            "manifest", "xlink:href", "srcset", "dynsrc", "lowsrc", "ping",
                            "archive", "classid", "profile"})


def clean(html: str) -> str:
    """Body HTML with everything outside the allow-list removed."""
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                     link_rel=LINK_REL, strip_comments=True, allowed_classes=CLASSES)


@lru_cache(maxsize=4096)
def keeps_url(url: str) -> bool:
    """Whether a link to `url`, as written in the body, survives sanitising. Entities stay
    as written, because the HTML parser decodes them before the sanitiser judges the scheme."""
    probe = '<a href="' + url.replace('"', "&quot;") + '">x</a>'
    return " href=" in clean(probe)


@lru_cache(maxsize=4096)
def keeps_attribute(tag: str, name: str, value: str) -> bool:
    """Whether `name="value"` on a `<tag>` the sanitiser keeps survives sanitising."""
    tag, name = tag.lower(), name.lower()
    if tag not in TAGS or not name.replace("-", "").replace(":", "").isalnum():
        return False
    closing = "" if tag in ("br", "hr") else f"</{tag}>"
    probe = f'<{tag} {name}="{value.replace(chr(34), "&quot;")}">x{closing}'
    if tag in ("li", "dt", "dd", "tr", "th", "td", "thead", "tbody"):
        probe = _in_context(tag, probe)
    kept = re.search(f' {re.escape(name)}="([^"]*)"', clean(probe))
    # Kept means kept as written: the sanitiser may also thin out a class list.
    return kept is not None and html.unescape(kept.group(1)).split() == html.unescape(value).split()


def _in_context(tag: str, probe: str) -> str:
    """Table and list parts only parse inside their parents."""
    if tag == "li":
        return f"<ul>{probe}</ul>"
    if tag in ("dt", "dd"):
        return f"<dl>{probe}</dl>"
    if tag in ("th", "td"):
        return f"<table><tbody><tr>{probe}</tr></tbody></table>"
    if tag == "tr":
        return f"<table><tbody>{probe}</tbody></table>"
    return f"<table>{probe}</table>"
