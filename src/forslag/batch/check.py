"""`forslag check`: every proposal validated and calculated in a bounded child, its answer ready to print.

The business case's charts are not drawn (nothing is printed); a proposal that fails, in any way, fails alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forslag.batch.bounded import bounded_map
from forslag.batch.limits import Limits
from forslag.economy.pool import Ask
from forslag.errors import SourceError

if TYPE_CHECKING:
    from forslag.document.portfolio import Portfolio


@dataclass
class Checked:
    source: Path
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    line: str = ""  # "ok: ..." for the terminal
    economy: dict[str, Any] | None = None  # for --json
    case: Path | None = None  # the case file it was loaded with, resolved: the pool is reckoned per case
    name: str = ""
    ask: Ask | None = None  # what it asks of the case's investment pool, in its approval state
    explained: list[str] = field(default_factory=list)  # check --explain: the rows behind each quoted amount


def _years(years: int | None) -> str:
    return str(years) if years is not None else ">20"


def check_one(path: Path) -> Checked:
    """Validate and calculate one proposal; its problems, or its warnings and summary."""
    from forslag.document.compute import compute, economy_json
    from forslag.document.explain import explain
    from forslag.document.portfolio import ask_of
    from forslag.source.load import load_proposal

    try:
        computed = compute(load_proposal(path), charts=False)
    except SourceError as exc:
        return Checked(path, problems=[str(p) for p in exc.problems])
    e = computed.economy
    line = (
        f"ok: {path}: {computed.source.proposal.title} "
        f"(payback {_years(e.payback_service.years)}/{_years(e.payback_total.years)} years)"
    )
    return Checked(
        path,
        warnings=[str(w) for w in computed.warnings],
        line=line,
        economy=economy_json(computed),
        case=computed.source.case.path.resolve(),
        name=computed.name,
        ask=ask_of(computed),
        explained=list(explain(e, computed.source.proposal)),
    )


def _failed(path: Path, problems: list[str]) -> Checked:
    return Checked(path, problems=problems)


def check_all(sources: list[Path], limits: Limits | None = None, jobs: int | None = None) -> list[Checked]:
    """Every source checked, in the order given; each within the limits a build gives one proposal."""
    # Loaded here before the children fork, so each starts with pydantic and the models imported.
    import forslag.document.compute
    import forslag.source.load  # noqa: F401

    return bounded_map(
        check_one, sources, _failed, source=lambda p: p, doing="checking it", others="checked", limits=limits, jobs=jobs
    )


def pools(checked: list[Checked]) -> list[Portfolio]:
    """The pool's use per case, from the asks of the proposals that passed (grouped by their case file, in order)."""
    from forslag.document.portfolio import pool_of
    from forslag.source.load import load_case

    groups: dict[Path, list[tuple[str, Ask]]] = {}
    for one in checked:
        if one.case is not None and one.ask is not None:
            groups.setdefault(one.case, []).append((one.name, one.ask))
    # The case files loaded again here were each loaded by a child within the limits; a case is a few lines.
    return [pool_of(load_case(case), asks) for case, asks in groups.items()]
