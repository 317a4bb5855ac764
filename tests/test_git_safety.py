"""Reading git state runs nothing the repository configures, and reads non-ASCII names as written."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from forslag.batch.stamp import GitState, git_states
from forslag.history.git import GitError, run_git, run_git_checked

from .conftest import DATA, Run
from .followupcase import git
from .pdftext import flat


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


# Every git setting that names a program git may run, each set below to a trap that leaves a marker named after
# it. `<driver>` settings are reached through the attributes the trap repository declares.
PROGRAM_KEYS = (
    "filter.Evil.clean",
    "filter.Evil.smudge",
    "filter.Evil.process",
    "diff.evil.textconv",
    "diff.evil.command",
    "diff.external",
    "merge.evil.driver",
    "core.fsmonitor",
    "core.sshCommand",
    "core.gitProxy",
    "core.pager",
    "core.editor",
    "core.askPass",
    "core.alternateRefsCommand",
    "credential.helper",
    "credential.https://example.invalid.helper",
    "gpg.program",
    "gpg.ssh.program",
    "gpg.x509.program",
    "gpg.ssh.defaultKeyCommand",
    "sequence.editor",
    "pager.status",
    "pager.log",
    "pager.diff",
    "pager.show",
    "pager.ls-tree",
    "remote.origin.uploadpack",
    "remote.origin.receivepack",
    "remote.origin.vcs",
    "uploadpack.packObjectsHook",
    "difftool.evil.cmd",
    "mergetool.evil.cmd",
    "trailer.evil.command",
    "interactive.diffFilter",
    "web.browser",
    "browser.evil.cmd",
    "sendemail.smtpServer",
    "submodule.evil.update",
    "hook.evil.command",
)

HOOKS = (
    "post-checkout",
    "post-index-change",
    "reference-transaction",
    "pre-auto-gc",
    "post-commit",
    "pre-commit",
    "fsmonitor-watchman",
    "post-rewrite",
)


def trap_repository(tmp_path: Path) -> tuple[Path, Path]:
    """A committed case whose repository names a marker-leaving program in every setting that can run one,
    in its hooks (and in a hooks folder of its own), and in a config file it includes; an edited proposal
    makes `git status` want the clean filter."""
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "valid", repo / "proposals")
    git(repo, "init", "-q")
    (repo / ".gitattributes").write_text("*.yaml filter=Evil diff=evil merge=evil\ncase.yaml filter=included\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "proposals")
    markers = tmp_path / "markers"
    markers.mkdir()

    def trap(name: str) -> str:
        script = tmp_path / "traps" / name.replace("/", "_")
        script.parent.mkdir(exist_ok=True)
        # It passes its input through, so a filter that did run would not break the command and hide itself.
        script.write_text(f"#!/bin/sh\ntouch '{markers / name.replace('/', '_')}'\ncat\n")
        script.chmod(0o755)
        return str(script)

    for key in PROGRAM_KEYS:
        value = trap(key)
        if key == "submodule.evil.update":
            value = "!" + value
        git(repo, "config", key, value)
    git(repo, "config", "remote.origin.url", "ext::" + trap("ext-url"))
    git(repo, "config", "filter.Evil.required", "true")
    git(repo, "config", "log.showSignature", "true")
    included = tmp_path / "included.config"
    included.write_text(f'[filter "included"]\n\tclean = {trap("included.clean")}\n\tprocess = {trap("p")}\n')
    git(repo, "config", "include.path", str(included))
    own_hooks = tmp_path / "hooks"
    own_hooks.mkdir()
    for hook in HOOKS:
        shutil.copy(trap(f"hook-{hook}"), repo / ".git" / "hooks" / hook)
        shutil.copy(trap(f"hooks-path-{hook}"), own_hooks / hook)
    git(repo, "config", "core.hooksPath", str(own_hooks))
    # An edit of the same size, in a later second: git must read the file (through the clean filter) to
    # know it changed.
    time.sleep(1.1)
    source = repo / "proposals" / "minimal.yaml"
    source.write_text(source.read_text().replace("Et lille forslag", "Et lille Forslag"))
    (repo / "proposals" / "case.yaml").touch()
    return repo, markers


def test_the_trap_repository_springs_under_plain_git(tmp_path: Path) -> None:
    repo, markers = trap_repository(tmp_path)
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    subprocess.run(["git", "diff", "HEAD"], cwd=repo, capture_output=True, check=False)
    fired = {m.name for m in markers.iterdir()}
    assert {"filter.Evil.process", "core.fsmonitor", "p"} <= fired, fired


def test_every_program_setting_git_reads_is_overridden(tmp_path: Path) -> None:
    from forslag.history.git import safe_environment

    repo, _markers = trap_repository(tmp_path)
    env = safe_environment(repo)
    overridden = {
        env[f"GIT_CONFIG_KEY_{i}"].lower(): env[f"GIT_CONFIG_VALUE_{i}"] for i in range(int(env["GIT_CONFIG_COUNT"]))
    }
    expected = {k.lower() for k in PROGRAM_KEYS} | {"filter.included.clean", "filter.included.process"}
    assert expected <= set(overridden), expected - set(overridden)
    assert overridden["filter.evil.required"] == "false"
    assert overridden["filter.evil.clean"] == "" and overridden["core.fsmonitor"] == "false"


def test_no_forslag_command_runs_a_program_the_repository_names(run: Run, tmp_path: Path, monkeypatch: Any) -> None:
    from forslag.batch.state import BuildOptions
    from forslag.serve.preview import Preview

    repo, markers = trap_repository(tmp_path)
    out = tmp_path / "out"
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.fsmonitor={repo}'")  # the caller's GIT_* is not trusted
    results = [
        run("build", "proposals", "--out", out, "--jobs", "1", "--no-bind"),
        run("build", "proposals", "--out", out, "--jobs", "1", "--force", "--changes-since", "HEAD"),
        run("diff"),
        run("diff", "--json", "HEAD", "--", "proposals"),
        run("diff", "HEAD", "HEAD"),
    ]
    copy = tmp_path / "Ab12Cd_minimal.yaml"  # as git hands an old version to the diff driver
    copy.write_bytes((repo / "proposals" / "minimal.yaml").read_bytes())
    results.append(run("textconv", copy))
    results.append(run("init", repo / "nyt"))
    # The preview asks git for the stamp on every save.
    preview = Preview([repo / "proposals"], BuildOptions(out=tmp_path / "serve", formats=frozenset({"html"})), print)
    preview._html(repo / "proposals" / "minimal.yaml")
    assert sorted(m.name for m in markers.iterdir()) == []
    assert preview.errors == {}
    codes = [r.code for r in results]
    assert codes == [0, 0, 0, 0, 0, 0, 0], [r.out + r.err for r in results]
    assert "med ikke-committede ændringer" in (out / "minimal.html").read_text()  # git was asked, and answered


def test_git_is_started_in_one_place() -> None:
    """Every git call goes through history/git.py (the benchmark, which makes its own repository, lives in tools/)."""
    src = Path(__file__).resolve().parent.parent / "src" / "forslag"
    starts = [
        path.relative_to(src).as_posix()
        for path in sorted(src.rglob("*.py"))
        if any(word in path.read_text() for word in ("subprocess.", "os.system", "os.popen", "os.exec", "os.spawn"))
    ]
    assert starts == ["history/git.py"]


def test_a_damaged_object_is_named_not_dropped(run: Run, tmp_path: Path, monkeypatch: Any) -> None:
    """A removal and a rename whose old blob is damaged: `diff` says which revision and path it could not
    read and exits 2, instead of comparing without them."""
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "valid", repo / "proposals")
    shutil.copy(repo / "proposals" / "minimal.yaml", repo / "proposals" / "gone.yaml")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "two")
    blob = subprocess.run(
        ["git", "rev-parse", "HEAD:proposals/gone.yaml"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / "proposals" / "gone.yaml").unlink()
    git(repo, "commit", "-q", "-am", "one removed")
    monkeypatch.chdir(repo)
    assert run("diff", "HEAD~1").code == 1  # the removal, seen while the object is whole
    damaged = repo / ".git" / "objects" / blob[:2] / blob[2:]
    damaged.chmod(0o644)
    damaged.write_bytes(b"not a zlib stream")
    result = run("diff", "HEAD~1")
    assert result.code == 2, result.out + result.err
    # Both files held the same bytes (one object): the first one listed is named.
    assert "error: cannot read proposals/gone.yaml at HEAD~1 (" in result.err, result.err
    assert f"its object {blob} is damaged or missing" in result.err
    assert "the repository may be damaged" in result.err and result.out == ""
    tree = subprocess.run(
        ["git", "rev-parse", "HEAD~1:proposals"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    damaged = repo / ".git" / "objects" / tree[:2] / tree[2:]
    damaged.chmod(0o644)
    damaged.write_bytes(b"not a zlib stream")
    result = run("diff", "HEAD~1")
    assert result.code == 2 and "error: cannot list proposals at HEAD~1 (" in result.err, result.err


def test_a_config_changed_between_two_calls_is_listed_again(tmp_path: Path, monkeypatch: Any) -> None:
    """git's config listing is reused between calls only while the files it came from are unchanged: a
    filter that an include brings in after the first call is switched off in the next, and does not run."""
    from forslag.history import git as safe_git

    repo = tmp_path / "repo"
    shutil.copytree(DATA / "valid", repo / "proposals")
    git(repo, "init", "-q")
    (repo / ".gitattributes").write_text("*.yaml filter=late\n")
    late = tmp_path / "late.config"  # named by the repository's config, absent for now
    git(repo, "config", "include.path", str(late))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "proposals")
    source = (repo / "proposals" / "minimal.yaml").resolve()
    listed: list[Path] = []
    real_list = safe_git._list

    def counted(cwd: Path, env: dict[str, str], timeout: float) -> list[tuple[str, str, str]]:
        listed.append(cwd)
        return real_list(cwd, env, timeout)

    monkeypatch.setattr(safe_git, "_list", counted)
    # Files changed a moment ago are not trusted to show a next change in their stat: listed every time.
    safe_git.safe_environment(repo)
    safe_git.safe_environment(repo)
    assert len(listed) == 2
    monkeypatch.setattr(safe_git, "RACY_SECONDS", 0.0)  # as if the config files were older
    listed.clear()
    assert git_states([source])[source] == git_states([source])[source]
    # Six calls (rev-parse in the folder, log and ls-tree at the top, twice), one listing in each folder.
    assert sorted(listed) == [repo.resolve(), source.parent]
    marker = tmp_path / "pwned"
    trap = tmp_path / "trap.sh"
    trap.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat\n")
    trap.chmod(0o755)
    late.write_text(f'[filter "late"]\n\tclean = {trap}\n')
    time.sleep(1.1)  # an edit of the same size in a later second: git must read it through the clean filter
    source.write_text(source.read_text().replace("Et lille forslag", "Et lille Forslag"))
    state = git_states([source])[source]
    assert state.dirty and not marker.exists()
    assert len(listed) == 4  # the include that appeared was seen in both folders before their next call
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    assert marker.exists()  # the trap works under plain git
