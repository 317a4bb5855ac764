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
    from forslag.source.business_case import BusinessCase, Cost, Effect, Participants, Scenario
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
    npv_per_10pp: Decimal  # SØM: the change in NPV per 10 percentage points of success rate
    npv_per_participant: Decimal | None  # SØM: NPV over all participants (not discounted: people, not money)

    @property
    def breakeven_whole_percent(self) -> int | None:
        """⌈s*⌉: the whole percentage of success that first pays (SØM's rounding of the break-even rate)."""
        return None if self.breakeven_success_rate is None else ceil(self.breakeven_success_rate * 100)

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


COST_TYPES = ("forberedelse", "uddannelse", "drift", "øvrige")


@dataclass(frozen=True)
class CostResult:
    """The cost side by year and by cost type, for the base case ("base") or one cost scenario."""

    id: str
    name: str
    types: tuple[str, ...]  # the cost types that occur, in the cost model's order
    by_type: dict[str, Series]
    costs: Series
    participants: Series
    total_by_type: dict[str, Decimal]
    total: Decimal
    pv_by_type: dict[str, Decimal]
    pv: Decimal
    # PV(costs) / PV(participants of the base case): the cost model keeps the base divisor in every scenario
    per_participant_by_type: dict[str, Decimal | None]
    per_participant: Decimal | None


@dataclass(frozen=True)
class PublishedSensitivity:
    """The sensitivity figures from two published scenario results: NPV is a straight line in the rate."""

    results: tuple[tuple[str, Decimal, Decimal, Decimal | None], ...]  # name, rate, NPV, NPV per participant
    npv_per_10pp: Decimal
    breakeven_success_rate: Decimal | None
    sensitivity: tuple[tuple[Decimal, Decimal], ...]
    source: str

    @property
    def breakeven_whole_percent(self) -> int | None:
        return None if self.breakeven_success_rate is None else ceil(self.breakeven_success_rate * 100)


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
    cost_lines: tuple[Line, ...] = ()
    pv_participants: Decimal = ZERO
    cost_results: tuple[CostResult, ...] = ()  # the base case first, then the cost scenarios
    published: PublishedSensitivity | None = None

    @property
    def cost_assessment(self) -> bool:
        """Costs and no gains: no success scenarios, no verdict, no notat."""
        return self.case.cost_assessment

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


def participants_per_year(bc: BusinessCase, other: Participants | None = None) -> Series:
    p = other or bc.participants
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
    rates = (
        [s.success_rate for s in bc.scenarios] or [r.success_rate for r in bc.published.results] if bc.published else []
    )
    top = min(max(rates, default=ONE / 2) * 2, ONE)
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
                npv_per_10pp=b / 10,
                npv_per_participant=_pv(run.net, discount) / n_total if n_total else None,
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
        cost_lines=cost_lines,
        pv_participants=pv_participants,
        cost_results=cost_results(bc, factor, discount, participants, pv_participants),
        published=published_sensitivity(bc, n_total),
    )


def _cost_result(
    bc: BusinessCase,
    identity: tuple[str, str],
    lines: list[tuple[Cost, Series]],
    participants: Series,
    discount: Series,
    divisor: Decimal,
) -> CostResult:
    horizon = bc.horizon
    types = tuple(k for k in COST_TYPES if any(c.cost_type == k for c, _ in lines))
    by_type = {k: tuple(sum((v[i] for c, v in lines if c.cost_type == k), ZERO) for i in range(horizon)) for k in types}
    costs = tuple(sum((by_type[k][i] for k in types), ZERO) for i in range(horizon))
    pv_by_type = {k: _pv(by_type[k], discount) for k in types}
    pv = _pv(costs, discount)
    return CostResult(
        id=identity[0],
        name=identity[1],
        types=types,
        by_type=by_type,
        costs=costs,
        participants=participants,
        total_by_type={k: sum(by_type[k], ZERO) for k in types},
        total=sum(costs, ZERO),
        pv_by_type=pv_by_type,
        pv=pv,
        per_participant_by_type={k: pv_by_type[k] / divisor if divisor else None for k in types},
        per_participant=pv / divisor if divisor else None,
    )


def cost_results(
    bc: BusinessCase, factor: Decimal, discount: Series, participants: Series, divisor: Decimal
) -> tuple[CostResult, ...]:
    """The cost assessment: the base case, then each cost scenario with its factors and participants, every
    cost per participant divided by the base case's discounted participants."""
    horizon = bc.horizon
    base = [(c, cost_values(c, horizon, participants, factor)) for c in bc.costs]
    out = [_cost_result(bc, ("base", "Basis"), base, participants, discount, divisor)]
    for cs in bc.cost_scenarios:
        own = participants_per_year(bc, cs.participants) if cs.participants is not None else participants
        lines = [
            (c, tuple(v * cs.factors.get(c.id, ONE) for v in cost_values(c, horizon, own, factor))) for c in bc.costs
        ]
        out.append(_cost_result(bc, (cs.id, cs.name), lines, own, discount, divisor))
    return tuple(out)


def published_sensitivity(bc: BusinessCase, n_total: Decimal) -> PublishedSensitivity | None:
    """From two published results (rate, NPV): the slope per 10 points, the zero and the table, exactly."""
    if bc.published is None:
        return None
    (r1, r2) = bc.published.results
    slope = (r2.npv - r1.npv) / (r2.success_rate - r1.success_rate)
    zero = r1.success_rate - r1.npv / slope if slope else None
    breakeven = zero if zero is not None and ZERO <= zero <= ONE else None
    rows = tuple((s, r1.npv + slope * (s - r1.success_rate)) for s in sensitivity_rates(bc))
    return PublishedSensitivity(
        results=tuple(
            (r.name, r.success_rate, r.npv, r.npv / n_total if n_total else None) for r in bc.published.results
        ),
        npv_per_10pp=slope / 10,
        breakeven_success_rate=breakeven,
        sensitivity=rows,
        source=bc.published.source,
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

    def percent(whole_percent: int | None) -> Figure:
        """A whole percentage (⌈s*⌉) as the share a percent figure holds: 13 -> 0,13."""
        return Figure("percent", None if whole_percent is None else Decimal(whole_percent) / 100)

    out["bc.horizon"] = count(result.case.horizon)
    out["bc.first_year"] = Figure("year", result.case.first_year)
    out["bc.participants"] = count(result.participants_total)
    out["bc.costs.first"] = money(result.costs_first_year)
    out["bc.costs.total"] = money(result.costs_total)  # undiscounted: the sum of the years as paid
    out["bc.participants_pv"] = Figure("decimal", result.pv_participants)
    for cr in result.cost_results:
        prefix = "bc.costs" if cr.id == "base" else f"bc.cost_scenarios.{cr.id}"
        out[f"{prefix}.total"] = money(cr.total)  # undiscounted: the sum of the years as paid
        out[f"{prefix}.pv"] = money(cr.pv)  # discounted at the case's rate and convention
        out[f"{prefix}.per_participant"] = money(cr.per_participant)
        for k in cr.types:
            out[f"{prefix}.{k}.total"] = money(cr.total_by_type[k])
            out[f"{prefix}.{k}.pv"] = money(cr.pv_by_type[k])
            out[f"{prefix}.{k}.per_participant"] = money(cr.per_participant_by_type[k])
    if result.published is not None:
        pub = result.published
        out["bc.published.npv_per_10pp"] = money(pub.npv_per_10pp)
        out["bc.published.breakeven_success_rate"] = Figure("percent", pub.breakeven_success_rate)
        whole_pct = pub.breakeven_whole_percent
        out["bc.published.breakeven_whole_percent"] = percent(whole_pct)
        for i, (_, _, _, per) in enumerate(pub.results, start=1):
            out[f"bc.published.{i}.npv_per_participant"] = money(per)
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
        out[f"{p}.npv_per_10pp"] = money(s.npv_per_10pp)
        out[f"{p}.npv_per_participant"] = money(s.npv_per_participant)
        whole_pct = s.breakeven_whole_percent
        out[f"{p}.breakeven_whole_percent"] = percent(whole_pct)
        for name, series in (("costs", s.costs), ("gains", s.gains), ("net", s.net), ("balance", s.balance)):
            out[f"{p}.{name}.total"] = money(sum(series, ZERO)) if name != "balance" else money(series[-1])
            for t, value in enumerate(series, start=1):
                out[f"{p}.{name}.{t}"] = money(value)
        for line in s.lines:
            out[f"{p}.line.{line.id}.total"] = money(sum(line.values, ZERO))
            for t, value in enumerate(line.values, start=1):
                out[f"{p}.line.{line.id}.{t}"] = money(value)
    return out


def as_json(result: BusinessCaseResult, suitability: dict[str, Any] | None) -> dict[str, Any]:
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
                "npv_per_10pp": whole(s.npv_per_10pp),
                "npv_per_participant": None if s.npv_per_participant is None else whole(s.npv_per_participant),
                "breakeven_whole_percent": s.breakeven_whole_percent,
            }
        )

    def maybe(value: Decimal | None) -> int | None:
        return None if value is None else whole(value)

    base = result.cost_results[0]
    costs = {"total": whole(base.total), "total_discounted": False, "pv": whole(base.pv)}
    assessment = {
        "participants_pv": number(result.pv_participants),
        "scenarios": [
            {
                "id": cr.id,
                "name": cr.name,
                "participants": [float(v) for v in cr.participants],
                "by_type": {k: money(cr.by_type[k]) for k in cr.types},
                "costs": money(cr.costs),
                "total_by_type": {k: whole(cr.total_by_type[k]) for k in cr.types},
                "total": whole(cr.total),
                "pv_by_type": {k: whole(cr.pv_by_type[k]) for k in cr.types},
                "pv": whole(cr.pv),
                "per_participant_by_type": {k: maybe(cr.per_participant_by_type[k]) for k in cr.types},
                "per_participant": maybe(cr.per_participant),
            }
            for cr in result.cost_results
        ],
    }
    out: dict[str, Any] = {
        "unit": result.case.unit,
        "kind": "cost_assessment" if result.cost_assessment else "business_case",
        "balance_read": "discounted" if discounts(result.case) else "undiscounted",
        "costs": costs,
        "cost_assessment": assessment,
        "financing": [
            {"name": f.name, "share": float(f.share), "first": whole(f.first_year), "total": whole(f.total)}
            for f in result.financing
        ],
        "scenarios": scenarios,
        "suitability": suitability,
    }
    if result.published is not None:
        pub = result.published
        out["published"] = {
            "results": [
                {"name": n, "success_rate": float(r), "npv": whole(v), "npv_per_participant": maybe(per)}
                for n, r, v, per in pub.results
            ],
            "npv_per_10pp": whole(pub.npv_per_10pp),
            "breakeven_success_rate": number(pub.breakeven_success_rate),
            "breakeven_whole_percent": pub.breakeven_whole_percent,
            "sensitivity": [[float(r), whole(v)] for r, v in pub.sensitivity],
            "source": pub.source,
        }
    return out
