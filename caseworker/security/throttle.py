"""A growing delay after failed logins: 1, 2, 4, 8 … seconds, at most :data:`MAX_DELAY`.

The failures are counted per database and name in a small file in the user's state folder,
so a script cannot escape the delay by starting the program again.  A success clears them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)
MAX_DELAY = 300.0


def delay_after(failures: int) -> float:
    """The wait after ``failures`` failed attempts in a row."""
    if failures <= 0:
        return 0.0
    return min(2.0 ** (failures - 1), MAX_DELAY)


class Throttle:
    def __init__(self, path: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._memory: dict[str, list[float]] = {}

    def _load(self) -> dict[str, list[float]]:
        if self.path is None:
            return self._memory
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(k): [float(v[0]), float(v[1])] for k, v in dict(data).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, IndexError, KeyError):
            log.warning("login delays file %s unreadable; starting again", self.path)
            return {}

    def _save(self, data: dict[str, list[float]]) -> None:
        if self.path is None:
            self._memory = data
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            log.exception("could not save the login delays %s", self.path)

    def wait(self, key: str) -> float:
        """Seconds left before ``key`` may try again (0: now)."""
        entry = self._load().get(key)
        if entry is None:
            return 0.0
        failures, last = entry
        return max(0.0, last + delay_after(int(failures)) - self.clock())

    def wait_seconds(self, key: str) -> int:
        return math.ceil(self.wait(key))

    def failed(self, key: str) -> float:
        """Count a failure; returns the delay it sets."""
        data = self._load()
        failures = int(data.get(key, [0, 0])[0]) + 1
        data[key] = [failures, self.clock()]
        self._save(data)
        return delay_after(failures)

    def succeeded(self, key: str) -> None:
        data = self._load()
        if data.pop(key, None) is not None:
            self._save(data)
