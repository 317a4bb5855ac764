"""The command line: arguments, messages and exit codes (the only module that prints or exits)."""

from __future__ import annotations

import argparse
import json
import re
import stat
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

from forslag import __version__
from forslag.errors import ForslagError, SourceError, UsageError
from forslag.source.sources import CASE_FILE, find_sources, is_case_file

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
    from forslag.document.compute import compute, economy_json
    from forslag.source.load import load_case, load_proposal

    results: list[dict[str, Any]] = []
    failed = 0
    sources = _sources(args.paths, allow_cases=True)
    for case_path in (p for p in args.paths if p.is_file() and is_case_file(p)):
        try:
            case = load_case(case_path)
            say(f"ok: {case_path}: case {case.case.name}")
        except SourceError as exc:
            failed += 1
            for problem in exc.problems:
                say(f"error: {problem}")
    for path in sources:
        try:
            computed = compute(load_proposal(path))
        except SourceError as exc:
            failed += 1
            if args.json:
                results.append({"source": str(path), "errors": [str(p) for p in exc.problems], "warnings": []})
            else:
                for problem in exc.problems:
                    say(f"error: {problem}")
            continue
        if args.json:
            results.append(economy_json(computed))
            continue
        for warning in computed.warnings:
            say(f"warning: {warning}")
        e = computed.economy
        say(
            f"ok: {path}: {computed.source.proposal.title} "
            f"(payback {e.payback_service.years if e.payback_service.years is not None else '>20'}"
            f"/{e.payback_total.years if e.payback_total.years is not None else '>20'} years)"
        )
        if args.explain:
            from forslag.document.explain import explain

            for line in explain(e, computed.source.proposal):
                say(line)
    if args.json:
        print(_json({"proposals": results}))
    elif failed:
        say(f"{failed} source(s) invalid", file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import schema_text

    sys.stdout.write(schema_text(case=args.case))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from forslag.batch.build import build
    from forslag.batch.scope import build_sources, wants_bind
    from forslag.batch.state import BuildOptions

    formats = {f.strip() for f in args.format.split(",") if f.strip()}
    bad = formats - {"pdf", "html"}
    if bad or not formats:
        raise UsageError(f"--format takes pdf, html or pdf,html; got {args.format!r}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs takes a whole number of 1 or more")
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
    )
    # Folders named whole are read once: binding adds only the folders of files named alone.
    sources = named if not bind or all(p.is_dir() for p in paths) else build_sources(paths, bind)
    report = build(sources, options, echo=say)
    return EXIT_INVALID if report.failed else EXIT_OK


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
    from forslag.history.compare import compare
    from forslag.history.diff import diff_json
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
    result = compare(rest, Path.cwd(), DEFAULT_SOURCES)
    if args.json:
        payload = {
            "old": {"revision": result.old.name, "commit": result.old.commit},
            "new": {"revision": result.new.name, "commit": result.new.commit} if result.new else None,
            "economic": result.economic,
            "proposals": [diff_json(d, args.words) for d in result.diffs],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(text_report(result.diffs, result.old.name, result.new_name, args.words))
    return EXIT_INVALID if result.economic else EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import TEXTCONV, init_case

    result = init_case(args.dir)
    for path in result.written:
        print(f"wrote {path}")
    if result.git_initialised:
        print(f"initialised a git repository in {args.dir}")
    if result.textconv_configured:
        print(f"set git config {TEXTCONV[0]} {TEXTCONV[1]!r} (git diff shows the computed economy)")
    else:
        print(f"git is not available: run `git config {TEXTCONV[0]} {TEXTCONV[1]!r}` in the repository later")
    print(f"next: cd {args.dir} && forslag check && forslag build")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from forslag.scaffold.create import new_proposal

    path = new_proposal(args.dir, args.name)
    print(f"wrote {path}")
    if not (args.dir / CASE_FILE).is_file():
        print(f"note: {args.dir} has no {CASE_FILE} yet; the proposal needs one beside it (see `forslag init`)")
    return EXIT_OK


def cmd_textconv(args: argparse.Namespace) -> int:
    from forslag.history.textconv import textconv

    sys.stdout.write(textconv(args.file, Path.cwd()))
    return EXIT_OK  # git shows whatever was printed; an invalid source prints its errors


def _history_commands(sub: Any) -> None:
    init = sub.add_parser("init", help="make a new case repository that checks and builds at once")
    init.add_argument("dir", type=Path, help="the folder to create (or an empty one)")
    init.set_defaults(func=cmd_init)

    new = sub.add_parser("new", help="add a proposal with every section present")
    new.add_argument("name", help="the file and output name, e.g. bedre-plejefamilier")
    new.add_argument("--dir", type=Path, default=DEFAULT_SOURCES, help="the case folder (default: proposals/)")
    new.set_defaults(func=cmd_new)

    textconv = sub.add_parser("textconv", help="a proposal's computed economy as text, for git's diff driver")
    textconv.add_argument("file", type=Path, help="the proposal source (git passes a temporary copy)")
    textconv.set_defaults(func=cmd_textconv)

    diff = sub.add_parser(
        "diff",
        help="what changed in the money between two git revisions (exit 1 when something did)",
        description="forslag diff [REV_A [REV_B]] [--] [PATH ...]: the computed proposals at REV_A (default HEAD) "
        "against REV_B (default: the working tree). Exit 0: nothing economic changed; 1: something did; 2: usage.",
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
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="a live preview on 127.0.0.1: rebuild on save, reload the page in the browser")
    serve.add_argument("paths", nargs="*", type=Path, help="files or folders (default: proposals/)")
    serve.add_argument("--port", type=int, default=0, help="the port (default: any free one; the URL is printed)")
    serve.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    serve.add_argument("--templates", type=Path, help="a folder whose templates override the default layout")
    serve.add_argument("--jobs", "-j", type=int, help="worker processes for the first build (default: one per core)")
    serve.set_defaults(func=cmd_serve)

    schema = sub.add_parser("schema", help="print the JSON Schema of the source format")
    schema.add_argument("--case", action="store_true", help="the schema of case.yaml instead of a proposal")
    schema.set_defaults(func=cmd_schema)

    _history_commands(sub)
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
