"""The business case's charts: text is text, nothing on the terminal, legible ticks, cost linear in scenarios."""

from __future__ import annotations

import re
import time
import warnings
from typing import Any

import pytest

from forslag.economy.business_case import calculate_business_case

from .test_business_case import CASE, bc


def _charts(**changes: Any) -> dict[str, str]:
    from forslag.document.charts import charts

    return {k: c.svg for k, c in charts(calculate_business_case(bc(**changes), CASE)).items()}


def _texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


def test_a_dollar_sign_is_printed_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    """`5$ pr. $ 3` once printed "5 3" in italics (read as TeX math); `$\\undefined{$` stopped the build."""
    scenarios = [
        {"id": "a", "name": "5$ pr. $ 3", "success_rate": 0.1},
        {"id": "b", "name": "$\\undefined{$", "success_rate": 0.2},
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svgs = _charts(scenarios=scenarios)
    texts = [t for svg in svgs.values() for t in _texts(svg)]
    assert "5$ pr. $ 3" in texts and "$\\undefined{$" in texts
    assert not any("italic" in svg for svg in svgs.values())
    assert caught == [] and capsys.readouterr() == ("", "")  # matplotlib says nothing on the terminal


def test_the_grid_lies_behind_the_bars() -> None:
    """The bars of the payers' chart were crossed by pale grid lines (matplotlib draws the grid over patches):
    in every plot the y axis with its grid comes before the first bar in the SVG's drawing order."""
    svg = _charts()["payers"]
    plots = re.split(r'<g id="axes_\d+">', svg)[1:]
    assert plots
    for plot in plots:
        ids = re.findall(r'<g id="([^"]+)"', plot)
        bars = [i for i, name in enumerate(ids) if name.startswith("patch_")][1:]  # the first is the background
        axes = [i for i, name in enumerate(ids) if name.startswith("matplotlib.axis_")]  # x, then y with its grid
        assert bars and len(axes) == 2 and axes[1] < bars[0], ids[:12]


def test_ticks_state_their_values() -> None:
    from forslag.document.charts import _Numbers

    formatter = _Numbers(" %")
    formatter.set_locs([0.0, 2.5, 5.0, 7.5])
    assert [formatter(v) for v in formatter.ticks] == ["0,0 %", "2,5 %", "5,0 %", "7,5 %"]  # never 3 %, 8 %
    whole = _Numbers()
    whole.set_locs([-2000.0, 0.0, 2000.0])
    assert [whole(v) for v in whole.ticks] == ["-2.000", "0", "2.000"]


def test_an_all_zero_series_has_distinct_ticks() -> None:
    """A case with no gains once labelled its axis 0, 0, 0, 1, 1, 1."""
    effects = [{"id": "g", "label": "Gevinst", "payer": "Forvaltningen", "area": "A", "value": 0}]
    svgs = _charts(effects=effects, costs=[{"id": "drift", "label": "Drift", "yearly": 0}])
    for key, (after, before) in {
        "balance": ("(kalenderår)", "1.000 kr."),
        "npv": ("Succesrate", "Nutidsværdi"),
    }.items():
        texts = _texts(svgs[key])
        start = next(i for i, t in enumerate(texts) if t.endswith(after))
        ticks = texts[start + 1 : next(i for i, t in enumerate(texts) if t.startswith(before))]
        assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), ticks
        assert all(re.fullmatch(r"-?\d+", t) for t in ticks), ticks  # whole units, no hundredths


def _timed(count: int) -> float:
    scenarios = [{"id": f"s{i}", "name": f"Scenarie {i}", "success_rate": 0.1} for i in range(count)]
    start = time.perf_counter()
    _charts(scenarios=scenarios)
    return time.perf_counter() - start


def test_chart_cost_grows_linearly_with_the_scenarios() -> None:
    """Constrained layout with one plot per scenario grew with the cube of their number (202 took minutes)."""
    _timed(2)  # fonts and caches warm
    small, large = _timed(8), _timed(32)
    assert large < 8 * small + 1.0, (small, large)  # four times the scenarios: about four times the time
