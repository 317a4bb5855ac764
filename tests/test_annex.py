"""The change annex (build --changes-since): a page in each changed proposal only, the same bytes every build."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from forslag.cli import main

from .conftest import Run
from .pdftext import pages_text
from .test_history import edit, git


@pytest.fixture
def case_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "case"
    assert main(["init", str(repo)]) == 0
    monkeypatch.chdir(repo)
    assert main(["new", "andet-forslag"]) == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "sent to hearing", date="2026-01-23T09:30:00")
    git(repo, "tag", "hoering")
    edit(repo / "proposals" / "nyt-forslag.yaml", "amounts: {2027: -400,", "amounts: {2027: -450,")
    edit(repo / "proposals" / "nyt-forslag.yaml", "label: Driftsudgift", "label: Drift af indsatsen")
    return repo


def test_annex_only_in_the_changed_proposal_and_reproducible(run: Run, case_repo: Path, tmp_path: Path) -> None:
    commit = git(case_repo, "rev-parse", "hoering").strip()[:10]
    first, second = tmp_path / "out1", tmp_path / "out2"
    result = run("build", "--changes-since", "hoering", "--out", first, "--jobs", "1")
    assert result.code == 0, result.out + result.err
    changed = pages_text(first / "nyt-forslag.pdf")
    annex = " ".join(changed[-1].split())
    assert "Ændringer siden hoering" in annex
    assert f"udgaven fra 23. januar 2026 (hoering, commit {commit})" in annex
    assert "2027 -400 -450 -50" in annex
    assert "Samlet varig ændring 2027 -100 -150 -50" in annex
    assert "hed før »Driftsudgift«" in annex
    assert not any("Ændringer siden" in page for page in changed[:-1])
    unchanged = pages_text(first / "andet-forslag.pdf")
    assert not any("Ændringer siden" in page for page in unchanged)
    # The bound case binds the proposals as printed: the annex is in it once, for the changed proposal, and
    # the contents lists it with the page it is on, as a link to that page.
    bound_pages = pages_text(first / "budget-2026.pdf")
    contents = " ".join(bound_pages[1].split())
    [annex_page] = [n for n, page in enumerate(bound_pages[2:], start=3) if "Ændringer siden hoering" in page]
    assert f"Ændringer siden hoering {annex_page}" in contents
    assert bound_pages[annex_page - 1].rstrip().endswith(f"{annex_page}/{len(bound_pages)}")
    with pikepdf.open(first / "budget-2026.pdf") as pdf:
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        links = [a.A.D for a in pdf.pages[1].Annots if "@" in str(a.A.D)]
        assert links and all(pdf.pages.index(dests[str(link)][0]) + 1 == annex_page for link in links)

    assert run("build", "--changes-since", "hoering", "--out", second, "--jobs", "1").code == 0
    for name in ("nyt-forslag.pdf", "nyt-forslag.html", "andet-forslag.pdf", "budget-2026.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Up to date on a rebuild; built again without the annex when the option goes.
    assert "0 built, 2 up to date" in run("build", "--changes-since", "hoering", "--out", first).out
    plain = run("build", "--out", first, "--jobs", "1")
    assert "1 built, 1 up to date" in plain.out
    assert not any("Ændringer siden" in page for page in pages_text(first / "nyt-forslag.pdf"))


def test_changes_since_an_unknown_revision_is_a_usage_error(run: Run, case_repo: Path, tmp_path: Path) -> None:
    result = run("build", "--changes-since", "nope", "--out", tmp_path / "out")
    assert result.code == 2
    assert "unknown revision 'nope'" in result.err
    assert not any((tmp_path / "out").glob("*"))  # nothing written


def test_the_annex_names_no_organisation_a_case_did_not_choose() -> None:
    """The annex's section names come from the document's structure, never from Københavns Kommune's wording:
    another municipality's annex would otherwise name Copenhagen's finance centre after a state change."""
    from forslag.history.annex import SECTION_NAMES
    from forslag.source.model import Wording

    defaults = [v for v in Wording().model_dump().values() if isinstance(v, str)]
    words = {w for d in defaults for w in ("Center for Økonomi", "Økonomiforvaltningen") if w in d}
    assert words, "the defaults no longer name Copenhagen's bodies: update this test"
    assert [name for name in SECTION_NAMES.values() if any(w in name for w in words)] == []


def test_the_annex_names_what_the_document_prints() -> None:
    """Each section the annex names is a heading of the document, and no table is named by a number: the
    annex once said "Tabel 4: godkendelse" of the table the document prints as Tabel 3."""
    import re

    from forslag.document.compute import compute
    from forslag.document.render import Stamp, environment, render_proposal
    from forslag.history.annex import SECTION_NAMES
    from forslag.source.load import load_proposal

    from .conftest import PROPOSALS

    loaded = load_proposal(PROPOSALS / "forloebsprogram.yaml")
    html = render_proposal(environment(), compute(loaded), Stamp("Kilde", "0" * 64, None, False), for_print=False)
    assert "Tabel 3. Godkendelse af" in html
    for name in SECTION_NAMES.values():
        assert not re.match(r"Tabel \d", name), name
        numbered = re.match(r"(\d\. [^(]+?)(?: \(|$)", name)
        if numbered:
            assert numbered.group(1) in html, name
