"""The stamp a document carries: which source bytes and which commit it was printed from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stamp:
    """The discreet line that ties an output to its source: content hash and last commit."""

    text: str
    source_sha256: str
    commit: str | None
    dirty: bool
