"""Reads a PDF back with pikepdf and lists what keeps it from being tagged PDF/UA-1 and PDF/A-2a as we claim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

_PAINT = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "BI"}
_TEXT = {"Tj", "TJ", "'", '"'}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    tags: dict[str, int] = field(default_factory=dict)
    headers: int = 0
    pagination_artifacts: int = 0
    pages: int = 0
    outline: list[tuple[str, list[Any]]] = field(default_factory=list)


def _key(obj: Any) -> tuple[int, int]:
    return (obj.objgen[0], obj.objgen[1])


def _walk_tree(pdf: pikepdf.Pdf, report: Report) -> dict[tuple[int, int], set[int]]:
    """Every MCID the structure tree references, per page; checks parents, scopes and alternate texts."""
    root = pdf.Root.StructTreeRoot
    referenced: dict[tuple[int, int], set[int]] = {}
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, Any, Any]] = [(kid, root, None) for kid in _kids(root)]
    while stack:
        kid, parent, page = stack.pop()
        if isinstance(kid, int):
            if page is None:
                report.problems.append("an MCID without a page")
            else:
                referenced.setdefault(_key(page), set()).add(kid)
            continue
        if not isinstance(kid, pikepdf.Dictionary):
            continue
        kind = kid.get("/Type")
        if kind == "/MCR":
            mcr_page = kid.get("/Pg", page)
            referenced.setdefault(_key(mcr_page), set()).add(int(kid.MCID))
            continue
        if kind == "/OBJR":
            continue
        if _key(kid) in seen:
            report.problems.append(f"structure element {kid.objgen} reached twice")
            continue
        seen.add(_key(kid))
        if "/P" not in kid or _key(kid.P) != _key(parent):
            report.problems.append(f"structure element {kid.S} {kid.objgen} has a wrong /P")
        tag = str(kid.S)[1:]
        report.tags[tag] = report.tags.get(tag, 0) + 1
        if tag == "TH":
            report.headers += 1
            scope = kid.get("/A", {}).get("/Scope") if isinstance(kid.get("/A"), pikepdf.Dictionary) else None
            if scope not in (pikepdf.Name.Row, pikepdf.Name.Column, pikepdf.Name.Both):
                report.problems.append(f"a TH without Scope ({kid.objgen})")
        if tag == "Figure" and "/Alt" not in kid and "/ActualText" not in kid:
            report.problems.append(f"a Figure without Alt ({kid.objgen})")
        element_page = kid.get("/Pg", page)
        attributes = kid.get("/A")
        if tag == "Figure" and isinstance(attributes, pikepdf.Dictionary) and "/BBox" in attributes:
            x1, y1, x2, y2 = (float(v) for v in attributes.BBox)
            _, _, width, height = (float(v) for v in element_page.MediaBox)
            if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
                report.problems.append(f"a Figure's BBox {[x1, y1, x2, y2]} lies off its page")
        stack.extend((k, kid, element_page) for k in _kids(kid))
    return referenced


def _kids(element: Any) -> list[Any]:
    k = element.get("/K")
    if k is None:
        return []
    if isinstance(k, pikepdf.Array):
        return [int(x) if isinstance(x, int) else x for x in k]
    return [int(k) if isinstance(k, int) else k]


def _page_content(page: pikepdf.Page, report: Report, where: str) -> set[int]:
    """The page's MCIDs; every painting operator must sit in marked content or an artifact."""
    mcids: set[int] = set()
    stack: list[tuple[str, int | None]] = []
    text_in_pagination = False
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])[1:]
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                if mcid in mcids:
                    report.problems.append(f"{where}: MCID {mcid} used twice")
                mcids.add(mcid)
            if (
                tag == "Artifact"
                and op == "BDC"
                and isinstance(operands[1], pikepdf.Dictionary)
                and operands[1].get("/Type") == pikepdf.Name.Pagination
            ):
                stack.append(("Pagination", None))
                continue
            stack.append((tag, mcid))
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op in _PAINT:
            inside = any(tag in ("Artifact", "Pagination") or mcid is not None for tag, mcid in stack)
            if not inside:
                report.problems.append(f"{where}: '{op}' outside marked content and artifacts")
            if op in _TEXT and any(tag == "Pagination" for tag, _ in stack):
                text_in_pagination = True
    if text_in_pagination:
        report.pagination_artifacts += 1
    return mcids


def _xmp(pdf: pikepdf.Pdf, report: Report) -> None:
    if "/Metadata" not in pdf.Root:
        report.problems.append("no XMP metadata")
        return
    xmp = pdf.Root.Metadata.read_bytes().decode()
    expected = {
        "pdfaid:part": "2",
        "pdfaid:conformance": "A",
        "pdfuaid:part": "1",
    }
    for tag, value in expected.items():
        if not re.search(rf"<{tag}>{value}</{tag}>|{tag}=\"{value}\"", xmp):
            report.problems.append(f"XMP lacks {tag} = {value}")
    title = str(pdf.docinfo.get("/Title", ""))
    if not title or f">{_xml(title)}</rdf:li>" not in xmp:
        report.problems.append("XMP dc:title does not match /Title")
    for needed in ("dc:language", "dc:creator", "dc:description"):
        if needed not in xmp:
            report.problems.append(f"XMP lacks {needed}")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _outline(items: Any) -> list[tuple[str, list[Any]]]:
    return [(item.title, _outline(item.children)) for item in items]


def check(path: Path) -> Report:
    """Everything this project promises about a PDF's tagging and archival metadata."""
    report = Report()
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        report.pages = len(pdf.pages)
        if not (root.get("/MarkInfo") and bool(root.MarkInfo.get("/Marked"))):
            report.problems.append("MarkInfo /Marked is not true")
        if str(root.get("/Lang", "")) != "da":
            report.problems.append("/Lang is not da")
        if not (root.get("/ViewerPreferences") and bool(root.ViewerPreferences.get("/DisplayDocTitle"))):
            report.problems.append("ViewerPreferences /DisplayDocTitle is not true")
        intents = root.get("/OutputIntents")
        if not intents or intents[0].get("/S") != pikepdf.Name.GTS_PDFA1 or "/DestOutputProfile" not in intents[0]:
            report.problems.append("no PDF/A output intent with an ICC profile")
        _xmp(pdf, report)
        if "/StructTreeRoot" not in root:
            report.problems.append("no structure tree")
            return report
        tree = root.StructTreeRoot
        if "/IDTree" not in tree:
            report.problems.append("no IDTree")
        referenced = _walk_tree(pdf, report)
        parent_tree = _parent_tree(tree)
        for number, page in enumerate(pdf.pages, 1):
            where = f"page {number}"
            in_content = _page_content(page, report, where)
            in_tree = referenced.get(_key(page.obj), set())
            if in_content != in_tree:
                report.problems.append(
                    f"{where}: marked content and tree differ: only in content {sorted(in_content - in_tree)[:5]},"
                    f" only in tree {sorted(in_tree - in_content)[:5]}"
                )
            if in_content:
                key = int(page.obj.get("/StructParents", -1))
                entry = parent_tree.get(key)
                if entry is None:
                    report.problems.append(f"{where}: no parent tree entry for StructParents {key}")
                else:
                    for mcid in in_content:
                        if mcid >= len(entry) or not isinstance(entry[mcid], pikepdf.Dictionary):
                            report.problems.append(f"{where}: parent tree lacks MCID {mcid}")
                            break
                        if mcid not in {k for k in _mcids_of(entry[mcid], page)}:
                            report.problems.append(f"{where}: parent tree entry for MCID {mcid} is another element")
                            break
            for _, font in page.obj.Resources.get("/Font", {}).items():  # pikepdf 8 has no .values()
                if "/ToUnicode" not in font:
                    report.problems.append(f"{where}: font {font.get('/BaseFont')} has no ToUnicode")
        report.outline = _outline(pdf.open_outline().root)
    return report


def _mcids_of(element: Any, page: pikepdf.Page) -> set[int]:
    out = set()
    for kid in _kids(element):
        if isinstance(kid, int):
            out.add(kid)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            out.add(int(kid.MCID))
    return out


def _parent_tree(tree: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    stack = [tree.ParentTree]
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums), 2):
                out[int(nums[i])] = nums[i + 1]
        stack.extend(node.get("/Kids", []))
    return out
