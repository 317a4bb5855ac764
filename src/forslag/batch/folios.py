"""The bound case's page numbers: drawn over each part's own, in a subset of the typeface made for them."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pikepdf

_FOLIO_CHARS = "/0123456789"  # WinAnsi codes 47-57, in order
# Each code to its character, for text extraction and PDF/UA (7.21.7), which asks every font for the map.
_TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<00> <ff>
endcodespacerange
1 beginbfrange
<2f> <39> <002f>
endbfrange
endcmap
CMapName currentdict /CMapResource defineresource pop
end
end
"""


def _folio_font_program(cache: Path | None = None) -> tuple[bytes, list[int], dict[str, Any]]:
    """The typeface's regular style cut down to the glyphs a page number uses; their widths; its metrics.

    Made once and kept in `cache` (a folder), under a name from the font file's hash: cutting the font takes
    fontTools most of a second, reading the result a millisecond.
    """
    from forslag.document.fonts import FONT_DIR

    source = (FONT_DIR / "SourceSansPro-Regular.ttf").read_bytes()
    kept = (
        cache / f"folio-font-{hashlib.sha256(source + _FOLIO_CHARS.encode()).hexdigest()[:16]}.json" if cache else None
    )
    if kept is not None:
        try:
            stored = json.loads(kept.read_bytes())
            return base64.b64decode(stored["program"]), stored["widths"], stored["metrics"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(source))
    options = subset.Options()
    options.hinting = False
    options.layout_features = []  # digits and a slash need no shaping: no GSUB, GPOS or GDEF to cut
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = [1, 2, 3, 4, 6]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=_FOLIO_CHARS)
    subsetter.subset(font)
    font.recalcTimestamp = False  # the same bytes on every bind
    buffer = io.BytesIO()
    font.save(buffer)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    widths = [round(font["hmtx"][cmap[ord(c)]][0] * scale) for c in _FOLIO_CHARS]
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    metrics = {
        "FontBBox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "Ascent": round(hhea.ascent * scale),
        "Descent": round(hhea.descent * scale),
        "CapHeight": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    }
    program = buffer.getvalue()
    if kept is not None:
        from forslag.batch.writeout import write_atomic

        record = {"program": base64.b64encode(program).decode(), "widths": widths, "metrics": metrics}
        write_atomic(kept, json.dumps(record).encode())
    return program, widths, metrics


class Folios:
    """Draws each page's number of the bound case in place of the number its part printed.

    Tagging (document/tagging.py) leaves a page's number in a content stream of its own; that stream is
    replaced by one drawing the new number at the same size, colour and baseline, right-aligned to where the
    old one ended, in a subset of the same typeface made for page numbers (a part's own subset need not hold
    every digit), embedded once.
    """

    _TM = re.compile(rb"1 0 0 -1 ([-\d.]+) ([-\d.]+) Tm")
    _TF = re.compile(rb"/(\S+) ([\d.]+) Tf")
    _TJ = re.compile(rb"\[(.*)\] TJ", re.S)
    NAME = pikepdf.Name("/FForslagFolio")

    def __init__(self, bound: pikepdf.Pdf, cache: Path | None, font: Any = None) -> None:
        """`font`: the page numbers' font already in `bound` (a previous bind's), used again if given."""
        program, self.widths, metrics = _folio_font_program(cache)
        self.glyphs: dict[tuple[int, int], dict[str, str]] = {}
        if font is not None:
            self.font = font
            return
        tag = "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(program).digest()[:6])
        name = pikepdf.Name(f"/{tag}+SourceSansPro-Regular")
        file = bound.make_stream(program)
        file.Length1 = len(program)
        descriptor = pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=name,
            Flags=32,
            FontBBox=pikepdf.Array(metrics["FontBBox"]),
            ItalicAngle=0,
            Ascent=metrics["Ascent"],
            Descent=metrics["Descent"],
            CapHeight=metrics["CapHeight"],
            StemV=80,
            FontFile2=file,
        )
        self.font = bound.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.TrueType,
                BaseFont=name,
                FirstChar=ord(_FOLIO_CHARS[0]),
                LastChar=ord(_FOLIO_CHARS[-1]),
                Widths=pikepdf.Array(self.widths),
                Encoding=pikepdf.Name.WinAnsiEncoding,
                FontDescriptor=bound.make_indirect(descriptor),
                ToUnicode=bound.make_stream(_TO_UNICODE),
            )
        )

    def _shown(self, font: Any, codes: list[bytes]) -> str:
        """What a part's page number reads, through its font's ToUnicode map."""
        key = font.objgen
        if key not in self.glyphs:
            cmap = font.ToUnicode.read_bytes().decode("latin-1")
            pairs = re.findall(r"^<([0-9a-fA-F]{4})>[ \t]*<([0-9a-fA-F]{4})>[ \t]*$", cmap, re.M)
            self.glyphs[key] = {code.lower(): chr(int(text, 16)) for code, text in pairs}
            ranges = r"^<([0-9a-fA-F]{4})>[ \t]*<([0-9a-fA-F]{4})>[ \t]*<([0-9a-fA-F]{4})>[ \t]*$"
            for low, high, text in re.findall(ranges, cmap, re.M):
                for n in range(int(high, 16) - int(low, 16) + 1):
                    self.glyphs[key][f"{int(low, 16) + n:04x}"] = chr(int(text, 16) + n)
        return "".join(self.glyphs[key].get(c.decode().lower(), "?") for c in codes)

    def _width(self, text: str, size: float) -> float:
        return sum(self.widths[_FOLIO_CHARS.index(c)] for c in text) * size / 1000

    def stream(self, bound: pikepdf.Pdf, page: Any, old: Any, text: str, set_font: bool = True) -> Any:
        """A stream drawing `text` where `old` drew the part's own page number; None if `old` draws none, or
        already draws `text` (a page of the previous bound document whose number has not moved). The font
        is put in the page's resources unless `set_font` says they already hold it."""
        data = old.read_bytes()
        tm, tf = self._TM.search(data), self._TF.search(data)
        tj = self._TJ.search(data) or re.search(rb"\((.*)\) Tj", data)
        if not (tm and tf and tj):
            return None
        resources = page.Resources.Font
        if tf.group(1) == b"FForslagFolio":
            # A page of the previous bound document: the number on it is one drawn here.
            shown = tj_text.group(1).decode() if (tj_text := re.search(rb"\((.*)\) Tj", data)) else ""
            if shown == text:
                return None
            right = float(tm.group(1)) + self._width(shown, float(tf.group(2)))
        else:
            font = resources.get(pikepdf.Name("/" + tf.group(1).decode()))
            if font is None or "/ToUnicode" not in font or "/DescendantFonts" not in font:
                return None
            codes = re.findall(rb"<([0-9a-fA-F]{4})>", tj.group(1))
            shown = self._shown(font, codes)
            if not re.fullmatch(r"\d+/\d+", shown):
                return None  # not a page number this layout prints (a template of another design)
            widths = font.DescendantFonts[0].get("/W")
            right = float(tm.group(1)) + _cid_width(widths, codes, float(tf.group(2)))
        size = float(tf.group(2))
        x = right - self._width(text, size)
        head = data[: tm.start()]
        tail = data[tj.end() :]
        body = f"1 0 0 -1 {x:.6f} {tm.group(2).decode()} Tm\n/FForslagFolio {tf.group(2).decode()} Tf\n({text}) Tj"
        if set_font:
            resources[self.NAME] = self.font
        return bound.make_stream(head + body.encode() + tail)


def _cid_width(w: Any, codes: list[bytes], size: float) -> float:
    """The advance of glyphs `codes` of a CID font with widths array `w`, at `size`."""
    widths: dict[int, float] = {}
    items = list(w or [])
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for n, value in enumerate(items[i + 1]):
                widths[first + n] = float(value)
            i += 2
        else:
            for n in range(first, int(items[i + 1]) + 1):
                widths[n] = float(items[i + 2])
            i += 3
    return sum(widths.get(int(c, 16), 1000.0) for c in codes) * size / 1000
