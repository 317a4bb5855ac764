"""`make bench --quick` runs from end to end and prints its table: every figure with its target (no timing
is asserted: the figures belong to the benchmark, not to the tests)."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_the_quick_bench_prints_every_figure_and_target() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = proc.stdout[proc.stdout.index("| measure |") :]
    for measure, target in [
        ("serve: save → new HTML on disk", "≤ 0.3 s: "),
        ("serve: save → new PDF on disk", "≤ 1 s: "),
        ("then `forslag build", "≤ 1.3 s: "),
        ("no-op build of 2 in a repository of 10 commits", "≤ 0.25 s: "),
        ("cold build without binding / bare WeasyPrint", "≤ 1.05×: "),
        ("cold bind of 2 on top of printing", "≤ 2.5 s: "),
        ("prose edit, then `forslag build` of the folder", "≤ 1.5 s: "),
        ("amount edit, then `forslag build` of the folder", "≤ 2 s: "),
        ("serve: save → the refreshed bound case", "≤ 1.5 s: "),
        ("peak memory (sum of RSS) of the process tree", "≤ 300 MiB: "),
        ("peak memory (sum of RSS) of those folder builds", "≤ 300 MiB: "),
        ("layout CPU, today's HTML / the issue's HTML", "≤ 0.75×: "),
    ]:
        row = next((line for line in table.splitlines() if measure in line), None)
        assert row is not None, f"no row for {measure!r} in\n{table}"
        assert target in row and ("met" in row), row
    assert "| cold build / bare WeasyPrint |" in table  # binding included: no target, binding has its own
    assert "bare WeasyPrint" in table and "cores" in proc.stdout and "UTC" in proc.stdout
