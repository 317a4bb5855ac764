"""Sources to models: a case and its proposals, validated, with every problem reported at once."""

from __future__ import annotations

import dataclasses
import difflib
import re
import stat
import types
import typing
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path, PurePath
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from forslag import progress
from forslag.errors import Problem, SourceError
from forslag.source.bounds import check_bounds
from forslag.source.business_case import check_against_case as check_business_case
from forslag.source.business_case import warnings_against_case as business_case_warnings
from forslag.source.comments import cut_texts
from forslag.source.model import Case, Line, Proposal
from forslag.source.scalars import at, prepare, unwrap
from forslag.source.sources import CASE_FILE, SOURCE_SUFFIXES, find_sources
from forslag.source.yamlsource import MAX_INTEGER_DIGITS, Document, Loc, Mark, read_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedCase:
    path: Path
    document: Document
    case: Case


@dataclass(frozen=True)
class LoadedProposal:
    path: Path
    document: Document
    case: LoadedCase
    proposal: Proposal
    warnings: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        """The output name: the source's file name without its suffix."""
        return self.path.stem


def _annotation_at(root: type[BaseModel], loc: Loc) -> Any:
    """The annotation of the field at loc (None when loc leaves the model, e.g. a union member's tag)."""
    current: Any = root
    for part in loc:
        current = unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        elif typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    return current


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current = unwrap(_annotation_at(root, loc))
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {f.alias or name: f for name, f in model.model_fields.items()}


def _known_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    model = _model_at(root, loc)
    return list(_fields(model)) if model else []


def _homes(root: type[BaseModel]) -> dict[str, list[str]]:
    """Every key the format knows, with the places it belongs ('' for the top level, 'economy.permanent[]')."""
    homes: dict[str, list[str]] = {}

    def visit(model: type[BaseModel], where: str, seen: tuple[type[BaseModel], ...]) -> None:
        for key, info in _fields(model).items():
            homes.setdefault(key, []).append(where)
            inner = unwrap(info.annotation)
            suffix = ""
            if typing.get_origin(inner) is list:
                inner = unwrap(typing.get_args(inner)[0])
                suffix = "[]"
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in seen:
                visit(inner, f"{where}.{key}{suffix}".lstrip("."), (*seen, inner))

    visit(root, "", (root,))
    return homes


def _place(where: str) -> str:
    if not where:
        return "the top level"
    if where.endswith("[]"):
        return f"an item of {where[:-2]!r}"
    return repr(where)


# A short example for each section a source may leave out by mistake.
_EXAMPLES = {
    "economy": 'economy: {intro: "…", permanent: [{id: besparelse, label: Besparelse, amounts: {2027: -500}}]}',
    "permanent": "permanent: [{id: besparelse, label: Besparelse, amounts: {2027: -500}}]",
    "follow_up": (
        "follow_up: {implementation: [{goal: …, measure: …, responsible: …, when: 2026}], "
        "realisation: [{goal: …, measure: …, responsible: …, when: 2028}]}"
    ),
    "implementation": "implementation: [{goal: Ansat, measure: Løndata, responsible: CFØ, when: 2026}]",
    "realisation": "realisation: [{goal: Sparet, measure: Kvantum, responsible: CFØ, when: 2028}]",
    "risk": "risk: {level: lav, text: Lav risiko.}",
    "finance_approval": "finance_approval: {approved: true, date: 2026-01-23}",
    "innovation": "innovation: false",
    "years": "years: [2026, 2027, 2028, 2029]",
    "price_level": "price_level: 2027",
    "date": "date: 2026-02-20",
}


def _missing(root: type[BaseModel], loc: Loc) -> str:
    """What a missing key must hold: its description, the keys of a section, an example."""
    key = str(loc[-1])
    where = ".".join(str(p) for p in loc[:-1])
    message = f"missing required key {key!r}" + (f" in {where}" if where else "")
    model = _model_at(root, loc[:-1])
    info = _fields(model).get(key) if model else None
    if info is None:
        return message
    message += f" ({(info.description or 'see forslag schema').rstrip('.')})"
    inner = unwrap(info.annotation)
    listed = typing.get_origin(inner) is list
    if listed:
        inner = unwrap(typing.get_args(inner)[0])
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        keys = _fields(inner)
        required = [k for k, f in keys.items() if f.is_required()]
        optional = [k for k in keys if k not in required]
        message += f": {'a list of mappings' if listed else 'a mapping'} with {', '.join(required)}"
        if optional:
            message += f" (optional: {', '.join(optional)})"
    if key in _EXAMPLES:
        message += f"; for example {_EXAMPLES[key]}"
    return message


def _unknown(root: type[BaseModel], loc: Loc, doc: Document) -> str:
    key = loc[-1]
    parent = loc[:-1]
    message = f"unknown key {key!r}"
    homes = [h for h in _homes(root).get(str(key), []) if h != _home_of(parent)]
    if homes:
        home = _home_of(parent)
        here = "at the top level" if not home else f"in {_place(home)}"
        places = " or ".join("at the top level" if not h else f"in {_place(h)}" for h in homes[:3])
        return (
            f"{message} {here}: {key!r} belongs {places}; check its indentation "
            "(it may sit a level too deep or too shallow)"
        )
    known = _known_keys(root, parent)
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
    if close:
        message += f"; did you mean {close[0]!r}?"
    elif known:
        message += f"; known keys here: {', '.join(known)}"
    if _in_flow_without_value(doc, loc) and isinstance(key, int):
        message += (
            "; inside { } a ',' separates entries, so a decimal comma (0,5) splits the number in two: "
            "write decimals with a point (0.5)"
        )
    elif _in_flow_without_value(doc, loc):
        message += (
            f"; inside {{ }} a ',' starts a new key: if {key!r} is part of the text before it, put that text in quotes"
        )
    return message


def _in_flow_without_value(doc: Document, loc: Loc) -> bool:
    """A key with no value in a { } mapping: the mark of a text's comma split off as a key."""
    value: Any = doc.data
    for part in loc:
        if not isinstance(value, dict | list):
            return False
        try:
            value = value[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return False
    parent = doc.values.get(loc[:-1])
    if value is not None or parent is None:
        return False
    siblings = {(m.line, m.column) for k, m in doc.keys.items() if k[:-1] == loc[:-1]}
    return (parent.line, parent.column) not in siblings


def _home_of(loc: Loc) -> str:
    """A location as a place in the format: list indexes become '[]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += "[]"
        else:
            out += f".{part}" if out else str(part)
    return out


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")

# Pydantic's wording for the mistakes authors make most, said in the terms of the source.
_FRIENDLY = {
    "bool_parsing": "expected yes/no: write true or false",
    "bool_type": "expected yes/no: write true or false",
    "date_from_datetime_parsing": "expected a date written as YYYY-MM-DD, e.g. 2026-01-23",
    "date_parsing": "expected a date written as YYYY-MM-DD, e.g. 2026-01-23",
    "date_type": "expected a date written as YYYY-MM-DD, e.g. 2026-01-23",
    "string_type": "expected text",
    "list_type": "expected a list (lines starting with '- ')",
    "dict_type": "expected a mapping of keys",
    "model_type": "expected a mapping of keys",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
}


def _misspelt(items: list[Any]) -> dict[Loc, str]:
    """Unknown keys that are a misspelling of a required key missing beside them: unknown loc -> the key.

    One slip of the keyboard is one mistake: it is reported once, at the misspelt key, not also as the
    required key missing at the top of its mapping.
    """
    missing: dict[Loc, list[str]] = {}
    for item in items:
        loc: Loc = tuple(item["loc"])
        if item["type"] == "missing" and loc:
            missing.setdefault(loc[:-1], []).append(str(loc[-1]))
    found: dict[Loc, str] = {}
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] != "extra_forbidden" or not loc or loc[:-1] not in missing:
            continue
        free = [k for k in missing[loc[:-1]] if k not in found.values()]
        close = difflib.get_close_matches(str(loc[-1]), free, n=1, cutoff=0.75)
        if close:
            found[loc] = close[0]
    return found


def _literals(annotation: Any) -> list[Any]:
    """A Literal's values, through Optional, Annotated and unions of literals."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if origin is typing.Annotated:
        return _literals(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [value for member in typing.get_args(annotation) for value in _literals(member)]
    return []


def _choices(item: Any, root: type[BaseModel]) -> str | None:
    """A literal's choices in plain words ('lav, lav til mellem, ...'), read from the model, not pydantic's text."""
    names = [str(value) for value in _literals(_annotation_at(root, tuple(item["loc"])))]
    if not names:
        return None
    given = item.get("input")
    got = f", got {given!r}" if isinstance(given, str) else ""
    return f"expected one of: {', '.join(names)}{got}"


def _problems(error: ValidationError, doc: Document, root: type[BaseModel], skip: set[Loc]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    items = error.errors(include_url=False)
    misspelt = _misspelt(items)
    for item in items:
        loc: Loc = tuple(item["loc"])
        if loc in skip:
            continue  # already reported, value by value, with its line
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if loc in misspelt:
            message = f"unknown key {loc[-1]!r}; did you mean {misspelt[loc]!r}? (it is required)"
            mark = doc.mark(loc, key=True)
        elif kind == "missing" and any(m[:-1] == loc[:-1] and misspelt[m] == loc[-1] for m in misspelt):
            continue  # said at the misspelt key
        elif kind in ("extra_forbidden", "invalid_key"):  # invalid_key: a number as a key ({fte: 0,5} splits)
            message = _unknown(root, loc, doc)
            mark = doc.mark(loc, key=True)
        elif kind == "missing":
            message = _missing(root, loc)
            mark = doc.mark(loc[:-1])
        else:
            mark = doc.mark(loc)
            given = item.get("input")
            if kind.startswith("date") and isinstance(given, str) and _ISO_DATE.match(given):
                message = f"{given} is not a date in the calendar: check the month and the day"
            elif kind == "literal_error":
                message = _choices(item, root) or message
            else:
                message = _FRIENDLY.get(kind, message)
            field = ".".join(str(p) for p in loc)
            if field:
                message = f"{field}: {message}"
        key_ = (mark, message)
        if key_ in seen:
            continue
        seen.add(key_)
        problems.append(at(doc, mark, message))
    return problems


@dataclass
class _Checked(Generic[M]):
    model: M | None
    problems: list[Problem]
    warnings: list[Problem]


def _validate(model: type[M], doc: Document, years: list[int] | None = None) -> _Checked[M]:
    """Every problem of one source against its model: the scalar checks, then the schema."""
    prepared = prepare(model, doc, years)
    problems = list(prepared.problems)
    result: M | None = None
    try:
        result = model.model_validate(prepared.data)
    except ValidationError as exc:
        problems += _problems(exc, doc, model, prepared.reported)
    if problems:
        result = None
    return _Checked(result, problems, prepared.warnings)


# A pool of 10 mia. kr. a year or more is no municipality's investment pool: kroner typed where the unit is
# 1.000 kr. (30 mio. kr. written as 30000000 instead of 30000).
POOL_CEILING = Decimal(10_000_000)


def _check_pool(doc: Document, case: Case) -> list[Problem]:
    """The pool's budget against the case: only its years, never negative, in 1.000 kr."""
    problems: list[Problem] = []
    years = case.years
    for year, amount in (case.pool_budget or {}).items():
        loc: Loc = ("pool_budget", year)
        if year not in years:
            problems.append(
                at(
                    doc,
                    doc.mark(loc, key=True),
                    f"pool_budget: the year {year} is not one of the case's years {years[0]}-{years[-1]}; "
                    "give the pool's money only for the years in 'years'",
                )
            )
        if amount < 0:
            problems.append(
                at(doc, doc.mark(loc), f"pool_budget: year {year}: the pool's money cannot be negative ({amount})")
            )
        elif amount >= POOL_CEILING:
            problems.append(
                at(
                    doc,
                    doc.mark(loc),
                    f"pool_budget: year {year}: {amount} is {amount / 1_000_000:.0f} mia. kr. or more in 1.000 kr.; "
                    f"amounts are in 1.000 kr.: if you typed kroner, write {(amount / 1000).to_integral_value()}",
                )
            )
    return problems


def load_case(path: Path) -> LoadedCase:
    doc = read_yaml(path)
    checked = _validate(Case, doc)
    if checked.model is None:
        raise SourceError(checked.problems)
    problems = _check_pool(doc, checked.model)
    if problems:
        raise SourceError(problems)
    return LoadedCase(path, doc, checked.model)


# Beyond this a line's yearly amount is no budget figure; it also keeps the rounding within Decimal's digits.
MAX_AMOUNT = Decimal(10) ** MAX_INTEGER_DIGITS


def _line_bound(doc: Document, loc: Loc, line: Line, years: list[int], problems: list[Problem]) -> None:
    """A line's yearly amount, its parts added by their size, must stay below MAX_AMOUNT."""
    with localcontext() as context:
        context.prec = 80  # exact for every product of two bounded numbers
        size = Decimal(0)
        size += max((abs(v) for v in (line.amounts or {}).values()), default=Decimal(0))
        drivers = [(d.fte, d.unit_cost) for d in line.staffing] + [(d.count, d.unit_price) for d in line.units]
        for per_year, unit in drivers:
            values = per_year.values() if isinstance(per_year, dict) else [per_year]
            size += max((abs(v) for v in values), default=Decimal(0)) * abs(unit)
        if size >= MAX_AMOUNT:
            problems.append(
                at(
                    doc,
                    doc.mark(loc),
                    f"the line's parts reach 10^{MAX_INTEGER_DIGITS} (1.000 kr.) or more in a year; "
                    "amounts are in 1.000 kr.: check the units",
                )
            )


def _check_against_case(doc: Document, proposal: Proposal, case: Case) -> list[Problem]:
    """What only the case can tell: a driver's years outside its columns; and ids used twice."""
    problems: list[Problem] = []
    years = case.years
    seen: dict[str, Loc] = {}
    blocks: list[tuple[str, list[Line]]] = [
        ("permanent", proposal.economy.permanent),
        ("implementation", proposal.economy.implementation),
    ]
    for block, lines in blocks:
        for i, line in enumerate(lines):
            loc: Loc = ("economy", block, i)
            if line.id in seen:
                mark = doc.mark((*loc, "id"))
                problems.append(at(doc, mark, f"the line id {line.id!r} is used twice; placeholders need each id once"))
            seen[line.id] = loc
            _line_bound(doc, loc, line, years, problems)
            drivers: list[tuple[str, Any]] = [("staffing", d) for d in line.staffing]
            drivers += [("units", d) for d in line.units]
            counters = {"staffing": 0, "units": 0}
            for kind, driver in drivers:
                dloc: Loc = (*loc, kind, counters[kind])
                counters[kind] += 1
                per_year = driver.fte if kind == "staffing" else driver.count
                key = "fte" if kind == "staffing" else "count"
                for bound, value in (("from", driver.from_year), ("until", driver.until)):
                    if value is not None and value not in years:
                        mark = doc.mark((*dloc, bound))
                        problems.append(
                            at(doc, mark, f"{bound}: {value} is outside the case's years {years[0]}-{years[-1]}")
                        )
                if isinstance(per_year, dict) and (driver.from_year or driver.until):
                    mark = doc.mark((*dloc, key))
                    message = "'from'/'until' go with a single number; a mapping of years already says which years"
                    problems.append(at(doc, mark, message))
    return problems


_case_cache: dict[tuple[Path, int, int], LoadedCase] = {}


def case_path(proposal: Path, name: str) -> Path:
    """The case file a proposal names, confined to the proposal's folder and the folders below it.

    Raises ValueError saying why a name is refused: an absolute path, '..', a file that is not YAML,
    a symlink leading out of the folder, a missing or non-regular file.
    """
    relative = PurePath(name)
    if not name.strip() or relative.is_absolute() or name.startswith("~") or "\\" in name:
        raise ValueError(
            f"'case: {name}' must be a path relative to this proposal's folder, such as {CASE_FILE} or "
            f"cases/{CASE_FILE}"
        )
    if ".." in relative.parts:
        raise ValueError(
            f"'case: {name}' leads out of this proposal's folder ('..'); the case file must lie in the "
            "proposal's folder or a folder below it"
        )
    if relative.suffix not in SOURCE_SUFFIXES:
        raise ValueError(f"'case: {name}' must name a .yaml file")
    folder = proposal.parent.resolve()
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder):
        raise ValueError(f"'case: {name}' leads out of this proposal's folder through a link; copy the case file in")
    if not target.exists():
        raise ValueError(
            f"the case file {name!r} does not exist next to this proposal; "
            f"create {CASE_FILE} (`forslag init` writes one) or point 'case:' at it"
        )
    if not stat.S_ISREG(target.stat().st_mode):
        raise ValueError(f"'case: {name}' is not a regular file")
    return target


def _case_for(path: Path, doc: Document) -> tuple[LoadedCase | None, list[Problem]]:
    """The proposal's case, read before its own validation so years can be checked value by value."""
    data = doc.data if isinstance(doc.data, dict) else {}
    name = data.get("case", CASE_FILE)
    if not isinstance(name, str):
        name = doc.raw.get(("case",))
        if name is None:
            return None, []  # not text at all: the schema says so
    mark = doc.mark(("case",)) if "case" in data else None
    try:
        target = case_path(path, name)
    except ValueError as exc:
        return None, [at(doc, mark or Mark(1, 1), str(exc))]
    info = target.stat()
    key = (target, info.st_mtime_ns, info.st_size)
    if key not in _case_cache:
        try:
            _case_cache[key] = load_case(target)
        except SourceError as exc:
            shown = _shown(target)
            return None, [dataclasses.replace(p, path=shown) if p.path == str(target) else p for p in exc.problems]
    return _case_cache[key], []


def _shown(path: Path) -> str:
    """A case file's path as errors print it: relative to the current folder when it lies under it, as
    the proposals named on the command line are (the case path itself is resolved, so absolute)."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def load_proposal(path: Path) -> LoadedProposal:
    progress.doing("reading and validating the source")
    if not path.resolve().is_relative_to(path.absolute().parent.resolve()):
        # As a figure or a `case:` may not: a link would let a folder's build read any file on the machine.
        raise SourceError.one(
            path, "a symbolic link to a file outside its folder; copy the proposal into the folder instead"
        )
    doc = read_yaml(path)
    case, problems = _case_for(path, doc)
    checked = _validate(Proposal, doc, case.case.years if case else None)
    problems += checked.problems
    if checked.model is not None and case is not None:
        problems += _check_against_case(doc, checked.model, case.case) + check_business_case(
            doc, checked.model, case.case
        )
        problems += check_bounds(doc, checked.model)  # what the annex can print and the charts draw
    if problems or checked.model is None or case is None:
        raise SourceError(problems or [at(doc, doc.mark(("case",)), "no case file could be read for this proposal")])
    try:  # read_yaml has already checked that this is a regular UTF-8 file
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        text = ""
    found = [*checked.warnings, *cut_texts(doc, text), *business_case_warnings(doc, checked.model)]
    warnings = sorted(found, key=lambda p: (p.line or 0, p.column or 0, p.message))
    return LoadedProposal(path, doc, case, checked.model, tuple(warnings))


__all__ = [
    "CASE_FILE",
    "LoadedCase",
    "LoadedProposal",
    "case_path",
    "find_sources",
    "load_case",
    "load_proposal",
]
