"""Test support for the ReplicaSet, Deployment and rollout tests.

``PodLifecycleStub`` stands in for the scheduler and the kubelet: it binds each new pod to the
next node in turn, starts it ``start_seconds`` after creation (Running, and Ready
unless its image is in ``never_ready`` or its key in ``hold``), and finishes a deletion
``termination_seconds`` after it began. With ``stagger_seconds`` pods start one at a time, that
far apart (as real pods become ready at slightly different times). ``pod_running`` marks one
pod by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from helmlite.cluster import Cluster
from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers import object_key, split_key
from helmlite.cluster.controllers.deployment import DeploymentController
from helmlite.cluster.controllers.replicaset import ReplicaSetController
from helmlite.cluster.errors import ConflictError, NotFoundError
from helmlite.cluster.store import WatchEvent


class PodLifecycleStub:
    name = "pod-lifecycle-stub"
    watches = (("", "Pod"),)

    def __init__(self, *, start_seconds: float = 1.0, termination_seconds: float = 1.0,
                 stagger_seconds: float = 0.0) -> None:
        self.start_seconds = start_seconds
        self.termination_seconds = termination_seconds
        self.stagger_seconds = stagger_seconds
        self._starts: dict[str, float] = {}
        self._last_start = float("-inf")
        self.never_ready: set[str] = set()
        self.hold: set[str] = set()
        self._ips = 0
        self._binds = 0

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        return () if event.type == "DELETED" else (object_key(event.object),)

    def sync(self, cluster: Cluster, key: str) -> None:
        namespace, name = split_key(key)
        pod = cluster.store.peek("", "Pod", namespace, name)
        if pod is None:
            return
        meta, spec = pod["metadata"], pod.get("spec") or {}
        now = cluster.clock.now
        if meta.get("deletionTimestamp"):
            grace = meta.get("deletionGracePeriodSeconds") or 0
            done = parse_time(meta["deletionTimestamp"]) - grace + min(grace, self.termination_seconds)
            if now >= done:
                try:
                    cluster.store.delete("v1", "Pod", name, namespace=namespace, grace_period_seconds=0)
                except NotFoundError:
                    pass
            else:
                cluster.enqueue_after(self.name, key, done - now)
            return
        if not spec.get("nodeName"):
            nodes = sorted(n["metadata"]["name"] for n in cluster.store.peek_all("", "Node"))
            if nodes:
                self._binds += 1
                try:
                    cluster.store.bind_pod(name, nodes[self._binds % len(nodes)], namespace=namespace)
                except ConflictError:
                    pass
            return
        if key in self.hold or (pod.get("status") or {}).get("phase") != "Pending":
            return
        started = self._starts.get(key)
        if started is None:
            started = parse_time(meta["creationTimestamp"]) + self.start_seconds
            if self.stagger_seconds:
                started = self._starts[key] = max(started, self._last_start + self.stagger_seconds)
                self._last_start = started
        if now < started:
            cluster.enqueue_after(self.name, key, started - now)
            return
        image = (spec.get("containers") or [{}])[0].get("image", "")
        self._ips += 1
        pod_running(cluster, namespace, name, ready=image not in self.never_ready, ip=f"10.244.0.{self._ips}")


def pod_running(cluster: Cluster, namespace: str, name: str, *, ready: bool = True, ip: str = "10.244.0.1",
                restarts: int = 0) -> dict[str, Any]:
    """Write the status a kubelet reports for a started pod (Running; Ready or not)."""
    pod = cluster.store.get("v1", "Pod", name, namespace=namespace)
    now = format_time(cluster.clock.now)
    ready_text = "True" if ready else "False"
    containers = (pod.get("spec") or {}).get("containers") or []
    status = dict(pod.get("status") or {})
    scheduled = [c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"]
    status.update({
        "phase": "Running",
        "hostIP": "172.18.0.2",
        "podIP": ip,
        "startTime": now,
        "conditions": [
            {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": now},
            {"type": "Initialized", "status": "True", "lastTransitionTime": now},
            {"type": "Ready", "status": ready_text, "lastTransitionTime": now},
            {"type": "ContainersReady", "status": ready_text, "lastTransitionTime": now},
            *scheduled,
        ],
        "containerStatuses": [
            {"name": c["name"], "image": c.get("image", ""), "ready": ready, "restartCount": restarts,
             "started": True, "state": {"running": {"startedAt": now}}}
            for c in containers
        ],
    })
    pod["status"] = status
    return cluster.store.update_status(pod, field_manager="kubelet")


def workload_cluster(*, seed: int = 0, nodes: int = 3, stub: PodLifecycleStub | None = None) -> Cluster:
    """A cluster running the Deployment and ReplicaSet controllers with the pod stub."""
    return Cluster.in_memory(seed, nodes=nodes, controllers=[DeploymentController(), ReplicaSetController(),
                                                              stub or PodLifecycleStub()])


def scaling_events(cluster: Cluster, namespace: str = "default") -> list[str]:
    """ScalingReplicaSet messages in the order they were recorded."""
    events = [e for e in cluster.store.peek_all("", "Event", namespace) if e.get("reason") == "ScalingReplicaSet"]
    events.sort(key=lambda e: (e["metadata"]["name"].rpartition(".")[2].rjust(20, "0"), int(e["metadata"]["resourceVersion"])))
    return [e["message"] for e in events]


def rs_of(cluster: Cluster, deployment_name: str, namespace: str = "default") -> list[dict[str, Any]]:
    """The Deployment's ReplicaSets, oldest first."""
    d = cluster.store.peek("apps", "Deployment", namespace, deployment_name)
    assert d is not None
    out = [rs for kind, rs in cluster.store.children_of(d["metadata"]["uid"]) if kind.kind == "ReplicaSet"]
    return sorted(out, key=lambda rs: (rs["metadata"]["creationTimestamp"], int(rs["metadata"]["resourceVersion"])))


def pods_of(cluster: Cluster, owner: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for kind, p in cluster.store.children_of(owner["metadata"]["uid"]) if kind.kind == "Pod"]


def deployment_complete(cluster: Cluster, name: str, namespace: str = "default") -> bool:
    d = cluster.store.peek("apps", "Deployment", namespace, name)
    if d is None:
        return False
    status, replicas = d.get("status") or {}, d["spec"]["replicas"]
    progressing = next((c for c in status.get("conditions") or [] if c["type"] == "Progressing"), {})
    return (status.get("observedGeneration", 0) >= d["metadata"]["generation"]
            and status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
            and progressing.get("reason") == "NewReplicaSetAvailable")
