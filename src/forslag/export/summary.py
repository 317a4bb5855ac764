"""The summary sheet: every proposal's economy by reference to its sheet, totals by year, administration and
styringsområde, and the investment pool's budget against what is asked for (all formulas)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from forslag.document.compute import ComputedProposal
from forslag.economy.calc import AREAS, DRIFT, Values
from forslag.economy.pool import APPROVED
from forslag.export.longtable import long_rows
from forslag.export.tabel1 import AREA
from forslag.export.workbook import Book, Placed, widths

TITLE, ADMIN, STATE, DATE, TOTAL, FIRST = 0, 1, 2, 3, 4, 5


def _col(col: int) -> str:
    return str(xl_col_to_name(col))


def _net_formula(placed: Placed, col: int) -> str:
    """The net effect of a proposal in one year: its printed net row, or the drift lines summed by area."""
    if placed.net is not None:
        return placed.net[col].ref()
    if placed.permanent_lines is None:
        return "0"
    first, last = placed.permanent_lines
    sheet = quote_sheetname(placed.sheet)
    areas = f"{sheet}!{xl_range_abs(first, AREA, last, AREA)}"
    year = xl_col_to_name(placed.first_year_col + col)
    values = f"{sheet}!{year}{first + 1}:{year}{last + 1}"
    return "+".join(f'SUMIF({areas},"{area}",{values})' for area in DRIFT)


class _Summary:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.ws: Worksheet = book.summary
        self.years = book.case.years
        self.n = len(self.years)
        self.impl0 = FIRST
        self.net0 = FIRST + self.n
        self.pay0 = FIRST + 2 * self.n
        self.labels: list[str] = []

    def numbers(self, row: int, first_col: int, formulas: Sequence[str], values: Values, bold: bool = False) -> None:
        book = self.book
        for i, (formula, value) in enumerate(zip(formulas, values, strict=True)):
            fmt = (book.amount_bold if bold else book.amount) if value is not None else book.amount_blank
            self.ws.write_formula(row, first_col + i, "=" + formula, fmt, value or 0)

    def label(self, row: int, text: str, bold: bool = False) -> None:
        self.ws.write_string(row, TITLE, text, self.book.bold_rule if bold else None)
        self.labels.append(text)

    def total_cell(self, row: int, value: int, bold: bool = False) -> None:
        """Column 'i alt' of a per-year row: the sum of its year cells."""
        span = f"{_col(self.impl0)}{row + 1}:{_col(self.impl0 + self.n - 1)}{row + 1}"
        fmt = self.book.amount_bold if bold else self.book.amount
        self.ws.write_formula(row, TOTAL, f"=SUM({span})", fmt, value)

    def year_header(self, row: int, first_label: str, total_label: str) -> None:
        book = self.book
        self.ws.write_string(row, TITLE, first_label, book.header)
        for col in (ADMIN, STATE, DATE):
            self.ws.write_blank(row, col, None, book.header)
        self.ws.write_string(row, TOTAL, total_label, book.header_num)
        for i, year in enumerate(self.years):
            self.ws.write_number(row, self.impl0 + i, year, book.header_num)


def _asked(p: ComputedProposal) -> Values:
    from forslag.document.portfolio import asked

    return asked(p.economy)


def summary_sheet(book: Book) -> None:
    s = _Summary(book)
    ws, case, portfolio = s.ws, book.case, book.portfolio
    proposals = portfolio.proposals
    start = book.head(
        ws,
        "Økonomien samlet",
        [f"{len(proposals)} forslag · {case.municipality} · {case.date:%d-%m-%Y}"],
        book.case_stamp,
    )
    n = s.n
    # Two header rows: the groups of year columns, then the columns.
    if n > 1:
        ws.merge_range(start, s.impl0, start, s.impl0 + n - 1, "Implementeringsomkostninger", book.header)
        ws.merge_range(start, s.net0, start, s.net0 + n - 1, "Nettoeffektivisering", book.header)
    else:
        ws.write_string(start, s.impl0, "Implementeringsomkostninger", book.header)
        ws.write_string(start, s.net0, "Nettoeffektivisering", book.header)
    head = start + 1
    columns = {
        TITLE: "Forslag",
        ADMIN: "Fremstillende forvaltning",
        STATE: "Tilstand",
        DATE: "Godkendt",
        TOTAL: "Implementering i alt",
        s.pay0: "Tilbagebetalingstid, service (år)",
        s.pay0 + 1: "Tilbagebetalingstid, total (år)",
        s.pay0 + 2: "Ark",
        s.pay0 + 3: "Version",
    }
    for col, text in columns.items():
        numeric = col in (TOTAL, s.pay0, s.pay0 + 1)
        ws.write_string(head, col, text, book.header_num if numeric else book.header)
    for i, year in enumerate(case.years):
        ws.write_number(head, s.impl0 + i, year, book.header_num)
        ws.write_number(head, s.net0 + i, year, book.header_num)
    ws.freeze_panes(head + 1, 1)
    ws.repeat_rows(start, head)

    first = head + 1
    row = first
    for p in proposals:
        placed = book.placed[p.name]
        approval = p.source.proposal.finance_approval
        e = p.economy
        ws.write_url(row, TITLE, f"internal:{quote_sheetname(placed.sheet)}!A1", string=p.source.proposal.title)
        s.labels.append(p.source.proposal.title)
        ws.write_string(row, ADMIN, p.source.proposal.administration)
        ws.write_string(row, STATE, approval.status)
        if approval.date is not None and approval.status == APPROVED:
            ws.write_datetime(row, DATE, approval.date, book.date)
        asked = _asked(p)
        impl = [c.ref() for c in placed.implementation] if placed.implementation else ["0"] * n
        s.numbers(row, s.impl0, impl, asked)
        s.total_cell(row, sum(v or 0 for v in asked))
        s.numbers(row, s.net0, [_net_formula(placed, i) for i in range(n)], e.net.values)
        for col, payback in ((s.pay0, e.payback_service.years), (s.pay0 + 1, e.payback_total.years)):
            if payback is None:
                ws.write_string(row, col, "over 20")
            else:
                ws.write_number(row, col, payback)
        ws.write_string(row, s.pay0 + 2, placed.sheet)
        ws.write_string(row, s.pay0 + 3, book.stamps[p.name].text)
        row += 1
    last = max(row - 1, first)

    def column_sum(col: int, where: str | None = None) -> str:
        cells = f"{_col(col)}{first + 1}:{_col(col)}{last + 1}"
        return f"SUMIF({where},{cells})" if where else f"SUM({cells})"

    def sums(row: int, where: str | None, chosen: Sequence[ComputedProposal], bold: bool = False) -> None:
        asked = [sum(_asked(p)[i] or 0 for p in chosen) for i in range(n)]
        net = [sum(p.economy.net.values[i] or 0 for p in chosen) for i in range(n)]
        s.numbers(row, s.impl0, [column_sum(s.impl0 + i, where) for i in range(n)], tuple(asked), bold)
        s.numbers(row, s.net0, [column_sum(s.net0 + i, where) for i in range(n)], tuple(net), bold)
        ws.write_formula(
            row, TOTAL, "=" + column_sum(TOTAL, where), book.amount_bold if bold else book.amount, sum(asked)
        )

    states = xl_range_abs(first, STATE, last, STATE)
    admins = xl_range_abs(first, ADMIN, last, ADMIN)
    s.label(row, "I alt", bold=True)
    for col in (ADMIN, STATE, DATE):
        ws.write_blank(row, col, None, book.bold_rule)
    sums(row, None, proposals, bold=True)
    totals_row = row
    row += 1
    s.label(row, "Heraf godkendte forslag")
    approved = [p for p in proposals if p.source.proposal.finance_approval.status == APPROVED]
    sums(row, f'{states},"{APPROVED}"', approved)
    approved_row = row
    row += 2

    ws.write_string(row, TITLE, "Fordelt på fremstillende forvaltning", book.bold)
    row += 1
    for admin in dict.fromkeys(p.source.proposal.administration for p in proposals):
        s.label(row, admin)
        chosen = [p for p in proposals if p.source.proposal.administration == admin]
        sums(row, f"{admins},{_criterion(admin)}", chosen)
        row += 1
    row += 1

    row = _by_area(s, row)
    row = _pool(s, row + 1, totals_row, approved_row)

    widths(ws, {TITLE: [*s.labels, "Fordelt på fremstillende forvaltning"]}, ceiling=70)
    ws.set_column(ADMIN, ADMIN, max(len(p.source.proposal.administration) for p in proposals) + 2 if proposals else 20)
    ws.set_column(STATE, DATE, 11)
    ws.set_column(TOTAL, TOTAL, 14)
    ws.set_column(s.impl0, s.net0 + n - 1, 9)
    ws.set_column(s.pay0, s.pay0 + 1, 14)
    ws.set_column(s.pay0 + 2, s.pay0 + 2, 18)
    ws.set_column(s.pay0 + 3, s.pay0 + 3, 60)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    # On paper the sheet ends at the sheet names: each proposal's version stamp is printed on its own sheet.
    ws.print_area(0, 0, row, s.pay0 + 2)


def _criterion(text: str) -> str:
    """A SUMIF criterion that matches exactly this text: '=' first (so a leading <, > or = is no operator),
    the wildcards * ? ~ escaped with ~, and quotes doubled inside the formula's string literal."""
    escaped = re.sub(r"([*?~])", r"~\1", text)
    return '"=' + escaped.replace('"', '""') + '"'


def _by_area(s: _Summary, row: int) -> int:
    """Per styringsområde and block, per year: SUMIFS over the long table, so the import table adds up too."""
    book = s.book
    s.year_header(row, "Fordelt på styringsområde (fra arket Tal)", "I alt")
    row += 1
    rows = long_rows(book.portfolio)
    span = book.long_rows or (1, 1)
    cols = book.long_columns

    def column(name: str) -> str:
        c = cols[name]
        return f"{quote_sheetname(book.long_sheet)}!{xl_range_abs(span[0], c, span[1], c)}"

    for block, block_label in (("varig", "varige ændringer"), ("implementering", "implementering")):
        for area in AREAS:
            present = [r for r in rows if r.block == block and r.area == area]
            if not present:
                continue
            s.label(row, f"{area}, {block_label}")
            values = tuple(sum(r.amount for r in present if r.year == y) for y in s.years)
            formulas = [
                f'SUMIFS({column("amount")},{column("area")},"{area}",{column("block")},"{block}",'
                f"{column('year')},{year})"
                for year in s.years
            ]
            s.numbers(row, s.impl0, formulas, values)
            s.total_cell(row, sum(values))
            row += 1
    return row


def _pool(s: _Summary, row: int, totals_row: int, approved_row: int) -> int:
    book, ws = s.book, s.ws
    use = book.portfolio.pool
    pool_name = book.case.wording.investment_pool
    if not use.stated:
        ws.write_string(row, TITLE, f"Sagen angiver ikke {pool_name}s budget (pool_budget i case.yaml).", book.note)
        return row + 1
    s.year_header(row, f"Budgettet i {pool_name}", "I alt")
    row += 1
    budget_row = row
    s.label(row, "Puljens budget")
    for i, value in enumerate(use.budget):
        if value is not None:
            ws.write_number(row, s.impl0 + i, value, book.amount)
    s.total_cell(row, sum(v or 0 for v in use.budget))
    row += 1
    for label, source_row, values in (
        ("Søgt af alle forslag", totals_row, use.asked),
        ("Søgt af godkendte forslag", approved_row, use.approved),
    ):
        s.label(row, label)
        s.numbers(row, s.impl0, [xl_rowcol_to_cell(source_row, s.impl0 + i) for i in range(s.n)], values)
        s.total_cell(row, sum(values))
        row += 1
    s.label(row, "Tilbage efter godkendte forslag", bold=True)
    formulas = [
        f'IF(ISBLANK({xl_rowcol_to_cell(budget_row, s.impl0 + i)}),"",'
        f"{xl_rowcol_to_cell(budget_row, s.impl0 + i)}-{xl_rowcol_to_cell(row - 1, s.impl0 + i)})"
        for i in range(s.n)
    ]
    for i, (formula, value) in enumerate(zip(formulas, use.left, strict=True)):
        if value is None:
            ws.write_formula(row, s.impl0 + i, "=" + formula, book.amount_bold, "")
        else:
            ws.write_formula(row, s.impl0 + i, "=" + formula, book.amount_bold, value)
    left_total = sum(v for v in use.left if v is not None)
    ws.write_formula(
        row, TOTAL, f"=SUM({_col(s.impl0)}{row + 1}:{_col(s.impl0 + s.n - 1)}{row + 1})", book.amount_bold, left_total
    )
    red = book.fmt("over", font_color="#9C0006", bg_color="#FFC7CE")
    ws.conditional_format(
        row, s.impl0, row, s.impl0 + s.n - 1, {"type": "cell", "criteria": "<", "value": 0, "format": red}
    )
    row += 1
    over = use.over()
    if over:
        years = ", ".join(str(year) for year, _, _ in over)
        ws.write_string(row, TITLE, f"De godkendte forslag søger mere end puljens budget i {years}.", red)
        row += 1
    return row
