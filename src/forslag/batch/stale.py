"""Outputs left behind: what an earlier build wrote for a source that is gone, or under a name no longer used.

The cache records, for each proposal and each bound case, the files it wrote with their sha256. A build
compares that record from before it ran with what exists after: a proposal whose source file no longer exists
(deleted or renamed), a notat a proposal no longer has, the bound case of a renamed case. Such a file is removed
only when its bytes are still the ones forslag wrote and no current output has its name: a file the user made
or changed is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forslag.batch.state import Cache, Report, file_digest

BOUND_PREFIX = "_case-"
Entries = dict[str, dict[str, Any]]


def _outputs(entry: Any) -> dict[str, list[Any]]:
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {
        name: v
        for name, v in outputs.items()
        if isinstance(name, str)
        and "/" not in name
        and not name.startswith(".")
        and isinstance(v, list)
        and len(v) == 2
    }


def snapshot(cache: Cache) -> Entries:
    """Every entry the cache holds before a build: its name, what it wrote, and the source it was made from."""
    entries: Entries = {}
    try:
        paths = sorted(cache.folder.glob("*.json"))
    except OSError:
        return entries
    for path in paths:
        try:
            entry = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(entry, dict) and _outputs(entry):
            entries[path.stem] = entry
    return entries


def _gone(name: str, entry: dict[str, Any], current: set[str], folders: set[Path]) -> str | None:
    """Why the entry's source no longer exists (None: it may still exist, or nobody can tell)."""
    if name in current:
        return None
    if name.startswith(BOUND_PREFIX):
        source = entry.get("source")
        # A case file's path is kept as the build was given it: trusted only inside a folder built now.
        if isinstance(source, str) and Path(source).parent.resolve() in folders and not Path(source).exists():
            return f"its case file {source} no longer exists"
        return None
    origin = entry.get("origin")
    if isinstance(origin, str) and Path(origin).is_absolute() and not Path(origin).exists():
        return f"its source {entry.get('source', origin)} no longer exists"
    return None


def remove_stale(
    before: Entries,
    sources: list[Path],
    out: Path,
    formats: frozenset[str],
    report: Report,
    echo: Callable[[str], None],
) -> list[Path]:
    """Remove what the build's cache says forslag wrote and nothing current owns any longer; the files removed."""
    cache = Cache(out)
    after = snapshot(cache)
    current = {s.stem for s in sources}
    folders = {s.parent.resolve() for s in sources}
    gone = {name: why for name, entry in before.items() if (why := _gone(name, entry, current, folders))}
    # A name some living entry (or this build) wrote is never removed, whoever else once wrote it too.
    owned = {file for name, entry in after.items() if name not in gone for file in _outputs(entry)}
    owned |= {p.name for p in report.written}
    removed: list[Path] = []
    for name, entry in before.items():
        why = gone.get(name)
        now = after.get(name)
        if why is not None:
            candidates = _outputs(entry)
        elif now is not None and now.get("key") != entry.get("key"):  # rewritten by this build
            kept = set(_outputs(now))
            candidates = {f: v for f, v in _outputs(entry).items() if f not in kept and Path(f).suffix[1:] in formats}
            why = "this build no longer writes it"
        else:
            continue
        for file, (_size, digest) in sorted(candidates.items()):
            path = out / file
            if file in owned or not path.is_file() or path.is_symlink():
                continue
            try:
                if file_digest(path.read_bytes()) != digest:
                    continue  # changed since forslag wrote it: not ours to remove
                path.unlink()
            except OSError:
                continue
            removed.append(path)
            echo(f"removed: {path} ({why})")
        if name in gone:
            (cache.folder / f"{name}.json").unlink(missing_ok=True)
    return removed
