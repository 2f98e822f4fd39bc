"""How a field value reads: the one rule for a single value as text — yes/no, ISO dates, enum
and status labels, registry names instead of IDs — used by every stage that shows values
(pages, timelines and feeds, dashboards, statistics headings, the reviewer's summary).

Lists and objects are laid out by each reader, since the layout is the reader's (a page shows a
table, a feed one line, a reviewer "label value" pairs); the values inside read the same
everywhere."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:   # annotations only: statistics reads values without loading the model
    from .model import FieldSpec, Lifecycle, Registry

YES, NO = "是", "否"
# The registry's two sections a reference may name instead of a record type.
REGISTRY_KINDS = ("body", "unit")


def registry_kind(spec: FieldSpec | None) -> str | None:
    """The registry section ("body" or "unit") a reference names; None for anything else."""
    if spec is not None and spec.type == "ref" and spec.to and spec.to[0] in REGISTRY_KINDS:
        return spec.to[0]
    return None


def registry_name(registry: Registry, kind: str, key: Any) -> str:
    """The registered name of a body or unit; its ID where the registry does not know it."""
    entries = registry.entries(kind)
    return entries[key].name if key in entries else str(key)


def date_html(value: date) -> Markup:
    """A date on a page: a `<time>` element, which the stylesheet keeps on one line
    ("2023-05-" / "31" on a phone otherwise), with no script needed."""
    day = value.isoformat()      # digits and hyphens only: nothing to escape
    return Markup(f'<time datetime="{day}">{day}</time>')


_ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4}-[0-9]{2}-[0-9]{2})(?![0-9])")


def dated_text(text: str) -> Markup:
    """Plain text composed in Python ("…：2023-11-06 征询，已 12 日未回复"), escaped, with
    each ISO date in it a `<time>` as `date_html` writes it."""
    return Markup(_ISO_DATE.sub(r'<time datetime="\1">\1</time>', str(escape(text))))


def scalar_text(value: Any, spec: FieldSpec | None, registry: Registry,
                lifecycle: Lifecycle | None = None) -> str:
    """A single (not list, not object) value as an editor or citizen reads it."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, date):
        return value.isoformat()
    if spec is not None and spec.type == "enum":
        return spec.values.get(str(value), str(value))
    if spec is not None and spec.type == "status" and lifecycle is not None:
        return lifecycle.label(value)
    kind = registry_kind(spec)
    if kind is not None:
        return registry_name(registry, kind, value)
    return str(value)
