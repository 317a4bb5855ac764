"""Fuzzing business cases: the examples' business cases with values swapped for hostile ones (negative and
huge growth, huge amounts, long and mathtext names, many scenarios, lags past the horizon) end in ok or a
clean error at file:line, within the limits, and the proposals beside them are checked all the same.

`check` runs as a user's command does (each proposal in a bounded child); a fixed, derandomized budget.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forslag.cli import main

from .conftest import DATA, PROPOSALS

CASES = {
    "roedovre/invester-foer-det-sker.yaml": PROPOSALS / "roedovre",
    "ishoej/ishoej-model.yaml": PROPOSALS / "ishoej",
    "parforhold.yaml": DATA / "notat",
}

NUMBERS: list[Any] = [-1, -2, 0, 1, 50, 51, 10**14, -(10**14), 99999999999999, 0.5, -0.999999, 1e-10, 2, 1000]
TEXTS = [
    "$\\undefined{$",
    "5$ pr. $ 3",
    "$x$" * 2000,
    "x" * 100_000,
    "\x1b[2J",
    "\u202eevil",
    "{{ bc.x.npv }}",
    "  Staten ",
    "STATEN",
    "",
]

# Where in a business case a value can go: a path of keys, "*" for every item of a list.
PLACES = [
    ("first_year",),
    ("horizon",),
    ("participants", "total"),
    ("costs", "*", "yearly"),
    ("costs", "*", "one_off"),
    ("costs", "*", "label"),
    ("scenarios", "*", "success_rate"),
    ("scenarios", "*", "deadweight"),
    ("scenarios", "*", "name"),
    ("effects", "*", "value"),
    ("effects", "*", "growth"),
    ("effects", "*", "lag"),
    ("effects", "*", "duration"),
    ("effects", "*", "phase_in"),
    ("effects", "*", "label"),
    ("effects", "*", "payer"),
    ("investor",),
    ("discounting", "rate"),
]

mutation = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(PLACES), st.sampled_from([*NUMBERS, *TEXTS])),
    st.tuples(st.just("scenarios"), st.integers(0, 400)),
    st.tuples(st.just("effects"), st.integers(0, 300)),
)


def _set(data: dict[str, Any], place: tuple[str, ...], value: Any) -> None:
    head, rest = place[0], place[1:]
    if head == "*":
        if isinstance(data, list):
            for item in data:
                _set(item, rest, value)
        return
    if not isinstance(data, dict):
        return
    if not rest:
        data[head] = value
    elif head in data:
        _set(data[head], rest, value)


def _mutate(data: dict[str, Any], steps: list[tuple[Any, ...]]) -> None:
    bc = data["business_case"]
    scenario, effect = dict(bc["scenarios"][0]), dict(bc["effects"][0])
    for step in steps:
        if step[0] == "set":
            _set(bc, step[1], step[2])
        elif step[0] == "scenarios":
            bc["scenarios"] = [{**scenario, "id": f"s{i}", "name": f"S {i}"} for i in range(step[1])]
        elif step[0] == "effects":
            bc["effects"] = [{**effect, "id": f"e{i}", "payer": f"P {i}"} for i in range(step[1])]


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(target=st.sampled_from(sorted(CASES)), steps=st.lists(mutation, min_size=1, max_size=3))
# The reproducers of issue 19 that are about size: 202 scenarios (155 s in `check`), a 100.000-character
# scenario name full of mathtext (220 s), and as many effects.
@example(target="parforhold.yaml", steps=[("scenarios", 202)])
@example(target="parforhold.yaml", steps=[("set", ("scenarios", "*", "name"), "$x$" * 33_000)])
@example(target="ishoej/ishoej-model.yaml", steps=[("effects", 300), ("scenarios", 300)])
def test_mutated_business_cases_give_ok_or_a_clean_error(target: str, steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "case"
        shutil.copytree(CASES[target], folder, ignore=shutil.ignore_patterns("schema"))
        path = folder / Path(target).name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _mutate(data, steps)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        good = folder / "zz-good.yaml"  # a proposal beside it, untouched
        shutil.copy(CASES[target] / Path(target).name, good)
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path), str(good)])
        elapsed = time.monotonic() - started
    printed = out.getvalue() + err.getvalue()
    assert elapsed < 30, f"check took {elapsed:.1f} s"
    assert "Traceback" not in printed
    assert "internal error" not in printed, printed
    assert f"ok: {good}" in out.getvalue(), printed
    if code == 1:
        errors = [line for line in printed.splitlines() if line.startswith("error: ")]
        assert errors, printed
        for line in errors:
            assert re.match(rf"error: {re.escape(str(path))}:\d+(:\d+)?: \S", line), line
    else:
        assert code == 0 and f"ok: {path}" in out.getvalue(), printed
