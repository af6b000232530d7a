"""``Cluster``: the simulated control plane as one object — store, clock, events, controllers.

``Cluster.in_memory()`` builds a fresh cluster for tests; ``Cluster.open(path)`` is how every
command uses the persistent one::

    with Cluster.open(path) as cluster:      # load, catch up with real time elapsed
        cluster.store.apply(manifest, field_manager="helm")
        cluster.run_until(ready, timeout=300) # virtual seconds, no sleeping
    # reconciled, changed rows written, committed

Controllers run only when asked: ``reconcile()`` drains the work queue at the current virtual
time; ``advance`` and ``run_until`` move the clock from timer to timer, reconciling at each.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helmlite.cluster.bootstrap import DEFAULT_NODE_COUNT, bootstrap
from helmlite.cluster.clock import VirtualClock
from helmlite.cluster.controllers import default_controllers
from helmlite.cluster.controllers.base import WILDCARD, Controller, GroupKind, WorkQueue
from helmlite.cluster.errors import ApiError, SimulatorError
from helmlite.cluster.events import EventRecorder, EventTTLController
from helmlite.cluster.gc import GarbageCollector
from helmlite.cluster.kinds import KindRegistry
from helmlite.cluster.namespaces import NamespaceController
from helmlite.cluster.persistence import BUSY_TIMEOUT_SECONDS, ClusterFile
from helmlite.cluster.store import ObjectStore, WatchEvent

__all__ = ["Cluster", "MAX_SYNCS_PER_RECONCILE"]

# A reconcile that needs more syncs than this is livelocked (controllers waking each other
# forever); far above what 10,000 pods need.
MAX_SYNCS_PER_RECONCILE = 5_000_000
# client-go's default per-item exponential failure back-off: 5 ms doubling to 1000 s.
_BACKOFF_BASE = 0.005
_BACKOFF_MAX = 1000.0
_TIMER_SEPARATOR = "|"
# Timer keys ``retries|<failures>|<controller>|<key>`` at +∞ carry each failing item's failure
# count to the next command (they never fire; no controller is called ``retries``).
_RETRIES_PREFIX = f"retries{_TIMER_SEPARATOR}"


class Cluster:
    """A simulated Kubernetes cluster: ``store``, ``clock``, ``events`` and the controllers."""

    def __init__(self, *, seed: int = 0, rng: random.Random | None = None, clock: VirtualClock | None = None,
                 resource_version: int = 0, controllers: Iterable[Controller] | None = None) -> None:
        """Assemble an empty cluster (no namespaces, no nodes). Prefer ``in_memory``/``open``."""
        self.seed = seed
        self.rng = rng if rng is not None else random.Random(seed)
        self.clock = clock if clock is not None else VirtualClock()
        self.kinds = KindRegistry()
        self.store = ObjectStore(self.kinds, self.clock, self.rng, resource_version=resource_version)
        self.events = EventRecorder(self.store, self.clock)
        self._controllers: dict[str, Controller] = {}
        self._watchers: dict[GroupKind, list[Controller]] = {}
        self._wildcard: list[Controller] = []
        self._queue = WorkQueue()
        # client-go's rate limiter: consecutive failed syncs per (controller, key), mirrored in
        # persisted timers (``_retries_timer``) so that a command reopening the cluster keeps
        # doubling the back-off instead of starting again at 5 ms.
        self._failures: dict[tuple[str, str], int] = {}
        self.store.add_listener(self._dispatch)
        self.clock.on_timer = self._on_timer
        self.clock.settle = self.reconcile
        for machinery in (GarbageCollector(), NamespaceController(), EventTTLController()):
            self.register_controller(machinery)
        for controller in default_controllers() if controllers is None else controllers:
            self.register_controller(controller)

    # --- construction --------------------------------------------------------------------

    @classmethod
    def in_memory(cls, seed: int = 0, *, nodes: int = DEFAULT_NODE_COUNT,
                  controllers: Iterable[Controller] | None = None) -> Cluster:
        """A fresh, bootstrapped cluster that lives only in this process.

        ``controllers`` defaults to ``controllers.default_controllers()``.
        """
        cluster = cls(seed=seed, controllers=controllers)
        bootstrap(cluster.store, nodes=nodes, now=cluster.clock.now_rfc3339())
        cluster.reconcile()
        return cluster

    @classmethod
    @contextmanager
    def open(cls, path: str | Path, *, seed: int = 0, nodes: int = DEFAULT_NODE_COUNT,
             controllers: Iterable[Controller] | None = None, wall_clock: Callable[[], float] = time.time,
             timeout: float = BUSY_TIMEOUT_SECONDS) -> Iterator[Cluster]:
        """Open the cluster stored at ``path`` (creating and bootstrapping it if new) for one command.

        The whole block runs in one exclusive SQLite transaction. On entry the virtual clock
        catches up by the wall-clock time elapsed since the last command; on a normal exit the
        cluster is reconciled and the changes are committed; on an exception nothing is kept.
        ``seed`` and ``nodes`` only matter when the file is new.

        Raises:
            SimulatorError: the file is busy (another command holds it past ``timeout``) or unreadable.
        """
        cluster_file = ClusterFile(path, timeout=timeout)
        meta = cluster_file.begin()
        try:
            if meta is None:
                cluster = cls.in_memory(seed, nodes=nodes, controllers=controllers)
                elapsed = 0.0
            else:
                cluster = cls.restore(meta, cluster_file, controllers)
                elapsed = max(0.0, wall_clock() - float(meta["wallTime"]))
            cluster.advance(elapsed)
            yield cluster
            cluster.reconcile()
            cluster.save(cluster_file, wall_clock())
            cluster_file.commit()
        except BaseException:
            cluster_file.rollback()
            raise
        finally:
            cluster_file.close()

    @classmethod
    def restore(cls, meta: dict[str, Any], cluster_file: ClusterFile,
                controllers: Iterable[Controller] | None = None) -> Cluster:
        """The cluster stored in ``cluster_file`` (inside its open transaction; ``meta`` is what
        ``begin`` returned), as it was at its last commit — the clock is not caught up.

        ``open`` is the one-command path; a long-lived owner such as the API server restores
        on its own connection and writes back with ``save``.
        """
        rng = random.Random()
        version, state, gauss = meta["rng"]
        rng.setstate((version, tuple(state), gauss))
        clock = VirtualClock(float(meta["now"]), seq=int(meta["timerSeq"]), timers=cluster_file.timers())
        cluster = cls(seed=int(meta["seed"]), rng=rng, clock=clock, resource_version=int(meta["resourceVersion"]),
                      controllers=controllers)
        cluster.store.load(cluster_file.objects())
        cluster._restore_failures()
        return cluster

    def _restore_failures(self) -> None:
        """Reload the failure counts of the items still backing off from their timer keys."""
        for _at, timer in self.clock.pending_with_prefix(_RETRIES_PREFIX):
            failures, name, key = timer[len(_RETRIES_PREFIX):].split(_TIMER_SEPARATOR, 2)
            self._failures[(name, key)] = int(failures)

    def save(self, cluster_file: ClusterFile, wall_time: float) -> None:
        """Write what changed since the last save (objects, timers) and the counters, clock and
        RNG state into ``cluster_file``'s open transaction; the caller commits.

        ``wall_time`` is the real time this state corresponds to: the next ``open`` catches the
        clock up by the wall-clock time elapsed since then.

        Raises:
            SimulatorError: SQLite refused the write.
        """
        cluster_file.write(objects=self.store.take_dirty(), timers=self.clock.take_changes(),
                           meta=self._meta(wall_time))

    def _meta(self, wall_time: float) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "now": self.clock.now,
            "timerSeq": self.clock.seq,
            "resourceVersion": self.store.resource_version,
            "rng": list(self.rng.getstate()),
            "wallTime": wall_time,
        }

    # --- controllers ---------------------------------------------------------------------

    def register_controller(self, controller: Controller) -> None:
        """Run ``controller`` from now on (changes before this did not wake it).

        Raises:
            ValueError: a controller with the same name is already registered.
        """
        if controller.name in self._controllers:
            raise ValueError(f"a controller named {controller.name!r} is already registered")
        self._controllers[controller.name] = controller
        for group_kind in controller.watches:
            if group_kind == WILDCARD:
                self._wildcard.append(controller)
            else:
                self._watchers.setdefault(group_kind, []).append(controller)

    def controller(self, name: str) -> Controller:
        """The registered controller called ``name``.

        Raises:
            KeyError: none is.
        """
        return self._controllers[name]

    def enqueue(self, controller: str, key: str) -> None:
        """Ask ``controller`` to sync ``key`` at the next reconcile."""
        self._queue.add(controller, key)

    def enqueue_after(self, controller: str, key: str, seconds: float) -> None:
        """Ask ``controller`` to sync ``key`` once ``seconds`` of virtual time have passed.

        The wakeup is a persisted timer; an earlier pending wakeup for the same key wins.
        """
        if seconds <= 0:
            self._queue.add(controller, key)
        else:
            self.clock.schedule(self.clock.now + seconds, f"{controller}{_TIMER_SEPARATOR}{key}")

    def _on_timer(self, timer: str) -> None:
        controller, _, key = timer.partition(_TIMER_SEPARATOR)
        if controller in self._controllers:
            self._queue.add(controller, key)

    def _dispatch(self, event: WatchEvent) -> None:
        queue = self._queue
        for controller in self._watchers.get(event.kind.group_kind, ()):
            for key in controller.keys_for(self, event):
                queue.add(controller.name, key)
        for controller in self._wildcard:
            for key in controller.keys_for(self, event):
                queue.add(controller.name, key)

    def reconcile(self) -> int:
        """Run controllers until no work is left at the current virtual time; returns the syncs run.

        A sync that raises an ``ApiError`` is retried after client-go's exponential back-off.

        Raises:
            SimulatorError: more than ``MAX_SYNCS_PER_RECONCILE`` syncs (controllers livelocked).
        """
        syncs = 0
        queue = self._queue
        while queue:
            name, key = queue.pop()
            controller = self._controllers.get(name)
            if controller is None:
                continue
            try:
                controller.sync(self, key)
            except ApiError:
                failures = self._set_failures(name, key, self._failures.get((name, key), 0) + 1)
                self.enqueue_after(name, key, min(_BACKOFF_BASE * 2 ** (failures - 1), _BACKOFF_MAX))
            else:
                if (name, key) in self._failures:
                    self._set_failures(name, key, 0)  # client-go's Forget
            syncs += 1
            if syncs > MAX_SYNCS_PER_RECONCILE:
                raise SimulatorError(f"controllers did not settle after {MAX_SYNCS_PER_RECONCILE} syncs "
                                     f"(last: {name} {key})")
        return syncs

    def _retries_timer(self, name: str, key: str, failures: int) -> str:
        return f"{_RETRIES_PREFIX}{failures}{_TIMER_SEPARATOR}{name}{_TIMER_SEPARATOR}{key}"

    def _set_failures(self, name: str, key: str, failures: int) -> int:
        """Record ``failures`` consecutive failed syncs of ``key`` (0: forget it), in memory and
        in its timer key; returns ``failures``."""
        previous = self._failures.pop((name, key), None)
        if previous is not None:
            self.clock.cancel(self._retries_timer(name, key, previous))
        if failures:
            self._failures[(name, key)] = failures
            self.clock.schedule(math.inf, self._retries_timer(name, key, failures))
        return failures

    # --- time ----------------------------------------------------------------------------

    def advance(self, seconds: float) -> int:
        """Move virtual time forward, firing timers and reconciling along the way.

        Returns the number of timers fired.
        """
        return self.clock.advance(seconds)

    def run_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Fast-forward until ``predicate()`` holds (True) or ``timeout`` virtual seconds pass (False)."""
        return self.clock.run_until(predicate, timeout)
