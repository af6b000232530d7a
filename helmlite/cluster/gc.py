"""The garbage collector: ownerReferences, cascading deletion and orphaning
(kubernetes-simulation.md §1.11, ``pkg/controller/garbagecollector``).

* An object all of whose owners are gone (or are being deleted in the foreground) is deleted.
  One with at least one live owner merely loses the references to the gone ones.
* An owner deleted with ``Orphan`` carries the ``orphan`` finalizer: its dependents lose their
  references to it, then the finalizer is removed and the owner disappears.
* An owner deleted with ``Foreground`` carries ``foregroundDeletion``: its dependents are
  deleted (in the foreground themselves if they have dependents), and the owner disappears
  once no dependent with ``blockOwnerDeletion: true`` is left.
* ``Background`` deletion removes the owner at once; the dependents follow as dangling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import WILDCARD, GroupKind
from helmlite.cluster.errors import NotFoundError
from helmlite.cluster.kinds import Kind

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = ["GarbageCollector", "GC_FIELD_MANAGER"]

GC_FIELD_MANAGER = "kube-controller-manager"
_GC_FINALIZERS = ("orphan", "foregroundDeletion")


def _refs(obj: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return list(((obj or {}).get("metadata") or {}).get("ownerReferences") or [])


class GarbageCollector:
    """Keys: ``owner:<uid>`` (an owner that is gone or finalizing) and ``item:<uid>`` (an object
    whose ownerReferences may dangle)."""

    name = "garbage-collector"
    watches: tuple[GroupKind, ...] = (WILDCARD,)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Wake owners that vanished or started finalizing, and objects whose references changed."""
        obj, meta = event.object, event.object.get("metadata") or {}
        uid = meta.get("uid", "")
        keys = []
        if event.type == "DELETED":
            if cluster.store.has_children(uid):
                keys.append(f"owner:{uid}")
            # A foreground owner may be waiting for exactly this dependent.
            keys.extend(f"owner:{r['uid']}" for r in _refs(obj) if r.get("uid"))
            return keys
        finalizers = meta.get("finalizers") or ()
        if meta.get("deletionTimestamp") and any(f in finalizers for f in _GC_FINALIZERS):
            keys.append(f"owner:{uid}")
        new_refs, old_refs = _refs(obj), _refs(event.old)
        if new_refs != old_refs:
            if new_refs:
                keys.append(f"item:{uid}")
            kept = {r.get("uid") for r in new_refs}
            keys.extend(f"owner:{r['uid']}" for r in old_refs if r.get("uid") and r["uid"] not in kept)
        return keys

    def sync(self, cluster: Cluster, key: str) -> None:
        """Process an owner (cascade, orphan, finish) or check one dependent."""
        what, _, uid = key.partition(":")
        store = cluster.store
        found = store.peek_uid(uid)
        if what == "item":
            if found is not None:
                self._attempt_to_delete(cluster, *found)
            return
        if found is None:
            for kind, child in store.children_of(uid):
                self._attempt_to_delete(cluster, kind, child)
            return
        kind, owner = found
        meta = owner["metadata"]
        if not meta.get("deletionTimestamp"):
            return
        finalizers = meta.get("finalizers") or []
        if "orphan" in finalizers:
            for child_kind, child in store.children_of(uid):
                self._drop_refs(cluster, child_kind, child, {uid})
            self._drop_finalizer(cluster, kind, owner, "orphan")
        elif "foregroundDeletion" in finalizers:
            for child_kind, child in store.children_of(uid):
                self._attempt_to_delete(cluster, child_kind, child)
            blocking = [
                child for _k, child in store.children_of(uid)
                if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in _refs(child))
            ]
            if not blocking:
                self._drop_finalizer(cluster, kind, owner, "foregroundDeletion")

    def _attempt_to_delete(self, cluster: Cluster, kind: Kind, item: Mapping[str, Any]) -> None:
        store = cluster.store
        meta = item["metadata"]
        if meta.get("deletionTimestamp"):
            return
        solid, dangling, waiting = [], set(), set()
        for ref in _refs(item):
            found = store.peek_uid(ref.get("uid", ""))
            owner = found[1] if found is not None else None
            if owner is None or (found[0].namespaced and owner["metadata"].get("namespace") != meta.get("namespace")):  # type: ignore[index]
                dangling.add(ref.get("uid"))
            elif owner["metadata"].get("deletionTimestamp") and "foregroundDeletion" in (owner["metadata"].get("finalizers") or []):
                waiting.add(ref.get("uid"))
            else:
                solid.append(ref)
        if not dangling and not waiting:
            return
        if solid:
            self._drop_refs(cluster, kind, item, dangling | waiting)
            return
        finalizers = meta.get("finalizers") or []
        if waiting and store.has_children(meta["uid"]):
            policy = "Foreground"
        elif "orphan" in finalizers:
            policy = "Orphan"
        elif "foregroundDeletion" in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        try:
            store.delete(kind.storage_api_version, kind.kind, meta["name"], namespace=meta.get("namespace", ""),
                         propagation_policy=policy, copy=False)
        except NotFoundError:
            pass

    @staticmethod
    def _drop_refs(cluster: Cluster, kind: Kind, item: Mapping[str, Any], uids: set[Any]) -> None:
        meta = item["metadata"]
        kept = [r for r in _refs(item) if r.get("uid") not in uids]
        cluster.store.patch(kind.storage_api_version, kind.kind, meta["name"], namespace=meta.get("namespace", ""),
                            patch={"metadata": {"ownerReferences": kept or None}},
                            field_manager=GC_FIELD_MANAGER, copy=False)

    @staticmethod
    def _drop_finalizer(cluster: Cluster, kind: Kind, owner: Mapping[str, Any], finalizer: str) -> None:
        meta = owner["metadata"]
        kept = [f for f in meta.get("finalizers") or [] if f != finalizer]
        cluster.store.patch(kind.storage_api_version, kind.kind, meta["name"], namespace=meta.get("namespace", ""),
                            patch={"metadata": {"finalizers": kept or None}},
                            field_manager=GC_FIELD_MANAGER, copy=False)
