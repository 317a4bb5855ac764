"""Any per-proposal work (check, diff, textconv) under the limits a build has: each proposal in a bounded child.

A proposal that raises, runs past the time limit or exhausts the memory limit fails alone; the others are
answered. The answers come back in the order of the items, whatever order the children finish in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from forslag.batch.limits import Limits

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(
    function: Callable[[T], R],
    items: Sequence[T],
    failed: Callable[[T, list[str]], R],
    *,
    source: Callable[[T], Path],
    doing: str,
    others: str,
    limits: Limits | None = None,
    jobs: int | None = None,
) -> list[R]:
    """`function(item)` for every item, each in a child within `limits`; `failed(item, problems)` for an item
    whose child raised or was stopped. `function` must be a module-level function (children receive it by
    name); `source` names an item in messages; `doing`/`others` word a fault ("checking it", "checked")."""
    import os

    from forslag.batch.jobs import Answer, Call
    from forslag.batch.pool import Pool

    if not items:
        return []
    calls = [Call(source(item), function, item, i, doing, others) for i, item in enumerate(items)]
    workers = min(jobs or os.cpu_count() or 1, len(calls))
    answers: dict[int, Answer] = {}
    for answer in Pool(workers, limits or Limits()).results(calls):
        assert isinstance(answer, Answer)
        answers[answer.index] = answer
    out: list[R] = []
    for i, item in enumerate(items):
        answer = answers[i]
        out.append(failed(item, answer.problems) if answer.problems else answer.value)
    return out
