"""``ServedCluster``: the cluster an API server serves — in memory, in step with its file and
with the wall clock.

* **One writer at a time, shared file.** The cluster lives in memory for speed, but every
  change (a request, or timers firing as time passes) is committed to the cluster file in one
  ``BEGIN IMMEDIATE`` transaction before the response is sent, so a CLI command opening the
  file sees it. Before serving each request the server asks SQLite's ``data_version`` whether
  another process committed since; if so it reloads the cluster from the file (and tells its
  watchers what changed), so the server sees the CLI's changes too.
* **Live time.** Virtual time follows wall time: before each request, and from a background
  task whenever a timer falls due, the clock is advanced to "now", so Deployments roll out and
  pods become Ready while clients watch. ``time_scale`` virtual seconds pass per wall second
  (1 by default; tests serve at 60 or more, so a hook Job that sleeps 10 s takes a fraction
  of a second). The file records, as its ``wallTime``, the wall time at which the clock read
  what was saved *on the server's scale*, so a CLI command opening the file afterwards
  catches up from there at scale 1, as it does between commands.
* **Never waiting inside.** Everything here is synchronous and runs on the server's one event
  loop thread, so transactions cannot interleave: each runs from ``BEGIN`` to ``COMMIT`` (or
  ``ROLLBACK``) without an ``await`` in between, and a client disconnecting (which can only
  cancel a coroutine at an ``await``) never cuts one short. Nor does one ever wait for the
  file: while a CLI command holds it, ``write()`` raises ``ClusterBusyError`` at once and the
  caller decides how to wait (the app retries asynchronously), so reads from memory go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helmlite.apiserver.watch import DEFAULT_HISTORY, Change, WatchHub
from helmlite.cluster.cluster import Cluster
from helmlite.cluster.errors import ApiError
from helmlite.cluster.persistence import (
    BUSY_TIMEOUT_SECONDS,
    ClusterBusyError,
    ClusterFile,
    FileVersion,
)
from helmlite.cluster.store import WatchEvent

__all__ = ["ServedCluster"]


class ServedCluster:
    """The served cluster: ``cluster`` (replaced on reload — always read it through this object),
    ``hub`` (watch fan-out), ``write()`` for changes and ``refresh()`` before reads."""

    def __init__(self, path: str | Path, *, wall_clock: Callable[[], float] = time.time,
                 history: int = DEFAULT_HISTORY, time_scale: float = 1.0) -> None:
        """Raises: ValueError: ``time_scale`` is not a positive finite number."""
        if not (0 < time_scale < float("inf")):
            raise ValueError(f"time scale must be a positive number of virtual seconds per second, not {time_scale}")
        self.path = Path(path)
        self._wall = wall_clock
        self.time_scale = time_scale
        self.hub = WatchHub(history)
        # Not power-safe: see ClusterFile; a request is committed before it is answered, and
        # survives the server crashing, without an fsync each. No busy timeout: waiting in
        # SQLite's busy handler would stop the event loop (see the module docstring).
        self._file = ClusterFile(self.path, timeout=0, power_safe=False)
        self._cluster: Cluster | None = None
        # The file's version the in-memory cluster matches; None: memory may hold changes that
        # were rolled back (or nothing loaded yet), so it must be reloaded before it is served.
        self._data_version: FileVersion | None = None
        # (wall time, virtual time) at the last (re)load: virtual now = v0 + scale * (wall - w0).
        self._anchor = (0.0, 0.0)

    # --- lifecycle -----------------------------------------------------------------------

    def open(self) -> None:
        """Load the cluster (creating and bootstrapping the file if new) and catch up with real time.

        Raises:
            SimulatorError: the file is busy, unreadable or from a newer schema.
        """
        with Cluster.open(self.path):
            pass  # creates and bootstraps a new file with the CLI's defaults, in one transaction
        meta = self._file.begin(wait=BUSY_TIMEOUT_SECONDS)  # no clients yet: waiting blocks nobody
        try:
            self._load(meta, catch_up_scale=1.0)  # nobody served the file meanwhile: CLI time
            self._commit()
        except BaseException:
            self._file.rollback()
            raise
        self.hub.reset(self.cluster.store.resource_version)

    def close(self) -> None:
        """End every watch and close the file (everything was committed already)."""
        self.hub.close_all()
        self._file.close()

    @property
    def cluster(self) -> Cluster:
        """The current in-memory cluster."""
        if self._cluster is None:
            raise RuntimeError("the served cluster is not open")
        return self._cluster

    def virtual_now(self) -> float:
        """Where the virtual clock should be now: it runs ``time_scale`` times wall-clock speed
        from the last load."""
        wall0, virtual0 = self._anchor
        return virtual0 + self.time_scale * (self._wall() - wall0)

    # --- staying in step -----------------------------------------------------------------

    def refresh(self) -> bool:
        """Reload if another process committed to the file; bring virtual time up to now.

        Returns False when timers are due but the file is busy: the in-memory cluster is still
        the latest committed state and may be served, only time waits (try again later).

        Raises:
            ClusterBusyError: memory may be out of date (another process committed, or a failed
                change was rolled back) and the file is busy, so it cannot be reloaded yet.
            SimulatorError: the file is unreadable.
        """
        if self._data_version is None or self._file.data_version() != self._data_version:
            with self.write():
                pass  # write() reloads inside its transaction
            return True
        delta = self.virtual_now() - self.cluster.clock.now
        if delta <= 0:
            return True
        deadline = self.cluster.clock.next_deadline()
        if deadline is None or deadline > self.cluster.clock.now + delta:
            self.cluster.advance(delta)  # nothing due: the clock just moves
            return True
        try:
            with self.write():
                pass  # write() advances the clock, firing the due timers, and commits
        except ClusterBusyError:
            return False
        return True

    def seconds_to_next_timer(self) -> float | None:
        """Wall seconds until the next virtual timer falls due (≤ 0: due now), or None."""
        deadline = self.cluster.clock.next_deadline()
        return None if deadline is None else (deadline - self.virtual_now()) / self.time_scale

    @contextmanager
    def write(self) -> Iterator[Cluster]:
        """One change, committed before the block's caller answers.

        Inside one exclusive transaction: reload if another process wrote, advance the clock to
        now, run the block, reconcile the controllers, write what changed, commit. An
        ``ApiError`` from the block is re-raised after committing (what the controllers did is
        kept; the failed request itself stored nothing). Any other exception rolls the
        transaction back and marks memory for a reload of the last committed state before it
        is served again (``refresh``), so memory and file agree.

        Raises:
            ClusterBusyError: another process holds the file (raised at once, before the block
                runs: nothing changed, so the caller may simply try again).
            SimulatorError: the file is unwritable.
            RuntimeError: called inside another ``write()`` block.
        """
        meta = self._file.begin()
        failure: ApiError | None = None
        try:
            if self._data_version is None or self._file.data_version() != self._data_version:
                self._reload(meta)
            delta = self.virtual_now() - self.cluster.clock.now
            if delta > 0:
                self.cluster.advance(delta)
            try:
                yield self.cluster
            except ApiError as err:
                failure = err
            self.cluster.reconcile()
            self._commit()
        except BaseException:
            self._file.rollback()
            self._data_version = None  # reload the committed state before serving again
            raise
        if failure is not None:
            raise failure

    def scratch(self) -> Cluster:
        """A throwaway copy of the committed cluster (no workload controllers) for ``dryRun=All``:
        the request runs the whole pipeline on it and nothing is kept. It reads a snapshot, so
        a CLI command holding the file does not stop it.

        Raises:
            SimulatorError: the file is unreadable.
        """
        meta = self._file.begin(write=False)
        try:
            copy = Cluster.restore(meta or {}, self._file, controllers=())
        finally:
            self._file.rollback()
        delta = self.cluster.clock.now - copy.clock.now
        if delta > 0:
            copy.advance(delta)
        return copy

    # --- internals -----------------------------------------------------------------------

    def _commit(self) -> None:
        # Read before COMMIT, inside the transaction (our own commit leaves it as it is): after
        # COMMIT the change is durable and nothing may fail any more, or the caller would answer
        # an error — and a client retry a create — for a change that was kept.
        version = self._file.data_version()
        self.cluster.save(self._file, self._wall_time_of_clock())
        self._file.commit()
        self._data_version = version

    def _wall_time_of_clock(self) -> float:
        """The wall time at which, on this server's scale, virtual time read ``clock.now`` (the
        clock may lag ``virtual_now`` between timers): saved as the file's ``wallTime``."""
        return self._wall() - (self.virtual_now() - self.cluster.clock.now) / self.time_scale

    def _load(self, meta: dict[str, Any] | None, *, catch_up_scale: float) -> None:
        """Restore the file's cluster and advance it by the wall time since its ``wallTime``,
        ``catch_up_scale`` virtual seconds per second (1 for time nobody served)."""
        if meta is None:
            raise RuntimeError(f"cluster file {self.path} is empty")
        cluster = Cluster.restore(meta, self._file)
        wall = self._wall()
        cluster.advance(catch_up_scale * max(0.0, wall - float(meta["wallTime"])))
        cluster.store.add_listener(self._on_event)
        self._cluster = cluster
        self._anchor = (wall, cluster.clock.now)

    def _reload(self, meta: dict[str, Any] | None) -> None:
        """Replace the cluster with the file's, telling watchers what another process changed."""
        old = self.cluster
        # The file was written while this server served it (by a command, or by this server
        # before a rolled-back change), so the time since then passed on the server's scale.
        self._load(meta, catch_up_scale=self.time_scale)
        new = self.cluster
        for kind in {k.group_kind: k for k in (*old.kinds, *new.kinds)}.values():
            before = {_key(o): o for o in old.store.peek_all(kind.group, kind.kind)}
            for obj in new.store.peek_all(kind.group, kind.kind):
                previous = before.pop(_key(obj), None)
                if previous is None:
                    self._on_event(WatchEvent("ADDED", kind, obj, None))
                elif previous["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                    self._on_event(WatchEvent("MODIFIED", kind, obj, previous))
            for obj in before.values():
                self._on_event(WatchEvent("DELETED", kind, obj, obj))

    def _on_event(self, event: WatchEvent) -> None:
        obj = event.object
        if event.type == "DELETED":
            # etcd gives a deletion its own revision; the store does not, so take the next one
            # here — otherwise a watch resumed from the deletion's version could miss or repeat it.
            rv = int(self.cluster.store._next_rv())
            obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}
        else:
            rv = int(obj["metadata"]["resourceVersion"])
        self.hub.publish(Change(rv, event.type, event.kind, obj, event.old))


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]
