"""Record: a validated document with typed field values, the unit every later stage works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .strict_yaml import line_of


@dataclass
class Record:
    id: str
    type: str
    path: str
    fields: dict[str, Any]          # typed values: date, int, bool, str, list, dict
    body: str
    body_line: int = 1
    lines: dict[tuple, int] = field(default_factory=dict)
    visibility: str = "public"      # effective: the record's own, else its type's default
    # Set when the type derives its status from its children (derived_status.py): the status
    # as typed in the file when the derived one replaced it, and the IDs of the children it
    # was derived from (None: the status is not derived, so no other file decides it).
    typed_status: str | None = None
    derived_from: tuple[str, ...] | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @property
    def status(self) -> str:
        return self.fields.get("status", "")

    @property
    def written_status(self) -> str:
        """The status as typed in the file (what an editor changes and the lifecycle checks)."""
        return self.typed_status if self.typed_status is not None else self.status

    @property
    def title(self) -> str:
        return self.fields.get("title", self.id)

    def line(self, *path: Any) -> int:
        """The line of a field (or the nearest enclosing one) in the record's file."""
        return line_of(self.lines, path)


def mentioned(value: Any, known: dict[str, Any]) -> list[str]:
    """IDs of known records that occur anywhere in a record's field values, at any depth: the
    records a record's projection and digest depend on."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in known:
                found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
