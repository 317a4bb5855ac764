"""Which saves touch which proposals, and the thread that watches the files (watchfiles: inotify on Linux).

A proposal is touched by its own source; every proposal of a folder by that folder's case file; every
proposal by a template or stylesheet; and a figure touches the proposals whose source names it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from forslag.source.sources import CASE_FILE, SOURCE_SUFFIXES


@dataclass
class Touched:
    proposals: set[Path] = field(default_factory=set)  # resolved paths of the proposals to rebuild
    sources_changed: bool = False  # a source appeared or went: list the folders again
    case_changed: bool = False
    anything: bool = False


def _mentions(source: Path, figure: Path) -> bool:
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
        relative = figure.relative_to(source.parent.resolve()).as_posix()
    except (OSError, ValueError):
        return False
    return relative in text


def touched_by(
    paths: Iterable[Path], sources: list[Path], folders: list[Path], template_dirs: list[Path], out: Path
) -> Touched:
    """What a batch of saved (created, changed or removed) files asks to rebuild."""
    touched = Touched()
    out = out.resolve()
    templates = [t.resolve() for t in template_dirs]
    known = {s.resolve(): s for s in sources}
    for path in paths:
        path = path.resolve()
        if path.is_relative_to(out):
            continue  # our own outputs, when the output folder lies inside a watched one
        if any(path.is_relative_to(t) for t in templates):
            touched.anything = True
            touched.proposals |= set(known)
            continue
        folder = path.parent
        if folder in folders and path.name == CASE_FILE:
            touched.anything = touched.case_changed = True
            touched.proposals |= {r for r in known if r.parent == folder}
        elif folder in folders and path.suffix in SOURCE_SUFFIXES:
            touched.anything = True
            if path not in known or not path.exists():
                touched.sources_changed = True
            if path.exists():
                touched.proposals.add(path)
        elif any(path.is_relative_to(f) for f in folders):
            hit = {r for r, s in known.items() if path.is_relative_to(r.parent) and _mentions(s, path)}
            touched.proposals |= hit
            touched.anything = touched.anything or bool(hit)
    return touched


def watch_files(
    roots: list[Path],
    ignore: list[Path],
    on_change: Callable[[set[Path]], None],
    stop: threading.Event,
    on_error: Callable[[str], None],
) -> threading.Thread:
    """Start a thread that calls `on_change` with each batch of changed files until `stop` is set."""
    import watchfiles

    def loop() -> None:
        try:
            watch_filter = watchfiles.DefaultFilter(ignore_paths=[str(p.resolve()) for p in ignore])
            # step: report 30 ms after the last event of a save (an editor's write, rename and chmod come as
            # one batch); debounce: never hold a batch longer than 300 ms while events keep coming.
            for changes in watchfiles.watch(
                *roots, watch_filter=watch_filter, step=30, debounce=300, stop_event=stop, raise_interrupt=False
            ):
                on_change({Path(p) for _, p in changes})
        except Exception as exc:  # inotify's limits, a folder that went away: say so, keep serving
            on_error(f"watching stopped: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=loop, name="forslag-preview-watch", daemon=True)
    thread.start()
    return thread
