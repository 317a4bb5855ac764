"""Prose a printer cannot lay out in reasonable time is refused by `check`, with its line, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import Run


def with_description(folder: Path, text: str) -> Path:
    source = folder / "minimal.yaml"
    source.write_text(source.read_text().replace("description: Kort beskrivelse.", f"description: '{text}'"))
    return source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("*" * 500 + "dybt" + "*" * 500, "emphasis or links are nested more than 20 deep"),
        ("Et ord: " + "a" * 40_000, "a word of 40000 characters"),
        ("x" * 150_000, "this text has 150.000 characters, more than the 100.000 one field may hold"),
    ],
)
def test_prose_beyond_the_bounds_is_an_error_with_its_line(run: Run, minimal: Path, text: str, message: str) -> None:
    source = with_description(minimal, text)
    started = time.monotonic()
    result = run("check", source)
    assert time.monotonic() - started < 20
    assert result.code == 1
    assert f"error: {source}:4: " in result.out and message in result.out


def test_many_bad_links_are_counted_not_listed(run: Run, minimal: Path) -> None:
    source = with_description(minimal, " ".join(f"[l](javascript:x{i})" for i in range(3000)))
    started = time.monotonic()
    result = run("check", source)
    assert time.monotonic() - started < 20
    assert result.code == 1
    assert result.out.count("is not allowed; links go to") == 50
    assert "… and 2950 more problems in this text" in result.out


def test_nested_emphasis_fails_only_its_proposal_in_a_build(run: Run, minimal: Path) -> None:
    (minimal / "andet.yaml").write_text((minimal / "minimal.yaml").read_text())
    source = with_description(minimal, "*" * 500 + "dybt" + "*" * 500)
    result = run("build", minimal, "--out", minimal / "out", "--jobs", "2")
    assert result.code == 1
    assert f"error: {source}:4: emphasis or links are nested" in result.out
    assert "1 built, 0 up to date, 1 failed" in result.out
    assert (minimal / "out" / "andet.pdf").is_file()


def test_a_long_word_in_a_title_is_an_error_with_its_line(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("title: Et lille forslag", "title: Et " + "b" * 40_000))
    result = run("check", source)
    assert result.code == 1
    assert f"error: {source}:1: a word of 40000 characters" in result.out
