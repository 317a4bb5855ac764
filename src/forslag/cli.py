"""The command line: arguments, messages and exit codes (the only module that prints or exits)."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from forslag import __version__
from forslag.errors import ForslagError, SourceError, UsageError
from forslag.source.sources import CASE_FILE, find_sources

# Commands import what they use when they run: `forslag build` with nothing to do should not pay
# for pydantic, Jinja or WeasyPrint at start-up.

DEFAULT_SOURCES = Path("proposals")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _sources(paths: list[Path], allow_cases: bool = False) -> list[Path]:
    paths = paths or [DEFAULT_SOURCES]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    sources = find_sources(paths)
    if not sources and not (allow_cases and any(p.name == CASE_FILE for p in paths)):
        raise UsageError(f"no proposal sources (*.yaml) in {', '.join(map(str, paths))}")
    return sources


def cmd_check(args: argparse.Namespace) -> int:
    from forslag.document.compute import compute, economy_json
    from forslag.source.load import load_case, load_proposal

    results: list[dict[str, Any]] = []
    failed = 0
    sources = _sources(args.paths, allow_cases=True)
    for case_path in (p for p in args.paths if p.is_file() and p.name == CASE_FILE):
        try:
            case = load_case(case_path)
            print(f"ok: {case_path}: case {case.case.name}")
        except SourceError as exc:
            failed += 1
            for problem in exc.problems:
                print(f"error: {problem}")
    for path in sources:
        try:
            computed = compute(load_proposal(path))
        except SourceError as exc:
            failed += 1
            if args.json:
                results.append({"source": str(path), "errors": [str(p) for p in exc.problems], "warnings": []})
            else:
                for problem in exc.problems:
                    print(f"error: {problem}")
            continue
        if args.json:
            results.append(economy_json(computed))
            continue
        for warning in computed.warnings:
            print(f"warning: {path}: {warning}")
        e = computed.economy
        print(
            f"ok: {path}: {computed.source.proposal.title} "
            f"(payback {e.payback_service.years if e.payback_service.years is not None else '>20'}"
            f"/{e.payback_total.years if e.payback_total.years is not None else '>20'} years)"
        )
    if args.json:
        json.dump({"proposals": results}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif failed:
        print(f"{failed} source(s) invalid", file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from forslag.source.model import Case, Proposal

    model = Case if args.case else Proposal
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "forslag case" if args.case else "forslag proposal"
    json.dump(schema, sys.stdout, ensure_ascii=False, indent=2)
    print()
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
    _sources(paths)  # the usage errors: a missing path, no sources at all
    bind = wants_bind(paths, args.bind)
    options = BuildOptions(
        out=args.out,
        formats=frozenset(formats),
        templates=args.templates,
        force=args.force,
        jobs=args.jobs,
        bind=bind,
    )
    report = build(build_sources(paths, bind), options, echo=lambda line: print(line, flush=True))
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
    try:
        serve(paths, options, args.port, echo=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("forslag: preview stopped", file=sys.stderr, flush=True)
    return EXIT_OK


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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        print(f"forslag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except ForslagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader (e.g. `head`) stopped listening; nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("forslag: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal fault: say so plainly, without burying the user in a traceback
        if args.debug:
            traceback.print_exc()
        print(
            f"forslag: internal error: {type(exc).__name__}: {exc} (run with --debug for details; please report it)",
            file=sys.stderr,
        )
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
