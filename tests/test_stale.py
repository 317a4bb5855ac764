"""Outputs of sources that are gone: removed by the next build, with a line saying so; nothing else touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Run, two_proposals


def _build(run: Run, folder: Path, out: Path, *extra: str) -> str:
    result = run("build", folder, "--out", out, "--format", "html", "--jobs", "1", *extra)
    assert result.code == 0, result.out + result.err
    return result.out


def test_a_deleted_or_renamed_proposal_loses_its_outputs(run: Run, tmp_path: Path) -> None:
    folder = two_proposals(tmp_path / "sag")
    out = tmp_path / "output"
    _build(run, folder, out)
    assert (out / "andet.html").is_file() and (out / "minimal.html").is_file()
    (out / "egen.html").write_text("<p>my own notes</p>")  # a file forslag did not make

    (folder / "andet.yaml").unlink()
    (folder / "minimal.yaml").rename(folder / "nyt-navn.yaml")
    said = _build(run, folder, out)
    assert f"removed: {out / 'andet.html'} (its source {folder / 'andet.yaml'} no longer exists)" in said
    assert f"removed: {out / 'minimal.html'}" in said
    assert sorted(p.name for p in out.glob("*.html")) == [
        "egen.html",
        "nyt-navn.html",
        "overfoerselssagen-2025-2026.html",
    ]
    assert not (out / ".forslag-cache" / "andet.json").exists()
    assert "removed" not in _build(run, folder, out)  # said once, then nothing is left to remove


def test_an_output_changed_by_hand_or_a_proposal_built_from_elsewhere_is_kept(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = two_proposals(tmp_path / "sag")
    out = tmp_path / "output"
    _build(run, folder, out)
    (out / "andet.html").write_text("edited by hand")
    (folder / "andet.yaml").unlink()
    said = _build(run, folder, out)
    assert "removed" not in said and (out / "andet.html").read_text() == "edited by hand"

    # Built from another folder with relative paths: the record is absolute, so nothing is taken for gone.
    monkeypatch.chdir(tmp_path)
    _build(run, Path("sag"), Path("output"))
    os.chdir(folder)
    assert "removed" not in _build(run, Path("."), Path("../output"))
    assert (out / "minimal.html").is_file()


def test_a_renamed_case_loses_its_old_bound_document(run: Run, tmp_path: Path) -> None:
    folder = two_proposals(tmp_path / "sag")
    out = tmp_path / "output"
    _build(run, folder, out)
    old = out / "overfoerselssagen-2025-2026.html"
    assert old.is_file()
    case = folder / "case.yaml"
    case.write_text(case.read_text().replace("name: Overførselssagen 2025-2026", "name: Andet navn"))
    said = _build(run, folder, out)
    assert f"removed: {old}" in said and not old.exists() and (out / "andet-navn.html").is_file()
