"""Publication grade: every PDF tagged PDF/UA-1 + PDF/A-2a (the bound case too), every HTML page clean in axe-core."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from tests import axe
from tests.conftest import PROPOSALS
from tests.pdfcheck import check

CASE_PDF = "overfoerselssagen-2025-2026.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from forslag.batch.build import build
    from forslag.batch.state import BuildOptions
    from forslag.source.load import find_sources

    out = tmp_path_factory.mktemp("a11y")
    report = build(find_sources([PROPOSALS]), BuildOptions(out=out, jobs=2), echo=lambda _: None)
    assert not report.failed
    return out


def _pdfs(out: Path) -> list[Path]:
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) >= 4  # three proposals and the bound case
    return pdfs


def test_every_pdf_is_tagged_and_archival(built: Path) -> None:
    for pdf in _pdfs(built):
        report = check(pdf)
        assert report.problems == [], pdf.name
        assert report.headers > 0 and {"H1", "H2", "P", "Table", "TH", "TD", "Caption", "L", "LI"} <= set(report.tags)
        # Header, stamp and page number on every page but the bound case's cover, all as pagination artifacts.
        assert report.pagination_artifacts >= report.pages - (1 if pdf.name == CASE_PDF else 0), pdf.name


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
        names = list(root.IDTree.Names)[::2]
        assert len(names) == len(set(map(str, names))) > 100  # every part's header cells, unique


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
    assert len(pages) >= 4
    found = {page.name: browser.axe(page, width) for page in pages}
    assert {name: v for name, v in found.items() if v} == {}
