"""A background thread that consumes items from a bounded queue (e.g. frames to encode).

It lets slow per-frame work (H.264 encoding, drawing) overlap with the caller's loop (the pose
model) instead of adding to it. The bound gives back-pressure instead of unbounded memory, and
an error on the worker is raised again in the caller's thread at its next :meth:`put` or at
:meth:`close`, so nothing fails silently.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from romcam.closing import Closing

log = logging.getLogger(__name__)

T = TypeVar("T")
_STOP = object()


class QueueWorker(Closing, Generic[T]):
    """Runs ``handle(item)`` for each :meth:`put` item on its own thread, in order.

    Args:
        name: thread name (shows in logs and debuggers).
        handle: called on the worker thread for each item.
        after_last: called on the worker thread once, after the last item (also after an
            error); e.g. flush and close a file.
        queue_size: items that may wait; :meth:`put` blocks while the queue is full.
    """

    def __init__(
        self,
        name: str,
        handle: Callable[[T], None],
        after_last: Callable[[], None] | None = None,
        queue_size: int = 4,
    ) -> None:
        self._handle = handle
        self._after_last = after_last
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def put(self, item: T) -> None:
        """Queue one item (blocks while the queue is full); raises an earlier worker error."""
        if self._closed:
            raise RuntimeError("this worker is closed")
        self._raise_worker_error()
        while True:
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                self._raise_worker_error()

    def close(self) -> None:
        """Let the worker handle the queued items and run ``after_last``; re-raises a worker
        error.

        Idempotent; a worker error is raised once.
        """
        if not self._closed:
            self._closed = True
            while self._thread.is_alive():
                try:
                    self._queue.put(_STOP, timeout=0.5)
                    break
                except queue.Full:
                    continue
            self._thread.join()
        self._raise_worker_error()

    def _raise_worker_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        stopped = False
        try:
            while not stopped:
                item = self._queue.get()
                stopped = item is _STOP
                if not stopped:
                    self._handle(item)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the caller's thread
            log.debug("worker %s failed", self._thread.name, exc_info=True)
            self._error = exc
            while not stopped:  # keep draining so put() never blocks forever
                stopped = self._queue.get() is _STOP
        finally:
            self._run_after_last()

    def _run_after_last(self) -> None:
        if self._after_last is None:
            return
        try:
            self._after_last()
        except BaseException as exc:
            log.debug("worker %s failed after its last item", self._thread.name, exc_info=True)
            if self._error is None:
                self._error = exc
