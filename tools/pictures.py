"""The documentation's pictures (docs/images/*.png), rendered from the examples and the tutorial's own case.

Run by `make pictures` after a change to the layout, the preview or the tutorial; commit the PNGs it writes.
Needs pdftoppm (poppler-utils) and Chromium, as the accessibility tests do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from tests.test_tutorial import TUTORIAL, apply_edit, blocks  # noqa: E402


def forslag(*args: str | Path, cwd: Path) -> None:
    subprocess.run([str(BIN / "forslag"), *map(str, args)], cwd=cwd, check=True, capture_output=True)


def page_png(pdf: Path, page: int, name: str, dpi: int = 60) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", pdf, f"{tmp}/p"],
            check=True,
        )
        shutil.copyfile(f"{tmp}/p.png", IMAGES / name)
    print(f"wrote {IMAGES / name}")


def first_page_with(pdf: Path, words: str) -> int:
    import pypdf

    for number, page in enumerate(pypdf.PdfReader(pdf).pages, 1):
        if words in " ".join((page.extract_text() or "").split()):
            return number
    raise SystemExit(f"{pdf}: no page with {words!r}")


def tutorial_case(work: Path, env: dict[str, str]) -> Path:
    """The tutorial's case, made by its own commands and edits (the preview is left out)."""
    cwd = work
    for kind, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if kind == "sh":
            for command in body.splitlines():
                if command.startswith("cd "):
                    cwd = cwd / command[3:].strip()
                elif not command.startswith(("forslag serve", "git ")):
                    subprocess.run(["bash", "-c", command], cwd=cwd, env=env, check=True, capture_output=True)
        elif kind == "yaml" and body.startswith("# "):
            apply_edit(cwd / body.splitlines()[0][2:].strip(), body)
    return cwd


def screenshot(url: str, name: str, size: str = "1100,640") -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed for the preview's picture")
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--window-size={size}",
         f"--screenshot={IMAGES / name}", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    print(f"wrote {IMAGES / name}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "examples"
        forslag("build", "proposals/forloebsprogram.yaml", "proposals/roedovre", "--out", out, cwd=ROOT)
        page_png(out / "forloebsprogram.pdf", 1, "forloebsprogram-side-1.png")
        chart = out / "invester-foer-det-sker.pdf"
        page_png(chart, first_page_with(chart, "Figur 1"), "business-case-chart.png")

        case = tutorial_case(work, env)
        page_png(case / "output" / "hjemmetræning.pdf", 1, "hjemmetraening-side-1.png")
        serve = subprocess.Popen(
            [str(BIN / "forslag"), "serve"], cwd=case, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        try:
            assert serve.stdout is not None
            for line in serve.stdout:
                match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
                if match:
                    time.sleep(3)  # the first build's PDF
                    screenshot(match[1], "preview.png")
                    break
        finally:
            serve.terminate()
            serve.wait(timeout=60)


if __name__ == "__main__":
    main()
