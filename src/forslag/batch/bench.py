"""`make bench`: a 100-proposal corpus built cold, against bare WeasyPrint, with ratios measured in one run."""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "proposals"

# Runs a command and prints the peak RSS (KiB) of the largest process below it, workers included.
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)

_BARE_WEASYPRINT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from weasyprint import HTML\n"
    "from weasyprint.text.fonts import FontConfiguration\n"
    "fonts, cache = FontConfiguration(), {}\n"
    "out = Path(sys.argv[2])\n"
    "for html in sorted(Path(sys.argv[1]).glob('*.html')):\n"
    "    if html.stem.startswith('overfoerselssagen'):\n"
    "        continue\n"
    # The same kind of PDF forslag prints (tagged PDF/A-2a), so the ratio is what forslag adds, not tagging.
    "    HTML(filename=str(html)).write_pdf(out / (html.stem + '.pdf'), font_config=fonts, cache=cache,\n"
    "                                       pdf_variant='pdf/a-2a')\n"
)


@dataclass
class Run:
    seconds: float
    rss_mib: float


def _timed(args: list[str], cwd: Path) -> Run:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{proc.stderr}")
    return Run(seconds, int(proc.stdout.strip().splitlines()[-1]) / 1024)


def _forslag(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "forslag.cli", "build", *map(str, args)]


def _vary(data: dict[str, Any], i: int) -> dict[str, Any]:
    """A realistic sibling of an example: other amounts, more or fewer lines, longer or shorter prose."""
    p = copy.deepcopy(data)
    p["title"] = f"{p['title']} ({i + 1})"
    factor = [0.5, 0.8, 1, 1.3, 2][i % 5]
    economy = p["economy"]
    for block in ("permanent", "implementation"):
        for line in economy.get(block, []):
            if isinstance(line.get("amounts"), dict):
                line["amounts"] = {y: round(v * factor) for y, v in line["amounts"].items()}
        extra = i % 4  # up to three more rows per block: tables of different heights
        for k in range(extra):
            source = economy[block][k % len(economy[block])]
            twin = copy.deepcopy(source)
            twin["id"] = f"{source['id']}_v{k}"
            twin["label"] = f"{source['label']} (delprojekt {k + 1})"
            twin.pop("heading", None)
            twin.pop("footnote", None)
            twin["text"] = "Delprojektet følger samme model som hovedlinjen, med egne beløb."
            economy[block].append(twin)
    paragraphs = p["description"].split("\n\n")
    p["description"] = "\n\n".join(paragraphs * (1 + i % 3))
    return p


def make_corpus(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "case.yaml", folder / "case.yaml")
    shutil.copytree(EXAMPLES / "figurer", folder / "figurer")
    examples = sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "case.yaml")
    data = [yaml.safe_load(p.read_text()) for p in examples]
    sources = []
    for i in range(count):
        target = folder / f"forslag-{i + 1:03d}.yaml"
        target.write_text(yaml.safe_dump(_vary(data[i % len(data)], i), allow_unicode=True, sort_keys=False))
        sources.append(target)
    return sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forslag.batch.bench", description=__doc__)
    parser.add_argument("--count", type=int, default=100, help="proposals in the corpus (default 100)")
    args = parser.parse_args(argv)
    env_note = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    with tempfile.TemporaryDirectory(prefix="forslag-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "proposals"
        sources = make_corpus(corpus, args.count)
        print(f"corpus: {len(sources)} proposals in {corpus} ({env_note})", flush=True)

        cold1 = _timed(_forslag(corpus, "--out", work / "out1", "--jobs", "1"), work)
        print(f"cold build, --jobs 1: {cold1.seconds:.1f} s", flush=True)
        bare_out = work / "bare"
        bare_out.mkdir()
        bare = _timed([sys.executable, "-c", _BARE_WEASYPRINT, str(work / "out1"), str(bare_out)], work)
        print(f"bare WeasyPrint on the same HTML: {bare.seconds:.1f} s", flush=True)
        cold2 = _timed(_forslag(corpus, "--out", work / "out2", "--jobs", "2"), work)
        print(f"cold build, --jobs 2: {cold2.seconds:.1f} s", flush=True)
        noop = _timed(_forslag(corpus, "--out", work / "out2", "--jobs", "2"), work)
        print(f"no-op rebuild: {noop.seconds:.2f} s", flush=True)
        edited = sources[len(sources) // 2]
        edited.write_text(edited.read_text() + "\n# edited\n")
        one = _timed(_forslag(corpus, "--out", work / "out2", "--jobs", "2"), work)
        print(f"rebuild after editing one (prose): {one.seconds:.2f} s", flush=True)
        # An edit that moves an amount changes the bound case's summary, so its front is laid out again.
        text = edited.read_text()
        edited.write_text(text.replace("2031: -", "2031: -1", 1) if "2031: -" in text else text + "\n# again\n")
        amounts = _timed(_forslag(corpus, "--out", work / "out2", "--jobs", "2"), work)
        print(f"rebuild after editing one (amounts): {amounts.seconds:.2f} s", flush=True)
        alone_dir = work / "alone"
        alone_dir.mkdir()
        shutil.copy(corpus / "case.yaml", alone_dir / "case.yaml")
        shutil.copytree(corpus / "figurer", alone_dir / "figurer")
        shutil.copy(edited, alone_dir / edited.name)
        alone = _timed(_forslag(alone_dir, "--out", work / "out3", "--jobs", "1"), work)
        print(f"that proposal built alone: {alone.seconds:.2f} s", flush=True)

    rows = [
        ("cold full build, 1 core (`--jobs 1`)", f"{cold1.seconds:.1f} s", ""),
        ("bare WeasyPrint, same HTML, 1 core", f"{bare.seconds:.1f} s", ""),
        ("forslag / bare WeasyPrint", f"{cold1.seconds / bare.seconds:.2f}", "≤ 1.15"),
        ("cold full build, `--jobs 2`", f"{cold2.seconds:.1f} s", ""),
        ("speed-up `--jobs 2` over `--jobs 1`", f"{cold1.seconds / cold2.seconds:.2f}×", "≥ 1.7×"),
        ("no-op rebuild", f"{noop.seconds:.2f} s", "≤ 1 s"),
        ("rebuild after editing one proposal's prose", f"{one.seconds:.2f} s", ""),
        ("rebuild after editing one proposal's amounts", f"{amounts.seconds:.2f} s", ""),
        ("that proposal built alone", f"{alone.seconds:.2f} s", ""),
        ("prose-edited rebuild / alone", f"{one.seconds / alone.seconds:.2f}", "≤ 2"),
        ("amount-edited rebuild / alone", f"{amounts.seconds / alone.seconds:.2f}", "≤ 2"),
        ("peak RSS of a process, `--jobs 1` build", f"{cold1.rss_mib:.0f} MiB", "≤ 500 MB"),
        ("peak RSS of a process, `--jobs 2` build", f"{cold2.rss_mib:.0f} MiB", "≤ 500 MB"),
    ]
    print(f"\n{args.count} proposals; {env_note}\n")
    print("| measure | result | target |\n| --- | --- | --- |")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
