"""Version stamps: each output names its source's content hash and the git commit that last changed it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from forslag.document.stamp import Stamp
from forslag.history.git import run_git


@dataclass(frozen=True)
class GitState:
    commit: str | None
    dirty: bool


def _last_commits(log: str, root: Path) -> dict[Path, str]:
    """The newest commit naming each path, from `git log -z --format='commit %H' --name-only`."""
    last: dict[Path, str] = {}
    commit = None
    for field in log.split("\0"):
        field = field.strip("\n")
        if field.startswith("commit ") and len(field) >= 47 and all(c in "0123456789abcdef" for c in field[7:]):
            commit = field[7:]
        elif field and commit:
            last.setdefault((root / field).resolve(), commit)
    return last


def _changed(status: str, root: Path) -> set[Path]:
    """Paths with changes or untracked, from `git status --porcelain -z --no-renames` ('XY path' entries)."""
    return {(root / entry[3:]).resolve() for entry in status.split("\0") if len(entry) > 3}


def git_states(sources: Iterable[Path]) -> dict[Path, GitState]:
    """The last commit and dirtiness of every source, from two git calls per folder (not one per file).

    NUL-separated output, so a name like `blåbær.yaml` is read as written, not as git's quoted form; and
    every call goes through the safe runner, so nothing the repository configures is executed.
    """
    states: dict[Path, GitState] = {}
    by_folder: dict[Path, list[Path]] = {}
    for source in sources:
        by_folder.setdefault(source.resolve().parent, []).append(source.resolve())
    for folder, files in by_folder.items():
        top = run_git(folder, "rev-parse", "--show-toplevel")
        if top is None or not top.strip():
            states.update({f: GitState(None, False) for f in files})
            continue
        root = Path(top.strip()).resolve()
        log = run_git(root, "log", "-z", "--format=commit %H", "--name-only", "--no-renames", "--", str(folder))
        last = _last_commits(log or "", root)
        status = run_git(
            root, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--", str(folder)
        )
        dirty = _changed(status or "", root)
        for f in files:
            states[f] = GitState(last.get(f), f in dirty or f not in last)
    return states


def make_stamp(source: Path, content: bytes, git: GitState) -> Stamp:
    digest = hashlib.sha256(content).hexdigest()
    text = f"Kilde: {source.name}, sha256 {digest[:12]}"
    if git.commit:
        text += f", commit {git.commit[:10]}"
        if git.dirty:
            text += " med ikke-committede ændringer"
    elif git.dirty:
        text += ", ikke committet"
    return Stamp(text=text, source_sha256=digest, commit=git.commit, dirty=git.dirty)
