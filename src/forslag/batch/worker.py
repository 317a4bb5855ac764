"""The preparing half of a proposal's build: source to rendered pages (HTML) and the PDFs still to print.

`run` does both halves in one process: a worker of the batch pool, which keeps WeasyPrint warm between
documents, or `forslag serve`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jinja2

from forslag import progress
from forslag.batch.jobs import Job, Prepared, Print, Result, failure
from forslag.batch.notat import notat_page
from forslag.batch.printing import print_prepared
from forslag.document import danish
from forslag.document.compute import ComputedProposal, compute
from forslag.document.fonts import font_face_css
from forslag.document.portfolio import asked
from forslag.document.render import environment, render_proposal
from forslag.source.load import load_proposal

_envs: dict[Path | None, jinja2.Environment] = {}


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
        "state": p.finance_approval.status,
        "approval_date": danish.date(p.finance_approval.date) if p.finance_approval.date else "",
        "asked": list(asked(e)),  # the implementation costs per year, for the pool's lines in the summary
    }


def _print_request(suffix: str, html: str, job: Job, computed: ComputedProposal, salt: bytes) -> Print:
    # The PDF's identifier is taken from the page before the fonts are pointed at this machine's installed
    # files, so no absolute path reaches the bytes (two clones give the same PDF).
    identifier = hashlib.sha256(salt + job.stamp.source_sha256.encode() + html.encode()).hexdigest()[:32]
    # The page for print differs only in where the fonts are read from.
    printable = html.replace(font_face_css(False), font_face_css(True), 1)
    date = computed.source.proposal.date or computed.source.case.case.date
    return Print(suffix, printable, job.source.parent, identifier.encode(), date, {"ForslagSource": job.stamp.text})


def prepare(job: Job) -> Prepared:
    """Load, compute and render one proposal (its HTML files done, its PDFs described, not yet printed)."""
    result = Result(job.source)
    prepared = Prepared(result)
    try:
        computed = compute(load_proposal(job.source))
        result.warnings = [str(w) for w in computed.warnings]
        result.case = str(computed.source.case.path.resolve())
        result.inputs = computed.inputs
        env = _envs.get(job.templates)
        if env is None:
            env = _envs[job.templates] = environment(job.templates)
        progress.doing("rendering its pages")
        html = render_proposal(env, computed, job.stamp, for_print=False, changes=job.changes)
        if "html" in job.formats:
            result.files["html"] = html.encode()
        if "pdf" in job.formats:
            prepared.prints.append(_print_request("pdf", html, job, computed, b""))
        progress.doing("rendering its notat")
        notat = notat_page(computed, env, job.stamp)
        if notat is not None:
            if "html" in job.formats:
                result.files["-notat.html"] = notat.encode()
            if "pdf" in job.formats:
                prepared.prints.append(_print_request("-notat.pdf", notat, job, computed, b"notat\0"))
        result.summary = _summary(computed, None)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.problems = failure(job.source, exc)
        result.files, result.summary, prepared.prints = {}, {}, []
    return prepared


def run(job: Job) -> Result:
    """Load, compute, render and print one proposal; user errors come back as problems, not exceptions."""
    return print_prepared(prepare(job))
