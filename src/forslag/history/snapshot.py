"""The proposals under some paths as they were at a revision (or are in the working tree), loaded and computed.

A revision's files are written into a temporary folder at their paths relative to the repository's top,
and loaded from there by the same loader `check` uses; every problem is then reported at the file's own
path with the revision after it (`proposals/x.yaml@v1:12:3: …`), never at the temporary one.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from forslag.document.compute import ComputedProposal
from forslag.errors import ForslagError, Problem, SourceError
from forslag.history.facts import ProposalState, state_of
from forslag.history.revisions import Repository, Revision
from forslag.source.sources import CASE_FILE, SOURCE_SUFFIXES, find_sources, is_follow_up_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


def _is_proposal(path: PurePosixPath) -> bool:
    return path.suffix in SOURCE_SUFFIXES and path.name != CASE_FILE and not is_follow_up_file(path.name)


def _compute(root: Path, file: Path, shown: str, suffix: str) -> tuple[ComputedProposal | None, tuple[str, ...]]:
    """Load and compute one proposal; problems name `shown` (plus `suffix`) instead of the folder read from."""
    from forslag.document.compute import compute
    from forslag.source.load import load_proposal

    prefix = str(root) + "/"

    def where(path: str) -> str:
        return (path.removeprefix(prefix) + suffix) if path.startswith(prefix) else path

    try:
        return compute(load_proposal(file)), ()
    except SourceError as exc:
        problems = [Problem(where(p.path), p.line, p.column, p.message) for p in exc.problems]
        return None, tuple(str(p) for p in sorted(problems))
    except ForslagError as exc:
        return None, (f"{shown}{suffix}: {str(exc).replace(prefix, '')}",)


def _load(root: Path, file: Path, shown: str, suffix: str) -> ProposalState:
    """One proposal's state for the diff: computed, or the problems that kept it from being computed."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return ProposalState(shown, "", problems=(f"{shown}{suffix}: cannot read: {exc.strerror or exc}",))
    text = data.decode("utf-8", errors="replace")
    computed, problems = _compute(root, file, shown, suffix)
    if computed is None:
        return ProposalState(shown, text, problems=problems)
    return state_of(shown, text, computed)


def in_worktree(repo: Repository, specs: Iterable[PurePosixPath]) -> dict[str, ProposalState]:
    """The proposals under `specs` as they are on disk now."""
    states: dict[str, ProposalState] = {}
    paths = [repo.root.joinpath(*spec.parts) for spec in specs]
    for source in find_sources([p for p in paths if p.exists()]):
        shown = source.resolve().relative_to(repo.root).as_posix()
        if _is_proposal(PurePosixPath(shown)):
            states[shown] = _load(repo.root, source.resolve(), shown, "")
    return states


def _case_reference(file: Path) -> str | None:
    """The `case:` a source names, when it names one (read without validating anything else)."""
    from forslag.source.yamlsource import read_yaml

    try:
        data = read_yaml(file).data
    except ForslagError:
        return None
    case = data.get("case") if isinstance(data, dict) else None
    return case if isinstance(case, str) else None


@contextlib.contextmanager
def _materialised(repo: Repository, revision: Revision, proposals: set[PurePosixPath]) -> Iterator[Path]:
    """A temporary folder holding the proposals' folders (sources, case, images) as they were at `revision`."""
    folders = {path.parent for path in proposals}
    wanted: dict[PurePosixPath, tuple[str, int]] = {}
    for folder in sorted(folders):
        for path, blob in repo.files(revision, folder).items():
            # The folder's sources and case, and the images its prose may show; not a whole tree's other files.
            if path.parent == folder or path.suffix.lower() in IMAGE_SUFFIXES:
                wanted[path] = blob
    with tempfile.TemporaryDirectory(prefix="forslag-rev-") as tmp:
        root = Path(tmp).resolve()
        repo.materialise(revision, wanted, root)
        for path in sorted(proposals):
            file = root.joinpath(*path.parts)
            case = _case_reference(file)
            if case and case != CASE_FILE:  # a case file elsewhere in the repository: fetch it too
                target = (file.parent / case).resolve()
                if target.is_relative_to(root) and not target.exists():
                    case_path = PurePosixPath(target.relative_to(root).as_posix())
                    repo.materialise(revision, repo.files(revision, case_path), root)
        yield root


def at_revision(repo: Repository, revision: Revision, specs: Iterable[PurePosixPath]) -> dict[str, ProposalState]:
    """The proposals under `specs` as they were at `revision`, read through git without touching the work tree."""
    proposals: set[PurePosixPath] = set()
    for spec in specs:
        for path in repo.files(revision, spec):
            # A named file, or a folder's own files (as `check` reads them).
            if (path == spec or path.parent == spec) and _is_proposal(path):
                proposals.add(path)
    if not proposals:
        return {}
    states: dict[str, ProposalState] = {}
    with _materialised(repo, revision, proposals) as root:
        for path in sorted(proposals):
            states[str(path)] = _load(root, root.joinpath(*path.parts), str(path), f"@{revision.name}")
    return states


def computed_at(
    repo: Repository, revision: Revision, path: PurePosixPath
) -> tuple[ComputedProposal | None, tuple[str, ...]]:
    """One proposal as it was at `revision`, computed; or None and why not (its problems, or that it is absent).

    The follow-up compares realised figures with this, so later edits to the working copy cannot move its target.
    """
    if path not in repo.files(revision, path) or not _is_proposal(path):
        return None, (f"{path} does not exist at {revision.name} (commit {revision.short})",)
    with _materialised(repo, revision, {path}) as root:
        return _compute(root, root.joinpath(*path.parts), str(path), f"@{revision.name}")
