"""The scheduler: filters with kube-scheduler's exact FailedScheduling messages, scoring,
retries, and the seed scheduling fixtures (F-33 … F-38)."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.nodelifecycle import add_node, cordon, label_node, taint_node, uncordon
from helmlite.cluster.controllers.scheduler import (
    num_feasible_nodes_to_find,
    pod_requests,
    tolerates_taint,
)

from .kubelet_support import EventLog, get_pod, pod_manifest

CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


@pytest.fixture
def log(cluster: Cluster) -> EventLog:
    return EventLog(cluster)


def create(cluster: Cluster, manifest: dict[str, Any]) -> None:
    cluster.store.create(manifest)
    cluster.reconcile()


def node_of(cluster: Cluster, name: str) -> str:
    pod = get_pod(cluster, name)
    assert pod is not None
    return pod["spec"].get("nodeName", "")


def failure(cluster: Cluster, log: EventLog, name: str) -> str:
    """The FailedScheduling message, checked against the pod's PodScheduled condition."""
    events = log.of(name, "FailedScheduling")
    assert events, f"{name} was not reported unschedulable"
    pod = get_pod(cluster, name)
    assert pod is not None and not pod["spec"].get("nodeName")
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
    assert condition["message"] == events[-1].message
    assert events[-1].type == "Warning" and events[-1].source == "default-scheduler"
    return events[-1].message


def requesting(name: str, cpu: str = "", memory: str = "", **spec: Any) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    return pod_manifest(name, containers=[{"name": "app", "image": "nginx:1.25",
                                           "resources": {"requests": requests}}], **spec)


# --- success -------------------------------------------------------------------------------------

def test_scheduled_event_and_condition(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("web-0"))
    node = node_of(cluster, "web-0")
    assert node in ("node-1", "node-2", "node-3")
    scheduled = log.of("web-0", "Scheduled")
    assert [(e.type, e.message, e.source) for e in scheduled] == [
        ("Normal", f"Successfully assigned default/web-0 to {node}", "default-scheduler")]
    condition = next(c for c in get_pod(cluster, "web-0")["status"]["conditions"]  # type: ignore[index]
                     if c["type"] == "PodScheduled")
    assert condition["status"] == "True"


def test_identical_pods_spread_over_identical_nodes(cluster: Cluster) -> None:
    for i in range(6):
        create(cluster, requesting(f"p{i}", cpu="100m"))
    placed = sorted(node_of(cluster, f"p{i}") for i in range(6))
    assert placed == ["node-1", "node-1", "node-2", "node-2", "node-3", "node-3"]


def test_placement_is_deterministic_for_a_seed() -> None:
    def placements(seed: int) -> list[str]:
        cluster = Cluster.in_memory(seed=seed, nodes=5)
        for i in range(8):
            cluster.store.create(pod_manifest(f"p{i}"))
            cluster.reconcile()
        return [node_of(cluster, f"p{i}") for i in range(8)]

    assert placements(7) == placements(7)


def test_least_allocated_prefers_the_emptier_node(cluster: Cluster) -> None:
    create(cluster, requesting("big", cpu="3", nodeName="node-1"))
    create(cluster, requesting("big2", cpu="2", nodeName="node-2"))
    create(cluster, requesting("small", cpu="500m"))
    assert node_of(cluster, "small") == "node-3"


def test_preferred_node_affinity(cluster: Cluster) -> None:
    label_node(cluster, "node-2", {"disktype": "ssd"})
    cluster.reconcile()
    affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 80, "preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}}]}}
    for i in range(3):
        create(cluster, pod_manifest(f"p{i}", affinity=affinity))
    assert {node_of(cluster, f"p{i}") for i in range(3)} == {"node-2"}


def test_prefer_no_schedule_is_avoided(cluster: Cluster) -> None:
    taint_node(cluster, "node-1", "dedicated", "PreferNoSchedule", "gpu")
    taint_node(cluster, "node-2", "dedicated", "PreferNoSchedule", "gpu")
    cluster.reconcile()
    create(cluster, pod_manifest("web"))
    assert node_of(cluster, "web") == "node-3"


def test_preferred_pod_anti_affinity_spreads_replicas(cluster: Cluster) -> None:
    anti = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}},
                                            "topologyKey": "kubernetes.io/hostname"}}]}}
    # make node-1 the emptiest, so LeastAllocated alone would stack pods there
    create(cluster, requesting("filler-2", cpu="1", nodeName="node-2"))
    create(cluster, requesting("filler-3", cpu="1", nodeName="node-3"))
    for i in range(3):
        create(cluster, requesting(f"web-{i}", cpu="100m", labels={"app": "web"}, affinity=anti))
    assert sorted(node_of(cluster, f"web-{i}") for i in range(3)) == ["node-1", "node-2", "node-3"]


def test_node_name_bypasses_the_scheduler(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("mayikt-sit-pod", nodeName="node-2"))  # F-33
    assert node_of(cluster, "mayikt-sit-pod") == "node-2"
    assert log.of("mayikt-sit-pod", "Scheduled") == []


def test_another_scheduler_name_is_left_alone(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("custom", schedulerName="my-scheduler"))
    cluster.advance(600)
    assert node_of(cluster, "custom") == ""
    assert log.of("custom") == []


# --- FailedScheduling messages ----------------------------------------------------------------------

def test_untolerated_taint_and_insufficient_cpu(cluster: Cluster, log: EventLog) -> None:
    taint_node(cluster, "node-1", CONTROL_PLANE["key"], "NoSchedule")
    create(cluster, requesting("fill-2", cpu="3", nodeName="node-2"))
    create(cluster, requesting("fill-3", cpu="3", nodeName="node-3"))
    create(cluster, requesting("web", cpu="2"))
    assert failure(cluster, log, "web") == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes "
        "are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")


def test_a_request_larger_than_any_node(cluster: Cluster, log: EventLog) -> None:
    create(cluster, requesting("huge", cpu="8", memory="64Gi"))
    assert failure(cluster, log, "huge") == (
        "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling.")


@pytest.mark.parametrize(("spec", "reason"), [
    ({"nodeSelector": {"nodev": "v2"}}, "3 node(s) didn't match Pod's node affinity/selector"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "nodev", "operator": "In", "values": ["v3", "v4"]}]}]}}}},
     "3 node(s) didn't match Pod's node affinity/selector"),
])
def test_node_affinity_that_matches_nothing(cluster: Cluster, log: EventLog, spec: dict[str, Any], reason: str) -> None:
    create(cluster, pod_manifest("picky", **spec))
    assert failure(cluster, log, "picky") == (
        f"0/3 nodes are available: {reason}. preemption: 0/3 nodes are available: 3 Preemption is not helpful "
        "for scheduling.")


def test_cordoned_nodes(cluster: Cluster, log: EventLog) -> None:
    for node in ("node-1", "node-2", "node-3"):
        cordon(cluster, node)
    cluster.reconcile()
    create(cluster, pod_manifest("web"))
    assert failure(cluster, log, "web") == (
        "0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling.")
    uncordon(cluster, "node-3")
    cluster.advance(2)
    assert node_of(cluster, "web") == "node-3"


def test_too_many_pods(cluster: Cluster, log: EventLog) -> None:
    for node in ("node-1", "node-2", "node-3"):
        cluster.store.delete("v1", "Node", node)
    add_node(cluster, "tiny", pods="1")
    create(cluster, pod_manifest("first"))
    create(cluster, pod_manifest("second"))
    assert failure(cluster, log, "second") == (
        "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod.")


def test_unbound_and_missing_claims(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"name": "data", "namespace": "default"},
                          "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                                   "resources": {"requests": {"storage": "1Gi"}}}})
    volume = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    create(cluster, pod_manifest("db", volumes=volume))
    assert failure(cluster, log, "db") == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling.")
    create(cluster, pod_manifest("lost", volumes=[{"name": "x", "persistentVolumeClaim": {"claimName": "nope"}}]))
    assert failure(cluster, log, "lost").startswith('0/3 nodes are available: persistentvolumeclaim "nope" not found.')


def test_a_claim_bound_later_lets_the_pod_schedule(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"name": "data", "namespace": "default"},
                          "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                                   "resources": {"requests": {"storage": "1Gi"}}}})
    create(cluster, pod_manifest("db", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]))
    assert failure(cluster, log, "db").startswith("0/3 nodes are available: pod has unbound immediate")
    cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv003"},
                          "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                                   "storageClassName": "manual", "hostPath": {"path": "/data"}}})
    cluster.advance(30)
    assert node_of(cluster, "db") != ""


def test_pinned_daemon_pod_that_does_not_fit(cluster: Cluster, log: EventLog) -> None:
    create(cluster, requesting("fill", cpu="3500m", nodeName="node-2"))
    pinned = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}
    create(cluster, requesting("agent", cpu="1", affinity=pinned))
    assert failure(cluster, log, "agent") == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling.")


def test_preemption_policy_never(cluster: Cluster, log: EventLog) -> None:
    create(cluster, requesting("huge", cpu="5", preemptionPolicy="Never"))
    assert failure(cluster, log, "huge") == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.")


def test_host_port_conflicts(cluster: Cluster, log: EventLog) -> None:
    def with_port(name: str) -> dict[str, Any]:
        return pod_manifest(name, containers=[{"name": "app", "image": "nginx:1.25",
                                               "ports": [{"containerPort": 8080, "hostPort": 8080}]}])

    for i in range(3):
        create(cluster, with_port(f"p{i}"))
    assert sorted(node_of(cluster, f"p{i}") for i in range(3)) == ["node-1", "node-2", "node-3"]
    create(cluster, with_port("p3"))
    assert failure(cluster, log, "p3") == (
        "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports. preemption: "
        "0/3 nodes are available: 3 No preemption victims found for incoming pod.")


def test_persistent_volume_node_affinity(cluster: Cluster, log: EventLog) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "local-1"},
                          "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                   "storageClassName": "local", "local": {"path": "/mnt/disk"},
                                   "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                                       {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-3"]}]}]}}}})
    cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"name": "data", "namespace": "default"},
                          "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local",
                                   "volumeName": "local-1", "resources": {"requests": {"storage": "1Gi"}}}})
    cluster.advance(5)
    create(cluster, pod_manifest("db", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]))
    assert node_of(cluster, "db") == "node-3"
    cordon(cluster, "node-3")
    cluster.reconcile()
    create(cluster, pod_manifest("db2", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]))
    assert failure(cluster, log, "db2") == (
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match PersistentVolume's node "
        "affinity. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


def test_scheduling_gates(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("gated", schedulingGates=[{"name": "example.com/wait"}]))
    pod = get_pod(cluster, "gated")
    assert pod is not None
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (condition["reason"], condition["message"]) == (
        "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates")
    assert log.of("gated") == []
    pod = cluster.store.get("v1", "Pod", "gated", namespace="default")
    pod["spec"]["schedulingGates"] = []
    cluster.store.replace(pod)
    cluster.reconcile()
    assert node_of(cluster, "gated") != ""


# --- inter-pod affinity: the seed fixtures F-37 and F-38 ---------------------------------------------

def affinity_to(kind: str, podinfo: str) -> dict[str, Any]:
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": [{
        "labelSelector": {"matchExpressions": [{"key": "podinfo", "operator": "In", "values": [podinfo]}]},
        "topologyKey": "kubernetes.io/hostname"}]}}


def test_required_pod_affinity(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("mayikt-pod01", labels={"podinfo": "pod01"}, nodeName="node-1"))
    create(cluster, pod_manifest("mayikt-pod02", affinity=affinity_to("podAffinity", "pod01")))
    assert node_of(cluster, "mayikt-pod02") == "node-1"
    create(cluster, pod_manifest("mayikt-pod03", affinity=affinity_to("podAffinity", "pod03")))
    assert failure(cluster, log, "mayikt-pod03") == (
        "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling.")
    create(cluster, pod_manifest("late", labels={"podinfo": "pod03"}, nodeName="node-2"))
    cluster.advance(2)
    assert node_of(cluster, "mayikt-pod03") == "node-2"


def test_required_pod_anti_affinity(cluster: Cluster, log: EventLog) -> None:
    create(cluster, pod_manifest("mayikt-pod01", labels={"podinfo": "pod01"}, nodeName="node-1"))
    create(cluster, pod_manifest("mayikt-pod02", affinity=affinity_to("podAntiAffinity", "pod01")))
    assert node_of(cluster, "mayikt-pod02") in ("node-2", "node-3")
    # one replica per node: the fourth has nowhere to go
    for i in range(4):
        create(cluster, pod_manifest(f"r{i}", labels={"podinfo": "r"}, affinity=affinity_to("podAntiAffinity", "r")))
    assert sorted(node_of(cluster, f"r{i}") for i in range(3)) == ["node-1", "node-2", "node-3"]
    assert failure(cluster, log, "r3") == (
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are "
        "available: 3 No preemption victims found for incoming pod.")


def test_existing_pods_anti_affinity(cluster: Cluster, log: EventLog) -> None:
    lonely = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
        "labelSelector": {"matchLabels": {"app": "noisy"}}, "topologyKey": "topology.kubernetes.io/region"}]}}
    create(cluster, pod_manifest("lonely", affinity=lonely))
    create(cluster, pod_manifest("noisy", labels={"app": "noisy"}))
    assert failure(cluster, log, "noisy") == (
        "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes "
        "are available: 3 No preemption victims found for incoming pod.")


# --- retries --------------------------------------------------------------------------------------------

def test_a_new_node_makes_a_pending_pod_schedulable(cluster: Cluster, log: EventLog) -> None:
    create(cluster, requesting("big", cpu="6"))
    assert failure(cluster, log, "big").startswith("0/3 nodes are available: 3 Insufficient cpu.")
    add_node(cluster, "node-4", cpu="8")
    cluster.advance(2)
    assert node_of(cluster, "big") == "node-4"
    assert log.of("big", "Scheduled")[0].message == "Successfully assigned default/big to node-4"


def test_a_pod_leaving_frees_its_resources(cluster: Cluster, log: EventLog) -> None:
    for i in range(3):
        create(cluster, requesting(f"fill-{i}", cpu="3"))
    create(cluster, requesting("waiting", cpu="2"))
    assert failure(cluster, log, "waiting").startswith("0/3 nodes are available: 3 Insufficient cpu.")
    freed = node_of(cluster, "fill-1")
    cluster.store.delete("v1", "Pod", "fill-1", namespace="default", grace_period_seconds=0)
    cluster.advance(2)
    assert node_of(cluster, "waiting") == freed


def test_unschedulable_pods_are_retried_with_back_off_and_every_five_minutes(cluster: Cluster, log: EventLog) -> None:
    create(cluster, requesting("big", cpu="6"))
    for i in range(4):  # node changes that do not help: retries follow the 1 s, 2 s, 4 s … back-off
        label_node(cluster, "node-1", {"round": str(i)})
        cluster.advance(0.5)
    attempts = log.times("big", "FailedScheduling")
    assert attempts[0] == 0.0
    assert all(later - earlier >= 1.0 for earlier, later in zip(attempts, attempts[1:]))
    cluster.advance(1000)
    flushes = [t for t in log.times("big", "FailedScheduling") if t > 10]
    assert [round(t - flushes[0]) for t in flushes] == [0, 300, 600, 900][:len(flushes)]
    assert len(flushes) >= 3


# --- predicates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("toleration", "taint", "expected"), [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, {"key": "k", "value": "v", "effect": "NoExecute"}, True),
    ({"key": "k", "value": "x"}, {"key": "k", "value": "v", "effect": "NoExecute"}, False),
    ({"key": "k", "operator": "Exists"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, True),
    ({"operator": "Exists"}, {"key": "anything", "effect": "NoExecute"}, True),
    ({"key": "k", "operator": "Exists", "effect": "NoSchedule"}, {"key": "k", "effect": "NoExecute"}, False),
    ({"key": "other", "operator": "Exists"}, {"key": "k", "effect": "NoSchedule"}, False),
])
def test_tolerates_taint(toleration: dict[str, Any], taint: dict[str, Any], expected: bool) -> None:
    assert tolerates_taint(toleration, taint) is expected


def test_pod_requests() -> None:
    spec = {
        "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}},
                           {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}}],
        "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}},
                       {"name": "b", "resources": {"limits": {"cpu": "1"}}}],
        "overhead": {"cpu": "10m"},
    }
    assert pod_requests(spec) == {"cpu": 2010, "memory": 1024 ** 3}
    assert pod_requests({"containers": [{"name": "a"}]}, non_zero=True) == {"cpu": 100, "memory": 200 * 1024 ** 2}


@pytest.mark.parametrize(("nodes", "expected"), [(3, 3), (99, 99), (100, 100), (500, 230), (5000, 500), (6000, 300),
                                                 (50000, 2500)])
def test_num_feasible_nodes_to_find(nodes: int, expected: int) -> None:
    assert num_feasible_nodes_to_find(nodes) == expected


# --- topology spreading --------------------------------------------------------------------------------

def test_replicas_of_a_workload_spread_over_nodes_by_default(cluster: Cluster) -> None:
    add_node(cluster, "big", cpu="64", memory="256Gi")  # LeastAllocated alone would stack them here
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                        {"name": "app", "image": "nginx:1.25", "resources": {"requests": {"cpu": "100m"}}}]}}}}
    cluster.store.create(dep)
    cluster.advance(1)
    nodes = [p["spec"]["nodeName"] for p in cluster.store.peek_all("", "Pod", "default")]
    assert len(nodes) == 4 and len(set(nodes)) == 4


def test_do_not_schedule_spread_constraints(cluster: Cluster, log: EventLog) -> None:
    constraint = {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
                  "labelSelector": {"matchLabels": {"app": "spread"}}}
    for i in range(3):
        create(cluster, pod_manifest(f"s{i}", labels={"app": "spread"}, topologySpreadConstraints=[constraint]))
    zones = {cluster.store.peek("", "Node", "", node_of(cluster, f"s{i}"))["metadata"]["labels"][  # type: ignore[index]
        "topology.kubernetes.io/zone"] for i in range(3)}
    assert zones == {"zone-a", "zone-b", "zone-c"}
    cordon(cluster, "node-1")
    cordon(cluster, "node-2")
    cluster.reconcile()
    create(cluster, pod_manifest("s3", labels={"app": "spread"}, topologySpreadConstraints=[constraint]))
    assert node_of(cluster, "s3") == "node-3"
    create(cluster, pod_manifest("s4", labels={"app": "spread"}, topologySpreadConstraints=[constraint]))
    assert failure(cluster, log, "s4") == (
        "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 2 node(s) were "
        "unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling.")
    rack = {**constraint, "topologyKey": "rack"}
    create(cluster, pod_manifest("racked", labels={"app": "spread"}, topologySpreadConstraints=[rack]))
    assert failure(cluster, log, "racked").startswith(
        "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label), "
        "2 node(s) were unschedulable.")
