"""A case repository for the follow-up tests: the three Copenhagen examples adopted (tag vedtaget-2026), one of
them amended by a later decision (tag budget-2027), all three edited after that, and their follow-up files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPOSALS = ROOT / "proposals"
FOLLOW_UPS = Path(__file__).resolve().parent / "data" / "followup"
COPENHAGEN = ("din-sociale-indgang.yaml", "forloebsprogram.yaml", "plejefamilier.yaml")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_case_repository(repo: Path, *, with_follow_ups: bool = True) -> Path:
    """The repository; returns its proposals folder (where the follow-up files lie beside the proposals)."""
    folder = repo / "proposals"
    folder.mkdir(parents=True)
    for name in (*COPENHAGEN, "case.yaml"):
        shutil.copy(PROPOSALS / name, folder / name)
    shutil.copytree(PROPOSALS / "figurer", folder / "figurer")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Overførselssagen 2025-2026 as adopted")
    git(repo, "tag", "vedtaget-2026")
    # Budget 2027 amends Forløbsprogrammet: 2027's § 107 saving raised to 5.200, the team's 2028 cost cut to 4.000.
    program = folder / "forloebsprogram.yaml"
    edit(program, "amounts: {2027: -5090,", "amounts: {2027: -5200,")
    edit(program, "amounts: {2028: 4455, 2029: 8950", "amounts: {2028: 4000, 2029: 8950")
    git(repo, "commit", "-q", "-am", "Budget 2027 amends Forløbsprogrammet")
    git(repo, "tag", "budget-2027")
    # Edits after the decisions: none of these may move a follow-up's target.
    edit(program, "amounts: {2027: -5200,", "amounts: {2027: -9000,")
    edit(folder / "plejefamilier.yaml", "amounts: {2027: -3050,", "amounts: {2027: -2000,")
    edit(
        folder / "plejefamilier.yaml",
        "  permanent:\n",
        "  permanent:\n    - id: ferielejr\n      label: Ferielejre for plejebørn\n"
        "      headline: year\n      amounts: {2027: 100}\n",
    )
    edit(folder / "din-sociale-indgang.yaml", "amounts: {2027: -3000,", "amounts: {2027: -1800,")
    git(repo, "commit", "-q", "-am", "Working on next year's version")
    if with_follow_ups:
        for path in sorted(FOLLOW_UPS.glob("*.followup.yaml")):
            shutil.copy(path, folder / path.name)
    return folder
