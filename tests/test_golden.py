"""Golden HTML per example: any change to the layout or the numbers shows as a diff to review.

Refresh after an intended change with `make golden` (pytest --update-golden) and read the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from forslag.document.compute import compute
from forslag.document.render import Stamp, environment, render_proposal
from forslag.source.load import load_proposal

from .conftest import PROPOSALS

GOLDEN = Path(__file__).resolve().parent / "golden"
# A fixed stamp: the real one names the git commit, which would change the golden file on every commit.
STAMP = Stamp(text="Kilde: golden", source_sha256="0" * 64, commit=None, dirty=False)


@pytest.mark.parametrize("name", ["forloebsprogram", "din-sociale-indgang", "plejefamilier"])
def test_html_matches_golden(name: str, request: pytest.FixtureRequest) -> None:
    html = render_proposal(environment(), compute(load_proposal(PROPOSALS / f"{name}.yaml")), STAMP, for_print=False)
    golden = GOLDEN / f"{name}.html"
    if request.config.getoption("--update-golden"):
        golden.write_text(html)
    expected = golden.read_text()
    if html != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), html.splitlines(True), str(golden), "rendered", n=2)
        )
        pytest.fail(f"the HTML differs from {golden.name} (run `make golden` if intended):\n{diff[:4000]}")
