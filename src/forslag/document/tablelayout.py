"""The geometry of the amount tables (Tabel 1, the bound summary): page, type size and column widths.

Tables are laid out with `table-layout: fixed`, which WeasyPrint sets in one pass instead of measuring every
cell twice; the price is that a column never grows to fit its text, so the widths are decided here, from
the widest text each column must hold on one line, measured in the document's bold face. The first setting
that leaves the label column its minimum wins: portrait at 9 down to 7,5 pt (ten year columns of amounts up
to ±99.999 stay upright), then a landscape page (the `wide` page of style.css) at 9 down to 7 pt. A table
that fits on a page is kept whole (it starts a page rather than break); a taller one breaks between rows.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from forslag.document import danish
from forslag.document.fonts import FONT_DIR

PT_MM = 25.4 / 72
# The text block between style.css's page margins, in mm: A4 portrait and the landscape `wide` page.
WIDTHS_MM = {"portrait": 210 - 22 - 20, "wide": 297 - 22 - 20}
HEIGHTS_MM = {"portrait": 297 - 24 - 22, "wide": 210 - 20 - 20}  # style.css: @page and @page wide
SETTINGS = (
    ("portrait", 9.0),
    ("portrait", 8.5),
    ("portrait", 8.0),
    ("portrait", 7.5),
    ("wide", 9.0),
    ("wide", 8.5),
    ("wide", 8.0),
    ("wide", 7.5),
    ("wide", 7.0),
)
LABEL_MIN_MM = 42.0  # the row labels wrap to a few lines at this width, never to fragments
LABEL_MAX = 0.36  # of the table's width: what a label gets when there is room to spare (today's look)
LABEL_FLOOR_MM = 25.0  # when even the smallest setting leaves less (amounts beyond ±999.999 t. kr.)
CELL_PAD_EM = 0.8  # style.css: th, td { padding: 0.3em 0.4em }
NUM_PAD_EM = 0.6  # style.css: .num { padding-left: 0.2em }
SAFETY_EM = 0.25  # room for rounding in the layout and for a face a little wider than measured
LINE_EM = 1.25  # style.css: table { line-height: 1.25 }
KEEP_WHOLE = 0.85  # of the page's height (room for the caption and notes): a taller table breaks between rows


@functools.cache
def _advances() -> tuple[dict[int, float], float]:
    """Advance widths in em of the bold face (the widest weight a table cell uses)."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_DIR / "SourceSansPro-Bold.ttf", lazy=True)
    per_em = float(font["head"].unitsPerEm)
    metrics = font["hmtx"]
    widths = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return widths, max(widths[ord(c)] for c in "mwMW")


def text_em(text: str) -> float:
    """The width of a text on one line, in em of the bold face (unknown characters count as wide)."""
    widths, widest = _advances()
    return sum(widths.get(ord(c), widest) for c in text)


def _text(value: str | int | None) -> str:
    return value if isinstance(value, str) else danish.cell(value)


@dataclass(frozen=True)
class Geometry:
    """What the template writes: the page, the type size and every column's width in % of the table."""

    page: str  # "portrait" or "wide"
    font_pt: float
    label: float
    fixed: tuple[float, ...]
    year: float
    years: int
    keep_whole: bool
    label_em: float  # the label column's text width in em

    def label_text(self, text: str) -> Markup:
        """A label that wraps between words; only a word wider than the column may be hyphenated."""
        return fit_words(text, self.label_em)

    @property
    def font_size(self) -> str:
        return f"{self.font_pt:g}pt"

    @staticmethod
    def percent(value: float) -> str:
        return f"{value:.3f}%"


@functools.cache
def _hyphenator() -> Any:
    import pyphen  # WeasyPrint's own hyphenation dictionaries

    return pyphen.Pyphen(lang="da_DK")


def fit_words(text: str, width_em: float) -> Markup:
    """The text escaped, with soft hyphens (Danish patterns) in the words too wide for the column alone."""
    out = []
    for word in text.split(" "):
        if text_em(word) > width_em:
            word = "\u00ad".join(_pieces(word))
        out.append(str(escape(word)))
    return Markup(" ".join(out))


def _pieces(word: str) -> list[str]:
    positions = [0, *_hyphenator().positions(word), len(word)]
    return [word[a:b] for a, b in itertools.pairwise(positions)]


def _lines(text: str, width_em: float) -> int:
    """How many lines a label wraps to at a width, breaking between words."""
    lines, used = 1, 0.0
    space = text_em(" ")
    for word in text.split():
        w = text_em(word)
        if used and used + space + w > width_em:
            lines, used = lines + 1, w
        else:
            used = used + space + w if used else w
    return lines


def table_geometry(
    amounts: Iterable[Sequence[int | None]],
    years: int,
    fixed: Sequence[Iterable[str | int | None]] = (),
    labels: Iterable[str] = (),
    largest_pt: float = 9.0,
) -> Geometry:
    """The setting for a table of a label column, `fixed` extra columns and `years` amount columns.

    `amounts` are the rows of the year columns; each entry of `fixed` lists what one extra column holds
    (texts, or amounts formatted as cells); `labels` are the row labels, to estimate the table's height;
    `largest_pt` is the type size the table starts from.
    """
    year_em = max((text_em(_text(v)) for row in amounts for v in row), default=0.0)
    year_em = max(year_em, text_em("2026")) + NUM_PAD_EM + SAFETY_EM
    fixed_em = [max((text_em(_text(t)) for t in col), default=0.0) + CELL_PAD_EM + SAFETY_EM for col in fixed]
    chosen = None
    for page, pt in (s for s in SETTINGS if s[1] <= largest_pt):
        em_mm = pt * PT_MM
        label_mm = WIDTHS_MM[page] - (years * year_em + sum(fixed_em)) * em_mm
        chosen = (page, pt, label_mm)
        if label_mm >= LABEL_MIN_MM:
            break
    assert chosen is not None
    page, pt, label_mm = chosen
    width = WIDTHS_MM[page]
    em_mm = pt * PT_MM
    label_mm = min(max(label_mm, LABEL_FLOOR_MM), LABEL_MAX * width)
    fixed_mm = [e * em_mm for e in fixed_em]
    year_mm = (width - label_mm - sum(fixed_mm)) / years if years else 0.0
    row_mm = [(_lines(label, label_mm / em_mm - CELL_PAD_EM) * LINE_EM + 0.6) * em_mm + 0.2 for label in labels]
    return Geometry(
        page=page,
        font_pt=pt,
        label=100 * label_mm / width,
        fixed=tuple(100 * f / width for f in fixed_mm),
        year=100 * year_mm / width,
        years=years,
        keep_whole=sum(row_mm) <= KEEP_WHOLE * HEIGHTS_MM[page],
        label_em=label_mm / em_mm - CELL_PAD_EM,
    )
