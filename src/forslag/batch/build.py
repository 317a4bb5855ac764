"""Many proposals: what is up to date, parallel workers, atomic writes, and the bound case at the end."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forslag import __version__
from forslag.batch import stale
from forslag.batch.limits import Limits
from forslag.batch.names import check_unique, unsafe_name
from forslag.batch.stamp import git_memo, git_states, make_stamp
from forslag.batch.state import CACHE_DIR, BuildOptions, Cache, Report, file_digest, seen
from forslag.batch.writeout import make_folder, refuse_links, write_atomic
from forslag.document.fonts import ASSETS, font_paths
from forslag.document.layoutfiles import template_files
from forslag.errors import UsageError
from forslag.source.sources import case_file_for, glance

if TYPE_CHECKING:
    from forslag.batch.bind import BindAhead
    from forslag.batch.jobs import Job, Result


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def layout_hash(templates: Path | None) -> str:
    """Templates, fonts and the forslag version: a change to any of them rebuilds everything."""
    h = hashlib.sha256(__version__.encode())
    for path in [*template_files(templates), *font_paths()]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cache_key(
    layout: str,
    formats: list[str],
    content: bytes,
    case_text: bytes,
    stamp_text: str,
    changes: dict[str, Any] | None = None,
) -> str:
    """What a proposal's outputs depend on (`case_text`: its case file as `glance` reads it); `forslag
    serve` keys what it prints the same way, so a later build finds it up to date."""
    return _sha256(json.dumps([layout, formats, _sha256(content), _sha256(case_text), stamp_text, changes]).encode())


def store(result: Result, key: str, out: Path, cache: Cache, case: Path) -> dict[str, Any]:
    """Write a built proposal's files atomically and remember them in the cache; the cache entry."""
    outputs, stats = {}, {}
    for suffix, data in sorted(result.files.items()):
        # A suffix starting with "-" names a companion document (the notat: name-notat.pdf).
        target = out / (result.source.stem + (suffix if suffix.startswith("-") else f".{suffix}"))
        write_atomic(target, data, out)
        outputs[target.name] = [len(data), file_digest(data)]
        stats[target.name] = seen(target)
    entry = {
        "key": key,
        "outputs": outputs,
        "seen": stats,
        "summary": result.summary,
        "source": str(result.source),
        "origin": str(result.source.resolve()),  # where it came from, whatever the folder: stale.py reads it
        "case": str(case),
        "inputs": result.inputs,
    }
    cache.put(result.source.stem, entry)
    return entry


def _pool_jobs(jobs: int | None) -> int:
    return jobs if jobs else (os.cpu_count() or 1)


def _results(
    jobs: list[Job], workers: int, limits: Limits, prepared: Callable[[Path, dict[str, Any]], None] | None = None
) -> Iterator[Result]:
    """Every job's result as it finishes, each printed in a bounded child process (see pool.py); `prepared`
    hears of a lone proposal's summary as soon as it is known, before it is printed."""
    if not jobs:
        return
    if len(jobs) == 1 and workers > 1:
        yield _split(jobs[0], limits, prepared)
        return
    # WeasyPrint is imported before the children are forked, so they start with it instead of each paying
    # for it (measured: a batch whose children import it themselves is about 7 % slower). Validation and
    # rendering (pydantic, Jinja) are left to the children: here they would only hold memory through the
    # binding, which is the build's peak (measured: 19 MiB less, no slower).
    import forslag.document.pdf  # noqa: F401
    from forslag.batch.pool import Pool  # not before there is work: a no-op build starts no process

    yield from Pool(min(workers, len(jobs)), limits).results(jobs)


def _split(job: Job, limits: Limits, prepared_hook: Callable[[Path, dict[str, Any]], None] | None = None) -> Result:
    """One proposal (the editing loop's build) on two cores at once: one child loads WeasyPrint while another
    validates, calculates and renders; the page then goes to the first to print. This process imports
    neither half, so both children start at once; each is bounded as any worker is."""
    from forslag.batch.jobs import Prepared, PrepareJob, PrintJob, Result
    from forslag.batch.pool import Pool

    printer = Pool(1, limits, warm=True)
    try:
        printer.start()
        [answer] = Pool(1, limits).results([PrepareJob(job)])
        if isinstance(answer, Result):  # the child preparing it was lost (killed, out of time)
            return answer
        prepared: Prepared = answer
        if prepared.result.problems or not prepared.prints:
            return prepared.result  # nothing to print: the warm child is stopped unused
        if prepared_hook is not None:
            prepared_hook(job.source, prepared.result.summary)
        [result] = printer.results([PrintJob(prepared)])
        assert isinstance(result, Result)
        return result
    finally:
        printer.close()


def _progress(total: int) -> Any:
    if total >= 4 and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, unit="forslag", desc="building", leave=False, file=sys.stderr)
    return None


def _copy_assets(out: Path) -> None:
    for font in font_paths():
        target = out / ASSETS / font.name
        data = font.read_bytes()
        if not target.exists() or target.stat().st_size != len(data):
            write_atomic(target, data, out)


def _job(source: Path, options: BuildOptions, stamp: Any, changes: dict[str, Any] | None) -> Job:
    from forslag.batch.jobs import Job

    return Job(source, options.formats, options.templates, stamp, changes)


def _annexes(sources: list[Path], options: BuildOptions) -> dict[Path, dict[str, Any] | None]:
    """The change annex of each source (--changes-since), computed here once so workers only place it."""
    if not options.changes_since or not sources:
        return {}
    from forslag.batch.bounded import bounded_map
    from forslag.history.annex import annexes

    runner = functools.partial(bounded_map, limits=options.limits, jobs=options.jobs)
    return annexes(sources, options.changes_since, runner)[1]


def _take(
    result: Result,
    out: Path,
    keys: dict[Path, str],
    cases: dict[Path, Path],
    entries: dict[Path, dict[str, Any]],
    cache: Cache,
    report: Report,
    bar: Any,
    echo: Callable[[str], None],
) -> None:
    """Write one finished proposal's files and cache entry at once, so an interrupted build keeps it."""
    source = result.source
    for warning in result.warnings:
        echo(f"warning: {warning}")  # a warning names its file and line itself
    if result.problems:
        report.failed[source] = result.problems
        if bar is None:
            echo(f"failed: {source}")
        return
    key = keys[source]
    if result.case is not None and result.case != str(cases[source]):
        # The glance at the text named another case than the one loaded (an unusual way of writing `case:`):
        # bind with the loaded one, and leave no key, so the next build cannot trust a key of the wrong case.
        cases[source] = Path(result.case)
        key = ""
    entry = store(result, key, out, cache, cases[source])
    report.written.extend(out / name for name in entry["outputs"])
    entries[source] = entry
    report.built.append(source)
    if bar is None:
        echo(f"built: {source} -> {', '.join(str(out / f) for f in entry['outputs'])}")


def build(
    sources: list[Path], options: BuildOptions, echo: Callable[[str], None] = print, ahead: BindAhead | None = None
) -> Report:
    """Build the sources into `options.out` and bind their cases; `ahead`: a summary already being printed
    (the preview's, started when it rendered the edited proposal), else one is started here when a single
    proposal is built."""
    started = time.monotonic()
    report = Report()
    out = options.out
    check_unique(sources)  # a notat's name and another's own, too
    if options.templates is not None and not options.templates.is_dir():
        raise UsageError(f"--templates {options.templates}: no such folder")
    make_folder(out)
    refuse_links(out, out / CACHE_DIR, out / ASSETS)  # before anything is written
    cache = Cache(out)
    before = stale.snapshot(cache)  # what earlier builds wrote, before this one replaces their records
    layout = layout_hash(options.templates)
    annex = _annexes(sources, options)  # first: an unknown revision is a usage error, and nothing is written
    states = git_states(sources, memo=git_memo(out))
    formats = sorted(options.formats)

    pending: list[Job] = []
    keys: dict[Path, str] = {}
    cases: dict[Path, Path] = {}  # each proposal's case file (resolved): what it is keyed and bound with
    entries: dict[Path, dict[str, Any]] = {}
    for source in sources:
        unsafe = unsafe_name(source.stem)
        try:
            content = b"" if unsafe else source.read_bytes()
        except OSError as exc:
            unsafe = f"cannot read: {exc.strerror or exc}"
        if unsafe:
            report.failed[source] = [f"{source}: {unsafe}"]
            cases[source] = case_file_for(source)  # a failed proposal, too, keeps its case from being bound
            continue
        cases[source] = case_file_for(source, content)
        stamp = make_stamp(source, content, states[source.resolve()])
        changes = annex.get(source)
        # The annex names the revision's commit and date, so a moved tag or branch rebuilds.
        key = cache_key(layout, formats, content, glance(cases[source]), stamp.text, changes)
        keys[source] = key
        entry = None if options.force else cache.fresh(source.stem, key, out)
        if entry is not None and entry["case"] == str(cases[source]):
            report.skipped.append(source)
            entries[source] = entry
        else:
            pending.append(_job(source, options, stamp, changes))

    if "html" in options.formats and (pending or not (out / ASSETS).is_dir()):
        _copy_assets(out)

    bar = _progress(len(pending))
    if ahead is None and options.bind and "pdf" in options.formats and len(pending) == 1:
        from forslag.batch.bind import BindAhead

        ahead = BindAhead(sources, cases, entries, options, layout)
    try:
        for result in _results(pending, _pool_jobs(options.jobs), options.limits, ahead.prepared if ahead else None):
            _take(result, out, keys, cases, entries, cache, report, bar, echo)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()

    try:
        if options.bind:
            from forslag.batch.bind import bind_cases

            bind_cases(sources, cases, entries, report, options, layout, echo, ahead)
    finally:
        if ahead is not None:
            ahead.close()

    stale.remove_stale(before, sources, out, options.formats, report, echo)
    report.seconds = time.monotonic() - started
    for _source, problems in sorted(report.failed.items()):
        for problem in problems:
            echo(f"error: {problem}")
    case_note = ""
    if report.bound or report.bound_fresh or report.unbound:
        case_note = (
            f"; bound case {'written' if report.bound else 'up to date' if report.bound_fresh else 'not written'}"
        )
    echo(
        f"{len(report.built)} built, {len(report.skipped)} up to date, {len(report.failed)} failed"
        f"{case_note} ({report.seconds:.1f} s)"
    )
    return report
