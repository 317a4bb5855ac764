"""A page's shape: what decides where its tables break (document/continued.py), its figures left out."""

from __future__ import annotations

import hashlib
import re

# A number cell's text, with the link the contents puts round a page number.
_NUMBER_CELL = re.compile(r'(<td class="(?:num|page)"[^>]*>)[^<]*(?:<a [^>]*>[^<]*</a>)?[^<]*(</td>)')


def shape(page: str) -> str:
    """The page with the text of every `num` and `page` cell left out. Those cells never wrap (style.css:
    .num is nowrap; a page number has no space), so two pages of the same shape lay out alike, and the plan
    one's layout made (continued.planned) holds for the other: an edit that changes only figures, as an
    amount edit does to the bound case's summary, costs one layout."""
    return _NUMBER_CELL.sub(r"\1\2", page)


def shape_digest(page: str) -> str:
    return hashlib.sha256(shape(page).encode()).hexdigest()
