"""Comments that cut a text short: `label: Team #2 (nyt)` is the text 'Team' to YAML, and nothing else says so."""

from __future__ import annotations

import re
from typing import Any

from forslag.errors import Problem
from forslag.source.yamlsource import Document, Loc

# After an unquoted text, a space and '#' start a comment; what follows on the line is dropped without a word.
_TRAILING_COMMENT = re.compile(r"[ \t]+#")


def _texts(data: Any, loc: Loc) -> list[tuple[Loc, str]]:
    if isinstance(data, dict):
        return [item for key, value in data.items() for item in _texts(value, (*loc, key))]
    if isinstance(data, list):
        return [item for i, value in enumerate(data) for item in _texts(value, (*loc, i))]
    return [(loc, data)] if isinstance(data, str) else []


def cut_texts(doc: Document, text: str) -> list[Problem]:
    """A warning for every one-line unquoted text that a comment follows on its line.

    A comment beside a number or a key is ordinary YAML; beside a text it is most often a '#' the author
    meant to print (an item number, a hashtag), so the warning says how to keep it.
    """
    if "#" not in text:
        return []
    lines = text.split("\n")
    problems = []
    for loc, value in _texts(doc.data, ()):
        mark = doc.values.get(loc)
        if mark is None or mark.style not in (None, "") or "\n" in value or not value or mark.line > len(lines):
            continue
        line = lines[mark.line - 1]
        start = mark.column - 1
        if line[start : start + len(value)] != value:
            continue  # a text that YAML folded or that does not stand as written: not ours to judge
        if _TRAILING_COMMENT.match(line, start + len(value)):
            comment = line[start + len(value) :].strip()
            problems.append(
                Problem(
                    str(doc.path),
                    mark.line,
                    line.index("#", start + len(value)) + 1,  # the column of the '#' itself
                    f"the text ends at {value!r}: YAML reads {comment[:40]!r} as a comment; "
                    "if it belongs to the text, put the whole text in quotes",
                )
            )
    return problems
