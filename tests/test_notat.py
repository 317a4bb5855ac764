"""The committee notat argues like the original: who asked, the reasons by theme with their lines and amounts,
a conclusion, the alternative once, the committee and its minutes named from the source."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .conftest import DATA, Run
from .pdftext import text as pdf_text


def _notat(run: Run, folder: Path, out: Path) -> str:
    result = run("build", folder, "--out", out, "--no-bind")
    assert result.code == 0, result.out + result.err
    return " ".join(pdf_text(next(out.glob("*-notat.pdf"))).split()).replace("\u00ad ", "")


def test_the_notat_names_the_committee_and_argues_by_theme(run: Run, tmp_path: Path) -> None:
    text = _notat(run, DATA / "notat", tmp_path / "out")
    assert "orienteres Børne- og Ungdomsudvalget om forvaltningens vurdering" in text
    assert "som Børne- og Ungdomsudvalget vedtog den 8. oktober 2025" in text
    assert "/moede-08102025/referat/punkt-8" in text.replace(" ", "")
    # The themes in order, each once, each with its lines and amounts (totals over the horizon).
    themes = [
        "Gevinsterne lander andre steder",
        "Gevinsterne er vanskelige at isolere",
        "Undgåede udgifter gør intet budget mindre",
        "Intet budget at hente besparelsen i",
        "Konklusion",
    ]
    positions = [text.index(t) for t in themes]
    assert positions == sorted(positions) and all(text.count(t) == 1 for t in themes)
    elsewhere = text[positions[0] : positions[1]]
    assert "Færre sygedage (Staten): 36,0 mio. kr. over 10 år" in elsewhere
    assert "Færre psykiske belastninger (Sundheds- og Omsorgsforvaltningen): 14,4 mio. kr." in elsewhere
    assert "Færre børn i støtteforanstaltninger" not in elsewhere  # it lands with the investor
    assert "tilfalder 50,4 mio. kr. Sundheds- og Omsorgsforvaltningen og Staten" in text  # 14,4 + 36,0
    # The reasons as one list, the clause of the last but one closed before "og" (it once read as one clause).
    assert "til dels er udgifter, der først undgås i fremtiden, og ikke kan knyttes til et budget" in text
    # No clause per gain line, no sentence with a dangling "det", the alternative once.
    assert "Gevinsten »" not in text and "hvor det ikke kan" not in text
    assert len(re.findall(r"budgetforslag", text)) == 1


def test_without_a_committee_the_notat_addresses_the_committee_generically(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(DATA / "notat", folder)
    source = folder / "parforhold.yaml"
    lines = [
        line
        for line in source.read_text().splitlines(keepends=True)
        if not line.strip().startswith(("committee:", "occasion:", "meeting:", "minutes:"))
    ]
    source.write_text("".join(lines))
    text = _notat(run, folder, tmp_path / "out")
    assert "orienteres udvalget om forvaltningens vurdering" in text and "referatet" not in text


def test_a_minutes_link_must_be_a_web_address(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(DATA / "notat", folder)
    source = folder / "parforhold.yaml"
    source.write_text(re.sub(r"minutes: \S+", "minutes: javascript:alert(1)", source.read_text()))
    result = run("check", source)
    assert result.code == 1
    assert "parforhold.yaml:" in result.out + result.err and "is not a web address" in result.out + result.err
