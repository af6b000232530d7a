"""The simulator's virtual clock: ``now``, keyed timers, and fast-forwarding.

Time only moves when someone asks: ``advance`` jumps, ``run_until`` fast-forwards from timer
to timer until a predicate holds. Nothing sleeps. Timers are string keys (so they persist);
the owner of the clock decides what a key means through the ``on_timer`` hook, and the
``settle`` hook runs whatever work became due (the cluster reconciles its controllers there).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from helmlite.cluster.errors import SimulatorError

__all__ = ["VirtualClock", "EPOCH", "format_time", "parse_time"]

# A fresh cluster starts at 2026-01-01T00:00:00Z: a fixed, readable origin keeps tests and
# golden outputs stable.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC).timestamp()

# Work scheduled for "now" by the work it triggers must eventually stop; past this many
# rounds at one instant the simulation is livelocked.
MAX_ROUNDS_PER_INSTANT = 100_000


def format_time(t: float) -> str:
    """RFC 3339 with second precision, as ``metav1.Time`` serialises (``2026-01-01T00:00:00Z``)."""
    return datetime.fromtimestamp(int(t // 1), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float:
    """Seconds since the epoch for an RFC 3339 timestamp.

    Raises:
        ValueError: the text is not RFC 3339.
    """
    return datetime.fromisoformat(text).timestamp()


class VirtualClock:
    """Virtual time plus a timer queue in which each key is pending at most once.

    Scheduling a key that is already pending keeps the earlier time (client-go's delaying
    queue behaves the same way), so a controller can ask for a wakeup freely.

    The heap deletes lazily: a cancelled or superseded timer leaves its entry behind until it
    reaches the top. Entries at +∞ (the timers that only carry a value to the next command)
    never reach the top, so once stale entries outnumber live ones the heap is rebuilt from the
    pending timers — a long-running owner (the API server) would otherwise grow by one entry
    per such update. Every pending key has exactly one live entry, so the stale ones are simply
    ``len(heap) - len(pending)``; firing order is ``(at, seq)`` either way.
    """

    def __init__(self, now: float = EPOCH, *, seq: int = 0, timers: Iterable[tuple[str, float, int]] = ()) -> None:
        self._now = float(now)
        self._seq = seq
        self._heap: list[tuple[float, int, str]] = []
        self._pending: dict[str, tuple[float, int]] = {}
        for key, at, s in timers:
            self._pending[key] = (at, s)
            self._heap.append((at, s, key))
        heapq.heapify(self._heap)
        self._changed: set[str] = set()
        self._formatted: tuple[float, str] = (float("nan"), "")
        self.on_timer: Callable[[str], None] = lambda key: None
        self.settle: Callable[[], object] = lambda: None

    @property
    def now(self) -> float:
        """Current virtual time, seconds since the Unix epoch."""
        return self._now

    @property
    def seq(self) -> int:
        """Timer sequence counter (persisted so ordering survives a reload)."""
        return self._seq

    def now_rfc3339(self) -> str:
        """Current virtual time formatted like ``metav1.Time``."""
        if self._formatted[0] != self._now:
            self._formatted = (self._now, format_time(self._now))
        return self._formatted[1]

    def schedule(self, at: float, key: str) -> None:
        """Fire ``key`` at virtual time ``at`` (or now, if ``at`` is in the past).

        If ``key`` is already pending the earlier of the two times wins.
        """
        current = self._pending.get(key)
        if current is not None and current[0] <= at:
            return
        self._seq += 1
        self._pending[key] = (at, self._seq)
        heapq.heappush(self._heap, (at, self._seq, key))
        self._changed.add(key)
        if current is not None:
            self._compact_if_mostly_stale()

    def cancel(self, key: str) -> None:
        """Forget a pending timer (no-op if none)."""
        if self._pending.pop(key, None) is not None:
            self._changed.add(key)
            self._compact_if_mostly_stale()

    def pending(self) -> list[tuple[float, str]]:
        """Pending timers as ``(at, key)``, in firing order."""
        return sorted((at, key) for key, (at, _s) in self._pending.items())

    def pending_with_prefix(self, prefix: str) -> list[tuple[float, str]]:
        """Pending timers whose key starts with ``prefix``, as ``(at, key)`` in firing order.

        What a controller reloads its persisted state from: cheaper than sorting every timer.
        """
        return sorted((at, key) for key, (at, _s) in self._pending.items() if key.startswith(prefix))

    def heap_entries(self) -> int:
        """Entries in the timer heap, live and stale: what the queue costs in memory (never
        more than twice the pending timers, see the class docstring)."""
        return len(self._heap)

    def next_deadline(self) -> float | None:
        """When the next timer fires, or None if none is pending."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def take_changes(self) -> tuple[dict[str, tuple[float, int]], set[str]]:
        """Timers set and removed since the last call, for incremental persistence."""
        upserts = {k: self._pending[k] for k in self._changed if k in self._pending}
        removed = {k for k in self._changed if k not in self._pending}
        self._changed = set()
        return upserts, removed

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds``, firing due timers in order; returns how many fired.

        Raises:
            ValueError: ``seconds`` is negative.
            SimulatorError: work keeps rescheduling itself at one instant (livelock).
        """
        if seconds < 0:
            raise ValueError("cannot move virtual time backwards")
        target = self._now + seconds
        fired = 0
        self.settle()
        while (nxt := self.next_deadline()) is not None and nxt <= target:
            fired += self._fire_at(max(nxt, self._now))
        self._now = max(self._now, target)
        self.settle()
        return fired

    def run_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Fast-forward timer by timer until ``predicate()`` holds or ``timeout`` seconds pass.

        Returns True as soon as the predicate holds (time stays at that instant), False once
        the timeout elapsed without it (time is then exactly ``now + timeout``).
        """
        deadline = self._now + timeout
        self.settle()
        if predicate():
            return True
        while True:
            nxt = self.next_deadline()
            if nxt is None or nxt > deadline:
                self._now = max(self._now, deadline)
                self.settle()
                return predicate()
            self._fire_at(max(nxt, self._now))
            if predicate():
                return True

    def _fire_at(self, t: float) -> int:
        self._now = t
        fired = 0
        for _ in range(MAX_ROUNDS_PER_INSTANT):
            due = []
            while self._heap and self._heap[0][0] <= t:
                at, s, key = heapq.heappop(self._heap)
                if self._pending.get(key) == (at, s):
                    del self._pending[key]
                    self._changed.add(key)
                    due.append(key)
            if not due:
                return fired
            self._compact_if_mostly_stale()  # firing shrinks the live entries, not the stale ones
            for key in due:
                self.on_timer(key)
            fired += len(due)
            self.settle()
        raise SimulatorError(f"timers keep firing at {format_time(t)}: the simulation does not settle")

    def _drop_stale(self) -> None:
        heap = self._heap
        while heap and self._pending.get(heap[0][2]) != (heap[0][0], heap[0][1]):
            heapq.heappop(heap)

    def _compact_if_mostly_stale(self) -> None:
        # A rebuild costs O(pending + stale) < O(2 · stale) and leaves no stale entry:
        # amortised O(1) per cancelled or superseded timer.
        if len(self._heap) > 2 * len(self._pending):
            self._heap = [(at, s, key) for key, (at, s) in self._pending.items()]
            heapq.heapify(self._heap)
