"""The economic diff of two sets of proposal states: what was added, removed, renamed and what moved in each."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from forslag.history.facts import Fact, ProposalState, RowInfo

RENAME_SIMILARITY = 0.5  # like git's default rename threshold: half the source's lines kept
Status = Literal["added", "removed", "renamed", "changed", "unchanged", "invalid"]


@dataclass(frozen=True)
class Change:
    """One fact that moved: its old and new value (None on one side when it is absent there)."""

    key: str
    old: Fact | None
    new: Fact | None

    @property
    def fact(self) -> Fact:
        fact = self.new or self.old
        assert fact is not None
        return fact

    @property
    def difference(self) -> Decimal | int | None:
        """New minus old, a blank counting as nothing; None where a difference means nothing."""
        fact = self.fact
        if fact.kind == "year":
            return None
        old = self.old.value if self.old else None
        new = self.new.value if self.new else None
        if fact.kind == "years" and (old is None or new is None):
            return None  # "over 20 år" on one side
        if old is None and new is None:
            return None
        return (new or 0) - (old or 0)


@dataclass(frozen=True)
class RowChange:
    id: str
    status: Literal["added", "removed", "renamed", "changed"]
    old: RowInfo | None
    new: RowInfo | None
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class TextChange:
    key: str
    old: str | None
    new: str | None


@dataclass
class ProposalDiff:
    status: Status
    old: ProposalState | None
    new: ProposalState | None
    rows: list[RowChange] = field(default_factory=list)
    facts: list[Change] = field(default_factory=list)  # everything but rows: totals, payback, figures, …
    metadata: list[TextChange] = field(default_factory=list)
    prose: list[TextChange] = field(default_factory=list)

    @property
    def path(self) -> str:
        state = self.new or self.old
        assert state is not None
        return state.path

    @property
    def title(self) -> str:
        for state in (self.new, self.old):
            if state is not None and state.title:
                return state.title
        return self.path

    @property
    def economic(self) -> bool:
        """Did anything about the money change (or can it not be told, because one side is invalid)?"""
        if self.status in ("added", "removed", "invalid"):
            return True
        return bool(self.facts) or any(r.status != "renamed" or r.changes for r in self.rows)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False).ratio()


def _pair_renames(
    old: dict[str, ProposalState], new: dict[str, ProposalState]
) -> list[tuple[ProposalState | None, ProposalState | None]]:
    """Pairs of (old, new) states: same path, or a removed file and an added one with mostly the same text."""
    pairs: list[tuple[ProposalState | None, ProposalState | None]] = []
    for path in sorted(old.keys() & new.keys()):
        pairs.append((old[path], new[path]))
    gone = [old[p] for p in sorted(old.keys() - new.keys())]
    came = [new[p] for p in sorted(new.keys() - old.keys())]
    candidates = sorted(
        ((_similarity(a.text, b.text), i, j) for i, a in enumerate(gone) for j, b in enumerate(came)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, i, j in candidates:
        if score < RENAME_SIMILARITY or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((gone[i], came[j]))
    pairs += [(a, None) for i, a in enumerate(gone) if i not in used_old]
    pairs += [(None, b) for j, b in enumerate(came) if j not in used_new]

    def where(pair: tuple[ProposalState | None, ProposalState | None]) -> str:
        state = pair[1] or pair[0]
        return state.path if state else ""

    return sorted(pairs, key=where)


def _same(a: Fact | None, b: Fact | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.value == b.value


def _texts(old: dict[str, str], new: dict[str, str]) -> list[TextChange]:
    keys = list(dict.fromkeys([*old, *new]))
    return [TextChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


def diff_proposal(old: ProposalState | None, new: ProposalState | None) -> ProposalDiff:
    if old is None:
        return ProposalDiff("added", None, new)
    if new is None:
        return ProposalDiff("removed", old, None)
    if not old.valid or not new.valid:
        if old.valid == new.valid and old.problems == new.problems and old.path == new.path:
            return ProposalDiff("unchanged", old, new)
        return ProposalDiff("invalid", old, new)
    assert old.facts is not None and new.facts is not None
    keys = list(dict.fromkeys([*old.facts, *new.facts]))
    moved = [
        Change(k, old.facts.get(k), new.facts.get(k)) for k in keys if not _same(old.facts.get(k), new.facts.get(k))
    ]
    # Rows are matched by id: a row whose label changed is a renamed row, not a removed and an added one.
    old_rows = {r.id: r for r in old.rows}
    new_rows = {r.id: r for r in new.rows}
    rows: list[RowChange] = []
    for row_id in dict.fromkeys([*new_rows, *old_rows]):
        a, b = old_rows.get(row_id), new_rows.get(row_id)
        changes = tuple(c for c in moved if c.fact.group == "row" and c.fact.name == row_id)
        # A row that appears or goes lists the years it has an amount in, the blank ones left out.
        if a is None:
            changes = tuple(c for c in changes if c.new is not None and c.new.value is not None)
        elif b is None:
            changes = tuple(c for c in changes if c.old is not None and c.old.value is not None)
        if a is None:
            rows.append(RowChange(row_id, "added", None, b, changes))
        elif b is None:
            rows.append(RowChange(row_id, "removed", a, None, changes))
        elif a.label != b.label:
            rows.append(RowChange(row_id, "renamed", a, b, changes))
        elif changes:
            rows.append(RowChange(row_id, "changed", a, b, changes))
    facts = [c for c in moved if c.fact.group != "row"]
    # An added or removed row is reported whole; its heading and area are not listed again as metadata.
    whole = {f"economy.{r.id}." for r in rows if r.status in ("added", "removed")}
    metadata = [t for t in _texts(old.metadata or {}, new.metadata or {}) if not t.key.startswith(tuple(whole))]
    prose = _texts(old.prose or {}, new.prose or {})
    renamed = old.path != new.path
    if not (rows or facts or metadata or prose or renamed):
        return ProposalDiff("unchanged", old, new)
    return ProposalDiff("renamed" if renamed else "changed", old, new, rows, facts, metadata, prose)


def diff_states(old: dict[str, ProposalState], new: dict[str, ProposalState]) -> list[ProposalDiff]:
    """Every proposal on either side, paired up (renames found by content), with what changed in each."""
    return [diff_proposal(a, b) for a, b in _pair_renames(old, new)]


_WORD = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> str:
    """A word-level diff in git's --word-diff=plain style: [-removed-]{+added+}."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"[-{''.join(a[i1:i2])}-]")
        if j2 > j1:
            out.append(f"{{+{''.join(b[j1:j2])}+}}")
    return "".join(out)


def _value(value: Decimal | int | None) -> Any:
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else str(value)


def _change_json(c: Change) -> dict[str, Any]:
    f = c.fact
    return {
        "group": f.group,
        "name": f.name,
        "label": f.label,
        "year": f.year,
        "kind": f.kind,
        "old": _value(c.old.value) if c.old else None,
        "new": _value(c.new.value) if c.new else None,
        "difference": _value(c.difference),
    }


def diff_json(d: ProposalDiff, words: bool = False) -> dict[str, Any]:
    def texts(items: list[TextChange]) -> list[dict[str, Any]]:
        out = []
        for t in items:
            entry: dict[str, Any] = {"key": t.key}
            if words:
                entry["words"] = word_diff(t.old or "", t.new or "")
            out.append(entry)
        return out

    return {
        "status": d.status,
        "economic": d.economic,
        "path": d.path,
        "old_path": d.old.path if d.old else None,
        "new_path": d.new.path if d.new else None,
        "title": d.title,
        "problems": {
            "old": list(d.old.problems) if d.old else [],
            "new": list(d.new.problems) if d.new else [],
        },
        "rows": [
            {
                "id": r.id,
                "status": r.status,
                "old_label": r.old.label if r.old else None,
                "new_label": r.new.label if r.new else None,
                "changes": [_change_json(c) for c in r.changes],
            }
            for r in d.rows
        ],
        "facts": [_change_json(c) for c in d.facts],
        "metadata": texts(d.metadata),
        "prose": texts(d.prose),
    }
