"""The simulated cloud load balancer behind ``type: LoadBalancer`` Services."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers import service as service_module
from helmlite.cluster.controllers.service import (
    LOAD_BALANCER_CLEANUP_FINALIZER,
    ServiceController,
)


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[ServiceController()])


def lb(cluster: Cluster, name: str = "web", **spec: Any) -> dict[str, Any]:
    return cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                                 "spec": {"type": "LoadBalancer", "selector": {"app": name},
                                          "ports": [{"port": 80, "targetPort": 8080}], **spec}})


def get(cluster: Cluster, name: str = "web") -> dict[str, Any] | None:
    return cluster.store.peek("", "Service", "default", name)


def ingress(cluster: Cluster, name: str = "web") -> list[dict[str, Any]]:
    return ((get(cluster, name) or {}).get("status") or {}).get("loadBalancer", {}).get("ingress", [])


def events(cluster: Cluster, name: str = "web") -> list[tuple[str, str, str]]:
    out = [e for e in cluster.store.list("v1", "Event", namespace="default")
           if e["involvedObject"]["kind"] == "Service" and e["involvedObject"]["name"] == name]
    out.sort(key=lambda e: e["metadata"]["resourceVersion"])
    return [(e["type"], e["reason"], e["message"]) for e in out]


def test_load_balancer_gets_an_external_ip(cluster: Cluster) -> None:
    lb(cluster)
    lb(cluster, "api")
    cluster.reconcile()
    assert ingress(cluster) == [{"ip": "172.18.255.200", "ipMode": "VIP"}]
    assert ingress(cluster, "api") == [{"ip": "172.18.255.201", "ipMode": "VIP"}]
    assert get(cluster)["metadata"]["finalizers"] == [LOAD_BALANCER_CLEANUP_FINALIZER]
    assert events(cluster) == [("Normal", "EnsuringLoadBalancer", "Ensuring load balancer"),
                               ("Normal", "EnsuredLoadBalancer", "Ensured load balancer")]
    assert get(cluster)["spec"]["ports"][0]["nodePort"]  # the API server allocated one


def test_requested_load_balancer_ip(cluster: Cluster) -> None:
    lb(cluster, loadBalancerIP="172.18.255.240")
    lb(cluster, "taken", loadBalancerIP="172.18.255.240")
    lb(cluster, "outside", loadBalancerIP="10.0.0.1")
    cluster.reconcile()
    assert ingress(cluster)[0]["ip"] == "172.18.255.240"
    assert ingress(cluster, "taken") == [] and ingress(cluster, "outside") == []
    assert events(cluster, "taken")[-1] == (
        "Warning", "SyncLoadBalancerFailed",
        "Error syncing load balancer: failed to ensure load balancer: requested IP 172.18.255.240 is already allocated")


def test_changing_the_type_releases_the_address(cluster: Cluster) -> None:
    lb(cluster)
    cluster.reconcile()
    cluster.store.patch("v1", "Service", "web", {"spec": {"type": "ClusterIP"}}, namespace="default")
    cluster.reconcile()
    service = get(cluster)
    assert service["status"] == {"loadBalancer": {}} and not service["metadata"].get("finalizers")
    assert events(cluster)[-2:] == [("Normal", "DeletingLoadBalancer", "Deleting load balancer"),
                                    ("Normal", "DeletedLoadBalancer", "Deleted load balancer")]
    lb(cluster, "next")
    cluster.reconcile()
    assert ingress(cluster, "next")[0]["ip"] == "172.18.255.200"  # the address was freed


def test_deletion_waits_for_the_cleanup(cluster: Cluster) -> None:
    lb(cluster)
    cluster.reconcile()
    cluster.store.delete("v1", "Service", "web", namespace="default")
    cluster.reconcile()
    assert get(cluster) is None
    assert [r for _t, r, _m in events(cluster)][-2:] == ["DeletingLoadBalancer", "DeletedLoadBalancer"]


def test_other_load_balancer_classes_are_ignored(cluster: Cluster) -> None:
    lb(cluster, loadBalancerClass="example.com/internal")
    cluster.reconcile()
    assert ingress(cluster) == [] and not get(cluster)["metadata"].get("finalizers")


def test_exhausted_pool_leaves_services_pending(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "LOAD_BALANCER_POOL", ("172.18.255.200", "172.18.255.200"))
    lb(cluster)
    lb(cluster, "second")
    cluster.reconcile()
    assert ingress(cluster, "second") == []
    assert events(cluster, "second")[-1] == (
        "Warning", "SyncLoadBalancerFailed", ("Error syncing load balancer: failed to ensure load balancer: "
        "no available IP in the load balancer pool 172.18.255.200-172.18.255.200"))
    cluster.advance(60)
    assert ingress(cluster, "second") == []
    assert [e["count"] for e in cluster.store.list("v1", "Event", namespace="default")
            if e["reason"] == "SyncLoadBalancerFailed"] == [2]  # retried a minute later
    cluster.store.delete("v1", "Service", "web", namespace="default")
    cluster.reconcile()  # the released address goes to the waiting Service at once
    assert ingress(cluster, "second")[0]["ip"] == "172.18.255.200"


def test_cluster_ip_services_are_untouched(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "plain"},
                          "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
    cluster.reconcile()
    assert "status" not in get(cluster, "plain") and events(cluster, "plain") == []
