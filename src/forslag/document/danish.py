"""Danish formatting of amounts, headline figures, dates and counts, on Babel with an explicit da_DK locale."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

# Never the process locale: the documents are Danish whatever machine builds them.
LOCALE = Locale.parse("da_DK")
MIO_FROM = Decimal(100)  # t. kr.: from 0,1 mio. kr. on, headline amounts are stated in millions


def _quantize(value: Decimal, places: int) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    result = value.quantize(exponent, rounding=ROUND_HALF_UP)
    # -0,04 rounds to -0,0: a sign on nothing would read as a saving that is not there.
    return result.copy_abs() if result.is_zero() else result


def whole(value: Decimal | int) -> int:
    """A figure as `number` prints it without decimals: rounded half up, once."""
    return int(_quantize(Decimal(value), 0))


def number(value: Decimal | int, places: int = 0) -> str:
    """A number with Danish separators, rounded half-up to `places` decimals: 12.870 / 2,2."""
    q = _quantize(Decimal(value), places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    # Babel rounds half-even by default; the value is already rounded, so it only formats.
    return str(format_decimal(q, format=pattern, locale=LOCALE, decimal_quantization=False))


def cell(value: int | Decimal | None) -> str:
    """A Tabel 1 cell in 1.000 kr.: -5.090; blank stays blank, never 0."""
    return "" if value is None else number(value)


def amount(tkr: Decimal | int | None, unit: str = "auto", signed: bool = True) -> str:
    """A headline amount from 1.000 kr.: 10,1 mio. kr. / 0,9 mio. kr. / 65 t. kr. / 6.186 kr. (unit "kr")."""
    if tkr is None:
        return ""
    value = Decimal(tkr)
    if not signed:
        value = abs(value)
    if unit == "auto":
        unit = "mio" if abs(value) >= MIO_FROM else "tkr"
    if unit == "mio":
        return f"{number(value / 1000, 1)} mio. kr."
    if unit == "tkr":
        return f"{number(value)} t. kr."
    if unit == "kr":
        return f"{number(value * 1000)} kr."
    raise ValueError(f"unknown unit {unit!r}")


def unbreakable(text: str) -> str:
    """A figure with its unit on one line in a document: "-5,1 mio. kr." never breaks as "-5,1 | mio. kr."."""
    return text.replace(" ", "\u00a0")


# A figure the writer typed and the unit after it ("ca. 1 mio. kr.", "1.500 t. kr.", "31 pct.", "4,5 %").
_TYPED_UNIT = re.compile(r"(?<=\d) (mia\. kr\.|mio\. kr\.|t\. kr\.|kr\.|pct\.|%)")


def keep_units(text: str) -> str:
    """Typed prose with each figure and its unit on one line, as the computed amounts are (`unbreakable`)."""
    return _TYPED_UNIT.sub(lambda m: "\u00a0" + unbreakable(m.group(1)), text)


def date(value: dt.date) -> str:
    """23. januar 2026."""
    return str(format_date(value, format="d. MMMM y", locale=LOCALE))


def years(value: int | None) -> str:
    """A payback time: 4 år; not paid back within the horizon reads as such."""
    if value is None:
        return "over 20 år"
    return f"{value} år"


def fte(value: Decimal | int) -> str:
    """2,2 årsværk / 5 årsværk."""
    places = 0 if Decimal(value) == Decimal(value).to_integral_value() else 1
    return f"{number(value, places)} årsværk"


def percent(value: Decimal | int, places: int = 1) -> str:
    """3,7 %."""
    return f"{number(value, places)} %"


def quantity(value: Decimal | int | None, kind: str = "count") -> str:
    """A business-case figure: a count (16 / 15,5), a share as a percentage (12,5 %) or years (4,2); '–' if none."""
    if value is None:
        return "–"
    number_ = Decimal(value) * (100 if kind == "percent" else 1)
    places = 0 if kind == "count" and number_ == number_.to_integral_value() else 1
    if kind == "percent":
        places = (
            0
            if number_ == number_.to_integral_value()
            else 1
            if (number_ * 10).to_integral_value() == number_ * 10
            else 2
        )
    text = number(number_, places)
    return f"{text} %" if kind == "percent" else text


def yes_no(value: bool) -> str:
    return "Ja" if value else "Nej"
