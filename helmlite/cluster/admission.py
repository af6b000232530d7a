"""The admission plugins of a default API server that change or refuse objects.

``NamespaceLifecycle`` (namespace must exist and not be terminating), ``ServiceAccount``
(``serviceAccountName: default`` and the ``kube-api-access-*`` token volume), ``Priority``
(priority from the PriorityClass), ``DefaultTolerationSeconds`` (not-ready/unreachable
tolerations) and ``DefaultStorageClass``. They read other objects, so unlike ``defaults.py``
they need the store.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from helmlite.cluster.errors import ForbiddenError, NotFoundError
from helmlite.cluster.kinds import Kind

if TYPE_CHECKING:
    from helmlite.cluster.store import ObjectStore

__all__ = ["Admission", "name_suffix", "SERVICE_ACCOUNT_MOUNT", "DEFAULT_STORAGE_CLASS_ANNOTATION"]

SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")
# apimachinery rand.String alphabet: no vowels (no words), no confusable characters.
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def name_suffix(rng: random.Random, length: int = 5) -> str:
    """A random suffix as the API server appends for ``generateName``."""
    return "".join(rng.choice(_ALPHANUMS) for _ in range(length))


class Admission:
    """Mutating and validating admission for creates and deletes."""

    def __init__(self, store: ObjectStore, rng: random.Random) -> None:
        self._store = store
        self._rng = rng

    def check_namespace(self, kind: Kind, namespace: str, name: str) -> None:
        """NamespaceLifecycle for a create in ``namespace``.

        Raises:
            NotFoundError: ``namespaces "x" not found``.
            ForbiddenError: the namespace is being terminated.
        """
        ns = self._store.peek("", "Namespace", "", namespace)
        if ns is None:
            raise NotFoundError.for_object("namespaces", "", namespace)
        if ns.get("metadata", {}).get("deletionTimestamp") or ns.get("status", {}).get("phase") == "Terminating":
            raise ForbiddenError.for_object(
                kind.plural, kind.group, name,
                f"unable to create new content in namespace {namespace} because it is being terminated")

    def check_delete(self, kind: Kind, name: str) -> None:
        """Refuse deleting the namespaces every cluster needs.

        Raises:
            ForbiddenError: ``namespaces "default" is forbidden: this namespace may not be deleted``.
        """
        if kind.group_kind == ("", "Namespace") and name in IMMORTAL_NAMESPACES:
            raise ForbiddenError.for_object("namespaces", "", name, "this namespace may not be deleted")

    def mutate_create(self, kind: Kind, obj: dict[str, Any]) -> None:
        """Apply the mutating plugins to an object being created.

        Raises:
            ForbiddenError: a pod names a PriorityClass that does not exist.
        """
        if kind.group_kind == ("", "Pod"):
            self._pod(obj)
        elif kind.group_kind == ("", "PersistentVolumeClaim"):
            self._pvc(obj)

    def _pod(self, pod: dict[str, Any]) -> None:
        spec = pod.setdefault("spec", {})
        account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
        spec["serviceAccountName"] = account
        spec["serviceAccount"] = account  # the deprecated alias the API server keeps in sync
        if spec.get("automountServiceAccountToken") is not False:
            self._token_volume(spec)
        self._priority(pod, spec)
        tolerations = spec.setdefault("tolerations", [])
        for taint in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if not any(t.get("key") == taint and t.get("effect") in ("NoExecute", None, "") for t in tolerations
                       if isinstance(t, dict)):
                tolerations.append({"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})

    def _token_volume(self, spec: dict[str, Any]) -> None:
        containers = [c for f in ("initContainers", "containers") for c in spec.get(f) or [] if isinstance(c, dict)]
        if any(m.get("mountPath") == SERVICE_ACCOUNT_MOUNT for c in containers for m in c.get("volumeMounts") or []):
            return
        name = f"kube-api-access-{name_suffix(self._rng)}"
        spec.setdefault("volumes", []).append({
            "name": name,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                        "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ],
            },
        })
        for container in containers:
            container.setdefault("volumeMounts", []).append(
                {"name": name, "mountPath": SERVICE_ACCOUNT_MOUNT, "readOnly": True})

    def _priority(self, pod: dict[str, Any], spec: dict[str, Any]) -> None:
        class_name = spec.get("priorityClassName")
        if class_name:
            found = self._store.peek("scheduling.k8s.io", "PriorityClass", "", class_name)
            if found is None:
                raise ForbiddenError.for_object("pods", "", pod.get("metadata", {}).get("name", ""),
                                                f"no PriorityClass with name {class_name} was found")
        else:
            found = next((pc for pc in self._store.peek_all("scheduling.k8s.io", "PriorityClass")
                          if pc.get("globalDefault")), None)
            if found is not None:
                spec["priorityClassName"] = found["metadata"]["name"]
        spec["priority"] = found.get("value", 0) if found is not None else 0
        spec.setdefault("preemptionPolicy",
                        found.get("preemptionPolicy", "PreemptLowerPriority") if found else "PreemptLowerPriority")

    def _pvc(self, pvc: dict[str, Any]) -> None:
        spec = pvc.setdefault("spec", {})
        # Only an absent class is defaulted; "" explicitly asks for no class.
        if "storageClassName" in spec:
            return
        for storage_class in self._store.peek_all("storage.k8s.io", "StorageClass"):
            annotations = storage_class.get("metadata", {}).get("annotations") or {}
            if annotations.get(DEFAULT_STORAGE_CLASS_ANNOTATION) == "true":
                spec["storageClassName"] = storage_class["metadata"]["name"]
                return
