"""The Job and TTL-after-finished controllers, driven by a stand-in kubelet on virtual time."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.clock import parse_time
from helmlite.cluster.controllers.job import (
    COMPLETION_INDEX_ANNOTATION,
    JOB_TRACKING_FINALIZER,
    JobController,
    TTLAfterFinishedController,
    format_indexes,
)

from .pod_driver import PodDriver


def job(name: str = "pi", *, restart: str = "Never", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": {"spec": {"restartPolicy": restart, "containers": [
                {"name": "pi", "image": "perl:5.34", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]}]}}}}


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[JobController(), TTLAfterFinishedController()])


@pytest.fixture
def kubelet(cluster: Cluster) -> PodDriver:
    return PodDriver(cluster)


def status(cluster: Cluster, name: str = "pi") -> dict[str, Any]:
    return cluster.store.peek("batch", "Job", "default", name)["status"]


def conditions(cluster: Cluster, name: str = "pi") -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in status(cluster, name).get("conditions", [])}


def active_pods(kubelet: PodDriver, name: str = "pi") -> list[dict[str, Any]]:
    return [p for p in kubelet.pods(**{"batch.kubernetes.io/job-name": name})
            if p["status"].get("phase") not in ("Succeeded", "Failed") and not p["metadata"].get("deletionTimestamp")]


def events(cluster: Cluster, kind: str = "Job") -> list[tuple[str, str, str]]:
    out = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["involvedObject"]["kind"] == kind]
    out.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["resourceVersion"]))
    return [(e["type"], e["reason"], e["message"]) for e in out]


def test_completions_5_parallelism_2_runs_at_most_2_at_once_and_completes_5(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(completions=5, parallelism=2))
    cluster.reconcile()
    most, created = 0, set()
    for _ in range(10):
        running = active_pods(kubelet)
        most = max(most, len(running))
        created.update(p["metadata"]["name"] for p in running)
        if not running:
            break
        for pod in running:
            kubelet.run(pod)
        cluster.advance(20)
        kubelet.succeed(running[0])
        cluster.reconcile()
    assert most == 2
    assert len(created) == 5 and all(re.fullmatch(r"pi-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in created)
    st = status(cluster)
    assert st["succeeded"] == 5 and "failed" not in st and "active" not in st
    assert st["ready"] == 0 and st["terminating"] == 0 and st["uncountedTerminatedPods"] == {}
    assert conditions(cluster) == {
        "SuccessCriteriaMet": ("True", "CompletionsReached", "Reached expected number of succeeded pods"),
        "Complete": ("True", "CompletionsReached", "Reached expected number of succeeded pods"),
    }
    assert st["startTime"] == "2026-01-01T00:00:00Z" and st["completionTime"] == "2026-01-01T00:01:40Z"
    created_events = [m for t, r, m in events(cluster) if r == "SuccessfulCreate"]
    assert sorted(created_events) == sorted(f"Created pod: {n}" for n in created)
    assert events(cluster)[-1] == ("Normal", "Completed", "Job completed")
    # Every pod was counted, so none keeps the tracking finalizer.
    assert all(JOB_TRACKING_FINALIZER not in (p["metadata"].get("finalizers") or []) for p in kubelet.pods())


def test_pods_carry_job_labels_owner_and_tracking_finalizer(cluster: Cluster, kubelet: PodDriver) -> None:
    created = cluster.store.create(job())
    cluster.reconcile()
    (pod,) = kubelet.pods()
    meta = pod["metadata"]
    uid = created["metadata"]["uid"]
    assert meta["labels"] == {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi",
                              "controller-uid": uid, "job-name": "pi"}
    assert meta["finalizers"] == [JOB_TRACKING_FINALIZER]
    assert meta["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "Job", "name": "pi", "uid": uid,
                                        "controller": True, "blockOwnerDeletion": True}]
    assert meta["generateName"] == "pi-"
    kubelet.run(pod)
    cluster.reconcile()
    assert status(cluster)["active"] == 1 and status(cluster)["ready"] == 1


def test_work_queue_job_stops_creating_after_a_success(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(parallelism=3))
    cluster.reconcile()
    pods = active_pods(kubelet)
    assert len(pods) == 3
    kubelet.succeed(pods[0])
    cluster.reconcile()
    assert len(active_pods(kubelet)) == 2 and "Complete" not in conditions(cluster)
    kubelet.succeed(pods[1])
    kubelet.fail(pods[2])
    cluster.reconcile()
    assert conditions(cluster)["Complete"][0] == "True"
    assert status(cluster)["succeeded"] == 2 and status(cluster)["failed"] == 1


def test_failed_pods_are_replaced_after_10_20_40_second_back_off(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(backoffLimit=6))
    cluster.reconcile()
    created_at = []
    for _ in range(4):
        (pod,) = active_pods(kubelet)
        created_at.append(parse_time(pod["metadata"]["creationTimestamp"]))
        cluster.advance(5)
        kubelet.fail(pod)
        cluster.run_until(lambda: bool(active_pods(kubelet)), timeout=600)
    (pod,) = active_pods(kubelet)
    created_at.append(parse_time(pod["metadata"]["creationTimestamp"]))
    gaps = [b - a - 5 for a, b in itertools.pairwise(created_at)]
    assert gaps == [10, 20, 40, 80]
    assert status(cluster)["failed"] == 4


def test_back_off_limit_fails_the_job(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(backoffLimit=2))
    cluster.reconcile()
    for _ in range(3):
        cluster.run_until(lambda: bool(active_pods(kubelet)), timeout=600)
        kubelet.fail(active_pods(kubelet)[0])
        cluster.reconcile()
    conds = conditions(cluster)
    reason = ("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert conds["FailureTarget"] == reason and conds["Failed"] == reason
    assert status(cluster)["failed"] == 3 and "completionTime" not in status(cluster)
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(cluster)
    cluster.advance(3600)
    assert not active_pods(kubelet)


def test_on_failure_container_restarts_count_against_the_back_off_limit(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(restart="OnFailure", backoffLimit=3))
    cluster.reconcile()
    (pod,) = active_pods(kubelet)
    kubelet.run(pod, restarts=2)
    cluster.reconcile()
    assert "FailureTarget" not in conditions(cluster)
    kubelet.run(pod, restarts=3)
    cluster.reconcile()
    assert conditions(cluster)["FailureTarget"][1] == "BackoffLimitExceeded"
    assert kubelet.pods()[0]["metadata"]["deletionTimestamp"]
    assert "Failed" not in conditions(cluster)  # the pod still terminates
    kubelet.finish_deletions()
    assert conditions(cluster)["Failed"][1] == "BackoffLimitExceeded"
    assert status(cluster)["failed"] == 1


def test_active_deadline_kills_pods_then_fails(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(completions=3, parallelism=2, activeDeadlineSeconds=30))
    cluster.reconcile()
    for pod in active_pods(kubelet):
        kubelet.run(pod)
    cluster.advance(29)
    assert "FailureTarget" not in conditions(cluster)
    cluster.advance(1)
    assert conditions(cluster)["FailureTarget"] == ("True", "DeadlineExceeded",
                                                    "Job was active longer than specified deadline")
    assert status(cluster)["terminating"] == 2 and "active" not in status(cluster)
    deleted = sorted(m for _t, r, m in events(cluster) if r == "SuccessfulDelete")
    assert deleted == [f"Deleted pod: {p['metadata']['name']}" for p in kubelet.pods()]
    kubelet.finish_deletions()
    assert conditions(cluster)["Failed"] == ("True", "DeadlineExceeded", "Job was active longer than specified deadline")
    assert status(cluster)["failed"] == 2 and status(cluster)["terminating"] == 0
    assert events(cluster)[-1] == ("Warning", "DeadlineExceeded", "Job was active longer than specified deadline")


def test_ttl_after_finished_deletes_the_job_and_its_pods(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(ttlSecondsAfterFinished=100))
    cluster.reconcile()
    cluster.advance(10)
    kubelet.succeed(active_pods(kubelet)[0])
    cluster.reconcile()
    assert conditions(cluster)["Complete"][0] == "True"
    cluster.advance(99)
    assert cluster.store.peek("batch", "Job", "default", "pi") is not None
    cluster.advance(1)
    assert cluster.store.peek("batch", "Job", "default", "pi") is None
    assert kubelet.pods() == []


def test_indexed_job_names_pods_by_index_and_tracks_completed_indexes(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job("sample", completions=4, parallelism=2, completionMode="Indexed"))
    cluster.reconcile()
    pods = active_pods(kubelet, "sample")
    indexes = sorted(p["metadata"]["annotations"][COMPLETION_INDEX_ANNOTATION] for p in pods)
    assert indexes == ["0", "1"]
    for pod in pods:
        index = pod["metadata"]["annotations"][COMPLETION_INDEX_ANNOTATION]
        assert re.fullmatch(rf"sample-{index}-[a-z0-9]{{5}}", pod["metadata"]["name"])
        assert pod["metadata"]["labels"][COMPLETION_INDEX_ANNOTATION] == index
        assert pod["spec"]["hostname"] == f"sample-{index}"
        assert {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}} \
            in pod["spec"]["containers"][0]["env"]
    by_index = {p["metadata"]["annotations"][COMPLETION_INDEX_ANNOTATION]: p for p in pods}
    kubelet.succeed(by_index["1"])
    cluster.reconcile()
    assert status(cluster, "sample")["completedIndexes"] == "1"
    new = {p["metadata"]["annotations"][COMPLETION_INDEX_ANNOTATION] for p in active_pods(kubelet, "sample")}
    assert new == {"0", "2"}
    while active_pods(kubelet, "sample"):
        kubelet.succeed(active_pods(kubelet, "sample")[0])
        cluster.reconcile()
    st = status(cluster, "sample")
    assert st["completedIndexes"] == "0-3" and st["succeeded"] == 4
    assert conditions(cluster, "sample")["Complete"][0] == "True"


def test_suspend_and_resume(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(parallelism=2, completions=2, suspend=True))
    cluster.reconcile()
    assert kubelet.pods() == []
    assert conditions(cluster)["Suspended"] == ("True", "JobSuspended", "Job suspended")
    assert "startTime" not in status(cluster)
    cluster.advance(60)
    cluster.store.patch("batch/v1", "Job", "pi", {"spec": {"suspend": False}}, namespace="default")
    cluster.reconcile()
    assert len(active_pods(kubelet)) == 2
    assert conditions(cluster)["Suspended"] == ("False", "JobResumed", "Job resumed")
    assert status(cluster)["startTime"] == "2026-01-01T00:01:00Z"
    for pod in active_pods(kubelet):
        kubelet.run(pod)
    cluster.store.patch("batch/v1", "Job", "pi", {"spec": {"suspend": True}}, namespace="default")
    cluster.reconcile()
    assert active_pods(kubelet) == [] and status(cluster)["terminating"] == 2
    assert "failed" not in status(cluster)  # suspension is not a failure
    suspended = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["reason"] == "Suspended"]
    assert [(e["message"], e["count"]) for e in suspended] == [("Job suspended", 2)]  # aggregated
    assert ("Normal", "Resumed", "Job resumed") in events(cluster)


def test_lowering_parallelism_deletes_surplus_pods_without_failures(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(completions=10, parallelism=3))
    cluster.reconcile()
    pods = active_pods(kubelet)
    kubelet.run(pods[0])
    kubelet.run(pods[1], ready=False)
    cluster.store.patch("batch/v1", "Job", "pi", {"spec": {"parallelism": 1}}, namespace="default")
    cluster.reconcile()
    (kept,) = active_pods(kubelet)
    assert kept["metadata"]["name"] == pods[0]["metadata"]["name"]  # the Ready one survives
    kubelet.finish_deletions()
    assert "failed" not in status(cluster) and status(cluster)["active"] == 1


def test_a_deleted_running_pod_counts_as_failed_and_is_replaced(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job())
    cluster.reconcile()
    (pod,) = active_pods(kubelet)
    kubelet.run(pod)
    cluster.store.delete("v1", "Pod", pod["metadata"]["name"], namespace="default")
    cluster.reconcile()
    assert status(cluster)["failed"] == 1
    assert active_pods(kubelet) == []  # back-off: the replacement waits 10 s
    cluster.advance(10)
    assert len(active_pods(kubelet)) == 1


def test_orphaned_pods_lose_the_tracking_finalizer(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(parallelism=2, completions=2))
    cluster.reconcile()
    for pod in active_pods(kubelet):
        kubelet.run(pod)
    cluster.store.delete("batch/v1", "Job", "pi", namespace="default")  # batch/v1 default: orphan
    cluster.reconcile()
    pods = kubelet.pods()
    assert len(pods) == 2
    assert all(not p["metadata"].get("finalizers") and not p["metadata"].get("ownerReferences") for p in pods)


def test_background_deletion_removes_pods_despite_the_finalizer(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(job(parallelism=2, completions=2))
    cluster.reconcile()
    cluster.store.delete("batch/v1", "Job", "pi", namespace="default", propagation_policy="Background")
    cluster.reconcile()
    assert kubelet.pods() == []


@pytest.mark.parametrize(("indexes", "text"), [
    ([], ""), ([0], "0"), ([0, 1, 2], "0-2"), ([0, 1, 2, 4], "0-2,4"), ([7, 6, 3, 1, 2], "1-3,6-7"),
])
def test_format_indexes(indexes: list[int], text: str) -> None:
    assert format_indexes(indexes) == text
