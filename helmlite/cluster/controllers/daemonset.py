"""The DaemonSet controller (kubernetes-simulation.md §1.4; ``pkg/controller/daemon``).

One pod per node the DaemonSet should run on (``NodeShouldRunDaemonPod``): the node must pass
the template's ``nodeName``, ``nodeSelector`` and required node affinity, and its NoSchedule
and NoExecute taints must be tolerated — counting the tolerations every DaemonSet pod gets
(``node.kubernetes.io/not-ready`` and ``unreachable`` NoExecute, ``disk-pressure``,
``memory-pressure``, ``pid-pressure`` and ``unschedulable`` NoSchedule, plus
``network-unavailable`` for host-network pods). A pod already running stays while only
NoSchedule taints are untolerated.

The controller does not bind: each pod (``<ds>-<5 random chars>``) carries a required node
affinity ``matchFields metadata.name In [<node>]`` and the scheduler places it. Nodes being
added, removed or relabelled wake the DaemonSets whose verdict for that node changed.

The sync follows ``syncDaemonSet``: the template is recorded as a ControllerRevision
``<ds>-<hash>`` (the hash is the pod-template hash; pods carry it as ``controller-revision-hash``;
an older equal revision is renumbered instead of duplicated), then ``manage`` creates missing
pods (at most 250 per sync, in slow-start batches) and deletes pods on nodes that should not
run them, failed pods (with back-off) and surplus pods; then ``RollingUpdate`` replaces old
pods — with ``maxSurge`` 0 by deleting up to ``maxUnavailable`` available old pods (unavailable
ones first; the replacement is created once the old pod is gone), with ``maxSurge`` > 0 by
creating the new pod beside the old one and deleting the old one once the new one is
available — while ``OnDelete`` waits for the user; then old revisions beyond
``revisionHistoryLimit`` are pruned and the status is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import (
    KindController,
    SelectorCache,
    controller_ref,
    object_key,
    split_key,
)
from helmlite.cluster.controllers.scheduler import (
    find_untolerated_taint,
    node_matches_required_affinity,
)
from helmlite.cluster.errors import AlreadyExistsError, ApiError, NotFoundError
from helmlite.cluster.history import (
    CONTROLLER_MANAGER,
    build_revision,
    claim,
    owner_reference,
    selector_matcher,
    set_revision_number,
    sort_revisions,
    template_patch,
)
from helmlite.cluster.podutil import (
    is_pod_available,
    is_pod_ready,
    parse_time,
    template_hash,
)
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from datetime import datetime

    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "BURST_REPLICAS",
    "DAEMON_TOLERATIONS",
    "REVISION_LABEL",
    "TEMPLATE_GENERATION_LABEL",
    "DaemonSetController",
    "daemon_tolerations",
    "node_should_run",
]

REVISION_LABEL = "controller-revision-hash"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
# The API server records spec.templateGeneration (extensions/v1beta1) under this annotation.
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
# The most pods one sync creates or deletes (daemon_controller.go BurstReplicas).
BURST_REPLICAS = 250
# failedPodsBackoff: 1 s doubling to 15 min between deletions of failed pods on one node.
FAILED_POD_BACKOFF_INITIAL = 1.0
FAILED_POD_BACKOFF_MAX = 900.0
_COMPONENT = "daemonset-controller"
_NOT_READY, _UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
# util.AddOrUpdateDaemonPodTolerations, in its order.
DAEMON_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": _NOT_READY, "operator": "Exists", "effect": "NoExecute"},
    {"key": _UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
_NETWORK_UNAVAILABLE = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


# --- node eligibility (the scheduler's predicates, with the daemon tolerations) ----------------

def daemon_tolerations(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pod's tolerations with the DaemonSet defaults added or updated
    (``AddOrUpdateTolerationInPodSpec``: one equal in key, operator, value and effect is replaced)."""
    tolerations = [dict(t) for t in pod_spec.get("tolerations") or []]
    extra = [*DAEMON_TOLERATIONS, *((_NETWORK_UNAVAILABLE,) if pod_spec.get("hostNetwork") else ())]
    for wanted in extra:
        same = [i for i, t in enumerate(tolerations)
                if all((t.get(k) or "") == (wanted.get(k) or "") for k in ("key", "operator", "value", "effect"))]
        if not same:
            tolerations.append(dict(wanted))
        elif tolerations[same[0]] != wanted:
            for i in same:
                tolerations[i] = dict(wanted)
    return tolerations


def node_should_run(node: Mapping[str, Any], ds: Mapping[str, Any]) -> tuple[bool, bool]:
    """``NodeShouldRunDaemonPod``: (should run a pod there, should keep one running there)."""
    pod_spec = (ds["spec"].get("template") or {}).get("spec") or {}
    node_name = node["metadata"]["name"]
    if pod_spec.get("nodeName") and pod_spec["nodeName"] != node_name:
        return False, False
    if not node_matches_required_affinity(pod_spec, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    if not taints:
        return True, True
    tolerations = daemon_tolerations(pod_spec)
    if find_untolerated_taint(taints, tolerations, ("NoSchedule", "NoExecute")) is None:
        return True, True
    # A pod already there stays unless a NoExecute taint is untolerated.
    return False, find_untolerated_taint(taints, tolerations, ("NoExecute",)) is None


def _target_node(pod: Mapping[str, Any]) -> str | None:
    """``GetTargetNodeName``: the pod's node, or the one its node affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("nodeSelectorTerms") or []:
        for req in term.get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                values = req.get("values") or []
                return str(values[0]) if len(values) == 1 else None
    return None


def _pin_to_node(affinity: Mapping[str, Any] | None, node_name: str) -> dict[str, Any]:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    out = copy_object(dict(affinity or {}))
    node_affinity = out.setdefault("nodeAffinity", {})
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}
    else:
        required["nodeSelectorTerms"] = [term]
    return out


# --- helpers ---------------------------------------------------------------------------------------

def _scaled_value(value: Any, total: int, round_up: bool) -> int:
    # intstr.GetScaledValueFromIntOrPercent
    if value is None:
        return 0
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value)


def _phase(pod: Mapping[str, Any]) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def _deleting(pod: Mapping[str, Any]) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _by_age(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``podByCreationTimestampAndPhase``: scheduled first, then oldest, then by name."""
    return sorted(pods, key=lambda p: (not (p.get("spec") or {}).get("nodeName"),
                                       p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))


def _hash_of(pod: Mapping[str, Any]) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_LABEL, "")


class _Backoff:
    """client-go ``flowcontrol.Backoff`` per key, on the virtual clock."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._initial, self._max = initial, maximum
        self._entries: dict[str, tuple[float, float]] = {}  # key -> (backoff, last update)

    def in_backoff(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self._max:
            return False
        return now - entry[1] < entry[0]

    def get(self, key: str) -> float:
        return self._entries.get(key, (0.0, 0.0))[0]

    def next(self, key: str, now: float) -> None:
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self._max:
            self._entries[key] = (self._initial, now)
        else:
            self._entries[key] = (min(entry[0] * 2, self._max), now)


class DaemonSetController(KindController):
    """Keeps one pod of each DaemonSet on every eligible node, its revisions and status."""

    name = _COMPONENT
    kind = ("apps", "DaemonSet")
    owns = (("", "Pod"),)

    def __init__(self) -> None:
        self._selectors = SelectorCache()
        self._failed_backoff = _Backoff(FAILED_POD_BACKOFF_INITIAL, FAILED_POD_BACKOFF_MAX)
        # The last getNodesToDaemonPods answer, for the store state it was computed in: one
        # sync asks up to three times (manage, rolling update, status), usually with nothing
        # written in between, and each answer scans every pod of the namespace.
        self._claimed: tuple[tuple[int, bool], Mapping[str, Any], dict[str, list[Mapping[str, Any]]]] | None = None
        # node name -> (node, pod template spec, node_should_run): nodes rarely change while a
        # set rolls, and every sync asks about every node.
        self._verdicts: dict[str, tuple[Mapping[str, Any], Mapping[str, Any], tuple[bool, bool]]] = {}

    @property
    def watches(self) -> tuple[tuple[str, str], ...]:
        """DaemonSets, their pods, and nodes."""
        return (self.kind, *self.owns, ("", "Node"))

    # --- wakeups ---------------------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """The DaemonSet itself; a pod's controlling DaemonSet (or, for an orphan, the ones
        selecting it); for a node, the DaemonSets whose verdict about it changed."""
        group_kind = event.kind.group_kind
        if group_kind == ("", "Node"):
            return self._keys_for_node(cluster, event)
        if group_kind == self.kind and event.type == "DELETED":
            self._selectors.forget(event.object["metadata"].get("uid", ""))
        keys = list(super().keys_for(cluster, event))
        if group_kind != ("", "Pod") or event.type == "DELETED":
            return keys
        pod = event.object
        meta = pod["metadata"]
        if controller_ref(pod) is not None or meta.get("deletionTimestamp"):
            return keys
        labels = meta.get("labels") or {}
        # sorted: the sets sync in this order, and the store's order differs after a restore
        for ds in sorted(cluster.store.peek_all("apps", "DaemonSet", meta.get("namespace", "")), key=object_key):
            if self._selector(ds).matches(labels):
                key = object_key(ds)
                if key not in keys:
                    keys.append(key)
        return keys

    def _keys_for_node(self, cluster: Cluster, event: WatchEvent) -> list[str]:
        node, old = event.object, event.old
        # sorted: the sets sync in this order, and the store's order differs after a restore
        daemonsets = sorted(cluster.store.peek_all("apps", "DaemonSet"), key=object_key)
        if event.type == "DELETED":
            return [object_key(ds) for ds in daemonsets]
        if event.type == "ADDED" or old is None:
            return [object_key(ds) for ds in daemonsets if node_should_run(node, ds)[0]]
        if _ignorable_node_update(old, node):
            return []
        return [object_key(ds) for ds in daemonsets if node_should_run(old, ds) != node_should_run(node, ds)]

    def _selector(self, ds: Mapping[str, Any]) -> LabelSelector:
        return self._selectors.get(ds)

    # --- sync ------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge one DaemonSet (``syncDaemonSet``)."""
        namespace, name = split_key(key)
        ds = cluster.store.peek("apps", "DaemonSet", namespace, name)
        if ds is None:
            return
        selector = ds["spec"].get("selector")
        if selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions"):
            cluster.events.record(ds, "Warning", "SelectingAll",
                                  "This daemon set is selecting all pods. A non-empty selector is required.",
                                  component=self.name)
            return
        if ds["metadata"].get("deletionTimestamp"):
            return
        nodes = sorted(cluster.store.peek_all("", "Node"), key=lambda n: n["metadata"]["name"])
        current, old = self._construct_history(cluster, ds)
        hash_ = (current["metadata"].get("labels") or {}).get(REVISION_LABEL, "")
        failure: ApiError | None = None
        try:
            self._manage(cluster, ds, nodes, hash_)
            if (ds["spec"].get("updateStrategy") or {}).get("type") == "RollingUpdate":
                self._rolling_update(cluster, ds, nodes, hash_)
            self._cleanup_history(cluster, ds, old)
        except ApiError as error:
            failure = error
        self._update_status(cluster, key, ds, nodes, hash_)
        if failure is not None:
            raise failure

    def _now(self, cluster: Cluster) -> datetime:
        now = parse_time(cluster.clock.now_rfc3339())
        assert now is not None
        return now

    def _nodes_to_pods(self, cluster: Cluster, ds: Mapping[str, Any],
                       include_deleted_terminal: bool = False) -> dict[str, list[Mapping[str, Any]]]:
        """``getNodesToDaemonPods``: the claimed pods grouped by target node (a fresh dict; the
        lists are shared and read-only)."""
        state = (cluster.store.change_count, include_deleted_terminal)
        if self._claimed is not None and self._claimed[0] == state and self._claimed[1] is ds:
            return dict(self._claimed[2])
        uid = ds["metadata"]["uid"]
        candidates = []
        for pod in cluster.store.peek_all("", "Pod", ds["metadata"]["namespace"]):
            ref = controller_ref(pod)
            if ref is None or ref.get("uid") == uid:
                candidates.append(pod)
        pods = claim(cluster, ds, candidates, api_version="v1", kind="Pod", match=selector_matcher(ds))
        out: dict[str, list[Mapping[str, Any]]] = {}
        for pod in pods:
            if not include_deleted_terminal and _deleting(pod) and _phase(pod) in ("Succeeded", "Failed"):
                continue
            node_name = _target_node(pod)
            if node_name is not None:
                out.setdefault(node_name, []).append(pod)
        self._claimed = (state, ds, out)
        return dict(out)

    def _should_run(self, node: Mapping[str, Any], ds: Mapping[str, Any]) -> tuple[bool, bool]:
        """``node_should_run``, remembered per node while the node and the pod template stay
        the same objects (stored snapshots are immutable)."""
        pod_spec = (ds["spec"].get("template") or {}).get("spec") or {}
        name = node["metadata"]["name"]
        known = self._verdicts.get(name)
        if known is not None and known[0] is node and known[1] is pod_spec:
            return known[2]
        verdict = node_should_run(node, ds)
        self._verdicts[name] = (node, pod_spec, verdict)
        return verdict

    # --- manage ----------------------------------------------------------------------------

    def _manage(self, cluster: Cluster, ds: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]],
                hash_: str) -> None:
        node_to_pods = self._nodes_to_pods(cluster, ds)
        needing: list[str] = []
        to_delete: list[str] = []
        for node in nodes:
            create, delete = self._pods_should_be_on_node(cluster, node, node_to_pods, ds, hash_)
            needing.extend(create)
            to_delete.extend(delete)
        existing = {n["metadata"]["name"] for n in nodes}
        for node_name in sorted(node_to_pods):
            if node_name not in existing:
                to_delete.extend(p["metadata"]["name"] for p in node_to_pods[node_name]
                                 if not (p.get("spec") or {}).get("nodeName"))
        self._sync_nodes(cluster, ds, to_delete, needing, hash_)

    def _pods_should_be_on_node(self, cluster: Cluster, node: Mapping[str, Any],
                                node_to_pods: Mapping[str, list[Mapping[str, Any]]], ds: Mapping[str, Any],
                                hash_: str) -> tuple[list[str], list[str]]:
        """``podsShouldBeOnNode``: (nodes needing a pod, pods to delete) for one node."""
        node_name = node["metadata"]["name"]
        should_run, should_continue = self._should_run(node, ds)
        pods = node_to_pods.get(node_name)
        if should_run and not pods:
            return [node_name], []
        if should_continue:
            to_delete: list[str] = []
            running: list[Mapping[str, Any]] = []
            now = cluster.clock.now
            for pod in pods or []:
                if _deleting(pod):
                    continue
                phase = _phase(pod)
                if phase == "Failed":
                    backoff_key = (f"{ds['metadata']['uid']}/{(ds.get('status') or {}).get('observedGeneration', 0)}"
                                   f"/{node_name}")
                    if self._failed_backoff.in_backoff(backoff_key, now):
                        cluster.enqueue_after(self.name, object_key(ds), self._failed_backoff.get(backoff_key))
                        continue
                    self._failed_backoff.next(backoff_key, now)
                    cluster.events.record(ds, "Warning", "FailedDaemonPod",
                                          f"Found failed daemon pod {pod['metadata']['namespace']}/"
                                          f"{pod['metadata']['name']} on node {node_name}, will try to kill it",
                                          component=self.name)
                    to_delete.append(pod["metadata"]["name"])
                elif phase == "Succeeded":
                    cluster.events.record(ds, "Normal", "SucceededDaemonPod",
                                          f"Found succeeded daemon pod {pod['metadata']['namespace']}/"
                                          f"{pod['metadata']['name']} on node {node_name}, will try to delete it",
                                          component=self.name)
                    to_delete.append(pod["metadata"]["name"])
                else:
                    running.append(pod)
            if not _allows_surge(ds):
                if len(running) > 1:
                    to_delete.extend(p["metadata"]["name"] for p in _by_age(running)[1:])
                return [], to_delete
            if len(running) <= 1:
                return ([node_name] if not running and should_run else []), to_delete
            oldest_new: Mapping[str, Any] | None = None
            oldest_old: Mapping[str, Any] | None = None
            for pod in _by_age(running):
                if _hash_of(pod) == hash_:
                    if oldest_new is None:
                        oldest_new = pod
                        continue
                elif oldest_old is None:
                    oldest_old = pod
                    continue
                to_delete.append(pod["metadata"]["name"])
            if oldest_new is not None and oldest_old is not None:
                min_ready = ds["spec"].get("minReadySeconds") or 0
                if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, min_ready, self._now(cluster)):
                    to_delete.append(oldest_old["metadata"]["name"])
            return [], to_delete
        if pods:
            return [], [p["metadata"]["name"] for p in pods if not _deleting(p)]
        return [], []

    def _sync_nodes(self, cluster: Cluster, ds: Mapping[str, Any], to_delete: list[str], needing: list[str],
                    hash_: str) -> None:
        """``syncNodes``: create pods for ``needing`` (slow start) and delete ``to_delete``,
        at most ``BURST_REPLICAS`` of each.

        Raises:
            ApiError: the first create or delete that failed.
        """
        meta = ds["metadata"]
        namespace = meta["namespace"]
        create_count = min(len(needing), BURST_REPLICAS)
        errors: list[ApiError] = []
        ns = cluster.store.peek("", "Namespace", "", namespace)
        if create_count and not (ns is not None and ns["metadata"].get("deletionTimestamp")):
            template = self._pod_template(ds, hash_)
            batch, pos = min(create_count, 1), 0
            while create_count > pos:
                failed_before = len(errors)
                for node_name in needing[pos:pos + batch]:
                    try:
                        self._create_pod(cluster, ds, template, node_name)
                    except ApiError as error:
                        errors.append(error)
                skipped = create_count - (pos + batch)
                if len(errors) > failed_before and skipped > 0:
                    break
                batch, pos = min(2 * batch, create_count - (pos + batch)), pos + batch
        for pod_name in to_delete[:BURST_REPLICAS]:
            try:
                cluster.store.delete("v1", "Pod", pod_name, namespace=namespace, copy=False)
            except NotFoundError:
                continue
            except ApiError as error:
                cluster.events.record(ds, "Warning", "FailedDelete", f"Error deleting: {error}", component=self.name)
                errors.append(error)
                continue
            cluster.events.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}", component=self.name)
        if errors:
            raise errors[0]

    @staticmethod
    def _pod_template(ds: Mapping[str, Any], hash_: str) -> dict[str, Any]:
        """``CreatePodTemplate``: the template with the daemon tolerations and the hash label."""
        template = copy_object(ds["spec"].get("template") or {})
        spec = template.setdefault("spec", {})
        spec["tolerations"] = daemon_tolerations(spec)
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        if generation is not None and generation.lstrip("-").isdigit():
            labels[TEMPLATE_GENERATION_LABEL] = str(int(generation))
        if hash_:
            labels[REVISION_LABEL] = hash_
        return template

    def _create_pod(self, cluster: Cluster, ds: Mapping[str, Any], template: Mapping[str, Any],
                    node_name: str) -> None:
        """``CreatePods`` for one node: ``generateName: <ds>-``, pinned by node affinity."""
        template_meta = template.get("metadata") or {}
        meta: dict[str, Any] = {"generateName": f"{ds['metadata']['name']}-", "namespace": ds["metadata"]["namespace"],
                                "labels": dict(template_meta.get("labels") or {})}
        if template_meta.get("annotations"):
            meta["annotations"] = dict(template_meta["annotations"])
        if template_meta.get("finalizers"):
            meta["finalizers"] = list(template_meta["finalizers"])
        meta["ownerReferences"] = [owner_reference(ds)]
        spec = copy_object(template.get("spec") or {})
        spec["affinity"] = _pin_to_node(spec.get("affinity"), node_name)
        try:
            created = cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec},
                                           field_manager=CONTROLLER_MANAGER, copy=False)
        except ApiError as error:
            cluster.events.record(ds, "Warning", "FailedCreate", f"Error creating: {error}", component=self.name)
            raise
        cluster.events.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}",
                              component=self.name)

    # --- rolling update --------------------------------------------------------------------

    def _rolling_update(self, cluster: Cluster, ds: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]],
                        hash_: str) -> None:
        """``rollingUpdate``: which old pods to delete, or (with surge) which nodes get a new pod."""
        node_to_pods = self._nodes_to_pods(cluster, ds)
        nodes_by_name = {n["metadata"]["name"]: n for n in nodes}
        desired = 0
        for node in nodes:
            if self._should_run(node, ds)[0]:
                desired += 1
                node_to_pods.setdefault(node["metadata"]["name"], [])
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_unavailable = _scaled_value(rolling.get("maxUnavailable"), desired, round_up=True)
        max_surge = _scaled_value(rolling.get("maxSurge"), desired, round_up=True)
        if desired > 0 and max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        min_ready = ds["spec"].get("minReadySeconds") or 0
        now = self._now(cluster)

        def available(pod: Mapping[str, Any]) -> bool:
            return is_pod_available(pod, min_ready, now)

        if max_surge == 0:
            unavailable = 0
            replacements: list[str] = []
            candidates: list[str] = []
            for node_name in sorted(node_to_pods):
                found = _updated_pods_on_node(node_to_pods[node_name], hash_)
                if found is None:
                    unavailable += 1
                    continue
                new_pod, old_pod = found
                if (old_pod is None) == (new_pod is None):
                    unavailable += 1
                elif new_pod is not None:
                    if not available(new_pod):
                        unavailable += 1
                elif old_pod is not None:
                    if not available(old_pod):
                        replacements.append(old_pod["metadata"]["name"])
                        unavailable += 1
                    elif unavailable < max_unavailable:
                        candidates.append(old_pod["metadata"]["name"])
            remaining = min(max(max_unavailable - unavailable, 0), len(candidates))
            self._sync_nodes(cluster, ds, replacements + candidates[:remaining], [], hash_)
            return

        to_delete: list[str] = []
        should_not_run: list[str] = []
        candidate_nodes: list[str] = []
        allowed_nodes: list[str] = []
        surging = available_count = 0
        for node_name in sorted(node_to_pods):
            found = _updated_pods_on_node(node_to_pods[node_name], hash_)
            if found is None:
                surging += 1
                continue
            new_pod, old_pod = found
            if old_pod is not None:
                available_count += available(old_pod)
            elif new_pod is not None:
                available_count += available(new_pod)
            if old_pod is None:
                continue
            target = nodes_by_name.get(node_name)
            if new_pod is None:
                runs = target is not None and self._should_run(target, ds)[0]
                if not available(old_pod):
                    if not runs:
                        to_delete.append(old_pod["metadata"]["name"])
                        continue
                    allowed_nodes.append(node_name)
                else:
                    if not runs:
                        should_not_run.append(old_pod["metadata"]["name"])
                        continue
                    if surging >= max_surge:
                        continue
                    candidate_nodes.append(node_name)
            else:
                if not available(new_pod):
                    surging += 1
                    continue
                to_delete.append(old_pod["metadata"]["name"])
        deletable = available_count - desired
        if deletable > 0:
            to_delete.extend(should_not_run[:deletable])
        remaining = min(max(max_surge - surging, 0), len(candidate_nodes))
        self._sync_nodes(cluster, ds, to_delete, allowed_nodes + candidate_nodes[:remaining], hash_)

    # --- history ---------------------------------------------------------------------------

    def _construct_history(self, cluster: Cluster,
                           ds: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """``constructHistory``: (the revision of the current template, the older ones)."""
        uid, namespace = ds["metadata"]["uid"], ds["metadata"]["namespace"]
        candidates = [r for r in cluster.store.peek_all("apps", "ControllerRevision", namespace)
                      if (controller_ref(r) or {}).get("uid", uid) == uid]
        histories = claim(cluster, ds, candidates, api_version="apps/v1", kind="ControllerRevision",
                          match=selector_matcher(ds))
        wanted = template_patch(ds)
        current: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        for history in histories:
            if REVISION_LABEL not in (history["metadata"].get("labels") or {}):
                history = cluster.store.patch(
                    "apps/v1", "ControllerRevision", history["metadata"]["name"],
                    {"metadata": {"labels": {REVISION_LABEL: history["metadata"]["name"]}}},
                    namespace=namespace, field_manager=CONTROLLER_MANAGER, copy=False)
            (current if history.get("data") == wanted else old).append(history)
        number = max((h.get("revision", 0) for h in old), default=0) + 1
        if not current:
            return self._snapshot(cluster, ds, number), old
        keep = self._dedup(cluster, ds, current)
        if keep.get("revision", 0) < number:
            set_revision_number(cluster, keep, number)
        return keep, old

    def _snapshot(self, cluster: Cluster, ds: Mapping[str, Any], number: int) -> dict[str, Any]:
        """Record the current template as revision ``number``.

        Raises:
            AlreadyExistsError: the name is taken by another template; ``collisionCount`` was
            bumped and the sync is retried.
        """
        template = ds["spec"].get("template") or {}
        collision_count = (ds.get("status") or {}).get("collisionCount")
        hash_ = template_hash(template, int(collision_count or 0))
        name = f"{ds['metadata']['name']}-{hash_}"
        labels = {**((template.get("metadata") or {}).get("labels") or {}), REVISION_LABEL: hash_}
        revision = build_revision(ds, name=name, labels=labels, data=template_patch(ds), revision=number)
        try:
            return cluster.store.create(revision, field_manager=CONTROLLER_MANAGER, copy=False)
        except AlreadyExistsError:
            existing = cluster.store.peek("apps", "ControllerRevision", ds["metadata"]["namespace"], name)
            if existing is not None and existing.get("data") == revision["data"]:
                return existing
            status = dict(ds.get("status") or {})
            status["collisionCount"] = int(collision_count or 0) + 1
            cluster.store.update_status({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
                "name": ds["metadata"]["name"], "namespace": ds["metadata"]["namespace"]}, "status": status},
                field_manager=CONTROLLER_MANAGER, copy=False)
            raise

    def _dedup(self, cluster: Cluster, ds: Mapping[str, Any], current: list[dict[str, Any]]) -> dict[str, Any]:
        """``dedupCurHistories``: keep the highest-numbered equal revision, relabel pods to it."""
        if len(current) == 1:
            return current[0]
        keep = current[0]
        for history in current:
            if history.get("revision", 0) >= keep.get("revision", 0):
                keep = history
        keep_hash = (keep["metadata"].get("labels") or {}).get(REVISION_LABEL, "")
        for pods in self._nodes_to_pods(cluster, ds, include_deleted_terminal=True).values():
            for pod in pods:
                if _hash_of(pod) != keep_hash:
                    cluster.store.patch("v1", "Pod", pod["metadata"]["name"],
                                        {"metadata": {"labels": {REVISION_LABEL: keep_hash}}},
                                        namespace=pod["metadata"]["namespace"], field_manager=CONTROLLER_MANAGER,
                                        copy=False)
        for history in current:
            if history["metadata"]["name"] != keep["metadata"]["name"]:
                try:
                    cluster.store.delete("apps/v1", "ControllerRevision", history["metadata"]["name"],
                                         namespace=history["metadata"]["namespace"], copy=False)
                except NotFoundError:
                    pass
        return keep

    def _cleanup_history(self, cluster: Cluster, ds: Mapping[str, Any], old: list[dict[str, Any]]) -> None:
        """Delete the oldest revisions no pod runs, beyond ``revisionHistoryLimit``."""
        to_kill = len(old) - int(ds["spec"].get("revisionHistoryLimit", 10))
        if to_kill <= 0:
            return
        live = {_hash_of(pod) for pods in self._nodes_to_pods(cluster, ds, include_deleted_terminal=True).values()
                for pod in pods}
        live.discard("")
        for history in sort_revisions(old):
            if to_kill <= 0:
                break
            if (history["metadata"].get("labels") or {}).get(REVISION_LABEL) in live:
                continue
            try:
                cluster.store.delete("apps/v1", "ControllerRevision", history["metadata"]["name"],
                                     namespace=history["metadata"]["namespace"], copy=False)
            except NotFoundError:
                pass
            to_kill -= 1

    # --- status ----------------------------------------------------------------------------

    def _update_status(self, cluster: Cluster, key: str, ds: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]],
                       hash_: str) -> None:
        """``updateDaemonSetStatus``: count over the nodes; write only what changed."""
        ds = cluster.store.peek("apps", "DaemonSet", ds["metadata"]["namespace"], ds["metadata"]["name"]) or ds
        node_to_pods = self._nodes_to_pods(cluster, ds)
        min_ready = ds["spec"].get("minReadySeconds") or 0
        now = self._now(cluster)
        desired = current = misscheduled = ready = updated = available = 0
        for node in nodes:
            should_run, _ = self._should_run(node, ds)
            pods = node_to_pods.get(node["metadata"]["name"]) or []
            if should_run:
                desired += 1
                if not pods:
                    continue
                current += 1
                pod = _by_age(pods)[0]
                if is_pod_ready(pod):
                    ready += 1
                    if is_pod_available(pod, min_ready, now):
                        available += 1
                if hash_ and _hash_of(pod) == hash_:
                    updated += 1
            elif pods:
                misscheduled += 1
        counts = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": desired, "numberReady": ready, "updatedNumberScheduled": updated,
                  "numberAvailable": available, "numberUnavailable": desired - available}
        old = ds.get("status") or {}
        generation = ds["metadata"].get("generation", 0)
        if all(old.get(k, 0) == v for k, v in counts.items()) and old.get("observedGeneration", 0) >= generation:
            pass
        else:
            status = {k: v for k, v in old.items() if k not in counts and k != "observedGeneration"}
            status.update(_status_json(counts, generation))
            try:
                cluster.store.update_status({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
                    "name": ds["metadata"]["name"], "namespace": ds["metadata"]["namespace"]}, "status": status},
                    field_manager=CONTROLLER_MANAGER, copy=False)
            except NotFoundError:
                return
        if min_ready > 0 and ready != available:
            cluster.enqueue_after(self.name, key, min_ready)


def _status_json(counts: Mapping[str, int], generation: int) -> dict[str, Any]:
    """DaemonSetStatus as Go serialises it (omitempty counters left out when zero)."""
    out: dict[str, Any] = {"currentNumberScheduled": counts["currentNumberScheduled"],
                           "numberMisscheduled": counts["numberMisscheduled"],
                           "desiredNumberScheduled": counts["desiredNumberScheduled"],
                           "numberReady": counts["numberReady"]}
    if generation:
        out["observedGeneration"] = generation
    for field in ("updatedNumberScheduled", "numberAvailable", "numberUnavailable"):
        if counts[field]:
            out[field] = counts[field]
    return out


def _allows_surge(ds: Mapping[str, Any]) -> bool:
    strategy = ds["spec"].get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        return False
    return _scaled_value((strategy.get("rollingUpdate") or {}).get("maxSurge"), 1, round_up=True) > 0


def _updated_pods_on_node(pods: Iterable[Mapping[str, Any]], hash_: str,
                          ) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] | None:
    """``findUpdatedPodsOnNode``: (new pod, old pod) among the live pods, None if several of either."""
    new_pod: Mapping[str, Any] | None = None
    old_pod: Mapping[str, Any] | None = None
    for pod in pods:
        if _deleting(pod):
            continue
        if hash_ and _hash_of(pod) == hash_:
            if new_pod is not None:
                return None
            new_pod = pod
        else:
            if old_pod is not None:
                return None
            old_pod = pod
    return new_pod, old_pod


def _ignorable_node_update(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """``shouldIgnoreNodeUpdate``: only heartbeats changed (same set of True conditions)."""
    def true_conditions(node: Mapping[str, Any]) -> set[str]:
        return {c.get("type", "") for c in (node.get("status") or {}).get("conditions") or []
                if c.get("status") == "True"}

    if true_conditions(old) != true_conditions(new):
        return False

    def rest(node: Mapping[str, Any]) -> tuple[Any, ...]:
        meta = {k: v for k, v in node["metadata"].items() if k not in ("resourceVersion", "managedFields")}
        status = {k: v for k, v in (node.get("status") or {}).items() if k != "conditions"}
        return meta, node.get("spec"), status

    return rest(old) == rest(new)
