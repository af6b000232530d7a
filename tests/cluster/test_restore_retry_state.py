"""Retry back-offs and orphan adoption give the same state whether or not the cluster is reopened.

Regressions for the last in-memory state found after ``test_restore_determinism.py``: the work
queue's per-item failure back-off, the DaemonSet controller's failed-pod back-off, and the
order in which ``history.claim`` adopts orphans. Each test runs its steps on an in-memory
cluster and on a twin reopened from its file for every step (``run_twins``), which asserts
identical state digests after every step, then checks the observable outcome itself.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from helmlite.cluster import Cluster

from .test_invariants import MANAGER, NS, apply, daemonset_manifest
from .test_restore_determinism import run_twins


def _occurrences(cluster: Cluster, reason: str) -> int:
    """How many times events of ``reason`` were recorded (counting repeats folded into one)."""
    return sum(e.get("count", 1) for e in cluster.store.peek_all("", "Event", NS) if e["reason"] == reason)


def test_a_failing_sync_keeps_backing_off_after_a_reopen(tmp_path: Path) -> None:
    """A ReplicaSet whose pods are refused (no such PriorityClass) retries after client-go's
    per-item back-off, 5 ms doubling; a later command continues the doubling instead of
    starting again at 5 ms, so the number of refused creates does not depend on how the time
    was split into commands."""
    replicaset = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "refused", "namespace": NS},
                  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "refused"}},
                           "template": {"metadata": {"labels": {"app": "refused"}},
                                        "spec": {"priorityClassName": "missing",
                                                 "containers": [{"name": "app", "image": "nginx:1.25"}]}}}}
    memory, twin = run_twins(tmp_path, [
        lambda c: c.store.create(copy.deepcopy(replicaset), field_manager=MANAGER),
        lambda c: c.advance(10),
        lambda c: c.advance(10),
        lambda c: c.advance(10),
    ])
    # 5 ms · (2^n − 1) ≤ 30 s: the first try and 12 retries
    assert _occurrences(memory, "FailedCreate") == twin.read(lambda c: _occurrences(c, "FailedCreate")) == 13


def _fail_daemon_pod_on(node: str) -> Any:
    """Mark the DaemonSet ``ds1``'s live pod on ``node`` Failed, as the kubelet would."""
    def fail(cluster: Cluster) -> None:
        for pod in cluster.store.peek_all("", "Pod", NS):
            if (pod["metadata"]["name"].startswith("ds1-") and pod["spec"].get("nodeName") == node
                    and not pod["metadata"].get("deletionTimestamp")
                    and (pod.get("status") or {}).get("phase") != "Failed"):
                status = {**pod["status"], "phase": "Failed"}
                cluster.store.update_status({**copy.deepcopy(pod), "status": status}, field_manager="kubelet")
    return fail


def test_a_daemon_pods_failure_back_off_survives_a_reopen(tmp_path: Path) -> None:
    """The DaemonSet controller kills a failed daemon pod at most once per back-off (1 s
    doubling) per node: a pod failing again within the doubled back-off, in a later command,
    is left alone until the back-off ends, as it is when everything runs in one process."""
    memory, twin = run_twins(tmp_path, [
        lambda c: apply(c, daemonset_manifest("ds1", "nginx:1.25")),
        lambda c: c.advance(30),
        _fail_daemon_pod_on("node-1"),  # killed at once; back-off 1 s
        lambda c: c.advance(30),
        _fail_daemon_pod_on("node-1"),  # 30 s later: killed at once; back-off 2 s
        lambda c: c.advance(1),
        _fail_daemon_pod_on("node-1"),  # 1 s later: within the back-off, left alone
    ])
    assert _occurrences(memory, "FailedDaemonPod") == twin.read(lambda c: _occurrences(c, "FailedDaemonPod")) == 2


def _orphan(name: str, node: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS, "labels": {"app": "ds1"}},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.25"}]}}


def test_orphans_are_adopted_in_name_order(tmp_path: Path) -> None:
    """A DaemonSet adopts the orphans its selector matches in name order, whatever the store's
    iteration order (creation order in a live store, storage order in a restored one). With
    ``OnDelete`` the adopted pods are kept as they are, so their resourceVersions show the order."""
    on_delete = daemonset_manifest("ds1", "nginx:1.25")
    on_delete["spec"]["updateStrategy"] = {"type": "OnDelete"}
    memory, twin = run_twins(tmp_path, [
        lambda c: c.store.create(_orphan("zz", "node-1"), field_manager=MANAGER),
        lambda c: c.store.create(_orphan("aa", "node-2"), field_manager=MANAGER),
        lambda c: c.advance(30),
        lambda c: apply(c, copy.deepcopy(on_delete)),
    ])

    def adoption_order(cluster: Cluster) -> list[str]:
        adopted = sorted((int(p["metadata"]["resourceVersion"]), p["metadata"]["name"])
                         for p in cluster.store.peek_all("", "Pod", NS) if p["metadata"].get("ownerReferences"))
        return [name for _rv, name in adopted if name in ("aa", "zz")]
    assert adoption_order(memory) == twin.read(adoption_order) == ["aa", "zz"]
