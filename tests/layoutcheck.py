"""Reading WeasyPrint's layout back in tests: where every table cell, caption and row landed on which page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from forslag.document.continued import laid_out
from forslag.document.fonts import font_face_css

EPSILON = 0.5  # CSS px: rounding in the layout


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def _text(box: Any) -> str:
    return " ".join(b.text for b in _walk(box) if isinstance(b, boxes.TextBox)).strip()


@dataclass
class Row:
    page: int
    cells: list[Any]
    texts: list[str]
    classes: str
    header: bool


@dataclass
class Table:
    """One table of the source, with its parts: a table that breaks is printed as parts captioned "(fortsat)"."""

    classes: str
    caption_pages: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)  # each part's caption, in order


@dataclass
class Layout:
    pages: list[Any]
    tables: list[Table]
    page_heights: list[tuple[float, float]]  # (height used by text and images, content height) of each page
    root: Any = None  # the parsed HTML the pages were laid out from
    layouts: int = 1  # how many times WeasyPrint laid the document out (continued.py)
    document: Any = None  # WeasyPrint's Document, to print


def _key(element: Any) -> Any:
    """A table's parts share the id of the first (continued.py names the others <id>-fortsat-<n>)."""
    ident = element.get("id")
    return ident.split("-fortsat")[0] if ident else id(element)


def layout(html: str) -> Layout:
    """Lay the page out as the PDF is printed (fonts read from their installed files)."""
    printable = html.replace(font_face_css(False), font_face_css(True), 1)
    document, layouts = laid_out(HTML(string=printable, base_url="/"))
    tables: dict[Any, Table] = {}
    captions: dict[Any, list[int]] = {}
    texts: dict[Any, list[str]] = {}
    used: list[tuple[float, float]] = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        bottom = 0.0
        for box in _walk(page_box):
            if isinstance(box, boxes.TableBox):
                key = _key(box.element)
                table = tables.setdefault(key, Table(box.element.get("class", "")))
                for group in box.children:
                    header = bool(getattr(group, "is_header", False))
                    for row in group.children:
                        cells = list(row.children)
                        table.rows.append(
                            Row(number, cells, [_text(c) for c in cells], row.element.get("class", ""), header)
                        )
            elif getattr(box, "is_table_wrapper", False) and any(
                isinstance(c, boxes.TableCaptionBox) for c in box.children
            ):
                # The wrapper holds the caption and the table, and shares the table's element.
                captions.setdefault(_key(box.element), []).append(number)
                caption = next(c for c in box.children if isinstance(c, boxes.TableCaptionBox))
                texts.setdefault(_key(box.element), []).append(_text(caption))
            top, bottom_edge = page_box.margin_top, page_box.margin_top + page_box.height
            if isinstance(box, boxes.TextBox | boxes.ReplacedBox) and top <= box.position_y <= bottom_edge:
                bottom = max(bottom, box.position_y + box.height)
        used.append((bottom - page_box.margin_top, page_box.height))
    for key, table in tables.items():
        table.caption_pages = captions.get(key, [])
        table.captions = texts.get(key, [])
    return Layout(list(document.pages), list(tables.values()), used, document._html.etree_element, layouts, document)


def overlaps(table: Table) -> list[str]:
    """Every cell whose box runs into its neighbour's, or whose text runs out of its box."""
    problems = []
    for row in table.rows:
        edges = [(c.border_box_x(), c.border_box_x() + c.border_width()) for c in row.cells]
        for (_, right), (next_left, _), text in zip(edges, edges[1:], row.texts, strict=False):
            if right > next_left + EPSILON:
                problems.append(f"page {row.page}: cell {text!r} overlaps the next one")
        for cell, text in zip(row.cells, row.texts, strict=True):
            lo, hi = cell.padding_box_x(), cell.padding_box_x() + cell.padding_width()
            for t in _walk(cell):
                outside = t.position_x < lo - EPSILON or t.position_x + t.width > hi + EPSILON
                if isinstance(t, boxes.TextBox) and t.text.strip() and outside:
                    problems.append(f"page {row.page}: the text {t.text!r} runs out of its cell ({text!r})")
    return problems


def split_rows(table: Table) -> list[str]:
    """Rows whose label and amounts landed on different pages (a row in two fragments)."""
    problems = []
    for row in table.rows:
        if row.header or len(row.texts) < 2:
            continue
        label, rest = row.texts[0], " ".join(row.texts[1:])
        if not label and rest:
            problems.append(f"page {row.page}: amounts {rest!r} without their label")
    return problems


TOTALS = {"subtotal", "total", "grand", "payback"}


def broken_badly(table: Table) -> list[str]:
    """A table's parts, as a committee member reads them: every page of rows has its caption (the later ones
    say "(fortsat)"), no page holds totals without a row they add, and no page holds a single row of a longer
    table."""
    problems = []
    body = [r for r in table.rows if not r.header]
    pages = sorted({r.page for r in body})
    if table.captions and table.caption_pages != pages:
        problems.append(f"{table.classes}: captions on pages {table.caption_pages}, rows on pages {pages}")
    for caption in table.captions[1:]:
        if not caption.endswith("(fortsat)"):
            problems.append(f"{table.classes}: the continued part's caption {caption!r} does not say (fortsat)")
    for page in pages[1:] if len(pages) > 1 else []:
        rows = [r for r in body if r.page == page]
        if all(set(r.classes.split()) & TOTALS for r in rows):
            problems.append(f"{table.classes}: page {page} holds totals alone: {[r.texts[0] for r in rows]}")
        if len(body) >= 4 and len(rows) < 2:
            problems.append(f"{table.classes}: one row alone on page {page}: {rows[0].texts[0]!r}")
    if len(pages) > 1 and len(body) >= 4 and sum(1 for r in body if r.page == pages[0]) < 2:
        problems.append(f"{table.classes}: one row alone on page {pages[0]}")
    return problems


def outside_text_block(laid: Layout) -> list[str]:
    """Every box of the page body (a table, a rule, a cell, a caption, a line) that reaches into a margin."""
    problems = []
    for number, page in enumerate(laid.pages, start=1):
        page_box = page._page_box
        left, right = page_box.content_box_x(), page_box.content_box_x() + page_box.width
        for box in _walk_body(page_box):
            x = box.border_box_x()
            if x < left - EPSILON or x + box.border_width() > right + EPSILON:
                element = getattr(box, "element", None)
                name = f"{element.tag}.{element.get('class', '')}" if element is not None else type(box).__name__
                problems.append(
                    f"page {number}: {name} {_text(box)[:40]!r} spans x = {x * 0.75:.1f}-"
                    f"{(x + box.border_width()) * 0.75:.1f} pt, the text block {left * 0.75:.1f}-{right * 0.75:.1f}"
                )
    return problems


def _walk_body(page_box: Any) -> Iterator[Any]:
    """Every box of a page but its margin boxes (the running header, the stamp, the page number)."""
    for child in page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from _walk(child)


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def line_pages(laid: Layout) -> dict[Any, list[int]]:
    """Every block element's lines, as the page number of each line."""
    pages_of: dict[Any, list[int]] = {}
    for number, page in enumerate(laid.pages, start=1):
        for box in _walk_body(page._page_box):
            if isinstance(box, boxes.BlockContainerBox) and box.element is not None:
                lines = sum(1 for c in box.children if isinstance(c, boxes.LineBox))
                pages_of.setdefault(box.element, []).extend([number] * lines)
    return pages_of


def stranded_headings(laid: Layout) -> list[str]:
    """Headings left at a page's foot: fewer than two lines of what they head on their page, the rest on the
    next ("4. Risikovurdering / Samlet risiko: Mellem", its text overleaf)."""
    pages_of = line_pages(laid)
    parents = {child: parent for parent in laid.root.iter() for child in parent}
    problems = []
    for element in laid.root.iter():
        if element.tag not in HEADINGS or element not in pages_of:
            continue
        page = max(pages_of[element])
        # What the heading heads: what follows it in its own container (a section, a line), to the next heading.
        within = list(parents[element].iter())
        following: list[int] = []
        for other in within[within.index(element) + 1 :]:
            if other.tag in HEADINGS or other.tag in ("table", "figure") or other.get("role") == "region":
                break  # a table or figure has a caption of its own and may start the next page
            following.extend(pages_of.get(other, []))
        if following and following.count(page) < 2 and any(p > page for p in following):
            text = " ".join("".join(element.itertext()).split())
            problems.append(f"page {page}: the heading {text!r} has {following.count(page)} line(s) under it")
    return problems
