"""Namespace lifecycle: a deleted namespace turns ``Terminating``, its content is deleted,
then its ``kubernetes`` finalizer is cleared and it disappears (kubernetes-simulation.md §1.11).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from helmlite.cluster.controllers.base import WILDCARD, KindController
from helmlite.cluster.errors import NotFoundError

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = ["NamespaceController"]


class NamespaceController(KindController):
    """Deletes the content of terminating namespaces, then finalizes them."""

    name = "namespace-controller"
    kind = ("", "Namespace")
    watches = (("", "Namespace"), WILDCARD)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A terminating namespace, and the namespace of content that just went away."""
        meta = event.object.get("metadata") or {}
        if event.kind.group_kind == self.kind:
            return (meta["name"],) if meta.get("deletionTimestamp") else ()
        namespace = meta.get("namespace")
        if event.type != "DELETED" or not namespace:
            return ()
        ns = cluster.store.peek("", "Namespace", "", namespace)
        return (namespace,) if ns is not None and ns["metadata"].get("deletionTimestamp") else ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Delete everything left in the namespace; finalize it once nothing is left."""
        store = cluster.store
        ns = store.peek("", "Namespace", "", key)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        for kind, obj in store.objects_in_namespace(key):
            if obj["metadata"].get("deletionTimestamp"):
                continue
            try:
                store.delete(kind.storage_api_version, kind.kind, obj["metadata"]["name"], namespace=key,
                             propagation_policy="Background", copy=False)
            except NotFoundError:
                pass  # collected meanwhile (by the garbage collector)
        if not store.objects_in_namespace(key):
            store.finalize_namespace(key)
