"""What the preview tells open pages: a numbered log of events that request threads wait on."""

from __future__ import annotations

import threading
from typing import Any

KEEP = 500  # events remembered for a page that reconnects with Last-Event-ID


class Events:
    """A proposal's HTML or PDF is new, a source stopped validating, the case was bound."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._log: list[tuple[int, dict[str, Any]]] = []
        self._seq = 0
        self.closed = False

    @property
    def last(self) -> int:
        with self._cond:
            return self._seq

    def publish(self, name: str, kind: str, **extra: Any) -> int:
        with self._cond:
            self._seq += 1
            self._log.append((self._seq, {"name": name, "kind": kind, **extra}))
            del self._log[:-KEEP]
            self._cond.notify_all()
            return self._seq

    def after(self, seq: int, timeout: float) -> list[tuple[int, dict[str, Any]]]:
        """The events after `seq`, waiting up to `timeout` seconds for one; empty when none came or closed."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self._seq > seq, timeout)
            if self.closed:
                return []
            return [(n, e) for n, e in self._log if n > seq]

    def close(self) -> None:
        """Wake every waiting request so the server can stop."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
