"""`forslag followup`: every follow-up's report and the case's summary rendered, printed, bound and written, all
or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from forslag import __version__
from forslag.batch.followup import FollowUpReport, find_reports
from forslag.document.stamp import Stamp


def _stamp(report: FollowUpReport) -> Stamp:
    t = report.target.revision
    text = (
        f"Kilde: {report.loaded.path.name}, sha256 {report.sha256[:12]}; forslaget i version {t.name}, commit {t.short}"
    )
    return Stamp(text=text, source_sha256=report.sha256, commit=t.commit, dirty=False)


def _summary_stamp(reports: list[FollowUpReport]) -> Stamp:
    digest = hashlib.sha256("".join(sorted(r.sha256 for r in reports)).encode()).hexdigest()
    text = f"Kilde: {len(reports)} opfølgningsfiler, sha256 {digest[:12]}"
    return Stamp(text=text, source_sha256=digest, commit=None, dirty=False)


@dataclass(frozen=True)
class Page:
    name: str  # the output file's name without its suffix
    html: str  # for a screen
    base: Path
    date: dt.date
    title: str
    parts: tuple[str, ...] = ()  # a summary: the names of the reports its PDF binds after it
    author: str = ""  # a summary: the municipality, and the case as its subject
    subject: str = ""
    printed: str = ""  # a summary: the HTML its PDF is printed from, linking to the reports bound after it


def pages(reports: list[FollowUpReport], templates: Path | None = None) -> list[Page]:
    """Each report's page and one summary page per case, rendered (nothing written)."""
    from forslag.batch.merge import PART_LINK
    from forslag.document.followup import render_follow_up, render_summary
    from forslag.document.followup_charts import follow_up_charts
    from forslag.document.render import environment

    env = environment(templates)
    out: list[Page] = []
    cases: dict[Path, list[FollowUpReport]] = {}
    for r in reports:
        charts = follow_up_charts(r.economy)
        html = render_follow_up(env, r, _stamp(r), for_print=False, charts=charts)
        title = f"Opfølgning: {r.target.computed.source.proposal.title}"
        out.append(Page(f"{r.name}-opfoelgning", html, r.loaded.path.parent, r.loaded.source.date, title))
        cases.setdefault(r.loaded.proposal_path.parent.resolve(), []).append(r)
    for folder, group in sorted(cases.items()):
        name = "opfoelgning" if len(cases) == 1 else f"opfoelgning-{folder.name}"
        html = render_summary(env, group, _summary_stamp(group), for_print=False)
        printed = render_summary(env, group, _summary_stamp(group), for_print=False, part_link=PART_LINK)
        case = group[0].target.computed.source.case.case
        date = max(r.loaded.source.date for r in group)
        parts = tuple(f"{r.name}-opfoelgning" for r in group)
        title = f"Opfølgning på {case.name}"
        out.append(Page(name, html, folder, date, title, parts, case.municipality, case.name, printed))
    return out


def _bind(summary: Page, pdf: bytes, reports: list[tuple[str, str, bytes]]) -> bytes:
    """The case's follow-up as one tagged PDF: the summary, then every report as printed (batch/merge.py)."""
    from forslag.batch.bind import _pdf_date
    from forslag.batch.merge import Part, merge
    from forslag.document.xmp import Xmp

    producer = f"forslag {__version__}"
    stamp = f"{summary.date.isoformat()}T00:00:00Z"
    xmp = Xmp(
        title=summary.title,
        creators=[summary.author],
        description=summary.subject,
        producer=producer,
        creator_tool=producer,
        created=stamp,
        modified=stamp,
    )
    info = {
        "Title": summary.title,
        "Author": summary.author,
        "Subject": summary.subject,
        "Creator": producer,
        "Producer": producer,
        "CreationDate": _pdf_date(summary.date),
        "ModDate": _pdf_date(summary.date),
    }
    parts = [Part(pdf, "Samlet opfølgning", nest_bookmarks=False)] + [
        Part(data, title, name=name) for name, title, data in reports
    ]
    return merge(parts, xmp, info).data


def build_follow_ups(
    paths: list[Path], out: Path, formats: frozenset[str], override: str | None = None, templates: Path | None = None
) -> list[Path]:
    """Check every follow-up, then render and print every page, then write them all; nothing if anything fails."""
    from forslag.batch.writeout import write_atomic
    from forslag.document.fonts import font_face_css

    reports = find_reports(paths, override)
    rendered = pages(reports, templates)
    files: dict[Path, bytes] = {}
    printer = None
    for page in rendered:
        if "html" in formats:
            files[out / f"{page.name}.html"] = page.html.encode()
        if "pdf" in formats:
            from forslag.document.pdf import Printer

            printer = printer or Printer()
            identifier = hashlib.sha256(b"followup\0" + page.html.encode()).hexdigest()[:32].encode()
            printable = (page.printed or page.html).replace(font_face_css(False), font_face_css(True), 1)
            pdf = printer.pdf(printable, page.base, identifier=identifier, date=page.date)
            if page.parts:  # the summary binds the reports after it, each with its own tags and bookmarks
                titles = {p.name: p.title for p in rendered}
                reports_pdf = [(name, titles[name], files[out / f"{name}.pdf"]) for name in page.parts]
                pdf = _bind(page, pdf, reports_pdf)
            files[out / f"{page.name}.pdf"] = pdf
    for path, data in files.items():
        write_atomic(path, data)
    if "html" in formats:
        from forslag.batch.build import _copy_assets

        _copy_assets(out)  # the fonts the HTML pages name in assets/, as `forslag build` writes them
    return list(files)
