"""Pagination for render: long lists are split into pages of `settings.page_size` rows.

Every listing, the ledger, the overdue page, the change log and a record's list of children
would otherwise grow with the number of records (one page held 3 MB at 10 000 records).
Page 1 keeps the list's own URL, so every link to a list stays valid; page n lives at
`<list>/page/<n>/`. Every page links to the previous and next one and to nearby page
numbers, so without JavaScript every row is reachable. Numbers and links are computed here;
templates only place them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, TypeVar

T = TypeVar("T")
K = TypeVar("K")

# Page numbers linked on either side of the current page (the first and last are always
# linked): the navigation stays a few links long however many pages there are.
NEARBY = 2


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True)
class Pager:
    """Where one page sits in its list: shown as 第 2 / 37 页 with links around it."""

    number: int
    count: int
    first: int          # 1-based position of the page's first row in the whole list
    last: int
    total: int
    links: tuple[PageLink | None, ...]     # None stands for skipped numbers (…)
    previous: str | None
    next: str | None

    def __str__(self) -> str:
        return f"第 {self.number} / {self.count} 页"

    @property
    def range_text(self) -> str:
        return f"第 {self.first}–{self.last} 条，共 {self.total} 条"

    @property
    def title_suffix(self) -> str:
        """Added to the title of pages after the first, so every page's title is unique."""
        return "" if self.number == 1 else f"（第 {self.number} 页）"


def root_of(path: str) -> str:
    """The way from a docs-tree page to the site root, as directory URLs place the page:
    `x/index.md` is served at /x/, `x/y.md` at /x/y/."""
    depth = path.count("/") + (0 if path.endswith("index.md") else 1)
    return "../" * depth


def folder_of(path: str) -> str:
    """The URL folder of a page: ledger.md → ledger, rectification/index.md → rectification."""
    stem = path[:-len(".md")]
    return stem[:-len("/index")] if stem.endswith("/index") else stem


def page_path(path: str, number: int) -> str:
    return path if number == 1 else f"{folder_of(path)}/page/{number}.md"


def _href(path: str, number: int, root: str) -> str:
    return f"{root}{folder_of(path)}/" + ("" if number == 1 else f"page/{number}/")


def numbers(number: int, count: int) -> list[int | None]:
    """The page numbers linked from page `number`: the first, the last and NEARBY on either
    side, None where numbers are skipped."""
    keep = sorted({1, count} | set(range(max(1, number - NEARBY), min(count, number + NEARBY) + 1)))
    out: list[int | None] = []
    for n in keep:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def paginate(path: str, rows: Sequence[T], size: int) -> list[tuple[str, Sequence[T], Pager]]:
    """(docs path, rows, pager) for each page of the list first published at `path`; an
    empty list is one empty page."""
    count = max(1, -(-len(rows) // size))
    out = []
    for number in range(1, count + 1):
        mine = page_path(path, number)
        root = root_of(mine)
        chunk = rows[(number - 1) * size:number * size]
        first = (number - 1) * size + 1 if chunk else 0
        pager = Pager(
            number=number, count=count, first=first, last=first + len(chunk) - 1 if chunk else 0,
            total=len(rows),
            links=tuple(None if n is None else PageLink(n, _href(path, n, root), n == number)
                        for n in numbers(number, count)),
            previous=_href(path, number - 1, root) if number > 1 else None,
            next=_href(path, number + 1, root) if number < count else None)
        out.append((mine, chunk, pager))
    return out


def regroup(rows: Sequence[tuple[K, T]]) -> list[tuple[K, list[T]]]:
    """(key, row) pairs of one page back into consecutive groups: a list made of sections
    (one per type, one per day) is paginated as one list, and each page shows the parts of
    the sections it holds under their headings."""
    out: list[tuple[K, list[T]]] = []
    for key, row in rows:
        if not out or out[-1][0] != key:
            out.append((key, []))
        out[-1][1].append(row)
    return out
