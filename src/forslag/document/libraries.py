"""Importing WeasyPrint without the subprocesses its C-library lookup would start.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for each; cffi
asks `ctypes.util.find_library` about every name it cannot open directly, and on Linux that runs
`ldconfig -p`, then `gcc` and `ld` for every name that is not found: some twenty subprocesses and 0,2-0,6 s
on every cold start. Here the same question is answered from the folders the dynamic loader searches
(`/etc/ld.so.conf` and the usual defaults), for the length of the import only. An unknown name answers
None, and WeasyPrint goes on to the next name on its list, which always ends with the plain soname
(`libpango-1.0.so.0`) that the loader resolves by itself. Should the import still fail, it is tried again
the ordinary way, so the worst case is the old cost, never a missing library.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import glob
import os
import sys
from collections.abc import Callable, Iterator
from functools import cache

_DEFAULT_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")


def _conf_dirs(conf: str, seen: set[str]) -> list[str]:
    """The folders an ld.so.conf names, following its `include` lines (one level of globbing, as ldconfig)."""
    if conf in seen:
        return []
    seen.add(conf)
    dirs: list[str] = []
    try:
        with open(conf, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return dirs
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line.startswith("include "):
            pattern = line[len("include ") :].strip()
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(conf), pattern)
            for included in sorted(glob.glob(pattern)):
                dirs.extend(_conf_dirs(included, seen))
        elif line:
            dirs.append(line)
    return dirs


@cache
def loader_dirs() -> tuple[str, ...]:
    """Where the dynamic loader looks: LD_LIBRARY_PATH, ld.so.conf's folders, then the defaults."""
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    dirs += _conf_dirs("/etc/ld.so.conf", set())
    dirs += _DEFAULT_DIRS
    return tuple(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


@cache
def find_library(name: str) -> str | None:
    """`ctypes.util.find_library` for Linux without subprocesses: the soname `lib<name>.so.<version>`.

    The bare file name, as ctypes answers, so the loader opens it the way it opens any other library.
    """
    for folder in loader_dirs():
        found = sorted(glob.glob(os.path.join(glob.escape(folder), f"lib{glob.escape(name)}.so.*")))
        # `libfoo.so.0` before `libfoo.so.0.1234.5`: the soname, as the loader itself would open it.
        found = [f for f in found if f[len(folder) + len(name) + 8 :].replace(".", "").isdigit()]
        if found:
            return os.path.basename(min(found, key=len))
    return None


@contextlib.contextmanager
def quick_library_lookup() -> Iterator[None]:
    original: Callable[[str], str | None] = ctypes.util.find_library
    setattr(ctypes.util, "find_library", find_library)  # noqa: B010  (mypy: a cached function is no plain one)
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010


def import_weasyprint() -> None:
    """Import WeasyPrint once, its libraries found without subprocesses where that is safe (Linux)."""
    if "weasyprint.text.ffi" in sys.modules or not sys.platform.startswith("linux"):
        return
    try:
        with quick_library_lookup():
            import weasyprint.text.ffi
        return
    except OSError:
        pass
    import weasyprint.text.ffi  # noqa: F401  (the ordinary, slower lookup)
