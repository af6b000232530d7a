"""The CronJob controller (``pkg/controller/cronjob/cronjob_controllerv2.go``, ``utils.go``;
kubernetes-simulation.md §1.6).

Schedules are robfig/cron's standard syntax: five fields, names, ranges, steps, lists, ``?``,
``@yearly``/``@annually``/``@monthly``/``@weekly``/``@daily``/``@midnight``/``@hourly`` and
``@every <duration>``; ``L``, ``W``, ``#`` and a seconds field are refused (the API server's
validation gives robfig's messages; ``parse_schedule`` re-checks with the same function).
croniter computes the times, evaluated in ``spec.timeZone`` (UTC by default) with
``zoneinfo``. When both day-of-month and day-of-week are restricted a day matches either
(robfig's rule); ``*``, ``?`` and ``*/1`` count as unrestricted.

Each sync works as the real controller does: reconcile the ``active`` list with the Jobs it
owns (``SawCompletedJob``, ``MissingJob``, ``UnexpectedJob``), prune finished Jobs beyond
``successfulJobsHistoryLimit``/``failedJobsHistoryLimit`` (oldest start first,
``SuccessfulDelete``), then run only the most recent unmet schedule time — skipped if it is
older than ``startingDeadlineSeconds`` (``MissSchedule``), with a ``TooManyMissedTimes``
warning past 100 missed times — under ``concurrencyPolicy`` Allow/Forbid (``JobAlreadyActive``)
/Replace (active Jobs deleted). Jobs are named ``<cronjob>-<scheduled time in minutes since
the epoch>``. The controller then sleeps until the next schedule time (+100 ms) on the virtual
clock: nothing polls.
"""

from __future__ import annotations

import copy
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from croniter import croniter  # type: ignore[import-untyped]

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import (
    KindController,
    controller_ref,
    object_key,
    split_key,
)
from helmlite.cluster.controllers.job import job_finished_condition
from helmlite.cluster.errors import AlreadyExistsError, ApiError, NotFoundError
from helmlite.cluster.validation import cron_schedule_error

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "MAX_MISSED_SCHEDULES",
    "NEXT_SCHEDULE_DELTA",
    "SCHEDULED_TIMESTAMP_ANNOTATION",
    "CronJobController",
    "CronSchedule",
    "job_name_for",
    "parse_schedule",
]

SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
# utils.go: more missed start times than this is "many" (a TooManyMissedTimes warning).
MAX_MISSED_SCHEDULES = 100
# cronjob_controllerv2.go nextScheduleDelta: wake a little after the schedule time.
NEXT_SCHEDULE_DELTA = 0.1
FIELD_MANAGER = "kube-controller-manager"
_JOB = ("batch", "Job")
_CRONJOB = ("batch", "CronJob")
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_UNRESTRICTED = ("*", "?", "*/1", "?/1")
_GO_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class CronSchedule:
    """A parsed schedule: ``next(t)`` is the first activation strictly after ``t`` (seconds
    since the epoch), as robfig's ``Schedule.Next``."""

    expression: str  # five croniter fields, or "" for @every
    every: float  # seconds, for @every
    zone: zoneinfo.ZoneInfo | None

    def next(self, t: float) -> float:
        """The first activation after ``t``."""
        start = math.floor(t)
        if self.every:
            return start + self.every
        tz = self.zone or UTC
        return float(croniter(self.expression, datetime.fromtimestamp(start, tz)).get_next(datetime).timestamp())


def _go_duration(text: str) -> float:
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text):
        total += float(number) * _GO_DURATION_UNITS[unit]
    return total


def parse_schedule(schedule: str, time_zone: str | None = None) -> CronSchedule:
    """Parse a CronJob schedule with Kubernetes' rules (robfig/cron ``ParseStandard``).

    Raises:
        ValueError: the schedule or the time zone is invalid; the message is robfig's or Go's.
    """
    error = cron_schedule_error(schedule)
    if error:
        raise ValueError(error)
    zone = None
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        prefix, _, text = text.partition(" ")
        time_zone, text = prefix.split("=", 1)[1], text.strip()
    if time_zone:
        try:
            zone = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {time_zone}") from None
    if text.startswith("@every"):
        # robfig: durations under a second become one second; sub-second parts are dropped.
        return CronSchedule("", float(max(1, math.floor(_go_duration(text[6:].strip())))), zone)
    fields = _DESCRIPTORS.get(text, text).split()
    for i in (2, 4):  # robfig: a restricted day-of-month and day-of-week are ORed
        if fields[i] in _UNRESTRICTED:
            fields[i] = "*"
    fields = [f.replace("?", "*") for f in fields]
    return CronSchedule(" ".join(fields), 0.0, zone)


def job_name_for(cronjob_name: str, scheduled: float) -> str:
    """``getJobName``: ``<cronjob>-<scheduled time in minutes since the epoch>``."""
    return f"{cronjob_name}-{int(scheduled // 60)}"


def _rfc1123z(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _most_recent(earliest: float, now: float, schedule: CronSchedule) -> tuple[float | None, int]:
    """``mostRecentScheduleTime`` from ``earliest``: the latest activation not after ``now``
    (None if none) and the estimated number of missed activations (0 while at most one is due;
    more than ``MAX_MISSED_SCHEDULES`` is "many").

    Raises:
        ValueError: two activations less than a second apart (an impossible date, e.g. Feb 31).
    """
    t1 = schedule.next(earliest)
    t2 = schedule.next(t1)
    if now < t1:
        return None, 0
    if now < t2:
        return t1, 0
    between = round(t2 - t1)
    if between < 1:
        raise ValueError("time difference between two schedules is less than 1 second")
    missed = int((now - t1) // between) + 1
    potential = t1 + (missed - 2) * between
    most_recent = None
    t = schedule.next(potential)
    while t <= now:
        most_recent = t
        t = schedule.next(t)
    return most_recent, missed


def _job_ref(job: Mapping[str, Any]) -> dict[str, Any]:
    meta = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": meta["name"], "namespace": meta.get("namespace", ""),
            "uid": meta.get("uid", ""), "resourceVersion": meta.get("resourceVersion", "")}


def _start_order(job: Mapping[str, Any]) -> tuple[Any, ...]:
    """``byJobStartTime``: Jobs without a start time last, ties by name."""
    start = (job.get("status") or {}).get("startTime")
    return (start is None, parse_time(start) if start else 0.0, job["metadata"]["name"])


class CronJobController(KindController):
    """Creates Jobs on a schedule. Keys: ``ns/name`` of a CronJob."""

    name = "cronjob-controller"
    kind = _CRONJOB
    owns = (_JOB,)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Owned Jobs wake their CronJob; a CronJob wakes itself, except that a changed schedule
        or time zone only moves the wakeup to the new next time (``updateCronJob``)."""
        if event.kind.group_kind == _CRONJOB and event.type == "MODIFIED" and event.old is not None:
            new_spec, old_spec = event.object.get("spec") or {}, event.old.get("spec") or {}
            if (new_spec.get("schedule"), new_spec.get("timeZone")) != (old_spec.get("schedule"), old_spec.get("timeZone")):
                key = object_key(event.object)
                try:
                    schedule = parse_schedule(new_spec.get("schedule", ""), new_spec.get("timeZone"))
                except ValueError:
                    cluster.events.record(event.object, "Warning", "UnParseableCronJobSchedule",
                                          f"unparseable schedule for cronjob: {new_spec.get('schedule', '')}",
                                          component=self.name)
                    return ()
                delay = _next_wakeup(event.object, cluster.clock.now, schedule)
                cluster.enqueue_after(self.name, key, delay)
                return ()
        return super().keys_for(cluster, event)

    def sync(self, cluster: Cluster, key: str) -> None:
        """Reconcile the CronJob's Jobs and start the due one, then sleep until the next time."""
        namespace, name = split_key(key)
        cronjob = cluster.store.peek("batch", "CronJob", namespace, name)
        if cronjob is None:
            return
        uid = cronjob["metadata"].get("uid")
        jobs: list[Mapping[str, Any]] = [j for kind, j in cluster.store.children_of(uid)
                if kind.group_kind == _JOB and (controller_ref(j) or {}).get("uid") == uid]
        run = _CronJobSync(self, cluster, cronjob, jobs)
        run.cleanup_finished_jobs()
        delay = run.sync()
        run.write()
        if delay is not None:
            cluster.enqueue_after(self.name, key, delay)


def _next_wakeup(cronjob: Mapping[str, Any], now: float, schedule: CronSchedule) -> float:
    """``nextScheduleTimeDuration``: seconds until just after the next schedule time."""
    earliest = _earliest(cronjob)
    try:
        most_recent, missed = _most_recent(earliest, now, schedule)
    except ValueError:
        most_recent, missed = now, 0
    if most_recent is None:
        most_recent = earliest if missed == 0 else now
    return schedule.next(most_recent) + NEXT_SCHEDULE_DELTA - now


def _earliest(cronjob: Mapping[str, Any]) -> float:
    last = (cronjob.get("status") or {}).get("lastScheduleTime")
    return parse_time(last or cronjob["metadata"]["creationTimestamp"])


class _CronJobSync:
    """One ``sync`` of a CronJob, accumulating the status to write once."""

    def __init__(self, controller: CronJobController, cluster: Cluster, cronjob: Mapping[str, Any],
                 jobs: list[Mapping[str, Any]]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.original = cronjob
        self.cronjob = copy.deepcopy(dict(cronjob))
        self.status: dict[str, Any] = self.cronjob.setdefault("status", {})
        self.spec: Mapping[str, Any] = cronjob.get("spec") or {}
        self.jobs = jobs
        self.now = cluster.clock.now

    def _event(self, event_type: str, reason: str, message: str) -> None:
        self.cluster.events.record(self.original, event_type, reason, message, component=self.controller.name)

    def _active(self) -> list[dict[str, Any]]:
        return self.status.setdefault("active", [])

    def _drop_active(self, uid: str) -> None:
        self.status["active"] = [ref for ref in self._active() if ref.get("uid") != uid]

    def _delete_job(self, job: Mapping[str, Any]) -> bool:
        meta = job["metadata"]
        try:
            self.cluster.store.delete("batch/v1", "Job", meta["name"], namespace=meta.get("namespace", ""),
                                      propagation_policy="Background", copy=False)
        except NotFoundError:
            pass
        except ApiError as err:
            self._event("Warning", "FailedDelete", f"Deleted job: {err}")
            return False
        self._drop_active(meta.get("uid", ""))
        self._event("Normal", "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True

    # -- history --

    def cleanup_finished_jobs(self) -> None:
        """Delete the oldest finished Jobs beyond the history limits."""
        succeeded: list[Mapping[str, Any]] = []
        failed: list[Mapping[str, Any]] = []
        for job in self.jobs:
            finished = job_finished_condition(job)
            if finished is not None:
                (succeeded if finished["type"] == "Complete" else failed).append(job)
        for jobs, limit in ((succeeded, self.spec.get("successfulJobsHistoryLimit")),
                            (failed, self.spec.get("failedJobsHistoryLimit"))):
            if limit is None or len(jobs) <= limit:
                continue
            for job in sorted(jobs, key=_start_order)[:len(jobs) - limit]:
                self._delete_job(job)

    # -- schedule --

    def sync(self) -> float | None:
        """``syncCronJob``; returns the delay until the next wakeup, or None to stay asleep."""
        children = set()
        active_uids = {ref.get("uid") for ref in self._active()}
        for job in self.jobs:
            meta = job["metadata"]
            children.add(meta.get("uid"))
            finished = job_finished_condition(job)
            if meta.get("uid") not in active_uids and finished is None:
                self._event("Warning", "UnexpectedJob",
                            f"Saw a job that the controller did not create or forgot: {meta['name']}")
            elif finished is not None:
                if meta.get("uid") in active_uids:
                    self._drop_active(meta.get("uid", ""))
                    self._event("Normal", "SawCompletedJob",
                                f"Saw completed job: {meta['name']}, condition: {finished['type']}")
                completion = (job.get("status") or {}).get("completionTime")
                if finished["type"] == "Complete" and completion:
                    last = self.status.get("lastSuccessfulTime")
                    if last is None or parse_time(completion) > parse_time(last):
                        self.status["lastSuccessfulTime"] = completion
        for ref in list(self._active()):
            if ref.get("uid") not in children:
                self._event("Normal", "MissingJob", f"Active job went missing: {ref.get('name', '')}")
                self._drop_active(ref.get("uid", ""))
        if self.original["metadata"].get("deletionTimestamp") or self.spec.get("suspend"):
            return None
        try:
            schedule = parse_schedule(self.spec.get("schedule", ""), self.spec.get("timeZone"))
        except ValueError as err:
            self._event("Warning", "UnparseableSchedule", f'unparseable schedule: "{self.spec.get("schedule", "")}" : {err}')
            return None
        deadline = self.spec.get("startingDeadlineSeconds")
        earliest = _earliest(self.cronjob)
        if deadline is not None:
            earliest = max(earliest, self.now - deadline)
        try:
            scheduled, missed = _most_recent(earliest, self.now, schedule)
        except ValueError as err:
            self._event("Warning", "InvalidSchedule", f"invalid schedule: {self.spec.get('schedule', '')} : {err}")
            return None
        if scheduled is None:
            return _next_wakeup(self.cronjob, self.now, schedule)
        if missed > MAX_MISSED_SCHEDULES:
            self._event("Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease "
                        ".spec.startingDeadlineSeconds or check clock skew")
        if deadline is not None and scheduled + deadline < self.now:
            self._event("Warning", "MissSchedule", f"Missed scheduled time to start a job: {_rfc1123z(scheduled)}")
            return _next_wakeup(self.cronjob, self.now, schedule)
        name = job_name_for(self.original["metadata"]["name"], scheduled)
        last = self.status.get("lastScheduleTime")
        if any(ref.get("name") == name for ref in self._active()) or (last and parse_time(last) == scheduled):
            return _next_wakeup(self.cronjob, self.now, schedule)
        policy = self.spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and self._active():
            self._event("Normal", "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency policy is Forbid")
            return _next_wakeup(self.cronjob, self.now, schedule)
        if policy == "Replace":
            for ref in list(self._active()):
                active_job = self.cluster.store.peek("batch", "Job", ref.get("namespace", ""), ref.get("name", ""))
                if active_job is None:
                    self._event("Warning", "FailedGet", f'Get job: jobs.batch "{ref.get("name", "")}" not found')
                    return None
                self._delete_job(active_job)
        created = self._create_job(name, scheduled)
        if created is None:
            return None
        if not any(ref.get("uid") == created["metadata"].get("uid") for ref in self._active()):
            self._active().append(_job_ref(created))
        self.status["lastScheduleTime"] = format_time(scheduled)
        return _next_wakeup(self.cronjob, self.now, schedule)

    def _create_job(self, name: str, scheduled: float) -> Mapping[str, Any] | None:
        """``getJobFromTemplate2`` + create; an existing Job of ours with that name is adopted."""
        cronjob = self.original
        meta = cronjob["metadata"]
        template = self.spec.get("jobTemplate") or {}
        template_meta = template.get("metadata") or {}
        annotations = dict(template_meta.get("annotations") or {})
        zone = zoneinfo.ZoneInfo(self.spec["timeZone"]) if self.spec.get("timeZone") else UTC
        annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = datetime.fromtimestamp(scheduled, zone).isoformat() \
            .replace("+00:00", "Z")
        job_meta: dict[str, Any] = {
            "name": name,
            "namespace": meta.get("namespace", ""),
            "annotations": annotations,
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": meta["name"],
                                 "uid": meta.get("uid"), "controller": True, "blockOwnerDeletion": True}],
        }
        if template_meta.get("labels"):
            job_meta["labels"] = dict(template_meta["labels"])
        job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta,
               "spec": copy.deepcopy(template.get("spec") or {})}
        try:
            created = self.cluster.store.create(job, field_manager=FIELD_MANAGER, copy=False)
        except AlreadyExistsError:
            existing = self.cluster.store.peek("batch", "Job", meta.get("namespace", ""), name)
            if existing is None or (controller_ref(existing) or {}).get("uid") != meta.get("uid"):
                return None
            return existing
        except ApiError as err:
            self._event("Warning", "FailedCreate", f"Error creating job: {err}")
            return None
        self._event("Normal", "SuccessfulCreate", f"Created job {name}")
        return created

    def write(self) -> None:
        """Update the status if it changed (empty ``active`` is omitted, as Go's omitempty does)."""
        if not self.status.get("active"):
            self.status.pop("active", None)
        if self.status == (self.original.get("status") or {}):
            return
        meta = self.original["metadata"]
        try:
            self.cluster.store.update_status(
                {"apiVersion": "batch/v1", "kind": "CronJob",
                 "metadata": {"name": meta["name"], "namespace": meta.get("namespace", "")}, "status": self.status},
                field_manager=FIELD_MANAGER, copy=False)
        except NotFoundError:
            pass
