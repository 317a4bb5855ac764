"""The change annex: what moved in a proposal's economy since a revision, said in Danish for the committee.

The annex is computed in the build's main process, once per build, into plain data (every amount already
formatted), so a worker only places it and the cache key can cover it byte for byte.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from forslag.document import danish
from forslag.history.diff import Change, ProposalDiff, diff_states
from forslag.history.report import signed, value_text
from forslag.history.revisions import Repository, Revision
from forslag.history.snapshot import Runner, at_revision, in_process, in_worktree

# What the sections and fields are called in the document, for the lists of what else changed.
SECTION_NAMES = {
    "summary": "Kort resumé",
    "description": "1. Beskrivelse af forslag",
    "economy.intro": "2. Økonomi (indledning)",
    "risk.text": "4. Risikovurdering",
    "administrative_effectivisation": "5. Effektivisering på administration",
    "title": "Titel",
    "administration": "Fremstillende forvaltning",
    "date": "Dato",
    "case": "Sagsfil",
    "risk.level": "Risikoniveau",
    "innovation": "Innovationsforslag",
    # Named by the table and its section, not the approving body (the case's own word, wording.finance_centre)
    # nor a table number (the annex once said Tabel 4, the original's number, of what the document prints as Tabel 3).
    "finance_approval": "6. Hvem er hørt? (godkendelse)",
    "state": "6. Hvem er hørt? (forslagets tilstand)",
    "partners": "Samarbejdspartnere",
    "hearings": "Høring",
    "follow_up.implementation": "Opfølgning på implementering",
    "follow_up.realisation": "Opfølgning på realisering",
}
_LINE_PARTS = {
    "text": "tekst",
    "footnote": "fodnote",
    "heading": "overskrift",
    "headline": "beløbsformulering",
    "styringsomraade": "styringsområde",
}


def _section_name(key: str, labels: dict[str, str]) -> str:
    if key in SECTION_NAMES:
        return SECTION_NAMES[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "economy":
        return f"Rækken »{labels.get(parts[1], parts[1])}«: {_LINE_PARTS.get(parts[2], parts[2])}"
    return key


def _change(c: Change) -> dict[str, Any]:
    f = c.fact
    return {
        "label": f.label,
        "year": str(f.year) if f.year else "",
        "old": value_text(f, c.old.value) if c.old and c.old.value is not None else ("" if f.kind != "years" else "–"),
        "new": value_text(f, c.new.value) if c.new and c.new.value is not None else ("" if f.kind != "years" else "–"),
        "difference": signed(c.difference),
    }


def _glance(d: ProposalDiff) -> list[str]:
    """Two or three sentences a committee member reads first: the whole effect, payback, which rows."""
    out: list[str] = []
    moved = {c.key: c for c in d.facts}
    impact = moved.get("figure.impact.total")
    if impact is not None and impact.old is not None and impact.new is not None:
        f = impact.fact
        out.append(
            f"Samlet økonomisk påvirkning i alt er ændret fra {value_text(f, impact.old.value)} til "
            f"{value_text(f, impact.new.value)} (1.000 kr.), en ændring på {signed(impact.difference)}."
        )
    else:
        out.append("Samlet økonomisk påvirkning i alt er uændret.")
    paybacks = [moved[k] for k in ("payback.service", "payback.total") if k in moved]
    for c in paybacks:
        f = c.fact
        old = value_text(f, c.old.value if c.old else None)
        new = value_text(f, c.new.value if c.new else None)
        out.append(f"{f.label}: {old} før, {new} nu.")
    if not paybacks and d.new is not None and d.new.facts:
        years = [value_text(d.new.facts[k], d.new.facts[k].value) for k in ("payback.service", "payback.total")]
        out.append(f"Tilbagebetalingstiderne er uændrede ({years[0]} og {years[1]}).")
    counts = {status: sum(r.status == status for r in d.rows) for status in ("changed", "added", "removed", "renamed")}
    words = {"changed": "med ændrede beløb", "added": "ny", "removed": "udgået", "renamed": "omdøbt"}
    plural = {**words, "added": "nye"}
    parts = [f"{n} række {words[k]}" if n == 1 else f"{n} rækker {plural[k]}" for k, n in counts.items() if n]
    if parts:
        out.append("Tabel 1: " + ", ".join(parts) + ".")
    return out


def annex_data(d: ProposalDiff, revision: Revision) -> dict[str, Any] | None:
    """What the annex page shows for one proposal; None when nothing changed since the revision."""
    if not d.changed:
        return None
    data: dict[str, Any] = {
        "revision": revision.name,
        "commit": revision.short,
        "date": danish.date(revision.date),
        "status": d.status,
        "old_path": d.old.path if d.old else "",
        "rows": [],
        "facts": [],
        "sections": [],
        "problems": list(d.old.problems) if d.old and d.status == "invalid" else [],
        "glance": [],
    }
    if d.status in ("added", "invalid"):
        return data
    labels = {r.id: r.label for r in (*(d.old.rows if d.old else ()), *(d.new.rows if d.new else ()))}
    for r in d.rows:
        info = r.new or r.old
        assert info is not None
        note = {"added": "ny række", "removed": "udgået række"}.get(r.status, "")
        if r.status == "renamed" and r.old is not None:
            note = f"hed før »{r.old.label}«"
        data["rows"].append({"label": info.label, "note": note, "changes": [_change(c) for c in r.changes]})
    data["facts"] = [_change(c) for c in d.facts]
    data["glance"] = _glance(d)
    data["economic"] = d.economic
    data["sections"] = sorted({_section_name(t.key, labels) for t in (*d.metadata, *d.prose)})
    return data


def annexes(
    sources: list[Path], since: str, runner: Runner = in_process
) -> tuple[Revision, dict[Path, dict[str, Any] | None]]:
    """The annex of every source built, comparing the revision `since` with the working tree (each proposal
    loaded by `runner`: the build gives each a bounded process)."""
    if not sources:
        raise ValueError("no sources")
    repo = Repository.at(sources[0].resolve().parent)
    revision = repo.resolve(since)
    folders = sorted({repo.relative(s.resolve().parent) for s in sources})
    old = at_revision(repo, revision, folders, runner)
    new = in_worktree(repo, folders, runner)
    by_path = {d.path: d for d in diff_states(old, new) if d.new is not None}
    out: dict[Path, dict[str, Any] | None] = {}
    for source in sources:
        rel = str(PurePosixPath(source.resolve().relative_to(repo.root).as_posix()))
        d = by_path.get(rel)
        out[source] = annex_data(d, revision) if d else None
    return revision, out
