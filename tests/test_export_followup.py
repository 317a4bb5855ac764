"""`forslag export` of a case with follow-up files: the follow-up sheets and the case's follow-up summary, checked
against `check --json` and the hand arithmetic of tests/test_followup.py, recalculated by LibreOffice.

The case repository is tests/followupcase.py's: the three Copenhagen examples adopted (vedtaget-2026),
Forløbsprogrammet amended (budget-2027), all three edited afterwards. Din Sociale Indgang's follow-up skips an
explanation; the tests that want a workbook give it one.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run
from .followupcase import edit, git, make_case_repository
from .test_export import Sheets, _grid, _needs_office, assert_figures_agree
from .xlsxcheck import XCell, number, read, recalculated, soffice

UNEXPLAINED = "din-sociale-indgang.followup.yaml"
EXPLANATION = "      2027: Færre borgere end forudsat fik anden støtte i stedet for § 85.\n"
FOLLOW_UP_SHEETS = ["Opfølgning", "Opf din-sociale-indgang", "Opf forloebsprogram", "Opf plejefamilier"]


def _explain(folder: Path) -> None:
    path = folder / UNEXPLAINED
    text = path.read_text()
    assert "    realised: {2027: -1800}\n" in text
    path.write_text(
        text.replace("    realised: {2027: -1800}\n", "    realised: {2027: -1800}\n    explanations:\n" + EXPLANATION)
    )


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case repository's proposals folder, every follow-up checking (built once; it is only read)."""
    folder = make_case_repository(tmp_path_factory.mktemp("repo"))
    _explain(folder)
    return folder


def _export(run: Run, folder: Path, book: Path, *args: str | Path) -> tuple[bytes, dict[str, Any]]:
    result = run("export", folder, "--workbook", book, *args)
    assert result.code == 0, result.out + result.err
    checked = json.loads(run("check", "--json", folder).out)
    return book.read_bytes(), checked


Found = dict[tuple[str, int | str], dict[str, XCell | None]]


def _follow_up_lines(cells: dict[str, XCell]) -> Found:
    """(row label, year or 'acc') -> the cells Planlagt, Realiseret, Afvigelse, Afvigelse %, as the sheet lays
    them out: a row's label in bold on a line of its own, a line per year (the year in column C), then
    'Akkumuleret …'."""
    rows = _grid(cells)
    found: Found = {}
    current = ""
    for r in sorted(rows):
        line = rows[r]
        label = line["A"].value or "" if "A" in line else ""
        year = line["C"].value or "" if "C" in line else ""
        if label.startswith("Akkumuleret"):
            key: tuple[str, int | str] = (current, "acc")
        elif year.isdigit() and "F" in line:
            key = (current, int(year))
        else:
            current = label or current
            continue
        found[key] = {
            k: line.get(col) for k, col in zip(("planned", "realised", "deviation", "percent"), "DEFG", strict=True)
        }
    return found


def assert_follow_ups_agree(sheets: Sheets, checked: dict[str, Any]) -> int:
    """Every planned, realised, deviation and percent figure of every follow-up sheet, per row and year and
    accumulated, as `check --json` has it; the number of figures compared."""
    compared = 0
    for f in checked["follow_ups"]:
        name = Path(f["proposal"]).stem
        found = _follow_up_lines(sheets[f"Opf {name}"])
        for row in [*f["rows"], f["net"], f["impact"]]:
            for key, figures in [*((int(y), v) for y, v in row["years"].items()), ("acc", row["accumulated"])]:
                cells = found[(row["label"], key)]
                for what in ("planned", "realised", "deviation"):
                    got = number(cells[what])
                    assert (got or 0) == (figures[what] or 0), (name, row["label"], key, what, got, figures[what])
                percent = cells["percent"]
                if figures["percent"] is None:
                    assert percent is None or percent.value in (None, ""), (name, row["label"], key)
                else:
                    assert percent is not None and percent.value not in (None, "")
                    assert abs(float(percent.value or 0) * 100 - float(figures["percent"])) < 1e-9, (name, key)
                compared += 4
    return compared


def _summary(sheets: Sheets) -> dict[str, Any]:
    rows = _grid(sheets["Opfølgning"])
    [head] = [r for r, c in rows.items() if c.get("A") and c["A"].value == "Fremstillende forvaltning"]
    years = {
        col: int(c.value or 0) for col, c in rows[head].items() if col not in ("A", "B") and (c.value or "").isdigit()
    }
    out: dict[str, Any] = {}
    admin = ""
    for r in sorted(x for x in rows if x > head):
        line = rows[r]
        if line.get("A") and line["A"].value:
            admin = line["A"].value or ""
        kind = line.get("B")
        if kind is None or kind.value not in ("Planlagt", "Realiseret", "Afvigelse"):
            if line.get("A") and (line["A"].value or "").startswith("Opfølgningsmål"):
                break
            continue
        out[(admin, kind.value)] = {y: number(line.get(col)) for col, y in years.items()}
    [status] = [r for r, c in rows.items() if c.get("A") and c["A"].value == "Opfølgningsmål efter status"]
    for r in range(status + 1, status + 4):
        line = rows.get(r, {})
        if line.get("A"):
            out[(line["A"].value, "goals")] = [number(line.get(col)) for col in "BCDEF"]
    return out


def test_the_workbook_holds_the_follow_ups_planned_against_realised(run: Run, case: Path, tmp_path: Path) -> None:
    data, checked = _export(run, case, tmp_path / "sag.xlsx")
    sheets = read(data)
    proposals = ["Oversigt", "din-sociale-indgang", "forloebsprogram", "plejefamilier", "Tal"]
    assert list(sheets) == [*proposals, *FOLLOW_UP_SHEETS]
    # The cached results are the follow-up's own figures (the plan read at the adopted revision).
    assert assert_follow_ups_agree(sheets, checked) > 150
    # The hand arithmetic of tests/test_followup.py: Besparelse på anbringelse 2027 planned -3.050 (the tagged
    # version; the working copy says -2.000), realised -1.830, +1.220, +40,0 %; Kampagne accumulated 200 -> 270.
    found = _follow_up_lines(sheets["Opf plejefamilier"])
    anbringelse = next(k for k in found if k[0].startswith("Besparelse på anbringelse") and k[1] == 2027)
    line = found[anbringelse]
    assert [number(line[k]) for k in ("planned", "realised", "deviation")] == [-3050, -1830, 1220]
    assert line["percent"] is not None and float(line["percent"].value or 0) == 0.4
    # A finance officer clicking a deviation, a percentage or an accumulated figure sees what it computes.
    cells = _grid(sheets["Opf plejefamilier"])
    row = next(r for r, c in cells.items() if c.get("D") and c["D"].value == "-3050")
    assert cells[row]["F"].formula == f"E{row}-D{row}"
    assert cells[row]["G"].formula == f'IF(D{row}=0,"",ROUND(F{row}/ABS(D{row}),3))'
    assert cells[row]["I"].value and cells[row]["I"].value.startswith("Kun tre nye plejefamilier i 2027")
    assert cells[row]["H"].value == "*"  # beyond the threshold, as the report marks it
    assert cells[row + 1]["D"].formula == f"SUM(D{row}:D{row})"
    kampagne = next(k for k in found if k[0].startswith("Kommunikationskampagne") and k[1] == "acc")
    assert [number(found[kampagne][k]) for k in ("planned", "realised", "deviation")] == [200, 270, 70]
    assert "Ferielejre for plejebørn" not in {c.value for c in sheets["Opf plejefamilier"].values()}
    # Forløbsprogrammet is compared with its amendment (budget-2027): -5.200, not -5.090 nor the later -9.000.
    texts = {c.value for c in sheets["Opf forloebsprogram"].values()}
    assert any(
        (t or "").startswith("Ændret: Borgerrepræsentationen, Budget 2027, 01-10-2026, version budget-2027")
        for t in texts
    )
    assert "-5200" in texts and "-9000" not in texts
    # The goals with their status and explanation, and the counts as formulas.
    goals = _grid(sheets["Opf plejefamilier"])
    [not_met] = [
        r
        for r, c in goals.items()
        if c.get("A") and c["A"].value == "Antallet af plejefamilier tilknyttet kommunen stiger."
    ]
    assert goals[not_met]["B"].value == "Ikke opfyldt"
    assert goals[not_met]["I"].value == "Tre nye familier kom til, men fire stoppede."
    [count] = [
        r for r, c in goals.items() if c.get("A") and c["A"].value == "Ikke opfyldt" and c.get("B") and c["B"].formula
    ]
    assert goals[count]["B"].formula.startswith("COUNTIF($B$") and goals[count]["B"].formula.endswith(
        ',"=Ikke opfyldt")'
    )
    assert number(goals[count]["B"]) == 1

    summary = _summary(sheets)
    # Socialforvaltningen, 2027 (every proposal is its): planned -5.823 (Forløbsprogrammet as amended) - 2.040
    # (plejefamilier) - 1.620 (Din Sociale Indgang) = -9.483; realised -5.720 - 1.225 - 370 = -7.315 (Din Sociale
    # Indgang's § 85 saving 1.200 short and its botilbud saving 50: -1.620 + 1.250 = -370); +2.168.
    nets = {Path(f["proposal"]).stem: f["planned_net"]["2027"] for f in checked["follow_ups"]}
    assert nets == {"din-sociale-indgang": -1620, "forloebsprogram": -5823, "plejefamilier": -2040}
    planned, realised = -9483, -7315
    assert summary[("Socialforvaltningen (3 forslag)", "Planlagt")] == {2027: planned}
    assert summary[("Socialforvaltningen (3 forslag)", "Realiseret")] == {2027: realised}
    assert summary[("Socialforvaltningen (3 forslag)", "Afvigelse")] == {2027: realised - planned}
    assert summary[("I alt", "Planlagt")] == {2027: planned}
    # Goals: met 2 + 3 + 3, partly 1 + 0 + 2, not met 1 + 0 + 1, not yet due 1 + 2 + 1; 17 in all.
    assert summary[("Socialforvaltningen", "goals")] == [8, 3, 2, 4, 17]
    srows = _grid(sheets["Opfølgning"])
    planned_row = next(r for r, c in srows.items() if c.get("A") and c["A"].value == "Socialforvaltningen (3 forslag)")
    formula = srows[planned_row]["C"].formula or ""
    assert formula.count("!") == 3 and "'Opf forloebsprogram'!D" in formula


def test_libreoffice_recalculates_the_follow_up_sheets_to_forslags_figures(
    run: Run, case: Path, tmp_path: Path
) -> None:
    _needs_office()
    data, checked = _export(run, case, tmp_path / "sag.xlsx")
    written = read(data)
    calc = recalculated(data, tmp_path / "office")
    formulas = [(s, ref) for s in FOLLOW_UP_SHEETS for ref, c in written[s].items() if c.formula]
    assert len(formulas) > 150
    for sheet, ref in [(s, ref) for s, cells in written.items() for ref, c in cells.items() if c.formula]:
        want, got = written[sheet][ref].value, calc[sheet][ref].value
        if want in (None, ""):  # a percentage without a plan to measure it by shows blank
            assert got in (None, ""), (sheet, ref)
            continue
        assert got is not None, (sheet, ref)  # calculated: the copy had no cached result
        assert abs(float(got) - float(want)) < 1e-9, (sheet, ref, written[sheet][ref].formula, want, got)
    assert assert_follow_ups_agree(calc, checked) > 150
    assert assert_figures_agree(calc, checked) > 100
    summary = _summary(calc)
    assert summary[("Socialforvaltningen", "goals")] == [8, 3, 2, 4, 17]


def test_without_follow_ups_the_workbook_is_the_same_bytes(run: Run, case: Path, tmp_path: Path) -> None:
    """The follow-up adds sheets and nothing else: the workbook without follow-up files is what export wrote
    before follow-ups existed, and the sheets both have are the same bytes."""
    from forslag.batch.export import export
    from forslag.source.sources import find_sources

    repo = tmp_path / "repo"
    shutil.copytree(case.parent, repo, symlinks=True)
    folder = repo / case.name
    with_them, _ = _export(run, folder, tmp_path / "med.xlsx", "--no-csv")
    for path in folder.glob("*.followup.yaml"):
        path.unlink()
    without, _ = _export(run, folder, tmp_path / "uden.xlsx", "--no-csv")
    # The export as called before follow-ups were added to it (no follow-up argument at all).
    export(find_sources([folder]), tmp_path / "foer.xlsx", None, False, None)
    assert (tmp_path / "foer.xlsx").read_bytes() == without
    assert list(read(without)) == ["Oversigt", "din-sociale-indgang", "forloebsprogram", "plejefamilier", "Tal"]
    with zipfile.ZipFile(io.BytesIO(without)) as z_without, zipfile.ZipFile(io.BytesIO(with_them)) as z_with:
        parts = [n for n in z_without.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(parts) == 5
        for part in parts:
            assert z_without.read(part) == z_with.read(part), part
        assert not any(
            "Opf" in z_without.read(n).decode(errors="replace") for n in z_without.namelist() if n.endswith(".xml")
        )


def test_the_same_follow_ups_give_the_same_workbook_bytes(run: Run, case: Path, tmp_path: Path) -> None:
    first, _ = _export(run, case, tmp_path / "a.xlsx")
    second, _ = _export(run, case, tmp_path / "b.xlsx")
    assert first == second


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        (None, "realised: {2027: -1800}", "row 'p85' 2027: realised -1800 against planned -3000 deviates by 1200"),
        (("revision: vedtaget-2026", "revision: vedtaget-2062"), "revision: vedtaget-2062", "vedtaget-2062"),
    ],
)
def test_a_follow_up_that_fails_its_checks_stops_the_export_at_its_line(
    run: Run, tmp_path: Path, change: tuple[str, str] | None, needle: str, message: str
) -> None:
    folder = make_case_repository(tmp_path / "repo")
    path = folder / UNEXPLAINED
    if change is not None:
        _explain(folder)
        path.write_text(path.read_text().replace(*change, 1))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), start=1) if needle in t)
    out = tmp_path / "out"
    result = run("export", folder, "--out", out)
    assert result.code == 1
    assert f"{path}:{line}:" in result.err and message in result.err, result.err
    assert not out.exists()  # nothing written: neither the workbook nor the CSV


def test_the_summary_adds_up_per_administration_as_adopted(run: Run, tmp_path: Path) -> None:
    """Plejefamilier adopted as Børne- og Ungdomsforvaltningen's (the working copy still says
    Socialforvaltningen): the summary counts it under the adopted version's administration."""
    folder = make_case_repository(tmp_path / "repo")
    _explain(folder)
    repo = folder.parent
    git(repo, "checkout", "-q", "-b", "boerne", "vedtaget-2026")
    edit(
        folder / "plejefamilier.yaml",
        "administration: Socialforvaltningen",
        "administration: Børne- og Ungdomsforvaltningen",
    )
    git(repo, "commit", "-qam", "Plejefamilier adopted as BUF's")
    git(repo, "tag", "vedtaget-buf")
    git(repo, "checkout", "-q", "main")
    edit(folder / "plejefamilier.followup.yaml", "revision: vedtaget-2026", "revision: vedtaget-buf")
    data, checked = _export(run, folder, tmp_path / "sag.xlsx")
    sheets = read(data)
    for calculated in (sheets, recalculated(data, tmp_path / "office") if soffice() else None):
        if calculated is None:
            continue
        summary = _summary(calculated)
        # Socialforvaltningen: Forløbsprogrammet -5.823 and Din Sociale Indgang -1.620 planned = -7.443, realised
        # -5.720 - 370 = -6.090; Børne- og Ungdomsforvaltningen: plejefamilier -2.040 and -1.225. All: -9.483, -7.315.
        assert summary[("Børne- og Ungdomsforvaltningen (1 forslag)", "Planlagt")] == {2027: -2040}
        assert summary[("Børne- og Ungdomsforvaltningen (1 forslag)", "Realiseret")] == {2027: -1225}
        assert summary[("Socialforvaltningen (2 forslag)", "Planlagt")] == {2027: -7443}
        assert summary[("Socialforvaltningen (2 forslag)", "Realiseret")] == {2027: -6090}
        assert summary[("Socialforvaltningen (2 forslag)", "Afvigelse")] == {2027: 1353}
        assert summary[("I alt", "Planlagt")] == {2027: -9483}
        assert summary[("I alt", "Afvigelse")] == {2027: 2168}
        # Goals: Din Sociale Indgang 2 met, 1 partly, 1 not met, 1 not yet due; Forløbsprogrammet 3 met, 2 not yet
        # due; plejefamilier 3 met, 2 partly, 1 not met, 1 not yet due.
        assert summary[("Børne- og Ungdomsforvaltningen", "goals")] == [3, 2, 1, 1, 7]
        assert summary[("Socialforvaltningen", "goals")] == [5, 1, 1, 3, 10]
        assert summary[("I alt", "goals")] == [8, 3, 2, 4, 17]
        assert assert_follow_ups_agree(calculated, checked) > 150
