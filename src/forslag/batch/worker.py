"""One proposal from source to output bytes, in a worker process that keeps WeasyPrint warm between documents."""

from __future__ import annotations

import atexit
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

if TYPE_CHECKING:
    from forslag.document.pdf import Printer

from forslag.batch.notat import notat_files
from forslag.document.compute import ComputedProposal, compute
from forslag.document.fonts import font_face_css
from forslag.document.render import Stamp, environment, render_proposal
from forslag.errors import ForslagError, SourceError
from forslag.source.load import load_proposal

_printer: Printer | None = None
memory_limit: int | None = None  # set in a pool's child process, for the message when a document exceeds it
_envs: dict[Path | None, jinja2.Environment] = {}


@dataclass(frozen=True)
class Job:
    source: Path
    formats: frozenset[str]
    templates: Path | None
    stamp: Stamp
    changes: dict[str, Any] | None = None  # the change annex, computed in the main process (--changes-since)


@dataclass
class Result:
    source: Path
    files: dict[str, bytes] = field(default_factory=dict)  # suffix -> bytes
    summary: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    case: str | None = None  # the case file the proposal was loaded with (resolved), which it is bound with
    inputs: dict[str, str] = field(default_factory=dict)  # figure files read -> sha256 (see prose.py)


def _summary(computed: ComputedProposal, pages: int | None) -> dict[str, Any]:
    e = computed.economy
    investment = e.figures.get("investment.total")
    p = computed.source.proposal
    return {
        "title": p.title,
        "administration": p.administration,
        "years": list(e.years),
        "investment": int(investment.value or 0) if investment else 0,
        "net": list(e.net.values),  # Heraf nettoeffektivisering: drift only, never Anlæg
        "impact": list(e.impact.values),
        "steady": e.steady,  # the flow that continues after the last year, for the summed payback
        "payback_service": e.payback_service.years,
        "payback_total": e.payback_total.years,
        "pages": pages,
    }


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


def run(job: Job) -> Result:
    """Load, compute, render and print one proposal; user errors come back as problems, not exceptions."""
    result = Result(job.source)
    try:
        computed = compute(load_proposal(job.source))
        result.warnings = [str(w) for w in computed.warnings]
        result.case = str(computed.source.case.path.resolve())
        result.inputs = computed.inputs
        env = _envs.get(job.templates)
        if env is None:
            env = _envs[job.templates] = environment(job.templates)
        pages = None
        html = render_proposal(env, computed, job.stamp, for_print=False, changes=job.changes)
        if "html" in job.formats:
            result.files["html"] = html.encode()
        if "pdf" in job.formats:
            # The PDF's identifier is taken from the page before the fonts are pointed at this machine's
            # installed files, so no absolute path reaches the bytes (two clones give the same PDF).
            identifier = hashlib.sha256(job.stamp.source_sha256.encode() + html.encode()).hexdigest()[:32]
            # The page for print differs only in where the fonts are read from.
            printable = html.replace(font_face_css(False), font_face_css(True), 1)
            date = computed.source.proposal.date or computed.source.case.case.date
            pdf, pages = printer().pdf_pages(
                printable,
                job.source.parent,
                identifier=identifier.encode(),
                date=date,
                info={"ForslagSource": job.stamp.text},
            )
            result.files["pdf"] = pdf
        result.files |= notat_files(computed, env, job.stamp, job.formats, job.source.parent, printer)
        result.summary = _summary(computed, pages)
    except SourceError as exc:
        result.problems = [str(p) for p in exc.problems]
    except ForslagError as exc:
        result.problems = [f"{job.source}: {exc}"]
    except MemoryError:
        limit = f"the limit of {memory_limit // 1024**2} MiB" if memory_limit else "the memory available"
        result.problems = [f"{job.source}: printing it needed more memory than {limit}; shorten or simplify it"]
    except RecursionError:
        result.problems = [
            f"{job.source}: the document is nested too deeply to print (lists, quotes or emphasis inside one "
            "another); flatten it"
        ]
    except BaseException as exc:  # one proposal's fault, of any kind, must not stop the batch
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.problems = [
            f"{job.source}: internal error while building it: {type(exc).__name__}: {str(exc)[:200]}; "
            "the other proposals are built; please report it"
        ]
    if result.problems:
        result.files, result.summary = {}, {}
    return result
