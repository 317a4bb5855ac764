"""The source schema: what a case file and a proposal file may hold (pydantic v2; no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

if TYPE_CHECKING:
    from forslag.source.business_case import BusinessCase

Styringsomraade = Literal["Service", "Overførsler", "Anlæg"]
RiskLevel = Literal["lav", "lav til mellem", "mellem", "mellem til høj", "høj"]
Headline = Literal["full", "yearly", "from", "rising", "total", "year", "period", "none"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# The span a budget year, a price level or a driver's from/until may take: wide, but it keeps 99999 out.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, bool):
        return f"yes/no value {value!r}"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Numbers:
    """Marks a numeric field for the loader's checks, which report each value at its own line.

    whole: an amount in 1.000 kr. (a fraction is an error); otherwise a fraction is legitimate
    (årsværk, a count, a unit price). per_year: may be a mapping year: number; single: may be one number.
    """

    whole: bool
    per_year: bool
    single: bool
    unit: str


# Digits, a point, groups of exactly three digits: how Danish writes thousands ("1.500", "-12.000").
DANISH_THOUSANDS = re.compile(r"^[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+$")
_DANISH_TEXT = re.compile(
    r"^\s*(?P<sign>[+-]?)\s*(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<frac>[0-9]+))?\s*"
    r"(?P<unit>mia\.?|mio\.?|t\.?)?\s*(?:kr\.?)?\s*$",
    re.IGNORECASE,
)
# The YAML 1.1 number forms the reader keeps as text (010, 0x10, 1:30): in a number field, say so.
_YAML11_NUMBER = re.compile(r"[+-]?0[0-9_]+|[+-]?0[xXoObB][0-9a-fA-F_]+|[+-]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_SCALE = {"mia": Decimal(1_000_000), "mio": Decimal(1000), "t": Decimal(1), "": Decimal(1)}


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def danish_hint(text: str, whole: bool) -> str | None:
    """What to write instead of a number typed the Danish way ("1.500", "1,5 mio"), or None."""
    match = _DANISH_TEXT.match(text)
    if not match or not (match["int"].count(".") or match["frac"] or match["unit"]):
        return None
    digits = match["int"].replace(".", "") + ("." + match["frac"] if match["frac"] else "")
    number = Decimal(digits) * _SCALE[(match["unit"] or "").rstrip(".").lower()]
    if match["sign"] == "-":
        number = -number
    if whole and number != number.to_integral_value():
        return (
            f"{text!r} is not a whole number of 1.000 kr.: amounts are whole numbers in 1.000 kr., "
            "written as plain digits (1500, not 1.500 or 1,5 mio)"
        )
    return (
        f"write {_plain(number)}: a number is plain digits (a point only for a fraction), without thousands "
        "points, commas or units; amounts are in 1.000 kr., so 1,5 mio. kr. is 1500"
    )


# A number with spaces or '_' between its digits, a unit or a percent sign after it: "-1 500", "600 kr", "20 %".
_LOOSE_TEXT = re.compile(
    r"^\s*(?P<sign>[+-]?)\s*(?P<digits>[0-9](?:[0-9 \u00a0_]*[0-9])?)(?:[.,](?P<frac>[0-9]+))?\s*"
    r"(?P<unit>%|(?:t\.?\s*)?kr\.?)?\s*$",
    re.IGNORECASE,
)


def loose_hint(text: str) -> str | None:
    """What to write instead of a number with spaces, '_', a unit or a % sign in it, or None."""
    match = _LOOSE_TEXT.match(text)
    if not match or (match["digits"].isdigit() and not match["unit"]):
        return None
    digits = re.sub(r"[ \u00a0_]", "", match["digits"]) + ("." + match["frac"] if match["frac"] else "")
    number = Decimal(digits)
    if match["sign"] == "-":
        number = -number
    if match["unit"] == "%":
        return (
            f"write {_plain(number / 100)}: a rate is a decimal share without a % sign "
            f"({text.strip().lstrip('+-').strip()} is {_plain(abs(number) / 100)})"
        )
    return (
        f"write {_plain(number)}: a number is plain digits, without spaces, '_' or units; "
        "amounts are in 1.000 kr. (1500 means 1.500.000 kr.)"
    )


def number_problem(value: object, raw: str | None, numbers: Numbers) -> tuple[Decimal | None, str | None, str | None]:
    """Check one number: (the value, an error, a warning). raw is the scalar as written in the source."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, str):
        hint = danish_hint(value, numbers.whole)
        if hint:
            return None, f"expected a number, got text {value!r}; {hint}", None
        hint = loose_hint(value)
        if hint:
            return None, f"expected a number, got text {value!r}; {hint}", None
        if _YAML11_NUMBER.fullmatch(value):
            return None, f"expected a number, got text {value!r}; write the number in plain decimal digits", None
    if not _is_number(value):
        return None, f"expected a number, got {_describe(value)}", None
    number = Decimal(value)  # type: ignore[arg-type]
    if not number.is_finite():
        return None, "expected a finite number", None
    written = raw if raw is not None else str(value)
    looks_danish = bool(DANISH_THOUSANDS.match(written))
    plain = written.replace(".", "")
    read_as = format(number.normalize(), "f").replace(".", ",")
    if numbers.whole and looks_danish:
        # -1.000 is a whole number to YAML, but nobody writes minus one that way: it is minus a thousand.
        return (
            None,
            f"{written} is read as {read_as} (in YAML the point is a decimal point); write {plain}: "
            "amounts are whole numbers in 1.000 kr., written without thousands points",
            None,
        )
    if numbers.whole and number != number.to_integral_value():
        return (
            None,
            f"{written} has a fraction, but amounts are whole numbers in 1.000 kr.; "
            f"write a whole number such as {number.quantize(Decimal(1), rounding=ROUND_HALF_UP)}",
            None,
        )
    if looks_danish:
        unit = f" {numbers.unit}" if numbers.unit else ""
        return (
            number,
            None,
            f"{written} is read as {read_as}{unit} (in YAML the point is a decimal point); "
            f"if you mean {plain}, write {plain}",
        )
    return number, None, None


def _checked(value: object, numbers: Numbers) -> Decimal:
    number, error, _ = number_problem(value, None, numbers)
    if error or number is None:
        raise ValueError(error)
    return number


def _year_key(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise ValueError(f"expected a year (like 2027) as key, got {_describe(year)}")
    return year


def _mapping(value: dict[Any, Any], numbers: Numbers) -> dict[int, Decimal]:
    """A year mapping checked whole: every problem in one message (the loader reports each at its line)."""
    errors: list[str] = []
    out: dict[int, Decimal] = {}
    if not value:
        raise ValueError(EMPTY_MAPPING)
    for year, amount in value.items():
        try:
            key = _year_key(year)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        try:
            out[key] = _checked(amount, numbers)
        except ValueError as exc:
            errors.append(f"year {year}: {exc}")
    if errors:
        raise ValueError("; ".join(errors))
    return out


EMPTY_MAPPING = "the mapping is empty: give at least one year: number, or leave the key out"

UNIT_NUMBER = Numbers(whole=False, per_year=False, single=True, unit="t. kr.")
YEAR_AMOUNTS = Numbers(whole=True, per_year=True, single=False, unit="t. kr.")
FTE = Numbers(whole=False, per_year=True, single=True, unit="årsværk")
COUNT = Numbers(whole=False, per_year=True, single=True, unit="")


def _number(value: object) -> Decimal:
    # Text is refused even when it looks like a number: a quoted "1.200" is ambiguous between
    # Danish and English notation, so the source must say 1200 (the message says so).
    return _checked(value, UNIT_NUMBER)


def _per_year(numbers: Numbers) -> Callable[[object], Decimal | dict[int, Decimal]]:
    """The validator of a field that takes one number or a mapping year: number."""

    def validate(value: object) -> Decimal | dict[int, Decimal]:
        if isinstance(value, dict):
            return _mapping(value, numbers)
        try:
            return _checked(value, numbers)
        except ValueError as exc:
            raise ValueError(
                f"expected a number, or a mapping of year: number (like 2027: 2.5), got {_describe(value)}"
                if not isinstance(value, str | int | Decimal) or isinstance(value, bool)
                else str(exc)
            ) from None

    return validate


def _year_amounts(value: object) -> dict[int, Decimal]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of year: amount (like 2027: -5090), got {_describe(value)}")
    return _mapping(value, YEAR_AMOUNTS)


_NUMBER_SCHEMA: dict[str, Any] = {"type": "number"}
_PER_YEAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": "^[0-9]{4}$"},
    "additionalProperties": {"type": "number"},
}

Amount = Annotated[Decimal, PlainValidator(_number), WithJsonSchema(_NUMBER_SCHEMA), UNIT_NUMBER]
YearAmounts = Annotated[
    dict[int, Decimal], PlainValidator(_year_amounts), WithJsonSchema(_PER_YEAR_SCHEMA), YEAR_AMOUNTS
]
_PER_YEAR_JSON = WithJsonSchema({"anyOf": [_NUMBER_SCHEMA, _PER_YEAR_SCHEMA]})
PerYear = Annotated[Decimal | dict[int, Decimal], PlainValidator(_per_year(FTE)), _PER_YEAR_JSON, FTE]
Count = Annotated[Decimal | dict[int, Decimal], PlainValidator(_per_year(COUNT)), _PER_YEAR_JSON, COUNT]
Prose = Annotated[str, Field(description="Markdown text.")]


class Strict(BaseModel):
    # A number where text belongs (when: 2027) is read as that text; the reverse is an error (see _number).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)


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
    """Tabel 4: the finance centre's approval."""

    approved: bool = Field(description="Ja (true) or Nej (false).")
    date: dt.date | None = Field(None, description="Date of the approval (ISO).")


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
    finance_approval: Approval = Field(description="Tabel 4: Center for Økonomi's approval.")
    partners: list[str] = Field(default_factory=list, description="Tabel 5; leave empty for 'Ikke relevant'.")
    hearings: list[Hearing] = Field(default_factory=list, description="Tabel 6.")
    business_case: BusinessCase | None = Field(
        None, description="The business case behind the proposal: scenarios, payers, present value, break-even."
    )


# The business-case schema builds on the types above; importing it completes Proposal (it rebuilds it).
import forslag.source.business_case  # noqa: E402, F401
