"""Which files are sources: proposals, and the case files beside them (a glance at the text, no YAML parsing, so
it imports nothing heavy and a hostile file cannot hurt it)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

CASE_FILE = "case.yaml"
SOURCE_SUFFIXES = (".yaml", ".yml")
# A follow-up of an adopted proposal lies beside it as <proposal>.followup.yaml: a source, but not a proposal.
FOLLOW_UP_SUFFIXES = (".followup.yaml", ".followup.yml")
GLANCE_BYTES = 2 * 1024 * 1024 + 1  # sources are at most 2 MiB (yamlsource refuses more)

# Keys at the start of a line: a source's top-level mapping in block style, as every source is written.
_TOP_KEY = re.compile(rb"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)", re.MULTILINE)
_CASE_KEY = re.compile(rb"case[ \t]*:[ \t]*(.*?)[ \t\r]*$")  # matched against one line
# A case file has the case's own keys and none that only a proposal has.
CASE_KEYS = {b"years", b"municipality", b"price_level"}
PROPOSAL_KEYS = {b"title", b"economy", b"summary", b"description"}


def glance(path: Path) -> bytes:
    """The start of a regular file (never a FIFO or device, which could block or never end); b"" otherwise."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return b""
        with path.open("rb") as handle:
            return handle.read(GLANCE_BYTES)
    except OSError:
        return b""


def looks_like_case(data: bytes) -> bool:
    """A case file by its content: its top level has `years` and `municipality` or `price_level`, and no
    proposal key (`title`, `economy`, ...), so a second case file in a folder is not taken for a proposal."""
    keys = set(_TOP_KEY.findall(data))
    return b"years" in keys and bool(keys & (CASE_KEYS - {b"years"})) and not keys & PROPOSAL_KEYS


def named_case(data: bytes) -> str | None:
    """The value of a proposal's top-level `case:` key, as written (quotes and a trailing comment removed)."""
    # Each line that starts with "case" is tried in turn (a find, not a multi-line regex over the whole
    # text: a no-op build asks this of every proposal).
    starts = [0] if data.startswith(b"case") else []
    match = None
    at = 0
    while match is None:
        if starts:
            at = starts.pop()
        else:
            found = data.find(b"\ncase", at)
            if found < 0:
                return None
            at = found + 1
        end = data.find(b"\n", at)
        match = _CASE_KEY.match(data, at, len(data) if end < 0 else end)
    value = match.group(1).decode("utf-8", "replace")
    if value[:1] and value[0] in "\"'":
        end_quote = value.find(value[0], 1)
        value = value[1:end_quote] if end_quote > 0 else value[1:]
    else:
        value = value.split(" #", 1)[0].strip()
    return value or None


def case_file_for(source: Path, data: bytes | None = None) -> Path:
    """The case file a proposal belongs to: its `case:` key relative to it, by default `case.yaml` beside it.

    Read from the text without parsing it, so a build can group and key proposals before loading them; the
    worker reports the case it actually loaded, and the build trusts that one when the two differ.
    """
    name = named_case(glance(source) if data is None else data) or CASE_FILE
    return Path(source.parent, name).resolve()


def is_case_file(path: Path) -> bool:
    """A case file, by its name (`case.yaml`) or by its content."""
    return path.name == CASE_FILE or looks_like_case(glance(path))


def is_follow_up_file(name: str | Path) -> bool:
    """A follow-up file (`plejefamilier.followup.yaml`), by its name alone."""
    return (name.name if isinstance(name, Path) else str(name)).endswith(FOLLOW_UP_SUFFIXES)


def find_follow_ups(paths: list[Path]) -> list[Path]:
    """The follow-up files among the given files and folders (a folder's own files), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if is_follow_up_file(p) and p.is_file())
        elif is_follow_up_file(path):
            found.append(path)
    return list(dict.fromkeys(found))


def _is_case(path: Path, data: bytes, named: set[Path]) -> bool:
    if looks_like_case(data):
        return True
    if path.name not in {n.name for n in named} and not path.is_symlink():  # cheaper than resolving each file
        return False
    return path.resolve() in named and not set(_TOP_KEY.findall(data)) & PROPOSAL_KEYS


def find_sources(paths: list[Path]) -> list[Path]:
    """Proposal files among the given files and folders, sorted; case files are not proposals.

    In a folder, a file is a case file when it is named `case.yaml`, when its content is a case's (see
    `looks_like_case`), or when a proposal beside it names it in `case:` and it has no proposal key (so a
    proposal cannot hide another by naming it). A file named on the command line is a proposal unless it is
    called `case.yaml` or its content is a case's. Follow-up files (`*.followup.yaml`) are never proposals.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = [
                p
                for p in sorted(path.iterdir())
                if p.suffix in SOURCE_SUFFIXES and p.is_file() and not is_follow_up_file(p)
            ]
            glances = {p: glance(p) for p in candidates if p.name != CASE_FILE}
            named = {case_file_for(p, data) for p, data in glances.items()}
            found.extend(p for p, data in glances.items() if not _is_case(p, data, named))
        elif not is_case_file(path) and not is_follow_up_file(path):
            found.append(path)
    return list(dict.fromkeys(found))
