"""Pausing Python's cyclic garbage collector around one bulk operation.

Reading a batch of 10,000 records creates a few hundred thousand short-lived objects. Each
allocation burst triggers collections, and every few batches a full collection walks every
object the process holds (Django's, the app's): about 100 ms of pure overhead for objects
that reference counting frees anyway. Pausing the collector for the duration avoids that;
whatever cycles the work created are collected when it resumes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # nesting and threads: the collector resumes when the last pause ends
_was_enabled = False


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
