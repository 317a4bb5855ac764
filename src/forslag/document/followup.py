"""The follow-up report and the case's follow-up summary as HTML: every sentence's figures decided here, placed by
templates/followup.html.j2 and followup_summary.html.j2 in the house style (base template, CSS, tagging)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any

import jinja2
from markupsafe import Markup

from forslag import __version__
from forslag.document import danish
from forslag.document.fonts import font_face_css
from forslag.document.render import TableCounter, _template_position
from forslag.document.stamp import Stamp
from forslag.economy.calc import Payback
from forslag.economy.followup import STATUSES, Compared, FollowUpEconomy
from forslag.errors import ForslagError

STATUS_TEXT = {
    "met": "Opfyldt",
    "partly": "Delvist opfyldt",
    "not_met": "Ikke opfyldt",
    "not_due": "Endnu ikke aktuelt",
}
GROUP_TEXT = {
    "implementation": "Implementering og anvendelse af investeringsmidler",
    "realisation": "Realisering af effektiviseringer",
}


def span(years: tuple[int, ...] | list[int]) -> str:
    """2026-2027, or 2026 alone."""
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def signed(value: int | None) -> str:
    """A deviation in 1.000 kr. with its sign always shown (+1.220 / -405 / 0), so it never reads as a level."""
    if value is None:
        return ""
    text = danish.number(value)
    return text if value <= 0 else f"+{text}"


def percent(value: Decimal | None) -> str:
    """A deviation's percentage with its sign (+40,0 %); blank where there was no plan to measure it by."""
    if value is None:
        return ""
    text = danish.number(value, 1)
    return f"{'+' if value > 0 else ''}{text} %"


def _effect(value: int | None) -> str:
    """A net amount in words: Tabel 1's negative sign is an effectivisation."""
    if not value:
        return "ingen nettoeffektivisering"
    if value < 0:
        return f"en nettoeffektivisering på {danish.amount(-value)}"
    return f"en nettoudgift på {danish.amount(value)}"


def _stop(text: str) -> str:
    """The full stop after a sentence, unless it already ends in one (an amount ends in "kr.")."""
    return "" if text.endswith(".") else "."


def _deviation_words(c: Compared) -> str:
    """How far the realised net is from the plan, in words: Tabel 1's signs, so above the plan is less saved."""
    dev = c.deviation or 0
    if dev == 0:
        return "Det er som planlagt."
    pct = f" ({danish.number(abs(c.percent), 1)} %)" if c.percent is not None else ""
    return f"Det er {danish.amount(abs(dev))}{pct} {'mindre' if dev > 0 else 'mere'} effektivisering end planlagt."


def holds(adopted: Payback, at_pace: Payback) -> bool:
    """The payback holds when, in the whole years the documents state, it comes no later than adopted."""
    if at_pace.years is None:
        return adopted.years is None
    return adopted.years is None or at_pace.years <= adopted.years


def _payback_sentence(basis: str, adopted: Payback, at_pace: Payback, last: int) -> str:
    first = (
        f"Tilbagebetalingstiden baseret på {basis} var {danish.years(adopted.years)} ved vedtagelsen og er "
        f"{danish.years(at_pace.years)} med de realiserede beløb til og med {last} og de planlagte derefter"
    )
    if holds(adopted, at_pace):
        return first + ": den holder."
    if adopted.years is not None and at_pace.years is not None:
        return first + f": den holder ikke, den er {at_pace.years - adopted.years} år længere."
    return first + ": den holder ikke."


@dataclass(frozen=True)
class Sentences:
    lead: str
    deviation: str
    payback: tuple[str, str]


def sentences(result: FollowUpEconomy) -> Sentences:
    """The report's summary in words; each figure from the follow-up's arithmetic, none typed twice."""
    years = span(result.passed)
    net = result.net.accumulated
    lead = f"Forslaget skulle i {years} give {_effect(net.planned)}{_stop(_effect(net.planned))} "
    lead += f"Realiseret er {_effect(net.realised)}{_stop(_effect(net.realised))}"
    deviation = _deviation_words(net) if net.planned else ""
    last = result.passed[-1]
    payback = (
        _payback_sentence("serviceeffektivisering", result.payback_adopted[0], result.payback_realised[0], last),
        _payback_sentence("totaløkonomi", result.payback_adopted[1], result.payback_realised[1], last),
    )
    return Sentences(lead, deviation, payback)


def accumulated(values: tuple[int | None, ...]) -> list[int]:
    return list(accumulate(v or 0 for v in values))


FILTERS = {"signed": signed, "percent": percent, "cell": danish.cell, "date": danish.date, "years": danish.years}


def _render(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    env.filters.update({f"fu_{k}": v for k, v in FILTERS.items()})
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateError as exc:
        raise ForslagError(f"{_template_position(exc)}: {exc.message or exc}") from None


def _base(stamp: Stamp, for_print: bool, date: dt.date) -> dict[str, Any]:
    return {
        "stamp": stamp,
        "version": __version__,
        "fonts_css": Markup(font_face_css(for_print)),
        "tables": TableCounter(),
        "figures": TableCounter(),
        "document_date": date,
        "status_text": STATUS_TEXT,
        "group_text": GROUP_TEXT,
        "span": span,
    }


def render_follow_up(
    env: jinja2.Environment, report: Any, stamp: Stamp, *, for_print: bool, charts: dict[str, Any]
) -> str:
    """One proposal's follow-up report (`report` is a batch.followup.FollowUpReport) as an HTML page."""
    target = report.target.computed
    result: FollowUpEconomy = report.economy
    versions = [
        {
            "decision": v.decision,
            "revision": v.revision,
            "net": v.computed.economy.net.values,
            "payback": (v.computed.economy.payback_service, v.computed.economy.payback_total),
        }
        for v in report.versions
    ]
    context = _base(stamp, for_print, report.loaded.source.date) | {
        "p": target.source.proposal,
        "case": target.source.case.case,
        "f": report.loaded.source,
        "r": result,
        "versions": versions,
        "amended": len(versions) > 1,
        "target": report.target,
        "text": sentences(result),
        "holds": [holds(a, b) for a, b in zip(result.payback_adopted, result.payback_realised, strict=True)],
        "acc_planned": accumulated(result.planned_impact),
        "acc_pace": accumulated(result.realised_impact),
        "explained": [(r, y) for r in result.rows for y in r.years if y.needs_explanation],
        "charts": {k: {"svg": Markup(c.svg), "alt": c.alt} for k, c in charts.items()},
    }
    return _render(env, "followup.html.j2", context)


@dataclass(frozen=True)
class AdministrationSummary:
    administration: str
    proposals: int
    planned: tuple[int | None, ...]  # per summary year: the net effectivisation planned (Tabel 1's sign)
    realised: tuple[int | None, ...]  # per summary year; None (blank) where no counted proposal has an amount
    statuses: dict[str, int]


def _sum(values: list[int | None]) -> int | None:
    """A sum that stays blank when every part is blank, as Tabel 1 sums."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def summarise(reports: list[Any]) -> tuple[tuple[int, ...], list[AdministrationSummary]]:
    """Per administration: planned and realised net effectivisation per year, and the goals' status counts.

    A year counts for a proposal once it has passed by the proposal's follow-up date; the planned sum of a year
    covers the same proposals as the realised one, so the two can be compared.
    """
    # The passed years in which some proposal has a net amount, planned or realised (a blank column says nothing).
    years = tuple(
        sorted(
            {
                y
                for r in reports
                for y, p, q in zip(r.economy.years, r.economy.planned_net, r.economy.realised_net, strict=True)
                if y in r.economy.passed and (p is not None or q is not None)
            }
        )
    )
    by_admin: dict[str, list[Any]] = {}
    for r in reports:
        by_admin.setdefault(r.target.computed.source.proposal.administration, []).append(r)
    out = []
    for admin in sorted(by_admin):
        group = by_admin[admin]
        planned: list[int | None] = []
        realised: list[int | None] = []
        for year in years:
            counted = [r.economy for r in group if year in r.economy.passed]
            planned.append(_sum([e.planned_net[e.years.index(year)] for e in counted]))
            realised.append(_sum([e.realised_net[e.years.index(year)] for e in counted]))
        statuses = {s: sum(r.economy.status_counts[s] for r in group) for s in STATUSES}
        out.append(AdministrationSummary(admin, len(group), tuple(planned), tuple(realised), statuses))
    return years, out


def render_summary(
    env: jinja2.Environment, reports: list[Any], stamp: Stamp, *, for_print: bool, part_link: str = ""
) -> str:
    """The case-level follow-up summary binding the proposals' reports; with `part_link` (the bound PDF's), its
    rows link to the reports bound after it instead of to their HTML files."""
    years, admins = summarise(reports)
    case = reports[0].target.computed.source.case.case
    date = max(r.loaded.source.date for r in reports)
    totals = {
        "planned": tuple(_sum([a.planned[i] for a in admins]) for i in range(len(years))),
        "realised": tuple(_sum([a.realised[i] for a in admins]) for i in range(len(years))),
        "statuses": {s: sum(a.statuses[s] for a in admins) for s in STATUSES},
    }
    items = [
        {
            "title": r.target.computed.source.proposal.title,
            "name": r.name,
            "administration": r.target.computed.source.proposal.administration,
            "date": r.loaded.source.date,
            "revision": r.target.revision,
            "net": r.economy.net.accumulated,
            "passed": r.economy.passed,
            "payback": (r.economy.payback_adopted[1], r.economy.payback_realised[1]),
            "holds": holds(r.economy.payback_adopted[1], r.economy.payback_realised[1]),
        }
        for r in reports
    ]
    context = _base(stamp, for_print, date) | {
        "case": case,
        "years": years,
        "admins": admins,
        "totals": totals,
        "items": items,
        "statuses": STATUSES,
        "part_link": part_link,
    }
    return _render(env, "followup_summary.html.j2", context)
