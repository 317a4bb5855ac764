"""The business case's charts as inline SVG drawn by matplotlib: text stays text in the document font.

Imported only for a proposal with a business case, so the others never pay for matplotlib. The bytes are the
same on every build: a fixed hash salt for the SVG's ids, no date in its metadata, and figures made here
rather than through pyplot's global state.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("svg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from forslag.document import danish
from forslag.document.fonts import font_paths
from forslag.economy.business_case import BusinessCaseResult

FONT = "Source Sans Pro"
INK = "#1a1a1a"
MUTED = "#5a5a5a"
GRID = "#d5dbe1"
# The house accent first, then colours that stay apart in greyscale print and for colour-blind readers.
COLOURS = ("#1f3d5c", "#c0612b", "#5b8f3a", "#8a5fa8", "#b8a13a", "#4a9bb5")
WIDTH_IN = 6.3  # the text width of the A4 page, so 9 pt in the chart is 9 pt on paper

_fonts_added = False


def _setup() -> None:
    global _fonts_added
    if not _fonts_added:
        for path in font_paths():
            font_manager.fontManager.addfont(str(path))
        _fonts_added = True
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text as <text>, set by the page in Source Sans Pro, not as paths
            "svg.hashsalt": "forslag",  # fixed ids: the same bytes on every build
            "font.family": FONT,
            "font.size": 8.5,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": GRID,
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "axes.unicode_minus": False,  # '-' as the tables print it
        }
    )


@dataclass(frozen=True)
class Chart:
    svg: str  # an inline <svg> element with role="img" and a <title>
    alt: str  # the text alternative (also the SVG's title)


def _tkr(result: BusinessCaseResult) -> Decimal:
    return Decimal(1000) if result.case.unit == "kr." else Decimal(1)


def _axis_formatter() -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: danish.number(Decimal(str(round(value, 6))), 0))


def _svg(fig: Figure, alt: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # inline: no XML declaration or doctype
    # Sized by the page (width 100 %), described for screen readers.
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1role="img"', text, count=1)
    title = alt.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">", f"><title>{title}</title>", 1)


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height), layout="constrained")


def balance_chart(result: BusinessCaseResult) -> Chart:
    fig = _figure(2.7)
    ax = fig.add_subplot()
    unit = _tkr(result)
    years = list(result.years)
    for i, s in enumerate(result.scenarios):
        colour = COLOURS[i % len(COLOURS)]
        values = [float(b / unit) for b in s.payback_balance]  # the balance τ is read on
        ax.plot(
            [0, *years], [0.0, *values], color=colour, marker="o", markersize=3, linewidth=1.6, label=s.scenario.name
        )
        if s.tau is not None and s.tau > 0:
            ax.plot([float(s.tau)], [0], marker="D", markersize=6, color=colour, markeredgecolor="white")
            ax.annotate(
                f"break-even i år {s.breakeven_year}",
                (float(s.tau), 0),
                # Above and left of the crossing: the line itself is below zero there, so the label stays clear.
                xytext=(-5, 5 + 11 * i),
                textcoords="offset points",
                color=colour,
                fontsize=8,
                ha="right",
            )
    ax.axhline(0, color=INK, linewidth=0.9)
    ax.set_xticks(years, [f"{t}\n{c}" for t, c in zip(years, result.calendar_years, strict=True)])
    ax.set_xlim(0, years[-1] + 0.3)
    ax.yaxis.set_major_formatter(_axis_formatter())
    ax.set_ylabel("1.000 kr.")
    ax.set_xlabel("År i business casen (kalenderår)")
    ax.legend(loc="upper left")
    parts = []
    for s in result.scenarios:
        when = f"når nul i år {s.breakeven_year}" if s.breakeven_year else "når ikke nul inden for horisonten"
        parts.append(f"{s.scenario.name}: balancen {when}")
    alt = "Akkumuleret balance pr. år for hvert scenarie. " + "; ".join(parts) + "."
    return Chart(_svg(fig, alt), alt)


def payer_chart(result: BusinessCaseResult) -> Chart:
    count = len(result.scenarios)
    fig = _figure(2.5)
    axes = fig.subplots(1, count, sharey=True, squeeze=False)[0]
    unit = _tkr(result)
    years = list(result.years)
    for ax, s in zip(axes, result.scenarios, strict=True):
        bottom = [0.0] * len(years)
        for i, payer in enumerate(result.payers):
            values = [float(v / unit) for v in s.gains_by_payer[payer]]
            if not any(values):
                continue
            ax.bar(years, values, bottom=bottom, color=COLOURS[i % len(COLOURS)], width=0.7, label=payer)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(s.scenario.name, fontsize=9, color=INK)
        ax.set_xticks(years, [str(t) for t in years])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
        ax.yaxis.set_major_formatter(_axis_formatter())
        ax.set_xlabel("År")
    axes[0].set_ylabel("1.000 kr.")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(3, max(1, len(labels))))
    alt = "Gevinster pr. år fordelt på hvem der får dem, for hvert scenarie: " + ", ".join(result.payers) + "."
    return Chart(_svg(fig, alt), alt)


def npv_chart(result: BusinessCaseResult, percent: Callable[[Decimal], str]) -> Chart:
    fig = _figure(2.5)
    ax = fig.add_subplot()
    unit = _tkr(result)
    first = result.scenarios[0]
    rates = [float(r * 100) for r, _ in first.sensitivity]
    ax.plot(rates, [float(v / unit) for _, v in first.sensitivity], color=COLOURS[0], linewidth=1.6)
    for i, s in enumerate(result.scenarios):
        colour = COLOURS[i % len(COLOURS)]
        ax.plot([float(s.scenario.success_rate * 100)], [float(s.npv / unit)], "o", color=colour, label=s.scenario.name)
    if first.breakeven_success_rate is not None:
        rate = float(first.breakeven_success_rate * 100)
        ax.axvline(rate, color=MUTED, linewidth=0.8, linestyle=(0, (3, 2)))
        ax.annotate(
            f"nulpunkt: {percent(first.breakeven_success_rate)}",
            (rate, 0),
            xytext=(4, -14),
            textcoords="offset points",
            color=MUTED,
            fontsize=8,
        )
    ax.axhline(0, color=INK, linewidth=0.9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{danish.number(Decimal(str(round(v, 6))), 0)} %"))
    ax.yaxis.set_major_formatter(_axis_formatter())
    ax.set_xlabel("Succesrate")
    ax.set_ylabel("Nutidsværdi, 1.000 kr.")
    ax.legend(loc="upper left")
    alt = "Nettonutidsværdien som funktion af succesraten, med scenarierne markeret."
    if first.breakeven_success_rate is not None:
        alt += f" Den er nul ved en succesrate på {percent(first.breakeven_success_rate)}."
    return Chart(_svg(fig, alt), alt)


def charts(result: BusinessCaseResult) -> dict[str, Chart]:
    _setup()

    def percent(value: Decimal) -> str:
        return danish.quantity(value, "percent")

    return {"balance": balance_chart(result), "payers": payer_chart(result), "npv": npv_chart(result, percent)}


__all__: list[Any] = ["Chart", "charts"]
