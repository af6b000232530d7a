"""The cloud service controller for ``type: LoadBalancer`` Services (cloud-controller-manager's
``service-controller``), with a simulated load balancer.

A LoadBalancer Service without ``loadBalancerClass`` gets the
``service.kubernetes.io/load-balancer-cleanup`` finalizer, ``EnsuringLoadBalancer`` and
``EnsuredLoadBalancer`` events, and ``status.loadBalancer.ingress: [{ip, ipMode: VIP}]`` with
an address from ``LOAD_BALANCER_POOL`` (the lowest free one, or ``spec.loadBalancerIP`` if it
is in the pool and free), the way MetalLB or cloud-provider-kind serve a kind cluster.
Until then ``kubectl get svc`` shows ``<pending>``. When the Service stops being a
LoadBalancer or is deleted, the address is released (``DeletingLoadBalancer``,
``DeletedLoadBalancer``), the status cleared and the finalizer removed. An exhausted pool
leaves the Service pending with a ``SyncLoadBalancerFailed`` warning until an address is
released (or ``RETRY_SECONDS`` later). Services with a
``loadBalancerClass`` belong to another implementation and are left alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.errors import NotFoundError

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = ["LOAD_BALANCER_CLEANUP_FINALIZER", "LOAD_BALANCER_POOL", "ServiceController"]

# The simulated cloud's address pool (the range kind documentation gives MetalLB).
LOAD_BALANCER_POOL = ("172.18.255.200", "172.18.255.250")
LOAD_BALANCER_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
FIELD_MANAGER = "cloud-controller-manager"
# A load balancer that could not be ensured is retried after this long (or sooner, when
# another one releases its address).
RETRY_SECONDS = 60


def _wants_load_balancer(service: Mapping[str, Any]) -> bool:
    spec = service.get("spec") or {}
    return (spec.get("type") == "LoadBalancer" and not spec.get("loadBalancerClass")
            and not (service.get("metadata") or {}).get("deletionTimestamp"))


def _ingress_ips(service: Mapping[str, Any]) -> list[str]:
    ingress = (((service.get("status") or {}).get("loadBalancer") or {}).get("ingress")) or []
    return [entry["ip"] for entry in ingress if entry.get("ip")]


def _pool() -> list[str]:
    first, last = (int(ipaddress.ip_address(a)) for a in LOAD_BALANCER_POOL)
    return [str(ipaddress.ip_address(i)) for i in range(first, last + 1)]


class ServiceController:
    """Provisions simulated load balancers. Keys: ``ns/name`` of a Service."""

    name = "service-controller"
    watches = (("", "Service"),)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """LoadBalancer Services (and those still holding a load balancer) whose spec,
        annotations or deletion changed (``needsUpdate``: status and finalizer writes do not count)."""
        service = event.object
        if event.type == "DELETED":
            return ()
        if event.type == "MODIFIED" and event.old is not None:
            def relevant(obj: Mapping[str, Any]) -> tuple[Any, ...]:
                meta = obj.get("metadata") or {}
                return (obj.get("spec"), meta.get("annotations"), bool(meta.get("deletionTimestamp")))
            if relevant(service) == relevant(event.old):
                return ()
        finalizers = (service.get("metadata") or {}).get("finalizers") or ()
        if ((service.get("spec") or {}).get("type") == "LoadBalancer" or LOAD_BALANCER_CLEANUP_FINALIZER in finalizers
                or _ingress_ips(service)):
            return (object_key(service),)
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Ensure or tear down the Service's load balancer."""
        namespace, name = split_key(key)
        service = cluster.store.peek("", "Service", namespace, name)
        if service is None:
            return
        if _wants_load_balancer(service):
            self._ensure(cluster, service)
        elif (service.get("spec") or {}).get("loadBalancerClass") and not service["metadata"].get("deletionTimestamp"):
            return
        else:
            self._tear_down(cluster, service)

    def _ensure(self, cluster: Cluster, service: Mapping[str, Any]) -> None:
        meta = service["metadata"]
        store = cluster.store
        finalizers = list(meta.get("finalizers") or [])
        if LOAD_BALANCER_CLEANUP_FINALIZER not in finalizers:
            service = store.patch("v1", "Service", meta["name"],
                                  {"metadata": {"finalizers": [*finalizers, LOAD_BALANCER_CLEANUP_FINALIZER]}},
                                  namespace=meta["namespace"], field_manager=FIELD_MANAGER, copy=False)
        if _ingress_ips(service):
            return
        cluster.events.record(service, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", component=self.name)
        ip, error = self._allocate(cluster, service)
        if ip is None:
            cluster.events.record(service, "Warning", "SyncLoadBalancerFailed",
                                  f"Error syncing load balancer: failed to ensure load balancer: {error}",
                                  component=self.name)
            cluster.enqueue_after(self.name, object_key(service), RETRY_SECONDS)
            return
        status = {**(service.get("status") or {}), "loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}}
        store.update_status({"apiVersion": "v1", "kind": "Service",
                             "metadata": {"name": meta["name"], "namespace": meta["namespace"]}, "status": status},
                            field_manager=FIELD_MANAGER, copy=False)
        cluster.events.record(service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", component=self.name)

    @staticmethod
    def _allocate(cluster: Cluster, service: Mapping[str, Any]) -> tuple[str | None, str]:
        used = {ip for other in cluster.store.peek_all("", "Service") for ip in _ingress_ips(other)}
        pool = _pool()
        requested = (service.get("spec") or {}).get("loadBalancerIP")
        if requested:
            if requested not in pool:
                return None, (f"requested IP {requested} is not in the load balancer pool " \
                             f"{LOAD_BALANCER_POOL[0]}-{LOAD_BALANCER_POOL[1]}")
            if requested in used:
                return None, f"requested IP {requested} is already allocated"
            return requested, ""
        free = next((ip for ip in pool if ip not in used), None)
        if free is None:
            return None, f"no available IP in the load balancer pool {LOAD_BALANCER_POOL[0]}-{LOAD_BALANCER_POOL[1]}"
        return free, ""

    def _tear_down(self, cluster: Cluster, service: Mapping[str, Any]) -> None:
        meta = service["metadata"]
        store = cluster.store
        finalizers = list(meta.get("finalizers") or [])
        if not _ingress_ips(service) and LOAD_BALANCER_CLEANUP_FINALIZER not in finalizers:
            return
        cluster.events.record(service, "Normal", "DeletingLoadBalancer", "Deleting load balancer", component=self.name)
        if _ingress_ips(service):
            status = {k: v for k, v in (service.get("status") or {}).items() if k != "loadBalancer"}
            status["loadBalancer"] = {}
            service = store.update_status({"apiVersion": "v1", "kind": "Service",
                                           "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
                                           "status": status}, field_manager=FIELD_MANAGER, copy=False)
        cluster.events.record(service, "Normal", "DeletedLoadBalancer", "Deleted load balancer", component=self.name)
        for other in cluster.store.peek_all("", "Service"):
            if _wants_load_balancer(other) and not _ingress_ips(other):
                cluster.enqueue(self.name, object_key(other))  # the freed address may be theirs
        if LOAD_BALANCER_CLEANUP_FINALIZER in finalizers:
            remaining = [f for f in finalizers if f != LOAD_BALANCER_CLEANUP_FINALIZER]
            try:
                store.patch("v1", "Service", meta["name"], {"metadata": {"finalizers": remaining or None}},
                            namespace=meta["namespace"], field_manager=FIELD_MANAGER, copy=False)
            except NotFoundError:
                pass
