"""Bulk work (an import of a spreadsheet, a county's import of the stations' bundles): Python's
full garbage-collection passes held back while it runs, and the memory it freed handed back to
the system when it ends."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Iterator

_gc_lock = threading.Lock()
_gc_paused = 0
_gc_thresholds = gc.get_threshold()


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """Hold back the garbage collector's full passes while rows are checked or written.

    An import makes millions of short-lived objects, and each full pass of the collector walks
    every long-lived object of the program again: a third of a large import's time.  The young
    generations are still collected as usual (the few reference cycles an import makes, in
    sessions and results, die young), so memory stays flat; one full pass runs when the last
    bulk work running ends."""
    global _gc_paused, _gc_thresholds
    with _gc_lock:
        if _gc_paused == 0:
            _gc_thresholds = gc.get_threshold()
            young, middle, _old = _gc_thresholds
            gc.set_threshold(young, middle, 1_000_000)
        _gc_paused += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_paused -= 1
            last = _gc_paused == 0
            if last:
                gc.set_threshold(*_gc_thresholds)
        if last:
            gc.collect()
            give_back_memory()


def give_back_memory() -> None:
    """Hand the memory a phase of the import freed back to the system (glibc keeps freed heap
    pages otherwise, and the next phase's peak would stand on them)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        ctypes.CDLL(None).malloc_trim(0)
