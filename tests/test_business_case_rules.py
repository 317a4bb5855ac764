"""The business case on cases it was not built around (issue 18) and its bounds (issue 19), checked by hand.

Every test states the hand arithmetic in its comment; the figures it asserts follow from that arithmetic alone.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from forslag.economy.business_case import calculate_business_case, whole
from forslag.source.business_case import BusinessCase
from forslag.source.model import Case

from .conftest import SMALL_CASE as CASE
from .conftest import Run

D = Decimal


def bc(**changes: Any) -> BusinessCase:
    data: dict[str, Any] = {
        "investor": "Forvaltningen",
        "first_year": 2026,
        "horizon": 4,
        "participants": {"total": 10},
        "costs": [{"id": "start", "label": "Start", "one_off": 100}],
        "scenarios": [
            {"id": "lav", "name": "Lav", "success_rate": 0.1},
            {"id": "hoej", "name": "Høj", "success_rate": 0.2},
        ],
        "effects": [
            {
                "id": "g",
                "label": "Gevinst",
                "payer": "Forvaltningen",
                "area": "A",
                "amounts": {2: 50, 3: 50, 4: 50},
                "scales": False,
                "budget": "B",
            }
        ],
    }
    data.update(changes)
    return BusinessCase.model_validate(data)


def _replace(path: Path, old: str, new: str) -> str:
    text = path.read_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text)
    return text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), start=1) if needle in row)


# ---- 1. break-even on the discounted balance ------------------------------------------------------------------


def test_breakeven_is_read_on_the_discounted_balance_when_the_case_discounts() -> None:
    # Costs 100 in year 1, gains 50 in years 2-4. Undiscounted: -100, -50, 0, +50: the balance reaches zero at
    # the end of year 3 (τ = 2 + 50/50 = 3, break-even year 3). At 4 %, year 1 undiscounted: the present values
    # are -100, 48,0769, 46,2278, 44,4498, so the discounted balance is -100, -51,9231, -5,6953, 38,7545;
    # τ = 3 + 5,6953/44,4498 = 3,1281, break-even year 4, payback 3 (τ rounded half up).
    r = calculate_business_case(bc(discounting={"method": "rate", "rate": 0.04}), CASE).scenarios[0]
    assert r.tau is not None and round(r.tau, 4) == D("3.1281")
    assert r.breakeven_year == 4 and r.payback == 3
    assert r.balance_read == "discounted"
    # The undiscounted figures stay available by name.
    assert r.tau_undiscounted == 3 and r.breakeven_year_undiscounted == 3
    # A case that does not discount reads the undiscounted balance: τ = 3, break-even year 3.
    plain = calculate_business_case(bc(), CASE).scenarios[0]
    assert plain.tau == 3 and plain.breakeven_year == 3 and plain.balance_read == "undiscounted"


def test_the_annex_says_which_balance_it_read(run: Run, examples: Path, tmp_path: Path) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    _replace(source, "  horizon: 10\n", "  horizon: 10\n  discounting: {method: rate, rate: 0.04}\n")
    out = tmp_path / "out"
    assert run("build", source, "--out", out, "--format", "html", "--no-bind").code == 0
    html = " ".join((out / "ishoej-model.html").read_text().split())
    assert "akkumulerede nutidsværdi" in html and "diskonterede balance" in html


# ---- 2. Excel-style amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "old", "new", "words"),
    [
        # 3.720 in a case in 1.000 kr.: YAML reads 3,72; the user meant 3720 or, as a fraction, 3.72.
        ("roedovre", "yearly: 3000", "yearly: 3.720", "write 3720, or 3.72 if a fraction was meant"),
        # 709.502 in a case in kr.: the fraction keeps three decimals, so it is written with a fourth digit.
        ("ishoej", "value: 709502", "value: 709.502", "write 709502, or 709.5020 if a fraction was meant"),
        # Participants and counts: 1.300 families.
        ("roedovre", "{1: 13, 2: 18", "{1: 1.300, 2: 18", "write 1300, or 1.3 if a fraction was meant"),
        ("roedovre", "counts: {1: 2, 2: 4", "counts: {1: 2.000, 2: 4", "write 2000, or 2 if a fraction was meant"),
        ("ishoej", "total: 155", "total: 1.550", "write 1550, or 1.55 if a fraction was meant"),
    ],
)
def test_an_excel_style_amount_in_a_business_case_is_an_error(
    run: Run, examples: Path, folder: str, old: str, new: str, words: str
) -> None:
    source = next((examples / folder).glob("[!c]*.yaml"))
    text = _replace(source, old, new)
    result = run("check", source)
    assert result.code == 1, result.out
    line = _line_of(text, re.search(r"[0-9]+\.[0-9]{3}", new).group(0))  # type: ignore[union-attr]
    assert any(f"{source}:{line}:" in row and words in row for row in result.out.splitlines()), result.out


def test_a_fraction_written_with_another_number_of_decimals_is_read_as_written(run: Run, examples: Path) -> None:
    # 3.7200 says it is a fraction (three digits after the point would be a thousands point): 3,72, no error.
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    _replace(source, "value: 100\n", "value: 100.0000\n")
    result = run("check", "--json", source)
    assert result.code == 0, result.out


# ---- 3. amounts in the case's unit -----------------------------------------------------------------------------


def test_prose_prints_amounts_in_the_unit_the_case_keeps() -> None:
    from forslag.document.compute import compute
    from forslag.document.prose import format_figure
    from forslag.source.load import load_proposal

    from .conftest import PROPOSALS

    figures = compute(load_proposal(PROPOSALS / "ishoej" / "ishoej-model.yaml")).economy.figures
    # Ishøj keeps kr.: 50.000 + 180.000 + 10 × (1.004.636 + 332.669) = 13.603.050 kr. over 155 children
    # is 87.761,6 kr. a child (no discounting), printed as 87.762 kr., not "88 t. kr.".
    assert format_figure(figures["bc.min.cost_per_participant"], set()) == "87.762 kr."
    assert format_figure(figures["bc.costs.total"], set()) == "13.603.050 kr."
    assert format_figure(figures["bc.costs.total"], {"tkr"}) == "13.603 t. kr."
    assert format_figure(figures["bc.costs.total"], {"mio"}) == "13,6 mio. kr."
    # The discounted total is there by name: undiscounted here, so the same.
    assert format_figure(figures["bc.costs.pv"], set()) == "13.603.050 kr."
    # '| kr' on an amount in 1.000 kr. prints it in kr.: Tabel 1's running total of -700 t. kr. is -700.000 kr.
    assert format_figure(figures["bc.costs.total"], {"kr"}) == "13.603.050 kr."


def test_the_kr_modifier_is_accepted_in_prose(run: Run, examples: Path) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    _replace(source, "{{ bc.financing.1.first | tkr }}", "{{ bc.financing.1.first | kr }}")
    assert run("check", source).code == 0


# ---- 4. costs carry a styringsområde; 5. avoided costs are not booked ---------------------------------------


def test_a_cost_carries_a_styringsomraade_into_tabel_1() -> None:
    import yaml

    from forslag.economy.derive import with_derived_lines
    from forslag.source.model import Proposal

    from .conftest import PROPOSALS

    data = yaml.safe_load((PROPOSALS / "roedovre" / "invester-foer-det-sker.yaml").read_text())
    data["business_case"]["costs"].append(
        {"id": "lokaler", "label": "Ombygning", "cost_type": "forberedelse", "one_off": 400, "styringsomraade": "Anlæg"}
    )
    proposal = Proposal.model_validate(data)
    case = Case.model_validate(yaml.safe_load((PROPOSALS / "roedovre" / "case.yaml").read_text()))
    assert proposal.business_case is not None
    result = calculate_business_case(proposal.business_case, case)
    derived = with_derived_lines(proposal, case, result)
    row = next(line for line in derived.economy.implementation if line.id == "bc_lokaler")
    # 400 in year 1 of the case, 2016, as an Anlæg implementation row.
    assert row.styringsomraade == "Anlæg" and row.amounts == {2016: 400}


def test_a_typed_row_beside_a_derived_row_with_the_same_meaning_is_a_warning(run: Run, examples: Path) -> None:
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    text = _replace(
        source,
        "  permanent: []\n",
        "  permanent:\n    - id: team\n      label: Fire sagsbehandlere, foranstaltninger og drift\n"
        "      amounts: {2016: 3000}\n",
    )
    result = run("check", source)
    line = _line_of(text, "    - id: team")
    assert any(f"{source}:{line}:" in row and "counted twice" in row for row in result.out.splitlines()), result.out


def test_an_avoided_cost_is_shown_but_not_booked_as_a_saving(run: Run, examples: Path) -> None:
    # Rødovre's low scenario books 700 t. kr. of savings in 2016: kontanthjælp 2 × 100 = 200 and the prevented
    # placements 500 (support 0). With the placements an avoided future cost, only the 200 are booked.
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    _replace(source, "      scales: false\n", "      scales: false\n      kind: avoided_cost\n")
    data = json.loads(run("check", "--json", source).out)["proposals"][0]
    savings = [r for r in data["rows"] if r["label"].startswith(("Færre", "Forhindrede", "Udskudte"))]
    assert sum(r["values"]["2016"] or 0 for r in savings) == -200
    assert not any(r["label"] == "Forhindrede anbringelser af småbørn" for r in savings)
    # Still shown in the business case: year 1 gains are 700.
    assert data["business_case"]["scenarios"][0]["gains"][0] == 700


def test_the_annex_says_which_gains_tabel_1_does_not_book(run: Run, examples: Path, tmp_path: Path) -> None:
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    _replace(source, "      scales: false\n", "      scales: false\n      kind: avoided_cost\n")
    out = tmp_path / "out"
    assert run("build", source, "--out", out, "--format", "html", "--no-bind").code == 0
    html = " ".join((out / "invester-foer-det-sker.html").read_text().split())
    assert "ikke bogført som besparelse i Tabel 1" in html and "»Forhindrede anbringelser af småbørn«." in html


# ---- 8. horizons past 50 years ---------------------------------------------------------------------------------


def test_a_horizon_past_50_reaches_finansministeriets_third_step_with_a_warning(run: Run, examples: Path) -> None:
    # Year 72 is 71 periods out (year 1 undiscounted): periods 1-35 at 3,5 %, 36-70 at 2,5 %, 71 at 1,5 %.
    r = calculate_business_case(bc(horizon=80, discounting={"method": "finansministeriet"}), CASE).scenarios[0]
    assert r.discount[71] == r.discount[70] / D("1.015")
    assert r.discount[70] == r.discount[69] / D("1.025")
    source = examples / "ishoej" / "ishoej-model.yaml"
    text = _replace(source, "  horizon: 10\n", "  horizon: 80\n")
    result = run("check", source)
    assert result.code == 0, result.out
    line = _line_of(text, "horizon: 80")
    assert f"{source}:{line}:" in result.out + result.err and "past 50 years" in result.out + result.err


# ---- issue 19: values that broke the arithmetic, a case after Tabel 1, payers' spelling -----------------------


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("phase_in: 10\n", "phase_in: 10\n      growth: -1\n", "growth"),
        ("phase_in: 10\n", "phase_in: 10\n      growth: 100000000000000\n", "growth"),
        ("phase_in: 10\n", "phase_in: 10\n      growth: -100000000000000\n", "growth"),
        ("value: 709502", "value: 100000000000000", "10^15"),
    ],
)
def test_values_that_broke_the_arithmetic_are_refused_with_their_line(
    run: Run, examples: Path, old: str, new: str, words: str
) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    text = _replace(source, old, new)
    result = run("check", "--json", source)
    assert result.code == 1 and "Traceback" not in result.out + result.err
    data = json.loads(result.out)
    errors = data["proposals"][0]["errors"]
    line = _line_of(text, new.strip().splitlines()[-1])
    assert any(f":{line}:" in e and words in e for e in errors), errors


def test_a_horizon_of_50_with_huge_amounts_is_computed_exactly(run: Run, examples: Path) -> None:
    # 10^14 kr. a year for 50 years is 5·10^15 kr. in all: large, but below the bound, so it is computed.
    source = examples / "ishoej" / "ishoej-model.yaml"
    _replace(source, "yearly: 1004636", "yearly: 100000000000000")
    _replace(source, "  horizon: 10\n", "  horizon: 50\n")
    _replace(source, "  tabel1:\n    scenario: min\n", "")
    for name in ("max.breakeven_year", "min.breakeven_year", "min.breakeven_success_rate"):
        _replace(source, f"{{{{ bc.{name} }}}}", "snart")  # never reached with such costs
    result = run("check", "--json", source)
    assert "Traceback" not in result.out + result.err
    costs = json.loads(result.out)["proposals"][0]["business_case"]["scenarios"][0]["costs"]
    # Year 1: 50.000 + 180.000 + 10^14 + 332.669.
    assert costs[0] == 10**14 + 562669 and sum(costs) == 50 * (10**14 + 332669) + 230000


def test_a_business_case_after_tabel_1s_last_year_is_refused(run: Run, examples: Path) -> None:
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    text = _replace(source, "first_year: 2016", "first_year: 2030")
    result = run("check", source)
    assert result.code == 1
    line = _line_of(text, "first_year: 2030")
    assert any(f"{source}:{line}:" in row and "after Tabel 1's last year" in row for row in result.out.splitlines())


@pytest.mark.parametrize("spelling", ["'Center for Børn og Forebyggelse '", "center for børn og forebyggelse"])
def test_the_verdict_does_not_flip_on_the_payers_spelling(run: Run, examples: Path, spelling: str) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    text = source.read_text()
    first = text.index("payer: Center for Børn og Forebyggelse")
    text = text[:first] + f"payer: {spelling}" + text[first + len("payer: Center for Børn og Forebyggelse") :]
    source.write_text(text)
    result = run("check", "--json", source)
    assert result.code == 0, result.out
    data = json.loads(result.out)["proposals"][0]
    assert data["business_case"]["suitability"]["verdict"] == "egnet"
    assert list(data["business_case"]["scenarios"][0]["npv_by_payer"]) == ["Center for Børn og Forebyggelse"]
    if spelling.islower():
        assert any("differ only in" in w for w in data["warnings"]), data["warnings"]


def test_whole_rounds_half_away_from_zero() -> None:
    assert whole(D("2.5")) == 3 and whole(D("-2.5")) == -3


def test_a_price_index_that_blows_the_amounts_up_is_refused(run: Run, examples: Path) -> None:
    # 3.000 t. kr. at 2014 p/l times 10^12 / 0,000001 = 3·10^21: past the bound of 10^15 a year, refused.
    folder = examples / "roedovre"
    (folder / "case.yaml").write_text(
        (folder / "case.yaml").read_text()
        + "price_index:\n  values: {2014: 0.000001, 2015: 1000000000000}\n  source: test\n"
    )
    source = folder / "invester-foer-det-sker.yaml"
    text = _replace(source, "  unit: 1.000 kr.\n", "  unit: 1.000 kr.\n  price_level: 2014\n")
    result = run("check", source)
    assert result.code == 1 and "Traceback" not in result.out + result.err
    line = _line_of(text, "yearly: 3000")
    assert any(f"{source}:{line}:" in row and "10^15" in row for row in result.out.splitlines()), result.out


def test_a_first_year_that_is_no_calendar_year_is_refused(run: Run, examples: Path) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    text = _replace(source, "first_year: 2018", "first_year: 20180")
    result = run("check", source)
    line = _line_of(text, "first_year: 20180")
    assert result.code == 1 and f"{source}:{line}:" in result.out and "calendar year" in result.out


def test_a_cost_scenarios_participants_count_in_the_bound(run: Run, tmp_path: Path) -> None:
    # 100 kr. per participant is small, but a cost scenario with 10^14 participants makes it 10^16 kr. a year.
    import shutil

    from .conftest import DATA

    folder = tmp_path / "ca"
    shutil.copytree(DATA / "cost-assessment", folder)
    source = folder / "ishoej-omkostninger.yaml"
    _replace(
        source,
        "    - {id: leder,",
        "    - {id: kursus, label: Kursus, per_participant: 100}\n    - {id: leder,",
    )
    text = _replace(
        source, "      factors: {raadgivere: 1.1, leder: 1.1}\n", "      participants: {total: 100000000000000}\n"
    )
    result = run("check", source)
    assert result.code == 1 and "Traceback" not in result.out + result.err
    line = _line_of(text, "per_participant: 100}")
    assert any(f"{source}:{line}:" in row and "10^15" in row for row in result.out.splitlines()), result.out
