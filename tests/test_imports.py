"""Each command imports what it needs: `check` never loads WeasyPrint, and loading it starts no subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import forslag

from .conftest import DATA, ROOT


def _python(code: str, **env: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_check_does_not_import_weasyprint() -> None:
    out = _python(
        "import sys\n"
        "from forslag.cli import main\n"
        f"code = main(['check', {str(DATA / 'valid')!r}])\n"
        "print(code, sorted(m for m in ('weasyprint', 'pikepdf', 'watchfiles', 'jinja2') if m in sys.modules))\n"
    )
    assert out.strip().splitlines()[-1] == "0 []"


def test_a_build_with_nothing_to_do_imports_no_model_and_no_printer(tmp_path: Path) -> None:
    """An up-to-date build (the editing loop's most frequent command) loads neither pydantic nor WeasyPrint:
    checking a --state that was not given once cost every build 0,1-0,2 s of importing the source model."""
    build = f"main(['build', {str(DATA / 'valid')!r}, '--out', {str(tmp_path / 'out')!r}, '--jobs', '1'])"
    _python(f"from forslag.cli import main\n{build}\n")
    out = _python(
        "import sys\n"
        "from forslag.cli import main\n"
        f"code = {build}\n"
        "print(code, sorted(m for m in ('pydantic', 'weasyprint', 'jinja2', 'yaml') if m in sys.modules))\n"
    )
    assert "0 built, 1 up to date" in out, out
    assert out.strip().splitlines()[-1] == "0 []", out


def test_weasyprint_loads_its_libraries_without_subprocesses() -> None:
    out = _python(
        "import subprocess\n"
        "started = []\n"
        "original = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n"
        "    started.append(args)\n"
        "    original(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "import forslag.document.pdf\n"
        "print(len(started), started[:3])\n"
    )
    assert out.startswith("0 "), out


def test_the_version_matches_the_package() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        assert forslag.__version__ == tomllib.load(handle)["project"]["version"]


def test_the_quick_library_lookup_agrees_with_ctypes() -> None:
    import ctypes.util

    from forslag.document.libraries import find_library

    # The names WeasyPrint's list reaches on Linux, a name that is no library, and the C library itself.
    for name in ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0", "c", "libpango-1.0-0"):
        assert find_library(name) == ctypes.util.find_library(name), name


def test_fonttools_subsetter_loads_only_when_weasyprint_needs_it() -> None:
    out = _python(
        "import sys, datetime\n"
        "from pathlib import Path\n"
        "import forslag.document.pdf as pdf\n"
        "lazy = type(sys.modules['fontTools.subset']).__name__\n"
        "import weasyprint.pdf.fonts as wfonts\n"
        "wfonts.harfbuzz_subset = None  # as on a machine without HarfBuzz's subsetter: fontTools subsets\n"
        "page = '<html lang=\"da\"><head><title>t</title></head><body><p>Økonomi 1.500 kr.</p></body></html>'\n"
        "data, pages = pdf.Printer().pdf_pages(page, Path('.'), identifier=b'0' * 32, date=datetime.date(2026, 1, 1))\n"
        "print(lazy, type(sys.modules['fontTools.subset']).__name__, pages, data[:5])\n"
    )
    assert out.split() == ["_LazyModule", "module", "1", "b'%PDF-'"], out


def test_the_variable_font_instancer_loads_only_when_weasyprint_calls_it() -> None:
    out = _python(
        "import sys\n"
        "import forslag.document.pdf\n"
        "import weasyprint.pdf.fonts as wfonts\n"
        "print('fontTools.varLib.instancer' in sys.modules, 'fontTools.varLib' in sys.modules)\n"
        "from fontTools.ttLib import TTFont\n"
        "from forslag.document.fonts import FONT_DIR\n"
        "try:\n"
        "    wfonts.instantiateVariableFont(TTFont(FONT_DIR / 'SourceSansPro-Bold.ttf'), {})\n"
        "except ValueError as exc:  # the real function's answer for a static face\n"
        "    print(exc)\n"
        "import fontTools.varLib.instancer as real\n"
        "print(hasattr(real, 'instantiateVariableFont') and hasattr(real, 'OverlapMode'))\n"
    )
    assert out.splitlines() == ["False False", "Missing required table fvar", "True"], out


def test_quick_type_parsing_gives_cffi_the_same_types() -> None:
    code = (
        "import os\n"
        "from forslag.document import libraries\n"
        "if os.environ.get('QUICK'): libraries.quick_type_parsing()\n"
        "import cffi\n"
        "ffi = cffi.FFI()\n"
        "ffi.cdef('typedef struct { int x; double y; } Box; typedef Box *BoxRef; typedef unsigned int Count;"
        " typedef struct _Node Node; struct _Node { Node *next; Count n; };')\n"
        "for t in ('Box *', 'BoxRef', 'Count[4]', 'Node *', 'struct _Node', 'int (*)(Box *, Count)', 'char **'):\n"
        "    c = ffi.typeof(t)\n"
        "    print(t, '=', c.cname, c.kind, ffi.sizeof(c) if c.kind != 'function' else '-')\n"
        "import weasyprint  # as it is, unless QUICK\n"
        "from weasyprint.text.ffi import ffi as w\n"
        "for t in ('PangoRectangle *', 'hb_blob_t *', 'FcPattern *', 'PangoGlyphString *', 'unsigned int *'):\n"
        "    print(t, '=', w.typeof(t).cname)\n"
    )
    plain, quick = _python(code), _python(code, QUICK="1")
    assert plain == quick and plain.count("=") == 12, plain


def test_printing_without_harfbuzz_subsetter_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint.text.ffi as ffi

    from forslag.document import pdf
    from forslag.errors import ForslagError

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with pytest.raises(ForslagError, match=r"HarfBuzz's font subsetter.*apt-get install libharfbuzz-subset0"):
        pdf.Printer()
