"""The check and schema commands as a user calls them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import PROPOSALS, ROOT, Run


def test_check_examples_ok(run: Run) -> None:
    result = run("check", PROPOSALS)
    assert result.code == 0
    assert result.out.count("ok: ") == 3


def test_check_json(run: Run) -> None:
    result = run("check", "--json", PROPOSALS / "forloebsprogram.yaml")
    assert result.code == 0
    data = json.loads(result.out)
    (p,) = data["proposals"]
    assert p["price_level"] == "2027 p/l"
    assert p["years"] == [2026, 2027, 2028, 2029, 2030, 2031]
    first = p["rows"][0]
    assert first["label"] == "Besparelse på køb §107 ved forløbsprogram"
    assert first["block"] == "varig"
    assert first["values"]["2026"] is None
    assert first["values"]["2031"] == -25120
    assert p["totals"]["Samlet økonomisk påvirkning"]["2029"] == -6885
    assert p["payback"] == {"service": 4, "total": 4}
    assert p["rows"][-1]["block"] == "implementering"


def test_check_json_reports_errors(run: Run, minimal: Path) -> None:
    (minimal / "broken.yaml").write_text("title: [\n")
    result = run("check", "--json", minimal)
    assert result.code == 1
    data = json.loads(result.out)
    broken = next(p for p in data["proposals"] if p["source"].endswith("broken.yaml"))
    assert "invalid YAML" in broken["errors"][0]


def test_usage_errors_exit_2(run: Run, tmp_path: Path) -> None:
    assert run("check", tmp_path / "nowhere").code == 2
    assert run("check", tmp_path).code == 2  # a folder with no sources


def test_schema_describes_every_field(run: Run) -> None:
    result = run("schema")
    schema = json.loads(result.out)
    assert schema["additionalProperties"] is False
    assert "title" in schema["required"]
    line = schema["$defs"]["Line"]
    assert line["properties"]["amounts"]["anyOf"][0]["type"] == "object"
    assert all("description" in prop for prop in schema["properties"].values())
    case = json.loads(run("schema", "--case").out)
    assert "price_level" in case["properties"]


def test_console_script_has_no_traceback_for_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x00\x01")
    proc = subprocess.run(
        [sys.executable, "-m", "forslag.cli", "check", str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{bad}:1:1: this is a binary file" in proc.stdout


def _same_schema(node: Any) -> Any:
    """A schema as a validator reads it, whichever pydantic wrote it: pydantic before 2.9 wraps a described $ref in
    a one-item allOf and places some defaults differently; defaults are annotations, not rules."""
    if isinstance(node, list):
        return [_same_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _same_schema(value) for key, value in node.items() if key != "default"}
    wrapped = node.get("allOf")
    if isinstance(wrapped, list) and len(wrapped) == 1 and set(wrapped[0]) == {"$ref"}:
        node = {**{k: v for k, v in node.items() if k != "allOf"}, "$ref": wrapped[0]["$ref"]}
    return node


def test_committed_schemas_match_the_models(run: Run) -> None:
    for args, name in ((("schema",), "proposal"), (("schema", "--case"), "case")):
        committed = json.loads((PROPOSALS / "schema" / f"{name}.schema.json").read_text())
        made = json.loads(run(*args).out)
        assert _same_schema(made) == _same_schema(committed), f"run `make schema`: {name}.schema.json is out of date"
