"""Plain-words causes for YAML syntax errors: the parser says where it stumbled, this says what to change."""

from __future__ import annotations

import re

import yaml

_KEY = re.compile(r"^(\s*)(?:-\s+)?([^\s#:][^:#]*?):(?:\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _columns_above(lines: list[str], index: int) -> list[tuple[int, int, str]]:
    """The columns that open a key or an item on the lines above, nearest first: (column, line, word)."""
    found: list[tuple[int, int, str]] = []
    limit = None
    for i in range(index - 1, -1, -1):
        line = lines[i]
        if not _is_content(line):
            continue
        indent = _indent(line)
        if limit is not None and indent >= limit:
            continue
        limit = indent
        word = re.sub(r"^[-\s{\[]+", "", line.strip().split(":")[0]).strip()[:30] or line.strip()[:30]
        item = re.match(r"^(\s*-\s+)[^\s#]", line)
        if item:  # the keys of a list item line up after its '- ', not with the '-'
            found.append((len(item.group(1)) + 1, i + 1, word))
            word = "-"
        found.append((indent + 1, i + 1, word))
        if indent == 0:
            break
    return found


def _indentation(lines: list[str], index: int, what: str) -> str:
    here = _indent(lines[index]) + 1
    above = _columns_above(lines, index)
    if what == "key" and any(col == here and word == "-" for col, _, word in above):
        inside = next((col, no, word) for col, no, word in above if word != "-")
        return (
            f"the indentation looks wrong: this key starts in column {here}, under the '-' of the list item "
            f"above; the keys of a list item line up after the '- ' (column {inside[0]} like {inside[2]!r} on "
            f"line {inside[1]})"
        )
    options = ", ".join(
        f"column {col} like {'the item' if word == '-' else repr(word)} on line {no}" for col, no, word in above[:3]
    )
    return (
        f"the indentation looks wrong: this {what} starts in column {here}, which lines up with no key or item "
        f"above it; the keys of one mapping (and the items of one list) start in the same column"
        + (f" ({options})" if options else "")
    )


def syntax_hint(text: str, problem: str, line: int | None, column: int | None, context_line: int | None) -> str | None:
    """The likely cause of a YAML syntax error at line/column, in plain words; None when it is not recognisable."""
    if line is None or column is None:
        return None
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    index = line - 1
    here = lines[index]
    char = here[column - 1] if 0 < column <= len(here) else ""

    if char == "\t" or (not here[: column - 1].strip(" ") and "\t" in here[:column]):
        return "a tab is used for indentation; YAML indents with spaces only"

    # A text that starts with '{{' (a placeholder) is read by YAML as a { } mapping.
    for probe in {index, (context_line or line) - 1}:
        # only where the value starts with it: 'text: I 2035: {{ x }}' is a ': ' inside a text (below)
        if 0 <= probe < len(lines) and re.match(r"^\s*(?:-\s+)?[^\s#:{][^:#]*:\s+\{\{", lines[probe]):
            return (
                "a text that starts with a placeholder '{{' must be quoted, because YAML reads '{' as the start "
                'of a mapping: write it as key: "{{ name }} ..." or on its own lines after key: |'
            )

    # 'key:value' without the space is one plain text to YAML, so the error only shows on a later line.
    for i in range(index, max(index - 3, -1), -1):
        glued = re.match(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):(?=[^\s:/])", lines[i])
        if glued and not re.match(r"^\s*(?:-\s+)?[\w-]+:\s", lines[i]):
            return (
                f"line {i + 1} has no space after '{glued.group(1)}:'; YAML needs 'key: value' with a space "
                f"after the colon"
            )

    if "mapping values are not allowed" in problem:
        key = _KEY.match(here)
        key_colon = key.end(2) + 1 if key else None  # 1-based column of the key's own colon
        if key and column == key_colon:
            previous = next((lines[i] for i in range(index - 1, -1, -1) if _is_content(lines[i])), "")
            beside = len(previous) - len(previous.lstrip(" -"))  # an item's key stands after its '- '
            if _indent(here) > beside:
                return (
                    f"the key {key.group(2).strip()!r} is indented further than the line above it, so YAML reads it "
                    "as part of that line's text; line it up with the key it belongs beside "
                    f"(column {beside + 1})"
                )
            return _indentation(lines, index, "key")
        return (
            "a ': ' inside an unquoted text makes YAML read a new key; put the whole text in quotes "
            '(key: "text: more text") or write it on its own lines after key: |'
        )

    if "did not find expected ',' or '}'" in problem or "did not find expected ',' or ']'" in problem:
        if context_line is not None and context_line < line:
            bracket = "}" if "'}'" in problem else "]"
            return (
                f"the '{'{' if bracket == '}' else '['}' on line {context_line} is never closed: add '{bracket}' "
                "where it ends (or quote a text holding ': ' or ',')"
            )
        return (
            "inside { } or [ ], a text holding ': ', ',', '[' or '{' must be in quotes "
            '(goal: "Ansat, men ikke fastansat")'
        )

    if (
        "did not find expected key" in problem
        or "expected <block end>" in problem
        or "did not find expected '-' indicator" in problem
    ):
        what = "item" if here.lstrip().startswith("-") else "key"
        return _indentation(lines, index, what)

    if "while scanning a quoted scalar" in problem or "found unexpected end of stream" in problem:
        return "a quoted text is never closed: add the closing quote (\" or ') at the end of the text"

    if "could not find expected ':'" in problem:
        return (
            "a line is neither 'key: value' nor a continuation of the text above it; check for a missing ':' "
            "or a text that runs onto a line indented less than its key"
        )
    return None


def _quoted_before(text: str, line: int, column: int) -> yaml.ScalarToken | None:
    """The quoted scalar that ends right where the parser stumbled (line/column 1-based), if any."""
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (token.start_mark.line + 1, token.start_mark.column + 1) >= (line, column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass  # the tokens up to the scanner's own error are enough
    if last is None or last.end_mark.line + 1 != line:
        return None
    rest = text.split("\n")[line - 1][last.end_mark.column :].lstrip(" ")
    if not rest or rest[0] in "#,]}:":
        return None  # the quoted text ends cleanly: the trouble lies elsewhere
    return last


def quote_hint(text: str, line: int | None, column: int | None) -> tuple[str, int, int] | None:
    """A quote closed too early or too late, as (the cause, the line and column where the quote opened).

    YAML reads a quoted text up to the next quote of its kind, across lines: an unclosed quote swallows the
    lines below it up to a quote in some later comment or text, and a quote inside a quoted text ends it
    early. Either way the parser stumbles just after that closing quote, far from the mistake.
    """
    if line is None or column is None:
        return None
    token = _quoted_before(text, line, column)
    if token is None:
        return None
    quote = token.style
    opened, at = token.start_mark.line + 1, token.start_mark.column + 1
    other = '"' if quote == "'" else "'"
    inner = "''" if quote == "'" else '\\"'
    if opened != line:
        return (
            f"the quote {quote} opened on line {opened} is not closed on its line, so YAML reads the lines below "
            f"as part of the text, up to the {quote} on line {line}; add the closing {quote} at the end of the "
            f"text on line {opened} (or write a long text on its own lines after key: |)",
            opened,
            at,
        )
    return (
        f"the text quoted with {quote} on line {opened} ends at the {quote} in column {token.end_mark.column}, "
        f"before the rest of the line: a {quote} inside the text closes it early; quote the text with {other} "
        f"instead (or write a {quote} inside it as {inner})",
        opened,
        at,
    )
