"""Simulated resource usage: loads declared on workloads, the metrics.k8s.io view."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster, NotFoundError
from helmlite.cluster.metrics import (
    CPU_LOAD_ANNOTATION,
    CPU_LOAD_TOTAL_ANNOTATION,
    MEMORY_LOAD_ANNOTATION,
    METRICS_WINDOW_SECONDS,
    node_metrics,
    pod_metrics,
    pod_usages,
    set_load,
)

from .controllers.pod_driver import PodDriver


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[])


def owner(obj: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True}


def make_pod(cluster: Cluster, name: str, *, owners: list[dict[str, Any]] | None = None,
             containers: list[dict[str, Any]] | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"app": "web"}}
    if owners:
        meta["ownerReferences"] = owners
    if annotations:
        meta["annotations"] = annotations
    containers = containers or [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "200m", "memory": "64Mi"}}}]
    return cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": containers}})


def workload(cluster: Cluster) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Deployment and a ReplicaSet it controls (pods hang off the ReplicaSet)."""
    deploy = cluster.store.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
    rs = cluster.store.create({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "ownerReferences": [owner(deploy)]},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}})
    return deploy, rs


def usage(cluster: Cluster) -> dict[str, tuple[int, int]]:
    return {name: (u.cpu_millicores(), u.memory_bytes()) for name, u in pod_usages(cluster, "default").items()}


def test_idle_pods_report_after_one_window(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    make_pod(cluster, "web-1")
    assert usage(cluster) == {}  # Pending: nothing to scrape
    driver.run("web-1")
    assert usage(cluster) == {}
    cluster.advance(METRICS_WINDOW_SECONDS)
    assert usage(cluster) == {"web-1": (0, 3 * 1024 * 1024)}
    (metric,) = pod_metrics(cluster, "default")
    assert metric == {
        "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web"},
                     "creationTimestamp": "2026-01-01T00:00:15Z"},
        "timestamp": "2026-01-01T00:00:15Z", "window": "15s",
        "containers": [{"name": "app", "usage": {"cpu": "0", "memory": "3072Ki"}}],
    }


def test_load_from_the_owner_chain_with_a_pod_override(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    _deploy, rs = workload(cluster)
    for name in ("web-1", "web-2"):
        make_pod(cluster, name, owners=[owner(rs)])
        driver.run(name)
    set_load(cluster, "deploy", "default", "web", cpu_millicores_per_pod=150, memory_bytes_per_pod=100 * 1024 * 1024)
    cluster.store.patch("v1", "Pod", "web-2", {"metadata": {"annotations": {CPU_LOAD_ANNOTATION: "50%"}}},
                        namespace="default")
    cluster.advance(METRICS_WINDOW_SECONDS)
    # web-2's own annotation wins for CPU (50 % of its 200m request); it has no memory load of
    # its own, and the pod's annotation hides the Deployment's memory load only for CPU.
    assert usage(cluster) == {"web-1": (150, 100 * 1024 * 1024), "web-2": (100, 100 * 1024 * 1024)}
    annotations = cluster.store.peek("apps", "Deployment", "default", "web")["metadata"]["annotations"]
    assert annotations == {CPU_LOAD_ANNOTATION: "150m", MEMORY_LOAD_ANNOTATION: str(100 * 1024 * 1024)}


def test_total_load_is_shared_by_ready_pods(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    _deploy, rs = workload(cluster)
    for name in ("web-1", "web-2", "web-3"):
        make_pod(cluster, name, owners=[owner(rs)])
    driver.run("web-1")
    driver.run("web-2")
    driver.run("web-3", ready=False)
    set_load(cluster, "deployment", "default", "web", total_cpu_millicores=300)
    cluster.advance(METRICS_WINDOW_SECONDS)
    assert {n: c for n, (c, _m) in usage(cluster).items()} == {"web-1": 150, "web-2": 150, "web-3": 0}
    driver.run("web-3")
    assert {n: c for n, (c, _m) in usage(cluster).items()} == {"web-1": 100, "web-2": 100, "web-3": 100}
    assert cluster.store.peek("apps", "Deployment", "default", "web")["metadata"]["annotations"] == {
        CPU_LOAD_TOTAL_ANNOTATION: "300m"}


def test_usage_is_split_by_requests_and_capped_at_limits(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    make_pod(cluster, "web-1", annotations={CPU_LOAD_ANNOTATION: "600m"}, containers=[
        {"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "200m"}, "limits": {"cpu": "250m"}}},
        {"name": "sidecar", "image": "envoy", "resources": {"requests": {"cpu": "100m"}}},
    ])
    driver.run("web-1")
    cluster.advance(METRICS_WINDOW_SECONDS)
    (metric,) = pod_metrics(cluster, "default", "app=web")
    assert [(c["name"], c["usage"]["cpu"]) for c in metric["containers"]] == [
        ("app", "250000000n"),  # 400m of the 600m (2:1 by request), throttled at its 250m limit
        ("sidecar", "200000000n"),
    ]


def test_set_load_validates_and_clears(cluster: Cluster) -> None:
    workload(cluster)
    with pytest.raises(ValueError, match="one way"):
        set_load(cluster, "deploy", "default", "web", cpu_millicores_per_pod=1, utilization=50)
    with pytest.raises(ValueError, match="negative"):
        set_load(cluster, "deploy", "default", "web", utilization=-1)
    with pytest.raises(NotFoundError):
        set_load(cluster, "deploy", "default", "nope", utilization=50)
    set_load(cluster, "deploy", "default", "web", utilization=50)
    set_load(cluster, "deploy", "default", "web")
    assert not cluster.store.peek("apps", "Deployment", "default", "web")["metadata"].get("annotations")


def test_malformed_load_reads_as_idle(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    make_pod(cluster, "web-1", annotations={CPU_LOAD_ANNOTATION: "lots"})
    driver.run("web-1")
    cluster.advance(METRICS_WINDOW_SECONDS)
    assert usage(cluster)["web-1"][0] == 0


def test_node_metrics_add_system_usage_to_their_pods(cluster: Cluster) -> None:
    driver = PodDriver(cluster)
    make_pod(cluster, "web-1", annotations={CPU_LOAD_ANNOTATION: "400m"})
    driver.run("web-1", node="node-2")
    cluster.advance(METRICS_WINDOW_SECONDS)
    by_node = {m["metadata"]["name"]: m["usage"] for m in node_metrics(cluster)}
    assert by_node["node-1"] == {"cpu": "100000000n", "memory": "614400Ki"}
    assert by_node["node-2"] == {"cpu": "500000000n", "memory": "617472Ki"}
