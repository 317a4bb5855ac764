"""Safe YAML reading: bytes to plain data plus the line and column of every key and value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from forslag.errors import SourceError

# A source is a few hundred lines; these bounds stop a hostile file long before it hurts.
MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000  # counted after alias expansion: an alias bomb trips this, not the memory
MAX_DEPTH = 64

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
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys (<<) are not supported; write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain word or number, not a list or mapping")
            key = self._scalar(key_node)
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
            return self.constructor.construct_yaml_int(node)
        if tag == "tag:yaml.org,2002:float":
            # Money must stay exact: read the digits as a Decimal, never through float.
            text = node.value.replace("_", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise self.fail(node, f"{node.value!r} is not a finite number") from None
            if not number.is_finite():
                raise self.fail(node, f"{node.value!r} is not a finite number")
            return number
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return self.constructor.construct_yaml_timestamp(node)
            except ValueError as exc:
                raise self.fail(node, f"{node.value!r} is not a valid date: {exc}") from None
        return node.value


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def read_yaml(path: Path) -> Document:
    """Read one YAML source safely; raise SourceError with a position for anything wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError.one(path, f"the file is {size} bytes; a source may be at most {MAX_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError.one(path, f"cannot read the file: {exc.strerror or exc}") from None
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
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise SourceError.one(
            path, f"invalid YAML: {what}", mark.line + 1 if mark else None, mark.column + 1 if mark else None
        ) from None
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
