"""Each private hook into WeasyPrint, pydyf, cffi and fontTools still finds what it relies on (document/hooks.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from forslag.document.hooks import HOOKS, Hook

from .conftest import ROOT


@pytest.mark.parametrize("hook", HOOKS, ids=[h.name for h in HOOKS])
def test_hook_still_holds(hook: Hook) -> None:
    hook.check()  # raises HookBroken("hook '<name>': what changed") when a release breaks it


def test_every_hooked_library_is_bounded_above_in_pyproject() -> None:
    """A release that has not passed these checks is never installed: each hooked library has an upper bound."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    bounded = {re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower() for d in dependencies if "<" in d}
    assert {h.library for h in HOOKS} - {"python"} <= bounded  # the standard library goes with requires-python


def test_every_private_name_the_code_touches_is_listed() -> None:
    """A new reach into a library's private names (weasyprint.x._y, page._page_box, ._parse) joins HOOKS first."""
    listed = " ".join(f"{h.name} {h.private}" for h in HOOKS)
    files = [*(ROOT / "src" / "forslag").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]
    code = "\n".join(p.read_text() for p in files if p.name != "hooks.py")
    touched = set(re.findall(r"(?:weasyprint[\w.]*|page|parser|cparser)\.(_[a-z]\w*)", code))
    assert touched, "the pattern no longer finds the known hooks"
    assert {name for name in touched if name not in listed} == set()


def test_hooks_are_named_where_they_are_used() -> None:
    for hook in HOOKS:
        module = hook.used_in.split(" ", 1)[0]
        path = ROOT / "src" / Path(*module.split(".")).with_suffix(".py")
        assert path.is_file(), hook.name
