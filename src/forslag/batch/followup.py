"""A follow-up made whole: the file read, its adopted proposal read from git at the named revision, the figures
compared, and every problem reported at its line in the follow-up file."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from forslag import __version__
from forslag.document.compute import ComputedProposal
from forslag.document.stamp import Stamp
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


def _stamp(report: FollowUpReport) -> Stamp:
    t = report.target.revision
    text = (
        f"Kilde: {report.loaded.path.name}, sha256 {report.sha256[:12]}; forslaget i version {t.name}, commit {t.short}"
    )
    return Stamp(text=text, source_sha256=report.sha256, commit=t.commit, dirty=False)


def _summary_stamp(reports: list[FollowUpReport]) -> Stamp:
    digest = hashlib.sha256("".join(sorted(r.sha256 for r in reports)).encode()).hexdigest()
    text = f"Kilde: {len(reports)} opfølgningsfiler, sha256 {digest[:12]}"
    return Stamp(text=text, source_sha256=digest, commit=None, dirty=False)


@dataclass(frozen=True)
class Page:
    name: str  # the output file's name without its suffix
    html: str  # for a screen
    base: Path
    date: dt.date
    title: str
    parts: tuple[str, ...] = ()  # a summary: the names of the reports its PDF binds after it
    author: str = ""  # a summary: the municipality, and the case as its subject
    subject: str = ""


def pages(reports: list[FollowUpReport], templates: Path | None = None) -> list[Page]:
    """Each report's page and one summary page per case, rendered (nothing written)."""
    from forslag.document.followup import render_follow_up, render_summary
    from forslag.document.followup_charts import follow_up_charts
    from forslag.document.render import environment

    env = environment(templates)
    out: list[Page] = []
    cases: dict[Path, list[FollowUpReport]] = {}
    for r in reports:
        charts = follow_up_charts(r.economy)
        html = render_follow_up(env, r, _stamp(r), for_print=False, charts=charts)
        title = f"Opfølgning: {r.target.computed.source.proposal.title}"
        out.append(Page(f"{r.name}-opfoelgning", html, r.loaded.path.parent, r.loaded.source.date, title))
        cases.setdefault(r.loaded.proposal_path.parent.resolve(), []).append(r)
    for folder, group in sorted(cases.items()):
        name = "opfoelgning" if len(cases) == 1 else f"opfoelgning-{folder.name}"
        html = render_summary(env, group, _summary_stamp(group), for_print=False)
        case = group[0].target.computed.source.case.case
        date = max(r.loaded.source.date for r in group)
        parts = tuple(f"{r.name}-opfoelgning" for r in group)
        out.append(Page(name, html, folder, date, f"Opfølgning på {case.name}", parts, case.municipality, case.name))
    return out


def _bind(summary: Page, pdf: bytes, reports: list[tuple[str, bytes]]) -> bytes:
    """The case's follow-up as one tagged PDF: the summary, then every report as printed (batch/merge.py)."""
    from forslag.batch.bind import _pdf_date
    from forslag.batch.merge import Part, merge
    from forslag.document.xmp import Xmp

    producer = f"forslag {__version__}"
    stamp = f"{summary.date.isoformat()}T00:00:00Z"
    xmp = Xmp(
        title=summary.title,
        creators=[summary.author],
        description=summary.subject,
        producer=producer,
        creator_tool=producer,
        created=stamp,
        modified=stamp,
    )
    info = {
        "Title": summary.title,
        "Author": summary.author,
        "Subject": summary.subject,
        "Creator": producer,
        "Producer": producer,
        "CreationDate": _pdf_date(summary.date),
        "ModDate": _pdf_date(summary.date),
    }
    parts = [Part(pdf, "Samlet opfølgning", nest_bookmarks=False)] + [Part(data, title) for title, data in reports]
    return merge(parts, xmp, info)


def build_follow_ups(
    paths: list[Path], out: Path, formats: frozenset[str], override: str | None = None, templates: Path | None = None
) -> list[Path]:
    """Check every follow-up, then render and print every page, then write them all; nothing if anything fails."""
    from forslag.batch.writeout import write_atomic
    from forslag.document.fonts import font_face_css

    reports = find_reports(paths, override)
    rendered = pages(reports, templates)
    files: dict[Path, bytes] = {}
    printer = None
    for page in rendered:
        if "html" in formats:
            files[out / f"{page.name}.html"] = page.html.encode()
        if "pdf" in formats:
            from forslag.document.pdf import Printer

            printer = printer or Printer()
            identifier = hashlib.sha256(b"followup\0" + page.html.encode()).hexdigest()[:32].encode()
            printable = page.html.replace(font_face_css(False), font_face_css(True), 1)
            pdf = printer.pdf(printable, page.base, identifier=identifier, date=page.date)
            if page.parts:  # the summary binds the reports after it, each with its own tags and bookmarks
                titles = {p.name: p.title for p in rendered}
                reports_pdf = [(titles[name], files[out / f"{name}.pdf"]) for name in page.parts]
                pdf = _bind(page, pdf, reports_pdf)
            files[out / f"{page.name}.pdf"] = pdf
    for path, data in files.items():
        write_atomic(path, data)
    if "html" in formats:
        from forslag.batch.build import _copy_assets

        _copy_assets(out)  # the fonts the HTML pages name in assets/, as `forslag build` writes them
    return list(files)
