"""A business case's sheet: per scenario the yearly table and the results, as forslag computed them.

These are values, not formulas: the business case is computed exactly (discount factors to 28 digits) and
rounded once to whole units where it is printed; a spreadsheet summing the rounded cells could differ from
the printed result by a unit, so the sheet shows the computed figures themselves, as `check --json` does.
"""

from __future__ import annotations

from typing import Any

from forslag.document.compute import ComputedProposal
from forslag.economy.business_case import as_json
from forslag.export.workbook import PERCENT, Book, widths


def business_case_sheets(book: Book) -> None:
    for proposal in book.portfolio.proposals:
        if proposal.business_case is not None:
            business_case_sheet(book, proposal)


def _results(s: dict[str, Any], unit: str) -> list[tuple[str, Any, str | None]]:
    return [
        (f"Nutidsværdi i alt ({unit})", s["npv"], "amount"),
        *((f"Nutidsværdi, {payer} ({unit})", v, "amount") for payer, v in s["npv_by_payer"].items()),
        ("Tid til balance (år)", s["tau"], "decimal"),
        ("Break-even år", s["breakeven_year"], None),
        ("Tilbagebetalingstid (år)", s["payback"], None),
        ("Første år med overskud", s["first_surplus_year"], None),
        ("Forventede succeser", s["expected_successes"], "decimal"),
        ("Succeser nødvendige for balance", s["successes_needed"], None),
        ("Succesrate ved balance", s["breakeven_success_rate"], "percent"),
        (f"Omkostning pr. deltager ({unit})", s["cost_per_participant"], "amount"),
    ]


def business_case_sheet(book: Book, proposal: ComputedProposal) -> None:
    result = proposal.business_case
    assert result is not None
    verdict = proposal.suitability  # None for a cost assessment: a price, not an investment case
    data = as_json(result, None if verdict is None else {"verdict": verdict.verdict, "reasons": list(verdict.reasons)})
    unit = result.case.unit
    ws = book.sheet(f"BC {proposal.name}")
    p = proposal.source.proposal
    notes = [result.discount_note]
    if verdict is not None:
        notes.append(f"Egnethed som investeringscase: {verdict.verdict}")
    row = book.head(
        ws,
        f"{'Omkostningsvurdering' if result.cost_assessment else 'Business case'}: {p.title}",
        notes,
        book.stamps[proposal.name],
        unit,
    )
    labels: list[str] = []
    decimal = book.fmt("decimal", num_format="0.00")
    percent = book.fmt("percent", num_format=PERCENT)
    if result.cost_assessment:
        row = _cost_assessment(book, ws, row, data, list(result.calendar_years), unit, labels)
    for s in data["scenarios"]:
        ws.write_string(row, 0, f"Scenarie: {s['name']}", book.bold)
        ws.write_number(row, 1, s["success_rate"], percent)
        row += 1
        columns = [
            "År",
            "Kalenderår",
            *(f"{ln['label']} ({ln['payer']})" for ln in s["lines"]),
            "Omkostninger",
            "Gevinster",
            "Netto",
            "Akkumuleret saldo",
            "Akkumuleret nutidsværdi",
        ]
        for col, text in enumerate(columns):
            ws.write_string(row, col, text, book.header)
        # Tall enough for the longest heading wrapped in its column (about 13 characters a line).
        ws.set_row(row, 15 * max(-(-len(text) // 13) for text in columns))
        row += 1
        series = [ln["values"] for ln in s["lines"]] + [
            s[k] for k in ("costs", "gains", "net", "balance", "balance_pv")
        ]
        for t, (year, calendar) in enumerate(zip(s["years"], s["calendar_years"], strict=True)):
            ws.write_number(row, 0, year)
            ws.write_number(row, 1, calendar)
            for col, values in enumerate(series, start=2):
                ws.write_number(row, col, values[t], book.amount)
            row += 1
        row += 1
        for label, value, kind in _results(s, unit):
            ws.write_string(row, 0, label)
            labels.append(label)
            if value is None:
                ws.write_string(row, 1, "ingen")
            elif kind == "percent":
                ws.write_number(row, 1, value, percent)
            elif kind == "decimal":
                ws.write_number(row, 1, value, decimal)
            else:
                ws.write_number(row, 1, value, book.amount if kind == "amount" else None)
            row += 1
        row += 1
    widths(ws, {0: labels}, ceiling=45)
    ws.set_column(1, 40, 14)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _cost_assessment(
    book: Book, ws: Any, row: int, data: dict[str, Any], years: list[int], unit: str, labels: list[str]
) -> int:
    """Per cost scenario: the costs by type and year, the totals, present values and cost per participant."""
    decimal = book.fmt("decimal", num_format="0.00")
    assessment = data["cost_assessment"]
    for scenario in assessment["scenarios"]:
        title = f"Omkostningsscenarie: {scenario['name']}"
        ws.write_string(row, 0, title, book.bold)
        labels.append(title)
        row += 1
        count = len(scenario["costs"])
        heads = ["Omkostningstype", *(str(y) for y in years[:count]), "I alt", "Nutidsværdi"]
        heads.append(f"Pr. deltager ({unit})")
        for col, text in enumerate(heads):
            ws.write_string(row, col, text, book.header)
        row += 1
        for kind, values in scenario["by_type"].items():
            ws.write_string(row, 0, kind)
            labels.append(kind)
            for col, value in enumerate(values, start=1):
                ws.write_number(row, col, value, book.amount)
            ws.write_number(row, count + 1, scenario["total_by_type"][kind], book.amount)
            ws.write_number(row, count + 2, scenario["pv_by_type"][kind], book.amount)
            per = scenario["per_participant_by_type"][kind]
            if per is not None:
                ws.write_number(row, count + 3, per, book.amount)
            row += 1
        ws.write_string(row, 0, "I alt", book.bold)
        for col, value in enumerate(scenario["costs"], start=1):
            ws.write_number(row, col, value, book.amount)
        ws.write_number(row, count + 1, scenario["total"], book.amount)
        ws.write_number(row, count + 2, scenario["pv"], book.amount)
        if scenario["per_participant"] is not None:
            ws.write_number(row, count + 3, scenario["per_participant"], book.amount)
        row += 1
        ws.write_string(row, 0, "Deltagere")
        for col, value in enumerate(scenario["participants"], start=1):
            ws.write_number(row, col, value, decimal)
        row += 2
    if assessment["participants_pv"] is not None:
        ws.write_string(row, 0, "Deltagere, nutidsværdi (grundscenariet)")
        ws.write_number(row, 1, assessment["participants_pv"], decimal)
        row += 2
    return row
