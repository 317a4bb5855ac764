"""Tables that break across pages: each page's part becomes a table of its own, captioned "(fortsat)".

CSS repeats a table's header row on every page it crosses, but not its caption, so the reader of the second
page sees amounts under a header with no name. WeasyPrint is asked to lay the document out; a table whose body
rows land on more than one page although it is no taller than a page is then kept whole (class "keep", which
style.css keeps from breaking, so it starts the next page with the heading before it); a taller one is split
in the parsed HTML at the first row of EVERY later page it reaches, in one go: each page's rows become a table
of their own after it, with a copy of the caption ending in "(fortsat)", the same column widths and the same
header, starting a page (style.css: table.continued), and the document is laid out again.

A part that begins a page is one caption (and the table's top margin) taller than the rows it holds were on
that page, where only the header repeated. Where the boxes of the first layout show no room for that below
the page's last row, the part is made to end that many rows earlier (at a row where style.css allows a
break, keeping two rows on the page), and those rows open the next part, which the same reckoning then
checks in turn; rows carried off the last page open a part of their own. So a table of any length costs one
more layout, not one per page. Should a page still break differently (text after the table that must stay
with its last rows, a row whose height changes in its new table), the next layout shows it and that part is
split or kept again, for at most a few rounds; a table still breaking after them prints as it is, header
repeated. A document with no breaking table is laid out once, as before.

Deciding the splits before the first layout was weighed and left: the rows' heights depend on how their
labels wrap and hyphenate, which only the layout knows (tablelayout.py estimates widths, not line breaks),
and WeasyPrint cannot lay out again from a given page, since its boxes are built anew from the whole tree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import cssselect2  # type: ignore[import-untyped]  # WeasyPrint's own selector library

CONTINUED = " (fortsat)"
CONTINUED_CLASS = "continued"  # style.css: a continued table starts a page
KEEP_CLASS = "keep"  # style.css: a table that fits on a page is not broken
ROUNDS = 4
AVOID = ("avoid", "avoid-page")  # break values that forbid a page break between two rows
EPSILON = 0.5  # CSS px: rounding in the layout


def render(html: Any, **options: Any) -> Any:
    """WeasyPrint's Document for `html` (a weasyprint.HTML), every breaking table split into captioned parts."""
    return laid_out(html, **options)[0]


# What the rounds did to the tree, in order: ("keep", table) or ("split", table, row), each table by its place
# among the document's tables and each row by its place among that table's body rows, at that moment.
Plan = list[tuple[Any, ...]]


def laid_out(html: Any, plan: Plan | None = None, **options: Any) -> tuple[Any, int]:
    """`render`'s Document, and how many times the document was laid out to make it."""
    document, layouts, _ = planned(html, plan, **options)
    return document, layouts


def planned(html: Any, plan: Plan | None = None, **options: Any) -> tuple[Any, int, Plan | None]:
    """`laid_out`, from a `plan` another layout of the same document made (see `shape`), and the plan this
    layout followed. The plan is carried out before the first layout; if that layout then needs no more
    (no table breaks), one layout was enough, and the tree is the one the rounds would have made. If it does
    not hold, the plan is dropped: the third element is None, and the caller lays the document out afresh
    without it (a tree edited by a wrong plan is not the one the rounds make)."""
    made: Plan = []
    if plan:
        try:
            for step in plan:
                _replay(html.etree_element, step)
        except (IndexError, ValueError, TypeError):
            return None, 0, None
        made = list(plan)
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)
    document = html.render(**options)
    layouts = 1
    for _ in range(ROUNDS):
        breaks = list(_breaks(document))
        if not breaks:
            break
        if plan:
            return None, layouts, None
        parents = {child: parent for parent in html.etree_element.iter() for child in parent}
        changed = False
        for table, rows, fits in breaks:
            if fits:
                # Whole on the next page rather than in two parts (style.css: table.keep).
                made.append(("keep", _place(html.etree_element, table)))
                table.set("class", f"{table.get('class', '')} {KEEP_CLASS}".strip())
                changed = True
                continue
            part = table
            for row in rows:
                step = ("split", _place(html.etree_element, part), _row_place(part, row))
                split = _split(part, row, parents)
                if split is None:
                    break
                if split is not part:
                    made.append(step)
                changed = changed or split is not part
                part = split
        if not changed:
            break  # the same tree would give the same pages
        # cssselect2 caches each element's children; a new wrapper sees the moved rows.
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)
        document = html.render(**options)
        layouts += 1
    return document, layouts, made


def _body_rows(table: Any) -> list[Any]:
    return [row for child in table if child.tag in ("tbody", "tfoot") for row in child]


def _place(root: Any, table: Any) -> int:
    return next(i for i, t in enumerate(root.iter("table")) if t is table)


def _row_place(table: Any, row: Any) -> int:
    return next(i for i, r in enumerate(_body_rows(table)) if r is row)


def _replay(root: Any, step: tuple[Any, ...]) -> None:
    table = list(root.iter("table"))[int(step[1])]
    if step[0] == "keep":
        table.set("class", f"{table.get('class', '')} {KEEP_CLASS}".strip())
        return
    if step[0] != "split":
        raise ValueError(f"unknown step {step[0]!r}")
    row = _body_rows(table)[int(step[2])]
    parents = {child: parent for parent in root.iter() for child in parent}
    if _split(table, row, parents) in (None, table):
        raise ValueError("a split that moves nothing")


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


@dataclass
class _Seen:
    """One table as the layout placed it: its body rows page by page, and what a part starting a page adds."""

    element: Any
    pages: list[list[Any]] = field(default_factory=list)  # the body row boxes on each page its body reaches
    numbers: list[int] = field(default_factory=list)  # which page of the document each of those is
    height: float = 0.0  # the whole table on one page: caption, header once, every row group
    extra: float = 0.0  # a copy of the caption, with the margin above the table, on a page of its own


@dataclass
class _Page:
    bottom: float  # the content box's bottom edge
    free: float  # the space below the page's last line, row or image
    pushed: float = 0.0  # how far the splits decided so far push down what follows them on the page


def _breaks(document: Any) -> Iterator[tuple[Any, list[Any], bool]]:
    """(table element, the first body row element of each later part, whether to keep it whole: it fits on
    one page and was not kept whole already) for every table whose body crosses a page, in document order.
    A table after one that moves (kept whole, or pushing text onto the next page) waits for the next layout,
    which shows where it lands."""
    tables, pages, room = _measure(document)
    settled = len(pages)  # tables starting on this page or later wait for the next layout
    for table in tables:
        if len(table.pages) < 2:
            continue
        if table.numbers[0] >= settled:
            break
        if table.height <= room and KEEP_CLASS not in (table.element.get("class") or "").split():
            yield table.element, [], True
            settled = table.numbers[0]
            continue
        starts, last = _starts(table, pages)
        yield table.element, starts, False
        if last != table.numbers[-1]:  # rows carried off its last page: what follows moves a page on
            settled = min(settled, table.numbers[-1])
        elif pages[last].pushed > pages[last].free + EPSILON:  # text pushed onto the next page
            settled = min(settled, last + 1)


def _measure(document: Any) -> tuple[list[_Seen], list[_Page], float]:
    """Every table of the layout in document order, every page's room, and the tallest page's height."""
    from weasyprint.formatting_structure import boxes

    seen: dict[int, _Seen] = {}
    pages: list[_Page] = []
    wrappers: dict[int, Any] = {}  # each table's wrapper on the page being walked (it holds the caption)
    room = 0.0
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        room = max(room, page_box.height)
        bottom = page_box.content_box_y() + page_box.height
        used = page_box.content_box_y()
        for box in _walk_body(page_box):
            if isinstance(box, boxes.LineBox | boxes.ReplacedBox | boxes.TableRowBox):
                used = max(used, box.position_y + box.height)
            if getattr(box, "is_table_wrapper", False) and box.element is not None:
                wrappers[id(box.element)] = box  # a pre-order walk meets the wrapper before its table
                continue
            if not isinstance(box, boxes.TableBox) or box.element is None or box.element.tag != "table":
                continue
            key = id(box.element)
            groups = list(box.children)
            rows = [row for group in groups if not group.is_header for row in group.children]
            first = key not in seen
            table = seen.setdefault(key, _Seen(box.element))
            # The wrapper holds the caption and the table; a repeated header counts once.
            table.height += sum(g.margin_height() for g in groups if first or not g.is_header)
            if first:
                wrapper = wrappers.get(key)
                captions = [c for c in wrapper.children if isinstance(c, boxes.TableCaptionBox)] if wrapper else []
                caption = sum(c.margin_height() for c in captions)
                table.height += caption
                # A part after a forced page break keeps the table's top margin (WeasyPrint drops it only
                # after an unforced one), so it is counted, whatever the first page did with it.
                margin = wrapper.style["margin_top"] if wrapper is not None else None
                table.extra = caption + (float(margin.value) if margin is not None and margin.unit == "px" else 0.0)
            if rows:
                table.pages.append(rows)
                table.numbers.append(number)
        pages.append(_Page(bottom, bottom - used))
    return list(seen.values()), pages, room


def _walk_body(page: Any) -> Iterator[Any]:
    """Every box of a page but its margin boxes (the running header, the page number)."""
    from weasyprint.formatting_structure import boxes

    for child in page.children:
        if not isinstance(child, boxes.MarginBox):
            yield from _walk(child)


def _starts(table: _Seen, pages: list[_Page]) -> tuple[list[Any], int]:
    """The first body row element of each part after the first, and the page the last part lands on: each
    later page's first row, moved earlier where the part's caption would not fit above the rows the page
    held, or where a split before it on the same page pushed the rows down (the module's docstring)."""
    parts = [list(rows) for rows in table.pages]
    numbers = list(table.numbers)
    carried: list[Any] = []
    for index in range(len(table.pages) + 1):
        if index == len(table.pages):
            if not carried:
                break
            parts.append(carried)  # rows carried off the last page open a part of their own
            numbers.append(numbers[-1] + 1)
            break
        rows, page = parts[index], pages[numbers[index]]
        added = page.pushed if index == 0 else table.extra
        room = page.bottom - (rows[-1].position_y + rows[-1].height) - sum(map(_height, carried)) - added
        rows[:0] = carried
        carried = _overflow(rows, -room)
        del rows[len(rows) - len(carried) :]
    last = pages[numbers[-1]] if numbers[-1] < len(pages) else None
    if last is not None:
        # What follows the table on its last page moves down by the caption and the rows carried there.
        last.pushed += table.extra + sum(map(_height, parts[-1])) - sum(map(_height, table.pages[-1]))
    return [rows[0].element for rows in parts[1:] if rows], numbers[-1]


def _overflow(rows: list[Any], need: float) -> list[Any]:
    """The fewest rows off the end of a page that free `need` px, ending the part where a break is allowed
    and leaving two rows on the page; none when the page has room, or when no such break frees enough."""
    if need <= 0:
        return []
    freed = 0.0
    for cut in range(len(rows) - 1, 1, -1):  # the part keeps rows[:cut], at least two
        freed += _height(rows[cut])
        if freed >= need and _breakable(rows[cut - 1], rows[cut]):
            return rows[cut:]
    return []


def _height(row: Any) -> float:
    return float(row.margin_height())


def _breakable(before: Any, after: Any) -> bool:
    """Whether style.css lets a page break fall between two rows (no lone first row, no lone total)."""
    return before.style["break_after"] not in AVOID and after.style["break_before"] not in AVOID


def _split(table: Any, row: Any, parents: dict[Any, Any]) -> Any:
    """Move `row` and every row after it out of `table` into a continued table placed right after it; the new
    table (`table` itself when `row` is its first), or None when `row` is not in `table`'s body."""
    group = parents.get(row)
    children = list(table)
    if group is None or group not in children:
        return None
    body = [r for child in children if child.tag in ("tbody", "tfoot") for r in child]
    if body and body[0] is row:
        return table  # a row taller than a page, on the next page as well: no part without rows
    part = table.makeelement(table.tag, dict(table.attrib))
    number = int(table.get("data-part", "1")) + 1
    part.set("data-part", str(number))
    if table.get("id"):
        part.set("id", f"{table.get('id').split('-fortsat')[0]}-fortsat-{number}")
    classes = (table.get("class") or "").split()
    part.set("class", " ".join(classes if CONTINUED_CLASS in classes else [*classes, CONTINUED_CLASS]))
    for child in children:
        if child.tag == "caption":
            caption = copy.deepcopy(child)
            if not "".join(caption.itertext()).rstrip().endswith(CONTINUED.strip()):
                _append_text(caption, CONTINUED)
            part.append(caption)
        elif child.tag in ("colgroup", "col", "thead"):
            part.append(copy.deepcopy(child))
    rest = group.makeelement(group.tag, dict(group.attrib))
    rows = list(group)
    for moved in rows[rows.index(row) :]:
        group.remove(moved)
        rest.append(moved)
        parents[moved] = rest  # a later split of the same round finds the row in its new group
    part.append(rest)
    parents[rest] = part
    for child in children[children.index(group) + 1 :]:
        if child.tag in ("tbody", "tfoot"):
            table.remove(child)
            part.append(child)
            parents[child] = part
    if not len(group):
        table.remove(group)
    parent = parents[table]
    parent.insert(list(parent).index(table) + 1, part)
    parents[part] = parent
    return part


def _append_text(element: Any, text: str) -> None:
    last = element[-1] if len(element) else None
    if last is None:
        element.text = (element.text or "").rstrip() + text
    else:
        last.tail = (last.tail or "").rstrip() + text
