"""The committee notat beside a proposal whose business case is judged not suitable: <name>-notat.pdf/.html."""

from __future__ import annotations

import jinja2

from forslag.document.compute import ComputedProposal
from forslag.document.render import Stamp, render_notat


def notat_page(computed: ComputedProposal, env: jinja2.Environment, stamp: Stamp) -> str | None:
    """The notat's page (HTML, for screen), or None when the proposal has no unsuitable business case."""
    if computed.suitability is None or computed.suitability.suitable:
        return None
    return render_notat(env, computed, stamp, for_print=False)
