"""Reading git state runs nothing the repository configures, and reads non-ASCII names as written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from forslag.batch.stamp import GitState, git_states
from forslag.history.git import GitError, run_git, run_git_checked

from .conftest import DATA, Run
from .pdftext import flat


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "valid", repo / "proposals")
    shutil.copy(repo / "proposals" / "minimal.yaml", repo / "proposals" / "blåbær.yaml")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "proposals")
    marker = tmp_path / "pwned"
    script = tmp_path / "payload.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for setting in ("core.fsmonitor", "core.pager", "diff.external", "core.sshCommand"):
        git(repo, "config", setting, str(script))
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        shutil.copy(script, hooks / hook)
    return repo, marker


def test_a_build_runs_nothing_the_repository_configures(run: Run, tmp_path: Path) -> None:
    repo, marker = hostile_repo(tmp_path)
    (repo / "proposals" / "minimal.yaml").write_text((repo / "proposals" / "minimal.yaml").read_text() + "\n")
    # Plain git status would run the fsmonitor: the test's trap works.
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()
    result = run("build", repo / "proposals", "--out", tmp_path / "out", "--jobs", "1")
    assert result.code == 0, result.out + result.err
    assert not marker.exists()
    assert "med ikke-committede ændringer" in flat(tmp_path / "out" / "minimal.pdf")


def test_a_committed_non_ascii_name_is_committed(tmp_path: Path) -> None:
    repo, _marker = hostile_repo(tmp_path)
    source = (repo / "proposals" / "blåbær.yaml").resolve()
    state = git_states([source])[source]
    assert state.commit is not None and not state.dirty
    source.write_text(source.read_text() + "\n")
    assert git_states([source])[source].dirty


def test_run_git_outside_a_repository(tmp_path: Path) -> None:
    assert run_git(tmp_path, "rev-parse", "--show-toplevel") is None
    try:
        run_git_checked(tmp_path, "rev-parse", "--show-toplevel")
    except GitError as exc:
        assert "not a git repository" in str(exc)
    else:
        raise AssertionError("expected GitError")


def test_the_remembered_history_follows_commits_edits_and_damage(tmp_path: Path) -> None:
    """git_states keeps each folder's history at HEAD beside the cache; a new commit, an edit, an edit undone
    and a damaged memo each still give the state git itself gives."""
    repo, _marker = hostile_repo(tmp_path)
    source = (repo / "proposals" / "minimal.yaml").resolve()
    memo = tmp_path / "out" / "git-history.memo"
    first = git_states([source], memo)[source]
    assert memo.is_file() and first.commit is not None and not first.dirty
    assert git_states([source], memo)[source] == first  # from the memo: HEAD has not moved

    original = source.read_text()
    source.write_text(original + "\n")
    assert git_states([source], memo)[source] == GitState(first.commit, True)
    source.write_text(original)  # the edit undone: the content is HEAD's again
    assert git_states([source], memo)[source] == first

    source.write_text(original + "\n")
    git(repo, "commit", "-q", "-am", "a second commit")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    assert git_states([source], memo)[source] == GitState(head, False)

    memo.write_text('{"' + str(source.parent) + '": {"head": "' + head + '", "last": {"x": 1}, "blobs": []}}')
    assert git_states([source], memo)[source] == GitState(head, False)
    memo.write_text("[")
    assert git_states([source], memo)[source] == GitState(head, False)
