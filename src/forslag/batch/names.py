"""Output names: which source names may become a file name and a link, and that a case's names are unique.

`build` and `serve` both ask here, so a name one refuses the other refuses too.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from forslag.errors import UsageError

NOTAT = "-notat"  # the committee notat of a proposal judged not suitable: <name>-notat.pdf


def unsafe_name(stem: str) -> str | None:
    """Why a source's name cannot become an output name and a link, or None when it can."""
    bad = sorted({c for c in stem if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") or c in "\\"})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
        return f"the file name contains characters a link cannot carry safely ({shown}); rename the file"
    return None


def _key(name: str) -> str:
    # Names that differ only in case or in how a letter is composed are one file on macOS and Windows.
    return unicodedata.normalize("NFC", name).casefold()


def output_names(stem: str) -> list[str]:
    """Every file a proposal may write: its document and, when judged not suitable, its notat."""
    return [f"{stem}{suffix}" for suffix in (".pdf", ".html", f"{NOTAT}.pdf", f"{NOTAT}.html")]


def check_unique(sources: list[Path]) -> None:
    """A UsageError, before anything is written, when two outputs of these sources would have the same name
    (the bound case is checked against them all when it is bound: see `proposal_writing`)."""
    owners: dict[str, tuple[str, str]] = {}
    for source in sources:
        for name in output_names(source.stem):
            key = _key(name)
            if key in owners and owners[key][0] != str(source):
                owner, theirs = owners[key]
                same = "" if theirs == name else f" as {theirs} (one file where case does not count)"
                raise UsageError(f"{source} would write {name}, which {owner} writes too{same}; rename one of them")
            owners[key] = (str(source), name)


def proposal_writing(name: str, sources: list[Path]) -> Path | None:
    """The source among `sources` that writes a file called `name` (in any case), if one does."""
    for source in sources:
        if _key(name) in {_key(n) for n in output_names(source.stem)}:
            return source
    return None
