"""forslag: Danish municipal investment proposals from YAML sources to committee-ready PDF and HTML."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("forslag")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
