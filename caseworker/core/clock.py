"""Hybrid logical clock (Kulkarni et al., 2014) for ordering changes across stations.

A timestamp is the wall-clock time in milliseconds, a counter that breaks ties and orders
events when the wall clock stands still or goes back, and the node that made it.  Its text
form sorts in causal order: ``0001732690000000-00000-650102001``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_MS_DIGITS = 16
_COUNTER_DIGITS = 5


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    millis: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.millis:0{_MS_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        millis, counter, node = text.split("-", 2)
        return cls(int(millis), int(counter), node)


def _wall_millis() -> int:
    return time.time_ns() // 1_000_000


class HybridLogicalClock:
    """Thread-safe; ``now()`` never returns the same or an earlier timestamp twice."""

    def __init__(self, node: str, wall: Callable[[], int] = _wall_millis) -> None:
        if "-" in node or not node:
            raise ValueError("node must be non-empty and contain no '-'")
        self.node = node
        self._wall = wall
        self._last = Timestamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> Timestamp:
        with self._lock:
            wall = self._wall()
            if wall > self._last.millis:
                self._last = Timestamp(wall, 0, self.node)
            else:
                self._last = Timestamp(self._last.millis, self._last.counter + 1, self.node)
            return self._last

    def observe(self, remote: Timestamp | str) -> Timestamp:
        """Merge a timestamp seen from elsewhere (another station, or the stored log)."""
        other = Timestamp.parse(remote) if isinstance(remote, str) else remote
        with self._lock:
            wall = self._wall()
            top = max(wall, self._last.millis, other.millis)
            if top == self._last.millis == other.millis:
                counter = max(self._last.counter, other.counter) + 1
            elif top == self._last.millis:
                counter = self._last.counter + 1
            elif top == other.millis:
                counter = other.counter + 1
            else:
                counter = 0
            self._last = Timestamp(top, counter, self.node)
            return self._last
