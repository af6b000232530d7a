"""PersistentVolume binding, dynamic provisioning, reclaim policies and protection."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster, InvalidError
from helmlite.cluster.controllers.persistentvolume import (
    PV_PROTECTION_FINALIZER,
    PVC_PROTECTION_FINALIZER,
    SELECTED_NODE_ANNOTATION,
    PersistentVolumeController,
)

from .pod_driver import PodDriver


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[PersistentVolumeController()])


def claim(cluster: Cluster, name: str = "data", *, size: str = "1Gi", modes: tuple[str, ...] = ("ReadWriteOnce",),
          **spec: Any) -> dict[str, Any]:
    return cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                                 "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}},
                                          **spec}})


def volume(cluster: Cluster, name: str, *, size: str = "5Gi", modes: tuple[str, ...] = ("ReadWriteOnce",),
           labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return cluster.store.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta,
                                 "spec": {"capacity": {"storage": size}, "accessModes": list(modes),
                                          "nfs": {"server": "10.0.0.5", "path": f"/exports/{name}"}, **spec}})


def pvc(cluster: Cluster, name: str = "data") -> dict[str, Any] | None:
    return cluster.store.peek("", "PersistentVolumeClaim", "default", name)


def pv(cluster: Cluster, name: str) -> dict[str, Any] | None:
    return cluster.store.peek("", "PersistentVolume", "", name)


def phase(obj: dict[str, Any] | None) -> str | None:
    return (obj or {}).get("status", {}).get("phase")


def events(cluster: Cluster, kind: str = "PersistentVolumeClaim") -> list[tuple[str, str, str, str]]:
    out = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["involvedObject"]["kind"] == kind]
    out.sort(key=lambda e: e["metadata"]["resourceVersion"])
    return [(e["type"], e["reason"], e["message"], e["source"]["component"]) for e in out]


def test_default_storage_class_provisions_a_volume(cluster: Cluster) -> None:
    created = claim(cluster)
    cluster.reconcile()
    uid = created["metadata"]["uid"]
    name = f"pvc-{uid}"
    bound = pvc(cluster)
    assert bound["spec"]["storageClassName"] == "standard" and bound["spec"]["volumeName"] == name
    assert bound["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}
    assert bound["metadata"]["annotations"] == {
        "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": "helmlite.io/hostpath",
        "volume.kubernetes.io/storage-provisioner": "helmlite.io/hostpath"}
    assert bound["metadata"]["finalizers"] == [PVC_PROTECTION_FINALIZER]
    volume_obj = pv(cluster, name)
    assert volume_obj["spec"]["claimRef"]["uid"] == uid and volume_obj["spec"]["claimRef"]["name"] == "data"
    assert volume_obj["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume_obj["spec"]["storageClassName"] == "standard"
    assert volume_obj["spec"]["capacity"] == {"storage": "1Gi"}
    assert volume_obj["spec"]["hostPath"]["type"] == "DirectoryOrCreate"
    assert volume_obj["metadata"]["annotations"] == {"pv.kubernetes.io/provisioned-by": "helmlite.io/hostpath"}
    assert volume_obj["metadata"]["finalizers"] == [PV_PROTECTION_FINALIZER]
    assert phase(volume_obj) == "Bound"
    assert events(cluster) == [
        ("Normal", "ExternalProvisioning",
         ("Waiting for a volume to be created either by the external provisioner 'helmlite.io/hostpath' or manually by "
         "the system administrator. If volume creation is delayed, please verify that the provisioner is running and "
         "correctly registered."), "persistentvolume-controller"),
        ("Normal", "Provisioning", 'External provisioner is provisioning volume for claim "default/data"',
         "helmlite.io/hostpath"),
        ("Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}", "helmlite.io/hostpath"),
    ]


def test_static_volume_binding_picks_the_smallest_fit(cluster: Cluster) -> None:
    volume(cluster, "big", size="10Gi")
    volume(cluster, "small", size="2Gi")
    volume(cluster, "tiny", size="500Mi")
    volume(cluster, "rwx", size="2Gi", modes=("ReadWriteOnce", "ReadWriteMany"))
    volume(cluster, "classy", size="2Gi", storageClassName="fast")
    cluster.reconcile()
    assert {n: phase(pv(cluster, n)) for n in ("big", "small", "tiny")} == dict.fromkeys(("big", "small", "tiny"), "Available")
    claim(cluster, storageClassName="")  # no class: static volumes only
    cluster.reconcile()
    assert pvc(cluster)["spec"]["volumeName"] == "small"
    assert pvc(cluster)["status"]["capacity"] == {"storage": "2Gi"}  # the volume's size, not the request
    small = pv(cluster, "small")
    assert phase(small) == "Bound" and small["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert small["spec"]["claimRef"]["name"] == "data"
    # A claim for shared access can only use the volume that offers it.
    claim(cluster, "shared", modes=("ReadWriteMany",), storageClassName="")
    cluster.reconcile()
    assert pvc(cluster, "shared")["spec"]["volumeName"] == "rwx"


def test_selector_and_class_restrict_static_binding(cluster: Cluster) -> None:
    volume(cluster, "ssd", labels={"disk": "ssd"}, storageClassName="manual")
    volume(cluster, "hdd", size="1Gi", labels={"disk": "hdd"}, storageClassName="manual")
    claim(cluster, storageClassName="manual", selector={"matchLabels": {"disk": "ssd"}})
    cluster.reconcile()
    assert pvc(cluster)["spec"]["volumeName"] == "ssd"


def test_no_class_and_no_volume_stays_pending(cluster: Cluster) -> None:
    claim(cluster, storageClassName="")
    cluster.reconcile()
    assert phase(pvc(cluster)) == "Pending"
    assert events(cluster) == [("Normal", "FailedBinding", ("no persistent volumes available for this claim and no "
                                "storage class is set"), "persistentvolume-controller")]
    cluster.advance(30)  # the binder looks again every 15 s: the event repeats
    assert [e["count"] for e in cluster.store.list("v1", "Event", namespace="default")] == [3]
    volume(cluster, "late")
    cluster.advance(15)
    assert phase(pvc(cluster)) == "Bound"


def test_unknown_storage_class(cluster: Cluster) -> None:
    claim(cluster, storageClassName="gp2")
    cluster.reconcile()
    assert events(cluster)[-1][:3] == ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "gp2" not found')
    cluster.store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "gp2"},
                          "provisioner": "ebs.csi.aws.com", "reclaimPolicy": "Retain"})
    cluster.reconcile()
    bound = pvc(cluster)
    assert phase(bound) == "Bound"
    provisioned = pv(cluster, bound["spec"]["volumeName"])
    assert provisioned["spec"]["csi"] == {"driver": "ebs.csi.aws.com", "volumeHandle": provisioned["metadata"]["name"],
                                          "fsType": "ext4"}
    assert provisioned["spec"]["persistentVolumeReclaimPolicy"] == "Retain"


def test_wait_for_first_consumer(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                          "provisioner": "helmlite.io/hostpath", "volumeBindingMode": "WaitForFirstConsumer"})
    claim(cluster, storageClassName="local")
    cluster.reconcile()
    assert phase(pvc(cluster)) == "Pending"
    assert events(cluster) == [("Normal", "WaitForFirstConsumer", ("waiting for first consumer to be created before "
                                "binding"), "persistentvolume-controller")]
    # The scheduler picked a node for the pod that uses the claim.
    cluster.store.patch("v1", "PersistentVolumeClaim", "data",
                        {"metadata": {"annotations": {SELECTED_NODE_ANNOTATION: "node-2"}}}, namespace="default")
    cluster.reconcile()
    bound = pvc(cluster)
    assert phase(bound) == "Bound"
    affinity = pv(cluster, bound["spec"]["volumeName"])["spec"]["nodeAffinity"]
    assert affinity == {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-2"]}]}]}}


def test_wait_for_first_consumer_follows_a_scheduled_pod(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                          "provisioner": "helmlite.io/hostpath", "volumeBindingMode": "WaitForFirstConsumer"})
    claim(cluster, storageClassName="local")
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
                          "spec": {"containers": [{"name": "c", "image": "busybox"}],
                                   "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}})
    cluster.reconcile()
    assert phase(pvc(cluster)) == "Pending"
    cluster.store.bind_pod("user", "node-3", namespace="default")
    cluster.reconcile()
    bound = pvc(cluster)
    values = pv(cluster, bound["spec"]["volumeName"])["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]
    assert values["matchExpressions"][0]["values"] == ["node-3"]


@pytest.mark.parametrize(("policy", "provisioned", "expected_phase"), [
    ("Retain", False, "Released"),
    ("Recycle", False, "Available"),
    ("Delete", False, "Failed"),
    ("Delete", True, None),  # deleted
])
def test_reclaim_policies(cluster: Cluster, policy: str, provisioned: bool, expected_phase: str | None) -> None:
    if provisioned:
        claim(cluster)
        cluster.reconcile()
        name = pvc(cluster)["spec"]["volumeName"]
    else:
        name = "static"
        volume(cluster, name, persistentVolumeReclaimPolicy=policy)
        claim(cluster, storageClassName="")
        cluster.reconcile()
    assert phase(pv(cluster, name)) == "Bound"
    cluster.store.delete("v1", "PersistentVolumeClaim", "data", namespace="default")
    cluster.reconcile()
    assert pvc(cluster) is None
    assert phase(pv(cluster, name)) == expected_phase
    if expected_phase == "Failed":
        assert pv(cluster, name)["status"]["message"] == \
            'error getting deleter volume plugin for volume "static": no deletable volume plugin matched'
        assert events(cluster, "PersistentVolume")[-1][1] == "VolumeFailedDelete"
    if expected_phase == "Available":
        assert "claimRef" not in pv(cluster, name)["spec"]
        assert events(cluster, "PersistentVolume")[-1][:3] == ("Normal", "VolumeRecycled", "Volume recycled")


def test_released_volume_is_not_reused(cluster: Cluster) -> None:
    volume(cluster, "kept", persistentVolumeReclaimPolicy="Retain")
    claim(cluster, storageClassName="")
    cluster.reconcile()
    cluster.store.delete("v1", "PersistentVolumeClaim", "data", namespace="default")
    cluster.reconcile()
    claim(cluster, "again", storageClassName="")
    cluster.reconcile()
    assert phase(pvc(cluster, "again")) == "Pending" and phase(pv(cluster, "kept")) == "Released"


def test_claim_in_use_is_protected(cluster: Cluster) -> None:
    kubelet = PodDriver(cluster)
    claim(cluster)
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
                          "spec": {"containers": [{"name": "c", "image": "busybox"}],
                                   "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}})
    kubelet.run("user")
    cluster.reconcile()
    cluster.store.delete("v1", "PersistentVolumeClaim", "data", namespace="default")
    cluster.reconcile()
    assert pvc(cluster)["metadata"]["deletionTimestamp"]  # Terminating while the pod runs
    cluster.store.delete("v1", "Pod", "user", namespace="default")
    kubelet.finish_deletions()
    assert pvc(cluster) is None


def test_bound_volume_is_protected_and_its_loss_is_reported(cluster: Cluster) -> None:
    volume(cluster, "disk")
    claim(cluster, storageClassName="")
    cluster.reconcile()
    cluster.store.delete("v1", "PersistentVolume", "disk")
    cluster.reconcile()
    assert pv(cluster, "disk")["metadata"]["deletionTimestamp"]  # kept while Bound
    # An administrator forces it away: the claim has lost its volume.
    cluster.store.patch("v1", "PersistentVolume", "disk", {"metadata": {"finalizers": None}})
    cluster.reconcile()
    assert pv(cluster, "disk") is None
    assert phase(pvc(cluster)) == "Lost"
    assert events(cluster)[-1][:3] == ("Warning", "ClaimLost",
                                       "Bound claim has lost its PersistentVolume. Data on the volume is lost!")


def test_claim_naming_a_volume(cluster: Cluster) -> None:
    volume(cluster, "chosen", size="1Gi")
    volume(cluster, "other", size="1Gi")
    claim(cluster, storageClassName="", volumeName="chosen")
    cluster.reconcile()
    assert phase(pvc(cluster)) == "Bound" and phase(pv(cluster, "chosen")) == "Bound"
    assert "pv.kubernetes.io/bound-by-controller" not in pvc(cluster)["metadata"]["annotations"]
    claim(cluster, "too-big", size="2Gi", storageClassName="", volumeName="other")
    cluster.reconcile()
    assert phase(pvc(cluster, "too-big")) == "Pending"
    assert events(cluster)[-1][:3] == ("Warning", "VolumeMismatch",
                                       'Cannot bind to requested volume "other": requested PV is too small')


def test_volume_pre_bound_to_a_claim_by_name(cluster: Cluster) -> None:
    volume(cluster, "reserved", claimRef={"namespace": "default", "name": "data"})
    volume(cluster, "cheaper", size="1Gi")
    cluster.reconcile()
    assert phase(pv(cluster, "reserved")) == "Available"
    created = claim(cluster, storageClassName="")
    cluster.reconcile()
    assert pvc(cluster)["spec"]["volumeName"] == "reserved"
    assert pv(cluster, "reserved")["spec"]["claimRef"]["uid"] == created["metadata"]["uid"]


def test_volume_name_can_be_set_once(cluster: Cluster) -> None:
    claim(cluster, storageClassName="")
    cluster.reconcile()
    # The binder may set spec.volumeName while it is empty (the API allows that one change) ...
    volume(cluster, "first")
    cluster.advance(15)
    assert pvc(cluster)["spec"]["volumeName"] == "first"
    # ... but nobody may move a bound claim to another volume.
    with pytest.raises(InvalidError, match="spec is immutable after creation"):
        cluster.store.patch("v1", "PersistentVolumeClaim", "data", {"spec": {"volumeName": "second"}},
                            namespace="default")
