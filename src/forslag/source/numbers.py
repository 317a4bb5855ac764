"""Numbers in a source: one rule for what a number is (a Danish thousands point, a unit, a fraction where a
whole number belongs), the field markers the loader checks value by value, and the strict base model.

Below both the proposal schema (model.py) and the business-case schema (business_case.py), so neither
imports the other for its scalars.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainValidator, WithJsonSchema

Styringsomraade = Literal["Service", "Overførsler", "Anlæg"]
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
    thousands: a number that looks like a Danish thousands point (3.720) is an error, not a warning, though
    fractions are legitimate: the business case's money, counts and participants, where 3.720 read as 3,72
    changes every result; a fraction is written with another number of decimals (3.72, 1.1250).
    case_years: the mapping's keys are years of the business case (1, 2, ...), not calendar years.
    """

    whole: bool
    per_year: bool
    single: bool
    unit: str
    thousands: bool = False
    case_years: bool = False


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
    if numbers.thousands and looks_danish:
        fraction = format(number.normalize(), "f")
        if DANISH_THOUSANDS.match(fraction):
            fraction += "0"  # 1.125 meant as a fraction: a fourth decimal says so
        return (
            None,
            f"{written} looks like a Danish thousands point, but YAML reads it as {read_as}; "
            f"write {plain}, or {fraction} if a fraction was meant",
            None,
        )
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


class Strict(BaseModel):
    # A number where text belongs (when: 2027) is read as that text; the reverse is an error (see _number).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)
