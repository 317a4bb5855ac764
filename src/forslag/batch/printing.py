"""The printing half of a proposal's build: a prepared page to PDF bytes with this process's warm printer.

Imports WeasyPrint only when the first document is printed, and nothing of validation or rendering, so a
process started only to print is ready in the time WeasyPrint takes to load.
"""

from __future__ import annotations

import atexit
from typing import TYPE_CHECKING

from forslag import progress
from forslag.batch.jobs import Prepared, Result, failure

if TYPE_CHECKING:
    from forslag.document.pdf import Printer

_printer: Printer | None = None


def printer() -> Printer:
    """This process's printer, made on first use: WeasyPrint takes a second to import and warm its fonts."""
    global _printer
    if _printer is None:
        from forslag.document.pdf import Printer

        _printer = Printer()
        # Let go of WeasyPrint's font configuration while its modules still exist: left to interpreter
        # teardown, its __del__ may run after them and print an ignored TypeError on every build.
        atexit.register(_release_printer)
    return _printer


def _release_printer() -> None:
    global _printer
    _printer = None


def print_prepared(prepared: Prepared) -> Result:
    """Print a prepared proposal's PDFs with this process's warm printer; the proposal's finished Result."""
    result = prepared.result
    try:
        for request in prepared.prints:
            progress.doing("printing its notat" if request.suffix != "pdf" else "printing its PDF")
            pdf, pages, plan = printer().pdf_planned(
                request.html,
                request.base,
                identifier=request.identifier,
                date=request.date,
                info=request.info,
                plan=request.plan,
            )
            result.files[request.suffix] = pdf
            if request.suffix == "pdf":
                result.summary["pages"] = pages
                if request.planned:
                    result.summary["plan"] = plan
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.problems = failure(result.source, exc)
    if result.problems:
        result.files, result.summary = {}, {}
    return result
