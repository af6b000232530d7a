"""Simulated resource usage: what metrics-server would report for pods and nodes.

Nothing runs in a simulated container, so usage is *declared*: a load annotation on a
workload (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job) or on a single pod says how
busy its pods are, and every query derives per-pod, per-container CPU and memory from it.
The annotations live on the objects, so a load persists with the cluster file, survives
restarts, and can be set from a chart, ``set_load`` or any annotate command:

==========================================  =================================================
``simulator.helmlite.io/cpu-load``          per pod: ``250m`` (a quantity) or ``80%`` (of the
                                            pod's CPU request)
``simulator.helmlite.io/cpu-load-total``    shared equally by the workload's Running, Ready
                                            pods (``2``, ``1500m``): scaling out dilutes it,
                                            as real traffic spread by a Service would
``simulator.helmlite.io/memory-load``       per pod: ``256Mi`` or ``50%`` (of the request)
``simulator.helmlite.io/memory-load-total`` shared like ``cpu-load-total``
==========================================  =================================================

A pod takes its load from its own annotations, else from the root of its controller chain:
the Deployment (whose ReplicaSets carry stale copies of its annotations), StatefulSet,
DaemonSet, CronJob or Job that owns it. Without a load a pod idles at 0 CPU and ``IDLE_MEMORY_BYTES`` per
container. CPU is capped at a container's limit (CPU is compressible); memory is not (the
kubelet model decides what exceeding a limit means).

Like metrics-server, only Running pods report, and only once their containers have run for
one window (``METRICS_WINDOW_SECONDS``); samples are stamped with the current virtual time.
``pod_metrics``/``node_metrics`` return ``metrics.k8s.io/v1beta1`` objects (the view a ``top``
command prints); ``pod_usages`` returns the same numbers for the HPA controller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import controller_ref
from helmlite.cluster.podutil import is_pod_ready
from helmlite.cluster.quantity import parse_quantity
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = [
    "CPU_LOAD_ANNOTATION",
    "CPU_LOAD_TOTAL_ANNOTATION",
    "IDLE_MEMORY_BYTES",
    "LOAD_ANNOTATIONS",
    "LOAD_FIELD_MANAGER",
    "MEMORY_LOAD_ANNOTATION",
    "MEMORY_LOAD_TOTAL_ANNOTATION",
    "METRICS_WINDOW_SECONDS",
    "NODE_SYSTEM_CPU_MILLICORES",
    "NODE_SYSTEM_MEMORY_BYTES",
    "ContainerUsage",
    "PodUsage",
    "format_cpu",
    "format_memory",
    "node_metrics",
    "pod_metrics",
    "pod_usages",
    "set_load",
]

CPU_LOAD_ANNOTATION = "simulator.helmlite.io/cpu-load"
CPU_LOAD_TOTAL_ANNOTATION = "simulator.helmlite.io/cpu-load-total"
MEMORY_LOAD_ANNOTATION = "simulator.helmlite.io/memory-load"
MEMORY_LOAD_TOTAL_ANNOTATION = "simulator.helmlite.io/memory-load-total"
LOAD_ANNOTATIONS = (CPU_LOAD_ANNOTATION, CPU_LOAD_TOTAL_ANNOTATION, MEMORY_LOAD_ANNOTATION,
                    MEMORY_LOAD_TOTAL_ANNOTATION)
LOAD_FIELD_MANAGER = "helmlite-load"
# metrics-server's --metric-resolution: samples cover this window, and a container reports
# once it has run for one.
METRICS_WINDOW_SECONDS = 15
# What an idle container uses (an idle nginx shows 0m and about 3Mi in `kubectl top pod`).
IDLE_MEMORY_BYTES = 3 * 1024 * 1024
# Node-level usage outside pods (kubelet, container runtime, system daemons).
NODE_SYSTEM_CPU_MILLICORES = 100
NODE_SYSTEM_MEMORY_BYTES = 600 * 1024 * 1024
# How far up the controller chain a pod looks for a load (pod → RS → Deployment).
_MAX_OWNER_DEPTH = 4


@dataclass(frozen=True)
class ContainerUsage:
    """One container's usage: CPU in nanocores, memory in bytes."""

    name: str
    cpu_nanocores: int
    memory_bytes: int


@dataclass(frozen=True)
class PodUsage:
    """A pod's sample, as the resource metrics API reports it."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    timestamp: float
    window_seconds: int
    containers: tuple[ContainerUsage, ...]

    def cpu_millicores(self, container: str = "") -> int:
        """CPU as ``Quantity.MilliValue()`` reads it (rounded up), for one container or all."""
        nanos = sum(c.cpu_nanocores for c in self.containers if not container or c.name == container)
        return -(-nanos // 1_000_000)

    def memory_bytes(self, container: str = "") -> int:
        """Memory in bytes, for one container or all."""
        return sum(c.memory_bytes for c in self.containers if not container or c.name == container)


# --- setting a load ------------------------------------------------------------------------

def set_load(cluster: Cluster, kind: str, namespace: str, name: str, *,
             cpu_millicores_per_pod: int | None = None, utilization: int | None = None,
             total_cpu_millicores: int | None = None, memory_bytes_per_pod: int | None = None,
             memory_utilization: int | None = None) -> dict[str, Any]:
    """Declare how busy the pods of ``kind/name`` are; returns the updated object.

    ``kind`` is any name kubectl accepts (``deployment``, ``deploy``, ``sts``, ``pod``).
    CPU is given at most one way: ``cpu_millicores_per_pod``, ``utilization`` (percent of
    each pod's CPU request) or ``total_cpu_millicores`` (shared by the Ready pods); memory as
    ``memory_bytes_per_pod`` or ``memory_utilization`` (percent of the memory request).
    Whatever is not given is cleared, so ``set_load(cluster, kind, ns, name)`` removes the load.

    Raises:
        ValueError: more than one CPU or memory form, or a negative value.
        NotFoundError: the kind or the object does not exist.
    """
    cpu_forms = [v for v in (cpu_millicores_per_pod, utilization, total_cpu_millicores) if v is not None]
    memory_forms = [v for v in (memory_bytes_per_pod, memory_utilization) if v is not None]
    if len(cpu_forms) > 1 or len(memory_forms) > 1:
        raise ValueError("give the CPU load and the memory load one way each")
    if any(v < 0 for v in (*cpu_forms, *memory_forms)):
        raise ValueError("a load cannot be negative")
    annotations: dict[str, str | None] = dict.fromkeys(LOAD_ANNOTATIONS)
    if cpu_millicores_per_pod is not None:
        annotations[CPU_LOAD_ANNOTATION] = f"{cpu_millicores_per_pod}m"
    elif utilization is not None:
        annotations[CPU_LOAD_ANNOTATION] = f"{utilization}%"
    elif total_cpu_millicores is not None:
        annotations[CPU_LOAD_TOTAL_ANNOTATION] = f"{total_cpu_millicores}m"
    if memory_bytes_per_pod is not None:
        annotations[MEMORY_LOAD_ANNOTATION] = str(memory_bytes_per_pod)
    elif memory_utilization is not None:
        annotations[MEMORY_LOAD_ANNOTATION] = f"{memory_utilization}%"
    resolved = cluster.store.kinds.lookup_resource(kind)
    return cluster.store.patch(resolved.storage_api_version, resolved.kind, name,
                               {"metadata": {"annotations": annotations}}, namespace=namespace,
                               field_manager=LOAD_FIELD_MANAGER)


# --- deriving usage ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Load:
    """A parsed load: per pod (absolute or percent of request) or a total to share."""

    value: Fraction  # millicores / bytes, or a percentage
    percent: bool = False
    total: bool = False


def _parse_load(annotations: Mapping[str, str], per_pod_key: str, total_key: str, unit: int) -> _Load | None:
    # ``unit`` converts a quantity to the internal unit: 1000 for CPU (millicores), 1 for bytes.
    for key, total in ((per_pod_key, False), (total_key, True)):
        text = annotations.get(key)
        if text is None:
            continue
        text = text.strip()
        try:
            if text.endswith("%") and not total:
                return _Load(Fraction(text[:-1]), percent=True)
            return _Load(parse_quantity(text) * unit, total=total)
        except (ValueError, ZeroDivisionError):
            return None  # a malformed load reads as no load, as an unknown annotation would
    return None


def _load_source(cluster: Cluster, pod: Mapping[str, Any], key: str, total_key: str) -> Mapping[str, Any] | None:
    """The object whose load applies to ``pod``: the pod itself if it declares one, else the
    root of its controller chain (the Deployment, not the ReplicaSet that carries a copy of
    the Deployment's annotations)."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    if key in annotations or total_key in annotations:
        return pod
    obj: Mapping[str, Any] = pod
    for _ in range(_MAX_OWNER_DEPTH):
        ref = controller_ref(obj)
        found = cluster.store.peek_uid(ref["uid"]) if ref and ref.get("uid") else None
        if found is None:
            break
        obj = found[1]
    if obj is pod:
        return None
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return obj if key in annotations or total_key in annotations else None


def _containers(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in (pod.get("spec") or {}).get("containers") or [] if isinstance(c, Mapping)]


def _resource(container: Mapping[str, Any], section: str, resource: str, unit: int) -> Fraction | None:
    value = ((container.get("resources") or {}).get(section) or {}).get(resource)
    if value is None:
        return None
    try:
        return parse_quantity(value) * unit
    except ValueError:
        return None


def _started(pod: Mapping[str, Any]) -> float | None:
    """When the pod's containers were all running (metrics-server has nothing before)."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return None
    starts = []
    for cs in status.get("containerStatuses") or []:
        running = (cs.get("state") or {}).get("running")
        if running is None:
            return None
        if running.get("startedAt"):
            starts.append(parse_time(running["startedAt"]))
    if starts:
        return max(starts)
    return parse_time(status["startTime"]) if status.get("startTime") else None


def _split(pod: Mapping[str, Any], load: _Load | None, share: int, resource: str, unit: int,
           idle: Fraction) -> list[Fraction]:
    """Per-container usage for one resource (millicores or bytes), before limits."""
    containers = _containers(pod)
    if not containers:
        return []
    requests = [_resource(c, "requests", resource, unit) or Fraction(0) for c in containers]
    if load is None:
        return [idle] * len(containers)
    if load.percent:
        return [r * load.value / 100 for r in requests]
    pod_value = load.value / share if load.total else load.value
    total_request = sum(requests)
    if total_request:
        return [pod_value * r / total_request for r in requests]
    return [pod_value / len(containers)] * len(containers)


def _is_serving(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and is_pod_ready(pod) and \
        not (pod.get("metadata") or {}).get("deletionTimestamp")


def _usage(cluster: Cluster, pod: Mapping[str, Any], now: float, shares: dict[tuple[str, str], int]) -> PodUsage:
    meta = pod.get("metadata") or {}
    loads = []
    for per_pod_key, total_key, resource, unit in (
            (CPU_LOAD_ANNOTATION, CPU_LOAD_TOTAL_ANNOTATION, "cpu", 1000),
            (MEMORY_LOAD_ANNOTATION, MEMORY_LOAD_TOTAL_ANNOTATION, "memory", 1)):
        source = _load_source(cluster, pod, per_pod_key, total_key)
        annotations = ((source or {}).get("metadata") or {}).get("annotations") or {}
        load = _parse_load(annotations, per_pod_key, total_key, unit)
        share = 1
        if load is not None and load.total:
            if not _is_serving(pod):
                load = None  # traffic only reaches Ready pods
            else:
                share = max(1, shares.get((total_key, (source or {}).get("metadata", {}).get("uid", "")), 1))
        idle = Fraction(0) if resource == "cpu" else Fraction(IDLE_MEMORY_BYTES)
        loads.append(_split(pod, load, share, resource, unit, idle))
    cpu, memory = loads
    containers = []
    for i, container in enumerate(_containers(pod)):
        cpu_m = cpu[i]
        limit = _resource(container, "limits", "cpu", 1000)
        if limit is not None:
            cpu_m = min(cpu_m, limit)
        containers.append(ContainerUsage(container.get("name", ""), round(cpu_m * 1_000_000), round(memory[i])))
    return PodUsage(name=meta.get("name", ""), namespace=meta.get("namespace", ""),
                    labels=dict(meta.get("labels") or {}), timestamp=now,
                    window_seconds=METRICS_WINDOW_SECONDS, containers=tuple(containers))


def _shares(cluster: Cluster, pods: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """How many serving pods share each total load: ``(annotation, source uid) -> count``."""
    counts: dict[tuple[str, str], int] = {}
    for pod in pods:
        if not _is_serving(pod):
            continue
        for total_key, per_pod_key in ((CPU_LOAD_TOTAL_ANNOTATION, CPU_LOAD_ANNOTATION),
                                       (MEMORY_LOAD_TOTAL_ANNOTATION, MEMORY_LOAD_ANNOTATION)):
            source = _load_source(cluster, pod, per_pod_key, total_key)
            if source is not None and total_key in ((source.get("metadata") or {}).get("annotations") or {}):
                key = (total_key, source["metadata"].get("uid", ""))
                counts[key] = counts.get(key, 0) + 1
    return counts


def pod_usages(cluster: Cluster, namespace: str | None = None,
               selector: LabelSelector | None = None) -> dict[str, PodUsage]:
    """Samples of the pods that report (Running for at least one window), by pod name.

    ``namespace=None`` covers every namespace (names are then ``namespace/name``).
    """
    now = cluster.clock.now
    all_pods = list(cluster.store.peek_all("", "Pod", namespace))
    shares = _shares(cluster, all_pods)
    out: dict[str, PodUsage] = {}
    for pod in all_pods:
        meta = pod.get("metadata") or {}
        if selector is not None and not selector.matches(meta.get("labels")):
            continue
        started = _started(pod)
        if started is None or now < started + METRICS_WINDOW_SECONDS:
            continue
        usage = _usage(cluster, pod, now, shares)
        out[usage.name if namespace is not None else f"{usage.namespace}/{usage.name}"] = usage
    return out


# --- the metrics.k8s.io view ---------------------------------------------------------------

def format_cpu(nanocores: int) -> str:
    """CPU as metrics-server serialises it (``"250000000n"``, ``"0"``)."""
    return f"{nanocores}n" if nanocores else "0"


def format_memory(memory_bytes: int) -> str:
    """Memory as metrics-server serialises it (``"3072Ki"``)."""
    if memory_bytes and memory_bytes % 1024 == 0:
        return f"{memory_bytes // 1024}Ki"
    return str(memory_bytes)


def pod_metrics(cluster: Cluster, namespace: str | None = None,
                selector: str | LabelSelector | None = None) -> list[dict[str, Any]]:
    """``metrics.k8s.io/v1beta1`` PodMetrics for the pods that report, by namespace and name.

    Raises:
        BadRequestError: a malformed selector string.
    """
    parsed = selector if isinstance(selector, LabelSelector) or selector is None else LabelSelector.parse(selector)
    usages = pod_usages(cluster, namespace, parsed)
    items = []
    for usage in sorted(usages.values(), key=lambda u: (u.namespace, u.name)):
        items.append({
            "kind": "PodMetrics",
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": usage.name, "namespace": usage.namespace, "labels": dict(usage.labels),
                         "creationTimestamp": format_time(usage.timestamp)},
            "timestamp": format_time(usage.timestamp),
            "window": f"{usage.window_seconds}s",
            "containers": [{"name": c.name, "usage": {"cpu": format_cpu(c.cpu_nanocores),
                                                       "memory": format_memory(c.memory_bytes)}}
                           for c in usage.containers],
        })
    return items


def node_metrics(cluster: Cluster) -> list[dict[str, Any]]:
    """``metrics.k8s.io/v1beta1`` NodeMetrics for the Ready nodes: their pods plus system usage."""
    now = cluster.clock.now
    per_node: dict[str, list[int]] = {}
    usages = pod_usages(cluster)
    for pod in cluster.store.peek_all("", "Pod"):
        meta, node = pod.get("metadata") or {}, (pod.get("spec") or {}).get("nodeName")
        usage = usages.get(f"{meta.get('namespace')}/{meta.get('name')}")
        if node and usage is not None:
            totals = per_node.setdefault(node, [0, 0])
            totals[0] += sum(c.cpu_nanocores for c in usage.containers)
            totals[1] += usage.memory_bytes()
    items = []
    for node in sorted(cluster.store.peek_all("", "Node"), key=lambda n: n["metadata"]["name"]):
        conditions = (node.get("status") or {}).get("conditions") or []
        if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
            continue
        name = node["metadata"]["name"]
        cpu, memory = per_node.get(name, [0, 0])
        items.append({
            "kind": "NodeMetrics",
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": name, "labels": dict(node["metadata"].get("labels") or {}),
                         "creationTimestamp": format_time(now)},
            "timestamp": format_time(now),
            "window": f"{METRICS_WINDOW_SECONDS}s",
            "usage": {"cpu": format_cpu(cpu + NODE_SYSTEM_CPU_MILLICORES * 1_000_000),
                      "memory": format_memory(memory + NODE_SYSTEM_MEMORY_BYTES)},
        })
    return items
