"""`python -m forslag`: the same command line as the `forslag` script."""

import sys

from forslag.cli import main

sys.exit(main())
