"""Per-namespace defaults every namespace gets from kube-controller-manager:

- ``ServiceAccountsController`` (``serviceaccount-controller``): the ``default`` ServiceAccount,
  recreated if deleted;
- ``RootCACertPublisher`` (``root-ca-cert-publisher``): the ``kube-root-ca.crt`` ConfigMap with
  the cluster's CA bundle (which the ``kube-api-access-*`` projected volume mounts), restored if
  deleted or edited.

The CA certificate is a stand-in: a PEM block derived from the cluster's seed, stable for the
life of the cluster.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.errors import AlreadyExistsError, ApiError

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = ["ServiceAccountsController", "RootCACertPublisher", "ROOT_CA_CONFIGMAP", "DEFAULT_SERVICE_ACCOUNT",
           "cluster_ca_certificate"]

DEFAULT_SERVICE_ACCOUNT = "default"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
_DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
                "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
                "distributions of Kubernetes clusters.")
_MANAGER = "kube-controller-manager"


def cluster_ca_certificate(seed: int) -> str:
    """The simulated cluster CA certificate (PEM), deterministic per seed."""
    blob = b""
    counter = 0
    while len(blob) < 790:
        blob += hashlib.sha256(f"helmlite-cluster-ca/{seed}/{counter}".encode()).digest()
        counter += 1
    # DER certificates start with a SEQUENCE header; keep the look of a real one.
    der = bytes.fromhex("308203") + blob[:787]
    text = base64.b64encode(der).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _active(namespace: Mapping[str, Any] | None) -> bool:
    return (namespace is not None and not namespace["metadata"].get("deletionTimestamp")
            and (namespace.get("status") or {}).get("phase", "Active") == "Active")


class ServiceAccountsController:
    """Ensures the ``default`` ServiceAccount in every active namespace."""

    name = "serviceaccount-controller"
    watches = (("", "Namespace"), ("", "ServiceAccount"))

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A namespace added or changed; the default ServiceAccount deleted."""
        meta = event.object["metadata"]
        if event.kind.kind == "Namespace":
            return () if event.type == "DELETED" else (meta["name"],)
        if event.type == "DELETED" and meta.get("name") == DEFAULT_SERVICE_ACCOUNT:
            return (meta.get("namespace", ""),)
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Create the namespace's ``default`` ServiceAccount if it is missing."""
        if not _active(cluster.store.peek("", "Namespace", "", key)):
            return
        if cluster.store.peek("", "ServiceAccount", key, DEFAULT_SERVICE_ACCOUNT) is not None:
            return
        try:
            cluster.store.create({"apiVersion": "v1", "kind": "ServiceAccount",
                                  "metadata": {"name": DEFAULT_SERVICE_ACCOUNT, "namespace": key}},
                                 field_manager=_MANAGER, copy=False)
        except AlreadyExistsError:
            pass
        except ApiError:
            if _active(cluster.store.peek("", "Namespace", "", key)):
                raise


class RootCACertPublisher:
    """Publishes ``kube-root-ca.crt`` into every active namespace."""

    name = "root-ca-cert-publisher"
    watches = (("", "Namespace"), ("", "ConfigMap"))

    def __init__(self) -> None:
        self._pem: str | None = None

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A namespace added or changed; the CA ConfigMap deleted or edited."""
        meta = event.object["metadata"]
        if event.kind.kind == "Namespace":
            return () if event.type == "DELETED" else (meta["name"],)
        if meta.get("name") == ROOT_CA_CONFIGMAP:
            return (meta.get("namespace", ""),)
        return ()

    def _data(self, cluster: Cluster) -> dict[str, str]:
        if self._pem is None:
            self._pem = cluster_ca_certificate(cluster.seed)
        return {"ca.crt": self._pem}

    def sync(self, cluster: Cluster, key: str) -> None:
        """Create or restore the namespace's CA ConfigMap."""
        if not _active(cluster.store.peek("", "Namespace", "", key)):
            return
        data = self._data(cluster)
        existing = cluster.store.peek("", "ConfigMap", key, ROOT_CA_CONFIGMAP)
        manifest = {"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": ROOT_CA_CONFIGMAP, "namespace": key,
                                 "annotations": {"kubernetes.io/description": _DESCRIPTION}},
                    "data": data}
        try:
            if existing is None:
                cluster.store.create(manifest, field_manager=_MANAGER, copy=False)
            elif existing.get("data") != data or (existing["metadata"].get("annotations") or {}).get(
                    "kubernetes.io/description") != _DESCRIPTION:
                annotations = {**(existing["metadata"].get("annotations") or {}),
                               "kubernetes.io/description": _DESCRIPTION}
                cluster.store.replace({**existing, "metadata": {**existing["metadata"], "annotations": annotations},
                                       "data": data}, field_manager=_MANAGER, copy=False)
        except AlreadyExistsError:
            pass
        except ApiError:
            if _active(cluster.store.peek("", "Namespace", "", key)):
                raise
