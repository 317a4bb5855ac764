"""The source schema of a business case: target group, costs, scenarios, effects, horizon and discounting."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema, field_validator, model_validator

from forslag.errors import Problem
from forslag.source.numbers import FIRST_YEAR, LAST_YEAR, Numbers, Strict, Styringsomraade, _checked, _describe, _number

if TYPE_CHECKING:
    from forslag.source import model
    from forslag.source.yamlsource import Document

# Years: Finansministeriet's schedule changes rate after year 35 and year 70, so a case may run past both
# steps; past WARN_HORIZON a municipal case is rarely credible, and the loader says so.
MAX_HORIZON = 100
WARN_HORIZON = 50
MAX_RATE = Decimal("0.20")  # a discount rate above 20 % is a typo (4 written for 0.04 is caught separately)
MAX_GROWTH = Decimal("0.20")  # a yearly index growth beyond ±20 % is a typo (2 written for 0.02)
# A line's yearly figure, in the case's unit: beyond this it is no budget figure, and the sums of a hundred
# years of such lines stay well inside Decimal's 28 digits (so rounding stays exact).
MAX_SIZE = Decimal(10) ** 15
MAX_FACTOR = 100  # a cost scenario's factor: beyond a hundredfold it is a typo, not a sensitivity

CostType = Literal["forberedelse", "uddannelse", "drift", "øvrige"]
GainKind = Literal["budget_reduction", "avoided_cost"]
Convention = Literal["start", "end"]
DiscountMethod = Literal["none", "rate", "finansministeriet"]
Unit = Literal["kr.", "1.000 kr."]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


# The business case's money, counts and participants: fractions are legitimate (612,5 t. kr., 2,5 årsværk),
# but a number that looks like a Danish thousands point is an error (the loader says what to write).
CASE_NUMBER = Numbers(whole=False, per_year=False, single=True, unit="", thousands=True)
CASE_YEARS = Numbers(whole=False, per_year=True, single=False, unit="", thousands=True, case_years=True)


def _case_number(value: object) -> Decimal:
    return _checked(value, CASE_NUMBER)


def _year_index_map(value: object) -> dict[int, Decimal]:
    """A mapping of year of the case (1, 2, ...) to a number."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of year of the case: number (like 1: 700), got {_describe(value)}")
    out: dict[int, Decimal] = {}
    for year, number in value.items():
        if not isinstance(year, int) or isinstance(year, bool) or year < 1:
            raise ValueError(f"expected a year of the case (1, 2, ...) as key, got {_describe(year)}")
        try:
            out[year] = _case_number(number)
        except ValueError as exc:
            raise ValueError(f"year {year}: {exc}") from None
    return out


def _share(value: object) -> Decimal:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError(f"expected a share between 0 and 1 (like 0.125 for 12,5 %), got {number}")
    return number


_INDEX_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": "^[1-9][0-9]*$"},
    "additionalProperties": {"type": "number"},
}
YearIndexMap = Annotated[dict[int, Decimal], PlainValidator(_year_index_map), WithJsonSchema(_INDEX_SCHEMA), CASE_YEARS]
Amount = Annotated[Decimal, PlainValidator(_case_number), WithJsonSchema({"type": "number"}), CASE_NUMBER]
Share = Annotated[Decimal, PlainValidator(_share), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})]


def payer_key(name: str) -> str:
    """What makes two payers' names the same payer: the words, whatever their spaces and case."""
    return " ".join(name.split()).casefold()


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} must be lower-case letters, digits and _, starting with a letter")
    return value


class Participants(Strict):
    """The target group: N participants in all, or n_t entering per year of the case."""

    total: Amount | None = Field(None, description="Participants in all (all start in year 1), e.g. 155.")
    per_year: YearIndexMap | None = Field(
        None, description="Participants entering per year of the case, e.g. {1: 13, 2: 18}."
    )
    hold_last: bool = Field(
        False, description="Keep the last stated year's number of new participants to the end of the horizon."
    )
    source: str | None = Field(None, description="Where the number comes from (printed with the assumptions).")

    @model_validator(mode="after")
    def _one_of(self) -> Participants:
        if (self.total is None) == (self.per_year is None):
            raise ValueError("give either 'total' or 'per_year'")
        numbers = [self.total] if self.total is not None else list((self.per_year or {}).values())
        if any(n is not None and n < 0 for n in numbers):
            raise ValueError("the number of participants cannot be negative")
        return self


class Cost(Strict):
    """One cost of the intervention, in the business case's unit at its price level."""

    id: str = Field(description="Short name, e.g. 'raadgivere'.")
    label: str = Field(description="What the cost is, as printed, e.g. '2 familierådgivere'.")
    cost_type: CostType = Field(
        "drift", description="Socialstyrelsen's cost type: forberedelse, uddannelse, drift, øvrige."
    )
    styringsomraade: Styringsomraade = Field(
        "Service", description="Budget control area of the cost's Tabel 1 row: Service, Overførsler, Anlæg."
    )
    one_off: Amount | None = Field(None, description="A one-off amount, paid in 'year' (default year 1).")
    year: int = Field(1, ge=1, description="The year of the case a one-off amount is paid in.")
    yearly: Amount | None = Field(None, description="An amount every year from 'from' to 'until'.")
    fte: Amount | None = Field(None, description="Årsværk every year from 'from' to 'until' (with 'unit_cost').")
    unit_cost: Amount | None = Field(None, description="Cost of one årsværk (with 'fte').")
    per_participant: Amount | None = Field(None, description="An amount per new participant in each year.")
    amounts: YearIndexMap | None = Field(None, description="Amounts typed per year of the case, e.g. {1: 1500}.")
    from_year: int = Field(1, ge=1, alias="from", description="First year of the case for a yearly cost.")
    until: int | None = Field(None, ge=1, description="Last year of the case for a yearly cost (default: horizon).")
    source: str | None = Field(None, description="Where the amount comes from (printed with the assumptions).")

    _check = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @model_validator(mode="after")
    def _exactly_one(self) -> Cost:
        given = [
            name
            for name, v in (
                ("one_off", self.one_off),
                ("yearly", self.yearly),
                ("fte", self.fte),
                ("per_participant", self.per_participant),
                ("amounts", self.amounts),
            )
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a cost needs exactly one of 'one_off', 'yearly', 'fte' (with 'unit_cost'), "
                f"'per_participant' or 'amounts'; got {', '.join(given) or 'none'}"
            )
        if (self.fte is None) != (self.unit_cost is None):
            raise ValueError("'fte' and 'unit_cost' go together (årsværk × cost of one årsværk)")
        return self

    @property
    def implementation(self) -> bool:
        """Implementation (one-off, preparation, training) rather than running cost."""
        return self.one_off is not None or self.cost_type in ("forberedelse", "uddannelse")


class Scenario(Strict):
    """A named success scenario."""

    id: str = Field(description="Short name used by placeholders, e.g. 'forsigtig' in {{ bc.forsigtig.npv }}.")
    name: str = Field(description="The name printed, e.g. 'Forsigtigt skøn'.")
    success_rate: Share = Field(description="The share of participants who succeed, e.g. 0.125.")
    deadweight: Share = Field(Decimal(0), description="Dødvægt: the share who would have succeeded anyway.")
    source: str | None = Field(None, description="Why this rate (printed with the assumptions).")

    _check = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Relapse(Strict):
    """Tilbagefald: a share of the successes lost from a year on."""

    share: Share = Field(description="The share of successes lost, e.g. 0.2.")
    from_year: int = Field(2, ge=1, alias="from", description="The year of the case from which it applies.")


class Effect(Strict):
    """One gain line: what success changes per year, in money, for one payer in one area."""

    id: str = Field(description="Short name used by placeholders, e.g. 'kontanthjaelp'.")
    label: str = Field(description="The line's label, e.g. 'Færre på kontanthjælp'.")
    payer: str = Field(description="Who gains: the investing forvaltning, another forvaltning, the region, the state.")
    area: str = Field(description="The area, e.g. 'Anbringelser', 'Kontanthjælp'.")
    styringsomraade: Styringsomraade = Field(
        "Service", description="Budget control area when the line becomes a Tabel 1 row: Service, Overførsler."
    )
    value: Amount | None = Field(
        None, description="The gain per success per year (with participants or 'counts' giving the successes)."
    )
    counts: YearIndexMap | None = Field(
        None, description="Successes per year of the case at the reference rate (with 'value')."
    )
    amounts: YearIndexMap | None = Field(None, description="Yearly gains at the reference rate, e.g. {1: 500}.")
    reference_rate: Share | None = Field(
        None, description="The success rate 'counts' or 'amounts' were stated at (needed when they scale)."
    )
    hold_last: bool = Field(False, description="Keep the last stated year's level to the end of the horizon.")
    scales: bool = Field(True, description="Whether the gain scales with the success rate.")
    lag: int = Field(0, ge=0, description="Years after the participants' start before the gain begins.")
    phase_in: int = Field(1, ge=1, description="Years over which the gain rises linearly to its full level.")
    duration: int | None = Field(None, ge=1, description="Years the gain lasts once begun (default: to the horizon).")
    relapse: Relapse | None = Field(None, description="Tilbagefald: share of successes lost from a year on.")
    growth: Decimal = Field(Decimal(0), description="Yearly growth of the gain (an index), e.g. 0.02.")
    direct: bool = Field(True, description="Directly attributable to the investment (for the suitability test).")
    kind: GainKind = Field(
        "budget_reduction", description="budget_reduction (lower spending in a budget) or avoided_cost (future)."
    )
    budget: str | None = Field(None, description="The budget the gain lands in (for the suitability test).")
    source: str | None = Field(None, description="Where the figures come from (printed with the assumptions).")

    _check = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @field_validator("growth", mode="before")
    @classmethod
    def _growth_number(cls, value: object) -> Decimal:
        growth = _number(value)
        if not -MAX_GROWTH <= growth <= MAX_GROWTH:
            raise ValueError(
                f"a yearly growth must lie between -{MAX_GROWTH} and {MAX_GROWTH} (±20 %); write 2 % as 0.02"
            )
        return growth

    @model_validator(mode="after")
    def _one_source_of_gains(self) -> Effect:
        if self.amounts is not None and (self.value is not None or self.counts is not None):
            raise ValueError("give either 'amounts', or 'value' (with or without 'counts'), not both")
        if self.amounts is None and self.value is None:
            raise ValueError("an effect needs 'value' (per success per year) or 'amounts' (per year)")
        if self.counts is not None and self.value is None:
            raise ValueError("'counts' needs 'value', the gain per counted success per year")
        stated = self.amounts is not None or self.counts is not None
        if stated and self.scales and self.reference_rate is None:
            raise ValueError("'counts' or 'amounts' that scale with the success rate need 'reference_rate'")
        if stated and self.scales and self.reference_rate == 0:
            raise ValueError("a 'reference_rate' of 0 cannot be scaled from; give the rate the figures were stated at")
        if not stated and not self.scales:
            raise ValueError("a gain per success always scales with the success rate; give 'counts' or 'amounts'")
        return self


class Discounting(Strict):
    """How later years are weighed: none, a rate, or Finansministeriet's schedule."""

    method: DiscountMethod = Field(
        "none", description="none (undiscounted), rate, or finansministeriet (the social discount rate schedule)."
    )
    rate: Decimal | None = Field(None, description="The yearly rate with method 'rate', e.g. 0.04.")
    convention: Convention = Field(
        "start",
        description="start: year t is discounted by (1+r)^-(t-1), year 1 undiscounted (SØM, the cost model); "
        "end: by (1+r)^-t (the Skandia model).",
    )

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: object) -> Decimal | None:
        if value is None:
            return None
        rate = _number(value)
        if rate < 0 or rate > MAX_RATE:
            raise ValueError(f"a discount rate must lie between 0 and {MAX_RATE} (20 %); write 4 % as 0.04")
        return rate

    @model_validator(mode="after")
    def _rate_with_method(self) -> Discounting:
        if (self.method == "rate") != (self.rate is not None):
            raise ValueError("'rate' goes with method: rate, and method: rate needs a 'rate'")
        return self


class CostScenario(Strict):
    """A cost sensitivity scenario: some costs scaled, perhaps other participants; the divisor of the cost per
    participant stays the base scenario's discounted participants (Socialstyrelsen's cost model)."""

    id: str = Field(description="Short name used by placeholders, e.g. 'loen' in {{ bc.cost_scenarios.loen.pv }}.")
    name: str = Field(description="The name printed, e.g. 'Højere lønniveau'.")
    factors: dict[str, Amount] = Field(
        default_factory=dict, description="Cost id -> factor its amounts are multiplied by, e.g. {raadgivere: 1.1}."
    )
    participants: Participants | None = Field(
        None, description="Other participants (other numbers of courses); drives per-participant costs only."
    )
    source: str | None = Field(None, description="Why this scenario (printed with the assumptions).")

    _check = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class PublishedResult(Strict):
    """One scenario's result as an evaluation publishes it."""

    name: str = Field(description="The scenario's name, e.g. 'Lav succesrate'.")
    success_rate: Share = Field(description="The success rate, e.g. 0.125.")
    npv: Amount = Field(description="The net present value (net result) at that rate, in the case's unit.")


class Published(Strict):
    """Published scenario results: the sensitivity figures follow from them, since NPV is linear in the rate."""

    results: list[PublishedResult] = Field(description="Two scenarios' success rate and NPV, e.g. from an evaluation.")
    source: str = Field(description="Where the figures are published (printed under the sensitivity table).")

    @field_validator("results")
    @classmethod
    def _two(cls, value: list[PublishedResult]) -> list[PublishedResult]:
        if len(value) != 2:
            raise ValueError("give the results of exactly two scenarios (NPV is a straight line through them)")
        if value[0].success_rate == value[1].success_rate:
            raise ValueError("the two scenarios need different success rates to give the line through them")
        return value


class Financier(Strict):
    """A share of the costs borne by one financier (Ishøj and Vallensbæk share one centre)."""

    name: str = Field(description="Who pays, e.g. 'Ishøj Kommune'.")
    share: Share = Field(description="The share of the costs, e.g. 0.806.")


class Suitability(Strict):
    """The settings of the suitability test (the Copenhagen notat's rule) and the committee notat's text."""

    scenario: str | None = Field(None, description="The scenario judged (default: the first, the cautious one).")
    payback_limit: int | None = Field(
        None, ge=1, description="Years within which realisable gains must pay back (default: the horizon)."
    )
    min_share: Share = Field(
        Decimal("0.5"), description="The least share of all gains that must be realisable (default 0.5)."
    )
    problem: str | None = Field(None, description="The notat's 'Problemstilling' (Markdown).")
    solution: str | None = Field(None, description="The notat's 'Løsning' (Markdown).")
    alternative: str | None = Field(None, description="The alternative to an investment case (Markdown).")
    committee: str | None = Field(
        None, description="The committee the notat answers, named in full, e.g. 'Børne- og Ungdomsudvalget'."
    )
    occasion: str | None = Field(
        None, description="What the committee decided that asks for the notat, e.g. 'medlemsforslaget om ...'."
    )
    meeting: dt.date | None = Field(None, description="The date of the committee meeting that decided it.")
    minutes: str | None = Field(None, description="The link (https://) to the minutes of that meeting.")

    @field_validator("minutes")
    @classmethod
    def _minutes_is_a_web_link(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"]+", value):
            raise ValueError(f"{value[:60]!r} is not a web address; write the link as https://...")
        return value


class Tabel1FromCase(Strict):
    """Take Tabel 1's rows from one scenario of the business case."""

    scenario: str | None = Field(
        None, description="The scenario whose figures become rows, e.g. 'forsigtig' (none in a cost assessment)."
    )
    gains: bool = Field(True, description="The investing forvaltning's gains become savings rows (negative).")
    running: bool = Field(True, description="Running costs become permanent rows.")
    implementation: bool = Field(True, description="Implementation costs become implementation rows.")


class BusinessCase(Strict):
    """The business case behind the proposal (investeringscase): one model, several scenarios."""

    investor: str = Field(description="The investing forvaltning or centre; gains it receives can pay back.")
    unit: Unit = Field("1.000 kr.", description="The unit of every amount: 'kr.' or '1.000 kr.'.")
    price_level: int | None = Field(
        None, description="The price level (p/l) of the amounts; converted to the case's with its price_index."
    )
    first_year: int = Field(description="The calendar year of year 1 of the case, e.g. 2015.")
    horizon: int = Field(
        description=f"Years the case runs, 1 to {MAX_HORIZON}; past 50 with a warning (the discount schedule's "
        "third step begins after year 70)."
    )
    participants: Participants = Field(description="The target group.")
    costs: list[Cost] = Field(description="What the intervention costs.")
    scenarios: list[Scenario] = Field(
        default_factory=list,
        description="At least two named success scenarios (cautious first); none in a cost assessment.",
    )
    effects: list[Effect] = Field(
        default_factory=list, description="The gain lines; none in a cost assessment (omkostningsvurdering)."
    )
    cost_scenarios: list[CostScenario] = Field(
        default_factory=list,
        description="Cost sensitivity scenarios: other staff costs, other numbers of courses (printed side by side).",
    )
    published: Published | None = Field(
        None, description="Scenario results an evaluation publishes (success rate and NPV of two scenarios)."
    )
    discounting: Discounting = Field(default_factory=Discounting, description="How later years are weighed.")
    financing: list[Financier] = Field(default_factory=list, description="How the costs are split between payers.")
    sensitivity: list[Share] = Field(
        default_factory=list, description="Success rates for the sensitivity table (default: 0 to twice the highest)."
    )
    suitability: Suitability = Field(default_factory=Suitability, description="The suitability test's settings.")
    tabel1: Tabel1FromCase | None = Field(None, description="Derive Tabel 1's rows from one scenario.")
    source: str | None = Field(None, description="Where the case comes from (printed with the assumptions).")

    @field_validator("first_year")
    @classmethod
    def _first_year(cls, value: int) -> int:
        if not FIRST_YEAR <= value <= LAST_YEAR:
            raise ValueError(f"first_year is a calendar year such as 2026 ({FIRST_YEAR}-{LAST_YEAR}); got {value}")
        return value

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, value: int) -> int:
        if not 1 <= value <= MAX_HORIZON:
            raise ValueError(
                f"the horizon must be 1 to {MAX_HORIZON} years, got {value} (Finansministeriet's schedule "
                "has its last step after year 70)"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _one_spelling_per_payer(cls, data: Any) -> Any:
        """Payers differing only in spaces or case are one payer, spelt as first named (the investor first):
        a trailing space must not make the investor's own gain someone else's. The loader warns."""
        if not isinstance(data, dict):
            return data
        spelling: dict[str, str] = {}

        def one(name: object) -> object:
            if not isinstance(name, str):
                return name
            return spelling.setdefault(payer_key(name), " ".join(name.split()))

        data = dict(data)
        if "investor" in data:
            data["investor"] = one(data["investor"])
        effects = data.get("effects")
        if isinstance(effects, list):
            data["effects"] = [
                {**e, "payer": one(e["payer"])} if isinstance(e, dict) and "payer" in e else e for e in effects
            ]
        return data

    @model_validator(mode="after")
    def _two_scenarios_with_gains(self) -> BusinessCase:
        if self.effects and len(self.scenarios) < 2:
            raise ValueError("give at least two scenarios: a cautious and an optimistic one")
        if not self.effects and self.scenarios:
            raise ValueError(
                "scenarios need effects (the gains a success brings); a case with costs and no gains is a cost "
                "assessment: leave out 'scenarios', or add the 'effects'"
            )
        if not self.costs:
            raise ValueError("a business case needs at least one cost")
        return self

    @property
    def cost_assessment(self) -> bool:
        """Costs and no gains: a price (omkostningsvurdering), not an investment case to be judged."""
        return not self.effects

    @field_validator("financing")
    @classmethod
    def _shares_add_up(cls, value: list[Financier]) -> list[Financier]:
        if value and sum(f.share for f in value) != 1:
            raise ValueError("the financing shares must add up to 1")
        return value


def check_against_case(doc: Document, proposal: model.Proposal, case: model.Case) -> list[Problem]:
    """What only the case can tell about a business case: its price index, its years, its names."""
    bc = proposal.business_case
    if bc is None:
        return []
    problems: list[Problem] = []
    root: tuple[str | int, ...] = ("business_case",)

    def at(loc: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        mark = doc.mark((*root, *loc), key=key) or doc.mark((*root, *loc))
        problems.append(Problem(str(doc.path), mark.line if mark else None, mark.column if mark else None, message))

    if bc.price_level is not None and bc.price_level != case.price_level:
        index = case.price_index.values if case.price_index else {}
        missing = [y for y in (bc.price_level, case.price_level) if y not in index]
        if missing:
            at(
                ("price_level",),
                f"price_level: no index value for {' and '.join(map(str, missing))} in the case's price_index; "
                f"add it to case.yaml to convert {bc.price_level} p/l to {case.price_level} p/l",
            )
    for i, scenario in enumerate(bc.scenarios):
        if scenario.deadweight > scenario.success_rate:
            at(
                ("scenarios", i, "deadweight"),
                f"the deadweight {scenario.deadweight} is above the success rate {scenario.success_rate}: "
                "more would succeed anyway than with the intervention; the deadweight is a part of the rate",
            )
    named: list[tuple[str, list[str]]] = [
        ("scenarios", [s.id for s in bc.scenarios]),
        ("effects", [e.id for e in bc.effects]),
        ("costs", [c.id for c in bc.costs]),
    ]
    for kind, ids in named:
        for i, name in enumerate(ids):
            if name in ids[:i]:
                at((kind, i, "id"), f"the id {name!r} is used twice in {kind}")
    for i, effect in enumerate(bc.effects):
        stated = effect.amounts if effect.amounts is not None else effect.counts
        key = "amounts" if effect.amounts is not None else "counts"
        if stated is not None:
            for year in stated:
                if year > bc.horizon:
                    at(("effects", i, key, year), f"year {year} is after the horizon of {bc.horizon} years", key=True)
            if stated and min(stated) > bc.horizon:
                continue
        start = 1 + effect.lag if stated is None else None
        if start is not None and start > bc.horizon:
            at(
                ("effects", i, "lag"),
                f"the effect {effect.id!r} starts in year {start}, after the horizon of {bc.horizon} years; "
                "shorten the lag or lengthen the horizon",
            )
        if effect.relapse is not None and effect.relapse.from_year > bc.horizon:
            at(("effects", i, "relapse", "from"), f"relapse from year {effect.relapse.from_year} is after the horizon")
    for i, cost in enumerate(bc.costs):
        years = [cost.year] if cost.one_off is not None else list(cost.amounts or {})
        years += [cost.from_year] if cost.yearly is not None or cost.fte is not None else []
        for year in years:
            if year > bc.horizon:
                at(("costs", i), f"the cost {cost.id!r} falls in year {year}, after the horizon of {bc.horizon} years")
    index = case.price_index.values if case.price_index else {}
    factor = Decimal(1)
    if bc.price_level is not None and bc.price_level in index and case.price_level in index:
        with localcontext() as context:
            context.prec = 80
            factor = index[case.price_level] / index[bc.price_level] if index[bc.price_level] else Decimal(0)
        if factor <= 0:
            at(("price_level",), "the price index's values must be positive to convert between price levels")
    for loc, size in line_sizes(bc):
        with localcontext() as context:
            context.prec = 80
            size *= abs(factor)  # the amounts are converted to the case's price level first
        if size >= MAX_SIZE:
            at(
                loc,
                f"this line reaches 10^15 {bc.unit} or more in a year (amount × participants or counts, with its "
                f"growth over the horizon); the case is in {bc.unit}: check the unit and the number of digits",
            )
    if bc.first_year > case.years[-1]:
        at(
            ("first_year",),
            f"the business case starts in {bc.first_year}, after Tabel 1's last year {case.years[-1]}; year 1 of "
            f"the case is a year of Tabel 1 ({case.years[0]}-{case.years[-1]}) or before it",
        )
    scenario_ids = [s.id for s in bc.scenarios]
    if bc.suitability.scenario is not None and bc.suitability.scenario not in scenario_ids:
        at(
            ("suitability", "scenario"),
            f"no scenario {bc.suitability.scenario!r}; the scenarios are: {', '.join(scenario_ids)}",
        )
    cost_ids = [c.id for c in bc.costs]
    for i, cs in enumerate(bc.cost_scenarios):
        if cs.id in [c.id for c in bc.cost_scenarios[:i]]:
            at(("cost_scenarios", i, "id"), f"the id {cs.id!r} is used twice in cost_scenarios")
        for cost_id, factor in cs.factors.items():
            if cost_id not in cost_ids:
                at(
                    ("cost_scenarios", i, "factors", cost_id),
                    f"no cost {cost_id!r}; the costs are: {', '.join(cost_ids)}",
                    key=True,
                )
            elif not 0 <= factor <= MAX_FACTOR:
                at(
                    ("cost_scenarios", i, "factors", cost_id),
                    f"a factor scales a cost between 0 and {MAX_FACTOR} (1.1 is 10 % more), got {factor}",
                )
    if bc.tabel1 is not None and bc.tabel1.scenario is None and bc.effects:
        at(("tabel1",), f"name the scenario whose gains become rows: scenario: one of {', '.join(scenario_ids)}")
    elif bc.tabel1 is not None and bc.tabel1.scenario is not None and not bc.effects:
        at(("tabel1", "scenario"), "a cost assessment has no success scenarios; leave out 'scenario'")
    if bc.tabel1 is not None:
        if bc.tabel1.scenario is not None and bc.effects and bc.tabel1.scenario not in scenario_ids:
            at(
                ("tabel1", "scenario"),
                f"no scenario {bc.tabel1.scenario!r}; the scenarios are: {', '.join(scenario_ids)}",
            )
        last = bc.first_year + bc.horizon - 1
        if bc.first_year <= case.years[-1] and (bc.first_year < case.years[0] or last < case.years[-1]):
            at(
                ("first_year",),
                f"Tabel 1 cannot be derived: the business case runs {bc.first_year}-{last} but Tabel 1's years are "
                f"{case.years[0]}-{case.years[-1]}; year 1 must lie in Tabel 1's years and the horizon reach its last",
            )
        typed = {line.id for line in (*proposal.economy.permanent, *proposal.economy.implementation)}
        for effect in bc.effects:
            if f"bc_{effect.id}" in typed:
                at(("tabel1",), f"the derived line id 'bc_{effect.id}' is also typed in economy; rename one")
    return problems


def _participants_bound(bc: BusinessCase, p: Participants) -> tuple[Decimal, Decimal]:
    """(the most new participants in one year, all participants over the horizon), from above."""
    if p.total is not None:
        return abs(p.total), abs(p.total)
    values = [abs(v) for v in (p.per_year or {}).values()] or [Decimal(0)]
    most = max(values)
    return most, (sum(values, Decimal(0)) + (most * bc.horizon if p.hold_last else 0))


def line_sizes(bc: BusinessCase) -> list[tuple[tuple[str | int, ...], Decimal]]:
    """Each cost and gain line with an upper bound of its yearly figure in the case's unit, and where to point.

    From above, without calculating: the amount times the most participants or counts it can meet, a stated
    figure scaled up from its reference rate to a success rate of 1, grown over the horizon.
    """
    out: list[tuple[tuple[str | int, ...], Decimal]] = []
    with localcontext() as context:
        context.prec = 80  # exact for every product of bounded numbers
        most, everyone = _participants_bound(bc, bc.participants)
        # A cost scenario may have other participants and scale a cost: the bound takes the largest.
        for cs in bc.cost_scenarios:
            if cs.participants is not None:
                most = max(most, _participants_bound(bc, cs.participants)[0])
        start = len(out)
        for i, c in enumerate(bc.costs):
            if c.one_off is not None:
                out.append((("costs", i, "one_off"), abs(c.one_off)))
            elif c.yearly is not None:
                out.append((("costs", i, "yearly"), abs(c.yearly)))
            elif c.fte is not None and c.unit_cost is not None:
                out.append((("costs", i, "unit_cost"), abs(c.fte * c.unit_cost)))
            elif c.per_participant is not None:
                out.append((("costs", i, "per_participant"), abs(c.per_participant) * most))
            elif c.amounts:
                out.append((("costs", i, "amounts"), max(abs(v) for v in c.amounts.values())))
            factor = max((abs(cs.factors.get(c.id, Decimal(1))) for cs in bc.cost_scenarios), default=Decimal(1))
            if factor > 1 and len(out) > start:
                loc, size = out[-1]
                out[-1] = (loc, size * factor)
            start = len(out)
        for i, e in enumerate(bc.effects):
            stated = e.amounts if e.amounts is not None else e.counts
            if stated is not None:
                base = max((abs(v) for v in stated.values()), default=Decimal(0)) * abs(
                    e.value if e.value is not None else Decimal(1)
                )
                if e.scales and e.reference_rate:
                    base /= e.reference_rate
            else:
                base = abs(e.value if e.value is not None else Decimal(0)) * everyone
            base *= (1 + abs(e.growth)) ** max(bc.horizon - 1, 0)
            key = "value" if e.value is not None else "amounts"
            out.append((("effects", i, key), base))
    return out


def warnings_against_case(doc: Document, proposal: model.Proposal) -> list[Problem]:
    """What prints but may not be what the author meant: a long horizon, one payer spelt two ways, a Tabel 1
    row typed beside the row the business case derives for the same cost or gain (counted twice)."""
    bc = proposal.business_case
    if bc is None:
        return []
    found: list[Problem] = []

    def at(loc: tuple[str | int, ...], message: str) -> None:
        mark = doc.mark(loc)
        found.append(Problem(str(doc.path), mark.line if mark else None, mark.column if mark else None, message))

    if bc.horizon > WARN_HORIZON:
        at(
            ("business_case", "horizon"),
            f"a horizon of {bc.horizon} years runs past {WARN_HORIZON} years: the gains that far out are rarely "
            "credible for a municipal case; state why in the case's source",
        )
    raw = doc.data.get("business_case") if isinstance(doc.data, dict) else None
    if isinstance(raw, dict):
        names: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(raw.get("investor"), str):
            names.append((("business_case", "investor"), raw["investor"]))
        for i, e in enumerate(raw.get("effects") or []):
            if isinstance(e, dict) and isinstance(e.get("payer"), str):
                names.append((("business_case", "effects", i, "payer"), e["payer"]))
        first: dict[str, str] = {}
        for loc, name in names:
            seen = first.setdefault(payer_key(name), name)
            if seen != name:
                at(
                    loc,
                    f"the payer {name!r} and {seen!r} differ only in spaces or case; they are read as one payer, "
                    f"{' '.join(seen.split())!r}: write the name the same way everywhere",
                )
    rule = bc.tabel1
    if rule is not None:
        derived: dict[str, str] = {}  # what a derived row means (its label, its source id) -> the source's name
        if rule.gains:
            for e in bc.effects:
                if e.payer == bc.investor and books_as_saving(e):
                    derived[payer_key(e.label)] = f"gain {e.id!r}"
                    derived[e.id] = f"gain {e.id!r}"
        for c in bc.costs:
            if rule.implementation if c.implementation else rule.running:
                derived[payer_key(c.label)] = f"cost {c.id!r}"
                derived[c.id] = f"cost {c.id!r}"
        blocks = (("permanent", proposal.economy.permanent), ("implementation", proposal.economy.implementation))
        for block, lines in blocks:
            for i, line in enumerate(lines):
                same = derived.get(line.id) or derived.get(payer_key(line.label))
                if same:
                    at(
                        ("economy", block, i),
                        f"the typed line {line.id!r} looks like the row Tabel 1 derives from the business case's "
                        f"{same}: the amount is counted twice; remove the typed line, or keep it and turn the "
                        "derived rows off in business_case.tabel1",
                    )
    return found


def books_as_saving(effect: Effect) -> bool:
    """A gain becomes a savings row in Tabel 1 only when it lowers spending in a named budget; an avoided
    future cost, or a gain that names no budget, is shown in the business case but not booked."""
    return effect.kind == "budget_reduction" and bool(effect.budget)
