"""One proposal's fault, hang or hunger is its own in every command: `check` (and --json), `diff`, `textconv`,
each under the limits a build has, saying what took long."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from forslag.batch.check import check_all
from forslag.batch.limits import Limits
from forslag.document import compute as compute_module
from forslag.economy import derive

from .conftest import DATA, Run
from .followupcase import git

BC = DATA / "notat"


def case_with_three(folder: Path) -> Path:
    """The business-case test case with three proposals: a, b (the victim below) and c."""
    folder.mkdir(parents=True)
    shutil.copy(BC / "case.yaml", folder / "case.yaml")
    text = (BC / "parforhold.yaml").read_text()
    for name in "abc":
        (folder / f"{name}.yaml").write_text(text.replace("Parforholdskurser", f"Kurser {name}"))
    return folder


def sabotage(monkeypatch: pytest.MonkeyPatch, victim: str, act: Any) -> None:
    """Make calculating `victim` do `act` (children are forked, so they carry the patch)."""
    original = compute_module.proposal_economy

    def economy(proposal: Any, case: Any) -> Any:
        if proposal.title == f"Kurser {victim} for småbørnsforældre":
            act()
        return original(proposal, case)

    monkeypatch.setattr(compute_module, "proposal_economy", economy)
    monkeypatch.setattr(derive, "proposal_economy", economy)  # textconv's way to it


def crash() -> None:
    raise ArithmeticError("0**0")


def hang() -> None:
    time.sleep(120)


def hog() -> None:
    hoard = bytearray(16 * 1024**3)
    hoard[0] = 1


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (crash, "internal error while checking it: ArithmeticError: 0**0; the other proposals are checked"),
        (hog, "needed more memory than the limit of 3072 MiB"),
    ],
)
def test_check_reports_a_failing_proposal_alone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, act: Any, message: str
) -> None:
    src = case_with_three(tmp_path / "src")
    sabotage(monkeypatch, "b", act)
    result = run("check", src)
    assert result.code == 1
    assert f"error: {src / 'b.yaml'}: " in result.out and message in result.out, result.out
    assert f"ok: {src / 'a.yaml'}: Kurser a" in result.out and f"ok: {src / 'c.yaml'}: Kurser c" in result.out
    assert "internal error" not in result.err and "1 source(s) invalid" in result.err

    result = run("check", "--json", src)
    assert result.code == 1
    proposals = json.loads(result.out)["proposals"]
    assert [Path(p["source"]).name for p in proposals] == ["a.yaml", "b.yaml", "c.yaml"]
    assert message in proposals[1]["errors"][0] and "rows" in proposals[0] and "rows" in proposals[2]


def test_check_stops_a_hang_at_the_limit_and_names_the_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = case_with_three(tmp_path / "src")
    sabotage(monkeypatch, "b", hang)
    started = time.monotonic()
    checked = check_all(sorted(src.glob("[abc].yaml")), Limits(seconds=5), jobs=2)
    assert time.monotonic() - started < 60
    assert [c.problems == [] for c in checked] == [True, False, True]
    assert checked[1].problems == [
        f"{src / 'b.yaml'}: calculating the economy and the business case took longer than the limit of 5 s per "
        "document and was stopped; shorten or simplify it (very long tables, very large figures, many scenarios or "
        "effects)"
    ]


def test_check_draws_no_charts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import forslag.document.charts as charts

    monkeypatch.setattr(charts, "charts", lambda result: hang())
    src = case_with_three(tmp_path / "src")
    checked = check_all([src / "a.yaml"], Limits(seconds=20))
    assert checked[0].problems == [] and checked[0].line.startswith("ok: ")


def test_the_build_names_the_charts_when_they_take_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import forslag.document.charts as charts
    from forslag.batch.build import build
    from forslag.batch.state import BuildOptions

    original = charts.charts

    def slow(result: Any) -> Any:
        if any(s.name == "Sløv" for s in result.case.scenarios):
            hang()
        return original(result)

    monkeypatch.setattr(charts, "charts", slow)
    src = case_with_three(tmp_path / "src")
    (src / "b.yaml").write_text((src / "b.yaml").read_text().replace("name: Forsigtigt", "name: Sløv"))
    report = build(
        sorted(src.glob("[abc].yaml")),
        BuildOptions(out=tmp_path / "out", jobs=2, bind=False, formats=frozenset({"html"}), limits=Limits(seconds=8)),
        lambda line: None,
    )
    assert list(report.failed) == [src / "b.yaml"]
    assert "drawing the business case's charts took longer than the limit of 8 s" in report.failed[src / "b.yaml"][0]


def test_diff_and_textconv_report_a_failing_proposal_alone(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    src = case_with_three(repo / "proposals")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "three")
    for name in "abc":
        path = src / f"{name}.yaml"
        path.write_text(path.read_text().replace("success_rate: 0.4", "success_rate: 0.5"))
    sabotage(monkeypatch, "b", crash)
    monkeypatch.chdir(repo)
    result = run("diff")
    assert result.code == 1, result.out + result.err
    assert "internal error while comparing it: ArithmeticError: 0**0" in result.out
    assert "proposals/b.yaml@HEAD: internal error" in result.out
    for name in "ac":
        assert f"proposals/{name}.yaml: Kurser {name}" in result.out
    assert result.out.count("+31.950") == 2  # a's and c's moved net present value, computed
    payload = json.loads(run("diff", "--json").out)
    assert len(payload["proposals"]) == 3

    copy = tmp_path / "Ab12Cd_b.yaml"  # as git hands an old version to the driver
    copy.write_bytes((src / "b.yaml").read_bytes())
    result = run("textconv", copy)
    assert result.code == 0
    assert result.out.startswith("forslag: b.yaml: cannot be computed\nerror: b.yaml: internal error while computing")
    assert "--- source ---\n# A business case" in result.out
    result = run("textconv", src / "a.yaml")
    assert result.code == 0 and "Business case" in result.out


def _bc_with(folder: Path, old: str, new: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BC / "case.yaml", folder / "case.yaml")
    text = (BC / "parforhold.yaml").read_text()
    assert old in text
    path = folder / "x.yaml"
    path.write_text(text.replace(old, new))
    return path


SCENARIOS = (
    "    - {id: lav, name: Forsigtigt, success_rate: 0.2}\n    - {id: hoej, name: Optimistisk, success_rate: 0.4}\n"
)


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            SCENARIOS,
            "".join(f"    - {{id: s{i}, name: Scenarie {i}, success_rate: 0.2}}\n" for i in range(202)),
            ":34:7: ",
            "202 scenarios; a business case may have at most 5 (each is two columns of the annex's tables)",
        ),
        (
            "name: Forsigtigt,",
            "name: '" + "$x$" * 33_000 + "',",
            ":29:23: ",
            "name has 99000 characters; at most 40 fit where it is printed; shorten it",
        ),
        (
            "label: Færre sygedage,",
            "label: " + "ord " * 30 + ",",
            ":34:24: ",
            "label has 119 characters; at most 80 fit where it is printed; shorten it",
        ),
    ],
)
def test_a_business_case_is_bounded_to_what_the_annex_prints(
    run: Run, tmp_path: Path, old: str, new: str, where: str, message: str
) -> None:
    path = _bc_with(tmp_path / "src", old, new)
    started = time.monotonic()
    result = run("check", path)
    assert time.monotonic() - started < 30
    assert result.code == 1
    assert f"error: {path}{where}{message}" in result.out, result.out


def test_a_case_at_every_bound_checks(run: Run, tmp_path: Path) -> None:
    from forslag.source import bounds

    scenarios = "".join(
        f"    - {{id: s{i}, name: '{'n' * bounds.MAX_NAME}', success_rate: 0.{i + 1}}}\n"
        for i in range(bounds.MAX_SCENARIOS)
    )
    path = _bc_with(tmp_path / "src", SCENARIOS, scenarios)
    assert run("check", path).code == 0
