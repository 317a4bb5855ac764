"""The committee notat beside a proposal whose business case is judged not suitable: <name>-notat.pdf/.html."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import jinja2

from forslag.document.compute import ComputedProposal
from forslag.document.fonts import font_face_css
from forslag.document.render import Stamp, render_notat

if TYPE_CHECKING:
    from pathlib import Path

    from forslag.document.pdf import Printer


def notat_files(
    computed: ComputedProposal,
    env: jinja2.Environment,
    stamp: Stamp,
    formats: frozenset[str],
    folder: Path,
    printer: Callable[[], Printer],
) -> dict[str, bytes]:
    """Output suffix ('-notat.pdf', '-notat.html') to bytes; nothing when there is no unsuitable case."""
    if computed.suitability is None or computed.suitability.suitable:
        return {}
    html = render_notat(env, computed, stamp, for_print=False)
    files: dict[str, bytes] = {}
    if "html" in formats:
        files["-notat.html"] = html.encode()
    if "pdf" in formats:
        identifier = hashlib.sha256(b"notat\0" + stamp.source_sha256.encode() + html.encode()).hexdigest()[:32]
        printable = html.replace(font_face_css(False), font_face_css(True), 1)
        date = computed.source.proposal.date or computed.source.case.case.date
        pdf, _ = printer().pdf_pages(
            printable, folder, identifier=identifier.encode(), date=date, info={"ForslagSource": stamp.text}
        )
        files["-notat.pdf"] = pdf
    return files
