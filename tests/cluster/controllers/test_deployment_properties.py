"""Random sequences of Deployment operations (scale, image updates, pause/resume, undo, pod
deaths, time) keep the controllers' invariants, and always converge once left alone."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.deployment import REVISION_ANNOTATION, max_surge, max_unavailable
from helmlite.cluster.rollout import RolloutError, pause, resume, rollout_undo, scale, set_image

from ..manifests import deployment
from .deployment_support import PodLifecycleStub, deployment_complete, rs_of, workload_cluster

operations = st.lists(st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 8)),
    st.tuples(st.just("image"), st.sampled_from(["nginx:1", "nginx:2", "nginx:3", "nginx:bad"])),
    st.tuples(st.just("pause"), st.none()),
    st.tuples(st.just("resume"), st.none()),
    st.tuples(st.just("undo"), st.none()),
    st.tuples(st.just("kill"), st.integers(0, 10)),
    st.tuples(st.just("advance"), st.floats(0.1, 20)),
), max_size=12)


def apply(cluster: Cluster, op: str, arg: Any) -> None:
    try:
        if op == "scale":
            scale(cluster, "deployment", "default", "web", arg)
        elif op == "image":
            set_image(cluster, "deployment", "default", "web", {"nginx": arg})
        elif op == "pause":
            pause(cluster, "deployment", "default", "web")
        elif op == "resume":
            resume(cluster, "deployment", "default", "web")
        elif op == "undo":
            rollout_undo(cluster, "deployment", "default", "web")
        elif op == "kill":
            pods = cluster.store.list("v1", "Pod", namespace="default")
            if pods:
                name = pods[arg % len(pods)]["metadata"]["name"]
                cluster.store.delete("v1", "Pod", name, namespace="default")
        elif op == "advance":
            cluster.advance(arg)
    except RolloutError:
        pass  # kubectl refused (already paused, no history…): nothing changed


def check_bounds(cluster: Cluster) -> None:
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    rss = rs_of(cluster, "web")
    revisions = [rs["metadata"]["annotations"].get(REVISION_ANNOTATION) for rs in rss]
    assert len(revisions) == len(set(revisions)), revisions
    for rs in rss:
        status = rs.get("status") or {}
        assert status.get("availableReplicas", 0) <= status.get("readyReplicas", 0) <= status.get("replicas", 0)
    status = d.get("status") or {}
    assert status.get("availableReplicas", 0) <= status.get("replicas", 0)
    assert status.get("updatedReplicas", 0) <= status.get("replicas", 0)
    # Once the controllers have run, the ReplicaSets never hold more than replicas + maxSurge.
    assert sum(rs["spec"]["replicas"] for rs in rss) <= d["spec"]["replicas"] + max_surge(d)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_random_operations_converge(ops: list[tuple[str, Any]]) -> None:
    stub = PodLifecycleStub()
    stub.never_ready.add("nginx:bad")
    cluster = workload_cluster(stub=stub)
    cluster.store.create(deployment("web", replicas=3, image="nginx:1"))
    for op, arg in ops:
        apply(cluster, op, arg)
        cluster.reconcile()
        check_bounds(cluster)
    # Left alone (resumed, with a working image), it converges.
    try:
        resume(cluster, "deployment", "default", "web")
    except RolloutError:
        pass
    set_image(cluster, "deployment", "default", "web", {"nginx": "nginx:4"})
    assert cluster.run_until(lambda: deployment_complete(cluster, "web"), 3600)
    cluster.advance(60)
    d = cluster.store.get("apps/v1", "Deployment", "web", namespace="default")
    replicas = d["spec"]["replicas"]
    rss = rs_of(cluster, "web")
    active = [rs for rs in rss if rs["spec"]["replicas"] > 0]
    assert len(active) <= 1 and sum(rs["spec"]["replicas"] for rs in rss) == replicas
    pods = cluster.store.list("v1", "Pod", namespace="default")
    assert len(pods) == replicas
    assert {p["spec"]["containers"][0]["image"] for p in pods} <= {"nginx:4"}
    owners = {rs["metadata"]["uid"] for rs in rss}
    assert all(p["metadata"]["ownerReferences"][0]["uid"] in owners for p in pods)
    assert len(rss) <= 11  # revisionHistoryLimit 10 + the new one
    status = d["status"]
    assert (status.get("replicas", 0), status.get("updatedReplicas", 0), status.get("availableReplicas", 0)) == (
        replicas, replicas, replicas)
    assert status["observedGeneration"] == d["metadata"]["generation"]
    assert max_unavailable(d) <= replicas
