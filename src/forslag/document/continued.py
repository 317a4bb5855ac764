"""Tables that break across pages: each page's part becomes a table of its own, captioned "(fortsat)".

CSS repeats a table's header row on every page it crosses, but not its caption, so the reader of the second
page sees amounts under a header with no name. WeasyPrint is asked to lay the document out; a table whose body
rows land on more than one page although it is no taller than a page is then kept whole (class "keep", which
style.css keeps from breaking, so it starts the next page with the heading before it); a taller one is split
in the parsed HTML at the first row of the later page: the rows from there on move to a new table after it,
with a copy of the caption ending in "(fortsat)", the same column widths and the same header, and the
document is laid out again. Each change can move what follows, so this repeats until no table breaks (at most
a few rounds; a table still breaking after them prints as it is, header repeated). A document with no
breaking table is laid out once, as before.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import cssselect2  # type: ignore[import-untyped]  # WeasyPrint's own selector library

CONTINUED = " (fortsat)"
CONTINUED_CLASS = "continued"  # style.css: a continued table starts a page
KEEP_CLASS = "keep"  # style.css: a table that fits on a page is not broken
ROUNDS = 4


def render(html: Any, **options: Any) -> Any:
    """WeasyPrint's Document for `html` (a weasyprint.HTML), every breaking table split into captioned parts."""
    document = html.render(**options)
    for _ in range(ROUNDS):
        breaks = list(_breaks(document))
        if not breaks:
            break
        parents = {child: parent for parent in html.etree_element.iter() for child in parent}
        for table, row, fits in breaks:
            if fits and KEEP_CLASS not in (table.get("class") or "").split():
                # Whole on the next page rather than in two parts (style.css: table.keep).
                table.set("class", f"{table.get('class', '')} {KEEP_CLASS}".strip())
            else:
                _split(table, row, parents)
        # cssselect2 caches each element's children; a new wrapper sees the moved rows.
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)
        document = html.render(**options)
    return document


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def _breaks(document: Any) -> Iterator[tuple[Any, Any, bool]]:
    """(table element, first body row element on a later page, whether the whole table fits on one page) for
    every table whose body crosses a page."""
    from weasyprint.formatting_structure import boxes

    first_page: dict[int, int] = {}
    height: dict[int, float] = {}
    split: dict[int, tuple[Any, Any]] = {}
    room = 0.0
    for number, page in enumerate(document.pages):
        room = max(room, page._page_box.height)
        for box in _walk(page._page_box):
            if not isinstance(box, boxes.TableBox) or box.element is None or box.element.tag != "table":
                continue
            key = id(box.element)
            groups = list(box.children)
            rows = [row for group in groups if not group.is_header for row in group.children]
            # The wrapper holds the caption and the table; a repeated header counts once.
            extent = sum(g.margin_height() for g in groups if not g.is_header or key not in height)
            if key not in height:
                extent += sum(c.margin_height() for c in _captions(page._page_box, box))
            height[key] = height.get(key, 0.0) + extent
            if not rows:
                continue
            if key not in first_page:
                first_page[key] = number
            elif key not in split and number > first_page[key]:
                split[key] = (box.element, rows[0].element)
    for key, (table, row) in split.items():
        yield table, row, height[key] <= room


def _captions(page: Any, table: Any) -> Iterator[Any]:
    """The caption boxes beside `table` in its wrapper (WeasyPrint places both in one wrapper box)."""
    from weasyprint.formatting_structure import boxes

    for box in _walk(page):
        if getattr(box, "is_table_wrapper", False) and table in box.children:
            yield from (c for c in box.children if isinstance(c, boxes.TableCaptionBox))
            return


def _split(table: Any, row: Any, parents: dict[Any, Any]) -> None:
    """Move `row` and every row after it out of `table` into a continued table placed right after it."""
    group = parents[row]
    children = list(table)
    if group not in children:
        return
    part = table.makeelement(table.tag, dict(table.attrib))
    number = int(table.get("data-part", "1")) + 1
    part.set("data-part", str(number))
    if table.get("id"):
        part.set("id", f"{table.get('id').split('-fortsat')[0]}-fortsat-{number}")
    part.set("class", f"{table.get('class', '')} {CONTINUED_CLASS}".strip())
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
    part.append(rest)
    for child in children[children.index(group) + 1 :]:
        if child.tag in ("tbody", "tfoot"):
            table.remove(child)
            part.append(child)
    if not len(group):
        table.remove(group)
    parent = parents[table]
    parent.insert(list(parent).index(table) + 1, part)
    parents[part] = parent


def _append_text(element: Any, text: str) -> None:
    last = element[-1] if len(element) else None
    if last is None:
        element.text = (element.text or "").rstrip() + text
    else:
        last.tail = (last.tail or "").rstrip() + text
