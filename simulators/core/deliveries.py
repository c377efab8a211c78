"""The background sender the providers' webhook dispatchers share.

A dispatcher builds provider-specific deliveries (payload, signing, headers) and hands them to
`_enqueue`; one daemon thread, started on first use, takes them off a queue in order and calls
the provider's `_send(client, delivery)` with a shared `httpx.Client`. `flush()` waits until the
queue is empty; `close()` sends what is queued and stops the thread.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Generic, TypeVar

import httpx

D = TypeVar("D")


class BackgroundSender(Generic[D]):
    """Queue + one sender thread; subclasses implement `_send` for one delivery."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None,
        timeout: float = 3.0,
        thread_name: str | None = None,
    ) -> None:
        self._transport = transport
        self._timeout = timeout
        self._thread_name = thread_name
        self._queue: queue.Queue[D | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def _enqueue(self, deliveries: list[D]) -> None:
        """Start the sender thread if needed, then queue `deliveries` in order."""
        if deliveries:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=self._thread_name, daemon=True
                )
                self._thread.start()
            for delivery in deliveries:
                self._queue.put(delivery)

    def _run(self) -> None:
        with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
            while True:
                item = self._queue.get()
                try:
                    if item is None:
                        return
                    self._send(client, item)
                finally:
                    self._queue.task_done()

    def _send(self, client: httpx.Client, delivery: D) -> None:
        """POST one delivery and record the outcome; must not raise."""
        raise NotImplementedError

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was sent; False if `timeout` ran out."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued, then stop the sender thread."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        self._thread = None
