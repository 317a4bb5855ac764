"""Each command imports what it needs: `check` never loads WeasyPrint, and loading it starts no subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import forslag

from .conftest import DATA, ROOT


def _python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
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
