"""The bound case: a cover, contents and summary in front of every proposal's own PDF, plus an HTML index."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from forslag import __version__
from forslag.batch.names import proposal_writing
from forslag.batch.state import file_digest, seen
from forslag.batch.writeout import write_atomic
from forslag.errors import ForslagError, SourceError

if TYPE_CHECKING:
    from forslag.batch.merge import Bound, Previous
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
    numbers: list[int] | None = None,
    state: str | None = None,
) -> str:
    """The front as HTML: the index (`part` "all"), or one part for print, its pages numbered from
    `numbers[0]` of `numbers[1]` (the bound case's numbering)."""
    from markupsafe import Markup

    from forslag.batch.merge import PART_LINK
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
            first_page=(numbers or [1, 0])[0],
            total_pages=(numbers or [1, 0])[1],
            part_link=PART_LINK,
            version=__version__,
            fonts_css=Markup(font_face_css(for_print)),
        )
    )


def key_case(case_path: Path) -> str:
    return hashlib.sha256(case_path.read_bytes()).hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _number_pages(members: list[dict[str, Any]], front_pages: int) -> int:
    """Each proposal's first page in the bound PDF (and its notat's, which follows it); the bound PDF's length."""
    page = front_pages + 1
    for m in members:
        m["start_page"] = page
        if m.get("annex"):
            m["annex"]["start_page"] = page + m["annex"]["offset"]
        page += m["pages"]
        if m.get("notat"):
            m["notat"]["start_page"] = page
            page += m["notat"]["pages"]
    return page - 1


def ordered(case: Case, case_path: Path, members: list[Path]) -> tuple[list[Path], list[str]]:
    """The proposals in the case's order (`order:` in case.yaml), the rest after them in name order; and the
    warnings: a proposal the order leaves out, a name in the order with no proposal."""
    by_name = {m.stem: m for m in members}
    listed = [by_name[name] for name in case.order if name in by_name]
    rest = sorted((m for m in members if m.stem not in case.order), key=lambda m: m.name)
    warnings = []
    if case.order:
        warnings += [
            f"{case_path}: {m.name} is not in the case's order; it is bound after the listed proposals" for m in rest
        ]
        warnings += [
            f"{case_path}: the order lists {name}, but there is no {name}.yaml in the case; remove it from the order"
            for name in case.order
            if name not in by_name
        ]
    return listed + rest, warnings


# The summary's own page numbers are drawn over at binding (folios.py); it is printed with these, so that
# what it shows depends on its amounts alone.
SUMMARY_NUMBERS = [1, 1]


# What the summary shows of each proposal.
SUMMARY_FIELDS = ("title", "investment", "net", "impact", "steady", "payback_total", "asked", "state", "approval_date")


def summary_key(layout: str, case_key: str, members: list[dict[str, Any]], state: str | None) -> str:
    """What the summary shows: the case, the templates, and each member's economy, in the bound order."""
    economy = [[m[f] for f in SUMMARY_FIELDS] for m in members]
    return _digest(layout, case_key, "summary", economy, state)


def _front_job(
    case: Case,
    case_path: Path,
    members: list[dict[str, Any]],
    options: BuildOptions,
    part: str,
    key: str,
    numbers: list[int],
    before: dict[str, Any] | None,
) -> tuple[Any, str]:
    """A front part as a print job for a child (see pool.py), its /ID from the part's key, and its page's shape.

    The layout plan recorded when the part was printed `before` is tried first if the page has the same shape
    (document/shape.py): an amount edit then lays the summary out once, not twice."""
    from forslag.batch.jobs import Prepared, Print, PrintJob, Result
    from forslag.document.shape import shape_digest

    html = _front(case, members, False, True, options.templates, part, numbers, options.state)
    shape = shape_digest(html)
    plan = before.get("plan") if before and before.get("shape") == shape else None
    request = Print("pdf", html, options.out, key[:32].encode(), case.date, {}, planned=True, plan=plan)
    return PrintJob(Prepared(Result(case_path), [request])), shape


@dataclass
class _Printed:
    """A front part as printed: its PDF, its length, and the plan its layout followed on a page of its shape."""

    data: bytes
    pages: int
    plan: Any = None
    shape: str = ""


def _printed(part: str, result: Any, shape: str) -> _Printed:
    if result.problems:
        raise ForslagError(f"cannot print the bound case's {part}: {result.problems[0]}")
    return _Printed(result.files["pdf"], int(result.summary["pages"]), result.summary.get("plan"), shape)


def _members(
    case: Case, case_path: Path, sources: list[Path], summaries: dict[Path, dict[str, Any]]
) -> tuple[list[Path], list[dict[str, Any]], list[str]]:
    """The case's proposals in its order, each one's summary as the front shows it, and the order's warnings."""
    members, warnings = ordered(case, case_path, sources)
    rows = [{**summaries[s], "name": s.stem, **_hrefs(s.stem), "notat": None, "annex": None} for s in members]
    return members, rows, warnings


class BindAhead:
    """What the bind can do while the one edited proposal prints: print the summary, read the previous file.

    After an edit, `forslag build` of a folder prepares the edited proposal in one child and prints it in
    another (build.py); `forslag serve` does the same in its worker. Its amounts are known once it is
    prepared, and so is everything the summary shows: when they change it, the summary is printed at once in
    a third child, beside the proposal, instead of after it. Meanwhile a thread of this process opens the
    previous bound PDF and reads its record (merge.open_previous): this process, only waiting for the
    children, has time for it. The bind then takes both (`take`, `take_previous`); a guess that does not hold (the case
    fails to load, another member is not built, the previous file changed) is dropped, and the bind does the
    work itself as it would have.
    """

    def __init__(
        self,
        sources: list[Path],
        cases: dict[Path, Path],
        entries: dict[Path, dict[str, Any]],
        options: BuildOptions,
        layout: str,
    ) -> None:
        self.sources, self.cases, self.entries, self.options, self.layout = sources, cases, entries, options, layout
        self.started: dict[str, tuple[Pool, str]] = {}
        self.warm: Pool | None = None  # a child loading WeasyPrint for the summary, not yet given it
        self.reading: tuple[Previous, threading.Thread, list[Any]] | None = None

    def prepared(self, source: Path, summary: dict[str, Any]) -> None:
        """`source` is prepared and its summary known: start what the bind will need."""
        try:
            self._start(source, summary)
        except Exception:  # a guess that fails costs nothing: the bind does the work itself
            self.close()

    def _start(self, source: Path, summary: dict[str, Any]) -> None:
        from forslag.batch.pool import Pool
        from forslag.batch.state import Cache, valid_bound_entry
        from forslag.source.load import load_case

        case_path = self.cases[source]
        if any(s not in self.entries for s in self.sources if s != source):
            return  # another proposal failed or is still to build: the case may not be bound at all
        # What the proposal showed the summary before this edit: if that changed, the summary will be printed,
        # and a child starts loading WeasyPrint now, while the case is read and the summary rendered here.
        before = (Cache(self.options.out).get(source.stem) or {}).get("summary") or {}
        if any(before.get(field) != summary.get(field) for field in SUMMARY_FIELDS):
            self.close()  # what was started for an earlier save is not wanted any more: one at a time
            self.warm = Pool(1, self.options.limits, warm=True)
            self.warm.start()
        group = [s for s in self.sources if s == source or Path(self.entries[s]["case"]) == case_path]
        summaries = {s: (summary if s == source else self.entries[s]["summary"]) for s in group}
        case = load_case(case_path).case
        if any(len(m["net"]) != len(case.years) for m in summaries.values()):
            return
        _, members, _ = _members(case, case_path, group, summaries)
        key = summary_key(self.layout, key_case(case_path), members, self.options.state)
        previous = Cache(self.options.out).get(_cache_name(case_path, self.options.state), valid_bound_entry) or {}
        if previous.get("summary", {}).get("key") != key and key not in self.started:
            if self.warm is None:
                self.close()  # what was started for an earlier save is not wanted any more: one at a time
            pool, self.warm = self.warm or Pool(1, self.options.limits), None
            plan = previous.get("summary")
            job, shape = _front_job(case, case_path, members, self.options, "summary", key, SUMMARY_NUMBERS, plan)
            pool.submit(job)
            self.started[key] = (pool, shape)
        if self.warm is not None:  # the summary shows nothing new after all
            self.warm.close()
            self.warm = None
        name = slug(case.name) + (f"-{self.options.state}" if self.options.state else "")
        bound = _previous(self.options, name, previous) if "pdf" in self.options.formats else None
        if bound is not None and self.reading is None:
            from forslag.batch.merge import open_previous

            box: list[Any] = []
            thread = threading.Thread(target=lambda: box.append(open_previous(bound)), name="forslag-previous")
            thread.start()
            self.reading = (bound, thread, box)

    def take(self, key: str) -> _Printed | None:
        """The summary printed ahead under `key`, once it is done; None if none was."""
        started = self.started.pop(key, None)
        if started is None:
            return None
        pool, shape = started
        try:
            [result] = pool.results([])
        finally:
            pool.close()
        return None if result.problems else _printed("summary", result, shape)

    def take_previous(self, previous: Previous) -> Any:
        """The previous bound PDF opened and read ahead, if it is `previous` (see refresh.open_previous)."""
        if self.reading is None:
            return None
        bound, thread, box = self.reading
        self.reading = None
        thread.join()
        opened = box[0] if box else None
        if opened is not None and (bound.data != previous.data or bound.parts != previous.parts):
            opened[0].close()
            return None
        return opened

    def close(self) -> None:
        for pool, _ in self.started.values():
            pool.close()
        self.started = {}
        if self.warm is not None:
            self.warm.close()
            self.warm = None
        if self.reading is not None:
            _, thread, box = self.reading
            self.reading = None
            thread.join()
            if box and box[0] is not None:
                box[0][0].close()


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
        ahead: BindAhead | None = None,
    ) -> None:
        self.case, self.members, self.options, self.folder = case, members, options, folder
        self.ahead = ahead
        self.case_path = case_path
        self.layout, self.case_key, self.previous = layout, case_key, previous
        self.record: dict[str, Any] = {}
        self.pool: Pool | None = None  # a child that prints the front, started on first need

    def _part(self, part: str, key: str, make: Callable[[], _Printed]) -> tuple[bytes, int]:
        path = self.folder / f"front-{part}.pdf"
        old = self.previous.get(part, {})
        data = b""
        if not self.options.force and old.get("key") == key:
            # Reused only when its bytes are the ones printed: a damaged part is printed again.
            with contextlib.suppress(OSError):
                data = path.read_bytes()
        if data and file_digest(data) == old.get("sha256"):
            printed = _Printed(data, int(old["pages"]), old.get("plan"), old.get("shape") or "")
        else:
            printed = make()
            write_atomic(path, printed.data, self.options.out)
        data, pages = printed.data, printed.pages
        self.record[part] = {"key": key, "pages": pages, "sha256": file_digest(data)}
        # The plan its layout followed, for the next print of a page of the same shape.
        if printed.shape:
            self.record[part] |= {"plan": printed.plan, "shape": printed.shape}
        return data, pages

    def _print(self, part: str, key: str, numbers: list[int]) -> _Printed:
        """Print a front part in a child, as proposals are: a front of a hundred rows takes WeasyPrint tens of
        megabytes, which this process would otherwise still hold while it binds (the build's memory peak)."""

        if self.pool is None:
            from forslag.batch.pool import Pool

            self.pool = Pool(1, self.options.limits)
        before = self.previous.get(part)
        job, shape = _front_job(self.case, self.case_path, self.members, self.options, part, key, numbers, before)
        [result] = self.pool.results([job], keep=True)
        return _printed(part, result, shape)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def parts(self) -> tuple[bytes, bytes, int]:
        """The contents and summary PDFs, and the front's total length.

        The contents prints the page each proposal starts on, which counts on from the front's own length, so
        it is printed again when those move. The page numbers in the margins are drawn at binding
        (folios.py): the summary prints none of its own that count, and is printed again only when an
        amount (or the case) changes, which is known before any proposal is printed (`BindAhead`).
        """
        listing = [
            [m["name"], m["title"], m["administration"], m["pages"], m.get("notat"), m.get("annex"), m["state"]]
            for m in self.members
        ]
        contents_pages = self.previous.get("contents", {}).get("pages") or contents_pages_guess(len(self.members))
        contents_pages = max(1, min(contents_pages, 1000))
        summary_pages = max(1, min(self.previous.get("summary", {}).get("pages") or 1, 1000))
        key = summary_key(self.layout, self.case_key, self.members, self.options.state)
        printed = self.ahead.take(key) if self.ahead is not None else None
        make = functools.partial(self._print, "summary", key, SUMMARY_NUMBERS)
        summary, summary_pages = self._part("summary", key, (lambda: printed) if printed is not None else make)
        contents = b""
        # The contents' page numbers depend on the front's own length: lay it out until they agree (no
        # layout at all when nothing it shows has changed).
        for _ in range(4):
            total = _number_pages(self.members, contents_pages + summary_pages)
            key = _digest(self.layout, self.case_key, "contents", listing, contents_pages + summary_pages, total)
            contents, count = self._part("contents", key, functools.partial(self._print, "contents", key, [1, total]))
            if count == contents_pages:
                break
            contents_pages = count
        return contents, summary, contents_pages + summary_pages


def _bind_pdf(
    case: Case,
    members: list[dict[str, Any]],
    options: BuildOptions,
    contents: Callable[[], bytes],
    summary: Callable[[], bytes],
    previous: Previous | None,
    ahead: BindAhead | None = None,
) -> Bound:
    """The bound PDF: cover and contents, the summary, then every proposal's PDF as printed, each followed by
    its notat (see merge.py); from the previous bound PDF where a part has not changed."""
    from forslag.batch.merge import Part, merge
    from forslag.batch.state import CACHE_DIR
    from forslag.document.xmp import Xmp

    title = f"{case.name}: {case.document_type}"
    parts = [
        Part(contents, "Forside og indhold", nest_bookmarks=False, name="front-contents"),
        Part(summary, "Økonomien samlet", nest_bookmarks=False, name="front-summary"),
    ]
    for m in members:
        parts.append(Part(options.out / f"{m['name']}.pdf", m["title"], name=m["name"]))
        if m.get("notat"):
            parts.append(Part(options.out / m["notat"]["file"], m["notat"]["title"], name=m["notat"]["name"]))
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
    if previous is not None:
        from forslag.batch.refresh import refresh

        opened = ahead.take_previous(previous) if ahead is not None else None
        refreshed = refresh(parts, xmp, info, previous, options.out / CACHE_DIR, opened)
        if refreshed is not None:
            return refreshed
    return merge(parts, xmp, info, previous, options.out / CACHE_DIR)


def _notat(name: str, title: str, entry: dict[str, Any], out: Path) -> dict[str, Any] | None:
    """The notat printed beside a proposal (name-notat.pdf), bound after it: its title and length."""
    file = f"{name}-notat.pdf"
    if file not in entry["outputs"]:
        return None
    import pikepdf

    with pikepdf.open(out / file) as pdf:
        pages = len(pdf.pages)
    return {
        "file": file,
        "name": f"{name}-notat",
        "title": f"Notat: {title} som investeringscase",
        "pages": pages,
        **_hrefs(f"{name}-notat"),
    }


ANNEX_TITLE = "Ændringer siden "  # the change annex's heading (templates/partials/changes.html.j2)


def _annex(path: Path) -> dict[str, Any] | None:
    """The change annex inside a proposal's PDF (built with --changes-since), found by its bookmark: its
    heading and its page within the proposal, for the contents."""
    import pikepdf

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            if item.title.startswith(ANNEX_TITLE) and isinstance(item.destination, pikepdf.Array):
                offset = pikepdf.Page(item.destination[0]).index
                return {"title": item.title, "offset": offset}
            stack.extend(item.children)
    return None


def _previous(options: BuildOptions, name: str, entry: dict[str, Any]) -> Previous | None:
    """The bound PDF the last bind wrote, with the record of its parts, if it is still the file it wrote."""
    from forslag.batch.merge import Previous

    parts, recorded = entry.get("parts"), entry.get("outputs", {}).get(f"{name}.pdf")
    if options.force or not isinstance(parts, list) or not recorded:
        return None
    try:
        data = (options.out / f"{name}.pdf").read_bytes()
    except OSError:
        return None
    appended = entry.get("appended", 0)
    if file_digest(data) != recorded[1] or not isinstance(appended, int):
        return None
    return Previous(data, parts, appended)


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
    ahead: BindAhead | None = None,
) -> None:
    """Bind one document per case, from the proposals that belong to it; a case with a failed member is not
    bound, and two cases that would be bound under the same name are both refused. `ahead`: the summary
    printed beside the proposal (build.py), if it was."""
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
        _bind_one(case_path, case, members, key, name, entries, report, options, layout, cache, echo, ahead)


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
    ahead: BindAhead | None,
) -> None:
    from forslag.batch.state import valid_bound_entry

    cache_name = _cache_name(case_path, options.state)
    # The notat and change annex are looked for only when the PDF is bound (they are listed by page).
    members, summaries, warnings = _members(case, case_path, members, {s: entries[s]["summary"] for s in members})
    for warning in warnings:
        echo(f"warning: {warning}")
    stale = [s for s, m in zip(members, summaries, strict=True) if len(m["net"]) != len(case.years)]
    if stale:
        report.failed[case_path] = [
            f"{s}: built for other years than its case {case_path}; build again with --force" for s in stale
        ]
        return
    previous = cache.get(cache_name, valid_bound_entry) or {}
    outputs: dict[str, list[Any]] = {}
    front = Front(
        case, summaries, options, cache.folder / cache_name, layout, key_case(case_path), previous, case_path, ahead
    )
    record: dict[str, Any] = {}
    if "pdf" in options.formats:
        try:
            for s, m in zip(members, summaries, strict=True):
                m["notat"] = _notat(s.stem, m["title"], entries[s], options.out)
                # Only a build with --changes-since prints change annexes: other builds need not look.
                m["annex"] = _annex(options.out / f"{s.stem}.pdf") if options.changes_since else None
        except Exception as exc:  # a notat changed under the build, as below
            report.failed[case_path] = [
                f"{case_path}: cannot bind the case: a proposal's PDF or notat in {options.out} is unreadable "
                f"({type(exc).__name__}); build again"
            ]
            return
        # The front prints first, in a child, and the proposals are copied in after it: printing it while qpdf
        # holds the bound document costs the child's memory on top of qpdf's (434 MiB against 300 measured by
        # make bench for 100 proposals), for about a second and a half saved.
        try:
            contents, summary, _ = front.parts()
        finally:
            front.close()
        try:
            bound = _bind_pdf(
                case,
                summaries,
                options,
                lambda: contents,
                lambda: summary,
                _previous(options, name, previous),
                ahead,
            )
            data = bound.data
            record = {"parts": bound.parts, "appended": bound.appended}
        except ForslagError:
            raise
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
        target = options.out / f"{name}.html"
        # The index shows what the summaries, the case and the templates hold: the same, it is the same page,
        # and a prose edit (most edits) need not render a hundred rows again.
        html_key = _digest(layout, key_case(case_path), summaries, options.state)
        data = b""
        recorded = previous.get("outputs", {}).get(target.name)
        if not options.force and previous.get("html_key") == html_key and recorded:
            with contextlib.suppress(OSError):
                data = target.read_bytes()
            if file_digest(data) != recorded[1]:
                data = b""
        if not data:
            data = _front(case, summaries, True, False, options.templates, state=options.state).encode()
            write_atomic(target, data, options.out)
            report.written.append(target)
        record["html_key"] = html_key
        outputs[target.name] = [len(data), file_digest(data)]
    stats = {file: seen(options.out / file) for file in outputs}
    cache.put(
        cache_name,
        {"key": key, "outputs": outputs, "seen": stats, "source": str(case_path), **front.record, **record},
    )
    report.bound.append(case_path)
    echo(f"bound: {case.name} -> {', '.join(str(options.out / f) for f in outputs)}")
