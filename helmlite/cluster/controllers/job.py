"""The Job controller and the TTL-after-finished controller (kubernetes-simulation.md §1.5).

``JobController`` follows ``pkg/controller/job/job_controller.go``:

* keeps ``min(parallelism, completions - succeeded)`` pods active (work-queue Jobs without
  ``completions`` stop creating pods once one succeeded); pods are ``<job>-<5 chars>``, or
  ``<job>-<index>-<5 chars>`` with the completion index in a label, an annotation, the
  ``JOB_COMPLETION_INDEX`` variable and the hostname for ``completionMode: Indexed``;
* every pod carries the ``batch.kubernetes.io/job-tracking`` finalizer: a finished (or
  deleted) pod that still has it has not been counted yet, so the controller adds it to
  ``status.succeeded``/``failed`` and then removes the finalizer — counts survive pods being
  deleted, as with the real job tracking. A deleted pod that had not succeeded counts as
  failed (``podReplacementPolicy: TerminatingOrFailed``);
* replacement pods after failures wait 10 s, 20 s, 40 s … (``DEFAULT_POD_FAILURE_BACKOFF``
  doubling per failure since the last success, capped at ``MAX_POD_FAILURE_BACKOFF`` — 10
  minutes in the code; the documentation still says six). The failure history is read from
  the Job's pods, so it survives the simulator reloading the cluster;
* ``backoffLimit`` (failed pods, plus container restarts for ``restartPolicy: OnFailure``) and
  ``activeDeadlineSeconds`` fail the Job: ``FailureTarget`` at once, active pods deleted, then
  ``Failed`` once no pod is terminating (reasons ``BackoffLimitExceeded``/``DeadlineExceeded``,
  a Warning event with the same reason and message);
* success adds ``SuccessCriteriaMet`` then ``Complete`` (reason ``CompletionsReached``), sets
  ``completionTime`` and records ``Completed``/``Job completed``;
* ``suspend`` deletes active pods (``Suspended``/``JobSuspended``); resuming resets
  ``startTime`` (``JobResumed``);
* a pod whose Job is gone (orphaned or garbage-collected) loses the finalizer.

Not modelled: ``podFailurePolicy``, ``successPolicy``, ``backoffLimitPerIndex``/``maxFailedIndexes``,
adoption of orphan pods matching a manual selector, ``managedBy``.

``TTLAfterFinishedController`` deletes a finished Job (foreground, so its pods go first)
``ttlSecondsAfterFinished`` after its ``Complete``/``Failed`` condition.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import (
    KindController,
    controller_ref,
    object_key,
    split_key,
)
from helmlite.cluster.errors import ApiError, ConflictError, NotFoundError
from helmlite.cluster.podutil import is_pod_ready, pod_condition

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "COMPLETION_INDEX_ANNOTATION",
    "DEFAULT_POD_FAILURE_BACKOFF",
    "JOB_TRACKING_FINALIZER",
    "MAX_POD_CREATE_DELETE_PER_SYNC",
    "MAX_POD_FAILURE_BACKOFF",
    "JobController",
    "TTLAfterFinishedController",
    "format_indexes",
    "job_finished_condition",
]

JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
# job_controller.go: DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff, MaxPodCreateDeletePerSync.
DEFAULT_POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0
MAX_POD_CREATE_DELETE_PER_SYNC = 500
# syncJobBatchPeriod: a delayed resync is never sooner than this.
_SYNC_BATCH_PERIOD = 1.0
FIELD_MANAGER = "kube-controller-manager"
_POD = ("", "Pod")
_JOB = ("batch", "Job")
_ORPHAN_PREFIX = "pod:"

_COMPLETIONS_REACHED = ("CompletionsReached", "Reached expected number of succeeded pods")
_BACKOFF_LIMIT = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
_DEADLINE = ("DeadlineExceeded", "Job was active longer than specified deadline")


# --- small helpers -----------------------------------------------------------------------

def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _phase(pod: Mapping[str, Any]) -> str:
    return (pod.get("status") or {}).get("phase", "")


def _has_finalizer(pod: Mapping[str, Any]) -> bool:
    return JOB_TRACKING_FINALIZER in (_meta(pod).get("finalizers") or ())


def _deleting(obj: Mapping[str, Any]) -> bool:
    return bool(_meta(obj).get("deletionTimestamp"))


def _is_failed(pod: Mapping[str, Any]) -> bool:
    """``isPodFailed``: Failed, or deleted before it succeeded (TerminatingOrFailed)."""
    return _phase(pod) == "Failed" or (_deleting(pod) and _phase(pod) != "Succeeded")


def _is_active(pod: Mapping[str, Any]) -> bool:
    return _phase(pod) not in ("Succeeded", "Failed") and not _deleting(pod)


def _condition(job: Mapping[str, Any], condition_type: str) -> Mapping[str, Any] | None:
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") == condition_type and condition.get("status") == "True":
            return condition
    return None


def job_finished_condition(job: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Job's ``Complete`` or ``Failed`` condition with status True, or None if it runs."""
    return _condition(job, "Complete") or _condition(job, "Failed")


def _completion_index(pod: Mapping[str, Any]) -> int | None:
    value = (_meta(pod).get("annotations") or {}).get(COMPLETION_INDEX_ANNOTATION)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def format_indexes(indexes: Iterable[int]) -> str:
    """``status.completedIndexes`` notation: sorted intervals, ``"0-2,4,6-7"``."""
    out: list[str] = []
    run: list[int] = []
    for index in sorted(set(indexes)):
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [index]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


def _parse_indexes(text: str | None) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            out.update(range(int(low), int(high or low) + 1))
        except ValueError:
            continue
    return out


def _finish_time(pod: Mapping[str, Any]) -> float:
    """``getFinishedTime``: containers' finishedAt, else Ready=False, else deletion, else creation."""
    status = pod.get("status") or {}
    finished: list[float] = []
    statuses = status.get("containerStatuses") or []
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated") or {}
        if not terminated.get("finishedAt"):
            finished = []
            break
        finished.append(parse_time(terminated["finishedAt"]))
    if finished:
        return max(finished)
    ready = pod_condition(pod, "Ready")
    if ready is not None and ready.get("status") == "False" and ready.get("lastTransitionTime"):
        return parse_time(ready["lastTransitionTime"])
    meta = _meta(pod)
    if meta.get("deletionTimestamp"):
        return parse_time(meta["deletionTimestamp"]) - (meta.get("deletionGracePeriodSeconds") or 0)
    return parse_time(meta.get("creationTimestamp") or format_time(0))


def _backoff_remaining(pods: list[Mapping[str, Any]], now: float) -> float:
    """Seconds until a replacement pod may be created (``getRemainingTime`` on a record
    rebuilt from the pods: failures since the last success and when the last one happened)."""
    last_success = max((_finish_time(p) for p in pods if _phase(p) == "Succeeded"), default=None)
    failures = sorted(_finish_time(p) for p in pods if _is_failed(p))
    if last_success is not None:
        failures = [t for t in failures if t > last_success]
    if not failures:
        return 0.0
    delay = DEFAULT_POD_FAILURE_BACKOFF
    for _ in range(1, len(failures)):
        delay *= 2
        if delay >= MAX_POD_FAILURE_BACKOFF:
            delay = MAX_POD_FAILURE_BACKOFF
            break
    elapsed = now - failures[-1]
    return 0.0 if delay < elapsed else delay - elapsed


def _removal_order(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """``controller.ActivePods`` order: the pods to delete first sort first."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(status.get("phase", ""), 0)
    ready = is_pod_ready(pod)
    since = (pod_condition(pod, "Ready") or {}).get("lastTransitionTime")
    ready_since = parse_time(since) if ready and since else 0.0
    restarts = sum(cs.get("restartCount", 0) for cs in status.get("containerStatuses") or [])
    created = parse_time(_meta(pod).get("creationTimestamp") or format_time(0))
    return (bool(spec.get("nodeName")), phase_rank, ready, -ready_since, -restarts, -created,
            _meta(pod).get("name", ""))


def _set_condition(conditions: list[dict[str, Any]], condition_type: str, status: str, reason: str,
                   message: str, now: str) -> bool:
    """Add or update a Job condition; returns whether anything changed."""
    for i, condition in enumerate(conditions):
        if condition.get("type") == condition_type:
            if (condition.get("status"), condition.get("reason"), condition.get("message")) == (status, reason, message):
                return False
            updated = {**condition, "status": status, "reason": reason, "message": message, "lastProbeTime": now}
            if condition.get("status") != status:
                updated["lastTransitionTime"] = now
            conditions[i] = updated
            return True
    conditions.append({"type": condition_type, "status": status, "lastProbeTime": now,
                       "lastTransitionTime": now, "reason": reason, "message": message})
    return True


def _remove_tracking_finalizer(cluster: Cluster, pods: Iterable[Mapping[str, Any]]) -> None:
    for pod in pods:
        meta = _meta(pod)
        remaining = [f for f in meta.get("finalizers") or [] if f != JOB_TRACKING_FINALIZER]
        try:
            cluster.store.patch("v1", "Pod", meta["name"], {"metadata": {"finalizers": remaining or None}},
                                namespace=meta.get("namespace", ""), field_manager=FIELD_MANAGER, copy=False)
        except NotFoundError:
            pass


# --- the controller ----------------------------------------------------------------------

class JobController(KindController):
    """Runs a Job's pods to completion. Keys: ``ns/name`` (a Job) and ``pod:ns/name`` (a pod
    whose tracking finalizer must go because its Job is gone)."""

    name = "job-controller"
    kind = _JOB
    owns = (_POD,)

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """A Job's own changes; its pods' changes; pods orphaned with the finalizer still on."""
        if event.kind.group_kind == _JOB:
            keys = [object_key(event.object)]
            if event.type == "DELETED":
                keys.extend(f"{_ORPHAN_PREFIX}{object_key(child)}"
                            for kind, child in cluster.store.children_of(_meta(event.object).get("uid", ""))
                            if kind.group_kind == _POD and _has_finalizer(child))
            return keys
        keys = list(super().keys_for(cluster, event))
        pod = event.object
        if event.type != "DELETED" and _has_finalizer(pod) and self._owner(cluster, pod) is None:
            keys.append(f"{_ORPHAN_PREFIX}{object_key(pod)}")
        return keys

    @staticmethod
    def _owner(cluster: Cluster, pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "Job" or ref.get("apiVersion", "").rpartition("/")[0] != "batch":
            return None
        job = cluster.store.peek("batch", "Job", _meta(pod).get("namespace", ""), ref.get("name", ""))
        return job if job is not None and _meta(job).get("uid") == ref.get("uid") else None

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge one Job (or release one orphaned pod)."""
        if key.startswith(_ORPHAN_PREFIX):
            namespace, name = split_key(key[len(_ORPHAN_PREFIX):])
            pod = cluster.store.peek("", "Pod", namespace, name)
            if pod is not None and _has_finalizer(pod) and self._owner(cluster, pod) is None:
                _remove_tracking_finalizer(cluster, [pod])
            return
        namespace, name = split_key(key)
        job = cluster.store.peek("batch", "Job", namespace, name)
        if job is None:
            return
        uid = _meta(job).get("uid", "")
        pods: list[Mapping[str, Any]] = [p for kind, p in cluster.store.children_of(uid)
                if kind.group_kind == _POD and (controller_ref(p) or {}).get("uid") == uid]
        _JobSync(self, cluster, job, pods).run()



class _JobSync:
    """One pass of ``syncJob`` over a Job and its pods."""

    def __init__(self, controller: JobController, cluster: Cluster, job: Mapping[str, Any],
                 pods: list[Mapping[str, Any]]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.job = job
        self.pods = pods
        self.spec: Mapping[str, Any] = job.get("spec") or {}
        self.status: dict[str, Any] = copy.deepcopy(job.get("status") or {})
        self.conditions: list[dict[str, Any]] = self.status.get("conditions") or []
        self.now = cluster.clock.now
        self.now_text = cluster.clock.now_rfc3339()
        self.indexed = self.spec.get("completionMode") == "Indexed"
        self.completions: int | None = self.spec.get("completions")
        self.requeue: float | None = None
        self.events: list[tuple[str, str, str]] = []
        # Pods counted this pass whose tracking finalizer goes once the status is written.
        self._release: list[Mapping[str, Any]] = []

    # -- entry --

    def run(self) -> None:
        job, spec = self.job, self.spec
        if job_finished_condition(job) is not None:
            # Finished: nothing more to run; any pod still tracked was counted at the finish.
            _remove_tracking_finalizer(self.cluster, [p for p in self.pods if _has_finalizer(p)])
            return
        deleting = _deleting(job)
        self._count_finished(release_all=deleting)
        if deleting:
            self._write()
            return
        suspended = bool(spec.get("suspend"))
        if self.status.get("startTime") is None and not suspended:
            self.status["startTime"] = self.now_text
        finished = self._failure_or_pending_success()
        if finished is None:
            self._handle_suspension(suspended)
            if suspended:
                self._delete_pods(self._active(), count_failed=False)
            else:
                self._manage()
                finished = self._success()
        if finished is not None:
            self._finish(*finished)
        self._write()
        if self.requeue is not None:
            self.cluster.enqueue_after(self.controller.name, object_key(job), max(self.requeue, _SYNC_BATCH_PERIOD))

    # -- pods --

    def _active(self) -> list[Mapping[str, Any]]:
        return [p for p in self.pods if _is_active(p)]

    def _terminating(self) -> int:
        return sum(1 for p in self.pods if _deleting(p) and _phase(p) not in ("Succeeded", "Failed"))

    def _succeeded_indexes(self) -> set[int]:
        return _parse_indexes(self.status.get("completedIndexes"))

    def _count_finished(self, *, release_all: bool = False) -> None:
        """Count pods that finished since the last sync and drop their tracking finalizers."""
        succeeded, failed = self.status.get("succeeded", 0), self.status.get("failed", 0)
        indexes = self._succeeded_indexes()
        release = []
        for pod in self.pods:
            if not _has_finalizer(pod):
                continue
            if _phase(pod) == "Succeeded":
                if self.indexed:
                    index = _completion_index(pod)
                    if index is not None and 0 <= index < (self.completions or 0) and index not in indexes:
                        indexes.add(index)
                        succeeded += 1
                else:
                    succeeded += 1
            elif _is_failed(pod):
                failed += 1
            elif not release_all:
                continue
            release.append(pod)
        self._set_counts(succeeded, failed, indexes)
        self._release.extend(release)

    def _set_counts(self, succeeded: int, failed: int, indexes: set[int]) -> None:
        self.status["succeeded"], self.status["failed"] = succeeded, failed
        if self.indexed:
            self.status["completedIndexes"] = format_indexes(indexes)

    def _delete_pods(self, pods: list[Mapping[str, Any]], *, count_failed: bool) -> int:
        """Delete pods (``SuccessfulDelete`` events).

        ``count_failed`` (a failing Job's leftovers, ``deleteActivePods``): the pods keep the
        tracking finalizer and count as failed now. Otherwise (surplus pods, suspension,
        ``deleteJobPods``) the finalizer goes first, so the deletion is not a failure.
        """
        deleted = 0
        for pod in pods[:MAX_POD_CREATE_DELETE_PER_SYNC]:
            meta = _meta(pod)
            if _has_finalizer(pod) and not count_failed:
                _remove_tracking_finalizer(self.cluster, [pod])
            try:
                self.cluster.store.delete("v1", "Pod", meta["name"], namespace=meta.get("namespace", ""),
                                          propagation_policy="Background", copy=False)
            except NotFoundError:
                continue
            deleted += 1
            self.events.append(("Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}"))
            if _has_finalizer(pod) and count_failed:
                self.status["failed"] = self.status.get("failed", 0) + 1
                self._release.append(pod)
        if deleted:
            self._refresh_pods()
        return deleted

    def _refresh_pods(self) -> None:
        store = self.cluster.store
        fresh: list[Mapping[str, Any]] = []
        for pod in self.pods:
            meta = _meta(pod)
            current = store.peek("", "Pod", meta.get("namespace", ""), meta.get("name", ""))
            if current is not None and _meta(current).get("uid") == meta.get("uid"):
                fresh.append(current)
        self.pods = fresh

    # -- conditions --

    def _failure_or_pending_success(self) -> tuple[str, str, str] | None:
        """A terminal outcome already decided (FailureTarget / SuccessCriteriaMet) or reached now
        (backoff limit, deadline); ``(condition type, reason, message)``."""
        target = _condition(self.job, "FailureTarget")
        if target is not None:
            return ("Failed", target.get("reason", ""), target.get("message", ""))
        met = _condition(self.job, "SuccessCriteriaMet")
        if met is not None:
            return ("Complete", met.get("reason", ""), met.get("message", ""))
        backoff_limit = self.spec.get("backoffLimit", 6)
        if self.status.get("failed", 0) > backoff_limit or self._past_backoff_limit_on_failure(backoff_limit):
            return ("Failed", *_BACKOFF_LIMIT)
        deadline = self.spec.get("activeDeadlineSeconds")
        start = self.status.get("startTime")
        if deadline is not None and start and not self.spec.get("suspend"):
            remaining = parse_time(start) + deadline - self.now
            if remaining <= 0:
                return ("Failed", *_DEADLINE)
            self.requeue = remaining
        return None

    def _past_backoff_limit_on_failure(self, backoff_limit: int) -> bool:
        template_spec = (self.spec.get("template") or {}).get("spec") or {}
        if template_spec.get("restartPolicy") != "OnFailure":
            return False
        restarts = 0
        for pod in self._active():
            if _phase(pod) in ("Running", "Pending"):
                status = pod.get("status") or {}
                for field_name in ("initContainerStatuses", "containerStatuses"):
                    restarts += sum(cs.get("restartCount", 0) for cs in status.get(field_name) or [])
        return restarts > 0 if backoff_limit == 0 else restarts >= backoff_limit

    def _success(self) -> tuple[str, str, str] | None:
        active = len(self._active())
        succeeded = self.status.get("succeeded", 0)
        if self.indexed:
            complete = len(self._succeeded_indexes()) >= (self.completions or 0)
        elif self.completions is None:
            complete = succeeded > 0 and active == 0
        else:
            complete = succeeded >= self.completions and active == 0
        return ("Complete", *_COMPLETIONS_REACHED) if complete else None

    def _handle_suspension(self, suspended: bool) -> None:
        if suspended:
            if _set_condition(self.conditions, "Suspended", "True", "JobSuspended", "Job suspended", self.now_text):
                self.events.append(("Normal", "Suspended", "Job suspended"))
            return
        was_suspended = any(c.get("type") == "Suspended" for c in self.conditions)
        if was_suspended and _set_condition(self.conditions, "Suspended", "False", "JobResumed", "Job resumed",
                                            self.now_text):
            self.events.append(("Normal", "Resumed", "Job resumed"))
            # ActiveDeadlineSeconds counts continuous activity: resuming restarts the clock.
            self.status["startTime"] = self.now_text

    def _finish(self, condition_type: str, reason: str, message: str) -> None:
        """Interim condition now, active pods deleted; the terminal one once none terminates."""
        interim = "SuccessCriteriaMet" if condition_type == "Complete" else "FailureTarget"
        _set_condition(self.conditions, interim, "True", reason, message, self.now_text)
        self._delete_pods(self._active(), count_failed=condition_type == "Failed")
        if self._terminating() > 0:
            return
        if _set_condition(self.conditions, condition_type, "True", reason, message, self.now_text):
            if condition_type == "Complete":
                self.status["completionTime"] = self.now_text
                self.events.append(("Normal", "Completed", "Job completed"))
            else:
                self.events.append(("Warning", reason, message))
        self.requeue = None

    # -- pod management --

    def _manage(self) -> None:
        """``manageJob``: delete surplus pods or create missing ones (after the failure back-off)."""
        active = self._active()
        parallelism = self.spec.get("parallelism", 1)
        succeeded = self.status.get("succeeded", 0)
        if self.indexed:
            want = max(0, min(parallelism, (self.completions or 0) - len(self._succeeded_indexes())))
        elif self.completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(parallelism, self.completions - succeeded))
        surplus = self._surplus(active, want)
        if surplus:
            self._delete_pods(surplus, count_failed=False)
            return
        if len(active) >= want:
            return
        remaining = _backoff_remaining(self.pods, self.now)
        if remaining > 0:
            self.requeue = remaining if self.requeue is None else min(self.requeue, remaining)
            return
        diff = want - len(active)
        if diff > MAX_POD_CREATE_DELETE_PER_SYNC:
            diff = MAX_POD_CREATE_DELETE_PER_SYNC
            self.requeue = 0.0
        if self.indexed:
            busy = {_completion_index(p) for p in active} | self._succeeded_indexes()
            indexes = [i for i in range(self.completions or 0) if i not in busy][:diff]
            for index in indexes:
                if not self._create_pod(index):
                    break
        else:
            for _ in range(diff):
                if not self._create_pod(None):
                    break

    def _surplus(self, active: list[Mapping[str, Any]], want: int) -> list[Mapping[str, Any]]:
        """``activePodsForRemoval``: out-of-range and duplicate indexes first, then the excess."""
        ordered = sorted(active, key=_removal_order)
        if not self.indexed:
            return ordered[:max(0, len(active) - want)]
        seen: set[int] = set()
        doomed, kept = [], []
        done = self._succeeded_indexes()
        for pod in sorted(active, key=_removal_order, reverse=True):
            index = _completion_index(pod)
            if index is None or not 0 <= index < (self.completions or 0) or index in seen or index in done:
                doomed.append(pod)
            else:
                seen.add(index)
                kept.append(pod)
        excess = len(kept) - want
        if excess > 0:
            doomed.extend(sorted(kept, key=_removal_order)[:excess])
        return doomed

    def _create_pod(self, index: int | None) -> bool:
        job, store = self.job, self.cluster.store
        meta = _meta(job)
        template = copy.deepcopy(self.spec.get("template") or {})
        template_meta = template.get("metadata") or {}
        pod_spec = template.get("spec") or {}
        labels = dict(template_meta.get("labels") or {})
        annotations = dict(template_meta.get("annotations") or {})
        name = meta["name"]
        generate_name = f"{name}-"
        if index is not None:
            annotations[COMPLETION_INDEX_ANNOTATION] = str(index)
            labels[COMPLETION_INDEX_ANNOTATION] = str(index)
            pod_spec["hostname"] = f"{name}-{index}"
            suffix = f"-{index}-"
            generate_name = (name + suffix) if len(name + suffix) <= 58 else name[:58 - len(suffix)] + suffix
            for field_name in ("initContainers", "containers"):
                for container in pod_spec.get(field_name) or []:
                    env = [e for e in container.get("env") or [] if e.get("name") != COMPLETION_INDEX_ENV]
                    env.append({"name": COMPLETION_INDEX_ENV, "valueFrom": {"fieldRef": {
                        "apiVersion": "v1", "fieldPath": f"metadata.annotations['{COMPLETION_INDEX_ANNOTATION}']"}}})
                    container["env"] = env
        pod_meta: dict[str, Any] = {
            "generateName": generate_name,
            "namespace": meta.get("namespace", ""),
            "labels": labels,
            "finalizers": [*(template_meta.get("finalizers") or []), JOB_TRACKING_FINALIZER],
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": meta.get("uid"),
                                 "controller": True, "blockOwnerDeletion": True}],
        }
        if annotations:
            pod_meta["annotations"] = annotations
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": pod_spec}
        try:
            created = store.create(pod, field_manager=FIELD_MANAGER, copy=False)
        except ApiError as err:
            self.events.append(("Warning", "FailedCreate", f"Error creating: {err}"))
            self.requeue = DEFAULT_POD_FAILURE_BACKOFF
            return False
        self.events.append(("Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}"))
        self.pods.append(created)
        return True

    # -- status --

    def _write(self) -> None:
        job = self.job
        active = self._active()
        status = self.status
        new: dict[str, Any] = {}
        if self.conditions:
            new["conditions"] = self.conditions
        for field_name in ("startTime", "completionTime"):
            if status.get(field_name):
                new[field_name] = status[field_name]
        for field_name, value in (("active", len(active)), ("succeeded", status.get("succeeded", 0)),
                                  ("failed", status.get("failed", 0))):
            if value:
                new[field_name] = value
        new["terminating"] = self._terminating()
        if self.indexed and status.get("completedIndexes"):
            new["completedIndexes"] = status["completedIndexes"]
        new["uncountedTerminatedPods"] = {}
        new["ready"] = sum(1 for p in active if is_pod_ready(p))
        meta = _meta(job)
        if new != (job.get("status") or {}):
            try:
                self.cluster.store.update_status(
                    {"apiVersion": "batch/v1", "kind": "Job",
                     "metadata": {"name": meta["name"], "namespace": meta.get("namespace", "")}, "status": new},
                    field_manager=FIELD_MANAGER, copy=False)
            except NotFoundError:
                return
        # Counted in the status first, then released: a pod never loses its finalizer uncounted.
        _remove_tracking_finalizer(self.cluster, self._release)
        for event_type, reason, message in self.events:
            self.cluster.events.record(job, event_type, reason, message, component=self.controller.name)


# --- TTL after finished ------------------------------------------------------------------

class TTLAfterFinishedController(KindController):
    """Deletes finished Jobs ``ttlSecondsAfterFinished`` after they finished (``pkg/controller/ttlafterfinished``)."""

    name = "ttl-after-finished-controller"
    kind = _JOB

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Finished Jobs with a TTL."""
        job = event.object
        if event.type == "DELETED" or (job.get("spec") or {}).get("ttlSecondsAfterFinished") is None:
            return ()
        return (object_key(job),) if job_finished_condition(job) is not None else ()

    def sync(self, cluster: Cluster, key: str) -> None:
        """Delete the Job once its TTL expired, else wake up when it will."""
        namespace, name = split_key(key)
        job = cluster.store.peek("batch", "Job", namespace, name)
        if job is None or _deleting(job):
            return
        ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
        finished = job_finished_condition(job)
        if ttl is None or finished is None or not finished.get("lastTransitionTime"):
            return
        expires = parse_time(finished["lastTransitionTime"]) + ttl
        if cluster.clock.now < expires:
            cluster.enqueue_after(self.name, key, expires - cluster.clock.now)
            return
        try:
            cluster.store.delete("batch/v1", "Job", name, namespace=namespace, propagation_policy="Foreground",
                                 preconditions={"uid": _meta(job).get("uid", "")}, copy=False)
        except (NotFoundError, ConflictError):
            pass
