"""Fuzzing builds: mutated example proposals (deep emphasis, long words, many links, broken and huge figures)
either build, or fail alone with a clean message naming their file; never a traceback or an internal error,
and the good proposals beside them are built. A fixed, derandomized budget keeps it under a minute."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from forslag.cli import main

from .conftest import PROPOSALS
from .test_images import LAUGHS

EXAMPLES = ("forloebsprogram", "din-sociale-indgang", "plejefamilier")


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


FIGURES: dict[str, bytes] = {
    "ok.png": _png(40, 20),
    "truncated.png": _png(300, 300)[:200],
    "huge.png": _png(9000, 5000, "1"),
    "garbage.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
    "ok.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>',
    "laughs.svg": LAUGHS.encode(),
    "entity.svg": b'<!DOCTYPE svg [<!ENTITY a "x">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    "external.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
    "invalid.svg": b"<svg><g></svg>",
}

prose = st.one_of(
    st.integers(1, 600).map(lambda n: "*" * n + "ord" + "*" * n),
    st.integers(1, 50_000).map(lambda n: "Et langt ord: " + "x" * n),
    st.tuples(
        st.integers(1, 3000), st.sampled_from(["https://kk.dk", "javascript:alert(1)", "file:///etc", "data:x"])
    ).map(lambda t: " ".join(f"[link {i}]({t[1]})" for i in range(t[0]))),
    st.sampled_from(["<b>fed</b>", "<script>x</script>", "{{ net.fuld }}", "{{ net.full | abs }}", "`kode`"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=300),
)
figure = st.one_of(st.none(), st.sampled_from(sorted(FIGURES)), st.just("missing.png"))
field = st.sampled_from([("description",), ("economy", "intro"), ("risk", "text"), ("summary",)])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "proposals"
    shutil.copytree(PROPOSALS, target)
    for name, data in FIGURES.items():
        (target / "figurer" / name).write_bytes(data)
    return target


def _set(data: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


counter = iter(range(10_000))


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(base=st.sampled_from(EXAMPLES), where=field, text=prose, image=figure)
def test_a_mutated_proposal_builds_or_fails_alone(
    folder: Path, capsys: pytest.CaptureFixture[str], base: str, where: tuple[str, ...], text: str, image: str | None
) -> None:
    for old in folder.glob("fuzz-*.yaml"):
        old.unlink()
    source = folder / f"fuzz-{next(counter)}.yaml"
    data = yaml.safe_load((PROPOSALS / f"{base}.yaml").read_text())
    if image is not None:
        text = f'{text}\n\n![En figur](figurer/{image} "Figuren")\n'
    _set(data, where, text)
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    out = folder.parent / "out"

    code = main(["build", str(folder), "--out", str(out), "--jobs", "2", "--no-bind"])
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert code in (0, 1), said
    assert "internal error" not in said and "Traceback" not in said
    for good in EXAMPLES:
        assert f"error: {folder / good}" not in said
        assert (out / f"{good}.pdf").stat().st_size > 10_000
    if code == 0:
        assert (out / f"{source.stem}.pdf").is_file() and (out / f"{source.stem}.html").is_file()
    else:
        errors = [line for line in said.splitlines() if line.startswith("error: ")]
        assert errors and all(line.startswith(f"error: {source}") for line in errors), said
        assert not (out / f"{source.stem}.pdf").exists()
