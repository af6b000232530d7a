"""Node conditions and taints from faults, NoExecute eviction, cordon, node add/remove."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.nodelifecycle import (
    NODE_MONITOR_GRACE_SECONDS,
    POD_GC_QUARANTINE_SECONDS,
    add_node,
    cordon,
    remove_node,
    taint_node,
    uncordon,
    untaint_node,
)
from helmlite.cluster.faults import add_fault, remove_fault

from ..manifests import deployment
from .kubelet_support import EventLog, get_pod, kubectl_columns, pod_manifest

TOLERATION_SECONDS = 300


@pytest.fixture
def log(cluster: Cluster) -> EventLog:
    return EventLog(cluster)


def node(cluster: Cluster, name: str) -> dict[str, Any]:
    found = cluster.store.peek("", "Node", "", name)
    assert found is not None
    return found


def conditions(cluster: Cluster, name: str) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in node(cluster, name)["status"]["conditions"]}


def taints(cluster: Cluster, name: str) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in node(cluster, name)["spec"].get("taints") or []]


def web_pods(cluster: Cluster) -> list[dict[str, Any]]:
    return sorted((p for p in cluster.store.peek_all("", "Pod", "default") if p["metadata"]["name"].startswith("web-")),
                  key=lambda p: p["metadata"]["name"])


def available(cluster: Cluster) -> int:
    dep = cluster.store.peek("apps", "Deployment", "default", "web")
    return int(((dep or {}).get("status") or {}).get("availableReplicas") or 0)


def test_unreachable_node_pods_are_evicted_after_the_toleration(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create(deployment("web", replicas=3))
    assert cluster.run_until(lambda: available(cluster) == 3, 120)
    on_node_2 = [p["metadata"]["name"] for p in web_pods(cluster) if p["spec"]["nodeName"] == "node-2"]
    assert len(on_node_2) == 1
    victim = on_node_2[0]
    start = cluster.clock.now
    add_fault(cluster, {"kind": "node-not-ready", "node": "node-2"})
    cluster.advance(NODE_MONITOR_GRACE_SECONDS - 1)
    assert conditions(cluster, "node-2")["Ready"] == ("True", "KubeletReady")
    cluster.advance(1)
    assert conditions(cluster, "node-2") == {t: ("Unknown", "NodeStatusUnknown") for t in
                                             ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")}
    ready = next(c for c in node(cluster, "node-2")["status"]["conditions"] if c["type"] == "Ready")
    assert ready["message"] == "Kubelet stopped posting node status."
    assert taints(cluster, "node-2") == [("node.kubernetes.io/unreachable", "NoSchedule"),
                                         ("node.kubernetes.io/unreachable", "NoExecute")]
    assert [e.message for e in log.of("node-2", "NodeNotReady")] == ["Node node-2 status is now: NodeNotReady"]
    assert log.of(victim, "NodeNotReady")[0].message == "Node is not ready"
    marked = next(c for c in get_pod(cluster, victim)["status"]["conditions"] if c["type"] == "Ready")  # type: ignore[index]
    assert marked["status"] == "False"
    assert kubectl_columns(get_pod(cluster, victim))[:2] == ("1/1", "Running")  # type: ignore[arg-type]
    assert available(cluster) == 2
    cluster.advance(TOLERATION_SECONDS - 1)
    assert get_pod(cluster, victim)["metadata"].get("deletionTimestamp") is None  # type: ignore[index]
    cluster.advance(1)
    evictions = log.of(victim, "TaintManagerEviction")
    # the fault started at a whole second (``since``); the taint 50 s later; the eviction 300 s after that
    since = int(start - log.start)
    assert [(e.at, e.message, e.source) for e in evictions] == [
        (since + NODE_MONITOR_GRACE_SECONDS + TOLERATION_SECONDS, f"Marking for deletion Pod default/{victim}",
         "taint-eviction-controller")]
    evicted = get_pod(cluster, victim)
    assert evicted is not None and evicted["metadata"]["deletionTimestamp"]  # stuck: its kubelet is gone
    disruption = next(c for c in evicted["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (disruption["reason"], disruption["message"]) == (
        "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
    assert kubectl_columns(evicted)[1] == "Terminating"
    assert cluster.run_until(lambda: available(cluster) == 3, 60)
    replacements = [p for p in web_pods(cluster) if not p["metadata"].get("deletionTimestamp")]
    assert {p["spec"]["nodeName"] for p in replacements} <= {"node-1", "node-3"}
    # the node comes back: Ready again, untainted, and its kubelet finishes the deletion
    remove_fault(cluster, "fault-1")
    cluster.advance(1)
    assert conditions(cluster, "node-2")["Ready"] == ("True", "KubeletReady")
    assert taints(cluster, "node-2") == []
    assert log.of("node-2", "NodeReady")[0].message == "Node node-2 status is now: NodeReady"
    assert get_pod(cluster, victim) is None


def test_a_node_reporting_not_ready(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create(pod_manifest("pinned", nodeName="node-3"))
    cluster.advance(10)
    add_fault(cluster, {"kind": "node-not-ready", "node": "node-3", "mode": "not-ready"})
    cluster.advance(1)
    assert conditions(cluster, "node-3")["Ready"] == ("False", "KubeletNotReady")
    assert taints(cluster, "node-3") == [("node.kubernetes.io/not-ready", "NoSchedule"),
                                         ("node.kubernetes.io/not-ready", "NoExecute")]
    cluster.advance(TOLERATION_SECONDS)
    # the kubelet still runs: the evicted pod terminates and is gone
    assert log.of("pinned", "TaintManagerEviction")
    assert get_pod(cluster, "pinned") is None


def test_pods_tolerating_forever_stay(cluster: Cluster) -> None:
    cluster.store.create(pod_manifest("agent", nodeName="node-1", tolerations=[
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]))
    cluster.advance(10)
    add_fault(cluster, {"kind": "node-not-ready", "node": "node-1"})
    cluster.advance(1000)
    pod = get_pod(cluster, "agent")
    assert pod is not None and not pod["metadata"].get("deletionTimestamp")


def test_resource_pressure(cluster: Cluster, log: EventLog) -> None:
    fid = add_fault(cluster, {"kind": "resource-pressure", "node": "node-1", "resource": "memory"})
    add_fault(cluster, {"kind": "resource-pressure", "node": "node-2", "resource": "disk"})
    cluster.reconcile()
    assert conditions(cluster, "node-1")["MemoryPressure"] == ("True", "KubeletHasInsufficientMemory")
    assert conditions(cluster, "node-2")["DiskPressure"] == ("True", "KubeletHasDiskPressure")
    assert taints(cluster, "node-1") == [("node.kubernetes.io/memory-pressure", "NoSchedule")]
    assert taints(cluster, "node-2") == [("node.kubernetes.io/disk-pressure", "NoSchedule")]
    assert log.of("node-1", "NodeHasInsufficientMemory")[0].message == (
        "Node node-1 status is now: NodeHasInsufficientMemory")
    for i in range(2):
        cluster.store.create(pod_manifest(f"p{i}"))
    cluster.reconcile()
    assert {get_pod(cluster, f"p{i}")["spec"]["nodeName"] for i in range(2)} == {"node-3"}  # type: ignore[index]
    remove_fault(cluster, fid)
    cluster.reconcile()
    assert conditions(cluster, "node-1")["MemoryPressure"] == ("False", "KubeletHasSufficientMemory")
    assert taints(cluster, "node-1") == []
    assert log.of("node-1", "NodeHasSufficientMemory")


def test_cordon_and_uncordon(cluster: Cluster, log: EventLog) -> None:
    cordon(cluster, "node-1")
    cluster.reconcile()
    assert taints(cluster, "node-1") == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    assert node(cluster, "node-1")["spec"]["unschedulable"] is True
    assert log.of("node-1", "NodeNotSchedulable")[0].message == "Node node-1 status is now: NodeNotSchedulable"
    uncordon(cluster, "node-1")
    cluster.reconcile()
    assert taints(cluster, "node-1") == []
    assert "unschedulable" not in node(cluster, "node-1")["spec"]
    assert log.of("node-1", "NodeSchedulable")


def test_no_execute_taints_evict_at_once_or_after_toleration_seconds(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create(pod_manifest("plain", nodeName="node-1"))
    cluster.store.create(pod_manifest("patient", nodeName="node-1", tolerations=[
        {"key": "maintenance", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}]))
    cluster.store.create(pod_manifest("cancelled", nodeName="node-2", tolerations=[
        {"key": "maintenance", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}]))
    cluster.advance(10)
    taint_node(cluster, "node-1", "maintenance", "NoExecute", "true")
    taint_node(cluster, "node-2", "maintenance", "NoExecute", "true")
    cluster.reconcile()
    assert log.of("plain", "TaintManagerEviction")
    assert get_pod(cluster, "plain") is None  # nginx stops at once
    cluster.advance(30)
    untaint_node(cluster, "node-2", "maintenance")
    cluster.reconcile()
    assert [e.message for e in log.of("cancelled", "TaintManagerEviction")] == [
        "Cancelling deletion of Pod default/cancelled"]
    cluster.advance(29)
    assert get_pod(cluster, "patient") is not None
    cluster.advance(1)
    assert get_pod(cluster, "patient") is None
    assert get_pod(cluster, "cancelled") is not None


def test_removing_a_node_garbage_collects_its_pods(cluster: Cluster) -> None:
    cluster.store.create(pod_manifest("orphan", nodeName="node-3"))
    cluster.advance(10)
    remove_node(cluster, "node-3")
    cluster.advance(POD_GC_QUARANTINE_SECONDS - 1)
    assert get_pod(cluster, "orphan") is not None
    cluster.advance(1)
    assert get_pod(cluster, "orphan") is None


def test_pod_gc_quarantine_is_not_restarted_by_the_next_command(tmp_path: Path) -> None:
    """Regression: the quarantine's start lived only in memory, so a command every 30 s (each a
    new process that fired the 40 s timer) restarted it forever and the pod was never collected."""
    path, clock = tmp_path / "cluster.db", [1_000_000.0]
    with Cluster.open(path, wall_clock=lambda: clock[0]) as cluster:
        cluster.store.create(pod_manifest("orphan", nodeName="node-3"))
        cluster.advance(10)
        remove_node(cluster, "node-3")
    for _ in range(2):  # commands at +30 s and +60 s: the 40 s quarantine is over by the second
        clock[0] += 30
        with Cluster.open(path, wall_clock=lambda: clock[0]) as cluster:
            gone = get_pod(cluster, "orphan") is None
    assert gone


def test_add_node(cluster: Cluster) -> None:
    added = add_node(cluster, "node-4", cpu="8", memory="32Gi", labels={"disktype": "ssd"},
                     taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    assert added["spec"]["podCIDR"] == "10.244.4.0/24"
    assert added["metadata"]["labels"]["disktype"] == "ssd"
    assert added["status"]["allocatable"]["cpu"] == "8"
    cluster.store.create(pod_manifest("db", nodeSelector={"disktype": "ssd"}, tolerations=[
        {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]))
    cluster.advance(10)
    pod = get_pod(cluster, "db")
    assert pod is not None and pod["spec"]["nodeName"] == "node-4"
    assert pod["status"]["podIP"].startswith("10.244.4.")
    assert kubectl_columns(pod)[1] == "Running"
