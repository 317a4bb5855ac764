"""The finance centre's workbook: the book, its formats and properties, and the sheets written in order.

The workbook is another renderer of the computed case: every figure comes from the economy as computed for
the PDF, and every subtotal and total is a formula over the cells it sums, written with forslag's own figure
as its cached result (what a reader shows before it recalculates; the tests recalculate and compare).

A sheet is a function of its own (`SheetWriter`) that takes the `Book`; `SHEETS` runs them in order. The
summary sheet ("Oversigt") is created first so it is the first tab, and filled last, when the cells it
refers to are placed. A later sheet (realised figures, say) is one more function appended to the list.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from forslag import __version__
from forslag.document.portfolio import Portfolio
from forslag.document.stamp import Stamp

SUMMARY = "Oversigt"
LONG = "Tal"

# Number formats are stored in the file's own (English) notation and shown in the reader's locale: `#,##0`
# is shown as 1.000 by a Danish Excel or LibreOffice.
AMOUNT = "#,##0"
# A total Tabel 1 prints blank (no row has an amount that year) is still a formula; it shows blank, not 0.
AMOUNT_BLANK = '#,##0;-#,##0;""'
DATE = "dd-mm-yyyy"
PERCENT = "0.0%"

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\']")


@dataclass(frozen=True)
class Cell:
    """A placed cell: its sheet and position, and how another sheet refers to it."""

    sheet: str
    row: int
    col: int

    def ref(self, absolute: bool = False) -> str:
        return f"{quote_sheetname(self.sheet)}!{xl_rowcol_to_cell(self.row, self.col, absolute, absolute)}"


@dataclass
class Placed:
    """Where a proposal's sheet put the figures other sheets refer to, per year column."""

    sheet: str
    impact: list[Cell] = field(default_factory=list)
    implementation: list[Cell] | None = None  # Samlede implementeringsomkostninger; None without such rows
    net: list[Cell] | None = None  # Heraf nettoeffektivisering, when Tabel 1 prints it
    permanent_lines: tuple[int, int] | None = None  # first and last row of the permanent lines
    area_col: int = 1
    first_year_col: int = 2


class Book:
    """One workbook being written: the xlsxwriter book, the shared formats, and what the sheets placed."""

    def __init__(self, portfolio: Portfolio, stamps: dict[str, Stamp], case_stamp: Stamp) -> None:
        self.portfolio = portfolio
        self.case = portfolio.case.case
        self.stamps = stamps
        self.case_stamp = case_stamp
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_numbers": False})
        self.formats: dict[str, Any] = {}
        self.names: set[str] = {"history"}  # Excel reserves "History" for itself
        self.placed: dict[str, Placed] = {}  # proposal name -> its figures' cells
        self.long_rows: tuple[int, int] | None = None  # the long table's first and last data row
        self.long_columns: dict[str, int] = {}
        self.long_sheet = LONG  # the long table's sheet name as given (a proposal may have taken "Tal")
        self._properties()
        self.summary = self.sheet(SUMMARY)

    # --- properties, formats, sheets ---------------------------------------------------------------------

    def _properties(self) -> None:
        case = self.case
        created = dt.datetime.combine(case.date, dt.time(0, 0), tzinfo=dt.UTC)
        self.book.set_properties(
            {
                "title": f"{case.name}: {case.document_type}",
                "subject": f"{case.name}, beløb i 1.000 kr. {case.price_level} p/l",
                "author": case.municipality,
                "company": case.municipality,
                "category": case.document_type,
                "keywords": f"{case.price_level} p/l",
                "comments": f"{self.case_stamp.text}; forslag {__version__}",
                # The case's date, never the clock: the same sources give the same bytes.
                "created": created.replace(tzinfo=None),
            }
        )
        self.book.set_custom_property("Prisniveau", f"{case.price_level} p/l")
        self.book.set_custom_property("Version", self.case_stamp.text)
        self.book.set_custom_property("Commit", self.case_stamp.commit or "ikke committet")
        self.book.set_custom_property("forslag", __version__)
        self.book.set_calc_mode("auto")

    def fmt(self, name: str, **props: Any) -> Any:
        """A shared cell format by name (made on first use)."""
        if name not in self.formats:
            self.formats[name] = self.book.add_format(props)
        return self.formats[name]

    @property
    def amount(self) -> Any:
        return self.fmt("amount", num_format=AMOUNT)

    @property
    def amount_blank(self) -> Any:
        return self.fmt("amount_blank", num_format=AMOUNT_BLANK)

    @property
    def amount_bold(self) -> Any:
        return self.fmt("amount_bold", num_format=AMOUNT, bold=True, top=1)

    @property
    def amount_bold_blank(self) -> Any:
        return self.fmt("amount_bold_blank", num_format=AMOUNT_BLANK, bold=True, top=1)

    @property
    def bold(self) -> Any:
        return self.fmt("bold", bold=True)

    @property
    def bold_rule(self) -> Any:
        return self.fmt("bold_rule", bold=True, top=1)

    @property
    def header(self) -> Any:
        return self.fmt("header", bold=True, bottom=1, text_wrap=True, valign="bottom", bg_color="#E8EEF4")

    @property
    def header_num(self) -> Any:
        return self.fmt(
            "header_num", bold=True, bottom=1, align="right", valign="bottom", text_wrap=True, bg_color="#E8EEF4"
        )

    @property
    def title(self) -> Any:
        return self.fmt("title", bold=True, font_size=14)

    @property
    def note(self) -> Any:
        return self.fmt("note", italic=True, font_color="#555555")

    @property
    def date(self) -> Any:
        return self.fmt("date", num_format=DATE, align="left")

    def sheet(self, wanted: str) -> Worksheet:
        """A new worksheet under a legal, unique name (31 characters, none of []:*?/\\')."""
        base = _SHEET_NAME_BAD.sub("-", wanted).strip() or "Ark"
        name = base[:31]
        n = 2
        while name.lower() in self.names:
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        self.names.add(name.lower())
        worksheet = self.book.add_worksheet(name)
        worksheet.set_paper(9)  # A4
        worksheet.hide_gridlines(1)  # on paper only; the screen keeps its grid
        return worksheet

    def head(self, ws: Worksheet, title: str, lines: Sequence[str], stamp: Stamp, unit: str = "1.000 kr.") -> int:
        """The case's name, the sheet's title, its lines and the version stamp at the top; the next free row.

        The page header and footer repeat the case and the stamp on every printed page.
        """
        case = self.case
        ws.write_string(0, 0, f"{case.name} · {case.municipality}", self.bold)
        ws.write_string(1, 0, title, self.title)
        row = 2
        for line in lines:
            ws.write_string(row, 0, line)
            row += 1
        ws.write_string(row, 0, f"Beløb i {unit} {case.price_level} p/l · {stamp.text}", self.note)
        self.page_lines(ws, title, stamp)
        return row + 2

    def page_lines(self, ws: Worksheet, title: str, stamp: Stamp) -> None:
        """The printed page's header (the case, the sheet's title) and footer (the stamp, the page number)."""
        ws.set_header(f"&L{_escape(self.case.name)}&R{_escape(title)[:120]}")
        ws.set_footer(f"&L{_escape(stamp.text)[:150]}&RSide &P af &N")

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(html: str) -> str:
    """Rendered prose (a footnote with its amounts filled in) as one line of plain text for a cell."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _escape(text: str) -> str:
    """Text for a page header or footer, where '&' starts a code."""
    return text.replace("&", "&&")


def widths(ws: Worksheet, columns: Mapping[int, Sequence[str]], floor: int = 8, ceiling: int = 60) -> None:
    """Column widths that fit the longest text written in them, within bounds (a long label wraps)."""
    for col, texts in columns.items():
        longest = max((len(t) for t in texts), default=floor)
        ws.set_column(col, col, min(max(longest + 2, floor), ceiling))


SheetWriter = Callable[[Book], None]


def _sheets() -> tuple[SheetWriter, ...]:
    from forslag.export.business_case import business_case_sheets
    from forslag.export.longtable import long_table_sheet
    from forslag.export.summary import summary_sheet
    from forslag.export.tabel1 import proposal_sheets

    return (proposal_sheets, business_case_sheets, long_table_sheet, summary_sheet)


def workbook_bytes(
    portfolio: Portfolio,
    stamps: dict[str, Stamp],
    case_stamp: Stamp,
    extra: Sequence[SheetWriter] = (),
) -> bytes:
    """The case as an .xlsx workbook; `extra` sheets are written after the standard ones."""
    book = Book(portfolio, stamps, case_stamp)
    for write in (*_sheets(), *extra):
        write(book)
    book.summary.activate()
    return book.close()
