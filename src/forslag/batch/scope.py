"""What a build covers: which sources it reads, and whether the bound case comes along.

Binding is off the path of an edit: `forslag build one.yaml` builds that proposal and leaves the bound case
as it was, since binding lays out the case's front again and copies every proposal's pages (seconds for a
large case) for a document nobody is looking at while writing. The case is bound when a whole folder is
named (the default `proposals/` included) or when `--bind` asks for it; a bound case always holds every
proposal of its folder, so `--bind` with single files builds their siblings too (those up to date are only
checked), never a case of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from forslag.errors import Problem, SourceError, UsageError
from forslag.source.sources import find_sources


def wants_bind(paths: list[Path], asked: bool | None) -> bool:
    """`--bind` (True), `--no-bind` (False), or unsaid (None): bind when a folder is named."""
    if asked is not None:
        return asked
    return any(path.is_dir() for path in paths)


def build_sources(paths: list[Path], bind: bool) -> list[Path]:
    """The proposals a build reads: those named, and, when it binds, the rest of each named file's folder."""
    if not bind:
        return find_sources(paths)
    folders = [path if path.is_dir() else path.parent for path in paths]
    return find_sources([*paths, *folders])


def check_state(state: str | None) -> str | None:
    """A state named on the command line, or a usage error that lists the states there are."""
    if state is None:  # before the import: the model brings pydantic, 0,2 s a build without --state never needs
        return None
    from forslag.source.model import APPROVAL_STATES

    if state not in APPROVAL_STATES:
        raise UsageError(f"--state takes one of {', '.join(APPROVAL_STATES)}; got {state!r}")
    return state


def in_state(sources: Sequence[Path], state: str) -> list[Path]:
    """The sources whose proposal is in `state`; every invalid source is an error (its state is unknown)."""
    from forslag.source.load import load_proposal

    chosen: list[Path] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            loaded = load_proposal(source)
        except SourceError as exc:
            problems += exc.problems
            continue
        if loaded.proposal.finance_approval.status == state:
            chosen.append(source)
    if problems:
        raise SourceError(problems)
    return chosen
