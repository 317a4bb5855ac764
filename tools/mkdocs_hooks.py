"""MkDocs hooks: the reference pages generated from forslag's code (tools/docsgen.py) join the site at build time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docsgen


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, page in docsgen.PAGES.items():
        files.append(File.generated(config, path, content=page()))
    return files
