"""kube-scheduler: binds pending pods to nodes with the default plugin set.

One scheduling cycle per pod, as the real scheduler runs it:

- **PreFilter**: scheduling gates (``SchedulingGated``), VolumeBinding (claims must exist; an
  unbound claim of an ``Immediate`` class blocks: ``pod has unbound immediate
  PersistentVolumeClaims``), NodeAffinity's ``metadata.name`` fields (DaemonSet pods only
  look at their node).
- **Filter**, in the default plugin order, first failure per node wins: NodeUnschedulable,
  NodeName, TaintToleration, NodeAffinity (nodeSelector and required affinity), NodePorts,
  NodeResourcesFit (requests against allocatable minus the requests of the pods already there,
  and the pod count), VolumeBinding (PersistentVolume node affinity), InterPodAffinity
  (required affinity and anti-affinity, and existing pods' anti-affinity). Like the real
  scheduler it stops after finding ``numFeasibleNodesToFind`` nodes (all nodes up to 100, an
  adaptive percentage above), scanning round-robin from where the previous cycle stopped.
- **Score**: NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation,
  ImageLocality, TaintToleration (PreferNoSchedule), NodeAffinity (preferred terms),
  InterPodAffinity (preferred terms, both ways), with the default weights; ties are broken
  with the cluster's seeded RNG.
- **Bind** through ``pods/binding`` with a ``Scheduled`` event, or, when no node fits, the
  condition ``PodScheduled=False/Unschedulable`` and a ``FailedScheduling`` event carrying the
  scheduler's message (``0/3 nodes are available: 1 node(s) had untolerated taint(s), 2
  Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for
  scheduling, 2 No preemption victims found for incoming pod.``).

Unschedulable pods are retried when something they failed on changes (a node added or
changed, a pod leaving a node, a claim bound), after the per-pod back-off (1 s doubling to
10 s), and at least every 5 minutes. The node and pod bookkeeping is an in-memory cache kept
up to date from watch events (per-node requested totals, host ports, images), so a cycle
never scans all pods.

The predicates (tolerations, node affinity, requests) are public: the kubelet, the taint
eviction controller and the DaemonSet controller need the same answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.errors import ApiError, ConflictError, NotFoundError
from helmlite.cluster.images import InvalidImageNameError, parse_image
from helmlite.cluster.quantity import parse_quantity
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "SchedulerController",
    "SCHEDULER_NAME",
    "tolerates_taint",
    "find_untolerated_taint",
    "node_selector_term_matches",
    "node_matches_required_affinity",
    "pod_requests",
    "node_allocatable",
    "num_feasible_nodes_to_find",
    "quantity_value",
    "quantity_milli",
]

SCHEDULER_NAME = "default-scheduler"
# Score plugin weights of the default profile (pkg/scheduler/apis/config/v1/default_plugins.go).
WEIGHT_TAINT_TOLERATION = 3
WEIGHT_NODE_AFFINITY = 2
WEIGHT_NODE_RESOURCES_FIT = 1
WEIGHT_INTER_POD_AFFINITY = 2
WEIGHT_POD_TOPOLOGY_SPREAD = 2
WEIGHT_BALANCED_ALLOCATION = 1
WEIGHT_IMAGE_LOCALITY = 1
MAX_NODE_SCORE = 100
# Requests assumed for containers that set none, for scoring only (schedutil.DefaultMilliCPURequest…).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
# percentageOfNodesToScore's adaptive default.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE = 5
BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50
# Scheduling queue back-off and the unschedulable pods' periodic flush.
POD_INITIAL_BACKOFF_SECONDS = 1.0
POD_MAX_BACKOFF_SECONDS = 10.0
POD_MAX_IN_UNSCHEDULABLE_SECONDS = 300.0
# ImageLocality thresholds.
_MB = 1024 * 1024
IMAGE_MIN_THRESHOLD = 23 * _MB
IMAGE_MAX_CONTAINER_THRESHOLD = 1000 * _MB
HARD_POD_AFFINITY_WEIGHT = 1

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
_HARD_EFFECTS = ("NoSchedule", "NoExecute")
_FLUSH_KEY = "~flush"
# Timer keys ``default-scheduler|unschedulable:<pod key>#<uid>#<attempts>#<last>#<plugins>`` carry
# the unschedulable pods' back-off state to the next command; they never fire.
_UNSCHEDULABLE_STEP = "unschedulable:"

# Filter reasons, verbatim from the plugins.
REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_NODE_NAME = "node(s) didn't match the requested node name"
REASON_TAINT = "node(s) had untolerated taint(s)"
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_PORTS = "node(s) didn't have free ports for the requested pod ports"
REASON_TOO_MANY_PODS = "Too many pods"
REASON_PV_AFFINITY = "node(s) didn't match PersistentVolume's node affinity"
REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
REASON_UNBOUND_CLAIMS = "pod has unbound immediate PersistentVolumeClaims"
REASON_PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling"
REASON_NO_VICTIMS = "No preemption victims found for incoming pod"


# --- quantities --------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _quantity(text: str) -> Fraction:
    return parse_quantity(text)


def quantity_value(value: Any) -> int:
    """A quantity rounded up to an integer (``Quantity.Value()``); 0 if unparsable."""
    try:
        return math.ceil(_quantity(value) if isinstance(value, str) else Fraction(value))
    except (ValueError, TypeError):
        return 0


def quantity_milli(value: Any) -> int:
    """A quantity in thousandths, rounded up (``Quantity.MilliValue()``); 0 if unparsable."""
    try:
        return math.ceil((_quantity(value) if isinstance(value, str) else Fraction(value)) * 1000)
    except (ValueError, TypeError):
        return 0


def _resource_amount(name: str, value: Any) -> int:
    return quantity_milli(value) if name == "cpu" else quantity_value(value)


# --- predicates shared with the kubelet, taint eviction and DaemonSets -----------------------

def tolerates_taint(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """``Toleration.ToleratesTaint``: effect (empty = any), key (empty = any), operator."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def find_untolerated_taint(taints: Iterable[Mapping[str, Any]], tolerations: Sequence[Mapping[str, Any]],
                           effects: Sequence[str] = _HARD_EFFECTS) -> Mapping[str, Any] | None:
    """The first taint with one of ``effects`` that no toleration tolerates, or None."""
    for taint in taints:
        if taint.get("effect") in effects and not any(tolerates_taint(t, taint) for t in tolerations):
            return taint
    return None


def _expression_matches(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        if key not in labels or len(values) != 1:
            return False
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def node_selector_term_matches(term: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """A ``NodeSelectorTerm``: its expressions and fields all hold (an empty term matches nothing)."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    meta = node.get("metadata") or {}
    labels = meta.get("labels") or {}
    if not all(_expression_matches(e, labels) for e in expressions):
        return False
    node_fields = {"metadata.name": meta.get("name", "")}
    for expr in fields:
        if expr.get("key") != "metadata.name" or expr.get("operator") not in ("In", "NotIn"):
            return False
        if not _expression_matches(expr, node_fields):
            return False
    return True


def node_matches_required_affinity(spec: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """``nodeSelector`` and required node affinity (terms ORed) both hold for ``node``."""
    selector = spec.get("nodeSelector") or {}
    if selector:
        labels = (node.get("metadata") or {}).get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return any(node_selector_term_matches(t, node) for t in required.get("nodeSelectorTerms") or [])


def pod_requests(spec: Mapping[str, Any], *, non_zero: bool = False) -> dict[str, int]:
    """The pod's effective requests (cpu in millicores, others in units), as the scheduler sums
    them: ``max(Σ containers + Σ sidecars, max over init containers of (init + earlier
    sidecars)) + overhead``. ``non_zero`` substitutes the scoring defaults (100m, 200Mi) for a
    container without a cpu/memory request."""
    total: dict[str, int] = {}

    def requests_of(container: Mapping[str, Any]) -> dict[str, int]:
        req = {name: _resource_amount(name, value)
               for name, value in ((container.get("resources") or {}).get("requests") or {}).items()}
        if non_zero:
            req.setdefault("cpu", DEFAULT_MILLI_CPU_REQUEST)
            req.setdefault("memory", DEFAULT_MEMORY_REQUEST)
            if req["cpu"] == 0:
                req["cpu"] = DEFAULT_MILLI_CPU_REQUEST
            if req["memory"] == 0:
                req["memory"] = DEFAULT_MEMORY_REQUEST
        return req

    for container in spec.get("containers") or []:
        for name, amount in requests_of(container).items():
            total[name] = total.get(name, 0) + amount
    sidecars: dict[str, int] = {}
    init_max: dict[str, int] = {}
    for container in spec.get("initContainers") or []:
        req = requests_of(container)
        if container.get("restartPolicy") == "Always":
            for name, amount in req.items():
                sidecars[name] = sidecars.get(name, 0) + amount
                total[name] = total.get(name, 0) + amount
            continue
        for name, amount in req.items():
            init_max[name] = max(init_max.get(name, 0), amount + sidecars.get(name, 0))
    for name, amount in init_max.items():
        total[name] = max(total.get(name, 0), amount)
    for name, value in (spec.get("overhead") or {}).items():
        total[name] = total.get(name, 0) + _resource_amount(name, value)
    return total


def node_allocatable(node: Mapping[str, Any]) -> dict[str, int]:
    """``status.allocatable`` (falling back to capacity) in the units ``pod_requests`` uses."""
    status = node.get("status") or {}
    source = status.get("allocatable") or status.get("capacity") or {}
    return {name: _resource_amount(name, value) for name, value in source.items()}


def num_feasible_nodes_to_find(num_nodes: int) -> int:
    """How many feasible nodes a cycle looks for before it stops filtering (adaptive
    ``percentageOfNodesToScore``)."""
    if num_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_nodes
    percentage = max(BASE_PERCENTAGE_OF_NODES_TO_SCORE - num_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE)
    return max(num_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def _natural_key(name: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


# --- pod affinity terms ----------------------------------------------------------------------

class _Term:
    """A processed ``PodAffinityTerm``: namespaces (None = via selector), selectors, topology key."""

    __slots__ = ("namespaces", "ns_selector", "selector", "topology_key", "weight")

    def __init__(self, term: Mapping[str, Any], pod_namespace: str, pod_labels: Mapping[str, str],
                 weight: int = 0) -> None:
        namespaces = set(term.get("namespaces") or [])
        ns_selector = term.get("namespaceSelector")
        if not namespaces and ns_selector is None:
            namespaces = {pod_namespace}
        self.namespaces = namespaces
        self.ns_selector = LabelSelector.from_label_selector(ns_selector) if ns_selector is not None else None
        selector = term.get("labelSelector")
        extra: list[dict[str, Any]] = []
        for key in term.get("matchLabelKeys") or []:
            if key in pod_labels:
                extra.append({"key": key, "operator": "In", "values": [pod_labels[key]]})
        for key in term.get("mismatchLabelKeys") or []:
            if key in pod_labels:
                extra.append({"key": key, "operator": "NotIn", "values": [pod_labels[key]]})
        if selector is not None and extra:
            selector = {**selector, "matchExpressions": [*(selector.get("matchExpressions") or []), *extra]}
        try:
            self.selector = LabelSelector.from_label_selector(selector)
        except ApiError:
            self.selector = LabelSelector.from_label_selector(None)
        self.topology_key = term.get("topologyKey", "")
        self.weight = weight

    def matches(self, namespace: str, labels: Mapping[str, str], ns_labels: Mapping[str, Mapping[str, str]]) -> bool:
        if namespace not in self.namespaces:
            if self.ns_selector is None or not self.ns_selector.matches(ns_labels.get(namespace) or {}):
                return False
        return self.selector.matches(labels)


class _Affinity:
    """The pod (anti-)affinity terms of one pod."""

    __slots__ = ("required", "required_anti", "preferred", "preferred_anti")

    def __init__(self, spec: Mapping[str, Any], namespace: str, labels: Mapping[str, str]) -> None:
        affinity = spec.get("affinity") or {}
        pa, paa = affinity.get("podAffinity") or {}, affinity.get("podAntiAffinity") or {}
        self.required = [_Term(t, namespace, labels)
                         for t in pa.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
        self.required_anti = [_Term(t, namespace, labels)
                              for t in paa.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
        self.preferred = [_Term(w.get("podAffinityTerm") or {}, namespace, labels, int(w.get("weight") or 0))
                          for w in pa.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        self.preferred_anti = [_Term(w.get("podAffinityTerm") or {}, namespace, labels, int(w.get("weight") or 0))
                               for w in paa.get("preferredDuringSchedulingIgnoredDuringExecution") or []]

    @property
    def empty(self) -> bool:
        return not (self.required or self.required_anti or self.preferred or self.preferred_anti)


def _has_pod_affinity(spec: Mapping[str, Any]) -> bool:
    affinity = spec.get("affinity") or {}
    return bool(affinity.get("podAffinity") or affinity.get("podAntiAffinity"))


# --- the scheduler's cache -------------------------------------------------------------------

class _PodEntry:
    """An assigned, non-terminal pod as the scheduler accounts for it."""

    __slots__ = ("key", "uid", "namespace", "labels", "node", "requests", "nz_cpu", "nz_mem", "priority",
                 "ports", "affinity", "owner", "terminating")

    def __init__(self, pod: Mapping[str, Any]) -> None:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        self.owner = _spread_owner(pod)
        self.terminating = bool(meta.get("deletionTimestamp"))
        self.key = object_key(pod)
        self.uid = meta.get("uid", "")
        self.namespace = meta.get("namespace", "")
        self.labels = meta.get("labels") or {}
        self.node = spec.get("nodeName", "")
        self.requests = pod_requests(spec)
        non_zero = pod_requests(spec, non_zero=True)
        self.nz_cpu, self.nz_mem = non_zero.get("cpu", 0), non_zero.get("memory", 0)
        self.priority = int(spec.get("priority") or 0)
        self.ports = _host_ports(spec)
        self.affinity = _Affinity(spec, self.namespace, self.labels) if _has_pod_affinity(spec) else None


# Kinds whose selector makes up PodTopologySpread's default constraints (helper.DefaultSelector).
_SPREAD_OWNER_KINDS = ("ReplicaSet", "StatefulSet", "ReplicationController")
# The scheduler's default (system) constraints: ScheduleAnyway over hostnames (maxSkew 3) and zones (5).
DEFAULT_SPREAD_CONSTRAINTS = (("kubernetes.io/hostname", 3), ("topology.kubernetes.io/zone", 5))
HOSTNAME_LABEL = "kubernetes.io/hostname"
REASON_SPREAD = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"


def _spread_owner(pod: Mapping[str, Any]) -> str:
    """The uid of the controller whose selector the default spreading counts pods by ("" if none).

    Counting the controller's pods stands in for matching its selector (and the Services'):
    the pods a ReplicaSet or StatefulSet selects are the ones it owns.
    """
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") in _SPREAD_OWNER_KINDS:
            return str(ref.get("uid", ""))
    return ""


def _host_ports(spec: Mapping[str, Any]) -> tuple[tuple[str, str, int], ...]:
    ports = []
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                ports.append((port.get("protocol") or "TCP", port.get("hostIP") or "0.0.0.0", int(port["hostPort"])))
    return tuple(ports)


def _ports_conflict(wanted: Iterable[tuple[str, str, int]], used: Iterable[tuple[str, str, int]]) -> bool:
    for protocol, ip, port in wanted:
        for u_protocol, u_ip, u_port in used:
            if port == u_port and protocol == u_protocol and (ip == u_ip or "0.0.0.0" in (ip, u_ip)):
                return True
    return False


class _NodeInfo:
    """One node: its scheduling-relevant spec and status, and what the pods on it request."""

    __slots__ = ("name", "node", "labels", "hard_taints", "prefer_taints", "unschedulable", "open", "ok", "la_key",
                 "allocatable",
                 "alloc_cpu", "alloc_mem", "alloc_pods", "requested", "req_cpu", "req_mem", "nz_cpu", "nz_mem",
                 "pods", "images", "ports", "zone", "order_key")

    def __init__(self, node: Mapping[str, Any]) -> None:
        self.requested: dict[str, int] = {}
        self.req_cpu = self.req_mem = self.nz_cpu = self.nz_mem = 0
        self.pods: dict[str, _PodEntry] = {}
        self.ports: list[tuple[str, str, int]] = []
        self.update(node)

    def update(self, node: Mapping[str, Any]) -> None:
        meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
        self.node = node
        self.name = meta["name"]
        self.labels = meta.get("labels") or {}
        taints = spec.get("taints") or []
        self.hard_taints = tuple(t for t in taints if t.get("effect") in _HARD_EFFECTS)
        self.prefer_taints = tuple(t for t in taints if t.get("effect") == "PreferNoSchedule")
        self.unschedulable = bool(spec.get("unschedulable"))
        self.open = not self.unschedulable and not self.hard_taints
        self.allocatable = node_allocatable(node)
        self.alloc_cpu = self.allocatable.get("cpu", 0)
        self.alloc_mem = self.allocatable.get("memory", 0)
        self.alloc_pods = self.allocatable.get("pods", 0)
        self.la_key = (self.alloc_cpu, self.nz_cpu, self.alloc_mem, self.nz_mem)
        self.ok = self.open and len(self.pods) < self.alloc_pods
        self.images = {}
        for image in status.get("images") or []:
            for name in image.get("names") or []:
                self.images[name] = int(image.get("sizeBytes") or 0)
        self.zone = (self.labels.get("topology.kubernetes.io/region", ""),
                     self.labels.get("topology.kubernetes.io/zone", ""))
        self.order_key = (meta.get("creationTimestamp", ""), _natural_key(self.name))

    def add(self, entry: _PodEntry) -> None:
        self.pods[entry.key] = entry
        for name, amount in entry.requests.items():
            self.requested[name] = self.requested.get(name, 0) + amount
        self.req_cpu = self.requested.get("cpu", 0)
        self.req_mem = self.requested.get("memory", 0)
        self.nz_cpu += entry.nz_cpu
        self.nz_mem += entry.nz_mem
        self.la_key = (self.alloc_cpu, self.nz_cpu, self.alloc_mem, self.nz_mem)
        self.ok = self.open and len(self.pods) < self.alloc_pods
        self.ports.extend(entry.ports)

    def remove(self, entry: _PodEntry) -> None:
        if self.pods.pop(entry.key, None) is None:
            return
        for name, amount in entry.requests.items():
            self.requested[name] = self.requested.get(name, 0) - amount
        self.req_cpu = self.requested.get("cpu", 0)
        self.req_mem = self.requested.get("memory", 0)
        self.nz_cpu -= entry.nz_cpu
        self.nz_mem -= entry.nz_mem
        self.la_key = (self.alloc_cpu, self.nz_cpu, self.alloc_mem, self.nz_mem)
        self.ok = self.open and len(self.pods) < self.alloc_pods
        for port in entry.ports:
            if port in self.ports:
                self.ports.remove(port)


def _scheduling_relevant(node: Mapping[str, Any]) -> tuple[Any, ...]:
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    return (meta.get("labels"), spec.get("taints"), spec.get("unschedulable"), status.get("allocatable"))


def _is_active_assigned(pod: Mapping[str, Any] | None) -> bool:
    if pod is None:
        return False
    return bool((pod.get("spec") or {}).get("nodeName")) and (pod.get("status") or {}).get("phase") not in (
        "Succeeded", "Failed")


def _needs_scheduling(pod: Mapping[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    return (not spec.get("nodeName") and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
            and not pod["metadata"].get("deletionTimestamp")
            and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"))


class _PodInfo:
    """What one scheduling cycle needs to know about the incoming pod."""

    __slots__ = ("pod", "spec", "namespace", "labels", "requests", "cpu", "mem", "others", "nz_cpu", "nz_mem",
                 "tolerations", "node_selector", "required_terms", "preferred_terms", "affinity", "ports",
                 "images", "priority", "best_effort", "owner", "spread")

    def __init__(self, pod: Mapping[str, Any]) -> None:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        self.pod = pod
        self.spec = spec
        self.namespace = meta.get("namespace", "")
        self.labels = meta.get("labels") or {}
        self.requests = pod_requests(spec)
        self.cpu = self.requests.get("cpu", 0)
        self.mem = self.requests.get("memory", 0)
        self.others = {k: v for k, v in self.requests.items() if k not in ("cpu", "memory") and v > 0}
        non_zero = pod_requests(spec, non_zero=True)
        self.nz_cpu, self.nz_mem = non_zero.get("cpu", 0), non_zero.get("memory", 0)
        self.best_effort = self.cpu == 0 and self.mem == 0
        self.tolerations = [t for t in spec.get("tolerations") or [] if isinstance(t, Mapping)]
        self.node_selector = spec.get("nodeSelector") or {}
        node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_terms = None if required is None else list(required.get("nodeSelectorTerms") or [])
        self.preferred_terms = [(int(p.get("weight") or 0), p.get("preference") or {})
                                for p in node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        self.affinity = _Affinity(spec, self.namespace, self.labels) if _has_pod_affinity(spec) else None
        self.ports = _host_ports(spec)
        images = []
        for container in spec.get("containers") or []:
            try:
                images.append(parse_image(container.get("image", "")).normalized)
            except InvalidImageNameError:
                continue
        self.images = images
        self.priority = int(spec.get("priority") or 0)
        self.owner = _spread_owner(pod)
        self.spread = [_SpreadConstraint(c, self.labels) for c in spec.get("topologySpreadConstraints") or []
                       if isinstance(c, Mapping) and c.get("topologyKey")]

    def matches_node_affinity(self, node: _NodeInfo) -> bool:
        if self.node_selector:
            labels = node.labels
            for k, v in self.node_selector.items():
                if labels.get(k) != v:
                    return False
        if self.required_terms is not None:
            return any(node_selector_term_matches(t, node.node) for t in self.required_terms)
        return True


class _SpreadConstraint:
    """One explicit ``topologySpreadConstraints`` entry."""

    __slots__ = ("key", "max_skew", "hard", "selector", "min_domains", "honor_affinity", "honor_taints")

    def __init__(self, constraint: Mapping[str, Any], pod_labels: Mapping[str, str]) -> None:
        self.key = constraint.get("topologyKey", "")
        self.max_skew = int(constraint.get("maxSkew") or 1)
        self.hard = (constraint.get("whenUnsatisfiable") or "DoNotSchedule") == "DoNotSchedule"
        selector = constraint.get("labelSelector")
        extra = [{"key": k, "operator": "In", "values": [pod_labels[k]]}
                 for k in constraint.get("matchLabelKeys") or [] if k in pod_labels]
        if selector is not None and extra:
            selector = {**selector, "matchExpressions": [*(selector.get("matchExpressions") or []), *extra]}
        try:
            self.selector = LabelSelector.from_label_selector(selector)
        except ApiError:
            self.selector = LabelSelector.from_label_selector(None)
        self.min_domains = int(constraint.get("minDomains") or 1)
        self.honor_affinity = (constraint.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (constraint.get("nodeTaintsPolicy") or "Ignore") == "Honor"


class _Unschedulable:
    __slots__ = ("attempts", "last", "plugins", "namespace", "timer")

    def __init__(self, attempts: int, last: float, plugins: frozenset[str], namespace: str) -> None:
        self.attempts = attempts
        self.last = last
        self.plugins = plugins
        self.namespace = namespace
        self.timer = ""  # the timer key that persists the entry (``_remember_unschedulable``)


class SchedulerController:
    """The default scheduler (``default-scheduler``), as one controller keyed by pod."""

    name = SCHEDULER_NAME
    watches = (("", "Pod"), ("", "Node"), ("", "PersistentVolumeClaim"), ("", "PersistentVolume"))

    def __init__(self) -> None:
        self._nodes: dict[str, _NodeInfo] | None = None
        self._pods: dict[str, _PodEntry] = {}
        self._order: list[_NodeInfo] | None = None
        self._next_start = 0
        self._image_nodes: dict[str, int] = {}
        self._prefer_taint_nodes = 0
        # owner uid -> node -> pods (not terminating), for the default topology spreading
        self._owner_counts: dict[str, dict[str, int]] = {}
        self._anti_affinity_pods: dict[str, _PodEntry] = {}
        self._affinity_pods: dict[str, _PodEntry] = {}
        self._unschedulable: dict[str, _Unschedulable] = {}
        self._restored = False
        self._flush: set[str] = set()
        self._flush_namespaces: set[str] = set()

    # --- cache ---------------------------------------------------------------------------

    def _ensure_cache(self, cluster: Cluster) -> dict[str, _NodeInfo]:
        if self._nodes is None:
            self._nodes = {}
            for node in cluster.store.peek_all("", "Node"):
                self._add_node(node)
            for pod in cluster.store.peek_all("", "Pod"):
                if _is_active_assigned(pod):
                    self._add_pod(pod)
        return self._nodes

    def _add_node(self, node: Mapping[str, Any]) -> None:
        assert self._nodes is not None
        info = _NodeInfo(node)
        self._nodes[info.name] = info
        for entry in self._pods.values():
            if entry.node == info.name:
                info.add(entry)
        for image in info.images:
            self._image_nodes[image] = self._image_nodes.get(image, 0) + 1
        self._prefer_taint_nodes += bool(info.prefer_taints)
        self._order = None

    def _update_node(self, node: Mapping[str, Any]) -> None:
        assert self._nodes is not None
        info = self._nodes.get(node["metadata"]["name"])
        if info is None:
            self._add_node(node)
            return
        old_zone, old_order = info.zone, info.order_key
        for image in info.images:
            self._image_nodes[image] -= 1
        self._prefer_taint_nodes -= bool(info.prefer_taints)
        info.update(node)
        self._prefer_taint_nodes += bool(info.prefer_taints)
        for image in info.images:
            self._image_nodes[image] = self._image_nodes.get(image, 0) + 1
        if info.zone != old_zone or info.order_key != old_order:
            self._order = None

    def _remove_node(self, name: str) -> None:
        assert self._nodes is not None
        info = self._nodes.pop(name, None)
        if info is not None:
            for image in info.images:
                self._image_nodes[image] -= 1
            self._prefer_taint_nodes -= bool(info.prefer_taints)
            self._order = None

    def _add_pod(self, pod: Mapping[str, Any]) -> None:
        entry = _PodEntry(pod)
        self._pods[entry.key] = entry
        if self._nodes is not None:
            info = self._nodes.get(entry.node)
            if info is not None:
                info.add(entry)
        if entry.affinity is not None:
            self._affinity_pods[entry.key] = entry
            if entry.affinity.required_anti:
                self._anti_affinity_pods[entry.key] = entry
        if entry.owner and not entry.terminating:
            counts = self._owner_counts.setdefault(entry.owner, {})
            counts[entry.node] = counts.get(entry.node, 0) + 1

    def _remove_pod(self, key: str) -> _PodEntry | None:
        entry = self._pods.pop(key, None)
        if entry is None:
            return None
        if entry.owner and not entry.terminating:
            counts = self._owner_counts.get(entry.owner)
            if counts is not None:
                counts[entry.node] = counts.get(entry.node, 0) - 1
                if counts[entry.node] <= 0:
                    del counts[entry.node]
                if not counts:
                    del self._owner_counts[entry.owner]
        if self._nodes is not None:
            info = self._nodes.get(entry.node)
            if info is not None:
                info.remove(entry)
        self._affinity_pods.pop(key, None)
        self._anti_affinity_pods.pop(key, None)
        return entry

    def _node_order(self) -> list[_NodeInfo]:
        """Nodes interleaved zone by zone (the scheduler's NodeTree)."""
        if self._order is None:
            assert self._nodes is not None
            zones: dict[tuple[str, str], list[_NodeInfo]] = {}
            for info in sorted(self._nodes.values(), key=lambda n: n.order_key):
                zones.setdefault(info.zone, []).append(info)
            lists = list(zones.values())
            order: list[_NodeInfo] = []
            for i in range(max((len(lst) for lst in lists), default=0)):
                order.extend(lst[i] for lst in lists if i < len(lst))
            self._order = order
            if self._next_start >= len(order):
                self._next_start = 0
        return self._order

    # --- watch -----------------------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Pending pods to schedule; cache upkeep; retries for unschedulable pods."""
        self._restore_unschedulable(cluster)
        kind = event.kind.kind
        if kind == "Pod":
            return self._pod_event(cluster, event)
        if kind == "Node":
            if self._nodes is not None:
                if event.type == "DELETED":
                    self._remove_node(event.object["metadata"]["name"])
                    return ()
                relevant = event.old is None or _scheduling_relevant(event.object) != _scheduling_relevant(event.old)
                self._update_node(event.object)
                if relevant:
                    return self._request_flush({"*"})
                return ()
            return self._request_flush({"*"}) if self._unschedulable else ()
        # PersistentVolumeClaim / PersistentVolume
        namespace = event.object["metadata"].get("namespace", "")
        if namespace:
            self._flush_namespaces.add(namespace)
        return self._request_flush({"VolumeBinding"})

    def _request_flush(self, plugins: set[str]) -> Iterable[str]:
        if not self._unschedulable:
            return ()
        self._flush |= plugins
        return (_FLUSH_KEY,)

    def _pod_event(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        new, old = event.object, event.old
        key = object_key(new)
        keys: list[str] = []
        if self._nodes is not None:
            was = _is_active_assigned(old) and event.type != "ADDED"
            now_active = event.type != "DELETED" and _is_active_assigned(new)
            if was and now_active and old is not None:
                if (old is not new and (old["spec"].get("nodeName") != new["spec"].get("nodeName")
                                        or old["metadata"].get("labels") != new["metadata"].get("labels")
                                        or bool(old["metadata"].get("deletionTimestamp"))
                                        != bool(new["metadata"].get("deletionTimestamp")))):
                    self._remove_pod(key)
                    self._add_pod(new)
                    keys.extend(self._request_flush({"InterPodAffinity"}))
            elif now_active:
                self._remove_pod(key)
                self._add_pod(new)
                keys.extend(self._request_flush({"InterPodAffinity"}))
            elif was or key in self._pods:
                self._remove_pod(key)
                keys.extend(self._request_flush({"NodeResourcesFit", "InterPodAffinity", "NodePorts"}))
        if event.type == "DELETED":
            self._forget_unschedulable(cluster, key)
            return keys
        if _needs_scheduling(new):
            if event.type == "ADDED" or old is None:
                keys.append(key)
            elif key not in self._unschedulable:
                keys.append(key)
            elif (old.get("spec") != new.get("spec") or old["metadata"].get("labels") != new["metadata"].get("labels")
                  or old["metadata"].get("annotations") != new["metadata"].get("annotations")):
                keys.append(key)
        return keys

    # --- sync ------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Schedule one pod (or requeue the unschedulable pods a change may help)."""
        self._restore_unschedulable(cluster)
        if key == _FLUSH_KEY:
            self._flush_unschedulable(cluster)
            return
        namespace, name = split_key(key)
        pod = cluster.store.peek("", "Pod", namespace, name)
        if pod is None or not _needs_scheduling(pod):
            self._forget_unschedulable(cluster, key)
            return
        waiting = self._unschedulable.get(key)
        now = cluster.clock.now
        if waiting is not None:
            ready_at = waiting.last + self._backoff(waiting.attempts)
            if now < ready_at:
                cluster.enqueue_after(self.name, key, ready_at - now)
                return
        gates = (pod.get("spec") or {}).get("schedulingGates") or []
        if gates:
            self._set_condition(cluster, pod, "SchedulingGated",
                                "Scheduling is blocked due to non-empty scheduling gates")
            return
        self._ensure_cache(cluster)
        node_name, message, plugins = self._schedule(cluster, pod)
        if node_name is not None:
            self._bind(cluster, pod, node_name)
            self._forget_unschedulable(cluster, key)
            return
        attempts = waiting.attempts + 1 if waiting is not None else 1
        self._remember_unschedulable(cluster, key, pod, _Unschedulable(attempts, now, frozenset(plugins), namespace))
        cluster.events.record(pod, "Warning", "FailedScheduling", message, component=SCHEDULER_NAME)
        self._set_condition(cluster, pod, "Unschedulable", message)
        cluster.enqueue_after(self.name, key, POD_MAX_IN_UNSCHEDULABLE_SECONDS)

    def _unschedulable_timer(self, key: str, uid: str, waiting: _Unschedulable) -> str:
        return (f"{self.name}|{_UNSCHEDULABLE_STEP}{key}#{uid}#{waiting.attempts}#{waiting.last!r}#"
                f"{','.join(sorted(waiting.plugins))}")

    def _remember_unschedulable(self, cluster: Cluster, key: str, pod: Mapping[str, Any],
                                waiting: _Unschedulable) -> None:
        """Keep a pod in the unschedulable queue, mirrored in a timer key: a command reopening the
        cluster must retry it when the cluster changes, after the same back-off."""
        self._forget_unschedulable(cluster, key)
        waiting.timer = self._unschedulable_timer(key, pod["metadata"].get("uid", ""), waiting)
        self._unschedulable[key] = waiting
        cluster.clock.schedule(math.inf, waiting.timer)

    def _forget_unschedulable(self, cluster: Cluster, key: str) -> None:
        """Drop a pod from the unschedulable queue with its timer key (a long-running server
        would otherwise keep one per pod that ever waited)."""
        waiting = self._unschedulable.pop(key, None)
        if waiting is not None:
            cluster.clock.cancel(waiting.timer)

    def _restore_unschedulable(self, cluster: Cluster) -> None:
        """Reload the unschedulable queue from the timer keys (once per process): the entries of
        pods that still wait for a node; the others' timers are dropped."""
        if self._restored:
            return
        self._restored = True
        prefix = f"{self.name}|{_UNSCHEDULABLE_STEP}"
        for _at, timer in cluster.clock.pending():
            if not timer.startswith(prefix):
                continue
            key, uid, attempts, last, plugins = timer[len(prefix):].split("#")
            namespace, name = split_key(key)
            pod = cluster.store.peek("", "Pod", namespace, name)
            if pod is None or pod["metadata"].get("uid", "") != uid or not _needs_scheduling(pod):
                cluster.clock.cancel(timer)
                continue
            waiting = _Unschedulable(int(attempts), float(last), frozenset(plugins.split(",")) - {""}, namespace)
            waiting.timer = timer
            self._unschedulable[key] = waiting

    @staticmethod
    def _backoff(attempts: int) -> float:
        return min(POD_INITIAL_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), POD_MAX_BACKOFF_SECONDS)

    def _flush_unschedulable(self, cluster: Cluster) -> None:
        plugins, namespaces = self._flush, self._flush_namespaces
        self._flush, self._flush_namespaces = set(), set()
        now = cluster.clock.now
        everything = "*" in plugins
        # by pod key: the queue's insertion order is lost when a command reopens the cluster
        for key, waiting in sorted(self._unschedulable.items(), key=lambda item: item[0]):
            if not everything and not (waiting.plugins & plugins):
                continue
            if not everything and waiting.plugins == {"VolumeBinding"} and waiting.namespace not in namespaces:
                continue
            ready_at = waiting.last + self._backoff(waiting.attempts)
            cluster.enqueue_after(self.name, key, max(0.0, ready_at - now))

    def _set_condition(self, cluster: Cluster, pod: Mapping[str, Any], reason: str, message: str) -> None:
        status = pod.get("status") or {}
        conditions = list(status.get("conditions") or [])
        current = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
        if (current is not None and current.get("status") == "False" and current.get("reason") == reason
                and current.get("message") == message):
            return
        condition = {"type": "PodScheduled", "status": "False", "reason": reason, "message": message,
                     "lastTransitionTime": (current.get("lastTransitionTime") if current is not None
                                            and current.get("status") == "False" else cluster.clock.now_rfc3339())}
        conditions = [c for c in conditions if c.get("type") != "PodScheduled"] + [condition]
        meta = pod["metadata"]
        try:
            cluster.store.update_status({"apiVersion": "v1", "kind": "Pod",
                                         "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
                                         "status": {**status, "conditions": conditions}},
                                        field_manager=SCHEDULER_NAME, copy=False)
        except NotFoundError:
            pass

    def _bind(self, cluster: Cluster, pod: Mapping[str, Any], node_name: str) -> None:
        meta = pod["metadata"]
        try:
            cluster.store.bind_pod(meta["name"], node_name, namespace=meta["namespace"])
        except (NotFoundError, ConflictError):
            return
        self._select_node_for_claims(cluster, pod, node_name)
        cluster.events.record(pod, "Normal", "Scheduled",
                              f"Successfully assigned {meta['namespace']}/{meta['name']} to {node_name}",
                              component=SCHEDULER_NAME)

    # --- one scheduling cycle -------------------------------------------------------------

    def _schedule(self, cluster: Cluster, pod: Mapping[str, Any]) -> tuple[str | None, str, set[str]]:
        """Returns ``(node, "", set())`` or ``(None, FitError message, plugins that failed)``."""
        assert self._nodes is not None
        info = _PodInfo(pod)
        order = self._node_order()
        total = len(order)
        if total == 0:
            return None, "no nodes available to schedule pods", {"*"}
        prefilter_message, claims = self._prefilter_volumes(cluster, info)
        if prefilter_message:
            message = f"0/{total} nodes are available: {prefilter_message}."
            message += " " + self._preemption_message(info, {}, total, all_unresolvable=True)
            return None, message, {"VolumeBinding"}
        candidates: list[_NodeInfo] | None = None
        absent_reason = ""
        restricted = self._prefilter_node_names(info)
        if restricted is not None:
            candidates = [self._nodes[n] for n in sorted(restricted) if n in self._nodes]
            absent_reason = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
        affinity_state = self._prefilter_pod_affinity(cluster, info)
        spread_state = self._prefilter_spread(info)

        statuses: dict[str, tuple[bool, list[str], str]] = {}
        feasible: list[_NodeInfo] = []
        if candidates is not None:
            for node in candidates:
                status = self._filter(info, node, claims, affinity_state, spread_state)
                if status is None:
                    feasible.append(node)
                else:
                    statuses[node.name] = status
        else:
            want = num_feasible_nodes_to_find(total)
            start = self._next_start
            simple = (not info.node_selector and info.required_terms is None and not info.ports and not claims
                      and affinity_state is None and spread_state is None and not info.others)
            processed = 0
            if simple:
                feasible, processed = self._simple_feasible(info, order, start, want, statuses)
            else:
                i = start
                while processed < total and len(feasible) < want:
                    node = order[i]
                    i = i + 1 if i + 1 < total else 0
                    processed += 1
                    status = self._filter(info, node, claims, affinity_state, spread_state)
                    if status is None:
                        feasible.append(node)
                    else:
                        statuses[node.name] = status
            self._next_start = (start + processed) % total
        if not feasible:
            return None, self._fit_error(info, statuses, total, absent_reason), {p for _, _, p in statuses.values()}
        if len(feasible) == 1:
            return feasible[0].name, "", set()
        return self._select_host(cluster, info, feasible, affinity_state), "", set()

    def _simple_feasible(self, info: _PodInfo, order: list[_NodeInfo], start: int, want: int,
                         statuses: dict[str, tuple[bool, list[str], str]]) -> tuple[list[_NodeInfo], int]:
        """The filter loop for pods without node/pod affinity, ports, claims or extended
        resources (the common case): the cheap checks in one comprehension per chunk, the full
        filters only for the nodes that fail them (to get their reasons)."""
        total = len(order)
        cpu, mem = info.cpu, info.mem
        feasible: list[_NodeInfo] = []
        pos = 0
        while len(feasible) < want and pos < total:
            begin = (start + pos) % total
            size = min(want - len(feasible), total - pos, total - begin)
            chunk = order[begin:begin + size]
            pos += size
            if cpu or mem:
                ok = [n for n in chunk if n.ok and cpu <= n.alloc_cpu - n.req_cpu and mem <= n.alloc_mem - n.req_mem]
            else:
                ok = [n for n in chunk if n.ok]
            if len(ok) == len(chunk):
                feasible.extend(ok)
                continue
            passed = set(map(id, ok))
            for node in chunk:
                if id(node) in passed:
                    feasible.append(node)
                    continue
                status = self._filter(info, node, (), None)
                if status is None:
                    feasible.append(node)
                else:
                    statuses[node.name] = status
        return feasible, pos

    def _prefilter_node_names(self, info: _PodInfo) -> set[str] | None:
        """NodeAffinity's PreFilter: terms whose every branch pins ``metadata.name`` restrict the
        nodes to look at."""
        if not info.required_terms:
            return None
        names: set[str] = set()
        for term in info.required_terms:
            pinned = [f for f in term.get("matchFields") or []
                      if f.get("key") == "metadata.name" and f.get("operator") == "In"]
            if not pinned:
                return None
            term_names = set(pinned[0].get("values") or [])
            for extra in pinned[1:]:
                term_names &= set(extra.get("values") or [])
            names |= term_names
        return names

    def _prefilter_volumes(self, cluster: Cluster, info: _PodInfo) -> tuple[str, list[Mapping[str, Any]]]:
        """VolumeBinding's PreFilter: why the pod cannot be scheduled (or ""), and the required
        node affinities of the PersistentVolumes its bound claims use."""
        claims: list[Mapping[str, Any]] = []
        unbound = False
        pod_name = info.pod["metadata"]["name"]
        for volume in info.spec.get("volumes") or []:
            if "persistentVolumeClaim" in volume:
                claim_name = (volume["persistentVolumeClaim"] or {}).get("claimName", "")
            elif "ephemeral" in volume:
                claim_name = f"{pod_name}-{volume.get('name', '')}"
            else:
                continue
            claim = cluster.store.peek("", "PersistentVolumeClaim", info.namespace, claim_name)
            if claim is None:
                if "ephemeral" in volume:
                    return (f'waiting for ephemeral volume controller to create the persistentvolumeclaim '
                            f'"{claim_name}"'), []
                return f'persistentvolumeclaim "{claim_name}" not found', []
            if claim["metadata"].get("deletionTimestamp"):
                return f'persistentvolumeclaim "{claim_name}" is being deleted', []
            volume_name = (claim.get("spec") or {}).get("volumeName")
            if (claim.get("status") or {}).get("phase") != "Bound" and not volume_name:
                if not self._delayed_binding(cluster, claim):
                    unbound = True
                continue
            pv = cluster.store.peek("", "PersistentVolume", "", volume_name) if volume_name else None
            required = (((pv or {}).get("spec") or {}).get("nodeAffinity") or {}).get("required")
            if required:
                claims.append(required)
        if unbound:
            return REASON_UNBOUND_CLAIMS, claims
        return "", claims

    @staticmethod
    def _delayed_binding(cluster: Cluster, claim: Mapping[str, Any]) -> bool:
        class_name = (claim.get("spec") or {}).get("storageClassName")
        if not class_name:
            return False
        storage_class = cluster.store.peek("storage.k8s.io", "StorageClass", "", class_name)
        return storage_class is not None and storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"

    def _select_node_for_claims(self, cluster: Cluster, pod: Mapping[str, Any], node_name: str) -> None:
        """Delayed-binding claims learn the chosen node (``volume.kubernetes.io/selected-node``)."""
        namespace = pod["metadata"]["namespace"]
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim_name = ((volume.get("persistentVolumeClaim") or {}).get("claimName")
                          or (f"{pod['metadata']['name']}-{volume.get('name', '')}" if "ephemeral" in volume else ""))
            if not claim_name:
                continue
            claim = cluster.store.peek("", "PersistentVolumeClaim", namespace, claim_name)
            if claim is None or (claim.get("status") or {}).get("phase") == "Bound":
                continue
            if not self._delayed_binding(cluster, claim):
                continue
            annotations = claim["metadata"].get("annotations") or {}
            if annotations.get("volume.kubernetes.io/selected-node") == node_name:
                continue
            try:
                selected = {"metadata": {"annotations": {"volume.kubernetes.io/selected-node": node_name}}}
                cluster.store.patch("v1", "PersistentVolumeClaim", claim_name, namespace=namespace, patch=selected,
                                    field_manager=SCHEDULER_NAME, copy=False)
            except ApiError:
                continue

    def _prefilter_pod_affinity(self, cluster: Cluster, info: _PodInfo) -> dict[str, Any] | None:
        """InterPodAffinity's PreFilter: topology counts for the pod's terms and for existing pods'
        anti-affinity terms matching it. None when nothing can fail."""
        existing: dict[tuple[str, str], int] = {}
        affinity = info.affinity
        if not self._anti_affinity_pods and (affinity is None or not (affinity.required or affinity.required_anti)):
            return None
        ns_labels = self._namespace_labels(cluster)
        assert self._nodes is not None
        for entry in self._anti_affinity_pods.values():
            node = self._nodes.get(entry.node)
            if node is None or entry.affinity is None:
                continue
            for term in entry.affinity.required_anti:
                if term.matches(info.namespace, info.labels, ns_labels) and term.topology_key in node.labels:
                    pair = (term.topology_key, node.labels[term.topology_key])
                    existing[pair] = existing.get(pair, 0) + 1
        if affinity is None or not (affinity.required or affinity.required_anti):
            return {"existing": existing, "affinity": {}, "anti": {}, "terms": affinity} if existing else None
        counts: dict[tuple[str, str], int] = {}
        anti: dict[tuple[str, str], int] = {}
        for entry in self._pods.values():
            node = self._nodes.get(entry.node)
            if node is None:
                continue
            if affinity.required and all(t.matches(entry.namespace, entry.labels, ns_labels)
                                         for t in affinity.required):
                for term in affinity.required:
                    if term.topology_key in node.labels:
                        pair = (term.topology_key, node.labels[term.topology_key])
                        counts[pair] = counts.get(pair, 0) + 1
            for term in affinity.required_anti:
                if term.matches(entry.namespace, entry.labels, ns_labels) and term.topology_key in node.labels:
                    pair = (term.topology_key, node.labels[term.topology_key])
                    anti[pair] = anti.get(pair, 0) + 1
        self_match = bool(affinity.required) and all(t.matches(info.namespace, info.labels, ns_labels)
                                                       for t in affinity.required)
        return {"existing": existing, "affinity": counts, "anti": anti, "terms": affinity, "self_match": self_match}

    @staticmethod
    def _namespace_labels(cluster: Cluster) -> dict[str, Mapping[str, str]]:
        return {ns["metadata"]["name"]: ns["metadata"].get("labels") or {}
                for ns in cluster.store.peek_all("", "Namespace")}

    def _filter(self, info: _PodInfo, node: _NodeInfo, claims: Sequence[Mapping[str, Any]],
                affinity_state: Mapping[str, Any] | None,
                spread_state: tuple[Any, ...] | None = None) -> tuple[bool, list[str], str] | None:
        """Run the filter plugins in order; None if the node fits, else
        ``(resolvable_by_preemption, reasons, plugin)``."""
        if node.unschedulable and not any(
                tolerates_taint(t, {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}) for t in info.tolerations):
            return False, [REASON_UNSCHEDULABLE], "NodeUnschedulable"
        if node.hard_taints and find_untolerated_taint(node.hard_taints, info.tolerations) is not None:
            return False, [REASON_TAINT], "TaintToleration"
        if (info.node_selector or info.required_terms is not None) and not info.matches_node_affinity(node):
            return False, [REASON_AFFINITY], "NodeAffinity"
        if info.ports and _ports_conflict(info.ports, node.ports):
            return True, [REASON_PORTS], "NodePorts"
        reasons = self._fit_reasons(info, node)
        if reasons:
            unresolvable = any(info.requests.get(name, 0) > node.allocatable.get(name, 0)
                               for name in ("cpu", "memory") if info.requests.get(name, 0) > 0)
            return not unresolvable, reasons, "NodeResourcesFit"
        for required in claims:
            if not any(node_selector_term_matches(t, node.node) for t in required.get("nodeSelectorTerms") or []):
                return False, [REASON_PV_AFFINITY], "VolumeBinding"
        if spread_state is not None:
            hard, counts, minimums, self_match = spread_state
            for i, constraint in enumerate(hard):
                value = node.labels.get(constraint.key)
                if value is None:
                    return False, [REASON_SPREAD_LABEL], "PodTopologySpread"
                if counts[i].get(value, 0) + self_match[i] - minimums[i] > constraint.max_skew:
                    return True, [REASON_SPREAD], "PodTopologySpread"
        if affinity_state is not None:
            reason, resolvable = self._pod_affinity_reason(affinity_state, node)
            if reason:
                return resolvable, [reason], "InterPodAffinity"
        return None

    @staticmethod
    def _fit_reasons(info: _PodInfo, node: _NodeInfo) -> list[str]:
        reasons = []
        if len(node.pods) + 1 > node.alloc_pods:
            reasons.append(REASON_TOO_MANY_PODS)
        if info.cpu and info.cpu > node.alloc_cpu - node.req_cpu:
            reasons.append("Insufficient cpu")
        if info.mem and info.mem > node.alloc_mem - node.req_mem:
            reasons.append("Insufficient memory")
        for name, amount in info.others.items():
            if amount > node.allocatable.get(name, 0) - node.requested.get(name, 0):
                reasons.append(f"Insufficient {name}")
        return reasons

    def _spread_eligible(self, info: _PodInfo, constraint: _SpreadConstraint, node: _NodeInfo) -> bool:
        if constraint.honor_affinity and (info.node_selector or info.required_terms is not None) \
                and not info.matches_node_affinity(node):
            return False
        return not (constraint.honor_taints and node.hard_taints
                    and find_untolerated_taint(node.hard_taints, info.tolerations) is not None)

    def _matching_counts(self, info: _PodInfo, constraints: Sequence[_SpreadConstraint],
                         domains: list[dict[str, int]]) -> None:
        """Add the pods matching each constraint's selector to its domains' counts."""
        assert self._nodes is not None
        for entry in self._pods.values():
            if entry.terminating or entry.namespace != info.namespace:
                continue
            node = self._nodes.get(entry.node)
            if node is None:
                continue
            for i, constraint in enumerate(constraints):
                value = node.labels.get(constraint.key)
                if value is not None and value in domains[i] and constraint.selector.matches(entry.labels):
                    domains[i][value] += 1

    def _prefilter_spread(self, info: _PodInfo) -> tuple[Any, ...] | None:
        """PodTopologySpread's PreFilter for ``DoNotSchedule`` constraints: matching pods per
        eligible domain and each constraint's global minimum."""
        hard = [c for c in info.spread if c.hard]
        if not hard:
            return None
        assert self._nodes is not None
        keys = [c.key for c in hard]
        domains: list[dict[str, int]] = [{} for _ in hard]
        for node in self._nodes.values():
            if not all(k in node.labels for k in keys):
                continue
            for i, constraint in enumerate(hard):
                if self._spread_eligible(info, constraint, node):
                    domains[i].setdefault(node.labels[constraint.key], 0)
        self._matching_counts(info, hard, domains)
        minimums = [0 if len(d) < c.min_domains else min(d.values(), default=0) for c, d in zip(hard, domains)]
        self_match = [1 if c.selector.matches(info.labels) else 0 for c in hard]
        return hard, domains, minimums, self_match

    def _spread_scores(self, info: _PodInfo, feasible: list[_NodeInfo]) -> list[int] | None:
        """PodTopologySpread's Score: ``ScheduleAnyway`` constraints, or the default system
        constraints (hostname maxSkew 3, zone maxSkew 5) for pods a ReplicaSet or StatefulSet owns.
        Fewer matching pods in a node's domains is better."""
        if info.spread:
            soft = [c for c in info.spread if not c.hard]
            if not soft:
                return None
            domains: list[dict[str, int]] = [{} for _ in soft]
            for node in feasible:
                for i, constraint in enumerate(soft):
                    if constraint.key in node.labels:
                        domains[i].setdefault(node.labels[constraint.key], 0)
            self._matching_counts(info, soft, domains)
            terms = [(c.key, c.max_skew, d) for c, d in zip(soft, domains)]
        else:
            if not info.owner:
                return None
            per_node = self._owner_counts.get(info.owner, {})
            assert self._nodes is not None
            zones: dict[str, int] = {}
            for name, count in per_node.items():
                where = self._nodes.get(name)
                if where is not None and DEFAULT_SPREAD_CONSTRAINTS[1][0] in where.labels:
                    zone = where.labels[DEFAULT_SPREAD_CONSTRAINTS[1][0]]
                    zones[zone] = zones.get(zone, 0) + count
            hosts = {n.labels.get(HOSTNAME_LABEL, n.name): per_node.get(n.name, 0) for n in feasible}
            terms = [(HOSTNAME_LABEL, DEFAULT_SPREAD_CONSTRAINTS[0][1], hosts),
                     (DEFAULT_SPREAD_CONSTRAINTS[1][0], DEFAULT_SPREAD_CONSTRAINTS[1][1], zones)]
        weights = []
        for key, _skew, _counts in terms:
            size = len({n.labels[key] for n in feasible if key in n.labels})
            weights.append(math.log(size + 2))
        raw = []
        for node in feasible:
            score = 0.0
            for (key, skew, counts), weight in zip(terms, weights):
                value = node.labels.get(key)
                if value is not None:
                    score += counts.get(value, 0) * weight + (skew - 1)
            raw.append(round(score))
        high, low = max(raw), min(raw)
        if high == 0:
            return [MAX_NODE_SCORE] * len(raw)
        return [MAX_NODE_SCORE * (high + low - score) // high for score in raw]

    @staticmethod
    def _pod_affinity_reason(state: Mapping[str, Any], node: _NodeInfo) -> tuple[str, bool]:
        labels = node.labels
        terms: _Affinity | None = state["terms"]
        if terms is not None and terms.required:
            counts = state["affinity"]
            pods_exist = True
            for term in terms.required:
                if term.topology_key not in labels:
                    return REASON_POD_AFFINITY, False
                if counts.get((term.topology_key, labels[term.topology_key]), 0) <= 0:
                    pods_exist = False
            if not pods_exist and not (not counts and state.get("self_match")):
                return REASON_POD_AFFINITY, False
        if terms is not None and terms.required_anti and state["anti"]:
            for term in terms.required_anti:
                value = labels.get(term.topology_key)
                if value is not None and state["anti"].get((term.topology_key, value), 0) > 0:
                    return REASON_POD_ANTI_AFFINITY, True
        existing = state["existing"]
        if existing:
            for key, value in labels.items():
                if existing.get((key, value), 0) > 0:
                    return REASON_EXISTING_ANTI_AFFINITY, True
        return "", True

    # --- failure message ----------------------------------------------------------------

    def _fit_error(self, info: _PodInfo, statuses: Mapping[str, tuple[bool, list[str], str]], total: int,
                   absent_reason: str) -> str:
        histogram: dict[str, int] = {}
        for _, reasons, _ in statuses.values():
            for reason in reasons:
                histogram[reason] = histogram.get(reason, 0) + 1
        absent = total - len(statuses)
        if absent > 0 and absent_reason:
            histogram[absent_reason] = histogram.get(absent_reason, 0) + absent
        message = f"0/{total} nodes are available:"
        parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
        if parts:
            message += f" {', '.join(parts)}."
        resolvable = {name: status for name, status in statuses.items() if status[0]}
        return message + " " + self._preemption_message(info, resolvable, total, all_unresolvable=not resolvable)

    def _preemption_message(self, info: _PodInfo, resolvable: Mapping[str, tuple[bool, list[str], str]],
                            total: int, *, all_unresolvable: bool) -> str:
        """DefaultPreemption's PostFilter message (preemption itself is not simulated: a pod only
        preempts lower-priority pods, and without them there are no victims)."""
        if (info.spec.get("preemptionPolicy") or "PreemptLowerPriority") == "Never":
            return "preemption: not eligible due to preemptionPolicy=Never."
        histogram: dict[str, int] = {}
        not_helpful = total - (0 if all_unresolvable else len(resolvable))
        if not_helpful:
            histogram[REASON_PREEMPTION_NOT_HELPFUL] = not_helpful
        assert self._nodes is not None
        for name, (_, reasons, _) in resolvable.items():
            node = self._nodes.get(name)
            victims = [] if node is None else [p for p in node.pods.values() if p.priority < info.priority]
            if not victims:
                histogram[REASON_NO_VICTIMS] = histogram.get(REASON_NO_VICTIMS, 0) + 1
            else:
                for reason in reasons:
                    histogram[reason] = histogram.get(reason, 0) + 1
        parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
        return f"preemption: 0/{total} nodes are available: {', '.join(parts)}."

    # --- scoring ------------------------------------------------------------------------

    def _select_host(self, cluster: Cluster, info: _PodInfo, feasible: list[_NodeInfo],
                     affinity_state: Mapping[str, Any] | None) -> str:
        nz_cpu, nz_mem = info.nz_cpu, info.nz_mem
        # NodeResourcesFit: LeastAllocated over cpu and memory (non-zero requests), computed once
        # per distinct node state (most nodes of a cluster look alike).
        keys = [n.la_key for n in feasible]
        least = {}
        for key in set(keys):
            alloc_cpu, used_cpu, alloc_mem, used_mem = key
            cpu_score = ((alloc_cpu - used_cpu - nz_cpu) * MAX_NODE_SCORE // alloc_cpu
                         if alloc_cpu and used_cpu + nz_cpu <= alloc_cpu else 0)
            mem_score = ((alloc_mem - used_mem - nz_mem) * MAX_NODE_SCORE // alloc_mem
                         if alloc_mem and used_mem + nz_mem <= alloc_mem else 0)
            least[key] = (cpu_score + mem_score) // 2 * WEIGHT_NODE_RESOURCES_FIT
        totals = [least[key] for key in keys]
        if not info.best_effort:
            cpu, mem = info.cpu, info.mem
            for i, n in enumerate(feasible):
                fc = min((n.req_cpu + cpu) / n.alloc_cpu, 1.0) if n.alloc_cpu else 1.0
                fm = min((n.req_mem + mem) / n.alloc_mem, 1.0) if n.alloc_mem else 1.0
                totals[i] += int((1 - abs(fc - fm) / 2) * MAX_NODE_SCORE) * WEIGHT_BALANCED_ALLOCATION
        if self._image_nodes and info.images:
            present = [(img, self._image_nodes.get(img, 0)) for img in info.images]
            if any(count for _, count in present):
                num_nodes = len(self._nodes or {}) or 1
                threshold_max = IMAGE_MAX_CONTAINER_THRESHOLD * len(info.spec.get("containers") or [])
                for i, n in enumerate(feasible):
                    total = 0
                    for img, count in present:
                        size = n.images.get(img)
                        if size:
                            total += int(size * count / num_nodes)
                    total = min(max(total, IMAGE_MIN_THRESHOLD), threshold_max)
                    totals[i] += (MAX_NODE_SCORE * (total - IMAGE_MIN_THRESHOLD)
                                  // (threshold_max - IMAGE_MIN_THRESHOLD)) * WEIGHT_IMAGE_LOCALITY
        if self._prefer_taint_nodes and any(n.prefer_taints for n in feasible):
            prefer = [t for t in info.tolerations if not t.get("effect") or t.get("effect") == "PreferNoSchedule"]
            counts = [sum(1 for t in n.prefer_taints if not any(tolerates_taint(x, t) for x in prefer))
                      for n in feasible]
            self._add_normalized(totals, counts, WEIGHT_TAINT_TOLERATION, reverse=True)
        if info.preferred_terms:
            counts = [sum(w for w, term in info.preferred_terms if node_selector_term_matches(term, n.node))
                      for n in feasible]
            self._add_normalized(totals, counts, WEIGHT_NODE_AFFINITY, reverse=False)
        spread = self._spread_scores(info, feasible)
        if spread is not None:
            totals = [total + score * WEIGHT_POD_TOPOLOGY_SPREAD for total, score in zip(totals, spread)]
        pod_scores = self._pod_affinity_scores(cluster, info, feasible)
        if pod_scores is not None:
            low, high = min(pod_scores), max(pod_scores)
            if high > low:
                for i, score in enumerate(pod_scores):
                    totals[i] += int(MAX_NODE_SCORE * ((score - low) / (high - low))) * WEIGHT_INTER_POD_AFFINITY
        best = max(totals)
        ties = [n for n, score in zip(feasible, totals) if score == best]
        return ties[0].name if len(ties) == 1 else ties[cluster.rng.randrange(len(ties))].name

    @staticmethod
    def _add_normalized(totals: list[int], scores: list[int], weight: int, *, reverse: bool) -> None:
        """``helper.DefaultNormalizeScore``."""
        high = max(scores)
        for i, score in enumerate(scores):
            if high == 0:
                value = MAX_NODE_SCORE if reverse else 0
            else:
                value = MAX_NODE_SCORE * score // high
                if reverse:
                    value = MAX_NODE_SCORE - value
            totals[i] += value * weight

    def _pod_affinity_scores(self, cluster: Cluster, info: _PodInfo, feasible: list[_NodeInfo]) -> list[int] | None:
        """InterPodAffinity's Score: preferred terms of the pod over existing pods, and existing
        pods' required (weight 1) and preferred terms over the pod."""
        affinity = info.affinity
        has_preferred = affinity is not None and bool(affinity.preferred or affinity.preferred_anti)
        if not has_preferred and not self._affinity_pods:
            return None
        assert self._nodes is not None
        ns_labels = self._namespace_labels(cluster)
        topology: dict[tuple[str, str], int] = {}

        def add(term: _Term, node: _NodeInfo, weight: int) -> None:
            value = node.labels.get(term.topology_key)
            if value is not None:
                pair = (term.topology_key, value)
                topology[pair] = topology.get(pair, 0) + weight

        entries = self._pods.values() if has_preferred else self._affinity_pods.values()
        for entry in entries:
            node = self._nodes.get(entry.node)
            if node is None:
                continue
            if has_preferred and affinity is not None:
                for term in affinity.preferred:
                    if term.matches(entry.namespace, entry.labels, ns_labels):
                        add(term, node, term.weight)
                for term in affinity.preferred_anti:
                    if term.matches(entry.namespace, entry.labels, ns_labels):
                        add(term, node, -term.weight)
            other = entry.affinity
            if other is None:
                continue
            for term in other.required:
                if term.matches(info.namespace, info.labels, ns_labels):
                    add(term, node, HARD_POD_AFFINITY_WEIGHT)
            for term in other.preferred:
                if term.matches(info.namespace, info.labels, ns_labels):
                    add(term, node, term.weight)
            for term in other.preferred_anti:
                if term.matches(info.namespace, info.labels, ns_labels):
                    add(term, node, -term.weight)
        if not topology:
            return None
        return [sum(score for (key, value), score in topology.items() if n.labels.get(key) == value) for n in feasible]
