"""Version stamps: each output names its source's content hash and the git commit that last changed it."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forslag.batch.writeout import write_atomic
from forslag.document.stamp import Stamp
from forslag.errors import ForslagError
from forslag.history.git import run_git

GIT_MEMO = "git-history.memo"  # in the build's cache folder; not .json, so no proposal's entry can be it


def git_memo(out: Path) -> Path:
    """Where a build into `out` remembers its folders' git history (see `HistoryMemo`)."""
    from forslag.batch.state import CACHE_DIR

    return out / CACHE_DIR / GIT_MEMO


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


def _blobs(listing: str, root: Path) -> dict[Path, str]:
    """Each file's blob id at HEAD, from `git ls-tree -r -z --full-name` ('mode type id\tpath' entries)."""
    blobs: dict[Path, str] = {}
    for entry in listing.split("\0"):
        meta, _, name = entry.partition("\t")
        parts = meta.split(" ")
        if name and len(parts) == 3 and parts[1] == "blob":
            blobs[(root / name).resolve()] = parts[2]
    return blobs


def blob_id(content: bytes, length: int) -> str:
    """git's id of a blob with this content, SHA-1 or (in a SHA-256 repository) SHA-256 by the id's length."""
    digest = hashlib.sha1 if length == 40 else hashlib.sha256
    return digest(b"blob %d\0" % len(content) + content).hexdigest()


_HEX = set("0123456789abcdef")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and len(value) in (40, 64) and set(value) <= _HEX


@dataclass
class History:
    """What HEAD says of one folder: the last commit naming each file, and each file's blob there.

    Fixed for a given HEAD, so a build keeps it beside its cache (`HistoryMemo`) and asks git only for HEAD
    next time: a no-op build in a repository of a few hundred commits then makes one git call, not three.
    """

    head: str
    last: dict[Path, str]
    blobs: dict[Path, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "last": {str(k): v for k, v in self.last.items()},
            "blobs": {str(k): v for k, v in self.blobs.items()},
        }

    @staticmethod
    def from_json(data: Any, head: str) -> History | None:
        """The history read back, or None when it is of another HEAD or not what this code writes."""
        if not isinstance(data, dict) or data.get("head") != head:
            return None
        last, blobs = data.get("last"), data.get("blobs")
        if not isinstance(last, dict) or not isinstance(blobs, dict):
            return None
        if not all(isinstance(k, str) and _is_id(v) for k, v in [*last.items(), *blobs.items()]):
            return None
        return History(head, {Path(k): v for k, v in last.items()}, {Path(k): v for k, v in blobs.items()})


class HistoryMemo:
    """Histories by folder, kept in one JSON file (a hint: anything unreadable is asked of git again)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self.changed = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.data = loaded

    def get(self, folder: Path, head: str) -> History | None:
        return History.from_json(self.data.get(str(folder)), head)

    def put(self, folder: Path, history: History) -> None:
        self.data[str(folder)] = history.as_json()
        self.changed = True

    def save(self) -> None:
        if self.path is not None and self.changed:
            with contextlib.suppress(OSError, ForslagError):  # a hint: the build reports an unwritable folder
                # The memo lies in the output folder's cache (git_memo): no link below that folder is followed.
                write_atomic(self.path, json.dumps(self.data, sort_keys=True).encode(), self.path.parent.parent)


def _history(root: Path, folder: Path, head: str) -> History:
    log = run_git(root, "log", "-z", "--format=commit %H", "--name-only", "--no-renames", "--", str(folder))
    listing = run_git(root, "ls-tree", "-r", "-z", "--full-name", head, "--", str(folder))
    return History(head, _last_commits(log or "", root), _blobs(listing or "", root))


def git_states(sources: Iterable[Path], memo: Path | None = None) -> dict[Path, GitState]:
    """The last commit and dirtiness of every source, from one git call per folder when `memo` (a file
    beside the build's cache) knows the folder's history at this HEAD, and at most four when it does not.

    A file is clean when its content is HEAD's blob of it; only when one is not does `git status` decide (a
    checkout filter or line-end conversion can make equal content look different). NUL-separated output,
    so a name like `blåbær.yaml` is read as written, not as git's quoted form; and every call goes through
    the safe runner, so nothing the repository configures is executed.
    """
    states: dict[Path, GitState] = {}
    memory = HistoryMemo(memo)
    by_folder: dict[Path, list[Path]] = {}
    for source in sources:
        by_folder.setdefault(source.resolve().parent, []).append(source.resolve())
    for folder, files in by_folder.items():
        answer = (run_git(folder, "rev-parse", "--show-toplevel", "HEAD") or "").split()
        if len(answer) != 2 or not _is_id(answer[1]):  # not a repository, or one without a commit yet
            top = run_git(folder, "rev-parse", "--show-toplevel")
            dirty = top is not None and bool(top.strip())
            states.update({f: GitState(None, dirty) for f in files})
            continue
        root, head = Path(answer[0]).resolve(), answer[1]
        history = memory.get(folder, head)
        if history is None:
            history = _history(root, folder, head)
            memory.put(folder, history)
        unsure: list[Path] = []
        for f in files:
            blob = history.blobs.get(f)
            if f not in history.last or blob is None:
                states[f] = GitState(history.last.get(f), True)  # never committed (or not at HEAD)
                continue
            try:
                same = blob_id(f.read_bytes(), len(blob)) == blob
            except OSError:
                same = False
            if same:
                states[f] = GitState(history.last[f], False)
            else:
                unsure.append(f)
        if unsure:
            # Run in `folder`, as rev-parse was, so git's config listing is reused (history/git.py); porcelain
            # paths are relative to the top wherever git runs.
            status = run_git(
                folder, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--", str(folder)
            )
            changed = _changed(status or "", root)
            states.update({f: GitState(history.last[f], f in changed) for f in unsure})
    memory.save()
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
