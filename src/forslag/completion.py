"""Shell completion scripts (bash, zsh, fish) written from the command line's own parser by shtab."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")
# Where each shell looks for a completion script, for the install line `forslag completion --help` prints.
INSTALL = {
    "bash": "forslag completion bash > ~/.local/share/bash-completion/completions/forslag",
    "zsh": "forslag completion zsh > ~/.zfunc/_forslag  # with fpath+=(~/.zfunc) before compinit in ~/.zshrc",
    "fish": "forslag completion fish > ~/.config/fish/completions/forslag.fish",
}
_FOLDERS = {"dir", "out", "templates"}


def _mark(parser: argparse.ArgumentParser, shtab: Any, sources: Any) -> None:
    """Tell shtab what each argument names: proposal sources (YAML files and folders) or a folder."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _mark(sub, shtab, sources)
        elif action.dest in _FOLDERS:
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        elif action.type is Path:
            action.complete = sources  # type: ignore[attr-defined]


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    import shtab

    sources = shtab.glob("*.yaml", "*.yml")
    _mark(parser, shtab, sources)
    text: str = shtab.complete(parser, shell=shell)
    return text if text.endswith("\n") else text + "\n"
