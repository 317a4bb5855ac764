"""The documents a committee reads: PDF text, metadata, fonts and HTML structure of the built examples."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from forslag.batch.build import build
from forslag.batch.state import BuildOptions
from forslag.document import danish
from forslag.document.compute import compute
from forslag.source.load import find_sources, load_proposal

from .conftest import DATA, PROPOSALS, Run
from .pdftext import flat as flat_text
from .pdftext import fonts, pages_text, text

EXAMPLES = ["forloebsprogram", "din-sociale-indgang", "plejefamilier"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("output")
    report = build(find_sources([PROPOSALS]), BuildOptions(out=out, jobs=1), echo=lambda _: None)
    assert not report.failed
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_holds_every_amount_total_and_payback(built: Path, name: str) -> None:
    pdf = text(built / f"{name}.pdf")
    flat = flat_text(built / f"{name}.pdf")
    e = compute(load_proposal(PROPOSALS / f"{name}.yaml")).economy
    rows = [c.row for c in (*e.permanent, *e.implementation)] + list(e.totals)
    for row in rows:
        cells = " ".join(danish.cell(v) for v in row.values if v is not None)
        assert cells in flat, f"{row.label}: {cells}"
    assert "Samlet økonomisk påvirkning" in flat
    assert f"Tilbagebetalingstid baseret på totaløkonomi {e.payback_total.years} år" in flat
    assert "1.000 kr. 2027 p/l" in flat
    assert not re.search(r"\b(None|nan|NaN|inf|True|False|Decimal|null)\b|\b0\.0\b|\{\{|\}\}", pdf)


def test_pdf_numbers_and_dates_are_danish(built: Path) -> None:
    flat = flat_text(built / "forloebsprogram.pdf")
    assert "-25.120" in flat and "12.870" not in flat.replace("-12.870", "")  # the sign is kept
    assert "-11.960" in flat  # the corrected total impact of 2031 (the reference prints -10.140)
    assert "23. januar 2026" in flat and "12. december 2025" in flat
    assert "12,0 mio. kr." in flat  # net effectivisation at full phase-in, computed from the table
    assert "21,0 mio. kr." in flat  # the investment total (the reference's prose says 21,1)
    assert "Projektledelse: 4,5 mio. kr. i alt" in flat
    assert "Forslaget udspringer af et innovationsforslag: Ja Nej" in flat  # the boxes are images with alt text


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_page_has_header_and_n_of_n(built: Path, name: str) -> None:
    pages = pages_text(built / f"{name}.pdf")
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert "Overførselssagen 2025-2026" in page
        assert "Investeringsforslag" in page
        assert f"{number}/{total}" in page


def test_tables_are_numbered_in_order(built: Path) -> None:
    flat = flat_text(built / "plejefamilier.pdf")
    captions = re.findall(r"Tabel (\d)\. ", flat)
    assert captions == ["1", "2", "3", "4", "5"]
    assert "Figur 1: Initiativerne" in flat


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdf_metadata(built: Path, name: str) -> None:
    reader = PdfReader(built / f"{name}.pdf")
    p = load_proposal(PROPOSALS / f"{name}.yaml").proposal
    meta = reader.metadata
    assert meta is not None
    assert meta.title == p.title
    assert meta.author == "Socialforvaltningen"
    assert meta.subject == "Overførselssagen 2025-2026"
    assert p.date is not None
    assert meta["/CreationDate"].startswith(f"D:{p.date:%Y%m%d}")
    assert reader.trailer["/Root"]["/Lang"] == "da"


@pytest.mark.parametrize("name", [*EXAMPLES, "overfoerselssagen-2025-2026"])
def test_every_font_is_embedded(built: Path, name: str) -> None:
    used = fonts(built / f"{name}.pdf")
    assert any("Source-Sans-Pro" in f for f in used)
    assert all(used.values()), used


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_html_is_semantic_and_self_contained(built: Path, name: str) -> None:
    html = (built / f"{name}.html").read_text()
    parser = _Structure()
    parser.feed(html)
    tags = parser.tags
    assert ("html", {"lang": "da"}) in tags
    names = [t for t, _ in tags]
    layout_tables = [a for t, a in tags if t == "table" and a.get("class") != "prose-table"]
    assert len(layout_tables) == names.count("caption") == 5
    assert names.count("thead") >= 5
    assert any(t == "th" and a.get("scope") == "row" for t, a in tags)
    assert any(t == "th" and a.get("scope") == "col" for t, a in tags)
    assert names.count("h1") == 1
    for _, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "file:", "/")), value
    assert 'url("assets/SourceSansPro-Regular.ttf")' in html
    assert (built / "assets" / "SourceSansPro-Regular.ttf").is_file()
    assert "<script" not in html


def test_prose_figure_is_embedded_with_alt_text(built: Path) -> None:
    html = (built / "plejefamilier.html").read_text()
    assert re.search(r'<figure><img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Fire faser', html)
    assert "<figcaption>Figur 1: Initiativerne" in html


@pytest.mark.parametrize(
    "fixture", ["raw-html-script", "image-http", "image-file-url", "image-outside", "unknown-placeholder"]
)
def test_unsafe_prose_builds_nothing(run: Run, tmp_path: Path, fixture: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DATA / "invalid" / "case.yaml", src / "case.yaml")
    shutil.copy(DATA / "invalid" / f"{fixture}.yaml", src / f"{fixture}.yaml")
    out = tmp_path / "out"
    result = run("build", src, "--out", out, "--jobs", "1")
    assert result.code == 1
    assert f"{src / fixture}.yaml:" in result.out
    assert not list(out.glob("*.pdf")) and not list(out.glob("*.html"))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_template_override_replaces_one_partial(run: Run, minimal: Path, tmp_path: Path) -> None:
    override = tmp_path / "layout" / "partials"
    override.mkdir(parents=True)
    (override / "head.html.j2").write_text(
        '<header class="proposal-head"><p class="crest">Testkommunens våben</p><h1>{{ p.title }}</h1></header>\n'
    )
    out = tmp_path / "out"
    result = run("build", minimal, "--out", out, "--templates", tmp_path / "layout", "--format", "html")
    assert result.code == 0, result.out + result.err
    html = (out / "minimal.html").read_text()
    assert "Testkommunens våben" in html
    assert "Tabel 1. Forslagets samlede økonomiske konsekvenser" in html  # the rest is the default layout


def test_template_with_an_unknown_name_fails_clearly(run: Run, minimal: Path, tmp_path: Path) -> None:
    override = tmp_path / "layout" / "partials"
    override.mkdir(parents=True)
    (override / "risk.html.j2").write_text("<p>{{ p.risiko }}</p>\n")
    out = tmp_path / "out"
    result = run("build", minimal, "--out", out, "--templates", tmp_path / "layout", "--format", "html")
    assert result.code == 1
    assert "risk.html.j2" in result.out and "risiko" in result.out
    assert "Traceback" not in result.out + result.err
    assert not (out / "minimal.html").exists()


def test_compiled_templates_follow_an_edit_and_keep_their_line_numbers(run: Run, minimal: Path, tmp_path: Path) -> None:
    """Templates are compiled once per machine (render.py): a later build, in new processes, must still see an
    edited template and still name the template's line in an error."""
    override = tmp_path / "layout" / "partials"
    override.mkdir(parents=True)
    risk = override / "risk.html.j2"
    out = tmp_path / "out"
    args = ("build", minimal, "--out", out, "--templates", tmp_path / "layout", "--format", "html", "--force")
    for _ in range(2):  # the second build loads what the first compiled
        risk.write_text("<p>Risiko</p>\n<p>{{ p.risiko }}</p>\n")
        result = run(*args)
        assert result.code == 1
        assert "risk.html.j2:2: " in result.out and "risiko" in result.out, result.out
    for wording in ("Første udgave af risikoafsnittet", "Anden udgave af risikoafsnittet"):
        risk.write_text(f"<p>{wording}</p>\n")
        result = run(*args)
        assert result.code == 0, result.out + result.err
        assert wording in (out / "minimal.html").read_text()


def test_placeholder_ending_a_sentence_prints_one_full_stop(minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(
        source.read_text().replace(
            "summary: Forslaget sparer {{ net.full | abs }} ved fuld indfasning.",
            "summary: Forslaget sparer {{ net.full | abs }}. Fra {{ net.full_year }}. Ialt {{ net.total | tkr }}.",
        )
    )
    html = compute(load_proposal(source)).prose["summary"]
    assert "kr.." not in html
    assert "Forslaget sparer 0,7 mio. kr. Fra 2028. Ialt -858 t. kr.</p>" in html.replace("\u00a0", " ")


def test_the_notes_label_stands_only_over_notes() -> None:
    """A case without notes prints no "Noter til alle tabeller:" under Tabel 1 (it stood over nothing); a case
    with notes prints it once, before them."""
    from forslag.document.render import Stamp, environment, render_proposal

    stamp = Stamp("Kilde", "0" * 64, None, False)
    bare = load_proposal(DATA / "cost-assessment" / "ishoej-omkostninger.yaml")
    assert not bare.case.case.notes
    assert "Noter til alle tabeller" not in render_proposal(environment(), compute(bare), stamp, for_print=False)
    html = render_proposal(
        environment(), compute(load_proposal(PROPOSALS / "plejefamilier.yaml")), stamp, for_print=False
    )
    assert html.count("Noter til alle tabeller:") == 1
    assert html.index("Noter til alle tabeller:") < html.index("Effektiviseringer står med negativt fortegn")


@pytest.mark.parametrize("folder", [PROPOSALS / "roedovre", PROPOSALS / "ishoej", DATA / "cost-assessment"])
def test_another_municipalitys_example_names_its_own_finance_staff(folder: Path) -> None:
    """Rødovre's and Ishøj's examples once printed Copenhagen's "Center for Økonomi, Økonomiforvaltningen" in
    their approval table: their case.yaml left the wording out and took Copenhagen's defaults."""
    from forslag.document.render import Stamp, environment, render_proposal

    for source in find_sources([folder]):
        loaded = load_proposal(source)
        assert loaded.case.case.municipality != "Københavns Kommune"
        html = render_proposal(environment(), compute(loaded), Stamp("Kilde", "0" * 64, None, False), for_print=False)
        assert "Godkendelse af" in html
        for copenhagen in ("Center for Økonomi", "Økonomiforvaltningen", "København"):
            assert copenhagen not in html, (source.name, copenhagen)
