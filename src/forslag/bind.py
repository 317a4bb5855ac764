"""The bound case: a cover, contents and summary in front of every proposal's own PDF, plus an HTML index."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .calc import payback, sum_rows
from .errors import SourceError
from .sources import CASE_FILE
from .writeout import write_atomic

if TYPE_CHECKING:
    from .build import BuildOptions, Report
    from .model import Case
    from .pdf import Printer

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
FRONT_PAGES_GUESS = 2  # cover + contents and summary; a wrong guess costs one more layout of the front


def slug(text: str) -> str:
    """A file name from a case name: 'Overførselssagen 2025-2026' -> 'overfoerselssagen-2025-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sag"


def _pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def case_totals(members: list[dict[str, Any]], width: int) -> dict[str, Any]:
    """The summary's bottom row: sums across proposals, and the payback of their summed flows."""
    net = sum_rows([tuple(m["net"]) for m in members], width)
    impact = sum_rows([tuple(m["impact"]) for m in members], width)
    return {
        "investment": sum(m["investment"] for m in members),
        "net": list(net),
        "payback_total": payback(impact).years,
    }


def _front(case: Case, members: list[dict[str, Any]], links: bool, for_print: bool, templates: Path | None) -> str:
    from markupsafe import Markup

    from .fonts import font_face_css
    from .render import environment

    return (
        environment(templates)
        .get_template("case.html.j2")
        .render(
            case=case,
            proposals=members,
            totals=case_totals(members, len(case.years)),
            links=links,
            version=__version__,
            fonts_css=Markup(font_face_css(for_print)),
        )
    )


def _bind_pdf(
    case: Case, members: list[dict[str, Any]], options: BuildOptions, printer: Printer, identifier: bytes, guess: int
) -> tuple[bytes, int]:
    """The bound PDF and the number of front pages it opens with."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    out = options.out
    bodies = [PdfReader(out / f"{m['name']}.pdf") for m in members]
    front_pages = guess
    front = b""
    # The contents page numbers depend on the front's own length: lay it out until the two agree.
    for _ in range(4):
        page = front_pages + 1
        for m, body in zip(members, bodies, strict=True):
            m["start_page"] = page
            page += len(body.pages)
        front = printer.pdf(
            _front(case, members, False, True, options.templates), out, identifier=identifier, date=case.date
        )
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
    writer._ID = ArrayObject([file_id, file_id])  # pypdf would draw a random one; same sources, same bytes
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), front_pages


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
            report.unbound.append(case_path)
            echo(f"not bound: {case_path}: {len(failed)} proposal(s) failed; the case is bound when all build")
            continue
        if not case_path.is_file():
            continue
        key = hashlib.sha256(
            json.dumps(
                [
                    layout,
                    sorted(options.formats),
                    hashlib.sha256(case_path.read_bytes()).hexdigest(),
                    [[s.stem, entries[s]["key"], entries[s]["outputs"]] for s in members],
                ]
            ).encode()
        ).hexdigest()
        # Named after the case file's place, so a no-op build need not parse the case to find its entry.
        cache_name = "_case-" + hashlib.sha256(str(case_path).encode()).hexdigest()[:16]
        previous = cache.get(cache_name) or {}
        if not options.force and cache.fresh(cache_name, key, options.out):
            report.bound_fresh.append(case_path)
            continue
        from .load import load_case

        try:
            case = load_case(case_path).case
        except SourceError as exc:
            report.failed[case_path] = [str(p) for p in exc.problems]
            continue
        name = slug(case.name)
        if name in {s.stem for s in sources}:
            report.failed[case_path] = [f"{case_path}: the bound case would overwrite the proposal {name}.pdf"]
            continue
        summaries = [{**entries[s]["summary"], "name": s.stem} for s in members]
        outputs: dict[str, int] = {}
        front_pages = previous.get("front_pages", FRONT_PAGES_GUESS)
        if "pdf" in options.formats:
            from .pdf import Printer

            data, front_pages = _bind_pdf(case, summaries, options, Printer(), key[:32].encode(), front_pages)
            target = options.out / f"{name}.pdf"
            write_atomic(target, data)
            outputs[target.name] = len(data)
            report.written.append(target)
        if "html" in options.formats:
            data = _front(case, summaries, True, False, options.templates).encode()
            target = options.out / f"{name}.html"
            write_atomic(target, data)
            outputs[target.name] = len(data)
            report.written.append(target)
        cache.put(cache_name, {"key": key, "outputs": outputs, "source": str(case_path), "front_pages": front_pages})
        report.bound.append(case_path)
        echo(f"bound: {case.name} -> {', '.join(str(options.out / f) for f in outputs)}")
