"""Nodes: their conditions and taints, NoExecute eviction, orphaned-pod cleanup, and helpers to
add, remove, cordon and taint nodes.

``NodeLifecycleController`` (events from ``node-controller``) keeps each node's conditions and
condition taints in line with what its kubelet would report, given the faults in effect:

- ``node-not-ready`` with ``mode: unreachable``: the kubelet stops posting; after
  ``NODE_MONITOR_GRACE_SECONDS`` every condition turns ``Unknown`` (``NodeStatusUnknown``,
  "Kubelet stopped posting node status."), the node gets the
  ``node.kubernetes.io/unreachable`` NoSchedule and NoExecute taints, its pods are marked not
  ready (``NodeNotReady`` events);
- ``node-not-ready`` with ``mode: not-ready``: the kubelet reports ``Ready=False``
  (``KubeletNotReady``) and the node is tainted ``node.kubernetes.io/not-ready``;
- ``resource-pressure``: ``MemoryPressure``/``DiskPressure``/``PIDPressure`` turn True and
  the matching ``…-pressure:NoSchedule`` taint is added;
- ``spec.unschedulable`` (cordon) adds ``node.kubernetes.io/unschedulable:NoSchedule``.

When a fault goes away the node is Ready again and the taints are removed. Heartbeats are not
simulated (``lastHeartbeatTime`` moves only when a condition changes): a node is healthy unless
a fault says otherwise.

``TaintEvictionController`` (``taint-eviction-controller``) deletes pods that do not tolerate a
node's NoExecute taints — at once, or ``tolerationSeconds`` after the taint was added (the
``DefaultTolerationSeconds`` admission gives every pod 300 s for not-ready/unreachable) — with a
``TaintManagerEviction`` event and a ``DisruptionTarget`` condition.

``PodGCController`` force-deletes pods bound to a node that no longer exists, after
``POD_GC_QUARANTINE_SECONDS``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from helmlite.cluster.bootstrap import node_manifest
from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.controllers.scheduler import tolerates_taint
from helmlite.cluster.errors import ApiError, NotFoundError
from helmlite.cluster.faults import FAULTS_CONFIGMAP, FAULTS_NAMESPACE, fault_set

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "NodeLifecycleController",
    "TaintEvictionController",
    "PodGCController",
    "add_node",
    "remove_node",
    "cordon",
    "uncordon",
    "taint_node",
    "untaint_node",
    "label_node",
    "NODE_MONITOR_GRACE_SECONDS",
    "POD_GC_QUARANTINE_SECONDS",
    "TAINT_NOT_READY",
    "TAINT_UNREACHABLE",
    "TAINT_UNSCHEDULABLE",
]

# kube-controller-manager --node-monitor-grace-period (50 s since Kubernetes 1.32).
NODE_MONITOR_GRACE_SECONDS = 50.0
# PodGC waits this long before deleting pods of a node that is gone.
POD_GC_QUARANTINE_SECONDS = 40.0
NODE_CONTROLLER = "node-controller"
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure"
# Timer keys ``taint-eviction-controller|observed:<node>@<time>`` persist when a node's NoExecute
# taints were first seen.
_OBSERVED_STEP = "observed:"
# Taints this controller owns (it adds and removes them; a user's taints are left alone).
_MANAGED_TAINTS = (TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TAINT_MEMORY_PRESSURE,
                   TAINT_DISK_PRESSURE, TAINT_PID_PRESSURE)

# condition type -> (healthy status, reason, message), (unhealthy status, reason, message)
_CONDITIONS = {
    "MemoryPressure": (("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                       ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")),
    "DiskPressure": (("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                     ("True", "KubeletHasDiskPressure", "kubelet has disk pressure")),
    "PIDPressure": (("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ("True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available")),
    "Ready": (("True", "KubeletReady", "kubelet is posting ready status"),
              ("False", "KubeletNotReady", "container runtime is down")),
}
# resource -> (condition, taint, event when it turns True, event when it clears)
_PRESSURE = {
    "memory": ("MemoryPressure", TAINT_MEMORY_PRESSURE, "NodeHasInsufficientMemory", "NodeHasSufficientMemory"),
    "disk": ("DiskPressure", TAINT_DISK_PRESSURE, "NodeHasDiskPressure", "NodeHasNoDiskPressure"),
    "pid": ("PIDPressure", TAINT_PID_PRESSURE, "NodeHasInsufficientPID", "NodeHasSufficientPID"),
}


def _ts(text: Any) -> float:
    return parse_time(str(text).replace("Z", "+00:00")) if text else 0.0


def _pods_on_node(cluster: Cluster, node: str) -> list[dict[str, Any]]:
    """The pods bound to ``node``, by namespace and name: the store's iteration order is not
    one (a restored cluster lists in storage order, a live one in creation order), and the order
    of the events and evictions these pods get must not depend on which it is."""
    pods = [p for p in cluster.store.peek_all("", "Pod") if (p.get("spec") or {}).get("nodeName") == node]
    pods.sort(key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    return pods


class NodeLifecycleController:
    """Node conditions and condition taints (``node-lifecycle-controller``)."""

    name = "node-lifecycle-controller"
    watches = (("", "Node"), ("", "ConfigMap"))

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A node that changed (not by us), or the nodes a fault change concerns."""
        obj = event.object
        if event.kind.kind == "Node":
            if event.type == "DELETED":
                return ()
            old = event.old
            if old is not None and (old.get("spec") or {}).get("unschedulable") == (obj.get("spec") or {}).get(
                    "unschedulable") and event.type == "MODIFIED" and _managed(old) == _managed(obj):
                return ()
            return (obj["metadata"]["name"],)
        meta = obj["metadata"]
        if meta.get("namespace") != FAULTS_NAMESPACE or meta.get("name") != FAULTS_CONFIGMAP:
            return ()
        nodes: set[str] = set(fault_set(cluster).nodes())
        # nodes whose fault just went away
        if event.old is not None:
            import json
            for text in (event.old.get("data") or {}).values():
                try:
                    spec = json.loads(text)
                except ValueError:
                    continue
                if spec.get("node"):
                    nodes.add(spec["node"])
        return sorted(nodes)

    def sync(self, cluster: Cluster, key: str) -> None:
        """Bring one node's conditions and taints in line with the faults in effect now."""
        node = cluster.store.peek("", "Node", "", key)
        if node is None:
            return
        now = cluster.clock.now
        faults = fault_set(cluster)
        not_ready = faults.node_not_ready(key)
        pressure = faults.pressure(key)
        status = node.get("status") or {}
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        desired: dict[str, tuple[str, str, str]] = {}
        for ctype, (healthy, _unhealthy) in _CONDITIONS.items():
            desired[ctype] = healthy
        for resource in pressure:
            ctype = _PRESSURE[resource][0]
            desired[ctype] = _CONDITIONS[ctype][1]
        unknown_since: float | None = None
        if not_ready is not None:
            since = _ts(not_ready.get("since"))
            if not_ready.get("mode", "unreachable") == "unreachable":
                unknown_at = since + NODE_MONITOR_GRACE_SECONDS
                if now >= unknown_at - 1e-6:
                    unknown_since = unknown_at
                    for ctype in desired:
                        desired[ctype] = ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
                else:
                    cluster.enqueue_after(self.name, key, unknown_at - now)
                    # the kubelet still posts what it posted before the fault began
                    desired = {t: (c.get("status", "True"), c.get("reason", ""), c.get("message", ""))
                               for t, c in conditions.items() if t in desired} or desired
            elif now >= since - 1e-6:
                desired["Ready"] = _CONDITIONS["Ready"][1]
            else:
                cluster.enqueue_after(self.name, key, since - now)
        new_conditions = []
        events: list[tuple[str, str]] = []
        stamp = format_time(now)
        for condition in status.get("conditions") or []:
            ctype = condition.get("type")
            want = desired.get(ctype)
            if want is None or (condition.get("status"), condition.get("reason"), condition.get("message")) == want:
                new_conditions.append(condition)
                continue
            changed_at = format_time(unknown_since) if want[0] == "Unknown" and unknown_since is not None else stamp
            new = dict(condition)
            new.update({"status": want[0], "reason": want[1], "message": want[2]})
            if condition.get("status") != want[0]:
                new["lastTransitionTime"] = changed_at
            if want[0] != "Unknown":
                new["lastHeartbeatTime"] = stamp
            new_conditions.append(new)
            events.append(self._condition_event(ctype, condition.get("status", ""), want[0]))
        taints = self._desired_taints(node, desired, now, unknown_since)
        spec = node.get("spec") or {}
        if taints != (spec.get("taints") or []):
            new_spec = {k: v for k, v in spec.items() if k != "taints"}
            if taints:
                new_spec["taints"] = taints
            try:
                node = cluster.store.replace({**node, "spec": new_spec}, field_manager=NODE_CONTROLLER, copy=False)
            except ApiError:
                cluster.enqueue_after(self.name, key, 1.0)
                return
        if new_conditions != (status.get("conditions") or []):
            try:
                node = cluster.store.update_status({**node, "status": {**status, "conditions": new_conditions}},
                                                   field_manager=NODE_CONTROLLER, copy=False)
            except ApiError:
                cluster.enqueue_after(self.name, key, 1.0)
                return
        had = any(t.get("key") == TAINT_UNSCHEDULABLE for t in spec.get("taints") or [])
        has = any(t.get("key") == TAINT_UNSCHEDULABLE for t in taints)
        if had != has:
            events.append(("NodeNotSchedulable" if has else "NodeSchedulable", "kubelet"))
        for reason, source in events:
            if reason:
                cluster.events.record(node, "Normal", reason, f"Node {key} status is now: {reason}", component=source,
                                      host=key if source == "kubelet" else "")
        ready_before = (conditions.get("Ready") or {}).get("status")
        ready_now = desired["Ready"][0]
        if ready_before == "True" and ready_now != "True":
            self._mark_pods_not_ready(cluster, key, now)

    @staticmethod
    def _condition_event(ctype: str, old: str, new: str) -> tuple[str, str]:
        if ctype == "Ready":
            if new == "True":
                return "NodeReady", "kubelet"
            return ("NodeNotReady", NODE_CONTROLLER) if new == "Unknown" or old == "True" else ("", "")
        for _resource, (cond, _taint, bad, good) in _PRESSURE.items():
            if cond == ctype and new != "Unknown":
                return (bad if new == "True" else good), "kubelet"
        return "", ""

    @staticmethod
    def _desired_taints(node: Mapping[str, Any], desired: Mapping[str, tuple[str, str, str]], now: float,
                        unknown_since: float | None) -> list[dict[str, Any]]:
        spec = node.get("spec") or {}
        current = [t for t in spec.get("taints") or [] if isinstance(t, Mapping)]
        keep = [dict(t) for t in current if t.get("key") not in _MANAGED_TAINTS]
        wanted: list[tuple[str, str, float | None]] = []
        if spec.get("unschedulable"):
            wanted.append((TAINT_UNSCHEDULABLE, "NoSchedule", None))
        ready = desired["Ready"][0]
        if ready == "Unknown":
            when = unknown_since if unknown_since is not None else now
            wanted += [(TAINT_UNREACHABLE, "NoSchedule", None), (TAINT_UNREACHABLE, "NoExecute", when)]
        elif ready == "False":
            wanted += [(TAINT_NOT_READY, "NoSchedule", None), (TAINT_NOT_READY, "NoExecute", now)]
        for cond, pressure_taint, _bad, _good in _PRESSURE.values():
            if desired[cond][0] == "True":
                wanted.append((pressure_taint, "NoSchedule", None))
        managed = []
        for key, effect, added in wanted:
            existing = next((t for t in current if t.get("key") == key and t.get("effect") == effect), None)
            if existing is not None:
                managed.append(dict(existing))
                continue
            taint: dict[str, Any] = {"key": key, "effect": effect}
            if added is not None:
                taint["timeAdded"] = format_time(added)
            managed.append(taint)
        # The API keeps the order taints were added in; ours come after the user's.
        return keep + managed

    @staticmethod
    def _mark_pods_not_ready(cluster: Cluster, node: str, now: float) -> None:
        stamp = format_time(now)
        for pod in _pods_on_node(cluster, node):
            status = pod.get("status") or {}
            if status.get("phase") in ("Succeeded", "Failed"):
                continue
            conditions = []
            changed = False
            for condition in status.get("conditions") or []:
                if condition.get("type") == "Ready" and condition.get("status") != "False":
                    condition = {**condition, "status": "False", "lastTransitionTime": stamp}
                    condition.pop("reason", None)
                    condition.pop("message", None)
                    changed = True
                conditions.append(condition)
            if not changed:
                continue
            try:
                cluster.store.update_status({**pod, "status": {**status, "conditions": conditions}},
                                            field_manager=NODE_CONTROLLER, copy=False)
            except ApiError:
                continue
            cluster.events.record(pod, "Warning", "NodeNotReady", "Node is not ready", component=NODE_CONTROLLER)


def _managed(node: Mapping[str, Any]) -> list[Any]:
    return [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("key") in _MANAGED_TAINTS]


# --- NoExecute taint eviction -------------------------------------------------------------------

def _no_execute(node: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if node is None:
        return []
    return [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]


def _eviction_time(pod: Mapping[str, Any], taints: Sequence[Mapping[str, Any]], observed: float) -> float | None:
    """When a pod on a node with these NoExecute taints must go: at once if one is not tolerated,
    else the shortest ``tolerationSeconds`` of the tolerations used after the (latest) taint was
    added; None if they are all tolerated forever."""
    if not taints:
        return None
    tolerations = (pod.get("spec") or {}).get("tolerations") or []
    minimum = math.inf
    for taint in taints:
        matching = [t for t in tolerations if tolerates_taint(t, taint)]
        if not matching:
            return observed
        for toleration in matching:
            seconds = toleration.get("tolerationSeconds")
            if seconds is not None:
                minimum = min(minimum, max(float(seconds), 0.0))
    if minimum == math.inf:
        return None
    starts = [_ts(t.get("timeAdded")) for t in taints if t.get("timeAdded")]
    return (max(starts) if starts else observed) + minimum


class TaintEvictionController:
    """Evicts pods from nodes with NoExecute taints they do not tolerate
    (``taint-eviction-controller``)."""

    name = "taint-eviction-controller"
    watches = (("", "Node"), ("", "Pod"))

    def __init__(self) -> None:
        # Node -> when its NoExecute taints were first seen (what a taint without ``timeAdded``
        # counts from), mirrored in a timer key that never fires (``_observed_timer``) so that
        # the next command counts from the same instant; loaded on first use.
        self._observed: dict[str, float] | None = None
        self._cancelled: dict[str, list[Mapping[str, Any]]] = {}

    def _observed_timer(self, node: str, at: float) -> str:
        return f"{self.name}|{_OBSERVED_STEP}{node}@{at!r}"

    def _observations(self, cluster: Cluster) -> dict[str, float]:
        if self._observed is None:
            prefix = f"{self.name}|{_OBSERVED_STEP}"
            self._observed = {}
            for _at, timer in cluster.clock.pending():
                if timer.startswith(prefix):
                    node, _, at = timer[len(prefix):].rpartition("@")
                    self._observed[node] = float(at)
        return self._observed

    def _observed_at(self, cluster: Cluster, node: str) -> float:
        """When ``node``'s NoExecute taints were first seen (now, if this is the first time)."""
        observed = self._observations(cluster)
        if node not in observed:
            observed[node] = cluster.clock.now
            cluster.clock.schedule(math.inf, self._observed_timer(node, observed[node]))
        return observed[node]

    def _forget_observed(self, cluster: Cluster, node: str) -> None:
        at = self._observations(cluster).pop(node, None)
        if at is not None:
            cluster.clock.cancel(self._observed_timer(node, at))

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Nodes whose NoExecute taints changed; pods newly bound to a tainted node."""
        obj = event.object
        if event.kind.kind == "Node":
            name = obj["metadata"]["name"]
            old_taints = _no_execute(event.old) if event.type != "ADDED" else []
            new_taints = _no_execute(obj) if event.type != "DELETED" else []
            if old_taints == new_taints:
                return ()
            if new_taints:
                self._observed_at(cluster, name)
            else:
                self._forget_observed(cluster, name)
            if old_taints and [t for t in old_taints if t not in new_taints]:
                self._cancelled[name] = old_taints
            return (f"node/{name}",)
        if event.type == "DELETED":
            return ()
        spec = obj.get("spec") or {}
        node_name = spec.get("nodeName")
        if not node_name:
            return ()
        old_spec = (event.old or {}).get("spec") or {}
        if (event.type == "MODIFIED" and old_spec.get("nodeName") == node_name
                and old_spec.get("tolerations") == spec.get("tolerations")):
            return ()
        return (f"pod/{object_key(obj)}",) if _no_execute(cluster.store.peek("", "Node", "", node_name)) else ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Evict or schedule the eviction of the pods concerned."""
        kind, _, rest = key.partition("/")
        if kind == "node":
            node = cluster.store.peek("", "Node", "", rest)
            pods = _pods_on_node(cluster, rest)
            cancelled = self._cancelled.pop(rest, None)
            taints = _no_execute(node)
            if cancelled:
                for pod in pods:
                    if pod["metadata"].get("deletionTimestamp"):
                        continue
                    observed = self._observations(cluster).get(rest, cluster.clock.now)
                    before = _eviction_time(pod, cancelled, observed)
                    after = _eviction_time(pod, taints, observed) if taints else None
                    if before is not None and after is None and before > cluster.clock.now:
                        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
                        cluster.events.record(_pod_ref(ns, name), "Normal", "TaintManagerEviction",
                                              f"Cancelling deletion of Pod {ns}/{name}", component=self.name)
            for pod in pods:
                self._process(cluster, pod, node)
            return
        namespace, name = split_key(rest)
        target = cluster.store.peek("", "Pod", namespace, name)
        if target is None:
            return
        node_name = (target.get("spec") or {}).get("nodeName")
        self._process(cluster, target, cluster.store.peek("", "Node", "", node_name) if node_name else None)

    def _process(self, cluster: Cluster, pod: Mapping[str, Any], node: Mapping[str, Any] | None) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return
        taints = _no_execute(node)
        if not taints or node is None:
            return
        now = cluster.clock.now
        when = _eviction_time(pod, taints, self._observed_at(cluster, node["metadata"]["name"]))
        if when is None:
            return
        if when > now + 1e-6:
            cluster.enqueue_after(self.name, f"pod/{object_key(pod)}", when - now)
            return
        self._evict(cluster, pod)

    def _evict(self, cluster: Cluster, pod: Mapping[str, Any]) -> None:
        meta = pod["metadata"]
        ns, name = meta["namespace"], meta["name"]
        cluster.events.record(_pod_ref(ns, name), "Normal", "TaintManagerEviction",
                              f"Marking for deletion Pod {ns}/{name}", component=self.name)
        _add_disruption_condition(cluster, pod, "DeletionByTaintManager",
                                  "Taint manager: deleting due to NoExecute taint", self.name)
        try:
            cluster.store.delete("v1", "Pod", name, namespace=ns, preconditions={"uid": meta.get("uid", "")},
                                 copy=False)
        except ApiError:
            pass


def _pod_ref(namespace: str, name: str) -> dict[str, Any]:
    """The reference the taint manager records events against (no uid, as upstream)."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}


def _add_disruption_condition(cluster: Cluster, pod: Mapping[str, Any], reason: str, message: str,
                              manager: str) -> None:
    status = pod.get("status") or {}
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
    conditions.insert(0, {"type": "DisruptionTarget", "status": "True",
                          "lastTransitionTime": cluster.clock.now_rfc3339(), "reason": reason, "message": message})
    try:
        cluster.store.update_status({**pod, "status": {**status, "conditions": conditions}}, field_manager=manager,
                                    copy=False)
    except ApiError:
        pass


# --- orphaned pods ----------------------------------------------------------------------------------

class PodGCController:
    """Deletes pods bound to nodes that no longer exist (``pod-garbage-collector``)."""

    name = "pod-garbage-collector"
    watches = (("", "Node"), ("", "Pod"))

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A deleted node; a pod bound to a node that does not exist."""
        obj = event.object
        if event.kind.kind == "Node":
            return (f"node/{obj['metadata']['name']}",) if event.type == "DELETED" else ()
        if event.type == "DELETED":
            return ()
        node_name = (obj.get("spec") or {}).get("nodeName")
        if node_name and cluster.store.peek("", "Node", "", node_name) is None:
            return (f"pod/{object_key(obj)}",)
        return ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Schedule (quarantine) or perform the deletion of orphaned pods."""
        kind, _, rest = key.partition("/")
        if kind == "node":
            if cluster.store.peek("", "Node", "", rest) is not None:
                return
            for pod in _pods_on_node(cluster, rest):
                seen = self._first_seen(pod, cluster.clock.now)
                self._wake_at_deadline(cluster, pod, seen + POD_GC_QUARANTINE_SECONDS)
            return
        # A quarantine wakeup carries its deadline (``pod/ns/name@deadline``): the timer outlives
        # this process, ``_seen`` does not, and the next command must not restart the quarantine.
        rest, _, deadline_text = rest.partition("@")
        namespace, name = split_key(rest)
        orphan = cluster.store.peek("", "Pod", namespace, name)
        if orphan is None:
            return
        pod = orphan
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name or cluster.store.peek("", "Node", "", node_name) is not None:
            return
        seen = self._first_seen(pod, cluster.clock.now)
        deadline = float(deadline_text) if deadline_text else seen + POD_GC_QUARANTINE_SECONDS
        if cluster.clock.now < deadline - 1e-6:
            self._wake_at_deadline(cluster, pod, deadline)
            return
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            _add_disruption_condition(cluster, pod, "DeletionByPodGC", "PodGC: node no longer exists", self.name)
        try:
            cluster.store.delete("v1", "Pod", name, namespace=namespace, grace_period_seconds=0,
                                 preconditions={"uid": pod["metadata"].get("uid", "")}, copy=False)
        except ApiError:
            pass

    def _first_seen(self, pod: Mapping[str, Any], now: float) -> float:
        return self._seen.setdefault(pod["metadata"].get("uid", ""), now)

    def _wake_at_deadline(self, cluster: Cluster, pod: Mapping[str, Any], deadline: float) -> None:
        cluster.enqueue_after(self.name, f"pod/{object_key(pod)}@{deadline!r}", deadline - cluster.clock.now)


# --- helpers for commands and tests -------------------------------------------------------------------

def _next_index(cluster: Cluster) -> int:
    used = {0}
    for node in cluster.store.peek_all("", "Node"):
        cidr = (node.get("spec") or {}).get("podCIDR") or ""
        parts = cidr.split(".")
        if len(parts) >= 3 and parts[2].isdigit():
            used.add(int(parts[2]))
    index = 1
    while index in used:
        index += 1
    return index


def add_node(cluster: Cluster, name: str, *, cpu: str = "4", memory: str = "16Gi", pods: str = "110",
             labels: Mapping[str, str] | None = None,
             taints: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Register a new Ready node (as its kubelet would); returns it.

    Raises:
        AlreadyExistsError: a node with that name exists. InvalidError: a bad name or label.
    """
    manifest = node_manifest(name, _next_index(cluster), cpu=cpu, memory=memory, pods=pods,
                             labels=dict(labels or {}), now=cluster.clock.now_rfc3339())
    if taints:
        manifest["spec"]["taints"] = [dict(t) for t in taints]
    return cluster.store.create(manifest, field_manager="kubelet")


def remove_node(cluster: Cluster, name: str) -> None:
    """Delete a node (its pods are garbage-collected after the quarantine).

    Raises:
        NotFoundError: no such node.
    """
    cluster.store.delete("v1", "Node", name, copy=False)


def _patch_node(cluster: Cluster, name: str, patch: Mapping[str, Any], manager: str) -> dict[str, Any]:
    return cluster.store.patch("v1", "Node", name, patch=patch, field_manager=manager)


def cordon(cluster: Cluster, name: str) -> dict[str, Any]:
    """Mark a node unschedulable (``kubectl cordon``).

    Raises:
        NotFoundError: no such node.
    """
    return _patch_node(cluster, name, {"spec": {"unschedulable": True}}, "kubectl-cordon")


def uncordon(cluster: Cluster, name: str) -> dict[str, Any]:
    """Mark a node schedulable again (``kubectl uncordon``).

    Raises:
        NotFoundError: no such node.
    """
    return _patch_node(cluster, name, {"spec": {"unschedulable": None}}, "kubectl-cordon")


def taint_node(cluster: Cluster, name: str, key: str, effect: str, value: str = "") -> dict[str, Any]:
    """Add or update a taint (``kubectl taint nodes NAME key=value:effect``).

    Raises:
        NotFoundError: no such node. ValueError: an unknown effect.
    """
    if effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        raise ValueError(f'invalid taint effect: {effect}, unsupported taint effect')
    node = cluster.store.get("v1", "Node", name, copy=False)
    taints = [dict(t) for t in (node.get("spec") or {}).get("taints") or []
              if not (t.get("key") == key and t.get("effect") == effect)]
    taint: dict[str, Any] = {"key": key, "effect": effect}
    if value:
        taint["value"] = value
    if effect == "NoExecute":
        taint["timeAdded"] = cluster.clock.now_rfc3339()
    taints.append(taint)
    return _patch_node(cluster, name, {"spec": {"taints": taints}}, "kubectl-taint")


def untaint_node(cluster: Cluster, name: str, key: str, effect: str | None = None) -> dict[str, Any]:
    """Remove taints by key (and effect) (``kubectl taint nodes NAME key[:effect]-``).

    Raises:
        NotFoundError: no such node, or no such taint (``taint "key" not found``).
    """
    node = cluster.store.get("v1", "Node", name, copy=False)
    current = (node.get("spec") or {}).get("taints") or []
    taints = [dict(t) for t in current if not (t.get("key") == key and (effect is None or t.get("effect") == effect))]
    if len(taints) == len(current):
        raise NotFoundError(f'taint "{key}{":" + effect if effect else ""}" not found')
    return _patch_node(cluster, name, {"spec": {"taints": taints or None}}, "kubectl-taint")


def label_node(cluster: Cluster, name: str, labels: Mapping[str, str | None]) -> dict[str, Any]:
    """Set (or, with None, remove) node labels (``kubectl label nodes``).

    Raises:
        NotFoundError: no such node. InvalidError: a bad label.
    """
    return _patch_node(cluster, name, {"metadata": {"labels": dict(labels)}}, "kubectl-label")
