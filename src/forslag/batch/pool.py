"""Worker processes with bounds: each proposal prints in a child that dies with its parent, within a time and
memory limit, so one document can fail, hang or crash only itself.

A child that is killed (by the time limit, by the kernel, by a fault in a C library) loses only the one
document it was printing; the pool starts another child for the rest. Ctrl-C in the parent stops every child
at once. Children are forked, so they start with what the parent already imported.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from forslag import progress
from forslag.batch.limits import Limits

if TYPE_CHECKING:
    from forslag.batch.jobs import Answer, Call, Job, PrepareJob, PrintJob, Result

    Task = Job | PrepareJob | PrintJob | Call

__all__ = ["Limits", "Pool"]

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """End this child when the parent goes, however it goes (kill -9 included)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:  # the fallback where prctl is unavailable (and a second line where it is)
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="forslag-parent-watch", daemon=True).start()


def _limit_memory(limit: int) -> None:
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child(conn: Connection, parent: int, limits: Limits, warm: bool) -> None:
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent decides what stops, and stops the children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from forslag.batch import jobs, printing

    jobs.memory_limit = limits.memory_bytes
    _limit_memory(limits.memory_bytes)
    progress.listen(lambda step: conn.send(Step(step)))
    if warm:  # load WeasyPrint while the parent (or another child) is still preparing the first page
        with contextlib.suppress(Exception):
            printing.printer()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(_perform(task))


def _perform(task: Task) -> Any:
    """A job whole (load to PDF), or one of its halves; only the half a task needs is imported."""
    from forslag.batch import jobs

    if isinstance(task, jobs.Call):
        return jobs.perform_call(task)
    if isinstance(task, jobs.PrintJob):
        from forslag.batch.printing import print_prepared

        return print_prepared(task.prepared)
    from forslag.batch import worker

    if isinstance(task, jobs.PrepareJob):
        return worker.prepare(task.job)
    return worker.run(task)


@dataclass(frozen=True)
class Step:
    """A child's word on what it does now (see forslag.progress), so a limit can name what took long."""

    text: str


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    job: Task | None = None
    started: float = 0.0
    doing: str = ""  # the step the child last reported for its job


def _first_step(task: Task) -> str:
    from forslag.batch import jobs

    if isinstance(task, jobs.Call):
        return task.doing
    if isinstance(task, jobs.PrintJob):
        return "printing it"
    return "building it"


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
        return f"signal {-code}"
    return f"exit code {code}"


class Pool:
    """`size` children doing tasks; `results` yields one answer per task (a Result, or the Prepared of a
    PrepareJob), in the order they finish. A `warm` child loads WeasyPrint as soon as it starts."""

    def __init__(self, size: int, limits: Limits, *, warm: bool = False) -> None:
        self.size = max(1, size)
        self.limits = limits
        self.warm = warm
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.slots: list[_Slot] = []

    def _start(self) -> _Slot:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_child, args=(child_end, os.getpid(), self.limits, self.warm), daemon=True, name="forslag-worker"
        )
        process.start()
        child_end.close()
        return _Slot(process, parent_end)

    def start(self) -> None:
        """Start every child now, before there is work for them (a warm pool loads WeasyPrint meanwhile)."""
        while len(self.slots) < self.size:
            self.slots.append(self._start())

    def submit(self, task: Task) -> None:
        """Start `task` in an idle child now; `results([])` later waits for its answer, within the limits."""
        self.start()
        idle = next((slot for slot in self.slots if slot.job is None), None)
        if idle is None:
            raise RuntimeError("no idle child for the task")
        self._assign(idle, task)

    def _stop(self, slot: _Slot) -> None:
        with contextlib.suppress(OSError, ValueError):
            slot.process.kill()
        slot.process.join(timeout=5)
        with contextlib.suppress(OSError):
            slot.conn.close()

    def close(self) -> None:
        """Stop every child now (their current documents are abandoned)."""
        for slot in self.slots:
            self._stop(slot)
        self.slots = []

    def _send(self, slot: _Slot) -> None:
        # A child that died meanwhile cannot take the job: its sentinel reports that below.
        with contextlib.suppress(OSError):
            slot.conn.send(slot.job)

    def _lost(self, slot: _Slot, why: str) -> Result | Answer:
        from forslag.batch.jobs import Answer, Call, Result

        assert slot.job is not None
        job = slot.job
        self._stop(slot)
        if slot in self.slots:  # not when close() came first (the preview stopping from another thread)
            self.slots.remove(slot)
        if isinstance(job, Call):
            return Answer(job.index, problems=[f"{job.source}: {why}"])
        return Result(job.source, problems=[f"{job.source}: {why}"])

    def _assign(self, slot: _Slot, job: Task) -> None:
        slot.job, slot.started, slot.doing = job, time.monotonic(), _first_step(job)
        self._send(slot)

    @staticmethod
    def _receive(slot: _Slot) -> Any:
        """The job's answer when it has come (None if not yet), taking the steps reported meanwhile."""
        try:
            while slot.conn.poll():
                message = slot.conn.recv()
                if not isinstance(message, Step):
                    return message
                slot.doing = message.text
        except (EOFError, OSError):
            pass
        return None

    def results(self, jobs: Sequence[Task], keep: bool = False) -> Iterator[Any]:
        """Each task's answer as it finishes; the children are stopped at the end unless `keep` asks to
        keep them warm for more (they are stopped all the same when this ends early)."""
        queue = deque(jobs)
        finished = False
        try:
            while queue or any(s.job is not None for s in self.slots):
                for slot in self.slots:
                    if slot.job is None and queue:
                        self._assign(slot, queue.popleft())
                while queue and len(self.slots) < self.size:
                    slot = self._start()
                    self.slots.append(slot)
                    self._assign(slot, queue.popleft())
                busy = [s for s in self.slots if s.job is not None]
                deadline = min(s.started for s in busy) + self.limits.seconds
                wait(
                    [s.conn for s in busy] + [s.process.sentinel for s in busy],
                    timeout=max(0.0, deadline - time.monotonic()),
                )
                now = time.monotonic()
                for slot in busy:
                    result = self._receive(slot)
                    if result is not None:
                        slot.job = None
                        yield result
                    elif not slot.process.is_alive():
                        code = slot.process.exitcode
                        yield self._lost(
                            slot,
                            f"internal error: the process building it stopped ({_signal_name(code)}); the document "
                            f"may need more than the limit of {self.limits.memory_bytes // 1024**2} MiB, or forslag "
                            "has a fault: please report it",
                        )
                    elif now - slot.started > self.limits.seconds:
                        yield self._lost(
                            slot,
                            f"{slot.doing} took longer than the limit of {self.limits.seconds:g} s per document and "
                            "was stopped; shorten or simplify it (very long tables, very large figures, many "
                            "scenarios or effects)",
                        )
            finished = True
        finally:
            if not (keep and finished):
                self.close()
