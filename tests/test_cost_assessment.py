"""Cost assessments (Socialstyrelsen's cost model) and SØM's sensitivity figures, checked by hand and against
published figures: Ishøj's cost side and Rødovre's two published scenario results."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from forslag.economy.business_case import calculate_business_case
from forslag.source.business_case import BusinessCase

from .conftest import DATA, PROPOSALS, Run
from .conftest import SMALL_CASE as CASE

D = Decimal
ISHOEJ = DATA / "cost-assessment" / "ishoej-omkostninger.yaml"
SOEM = DATA / "soem" / "roedovre-foelsomhed.yaml"


def _json(run: Run, path: Path) -> dict[str, Any]:
    result = run("check", "--json", path)
    assert result.code == 0, result.out
    data: dict[str, Any] = json.loads(result.out)["proposals"][0]
    return data


def test_ishoejs_cost_side_as_a_cost_assessment_reproduces_the_published_figures(run: Run) -> None:
    data = _json(run, ISHOEJ)
    bc = data["business_case"]
    assert bc["kind"] == "cost_assessment" and bc["scenarios"] == [] and bc["suitability"] is None
    base, loen = bc["cost_assessment"]["scenarios"]
    # Published: 50.000 + 180.000 + 1.004.636 + 332.669 = 1.567.305 kr. the first year; 230.000 + 10 × 1.337.305
    # = 13.603.050 kr. over ten years; 80,6 % and 19,4 % of the first year are 1.263.248 and 304.057 kr.
    assert base["costs"][0] == 1567305 and base["total"] == 13603050
    assert [(f["first"]) for f in bc["financing"]] == [1263248, 304057]
    # By cost type: forberedelse 50.000, uddannelse 180.000, drift 10 × 1.337.305 = 13.373.050.
    assert base["total_by_type"] == {"forberedelse": 50000, "uddannelse": 180000, "drift": 13373050}
    # Undiscounted, 155 children in year 1: per child 13.603.050 / 155 = 87.761,6 -> 87.762; by type
    # 50.000 / 155 = 322,6 -> 323, 180.000 / 155 = 1.161,3 -> 1.161, 13.373.050 / 155 = 86.277,7 -> 86.278.
    assert base["per_participant"] == 87762
    assert base["per_participant_by_type"] == {"forberedelse": 323, "uddannelse": 1161, "drift": 86278}
    # Wages 10 % higher: drift 13.373.050 × 1,1 = 14.710.355, total 14.940.355, per child 96.389 (96.389,4).
    assert loen["total_by_type"]["drift"] == 14710355 and loen["total"] == 14940355
    assert loen["per_participant"] == 96389
    # Tabel 1 takes its rows from the cost assessment; the office places keep their styringsområde (Anlæg).
    anlaeg = next(r for r in data["rows"] if r["label"] == "Nye kontorpladser inkl. IT")
    assert anlaeg["styringsomraade"] == "Anlæg" and anlaeg["values"]["2018"] == 50


def test_a_cost_assessment_prints_its_tables_and_no_verdict_or_notat(run: Run, tmp_path: Path) -> None:
    from .pdftext import text as pdf_text

    out = tmp_path / "out"
    assert run("build", ISHOEJ.parent, "--out", out, "--no-bind").code == 0
    assert not list(out.glob("*notat*"))
    text = " ".join(pdf_text(out / "ishoej-omkostninger.pdf").split())
    assert "Bilag: Omkostningsvurdering" in text and "Egnethed" not in text
    for figure in ("1.567.305", "13.603.050", "13.373.050", "87.762", "96.389", "86.278", "14.940.355"):
        assert figure in text
    # The prose prints in the unit the case keeps, kr.
    assert "13.603.050 kr. over 10 år" in text and "87.762 kr. pr. barn" in text and "96.389 kr." in text


def test_cost_scenarios_keep_the_base_scenarios_discounted_participants_as_divisor() -> None:
    # 18 participants a year for two years at 4 %, year 1 undiscounted: PV(participants) = 18 + 18/1,04 = 35,3077.
    # A cost of 10 per participant: PV = 180 + 180/1,04 = 353,077, per participant exactly 10.
    # Half the courses (9 a year): PV = 90 + 90/1,04 = 176,538, still divided by 35,3077: exactly 5.
    case = BusinessCase.model_validate(
        {
            "investor": "F",
            "first_year": 2026,
            "horizon": 2,
            "participants": {"per_year": {1: 18, 2: 18}},
            "costs": [
                {"id": "kursus", "label": "Kursus", "cost_type": "drift", "per_participant": 10},
                {"id": "start", "label": "Start", "cost_type": "forberedelse", "one_off": 500},
            ],
            "cost_scenarios": [
                {"id": "halv", "name": "Halvt så mange hold", "participants": {"per_year": {1: 9, 2: 9}}}
            ],
            "discounting": {"method": "rate", "rate": 0.04},
        }
    )
    r = calculate_business_case(case, CASE)
    assert r.cost_assessment and r.scenarios == ()
    base, halv = r.cost_results
    assert r.pv_participants == 18 + 18 / D("1.04")
    # (Decimal quotients at 28 digits: equal to 10 and 5 far below any printed digit.)
    assert round(base.per_participant_by_type["drift"], 20) == 10  # type: ignore[arg-type]
    assert round(halv.per_participant_by_type["drift"], 20) == 5  # type: ignore[arg-type]
    # The start cost is 500 in year 1 in both: 500 / 35,3077 = 14,161.
    assert round(base.per_participant_by_type["forberedelse"], 3) == D("14.161")  # type: ignore[arg-type]
    assert base.pv == 500 + 180 + 180 / D("1.04")


def test_soem_sensitivity_figures_of_a_computed_case() -> None:
    # 10 participants, gains 100 a success a year, costs 100 a year, 3 years, undiscounted:
    # NPV(s) = 3·(1000·s - 100): 300 per 10 points; zero at s* = 10 %, so ⌈s*⌉ = 10 %;
    # at 20 %: NPV = 300, per participant 30.
    case = BusinessCase.model_validate(
        {
            "investor": "F",
            "first_year": 2026,
            "horizon": 3,
            "participants": {"total": 10},
            "costs": [{"id": "drift", "label": "Drift", "yearly": 100}],
            "scenarios": [
                {"id": "lav", "name": "Lav", "success_rate": 0.1},
                {"id": "hoej", "name": "Høj", "success_rate": 0.2},
            ],
            "effects": [{"id": "g", "label": "G", "payer": "F", "area": "A", "value": 100}],
        }
    )
    hoej = calculate_business_case(case, CASE).scenarios[1]
    assert hoej.npv_per_10pp == 300 and hoej.npv_per_participant == 30 and hoej.breakeven_whole_percent == 10


def test_sensitivity_from_two_published_results_matches_the_full_model(run: Run) -> None:
    # Rødovre's Tabel 2 after seven years: -100 at 12,5 %, 10.200 at 25 % (t. kr.). The line through them:
    # 10.300 per 12,5 points is 8.240 per 10 points; zero at 12,5 % + 100 / 82.400 = 12,62 %, so 13 % first pays.
    # 130 families in seven years (13 + 18 + 24 + 18 + 19 + 19 + 19): -100 / 130 = -0,769 t. kr. = -769 kr. each.
    data = _json(run, SOEM)
    pub = data["business_case"]["published"]
    assert pub["npv_per_10pp"] == 8240
    assert pub["breakeven_success_rate"] == 0.1262 and pub["breakeven_whole_percent"] == 13
    assert dict((r, v) for r, v in pub["sensitivity"]) == {0.1: -2160, 0.125: -100, 0.15: 1960, 0.2: 6080, 0.25: 10200}
    assert [r["npv_per_participant"] for r in pub["results"]] == [-1, 78]
    assert data["business_case"]["suitability"] is None
    # The full model, cut at seven years, gives the same line from its own effects.
    from forslag.source.load import load_proposal

    loaded = load_proposal(PROPOSALS / "roedovre" / "invester-foer-det-sker.yaml")
    assert loaded.proposal.business_case is not None
    full = loaded.proposal.business_case.model_copy(update={"horizon": 7})
    lav = calculate_business_case(full, loaded.case.case).scenarios[0]
    assert lav.npv == -100 and lav.npv_per_10pp == 8240 and lav.breakeven_whole_percent == 13
    assert round(lav.breakeven_success_rate, 4) == D("0.1262")  # type: ignore[arg-type]


def test_published_results_print_in_prose_in_the_asked_unit(run: Run) -> None:
    from forslag.document.compute import compute
    from forslag.source.load import load_proposal

    summary = " ".join(compute(load_proposal(SOEM)).prose["summary"].split())
    assert "8,2 mio. kr." in summary and "12,62 %" in summary and "13 %" in summary and "-769 kr." in summary


def test_a_derived_cost_that_ends_early_is_quoted_for_its_period(run: Run, tmp_path: Path) -> None:
    """Running costs that stop in 2030 in a case of 2029-2032 become Tabel 1 rows whose heading says the period
    ('årligt i 2029-2030'), not 'ved fuld indfasning': a derived row has no headline key the writer could set,
    so a warning asking for one could not be acted on (a new user's trial met it)."""
    source = DATA / "cost-assessment-ends-early" / "lektiecafe.yaml"
    checked = run("check", source)
    assert checked.code == 0, checked.out
    assert "warning" not in checked.out
    built = run("build", source, "--format", "html", "--out", tmp_path)
    assert built.code == 0, built.out + built.err
    text = " ".join((tmp_path / "lektiecafe.html").read_text().replace("&nbsp;", " ").replace("\xa0", " ").split())
    assert (
        "Lokaler og materialer</strong>: 30 t. kr. årligt i 2029-2030" in text or "30 t. kr. årligt i 2029-2030" in text
    )
    assert "ved fuld indfasning" not in text.split("Lokaler og materialer", 1)[1][:120]
