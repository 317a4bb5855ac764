"""The proposals under some paths as they were at a revision (or are in the working tree), loaded and computed.

A revision's files are written into a temporary folder at their paths relative to the repository's top,
and loaded from there by the same loader `check` uses; every problem is then reported at the file's own
path with the revision after it (`proposals/x.yaml@v1:12:3: …`), never at the temporary one.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from forslag.document.compute import ComputedProposal
from forslag.errors import ForslagError, Problem, SourceError
from forslag.history.facts import ProposalState, state_of
from forslag.history.revisions import Repository, Revision
from forslag.source.sources import CASE_FILE, SOURCE_SUFFIXES, find_sources, is_follow_up_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


def _is_proposal(path: PurePosixPath) -> bool:
    return path.suffix in SOURCE_SUFFIXES and path.name != CASE_FILE and not is_follow_up_file(path.name)


@dataclass(frozen=True)
class Item:
    """One proposal to load: the file read (`root` the folder it lies in), shown as `shown` + `suffix`."""

    root: Path
    file: Path
    shown: str
    suffix: str

    @property
    def name(self) -> Path:
        return Path(self.shown + self.suffix)


class Runner(Protocol):
    """How the proposals are loaded: `load` on each item, `failed` for one whose loading failed or was stopped.
    The command line passes a runner that gives each proposal a bounded process (batch.bounded)."""

    def __call__(
        self,
        function: Callable[[Item], ProposalState],
        items: Sequence[Item],
        failed: Callable[[Item, list[str]], ProposalState],
        **kwargs: Any,
    ) -> list[ProposalState]: ...


def in_process(
    function: Callable[[Item], ProposalState],
    items: Sequence[Item],
    failed: Callable[[Item, list[str]], ProposalState],
    **kwargs: Any,
) -> list[ProposalState]:
    """Each item loaded in this process, without bounds (for callers already inside one)."""
    return [function(item) for item in items]


def _text(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def failed(item: Item, problems: list[str]) -> ProposalState:
    """The state of a proposal whose loading failed as a whole: its problems, and its source for the text diff."""
    prefix = str(item.root) + "/"
    return ProposalState(item.shown, _text(item.file), problems=tuple(p.replace(prefix, "") for p in problems))


def _run(runner: Runner, items: list[Item]) -> dict[str, ProposalState]:
    states = runner(load, items, failed, source=lambda item: item.name, doing="comparing it", others="compared")
    return {item.shown: state for item, state in zip(items, states, strict=True)}


def _compute(
    root: Path, file: Path, shown: str, suffix: str, *, charts: bool = True
) -> tuple[ComputedProposal | None, tuple[str, ...]]:
    """Load and compute one proposal; problems name `shown` (plus `suffix`) instead of the folder read from."""
    from forslag.document.compute import compute
    from forslag.source.load import load_proposal

    prefix = str(root) + "/"

    def where(path: str) -> str:
        return (path.removeprefix(prefix) + suffix) if path.startswith(prefix) else path

    try:
        return compute(load_proposal(file), charts=charts), ()
    except SourceError as exc:
        problems = [Problem(where(p.path), p.line, p.column, p.message) for p in exc.problems]
        return None, tuple(str(p) for p in sorted(problems))
    except ForslagError as exc:
        return None, (f"{shown}{suffix}: {str(exc).replace(prefix, '')}",)


def load(item: Item) -> ProposalState:
    """One proposal's state for the diff: computed, or the problems that kept it from being computed."""
    root, file, shown, suffix = item.root, item.file, item.shown, item.suffix
    try:
        data = file.read_bytes()
    except OSError as exc:
        return ProposalState(shown, "", problems=(f"{shown}{suffix}: cannot read: {exc.strerror or exc}",))
    text = data.decode("utf-8", errors="replace")
    computed, problems = _compute(root, file, shown, suffix, charts=False)  # the diff compares figures, not charts
    if computed is None:
        return ProposalState(shown, text, problems=problems)
    return state_of(shown, text, computed)


def in_worktree(
    repo: Repository, specs: Iterable[PurePosixPath], runner: Runner = in_process
) -> dict[str, ProposalState]:
    """The proposals under `specs` as they are on disk now."""
    items: list[Item] = []
    paths = [repo.root.joinpath(*spec.parts) for spec in specs]
    for source in find_sources([p for p in paths if p.exists()]):
        shown = source.resolve().relative_to(repo.root).as_posix()
        if _is_proposal(PurePosixPath(shown)):
            items.append(Item(repo.root, source.resolve(), shown, ""))
    return _run(runner, list({item.shown: item for item in items}.values()))


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


def at_revision(
    repo: Repository, revision: Revision, specs: Iterable[PurePosixPath], runner: Runner = in_process
) -> dict[str, ProposalState]:
    """The proposals under `specs` as they were at `revision`, read through git without touching the work tree."""
    proposals: set[PurePosixPath] = set()
    for spec in specs:
        for path in repo.files(revision, spec):
            # A named file, or a folder's own files (as `check` reads them).
            if (path == spec or path.parent == spec) and _is_proposal(path):
                proposals.add(path)
    if not proposals:
        return {}
    with _materialised(repo, revision, proposals) as root:
        items = [Item(root, root.joinpath(*path.parts), str(path), f"@{revision.name}") for path in sorted(proposals)]
        return _run(runner, items)  # while the folder still exists


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
