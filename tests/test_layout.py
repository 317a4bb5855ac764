"""Tables that stay legible on proposals unlike the examples: ten and fifteen year columns, forty rows, long
labels, footnotes, a prose table; read back as PDF text and as WeasyPrint's own boxes, not by eye alone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from forslag.batch.build import build
from forslag.batch.state import BuildOptions
from forslag.document import danish
from forslag.document.compute import compute
from forslag.document.render import Stamp, environment, render_proposal
from forslag.document.tablelayout import LABEL_MIN_MM, WIDTHS_MM, fit_words, table_geometry, text_em
from forslag.source.load import find_sources, load_proposal

from .conftest import DATA, PROPOSALS
from .layoutcheck import (
    Layout,
    Table,
    broken_badly,
    layout,
    line_pages,
    outside_text_block,
    overlaps,
    split_rows,
    stranded_headings,
)
from .pdftext import flat, pages_text

HARD = DATA / "valid" / "hard"
EXAMPLES = ["forloebsprogram", "din-sociale-indgang", "plejefamilier"]
FIFTEEN = "years: [" + ", ".join(str(y) for y in range(2026, 2041)) + "]"


def _build(folder: Path, out: Path) -> Path:
    report = build(find_sources([folder]), BuildOptions(out=out, jobs=1), echo=lambda _: None)
    assert not report.failed, report.failed
    return out


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(HARD, tmp_path_factory.mktemp("hard"))


@pytest.fixture(scope="module")
def fifteen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hard proposal in a case of fifteen years, with a six-digit amount in the last one."""
    folder = tmp_path_factory.mktemp("fifteen-src") / "case"
    shutil.copytree(HARD, folder)
    case = folder / "case.yaml"
    case.write_text(re.sub(r"years: \[[^]]*\]", FIFTEEN, case.read_text()))
    source = folder / "hard.yaml"
    source.write_text(source.read_text().replace("2035: -8200}", "2035: -8200, 2040: -125463}"))
    return _build(folder, tmp_path_factory.mktemp("fifteen"))


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(PROPOSALS, tmp_path_factory.mktemp("examples"))


def _tables(out: Path, name: str) -> tuple[Layout, Table]:
    laid = layout((out / f"{name}.html").read_text())
    return laid, next(t for t in laid.tables if "amounts" in t.classes or "overview" in t.classes)


def _amount_lines(source: Path) -> list[tuple[str, str]]:
    e = compute(load_proposal(source)).economy
    rows = [c.row for c in (*e.permanent, *e.implementation)] + list(e.totals)
    return [(row.label, " ".join(danish.cell(v) for v in row.values if v is not None)) for row in rows]


def test_hard_proposal_reads_back_every_amount_apart(hard: Path) -> None:
    """Bold subtotals once ran together ("-14.3735.463"): every row's amounts read back space-separated."""
    text = flat(hard / "hard.pdf")
    for label, cells in _amount_lines(HARD / "hard.yaml"):
        assert cells in text, f"{label}: {cells}"
    assert "-14.373 -14.373" in text and "13.801 8.034" in text


@pytest.mark.parametrize("name", ["hard", "budget-2027-nordby"])
def test_hard_tables_have_no_overlapping_cells(hard: Path, name: str) -> None:
    laid, table = _tables(hard, name)
    assert table.rows
    assert broken_badly(table) == []
    assert overlaps(table) == []
    assert split_rows(table) == []
    for other in laid.tables:
        assert overlaps(other) == [], other.classes


def test_hard_table_rows_are_never_split(hard: Path) -> None:
    """Every row of Tabel 1 is laid out once: a row broken across pages would come back as two fragments."""
    _, table = _tables(hard, "hard")
    e = compute(load_proposal(HARD / "hard.yaml")).economy
    expected = len(e.permanent) + len(e.implementation) + len(e.totals) + 2 + 2  # block and payback rows
    assert len([r for r in table.rows if not r.header]) == expected
    assert len({r.page for r in table.rows}) > 1  # the test means something: the table does cross a page


def test_fifteen_years_go_landscape_and_stay_legible(fifteen: Path) -> None:
    _, table = _tables(fifteen, "hard")
    assert len(table.rows[0].cells) == 17
    assert overlaps(table) == [] and split_rows(table) == []
    pages = PdfReader(fifteen / "hard.pdf").pages
    wide = [i for i, p in enumerate(pages) if p.mediabox.width > p.mediabox.height]
    texts = pages_text(fifteen / "hard.pdf")
    table_pages = [i for i, t in enumerate(texts) if "1.000 kr. 2027 p/l" in t]
    assert wide and wide == table_pages  # Tabel 1 on landscape pages, everything else upright
    assert "-125.463" in flat(fifteen / "hard.pdf")
    summary = layout((fifteen / "budget-2027-nordby.html").read_text())
    assert all(overlaps(t) == [] for t in summary.tables)
    bound = PdfReader(fifteen / "budget-2027-nordby.pdf").pages
    summary_page = next(i for i, t in enumerate(pages_text(fifteen / "budget-2027-nordby.pdf")) if "I alt" in t)
    assert bound[summary_page].mediabox.width > bound[summary_page].mediabox.height


@pytest.mark.parametrize("years", range(1, 16))
def test_geometry_fits_any_number_of_years(years: int) -> None:
    amounts = [[-99999] * years, [-14373] * years]
    g = table_geometry(amounts, years, [["Overførsler"]])
    width = WIDTHS_MM[g.page]
    year_mm = g.year / 100 * width
    needed_mm = (text_em("-99.999") + 0.6) * g.font_pt * 25.4 / 72
    assert year_mm >= needed_mm
    assert g.label / 100 * width >= LABEL_MIN_MM
    assert g.font_pt >= 7.5
    assert abs(g.label + sum(g.fixed) + years * g.year - 100) < 0.01
    assert (g.page == "portrait") == (years <= 10)


def test_long_words_hyphenate_only_when_wider_than_the_column() -> None:
    assert "\u00ad" not in fit_words("Reduceret behov for eksterne specialskoletilbud", 20)
    assert "\u00ad" in fit_words("Specialundervisningskompetencecentret", 10)
    assert str(fit_words("a < b", 20)) == "a &lt; b"


@pytest.mark.parametrize("name", EXAMPLES)
def test_tabel_1_breaks_well(examples: Path, name: str) -> None:
    """No caption alone, no nearly empty page before the table, notes with the table, rows whole."""
    laid, table = _tables(examples, name)
    body = [r for r in table.rows if not r.header]
    first_page = body[0].page
    assert broken_badly(table) == []
    # Tabel 1 fits on a page in every example: it is kept whole, even at the price of space before it.
    assert {r.page for r in body} == {first_page}
    assert split_rows(table) == [] and overlaps(table) == []
    texts = [" ".join(t.split()) for t in pages_text(examples / f"{name}.pdf")]
    notes_page = next(i for i, t in enumerate(texts) if "Noter til alle tabeller" in t)
    assert "Tilbagebetalingstid baseret på totaløkonomi" in texts[notes_page]
    for other in laid.tables:
        _at_least_two_rows_a_page(other)


def _at_least_two_rows_a_page(table: Table) -> None:
    body = [r for r in table.rows if not r.header]
    if len(body) < 4:
        return
    pages = sorted({r.page for r in body})
    for page in pages:
        assert sum(1 for r in body if r.page == page) >= 2, f"{table.classes}: one row alone on page {page}"


def test_hard_prose_and_other_tables_keep_rows_together(hard: Path) -> None:
    laid = layout((hard / "hard.html").read_text())
    for table in laid.tables:
        _at_least_two_rows_a_page(table)


def test_hard_labels_wrap_between_words(hard: Path) -> None:
    """Automatic hyphenation once cut labels into fragments ("specialskoletil-/bud")."""
    text = "\n".join(pages_text(hard / "hard.pdf")).replace("Styrings\u2010\nområde", "Styringsområde")
    table = text.split("Tabel 1.")[1].split("Noter til alle tabeller")[0]
    assert "specialskoletilbud til børn" in table
    assert not re.search(r"\w\u2010\n", table)


def test_other_municipality_wording(hard: Path) -> None:
    text = flat(hard / "hard.pdf")
    for words in (
        "Fremstillende område",
        "Implementeringsomkostninger (midler fra Nordbys omstillingsfond)",
        "Godkendelse af Økonomi og Analyse",
        "Økonomi og Analyse, Borgmesterens Afdeling",
        "Administrative oplysninger om forslaget",
    ):
        assert words in text
    for copenhagen in ("Center for Økonomi", "Økonomiforvaltningen", "investeringspuljen", "Administrative bilag"):
        assert copenhagen not in text
    index = (hard / "budget-2027-nordby.html").read_text()
    assert "Nordbys omstillingsfond" in index and "investeringspuljen" not in index


def test_examples_keep_copenhagen_wording(examples: Path) -> None:
    text = flat(examples / "forloebsprogram.pdf")
    assert "Center for Økonomi, Økonomiforvaltningen" in text
    assert "Administrative bilag til investeringsforslag" in text
    assert "Implementeringsomkostninger (midler fra investeringspuljen)" in text
    assert "Fremstillende forvaltning" in text


def test_headline_none_keeps_the_heading(hard: Path) -> None:
    html = (hard / "hard.html").read_text()
    assert '<h4 class="runin">Kortere sagsbehandlingstider i Familieafdelingen</h4>' in html
    assert "Kortere sagsbehandlingstider i Familieafdelingen Sagerne behandles hurtigere" in flat(hard / "hard.pdf")


def test_bound_summary_counts_drift_not_anlaeg(hard: Path) -> None:
    e = compute(load_proposal(HARD / "hard.yaml")).economy
    texts = pages_text(hard / "budget-2027-nordby.pdf")
    summary = " ".join(next(t for t in texts if "Økonomien samlet" in t).split())
    assert " ".join(danish.cell(v) for v in e.net.values if v is not None) in summary
    assert danish.cell(e.permanent_total.values[3]) not in summary  # -88.440 holds the one-off Anlæg saving


ROW = "| Fase {i} | 202{i} | Et trin i forløbet, beskrevet i et par ord mere end nødvendigt. |\n"
PROSE_TABLE = "| Fase | Periode | Indhold |\n| --- | --- | --- |\n" + "".join(ROW.format(i=i) for i in range(1, 7))


@pytest.mark.parametrize("filler", range(20, 30))
def test_prose_table_never_leaves_header_and_one_row_at_a_page_foot(minimal: Path, filler: int) -> None:
    """Slide a six-row Markdown table down the page, line by line, across the page break (at 25 filler
    lines the table once left its header and first row at the foot of page 1)."""
    source = minimal / "minimal.yaml"
    paragraphs = "\n".join(f"  Afsnit {i} fylder en linje." + "\n" for i in range(filler))
    text = source.read_text().replace(
        "description: Kort beskrivelse.",
        "description: |\n" + paragraphs + "\n".join("  " + line for line in PROSE_TABLE.strip().splitlines()),
    )
    source.write_text(text)
    env = environment()
    html = render_proposal(env, compute(load_proposal(source)), Stamp("Kilde", "0" * 64, None, False), for_print=False)
    table = next(t for t in layout(html).tables if "prose-table" in t.classes)
    body = [r for r in table.rows if not r.header]
    assert len(body) == 6 and table.rows[0].header
    for page in {r.page for r in body}:
        assert sum(1 for r in body if r.page == page) >= 2, f"one row alone on page {page}"


# 38: the notes' label alone at the foot of page 1.
@pytest.mark.parametrize("filler", [*range(0, 64, 4), 38])
def test_tabel_1_caption_never_left_alone(minimal: Path, filler: int) -> None:
    """Slide Tabel 1 down the page: its caption always shares a page with its header and first rows, and the
    notes' label with the first note."""
    source = minimal / "minimal.yaml"
    paragraphs = "".join(f"\n\n    Afsnit {i} fylder en linje." for i in range(filler))
    source.write_text(
        source.read_text().replace(
            "intro: Investeringen er {{ investment.total }}.", "intro: |-\n    Start." + paragraphs
        )
    )
    env = environment()
    html = render_proposal(env, compute(load_proposal(source)), Stamp("Kilde", "0" * 64, None, False), for_print=False)
    laid = layout(html)
    table = next(t for t in laid.tables if "amounts" in t.classes)
    body = [r for r in table.rows if not r.header]
    assert table.caption_pages[0] == body[0].page == body[2].page and broken_badly(table) == []
    assert split_rows(table) == [] and overlaps(table) == []
    # The notes under it: their label ("Noter til alle tabeller:") once stood alone at a page foot.
    notes = next(e for e in laid.root.iter() if e.get("class") == "table-notes")
    pages = line_pages(laid)
    label, first = list(notes)[:2]
    assert max(pages[label]) == min(pages[first]), f"the notes' label on page {max(pages[label])}, its note overleaf"


def _long_lines(count: int) -> str:
    return "".join(
        f"""    - id: l{i}
      label: Linje {i} med en lang betegnelse, der fylder to eller tre linjer i tabellens første kolonne
      amounts: {{2026: {-100 * i}, 2027: {-1000 - i}, 2028: {-12345 + i}}}
"""
        for i in range(count)
    )


@pytest.mark.parametrize("count", range(14, 30))
def test_tabel_1_rows_never_split_from_their_labels(minimal: Path, count: int) -> None:
    """Grow a tall Tabel 1 of three-line rows row by row, so the page break falls everywhere in it: no row
    leaves its amounts on one page and its label on the next (seen with 14, 21, 25 and 29 rows when the
    economy section's `.line` rule let Tabel 1's `tr.line` break inside)."""
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("  permanent:\n", "  permanent:\n" + _long_lines(count), 1))
    env = environment()
    computed = compute(load_proposal(source))
    html = render_proposal(env, computed, Stamp("Kilde", "0" * 64, None, False), for_print=False)
    table = next(t for t in layout(html).tables if "amounts" in t.classes)
    e = computed.economy
    body = [r for r in table.rows if not r.header]
    assert split_rows(table) == []
    assert len(body) == len(e.permanent) + len(e.implementation) + len(e.totals) + 2 + 2


def test_the_document_fonts_figures_align_without_opentype_features() -> None:
    """style.css asks for no tabular figures (it costs layout time): the shipped faces must have them anyway,
    every digit one width and none of them old-style, or amounts in a column would not line up."""
    from fontTools.ttLib import TTFont

    from forslag.document.fonts import font_paths

    for path in font_paths():
        font = TTFont(path)
        cmap, metrics = font.getBestCmap(), font["hmtx"]
        widths = {metrics[cmap[ord(digit)]][0] for digit in "0123456789"}
        assert len(widths) == 1, (path.name, widths)
        tops = [font["glyf"][cmap[ord(digit)]].yMax for digit in "0123456789"]  # old-style: 0, 1, 2 are short
        assert max(tops) - min(tops) < 0.05 * max(tops), (path.name, tops)


@pytest.fixture(scope="module")
def every_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All the examples (the Copenhagen case, Rødovre, Ishøj with their business cases) and the hard fixture."""
    out = tmp_path_factory.mktemp("every")
    sources = find_sources([PROPOSALS, PROPOSALS / "roedovre", PROPOSALS / "ishoej"])
    report = build(sources, BuildOptions(out=out, jobs=1), echo=lambda _: None)
    assert not report.failed, report.failed
    _build(HARD, out / "hard")
    _build(DATA / "notat", out / "notat")  # a business case judged not suitable: the committee notat
    return out


def test_every_table_of_every_document_stays_in_the_text_block_and_breaks_well(every_example: Path) -> None:
    """Every table the templates print (Tabel 1-6, the business case's, the bound summary), every rule and cell
    of it, and every other box inside the text block; every table whole or in captioned parts."""
    pages = sorted(every_example.glob("**/*.html"))
    assert len(pages) >= 10 and any(p.name.endswith("-notat.html") for p in pages)
    seen: set[str] = set()
    for page in pages:
        laid = layout(page.read_text())
        assert outside_text_block(laid) == [], page.name
        assert stranded_headings(laid) == [], page.name
        for table in laid.tables:
            seen.update(table.classes.split())
            assert broken_badly(table) == [], page.name
            assert overlaps(table) == [], (page.name, table.classes)
    # The test reads every kind of table, not only Tabel 1.
    assert {"amounts", "goals", "approval", "partners", "hearings", "bc-assumptions", "bc-results"} <= seen


@pytest.mark.parametrize("filler", range(0, 48, 3))
def test_no_heading_stranded_at_a_page_foot(minimal: Path, filler: int) -> None:
    """Slide the sections down the page: no heading stays at a page's foot with less than two lines under it
    (the risk section's one-line level once did), and a line with no text is not a heading."""
    source = minimal / "minimal.yaml"
    paragraphs = "".join(f"\n\n    Afsnit {i} fylder en linje." for i in range(filler))
    text = source.read_text().replace("description: Kort beskrivelse.", "description: |-\n    Start." + paragraphs)
    text = text.replace(
        "risk: {level: lav, text: Lav risiko.}",
        "risk:\n  level: mellem\n  text: |-\n    " + " ".join(["Risikoen er beskrevet her."] * 30),
    )
    source.write_text(text)
    html = render_proposal(
        environment(), compute(load_proposal(source)), Stamp("Kilde", "0" * 64, None, False), for_print=False
    )
    laid = layout(html)
    assert stranded_headings(laid) == []
    assert '<h4 class="runin">Opstart' not in html  # the line has no text: a bold paragraph, not a heading
