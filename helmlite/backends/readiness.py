"""Readiness as Helm judges it: kstatus' rules as pure functions over API object dicts.

``resource_readiness(obj, target=…, pods=…, now=…)`` returns a ``Readiness(status, message)``.
The status follows the rules Helm v4's waiter applies (``cli-utils/pkg/kstatus/status``:
``generic.go`` + ``core.go``, with Helm's ``internal/statusreaders`` for Jobs and hook Pods):

- every kind: ``metadata.deletionTimestamp`` → Terminating; ``status.observedGeneration``
  present and ≠ ``metadata.generation`` → InProgress; a ``Reconciling=True`` condition →
  InProgress, ``Stalled=True`` → Failed;
- Deployment, ReplicaSet, StatefulSet, DaemonSet, Pod, PVC, Service, Job, CRD: ``core.go``'s
  rules (below, per function); ConfigMap, Secret, CronJob, PodDisruptionBudget and every
  other kind: Current.

One deliberate difference: a ``LoadBalancer`` Service waits for its load-balancer address
(``status.loadBalancer.ingress`` or ``spec.externalIPs``), as Helm 3's ``--wait`` did and as
users expect, where kstatus only requires a cluster IP.

The message says what blocks in words a user can act on, and for workloads names the first
blocking pod and why (``0/3 ready, pod web-7d4b9c8f5-x2k9q: ImagePullBackOff``): ``pods`` are
the workload's pods, which the caller looks up (this module never reads a cluster).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from helmlite.backends.base import ReadyStatus, WaitTarget

__all__ = [
    "SCHEDULE_WINDOW_SECONDS",
    "Readiness",
    "resource_readiness",
    "pod_blocker",
    "deployment_readiness",
    "replicaset_readiness",
    "statefulset_readiness",
    "daemonset_readiness",
    "job_readiness",
    "pod_readiness",
    "pvc_readiness",
    "service_readiness",
    "crd_readiness",
]

# kstatus gives a pod this long to be scheduled before calling it Unschedulable (Failed).
SCHEDULE_WINDOW_SECONDS = 15.0
# Waiting reasons that only mean "starting": a pod stuck in one is reported as not ready,
# while any other waiting reason (ImagePullBackOff, CrashLoopBackOff, …) is a real problem.
_STARTING_REASONS = frozenset({"ContainerCreating", "PodInitializing"})

Obj = Mapping[str, Any]

_CURRENT = ReadyStatus.CURRENT
_IN_PROGRESS = ReadyStatus.IN_PROGRESS
_FAILED = ReadyStatus.FAILED


class Readiness(NamedTuple):
    """A kstatus status and the message saying why."""

    status: ReadyStatus
    message: str


# --- field access ----------------------------------------------------------------------------


def _section(obj: Obj, key: str) -> Mapping[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def _int(section: Mapping[str, Any], key: str, default: int) -> int:
    value = section.get(key)
    # bool is an int in Python; an API object never means True as 1.
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _conditions(obj: Obj) -> list[Mapping[str, Any]]:
    found = _section(obj, "status").get("conditions")
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


def _condition(obj: Obj, type_: str) -> Mapping[str, Any] | None:
    for cond in _conditions(obj):
        if cond.get("type") == type_:
            return cond
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


# --- pods: the blocker in a workload's message -----------------------------------------------


def _pod_ready(pod: Obj) -> bool:
    cond = _condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def _pod_problem(pod: Obj) -> tuple[int, str]:
    """Why a pod is not ready, and how telling that is (0: a real problem, 1: starting, 2: vague)."""
    status = _section(pod, "status")
    phase = status.get("phase") or "Pending"
    for key in ("initContainerStatuses", "containerStatuses"):
        for cs in status.get(key) or []:
            if not isinstance(cs, Mapping):
                continue
            state = _section(cs, "state")
            if isinstance(state.get("waiting"), Mapping):
                waiting = _section(state, "waiting")
                reason = str(waiting.get("reason") or "Waiting")
                if reason in _STARTING_REASONS:
                    return 1, reason
                if reason == "CrashLoopBackOff":
                    return 0, reason + _crash_detail(cs)
                return 0, reason
            terminated = _section(state, "terminated")
            if _int(terminated, "exitCode", 0) != 0:
                reason = str(terminated.get("reason") or "Error")
                return 0, f"{reason} (exit code {_int(terminated, 'exitCode', 0)})"
    scheduled = _condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        reason = str(scheduled.get("reason") or "Unschedulable")
        message = str(scheduled.get("message") or "")
        return 0, f"{reason}: {message}" if message else reason
    if phase == "Failed":
        return 0, "Failed" + (f": {status['reason']}" if status.get("reason") else "")
    if phase == "Running":
        return 2, "running, not ready"
    return 2, str(phase)


def _crash_detail(cs: Mapping[str, Any]) -> str:
    restarts = _int(cs, "restartCount", 0)
    last = _section(cs, "lastState")
    parts = [f"restarted {_plural(restarts, 'time')}"]
    if isinstance(last.get("terminated"), Mapping):
        terminated = _section(last, "terminated")
        parts.append(f"last exit code {_int(terminated, 'exitCode', 0)}")
    return f" ({', '.join(parts)})"


def pod_blocker(pods: Sequence[Obj]) -> str:
    """``pod NAME: WHY`` for the pod that best explains why a workload is not ready, or ``""``.

    Pods being deleted and ready pods are skipped; among the rest a pod with a real problem
    (ImagePullBackOff, CrashLoopBackOff, Unschedulable, a failed container) beats one that is
    only starting, and ties go to the first name.
    """
    best: tuple[int, str, str] | None = None
    for pod in pods:
        meta = _section(pod, "metadata")
        if meta.get("deletionTimestamp") or _pod_ready(pod):
            continue
        if _section(pod, "status").get("phase") == "Succeeded":
            continue
        rank, why = _pod_problem(pod)
        candidate = (rank, str(meta.get("name", "")), why)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return f"pod {best[1]}: {best[2]}" if best is not None else ""


def _with_blocker(message: str, pods: Sequence[Obj]) -> str:
    blocker = pod_blocker(pods)
    return f"{message}, {blocker}" if blocker else message


# --- generic rules ---------------------------------------------------------------------------


def _generic(obj: Obj) -> Readiness | None:
    """``checkGenericProperties``: deletion, unobserved generation, Reconciling/Stalled."""
    meta = _section(obj, "metadata")
    if meta.get("deletionTimestamp"):
        return Readiness(ReadyStatus.TERMINATING, "being deleted")
    generation = meta.get("generation")
    observed = _section(obj, "status").get("observedGeneration")
    if isinstance(generation, int) and isinstance(observed, int) and observed != generation:
        message = f"generation {generation} not yet observed by its controller (observed {observed})"
        return Readiness(_IN_PROGRESS, message)
    for cond in _conditions(obj):
        if cond.get("status") != "True":
            continue
        if cond.get("type") == "Reconciling":
            return Readiness(_IN_PROGRESS, str(cond.get("message") or "reconciling"))
        if cond.get("type") == "Stalled":
            return Readiness(_FAILED, str(cond.get("message") or "stalled"))
    return None


# --- per kind (core.go) ----------------------------------------------------------------------


def deployment_readiness(obj: Obj, pods: Sequence[Obj] = ()) -> Readiness:
    """``deploymentConditions``: Failed once the progress deadline passed; Current when every
    replica is updated, available and ready, none is left over, and the controller reports
    Progressing (``NewReplicaSetAvailable``, unless no deadline is set) and Available."""
    spec, status = _section(obj, "spec"), _section(obj, "status")
    # No progressDeadlineSeconds: the controller never writes Progressing (kstatus' MaxInt32 case).
    progressing = _int(spec, "progressDeadlineSeconds", 2**31 - 1) == 2**31 - 1
    available = False
    for cond in _conditions(obj):
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                detail = str(cond.get("message") or "")
                message = "progress deadline exceeded" + (f": {detail}" if detail else "")
                return Readiness(_FAILED, _with_blocker(message, pods))
            if cond.get("status") == "True" and cond.get("reason") == "NewReplicaSetAvailable":
                progressing = True
        elif cond.get("type") == "Available" and cond.get("status") == "True":
            available = True
    want = _int(spec, "replicas", 1)
    have = _int(status, "replicas", 0)
    updated = _int(status, "updatedReplicas", 0)
    ready = _int(status, "readyReplicas", 0)
    avail = _int(status, "availableReplicas", 0)
    if want > have:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{ready}/{want} ready", pods))
    if want > updated:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{updated}/{want} updated", pods))
    if have > want:
        return Readiness(_IN_PROGRESS, f"{_plural(have - want, 'old replica')} pending termination")
    if updated > avail or want > ready:
        if ready < want:
            return Readiness(_IN_PROGRESS, _with_blocker(f"{ready}/{want} ready", pods))
        return Readiness(_IN_PROGRESS, _with_blocker(f"{avail}/{updated} available", pods))
    if not progressing:
        return Readiness(_IN_PROGRESS, "new ReplicaSet not yet available")
    if not available:
        return Readiness(_IN_PROGRESS, "Deployment does not have minimum availability")
    return Readiness(_CURRENT, f"{ready}/{want} ready")


def replicaset_readiness(obj: Obj, pods: Sequence[Obj] = ()) -> Readiness:
    """``replicasetConditions``: no ReplicaFailure; every replica labelled, available and ready; no extras."""
    cond = _condition(obj, "ReplicaFailure")
    if cond is not None and cond.get("status") == "True":
        detail = str(cond.get("message") or cond.get("reason") or "")
        return Readiness(_IN_PROGRESS, "replica failure" + (f": {detail}" if detail else ""))
    spec, status = _section(obj, "spec"), _section(obj, "status")
    want = _int(spec, "replicas", 1)
    have = _int(status, "replicas", 0)
    labelled = _int(status, "fullyLabeledReplicas", 0)
    ready = _int(status, "readyReplicas", 0)
    avail = _int(status, "availableReplicas", 0)
    if want > labelled:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{labelled}/{want} labelled", pods))
    if want > avail or want > ready:
        if ready < want:
            return Readiness(_IN_PROGRESS, _with_blocker(f"{ready}/{want} ready", pods))
        return Readiness(_IN_PROGRESS, _with_blocker(f"{avail}/{want} available", pods))
    if have > want:
        return Readiness(_IN_PROGRESS, f"{_plural(have - want, 'replica')} pending termination")
    return Readiness(_CURRENT, f"{ready}/{want} ready")


def statefulset_readiness(obj: Obj, pods: Sequence[Obj] = ()) -> Readiness:
    """``stsConditions``: OnDelete is always Current; otherwise every replica exists and is ready,
    none is left over, and the rollout is done — ``updatedReplicas ≥ replicas − partition`` when
    a partition is set (the API server defaults it to 0), else every pod current and
    ``currentRevision == updateRevision``."""
    spec, status = _section(obj, "spec"), _section(obj, "status")
    strategy = _section(spec, "updateStrategy")
    if strategy.get("type") == "OnDelete":
        return Readiness(_CURRENT, "updated by the user (OnDelete strategy)")
    want = _int(spec, "replicas", 1)
    have = _int(status, "replicas", 0)
    ready = _int(status, "readyReplicas", 0)
    current = _int(status, "currentReplicas", 0)
    updated = _int(status, "updatedReplicas", 0)
    partition = _int(_section(strategy, "rollingUpdate"), "partition", -1)
    if want > have or want > ready:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{ready}/{want} ready", pods))
    if have > want:
        return Readiness(_IN_PROGRESS, f"{_plural(have - want, 'pod')} pending termination")
    if partition != -1:
        if updated < want - partition:
            return Readiness(_IN_PROGRESS, f"{updated}/{want - partition} updated (partition {partition})")
        return Readiness(_CURRENT, f"{ready}/{want} ready")
    if want > current:
        return Readiness(_IN_PROGRESS, f"{current}/{want} at the current revision")
    if status.get("currentRevision", "") != status.get("updateRevision", ""):
        return Readiness(_IN_PROGRESS, f"rolling out revision {status.get('updateRevision', '')}")
    return Readiness(_CURRENT, f"{ready}/{want} ready")


def daemonset_readiness(obj: Obj, pods: Sequence[Obj] = ()) -> Readiness:
    """``daemonsetConditions``: the controller has reported (generation observed), and every
    node that should run a pod has a current, updated, available and ready one."""
    if "generation" not in _section(obj, "metadata") or "observedGeneration" not in _section(obj, "status"):
        return Readiness(_IN_PROGRESS, "not yet observed by its controller")
    status = _section(obj, "status")
    desired = _int(status, "desiredNumberScheduled", -1)
    if desired == -1:
        return Readiness(_IN_PROGRESS, "not yet observed by its controller")
    scheduled = _int(status, "currentNumberScheduled", 0)
    updated = _int(status, "updatedNumberScheduled", 0)
    avail = _int(status, "numberAvailable", 0)
    ready = _int(status, "numberReady", 0)
    if desired > scheduled:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{scheduled}/{desired} scheduled", pods))
    if desired > updated:
        return Readiness(_IN_PROGRESS, _with_blocker(f"{updated}/{desired} updated", pods))
    if desired > avail or desired > ready:
        if ready < desired:
            return Readiness(_IN_PROGRESS, _with_blocker(f"{ready}/{desired} ready", pods))
        return Readiness(_IN_PROGRESS, _with_blocker(f"{avail}/{desired} available", pods))
    return Readiness(_CURRENT, f"{ready}/{desired} ready")


def job_readiness(obj: Obj, pods: Sequence[Obj] = (), *, require_complete: bool = False) -> Readiness:
    """``jobConditions``: Failed on a ``Failed`` condition, Current once ``Complete`` (or
    suspended); otherwise Current once started — unless ``require_complete`` (Helm's custom
    reader for ``--wait-for-jobs`` and hooks), where a running Job is InProgress."""
    spec, status = _section(obj, "spec"), _section(obj, "status")
    completions = _int(spec, "completions", _int(spec, "parallelism", 1))
    succeeded = _int(status, "succeeded", 0)
    for cond in _conditions(obj):
        if cond.get("status") != "True":
            continue
        if cond.get("type") == "Complete":
            return Readiness(_CURRENT, f"complete ({succeeded}/{completions} succeeded)")
        if cond.get("type") == "Failed":
            why = ": ".join(str(cond[k]) for k in ("reason", "message") if cond.get(k))
            return Readiness(_FAILED, _with_blocker("failed" + (f": {why}" if why else ""), pods))
        if cond.get("type") == "Suspended" and not require_complete:
            return Readiness(_CURRENT, "suspended")
    progress = f"{succeeded}/{completions} succeeded"
    if require_complete:
        return Readiness(_IN_PROGRESS, _with_blocker(f"not complete: {progress}", pods))
    if not status.get("startTime"):
        return Readiness(_IN_PROGRESS, "not started")
    return Readiness(_CURRENT, f"running: {progress}")


def pod_readiness(obj: Obj, *, now: float | None = None, require_completion: bool = False) -> Readiness:
    """``podConditions``: Current when Succeeded, when Failed (it has completed) or Running and
    Ready; Failed when a container is in CrashLoopBackOff or the pod stays unschedulable past
    ``SCHEDULE_WINDOW_SECONDS`` after creation (``now``: epoch seconds; None = long past).

    ``require_completion`` is Helm's hook reader: only Succeeded is Current, Failed is Failed.
    """
    status = _section(obj, "status")
    phase = status.get("phase") or ""
    if require_completion:
        if phase == "Succeeded":
            return Readiness(_CURRENT, "succeeded")
        if phase == "Failed":
            return Readiness(_FAILED, f"failed: {_pod_problem(obj)[1]}")
        return Readiness(_IN_PROGRESS, f"not complete: {_pod_problem(obj)[1]}")
    if phase == "Succeeded":
        return Readiness(_CURRENT, "succeeded")
    if phase == "Failed":
        return Readiness(_CURRENT, "completed, but not successfully")
    if phase == "Running":
        if _pod_ready(obj):
            return Readiness(_CURRENT, "ready")
        crashing = [
            str(cs.get("name", ""))
            for cs in status.get("containerStatuses") or []
            if isinstance(cs, Mapping)
            and ((cs.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"
        ]
        return Readiness(_FAILED if crashing else _IN_PROGRESS, _pod_problem(obj)[1])
    if phase == "Pending":
        cond = _condition(obj, "PodScheduled")
        if cond is not None and cond.get("status") == "False" and cond.get("reason") == "Unschedulable":
            created = _parse_time(_section(obj, "metadata").get("creationTimestamp"))
            if now is not None and created is not None and now - created < SCHEDULE_WINDOW_SECONDS:
                return Readiness(_IN_PROGRESS, "not yet scheduled")
            return Readiness(_FAILED, _pod_problem(obj)[1])
        return Readiness(_IN_PROGRESS, _pod_problem(obj)[1])
    return Readiness(_IN_PROGRESS, "not yet observed by its kubelet")


def pvc_readiness(obj: Obj) -> Readiness:
    """``pvcConditions``: Current once Bound."""
    phase = _section(obj, "status").get("phase") or "unknown"
    if phase != "Bound":
        return Readiness(_IN_PROGRESS, f"not Bound (phase {phase})")
    return Readiness(_CURRENT, "Bound")


def service_readiness(obj: Obj) -> Readiness:
    """``serviceConditions`` plus the load-balancer address (see the module docstring)."""
    spec = _section(obj, "spec")
    if spec.get("type") == "LoadBalancer":
        if not spec.get("clusterIP"):
            return Readiness(_IN_PROGRESS, "no cluster IP assigned yet")
        ingress = _section(_section(obj, "status"), "loadBalancer").get("ingress")
        if not ingress and not spec.get("externalIPs"):
            return Readiness(_IN_PROGRESS, "waiting for a load balancer address")
    return Readiness(_CURRENT, "ready")


def crd_readiness(obj: Obj) -> Readiness:
    """``crdConditions``: Failed when names are not accepted or establishing failed; Current once Established."""
    for cond in _conditions(obj):
        reason, message = str(cond.get("reason") or ""), str(cond.get("message") or "")
        if cond.get("type") == "NamesAccepted" and cond.get("status") == "False":
            return Readiness(_FAILED, f"names not accepted: {message or reason}")
        if cond.get("type") == "Established":
            if cond.get("status") == "False" and reason != "Installing":
                return Readiness(_FAILED, f"not established: {message or reason}")
            if cond.get("status") == "True":
                return Readiness(_CURRENT, "established")
    return Readiness(_IN_PROGRESS, "not yet established")


# --- dispatch --------------------------------------------------------------------------------


def _group(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion", ""))
    return api_version.rpartition("/")[0]


def resource_readiness(
    obj: Obj, *, target: WaitTarget = WaitTarget.READY, pods: Sequence[Obj] = (), now: float | None = None
) -> Readiness:
    """The readiness of one API object for ``target`` (see ``WaitTarget``).

    ``pods`` are the workload's pods (Deployment: its ReplicaSets' pods), used only to name the
    blocker in the message; ``now`` is the cluster's time in epoch seconds (for the pod
    scheduling window).
    """
    kind, group = str(obj.get("kind", "")), _group(obj)
    if target is WaitTarget.HOOKS:
        # WatchUntilReady: only Jobs and Pods are watched, without the generic checks.
        if (group, kind) == ("batch", "Job"):
            return job_readiness(obj, pods, require_complete=True)
        if (group, kind) == ("", "Pod"):
            return pod_readiness(obj, require_completion=True)
        return Readiness(_CURRENT, "current")
    if target is WaitTarget.JOBS and (group, kind) == ("batch", "Job"):
        return job_readiness(obj, pods, require_complete=True)
    generic = _generic(obj)
    if generic is not None:
        return generic
    if (group, kind) in (("apps", "Deployment"), ("extensions", "Deployment")):
        return deployment_readiness(obj, pods)
    if (group, kind) in (("apps", "ReplicaSet"), ("extensions", "ReplicaSet")):
        return replicaset_readiness(obj, pods)
    if (group, kind) == ("apps", "StatefulSet"):
        return statefulset_readiness(obj, pods)
    if (group, kind) in (("apps", "DaemonSet"), ("extensions", "DaemonSet")):
        return daemonset_readiness(obj, pods)
    if (group, kind) == ("batch", "Job"):
        return job_readiness(obj, pods)
    if (group, kind) == ("", "Pod"):
        return pod_readiness(obj, now=now)
    if (group, kind) == ("", "PersistentVolumeClaim"):
        return pvc_readiness(obj)
    if (group, kind) == ("", "Service"):
        return service_readiness(obj)
    if (group, kind) == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        return crd_readiness(obj)
    return Readiness(_CURRENT, "current")
