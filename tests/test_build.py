"""Batch builds: what is up to date, failures among good proposals, identical bytes, the bound case."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from forslag.document import danish
from forslag.document.compute import compute
from forslag.source.load import load_proposal

from .conftest import DATA, PROPOSALS, Run, two_proposals
from .pdftext import flat, pages_text

CASE_PDF = "overfoerselssagen-2025-2026.pdf"


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix in (".pdf", ".html")
    }


def test_second_build_does_nothing(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    first = run("build", src, "--out", out, "--jobs", "1")
    assert first.code == 0, first.out
    assert "2 built, 0 up to date, 0 failed; bound case written" in first.out
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    second = run("build", src, "--out", out)
    assert second.code == 0
    assert "0 built, 2 up to date, 0 failed; bound case up to date" in second.out
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == before


def test_editing_one_rebuilds_it_and_the_case_only(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    assert run("build", src, "--out", out, "--jobs", "1").code == 0
    untouched = (out / "minimal.pdf").stat().st_mtime_ns
    case_before = (out / CASE_PDF).read_bytes()
    edited = src / "andet.yaml"
    edited.write_text(
        edited.read_text().replace("amounts: {2027: -500, 2028: -1000}", "amounts: {2027: -700, 2028: -1000}")
    )
    result = run("build", src, "--out", out, "--jobs", "1")
    assert "1 built, 1 up to date, 0 failed; bound case written" in result.out
    assert f"built: {edited}" in result.out
    assert (out / "minimal.pdf").stat().st_mtime_ns == untouched
    assert (out / CASE_PDF).read_bytes() != case_before
    assert "-700" in flat(out / "andet.pdf")
    # The bound case's summary is not a stale copy: it holds the new amount (-700 + 321 = -379 in 2027).
    assert "-379" in " ".join(pages_text(out / CASE_PDF)[2].split())


def test_prose_edit_keeps_the_bound_front_correct(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    assert run("build", src, "--out", out, "--jobs", "1").code == 0
    front_before = pages_text(out / CASE_PDF)[:3]
    edited = src / "andet.yaml"
    edited.write_text(edited.read_text().replace("description: Kort beskrivelse.", "description: En anden tekst."))
    assert "1 built, 1 up to date, 0 failed; bound case written" in run("build", src, "--out", out).out
    bound = pages_text(out / CASE_PDF)
    assert bound[:3] == front_before  # the same front, reused
    assert "En anden tekst." in " ".join(bound[2:])


def test_editing_a_figure_rebuilds_the_proposal_that_shows_it(run: Run, tmp_path: Path) -> None:
    """A figure is read from its own file: a build that only looked at the source would keep a stale PDF."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "figur.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="30">Fase et</text></svg>'
    )
    shutil.copy(DATA / "valid" / "case.yaml", src)
    proposal = (DATA / "valid" / "minimal.yaml").read_text()
    figure = '![Faserne i forslaget](figur.svg "Faserne")'
    block = f"description: |\n  Kort beskrivelse.\n\n  {figure}"
    with_figure = proposal.replace("description: Kort beskrivelse.", block, 1)
    assert with_figure != proposal
    (src / "minimal.yaml").write_text(with_figure)
    first = run("build", src, "--out", out, "--jobs", "1")
    assert first.code == 0, first.out
    assert "Fase et" in flat(out / "minimal.pdf")
    assert "0 built, 1 up to date" in run("build", src, "--out", out).out
    (src / "figur.svg").write_text((src / "figur.svg").read_text().replace("Fase et", "Fase to"))
    again = run("build", src, "--out", out)
    assert "1 built, 0 up to date" in again.out, again.out
    assert "Fase to" in flat(out / "minimal.pdf")


def test_editing_a_template_rebuilds_everything(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    layout = tmp_path / "layout" / "partials"
    layout.mkdir(parents=True)
    (layout / "risk.html.j2").write_text("<section><h2>4. Risikovurdering</h2>{{ prose.risk }}</section>\n")
    args = ("build", src, "--out", out, "--jobs", "1", "--templates", tmp_path / "layout")
    assert run(*args).code == 0
    assert "0 built, 2 up to date" in run(*args).out
    (layout / "risk.html.j2").write_text("<section><h2>4. Risiko</h2>{{ prose.risk }}</section>\n")
    result = run(*args)
    assert "2 built, 0 up to date, 0 failed; bound case written" in result.out
    assert "4. Risiko" in flat(out / "minimal.pdf")


def test_force_rebuilds_to_the_same_bytes(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    assert run("build", src, "--out", out, "--jobs", "1").code == 0
    before = digests(out)
    result = run("build", src, "--out", out, "--force", "--jobs", "2")
    assert "2 built, 0 up to date" in result.out
    assert digests(out) == before


def test_one_broken_proposal_among_good_ones(run: Run, examples: Path, tmp_path: Path) -> None:
    broken = examples / "broken.yaml"
    broken.write_text((DATA / "invalid" / "duplicate-key.yaml").read_text())
    out = tmp_path / "out"
    result = run("build", examples, "--out", out, "--jobs", "2")
    assert result.code == 1
    assert f"error: {broken}:30:1: the key 'title' appears twice" in result.out
    assert "3 built, 0 up to date, 1 failed" in result.out
    for name in ("forloebsprogram", "din-sociale-indgang", "plejefamilier"):
        assert (out / f"{name}.pdf").stat().st_size > 10_000
    assert not (out / "broken.pdf").exists() and not (out / "broken.html").exists()
    assert not (out / CASE_PDF).exists()  # a case with a hole in it is not bound
    assert "not bound" in result.out
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": "2026-01-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T12:00:00Z",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    two_proposals(repo / "proposals")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "proposals")
    return repo


def test_same_bytes_across_clones_in_different_folders(run: Run, repo: Path, tmp_path: Path) -> None:
    results = []
    for name in ("a", "deeper/clone-b"):
        clone = tmp_path / name
        clone.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        assert run("build", clone / "proposals", "--out", clone / "output", "--jobs", "2").code == 0
        results.append(digests(clone / "output"))
    assert results[0] == results[1]
    assert set(results[0]) == {
        "minimal.pdf",
        "minimal.html",
        "andet.pdf",
        "andet.html",
        "overfoerselssagen-2025-2026.pdf",
        "overfoerselssagen-2025-2026.html",
    }


def test_stamp_follows_each_sources_own_history(run: Run, repo: Path) -> None:
    src, out = repo / "proposals", repo / "output"
    assert run("build", src, "--out", out, "--jobs", "1").code == 0
    first_commit = _git(repo, "rev-parse", "HEAD").strip()
    reader = PdfReader(out / "minimal.pdf")
    assert reader.metadata is not None
    assert first_commit[:10] in str(reader.metadata["/ForslagSource"])
    assert f"commit {first_commit[:10]}" in flat(out / "minimal.pdf")
    other = (out / "andet.pdf").read_bytes()

    edited = src / "minimal.yaml"
    edited.write_text(edited.read_text().replace("Lav risiko.", "Lav risiko efter ny vurdering."))
    run("build", src, "--out", out, "--jobs", "1")
    assert "med ikke-committede ændringer" in flat(out / "minimal.pdf")

    _git(repo, "commit", "-q", "-am", "minimal: new risk text")
    second_commit = _git(repo, "rev-parse", "HEAD").strip()
    result = run("build", src, "--out", out, "--jobs", "1")
    assert "1 built, 1 up to date" in result.out
    assert f"commit {second_commit[:10]}" in flat(out / "minimal.pdf")
    assert (out / "andet.pdf").read_bytes() == other  # committing one proposal leaves the others' bytes alone


@pytest.fixture(scope="module")
def bound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from forslag.batch.build import build
    from forslag.batch.state import BuildOptions
    from forslag.source.load import find_sources

    out = tmp_path_factory.mktemp("bound")
    report = build(find_sources([PROPOSALS]), BuildOptions(out=out, jobs=2), echo=lambda _: None)
    assert not report.failed
    return out


def test_bound_case_opens_on_its_cover(bound: Path) -> None:
    first = pages_text(bound / CASE_PDF)[0]
    assert "Overførselssagen 2025-2026" in first and "Københavns Kommune" in first
    assert "20. februar 2026" in first
    reader = PdfReader(bound / CASE_PDF)
    assert reader.metadata is not None and reader.metadata.title == "Overførselssagen 2025-2026: Investeringsforslag"
    # Each proposal's own bookmarks follow its entry as a nested list (see test_accessibility).
    assert [item.title for item in reader.outline if not isinstance(item, list)][2:] == [  # type: ignore[union-attr]
        "Styrkelse af Din Sociale Indgang på Socialforvaltningens voksenområde",
        "Forløbsprogram for unge på midlertidigt botilbud",
        "Bedre vilkår for plejefamilier",
    ]


def test_bound_contents_page_numbers_are_right(bound: Path) -> None:
    """One numbering: the contents' page = the number printed on that page = the viewer's page label."""
    pages = pages_text(bound / CASE_PDF)
    contents = " ".join(pages[1].split())
    assert "Økonomien samlet" in pages[2]  # the summary has a page of its own
    names = ["din-sociale-indgang", "forloebsprogram", "plejefamilier"]
    start = 4
    for name in names:
        title = load_proposal(PROPOSALS / f"{name}.yaml").proposal.title
        own_pages = len(PdfReader(bound / f"{name}.pdf").pages)
        assert f"{title} Socialforvaltningen {start}" in contents
        page = " ".join(pages[start - 1].split())
        assert title.split()[0] in page
        start += own_pages
    total = len(pages)
    assert total == start - 1
    reader = PdfReader(bound / CASE_PDF)
    assert reader.page_labels == [str(n) for n in range(1, total + 1)]
    for number, text in enumerate(pages, start=1):
        folio = re.findall(r"\b(\d+)/(\d+)\s*$", text.rstrip())
        # The cover has no number; every other page ends with its number in the bound case, of the total.
        assert folio == ([] if number == 1 else [(str(number), str(total))]), number


def test_bound_summary_adds_up(bound: Path) -> None:
    contents = " ".join(pages_text(bound / CASE_PDF)[2].split())
    economies = [compute(load_proposal(p)).economy for p in sorted(PROPOSALS.glob("[!c]*.yaml"))]
    investment = sum(e.figures["investment.total"].value for e in economies)  # type: ignore[misc]
    net = [
        sum(r.values[i] or 0 for e in economies for r in e.permanent_totals if r.label == "Samlet varig ændring")
        for i in range(6)
    ]
    row = f"I alt {danish.cell(investment)} " + " ".join(danish.cell(v) for v in net[1:])
    assert row in contents
    assert danish.cell(investment) == "40.890" and danish.cell(net[-1]) == "-28.393"


@pytest.mark.parametrize("args", [("--jobs", "0"), ("--format", "docx")])
def test_bad_build_options_are_usage_errors(run: Run, minimal: Path, tmp_path: Path, args: tuple[str, str]) -> None:
    result = run("build", minimal, "--out", tmp_path / "out", *args)
    assert result.code == 2
    assert "forslag:" in result.err


def test_same_bytes_when_the_fonts_are_installed_elsewhere(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another clone has its own .venv: where the font files lie must not reach the PDF."""
    from forslag.batch import printing
    from forslag.document import fonts

    src = two_proposals(tmp_path / "src")
    assert run("build", src, "--out", tmp_path / "a", "--jobs", "1").code == 0
    elsewhere = tmp_path / "other-venv" / "fonts"
    shutil.copytree(fonts.FONT_DIR, elsewhere)
    monkeypatch.setattr(fonts, "FONT_DIR", elsewhere)
    monkeypatch.setattr(printing, "_printer", None)
    assert run("build", src, "--out", tmp_path / "b", "--jobs", "1").code == 0
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_two_builds_at_once_share_the_cache_safely(tmp_path: Path) -> None:
    import sys

    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    command = [sys.executable, "-m", "forslag.cli", "build", str(src), "--out", str(out), "--jobs", "1"]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    assert [b.wait(timeout=300) for b in builds] == [0, 0]
    together = digests(out)
    alone = tmp_path / "alone"
    subprocess.run([*command[:-4], "--out", str(alone), "--jobs", "1"], check=True, capture_output=True)
    assert together == digests(alone)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    again = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "0 built, 2 up to date" in again.stdout


def test_one_proposal_alone_gives_the_bytes_of_a_folder_build(run: Run, tmp_path: Path) -> None:
    """Built alone, a proposal is prepared and printed in two processes at once; the files are the same."""
    src = two_proposals(tmp_path / "src")
    assert run("build", src, "--out", tmp_path / "folder", "--jobs", "1", "--no-bind").code == 0
    result = run("build", src / "andet.yaml", "--out", tmp_path / "alone", "--jobs", "2")
    assert result.code == 0, result.out
    folder = digests(tmp_path / "folder")
    assert digests(tmp_path / "alone") == {k: v for k, v in folder.items() if k.startswith("andet.")}


@pytest.mark.parametrize("line", ["case:", "case: ''", 'case: "" # none'])
def test_an_empty_case_key_is_an_error_with_its_line(run: Run, tmp_path: Path, line: str) -> None:
    src = two_proposals(tmp_path / "src")
    (src / "andet.yaml").write_text(f"{line}\n" + (src / "andet.yaml").read_text())
    result = run("build", src, "--out", tmp_path / "out")
    assert result.code == 1
    assert f"error: {src / 'andet.yaml'}:1:" in result.out and "internal error" not in result.out
    assert (tmp_path / "out" / "minimal.pdf").is_file()
