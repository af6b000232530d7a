"""A stand-in for the kubelet in controller tests: binds pods and writes their status.

Controller tests run only the controllers under test, so something has to play the node:
``PodDriver`` moves pods through the phases a kubelet would report (Running and Ready,
Succeeded, Failed) and finishes graceful deletions, each through the store's API.
"""

from __future__ import annotations

from typing import Any

from helmlite.cluster import Cluster, NotFoundError

_MANAGER = "kubelet"


class PodDriver:
    """Plays the kubelet for the pods of one cluster."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._next_ip = 10

    def pods(self, namespace: str = "default", **labels: str) -> list[dict[str, Any]]:
        """Pods in ``namespace`` with these labels, by name (read-only snapshots)."""
        out = [p for p in self.cluster.store.peek_all("", "Pod", namespace)
               if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in labels.items())]
        return sorted(out, key=lambda p: p["metadata"]["name"])

    def _pod(self, pod: dict[str, Any] | str, namespace: str) -> dict[str, Any]:
        name = pod if isinstance(pod, str) else pod["metadata"]["name"]
        namespace = namespace if isinstance(pod, str) else pod["metadata"].get("namespace", namespace)
        found = self.cluster.store.peek("", "Pod", namespace, name)
        if found is None:
            raise NotFoundError.for_object("pods", "", name)
        return found

    def _write(self, pod: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
        meta = pod["metadata"]
        return self.cluster.store.update_status(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
             "status": status}, field_manager=_MANAGER)

    def run(self, pod: dict[str, Any] | str, *, ready: bool = True, node: str = "node-1",
            namespace: str = "default", restarts: int = 0) -> dict[str, Any]:
        """Bind (if needed) and report the pod Running; Ready unless ``ready=False``."""
        current = self._pod(pod, namespace)
        meta = current["metadata"]
        if not current["spec"].get("nodeName"):
            self.cluster.store.bind_pod(meta["name"], node, namespace=meta["namespace"])
            current = self._pod(meta["name"], meta["namespace"])
        now = self.cluster.clock.now_rfc3339()
        status = dict(current.get("status") or {})
        if not status.get("podIP"):
            self._next_ip += 1
            status["podIP"] = f"10.244.1.{self._next_ip}"
            status["podIPs"] = [{"ip": status["podIP"]}]
        status.setdefault("startTime", now)
        status["phase"] = "Running"
        flag = "True" if ready else "False"
        conditions = [c for c in status.get("conditions") or [] if c["type"] == "PodScheduled"]
        for condition_type in ("Initialized", "ContainersReady", "Ready"):
            previous = next((c for c in status.get("conditions") or [] if c["type"] == condition_type), None)
            value = "True" if condition_type == "Initialized" else flag
            since = previous["lastTransitionTime"] if previous and previous["status"] == value else now
            conditions.append({"type": condition_type, "status": value, "lastTransitionTime": since})
        status["conditions"] = conditions
        status["containerStatuses"] = [
            {"name": c["name"], "image": c.get("image", ""), "ready": ready, "restartCount": restarts,
             "started": True, "state": {"running": {"startedAt": status["startTime"]}}}
            for c in current["spec"]["containers"]]
        return self._write(current, status)

    def finish(self, pod: dict[str, Any] | str, *, exit_code: int = 0, namespace: str = "default") -> dict[str, Any]:
        """Report the pod's containers exited: Succeeded for 0, else Failed."""
        current = self._pod(pod, namespace)
        if current["spec"].get("nodeName") is None:
            current = self.run(current)
        now = self.cluster.clock.now_rfc3339()
        status = dict(current.get("status") or {})
        status["phase"] = "Succeeded" if exit_code == 0 else "Failed"
        status["conditions"] = [
            {**c, "status": "False", "lastTransitionTime": now} if c["type"] in ("Ready", "ContainersReady") else c
            for c in status.get("conditions") or []]
        reason = "Completed" if exit_code == 0 else "Error"
        status["containerStatuses"] = [
            {"name": c["name"], "image": c.get("image", ""), "ready": False, "restartCount": 0, "started": False,
             "state": {"terminated": {"exitCode": exit_code, "reason": reason,
                                      "startedAt": status.get("startTime", now), "finishedAt": now}}}
            for c in current["spec"]["containers"]]
        return self._write(current, status)

    def succeed(self, pod: dict[str, Any] | str, namespace: str = "default") -> dict[str, Any]:
        return self.finish(pod, exit_code=0, namespace=namespace)

    def fail(self, pod: dict[str, Any] | str, namespace: str = "default", exit_code: int = 1) -> dict[str, Any]:
        return self.finish(pod, exit_code=exit_code, namespace=namespace)

    def finish_deletions(self, namespace: str | None = None) -> int:
        """Complete every graceful pod deletion (the kubelet killed the containers)."""
        done = 0
        for pod in list(self.cluster.store.peek_all("", "Pod", namespace)):
            meta = pod["metadata"]
            if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds"):
                self.cluster.store.delete("v1", "Pod", meta["name"], namespace=meta["namespace"],
                                          grace_period_seconds=0)
                done += 1
        self.cluster.reconcile()
        return done


class AutoKubelet:
    """A controller that runs every new pod at once (bound, Running, Ready) and completes
    deletions immediately: for tests about what happens *around* pods (autoscaling, endpoints)."""

    name = "auto-kubelet"
    watches = (("", "Pod"),)

    def __init__(self, *, ready: bool = True) -> None:
        self.ready = ready
        self.driver: PodDriver | None = None

    def keys_for(self, cluster: Cluster, event: Any) -> list[str]:
        meta = event.object["metadata"]
        return [] if event.type == "DELETED" else [f"{meta['namespace']}/{meta['name']}"]

    def sync(self, cluster: Cluster, key: str) -> None:
        if self.driver is None:
            self.driver = PodDriver(cluster)
        namespace, _, name = key.partition("/")
        pod = cluster.store.peek("", "Pod", namespace, name)
        if pod is None:
            return
        if pod["metadata"].get("deletionTimestamp"):
            if pod["metadata"].get("deletionGracePeriodSeconds"):
                cluster.store.delete("v1", "Pod", name, namespace=namespace, grace_period_seconds=0)
            return
        if pod["status"].get("phase") == "Pending":
            self.driver.run(pod, ready=self.ready)
