"""The API server's printers for built-in kinds (``pkg/printers/internalversion/printers.go``).

One ``Printer`` per kind: its columns and a function from an object (a stored dict) and the
virtual ``now`` to the row's cells. Cells always include the ``-o wide`` ones, as the API
server fills them and kubectl drops the columns it does not show. Integers stay integers
(kubectl prints them with ``fmt``), booleans stay booleans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.errors import BadRequestError
from helmlite.cluster.printers.columns import AGE, NAME, Column, col, wide
from helmlite.cluster.printers.duration import human_duration, since
from helmlite.cluster.selectors import LabelSelector

__all__ = [
    "BUILTIN_PRINTERS",
    "Printer",
    "access_modes",
    "format_label_selector",
    "format_labels",
    "hpa_targets",
    "node_roles",
    "node_status",
    "pod_ready",
    "pod_restarts",
    "pod_status_reason",
    "service_external_ip",
    "service_ports",
]

Obj = Mapping[str, Any]
Cells = list[Any]


@dataclass(frozen=True)
class Printer:
    """Columns and the cells of one object's row."""

    columns: tuple[Column, ...]
    cells: Callable[[Obj, float], Cells]
    # Extra row fields (pod rows carry a Completed condition for finished pods).
    row_conditions: Callable[[Obj], list[dict[str, str]] | None] = lambda obj: None


# --- shared formatting ---------------------------------------------------------------------------


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _spec(obj: Obj) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Mapping[str, Any]:
    return obj.get("status") or {}


def _age(obj: Obj, now: float) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def format_labels(labels: Mapping[str, str] | None) -> str:
    """``labels.FormatLabels``: ``a=1,b=2`` in key order, ``<none>`` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


def _selector_string(selector: Mapping[str, Any] | None) -> str:
    try:
        return str(LabelSelector.from_label_selector(selector))
    except BadRequestError:
        return "<invalid>"


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """``metav1.FormatLabelSelector``: ``app=web,tier in (a,b)``, ``<none>`` when it selects
    everything or nothing, ``<error>`` when it does not parse (printDeployment's own
    formatting says ``<invalid>`` instead)."""
    try:
        return str(LabelSelector.from_label_selector(selector)) or "<none>"
    except BadRequestError:
        return "<error>"


def _containers(pod_spec: Mapping[str, Any]) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-separated."""
    containers = pod_spec.get("containers") or []
    return (",".join(str(c.get("name", "")) for c in containers),
            ",".join(str(c.get("image", "")) for c in containers))


def _template_spec(obj: Obj) -> Mapping[str, Any]:
    return (_spec(obj).get("template") or {}).get("spec") or {}


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _condition_true(obj: Obj, condition_type: str) -> bool:
    """``hasJobCondition``: the first condition of the type decides."""
    for condition in _status(obj).get("conditions") or []:
        if condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


def _int_or_string(value: Any) -> str:
    return str(value)


# --- core/v1 -------------------------------------------------------------------------------------


def _is_restartable_init(container: Mapping[str, Any] | None) -> bool:
    return (container or {}).get("restartPolicy") == "Always"


def _finished_at(state: Mapping[str, Any] | None) -> float | None:
    terminated = (state or {}).get("terminated") or {}
    stamp = terminated.get("finishedAt")
    return parse_time(stamp) if stamp else None


def _pod_summary(pod: Obj) -> tuple[str, int, int, int, float | None]:
    """``printPod``'s status walk: (reason, ready, total, restarts, last restart time)."""
    spec, status = _spec(pod), _status(pod)
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in init_specs.values() if _is_restartable_init(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, cs in enumerate(init_statuses):
        state = cs.get("state") or {}
        restarts += _int(cs.get("restartCount"))
        finished = _finished_at(cs.get("lastState"))
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished
        sidecar = _is_restartable_init(init_specs.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += _int(cs.get("restartCount"))
            if finished is not None and (last_sidecar_restart is None or finished > last_sidecar_restart):
                last_sidecar_restart = finished
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and _int(terminated.get("exitCode")) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                reason = (f"Init:Signal:{terminated['signal']}" if terminated.get("signal")
                          else f"Init:ExitCode:{_int(terminated.get('exitCode'))}")
            else:
                reason = "Init:" + terminated["reason"]
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break

    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True"
                      for c in status.get("conditions") or [])
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            state = cs.get("state") or {}
            restarts += _int(cs.get("restartCount"))
            finished = _finished_at(cs.get("lastState"))
            if finished is not None and (last_restart is None or finished > last_restart):
                last_restart = finished
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                          else f"ExitCode:{_int(terminated.get('exitCode'))}")
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_condition = any(c.get("type") == "Ready" and c.get("status") == "True"
                                  for c in status.get("conditions") or [])
            reason = "Running" if ready_condition else "NotReady"

    if _meta(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, total, restarts, last_restart


def pod_status_reason(pod: Obj) -> str:
    """The STATUS column: ``Running``, ``ContainerCreating``, ``CrashLoopBackOff``,
    ``Init:0/1``, ``Completed``, ``Terminating``, … (kubectl's reason logic)."""
    return _pod_summary(pod)[0]


def pod_ready(pod: Obj) -> str:
    """The READY column: ready containers / containers (sidecars count)."""
    _reason, ready, total, _restarts, _last = _pod_summary(pod)
    return f"{ready}/{total}"


def pod_restarts(pod: Obj, now: float) -> str:
    """The RESTARTS column: ``0``, or ``3 (2m ago)`` once a container has restarted."""
    _reason, _ready, _total, restarts, last = _pod_summary(pod)
    if restarts and last is not None:
        return f"{restarts} ({human_duration(now - last)} ago)"
    return str(restarts)


def _pod_cells(pod: Obj, now: float) -> Cells:
    reason, ready, total, restarts, last = _pod_summary(pod)
    restarts_text = f"{restarts} ({human_duration(now - last)} ago)" if restarts and last is not None else str(restarts)
    spec, status = _spec(pod), _status(pod)
    # The v1 → internal conversion fills podIPs from a lone podIP, which upstream prints.
    pod_ips = status.get("podIPs") or ([{"ip": status["podIP"]}] if status.get("podIP") else [])
    pod_ip = (pod_ips[0].get("ip") if pod_ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        gates_text = f"{sum(1 for g in gates if conditions.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    return [_meta(pod).get("name", ""), f"{ready}/{total}", reason, restarts_text, _age(pod, now),
            pod_ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gates_text]


def _pod_conditions(pod: Obj) -> list[dict[str, str]] | None:
    phase = _status(pod).get("phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return None


def service_external_ip(svc: Obj, wide_output: bool = True) -> str:
    """``getServiceExternalIP``: ``<none>``, ``<pending>``, load-balancer addresses, or the
    ExternalName target."""
    spec = _spec(svc)
    svc_type = spec.get("type") or "ClusterIP"
    external = spec.get("externalIPs") or []
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if svc_type == "LoadBalancer":
        ingress = ((_status(svc).get("loadBalancer") or {}).get("ingress")) or []
        addresses = sorted({i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")})
        lb = ",".join(addresses)
        if not wide_output and len(lb) > 16:
            lb = lb[:13] + "..."
        if external:
            return ",".join([*(lb.split(",") if lb else []), *external])
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def service_ports(svc: Obj) -> str:
    """``makePortString``: ``80/TCP``, ``80:31234/TCP``, comma-separated; ``<none>``."""
    pieces = []
    for port in _spec(svc).get("ports") or []:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces) or "<none>"


def _service_cells(svc: Obj, now: float) -> Cells:
    spec = _spec(svc)
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [_meta(svc).get("name", ""), spec.get("type") or "ClusterIP", cluster_ips[0] if cluster_ips else "<none>",
            service_external_ip(svc), service_ports(svc), _age(svc, now), format_labels(spec.get("selector"))]


def _endpoints_text(endpoints: Obj) -> str:
    """``formatEndpoints``: the first three ``ip:port`` pairs, then ``+ N more...``."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count, more, limit = 0, False, 3
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(str(address.get("ip", "")))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                ip = str(address.get("ip", ""))
                host = f"[{ip}]" if ":" in ip else ip
                shown.append(f"{host}:{port.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def _with_more(items: list[str], total: int, limit: int = 3) -> str:
    """``listWithMoreString``: up to three items, ``+ N more...``, ``<unset>`` when empty."""
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or "<unset>"


def _endpoint_slice_cells(eps: Obj, now: float) -> Cells:
    ports = []
    for port in eps.get("ports") or []:
        if port.get("port") is not None:
            ports.append(str(port["port"]))
        elif port.get("name") is not None:
            ports.append(str(port["name"]))
        else:
            ports.append("*")
    addresses = [str(a) for endpoint in eps.get("endpoints") or [] for a in endpoint.get("addresses") or []]
    return [_meta(eps).get("name", ""), eps.get("addressType", ""), _with_more(ports, len(ports)),
            _with_more(addresses, len(addresses)), _age(eps, now)]


def node_status(node: Obj) -> str:
    """``Ready``, ``NotReady``, ``Unknown``, with ``,SchedulingDisabled`` when cordoned."""
    ready = next((c for c in _status(node).get("conditions") or [] if c.get("type") == "Ready"), None)
    status = ["Unknown"] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    if _spec(node).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def node_roles(node: Obj) -> str:
    """``findNodeRoles``: ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role`` labels."""
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key[len("node-role.kubernetes.io/"):]:
            roles.add(key[len("node-role.kubernetes.io/"):])
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(node: Obj, address_type: str) -> str:
    for address in _status(node).get("addresses") or []:
        if address.get("type") == address_type:
            return str(address.get("address", ""))
    return "<none>"


def _node_cells(node: Obj, now: float) -> Cells:
    info = _status(node).get("nodeInfo") or {}
    return [_meta(node).get("name", ""), node_status(node), node_roles(node), _age(node, now),
            info.get("kubeletVersion", ""), _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def _event_cells(event: Obj, now: float) -> Cells:
    first = since(event.get("firstTimestamp") or event.get("eventTime"), now)
    last = since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = _int(event.get("count"))
    series = event.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = _int(series.get("count"))
    elif count == 0:
        count = 1
    ref = event.get("involvedObject") or {}
    kind = str(ref.get("kind", "")).lower()
    target = f"{kind}/{ref['name']}" if ref.get("name") else kind
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return [last, event.get("type", ""), event.get("reason", ""), target, ref.get("fieldPath", ""),
            f"{component}, {host}" if host else component, str(event.get("message", "")).strip(), first, count,
            _meta(event).get("name", "")]


def access_modes(modes: Sequence[str] | None) -> str:
    """``GetAccessModesAsString``: ``RWO,ROX,RWX,RWOP`` in that order."""
    short = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
             ("ReadWriteOncePod", "RWOP"))
    present = set(modes or ())
    return ",".join(abbreviation for mode, abbreviation in short if mode in present)


def _storage_class_of(obj: Obj) -> str:
    annotation = (_meta(obj).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
    return annotation if annotation else str(_spec(obj).get("storageClassName") or "")


def _pv_cells(pv: Obj, now: float) -> Cells:
    spec = _spec(pv)
    claim = spec.get("claimRef")
    phase = "Terminating" if _meta(pv).get("deletionTimestamp") else _status(pv).get("phase", "")
    return [_meta(pv).get("name", ""), str((spec.get("capacity") or {}).get("storage", "0")),
            access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""), phase,
            f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else "", _storage_class_of(pv),
            spec.get("volumeAttributesClassName") or "<unset>", _status(pv).get("reason", ""), _age(pv, now),
            spec.get("volumeMode") or "<unset>"]


def _pvc_cells(pvc: Obj, now: float) -> Cells:
    spec, status = _spec(pvc), _status(pvc)
    phase = "Terminating" if _meta(pvc).get("deletionTimestamp") else status.get("phase", "")
    capacity, modes = "", ""
    if spec.get("volumeName"):
        capacity = str((status.get("capacity") or {}).get("storage", "0"))
        modes = access_modes(status.get("accessModes"))
    return [_meta(pvc).get("name", ""), phase, spec.get("volumeName", ""), capacity, modes, _storage_class_of(pvc),
            spec.get("volumeAttributesClassName") or "<unset>", _age(pvc, now), spec.get("volumeMode") or "<unset>"]


# --- apps/v1, batch/v1 ---------------------------------------------------------------------------


def _deployment_cells(d: Obj, now: float) -> Cells:
    spec, status = _spec(d), _status(d)
    names, images = _containers(_template_spec(d))
    return [_meta(d).get("name", ""), f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
            _int(status.get("updatedReplicas")), _int(status.get("availableReplicas")), _age(d, now),
            names, images, _selector_string(spec.get("selector"))]


def _replica_set_cells(rs: Obj, now: float) -> Cells:
    spec, status = _spec(rs), _status(rs)
    names, images = _containers(_template_spec(rs))
    return [_meta(rs).get("name", ""), _int(spec.get("replicas")), _int(status.get("replicas")),
            _int(status.get("readyReplicas")), _age(rs, now), names, images,
            format_label_selector(spec.get("selector"))]


def _stateful_set_cells(sts: Obj, now: float) -> Cells:
    names, images = _containers(_template_spec(sts))
    return [_meta(sts).get("name", ""),
            f"{_int(_status(sts).get('readyReplicas'))}/{_int(_spec(sts).get('replicas'))}", _age(sts, now),
            names, images]


def _daemon_set_cells(ds: Obj, now: float) -> Cells:
    status = _status(ds)
    names, images = _containers(_template_spec(ds))
    return [_meta(ds).get("name", ""), _int(status.get("desiredNumberScheduled")),
            _int(status.get("currentNumberScheduled")), _int(status.get("numberReady")),
            _int(status.get("updatedNumberScheduled")), _int(status.get("numberAvailable")),
            format_labels(_template_spec(ds).get("nodeSelector")), _age(ds, now), names, images,
            format_label_selector(_spec(ds).get("selector"))]


def job_status(job: Obj) -> str:
    """The Job STATUS column (Kubernetes 1.31+)."""
    if _condition_true(job, "Complete"):
        return "Complete"
    if _condition_true(job, "Failed"):
        return "Failed"
    if _meta(job).get("deletionTimestamp"):
        return "Terminating"
    if _condition_true(job, "Suspended"):
        return "Suspended"
    if _condition_true(job, "FailureTarget"):
        return "FailureTarget"
    if _condition_true(job, "SuccessCriteriaMet"):
        return "SuccessCriteriaMet"
    return "Running"


def _job_cells(job: Obj, now: float) -> Cells:
    spec, status = _spec(job), _status(job)
    succeeded = _int(status.get("succeeded"))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{_int(spec['completions'])}"
    elif _int(spec.get("parallelism")) > 1:
        completions = f"{succeeded}/1 of {_int(spec['parallelism'])}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if status.get("startTime"):
        start = parse_time(status["startTime"])
        end = parse_time(status["completionTime"]) if status.get("completionTime") else now
        duration = human_duration(end - start)
    names, images = _containers(_template_spec(job))
    return [_meta(job).get("name", ""), job_status(job), completions, duration, _age(job, now), names, images,
            format_label_selector(spec.get("selector"))]


def _bool_ptr(value: Any) -> str:
    """``printBoolPtr``: ``True``/``False``, ``<unset>`` when absent."""
    return "<unset>" if value is None else ("True" if value else "False")


def _cron_job_cells(cj: Obj, now: float) -> Cells:
    spec, status = _spec(cj), _status(cj)
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = _containers((job_spec.get("template") or {}).get("spec") or {})
    last = since(status["lastScheduleTime"], now) if status.get("lastScheduleTime") else "<none>"
    return [_meta(cj).get("name", ""), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            _bool_ptr(spec.get("suspend")), len(status.get("active") or []), last, _age(cj, now), names, images,
            format_label_selector(job_spec.get("selector"))]


def _controller_revision_cells(cr: Obj, now: float) -> Cells:
    owner = next((r for r in _meta(cr).get("ownerReferences") or [] if r.get("controller")), None)
    controller = "<none>"
    if owner is not None:
        group = str(owner.get("apiVersion", "")).rpartition("/")[0]
        kind = str(owner.get("kind", "")).lower()
        controller = f"{kind}.{group}/{owner.get('name', '')}" if group else f"{kind}/{owner.get('name', '')}"
    return [_meta(cr).get("name", ""), controller, _int(cr.get("revision")), _age(cr, now)]


# --- autoscaling, networking, policy, rbac, storage, scheduling, coordination --------------------


def _quantity_pointer(value: Any) -> str:
    """``(*resource.Quantity).String()``: the amount, or ``<nil>`` for an absent pointer (what
    formatHPAMetrics prints when a status of the right type carries no amount)."""
    return "<nil>" if value is None else str(value)


def hpa_targets(hpa: Obj) -> str:
    """``formatHPAMetrics``: ``cpu: 45%/10%``, ``<unknown>`` before metrics arrive, two
    metrics then ``+ N more...``; ``<none>`` without metrics.

    The status at the same index is read only if it carries the metric's source type, as
    upstream does; an amount missing from it prints as Go prints a nil quantity."""
    specs = _spec(hpa).get("metrics") or []
    statuses = _status(hpa).get("currentMetrics") or []
    if not specs:
        return "<none>"
    shown: list[str] = []
    for i, metric in enumerate(specs):
        current_status = statuses[i] if i < len(statuses) else {}
        metric_type = metric.get("type")
        if metric_type in ("Resource", "ContainerResource"):
            field = "resource" if metric_type == "Resource" else "containerResource"
            source, observed = metric.get(field) or {}, current_status.get(field)
            target = source.get("target") or {}
            name = source.get("name", "")
            current_values = (observed or {}).get("current") or {}
            if target.get("averageValue") is not None:
                current = _quantity_pointer(current_values.get("averageValue")) if observed is not None else "<unknown>"
                shown.append(f"{name}: {current}/{target['averageValue']}")
            else:
                utilization = current_values.get("averageUtilization")
                current = f"{utilization}%" if observed is not None and utilization is not None else "<unknown>"
                goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
                shown.append(f"{name}: {current}/{goal}")
        elif metric_type == "Pods":
            observed = current_status.get("pods")
            current = (_quantity_pointer(((observed or {}).get("current") or {}).get("averageValue"))
                       if observed is not None else "<unknown>")
            target_value = ((metric.get("pods") or {}).get("target") or {}).get("averageValue")
            shown.append(f"{current}/{_quantity_pointer(target_value)}")
        elif metric_type in ("Object", "External"):
            field = metric_type.lower()
            target = (metric.get(field) or {}).get("target") or {}
            observed = current_status.get(field)
            current_values = (observed or {}).get("current") or {}
            if target.get("averageValue") is not None:
                # Upstream checks this pointer before printing it, so a missing one is unknown.
                average = current_values.get("averageValue")
                current = str(average) if observed is not None and average is not None else "<unknown>"
                shown.append(f"{current}/{target['averageValue']} (avg)")
            else:
                current = _quantity_pointer(current_values.get("value")) if observed is not None else "<unknown>"
                shown.append(f"{current}/{_quantity_pointer(target.get('value'))}")
        else:
            shown.append("<unknown type>")
    if len(shown) > 2:
        return f"{', '.join(shown[:2])} + {len(shown) - 2} more..."
    return ", ".join(shown)


def _hpa_cells(hpa: Obj, now: float) -> Cells:
    spec = _spec(hpa)
    ref = spec.get("scaleTargetRef") or {}
    min_pods = str(spec["minReplicas"]) if spec.get("minReplicas") is not None else "<unset>"
    return [_meta(hpa).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", hpa_targets(hpa), min_pods,
            _int(spec.get("maxReplicas")), _int(_status(hpa).get("currentReplicas")), _age(hpa, now)]


def _ingress_cells(ing: Obj, now: float) -> Cells:
    spec = _spec(ing)
    rules = spec.get("rules") or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    hosts_text = "*" if not hosts else (f"{','.join(hosts)} + {len(rules) - 3} more..." if more else ",".join(hosts))
    ingress = ((_status(ing).get("loadBalancer") or {}).get("ingress")) or []
    address = ",".join(sorted({i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")}))
    return [_meta(ing).get("name", ""), spec.get("ingressClassName") or "<none>", hosts_text, address,
            "80, 443" if spec.get("tls") else "80", _age(ing, now)]


def _ingress_class_cells(ic: Obj, now: float) -> Cells:
    params = _spec(ic).get("parameters")
    text = "<none>"
    if params:
        text = str(params.get("kind", "")) + (f".{params['apiGroup']}" if params.get("apiGroup") else "")
        text += "/" + str(params.get("name", ""))
    name = _meta(ic).get("name", "")
    if (_meta(ic).get("annotations") or {}).get("ingressclass.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [name, _spec(ic).get("controller", ""), text, _age(ic, now)]


def _pdb_cells(pdb: Obj, now: float) -> Cells:
    spec = _spec(pdb)
    return [_meta(pdb).get("name", ""),
            _int_or_string(spec["minAvailable"]) if spec.get("minAvailable") is not None else "N/A",
            _int_or_string(spec["maxUnavailable"]) if spec.get("maxUnavailable") is not None else "N/A",
            _int(_status(pdb).get("disruptionsAllowed")), _age(pdb, now)]


def _subjects(binding: Obj) -> tuple[str, str, str]:
    users, groups, accounts = [], [], []
    for subject in binding.get("subjects") or []:
        kind, name = subject.get("kind"), str(subject.get("name", ""))
        if kind == "User":
            users.append(name)
        elif kind == "Group":
            groups.append(name)
        elif kind == "ServiceAccount":
            accounts.append(f"{subject.get('namespace', '')}/{name}")
    return ", ".join(users), ", ".join(groups), ", ".join(accounts)


def _binding_cells(binding: Obj, now: float) -> Cells:
    ref = binding.get("roleRef") or {}
    return [_meta(binding).get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(binding, now),
            *_subjects(binding)]


def _storage_class_cells(sc: Obj, now: float) -> Cells:
    annotations = _meta(sc).get("annotations") or {}
    name = _meta(sc).get("name", "")
    if "true" in (annotations.get("storageclass.kubernetes.io/is-default-class"),
                  annotations.get("storageclass.beta.kubernetes.io/is-default-class")):
        name += " (default)"
    return [name, sc.get("provisioner", ""), sc.get("reclaimPolicy") or "Delete",
            sc.get("volumeBindingMode") or "Immediate", bool(sc.get("allowVolumeExpansion", False)), _age(sc, now)]


def _resource_quota_cells(quota: Obj, now: float) -> Cells:
    hard, used = _status(quota).get("hard") or {}, _status(quota).get("used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        entry = f"{resource}: {used.get(resource, '0')}/{hard[resource]}"
        (limits if resource.split(".")[0] == "limits" and "." in resource else requests).append(entry)
    return [_meta(quota).get("name", ""), ", ".join(requests), ", ".join(limits), _age(quota, now)]


def _volume_attributes_class_cells(vac: Obj, now: float) -> Cells:
    name = _meta(vac).get("name", "")
    annotations = _meta(vac).get("annotations") or {}
    # storageutil.IsDefaultAnnotationForVolumeAttributesClass (the alpha annotation is the only one)
    if annotations.get("volumeattributesclass.alpha.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [name, vac.get("driverName", ""), _age(vac, now)]


def _csi_driver_cells(driver: Obj, now: float) -> Cells:
    spec = _spec(driver)
    token_requests = "<unset>"
    if spec.get("tokenRequests") is not None:
        token_requests = ",".join(str(t.get("audience", "")) for t in spec["tokenRequests"])
    # attachRequired defaults to true, the other switches to false (the API server defaults
    # them, so an absent field only comes from an older object).
    return [_meta(driver).get("name", ""), spec.get("attachRequired", True) is not False,
            bool(spec.get("podInfoOnMount", False)), bool(spec.get("storageCapacity", False)), token_requests,
            bool(spec.get("requiresRepublish", False)),
            ",".join(str(m) for m in spec.get("volumeLifecycleModes") or []) or "<none>", _age(driver, now)]


def _volume_attachment_cells(va: Obj, now: float) -> Cells:
    spec = _spec(va)
    return [_meta(va).get("name", ""), spec.get("attacher", ""),
            (spec.get("source") or {}).get("persistentVolumeName") or "", spec.get("nodeName", ""),
            bool(_status(va).get("attached", False)), _age(va, now)]


def _param_kind(policy: Obj) -> str:
    param_kind = _spec(policy).get("paramKind")
    if param_kind is None:
        return "<unset>"
    return f"{param_kind.get('apiVersion', '')}/{param_kind.get('kind', '')}"


def _param_ref(binding: Obj) -> str:
    """The ParamRef cell: ``ns/name``, ``*/name`` when the namespace is not given (it may be
    cluster-scoped), the selector, or ``<unset>``."""
    ref = _spec(binding).get("paramRef")
    if ref is None:
        return "<unset>"
    if ref.get("name"):
        return f"{ref.get('namespace') or '*'}/{ref['name']}"
    if ref.get("selector") is not None:
        return _label_selector_go_string(ref["selector"])
    return "<unset>"


def _label_selector_go_string(selector: Mapping[str, Any]) -> str:
    """The generated ``(*metav1.LabelSelector).String()``, which upstream prints for a binding's
    param selector: ``&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]…{},}``."""
    labels = selector.get("matchLabels") or {}
    label_text = "".join(f"{key}: {labels[key]}," for key in sorted(labels))
    expressions = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in e.get('values') or [])}],}},"
        for e in selector.get("matchExpressions") or [])
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{label_text}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}")


def certificate_signing_request_condition(csr: Obj) -> str:
    """``extractCSRStatus``: ``Pending``, ``Approved``, ``Denied``, then ``,Failed`` and
    ``,Issued`` (denial wins over approval)."""
    types = {c.get("type") for c in _status(csr).get("conditions") or []}
    status = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        status += ",Failed"
    if _status(csr).get("certificate"):
        status += ",Issued"
    return status


def _csr_cells(csr: Obj, now: float) -> Cells:
    spec = _spec(csr)
    seconds = spec.get("expirationSeconds")
    return [_meta(csr).get("name", ""), _age(csr, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            human_duration(_int(seconds)) if seconds is not None else "<none>",
            certificate_signing_request_condition(csr)]


def _api_service_cells(api_service: Obj, now: float) -> Cells:
    """kube-aggregator's APIService convertor: ``Local`` or ``ns/name`` of the backing Service,
    and the Available condition (``False (MissingEndpoints)`` when it says why)."""
    service = _spec(api_service).get("service")
    backing = f"{service.get('namespace', '')}/{service.get('name', '')}" if service else "Local"
    available = "Unknown"
    for condition in _status(api_service).get("conditions") or []:
        if condition.get("type") == "Available":
            status = str(condition.get("status", ""))
            available = f"{status} ({condition['reason']})" if status != "True" and condition.get("reason") else status
            break
    return [_meta(api_service).get("name", ""), backing, available, _age(api_service, now)]


def _custom_resource_definition_cells(crd: Obj, now: float) -> Cells:
    """apiextensions' CRD convertor (1.37): the scope, the served versions sorted as text with
    the stored one marked, the creation time as RFC 3339; wide: group, kind, short names and
    whether the CRD is established."""
    spec = _spec(crd)
    versions = sorted(str(v.get("name", "")) + ("(storage)" if v.get("storage") else "")
                      for v in spec.get("versions") or [] if v.get("served"))
    created = _meta(crd).get("creationTimestamp")
    names = spec.get("names") or {}
    return [_meta(crd).get("name", ""), spec.get("scope", ""), ",".join(versions),
            format_time(parse_time(created)) if created else "", spec.get("group", ""), names.get("kind", ""),
            ",".join(str(n) for n in names.get("shortNames") or []), _condition_true(crd, "Established")]


def _resource_claim_state(claim: Obj) -> str:
    """``resourceClaimState``: ``deleted``, ``pending``, ``allocated``, ``reserved``, comma-joined."""
    deleted = bool(_meta(claim).get("deletionTimestamp"))
    states = ["deleted"] if deleted else []
    if _status(claim).get("allocation") is None:
        if not deleted:
            states.append("pending")
    else:
        states.append("allocated")
        if _status(claim).get("reservedFor"):
            states.append("reserved")
    return ",".join(states)


def _simple(*fields: tuple[str, Callable[[Obj], Any]]) -> Callable[[Obj, float], Cells]:
    """Cells ``name, <fields…>, age`` for the many printers of that shape."""
    def cells(obj: Obj, now: float) -> Cells:
        return [_meta(obj).get("name", ""), *(f(obj) for _, f in fields), _age(obj, now)]

    return cells


_P = Printer
_WEBHOOKS_DOC = "Webhooks indicates the number of webhooks registered in this configuration"
BUILTIN_PRINTERS: dict[tuple[str, str], Printer] = {
    ("", "Pod"): _P((NAME, col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                     col("Status", "The aggregate status of the containers in this pod."),
                     col("Restarts", "The number of times the containers in this pod have been restarted and when "
                                     "the last container in this pod has restarted."), AGE,
                     wide("IP", "IP address allocated to the pod."), wide("Node", "The node the pod runs on."),
                     wide("Nominated Node", "The node the scheduler nominated for preemption."),
                     wide("Readiness Gates", "Pod readiness gates that are true / all of them.")),
                    _pod_cells, _pod_conditions),
    ("", "Service"): _P((NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE,
                         wide("Selector", "Route service traffic to pods with label keys and values matching this "
                                          "selector.")), _service_cells),
    ("", "Endpoints"): _P((NAME, col("Endpoints"), AGE),
                          lambda o, now: [_meta(o).get("name", ""), _endpoints_text(o), _age(o, now)]),
    ("", "Node"): _P((NAME, col("Status", "The status of the node"), col("Roles", "The roles of the node"), AGE,
                      col("Version"), wide("Internal-IP"), wide("External-IP"), wide("OS-Image"),
                      wide("Kernel-Version"), wide("Container-Runtime")), _node_cells),
    ("", "Event"): _P((col("Last Seen"), col("Type"), col("Reason"), col("Object"), wide("Subobject"),
                       wide("Source"), col("Message"), wide("First Seen"), wide("Count"),
                       Column("Name", "string", NAME.description, priority=1, format="name")), _event_cells),
    ("", "Namespace"): _P((NAME, col("Status", "The status of the namespace"), AGE),
                          _simple(("status", lambda o: _status(o).get("phase", "")))),
    ("", "Secret"): _P((NAME, col("Type"), col("Data"), AGE),
                       _simple(("type", lambda o: o.get("type", "")), ("data", lambda o: len(o.get("data") or {})))),
    ("", "ConfigMap"): _P((NAME, col("Data"), AGE),
                          _simple(("data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})))),
    ("", "ServiceAccount"): _P((NAME, col("Secrets"), AGE), _simple(("secrets", lambda o: len(o.get("secrets") or [])))),
    ("", "PersistentVolume"): _P((NAME, col("Capacity"), col("Access Modes"), col("Reclaim Policy"), col("Status"),
                                  col("Claim"), col("StorageClass", "StorageClass of the pv"),
                                  col("VolumeAttributesClass", "VolumeAttributesClass of the pv"), col("Reason"), AGE,
                                  wide("VolumeMode")), _pv_cells),
    ("", "PersistentVolumeClaim"): _P((NAME, col("Status"), col("Volume"), col("Capacity"), col("Access Modes"),
                                       col("StorageClass", "StorageClass of the pvc"),
                                       col("VolumeAttributesClass", "VolumeAttributesClass of the pvc"), AGE,
                                       wide("VolumeMode")), _pvc_cells),
    ("", "ResourceQuota"): _P((NAME, col("Request", "Request represents a minimum amount of cpu/memory that a "
                                                    "container may consume."),
                               col("Limit", "Limits control the maximum amount of cpu/memory that a container may "
                                            "use independent of contention on the node."), AGE),
                              _resource_quota_cells),
    ("apps", "Deployment"): _P((NAME, col("Ready", "Number of the pod with ready state"), col("Up-to-date"),
                                col("Available"), AGE, wide("Containers"), wide("Images"), wide("Selector")),
                               _deployment_cells),
    ("apps", "ReplicaSet"): _P((NAME, col("Desired", type="integer"), col("Current", type="integer"),
                                col("Ready", type="integer"), AGE, wide("Containers"), wide("Images"),
                                wide("Selector")), _replica_set_cells),
    ("apps", "StatefulSet"): _P((NAME, col("Ready", "Number of the pod with ready state"), AGE, wide("Containers"),
                                 wide("Images")), _stateful_set_cells),
    ("apps", "DaemonSet"): _P((NAME, col("Desired", type="integer"), col("Current", type="integer"),
                               col("Ready", type="integer"), col("Up-to-date", type="integer"),
                               col("Available", type="integer"), col("Node Selector"), AGE, wide("Containers"),
                               wide("Images"), wide("Selector")), _daemon_set_cells),
    ("apps", "ControllerRevision"): _P((NAME, col("Controller", "Controller of the object"), col("Revision"), AGE),
                                       _controller_revision_cells),
    ("batch", "Job"): _P((NAME, col("Status", "Status of the job."), col("Completions"),
                          col("Duration", "Time required to complete the job."), AGE, wide("Containers"),
                          wide("Images"), wide("Selector")), _job_cells),
    ("batch", "CronJob"): _P((NAME, col("Schedule"), col("Timezone"), col("Suspend", type="boolean"),
                              col("Active", type="integer"), col("Last Schedule"), AGE, wide("Containers"),
                              wide("Images"), wide("Selector")), _cron_job_cells),
    ("autoscaling", "HorizontalPodAutoscaler"): _P((NAME, col("Reference"), col("Targets"), col("MinPods"),
                                                    col("MaxPods"), col("Replicas"), AGE), _hpa_cells),
    ("networking.k8s.io", "Ingress"): _P((NAME, col("Class", "The name of the IngressClass resource that should be "
                                                             "used for additional configuration"),
                                          col("Hosts", "Hosts that incoming requests are matched against before the "
                                                       "ingress rule"),
                                          col("Address", "Address is a list containing ingress points for the "
                                                         "load-balancer"),
                                          col("Ports", "Ports of TLS configurations that open"), AGE), _ingress_cells),
    ("networking.k8s.io", "IngressClass"): _P((NAME, col("Controller", "Controller that is responsible for handling "
                                                                      "this class"),
                                               col("Parameters", "A reference to a resource with additional "
                                                                 "parameters"), AGE), _ingress_class_cells),
    ("networking.k8s.io", "NetworkPolicy"): _P((NAME, col("Pod-Selector"), AGE),
                                               _simple(("pods", lambda o: format_label_selector(
                                                   _spec(o).get("podSelector") or {})))),
    ("discovery.k8s.io", "EndpointSlice"): _P((NAME, col("AddressType"), col("Ports"), col("Endpoints"), AGE),
                                              _endpoint_slice_cells),
    ("policy", "PodDisruptionBudget"): _P((NAME, col("Min Available", "The minimum number of pods that must be "
                                                                      "available."),
                                           col("Max Unavailable", "The maximum number of pods that may be "
                                                                  "unavailable."),
                                           col("Allowed Disruptions", "Calculated number of pods that may be "
                                                                      "disrupted at this time.", type="integer"),
                                           AGE), _pdb_cells),
    ("rbac.authorization.k8s.io", "RoleBinding"): _P((NAME, col("Role"), AGE,
                                                      wide("Users", "Users in the roleBinding"),
                                                      wide("Groups", "Groups in the roleBinding"),
                                                      wide("ServiceAccounts", "ServiceAccounts in the roleBinding")),
                                                     _binding_cells),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _P(
        (NAME, col("Role"), AGE, wide("Users", "Users in the clusterRoleBinding"),
         wide("Groups", "Groups in the clusterRoleBinding"),
         wide("ServiceAccounts", "ServiceAccounts in the clusterRoleBinding")), _binding_cells),
    ("storage.k8s.io", "StorageClass"): _P((NAME, col("Provisioner"), col("ReclaimPolicy"), col("VolumeBindingMode"),
                                            col("AllowVolumeExpansion"), AGE), _storage_class_cells),
    ("scheduling.k8s.io", "PriorityClass"): _P((NAME, col("Value", type="integer"),
                                                col("Global-Default", type="boolean"), AGE, col("PreemptionPolicy")),
                                               lambda o, now: [_meta(o).get("name", ""), _int(o.get("value")),
                                                               bool(o.get("globalDefault", False)), _age(o, now),
                                                               o.get("preemptionPolicy") or ""]),
    ("coordination.k8s.io", "Lease"): _P((NAME, col("Holder"), AGE),
                                         _simple(("holder", lambda o: _spec(o).get("holderIdentity") or ""))),
    ("node.k8s.io", "RuntimeClass"): _P((NAME, col("Handler"), AGE), _simple(("handler", lambda o: o.get("handler", "")))),
    ("storage.k8s.io", "VolumeAttributesClass"): _P((NAME, col("DriverName"), AGE), _volume_attributes_class_cells),
    ("storage.k8s.io", "CSINode"): _P((NAME, col("Drivers", "Drivers indicates the number of CSI drivers registered on "
                                                           "the node", type="integer"), AGE),
                                      _simple(("drivers", lambda o: len(_spec(o).get("drivers") or [])))),
    ("storage.k8s.io", "CSIDriver"): _P((NAME, col("AttachRequired", type="boolean"),
                                         col("PodInfoOnMount", type="boolean"), col("StorageCapacity", type="boolean"),
                                         col("TokenRequests"), col("RequiresRepublish", type="boolean"), col("Modes"),
                                         AGE), _csi_driver_cells),
    ("storage.k8s.io", "VolumeAttachment"): _P((NAME, Column("Attacher", "string", "Attacher", format="name"),
                                                col("PV"), col("Node"), col("Attached", type="boolean"), AGE),
                                               _volume_attachment_cells),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _P(
        (NAME, col("Webhooks", _WEBHOOKS_DOC, type="integer"), AGE),
        _simple(("webhooks", lambda o: len(o.get("webhooks") or [])))),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _P(
        (NAME, col("Webhooks", _WEBHOOKS_DOC, type="integer"), AGE),
        _simple(("webhooks", lambda o: len(o.get("webhooks") or [])))),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): _P(
        (NAME, col("Validations", "Validations indicates the number of validation rules defined in this "
                                  "configuration", type="integer"),
         col("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"), AGE),
        _simple(("validations", lambda o: len(_spec(o).get("validations") or [])), ("paramKind", _param_kind))),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): _P(
        (NAME, col("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
         col("ParamRef", "ParamRef indicates the param resource which sets the configration param"), AGE),
        _simple(("policyName", lambda o: _spec(o).get("policyName", "")), ("paramRef", _param_ref))),
    ("certificates.k8s.io", "CertificateSigningRequest"): _P(
        (NAME, AGE, col("SignerName"), col("Requestor"), col("RequestedDuration"), col("Condition")), _csr_cells),
    ("apiregistration.k8s.io", "APIService"): _P(
        (NAME, col("Service", "The reference to the service that hosts this API endpoint."),
         col("Available", "Whether this service is available."), AGE), _api_service_cells),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _P(
        (NAME, col("Scope", "Cluster/Namespaced"), col("Versions", "Served versions"),
         Column("Created At", "date", AGE.description), wide("Group", "API group"),
         wide("Kind", "CustomResource kind"), wide("ShortNames", "Short names"),
         wide("Established", "Established status", type="boolean")), _custom_resource_definition_cells),
    ("resource.k8s.io", "DeviceClass"): _P((NAME, AGE), _simple()),
    ("resource.k8s.io", "ResourceClaimTemplate"): _P((NAME, AGE), _simple()),
    ("resource.k8s.io", "ResourceClaim"): _P(
        (NAME, col("State", "A summary of the current state (allocated, pending, reserved, etc.)."), AGE),
        _simple(("state", _resource_claim_state))),
    ("resource.k8s.io", "ResourceSlice"): _P(
        (NAME, col("Node"), col("Driver"), col("Pool"), AGE),
        _simple(("node", lambda o: _spec(o).get("nodeName") or ""), ("driver", lambda o: _spec(o).get("driver", "")),
                ("pool", lambda o: (_spec(o).get("pool") or {}).get("name", "")))),
}
