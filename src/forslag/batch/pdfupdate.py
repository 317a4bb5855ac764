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
from collections.abc import Callable
from typing import Any

import pikepdf

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def previous_xref(data: bytes) -> int:
    """Where the file's last cross-reference section starts (its `startxref`)."""
    match = _STARTXREF.search(data[-1024:])
    if match is None:
        raise ValueError("the previous PDF has no startxref at its end")
    return int(match.group(1))


# A reference in qpdf's unparsed syntax, outside strings: qpdf escapes every parenthesis inside a literal
# string, so a literal or hex string is matched whole and skipped.
_TOKENS = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(?<![^\s\[\]<>])(\d+) 0 R", re.S)


def _renumbered(text: bytes, number: Callable[[int], int]) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        return b"%d 0 R" % number(int(match.group(1)))

    return _TOKENS.sub(one, text)


def serialised(obj: Any, number: Callable[[int], int] = lambda n: n) -> bytes:
    """An indirect object's body as written between `n 0 obj` and `endobj`, each reference to object n made
    one to `number(n)`. Data made here (a stream with no filter) is compressed, as qpdf does on a full write."""
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        head = pikepdf.Dictionary(dict(obj.stream_dict.items()))
        if "/Filter" not in head:
            raw = zlib.compress(raw)
            head.Filter = pikepdf.Name.FlateDecode
        head.Length = len(raw)
        return _renumbered(head.unparse(), number) + b"\nstream\n" + raw + b"\nendstream"
    return _renumbered(bytes(obj.unparse(resolved=True)), number)


def _index(numbers: list[int]) -> list[int]:
    """A cross-reference stream's /Index: (first, count) for each run of consecutive object numbers."""
    runs: list[int] = []
    for number in numbers:
        if runs and runs[-2] + runs[-1] == number:
            runs[-1] += 1
        else:
            runs += [number, 1]
    return runs


# Objects per object stream: small enough that a reader decompresses little to reach one object.
PER_STREAM = 200


def _object_stream(members: list[tuple[int, bytes]]) -> bytes:
    """An object stream (ISO 32000-1, 7.5.7) holding `members` (number, body), compressed."""
    heads, texts, at = [], [], 0
    for number, text in members:
        heads.append(b"%d %d" % (number, at))
        texts.append(text)
        at += len(text) + 1
    head = b" ".join(heads) + b"\n"
    packed = zlib.compress(head + b"\n".join(texts) + b"\n", 9)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(members), len(head), len(packed))
        + packed
        + b"\nendstream"
    )


def append(data: bytes, pdf: pikepdf.Pdf, objects: list[tuple[int, bytes]], root: int, info: int | None) -> bytes:
    """`data` (the file `pdf` was opened from) with `objects` (number, body) appended as an update whose
    trailer names object `root` as the catalog and `info` as the information dictionary.

    Streams are written as they are; the other objects (most of them small structure elements) go into
    compressed object streams, as qpdf writes the whole file. Every object the new catalog reaches must be in
    `objects` or unchanged in `data`: the update writes exactly what it is given.
    """
    numbers = [number for number, _ in objects]
    if len(set(numbers)) != len(numbers):
        raise ValueError("an object is written twice in one update")
    streams = sorted((item for item in objects if item[1].endswith(b"\nendstream")), key=lambda item: item[0])
    small = sorted((item for item in objects if not item[1].endswith(b"\nendstream")), key=lambda item: item[0])
    following = max([int(pdf.trailer.Size), *(n + 1 for n in numbers)])
    groups = [small[i : i + PER_STREAM] for i in range(0, len(small), PER_STREAM)]
    packed = [(following + i, _object_stream(group)) for i, group in enumerate(groups)]
    xref_number = following + len(groups)

    body = bytearray()
    base = len(data) + 1  # the update starts on a line of its own
    rows: dict[int, tuple[int, int, int]] = {}  # number -> (type, offset or stream, generation or index)
    for number, text in [*streams, *packed]:
        rows[number] = (1, base + len(body), 0)
        body += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    for (stream_number, _), group in zip(packed, groups, strict=True):
        for index, (number, _) in enumerate(group):
            rows[number] = (2, stream_number, index)
    old_id = pdf.trailer.get("/ID")
    first = bytes(old_id[0]) if isinstance(old_id, pikepdf.Array) and len(old_id) == 2 else b""
    second = hashlib.md5(data[-64:] + bytes(body), usedforsecurity=False).digest()
    first = first or second
    rows[xref_number] = (1, base + len(body), 0)
    listed = sorted(rows)
    width = max(4, (max(max(v[1] for v in rows.values()), xref_number).bit_length() + 7) // 8)
    table = b"".join(
        bytes([rows[n][0]]) + rows[n][1].to_bytes(width, "big") + rows[n][2].to_bytes(2, "big") for n in listed
    )
    stream = zlib.compress(table, 9)
    head = (
        b"<< /Type /XRef /Size %d /Index [ %s ] /W [ 1 %d 2 ] /Prev %d /Root %d 0 R%s /ID [ <%s> <%s> ] "
        b"/Filter /FlateDecode /Length %d >>"
        % (
            xref_number + 1,
            b" ".join(b"%d" % n for n in _index(listed)),
            width,
            previous_xref(data),
            root,
            b" /Info %d 0 R" % info if info is not None else b"",
            first.hex().encode(),
            second.hex().encode(),
            len(stream),
        )
    )
    body += b"%d 0 obj\n" % xref_number + head + b"\nstream\n" + stream + b"\nendstream\nendobj\n"
    body += b"startxref\n%d\n%%%%EOF\n" % rows[xref_number][1]
    return data + b"\n" + bytes(body)


def worth_compacting(size: int, appended: int) -> bool:
    """Whether the file is better written whole again: when the updates appended since the last full write
    reach half its size, most of what they replaced is dead weight a reader still downloads."""
    return appended * 2 >= size
