"""A case's computed proposals taken together, as the finance centre sees them: their states and the pool's use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forslag.economy.calc import Economy, Values
from forslag.economy.pool import Ask, PoolUse, pool_use
from forslag.errors import Problem

if TYPE_CHECKING:
    from forslag.document.compute import ComputedProposal
    from forslag.source.load import LoadedCase


def asked(economy: Economy) -> Values:
    """What a proposal asks of the pool per year: its implementation costs (Samlede implementeringsomkostninger)."""
    if not economy.implementation_totals:
        return tuple(None for _ in economy.years)
    return economy.implementation_totals[-1].values


@dataclass(frozen=True)
class Portfolio:
    """One case and its computed proposals in source order, with the pool's use computed once."""

    case: LoadedCase
    proposals: tuple[ComputedProposal, ...]
    pool: PoolUse
    states: dict[str, str]  # each proposal's output name and its approval state


def ask_of(proposal: ComputedProposal) -> Ask:
    """What one proposal asks of the pool, and in which state: all the pool's arithmetic needs of it."""
    return Ask(proposal.source.proposal.finance_approval.status, asked(proposal.economy))


def portfolio(case: LoadedCase, proposals: Sequence[ComputedProposal]) -> Portfolio:
    return pool_of(case, [(p.name, ask_of(p)) for p in proposals], proposals)


def pool_of(case: LoadedCase, asks: Sequence[tuple[str, Ask]], proposals: Sequence[ComputedProposal] = ()) -> Portfolio:
    """The pool's use from each proposal's ask (`check` gets the asks from its bounded children, not the proposals)."""
    use = pool_use(case.case.pool_budget, case.case.years, [ask for _, ask in asks])
    return Portfolio(case, tuple(proposals), use, {name: ask.state for name, ask in asks})


def by_case(proposals: Iterable[ComputedProposal]) -> list[Portfolio]:
    """The proposals grouped by the case file they were loaded with, each group in the order given."""
    groups: dict[Path, list[ComputedProposal]] = {}
    cases: dict[Path, LoadedCase] = {}
    for p in proposals:
        key = p.source.case.path.resolve()
        groups.setdefault(key, []).append(p)
        cases.setdefault(key, p.source.case)
    return [portfolio(cases[key], members) for key, members in groups.items()]


def shown(path: Path) -> str:
    """A case file's path as messages print it: relative to the current folder when it lies under it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def pool_json(group: Portfolio) -> dict[str, object]:
    """The pool's use for `check --json`: 1.000 kr. per year, null where the case states no budget."""
    use = group.pool
    return {
        "case": shown(group.case.path),
        "name": group.case.case.name,
        "years": list(use.years),
        "pool": {
            "budget": list(use.budget),
            "asked": list(use.asked),
            "approved": list(use.approved),
            "left": list(use.left),
        },
        "states": dict(group.states),
        "warnings": [str(w) for w in pool_warnings(group)],
    }


def pool_warnings(group: Portfolio) -> list[Problem]:
    """A warning for each year the approved proposals ask the pool for more than its budget, at that year's
    line in the case file."""
    doc = group.case.document
    out = []
    for year, approved, budget in group.pool.over():
        mark = doc.mark(("pool_budget", year), key=True) or doc.mark(("pool_budget",), key=True)
        out.append(
            Problem(
                shown(group.case.path),
                mark.line if mark else None,
                mark.column if mark else None,
                f"the approved proposals ask the pool for {approved} (1.000 kr.) in {year}, {approved - budget} more "
                f"than its budget of {budget}; approve less, move a proposal's costs to another year or raise "
                "pool_budget",
            )
        )
    return out
