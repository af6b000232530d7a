"""The simulator's DNS view (SS-18, SVC-20): Service, headless-Service and pod records."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.statefulset import StatefulSetController
from helmlite.cluster.dns import resolve, search_path

from .controllers.sts_ds_support import (
    KubeletStub,
    live_pods,
    nginx_service,
    set_running,
    web_statefulset,
)

NS = "default"


@pytest.fixture
def cluster() -> Cluster:
    cluster = Cluster.in_memory(controllers=[StatefulSetController(), KubeletStub()])
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(3))
    assert cluster.run_until(lambda: (cluster.store.get("apps/v1", "StatefulSet", "web", namespace=NS)
                                      .get("status") or {}).get("readyReplicas") == 3, 120)
    return cluster


def ip(cluster: Cluster, pod: str) -> str:
    return str(live_pods(cluster)[pod]["status"]["podIP"])


def test_statefulset_pods_resolve_through_the_headless_service(cluster: Cluster) -> None:
    for i in range(3):
        assert resolve(cluster, f"web-{i}.nginx.default.svc.cluster.local") == [ip(cluster, f"web-{i}")]
    assert resolve(cluster, "web-0.nginx", namespace=NS) == [ip(cluster, "web-0")]
    assert resolve(cluster, "web-0.nginx.default", namespace="kube-system") == [ip(cluster, "web-0")]
    assert resolve(cluster, "WEB-1.nginx.default.svc.cluster.local.") == [ip(cluster, "web-1")]
    assert resolve(cluster, "web-0.nginx", namespace="kube-system") == []  # NXDOMAIN elsewhere
    assert resolve(cluster, "web-3.nginx.default.svc.cluster.local") == []


def test_headless_service_name_lists_ready_pods(cluster: Cluster) -> None:
    all_ips = sorted((ip(cluster, f"web-{i}") for i in range(3)), key=lambda a: tuple(map(int, a.split("."))))
    assert resolve(cluster, "nginx.default.svc.cluster.local") == all_ips
    set_running(cluster, NS, "web-1", ready=False)
    assert ip(cluster, "web-1") not in resolve(cluster, "nginx", namespace=NS)
    assert resolve(cluster, "web-1.nginx.default.svc.cluster.local") == []
    service = cluster.store.get("v1", "Service", "nginx", namespace=NS)
    service["spec"]["publishNotReadyAddresses"] = True
    cluster.store.replace(service)
    assert resolve(cluster, "web-1.nginx", namespace=NS) == [ip(cluster, "web-1")]


def test_a_new_pod_keeps_its_name_and_gets_a_new_address(cluster: Cluster) -> None:
    before = resolve(cluster, "web-2.nginx", namespace=NS)
    cluster.store.delete("v1", "Pod", "web-2", namespace=NS)
    assert cluster.run_until(lambda: "web-2" in live_pods(cluster) and resolve(cluster, "web-2.nginx", namespace=NS)
                             not in ([], before), 60)


def test_cluster_ip_external_name_and_pod_records(cluster: Cluster) -> None:
    assert resolve(cluster, "kubernetes.default", namespace=NS) == ["10.96.0.1"]
    assert resolve(cluster, "kubernetes.default.svc.cluster.local") == ["10.96.0.1"]
    svc = cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": NS},
                                "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80}]}})
    assert resolve(cluster, "api", namespace=NS) == [svc["spec"]["clusterIP"]]
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": NS},
                          "spec": {"type": "ExternalName", "externalName": "db.example.com"}})
    assert resolve(cluster, "db.default.svc.cluster.local") == ["db.example.com"]
    assert resolve(cluster, "10-244-0-7.default.pod.cluster.local") == ["10.244.0.7"]
    assert resolve(cluster, "nope.default.svc.cluster.local") == []
    assert resolve(cluster, "example.com") == []
    assert search_path("prod") == ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local"]


def test_endpoint_slices_are_preferred_when_published(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": NS},
                          "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}})
    cluster.store.create({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "db-abcde", "namespace": NS, "labels": {"kubernetes.io/service-name": "db"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.1.0.5"], "hostname": "primary", "conditions": {"ready": True}},
                      {"addresses": ["10.1.0.6"], "conditions": {"ready": True}},
                      {"addresses": ["10.1.0.7"], "conditions": {"ready": False}}],
        "ports": [{"port": 5432}]})
    assert resolve(cluster, "db", namespace=NS) == ["10.1.0.5", "10.1.0.6"]
    assert resolve(cluster, "primary.db", namespace=NS) == ["10.1.0.5"]
    assert resolve(cluster, "10-1-0-6.db.default.svc.cluster.local") == ["10.1.0.6"]
