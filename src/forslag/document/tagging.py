"""Finishing WeasyPrint's tagged PDF for PDF/UA-1 and PDF/A-2a before it is written.

WeasyPrint (70) tags the page body, but leaves seven things short of PDF/UA that are fixed here, on its own
objects, so the bytes stay as deterministic as WeasyPrint's:
- text in page-margin boxes (running header, stamp, page numbers) is marked with an MCID whose structure
  element hangs outside the tree; it becomes a pagination artifact and leaves the parent tree;
- a table header cell has no Scope; it gets the HTML scope (Row for a row heading, Column otherwise);
- a block row's header (scope=rowgroup) and a row header spanning rows are in no data cell's Headers;
- header cells carry IDs that table cells' Headers refer to, but the tree has no IDTree to find them by;
- a Figure's BBox is in CSS pixels from the page's top instead of PDF points from its bottom;
- an element that crosses a page break is one structure element per page; the pieces are joined;
- the hyphen that hyphenation adds at a line end maps to U+2010, so text search and speech read a split
  word; it is mapped to U+00AD, the soft hyphen ISO 32000-1 (14.8.2.2.3) asks for.

One more change serves the bound case: each page's number is drawn from a content stream of its own
(`folio_streams`), which the binder replaces with the bound case's number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
import weasyprint.pdf.tags

from forslag.document.xmp import Xmp

# The hyphen WeasyPrint adds where it hyphenates (CSS hyphenate-character: auto) and what it becomes.
HYPHENATION_CHARACTER = "\u2010"


def _number(reference: Any) -> int:
    return int(bytes(reference).split()[0]) if isinstance(reference, bytes) else int(str(reference).split()[0])


def _reachable(pdf: Any, root: Any) -> set[int]:
    """Object numbers of the structure elements the tree reaches from its root."""
    seen: set[int] = set()
    stack = [k for k in root["K"]]
    while stack:
        kid = stack.pop()
        if not isinstance(kid, bytes):
            continue  # an MCID
        number = _number(kid)
        element = pdf.objects[number]
        if number in seen or not isinstance(element, dict) or element.get("Type") != "/StructElem":
            continue
        seen.add(number)
        stack.extend(element.get("K", ()))
    return seen


# Which HTML element each structure element was made for. WeasyPrint builds the tree page by page, so an
# element that crosses a page break becomes one structure element per page; knowing their element lets
# `join_split_elements` make them one again. WeasyPrint's tree builder is a recursive module function that
# calls itself by its module name, so wrapping it there sees every element it makes (a private hook: see
# forslag.document.hooks, whose check names it when a WeasyPrint release changes it).
_ORIGINS = "forslag_origins"


def _recording(build: Any) -> Any:
    def recorded(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
        origins = pdf.__dict__.setdefault(_ORIGINS, {})
        source = getattr(box, "_box", box)
        for element in build(box, parent, pdf, *args):
            # The innermost call sees an element first; html, body and page boxes pass theirs through.
            origins.setdefault(element.number, getattr(source, "element", None))
            yield element

    recorded.forslag_wrapped = True  # type: ignore[attr-defined]
    recorded.__wrapped__ = build  # type: ignore[attr-defined]  # forslag.document.hooks checks the original
    return recorded


if not getattr(weasyprint.pdf.tags._build_box_tree, "forslag_wrapped", False):
    weasyprint.pdf.tags._build_box_tree = _recording(weasyprint.pdf.tags._build_box_tree)

# Elements never joined: tables keep one Table per page (each with its header row, which WeasyPrint
# repeats), and elements that own marked content directly would need it re-pointed across pages.
_KEEP_APART = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD", "/Caption", "/Link", "/Figure"}


def join_split_elements(pdf: Any) -> int:
    """Makes the per-page pieces of one HTML element (a section, a paragraph, a list) one structure element."""
    origins: dict[int, Any] = pdf.__dict__.get(_ORIGINS, {})
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    joined = 0

    def owns_content(element: Any) -> bool:
        return any(
            not isinstance(k, bytes) or pdf.objects[_number(k)].get("Type") != "/StructElem" for k in element["K"]
        )

    def join(element: Any) -> None:
        nonlocal joined
        kept: list[Any] = []
        for kid in element["K"]:
            child = pdf.objects[_number(kid)] if isinstance(kid, bytes) else None
            previous = pdf.objects[_number(kept[-1])] if kept and isinstance(kept[-1], bytes) else None
            if (
                child is not None
                and previous is not None
                and child.get("Type") == previous.get("Type") == "/StructElem"
                and child["S"] == previous["S"]
                and child["S"] not in _KEEP_APART
                and origins.get(child.number) is not None
                and origins.get(child.number) is origins.get(previous.number)
                and not owns_content(child)
                and not owns_content(previous)
            ):
                for grandchild in child["K"]:
                    pdf.objects[_number(grandchild)]["P"] = previous.reference
                previous["K"].extend(child["K"])
                child.clear()
                joined += 1
                continue
            kept.append(kid)
        element["K"][:] = kept
        for kid in kept:
            if isinstance(kid, bytes) and pdf.objects[_number(kid)].get("Type") == "/StructElem":
                join(pdf.objects[_number(kid)])

    for top in root["K"]:
        join(pdf.objects[_number(top)])
    return joined


def artifact_margins(pdf: Any) -> int:
    """Turns marked content the tree does not reach (the page-margin boxes) into pagination artifacts."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    reachable = _reachable(pdf, root)
    nums = pdf.objects[_number(root["ParentTree"])]["Nums"]
    outside: dict[int, set[int]] = {}  # page index -> MCIDs
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(value, list):
            continue  # an annotation's entry
        for mcid, reference in enumerate(value):
            if isinstance(reference, bytes) and _number(reference) not in reachable:
                outside.setdefault(key, set()).add(mcid)
                value[mcid] = "null"
    # The elements WeasyPrint made for the margin boxes stay as objects in the file; emptied, nothing
    # outside the tree claims to be structure.
    for number, obj in enumerate(pdf.objects):
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and number not in reachable:
            obj.clear()
    for index, mcids in outside.items():
        page = pdf.objects[pdf.pages["Kids"][3 * index]]
        stream = pdf.objects[_number(page["Contents"])].stream
        for i, item in enumerate(stream):
            if isinstance(item, dict) and item.get("MCID") in mcids and i and stream[i - 1] == "/Span":
                stream[i - 1] = "/Artifact"
                stream[i] = pydyf.Dictionary({"Type": "/Pagination"})
    return sum(len(m) for m in outside.values())


def _folio_block(stream: list[Any], width: float) -> tuple[int, int] | None:
    """Where the page number is drawn in a page's operators: the last pagination artifact whose text starts in
    the right half of the page (the @bottom-right margin box), as (first, after-last) indices; None if none."""
    found = None
    i = 0
    while i < len(stream):
        item = stream[i]
        if item == "/Artifact" and i + 1 < len(stream):
            properties = stream[i + 1]
            if isinstance(properties, dict) and properties.get("Type") == "/Pagination":
                end = next((j for j in range(i, len(stream)) if stream[j] == b"EMC"), None)
                if end is None:
                    return found
                matrix = next(
                    (t for t in stream[i:end] if isinstance(t, bytes) and t.endswith(b" Tm")),
                    None,
                )
                # The text matrix is in CSS pixels (WeasyPrint draws at 0,75 pt a pixel), the width in points.
                if matrix is not None and float(matrix.split()[4]) * 0.75 > width / 2:
                    found = (i, end + 1)
                i = end
        i += 1
    return found


def folio_streams(pdf: Any) -> int:
    """Puts each page's number in a content stream of its own, between the operators drawn before and after it.

    The three streams draw exactly what the one did (a page's streams are read as one); the bound case
    (batch/folios.py) swaps the middle one for its own page number without rewriting the page's content.
    """
    split = 0
    for index in range(len(pdf.pages["Kids"]) // 3):
        page = pdf.objects[pdf.pages["Kids"][3 * index]]
        width = float(page["MediaBox"][2])
        first = pdf.objects[_number(page["Contents"])]
        block = _folio_block(first.stream, width)
        if block is None:
            continue
        start, end = block
        folio = pydyf.Stream(first.stream[start:end], compress=first.compress)
        after = pydyf.Stream(first.stream[end:], compress=first.compress)
        del first.stream[start:]
        pdf.add_object(folio)
        pdf.add_object(after)
        page["Contents"] = pydyf.Array([first.reference, folio.reference, after.reference])
        split += 1
    return split


def _boxes(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        current = stack.pop()
        current = getattr(current, "_box", current)  # absolute and float placeholders
        yield current
        stack.extend(getattr(current, "children", ()))


def scope_headers(document: Any) -> None:
    """Gives every header cell the Scope its HTML states: Row for scope=row/rowgroup, else Column."""
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "mark", None)
            if element is None or getattr(box, "element_tag", None) != "th":
                continue
            scope = (box.element.get("scope") or "").lower()
            element["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


def spanning_headers(document: Any) -> None:
    """Points data cells at the header cells WeasyPrint leaves out of their Headers: a block row's header
    (scope=rowgroup: every cell of its row group below it) and a row header spanning rows (every spanned row)."""
    for page in document.pages:
        for table in _boxes(page._page_box):
            if getattr(table, "element_tag", None) != "table" or not hasattr(table, "column_widths"):
                continue
            for group in table.children:
                rows = list(group.children)
                for i, row in enumerate(rows):
                    for cell in row.children:
                        mark = getattr(cell, "mark", None)
                        if mark is None or cell.element_tag != "th" or "ID" not in mark:
                            continue
                        scope = (cell.element.get("scope") or "").lower()
                        if scope == "rowgroup":
                            targets = rows[i + 1 :]
                        elif scope == "row" and cell.rowspan > 1:
                            targets = rows[i + 1 : i + cell.rowspan]
                        else:
                            continue
                        for target in targets:
                            for data in target.children:
                                data_mark = getattr(data, "mark", None)
                                if data_mark is None or data.element_tag != "td":
                                    continue
                                headers = data_mark["A"].setdefault("Headers", pydyf.Array())
                                if mark["ID"] not in headers:
                                    headers.append(mark["ID"])


def id_tree(pdf: Any, prefix: str) -> None:
    """The IDTree through which table cells' Headers find their header cells.

    WeasyPrint numbers IDs by object number, which repeat from one PDF to the next; `prefix` (from the PDF's
    identifier) makes them unique, so the bound case can gather every part's IDs into one tree unchanged.
    """
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    ids = []
    for number in _reachable(pdf, root):
        element = pdf.objects[number]
        if "ID" in element:
            # The same String object stands in the cells' Headers arrays, so they follow the new name.
            element["ID"].string = f"{prefix}-{element['ID'].string}"
            ids.append((element["ID"].string, element["ID"], element.reference))
    if not ids:
        return
    names = pydyf.Array()
    for _, identifier, reference in sorted(ids):
        names.extend([identifier, reference])
    tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(tree)
    root["IDTree"] = tree.reference


def figure_boxes(pdf: Any) -> None:
    """Puts a Figure's BBox in PDF user space: WeasyPrint writes CSS pixels measured from the page's top."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    for number in _reachable(pdf, root):
        element = pdf.objects[number]
        box = element.get("A", {}).get("BBox") if element.get("S") == "/Figure" else None
        if box is None or "Pg" not in element:
            continue
        height = float(pdf.objects[_number(element["Pg"])]["MediaBox"][3])
        x1, y1, x2, y2 = (float(v) * 0.75 for v in box)  # 72 points per 96 CSS pixels
        element["A"]["BBox"] = pydyf.Array([round(x1, 3), round(height - y2, 3), round(x2, 3), round(height - y1, 3)])


def soft_hyphens(pdf: Any) -> None:
    """Maps the glyph drawn for hyphenation to U+00AD in every font's ToUnicode map."""
    target = b" <" + HYPHENATION_CHARACTER.encode("utf-16-be").hex().encode() + b">"
    soft = b" <00ad>"
    for obj in pdf.objects:
        lines = getattr(obj, "stream", None)
        if not lines or lines[0] != b"/CIDInit /ProcSet findresource begin":
            continue
        for i, line in enumerate(lines):
            if isinstance(line, bytes) and line.endswith(target):
                lines[i] = line[: -len(target)] + soft


def metadata(document: Any, pdf: Any) -> None:
    """Replaces WeasyPrint's XMP (PDF/A only) with one that also claims PDF/UA-1 and states the language."""
    meta = document.metadata
    packet = Xmp(
        title=meta.title or "",
        creators=list(meta.authors),
        description=meta.description,
        keywords=", ".join(meta.keywords) or None,
        language=meta.lang or "da",
        producer=pdf.info["Producer"].string if "Producer" in pdf.info else None,
        creator_tool=meta.generator,
        created=meta.created,
        modified=meta.modified,
    ).packet()
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    # XMP stays uncompressed so archive tools can read it without a PDF parser.
    stream.stream, stream.compress = [packet], False


def finish(document: Any, pdf: Any, *, soft_hyphenation: bool, id_prefix: str) -> None:
    """Every fix above, in order (artifacts first: the IDTree must only see the tree's own elements)."""
    artifact_margins(pdf)
    folio_streams(pdf)
    join_split_elements(pdf)
    scope_headers(document)
    spanning_headers(document)
    id_tree(pdf, id_prefix)
    figure_boxes(pdf)
    if soft_hyphenation:
        soft_hyphens(pdf)
    metadata(document, pdf)
