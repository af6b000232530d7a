"""Registry strategies: what the API server does to an object of a given kind on create and
update, beyond defaulting (``PrepareForCreate`` / ``PrepareForUpdate`` in
``pkg/registry/<group>/<kind>/strategy.go``) and the Service address allocation.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from typing import Any

from helmlite.cluster.allocation import AllocationError, ServiceAllocator
from helmlite.cluster.errors import FieldError, InvalidError
from helmlite.cluster.kinds import Kind
from helmlite.cluster.quantity import parse_quantity
from helmlite.cluster.validation import go_repr

__all__ = ["prepare_for_create", "prepare_for_update", "allocate_service", "qos_class", "JOB_UID_LABEL"]

JOB_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"


def qos_class(spec: dict[str, Any]) -> str:
    """The pod QoS class: Guaranteed, Burstable or BestEffort (``qos.GetPodQOS``)."""
    containers = [c for f in ("initContainers", "containers") for c in spec.get(f) or [] if isinstance(c, dict)]
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    guaranteed = True
    for c in containers:
        resources = c.get("resources") or {}
        req = {k: v for k, v in (resources.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: v for k, v in (resources.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests.update(req)
        limits.update(lim)
        if set(lim) != {"cpu", "memory"}:
            guaranteed = False
        else:
            for name, value in req.items():
                if parse_quantity(value) != parse_quantity(lim[name]):
                    guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _merge_string_data(secret: dict[str, Any]) -> None:
    # stringData is write-only: the API server folds it into data (base64) and drops it.
    string_data = secret.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = secret.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


def _generate_job_selector(job: dict[str, Any]) -> None:
    spec = job.setdefault("spec", {})
    if spec.get("manualSelector"):
        return
    meta = job.get("metadata", {})
    uid, name = meta.get("uid", ""), meta.get("name", "")
    template_meta = spec.setdefault("template", {}).setdefault("metadata", {})
    labels = template_meta.setdefault("labels", {})
    labels.setdefault(JOB_UID_LABEL, uid)
    labels.setdefault(JOB_NAME_LABEL, name)
    labels.setdefault("controller-uid", uid)
    labels.setdefault("job-name", name)
    if spec.get("selector") is None:
        spec["selector"] = {"matchLabels": {JOB_UID_LABEL: uid}}
    # SetDefaults_Job runs again when the object is read back: empty Job labels take the
    # (now generated) template labels.
    if not meta.get("labels"):
        meta["labels"] = dict(labels)


def _crd_status(crd: dict[str, Any], now: str) -> None:
    spec = crd.get("spec", {})
    storage = [v.get("name") for v in spec.get("versions") or [] if v.get("storage")]
    crd["status"] = {
        "acceptedNames": dict(spec.get("names") or {}),
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now,
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now,
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
        ],
        "storedVersions": storage,
    }


def prepare_for_create(kind: Kind, obj: dict[str, Any], *, now: str) -> None:
    """Reset client-set status and fill in what the registry sets on create."""
    gk = kind.group_kind
    # Status is written through the status subresource; nodes register with theirs.
    if kind.status_subresource and gk != ("", "Node"):
        obj.pop("status", None)
    if gk == ("", "Pod"):
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec") or {})}
    elif gk == ("", "Namespace"):
        obj.setdefault("spec", {})["finalizers"] = ["kubernetes"]
        obj["status"] = {"phase": "Active"}
    elif gk in (("", "PersistentVolumeClaim"), ("", "PersistentVolume")):
        obj["status"] = {"phase": "Pending"}
    elif gk == ("", "Secret"):
        _merge_string_data(obj)
    elif gk == ("batch", "Job"):
        _generate_job_selector(obj)
    elif gk == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        _crd_status(obj, now)


def prepare_for_update(kind: Kind, new: dict[str, Any], old: dict[str, Any]) -> None:
    """Carry over what the registry keeps from the old object on a spec update."""
    gk = kind.group_kind
    if gk == ("", "Secret"):
        _merge_string_data(new)
    elif gk == ("", "Namespace"):
        # spec.finalizers only change through the finalize subresource.
        if "finalizers" in (old.get("spec") or {}):
            new.setdefault("spec", {})["finalizers"] = list(old["spec"]["finalizers"])
        else:
            (new.get("spec") or {}).pop("finalizers", None)
    elif gk == ("", "Service"):
        _patch_allocated_values(new, old)


def _needs_node_ports(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "NodePort" or (
        spec.get("type") == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True))


def _patch_allocated_values(new: dict[str, Any], old: dict[str, Any]) -> None:
    # Clients commonly omit allocated values on update (a re-applied manifest has no
    # clusterIP); the API server copies them from the old object (service REST
    # patchAllocatedValues) and drops those the new type no longer uses.
    new_spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    if new_spec.get("type") != "ExternalName" and old_spec.get("type") != "ExternalName":
        if not new_spec.get("clusterIP") and old_spec.get("clusterIP"):
            new_spec["clusterIP"] = old_spec["clusterIP"]
        if not new_spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            new_spec["clusterIPs"] = list(old_spec["clusterIPs"])
        for field_name in ("ipFamilies", "ipFamilyPolicy"):
            if field_name not in new_spec and field_name in old_spec:
                new_spec[field_name] = old_spec[field_name]
    elif new_spec.get("type") == "ExternalName":
        for field_name in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if new_spec.get(field_name) == old_spec.get(field_name):
                new_spec.pop(field_name, None)
    old_ports = {(p.get("port"), p.get("protocol", "TCP")): p for p in old_spec.get("ports") or []}
    if _needs_node_ports(new_spec):
        for port in new_spec.get("ports") or []:
            previous = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if not port.get("nodePort") and previous and previous.get("nodePort"):
                port["nodePort"] = previous["nodePort"]
        if not new_spec.get("healthCheckNodePort") and old_spec.get("healthCheckNodePort"):
            new_spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]
    else:
        for port in new_spec.get("ports") or []:
            previous = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if previous and port.get("nodePort") == previous.get("nodePort"):
                port.pop("nodePort", None)
        if new_spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
            new_spec.pop("healthCheckNodePort", None)


def allocate_service(allocator: ServiceAllocator, kind: Kind, service: dict[str, Any],
                     old: dict[str, Any] | None) -> Callable[[], None]:
    """Allocate the cluster IP and node ports ``service`` needs and release what ``old`` held
    but ``service`` no longer uses.

    Returns a function that undoes the allocation (called if the write fails later).

    Raises:
        InvalidError: a requested address is outside its range or already taken.
    """
    spec = service.setdefault("spec", {})
    old_spec = (old or {}).get("spec") or {}
    undo: list[Callable[[], None]] = []
    name = service.get("metadata", {}).get("name", "")

    def fail(error: FieldError) -> InvalidError:
        for step in reversed(undo):
            step()
        return InvalidError(kind.kind, kind.group, name, [error])

    if spec.get("type") != "ExternalName":
        ip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        held = old_spec.get("clusterIP") if old_spec.get("type") != "ExternalName" else None
        if ip == "None":
            spec["clusterIP"] = "None"
            spec["clusterIPs"] = ["None"]
        elif not ip or ip != held:
            try:
                allocated = allocator.allocate_ip(ip)
            except AllocationError as exc:
                raise fail(FieldError("Invalid", "spec.clusterIPs", "[]string{" + go_repr(ip) + "}", str(exc))) from None
            undo.append(lambda: allocator.release_ip(allocated))
            spec["clusterIP"] = allocated
            spec["clusterIPs"] = [allocated]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")

    held_ports = {p.get("nodePort") for p in old_spec.get("ports") or [] if p.get("nodePort")}
    if _needs_node_ports(spec):
        for i, port in enumerate(spec.get("ports") or []):
            requested = port.get("nodePort")
            if requested and requested in held_ports:
                continue
            try:
                allocated_port = allocator.allocate_node_port(requested)
            except AllocationError as exc:
                raise fail(FieldError("Invalid", f"spec.ports[{i}].nodePort", go_repr(requested), str(exc))) from None
            undo.append(functools.partial(allocator.release_node_port, allocated_port))
            port["nodePort"] = allocated_port
        local = spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"
        if local and not spec.get("healthCheckNodePort"):
            try:
                health = allocator.allocate_node_port()
            except AllocationError as exc:
                raise fail(FieldError("Invalid", "spec.healthCheckNodePort", "0", str(exc))) from None
            undo.append(lambda: allocator.release_node_port(health))
            spec["healthCheckNodePort"] = health

    # What the old object held and the new one no longer does goes back to the pool.
    if old is not None:
        kept_ips = set(spec.get("clusterIPs") or [])
        for ip in old_spec.get("clusterIPs") or []:
            if ip not in kept_ips:
                allocator.release_ip(ip)
        kept_ports = {p.get("nodePort") for p in spec.get("ports") or []} | {spec.get("healthCheckNodePort")}
        for port_number in held_ports | {old_spec.get("healthCheckNodePort")}:
            if port_number and port_number not in kept_ports:
                allocator.release_node_port(port_number)

    def rollback() -> None:
        for step in reversed(undo):
            step()
    return rollback
