"""What one document may take in a worker: its own module, so a build with nothing to print imports only this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one document may take: far above a real proposal (the examples take 2-8 s on a shared machine and
    about 350 MiB of address space), there to end a hostile document cleanly."""

    seconds: float = 180.0
    memory_bytes: int = 3 * 1024**3
