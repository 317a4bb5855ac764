"""Where the layout's files live: the default templates and a user's overriding folder."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# A checkout keeps the layout at its top (templates/); an installed wheel carries the same files inside the
# package (forslag/templates), where setuptools puts them. The checkout's wins, so editing it shows at once.
_CHECKOUT = Path(__file__).resolve().parents[3] / "templates"
_MARKER = "proposal.html.j2"


def _default_templates() -> Path:
    if (_CHECKOUT / _MARKER).is_file():
        return _CHECKOUT
    return Path(str(files("forslag") / "templates"))


DEFAULT_TEMPLATES = _default_templates()


def template_files(templates: Path | None = None) -> list[Path]:
    """Every file the layout is made of, user overrides first: what a cache key must cover."""
    files_: list[Path] = []
    for folder in ([templates] if templates else []) + [DEFAULT_TEMPLATES]:
        files_.extend(sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts))
    return files_
