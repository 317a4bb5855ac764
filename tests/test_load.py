"""Broken sources: each gives exit code 1 and an error naming the file and line, quickly, without a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import DATA, Run

INVALID = DATA / "invalid"

# fixture file -> (line, words the message must hold)
CASES = {
    "unknown-key": (1, "unknown key 'titel'; did you mean 'title'?"),
    "duplicate-key": (30, "the key 'title' appears twice (first on line 1)"),
    "year-outside-case": (10, "the year 2032 is outside the case's years 2026-2028"),
    "string-amount": (10, "expected a number, got text 'mange'"),
    "invalid-yaml": (5, "invalid YAML"),
    "empty": (1, "the file is empty"),
    "only-comment": (1, "the file is empty"),
    "binary": (1, "binary file"),
    "not-utf8": (1, "not UTF-8"),
    "list-not-mapping": (1, "must be a mapping"),
    "alias-bomb": (1, "expands to more than"),
    "alias-cycle": (1, "cycle"),
    "missing-key": (1, "missing required key 'risk'"),
    "bool-not-bool": (26, "write true or false"),
    "unknown-placeholder": (3, "unknown placeholder 'net.fuld'; did you mean 'net.full'?"),
    "raw-html-script": (7, "raw HTML is not allowed"),
    "image-http": (7, "not a file inside the proposals folder"),
    "image-file-url": (7, "not a file inside the proposals folder"),
    "image-outside": (7, "outside the proposals folder"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_source_is_reported_with_file_and_line(run: Run, name: str) -> None:
    line, words = CASES[name]
    source = INVALID / f"{name}.yaml"
    started = time.monotonic()
    result = run("check", source)
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert f"{source}:{line}:" in result.out, result.out
    assert words in result.out, result.out
    assert elapsed < 5  # generous: the point is that nothing hangs (the alias bomb above all)


def test_every_problem_is_reported_at_once(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    text = source.read_text()
    text = (
        text.replace("title:", "titel:")
        .replace("2027: -500", "2027: mange")
        .replace("innovation: true", "innovation: x")
    )
    source.write_text(text)
    result = run("check", source)
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if line.startswith("error:")]
    assert len(errors) >= 4  # missing title, unknown titel, the amount, the flag
    assert any(":10:" in e and "mange" in e for e in errors)


def test_repeated_line_id_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("id: drift", "id: besparelse"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:11:" in result.out
    assert "used twice" in result.out


def test_missing_case_file(run: Run, minimal: Path) -> None:
    (minimal / "case.yaml").unlink()
    result = run("check", minimal / "minimal.yaml")
    assert result.code == 1
    assert "case file 'case.yaml' does not exist" in result.out


def test_broken_case_file_names_the_case(run: Run, minimal: Path) -> None:
    case = minimal / "case.yaml"
    case.write_text(case.read_text().replace("years: [2026, 2027, 2028]", "years: [2026, 2028]"))
    result = run("check", minimal)
    assert result.code == 1
    assert f"{case}:4:" in result.out
    assert "years: the years must be consecutive" in result.out


def test_driver_bounds_must_lie_in_the_case(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("from: 2027", "from: 2019"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:14:" in result.out
    assert "from: 2019 is outside" in result.out


def test_from_until_with_a_year_mapping_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(
        source.read_text().replace(
            "{count: {2026: 3}, unit_price: 250}", "{count: {2026: 3}, unit_price: 250, from: 2026}"
        )
    )
    result = run("check", source)
    assert result.code == 1
    assert "'from'/'until' go with a single number" in result.out


def test_a_year_repeated_in_a_row_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("{2027: -500, 2028: -1000}", "{2027: -500, 2027: -1000}"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:10:" in result.out and "the key 2027 appears twice" in result.out
