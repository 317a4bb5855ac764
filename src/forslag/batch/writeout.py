"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from forslag.errors import ForslagError


class OutputError(ForslagError):
    """The output folder cannot be written (a file in its place, no permission, a full disk): the user's
    environment, not a fault in a source or in forslag."""


_HINTS = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is used up; free some space",
    errno.EACCES: "no permission to write there; choose another --out folder or change its permissions",
    errno.EPERM: "no permission to write there; choose another --out folder or change its permissions",
    errno.EROFS: "the file system is read-only; choose another --out folder",
    errno.ENOTDIR: "a file stands where a folder is needed; remove it or choose another --out folder",
    errno.EEXIST: "a file stands where a folder is needed; remove it or choose another --out folder",
    errno.EISDIR: "a folder stands where the file should go; remove it or choose another --out folder",
}


def output_error(path: Path, exc: OSError) -> OutputError:
    """A clean message for an OSError met while writing `path`: what went wrong, where, and what to do."""
    hint = _HINTS.get(exc.errno or 0, "check the output folder")
    return OutputError(f"cannot write {path}: {exc.strerror or exc}; {hint}")


def _no_links(root: Path, folder: Path) -> None:
    """Refuse a folder reached through a symbolic link below `root` (the --out folder, which may itself be
    one): a link named `assets` or `.forslag-cache` pointing elsewhere would receive forslag's files."""
    try:
        parts = folder.absolute().relative_to(root.absolute()).parts
    except ValueError:
        raise OutputError(f"cannot write {folder}: it lies outside the output folder {root}") from None
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise OutputError(
                f"cannot write into {current}: it is a symbolic link, and forslag writes only into folders inside "
                f"{root}; remove the link"
            )


def refuse_links(root: Path, *folders: Path) -> None:
    """OutputError when one of `folders` (inside `root`) is reached through a symbolic link: asked before a
    build writes anything, so a refused build leaves nothing half-written."""
    for folder in folders:
        _no_links(root, folder)


def make_folder(path: Path, root: Path | None = None) -> None:
    if root is not None:
        _no_links(root, path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path, exc) from None
    if not path.is_dir():
        raise output_error(path, NotADirectoryError(errno.ENOTDIR, "not a folder"))


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write `data` to `path` through a temporary file and a rename; OutputError (nothing left behind) if the
    folder cannot take it, or if it is reached through a symbolic link below `root` (the output folder). The
    rename replaces a link at `path` itself; it never writes through one."""
    make_folder(path.parent, root)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise output_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
