"""Version stamps: each output names its source's content hash and the git commit that last changed it."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from forslag.document.stamp import Stamp


@dataclass(frozen=True)
class GitState:
    commit: str | None
    dirty: bool


def _git(cwd: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_states(sources: Iterable[Path]) -> dict[Path, GitState]:
    """The last commit and dirtiness of every source, from two git calls per folder (not one per file)."""
    states: dict[Path, GitState] = {}
    by_folder: dict[Path, list[Path]] = {}
    for source in sources:
        by_folder.setdefault(source.resolve().parent, []).append(source.resolve())
    for folder, files in by_folder.items():
        top = _git(folder, "rev-parse", "--show-toplevel")
        if top is None:
            states.update({f: GitState(None, False) for f in files})
            continue
        root = Path(top.strip()).resolve()
        log = _git(root, "log", "--format=commit %H", "--name-only", "--no-renames", "--", str(folder)) or ""
        last: dict[Path, str] = {}
        commit = None
        for line in log.splitlines():
            if line.startswith("commit "):
                commit = line[7:].strip()
            elif line.strip() and commit:
                last.setdefault((root / line.strip()).resolve(), commit)
        status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", str(folder)) or ""
        dirty = {(root / line[3:].strip().strip('"')).resolve() for line in status.splitlines() if len(line) > 3}
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
