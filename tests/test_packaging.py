"""forslag as an installed tool: the wheel carries the layout and scaffold, and builds a case anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT
from .pdftext import text

SKIP_COPY = shutil.ignore_patterns(
    ".venv", ".git", "output", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests"
)


def test_every_package_is_listed_for_the_wheel() -> None:
    """The package list is kept by hand (templates/ lives outside src/): a new subpackage must join it."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    assert found | {"forslag.templates"} == listed


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _uv() -> str:
    """The uv the Makefile installed (pinned in pyproject.toml), else one on PATH."""
    local = ROOT / ".uv" / "bin" / "uv"
    found = str(local) if local.is_file() else shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed: run make test, which installs it")
    return found


@pytest.mark.slow  # builds a wheel and installs it with its dependencies into a new venv: about a minute
def test_wheel_installed_elsewhere_builds_a_new_case(tmp_path: Path) -> None:
    source = tmp_path / "clone"
    shutil.copytree(ROOT, source, ignore=SKIP_COPY)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    uv = _uv()
    wheels = tmp_path / "wheels"
    _run([uv, "build", "--quiet", "--wheel", "--out-dir", wheels, source], tmp_path, env)
    wheel = next(wheels.glob("forslag-*.whl"))
    # The wheel's dependencies at the lock's versions: what a user who installs from the lock gets.
    locked = tmp_path / "locked.txt"
    _run(
        [uv, "export", "--quiet", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "-o", locked],
        source,
        env,
    )
    shutil.rmtree(source)  # nothing of the checkout is left for the installed tool to lean on

    venv = tmp_path / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, venv], tmp_path, env)  # no system site-packages
    bin_ = venv / "bin"
    _run([uv, "pip", "install", "--quiet", "--python", bin_ / "python", wheel, "-c", locked], tmp_path, env)
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"

    assert _run([bin_ / "forslag", "--version"], tmp_path, env).startswith("forslag ")
    assert _run([bin_ / "python", "-m", "forslag", "--version"], tmp_path, env).startswith("forslag ")
    where = _run(
        [bin_ / "python", "-c", "from forslag.document.layoutfiles import DEFAULT_TEMPLATES as t; print(t)"],
        tmp_path,
        env,
    ).strip()
    assert Path(where).is_relative_to(venv), where

    _run([bin_ / "forslag", "init", "sag"], tmp_path, env)
    case = tmp_path / "sag"
    _run([bin_ / "forslag", "check"], case, env)
    _run([bin_ / "forslag", "build", "--jobs", "1"], case, env)
    pdf = " ".join(text(case / "output" / "nyt-forslag.pdf").split())
    assert "Nyt forslag" in pdf
    assert "Samlet varig ændring" in pdf
    assert (case / "output" / "budget-2026.pdf").is_file()

    # --templates still overrides the installed layout file by file.
    (case / "layout" / "partials").mkdir(parents=True)
    (case / "layout" / "partials" / "risk.html.j2").write_text("<section><h2>4. Egen risikotekst</h2></section>\n")
    _run([bin_ / "forslag", "build", "--templates", "layout", "--out", "custom", "--jobs", "1"], case, env)
    custom = " ".join(text(case / "custom" / "nyt-forslag.pdf").split())
    assert "Egen risikotekst" in custom and "Samlet varig ændring" in custom


def test_the_environment_holds_the_locks_versions(tmp_path: Path) -> None:
    """make build and make test run on exactly what uv.lock says (for this Python and platform)."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not the project's .venv (make test-lowest / test-latest install other versions on purpose)")
    import importlib.metadata as metadata

    from packaging.markers import Marker

    locked = tmp_path / "locked.txt"
    _run(
        [_uv(), "export", "--quiet", "--frozen", "--no-hashes", "--no-emit-project", "-o", locked],
        ROOT,
        dict(os.environ),
    )
    pins = {}
    for line in locked.read_text().splitlines():
        requirement, _, marker = line.partition(";")
        if "==" not in requirement or requirement.lstrip().startswith("#"):
            continue
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue  # pinned for another Python or platform
        name, version = requirement.split("==")
        pins[name.strip().lower()] = version.strip()
    assert "weasyprint" in pins and "pytest" in pins, "the export lists runtime and dev dependencies"
    installed = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in metadata.distributions()}
    differ = {n: (v, installed[n]) for n, v in pins.items() if n in installed and installed[n] != v}
    missing = sorted(n for n in ("weasyprint", "pydantic", "pytest", "ruff", "mypy") if n not in installed)
    assert differ == {} and missing == []
