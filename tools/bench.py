"""`make bench`: the editing loop and the batch build measured as a user meets them, paired and interleaved.

A corpus of proposals derived from the examples is committed into a fresh git repository in a few hundred
small commits (as a real case repository is), then, in one run and round after round:

- a cold build of the whole case (`--jobs 2`, binding included) against bare WeasyPrint printing the same
  HTML in two processes, the floor; the peak memory of the build's whole process tree is sampled meanwhile;
  and the same cold build with `--no-bind`, which shows what the binding adds;
- a no-op build of the case;
- a real prose edit and a real amount edit of one 4-5 page proposal, each followed by `forslag build
  <that file>` in a new process (against bare WeasyPrint printing its HTML in a new process), and by
  `forslag build <folder>` (which also binds the case);
- the same edits saved under `forslag serve`, timed from the save to the new bytes of the HTML and of the
  PDF on disk, against a warm bare WeasyPrint printing the same HTML.

Each figure is the median of the rounds with their min-max; each ratio is taken within a round, then its
median. The machine may be shared: the ratios mean more than the seconds.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]  # tools/ lies at the top of the repository
EXAMPLES = ROOT / "proposals"
BEFORE = ROOT / "tests" / "data" / "bench" / "before"  # the HTML of the examples (see its README)
MIB = 1024 * 1024

# Prints every HTML file named on its command line (or, with --serve, each path read from stdin, answering
# with the seconds it took), with one font configuration and image cache: WeasyPrint as its docs advise.
_BARE = """
import sys, time
from pathlib import Path
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
fonts, cache = FontConfiguration(), {}
def one(path):
    html = Path(path)
    # The same kind of PDF forslag prints (tagged PDF/A-2a), so the ratio is what forslag adds, not tagging.
    HTML(filename=str(html)).write_pdf(html.with_suffix('.bare.pdf'), font_config=fonts, cache=cache,
                                       pdf_variant='pdf/a-2a')
def layout(path):
    # Layout alone (parse, style, lay out the pages), as CPU time of this process: what the HTML costs.
    started = time.process_time()
    HTML(filename=path).render(font_config=fonts, cache=cache)
    return time.process_time() - started
if sys.argv[1] == '--serve':
    print('ready', flush=True)
    for line in sys.stdin:
        if line.startswith('layout '):
            print(layout(line[len('layout '):].strip()), flush=True)
            continue
        started = time.perf_counter()
        one(line.strip())
        print(time.perf_counter() - started, flush=True)
else:
    for path in sys.argv[1:]:
        one(path)
"""


# -- the corpus -------------------------------------------------------------------------------------------
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


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T12:00:00", "GIT_COMMITTER_DATE": "2026-01-01T12:00:00"}
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def make_corpus(repo: Path, count: int, commits: int) -> list[Path]:
    """`count` proposals in `repo/proposals`, committed in `commits` small commits, the last one clean.

    The case and figures come first, then each proposal in its own commit, then revisions: a proposal's
    prose touched and committed again, round the corpus, until the history is `commits` long.
    """
    folder = repo / "proposals"
    folder.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    shutil.copy(EXAMPLES / "case.yaml", folder / "case.yaml")
    shutil.copytree(EXAMPLES / "figurer", folder / "figurer")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "The case")
    examples = sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "case.yaml")
    data = [yaml.safe_load(p.read_text()) for p in examples]
    versions: list[dict[str, Any]] = []
    sources = []
    for i in range(count):
        target = folder / f"forslag-{i + 1:03d}.yaml"
        versions.append(_vary(data[i % len(data)], i))
        target.write_text(_dump(versions[i]))
        sources.append(target)
        _git(repo, "add", str(target.relative_to(repo)))
        _git(repo, "commit", "-q", "-m", f"Add {target.stem}")
    for n in range(max(0, commits - count - 1)):
        i = n % count
        versions[i]["summary"] = f"{versions[i]['summary'].split(' (rev.')[0]} (rev. {n // count + 1})"
        sources[i].write_text(_dump(versions[i]))
        _git(repo, "commit", "-q", "-a", "-m", f"Revise {sources[i].stem}")
    return sources


class Edits:
    """Real edits of one proposal, different every time: a word of its prose, an amount of Tabel 1."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.count = 0

    def _rewrite(self, change: Callable[[dict[str, Any]], None]) -> None:
        data = yaml.safe_load(self.source.read_text())
        change(data)
        self.source.write_text(_dump(data))

    def prose(self) -> None:
        self.count += 1
        words = ["hurtigt", "roligt", "grundigt", "trygt"]

        def change(data: dict[str, Any]) -> None:
            first, _, rest = data["description"].partition("\n\n")
            # A word and a number: the length varies (a page may move), and no edit returns to an earlier
            # text, which a build would rightly find already built and bound.
            word = words[self.count % len(words)]
            sentence = f"Forslaget følges {word} op i hele perioden og evalueres efter {self.count} måneder."
            base = first.split(" Forslaget følges ")[0]
            data["description"] = f"{base} {sentence}" + (f"\n\n{rest}" if rest else "")

        self._rewrite(change)

    def amount(self) -> None:
        self.count += 1

        def change(data: dict[str, Any]) -> None:
            line = next(x for x in data["economy"]["permanent"] if isinstance(x.get("amounts"), dict))
            last = max(line["amounts"])
            # Up every time, never back to an earlier value: each amount edit changes the bound summary.
            line["amounts"][last] += 10

        self._rewrite(change)


# -- measuring -------------------------------------------------------------------------------------------
def _tree(pids: list[int]) -> list[int]:
    """The processes and all their descendants (from /proc, Linux)."""
    found, stack = [], list(pids)
    while stack:
        p = stack.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
        found.append(p)
    return found


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        return next((int(x.split()[1]) * 1024 for x in handle if x.startswith("Pss:")), 0)


class Sampler:
    """The peak memory of process trees while they run, summed over every process in them.

    RSS counts a page shared by two processes (a library, or memory a forked worker shares with its
    parent) in each of them, so its sum overstates the tree; PSS divides each shared page among those that
    share it, so its sum is what the tree really holds. RSS is read every 50 ms (/proc/PID/statm costs
    microseconds); PSS every second, since smaps_rollup walks the page tables (some milliseconds a process,
    which read every 50 ms would slow the build it measures). forslag and the bare WeasyPrint it is compared
    with are sampled alike.
    """

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.rss = self.pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sum(self, read: Callable[[int], int]) -> int:
        total = 0
        for pid in _tree(self.pids):
            try:
                total += read(pid)
            except (OSError, ValueError):
                continue
        return total

    def _sample(self) -> None:
        last_pss = 0.0
        while not self._stop.is_set():
            self.rss = max(self.rss, self._sum(_rss))
            if time.monotonic() - last_pss >= 1.0:
                self.pss, last_pss = max(self.pss, self._sum(_pss)), time.monotonic()
            self._stop.wait(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Timed:
    seconds: float
    peak_rss: int = 0  # the largest sum of RSS over the process tree seen while it ran
    peak_pss: int = 0  # the same for PSS
    output: str = ""


def run(args: list[str], cwd: Path, sample: bool = False) -> Timed:
    """Run a command to its end: wall seconds and, with `sample`, the peak memory of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler([proc.pid])
    if sample:
        with sampler:
            output, _ = proc.communicate()
    else:
        output, _ = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{output}")
    return Timed(seconds, sampler.rss, sampler.pss, output)


def _forslag() -> list[str]:
    script = Path(sys.executable).parent / "forslag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "forslag.cli"]


def _wait_for(path: Path, before: tuple[int, int], started: float, timeout: float = 300.0) -> float:
    """Seconds from `started` until `path` is not what `before` recorded (mtime, size): new bytes on disk."""
    deadline = started + timeout
    while time.perf_counter() < deadline:
        try:
            st = path.stat()
            if (st.st_mtime_ns, st.st_size) != before:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit(f"benchmark: {path} did not change within {timeout} s")


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


class Serve:
    """`forslag serve` in a subprocess, and its /events stream followed as an open page follows it."""

    def __init__(self, folder: Path, out: Path, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*_forslag(), "serve", str(folder), "--out", str(out)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("serving "):
            raise SystemExit(f"benchmark: forslag serve did not start: {line}{self.proc.stdout.read()}")
        self.url = line.split()[1]
        threading.Thread(target=self._drain, daemon=True).start()
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._follow, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def _follow(self) -> None:
        try:
            # From the first event on: the server may be ready before this stream is open.
            request = urllib.request.Request(self.url + "events", headers={"Last-Event-ID": "0"})
            with urllib.request.urlopen(request, timeout=600) as stream:
                for raw in stream:
                    line = raw.decode()
                    if line.startswith("data: "):
                        self.events.put(json.loads(line[6:]))
        except OSError:
            pass

    def wait(self, name: str, kind: str, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise SystemExit("benchmark: forslag serve stopped") from None
                continue
            if event["name"] == name and event["kind"] == kind:
                return
        raise SystemExit(f"benchmark: no {kind} event for {name}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(120)


class BarePrinter:
    """A warm bare WeasyPrint in its own process: the floor for the preview's PDF."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BARE, "--serve"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.proc.stdout.readline()

    def print(self, html: Path) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{html}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def layout(self, html: Path) -> float:
        """CPU seconds WeasyPrint spends laying out `html` (no PDF written)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"layout {html}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


# -- the report ------------------------------------------------------------------------------------------
@dataclass
class Figure:
    name: str
    values: list[float] = field(default_factory=list)
    unit: str = "s"
    target: float | None = None  # the figure must be at most this
    note: str = ""

    def cell(self) -> str:
        if not self.values:
            return "–"
        digits = 0 if self.unit in ("MiB", "ms") else 2
        suffix = {"s": " s", "×": "×", "MiB": " MiB", "ms": " ms"}[self.unit]
        median, low, high = statistics.median(self.values), min(self.values), max(self.values)
        return f"{median:.{digits}f}{suffix} ({low:.{digits}f}–{high:.{digits}f})"

    def verdict(self) -> str:
        if self.target is None or not self.values:
            return ""
        met = statistics.median(self.values) <= self.target
        unit = {"s": " s", "×": "×", "MiB": " MiB", "ms": " ms"}[self.unit]
        return f"≤ {self.target:g}{unit}: {'met' if met else 'NOT met'}"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{model}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}){load}; "
        f"Python {platform.python_version()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def table(figures: list[Figure]) -> str:
    lines = ["| measure | median (min–max) | target |", "| --- | --- | --- |"]
    lines += [f"| {f.name} | {f.cell()} | {f.verdict()} |" for f in figures]
    return "\n".join(lines)


# -- the run ---------------------------------------------------------------------------------------------
def _pick(out: Path, sources: list[Path]) -> Path:
    """The proposal the edits are made to: one of 4 or 5 pages, as the preview's target says."""
    cache = out / ".forslag-cache"
    for source in sources:
        entry = json.loads((cache / f"{source.stem}.json").read_text())
        if entry["summary"].get("pages") in (4, 5):
            return source
    return sources[len(sources) // 2]


def layout_cpu(work: Path, rounds: int, say: Callable[[str], None]) -> list[Figure]:
    """Today's HTML of the three examples against the HTML the issue measured (tests/data/bench/before),
    laid out by one warm bare WeasyPrint, interleaved (the order swapped every round)."""
    before, after = work / "layout-before", work / "layout-after"
    shutil.copytree(BEFORE, before)
    examples = sorted(BEFORE.glob("*.html"))
    sources = [EXAMPLES / f"{html.stem}.yaml" for html in examples]
    run([*_forslag(), "build", *map(str, sources), "--out", str(after), "--format", "html"], work)
    _copy_fonts(before / "assets")
    old = Figure("layout CPU of the three examples, the issue's HTML (bare WeasyPrint, warm)", unit="ms")
    new = Figure("layout CPU of the three examples, today's HTML (the same)", unit="ms")
    ratio = Figure("layout CPU, today's HTML / the issue's HTML", unit="×", target=0.75)
    printer = BarePrinter(work)
    try:
        for html in examples:  # warm both up once: fonts, caches, the first use of every code path
            printer.layout(before / html.name)
            printer.layout(after / html.name)
        for r in range(rounds * 2):
            pair = {"before": 0.0, "after": 0.0}
            for which in ("before", "after") if r % 2 == 0 else ("after", "before"):
                folder = before if which == "before" else after
                pair[which] = sum(printer.layout(folder / html.name) for html in examples)
            old.values.append(pair["before"] * 1000)
            new.values.append(pair["after"] * 1000)
            ratio.values.append(pair["after"] / pair["before"])
        say(f"layout CPU: {statistics.median(ratio.values):.2f}× the issue's HTML")
    finally:
        printer.close()
    return [old, new, ratio]


def _copy_fonts(folder: Path) -> None:
    from forslag.document.fonts import font_paths

    folder.mkdir(parents=True, exist_ok=True)
    for font in font_paths():
        shutil.copy(font, folder / font.name)


def bench(count: int, rounds: int, commits: int, say: Callable[[str], None]) -> list[Figure]:
    tool = _forslag()
    with tempfile.TemporaryDirectory(prefix="forslag-bench-") as tmp:
        work = Path(tmp)
        repo = work / "case"
        sources = make_corpus(repo, count, commits)
        corpus = repo / "proposals"
        say(f"corpus: {count} proposals in a git repository of {commits} commits ({repo})")
        layout = layout_cpu(work, rounds, say)

        out = work / "out"
        first = run([*tool, "build", str(corpus), "--out", str(out), "--jobs", "2"], work)
        say(f"first cold build: {first.seconds:.1f} s")
        htmls = sorted(str(out / f"{s.stem}.html") for s in sources)

        cold = Figure(f"cold build of {count}, `--jobs 2`, binding included")
        bare = Figure(f"bare WeasyPrint, same {count} HTML, 2 processes")
        ratio = Figure("cold build / bare WeasyPrint", unit="×")
        unbound = Figure(f"cold build of {count}, `--jobs 2`, `--no-bind`")
        # Printing the proposals against the floor; binding is measured on its own (bind_share).
        unbound_ratio = Figure("cold build without binding / bare WeasyPrint", unit="×", target=1.05)
        bind_share = Figure(f"cold bind of {count} on top of printing (cold build − `--no-bind`)", target=2.5)
        tree = f"of the process tree, {count} with `--jobs 2`"
        memory = Figure(f"peak memory (sum of RSS) {tree}", unit="MiB", target=300)
        memory_pss = Figure(f"peak memory (sum of PSS) {tree}", unit="MiB")
        bare_memory = Figure("peak memory (sum of RSS) of bare WeasyPrint, 2 processes", unit="MiB")
        for r in range(rounds):
            times: dict[str, float] = {}
            kinds = ["forslag", "bare", "unbound"]
            for which in kinds[r % 3 :] + kinds[: r % 3]:  # each goes first in turn
                if which == "unbound":  # the same build, binding left out: what printing the proposals costs
                    target = work / f"cold-{r}"
                    t = run([*tool, "build", str(corpus), "--out", str(target), "--jobs", "2", "--no-bind"], work)
                    shutil.rmtree(target)
                elif which == "forslag":
                    target = work / f"cold-{r}"
                    t = run([*tool, "build", str(corpus), "--out", str(target), "--jobs", "2"], work, sample=True)
                    memory.values.append(t.peak_rss / MIB)
                    memory_pss.values.append(t.peak_pss / MIB)
                    shutil.rmtree(target)
                else:
                    halves = [htmls[0::2], htmls[1::2]]
                    started = time.perf_counter()
                    procs = [subprocess.Popen([sys.executable, "-c", _BARE, *h], cwd=work) for h in halves if h]
                    with Sampler([p.pid for p in procs]) as sampler:
                        if any(p.wait() != 0 for p in procs):
                            raise SystemExit("benchmark: bare WeasyPrint failed")
                    t = Timed(time.perf_counter() - started)
                    bare_memory.values.append(sampler.rss / MIB)
                times[which] = t.seconds
            cold.values.append(times["forslag"])
            bare.values.append(times["bare"])
            ratio.values.append(times["forslag"] / times["bare"])
            unbound.values.append(times["unbound"])
            unbound_ratio.values.append(times["unbound"] / times["bare"])
            bind_share.values.append(times["forslag"] - times["unbound"])
            say(
                f"round {r + 1}/{rounds}: cold {times['forslag']:.1f} s, bare {times['bare']:.1f} s, "
                f"without binding {times['unbound']:.1f} s"
            )

        noop = Figure(f"no-op build of {count} in a repository of {commits} commits", target=0.25)
        for _ in range(max(5, rounds)):
            noop.values.append(run([*tool, "build", str(corpus), "--out", str(out)], work).seconds)
        say(f"no-op: {statistics.median(noop.values):.2f} s")

        edited = _pick(out, sources)
        edits = Edits(edited)
        pages = json.loads((out / ".forslag-cache" / f"{edited.stem}.json").read_text())["summary"]["pages"]
        label = f"{edited.name}, {pages} pages"
        one_prose = Figure(f"prose edit, then `forslag build {edited.name}` (new process)", target=1.3)
        one_amount = Figure(f"amount edit, then `forslag build {edited.name}` (new process)", target=1.3)
        one_bare = Figure("bare WeasyPrint on its HTML in a new process")
        one_ratio = Figure("`forslag build one.yaml` / bare WeasyPrint, new process", unit="×")
        folder_prose = Figure("prose edit, then `forslag build` of the folder (binds)", target=1.5)
        folder_amount = Figure("amount edit, then `forslag build` of the folder (binds)", target=2.0)
        edit_memory = Figure("peak memory (sum of RSS) of those folder builds", unit="MiB", target=300)
        for r in range(rounds):
            edits.prose()
            if r % 2:  # the bare print first every other round, so neither always runs on a warmer machine
                b = run([sys.executable, "-c", _BARE, str(out / f"{edited.stem}.html")], work)
            t = run([*tool, "build", str(edited), "--out", str(out)], work)
            one_prose.values.append(t.seconds)
            if not r % 2:
                b = run([sys.executable, "-c", _BARE, str(out / f"{edited.stem}.html")], work)
            one_bare.values.append(b.seconds)
            one_ratio.values.append(t.seconds / b.seconds)
            # Each folder build follows a one-file build of the same kind of edit, so what it binds is what
            # that kind changes since the last binding: after prose, no part of the front (no page moved);
            # after amounts, the summary.
            edits.prose()
            t = run([*tool, "build", str(corpus), "--out", str(out)], work, sample=True)
            folder_prose.values.append(t.seconds)
            edit_memory.values.append(t.peak_rss / MIB)
            edits.amount()
            one_amount.values.append(run([*tool, "build", str(edited), "--out", str(out)], work).seconds)
            edits.amount()
            t = run([*tool, "build", str(corpus), "--out", str(out)], work, sample=True)
            folder_amount.values.append(t.seconds)
            edit_memory.values.append(t.peak_rss / MIB)
            say(
                f"round {r + 1}/{rounds}: one file {one_prose.values[-1]:.2f}/{one_amount.values[-1]:.2f} s, "
                f"bare {b.seconds:.2f} s, folder {folder_prose.values[-1]:.2f}/{folder_amount.values[-1]:.2f} s"
            )

        html_new = Figure(f"serve: save → new HTML on disk ({label})", target=0.3)
        pdf_new = Figure(f"serve: save → new PDF on disk ({label})", target=1.0)
        case_new = Figure("serve: save → the refreshed bound case, asked for by its open page", target=1.5)
        warm_bare = Figure("warm bare WeasyPrint on the same HTML")
        serve_ratio = Figure("serve save → PDF / warm bare WeasyPrint", unit="×")
        from forslag.batch.bind import slug

        bound_name = slug(yaml.safe_load((corpus / "case.yaml").read_text())["name"]) + ".pdf"
        server = Serve(corpus, out, work)
        printer = BarePrinter(work)
        try:
            server.wait("*", "ready")
            html, pdf = out / f"{edited.stem}.html", out / f"{edited.stem}.pdf"
            for r in range(rounds * 2):
                before_html, before_pdf = _stat(html), _stat(pdf)
                started = time.perf_counter()
                if r % 2:
                    edits.amount()
                else:
                    edits.prose()
                html_new.values.append(_wait_for(html, before_html, started))
                pdf_new.values.append(_wait_for(pdf, before_pdf, started))
                # A page open on the bound case asks for it again when the proposal is new: the server binds
                # then (without waiting for the writer to pause) and answers with the refreshed case.
                with urllib.request.urlopen(server.url + bound_name, timeout=600) as response:
                    response.read()
                case_new.values.append(time.perf_counter() - started)
                server.wait("case", "bound")  # the case is bound before the next save
                warm_bare.values.append(printer.print(html))
                serve_ratio.values.append(pdf_new.values[-1] / warm_bare.values[-1])
                say(
                    f"serve {r + 1}/{rounds * 2} ({'amount' if r % 2 else 'prose'}): HTML "
                    f"{html_new.values[-1]:.2f} s, PDF {pdf_new.values[-1]:.2f} s, "
                    f"warm bare {warm_bare.values[-1]:.2f} s"
                )
        finally:
            printer.close()
            code = server.stop()
        if code != 0:
            raise SystemExit(f"benchmark: forslag serve exited with {code} on Ctrl-C")

    return [
        html_new,
        pdf_new,
        case_new,
        warm_bare,
        serve_ratio,
        one_prose,
        one_amount,
        one_bare,
        one_ratio,
        folder_prose,
        folder_amount,
        edit_memory,
        noop,
        cold,
        bare,
        ratio,
        unbound,
        unbound_ratio,
        bind_share,
        memory,
        memory_pss,
        bare_memory,
        *layout,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="proposals in the corpus (default 100; --quick: 2)")
    parser.add_argument("--rounds", type=int, help="rounds of every comparison (default 5; --quick: 1)")
    parser.add_argument("--commits", type=int, help="commits in the corpus's history (default 300; --quick: 10)")
    parser.add_argument("--quick", action="store_true", help="a small corpus and one round: that it runs")
    args = parser.parse_args(argv)
    count = args.count or (2 if args.quick else 100)
    rounds = args.rounds or (1 if args.quick else 5)
    commits = args.commits or (10 if args.quick else 300)
    where = machine()
    print(f"forslag bench: {count} proposals, {rounds} rounds; {where}", flush=True)
    figures = bench(count, rounds, commits, lambda line: print(line, flush=True))
    print(f"\n{count} proposals, {rounds} rounds, {commits} commits; {where}\n")
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
