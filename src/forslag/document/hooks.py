"""Every place forslag relies on a library's private internals: what it relies on, and how to tell it still holds.

forslag prints through WeasyPrint and finishes the PDF for PDF/UA-1 on WeasyPrint's own objects; it also makes
WeasyPrint's cold start cheaper by reaching into cffi and fontTools. None of that is public API, so each such
hook is listed here once, with

- the library (distribution name) and the private names it touches,
- the forslag module that uses it and what breaks there if the assumption fails,
- the upstream issue whose fix would let the hook go,
- a check that fails with the hook's name when a release of the library changes what the hook relies on.

`tests/test_hooks.py` runs every check; `pyproject.toml` bounds each library to the versions these checks
passed on (`make test-lowest` and `make test-latest` run them at both ends). A new hook is added here first.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class HookBroken(AssertionError):
    """A library no longer offers what a hook relies on."""


@dataclass(frozen=True)
class Hook:
    name: str
    library: str
    private: str
    used_in: str
    relies_on: str
    upstream: str
    check: Callable[[], None]


def _require(hook: str, condition: bool, what: str) -> None:
    if not condition:
        raise HookBroken(f"hook {hook!r}: {what}")


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


# One small tagged print, shared by the checks that need WeasyPrint's objects mid-write.
_PROBE_HTML = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>probe</title>
<style>@page { size: A6; margin: 20mm; @top-center { content: "hoved" } }
body { font-family: "Source Sans Pro" } p { hyphens: auto }</style></head>
<body><h1>Overskrift</h1><p>Forebyggelsesindsatsernes effektiviseringspotentiale</p>
<table><thead><tr><th scope="col">År</th><th scope="col">Beløb</th></tr></thead>
<tbody><tr><th scope="row">Drift</th><td>1.000</td></tr></tbody></table></body></html>"""


@dataclass
class _Probe:
    document: Any
    pdf: Any


_probe_cache: list[_Probe] = []


def _probe() -> _Probe:
    """Print the probe page once and keep WeasyPrint's document and pydyf PDF as the finisher saw them."""
    if _probe_cache:
        return _probe_cache[0]
    import io

    from forslag.document import fonts
    from forslag.document import pdf as _pdf  # imports WeasyPrint the way forslag does, before anything else

    weasyprint = importlib.import_module("weasyprint")
    font_config = importlib.import_module("weasyprint.text.fonts").FontConfiguration()

    seen: list[_Probe] = []
    html = _PROBE_HTML.replace("<style>", "<style>" + fonts.font_face_css(for_print=True))
    page = weasyprint.HTML(string=html, url_fetcher=_pdf.ClosedFetcher([fonts.FONT_DIR]))
    document = page.render(font_config=font_config)
    document.write_pdf(
        io.BytesIO(),
        finisher=lambda doc, pdf: seen.append(_Probe(doc, pdf)),
        pdf_variant=_pdf.PDF_VARIANT,
        uncompressed_pdf=True,
    )
    _require("weasyprint-finisher", len(seen) == 1, "write_pdf(finisher=...) no longer calls the finisher once")
    _probe_cache.append(seen[0])
    return seen[0]


def _check_build_box_tree() -> None:
    name = "weasyprint.pdf.tags._build_box_tree"
    tags = importlib.import_module("weasyprint.pdf.tags")
    build: Any = getattr(tags, "_build_box_tree", None)
    _require(name, callable(build), "weasyprint.pdf.tags has no _build_box_tree")
    original = getattr(build, "__wrapped__", build)
    params = list(inspect.signature(original).parameters)
    _require(name, params[:3] == ["box", "parent", "pdf"], f"its parameters are now {params}")
    _require(name, inspect.isgeneratorfunction(original), "it no longer yields the structure elements it makes")
    # The wrapper sees nested elements only because the function calls itself through the module's name.
    _require(name, _source(original).count("_build_box_tree(") >= 2, "it no longer calls itself by name")


def _check_page_box() -> None:
    name = "weasyprint Page._page_box"
    probe = _probe()
    page = probe.document.pages[0]
    root = getattr(page, "_page_box", None)
    _require(name, root is not None, "a rendered page has no _page_box")
    from forslag.document.tagging import _boxes

    headers = [b for b in _boxes(root) if getattr(b, "element_tag", None) == "th"]
    cells = {id(b.element) for b in headers}
    _require(name, len(cells) == 3, f"the probe's 3 header cells are not found as boxes (found {len(cells)})")
    tagged = {id(b.element) for b in headers if getattr(b, "mark", None) is not None}
    _require(name, tagged == cells, "a header cell's box carries no structure element (.mark)")
    _require(name, all(b.element is not None and "scope" in b.element.attrib for b in headers), "no .element")


def _check_pydyf_objects() -> None:
    name = "pydyf PDF.objects / pages['Kids'] / Stream.stream"
    pdf = _probe().pdf
    _require(name, isinstance(pdf.objects, list), "PDF.objects is no longer a list indexed by object number")
    kids = pdf.pages["Kids"]
    _require(name, len(kids) % 3 == 0 and kids[1] == 0 and kids[2] == "R", "Kids is no longer 'n 0 R' triples")
    page = pdf.objects[kids[0]]
    _require(name, isinstance(page, dict) and page.get("Type") == "/Page", "Kids[0] is not a page's number")
    from forslag.document.tagging import _number

    contents = pdf.objects[_number(page["Contents"])]
    stream: Any = getattr(contents, "stream", None)
    _require(name, isinstance(stream, list), "a content stream's operators are no longer a list (Stream.stream)")
    _require(name, hasattr(contents, "compress"), "Stream.compress is gone")
    marked = [i for i, item in enumerate(stream) if isinstance(item, dict) and "MCID" in item]
    _require(name, bool(marked), "marked content is no longer a dictionary item with an MCID in the stream")
    _require(name, any(stream[i - 1] == "/Span" for i in marked), "the margin's text is no longer a /Span")
    _require(name, "StructTreeRoot" in pdf.catalog, "the catalog has no StructTreeRoot")


def _check_tounicode() -> None:
    name = "WeasyPrint ToUnicode CMap lines"
    pdf = _probe().pdf
    cmaps = [
        o.stream
        for o in pdf.objects
        if getattr(o, "stream", None) and o.stream[0] == b"/CIDInit /ProcSet findresource begin"
    ]
    _require(name, bool(cmaps), "no ToUnicode stream starts with the line tagging.soft_hyphens looks for")
    lines: list[bytes] = cmaps[0]
    start = next((i for i, line in enumerate(lines) if line.endswith(b" beginbfchar")), -1)
    _require(name, start >= 0, "no 'beginbfchar' line")
    mapping = re.compile(rb"^<[0-9a-f]+> <[0-9a-f]+>$")
    _require(name, bool(mapping.match(lines[start + 1])), "a glyph's mapping is no longer one '<gid> <unicode>' line")


def _check_cffi_parser() -> None:
    name = "cffi.cparser.Parser._parse / _declarations"
    cparser = importlib.import_module("cffi.cparser")
    parser = getattr(cparser, "Parser", None)
    _require(name, parser is not None and callable(getattr(parser, "_parse", None)), "Parser._parse is gone")
    import cffi  # type: ignore[import-untyped]

    ffi = cffi.FFI()
    ffi.cdef("typedef struct { int x; } forslag_probe_t;")
    declarations: Any = getattr(ffi._parser, "_declarations", None)
    _require(name, isinstance(declarations, dict), "FFI._parser._declarations is no longer a dict")
    _require(name, "typedef forslag_probe_t" in declarations, "typedefs are no longer keyed 'typedef NAME'")
    _require(name, ffi.sizeof("forslag_probe_t") == ffi.sizeof("int"), "a typedef no longer parses")


def _check_fonttools_imports() -> None:
    name = "WeasyPrint's fontTools imports (subset, varLib.instancer)"
    fonts = _source(importlib.import_module("weasyprint.pdf.fonts"))
    _require(name, "from fontTools import subset" in fonts, "WeasyPrint no longer imports fontTools.subset so")
    _require(
        name,
        "from fontTools.varLib.instancer import instantiateVariableFont" in fonts,
        "WeasyPrint no longer imports instantiateVariableFont by name",
    )
    instancer = importlib.import_module("fontTools.varLib.instancer")
    _require(name, callable(getattr(instancer, "instantiateVariableFont", None)), "the instancer function is gone")


def _check_find_library() -> None:
    name = "cffi's library lookup through ctypes.util.find_library"
    api = _source(importlib.import_module("cffi.api"))
    _require(name, "find_library" in api, "cffi no longer asks ctypes.util.find_library for a library's name")
    ffi = _source(importlib.import_module("weasyprint.text.ffi"))
    _require(name, "dlopen" in ffi, "WeasyPrint no longer opens its libraries with ffi.dlopen")


def _check_harfbuzz_subset() -> None:
    name = "weasyprint.text.ffi.harfbuzz_subset"
    ffi = importlib.import_module("weasyprint.text.ffi")
    _require(name, hasattr(ffi, "harfbuzz_subset"), "WeasyPrint no longer exposes harfbuzz_subset")


def _check_argparse_actions() -> None:
    name = "argparse ArgumentParser._actions"
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--flag")
    sub = parser.add_subparsers()
    sub.add_parser("cmd")
    actions: Any = getattr(parser, "_actions", None)
    _require(name, isinstance(actions, list), "ArgumentParser._actions is no longer a list")
    _require(name, any("--flag" in a.option_strings for a in actions), "an added flag is not in _actions")
    kinds: list[Any] = [a for a in actions if isinstance(a, getattr(argparse, "_SubParsersAction", ()))]
    _require(name, len(kinds) == 1 and "cmd" in kinds[0].choices, "subcommands are not a _SubParsersAction")


HOOKS: tuple[Hook, ...] = (
    Hook(
        name="weasyprint.pdf.tags._build_box_tree",
        library="weasyprint",
        private="weasyprint.pdf.tags._build_box_tree (module function, wrapped)",
        used_in="forslag.document.tagging (join_split_elements)",
        relies_on="a recursive generator (box, parent, pdf, ...) that calls itself by its module name and yields "
        "each structure element it makes; without it, an element split by a page break stays in pieces",
        upstream="Kozea/WeasyPrint#2903 (elements split at page breaks)",
        check=_check_build_box_tree,
    ),
    Hook(
        name="weasyprint Page._page_box",
        library="weasyprint",
        private="Page._page_box, box.mark, box.element_tag, box.element, placeholder._box",
        used_in="forslag.document.tagging (scope_headers)",
        relies_on="a page keeps its box tree; a tagged box carries its structure element as .mark",
        upstream="Kozea/WeasyPrint#2508 (table header cells without Scope)",
        check=_check_page_box,
    ),
    Hook(
        name="pydyf PDF.objects / pages['Kids'] / Stream.stream",
        library="pydyf",
        private="PDF.objects, pages['Kids'] as 'n 0 R' triples, Stream.stream and Stream.compress",
        used_in="forslag.document.tagging (artifact_margins, id_tree, figure_boxes, metadata)",
        relies_on="the finisher sees the whole PDF as pydyf objects; marked content is '/Span' then an MCID dict",
        upstream="Kozea/WeasyPrint#1836 (page margins as artifacts); Kozea/WeasyPrint#2471 (PDF/UA)",
        check=_check_pydyf_objects,
    ),
    Hook(
        name="WeasyPrint ToUnicode CMap lines",
        library="weasyprint",
        private="the ToUnicode stream's first line and its 'bfchar' lines",
        used_in="forslag.document.tagging (soft_hyphens)",
        relies_on="each glyph's mapping is one bytes line ending in ' <hex>'",
        upstream="none filed: hyphenation's added hyphen maps to U+2010 instead of U+00AD",
        check=_check_tounicode,
    ),
    Hook(
        name="cffi.cparser.Parser._parse / _declarations",
        library="cffi",
        private="cffi.cparser.Parser._parse, Parser._declarations",
        used_in="forslag.document.libraries (quick_type_parsing)",
        relies_on="each run-time type parse declares the typedefs found in _declarations under 'typedef NAME'",
        upstream="none: a cold-start optimisation; removing the hook costs about 0,1 s a cold print",
        check=_check_cffi_parser,
    ),
    Hook(
        name="WeasyPrint's fontTools imports (subset, varLib.instancer)",
        library="fonttools",
        private="sys.modules entries for fontTools.subset and fontTools.varLib.instancer during the import",
        used_in="forslag.document.libraries (_import_lazily, deferred_functions)",
        relies_on="WeasyPrint imports `from fontTools import subset` and `instantiateVariableFont` by name",
        upstream="none: a cold-start optimisation (0,2 s)",
        check=_check_fonttools_imports,
    ),
    Hook(
        name="cffi's library lookup through ctypes.util.find_library",
        library="cffi",
        private="ctypes.util.find_library, replaced while WeasyPrint is imported",
        used_in="forslag.document.libraries (quick_library_lookup)",
        relies_on="cffi's dlopen asks ctypes.util.find_library for names it cannot open directly",
        upstream="none: a cold-start optimisation (no ldconfig/gcc subprocesses)",
        check=_check_find_library,
    ),
    Hook(
        name="weasyprint.text.ffi.harfbuzz_subset",
        library="weasyprint",
        private="weasyprint.text.ffi.harfbuzz_subset (None when the library is missing)",
        used_in="forslag.document.pdf (require_harfbuzz_subset)",
        relies_on="WeasyPrint opens HarfBuzz's subsetter as harfbuzz_subset, or leaves it None",
        upstream="WeasyPrint 70 announces that its fontTools fallback goes away",
        check=_check_harfbuzz_subset,
    ),
    Hook(
        name="argparse ArgumentParser._actions",
        library="python",
        private="ArgumentParser._actions, argparse._SubParsersAction",
        used_in="forslag.completion (and tools/docsgen.py for the commands reference)",
        relies_on="a parser lists its actions, subcommands as one _SubParsersAction whose choices are the parsers",
        upstream="none: argparse has no public way to list a parser's arguments (shtab reads them the same way)",
        check=_check_argparse_actions,
    ),
)
