"""Watch fan-out: the store's change events, kept in a bounded history and fed to watchers.

Each change becomes a ``Change`` stamped with its resourceVersion (deletions get a fresh one,
as in etcd). A watch resumed from resourceVersion N replays the retained changes after N; once
N has fallen out of the history the watch fails with 410 Expired and the client relists, as
client-go's reflector does against a real API server whose watch cache moved on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from helmlite.cluster.kinds import Kind
from helmlite.cluster.selectors import FieldSelector, LabelSelector

__all__ = ["DEFAULT_HISTORY", "MAX_PENDING_EVENTS", "Change", "TooOldError", "WatchHub", "Watcher"]

# Changes kept for resuming watches (the API server's watch cache holds ~100 per resource by
# default; one shared, larger window serves every kind here).
DEFAULT_HISTORY = 10_000
# A watcher this far behind is disconnected rather than buffered without bound (the API
# server closes slow watchers the same way); the client reconnects and resumes.
MAX_PENDING_EVENTS = 50_000


class TooOldError(Exception):
    """The requested resourceVersion is older than the retained history."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


@dataclass(frozen=True, slots=True)
class Change:
    """One stored change; ``object``/``old`` are read-only snapshots in storage version."""

    resource_version: int
    type: str  # ADDED | MODIFIED | DELETED
    kind: Kind
    object: dict[str, Any]
    old: dict[str, Any] | None


@dataclass(eq=False)
class Watcher:
    """One open watch: which objects it sees, and the events waiting to be written."""

    kind: Kind
    namespace: str
    labels: LabelSelector
    fields: FieldSelector
    events: asyncio.Queue[tuple[str, dict[str, Any]] | None] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def matches(self, obj: dict[str, Any] | None) -> bool:
        """Whether ``obj`` is inside this watch's namespace and selectors."""
        if obj is None:
            return False
        meta = obj.get("metadata") or {}
        if self.namespace and meta.get("namespace", "") != self.namespace:
            return False
        if not self.labels.empty and not self.labels.matches(meta.get("labels")):
            return False
        return self.fields.empty or self.fields.matches(obj)

    def translate(self, change: Change) -> tuple[str, dict[str, Any]] | None:
        """The event this watcher sees for ``change``, or None.

        An object moving into the selection is ADDED and one moving out DELETED, as the API
        server's watch cache filters.
        """
        now = self.matches(change.object) if change.type != "DELETED" else False
        before = self.matches(change.old) if change.type != "ADDED" else False
        if change.type == "DELETED":
            return ("DELETED", change.object) if before else None
        if now and before:
            return "MODIFIED", change.object
        if now:
            return "ADDED", change.object
        if before:
            return "DELETED", change.object
        return None

    def offer(self, event: tuple[str, dict[str, Any]] | None) -> None:
        """Queue an event (None ends the stream); a watcher too far behind is ended."""
        if self.overflowed:
            return
        if self.events.qsize() >= MAX_PENDING_EVENTS:
            self.overflowed = True
            self.events.put_nowait(None)
            return
        self.events.put_nowait(event)


class WatchHub:
    """The retained history of changes and the open watchers."""

    def __init__(self, history: int = DEFAULT_HISTORY, *, horizon: int = 0) -> None:
        self._history: deque[Change] = deque()
        self._limit = history
        # Highest resourceVersion no longer retained: resuming from below it is 410 Expired.
        self._horizon = horizon
        self._watchers: dict[tuple[str, str], set[Watcher]] = {}

    def reset(self, horizon: int) -> None:
        """Forget the history (the cluster was replaced); resuming before ``horizon`` expires."""
        self._history.clear()
        self._horizon = horizon

    def publish(self, change: Change) -> None:
        """Record ``change`` and hand it to every watcher of its kind."""
        history = self._history
        history.append(change)
        if len(history) > self._limit:
            self._horizon = history.popleft().resource_version
        for watcher in self._watchers.get(change.kind.group_kind, ()):
            event = watcher.translate(change)
            if event is not None:
                watcher.offer(event)

    def since(self, watcher: Watcher, resource_version: int) -> Iterator[tuple[str, dict[str, Any]]]:
        """The retained events after ``resource_version`` that ``watcher`` would have seen.

        Raises:
            TooOldError: changes after ``resource_version`` are no longer retained.
        """
        if resource_version < self._horizon:
            raise TooOldError(resource_version, self._horizon)
        for change in self._history:
            if change.resource_version > resource_version and change.kind.group_kind == watcher.kind.group_kind:
                event = watcher.translate(change)
                if event is not None:
                    yield event

    def add(self, watcher: Watcher) -> None:
        """Start feeding ``watcher``."""
        self._watchers.setdefault(watcher.kind.group_kind, set()).add(watcher)

    def remove(self, watcher: Watcher) -> None:
        """Stop feeding ``watcher`` (no-op if it is not registered)."""
        watchers = self._watchers.get(watcher.kind.group_kind)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[watcher.kind.group_kind]

    def close_all(self) -> None:
        """End every open watch (the server is stopping, or the cluster was replaced wholesale)."""
        for watchers in self._watchers.values():
            for watcher in watchers:
                watcher.offer(None)

    @property
    def watcher_count(self) -> int:
        """How many watches are open."""
        return sum(len(w) for w in self._watchers.values())
