"""The bound case: its order, its notater, one subset tag per subset, and incremental binding = a cold bind."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from forslag.batch import bind, merge
from forslag.batch.build import build
from forslag.batch.state import CACHE_DIR, BuildOptions
from forslag.source.load import find_sources

from .conftest import DATA, Run
from .pdfcheck import check
from .pdftext import pages_text

CASE_PDF = "overfoerselssagen-2025-2026.pdf"


def _build(folder: Path, out: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, Any]:
    """Build the folder; what the bind did (how many parts it copied in, of how many)."""
    seen: dict[str, Any] = {}
    if monkeypatch is not None:
        original = bind._bind_pdf

        def spy(*args: Any, **kwargs: Any) -> merge.Bound:
            bound = original(*args, **kwargs)
            seen.update(copied=bound.copied, parts=len(bound.parts), appended=bound.appended)
            return bound

        monkeypatch.setattr(bind, "_bind_pdf", spy)
    report = build(find_sources([folder]), BuildOptions(out=out, jobs=2), echo=lambda _: None)
    assert not report.failed, report.failed
    return seen


def _cold(out: Path, folder: Path, tmp: Path) -> bytes:
    """The bound case a cold bind makes of the same printed proposals: a copy of the output folder whose bound
    case's cache entry (the record of the previous bound PDF and its front) is gone."""
    cold = tmp / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(out, cold)
    for entry in (cold / CACHE_DIR).glob("_case-*"):
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (cold / CASE_PDF).unlink()
    _build(folder, cold)
    return (cold / CASE_PDF).read_bytes()


def _structure(node: Any, depth: int = 0) -> list[str]:
    """The structure tree as lines: each element's type, title and the kinds of its kids (MCIDs, pages)."""
    lines: list[str] = []
    stack = [(node, depth)]
    while stack:
        element, level = stack.pop()
        if isinstance(element, int):
            lines.append(f"{'  ' * level}mcid {element}")
            continue
        if not isinstance(element, pikepdf.Dictionary):
            continue
        lines.append(f"{'  ' * level}{element.get('/S')} {element.get('/T', '')} {element.get('/Type')}")
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        stack.extend((kid, level + 1) for kid in reversed(kids))
    return lines


def _outline(pdf: pikepdf.Pdf) -> list[str]:
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    lines = []

    def walk(items: Any, depth: int) -> None:
        for item in items:
            target = item.destination[0].objgen if item.destination is not None else None
            lines.append(f"{'  ' * depth}{item.title} -> {pages.get(target)}")
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 0)
    return lines


def _described(data: bytes) -> dict[str, Any]:
    """What a reader meets in the bound PDF: text, structure tree, outline, page labels, links' targets."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {
            "labels": repr(pdf.Root.PageLabels),
            "outline": _outline(pdf),
            "structure": _structure(pdf.Root.StructTreeRoot.K[0]),
            "parent_tree_next": int(pdf.Root.StructTreeRoot.ParentTreeNextKey),
            "pages": len(pdf.pages),
        }


def _normalised(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            buffer,
            static_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            compress_streams=False,
        )
    return re.sub(rb"/ID \[<[0-9a-f]+>", b"/ID [<>", buffer.getvalue())


def _same_as_cold(out: Path, folder: Path, tmp: Path) -> None:
    incremental = (out / CASE_PDF).read_bytes()
    cold = _cold(out, folder, tmp)
    (tmp / "cold.pdf").write_bytes(cold)
    assert pages_text(out / CASE_PDF) == pages_text(tmp / "cold.pdf")  # the text, page by page
    assert _described(incremental) == _described(cold)  # structure tree, outline, page labels
    # Every object and every stream's data are the same: the two files written again by qpdf with the same
    # numbering and the streams decoded are identical but for the file identifier (taken from each original).
    # The originals' bytes differ: the refreshed one is the previous file with an update appended (the
    # objects an edit replaced are still in it, unreferenced), and zlib's output may differ between the
    # library qpdf uses and the one Python uses.
    assert _normalised(incremental) == _normalised(cold)
    # And it is as archival and tagged as the cold one (PDF/A-2 allows updates; the checker reads the newest).
    assert check(out / CASE_PDF).problems == []


def _proposal(folder: Path, name: str, title: str, paragraphs: int = 1) -> Path:
    text = (DATA / "valid" / "minimal.yaml").read_text().replace("Et lille forslag", title)
    body = "\n\n".join(f"Afsnit {i + 1} om {title.lower()}, som udvalget skal kende." for i in range(paragraphs))
    text = text.replace("description: Kort beskrivelse.", "description: |\n  " + body.replace("\n", "\n  "))
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_incremental_binding_after_a_sequence_of_edits_equals_a_cold_bind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prose edit, amount edit, a proposal that grows a page, one removed, one added: after each, the bound
    case the build refreshed from its previous bound PDF is the one a cold bind makes, byte for byte."""
    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    (folder / "minimal.yaml").unlink()
    for i, title in enumerate(["Aftenskole", "Busruter", "Cykelstier", "Daginstitutioner"]):
        _proposal(folder, f"{chr(ord('a') + i)}-forslag", title)
    out = tmp_path / "out"
    first = _build(folder, out, monkeypatch)
    assert first["copied"] == first["parts"] == 6  # contents, summary and four proposals

    # A prose edit: only that proposal is copied in; the rest comes from the previous bound PDF, which the
    # refreshed file is, with an update appended (its objects are not written again).
    source = folder / "b-forslag.yaml"
    source.write_text(source.read_text().replace("som udvalget skal kende", "som udvalget bør kende"))
    previous = (out / CASE_PDF).read_bytes()
    seen = _build(folder, out, monkeypatch)
    assert seen["copied"] == 1
    refreshed = (out / CASE_PDF).read_bytes()
    assert refreshed.startswith(previous) and refreshed.count(b"startxref") == previous.count(b"startxref") + 1
    assert "som udvalget bør kende" in " ".join(pages_text(out / CASE_PDF))
    _same_as_cold(out, folder, tmp_path)

    # An amount edit: the proposal and the summary.
    source.write_text(source.read_text().replace("{2027: -500, 2028: -1000}", "{2027: -700, 2028: -1000}"))
    seen = _build(folder, out, monkeypatch)
    assert seen["copied"] == 2
    _same_as_cold(out, folder, tmp_path)

    # A proposal grows by pages: the pages after it move, and every number follows.
    before = len(pikepdf.open(out / CASE_PDF).pages)
    _proposal(folder, "a-forslag", "Aftenskole", paragraphs=60)
    _build(folder, out, monkeypatch)
    after = pages_text(out / CASE_PDF)
    assert len(after) > before
    _same_as_cold(out, folder, tmp_path)

    # One removed, one added.
    (folder / "c-forslag.yaml").unlink()
    _proposal(folder, "e-forslag", "Ældreboliger")
    _build(folder, out, monkeypatch)
    text = " ".join(pages_text(out / CASE_PDF))
    assert "Cykelstier" not in text and "Ældreboliger" in text
    _same_as_cold(out, folder, tmp_path)

    # And the numbers agree everywhere in the result: contents, folios, labels.
    pages = pages_text(out / CASE_PDF)
    with pikepdf.open(out / CASE_PDF) as pdf:
        starts = {str(entry.title): pdf.pages.index(entry.destination[0]) + 1 for entry in pdf.open_outline().root}
    contents = " ".join(pages[1].split())
    for title in ["Aftenskole", "Busruter", "Daginstitutioner", "Ældreboliger"]:
        start = starts[title]
        assert f"{title} Testforvaltningen {start}" in contents
        assert pages[start - 1].rstrip().endswith(f"{start}/{len(pages)}")


def test_the_case_decides_the_order(run: Run, tmp_path: Path) -> None:
    """`order:` in case.yaml orders the contents, summary and bookmarks; a proposal left out follows, warned."""
    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    (folder / "minimal.yaml").unlink()
    for name, title in [("a", "Aftenskole"), ("b", "Busruter"), ("c", "Cykelstier")]:
        _proposal(folder, name, title)
    case = folder / "case.yaml"
    case.write_text(case.read_text() + "order: [c, a]\nwording: {administration_label: Ansvarlig forvaltning}\n")
    result = run("build", folder, "--out", tmp_path / "out")
    assert result.code == 0, result.out
    assert f"warning: {case}: b.yaml is not in the case's order; it is bound after the listed proposals" in result.out
    pages = pages_text(tmp_path / "out" / CASE_PDF)
    contents, summary = " ".join(pages[1].split()), " ".join(pages[2].split())
    for text in (contents, summary):
        assert text.index("Cykelstier") < text.index("Aftenskole") < text.index("Busruter")
    # The contents' column is headed with the case's own word for the proposing administration.
    assert "Forslag Ansvarlig forvaltning Side" in contents and "Fremstillende" not in contents
    with pikepdf.open(tmp_path / "out" / CASE_PDF) as pdf:
        titles = [str(item.title) for item in pdf.open_outline().root]
    assert titles[2:] == ["Cykelstier", "Aftenskole", "Busruter"]
    html = (tmp_path / "out" / CASE_PDF.replace(".pdf", ".html")).read_text()
    assert html.index("Cykelstier") < html.index("Aftenskole") < html.index("Busruter")


def test_a_name_in_the_order_without_a_proposal_is_warned(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    case = folder / "case.yaml"
    case.write_text(case.read_text() + "order: [minimal, slettet]\n")
    result = run("build", folder, "--out", tmp_path / "out", "--format", "pdf")
    assert result.code == 0, result.out
    assert "the order lists slettet, but there is no slettet.yaml in the case" in result.out


def test_every_font_subset_in_the_bound_case_has_a_tag_of_its_own(tmp_path: Path) -> None:
    """ISO 32000-1 9.6.4: one tag names one subset. Every font of every page is read; a tag that names two
    different font programs fails."""
    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    (folder / "minimal.yaml").unlink()
    for name, title in [("a", "Aftenskole"), ("b", "Busruter with Ÿ and ß")]:
        _proposal(folder, name, title)
    out = tmp_path / "out"
    _build(folder, out)
    programs: dict[str, set[str]] = {}
    with pikepdf.open(out / CASE_PDF) as pdf:
        for page in pdf.pages:
            for _, font in page.Resources.get("/Font", {}).items():  # pikepdf 8 has no .values()
                base = str(font.BaseFont)
                descriptor = (
                    font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                )
                # No `or` between streams: pikepdf 8 has no truth value for a stream.
                data = next(descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor)
                programs.setdefault(base, set()).add(hashlib.sha256(data.read_bytes()).hexdigest())
                assert str(descriptor.FontName) == base
    assert len(programs) > 4
    shared = {name: len(found) for name, found in programs.items() if len(found) > 1}
    assert not shared, f"a tag names several subsets: {shared}"


def test_the_notat_is_bound_after_its_proposal_and_listed(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    shutil.copytree(DATA / "notat", folder)
    out = tmp_path / "out"
    report = build(find_sources([folder]), BuildOptions(out=out, jobs=2), echo=lambda _: None)
    assert not report.failed, report.failed
    [bound] = [p for p in out.glob("*.pdf") if p.stem != "parforhold" and not p.stem.endswith("-notat")]
    pages = pages_text(bound)
    own = len(pikepdf.open(out / "parforhold.pdf").pages)
    notat_pages = len(pikepdf.open(out / "parforhold-notat.pdf").pages)
    assert len(pages) == 3 + own + notat_pages
    contents = " ".join(pages[1].split())
    notat_start = 4 + own
    title = "Notat: Parforholdskurser for småbørnsforældre som investeringscase"
    assert f"{title} Børne- og Ungdomsforvaltningen {notat_start}" in contents
    notat_page = pages[notat_start - 1]
    assert "som investeringscase" in notat_page and notat_page.rstrip().endswith(f"{notat_start}/{len(pages)}")
    # The HTML index lists the notat too, as links to its own files.
    html = bound.with_suffix(".html").read_text()
    assert 'href="./parforhold-notat.html"' in html and 'href="./parforhold-notat.pdf"' in html
    with pikepdf.open(bound) as pdf:
        titles = [str(item.title) for item in pdf.open_outline().root]
        # The contents' rows are links to the pages they name.
        targets = []
        for annotation in pdf.pages[1].get("/Annots", []):
            name = annotation.A.D
            names = list(pdf.Root.Names.Dests.Names)  # pikepdf 8's Array takes no slice
            tree = dict(zip(names[::2], names[1::2], strict=True))
            targets.append(pdf.pages.index(tree[name][0]) + 1)
    assert titles[3].startswith("Notat:")
    assert sorted(set(targets)) == [4, notat_start]


def test_an_update_keeps_the_file_identity_and_reads_as_the_newest_version(tmp_path: Path) -> None:
    """The update appends a changed and a new object; readers see them, the first /ID stays, /Prev links back."""
    from pypdf import PdfReader

    from forslag.batch import pdfupdate

    original = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.Root.Lang = pikepdf.String("da")
        pdf.save(original, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = original.getvalue()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        first_id = bytes(pdf.trailer.ID[0])
        size = int(pdf.trailer.Size)
        note = pdf.make_stream(b"BT ET")
        pdf.Root.Lang = pikepdf.String("en (12 0 R)")  # a reference's look-alike in a string stays as it is
        pdf.Root.Extra = note
        # The new stream is written as object `size`, whatever number qpdf gave it.
        renumber = {note.objgen[0]: size}
        objects = [
            (pdf.Root.objgen[0], pdfupdate.serialised(pdf.Root, lambda n: renumber.get(n, n))),
            (size, pdfupdate.serialised(note)),
        ]
        updated = pdfupdate.append(data, pdf, objects, pdf.Root.objgen[0], None)
    assert updated.startswith(data)
    assert re.search(rb"/Prev %d\b" % pdfupdate.previous_xref(data), updated[len(data) :])
    with pikepdf.open(io.BytesIO(updated)) as pdf:
        assert str(pdf.Root.Lang) == "en (12 0 R)" and pdf.Root.Extra.read_bytes() == b"BT ET"
        assert pdf.Root.Extra.objgen == (size, 0)
        assert bytes(pdf.trailer.ID[0]) == first_id and bytes(pdf.trailer.ID[1]) != first_id
        assert len(pdf.pages) == 1
    reader = PdfReader(io.BytesIO(updated))
    assert reader.trailer["/Root"]["/Lang"] == "en (12 0 R)" and len(reader.pages) == 1


def test_a_file_grown_by_updates_to_half_again_its_size_is_written_whole(tmp_path: Path) -> None:
    """The objects edits left behind are dropped once the updates weigh half the file: then the bind writes the
    whole file again, as a cold bind does."""
    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    out = tmp_path / "out"
    _build(folder, out)
    cache_entry = next((out / CACHE_DIR).glob("_case-*.json"))
    source = folder / "minimal.yaml"
    sizes = []
    for n in range(12):
        source.write_text(
            re.sub(r"description: .*", f"description: Kort beskrivelse, udgave {n + 2}.", source.read_text())
        )
        before = (out / CASE_PDF).read_bytes()
        _build(folder, out)
        after = (out / CASE_PDF).read_bytes()
        sizes.append((after.startswith(before), len(after)))
        appended = json.loads(cache_entry.read_text())["appended"]
        assert (appended == 0) != after.startswith(before)
        # What updates appended (the objects they replaced stay in the file) stays under half of it.
        assert appended * 2 < len(after)
        assert f"udgave {n + 2}" in " ".join(pages_text(out / CASE_PDF))
    assert any(kept for kept, _ in sizes) and not all(kept for kept, _ in sizes)


def test_an_amount_edit_prints_the_summary_beside_the_proposal_and_the_previous_file_is_read_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an amount edit of one proposal, the summary is printed while the proposal prints (its amounts are
    known once it is prepared), and the bind takes that print instead of printing it again."""
    from forslag.batch import bind

    folder = tmp_path / "case"
    shutil.copytree(DATA / "valid", folder)
    out = tmp_path / "out"
    _build(folder, out)
    taken: list[bool] = []
    printed: list[str] = []
    read: list[bool] = []
    original_take, original_print = bind.BindAhead.take, bind.Front._print
    original_previous = bind.BindAhead.take_previous

    def take_previous(self: bind.BindAhead, previous: merge.Previous) -> Any:
        got = original_previous(self, previous)
        read.append(got is not None)
        return got

    def take(self: bind.BindAhead, key: str) -> Any:
        got = original_take(self, key)
        taken.append(got is not None)
        return got

    def front_print(self: bind.Front, part: str, key: str, numbers: list[int]) -> tuple[bytes, int]:
        printed.append(part)
        return original_print(self, part, key, numbers)

    monkeypatch.setattr(bind.BindAhead, "take", take)
    monkeypatch.setattr(bind.BindAhead, "take_previous", take_previous)
    monkeypatch.setattr(bind.Front, "_print", front_print)
    source = folder / "minimal.yaml"
    source.write_text(source.read_text().replace("{2027: -500, 2028: -1000}", "{2027: -700, 2028: -1000}"))
    _build(folder, out)
    assert taken == [True] and "summary" not in printed
    assert read == [True]  # the previous bound PDF was opened while the proposal printed, and used
    # The summary's record keeps the shape of its page and the plan its layout followed, for the next print.
    record = json.loads(next((out / CACHE_DIR).glob("_case-*.json")).read_text())["summary"]
    assert len(record["shape"]) == 64 and isinstance(record["plan"], list)
    summary = " ".join(" ".join(pages_text(out / CASE_PDF)).split())
    assert "-700" in summary.replace("−", "-")

    # A prose edit changes no amount: nothing is printed ahead, and the summary is not printed at all.
    taken.clear()
    source.write_text(source.read_text().replace("Kort beskrivelse.", "En kort beskrivelse."))
    _build(folder, out)
    assert taken == [False] and "summary" not in printed
