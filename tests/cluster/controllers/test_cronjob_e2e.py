"""CronJobs on a default cluster: the real scheduler and kubelet model run the Jobs' pods."""

from __future__ import annotations

import pytest

from helmlite.cluster import Cluster
from helmlite.cluster.clock import EPOCH
from helmlite.cluster.controllers import default_controllers

NS = "default"
_NAMES = {c.name for c in default_controllers()}
pytestmark = pytest.mark.skipif(
    "default-scheduler" not in _NAMES or not any("kubelet" in n for n in _NAMES),
    reason="the scheduler and kubelet models are not registered in default_controllers() yet")


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory()


def job_conditions(cluster: Cluster, name: str) -> dict[str, str]:
    job = cluster.store.peek("batch", "Job", NS, name)
    return {c["type"]: c["reason"] for c in (job or {}).get("status", {}).get("conditions", []) if c["status"] == "True"}


def test_hello_cronjob_every_minute_for_ten_minutes(cluster: Cluster) -> None:
    cluster.store.create({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello"},
                          "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                              "restartPolicy": "OnFailure", "containers": [{
                                  "name": "hello", "image": "busybox:1.28",
                                  "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]}]}}}}}})
    cluster.advance(10 * 60 + 30)
    minutes = int(EPOCH // 60)
    jobs = sorted(cluster.store.peek_all("batch", "Job", NS), key=lambda j: j["metadata"]["name"])
    assert [j["metadata"]["name"] for j in jobs] == [f"hello-{minutes + i}" for i in (8, 9, 10)]
    assert all("Complete" in job_conditions(cluster, j["metadata"]["name"]) for j in jobs)
    # The pods of the pruned Jobs went with them.
    owners = {p["metadata"]["labels"]["batch.kubernetes.io/job-name"] for p in cluster.store.peek_all("", "Pod", NS)}
    assert owners == {j["metadata"]["name"] for j in jobs}
    status = cluster.store.peek("batch", "CronJob", NS, "hello")["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:10:00Z" and "active" not in status
