"""Where the running forslag came from, as a requirement pip can install in a case repository's CI."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata

from forslag import __version__
from forslag.errors import UsageError

# The workflow says what to set when this is empty; init says it too.
UNKNOWN_NOTE = (
    "forslag was not installed from anywhere CI can reach ({how}); set FORSLAG in .github/workflows/forslag.yml "
    "to a git URL with a tag or commit (forslag @ git+https://…/forslag@v0.1.0) or a wheel's URL, or run "
    "`forslag init --update --requirement '…'`"
)


@dataclass(frozen=True)
class Requirement:
    """What the workflow installs (`text`, empty when nothing usable is known) and where it was found."""

    text: str
    origin: str
    note: str | None = None

    @classmethod
    def given(cls, text: str) -> Requirement:
        text = text.strip()
        if not text or re.search(r"[\x00-\x1f\x7f]", text):
            raise UsageError(
                "--requirement takes one line for pip, e.g. 'forslag @ git+https://example.org/forslag@v0.1.0'"
            )
        return cls(text, "given with --requirement")


def from_direct_url(data: dict[str, object], version: str = __version__) -> Requirement:
    """PEP 610's record of a direct install: a git commit or an archive URL CI can fetch again."""
    url = data.get("url")
    if not isinstance(url, str):
        return Requirement("", "unknown", UNKNOWN_NOTE.format(how="no URL recorded"))
    local = url.startswith("file:")
    vcs = data.get("vcs_info")
    archive = data.get("archive_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
        if local:  # a repository on this disk: CI's runner cannot clone it
            return Requirement("", "unknown", UNKNOWN_NOTE.format(how=f"a git repository on this machine, {url}"))
        return Requirement(f"forslag @ git+{url}@{vcs['commit_id']}", "the git commit it was installed from")
    if isinstance(archive, dict) and not local:
        hashes = archive.get("hashes")
        digest = hashes.get("sha256") if isinstance(hashes, dict) else None
        return Requirement(f"forslag @ {url}" + (f"#sha256={digest}" if digest else ""), "the archive it came from")
    how = "an editable checkout" if isinstance(data.get("dir_info"), dict) else "a file on this machine"
    return Requirement("", "unknown", UNKNOWN_NOTE.format(how=how))


def installed_requirement() -> Requirement:
    """The running forslag as a requirement: its direct URL, else its version from the package index."""
    try:
        dist = metadata.distribution("forslag")
    except metadata.PackageNotFoundError:
        return Requirement("", "unknown", UNKNOWN_NOTE.format(how="not installed as a package"))
    raw = dist.read_text("direct_url.json")
    if raw is None:  # installed from a package index: the same version is there for CI too
        return Requirement(f"forslag=={dist.version}", "the package index it was installed from")
    try:
        data = json.loads(raw)
    except ValueError:
        data = {}
    return from_direct_url(data if isinstance(data, dict) else {}, dist.version)
