"""The seed StatefulSet and DaemonSet transcripts on a default cluster: the real scheduler,
kubelet model, PersistentVolume binder and endpoints controllers run them."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.dns import resolve

from .sts_ds_support import (
    daemonset,
    events_of,
    live_pods,
    nginx_service,
    terminating_pods,
    web_statefulset,
)

NS = "default"


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory()


def sts_status(cluster: Cluster) -> dict[str, Any]:
    return cluster.store.get("apps/v1", "StatefulSet", "web", namespace=NS).get("status") or {}


def settled(cluster: Cluster, replicas: int) -> bool:
    s = sts_status(cluster)
    return (s.get("readyReplicas") == replicas == s.get("replicas") == s.get("updatedReplicas")
            and s.get("currentRevision") == s.get("updateRevision") and not terminating_pods(cluster))


def deletions(cluster: Cluster) -> list[str]:
    return [m.split()[2] for r, m in events_of(cluster, "web") if r == "SuccessfulDelete"]


def test_web_statefulset_seed(cluster: Cluster) -> None:
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(3))
    assert cluster.run_until(lambda: settled(cluster, 3), timeout=600)
    creates = [m for r, m in events_of(cluster, "web") if r == "SuccessfulCreate" and " Pod " in m
               and "Claim" not in m]
    assert creates == [f"create Pod web-{i} in StatefulSet web successful" for i in range(3)]
    for i in range(3):
        claim = cluster.store.get("v1", "PersistentVolumeClaim", f"www-web-{i}", namespace=NS)
        assert claim["status"]["phase"] == "Bound"
        assert resolve(cluster, f"web-{i}.nginx", namespace=NS) == [live_pods(cluster)[f"web-{i}"]["status"]["podIP"]]

    cluster.store.update_scale("apps/v1", "StatefulSet", "web", 5, namespace=NS)
    assert cluster.run_until(lambda: settled(cluster, 5), timeout=600)
    cluster.store.update_scale("apps/v1", "StatefulSet", "web", 3, namespace=NS)
    assert cluster.run_until(lambda: settled(cluster, 3) and len(live_pods(cluster)) == 3, timeout=600)
    assert deletions(cluster) == ["web-4", "web-3"]
    assert len(cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)) == 5

    cluster.store.patch("apps/v1", "StatefulSet", "web",
                        {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}}}}, namespace=NS)
    cluster.store.update_scale("apps/v1", "StatefulSet", "web", 5, namespace=NS)
    assert cluster.run_until(lambda: settled(cluster, 5), timeout=600)
    web = cluster.store.get("apps/v1", "StatefulSet", "web", namespace=NS)
    web["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx-slim:0.7"
    cluster.store.replace(web)
    assert cluster.run_until(lambda: sts_status(cluster).get("updatedReplicas") == 2
                             and sts_status(cluster).get("readyReplicas") == 5 and not terminating_pods(cluster), 600)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in live_pods(cluster).items()}
    assert [images[f"web-{i}"] for i in range(5)] == ["nginx:1.23.2-alpine"] * 3 + ["nginx-slim:0.7"] * 2
    assert deletions(cluster)[-2:] == ["web-4", "web-3"]


def test_daemonset_follows_a_node_label_change(cluster: Cluster) -> None:
    cluster.store.create(daemonset("nginx", image="nginx:1.25", nodeSelector={"disktype": "ssd"}))
    cluster.advance(30)
    assert live_pods(cluster) == {}
    cluster.store.patch("v1", "Node", "node-2", {"metadata": {"labels": {"disktype": "ssd"}}})

    def on(nodes: list[str]) -> bool:
        pods = live_pods(cluster).values()
        return (sorted(p["spec"].get("nodeName") or "" for p in pods) == nodes and not terminating_pods(cluster)
                and all(p["status"].get("phase") == "Running" for p in pods))

    assert cluster.run_until(lambda: on(["node-2"]), 300)
    cluster.store.patch("v1", "Node", "node-3", {"metadata": {"labels": {"disktype": "ssd"}}})
    cluster.store.patch("v1", "Node", "node-2", {"metadata": {"labels": {"disktype": None}}})
    assert cluster.run_until(lambda: on(["node-3"]), 300)
    status = cluster.store.get("apps/v1", "DaemonSet", "nginx", namespace=NS)["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"], status["numberMisscheduled"]) == (1, 1, 0)


def _ds_rolled_out(cluster: Cluster, desired: int, image: str) -> bool:
    s = cluster.store.get("apps/v1", "DaemonSet", "fluentd", namespace=NS).get("status") or {}
    pods = live_pods(cluster).values()
    return (s.get("desiredNumberScheduled") == desired == s.get("updatedNumberScheduled") == s.get("numberAvailable")
            and not terminating_pods(cluster) and len(pods) == desired
            and {p["spec"]["containers"][0]["image"] for p in pods} == {image})


def test_daemonset_rolling_update_and_node_removal(cluster: Cluster) -> None:
    from .sts_ds_support import add_node

    cluster.store.create(daemonset())
    assert cluster.run_until(lambda: _ds_rolled_out(cluster, 3, "fluentd:v1.16"), 300)
    ds = cluster.store.get("apps/v1", "DaemonSet", "fluentd", namespace=NS)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "fluentd:v2"
    cluster.store.replace(ds)
    most_terminating = 0

    def watch() -> bool:
        nonlocal most_terminating
        most_terminating = max(most_terminating, len(terminating_pods(cluster)))
        return _ds_rolled_out(cluster, 3, "fluentd:v2")

    assert cluster.run_until(watch, 600)
    assert most_terminating <= 1
    add_node(cluster, "node-4", 4)
    assert cluster.run_until(lambda: _ds_rolled_out(cluster, 4, "fluentd:v2"), 300)
    cluster.store.delete("v1", "Node", "node-4")
    assert cluster.run_until(lambda: _ds_rolled_out(cluster, 3, "fluentd:v2"), 300)
