"""Running git on a sources' repository without running anything the repository configures.

A repository arrives from other hands: its `.git/config` may name an fsmonitor, hooks, a pager, an external
diff or a textconv filter, each of which git would execute. Every call goes through `run_git`, which turns
those off on the command line (command-line `-c` settings win over the repository's) and in the
environment, so reading git state only reads.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Settings that would make git execute a program named by the repository, or write to it, switched off.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "core.pager=cat",
    "core.quotePath=false",
    "core.sshCommand=false",
    "core.askPass=",
    "core.editor=false",
    "core.alternateRefsCommand=",
    "diff.external=",
    "diff.noprefix=false",
    "protocol.allow=never",
    "credential.helper=",
    "gc.auto=0",
    "maintenance.auto=false",
    "log.showSignature=false",
    "status.showUntrackedFiles=all",
)

TIMEOUT_SECONDS = 30


class GitError(Exception):
    """git could not be run, or it failed; `run_git` returns None instead, `run_git_checked` raises this."""


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",  # the system-wide config is no more trusted than the repository's
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # reading never writes the index
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_EXTERNAL_DIFF="",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_PROTOCOL_FROM_USER="0",
        LC_ALL="C",
    )
    return env


def command(*args: str) -> list[str]:
    """The git command line for `args`, with the safe settings in front."""
    safe = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    return ["git", "--no-pager", *safe, *args]


def _run(cwd: Path, args: tuple[str, ...], timeout: float) -> bytes:
    try:
        proc = subprocess.run(
            command(*args),
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args)}: {message or f'exit code {proc.returncode}'}")
    return proc.stdout


def run_git_checked(cwd: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> str:
    """git's standard output for `args` run in `cwd`; GitError when git is missing, hangs or fails."""
    return _run(cwd, args, timeout).decode("utf-8", "surrogateescape")


def run_git(cwd: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """git's standard output for `args` run in `cwd`, or None when git is missing or fails (not a repository)."""
    try:
        return run_git_checked(cwd, *args, timeout=timeout)
    except GitError:
        return None


def run_git_bytes(cwd: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> bytes | None:
    """Like `run_git`, for output that is not text (blobs, NUL-separated listings)."""
    try:
        return _run(cwd, args, timeout)
    except GitError:
        return None
