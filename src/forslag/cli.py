"""The command line: arguments, messages and exit codes (the only module that prints or exits)."""

from __future__ import annotations

import argparse
import functools
import json
import re
import stat
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

from forslag import __version__
from forslag.errors import ForslagError, SourceError, UsageError
from forslag.source.sources import CASE_FILE, find_sources, is_case_file, is_follow_up_file

# Commands import what they use when they run: `forslag build` with nothing to do should not pay
# for pydantic, Jinja or WeasyPrint at start-up.

DEFAULT_SOURCES = Path("proposals")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

# Control characters (C0, DEL, C1) and the bidirectional overrides a source could use to rewrite the
# terminal or reorder what a reader sees: every message passes through say(), which shows them escaped.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """A message safe to print: each control character shown as its escape (\\x1b), never sent raw."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _json(data: Any) -> str:
    """JSON for the terminal: json escapes C0 controls itself; C1 and bidi controls become \\u escapes too."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return re.sub("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


def say(text: str, file: TextIO | None = None) -> None:
    """Print one message as one line, control characters (a newline too) escaped, so a title cannot
    forge a line of its own; the only way this module writes a message."""
    print(clean(str(text)), file=file or sys.stdout, flush=True)


def _sources(paths: list[Path], allow_cases: bool = False) -> list[Path]:
    paths = paths or [DEFAULT_SOURCES]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if not path.is_dir() and not stat.S_ISREG(path.stat().st_mode):
            # Before anything opens it: a FIFO would wait for ever, /dev/zero never ends.
            raise SourceError.one(path, "not a regular file (a device or pipe); name .yaml files or folders")
    sources = find_sources(paths)
    if not sources and not (allow_cases and any(p.is_file() and is_case_file(p) for p in paths)):
        raise UsageError(f"no proposal sources (*.yaml) in {', '.join(map(str, paths))}")
    return sources


def cmd_check(args: argparse.Namespace) -> int:
    from forslag.batch.check import check_all, pools
    from forslag.document.portfolio import pool_json, pool_warnings
    from forslag.source.load import load_case

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs takes a whole number of 1 or more")

    results: list[dict[str, Any]] = []
    passed = []
    failed = 0
    follow_ups = _follow_ups(args.paths)
    named_follow_ups = bool(args.paths) and all(is_follow_up_file(p) for p in args.paths)
    sources = [] if named_follow_ups else _sources(args.paths, allow_cases=True)
    for case_path in (p for p in args.paths if p.is_file() and is_case_file(p)):
        try:
            case = load_case(case_path)
            say(f"ok: {case_path}: case {case.case.name}")
        except SourceError as exc:
            failed += 1
            for problem in exc.problems:
                say(f"error: {problem}")
    # Each proposal in a child with the time and memory a build gives it: one that fails, hangs or
    # exhausts memory is reported alone, and the others are checked.
    for checked in check_all(sources, jobs=args.jobs):
        if checked.problems:
            failed += 1
            if args.json:
                results.append({"source": str(checked.source), "errors": checked.problems, "warnings": []})
            else:
                for line in checked.problems:
                    say(f"error: {line}")
            continue
        passed.append(checked)
        if args.json:
            assert checked.economy is not None
            results.append(checked.economy)
            continue
        for warning in checked.warnings:
            say(f"warning: {warning}")
        say(checked.line)
        if args.explain:
            for line in checked.explained:
                say(line)
    groups = pools(passed)
    if not args.json:
        for group in groups:
            use = group.pool
            if use.stated:
                for year, budget, asked, approved, left in zip(
                    use.years, use.budget, use.asked, use.approved, use.left, strict=True
                ):
                    if budget is not None:
                        say(
                            f"pool: {group.case.case.name} {year}: budget {budget}, asked {asked}, "
                            f"approved {approved}, left {left} (1.000 kr.)"
                        )
            for problem in pool_warnings(group):
                say(f"warning: {problem}")
    follow = _check_follow_ups(follow_ups, args.json)
    failed += follow.failed
    if args.json:
        out = {"proposals": results, "cases": [pool_json(g) for g in groups]}
        print(_json(out | ({"follow_ups": follow.results} if follow_ups else {})))
    elif failed:
        say(f"{failed} source(s) invalid", file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


# --- follow-up of adopted proposals: check, build --------------------------------------------------------------


def _follow_ups(paths: list[Path]) -> list[Path]:
    from forslag.source.sources import find_follow_ups

    return find_follow_ups([p for p in (paths or [DEFAULT_SOURCES]) if p.exists()])


class _Checked:
    def __init__(self) -> None:
        self.failed = 0
        self.results: list[dict[str, Any]] = []


def _check_follow_ups(files: list[Path], as_json: bool) -> _Checked:
    """Each follow-up against its adopted proposal: an ok line (or its JSON), or every problem at its line."""
    checked = _Checked()
    if not files:
        return checked  # a check without follow-ups imports none of their machinery
    from forslag.batch.followup import make_report
    from forslag.economy.followup import as_json as follow_up_json

    for path in files:
        try:
            report = make_report(path)
        except SourceError as exc:
            checked.failed += 1
            if as_json:
                checked.results.append({"source": str(path), "errors": [str(p) for p in exc.problems]})
            else:
                for problem in exc.problems:
                    say(f"error: {problem}")
            continue
        e = report.economy
        if as_json:
            checked.results.append(
                {
                    "source": str(path),
                    "proposal": str(report.target.computed.source.path.name),
                    "title": report.target.computed.source.proposal.title,
                    "revisions": [{"revision": v.revision.name, "commit": v.revision.commit} for v in report.versions],
                    "date": report.loaded.source.date.isoformat(),
                    "errors": [],
                    "warnings": [str(w) for w in report.loaded.warnings],
                }
                | follow_up_json(e)
            )
            continue
        for warning in report.loaded.warnings:
            say(f"warning: {warning}")
        net = e.net.accumulated
        pay = [p.years if p.years is not None else ">20" for p in (*e.payback_adopted, *e.payback_realised)]
        span = str(e.passed[0]) if len(e.passed) == 1 else f"{e.passed[0]}-{e.passed[-1]}"
        say(
            f"ok: {path}: follow-up of {report.target.computed.source.proposal.title} at "
            f"{report.target.revision.name}: {span} net planned {net.planned}, "
            f"realised {net.realised} "
            f"(payback adopted {pay[0]}/{pay[1]}, at the realised pace {pay[2]}/{pay[3]} years)"
        )
    return checked


def cmd_followup(args: argparse.Namespace) -> int:
    from forslag.batch.followup_build import build_follow_ups

    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    if formats - {"pdf", "html"} or not formats:
        raise UsageError(f"--format takes pdf, html or pdf,html; got {args.format!r}")
    paths = args.paths or [DEFAULT_SOURCES]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    for written in build_follow_ups(paths, args.out, frozenset(formats), args.adopted, args.templates):
        say(f"wrote {written}")
    return EXIT_OK


def _follow_up_command(sub: Any) -> None:
    followup = sub.add_parser(
        "followup",
        help="follow-up reports: realised figures against the proposal as adopted (read from git)",
        description="forslag followup [PATH ...]: for each <proposal>.followup.yaml under the paths, a report "
        "(<proposal>-opfoelgning.pdf/.html) comparing its realised figures with the proposal at the adopted "
        "revision, and the case's summary (opfoelgning.pdf/.html). Nothing is written unless every follow-up checks.",
    )
    followup.add_argument("paths", nargs="*", type=Path, help="follow-up files or folders (default: proposals/)")
    followup.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    followup.add_argument("--format", default="pdf,html", help="pdf, html or pdf,html (default)")
    followup.add_argument(
        "--adopted", metavar="REV", help="compare with the proposal at REV instead of the revision the file names"
    )
    followup.add_argument("--templates", type=Path, help="a folder whose templates override the default layout")
    followup.set_defaults(func=cmd_followup)


def cmd_schema(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import schema_text

    if args.follow_up:
        from forslag.source.followup import follow_up_schema

        sys.stdout.write(follow_up_schema())
        return EXIT_OK
    sys.stdout.write(schema_text(case=args.case))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from forslag.batch.build import build
    from forslag.batch.scope import build_sources, check_state, in_state, wants_bind
    from forslag.batch.state import BuildOptions

    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    bad = formats - {"pdf", "html"}
    if bad or not formats:
        raise UsageError(f"--format takes pdf, html or pdf,html; got {args.format!r}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs takes a whole number of 1 or more")
    state = check_state(args.state)
    paths = args.paths or [DEFAULT_SOURCES]
    named = _sources(paths)  # the usage errors: a missing path, no sources at all
    bind = wants_bind(paths, args.bind)
    options = BuildOptions(
        out=args.out,
        formats=frozenset(formats),
        templates=args.templates,
        force=args.force,
        jobs=args.jobs,
        bind=bind,
        changes_since=args.changes_since,
        state=state,
    )
    # Folders named whole are read once: binding adds only the folders of files named alone.
    sources = named if not bind or all(p.is_dir() for p in paths) else build_sources(paths, bind)
    if state is not None:
        sources = in_state(sources, state)
        if not sources:
            raise UsageError(f"no proposal is in the state {state!r}; nothing to build")
    report = build(sources, options, echo=say)
    return EXIT_INVALID if report.failed else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from forslag.batch.export import export
    from forslag.batch.scope import check_state

    state = check_state(args.state)
    sources = _sources(args.paths or [DEFAULT_SOURCES])
    follow_ups = _follow_ups(args.paths)
    result = export(sources, args.workbook, args.csv, not args.no_csv, state, args.out, follow_ups)
    for warning in result.warnings:
        say(f"warning: {warning}")
    counted = f"{result.proposals} forslag" + (f", {result.follow_ups} follow-ups" if result.follow_ups else "")
    say(f"exported: {result.case} ({counted}) -> {', '.join(map(str, result.written))}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import signal

    from forslag.batch.state import BuildOptions
    from forslag.serve.session import serve

    if not 0 <= args.port <= 65535:
        raise UsageError("--port takes a number from 0 (any free port) to 65535")
    paths = args.paths or [DEFAULT_SOURCES]
    _sources(paths)
    options = BuildOptions(out=args.out, templates=args.templates, jobs=args.jobs, bind=False)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager's stop is a Ctrl-C too
    # Ctrl-C stops the preview even when started from a script that ignores SIGINT for its background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        serve(paths, options, args.port, echo=say)
    except KeyboardInterrupt:
        say("forslag: preview stopped", file=sys.stderr)
    return EXIT_OK


# --- history and set-up: diff, textconv, init, new ------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    from forslag.batch.bounded import bounded_map
    from forslag.history.compare import compare
    from forslag.history.diff import diff_json
    from forslag.history.followup_diff import follow_up_changes, follow_up_json, follow_up_text
    from forslag.history.report import text_report

    rest = list(args.args)
    # Options after the first revision or path arrive in the remainder (kept whole so '--' survives).
    head = rest[: rest.index("--")] if "--" in rest else list(rest)
    for flag in ("--json", "--words"):
        if flag in head:
            setattr(args, flag[2:], True)
            rest.remove(flag)
            head.remove(flag)
    unknown = [a for a in head if a.startswith("-")]
    if unknown:
        raise UsageError(f"diff: unknown option {unknown[0]}")
    # Each proposal of either side is loaded in a child with the limits a build gives it (batch.bounded).
    try:
        result = compare(rest, Path.cwd(), DEFAULT_SOURCES, functools.partial(bounded_map))
        realised = follow_up_changes(result.repo, result.old, result.new, result.specs)
    except UsageError:
        raise
    except ForslagError as exc:  # a revision that cannot be read whole: not "something changed" (exit 1)
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        payload = {
            "old": {"revision": result.old.name, "commit": result.old.commit},
            "new": {"revision": result.new.name, "commit": result.new.commit} if result.new else None,
            "economic": result.economic,
            "proposals": [diff_json(d, args.words) for d in result.diffs],
        } | ({"follow_ups": follow_up_json(realised)} if realised else {})
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        report = text_report(result.diffs, result.old.name, result.new_name, args.words)
        tail = [f"{len(realised)} follow-up(s) with changed realised figures or goal statuses"] if realised else []
        print("\n".join([*follow_up_text(realised), report, *tail]))
    return EXIT_INVALID if result.economic or realised else EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import TEXTCONV, init_case, parse_years

    if args.update:
        return _init_update(args)
    years = parse_years(args.years) if args.years else None
    result = init_case(args.dir, years, args.municipality, args.requirement)
    for path in result.written:
        say(f"wrote {path}")
    if result.git_initialised:
        say(f"initialised a git repository in {args.dir}")
    if result.textconv_configured:
        say(f"set git config {TEXTCONV[0]} {TEXTCONV[1]!r} (git diff shows the computed economy)")
    else:
        say(f"git is not available: run `git config {TEXTCONV[0]} {TEXTCONV[1]!r}` in the repository later")
    req = result.requirement
    if req.text:
        say(f"CI installs {req.text} ({req.origin})")
    if req.note:
        say(f"note: {req.note}")
    say(f"next: cd {args.dir} && forslag new NAME && forslag check && forslag build")
    return EXIT_OK


def _init_update(args: argparse.Namespace) -> int:
    from forslag.scaffold.update import update_case

    if args.years or args.municipality != "Kommunen":
        raise UsageError("--update changes only the files init owns; --years and --municipality are for a new case")
    changes, req = update_case(args.dir, args.requirement, args.force)
    for change in changes:
        if change.status == "kept":
            say(f"kept {change.path}: edited since forslag wrote it; this forslag's version differs:")
        elif change.status == "replaced":
            say(f"replaced {change.path}: your edited version is kept as {change.backup}")
        else:
            say(f"{change.status}: {change.path}")
        for line in change.diff:
            say(f"  {line}")
    kept = [c for c in changes if c.status == "kept"]
    if kept:
        say(f"{len(kept)} edited file(s) kept; `forslag init --update --force {args.dir}` takes forslag's versions")
    if req.note and not req.text:
        say(f"note: {req.note}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import new_proposal

    path = new_proposal(args.dir, args.name)
    say(f"wrote {path}")
    if not (args.dir / CASE_FILE).is_file():
        say(f"note: {args.dir} has no {CASE_FILE} yet; the proposal needs one beside it (see `forslag init`)")
    return EXIT_OK


def cmd_textconv(args: argparse.Namespace) -> int:
    from forslag.batch.bounded import bounded_map
    from forslag.history.textconv import textconv_at, textconv_failed

    # In a bounded child, as every proposal is: a fault or a limit gives text too, so `git diff` goes on.
    [text] = bounded_map(
        textconv_at,
        [(args.file, Path.cwd())],
        textconv_failed,
        source=lambda where: where[0],
        doing="computing it for git",
        others="shown",
        jobs=1,
    )
    sys.stdout.write(text)
    return EXIT_OK  # git shows whatever was printed; an invalid source prints its errors


def cmd_completion(args: argparse.Namespace) -> int:
    from forslag.completion import script

    sys.stdout.write(script(parser(), args.shell))
    return EXIT_OK


def _history_commands(sub: Any) -> None:
    init = sub.add_parser("init", help="make a new case repository that checks and builds at once")
    init.add_argument("dir", type=Path, help="the folder to create (or an empty one); with --update, the repository")
    init.add_argument("--municipality", default="Kommunen", help="the municipality's name (default: Kommunen)")
    init.add_argument("--years", help="the case's years, first-last (default: 2026-2030)")
    init.add_argument(
        "--requirement",
        metavar="REQ",
        help="what the CI workflow installs with pip (default: where this forslag came from, when CI can reach it)",
    )
    init.add_argument(
        "--update",
        action="store_true",
        help="bring the files init wrote (CI workflow, schemas, editor settings) up to this forslag's versions",
    )
    init.add_argument("--force", action="store_true", help="with --update: replace edited files too (kept as .orig)")
    init.set_defaults(func=cmd_init)

    new = sub.add_parser("new", help="add a proposal with every section present, in the case's years")
    new.add_argument("name", help="the file and output name, e.g. hjemmetræning")
    new.add_argument("--dir", type=Path, default=DEFAULT_SOURCES, help="the case folder (default: proposals/)")
    new.set_defaults(func=cmd_new)

    textconv = sub.add_parser("textconv", help="a proposal's computed economy as text, for git's diff driver")
    textconv.add_argument("file", type=Path, help="the proposal source (git passes a temporary copy)")
    textconv.set_defaults(func=cmd_textconv)

    diff = sub.add_parser(
        "diff",
        help="what changed in the money between two git revisions (exit 1 when something did)",
        description="forslag diff [REV_A [REV_B]] [--] [PATH ...]: the computed proposals at REV_A (default HEAD) "
        "against REV_B (default: the working tree). Exit 0: nothing economic changed; 1: something did; 2: usage, "
        "or a revision that cannot be read.",
    )
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    diff.add_argument("--words", action="store_true", help="show a word-level diff of changed prose and metadata")
    diff.add_argument("args", nargs=argparse.REMAINDER, help="[REV_A [REV_B]] [--] [PATH ...]")
    diff.set_defaults(func=cmd_diff)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="forslag",
        description="Danish municipal investment proposals from YAML sources to committee-ready PDF and HTML.",
    )
    p.add_argument("--version", action="version", version=f"forslag {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback for internal errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate and calculate proposals; print one line per proposal")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: proposals/)")
    check.add_argument("--json", action="store_true", help="print the computed economy as JSON")
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: one per core)")
    check.add_argument(
        "--explain", action="store_true", help="list the rows each heading amount and quoted amount adds up"
    )
    check.set_defaults(func=cmd_check)

    build = sub.add_parser("build", help="render proposals to PDF and HTML, and bind the case")
    build.add_argument("paths", nargs="*", type=Path, help="files or folders (default: proposals/)")
    build.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    build.add_argument("--format", default="pdf,html", help="pdf, html or pdf,html (default)")
    build.add_argument("--templates", type=Path, help="a folder whose templates override the default layout")
    build.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    build.add_argument("--jobs", "-j", type=int, help="worker processes (default: one per core)")
    binding = build.add_mutually_exclusive_group()
    binding.add_argument(
        "--bind",
        dest="bind",
        action="store_true",
        default=None,
        help="bind the case even when only files are named (their folders' proposals come along)",
    )
    binding.add_argument(
        "--no-bind", dest="bind", action="store_false", help="do not bind the case, even for a whole folder"
    )
    build.add_argument(
        "--changes-since",
        metavar="REV",
        help="add a page listing the economic changes since the git revision REV to every changed proposal",
    )
    build.add_argument(
        "--state",
        help="build and bind only the proposals in this state (udkast, indsendt, godkendt, afvist); the bound "
        "case is named after it, e.g. output/<case>-godkendt.pdf",
    )
    build.set_defaults(func=cmd_build)

    export = sub.add_parser(
        "export",
        help="write one case as an .xlsx workbook for the finance centre, and its long table as CSV",
        description="The workbook has a summary sheet, a sheet per proposal with Tabel 1 (totals as formulas), "
        "the business cases and the long table, and with follow-up files (*.followup.yaml) the follow-up summary and a "
        "sheet per followed-up proposal; the CSV is the long table (UTF-8 with BOM, ';'-separated).",
    )
    export.add_argument("paths", nargs="*", type=Path, help="one case's files or folder (default: proposals/)")
    export.add_argument("--out", type=Path, default=Path("output"), help="folder for the default file names")
    export.add_argument(
        "--workbook", "-o", type=Path, help="the .xlsx file (default: OUT/<case name>.xlsx, e.g. the case's slug)"
    )
    export.add_argument("--csv", type=Path, help="the long table's .csv file (default: the workbook's name, .csv)")
    export.add_argument("--no-csv", action="store_true", help="write the workbook only")
    export.add_argument(
        "--state", help="only proposals in this state: udkast, indsendt, godkendt or afvist (e.g. godkendt)"
    )
    export.set_defaults(func=cmd_export)

    serve = sub.add_parser("serve", help="a live preview on 127.0.0.1: rebuild on save, reload the page in the browser")
    serve.add_argument("paths", nargs="*", type=Path, help="files or folders (default: proposals/)")
    serve.add_argument("--port", type=int, default=0, help="the port (default: any free one; the URL is printed)")
    serve.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    serve.add_argument("--templates", type=Path, help="a folder whose templates override the default layout")
    serve.add_argument("--jobs", "-j", type=int, help="worker processes for the first build (default: one per core)")
    serve.set_defaults(func=cmd_serve)

    schema = sub.add_parser("schema", help="print the JSON Schema of the source format")
    schema.add_argument("--case", action="store_true", help="the schema of case.yaml instead of a proposal")
    schema.add_argument(
        "--follow-up", action="store_true", help="the schema of a follow-up file (*.followup.yaml) instead"
    )
    schema.set_defaults(func=cmd_schema)

    _history_commands(sub)
    _follow_up_command(sub)

    from forslag.completion import INSTALL, SHELLS

    completion = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Completion of commands, flags and proposal files. Install it once:\n  "
        + "\n  ".join(INSTALL.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell")
    completion.set_defaults(func=cmd_completion)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        say(f"forslag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as exc:
        for problem in exc.problems:
            say(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except ForslagError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader (e.g. `head`) stopped listening; nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        say("forslag: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal fault: say so plainly, without burying the user in a traceback
        if args.debug:
            traceback.print_exc()
        say(
            f"forslag: internal error: {type(exc).__name__}: {exc} (run with --debug for details; please report it)",
            file=sys.stderr,
        )
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
