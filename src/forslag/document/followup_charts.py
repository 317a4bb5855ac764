"""The follow-up report's charts: planned against realised per year, and accumulated, as inline vector SVG.

Drawn the way the business case's charts are (document/charts.py: the house fonts and colours, text kept as
text, a fixed hash salt and no date, so the bytes are the same on every build); amounts in Tabel 1's signs.
"""

from __future__ import annotations

from itertools import accumulate

from forslag.document import danish
from forslag.document.charts import COLOURS, INK, Chart, _axis_formatter, _figure, _setup, _svg
from forslag.economy.followup import FollowUpEconomy


def _span(years: tuple[int, ...]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def yearly_chart(result: FollowUpEconomy) -> Chart:
    """Heraf nettoeffektivisering per year: planned for every year, realised for the years that have passed."""
    _setup()
    fig = _figure(2.5)
    ax = fig.add_subplot()
    years = list(result.years)
    width = 0.38
    planned = [float(v or 0) for v in result.planned_net]
    realised = [float(v or 0) for y, v in zip(result.years, result.realised_net, strict=True) if y in result.passed]
    ax.bar([y - width / 2 for y in years], planned, width=width, color=COLOURS[0], label="Planlagt (vedtaget)")
    ax.bar([y + width / 2 for y in result.passed], realised, width=width, color=COLOURS[1], label="Realiseret")
    ax.axhline(0, color=INK, linewidth=0.9)
    ax.set_xticks(years, [str(y) for y in years])
    ax.yaxis.set_major_formatter(_axis_formatter())
    ax.set_ylabel("1.000 kr.")
    ax.legend(loc="lower left")
    parts = [
        f"{y}: planlagt {danish.number(p or 0)}, realiseret {danish.number(r or 0)}"
        for y, p, r in zip(result.years, result.planned_net, result.realised_net, strict=True)
        if y in result.passed
    ]
    alt = (
        f"Nettoeffektivisering pr. år i 1.000 kr., planlagt {_span(result.years)} og realiseret "
        f"{_span(result.passed)} (effektiviseringer med negativt fortegn). " + "; ".join(parts) + "."
    )
    return Chart(_svg(fig, alt), alt)


def accumulated_chart(result: FollowUpEconomy) -> Chart:
    """The accumulated total impact, planned and realised-then-planned: where each crosses zero is its payback."""
    _setup()
    fig = _figure(2.6)
    ax = fig.add_subplot()
    years = list(result.years)
    planned = list(accumulate(v or 0 for v in result.planned_impact))
    at_pace = list(accumulate(v or 0 for v in result.realised_impact))
    ax.plot(years, planned, color=COLOURS[0], marker="o", markersize=3, linewidth=1.6, label="Planlagt (vedtaget)")
    last = result.passed[-1]
    ax.plot(
        years,
        at_pace,
        color=COLOURS[1],
        marker="s",
        markersize=3,
        linewidth=1.6,
        linestyle=(0, (4, 2)),
        label=f"Realiseret til og med {last}, derefter planlagt",
    )
    ax.axvline(last + 0.5, color=INK, linewidth=0.6, linestyle=(0, (1, 2)))
    ax.axhline(0, color=INK, linewidth=0.9)
    ax.set_xticks(years, [str(y) for y in years])
    ax.yaxis.set_major_formatter(_axis_formatter())
    ax.set_ylabel("Akkumuleret, 1.000 kr.")
    ax.legend(loc="upper right")  # the accumulated flows of an investment end low: the upper right stays clear
    alt = (
        "Akkumuleret samlet økonomisk påvirkning i 1.000 kr., planlagt og realiseret derefter planlagt. "
        f"Ved udgangen af {years[-1]}: planlagt {danish.number(planned[-1])}, "
        f"i det realiserede tempo {danish.number(at_pace[-1])}."
    )
    return Chart(_svg(fig, alt), alt)


def follow_up_charts(result: FollowUpEconomy) -> dict[str, Chart]:
    return {"yearly": yearly_chart(result), "accumulated": accumulated_chart(result)}
