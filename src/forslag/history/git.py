"""Running git on a sources' repository without running anything the repository configures.

A repository arrives from other hands: its `.git/config` may name an fsmonitor, hooks, a pager, an external
diff, a textconv or clean/smudge filter, a merge driver, a credential helper, each of which git would execute.
Every call goes through `_run`, the one place that builds git's command line and environment: it turns the
fixed settings off on the command line (command-line settings win over the repository's), and every
setting the repository actually has under a name that can hold a program (`filter.<driver>.clean` and the
like, whose driver names only the repository knows) is listed first and overridden with an empty value.

The listing (a git process of its own) is remembered per working folder for the rest of the process, and
reused only while nothing git would read for it has changed: before every call, the files it depends on are
looked at again (`os.stat`: device, inode, size, modification and change times) and compared with what they
were when it was made. Those files are every config file the listing came from (global, the repository's,
every included one), every file an include names (present or not: one may appear), the global config files
that are absent, the repository's `config.worktree`, and the `.git` git finds by walking up from the folder
(a `.git` appearing nearer to the folder means another repository). A listing is not remembered at all:
- when one of those files changed less than `RACY_SECONDS` before it was made (a later change within the
  file system's timestamp granularity, of the same size, could then leave every stat value as it was);
- when git's own answer disagrees with the walk (no setting from the config of the `.git` found: git
  stopped at a file-system boundary or refused the repository), or when what git reads depends on more
  than those files: `core.worktree`, a conditional include other than `gitdir:` (`onbranch:` follows HEAD,
  `hasconfig:` other settings), an include in another user's home (`~user/`);
- when anything of it cannot be read.
So a config changed between two calls, by anyone (the user, another process, or a file the build itself
writes that an include names), is listed again before the next call. Nothing run here writes git's config:
the programs that could (hooks, filters, drivers) are the ones switched off, and GIT_OPTIONAL_LOCKS, gc.auto
and maintenance.auto keep git's own housekeeping from running. A no-op build then lists once, not per call.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
import time
from dataclasses import dataclass
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


# A listing is remembered only if every file it depends on last changed at least this long before it was made:
# more than any file system's timestamp granularity (ext4 and tmpfs: a clock tick; FAT: 2 s).
RACY_SECONDS = 2.0

Signature = tuple[int, ...] | None  # what os.stat says of a file (None: absent) that a change would alter


@dataclass(frozen=True)
class _Listing:
    overrides: dict[str, str]
    watched: tuple[str, ...]  # the files the listing depends on
    signatures: tuple[Signature, ...]  # their state when it was made


# The remembered listings, by working folder and the environment's HOME and XDG_CONFIG_HOME (see above).
_listings: dict[tuple[str, str, str], _Listing] = {}


def _signature(path: str) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):  # a `.git` folder: which one it is, not what happens inside it
        return (st.st_dev, st.st_ino, st.st_mode)
    return (st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _found_git(cwd: Path) -> list[str]:
    """The `.git` paths git looks at walking up from `cwd`, nearest first, up to the first that exists."""
    walked: list[str] = []
    for folder in (cwd, *cwd.parents):
        walked.append(os.path.join(folder, ".git"))
        if _signature(walked[-1]) is not None:
            break
    return walked


def _git_dirs(dot_git: str) -> tuple[str, str] | None:
    """The git directory and the common directory a `.git` (folder or `gitdir:` file) leads to."""
    if os.path.isdir(dot_git):
        git_dir = dot_git
    else:
        try:
            with open(dot_git, encoding="utf-8") as file:
                line = file.read(4096).strip()
        except (OSError, UnicodeError):
            return None
        if not line.startswith("gitdir: "):
            return None
        git_dir = os.path.join(os.path.dirname(dot_git), line[len("gitdir: ") :])
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as file:
            common = os.path.join(git_dir, file.read(4096).strip())
    except FileNotFoundError:
        common = git_dir
    except (OSError, UnicodeError):
        return None
    return git_dir, common


def _list(cwd: Path, env: dict[str, str], timeout: float) -> list[tuple[str, str, str]]:
    """Every setting git would read in `cwd`, includes followed: (origin, name, value).

    `git config --list` only reads files; it runs nothing. When it fails (a broken config) the command
    itself would fail the same way, so nothing runs.
    """
    proc = subprocess.run(
        [*command("config", "--list", "--show-origin", "-z")],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0 and proc.stderr.strip():
        raise GitError(f"git config: {proc.stderr.decode('utf-8', 'replace').strip()}")
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    settings = []
    for i in range(0, len(fields) - 1, 2):  # origin NUL name [LF value] NUL
        name, _, value = fields[i + 1].partition("\n")
        settings.append((fields[i], name, value))
    return settings


def _watched(cwd: Path, env: dict[str, str], settings: list[tuple[str, str, str]]) -> list[str] | None:
    """The files `settings` (listed in `cwd`) depend on, or None when the listing must not be remembered."""
    walked = _found_git(cwd)
    dirs = _git_dirs(walked[-1]) if _signature(walked[-1]) is not None else None
    if dirs is None:
        return None
    git_dir, common = dirs
    top = os.path.dirname(walked[-1])  # where git runs from, and what a relative origin is relative to
    home = env.get("HOME", "")
    xdg = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    watched = [
        *walked,
        os.path.join(git_dir, "commondir"),
        os.path.join(common, "config"),
        os.path.join(git_dir, "config.worktree"),
        os.path.join(home, ".gitconfig"),
        os.path.join(xdg, "git", "config"),
    ]
    local = _signature(os.path.join(common, "config"))
    agrees = False
    for origin, name, value in settings:
        if origin.startswith("command line:"):
            continue  # ours: the fixed settings
        if not origin.startswith("file:"):
            return None
        path = os.path.join(top, origin[len("file:") :])
        watched.append(path)
        agrees = agrees or (local is not None and _signature(path) == local)
        section, _, rest = name.partition(".")
        condition, _, key = rest.rpartition(".")
        folded = (section.lower(), key.lower())
        if folded == ("core", "worktree"):
            return None
        if folded in (("include", "path"), ("includeif", "path")):
            if section.lower() == "includeif" and not condition.startswith(("gitdir:", "gitdir/i:")):
                return None
            if value.startswith("~") and not value.startswith("~/"):
                return None  # another user's home: not worth finding
            target = os.path.join(home, value[2:]) if value.startswith("~/") else value
            watched.append(os.path.join(os.path.dirname(path), target))
    return watched if agrees else None


def _configured(cwd: Path, env: dict[str, str], timeout: float) -> dict[str, str]:
    """Every setting git would read in `cwd` (includes followed) that can name a program, overridden: the
    remembered listing when nothing it depends on has changed, else a new one (see the module's docstring)."""
    cwd = cwd.resolve()  # git walks up from the physical folder
    key = (str(cwd), env.get("HOME", ""), env.get("XDG_CONFIG_HOME", ""))
    known = _listings.get(key)
    if known is not None and tuple(map(_signature, known.watched)) == known.signatures:
        return known.overrides
    started = time.time()
    settings = _list(cwd, env, timeout)
    overrides = program_overrides([name for _origin, name, _value in settings])
    _listings.pop(key, None)
    watched = _watched(cwd, env, settings)
    if watched is not None:
        signatures = tuple(map(_signature, watched))
        settled = (started - RACY_SECONDS) * 1e9
        if all(sig is None or len(sig) < 6 or max(sig[4], sig[5]) < settled for sig in signatures):
            _listings[key] = _Listing(overrides, tuple(watched), signatures)
    return overrides


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
