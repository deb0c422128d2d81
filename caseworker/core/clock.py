"""Hybrid logical clock (Kulkarni et al., 2014) for ordering changes across stations.

A timestamp is the wall-clock time in milliseconds, a counter that breaks ties and orders
events when the wall clock stands still or goes back, and the node that made it.  Its text
form is fixed-width and sorts exactly as the numbers do: ``0001732690000000-00000-650102001.ab12``.

Guarantees, each tested with hypothesis (``tests/unit/test_clock.py``):

- ``now()`` is strictly increasing, whatever the wall clock does, across ``observe()``,
  :meth:`HybridLogicalClock.resume` and a change of node (:meth:`HybridLogicalClock.rename`).
- The counter never outgrows its five digits: at :data:`MAX_COUNTER` the clock moves to the
  next millisecond instead, so the text order always equals the numeric order
  (:meth:`Timestamp.as_int` is the number to store when one column must sort).
- A remote stamp more than ``max_ahead_ms`` ahead of the local wall clock is refused with
  :class:`ClockAheadError` (it would pin every later local stamp in the future).  The
  station's own history is taken with :meth:`HybridLogicalClock.resume`, which has no bound.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_MS_DIGITS = 16
_COUNTER_DIGITS = 5
#: The largest counter; the next tie moves the logical time to the next millisecond.
MAX_COUNTER = 99_999  # five digits
#: How far ahead of the local wall clock a remote stamp may be (one day).
DEFAULT_MAX_AHEAD_MS = 24 * 60 * 60 * 1000
_TEXT = re.compile(rf"^(\d{{{_MS_DIGITS}}})-(\d{{{_COUNTER_DIGITS}}})-([^-\s]+)$")
_NODE = re.compile(r"^[^-\s]+$")


class ClockAheadError(ValueError):
    """A remote timestamp is too far ahead of this machine's clock."""

    def __init__(self, stamp: Timestamp, ahead_ms: int, limit_ms: int) -> None:
        super().__init__(
            f"timestamp {stamp} is {ahead_ms} ms ahead of this machine's clock "
            f"(the limit is {limit_ms} ms)"
        )
        self.stamp = stamp
        self.ahead_ms = ahead_ms
        self.limit_ms = limit_ms


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    millis: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.millis < 10**_MS_DIGITS:
            raise ValueError(f"millis out of range: {self.millis}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError(f"counter out of range: {self.counter}")
        if not _NODE.match(self.node):
            raise ValueError(f"bad node: {self.node!r}")

    def __str__(self) -> str:
        return f"{self.millis:0{_MS_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}-{self.node}"

    def as_int(self) -> int:
        """``(millis, counter)`` as one integer that sorts as the timestamps do (fits int64)."""
        return self.millis * (MAX_COUNTER + 1) + self.counter

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        match = _TEXT.match(text)
        if match is None:
            raise ValueError(f"not a timestamp: {text!r}")
        return cls(int(match[1]), int(match[2]), str(match[3]))


def _wall_millis() -> int:
    return int(time.time_ns() // 1_000_000)


class HybridLogicalClock:
    """Thread-safe; ``now()`` never returns the same or an earlier timestamp twice."""

    def __init__(
        self,
        node: str,
        wall: Callable[[], int] = _wall_millis,
        *,
        max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS,
    ) -> None:
        _check_node(node)
        self.node = node
        self.max_ahead_ms = max_ahead_ms
        self._wall = wall
        self._millis = 0
        self._counter = 0
        self._lock = threading.Lock()

    @property
    def last(self) -> Timestamp:
        return Timestamp(self._millis, self._counter, self.node)

    def _set(self, millis: int, counter: int) -> Timestamp:
        if counter > MAX_COUNTER:
            millis, counter = millis + 1, 0
        self._millis, self._counter = millis, counter
        return Timestamp(millis, counter, self.node)

    def _next(self) -> tuple[int, int]:
        """The next ``(millis, counter)``, taken (call with the lock held)."""
        wall = self._wall()
        millis, counter = (wall, 0) if wall > self._millis else (self._millis, self._counter + 1)
        if counter > MAX_COUNTER:
            millis, counter = millis + 1, 0
        self._millis, self._counter = millis, counter
        return millis, counter

    def now(self) -> Timestamp:
        with self._lock:
            millis, counter = self._next()
            return Timestamp(millis, counter, self.node)

    def now_text(self) -> str:
        """``str(self.now())``, without making the :class:`Timestamp` (a bulk writer stamps
        every row of tens of thousands)."""
        with self._lock:
            millis, counter = self._next()
            node = self.node
        if not 0 <= millis < 10**_MS_DIGITS:
            raise ValueError(f"millis out of range: {millis}")
        return f"{millis:0{_MS_DIGITS}d}-{counter:0{_COUNTER_DIGITS}d}-{node}"

    def observe(self, remote: Timestamp | str) -> Timestamp:
        """Merge a timestamp received from another station; refuse one too far ahead."""
        other = Timestamp.parse(remote) if isinstance(remote, str) else remote
        with self._lock:
            wall = self._wall()
            ahead = other.millis - wall
            if ahead > self.max_ahead_ms:
                raise ClockAheadError(other, ahead, self.max_ahead_ms)
            return self._merge(wall, other)

    def resume(self, own: Timestamp | str) -> None:
        """Continue after a stamp this station made before (read back from its own log)."""
        other = Timestamp.parse(own) if isinstance(own, str) else own
        with self._lock:
            self._millis, self._counter = max(
                (self._millis, self._counter), (other.millis, other.counter)
            )

    def rename(self, node: str) -> None:
        """Stamp later events with another node name; the time goes on from where it was."""
        _check_node(node)
        with self._lock:
            self.node = node

    def _merge(self, wall: int, other: Timestamp) -> Timestamp:
        top = max(wall, self._millis, other.millis)
        if top == self._millis == other.millis:
            counter = max(self._counter, other.counter) + 1
        elif top == self._millis:
            counter = self._counter + 1
        elif top == other.millis:
            counter = other.counter + 1
        else:
            counter = 0
        return self._set(top, counter)


def _check_node(node: str) -> None:
    if not _NODE.match(node):
        raise ValueError("node must be non-empty and contain no '-' or white space")
