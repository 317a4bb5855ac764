"""What a new user's trial found printing without a word: a cost called a saving, a dash mid-sentence, a label
cut by a comment, a temporary amount presented as lasting. Each now gets a message at its line."""

from __future__ import annotations

from pathlib import Path

from .conftest import DATA, Run


def _edit(folder: Path, old: str, new: str) -> Path:
    source = folder / "minimal.yaml"
    text = source.read_text()
    assert old in text
    source.write_text(text.replace(old, new, 1))
    return source


def test_abs_on_a_cost_is_a_warning_at_its_line(run: Run, minimal: Path) -> None:
    # The saving becomes smaller than the running cost: the net is a cost, and "sparer" would be untrue.
    source = _edit(minimal, "amounts: {2027: -500, 2028: -1000}", "amounts: {2027: -50, 2028: -100}")
    result = run("check", source)
    assert result.code == 0
    assert f"warning: {source}:3:" in result.out
    assert "{{ net.full | abs }} is 0,2 mio. kr., a cost, not a saving" in result.out


def test_abs_on_a_saving_says_nothing(run: Run, minimal: Path) -> None:
    result = run("check", minimal / "minimal.yaml")
    assert result.code == 0
    assert "warning" not in result.out


def test_a_figure_with_no_value_is_an_error_not_a_dash(run: Run) -> None:
    """A scenario that never breaks even within its horizon has no payback: quoting it printed '–' mid-sentence."""
    source = DATA.parent / "data" / "bc-figure-with-no-value" / "no-break-even.yaml"
    result = run("check", source)
    assert result.code == 1
    for line, name in ((102, "bc.lav.payback"), (104, "bc.lav.successes_needed")):
        assert f"error: {source}:{line}: the placeholder {name!r} has no value for this proposal" in result.out


def test_a_comment_that_cuts_a_label_is_a_warning_at_its_column(run: Run, minimal: Path) -> None:
    source = _edit(minimal, "      label: Drift\n", "      label: Drift team #2 (nyt)\n")
    result = run("check", source)
    assert result.code == 0
    line = source.read_text().splitlines().index("      label: Drift team #2 (nyt)") + 1
    assert f"warning: {source}:{line}:25: the text ends at 'Drift team': YAML reads '#2 (nyt)' as a comment" in (
        result.out
    )
    quoted = _edit(minimal, "label: Drift team #2 (nyt)", 'label: "Drift team #2 (nyt)"')
    assert "warning" not in run("check", quoted).out


def test_a_comment_beside_a_number_is_ordinary_yaml(run: Run, minimal: Path) -> None:
    source = _edit(
        minimal, "{fte: 0.5, unit_cost: 641, from: 2027}", "{fte: 0.5, unit_cost: 641, from: 2027}  # 2 halve"
    )
    assert "warning" not in run("check", source).out


def test_a_row_that_ends_early_is_not_presented_as_lasting(run: Run, minimal: Path) -> None:
    # The case runs to 2028; a permanent row that stops in 2027 would read "ved fuld indfasning".
    source = _edit(minimal, "amounts: {2027: -500, 2028: -1000}", "amounts: {2027: -500}")
    result = run("check", source)
    assert result.code == 0
    assert f"warning: {source}:8:" in result.out
    assert "line 'besparelse': the row has no amount in 2028, but headline 'full' presents its 2027 amount" in (
        result.out
    )
    fixed = _edit(minimal, "amounts: {2027: -500}", "amounts: {2027: -500}\n      headline: year")
    assert "presents its" not in run("check", fixed).out


def test_a_new_proposal_says_what_its_figures_are(run: Run, tmp_path: Path) -> None:
    """The scaffold once put the net effectivisation under the words for the whole permanent change."""
    folder = tmp_path / "sag"
    assert run("init", folder).code == 0
    source = folder / "proposals" / "nyt-forslag.yaml"
    text = source.read_text()
    assert "nettoeffektivisering på\n  {{ net.full | abs }}" in text
    assert "Den samlede varige ændring er {{ permanent.full }}" in text
    result = run("check", source)
    assert result.code == 0, result.out
    assert "warning" not in result.out
