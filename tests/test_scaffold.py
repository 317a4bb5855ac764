"""`forslag init` and `forslag new`: a case repository that works at once, proposals with every section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from forslag.source.model import Proposal

from .conftest import Run


def test_init_writes_a_working_case_repository(run: Run, tmp_path: Path) -> None:
    repo = tmp_path / "sag"
    result = run("init", repo)
    assert result.code == 0, result.err
    for name in (
        "proposals/case.yaml",
        "proposals/nyt-forslag.yaml",
        "proposals/schema/proposal.schema.json",
        "proposals/schema/case.schema.json",
        ".gitignore",
        ".gitattributes",
        ".vscode/settings.json",
        ".github/workflows/forslag.yml",
    ):
        assert (repo / name).is_file(), name
    assert (repo / ".git").is_dir()
    assert "proposals/*.yaml diff=forslag" in (repo / ".gitattributes").read_text()
    assert "textconv = forslag textconv" in (repo / ".git" / "config").read_text()
    assert "output/" in (repo / ".gitignore").read_text().splitlines()
    settings = json.loads((repo / ".vscode" / "settings.json").read_text())
    assert "proposals/*.yaml" in settings["yaml.schemas"]["proposals/schema/proposal.schema.json"]
    first_line = (repo / "proposals" / "nyt-forslag.yaml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=schema/proposal.schema.json"
    assert json.loads((repo / "proposals/schema/proposal.schema.json").read_text())["title"] == "forslag proposal"
    workflow = yaml.safe_load((repo / ".github/workflows/forslag.yml").read_text())
    steps = " ".join(str(s.get("run", s.get("uses"))) for s in workflow["jobs"]["build"]["steps"])
    assert "forslag check" in steps and "forslag build" in steps and "actions/upload-artifact" in steps
    assert run("check", repo / "proposals").code == 0
    # Nothing is overwritten.
    again = run("init", repo)
    assert again.code == 2 and "already exists" in again.err


def test_new_has_every_section_and_checks(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("init", tmp_path / "sag").code == 0
    monkeypatch.chdir(tmp_path / "sag")
    assert run("new", "bedre-plejefamilier").code == 0
    path = Path("proposals/bedre-plejefamilier.yaml")
    data = yaml.safe_load(path.read_text())
    every = {f.alias or name for name, f in Proposal.model_fields.items()} - {"case"}
    assert every <= set(data), every - set(data)
    assert data["title"] == "Bedre plejefamilier"
    checked = run("check", path)
    assert checked.code == 0, checked.out
    assert "ok: proposals/bedre-plejefamilier.yaml: Bedre plejefamilier (payback 3/3 years)" in checked.out
    text = path.read_text()
    assert "# Section 4, Risikovurdering" in text  # each section says what belongs in it
    assert run("new", "bedre-plejefamilier").code == 2
    bad = run("new", "Bedre Plejefamilier!")
    assert bad.code == 2 and "a-z, 0-9" in bad.err
