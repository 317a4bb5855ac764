"""`forslag init --update`: the files init wrote brought up to the installed forslag, never a user's edit lost."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from forslag.errors import UsageError
from forslag.scaffold.create import PROPOSALS, WORKFLOW, managed_files
from forslag.scaffold.origin import Requirement, installed_requirement
from forslag.scaffold.record import RECORD, InitRecord


@dataclass
class Change:
    path: Path
    status: str  # "up to date", "written", "updated", "kept" (edited, left alone) or "replaced" (edited, --force)
    diff: list[str] = field(default_factory=list)
    backup: Path | None = None


def _current_requirement(root: Path) -> str:
    """The FORSLAG value the repository's workflow has now (set by init or by hand), or ''."""
    try:
        data = yaml.safe_load((root / WORKFLOW).read_text(encoding="utf-8"))
        value = data.get("env", {}).get("FORSLAG", "") if isinstance(data, dict) else ""
    except (OSError, yaml.YAMLError, AttributeError):
        return ""
    return value.strip() if isinstance(value, str) else ""


def update_case(root: Path, requirement: str | None = None, force: bool = False) -> tuple[list[Change], Requirement]:
    """Compare each file init owns with this forslag's version: write it where it is missing or unedited; where
    the user edited it, show the difference and keep it (with `force`, replace it and keep theirs as .orig)."""
    if not (root / PROPOSALS).is_dir() and not (root / RECORD).is_file():
        raise UsageError(f"{root} is not a case repository made by `forslag init` (no {PROPOSALS}/ folder)")
    if requirement is not None:
        req = Requirement.given(requirement)
    elif current := _current_requirement(root):
        req = Requirement(current, "the workflow's FORSLAG as it is")
    else:
        req = installed_requirement()
    record = InitRecord(root)
    changes: list[Change] = []
    for path, text in managed_files(root, req.text).items():
        try:
            now: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            now = None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        if now == text:
            record.remember(path, text)
            changes.append(Change(path, "up to date"))
            continue
        shown = path.relative_to(root).as_posix()
        diff = list(
            difflib.unified_diff(
                (now or "").splitlines(), text.splitlines(), f"{shown} (now)", f"{shown} (forslag)", lineterm=""
            )
        )
        change = Change(path, "written" if now is None else "updated", diff)
        if now is not None and not record.unedited(path, now):
            if not force:
                change.status = "kept"
                changes.append(change)
                continue
            change.status = "replaced"
            change.backup = path.with_name(path.name + ".orig")
            change.backup.write_text(now, encoding="utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        record.remember(path, text)
        changes.append(change)
    record.save()
    return changes, req


__all__ = ["Change", "update_case"]
