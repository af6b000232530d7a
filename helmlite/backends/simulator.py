"""The embedded default backend: the cluster simulator (``helmlite.cluster``) behind the Backend contract.

``SimulatorBackend(path)`` opens the cluster file once per session (``Cluster.open``: one
exclusive SQLite transaction, the virtual clock caught up with the wall clock on entry,
committed on a normal exit, rolled back on an exception). ``SimulatorBackend.in_memory()``
keeps one ``Cluster`` in the process across sessions, for tests; its sessions cannot roll back.

Waits fast-forward the virtual clock (``Cluster.run_until``), so ``--wait --timeout 5m`` on a
rollout that takes 40 simulated seconds returns at once and always the same way.
"""

from __future__ import annotations

import builtins
import json
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    DEFAULT_WAIT_TIMEOUT,
    BackendUnavailable,
    Progress,
    ReadyStatus,
    ResourceConflict,
    ResourceError,
    ResourceExists,
    ResourceForbidden,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    UnknownKind,
    WaitResult,
    WaitTarget,
)
from helmlite.backends.readiness import resource_readiness
from helmlite.cluster.bootstrap import DEFAULT_NODE_COUNT, KUBE_VERSION
from helmlite.cluster.clock import VirtualClock
from helmlite.cluster.cluster import Cluster
from helmlite.cluster.errors import (
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    MethodNotAllowedError,
    NoKindMatchError,
    NotFoundError,
    SimulatorError,
)
from helmlite.cluster.kinds import Kind, KindRegistry
from helmlite.cluster.persistence import BUSY_TIMEOUT_SECONDS
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import ObjectStore, WatchEvent
from helmlite.release.storage.objects import ObjectClientError, ObjectConflict, ObjectExists, ObjectNotFound

if TYPE_CHECKING:
    from helmlite.render.capabilities import Capabilities

__all__ = ["SimulatorBackend", "SimulatorSession", "SimulatorObjectClient"]

# Kinds whose readiness message names a blocking pod, and how to reach their pods: through
# owned ReplicaSets (Deployment) or directly (the rest).
_POD_OWNERS = {
    ("apps", "Deployment"): 2,
    ("apps", "ReplicaSet"): 1,
    ("apps", "StatefulSet"): 1,
    ("apps", "DaemonSet"): 1,
    ("batch", "Job"): 1,
}
# Objects a dry-run apply needs beside the target: what admission reads (Priority,
# DefaultStorageClass) and every Service, whose addresses and node ports a Service may not reuse.
_DRY_RUN_INPUTS = (("scheduling.k8s.io", "PriorityClass"), ("storage.k8s.io", "StorageClass"), ("", "Service"))


def _api_error(exc: ApiError) -> ResourceError:
    """The backend error for an API error, keeping the API server's message."""
    message = str(exc)
    if isinstance(exc, NoKindMatchError):
        return UnknownKind(message)
    if isinstance(exc, NotFoundError):
        return ResourceNotFound(message)
    if isinstance(exc, AlreadyExistsError):
        return ResourceExists(message)
    if isinstance(exc, ConflictError):
        return ResourceConflict(message)
    if isinstance(exc, InvalidError):
        return ResourceInvalid(message)
    if isinstance(exc, BadRequestError):
        return ResourceInvalid(message, reason=exc.reason, code=exc.code)
    if isinstance(exc, ForbiddenError):
        return ResourceForbidden(message)
    if isinstance(exc, MethodNotAllowedError):
        return ResourceForbidden(message, reason=exc.reason, code=exc.code)
    return ResourceError(message, reason=exc.reason, code=exc.code)


class _WaitTap:
    """Forwards a store's changes to the wait in progress, if any.

    Store listeners cannot be removed, so each store gets one tap for good and a wait plugs
    its handler in for its duration.
    """

    def __init__(self) -> None:
        self.handler: Callable[[WatchEvent], None] | None = None

    def __call__(self, event: WatchEvent) -> None:
        if self.handler is not None:
            self.handler(event)


_TAPS: weakref.WeakKeyDictionary[ObjectStore, _WaitTap] = weakref.WeakKeyDictionary()


def _wait_tap(store: ObjectStore) -> _WaitTap:
    tap = _TAPS.get(store)
    if tap is None:
        tap = _TAPS[store] = _WaitTap()
        store.add_listener(tap)
    return tap


class SimulatorBackend:
    """The simulated cluster, persisted in one SQLite file (or kept in memory for tests)."""

    def __init__(
        self,
        path: str | Path | None,
        *,
        seed: int = 0,
        nodes: int = DEFAULT_NODE_COUNT,
        timeout: float = BUSY_TIMEOUT_SECONDS,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """A backend over the cluster file at ``path`` (created and bootstrapped with ``seed`` and
        ``nodes`` on first use; ``None``: see ``in_memory``). ``timeout``: how long a session
        waits for a busy file; ``wall_clock`` drives the virtual clock's catch-up between sessions."""
        self.path = Path(path) if path is not None else None
        self._seed = seed
        self._nodes = nodes
        self._timeout = timeout
        self._wall_clock = wall_clock
        self._cluster = Cluster.in_memory(seed, nodes=nodes) if path is None else None
        self._lock = threading.Lock()

    @classmethod
    def in_memory(cls, seed: int = 0, *, nodes: int = DEFAULT_NODE_COUNT) -> SimulatorBackend:
        """A backend over one fresh in-process cluster kept across sessions (no file; virtual
        time moves only when a session advances it)."""
        return cls(None, seed=seed, nodes=nodes)

    @property
    def name(self) -> str:
        """``simulator``."""
        return "simulator"

    @contextmanager
    def session(self) -> Iterator[SimulatorSession]:
        """Open a session on the cluster.

        File-backed: the block is one transaction — kept on a normal exit, discarded when it
        raises. In memory: sessions run one at a time and changes stay even when the block raises.

        Raises:
            BackendUnavailable: the cluster file is busy past the timeout or unreadable.
        """
        if self.path is None:
            assert self._cluster is not None
            with self._lock:
                yield SimulatorSession(self._cluster)
                self._cluster.reconcile()
            return
        with ExitStack() as stack:
            try:
                cluster = stack.enter_context(
                    Cluster.open(self.path, seed=self._seed, nodes=self._nodes, timeout=self._timeout,
                                 wall_clock=self._wall_clock)
                )
            except SimulatorError as exc:
                raise BackendUnavailable(str(exc)) from exc
            yield SimulatorSession(cluster)


class SimulatorSession:
    """A ``Session`` over one open ``Cluster`` (``cluster`` is public for tests and fault injection)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    # --- discovery -------------------------------------------------------------------------

    def _kind(self, api_version: str, kind: str) -> Kind:
        try:
            return self.cluster.kinds.resolve(api_version, kind)[0]
        except ApiError as exc:
            raise _api_error(exc) from None

    def namespaced(self, api_version: str, kind: str) -> bool:
        """Whether the kind is namespaced. Raises UnknownKind."""
        return self._kind(api_version, kind).namespaced

    def now(self) -> float:
        """The virtual clock."""
        return self.cluster.clock.now

    def capabilities(self) -> Capabilities:
        """The simulated API server's version and every served ``group/version`` and
        ``group/version/Kind``, custom resources included."""
        from helmlite.render.capabilities import Capabilities, KubeVersion

        versions: dict[str, None] = {}
        kinds: dict[str, None] = {}
        for kind in self.cluster.kinds:
            for version in kind.versions:
                group_version = kind.api_version(version)
                versions[group_version] = None
                kinds[f"{group_version}/{kind.kind}"] = None
        return Capabilities(KubeVersion(KUBE_VERSION), tuple(sorted(versions)) + tuple(sorted(kinds)))

    # --- reads -----------------------------------------------------------------------------

    def get(self, ref: ResourceRef) -> dict[str, Any] | None:
        """The object, or None. Raises UnknownKind."""
        try:
            return self.cluster.store.get(ref.api_version, ref.kind, ref.name, namespace=ref.namespace or "default")
        except NoKindMatchError as exc:
            raise _api_error(exc) from None
        except NotFoundError:
            return None

    def _peek(self, ref: ResourceRef) -> dict[str, Any] | None:
        kind = self._kind(ref.api_version, ref.kind)
        namespace = (ref.namespace or "default") if kind.namespaced else ""
        return self.cluster.store.peek(kind.group, kind.kind, namespace, ref.name)

    def list(
        self, api_version: str, kind: str, *, namespace: str = "", label_selector: str = ""
    ) -> builtins.list[dict[str, Any]]:
        """Objects ordered by namespace and name. Raises UnknownKind, ResourceInvalid."""
        try:
            return self.cluster.store.list(api_version, kind, namespace=namespace, label_selector=label_selector)
        except ApiError as exc:
            raise _api_error(exc) from None

    # --- writes ----------------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER) -> dict[str, Any]:
        """Create an object. Raises ResourceExists, ResourceInvalid, ResourceNotFound,
        ResourceForbidden, UnknownKind."""
        try:
            return self.cluster.store.create(obj, field_manager=field_manager)
        except ApiError as exc:
            raise _api_error(exc) from None

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str = DEFAULT_FIELD_MANAGER,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply. Raises ResourceConflict, ResourceInvalid, ResourceNotFound,
        ResourceForbidden, UnknownKind."""
        store = self._scratch_store(obj) if dry_run else self.cluster.store
        try:
            return store.apply(obj, field_manager=field_manager, force=force)
        except ApiError as exc:
            raise _api_error(exc) from None

    def _scratch_store(self, obj: Mapping[str, Any]) -> ObjectStore:
        """A throwaway store holding what an apply of ``obj`` reads, so a dry run can run the
        real write pipeline (defaulting, admission, validation, allocation, managed fields) and
        be dropped.

        The live store cannot undo a write, and a copy of the whole cluster would cost time in
        proportion to its size; the target, its namespace, admission's inputs and the Services
        are all the write pipeline reads.
        """
        live = self.cluster.store
        try:
            kind = live.kinds.for_object(obj)[0]
        except ApiError as exc:
            raise _api_error(exc) from None
        scratch = ObjectStore(KindRegistry(list(live.kinds)), VirtualClock(self.cluster.clock.now),
                              random.Random(self.cluster.seed), resource_version=live.resource_version)
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        namespace = str(meta.get("namespace") or "default") if kind.namespaced else ""
        wanted = [live.peek(kind.group, kind.kind, namespace, str(meta.get("name") or ""))]
        if namespace:
            wanted.append(live.peek("", "Namespace", "", namespace))
        for group, kind_name in _DRY_RUN_INPUTS:
            wanted.extend(live.peek_all(group, kind_name))
        rows = {}
        for found in wanted:
            if found is None:
                continue
            found_meta = found["metadata"]
            key = (found["apiVersion"].rpartition("/")[0], found["kind"], found_meta.get("namespace", ""),
                   found_meta["name"])
            rows[key] = (*key, found_meta.get("uid", ""), "", json.dumps(found))
        scratch.load(rows.values())
        return scratch

    def delete(self, ref: ResourceRef, *, propagation: str = "Background") -> bool:
        """Delete with ``propagation``; False when already gone. Raises ResourceForbidden,
        ResourceInvalid, UnknownKind."""
        try:
            self.cluster.store.delete(ref.api_version, ref.kind, ref.name, namespace=ref.namespace or "default",
                                      propagation_policy=propagation)
        except NoKindMatchError as exc:
            raise _api_error(exc) from None
        except NotFoundError:
            return False
        except ApiError as exc:
            raise _api_error(exc) from None
        return True

    # --- readiness -------------------------------------------------------------------------

    def _pods_of(self, obj: dict[str, Any]) -> builtins.list[dict[str, Any]]:
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        depth = _POD_OWNERS.get((group, str(obj.get("kind", ""))), 0)
        owners = [obj]
        for _ in range(depth):
            children: builtins.list[dict[str, Any]] = []
            for owner in owners:
                children.extend(child for _, child in self.cluster.store.children_of(owner["metadata"]["uid"]))
            owners = children
        return [pod for pod in owners if pod.get("kind") == "Pod"] if depth else []

    def _readiness(self, ref: ResourceRef, obj: dict[str, Any] | None, target: WaitTarget, *,
                   explain: bool = True) -> ResourceStatus:
        if obj is None:
            return ResourceStatus(ref, ReadyStatus.NOT_FOUND, "not found")
        now = self.cluster.clock.now
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
        return [self._readiness(ref, self._peek(ref), target) for ref in refs]

    def _paused(self, ref: ResourceRef) -> bool:
        if ref.kind != "Deployment":
            return False
        obj = self._peek(ref)
        return obj is not None and bool((obj.get("spec") or {}).get("paused"))

    def _store_key(self, ref: ResourceRef) -> tuple[str, str, str, str]:
        kind = self._kind(ref.api_version, ref.kind)
        return kind.group, kind.kind, (ref.namespace or "default") if kind.namespaced else "", ref.name

    def _wait(
        self,
        refs: Sequence[ResourceRef],
        timeout: float,
        target: WaitTarget,
        done: Callable[[Iterable[ResourceStatus]], bool],
        desired: ReadyStatus,
        progress: Progress | None,
    ) -> WaitResult:
        """Fast-forward until ``done`` holds for the statuses of ``refs``, or ``timeout`` passes.

        The clock is checked between timers, but the statuses are also followed change by
        change (as Helm's watcher sees events), so a state that lasts no virtual time still
        counts: a hook Job with ``ttlSecondsAfterFinished: 0`` completes and is deleted in one
        instant, and the wait must see it complete.
        """
        start = self.cluster.clock.now
        keys = {self._store_key(ref): ref for ref in refs}
        latest = {ref: self._readiness(ref, self._peek(ref), target, explain=False) for ref in refs}
        done_at: builtins.list[tuple[ResourceStatus, ...]] = []
        reported: builtins.list[builtins.list[ResourceStatus]] = [[]]

        def on_change(event: WatchEvent) -> None:
            meta = event.object["metadata"]
            ref = keys.get((event.kind.group, event.kind.kind, meta.get("namespace", ""), meta["name"]))
            if ref is None:
                return
            gone = event.type == "DELETED"
            latest[ref] = self._readiness(ref, None if gone else event.object, target, explain=False)
            if not done_at and done(latest.values()):
                done_at.append(tuple(self.status(refs, target=target)) if not gone else tuple(latest.values()))

        def predicate() -> bool:
            statuses = self.status(refs, target=target)
            if statuses != reported[0]:
                reported[0] = statuses
                if progress is not None:
                    progress(statuses)
            return bool(done_at) or done(statuses)

        tap = _wait_tap(self.cluster.store)
        tap.handler = on_change
        try:
            finished = self.cluster.run_until(predicate, timeout) if refs else predicate()
        finally:
            tap.handler = None
        statuses = tuple(reported[0])
        if finished and not done(statuses):
            # Done for an instant the clock could not stop at: report that instant.
            statuses = done_at[0]
        ready = all(s.status is desired for s in statuses)
        return WaitResult(ready=ready, statuses=statuses, elapsed=self.cluster.clock.now - start,
                          timed_out=not finished, desired=desired)

    def wait_ready(
        self,
        refs: Iterable[ResourceRef],
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        *,
        target: WaitTarget = WaitTarget.READY,
        progress: Progress | None = None,
    ) -> WaitResult:
        """Fast-forward until every resource is Current (or Failed, the rest Current) or
        ``timeout`` virtual seconds pass. Paused Deployments are skipped. Raises UnknownKind."""
        watched = [ref for ref in refs if not self._paused(ref)]

        def settled(statuses: Iterable[ResourceStatus]) -> bool:
            # Helm's watcher stops once every resource that has not Failed is Current.
            return all(s.status in (ReadyStatus.CURRENT, ReadyStatus.FAILED) for s in statuses)

        return self._wait(watched, timeout, target, settled, ReadyStatus.CURRENT, progress)

    def wait_deleted(
        self, refs: Iterable[ResourceRef], timeout: float = DEFAULT_WAIT_TIMEOUT, *, progress: Progress | None = None
    ) -> WaitResult:
        """Fast-forward until none of the objects exists or ``timeout`` passes. Raises UnknownKind."""

        def gone(statuses: Iterable[ResourceStatus]) -> bool:
            return all(s.status is ReadyStatus.NOT_FOUND for s in statuses)

        return self._wait(list(refs), timeout, WaitTarget.READY, gone, ReadyStatus.NOT_FOUND, progress)

    # --- events and storage ----------------------------------------------------------------

    def events(self, ref: ResourceRef) -> builtins.list[dict[str, Any]]:
        """Events about the object, oldest first. Raises UnknownKind."""
        namespace = (ref.namespace or "default") if self.namespaced(ref.api_version, ref.kind) else "default"
        selector = f"involvedObject.kind={ref.kind},involvedObject.name={ref.name}"
        found = self.cluster.store.list("v1", "Event", namespace=namespace, field_selector=selector)
        return sorted(found, key=lambda e: (str(e.get("firstTimestamp") or ""), str(e.get("lastTimestamp") or "")))

    def logs(self, namespace: str, pod: str, container: str | None = None) -> str:
        """The simulated kubelet's log of the container (see ``kubelet.logs``)."""
        from helmlite.cluster.controllers.kubelet.logs import container_logs

        try:
            return container_logs(self.cluster, namespace, pod, container)
        except ApiError as exc:
            raise _api_error(exc) from None

    def object_client(self) -> SimulatorObjectClient:
        """An ``ObjectClient`` over this session's store (for the Secret/ConfigMap drivers)."""
        return SimulatorObjectClient(self.cluster.store)


class SimulatorObjectClient:
    """``helmlite.release.storage.objects.ObjectClient`` over the simulator's store.

    Kinds are named bare (``Secret``) and resolved among the served kinds, the core group
    first. API errors map onto the storage errors: AlreadyExists → ObjectExists, NotFound →
    ObjectNotFound, a stale ``resourceVersion`` → ObjectConflict, anything else (a missing
    namespace, an invalid object) → ObjectClientError with the API server's message.
    """

    def __init__(self, store: ObjectStore, *, field_manager: str = DEFAULT_FIELD_MANAGER) -> None:
        self._store = store
        self._field_manager = field_manager

    def _api_version(self, kind: str) -> str:
        matches = sorted((k for k in self._store.kinds if k.kind == kind), key=lambda k: (k.group != "", k.group))
        if not matches:
            raise ObjectClientError(f'no matches for kind "{kind}"')
        return matches[0].storage_api_version

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        try:
            return self._store.get(self._api_version(kind), kind, name, namespace=namespace or "default")
        except NotFoundError:
            return None
        except ApiError as exc:
            raise ObjectClientError(str(exc)) from None

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object; raises ObjectExists when the name is taken."""
        try:
            return self._store.create(obj, field_manager=self._field_manager)
        except AlreadyExistsError as exc:
            raise ObjectExists(str(exc)) from None
        except ApiError as exc:
            raise ObjectClientError(str(exc)) from None

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object (conditional on ``metadata.resourceVersion`` when set); raises
        ObjectNotFound or ObjectConflict."""
        try:
            return self._store.replace(obj, field_manager=self._field_manager)
        except NoKindMatchError as exc:
            raise ObjectClientError(str(exc)) from None
        except NotFoundError as exc:
            raise ObjectNotFound(str(exc)) from None
        except ConflictError as exc:
            raise ObjectConflict(str(exc)) from None
        except ApiError as exc:
            raise ObjectClientError(str(exc)) from None

    def delete(self, kind: str, namespace: str, name: str, resource_version: str | None = None) -> None:
        """Remove an object (only at ``resource_version`` when given); raises ObjectNotFound or ObjectConflict."""
        preconditions = {"resourceVersion": resource_version} if resource_version else None
        try:
            self._store.delete(self._api_version(kind), kind, name, namespace=namespace or "default",
                               preconditions=preconditions)
        except NoKindMatchError as exc:
            raise ObjectClientError(str(exc)) from None
        except NotFoundError as exc:
            raise ObjectNotFound(str(exc)) from None
        except ConflictError as exc:
            raise ObjectConflict(str(exc)) from None
        except ApiError as exc:
            raise ObjectClientError(str(exc)) from None

    def list(self, kind: str, namespace: str, label_selector: Mapping[str, str]) -> builtins.list[dict[str, Any]]:
        """Objects of ``kind`` in ``namespace`` (``""``: all) carrying every label pair, by namespace and name."""
        selector = ",".join(f"{key}={value}" for key, value in sorted(label_selector.items()))
        try:
            return self._store.list(self._api_version(kind), kind, namespace=namespace,
                                    label_selector=LabelSelector.parse(selector))
        except ApiError as exc:
            raise ObjectClientError(str(exc)) from None
