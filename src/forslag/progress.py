"""What this process is doing now, for the bound that stops it to name (drawing charts, printing, ...).

Any module may say what it starts (`doing`); only a bounded worker process listens (`listen`), sending each
step to the parent, which names the last one when a proposal takes longer than its limit. Elsewhere
`doing` costs a function call.
"""

from __future__ import annotations

from collections.abc import Callable

_listener: Callable[[str], None] | None = None


def listen(listener: Callable[[str], None] | None) -> None:
    """Send every later step to `listener` (None: to nobody)."""
    global _listener
    _listener = listener


def doing(step: str) -> None:
    """Say which step starts now, as a clause ("drawing the business case's charts")."""
    if _listener is not None:
        _listener(step)
