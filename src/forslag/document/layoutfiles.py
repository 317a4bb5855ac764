"""Where the layout's files live: the default templates and a user's overriding folder."""

from __future__ import annotations

from pathlib import Path

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def template_files(templates: Path | None = None) -> list[Path]:
    """Every file the layout is made of, user overrides first: what a cache key must cover."""
    files: list[Path] = []
    for folder in ([templates] if templates else []) + [DEFAULT_TEMPLATES]:
        files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    return files
