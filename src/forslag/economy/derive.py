"""Tabel 1 from the business case: one scenario's gains and costs as ordinary lines, before Tabel 1 is calculated."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from forslag.economy.business_case import BusinessCaseResult, calculate_business_case, figures, whole
from forslag.economy.calc import Economy, calculate

if TYPE_CHECKING:
    from forslag.source.model import Case, Headline, Proposal

THOUSAND = Decimal(1000)


def with_derived_lines(proposal: Proposal, case: Case, result: BusinessCaseResult | None) -> Proposal:
    """The proposal with the derived rows added after the typed ones; unchanged without `business_case.tabel1`.

    The investing forvaltning's gains that lower a named budget become savings rows (negative; an avoided
    future cost is not booked), running costs permanent rows and
    implementation costs implementation rows, at the case's calendar years and price level in 1.000 kr.
    Each amount is rounded here, once, half up to whole 1.000 kr., as Tabel 1 rounds a typed line.
    """
    bc = proposal.business_case
    if bc is None or bc.tabel1 is None or result is None:
        return proposal
    from forslag.source.model import Line

    rule = bc.tabel1
    scenario = result.scenario(rule.scenario) if rule.scenario is not None else None
    to_tkr = THOUSAND if bc.unit == "kr." else Decimal(1)
    if scenario is None:  # a cost assessment: its costs alone
        note = "Afledt af omkostningsvurderingen i bilaget."
    else:
        note = f"Afledt af business casen i bilaget (scenariet »{scenario.scenario.name}«)."

    def amounts(values: tuple[Decimal, ...], sign: int) -> dict[int, Decimal]:
        out = {}
        for year, value in zip(result.calendar_years, values, strict=True):
            if year in case.years and value != 0:
                out[year] = Decimal(whole(sign * value / to_tkr))
        return out

    from forslag.source.business_case import books_as_saving

    booked = {e.id for e in bc.effects if books_as_saving(e)}
    permanent: list[Line] = []
    implementation: list[Line] = []
    if rule.gains and scenario is not None:
        for line in scenario.lines:
            values = amounts(line.values, -1)
            # Only a gain that lowers a named budget is a saving; an avoided future cost is shown, not booked.
            if line.payer == bc.investor and line.id in booked and values:
                permanent.append(
                    Line(
                        id=f"bc_{line.id}",
                        label=line.label,
                        styringsomraade=line.styringsomraade,
                        amounts=values,
                        text=note,
                    )
                )
    for cost in result.cost_lines:
        values = amounts(cost.values, 1)
        if not values or (cost.implementation and not rule.implementation):
            continue
        if not cost.implementation and not rule.running:
            continue
        row = Line(
            id=f"bc_{cost.id}",
            label=cost.label,
            styringsomraade=cost.styringsomraade,
            amounts=values,
            text=note,
            headline=_fitting_headline(values, case.years[-1]),
        )
        (implementation if cost.implementation else permanent).append(row)
    economy = proposal.economy.model_copy(
        update={
            "permanent": [*proposal.economy.permanent, *permanent],
            "implementation": [*proposal.economy.implementation, *implementation],
        }
    )
    return proposal.model_copy(update={"economy": economy})


def _fitting_headline(values: dict[int, Decimal], table_end: int) -> Headline | None:
    """A derived row's headline that says truly what its amounts do: a cost that ends before Tabel 1 does is
    temporary, so it is quoted for its period (one amount a year) or in total, never 'ved fuld indfasning'.
    The writer cannot set a headline on a row the business case makes, so it is chosen here."""
    if max(values) >= table_end:
        return None  # the default headline, as for a typed row
    return "period" if len(set(values.values())) == 1 else "total"


def proposal_economy(proposal: Proposal, case: Case) -> tuple[Proposal, Economy, BusinessCaseResult | None]:
    """Tabel 1 as every reader of a proposal must see it: the business case calculated first, its derived rows
    added (the proposal with them is returned too), then the table, with the business case's results among the
    figures that prose, diffs and the git driver quote."""
    bc = calculate_business_case(proposal.business_case, case) if proposal.business_case else None
    derived = with_derived_lines(proposal, case, bc)
    economy = calculate(derived, case)
    if bc is not None:
        economy.figures.update(figures(bc))
    return derived, economy, bc
