"""The preview's builder: one thread that rebuilds what a save touched, HTML first, then the PDF, then the case.

Everything is rendered and printed in one worker process kept warm between saves (WeasyPrint, its fonts and
the Jinja templates loaded once), under the limits a build gives each proposal: a document that takes too
long or too much memory fails alone, is not cached, and the next save gets a fresh worker. A save of one
proposal writes its HTML (load, calculate, render: tens of milliseconds), tells the open pages, then prints
its PDF; a save that arrives meanwhile is taken first. The
bound case waits until the writer pauses (`IDLE` seconds without a save) or a page asks for it. A source
that does not validate leaves its last good output on disk and its errors in `errors`, which the server
shows in place of the page.
"""

from __future__ import annotations

import dataclasses
import functools
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forslag.batch.build import build, cache_key, layout_hash, store
from forslag.batch.names import check_unique, output_names, unsafe_name
from forslag.batch.stamp import GitState, git_memo, git_states, make_stamp
from forslag.batch.state import BuildOptions, Cache
from forslag.batch.writeout import write_atomic
from forslag.document.layoutfiles import DEFAULT_TEMPLATES
from forslag.errors import ForslagError, UsageError
from forslag.serve.events import Events
from forslag.serve.watch import Touched, touched_by
from forslag.source.sources import CASE_FILE, case_file_for, find_sources, glance

if TYPE_CHECKING:
    from forslag.batch.bind import BindAhead
    from forslag.batch.jobs import Job, Prepared, PrepareJob, PrintJob
    from forslag.batch.pool import Pool
    from forslag.document.stamp import Stamp

IDLE = 2.0  # seconds without a save before the bound case is brought up to date
CASE = "case"  # the event name for the bound case and its index


@dataclass
class BindRequest:
    """A page asked for the bound case: bind first if it is behind, then answer."""

    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class Changes:
    paths: set[Path]


@dataclass
class _Pending:
    """A proposal whose HTML is written and whose PDF is still to print, with what its cache key needs."""

    job: Job
    prepared: Prepared  # the page rendered for the HTML, printed as it is unless the git state moved
    content: bytes
    case: Path
    case_bytes: bytes
    layout: str


class Preview:
    def __init__(self, paths: list[Path], options: BuildOptions, echo: Callable[[str], None]) -> None:
        self.paths = paths
        self.options = dataclasses.replace(options, bind=False, force=False)
        self.echo = echo
        self.events = Events()
        self.stop = threading.Event()
        self.ready = threading.Event()  # the first pass is done
        self.queue: queue.Queue[Changes | BindRequest] = queue.Queue()
        self.errors: dict[str, list[str]] = {}  # proposal name -> problems, while its source does not validate
        self.case_errors: list[str] = []
        self.sources: list[Path] = find_sources(paths)
        self._folders = list(dict.fromkeys((p if p.is_dir() else p.parent).resolve() for p in paths))
        self.case_dirty = True
        self.case_outputs: set[str] = set()
        self.last_save = 0.0
        self._pending: dict[Path, _Pending] = {}
        self._git: dict[Path, GitState] = {}  # the last git state seen of each source
        self._saves = 0  # batches of saves seen; binding is tried once per pause, not again and again
        self._tried = -1
        self._lock = threading.Lock()  # guards errors, sources and case_* for the request threads
        self._pool: Pool | None = None  # the warm worker that renders and prints (see worker())
        self._ahead: BindAhead | None = None  # the bound case's summary printed beside a PDF
        self._thread = threading.Thread(target=self._run, name="forslag-preview-builder", daemon=True)

    # -- what the server asks ------------------------------------------------------------------------
    @property
    def out(self) -> Path:
        return self.options.out

    @property
    def template_dirs(self) -> list[Path]:
        return [d for d in (self.options.templates, DEFAULT_TEMPLATES) if d is not None]

    @property
    def folders(self) -> list[Path]:
        """The folders whose files are watched: every source's folder (figures and case file included), as
        they were at the start (a folder removed meanwhile is still the one watched for)."""
        return self._folders

    def snapshot(self) -> tuple[list[Path], dict[str, list[str]], list[str]]:
        with self._lock:
            return list(self.sources), dict(self.errors), list(self.case_errors)

    def is_case_output(self, name: str) -> bool:
        with self._lock:
            return name in self.case_outputs

    def bound_case(self, timeout: float) -> bool:
        """Bring the bound case up to date before a page shows it; False if that did not finish in time."""
        with self._lock:
            if not self.case_dirty:
                return True
        request = BindRequest()
        self.queue.put(request)
        deadline = time.monotonic() + timeout
        while not request.done.wait(0.2):
            if self.stop.is_set() or time.monotonic() > deadline:
                return False
        return True

    # -- life ----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop now (the document being printed is abandoned with its worker); wake every waiting request."""
        self.stop.set()
        self.events.close()
        if self._pool is not None:
            self._pool.close()
        if self._ahead is not None:
            self._ahead.close()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- the worker process ------------------------------------------------------------------------
    def worker(self) -> Pool:
        """The one bounded child that renders and prints, started (and warming WeasyPrint) on first use."""
        from forslag.batch.pool import Pool

        if self._pool is None:
            self._pool = Pool(1, self.options.limits, warm="pdf" in self.options.formats)
            self._pool.start()
        return self._pool

    def _in_worker(self, task: PrepareJob | PrintJob | Job) -> Any:
        """One task's answer from the worker, within the limits; a Result with the problem when it was lost."""
        return next(iter(list(self.worker().results([task], keep=True))))

    def changed(self, paths: Iterable[Path]) -> None:
        """Called by the watcher with the files a save created, changed or removed."""
        self.queue.put(Changes({Path(p) for p in paths}))

    # -- the builder thread --------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._guarded("the first build", self._first_pass)
        finally:
            self.ready.set()
        waiting: list[BindRequest] = []
        try:
            self._loop(waiting)
        finally:
            for request in waiting:
                request.done.set()

    def _guarded(self, what: str, step: Callable[[], None]) -> None:
        """Run one step; a fault in it is reported and the preview goes on with the next save."""
        try:
            step()
        except Exception as exc:  # a bug or a full disk must not silently stop the builder thread
            if self.stop.is_set():
                return  # the worker was stopped under it: the preview is closing
            if isinstance(exc, ForslagError):
                self.echo(f"error: {what}: {exc}")
            else:
                self.echo(f"error: {what}: internal error: {type(exc).__name__}: {exc}")

    def _loop(self, waiting: list[BindRequest]) -> None:
        while not self.stop.is_set():
            try:
                item: Changes | BindRequest | None = self.queue.get(timeout=0 if self._pending else 0.1)
            except queue.Empty:
                item = None
            items = [item] if item is not None else []
            while True:
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            changed: set[Path] = set()
            for got in items:
                if isinstance(got, BindRequest):
                    waiting.append(got)
                else:
                    changed |= got.paths
            if changed:
                self.last_save = time.monotonic()
                self._saves += 1
                touched = touched_by(changed, self.sources, self.folders, self.template_dirs, self.out)
                self._guarded("a save", functools.partial(self._apply, touched))
                continue  # more saves may have come while the HTML was written: take them before any PDF
            if self._pending:
                source = next(iter(self._pending))
                self._guarded(str(source), functools.partial(self._print, source, self._pending.pop(source)))
                continue
            with self._lock:
                dirty = self.case_dirty
            paused = time.monotonic() - self.last_save >= IDLE and self._tried != self._saves
            if dirty and (waiting or paused):
                self._tried = self._saves
                self._guarded("binding the case", self._bind)
            for request in waiting:
                request.done.set()
            waiting.clear()

    def _first_pass(self) -> None:
        """Build what is out of date (as `forslag build` would, without binding), then warm the printer."""
        report = build(self.sources, self.options, echo=self.echo)
        with self._lock:
            for source, problems in report.failed.items():
                self.errors[source.stem] = problems
        if not self.stop.is_set():
            self._warm()
        self._find_case_outputs()
        # Counted as a save: the case is bound after the first pause, not under a save made right away.
        self.last_save = time.monotonic()
        self.events.publish("*", "ready")

    def _warm(self) -> None:
        """Start the worker and have it print one proposal once (thrown away), so the first save finds fonts
        and layout code loaded."""
        from forslag.batch.jobs import Job

        self.worker()
        for source in self.sources:
            if source.stem not in self.errors and "pdf" in self.options.formats:
                stamp = make_stamp(
                    source, source.read_bytes(), git_states([source], memo=git_memo(self.out))[source.resolve()]
                )
                self._in_worker(Job(source, frozenset({"pdf"}), self.options.templates, stamp))
                return

    def _find_case_outputs(self) -> None:
        from forslag.batch.bind import slug
        from forslag.errors import SourceError
        from forslag.source.load import load_case

        names: set[str] = set()
        problems: list[str] = []
        for folder in self.folders:
            case_path = folder / CASE_FILE
            if not case_path.is_file():
                continue
            try:
                name = slug(load_case(case_path).case.name)
            except SourceError as exc:
                problems.extend(str(p) for p in exc.problems)
                continue
            names |= {f"{name}.pdf", f"{name}.html"}
        with self._lock:
            self.case_outputs, self.case_errors = names, problems

    def _apply(self, touched: Touched) -> None:
        if touched.sources_changed:
            with self._lock:
                before = list(self.sources)
                self.sources = find_sources([p for p in self.paths if p.exists()])  # a folder may be gone
                for name in [n for n in self.errors if n not in {s.stem for s in self.sources}]:
                    del self.errors[name]
            for gone in [s for s in before if s not in self.sources]:
                self._pending.pop(gone, None)  # its PDF is not printed after all
                outputs = [n for n in output_names(gone.stem) if (self.out / n).is_file()]
                left = f"; its outputs stay in {self.out} ({', '.join(outputs)}): delete them" if outputs else ""
                self.echo(f"removed: {gone}{left}")
        if touched.case_changed:
            self._find_case_outputs()
        if touched.anything:
            with self._lock:
                self.case_dirty = True
        by_path = {s.resolve(): s for s in self.sources}
        for resolved in sorted(touched.proposals):
            if resolved in by_path:
                self._html(by_path[resolved])

    def _html(self, source: Path) -> None:
        """Validate and render one proposal; write its HTML at once and leave its PDF pending."""
        from forslag.batch.jobs import Job, PrepareJob, Result

        started = time.monotonic()
        self._pending.pop(source, None)
        # The names `build` refuses are refused here too: nothing is written for them.
        refused = unsafe_name(source.stem)
        if refused is not None:
            self._failed(source, [f"{source}: {refused}"])
            return
        try:
            for other in (s for s in self.sources if s != source):  # only a clash this proposal is part of
                check_unique([source, other])
        except UsageError as exc:
            self._failed(source, [str(exc)])
            return
        try:
            content = source.read_bytes()
            case_path = case_file_for(source, content)
            case_bytes = glance(case_path)
        except OSError as exc:
            self._failed(source, [f"{source}: cannot read: {exc.strerror or exc}"])
            return
        # The HTML is stamped with the git state last seen (asking git costs more than the whole render on a
        # busy machine); the PDF step asks git again, and renders again only if the state moved meanwhile.
        stamp = self._stamp(source, content, fresh="pdf" not in self.options.formats)
        layout = layout_hash(self.options.templates)
        job = Job(source, self.options.formats, self.options.templates, stamp)
        answer = self._in_worker(PrepareJob(job))
        if isinstance(answer, Result):  # the worker was stopped (a limit) or died
            self._failed(source, answer.problems)
            return
        prepared = answer
        result = prepared.result
        if result.problems:
            self._failed(source, result.problems)
            return
        if "html" in self.options.formats:
            write_atomic(self.out / f"{source.stem}.html", result.files["html"], self.out)
        with self._lock:
            self.errors.pop(source.stem, None)
        self.events.publish(source.stem, "html", seconds=round(time.monotonic() - started, 3))
        if "pdf" in self.options.formats:
            self._pending[source] = _Pending(job, prepared, content, case_path, case_bytes, layout)
            self._summary_ahead(source, case_path, result.summary)
        else:
            key = cache_key(layout, sorted(self.options.formats), content, case_bytes, stamp.text)
            store(result, key, self.out, Cache(self.out), case_path)
        self.echo(f"html: {source} ({time.monotonic() - started:.2f} s)")

    def _summary_ahead(self, source: Path, case_path: Path, summary: dict[str, Any]) -> None:
        """Print the bound case's summary now, beside this proposal's PDF, if its amounts change it (see
        bind.BindAhead): the bound case is then ready soon after the PDF is."""
        from forslag.batch.bind import BindAhead

        cache = Cache(self.out)
        entries = {s: e for s in self.sources if s != source and (e := cache.get(s.stem)) is not None}
        if self._ahead is not None:
            self._ahead.close()  # printed for an earlier save
        options = dataclasses.replace(self.options, bind=True)
        layout = layout_hash(self.options.templates)
        self._ahead = BindAhead(list(self.sources), {source: case_path}, entries, options, layout)
        self._ahead.prepared(source, summary)

    def _stamp(self, source: Path, content: bytes, fresh: bool) -> Stamp:
        resolved = source.resolve()
        if fresh or resolved not in self._git:
            self._git[resolved] = git_states([source], memo=git_memo(self.out))[resolved]
        return make_stamp(source, content, self._git[resolved])

    def _print(self, source: Path, pending: _Pending) -> None:
        from forslag.batch.jobs import PrintJob, Result

        started = time.monotonic()
        # Git is asked for the fresh state while the page already rendered prints (the state almost never
        # moves between a save and its PDF); should it have moved, the proposal is rendered and printed again.
        fresh: list[Stamp] = []
        asking = threading.Thread(
            target=lambda: fresh.append(self._stamp(source, pending.content, fresh=True)), name="forslag-git"
        )
        asking.start()
        result = self._in_worker(PrintJob(pending.prepared))
        asking.join()
        stamp = fresh[0] if fresh else self._stamp(source, pending.content, fresh=True)
        if stamp != pending.job.stamp and not result.problems:  # a commit or checkout since the save
            result = self._in_worker(dataclasses.replace(pending.job, stamp=stamp))
        assert isinstance(result, Result)
        if result.problems:  # the HTML rendered, the print failed (a figure WeasyPrint refused, say)
            self._failed(source, result.problems)
            return
        key = cache_key(pending.layout, sorted(self.options.formats), pending.content, pending.case_bytes, stamp.text)
        # As a build does: a case other than the one glanced at (an unusual `case:`) leaves no key to trust.
        case = Path(result.case) if result.case else pending.case
        store(result, key if case == pending.case else "", self.out, Cache(self.out), case)
        self.events.publish(source.stem, "pdf", seconds=round(time.monotonic() - started, 3))
        self.echo(f"pdf: {source} ({time.monotonic() - started:.2f} s)")

    def _failed(self, source: Path, problems: list[str]) -> None:
        with self._lock:
            self.errors[source.stem] = problems
        self.events.publish(source.stem, "error")
        for problem in problems:
            self.echo(f"error: {problem}")

    def _bind(self) -> None:
        """Bind every case: its proposals are up to date by now, so this is the front and the merge."""
        with self._lock:
            sources, failed = list(self.sources), bool(self.errors)
        if failed:
            self.echo("not bound: a proposal does not validate; the case is bound when all do")
            return
        try:
            report = build(sources, dataclasses.replace(self.options, bind=True), echo=self.echo, ahead=self._ahead)
        finally:
            if self._ahead is not None:
                self._ahead.close()
        with self._lock:
            for source, problems in report.failed.items():
                self.errors[source.stem] = problems
            # Only now: a page that asks for the case while it is being bound waits for the new one.
            self.case_dirty = bool(report.failed)
        self.events.publish(CASE, "bound")
