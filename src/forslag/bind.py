"""The bound case: a cover, contents and summary in front of every proposal's own PDF, plus an HTML index."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

from . import __version__
from .calc import payback, sum_rows
from .errors import SourceError
from .fonts import font_face_css
from .load import CASE_FILE, load_case
from .model import Case
from .pdf import Printer
from .render import environment
from .writeout import write_atomic

if TYPE_CHECKING:
    from .build import BuildOptions, Report

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def slug(text: str) -> str:
    """A file name from a case name: 'Overførselssagen 2025-2026' -> 'overfoerselssagen-2025-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sag"


def _pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def _totals(members: list[dict[str, Any]], width: int) -> dict[str, Any]:
    net = sum_rows([tuple(m["net"]) for m in members], width)
    impact = sum_rows([tuple(m["impact"]) for m in members], width)
    return {
        "investment": sum(m["investment"] for m in members),
        "net": list(net),
        "payback_total": payback(impact).years,
    }


def _front(case: Case, members: list[dict[str, Any]], links: bool, for_print: bool, templates: Path | None) -> str:
    env = environment(templates)
    return env.get_template("case.html.j2").render(
        case=case,
        proposals=members,
        totals=_totals(members, len(case.years)),
        links=links,
        version=__version__,
        fonts_css=Markup(font_face_css(for_print)),
    )


def _bind_pdf(
    case: Case,
    front_html: Callable[[], str],
    members: list[dict[str, Any]],
    out: Path,
    printer: Printer,
    identifier: bytes,
) -> bytes:
    bodies = [PdfReader(out / f"{m['name']}.pdf") for m in members]
    front_pages = 0
    front = b""
    # The contents page numbers depend on the front's own length: lay it out until that settles.
    for _ in range(3):
        page = front_pages + 1
        for m, body in zip(members, bodies, strict=True):
            m["start_page"] = page
            page += len(body.pages)
        front = printer.pdf(front_html(), out, identifier=identifier, date=case.date)
        count = len(PdfReader(io.BytesIO(front)).pages)
        if count == front_pages:
            break
        front_pages = count
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), outline_item="Forside og indhold")
    for m, body in zip(members, bodies, strict=True):
        writer.append(body, outline_item=m["title"])
    writer.add_metadata(
        {
            "/Title": f"{case.name}: {case.document_type}",
            "/Author": case.municipality,
            "/Subject": case.name,
            "/Creator": f"forslag {__version__}",
            "/Producer": f"forslag {__version__}",
            "/CreationDate": _pdf_date(case.date),
            "/ModDate": _pdf_date(case.date),
        }
    )
    writer._root_object[NameObject("/Lang")] = TextStringObject("da")
    writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    file_id = ByteStringObject(identifier[:16])
    writer._ID = ArrayObject(
        [file_id, file_id]
    )  # pypdf would draw a fresh random one; the same sources give the same bytes
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def bind_cases(
    sources: list[Path],
    entries: dict[Path, dict[str, Any]],
    report: Report,
    options: BuildOptions,
    layout: str,
    echo: Callable[[str], None],
) -> None:
    from .build import Cache

    groups: dict[Path, list[Path]] = {}
    for source in sources:
        groups.setdefault((source.parent / CASE_FILE).resolve(), []).append(source)
    cache = Cache(options.out)
    for case_path, members in groups.items():
        failed = [m for m in members if m in report.failed]
        if failed:
            echo(f"not bound: {case_path.parent.name}/: {len(failed)} proposal(s) failed; fix them to bind the case")
            continue
        if not case_path.is_file():
            continue
        try:
            case = load_case(case_path)
        except SourceError as exc:
            report.failed[case_path] = [str(p) for p in exc.problems]
            continue
        name = slug(case.case.name)
        if name in {s.stem for s in sources}:
            report.failed[case_path] = [f"{case_path}: the bound case would overwrite the proposal {name}.pdf"]
            continue
        summaries = []
        for source in members:
            summary = dict(entries[source]["summary"])
            summary["name"] = source.stem
            summaries.append(summary)
        key = hashlib.sha256(
            json.dumps(
                [
                    layout,
                    sorted(options.formats),
                    case_path.read_bytes().hex(),
                    [entries[s]["key"] for s in members],
                    [entries[s]["outputs"] for s in members],
                ],
            ).encode()
        ).hexdigest()
        cache_name = f"_case-{name}"
        if not options.force and cache.fresh(cache_name, key, options.out):
            report.skipped.append(case_path)
            continue
        outputs: dict[str, int] = {}
        identifier = key[:32].encode()
        if "pdf" in options.formats:
            printer = Printer()
            data = _bind_pdf(
                case.case,
                functools.partial(_front, case.case, summaries, False, True, options.templates),
                summaries,
                options.out,
                printer,
                identifier,
            )
            target = options.out / f"{name}.pdf"
            write_atomic(target, data)
            outputs[target.name] = len(data)
            report.written.append(target)
        if "html" in options.formats:
            data = _front(case.case, summaries, True, False, options.templates).encode()
            target = options.out / f"{name}.html"
            write_atomic(target, data)
            outputs[target.name] = len(data)
            report.written.append(target)
        cache.put(cache_name, {"key": key, "outputs": outputs, "source": str(case_path)})
        echo(f"bound: {case.case.name} -> {', '.join(str(options.out / f) for f in outputs)}")
