"""Broken sources: each gives exit code 1 and an error naming the file and line, quickly, without a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DATA, PROPOSALS, Run

INVALID = DATA / "invalid"

# fixture file -> (line, words the message must hold)
CASES = {
    "unknown-key": (1, "unknown key 'titel'; did you mean 'title'?"),
    "duplicate-key": (30, "the key 'title' appears twice (first on line 1)"),
    "year-outside-case": (10, "the year 2032 is outside the case's years 2026-2028"),
    "string-amount": (10, "expected a number, got text 'mange'"),
    "invalid-yaml": (5, "invalid YAML"),
    "empty": (1, "the file is empty"),
    "only-comment": (1, "the file is empty"),
    "binary": (1, "binary file"),
    "not-utf8": (1, "not UTF-8"),
    "list-not-mapping": (1, "must be a mapping"),
    "alias-bomb": (1, "expands to more than"),
    "alias-cycle": (1, "cycle"),
    "missing-key": (1, "missing required key 'risk' (Section 4: the risk level and assessment): a mapping with level"),
    "bool-not-bool": (26, "write true or false"),
    "unknown-placeholder": (3, "unknown placeholder 'net.fuld'; did you mean 'net.full'?"),
    "raw-html-script": (7, "raw HTML is not allowed"),
    "image-http": (7, "not a file inside the proposals folder"),
    "image-file-url": (7, "not a file inside the proposals folder"),
    "image-outside": (7, "outside the proposals folder"),
    # Danish thousands points and fractions in whole amounts (1.000 kr.)
    "thousands-point-in-amount": (10, "1.500 is read as 1,5 (in YAML the point is a decimal point); write 1500"),
    "thousands-point-negative-amount": (10, "-1.000 is read as -1 (in YAML the point is a decimal point); write -1000"),
    "fraction-in-amount": (10, "2.5 has a fraction, but amounts are whole numbers in 1.000 kr."),
    "danish-mio-text-amount": (12, "got text '1,5 mio'; write 1500"),
    "quoted-thousands-amount": (10, "got text '1.500'; write 1500"),
    "date-not-in-calendar": (27, "finance_approval.date: 2026-02-30 is not a date in the calendar"),
    # ranges and spans
    "empty-amounts": (10, "amounts: the mapping is empty"),
    "from-after-until": (14, "'from' (2028) is after 'until' (2027)"),
    # bounds on numbers
    "huge-exponent-amount": (10, "the number '1.0e+400' is too large: a number in a source must be below 10^15"),
    "huge-integer-amount": (10, "is too large: a number in a source must be below 10^15"),
    "huge-product-of-drivers": (11, "the line's parts reach 10^15 (1.000 kr.) or more in a year"),
    # the case file stays in the proposal's folder tree
    "case-outside-folder": (1, "leads out of this proposal's folder ('..')"),
    "case-absolute-path": (1, "'case: /proc/self/status' must be a path relative to this proposal's folder"),
    # characters YAML does not allow, with their position
    "control-character": (4, "4:19: the character U+001B (a control character) is not allowed"),
    "noncharacter-fffe": (4, "4:19: the character U+FFFE"),
    "word-processor-line-separator": (4, "4:18: the character U+2028 (a line separator from a word processor"),
    "decimal-comma-in-flow": (14, "a decimal comma (0,5) splits the number in two: write decimals with a point"),
    # YAML syntax errors in plain words
    "yaml-key-indented-too-far": (27, "the key 'text' is indented further than the line above it"),
    "yaml-item-dedented": (30, "this item starts in column 2, which lines up with no key or item above it"),
    "yaml-colon-in-text": (1, "a ': ' inside an unquoted text makes YAML read a new key; put the whole text in quotes"),
    "yaml-placeholder-first": (3, "a text that starts with a placeholder '{{' must be quoted"),
    "yaml-no-space-after-colon": (2, "line 1 has no space after 'title:'; YAML needs 'key: value' with a space"),
    "yaml-unclosed-brace": (11, "the '{' on line 10 is never closed: add '}' where it ends"),
    "yaml-key-under-item-dash": (12, "under the '-' of the list item above; the keys of a list item line up after"),
    "yaml-tab-indent": (26, "a tab is used for indentation; YAML indents with spaces only"),
    "section-at-wrong-level": (27, "unknown key 'text' at the top level: 'text' belongs in"),
    "comma-in-flow-text": (22, "inside { } a ',' starts a new key: if 'men ikke fastansat' is part of the text"),
    "table-placeholder-bar": (7, "inside a table write the bar as '\\|'"),
    # one misspelt required key is one mistake, said at the misspelt key
    "misspelt-required-key": (2, "2:1: unknown key 'administation'; did you mean 'administration'? (it is required)"),
    "misspelt-required-nested-key": (9, "9:7: unknown key 'lable'; did you mean 'label'? (it is required)"),
    # numbers written the way one would on paper: say what to write instead
    "year-key-in-quotes": (10, "got text '2027'; a year key is written without quotes: 2027: -500"),
    "mio-amount-in-flow": (10, "10:23: economy.permanent.0.amounts: year 2027: expected a number, got text '1,5 mio'"),
    "space-thousands-amount": (10, "got text '-1 500'; write -1500: a number is plain digits, without spaces"),
    "underscore-amount": (10, "got text '-1_500'; write -1500: a number is plain digits, without spaces, '_'"),
    "unit-text-amount": (14, "got text '600 kr'; write 600: a number is plain digits, without spaces, '_' or units"),
    # quotes: point at the line where the quote opened
    "quote-never-closed": (4, '4:14: invalid YAML: the quote " opened on line 4 is not closed on its line'),
    "quote-inside-double-quotes": (1, '1:8: invalid YAML: the text quoted with " on line 1 ends at the " in column 12'),
    "quote-inside-single-quotes": (
        9,
        "9:14: invalid YAML: the text quoted with ' on line 9 ends at the ' in column 25",
    ),
    "quote-open-at-end-of-file": (30, "30:16: invalid YAML: the quote opened here (line 30) is never closed"),
    "yaml-colon-before-placeholder": (
        3,
        "3:16: invalid YAML: a ': ' inside an unquoted text makes YAML read a new key",
    ),
    "risk-level-not-a-choice": (25, "risk.level: expected one of: lav, lav til mellem, mellem, mellem til høj, høj"),
}

# Fixtures with one mistake that must give one message, not two.
ONE_MESSAGE = [
    "misspelt-required-key",
    "misspelt-required-nested-key",
    "year-key-in-quotes",
    "mio-amount-in-flow",
    "space-thousands-amount",
    "underscore-amount",
    "unit-text-amount",
    "quote-never-closed",
    "quote-inside-double-quotes",
    "quote-inside-single-quotes",
    "yaml-colon-before-placeholder",
    "risk-level-not-a-choice",
]


@pytest.mark.parametrize("name", ONE_MESSAGE)
def test_one_mistake_gives_one_message(run: Run, name: str) -> None:
    result = run("check", INVALID / f"{name}.yaml")
    assert result.code == 1
    errors = [row for row in result.out.splitlines() if row.startswith("error:")]
    assert len(errors) == 1, result.out
    assert "Input should" not in result.out and "starts with a placeholder" not in errors[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_source_is_reported_with_file_and_line(run: Run, name: str) -> None:
    line, words = CASES[name]
    source = INVALID / f"{name}.yaml"
    started = time.monotonic()
    result = run("check", source)
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert f"{source}:{line}:" in result.out, result.out
    assert words in result.out, result.out
    assert elapsed < 5  # generous: the point is that nothing hangs (the alias bomb above all)


def test_every_problem_is_reported_at_once(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    text = source.read_text()
    text = (
        text.replace("title:", "titel:")
        .replace("2027: -500", "2027: mange")
        .replace("innovation: true", "innovation: x")
    )
    source.write_text(text)
    result = run("check", source)
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if line.startswith("error:")]
    assert len(errors) == 3  # the misspelt title (once, not also as missing), the amount, the flag
    assert any(":1:1:" in e and "unknown key 'titel'; did you mean 'title'? (it is required)" in e for e in errors)
    assert any(":10:" in e and "mange" in e for e in errors)


def test_repeated_line_id_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("id: drift", "id: besparelse"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:11:" in result.out
    assert "used twice" in result.out


def test_missing_case_file(run: Run, minimal: Path) -> None:
    (minimal / "case.yaml").unlink()
    result = run("check", minimal / "minimal.yaml")
    assert result.code == 1
    assert "case file 'case.yaml' does not exist" in result.out


def test_broken_case_file_names_the_case(run: Run, minimal: Path) -> None:
    case = minimal / "case.yaml"
    case.write_text(case.read_text().replace("years: [2026, 2027, 2028]", "years: [2026, 2028]"))
    result = run("check", minimal)
    assert result.code == 1
    assert f"{case}:4:" in result.out
    assert "years: the years must be consecutive" in result.out


def test_driver_bounds_must_lie_in_the_case(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("from: 2027", "from: 2019"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:14:" in result.out
    assert "from: 2019 is outside" in result.out


def test_from_until_with_a_year_mapping_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(
        source.read_text().replace(
            "{count: {2026: 3}, unit_price: 250}", "{count: {2026: 3}, unit_price: 250, from: 2026}"
        )
    )
    result = run("check", source)
    assert result.code == 1
    assert "'from'/'until' go with a single number" in result.out


def test_a_year_repeated_in_a_row_is_an_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("{2027: -500, 2028: -1000}", "{2027: -500, 2027: -1000}"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:10:" in result.out and "the key 2027 appears twice" in result.out


def test_a_bad_amount_is_reported_beside_a_bad_year_key(run: Run) -> None:
    source = INVALID / "bad-year-key-beside-bad-amount.yaml"
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:10:17: economy.permanent.0.amounts: expected a year (like 2027) as key, got text '20x7'" in (
        result.out
    )
    assert f"{source}:10:35: economy.permanent.0.amounts: year 2028: expected a number, got text 'mange'" in result.out


def test_a_thousands_point_in_a_fraction_field_is_a_warning_with_its_line(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("{fte: 0.5, unit_cost: 641", "{fte: 0.5, unit_cost: 1.250"))
    result = run("check", source)
    assert result.code == 0
    assert f"warning: {source}:14:33: economy.permanent.1.staffing.0.unit_cost: 1.250 is read as 1,25" in result.out
    assert "if you mean 1250, write 1250" in result.out
    source.write_text(source.read_text().replace("{count: {2026: 3}", "{count: {2026: 2.000}"))
    result = run("check", source)
    assert f"warning: {source}:19:26: economy.implementation.0.units.0.count: year 2026: 2.000 is read as 2" in (
        result.out
    )


def test_fractions_that_are_no_thousands_points_give_no_warning(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("{fte: 0.5, unit_cost: 641", "{fte: 0.500, unit_cost: 641.5"))
    result = run("check", source)
    assert result.code == 0
    assert "warning" not in result.out


def test_a_headline_warning_names_the_headline_line(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(
        source.read_text().replace("      label: Besparelse\n", "      label: Besparelse\n      headline: yearly\n")
    )
    result = run("check", source)
    assert result.code == 0
    assert f"warning: {source}:10:17: line 'besparelse': headline 'yearly' states one yearly amount" in result.out


def test_the_examples_have_no_warnings(run: Run) -> None:
    result = run("check", PROPOSALS)
    assert result.code == 0
    assert "warning" not in result.out + result.err


def test_a_missing_section_lists_its_keys_and_an_example(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    text = source.read_text()
    start = text.index("follow_up:")
    source.write_text(text[:start] + text[text.index("risk:") :])
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:1:1: missing required key 'follow_up'" in result.out
    assert "a mapping with implementation, realisation; for example follow_up: {implementation: [{goal:" in result.out


def test_deep_nesting_is_a_clean_error_not_a_crash(tmp_path: Path) -> None:
    """libyaml's composer recursed 50.000 levels deep and the process died of a segmentation fault."""
    shutil.copy(DATA / "valid" / "case.yaml", tmp_path / "case.yaml")
    source = tmp_path / "deep.yaml"
    source.write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert source.stat().st_size > 100_000
    proc = subprocess.run(
        [sys.executable, "-m", "forslag.cli", "check", str(source)], capture_output=True, text=True, timeout=60
    )
    # Which layer refuses it first (forslag's own 64-level check on the event stream, or the limit that newer
    # libyaml builds enforce while scanning) is the library's business; the user sees one error with its line.
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if f"{source}:1:" in line]
    assert len(lines) == 1, proc.stdout
    assert "internal error" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_nesting_past_the_limit_names_the_limit(tmp_path: Path) -> None:
    """Shallower than any libyaml limit, so forslag's own check is the one that speaks."""
    shutil.copy(DATA / "valid" / "case.yaml", tmp_path / "case.yaml")
    source = tmp_path / "deep.yaml"
    source.write_text("x: " + "[" * 70 + "]" * 70 + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "forslag.cli", "check", str(source)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1, proc.stderr
    assert f"{source}:1:67: lists and mappings are nested more than 64 levels deep" in proc.stdout


def test_an_integer_of_5000_digits_is_a_clean_error(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("2028: -1000}", "2028: " + "7" * 5000 + "}"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:10:35: the number '77777777777777777777…' is too large" in result.out
    assert "internal error" not in result.out + result.err


def test_every_numeric_field_is_bounded(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    text = source.read_text()
    text = text.replace("fte: 0.5", "fte: 1.0e+30").replace("unit_price: 250", "unit_price: 0.00000000001")
    source.write_text(text.replace("from: 2027", "from: 99999999999999999999"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:14:17: the number '1.0e+30' is too large" in result.out
    assert f"{source}:14:48: the number '99999999999999999999' is too large" in result.out
    assert f"{source}:19:42: the number '0.00000000001' has more than 10 decimals" in result.out
    assert "internal error" not in result.out + result.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_device_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        if not path.exists():
            continue
        proc = subprocess.run(
            [sys.executable, "-m", "forslag.cli", "check", str(path)], capture_output=True, text=True, timeout=30
        )
        assert proc.returncode == 1
        assert f"{path}: not a regular file" in proc.stdout + proc.stderr


def test_a_fifo_in_place_of_the_case_file_is_refused(run: Run, minimal: Path) -> None:
    (minimal / "case.yaml").unlink()
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    os.mkfifo(minimal / "case.yaml")
    result = run("check", minimal / "minimal.yaml")
    assert result.code == 1
    assert "'case: case.yaml' is not a regular file" in result.out


def test_case_may_name_a_file_below_the_proposal_but_not_a_link_out(run: Run, minimal: Path, tmp_path: Path) -> None:
    source = minimal / "minimal.yaml"
    (minimal / "cases").mkdir()
    (minimal / "case.yaml").rename(minimal / "cases" / "case.yaml")
    source.write_text("case: cases/case.yaml\n" + source.read_text())
    assert run("check", source).code == 0
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(minimal / "cases" / "case.yaml", outside)
    (minimal / "link.yaml").symlink_to(outside)
    source.write_text(source.read_text().replace("case: cases/case.yaml", "case: link.yaml"))
    result = run("check", source)
    assert result.code == 1
    assert f"{source}:1:7: 'case: link.yaml' leads out of this proposal's folder through a link" in result.out


def test_a_negative_price_level_is_an_error(run: Run, minimal: Path) -> None:
    case = minimal / "case.yaml"
    case.write_text(case.read_text().replace("price_level: 2027", "price_level: -2027"))
    result = run("check", minimal / "minimal.yaml")
    assert result.code == 1
    assert f"{case}:5:14: price_level: the price level is the year of the prices" in result.out


def test_terminal_escapes_in_a_source_are_never_printed_raw(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("title: Et lille forslag", 'title: "Et \\e]0;pwned\\a\\e[2J forslag"'))
    result = run("check", source)
    assert result.code == 0
    assert "\x1b" not in result.out + result.err and "\x07" not in result.out
    assert "Et \\x1b]0;pwned\\x07\\x1b[2J forslag" in result.out
    source.write_text(source.read_text().replace("\\e[2J", "\\x9b2J \\u202e"))
    result = run("check", "--json", source)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", result.out)
    assert json.loads(result.out)["proposals"][0]["title"] == "Et \x1b]0;pwned\x07\x9b2J \u202e forslag"


def test_yaml_number_forms_in_text_fields_stay_as_written(run: Run, minimal: Path, tmp_path: Path) -> None:
    source = minimal / "minimal.yaml"
    text = source.read_text()
    text = text.replace("responsible: CFØ, when: 2026}", "responsible: 0x10, when: 1:30}")
    text = text.replace("responsible: CFØ, when: 2028}", "responsible: CFØ, when: 010}")
    source.write_text(text.replace("body: MED-udvalg", "body: yes"))
    out = tmp_path / "out"
    result = run("build", source, "--out", out, "--format", "html", "--no-bind")
    assert result.code == 0, result.out + result.err
    html = (out / "minimal.html").read_text()
    for written in (">1:30<", ">0x10<", ">010<", ">yes<"):
        assert written in html
    assert ">90<" not in html and ">16<" not in html and ">8<" not in html


def test_build_prints_warnings_with_file_and_line(run: Run, minimal: Path, tmp_path: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("{fte: 0.5, unit_cost: 641", "{fte: 0.5, unit_cost: 1.250"))
    result = run("build", source, "--out", tmp_path / "out", "--format", "html", "--no-bind")
    assert result.code == 0, result.out + result.err
    assert f"warning: {source}:14:33: economy.permanent.1.staffing.0.unit_cost: 1.250 is read as 1,25" in result.out


def test_a_newline_in_a_title_cannot_forge_a_line_of_output(run: Run, minimal: Path) -> None:
    source = minimal / "minimal.yaml"
    source.write_text(source.read_text().replace("title: Et lille forslag", 'title: "x\\nok: forged.yaml: y"'))
    result = run("check", source)
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line.startswith("ok:")] == [
        f"ok: {source}: x\\nok: forged.yaml: y (payback 3/3 years)"
    ]


def test_case_errors_name_the_case_relative_to_the_current_folder(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a"
    shutil.copytree(DATA / "valid", folder)
    case = folder / "case.yaml"
    case.write_text(case.read_text().replace("price_level: 2027", "price_level: 2027.5"))
    monkeypatch.chdir(tmp_path)
    result = run("check", "a")
    assert result.code == 1
    assert "error: a/case.yaml:5:14: price_level: expected a whole number" in result.out, result.out
    assert str(tmp_path) not in result.out  # as relative as the proposal it was reached from
