"""The seed HPA transcript on a default cluster: ``kubectl autoscale deployment hpa-nginx
--cpu-percent=10 --min=1 --max=10``, load, scale-up to 10, scale-down after the window."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.clock import EPOCH
from helmlite.cluster.controllers import default_controllers
from helmlite.cluster.metrics import set_load

NS = "default"
_NAMES = {c.name for c in default_controllers()}
pytestmark = pytest.mark.skipif(
    "default-scheduler" not in _NAMES or not any("kubelet" in n for n in _NAMES),
    reason="the scheduler and kubelet models are not registered in default_controllers() yet")


def hpa_nginx(cluster: Cluster) -> None:
    labels = {"app": "hpa-nginx"}
    cluster.store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "hpa-nginx"},
                          "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
                              "metadata": {"labels": labels}, "spec": {"containers": [{
                                  "name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
                                  "resources": {"requests": {"cpu": "10m"}}}]}}}})
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hpa-nginx"},
                          "spec": {"selector": labels, "ports": [{"port": 80}]}})
    cluster.store.create({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                          "metadata": {"name": "hpa-nginx"},
                          "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hpa-nginx"},
                                   "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 10}})


def replicas(cluster: Cluster) -> int:
    return cluster.store.peek("apps", "Deployment", NS, "hpa-nginx")["spec"]["replicas"]


def hpa(cluster: Cluster) -> dict[str, Any]:
    return cluster.store.get("autoscaling/v1", "HorizontalPodAutoscaler", "hpa-nginx", namespace=NS)


def ready_endpoints(cluster: Cluster) -> int:
    subsets = cluster.store.get("v1", "Endpoints", "hpa-nginx", namespace=NS).get("subsets") or []
    return sum(len(s.get("addresses") or []) for s in subsets)


def test_hpa_seed() -> None:
    cluster = Cluster.in_memory()
    hpa_nginx(cluster)
    assert cluster.run_until(lambda: hpa(cluster).get("status", {}).get("currentCPUUtilizationPercentage") == 0, 300)
    # A load generator hammers the service: 58 % of the pods' CPU request, shared by them.
    set_load(cluster, "deployment", NS, "hpa-nginx", total_cpu_millicores=58)
    loaded = cluster.clock.now
    assert cluster.run_until(lambda: replicas(cluster) == 10 and ready_endpoints(cluster) == 10, timeout=300)
    assert cluster.clock.now - loaded < 120
    assert hpa(cluster)["status"]["desiredReplicas"] == 10
    cluster.advance(60)
    set_load(cluster, "deployment", NS, "hpa-nginx")  # the load generator stops
    stopped = cluster.clock.now
    last_high = EPOCH + (stopped - EPOCH) // 15 * 15  # the last sync that still saw the load
    assert cluster.run_until(lambda: replicas(cluster) == 1, timeout=600)
    assert cluster.clock.now == last_high + 300
    assert cluster.run_until(lambda: ready_endpoints(cluster) == 1 and len(list(
        cluster.store.peek_all("", "Pod", NS))) == 1, timeout=120)
    messages = [e["message"] for e in cluster.store.list("v1", "Event", namespace=NS)
                if e["reason"] == "SuccessfulRescale"]
    assert messages[-1] == "New size: 1; reason: All metrics below target"
    assert all(m.endswith("cpu resource utilization (percentage of request) above target") for m in messages[:-1])


@pytest.mark.parametrize("kind", ["StatefulSet", "ReplicaSet"])
def test_hpa_scales_statefulsets_and_replicasets(kind: str) -> None:
    cluster = Cluster.in_memory()
    labels = {"app": "worker"}
    spec: dict[str, Any] = {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
        "metadata": {"labels": labels}, "spec": {"containers": [{
            "name": "worker", "image": "nginx:1.25", "resources": {"requests": {"cpu": "100m"}}}]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = "worker"
    cluster.store.create({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "worker"}, "spec": spec})
    cluster.store.create({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "worker"},
                          "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": "worker"},
                                   "minReplicas": 1, "maxReplicas": 3,
                                   "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                       "type": "Utilization", "averageUtilization": 50}}}]}})
    set_load(cluster, kind, NS, "worker", utilization=100)

    def scaled() -> bool:
        target = cluster.store.peek("apps", kind, NS, "worker")
        return target["spec"]["replicas"] == 3 and (target.get("status") or {}).get("readyReplicas") == 3

    assert cluster.run_until(scaled, timeout=600)
