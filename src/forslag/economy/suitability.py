"""The suitability test (the Copenhagen notat's rule): is a business case fit to be an investment case, and why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from forslag.economy.business_case import ONE, ZERO, BusinessCaseResult, crossing_time, whole

if TYPE_CHECKING:
    from forslag.source.business_case import Effect

Verdict = Literal["egnet", "ikke egnet"]


@dataclass(frozen=True)
class Suitability:
    verdict: Verdict
    reasons: tuple[str, ...]  # Danish sentences, each naming one ground for the verdict
    scenario: str
    realisable_share: Decimal | None
    realisable_tau: Decimal | None
    payback_limit: int

    @property
    def suitable(self) -> bool:
        return self.verdict == "egnet"


def _pct(value: Decimal) -> str:
    return f"{whole(value * 100)} %"


def line_faults(effect: Effect, investor: str) -> list[str]:
    """Why one gain line is not realisable (empty when it is)."""
    faults = []
    if effect.payer != investor:
        faults.append(f"falder hos {effect.payer}, ikke hos {investor}")
    if not effect.direct:
        faults.append("kan ikke henføres direkte til investeringen")
    if effect.kind == "avoided_cost":
        faults.append("er en undgået fremtidig udgift, ikke en lavere udgift i et eksisterende budget")
    if not effect.budget:
        faults.append("peger ikke på et budget, hvor besparelsen kan indarbejdes")
    return faults


def assess(result: BusinessCaseResult) -> Suitability:
    bc = result.case
    rule = bc.suitability
    scenario = result.scenario(rule.scenario) if rule.scenario else result.scenarios[0]
    limit = rule.payback_limit or bc.horizon
    effects = {e.id: e for e in bc.effects}
    reasons: list[str] = []
    realisable = [line for line in scenario.lines if not line_faults(effects[line.id], bc.investor)]
    for line in scenario.lines:
        faults = line_faults(effects[line.id], bc.investor)
        if faults:
            reasons.append(f"Gevinsten »{line.label}« {_join(faults)}.")
    total = sum(scenario.gains, ZERO)
    real = [sum((line.values[i] for line in realisable), ZERO) for i in range(bc.horizon)]
    share = sum(real, ZERO) / total if total else None
    # The same balance as the case's payback figures: present values when the case discounts.
    weights = scenario.discount if scenario.balance_read == "discounted" else tuple(ONE for _ in real)
    tau = crossing_time(tuple((g - c) * w for g, c, w in zip(real, scenario.costs, weights, strict=True)))
    name = scenario.scenario.name
    suitable = True
    if tau is None or tau > limit:
        suitable = False
        reasons.append(
            f"De realiserbare gevinster alene betaler ikke investeringen tilbage inden for {limit} år "
            f"(scenariet »{name}«)."
        )
    else:
        reasons.append(f"De realiserbare gevinster alene betaler investeringen tilbage inden for {limit} år.")
    if share is None or share < rule.min_share:
        suitable = False
        reasons.append(
            f"De realiserbare gevinster udgør {_pct(share or ZERO)} af alle gevinster; "
            f"kravet er mindst {_pct(rule.min_share)}."
        )
    else:
        reasons.append(f"De realiserbare gevinster udgør {_pct(share)} af alle gevinster.")
    others = [p for p in result.payers if p != bc.investor]
    if others:
        reasons.append(
            f"Gevinsterne spreder sig ud over {bc.investor} til {_join(others)}: "
            f"den offentlige sektor som helhed kan vinde, men kun gevinsterne hos {bc.investor} kan finansiere "
            "investeringen."
        )
    return Suitability("egnet" if suitable else "ikke egnet", tuple(reasons), scenario.id, share, tau, limit)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]
