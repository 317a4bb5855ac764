"""The document font: Source Sans Pro from its wheel, as @font-face rules for print or for the HTML's assets."""

from __future__ import annotations

from pathlib import Path

import font_source_sans_pro

FONT_DIR = Path(font_source_sans_pro.__file__).resolve().parent / "files"

# (file, weight, style): the faces the stylesheet uses.
FONT_FILES = (
    ("SourceSansPro-Regular.ttf", 400, "normal"),
    ("SourceSansPro-It.ttf", 400, "italic"),
    ("SourceSansPro-Semibold.ttf", 600, "normal"),
    ("SourceSansPro-Bold.ttf", 700, "normal"),
    ("SourceSansPro-BoldIt.ttf", 700, "italic"),
)
ASSETS = "assets"


def font_face_css(for_print: bool) -> str:
    """@font-face rules: installed files for WeasyPrint, copies in assets/ beside the HTML for a browser."""
    rules = []
    for name, weight, style in FONT_FILES:
        url = (FONT_DIR / name).as_uri() if for_print else f"{ASSETS}/{name}"
        rules.append(
            f'@font-face {{ font-family: "Source Sans Pro"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def font_paths() -> list[Path]:
    return [FONT_DIR / name for name, _, _ in FONT_FILES]
