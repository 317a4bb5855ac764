"""The long table a budget system imports: one row per proposal, Tabel 1 line and year; as a sheet and as CSV.

The CSV is what Danish Excel opens by a double click: UTF-8 with a byte-order mark (without it Excel reads
æ, ø and å as two characters each), ';' between fields (Danish Excel's list separator, since ',' is the
decimal comma), CRLF line ends, and amounts as plain whole numbers in 1.000 kr. without thousands points.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass

from forslag.document.portfolio import Portfolio
from forslag.export.workbook import LONG, Book, widths

CSV_ENCODING = "utf-8-sig"
CSV_SEPARATOR = ";"

HEADERS = (
    "Forslag",
    "Titel",
    "Forvaltning",
    "Tilstand",
    "Række",
    "Tekst",
    "Styringsområde",
    "Blok",
    "År",
    "Beløb (1.000 kr.)",
)
COLUMNS = {name: i for i, name in enumerate(("proposal", "title", "administration", "state", "row", "label",
                                              "area", "block", "year", "amount"))}  # fmt: skip


@dataclass(frozen=True)
class LongRow:
    proposal: str  # the source's name, the sheet's name in the workbook
    title: str
    administration: str
    state: str
    row: str  # the line's id in the source
    label: str
    area: str
    block: str  # varig or implementering
    year: int
    amount: int


def long_rows(portfolio: Portfolio) -> list[LongRow]:
    """Every amount of every Tabel 1 line, in the order of the proposals and their rows; blank cells left out."""
    out = []
    for computed in portfolio.proposals:
        p = computed.source.proposal
        e = computed.economy
        for c in (*e.permanent, *e.implementation):
            for year, value in zip(e.years, c.row.values, strict=True):
                if value is None:
                    continue
                out.append(
                    LongRow(
                        computed.name,
                        p.title,
                        p.administration,
                        p.finance_approval.status,
                        c.line.id,
                        c.row.label,
                        c.row.styringsomraade or "",
                        c.row.block,
                        year,
                        value,
                    )
                )
    return out


def csv_bytes(portfolio: Portfolio) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=CSV_SEPARATOR, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADERS)
    for row in long_rows(portfolio):
        writer.writerow(astuple(row))
    return text.getvalue().encode(CSV_ENCODING)


def long_table_sheet(book: Book) -> None:
    ws = book.sheet(LONG)
    rows = long_rows(book.portfolio)
    for col, header in enumerate(HEADERS):
        ws.write_string(0, col, header, book.header_num if header in ("År", "Beløb (1.000 kr.)") else book.header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(astuple(row)):
            if isinstance(value, int):
                ws.write_number(r, col, value, book.amount if col == COLUMNS["amount"] else None)
            else:
                ws.write_string(r, col, value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    columns = {i: [HEADERS[i], *(str(astuple(r)[i]) for r in rows)] for i in range(len(HEADERS))}
    widths(ws, columns, ceiling=50)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    # Row 1 is the header a budget system imports by: the case and the stamp go on the printed page instead.
    book.page_lines(ws, f"Tal til budgetsystemet (1.000 kr. {book.case.price_level} p/l)", book.case_stamp)
    book.long_rows = (1, len(rows)) if rows else None
    book.long_columns = COLUMNS
    book.long_sheet = ws.get_name()
