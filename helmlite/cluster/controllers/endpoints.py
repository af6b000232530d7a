"""Service endpoints: the EndpointSlice controller and the legacy Endpoints controller
(``pkg/controller/endpointslice``, ``pkg/controller/endpoint``; kubernetes-simulation.md §1.10).

For a Service with a selector (not ExternalName), the pods of its namespace that match the
selector and have an IP become endpoints:

* **EndpointSlices** ``<svc>-<5 chars>`` (owned by the Service, labels
  ``kubernetes.io/service-name`` and ``endpointslice.kubernetes.io/managed-by:
  endpointslice-controller.k8s.io`` plus the Service's labels), one set per distinct
  resolved port list, at most ``MAX_ENDPOINTS_PER_SLICE`` endpoints each. Each endpoint has
  ``ready`` (Ready and not terminating, or ``publishNotReadyAddresses``), ``serving`` (Ready),
  ``terminating``, ``nodeName``, ``zone`` (the node's ``topology.kubernetes.io/zone``),
  ``targetRef`` and, for a pod whose ``subdomain`` is the Service, its ``hostname``. A Service
  without matching pods keeps one empty placeholder slice.
* **Endpoints** ``<svc>`` (labels of the Service plus ``endpoints.kubernetes.io/managed-by:
  endpoint-controller``): Ready pods in ``addresses``, the others in ``notReadyAddresses``,
  terminating pods left out (all included with ``publishNotReadyAddresses``), grouped into
  subsets by resolved ports, truncated at ``MAX_ENDPOINTS_ADDRESSES`` with the
  ``endpoints.kubernetes.io/over-capacity: truncated`` annotation. Deleted with the Service.

A named ``targetPort`` is resolved per pod from its containers' ports (``podutil.FindPort``);
a pod without that port contributes no port for it. Pods of finished
``restartPolicy: Never``/``OnFailure`` pods are left out. A headless Service (``clusterIP:
None``) gets the ``service.kubernetes.io/headless`` label and, without ports, endpoints without
ports. Services without a selector are left to whoever manages their endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.errors import AlreadyExistsError, NotFoundError
from helmlite.cluster.podutil import is_pod_ready
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "ENDPOINTS_MANAGED_BY_LABEL",
    "HEADLESS_LABEL",
    "MAX_ENDPOINTS_ADDRESSES",
    "MAX_ENDPOINTS_PER_SLICE",
    "SERVICE_NAME_LABEL",
    "SLICE_CONTROLLER_NAME",
    "SLICE_MANAGED_BY_LABEL",
    "EndpointSliceController",
    "EndpointsController",
    "find_port",
]

MAX_ENDPOINTS_PER_SLICE = 100  # --max-endpoints-per-slice
MAX_ENDPOINTS_ADDRESSES = 1000  # endpoints_controller.go maxCapacity
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
SLICE_MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER_NAME = "endpointslice-controller.k8s.io"
ENDPOINTS_MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by"
ENDPOINTS_CONTROLLER_NAME = "endpoint-controller"
HEADLESS_LABEL = "service.kubernetes.io/headless"
OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity"
TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time"
ZONE_LABEL = "topology.kubernetes.io/zone"
FIELD_MANAGER = "kube-controller-manager"
_SERVICE = ("", "Service")
_POD = ("", "Pod")
_SLICE = ("discovery.k8s.io", "EndpointSlice")
_ENDPOINTS = ("", "Endpoints")


def find_port(pod: Mapping[str, Any], service_port: Mapping[str, Any]) -> int | None:
    """``podutil.FindPort``: the container port a Service port's ``targetPort`` names, or None."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort")
    return None


def _selector(service: Mapping[str, Any]) -> LabelSelector | None:
    spec = service.get("spec") or {}
    if spec.get("type") == "ExternalName" or spec.get("selector") is None:
        return None
    return LabelSelector.from_set(spec["selector"])


def _in_endpoints(pod: Mapping[str, Any], *, include_terminating: bool) -> bool:
    """``ShouldPodBeInEndpoints``."""
    status = pod.get("status") or {}
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    if not include_terminating and (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
    phase = status.get("phase")
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def _endpoint_ports(pod: Mapping[str, Any], service: Mapping[str, Any]) -> tuple[tuple[str, int, str, str], ...]:
    """(name, port, protocol, appProtocol) per Service port this pod resolves."""
    out = []
    for port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, port)
        if number is not None:
            out.append((port.get("name", ""), number, port.get("protocol", "TCP"), port.get("appProtocol", "")))
    return tuple(out)


def _matching_pods(cluster: Cluster, service: Mapping[str, Any], selector: LabelSelector) -> list[Mapping[str, Any]]:
    namespace = service["metadata"].get("namespace", "")
    pods = [p for p in cluster.store.peek_all("", "Pod", namespace)
            if selector.matches((p.get("metadata") or {}).get("labels"))]
    return sorted(pods, key=lambda p: p["metadata"]["name"])


def _should_set_hostname(pod: Mapping[str, Any], service: Mapping[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == service["metadata"]["name"]


def _pod_relevant(pod: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """What of a pod can change its endpoints (labels, address, readiness, lifecycle)."""
    if pod is None:
        return None
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    return (tuple(sorted((meta.get("labels") or {}).items())), status.get("podIP"), status.get("phase"),
            is_pod_ready(pod), bool(meta.get("deletionTimestamp")), spec.get("nodeName"), spec.get("hostname"),
            spec.get("subdomain"))


def _service_keys_for_pod(cluster: Cluster, event: WatchEvent) -> list[str]:
    if event.type == "MODIFIED" and _pod_relevant(event.object) == _pod_relevant(event.old):
        return []
    namespace = event.object["metadata"].get("namespace", "")
    label_sets = [(o.get("metadata") or {}).get("labels") or {} for o in (event.object, event.old) if o is not None]
    keys = []
    for service in cluster.store.peek_all("", "Service", namespace):
        selector = _selector(service)
        if selector is not None and any(selector.matches(labels) for labels in label_sets):
            keys.append(object_key(service))
    return sorted(keys)  # the Services sync in this order, and the store's order differs after a restore


def _copied_labels(service: Mapping[str, Any], extra: Mapping[str, str]) -> dict[str, str]:
    labels = {k: v for k, v in ((service.get("metadata") or {}).get("labels") or {}).items()
              if k not in (SERVICE_NAME_LABEL, SLICE_MANAGED_BY_LABEL, ENDPOINTS_MANAGED_BY_LABEL)}
    labels.update(extra)
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    return labels


class EndpointSliceController:
    """Keeps each selector Service's EndpointSlices in line with its pods. Keys: ``ns/name`` of a Service."""

    name = "endpointslice-controller"
    watches = (_SERVICE, _POD, _SLICE)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Services themselves; Services selecting a changed pod; the Service of a managed slice."""
        gk = event.kind.group_kind
        if gk == _SERVICE:
            return (object_key(event.object),)
        if gk == _POD:
            return _service_keys_for_pod(cluster, event)
        labels = (event.object.get("metadata") or {}).get("labels") or {}
        if labels.get(SLICE_MANAGED_BY_LABEL) == SLICE_CONTROLLER_NAME and labels.get(SERVICE_NAME_LABEL):
            return (f"{event.object['metadata'].get('namespace', '')}/{labels[SERVICE_NAME_LABEL]}",)
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Create, update and delete the Service's slices to match its pods."""
        namespace, name = split_key(key)
        service = cluster.store.peek("", "Service", namespace, name)
        if service is None or service["metadata"].get("deletionTimestamp"):
            return  # the garbage collector removes slices of a deleted Service
        selector = _selector(service)
        if selector is None:
            return
        desired = self._desired(cluster, service, selector)
        uid = service["metadata"].get("uid")
        existing = sorted((obj for kind, obj in cluster.store.children_of(uid) if kind.group_kind == _SLICE
                           and ((obj.get("metadata") or {}).get("labels") or {}).get(SLICE_MANAGED_BY_LABEL)
                           == SLICE_CONTROLLER_NAME), key=lambda s: s["metadata"]["name"])
        labels = _copied_labels(service, {SERVICE_NAME_LABEL: name, SLICE_MANAGED_BY_LABEL: SLICE_CONTROLLER_NAME})
        now = cluster.clock.now_rfc3339()
        # Reuse slices with the same ports first, in name order, then any leftover slice.
        unused = list(existing)
        plan: list[tuple[dict[str, Any], Mapping[str, Any] | None]] = []
        for body in desired:
            match = next((s for s in unused if (s.get("ports") or []) == body["ports"]), None)
            if match is not None:
                unused.remove(match)
            plan.append((body, match))
        plan = [(body, match if match is not None else (unused.pop(0) if unused else None)) for body, match in plan]
        for body, current in plan:
            self._write(cluster, service, body, labels, current, now)
        for leftover in unused:
            try:
                cluster.store.delete("discovery.k8s.io/v1", "EndpointSlice", leftover["metadata"]["name"],
                                     namespace=namespace, copy=False)
            except NotFoundError:
                pass

    def _desired(self, cluster: Cluster, service: Mapping[str, Any], selector: LabelSelector) -> list[dict[str, Any]]:
        """Slice bodies (``endpoints``, ``ports``): grouped by ports, chunked, placeholder if none."""
        publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
        groups: dict[tuple[tuple[str, int, str, str], ...], list[dict[str, Any]]] = {}
        for pod in _matching_pods(cluster, service, selector):
            if not _in_endpoints(pod, include_terminating=True):
                continue
            groups.setdefault(_endpoint_ports(pod, service), []).append(self._endpoint(cluster, pod, service, publish))
        bodies = []
        for ports, endpoints in groups.items():
            port_list = [{"name": n, "protocol": proto, "port": number, **({"appProtocol": app} if app else {})}
                         for n, number, proto, app in ports]
            for i in range(0, len(endpoints), MAX_ENDPOINTS_PER_SLICE):
                bodies.append({"endpoints": endpoints[i:i + MAX_ENDPOINTS_PER_SLICE], "ports": port_list})
        if not bodies:
            bodies.append({"endpoints": [], "ports": []})
        return bodies

    @staticmethod
    def _endpoint(cluster: Cluster, pod: Mapping[str, Any], service: Mapping[str, Any], publish: bool) -> dict[str, Any]:
        meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
        serving = publish or is_pod_ready(pod)
        terminating = bool(meta.get("deletionTimestamp"))
        ips = [entry.get("ip") for entry in status.get("podIPs") or [] if entry.get("ip")] or [status.get("podIP")]
        endpoint: dict[str, Any] = {
            "addresses": [ip for ip in ips if ip and ":" not in ip][:1] or ips[:1],
            "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                           "terminating": terminating},
        }
        if _should_set_hostname(pod, service):
            endpoint["hostname"] = spec["hostname"]
        endpoint["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
                                 "uid": meta.get("uid", "")}
        node_name = spec.get("nodeName")
        if node_name:
            endpoint["nodeName"] = node_name
            node = cluster.store.peek("", "Node", "", node_name)
            zone = ((node or {}).get("metadata") or {}).get("labels", {}).get(ZONE_LABEL)
            if zone:
                endpoint["zone"] = zone
        return endpoint

    def _write(self, cluster: Cluster, service: Mapping[str, Any], body: Mapping[str, Any], labels: dict[str, str],
               current: Mapping[str, Any] | None, now: str) -> None:
        meta = service["metadata"]
        content: dict[str, Any] = {"addressType": "IPv4", "ports": body["ports"]}
        if body["endpoints"]:
            content["endpoints"] = body["endpoints"]
        if current is not None:
            same = (current.get("endpoints") or []) == body["endpoints"] and current.get("ports") == body["ports"] \
                and (current.get("metadata") or {}).get("labels") == labels
            if same:
                return
            slice_obj = {**current, **content, "metadata": {
                **current["metadata"], "labels": labels,
                "annotations": {**(current["metadata"].get("annotations") or {}), TRIGGER_TIME_ANNOTATION: now}}}
            if not body["endpoints"]:
                slice_obj.pop("endpoints", None)
            slice_obj["metadata"].pop("resourceVersion", None)
            cluster.store.replace(slice_obj, field_manager=FIELD_MANAGER, copy=False)
            return
        cluster.store.create({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"generateName": f"{meta['name']}-", "namespace": meta.get("namespace", ""),
                         "labels": labels, "annotations": {TRIGGER_TIME_ANNOTATION: now},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": meta["name"],
                                              "uid": meta.get("uid"), "controller": True,
                                              "blockOwnerDeletion": True}]},
            **content,
        }, field_manager=FIELD_MANAGER, copy=False)


class EndpointsController:
    """Keeps each selector Service's ``Endpoints`` object in line with its pods. Keys: ``ns/name``."""

    name = "endpoint-controller"
    watches = (_SERVICE, _POD, _ENDPOINTS)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Services themselves (including deleted ones); Services selecting a changed pod;
        an Endpoints object changed or deleted under a selector Service."""
        gk = event.kind.group_kind
        if gk == _SERVICE:
            return (object_key(event.object),)
        if gk == _POD:
            return _service_keys_for_pod(cluster, event)
        meta = event.object.get("metadata") or {}
        service = cluster.store.peek("", "Service", meta.get("namespace", ""), meta.get("name", ""))
        return (object_key(event.object),) if service is not None and _selector(service) is not None else ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Write the Service's Endpoints (or delete them with the Service)."""
        namespace, name = split_key(key)
        store = cluster.store
        service = store.peek("", "Service", namespace, name)
        current = store.peek("", "Endpoints", namespace, name)
        if service is None:
            if current is not None:
                try:
                    store.delete("v1", "Endpoints", name, namespace=namespace, copy=False)
                except NotFoundError:
                    pass
            return
        selector = _selector(service)
        if selector is None:
            # Endpoints this controller wrote for a Service that lost its selector go away.
            labels = ((current or {}).get("metadata") or {}).get("labels") or {}
            if current is not None and labels.get(ENDPOINTS_MANAGED_BY_LABEL) == ENDPOINTS_CONTROLLER_NAME:
                store.delete("v1", "Endpoints", name, namespace=namespace, copy=False)
            return
        subsets, truncated = self._subsets(cluster, service, selector)
        labels = _copied_labels(service, {ENDPOINTS_MANAGED_BY_LABEL: ENDPOINTS_CONTROLLER_NAME})
        annotations = dict(((current or {}).get("metadata") or {}).get("annotations") or {})
        annotations.pop(OVER_CAPACITY_ANNOTATION, None)
        if truncated:
            annotations[OVER_CAPACITY_ANNOTATION] = "truncated"
        if current is not None:
            current_annotations = (current.get("metadata") or {}).get("annotations") or {}
            if ((current.get("subsets") or []) == subsets and (current.get("metadata") or {}).get("labels") == labels
                    and (OVER_CAPACITY_ANNOTATION in current_annotations) == truncated):
                return
        annotations[TRIGGER_TIME_ANNOTATION] = cluster.clock.now_rfc3339()
        body: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints",
                                "metadata": {"name": name, "namespace": namespace, "labels": labels,
                                             "annotations": annotations}}
        if subsets:
            body["subsets"] = subsets
        if current is None:
            try:
                store.create(body, field_manager=FIELD_MANAGER, copy=False)
            except AlreadyExistsError:
                cluster.enqueue(self.name, key)
            return
        body["metadata"] = {**current["metadata"], "labels": labels, "annotations": annotations}
        body["metadata"].pop("resourceVersion", None)
        store.replace(body, field_manager=FIELD_MANAGER, copy=False)

    @staticmethod
    def _subsets(cluster: Cluster, service: Mapping[str, Any],
                 selector: LabelSelector) -> tuple[list[dict[str, Any]], bool]:
        """Subsets grouped by resolved ports (``RepackSubsets``), and whether they were truncated."""
        publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
        service_ports = (service.get("spec") or {}).get("ports") or []
        headless = (service.get("spec") or {}).get("clusterIP") == "None"
        groups: dict[tuple[tuple[str, int, str, str], ...], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for pod in _matching_pods(cluster, service, selector):
            if not _in_endpoints(pod, include_terminating=publish):
                continue
            ports = _endpoint_ports(pod, service)
            if not ports and (service_ports or not headless):
                continue
            meta, spec = pod["metadata"], pod.get("spec") or {}
            address: dict[str, Any] = {"ip": (pod.get("status") or {}).get("podIP")}
            if _should_set_hostname(pod, service) and headless:
                address["hostname"] = spec["hostname"]
            if spec.get("nodeName"):
                address["nodeName"] = spec["nodeName"]
            address["targetRef"] = {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
                                    "uid": meta.get("uid", "")}
            ready, not_ready = groups.setdefault(ports, ([], []))
            (ready if publish or is_pod_ready(pod) else not_ready).append(address)
        total = sum(len(r) + len(n) for r, n in groups.values())
        budget = MAX_ENDPOINTS_ADDRESSES
        subsets = []
        for ports, (ready, not_ready) in groups.items():
            ready = sorted(ready, key=_address_order)[:budget]
            budget -= len(ready)
            not_ready = sorted(not_ready, key=_address_order)[:max(budget, 0)]
            budget -= len(not_ready)
            subset: dict[str, Any] = {}
            if ready:
                subset["addresses"] = ready
            if not_ready:
                subset["notReadyAddresses"] = not_ready
            if not subset:
                continue
            if ports:
                subset["ports"] = [{**({"name": n} if n else {}), "port": number, "protocol": proto,
                                    **({"appProtocol": app} if app else {})} for n, number, proto, app in ports]
            subsets.append(subset)
        return subsets, total > MAX_ENDPOINTS_ADDRESSES


def _address_order(address: Mapping[str, Any]) -> tuple[Any, ...]:
    """``addrsByIPAndUID``: by IP (numerically for IPv4), then pod UID."""
    ip = address.get("ip") or ""
    parts = ip.split(".")
    key: tuple[Any, ...] = tuple(int(p) for p in parts) if len(parts) == 4 and all(p.isdigit() for p in parts) else (ip,)
    return (key, (address.get("targetRef") or {}).get("uid", ""))
