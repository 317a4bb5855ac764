"""The economic diff as text for a terminal: one table per changed proposal, Danish numbers, signed differences."""

from __future__ import annotations

from decimal import Decimal

from forslag.document import danish
from forslag.history.diff import Change, ProposalDiff, RowChange, word_diff
from forslag.history.facts import Fact

BLANK = "·"  # a blank cell; a dash would read as a minus


def value_text(fact: Fact, value: Decimal | int | None) -> str:
    if fact.kind == "years":
        return danish.years(None if value is None else int(value))
    if value is None:
        return BLANK
    if fact.kind == "year":
        return str(value)
    if fact.kind == "number":  # a business-case result (τ 4,17; 12,5 %): as many decimals as it has, up to two
        exact = Decimal(value)
        return danish.number(exact, 0 if exact == exact.to_integral_value() else 2)
    return danish.number(value)


def signed(value: Decimal | int | None) -> str:
    """+1.200 / -350 / 0: the sign always shown, so a difference never reads as a level."""
    if value is None:
        return ""
    exact = Decimal(value)
    # Whole amounts stay whole; a business-case result keeps its decimals (τ 7,08 -> 5,89 moved by -1,19).
    text = danish.number(exact, 0 if exact == exact.to_integral_value() else 2)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _shown_difference(c: Change) -> Decimal | int | None:
    """The difference of the two figures as printed: an amount is shown whole, so its difference is the
    difference of the whole figures (420 -> 599 moved by +179, never +178,85)."""
    if c.fact.kind != "amount" or c.difference is None:
        return c.difference
    old = c.old.value if c.old and c.old.value is not None else 0
    new = c.new.value if c.new and c.new.value is not None else 0
    return danish.whole(Decimal(new)) - danish.whole(Decimal(old))


def _change_line(what: str, c: Change) -> list[str]:
    f = c.fact
    old = value_text(f, c.old.value) if c.old else BLANK
    new = value_text(f, c.new.value) if c.new else BLANK
    return [what, str(f.year or ""), old, new, signed(_shown_difference(c))]


def _row_lines(r: RowChange) -> list[list[str]]:
    info = r.new or r.old
    assert info is not None
    lines: list[list[str]] = []
    if r.status == "renamed":
        assert r.old is not None and r.new is not None
        lines.append([f"row {r.id}: renamed {r.old.label!r} -> {r.new.label!r}", "", "", "", ""])
    name = f"row {r.id} {info.label!r}" + (f" ({r.status})" if r.status in ("added", "removed") else "")
    for c in r.changes:
        lines.append(_change_line(name, c))
    if r.status in ("added", "removed") and not r.changes:
        lines.append([name + ", no amounts", "", "", "", ""])
    return lines


def _table(rows: list[list[str]]) -> list[str]:
    header = ["", "year", "old", "new", "difference"]
    # A line with no figures (a renamed row) is printed whole and does not widen the table.
    widths = [max(len(r[i]) for r in [header, *rows] if any(r[1:]) or r is header) for i in range(5)]
    out = []
    for r in [header, *rows]:
        if not any(r[1:]) and r is not header:
            out.append(f"    {r[0]}")
            continue
        cells = [r[0].ljust(widths[0]), *(r[i].rjust(widths[i]) for i in range(1, 5))]
        out.append(("    " + "  ".join(cells)).rstrip())
    return out


GROUP_NAMES = {"total": "total", "payback": "payback", "figure": "figure", "business_case": "business case"}


def proposal_text(d: ProposalDiff, words: bool = False) -> list[str]:
    """The lines for one proposal that changed; none for one that did not."""
    if not d.changed:
        return []
    head = f"{d.path}: {d.title}"
    if d.status == "renamed":
        assert d.old is not None
        head = f"{d.old.path} -> {d.path}: {d.title} (renamed)"
    elif d.status in ("added", "removed"):
        head += f" ({d.status})"
    lines = [head]
    if d.status == "invalid":
        for side, state in (("old", d.old), ("new", d.new)):
            if state is not None and state.problems:
                lines.append(f"  invalid on the {side} side:")
                lines.extend(f"    error: {p}" for p in state.problems)
            elif state is not None:
                lines.append(f"  valid on the {side} side")
        return lines
    if d.status in ("added", "removed"):
        state = d.new or d.old
        assert state is not None
        lines.extend(f"  error: {p}" for p in state.problems)
        return lines
    table: list[list[str]] = []
    for r in d.rows:
        table.extend(_row_lines(r))
    for c in d.facts:
        table.append(_change_line(f"{GROUP_NAMES.get(c.fact.group, c.fact.group)} {c.fact.label}", c))
    if table:
        lines.append("  amounts in 1.000 kr.")
        lines.extend(_table(table))
    for kind, items in (("metadata", d.metadata), ("prose", d.prose)):
        if items:
            lines.append(f"  {kind} changed: {', '.join(t.key for t in items)}")
            if words:
                for t in items:
                    lines.append(f"    {t.key}: {word_diff(t.old or '', t.new or '')}")
    if not d.economic:
        lines.append("  no economic change")
    return lines


def text_report(diffs: list[ProposalDiff], old_name: str, new_name: str, words: bool = False) -> str:
    lines: list[str] = []
    for d in diffs:
        block = proposal_text(d, words)
        if block:
            lines.extend([*block, ""])
    economic = sum(d.economic for d in diffs)
    changed = sum(d.changed for d in diffs)
    lines.append(
        f"{old_name} -> {new_name}: {len(diffs)} proposal(s), {changed} changed, {economic} with economic changes"
    )
    return "\n".join(lines)
