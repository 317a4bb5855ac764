"""Shared fixtures: the project's folders and a runner for the command line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from forslag.cli import main
from forslag.source.model import Case

ROOT = Path(__file__).resolve().parent.parent
PROPOSALS = ROOT / "proposals"
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden files from this build")


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*args: str | Path) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of the example proposals, safe to edit."""
    target = tmp_path / "proposals"
    shutil.copytree(PROPOSALS, target)
    return target


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A folder with the small valid test case and proposal, safe to edit."""
    target = tmp_path / "src"
    shutil.copytree(DATA / "valid", target)
    return target


def two_proposals(folder: Path) -> Path:
    """The small test case with two proposals in it."""
    shutil.copytree(DATA / "valid", folder)
    second = (folder / "minimal.yaml").read_text().replace("Et lille forslag", "Et andet forslag")
    (folder / "andet.yaml").write_text(second)
    return folder


# A two-year case for business-case arithmetic worked by hand (the tests' cases start in its first year).
SMALL_CASE = Case.model_validate(
    {"name": "T", "municipality": "T", "date": "2026-01-01", "years": [2026, 2027], "price_level": 2026}
)
