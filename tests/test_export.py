"""`forslag export`: the finance centre's workbook and CSV, checked as a finance officer would check them.

The workbook is read from its XML (tests/xlsxcheck.py) and, where LibreOffice is installed, recalculated by
LibreOffice from a copy without cached results: every total must come out as `check --json` says.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from .axe import in_ci
from .conftest import PROPOSALS, Run
from .xlsxcheck import XCell, number, read, recalculated, shown, soffice

Sheets = dict[str, dict[str, XCell]]


def _grid(cells: dict[str, XCell]) -> dict[int, dict[str, XCell]]:
    rows: dict[int, dict[str, XCell]] = defaultdict(dict)
    for ref, cell in cells.items():
        match = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
        assert match
        rows[int(match[2])][match[1]] = cell
    return rows


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _year_row(rows: dict[int, dict[str, XCell]], label: str, first_col: int, years: list[int]) -> list[int | None]:
    [row] = [r for r, cells in rows.items() if cells.get("A") and cells["A"].value == label]
    return [number(rows[row].get(_col(first_col + i))) for i in range(len(years))]


def _export(run: Run, tmp_path: Path, *args: str | Path) -> tuple[bytes, dict[str, Any]]:
    book = tmp_path / "sagen.xlsx"
    result = run("export", *args, "--workbook", book)
    assert result.code == 0, result.err
    checked = json.loads(run("check", "--json", *args).out)
    return book.read_bytes(), checked


def _zero(values: list[int | None]) -> list[int]:
    return [v or 0 for v in values]


def assert_figures_agree(sheets: Sheets, checked: dict[str, Any]) -> int:
    """Every total of every proposal's Tabel 1, the summary's rows and the pool's lines as `check --json`
    has them; the number of figures compared."""
    compared = 0
    proposals = checked["proposals"]
    years = proposals[0]["years"]
    for p in proposals:
        rows = _grid(sheets[Path(p["source"]).stem])
        for label, values in p["totals"].items():
            # A year Tabel 1 leaves blank is still a formula in the sheet: its sum is 0.
            assert _zero(_year_row(rows, label, 2, years)) == _zero(list(values.values())), (p["source"], label)
            compared += len(years)
    summary = _grid(sheets["Oversigt"])
    n = len(years)
    impl_total = "Samlede implementeringsomkostninger"
    sums = {"impl": [0] * n, "net": [0] * n}
    for p in proposals:
        impl = _zero(list(p["totals"][impl_total].values())) if impl_total in p["totals"] else [0] * n
        net = [
            sum(
                r["values"][str(y)] or 0 for r in p["rows"] if r["block"] == "varig" and r["styringsomraade"] != "Anlæg"
            )
            for y in years
        ]
        assert _zero(_year_row(summary, p["title"], 5, years)) == impl, p["title"]
        assert _zero(_year_row(summary, p["title"], 5 + n, years)) == net, p["title"]
        sums["impl"] = [a + b for a, b in zip(sums["impl"], impl, strict=True)]
        sums["net"] = [a + b for a, b in zip(sums["net"], net, strict=True)]
        compared += 2 * n
    assert _zero(_year_row(summary, "I alt", 5, years)) == sums["impl"]
    assert _zero(_year_row(summary, "I alt", 5 + n, years)) == sums["net"]
    for area, block, label in (
        ("Service", "varig", "Service, varige ændringer"),
        ("Service", "implementering", "Service, implementering"),
    ):
        chosen = [r for p in proposals for r in p["rows"] if (r["styringsomraade"], r["block"]) == (area, block)]
        expected = [sum(r["values"][str(y)] or 0 for r in chosen) for y in years]
        assert _zero(_year_row(summary, label, 5, years)) == expected
    [case] = checked["cases"]
    if any(v is not None for v in case["pool"]["budget"]):
        assert _year_row(summary, "Puljens budget", 5, years) == case["pool"]["budget"]
        assert _zero(_year_row(summary, "Søgt af godkendte forslag", 5, years)) == case["pool"]["approved"]
        assert _year_row(summary, "Tilbage efter godkendte forslag", 5, years) == case["pool"]["left"]
    return compared + 4 * n


def test_the_workbook_has_tabel_1_with_formula_totals_and_forslags_figures(run: Run, tmp_path: Path) -> None:
    data, checked = _export(run, tmp_path, PROPOSALS)
    sheets = read(data)
    assert list(sheets) == ["Oversigt", "din-sociale-indgang", "forloebsprogram", "plejefamilier", "Tal"]
    rows = _grid(sheets["forloebsprogram"])
    [total] = [r for r, c in rows.items() if c.get("A") and c["A"].value == "Samlet varig ændring"]
    [net] = [r for r, c in rows.items() if c.get("A") and c["A"].value == "Heraf nettoeffektivisering"]
    # A finance officer clicking a total sees what it sums.
    assert re.fullmatch(r"SUM\(D\d+:D\d+\)", rows[total]["D"].formula or "")
    assert (
        rows[net]["D"].formula and "SUMIF($B$" in rows[net]["D"].formula and '"Overførsler"' in rows[net]["D"].formula
    )
    summary = _grid(sheets["Oversigt"])
    [first] = [r for r, c in summary.items() if c.get("A") and c["A"].value.startswith("Forløbsprogram")]
    assert summary[first]["F"].formula and summary[first]["F"].formula.startswith("forloebsprogram!")
    # The cached results (what a reader shows before it recalculates) are forslag's figures.
    assert assert_figures_agree(sheets, checked) > 100
    # The rendered footnote, never its placeholders.
    notes = [c["A"].value or "" for c in rows.values() if c.get("A") and (c["A"].value or "").startswith("*")]
    assert notes and "{{" not in notes[0] and "180" in notes[0]


def _needs_office() -> None:
    """LibreOffice recalculates the workbook: skipped on a machine without it, a failure in CI (which installs
    it through .ci/system-deps)."""
    if soffice() is None:
        if in_ci():
            pytest.fail("LibreOffice (soffice) is missing in CI: .ci/system-deps installs libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed (Debian: apt-get install libreoffice-calc)")


def test_libreoffice_recalculates_the_examples_workbook_to_forslags_figures(run: Run, tmp_path: Path) -> None:
    _needs_office()
    data, checked = _export(run, tmp_path, PROPOSALS)
    written = read(data)
    calc = recalculated(data, tmp_path / "office")
    formulas = [(s, ref) for s, cells in written.items() for ref, c in cells.items() if c.formula]
    assert len(formulas) > 150
    for sheet, ref in formulas:
        if written[sheet][ref].value in (None, ""):  # a formula that shows blank (no budget that year)
            assert calc[sheet][ref].value in (None, ""), (sheet, ref)
            continue
        assert calc[sheet][ref].value is not None, (sheet, ref)  # calculated: the copy had no cached result
        assert calc[sheet][ref].value == written[sheet][ref].value or (
            float(calc[sheet][ref].value or 0) == float(written[sheet][ref].value or 0)
        ), (sheet, ref, written[sheet][ref].formula)
    assert assert_figures_agree(calc, checked) > 100


def test_a_danish_spreadsheet_shows_danish_thousands(run: Run, tmp_path: Path) -> None:
    _needs_office()
    data, _ = _export(run, tmp_path, PROPOSALS)
    text = shown(data, tmp_path / "office", "da_DK.UTF-8")
    # Forløbsprogrammet: implementation 20.970 in all, 11.160 in 2027; the case: 40.890 (the number format
    # #,##0 in the file, shown with the Danish thousands point).
    row = next(line for line in text.splitlines() if line.startswith('"Forløbsprogram'))
    assert ";20.970;2.725;11.160;5.770;1.315;" in row
    assert ";40.890;" in next(line for line in text.splitlines() if line.startswith('"I alt"'))


def test_the_same_sources_give_the_same_workbook_bytes(run: Run, tmp_path: Path, examples: Path) -> None:
    first, _ = _export(run, tmp_path, examples)
    (tmp_path / "again").mkdir()
    (examples / "forloebsprogram.yaml").touch()
    second = tmp_path / "again" / "b.xlsx"
    assert run("export", examples, "--workbook", second, "--no-csv").code == 0
    assert second.read_bytes() == first
    assert not (tmp_path / "again" / "b.csv").exists()


def test_the_workbook_names_the_case_price_level_and_version(run: Run, tmp_path: Path) -> None:
    import zipfile

    data, _ = _export(run, tmp_path, PROPOSALS)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
    assert "<dc:title>Overførselssagen 2025-2026: Investeringsforslag</dc:title>" in core
    assert "2026-02-20T00:00:00Z" in core  # the case's date, not the clock
    assert "2027 p/l" in custom and "Kilde: case.yaml, sha256" in custom
    sheets = read(data)
    for name in ("Oversigt", "forloebsprogram"):
        texts = [c.value or "" for c in sheets[name].values()]
        assert any("Overførselssagen 2025-2026" in t for t in texts)
        assert any("2027 p/l" in t and "sha256" in t for t in texts)


def test_the_long_table_csv_adds_up_to_the_cases_totals(run: Run, tmp_path: Path) -> None:
    _export(run, tmp_path, PROPOSALS)
    raw = (tmp_path / "sagen.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Danish Excel reads æ, ø, å right
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0].keys() >= {"Forslag", "Række", "Styringsområde", "Blok", "År", "Beløb (1.000 kr.)"}
    assert any("ø" in r["Titel"] for r in rows)
    checked = json.loads(run("check", "--json", PROPOSALS).out)
    sums: dict[tuple[str, str, int], int] = defaultdict(int)
    for r in rows:
        sums[(r["Forslag"], r["Blok"], int(r["År"]))] += int(r["Beløb (1.000 kr.)"])
    compared = 0
    for p in checked["proposals"]:
        name = Path(p["source"]).stem
        for block, label in (
            ("varig", "Samlet varig ændring"),
            ("implementering", "Samlede implementeringsomkostninger"),
        ):
            for year, value in p["totals"].get(label, {}).items():
                assert sums.get((name, block, int(year)), 0) == (value or 0), (name, label, year)
                compared += 1
    assert compared > 30


def test_a_pool_the_approved_proposals_exceed_is_warned_of_at_its_line(
    run: Run, tmp_path: Path, examples: Path
) -> None:
    case = examples / "case.yaml"
    text = case.read_text().replace("2027: 25000", "2027: 20000")
    case.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("pool_budget:"))
    result = run("check", examples)
    assert result.code == 0
    column = text.splitlines()[line - 1].index("2027") + 1
    assert (
        f"warning: {case}:{line}:{column}: the approved proposals ask the pool for 20920 (1.000 kr.) in 2027, "
        "920 more than its budget of 20000" in result.out
    )
    assert "pool: Overførselssagen 2025-2026 2027: budget 20000, asked 20920, approved 20920, left -920" in result.out
    book = tmp_path / "pulje.xlsx"
    exported = run("export", examples, "--workbook", book)
    assert exported.code == 0 and "920 more than its budget" in exported.out
    summary = _grid(read(book.read_bytes())["Oversigt"])
    assert _year_row(summary, "Tilbage efter godkendte forslag", 5, list(range(2026, 2032)))[:4] == [
        4115,
        -920,
        3230,
        2685,
    ]
    assert any(
        "søger mere end puljens budget i 2027" in (c.value or "") for c in read(book.read_bytes())["Oversigt"].values()
    )
    # The bound case's summary says so too.
    assert run("build", examples, "--format", "html", "--out", tmp_path / "out").code == 0
    front = (tmp_path / "out" / "overfoerselssagen-2025-2026.html").read_text()
    assert "De godkendte forslag søger mere end puljens budget i 2027." in front
    assert '<td class="num">-920</td>' in front


def test_a_state_decides_what_the_pool_counts_as_approved(run: Run, examples: Path) -> None:
    source = examples / "forloebsprogram.yaml"
    source.write_text(
        source.read_text().replace(
            "finance_approval: {approved: true, date: 2026-01-23}", "finance_approval: {state: indsendt}"
        )
    )
    checked = json.loads(run("check", "--json", examples).out)
    states = {Path(p["source"]).stem: p["state"] for p in checked["proposals"]}
    assert states == {"din-sociale-indgang": "godkendt", "forloebsprogram": "indsendt", "plejefamilier": "godkendt"}
    [case] = checked["cases"]
    assert case["pool"]["asked"][:2] == [10885, 20920]
    assert case["pool"]["approved"][:2] == [10885 - 2725, 20920 - 11160]


def test_export_with_a_state_holds_only_those_proposals(run: Run, tmp_path: Path, examples: Path) -> None:
    source = examples / "plejefamilier.yaml"
    source.write_text(source.read_text().replace("{approved: true, date: 2026-01-12}", "{state: afvist}"))
    result = run("export", examples, "--state", "godkendt", "--out", tmp_path / "ud")
    assert result.code == 0, result.err
    book = tmp_path / "ud" / "overfoerselssagen-2025-2026-godkendt.xlsx"
    sheets = read(book.read_bytes())
    assert "plejefamilier" not in sheets and "forloebsprogram" in sheets
    rows = list(csv.DictReader(io.StringIO(book.with_suffix(".csv").read_text("utf-8-sig"), newline=""), delimiter=";"))
    assert {r["Tilstand"] for r in rows} == {"godkendt"}


def test_build_with_a_state_binds_only_the_proposals_in_it(run: Run, tmp_path: Path, examples: Path) -> None:
    source = examples / "plejefamilier.yaml"
    source.write_text(source.read_text().replace("{approved: true, date: 2026-01-12}", "{state: udkast}"))
    out = tmp_path / "out"
    result = run("build", examples, "--state", "godkendt", "--format", "html", "--out", out)
    assert result.code == 0, result.out + result.err
    assert not (out / "plejefamilier.html").exists()
    front = (out / "overfoerselssagen-2025-2026-godkendt.html").read_text()
    assert "Bedre vilkår for plejefamilier" not in front
    assert "Forløbsprogram for unge på midlertidigt botilbud" in front
    assert "Sagen er samlet af forslag med tilstanden »godkendt«." in front
    assert "Puljens budget" in front and "Tilbage efter godkendte forslag" in front
    assert "godkendt 23. januar 2026" in front


# --- bad input ------------------------------------------------------------------------------------------------


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), start=1) if needle in t)


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        ("{2026: 15000000000}", "amounts are in 1.000 kr.: if you typed kroner, write 15000000"),
        ("{2026: 30 mio}", "write 30000"),
        ("{2026: 1.500}", "write 1500"),
        ("{2026: 15000, 2040: 100}", "the year 2040 is not one of the case's years 2026-2031"),
        ("{2026: -100}", "cannot be negative"),
        ("40000", "expected a mapping of year: amount"),
    ],
)
def test_a_bad_pool_budget_is_an_error_at_its_line(
    run: Run, tmp_path: Path, examples: Path, pool: str, message: str
) -> None:
    case = examples / "case.yaml"
    case.write_text(re.sub(r"pool_budget: .*", f"pool_budget: {pool}", case.read_text()))
    line = _line_of(case, "pool_budget:")
    result = run("check", examples)
    assert result.code == 1
    assert re.search(rf"error: {re.escape(str(case))}:{line}:\d+: .*{re.escape(message)}", result.out), result.out
    book = tmp_path / "x.xlsx"
    exported = run("export", examples, "--workbook", book)
    assert exported.code == 1 and f"{case}:{line}:" in exported.err
    assert not book.exists() and not book.with_suffix(".csv").exists()


@pytest.mark.parametrize(
    ("approval", "message"),
    [
        (
            "{state: godkendte, date: 2026-01-23}",
            "expected one of: udkast, indsendt, godkendt, afvist, got 'godkendte'",
        ),
        ("{approved: true, state: afvist}", "approved: true disagrees with state: afvist"),
        ("{state: godkendt}", "state: godkendt needs the date of the approval"),
        ("{date: 2026-01-23}", "give the state (udkast, indsendt, godkendt or afvist) or approved: true/false"),
    ],
)
def test_a_bad_state_is_an_error_at_its_line(run: Run, examples: Path, approval: str, message: str) -> None:
    source = examples / "forloebsprogram.yaml"
    source.write_text(source.read_text().replace("{approved: true, date: 2026-01-23}", approval))
    line = _line_of(source, "finance_approval:")
    result = run("check", source)
    assert result.code == 1
    assert re.search(rf"error: {re.escape(str(source))}:{line}:\d+: .*{re.escape(message)}", result.out), result.out


def test_an_unknown_state_on_the_command_line_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    for command in ("export", "build"):
        result = run(command, PROPOSALS, "--state", "vedtaget", "--out", tmp_path)
        assert result.code == 2
        assert "--state takes one of udkast, indsendt, godkendt, afvist; got 'vedtaget'" in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_workbook_path_that_is_a_folder_writes_nothing(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "sagen.xlsx"
    folder.mkdir()
    result = run("export", PROPOSALS, "--workbook", folder)
    assert result.code == 1
    assert f"error: cannot write {folder}: is a folder; a folder stands where the file should go" in result.err
    assert list(tmp_path.iterdir()) == [folder] and list(folder.iterdir()) == []
    csv_folder = tmp_path / "tal.csv"
    csv_folder.mkdir()
    result = run("export", PROPOSALS, "--workbook", tmp_path / "ok.xlsx", "--csv", csv_folder)
    assert result.code == 1 and "is a folder" in result.err
    assert not (tmp_path / "ok.xlsx").exists()
    assert run("export", PROPOSALS, "--workbook", tmp_path / "sagen.pdf").code == 2


def test_a_workbook_holds_one_case(run: Run, tmp_path: Path) -> None:
    result = run("export", PROPOSALS / "roedovre", PROPOSALS / "ishoej", "--out", tmp_path)
    assert result.code == 2 and "a workbook holds one case" in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_business_case_has_its_yearly_table_and_results(run: Run, tmp_path: Path) -> None:
    data, checked = _export(run, tmp_path, PROPOSALS / "roedovre")
    sheets = read(data)
    bc = _grid(sheets["BC invester-foer-det-sker"])
    scenario = checked["proposals"][0]["business_case"]["scenarios"][0]
    [head] = [r for r, c in bc.items() if c.get("A") and c["A"].value == f"Scenarie: {scenario['name']}"]
    columns = {c.value: col for col, c in bc[head + 1].items()}
    net = [number(bc[head + 2 + t][columns["Netto"]]) for t in range(len(scenario["years"]))]
    assert net == scenario["net"]
    balance = [number(bc[head + 2 + t][columns["Akkumuleret saldo"]]) for t in range(len(scenario["years"]))]
    assert balance == scenario["balance"]
    npv = min(
        r for r, c in bc.items() if r > head and c.get("A") and (c["A"].value or "").startswith("Nutidsværdi i alt")
    )
    assert number(bc[npv]["B"]) == scenario["npv"]


def test_the_summary_copes_with_odd_names(run: Run, tmp_path: Path, examples: Path) -> None:
    """An administration with quotes and a wildcard, and a proposal whose file takes the long table's name."""
    source = examples / "plejefamilier.yaml"
    odd = '"Børne" * Unge'
    source.write_text(source.read_text().replace("administration: Socialforvaltningen", f"administration: '{odd}'"))
    source.rename(examples / "tal.yaml")
    data, checked = _export(run, tmp_path, examples)
    sheets = read(data)
    assert list(sheets) == ["Oversigt", "din-sociale-indgang", "forloebsprogram", "tal", "Tal (2)"]
    assert assert_figures_agree(sheets, checked) > 100
    [p] = [p for p in checked["proposals"] if p["administration"] == odd]
    expected = _zero(list(p["totals"]["Samlede implementeringsomkostninger"].values()))
    assert _zero(_year_row(_grid(sheets["Oversigt"]), odd, 5, p["years"])) == expected
    if soffice() is not None:
        calc = recalculated(data, tmp_path / "office")
        assert _zero(_year_row(_grid(calc["Oversigt"]), odd, 5, p["years"])) == expected
        assert assert_figures_agree(calc, checked) > 100


def test_a_state_change_is_an_ordinary_edit_that_diff_shows(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_history import edit, git

    repo = tmp_path / "sag"
    repo.mkdir()
    for name in ("case.yaml", "forloebsprogram.yaml"):
        shutil.copy(PROPOSALS / name, repo / name)
    source = repo / "forloebsprogram.yaml"
    edit(source, "{approved: true, date: 2026-01-23}", "{state: indsendt}")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "indsendt")
    edit(source, "{state: indsendt}", "{state: godkendt, date: 2026-02-02}")
    monkeypatch.chdir(repo)
    result = run("diff", "--words")
    assert result.code == 0  # no economic change: the money is the same
    assert "metadata changed: finance_approval, state" in result.out
    assert "state: [-indsendt-]{+godkendt+}" in result.out


def test_a_cost_assessment_gets_its_cost_tables_not_a_verdict(run: Run, tmp_path: Path) -> None:
    """A case with costs and no gains exported: its costs by type, present values and cost per participant, as
    `check --json` has them (Ishøj's cost side: 13.603.050 kr. in present value, 87.762 kr. a child)."""
    case = PROPOSALS.parent / "tests" / "data" / "cost-assessment"
    data, checked = _export(run, tmp_path, case)
    [proposal] = checked["proposals"]
    base = proposal["business_case"]["cost_assessment"]["scenarios"][0]
    sheet = read(data)["BC ishoej-omkostninger"]
    rows = _grid(sheet)
    texts = [c.value for c in sheet.values() if isinstance(c.value, str)]
    assert any(t.startswith("Omkostningsvurdering:") for t in texts)
    assert not any("Egnethed" in t for t in texts)  # a price, not an investment case: no verdict
    [total_row] = [r for r, cells in rows.items() if cells.get("A") and cells["A"].value == "I alt"][:1]
    numbers = [number(c) for col, c in rows[total_row].items() if col != "A" and number(c) is not None]
    assert base["total"] in numbers and base["pv"] in numbers and base["per_participant"] in numbers
    assert base["pv"] == 13_603_050 and base["per_participant"] == 87_762
