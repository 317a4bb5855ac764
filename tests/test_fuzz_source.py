"""Fuzzing the source reader: mutated examples end in ok or a clean error with file:line, quickly, never a crash.

The mutations are what hurried hands and hostile files do to a YAML text: lines deleted, doubled or shifted,
a value swapped for a huge number, a control character, deep nesting or a Danish number, the file cut off.
`check` runs in-process through `forslag.cli.main`, as a user's command would. The budget is fixed and the
run derandomized, so CI sees the same examples every time and the suite stays quick.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forslag.cli import main

from .conftest import PROPOSALS

EXAMPLES = sorted(p.name for p in PROPOSALS.glob("*.yaml") if p.name != "case.yaml")
TARGETS = [*EXAMPLES, "case.yaml"]

# Values a mutation puts where a scalar stood: bounds, characters, shapes and notations that once got through.
NASTY = [
    "1" + "0" * 28,
    "9" * 5000,
    "1.0e+400",
    "1e-400",
    "-0.0000000000001",
    ".inf",
    ".nan",
    "1.500",
    "-1.000",
    "1,5 mio",
    '"1.500"',
    "1:30",
    "0x10",
    "010",
    "yes",
    "~",
    "",
    "[" * 5000 + "]" * 5000,
    "{a: " * 200 + "1" + "}" * 200,
    '"\\e[31mrød\\e[0m"',
    "\x1b[2J",
    "\x07",
    "\ufffe",
    "\u202eevil",
    "{{ net.fuld }}",
    "{{ net.full | abs }} kr.",
    "Forslag: med kolon",
    "'ulukket",
    "*alias",
    "&anchor x",
    "!!python/object:os.system",
    "- liste",
    "2026-13-45",
    "../../../etc/passwd",
    "/proc/self/status",
]

# Numbers that broke the arithmetic or were read wrong without a word.
NASTY_NUMBERS = ["1" + "0" * 28, "9" * 5000, "1.0e+400", "1e-400", "1.500", "-1.000", "2.5", "010", "0x10", "1:30"]

_VALUE = re.compile(r"^(\s*(?:-\s+)?[^\s:#][^:#]*:\s)(.*)$")
_NUMBER = re.compile(r"(?<=[:,{\[]\s)-?[0-9]+(?:\.[0-9]+)?(?=[,}\]\s]|$)")

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("indent"), st.integers(0, 10_000), st.sampled_from([-4, -2, -1, 1, 2, 3])),
    st.tuples(st.just("value"), st.integers(0, 10_000), st.sampled_from(NASTY)),
    st.tuples(st.just("number"), st.integers(0, 10_000), st.sampled_from(NASTY_NUMBERS)),
    st.tuples(st.just("title"), st.sampled_from(['"\\e[31mrød\\e[0m \\a"', '"\\x9b2J"', '"\\u202eevil"'])),
    st.tuples(st.just("nest"), st.integers(0, 10_000), st.sampled_from([100, 50_000])),
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.text(max_size=40)),
)


def _mutate(text: str, steps: list[tuple[object, ...]]) -> str:
    lines = text.split("\n")
    for step in steps:
        kind = step[0]
        if kind == "title":
            lines = [f"title: {step[1]}" if line.startswith("title:") else line for line in lines]
            continue
        if kind == "truncate":
            joined = "\n".join(lines)
            ratio = step[1]
            assert isinstance(ratio, float)
            lines = joined[: int(len(joined) * ratio)].split("\n")
            continue
        index = step[1]
        assert isinstance(index, int)
        if not lines:
            lines = [""]
        i = index % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "indent":
            shift = step[2]
            assert isinstance(shift, int)
            lines[i] = " " * shift + lines[i] if shift > 0 else lines[i][-shift:]
        elif kind == "value":
            # the first 'key: value' line at or after i gets the nasty value
            for j in [*range(i, len(lines)), *range(i)]:
                match = _VALUE.match(lines[j])
                if match:
                    lines[j] = match.group(1) + str(step[2])
                    break
        elif kind == "number":
            # a number at or after i (an amount, an årsværk, a year) becomes a nasty one
            for j in [*range(i, len(lines)), *range(i)]:
                if _NUMBER.search(lines[j]):
                    lines[j] = _NUMBER.sub(str(step[2]), lines[j], count=1)
                    break
        elif kind == "nest":
            depth = step[2]
            assert isinstance(depth, int)
            lines.insert(i, "deep: " + "[" * depth + "]" * depth)
        elif kind == "insert":
            lines.insert(i, str(step[2]))
    return "\n".join(lines)


@settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    target=st.sampled_from(TARGETS),
    checked=st.sampled_from(EXAMPLES),
    steps=st.lists(mutation, min_size=1, max_size=4),
)
def test_mutated_sources_give_ok_or_a_clean_error(target: str, checked: str, steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "proposals"
        shutil.copytree(PROPOSALS, folder, ignore=shutil.ignore_patterns("schema"))
        path = folder / target
        path.write_text(_mutate(path.read_text(encoding="utf-8"), steps), encoding="utf-8")
        source = folder / (target if target != "case.yaml" else checked)
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(source)])
        elapsed = time.monotonic() - started
    printed = out.getvalue() + err.getvalue()
    assert elapsed < 10, f"check took {elapsed:.1f} s"
    assert "Traceback" not in printed
    assert "internal error" not in printed, printed
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", printed), "a control character was printed raw"
    if code == 0:
        assert f"ok: {source}" in out.getvalue()
    else:
        assert code == 1, printed
        errors = [line for line in printed.splitlines() if line.startswith("error: ")]
        assert errors, printed
        # each error names the source file and the line at fault
        for line in errors:
            assert re.match(rf"error: {re.escape(str(folder))}/[^:]+\.yaml:\d+(:\d+)?: \S", line), line
