"""What a build is asked and what it reports, and the cache that remembers what it wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forslag.batch.writeout import write_atomic

CACHE_DIR = ".forslag-cache"


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("output")
    formats: frozenset[str] = frozenset({"pdf", "html"})
    templates: Path | None = None
    force: bool = False
    jobs: int | None = None
    bind: bool = True
    changes_since: str | None = None  # a git revision: add the change annex to every proposal changed since


@dataclass
class Report:
    built: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: dict[Path, list[str]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    bound: list[Path] = field(default_factory=list)
    bound_fresh: list[Path] = field(default_factory=list)
    unbound: list[Path] = field(default_factory=list)
    seconds: float = 0.0


class Cache:
    """One small JSON file per output name, replaced atomically: safe when two builds run at once."""

    def __init__(self, out: Path) -> None:
        self.folder = out / CACHE_DIR

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            entry: dict[str, Any] = json.loads(self._path(name).read_text())
            return entry
        except (OSError, ValueError):
            return None

    def put(self, name: str, entry: dict[str, Any]) -> None:
        write_atomic(self._path(name), json.dumps(entry, sort_keys=True, ensure_ascii=False).encode())

    def fresh(self, name: str, key: str, out: Path) -> dict[str, Any] | None:
        """The entry when its key matches and every output it wrote is still there, unchanged in size."""
        entry = self.get(name)
        if not entry or entry.get("key") != key:
            return None
        for file, size in entry.get("outputs", {}).items():
            try:
                if (out / file).stat().st_size != size:
                    return None
            except OSError:
                return None
        return entry
