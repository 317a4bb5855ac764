"""A follow-up made whole: the file read, its adopted proposal read from git at the named revision, the figures
compared, and every problem reported at its line in the follow-up file (nothing rendered or written here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from forslag.document.compute import ComputedProposal
from forslag.economy.followup import FollowUpEconomy, GoalLine, Threshold, follow_up
from forslag.errors import ForslagError, Problem, SourceError, UsageError
from forslag.history.revisions import Repository, Revision
from forslag.history.snapshot import computed_at
from forslag.source.followup import (
    AdoptedVersion,
    Decision,
    LoadedFollowUp,
    check_against_adopted,
    load_follow_up,
    passed_years,
)
from forslag.source.yamlsource import Loc, read_yaml


@dataclass(frozen=True)
class Version:
    """One decision and the proposal as it stood at its revision."""

    decision: Decision
    revision: Revision
    computed: ComputedProposal

    @property
    def where(self) -> str:
        return f"{self.revision.name} (commit {self.revision.short})"


@dataclass(frozen=True)
class FollowUpReport:
    loaded: LoadedFollowUp
    versions: tuple[Version, ...]  # the adoption, then each amendment; the last is the target
    economy: FollowUpEconomy
    sha256: str  # of the follow-up file's bytes

    @property
    def target(self) -> Version:
        return self.versions[-1]

    @property
    def name(self) -> str:
        """The output name: the proposal's, as at the target revision."""
        return Path(self.target.computed.source.path).stem


def _decisions(loaded: LoadedFollowUp) -> list[tuple[Decision, Loc]]:
    f = loaded.source
    return [(f.adopted, ("adopted", "revision"))] + [(d, ("amended", i, "revision")) for i, d in enumerate(f.amended)]


def _resolve(
    loaded: LoadedFollowUp, repo: Repository | None, override: str | None
) -> tuple[list[Revision], list[Problem]]:
    """Each decision's revision, resolved; a revision given on the command line replaces the target's."""
    revisions: list[Revision] = []
    problems: list[Problem] = []
    decisions = _decisions(loaded)
    for i, (decision, loc) in enumerate(decisions):
        name = override if override is not None and i == len(decisions) - 1 else decision.revision
        if repo is None:
            problems.append(
                loaded.problem(
                    loc, "the follow-up is not inside a git repository: the adopted version is read from git"
                )
            )
            continue
        try:
            revisions.append(repo.resolve(name))
        except UsageError as exc:
            if override is not None and name == override:
                raise UsageError(f"--adopted: {exc}") from None
            problems.append(
                loaded.problem(loc, f"{exc}: name the tag, branch or commit that holds the proposal as decided")
            )
    return revisions, problems


def _later_rows(path: Path) -> frozenset[str]:
    """Row ids of the proposal in the working copy, read loosely: only to say a row was added after the decision."""
    try:
        data = read_yaml(path).data
    except ForslagError:
        return frozenset()
    economy = data.get("economy") if isinstance(data, dict) else None
    ids: set[str] = set()
    for block in ("permanent", "implementation"):
        for line in (economy or {}).get(block) or [] if isinstance(economy, dict) else []:
            if isinstance(line, dict) and isinstance(line.get("id"), str):
                ids.add(line["id"])
    return frozenset(ids)


def _adopted_version(version: Version, later: frozenset[str]) -> AdoptedVersion:
    e = version.computed.economy
    rows = {c.line.id: (c.row.label, c.row.values) for c in (*e.permanent, *e.implementation)}
    p = version.computed.source.proposal
    goals = tuple(g.goal for g in (*p.follow_up.implementation, *p.follow_up.realisation))
    return AdoptedVersion(version.where, e.years, rows, goals, later - rows.keys())


def _goals(loaded: LoadedFollowUp, computed: ComputedProposal) -> tuple[GoalLine, ...]:
    given = {g.goal: g for g in loaded.source.goals}
    out = []
    p = computed.source.proposal
    for group, goals in (("implementation", p.follow_up.implementation), ("realisation", p.follow_up.realisation)):
        for g in goals:
            status = given.get(g.goal)
            if status is not None:
                out.append(GoalLine(group, g.goal, status.status, status.explanation))
    return tuple(out)


def make_report(path: Path, override: str | None = None) -> FollowUpReport:
    """Read a follow-up and its adopted proposal; SourceError with every problem, each at its line."""
    loaded = load_follow_up(path)
    try:
        repo: Repository | None = Repository.at(path.resolve())
    except UsageError:
        repo = None
    revisions, problems = _resolve(loaded, repo, override)
    if problems or repo is None:
        raise SourceError(problems)
    try:
        relative = repo.relative(loaded.proposal_path)
    except UsageError as exc:  # a symlinked folder leading out of the repository
        raise SourceError([loaded.problem(("proposal",) if loaded.source.proposal else (), str(exc))]) from None
    versions: list[Version] = []
    for (decision, loc), revision in zip(_decisions(loaded), revisions, strict=True):
        computed, why = computed_at(repo, revision, relative)
        if computed is None:
            problems.append(loaded.problem(loc, f"the proposal cannot be read at {revision.name}: {'; '.join(why)}"))
            continue
        versions.append(Version(decision, revision, computed))
    if problems:
        raise SourceError(problems)
    target = versions[-1]
    adopted = _adopted_version(target, _later_rows(loaded.proposal_path))
    problems += check_against_adopted(loaded, adopted)
    if problems:
        raise SourceError(problems)
    f = loaded.source
    result = follow_up(
        target.computed.source.proposal,
        target.computed.source.case.case,
        target.computed.economy,
        {r.id: {y: int(v) for y, v in r.realised.items()} for r in f.rows},
        {r.id: dict(r.explanations) for r in f.rows},
        passed_years(f, adopted.years),
        Threshold(f.threshold.percent, f.threshold.amount),
        _goals(loaded, target.computed),
    )
    index = {r.id: i for i, r in enumerate(f.rows)}
    for row_id, year in result.missing_explanations:
        row = next(r for r in result.rows if r.id == row_id)
        line = next(y for y in row.years if y.year == year)
        c = line.compared
        problems.append(
            loaded.problem(
                ("rows", index[row_id], "realised", year),
                f"row {row_id!r} {year}: realised {c.realised} against planned {c.planned} deviates by "
                f"{c.deviation}{f' ({c.percent} %)' if c.percent is not None else ''}, beyond the threshold "
                f"({f.threshold.percent} % and {f.threshold.amount} (1.000 kr.)): "
                f"add 'explanations: {{{year}: …}}' to the row",
            )
        )
    if problems:
        raise SourceError(problems)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return FollowUpReport(loaded, tuple(versions), result, sha)


def find_reports(paths: list[Path], override: str | None = None) -> list[FollowUpReport]:
    """Every follow-up under `paths`, made whole; one SourceError with every problem of every file."""
    from forslag.source.sources import find_follow_ups

    files = find_follow_ups(paths)
    if not files:
        raise UsageError(f"no follow-up files (*.followup.yaml) in {', '.join(map(str, paths))}")
    reports: list[FollowUpReport] = []
    problems: list[Problem] = []
    for path in files:
        try:
            reports.append(make_report(path, override))
        except SourceError as exc:
            problems += exc.problems
    if problems:
        raise SourceError(problems)
    return reports
