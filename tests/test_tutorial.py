"""The Danish tutorial (docs/tutorial/index.md) run as written: every command in a ```sh block, every edit in a
```yaml block that names its file, and the output each ```text block after a command promises."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial" / "index.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in FENCE.finditer(text)]


def apply_edit(path: Path, block: str) -> None:
    """Replace each top-level key the block writes (with everything under it) as a reader would in an editor."""
    lines = path.read_text(encoding="utf-8").splitlines()
    new = block.splitlines()[1:]  # the first line names the file
    starts = [i for i, line in enumerate(new) if re.match(r"[A-Za-z_]\w*:", line)]
    for n, start in enumerate(starts):
        key = new[start].split(":", 1)[0]
        part = new[start : starts[n + 1] if n + 1 < len(starts) else len(new)]
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        end = at + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end]) and not _next_key(lines, end):
            end += 1
        lines[at:end] = part
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _next_key(lines: list[str], i: int) -> bool:
    """A blank line before a comment or a key ends the value above it."""
    return not lines[i] and (i + 1 >= len(lines) or not lines[i + 1].startswith(" "))


def expect(promised: str, said: str) -> None:
    for line in promised.splitlines():
        pattern = ".*".join(re.escape(part) for part in line.split("…"))
        assert re.search(pattern, said), f"the tutorial promises {line!r}; forslag said:\n{said}"


def serve(command: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.Popen(
        shlex.split(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        said = ""
        for line in proc.stdout:
            said += line
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if match:
                with urllib.request.urlopen(match[1], timeout=30) as page:
                    assert "hjemmetræning" in page.read().decode()
                return said
        raise AssertionError(f"forslag serve printed no address:\n{said}")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.mark.slow  # builds and serves a case: about half a minute
def test_the_tutorial_works_as_written(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(tmp_path),
        GIT_AUTHOR_NAME="Fie Finans",
        GIT_AUTHOR_EMAIL="fie@nordby.example",
        GIT_COMMITTER_NAME="Fie Finans",
        GIT_COMMITTER_EMAIL="fie@nordby.example",
        GIT_CONFIG_NOSYSTEM="1",
    )
    cwd = tmp_path
    said: str | None = None
    ran = 0
    for kind, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if kind == "sh":
            said = ""
            for command in body.splitlines():
                if command.startswith("cd "):
                    cwd = cwd / command[3:].strip()
                elif command.startswith("forslag serve"):
                    said += serve(command, cwd, env)
                else:
                    proc = subprocess.run(
                        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
                    )
                    assert proc.returncode == 0, f"{command}:\n{proc.stdout}{proc.stderr}"
                    said += proc.stdout + proc.stderr
                ran += 1
            continue
        if kind == "text" and said is not None:
            expect(body, said)
        elif kind == "yaml" and body.startswith("# "):
            apply_edit(cwd / body.splitlines()[0][2:].strip(), body)
        said = None
    assert ran >= 8
    # Where the tutorial ends: a committed case of Nordby's, built, in its own words and years.
    case = cwd
    assert subprocess.run(["git", "status", "--porcelain"], cwd=case, capture_output=True, text=True).stdout == ""
    from .pdftext import text

    words = " ".join(text(case / "output" / "hjemmetræning.pdf").split())
    assert "Hjemmetræning efter udskrivning" in words and "Godkendelse af Økonomi og Styring" in words
    assert "2031" in words and "2027" not in words
    assert not (case / "output" / "nyt-forslag.pdf").exists()
    for copenhagen in ("København", "Økonomiforvaltningen", "Overførselssag", "Center for Økonomi"):
        assert copenhagen not in words
