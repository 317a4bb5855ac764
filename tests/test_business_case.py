"""The business case: each formula on small hand-checked cases, the published figures, and every bad input."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from forslag.economy.business_case import calculate_business_case, crossing_time, whole
from forslag.source.business_case import BusinessCase
from forslag.source.model import Case

from .conftest import PROPOSALS, Run
from .conftest import SMALL_CASE as CASE

D = Decimal


def bc(**changes: Any) -> BusinessCase:
    data: dict[str, Any] = {
        "investor": "Forvaltningen",
        "first_year": 2026,
        "horizon": 3,
        "participants": {"total": 10},
        "costs": [{"id": "drift", "label": "Drift", "yearly": 100}],
        "scenarios": [
            {"id": "lav", "name": "Lav", "success_rate": 0.1},
            {"id": "hoej", "name": "Høj", "success_rate": 0.2},
        ],
        "effects": [{"id": "g", "label": "Gevinst", "payer": "Forvaltningen", "area": "A", "value": 100}],
    }
    data.update(changes)
    return BusinessCase.model_validate(data)


def test_discount_conventions_start_and_end() -> None:
    start = calculate_business_case(bc(discounting={"method": "rate", "rate": 0.04}), CASE).scenarios[0]
    end = calculate_business_case(bc(discounting={"method": "rate", "rate": 0.04, "convention": "end"}), CASE)
    assert start.discount[0] == 1 and start.discount[1] == 1 / D("1.04")  # year 1 undiscounted (SØM)
    assert end.scenarios[0].discount[0] == 1 / D("1.04")  # (1+r)^-t (Skandia)
    # 10 successes × 0,1 × 100 = 100 a year against 100 a year: every net is 0, so the NPV is 0 either way.
    assert start.npv == 0


def test_finansministeriet_schedule_changes_band_after_35_years() -> None:
    r = calculate_business_case(bc(horizon=40, discounting={"method": "finansministeriet"}), CASE).scenarios[0]
    assert r.discount[35] == r.discount[34] / D("1.035")  # year 36 is 35 periods out: still 3,5 %
    assert r.discount[36] == r.discount[35] / D("1.025")  # year 37: the 36th period at 2,5 %
    old = calculate_business_case(bc(first_year=2015, discounting={"method": "finansministeriet"}), CASE)
    assert old.scenarios[0].discount[1] == 1 / D("1.04")  # before 2021: 4 %


def test_cost_per_participant_divides_by_discounted_participants() -> None:
    # Socialstyrelsen's cost model: 18 a year over two years at 4 %, year 1 undiscounted.
    case = bc(
        horizon=2,
        participants={"per_year": {1: 18, 2: 18}},
        costs=[{"id": "c", "label": "C", "yearly": 1000}],
        discounting={"method": "rate", "rate": 0.04},
    )
    r = calculate_business_case(case, CASE).scenarios[0]
    pv_costs = 1000 + 1000 / D("1.04")
    assert r.cost_per_participant == pv_costs / (18 + 18 / D("1.04"))
    assert whole(r.cost_per_participant) == 56  # 1961,54 / 35,31


def test_relapse_lag_phase_in_and_duration() -> None:
    effect = {
        "id": "g",
        "label": "G",
        "payer": "Forvaltningen",
        "area": "A",
        "value": 100,
        "lag": 1,
        "phase_in": 2,
        "duration": 3,
        "relapse": {"share": 0.2, "from": 4},
    }
    r = calculate_business_case(bc(horizon=6, effects=[effect]), CASE).scenarios[0]
    # 1 success (10 × 0,1); year 2: half, year 3: full, year 4: full less 20 %, then the 3 years are over.
    assert r.lines[0].values == (0, 50, 100, 80, 0, 0)


def test_growth_and_scaling_with_reference_rate() -> None:
    effects = [
        {"id": "a", "label": "A", "payer": "F", "area": "A", "amounts": {1: 100, 2: 100}, "reference_rate": 0.1},
        {"id": "b", "label": "B", "payer": "F", "area": "A", "amounts": {1: 100}, "scales": False, "growth": 0.1},
    ]
    r = calculate_business_case(bc(horizon=2, effects=effects), CASE)
    assert r.scenarios[1].lines[0].values == (200, 200)  # 20 % is twice the reference 10 %
    assert r.scenarios[1].lines[1].values == (100, 0)  # does not scale
    g = calculate_business_case(bc(horizon=2, effects=[{**effects[1], "hold_last": True}]), CASE)
    assert g.scenarios[0].lines[0].values == (100, D("110.0"))


def test_tau_breakeven_year_payback_and_first_surplus() -> None:
    net = (D(-300), D(100), D(150), D(200))
    assert crossing_time(net) == 3 + D(50) / D(200)  # -300, -200, -50, +150: crosses 1/4 into year 4
    assert crossing_time((D(-1), D(-1))) is None
    assert crossing_time((D(5),)) == 0
    r = calculate_business_case(bc(effects=[{"id": "g", "label": "G", "payer": "F", "area": "A", "value": 250}]), CASE)
    lav = r.scenarios[0]  # gains 250 a year against 100: τ = 0
    assert lav.tau == 0 and lav.first_surplus_year == 1


def test_breakeven_success_rate_is_exact_and_successes_needed() -> None:
    # Gains 10·s·100 = 1000·s a year, costs 100: NPV = 3·(1000·s − 100), zero at s = 0,1 exactly.
    r = calculate_business_case(bc(), CASE).scenarios[1]
    assert r.breakeven_success_rate == D("0.1")
    assert r.successes_needed == 1  # 10 × 0,1
    assert r.expected_successes == 2
    dw = calculate_business_case(
        bc(
            sensitivity=[0.15],
            scenarios=[
                {"id": "a", "name": "A", "success_rate": 0.2, "deadweight": 0.05},
                {"id": "b", "name": "B", "success_rate": 0.3, "deadweight": 0.05},
            ],
        ),
        CASE,
    ).scenarios[0]
    assert dw.breakeven_success_rate == D("0.15")  # 0,1 above the deadweight
    assert dict(dw.sensitivity)[D("0.15")] == 0


# ---- the published figures ---------------------------------------------------------------------------------


def _json(run: Run, path: Path) -> dict[str, Any]:
    result = run("check", "--json", path)
    assert result.code == 0, result.out
    data: dict[str, Any] = json.loads(result.out)["proposals"][0]
    return data


def test_roedovre_reproduces_all_28_cells_of_tabel_2_and_its_prose(run: Run) -> None:
    data = _json(run, PROPOSALS / "roedovre" / "invester-foer-det-sker.yaml")
    lav, hoej = data["business_case"]["scenarios"]
    assert lav["gains"][:7] == [700, 1500, 2500, 3300, 4300, 4300, 4300]
    assert lav["balance"][:7] == [-2300, -3800, -4300, -4000, -2700, -1400, -100]
    assert hoej["gains"][:7] == [900, 2100, 3500, 4900, 6600, 6600, 6600]
    assert hoej["balance"][:7] == [-2100, -3000, -2500, -600, 3000, 6600, 10200]
    # Surplus 1,3 and 3,6 mio. kr. a year from year 5; kontanthjælp 1,4 and 2,8; paid back after 7 and 4 years.
    assert lav["net"][4] == 1300 and hoej["net"][4] == 3600
    assert lav["lines"][0]["values"][4] == 1400 and hoej["lines"][0]["values"][4] == 2800
    assert lav["payback"] == 7 and hoej["payback"] == 4
    assert hoej["first_surplus_year"] == 3  # "giver overskud efter det 3. år"
    # Tabel 1 from the low scenario: savings 0,7 mio. kr. in 2016 rising to 3,3 mio. kr. in 2019.
    savings = [r for r in data["rows"] if r["block"] == "varig" and (r["values"]["2019"] or 0) < 0]
    assert sum(r["values"]["2016"] or 0 for r in savings) == -700
    assert sum(r["values"]["2019"] or 0 for r in savings) == -3300


def test_ishoej_reproduces_its_inputs_and_breakeven_years(run: Run) -> None:
    data = _json(run, PROPOSALS / "ishoej" / "ishoej-model.yaml")
    minimum, maximum = data["business_case"]["scenarios"]
    assert minimum["costs"][0] == 1567305  # the first year
    assert sum(minimum["costs"]) == 13603050  # ten years
    assert minimum["breakeven_year"] == 9 and maximum["breakeven_year"] == 4
    # N·(s − d) with the deadweight of 2,25 points the break-even years need; ⌈N·s⌉ gives the 10 and 16 children.
    assert minimum["expected_successes"] == 5.8125 and maximum["expected_successes"] == 12.0125
    from forslag.document.compute import compute
    from forslag.source.load import load_proposal

    figures = compute(load_proposal(PROPOSALS / "ishoej" / "ishoej-model.yaml")).economy.figures
    assert (figures["bc.min.succeeding"].value, figures["bc.max.succeeding"].value) == (10, 16)


def test_ishoej_financing_split_in_the_pdf_text(run: Run, examples: Path, tmp_path: Path) -> None:
    from .pdftext import text as pdf_text

    out = tmp_path / "out"
    assert run("build", examples / "ishoej", "--out", out, "--format", "pdf", "--no-bind").code == 0
    text = pdf_text(out / "ishoej-model.pdf")
    for figure in ("1.263.248", "304.057", "1.567.305", "13.603.050"):
        assert figure in text


# ---- bad input ---------------------------------------------------------------------------------------------

BAD = {
    "success rate outside 0-1": ("success_rate: 0.125", "success_rate: 1.25", "between 0 and 1"),
    "deadweight above the rate": ("success_rate: 0.25\n", "success_rate: 0.25\n      deadweight: 0.3\n", "deadweight"),
    "negative participants": ("{1: 13, 2: 18", "{1: -13, 2: 18", "cannot be negative"),
    "horizon over 100": ("horizon: 8", "horizon: 101", "horizon must be 1 to 100"),
    "discount rate above 20 %": ("horizon: 8\n", "horizon: 8\n  discounting: {method: rate, rate: 4}\n", "20 %"),
    "effect after the horizon": ("counts: {1: 2,", "counts: {9: 1, 1: 2,", "after the horizon"),
    "derived Tabel 1 outside the case's years": ("first_year: 2016", "first_year: 2014", "Tabel 1 cannot be derived"),
    "price level without index": ("unit: 1.000 kr.\n", "unit: 1.000 kr.\n  price_level: 2014\n", "no index value"),
    "unknown scenario for Tabel 1": (
        "tabel1:\n    scenario: lav",
        "tabel1:\n    scenario: middel",
        "no scenario 'middel'; the scenarios are: lav, hoej",
    ),
    "a rate written as a percentage": (
        "success_rate: 0.125",
        "success_rate: 12,5 %",
        "got text '12,5 %'; write 0.125: a rate is a decimal share without a % sign (12,5 % is 0.125)",
    ),
    "an id used twice": ("- id: hoej\n      name: Høj", "- id: lav\n      name: Høj", "used twice"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_business_case_input_names_file_and_line(run: Run, examples: Path, name: str) -> None:
    old, new, words = BAD[name]
    source = examples / "roedovre" / "invester-foer-det-sker.yaml"
    text = source.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    source.write_text(text)
    changed = new.strip().splitlines()[-1].strip()
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if changed in row)
    result = run("check", source)
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    lines = [row for row in result.out.splitlines() if words in row]
    assert lines, result.out
    assert any(f"{source}:{n}:" in row for row in lines for n in (line, line - 1)), result.out


# ---- documents and charts ----------------------------------------------------------------------------------


def test_charts_are_the_same_bytes_twice_with_text_in_the_document_font() -> None:
    from forslag.document.charts import charts
    from forslag.source.load import load_proposal

    loaded = load_proposal(PROPOSALS / "roedovre" / "invester-foer-det-sker.yaml")
    assert loaded.proposal.business_case is not None
    result = calculate_business_case(loaded.proposal.business_case, loaded.case.case)
    first, second = charts(result), charts(result)
    assert {k: c.svg for k, c in first.items()} == {k: c.svg for k, c in second.items()}
    for chart in first.values():
        assert chart.svg.startswith("<svg") and f"<title>{chart.alt}</title>" in chart.svg
        # matplotlib 3.8 writes the CSS shorthand (font: 8px 'Source Sans Pro'), later releases font-family.
        assert re.search(r"font(?:-family)?: [^;\"]*'Source Sans Pro'", chart.svg), chart.svg[:300]
        assert "<text" in chart.svg  # text stays text, not glyph paths
    assert ">Lav succesrate</text>" in first["balance"].svg


def test_a_proposal_without_business_case_never_imports_matplotlib(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from forslag.document.compute import compute; from forslag.source.load import load_proposal;"
        f"compute(load_proposal(__import__('pathlib').Path({str(PROPOSALS / 'forloebsprogram.yaml')!r})));"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_annex_prints_the_figures_in_pdf_and_html(run: Run, examples: Path, tmp_path: Path) -> None:
    from .pdftext import text as pdf_text

    out = tmp_path / "out"
    assert run("build", examples / "roedovre", "--out", out, "--no-bind").code == 0
    text = pdf_text(out / "invester-foer-det-sker.pdf")
    assert "Bilag: Business case" in text
    for cell in ("-2.300", "-3.800", "-4.300", "-4.000", "-2.700", "-1.400", "-100", "10.200", "6.600"):
        assert cell in text
    assert "har tjent sig ind efter 7 år" in " ".join(text.split())  # the summary's placeholder
    html = (out / "invester-foer-det-sker.html").read_text()
    assert html.count("<svg ") == 3 and html.count('role="img"') == 3
    # Rebuilt, the bytes are the same.
    first = (out / "invester-foer-det-sker.pdf").read_bytes()
    assert run("build", examples / "roedovre", "--out", out, "--no-bind", "--force").code == 0
    assert (out / "invester-foer-det-sker.pdf").read_bytes() == first


def test_an_unsuitable_case_gets_a_committee_notat(run: Run, tmp_path: Path) -> None:
    from .conftest import DATA
    from .pdftext import text as pdf_text

    out = tmp_path / "out"
    assert run("build", DATA / "notat", "--out", out, "--no-bind").code == 0
    text = " ".join(pdf_text(out / "parforhold-notat.pdf").split()).replace("\u00ad ", "")
    assert "Parforholdskurser for småbørnsforældre som investeringscase" in text
    assert "ikke er egnet" in text
    for words in ("lander hos Sundheds- og Omsorgsforvaltningen og Staten", "undgås i fremtiden", "kan intet hentes"):
        assert words in text
    assert text.count("budgetforslag") == 1  # the alternative, stated once
    assert (out / "parforhold-notat.html").is_file()
    data = json.loads(run("check", "--json", DATA / "notat").out)["proposals"][0]["business_case"]
    assert data["suitability"]["verdict"] == "ikke egnet"


def test_a_suitable_case_gets_no_notat(run: Run, examples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", examples / "ishoej", "--out", out, "--no-bind", "--format", "html").code == 0
    assert not list(out.glob("*notat*"))
    data = json.loads(run("check", "--json", examples / "ishoej").out)["proposals"][0]["business_case"]
    assert data["suitability"]["verdict"] == "egnet"


def test_amounts_move_to_the_cases_price_level_with_its_index() -> None:
    case = Case.model_validate(
        {
            "name": "T",
            "municipality": "T",
            "date": "2026-01-01",
            "years": [2026],
            "price_level": 2025,
            "price_index": {"values": {2024: 100.0, 2025: 102.3}, "source": "test"},
        }
    )
    r = calculate_business_case(bc(price_level=2024), case)
    assert r.price_factor == D("1.023")
    assert r.scenarios[0].costs == (D("102.300"),) * 3  # 100 at 2024 p/l is 102,3 at 2025 p/l


def test_an_effect_whose_lag_ends_after_the_horizon_is_refused(run: Run, examples: Path) -> None:
    source = examples / "ishoej" / "ishoej-model.yaml"
    text = source.read_text().replace("phase_in: 10\n", "phase_in: 10\n      lag: 12\n", 1)
    source.write_text(text)
    line = text.splitlines().index("      lag: 12") + 1
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:{line}:" in result.out and "starts in year 13, after the horizon of 10 years" in result.out
