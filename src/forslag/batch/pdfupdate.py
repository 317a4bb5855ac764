"""An incremental update of a PDF (ISO 32000-1, 7.5.6): the objects changed or added, appended to the file.

qpdf writes a whole file every time; after an edit of one proposal in a bound case of a hundred, that is six
megabytes of objects, most of them compressed again into object streams, to change a few hundred. An update
appends only the objects the bind changed or made, each written whole, then a cross-reference stream that
points at them and back at the previous section (`/Prev`), as a PDF editor saving in place does. A reader sees
the newest version of every object; the objects an edit left behind stay in the file, unreferenced, until the
next full write (the caller decides when: `worth_compacting`).

PDF/A-2 (ISO 19005-2, 6.1.3) allows incremental updates; the update keeps the first element of the file's /ID
and makes the second from the update's own bytes, so the same edit of the same file gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable
from typing import Any

import pikepdf

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def previous_xref(data: bytes) -> int:
    """Where the file's last cross-reference section starts (its `startxref`)."""
    match = _STARTXREF.search(data[-1024:])
    if match is None:
        raise ValueError("the previous PDF has no startxref at its end")
    return int(match.group(1))


def _serialised(obj: Any) -> bytes:
    """An indirect object's body as it is written between `n 0 obj` and `endobj`."""
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        head = pikepdf.Dictionary(dict(obj.stream_dict.items()))
        if "/Filter" not in head:  # as qpdf does on a full write: data made here is compressed
            raw = zlib.compress(raw)
            head.Filter = pikepdf.Name.FlateDecode
        head.Length = len(raw)
        return head.unparse() + b"\nstream\n" + raw + b"\nendstream"
    return bytes(obj.unparse(resolved=True))


def _index(numbers: list[int]) -> list[int]:
    """A cross-reference stream's /Index: (first, count) for each run of consecutive object numbers."""
    runs: list[int] = []
    for number in numbers:
        if runs and runs[-2] + runs[-1] == number:
            runs[-1] += 1
        else:
            runs += [number, 1]
    return runs


def update(data: bytes, pdf: pikepdf.Pdf, objects: Iterable[Any]) -> bytes:
    """`data` (the file `pdf` was opened from) with `objects` appended as an update.

    `objects` are indirect objects of `pdf`, old ones changed and new ones; the new trailer takes /Root and
    /Info from `pdf`'s. Every object reachable from them must be in `objects` or unchanged in `data`: the
    update writes exactly what it is given.
    """
    body = bytearray()
    base = len(data) + 1  # the update starts on a line of its own
    offsets: dict[int, int] = {}
    for obj in sorted({o.objgen: o for o in objects}.values(), key=lambda o: o.objgen[0]):
        number, generation = obj.objgen
        if generation != 0:
            raise ValueError(f"object {number} has generation {generation}; only new-style objects are written")
        offsets[number] = base + len(body)
        body += b"%d 0 obj\n" % number + _serialised(obj) + b"\nendobj\n"

    old_id = pdf.trailer.get("/ID")
    first = bytes(old_id[0]) if isinstance(old_id, pikepdf.Array) and len(old_id) == 2 else b""
    second = hashlib.md5(data[-64:] + bytes(body), usedforsecurity=False).digest()
    first = first or second
    size = max([int(pdf.trailer.Size), *(n + 1 for n in offsets)])
    xref_number = size
    offsets[xref_number] = base + len(body)
    numbers = sorted(offsets)
    width = max(4, (max(offsets.values()).bit_length() + 7) // 8)
    rows = b"".join(b"\x01" + offsets[n].to_bytes(width, "big") + b"\x00" for n in numbers)
    entries = {
        "/Type": pikepdf.Name.XRef,
        "/Size": xref_number + 1,
        "/Index": pikepdf.Array(_index(numbers)),
        "/W": pikepdf.Array([1, width, 1]),
        "/Prev": previous_xref(data),
        "/Root": pdf.trailer.Root,
        "/ID": pikepdf.Array([pikepdf.String(first), pikepdf.String(second)]),
        "/Filter": pikepdf.Name.FlateDecode,
    }
    if pdf.trailer.get("/Info") is not None:
        entries["/Info"] = pdf.trailer.Info
    stream = zlib.compress(rows, 9)
    head = pikepdf.Dictionary(entries)
    head.Length = len(stream)
    body += b"%d 0 obj\n" % xref_number + head.unparse() + b"\nstream\n" + stream + b"\nendstream\nendobj\n"
    body += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return data + b"\n" + bytes(body)


def worth_compacting(size: int, appended: int) -> bool:
    """Whether the file is better written whole again: when the updates appended since the last full write
    reach half its size, most of what they replaced is dead weight a reader still downloads."""
    return appended * 2 >= size
