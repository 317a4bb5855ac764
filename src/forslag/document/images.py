"""Figures checked before printing: a raster image must decode within a pixel bound, an SVG must parse safely
and stay small once its `<use>` references are expanded. What cannot be drawn safely is refused with a reason,
so the author gets file:line instead of an empty figure or a printer that runs for minutes."""

from __future__ import annotations

import io
import re
import xml.parsers.expat
from dataclasses import dataclass, field

MAX_PIXELS = 40_000_000  # 8000 × 5000: far above a printed figure (an A4 page at 300 dpi is 8,7 million)
MAX_SVG_ELEMENTS = 50_000  # elements after every <use> is expanded; a detailed chart has a few thousand
MAX_SVG_DEPTH = 200
RASTER_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}
_LOCAL_REF = re.compile(r"^\s*#([^\s]+)\s*$")


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class ImageProblem(Exception):
    """Why an image cannot be drawn safely (the message completes 'the image X ...')."""


def check_image(data: bytes, kind: str) -> None:
    """Raise ImageProblem unless the image of MIME type `kind` can be drawn safely."""
    if kind == "image/svg+xml":
        check_svg(data)
    else:
        check_raster(data, RASTER_FORMATS[kind])


def check_raster(data: bytes, expected: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format
            width, height = probe.size
            if found != expected:
                raise ImageProblem(f"is not a {expected} file (its content is {found or 'unknown'})")
            if width * height > MAX_PIXELS:
                raise ImageProblem(
                    f"is {width} × {height} pixels, more than the {_count(MAX_PIXELS)} pixels a figure may "
                    "have; scale it down"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() reads the structure; only decoding finds a truncated or corrupt stream
    except ImageProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageProblem(f"cannot be decoded as {expected}: it is damaged or truncated ({exc})") from None


@dataclass
class _Element:
    tag: str
    line: int
    ref: str | None = None
    children: list[_Element] = field(default_factory=list)


class _SvgReader:
    """Reads an SVG with expat, refusing a DOCTYPE (and with it every entity) and external references."""

    def __init__(self) -> None:
        self.root: _Element | None = None
        self.stack: list[_Element] = []
        self.ids: dict[str, _Element] = {}
        self.count = 0
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def _doctype(self, *_: object) -> None:
        raise ImageProblem("has a DOCTYPE declaration; an SVG figure may not declare entities: remove it")

    def _entity(self, *_: object) -> None:
        raise ImageProblem("declares entities; an SVG figure may not: remove them")

    def _external(self, *_: object) -> int:
        raise ImageProblem("refers to an external entity; an SVG figure may not")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.count += 1
        line = self.parser.CurrentLineNumber
        if self.count > MAX_SVG_ELEMENTS:
            raise ImageProblem(f"has more than {_count(MAX_SVG_ELEMENTS)} elements; simplify it")
        if len(self.stack) >= MAX_SVG_DEPTH:
            raise ImageProblem(f"nests elements more than {MAX_SVG_DEPTH} deep (its line {line}); simplify it")
        tag = name.rsplit(" ", 1)[-1]
        ref = None
        for key, value in attrs.items():
            local = key.rsplit(" ", 1)[-1]
            if local == "href":
                match = _LOCAL_REF.match(value)
                if match:
                    ref = match.group(1)
                elif not value.strip().lower().startswith("data:"):
                    raise ImageProblem(
                        f"refers to {value[:60]!r} (its line {line}); an SVG figure may only refer inside itself"
                    )
        element = _Element(tag, line, ref if tag == "use" else None)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        element_id = attrs.get("id")
        if element_id:
            self.ids.setdefault(element_id, element)
        self.stack.append(element)

    def _end(self, _name: str) -> None:
        self.stack.pop()


def _expanded_size(reader: _SvgReader) -> int:
    """How many elements the SVG draws once every <use> is replaced by what it refers to (memoised, with
    cycles refused), stopping as soon as the bound is passed: ten `<use>` of ten `<use>` ... is caught early."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(element: _Element) -> int:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ImageProblem(f"has a <use> that refers to itself (its line {element.line}); remove the cycle")
        active.add(key)
        total = 1
        for child in element.children:
            total += size(child)
            if total > MAX_SVG_ELEMENTS:
                break
        if element.ref is not None and total <= MAX_SVG_ELEMENTS:
            target = reader.ids.get(element.ref)
            if target is not None:
                total += size(target)
        active.discard(key)
        if total > MAX_SVG_ELEMENTS:
            raise ImageProblem(
                f"would draw more than {_count(MAX_SVG_ELEMENTS)} elements once its <use> references are "
                "expanded (a 'billion laughs' figure); simplify it"
            )
        sizes[key] = total
        return total

    assert reader.root is not None
    return size(reader.root)


def check_svg(data: bytes) -> None:
    reader = _SvgReader()
    try:
        reader.parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ImageProblem(
            f"is not a valid SVG file: {xml.parsers.expat.ErrorString(exc.code)} at its line {exc.lineno}"
        ) from None
    except RecursionError:
        raise ImageProblem("nests elements too deeply; simplify it") from None
    if reader.root is None or reader.root.tag != "svg":
        raise ImageProblem("is not an SVG file (its outermost element is not <svg>)")
    try:
        _expanded_size(reader)
    except RecursionError:
        raise ImageProblem("chains <use> references too deeply; simplify it") from None
