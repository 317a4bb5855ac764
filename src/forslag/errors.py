"""The error family: user errors that point at a file, line and column, apart from internal faults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in a source, with where it is."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ForslagError(Exception):
    """Base of every error a user can cause; the command line prints it and exits 1."""


class SourceError(ForslagError):
    """A source (or several) is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, path: Path | str, message: str, line: int | None = None, column: int | None = None) -> SourceError:
        return cls([Problem(str(path), line, column, message)])


class UsageError(ForslagError):
    """The command was called wrongly (a missing folder, a bad option value); exit code 2."""
