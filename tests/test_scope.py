"""Binding off the edit's path: one file builds that proposal only; a folder or --bind binds the whole case."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from .conftest import Run, two_proposals
from .pdftext import flat

CASE_PDF = "overfoerselssagen-2025-2026.pdf"


def test_one_file_leaves_the_bound_case_alone(run: Run, tmp_path: Path) -> None:
    src, out = two_proposals(tmp_path / "src"), tmp_path / "out"
    assert run("build", src, "--out", out, "--jobs", "1").code == 0
    bound = (out / CASE_PDF).read_bytes()
    edited = src / "andet.yaml"
    edited.write_text(edited.read_text().replace("Kort beskrivelse.", "En længere beskrivelse."))

    result = run("build", edited, "--out", out, "--jobs", "1")
    assert result.code == 0, result.out
    assert "1 built, 0 up to date, 0 failed (" in result.out  # no word of the case
    assert "En længere beskrivelse." in flat(out / "andet.pdf")
    assert (out / CASE_PDF).read_bytes() == bound  # left for later, not overwritten by a case of one

    result = run("build", edited, "--out", out, "--jobs", "1", "--bind")
    assert result.code == 0, result.out
    assert "0 built, 2 up to date, 0 failed; bound case written" in result.out
    text = flat(out / CASE_PDF)
    assert "Et lille forslag" in text and "En længere beskrivelse." in text  # the whole case, with the edit
    assert len(PdfReader(out / CASE_PDF).pages) > len(PdfReader(out / "andet.pdf").pages)


def test_a_folder_binds_unless_told_not_to(run: Run, tmp_path: Path) -> None:
    src = two_proposals(tmp_path / "src")
    result = run("build", src, "--out", tmp_path / "a", "--jobs", "1", "--no-bind")
    assert result.code == 0 and not (tmp_path / "a" / CASE_PDF).exists()
    result = run("build", src, "--out", tmp_path / "b", "--jobs", "1")
    assert result.code == 0 and (tmp_path / "b" / CASE_PDF).exists()


def test_bind_and_no_bind_together_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    src = two_proposals(tmp_path / "src")
    try:
        result = run("build", src, "--bind", "--no-bind")
    except SystemExit as exc:  # argparse's own exit for a usage error
        assert exc.code == 2
    else:
        raise AssertionError(f"accepted: {result}")
