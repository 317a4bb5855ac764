"""The business case's assumptions in Danish words, one row each with its source note, for the annex."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from forslag.document import danish
from forslag.economy.business_case import BusinessCaseResult, whole


@dataclass(frozen=True)
class Assumption:
    topic: str
    value: str
    source: str


def _money(value: Decimal, unit: str) -> str:
    """An input as the user typed it (612,5 stays 612,5: rounding an assumption would break its arithmetic)."""
    places = 0 if value == whole(value) else min(2, max(1, -value.normalize().as_tuple().exponent))  # type: ignore[operator]
    # "613 1.000 kr." reads as two numbers; in running text the unit of thousands is written t. kr.
    return f"{danish.number(value, places)} {'t. kr.' if unit == '1.000 kr.' else unit}"


def _places(value: Decimal) -> int:
    return 0 if value == whole(value) else min(4, max(1, -value.normalize().as_tuple().exponent))  # type: ignore[operator]


def _pct(value: Decimal) -> str:
    return danish.quantity(value, "percent")


def _years(first: int, last: int | None, horizon: int) -> str:
    end = last or horizon
    return f"år {first}" if first == end else f"år {first}-{end}"


def assumptions(result: BusinessCaseResult) -> list[Assumption]:
    bc = result.case
    u = bc.unit
    rows = [
        Assumption(
            "Horisont",
            f"{bc.horizon} år; år 1 er {bc.first_year}",
            bc.source or "",
        ),
        Assumption("Diskontering", result.discount_note, ""),
    ]
    if bc.price_level is not None and bc.price_level != result.price_level:
        rows.append(
            Assumption(
                "Prisniveau",
                f"Beløbene er angivet i {bc.price_level} p/l og omregnet til {result.price_level} p/l "
                f"med faktoren {danish.number(result.price_factor, 4)}",
                "",
            )
        )
    p = bc.participants
    if p.total is not None:
        target = f"{danish.quantity(p.total)} deltagere i alt, alle fra år 1"
    else:
        target = ", ".join(f"år {t}: {danish.quantity(n)}" for t, n in sorted((p.per_year or {}).items()))
        target = "Nye deltagere pr. år: " + target + ("; derefter som sidste år" if p.hold_last else "")
    rows.append(Assumption("Målgruppe", target, p.source or ""))
    for c in bc.costs:
        if c.one_off is not None:
            value = f"{_money(c.one_off, u)} én gang i år {c.year}"
        elif c.yearly is not None:
            value = f"{_money(c.yearly, u)} om året, {_years(c.from_year, c.until, bc.horizon)}"
        elif c.fte is not None and c.unit_cost is not None:
            value = (
                f"{danish.fte(c.fte)} × {_money(c.unit_cost, u)} om året, {_years(c.from_year, c.until, bc.horizon)}"
            )
        elif c.per_participant is not None:
            value = f"{_money(c.per_participant, u)} pr. ny deltager"
        else:
            value = ", ".join(f"år {t}: {_money(v, u)}" for t, v in sorted((c.amounts or {}).items()))
        kind = c.cost_type if c.styringsomraade == "Service" else f"{c.cost_type}, {c.styringsomraade}"
        rows.append(Assumption(f"Omkostning: {c.label} ({kind})", value, c.source or ""))
    for s in bc.scenarios:
        value = f"Succesrate {_pct(s.success_rate)}"
        if s.deadweight:
            value += f", dødvægt {_pct(s.deadweight)}"
        rows.append(Assumption(f"Scenarie: {s.name}", value, s.source or ""))
    for e in bc.effects:
        parts = []
        if e.amounts is not None:
            parts.append("pr. år: " + ", ".join(f"år {t}: {_money(v, u)}" for t, v in sorted(e.amounts.items())))
        elif e.counts is not None and e.value is not None:
            counts = ", ".join(f"år {t}: {danish.quantity(v)}" for t, v in sorted(e.counts.items()))
            parts.append(f"{_money(e.value, u)} om året pr. person; antal {counts}")
        elif e.value is not None:
            parts.append(f"{_money(e.value, u)} om året pr. succes")
        if e.amounts is not None or e.counts is not None:
            if e.scales and e.reference_rate is not None:
                parts.append(f"opgjort ved {_pct(e.reference_rate)} og skaleret med succesraten")
            elif not e.scales:
                parts.append("uafhængig af succesraten")
            if e.hold_last:
                parts.append("holdt fast efter sidste angivne år")
        if e.lag:
            parts.append(f"starter {e.lag} år efter deltagerne")
        if e.phase_in > 1:
            parts.append(f"indfases lineært over {e.phase_in} år")
        if e.duration:
            parts.append(f"varer {e.duration} år")
        if e.relapse:
            parts.append(f"tilbagefald {_pct(e.relapse.share)} fra år {e.relapse.from_year}")
        if e.growth:
            parts.append(f"vækst {_pct(e.growth)} om året")
        parts.append(f"tilfalder {e.payer} ({e.area})")
        rows.append(Assumption(f"Gevinst: {e.label}", "; ".join(parts), e.source or ""))
    names = {c.id: c.label for c in bc.costs}
    for cs in bc.cost_scenarios:
        parts = [f"{names.get(k, k)} × {danish.number(v, _places(v))}" for k, v in cs.factors.items()]
        if cs.participants is not None:
            parts.append("andre deltagere (kun omkostninger pr. deltager følger med)")
        rows.append(Assumption(f"Følsomhed: {cs.name}", "; ".join(parts) or "som basis", cs.source or ""))
    if bc.published is not None:
        for r in bc.published.results:
            rows.append(
                Assumption(
                    f"Offentliggjort resultat: {r.name}",
                    f"Succesrate {_pct(r.success_rate)}, nettonutidsværdi {_money(r.npv, u)}",
                    bc.published.source,
                )
            )
    for f in bc.financing:
        rows.append(Assumption(f"Finansiering: {f.name}", f"{_pct(f.share)} af omkostningerne", ""))
    return rows
