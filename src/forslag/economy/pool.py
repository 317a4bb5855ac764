"""The investment pool's year by year: its budget, what the proposals ask for, and what the approved ones use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from forslag.economy.calc import Values, sum_rows

APPROVED = "godkendt"


@dataclass(frozen=True)
class Ask:
    """One proposal's claim on the pool: its state and its implementation costs per year (1.000 kr.)."""

    state: str
    asked: Values


@dataclass(frozen=True)
class PoolUse:
    """Per year of the case, in 1.000 kr.; a year the pool states no money for has budget None."""

    years: tuple[int, ...]
    budget: Values
    asked: tuple[int, ...]  # every proposal in the case
    approved: tuple[int, ...]  # the proposals in state godkendt
    left: Values  # budget - approved, None where there is no budget

    @property
    def stated(self) -> bool:
        return any(b is not None for b in self.budget)

    def over(self) -> list[tuple[int, int, int]]:
        """The years the approved proposals ask for more than the pool has: (year, approved, budget)."""
        return [
            (year, approved, budget)
            for year, approved, budget in zip(self.years, self.approved, self.budget, strict=True)
            if budget is not None and approved > budget
        ]


def _zeroed(values: Values) -> tuple[int, ...]:
    return tuple(v or 0 for v in values)


def pool_use(budget: dict[int, Decimal] | None, years: Sequence[int], asks: Sequence[Ask]) -> PoolUse:
    width = len(years)
    stated = budget or {}
    budget_row: Values = tuple(int(stated[y]) if y in stated else None for y in years)
    asked = _zeroed(sum_rows([a.asked for a in asks], width))
    approved = _zeroed(sum_rows([a.asked for a in asks if a.state == APPROVED], width))
    left: Values = tuple(None if b is None else b - a for b, a in zip(budget_row, approved, strict=True))
    return PoolUse(tuple(years), budget_row, asked, approved, left)
