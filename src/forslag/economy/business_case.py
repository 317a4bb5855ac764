"""The business case's arithmetic: per scenario the yearly table, present value, break-even and sensitivity.

Pure and exact: every amount is a Decimal (in the business case's unit, at the case's price level) and is
rounded only where it is printed or written out (`whole`, half up to whole units). Discount factors are
Decimal quotients at 28 significant digits, far below any printed digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from forslag.economy.calc import Figure
    from forslag.source.business_case import BusinessCase, Cost, Effect, Scenario
    from forslag.source.model import Case

ZERO = Decimal(0)
ONE = Decimal(1)

# Finansministeriet's social discount rate: (first year of the band, rate), since January 2021 and before.
FM_SCHEDULE_2021 = ((1, Decimal("0.035")), (36, Decimal("0.025")), (71, Decimal("0.015")))
FM_SCHEDULE_BEFORE = ((1, Decimal("0.04")), (36, Decimal("0.03")), (71, Decimal("0.02")))

Series = tuple[Decimal, ...]


def whole(value: Decimal) -> int:
    """The one rounding of the business case: to whole units of its unit, halves away from zero."""
    return int(value.quantize(ONE, rounding=ROUND_HALF_UP))


def ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Line:
    """One gain or cost line of a scenario, per year of the case."""

    id: str
    label: str
    payer: str
    values: Series
    implementation: bool = False  # costs only: implementation rather than running
    styringsomraade: str = "Service"


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    lines: tuple[Line, ...]
    cost_lines: tuple[Line, ...]
    costs: Series
    gains: Series
    gains_by_payer: dict[str, Series]
    net: Series
    balance: Series
    discount: Series
    balance_pv: Series
    npv: Decimal
    npv_by_payer: dict[str, Decimal]
    pv_costs: Decimal
    tau: Decimal | None  # read on the balance named by balance_read
    tau_undiscounted: Decimal | None  # always on the undiscounted balance, for those who publish it
    balance_read: str  # "discounted" when the case discounts, else "undiscounted"
    first_surplus_year: int | None
    expected_successes: Decimal
    breakeven_success_rate: Decimal | None
    successes_needed: int | None
    cost_per_participant: Decimal | None
    sensitivity: tuple[tuple[Decimal, Decimal], ...]

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def breakeven_year(self) -> int | None:
        """⌈τ⌉: the year of the case in which the accumulated balance reaches zero (Skandia's 'break-even år')."""
        return None if self.tau is None else max(1, ceil(self.tau))

    @property
    def payback(self) -> int | None:
        """τ rounded half up: 'tjent ind efter n år', Copenhagen's tilbagebetalingstid."""
        return None if self.tau is None else whole(self.tau)

    @property
    def breakeven_year_undiscounted(self) -> int | None:
        return None if self.tau_undiscounted is None else max(1, ceil(self.tau_undiscounted))

    @property
    def payback_undiscounted(self) -> int | None:
        return None if self.tau_undiscounted is None else whole(self.tau_undiscounted)

    @property
    def payback_balance(self) -> Series:
        """The accumulated balance the payback figures are read on (discounted when the case discounts)."""
        return self.balance_pv if self.balance_read == "discounted" else self.balance


@dataclass(frozen=True)
class Financing:
    name: str
    share: Decimal
    first_year: Decimal
    total: Decimal


@dataclass(frozen=True)
class BusinessCaseResult:
    case: BusinessCase
    years: tuple[int, ...]  # 1..T
    calendar_years: tuple[int, ...]
    price_factor: Decimal
    price_level: int
    participants: Series
    participants_total: Decimal
    discount_note: str
    scenarios: tuple[ScenarioResult, ...]
    payers: tuple[str, ...]
    financing: tuple[Financing, ...]
    costs_first_year: Decimal
    costs_total: Decimal

    def scenario(self, scenario_id: str) -> ScenarioResult:
        return next(s for s in self.scenarios if s.id == scenario_id)


def discounts(bc: BusinessCase) -> bool:
    """Whether the case weighs later years less (then every payback figure is read on present values)."""
    return bc.discounting.method != "none"


def discount_factors(bc_discounting: object, horizon: int, first_year: int) -> tuple[Series, str]:
    """The factor each year's amount is multiplied by, and a Danish note saying how."""
    from forslag.source.business_case import Discounting

    assert isinstance(bc_discounting, Discounting)
    d = bc_discounting
    offset = 1 if d.convention == "start" else 0  # start: year t weighs (1+r)^-(t-1); end: (1+r)^-t
    periods = [t - offset for t in range(1, horizon + 1)]
    convention = "år 1 udiskonteret, år t med (1+r)^-(t-1)" if offset else "år t med (1+r)^-t"
    if d.method == "none":
        return tuple(ONE for _ in periods), "Beløbene er ikke diskonteret."
    if d.method == "rate":
        assert d.rate is not None
        factor = ONE / (ONE + d.rate)
        shown = f"{d.rate * 100:f}".rstrip("0").rstrip(".").replace(".", ",")
        return tuple(factor**n for n in periods), f"Diskonteret med {shown} % om året ({convention})."
    schedule = FM_SCHEDULE_2021 if first_year >= 2021 else FM_SCHEDULE_BEFORE
    out: list[Decimal] = []
    for n in periods:
        factor = ONE
        for k in range(1, n + 1):
            rate = next(r for start, r in reversed(schedule) if k >= start)
            factor /= ONE + rate
        out.append(factor)
    rates = "/".join(f"{r * 100:f}".rstrip("0").rstrip(".").replace(".", ",") for _, r in schedule)
    since = "gældende fra 2021" if schedule is FM_SCHEDULE_2021 else "gældende før 2021"
    note = (
        f"Diskonteret med Finansministeriets samfundsøkonomiske diskonteringsrente ({since}: "
        f"{rates} % i år 1-35/36-70/71+; {convention})."
    )
    return tuple(out), note


def price_factor(bc: BusinessCase, case: Case) -> Decimal:
    """The ratio that brings the business case's amounts to the case's price level (1 when they agree)."""
    if bc.price_level is None or bc.price_level == case.price_level:
        return ONE
    assert case.price_index is not None  # load checks that both index values exist
    values = case.price_index.values
    return values[case.price_level] / values[bc.price_level]


def participants_per_year(bc: BusinessCase) -> Series:
    p = bc.participants
    horizon = bc.horizon
    if p.total is not None:
        return tuple(p.total if t == 1 else ZERO for t in range(1, horizon + 1))
    return _stated(p.per_year or {}, horizon, p.hold_last)


def _stated(values: dict[int, Decimal], horizon: int, hold_last: bool) -> Series:
    last = max(values) if values else 0
    out = []
    for t in range(1, horizon + 1):
        if t in values:
            out.append(values[t])
        elif hold_last and t > last and values:
            out.append(values[last])
        else:
            out.append(ZERO)
    return tuple(out)


def cost_values(cost: Cost, horizon: int, participants: Series, factor: Decimal) -> Series:
    until = cost.until or horizon
    out = []
    for t in range(1, horizon + 1):
        in_range = cost.from_year <= t <= until
        if cost.one_off is not None:
            value = cost.one_off if t == cost.year else ZERO
        elif cost.yearly is not None:
            value = cost.yearly if in_range else ZERO
        elif cost.fte is not None and cost.unit_cost is not None:
            value = cost.fte * cost.unit_cost if in_range else ZERO
        elif cost.per_participant is not None:
            value = cost.per_participant * participants[t - 1] if in_range else ZERO
        else:
            value = (cost.amounts or {}).get(t, ZERO)
        out.append(value * factor)
    return tuple(out)


def effect_values(
    effect: Effect, effective_rate: Decimal, horizon: int, participants: Series, factor: Decimal
) -> Series:
    """One gain line per year at an effective success rate (s - d); linear in that rate when the line scales."""
    relapse = effect.relapse

    def modifiers(t: int) -> Decimal:
        m = (ONE + effect.growth) ** (t - 1)
        if relapse is not None and t >= relapse.from_year:
            m *= ONE - relapse.share
        return m * factor

    if effect.amounts is not None or effect.counts is not None:
        # Stated per year at a reference rate: lag and phase-in are already in the numbers.
        base = _stated(effect.amounts or effect.counts or {}, horizon, effect.hold_last)
        per_unit = ONE if effect.amounts is not None else (effect.value or ZERO)
        scale = effective_rate / effect.reference_rate if effect.scales and effect.reference_rate else ONE
        return tuple(base[t - 1] * per_unit * scale * modifiers(t) for t in range(1, horizon + 1))

    # A value per success: each year's participants form a cohort whose successes gain from year start + lag.
    value = effect.value or ZERO
    out = []
    for t in range(1, horizon + 1):
        total = ZERO
        for start in range(1, t + 1):
            cohort = participants[start - 1] * effective_rate
            j = t - start - effect.lag + 1  # the cohort's effect year
            if cohort == 0 or j < 1 or (effect.duration is not None and j > effect.duration):
                continue
            total += cohort * min(Decimal(j) / Decimal(effect.phase_in), ONE)
        out.append(total * value * modifiers(t))
    return tuple(out)


def _accumulate(values: Series) -> Series:
    out, running = [], ZERO
    for v in values:
        running += v
        out.append(running)
    return tuple(out)


def crossing_time(net: Series) -> Decimal | None:
    """τ: years from 1 January of year 1 until the accumulated balance reaches zero for good, linear in the year.

    None when the balance is still negative at the end of the horizon; 0 when it is never negative.
    """
    balance = _accumulate(net)
    negative = [t for t, b in enumerate(balance, start=1) if b < 0]
    if not negative:
        return ZERO
    last = negative[-1]
    if last == len(net):
        return None
    return Decimal(last) + (-balance[last - 1]) / net[last]


@dataclass(frozen=True)
class _Run:
    lines: tuple[Line, ...]
    gains: Series
    net: Series


def _run(bc: BusinessCase, rate: Decimal, participants: Series, factor: Decimal, costs: Series) -> _Run:
    horizon = bc.horizon
    lines = tuple(
        Line(e.id, e.label, e.payer, effect_values(e, rate, horizon, participants, factor), False, e.styringsomraade)
        for e in bc.effects
    )
    gains = tuple(sum((line.values[i] for line in lines), ZERO) for i in range(horizon))
    return _Run(lines, gains, tuple(g - c for g, c in zip(gains, costs, strict=True)))


def _pv(values: Series, discount: Series) -> Decimal:
    return sum((v * d for v, d in zip(values, discount, strict=True)), ZERO)


def sensitivity_rates(bc: BusinessCase) -> tuple[Decimal, ...]:
    if bc.sensitivity:
        return tuple(sorted(set(bc.sensitivity)))
    top = min(max(s.success_rate for s in bc.scenarios) * 2, ONE)
    return tuple((top * i / 10).normalize() for i in range(11))


def calculate_business_case(bc: BusinessCase, case: Case) -> BusinessCaseResult:
    horizon = bc.horizon
    years = tuple(range(1, horizon + 1))
    factor = price_factor(bc, case)
    participants = participants_per_year(bc)
    n_total = sum(participants, ZERO)
    discount, note = discount_factors(bc.discounting, horizon, bc.first_year)
    cost_lines = tuple(
        Line(
            c.id,
            c.label,
            bc.investor,
            cost_values(c, horizon, participants, factor),
            c.implementation,
            c.styringsomraade,
        )
        for c in bc.costs
    )
    costs = tuple(sum((c.values[i] for c in cost_lines), ZERO) for i in range(horizon))
    pv_costs = _pv(costs, discount)
    pv_participants = _pv(participants, discount)
    payers = tuple(dict.fromkeys([bc.investor, *(e.payer for e in bc.effects)]))

    def npv_at(effective: Decimal) -> Decimal:
        return _pv(_run(bc, effective, participants, factor, costs).net, discount)

    # NPV is linear in the effective rate: NPV(e) = a + b·e, so the break-even rate is exact.
    a = npv_at(ZERO)
    b = npv_at(ONE) - a

    results = []
    for scenario in bc.scenarios:
        d = scenario.deadweight
        effective = scenario.success_rate - d
        run = _run(bc, effective, participants, factor, costs)
        by_payer = {
            payer: tuple(
                sum((line.values[i] for line in run.lines if line.payer == payer), ZERO) for i in range(horizon)
            )
            for payer in payers
        }
        npv_by_payer = {payer: _pv(values, discount) for payer, values in by_payer.items()}
        npv_by_payer[bc.investor] -= pv_costs
        breakeven: Decimal | None = None
        needed: int | None = None
        if b > 0:
            rate = d - a / b
            if ZERO <= rate <= ONE:
                breakeven = max(rate, d)
                needed = ceil(n_total * (breakeven - d))
        balance = _accumulate(run.net)
        net_pv = tuple(n * f for n, f in zip(run.net, discount, strict=True))
        tau_undiscounted = crossing_time(run.net)
        results.append(
            ScenarioResult(
                scenario=scenario,
                lines=run.lines,
                cost_lines=cost_lines,
                costs=costs,
                gains=run.gains,
                gains_by_payer=by_payer,
                net=run.net,
                balance=balance,
                discount=discount,
                balance_pv=_accumulate(net_pv),
                npv=_pv(run.net, discount),
                npv_by_payer=npv_by_payer,
                pv_costs=pv_costs,
                # One rule (Skandia, SØM): when the case discounts, payback is read on the present value.
                tau=crossing_time(net_pv) if discounts(bc) else tau_undiscounted,
                tau_undiscounted=tau_undiscounted,
                balance_read="discounted" if discounts(bc) else "undiscounted",
                first_surplus_year=next((t for t, n in zip(years, run.net, strict=True) if n > 0), None),
                expected_successes=n_total * effective,
                breakeven_success_rate=breakeven,
                successes_needed=needed,
                cost_per_participant=pv_costs / pv_participants if pv_participants else None,
                sensitivity=tuple((s, a + b * (s - d)) for s in sensitivity_rates(bc)),
            )
        )
    first = costs[0] if costs else ZERO
    total = sum(costs, ZERO)
    financing = tuple(Financing(f.name, f.share, first * f.share, total * f.share) for f in bc.financing)
    return BusinessCaseResult(
        case=bc,
        years=years,
        calendar_years=tuple(bc.first_year + t - 1 for t in years),
        price_factor=factor,
        price_level=case.price_level,
        participants=participants,
        participants_total=n_total,
        discount_note=note,
        scenarios=tuple(results),
        payers=payers,
        financing=financing,
        costs_first_year=first,
        costs_total=total,
    )


def figures(result: BusinessCaseResult) -> dict[str, Figure]:
    """Every result by name for the prose: {{ bc.<scenario>.npv }}, {{ bc.<scenario>.breakeven_year }}, …"""
    from forslag.economy.calc import Figure

    to_tkr = Decimal(1000) if result.case.unit == "kr." else ONE
    out: dict[str, Figure] = {}

    unit: Literal["t. kr.", "kr."] = "kr." if result.case.unit == "kr." else "t. kr."

    def money(value: Decimal | None) -> Figure:
        return Figure("amount", None if value is None else value / to_tkr, unit)

    def count(value: Decimal | int | None) -> Figure:
        return Figure("count", value)

    out["bc.horizon"] = count(result.case.horizon)
    out["bc.first_year"] = Figure("year", result.case.first_year)
    out["bc.participants"] = count(result.participants_total)
    out["bc.costs.first"] = money(result.costs_first_year)
    out["bc.costs.total"] = money(result.costs_total)  # undiscounted: the sum of the years as paid
    out["bc.costs.pv"] = money(result.scenarios[0].pv_costs if result.scenarios else result.costs_total)
    for i, f in enumerate(result.financing, start=1):
        out[f"bc.financing.{i}.share"] = Figure("percent", f.share)
        out[f"bc.financing.{i}.first"] = money(f.first_year)
        out[f"bc.financing.{i}.total"] = money(f.total)
    for s in result.scenarios:
        p = f"bc.{s.id}"
        out[f"{p}.success_rate"] = Figure("percent", s.scenario.success_rate)
        out[f"{p}.deadweight"] = Figure("percent", s.scenario.deadweight)
        out[f"{p}.npv"] = money(s.npv)
        out[f"{p}.npv_investor"] = money(s.npv_by_payer[result.case.investor])
        out[f"{p}.tau"] = Figure("decimal", s.tau)
        out[f"{p}.breakeven_year"] = count(s.breakeven_year)
        out[f"{p}.payback"] = count(s.payback)
        out[f"{p}.tau_undiscounted"] = Figure("decimal", s.tau_undiscounted)
        out[f"{p}.breakeven_year_undiscounted"] = count(s.breakeven_year_undiscounted)
        out[f"{p}.payback_undiscounted"] = count(s.payback_undiscounted)
        out[f"{p}.first_surplus_year"] = count(s.first_surplus_year)
        out[f"{p}.expected_successes"] = count(s.expected_successes)
        # Participants who succeed, the deadweight included, as whole people: ⌈N·s⌉ (Ishøj's "16 og 10").
        out[f"{p}.succeeding"] = count(ceil(result.participants_total * s.scenario.success_rate))
        out[f"{p}.successes_needed"] = count(s.successes_needed)
        out[f"{p}.breakeven_success_rate"] = Figure("percent", s.breakeven_success_rate)
        out[f"{p}.cost_per_participant"] = money(s.cost_per_participant)
        for name, series in (("costs", s.costs), ("gains", s.gains), ("net", s.net), ("balance", s.balance)):
            out[f"{p}.{name}.total"] = money(sum(series, ZERO)) if name != "balance" else money(series[-1])
            for t, value in enumerate(series, start=1):
                out[f"{p}.{name}.{t}"] = money(value)
        for line in s.lines:
            out[f"{p}.line.{line.id}.total"] = money(sum(line.values, ZERO))
            for t, value in enumerate(line.values, start=1):
                out[f"{p}.line.{line.id}.{t}"] = money(value)
    return out


def as_json(result: BusinessCaseResult, suitability: dict[str, Any]) -> dict[str, Any]:
    """`check --json`'s business_case: money in whole units of the case's unit, τ as a decimal, null if none."""

    def money(values: Series) -> list[int]:
        return [whole(v) for v in values]

    def number(value: Decimal | None, places: int = 4) -> float | None:
        if value is None:
            return None
        return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))

    scenarios = []
    for s in result.scenarios:
        scenarios.append(
            {
                "name": s.scenario.name,
                "success_rate": float(s.scenario.success_rate),
                "years": list(result.years),
                "calendar_years": list(result.calendar_years),
                "lines": [{"label": ln.label, "payer": ln.payer, "values": money(ln.values)} for ln in s.lines],
                "costs": money(s.costs),
                "gains": money(s.gains),
                "net": money(s.net),
                "balance": money(s.balance),
                "balance_pv": money(s.balance_pv),
                "npv": whole(s.npv),
                "npv_by_payer": {payer: whole(v) for payer, v in s.npv_by_payer.items()},
                "tau": number(s.tau),
                "balance_read": s.balance_read,
                "tau_undiscounted": number(s.tau_undiscounted),
                "breakeven_year_undiscounted": s.breakeven_year_undiscounted,
                "payback_undiscounted": s.payback_undiscounted,
                "breakeven_year": s.breakeven_year,
                "payback": s.payback,
                "first_surplus_year": s.first_surplus_year,
                "expected_successes": number(s.expected_successes),
                "successes_needed": s.successes_needed,
                "breakeven_success_rate": number(s.breakeven_success_rate),
                "cost_per_participant": None if s.cost_per_participant is None else whole(s.cost_per_participant),
            }
        )
    costs = {
        "total": whole(result.costs_total),
        "total_discounted": False,
        "pv": whole(result.scenarios[0].pv_costs) if result.scenarios else whole(result.costs_total),
    }
    return {"unit": result.case.unit, "costs": costs, "scenarios": scenarios, "suitability": suitability}
