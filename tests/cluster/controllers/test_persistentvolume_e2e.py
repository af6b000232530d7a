"""Volumes on a default cluster: StatefulSet claims provisioned by the default StorageClass,
delayed binding through the scheduler's node choice, and the claim protection a pod holds."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers import default_controllers

NS = "default"
_NAMES = {c.name for c in default_controllers()}
pytestmark = pytest.mark.skipif(
    "default-scheduler" not in _NAMES or not any("kubelet" in n for n in _NAMES),
    reason="the scheduler and kubelet models are not registered in default_controllers() yet")


def statefulset(storage_class: str | None = None) -> dict[str, Any]:
    claim_spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    if storage_class:
        claim_spec["storageClassName"] = storage_class
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"serviceName": "db", "replicas": 2, "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{
                         "name": "db", "image": "nginx:1.25",
                         "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim_spec}]}}


def running(cluster: Cluster) -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p for p in cluster.store.peek_all("", "Pod", NS)
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")}


@pytest.mark.parametrize("binding_mode", ["Immediate", "WaitForFirstConsumer"])
def test_statefulset_claims_are_provisioned(binding_mode: str) -> None:
    cluster = Cluster.in_memory()
    cluster.store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                          "provisioner": "helmlite.io/hostpath", "volumeBindingMode": binding_mode})
    cluster.store.create(statefulset("local"))
    assert cluster.run_until(lambda: len(running(cluster)) == 2, timeout=600)
    for i in range(2):
        claim = cluster.store.get("v1", "PersistentVolumeClaim", f"data-db-{i}", namespace=NS)
        assert claim["status"]["phase"] == "Bound"
        volume = cluster.store.get("v1", "PersistentVolume", claim["spec"]["volumeName"])
        assert volume["status"]["phase"] == "Bound"
        assert volume["metadata"]["name"] == f"pvc-{claim['metadata']['uid']}"
        node = running(cluster)[f"db-{i}"]["spec"]["nodeName"]
        if binding_mode == "WaitForFirstConsumer":
            # The volume lives on the node the scheduler chose for the pod.
            terms = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
            assert terms[0]["matchExpressions"][0]["values"] == [node]
            assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
        else:
            assert "nodeAffinity" not in volume["spec"]


def test_claims_survive_the_statefulset_and_keep_their_volumes() -> None:
    cluster = Cluster.in_memory()
    cluster.store.create(statefulset())
    assert cluster.run_until(lambda: len(running(cluster)) == 2, timeout=600)
    volumes = {c["metadata"]["name"]: c["spec"]["volumeName"]
               for c in cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)}
    cluster.store.delete("apps/v1", "StatefulSet", "db", namespace=NS)
    assert cluster.run_until(lambda: not list(cluster.store.peek_all("", "Pod", NS)), timeout=600)
    # Deleting a claim nothing uses any more releases its volume, which the Delete policy removes.
    cluster.store.delete("v1", "PersistentVolumeClaim", "data-db-0", namespace=NS)
    cluster.reconcile()
    assert cluster.store.peek("", "PersistentVolume", "", volumes["data-db-0"]) is None
    assert cluster.store.get("v1", "PersistentVolume", volumes["data-db-1"])["status"]["phase"] == "Bound"


def test_a_running_pod_protects_its_claim() -> None:
    cluster = Cluster.in_memory()
    cluster.store.create(statefulset())
    assert cluster.run_until(lambda: len(running(cluster)) == 2, timeout=600)
    cluster.store.delete("v1", "PersistentVolumeClaim", "data-db-1", namespace=NS)
    cluster.advance(30)
    claim = cluster.store.get("v1", "PersistentVolumeClaim", "data-db-1", namespace=NS)
    assert claim["metadata"]["deletionTimestamp"] and claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    cluster.store.update_scale("apps/v1", "StatefulSet", "db", 1, namespace=NS)
    assert cluster.run_until(lambda: cluster.store.peek("", "PersistentVolumeClaim", NS, "data-db-1") is None, 600)
