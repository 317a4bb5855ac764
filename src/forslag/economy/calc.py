"""The arithmetic of a proposal: Tabel 1's rows and totals, payback times and the headline figures (pure, Decimal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the arithmetic needs no pydantic at run time (the bound case uses it alone)
    from forslag.source.model import Case, Line, Proposal
    from forslag.source.numbers import PerYear

Block = Literal["varig", "implementering"]
AREAS = ("Service", "Overførsler", "Anlæg")
DRIFT = ("Service", "Overførsler")  # the running budget; Anlæg (capital works) is kept apart, as a budget does
PAYBACK_HORIZON = 20  # years; a proposal that has not paid back by then "does not pay back"

Values = tuple[int | None, ...]


def round_half_up(value: Decimal) -> int:
    """The one rounding of the table: to whole 1.000 kr., halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figure:
    """A number the prose may quote: an amount in 1.000 kr., a year, a payback time in years, or (for the
    business case) a count, a share printed as a percentage, or a number of years with decimals."""

    kind: Literal["amount", "year", "years", "count", "percent", "decimal"]
    value: Decimal | int | None
    # The unit an amount prints in unless the prose asks for another; the value is in 1.000 kr. either way.
    # A business case kept in kr. prints its figures in kr. (6.186 kr., not 6 t. kr.).
    unit: Literal["t. kr.", "kr."] = "t. kr."


Phrase = tuple[str | Figure, ...]


@dataclass(frozen=True)
class Row:
    label: str
    styringsomraade: str | None
    block: Block
    values: Values
    kind: Literal["line", "subtotal", "total"] = "line"
    marker: str = ""


@dataclass(frozen=True)
class ComputedLine:
    line: Line
    row: Row
    headline: Phrase | None

    @property
    def heading(self) -> str:
        return self.line.heading or self.line.label


@dataclass(frozen=True)
class Payback:
    exact: Fraction | None  # None: not paid back within the horizon

    @property
    def years(self) -> int | None:
        if self.exact is None:
            return None
        return round_half_up(Decimal(self.exact.numerator) / Decimal(self.exact.denominator))


@dataclass(frozen=True)
class Economy:
    years: tuple[int, ...]
    price_level: int
    permanent: tuple[ComputedLine, ...]
    permanent_totals: tuple[Row, ...]
    implementation: tuple[ComputedLine, ...]
    implementation_totals: tuple[Row, ...]
    impact: Row
    net: Row  # Heraf nettoeffektivisering: the permanent drift rows (Service + Overførsler), never Anlæg
    steady: int  # the yearly flow after the table's last year: its drift rows (Anlæg is one-off)
    payback_service: Payback
    payback_total: Payback
    footnotes: tuple[str, ...]
    figures: dict[str, Figure] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # Which lines (by id) each amount figure adds up, by the figure's name without its last part ("line.x",
    # "heading.x", "net", "running"): what `forslag check --explain` shows a reviewer for each quoted amount.
    sums: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def permanent_total(self) -> Row:
        """Samlet varig ændring: always the last of the permanent totals."""
        return self.permanent_totals[-1]

    @property
    def totals(self) -> tuple[Row, ...]:
        """Every computed row in print order (payback aside)."""
        return (*self.permanent_totals, *self.implementation_totals, self.impact)


def _expand(values: PerYear, first: int | None, until: int | None, years: tuple[int, ...]) -> dict[int, Decimal]:
    if isinstance(values, dict):
        return dict(values)
    lo = first if first is not None else years[0]
    hi = until if until is not None else years[-1]
    return {y: values for y in years if lo <= y <= hi}


def line_values(line: Line, years: tuple[int, ...]) -> Values:
    """A line's per-year amounts: typed amounts plus its drivers, each year rounded once."""
    exact: dict[int, Decimal] = {}

    def add(year: int, amount: Decimal) -> None:
        exact[year] = exact.get(year, Decimal(0)) + amount

    for year, amount in (line.amounts or {}).items():
        add(year, amount)
    for staff in line.staffing:
        for year, fte in _expand(staff.fte, staff.from_year, staff.until, years).items():
            add(year, fte * staff.unit_cost)
    for unit in line.units:
        for year, count in _expand(unit.count, unit.from_year, unit.until, years).items():
            add(year, count * unit.unit_price)
    return tuple(round_half_up(exact[y]) if y in exact else None for y in years)


def sum_rows(rows: list[Values] | tuple[Values, ...], width: int) -> Values:
    """Per-year sums; a year stays blank when none of the rows has an amount in it."""
    out: list[int | None] = []
    for i in range(width):
        present = [r[i] for r in rows if r[i] is not None]
        out.append(sum(v for v in present if v is not None) if present else None)
    return tuple(out)


def payback(flow: Values, steady: int | None = None) -> Payback:
    """Years from 1 January of the first year until the cumulative flow, having been positive, is back at zero.

    Linear within the year it crosses; after the table's last year the steady flow (by default the last
    year's, the proposal's without its one-off Anlæg rows) continues, up to PAYBACK_HORIZON years.
    """
    flows = [Fraction(v or 0) for v in flow]
    steady_flow = Fraction(steady) if steady is not None else flows[-1] if flows else Fraction(0)
    cumulative = Fraction(0)
    was_positive = False
    for i in range(PAYBACK_HORIZON):
        f = flows[i] if i < len(flows) else steady_flow
        if cumulative > 0 and cumulative + f <= 0:
            return Payback(i + cumulative / -f)
        cumulative += f
        was_positive = was_positive or cumulative > 0
        if i >= len(flows) and f >= 0:
            break  # steady state that never brings the sum down
    if not was_positive:
        return Payback(Fraction(0))
    return Payback(None)


def _present(row: Values, years: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(y, v) for y, v in zip(years, row, strict=True) if v is not None]


def _full_year(row: Values, years: tuple[int, ...]) -> int | None:
    """Full phase-in: the first year from which the row holds its final level to the end of the table."""
    present = _present(row, years)
    if not present:
        return None
    final_year, final = present[-1]
    start = final_year
    for year, value in reversed(present):
        if value != final:
            break
        start = year
    return start


def _row_figures(prefix: str, row: Values, years: tuple[int, ...], figures: dict[str, Figure]) -> None:
    present = _present(row, years)
    if not present:
        return

    def amount(value: int) -> Figure:
        return Figure("amount", Decimal(value))

    figures[f"{prefix}.first"] = amount(present[0][1])
    figures[f"{prefix}.first_year"] = Figure("year", present[0][0])
    figures[f"{prefix}.full"] = amount(present[-1][1])
    figures[f"{prefix}.last_year"] = Figure("year", present[-1][0])
    full_year = _full_year(row, years)
    figures[f"{prefix}.full_year"] = Figure("year", full_year)
    figures[f"{prefix}.total"] = amount(sum(v for _, v in present))
    figures[f"{prefix}.max"] = amount(max((v for _, v in present), key=abs))
    for year, value in present:
        figures[f"{prefix}.{year}"] = amount(value)


def _headline(
    line: Line, default: str, prefix: str, figures: dict[str, Figure], table_end: int
) -> tuple[Phrase | None, str | None]:
    kind = line.headline or default
    if kind == "none" or f"{prefix}.full" not in figures:
        return None, None
    f = figures
    first_year, last_year, full_year = (f[f"{prefix}.{k}"].value for k in ("first_year", "last_year", "full_year"))
    span = range(int(first_year or 0), int(last_year or 0) + 1)  # this line's own year figures, not every figure
    constant = len({f[k].value for y in span if (k := f"{prefix}.{y}") in f}) == 1
    warning = None
    if kind in ("yearly", "period", "from") and not constant:
        warning = (
            f"line {line.id!r}: headline {kind!r} states one yearly amount but the amounts differ "
            "from year to year; 'rising' or 'full' says it truly"
        )
    elif kind in ("full", "from", "rising") and last_year != table_end:
        # "ved fuld indfasning" and "og frem" say the amount lasts; a row that ends before the table does
        # is temporary, and the headline would present its last amount as permanent.
        warning = (
            f"line {line.id!r}: the row has no amount in {table_end}, but headline {kind!r} presents its "
            f"{last_year} amount as lasting; 'year', 'period' or 'total' says it truly"
        )
    phrases: dict[str, Phrase] = {
        "full": (f[f"{prefix}.full"], " ved fuld indfasning"),
        "yearly": (f[f"{prefix}.full"], " årligt"),
        "from": (f[f"{prefix}.full"], f" årligt fra {first_year} og frem"),
        "rising": (
            f[f"{prefix}.first"],
            f" i {first_year} stigende til ",
            f[f"{prefix}.full"],
            f" i {full_year} og frem",
        ),
        "total": (f[f"{prefix}.total"], " i alt"),
        "year": (f[f"{prefix}.full"], f" i {last_year}"),
        "period": (
            f[f"{prefix}.full"],
            f" årligt i {first_year}-{last_year}" if first_year != last_year else f" i {first_year}",
        ),
    }
    return phrases[kind], warning


def _area_totals(lines: list[ComputedLine], label: str, block: Block, width: int) -> tuple[list[Row], Values]:
    areas = [a for a in AREAS if any(c.line.styringsomraade == a for c in lines)]
    total = sum_rows([c.row.values for c in lines], width)
    rows: list[Row] = []
    if len(areas) > 1:
        for area in areas:
            values = sum_rows([c.row.values for c in lines if c.line.styringsomraade == area], width)
            rows.append(Row(f"{label}, {area}", area, block, values, "subtotal"))
    return rows, total


def calculate(proposal: Proposal, case: Case) -> Economy:
    years = tuple(case.years)
    width = len(years)
    figures: dict[str, Figure] = {}
    warnings: list[str] = []
    footnotes: list[str] = []

    sums: dict[str, tuple[str, ...]] = {}

    def compute(lines: list[Line], block: Block, default: str) -> list[ComputedLine]:
        values_of = {line.id: line_values(line, years) for line in lines}
        covered = {other for line in lines for other in line.covers}
        out = []
        for line in lines:
            values = values_of[line.id]
            marker = ""
            if line.footnote:
                footnotes.append(line.footnote)
                marker = "*" * len(footnotes)
            prefix = f"line.{line.id}"
            _row_figures(prefix, values, years, figures)
            sums[prefix] = (line.id,)
            headline: Phrase | None = None
            if line.id not in covered:
                if line.covers:
                    # The heading names this line and the ones after it: its amount is theirs together.
                    prefix = f"heading.{line.id}"
                    members = (line.id, *line.covers)
                    _row_figures(prefix, sum_rows([values_of[m] for m in members], width), years, figures)
                    sums[prefix] = members
                headline, warning = _headline(line, default, prefix, figures, years[-1])
                if warning:
                    warnings.append(warning)
            row = Row(line.label, line.styringsomraade, block, values, "line", marker)
            out.append(ComputedLine(line, row, headline))
        return out

    permanent = compute(proposal.economy.permanent, "varig", "full")
    implementation = compute(proposal.economy.implementation, "implementering", "total")

    area_rows, permanent_total = _area_totals(permanent, "Samlet varig ændring", "varig", width)
    drift = sum_rows([c.row.values for c in permanent if c.line.styringsomraade in DRIFT], width)
    # The net effect on the running budget (the reference prints it in the Service row's place): money moved
    # from Service to Overførsler frees service room but is no saving, and Anlæg is one-off construction money
    # with its own subtotal, so neither counts as effectivisation.
    drift_rows = [r for r in area_rows if r.styringsomraade in DRIFT]
    after = next((r for r in drift_rows if r.styringsomraade == "Service"), drift_rows[-1] if drift_rows else None)
    net = Row("Heraf nettoeffektivisering", after.styringsomraade if after else None, "varig", drift, "subtotal")
    permanent_totals: list[Row] = []
    for row in area_rows:
        permanent_totals.append(row)
        if row is after:
            permanent_totals.append(net)
    permanent_totals.append(Row("Samlet varig ændring", None, "varig", permanent_total, "total"))

    impl_rows, impl_total = _area_totals(implementation, "Samlede implementeringsomkostninger", "implementering", width)
    implementation_totals: list[Row] = []
    if implementation:
        implementation_totals = [
            *impl_rows,
            Row("Samlede implementeringsomkostninger", None, "implementering", impl_total, "total"),
        ]
    impact_values = sum_rows([permanent_total, impl_total], width)
    impact = Row("Samlet økonomisk påvirkning", None, "implementering", impact_values, "total")

    lines = (*permanent, *implementation)
    service_rows = [c.row.values for c in lines if c.line.styringsomraade == "Service"]
    service_flow = sum_rows(service_rows, width)
    last = width - 1
    # After the table's last year only what recurs continues: Anlæg rows are one-off construction money.
    steady = sum(c.row.values[last] or 0 for c in lines if c.line.styringsomraade in DRIFT)
    payback_service = payback(service_flow, service_flow[last] or 0)
    payback_total = payback(impact_values, steady)

    _row_figures("net", drift, years, figures)
    _row_figures("permanent", permanent_total, years, figures)
    _row_figures("investment", impl_total, years, figures)
    _row_figures("impact", impact_values, years, figures)
    recurring = [(c.line.id, c.row.values[last] or 0) for c in permanent if c.line.styringsomraade in DRIFT]
    figures["running.full"] = Figure("amount", Decimal(sum(v for _, v in recurring if v > 0)))
    figures["savings.full"] = Figure("amount", Decimal(sum(v for _, v in recurring if v < 0)))
    sums["running"] = tuple(i for i, v in recurring if v > 0)
    sums["savings"] = tuple(i for i, v in recurring if v < 0)
    sums["net"] = tuple(c.line.id for c in permanent if c.line.styringsomraade in DRIFT)
    sums["permanent"] = tuple(c.line.id for c in permanent)
    sums["investment"] = tuple(c.line.id for c in implementation)
    sums["impact"] = (*sums["permanent"], *sums["investment"])
    figures["payback.service"] = Figure("years", payback_service.years)
    figures["payback.total"] = Figure("years", payback_total.years)
    figures["years.first"] = Figure("year", years[0])
    figures["years.last"] = Figure("year", years[-1])
    figures["price_level"] = Figure("year", case.price_level)

    return Economy(
        years=years,
        price_level=case.price_level,
        permanent=tuple(permanent),
        permanent_totals=tuple(permanent_totals),
        implementation=tuple(implementation),
        implementation_totals=tuple(implementation_totals),
        impact=impact,
        net=net,
        steady=steady,
        payback_service=payback_service,
        payback_total=payback_total,
        footnotes=tuple(footnotes),
        figures=figures,
        warnings=tuple(warnings),
        sums=sums,
    )
