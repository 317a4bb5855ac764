"""Every output name of a case is unique, checked before anything is written; writes stay inside --out."""

from __future__ import annotations

import os
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


def test_writes_never_follow_a_link_inside_the_output_folder(run: Run, tmp_path: Path) -> None:
    src, out, elsewhere = tmp_path / "src", tmp_path / "out", tmp_path / "elsewhere"
    shutil.copytree(DATA / "valid", src)
    for name in (".forslag-cache", "assets"):
        (elsewhere / name).mkdir(parents=True)
    out.mkdir()
    (out / ".forslag-cache").symlink_to(elsewhere / ".forslag-cache")
    result = run("build", src, "--out", out)
    assert result.code == 1
    assert f"cannot write into {out / '.forslag-cache'}: it is a symbolic link" in result.out + result.err
    assert sorted(p.name for p in out.iterdir()) == [".forslag-cache"]  # refused before anything was written
    (out / ".forslag-cache").unlink()
    (out / "assets").symlink_to(elsewhere / "assets")
    result = run("build", src, "--out", out, "--force")
    assert result.code == 1
    assert f"cannot write into {out / 'assets'}: it is a symbolic link" in result.out + result.err
    assert [p for p in elsewhere.rglob("*") if p.is_file()] == []
    # The output folder itself may be a link: the user chose it.
    (out / "assets").unlink()
    linked = tmp_path / "linked-out"
    linked.symlink_to(out)
    assert run("build", src, "--out", linked).code == 0
    assert (out / "minimal.pdf").is_file() and (out / "assets").is_dir()


def test_a_proposal_linked_to_a_file_outside_its_folder_is_not_read(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(DATA / "valid", src)
    secret = tmp_path / "secret.yaml"
    secret.write_text((src / "minimal.yaml").read_text().replace("Et lille forslag", "Hemmeligt"))
    (src / "link.yaml").symlink_to(secret)
    os.symlink("minimal.yaml", src / "inside.yaml")  # a link within the folder is a file of the folder
    result = run("check", src)
    assert result.code == 1
    assert f"error: {src / 'link.yaml'}: a symbolic link to a file outside its folder" in result.out
    assert "Hemmeligt" not in result.out and f"ok: {src / 'inside.yaml'}" in result.out
    result = run("build", src, "--out", tmp_path / "out", "--no-bind")
    assert "Hemmeligt" not in result.out and not (tmp_path / "out" / "link.pdf").exists()


def test_init_into_a_dangling_gitignore_link_writes_nothing(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "ny"
    target.mkdir()
    (target / ".gitignore").symlink_to(tmp_path / "nowhere" / "x")
    result = run("init", target)
    assert result.code == 2
    assert f"{target / '.gitignore'} already exists" in result.err
    assert sorted(p.name for p in target.iterdir()) == [".gitignore"]
    assert not (tmp_path / "nowhere").exists()
