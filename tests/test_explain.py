"""A heading's amount is the amount of what it names: `covers`, the check's warning, and `check --explain`."""

from __future__ import annotations

from pathlib import Path

from forslag.document.compute import compute
from forslag.source.load import load_proposal

from .conftest import PROPOSALS, Run

TWO_AREAS = """    - id: unge
      label: Færre sager på ungeområdet
      heading: Færre sager på unge- og voksenområderne
{covers}      amounts: {{2027: -630, 2028: -630}}
      text: To områder.
    - id: voksen
      label: Færre sager på voksenområdet
      amounts: {{2027: -630, 2028: -630}}
"""


def _two_areas(minimal: Path, covers: str) -> Path:
    source = minimal / "minimal.yaml"
    text = source.read_text().replace("  permanent:\n", "  permanent:\n" + TWO_AREAS.format(covers=covers), 1)
    source.write_text(text)
    return source


def test_the_examples_headings_state_the_sum_of_what_they_name(run: Run) -> None:
    result = run("check", PROPOSALS / "din-sociale-indgang.yaml", "--explain")
    assert result.code == 0 and "warning" not in result.out + result.err
    out = result.out + result.err
    assert "unge- og voksenområderne: -1,3 mio. kr. ved fuld indfasning" in out  # the original's -1,3
    assert "= unge -630 + voksen -630 (2031, 1.000 kr.)" in out
    intro = compute(load_proposal(PROPOSALS / "forloebsprogram.yaml")).prose["intro"]
    # The team (9,0) and the home support (3,2) are 12,3 together; the rent subsidy is named on its own.
    assert "9,0\u00a0mio.\u00a0kr." in intro and "3,2\u00a0mio.\u00a0kr." in intro and "13,2" not in intro


def test_a_heading_that_names_a_row_it_leaves_out_is_warned(minimal: Path, run: Run) -> None:
    source = _two_areas(minimal, "")
    result = run("check", source)
    out = result.out + result.err
    assert result.code == 0
    assert f"{source}:" in out and "the heading names 'voksenområdet' (line 'voksen')" in out
    assert "add 'covers: [voksen]'" in out


def test_covers_sums_the_rows_and_the_warning_goes(minimal: Path, run: Run) -> None:
    source = _two_areas(minimal, "      covers: [voksen]\n")
    computed = compute(load_proposal(source))
    line = next(c for c in computed.economy.permanent if c.line.id == "unge")
    assert line.headline is not None and line.headline[0].value == -1260  # type: ignore[union-attr]
    assert not any("voksenområdet" in str(w) for w in computed.warnings)
    out = run("check", source, "--explain").out
    assert "= unge -630 + voksen -630 (2028, 1.000 kr.)" in out


def test_covers_must_name_the_lines_right_after(minimal: Path, run: Run) -> None:
    source = _two_areas(minimal, "      covers: [besparelse]\n")
    result = run("check", source)
    assert result.code == 1
    assert "'covers' lists ['besparelse'], but a heading can only speak for the lines right after it" in (
        result.out + result.err
    )
