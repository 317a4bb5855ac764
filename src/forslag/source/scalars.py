"""Before the schema: text fields take the text as written, and every number is checked at its own line.

YAML decides what a plain scalar is before anyone knows which field it lands in: `when: yes` would be
true, `note: 2027-03-01` a date and `unit_cost: 1.500` the fraction 1,5. This pass walks the data along
the models, gives a text field back the scalar as written, and checks every number field value by value
(a bad amount and a bad year key beside it are both reported, each at its own line), with warnings where
a legitimate fraction looks like a Danish thousands point.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel

from forslag.errors import Problem
from forslag.source.numbers import EMPTY_MAPPING, Numbers, danish_hint, number_problem
from forslag.source.yamlsource import Document, Loc, Mark


def at(doc: Document, mark: Mark | None, message: str) -> Problem:
    """A problem at a place in the source (or at its top when the place is unknown)."""
    return Problem(str(doc.path), mark.line if mark else None, mark.column if mark else None, message)


def unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated wrappers to the type a value must have."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            return annotation


def numbers_of(annotation: Any) -> Numbers | None:
    """The Numbers marker of a numeric field (through Optional), or None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return next((m for m in annotation.__metadata__ if isinstance(m, Numbers)), None)
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            found = numbers_of(member)
            if found:
                return found
    return None


def _describe_key(key: object) -> str:
    return f"text {key!r}" if isinstance(key, str) else repr(key)


def _field(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


@dataclass(frozen=True)
class _Kind:
    """What the walk does with a value: check it as a number, take the text as written, or go inside."""

    numbers: Numbers | None = None
    text: bool = False
    model: type[BaseModel] | None = None
    item: _Kind | None = None  # the kind of a list's items


def _kind(annotation: Any) -> _Kind:
    numbers = numbers_of(annotation)
    if numbers is not None:
        return _Kind(numbers=numbers)
    target = unwrap(annotation)
    if target is str:
        return _Kind(text=True)
    if typing.get_origin(target) is list:
        return _Kind(item=_kind(typing.get_args(target)[0]))
    if isinstance(target, type) and issubclass(target, BaseModel):
        return _Kind(model=target)
    return _Kind()


@functools.cache
def _plan(model: type[BaseModel]) -> dict[str, _Kind]:
    """Each key of a model and its kind, worked out once per model."""
    # pydantic moves a field's Annotated metadata (the Numbers marker) into FieldInfo.metadata
    return {
        f.alias or name: _kind(Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation)
        for name, f in model.model_fields.items()
    }


@dataclass
class Prepared:
    """The data ready for the models, what was found wrong, and where pydantic need not speak again."""

    data: Any
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    reported: set[Loc] = field(default_factory=set)


class _Walk:
    def __init__(self, doc: Document, years: list[int] | None) -> None:
        self.doc = doc
        self.years = years
        self.out = Prepared(None)
        self.texts: set[Loc] = set()

    def problem(self, mark: Mark | None, message: str, field_loc: Loc) -> None:
        self.out.problems.append(at(self.doc, mark, message))
        self.out.reported.add(field_loc)

    def walk(self, kind: _Kind, value: Any, loc: Loc) -> Any:
        if kind.numbers is not None:
            self.number_field(kind.numbers, value, loc)
            return value
        if kind.text:
            if value is not None and not isinstance(value, str | dict | list) and loc in self.doc.raw:
                return self.doc.raw[loc]
            if loc in self.doc.flagged:
                self.texts.add(loc)  # an absurd "number" in a text field is just text
            return value
        if kind.item is not None and isinstance(value, list):
            return [self.walk(kind.item, v, (*loc, i)) for i, v in enumerate(value)]
        if kind.model is not None and isinstance(value, dict):
            plan = _plan(kind.model)
            return {k: self.walk(plan[k], v, (*loc, k)) if k in plan else v for k, v in value.items()}
        return value

    def number_field(self, numbers: Numbers, value: Any, loc: Loc) -> None:
        doc = self.doc
        if loc in doc.flagged:
            self.out.reported.add(loc)
            return
        if isinstance(value, dict) and numbers.per_year:
            if not value:
                self.problem(doc.mark(loc), f"{_field(loc)}: {EMPTY_MAPPING}", loc)
            items = list(value.items())
            split = self.split_numbers(items, loc)
            for index, (key, amount) in enumerate(items):
                entry: Loc = (*loc, key)
                if index in split:
                    if split[index]:
                        self.problem(doc.mark(entry), f"{_field(loc)}: year {key}: {split[index]}", loc)
                    continue
                if numbers.case_years:
                    if not isinstance(key, int) or isinstance(key, bool) or key < 1:
                        message = (
                            f"{_field(loc)}: expected a year of the case (1, 2, ...) as key, got {_describe_key(key)}"
                        )
                        self.problem(doc.mark(entry, key=True), message, loc)
                elif not isinstance(key, int) or isinstance(key, bool):
                    message = f"{_field(loc)}: expected a year (like 2027) as key, got {_describe_key(key)}"
                    mark = doc.mark(entry, key=True)
                    if isinstance(key, str) and key.strip().isdigit() and mark and mark.style in ("'", '"'):
                        example = amount if isinstance(amount, int | Decimal) and not isinstance(amount, bool) else 500
                        message += f"; a year key is written without quotes: {key.strip()}: {example}"
                    self.problem(mark, message, loc)
                elif self.years and key not in self.years:
                    message = f"the year {key} is outside the case's years {self.years[0]}-{self.years[-1]}"
                    self.problem(doc.mark(entry, key=True), message, loc)
                self.number(numbers, amount, entry, loc, f"{_field(loc)}: year {key}: ")
            return
        if not numbers.single:
            return  # not a mapping where one belongs: the schema says what it expects
        self.number(numbers, value, loc, loc, f"{_field(loc)}: ")

    def split_numbers(self, items: list[tuple[Any, Any]], loc: Loc) -> dict[int, str]:
        """Entries of a { } mapping that are one number split at its decimal comma: {2027: 1,5 mio}.

        Inside { } the ',' ends an entry, so YAML reads 2027: 1 and a key '5 mio' without a value. Both are
        said once, at the amount, as the number written (index -> message; '' for the split-off key).
        """
        split: dict[int, str] = {}
        for index in range(1, len(items)):
            (year, first), (rest, nothing) = items[index - 1], items[index]
            written = self.doc.raw.get((*loc, year))
            if nothing is not None or not isinstance(rest, str | int) or isinstance(rest, bool) or written is None:
                continue
            if not isinstance(first, int) or isinstance(first, bool) or not written.lstrip("+-").isdigit():
                continue
            text = f"{written},{rest}"
            hint = danish_hint(text, True)
            if hint:
                split[index - 1] = (
                    f"expected a number, got text {text!r} (inside {{ }} the ',' splits it in two); {hint}"
                )
                split[index] = ""
        return split

    def number(self, numbers: Numbers, value: Any, loc: Loc, field_loc: Loc, prefix: str) -> None:
        if loc in self.doc.flagged:
            self.out.reported.add(field_loc)
            return
        if isinstance(value, dict | list):
            if numbers.single and not numbers.per_year:
                return  # the schema's own message
            message = f"{prefix}expected a number, got {'a mapping' if isinstance(value, dict) else 'a list'}"
            self.problem(self.doc.mark(loc), message, field_loc)
            return
        _, error, warning = number_problem(value, self.doc.raw.get(loc), numbers)
        if error:
            self.problem(self.doc.mark(loc), prefix + error, field_loc)
        if warning:
            self.out.warnings.append(at(self.doc, self.doc.mark(loc), prefix + warning))


def prepare(root: type[BaseModel], doc: Document, years: list[int] | None = None) -> Prepared:
    """Walk the source along the model: text as written, numbers checked, every problem with its line."""
    walker = _Walk(doc, years)
    walker.out.data = walker.walk(_Kind(model=root), doc.data, ())
    for loc, problem in doc.flagged.items():
        if loc not in walker.texts:
            walker.out.problems.append(problem)
            walker.out.reported.add(loc)
    return walker.out
