"""Endpoints and load balancers on a default cluster: Deployment pods come and go through a
rolling update and the Service's endpoints follow their readiness."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers import default_controllers

NS = "default"
_NAMES = {c.name for c in default_controllers()}
pytestmark = pytest.mark.skipif(
    "default-scheduler" not in _NAMES or not any("kubelet" in n for n in _NAMES),
    reason="the scheduler and kubelet models are not registered in default_controllers() yet")


def ready_pods(cluster: Cluster) -> set[str]:
    out = set()
    for pod in cluster.store.peek_all("", "Pod", NS):
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", [])):
            out.add(pod["metadata"]["name"])
    return out


def endpoint_pods(cluster: Cluster) -> set[str]:
    ep = cluster.store.get("v1", "Endpoints", "web", namespace=NS)
    return {a["targetRef"]["name"] for s in ep.get("subsets") or [] for a in s.get("addresses") or []}


def slice_ready_pods(cluster: Cluster) -> set[str]:
    return {e["targetRef"]["name"] for s in cluster.store.peek_all("discovery.k8s.io", "EndpointSlice", NS)
            if s["metadata"]["labels"].get("kubernetes.io/service-name") == "web"
            for e in s.get("endpoints") or [] if e["conditions"]["ready"]}


def test_endpoints_follow_a_rolling_update() -> None:
    cluster = Cluster.in_memory()
    labels = {"app": "web"}
    cluster.store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                          "spec": {"replicas": 3, "selector": {"matchLabels": labels}, "template": {
                              "metadata": {"labels": labels}, "spec": {"containers": [{
                                  "name": "nginx", "image": "nginx:1.24",
                                  "ports": [{"name": "http", "containerPort": 80}]}]}}}})
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                          "spec": {"type": "LoadBalancer", "selector": labels,
                                   "ports": [{"port": 8080, "targetPort": "http"}]}})
    assert cluster.run_until(lambda: len(endpoint_pods(cluster)) == 3, timeout=300)
    service = cluster.store.get("v1", "Service", "web", namespace=NS)
    assert service["status"]["loadBalancer"]["ingress"] == [{"ip": "172.18.255.200", "ipMode": "VIP"}]
    cluster.store.patch("apps/v1", "Deployment", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.25", "ports": [{"name": "http", "containerPort": 80}]}]}}}}, namespace=NS)
    mismatches = []

    def rolled() -> bool:
        if endpoint_pods(cluster) != ready_pods(cluster) or slice_ready_pods(cluster) != ready_pods(cluster):
            mismatches.append(cluster.clock.now)
        pods = [p for p in cluster.store.peek_all("", "Pod", NS) if not p["metadata"].get("deletionTimestamp")]
        return (len(pods) == 3 and all(p["spec"]["containers"][0]["image"] == "nginx:1.25" for p in pods)
                and len(endpoint_pods(cluster)) == 3)

    assert cluster.run_until(rolled, timeout=600)
    assert mismatches == []  # at every step the endpoints were exactly the Ready pods
    ports = cluster.store.get("v1", "Endpoints", "web", namespace=NS)["subsets"][0]["ports"]
    assert ports == [{"port": 80, "protocol": "TCP"}]
