"""What a proposal is at one revision, as the diff compares it: its economic facts, metadata and prose.

Every economic figure the diff knows comes from one function, `economic_facts`, as one flat mapping from a
stable key to a `Fact`. The diff and the change annex are written over that mapping alone, so a new kind of
figure (the business case's results) joins both by adding its facts here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from forslag.document.compute import ComputedProposal
from forslag.economy.calc import Figure

FactKind = Literal["amount", "years", "year", "number"]

# The headline figures the documents quote, with what a committee member would call them.
HEADLINE_FIGURES = {
    "net.full": "Nettoeffektivisering ved fuld indfasning",  # net.* is the drift net, Anlæg apart
    "net.total": "Nettoeffektivisering i alt",
    "net.full_year": "År for fuld indfasning",
    "investment.total": "Samlede implementeringsomkostninger i alt",
    "impact.total": "Samlet økonomisk påvirkning i alt",
    "running.full": "Varige udgifter ved fuld indfasning",
    "savings.full": "Varige besparelser ved fuld indfasning",
}
PAYBACK_LABELS = {
    "service": "Tilbagebetalingstid, serviceramme",
    "total": "Tilbagebetalingstid, samlet",
}


@dataclass(frozen=True)
class Fact:
    """One economic figure: which group it belongs to, how it is called and read, and its value.

    A value of None is a blank cell (an amount), or not paid back within the horizon (a payback time).
    """

    group: str  # "row", "total", "payback", "figure", later "business_case"
    name: str  # the row's id, the total's label, the figure's name
    label: str  # in Danish, as the documents call it
    year: int | None
    kind: FactKind
    value: Decimal | int | None


@dataclass(frozen=True)
class RowInfo:
    id: str
    label: str
    block: str
    area: str | None


@dataclass(frozen=True)
class ProposalState:
    """A proposal at one revision: computed, or the problems that kept it from being computed."""

    path: str  # relative to the repository's top, as git names it
    text: str  # the source as written, for telling a renamed file from a new one
    title: str | None = None
    rows: tuple[RowInfo, ...] = ()
    facts: dict[str, Fact] | None = None
    metadata: dict[str, str] | None = None
    prose: dict[str, str] | None = None
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.facts is not None


def _figure_value(figure: Figure | None) -> Decimal | int | None:
    return None if figure is None else figure.value


def economic_facts(computed: ComputedProposal) -> dict[str, Fact]:
    """Every economic figure of a computed proposal, flat: Tabel 1's rows and totals per year, payback, headlines."""
    e = computed.economy
    facts: dict[str, Fact] = {}
    for c in (*e.permanent, *e.implementation):
        for year, value in zip(e.years, c.row.values, strict=True):
            facts[f"row.{c.line.id}.{year}"] = Fact("row", c.line.id, c.row.label, year, "amount", value)
    for row in e.totals:
        for year, value in zip(e.years, row.values, strict=True):
            facts[f"total.{row.label}.{year}"] = Fact("total", row.label, row.label, year, "amount", value)
    for basis, pay in (("service", e.payback_service), ("total", e.payback_total)):
        facts[f"payback.{basis}"] = Fact("payback", basis, PAYBACK_LABELS[basis], None, "years", pay.years)
    for name, label in HEADLINE_FIGURES.items():
        figure = e.figures.get(name)
        if figure is not None:
            kind: FactKind = "year" if figure.kind == "year" else "amount"
            facts[f"figure.{name}"] = Fact("figure", name, label, None, kind, _figure_value(figure))
    facts.update(business_case_facts(computed))
    return facts


# A scenario's results as the annex names them; what `forslag diff` and the change annex report when they move.
BUSINESS_CASE_RESULTS = {
    "npv": "nettonutidsværdi",
    "npv_investor": "nettonutidsværdi for den investerende forvaltning",
    "payback": "tilbagebetalingstid, år",
    "breakeven_year": "break-even-år",
    "tau": "tjent ind efter (τ), år",
    "first_surplus_year": "første år med overskud",
    "expected_successes": "forventede succeser",
    "successes_needed": "succeser, der skal til for at gå i nul",
    "breakeven_success_rate": "succesrate, hvor nutidsværdien er nul, %",
    "cost_per_participant": "omkostning pr. deltager",
}


def business_case_facts(computed: ComputedProposal) -> dict[str, Fact]:
    """Each scenario's results and yearly net, and the case's total cost; nothing without a business case."""
    bc = computed.business_case
    if bc is None:
        return {}
    figures = computed.economy.figures
    facts: dict[str, Fact] = {}

    def add(name: str, label: str, year: int | None = None) -> None:
        figure = figures.get(name)
        if figure is None:
            return
        value = figure.value
        if figure.kind == "percent" and value is not None:
            value = Decimal(value) * 100  # a share, reported in percent as the annex prints it
        kind: FactKind = "amount" if figure.kind == "amount" else "year" if figure.kind == "year" else "number"
        facts[f"business_case.{name}"] = Fact("business_case", name, label, year, kind, value)

    add("bc.costs.total", "omkostninger i alt")
    add("bc.costs.pv", "omkostningernes nutidsværdi")
    add("bc.costs.per_participant", "omkostning pr. deltager")
    for cs in bc.case.cost_scenarios:
        add(f"bc.cost_scenarios.{cs.id}.per_participant", f"{cs.name}: omkostning pr. deltager")
    for s in bc.scenarios:
        prefix = f"bc.{s.scenario.id}"
        for key, label in BUSINESS_CASE_RESULTS.items():
            add(f"{prefix}.{key}", f"{s.scenario.name}: {label}")
        for t in bc.years:
            add(f"{prefix}.net.{t}", f"{s.scenario.name}: netto år {t}", t)
    return facts


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def metadata(computed: ComputedProposal) -> dict[str, str]:
    """The fields that are neither money nor prose, each as one comparable text."""
    p = computed.source.proposal
    out = {
        "title": p.title,
        "administration": p.administration,
        "date": _date(p.date),
        "case": p.case,
        "risk.level": p.risk.level,
        "innovation": "true" if p.innovation else "false",
        "finance_approval": f"{p.finance_approval.approved} {_date(p.finance_approval.date)}",
        "state": p.finance_approval.status,  # the finance centre's state: who approved what when is in git
        "partners": "; ".join(p.partners),
        "hearings": "; ".join(f"{h.body} {h.approved} {_date(h.date)} {h.note or ''}".strip() for h in p.hearings),
    }
    for group, goals in (("implementation", p.follow_up.implementation), ("realisation", p.follow_up.realisation)):
        out[f"follow_up.{group}"] = "; ".join(f"{g.goal} | {g.measure} | {g.responsible} | {g.when}" for g in goals)
    for block, lines in (("permanent", p.economy.permanent), ("implementation", p.economy.implementation)):
        for line in lines:
            out[f"economy.{line.id}.heading"] = line.heading or ""
            out[f"economy.{line.id}.headline"] = line.headline or ""
            out[f"economy.{line.id}.styringsomraade"] = f"{block} {line.styringsomraade}"
    return out


def prose(computed: ComputedProposal) -> dict[str, str]:
    """The Markdown of every prose section, as written (placeholders unexpanded)."""
    p = computed.source.proposal
    out = {"summary": p.summary, "description": p.description, "economy.intro": p.economy.intro}
    for line in (*p.economy.permanent, *p.economy.implementation):
        if line.text:
            out[f"economy.{line.id}.text"] = line.text
        if line.footnote:
            out[f"economy.{line.id}.footnote"] = line.footnote
    out["risk.text"] = p.risk.text
    if p.administrative_effectivisation:
        out["administrative_effectivisation"] = p.administrative_effectivisation
    return out


def state_of(path: str, text: str, computed: ComputedProposal) -> ProposalState:
    e = computed.economy
    rows = tuple(
        RowInfo(c.line.id, c.row.label, c.row.block, c.row.styringsomraade) for c in (*e.permanent, *e.implementation)
    )
    return ProposalState(
        path=path,
        text=text,
        title=computed.source.proposal.title,
        rows=rows,
        facts=economic_facts(computed),
        metadata=metadata(computed),
        prose=prose(computed),
    )
