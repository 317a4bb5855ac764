"""Reading PDFs back in tests: text, metadata and fonts, with pypdf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pages_text(path: Path) -> list[str]:
    # A figure and its unit are joined by a no-break space in the documents; tests compare plain spaces.
    return [(page.extract_text() or "").replace("\u00a0", " ") for page in PdfReader(path).pages]


def text(path: Path) -> str:
    return "\n".join(pages_text(path))


def fonts(path: Path) -> dict[str, bool]:
    """Every font the pages use, and whether its program is embedded."""
    found: dict[str, bool] = {}

    def visit(font: Any) -> None:
        font = font.get_object()
        name = str(font.get("/BaseFont"))
        descendants = font.get("/DescendantFonts")
        targets = [d.get_object() for d in descendants] if descendants else [font]
        embedded = False
        for target in targets:
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                embedded = embedded or any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        found[name] = embedded

    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        fonts = resources.get_object().get("/Font")
        # An indirect /Font dictionary (pypdf before 5 hands it over unresolved).
        for font in (fonts.get_object() if fonts is not None else {}).values():
            visit(font)
    return found


def flat(path: Path) -> str:
    """The text as one line: words split by automatic hyphenation (a soft hyphen, U+00AD) joined again."""
    joined = text(path).replace("\u00ad\n", "").replace("\u00ad ", "")
    return " ".join(joined.split())
