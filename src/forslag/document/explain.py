"""What each quoted amount adds up: Section 2's headings and the prose's placeholders, row by row.

`forslag check --explain` prints this, so a reviewer can hold every figure in the text against the rows of
Tabel 1 it sums ("teamet og støtten i eget hjem" must not count the rent subsidy too); `heading_warnings`
catches the commonest slip by itself: a heading that names a neighbouring line whose amount it leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from forslag.document import danish
from forslag.document.prose import PLACEHOLDER, format_figure
from forslag.economy.calc import ComputedLine, Economy, Figure

STEM = 5  # the fewest letters two words share to be the same word
ENDING = 3  # letters an inflection may change at a word's end: område-t / område-rne


def heading_warnings(economy: Economy) -> list[str]:
    """A heading that names another line of its block ("unge- og voksenområderne") while its amount covers
    only its own row: the heading and its figure disagree."""
    out = []
    for block in (economy.permanent, economy.implementation):
        for line in block:
            if line.headline is None or " og " not in f" {line.heading} ":
                continue
            members = set(economy.sums.get(f"heading.{line.line.id}", (line.line.id,)))
            # Only what the heading adds to its own row's label can name another row.
            extra = _words(line.heading) - _words(line.line.label)
            for other in block:
                if other.line.id in members:
                    continue
                distinct = _words(other.line.label) - _words(line.line.label)
                named = [w for w in sorted(distinct) if any(_same_word(w, e) for e in extra)]
                if named:
                    out.append(
                        f"line {line.line.id!r}: the heading names {named[0]!r} (line {other.line.id!r}), but its "
                        f"amount is line {line.line.id!r} alone; add 'covers: [{other.line.id}]' to state their "
                        "sum, or word the heading for this line only"
                    )
    return out


def _same_word(a: str, b: str) -> bool:
    """The same Danish word up to its ending: "voksenområdet" and "voksenområderne", not "voksenindsatser"."""
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return common >= STEM and common >= min(len(a), len(b)) - ENDING


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower())}


def explain(economy: Economy, proposal: Any) -> list[str]:
    """Lines of text: every heading amount and every amount placeholder, with the rows it sums."""
    out = ["  Section 2 headings:"]
    for line in (*economy.permanent, *economy.implementation):
        if line.headline is not None:
            out.append(f"    {_heading(line)}")
            figure = next(p for p in line.headline if isinstance(p, Figure))
            name = _figure_name(economy, figure, line)
            if name:
                out.append(f"      = {_rows(economy, name)}")
    out.append("  Amounts quoted in the prose:")
    for path, text in _prose(proposal.model_dump(mode="python")):
        for match in PLACEHOLDER.finditer(text):
            name = match.group(1)
            quoted = economy.figures.get(name)
            if quoted is None or quoted.kind != "amount":
                continue
            out.append(f"    {path}: {{{{ {name} }}}} = {format_figure(quoted, set())}")
            out.append(f"      = {_rows(economy, name)}")
    return out


def _heading(line: ComputedLine) -> str:
    phrase = "".join(format_figure(p, set()) if isinstance(p, Figure) else p for p in line.headline or ())
    return f"{line.heading}: {phrase}"


def _figure_name(economy: Economy, figure: Figure, line: ComputedLine) -> str | None:
    for prefix in (f"heading.{line.line.id}", f"line.{line.line.id}"):
        for name, candidate in economy.figures.items():
            if name.startswith(prefix + ".") and candidate is figure:
                return name
    return None


def _prose(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if "{{" in value:
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _prose(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = item.get("id") if isinstance(item, dict) else None
            yield from _prose(item, f"{path}[{label or index}]")


def _rows(economy: Economy, name: str) -> str:
    """'team 9.010 + stoette85 3.240 (2031)': the rows a figure adds up, at the year or years it quotes."""
    prefix, _, part = name.rpartition(".")
    members = economy.sums.get(prefix) or economy.sums.get(prefix.split(".")[0])
    if not members:
        return "a figure of the whole table"
    values = {c.line.id: c.row.values for c in (*economy.permanent, *economy.implementation)}
    years = economy.years
    summed = [sum(values[m][i] or 0 for m in members) for i in range(len(years))]
    present = [i for i, m in enumerate(years) if any(values[x][i] is not None for x in members)]
    if part == "total":
        index = None
    elif part.isdigit() and int(part) in years:
        index = years.index(int(part))
    elif part == "first" and present:
        index = present[0]
    elif part == "max" and present:
        index = max(present, key=lambda i: abs(summed[i]))
    else:
        index = present[-1] if present else len(years) - 1
    terms = []
    for member in members:
        row = values[member]
        value = sum(v or 0 for v in row) if index is None else row[index] or 0
        terms.append(f"{member} {danish.number(value)}")
    where = "all years" if index is None else str(years[index])
    return f"{' + '.join(terms)} ({where}, 1.000 kr.)"
