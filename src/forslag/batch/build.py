"""Many proposals: what is up to date, parallel workers, atomic writes, and the bound case at the end."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forslag import __version__
from forslag.batch.stamp import git_states, make_stamp
from forslag.document.fonts import ASSETS, font_paths
from forslag.document.layoutfiles import template_files
from forslag.errors import UsageError
from forslag.source.sources import case_file_for

if TYPE_CHECKING:
    from forslag.batch.worker import Job, Result
from forslag.batch.state import BuildOptions, Cache, Report
from forslag.batch.writeout import write_atomic


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def layout_hash(templates: Path | None) -> str:
    """Templates, fonts and the forslag version: a change to any of them rebuilds everything."""
    h = hashlib.sha256(__version__.encode())
    for path in [*template_files(templates), *font_paths()]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _pool_jobs(jobs: int | None) -> int:
    return jobs if jobs else (os.cpu_count() or 1)


def _results(jobs: list[Job], workers: int) -> Iterator[Result]:
    if not jobs:
        return
    # Imported here: a build with nothing to do never pays for Jinja, pydantic or WeasyPrint.
    from forslag.batch.worker import run

    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield run(job)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures: list[Future[Result]] = [pool.submit(run, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


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
            write_atomic(target, data)


def _job(source: Path, options: BuildOptions, stamp: Any, changes: dict[str, Any] | None) -> Job:
    from forslag.batch.worker import Job

    return Job(source, options.formats, options.templates, stamp, changes)


def _annexes(sources: list[Path], options: BuildOptions) -> dict[Path, dict[str, Any] | None]:
    """The change annex of each source (--changes-since), computed here once so workers only place it."""
    if not options.changes_since or not sources:
        return {}
    from forslag.history.annex import annexes

    return annexes(sources, options.changes_since)[1]


def build(sources: list[Path], options: BuildOptions, echo: Callable[[str], None] = print) -> Report:
    started = time.monotonic()
    report = Report()
    out = options.out
    names: dict[str, Path] = {}
    for source in sources:
        if source.stem in names:
            raise UsageError(f"{source} and {names[source.stem]} would both write {source.stem}.pdf; rename one")
        names[source.stem] = source
    if options.templates is not None and not options.templates.is_dir():
        raise UsageError(f"--templates {options.templates}: no such folder")
    out.mkdir(parents=True, exist_ok=True)
    cache = Cache(out)
    layout = layout_hash(options.templates)
    states = git_states(sources)
    annex = _annexes(sources, options)
    formats = sorted(options.formats)

    pending: list[Job] = []
    keys: dict[Path, str] = {}
    entries: dict[Path, dict[str, Any]] = {}
    for source in sources:
        try:
            content = source.read_bytes()
            case_bytes = case_file_for(source).read_bytes() if case_file_for(source).is_file() else b""
        except OSError as exc:
            report.failed[source] = [f"{source}: cannot read: {exc.strerror or exc}"]
            continue
        stamp = make_stamp(source, content, states[source.resolve()])
        changes = annex.get(source)
        # The annex names the revision's commit and date, so a moved tag or branch rebuilds.
        key = _sha256(
            json.dumps([layout, formats, _sha256(content), _sha256(case_bytes), stamp.text, changes]).encode()
        )
        keys[source] = key
        entry = None if options.force else cache.fresh(source.stem, key, out)
        if entry is not None:
            report.skipped.append(source)
            entries[source] = entry
        else:
            pending.append(_job(source, options, stamp, changes))

    if "html" in options.formats and (pending or not (out / ASSETS).is_dir()):
        _copy_assets(out)

    bar = _progress(len(pending))
    for result in _results(pending, _pool_jobs(options.jobs)):
        source = result.source
        for warning in result.warnings:
            echo(f"warning: {warning}")  # a warning names its file and line itself
        if result.problems:
            report.failed[source] = result.problems
            if bar is None:
                echo(f"failed: {source}")
        else:
            outputs = {}
            for suffix, data in sorted(result.files.items()):
                target = out / (source.stem + (suffix if suffix.startswith("-") else f".{suffix}"))
                write_atomic(target, data)
                outputs[target.name] = len(data)
                report.written.append(target)
            entry = {"key": keys[source], "outputs": outputs, "summary": result.summary, "source": str(source)}
            cache.put(source.stem, entry)
            entries[source] = entry
            report.built.append(source)
            if bar is None:
                echo(f"built: {source} -> {', '.join(str(out / f) for f in outputs)}")
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()

    if options.bind:
        from forslag.batch.bind import bind_cases

        bind_cases(sources, entries, report, options, layout, echo)

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
