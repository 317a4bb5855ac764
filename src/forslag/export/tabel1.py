"""A proposal's sheet: Tabel 1 as printed, with every subtotal and total a formula over the rows it sums."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from forslag.document.compute import ComputedProposal
from forslag.economy.calc import ComputedLine, Row
from forslag.export.workbook import Book, Cell, Placed, plain, widths

LABEL, AREA, FIRST_YEAR = 0, 1, 2
BLOCK_HEADINGS = {
    "varig": "Varige ændringer (effektivisering og drift)",
    "implementering": "Implementeringsomkostninger (midler fra investeringspuljen)",
}


def state_text(proposal: ComputedProposal) -> str:
    """The state as the sheets print it: 'godkendt 23-01-2026'."""
    approval = proposal.source.proposal.finance_approval
    return approval.status + (f" {approval.date:%d-%m-%Y}" if approval.date and approval.status == "godkendt" else "")


def proposal_sheets(book: Book) -> None:
    for proposal in book.portfolio.proposals:
        book.placed[proposal.name] = proposal_sheet(book, proposal)


class _Table:
    """Writes Tabel 1's rows one under another and remembers where each block's lines are."""

    def __init__(self, book: Book, ws: Worksheet, sheet: str, row: int, width: int) -> None:
        self.book, self.ws, self.sheet, self.row, self.width = book, ws, sheet, row, width
        self.labels: list[str] = []

    def cells(self, row: int) -> list[Cell]:
        return [Cell(self.sheet, row, FIRST_YEAR + i) for i in range(self.width)]

    def heading(self, text: str) -> None:
        self.ws.write_string(self.row, LABEL, text, self.book.bold)
        self.labels.append(text)
        self.row += 1

    def lines(self, lines: Sequence[ComputedLine]) -> tuple[int, int] | None:
        if not lines:
            return None
        first = self.row
        for c in lines:
            label = c.row.label + (f" {c.row.marker}" if c.row.marker else "")
            self.ws.write_string(self.row, LABEL, label)
            self.ws.write_string(self.row, AREA, c.row.styringsomraade or "")
            self.labels.append(label)
            for i, value in enumerate(c.row.values):
                if value is not None:
                    self.ws.write_number(self.row, FIRST_YEAR + i, value, self.book.amount)
            self.row += 1
        return first, self.row - 1

    def formula_row(self, row: Row, formula: str, bold: bool) -> list[Cell]:
        """A computed row: `formula` has {col} for each year column's letters; the cached result is forslag's."""
        book = self.book
        self.ws.write_string(self.row, LABEL, row.label, book.bold_rule if bold else book.bold)
        self.ws.write_string(self.row, AREA, row.styringsomraade or "", book.bold_rule if bold else None)
        self.labels.append(row.label)
        for i, value in enumerate(row.values):
            col = FIRST_YEAR + i
            letters = xl_rowcol_to_cell(0, col).rstrip("0123456789")
            if bold:
                fmt = book.amount_bold if value is not None else book.amount_bold_blank
            else:
                fmt = book.amount if value is not None else book.amount_blank
            self.ws.write_formula(self.row, col, "=" + formula.format(col=letters), fmt, value or 0)
        placed = self.cells(self.row)
        self.row += 1
        return placed


def _sumif(span: tuple[int, int], area: str) -> str:
    first, last = span
    areas = xl_range_abs(first, AREA, last, AREA)
    return f'SUMIF({areas},"{area}",{{col}}{first + 1}:{{col}}{last + 1})'


def _sum(span: tuple[int, int]) -> str:
    first, last = span
    return f"SUM({{col}}{first + 1}:{{col}}{last + 1})"


def _totals(table: _Table, rows: Sequence[Row], span: tuple[int, int] | None, net: Row | None) -> dict[int, list[Cell]]:
    """Subtotals by styringsområde, the net row and the block's total; id(row) -> its cells."""
    placed: dict[int, list[Cell]] = {}
    for row in rows:
        if span is None:
            formula = "0"
        elif row is net:
            formula = _sumif(span, "Service") + "+" + _sumif(span, "Overførsler")
        elif row.kind == "subtotal" and row.styringsomraade:
            formula = _sumif(span, row.styringsomraade)
        else:
            formula = _sum(span)
        placed[id(row)] = table.formula_row(row, formula, row.kind == "total")
    return placed


def proposal_sheet(book: Book, proposal: ComputedProposal) -> Placed:
    p = proposal.source.proposal
    e = proposal.economy
    ws = book.sheet(proposal.name)
    sheet = ws.get_name()
    stamp = book.stamps[proposal.name]
    start = book.head(
        ws,
        p.title,
        [
            f"Fremstillende forvaltning: {p.administration}",
            f"Tilstand: {state_text(proposal)}",
            f"Tabel 1. Økonomisk oversigt (1.000 kr. {e.price_level} p/l)",
        ],
        stamp,
    )
    ws.write_string(start, LABEL, "", book.header)
    ws.write_string(start, AREA, "Styringsområde", book.header)
    for i, year in enumerate(e.years):
        ws.write_number(start, FIRST_YEAR + i, year, book.header_num)
    ws.freeze_panes(start + 1, 1)
    ws.repeat_rows(start)

    table = _Table(book, ws, sheet, start + 1, len(e.years))
    table.heading(BLOCK_HEADINGS["varig"])
    permanent = table.lines(e.permanent)
    perm_cells = _totals(table, e.permanent_totals, permanent, e.net)
    impl_cells: dict[int, list[Cell]] = {}
    if e.implementation:
        table.heading(BLOCK_HEADINGS["implementering"])
        implementation = table.lines(e.implementation)
        impl_cells = _totals(table, e.implementation_totals, implementation, None)
    perm_total = perm_cells[id(e.permanent_total)]
    impl_total = impl_cells.get(id(e.implementation_totals[-1])) if e.implementation_totals else None
    refs = [perm_total[0]] + ([impl_total[0]] if impl_total else [])
    formula = "+".join(f"{{col}}{c.row + 1}" for c in refs)
    impact = table.formula_row(e.impact, formula, True)

    row = table.row + 1
    for label, value in (
        ("Tilbagebetalingstid (serviceeffektivisering), år", e.payback_service.years),
        ("Tilbagebetalingstid (totaløkonomi), år", e.payback_total.years),
    ):
        ws.write_string(row, LABEL, label)
        if value is None:
            ws.write_string(row, FIRST_YEAR, "over 20 år")
        else:
            ws.write_number(row, FIRST_YEAR, value)
        table.labels.append(label)
        row += 1
    row += 1
    # The footnotes as printed under Tabel 1: rendered, so their placeholders show the amounts.
    marked = [c for c in (*e.permanent, *e.implementation) if c.row.marker]
    for c in marked:
        ws.write_string(row, LABEL, f"{c.row.marker} {plain(proposal.prose[f'footnote.{c.line.id}'])}", book.note)
        row += 1
    for note in book.case.notes:
        ws.write_string(row, LABEL, " ".join(note.split()), book.note)
        row += 1

    widths(ws, {LABEL: table.labels, AREA: ["Styringsområde"]}, ceiling=80)
    ws.set_column(FIRST_YEAR, FIRST_YEAR + len(e.years) - 1, 10)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return Placed(
        sheet=sheet,
        impact=impact,
        implementation=impl_total,
        net=perm_cells.get(id(e.net)),
        permanent_lines=permanent,
    )
