"""The documentation's reference pages follow the code: every field, command and flag, and a new one at once."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, Field, create_model

from .conftest import ROOT, Run


def _docsgen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docsgen", ROOT / "tools" / "docsgen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["docsgen"] = module
    spec.loader.exec_module(module)
    return module


docsgen = _docsgen()


def _keys(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every key a source may write under `model`, through every nested model."""
    seen = seen if seen is not None else set()
    seen.add(model)
    keys = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)
        for inner in re.findall(r"<class '([\w.]+)'>", repr(info.annotation)):
            module, _, cls = inner.rpartition(".")
            found = getattr(sys.modules.get(module), cls, None)
            if isinstance(found, type) and issubclass(found, BaseModel) and found not in seen:
                keys |= _keys(found, seen)
    return keys


def _documented(page: str) -> set[str]:
    return set(re.findall(r"^\| `([^`]+)` \|", page, re.MULTILINE))


def test_every_source_field_is_in_the_reference() -> None:
    from forslag.source.business_case import BusinessCase
    from forslag.source.model import Case, Proposal

    proposal = _documented(docsgen.proposal_page())
    business_case = _documented(docsgen.business_case_page())
    assert _keys(Proposal) - _keys(BusinessCase) - {"case"} <= proposal | business_case
    assert {"title", "economy", "amounts", "staffing", "unit_cost", "headline", "hearings"} <= proposal
    assert _keys(BusinessCase) <= business_case | proposal
    assert _keys(Case) <= _documented(docsgen.case_page())


def test_a_field_added_to_a_model_appears_without_editing_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from forslag.source import model

    grown: Any = create_model(
        "Proposal",
        __base__=model.Proposal,
        committee_date=(str | None, Field(None, description="The date of the committee meeting (a test's field).")),
    )
    monkeypatch.setattr(model, "Proposal", grown)
    page = docsgen.proposal_page()
    assert "| `committee_date` | text | none | The date of the committee meeting (a test's field). |" in page

    wording: Any = create_model(
        "Wording", __base__=model.Wording, council=(str, Field("Byrådet", description="The council (a test's)."))
    )
    monkeypatch.setattr(model, "Wording", wording)
    monkeypatch.setattr(model, "Case", create_model("Case", __base__=model.Case, wording=(wording, wording())))
    assert "| `council` | text | `Byrådet` | The council (a test's). |" in docsgen.case_page()
    # ... and `forslag init` writes it into a new case's wording block, with its default and what it is.
    from forslag.scaffold.create import case_text

    assert '  council: "Byrådet"' in case_text([2027], "Nordby Kommune")


def test_every_command_and_flag_is_in_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from forslag import cli

    page = docsgen.cli_page()
    top = cli.parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert f"## forslag {name}\n" in page
        assert name in docsgen.GUIDES, f"forslag {name} has no page that explains it (tools/docsgen.py GUIDES)"
        assert (ROOT / "docs" / docsgen.GUIDES[name][1].removeprefix("../").split("#")[0]).is_file()
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue  # -h on every command: said once, not in every table
            for flag in action.option_strings:
                assert f"`{flag}`" in page, (name, flag)

    original = cli.parser

    def grown() -> argparse.ArgumentParser:
        p = original()
        build = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices["build"]
        build.add_argument("--watermark", help="print UDKAST across every page (a test's flag)")
        return p

    monkeypatch.setattr(cli, "parser", grown)
    assert "| `--watermark` `WATERMARK` | print UDKAST across every page (a test's flag) |" in docsgen.cli_page()


def test_placeholders_json_limits_and_errors_come_from_the_code() -> None:
    from forslag.source import yamlsource

    placeholders = docsgen.placeholders_page()
    for name in ("net.full", "net.<year>", "line.<id>.full", "payback.total", "bc.<scenario>.npv", "price_level"):
        assert f"`{{{{ {name} }}}}`" in placeholders, name
    assert "`net.full` → -12,0 mio. kr." in placeholders  # the figure Forløbsprogrammet prints

    json_page = docsgen.check_json_page()
    assert '"payback": {\n        "service": 3,' in json_page or '"service": 3' in json_page
    assert "year-outside-case.yaml" in json_page

    limits = docsgen.limits_page()
    assert f"lists and mappings at most {yamlsource.MAX_DEPTH} levels deep" in limits
    assert "### unknown key" in limits and "did you mean 'title'?" in limits
    assert str(ROOT) not in limits  # paths as a reader's checkout has them


def test_every_generated_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in docsgen.PAGES:
        assert page in nav
        assert not (ROOT / "docs" / page).exists()  # generated only: a committed copy would drift


def test_readme_stays_short_and_points_into_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert readme.index("make build") < readme.index("make test") < 600  # the two set-up commands come first
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link
    assert Path(ROOT / "docs" / "images" / "forloebsprogram-side-1.png").is_file()


def test_the_readme_example_checks(run: Run, tmp_path: Path) -> None:
    assert run("init", tmp_path / "sag", "--years", "2028-2031").code == 0
    example = re.search(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert example is not None and len(example[1].splitlines()) <= 25
    source = tmp_path / "sag" / "proposals" / "hjemmetræning.yaml"
    source.write_text(example[1], encoding="utf-8")
    checked = run("check", source)
    assert checked.code == 0, checked.out + checked.err
    assert "Hjemmetræning efter udskrivning (payback 4/4 years)" in checked.out  # as the README's table says
