"""The controller contract: what wakes a controller, what it does, and the work queue.

A controller is level-triggered, like kube-controller-manager's: watch events only tell it
*which* keys to look at; ``sync`` reads the current state from the store and converges it.
The cluster runs ``sync`` for queued keys until the queue is empty (``Cluster.reconcile``).
Keys are strings (``namespace/name`` by convention) so timed wakeups can be persisted:
``cluster.enqueue_after(controller.name, key, seconds)`` schedules one on the virtual clock.

Write one module per kind under ``helmlite/cluster/controllers/``, usually subclassing
``KindController``::

    class ReplicaSetController(KindController):
        name = "replicaset-controller"
        kind = ("apps", "ReplicaSet")
        owns = (("", "Pod"),)

        def sync(self, cluster, key):
            namespace, name = split_key(key)
            rs = cluster.store.peek("apps", "ReplicaSet", namespace, name)
            ...
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.selectors import LabelSelector
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "Controller",
    "KindController",
    "WorkQueue",
    "WILDCARD",
    "GroupKind",
    "object_key",
    "split_key",
    "controller_ref",
    "orphan_adopters",
]

GroupKind = tuple[str, str]
# Watch every kind (the garbage collector and the namespace controller need to).
WILDCARD: GroupKind = ("*", "*")


@runtime_checkable
class Controller(Protocol):
    """What the cluster needs from a controller."""

    @property
    def name(self) -> str:
        """Unique name; also the event source component (``deployment-controller``) and the
        prefix of its persisted timers."""
        ...

    @property
    def watches(self) -> Collection[GroupKind]:
        """``(group, kind)`` pairs whose changes can wake it (``WILDCARD`` for all)."""
        ...

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """The work keys a change wakes. Must be cheap: it runs on every matching write."""
        ...

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge the state for ``key`` at ``cluster.clock.now``.

        May read and write through ``cluster.store``, record events, and ask for a later
        wakeup with ``cluster.enqueue_after``. Raising an ``ApiError`` requeues the key with
        exponential back-off; any other exception is a bug and propagates.
        """
        ...


def object_key(obj: Mapping[str, Any]) -> str:
    """``namespace/name`` for namespaced objects, ``name`` for cluster-scoped ones."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    return f"{namespace}/{meta.get('name', '')}" if namespace else meta.get("name", "")


def split_key(key: str) -> tuple[str, str]:
    """``("namespace", "name")`` from a key made by ``object_key`` (namespace "" if none)."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


def controller_ref(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ownerReference with ``controller: true``, or None."""
    refs: list[dict[str, Any]] = (obj.get("metadata") or {}).get("ownerReferences") or []
    return next((ref for ref in refs if ref.get("controller")), None)


class KindController:
    """Base for the common shape: one primary kind, plus kinds it owns.

    Changes to the primary kind wake its key; changes to an owned object wake the key of
    the primary object named by its controller reference (old and new, so an orphaned or
    adopted child wakes both owners). Subclasses set ``name``, ``kind``, ``owns`` and
    implement ``sync``; override ``keys_for`` to add wakeups (e.g. orphans matching a
    selector).
    """

    name: str = ""
    kind: GroupKind = ("", "")
    owns: tuple[GroupKind, ...] = ()

    @property
    def watches(self) -> Collection[GroupKind]:
        """The primary kind and the owned kinds."""
        return (self.kind, *self.owns)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Primary objects: their own key. Owned objects: their controller's key."""
        if event.kind.group_kind == self.kind:
            return (object_key(event.object),)
        keys = []
        for obj in (event.object, event.old):
            ref = controller_ref(obj) if obj is not None else None
            if ref is not None and ref.get("kind") == self.kind[1]:
                group = ref.get("apiVersion", "").rpartition("/")[0]
                if group == self.kind[0]:
                    namespace = (obj.get("metadata") or {}).get("namespace")  # type: ignore[union-attr]
                    key = f"{namespace}/{ref['name']}" if namespace else ref["name"]
                    if key not in keys:
                        keys.append(key)
        return keys

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge ``key``; subclasses must implement it."""
        raise NotImplementedError(f"{type(self).__name__}.sync")


class WorkQueue:
    """FIFO of ``(controller, key)`` items, each queued at most once (client-go's dedupe)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], None] = {}

    def add(self, controller: str, key: str) -> None:
        """Queue an item unless it is already waiting."""
        self._items.setdefault((controller, key), None)

    def pop(self) -> tuple[str, str]:
        """The oldest item.

        Raises:
            IndexError: the queue is empty.
        """
        if not self._items:
            raise IndexError("pop from an empty work queue")
        item = next(iter(self._items))
        del self._items[item]
        return item

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items


class SelectorCache:
    """Each owner's compiled ``spec.selector``, by uid: selectors are immutable, so compile once.

    An invalid selector (which validation keeps out of the store) compiles to ``NOTHING``.
    Controllers call ``forget`` when the owner is deleted.
    """

    def __init__(self) -> None:
        self._by_uid: dict[str, LabelSelector] = {}

    def get(self, owner: Mapping[str, Any]) -> LabelSelector:
        from helmlite.cluster.errors import ApiError
        from helmlite.cluster.selectors import NOTHING, LabelSelector

        uid = owner["metadata"].get("uid", "")
        selector = self._by_uid.get(uid)
        if selector is None:
            try:
                selector = LabelSelector.from_label_selector((owner.get("spec") or {}).get("selector"))
            except ApiError:
                selector = NOTHING
            self._by_uid[uid] = selector
        return selector

    def cached(self, uid: str) -> LabelSelector | None:
        """The selector compiled for ``uid`` earlier, without looking the owner up."""
        return self._by_uid.get(uid)

    def forget(self, uid: str) -> None:
        self._by_uid.pop(uid, None)


def orphan_adopters(cluster: Cluster, event: WatchEvent, group: str, kind: str,
                    selectors: SelectorCache) -> list[Mapping[str, Any]]:
    """The owners of ``(group, kind)`` that may adopt the pod of ``event``: an orphan (no
    controller, not terminating) whose labels their selector matches; none for other events.

    Sorted by name: the owners sync in this order, and the store lists objects in another
    order after a restore.
    """
    if event.kind.group_kind != ("", "Pod") or event.type == "DELETED":
        return []
    pod = event.object
    meta = pod["metadata"]
    if controller_ref(pod) is not None or meta.get("deletionTimestamp"):
        return []
    labels = meta.get("labels") or {}
    owners = cluster.store.peek_all(group, kind, meta.get("namespace", ""))
    return [owner for owner in sorted(owners, key=object_key) if selectors.get(owner).matches(labels)]
