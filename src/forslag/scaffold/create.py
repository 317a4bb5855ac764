"""Writing a new case repository and new proposals from the scaffold files shipped in the package."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from forslag.errors import UsageError
from forslag.history.revisions import git_text
from forslag.scaffold.origin import Requirement, installed_requirement
from forslag.scaffold.record import InitRecord

PROPOSALS = "proposals"
FIRST_PROPOSAL = "nyt-forslag"
TEXTCONV = ("diff.forslag.textconv", "forslag textconv")
DEFAULT_YEARS = list(range(2026, 2031))
WORKFLOW = Path(".github") / "workflows" / "forslag.yml"
# Copenhagen's words are the model's defaults; a new case is another municipality's until it says otherwise.
NEUTRAL_WORDING = {"finance_centre": "Økonomiafdelingen", "finance_approver": "Økonomiafdelingen"}


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


def proposal_name(name: str) -> str:
    """The name as a file and output name: lower-case letters (æ, ø, å and the like too), digits, - and _."""
    name = unicodedata.normalize("NFC", name.removesuffix(".yaml"))
    ok = 0 < len(name) <= 64 and all(
        unicodedata.category(c) in ("Ll", "Lo") or c in "0123456789" or (i and c in "-_") for i, c in enumerate(name)
    )
    if not ok:
        raise UsageError(
            f"{name!r}: a proposal's name becomes its file and output name: use lower-case letters (æ, ø and å "
            "too), digits 0-9, '-' and '_', starting with a letter or digit (e.g. hjemmetræning)"
        )
    return name


def _title(name: str) -> str:
    words = re.split(r"[-_]+", name)
    return " ".join(words).capitalize()


def _flow(amounts: dict[int, int]) -> str:
    return "{" + ", ".join(f"{year}: {amount}" for year, amount in amounts.items()) + "}"


def proposal_text(name: str, years: list[int] | None = None, date: str | None = None) -> str:
    """A new proposal whose placeholder numbers lie in the case's years: invest in the first year (and the
    second), save from the second year on, so it checks and builds in any case as it stands."""
    years = years or DEFAULT_YEARS
    second = years[1] if len(years) > 1 else years[0]
    third = years[2] if len(years) > 2 else years[-1]
    savings = {y: (-400 if y == second and len(years) > 2 else -800) for y in years if y >= second}
    investment = {years[0]: 500, **({second: 250} if second != years[0] else {})}
    replacements = {
        # The title goes in as a quoted YAML string, so a name can never change the file's structure.
        "@TITLE@": json.dumps(_title(name), ensure_ascii=False),
        "@DATE@": date or f"{years[0] - 1}-09-01",
        "@SAVINGS@": _flow(savings),
        "@INVESTMENT@": _flow(investment),
        "@SECOND@": str(second),
        "@THIRD@": str(third),
    }
    text = _scaffold("proposal.yaml")
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def _wording_lines() -> str:
    """Every key of `wording:` with its value and what it is, from the model, so no key can be missing."""
    from forslag.source.model import Wording

    lines = []
    for key, info in Wording.model_fields.items():
        default = str(info.default)
        value = NEUTRAL_WORDING.get(key, default)
        lines.append(f"  # {info.description} Left out: {default}")
        lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines)


def case_text(years: list[int], municipality: str) -> str:
    replacements = {
        "@NAME@": json.dumps(f"Budget {years[0]}", ensure_ascii=False),
        "@MUNICIPALITY@": json.dumps(municipality, ensure_ascii=False),
        "@DATE@": f"{years[0] - 1}-09-01",
        "@YEARS@": json.dumps(years),
        "@PRICE_LEVEL@": str(years[0]),
        "@WORDING@": _wording_lines(),
        # An example pool over the case's first three years, so removing the # gives a valid case.
        "@POOL_BUDGET@": "{" + ", ".join(f"{y}: {a}" for y, a in zip(years, (10000, 20000, 10000), strict=False)) + "}",
    }
    text = _scaffold("case.yaml")
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


def parse_years(text: str) -> list[int]:
    """'2027-2030' (or one year) as the list of the case's years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, -1)
    if not match or not 1900 <= first <= last <= 2200 or last - first >= 15:
        raise UsageError(f"--years {text!r}: write the first and last year, e.g. 2027-2030 (at most 15 years)")
    return list(range(first, last + 1))


def _case_years(folder: Path) -> tuple[list[int] | None, str | None]:
    """The years and date of the case a new proposal joins (None when the folder has no case.yaml yet)."""
    case_path = folder / "case.yaml"
    if not case_path.is_file():
        return None, None
    from forslag.source.load import load_case

    case = load_case(case_path).case  # an invalid case is its own error, with its lines
    return case.years, case.date.isoformat()


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # never overwrite what someone wrote
        fh.write(text)


def new_proposal(folder: Path, name: str) -> Path:
    """proposals/NAME.yaml with every section present, in the case's years, valid and buildable as it stands."""
    name = proposal_name(name)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder (make a case repository with `forslag init DIR`)")
    target = folder / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists")
    years, date = _case_years(folder)
    _write_new(target, proposal_text(name, years, date))
    return target


def managed_files(root: Path, requirement: str) -> dict[Path, str]:
    """The files `forslag init` owns and `forslag init --update` keeps up to date (never the sources)."""
    return {
        root / PROPOSALS / "schema" / "proposal.schema.json": schema_text(case=False),
        root / PROPOSALS / "schema" / "case.schema.json": schema_text(case=True),
        root / ".gitignore": _scaffold("gitignore"),
        root / ".gitattributes": _scaffold("gitattributes"),
        root / ".vscode" / "settings.json": _scaffold("settings.json"),
        root / WORKFLOW: _scaffold("forslag.yml").replace('"@REQUIREMENT@"', json.dumps(requirement)),
    }


@dataclass
class InitResult:
    root: Path
    requirement: Requirement
    written: list[Path] = field(default_factory=list)
    git_initialised: bool = False
    textconv_configured: bool = False


def init_case(
    root: Path, years: list[int] | None = None, municipality: str = "Kommunen", requirement: str | None = None
) -> InitResult:
    """A case repository that checks and builds at once, with git, editor and CI set up."""
    years = years or DEFAULT_YEARS
    req = Requirement.given(requirement) if requirement is not None else installed_requirement()
    folder = root / PROPOSALS
    planned = {
        folder / "case.yaml": case_text(years, municipality),
        folder / f"{FIRST_PROPOSAL}.yaml": proposal_text(FIRST_PROPOSAL, years, f"{years[0] - 1}-09-01"),
        **managed_files(root, req.text),
    }
    existing = [p for p in planned if p.exists() or p.is_symlink()]  # a dangling link too: never written through
    if existing:
        raise UsageError(
            f"{existing[0]} already exists; `forslag init` makes a new case repository, it overwrites nothing "
            "(`forslag init --update` brings the files init wrote up to this forslag's versions)"
        )
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    result = InitResult(root, req)
    record = InitRecord(root)
    for path, text in planned.items():
        _write_new(path, text)
        result.written.append(path)
        record.remember(path, text)
    result.written.append(record.save())
    inside = git_text(root, "rev-parse", "--show-toplevel")
    if inside is None:
        result.git_initialised = git_text(root, "init", "--quiet") is not None
        inside = git_text(root, "rev-parse", "--show-toplevel")
    if inside is not None:
        result.textconv_configured = git_text(root, "config", "--local", *TEXTCONV) is not None
    return result
