"""The county's import of many files: the next bundles' rows are checked in another process
while this one writes the bundle before them.

Checking a bundle's rows (each row's JSON, its hash, every value decoded and checked:
:func:`caseworker.sync.changes.parse`) took a quarter of the county import's time, and
writing them is done in one process, in one transaction a bundle.  So, when there are several
files and enough to do, one helper process (``spawn``: nothing of this process, no open
database, no Qt, is copied into it) checks the next two bundles while this process writes.

What the helper is given: the manifest and the members of a bundle this process has already
decrypted and whose signature it has checked (:func:`caseworker.sync.bundle.open_sealed`: the
county's private key never leaves this process), and the limits.  What it sends back: the
checked rows as plain tuples (:func:`caseworker.sync.changes.parse_packed`), or the one-line
reason of the refusal, in the user's language.  The result is the same as checking in this
process, which is what happens for one file, for small files, or if the helper cannot be
started or fails (logged; the import goes on without it).  The environment variable
``CASEWORKER_IMPORT_HELPER`` set to ``0`` turns the helper off, ``1`` uses it for any two files.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from caseworker import i18n
from caseworker.sync import bundle, changes
from caseworker.sync.container import Limits

log = logging.getLogger(__name__)

#: Below this many bytes of files in all, the helper is not worth its start (about a second).
MIN_BYTES = 2 * 1024 * 1024
#: How many bundles the helper works ahead of the writing (each held decrypted in memory).
DEPTH = 2

Opener = Callable[[int], "bundle.Opened"]


def _start_worker(language: str) -> None:
    i18n.set_language(language)


#: ``0``: never use the helper (a machine whose security software stops a program starting
#: another); ``1``: use it whenever there are two files or more, however small.
SETTING = "CASEWORKER_IMPORT_HELPER"


def wanted(paths: Sequence[Path]) -> bool:
    """Whether checking ahead in a helper is worth it for these files."""
    setting = os.environ.get(SETTING, "").strip()
    if setting == "0" or len(paths) < 2:
        return False
    if setting == "1":
        return True
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total >= MIN_BYTES


class Ahead:
    """The checked rows of bundle ``i``, made ahead in a helper process.

    ``submit(i, opened)`` hands an opened bundle over; ``take(i, opened)`` gives its
    :class:`~caseworker.sync.changes.Incoming` (raising its refusal), checked in this process
    when it was not handed over or the helper failed."""

    def __init__(self, limits: Limits, enabled: bool, bind: bool = False) -> None:
        self.limits = limits
        self.bind = bind  # the county's database is SQLite: rows made ready for its driver
        self.pool: ProcessPoolExecutor | None = None
        self.jobs: dict[int, Future[changes.Packed]] = {}
        self.checked = 0  # bundles whose check came from the helper
        if enabled:
            try:
                self.pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(i18n.current_language(),),
                )
            except (OSError, ValueError, RuntimeError):
                log.warning(
                    "the import's helper process cannot start; checking here", exc_info=True
                )

    def __enter__(self) -> Ahead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def working(self) -> bool:
        return self.pool is not None

    def submit(self, index: int, opened: bundle.Opened) -> None:
        if self.pool is None or index in self.jobs:
            return
        try:
            self.jobs[index] = self.pool.submit(
                changes.parse_packed,
                opened.manifest,
                opened.members,
                self.limits,
                self.bind,
                changes.now_millis(),  # (this program's clock, a training date too)
            )
        except RuntimeError:  # (a broken pool refuses new work)
            self._failed()

    def take(self, index: int, opened: bundle.Opened) -> changes.Incoming:
        job = self.jobs.pop(index, None)
        if job is not None:
            try:
                packed = job.result()
            except Exception:  # the helper died or could not send its result
                self._failed()
            else:
                self.checked += 1
                return changes.unpack(opened, packed)
        return changes.parse(opened, self.limits)

    def _failed(self) -> None:
        log.warning("the import's helper process failed; checking here", exc_info=True)
        self.close()

    def close(self) -> None:
        pool, self.pool = self.pool, None
        self.jobs.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            log.info("the import's helper process checked %d bundles", self.checked)
