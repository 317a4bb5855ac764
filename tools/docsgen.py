"""The documentation's reference pages, written from the code itself so they cannot drift from it.

`tools/mkdocs_hooks.py` adds each page to the site at build time (nothing generated is committed): the source
fields from the pydantic models' JSON Schema, every command and flag from the argparse parser, every
placeholder from the figures the examples compute, `check --json` from a real run, the limits from the
constants that enforce them, and the error catalogue from the broken fixtures in tests/data/invalid/.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATED = "_This page is generated from forslag's code when the site is built; edit the code, not this page._\n\n"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: object) -> str:
    text = str(text)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# --- source fields -----------------------------------------------------------------------------------------------


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}]({defs.get('__elsewhere__', {}).get(name, '')}#{name.lower()})"
    if "enum" in schema:
        return "one of " + ", ".join(_code(v) for v in schema["enum"])
    if "const" in schema:
        return _code(schema["const"])
    if "anyOf" in schema:
        kinds = [_type(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds)) or "null"
    kind = schema.get("type")
    if kind == "array":
        return "list of " + _type(schema.get("items", {}), defs)
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            return "mapping of " + ("year" if "patternProperties" not in schema else "key") + ": " + _type(values, defs)
        pattern = schema.get("patternProperties")
        if isinstance(pattern, dict) and pattern:
            return "mapping of year: " + _type(next(iter(pattern.values())), defs)
        return "mapping"
    if kind == "string":
        return {"date": "date (ISO, 2027-01-31)"}.get(schema.get("format", ""), "text")
    return {"integer": "whole number", "number": "number", "boolean": "`true` or `false`"}.get(str(kind), str(kind))


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema:
        return ""
    value = schema["default"]
    if value in ([], {}):
        return "empty"
    if value is None:
        return "none"
    return _code(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)


def model_reference(model: Any, title: str, intro: str, elsewhere: dict[str, str] | None = None) -> str:
    """One section per model reachable from `model`, each a table of its keys, as the source is written; a model
    named in `elsewhere` links to its own page instead."""
    elsewhere = elsewhere or {}
    schema = model.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})
    root = model.__name__
    defs[root] = schema
    defs["__elsewhere__"] = elsewhere
    order: list[str] = [root]
    used_in: dict[str, list[str]] = {}
    for name in order:  # breadth first: the page reads from the top of a source down
        for key, prop in defs[name].get("properties", {}).items():
            for ref in re.findall(r'"\$ref": "#/\$defs/(\w+)"', json.dumps(prop)):
                used_in.setdefault(ref, []).append(f"[{name}](#{name.lower()}) `{key}`")
                if ref not in order and ref not in elsewhere:
                    order.append(ref)
    out = [f"# {title}\n", GENERATED, intro.strip() + "\n"]
    for name in order:
        definition = defs[name]
        out.append(f"\n## {name}\n")
        if definition.get("description"):
            out.append(f"{_cell(definition['description'])}\n")
        if name in used_in:
            out.append(f"Used in: {', '.join(dict.fromkeys(used_in[name]))}.\n")
        required = set(definition.get("required", []))
        out.append("\n| key | type | required or default | what it is |\n| --- | --- | --- | --- |")
        for key, prop in definition.get("properties", {}).items():
            need = "**required**" if key in required else _default(prop) or "optional"
            out.append(f"| `{key}` | {_type(prop, defs)} | {need} | {_cell(prop.get('description', ''))} |")
        out.append("")
    return "\n".join(out) + "\n"


def proposal_page() -> str:
    from forslag.source.model import Proposal

    return model_reference(
        Proposal,
        "Proposal fields",
        "Every key of a proposal source (`proposals/NAME.yaml`), from the top down. Amounts are in 1.000 kr. at the "
        "case's price level; savings are negative. `forslag schema` prints the same as a JSON Schema for editors. "
        "The business case (`business_case:`) has [a page of its own](business-case-fields.md).",
        elsewhere={"BusinessCase": "business-case-fields.md"},
    )


def case_page() -> str:
    from forslag.source.model import Case

    return model_reference(
        Case,
        "Case fields",
        "Every key of a case file (`case.yaml`): what the proposals beside it share. `forslag schema --case` prints "
        "the same as a JSON Schema.",
    )


def business_case_page() -> str:
    from forslag.source.business_case import BusinessCase

    return model_reference(
        BusinessCase,
        "Business case fields",
        "Every key under a proposal's `business_case:`. The how-to guides show a whole [business "
        "case](../how-to/business-case-annex.md) and a [cost assessment](../how-to/cost-assessment.md), "
        "[the rules page](../business-case.md) holds the rules, placeholders and JSON, and [the business case's "
        "arithmetic](../explanation/business-case-arithmetic.md) says what is computed from it.",
    )


# --- commands ----------------------------------------------------------------------------------------------------

# Where each command is explained for a reader (a how-to or an explanation), linked under its table; a command
# the parser gains without a page here fails tests/test_docs.py, so no command is only listed.
GUIDES = {
    "check": ("Write a proposal", "../how-to/write-a-proposal.md"),
    "build": ("Bind the case, and several cases", "../how-to/several-cases.md"),
    "export": ("The finance centre: workbook, pool budget, approval", "../workbook.md"),
    "serve": ("Preview while writing", "../how-to/preview.md"),
    "schema": ("Write a proposal: editor support", "../how-to/write-a-proposal.md#editor-support"),
    "init": ("Run it in CI", "../how-to/ci.md"),
    "new": ("Write a proposal", "../how-to/write-a-proposal.md"),
    "textconv": ("Read what changed: git and forslag diff", "../how-to/git-diff.md"),
    "diff": ("Read what changed: git and forslag diff", "../how-to/git-diff.md"),
    "followup": ("Follow up realised effects", "../follow-up.md"),
    "completion": ("Install forslag and shell completion", "../how-to/install.md"),
}


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    rows = ["| argument | what it does | default |", "| --- | --- | --- |"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction | argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        names = ", ".join(f"`{n}`" for n in action.option_strings) or f"`{action.metavar or action.dest}`"
        if action.option_strings and action.nargs != 0:
            names += f" `{action.metavar or action.dest.upper()}`"
        if action.choices and not action.option_strings:
            names += " (" + ", ".join(f"`{c}`" for c in action.choices) + ")"
        default = action.default
        shown = (
            ""
            if default in (None, False, argparse.SUPPRESS) or action.nargs == 0 or action.nargs == "*"
            else _code(default)
        )
        rows.append(f"| {names} | {_cell(action.help or '')} | {shown} |")
    return rows


def cli_page() -> str:
    from forslag.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, parser

    top = parser()
    out = [
        "# Commands\n",
        GENERATED,
        f"{top.description}\n",
        "Messages and the command line are in English; the documents are Danish. Every command exits with "
        f"{EXIT_OK} when all went well, {EXIT_INVALID} when a source is invalid or a build failed (`forslag diff`: "
        f"when something economic changed), and {EXIT_USAGE} for a usage error (a missing file, an unknown flag). "
        "`python -m forslag …` is the same command line, and `forslag COMMAND -h` prints a command's help.\n",
        "```text",
        top.format_usage().strip(),
        "```\n",
        *_arguments(top),
        "",
    ]
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    for name, command in sub.choices.items():
        what = str(helps.get(name, ""))
        out += [f"## forslag {name}\n", f"{what[:1].upper()}{what[1:]}.\n"]
        if command.description and command.description != helps.get(name):
            out += ["```text", command.description.strip(), "```\n"]
        out += ["```text", command.format_usage().strip(), "```\n", *_arguments(command), ""]
        if name in GUIDES:
            title, link = GUIDES[name]
            out += [f"How to use it: [{title}]({link}).\n"]
    return "\n".join(out) + "\n"


# --- placeholders ------------------------------------------------------------------------------------------------

KIND_WORDS = {
    "amount": "an amount (`10,1 mio. kr.`, `65 t. kr.`)",
    "year": "a year",
    "years": "a payback time (`4 år`, `over 20 år`)",
    "count": "a count",
    "percent": "a rate, printed as a percentage",
    "decimal": "a number of years with decimals",
}


def _pattern(name: str, ids: dict[str, str]) -> str:
    parts = name.split(".")
    out = []
    for i, part in enumerate(parts):
        if re.fullmatch(r"\d{4}", part):
            out.append("<year>")
        elif part.isdigit():
            out.append("<n>" if parts[i - 1] == "financing" else "<t>")
        elif part in ids and i > 0:
            out.append(ids[part])
        else:
            out.append(part)
    return ".".join(out)


def _figures(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    from forslag.document.compute import compute
    from forslag.source.load import load_proposal

    loaded = load_proposal(path)
    proposal = loaded.proposal
    ids = {line.id: "<id>" for line in [*proposal.economy.permanent, *proposal.economy.implementation]}
    bc = proposal.business_case
    if bc is not None:
        ids.update({s.id: "<scenario>" for s in bc.scenarios})
        ids.update({e.id: "<effect>" for e in bc.effects})
    return compute(loaded).economy.figures, ids


def placeholders_page() -> str:
    from forslag.document.prose import MODIFIERS, format_figure

    examples = [
        ROOT / "proposals" / "forloebsprogram.yaml",
        ROOT / "proposals" / "roedovre" / "invester-foer-det-sker.yaml",
    ]
    seen: dict[str, tuple[str, str, str]] = {}
    for path in examples:
        figures, ids = _figures(path)
        for name, figure in figures.items():
            pattern = _pattern(name, ids)
            if pattern not in seen:
                value = format_figure(figure, set()) if figure.value is not None or figure.kind == "years" else "–"
                seen[pattern] = (name, KIND_WORDS.get(figure.kind, figure.kind), value)
    out = [
        "# Placeholders\n",
        GENERATED,
        "Any Markdown field of a proposal quotes a computed figure as `{{ name }}`; a modifier after a bar changes "
        f"how it prints: {', '.join(f'`| {m}`' for m in sorted(MODIFIERS))} (`abs`: without its sign, for a saving "
        "written as a plain amount; `mio` and `tkr`: force the unit). Inside a Markdown table write the bar as "
        "`\\|`. An unknown name is an error that suggests the nearest one.\n",
        "The list below is every name the examples compute, with `<year>` for any of the case's years, `<id>` for a "
        "line's `id`, `<scenario>` and `<effect>` for a business case's scenario and gain line, and `<t>` for a "
        "business case's year 1, 2, …. The example is what the name printed in `proposals/forloebsprogram.yaml` (or "
        "Rødovre's business case, for `bc.*`).\n",
        "| name | is | example |",
        "| --- | --- | --- |",
    ]
    for pattern, (name, kind, value) in seen.items():
        out.append(f"| `{{{{ {pattern} }}}}` | {kind} | `{name}` → {_cell(value)} |")
    return "\n".join(out) + "\n"


# --- check --json, limits and errors -----------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str, str]:
    from forslag.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _shape(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _shape(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_shape(data[0]), "…"] if len(data) > 1 else [_shape(v) for v in data]
    return data


def _relative(text: str) -> str:
    return text.replace(str(ROOT) + "/", "")


def check_json_page() -> str:
    minimal = ROOT / "tests" / "data" / "valid" / "minimal.yaml"
    with_case = ROOT / "proposals" / "roedovre" / "invester-foer-det-sker.yaml"
    broken = ROOT / "tests" / "data" / "invalid" / "year-outside-case.yaml"
    _, small, _ = _run(["check", "--json", str(minimal)])
    _, big, _ = _run(["check", "--json", str(with_case)])
    code, bad, _ = _run(["check", "--json", str(broken)])
    bc = _shape(json.loads(big)["proposals"][0]["business_case"])
    return (
        "\n".join(
            [
                "# `check --json`\n",
                GENERATED,
                "`forslag check --json [PATH …]` prints the computed economy of every proposal for other tools: one "
                "object with a list `proposals`. Amounts are whole 1.000 kr.; `null` is a blank cell, and a `null` "
                "payback time is one not reached within 20 years (printed *over 20 år*). `totals` is keyed by the "
                "Danish label printed in the table. Warnings and errors are strings `file:line:column: message`, as on "
                "the terminal.\n",
                "## A valid proposal\n",
                "`tests/data/valid/minimal.yaml`, in full:\n",
                "```json",
                _relative(small.strip()),
                "```\n",
                "## A proposal with a business case\n",
                "It gains `business_case`: money in whole units of the business case's `unit`, τ and rates as "
                "decimals, `null` where a figure does not exist within the horizon. Its shape (a list shows its first "
                "item), from Rødovre's example:\n",
                "```json",
                json.dumps(bc, ensure_ascii=False, indent=2),
                "```\n",
                "## An invalid proposal\n",
                "Its errors in the same form as on the terminal, and no `title`, `rows`, `totals` or `payback`; "
                f"the exit code is {code}:\n",
                "```json",
                _relative(bad.strip()),
                "```",
            ]
        )
        + "\n"
    )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # Danish thousands, as the documents print them


def limits_page() -> str:
    from forslag.batch.limits import Limits
    from forslag.cli import EXIT_INVALID
    from forslag.document import images, prose
    from forslag.source import model, yamlsource

    limits = Limits()
    rows = [
        ("a source file", f"at most {yamlsource.MAX_BYTES // 2**20} MiB, UTF-8, a regular file (not a device or pipe)"),
        ("values in a file", f"at most {_n(yamlsource.MAX_NODES)} after aliases are expanded"),
        ("nesting", f"lists and mappings at most {yamlsource.MAX_DEPTH} levels deep"),
        (
            "every number",
            f"at most {yamlsource.MAX_INTEGER_DIGITS} digits before the point and {yamlsource.MAX_DECIMALS} after it",
        ),
        ("years", f"the case's years and price level lie in {model.FIRST_YEAR}–{model.LAST_YEAR}; at most 15 years"),
        ("one prose field", f"at most {_n(prose.MAX_TEXT)} characters"),
        ("a word in the prose", f"at most {prose.MAX_WORD} characters"),
        ("emphasis and links inside one another", f"at most {prose.MAX_INLINE_DEPTH} deep"),
        ("problems listed per prose field", f"{prose.MAX_PROBLEMS}, then a count of the rest"),
        (
            "a raster figure (PNG, JPEG, GIF)",
            f"at most {prose.MAX_IMAGE_BYTES // 2**20} MiB and {_n(images.MAX_PIXELS)} pixels; it must decode whole",
        ),
        (
            "an SVG figure",
            f"at most {_n(images.MAX_SVG_ELEMENTS)} elements once every `<use>` is expanded, {images.MAX_SVG_DEPTH} "
            "levels deep; no DOCTYPE, entities or outside references",
        ),
        ("time to print one document", f"{limits.seconds:.0f} s; the worker is stopped and replaced"),
        ("memory of one worker", f"{limits.memory_bytes / 2**30:.0f} GiB of address space"),
    ]
    out = [
        "# Limits and errors\n",
        GENERATED,
        "## Limits\n",
        "Bounds no real proposal comes near, there so that a broken or hostile source ends in a clean error "
        "within seconds. Each is an error with the file, and the line and column where there is one.\n",
        "| what | bound |",
        "| --- | --- |",
        *(f"| {what} | {bound} |" for what, bound in rows),
        "",
        "## Errors\n",
        f"Every problem in a source is reported at once as `path:line:column: what is wrong`, with what to do, "
        f"exit code {EXIT_INVALID} and no traceback. Warnings carry the same position and do not fail `check`. "
        "Below is what `forslag check` says about each broken file in the test suite "
        "(`tests/data/invalid/`), named after the mistake it makes.\n",
    ]
    invalid = ROOT / "tests" / "data" / "invalid"
    for path in sorted(invalid.glob("*.yaml")):
        if path.name == "case.yaml":
            continue
        _, stdout, stderr = _run(["check", str(path.relative_to(ROOT))] if _inside(path) else ["check", str(path)])
        lines = [line for line in (stdout + stderr).splitlines() if line.startswith(("error:", "warning:"))]
        if not lines:
            continue
        out += [f"### {path.stem.replace('-', ' ')}\n", "```text", *(_relative(line) for line in lines), "```\n"]
    return "\n".join(out) + "\n"


def _inside(path: Path) -> bool:
    try:
        path.relative_to(Path.cwd())
        return True
    except ValueError:
        return False


PAGES: dict[str, Callable[[], str]] = {
    "reference/proposal-fields.md": proposal_page,
    "reference/case-fields.md": case_page,
    "reference/business-case-fields.md": business_case_page,
    "reference/commands.md": cli_page,
    "reference/placeholders.md": placeholders_page,
    "reference/check-json.md": check_json_page,
    "reference/limits-and-errors.md": limits_page,
}
