"""Stopping a build: its workers die with it, Ctrl-C is prompt (exit 130) and keeps what was finished."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forslag.batch.state import CACHE_DIR

from .conftest import DATA

# A build in which every proposal but `minimal` takes a minute to print (the children are forked, so they
# run the patched worker).
SLOW_BUILD = """
import sys, time
from forslag.batch import worker
original = worker.run
def run(job):
    if job.source.stem != "minimal":
        time.sleep(60)
    return original(job)
worker.run = run
from forslag.cli import main
sys.exit(main(sys.argv[1:]))
"""


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "valid", src)
    for name in ("andet", "tredje"):
        shutil.copy(src / "minimal.yaml", src / f"{name}.yaml")
    command = [sys.executable, "-c", SLOW_BUILD, "build", str(src), "--out", str(out), "--jobs", "2"]
    # A build typed at a terminal: Ctrl-C reaches it. Run as a background job of a script (`make test &`),
    # the tests would otherwise hand it the ignored SIGINT the shell gives background jobs.
    build = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "minimal.pdf").exists():
        time.sleep(0.2)
    assert (out / "minimal.pdf").exists(), "the fast proposal was never written"
    return build, out


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_build(tmp_path: Path, how: signal.Signals) -> None:
    build, _out = start(tmp_path)
    workers = children(build.pid)
    assert workers, "the build has no worker processes"
    build.send_signal(how)
    build.wait(timeout=20)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.2)
    assert not [w for w in workers if alive(w)]


def test_ctrl_c_stops_at_once_and_keeps_finished_work(tmp_path: Path) -> None:
    build, out = start(tmp_path)
    workers = children(build.pid)
    time.sleep(1)  # the cache entry is written right after the files
    build.send_signal(signal.SIGINT)
    started = time.monotonic()
    code = build.wait(timeout=20)
    assert time.monotonic() - started < 20
    assert code == 130
    assert b"interrupted" in build.communicate()[1]
    assert not [w for w in workers if alive(w)]
    assert (out / "minimal.pdf").stat().st_size > 10_000 and (out / CACHE_DIR / "minimal.json").is_file()
    assert not (out / "andet.pdf").exists()
    assert not [p for p in out.rglob("*.tmp")]
    again = subprocess.run(
        [sys.executable, "-m", "forslag.cli", "build", str(tmp_path / "src" / "minimal.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert "0 built, 1 up to date" in again.stdout
