"""Running git on a sources' repository without running anything the repository configures.

A repository arrives from other hands: its `.git/config` may name an fsmonitor, hooks, a pager, an external
diff, a textconv or clean/smudge filter, a merge driver, a credential helper, each of which git would execute.
Every call goes through `_run`, the one place that builds git's command line and environment: it turns the
fixed settings off on the command line (command-line settings win over the repository's), and every
setting the repository actually has under a name that can hold a program (`filter.<driver>.clean` and the
like, whose driver names only the repository knows) is listed first and overridden with an empty value.
"""

from __future__ import annotations

import fnmatch
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
    "safe.bareRepository=explicit",  # a bare repository planted inside a sources folder is not entered
    "core.gitProxy=",
    "sequence.editor=",
    "gpg.program=",
    "uploadpack.packObjectsHook=",
    "interactive.diffFilter=",
)

# Names (as `git config --list --name-only` prints them: section and key lower case) whose value git may run
# as a program, with the value that names none. `<driver>` parts are whatever the repository chose, so these
# are matched against the settings git actually sees, not set blindly.
PROGRAM_SETTINGS: tuple[tuple[str, str], ...] = (
    ("filter.*.clean", ""),
    ("filter.*.smudge", ""),
    ("filter.*.process", ""),
    ("filter.*.required", "false"),  # a required filter that is switched off would fail the command
    ("diff.*.textconv", ""),
    ("diff.*.command", ""),
    ("diff.external", ""),
    ("merge.*.driver", ""),
    ("credential.helper", ""),
    ("credential.*.helper", ""),
    ("core.fsmonitor", "false"),
    ("core.hookspath", "/dev/null"),
    ("core.sshcommand", ""),
    ("core.gitproxy", ""),
    ("core.askpass", ""),
    ("core.pager", "cat"),
    ("core.editor", ""),
    ("core.alternaterefscommand", ""),
    ("sequence.editor", ""),
    ("pager.*", "false"),
    ("gpg.program", ""),
    ("gpg.*.program", ""),
    ("gpg.ssh.defaultkeycommand", ""),
    ("remote.*.uploadpack", ""),
    ("remote.*.receivepack", ""),
    ("remote.*.vcs", ""),
    ("uploadpack.packobjectshook", ""),
    ("difftool.*.cmd", ""),
    ("difftool.*.path", ""),
    ("mergetool.*.cmd", ""),
    ("mergetool.*.path", ""),
    ("trailer.*.command", ""),
    ("trailer.*.cmd", ""),
    ("interactive.difffilter", ""),
    ("browser.*.cmd", ""),
    ("browser.*.path", ""),
    ("web.browser", ""),
    ("sendemail.smtpserver", ""),
    ("sendemail.*.smtpserver", ""),
    ("sendemail.aliasesfile", ""),
    ("sendemail.tocmd", ""),
    ("sendemail.cccmd", ""),
    ("sendemail.headercmd", ""),
    ("submodule.*.update", "none"),
    ("hook.*.command", ""),
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
    """The git command line for `args`, with the fixed safe settings in front."""
    safe = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    return ["git", "--no-pager", *safe, *args]


def program_overrides(names: list[str]) -> dict[str, str]:
    """For the settings git sees (`names`), the ones that could run a program, each with its harmless value."""
    overrides: dict[str, str] = {}
    for name in names:
        folded = name.lower()  # a subsection keeps its case in `name`; the patterns match any case
        for pattern, value in PROGRAM_SETTINGS:
            if fnmatch.fnmatchcase(folded, pattern):
                overrides[name] = value
                break
    return overrides


def _configured(cwd: Path, env: dict[str, str], timeout: float) -> dict[str, str]:
    """Every setting git would read in `cwd` (includes followed) that can name a program, overridden.

    `git config --list` only reads files; it runs nothing. When it fails (a broken config) the command
    itself would fail the same way, so nothing runs.
    """
    proc = subprocess.run(
        [*command("config", "--list", "--name-only", "-z")],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0 and proc.stderr.strip():
        raise GitError(f"git config: {proc.stderr.decode('utf-8', 'replace').strip()}")
    names = [n.decode("utf-8", "surrogateescape") for n in proc.stdout.split(b"\0") if n]
    return program_overrides(names)


def safe_environment(cwd: Path, timeout: float = TIMEOUT_SECONDS) -> dict[str, str]:
    """The environment every git call in `cwd` runs with: the repository's program settings switched off.

    The overrides travel as GIT_CONFIG_COUNT/KEY/VALUE (command-line scope, like `-c`, but a key is never
    split at an "=" a driver's name may hold).
    """
    env = _environment()
    overrides = _configured(cwd, env, timeout)
    env["GIT_CONFIG_COUNT"] = str(len(overrides))
    for i, (key, value) in enumerate(sorted(overrides.items())):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def _run(cwd: Path, args: tuple[str, ...], timeout: float) -> bytes:
    try:
        proc = subprocess.run(
            command(*args),
            cwd=cwd,
            env=safe_environment(cwd, timeout),
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


def run_git_bytes_checked(cwd: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Like `run_git_checked`, for output that is not text; GitError when git fails."""
    return _run(cwd, args, timeout)


def run_git_bytes(cwd: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> bytes | None:
    """Like `run_git`, for output that is not text (blobs, NUL-separated listings)."""
    try:
        return _run(cwd, args, timeout)
    except GitError:
        return None
