"""HTML to PDF with WeasyPrint: one long-lived printer with warm fonts and a fetcher that reads only what it may.

Every PDF is printed tagged as PDF/A-2a (WeasyPrint's variant: structure tree, sRGB output intent, embedded
fonts, XMP) and finished by `tagging` into PDF/UA-1 as well (artifacts, header scopes, IDTree, both claims in
the XMP), so one file serves both the archive and a screen reader.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf

from forslag.document.libraries import import_weasyprint

import_weasyprint()

from weasyprint import HTML  # noqa: E402  (after its libraries are opened the quick way)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402

from forslag.document import continued, fonts, tagging  # noqa: E402
from forslag.errors import ForslagError  # noqa: E402

# WeasyPrint reports CSS it ignores and its font subsetter choice as warnings on every document; a
# user of forslag cannot act on them, so only errors reach the terminal.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class ClosedFetcher(URLFetcher):  # type: ignore[misc]
    """Lets WeasyPrint read data: URIs and files under the allowed folders, and nothing else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise FatalURLFetchingError(f"refused to read {url}: outside the allowed folders")
        elif parts.scheme != "data":
            raise FatalURLFetchingError(f"refused to fetch {url}: documents may not reach the network")
        return super().fetch(url, headers)


# WeasyPrint's PDF/A-2a variant tags the document and writes the archival parts; `tagging` adds PDF/UA-1.
PDF_VARIANT = "pdf/a-2a"


def _finisher(info: dict[str, str] | None, soft_hyphenation: bool, id_prefix: str) -> Any:
    def finish(document: Any, pdf: Any) -> None:
        tagging.finish(document, pdf, soft_hyphenation=soft_hyphenation, id_prefix=id_prefix)
        for key, value in (info or {}).items():
            pdf.info[key] = pydyf.String(value)

    return finish


def require_harfbuzz_subset() -> None:
    """Refuse to print without HarfBuzz's subsetter: WeasyPrint's fontTools fallback is deprecated (70) and
    slower, and forslag's lazily imported fontTools subsetter assumes it is not the common path."""
    from weasyprint.text import ffi

    subsetter = getattr(ffi, "harfbuzz_subset", None)
    if subsetter is None or not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        raise ForslagError(
            "printing needs HarfBuzz's font subsetter, version 4.1 or newer, which this machine does not have: "
            "install it (Debian/Ubuntu: apt-get install libharfbuzz-subset0; Fedora: harfbuzz; macOS: brew "
            "install harfbuzz) and build again"
        )


class Printer:
    """Keeps one font configuration and image cache across documents (WeasyPrint's advice for batches)."""

    def __init__(self, roots: list[Path] | None = None) -> None:
        require_harfbuzz_subset()
        self.fonts = FontConfiguration()
        self.cache: dict[str, Any] = {}
        self.fetcher = ClosedFetcher([fonts.FONT_DIR, *(roots or [])])

    def pdf(self, html: str, base: Path, *, identifier: bytes, date: dt.date) -> bytes:
        """Print a page; `identifier` fixes the PDF's /ID so the same source gives the same bytes."""
        return self.pdf_pages(html, base, identifier=identifier, date=date)[0]

    def pdf_pages(
        self, html: str, base: Path, *, identifier: bytes, date: dt.date, info: dict[str, str] | None = None
    ) -> tuple[bytes, int]:
        """The PDF and its number of pages, from one layout; `info` adds entries to the PDF's information."""
        data, pages, _ = self.pdf_planned(html, base, identifier=identifier, date=date, info=info)
        return data, pages

    def pdf_planned(
        self,
        html: str,
        base: Path,
        *,
        identifier: bytes,
        date: dt.date,
        info: dict[str, str] | None = None,
        plan: continued.Plan | None = None,
    ) -> tuple[bytes, int, continued.Plan]:
        """`pdf_pages`, tried first with a `plan` from a page of the same shape (document/shape.py), and the
        plan this layout followed."""
        # fontTools stamps each embedded font subset with "now" unless SOURCE_DATE_EPOCH says otherwise;
        # the document's own date keeps the bytes the same on every build and every machine.
        os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(date.timetuple()))
        try:
            made = None
            for attempt in [plan, None] if plan else [None]:
                page = HTML(string=html, base_url=str(base.resolve()) + "/", url_fetcher=self.fetcher)
                document, _, made = continued.planned(page, attempt, font_config=self.fonts, cache=self.cache)
                if made is not None:
                    break
            assert made is not None  # without a plan the rounds always give one
            out = io.BytesIO()
            # The line-end hyphen becomes a soft hyphen in the text layer, unless the text itself uses the
            # character hyphenation draws (then mapping it would hide a real one).
            soft = tagging.HYPHENATION_CHARACTER not in html
            document.write_pdf(
                out,
                finisher=_finisher(info, soft, identifier[:12].decode("ascii", "replace")),
                pdf_identifier=identifier,
                uncompressed_pdf=False,
                pdf_variant=PDF_VARIANT,
            )
        except FatalURLFetchingError as exc:
            raise ForslagError(str(exc)) from None
        return out.getvalue(), len(document.pages), made
