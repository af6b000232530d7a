"""The simulated cluster's DNS, as CoreDNS's ``kubernetes`` plugin answers A queries
(the DNS specification for Kubernetes services, and kubernetes-simulation.md §1.10):

* ``<svc>.<ns>.svc.cluster.local`` — a ClusterIP Service: its cluster IP(s). A headless
  Service (``clusterIP: None``): the addresses of its ready endpoints (and not-ready ones when
  ``publishNotReadyAddresses``). An ExternalName Service: the external name (a CNAME).
* ``<hostname>.<svc>.<ns>.svc.cluster.local`` — one endpoint of a headless Service: a pod
  whose ``spec.hostname`` and ``spec.subdomain`` are set (StatefulSet pods:
  ``web-0.nginx.default.svc.cluster.local``), or an endpoint named by its dashed IP.
* ``<a-b-c-d>.<ns>.pod.cluster.local`` — the IP the name spells (CoreDNS ``pods insecure``).

Endpoints are read as CoreDNS reads them, from the Service's EndpointSlices (else its
Endpoints object); when neither exists yet (no endpoints controller has run) they are derived
from the pods the selector matches. Relative names are expanded with a pod's search path
(``<ns>.svc.cluster.local svc.cluster.local cluster.local``, ``ndots:5``) when a namespace is
given. An unknown name resolves to ``[]`` (NXDOMAIN).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.podutil import is_pod_ready
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["CLUSTER_DOMAIN", "NDOTS", "Endpoint", "resolve", "search_path", "service_endpoints"]

CLUSTER_DOMAIN = "cluster.local"
NDOTS = 5  # the kubelet writes "options ndots:5" into every pod's resolv.conf

Endpoint = tuple[str, str, bool]  # (ip, hostname or "", ready)


def search_path(namespace: str) -> list[str]:
    """The search domains of a pod in ``namespace`` (dnsPolicy ClusterFirst)."""
    return [f"{namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN]


def resolve(cluster: Cluster, name: str, *, namespace: str | None = None) -> list[str]:
    """The A records (sorted; an ExternalName Service gives its target name) for ``name``.

    With ``namespace``, ``name`` is resolved as a pod of that namespace would resolve it: a
    name with fewer than ``NDOTS`` dots is tried with each search domain first. Without it,
    ``name`` is taken as fully qualified.
    """
    name = name.strip().lower()
    if name.endswith("."):
        return _lookup(cluster, name[:-1])
    candidates = []
    if namespace is not None and name.count(".") < NDOTS:
        candidates = [f"{name}.{domain}" for domain in search_path(namespace)]
    candidates.append(name)
    for candidate in candidates:
        answer = _lookup(cluster, candidate)
        if answer:
            return answer
    return []


def _lookup(cluster: Cluster, fqdn: str) -> list[str]:
    suffix = "." + CLUSTER_DOMAIN
    if not fqdn.endswith(suffix):
        return []
    labels = fqdn[:-len(suffix)].split(".")
    if len(labels) == 3 and labels[2] == "pod":
        return _pod_record(labels[0])
    if len(labels) == 3 and labels[2] == "svc":
        return _service_records(cluster, labels[1], labels[0])
    if len(labels) == 4 and labels[3] == "svc":
        return _endpoint_records(cluster, labels[2], labels[1], labels[0])
    return []


def _pod_record(dashed: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(dashed.replace("-", ".")))]
    except ValueError:
        try:
            return [str(ipaddress.ip_address(dashed.replace("-", ":")))]
        except ValueError:
            return []


def _service_records(cluster: Cluster, namespace: str, name: str) -> list[str]:
    service = cluster.store.peek("", "Service", namespace, name)
    if service is None:
        return []
    spec = service.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return [spec["externalName"]] if spec.get("externalName") else []
    if spec.get("clusterIP") and spec["clusterIP"] != "None":
        return sorted(spec.get("clusterIPs") or [spec["clusterIP"]], key=_ip_key)
    publish = bool(spec.get("publishNotReadyAddresses"))
    return sorted({ip for ip, _host, ready in service_endpoints(cluster, service) if ready or publish}, key=_ip_key)


def _endpoint_records(cluster: Cluster, namespace: str, service_name: str, host: str) -> list[str]:
    service = cluster.store.peek("", "Service", namespace, service_name)
    if service is None or (service.get("spec") or {}).get("clusterIP") not in ("None", None, ""):
        return []
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    found = set()
    for ip, hostname, ready in service_endpoints(cluster, service):
        if not (ready or publish):
            continue
        if (hostname or _dashed(ip)) == host:
            found.add(ip)
    return sorted(found, key=_ip_key)


def service_endpoints(cluster: Cluster, service: Mapping[str, Any]) -> list[Endpoint]:
    """The Service's endpoints as ``(ip, hostname, ready)``: from its EndpointSlices, else its
    Endpoints object, else (nothing published yet) the pods its selector matches."""
    meta = service["metadata"]
    namespace, name = meta.get("namespace", ""), meta["name"]
    slices = [s for s in cluster.store.peek_all("discovery.k8s.io", "EndpointSlice", namespace)
              if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name]
    if slices:
        out: list[Endpoint] = []
        for endpoint_slice in slices:
            for endpoint in endpoint_slice.get("endpoints") or []:
                ready = (endpoint.get("conditions") or {}).get("ready")
                for address in endpoint.get("addresses") or []:
                    out.append((address, endpoint.get("hostname") or "", ready is not False))
        return out
    endpoints = cluster.store.peek("", "Endpoints", namespace, name)
    if endpoints is not None:
        out = []
        for subset in endpoints.get("subsets") or []:
            for field, ready in (("addresses", True), ("notReadyAddresses", False)):
                for address in subset.get(field) or []:
                    if address.get("ip"):
                        out.append((address["ip"], address.get("hostname") or "", ready))
        return out
    return list(_pod_endpoints(cluster, service))


def _pod_endpoints(cluster: Cluster, service: Mapping[str, Any]) -> Iterable[Endpoint]:
    spec = service.get("spec") or {}
    if not spec.get("selector"):
        return
    selector = LabelSelector.from_set(spec["selector"])
    name = service["metadata"]["name"]
    for pod in cluster.store.peek_all("", "Pod", service["metadata"].get("namespace", "")):
        pod_meta, pod_spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
        if pod_meta.get("deletionTimestamp") or not status.get("podIP") or not selector.matches(pod_meta.get("labels")):
            continue
        if status.get("phase") in ("Succeeded", "Failed"):
            continue
        hostname = pod_spec.get("hostname") if pod_spec.get("subdomain") == name else ""
        yield status["podIP"], hostname or "", is_pod_ready(pod)


def _dashed(ip: str) -> str:
    return ip.replace(".", "-").replace(":", "-")


def _ip_key(ip: str) -> tuple[int, int | str]:
    try:
        return 0, int(ipaddress.ip_address(ip))
    except ValueError:
        return 1, ip
