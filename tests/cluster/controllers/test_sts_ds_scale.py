"""No quadratic controller paths (issue #3): the work of a DaemonSet rolling update and of an
``OrderedReady`` StatefulSet scale-up and rolling update grows linearly with the node or
replica count.

The simulator syncs a set on every transition of one of its pods, so a sync that looks at
every node or replica makes a rollout quadratic. The controllers count how many times they
compute one node's or ordinal's contribution to a sync (``node_visits``, ``ordinal_visits``);
these tests compare that count per node/replica at two sizes — work, never time. The real
scheduler, kubelet model and PersistentVolume binder run the pods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.daemonset import DaemonSetController
from helmlite.cluster.controllers.statefulset import StatefulSetController
from helmlite.cluster.rollout import set_image

NS = "default"
SMALL, LARGE = 8, 32
# Visits per node (replica) may differ by rounding at the two sizes, never by the size factor.
SLACK = 1.25


def _labels(name: str) -> dict[str, str]:
    return {"app": name}


def _daemonset(name: str, rolling: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"matchLabels": _labels(name)},
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": rolling},
                     "template": {"metadata": {"labels": _labels(name)},
                                  "spec": {"containers": [{"name": "agent", "image": "fluentd:1.16"}]}}}}


def _statefulset(name: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": NS},
            "spec": {"replicas": replicas, "serviceName": name, "selector": {"matchLabels": _labels(name)},
                     "template": {"metadata": {"labels": _labels(name)},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}}


def _daemonset_rolled(cluster: Cluster, name: str) -> bool:
    ds = cluster.store.peek("apps", "DaemonSet", NS, name)
    assert ds is not None
    status, desired = ds.get("status") or {}, (ds.get("status") or {}).get("desiredNumberScheduled", 0)
    return (desired > 0 and status.get("observedGeneration", 0) >= ds["metadata"]["generation"]
            and status.get("updatedNumberScheduled", 0) == desired == status.get("numberAvailable", 0))


def _statefulset_rolled(cluster: Cluster, name: str) -> bool:
    sts = cluster.store.peek("apps", "StatefulSet", NS, name)
    assert sts is not None
    status, replicas = sts.get("status") or {}, sts["spec"]["replicas"]
    return (status.get("observedGeneration", 0) >= sts["metadata"]["generation"]
            and status.get("updatedReplicas", 0) == replicas == status.get("readyReplicas", 0)
            and status.get("currentRevision") == status.get("updateRevision"))


def _wait(cluster: Cluster, done: Callable[[], bool]) -> None:
    assert cluster.run_until(done, 3600), "the rollout did not finish within an hour of virtual time"


def _daemonset_visits_per_node(nodes: int, rolling: dict[str, Any]) -> tuple[float, float]:
    """(visits per node to run the set everywhere, visits per node for its rolling update)."""
    cluster = Cluster.in_memory(nodes=nodes)
    controller = cluster.controller(DaemonSetController.name)
    assert isinstance(controller, DaemonSetController)
    cluster.store.create(_daemonset("agent", rolling), copy=False)
    _wait(cluster, lambda: _daemonset_rolled(cluster, "agent"))
    created = controller.node_visits
    set_image(cluster, "daemonset", NS, "agent", {"agent": "fluentd:1.17"})
    _wait(cluster, lambda: _daemonset_rolled(cluster, "agent"))
    assert {p["spec"]["containers"][0]["image"] for p in cluster.store.peek_all("", "Pod", NS)} == {"fluentd:1.17"}
    return created / nodes, (controller.node_visits - created) / nodes


def _statefulset_visits_per_replica(replicas: int) -> tuple[float, float]:
    """(visits per replica for the ordered scale-up, visits per replica for its rolling update)."""
    cluster = Cluster.in_memory(nodes=3)
    controller = cluster.controller(StatefulSetController.name)
    assert isinstance(controller, StatefulSetController)
    cluster.store.create(_statefulset("web", replicas), copy=False)
    _wait(cluster, lambda: _statefulset_rolled(cluster, "web"))
    created = controller.ordinal_visits
    set_image(cluster, "statefulset", NS, "web", {"web": "nginx:1.27"})
    _wait(cluster, lambda: _statefulset_rolled(cluster, "web"))
    return created / replicas, (controller.ordinal_visits - created) / replicas


@pytest.mark.parametrize("rolling", [{"maxUnavailable": 1}, {"maxUnavailable": 0, "maxSurge": 1}],
                         ids=["max-unavailable", "max-surge"])
def test_a_daemon_set_rollout_visits_each_node_a_bounded_number_of_times(rolling: dict[str, Any]) -> None:
    small = _daemonset_visits_per_node(SMALL, rolling)
    large = _daemonset_visits_per_node(LARGE, rolling)
    assert large[0] <= small[0] * SLACK, f"creating: {small[0]:.1f} visits per node at {SMALL}, {large[0]:.1f} at {LARGE}"
    assert large[1] <= small[1] * SLACK, f"rolling: {small[1]:.1f} visits per node at {SMALL}, {large[1]:.1f} at {LARGE}"


def test_an_ordered_stateful_set_visits_each_replica_a_bounded_number_of_times() -> None:
    small = _statefulset_visits_per_replica(SMALL)
    large = _statefulset_visits_per_replica(LARGE)
    assert large[0] <= small[0] * SLACK, f"scale-up: {small[0]:.1f} visits per replica at {SMALL}, {large[0]:.1f} at {LARGE}"
    assert large[1] <= small[1] * SLACK, f"rolling: {small[1]:.1f} visits per replica at {SMALL}, {large[1]:.1f} at {LARGE}"
