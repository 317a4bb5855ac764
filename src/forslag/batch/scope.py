"""What a build covers: which sources it reads, and whether the bound case comes along.

Binding is off the path of an edit: `forslag build one.yaml` builds that proposal and leaves the bound case
as it was, since binding lays out the case's front again and copies every proposal's pages (seconds for a
large case) for a document nobody is looking at while writing. The case is bound when a whole folder is
named (the default `proposals/` included) or when `--bind` asks for it; a bound case always holds every
proposal of its folder, so `--bind` with single files builds their siblings too (those up to date are only
checked), never a case of one.
"""

from __future__ import annotations

from pathlib import Path

from forslag.source.sources import find_sources


def wants_bind(paths: list[Path], asked: bool | None) -> bool:
    """`--bind` (True), `--no-bind` (False), or unsaid (None): bind when a folder is named."""
    if asked is not None:
        return asked
    return any(path.is_dir() for path in paths)


def build_sources(paths: list[Path], bind: bool) -> list[Path]:
    """The proposals a build reads: those named, and, when it binds, the rest of each named file's folder."""
    if not bind:
        return find_sources(paths)
    folders = [path if path.is_dir() else path.parent for path in paths]
    return find_sources([*paths, *folders])
