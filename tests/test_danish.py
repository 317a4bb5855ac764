"""Danish forms of amounts, dates and counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from forslag.document import danish


@pytest.mark.parametrize(
    ("value", "text"),
    [(-5090, "-5.090"), (12870, "12.870"), (0, "0"), (None, ""), (-1234567, "-1.234.567"), (650, "650")],
)
def test_table_cells(value: int | None, text: str) -> None:
    assert danish.cell(value) == text


@pytest.mark.parametrize(
    ("tkr", "text"),
    [
        (10140, "10,1 mio. kr."),
        (910, "0,9 mio. kr."),
        (-25120, "-25,1 mio. kr."),
        (65, "65 t. kr."),
        (1050, "1,1 mio. kr."),  # half-up, where Babel's default half-even would say 1,0
        (250, "0,3 mio. kr."),
        (-400, "-0,4 mio. kr."),
        (Decimal("-40"), "-40 t. kr."),
        (123456, "123,5 mio. kr."),
        (1234567, "1.234,6 mio. kr."),
    ],
)
def test_headline_amounts(tkr: int | Decimal, text: str) -> None:
    assert danish.amount(tkr) == text


def test_negative_zero_is_not_signed() -> None:
    assert danish.amount(Decimal(-40), unit="mio") == "0,0 mio. kr."
    assert danish.number(Decimal("-0.04"), 1) == "0,0"
    assert danish.amount(50, unit="mio") == "0,1 mio. kr."  # 0,05 mio. rounds up


def test_units_and_sign() -> None:
    assert danish.amount(-650, unit="tkr") == "-650 t. kr."
    assert danish.amount(-650, unit="tkr", signed=False) == "650 t. kr."
    assert danish.amount(-11960, signed=False) == "12,0 mio. kr."


def test_dates_years_counts() -> None:
    assert danish.date(dt.date(2026, 1, 23)) == "23. januar 2026"
    assert danish.date(dt.date(2025, 12, 12)) == "12. december 2025"
    assert danish.years(4) == "4 år"
    assert danish.years(None) == "over 20 år"
    assert danish.fte(Decimal("2.2")) == "2,2 årsværk"
    assert danish.fte(5) == "5 årsværk"
    assert danish.percent(Decimal("3.7")) == "3,7 %"


def test_typed_figures_keep_their_units() -> None:
    """Rødovre's prose broke "ca. 1 | mio. kr." and "1.500 | t. kr." across lines: a figure the writer typed
    keeps its unit as a computed one does; a year or a paragraph number is no figure with a unit."""
    from forslag.document.danish import keep_units

    nb = "\u00a0"
    assert keep_units("heraf ca. 1 mio. kr. til") == f"heraf ca. 1{nb}mio.{nb}kr. til"
    assert keep_units("år 3: 1.500 t. kr., år 4") == f"år 3: 1.500{nb}t.{nb}kr., år 4"
    assert keep_units("var 31 pct. og 4,5 % af 3 kr.") == f"var 31{nb}pct. og 4,5{nb}% af 3{nb}kr."
    assert keep_units("i 2027 og § 85 kr") == "i 2027 og § 85 kr"
