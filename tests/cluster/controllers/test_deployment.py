"""The Deployment controller: the seed rollouts (seeds D-15/D-16), maxSurge/maxUnavailable
arithmetic, Recreate, proportional scaling, pause, history cleanup, progress deadline,
minReadySeconds, conditions and status counters, adoption and collisions (notes §1.1)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.clock import EPOCH, format_time, parse_time
from helmlite.cluster.controllers.deployment import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    REVISION_ANNOTATION,
    DeploymentController,
    equal_ignore_hash,
    max_surge,
    max_unavailable,
    new_rs_new_replicas,
    replica_set_proportion,
    resolve_fenceposts,
    scaled_value,
)
from helmlite.cluster.controllers.replicaset import ReplicaSetController
from helmlite.cluster.rollout import pause, resume, scale, set_image

from ..manifests import deployment
from .deployment_support import (
    PodLifecycleStub,
    deployment_complete,
    pods_of,
    rs_of,
    scaling_events,
    workload_cluster,
)

HASH = r"[bcdfghjklmnpqrstvwxz2456789]{1,10}"


def web(replicas: int = 3, image: str = "nginx:1.7.9", *, surge: int | str | None = None,
        unavailable: int | str | None = None, recreate: bool = False, **spec: Any) -> dict[str, Any]:
    d = deployment("web", replicas=replicas, image=image)
    if recreate:
        d["spec"]["strategy"] = {"type": "Recreate"}
    else:  # the API server's defaults for the unset ones
        rolling = {"maxSurge": "25%" if surge is None else surge,
                   "maxUnavailable": "25%" if unavailable is None else unavailable}
        d["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling}
    d["spec"].update(spec)
    return d


def get(cluster: Cluster, name: str = "web") -> dict[str, Any]:
    return cluster.store.get("apps/v1", "Deployment", name, namespace="default")


def condition(d: dict[str, Any], condition_type: str) -> dict[str, Any]:
    return next(c for c in d["status"]["conditions"] if c["type"] == condition_type)


def settle(cluster: Cluster, name: str = "web", timeout: float = 600) -> None:
    assert cluster.run_until(lambda: deployment_complete(cluster, name), timeout), get(cluster, name)["status"]


def counts(messages: list[str]) -> list[str]:
    """``Scaled up replica set web-x from 1 to 2`` -> ``new 2`` / ``old 1`` (first RS is old)."""
    first = messages[0].split()[4]
    return [("old " if m.split()[4] == first else "new ") + m.split()[-1] for m in messages]


class RolloutTrace:
    """Steps virtual time and records, at each step, the pods the ReplicaSets may run (sum of
    spec.replicas) and how many are available (sum of status.availableReplicas)."""

    def __init__(self, cluster: Cluster, name: str = "web") -> None:
        self.cluster, self.name = cluster, name
        self.max_pods = 0
        self.min_available = 10**9
        self.max_existing_pods = 0

    def run(self, step: float = 0.25, timeout: float = 600) -> None:
        deadline = self.cluster.clock.now + timeout
        while not deployment_complete(self.cluster, self.name):
            assert self.cluster.clock.now < deadline
            self.cluster.advance(step)
            rss = rs_of(self.cluster, self.name)
            self.max_pods = max(self.max_pods, sum(rs["spec"]["replicas"] for rs in rss))
            self.min_available = min(self.min_available, sum((rs.get("status") or {}).get("availableReplicas", 0)
                                                             for rs in rss))
            existing = len(self.cluster.store.list("v1", "Pod", namespace="default"))
            self.max_existing_pods = max(self.max_existing_pods, existing)


# --- the arithmetic (tables) ------------------------------------------------------------------


@pytest.mark.parametrize(("replicas", "surge", "unavailable", "expected"), [
    (1, "25%", "25%", (1, 0)),
    (3, "25%", "25%", (1, 0)),
    (4, "25%", "25%", (1, 1)),
    (6, "25%", "25%", (2, 1)),
    (10, "25%", "25%", (3, 2)),
    (7, "30%", "30%", (3, 2)),   # 2.1: surge rounds up, unavailable down
    (2, "0%", "1%", (0, 1)),     # both resolve to 0: unavailable becomes 1
    (10, 0, 0, (0, 1)),
    (5, 1, 0, (1, 0)),
    (10, 3, 2, (3, 2)),
    (0, "25%", "25%", (0, 1)),
    (3, None, "100%", (0, 3)),  # an unset value counts as 0
    (100, "1%", "99%", (1, 99)),
    (3, "33%", "33%", (1, 0)),   # 0.99
])
def test_resolve_fenceposts(replicas: int, surge: Any, unavailable: Any, expected: tuple[int, int]) -> None:
    assert resolve_fenceposts(surge, unavailable, replicas) == expected


@pytest.mark.parametrize(("d", "surge", "unavailable"), [
    (web(3), 1, 0),
    (web(10), 3, 2),
    (web(4, surge=0, unavailable=5), 0, 4),  # capped at replicas
    (web(0, surge="25%", unavailable="25%"), 0, 0),  # no replicas: nothing may be unavailable
    (web(3, recreate=True), 0, 0),
])
def test_max_surge_and_unavailable(d: dict[str, Any], surge: int, unavailable: int) -> None:
    assert (max_surge(d), max_unavailable(d)) == (surge, unavailable)


def test_scaled_value_rejects_plain_strings() -> None:
    assert scaled_value("50%", 5, True) == 3 and scaled_value("50%", 5, False) == 2
    with pytest.raises(ValueError):
        scaled_value("5", 10, True)


def rs(replicas: int, *, max_replicas: int | None = None) -> dict[str, Any]:
    annotations = {MAX_REPLICAS_ANNOTATION: str(max_replicas)} if max_replicas is not None else {}
    return {"metadata": {"annotations": annotations}, "spec": {"replicas": replicas}}


@pytest.mark.parametrize(("d", "others", "new", "expected"), [
    (web(3), [rs(3)], 0, 1),          # 3 + surge 1 = 4 pods at most
    (web(3), [rs(2)], 1, 2),
    (web(3), [rs(3)], 1, 1),          # already at 4
    (web(10), [rs(10)], 0, 3),
    (web(10), [rs(8)], 3, 5),
    (web(10), [rs(0)], 8, 10),        # never beyond replicas
    (web(3, recreate=True), [rs(3)], 0, 3),
])
def test_new_rs_new_replicas(d: dict[str, Any], others: list[dict[str, Any]], new: int, expected: int) -> None:
    new_rs = rs(new)
    assert new_rs_new_replicas(d, [*others, new_rs], new_rs) == expected


def test_proportion_of_the_kubernetes_docs_example() -> None:
    """10 replicas, surge 3: scaled to 15 mid-rollout, the old RS (8) gets 3 more, the new (5) 2."""
    d = web(15, surge=3, unavailable=2)
    old, new = rs(8, max_replicas=13), rs(5, max_replicas=13)
    to_add = 15 + 3 - 13
    first = replica_set_proportion(old, d, to_add, 0)
    assert first == 3
    assert replica_set_proportion(new, d, to_add, first) == 2
    assert replica_set_proportion(rs(0), d, to_add, 0) == 0
    scale_to_zero = web(0)
    assert replica_set_proportion(old, scale_to_zero, -8, 0) == -8


def test_equal_ignore_hash() -> None:
    a = {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}}, "spec": {"containers": [{"name": "c"}]}}
    b = {"metadata": {"labels": {"app": "web"}, "annotations": {}}, "spec": {"containers": [{"name": "c"}]}}
    assert equal_ignore_hash(a, b)
    assert not equal_ignore_hash(a, {**b, "spec": {"containers": [{"name": "d"}]}})


# --- the seed rollouts ------------------------------------------------------------------------


@pytest.mark.parametrize("stagger", [0.0, 1.0])
def test_seed_image_update_event_sequence(stagger: float) -> None:
    """D-15: 3 replicas nginx:1.7.9 -> nginx:1.9.1, default strategy (surge 1, unavailable 0)."""
    cluster = workload_cluster(stub=PodLifecycleStub(stagger_seconds=stagger))
    cluster.store.create(web(3))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    trace = RolloutTrace(cluster)
    trace.run()
    old, new = rs_of(cluster, "web")
    assert re.fullmatch(f"web-{HASH}", old["metadata"]["name"]) and re.fullmatch(f"web-{HASH}", new["metadata"]["name"])
    assert scaling_events(cluster) == [
        f"Scaled up replica set {old['metadata']['name']} from 0 to 3",
        f"Scaled up replica set {new['metadata']['name']} from 0 to 1",
        f"Scaled down replica set {old['metadata']['name']} from 3 to 2",
        f"Scaled up replica set {new['metadata']['name']} from 1 to 2",
        f"Scaled down replica set {old['metadata']['name']} from 2 to 1",
        f"Scaled up replica set {new['metadata']['name']} from 2 to 3",
        f"Scaled down replica set {old['metadata']['name']} from 1 to 0",
    ]
    assert trace.max_pods <= 4 and trace.min_available >= 3
    events = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["reason"] == "ScalingReplicaSet"]
    assert {(e["type"], e["source"]["component"], e["involvedObject"]["kind"]) for e in events} == {
        ("Normal", "deployment-controller", "Deployment")}
    assert {p["spec"]["containers"][0]["image"] for p in cluster.store.list("v1", "Pod", namespace="default")
            if not p["metadata"].get("deletionTimestamp")} == {"nginx:1.9.1"}


def test_six_replicas_surge_two_unavailable_one() -> None:
    """D-16 (pods becoming ready one at a time): at most 8 pods, at least 5 available."""
    cluster = workload_cluster(stub=PodLifecycleStub(stagger_seconds=1.0))
    cluster.store.create(web(3))
    settle(cluster)
    scale(cluster, "deployment", "default", "web", 6)
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    trace = RolloutTrace(cluster)
    trace.run()
    assert counts(scaling_events(cluster)) == [
        "old 3", "old 6", "new 2", "old 5", "new 3", "old 4", "new 4", "old 3", "new 5",
        # D-16's transcript has "old 1, new 6, old 0": there two new pods became ready together.
        "old 2", "new 6", "old 1", "old 0"]
    assert trace.max_pods == 8 and trace.min_available == 5


def test_ten_replicas_25_percent() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(10))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    trace = RolloutTrace(cluster)
    trace.run()
    assert counts(scaling_events(cluster))[:4] == ["old 10", "new 3", "old 8", "new 5"]
    assert trace.max_pods == 13 and trace.min_available >= 8
    new = rs_of(cluster, "web")[-1]
    assert new["metadata"]["annotations"][DESIRED_REPLICAS_ANNOTATION] == "10"
    assert new["metadata"]["annotations"][MAX_REPLICAS_ANNOTATION] == "13"


def test_surge_only_and_unavailable_only_strategies() -> None:
    for surge, unavailable, max_pods, min_available in ((1, 0, 5, 4), (0, 1, 4, 3), ("50%", "50%", 6, 2)):
        cluster = workload_cluster()
        cluster.store.create(web(4, surge=surge, unavailable=unavailable))
        settle(cluster)
        set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
        trace = RolloutTrace(cluster)
        trace.run()
        assert (trace.max_pods, trace.min_available) == (max_pods, min_available), (surge, unavailable)


def test_recreate_kills_everything_before_starting_new_pods() -> None:
    cluster = workload_cluster(stub=PodLifecycleStub(termination_seconds=5))
    cluster.store.create(web(3, recreate=True))
    settle(cluster)
    old = rs_of(cluster, "web")[0]
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    cluster.advance(2)
    # Old pods are terminating; no new ReplicaSet yet ("Don't create a new RS if not already existed").
    assert [r["metadata"]["name"] for r in rs_of(cluster, "web")] == [old["metadata"]["name"]]
    assert all(p["metadata"].get("deletionTimestamp") for p in cluster.store.list("v1", "Pod", namespace="default"))
    trace = RolloutTrace(cluster)
    trace.run()
    new = rs_of(cluster, "web")[-1]
    assert scaling_events(cluster) == [
        f"Scaled up replica set {old['metadata']['name']} from 0 to 3",
        f"Scaled down replica set {old['metadata']['name']} from 3 to 0",
        f"Scaled up replica set {new['metadata']['name']} from 0 to 3",
    ]
    assert trace.max_existing_pods <= 3
    assert new["metadata"]["annotations"][MAX_REPLICAS_ANNOTATION] == "3"  # no surge with Recreate


# --- what rolls and what does not -------------------------------------------------------------


def test_label_or_annotation_change_does_not_roll_pods() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    pods = sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default"))
    cluster.store.patch("apps/v1", "Deployment", "web", namespace="default",
                        patch={"metadata": {"labels": {"tier": "front"}, "annotations": {"team": "a"}}})
    cluster.advance(30)
    assert len(rs_of(cluster, "web")) == 1
    assert sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default")) == pods
    rs_meta = rs_of(cluster, "web")[0]["metadata"]
    assert rs_meta["annotations"]["team"] == "a"  # Deployment annotations are copied onto the new RS
    assert "tier" not in rs_meta["labels"]
    assert get(cluster)["metadata"]["annotations"][REVISION_ANNOTATION] == "1"
    assert get(cluster)["status"]["observedGeneration"] == 1


def test_scaling_does_not_roll_pods() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    scale(cluster, "deployment", "default", "web", 5)
    settle(cluster)
    scale(cluster, "deployment", "default", "web", 2)
    settle(cluster)
    assert len(rs_of(cluster, "web")) == 1
    assert counts(scaling_events(cluster)) == ["old 3", "old 5", "old 2"]
    assert get(cluster)["metadata"]["annotations"][REVISION_ANNOTATION] == "1"


def test_template_annotation_change_rolls_pods() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2))
    settle(cluster)
    cluster.store.patch("apps/v1", "Deployment", "web", namespace="default",
                        patch={"spec": {"template": {"metadata": {"annotations": {"checksum/config": "1"}}}}})
    settle(cluster)
    assert len(rs_of(cluster, "web")) == 2
    assert get(cluster)["metadata"]["annotations"][REVISION_ANNOTATION] == "2"


# --- status and conditions --------------------------------------------------------------------


def test_status_counters_and_conditions_through_a_rollout() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    cluster.reconcile()
    d = get(cluster)
    new_name = rs_of(cluster, "web")[0]["metadata"]["name"]
    assert d["status"]["observedGeneration"] == 1
    assert {k: d["status"].get(k) for k in ("replicas", "updatedReplicas", "unavailableReplicas")} == {
        "replicas": 3, "updatedReplicas": 3, "unavailableReplicas": 3}
    assert (condition(d, "Available")["status"], condition(d, "Available")["reason"]) == (
        "False", "MinimumReplicasUnavailable")
    assert condition(d, "Available")["message"] == "Deployment does not have minimum availability."
    assert condition(d, "Progressing")["status"] == "True"
    settle(cluster)
    d = get(cluster)
    assert {k: v for k, v in d["status"].items() if k != "conditions"} == {
        "observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "terminatingReplicas": 0}
    assert [c["type"] for c in d["status"]["conditions"]] == ["Available", "Progressing"]
    assert condition(d, "Available")["message"] == "Deployment has minimum availability."
    progressing = condition(d, "Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "NewReplicaSetAvailable", f'ReplicaSet "{new_name}" has successfully progressed.')
    assert progressing["lastTransitionTime"] == "2026-01-01T00:00:00Z"

    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    cluster.reconcile()
    d = get(cluster)
    _old, new = rs_of(cluster, "web")
    assert {k: d["status"].get(k) for k in ("observedGeneration", "replicas", "updatedReplicas", "availableReplicas",
                                            "unavailableReplicas")} == {
        "observedGeneration": 2, "replicas": 4, "updatedReplicas": 1, "availableReplicas": 3,
        "unavailableReplicas": 1}
    progressing = condition(d, "Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "ReplicaSetUpdated", f'ReplicaSet "{new["metadata"]["name"]}" is progressing.')
    assert new["metadata"]["annotations"][REVISION_ANNOTATION] == "2"
    assert d["metadata"]["annotations"][REVISION_ANNOTATION] == "2"
    assert new["metadata"]["labels"]["pod-template-hash"] == new["metadata"]["name"].rpartition("-")[2]
    assert new["spec"]["selector"]["matchLabels"] == {"app": "web",
                                                      "pod-template-hash": new["metadata"]["labels"]["pod-template-hash"]}
    assert new["metadata"]["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                                   "uid": d["metadata"]["uid"], "controller": True,
                                                   "blockOwnerDeletion": True}]
    settle(cluster)
    assert condition(get(cluster), "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_min_ready_seconds_slows_the_rollout() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2, minReadySeconds=10))
    settle(cluster)
    assert cluster.clock.now == EPOCH + 11  # ready after 1 s, available 10 s later
    assert rs_of(cluster, "web")[0]["spec"]["minReadySeconds"] == 10
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    started = cluster.clock.now
    settle(cluster)
    # Two new pods, each waited for: 1 s to start and 10 s to count as available.
    assert cluster.clock.now - started == pytest.approx(22, abs=0.1)


def test_progress_deadline_exceeded_with_a_never_ready_image() -> None:
    stub = PodLifecycleStub()
    stub.never_ready.add("nginx:broken")
    cluster = workload_cluster(stub=stub)
    cluster.store.create(web(3, progressDeadlineSeconds=60))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:broken"})
    cluster.advance(5)
    progressing = condition(get(cluster), "Progressing")
    assert progressing["status"] == "True" and progressing["reason"] == "ReplicaSetUpdated"
    last_update = progressing["lastUpdateTime"]
    assert cluster.run_until(lambda: condition(get(cluster), "Progressing")["status"] == "False", timeout=120)
    progressing = condition(get(cluster), "Progressing")
    new = rs_of(cluster, "web")[-1]
    assert (progressing["reason"], progressing["message"]) == (
        "ProgressDeadlineExceeded", f'ReplicaSet "{new["metadata"]["name"]}" has timed out progressing.')
    # Detected on a progress-check wakeup (requeueStuckDeployment) just after the deadline.
    assert parse_time(last_update) + 60 < cluster.clock.now <= parse_time(last_update) + 61.01
    assert progressing["lastUpdateTime"] == format_time(cluster.clock.now)
    d = get(cluster)
    assert (condition(d, "Available")["status"], d["status"]["updatedReplicas"]) == ("True", 1)
    # The controller keeps the old pods: surge 1, unavailable 0 leaves 3 old replicas running.
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [3, 1]
    # Rolling back to the working template recovers.
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.7.9"})
    settle(cluster)
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [3, 0]


def test_no_progress_deadline_means_no_progressing_condition() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2, progressDeadlineSeconds=2**31 - 1))
    cluster.advance(10)
    d = get(cluster)
    assert [c["type"] for c in d["status"]["conditions"]] == ["Available"]
    assert d["status"]["availableReplicas"] == 2


# --- proportional scaling and pause -----------------------------------------------------------


def test_proportional_scaling_mid_rollout() -> None:
    """The Kubernetes docs example: 10 replicas, maxSurge 3, maxUnavailable 2, a bad image,
    then scaled to 15: the old ReplicaSet (8) gets 3 more, the new one (5) 2."""
    stub = PodLifecycleStub()
    stub.never_ready.add("nginx:sometag")
    cluster = workload_cluster(stub=stub)
    cluster.store.create(web(10, image="nginx:1.14.2", surge=3, unavailable=2))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:sometag"})
    cluster.advance(30)
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [8, 5]
    scale(cluster, "deployment", "default", "web", 15)
    cluster.advance(30)
    old, new = rs_of(cluster, "web")
    assert [old["spec"]["replicas"], new["spec"]["replicas"]] == [11, 7]
    assert counts(scaling_events(cluster))[-2:] == ["old 11", "new 7"]
    for r in (old, new):
        assert r["metadata"]["annotations"][DESIRED_REPLICAS_ANNOTATION] == "15"
        assert r["metadata"]["annotations"][MAX_REPLICAS_ANNOTATION] == "18"
    d = get(cluster)
    assert {k: d["status"].get(k) for k in ("replicas", "updatedReplicas", "availableReplicas",
                                            "unavailableReplicas")} == {
        "replicas": 18, "updatedReplicas": 7, "availableReplicas": 11, "unavailableReplicas": 7}
    # Scaling down spreads the removal the same way: allowed 5 + 3, i.e. -10 split
    # 11*8/18 -> 5 (-6) and 7*8/18 -> 3 (-4); then the rollout goes on within the new
    # bounds (3 must stay available): old 3, new 5.
    before = len(scaling_events(cluster))
    scale(cluster, "deployment", "default", "web", 5)
    cluster.advance(30)
    assert counts(scaling_events(cluster))[before:before + 3] == ["old 5", "new 3", "old 3"]
    # ("new 3 -> 5" repeats an earlier message: the recorder aggregates it into that event)
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [3, 5]


def test_paused_deployment_scales_but_does_not_roll_out() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    assert pause(cluster, "deployment", "default", "web") == "deployment.apps/web paused"
    cluster.reconcile()
    paused = condition(get(cluster), "Progressing")
    assert (paused["status"], paused["reason"], paused["message"]) == ("Unknown", "DeploymentPaused",
                                                                       "Deployment is paused")
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    cluster.store.patch("apps/v1", "Deployment", "web", namespace="default", patch={"spec": {"template": {
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.9.1",
                                 "resources": {"limits": {"cpu": "200m", "memory": "512Mi"}}}]}}}})
    cluster.advance(30)
    assert len(rs_of(cluster, "web")) == 1  # no rollout while paused
    assert get(cluster)["status"]["observedGeneration"] == get(cluster)["metadata"]["generation"]
    scale(cluster, "deployment", "default", "web", 5)
    cluster.advance(30)
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [5]
    assert resume(cluster, "deployment", "default", "web") == "deployment.apps/web resumed"
    assert "paused" not in get(cluster)["spec"]
    cluster.reconcile()
    assert condition(get(cluster), "Progressing")["reason"] in ("DeploymentResumed", "NewReplicaSetCreated",
                                                                "ReplicaSetUpdated")
    settle(cluster)
    # One rollout applies both template changes (D-60).
    rss = rs_of(cluster, "web")
    assert len(rss) == 2 and rss[1]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "200m"
    assert get(cluster)["metadata"]["annotations"][REVISION_ANNOTATION] == "2"


def test_pause_mid_rollout_then_scale_is_proportional() -> None:
    stub = PodLifecycleStub()
    stub.never_ready.add("nginx:slow")
    cluster = workload_cluster(stub=stub)
    cluster.store.create(web(10, surge=3, unavailable=2))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:slow"})
    cluster.advance(5)
    pause(cluster, "deployment", "default", "web")
    cluster.advance(5)
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [8, 5]
    scale(cluster, "deployment", "default", "web", 20)
    cluster.advance(5)
    # allowed = 20 + 3 = 23; +10 split 8*23/13 -> 14 (+6), 5*23/13 -> 9 (+4).
    assert [r["spec"]["replicas"] for r in rs_of(cluster, "web")] == [14, 9]
    resume(cluster, "deployment", "default", "web")
    cluster.advance(5)
    assert sum(r["spec"]["replicas"] for r in rs_of(cluster, "web")) == 23  # stuck, within surge


# --- history ----------------------------------------------------------------------------------


def test_revision_history_limit_keeps_the_newest_old_replica_sets() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2, revisionHistoryLimit=2))
    settle(cluster)
    for i in range(1, 6):
        set_image(cluster, "deployment", "default", "web", {"nginx": f"nginx:1.{i}"})
        settle(cluster)
        cluster.advance(2)  # old pods finish terminating; the next sync cleans up
    cluster.advance(5)
    rss = rs_of(cluster, "web")
    revisions = sorted(int(r["metadata"]["annotations"][REVISION_ANNOTATION]) for r in rss)
    assert revisions == [4, 5, 6]
    assert [r["spec"]["replicas"] for r in rss if r["metadata"]["annotations"][REVISION_ANNOTATION] != "6"] == [0, 0]


def test_revision_history_limit_zero_keeps_no_history() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2, revisionHistoryLimit=0))
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    settle(cluster)
    cluster.advance(5)
    assert len(rs_of(cluster, "web")) == 1


def test_default_history_limit_keeps_ten() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(1))
    settle(cluster)
    for i in range(12):
        set_image(cluster, "deployment", "default", "web", {"nginx": f"nginx:1.{i}"})
        settle(cluster)
    cluster.advance(5)
    assert len(rs_of(cluster, "web")) == 11  # F-47: 10 old at 0 + the active one


def test_reusing_an_old_template_bumps_its_revision() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    first = rs_of(cluster, "web")[0]["metadata"]["name"]
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    settle(cluster)
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.7.9"})
    settle(cluster)
    rss = {r["metadata"]["name"]: r["metadata"]["annotations"] for r in rs_of(cluster, "web")}
    assert len(rss) == 2
    assert rss[first][REVISION_ANNOTATION] == "3"
    assert rss[first]["deployment.kubernetes.io/revision-history"] == "1"
    assert get(cluster)["metadata"]["annotations"][REVISION_ANNOTATION] == "3"
    second = next(n for n in rss if n != first)
    assert scaling_events(cluster)[-6:] == [
        f"Scaled up replica set {first} from 0 to 1", f"Scaled down replica set {second} from 3 to 2",
        f"Scaled up replica set {first} from 1 to 2", f"Scaled down replica set {second} from 2 to 1",
        f"Scaled up replica set {first} from 2 to 3", f"Scaled down replica set {second} from 1 to 0"]


# --- adoption, orphaning, collisions, deletion ------------------------------------------------


def test_orphaned_replica_sets_are_adopted_without_churn() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    pods = sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default"))
    cluster.store.delete("apps/v1", "Deployment", "web", namespace="default", propagation_policy="Orphan")
    cluster.advance(5)
    (orphan,) = cluster.store.list("apps/v1", "ReplicaSet", namespace="default")
    assert "ownerReferences" not in orphan["metadata"]
    d = cluster.store.create(web(3))
    settle(cluster)
    (adopted,) = rs_of(cluster, "web")
    assert adopted["metadata"]["name"] == orphan["metadata"]["name"]
    assert adopted["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
    assert sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace="default")) == pods


def test_a_matching_foreign_replica_set_is_adopted_as_old_and_scaled_down() -> None:
    cluster = workload_cluster()
    foreign = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "legacy", "labels": {"app": "web"}},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"containers": [{"name": "nginx", "image": "nginx:1.0"}]}}}}
    cluster.store.create(foreign)
    cluster.advance(5)
    cluster.store.create(web(3))
    settle(cluster)
    rss = {r["metadata"]["name"]: r for r in rs_of(cluster, "web")}
    assert rss["legacy"]["spec"]["replicas"] == 0
    assert len(rss) == 2
    mine = next(r for r in rss.values() if r["metadata"]["name"] != "legacy")
    assert mine["metadata"]["annotations"][REVISION_ANNOTATION] == "1"


def test_replica_set_relabelled_away_is_released() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(2))
    settle(cluster)
    (first,) = rs_of(cluster, "web")
    cluster.store.patch("apps/v1", "ReplicaSet", first["metadata"]["name"], namespace="default",
                        patch={"metadata": {"labels": {"app": "other", "pod-template-hash": "x"}}})
    settle(cluster)
    released = cluster.store.get("apps/v1", "ReplicaSet", first["metadata"]["name"], namespace="default")
    assert "ownerReferences" not in released["metadata"]
    assert len(rs_of(cluster, "web")) == 1 and rs_of(cluster, "web")[0]["metadata"]["name"] != first["metadata"]["name"]


def test_hash_collision_bumps_collision_count() -> None:
    cluster = workload_cluster()
    probe = workload_cluster()
    probe.store.create(web(1))
    probe.reconcile()
    taken = rs_of(probe, "web")[0]["metadata"]["name"]
    squatter = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": taken, "labels": {"x": "y"}},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"x": "y"}},
                         "template": {"metadata": {"labels": {"x": "y"}},
                                      "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    cluster.store.create(squatter)
    cluster.store.create(web(1))
    settle(cluster)
    d = get(cluster)
    assert d["status"]["collisionCount"] == 1
    (mine,) = rs_of(cluster, "web")
    assert mine["metadata"]["name"] != taken


def test_deleting_the_deployment_removes_replica_sets_and_pods() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    cluster.store.delete("apps/v1", "Deployment", "web", namespace="default")
    cluster.advance(10)
    assert cluster.store.list("apps/v1", "ReplicaSet", namespace="default") == []
    assert cluster.store.list("v1", "Pod", namespace="default") == []


def test_hpa_style_scale_of_the_replica_set_is_undone_by_the_deployment() -> None:
    cluster = workload_cluster()
    cluster.store.create(web(3))
    settle(cluster)
    (owned,) = rs_of(cluster, "web")
    cluster.store.update_scale("apps/v1", "ReplicaSet", owned["metadata"]["name"], 7, namespace="default")
    cluster.advance(5)
    assert rs_of(cluster, "web")[0]["spec"]["replicas"] == 3
    assert len(pods_of(cluster, rs_of(cluster, "web")[0])) == 3


def test_many_deployments_in_one_namespace_do_not_interfere() -> None:
    cluster = workload_cluster(nodes=5)
    for i in range(20):
        d = deployment(f"app{i}", replicas=2, image="nginx")
        cluster.store.create(d)
    assert cluster.run_until(lambda: all(deployment_complete(cluster, f"app{i}") for i in range(20)), 60)
    assert len(cluster.store.list("apps/v1", "ReplicaSet", namespace="default")) == 20
    assert len(cluster.store.list("v1", "Pod", namespace="default")) == 40


def test_rollout_across_persisted_sessions(tmp_path: Any) -> None:
    """Each command opens the cluster file with fresh controllers (empty caches); the rollout
    carries on from what was stored, driven by the wall time between commands."""
    path = tmp_path / "cluster.db"
    wall = [1000.0]

    def session() -> Any:
        return Cluster.open(path, wall_clock=lambda: wall[0], controllers=[
            DeploymentController(), ReplicaSetController(), PodLifecycleStub()])

    with session() as cluster:
        cluster.store.create(web(3))
    wall[0] += 10
    with session() as cluster:
        assert deployment_complete(cluster, "web")
        set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:1.9.1"})
    for _ in range(3):
        wall[0] += 1
        with session() as cluster:
            pass
    with session() as cluster:
        settle(cluster)
        assert counts(scaling_events(cluster)) == ["old 3", "new 1", "old 2", "new 2", "old 1", "new 3", "old 0"]
        assert len(cluster.store.list("v1", "Pod", namespace="default")) <= 4
