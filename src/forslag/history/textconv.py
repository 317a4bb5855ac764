"""`forslag textconv`: a proposal's computed economy as stable text, for git's diff driver.

git hands a driver either the file in the working tree or a temporary copy of an old version named
`XXXXXX_<name>.yaml`, with no case file beside it; git runs the driver from the top of the working tree. The
case is then taken from the working tree: the folder of a tracked file of the same name, else the only
case file in the repository. The text ends with the source itself, so the YAML's own diff stays visible.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from forslag.document import danish
from forslag.errors import ForslagError, SourceError
from forslag.history.facts import HEADLINE_FIGURES, PAYBACK_LABELS
from forslag.history.revisions import git_bytes
from forslag.source.sources import CASE_FILE

_GIT_TEMP = re.compile(r"^[A-Za-z0-9]{6}_(?=.)")


def _original_name(file: Path) -> str:
    return _GIT_TEMP.sub("", file.name) if not (file.parent / CASE_FILE).exists() else file.name


def _case_folder(name: str, cwd: Path) -> Path | None:
    """Where the case lives for a file git copied out of the repository: a tracked file's folder by name."""
    listed = git_bytes(cwd, "ls-files", "-z", "--full-name") or b""
    paths = [Path(p.decode("utf-8", errors="replace")) for p in listed.split(b"\0") if p]
    same = sorted(p.parent for p in paths if p.name == name and (cwd / p.parent / CASE_FILE).is_file())
    if same:
        return cwd / same[0]
    cases = sorted(p.parent for p in paths if p.name == CASE_FILE)
    if len(cases) == 1:
        return cwd / cases[0]
    return None


COLUMN = 9  # room for -99.999.999 (1.000 kr.): wider amounts widen every column


def _table(economy: object) -> list[str]:
    from forslag.economy.calc import Economy

    assert isinstance(economy, Economy)
    e = economy
    rows: list[tuple[str, tuple[int | None, ...]]] = []
    rows.append(("Varige ændringer", ()))
    rows += [(f"  {c.row.label} [{c.line.id}]", c.row.values) for c in e.permanent]
    rows += [(r.label, r.values) for r in e.permanent_totals]
    if e.implementation:
        rows.append(("Implementeringsomkostninger", ()))
        rows += [(f"  {c.row.label} [{c.line.id}]", c.row.values) for c in e.implementation]
        rows += [(r.label, r.values) for r in e.implementation_totals]
    rows.append((e.impact.label, e.impact.values))
    cells = [[danish.cell(v) or "." for v in values] for _, values in rows]
    # Fixed columns and the label last: a renamed row or a longer amount moves no other line of the diff.
    col = max([COLUMN] + [len(c) for row in cells for c in row])
    blank = " " * (col + 2) * len(e.years)
    out = [f"Tabel 1 (1.000 kr. {e.price_level} p/l)", "".join(f"  {y:>{col}}" for y in e.years)]
    for (label, values), row in zip(rows, cells, strict=True):
        numbers = "".join(f"  {c:>{col}}" for c in row) if values else blank
        out.append(f"{numbers}  {label.strip()}" if values else f"{blank}  {label}")
    return out


def economy_text(file: Path, shown: str) -> str:
    """The computed economy of one proposal, loaded where it lies; raises SourceError."""
    from forslag.document.prose import format_figure
    from forslag.economy.derive import proposal_economy
    from forslag.source.load import load_proposal

    loaded = load_proposal(file)
    # The same economy the documents print: a business case's derived Tabel 1 rows included.
    _, e, _ = proposal_economy(loaded.proposal, loaded.case.case)
    lines = [f"forslag: {shown}: {loaded.proposal.title}", "", *_table(e), ""]
    lines.append(f"{PAYBACK_LABELS['service']}: {danish.years(e.payback_service.years)}")
    lines.append(f"{PAYBACK_LABELS['total']}: {danish.years(e.payback_total.years)}")
    for name, label in HEADLINE_FIGURES.items():
        figure = e.figures.get(name)
        if figure is None or figure.value is None:
            continue
        value = str(figure.value) if figure.kind == "year" else danish.number(figure.value)
        lines.append(f"{label}: {value}")
    business_case = sorted(name for name in e.figures if name.startswith("bc."))
    if business_case:
        lines += ["", "Business case"]
        lines += [f"  {name}: {format_figure(e.figures[name], set())}" for name in business_case]
    return "\n".join(lines) + "\n"


def _with_source(head: str, source: str) -> str:
    return f"{head}\n--- source ---\n{source}" + ("" if source.endswith("\n") else "\n")


def _read(file: Path) -> tuple[bytes, str] | str:
    """The file's bytes and text, or what git should show when it cannot be read."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return f"forslag: cannot read {file}: {exc.strerror or exc}\n"
    return data, data.decode("utf-8", errors="replace")


def textconv_failed(where: tuple[Path, Path], problems: list[str]) -> str:
    """What git shows when computing a version failed as a whole (a fault, a limit): the problems, the source."""
    file = where[0]
    read = _read(file)
    if isinstance(read, str):
        return read
    name = _original_name(file)
    lines = "".join(f"error: {p.replace(str(file), name)}\n" for p in problems)
    return _with_source(f"forslag: {name}: cannot be computed\n{lines}", read[1])


def textconv_at(where: tuple[Path, Path]) -> str:
    """`textconv` of (file, cwd), for a bounded child (one argument)."""
    return textconv(*where)


def textconv(file: Path, cwd: Path) -> str:
    """What git shows for one version of a proposal: its economy, or its errors, then the source."""
    read = _read(file)
    if isinstance(read, str):
        return read
    data, source = read
    name = _original_name(file)
    try:
        if (file.parent / CASE_FILE).exists():
            head = economy_text(file, name)
        else:
            head = _economy_elsewhere(file, name, data, cwd)
    except SourceError as exc:
        problems = [str(p).replace(str(file), name) for p in exc.problems]
        head = f"forslag: {name}: invalid source\n" + "".join(f"error: {p}\n" for p in problems)
    except ForslagError as exc:
        head = f"forslag: {name}: {str(exc).replace(str(file), name)}\n"
    return _with_source(head, source)


def _economy_elsewhere(file: Path, name: str, data: bytes, cwd: Path) -> str:
    folder = _case_folder(name, cwd)
    if folder is None:
        raise ForslagError(f"no {CASE_FILE} found for {name} in {cwd}; the economy needs the case's years")
    with tempfile.TemporaryDirectory(prefix="forslag-textconv-") as tmp:
        # The copy sits beside the working tree's case file, as the loader expects (a proposal that names
        # another case file with `case:` is reported as missing it).
        target = Path(tmp) / name
        target.write_bytes(data)
        shutil.copyfile(folder / CASE_FILE, target.parent / CASE_FILE)
        return economy_text(target, name).replace(str(target), name)
