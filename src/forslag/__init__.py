"""forslag: Danish municipal investment proposals from YAML sources to committee-ready PDF and HTML."""

# Written out rather than read with importlib.metadata: that import (email parsing and all) cost about
# 70 ms on every run, a third of a no-op build. A test keeps it equal to pyproject.toml's version.
__version__ = "0.2.0"
