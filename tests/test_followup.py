"""The follow-up of adopted proposals, judged as a finance officer would: the three Copenhagen examples adopted
(tag vedtaget-2026), Forløbsprogrammet amended (tag budget-2027), all three edited afterwards, and made-up
realised figures for 2026 and 2027 (tests/data/followup): one on track, one behind with explanations, one that
skipped an explanation. Every figure asserted below is worked out by hand in the comments beside it.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from forslag.cli import main
from forslag.economy.calc import Payback
from forslag.economy.followup import Compared, Threshold, percent_of
from tests import axe
from tests.conftest import PROPOSALS
from tests.followupcase import edit, git, make_case_repository
from tests.pdfcheck import check as check_pdf
from tests.pdftext import flat
from tests.test_accessibility import browser  # noqa: F401  (the axe-core session, skipped where it cannot run)

ON_TRACK = "forloebsprogram.followup.yaml"
BEHIND = "plejefamilier.followup.yaml"
UNEXPLAINED = "din-sociale-indgang.followup.yaml"


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The case repository and the reports of the two valid follow-ups (built once: printing takes seconds)."""
    repo = tmp_path_factory.mktemp("case")
    folder = make_case_repository(repo)
    out = repo / "out"
    assert main(["followup", str(folder / ON_TRACK), str(folder / BEHIND), "--out", str(out)]) == 0
    return folder, out


def test_the_report_compares_with_the_tagged_version_not_the_edited_one(built: tuple[Path, Path]) -> None:
    folder, out = built
    # The working copy says -2.000 for the 2027 placement saving; the adopted version (vedtaget-2026) said -3.050.
    assert "amounts: {2027: -2000," in (folder / "plejefamilier.yaml").read_text()
    text = flat(out / "plejefamilier-opfoelgning.pdf")
    # Besparelse på anbringelse, 2027: planned -3.050, realised -1.830; deviation -1.830 - (-3.050) = +1.220,
    # 1.220 / 3.050 = 0,4000 -> +40,0 %; beyond 10 % and 100 t. kr., so marked * and explained.
    assert "2027 -3.050 -1.830 +1.220* +40,0 %" in text
    # Terapeut, 2027: planned 1 årsværk x 810 = 810, realised 405; -405, -405 / 810 = -50,0 %.
    assert "2027 810 405 -405* -50,0 %" in text
    # Kampagne: 2026 150 -> 150 (0); 2027 50 -> 120: +70 is 140,0 % but not beyond 100 t. kr.: no mark.
    # Accumulated 150 + 50 = 200 planned, 150 + 120 = 270 realised, +70, 70 / 200 = +35,0 %.
    assert "2027 50 120 +70 +140,0 %" in text
    assert "Akkumuleret 2026-2027 200 270 +70 +35,0 %" in text
    # Aflastning, start: 2026 2.000 -> 1.650: -350, -17,5 %; accumulated 4.050 -> 3.700: -350, -8,6 % (8,64).
    assert "2026 2.000 1.650 -350* -17,5 %" in text
    assert "Akkumuleret 2026-2027 4.050 3.700 -350 -8,6 %" in text
    # Heraf nettoeffektivisering 2027 (the permanent rows): planned -3.050 + 810 + 200 = -2.040 (the new
    # 'ferielejr' row of the working copy is not there); realised -1.830 + 405 + 200 = -1.225; +815, 39,95 -> 40,0.
    assert "Heraf nettoeffektivisering 2027 -2.040 -1.225 +815 +40,0 %" in text
    assert "Ferielejre" not in text
    # Samlet økonomisk påvirkning. Planned 2026: 150 + 260 + 260 + 2.000 + 1.360 + 250 = 4.280; 2027: -2.040 +
    # 50 + 260 + 260 + 2.050 + 1.380 + 200 = 2.160. Realised 2026: 150 + 260 + 260 + 1.650 + 1.360 + 250 = 3.930
    # (rows without realised figures count as planned); 2027: -1.225 + 120 + 260 + 260 + 2.050 + 1.380 + 200
    # = 3.045. Deviations -350 (-8,2 %: 350 / 4.280 = 8,18) and +885 (+41,0 %: 885 / 2.160 = 40,97);
    # accumulated 6.440 -> 6.975, +535, 535 / 6.440 = 8,31 -> +8,3 %.
    assert "2026 4.280 3.930 -350 -8,2 %" in text
    assert "2027 2.160 3.045 +885 +41,0 %" in text
    assert "Akkumuleret 2026-2027 6.440 6.975 +535 +8,3 %" in text
    # The summary in words, from the same figures: 2.040 -> 2,0 mio. kr.; 1.225 -> 1,2 mio. kr.; 815 -> 0,8.
    assert (
        "Forslaget skulle i 2026-2027 give en nettoeffektivisering på 2,0 mio. kr. Realiseret er en "
        "nettoeffektivisering på 1,2 mio. kr. Det er 0,8 mio. kr. (40,0 %) mindre effektivisering end planlagt."
    ) in text
    # Payback (total) at the realised pace: cumulative 3.930, 6.975, then planned -1.854 -> 5.121, -5.287 ->
    # -166: it crosses zero in the fourth year, 3 + 5.121 / 5.287 = 3,97 -> 4 år. As adopted: 4.280, 6.440,
    # 4.586, then -701: 3 + 4.586 / 5.287 = 3,87 -> 4 år. It holds.
    assert (
        "Tilbagebetalingstiden baseret på totaløkonomi var 4 år ved vedtagelsen og er 4 år med de realiserede "
        "beløb til og med 2027 og de planlagte derefter: den holder."
    ) in text
    assert "Realiseret tempo, akkumuleret 3.930 6.975 5.121 -166 -9.086 -21.449" in text
    # The explanations and the goals with their status, as the follow-up file gives them.
    assert "Terapeuten blev ansat 1. juli 2027, et halvt år senere end planlagt." in text
    assert "Antallet af plejefamilier tilknyttet kommunen stiger. Ikke opfyldt Tre nye familier kom til" in text
    assert "version vedtaget-2026" in text


def test_an_amended_proposal_is_compared_with_its_newest_decision_and_the_report_shows_both(
    built: tuple[Path, Path],
) -> None:
    _, out = built
    text = flat(out / "forloebsprogram-opfoelgning.pdf")
    # Adopted -5.090 in 2027, amended by Budget 2027 to -5.200, edited since to -9.000: the target is -5.200.
    # Realised -5.150: +50, 50 / 5.200 = 0,96 -> +1,0 %.
    assert "2027 -5.200 -5.150 +50 +1,0 %" in text
    assert "-9.000" not in text
    # The head names both decisions, each under its label (the text layer's order of a floated label and its
    # text is the layout's business, so the labels and the decisions are checked apart).
    head = text.split("Borgerrepræsentationen, Budget 2027", 1)[0]
    assert "Vedtaget:" in head and "Ændret:" in head
    assert "Borgerrepræsentationen, Overførselssagen 2025-2026, 12. marts 2026. Version vedtaget-2026" in text
    assert "Borgerrepræsentationen, Budget 2027, 1. oktober 2026. Version budget-2027" in text
    # Both versions' net per year: adopted 2027 -5.090 - 1.733 + 820 + 110 + 180 = -5.713; amended -5.823.
    # 2028: adopted -10.180 - 2.957 + 1.640 + 4.455 + 340 + 370 = -6.332; amended (team 4.000) -6.787.
    assert "Vedtaget: vedtaget-2026 -5.713 -6.332" in text
    assert "Ændret: budget-2027 -5.823 -6.787" in text
    # On track: net realised -5.150 - 1.700 + 840 + 110 + 180 = -5.720 against -5.823: +103, 1,77 -> +1,8 %;
    # nothing beyond the threshold.
    assert "Heraf nettoeffektivisering 2027 -5.823 -5.720 +103 +1,8 %" in text
    assert "Ingen afvigelse er større end tærsklen (10 % af det planlagte og 100 t. kr.)." in text


def test_the_case_summary_adds_the_administrations_figures(built: tuple[Path, Path]) -> None:
    _, out = built
    text = flat(out / "opfoelgning.pdf")
    # Both proposals are Socialforvaltningen's: 2027 planned -5.823 + -2.040 = -7.863, realised -5.720 +
    # -1.225 = -6.945; neither has a net amount in 2026, so that year stays blank.
    assert "Socialforvaltningen (2 forslag) Planlagt -7.863 Realiseret -6.945" in text
    # Goals: Forløbsprogrammet 3 met, 2 not yet due; plejefamilier 3 met, 2 partly, 1 not met, 1 not yet due.
    assert "Socialforvaltningen 6 2 1 3" in text


def test_the_reports_are_tagged_and_the_same_bytes_on_every_build(built: tuple[Path, Path], tmp_path: Path) -> None:
    folder, out = built
    for name in ("plejefamilier-opfoelgning.pdf", "opfoelgning.pdf"):
        report = check_pdf(out / name)
        assert report.problems == [], report.problems
    assert check_pdf(out / "plejefamilier-opfoelgning.pdf").tags.get("Table")
    # The case's follow-up binds the summary and both reports, each with its own bookmarks.
    bound = check_pdf(out / "opfoelgning.pdf")
    assert [title for title, _ in bound.outline] == [
        "Samlet opfølgning",
        "Opfølgning: Forløbsprogram for unge på midlertidigt botilbud",
        "Opfølgning: Bedre vilkår for plejefamilier",
    ]
    assert bound.pages == 1 + check_pdf(out / "forloebsprogram-opfoelgning.pdf").pages + 4
    again = tmp_path / "again"
    assert main(["followup", str(folder / BEHIND), "--out", str(again)]) == 0
    for name in ("plejefamilier-opfoelgning.pdf", "plejefamilier-opfoelgning.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    html = (out / "plejefamilier-opfoelgning.html").read_text()
    # Two vector charts, each described for a screen reader.
    assert html.count("<svg ") == 2 and html.count('role="img"') == 2
    assert "<title>Nettoeffektivisering pr. år i 1.000 kr." in html


def test_the_html_pages_have_no_axe_violations(built: tuple[Path, Path], browser: axe.Browser) -> None:  # noqa: F811
    _, out = built
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 3
    found = {(page.name, width): browser.axe(page, width) for page in pages for width in (1280, 375)}
    assert {key: v for key, v in found.items() if v} == {}


def test_a_skipped_explanation_is_a_check_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_case_repository(tmp_path / "repo")
    code, out, _ = _run(capsys, "check", folder)
    assert code == 1
    # Against the tagged -3.000 the realised -1.800 is 1.200 short (40,0 %); the working copy's -1.800 would
    # have hidden it. Line 11 is the row's realised amounts, column 22 the 2027 entry.
    assert (
        f"error: {folder / UNEXPLAINED}:11:22: row 'p85' 2027: realised -1800 against planned -3000 deviates by "
        "1200 (40.0 %), beyond the threshold"
    ) in out
    assert f"ok: {folder / BEHIND}: follow-up of Bedre vilkår for plejefamilier at vedtaget-2026" in out
    code, _, err = _run(capsys, "followup", folder, "--out", tmp_path / "out")
    assert code == 1 and "row 'p85' 2027" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "realised: {2027: 200}",
            "realised: {2027: 200, 2028: 250}",
            "22:27",
            "2028 has not passed by the follow-up's date 2028-02-15",
        ),
        (
            "  - id: skole\n",
            "  - id: ferielejr\n",
            "21:9",
            "row 'ferielejr' is not in Tabel 1 of the adopted version at vedtaget-2026 (commit ",
        ),
        ("revision: vedtaget-2026", "revision: vedtaget-2099", "4:13", "unknown revision 'vedtaget-2099'"),
        ("realised: {2027: 200}", "realised: {2027: 1.200}", "22:22", "write 1200"),
        ("realised: {2027: 200}", "realised: {2027: 200, 2032: 0}", "22:27", "the year 2032 is outside the adopted"),
        ("    explanation: Tre nye familier kom til, men fire stoppede.\n", "", "46:13", "needs an explanation"),
    ],
    ids=["year-not-passed", "row-not-adopted", "no-such-revision", "thousands-point", "year-outside", "no-reason"],
)
def test_bad_follow_up_input_is_a_clear_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, line: str, message: str
) -> None:
    folder = make_case_repository(tmp_path / "repo")
    path = folder / BEHIND
    edit(path, old, new)
    code, out, _ = _run(capsys, "check", path)
    assert code == 1
    errors = [x for x in out.splitlines() if x.startswith("error:")]
    assert len(errors) == 1, out
    assert errors[0].startswith(f"error: {path}:{line}: ") and message in errors[0], errors[0]
    if "ferielejr" in new:
        assert "it was added after the decision" in errors[0]


def test_a_revision_on_the_command_line_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_case_repository(tmp_path / "repo")
    code, _, err = _run(capsys, "followup", folder / BEHIND, "--adopted", "nope", "--out", tmp_path / "out")
    assert code == 2 and "--adopted: unknown revision 'nope'" in err
    assert not (tmp_path / "out").exists()


def test_outside_a_repository_the_revision_line_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_case_repository(tmp_path / "repo")
    loose = tmp_path / "loose"
    shutil.copytree(folder, loose)
    code, out, _ = _run(capsys, "check", loose / BEHIND)
    assert code == 1
    assert f"error: {loose / BEHIND}:4:13: the follow-up is not inside a git repository" in out


def test_check_json_carries_the_follow_up_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_case_repository(tmp_path / "repo")
    code, out, _ = _run(capsys, "check", "--json", folder)
    assert code == 1  # the unexplained deviation
    data = json.loads(out)
    assert len(data["proposals"]) == 3
    by_source = {Path(f["source"]).name: f for f in data["follow_ups"]}
    assert "row 'p85' 2027" in by_source[UNEXPLAINED]["errors"][0]
    behind = by_source[BEHIND]
    assert behind["revisions"][0]["revision"] == "vedtaget-2026"
    row = next(r for r in behind["rows"] if r["id"] == "anbringelse")
    assert row["years"]["2027"] == {
        "planned": -3050,
        "realised": -1830,
        "deviation": 1220,
        "percent": "40.0",
        "needs_explanation": True,
        "explanation": row["years"]["2027"]["explanation"],
    }
    assert behind["net"]["accumulated"] == {"planned": -2040, "realised": -1225, "deviation": 815, "percent": "40.0"}
    assert behind["payback"] == {"adopted": {"service": 4, "total": 4}, "realised_pace": {"service": 4, "total": 4}}
    assert behind["goal_status"] == {"met": 3, "partly": 2, "not_met": 1, "not_due": 1}
    assert by_source[ON_TRACK]["revisions"][1]["revision"] == "budget-2027"


def test_diff_shows_changed_realised_figures_between_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    folder = make_case_repository(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Follow-up 2027")
    edit(folder / BEHIND, "realised: {2027: -1830}", "realised: {2027: -1700}")
    edit(folder / BEHIND, "    status: not_due\n", "    status: partly\n    explanation: Faldet er begyndt.\n")
    git(repo, "commit", "-q", "-am", "Corrected placement figure")
    monkeypatch.chdir(repo)
    code, out, _ = _run(capsys, "diff", "HEAD~1", "HEAD")
    assert code == 1  # a realised figure moved: a change in the money
    # -1.830 -> -1.700: a difference of +130.
    assert "proposals/plejefamilier.followup.yaml: follow-up" in out
    assert "row anbringelse  2027  -1.830  -1.700        +130" in out
    assert "goal 'Udgifterne til anbringelser falder som følge af flere plejefamilier.': not_due -> partly" in out
    code, out, _ = _run(capsys, "diff", "--json", "HEAD~1", "HEAD")
    realised = json.loads(out)["follow_ups"][0]["realised"]
    assert realised == [{"row": "anbringelse", "year": 2027, "old": -1830, "new": -1700, "difference": 130}]


def test_follow_up_files_are_not_taken_for_proposals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_case_repository(tmp_path / "repo", with_follow_ups=True)
    code, out, _ = _run(capsys, "build", folder, "--out", tmp_path / "out", "--format", "html", "--no-bind")
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == [
        "din-sociale-indgang.html",
        "forloebsprogram.html",
        "plejefamilier.html",
    ]


# --- the arithmetic's rules at their edges ----------------------------------------------------------------------


def test_the_threshold_is_beyond_both_share_and_amount() -> None:
    t = Threshold(Decimal(10), Decimal(100))
    assert not t.exceeded(100, -500)  # 100 is not beyond 100 t. kr. (20 %)
    assert t.exceeded(101, -500)  # 101 is, and 20,2 % is beyond 10 %
    assert not t.exceeded(500, -5000)  # 10,0 % is not beyond 10 %
    assert not t.exceeded(501, -5000)  # 10,02 % -> 10,0 % as printed: still not beyond
    assert t.exceeded(506, -5000)  # 10,12 % -> 10,1 %
    assert t.exceeded(150, None)  # no plan at all: any amount beyond 100 is unplanned


def test_deviation_percent_rounds_once_half_up() -> None:
    assert percent_of(1, 8) == Decimal("12.5")
    assert percent_of(-1, 16) == Decimal("-6.3")  # 6,25 -> 6,3 away from zero
    assert percent_of(5, 0) is None
    assert Compared(None, 120).deviation == 120 and Compared(None, 120).percent is None
    assert Compared(None, None).deviation is None


def test_a_payback_that_slips_is_said_not_to_hold() -> None:
    from forslag.document.followup import _payback_sentence, holds

    adopted, late, never = Payback(Fraction(7, 2)), Payback(Fraction(11, 2)), Payback(None)
    assert holds(adopted, adopted) and not holds(adopted, late) and not holds(adopted, never)
    # 3,5 -> 4 år; 5,5 -> 6 år (half up): two years longer.
    assert _payback_sentence("totaløkonomi", adopted, late, 2027).endswith("den holder ikke, den er 2 år længere.")


@pytest.mark.parametrize(
    "source",
    sorted(
        p
        for folder in (PROPOSALS, PROPOSALS / "roedovre", PROPOSALS / "ishoej")
        for p in folder.glob("*.yaml")
        if p.name != "case.yaml"
    ),
    ids=lambda p: p.stem,
)
def test_with_every_year_realised_as_planned_the_payback_is_the_adopted_one(source: Path) -> None:
    """The realised-pace payback goes through the proposal's own rule: realised = planned must change nothing,
    for every example (business-case rows and staffing drivers included)."""
    from forslag.document.compute import compute
    from forslag.economy.followup import follow_up
    from forslag.source.load import load_proposal

    computed = compute(load_proposal(source))
    e = computed.economy
    lines = (*e.permanent, *e.implementation)
    realised = {c.line.id: {y: v for y, v in zip(e.years, c.row.values, strict=True) if v is not None} for c in lines}
    result = follow_up(
        computed.source.proposal,
        computed.source.case.case,
        e,
        realised,
        {},
        e.years[:2],
        Threshold(Decimal(10), Decimal(100)),
        (),
    )
    assert result.payback_realised == result.payback_adopted
    assert result.realised_impact == e.impact.values and result.realised_net == e.net.values
    assert all(y.compared.deviation == 0 for r in result.rows for y in r.years)


def test_the_follow_up_schema_describes_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema", "--follow-up")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "forslag follow-up"
    assert set(schema["required"]) == {"adopted", "date", "source"}
    assert schema["$defs"]["GoalStatus"]["properties"]["status"]["enum"] == ["met", "partly", "not_met", "not_due"]


def test_the_bound_summary_links_to_the_reports_bound_after_it(built: tuple[Path, Path]) -> None:
    """Each row of the summary jumps to its report's first page inside the bound PDF (it once linked to the
    report's HTML as an absolute file:// address in the source folder, where no report lies)."""
    import pikepdf

    _, out = built
    with pikepdf.open(out / "opfoelgning.pdf") as pdf:
        pages = [page.obj.objgen for page in pdf.pages]
        starts = {item.title: pages.index(item.destination[0].objgen) for item in pdf.open_outline().root}
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        jumps = set()
        for annotation in pdf.pages[0].get("/Annots", []):
            assert annotation.A.S == "/GoTo", repr(annotation.A)
            jumps.add(pages.index(dests[str(annotation.A.D)][0].objgen))
        addresses = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", []) if "/URI" in a.A]
    assert sorted(jumps) == sorted(v for k, v in starts.items() if k.startswith("Opfølgning:"))
    assert not [a for a in addresses if a.startswith("file:")], addresses


def test_the_report_head_sets_each_label_beside_its_text(built: tuple[Path, Path]) -> None:
    """The head reads like the proposal's: each label on the line of its text (an unstyled description list
    once stacked them, label above text, when the proposal's head stopped styling `dl.summary`)."""
    from weasyprint.formatting_structure import boxes

    from tests.layoutcheck import _walk_body, layout

    _, out = built
    laid = layout((out / "forloebsprogram-opfoelgning.html").read_text())
    top: dict[object, float] = {}
    for box in _walk_body(laid.pages[0]._page_box):
        if isinstance(box, boxes.LineBox) and box.element is not None:
            top.setdefault(box.element, box.position_y)
    rows = [e for e in laid.root.iter() if e.get("class") == "summary-row"]
    assert len(rows) == 5  # administration, adopted, amended, date, source
    for row in rows:
        label, text = list(row)
        first = next(p for p in text.iter() if p.tag == "p")
        assert abs(top[label] - top[first]) < 1, "".join(label.itertext())
