"""Safe YAML reading: bytes to plain data plus the line and column of every key and value."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from forslag.errors import Problem, SourceError
from forslag.source.yamlhints import quote_hint, syntax_hint

# A source is a few hundred lines; these bounds stop a hostile file long before it hurts.
MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000  # counted after alias expansion: an alias bomb trips this, not the memory
MAX_DEPTH = 64  # lists and mappings inside each other; checked on the event stream before composing
# Every number in a source: below 10^15 (in 1.000 kr. that is a trillion kroner) with at most
# MAX_DECIMALS decimals. Within these a product of two numbers stays exact in Decimal's 28 digits
# far enough to round it once, and a hostile 10^400 or a 5.000-digit integer never reaches arithmetic.
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 10

# YAML 1.1 reads these plain forms as numbers (0x10 = 16, 010 = 8, 1:30 = 90, .inf); forslag reads
# only plain decimal notation as a number and keeps the rest as the text written.
_DECIMAL_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-9_]+$")
_DECIMAL_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$")

# What YAML calls printable; anything else (a terminal escape, U+FFFE) is refused with its position.
# NEL, LINE and PARAGRAPH SEPARATOR are line breaks to YAML but not to an editor, so every line number after
# one would be off: they are refused too (they come from word processors, pasted into a text).
_SEPARATORS = "\x85\u2028\u2029"
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # the scalar style: '|', '>', '"', "'" or None for plain

    @property
    def content_line(self) -> int:
        """The first line of a scalar's text: a block scalar's text starts below its indicator."""
        return self.line + 1 if self.style in ("|", ">") else self.line


@dataclass
class Document:
    """The data of one YAML file and where each part of it stands."""

    path: Path
    data: Any
    values: dict[Loc, Mark] = field(default_factory=dict)
    keys: dict[Loc, Mark] = field(default_factory=dict)
    # The text as written of every plain scalar YAML read as something else (a number, a date, yes/no):
    # a text field takes it back (when: 1:30 stays "1:30"), and the number checks see "1.500", not 1.5.
    raw: dict[Loc, str] = field(default_factory=dict)
    # Problems found while reading that do not stop the rest (a number out of bounds), by where they are;
    # the value there is kept as its text, so a text field may still take it.
    flagged: dict[Loc, Problem] = field(default_factory=dict)

    def mark(self, loc: Loc, *, key: bool = False) -> Mark | None:
        """The position of the deepest part of `loc` that exists (keys for unknown-key errors)."""
        if key and loc in self.keys:
            return self.keys[loc]
        probe = loc
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get(())


# libyaml's composer keeps the same marks and is several times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _Unreadable(Exception):
    """A scalar that is kept as its text and reported, without stopping the rest of the file."""


def _mark(node: yaml.Node) -> Mark:
    style = getattr(node, "style", None)
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1, style if isinstance(style, str) else None)


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = Document(path, None)
        self.constructor = yaml.SafeLoader("")
        self.visited = 0
        self.stack: set[int] = set()

    def fail(self, node: yaml.Node, message: str) -> SourceError:
        mark = _mark(node)
        return SourceError.one(self.path, message, mark.line, mark.column)

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.fail(
                node,
                f"the document expands to more than {MAX_NODES} values "
                "(are aliases (*name) repeating a large part?); write it out plainly",
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) in self.stack:
            raise self.fail(node, "an alias refers to the structure it stands in (a cycle)")
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(node, f"the YAML tag {node.tag!r} is not allowed; remove it")
        self.doc.values.setdefault(loc, _mark(node))
        if isinstance(node, yaml.MappingNode):
            self.stack.add(id(node))
            try:
                return self._mapping(node, loc, depth)
            finally:
                self.stack.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self.stack.add(id(node))
            try:
                return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
            finally:
                self.stack.discard(id(node))
        assert isinstance(node, yaml.ScalarNode)
        try:
            value = self._scalar(node)
        except _Unreadable as exc:
            mark = _mark(node)
            self.doc.flagged[loc] = Problem(str(self.path), mark.line, mark.column, str(exc))
            return node.value
        if value is not None and not isinstance(value, str):  # only a plain scalar resolves to non-text
            self.doc.raw[loc] = node.value
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys (<<) are not supported; write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain word or number, not a list or mapping")
            try:
                key = self._scalar(key_node)
            except _Unreadable:
                key = key_node.value  # an absurd number as a key: the checks of that mapping name it
            if isinstance(key, Decimal | dt.date | bool) or key is None:
                key = key_node.value  # keys are names or years; 'yes' or '1.5' as a key is just text
            if key in first:
                raise self.fail(
                    key_node,
                    f"the key {key!r} appears twice (first on line {first[key].line}); "
                    "YAML would silently keep only the last one: remove one of them",
                )
            first[key] = _mark(key_node)
            self.doc.keys[(*loc, key)] = first[key]
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return self.constructor.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:int":
            text = node.value
            if not _DECIMAL_INT.match(text) or _OCTAL_LOOKING.match(text) or "_" in text:
                # 0x10, 010, 1:30, 1_500: text as written, never a silent 16, 8 or 90; a number is plain digits
                return text
            digits = text.lstrip("+-").replace("_", "").lstrip("0")
            if len(digits) > MAX_INTEGER_DIGITS:
                raise _Unreadable(_too_large(text))
            return int(text.replace("_", ""))
        if tag == "tag:yaml.org,2002:float":
            text = node.value
            if not _DECIMAL_FLOAT.match(text) or "_" in text:
                return text  # .inf, .nan, 1:30.5, 1_500.5: text as written
            # Money must stay exact: read the digits as a Decimal, never through float.
            try:
                number = Decimal(text.replace("_", ""))
            except InvalidOperation:
                return text
            if not number.is_finite():
                return text
            if number and number.adjusted() >= MAX_INTEGER_DIGITS:
                raise _Unreadable(_too_large(text))
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
                raise _Unreadable(f"the number {_short(text)} has more than {MAX_DECIMALS} decimals; round it")
            return number
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return self.constructor.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return node.value  # not a real date: a date field says what it expects
        return node.value


def _short(text: str) -> str:
    return repr(text) if len(text) <= 24 else repr(text[:20] + "…")


def _too_large(text: str) -> str:
    return (
        f"the number {_short(text)} is too large: a number in a source must be below 10^{MAX_INTEGER_DIGITS} "
        "(1.000.000.000.000.000); amounts are in 1.000 kr."
    )


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _read_regular(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of bounded size (no FIFO, no /dev/zero)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError.one(path, f"cannot read the file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SourceError.one(path, "not a regular file (a folder, device or pipe); name a .yaml file")
        if info.st_size > MAX_BYTES:
            raise SourceError.one(path, f"the file is {info.st_size} bytes; a source may be at most {MAX_BYTES}")
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError.one(path, f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise SourceError.one(path, f"the file is larger than {MAX_BYTES} bytes, the most a source may be")
    return raw


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _check_depth(path: Path, text: str) -> None:
    """Refuse deep nesting on the event stream: libyaml's composer recurses and would crash the process."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                start = event.start_mark
                raise SourceError.one(
                    path,
                    f"lists and mappings are nested more than {MAX_DEPTH} levels deep; a source needs a few",
                    start.line + 1 if start else None,
                    start.column + 1 if start else None,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def read_yaml(path: Path) -> Document:
    """Read one YAML source safely; raise SourceError with a position for anything wrong."""
    raw = _read_regular(path)
    if b"\x00" in raw:
        line, column = _line_of_offset(raw, raw.index(b"\x00"))
        raise SourceError.one(path, "this is a binary file, not a YAML text source", line, column)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_of_offset(raw, exc.start)
        raise SourceError.one(
            path, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line, column
        ) from None
    text = text.removeprefix("\ufeff")
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, column = _position(text, bad.start())
        char = bad.group()
        kind = (
            "a line separator from a word processor; use a plain line break or a space"
            if char in _SEPARATORS
            else "a control character"
            if ord(char) < 0xA0
            else "not a character a text may hold"
        )
        raise SourceError.one(
            path, f"the character U+{ord(char):04X} ({kind}) is not allowed in a source; remove it", line, column
        )
    try:
        _check_depth(path, text)
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        at_line = mark.line + 1 if mark else None
        at_column = mark.column + 1 if mark else None
        context_line = exc.context_mark.line + 1 if exc.context_mark else None
        quoted = quote_hint(text, at_line, at_column) if "tab" not in what else None
        hint: str | None
        if quoted:
            # The parser stumbles after the quote that closed the text, far from the mistake: point at the opening.
            hint, at_line, at_column = quoted
        else:
            hint = syntax_hint(text, what, at_line, at_column, context_line)
            if "while scanning a quoted scalar" in what and exc.context_mark:
                # the end of the file is no place to look for a quote that was never closed: show where it opened
                at_line, at_column = exc.context_mark.line + 1, exc.context_mark.column + 1
                hint = (
                    f"the quote opened here (line {at_line}) is never closed: add the closing quote where the text ends"
                )
        message = f"invalid YAML: {hint} (the YAML parser says: {what})" if hint else f"invalid YAML: {what}"
        raise SourceError.one(path, message, at_line, at_column) from None
    except yaml.YAMLError as exc:
        raise SourceError.one(path, f"invalid YAML: {exc}") from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise SourceError.one(
            path, "the file is empty; a source is a YAML mapping of keys (see 'forslag schema')", 1, 1
        )
    if len(nodes) > 1:
        second = _mark(nodes[1])
        raise SourceError.one(path, "the file holds more than one YAML document (---); keep one", second.line, 1)
    root = nodes[0]
    builder = _Builder(path)
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise builder.fail(root, f"the file holds {kind}; a source must be a mapping of keys like 'title: ...'")
    builder.doc.data = builder.build(root, (), 0)
    return builder.doc
