"""Readiness, waiting and events: the half of a ``Session`` both backends share.

A wait is the same on the simulator and on a real cluster — judge every object with kstatus'
rules (``readiness``), report each change of the statuses, stop when they are settled or the
time is up, and remember a settled state that lasted only an instant — except for *how* the
changes arrive: the simulator's store calls back as virtual time is fast-forwarded, a real
cluster's watches stream them while wall-clock time passes. ``WaitingSession`` holds the
shared half and asks a backend's session for the rest::

    _read(ref)               the live object (None when missing; not to be modified)
    _pods_of(obj)            the pods a workload owns, for messages naming a blocking pod
    _events_in(ns, fields)   core/v1 Events of a namespace by field selector
    _follow(tracker, t)      feed the tracker every change of the objects until it is
                             settled or ``t`` seconds pass: (finished, elapsed seconds)
"""

from __future__ import annotations

import builtins
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from helmlite.backends.base import (
    DEFAULT_WAIT_TIMEOUT,
    Progress,
    ReadyStatus,
    ResourceRef,
    ResourceStatus,
    WaitResult,
    WaitTarget,
)
from helmlite.backends.readiness import resource_readiness

__all__ = ["POD_OWNER_DEPTH", "WaitTracker", "WaitingSession"]

# Kinds whose readiness message names a blocking pod, and how many ownership levels down the
# pods are (a Deployment's pods belong to its ReplicaSets).
POD_OWNER_DEPTH = {
    ("apps", "Deployment"): 2,
    ("apps", "ReplicaSet"): 1,
    ("apps", "StatefulSet"): 1,
    ("apps", "DaemonSet"): 1,
    ("batch", "Job"): 1,
}

# Reads an object's readiness without the pod lookups of its message (cheap enough per event).
Judge = Callable[[ResourceRef, Mapping[str, Any] | None], ResourceStatus]


def _settled(statuses: Iterable[ResourceStatus]) -> bool:
    # Helm's watcher stops once every resource that has not Failed is Current.
    return all(s.status in (ReadyStatus.CURRENT, ReadyStatus.FAILED) for s in statuses)


def _gone(statuses: Iterable[ResourceStatus]) -> bool:
    return all(s.status is ReadyStatus.NOT_FOUND for s in statuses)


class WaitTracker:
    """One wait's bookkeeping: the statuses last reported, and the first settled instant.

    Two inputs feed it. ``check`` gets every full reading of the statuses (with the messages
    the user sees) and reports the ones that differ from the last. ``observe`` gets each change
    of one object as it happens, judged on its own: a state that lasts no time between two
    readings still counts (a hook Job with ``ttlSecondsAfterFinished: 0`` completes and is
    deleted in one instant, and the wait must see it complete). ``observe`` may be called from
    other threads (a real cluster's watches).
    """

    def __init__(self, refs: Sequence[ResourceRef], target: WaitTarget, done: Callable[[Iterable[ResourceStatus]], bool],
                 desired: ReadyStatus, progress: Progress | None, judge: Judge) -> None:
        self.refs = refs
        self.target = target
        self._done = done
        self._desired = desired
        self._progress = progress
        self._judge = judge
        self._lock = threading.Lock()
        self._latest: dict[ResourceRef, ResourceStatus] = {}
        self._done_at: tuple[ResourceStatus, ...] | None = None
        self._reported: builtins.list[ResourceStatus] | None = None

    def start(self, read: Callable[[ResourceRef], Mapping[str, Any] | None]) -> None:
        """Take each object's state now as the one later changes update; changes observed
        before this are ignored (they are part of what ``read`` sees)."""
        with self._lock:
            self._latest = {ref: self._judge(ref, read(ref)) for ref in self.refs}

    def observe(self, ref: ResourceRef, obj: Mapping[str, Any] | None,
                snapshot: Callable[[], Sequence[ResourceStatus]] | None = None) -> None:
        """One object changed (``obj`` None: deleted). When this change settles the wait, the
        instant is kept: ``snapshot()`` if given (a full reading, when the backend can take
        one at that instant), else the statuses as judged change by change."""
        with self._lock:
            if ref not in self._latest:
                return
            self._latest[ref] = self._judge(ref, obj)
            if self._done_at is None and self._done(self._latest.values()):
                self._done_at = tuple(snapshot() if snapshot is not None else self._latest.values())

    def check(self, statuses: builtins.list[ResourceStatus]) -> bool:
        """Report ``statuses`` (a full reading) if they changed; whether the wait is over."""
        if statuses != self._reported:
            self._reported = statuses
            if self._progress is not None:
                self._progress(statuses)
        return self._done_at is not None or self._done(statuses)

    def result(self, finished: bool, elapsed: float) -> WaitResult:
        """How the wait ended: the last reading, or the settled instant it missed."""
        statuses = tuple(self._reported or ())
        if finished and not self._done(statuses) and self._done_at is not None:
            # Done for an instant between two readings: report that instant.
            statuses = self._done_at
        ready = all(s.status is self._desired for s in statuses)
        return WaitResult(ready=ready, statuses=statuses, elapsed=elapsed, timed_out=not finished,
                          desired=self._desired)


class WaitingSession(ABC):
    """``status``, ``wait_ready``, ``wait_deleted`` and ``events`` of the Session contract,
    over the few reads a backend provides (see the module docstring)."""

    @abstractmethod
    def now(self) -> float:
        """The cluster's time in epoch seconds (what its timestamps are relative to)."""

    @abstractmethod
    def namespaced(self, api_version: str, kind: str) -> bool:
        """Whether the kind is namespaced. Raises UnknownKind."""

    @abstractmethod
    def _read(self, ref: ResourceRef) -> Mapping[str, Any] | None:
        """The live object, or None; the caller does not modify it. Raises UnknownKind."""

    @abstractmethod
    def _pods_of(self, obj: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        """The pods a workload owns (``POD_OWNER_DEPTH`` levels down), by name."""

    @abstractmethod
    def _events_in(self, namespace: str, field_selector: str) -> builtins.list[dict[str, Any]]:
        """The Events of ``namespace`` matching ``field_selector``."""

    @abstractmethod
    def _follow(self, tracker: WaitTracker, timeout: float) -> tuple[bool, float]:
        """Start ``tracker``, feed it every change of its objects and ``check`` full readings
        until one says the wait is over or ``timeout`` seconds pass; returns whether it ended
        before the timeout, and the seconds it took."""

    def _readiness(self, ref: ResourceRef, obj: Mapping[str, Any] | None, target: WaitTarget, *,
                   explain: bool = True) -> ResourceStatus:
        if obj is None:
            return ResourceStatus(ref, ReadyStatus.NOT_FOUND, "not found")
        now = self.now()
        verdict = resource_readiness(obj, target=target, now=now)
        if explain and verdict.status is not ReadyStatus.CURRENT:
            # Only a resource that is not ready pays for the pod lookup its message needs.
            pods = self._pods_of(obj)
            if pods:
                verdict = resource_readiness(obj, target=target, pods=pods, now=now)
        return ResourceStatus(ref, verdict.status, verdict.message)

    def status(
        self, refs: Iterable[ResourceRef], *, target: WaitTarget = WaitTarget.READY
    ) -> builtins.list[ResourceStatus]:
        """Each resource's readiness now, in the order given. Raises UnknownKind."""
        return [self._readiness(ref, self._read(ref), target) for ref in refs]

    def _paused(self, ref: ResourceRef) -> bool:
        if ref.kind != "Deployment":
            return False
        obj = self._read(ref)
        return obj is not None and bool((obj.get("spec") or {}).get("paused"))

    def _wait(self, refs: Sequence[ResourceRef], timeout: float, target: WaitTarget,
              done: Callable[[Iterable[ResourceStatus]], bool], desired: ReadyStatus,
              progress: Progress | None) -> WaitResult:
        def judge(ref: ResourceRef, obj: Mapping[str, Any] | None) -> ResourceStatus:
            return self._readiness(ref, obj, target, explain=False)

        tracker = WaitTracker(refs, target, done, desired, progress, judge)
        finished, elapsed = self._follow(tracker, timeout)
        return tracker.result(finished, elapsed)

    def wait_ready(
        self,
        refs: Iterable[ResourceRef],
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        *,
        target: WaitTarget = WaitTarget.READY,
        progress: Progress | None = None,
    ) -> WaitResult:
        """Wait until every resource is Current (or Failed, the rest Current) or ``timeout``
        seconds pass (virtual seconds on the simulator). Paused Deployments are left out, as
        Helm leaves them. Raises UnknownKind."""
        watched = [ref for ref in refs if not self._paused(ref)]
        return self._wait(watched, timeout, target, _settled, ReadyStatus.CURRENT, progress)

    def wait_deleted(
        self, refs: Iterable[ResourceRef], timeout: float = DEFAULT_WAIT_TIMEOUT, *, progress: Progress | None = None
    ) -> WaitResult:
        """Wait until none of the objects exists or ``timeout`` passes. Raises UnknownKind."""
        return self._wait(list(refs), timeout, WaitTarget.READY, _gone, ReadyStatus.NOT_FOUND, progress)

    def events(self, ref: ResourceRef) -> builtins.list[dict[str, Any]]:
        """Events about the object, oldest first (a cluster-scoped object's are in ``default``).
        Raises UnknownKind."""
        namespace = (ref.namespace or "default") if self.namespaced(ref.api_version, ref.kind) else "default"
        found = self._events_in(namespace, f"involvedObject.kind={ref.kind},involvedObject.name={ref.name}")
        return sorted(found, key=lambda e: (str(e.get("firstTimestamp") or ""), str(e.get("lastTimestamp") or "")))
