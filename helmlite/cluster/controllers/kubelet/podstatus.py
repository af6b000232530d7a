"""Pod phase and conditions, derived from container statuses as the kubelet derives them
(``getPhase`` and ``pkg/kubelet/status/generate.go``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["pod_phase", "kubelet_conditions", "is_sidecar", "runs_to_completion", "KUBELET_CONDITIONS"]

KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def is_sidecar(container: Mapping[str, Any]) -> bool:
    """An init container with ``restartPolicy: Always`` (a native sidecar)."""
    return container.get("restartPolicy") == "Always"


def runs_to_completion(spec: Mapping[str, Any], container: Mapping[str, Any], *, init: bool) -> bool:
    """Whether the pod expects ``container`` to exit: an init container that is not a sidecar,
    or any container of a pod not restarted on success (``restartPolicy`` Never or OnFailure:
    Jobs, Helm hooks, test pods). ``images.simulated_run`` lets a program it does not know
    finish in this role and keeps it running otherwise."""
    if init:
        return not is_sidecar(container)
    return (spec.get("restartPolicy") or "Always") != "Always"


def _status_of(statuses: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    for status in statuses:
        if status.get("name") == name:
            return status
    return None


def pod_phase(spec: Mapping[str, Any], init_statuses: Sequence[Mapping[str, Any]],
              statuses: Sequence[Mapping[str, Any]], *, terminal: bool = False) -> str:
    """``getPhase``: Pending, Running, Succeeded or Failed from the container states."""
    restart_policy = spec.get("restartPolicy") or "Always"
    pending_init = 0
    failed_init = 0
    pending_sidecars = 0
    for container in spec.get("initContainers") or []:
        status = _status_of(init_statuses, container.get("name", ""))
        state = (status or {}).get("state") or {}
        if is_sidecar(container):
            if status is None or not status.get("started"):
                pending_sidecars += 1
            continue
        if status is None:
            pending_init += 1
        elif "running" in state:
            pending_init += 1
        elif "terminated" in state:
            if state["terminated"].get("exitCode", 0) != 0:
                failed_init += 1
        elif "waiting" in state:
            last = ((status.get("lastState") or {}).get("terminated"))
            if last is not None:
                if last.get("exitCode", 0) != 0:
                    failed_init += 1
            else:
                pending_init += 1
        else:
            pending_init += 1
    unknown = running = waiting = stopped = succeeded = 0
    for container in spec.get("containers") or []:
        status = _status_of(statuses, container.get("name", ""))
        if status is None:
            unknown += 1
            continue
        state = status.get("state") or {}
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            if state["terminated"].get("exitCode", 0) == 0:
                succeeded += 1
        elif "waiting" in state:
            if (status.get("lastState") or {}).get("terminated") is not None:
                stopped += 1
            else:
                waiting += 1
        else:
            unknown += 1
    if failed_init > 0 and restart_policy == "Never":
        return "Failed"
    if pending_init > 0 or (pending_sidecars > 0 and running + stopped == 0):
        return "Pending"
    if waiting > 0:
        return "Pending"
    if running > 0 and unknown == 0:
        return "Running"
    if running == 0 and stopped > 0 and unknown == 0:
        if terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if restart_policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


def _names(names: Sequence[str]) -> str:
    return "[" + " ".join(names) + "]"


def kubelet_conditions(spec: Mapping[str, Any], phase: str, init_statuses: Sequence[Mapping[str, Any]],
                       statuses: Sequence[Mapping[str, Any]], old_conditions: Sequence[Mapping[str, Any]], *,
                       sandbox_ready: bool, now: str, transition_hints: Mapping[str, str] | None = None,
                       initialized_before: bool = False) -> list[dict[str, Any]]:
    """The pod's conditions: non-kubelet ones first (kept as they are), then
    PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled.

    ``lastTransitionTime`` is kept while a condition's status is unchanged; a new transition
    takes ``transition_hints[type]`` (when the change actually happened) or ``now``.
    """
    hints = transition_hints or {}
    old = {c.get("type"): c for c in old_conditions}
    out: list[dict[str, Any]] = [dict(c) for c in old_conditions if c.get("type") not in KUBELET_CONDITIONS]

    def condition(ctype: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
        previous = old.get(ctype)
        if previous is not None and previous.get("status") == status and previous.get("lastTransitionTime"):
            when = previous["lastTransitionTime"]
        else:
            when = hints.get(ctype, now)
        result: dict[str, Any] = {"type": ctype, "status": status, "lastTransitionTime": when}
        if reason:
            result["reason"] = reason
        if message:
            result["message"] = message
        return result

    out.append(condition("PodReadyToStartContainers", "True" if sandbox_ready else "False"))

    # Initialized
    incomplete = []
    for container in spec.get("initContainers") or []:
        status = _status_of(init_statuses, container.get("name", ""))
        state = (status or {}).get("state") or {}
        if is_sidecar(container):
            if status is None or not status.get("started"):
                incomplete.append(container.get("name", ""))
            continue
        if not ("terminated" in state and state["terminated"].get("exitCode", 0) == 0):
            incomplete.append(container.get("name", ""))
    if not spec.get("initContainers"):
        out.append(condition("Initialized", "True"))
    elif phase == "Succeeded":
        out.append(condition("Initialized", "True", "PodCompleted"))
    elif not incomplete or initialized_before:
        out.append(condition("Initialized", "True"))
    else:
        out.append(condition("Initialized", "False", "ContainersNotInitialized",
                             f"containers with incomplete status: {_names(incomplete)}"))

    # ContainersReady (regular containers and started sidecars)
    unready = []
    unknown = []
    for container in spec.get("initContainers") or []:
        if not is_sidecar(container):
            continue
        status = _status_of(init_statuses, container.get("name", ""))
        if status is None:
            unknown.append(container.get("name", ""))
        elif not status.get("ready"):
            unready.append(container.get("name", ""))
    for container in spec.get("containers") or []:
        status = _status_of(statuses, container.get("name", ""))
        if status is None:
            unknown.append(container.get("name", ""))
        elif not status.get("ready"):
            unready.append(container.get("name", ""))
    if phase == "Succeeded" and not unknown:
        containers_ready = condition("ContainersReady", "False", "PodCompleted")
        ready = condition("Ready", "False", "PodCompleted")
    elif unready or unknown:
        parts = []
        if unknown:
            parts.append(f"containers with unknown status: {_names(unknown)}")
        if unready:
            parts.append(f"containers with unready status: {_names(unready)}")
        message = ", ".join(parts)
        containers_ready = condition("ContainersReady", "False", "ContainersNotReady", message)
        ready = condition("Ready", "False", "ContainersNotReady", message)
    else:
        containers_ready = condition("ContainersReady", "True")
        gates_missing = []
        gates_false = []
        by_type = {c.get("type"): c for c in old_conditions}
        for gate in spec.get("readinessGates") or []:
            gate_type = gate.get("conditionType", "")
            gate_condition = by_type.get(gate_type)
            if gate_condition is None:
                gates_missing.append(gate_type)
            elif gate_condition.get("status") != "True":
                gates_false.append(gate_type)
        if gates_missing or gates_false:
            messages = [f'corresponding condition of pod readiness gate "{g}" does not exist.' for g in gates_missing]
            messages += [f'the status of pod readiness gate "{g}" is not "True", but False' for g in gates_false]
            ready = condition("Ready", "False", "ReadinessGatesNotReady", ", ".join(messages))
        else:
            ready = condition("Ready", "True")
    out.append(ready)
    out.append(containers_ready)
    scheduled = old.get("PodScheduled")
    if scheduled is not None and scheduled.get("status") == "True":
        out.append(dict(scheduled))
    else:
        out.append(condition("PodScheduled", "True"))
    return out
