"""The case's follow-up summary sheet: per administration the planned and realised net effectivisation per year
and the goals' status counts, each a formula over the follow-up sheets' cells, and a line per proposal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from forslag.document.followup import STATUS_TEXT, span, summarise
from forslag.document.stamp import Stamp
from forslag.economy.followup import STATUSES, FollowUpEconomy
from forslag.export.followup import FollowUpPlaced, a1, signed_format, write_payback
from forslag.export.workbook import Book, Cell, widths


def _plus(cells: Sequence[Cell]) -> str:
    return "+".join(c.ref() for c in cells)


def summary_sheet(
    book: Book, ws: Worksheet, reports: Sequence[Any], placed: Sequence[FollowUpPlaced], stamp: Stamp
) -> None:
    years, admins = summarise(list(reports))
    start = book.head(
        ws,
        "Opfølgning samlet",
        [
            f"{len(reports)} forslag fulgt op · {book.case.municipality}",
            "Nettoeffektivisering pr. år (Tabel 1's fortegn: en effektivisering er negativ). Et år tæller for et "
            "forslag, når det er gået ved forslagets opfølgning; planlagt og realiseret dækker de samme forslag.",
        ],
        stamp,
    )
    labels: list[str] = []
    by_admin: dict[str, list[FollowUpPlaced]] = {}
    for r, p in zip(reports, placed, strict=True):
        by_admin.setdefault(r.target.computed.source.proposal.administration, []).append(p)
    if years:
        row = _net_table(book, ws, start, years, admins, by_admin, labels)
    else:
        ws.write_string(start, 0, "Ingen af forslagene har en nettoeffektivisering i de fulgte år.", book.note)
        row = start + 2
    row = _status_table(book, ws, row, admins, by_admin, labels)
    row = _proposal_lines(book, ws, row + 2, reports, placed, labels)

    widths(ws, {0: labels}, floor=30, ceiling=70)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 5, 12)
    ws.set_column(6, 7, 15)
    if 2 + len(years) > 7:  # the year columns beyond those the proposal lines set
        ws.set_column(8, 2 + len(years), 12)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _net_table(
    book: Book,
    ws: Worksheet,
    row: int,
    years: tuple[int, ...],
    admins: Sequence[Any],
    by_admin: dict[str, list[FollowUpPlaced]],
    labels: list[str],
) -> int:
    """Per administration the planned and realised net effectivisation per year (sums of the proposal sheets'
    cells) and the deviation, then the totals; the next free row."""
    labels.append("Fremstillende forvaltning")
    n = len(years)
    first_year, total = 2, 2 + n
    ws.write_string(row, 0, "Fremstillende forvaltning", book.header)
    ws.write_blank(row, 1, None, book.header)
    for i, year in enumerate(years):
        ws.write_number(row, first_year + i, year, book.header_num)
    ws.write_string(row, total, "I alt", book.header_num)
    ws.freeze_panes(row + 1, 0)
    row += 1
    kinds: dict[str, list[int]] = {"Planlagt": [], "Realiseret": []}

    def line(row: int, kind: str, formulas: list[str | None], values: Sequence[int | None], bold: bool) -> None:
        ws.write_string(row, 1, kind, book.bold_rule if bold else None)
        for i, (formula, value) in enumerate(zip(formulas, values, strict=True)):
            fmt = book.amount_bold if bold else book.amount
            if formula is None:
                ws.write_blank(row, first_year + i, None, fmt)
            else:
                ws.write_formula(
                    row, first_year + i, "=" + formula, fmt if value is not None else book.amount_blank, value or 0
                )
        cells = f"{a1(row, first_year)}:{a1(row, total - 1)}"
        ws.write_formula(
            row, total, f"=SUM({cells})", book.amount_bold if bold else book.amount, sum(v or 0 for v in values)
        )

    def deviation(row: int, planned: Sequence[int | None], realised: Sequence[int | None], bold: bool) -> None:
        ws.write_string(row, 1, "Afvigelse", book.bold_rule if bold else None)
        for col in [*range(first_year, total), total]:
            i = col - first_year
            if col < total and planned[i] is None and realised[i] is None:
                continue
            value = (
                sum(v or 0 for v in realised) - sum(v or 0 for v in planned)
                if col == total
                else (realised[i] or 0) - (planned[i] or 0)
            )
            ws.write_formula(row, col, f"={a1(row - 1, col)}-{a1(row - 2, col)}", signed_format(book, bold), value)

    for a in admins:
        group = by_admin[a.administration]
        ws.write_string(row, 0, f"{a.administration} ({a.proposals} forslag)", book.bold)
        labels.append(f"{a.administration} ({a.proposals} forslag)")
        for kind, cells, values in (
            ("Planlagt", [p.net_planned for p in group], a.planned),
            ("Realiseret", [p.net_realised for p in group], a.realised),
        ):
            formulas: list[str | None] = [_plus([c[y] for c in cells if y in c]) or None for y in years]
            line(row, kind, formulas, values, False)
            kinds[kind].append(row)
            row += 1
        deviation(row, a.planned, a.realised, False)
        row += 2
    ws.write_string(row, 0, "I alt", book.bold_rule)
    sums: dict[str, list[int | None]] = {}
    for kind in ("Planlagt", "Realiseret"):
        summed = [_sum([(a.planned if kind == "Planlagt" else a.realised)[i] for a in admins]) for i in range(n)]
        sums[kind] = summed
        referred: list[str | None] = [
            "+".join(a1(r, first_year + i) for r in kinds[kind]) if summed[i] is not None else None for i in range(n)
        ]
        line(row, kind, referred, summed, True)
        row += 1
    deviation(row, sums["Planlagt"], sums["Realiseret"], True)
    return row + 3


def _sum(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _status_table(
    book: Book,
    ws: Worksheet,
    row: int,
    admins: Sequence[Any],
    by_admin: dict[str, list[FollowUpPlaced]],
    labels: list[str],
) -> int:
    """The goals' status counts per administration: sums of each proposal sheet's COUNTIF cells."""
    ws.write_string(row, 0, "Opfølgningsmål efter status", book.header)
    for i, status in enumerate(STATUSES):
        ws.write_string(row, 1 + i, STATUS_TEXT[status], book.header_num)
    ws.write_string(row, 1 + len(STATUSES), "I alt", book.header_num)
    labels.append("Opfølgningsmål efter status")
    ws.set_row(row, 30)
    row += 1
    first = row
    for a in admins:
        ws.write_string(row, 0, a.administration)
        labels.append(a.administration)
        for i, status in enumerate(STATUSES):
            ws.write_formula(
                row,
                1 + i,
                "=" + _plus([p.counts[status] for p in by_admin[a.administration]]),
                None,
                a.statuses[status],
            )
        end = 1 + len(STATUSES)
        ws.write_formula(row, end, f"=SUM({a1(row, 1)}:{a1(row, end - 1)})", None, sum(a.statuses.values()))
        row += 1
    ws.write_string(row, 0, "I alt", book.bold_rule)
    for col in range(1, 2 + len(STATUSES)):
        value = (
            sum(a.statuses[STATUSES[col - 1]] for a in admins)
            if col <= len(STATUSES)
            else sum(sum(a.statuses.values()) for a in admins)
        )
        ws.write_formula(row, col, f"=SUM({a1(first, col)}:{a1(row - 1, col)})", book.bold_rule, value)
    return row + 1


def _proposal_lines(
    book: Book, ws: Worksheet, row: int, reports: Sequence[Any], placed: Sequence[FollowUpPlaced], labels: list[str]
) -> int:
    """A line per proposal: its sheet, the version followed up, the accumulated net and both paybacks (total)."""
    ws.write_string(row, 0, "Pr. forslag: nettoeffektivisering akkumuleret over de fulgte år", book.bold)
    labels.append("Pr. forslag: nettoeffektivisering akkumuleret over de fulgte år")
    row += 1
    headings = (
        "Forslag",
        "Version",
        "År",
        "Planlagt",
        "Realiseret",
        "Afvigelse",
        "Tilbagebetalingstid (total), år",
        "I realiseret tempo, år",
    )
    for col, text in enumerate(headings):
        ws.write_string(row, col, text, book.header if col < 3 else book.header_num)
    ws.set_row(row, 45)
    row += 1
    for r, p in zip(reports, placed, strict=True):
        e: FollowUpEconomy = r.economy
        title = r.target.computed.source.proposal.title
        ws.write_url(row, 0, f"internal:{quote_sheetname(p.sheet)}!A1", string=title)
        labels.append(title)
        ws.write_string(row, 1, r.target.revision.name)
        ws.write_string(row, 2, span(e.passed))
        acc = e.net.accumulated
        if p.net_accumulated is not None:
            planned, realised = p.net_accumulated
            ws.write_formula(row, 3, "=" + planned.ref(), book.amount, acc.planned or 0)
            ws.write_formula(row, 4, "=" + realised.ref(), book.amount, acc.realised or 0)
            ws.write_formula(row, 5, f"={a1(row, 4)}-{a1(row, 3)}", signed_format(book), acc.deviation or 0)
        for col, payback in ((6, e.payback_adopted[1]), (7, e.payback_realised[1])):
            write_payback(ws, row, col, payback)
        row += 1
    return row
