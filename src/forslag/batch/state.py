"""What a build is asked and what it reports, and the cache that remembers what it wrote."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forslag.batch.limits import Limits
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
    state: str | None = None  # build and bind only the proposals in this approval state (godkendt, ...)
    limits: Limits = field(default_factory=Limits)


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


SUMMARY_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "administration": str,
    "years": list,
    "investment": int,
    "net": list,
    "impact": list,
    "steady": int,  # the flow after the last year, for the bound case's summed payback (Anlæg left out)
    "pages": (int, type(None)),
    "state": str,  # the finance centre's state (udkast, indsendt, godkendt, afvist)
    "approval_date": str,
    "asked": list,  # the implementation costs per year: what the proposal asks of the pool
}


def _valid_outputs(outputs: Any) -> bool:
    return isinstance(outputs, dict) and all(
        isinstance(name, str)
        and "/" not in name
        and isinstance(v, list)
        and len(v) == 2
        and isinstance(v[0], int)
        and isinstance(v[1], str)
        for name, v in outputs.items()
    )


def valid_entry(entry: Any) -> bool:
    """The shape a proposal's cache entry must have; anything else (an older format, a hand edit, garbage
    that happens to be JSON) is no entry at all, and the proposal is built again."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not _valid_outputs(entry.get("outputs")):
        return False
    summary = entry.get("summary")
    if not isinstance(entry.get("case"), str) or not isinstance(summary, dict):
        return False
    inputs = entry.get("inputs")
    if not isinstance(inputs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()):
        return False
    if not all(isinstance(summary.get(k), t) for k, t in SUMMARY_KEYS.items()):
        return False
    return all(isinstance(v, int | None) for k in ("net", "impact", "asked") for v in summary[k])


def valid_bound_entry(entry: Any) -> bool:
    """The shape of a bound case's entry: its outputs and the record of each printed front part."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not _valid_outputs(entry.get("outputs")):
        return False
    parts = [entry[p] for p in ("summary", "contents") if p in entry]
    return all(
        isinstance(p, dict)
        and isinstance(p.get("key"), str)
        and isinstance(p.get("pages"), int)
        and isinstance(p.get("sha256"), str)
        for p in parts
    )


def seen(path: Path) -> list[int]:
    """What `Cache.fresh` compares to trust an output without hashing it: its modification time and inode."""
    stat = path.stat()
    return [stat.st_mtime_ns, stat.st_ino]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Cache:
    """One small JSON file per output name, replaced atomically: safe when two builds run at once.

    The cache is a hint: an entry that cannot be read, has the wrong shape, or names an output whose bytes
    are not the ones it wrote is treated as absent, so the worst a damaged cache costs is a rebuild.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out / CACHE_DIR

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def get(self, name: str, shape: Callable[[Any], bool] = valid_entry) -> dict[str, Any] | None:
        try:
            entry = json.loads(self._path(name).read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        return entry if shape(entry) else None

    def put(self, name: str, entry: dict[str, Any]) -> None:
        write_atomic(self._path(name), json.dumps(entry, sort_keys=True, ensure_ascii=False).encode(), self.out)

    def fresh(
        self, name: str, key: str, out: Path, shape: Callable[[Any], bool] = valid_entry
    ) -> dict[str, Any] | None:
        """The entry when its key matches and every output it wrote is still there with the bytes it wrote."""
        entry = self.get(name, shape)
        if not entry or entry["key"] != key:
            return None
        seen = entry.get("seen")
        seen = seen if isinstance(seen, dict) else {}
        try:
            recorded = self._path(name).stat().st_mtime_ns
        except OSError:
            recorded = 0
        for file, (size, digest) in entry["outputs"].items():
            try:
                path = out / file
                stat = path.stat()
                if stat.st_size != size:
                    return None
                # Untouched since this build wrote it (same modification time and inode, as git's index
                # trusts a file): no need to read and hash it again. Anything else is checked by its bytes,
                # and so is a file as new as its entry (a coarse clock could hide a change in that tick).
                if seen.get(file) == [stat.st_mtime_ns, stat.st_ino] and stat.st_mtime_ns < recorded:
                    continue
                if file_digest(path.read_bytes()) != digest:
                    return None
            except OSError:
                return None
        # The figures a proposal printed are part of what it was built from: an edited figure makes it stale.
        for file, digest in entry.get("inputs", {}).items():
            try:
                if file_digest(Path(file).read_bytes()) != digest:
                    return None
            except OSError:
                return None
        return entry
