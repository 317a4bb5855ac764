"""The arithmetic, checked against the reference document's printed tables, slips named."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from forslag.document.compute import compute
from forslag.economy.calc import Economy, payback, round_half_up
from forslag.source.load import load_proposal

from .conftest import DATA, PROPOSALS


def economy(name: str) -> Economy:
    return compute(load_proposal(PROPOSALS / f"{name}.yaml")).economy


def total(e: Economy, label: str) -> tuple[int | None, ...]:
    return next(r.values for r in e.totals if r.label == label)


def test_forloebsprogram_totals_match_the_reference() -> None:
    e = economy("forloebsprogram")
    # The reference prints 0 in 2026 for the permanent subtotals; no permanent line has a 2026 amount,
    # so forslag leaves those cells blank.
    assert total(e, "Samlet varig ændring, Service") == (None, -5893, -6702, -8960, -11320, -12870)
    assert total(e, "Heraf nettoeffektivisering") == (None, -5713, -6332, -8200, -10480, -11960)
    assert total(e, "Samlet varig ændring, Overførsler") == (None, 180, 370, 760, 840, 910)
    assert total(e, "Samlet varig ændring") == (None, -5713, -6332, -8200, -10480, -11960)
    assert total(e, "Samlede implementeringsomkostninger") == (2725, 11160, 5770, 1315, None, None)


def test_forloebsprogram_slip_total_impact_2030_2031() -> None:
    # Slip: the reference prints -8.800 and -10.140 for 2030 and 2031, but the rows it adds
    # (-10.480 + nothing, -11.960 + nothing) give -10.480 and -11.960.
    e = economy("forloebsprogram")
    assert e.impact.values == (2725, 5447, -562, -6885, -10480, -11960)


def test_forloebsprogram_slip_headline_amounts() -> None:
    e = economy("forloebsprogram")
    # Slip: the reference's prose asks for 21,1 mio. kr.; the implementation rows add up to 20.970 t. kr.
    assert e.figures["investment.total"].value == Decimal(20970)
    # Slip: the summary states 10,1 mio. kr. at full phase-in (the mistyped total); the net is -11.960.
    assert e.figures["net.full"].value == Decimal(-11960)
    # Slip: "1,5 kr. i alt" for the case review: the row adds to 1.530 t. kr.
    assert e.figures["line.sagsgennemgang.total"].value == Decimal(1530)
    # The projektledelse row comes from its driver: 1 and 1,5 årsværk of 810 t. kr.
    assert e.implementation[0].row.values == (810, 1215, 1215, 1215, None, None)


def test_forloebsprogram_payback() -> None:
    e = economy("forloebsprogram")
    assert (e.payback_service.years, e.payback_total.years) == (4, 4)
    assert e.payback_total.exact == Fraction(4) + Fraction(725, 10480)


def test_din_sociale_indgang_totals_and_payback_slip() -> None:
    e = economy("din-sociale-indgang")
    assert total(e, "Samlet varig ændring") == (None, -1620, -2040, -3440, -4070, -4070)
    assert total(e, "Samlede implementeringsomkostninger") == (3880, 5560, 800, 800, None, None)
    assert e.impact.values == (3880, 3940, -1240, -2640, -4070, -4070)
    # Slip: the reference prints a payback of 4 years. The cumulative flow is 3.940 after four
    # years and the fifth year's -4.070 brings it to zero after 4,97 years: 5 by the payback rule.
    assert e.payback_total.exact == Fraction(4) + Fraction(3940, 4070)
    assert (e.payback_service.years, e.payback_total.years) == (5, 5)
    # Slip: the prose asks for 12,3 mio. kr. of investment; the rows add up to 11.040 t. kr.
    assert e.figures["investment.total"].value == Decimal(11040)


def test_din_sociale_indgang_drivers_reproduce_printed_rows() -> None:
    e = economy("din-sociale-indgang")
    rows = {c.line.id: c.row.values for c in (*e.permanent, *e.implementation)}
    assert rows["aaben"] == (None, 1260, 2520, 2520, 2520, 2520)
    assert rows["unge"] == (None, None, -630, -630, -630, -630)
    assert rows["modtagelse"] == (None, None, 630, 630, None, None)
    assert rows["koordinator"] == (400, 800, 800, 800, None, None)
    assert rows["aaben_start"] == (1260, 1260, None, None, None, None)


def test_plejefamilier_totals_match_the_reference() -> None:
    e = economy("plejefamilier")
    assert total(e, "Samlet varig ændring") == (None, -2040, -2054, -5487, -8920, -12363)
    assert total(e, "Samlede implementeringsomkostninger") == (4280, 4200, 200, 200, None, None)
    assert e.impact.values == (4280, 2160, -1854, -5287, -8920, -12363)
    assert (e.payback_service.years, e.payback_total.years) == (4, 4)
    assert e.figures["investment.total"].value == Decimal(8880)
    # One area only: no per-area subtotal rows, as in the reference.
    assert [r.label for r in e.permanent_totals] == ["Samlet varig ændring"]


def test_round_half_up_once() -> None:
    assert round_half_up(Decimal("0.5")) == 1
    assert round_half_up(Decimal("-0.5")) == -1
    assert round_half_up(Decimal("1214.5")) == 1215
    assert round_half_up(Decimal("2.4999")) == 2


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        ((100, -50, -50), Fraction(3)),  # crosses exactly at the end of year 3
        ((100, -200), Fraction(3, 2)),  # halfway through year 2
        ((100, -10), Fraction(11)),  # the steady state carries it on: 1 + 100/10 years
        ((-100, -100), Fraction(0)),  # never in debt: nothing to pay back
        ((100, 10), None),  # never pays back
        ((1000, -10), None),  # pays back after 101 years: beyond the horizon
        ((None, 200, -100, None), None),  # blank last year means a steady flow of 0
    ],
)
def test_payback_rule(flow: tuple[int | None, ...], expected: Fraction | None) -> None:
    assert payback(flow).exact == expected


def test_payback_rounds_half_up() -> None:
    assert payback((100, -200)).years == 2  # 1,5 years
    assert payback((100, -10)).years == 11


def _hard() -> Economy:
    return compute(load_proposal(DATA / "valid" / "hard" / "hard.yaml")).economy


def test_anlaeg_is_kept_apart_from_the_net_effectivisation() -> None:
    """Heraf nettoeffektivisering is the drift (Service + Overførsler); Anlæg has its own subtotal."""
    e = _hard()
    service = total(e, "Samlet varig ændring, Service")
    transfers = total(e, "Samlet varig ændring, Overførsler")
    anlaeg = total(e, "Samlet varig ændring, Anlæg")
    drift = tuple(
        None if s is None and t is None else (s or 0) + (t or 0) for s, t in zip(service, transfers, strict=True)
    )
    assert total(e, "Heraf nettoeffektivisering") == drift == e.net.values
    assert e.net.values[3] == -42977 and anlaeg[3] == -45463
    assert total(e, "Samlet varig ændring")[3] == -88440  # the block's total still adds every row
    assert e.figures["net.full"].value == Decimal(drift[-1] or 0)
    assert e.figures["permanent.full"].value == Decimal(-73443)
    labels = [r.label for r in e.permanent_totals]
    assert labels == [
        "Samlet varig ændring, Service",
        "Heraf nettoeffektivisering",
        "Samlet varig ændring, Overførsler",
        "Samlet varig ændring, Anlæg",
        "Samlet varig ændring",
    ]


def test_anlaeg_is_one_off_in_the_payback(minimal: Path) -> None:
    """A one-off Anlæg saving in the last year is not carried on as if it recurred."""
    source = minimal / "minimal.yaml"
    text = source.read_text()
    start, end = text.index("economy:"), text.index("follow_up:")
    source.write_text(
        text[:start]
        + """economy:
  intro: Kort.
  permanent:
    - {id: drift, label: Drift, amounts: {2027: -500, 2028: -500}}
    - {id: anlaeg, label: Sparet anlæg, styringsomraade: Anlæg, amounts: {2028: -1000}}
  implementation:
    - {id: start, label: Start, amounts: {2026: 3000}}
"""
        + text[end:]
    )
    e = compute(load_proposal(source)).economy
    assert e.impact.values == (3000, -500, -1500)
    # 1.000 left after 2028; the drift's -500 a year (not 2028's -1.500) pays it back in two more years.
    assert e.payback_total.exact == Fraction(5) and e.steady == -500
    assert payback(e.impact.values).years == 4  # what carrying the Anlæg saving on would have said
    # Service basis: 3.000, -500, -500 and then -500 a year: 2.000 left, four more years.
    assert e.payback_service.years == 7
    assert e.figures["savings.full"].value == Decimal(-500)
