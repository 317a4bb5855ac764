"""The record of what `forslag init` wrote (.forslag-init.json), so `--update` can tell an edit from a default."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

RECORD = ".forslag-init.json"
# The workflow's FORSLAG line is the user's to set: a value written there by hand is no edit of the file.
_REQUIREMENT_LINE = re.compile(r"^(\s*FORSLAG:\s*).*$", re.MULTILINE)


def normal_text(path: Path, text: str) -> str:
    return _REQUIREMENT_LINE.sub(r'\1""', text) if path.name == "forslag.yml" else text


def digest(path: Path, text: str) -> str:
    return hashlib.sha256(normal_text(path, text).encode()).hexdigest()


class InitRecord:
    """Each file's sha256 as init (or the last --update) wrote it, keyed by its path in the repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / RECORD
        self.files: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            files = data.get("files") if isinstance(data, dict) else None
            if isinstance(files, dict):
                self.files = {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
        except (OSError, ValueError):
            pass  # no record (a repository made before there was one): every difference counts as an edit

    def _key(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def remember(self, path: Path, text: str) -> None:
        self.files[self._key(path)] = digest(path, text)

    def unedited(self, path: Path, text: str) -> bool:
        """Is `text` (the file as it is now) what forslag last wrote there?"""
        return self.files.get(self._key(path)) == digest(path, text)

    def save(self) -> Path:
        payload = {
            "about": "what `forslag init` wrote; `forslag init --update` uses it to tell your edits from its files",
            "files": dict(sorted(self.files.items())),
        }
        self.path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return self.path
