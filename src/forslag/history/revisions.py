"""Git, read safely: resolving revisions and reading a revision's files through plumbing, never a checkout.

A repository is untrusted input like a source: its config could name a program to run (core.fsmonitor,
hooks, a textconv or external diff driver, a pager). Every call here overrides those on the command line
and ignores the system config, so reading a repository never runs anything it names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forslag.errors import ForslagError, UsageError
from forslag.history.git import GitError, run_git_bytes, run_git_bytes_checked

MAX_FILE = 2 * 1024 * 1024  # the loader refuses larger sources anyway
MAX_TOTAL = 64 * 1024 * 1024  # what one revision's folders may materialise


def git_bytes(cwd: Path, *args: str) -> bytes | None:
    """Run git through the one safe runner (history/git.py); its output, or None when it fails or is missing."""
    return run_git_bytes(cwd, *args, timeout=60)


class UnreadableRevision(ForslagError):
    """A revision's tree or file cannot be read (a damaged or missing git object): what was compared would be
    incomplete, so nothing is compared."""


def git_text(cwd: Path, *args: str) -> str | None:
    out = git_bytes(cwd, *args)
    return None if out is None else out.decode("utf-8", errors="replace")


def _reason(exc: GitError) -> str:
    """git's own complaint, on one line (its last line says what it could not do)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].split(": ", 1)[-1] if lines else str(exc)


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, resolved to its commit."""

    name: str
    commit: str
    date: dt.date  # the committer date

    @property
    def short(self) -> str:
        return self.commit[:10]


@dataclass(frozen=True)
class Repository:
    root: Path

    @classmethod
    def at(cls, path: Path) -> Repository:
        """The repository holding `path`; a usage error outside one."""
        folder = path if path.is_dir() else path.parent
        top = git_text(folder, "rev-parse", "--show-toplevel") if folder.is_dir() else None
        if top is None or not top.strip():
            raise UsageError(f"{path.resolve()}: not inside a git repository")
        return cls(Path(top.strip()).resolve())

    def resolve(self, name: str) -> Revision:
        """A tag, branch or commit, resolved once so every later read sees the same tree."""
        if not name or name.startswith("-"):
            raise UsageError(f"{name!r} is not a revision")
        out = git_text(self.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
        if out is None or not out.strip():
            if git_text(self.root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
                raise UsageError(f"unknown revision {name!r}: {self.root} has no commits yet")
            raise UsageError(f"unknown revision {name!r} in {self.root}")
        commit = out.strip()
        stamp = git_text(self.root, "show", "-s", "--no-show-signature", "--format=%cs", commit) or ""
        try:
            date = dt.date.fromisoformat(stamp.strip())
        except ValueError:
            date = dt.date(1970, 1, 1)
        return Revision(name, commit, date)

    def relative(self, path: Path) -> PurePosixPath:
        """`path` relative to the repository's top; a usage error when it lies outside."""
        try:
            rel = path.resolve().relative_to(self.root)
        except ValueError:
            raise UsageError(f"{path}: outside the repository {self.root}") from None
        return PurePosixPath(rel.as_posix())

    def files(self, revision: Revision, folder: PurePosixPath) -> dict[PurePosixPath, tuple[str, int]]:
        """Every file under `folder` at `revision`: path -> (blob id, size); symlinks and submodules left out."""
        spec = "." if str(folder) in ("", ".") else str(folder)
        try:
            out = run_git_bytes_checked(
                self.root, "ls-tree", "-r", "-z", "--long", "--full-tree", revision.commit, "--", spec, timeout=60
            )
        except GitError as exc:
            raise UnreadableRevision(
                f"cannot list {spec} at {revision.name} ({revision.short}) in {self.root}: {_reason(exc)}; "
                "the repository may be damaged (`git fsck` tells)"
            ) from None
        found: dict[PurePosixPath, tuple[str, int]] = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            mode, kind, blob, size = meta.split()
            if kind != b"blob" or mode == b"120000":
                continue
            path = PurePosixPath(name.decode("utf-8", errors="replace"))
            if not size.isdigit():  # git could not read the object's header: it is damaged or missing
                raise UnreadableRevision(
                    f"cannot read {path} at {revision.name} ({revision.short}) in {self.root}: its object "
                    f"{blob.decode()} is damaged or missing; the repository may be damaged (`git fsck` tells)"
                )
            found[path] = (blob.decode(), int(size))
        return found

    def blob(self, blob: str, revision: Revision | None = None, path: PurePosixPath | None = None) -> bytes:
        try:
            return run_git_bytes_checked(self.root, "cat-file", "blob", blob, timeout=60)
        except GitError as exc:
            where = f"{path} at {revision.name} ({revision.short})" if revision and path else f"object {blob}"
            raise UnreadableRevision(
                f"cannot read {where} in {self.root}: {_reason(exc)}; the repository may be damaged (`git fsck` tells)"
            ) from None

    def materialise(self, revision: Revision, files: dict[PurePosixPath, tuple[str, int]], target: Path) -> None:
        """Write the given files of `revision` under `target`, at their paths relative to the repository top."""
        total = 0
        for rel, (blob, size) in sorted(files.items()):
            if size > MAX_FILE or ".." in rel.parts or rel.is_absolute():
                continue  # the loader says what is wrong with a file it cannot find; nothing escapes target
            total += size
            if total > MAX_TOTAL:
                raise UsageError(f"{revision.name}: the folders to compare hold more than {MAX_TOTAL // 2**20} MiB")
            dest = target.joinpath(*rel.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(self.blob(blob, revision, rel))
