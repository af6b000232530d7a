"""Test support for the StatefulSet, DaemonSet, history and DNS tests: a stand-in for the
scheduler and the kubelet, the seed manifests, and observation helpers.

``KubeletStub`` binds pending pods (DaemonSet pods to the node their node affinity pins them
to, others to the node with the fewest pods), starts them Running and Ready, and finishes
deletions after ``termination_seconds`` — enough for the workload controllers to see pods
come and go on the virtual clock without the real scheduler and kubelet models. Tests that
need a pod to stay unready put its ``namespace/name`` in ``hold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from helmlite.cluster import Cluster
from helmlite.cluster.clock import parse_time
from helmlite.cluster.controllers import object_key, split_key
from helmlite.cluster.controllers.daemonset import target_node
from helmlite.cluster.errors import ConflictError, NotFoundError
from helmlite.cluster.store import WatchEvent


class KubeletStub:
    name = "kubelet-stub"
    watches = (("", "Pod"),)

    def __init__(self, *, termination_seconds: float = 2.0, start_seconds: float = 0.0, bind: bool = True) -> None:
        self.termination_seconds = termination_seconds
        self.bind = bind
        self.start_seconds = start_seconds
        self.hold: set[str] = set()
        self._ips = 0

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        return () if event.type == "DELETED" else (object_key(event.object),)

    def sync(self, cluster: Cluster, key: str) -> None:
        namespace, name = split_key(key)
        pod = cluster.store.peek("", "Pod", namespace, name)
        if pod is None:
            return
        meta, spec = pod["metadata"], pod.get("spec") or {}
        now = cluster.clock.now
        if meta.get("deletionTimestamp"):
            grace = meta.get("deletionGracePeriodSeconds") or 0
            started = parse_time(meta["deletionTimestamp"]) - grace
            done = started + min(grace, self.termination_seconds)
            if now >= done:
                try:
                    cluster.store.delete("v1", "Pod", name, namespace=namespace, grace_period_seconds=0)
                except NotFoundError:
                    pass
            else:
                cluster.enqueue_after(self.name, key, done - now)
            return
        if not spec.get("nodeName"):
            if not self.bind:
                return
            node = target_node(pod) or _least_loaded_node(cluster)
            if node is not None:
                try:
                    cluster.store.bind_pod(name, node, namespace=namespace)
                except ConflictError:
                    pass
            return
        if key in self.hold or (pod.get("status") or {}).get("phase") != "Pending":
            return
        created = parse_time(meta["creationTimestamp"])
        if now < created + self.start_seconds:
            cluster.enqueue_after(self.name, key, created + self.start_seconds - now)
            return
        self._ips += 1
        set_running(cluster, namespace, name, ip=f"10.244.0.{self._ips}", ready=True)


def _least_loaded_node(cluster: Cluster) -> str | None:
    load: dict[str, int] = {n["metadata"]["name"]: 0 for n in cluster.store.peek_all("", "Node")}
    for pod in cluster.store.peek_all("", "Pod"):
        node = (pod.get("spec") or {}).get("nodeName")
        if node in load:
            load[node] += 1
    return min(sorted(load), key=lambda n: load[n]) if load else None


def set_running(cluster: Cluster, namespace: str, name: str, *, ip: str = "10.244.0.250", ready: bool = True) -> None:
    """Mark a bound pod Running, Ready or not, as the kubelet would."""
    pod = cluster.store.get("v1", "Pod", name, namespace=namespace)
    now = cluster.clock.now_rfc3339()
    status = pod.get("status") or {}
    conditions = [c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"]
    flag = "True" if ready else "False"
    old_ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    since = old_ready["lastTransitionTime"] if old_ready and old_ready.get("status") == flag else now
    conditions += [{"type": "Initialized", "status": "True", "lastTransitionTime": now},
                   {"type": "ContainersReady", "status": flag, "lastTransitionTime": since},
                   {"type": "Ready", "status": flag, "lastTransitionTime": since}]
    status = {**status, "phase": "Running", "conditions": conditions, "podIP": status.get("podIP") or ip,
              "podIPs": [{"ip": status.get("podIP") or ip}], "hostIP": "172.18.0.2", "startTime": now}
    cluster.store.update_status({**pod, "status": status}, field_manager="kubelet")


def set_phase(cluster: Cluster, namespace: str, name: str, phase: str) -> None:
    """Put a pod in a terminal phase (Failed or Succeeded)."""
    pod = cluster.store.get("v1", "Pod", name, namespace=namespace)
    status = {**(pod.get("status") or {}), "phase": phase}
    status["conditions"] = [{**c, "status": "False"} if c.get("type") == "Ready" else c
                            for c in status.get("conditions") or []]
    cluster.store.update_status({**pod, "status": status}, field_manager="kubelet")


# --- manifests and observations shared by the StatefulSet, DaemonSet, history and DNS tests ---

def nginx_service(name: str = "nginx", *, namespace: str = "default") -> dict[str, Any]:
    """The seeds' headless Service (F-56)."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": "nginx"}},
            "spec": {"clusterIP": "None", "selector": {"app": "nginx"},
                     "ports": [{"port": 80, "name": "web"}]}}


def web_statefulset(replicas: int = 3, *, image: str = "nginx:1.23.2-alpine", namespace: str = "default",
                    claims: bool = True, **spec: Any) -> dict[str, Any]:
    """The seeds' StatefulSet ``web`` (F-56): headless service ``nginx``, a ``www`` claim each."""
    container: dict[str, Any] = {
        "name": "nginx", "image": image, "ports": [{"containerPort": 80, "name": "web"}],
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}}
    body: dict[str, Any] = {
        "serviceName": "nginx",
        "replicas": replicas,
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {"metadata": {"labels": {"app": "nginx"}},
                     "spec": {"terminationGracePeriodSeconds": 30, "containers": [container]}},
    }
    if claims:
        container["volumeMounts"] = [{"name": "www", "mountPath": "/usr/share/nginx/html"}]
        body["volumeClaimTemplates"] = [{"metadata": {"name": "www"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": namespace},
            "spec": body}


def daemonset(name: str = "fluentd", *, image: str = "fluentd:v1.16", namespace: str = "default",
              **spec: Any) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {"containers": [{"name": name, "image": image}]}
    for key in ("nodeSelector", "tolerations", "affinity", "hostNetwork"):
        if key in spec:
            pod_spec[key] = spec.pop(key)
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}, **spec}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": namespace},
            "spec": body}


def live_pods(cluster: Cluster, namespace: str = "default") -> dict[str, dict[str, Any]]:
    """Pods not being deleted, by name."""
    return {p["metadata"]["name"]: p for p in cluster.store.list("v1", "Pod", namespace=namespace)
            if not p["metadata"].get("deletionTimestamp")}


def terminating_pods(cluster: Cluster, namespace: str = "default") -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.store.list("v1", "Pod", namespace=namespace)
                  if p["metadata"].get("deletionTimestamp"))


def events_of(cluster: Cluster, name: str, namespace: str = "default") -> list[tuple[str, str]]:
    """``(reason, message)`` of the events about ``name``, in the order they were recorded."""
    events = [e for e in cluster.store.list("v1", "Event", namespace=namespace)
              if e["involvedObject"]["name"] == name]
    events.sort(key=lambda e: int(e["metadata"]["name"].rsplit(".", 1)[1], 16))
    return [(e["reason"], e["message"]) for e in events]


def add_node(cluster: Cluster, name: str, index: int, *, labels: dict[str, str] | None = None,
             taints: list[dict[str, str]] | None = None) -> dict[str, Any]:
    from helmlite.cluster.bootstrap import node_manifest

    node = node_manifest(name, index, labels=labels, now=cluster.clock.now_rfc3339())
    if taints:
        node["spec"]["taints"] = taints
    return cluster.store.create(node, field_manager="kubelet")
