"""Tables longer than a page, split into captioned parts "(fortsat)" at every page they cross: how many layouts
that takes (continued.py), and the pages a reader gets, read back as WeasyPrint's boxes and as PDF text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from forslag.batch.bind import _front, _hrefs
from forslag.batch.worker import _summary
from forslag.document import continued, danish
from forslag.document.compute import compute
from forslag.document.fonts import font_face_css
from forslag.document.pdf import Printer
from forslag.document.render import Stamp, environment, render_proposal
from forslag.document.shape import shape_digest
from forslag.source.load import load_proposal

from .conftest import PROPOSALS
from .layoutcheck import Layout, Table, broken_badly, layout, overlaps, split_rows
from .pdftext import pages_text
from .test_layout import _long_lines

EXAMPLES = ["din-sociale-indgang", "forloebsprogram", "plejefamilier"]
MEMBERS = 100


def _hundred(amount_step: int = 0, longer_title: bool = False) -> tuple[Any, list[dict[str, Any]]]:
    """The case and a hundred members (the three examples over and over, numbered); `amount_step` changes
    figures as an amount edit does, `longer_title` one title as a prose edit may."""
    computed = [compute(load_proposal(PROPOSALS / f"{name}.yaml")) for name in EXAMPLES]
    members: list[dict[str, Any]] = []
    for i in range(MEMBERS):
        c = computed[i % len(computed)]
        name = f"forslag-{i + 1:03d}"
        member = {**_summary(c, 5), "name": name, **_hrefs(name), "notat": None, "annex": None}
        member["title"] = f"{member['title']} ({i + 1})" + (" med en længere titel" if longer_title and i == 7 else "")
        member["investment"] += amount_step * (i % 3)  # other figures, as an amount edit makes them
        members.append(member)
    return computed[0].source.case.case, members


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> tuple[Layout, list[str], Path]:
    """The bound case's summary of a hundred proposals (the three examples over and over, numbered), as the
    build prints it: two tables of four pages each, the economy and the states."""
    case, members = _hundred()
    laid = layout(_front(case, members, False, True, None, "summary", [5, 600]))
    pdf = tmp_path_factory.mktemp("summary") / "summary.pdf"
    laid.document.write_pdf(pdf)
    return laid, [m["title"] for m in members], pdf


def _parts(laid: Layout, caption: str) -> list[Table]:
    return [t for t in laid.tables if t.captions and t.captions[0].startswith(caption)]


def _one_page_each(parts: list[Table]) -> None:
    """Every part on a page of its own, its caption and repeated header above its rows on that page; the later
    parts captioned "(fortsat)"; no part with a lone row."""
    assert len(parts) >= 4, "the table was meant to span four pages or more"
    assert not parts[0].captions[0].endswith("(fortsat)")
    pages = []
    for part in parts:
        body = [r for r in part.rows if not r.header]
        header = [r for r in part.rows if r.header]
        (page,) = {r.page for r in body}  # no part's body crosses a page
        assert part.caption_pages == [page] and [r.page for r in header] == [page] * len(header) and header
        assert len(body) >= 2 and broken_badly(part) == [] and split_rows(part) == [] and overlaps(part) == []
        pages.append(page)
    assert pages == list(range(pages[0], pages[0] + len(parts)))  # one part a page, none skipped
    for part in parts[1:]:
        assert part.captions == [part.captions[0]] and part.captions[0] == f"{parts[0].captions[0]} (fortsat)"


def test_the_summary_of_a_hundred_proposals_is_laid_out_at_most_twice(
    summary: tuple[Layout, list[str], Path],
) -> None:
    """Split at its first later page only, the summary of a hundred proposals took four layouts (2,6 s of the
    bound case's build); split at every page at once, with room made for each part's caption, it takes two."""
    laid, titles, _ = summary
    assert laid.layouts <= 2
    economy = _parts(laid, "Forslagenes investering")
    states = _parts(laid, "Forslagenes tilstand")
    _one_page_each(economy)
    _one_page_each(states)
    for parts in (economy, states):
        rows = [r.texts[0] for part in parts for r in part.rows if not r.header and r.texts[0] in titles]
        assert rows == titles  # every proposal once, in order, across the parts


def test_the_summary_reads_back_whole_from_the_pdf(summary: tuple[Layout, list[str], Path]) -> None:
    """The PDF's text: every proposal's title in order, each page's caption, the header on every page."""
    laid, titles, pdf = summary
    texts = [" ".join(t.split()) for t in pages_text(pdf)]
    assert len(texts) == len(laid.pages)
    economy = _parts(laid, "Forslagenes investering")
    for part in economy:
        page = texts[part.caption_pages[0] - 1]
        assert " ".join(part.captions[0].split()) in page and "Forslag" in page
    flat = " ".join(texts)
    positions = [flat.find(f"{title} ") for title in titles]
    assert -1 not in positions and positions == sorted(positions)


def _long_tabel_1(minimal: Path, count: int) -> tuple[Layout, Any]:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("  permanent:\n", "  permanent:\n" + _long_lines(count), 1))
    computed = compute(load_proposal(source))
    html = render_proposal(environment(), computed, Stamp("Kilde", "0" * 64, None, False), for_print=False)
    return layout(html), computed


@pytest.mark.parametrize("count", [70, 71, 90])
def test_a_tabel_1_of_five_pages_is_laid_out_at_most_twice(minimal: Path, tmp_path: Path, count: int) -> None:
    """Tabel 1 of three-line rows over four pages and more: its parts share the table's id, so layoutcheck
    reads them as one table, captioned on every page it reaches."""
    laid, computed = _long_tabel_1(minimal, count)
    assert laid.layouts <= 2
    table = next(t for t in laid.tables if "amounts" in t.classes)
    body = [r for r in table.rows if not r.header]
    pages = sorted({r.page for r in body})
    assert len(pages) >= 4 and broken_badly(table) == [] and split_rows(table) == []
    assert [c.endswith("(fortsat)") for c in table.captions] == [False] + [True] * (len(pages) - 1)
    assert sorted(r.page for r in table.rows if r.header) == pages  # the header on every page
    e = computed.economy
    assert len(body) == len(e.permanent) + len(e.implementation) + len(e.totals) + 2 + 2
    pdf = tmp_path / "long.pdf"
    laid.document.write_pdf(pdf)
    text = " ".join(" ".join(pages_text(pdf)).split()).replace("\u2010 ", "").replace("- ", "-")
    labels = [text.find(f"Linje {i} med") for i in range(count)]
    assert -1 not in labels and labels == sorted(labels)
    assert " ".join(danish.cell(v) for v in e.totals[-1].values if v is not None) in text


def test_a_document_with_no_breaking_table_is_laid_out_once(minimal: Path) -> None:
    html = render_proposal(
        environment(),
        compute(load_proposal(minimal / "minimal.yaml")),
        Stamp("Kilde", "0" * 64, None, False),
        for_print=False,
    )
    laid = layout(html)
    assert laid.layouts == 1
    assert all(len({r.page for r in t.rows if not r.header}) <= 1 for t in laid.tables)


def test_a_row_taller_than_a_page_leaves_no_part_without_rows() -> None:
    """A row that must break across pages itself starts the next page's part: splitting there again would
    leave a part of a caption and a header alone (nine of them, one a round, before), and laying out again
    a tree no round changed would give the same pages."""
    lines = "<br>".join(f"linje {i}" for i in range(130))
    rows = "".join(f"<tr><td>r{i}</td><td>x</td></tr>" for i in range(10))
    laid = layout(
        '<html lang="da"><head><style>@page { size: A4; margin: 2cm } table.continued { break-before: page }'
        "tr { break-inside: avoid }</style></head><body><table id='t'><caption>Tabel</caption><thead><tr>"
        f"<th>a</th><th>b</th></tr></thead><tbody>{rows}<tr><td>lang</td><td>{lines}</td></tr>{rows}</tbody>"
        "</table></body></html>"
    )
    assert laid.layouts <= 2
    parts = list(laid.root.iter("table"))
    assert [len([r for group in p if group.tag == "tbody" for r in group]) for p in parts] == [10, 11]
    text = " ".join(" ".join(b.text for b in _text_boxes(page._page_box)) for page in laid.pages)
    positions = [text.find(f"linje {i} ") for i in range(129)]
    assert -1 not in positions and positions == sorted(positions)


def _text_boxes(box: Any) -> list[Any]:
    from weasyprint.formatting_structure import boxes

    found = [box] if isinstance(box, boxes.TextBox) else []
    for child in getattr(box, "children", None) or []:
        found += _text_boxes(child)
    return found


def _summary_html(amount_step: int = 0, longer_title: bool = False) -> str:
    case, members = _hundred(amount_step, longer_title)
    html = _front(case, members, False, True, None, "summary", [1, 1])
    return html.replace(font_face_css(False), font_face_css(True), 1)


def test_a_plan_from_a_page_of_the_same_shape_lays_the_summary_out_once_and_prints_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an amount edit the summary has the shape it had (document/shape.py): the plan of its last print
    makes its one layout the tree the rounds would make, so the PDF is byte for byte the one printed afresh in
    two layouts. A plan that does not fit is dropped, and the page printed afresh."""
    first, edited = _summary_html(), _summary_html(amount_step=7)
    assert first != edited and shape_digest(first) == shape_digest(edited)
    assert shape_digest(_summary_html(longer_title=True)) != shape_digest(first)
    counts: list[int] = []
    original = continued.planned

    def planned(html: Any, plan: Any = None, **options: Any) -> Any:
        document, count, made = original(html, plan, **options)
        counts.append(count)
        return document, count, made

    monkeypatch.setattr(continued, "planned", planned)
    printer = Printer()
    day = dt.date(2026, 2, 20)
    _, _, plan = printer.pdf_planned(first, tmp_path, identifier=b"0" * 32, date=day)
    assert plan and counts == [2]
    fresh, pages, fresh_plan = printer.pdf_planned(edited, tmp_path, identifier=b"0" * 32, date=day)
    assert counts == [2, 2] and fresh_plan == plan
    counts.clear()
    again, pages_again, kept = printer.pdf_planned(edited, tmp_path, identifier=b"0" * 32, date=day, plan=plan)
    assert counts == [1] and kept == plan
    assert again == fresh and pages_again == pages
    # A plan for another page (a table split at a row it does not have) is dropped: the page prints afresh.
    counts.clear()
    wrong = [["split", 0, 5000]]
    dropped, _, made = printer.pdf_planned(edited, tmp_path, identifier=b"0" * 32, date=day, plan=wrong)
    assert dropped == fresh and made == plan and counts == [0, 2]  # no layout by the plan, then two afresh
