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
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    PATCH_TYPES,
    BackendUnavailable,
    PatchType,
    ResourceError,
    ResourceNotFound,
    ResourceRef,
    UnknownKind,
    resource_error,
)
from helmlite.backends.objectclient import equality_selector, storage_errors
from helmlite.backends.waiting import POD_OWNER_DEPTH, WaitingSession, WaitTracker
from helmlite.cluster.bootstrap import DEFAULT_NODE_COUNT, KUBE_VERSION
from helmlite.cluster.clock import VirtualClock
from helmlite.cluster.cluster import Cluster
from helmlite.cluster.errors import (
    ApiError,
    BadRequestError,
    NoKindMatchError,
    SimulatorError,
)
from helmlite.cluster.kinds import Kind, KindRegistry
from helmlite.cluster.persistence import BUSY_TIMEOUT_SECONDS
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import ObjectStore, WatchEvent
from helmlite.release.storage.objects import ObjectClientError, ObjectNotFound

if TYPE_CHECKING:
    from helmlite.render.capabilities import Capabilities

__all__ = ["SimulatorBackend", "SimulatorObjectClient", "SimulatorSession"]

# Objects a dry-run apply needs beside the target: what admission reads (Priority,
# DefaultStorageClass) and every Service, whose addresses and node ports a Service may not reuse.
_DRY_RUN_INPUTS = (("scheduling.k8s.io", "PriorityClass"), ("storage.k8s.io", "StorageClass"), ("", "Service"))


def _api_error(exc: ApiError) -> ResourceError:
    """The backend error for an API error, keeping the API server's message."""
    if isinstance(exc, NoKindMatchError):
        return UnknownKind(str(exc))
    return resource_error(str(exc), reason=exc.reason, code=exc.code)


@contextmanager
def _refused() -> Iterator[None]:
    """Re-raise the simulated API server's refusals in the block as backend errors."""
    try:
        yield
    except ApiError as exc:
        raise _api_error(exc) from None


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


class SimulatorSession(WaitingSession):
    """A ``Session`` over one open ``Cluster`` (``cluster`` is public for tests and fault injection)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    # --- discovery -------------------------------------------------------------------------

    def _kind(self, api_version: str, kind: str) -> Kind:
        with _refused():
            return self.cluster.kinds.resolve(api_version, kind)[0]

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
            with _refused():
                return self.cluster.store.get(ref.api_version, ref.kind, ref.name,
                                              namespace=ref.namespace or "default")
        except UnknownKind:
            raise
        except ResourceNotFound:
            return None

    def _read(self, ref: ResourceRef) -> dict[str, Any] | None:
        """The stored object itself, not a copy (readiness only reads it)."""
        kind = self._kind(ref.api_version, ref.kind)
        namespace = (ref.namespace or "default") if kind.namespaced else ""
        return self.cluster.store.peek(kind.group, kind.kind, namespace, ref.name)

    def list(
        self, api_version: str, kind: str, *, namespace: str = "", label_selector: str = ""
    ) -> builtins.list[dict[str, Any]]:
        """Objects ordered by namespace and name. Raises UnknownKind, ResourceInvalid."""
        with _refused():
            return self.cluster.store.list(api_version, kind, namespace=namespace, label_selector=label_selector)

    # --- writes ----------------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER) -> dict[str, Any]:
        """Create an object. Raises ResourceExists, ResourceInvalid, ResourceNotFound,
        ResourceForbidden, UnknownKind."""
        with _refused():
            return self.cluster.store.create(obj, field_manager=field_manager)

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
        with _refused():
            return store.apply(obj, field_manager=field_manager, force=force)

    def patch(
        self,
        ref: ResourceRef,
        patch: Any,
        *,
        patch_type: PatchType = "json",
        field_manager: str = DEFAULT_FIELD_MANAGER,
    ) -> dict[str, Any]:
        """Patch the object as the API server's PATCH handler does: a merge patch through the
        store, a JSON or strategic merge patch applied to the object read at ``ref``'s version
        and written back (PUT semantics: a ``resourceVersion`` the patch sets is a precondition).
        Raises ResourceNotFound, ResourceConflict, ResourceInvalid, ResourceError (415),
        UnknownKind."""
        from helmlite.cluster.jsonpatch import apply_json_patch
        from helmlite.cluster.strategicpatch import apply_strategic_merge_patch

        store = self.cluster.store
        namespace = ref.namespace or "default"
        with _refused():
            if patch_type == "merge":
                if not isinstance(patch, Mapping):
                    raise BadRequestError("a merge patch must be a JSON object")
                return store.patch(ref.api_version, ref.kind, ref.name, patch, namespace=namespace,
                                   field_manager=field_manager)
            current = store.get(ref.api_version, ref.kind, ref.name, namespace=namespace)
            if patch_type == "json":
                patched = apply_json_patch(current, patch)
            elif patch_type == "strategic":
                if not isinstance(patch, Mapping):
                    raise BadRequestError("a strategic merge patch must be a JSON object")
                kind = self._kind(ref.api_version, ref.kind)
                patched = apply_strategic_merge_patch(current, patch, kind.group, kind.kind)
            else:
                raise BadRequestError(f"unknown patch type {patch_type!r}: choose one of {', '.join(PATCH_TYPES)}")
            if not isinstance(patched, dict):
                raise BadRequestError("the patched object must be a JSON object")
            return store.replace(patched, field_manager=field_manager)

    def _scratch_store(self, obj: Mapping[str, Any]) -> ObjectStore:
        """A throwaway store holding what an apply of ``obj`` reads, so a dry run can run the
        real write pipeline (defaulting, admission, validation, allocation, managed fields) and
        be dropped.

        The live store cannot undo a write, and a copy of the whole cluster would cost time in
        proportion to its size; the target, its namespace, admission's inputs and the Services
        are all the write pipeline reads.
        """
        live = self.cluster.store
        with _refused():
            kind = live.kinds.for_object(obj)[0]
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
            with _refused():
                self.cluster.store.delete(ref.api_version, ref.kind, ref.name, namespace=ref.namespace or "default",
                                          propagation_policy=propagation)
        except UnknownKind:
            raise
        except ResourceNotFound:
            return False
        return True

    # --- readiness (the rest is WaitingSession's) ------------------------------------------

    def _pods_of(self, obj: Mapping[str, Any]) -> builtins.list[Mapping[str, Any]]:
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        depth = POD_OWNER_DEPTH.get((group, str(obj.get("kind", ""))), 0)
        owners: builtins.list[Mapping[str, Any]] = [obj]
        for _ in range(depth):
            children: builtins.list[Mapping[str, Any]] = []
            for owner in owners:
                children.extend(child for _, child in self.cluster.store.children_of(owner["metadata"]["uid"]))
            owners = children
        return [pod for pod in owners if pod.get("kind") == "Pod"] if depth else []

    def _store_key(self, ref: ResourceRef) -> tuple[str, str, str, str]:
        kind = self._kind(ref.api_version, ref.kind)
        return kind.group, kind.kind, (ref.namespace or "default") if kind.namespaced else "", ref.name

    def _follow(self, tracker: WaitTracker, timeout: float) -> tuple[bool, float]:
        """Fast-forward the virtual clock (``Cluster.run_until``), reading the statuses between
        timers, while a store listener hands the tracker every change as it is written."""
        refs, target = tracker.refs, tracker.target
        start = self.cluster.clock.now
        keys = {self._store_key(ref): ref for ref in refs}
        tracker.start(self._read)

        def on_change(event: WatchEvent) -> None:
            meta = event.object["metadata"]
            ref = keys.get((event.kind.group, event.kind.kind, meta.get("namespace", ""), meta["name"]))
            if ref is None:
                return
            if event.type == "DELETED":
                tracker.observe(ref, None)
            else:
                # Still inside the write: the full reading of this very instant is available.
                tracker.observe(ref, event.object, snapshot=lambda: self.status(refs, target=target))

        def over() -> bool:
            return tracker.check(self.status(refs, target=target))

        tap = _wait_tap(self.cluster.store)
        tap.handler = on_change
        try:
            finished = self.cluster.run_until(over, timeout) if refs else over()
        finally:
            tap.handler = None
        return finished, self.cluster.clock.now - start

    # --- events and storage ----------------------------------------------------------------

    def _events_in(self, namespace: str, field_selector: str) -> builtins.list[dict[str, Any]]:
        return self.cluster.store.list("v1", "Event", namespace=namespace, field_selector=field_selector)

    def logs(self, namespace: str, pod: str, container: str | None = None) -> str:
        """The simulated kubelet's log of the container (see ``kubelet.logs``)."""
        from helmlite.cluster.controllers.kubelet.logs import container_logs

        with _refused():
            return container_logs(self.cluster, namespace, pod, container)

    def object_client(self) -> SimulatorObjectClient:
        """An ``ObjectClient`` over this session's store (for the Secret/ConfigMap drivers)."""
        return SimulatorObjectClient(self.cluster.store)


class SimulatorObjectClient:
    """``helmlite.release.storage.objects.ObjectClient`` over the simulator's store.

    Kinds are named bare (``Secret``) and resolved among the served kinds, the core group
    first. Errors are the drivers' (``objectclient.storage_errors``), with the API server's message.
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
            with storage_errors(), _refused():
                return self._store.get(self._api_version(kind), kind, name, namespace=namespace or "default")
        except ObjectNotFound:
            return None

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object; raises ObjectExists when the name is taken."""
        with storage_errors(), _refused():
            return self._store.create(obj, field_manager=self._field_manager)

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Replace an object (conditional on ``metadata.resourceVersion`` when set); raises
        ObjectNotFound or ObjectConflict."""
        with storage_errors(), _refused():
            return self._store.replace(obj, field_manager=self._field_manager)

    def delete(self, kind: str, namespace: str, name: str, resource_version: str | None = None) -> None:
        """Remove an object (only at ``resource_version`` when given); raises ObjectNotFound or ObjectConflict."""
        preconditions = {"resourceVersion": resource_version} if resource_version else None
        with storage_errors(), _refused():
            self._store.delete(self._api_version(kind), kind, name, namespace=namespace or "default",
                               preconditions=preconditions)

    def list(self, kind: str, namespace: str, label_selector: Mapping[str, str]) -> builtins.list[dict[str, Any]]:
        """Objects of ``kind`` in ``namespace`` (``""``: all) carrying every label pair, by namespace and name."""
        with storage_errors(), _refused():
            return self._store.list(self._api_version(kind), kind, namespace=namespace,
                                    label_selector=LabelSelector.parse(equality_selector(label_selector)))
