"""The committee notat's argument: the gain lines grouped by the reason they cannot finance the investment.

The suitability test (economy/suitability.py) finds, line by line, what keeps a gain from paying back an
investment; the notat argues by theme, as a committee reads it: gains that land elsewhere, gains that are hard
to isolate, avoided future costs that lower no budget, and gains with no budget to take them from. Each theme
lists its lines with their amounts; a line can belong to more than one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from forslag.economy.business_case import ZERO, BusinessCaseResult

# (key, the test a gain line fails), in the order the notat argues them.
THEMES: tuple[tuple[str, Callable[[Any, str], bool]], ...] = (
    ("elsewhere", lambda effect, investor: effect.payer != investor),
    ("indirect", lambda effect, investor: not effect.direct),
    ("avoided", lambda effect, investor: effect.kind == "avoided_cost"),
    ("no_budget", lambda effect, investor: not effect.budget),
)


@dataclass(frozen=True)
class Gain:
    label: str
    payer: str
    total: Decimal  # the line's gains over the horizon in the judged scenario, in the case's unit


@dataclass(frozen=True)
class Argument:
    themes: dict[str, tuple[Gain, ...]]  # only the themes that have lines, in THEMES order
    gains_total: Decimal  # every gain over the horizon in the judged scenario
    realisable_total: Decimal  # the gains that pass every test
    others: tuple[str, ...]  # who else than the investor gets gains


def argument(result: BusinessCaseResult, scenario_id: str) -> Argument:
    """The notat's themes for the judged scenario."""
    case = result.case
    scenario = result.scenario(scenario_id)
    effects = {e.id: e for e in case.effects}
    themes: dict[str, tuple[Gain, ...]] = {}
    failing: set[str] = set()
    for key, fails in THEMES:
        gains = tuple(
            Gain(line.label, line.payer, sum(line.values, ZERO))
            for line in scenario.lines
            if fails(effects[line.id], case.investor)
        )
        if gains:
            themes[key] = gains
        failing |= {line.id for line in scenario.lines if fails(effects[line.id], case.investor)}
    realisable = sum((sum(line.values, ZERO) for line in scenario.lines if line.id not in failing), ZERO)
    others = tuple(p for p in result.payers if p != case.investor)
    return Argument(themes, sum(scenario.gains, ZERO), realisable, others)
