"""The business case's charts as inline SVG drawn by matplotlib: text stays text in the document font.

Imported only for a proposal with a business case, so the others never pay for matplotlib. The bytes are the
same on every build: a fixed hash salt for the SVG's ids, no date in its metadata, and figures made here
rather than through pyplot's global state.
"""

from __future__ import annotations

import io
import logging
import math
import re
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("svg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

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
PANELS_A_ROW = 3  # the payer chart's small multiples: rows of at most three, so each stays legible
PANEL_ROW_IN = 2.1  # the height of one row of them
MAX_X_TICKS = 10  # year ticks: every k-th year beyond this, so two-line labels never touch
# matplotlib reports fonts it substitutes and layouts it gives up on; a user of forslag cannot act on them.
logging.getLogger("matplotlib").setLevel(logging.ERROR)

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
            # Text is text: a label "5$ pr. $ 3" is printed as written, never read as TeX math.
            "text.parse_math": False,
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
            # The grid behind the bars: matplotlib's default draws it over patches, a pale line across every bar.
            "axes.axisbelow": True,
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


class _Numbers(Formatter):
    """Danish tick labels with as many decimals as the ticks need: 2,5 % is never printed as 3 %, and the
    ticks of a small range never read 0, 0, 1, 1."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.ticks: list[float] = []

    def set_locs(self, locs: Any) -> None:
        self.ticks = [float(v) for v in locs]

    def __call__(self, value: float, pos: int | None = None) -> str:
        places = max(_places(v) for v in (*self.ticks, value))
        return danish.number(Decimal(str(round(value, places))), places) + self.suffix


def _places(value: float) -> int:
    """The fewest decimals (at most 3) that state a tick exactly."""
    return next((p for p in range(3) if abs(round(value, p) - value) < 1e-9), 3)


def _axis_formatter(suffix: str = "") -> _Numbers:
    return _Numbers(suffix)


def _amount_axis(ax: Any) -> None:
    """A y axis of amounts in whole units: whole-number steps, Danish labels (called after plotting)."""
    low, high = ax.get_ylim()
    if high - low < 2:  # an all-zero series: a unit either side, not ticks of hundredths
        ax.set_ylim(min(low, -1), max(high, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_axis_formatter())


def _year_ticks(years: list[int]) -> list[int]:
    step = math.ceil(len(years) / MAX_X_TICKS)
    return years[::step]


def _legend_below(fig: Figure, ax: Any) -> None:
    """The legend under the plot, never over its lines: in as many columns as fit the width."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        longest = max(len(label) for label in labels)
        columns = max(1, min(len(labels), int(90 // max(longest + 6, 1))))
        fig.legend(handles, labels, loc="outside lower center", ncols=columns)


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
    """One plot: constrained layout, whose cost grows with the number of plots, not of lines or labels."""
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
    shown = _year_ticks(years)
    ax.set_xticks(shown, [f"{t}\n{result.calendar_years[t - 1]}" for t in shown])
    ax.set_xlim(0, years[-1] + 0.3)
    _amount_axis(ax)
    ax.set_ylabel("1.000 kr.")
    ax.set_xlabel("År i business casen (kalenderår)")
    _legend_below(fig, ax)
    parts = []
    for s in result.scenarios:
        when = f"når nul i år {s.breakeven_year}" if s.breakeven_year else "når ikke nul inden for horisonten"
        parts.append(f"{s.scenario.name}: balancen {when}")
    alt = "Akkumuleret balance pr. år for hvert scenarie. " + "; ".join(parts) + "."
    return Chart(_svg(fig, alt), alt)


def payer_chart(result: BusinessCaseResult) -> Chart:
    """Small multiples, one per scenario, in rows of three: laid out by hand on a fixed grid, so the cost is
    one plot's per scenario (constrained layout's solver grew with the cube of the number of plots)."""
    count = len(result.scenarios)
    columns = min(count, PANELS_A_ROW)
    rows = math.ceil(count / columns)
    legend_in = 0.45
    height = rows * PANEL_ROW_IN + legend_in
    fig = Figure(figsize=(WIDTH_IN, height))
    # Margins in inches, turned into fractions: room for the y labels on the left, the titles above each
    # plot, the year labels and axis title below each, and the legend under all.
    fig.subplots_adjust(
        left=0.75 / WIDTH_IN,
        right=1 - 0.1 / WIDTH_IN,
        top=1 - 0.3 / height,
        bottom=(legend_in + 0.45) / height,
        wspace=0.12,
        hspace=0.9 / PANEL_ROW_IN,
    )
    # One y range for all, set on each: sharing axes links every plot to every other (cost n²).
    grid = fig.subplots(rows, columns, squeeze=False)
    unit = _tkr(result)
    years = list(result.years)
    totals = [
        float(sum((s.gains_by_payer[p][i] for p in result.payers), Decimal(0)) / unit)
        for s in result.scenarios
        for i in range(len(years))
    ]
    low, high = min(0.0, *totals), max(0.0, *totals)
    handles: dict[str, Any] = {}
    for index, ax in enumerate(grid.flat):
        if index >= count:
            ax.set_visible(False)
            continue
        s = result.scenarios[index]
        bottom = [0.0] * len(years)
        for i, payer in enumerate(result.payers):
            values = [float(v / unit) for v in s.gains_by_payer[payer]]
            if not any(values):
                continue
            bars = ax.bar(years, values, bottom=bottom, color=COLOURS[i % len(COLOURS)], width=0.7, label=payer)
            handles.setdefault(payer, bars)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        title = textwrap.shorten(s.scenario.name, width=int(60 / columns), placeholder="…")
        ax.set_title(title, fontsize=9, color=INK)
        ax.set_xticks(_year_ticks(years))
        ax.set_ylim(low * 1.05, high * 1.05 if high else 1.0)
        _amount_axis(ax)
        if index % columns == 0:
            ax.set_ylabel("1.000 kr.")
        else:
            ax.tick_params(labelleft=False)
        if index + columns >= count:
            ax.set_xlabel("År")
    if handles:
        longest = max(len(name) for name in handles)
        ncols = max(1, min(len(handles), int(90 // (longest + 6))))
        fig.legend(list(handles.values()), list(handles), loc="lower center", ncols=ncols, bbox_to_anchor=(0.5, 0))
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
    ax.xaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(_axis_formatter(" %"))
    _amount_axis(ax)
    ax.set_xlabel("Succesrate")
    ax.set_ylabel("Nutidsværdi, 1.000 kr.")
    _legend_below(fig, ax)
    alt = "Nettonutidsværdien som funktion af succesraten, med scenarierne markeret."
    if first.breakeven_success_rate is not None:
        alt += f" Den er nul ved en succesrate på {percent(first.breakeven_success_rate)}."
    return Chart(_svg(fig, alt), alt)


def charts(result: BusinessCaseResult) -> dict[str, Chart]:
    _setup()

    def percent(value: Decimal) -> str:
        return danish.quantity(value, "percent")

    # matplotlib warns about what it lays out (glyphs, tight margins) on the terminal; the charts are read
    # where they print, and a warning there says nothing a user can act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"balance": balance_chart(result), "payers": payer_chart(result), "npv": npv_chart(result, percent)}


__all__: list[Any] = ["Chart", "charts"]
