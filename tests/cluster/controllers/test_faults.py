"""Fault injection: the model, its validation, and persistence in the cluster file."""

from __future__ import annotations

import json

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.faults import (
    FAULTS_CONFIGMAP,
    FAULTS_NAMESPACE,
    FaultError,
    add_fault,
    clear_faults,
    fault_set,
    get_fault,
    list_faults,
    remove_fault,
)

from .kubelet_support import get_pod, kubectl_columns, pod_manifest


def test_add_list_remove(cluster: Cluster) -> None:
    first = add_fault(cluster, {"kind": "image-pull", "image": "nginx:1.99"})
    second = add_fault(cluster, {"kind": "container-exit", "selector": "app=web", "exitCode": "3", "after": "5"})
    assert (first, second) == ("fault-1", "fault-2")
    assert [f.to_dict() for f in list_faults(cluster)] == [
        {"id": "fault-1", "kind": "image-pull", "image": "nginx:1.99", "error": "NotFound",
         "added": "2026-01-01T00:00:00Z"},
        {"id": "fault-2", "kind": "container-exit", "selector": "app=web", "exitCode": 3, "after": 5,
         "reason": "Error", "added": "2026-01-01T00:00:00Z"},
    ]
    remove_fault(cluster, first)
    assert [f.id for f in list_faults(cluster)] == ["fault-2"]
    assert add_fault(cluster, {"kind": "readiness", "pod": "web-*"}) == "fault-3"  # ids are never reused
    assert get_fault(cluster, "fault-3").get("after") == 0
    with pytest.raises(FaultError, match='fault "fault-1" not found'):
        remove_fault(cluster, "fault-1")
    assert clear_faults(cluster) == 2
    assert list_faults(cluster) == []


def test_faults_live_in_a_configmap(cluster: Cluster) -> None:
    add_fault(cluster, {"kind": "node-not-ready", "node": "node-2", "since": "2026-01-01T00:10:00Z"})
    cm = cluster.store.get("v1", "ConfigMap", FAULTS_CONFIGMAP, namespace=FAULTS_NAMESPACE)
    assert json.loads(cm["data"]["fault-1"]) == {"kind": "node-not-ready", "node": "node-2", "mode": "unreachable",
                                                 "since": "2026-01-01T00:10:00Z", "added": "2026-01-01T00:00:00Z"}


@pytest.mark.parametrize(("spec", "message"), [
    ({"kind": "meteor"}, "unknown fault kind 'meteor'"),
    ({"kind": "image-pull", "colour": "red"}, "unknown field(s) for a image-pull fault: colour"),
    ({"kind": "image-pull", "error": "Gone"}, "image-pull error must be one of: NotFound, Unauthorized"),
    ({"kind": "container-exit", "after": -1}, "fault field 'after' must be a number >= 0"),
    ({"kind": "container-exit", "exitCode": "one"}, "fault field 'exitCode' must be a number"),
    ({"kind": "readiness", "selector": "app in (,"}, "invalid selector"),
    ({"kind": "node-not-ready"}, "a node-not-ready fault needs a 'node'"),
    ({"kind": "node-not-ready", "node": "n", "mode": "sleepy"}, "mode must be 'unreachable' or 'not-ready'"),
    ({"kind": "node-not-ready", "node": "n", "since": "yesterday"}, "'since' must be an RFC 3339 time"),
    ({"kind": "resource-pressure", "node": "n", "resource": "gpu"}, "resource must be 'memory', 'disk' or 'pid'"),
])
def test_invalid_faults(cluster: Cluster, spec: dict, message: str) -> None:
    with pytest.raises(FaultError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_fault(cluster, spec)


def test_matching(cluster: Cluster) -> None:
    add_fault(cluster, {"kind": "container-exit", "namespace": "prod", "pod": "web-*", "selector": "tier=front",
                        "container": "app"})
    faults = fault_set(cluster)
    pod = {"metadata": {"name": "web-1", "namespace": "prod", "labels": {"tier": "front"}}}
    assert faults.for_pod("container-exit", pod, "app") is not None
    assert faults.for_pod("container-exit", pod, "sidecar") is None
    assert faults.for_pod("container-exit", {**pod, "metadata": {**pod["metadata"], "namespace": "dev"}}, "app") is None
    assert faults.for_pod("container-exit", {**pod, "metadata": {**pod["metadata"], "labels": {}}}, "app") is None
    add_fault(cluster, {"kind": "image-pull", "image": "docker.io/library/redis:*"})
    assert fault_set(cluster).image_pull("redis:7", "docker.io/library/redis:7") is not None
    assert fault_set(cluster).image_pull("nginx", "docker.io/library/nginx:latest") is None


def test_faults_persist_with_the_cluster_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cluster.db"
    wall = [0.0]
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        add_fault(cluster, {"kind": "image-pull", "image": "nginx:1.99"})
    wall[0] += 5
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        assert [f.id for f in list_faults(cluster)] == ["fault-1"]
        cluster.store.create(pod_manifest("bad", image="nginx:1.99"))
    wall[0] += 5
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        pod = get_pod(cluster, "bad")
        assert pod is not None and kubectl_columns(pod)[1] in ("ErrImagePull", "ImagePullBackOff")
        remove_fault(cluster, "fault-1")
    wall[0] += 60
    with Cluster.open(path, wall_clock=lambda: wall[0]) as cluster:
        assert kubectl_columns(get_pod(cluster, "bad"))[1] == "Running"  # type: ignore[arg-type]
        assert list_faults(cluster) == []
