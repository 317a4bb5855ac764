"""Proposals in git: `forslag diff` across a series of commits, the diff driver, and git's config kept inert."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forslag.cli import main

from .conftest import PROPOSALS, Run

BIN = Path(sys.executable).parent  # where the `forslag` script of this environment lives


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def git(repo: Path, *args: str, date: str = "2026-01-15T12:00:00") -> str:
    env = git_env(repo.parent)
    env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


NEW_ROW = """  implementation:
    - id: opstart
"""
ADDED_ROW = """  implementation:
    - id: uddannelse
      label: Uddannelse af medarbejdere
      amounts: {2026: 120, 2027: 80}
    - id: opstart
"""


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case repository made by `forslag init`, with one tag per step of a proposal's life.

    v1 as created; v2 an amount changed and a row added; v3 a row renamed and a second proposal added;
    v4 the first proposal broken; v5 it mended and renamed, the second deleted; v6 prose only.
    """
    base = tmp_path_factory.mktemp("series")
    repo = base / "case"
    assert main(["init", str(repo)]) == 0
    p = repo / "proposals" / "nyt-forslag.yaml"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1", date="2026-01-10T12:00:00")
    git(repo, "tag", "v1")

    edit(p, "amounts: {2027: -400, 2028: -800,", "amounts: {2027: -450, 2028: -800,")
    edit(p, NEW_ROW, ADDED_ROW)
    git(repo, "commit", "-qam", "v2", date="2026-01-20T12:00:00")
    git(repo, "tag", "v2")

    edit(p, "label: Driftsudgift", "label: Drift af indsatsen")
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        assert main(["new", "andet-forslag"]) == 0
    finally:
        os.chdir(cwd)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v3", date="2026-02-01T12:00:00")
    git(repo, "tag", "v3")

    edit(p, "amounts: {2027: -450,", "amounts: {2027: mange,")
    git(repo, "commit", "-qam", "v4", date="2026-02-10T12:00:00")
    git(repo, "tag", "v4")

    edit(p, "amounts: {2027: mange,", "amounts: {2027: -450,")
    git(repo, "mv", "proposals/nyt-forslag.yaml", "proposals/hovedforslag.yaml")
    git(repo, "rm", "-q", "proposals/andet-forslag.yaml")
    git(repo, "commit", "-qam", "v5", date="2026-02-20T12:00:00")
    git(repo, "tag", "v5")

    edit(
        repo / "proposals" / "hovedforslag.yaml",
        "Beskriv her udfordringen, indsatsen og målgruppen",
        "Beskriv her problemet, indsatsen og målgruppen",
    )
    git(repo, "commit", "-qam", "v6", date="2026-03-01T12:00:00")
    git(repo, "tag", "v6")
    return repo


@pytest.fixture
def in_repo(series: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(series)
    yield series


def diff_json(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("diff", "--json", *args)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def by_path(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["path"]: p for p in payload["proposals"]}


def changes(entry: dict[str, Any], group: str, name: str) -> dict[int | None, tuple[Any, Any, Any]]:
    items = [c for r in entry["rows"] for c in r["changes"]] + entry["facts"]
    return {
        c["year"]: (c["old"], c["new"], c["difference"]) for c in items if c["group"] == group and c["name"] == name
    }


def test_amount_changed_and_row_added(run: Run, in_repo: Path) -> None:
    code, payload = diff_json(run, "v1", "v2")
    assert code == 1
    entry = by_path(payload)["proposals/nyt-forslag.yaml"]
    assert entry["status"] == "changed"
    rows = {r["id"]: r for r in entry["rows"]}
    assert rows["besparelse"]["status"] == "changed"
    assert changes(entry, "row", "besparelse") == {2027: (-400, -450, -50)}
    assert rows["uddannelse"]["status"] == "added"
    assert changes(entry, "row", "uddannelse") == {2026: (None, 120, 120), 2027: (None, 80, 80)}
    # Totals: the saving moves the permanent total; the new row moves the investment and the impact.
    assert changes(entry, "total", "Samlet varig ændring") == {2027: (-100, -150, -50)}
    assert changes(entry, "total", "Samlede implementeringsomkostninger") == {
        2026: (500, 620, 120),
        2027: (250, 330, 80),
    }
    assert changes(entry, "total", "Samlet økonomisk påvirkning") == {2026: (500, 620, 120), 2027: (150, 180, 30)}
    assert changes(entry, "figure", "investment.total") == {None: (750, 950, 200)}
    assert changes(entry, "payback", "total") == {None: (3, 4, 1)}
    assert payload["economic"] is True


def test_text_output_is_danish_and_signed(run: Run, in_repo: Path) -> None:
    result = run("diff", "v1", "v2")
    assert result.code == 1
    lines = result.out.splitlines()
    saving = next(line for line in lines if line.strip().startswith("row besparelse"))
    assert saving.split()[-4:] == ["2027", "-400", "-450", "-50"]
    impact = next(line for line in lines if "figure Samlet økonomisk påvirkning i alt" in line)
    assert impact.split()[-3:] == ["-850", "-700", "+150"]
    added = [line for line in lines if "row uddannelse" in line]
    assert [line.split()[-4:] for line in added] == [["2026", "·", "120", "+120"], ["2027", "·", "80", "+80"]]
    assert "v1 -> v2: 1 proposal(s), 1 changed, 1 with economic changes" in result.out


def test_row_renamed_by_id_and_proposal_added(run: Run, in_repo: Path) -> None:
    code, payload = diff_json(run, "v2", "v3")
    assert code == 1
    entries = by_path(payload)
    assert entries["proposals/andet-forslag.yaml"]["status"] == "added"
    first = entries["proposals/nyt-forslag.yaml"]
    assert [(r["id"], r["status"], r["old_label"], r["new_label"], r["changes"]) for r in first["rows"]] == [
        ("drift", "renamed", "Driftsudgift", "Drift af indsatsen", [])
    ]
    assert first["facts"] == []
    assert first["economic"] is False  # a new label moves no money


def test_source_broken_at_one_revision(run: Run, in_repo: Path) -> None:
    text = git(in_repo, "show", "v4:proposals/nyt-forslag.yaml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "mange" in t)
    result = run("diff", "v3", "v4")
    assert result.code == 1
    assert f"error: proposals/nyt-forslag.yaml@v4:{line}:" in result.out
    assert "expected a number, got text 'mange'" in result.out
    assert "Traceback" not in result.out + result.err
    assert diff_json(run, "v3", "v4")[0] == 1
    payload = diff_json(run, "v3", "v4")[1]
    entry = by_path(payload)["proposals/nyt-forslag.yaml"]
    assert entry["status"] == "invalid"
    assert entry["problems"]["old"] == []
    assert entry["problems"]["new"][0].startswith(f"proposals/nyt-forslag.yaml@v4:{line}:")


def test_proposal_renamed_and_deleted(run: Run, in_repo: Path) -> None:
    code, payload = diff_json(run, "v3", "v5")
    entries = by_path(payload)
    assert code == 1
    assert entries["proposals/andet-forslag.yaml"]["status"] == "removed"
    moved = entries["proposals/hovedforslag.yaml"]
    assert (moved["status"], moved["old_path"], moved["economic"]) == ("renamed", "proposals/nyt-forslag.yaml", False)


def test_prose_only_change_exits_0(run: Run, in_repo: Path) -> None:
    result = run("diff", "v5", "v6", "--words")
    assert result.code == 0, result.out
    assert "prose changed: description" in result.out
    assert "[-udfordringen,-]{+problemet,+}" in result.out
    assert "no economic change" in result.out


def test_defaults_head_against_the_working_tree(run: Run, in_repo: Path) -> None:
    assert run("diff").code == 0
    p = in_repo / "proposals" / "hovedforslag.yaml"
    original = p.read_text()
    try:
        edit(p, "unit_cost: 600", "unit_cost: 640")
        code, payload = diff_json(run)
        assert code == 1
        entry = by_path(payload)["proposals/hovedforslag.yaml"]
        assert changes(entry, "row", "drift")[2030] == (300, 320, 20)
        assert payload["new"] is None and payload["old"]["revision"] == "HEAD"
        # One revision: that revision against the working tree; a path narrows to one proposal.
        assert diff_json(run, "v5", "proposals/hovedforslag.yaml")[0] == 1
    finally:
        p.write_text(original)


def test_usage_errors_exit_2(run: Run, in_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = run("diff", "v99")
    assert unknown.code == 2 and "'v99' is neither a revision nor a path" in unknown.err
    outside = run("diff", "v1", "v2", "--", str(tmp_path))
    assert outside.code == 2 and "outside the repository" in outside.err
    monkeypatch.chdir(tmp_path)
    assert "not inside a git repository" in run("diff").err


def test_repository_config_runs_nothing(run: Run, in_repo: Path, tmp_path: Path) -> None:
    """A hostile repository's config (fsmonitor, external diff, pager) never runs during forslag diff."""
    witness = tmp_path / "ran"
    config = in_repo / ".git" / "config"
    original = config.read_text()
    try:
        command = f"touch {witness}"
        with config.open("a") as fh:
            fh.write(f'[core]\n\tfsmonitor = "{command}"\n\tpager = "{command}"\n[diff]\n\texternal = "{command}"\n')
        assert run("diff", "v1", "v2").code == 1
        assert run("diff").code == 0
        assert not witness.exists()
        # The config is truly hostile: git left to itself runs the command.
        subprocess.run(["git", "diff", "v1", "v2"], cwd=in_repo, env=git_env(in_repo.parent), capture_output=True)
        assert witness.exists()
    finally:
        config.write_text(original)


def test_git_log_shows_table_1_through_the_driver(series: Path) -> None:
    log = subprocess.run(
        ["git", "log", "-p", "v1..v2", "--", "proposals/nyt-forslag.yaml"],
        cwd=series,
        env=git_env(series.parent),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = [" ".join(line.split()) for line in log.splitlines()]
    assert "- . -400 -800 -800 -800 Effektivisering [besparelse]" in lines
    assert "+ . -450 -800 -800 -800 Effektivisering [besparelse]" in lines
    assert "+ 120 80 . . . Uddannelse af medarbejdere [uddannelse]" in lines
    assert "-Samlet økonomisk påvirkning i alt: -850" in lines
    assert "+Samlet økonomisk påvirkning i alt: -700" in lines


def test_textconv_of_an_invalid_file_prints_its_errors(run: Run, series: Path, tmp_path: Path) -> None:
    broken = tmp_path / "AbC123_nyt-forslag.yaml"  # as git names an old version it copies out
    broken.write_text(git(series, "show", "v4:proposals/nyt-forslag.yaml"))
    cwd = Path.cwd()
    os.chdir(series)
    try:
        result = run("textconv", broken)
    finally:
        os.chdir(cwd)
    assert result.code == 0
    assert "forslag: nyt-forslag.yaml: invalid source" in result.out
    assert "expected a number, got text 'mange'" in result.out
    assert "--- source ---" in result.out


def test_textconv_moves_only_the_line_of_a_renamed_row(run: Run, tmp_path: Path) -> None:
    """The label stands after the amounts, in fixed columns: a longer label leaves every other line as it was."""
    assert run("init", tmp_path / "sag").code == 0
    source = tmp_path / "sag" / "proposals" / "nyt-forslag.yaml"
    cwd = Path.cwd()
    os.chdir(tmp_path / "sag")
    try:
        before = run("textconv", source).out.splitlines()
        source.write_text(source.read_text().replace("label: Effektivisering", "label: En meget længere betegnelse"))
        after = run("textconv", source).out.splitlines()
    finally:
        os.chdir(cwd)
    economy = before.index("--- source ---")  # the source follows the economy, and shows the edit itself
    changed = [(b, a) for b, a in zip(before[:economy], after[:economy], strict=True) if b != a]
    assert len(changed) == 1, changed
    assert changed[0][0].endswith("Effektivisering [besparelse]")
    assert changed[0][1].endswith("En meget længere betegnelse [besparelse]")


def test_diff_reports_what_moved_in_the_business_case(run: Run, tmp_path: Path) -> None:
    """A higher success rate moves the scenario's present value, payback and τ, each with its decimals."""
    repo = tmp_path / "repo"
    shutil.copytree(PROPOSALS / "roedovre", repo / "roedovre")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1")
    edit(repo / "roedovre" / "invester-foer-det-sker.yaml", "success_rate: 0.125", "success_rate: 0.15")
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = run("diff", "--json", "roedovre")
    finally:
        os.chdir(cwd)
    assert result.code == 1, result.err
    facts = {f["name"]: f for f in json.loads(result.out)["proposals"][0]["facts"] if f["group"] == "business_case"}
    assert (facts["bc.lav.npv"]["old"], facts["bc.lav.npv"]["new"]) == (1200, 3720)
    assert (facts["bc.lav.payback"]["old"], facts["bc.lav.payback"]["new"]) == (7, 6)
    assert facts["bc.lav.net.1"]["difference"] == 40
    assert "bc.hoej.npv" not in facts  # the other scenario did not move


def test_an_amounts_difference_is_the_difference_of_the_printed_figures() -> None:
    """A business case kept in kr. shows its present value in whole 1.000 kr.; the difference beside it must be
    the difference of what is printed (420 -> 599: +179), not of the exact values (+178,85)."""
    from decimal import Decimal

    from forslag.history.diff import Change
    from forslag.history.facts import Fact
    from forslag.history.report import _change_line

    def fact(value: str) -> Fact:
        return Fact("business_case", "costs.pv", "omkostningernes nutidsværdi", None, "amount", Decimal(value))

    line = _change_line("pv", Change("business_case.costs.pv", fact("420.35"), fact("599.20")))
    assert line[2:] == ["420", "599", "+179"]
