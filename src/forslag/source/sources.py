"""Which files are sources: proposals and the case file beside them (no parsing, so it imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path

CASE_FILE = "case.yaml"
SOURCE_SUFFIXES = (".yaml", ".yml")


def find_sources(paths: list[Path]) -> list[Path]:
    """Proposal files among the given files and folders, sorted; case files are not proposals."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.iterdir()) if p.suffix in SOURCE_SUFFIXES and p.is_file() and p.name != CASE_FILE
            )
        elif path.name != CASE_FILE:
            found.append(path)
    return list(dict.fromkeys(found))


def case_file_for(source: Path) -> Path:
    """The case file a proposal shares with its folder."""
    return source.parent / CASE_FILE
