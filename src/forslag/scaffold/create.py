"""Writing a new case repository and new proposals from the scaffold files shipped in the package."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from forslag import __version__
from forslag.errors import UsageError
from forslag.history.revisions import git_text

PROPOSALS = "proposals"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
FIRST_PROPOSAL = "nyt-forslag"
TEXTCONV = ("diff.forslag.textconv", "forslag textconv")


def _scaffold(name: str) -> str:
    return (files("forslag.scaffold") / "files" / name).read_text(encoding="utf-8")


def schema_text(case: bool = False) -> str:
    """The JSON Schema of a proposal (or of case.yaml), as `forslag schema` prints it."""
    from forslag.source.model import Case, Proposal

    model = Case if case else Proposal
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "forslag case" if case else "forslag proposal"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _title(name: str) -> str:
    words = re.split(r"[-_]+", name)
    return " ".join(words).capitalize()


def proposal_text(name: str) -> str:
    # The title goes in as a quoted YAML string, so a name can never change the file's structure.
    return _scaffold("proposal.yaml").replace("@TITLE@", json.dumps(_title(name), ensure_ascii=False))


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # never overwrite what someone wrote
        fh.write(text)


def new_proposal(folder: Path, name: str) -> Path:
    """proposals/NAME.yaml with every section present, valid and buildable as it stands."""
    name = name.removesuffix(".yaml")
    if not NAME.fullmatch(name):
        raise UsageError(
            f"{name!r}: a proposal's name becomes its file and output name: use a-z, 0-9, '-' and '_' "
            "(e.g. bedre-plejefamilier)"
        )
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder (make a case repository with `forslag init DIR`)")
    target = folder / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists")
    _write_new(target, proposal_text(name))
    return target


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)
    git_initialised: bool = False
    textconv_configured: bool = False


def init_case(root: Path) -> InitResult:
    """A case repository that checks and builds at once, with git, editor and CI set up."""
    folder = root / PROPOSALS
    planned = {
        folder / "case.yaml": _scaffold("case.yaml"),
        folder / f"{FIRST_PROPOSAL}.yaml": proposal_text(FIRST_PROPOSAL),
        folder / "schema" / "proposal.schema.json": schema_text(case=False),
        folder / "schema" / "case.schema.json": schema_text(case=True),
        root / ".gitignore": _scaffold("gitignore"),
        root / ".gitattributes": _scaffold("gitattributes"),
        root / ".vscode" / "settings.json": _scaffold("settings.json"),
        root / ".github" / "workflows" / "forslag.yml": _scaffold("forslag.yml").replace(
            "@REQUIREMENT@", f"forslag=={__version__}"
        ),
    }
    existing = [p for p in planned if p.exists() or p.is_symlink()]  # a dangling link too: never written through
    if existing:
        raise UsageError(
            f"{existing[0]} already exists; `forslag init` makes a new case repository, it overwrites nothing"
        )
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    result = InitResult(root)
    for path, text in planned.items():
        _write_new(path, text)
        result.written.append(path)
    inside = git_text(root, "rev-parse", "--show-toplevel")
    if inside is None:
        result.git_initialised = git_text(root, "init", "--quiet") is not None
        inside = git_text(root, "rev-parse", "--show-toplevel")
    if inside is not None:
        result.textconv_configured = git_text(root, "config", "--local", *TEXTCONV) is not None
    return result
