"""Reading an .xlsx as a finance officer's spreadsheet would: every cell's formula and value, from the XML.

The reader is written here from the file format (ECMA-376), not taken from the writer, so a test that reads a
workbook checks what is in the file. `recalculated` lets LibreOffice (headless) compute every formula from
a copy with the cached results removed, so the values read back are the spreadsheet's own arithmetic.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class XCell:
    formula: str | None
    value: str | None  # as stored: a number's text, a string's text, or None for no cached value


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.find("m:sheets", NS) or []:
        target = str(targets[sheet.get(REL)])
        out[str(sheet.get("name"))] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def read(data: bytes) -> dict[str, dict[str, XCell]]:
    """Every sheet's cells by reference (A1), each with its formula and stored value."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        sheets: dict[str, dict[str, XCell]] = {}
        for name, path in _sheet_paths(z).items():
            cells: dict[str, XCell] = {}
            for c in ET.fromstring(z.read(path)).iter(f"{{{NS['m']}}}c"):
                f = c.find("m:f", NS)
                v = c.find("m:v", NS)
                value = v.text if v is not None else None
                if c.get("t") == "s" and value is not None:
                    value = shared[int(value)]
                elif c.get("t") == "inlineStr":
                    value = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
                cells[str(c.get("r"))] = XCell(f.text if f is not None else None, value)
            sheets[name] = cells
    return sheets


def strip_cached(data: bytes) -> bytes:
    """The workbook with every formula's cached result removed: a reader must calculate to show anything."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = content.decode("utf-8")
                text = re.sub(r"(<c [^>]*>)(<f>[^<]*</f>)<v>[^<]*</v>", r"\1\2", text)
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def recalculated(data: bytes, folder: Path) -> dict[str, dict[str, XCell]]:
    """The cells after LibreOffice has opened the workbook (cached results removed), recalculated it and saved
    it again."""
    office = soffice()
    assert office, "LibreOffice (soffice) is needed"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "uncalculated.xlsx"
    source.write_bytes(strip_cached(data))
    out = folder / "calc"
    subprocess.run(
        [office, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return read((out / "uncalculated.xlsx").read_bytes())


def shown(data: bytes, folder: Path, locale: str) -> str:
    """The first sheet as LibreOffice shows it in `locale` (its number formats applied), as ';'-separated text."""
    office = soffice()
    assert office, "LibreOffice (soffice) is needed"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "shown.xlsx"
    source.write_bytes(data)
    env = {**os.environ, "LC_ALL": locale, "LANG": locale}
    subprocess.run(
        [office, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
         "--convert-to", 'csv:Text - txt - csv (StarCalc):59,34,76,1', "--outdir", str(folder / "csv"), str(source)],
        check=True, capture_output=True, timeout=240, env=env,
    )  # fmt: skip
    return (folder / "csv" / "shown.csv").read_text(encoding="utf-8")


def number(cell: XCell | None) -> int | None:
    """A cell's value as a whole number (a blank cell, or a formula shown blank, is None)."""
    if cell is None or cell.value in (None, ""):
        return None
    value = float(cell.value)
    assert value == int(value), cell
    return int(value)
