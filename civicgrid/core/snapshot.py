"""Per-process copies of rows that rarely change, rebuilt when the table changes.

Web processes read the working calendar, the time-limit policies and the category tree
on every intake; reading them from the database each time costs more than the intake
itself. A ``Snapshot`` keeps the built value and, at most every ``every`` seconds, asks
the database for a cheap version (a count and a latest timestamp); when it differs —
because this or another process changed the table — it rebuilds. Nothing another
process needs lives only here: the database stays the truth.
"""

import threading
import time as clock
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# Every snapshot of this process, so tests (and admin actions) can reset them all.
ALL: list["Snapshot"] = []


class Snapshot(Generic[T]):
    def __init__(self, version: Callable[[], tuple], build: Callable[[], T], every: float = 5.0):
        self._version_of = version
        self._build = build
        self.every = every
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: tuple | None = None
        self._checked = 0.0
        ALL.append(self)

    def get(self, *, force: bool = False) -> T:
        """The current value; checks the version at most every ``every`` seconds."""
        now = clock.monotonic()
        if self._value is not None and not force and now - self._checked < self.every:
            return self._value
        with self._lock:
            version = self._version_of()
            if self._value is None or force or version != self._version:
                self._value, self._version = self._build(), version
            self._checked = now
            return self._value

    def get_with_version(self) -> tuple[T, tuple | None]:
        """The current value and the version it was built from."""
        value = self.get()
        with self._lock:
            return value, self._version

    def forget(self) -> None:
        """Drop the value (after a change made in this process)."""
        with self._lock:
            self._value, self._version, self._checked = None, None, 0.0


def forget_all(*, every: float | None = None) -> None:
    """Forget every snapshot; tests pass ``every=0`` to check the version each time."""
    for snapshot in ALL:
        snapshot.forget()
        if every is not None:
            snapshot.every = every
