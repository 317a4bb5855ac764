"""How much a business case may hold: counts and label lengths far above a real case, within what the annex
prints (a scenario is two columns of a table, a payer a column per scenario) and what its charts draw.

Checked after validation, each limit at the place in the source that goes over it. A real case has two or
three scenarios, a handful of effects and costs, one to four payers and labels under 60 characters.
"""

from __future__ import annotations

from collections.abc import Iterator

from forslag.errors import Problem
from forslag.source.model import Proposal
from forslag.source.scalars import at
from forslag.source.yamlsource import Document, Loc

MAX_SCENARIOS = 5  # each is two columns of the year-by-year table and a line in every chart
MAX_EFFECTS = 10  # each is a column of its scenario's year-by-year table
MAX_COSTS = 10  # each is a column of the same table
MAX_PAYERS = 4  # distinct payers: a column per payer and scenario in the table of gains by payer
MAX_FINANCIERS = 10
MAX_SENSITIVITY = 12  # success rates in the sensitivity table
MAX_NAME = 40  # characters in a scenario's name: a table's column heading and a chart's legend
MAX_LABEL = 80  # characters in a label, a payer, an area, an investor, a budget: a table's row heading
MAX_ID = 40  # characters in an id: placeholders like {{ bc.forsigtig.npv }}
MAX_SOURCE = 2_000  # characters in a `source` note, printed beside the assumption it backs


def _texts(proposal: Proposal) -> Iterator[tuple[Loc, str, int]]:
    """Every short text of the business case with where it is and how long it may be."""
    bc = proposal.business_case
    assert bc is not None
    yield ("investor",), bc.investor, MAX_LABEL
    if bc.source is not None:
        yield ("source",), bc.source, MAX_SOURCE
    if bc.participants.source is not None:
        yield ("participants", "source"), bc.participants.source, MAX_SOURCE
    for i, s in enumerate(bc.scenarios):
        yield ("scenarios", i, "id"), s.id, MAX_ID
        yield ("scenarios", i, "name"), s.name, MAX_NAME
        if s.source is not None:
            yield ("scenarios", i, "source"), s.source, MAX_SOURCE
    for i, c in enumerate(bc.costs):
        yield ("costs", i, "id"), c.id, MAX_ID
        yield ("costs", i, "label"), c.label, MAX_LABEL
        if c.source is not None:
            yield ("costs", i, "source"), c.source, MAX_SOURCE
    for i, e in enumerate(bc.effects):
        yield ("effects", i, "id"), e.id, MAX_ID
        for key, value in (("label", e.label), ("payer", e.payer), ("area", e.area), ("budget", e.budget)):
            if value is not None:
                yield ("effects", i, key), value, MAX_LABEL
        if e.source is not None:
            yield ("effects", i, "source"), e.source, MAX_SOURCE
    for i, f in enumerate(bc.financing):
        yield ("financing", i, "name"), f.name, MAX_LABEL


def check_bounds(doc: Document, proposal: Proposal) -> list[Problem]:
    """What in the business case goes over the bounds above, each at its place in the source."""
    bc = proposal.business_case
    if bc is None:
        return []
    problems: list[Problem] = []
    root: Loc = ("business_case",)

    def over(loc: Loc, message: str) -> None:
        problems.append(at(doc, doc.mark((*root, *loc)), message))

    counts = (
        ("scenarios", len(bc.scenarios), MAX_SCENARIOS, "scenarios", "each is two columns of the annex's tables"),
        ("effects", len(bc.effects), MAX_EFFECTS, "effects", "join related effects into one line"),
        ("costs", len(bc.costs), MAX_COSTS, "costs", "join related costs into one line"),
        ("financing", len(bc.financing), MAX_FINANCIERS, "financiers", "join the smaller ones"),
        ("sensitivity", len(bc.sensitivity), MAX_SENSITIVITY, "success rates", "keep the ones the committee needs"),
    )
    for key, count, limit, what, hint in counts:
        if count > limit:
            over((key, limit), f"{count} {what}; a business case may have at most {limit} ({hint})")
    payers = list(dict.fromkeys(e.payer for e in bc.effects))
    if len(payers) > MAX_PAYERS:
        first = next(i for i, e in enumerate(bc.effects) if e.payer == payers[MAX_PAYERS])
        over(
            ("effects", first, "payer"),
            f"{len(payers)} different payers; a business case may have at most {MAX_PAYERS} (each is a column "
            "per scenario in the annex); join the smaller ones",
        )
    for loc, text, limit in _texts(proposal):
        if len(text) > limit:
            over(loc, f"{loc[-1]} has {len(text)} characters; at most {limit} fit where it is printed; shorten it")
    return problems
