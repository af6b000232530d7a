"""Jobs on a default cluster: the real scheduler and kubelet model run the pods."""

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


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory()


def pi_job(**spec: Any) -> dict[str, Any]:
    """The seeds' Job: compute pi to 2000 places."""
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
            "spec": {**spec, "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "pi", "image": "perl:5.34.0", "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]}]}}}}


def job_conditions(cluster: Cluster, name: str) -> dict[str, str]:
    job = cluster.store.peek("batch", "Job", NS, name)
    return {c["type"]: c["reason"] for c in (job or {}).get("status", {}).get("conditions", []) if c["status"] == "True"}


def running(cluster: Cluster) -> int:
    return sum(1 for p in cluster.store.peek_all("", "Pod", NS) if p["status"].get("phase") not in ("Succeeded", "Failed"))


def test_completions_5_parallelism_2(cluster: Cluster) -> None:
    cluster.store.create(pi_job(completions=5, parallelism=2))
    most = [0]

    def complete() -> bool:
        most[0] = max(most[0], running(cluster))
        return "Complete" in job_conditions(cluster, "pi")

    assert cluster.run_until(complete, timeout=600)
    assert most[0] == 2
    status = cluster.store.peek("batch", "Job", NS, "pi")["status"]
    assert status["succeeded"] == 5 and "failed" not in status
    pods = list(cluster.store.peek_all("", "Pod", NS))
    assert len(pods) == 5 and all(p["status"]["phase"] == "Succeeded" for p in pods)
    assert all(not p["metadata"].get("finalizers") for p in pods)


def test_a_failing_command_exhausts_the_back_off_limit(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "broken"},
                          "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
                              {"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "exit 3"]}]}}}})
    assert cluster.run_until(lambda: "Failed" in job_conditions(cluster, "broken"), timeout=600)
    assert job_conditions(cluster, "broken")["Failed"] == "BackoffLimitExceeded"
    assert cluster.store.peek("batch", "Job", NS, "broken")["status"]["failed"] == 3
    created = sorted(p["metadata"]["creationTimestamp"] for p in cluster.store.peek_all("", "Pod", NS))
    assert len(created) == 3


def test_ttl_after_finished(cluster: Cluster) -> None:
    cluster.store.create(pi_job(ttlSecondsAfterFinished=30))
    assert cluster.run_until(lambda: "Complete" in job_conditions(cluster, "pi"), timeout=600)
    assert cluster.run_until(lambda: cluster.store.peek("batch", "Job", NS, "pi") is None, timeout=31)
    assert cluster.run_until(lambda: not list(cluster.store.peek_all("", "Pod", NS)), timeout=60)
