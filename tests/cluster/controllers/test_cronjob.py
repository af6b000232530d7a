"""The CronJob controller: schedules, concurrency policies, deadlines, history, on virtual time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from helmlite.cluster import Cluster, InvalidError
from helmlite.cluster.clock import EPOCH, parse_time
from helmlite.cluster.controllers.cronjob import (
    SCHEDULED_TIMESTAMP_ANNOTATION,
    CronJobController,
    job_name_for,
    parse_schedule,
)
from helmlite.cluster.controllers.job import JobController

from .pod_driver import PodDriver

MINUTE = 60
EPOCH_MINUTES = int(EPOCH // 60)  # 2026-01-01T00:00:00Z in minutes since the epoch: 29453760


def cronjob(name: str = "hello", schedule: str = "*/1 * * * *", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "hello", "image": "busybox:1.28",
                                "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]}]}}}}}}


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.in_memory(controllers=[JobController(), CronJobController()])


@pytest.fixture
def kubelet(cluster: Cluster) -> PodDriver:
    return PodDriver(cluster)


def jobs(cluster: Cluster) -> list[str]:
    return sorted(j["metadata"]["name"] for j in cluster.store.peek_all("batch", "Job", "default"))


def cj_status(cluster: Cluster, name: str = "hello") -> dict[str, Any]:
    return cluster.store.peek("batch", "CronJob", "default", name).get("status") or {}


def cj_events(cluster: Cluster) -> list[tuple[str, str, str]]:
    out = [e for e in cluster.store.list("v1", "Event", namespace="default") if e["involvedObject"]["kind"] == "CronJob"]
    out.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["resourceVersion"]))
    return [(e["firstTimestamp"][11:19], e["reason"], e["message"]) for e in out]


def at(cluster: Cluster, clock: str) -> None:
    """Advance virtual time to ``hh:mm:ss`` on 2026-01-01 (the cluster's first day)."""
    h, m, sec = (int(x) for x in clock.split(":"))
    cluster.advance(EPOCH + h * 3600 + m * 60 + sec - cluster.clock.now)


def finish_running_jobs(cluster: Cluster, kubelet: PodDriver, *, exit_code: int = 0) -> None:
    for pod in kubelet.pods():
        if pod["status"].get("phase") not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
            kubelet.finish(pod, exit_code=exit_code)
    cluster.reconcile()


def test_every_minute_for_ten_virtual_minutes(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(cronjob())
    cluster.reconcile()
    assert jobs(cluster) == []
    cluster.advance(15)
    for _ in range(10):
        cluster.advance(MINUTE - 5)  # hh:mm:10: each minute's Job starts its pod ...
        for pod in kubelet.pods():
            if pod["status"].get("phase") == "Pending":
                kubelet.run(pod)
        cluster.advance(5)
        finish_running_jobs(cluster, kubelet)  # ... which completes at hh:mm:15
    # Ten Jobs were created, one per minute, named after their minute; three are kept.
    created = [m for _t, r, m in cj_events(cluster) if r == "SuccessfulCreate"]
    assert created == [f"Created job hello-{EPOCH_MINUTES + i}" for i in range(1, 11)]
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + i}" for i in (8, 9, 10)]
    deleted = [m for _t, r, m in cj_events(cluster) if r == "SuccessfulDelete"]
    assert deleted == [f"Deleted job hello-{EPOCH_MINUTES + i}" for i in range(1, 8)]
    assert cj_events(cluster)[:3] == [
        ("00:01:00", "SuccessfulCreate", f"Created job hello-{EPOCH_MINUTES + 1}"),
        ("00:01:15", "SawCompletedJob", f"Saw completed job: hello-{EPOCH_MINUTES + 1}, condition: Complete"),
        ("00:02:00", "SuccessfulCreate", f"Created job hello-{EPOCH_MINUTES + 2}"),
    ]
    assert cj_status(cluster) == {"lastScheduleTime": "2026-01-01T00:10:00Z",
                                  "lastSuccessfulTime": "2026-01-01T00:10:15Z"}
    # The controller sleeps until the next minute instead of polling.
    timers = [(at, key) for at, key in cluster.clock.pending() if key.startswith("cronjob-controller|")]
    assert timers == [(EPOCH + 11 * MINUTE + 0.1, "cronjob-controller|default/hello")]


def test_job_created_from_the_template_with_owner_and_scheduled_timestamp(cluster: Cluster) -> None:
    spec = cronjob()
    spec["spec"]["jobTemplate"]["metadata"] = {"labels": {"app": "hello"}, "annotations": {"note": "x"}}
    created = cluster.store.create(spec)
    at(cluster, "00:01:01")
    job = cluster.store.peek("batch", "Job", "default", f"hello-{EPOCH_MINUTES + 1}")
    meta = job["metadata"]
    assert meta["labels"] == {"app": "hello"}
    assert meta["annotations"] == {"note": "x", SCHEDULED_TIMESTAMP_ANNOTATION: "2026-01-01T00:01:00Z"}
    assert meta["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello",
                                        "uid": created["metadata"]["uid"], "controller": True,
                                        "blockOwnerDeletion": True}]
    assert meta["creationTimestamp"] == "2026-01-01T00:01:00Z"
    (ref,) = cj_status(cluster)["active"]
    assert {k: ref[k] for k in ("apiVersion", "kind", "name", "namespace", "uid")} == {
        "apiVersion": "batch/v1", "kind": "Job", "name": meta["name"], "namespace": "default", "uid": meta["uid"]}


def test_time_zone(cluster: Cluster) -> None:
    cluster.store.create(cronjob("report", "0 9 * * *", timeZone="America/New_York"))
    at(cluster, "13:59:59")
    assert jobs(cluster) == []
    at(cluster, "14:00:01")
    name = f"report-{EPOCH_MINUTES + 14 * 60}"  # 09:00 EST is 14:00 UTC
    assert jobs(cluster) == [name]
    job = cluster.store.peek("batch", "Job", "default", name)
    assert job["metadata"]["annotations"][SCHEDULED_TIMESTAMP_ANNOTATION] == "2026-01-01T09:00:00-05:00"


def test_forbid_skips_while_a_job_runs_then_starts_the_missed_run(cluster: Cluster, kubelet: PodDriver) -> None:
    cluster.store.create(cronjob(concurrencyPolicy="Forbid"))
    at(cluster, "00:01:01")
    assert len(jobs(cluster)) == 1
    at(cluster, "00:02:01")
    assert len(jobs(cluster)) == 1
    assert cj_events(cluster)[-1] == ("00:02:00", "JobAlreadyActive",
                                      "Not starting job because prior execution is running and concurrency policy is Forbid")
    at(cluster, "00:02:30")
    finish_running_jobs(cluster, kubelet)
    # Without startingDeadlineSeconds the skipped 00:02 run starts as soon as the first ends.
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + 1}", f"hello-{EPOCH_MINUTES + 2}"]


def test_replace_deletes_the_running_job(cluster: Cluster) -> None:
    cluster.store.create(cronjob(concurrencyPolicy="Replace"))
    at(cluster, "00:02:01")
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + 2}"]
    assert [r for _t, r, _m in cj_events(cluster)] == ["SuccessfulCreate", "SuccessfulDelete", "SuccessfulCreate"]
    assert [ref["name"] for ref in cj_status(cluster)["active"]] == [f"hello-{EPOCH_MINUTES + 2}"]


def test_allow_runs_jobs_concurrently(cluster: Cluster) -> None:
    cluster.store.create(cronjob())
    at(cluster, "00:03:01")
    assert len(jobs(cluster)) == 3 and len(cj_status(cluster)["active"]) == 3


def test_suspend_stops_new_jobs(cluster: Cluster) -> None:
    cluster.store.create(cronjob(suspend=True))
    at(cluster, "00:05:01")
    assert jobs(cluster) == []
    assert not [key for _at, key in cluster.clock.pending() if key.startswith("cronjob-controller|")]


def test_missed_runs_start_only_the_latest(cluster: Cluster) -> None:
    cluster.store.create(cronjob(suspend=True))
    at(cluster, "00:10:30")
    cluster.store.patch("batch/v1", "CronJob", "hello", {"spec": {"suspend": False}}, namespace="default")
    cluster.reconcile()
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + 10}"]


def test_starting_deadline_skips_runs_that_are_too_late(cluster: Cluster) -> None:
    cluster.store.create(cronjob("late", "*/5 * * * *", suspend=True, startingDeadlineSeconds=60))
    at(cluster, "00:06:30")  # the 00:05 run is now 90 s late
    cluster.store.patch("batch/v1", "CronJob", "late", {"spec": {"suspend": False}}, namespace="default")
    cluster.reconcile()
    assert jobs(cluster) == []
    at(cluster, "00:10:01")
    assert jobs(cluster) == [f"late-{EPOCH_MINUTES + 10}"]


def test_too_many_missed_start_times_warns_and_runs_the_latest(cluster: Cluster) -> None:
    cluster.store.create(cronjob(suspend=True))
    at(cluster, "03:00:00")
    cluster.store.patch("batch/v1", "CronJob", "hello", {"spec": {"suspend": False}}, namespace="default")
    cluster.reconcile()
    assert ("03:00:00", "TooManyMissedTimes", ("too many missed start times. Set or decrease "
            ".spec.startingDeadlineSeconds or check clock skew")) in cj_events(cluster)
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + 180}"]


def test_failed_jobs_history_limit(cluster: Cluster, kubelet: PodDriver) -> None:
    spec = cronjob(failedJobsHistoryLimit=1)
    spec["spec"]["jobTemplate"]["spec"]["backoffLimit"] = 0
    cluster.store.create(spec)
    for minute in range(1, 4):
        at(cluster, f"00:0{minute}:01")
        for pod in kubelet.pods():
            if pod["status"].get("phase") == "Pending":
                kubelet.run(pod, restarts=1)  # a container restart exceeds backoffLimit 0
        cluster.reconcile()
        kubelet.finish_deletions()
    assert jobs(cluster) == [f"hello-{EPOCH_MINUTES + 3}"]
    seen = [m for _t, r, m in cj_events(cluster) if r == "SawCompletedJob"]
    assert seen == [f"Saw completed job: hello-{EPOCH_MINUTES + i}, condition: Failed" for i in (1, 2, 3)]
    assert "lastSuccessfulTime" not in cj_status(cluster)


def test_changing_the_schedule_moves_the_wakeup(cluster: Cluster) -> None:
    cluster.store.create(cronjob("nightly", "0 0 * * *"))
    cluster.reconcile()
    cluster.store.patch("batch/v1", "CronJob", "nightly", {"spec": {"schedule": "*/10 * * * *"}}, namespace="default")
    cluster.reconcile()
    assert jobs(cluster) == []
    at(cluster, "00:10:01")
    assert jobs(cluster) == [f"nightly-{EPOCH_MINUTES + 10}"]


def test_missing_active_job_is_dropped(cluster: Cluster) -> None:
    cluster.store.create(cronjob(concurrencyPolicy="Forbid"))
    at(cluster, "00:01:01")
    (name,) = jobs(cluster)
    cluster.store.delete("batch/v1", "Job", name, namespace="default", propagation_policy="Background")
    cluster.reconcile()
    assert "active" not in cj_status(cluster)
    assert cj_events(cluster)[-1] == ("00:01:01", "MissingJob", f"Active job went missing: {name}")


def _next(schedule: str, at: str, tz: str | None = None) -> str:
    t = datetime.fromisoformat(at).replace(tzinfo=UTC).timestamp()
    return datetime.fromtimestamp(parse_schedule(schedule, tz).next(t), UTC).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(("schedule", "after", "expected"), [
    ("*/1 * * * *", "2026-01-01 00:00:00", "2026-01-01 00:01:00"),
    ("*/1 * * * *", "2026-01-01 00:00:30", "2026-01-01 00:01:00"),
    ("@hourly", "2026-01-01 00:00:00", "2026-01-01 01:00:00"),
    ("@daily", "2026-01-01 12:00:00", "2026-01-02 00:00:00"),
    ("@midnight", "2026-01-01 12:00:00", "2026-01-02 00:00:00"),
    ("@weekly", "2026-01-01 00:00:00", "2026-01-04 00:00:00"),  # Sunday
    ("@monthly", "2026-01-15 00:00:00", "2026-02-01 00:00:00"),
    ("@yearly", "2026-01-01 00:00:00", "2027-01-01 00:00:00"),
    ("@annually", "2026-01-01 00:00:00", "2027-01-01 00:00:00"),
    ("@every 90s", "2026-01-01 00:00:00", "2026-01-01 00:01:30"),
    ("@every 1h30m", "2026-01-01 00:00:00", "2026-01-01 01:30:00"),
    ("0 0 * * ?", "2026-01-01 00:00:00", "2026-01-02 00:00:00"),
    ("30 8 * JAN-MAR MON-FRI", "2026-01-02 09:00:00", "2026-01-05 08:30:00"),
    ("5/15 * * * *", "2026-01-01 00:06:00", "2026-01-01 00:20:00"),
    # dom and dow both restricted: either matches (1st of February or a Monday)
    ("0 0 1 * MON", "2026-01-27 00:00:00", "2026-02-01 00:00:00"),
    # */1 keeps day-of-month unrestricted (robfig's star bit): Mondays only
    ("0 0 */1 * 1", "2026-01-01 00:00:00", "2026-01-05 00:00:00"),
])
def test_schedule_next(schedule: str, after: str, expected: str) -> None:
    assert _next(schedule, after) == expected


def test_schedule_in_time_zone_across_dst() -> None:
    # 2026-03-08: New York skips 02:00-03:00; 02:30 does not exist that day.
    assert _next("30 2 * * *", "2026-03-08 05:00:00", "America/New_York") == "2026-03-08 07:00:00"
    assert _next("30 2 * * *", "2026-03-08 08:00:00", "America/New_York") == "2026-03-09 06:30:00"


@pytest.mark.parametrize(("schedule", "message"), [
    ("0 0 L * *", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'),
    ("0 0 * * 5L", 'failed to parse int from 5L: strconv.Atoi: parsing "5L": invalid syntax'),
    ("0 0 15W * *", 'failed to parse int from 15W: strconv.Atoi: parsing "15W": invalid syntax'),
    ("0 0 * * 1#2", 'failed to parse int from 1#2: strconv.Atoi: parsing "1#2": invalid syntax'),
    ("0 0 0 * * *", "expected exactly 5 fields, found 6: [0 0 0 * * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
])
def test_kubernetes_schedule_syntax_is_enforced(schedule: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_schedule(schedule)
    assert str(raised.value) == message


def test_api_rejects_a_schedule_croniter_would_accept(cluster: Cluster) -> None:
    with pytest.raises(InvalidError, match="spec.schedule"):
        cluster.store.create(cronjob(schedule="0 0 L * *"))


def test_job_name_is_minutes_since_epoch() -> None:
    assert job_name_for("hello", parse_time("2026-01-01T00:01:00Z")) == "hello-29453761"
