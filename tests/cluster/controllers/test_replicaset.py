"""The ReplicaSet controller: pod names and owners, self-healing, adoption and release,
Kubernetes' victim order, burst and slow start, status and minReadySeconds (seeds §2.3)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from helmlite.cluster import ApiError, Cluster, ForbiddenError
from helmlite.cluster.clock import EPOCH, format_time
from helmlite.cluster.controllers.replicaset import BURST_REPLICAS, ReplicaSetController, pods_to_delete

from .deployment_support import PodLifecycleStub, pod_running, pods_of

POD_NAME = re.compile(r"frontend-[bcdfghjklmnpqrstvwxz2456789]{5}")


def replicaset(name: str = "frontend", *, replicas: int = 3, image: str = "nginx:1.17.9",
               min_ready: int | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = labels or {"tier": name}
    spec: dict[str, Any] = {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                            "template": {"metadata": {"labels": dict(labels)},
                                         "spec": {"containers": [{"name": "nginx", "image": image}]}}}
    if min_ready is not None:
        spec["minReadySeconds"] = min_ready
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "namespace": "default"},
            "spec": spec}


def bare_pod(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}


@pytest.fixture
def stub() -> PodLifecycleStub:
    return PodLifecycleStub()


@pytest.fixture
def rs_cluster(stub: PodLifecycleStub) -> Cluster:
    return Cluster.in_memory(controllers=[ReplicaSetController(), stub])


def rs_status(cluster: Cluster, name: str = "frontend") -> dict[str, Any]:
    rs = cluster.store.get("apps/v1", "ReplicaSet", name, namespace="default")
    return rs.get("status") or {}


def events(cluster: Cluster, reason: str) -> list[str]:
    found = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["reason"] == reason]
    return [e["message"] for e in sorted(found, key=lambda e: int(e["metadata"]["resourceVersion"]))]


# --- pods, owners, events ---------------------------------------------------------------------


def test_creates_named_owned_pods_and_reports_status(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    pods = pods_of(rs_cluster, rs)
    assert len(pods) == 3
    for pod in pods:
        meta = pod["metadata"]
        assert POD_NAME.fullmatch(meta["name"])
        assert meta["generateName"] == "frontend-"
        assert meta["labels"] == {"tier": "frontend"}
        assert meta["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "frontend",
                                            "uid": rs["metadata"]["uid"], "controller": True,
                                            "blockOwnerDeletion": True}]
        assert pod["spec"]["containers"][0]["image"] == "nginx:1.17.9"
        assert meta["managedFields"][0]["manager"] == "kube-controller-manager"
    assert sorted(events(rs_cluster, "SuccessfulCreate")) == sorted(f"Created pod: {p['metadata']['name']}"
                                                                     for p in pods)
    assert rs_status(rs_cluster) == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3,
                                     "availableReplicas": 3, "terminatingReplicas": 0, "observedGeneration": 1}


def test_same_seed_same_pod_names() -> None:
    names = []
    for _ in range(2):
        cluster = Cluster.in_memory(seed=7, controllers=[ReplicaSetController()])
        cluster.store.create(replicaset())
        cluster.reconcile()
        names.append(sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default")))
    assert names[0] == names[1] and len(names[0]) == 3


def test_self_healing_replaces_a_deleted_pod(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    victim = pods_of(rs_cluster, rs)[0]["metadata"]["name"]
    rs_cluster.store.delete("v1", "Pod", victim, namespace="default")
    rs_cluster.reconcile()
    # The terminating pod no longer counts: a replacement is created at once.
    names = {p["metadata"]["name"] for p in pods_of(rs_cluster, rs) if not p["metadata"].get("deletionTimestamp")}
    assert len(names) == 3 and victim not in names
    assert rs_status(rs_cluster)["terminatingReplicas"] == 1
    rs_cluster.advance(5)
    assert len(pods_of(rs_cluster, rs)) == 3
    assert rs_status(rs_cluster)["readyReplicas"] == 3 and rs_status(rs_cluster)["terminatingReplicas"] == 0


def test_scaling_up_and_down_through_the_scale_subresource(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    rs_cluster.store.update_scale("apps/v1", "ReplicaSet", "frontend", 6, namespace="default")
    rs_cluster.advance(5)
    assert rs_status(rs_cluster)["availableReplicas"] == 6
    rs_cluster.store.update_scale("apps/v1", "ReplicaSet", "frontend", 2, namespace="default")
    rs_cluster.advance(5)
    assert len(pods_of(rs_cluster, rs)) == 2
    assert rs_status(rs_cluster)["replicas"] == 2
    assert len(events(rs_cluster, "SuccessfulDelete")) == 4
    assert all(m.startswith("Deleted pod: frontend-") for m in events(rs_cluster, "SuccessfulDelete"))


def test_template_change_does_not_touch_existing_pods(rs_cluster: Cluster) -> None:
    """RS-05: a ReplicaSet only counts matching pods; its template applies to new pods only."""
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    before = {p["metadata"]["name"] for p in pods_of(rs_cluster, rs)}
    rs_cluster.store.patch("apps/v1", "ReplicaSet", "frontend", namespace="default",
                           patch={"spec": {"template": {"spec": {"containers": [{"name": "nginx",
                                                                                 "image": "nginx:1.19"}]}}}})
    rs_cluster.advance(5)
    pods = pods_of(rs_cluster, rs)
    assert {p["metadata"]["name"] for p in pods} == before
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.17.9"}
    assert rs_status(rs_cluster)["observedGeneration"] == 2
    rs_cluster.store.update_scale("apps/v1", "ReplicaSet", "frontend", 4, namespace="default")
    rs_cluster.advance(5)
    images = sorted(p["spec"]["containers"][0]["image"] for p in pods_of(rs_cluster, rs))
    assert images == ["nginx:1.17.9"] * 3 + ["nginx:1.19"]


# --- adoption and release ---------------------------------------------------------------------


def test_adopts_matching_orphans_before_creating(rs_cluster: Cluster) -> None:
    rs_cluster.store.create(bare_pod("orphan", {"tier": "frontend"}))
    rs_cluster.store.create(bare_pod("other", {"tier": "backend"}))
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    owned = {p["metadata"]["name"] for p in pods_of(rs_cluster, rs)}
    assert "orphan" in owned and "other" not in owned and len(owned) == 3
    orphan = rs_cluster.store.get("v1", "Pod", "orphan", namespace="default")
    assert orphan["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert len(events(rs_cluster, "SuccessfulCreate")) == 2


def test_orphan_created_later_is_adopted_and_the_surplus_removed(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset(replicas=2))
    rs_cluster.advance(5)
    rs_cluster.store.create(bare_pod("late", {"tier": "frontend"}))
    rs_cluster.reconcile()
    # Adopted, then the unassigned newcomer is the first victim of the scale-down to 2.
    assert events(rs_cluster, "SuccessfulDelete") == ["Deleted pod: late"]
    assert len([p for p in pods_of(rs_cluster, rs) if not p["metadata"].get("deletionTimestamp")]) == 2


def test_pod_relabelled_away_is_released_and_replaced(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    name = pods_of(rs_cluster, rs)[0]["metadata"]["name"]
    rs_cluster.store.patch("v1", "Pod", name, namespace="default", patch={"metadata": {"labels": {"tier": "debug"}}})
    rs_cluster.advance(5)
    released = rs_cluster.store.get("v1", "Pod", name, namespace="default")
    assert "ownerReferences" not in released["metadata"]
    assert len(pods_of(rs_cluster, rs)) == 3 and name not in {p["metadata"]["name"] for p in pods_of(rs_cluster, rs)}
    # Labelled back: adopted again, and one pod too many is removed.
    rs_cluster.store.patch("v1", "Pod", name, namespace="default", patch={"metadata": {"labels": {"tier": "frontend"}}})
    rs_cluster.advance(5)
    assert len(pods_of(rs_cluster, rs)) == 3
    assert rs_status(rs_cluster)["replicas"] == 3


def test_pods_of_another_controller_are_left_alone(rs_cluster: Cluster) -> None:
    first = rs_cluster.store.create(replicaset("a", labels={"app": "x"}))
    rs_cluster.advance(5)
    second = rs_cluster.store.create(replicaset("b", replicas=1, labels={"app": "x"}))
    rs_cluster.advance(5)
    assert len(pods_of(rs_cluster, first)) == 3 and len(pods_of(rs_cluster, second)) == 1


def test_deleting_the_replicaset_cascades_and_orphan_keeps_pods(rs_cluster: Cluster) -> None:
    rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    rs_cluster.store.delete("apps/v1", "ReplicaSet", "frontend", namespace="default", propagation_policy="Orphan")
    rs_cluster.advance(5)
    pods = rs_cluster.store.list("v1", "Pod", namespace="default")
    assert len(pods) == 3 and all("ownerReferences" not in p["metadata"] for p in pods)
    # A new ReplicaSet with the same selector adopts them instead of creating pods.
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    assert {p["metadata"]["name"] for p in pods_of(rs_cluster, rs)} == {p["metadata"]["name"] for p in pods}
    rs_cluster.store.delete("apps/v1", "ReplicaSet", "frontend", namespace="default")
    rs_cluster.advance(5)
    assert rs_cluster.store.list("v1", "Pod", namespace="default") == []


# --- status -----------------------------------------------------------------------------------


def test_min_ready_seconds_delays_availability(rs_cluster: Cluster) -> None:
    rs_cluster.store.create(replicaset(min_ready=10))
    rs_cluster.advance(5)  # ready at t=1
    assert rs_status(rs_cluster)["readyReplicas"] == 3 and "availableReplicas" not in rs_status(rs_cluster)
    rs_cluster.advance(5.5)  # t=10.5
    assert "availableReplicas" not in rs_status(rs_cluster)
    assert rs_cluster.run_until(lambda: rs_status(rs_cluster).get("availableReplicas") == 3, timeout=5)
    assert rs_cluster.clock.now == EPOCH + 11  # the controller woke exactly when they became available


def test_not_ready_pods_are_counted_but_not_ready(rs_cluster: Cluster, stub: PodLifecycleStub) -> None:
    stub.never_ready.add("nginx:broken")
    rs_cluster.store.create(replicaset(image="nginx:broken"))
    rs_cluster.advance(5)
    assert rs_status(rs_cluster) == {"replicas": 3, "fullyLabeledReplicas": 3, "terminatingReplicas": 0,
                                     "observedGeneration": 1}


def test_burst_limits_creates_per_sync() -> None:
    controller = ReplicaSetController()
    cluster = Cluster.in_memory(controllers=[controller])  # registered (its pod index follows events), run by hand
    cluster.store.create(replicaset(replicas=BURST_REPLICAS + 100))
    controller.sync(cluster, "default/frontend")
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == BURST_REPLICAS
    controller.sync(cluster, "default/frontend")
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == BURST_REPLICAS + 100


def test_slow_start_stops_after_the_first_failing_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    controller = ReplicaSetController()
    cluster = Cluster.in_memory(controllers=[controller])
    cluster.store.create(replicaset(replicas=20))
    real_create = cluster.store.create
    calls: list[str] = []

    def create(obj: Any, **kw: Any) -> Any:
        if obj.get("kind") == "Pod":
            calls.append("pod")
            if len(calls) == 4:  # the first pod of the third batch (1, 2, 4)
                raise ForbiddenError('pods "frontend-" is forbidden: exceeded quota: compute, requested: pods=1')
        return real_create(obj, **kw)

    monkeypatch.setattr(cluster.store, "create", create)
    with pytest.raises(ApiError, match="exceeded quota"):
        controller.sync(cluster, "default/frontend")
    assert len(calls) == 7  # the failing batch runs to its end, then no further batch
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == 6
    assert events(cluster, "FailedCreate") == [
        'Error creating: pods "frontend-" is forbidden: exceeded quota: compute, requested: pods=1']
    condition = rs_status(cluster, "frontend")["conditions"][0]
    assert {k: condition[k] for k in ("type", "status", "reason")} == {
        "type": "ReplicaFailure", "status": "True", "reason": "FailedCreate"}
    assert rs_status(cluster)["replicas"] == 0  # counted before this sync's creates, as upstream
    monkeypatch.setattr(cluster.store, "create", real_create)
    controller.sync(cluster, "default/frontend")
    controller.sync(cluster, "default/frontend")
    assert "conditions" not in rs_status(cluster) and rs_status(cluster)["replicas"] == 20


def test_failures_are_retried_with_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster.in_memory(controllers=[ReplicaSetController()])
    real_create = cluster.store.create
    failing = {"on": True}

    def create(obj: Any, **kw: Any) -> Any:
        if obj.get("kind") == "Pod" and failing["on"]:
            raise ForbiddenError('pods "frontend-" is forbidden: no')
        return real_create(obj, **kw)

    monkeypatch.setattr(cluster.store, "create", create)
    cluster.store.create(replicaset())
    cluster.advance(1)
    assert len(events(cluster, "FailedCreate")) == 1  # aggregated: one Event, count > 1
    failing["on"] = False
    cluster.advance(5)
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == 3


# --- victims ----------------------------------------------------------------------------------

NOW = EPOCH + 10_000


def pod(name: str, *, node: str = "node-1", phase: str = "Running", ready: bool = True, ready_ago: float = 1000,
        created_ago: float = 2000, restarts: int = 0, cost: int | None = None, uid: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": uid or name, "creationTimestamp": format_time(NOW - created_ago)}
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    conditions = [{"type": "Ready", "status": "True" if ready else "False",
                   "lastTransitionTime": format_time(NOW - ready_ago)}]
    return {"metadata": meta, "spec": {"nodeName": node} if node else {},
            "status": {"phase": phase, "conditions": conditions,
                       "containerStatuses": [{"name": "c", "restartCount": restarts}]}}


@pytest.mark.parametrize(("first", "second", "why"), [
    (pod("a", node=""), pod("b"), "unassigned before assigned"),
    (pod("a", phase="Pending"), pod("b", phase="Unknown"), "Pending before Unknown"),
    (pod("a", phase="Unknown"), pod("b", phase="Running"), "Unknown before Running"),
    (pod("a", ready=False), pod("b"), "not ready before ready"),
    (pod("a", cost=-5), pod("b"), "lower deletion cost first"),
    (pod("a", cost=10), pod("b", cost=100), "lower deletion cost first (both set)"),
    (pod("a", ready_ago=10), pod("b", ready_ago=100), "ready for a shorter time first"),
    (pod("a", ready_ago=100, uid="u1"), pod("b", ready_ago=120, uid="u2"), "same log2 bucket: uid order"),
    (pod("a", restarts=3), pod("b", restarts=1), "more restarts first"),
    (pod("a", created_ago=10), pod("b", created_ago=100), "newer first"),
    (pod("a", created_ago=100, uid="u1"), pod("b", created_ago=120, uid="u2"), "same age bucket: uid order"),
    (pod("a", node="", ready=True), pod("b", phase="Pending", ready=False), "rule 1 beats rule 2 and 3"),
    (pod("a", ready=False, ready_ago=1), pod("b", cost=-100), "readiness beats deletion cost"),
    (pod("a", ready_ago=10, restarts=0), pod("b", ready_ago=5000, restarts=9), "ready time beats restarts"),
])
def test_victim_order(first: dict[str, Any], second: dict[str, Any], why: str) -> None:
    pods = [second, first]
    assert pods_to_delete(pods, pods, 1, NOW) == [first], why
    assert pods_to_delete([first, second], [first, second], 1, NOW) == [first], why


def test_victims_prefer_doubled_up_nodes() -> None:
    lonely = pod("lonely", node="node-1")
    crowded = [pod(f"c{i}", node="node-2") for i in range(3)]
    sibling_pods = [pod(f"s{i}", node="node-1", uid=f"s{i}") for i in range(4)]  # another RS of the Deployment
    pods = [lonely, *crowded]
    assert pods_to_delete(pods, pods, 1, NOW)[0]["metadata"]["name"].startswith("c")
    # Counting the sibling ReplicaSet's pods, node-1 is now the crowded one.
    assert pods_to_delete(pods, [*pods, *sibling_pods], 1, NOW) == [lonely]


def test_deleting_everything_needs_no_ranking() -> None:
    pods = [pod("a"), pod("b", node="")]
    assert pods_to_delete(pods, pods, 2, NOW) == pods


def test_scale_down_in_the_cluster_removes_the_unready_pod(rs_cluster: Cluster) -> None:
    rs = rs_cluster.store.create(replicaset())
    rs_cluster.advance(5)
    name = pods_of(rs_cluster, rs)[1]["metadata"]["name"]
    pod_running(rs_cluster, "default", name, ready=False)
    rs_cluster.store.update_scale("apps/v1", "ReplicaSet", "frontend", 2, namespace="default")
    rs_cluster.reconcile()
    assert events(rs_cluster, "SuccessfulDelete") == [f"Deleted pod: {name}"]
