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
        if path in folders:  # a watched folder itself went or came back: list it and read its case again
            touched.anything = touched.sources_changed = touched.case_changed = True
            continue
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


def _identities(roots: list[Path]) -> dict[Path, tuple[int, int] | None]:
    """Each watched folder's device and inode (None when it is gone): a folder removed and made again is a
    new folder, which the old watch no longer sees."""
    out: dict[Path, tuple[int, int] | None] = {}
    for root in roots:
        try:
            info = root.stat()
            out[root] = (info.st_dev, info.st_ino)
        except OSError:
            out[root] = None
    return out


def _files(root: Path) -> set[Path]:
    try:
        return {p for p in root.rglob("*") if p.is_file()}
    except OSError:
        return set()


def watch_files(
    roots: list[Path],
    ignore: list[Path],
    on_change: Callable[[set[Path]], None],
    stop: threading.Event,
    on_error: Callable[[str], None],
) -> threading.Thread:
    """Start a thread that calls `on_change` with each batch of changed files until `stop` is set.

    A watched folder that is removed is reported, and watched again (all its files reported as changed)
    once it is back; watching never stops silently.
    """
    import watchfiles

    def watch_once(identity: dict[Path, tuple[int, int] | None]) -> None:
        present = [r for r, i in identity.items() if i is not None]
        if not present:
            stop.wait(1.0)
            return
        watch_filter = watchfiles.DefaultFilter(ignore_paths=[str(p.resolve()) for p in ignore])
        # step: report 30 ms after the last event of a save (an editor's write, rename and chmod come as
        # one batch); debounce: never hold a batch longer than 300 ms while events keep coming. A batch
        # arrives at least every second, so a folder that went or came back is noticed.
        for changes in watchfiles.watch(
            *present,
            watch_filter=watch_filter,
            step=30,
            debounce=300,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=1000,
            yield_on_timeout=True,
        ):
            if changes:
                on_change({Path(p) for _, p in changes})
            if _identities(roots) != identity:
                return

    def loop() -> None:
        identity = _identities(roots)
        while not stop.is_set():
            try:
                watch_once(identity)
            except Exception as exc:  # inotify's limits, a folder that went away: say so, try again
                on_error(f"watching: {type(exc).__name__}: {exc}; trying again")
                stop.wait(1.0)
            now = _identities(roots)
            for root in roots:
                if identity[root] is not None and now[root] is None:
                    on_error(f"the folder {root} was removed; its saves are seen again once it is back")
                    on_change({root})  # its proposals are gone: list the folders again
                elif now[root] is not None and now[root] != identity[root]:
                    on_error(f"the folder {root} is back; watching it again")
                    on_change({root, *_files(root)})
            identity = now

    thread = threading.Thread(target=loop, name="forslag-preview-watch", daemon=True)
    thread.start()
    return thread
