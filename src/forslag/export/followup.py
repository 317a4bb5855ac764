"""The follow-up sheets: each followed-up proposal's planned against realised figures (the summary sheet is
followup_summary.py's), for a case with follow-up files.

The figures are the follow-up as `forslag followup` computes it (a `batch.followup.FollowUpReport`, its plan read
at the adopted revision); typed `Any` here, as `document/followup.py` does, so this module imports nothing above
it. Planned and realised amounts are values; every deviation (realised − planned, and its percentage rounded
once to 0,1 %), every accumulated figure, every goal count (and every figure of the summary) is a formula, written
with forslag's own figure as its cached result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from forslag.document import danish
from forslag.document.followup import GROUP_TEXT, STATUS_TEXT, span
from forslag.document.stamp import Stamp
from forslag.economy.calc import Payback
from forslag.economy.followup import STATUSES, Compared, FollowUpEconomy, RowFollowUp
from forslag.export.workbook import Book, Cell, SheetWriter

SUMMARY = "Opfølgning"
LABEL, AREA, YEAR, PLANNED, REALISED, DEVIATION, SHARE, MARK, NOTE = range(9)
# A deviation always shows its sign, so +1.220 never reads as an amount; 0 stays 0.
SIGNED = "+#,##0;-#,##0;0"
SIGNED_PERCENT = "+0.0%;-0.0%;0.0%"
NOTE_WIDTH = 50  # the explanations' column; a longer explanation wraps


@dataclass
class FollowUpPlaced:
    """Where a proposal's follow-up sheet put what the summary refers to."""

    sheet: str
    net_planned: dict[int, Cell] = field(default_factory=dict)  # per passed year with a net amount
    net_realised: dict[int, Cell] = field(default_factory=dict)
    net_accumulated: tuple[Cell, Cell] | None = None  # planned, realised
    counts: dict[str, Cell] = field(default_factory=dict)  # goal status -> its COUNTIF cell


def follow_up_sheets(reports: Sequence[Any], stamps: Mapping[str, Stamp], summary_stamp: Stamp) -> SheetWriter:
    """The writer of the follow-up summary (first, filled last) and one sheet per report, in the given order."""
    from forslag.export.followup_summary import summary_sheet

    def write(book: Book) -> None:
        summary = book.sheet(SUMMARY)
        placed = [_proposal_sheet(book, r, stamps[r.name]) for r in reports]
        summary_sheet(book, summary, reports, placed, summary_stamp)

    return write


# --- the formats ---------------------------------------------------------------------------------------------


def signed_format(book: Book, bold: bool = False) -> Any:
    if bold:
        return book.fmt("signed_bold", num_format=SIGNED, bold=True, top=1)
    return book.fmt("signed", num_format=SIGNED)


def _share(book: Book, bold: bool = False) -> Any:
    if bold:
        return book.fmt("signed_percent_bold", num_format=SIGNED_PERCENT, bold=True, top=1, align="right")
    return book.fmt("signed_percent", num_format=SIGNED_PERCENT, align="right")


def _wrap(book: Book) -> Any:
    return book.fmt("wrap", text_wrap=True, valign="top")


def a1(row: int, col: int) -> str:
    return str(xl_rowcol_to_cell(row, col))


def _plain(value: Decimal) -> str:
    """A threshold as the report writes it: Danish separators, its own decimals (10 / 7,5)."""
    exponent = value.normalize().as_tuple().exponent
    return danish.number(value, max(0, -exponent) if isinstance(exponent, int) else 0)


def payback_text(payback: Payback) -> str | int:
    return "over 20 år" if payback.years is None else payback.years


def write_payback(ws: Worksheet, row: int, col: int, payback: Payback) -> None:
    """A payback time in its cell: the whole years as a number, or the words when it is not reached."""
    value = payback_text(payback)
    if isinstance(value, int):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, value)


# --- one proposal's sheet ------------------------------------------------------------------------------------


class _Sheet:
    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws, self.name = book, ws, ws.get_name()
        self.labels: list[str] = []

    @property
    def label_width(self) -> int:
        """Column A's width: the longest row label, within bounds (a goal wraps within it)."""
        return min(max((len(t) + 2 for t in self.labels), default=30), 80) if self.labels else 30

    def tall(self, row: int, *texts: tuple[str, int]) -> None:
        """A row as high as its longest wrapped text (a reader does not grow a row written without a height)."""
        # A column's width counts the widest digit; text averages about 15 % narrower.
        lines = max(math.ceil(len(" ".join(text.split())) / max(int(width * 1.15) - 2, 1)) for text, width in texts)
        if lines > 1:
            self.ws.set_row(row, 15 * lines)

    def amount(self, row: int, col: int, value: int | None, bold: bool = False) -> None:
        if value is not None:
            self.ws.write_number(row, col, value, self.book.amount_bold if bold else self.book.amount)
        elif bold:
            self.ws.write_blank(row, col, None, self.book.amount_bold)

    def deviation(self, row: int, compared: Compared, bold: bool = False) -> None:
        """Realised − planned and its share of the plan's size, as formulas over the row's own cells."""
        planned, realised = a1(row, PLANNED), a1(row, REALISED)
        self.ws.write_formula(
            row, DEVIATION, f"={realised}-{planned}", signed_format(self.book, bold), compared.deviation or 0
        )
        share = compared.percent
        cached: float | str = "" if share is None else float(share / Decimal(100))
        # ROUND(..., 3) of a fraction is forslag's one rounding to 0,1 % (half away from zero, as Decimal's HALF_UP).
        formula = f'=IF({planned}=0,"",ROUND({a1(row, DEVIATION)}/ABS({planned}),3))'
        self.ws.write_formula(row, SHARE, formula, _share(self.book, bold), cached)

    def row_group(self, row: int, r: RowFollowUp, passed: tuple[int, ...]) -> tuple[int, dict[int, tuple[Cell, Cell]]]:
        """A row's heading, a line per passed year and the accumulated line; the next free row and the year cells."""
        book, ws = self.book, self.ws
        ws.write_string(row, LABEL, r.label, book.bold)
        ws.write_string(row, AREA, r.area or "", book.bold)
        self.labels.append(r.label)
        row += 1
        cells: dict[int, tuple[Cell, Cell]] = {}
        first = row
        for y in r.years:
            ws.write_number(row, YEAR, y.year)
            self.amount(row, PLANNED, y.compared.planned)
            self.amount(row, REALISED, y.compared.realised)
            self.deviation(row, y.compared)
            if y.needs_explanation:
                ws.write_string(row, MARK, "*")
            if y.explanation:
                ws.write_string(row, NOTE, " ".join(y.explanation.split()))
                self.tall(row, (y.explanation, NOTE_WIDTH))
            cells[y.year] = (Cell(self.name, row, PLANNED), Cell(self.name, row, REALISED))
            row += 1
        if not r.years:
            ws.write_string(row, LABEL, f"Ingen beløb i {span(passed)}", book.note)
            return row + 2, cells
        label = f"Akkumuleret {span([y.year for y in r.years])}"
        ws.write_string(row, LABEL, label, book.bold_rule)
        ws.write_blank(row, AREA, None, book.bold_rule)
        ws.write_blank(row, YEAR, None, book.bold_rule)
        self.labels.append(label)
        acc = r.accumulated
        for col, value in ((PLANNED, acc.planned), (REALISED, acc.realised)):
            fmt = book.amount_bold if value is not None else book.amount_bold_blank
            ws.write_formula(row, col, f"=SUM({a1(first, col)}:{a1(row - 1, col)})", fmt, value or 0)
        self.deviation(row, acc, bold=True)
        return row + 2, cells


def _versions(report: Any) -> list[str]:
    out = []
    for i, v in enumerate(report.versions):
        d = v.decision
        said = ", ".join(x for x in (d.decision, f"{d.date:%d-%m-%Y}" if d.date else None) if x)
        out.append(f"{'Vedtaget' if i == 0 else 'Ændret'}: {said + ', ' if said else ''}version {v.where}")
    return out


def _proposal_sheet(book: Book, report: Any, stamp: Stamp) -> FollowUpPlaced:
    e: FollowUpEconomy = report.economy
    f = report.loaded.source
    p = report.target.computed.source.proposal
    ws = book.sheet(f"Opf {report.name}")
    s = _Sheet(book, ws)
    t = e.threshold
    start = book.head(
        ws,
        f"Opfølgning: {p.title}",
        [
            f"Fremstillende forvaltning: {p.administration}",
            *_versions(report),
            f"Realiseret til og med {e.passed[-1]} (opgjort {f.date:%d-%m-%Y}); kilde: {f.source}",
            "Afvigelse = realiseret − planlagt med Tabel 1's fortegn: en positiv afvigelse er mindre besparelse "
            "eller større udgift end planlagt; procenten er af det planlagte beløbs størrelse.",
            f"* Afvigelsen er større end tærsklen ({_plain(t.percent)} % af det planlagte og "
            f"{_plain(t.amount)} t. kr.) og skal forklares.",
        ],
        stamp,
    )
    headings = (
        "Række",
        "Styringsområde",
        "År",
        "Planlagt",
        "Realiseret",
        "Afvigelse",
        "Afvigelse, %",
        "",
        "Forklaring",
    )
    for col, text in enumerate(headings):
        ws.write_string(start, col, text, book.header_num if PLANNED <= col <= SHARE or col == YEAR else book.header)
    ws.freeze_panes(start + 1, 0)
    ws.repeat_rows(start)
    placed = FollowUpPlaced(s.name)
    row = start + 1
    for r in e.rows:
        row, _ = s.row_group(row, r, e.passed)
    ws.write_string(row, LABEL, "I alt (alle rækker; rækker uden realiserede tal med det planlagte)", book.bold)
    row += 1
    row, net_cells = s.row_group(row, e.net, e.passed)
    for year, (planned, realised) in net_cells.items():
        placed.net_planned[year], placed.net_realised[year] = planned, realised
    if e.net.years:
        placed.net_accumulated = (Cell(s.name, row - 2, PLANNED), Cell(s.name, row - 2, REALISED))
    row, _ = s.row_group(row, e.impact, e.passed)
    if e.unfollowed:
        ws.write_string(row, LABEL, "Ikke fulgt op (regnet med de planlagte beløb):", book.note)
        row += 1
        for label in e.unfollowed:  # a line each: one long line would shrink the printed page to fit it
            ws.write_string(row, LABEL, label, book.note)
            row += 1
        row += 1

    ws.write_string(row, LABEL, "Tilbagebetalingstid, år", book.header)
    ws.write_blank(row, AREA, None, book.header)
    ws.write_blank(row, YEAR, None, book.header)
    ws.write_string(row, PLANNED, "Vedtaget", book.header_num)
    ws.write_string(row, REALISED, "Realiseret tempo", book.header_num)
    row += 1
    for label, adopted, at_pace in zip(
        ("Serviceeffektivisering", "Totaløkonomi"), e.payback_adopted, e.payback_realised, strict=True
    ):
        ws.write_string(row, LABEL, label)
        for col, payback in ((PLANNED, adopted), (REALISED, at_pace)):
            write_payback(ws, row, col, payback)
        row += 1
    ws.write_string(
        row,
        LABEL,
        f"Realiseret tempo: de realiserede beløb til og med {e.passed[-1]}, de planlagte derefter.",
        book.note,
    )
    row += 2
    row = _goals(s, row, e, placed)

    ws.set_column(LABEL, LABEL, s.label_width)
    ws.set_column(AREA, AREA, 20)
    ws.set_column(YEAR, YEAR, 8)
    ws.set_column(PLANNED, SHARE, 12)
    ws.set_column(MARK, MARK, 3)
    ws.set_column(NOTE, NOTE, NOTE_WIDTH, _wrap(book))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return placed


def _goals(s: _Sheet, row: int, e: FollowUpEconomy, placed: FollowUpPlaced) -> int:
    """Tabel 2's goals with status and explanation, then the count of each status (COUNTIF over the statuses)."""
    book, ws = s.book, s.ws
    ws.write_string(row, LABEL, "Opfølgningsmål", book.header)
    ws.write_string(row, AREA, "Status", book.header)
    for col in range(YEAR, NOTE):
        ws.write_blank(row, col, None, book.header)
    ws.write_string(row, NOTE, "Forklaring", book.header)
    row += 1
    first = row
    for group in GROUP_TEXT:
        goals = [g for g in e.goals if g.group == group]
        if not goals:
            continue
        ws.write_string(row, LABEL, GROUP_TEXT[group], book.bold)
        row += 1
        for g in goals:
            ws.write_string(row, LABEL, g.goal, _wrap(book))
            ws.write_string(row, AREA, STATUS_TEXT[g.status], _wrap(book))
            if g.explanation:
                ws.write_string(row, NOTE, " ".join(g.explanation.split()))
            s.tall(row, (g.goal, s.label_width), (g.explanation or "", NOTE_WIDTH))
            row += 1
    statuses = xl_range_abs(first, AREA, max(row - 1, first), AREA)
    row += 1
    ws.write_string(row, LABEL, "Mål efter status", book.header)
    ws.write_string(row, AREA, "Antal", book.header_num)
    row += 1
    counts = e.status_counts
    first_count = row
    for status in STATUSES:
        ws.write_string(row, LABEL, STATUS_TEXT[status])
        # '=' first: the whole cell must be the status ("Opfyldt" is not to match "Ikke opfyldt").
        ws.write_formula(row, AREA, f'=COUNTIF({statuses},"={STATUS_TEXT[status]}")', None, counts[status])
        placed.counts[status] = Cell(s.name, row, AREA)
        row += 1
    ws.write_string(row, LABEL, "I alt", book.bold_rule)
    ws.write_formula(
        row, AREA, f"=SUM({a1(first_count, AREA)}:{a1(row - 1, AREA)})", book.bold_rule, sum(counts.values())
    )
    return row + 1
