"""Importing WeasyPrint without the subprocesses its C-library lookup would start.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for each; cffi
asks `ctypes.util.find_library` about every name it cannot open directly, and on Linux that runs
`ldconfig -p`, then `gcc` and `ld` for every name that is not found: some twenty subprocesses and 0,2-0,6 s
on every cold start. Here the same question is answered from the folders the dynamic loader searches
(`/etc/ld.so.conf` and the usual defaults), for the length of the import only. An unknown name answers
None, and WeasyPrint goes on to the next name on its list, which always ends with the plain soname
(`libpango-1.0.so.0`) that the loader resolves by itself. Should the import still fail, it is tried again
the ordinary way, so the worst case is the old cost, never a missing library.

fontTools' subsetter is imported lazily (the standard library's `LazyLoader`): WeasyPrint imports it on every
start (0,15 s) but uses it only when HarfBuzz cannot subset a font, which with the HarfBuzz subsetter
installed (`.ci/system-deps`) does not happen to the fonts forslag ships. Should it be needed, it loads on
first use.

WeasyPrint also imports one function of fontTools' variable-font instancer, which brings `fontTools.varLib`
with it (0,07 s), and calls it only for a variable font; the faces forslag ships are static. While WeasyPrint
is imported, that module's name stands for a placeholder whose function imports the real module on its first
call; the placeholder is gone once WeasyPrint is loaded, so any later import gets the real module.

cffi parses every C type WeasyPrint names at run time (`ffi.new("PangoRectangle *")`, some twenty in a
document) with pycparser, and prefixes each such one-line parse with a `typedef` for every one of the
nine hundred types WeasyPrint declares: 5 ms a type, 0,1 s a cold print. `quick_type_parsing` gives that
parse only the typedefs whose names occur in the text parsed, which is all the parser needs (a name absent
from the text cannot change how it parses); the types are the same, and so are the PDF's bytes.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import glob
import importlib.util
import os
import re
import sys
import types
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

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
def _entries(folder: str) -> tuple[str, ...]:
    """A folder's file names, read once: WeasyPrint asks about some thirty names, each in every folder."""
    try:
        return tuple(sorted(os.listdir(folder)))
    except OSError:
        return ()


@cache
def find_library(name: str) -> str | None:
    """`ctypes.util.find_library` for Linux without subprocesses: the soname `lib<name>.so.<version>`.

    The bare file name, as ctypes answers, so the loader opens it the way it opens any other library.
    """
    prefix = f"lib{name}.so."
    for folder in loader_dirs():
        # `libfoo.so.0` before `libfoo.so.0.1234.5`: the soname, as the loader itself would open it.
        found = [
            entry
            for entry in _entries(folder)
            if entry.startswith(prefix) and entry[len(prefix) :].replace(".", "").isdigit()
        ]
        if found:
            return min(found, key=len)
    return None


@contextlib.contextmanager
def quick_library_lookup() -> Iterator[None]:
    original: Callable[[str], str | None] = ctypes.util.find_library
    setattr(ctypes.util, "find_library", find_library)  # noqa: B010  (mypy: a cached function is no plain one)
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010


_LAZY = ("fontTools.subset",)


def _import_lazily(name: str) -> None:
    """Put `name` in sys.modules as a module that runs its code on first attribute access."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)  # as an ordinary import binds it on its package


# (module, function): imported by WeasyPrint as `from module import function`, needed only on first call.
_DEFERRED = (("fontTools.varLib.instancer", "instantiateVariableFont"),)


def _on_first_call(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on its first call (forslag.document.libraries)"
    return call


@contextlib.contextmanager
def deferred_functions() -> Iterator[None]:
    """For the length of the block, `from module import function` (`_DEFERRED`) binds a function that imports
    the module when first called; the module itself is not imported."""
    placed = []
    for module, name in _DEFERRED:
        if module in sys.modules or importlib.util.find_spec(module.partition(".")[0]) is None:
            continue  # already loaded, or not installed (WeasyPrint's own import then says so)
        placeholder = types.ModuleType(module, "stands in for the module while WeasyPrint is imported")
        setattr(placeholder, name, _on_first_call(module, name))
        sys.modules[module] = placeholder
        placed.append((module, placeholder))
    try:
        yield
    finally:
        for module, placeholder in placed:
            if sys.modules.get(module) is placeholder:
                del sys.modules[module]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def quick_type_parsing() -> None:
    """Make cffi's per-type parse declare only the typedefs the parsed text names (see the module's text)."""
    try:
        from cffi import cparser  # type: ignore[import-untyped]
    except ImportError:
        return
    parser = getattr(cparser, "Parser", None)
    original = getattr(parser, "_parse", None)
    if parser is None or original is None or getattr(original, "forslag_quick", False):
        return  # another cffi than the one this was written for: leave it as it is

    def _parse(self: Any, csource: str) -> Any:
        declarations = self._declarations
        names = set(_IDENTIFIER.findall(csource))
        self._declarations = {
            key: value
            for key, value in declarations.items()
            if not key.startswith("typedef ") or key[len("typedef ") :] in names
        }
        try:
            return original(self, csource)
        finally:
            self._declarations = declarations

    _parse.forslag_quick = True  # type: ignore[attr-defined]
    parser._parse = _parse


def import_weasyprint() -> None:
    """Import WeasyPrint once, its libraries found without subprocesses where that is safe (Linux)."""
    if "weasyprint.text.ffi" in sys.modules:
        return
    for name in _LAZY:
        _import_lazily(name)
    quick_type_parsing()
    with deferred_functions():
        if sys.platform.startswith("linux"):
            try:
                with quick_library_lookup():
                    import weasyprint.text.ffi
                return
            except OSError:
                pass
        import weasyprint.text.ffi  # noqa: F401  (the ordinary, slower lookup)
