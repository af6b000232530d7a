"""The StatefulSet controller: the seed transcripts (SS-08/09/15/16, F-56..F-59) on virtual time."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.controllers.statefulset import (
    POD_INDEX_LABEL,
    POD_NAME_LABEL,
    REVISION_LABEL,
    StatefulSetController,
    parent_and_ordinal,
)
from helmlite.cluster.store import WatchEvent

from .sts_ds_support import (
    KubeletStub,
    events_of,
    live_pods,
    nginx_service,
    set_phase,
    set_running,
    terminating_pods,
    web_statefulset,
)

NS = "default"


@pytest.fixture
def stub() -> KubeletStub:
    return KubeletStub()


@pytest.fixture
def cluster(stub: KubeletStub) -> Cluster:
    return Cluster.in_memory(controllers=[StatefulSetController(), stub])


def sts(cluster: Cluster, name: str = "web") -> dict[str, Any]:
    return cluster.store.get("apps/v1", "StatefulSet", name, namespace=NS)


def status(cluster: Cluster, name: str = "web") -> dict[str, Any]:
    return sts(cluster, name).get("status") or {}


def settled(cluster: Cluster, replicas: int) -> bool:
    s = status(cluster)
    return (s.get("readyReplicas") == replicas == s.get("replicas") == s.get("updatedReplicas")
            and s.get("currentRevision") == s.get("updateRevision") and not terminating_pods(cluster))


def start_web(cluster: Cluster, replicas: int = 3, **spec: Any) -> None:
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(replicas, **spec))
    assert cluster.run_until(lambda: settled(cluster, replicas), timeout=600)


def set_image(cluster: Cluster, image: str) -> None:
    obj = sts(cluster)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.store.replace(obj)


def image_of(pod: dict[str, Any]) -> str:
    return str(pod["spec"]["containers"][0]["image"])


def deletions(cluster: Cluster) -> list[str]:
    return [m.split()[2] for r, m in events_of(cluster, "web") if r == "SuccessfulDelete"]


def scale(cluster: Cluster, replicas: int) -> None:
    cluster.store.update_scale("apps/v1", "StatefulSet", "web", replicas, namespace=NS)


# --- identity, storage, ordering ------------------------------------------------------------------

def test_parent_and_ordinal() -> None:
    assert parent_and_ordinal("web-0") == ("web", 0)
    assert parent_and_ordinal("my-app-12") == ("my-app", 12)
    assert parent_and_ordinal("web") == ("", -1)
    assert parent_and_ordinal("web-x") == ("", -1)
    assert parent_and_ordinal("web-99999999999") == ("web", -1)


def test_pods_carry_a_stable_identity_and_their_own_claims(cluster: Cluster) -> None:
    start_web(cluster)
    web = sts(cluster)
    pods = live_pods(cluster)
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    revision = web["status"]["updateRevision"]
    assert revision.startswith("web-")
    for ordinal in range(3):
        pod = pods[f"web-{ordinal}"]
        meta, spec = pod["metadata"], pod["spec"]
        assert meta["generateName"] == "web-"
        assert meta["labels"] == {"app": "nginx", POD_NAME_LABEL: f"web-{ordinal}", POD_INDEX_LABEL: str(ordinal),
                                  REVISION_LABEL: revision}
        assert meta["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                            "uid": web["metadata"]["uid"], "controller": True,
                                            "blockOwnerDeletion": True}]
        assert spec["hostname"] == f"web-{ordinal}" and spec["subdomain"] == "nginx"
        assert spec["volumes"][0] == {"name": "www", "persistentVolumeClaim": {"claimName": f"www-web-{ordinal}"}}
        claim = cluster.store.get("v1", "PersistentVolumeClaim", f"www-web-{ordinal}", namespace=NS)
        assert claim["metadata"]["labels"] == {"app": "nginx"}
        assert "ownerReferences" not in claim["metadata"]  # Retain/Retain: nobody owns the claims
        assert claim["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    revisions = cluster.store.list("apps/v1", "ControllerRevision", namespace=NS)
    assert [(r["metadata"]["name"], r["revision"]) for r in revisions] == [(revision, 1)]
    assert revisions[0]["metadata"]["labels"]["app"] == "nginx"
    assert revisions[0]["data"]["spec"]["template"]["$patch"] == "replace"
    assert web["status"] == {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3,
                             "updatedReplicas": 3, "currentRevision": revision, "updateRevision": revision,
                             "collisionCount": 0, "availableReplicas": 3}


def test_ordered_ready_creates_each_pod_once_its_predecessors_run(cluster: Cluster, stub: KubeletStub) -> None:
    stub.start_seconds = 5
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(3))
    cluster.reconcile()
    assert list(live_pods(cluster)) == ["web-0"]
    cluster.advance(4)
    assert list(live_pods(cluster)) == ["web-0"]
    cluster.advance(1)
    assert sorted(live_pods(cluster)) == ["web-0", "web-1"]
    assert live_pods(cluster)["web-1"]["status"]["phase"] == "Pending"
    cluster.advance(5)
    assert sorted(live_pods(cluster)) == ["web-0", "web-1", "web-2"]
    cluster.advance(5)
    assert settled(cluster, 3)
    assert events_of(cluster, "web") == [
        ("SuccessfulCreate", "create Claim www-web-0 Pod web-0 in StatefulSet web success"),
        ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful"),
        ("SuccessfulCreate", "create Claim www-web-1 Pod web-1 in StatefulSet web success"),
        ("SuccessfulCreate", "create Pod web-1 in StatefulSet web successful"),
        ("SuccessfulCreate", "create Claim www-web-2 Pod web-2 in StatefulSet web success"),
        ("SuccessfulCreate", "create Pod web-2 in StatefulSet web successful"),
    ]


def test_an_unready_pod_blocks_the_next_ordinal(cluster: Cluster, stub: KubeletStub) -> None:
    stub.hold.add(f"{NS}/web-1")
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(3))
    cluster.advance(60)
    assert sorted(live_pods(cluster)) == ["web-0", "web-1"]
    assert status(cluster)["readyReplicas"] == 1
    set_running(cluster, NS, "web-1")
    cluster.reconcile()
    assert sorted(live_pods(cluster)) == ["web-0", "web-1", "web-2"]


def test_parallel_creates_and_deletes_all_at_once(cluster: Cluster, stub: KubeletStub) -> None:
    stub.hold.update(f"{NS}/web-{i}" for i in range(4))
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(4, podManagementPolicy="Parallel"))
    cluster.reconcile()
    assert sorted(live_pods(cluster)) == ["web-0", "web-1", "web-2", "web-3"]
    assert status(cluster)["replicas"] == 4 and "readyReplicas" not in status(cluster)
    scale(cluster, 1)
    cluster.reconcile()
    assert terminating_pods(cluster) == ["web-1", "web-2", "web-3"]
    assert sorted(deletions(cluster)) == ["web-1", "web-2", "web-3"]


def test_ordinals_start(cluster: Cluster) -> None:
    start_web(cluster, 2, ordinals={"start": 5})
    assert sorted(live_pods(cluster)) == ["web-5", "web-6"]
    assert live_pods(cluster)["web-5"]["metadata"]["labels"][POD_INDEX_LABEL] == "5"
    assert cluster.store.get("v1", "PersistentVolumeClaim", "www-web-5", namespace=NS)


# --- scaling --------------------------------------------------------------------------------------

def test_scale_down_5_to_3_deletes_web4_then_web3_one_at_a_time(cluster: Cluster) -> None:
    start_web(cluster, 5)
    scale(cluster, 3)
    cluster.reconcile()
    assert terminating_pods(cluster) == ["web-4"]
    assert "web-3" in live_pods(cluster)
    cluster.advance(1)
    assert terminating_pods(cluster) == ["web-4"] and "web-3" in live_pods(cluster)
    cluster.advance(1)  # web-4 is gone: only now does web-3 go
    assert terminating_pods(cluster) == ["web-3"]
    assert "web-4" not in {p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace=NS)}
    cluster.advance(2)
    assert sorted(live_pods(cluster)) == ["web-0", "web-1", "web-2"] and not terminating_pods(cluster)
    assert deletions(cluster) == ["web-4", "web-3"]
    assert ("SuccessfulDelete", "delete Pod web-4 in StatefulSet web successful") in events_of(cluster, "web")
    # the claims survive the scale-down (Retain), ready for a scale-up to reuse them
    claims = {c["metadata"]["name"]: c["metadata"]["uid"]
              for c in cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)}
    assert sorted(claims) == [f"www-web-{i}" for i in range(5)]
    assert status(cluster)["replicas"] == 3
    scale(cluster, 5)
    assert cluster.run_until(lambda: settled(cluster, 5), timeout=300)
    assert {c["metadata"]["name"]: c["metadata"]["uid"]
            for c in cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)} == claims


def test_scale_down_waits_while_a_pod_is_unhealthy(cluster: Cluster) -> None:
    start_web(cluster, 3)
    set_running(cluster, NS, "web-0", ready=False)
    scale(cluster, 1)
    cluster.advance(30)
    assert not terminating_pods(cluster) and sorted(live_pods(cluster)) == ["web-0", "web-1", "web-2"]
    set_running(cluster, NS, "web-0", ready=True)
    cluster.reconcile()
    assert terminating_pods(cluster) == ["web-2"]
    assert cluster.run_until(lambda: sorted(live_pods(cluster)) == ["web-0"] and not terminating_pods(cluster), 60)
    assert deletions(cluster) == ["web-2", "web-1"]


def test_claims_survive_pod_deletion(cluster: Cluster) -> None:
    start_web(cluster)
    claim_uid = cluster.store.get("v1", "PersistentVolumeClaim", "www-web-1", namespace=NS)["metadata"]["uid"]
    old_uid = live_pods(cluster)["web-1"]["metadata"]["uid"]
    cluster.store.delete("v1", "Pod", "web-1", namespace=NS)
    assert cluster.run_until(lambda: settled(cluster, 3)
                             and live_pods(cluster)["web-1"]["metadata"]["uid"] != old_uid, timeout=60)
    pod = live_pods(cluster)["web-1"]
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "www-web-1"
    assert cluster.store.get("v1", "PersistentVolumeClaim", "www-web-1", namespace=NS)["metadata"]["uid"] == claim_uid


def test_failed_pods_are_replaced(cluster: Cluster) -> None:
    start_web(cluster)
    old_uid = live_pods(cluster)["web-2"]["metadata"]["uid"]
    set_phase(cluster, NS, "web-2", "Failed")
    assert cluster.run_until(lambda: settled(cluster, 3)
                             and live_pods(cluster)["web-2"]["metadata"]["uid"] != old_uid, timeout=60)
    assert ("SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful") in events_of(cluster, "web")


# --- updates --------------------------------------------------------------------------------------

def test_rolling_update_goes_from_the_highest_ordinal_one_pod_at_a_time(cluster: Cluster) -> None:
    start_web(cluster)
    old_revision = status(cluster)["currentRevision"]
    most_terminating = 0

    def watch(event: WatchEvent) -> None:
        nonlocal most_terminating
        if event.kind.kind == "Pod":
            most_terminating = max(most_terminating, len(terminating_pods(cluster)))

    cluster.store.add_listener(watch)
    set_image(cluster, "nginx:1.25")
    cluster.reconcile()
    mid = status(cluster)
    assert mid["currentRevision"] == old_revision and mid["updateRevision"] != old_revision
    assert terminating_pods(cluster) == ["web-2"]
    assert cluster.run_until(lambda: settled(cluster, 3), timeout=300)
    assert deletions(cluster) == ["web-2", "web-1", "web-0"]
    assert most_terminating == 1
    final = status(cluster)
    assert final["currentRevision"] == final["updateRevision"] != old_revision
    assert final["currentReplicas"] == 3 and final["observedGeneration"] == 2
    assert {image_of(p) for p in live_pods(cluster).values()} == {"nginx:1.25"}


def test_partition_canary_updates_only_ordinals_at_or_above_it(cluster: Cluster) -> None:
    """SS-16: partition 3, scale to 5, new image → web-3 and web-4 only; partition 2 → web-2 too."""
    start_web(cluster, 3)
    cluster.store.patch("apps/v1", "StatefulSet", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}}}},
                        namespace=NS)
    scale(cluster, 5)
    assert cluster.run_until(lambda: settled(cluster, 5), timeout=300)
    old_revision = status(cluster)["currentRevision"]
    set_image(cluster, "nginx-slim:0.7")
    assert cluster.run_until(lambda: status(cluster).get("updatedReplicas") == 2
                             and status(cluster).get("readyReplicas") == 5 and not terminating_pods(cluster), 300)
    cluster.advance(60)  # nothing more happens
    images = {name: image_of(pod) for name, pod in live_pods(cluster).items()}
    assert images == {"web-0": "nginx:1.23.2-alpine", "web-1": "nginx:1.23.2-alpine", "web-2": "nginx:1.23.2-alpine",
                      "web-3": "nginx-slim:0.7", "web-4": "nginx-slim:0.7"}
    assert deletions(cluster) == ["web-4", "web-3"]
    s = status(cluster)
    assert s["currentRevision"] == old_revision != s["updateRevision"]
    assert (s["currentReplicas"], s["updatedReplicas"], s["replicas"]) == (3, 2, 5)

    # a pod below the partition keeps the current revision even when deleted
    cluster.store.delete("v1", "Pod", "web-1", namespace=NS)
    assert cluster.run_until(lambda: "web-1" in live_pods(cluster) and not terminating_pods(cluster)
                             and status(cluster).get("readyReplicas") == 5, 60)
    assert image_of(live_pods(cluster)["web-1"]) == "nginx:1.23.2-alpine"
    assert live_pods(cluster)["web-1"]["metadata"]["labels"][REVISION_LABEL] == old_revision

    cluster.store.patch("apps/v1", "StatefulSet", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2}}}},
                        namespace=NS)
    assert cluster.run_until(lambda: status(cluster).get("updatedReplicas") == 3
                             and status(cluster).get("readyReplicas") == 5 and not terminating_pods(cluster), 300)
    images = {name: image_of(pod) for name, pod in live_pods(cluster).items()}
    assert [images[f"web-{i}"] for i in range(5)] == ["nginx:1.23.2-alpine"] * 2 + ["nginx-slim:0.7"] * 3

    cluster.store.patch("apps/v1", "StatefulSet", "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}},
                        namespace=NS)
    assert cluster.run_until(lambda: settled(cluster, 5), timeout=300)
    assert status(cluster)["currentRevision"] == status(cluster)["updateRevision"]


def test_max_unavailable_replaces_several_pods_at_once(cluster: Cluster) -> None:
    start_web(cluster, 4, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 2}})
    set_image(cluster, "nginx:1.25")
    cluster.reconcile()
    assert terminating_pods(cluster) == ["web-2", "web-3"]
    assert cluster.run_until(lambda: settled(cluster, 4), timeout=300)
    assert deletions(cluster) == ["web-3", "web-2", "web-1", "web-0"]


def test_on_delete_replaces_pods_only_when_the_user_deletes_them(cluster: Cluster) -> None:
    start_web(cluster, 3, updateStrategy={"type": "OnDelete"})
    old_revision = status(cluster)["currentRevision"]
    set_image(cluster, "nginx:1.25")
    cluster.advance(120)
    assert {image_of(p) for p in live_pods(cluster).values()} == {"nginx:1.23.2-alpine"}
    s = status(cluster)
    assert (s["currentRevision"], s["currentReplicas"], s.get("updatedReplicas", 0)) == (old_revision, 3, 0)
    cluster.store.delete("v1", "Pod", "web-0", namespace=NS)
    assert cluster.run_until(lambda: "web-0" in live_pods(cluster) and status(cluster).get("readyReplicas") == 3
                             and not terminating_pods(cluster), 60)
    assert image_of(live_pods(cluster)["web-0"]) == "nginx:1.25"
    assert status(cluster)["updatedReplicas"] == 1
    assert deletions(cluster) == []


def test_min_ready_seconds_gates_ordered_creation_and_availability(cluster: Cluster) -> None:
    cluster.store.create(nginx_service())
    cluster.store.create(web_statefulset(2, minReadySeconds=10))
    cluster.reconcile()
    assert sorted(live_pods(cluster)) == ["web-0"]
    assert status(cluster)["readyReplicas"] == 1 and status(cluster)["availableReplicas"] == 0
    cluster.advance(9)
    assert sorted(live_pods(cluster)) == ["web-0"]
    cluster.advance(1)
    assert sorted(live_pods(cluster)) == ["web-0", "web-1"]
    assert status(cluster)["availableReplicas"] == 1
    cluster.advance(10)
    assert status(cluster)["availableReplicas"] == 2


# --- claims under persistentVolumeClaimRetentionPolicy --------------------------------------------

def test_when_scaled_delete_removes_the_claims_of_condemned_pods(cluster: Cluster) -> None:
    start_web(cluster, 3, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Retain", "whenScaled": "Delete"})
    assert "ownerReferences" not in cluster.store.get("v1", "PersistentVolumeClaim", "www-web-2",
                                                      namespace=NS)["metadata"]
    scale(cluster, 2)
    cluster.reconcile()
    claim = cluster.store.get("v1", "PersistentVolumeClaim", "www-web-2", namespace=NS)
    assert [r["kind"] for r in claim["metadata"]["ownerReferences"]] == ["Pod"]
    assert cluster.run_until(lambda: sorted(live_pods(cluster)) == ["web-0", "web-1"]
                             and not terminating_pods(cluster), 60)
    names = sorted(c["metadata"]["name"] for c in cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS))
    assert names == ["www-web-0", "www-web-1"]


def test_when_deleted_delete_hands_the_claims_to_the_set(cluster: Cluster) -> None:
    start_web(cluster, 2, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Retain"})
    web_uid = sts(cluster)["metadata"]["uid"]
    for i in range(2):
        refs = cluster.store.get("v1", "PersistentVolumeClaim", f"www-web-{i}", namespace=NS)["metadata"]["ownerReferences"]
        assert [(r["kind"], r["uid"], r["controller"]) for r in refs] == [("StatefulSet", web_uid, True)]
    cluster.store.delete("apps/v1", "StatefulSet", "web", namespace=NS, propagation_policy="Background")
    assert cluster.run_until(lambda: not cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)
                             and not cluster.store.list("v1", "Pod", namespace=NS), 120)


def test_default_retention_keeps_claims_after_the_set_is_deleted(cluster: Cluster) -> None:
    start_web(cluster, 2)
    cluster.store.delete("apps/v1", "StatefulSet", "web", namespace=NS, propagation_policy="Background")
    assert cluster.run_until(lambda: not cluster.store.list("v1", "Pod", namespace=NS), 120)
    assert len(cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS)) == 2


# --- ownership ------------------------------------------------------------------------------------

def test_orphan_delete_keeps_the_pods_and_a_new_set_adopts_them(cluster: Cluster) -> None:
    """SS-17: ``--cascade=orphan`` leaves the pods; nothing recreates a deleted orphan."""
    start_web(cluster, 3)
    cluster.store.delete("apps/v1", "StatefulSet", "web", namespace=NS, propagation_policy="Orphan")
    cluster.reconcile()
    pods = live_pods(cluster)
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    assert all(not p["metadata"].get("ownerReferences") for p in pods.values())
    cluster.store.delete("v1", "Pod", "web-0", namespace=NS)
    cluster.advance(30)
    assert sorted(live_pods(cluster)) == ["web-1", "web-2"]

    cluster.store.create(web_statefulset(3))
    assert cluster.run_until(lambda: settled(cluster, 3), timeout=120)
    new_uid = sts(cluster)["metadata"]["uid"]
    for pod in live_pods(cluster).values():
        assert pod["metadata"]["ownerReferences"][0]["uid"] == new_uid
    # the orphaned revision was adopted rather than duplicated
    revisions = cluster.store.list("apps/v1", "ControllerRevision", namespace=NS)
    assert len(revisions) == 1 and revisions[0]["metadata"]["ownerReferences"][0]["uid"] == new_uid


def test_pods_that_stop_matching_the_selector_are_released(cluster: Cluster) -> None:
    start_web(cluster, 2)
    cluster.store.patch("v1", "Pod", "web-1", {"metadata": {"labels": {"app": "debug"}}}, namespace=NS)
    cluster.reconcile()
    released = cluster.store.get("v1", "Pod", "web-1", namespace=NS)
    assert not released["metadata"].get("ownerReferences")
    # web-1 is free; the set cannot create a pod of that name while it exists
    assert status(cluster)["replicas"] == 1


def test_observed_generation_follows_spec_changes(cluster: Cluster) -> None:
    start_web(cluster, 1)
    assert status(cluster)["observedGeneration"] == 1
    scale(cluster, 2)
    cluster.reconcile()
    assert status(cluster)["observedGeneration"] == 2


def test_without_service_name_or_claims(cluster: Cluster) -> None:
    manifest = web_statefulset(2, claims=False)
    del manifest["spec"]["serviceName"]
    cluster.store.create(manifest)
    assert cluster.run_until(lambda: settled(cluster, 2), timeout=60)
    pod = live_pods(cluster)["web-1"]
    assert pod["spec"]["hostname"] == "web-1" and "subdomain" not in pod["spec"]
    assert "volumes" not in pod["spec"] or not any("persistentVolumeClaim" in v for v in pod["spec"]["volumes"])
    assert cluster.store.list("v1", "PersistentVolumeClaim", namespace=NS) == []


def test_parallel_rolling_update_still_goes_one_pod_at_a_time(cluster: Cluster) -> None:
    start_web(cluster, 3, podManagementPolicy="Parallel")
    set_image(cluster, "nginx:1.25")
    cluster.reconcile()
    assert terminating_pods(cluster) == ["web-2"]
    assert cluster.run_until(lambda: settled(cluster, 3), timeout=300)
    assert deletions(cluster) == ["web-2", "web-1", "web-0"]


def test_a_deleted_set_leaves_no_compiled_selector_behind() -> None:
    """Regression: the selector cache kept every deleted set's selector (a leak in a long-lived
    cluster). An orphan pod makes the controller compile the selector; deletion must drop it."""
    controller = StatefulSetController()
    cluster = Cluster.in_memory(controllers=[controller, KubeletStub()])
    start_web(cluster, 1)
    cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "stray", "namespace": NS, "labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    uid = sts(cluster)["metadata"]["uid"]
    assert controller._selectors.cached(uid) is not None
    cluster.store.delete("apps/v1", "StatefulSet", "web", namespace=NS)
    cluster.reconcile()
    assert controller._selectors.cached(uid) is None
