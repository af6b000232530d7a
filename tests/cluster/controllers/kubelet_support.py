"""Helpers for the scheduler, kubelet and node tests: an event log with exact virtual times, the
pod columns kubectl derives, and pod manifests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helmlite.cluster import Cluster
from helmlite.cluster.store import WatchEvent

EPOCH_ISO = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class Recorded:
    at: float  # seconds since the cluster's epoch, exact (events themselves keep whole seconds)
    type: str
    reason: str
    name: str
    message: str
    field_path: str
    source: str


class EventLog:
    """Every event recording (new events and repeats of aggregated ones), in order."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.start = cluster.clock.now
        self.items: list[Recorded] = []
        cluster.store.add_listener(self._on_event)

    def _on_event(self, event: WatchEvent) -> None:
        if event.kind.kind != "Event" or event.type == "DELETED":
            return
        obj = event.object
        if event.old is not None and event.old.get("count") == obj.get("count"):
            return
        ref = obj.get("involvedObject") or {}
        source = obj.get("source") or {}
        self.items.append(Recorded(round(self.cluster.clock.now - self.start, 3), obj.get("type", ""),
                                   obj.get("reason", ""), ref.get("name", ""), obj.get("message", ""),
                                   ref.get("fieldPath", ""), source.get("component", "")))

    def of(self, name: str | None = None, reason: str | None = None) -> list[Recorded]:
        return [e for e in self.items if (name is None or e.name == name) and (reason is None or e.reason == reason)]

    def times(self, name: str | None = None, reason: str | None = None, message: str | None = None) -> list[float]:
        return [e.at for e in self.of(name, reason) if message is None or message in e.message]

    def reasons(self, name: str | None = None) -> list[str]:
        return [e.reason for e in self.of(name)]


def pod_manifest(name: str, *, image: str = "nginx:1.25", namespace: str = "default",
                 containers: list[dict[str, Any]] | None = None, labels: dict[str, str] | None = None,
                 annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": containers or [{"name": "app", "image": image}], **spec}}


def get_pod(cluster: Cluster, name: str, namespace: str = "default") -> dict[str, Any] | None:
    return cluster.store.peek("", "Pod", namespace, name)


def kubectl_columns(pod: dict[str, Any]) -> tuple[str, str, int]:
    """READY, STATUS and the restart count as ``kubectl get pods`` derives them (``printPod``)."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    reason = status.get("reason") or status.get("phase", "")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c["name"]: c for c in spec.get("initContainers") or []}
    sidecar_restarts = 0
    for c in init_specs.values():
        if c.get("restartPolicy") == "Always":
            total += 1
    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount", 0))
        sidecar = init_specs.get(cs["name"], {}).get("restartPolicy") == "Always"
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount", 0))
        state = cs.get("state") or {}
        term = state.get("terminated")
        waiting = state.get("waiting")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            reason = "Init:" + term["reason"] if term.get("reason") else f"Init:ExitCode:{term.get('exitCode')}"
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True"
                      for c in status.get("conditions") or [])
    if not initializing or initialized:
        restarts = sidecar_restarts
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount", 0))
            state = cs.get("state") or {}
            if state.get("waiting", {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif state.get("terminated", {}).get("reason"):
                reason = state["terminated"]["reason"]
            elif "terminated" in state:
                reason = f"ExitCode:{state['terminated'].get('exitCode')}"
            elif cs.get("ready") and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_condition = any(c.get("type") == "Ready" and c.get("status") == "True"
                                  for c in status.get("conditions") or [])
            reason = "Running" if ready_condition else "NotReady"
    if pod["metadata"].get("deletionTimestamp") and status.get("phase") not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return f"{ready}/{total}", reason, restarts


def status_of(cluster: Cluster, name: str, namespace: str = "default") -> str:
    pod = get_pod(cluster, name, namespace)
    return "<gone>" if pod is None else kubectl_columns(pod)[1]
