"""The bound case: a cover, contents and summary in front of every proposal's own PDF, plus an HTML index."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from forslag import __version__
from forslag.batch.names import proposal_writing
from forslag.batch.state import file_digest, seen
from forslag.batch.writeout import write_atomic
from forslag.errors import ForslagError, SourceError

if TYPE_CHECKING:
    from forslag.batch.pool import Pool
    from forslag.batch.state import BuildOptions, Cache, Report
    from forslag.source.model import Case

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def contents_pages_guess(count: int) -> int:
    """The cover and contents' length before they are laid out (the cover, then about 35 rows a page).

    A wrong guess costs one more layout of the contents; later builds reuse the length they measured.
    """
    return 1 + max(1, -(-count // 35))


def slug(text: str) -> str:
    """A file name from a case name: 'Overførselssagen 2025-2026' -> 'overfoerselssagen-2025-2026'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sag"


def _pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}000000Z"


def case_totals(members: list[dict[str, Any]], width: int) -> dict[str, Any]:
    """The summary's bottom row: sums across proposals, and the payback of their summed flows."""
    from forslag.economy.calc import payback, sum_rows  # here: a no-op build never needs the arithmetic

    net = sum_rows([tuple(m["net"]) for m in members], width)
    impact = sum_rows([tuple(m["impact"]) for m in members], width)
    return {
        "investment": sum(m["investment"] for m in members),
        "net": list(net),
        "payback_total": payback(impact, sum(m["steady"] for m in members)).years,
    }


def pool_lines(case: Case, members: list[dict[str, Any]], state: str | None) -> dict[str, Any]:
    """The finance centre's lines of the summary: the pool's budget against what the members ask for, and
    the state each member is in (and the state the case was bound for, when only one was)."""
    from forslag.economy.pool import Ask, pool_use

    use = pool_use(case.pool_budget, case.years, [Ask(m["state"], tuple(m["asked"])) for m in members])
    return {"use": use, "over": [year for year, _, _ in use.over()], "state": state}


def _front(
    case: Case,
    members: list[dict[str, Any]],
    links: bool,
    for_print: bool,
    templates: Path | None,
    part: str = "all",
    state: str | None = None,
) -> str:
    from markupsafe import Markup

    from forslag.document.fonts import font_face_css
    from forslag.document.render import environment

    return (
        environment(templates)
        .get_template("case.html.j2")
        .render(
            case=case,
            proposals=members,
            totals=case_totals(members, len(case.years)),
            pool=pool_lines(case, members, state),
            links=links,
            part=part,
            version=__version__,
            fonts_css=Markup(font_face_css(for_print)),
        )
    )


def key_case(case_path: Path) -> str:
    return hashlib.sha256(case_path.read_bytes()).hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _starts(members: list[dict[str, Any]], front_pages: int) -> list[int]:
    """The page in the bound PDF where each proposal starts."""
    starts, page = [], front_pages + 1
    for m in members:
        starts.append(page)
        page += m["pages"]
    return starts


class Front:
    """The bound case's front in two parts, each printed again only when what it shows has changed.

    The summary shows the proposals' economies; the cover and contents show titles and page numbers, which
    count on from the front's own length. A prose edit that adds a page prints the contents again; an edit
    to an amount prints the summary again; most edits print neither.
    """

    def __init__(
        self,
        case: Case,
        members: list[dict[str, Any]],
        options: BuildOptions,
        folder: Path,
        layout: str,
        case_key: str,
        previous: dict[str, Any],
        case_path: Path,
    ) -> None:
        self.case, self.members, self.options, self.folder = case, members, options, folder
        self.case_path = case_path
        self.layout, self.case_key, self.previous = layout, case_key, previous
        self.record: dict[str, Any] = {}
        self.pool: Pool | None = None  # a child that prints the front, started on first need

    def _part(self, part: str, key: str, make: Callable[[], tuple[bytes, int]]) -> tuple[bytes, int]:
        path = self.folder / f"front-{part}.pdf"
        old = self.previous.get(part, {})
        data = b""
        if not self.options.force and old.get("key") == key:
            # Reused only when its bytes are the ones printed: a damaged part is printed again.
            with contextlib.suppress(OSError):
                data = path.read_bytes()
        if data and file_digest(data) == old.get("sha256"):
            pages = int(old["pages"])
        else:
            data, pages = make()
            write_atomic(path, data, self.options.out)
        self.record[part] = {"key": key, "pages": pages, "sha256": file_digest(data)}
        return data, pages

    def _print(self, part: str, key: str) -> tuple[bytes, int]:
        """Print a front part in a child, as proposals are: a front of a hundred rows takes WeasyPrint tens of
        megabytes, which this process would otherwise still hold while it binds (the build's memory peak)."""
        from forslag.batch.jobs import Prepared, Print, PrintJob, Result

        html = _front(self.case, self.members, False, True, self.options.templates, part, self.options.state)
        request = Print("pdf", html, self.options.out, key[:32].encode(), self.case.date, {})
        if self.pool is None:
            from forslag.batch.pool import Pool

            self.pool = Pool(1, self.options.limits)
        [result] = self.pool.results([PrintJob(Prepared(Result(self.case_path), [request]))], keep=True)
        if result.problems:
            raise ForslagError(f"cannot print the bound case's {part}: {result.problems[0]}")
        return result.files["pdf"], int(result.summary["pages"])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def parts(self) -> tuple[bytes, bytes, int]:
        """The contents and summary PDFs, and the front's total length."""
        economy = [
            [
                m["title"],
                m["investment"],
                m["net"],
                m["impact"],
                m["steady"],
                m["payback_total"],
                m["asked"],
                m["state"],
                m["approval_date"],
            ]
            for m in self.members
        ]
        summary_key = _digest(self.layout, self.case_key, "summary", economy, self.options.state)
        summary, summary_pages = self._part("summary", summary_key, lambda: self._print("summary", summary_key))
        listing = [[m["title"], m["administration"], m["pages"]] for m in self.members]
        contents_pages = self.previous.get("contents", {}).get("pages") or contents_pages_guess(len(self.members))
        contents_pages = max(1, min(contents_pages, 1000))
        contents = b""
        # The page numbers depend on the front's own length: lay out the contents until the two agree
        # (no layout at all when nothing they show has changed).
        for _ in range(4):
            front_pages = contents_pages + summary_pages
            for m, start in zip(self.members, _starts(self.members, front_pages), strict=True):
                m["start_page"] = start
            key = _digest(self.layout, self.case_key, "contents", listing, front_pages)
            contents, count = self._part("contents", key, functools.partial(self._print, "contents", key))
            if count == contents_pages:
                break
            contents_pages = count
        return contents, summary, contents_pages + summary_pages


def _bind_pdf(
    case: Case, members: list[dict[str, Any]], options: BuildOptions, contents: bytes, summary: bytes
) -> bytes:
    """The bound PDF: cover and contents, the summary, then every proposal's PDF as printed (see merge.py)."""
    from forslag.batch.merge import Part, merge
    from forslag.document.xmp import Xmp

    title = f"{case.name}: {case.document_type}"
    parts = [
        Part(contents, "Forside og indhold", nest_bookmarks=False),
        Part(summary, "Økonomien samlet", nest_bookmarks=False),
    ] + [Part(options.out / f"{m['name']}.pdf", m["title"]) for m in members]
    producer = f"forslag {__version__}"
    xmp = Xmp(
        title=title,
        creators=[case.municipality],
        description=case.name,
        producer=producer,
        creator_tool=producer,
        # The same instant as the information dictionary's dates (PDF/A wants them to agree).
        created=f"{case.date.isoformat()}T00:00:00Z",
        modified=f"{case.date.isoformat()}T00:00:00Z",
    )
    info = {
        "Title": title,
        "Author": case.municipality,
        "Subject": case.name,
        "Creator": producer,
        "Producer": producer,
        "CreationDate": _pdf_date(case.date),
        "ModDate": _pdf_date(case.date),
    }
    return merge(parts, xmp, info)


def _hrefs(name: str) -> dict[str, str]:
    """Links from the case index to a proposal's files: each a relative path, percent-encoded, and starting
    with './' so no file name (`javascript:…`, `a#b`, `50%`, `?`) can read as a scheme, fragment or query."""
    return {suffix + "_href": "./" + quote(f"{name}.{suffix}", safe="") for suffix in ("html", "pdf")}


def _cache_name(case_path: Path, state: str | None) -> str:
    """The bound case's cache entry, named after the case file's place (and the state it was bound for), so a
    no-op build need not parse the case to find it."""
    return "_case-" + hashlib.sha256((str(case_path) + (f"\0{state}" if state else "")).encode()).hexdigest()[:16]


def _group(sources: list[Path], cases: dict[Path, Path], entries: dict[Path, dict[str, Any]]) -> dict[Path, list[Path]]:
    """Proposals by the case file they were built with (their `case:`), never by the folder they lie in."""
    groups: dict[Path, list[Path]] = {}
    for source in sources:
        case = Path(entries[source]["case"]) if source in entries else cases[source]
        groups.setdefault(case, []).append(source)
    return groups


def bind_cases(
    sources: list[Path],
    cases: dict[Path, Path],
    entries: dict[Path, dict[str, Any]],
    report: Report,
    options: BuildOptions,
    layout: str,
    echo: Callable[[str], None],
) -> None:
    """Bind one document per case, from the proposals that belong to it; a case with a failed member is not
    bound, and two cases that would be bound under the same name are both refused."""
    from forslag.batch.state import Cache, valid_bound_entry

    cache = Cache(options.out)
    plans: list[tuple[Path, list[Path], str, str, dict[str, Any] | None, Case | None]] = []
    for case_path, members in _group(sources, cases, entries).items():
        failed = [m for m in members if m in report.failed]
        if failed:
            report.unbound.append(case_path)
            echo(f"not bound: {case_path}: {len(failed)} proposal(s) failed; the case is bound when all build")
            continue
        if not case_path.is_file():
            continue
        key = hashlib.sha256(
            json.dumps(
                [
                    layout,
                    sorted(options.formats),
                    key_case(case_path),
                    [[s.stem, entries[s]["key"], entries[s]["outputs"]] for s in members],
                ]
            ).encode()
        ).hexdigest()
        # Named after the case file's place, so a no-op build need not parse the case to find its entry.
        cache_name = _cache_name(case_path, options.state)
        fresh = None if options.force else cache.fresh(cache_name, key, options.out, valid_bound_entry)
        case = None
        if fresh is not None and fresh["outputs"]:
            name = Path(sorted(fresh["outputs"])[0]).stem
        else:
            fresh = None
            from forslag.source.load import load_case

            try:
                case = load_case(case_path).case
            except SourceError as exc:
                report.failed[case_path] = [str(p) for p in exc.problems]
                continue
            # A case bound for one state is a document of its own beside the whole case's.
            name = slug(case.name) + (f"-{options.state}" if options.state else "")
        owner = proposal_writing(f"{name}.pdf", sources)
        if owner is not None:
            report.failed[case_path] = [f"{case_path}: the bound case would overwrite {name}.pdf, which {owner} writes"]
            continue
        plans.append((case_path, members, key, name, fresh, case))

    taken: dict[str, list[Path]] = {}
    for case_path, _members, _key, name, _fresh, _case in plans:
        taken.setdefault(name, []).append(case_path)
    for case_path, members, key, name, fresh, case in plans:
        if len(taken[name]) > 1:
            others = " and ".join(str(p) for p in taken[name])
            report.failed[case_path] = [
                f"{case_path}: the cases {others} would both be bound as {options.out / name}.pdf; give them "
                "different names (`name:` in the case file) or build them into different --out folders"
            ]
            continue
        if fresh is not None:
            report.bound_fresh.append(case_path)
            continue
        assert case is not None
        _bind_one(case_path, case, members, key, name, entries, report, options, layout, cache, echo)


def _bind_one(
    case_path: Path,
    case: Case,
    members: list[Path],
    key: str,
    name: str,
    entries: dict[Path, dict[str, Any]],
    report: Report,
    options: BuildOptions,
    layout: str,
    cache: Cache,
    echo: Callable[[str], None],
) -> None:
    from forslag.batch.state import valid_bound_entry

    cache_name = _cache_name(case_path, options.state)
    summaries = [{**entries[s]["summary"], "name": s.stem, **_hrefs(s.stem)} for s in members]
    stale = [s for s, m in zip(members, summaries, strict=True) if len(m["net"]) != len(case.years)]
    if stale:
        report.failed[case_path] = [
            f"{s}: built for other years than its case {case_path}; build again with --force" for s in stale
        ]
        return
    previous = cache.get(cache_name, valid_bound_entry) or {}
    outputs: dict[str, list[Any]] = {}
    front = Front(case, summaries, options, cache.folder / cache_name, layout, key_case(case_path), previous, case_path)
    if "pdf" in options.formats:
        try:
            contents, summary, _ = front.parts()
        finally:
            front.close()
        try:
            data = _bind_pdf(case, summaries, options, contents, summary)
        except Exception as exc:  # a proposal's PDF changed under the build (the cache then rebuilds it)
            report.failed[case_path] = [
                f"{case_path}: cannot bind the case: a proposal's PDF in {options.out} is unreadable "
                f"({type(exc).__name__}); build again"
            ]
            return
        target = options.out / f"{name}.pdf"
        write_atomic(target, data, options.out)
        outputs[target.name] = [len(data), file_digest(data)]
        report.written.append(target)
    if "html" in options.formats:
        data = _front(case, summaries, True, False, options.templates, state=options.state).encode()
        target = options.out / f"{name}.html"
        write_atomic(target, data, options.out)
        outputs[target.name] = [len(data), file_digest(data)]
        report.written.append(target)
    stats = {file: seen(options.out / file) for file in outputs}
    cache.put(cache_name, {"key": key, "outputs": outputs, "seen": stats, "source": str(case_path), **front.record})
    report.bound.append(case_path)
    echo(f"bound: {case.name} -> {', '.join(str(options.out / f) for f in outputs)}")
