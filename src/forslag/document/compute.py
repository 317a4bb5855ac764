"""A loaded proposal made ready to print: its economy calculated and every prose field rendered and checked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forslag import progress
from forslag.document.explain import heading_warnings
from forslag.document.prose import ProseRenderer
from forslag.economy.business_case import BusinessCaseResult, as_json
from forslag.economy.calc import Economy, Row
from forslag.economy.derive import proposal_economy
from forslag.economy.suitability import Suitability, assess
from forslag.errors import Problem, SourceError
from forslag.source.load import LoadedProposal
from forslag.source.yamlsource import Loc


@dataclass(frozen=True)
class ComputedProposal:
    source: LoadedProposal
    economy: Economy
    prose: dict[str, str]
    warnings: tuple[Problem, ...]  # the loader's and the calculation's, each with its place in the source
    business_case: BusinessCaseResult | None = None
    suitability: Suitability | None = None
    charts: dict[str, Any] = field(default_factory=dict)  # name -> document.charts.Chart
    prose_figures: int = 0  # figures in the prose; the annex's charts are numbered after them
    inputs: dict[str, str] = field(default_factory=dict)  # figure file -> sha256 of the bytes printed

    @property
    def name(self) -> str:
        return self.source.name


def _unwrap_paragraph(html: str) -> str:
    """A one-paragraph text set inline (a footnote beside its marker)."""
    inner = html.strip().removeprefix("<p>").removesuffix("</p>")
    return inner if "<p>" not in inner else html


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every text in the source with where it is (titles, labels, table cells: what is not prose)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))
    elif isinstance(data, str):
        yield loc, data


def compute(loaded: LoadedProposal, image_root: Path | None = None, *, charts: bool = True) -> ComputedProposal:
    """Calculate and render the prose; raise SourceError with every prose problem at once. Without `charts`
    the business case's charts are not drawn (`check` and `diff` print none)."""
    case = loaded.case.case
    progress.doing("calculating the economy and the business case")
    p, economy, bc = proposal_economy(loaded.proposal, case)  # with Tabel 1 rows taken from the business case
    suitability = assess(bc) if bc and not bc.cost_assessment else None  # a cost assessment is a price
    progress.doing("rendering the prose")
    renderer = ProseRenderer(loaded.path, economy.figures, image_root or loaded.path.parent)
    doc = loaded.document

    rendered: set[Loc] = set()

    def render(key: str, text: str | None, loc: Loc) -> None:
        if text is not None:
            rendered.add(loc)
            prose[key] = renderer.render(text, doc.mark(loc))

    prose: dict[str, str] = {}
    render("summary", p.summary, ("summary",))
    render("description", p.description, ("description",))
    render("intro", p.economy.intro, ("economy", "intro"))
    for block, lines in (("permanent", p.economy.permanent), ("implementation", p.economy.implementation)):
        for i, line in enumerate(lines):
            render(f"line.{line.id}", line.text, ("economy", block, i, "text"))
            if line.footnote:
                render(f"footnote.{line.id}", line.footnote, ("economy", block, i, "footnote"))
                prose[f"footnote.{line.id}"] = _unwrap_paragraph(prose[f"footnote.{line.id}"])
    render("risk", p.risk.text, ("risk", "text"))
    if p.business_case is not None:
        for key in ("problem", "solution", "alternative"):
            text = getattr(p.business_case.suitability, key)
            render(f"bc.{key}", text, ("business_case", "suitability", key))
    render(
        "administrative_effectivisation",
        p.administrative_effectivisation,
        ("administrative_effectivisation",),
    )
    for loc, text in _strings(doc.data, ()):
        if loc not in rendered:
            renderer.check_words(text, doc.mark(loc))
    if renderer.problems:
        raise SourceError(renderer.problems)
    drawn: dict[str, Any] = {}
    if bc is not None and bc.scenarios and charts:
        from forslag.document.charts import charts as make_charts  # matplotlib only for a business case

        progress.doing("drawing the business case's charts")
        drawn = make_charts(bc)
    placed = _placed(loaded, (*economy.warnings, *heading_warnings(economy)))
    warnings = (*loaded.warnings, *placed, *renderer.warnings)
    return ComputedProposal(
        loaded, economy, prose, warnings, bc, suitability, drawn, renderer.figure_count, dict(renderer.inputs)
    )


def _placed(loaded: LoadedProposal, warnings: tuple[str, ...]) -> list[Problem]:
    """The calculation's warnings at the line they name ("line 'x': ..."), at its headline when it has one."""
    doc = loaded.document
    places: dict[str, Loc] = {}
    economy = loaded.proposal.economy
    for block, lines in (("permanent", economy.permanent), ("implementation", economy.implementation)):
        for i, line in enumerate(lines):
            loc: Loc = ("economy", block, i)
            places[f"line {line.id!r}:"] = (*loc, "headline") if line.headline else loc
    out = []
    for warning in warnings:
        loc = next((where for prefix, where in places.items() if warning.startswith(prefix)), ("economy",))
        mark = doc.mark(loc)
        out.append(Problem(str(loaded.path), mark.line if mark else 1, mark.column if mark else 1, warning))
    return out


def _values(row: Row, years: tuple[int, ...]) -> dict[str, int | None]:
    return {str(y): v for y, v in zip(years, row.values, strict=True)}


def economy_json(computed: ComputedProposal) -> dict[str, Any]:
    """The computed economy for other tools: amounts in 1.000 kr., null for blank cells."""
    e = computed.economy
    lines = (*e.permanent, *e.implementation)
    return {
        "source": str(computed.source.path),
        "title": computed.source.proposal.title,
        "administration": computed.source.proposal.administration,
        "state": computed.source.proposal.finance_approval.status,
        "price_level": f"{e.price_level} p/l",
        "years": list(e.years),
        "rows": [
            {
                "label": c.row.label,
                "styringsomraade": c.row.styringsomraade,
                "block": c.row.block,
                "values": _values(c.row, e.years),
            }
            for c in lines
        ],
        "totals": {row.label: _values(row, e.years) for row in e.totals},
        "payback": {"service": e.payback_service.years, "total": e.payback_total.years},
        "errors": [],
        "warnings": [str(w) for w in computed.warnings],
    } | ({"business_case": _business_case_json(computed)} if computed.business_case else {})


def _business_case_json(computed: ComputedProposal) -> dict[str, Any]:
    assert computed.business_case is not None
    s = computed.suitability
    return as_json(computed.business_case, None if s is None else {"verdict": s.verdict, "reasons": list(s.reasons)})
