"""What passes between the build and its worker processes: jobs, their results, and what a failure says.

Kept free of the heavy imports (pydantic, Jinja, WeasyPrint), so a process that only prints can receive a job
without loading what only validating and rendering need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forslag.document.stamp import Stamp
from forslag.errors import ForslagError, SourceError

memory_limit: int | None = None  # set in a pool's child process, for the message when a document exceeds it


@dataclass(frozen=True)
class Job:
    source: Path
    formats: frozenset[str]
    templates: Path | None
    stamp: Stamp
    changes: dict[str, Any] | None = None  # the change annex, computed in the main process (--changes-since)


@dataclass
class Result:
    source: Path
    files: dict[str, bytes] = field(default_factory=dict)  # suffix -> bytes
    summary: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    case: str | None = None  # the case file the proposal was loaded with (resolved), which it is bound with
    inputs: dict[str, str] = field(default_factory=dict)  # figure files read -> sha256 (see prose.py)


@dataclass(frozen=True)
class Print:
    """One PDF to print from a rendered page: everything WeasyPrint needs, and nothing of the source."""

    suffix: str  # the output suffix: "pdf", or "-notat.pdf" for the committee notat
    html: str  # the page for print (fonts read from this machine's files)
    base: Path  # the source's folder, which relative figure paths resolve against
    identifier: bytes  # the PDF's /ID: the same page gives the same bytes
    date: dt.date  # the document's date, the only time that reaches the bytes
    info: dict[str, str]
    planned: bool = False  # report the layout's plan (continued.planned) in the result's summary["plan"]
    plan: list[Any] | None = None  # a plan from a page of the same shape, tried first


@dataclass
class Prepared:
    """A proposal validated, calculated and rendered; what is left is printing its PDFs."""

    result: Result
    prints: list[Print] = field(default_factory=list)


@dataclass(frozen=True)
class PrintJob:
    """The second half of a job split across two processes (see build.py): print what was prepared."""

    prepared: Prepared

    @property
    def source(self) -> Path:
        return self.prepared.result.source


def failure(source: Path, exc: BaseException, doing: str = "building it", others: str = "built") -> list[str]:
    """What a user is told when building (or `doing` anything else to) `source` raised `exc`; one proposal's
    fault never stops the others (which are `others`: built, checked, compared)."""
    if isinstance(exc, SourceError):
        return [str(p) for p in exc.problems]
    if isinstance(exc, ForslagError):
        return [f"{source}: {exc}"]
    if isinstance(exc, MemoryError):
        limit = f"the limit of {memory_limit // 1024**2} MiB" if memory_limit else "the memory available"
        return [f"{source}: printing it needed more memory than {limit}; shorten or simplify it"]
    if isinstance(exc, RecursionError):
        return [
            f"{source}: the document is nested too deeply to print (lists, quotes or emphasis inside one "
            "another); flatten it"
        ]
    return [
        f"{source}: internal error while {doing}: {type(exc).__name__}: {str(exc)[:200]}; "
        f"the other proposals are {others}; please report it"
    ]


@dataclass(frozen=True)
class PrepareJob:
    """The first half of a job split across two processes (see build.py): validate, calculate, render."""

    job: Job

    @property
    def source(self) -> Path:
        return self.job.source


@dataclass(frozen=True)
class Call:
    """Any one piece of work on one proposal done in a bounded child (check, diff, textconv): `function(argument)`.

    `function` is a module-level function (it travels by name); `source` is what a failure is reported at.
    """

    source: Path
    function: Callable[[Any], Any]
    argument: Any
    index: int
    doing: str = "checking it"  # for a fault's message: "internal error while checking it"
    others: str = "checked"


@dataclass
class Answer:
    """A Call's return value, or what went wrong (a fault in it, a limit it went over)."""

    index: int
    value: Any = None
    problems: list[str] = field(default_factory=list)


def perform_call(call: Call) -> Answer:
    try:
        return Answer(call.index, call.function(call.argument))
    except Exception as exc:  # KeyboardInterrupt is not caught: the parent stops its children itself
        return Answer(call.index, problems=failure(call.source, exc, call.doing, call.others))
