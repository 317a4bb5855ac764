"""Figures that cannot be drawn safely are refused before printing, with the file and line of the image."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from forslag.document.images import ImageProblem, check_image, check_svg
from forslag.source.load import load_proposal

from .conftest import PROPOSALS, Run

LAUGHS = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<defs><rect id="l0" width="1" height="1"/>'
    + "".join(
        f'<g id="l{i}">' + "".join(f'<use xlink:href="#l{i - 1}"/>' for _ in range(10)) + "</g>" for i in range(1, 8)
    )
    + '</defs><use xlink:href="#l7"/></svg>'
)


def png(width: int = 20, height: int = 10, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def with_figure(folder: Path, name: str, data: bytes) -> Path:
    """The minimal proposal with the image `name` as a figure in its description (on line 5 of the file)."""
    (folder / name).write_bytes(data)
    source = folder / "minimal.yaml"
    text = source.read_text().replace(
        "description: Kort beskrivelse.",
        f'description: |\n  Kort beskrivelse.\n\n  ![En figur]({name} "Figurens titel")',
    )
    source.write_text(text)
    return source


def test_the_examples_figure_passes() -> None:
    check_svg((PROPOSALS / "figurer" / "plejefamilier-faser.svg").read_bytes())


def test_a_billion_laughs_svg_is_refused_at_once() -> None:
    assert len(LAUGHS) < 2000  # ten <use> of ten <use> ... seven levels: 10^7 rectangles once expanded
    started = time.monotonic()
    with pytest.raises(ImageProblem, match=r"more than 50\.000 elements once its <use> references are expanded"):
        check_svg(LAUGHS.encode())
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "refer inside itself"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#x"/></svg>', "refer inside itself"),
        ('<svg><g id="a"><use href="#a"/></g></svg>', "refers to itself"),
        ("<svg><rect></svg>", "not a valid SVG file: mismatched tag at its line 1"),
        ("<html><body/></html>", "not an SVG file"),
    ],
)
def test_unsafe_or_invalid_svg(svg: str, message: str) -> None:
    with pytest.raises(ImageProblem, match=message):
        check_svg(svg.encode())


def test_a_truncated_png_is_refused() -> None:
    data = png(200, 200, "RGB")
    with pytest.raises(ImageProblem, match="damaged or truncated"):
        check_image(data[: len(data) // 2], "image/png")
    check_image(data, "image/png")


def test_a_huge_png_is_refused_before_decoding() -> None:
    with pytest.raises(ImageProblem, match="9000 × 5000 pixels"):
        check_image(png(9000, 5000, "1"), "image/png")


def test_a_jpeg_named_png_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    with pytest.raises(ImageProblem, match="not a PNG file"):
        check_image(buffer.getvalue(), "image/png")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.png", png()[:60], "damaged or truncated"),
        ("garbage.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "damaged or truncated"),
        ("laughs.svg", LAUGHS.encode(), "billion laughs"),
        ("broken.svg", b"<svg><g></svg>", "not a valid SVG file"),
    ],
)
def test_a_bad_figure_is_an_error_at_its_line(run: Run, minimal: Path, name: str, data: bytes, message: str) -> None:
    source = with_figure(minimal, name, data)
    result = run("check", source)
    assert result.code == 1
    assert f"error: {source}:7: the image '{name}' " in result.out
    assert message in result.out
    result = run("build", source, "--out", minimal / "out")
    assert result.code == 1 and "internal error" not in result.out + result.err
    assert not (minimal / "out" / "minimal.pdf").exists()


def test_a_good_png_figure_builds(minimal: Path) -> None:
    source = with_figure(minimal, "ok.png", png())
    load_proposal(source)  # loads; the figure is checked when the prose is rendered
    from forslag.document.compute import compute

    compute(load_proposal(source))
