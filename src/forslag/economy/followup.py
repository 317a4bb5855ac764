"""The arithmetic of a follow-up: planned against realised per row and year, deviations, payback at the realised pace.

Pure and exact. The plan is Tabel 1 of the proposal at its adopted revision (an `Economy`). A deviation is
realised minus planned in 1.000 kr., with Tabel 1's signs (a saving is negative), so a positive deviation is a
smaller saving or a larger cost than planned. Its percentage is of the planned amount's size, rounded once to
one decimal, half up. The payback at the realised pace is the proposal's own payback rule (`calc.calculate`,
hence `calc.payback`) applied to the rows with their realised amounts in the years that have passed and their
planned amounts after; a row that is not followed up counts with its planned amount throughout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from forslag.economy.calc import Economy, Payback, calculate

if TYPE_CHECKING:
    from forslag.source.model import Case, Proposal

STATUSES = ("met", "partly", "not_met", "not_due")


def percent_of(deviation: int, planned: int | None) -> Decimal | None:
    """The deviation as a percentage of the planned amount's size, one decimal, half up; None without a plan."""
    if not planned:
        return None
    return (Decimal(deviation) * 100 / abs(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Threshold:
    """A deviation needs an explanation when it is beyond both: `percent` of the plan and `amount` 1.000 kr."""

    percent: Decimal
    amount: Decimal

    def exceeded(self, deviation: int | None, planned: int | None) -> bool:
        if deviation is None or abs(deviation) <= self.amount:
            return False
        share = percent_of(deviation, planned)
        return share is None or abs(share) > self.percent  # without a plan, any amount beyond is unplanned


@dataclass(frozen=True)
class Compared:
    """One planned amount and its realised counterpart; a blank (None) is no amount."""

    planned: int | None
    realised: int | None

    @property
    def deviation(self) -> int | None:
        """Realised minus planned, a blank counting as nothing; None when both are blank."""
        if self.planned is None and self.realised is None:
            return None
        return (self.realised or 0) - (self.planned or 0)

    @property
    def percent(self) -> Decimal | None:
        return None if self.deviation is None else percent_of(self.deviation, self.planned)


def _accumulate(items: list[Compared]) -> Compared:
    planned = [c.planned for c in items if c.planned is not None]
    realised = [c.realised for c in items if c.realised is not None]
    return Compared(sum(planned) if planned else None, sum(realised) if realised else None)


@dataclass(frozen=True)
class YearLine:
    year: int
    compared: Compared
    needs_explanation: bool
    explanation: str | None

    @property
    def missing_explanation(self) -> bool:
        return self.needs_explanation and not (self.explanation or "").strip()


@dataclass(frozen=True)
class RowFollowUp:
    """One row (or total) over the years that have passed, and accumulated over them."""

    id: str
    label: str
    area: str | None
    block: str
    years: tuple[YearLine, ...]
    accumulated: Compared


@dataclass(frozen=True)
class GoalLine:
    group: str  # "implementation" or "realisation", as Tabel 2 groups it
    goal: str
    status: str
    explanation: str | None


@dataclass(frozen=True)
class FollowUpEconomy:
    """Everything the report, `check --json` and a workbook sheet read; nothing here is formatted."""

    years: tuple[int, ...]  # the adopted proposal's years
    passed: tuple[int, ...]  # those that have passed and are followed up
    threshold: Threshold
    rows: tuple[RowFollowUp, ...]  # the followed-up rows, in Tabel 1's order
    unfollowed: tuple[str, ...]  # labels of the rows counted with their planned amounts
    net: RowFollowUp  # Heraf nettoeffektivisering over the passed years
    impact: RowFollowUp  # Samlet økonomisk påvirkning over the passed years
    planned_net: tuple[int | None, ...]  # every year: the adopted plan
    realised_net: tuple[int | None, ...]  # every year: realised in the passed years, planned after
    planned_impact: tuple[int | None, ...]
    realised_impact: tuple[int | None, ...]
    payback_adopted: tuple[Payback, Payback]  # service, total: as adopted
    payback_realised: tuple[Payback, Payback]  # service, total: realised, then planned
    goals: tuple[GoalLine, ...]

    @property
    def missing_explanations(self) -> list[tuple[str, int]]:
        return [(r.id, y.year) for r in self.rows for y in r.years if y.missing_explanation]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(g.status for g in self.goals)
        return {s: counts.get(s, 0) for s in STATUSES}


def _row(
    id_: str,
    label: str,
    area: str | None,
    block: str,
    planned: tuple[int | None, ...],
    realised: tuple[int | None, ...],
    years: tuple[int, ...],
    passed: tuple[int, ...],
    threshold: Threshold | None,
    explanations: dict[int, str],
) -> RowFollowUp:
    lines = []
    for year, p, r in zip(years, planned, realised, strict=True):
        if year not in passed or (p is None and r is None):
            continue  # a year with neither a plan nor a realised amount says nothing
        compared = Compared(p, r)
        needs = threshold is not None and threshold.exceeded(compared.deviation, p)
        lines.append(YearLine(year, compared, needs, explanations.get(year)))
    return RowFollowUp(id_, label, area, block, tuple(lines), _accumulate([y.compared for y in lines]))


def follow_up(
    proposal: Proposal,
    case: Case,
    economy: Economy,
    realised: dict[str, dict[int, int]],
    explanations: dict[str, dict[int, str]],
    passed: tuple[int, ...],
    threshold: Threshold,
    goals: tuple[GoalLine, ...],
) -> FollowUpEconomy:
    """Compare the realised amounts with the plan in `economy` (the adopted version's, computed from `proposal`)."""
    years = economy.years
    lines = (*economy.permanent, *economy.implementation)
    pace: dict[str, tuple[int | None, ...]] = {}  # every row, realised in the passed years, planned after
    for c in lines:
        given = realised.get(c.line.id)
        pace[c.line.id] = tuple(
            (given.get(y) if given is not None else v) if y in passed else v
            for y, v in zip(years, c.row.values, strict=True)
        )
    at_pace = calculate(_with_values(proposal, economy, pace), case)
    rows = tuple(
        _row(
            c.line.id,
            c.row.label,
            c.row.styringsomraade,
            c.row.block,
            c.row.values,
            pace[c.line.id],
            years,
            passed,
            threshold,
            explanations.get(c.line.id, {}),
        )
        for c in lines
        if c.line.id in realised
    )
    unfollowed = tuple(c.row.label for c in lines if c.line.id not in realised)
    net = _row("net", economy.net.label, None, "varig", economy.net.values, at_pace.net.values, years, passed, None, {})
    impact = _row(
        "impact", economy.impact.label, None, "", economy.impact.values, at_pace.impact.values, years, passed, None, {}
    )
    return FollowUpEconomy(
        years=years,
        passed=passed,
        threshold=threshold,
        rows=rows,
        unfollowed=unfollowed,
        net=net,
        impact=impact,
        planned_net=economy.net.values,
        realised_net=at_pace.net.values,
        planned_impact=economy.impact.values,
        realised_impact=at_pace.impact.values,
        payback_adopted=(economy.payback_service, economy.payback_total),
        payback_realised=(at_pace.payback_service, at_pace.payback_total),
        goals=goals,
    )


def _with_values(proposal: Proposal, economy: Economy, values: dict[str, tuple[int | None, ...]]) -> Proposal:
    """The proposal with each Tabel 1 row's amounts replaced by `values` (drivers folded in), for `calculate`."""

    def replaced(block: tuple[Any, ...]) -> list[Any]:
        out = []
        for c in block:
            amounts = {y: Decimal(v) for y, v in zip(economy.years, values[c.line.id], strict=True) if v is not None}
            out.append(c.line.model_copy(update={"amounts": amounts, "staffing": [], "units": []}))
        return out

    lines = {"permanent": replaced(economy.permanent), "implementation": replaced(economy.implementation)}
    return proposal.model_copy(update={"economy": proposal.economy.model_copy(update=lines)})


def as_json(result: FollowUpEconomy) -> dict[str, Any]:
    """The follow-up's figures for other tools (check --json, a workbook sheet): 1.000 kr., null for blank."""

    def compared(c: Compared) -> dict[str, Any]:
        return {
            "planned": c.planned,
            "realised": c.realised,
            "deviation": c.deviation,
            "percent": None if c.percent is None else str(c.percent),
        }

    def row(r: RowFollowUp) -> dict[str, Any]:
        return {
            "id": r.id,
            "label": r.label,
            "styringsomraade": r.area,
            "years": {
                str(y.year): compared(y.compared)
                | {"needs_explanation": y.needs_explanation, "explanation": y.explanation}
                for y in r.years
            },
            "accumulated": compared(r.accumulated),
        }

    def by_year(values: tuple[int | None, ...]) -> dict[str, int | None]:
        return {str(y): v for y, v in zip(result.years, values, strict=True)}

    return {
        "years": list(result.passed),
        "threshold": {"percent": str(result.threshold.percent), "amount": str(result.threshold.amount)},
        "rows": [row(r) for r in result.rows],
        "not_followed_up": list(result.unfollowed),
        "net": row(result.net),
        "impact": row(result.impact),
        "planned_net": by_year(result.planned_net),
        "realised_net": by_year(result.realised_net),
        "planned_impact": by_year(result.planned_impact),
        "realised_impact": by_year(result.realised_impact),
        "payback": {
            "adopted": {"service": result.payback_adopted[0].years, "total": result.payback_adopted[1].years},
            "realised_pace": {"service": result.payback_realised[0].years, "total": result.payback_realised[1].years},
        },
        "goals": [
            {"group": g.group, "goal": g.goal, "status": g.status, "explanation": g.explanation} for g in result.goals
        ],
        "goal_status": result.status_counts,
        "missing_explanations": [{"row": r, "year": y} for r, y in result.missing_explanations],
    }
