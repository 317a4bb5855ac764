"""The follow-up file: realised figures and goal statuses of an adopted proposal, and its checks with their lines.

A follow-up lies beside its proposal as `<proposal>.followup.yaml`. It names the git revision that holds the
proposal as adopted (and any later decision that amended it), the date the figures stand at, where they come
from, the realised amount of each followed-up Tabel 1 row per year that has passed, and the status of each
follow-up goal. Reading it is the loader's work (positions, numbers checked value by value: a Danish thousands
point is refused, never read as a fraction); `check_against_adopted` then holds it against the adopted version.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import Field, PlainValidator, WithJsonSchema, field_validator

from forslag.errors import Problem, SourceError
from forslag.source.load import _validate
from forslag.source.numbers import Amount, Numbers, Strict, YearAmounts, _checked, _year_key
from forslag.source.scalars import at
from forslag.source.sources import FOLLOW_UP_SUFFIXES, SOURCE_SUFFIXES
from forslag.source.yamlsource import Document, Loc, read_yaml

Status = Literal["met", "partly", "not_met", "not_due"]
# A status that says the goal was missed, in whole or in part, needs the reason beside it.
EXPLAINED_STATUSES = ("partly", "not_met")
DEFAULT_PERCENT = Decimal(10)
DEFAULT_AMOUNT = Decimal(100)


# One whole amount in 1.000 kr. (the threshold): "1.500" is refused as a Danish thousands point, never read as 1,5.
WHOLE_AMOUNT = Numbers(whole=True, per_year=False, single=True, unit="t. kr.")
WholeAmount = Annotated[
    Decimal,
    PlainValidator(lambda value: _checked(value, WHOLE_AMOUNT)),
    WithJsonSchema({"type": "integer"}),
    WHOLE_AMOUNT,
]


class Decision(Strict):
    """A decision that adopted the proposal (or amended it), and the git revision that holds it as decided."""

    revision: str = Field(
        description="The git revision (a tag, branch or commit) holding the proposal as decided, e.g. 'vedtaget-2026'."
    )
    decision: str | None = Field(None, description="Who decided, and in which case, e.g. 'Borgerrepræsentationen'.")
    date: dt.date | None = Field(None, description="The date of the decision (ISO).")


class Threshold(Strict):
    """When a deviation needs an explanation: beyond both the share of the planned amount and the amount."""

    percent: Amount = Field(DEFAULT_PERCENT, description="Percent of the planned amount, e.g. 10 for 10 %.")
    amount: WholeAmount = Field(DEFAULT_AMOUNT, description="Amount in 1.000 kr., e.g. 100 for 100.000 kr.")

    @field_validator("percent", "amount")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("a threshold is a size: write it without a sign")
        return value


class RealisedRow(Strict):
    """One followed-up row of Tabel 1: its realised amount per year, and why it deviates where it does."""

    id: str = Field(description="The row's id in the adopted proposal (economy.permanent/implementation id).")
    realised: YearAmounts = Field(description="Realised amount in 1.000 kr. per year that has passed, Tabel 1's signs.")
    explanations: dict[int, str] = Field(
        default_factory=dict, description="Per year, why the realised amount deviates from the plan."
    )

    @field_validator("explanations", mode="before")
    @classmethod
    def _years_as_keys(cls, value: object) -> object:
        if isinstance(value, dict):
            for key in value:
                _year_key(key)  # "expected a year (like 2027) as key", not pydantic's "[key]" wording
        return value


class GoalStatus(Strict):
    """The status of one follow-up goal of Tabel 2."""

    goal: str = Field(description="The goal as worded in Tabel 2 of the adopted proposal.")
    status: Status = Field(description="met, partly, not_met or not_due.")
    explanation: str | None = Field(None, description="A short explanation; required for partly and not_met.")


class FollowUpSource(Strict):
    """A follow-up of one adopted proposal (`<proposal>.followup.yaml`)."""

    proposal: str | None = Field(
        None,
        description="The proposal's file, relative to this one, as named at the adopted revision; "
        "default: this file's name without '.followup'.",
    )
    adopted: Decision = Field(description="The decision that adopted the proposal, and its git revision.")
    amended: list[Decision] = Field(
        default_factory=list,
        description="Later decisions that amended the adopted proposal, oldest first; the newest is the target.",
    )
    date: dt.date = Field(description="The date the figures stand at; only years ended before it have passed.")
    source: str = Field(description="Where the realised figures come from, e.g. 'Regnskab 2027, KØR'.")
    threshold: Threshold = Field(
        default_factory=Threshold,
        description="A deviation beyond both percent and amount needs an explanation (default 10 % and 100).",
    )
    rows: list[RealisedRow] = Field(default_factory=list, description="The followed-up rows of Tabel 1.")
    goals: list[GoalStatus] = Field(default_factory=list, description="The status of each goal of Tabel 2.")


@dataclass(frozen=True)
class LoadedFollowUp:
    path: Path
    document: Document
    source: FollowUpSource
    warnings: tuple[Problem, ...] = ()

    @property
    def proposal_path(self) -> Path:
        """The proposal this follows up, beside it (by `proposal:` or by name)."""
        if self.source.proposal:
            return self.path.parent / self.source.proposal
        name = self.path.name
        for suffix in FOLLOW_UP_SUFFIXES:
            if name.endswith(suffix):
                return self.path.parent / (name.removesuffix(suffix) + ".yaml")
        return self.path.with_suffix(".yaml")

    @property
    def target(self) -> Decision:
        """The decision whose version the figures are compared with: the newest amendment, else the adoption."""
        return self.source.amended[-1] if self.source.amended else self.source.adopted

    @property
    def target_loc(self) -> Loc:
        amended = self.source.amended
        return ("amended", len(amended) - 1, "revision") if amended else ("adopted", "revision")

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        return at(self.document, self.document.mark(loc, key=key), message)


def load_follow_up(path: Path) -> LoadedFollowUp:
    """Read and validate a follow-up file on its own; every problem with its line."""
    doc = read_yaml(path)
    checked = _validate(FollowUpSource, doc)
    problems = list(checked.problems)
    if checked.model is not None:
        problems += _own_checks(doc, checked.model)
    if problems or checked.model is None:
        raise SourceError(problems or [at(doc, doc.mark(()), "the follow-up could not be read")])
    return LoadedFollowUp(path, doc, checked.model, tuple(checked.warnings))


def _own_checks(doc: Document, model: FollowUpSource) -> list[Problem]:
    problems: list[Problem] = []
    name = model.proposal
    if name is not None:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or "\\" in name or relative.suffix not in SOURCE_SUFFIXES:
            problems.append(
                at(
                    doc,
                    doc.mark(("proposal",)),
                    f"'proposal: {name}' must name a .yaml file in this folder or below it, e.g. plejefamilier.yaml",
                )
            )
    seen: dict[str, int] = {}
    for i, row in enumerate(model.rows):
        if row.id in seen:
            mark = doc.mark(("rows", i, "id"))
            problems.append(at(doc, mark, f"the row {row.id!r} is followed up twice (also item {seen[row.id] + 1})"))
        seen.setdefault(row.id, i)
        for year, text in row.explanations.items():
            if year not in row.realised:
                mark = doc.mark(("rows", i, "explanations", year), key=True)
                problems.append(at(doc, mark, f"an explanation for {year}, but no realised amount for {year}"))
            if not text.strip():
                problems.append(at(doc, doc.mark(("rows", i, "explanations", year)), "the explanation is empty"))
    goals: dict[str, int] = {}
    for i, goal in enumerate(model.goals):
        if goal.goal in goals:
            mark = doc.mark(("goals", i, "goal"))
            problems.append(at(doc, mark, f"the goal is given twice (also item {goals[goal.goal] + 1})"))
        goals.setdefault(goal.goal, i)
        if goal.status in EXPLAINED_STATUSES and not (goal.explanation or "").strip():
            problems.append(
                at(
                    doc,
                    doc.mark(("goals", i, "status")),
                    f"status {goal.status!r} needs an explanation: add 'explanation:' saying what is missing and why",
                )
            )
    return problems


@dataclass(frozen=True)
class AdoptedVersion:
    """What the checks need to know of the proposal at the target revision."""

    where: str  # "vedtaget-2026 (commit 1a2b3c4d5e)"
    years: tuple[int, ...]
    rows: dict[str, tuple[str, tuple[int | None, ...]]]  # id -> (label, planned values per year)
    goals: tuple[str, ...]
    later_rows: frozenset[str] = frozenset()  # ids in the working copy only: added after the decision


def passed_years(follow_up: FollowUpSource, years: tuple[int, ...]) -> tuple[int, ...]:
    """The proposal's years that have ended before the follow-up's date."""
    return tuple(y for y in years if y < follow_up.date.year)


def check_against_adopted(loaded: LoadedFollowUp, adopted: AdoptedVersion) -> list[Problem]:
    """Years within the adopted proposal's and passed; rows and goals that exist there; every passed year given."""
    f = loaded.source
    problems: list[Problem] = []
    passed = passed_years(f, adopted.years)
    span = f"{adopted.years[0]}-{adopted.years[-1]}"
    if not passed:
        problems.append(
            loaded.problem(
                ("date",),
                f"no year of the proposal ({span}) has passed by {f.date.isoformat()}: a year has passed when the "
                "follow-up's date lies after it",
            )
        )
    for i, row in enumerate(f.rows):
        loc: Loc = ("rows", i)
        if row.id not in adopted.rows:
            message = f"row {row.id!r} is not in Tabel 1 of the adopted version at {adopted.where}"
            if row.id in adopted.later_rows:
                message += "; it was added after the decision, so it has no adopted target"
            close = difflib.get_close_matches(row.id, list(adopted.rows), n=1, cutoff=0.6)
            message += f"; did you mean {close[0]!r}?" if close else f"; its rows are: {', '.join(adopted.rows)}"
            problems.append(loaded.problem((*loc, "id"), message))
            continue
        planned = adopted.rows[row.id][1]
        for year in row.realised:
            where = (*loc, "realised", year)
            if year not in adopted.years:
                problems.append(
                    loaded.problem(where, f"the year {year} is outside the adopted proposal's years {span}", key=True)
                )
            elif year not in passed:
                problems.append(
                    loaded.problem(
                        where,
                        f"{year} has not passed by the follow-up's date {f.date.isoformat()}: realised figures are "
                        f"given for years that have ended ({_years_text(passed)}); remove {year} or move the date",
                        key=True,
                    )
                )
        for year, value in zip(adopted.years, planned, strict=True):
            if year in passed and value is not None and year not in row.realised:
                problems.append(
                    loaded.problem(
                        (*loc, "realised"),
                        f"row {row.id!r}: no realised amount for {year}, where {value} (1.000 kr.) was planned; "
                        f"write {year}: 0 if nothing was realised",
                    )
                )
    for i, goal in enumerate(f.goals):
        if goal.goal not in adopted.goals:
            close = difflib.get_close_matches(goal.goal, list(adopted.goals), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else "; copy the goal's wording from Tabel 2"
            problems.append(
                loaded.problem(
                    ("goals", i, "goal"), f"the goal is not in Tabel 2 of the adopted version at {adopted.where}{hint}"
                )
            )
    given = {g.goal for g in f.goals}
    for missing in (g for g in adopted.goals if g not in given):
        problems.append(
            loaded.problem(
                ("goals",) if "goals" in (loaded.document.data or {}) else (),
                f"the adopted goal {missing!r} has no status: add it to goals "
                "(status: not_due when its time has not come)",
            )
        )
    return problems


def follow_up_schema() -> str:
    """The JSON Schema of a follow-up file, as `forslag schema --follow-up` prints it (for an editor)."""
    import json

    schema = FollowUpSource.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "forslag follow-up"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _years_text(years: tuple[int, ...]) -> str:
    if not years:
        return "none yet"
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


__all__ = [
    "AdoptedVersion",
    "Decision",
    "FollowUpSource",
    "GoalStatus",
    "LoadedFollowUp",
    "RealisedRow",
    "Threshold",
    "check_against_adopted",
    "load_follow_up",
    "passed_years",
]
