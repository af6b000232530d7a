"""kstatus' readiness rules, one table per kind, over hand-built object dicts."""

from __future__ import annotations

from typing import Any

import pytest

from helmlite.backends import (
    ReadyStatus,
    ResourceRef,
    ResourceStatus,
    WaitResult,
    WaitTarget,
)
from helmlite.backends.readiness import pod_blocker, resource_readiness
from helmlite.cluster.clock import parse_time

CURRENT, IN_PROGRESS, FAILED = ReadyStatus.CURRENT, ReadyStatus.IN_PROGRESS, ReadyStatus.FAILED
TERMINATING = ReadyStatus.TERMINATING
CREATED = "2026-01-01T00:00:00Z"


def obj(api_version: str, kind: str, spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None,
        *, generation: int | None = None, **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": meta.pop("name", "web"), "namespace": "default",
                                "creationTimestamp": CREATED, **meta}
    if generation is not None:
        metadata["generation"] = generation
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        out["spec"] = spec
    if status is not None:
        out["status"] = status
    return out


def cond(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason, "message": message}


def pod(name: str, phase: str = "Running", *, ready: bool = False, waiting: str = "", scheduled: str = "True",
        unschedulable: str = "", restarts: int = 0, last_exit: int | None = None,
        terminated: tuple[str, int] | None = None, deleting: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {"running": {}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": "long detail"}}
    if terminated:
        state = {"terminated": {"reason": terminated[0], "exitCode": terminated[1]}}
    container: dict[str, Any] = {"name": "app", "state": state, "ready": ready, "restartCount": restarts,
                                 "lastState": {}}
    if last_exit is not None:
        container["lastState"] = {"terminated": {"exitCode": last_exit, "reason": "Error"}}
    conditions = [cond("Ready", "True" if ready else "False"), cond("PodScheduled", scheduled,
                                                                    "Unschedulable" if scheduled == "False" else "",
                                                                    unschedulable)]
    extra: dict[str, Any] = {"deletionTimestamp": CREATED} if deleting else {}
    return obj("v1", "Pod", {}, {"phase": phase, "conditions": conditions, "containerStatuses": [container]},
               name=name, **extra)


def deployment(status: dict[str, Any], *, replicas: int = 3, generation: int = 1, deadline: bool = True,
               **meta: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas}
    if deadline:
        spec["progressDeadlineSeconds"] = 600
    return obj("apps/v1", "Deployment", spec, {"observedGeneration": generation, **status},
               generation=generation, **meta)


ROLLED_OUT = [cond("Progressing", "True", "NewReplicaSetAvailable"),
              cond("Available", "True", "MinimumReplicasAvailable")]
FULL = {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}


@pytest.mark.parametrize(
    ("status", "deadline", "expected", "message"),
    [
        ({**FULL, "conditions": ROLLED_OUT}, True, CURRENT, "3/3 ready"),
        ({"replicas": 3, "updatedReplicas": 3, "conditions": [cond("Progressing", "True", "ReplicaSetUpdated")]},
         True, IN_PROGRESS, "0/3 ready"),
        ({"replicas": 1, "conditions": []}, True, IN_PROGRESS, "0/3 ready"),
        ({"replicas": 3, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3}, True, IN_PROGRESS,
         "1/3 updated"),
        ({**FULL, "replicas": 4}, True, IN_PROGRESS, "1 old replica pending termination"),
        ({**FULL, "availableReplicas": 2}, True, IN_PROGRESS, "2/3 available"),
        # the counts are right but the controller has not said NewReplicaSetAvailable yet
        ({**FULL, "conditions": [cond("Progressing", "True", "ReplicaSetUpdated"), cond("Available", "True")]},
         True, IN_PROGRESS, "new ReplicaSet not yet available"),
        # no progress deadline: no Progressing condition is ever written, so only Available counts
        ({**FULL, "conditions": [cond("Available", "True")]}, False, CURRENT, "3/3 ready"),
        ({**FULL, "conditions": [cond("Progressing", "True", "NewReplicaSetAvailable"), cond("Available", "False")]},
         True, IN_PROGRESS, "Deployment does not have minimum availability"),
        ({"replicas": 3, "updatedReplicas": 3, "conditions": [
            cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "web-1" has timed out progressing.')]},
         True, FAILED, 'progress deadline exceeded: ReplicaSet "web-1" has timed out progressing.'),
    ],
)
def test_deployment(status: dict[str, Any], deadline: bool, expected: ReadyStatus, message: str) -> None:
    assert tuple(resource_readiness(deployment(status, deadline=deadline))) == (expected, message)


def test_deployment_names_the_blocking_pod_and_its_waiting_reason() -> None:
    pods = [pod("web-7d4b9c8f5-a", ready=True), pod("web-7d4b9c8f5-x2k9q", "Pending", waiting="ImagePullBackOff"),
            pod("web-7d4b9c8f5-b", "Pending", waiting="ContainerCreating")]
    got = resource_readiness(deployment({"replicas": 3, "updatedReplicas": 3, "readyReplicas": 1}), pods=pods)
    assert got == (IN_PROGRESS, "1/3 ready, pod web-7d4b9c8f5-x2k9q: ImagePullBackOff")
    failed = deployment({"conditions": [cond("Progressing", "False", "ProgressDeadlineExceeded")]})
    assert resource_readiness(failed, pods=pods) == (
        FAILED, "progress deadline exceeded, pod web-7d4b9c8f5-x2k9q: ImagePullBackOff")


def test_unobserved_generation_is_in_progress_whatever_the_counts() -> None:
    stale = deployment({**FULL, "observedGeneration": 1, "conditions": ROLLED_OUT}, generation=2)
    stale["status"]["observedGeneration"] = 1
    assert resource_readiness(stale) == (IN_PROGRESS, "generation 2 not yet observed by its controller (observed 1)")


def test_generic_rules_come_first() -> None:
    deleting = deployment({**FULL, "conditions": ROLLED_OUT}, deletionTimestamp=CREATED)
    assert resource_readiness(deleting).status is TERMINATING
    custom = obj("example.com/v1", "Widget", {}, {"conditions": [cond("Stalled", "True", "Broken", "bad config")]})
    assert tuple(resource_readiness(custom)) == (FAILED, "bad config")
    custom["status"]["conditions"] = [cond("Reconciling", "True", "Working", "still going")]
    assert tuple(resource_readiness(custom)) == (IN_PROGRESS, "still going")


@pytest.mark.parametrize(
    ("spec", "status", "expected", "message"),
    [
        ({"replicas": 3}, {"replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3,
                           "currentRevision": "web-1", "updateRevision": "web-1"}, CURRENT, "3/3 ready"),
        ({"replicas": 3}, {"replicas": 2, "readyReplicas": 2}, IN_PROGRESS, "2/3 ready"),
        ({"replicas": 2}, {"replicas": 3, "readyReplicas": 3}, IN_PROGRESS, "1 pod pending termination"),
        ({"replicas": 3}, {"replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 1,
                           "currentRevision": "web-1", "updateRevision": "web-2"}, IN_PROGRESS,
         "rolling out revision web-2"),
        ({"replicas": 3}, {"replicas": 3, "readyReplicas": 3, "currentReplicas": 1}, IN_PROGRESS,
         "1/3 at the current revision"),
        # a partition: only the pods at or above it must be updated; revisions may differ
        ({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}},
         {"replicas": 3, "readyReplicas": 3, "currentReplicas": 2, "updatedReplicas": 1,
          "currentRevision": "web-1", "updateRevision": "web-2"}, CURRENT, "3/3 ready"),
        ({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}},
         {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 1}, IN_PROGRESS, "1/2 updated (partition 1)"),
        ({"replicas": 3, "updateStrategy": {"type": "OnDelete"}}, {"replicas": 0}, CURRENT,
         "updated by the user (OnDelete strategy)"),
    ],
)
def test_statefulset(spec: dict[str, Any], status: dict[str, Any], expected: ReadyStatus, message: str) -> None:
    sts = obj("apps/v1", "StatefulSet", spec, {"observedGeneration": 1, **status}, generation=1)
    assert tuple(resource_readiness(sts)) == (expected, message)


@pytest.mark.parametrize(
    ("status", "expected", "message"),
    [
        ({"observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3,
          "updatedNumberScheduled": 3, "numberAvailable": 3, "numberReady": 3}, CURRENT, "3/3 ready"),
        ({"observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 2}, IN_PROGRESS,
         "2/3 scheduled"),
        ({"observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3,
          "updatedNumberScheduled": 1}, IN_PROGRESS, "1/3 updated"),
        ({"observedGeneration": 1, "desiredNumberScheduled": 3, "currentNumberScheduled": 3,
          "updatedNumberScheduled": 3, "numberReady": 2, "numberAvailable": 2}, IN_PROGRESS, "2/3 ready"),
        # the DaemonSet controller has not reported yet
        ({}, IN_PROGRESS, "not yet observed by its controller"),
        ({"observedGeneration": 1}, IN_PROGRESS, "not yet observed by its controller"),
    ],
)
def test_daemonset(status: dict[str, Any], expected: ReadyStatus, message: str) -> None:
    ds = obj("apps/v1", "DaemonSet", {}, status, generation=1)
    assert tuple(resource_readiness(ds)) == (expected, message)


def test_replicaset() -> None:
    rs = obj("apps/v1", "ReplicaSet", {"replicas": 2},
             {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2})
    assert resource_readiness(rs) == (CURRENT, "2/2 ready")
    rs["status"]["readyReplicas"] = 1
    assert resource_readiness(rs, pods=[pod("web-a", ready=True), pod("web-b", waiting="CrashLoopBackOff",
                                                                      restarts=3, last_exit=1)]) == (
        IN_PROGRESS, "1/2 ready, pod web-b: CrashLoopBackOff (restarted 3 times, last exit code 1)")
    rs["status"]["conditions"] = [cond("ReplicaFailure", "True", "FailedCreate", "quota exceeded")]
    assert resource_readiness(rs) == (IN_PROGRESS, "replica failure: quota exceeded")


COMPLETE = [cond("Complete", "True")]
JOB_FAILED = [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")]


@pytest.mark.parametrize(
    ("status", "target", "expected", "message"),
    [
        ({"succeeded": 1, "conditions": COMPLETE}, WaitTarget.READY, CURRENT, "complete (1/1 succeeded)"),
        ({"succeeded": 1, "conditions": COMPLETE}, WaitTarget.JOBS, CURRENT, "complete (1/1 succeeded)"),
        ({"succeeded": 1, "conditions": COMPLETE}, WaitTarget.HOOKS, CURRENT, "complete (1/1 succeeded)"),
        # kstatus calls a started Job Current; --wait-for-jobs and hooks wait for it to finish
        ({"startTime": CREATED, "active": 1}, WaitTarget.READY, CURRENT, "running: 0/1 succeeded"),
        ({"startTime": CREATED, "active": 1}, WaitTarget.JOBS, IN_PROGRESS, "not complete: 0/1 succeeded"),
        ({"startTime": CREATED, "active": 1}, WaitTarget.HOOKS, IN_PROGRESS, "not complete: 0/1 succeeded"),
        ({}, WaitTarget.READY, IN_PROGRESS, "not started"),
        ({"failed": 7, "conditions": JOB_FAILED}, WaitTarget.READY, FAILED,
         "failed: BackoffLimitExceeded: Job has reached the specified backoff limit"),
        ({"failed": 7, "conditions": JOB_FAILED}, WaitTarget.HOOKS, FAILED,
         "failed: BackoffLimitExceeded: Job has reached the specified backoff limit"),
        ({"conditions": [cond("Suspended", "True")]}, WaitTarget.READY, CURRENT, "suspended"),
    ],
)
def test_job(status: dict[str, Any], target: WaitTarget, expected: ReadyStatus, message: str) -> None:
    job = obj("batch/v1", "Job", {"completions": 1, "parallelism": 1}, status)
    assert tuple(resource_readiness(job, target=target)) == (expected, message)


def test_job_names_its_failing_pod() -> None:
    job = obj("batch/v1", "Job", {"completions": 1}, {"startTime": CREATED})
    pods = [pod("migrate-abcde", "Failed", terminated=("Error", 2))]
    assert resource_readiness(job, target=WaitTarget.HOOKS, pods=pods) == (
        IN_PROGRESS, "not complete: 0/1 succeeded, pod migrate-abcde: Error (exit code 2)")


NOW = parse_time(CREATED)


@pytest.mark.parametrize(
    ("the_pod", "now", "expected", "message"),
    [
        (pod("p", ready=True), None, CURRENT, "ready"),
        (pod("p", "Succeeded"), None, CURRENT, "succeeded"),
        (pod("p", "Failed", terminated=("Error", 1)), None, CURRENT, "completed, but not successfully"),
        (pod("p", waiting="CrashLoopBackOff", restarts=5, last_exit=137), None, FAILED,
         "CrashLoopBackOff (restarted 5 times, last exit code 137)"),
        (pod("p"), None, IN_PROGRESS, "running, not ready"),
        (pod("p", "Pending", waiting="ImagePullBackOff"), None, IN_PROGRESS, "ImagePullBackOff"),
        (pod("p", "Pending", waiting="ContainerCreating"), None, IN_PROGRESS, "ContainerCreating"),
        # unschedulable: kstatus allows 15 seconds before calling it Failed
        (pod("p", "Pending", scheduled="False", unschedulable="0/3 nodes are available: 3 Insufficient cpu."),
         NOW + 5, IN_PROGRESS, "not yet scheduled"),
        (pod("p", "Pending", scheduled="False", unschedulable="0/3 nodes are available: 3 Insufficient cpu."),
         NOW + 20, FAILED, "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."),
        (obj("v1", "Pod", {}, {}), None, IN_PROGRESS, "not yet observed by its kubelet"),
    ],
)
def test_pod(the_pod: dict[str, Any], now: float | None, expected: ReadyStatus, message: str) -> None:
    assert tuple(resource_readiness(the_pod, now=now)) == (expected, message)


@pytest.mark.parametrize(
    ("the_pod", "expected", "message"),
    [
        (pod("p", "Succeeded"), CURRENT, "succeeded"),
        (pod("p", "Failed", terminated=("Error", 3)), FAILED, "failed: Error (exit code 3)"),
        # a hook pod must finish: ready is not enough
        (pod("p", ready=True), IN_PROGRESS, "not complete: running, not ready"),
    ],
)
def test_hook_pod_must_succeed(the_pod: dict[str, Any], expected: ReadyStatus, message: str) -> None:
    assert tuple(resource_readiness(the_pod, target=WaitTarget.HOOKS)) == (expected, message)


def test_hooks_wait_for_nothing_else() -> None:
    stuck = deployment({"replicas": 0})
    assert resource_readiness(stuck, target=WaitTarget.HOOKS).status is CURRENT
    assert resource_readiness(stuck, target=WaitTarget.JOBS).status is IN_PROGRESS


@pytest.mark.parametrize(
    ("phase", "expected", "message"),
    [("Bound", CURRENT, "Bound"), ("Pending", IN_PROGRESS, "not Bound (phase Pending)"),
     (None, IN_PROGRESS, "not Bound (phase unknown)")],
)
def test_pvc(phase: str | None, expected: ReadyStatus, message: str) -> None:
    status = {"phase": phase} if phase else {}
    assert tuple(resource_readiness(obj("v1", "PersistentVolumeClaim", {}, status))) == (expected, message)


@pytest.mark.parametrize(
    ("spec", "status", "expected", "message"),
    [
        ({"type": "ClusterIP", "clusterIP": "10.96.0.10"}, {}, CURRENT, "ready"),
        ({"clusterIP": "None"}, {}, CURRENT, "ready"),
        ({"type": "ExternalName", "externalName": "db.example.com"}, {}, CURRENT, "ready"),
        ({"type": "LoadBalancer"}, {}, IN_PROGRESS, "no cluster IP assigned yet"),
        ({"type": "LoadBalancer", "clusterIP": "10.96.0.10"}, {"loadBalancer": {}}, IN_PROGRESS,
         "waiting for a load balancer address"),
        ({"type": "LoadBalancer", "clusterIP": "10.96.0.10"},
         {"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}}, CURRENT, "ready"),
        ({"type": "LoadBalancer", "clusterIP": "10.96.0.10", "externalIPs": ["1.2.3.4"]}, {}, CURRENT, "ready"),
    ],
)
def test_service(spec: dict[str, Any], status: dict[str, Any], expected: ReadyStatus, message: str) -> None:
    assert tuple(resource_readiness(obj("v1", "Service", spec, status))) == (expected, message)


@pytest.mark.parametrize(
    ("conditions", "expected", "message"),
    [
        ([cond("NamesAccepted", "True"), cond("Established", "True")], CURRENT, "established"),
        ([cond("Established", "False", "Installing")], IN_PROGRESS, "not yet established"),
        ([], IN_PROGRESS, "not yet established"),
        ([cond("NamesAccepted", "False", "NameConflict", '"widgets" is already in use')], FAILED,
         'names not accepted: "widgets" is already in use'),
    ],
)
def test_crd(conditions: list[dict[str, Any]], expected: ReadyStatus, message: str) -> None:
    crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {}, {"conditions": conditions})
    assert tuple(resource_readiness(crd)) == (expected, message)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("v1", "ConfigMap"), ("v1", "Secret"), ("batch/v1", "CronJob"), ("policy/v1", "PodDisruptionBudget"),
     ("example.com/v1", "Widget"), ("rbac.authorization.k8s.io/v1", "ClusterRole")],
)
def test_other_kinds_are_current(api_version: str, kind: str) -> None:
    assert resource_readiness(obj(api_version, kind, {}, {})) == (CURRENT, "current")


def test_pod_blocker_prefers_real_problems_then_names() -> None:
    assert pod_blocker([]) == ""
    assert pod_blocker([pod("a", ready=True), pod("b", "Succeeded")]) == ""
    assert pod_blocker([pod("c"), pod("b", "Pending", waiting="ContainerCreating")]) == "pod b: ContainerCreating"
    assert pod_blocker([pod("a", "Pending", waiting="ContainerCreating"),
                        pod("z", "Pending", waiting="ErrImagePull")]) == "pod z: ErrImagePull"
    assert pod_blocker([pod("a", deleting=True, waiting="ImagePullBackOff"), pod("b")]) == "pod b: running, not ready"
    assert pod_blocker([pod("b", "Pending", scheduled="False", unschedulable="no nodes")]) == (
        "pod b: Unschedulable: no nodes")


def test_wait_result_message_names_every_blocker() -> None:
    web = ResourceRef("apps/v1", "Deployment", "default", "web")
    role = ResourceRef("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader")
    statuses = (ResourceStatus(web, IN_PROGRESS, "0/3 ready, pod web-x: ImagePullBackOff"),
                ResourceStatus(role, CURRENT, "current"))
    result = WaitResult(ready=False, statuses=statuses, elapsed=300.0, timed_out=True)
    assert result.not_ready == statuses[:1]
    assert result.message() == (
        "timed out waiting for the condition: Deployment/default/web: 0/3 ready, pod web-x: ImagePullBackOff")
    assert str(role) == "ClusterRole/reader"
    assert WaitResult(ready=True, statuses=statuses[1:], elapsed=0.0, timed_out=False).message() == ""
