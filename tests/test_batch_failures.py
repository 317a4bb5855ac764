"""One proposal's failure, of any kind, is that proposal's alone; the cache is a hint; output errors are clean."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from forslag.batch import worker
from forslag.batch.build import build
from forslag.batch.pool import Limits
from forslag.batch.state import CACHE_DIR, BuildOptions

from .conftest import DATA, Run
from .pdftext import flat

CASE = "overfoerselssagen-2025-2026"


def three(folder: Path) -> Path:
    shutil.copytree(DATA / "valid", folder)
    text = (folder / "minimal.yaml").read_text()
    for name in ("andet", "tredje"):
        (folder / f"{name}.yaml").write_text(text.replace("Et lille forslag", f"Forslaget {name}"))
    return folder


def sabotage(monkeypatch: pytest.MonkeyPatch, victim: str, act: Any) -> None:
    """Make printing `victim` do `act` (the children are forked, so they carry the patch)."""
    original = worker.render_proposal

    def render(env: Any, computed: Any, *args: Any, **kwargs: Any) -> str:
        if computed.source.path.stem == victim:
            act()
        return original(env, computed, *args, **kwargs)

    monkeypatch.setattr(worker, "render_proposal", render)


def crash() -> None:
    raise ZeroDivisionError("a bug")


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def hang() -> None:
    time.sleep(120)


def hog() -> None:
    hoard = bytearray(16 * 1024**3)
    hoard[0] = 1


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("act", "message"),
    [
        (crash, "internal error while building it: ZeroDivisionError: a bug; the other proposals are built; please"),
        (segfault, "internal error: the process building it stopped (SIGKILL)"),
        (hog, "printing it needed more memory than the limit of 3072 MiB"),
    ],
)
def test_one_failure_fails_only_its_proposal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, act: Any, message: str, jobs: str
) -> None:
    src, out = three(tmp_path / "src"), tmp_path / "out"
    sabotage(monkeypatch, "andet", act)
    result = run("build", src, "--out", out, "--jobs", jobs)
    assert result.code == 1
    assert f"error: {src / 'andet.yaml'}: {message}" in result.out
    assert "2 built, 0 up to date, 1 failed" in result.out
    assert (out / "minimal.pdf").is_file() and (out / "tredje.pdf").is_file()
    assert not (out / "andet.pdf").exists() and not (out / f"{CASE}.pdf").exists()


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (crash, "internal error while building it: ZeroDivisionError: a bug; the other proposals are built; please"),
        (segfault, "internal error: the process building it stopped (SIGKILL)"),
        (hog, "printing it needed more memory than the limit of 3072 MiB"),
    ],
)
def test_one_proposal_alone_fails_cleanly_in_either_half(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, act: Any, message: str
) -> None:
    """`forslag build one.yaml` prepares in one child and prints in another (build._split): a fault in
    either is reported as in a batch, and nothing is written."""
    from forslag.batch import printing

    src = three(tmp_path / "src")
    sabotage(monkeypatch, "andet", act)
    result = run("build", src / "andet.yaml", "--out", tmp_path / "out", "--jobs", "2")
    assert result.code == 1
    assert f"error: {src / 'andet.yaml'}: {message}" in result.out
    assert not (tmp_path / "out" / "andet.pdf").exists() and not (tmp_path / "out" / "andet.html").exists()

    monkeypatch.undo()
    real = printing.printer

    class Saboteur:  # the printer of the child that prints, failing as the document is laid out
        def pdf_planned(self, *args: Any, **kwargs: Any) -> Any:
            act()
            return real().pdf_planned(*args, **kwargs)

    monkeypatch.setattr(printing, "printer", Saboteur)
    result = run("build", src / "tredje.yaml", "--out", tmp_path / "out", "--jobs", "2")
    assert result.code == 1
    assert f"error: {src / 'tredje.yaml'}: {message}" in result.out
    assert not (tmp_path / "out" / "tredje.pdf").exists()


def test_a_document_over_the_time_limit_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = three(tmp_path / "src"), tmp_path / "out"
    sabotage(monkeypatch, "andet", hang)
    lines: list[str] = []
    started = time.monotonic()
    report = build(
        sorted(src.glob("[!c]*.yaml")), BuildOptions(out=out, jobs=2, limits=Limits(seconds=15)), lines.append
    )
    assert time.monotonic() - started < 100
    assert list(report.failed) == [src / "andet.yaml"]
    assert "took longer than the limit of 15 s per document" in report.failed[src / "andet.yaml"][0]
    assert sorted(p.name for p in report.built) == ["minimal.yaml", "tredje.yaml"]


def test_the_cache_is_a_hint(run: Run, tmp_path: Path) -> None:
    src, out = three(tmp_path / "src"), tmp_path / "out"
    assert run("build", src, "--out", out, "--jobs", "2").code == 0
    cache = out / CACHE_DIR
    (cache / "minimal.json").write_text(json.dumps({"key": 1, "outputs": "x"}))  # valid JSON, wrong shape
    (cache / "andet.json").write_text("[")
    pdf = out / "tredje.pdf"
    pdf.write_bytes(b"%" * pdf.stat().st_size)  # garbage of the same size
    bound = out / f"{CASE}.pdf"
    bound.write_bytes(b"%" * bound.stat().st_size)
    parts = list(cache.glob("_case-*/front-*.pdf"))
    assert len(parts) == 2
    for part in parts:
        part.write_bytes(b"not a pdf")
    result = run("build", src, "--out", out, "--jobs", "2")
    assert result.code == 0, result.out + result.err
    assert "3 built, 0 up to date, 0 failed; bound case written" in result.out
    assert "Forslaget tredje" in flat(pdf)
    assert "Testkommune" in flat(bound) and "Forslaget tredje" in flat(bound)
    assert "0 built, 3 up to date" in run("build", src, "--out", out).out


def test_an_output_path_that_is_a_file(run: Run, tmp_path: Path) -> None:
    src = three(tmp_path / "src")
    (tmp_path / "out").write_text("")
    result = run("build", src, "--out", tmp_path / "out")
    assert result.code == 1
    assert f"cannot write {tmp_path / 'out'}" in result.err and "a file stands where a folder is needed" in result.err
    assert "internal error" not in result.err


def test_a_full_disk(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forslag.batch import writeout

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    src, out = three(tmp_path / "src"), tmp_path / "out"
    monkeypatch.setattr(writeout.os, "replace", full)
    result = run("build", src, "--out", out, "--jobs", "1")
    assert result.code == 1
    assert "No space left on device; the disk is full" in result.err
    assert "internal error" not in result.err
    assert not [p for p in out.rglob("*") if p.is_file()]  # nothing half-written
