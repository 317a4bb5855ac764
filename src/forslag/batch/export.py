"""`forslag export`: one case's proposals loaded, computed and written as the workbook and the long table's CSV.

Everything is read and computed before anything is written, and each file is written atomically: a bad
source, a second case or an output path that is a folder leaves the old files as they were.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forslag.batch.bind import slug
from forslag.batch.stamp import git_states, make_stamp
from forslag.batch.writeout import OutputError, output_error, write_atomic
from forslag.errors import Problem, SourceError, UsageError

if TYPE_CHECKING:
    from forslag.batch.followup import FollowUpReport


@dataclass(frozen=True)
class Exported:
    case: str
    proposals: int
    follow_ups: int
    written: tuple[Path, ...]
    warnings: tuple[Problem, ...]


def _target(path: Path, suffix: str, option: str) -> Path:
    if path.suffix.lower() != suffix:
        raise UsageError(f"{option} {path}: name a {suffix} file, e.g. output/sagen{suffix}")
    if path.is_dir():
        raise output_error(path, IsADirectoryError(errno.EISDIR, "is a folder"))
    if path.exists() and not path.is_file():
        raise OutputError(f"cannot write {path}: not a regular file; choose another path")
    return path


def export(
    sources: list[Path],
    workbook: Path | None,
    csv: Path | None,
    write_csv: bool,
    state: str | None,
    out: Path = Path("output"),
    follow_ups: list[Path] | None = None,
) -> Exported:
    """`follow_ups`: the case's follow-up files; each must check (as `forslag followup` checks it), and those of
    the exported proposals add the follow-up sheets. Without any, the workbook is the same bytes as without."""
    from forslag.document.compute import ComputedProposal, compute
    from forslag.document.portfolio import pool_warnings, portfolio
    from forslag.export.longtable import csv_bytes
    from forslag.export.workbook import workbook_bytes
    from forslag.source.load import load_proposal

    if workbook is not None:
        _target(workbook, ".xlsx", "--workbook")
    if csv is not None:
        _target(csv, ".csv", "--csv")
    computed: list[ComputedProposal] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            computed.append(compute(load_proposal(source)))
        except SourceError as exc:
            problems += exc.problems
    if problems:
        raise SourceError(problems)
    cases = {c.source.case.path.resolve() for c in computed}
    if len(cases) > 1:
        raise UsageError(
            f"the proposals belong to {len(cases)} cases ({', '.join(sorted(p.parent.name for p in cases))}); "
            "a workbook holds one case: export one case's folder at a time"
        )
    chosen = [c for c in computed if state is None or c.source.proposal.finance_approval.status == state]
    if not chosen:
        raise UsageError(f"no proposal is in the state {state!r}")
    group = portfolio(computed[0].source.case, chosen)
    case = group.case
    name = slug(case.case.name) + (f"-{state}" if state else "")
    workbook = workbook or out / f"{name}.xlsx"
    csv = csv or workbook.with_suffix(".csv")
    _target(workbook, ".xlsx", "--workbook")
    _target(csv, ".csv", "--csv")

    states = git_states([*(c.source.path for c in chosen), case.path])
    stamps = {}
    for c in chosen:
        stamps[c.name] = make_stamp(c.source.path, c.source.path.read_bytes(), states[c.source.path.resolve()])
    case_stamp = make_stamp(case.path, case.path.read_bytes(), states[case.path.resolve()])
    reports = _follow_ups(follow_ups or [], [c.source.path for c in group.proposals])
    extra = []
    if reports:
        from forslag.batch.followup_build import _stamp, _summary_stamp
        from forslag.export.followup import follow_up_sheets

        extra.append(follow_up_sheets(reports, {r.name: _stamp(r) for r in reports}, _summary_stamp(reports)))
    data = workbook_bytes(group, stamps, case_stamp, extra)
    table = csv_bytes(group) if write_csv else None
    write_atomic(workbook, data)
    written = [workbook]
    if table is not None:
        write_atomic(csv, table)
        written.append(csv)
    warnings = pool_warnings(portfolio(case, computed))  # the whole case's approved proposals, whatever is exported
    return Exported(case.case.name, len(chosen), len(reports), tuple(written), tuple(warnings))


def _follow_ups(files: list[Path], proposals: list[Path]) -> list[FollowUpReport]:
    """Every follow-up made whole by `forslag followup`'s own code (the plan read from git at the adopted
    revision); a SourceError with each problem at its line if any fails. Those of the exported proposals are
    kept, in the order of the workbook's proposals."""
    if not files:
        return []
    from forslag.batch.followup import find_reports

    order = {p.resolve(): i for i, p in enumerate(proposals)}
    reports = [r for r in find_reports(files) if r.loaded.proposal_path.resolve() in order]
    return sorted(reports, key=lambda r: order[r.loaded.proposal_path.resolve()])
