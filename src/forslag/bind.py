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


def front_pages_guess(count: int) -> int:
    """The front's length before it is laid out: a cover, then the contents and summary rows.

    Measured: 3 proposals take 1 page after the cover, 20 take 2, 100 take 7. A wrong guess costs one
    more layout of the front; later builds reuse the length they measured.
    """
    return 1 + max(1, -(-(count * 5 + 12) // 75))


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


def key_case(case_path: Path) -> str:
    return hashlib.sha256(case_path.read_bytes()).hexdigest()


def _starts(members: list[dict[str, Any]], front_pages: int) -> list[int]:
    """The page in the bound PDF where each proposal starts."""
    starts, page = [], front_pages + 1
    for m in members:
        starts.append(page)
        page += m["pages"]
    return starts


def _front_pdf(
    case: Case, members: list[dict[str, Any]], options: BuildOptions, printer: Printer, identifier: bytes, guess: int
) -> tuple[bytes, int]:
    """The cover, contents and summary, their contents page numbers counted on from the front's own length."""
    front_pages = guess
    front = b""
    # The page numbers depend on how long the front is: lay it out until the two agree (once, when the
    # previous build's length still holds).
    for _ in range(4):
        for m, start in zip(members, _starts(members, front_pages), strict=True):
            m["start_page"] = start
        front, count = printer.pdf_pages(
            _front(case, members, False, True, options.templates), options.out, identifier=identifier, date=case.date
        )
        if count == front_pages:
            break
        front_pages = count
    return front, front_pages


def _bind_pdf(case: Case, members: list[dict[str, Any]], options: BuildOptions, front: bytes) -> bytes:
    """The bound PDF: the front, then every proposal's PDF as printed.

    qpdf (through pikepdf) copies the already-printed pages as they are: a hundred proposals bind in well under
    a second, where a pure-Python merge spent seconds parsing them.
    """
    import pikepdf

    bound = pikepdf.new()
    opened = [pikepdf.open(io.BytesIO(front))] + [pikepdf.open(options.out / f"{m['name']}.pdf") for m in members]
    try:
        starts = []
        for part in opened:
            starts.append(len(bound.pages))
            bound.pages.extend(part.pages)
        with bound.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Forside og indhold", starts[0]))
            for m, start in zip(members, starts[1:], strict=True):
                outline.root.append(pikepdf.OutlineItem(m["title"], start))
        bound.docinfo["/Title"] = f"{case.name}: {case.document_type}"
        bound.docinfo["/Author"] = case.municipality
        bound.docinfo["/Subject"] = case.name
        bound.docinfo["/Creator"] = f"forslag {__version__}"
        bound.docinfo["/Producer"] = f"forslag {__version__}"
        bound.docinfo["/CreationDate"] = _pdf_date(case.date)
        bound.docinfo["/ModDate"] = _pdf_date(case.date)
        bound.Root.Lang = pikepdf.String("da")
        bound.Root.PageMode = pikepdf.Name.UseOutlines
        buffer = io.BytesIO()
        # The file identifier is a hash of the content: the same sources give the same bytes.
        bound.save(buffer, deterministic_id=True, fix_metadata_version=False)
    finally:
        for part in opened:
            part.close()
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
                    key_case(case_path),
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
        front_pages = previous.get("front_pages", front_pages_guess(len(members)))
        # The front depends only on the case, the layout and the proposals' summaries (titles, economy,
        # page counts): an edit to a proposal's prose that moves none of them binds the old front again.
        front_key = hashlib.sha256(
            json.dumps([layout, key_case(case_path), summaries], sort_keys=True, default=str).encode()
        ).hexdigest()
        front_file = cache.folder / f"{cache_name}-front.pdf"
        if "pdf" in options.formats:
            if not options.force and previous.get("front_key") == front_key and front_file.is_file():
                front = front_file.read_bytes()
            else:
                from .worker import printer  # the warm printer of a build that just printed in this process

                front, front_pages = _front_pdf(
                    case, summaries, options, printer(), front_key[:32].encode(), front_pages
                )
                write_atomic(front_file, front)
            for m, start in zip(summaries, _starts(summaries, front_pages), strict=True):
                m["start_page"] = start
            data = _bind_pdf(case, summaries, options, front)
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
        entry = {"key": key, "outputs": outputs, "source": str(case_path), "front_pages": front_pages}
        cache.put(cache_name, {**entry, "front_key": front_key})
        report.bound.append(case_path)
        echo(f"bound: {case.name} -> {', '.join(str(options.out / f) for f in outputs)}")
