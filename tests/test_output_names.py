"""Every output name of a case is unique, checked before anything is written; writes stay inside --out."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import DATA, Run


def test_a_proposal_named_like_another_ones_notat_is_refused_before_anything_is_written(
    run: Run, tmp_path: Path
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "notat", src)
    shutil.copy(src / "parforhold.yaml", src / "parforhold-notat.yaml")
    result = run("build", src, "--out", out)
    assert result.code == 2
    assert (
        f"forslag: {src / 'parforhold.yaml'} would write parforhold-notat.pdf, which {src / 'parforhold-notat.yaml'} "
        "writes too; rename one of them"
    ) in result.err, result.err
    assert not out.exists() or list(out.iterdir()) == []


def test_names_that_differ_only_in_case_are_one_file_elsewhere(run: Run, tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "valid", src)
    shutil.copy(src / "minimal.yaml", src / "Minimal.yaml")
    result = run("build", src, "--out", out)
    assert result.code == 2
    assert (
        f"forslag: {src / 'minimal.yaml'} would write minimal.pdf, which {src / 'Minimal.yaml'} writes too as "
        "Minimal.pdf (one file where case does not count); rename one of them"
    ) in result.err
    assert not out.exists() or list(out.iterdir()) == []
