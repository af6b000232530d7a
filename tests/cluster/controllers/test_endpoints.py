"""Service endpoints: EndpointSlices and legacy Endpoints from the pods a selector matches."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.endpoints import (
    EndpointsController,
    EndpointSliceController,
    find_port,
)

from .pod_driver import PodDriver


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[EndpointsController(), EndpointSliceController()])


@pytest.fixture
def kubelet(cluster: Cluster) -> PodDriver:
    return PodDriver(cluster)


def pod(cluster: Cluster, name: str, *, labels: dict[str, str] | None = None, port: int = 8080,
        port_name: str = "http", **spec: Any) -> dict[str, Any]:
    return cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                                 "metadata": {"name": name, "labels": labels or {"app": "web"}},
                                 "spec": {"containers": [{"name": "app", "image": "nginx", "ports": [
                                     {"name": port_name, "containerPort": port}]}], **spec}})


def service(cluster: Cluster, name: str = "web", **spec: Any) -> dict[str, Any]:
    body = {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}], **spec}
    return cluster.store.create({"apiVersion": "v1", "kind": "Service",
                                 "metadata": {"name": name, "labels": {"app": "web", "tier": "front"}}, "spec": body})


def slices(cluster: Cluster, service_name: str = "web") -> list[dict[str, Any]]:
    found = [s for s in cluster.store.peek_all("discovery.k8s.io", "EndpointSlice", "default")
             if s["metadata"]["labels"].get("kubernetes.io/service-name") == service_name]
    return sorted(found, key=lambda s: s["metadata"]["name"])


def slice_view(cluster: Cluster, service_name: str = "web") -> list[tuple[list[int], list[tuple[str, bool, bool, bool]]]]:
    return [([p["port"] for p in s.get("ports") or []],
             [(e["targetRef"]["name"], e["conditions"]["ready"], e["conditions"]["serving"],
               e["conditions"]["terminating"]) for e in s.get("endpoints") or []])
            for s in slices(cluster, service_name)]


def endpoints(cluster: Cluster, name: str = "web") -> dict[str, Any] | None:
    return cluster.store.peek("", "Endpoints", "default", name)


def addresses(cluster: Cluster, name: str = "web") -> list[tuple[list[str], list[str], list[int]]]:
    ep = endpoints(cluster, name) or {}
    return [([a["targetRef"]["name"] for a in s.get("addresses") or []],
             [a["targetRef"]["name"] for a in s.get("notReadyAddresses") or []],
             [p["port"] for p in s.get("ports") or []]) for s in ep.get("subsets") or []]


def test_ready_and_unready_pods(cluster: Cluster, kubelet: PodDriver) -> None:
    for name in ("web-a", "web-b", "web-c"):
        pod(cluster, name)
    svc = service(cluster)
    cluster.reconcile()
    kubelet.run("web-a")
    kubelet.run("web-b", ready=False)
    cluster.reconcile()  # web-c has no IP yet: not an endpoint
    assert addresses(cluster) == [(["web-a"], ["web-b"], [8080])]
    (only,) = slices(cluster)
    assert only["metadata"]["generateName"] == "web-"
    assert only["metadata"]["labels"] == {"app": "web", "tier": "front", "kubernetes.io/service-name": "web",
                                          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    assert only["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                                    "uid": svc["metadata"]["uid"], "controller": True,
                                                    "blockOwnerDeletion": True}]
    assert only["addressType"] == "IPv4" and only["ports"] == [{"name": "http", "protocol": "TCP", "port": 8080}]
    first = only["endpoints"][0]
    assert first == {"addresses": [kubelet.pods()[0]["status"]["podIP"]],
                     "conditions": {"ready": True, "serving": True, "terminating": False},
                     "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-a",
                                   "uid": kubelet.pods()[0]["metadata"]["uid"]},
                     "nodeName": "node-1", "zone": "zone-a"}
    assert slice_view(cluster) == [([8080], [("web-a", True, True, False), ("web-b", False, False, False)])]
    ep = endpoints(cluster)
    assert ep["metadata"]["labels"] == {"app": "web", "tier": "front",
                                        "endpoints.kubernetes.io/managed-by": "endpoint-controller"}
    assert "endpoints.kubernetes.io/last-change-trigger-time" in ep["metadata"]["annotations"]
    assert "ownerReferences" not in ep["metadata"]
    address = ep["subsets"][0]["addresses"][0]
    assert address["nodeName"] == "node-1" and address["ip"] == first["addresses"][0]
    # Becoming ready moves the pod.
    kubelet.run("web-b")
    cluster.reconcile()
    assert addresses(cluster) == [(["web-a", "web-b"], [], [8080])]


def test_named_target_ports_resolve_per_pod(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-old", port=8080)
    pod(cluster, "web-new", port=9090)
    pod(cluster, "web-odd", port=7070, port_name="metrics")  # no "http" port
    service(cluster)
    for name in ("web-old", "web-new", "web-odd"):
        kubelet.run(name)
    cluster.reconcile()
    # One slice per resolved port set; a pod resolving no port still gets a port-less slice ...
    assert sorted(slice_view(cluster)) == [([], [("web-odd", True, True, False)]),
                                           ([8080], [("web-old", True, True, False)]),
                                           ([9090], [("web-new", True, True, False)])]
    # ... but no address in the legacy Endpoints.
    assert sorted(addresses(cluster)) == [(["web-new"], [], [9090]), (["web-old"], [], [8080])]


def test_numeric_and_defaulted_target_ports(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    service(cluster, ports=[{"port": 80, "targetPort": 8080}])
    service(cluster, "admin", ports=[{"name": "admin", "port": 9000}, {"name": "dns", "port": 53, "protocol": "UDP"}])
    kubelet.run("web-a")
    cluster.reconcile()
    (only,) = slices(cluster)
    assert only["ports"] == [{"name": "", "protocol": "TCP", "port": 8080}]
    assert endpoints(cluster)["subsets"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
    (admin,) = slices(cluster, "admin")
    assert admin["ports"] == [{"name": "admin", "protocol": "TCP", "port": 9000},
                              {"name": "dns", "protocol": "UDP", "port": 53}]


def test_terminating_pods(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    service(cluster)
    kubelet.run("web-a")
    cluster.reconcile()
    cluster.store.delete("v1", "Pod", "web-a", namespace="default")  # graceful: still terminating
    cluster.reconcile()
    assert slice_view(cluster) == [([8080], [("web-a", False, True, True)])]
    assert addresses(cluster) == []
    assert "subsets" not in endpoints(cluster)
    kubelet.finish_deletions()
    assert slice_view(cluster) == [([], [])]  # the placeholder slice


def test_publish_not_ready_addresses(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    service(cluster, publishNotReadyAddresses=True)
    kubelet.run("web-a", ready=False)
    cluster.reconcile()
    assert slice_view(cluster) == [([8080], [("web-a", True, True, False)])]
    assert addresses(cluster) == [(["web-a"], [], [8080])]


def test_headless_service_with_hostnames_and_no_ports(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-0", hostname="web-0", subdomain="nginx")
    pod(cluster, "web-1")
    service(cluster, "nginx", clusterIP="None", ports=[])
    for name in ("web-0", "web-1"):
        kubelet.run(name)
    cluster.reconcile()
    (only,) = slices(cluster, "nginx")
    assert only["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert only["ports"] == []
    assert [e.get("hostname") for e in only["endpoints"]] == ["web-0", None]
    ep = endpoints(cluster, "nginx")
    assert ep["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert [a.get("hostname") for a in ep["subsets"][0]["addresses"]] == ["web-0", None]
    assert "ports" not in ep["subsets"][0]


def test_selector_changes_and_relabelled_pods(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    pod(cluster, "api-a", labels={"app": "api"})
    service(cluster)
    kubelet.run("web-a")
    kubelet.run("api-a")
    cluster.reconcile()
    assert addresses(cluster) == [(["web-a"], [], [8080])]
    cluster.store.patch("v1", "Pod", "api-a", {"metadata": {"labels": {"app": "web"}}}, namespace="default")
    cluster.store.patch("v1", "Pod", "web-a", {"metadata": {"labels": {"app": "old"}}}, namespace="default")
    cluster.reconcile()
    assert addresses(cluster) == [(["api-a"], [], [8080])]
    assert slice_view(cluster) == [([8080], [("api-a", True, True, False)])]


def test_finished_job_pods_are_not_endpoints(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a", restartPolicy="Never")
    service(cluster)
    kubelet.run("web-a")
    kubelet.succeed("web-a")
    cluster.reconcile()
    assert addresses(cluster) == [] and slice_view(cluster) == [([], [])]


def test_placeholder_slice_without_pods(cluster: Cluster) -> None:
    service(cluster)
    cluster.reconcile()
    (only,) = slices(cluster)
    assert only["ports"] == [] and "endpoints" not in only
    assert "subsets" not in endpoints(cluster)


def test_slices_hold_at_most_100_endpoints(cluster: Cluster, kubelet: PodDriver) -> None:
    service(cluster)
    for i in range(150):
        pod(cluster, f"web-{i:03d}")
        kubelet.run(f"web-{i:03d}")
    cluster.reconcile()
    assert sorted(len(s["endpoints"]) for s in slices(cluster)) == [50, 100]
    for i in range(120):
        cluster.store.delete("v1", "Pod", f"web-{i:03d}", namespace="default", grace_period_seconds=0)
    cluster.reconcile()
    assert [len(s["endpoints"]) for s in slices(cluster)] == [30]


def test_services_without_selector_are_left_alone(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "external"},
                          "spec": {"ports": [{"port": 5432}]}})
    cluster.store.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external"},
                          "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 5432}]}]})
    cluster.reconcile()
    assert slices(cluster, "external") == []
    assert endpoints(cluster, "external")["subsets"][0]["addresses"] == [{"ip": "192.0.2.10"}]
    assert endpoints(cluster, "kubernetes")["subsets"][0]["addresses"] == [{"ip": "172.18.0.1"}]


def test_deleting_the_service_removes_its_endpoints(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    service(cluster)
    kubelet.run("web-a")
    cluster.reconcile()
    cluster.store.delete("v1", "Service", "web", namespace="default")
    cluster.reconcile()
    assert endpoints(cluster) is None and slices(cluster) == []


def test_a_deleted_slice_is_recreated(cluster: Cluster, kubelet: PodDriver) -> None:
    pod(cluster, "web-a")
    service(cluster)
    kubelet.run("web-a")
    cluster.reconcile()
    (only,) = slices(cluster)
    cluster.store.delete("discovery.k8s.io/v1", "EndpointSlice", only["metadata"]["name"], namespace="default")
    cluster.reconcile()
    assert slice_view(cluster) == [([8080], [("web-a", True, True, False)])]


@pytest.mark.parametrize(("target", "protocol", "expected"), [
    (8080, "TCP", 8080), ("8080", "TCP", 8080), ("http", "TCP", 80), ("http", "UDP", None), ("dns", "UDP", 53),
    ("nope", "TCP", None),
])
def test_find_port(target: Any, protocol: str, expected: int | None) -> None:
    pod_obj = {"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}]},
                                       {"ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]}}
    assert find_port(pod_obj, {"port": 1, "targetPort": target, "protocol": protocol}) == expected
