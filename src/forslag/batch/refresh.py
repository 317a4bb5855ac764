"""Refreshing the bound PDF after an edit: the changed parts and the shared objects appended as an update.

`merge` binds by building the whole document in qpdf; started from the previous bound PDF it still has to
parse every one of its objects (qpdf reads them all before it makes a new one: for a hundred proposals, about
a hundred thousand objects, half a second and a hundred and fifty megabytes) and write them all again.

Here the previous file is only read where needed: its record (merge.py's `_Old`) finds each kept part's
pages, structure element, parent-tree values, ID leaf and outline entry. The changed parts are copied into a
scratch PDF, as merge.py copies them, and so are the objects every part shares (the structure root and
Document element, the parent and ID trees, the outline, the page tree, the catalog), made again the way a
cold bind makes them. In the scratch PDF an old object is stood for by a placeholder; an old object that
changes (a page whose number moved, the catalog) is made again there and written under its old number. The
update (pdfupdate.py) then holds the scratch objects, numbered after the previous file's, and nothing else.

The result reads as the document a cold bind makes of the same parts (tests/test_bind.py compares every
object). Anything this does not expect of the previous file (a page tree that is not flat, IDs not found by
prefix, a part of a newer PDF version, updates that weigh half the file) returns None, and the caller binds
with `merge`, which writes the file whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pikepdf

from forslag.batch import pdfupdate
from forslag.batch.folios import Folios
from forslag.batch.merge import (
    UNEXPECTED,
    Bound,
    Part,
    Previous,
    _from_file,
    _leaf,
    _link,
    _Old,
    _Piece,
    _Tree,
    _version_key,
    link_targets,
    open_previous,
)
from forslag.document.xmp import Xmp


class _Scratch:
    """The update's objects in a scratch PDF: new ones, old ones made again, and placeholders for old ones."""

    def __init__(self, size: int) -> None:
        self.pdf = pikepdf.new()
        self.size = size  # the previous file's /Size: new objects are numbered from there
        self.numbers: dict[int, int] = {}  # scratch number -> the number it is written under (old objects)
        self.placeholders: dict[int, Any] = {}  # old number -> its placeholder
        self.stand_ins: set[int] = set()  # scratch numbers of placeholders (never written)

    def ref(self, old: Any) -> Any:
        """What a scratch object refers to for the old object `old` (written as a reference to its number)."""
        if not old.is_indirect:
            return self.transplant(old)
        number = old.objgen[0]
        held = self.placeholders.get(number)
        if held is None:
            held = self.pdf.make_indirect(pikepdf.Dictionary())
            self.placeholders[number] = held
            self.numbers[held.objgen[0]] = number
            self.stand_ins.add(held.objgen[0])
        return held

    def transplant(self, value: Any) -> Any:
        """An old direct value for the scratch PDF: its indirect objects become placeholders."""
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return self.ref(value)
        if isinstance(value, pikepdf.Array):
            return pikepdf.Array([self.transplant(v) for v in value])
        if isinstance(value, pikepdf.Dictionary):
            return pikepdf.Dictionary({key: self.transplant(v) for key, v in value.items()})
        return value

    def replace(self, old: Any, content: Any = None) -> Any:
        """The old object `old` (a dictionary or array) made again in the scratch PDF (from `content`, or as it
        is), to be changed and written under its number."""
        if content is None:
            if isinstance(old, pikepdf.Array):
                content = pikepdf.Array([self.transplant(v) for v in old])
            else:
                content = pikepdf.Dictionary({key: self.transplant(v) for key, v in old.items()})
        made = self.pdf.make_indirect(content)
        self.numbers[made.objgen[0]] = old.objgen[0]
        return made

    def number(self, scratch: int) -> int:
        if scratch in (1, 2):  # the scratch PDF's own catalog and page tree are never part of the update
            raise ValueError("an object refers to the scratch document's own catalog or pages")
        return self.numbers.get(scratch, self.size + scratch)

    def objects(self) -> list[tuple[int, bytes]]:
        """Every object to write, under the number it is written with."""
        out = []
        for obj in self.pdf.objects:
            scratch = obj.objgen[0]
            if scratch in (1, 2) or scratch in self.stand_ins:
                continue
            out.append((self.number(scratch), pdfupdate.serialised(obj, self.number)))
        return out


def _shift_keys(scratch: _Scratch, piece: _Piece, kept: bool, shift: int, replaced: dict[int, Any]) -> None:
    """Moves a part's pages' and annotations' parent-tree keys by `shift`: a new part's in place, a kept
    part's by making its pages (and indirect annotations) again in the scratch PDF."""
    for page in piece.pages:
        annotations = list(page.get("/Annots", []))
        keyed = [i for i, annotation in enumerate(annotations) if "/StructParent" in annotation]
        if not kept:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for i in keyed:
                annotations[i].StructParent = int(annotations[i].StructParent) + shift
            continue
        if "/StructParents" not in page and not keyed:
            continue
        made = replaced.get(page.objgen[0])
        if made is None:
            made = replaced[page.objgen[0]] = scratch.replace(page)
        if "/StructParents" in page:
            made.StructParents = int(page.StructParents) + shift
        if not keyed:
            continue
        listed = [scratch.ref(a) if a.is_indirect else scratch.transplant(a) for a in annotations]
        for i in keyed:
            if annotations[i].is_indirect:
                again = scratch.replace(annotations[i])
                again.StructParent = int(annotations[i].StructParent) + shift
            else:
                listed[i].StructParent = int(annotations[i].StructParent) + shift
        if any(not annotations[i].is_indirect for i in keyed):
            if page.Annots.is_indirect:
                scratch.replace(page.Annots, pikepdf.Array(listed))
            else:
                made.Annots = pikepdf.Array(listed)


def refresh(
    parts: list[Part],
    xmp: Xmp,
    info: dict[str, str],
    previous: Previous,
    cache: Path | None,
    opened: tuple[pikepdf.Pdf, _Old] | None = None,
) -> Bound | None:
    """The previous bound PDF refreshed by an update to bind `parts`; None where it cannot be (see above).
    `opened`: what open_previous gave for `previous`, if it was opened ahead."""
    opened = opened if opened is not None else open_previous(previous)
    if opened is None:
        return None
    pdf, old = opened
    with pdf:
        try:
            return _refresh(pdf, old, parts, xmp, info, previous, cache)
        except UNEXPECTED:
            return None


def _refresh(
    pdf: pikepdf.Pdf,
    old: _Old,
    parts: list[Part],
    xmp: Xmp,
    info: dict[str, str],
    previous: Previous,
    cache: Path | None,
) -> Bound | None:
    catalog, size = pdf.Root, int(pdf.trailer.Size)
    old_pages, old_root, old_outlines = catalog.Pages, catalog.StructTreeRoot, catalog.Outlines
    old_document = old_root.K[0]
    if old.folio_font is None:
        return None
    scratch = _Scratch(size)
    tree = _Tree(None)
    seen: set[tuple[int, int]] = set()
    pieces: list[tuple[_Piece, bool]] = []  # each part's piece, and whether it is kept from the previous file
    for part in parts:
        digest = hashlib.sha256(part.read()).hexdigest()
        piece = old.pieces.pop((part.name, digest), None) if part.name else None
        if piece is not None:
            if any(page.get("/Parent") is None or page.Parent.objgen != old_pages.objgen for page in piece.pages):
                return None  # a page tree of more than one level: merge makes it flat again
            pieces.append((piece, True))
        else:
            fresh = _from_file(scratch.pdf, part, digest, seen, tree)
            if fresh.section is None or (fresh.record["id_count"] and not fresh.record["ids"]):
                return None
            pieces.append((fresh, False))
    if any(_version_key(p.record["version"]) > _version_key(pdf.pdf_version) for p, _ in pieces):
        return None

    # The page tree: the old root made again with every page, the new pages hung under it.
    pages_root = scratch.ref(old_pages)
    for piece, kept in pieces:
        if not kept:
            for page in piece.pages:
                page.Parent = pages_root

    # The structure: the root and the Document made again under their numbers, a Part per part as before.
    root_ref, document_ref = scratch.ref(old_root), scratch.ref(old_document)
    replaced: dict[int, Any] = {}  # old page number -> the page made again
    sections, nums, id_leaves, roles, records = [], [], [], {}, []
    next_key = 0
    for piece, kept in pieces:
        record = piece.record
        used = record["keys"] if kept else max((key + 1 for key, _ in piece.entries), default=0)
        shift = next_key - piece.offset
        if shift:
            _shift_keys(scratch, piece, kept, shift, replaced)
        if kept:
            sections.append(scratch.ref(piece.section))
            if piece.nums_leaf is not None and not shift:
                nums.append(scratch.ref(piece.nums_leaf))  # its keys have not moved: its leaf is kept
            elif piece.nums_leaf is not None:
                values = [(key + next_key, scratch.ref(value)) for key, value in piece.parent_entries()]
                nums.append(_leaf(scratch.pdf, "/Nums", values))
            leaf = scratch.ref(piece.id_leaf) if piece.id_leaf is not None else None
        else:
            piece.section.P = document_ref
            sections.append(piece.section)
            if piece.entries:
                values = [(key + next_key, value) for key, value in piece.entries]
                nums.append(_leaf(scratch.pdf, "/Nums", values))
            leaf = piece.id_leaf
        if leaf is not None:
            id_leaves.append((piece.ids[0], leaf))
        record["keys"] = used
        next_key += used
        roles.update(record["roles"])
        records.append(record)
    prefixes = [prefix for prefix, _ in id_leaves]
    if not all(prefixes) or len(set(prefixes)) != len(prefixes):
        return None
    scratch.replace(
        old_document,
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root_ref, K=pikepdf.Array(sections)
        ),
    )
    structure = pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document_ref]))
    structure.ParentTree = scratch.pdf.make_indirect(
        pikepdf.Dictionary(Kids=pikepdf.Array(nums)) if nums else pikepdf.Dictionary(Nums=pikepdf.Array())
    )
    structure.ParentTreeNextKey = next_key
    if id_leaves:
        kids = [leaf for _, leaf in sorted(id_leaves, key=lambda group: group[0])]
        structure.IDTree = scratch.pdf.make_indirect(pikepdf.Dictionary(Kids=pikepdf.Array(kids)))
    if roles:
        structure.RoleMap = pikepdf.Dictionary({name: pikepdf.Name(v) for name, v in sorted(roles.items())})
    scratch.replace(old_root, structure)

    # Page numbers: a page whose number moved gets a new folio stream (a kept page is made again for it).
    every = [(page, kept) for piece, kept in pieces for page in piece.pages]
    total = len(every)
    font = scratch.ref(old.folio_font)
    folios = Folios(scratch.pdf, cache, font)
    handles = []
    for number, (page, kept) in enumerate(every, start=1):
        contents = page.get("/Contents")
        if isinstance(contents, pikepdf.Array) and len(contents) == 3:
            # A kept page already has the font in its resources; a new page is given it.
            folio = folios.stream(scratch.pdf, page, contents[1], f"{number}/{total}", set_font=not kept)
            if folio is not None and kept:
                made = replaced.get(page.objgen[0])
                if made is None:
                    made = replaced[page.objgen[0]] = scratch.replace(page)
                made.Contents = pikepdf.Array([scratch.ref(contents[0]), folio, scratch.ref(contents[2])])
            elif folio is not None:
                page.Contents = pikepdf.Array([contents[0], folio, contents[2]])
        handles.append(scratch.ref(page) if kept else page)
    scratch.replace(old_pages, pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=pikepdf.Array(handles), Count=total))

    # The outline: an entry per part (a kept one made again with its place), the root under its number.
    outlines_ref = scratch.ref(old_outlines)
    entries, bodies = [], []
    at = 0
    placed: dict[str, list[Any]] = {}
    for (piece, kept), part in zip(pieces, parts, strict=True):
        own = handles[at : at + len(piece.pages)]
        at += len(piece.pages)
        placed[part.name] = own
        dest = pikepdf.Array([own[0], pikepdf.Name.Fit])
        if kept:
            body = pikepdf.Dictionary(Title=pikepdf.String(part.title), Dest=dest)
            for key in ("/First", "/Last", "/Count"):  # its bookmarks stay as they are, under it
                if key in piece.entry:
                    body[key] = scratch.transplant(piece.entry[key])
            body = scratch.replace(piece.entry, body)
            entries.append(scratch.ref(piece.entry))
        else:
            body = scratch.pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(part.title), Dest=dest))
            _link(body, piece.bookmarks)
            entries.append(body)
        bodies.append(body)
    for i, body in enumerate(bodies):
        body.Parent = outlines_ref
        if i:
            body.Prev = entries[i - 1]
        if i + 1 < len(entries):
            body.Next = entries[i + 1]
    outline = pikepdf.Dictionary(Type=pikepdf.Name.Outlines)
    if entries:
        outline.First, outline.Last, outline.Count = entries[0], entries[-1], len(entries)
    scratch.replace(old_outlines, outline)

    # The catalog, made again: what every bind sets, and the names a contents link jumps to.
    dests = link_targets([page for page, _ in every], placed)
    made = scratch.replace(catalog)
    made.StructTreeRoot = root_ref
    made.Pages = pages_root
    made.Outlines = outlines_ref
    made.Lang = pikepdf.String(xmp.language)
    # The output intent of the first part, as merge takes it (a new first part brings its own).
    first = next(((piece, kept) for piece, kept in pieces if piece.intents is not None), None)
    if first is not None:
        made.OutputIntents = scratch.transplant(first[0].intents) if first[1] else first[0].intents
    made.Names = pikepdf.Dictionary(Dests=scratch.pdf.make_indirect(pikepdf.Dictionary(Names=dests)))
    packet = xmp.packet()
    if catalog.Metadata.read_bytes() != packet:
        metadata = scratch.pdf.make_stream(packet)
        metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        made.Metadata = metadata
    info_dict = pikepdf.Dictionary({f"/{k}": pikepdf.String(v) for k, v in info.items()})
    old_info = pdf.trailer.get("/Info")
    if old_info is not None and old_info.unparse(resolved=True) == info_dict.unparse():
        info_number = old_info.objgen[0]
    else:
        info_number = scratch.number(scratch.pdf.make_indirect(info_dict).objgen[0])

    data = pdfupdate.append(previous.data, pdf, scratch.objects(), catalog.objgen[0], info_number)
    appended = previous.appended + len(data) - len(previous.data)
    if pdfupdate.worth_compacting(len(data), appended):
        return None
    copied = sum(1 for _, kept in pieces if not kept)
    return Bound(data, records, copied, appended)
