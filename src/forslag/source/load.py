"""Sources to models: a case and its proposals, validated, with every problem reported at once."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from forslag.errors import Problem, SourceError
from forslag.source.business_case import check_against_case as check_business_case
from forslag.source.model import Case, Line, PerYear, Proposal
from forslag.source.sources import CASE_FILE, find_sources
from forslag.source.yamlsource import Document, Loc, Mark, read_yaml

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

    @property
    def name(self) -> str:
        """The output name: the source's file name without its suffix."""
        return self.path.stem


def _unwrap(annotation: Any) -> Any:
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


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: Any = root
    for part in loc:
        current = _unwrap(current)
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
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _known_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    model = _model_at(root, loc)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


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
}


def _problems(error: ValidationError, doc: Document, root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for item in error.errors(include_url=False):
        loc: Loc = tuple(item["loc"])
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            key = loc[-1]
            known = _known_keys(root, loc[:-1])
            message = f"unknown key {key!r}"
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
            if close:
                message += f"; did you mean {close[0]!r}?"
            elif known:
                message += f"; known keys here: {', '.join(known)}"
            mark = doc.mark(loc, key=True)
        elif kind == "missing":
            message = f"missing required key {loc[-1]!r}"
            where = ".".join(str(p) for p in loc[:-1])
            if where:
                message += f" in {where}"
            mark = doc.mark(loc[:-1])
        else:
            mark = doc.mark(loc)
            message = _FRIENDLY.get(kind, message)
            field = ".".join(str(p) for p in loc)
            if field:
                message = f"{field}: {message}"
        key_ = (mark, message)
        if key_ in seen:
            continue
        seen.add(key_)
        problems.append(_at(doc, mark, message))
    return problems


def _validate(model: type[M], doc: Document) -> M:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise SourceError(_problems(exc, doc, model)) from None


def _at(doc: Document, mark: Mark | None, message: str) -> Problem:
    """A problem at a place in the source (or at its top when the place is unknown)."""
    return Problem(str(doc.path), mark.line if mark else None, mark.column if mark else None, message)


def load_case(path: Path) -> LoadedCase:
    doc = read_yaml(path)
    return LoadedCase(path, doc, _validate(Case, doc))


def _check_years(doc: Document, loc: Loc, values: PerYear | None, years: list[int], problems: list[Problem]) -> None:
    if not isinstance(values, dict):
        return
    for year in values:
        if year not in years:
            mark = doc.mark((*loc, year), key=True) or doc.mark(loc)
            problems.append(_at(doc, mark, f"the year {year} is outside the case's years {years[0]}-{years[-1]}"))


def _check_against_case(doc: Document, proposal: Proposal, case: Case) -> list[Problem]:
    """What only the case can tell: years outside its columns, ids used twice."""
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
                problems.append(
                    _at(doc, mark, f"the line id {line.id!r} is used twice; placeholders need each id once")
                )
            seen[line.id] = loc
            _check_years(doc, (*loc, "amounts"), line.amounts, years, problems)
            drivers: list[tuple[str, Any]] = [("staffing", d) for d in line.staffing]
            drivers += [("units", d) for d in line.units]
            counters = {"staffing": 0, "units": 0}
            for kind, driver in drivers:
                dloc: Loc = (*loc, kind, counters[kind])
                counters[kind] += 1
                per_year = driver.fte if kind == "staffing" else driver.count
                key = "fte" if kind == "staffing" else "count"
                _check_years(doc, (*dloc, key), per_year, years, problems)
                for bound, value in (("from", driver.from_year), ("until", driver.until)):
                    if value is not None and value not in years:
                        mark = doc.mark((*dloc, bound))
                        problems.append(
                            _at(doc, mark, f"{bound}: {value} is outside the case's years {years[0]}-{years[-1]}")
                        )
                if isinstance(per_year, dict) and (driver.from_year or driver.until):
                    mark = doc.mark((*dloc, key))
                    message = "'from'/'until' go with a single number; a mapping of years already says which years"
                    problems.append(_at(doc, mark, message))
    return problems


_case_cache: dict[tuple[Path, int, int], LoadedCase] = {}


def _case_for(path: Path, proposal: Proposal, doc: Document) -> LoadedCase:
    case_path = (path.parent / proposal.case).resolve()
    if not case_path.is_file():
        mark = doc.mark(("case",))
        raise SourceError.one(
            path,
            f"the case file {proposal.case!r} does not exist next to this proposal; "
            f"create {CASE_FILE} (see README) or point 'case:' at it",
            mark.line if mark else 1,
            mark.column if mark else 1,
        )
    stat = case_path.stat()
    key = (case_path, stat.st_mtime_ns, stat.st_size)
    if key not in _case_cache:
        _case_cache[key] = load_case(case_path)
    return _case_cache[key]


def load_proposal(path: Path) -> LoadedProposal:
    doc = read_yaml(path)
    proposal = _validate(Proposal, doc)
    case = _case_for(path, proposal, doc)
    problems = _check_against_case(doc, proposal, case.case) + check_business_case(doc, proposal, case.case)
    if problems:
        raise SourceError(problems)
    return LoadedProposal(path, doc, case, proposal)


__all__ = ["CASE_FILE", "LoadedCase", "LoadedProposal", "find_sources", "load_case", "load_proposal"]
