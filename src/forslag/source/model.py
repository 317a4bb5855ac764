"""The source schema: what a case file and a proposal file may hold (pydantic v2; no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, PlainValidator, WithJsonSchema, field_validator, model_validator

from forslag.source.business_case import BusinessCase
from forslag.source.numbers import (
    _PER_YEAR_SCHEMA,
    FIRST_YEAR,
    LAST_YEAR,
    Amount,
    Count,
    Numbers,
    PerYear,
    Strict,
    Styringsomraade,
    YearAmounts,
    _describe,
    _mapping,
)

RiskLevel = Literal["lav", "lav til mellem", "mellem", "mellem til høj", "høj"]
# The finance centre's state of a proposal, in the order a proposal moves through them.
ApprovalState = Literal["udkast", "indsendt", "godkendt", "afvist"]
APPROVAL_STATES: tuple[str, ...] = ("udkast", "indsendt", "godkendt", "afvist")
Headline = Literal["full", "yearly", "from", "rising", "total", "year", "period", "none"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


Prose = Annotated[str, Field(description="Markdown text.")]


INDEX_VALUE = Numbers(whole=False, per_year=True, single=False, unit="")


def _index_values(value: object) -> dict[int, Decimal]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of year: index value (like 2025: 102.3), got {_describe(value)}")
    return _mapping(value, INDEX_VALUE)


IndexValues = Annotated[
    dict[int, Decimal], PlainValidator(_index_values), WithJsonSchema(_PER_YEAR_SCHEMA), INDEX_VALUE
]


class PriceIndex(Strict):
    """Index values per year (KL's pris- og lønskøn, a net price index), with their source."""

    values: IndexValues = Field(description="Index value per year, e.g. {2024: 100.0, 2025: 102.3}.")
    source: str = Field(description="Where the index values come from, e.g. 'KL, pris- og lønskøn, juni 2025'.")


class Wording(Strict):
    """The organisation's own words in the layout; the defaults are the Overførselssagen's (Københavns Kommune)."""

    administration_label: str = Field(
        "Fremstillende forvaltning", description="The label of the proposing administration in the head."
    )
    investment_pool: str = Field(
        "investeringspuljen",
        description="The pool that pays the implementation costs, as in 'midler fra investeringspuljen'.",
    )
    finance_centre: str = Field(
        "Center for Økonomi", description="The finance centre that approves, as in 'Godkendelse af Center for Økonomi'."
    )
    finance_approver: str = Field(
        "Center for Økonomi, Økonomiforvaltningen", description="The approving body's row in the approval table."
    )
    annex_heading: str = Field(
        "Administrative bilag til investeringsforslag", description="The heading of the administrative annex."
    )


class Case(Strict):
    """The settings every proposal of one budget case shares (`case.yaml`)."""

    name: str = Field(description="The case's name, printed in every page header, e.g. 'Overførselssagen 2025-2026'.")
    municipality: str = Field(description="The municipality, e.g. 'Københavns Kommune'.")
    document_type: str = Field("Investeringsforslag", description="The document type in the page header.")
    date: dt.date = Field(description="The date of the case (ISO, e.g. 2026-02-20); printed on the bound case's cover.")
    years: list[int] = Field(description="The year columns of Tabel 1, consecutive and ascending, e.g. [2026, 2027].")
    price_level: int = Field(description="The price and wage level (p/l) of every amount, e.g. 2027 for '2027 p/l'.")
    notes: list[str] = Field(
        default_factory=list, description="Standard notes printed under Tabel 1 of every proposal."
    )
    price_index: PriceIndex | None = Field(
        None, description="Price index values per year, for converting a business case's amounts to this p/l."
    )
    wording: Wording = Field(
        default_factory=Wording,
        description="The organisation's own words (pool, finance centre, annex heading); defaults as in Copenhagen.",
    )
    pool_budget: YearAmounts | None = Field(
        None,
        description=(
            "The investment pool's money per year in 1.000 kr. at the case's price level, e.g. {2026: 20000, "
            "2027: 45000}; only years of the case. `check`, the bound summary and the workbook set what the "
            "proposals ask for against it, and `check` warns when the approved proposals ask for more."
        ),
    )
    # The bound case (batch/bind.py).
    order: list[str] = Field(
        default_factory=list,
        description=(
            "The order of the proposals in the bound case: their file names without '.yaml', e.g. "
            "[plejefamilier, forloebsprogram]. The contents, summary and bookmarks follow it; proposals not "
            "listed follow in file-name order, with a warning."
        ),
    )

    @field_validator("years")
    @classmethod
    def _years_are_consecutive(cls, years: list[int]) -> list[int]:
        if not years:
            raise ValueError("list at least one year")
        if len(years) > 15:
            raise ValueError("list at most 15 years")
        outside = [y for y in years if not FIRST_YEAR <= y <= LAST_YEAR]
        if outside:
            raise ValueError(f"{outside[0]} is not a budget year; years lie in {FIRST_YEAR}-{LAST_YEAR}")
        expected = list(range(years[0], years[0] + len(years)))
        if years != expected:
            raise ValueError(f"the years must be consecutive and ascending, e.g. {expected}")
        return years

    @field_validator("order")
    @classmethod
    def _order_names_each_once(cls, order: list[str]) -> list[str]:
        names = [name.removesuffix(".yaml") for name in order]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{twice[0]} is listed more than once; list each proposal once")
        return names

    @field_validator("price_level")
    @classmethod
    def _price_level_is_a_year(cls, value: int) -> int:
        if not FIRST_YEAR <= value <= LAST_YEAR:
            raise ValueError(
                f"the price level is the year of the prices, such as 2027 for '2027 p/l' "
                f"({FIRST_YEAR}-{LAST_YEAR}); got {value}"
            )
        return value


def _check_span(first: int | None, last: int | None) -> None:
    if first is not None and last is not None and first > last:
        raise ValueError(f"'from' ({first}) is after 'until' ({last}); the span runs from the first year to the last")


class Staffing(Strict):
    """Årsværk times a unit cost per årsværk, per year: e.g. 5 årsværk of 640 t. kr. from 2028."""

    fte: PerYear = Field(description="Årsværk: one number for every year in range, or a mapping year: årsværk.")
    unit_cost: Amount = Field(description="Cost of one årsværk in 1.000 kr., e.g. 640.")
    from_year: int | None = Field(None, alias="from", description="First year (with a single 'fte' number).")
    until: int | None = Field(None, description="Last year (with a single 'fte' number).")
    note: str | None = Field(None, description="What the årsværk are, for the reader (not printed in the table).")

    @model_validator(mode="after")
    def _from_not_after_until(self) -> Self:
        _check_span(self.from_year, self.until)
        return self


class Units(Strict):
    """A count times a unit price, per year: e.g. foster families added times the price difference."""

    count: Count = Field(description="The count: one number for every year in range, or a mapping year: count.")
    unit_price: Amount = Field(description="Price of one unit in 1.000 kr. (negative for a saving).")
    from_year: int | None = Field(None, alias="from", description="First year (with a single 'count' number).")
    until: int | None = Field(None, description="Last year (with a single 'count' number).")
    note: str | None = Field(None, description="What is counted, for the reader (not printed in the table).")

    @model_validator(mode="after")
    def _from_not_after_until(self) -> Self:
        _check_span(self.from_year, self.until)
        return self


class Line(Strict):
    """One row of Tabel 1 and the paragraph that explains it in Section 2."""

    id: str = Field(description="Short name used by placeholders, e.g. 'koeb107' in {{ line.koeb107.full }}.")
    label: str = Field(description="The row's label in Tabel 1.")
    heading: str | None = Field(None, description="The run-in heading in Section 2, when it differs from the label.")
    styringsomraade: Styringsomraade = Field("Service", description="Budget control area: Service, Overførsler, Anlæg.")
    amounts: YearAmounts | None = Field(None, description="Typed amounts in 1.000 kr. per year, e.g. {2027: -5090}.")
    staffing: list[Staffing] = Field(default_factory=list, description="Årsværk × unit cost drivers.")
    units: list[Units] = Field(default_factory=list, description="Count × unit price drivers.")
    headline: Headline | None = Field(
        None,
        description=(
            "How Section 2 states the line's amount after its heading: full (at full phase-in), yearly, "
            "from (yearly from the first year on), rising (first year rising to full), total (sum of years), "
            "year (the last year with an amount), period (yearly in a span of years), none. "
            "Default: full for permanent lines, total for implementation lines."
        ),
    )
    footnote: str | None = Field(None, description="A note printed under Tabel 1, marked * on the row.")
    covers: list[str] = Field(
        default_factory=list,
        description=(
            "Ids of the lines right after this one that its heading names too ('unge- og voksenområderne'): "
            "the heading's amount is then the sum of this line and those, and they print no heading of their own."
        ),
    )
    text: Prose = Field("", description="The explanatory paragraph (Markdown) under the run-in heading.")

    @field_validator("id")
    @classmethod
    def _id_is_a_name(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} must be lower-case letters, digits and _, starting with a letter")
        return value

    @model_validator(mode="after")
    def _has_amounts(self) -> Line:
        if self.amounts is None and not self.staffing and not self.units:
            raise ValueError("a line needs 'amounts', 'staffing' or 'units'")
        return self


class Economy(Strict):
    """Section 2: the introduction and the lines that make up Tabel 1."""

    intro: Prose = Field(description="Opening paragraph (Markdown); quote amounts with placeholders.")
    permanent: list[Line] = Field(description="Varige ændringer (effektivisering og drift).")
    implementation: list[Line] = Field(
        default_factory=list, description="Implementeringsomkostninger (midler fra investeringspuljen)."
    )

    @model_validator(mode="after")
    def _covers_follow(self) -> Economy:
        for block in (self.permanent, self.implementation):
            ids = [line.id for line in block]
            covered: set[str] = set()
            for index, line in enumerate(block):
                expected = ids[index + 1 : index + 1 + len(line.covers)]
                if line.covers and line.covers != expected:
                    raise ValueError(
                        f"line {line.id!r}: 'covers' lists {line.covers}, but a heading can only speak for the "
                        f"lines right after it in the same block, in order ({expected or 'none follow'})"
                    )
                if covered & set(line.covers) or (line.covers and line.id in covered):
                    raise ValueError(f"line {line.id!r}: a line can be covered by one heading only")
                covered |= set(line.covers)
        return self


class Goal(Strict):
    """One row of Tabel 2."""

    goal: str = Field(description="Opfølgningsmål.")
    measure: str = Field(description="Hvordan måles opfølgningsmålet?")
    responsible: str = Field(description="Hvem er ansvarlig for opfølgning?")
    when: str = Field(description="Hvornår gennemføres opfølgningen?")


class FollowUp(Strict):
    """Tabel 2 in its two groups."""

    implementation: list[Goal] = Field(description="Implementering og anvendelse af investeringsmidler.")
    realisation: list[Goal] = Field(description="Realisering af effektiviseringer.")


class Risk(Strict):
    """Section 4."""

    level: RiskLevel = Field(description="Overall level: lav, lav til mellem, mellem, mellem til høj, høj.")
    text: Prose = Field(description="The assessment (Markdown).")


class Approval(Strict):
    """Tabel 4: the finance centre's approval, and the state of the proposal in the finance centre's hands."""

    approved: bool | None = Field(
        None, description="Ja (true) or Nej (false); may be left out when `state` is given (godkendt is Ja)."
    )
    date: dt.date | None = Field(None, description="Date of the approval (ISO).")
    state: ApprovalState | None = Field(
        None,
        description=(
            "The finance centre's state of the proposal: udkast, indsendt, godkendt (with the date) or afvist. "
            "Without it, approved: true reads as godkendt and approved: false as indsendt."
        ),
    )

    @model_validator(mode="after")
    def _state_agrees(self) -> Self:
        if self.approved is None and self.state is None:
            raise ValueError(
                "give the state (udkast, indsendt, godkendt or afvist) or approved: true/false, "
                "e.g. {state: godkendt, date: 2026-01-23}"
            )
        if self.state is not None and self.approved is not None and self.approved != (self.state == "godkendt"):
            raise ValueError(
                f"approved: {'true' if self.approved else 'false'} disagrees with state: {self.state} "
                f"(Tabel 4 would print {'Ja' if self.approved else 'Nej'}); only godkendt is approved: "
                "correct one of them, or leave approved out"
            )
        if self.state == "godkendt" and self.date is None:
            raise ValueError("state: godkendt needs the date of the approval, e.g. date: 2026-01-23")
        if self.approved is None:
            # Tabel 4 prints Ja/Nej: the state decides it when approved is left out (the model is frozen).
            object.__setattr__(self, "approved", self.state == "godkendt")
        return self

    @property
    def status(self) -> str:
        """The state the finance centre has set, or the one Tabel 4's Ja/Nej implies."""
        return self.state or ("godkendt" if self.approved else "indsendt")


class Hearing(Strict):
    """One row of Tabel 6."""

    body: str = Field(description="The committee or circle heard, e.g. 'MED-udvalg'.")
    approved: bool = Field(description="Ja (true) or Nej (false).")
    date: dt.date | None = Field(None, description="Date (ISO).")
    note: str | None = Field(None, description="A short note on the hearing response.")


class Proposal(Strict):
    """One investment proposal (investeringsforslag)."""

    case: str = Field("case.yaml", description="The case file this proposal belongs to, relative to this file.")
    title: str = Field(description="The proposal's title.")
    summary: Prose = Field(description="Kort resumé (Markdown), 3-6 lines; quote amounts with placeholders.")
    administration: str = Field(description="Fremstillende forvaltning, e.g. 'Socialforvaltningen'.")
    date: dt.date | None = Field(None, description="The proposal's date (ISO); defaults to the case's date.")
    description: Prose = Field(description="Section 1 (Markdown): headings, paragraphs, lists, tables, figures.")
    economy: Economy = Field(description="Section 2 and Tabel 1: the introduction and the lines.")
    follow_up: FollowUp = Field(description="Section 3: Tabel 2's follow-up goals in their two groups.")
    risk: Risk = Field(description="Section 4: the risk level and assessment.")
    innovation: bool = Field(description="Does the proposal spring from an innovation proposal?")
    administrative_effectivisation: Prose | None = Field(
        None, description="Section 5 (Markdown); leave out when the proposal has none."
    )
    finance_approval: Approval = Field(
        description="Tabel 4: the finance centre's approval and the proposal's state (wording.finance_centre names it)."
    )
    partners: list[str] = Field(default_factory=list, description="Tabel 5; leave empty for 'Ikke relevant'.")
    hearings: list[Hearing] = Field(default_factory=list, description="Tabel 6.")
    business_case: BusinessCase | None = Field(
        None, description="The business case behind the proposal: scenarios, payers, present value, break-even."
    )
