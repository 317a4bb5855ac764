"""`forslag diff`: which revisions and paths were meant, and the proposals' diff between the two."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forslag.errors import UsageError
from forslag.history.diff import ProposalDiff, diff_states
from forslag.history.facts import ProposalState
from forslag.history.revisions import Repository, Revision
from forslag.history.snapshot import Runner, at_revision, in_process, in_worktree

WORKTREE_NAME = "working tree"


@dataclass(frozen=True)
class Comparison:
    repo: Repository
    old: Revision
    new: Revision | None  # None: the working tree
    specs: tuple[PurePosixPath, ...]
    diffs: list[ProposalDiff]

    @property
    def new_name(self) -> str:
        return self.new.name if self.new else WORKTREE_NAME

    @property
    def economic(self) -> bool:
        return any(d.economic for d in self.diffs)


def split_arguments(repo: Repository, args: list[str], cwd: Path) -> tuple[list[Revision], list[Path]]:
    """Like git: up to two leading revisions, then paths; `--` ends the revisions early."""
    revisions: list[Revision] = []
    paths: list[Path] = []
    if "--" in args:
        cut = args.index("--")
        head, tail = args[:cut], args[cut + 1 :]
        if len(head) > 2:
            raise UsageError(f"at most two revisions before '--'; got {' '.join(head)}")
        return [repo.resolve(a) for a in head], [cwd / a for a in tail]
    for i, arg in enumerate(args):
        if len(revisions) < 2 and not (cwd / arg).exists():
            try:
                revisions.append(repo.resolve(arg))
                continue
            except UsageError:
                raise UsageError(
                    f"{arg!r} is neither a revision nor a path in the working tree "
                    "(put '--' before paths that exist only in a revision)"
                ) from None
        paths = [cwd / a for a in args[i:]]
        break
    return revisions, paths


def compare(args: list[str], cwd: Path, default: Path, runner: Runner = in_process) -> Comparison:
    """The proposals' diff between the revisions and paths `args` name; each proposal loaded by `runner`."""
    repo = Repository.at(cwd)
    revisions, paths = split_arguments(repo, args, cwd)
    if not paths:
        paths = [default if default.exists() else cwd]
    specs = tuple(repo.relative(p) for p in paths)
    old = revisions[0] if revisions else repo.resolve("HEAD")
    new = revisions[1] if len(revisions) > 1 else None
    old_states = at_revision(repo, old, specs, runner)
    new_states: dict[str, ProposalState] = (
        in_worktree(repo, specs, runner) if new is None else at_revision(repo, new, specs, runner)
    )
    if not old_states and not new_states:
        shown = ", ".join(str(s) or "." for s in specs)
        raise UsageError(f"no proposal sources in {shown} at {old.name} or in the {new.name if new else WORKTREE_NAME}")
    return Comparison(repo, old, new, specs, diff_states(old_states, new_states))
