"""`forslag diff` for follow-ups: the realised figures and goal statuses that changed between two revisions.

The follow-up files under the compared paths are read at each revision through the same safe git reader as the
proposals (history/revisions.py), into a temporary folder, and loaded on their own: a change in a realised
amount is a change in the money, whatever the adopted proposal says.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from forslag.document import danish
from forslag.errors import SourceError
from forslag.history.report import BLANK, _table, signed
from forslag.history.revisions import Repository, Revision
from forslag.source.followup import load_follow_up
from forslag.source.sources import find_follow_ups, is_follow_up_file


@dataclass(frozen=True)
class Realised:
    """What a follow-up file says at one revision: realised amounts by (row, year), and each goal's status."""

    amounts: dict[tuple[str, int], int] = field(default_factory=dict)
    goals: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpDiff:
    path: str
    amounts: list[tuple[str, int, int | None, int | None]]  # row, year, old, new
    goals: list[tuple[str, str | None, str | None]]  # goal, old status, new status
    problems: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.amounts or self.goals or self.problems)


def _read(file: Path, shown: str, suffix: str, root: Path | None) -> Realised:
    try:
        loaded = load_follow_up(file)
    except SourceError as exc:
        prefix = f"{root}/" if root else ""
        return Realised(
            problems=tuple(str(p).replace(prefix, "").replace(shown, shown + suffix, 1) for p in exc.problems)
        )
    f = loaded.source
    amounts = {(r.id, y): int(v) for r in f.rows for y, v in r.realised.items()}
    return Realised(amounts, {g.goal: g.status for g in f.goals})


def at_revision(repo: Repository, revision: Revision, specs: Iterable[PurePosixPath]) -> dict[str, Realised]:
    wanted: dict[PurePosixPath, tuple[str, int]] = {}
    for spec in specs:
        for path, blob in repo.files(revision, spec).items():
            if (path == spec or path.parent == spec) and is_follow_up_file(path.name):
                wanted[path] = blob
    if not wanted:
        return {}
    with tempfile.TemporaryDirectory(prefix="forslag-followup-") as tmp:
        root = Path(tmp).resolve()
        repo.materialise(revision, wanted, root)
        return {str(p): _read(root.joinpath(*p.parts), str(p), f"@{revision.name}", root) for p in sorted(wanted)}


def in_worktree(repo: Repository, specs: Iterable[PurePosixPath]) -> dict[str, Realised]:
    paths = [repo.root.joinpath(*spec.parts) for spec in specs]
    out: dict[str, Realised] = {}
    for file in find_follow_ups([p for p in paths if p.exists()]):
        shown = file.resolve().relative_to(repo.root).as_posix()
        out[shown] = _read(file, shown, "", None)
    return out


def diff(old: dict[str, Realised], new: dict[str, Realised]) -> list[FollowUpDiff]:
    """Per follow-up file on either side: the amounts and statuses that differ (a file on one side only: all)."""
    out = []
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path, Realised()), new.get(path, Realised())
        keys = sorted(a.amounts.keys() | b.amounts.keys())
        amounts = [
            (r, y, a.amounts.get((r, y)), b.amounts.get((r, y)))
            for r, y in keys
            if a.amounts.get((r, y)) != b.amounts.get((r, y))
        ]
        goals = [
            (g, a.goals.get(g), b.goals.get(g))
            for g in dict.fromkeys([*a.goals, *b.goals])
            if a.goals.get(g) != b.goals.get(g)
        ]
        problems = tuple(dict.fromkeys([*a.problems, *b.problems])) if a.problems != b.problems else ()
        out.append(FollowUpDiff(path, amounts, goals, problems))
    return [d for d in out if d.changed]


def follow_up_changes(
    repo: Repository, old: Revision, new: Revision | None, specs: Iterable[PurePosixPath]
) -> list[FollowUpDiff]:
    specs = tuple(specs)
    before = at_revision(repo, old, specs)
    after = in_worktree(repo, specs) if new is None else at_revision(repo, new, specs)
    return diff(before, after)


def _cell(value: int | None) -> str:
    return BLANK if value is None else danish.number(value)


def follow_up_text(diffs: list[FollowUpDiff]) -> list[str]:
    """The changed realised figures as the diff's text report prints them (amounts in 1.000 kr.)."""
    lines: list[str] = []
    for d in diffs:
        lines.append(f"{d.path}: follow-up")
        lines.extend(f"  error: {p}" for p in d.problems)
        if d.amounts:
            lines.append("  realised, 1.000 kr.")
            lines.extend(
                _table(
                    [[f"row {r}", str(y), _cell(o), _cell(n), signed((n or 0) - (o or 0))] for r, y, o, n in d.amounts]
                )
            )
        for goal, o, n in d.goals:
            lines.append(f"  goal {goal!r}: {o or '·'} -> {n or '·'}")
        lines.append("")
    return lines


def follow_up_json(diffs: list[FollowUpDiff]) -> list[dict[str, Any]]:
    return [
        {
            "path": d.path,
            "realised": [
                {"row": r, "year": y, "old": o, "new": n, "difference": (n or 0) - (o or 0)} for r, y, o, n in d.amounts
            ],
            "goals": [{"goal": g, "old": o, "new": n} for g, o, n in d.goals],
            "problems": list(d.problems),
        }
        for d in diffs
    ]
