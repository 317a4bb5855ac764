"""Binding by case: proposals go with the case file they name, one bound document per case, never mixed."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader

from forslag.source.sources import case_file_for, find_sources, looks_like_case

from .conftest import DATA, Run
from .pdftext import pages_text

FREDERIKSBERG = """name: Budget Frederiksberg 2027
municipality: Frederiksberg Kommune
date: 2026-03-01
years: [2026, 2027, 2028, 2029, 2030]
price_level: 2026
"""


def case_folder(folder: Path, case_text: str | None = None, title: str = "Et lille forslag") -> Path:
    shutil.copytree(DATA / "valid", folder)
    if case_text is not None:
        (folder / "case.yaml").write_text(case_text)
    source = folder / "minimal.yaml"
    source.write_text(source.read_text().replace("Et lille forslag", title))
    return folder


def test_a_second_case_file_is_not_a_proposal(tmp_path: Path) -> None:
    folder = case_folder(tmp_path / "a")
    (folder / "case-frederiksberg.yaml").write_text(FREDERIKSBERG)
    assert looks_like_case(FREDERIKSBERG.encode())
    assert find_sources([folder]) == [folder / "minimal.yaml"]


def test_proposals_bind_with_the_case_they_name(run: Run, tmp_path: Path) -> None:
    """Two cases in one folder, of different years: each proposal is bound with its own, none is mixed."""
    folder = case_folder(tmp_path / "a")
    (folder / "case-frederiksberg.yaml").write_text(FREDERIKSBERG)
    other = (folder / "minimal.yaml").read_text().replace("Et lille forslag", "Frederiksbergs forslag")
    (folder / "frb.yaml").write_text("case: case-frederiksberg.yaml   # the other municipality\n" + other)
    assert case_file_for(folder / "frb.yaml") == (folder / "case-frederiksberg.yaml").resolve()
    out = tmp_path / "out"
    result = run("build", folder, "--out", out, "--jobs", "2")
    assert result.code == 0, result.out + result.err
    assert "2 built, 0 up to date, 0 failed; bound case written" in result.out
    copenhagen = " ".join(" ".join(pages_text(out / "overfoerselssagen-2025-2026.pdf")).split())
    frederiksberg = " ".join(" ".join(pages_text(out / "budget-frederiksberg-2027.pdf")).split())
    assert "Et lille forslag" in copenhagen and "Frederiksbergs forslag" not in copenhagen
    assert "Frederiksbergs forslag" in frederiksberg and "Et lille forslag" not in frederiksberg
    assert "Frederiksberg Kommune" in frederiksberg and "2030" in frederiksberg
    again = run("build", folder, "--out", out)
    assert "0 built, 2 up to date, 0 failed; bound case up to date" in again.out
    # The cache key is the case file a proposal actually uses: editing it rebuilds that proposal only.
    named = folder / "case-frederiksberg.yaml"
    named.write_text(named.read_text().replace("price_level: 2026", "price_level: 2027"))
    edited = run("build", folder, "--out", out)
    assert "1 built, 1 up to date" in edited.out and f"built: {folder / 'frb.yaml'}" in edited.out
    assert "2027 p/l" in " ".join(pages_text(out / "frb.pdf")[0].split())


def test_several_case_folders_each_bind_on_their_own(run: Run, tmp_path: Path) -> None:
    a = case_folder(tmp_path / "a")
    b = case_folder(tmp_path / "b", FREDERIKSBERG, "Frederiksbergs forslag")
    (b / "minimal.yaml").rename(b / "frb.yaml")
    out = tmp_path / "out"
    result = run("build", a, b, "--out", out, "--jobs", "2")
    assert result.code == 0, result.out + result.err
    assert len(PdfReader(out / "budget-frederiksberg-2027.pdf").pages) > 3
    summary = " ".join(pages_text(out / "budget-frederiksberg-2027.pdf")[2].split())
    assert "2026 2027 2028 2029 2030" in summary  # its own five years, not the other case's three
    assert "Frederiksbergs forslag" in summary and "Et lille forslag" not in summary


def test_two_cases_bound_under_one_name_are_refused(run: Run, tmp_path: Path) -> None:
    a = case_folder(tmp_path / "a")
    b = case_folder(tmp_path / "b", title="Et andet forslag")
    (b / "minimal.yaml").rename(b / "andet.yaml")
    out = tmp_path / "out"
    result = run("build", a, b, "--out", out)
    assert result.code == 1
    assert "would both be bound as" in result.out and "overfoerselssagen-2025-2026.pdf" in result.out
    assert "internal error" not in result.out + result.err
    assert not (out / "overfoerselssagen-2025-2026.pdf").exists()
    assert (out / "minimal.pdf").is_file() and (out / "andet.pdf").is_file()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v is not None]


def test_links_in_the_case_index_are_encoded(run: Run, tmp_path: Path) -> None:
    folder = case_folder(tmp_path / "a")
    names = ["javascript:alert(document.domain)", "a#b", "50%", "hvad?", "blåbær"]
    for name in names:
        shutil.copy(folder / "minimal.yaml", folder / f"{name}.yaml")
    (folder / "minimal.yaml").unlink()
    out = tmp_path / "out"
    result = run("build", folder, "--out", out, "--jobs", "2")
    assert result.code == 0, result.out + result.err
    parser = Links()
    parser.feed((out / "overfoerselssagen-2025-2026.html").read_text())
    hrefs = [h for h in parser.hrefs if h.endswith((".html", ".pdf")) and not h.startswith("assets")]
    assert len(hrefs) == 2 * len(names)
    for href in hrefs:
        parts = urlsplit(href)
        assert href.startswith("./") and not parts.scheme and not parts.query and not parts.fragment
        assert (out / unquote(parts.path)).is_file()  # the link leads to the file it names
    assert {unquote(urlsplit(h).path)[2:] for h in hrefs} == {f"{n}.{s}" for n in names for s in ("html", "pdf")}


def test_a_name_with_control_characters_is_refused(run: Run, tmp_path: Path) -> None:
    folder = case_folder(tmp_path / "a")
    shutil.copy(folder / "minimal.yaml", folder / "bad\x1b[31mname.yaml")
    result = run("build", folder, "--out", tmp_path / "out")
    assert result.code == 1
    assert "characters a link cannot carry safely (U+001B)" in result.out
    assert (tmp_path / "out" / "minimal.pdf").is_file()
    assert not (tmp_path / "out" / "overfoerselssagen-2025-2026.pdf").exists()  # not bound with a hole in it


def test_a_second_case_file_named_on_the_command_line_is_checked_as_a_case(run: Run, tmp_path: Path) -> None:
    folder = case_folder(tmp_path / "a")
    (folder / "case-frederiksberg.yaml").write_text(FREDERIKSBERG)
    result = run("check", folder / "case-frederiksberg.yaml", folder / "minimal.yaml")
    assert result.code == 0, result.out
    assert f"ok: {folder / 'case-frederiksberg.yaml'}: case Budget Frederiksberg 2027" in result.out
    assert f"ok: {folder / 'minimal.yaml'}" in result.out
