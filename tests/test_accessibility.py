"""Publication grade: every PDF tagged PDF/UA-1 + PDF/A-2a (the bound case too), every HTML page clean in axe-core."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from tests import axe
from tests.conftest import PROPOSALS, Run
from tests.pdfcheck import check
from tests.test_annex import case_repo  # noqa: F401  (the fixture: a scaffolded case with a changed proposal)

CASE_PDF = "overfoerselssagen-2025-2026.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from forslag.batch.build import build
    from forslag.batch.state import BuildOptions
    from forslag.source.load import find_sources

    out = tmp_path_factory.mktemp("a11y")
    # Every example: the three proposals of one case, and the business cases (annex, charts) of two more.
    sources = find_sources([PROPOSALS, PROPOSALS / "roedovre", PROPOSALS / "ishoej"])
    report = build(sources, BuildOptions(out=out, jobs=2), echo=lambda _: None)
    assert not report.failed
    return out


def _pdfs(out: Path) -> list[Path]:
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) >= 8  # five proposals and three bound cases
    return pdfs


def _bound(pdf: Path) -> bool:
    """A bound case: its first page is the cover, without running header or page number."""
    with pikepdf.open(pdf) as document:
        return len(document.Root.StructTreeRoot.K[0].K) > 1  # a Part per bound document


def test_every_pdf_is_tagged_and_archival(built: Path) -> None:
    for pdf in _pdfs(built):
        report = check(pdf)
        assert report.problems == [], pdf.name
        assert report.headers > 0 and {"H1", "H2", "P", "Table", "TH", "TD", "Caption", "L", "LI"} <= set(report.tags)
        bound = _bound(pdf)
        # Header, stamp and page number on every page but a bound case's cover, all as pagination artifacts.
        assert report.pagination_artifacts >= report.pages - (1 if bound else 0), pdf.name
        if not bound:
            # One <main> and one <article>, though they run over every page: the per-page pieces are joined.
            assert report.tags["Part"] == report.tags["Art"] == 1, pdf.name
        if pdf.name in ("plejefamilier.pdf", "ishoej-model.pdf"):
            assert report.tags.get("Figure")  # figures and charts, with alt texts (pdfcheck asserts Alt and BBox)


def test_running_header_text_is_escaped_as_a_css_string() -> None:
    """A case name reaches the page margins as a CSS string: no quote, backslash or </style> can break out."""
    from markupsafe import Markup

    from forslag.document.render import css_string

    assert css_string("Overførselssagen 2025-2026") == '"Overførselssagen 2025-2026"'
    assert css_string('Sag "A" \\ </style>\nx') == '"Sag \\22 A\\22  \\5C  \\3C /style>\\A x"'
    assert css_string(Markup("R&amp;D")) == '"R&D"'  # a block's HTML escape is undone: <style> does not read it


def test_bound_case_has_one_tree_with_a_part_per_document(built: Path) -> None:
    with pikepdf.open(built / CASE_PDF) as pdf:
        root = pdf.Root.StructTreeRoot
        (document,) = list(root.K)
        assert document.S == "/Document"
        titles = [str(part.T) for part in document.K]
        assert [str(part.S) for part in document.K] == ["/Part"] * 5
        assert titles[2:] == [
            "Styrkelse af Din Sociale Indgang på Socialforvaltningens voksenområde",
            "Forløbsprogram for unge på midlertidigt botilbud",
            "Bedre vilkår for plejefamilier",
        ]
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys)  # the parent tree was renumbered, not overlaid
        assert int(root.ParentTreeNextKey) > max(keys)
        # The ID tree has a leaf per part, in key order, each with its limits (a later bind keeps a leaf whole).
        leaves = list(root.IDTree.Kids)
        names = [str(name) for leaf in leaves for name in list(leaf.Names)[::2]]
        assert len(names) == len(set(names)) > 100  # every part's header cells, unique
        assert names == sorted(names)
        assert all([str(x) for x in leaf.Limits] == [str(leaf.Names[0]), str(leaf.Names[-2])] for leaf in leaves)


def test_bound_case_declares_its_parts_pdf_version_and_keeps_objects_in_streams(built: Path) -> None:
    """The bound file says the version its parts say (PDF/A-2 is PDF 1.7), and keeps its structure tree's many
    small objects in compressed object streams (a third of the size for a case of a hundred)."""
    header = (built / CASE_PDF).read_bytes()[:8]
    parts = {(built / f"{name}.pdf").read_bytes()[:8] for name in ("plejefamilier", "forloebsprogram")}
    assert parts == {b"%PDF-1.7"} and header == b"%PDF-1.7", (header, parts)
    with pikepdf.open(built / CASE_PDF) as pdf:
        assert any(obj.get("/Type") == "/ObjStm" for obj in pdf.objects if isinstance(obj, pikepdf.Stream))


def test_bound_case_nests_each_proposals_bookmarks(built: Path) -> None:
    report = check(built / CASE_PDF)
    entries = dict(report.outline)
    for name in ("din-sociale-indgang", "forloebsprogram", "plejefamilier"):
        own = check(built / f"{name}.pdf").outline
        ((title, sections),) = own
        assert entries[title] == sections  # the proposal's sections right under its entry
        assert [s[0] for s in sections][:2] == ["1. Beskrivelse af forslag (fremgangsmåde og effekt)", "2. Økonomi"]


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_text_layer_reads_whole_words_and_danish_numbers(built: Path) -> None:
    text = _text(built / "forloebsprogram.pdf")
    # The hidden running-header element no longer leaks: header and stamp are margin artifacts, each once a page.
    assert "InvesteringsforslagKilde" not in text
    assert text.count("Kilde: forloebsprogram.yaml") == len(PdfReader(built / "forloebsprogram.pdf").pages)
    assert "Forløbsprogram for unge på midlertidigt botilbud" in text and "økonomiske" in text
    assert "-5.090" in text  # a hyphen-minus, not U+2010 or U+2212
    # Hyphenation: the line-end hyphen is a soft hyphen, so joining the lines gives the whole word back.
    assert "\u2010" not in text
    assert "\u00ad\n" in text
    joined = text.replace("\u00ad\n", "")
    assert "Erfaringerne" in joined and "Erfaringer-" not in joined


def test_a_pdf_ua_checker_finds_nothing(built: Path) -> None:
    """pdfua (PyPI) checks a machine-checkable part of PDF/UA-1; exit code 0 means no finding."""
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", *map(str, _pdfs(built))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Apache PDFBox Preflight (Debian libpdfbox2-java) validates PDF/A-1b, the only PDF/A validator on the
# registries we install from. Our files are PDF/A-2a, so the four PDF/A-1 rules that PDF/A-2 lifts are
# set aside; every other finding (fonts, colour spaces, metadata, XMP, annotations, syntax) counts.
PREFLIGHT_JARS = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api"]
PDFA1_ONLY = (
    ("1.4", "cross reference streams are not allowed"),  # PDF/A-2 allows xref streams
    ("3.1.11", "CIDSet entry is missing"),  # CIDSet is optional in PDF/A-2
    ("7.11.2", "part must be 1"),  # we claim part 2
    ("2.2.1", "Group has a transparency"),  # PDF/A-2 allows transparency (with an output intent)
)


def _pdfa1_only(error: ET.Element) -> bool:
    code, details = error.findtext("code"), error.findtext("details") or ""
    return any(code == c and text in details for c, text in PDFA1_ONLY)


def _preflight_classpath() -> str | None:
    jars = [Path("/usr/share/java") / f"{name}.jar" for name in PREFLIGHT_JARS]
    return ":".join(map(str, jars)) if shutil.which("java") and all(j.is_file() for j in jars) else None


def test_pdfa_preflight_finds_nothing_pdfa2_forbids(built: Path, tmp_path: Path) -> None:
    classpath = _preflight_classpath()
    if classpath is None:
        message = "the PDF/A preflight needs Java and Debian's libpdfbox2-java (.ci/system-deps installs them)"
        if axe.in_ci():
            pytest.fail(message)
        pytest.skip(message)
    listing = tmp_path / "pdfs.txt"
    listing.write_text("".join(f"{pdf}\n" for pdf in _pdfs(built)))
    subprocess.run(
        ["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b", "xml", "group", str(listing)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = ET.parse(f"{listing}.preflight.xml").getroot()
    files = report.findall("preflight")
    assert len(files) == len(_pdfs(built))
    found = {
        f.get("name"): [f"{e.findtext('code')}: {e.findtext('details')}" for e in f.iter("error") if not _pdfa1_only(e)]
        for f in files
    }
    assert {name: errors for name, errors in found.items() if errors} == {}


@pytest.fixture(scope="module")
def browser() -> Iterator[axe.Browser]:
    executable = axe.chromium()
    missing = []
    if executable is None:
        missing.append("Chromium (Debian package 'chromium'; .ci/system-deps installs it as root)")
    if not axe.AXE.is_file():
        missing.append(f"axe-core at {axe.AXE} ('make test' installs it with npm)")
    if missing:
        message = "the accessibility check needs " + " and ".join(missing)
        if axe.in_ci():
            pytest.fail(message)
        pytest.skip(message)
    assert executable is not None
    session = axe.Browser(executable)
    try:
        yield session
    finally:
        session.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_every_html_page_has_no_axe_violations(built: Path, browser: axe.Browser, width: int) -> None:
    pages = sorted(built.glob("*.html"))
    assert len(pages) >= 8
    found = {page.name: browser.axe(page, width) for page in pages}
    assert {name: v for name, v in found.items() if v} == {}


def test_change_annex_and_a_new_case_are_tagged_and_clean_too(
    run: Run,
    case_repo: Path,  # noqa: F811
    tmp_path: Path,
    browser: axe.Browser,
) -> None:
    """Tagging holds for any partial: a case made by `forslag init`/`new`, with the change annex printed."""
    out = tmp_path / "out"
    result = run("build", "--changes-since", "hoering", "--out", out, "--jobs", "1")
    assert result.code == 0, result.out + result.err
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 3
    for pdf in pdfs:
        report = check(pdf)
        assert report.problems == [], pdf.name
    assert "Ændringer siden hoering" in _text(out / "nyt-forslag.pdf")
    for page in sorted(out.glob("*.html")):
        for width in (1280, 375):
            assert browser.axe(page, width) == [], (page.name, width)


def _elements(node: object, parent: object = None) -> Iterator[tuple[object, object]]:
    """Every structure element of a tagged PDF with its parent element, in reading order."""
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None  # type: ignore[attr-defined]
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid, node
            yield from _elements(kid, kid)


@pytest.mark.parametrize("name", ["forloebsprogram", "din-sociale-indgang", "invester-foer-det-sker"])
def test_a_screen_reader_reads_what_a_sighted_reader_sees(built: Path, name: str) -> None:
    """Kort resumé is a label and its text, not a list of four items; the check boxes say their state; no
    header text hides in the text layer; every block row of Tabel 1 and Tabel 2 heads the cells below it."""
    html = (built / f"{name}.html").read_text()
    assert "<dl" not in html and 'class="visually-hidden"' not in html
    with pikepdf.open(built / f"{name}.pdf") as pdf:
        elements = list(_elements(pdf.Root.StructTreeRoot))
        tags = [str(e.S) for e, _ in elements]
        first_heading = tags.index("/H1")
        assert "/L" not in tags[first_heading : tags.index("/H2")]  # the head holds no list
        alts = sorted(str(e.Alt) for e, _ in elements if e.S == "/Figure" and "/Alt" in e)
        assert alts.count("afkrydset") == 1 and alts.count("ikke afkrydset") == 1, alts
        referenced = {bytes(h) for e, _ in elements if e.S == "/TD" for h in e.get("/A", {}).get("/Headers", [])}
        block_headers = 0
        for element, row in elements:
            if element.S != "/TH" or row.S != "/TR":
                continue
            only_headers = all(kid.S == "/TH" for kid in row.K if isinstance(kid, pikepdf.Dictionary))
            if only_headers and element.A.get("/Scope") == "/Row":  # a block row (a row group's header)
                block_headers += 1
                assert bytes(element.ID) in referenced
        assert block_headers >= 4  # Tabel 1's two blocks, Tabel 2's two groups


PHONE_CHECK = """(() => {
  const wrap = document.querySelector('.amounts-wrap');
  const cue = document.querySelector('.scroll-cue');
  const caption = wrap.querySelector('caption');
  const label = wrap.querySelector('tbody th[scope=row]');
  const scrolls = wrap.scrollWidth > wrap.clientWidth;
  wrap.scrollLeft = wrap.scrollWidth;
  const c = caption.getBoundingClientRect(), l = label.getBoundingClientRect(), w = wrap.getBoundingClientRect();
  const sizes = [...document.querySelectorAll('figure.bc-chart svg')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  });
  const shown = cue.getBoundingClientRect().height > 0 && getComputedStyle(cue).display !== 'none';
  return JSON.stringify({scrolls, cue: shown, caption: [c.left, c.right], label: l.left - w.left,
    width: innerWidth, chart: sizes.length ? Math.min(...sizes) : null, page: document.documentElement.scrollWidth});
})()"""


@pytest.fixture(scope="module")
def chromium_page() -> Iterator[axe.Browser]:
    """A headless Chromium to lay pages out in (without axe-core)."""
    executable = axe.chromium()
    if executable is None:
        if axe.in_ci():
            pytest.fail("the phone layout check needs Chromium")
        pytest.skip("the phone layout check needs Chromium")
    session = axe.Browser(executable)
    try:
        yield session
    finally:
        session.close()


@pytest.mark.parametrize("name", ["din-sociale-indgang", "ishoej-model"])
def test_tables_and_charts_are_readable_on_a_phone(built: Path, chromium_page: axe.Browser, name: str) -> None:
    """At 390 px Tabel 1 scrolls inside its region with a visible cue; scrolled to its end, its caption and row
    labels stay in view; the page itself never scrolls sideways; chart text is at least 12 px."""
    import json

    chromium_page.load(built / f"{name}.html", 390)
    found = json.loads(chromium_page.evaluate(PHONE_CHECK))
    assert found["scrolls"] and found["cue"], found
    assert found["page"] <= found["width"], found  # only the table's region scrolls
    left, right = found["caption"]
    assert 0 <= left < found["width"] and left < right, found  # the caption is not scrolled away
    assert abs(found["label"]) < 2, found  # the row labels stay at the region's left edge
    if name == "ishoej-model":
        assert found["chart"] >= 12, found
    cue_in_print = (built / f"{name}.html").read_text().count('class="scroll-cue" aria-hidden="true"')
    assert cue_in_print == 1
