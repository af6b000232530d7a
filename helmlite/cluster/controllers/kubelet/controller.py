"""The kubelet model: one logical kubelet per node, run as one controller keyed by pod.

What a pod goes through on its node, on the virtual clock:

1. **Admission** (``t0``): ``startTime``, host and pod IPs (``10.244.<n>.x`` from the node's pod
   CIDR), containers ``waiting`` (``ContainerCreating``, or ``PodInitializing`` when there are
   init containers), ``PodReadyToStartContainers=False``. A pod bound directly with
   ``nodeName`` that does not fit is rejected (``OutOfcpu``…), as the kubelet admits pods.
2. **Sandbox** ready at ``t0 + SANDBOX_SECONDS``.
3. **Init containers**, one at a time, each to a successful exit; then the **containers**,
   started one after another in the kubelet's order. Starting a container: its image (pulled
   unless present and the policy allows reuse: ``Pulling``/``Pulled`` with the pull's duration,
   ``already present on machine``; failures give ``ErrImagePull`` then ``ImagePullBackOff``
   with back-off 10 s doubling to 5 min), then ``Created``/``Started``.
4. **Running**: how long the program runs and how it exits comes from ``images.simulated_run``
   (or a ``container-exit`` fault); startup, liveness and readiness probes follow their
   timing fields and pass unless a fault makes them fail (see ``probes.py``). Exited
   containers restart per ``restartPolicy`` with ``CrashLoopBackOff`` (immediately the first
   time, then 10 s doubling to 5 min; the back-off resets after 10 minutes without a crash).
5. **Termination** when the pod is deleted: ``Killing`` events, ``preStop`` hooks, SIGTERM
   (a shell or ``sleep`` as PID 1 ignores it and is killed at the end of the grace period),
   then the final status and the deletion with grace period 0.

Status fields are what kubectl derives ``READY``/``STATUS``/``RESTARTS`` from. The kubelet
keeps a little runtime state in memory (pulls in flight, back-off entries, each node's last
reserved pod IP) and mirrors each piece as a persisted timer whose key carries it, so a
cluster reopened by another command resumes exactly; a pod is only woken at its next
transition.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.controllers.base import object_key, split_key
from helmlite.cluster.controllers.kubelet.podstatus import (
    is_sidecar,
    kubelet_conditions,
    pod_phase,
    runs_to_completion,
)
from helmlite.cluster.controllers.kubelet.probes import probe_failure_message, probe_spec, timeline
from helmlite.cluster.controllers.scheduler import node_allocatable, node_matches_required_affinity, pod_requests
from helmlite.cluster.errors import ApiError, NotFoundError
from helmlite.cluster.faults import FAULTS_CONFIGMAP, FAULTS_NAMESPACE, FaultSet, fault_set
from helmlite.cluster.images import (
    PRELOADED_IMAGES,
    ImageInfo,
    InvalidImageNameError,
    Run,
    image_info,
    parse_image,
    pull_seconds,
    simulated_run,
)

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "KubeletController",
    "KUBELET",
    "SANDBOX_SECONDS",
    "PLEG_SECONDS",
    "POD_WORKER_RESYNC_SECONDS",
    "BACKOFF_INITIAL_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "go_duration",
    "node_is_down",
]

KUBELET = "kubelet"
# The pod sandbox (network namespace, IP) is ready this long after admission.
SANDBOX_SECONDS = 1.0
# The kubelet notices a container's exit on its next relist (PLEG), this much later.
PLEG_SECONDS = 1.0
# A pod whose sync hit an error (back-off, image error) is synced again after this.
POD_WORKER_RESYNC_SECONDS = 10.0
# Container restart and image pull back-off (kubelet.go: backOffPeriod, MaxContainerBackOff);
# an entry expires (the back-off resets) after twice the maximum.
BACKOFF_INITIAL_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 300.0
BACKOFF_RESET_SECONDS = 2 * BACKOFF_MAX_SECONDS
# killContainer always leaves a container this much time after its preStop hook.
MINIMUM_GRACE_PERIOD_SECONDS = 2.0
# An image pull that times out gives up after this long.
IMAGE_PULL_TIMEOUT_SECONDS = 30.0
NODE_STATUS_MAX_IMAGES = 50
EXIT_SIGKILL = 137
EXIT_SIGTERM = 143
_EPS = 1e-3
# Timer keys ``kubelet|ipam:<node>=<n>`` persist the last pod IP reserved on each node.
_IPAM_STEP = "ipam:"
# The step ``<pod key>#<uid>#killed`` persists that a deleted pod's kill was announced.
_KILLED_STEP = "killed"

_PULL_ERRORS = {
    "NotFound": ("ErrImagePull", "rpc error: code = NotFound desc = failed to pull and unpack image \"{ref}\": "
                 "failed to resolve reference \"{ref}\": {ref}: not found"),
    "Unauthorized": ("ErrImagePull", "rpc error: code = Unknown desc = failed to pull and unpack image \"{ref}\": "
                     "failed to resolve reference \"{ref}\": pull access denied, repository does not exist or may "
                     "require authorization: server message: insufficient_scope: authorization failed"),
    "Timeout": ("ErrImagePull", "rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "
                "\"{ref}\": failed to resolve reference \"{ref}\": context deadline exceeded"),
    "RegistryUnavailable": ("RegistryUnavailable", "image pull failed for {image} because the registry is "
                            "unavailable: dial tcp: lookup {domain}: no such host"),
}


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()`` (``4.15s``, ``1m20s``, ``5m0s``, ``523ms``)."""
    ns = round(seconds * 1_000_000_000)
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                whole, frac = divmod(ns, size)
                digits = len(str(size)) - 1
                text = str(whole) + (("." + f"{frac:0{digits}d}".rstrip("0")) if frac else "")
                return sign + text + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    whole, frac = divmod(rest, 1_000_000_000)
    secs = str(whole) + (("." + f"{frac:09d}".rstrip("0")) if frac else "")
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + secs + "s"


def node_is_down(faults: FaultSet, node: str, now: float) -> bool:
    """Whether the node's kubelet has stopped (an ``unreachable`` node-not-ready fault in effect)."""
    fault = faults.node_not_ready(node)
    if fault is None or fault.get("mode", "unreachable") != "unreachable":
        return False
    return _ts(fault.get("since")) <= now + _EPS


def _ts(text: Any) -> float:
    if not text:
        return 0.0
    return parse_time(str(text).replace("Z", "+00:00"))


def _t(seconds: float) -> str:
    return format_time(seconds)


class _PodRuntime:
    """What the container runtime remembers about one pod (mirrored in timer keys)."""

    __slots__ = ("uid", "pulls", "crash", "image_backoff", "kill_announced")

    def __init__(self, uid: str) -> None:
        self.uid = uid
        self.pulls: dict[str, tuple[float, float]] = {}
        self.crash: dict[str, tuple[float, float]] = {}
        self.image_backoff: dict[str, tuple[float, float]] = {}
        # The deletion's Killing events are recorded (mirrored by a ``killed`` step timer).
        self.kill_announced = False


class _Sync:
    """One pass over a pod: the evolving status, the events to record and the next wakeup."""

    def __init__(self, kubelet: KubeletController, cluster: Cluster, pod: Mapping[str, Any],
                 node: Mapping[str, Any], rt: _PodRuntime, trigger: str) -> None:
        self.kubelet = kubelet
        self.cluster = cluster
        self.pod = pod
        self.node = node
        self.node_name = node["metadata"]["name"]
        self.rt = rt
        self.trigger = trigger
        self.now = cluster.clock.now
        self.key = object_key(pod)
        self.uid = pod["metadata"].get("uid", "")
        self.spec = pod.get("spec") or {}
        self.annotations = pod["metadata"].get("annotations") or {}
        self.faults = fault_set(cluster)
        self.wake: float | None = None
        self.pull_blocked = False
        self.hints: dict[str, str] = {}

    # --- bookkeeping -------------------------------------------------------------------

    def wake_at(self, t: float) -> None:
        t = max(t, self.now)
        if self.wake is None or t < self.wake:
            self.wake = t

    def tick(self, step: str, t: float) -> None:
        """A timed side effect (an event that changes no status) keyed by its time."""
        self.kubelet.schedule_step(self.cluster, self.key, self.uid, step, t)

    def event(self, type_: str, reason: str, message: str, container: Mapping[str, Any] | None = None,
              field: str = "containers") -> None:
        field_path = f"spec.{field}{{{container['name']}}}" if container is not None else None
        self.cluster.events.record(self.pod, type_, reason, message, component=KUBELET, host=self.node_name,
                                   field_path=field_path)

    def run_of(self, container: Mapping[str, Any], info: ImageInfo | None, *, init: bool) -> Run:
        """What the container's program does, given its role in this pod."""
        return simulated_run(container, info, self.annotations,
                             runs_to_completion=runs_to_completion(self.spec, container, init=init))

    def pod_ref(self) -> str:
        meta = self.pod["metadata"]
        return f"{meta['name']}_{meta.get('namespace', '')}({self.uid})"


class KubeletController:
    """Every node's kubelet (events come from ``kubelet`` on the node's host)."""

    name = KUBELET
    watches = (("", "Pod"), ("", "Node"), ("", "ConfigMap"))

    def __init__(self) -> None:
        self._runtimes: dict[str, _PodRuntime] = {}
        self._restored = False
        self._own: str | None = None
        self._node_pods: dict[str, set[str]] | None = None
        self._ips: dict[str, set[int]] = {}
        self._last_ip: dict[str, int] = {}
        self._images: dict[str, set[str]] = {}

    # --- runtime state ---------------------------------------------------------------------

    def _restore(self, cluster: Cluster) -> None:
        """Rebuild pulls in flight, back-off entries and each node's last reserved pod IP from
        the persisted timer keys."""
        if self._restored:
            return
        self._restored = True
        prefix = f"{self.name}|"
        ipam_prefix = f"{prefix}{_IPAM_STEP}"
        for _at, timer in cluster.clock.pending():
            if timer.startswith(ipam_prefix):
                node, _, last = timer[len(ipam_prefix):].rpartition("=")
                self._last_ip[node] = int(last)
            elif timer.startswith(prefix) and "#" in timer:
                self._apply_step(cluster, timer[len(prefix):], restoring=True)

    def _runtime(self, key: str, uid: str) -> _PodRuntime:
        rt = self._runtimes.get(key)
        if rt is None or rt.uid != uid:
            rt = self._runtimes[key] = _PodRuntime(uid)
        return rt

    def schedule_step(self, cluster: Cluster, key: str, uid: str, step: str, t: float) -> None:
        cluster.enqueue_after(self.name, f"{key}#{uid}#{step}", max(0.0, t - cluster.clock.now))

    def _cancel_step(self, cluster: Cluster, key: str, uid: str, step: str) -> None:
        cluster.clock.cancel(f"{self.name}|{key}#{uid}#{step}")

    def _forget_runtime(self, cluster: Cluster, key: str) -> None:
        """A deleted pod's runtime state goes, with the timer that carried its kill announcement."""
        rt = self._runtimes.pop(key, None)
        if rt is not None and rt.kill_announced:
            self._cancel_step(cluster, key, rt.uid, _KILLED_STEP)

    def _apply_step(self, cluster: Cluster, full_key: str, *, restoring: bool = False) -> tuple[str, str, str]:
        """Load what a step key carries into memory; returns ``(pod key, uid, step)``."""
        key, uid, step = full_key.split("#", 2)
        kind, _, rest = step.partition(":")
        rt = self._runtime(key, uid)
        try:
            if kind == _KILLED_STEP:
                rt.kill_announced = True
            elif kind == "pull":
                container, started, done = rest.split(":")
                rt.pulls.setdefault(container, (float(started), float(done)))
            elif kind in ("crash", "ibo"):
                container, backoff, last = rest.split(":")
                entry = (float(backoff), float(last))
                table = rt.crash if kind == "crash" else rt.image_backoff
                current = table.get(container)
                if restoring:
                    if current is None or current[1] <= entry[1]:
                        table[container] = entry
                elif current == entry and cluster.clock.now >= entry[1] + BACKOFF_RESET_SECONDS - _EPS:
                    del table[container]  # the entry expired (flowcontrol.Backoff GC)
        except ValueError:
            pass
        return key, uid, step

    def _set_backoff(self, cluster: Cluster, key: str, rt: _PodRuntime, kind: str, container: str,
                     entry: tuple[float, float]) -> None:
        table = rt.crash if kind == "crash" else rt.image_backoff
        old = table.get(container)
        if old is not None:
            self._cancel_step(cluster, key, rt.uid, f"{kind}:{container}:{old[0]!r}:{old[1]!r}")
        table[container] = entry
        self.schedule_step(cluster, key, rt.uid, f"{kind}:{container}:{entry[0]!r}:{entry[1]!r}",
                           entry[1] + BACKOFF_RESET_SECONDS)

    # --- indexes ---------------------------------------------------------------------------

    def _pods_on(self, cluster: Cluster, node: str) -> set[str]:
        if self._node_pods is None:
            self._node_pods = {}
            for pod in cluster.store.peek_all("", "Pod"):
                node_name = (pod.get("spec") or {}).get("nodeName")
                if node_name:
                    self._node_pods.setdefault(node_name, set()).add(object_key(pod))
        return self._node_pods.get(node, set())

    def _node_images(self, node: Mapping[str, Any]) -> set[str]:
        name = node["metadata"]["name"]
        images = self._images.get(name)
        if images is None:
            images = set(PRELOADED_IMAGES)
            for image in (node.get("status") or {}).get("images") or []:
                images.update(image.get("names") or [])
            self._images[name] = images
        return images

    # --- watch -------------------------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Pods assigned to a node; all pods of a node that comes back or a fault that changes."""
        kind = event.kind.kind
        obj = event.object
        if kind == "Pod":
            key = object_key(obj)
            node_name = (obj.get("spec") or {}).get("nodeName")
            if self._node_pods is not None:
                old_node = ((event.old or {}).get("spec") or {}).get("nodeName")
                if old_node and (event.type == "DELETED" or old_node != node_name):
                    self._node_pods.get(old_node, set()).discard(key)
                if node_name and event.type != "DELETED":
                    self._node_pods.setdefault(node_name, set()).add(key)
            if event.type == "DELETED":
                self._restore(cluster)  # so that the timers of a pod this process never synced are found
                known = key in self._runtimes
                self._forget_runtime(cluster, key)
                if known or node_name:
                    self._release_ip(obj)
                return ()
            if not node_name or self._own == key:
                return ()
            return (key,)
        if kind == "Node":
            name = obj["metadata"]["name"]
            self._images.pop(name, None)
            if event.type == "DELETED":
                self._restore(cluster)
                self._forget_node_ips(cluster, name)
            if event.type == "ADDED" and self._node_pods is not None:
                return tuple(self._node_pods.get(name, ()))
            return ()
        # ConfigMap: only the faults one matters
        meta = obj["metadata"]
        if meta.get("namespace") != FAULTS_NAMESPACE or meta.get("name") != FAULTS_CONFIGMAP:
            return ()
        return self._fault_keys(cluster, event)

    def _fault_keys(self, cluster: Cluster, event: WatchEvent) -> list[str]:
        new = (event.object.get("data") or {}) if event.type != "DELETED" else {}
        old = ((event.old or {}).get("data") or {}) if event.old is not None else {}
        changed = [text for fid, text in list(new.items()) + list(old.items()) if new.get(fid) != old.get(fid)]
        if not changed:
            return []
        nodes: set[str] = set()
        pod_faults = False
        for text in changed:
            try:
                spec = json.loads(text)
            except ValueError:
                continue
            if spec.get("kind") in ("node-not-ready", "resource-pressure"):
                nodes.add(spec.get("node", ""))
            else:
                pod_faults = True
        keys: set[str] = set()
        for node in nodes:
            keys.update(self._pods_on(cluster, node))
        if pod_faults:
            self._pods_on(cluster, "")
            for pods in (self._node_pods or {}).values():
                keys.update(pods)
        return sorted(keys)

    # --- sync --------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Advance one pod's lifecycle to the current virtual time."""
        self._restore(cluster)
        step = ""
        uid = ""
        if "#" in key:
            key, uid, step = self._apply_step(cluster, key)
            if step.startswith(("crash:", "ibo:")):
                return
        namespace, name = split_key(key)
        pod = cluster.store.peek("", "Pod", namespace, name)
        if pod is None:
            self._forget_runtime(cluster, key)
            return
        pod_uid = pod["metadata"].get("uid", "")
        if uid and uid != pod_uid:
            return
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return
        node = cluster.store.peek("", "Node", "", node_name)
        if node is None:
            return
        now = cluster.clock.now
        if node_is_down(fault_set(cluster), node_name, now):
            return
        rt = self._runtime(key, pod_uid)
        sync = _Sync(self, cluster, pod, node, rt, step)
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(sync)
        else:
            self._sync_pod(sync)
        if sync.wake is not None:
            cluster.enqueue_after(self.name, key, sync.wake - now)

    # --- status writes -----------------------------------------------------------------------

    def _write_status(self, sync: _Sync, status: dict[str, Any]) -> None:
        if status == (sync.pod.get("status") or {}):
            return
        meta = sync.pod["metadata"]
        self._own = sync.key
        try:
            sync.pod = sync.cluster.store.update_status(
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
                 "status": status}, field_manager=KUBELET, copy=False)
        except NotFoundError:
            pass
        finally:
            self._own = None

    # --- IPs ---------------------------------------------------------------------------------

    def _allocate_ip(self, cluster: Cluster, node: Mapping[str, Any]) -> str:
        """The next free pod IP on ``node`` after the last one reserved there (host-local IPAM).

        The IPs in use are derived from the pods bound to the node; the last reserved one is
        state of its own (a freed IP is not handed out again until the range wraps), kept on
        the node's disk by the real plugin and here in a persisted timer key (see ``_ipam_timer``).
        """
        name = node["metadata"]["name"]
        cidr = ((node.get("spec") or {}).get("podCIDR") or "10.244.0.0/24").split("/")[0]
        prefix = cidr.rsplit(".", 1)[0]
        used = self._ips.get(name)
        if used is None:
            used = self._ips[name] = set()
            for key in self._pods_on(cluster, name):
                ns, pod_name = split_key(key)
                other = cluster.store.peek("", "Pod", ns, pod_name)
                ip = ((other or {}).get("status") or {}).get("podIP", "")
                if ip.startswith(prefix + ".") and not (other or {}).get("spec", {}).get("hostNetwork"):
                    used.add(int(ip.rsplit(".", 1)[1]))
        last = self._last_ip.get(name)
        if last is None:
            # No reservation recorded (a new node, or a file written before they were):
            # continue after the highest IP in use.
            last = max(used, default=1)
        for step in range(1, 254):
            candidate = (last - 2 + step) % 253 + 2  # host-local: next after the last, .2–.254
            if candidate not in used:
                used.add(candidate)
                self._reserve_ip(cluster, name, candidate)
                return f"{prefix}.{candidate}"
        return f"{prefix}.254"

    def _ipam_timer(self, node: str, last: int) -> str:
        """The timer key that persists ``node``'s last reserved IP: it is set at infinity, so it
        never fires; it only carries the value to the next command (``_restore``)."""
        return f"{self.name}|{_IPAM_STEP}{node}={last}"

    def _reserve_ip(self, cluster: Cluster, node: str, last: int) -> None:
        previous = self._last_ip.get(node)
        if previous is not None:
            cluster.clock.cancel(self._ipam_timer(node, previous))
        self._last_ip[node] = last
        cluster.clock.schedule(math.inf, self._ipam_timer(node, last))

    def _forget_node_ips(self, cluster: Cluster, node: str) -> None:
        """A deleted node takes its IPAM state with it (a node re-added under the same name is a
        new machine and starts its range afresh)."""
        self._ips.pop(node, None)
        previous = self._last_ip.pop(node, None)
        if previous is not None:
            cluster.clock.cancel(self._ipam_timer(node, previous))

    def _release_ip(self, pod: Mapping[str, Any]) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        ip = (pod.get("status") or {}).get("podIP", "")
        if node in self._ips and ip and not (pod.get("spec") or {}).get("hostNetwork"):
            try:
                self._ips[node].discard(int(ip.rsplit(".", 1)[1]))
            except ValueError:
                pass

    # --- admission ---------------------------------------------------------------------------

    def _admission_error(self, sync: _Sync) -> tuple[str, str] | None:
        """The kubelet's own admission check, for pods that did not come through the scheduler."""
        status = sync.pod.get("status") or {}
        if any(c.get("type") == "PodScheduled" and c.get("status") == "True" for c in status.get("conditions") or []):
            return None
        if not node_matches_required_affinity(sync.spec, sync.node):
            return "NodeAffinity", "Pod was rejected: Predicate NodeAffinity failed"
        allocatable = node_allocatable(sync.node)
        used: dict[str, int] = {}
        count = 0
        for key in self._pods_on(sync.cluster, sync.node_name):
            if key == sync.key:
                continue
            ns, name = split_key(key)
            other = sync.cluster.store.peek("", "Pod", ns, name)
            if other is None or (other.get("status") or {}).get("phase") in ("Succeeded", "Failed", None):
                continue
            if not (other.get("status") or {}).get("startTime"):
                continue
            count += 1
            for resource, amount in pod_requests(other.get("spec") or {}).items():
                used[resource] = used.get(resource, 0) + amount
        if count + 1 > allocatable.get("pods", 110):
            return "OutOfpods", "Pod was rejected: Node didn't have enough resource: pods, requested: 1, " \
                f"used: {count}, capacity: {allocatable.get('pods', 110)}"
        for resource, amount in pod_requests(sync.spec).items():
            if amount and amount > allocatable.get(resource, 0) - used.get(resource, 0):
                return (f"OutOf{resource}", f"Pod was rejected: Node didn't have enough resource: {resource}, "
                        f"requested: {amount}, used: {used.get(resource, 0)}, capacity: {allocatable.get(resource, 0)}")
        return None

    # --- the pod sync --------------------------------------------------------------------------

    def _sync_pod(self, sync: _Sync) -> None:
        pod, spec = sync.pod, sync.spec
        status = dict(pod.get("status") or {})
        if status.get("phase") in ("Succeeded", "Failed"):
            return
        now = sync.now
        if not status.get("startTime"):
            rejected = self._admission_error(sync)
            if rejected is not None:
                reason, message = rejected
                sync.event("Warning", reason, message.removeprefix("Pod was rejected: "))
                status.update({"phase": "Failed", "reason": reason, "message": message, "startTime": _t(now)})
                self._write_status(sync, status)
                return
            self._admit(sync, status)
            sync.wake_at(now + SANDBOX_SECONDS)
            self._write_status(sync, status)
            return
        start = _ts(status["startTime"])
        sandbox_at = start + SANDBOX_SECONDS
        if now < sandbox_at - _EPS:
            sync.wake_at(sandbox_at)
            return
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is not None and now >= start + float(deadline) - _EPS:
            self._deadline_exceeded(sync, status, start + float(deadline))
            return
        if deadline is not None:
            sync.wake_at(start + float(deadline))
        sync.hints["PodReadyToStartContainers"] = _t(sandbox_at)
        init_specs = spec.get("initContainers") or []
        init_statuses = {s["name"]: dict(s) for s in status.get("initContainerStatuses") or []}
        statuses = {s["name"]: dict(s) for s in status.get("containerStatuses") or []}
        default_reason = "PodInitializing" if init_specs else "ContainerCreating"
        initialized_before = any(c.get("type") == "Initialized" and c.get("status") == "True"
                                 for c in status.get("conditions") or [])

        # init containers, in order
        init_done = True
        failed_init = False
        for container in init_specs:
            name = container["name"]
            cs = init_statuses.get(name) or self._waiting_status(container, default_reason)
            if is_sidecar(container):
                if cs.get("started"):
                    continue
            else:
                state = cs.get("state") or {}
                if "terminated" in state and state["terminated"].get("exitCode", 0) == 0:
                    continue
            if initialized_before:
                continue
            cs = self._drive(sync, container, cs, init=True, can_start=True)
            init_statuses[name] = cs
            state = cs.get("state") or {}
            if is_sidecar(container):
                if cs.get("started"):
                    continue
            elif "terminated" in state and state["terminated"].get("exitCode", 0) == 0:
                continue
            elif (spec.get("restartPolicy") or "Always") == "Never" and self._failed(cs):
                failed_init = True
            init_done = False
            break
        if initialized_before:
            init_done = True

        # regular containers (and running sidecars) once initialized
        if init_done and not failed_init:
            last_init_finish = max(
                (_ts(((s.get("state") or {}).get("terminated") or {}).get("finishedAt")) for s in init_statuses.values()
                 if "terminated" in (s.get("state") or {})), default=sandbox_at)
            sync.hints["Initialized"] = _t(max(last_init_finish, sandbox_at))
            for container in init_specs:
                if is_sidecar(container) and init_statuses.get(container["name"], {}).get("started"):
                    init_statuses[container["name"]] = self._drive(sync, container, init_statuses[container["name"]],
                                                                   init=True, can_start=True)
            for container in spec.get("containers") or []:
                name = container["name"]
                cs = statuses.get(name) or self._waiting_status(container, default_reason)
                statuses[name] = self._drive(sync, container, cs, init=False, can_start=not sync.pull_blocked)
        else:
            for container in spec.get("containers") or []:
                statuses.setdefault(container["name"], self._waiting_status(container, default_reason))
        for container in init_specs:
            cs = init_statuses.setdefault(container["name"], self._waiting_status(container, default_reason))
            if not is_sidecar(container):
                terminated = (cs.get("state") or {}).get("terminated")
                cs["ready"] = terminated is not None and terminated.get("exitCode", 0) == 0

        init_list = [init_statuses[c["name"]] for c in init_specs]
        regular_list = [statuses[c["name"]] for c in spec.get("containers") or []]
        phase = pod_phase(spec, init_list, regular_list)
        self._finish_status(sync, status, phase, init_list, regular_list,
                            sandbox_ready=phase not in ("Succeeded", "Failed"), initialized_before=initialized_before)
        self._write_status(sync, status)

    def _finish_status(self, sync: _Sync, status: dict[str, Any], phase: str, init_list: list[dict[str, Any]],
                       regular_list: list[dict[str, Any]], *, sandbox_ready: bool,
                       initialized_before: bool = False) -> None:
        status["phase"] = phase
        status["conditions"] = kubelet_conditions(
            sync.spec, phase, init_list, regular_list, (sync.pod.get("status") or {}).get("conditions") or [],
            sandbox_ready=sandbox_ready, now=_t(sync.now), transition_hints=sync.hints,
            initialized_before=initialized_before)
        ordered: dict[str, Any] = {}
        for field in ("observedGeneration", "phase", "conditions", "message", "reason", "nominatedNodeName", "hostIP",
                      "hostIPs", "podIP", "podIPs", "startTime"):
            if field in status:
                ordered[field] = status[field]
        if init_list:
            ordered["initContainerStatuses"] = init_list
        ordered["containerStatuses"] = regular_list
        for field, value in status.items():
            if field not in ordered and field not in ("initContainerStatuses", "containerStatuses"):
                ordered[field] = value
        status.clear()
        status.update(ordered)

    def _admit(self, sync: _Sync, status: dict[str, Any]) -> None:
        node = sync.node
        addresses = (node.get("status") or {}).get("addresses") or []
        host_ip = next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "")
        pod_ip = host_ip if sync.spec.get("hostNetwork") else self._allocate_ip(sync.cluster, node)
        default_reason = "PodInitializing" if sync.spec.get("initContainers") else "ContainerCreating"
        init_list = [self._waiting_status(c, default_reason) for c in sync.spec.get("initContainers") or []]
        regular = [self._waiting_status(c, default_reason) for c in sync.spec.get("containers") or []]
        status.update({"hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
                       "startTime": _t(sync.now)})
        phase = "Pending"
        self._finish_status(sync, status, phase, init_list, regular, sandbox_ready=False)

    def _deadline_exceeded(self, sync: _Sync, status: dict[str, Any], at: float) -> None:
        message = "Pod was active on the node longer than the specified deadline"
        sync.event("Normal", "DeadlineExceeded", message)
        init_list = [dict(s) for s in status.get("initContainerStatuses") or []]
        regular = [dict(s) for s in status.get("containerStatuses") or []]
        for cs in init_list + regular:
            state = cs.get("state") or {}
            if "running" in state:
                cs["state"] = self._terminated_state(EXIT_SIGKILL, "Error", _ts(state["running"]["startedAt"]), at,
                                                      cs.get("containerID", ""))
                cs["ready"] = False
                cs["started"] = False
        status.update({"reason": "DeadlineExceeded", "message": message})
        self._finish_status(sync, status, "Failed", init_list, regular, sandbox_ready=False)
        self._write_status(sync, status)

    # --- container records -------------------------------------------------------------------

    @staticmethod
    def _volume_mounts(container: Mapping[str, Any]) -> list[dict[str, Any]]:
        mounts = []
        for mount in container.get("volumeMounts") or []:
            entry: dict[str, Any] = {"name": mount.get("name", ""), "mountPath": mount.get("mountPath", "")}
            if mount.get("readOnly"):
                entry["readOnly"] = True
                entry["recursiveReadOnly"] = "Disabled"
            mounts.append(entry)
        return mounts

    def _waiting_status(self, container: Mapping[str, Any], reason: str) -> dict[str, Any]:
        status: dict[str, Any] = {
            "name": container["name"],
            "state": {"waiting": {"reason": reason}},
            "lastState": {},
            "ready": False,
            "restartCount": 0,
            "image": container.get("image", ""),
            "imageID": "",
            "started": False,
        }
        mounts = self._volume_mounts(container)
        if mounts:
            status["volumeMounts"] = mounts
        return status

    @staticmethod
    def _terminated_state(code: int, reason: str, started: float, finished: float, container_id: str,
                          message: str | None = None) -> dict[str, Any]:
        terminated: dict[str, Any] = {"exitCode": code, "reason": reason}
        if message:
            terminated["message"] = message
        terminated.update({"startedAt": _t(started), "finishedAt": _t(finished), "containerID": container_id})
        return {"terminated": terminated}

    @staticmethod
    def _failed(cs: Mapping[str, Any]) -> bool:
        state = cs.get("state") or {}
        term = state.get("terminated") or (cs.get("lastState") or {}).get("terminated")
        return term is not None and term.get("exitCode", 0) != 0

    # --- one container ---------------------------------------------------------------------------

    def _drive(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], *, init: bool,
               can_start: bool) -> dict[str, Any]:
        """Advance one container to ``now``; returns its new status."""
        state = cs.get("state") or {}
        if "running" in state:
            return self._running(sync, container, cs, init=init)
        restart = "terminated" in state or bool((cs.get("lastState") or {}).get("terminated"))
        if container["name"] in sync.rt.pulls:
            # a (re)start waiting for its image: continue it
            return self._start(sync, container, cs, init=init, restart=restart)
        if restart:
            return self._exited(sync, container, cs, init=init)
        if not can_start:
            return cs
        return self._start(sync, container, cs, init=init, restart=False)

    def _policy_restarts(self, sync: _Sync, container: Mapping[str, Any], exit_code: int, *, init: bool) -> bool:
        if init and is_sidecar(container):
            return True
        policy = sync.spec.get("restartPolicy") or "Always"
        if init:
            return exit_code != 0 and policy != "Never"
        return policy == "Always" or (policy == "OnFailure" and exit_code != 0)

    def _exited(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], *, init: bool) -> dict[str, Any]:
        state = cs.get("state") or {}
        last = state.get("terminated") or (cs.get("lastState") or {}).get("terminated") or {}
        exit_code = int(last.get("exitCode", 0))
        if not self._policy_restarts(sync, container, exit_code, init=init):
            return cs
        finished = _ts(last.get("finishedAt"))
        now = sync.now
        if "terminated" in state and now < finished + PLEG_SECONDS - _EPS:
            sync.wake_at(finished + PLEG_SECONDS)
            return cs
        name = container["name"]
        rt = sync.rt
        entry = rt.crash.get(name)
        expired = entry is None or finished - entry[1] > BACKOFF_RESET_SECONDS + _EPS
        if entry is not None and not expired and now - finished < entry[0] - _EPS:
            # CrashLoopBackOff
            backoff = entry[0]
            message = f"back-off {go_duration(backoff)} restarting failed container={name} pod={sync.pod_ref()}"
            new = dict(cs)
            if "terminated" in state:
                new["lastState"] = {"terminated": state["terminated"]}
            new["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": message}}
            new["ready"] = False
            new["started"] = False
            field = "initContainers" if init else "containers"
            entering = (cs.get("state") or {}).get("waiting", {}).get("message") != message
            if entering or sync.trigger == f"bo:{name}:{now!r}":
                sync.event("Warning", "BackOff",
                           f"Back-off restarting failed container {name} in pod {sync.pod_ref()}", container, field)
                next_tick = now + POD_WORKER_RESYNC_SECONDS
                if next_tick < finished + backoff - _EPS:
                    sync.tick(f"bo:{name}:{next_tick!r}", next_tick)
            sync.wake_at(finished + backoff)
            return new
        new_backoff = (BACKOFF_INITIAL_SECONDS if expired or entry is None
                       else min(entry[0] * 2, BACKOFF_MAX_SECONDS))
        self._set_backoff(sync.cluster, sync.key, rt, "crash", name, (new_backoff, finished))
        restarted = dict(cs)
        restarted["lastState"] = {"terminated": last}
        return self._start(sync, container, restarted, init=init, restart=True)

    def _start(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], *, init: bool,
               restart: bool) -> dict[str, Any]:
        """Ensure the image, then create and start the container (or report why not)."""
        name = container["name"]
        field = "initContainers" if init else "containers"
        image = container.get("image", "")
        now = sync.now
        rt = sync.rt
        old_waiting = (cs.get("state") or {}).get("waiting") or {}

        def waiting(reason: str, message: str | None) -> dict[str, Any]:
            new = dict(cs)
            new["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
            new["ready"] = False
            new["started"] = False
            return new

        def changed(reason: str, message: str | None) -> bool:
            return old_waiting.get("reason") != reason or old_waiting.get("message") != message

        def recurring(reason: str, message: str | None, events: list[tuple[str, str, str]]) -> None:
            """Errors the pod worker hits on every sync: entering the state schedules a resync at
            once, and each resync (every ``POD_WORKER_RESYNC_SECONDS``) records the events."""
            due = f"rs:{name}:{now!r}"
            if changed(reason, message) and sync.trigger != due:
                sync.tick(due, now)
            if sync.trigger == due:
                for type_, event_reason, event_message in events:
                    sync.event(type_, event_reason, event_message, container, field)
                sync.tick(f"rs:{name}:{now + POD_WORKER_RESYNC_SECONDS!r}", now + POD_WORKER_RESYNC_SECONDS)

        try:
            info = image_info(image)
        except InvalidImageNameError as exc:
            message = f'Failed to apply default image tag "{image}": {exc}'
            recurring("InvalidImageName", message, [("Warning", "InspectFailed", message),
                                                    ("Warning", "Failed", "Error: InvalidImageName")])
            return waiting("InvalidImageName", message)
        normalized = info.ref.normalized
        present = normalized in self._node_images(sync.node) or image in self._node_images(sync.node)
        policy = container.get("imagePullPolicy") or "IfNotPresent"
        pull = rt.pulls.get(name)
        if pull is not None:
            started, done = pull
            if now < done - _EPS:
                sync.pull_blocked = True  # the pull's own timer wakes the pod when it is done
                return cs
            del rt.pulls[name]
            error = self._pull_error(sync, image, info)
            if error is not None:
                return self._pull_failed(sync, container, cs, image, info, error, field, waiting)
            self._remember_image(sync, info)
            took = go_duration(round(done - started, 3))
            sync.event("Normal", "Pulled", f'Successfully pulled image "{image}" in {took} ({took} including waiting). '
                       f"Image size: {info.size} bytes.", container, field)
        elif policy == "Never" and not present:
            message = f'Container image "{image}" is not present with pull policy of Never'
            recurring("ErrImageNeverPull", message, [("Warning", "ErrImageNeverPull", message),
                                                     ("Warning", "Failed", "Error: ErrImageNeverPull")])
            return waiting("ErrImageNeverPull", message)
        elif policy == "Always" or not present:
            backoff = rt.image_backoff.get(name)
            if backoff is not None and now - backoff[1] < backoff[0] - _EPS:
                error = self._pull_error(sync, image, info)
                previous = f"{error[0]}: {error[1]}" if error else "ErrImagePull"
                message = f'Back-off pulling image "{image}": {previous}'
                recurring("ImagePullBackOff", message, [("Normal", "BackOff", f'Back-off pulling image "{image}"'),
                                                        ("Warning", "Failed", "Error: ImagePullBackOff")])
                sync.wake_at(backoff[1] + backoff[0])
                return waiting("ImagePullBackOff", message)
            error = self._pull_error(sync, image, info)
            duration = pull_seconds(info) if not present else round(0.5, 3)
            if error is not None and error[2] == "Timeout":
                duration = IMAGE_PULL_TIMEOUT_SECONDS
            elif error is not None:
                duration = 0.5
            rt.pulls[name] = (now, now + duration)
            self.schedule_step(sync.cluster, sync.key, rt.uid, f"pull:{name}:{now!r}:{now + duration!r}",
                               now + duration)
            sync.event("Normal", "Pulling", f'Pulling image "{image}"', container, field)
            sync.pull_blocked = True
            reason = "PodInitializing" if sync.spec.get("initContainers") else "ContainerCreating"
            if restart or old_waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff"):
                return cs  # the status shows the last known state until the pull is done
            return waiting(old_waiting.get("reason") or reason, old_waiting.get("message"))
        else:
            sync.event("Normal", "Pulled",
                       f'Container image "{image}" already present on machine and can be accessed by the pod',
                       container, field)
        if name in rt.image_backoff:
            del rt.image_backoff[name]
        return self._run(sync, container, cs, info, init=init, restart=restart)

    def _pull_error(self, sync: _Sync, image: str, info: ImageInfo) -> tuple[str, str, str] | None:
        fault = sync.faults.image_pull(image, info.ref.normalized)
        if fault is None:
            return None
        kind = fault.get("error", "NotFound")
        reason, template = _PULL_ERRORS.get(kind, _PULL_ERRORS["NotFound"])
        message = fault.get("message") or template.format(ref=info.ref.normalized, image=image, domain=info.ref.domain)
        return reason, message, kind

    def _pull_failed(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], image: str,
                     info: ImageInfo, error: tuple[str, str, str], field: str, waiting: Any) -> dict[str, Any]:
        reason, message, kind = error
        name = container["name"]
        cause = f"RegistryUnavailable: {message.split(': ', 1)[-1]}" if kind == "RegistryUnavailable" else message
        sync.event("Warning", "Failed", f'Failed to pull image "{image}": {cause}', container, field)
        sync.event("Warning", "Failed", f"Error: {reason}", container, field)
        entry = sync.rt.image_backoff.get(name)
        now = sync.now
        expired = entry is None or now - entry[1] > BACKOFF_RESET_SECONDS + _EPS
        backoff = BACKOFF_INITIAL_SECONDS if expired or entry is None else min(entry[0] * 2, BACKOFF_MAX_SECONDS)
        self._set_backoff(sync.cluster, sync.key, sync.rt, "ibo", name, (backoff, now))
        next_sync = now + POD_WORKER_RESYNC_SECONDS
        sync.tick(f"rs:{name}:{next_sync!r}", next_sync)
        return waiting(reason, message)  # type: ignore[no-any-return]

    def _remember_image(self, sync: _Sync, info: ImageInfo) -> None:
        """Add a pulled image to the node's ``status.images`` (the node's image cache)."""
        images_set = self._node_images(sync.node)
        names = [f"{info.ref.repository}@{info.digest}", info.ref.normalized]
        images_set.update(names)
        node = sync.cluster.store.peek("", "Node", "", sync.node_name)
        if node is None:
            return
        images = list((node.get("status") or {}).get("images") or [])
        if any(info.ref.normalized in (img.get("names") or []) for img in images):
            return
        images.append({"names": names, "sizeBytes": info.size})
        images.sort(key=lambda img: -int(img.get("sizeBytes") or 0))
        try:
            updated = sync.cluster.store.update_status(
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": sync.node_name},
                 "status": {**(node.get("status") or {}), "images": images[:NODE_STATUS_MAX_IMAGES]}},
                field_manager=KUBELET, copy=False)
            sync.node = updated
            self._images[sync.node_name] = images_set
        except ApiError:
            pass

    def _run(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], info: ImageInfo, *, init: bool,
             restart: bool) -> dict[str, Any]:
        """Create and start the container now."""
        name = container["name"]
        field = "initContainers" if init else "containers"
        sync.event("Normal", "Created", f"Created container: {name}", container, field)
        sync.event("Normal", "Started", f"Started container {name}", container, field)
        container_id = "containerd://" + f"{sync.cluster.rng.getrandbits(256):064x}"
        previous = ((cs.get("state") or {}).get("terminated") or (cs.get("lastState") or {}).get("terminated")
                    if restart else None)
        new: dict[str, Any] = {
            "name": name,
            "state": {"running": {"startedAt": _t(sync.now)}},
            "lastState": {"terminated": previous} if previous else {},
            "ready": False,
            "restartCount": int(cs.get("restartCount", 0)) + (1 if restart else 0),
            "image": info.ref.normalized,
            "imageID": info.image_id,
            "containerID": container_id,
            "started": False,
        }
        resources = container.get("resources") or {}
        if resources.get("requests"):
            new["allocatedResources"] = dict(resources["requests"])
        if resources:
            new["resources"] = {k: dict(v) for k, v in resources.items() if k in ("limits", "requests") and v}
            if not new["resources"]:
                del new["resources"]
        mounts = self._volume_mounts(container)
        if mounts:
            new["volumeMounts"] = mounts
        hook = self._hook(container, "postStart")
        if hook is not None and not hook[1]:
            # the kubelet kills a container whose postStart hook fails, then restarts it per policy
            sync.event("Warning", "FailedPostStartHook", "PostStartHook failed", container, field)
            sync.event("Normal", "Killing", "FailedPostStartHook", container, field)
            run = sync.run_of(container, info, init=init)
            code = EXIT_SIGKILL if run.ignores_sigterm else EXIT_SIGTERM
            new["state"] = self._terminated_state(code, "Error", sync.now, sync.now + hook[0], container_id)
            if self._policy_restarts(sync, container, code, init=init):
                sync.wake_at(sync.now + hook[0] + PLEG_SECONDS)
            return new
        return self._running(sync, container, new, init=init, fresh=True)

    # --- a running container -------------------------------------------------------------------

    def _plan(self, sync: _Sync, container: Mapping[str, Any], cs: Mapping[str, Any], *,
              init: bool) -> tuple[float | None, int, str, str | None, Run]:
        """When the current run exits on its own, with which code, reason and message."""
        started = _ts(cs["state"]["running"]["startedAt"])
        try:
            info: ImageInfo | None = image_info(container.get("image", ""))
        except InvalidImageNameError:
            info = None
        run = sync.run_of(container, info, init=init)
        best: tuple[float | None, int, str, str | None] = (None, 0, "Completed", None)
        if run.seconds is not None:
            code = run.exit_code
            best = (started + run.seconds, code, "Completed" if code == 0 else "Error", None)
        fault = sync.faults.for_pod("container-exit", sync.pod, container["name"])
        if fault is not None:
            times = fault.get("times")
            if times is None or int(cs.get("restartCount", 0)) < int(times):
                at = max(started + float(fault.get("after", 0)), _ts(fault.get("added")))
                if best[0] is None or at < best[0]:
                    code = int(fault.get("exitCode", 1))
                    best = (at, code, fault.get("reason") or ("Completed" if code == 0 else "Error"), None)
        return (*best, run)

    def _probe_fails_from(self, sync: _Sync, kind: str, container: Mapping[str, Any],
                          started: float) -> tuple[float | None, str | None]:
        fault = sync.faults.for_pod(kind, sync.pod, container["name"])
        if fault is None:
            return None, None
        return max(started + float(fault.get("after", 0)), _ts(fault.get("added"))), fault.get("message")

    def _ports(self, container: Mapping[str, Any]) -> dict[str, int]:
        return {p["name"]: int(p.get("containerPort", 0)) for p in container.get("ports") or [] if p.get("name")}

    def _running(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any], *, init: bool,
                 fresh: bool = False) -> dict[str, Any]:
        name = container["name"]
        field = "initContainers" if init else "containers"
        now = sync.now
        started = _ts(cs["state"]["running"]["startedAt"])
        # a new image in the spec: the kubelet restarts the container
        try:
            wanted = parse_image(container.get("image", "")).normalized
        except InvalidImageNameError:
            wanted = container.get("image", "")
        if cs.get("image") and wanted != cs.get("image"):
            sync.event("Normal", "Killing", f"Container {name} definition changed, will be restarted", container, field)
            stopped = dict(cs)
            stopped["state"] = self._terminated_state(0, "Completed", started, now, cs.get("containerID", ""))
            stopped["ready"] = False
            stopped["started"] = False
            restarted = dict(stopped)
            restarted["lastState"] = {"terminated": stopped["state"]["terminated"]}
            return self._start(sync, container, restarted, init=init, restart=True)
        exit_at, code, reason, message, run = self._plan(sync, container, cs, init=init)
        sidecar_or_regular = not init or is_sidecar(container)
        startup = probe_spec(container.get("startupProbe")) if sidecar_or_regular else None
        liveness = probe_spec(container.get("livenessProbe")) if sidecar_or_regular else None
        readiness = probe_spec(container.get("readinessProbe")) if sidecar_or_regular else None
        pod_ip = (sync.pod.get("status") or {}).get("podIP", "")
        ports = self._ports(container)
        candidates: list[tuple[float, int, str, str | None, str]] = []  # (time, code, reason, message, why)
        if exit_at is not None:
            candidates.append((exit_at, code, reason, message, "exit"))
        gate = started
        started_ok = True
        if startup is not None:
            fails_from, custom = self._probe_fails_from(sync, "startup", container, started)
            line = timeline(startup, started, started, fails_from)
            self._probe_events(sync, container, field, "startup", line, started, pod_ip, ports, custom, fresh=fresh)
            if line.success_at is not None:
                gate = line.success_at
                started_ok = now >= gate - _EPS
                if not started_ok:
                    sync.wake_at(gate)
            else:
                started_ok = False
                gate = math.inf
                if line.failure_at is not None:
                    candidates.append((line.failure_at, -1, "", probe_failure_message(
                        "startup", line.spec.handler, pod_ip, ports, custom), "startup"))
        if liveness is not None and gate != math.inf:
            fails_from, custom = self._probe_fails_from(sync, "liveness", container, started)
            line = timeline(liveness, started, gate, fails_from)
            self._probe_events(sync, container, field, "liveness", line, started, pod_ip, ports, custom, fresh=fresh)
            if line.failure_at is not None:
                candidates.append((line.failure_at, -1, "", probe_failure_message(
                    "liveness", line.spec.handler, pod_ip, ports, custom), "liveness"))
        end = min((c[0] for c in candidates), default=math.inf)
        if end <= now + _EPS:
            return self._stop_run(sync, container, cs, min(candidates), run, started, field, init=init)
        if end != math.inf:
            sync.wake_at(end)
        ready = started_ok
        if readiness is not None and started_ok:
            fails_from, custom = self._probe_fails_from(sync, "readiness", container, started)
            line = timeline(readiness, started, gate, fails_from)
            self._probe_events(sync, container, field, "readiness", line, started, pod_ip, ports, custom, until=end,
                               fresh=fresh)
            ready_now = line.success_at is not None and now >= line.success_at - _EPS
            if line.failure_at is not None and now >= line.failure_at - _EPS:
                ready_now = False
            ready = ready_now
            for t in (line.success_at, line.failure_at):
                if t is not None and t > now + _EPS:
                    sync.wake_at(t)
        if init and not is_sidecar(container):
            ready = False
        new = dict(cs)
        new["ready"] = bool(ready)
        new["started"] = bool(started_ok)
        return new

    def _probe_events(self, sync: _Sync, container: Mapping[str, Any], field: str, kind: str, line: Any,
                      started: float, pod_ip: str, ports: Mapping[str, int], custom: str | None,
                      until: float = math.inf, fresh: bool = False) -> None:
        """``Unhealthy`` events for failing probes. Each failing probe is a timer of its own (so
        it is recorded exactly once, at its time); a sync records the one whose timer fired and
        schedules the next."""
        if line.first_failing_tick is None:
            return
        name = container["name"]
        limit = line.failure_at if kind != "readiness" else until
        prefix = f"pf:{name}:{kind}:{started!r}:"
        after = started - 0.01 if fresh else sync.now
        if sync.trigger.startswith(prefix):
            tick = float(sync.trigger[len(prefix):])
            if tick >= line.first_failing_tick - _EPS and (limit is None or tick <= limit + _EPS):
                sync.event("Warning", "Unhealthy",
                           probe_failure_message(kind, line.spec.handler, pod_ip, ports, custom), container, field)
            after = max(sync.now, tick)
        upcoming = line.next_failing_tick(after)
        if upcoming is None or (limit is not None and upcoming > limit + _EPS):
            return
        sync.tick(f"{prefix}{upcoming!r}", upcoming)

    def _stop_run(self, sync: _Sync, container: Mapping[str, Any], cs: dict[str, Any],
                  cause: tuple[float, int, str, str | None, str], run: Run, started: float, field: str, *,
                  init: bool) -> dict[str, Any]:
        at, code, reason, message, why = cause
        name = container["name"]
        if why in ("liveness", "startup"):
            if not sync.trigger.startswith(f"pf:{name}:{why}:{started!r}:"):
                # the last failing probe, unless its own timer is the one running this sync
                sync.event("Warning", "Unhealthy", message or "", container, field)
            sync.event("Normal", "Killing", f"Container {name} failed {why} probe, will be restarted", container, field)
            code = EXIT_SIGKILL if run.ignores_sigterm else EXIT_SIGTERM
            reason = "Error"
            message = None
        stopped = dict(cs)
        stopped["state"] = self._terminated_state(code, reason, started, at, cs.get("containerID", ""), message)
        stopped["ready"] = False
        stopped["started"] = False
        if self._policy_restarts(sync, container, code, init=init):
            sync.wake_at(at + PLEG_SECONDS)
        return stopped

    # --- termination ---------------------------------------------------------------------------

    def _terminate(self, sync: _Sync) -> None:
        pod, spec = sync.pod, sync.spec
        meta = pod["metadata"]
        status = dict(pod.get("status") or {})
        grace = float(meta.get("deletionGracePeriodSeconds") or 0)
        if status.get("phase") in ("Succeeded", "Failed") or not status.get("startTime"):
            if grace or status.get("phase") not in ("Succeeded", "Failed"):
                self._delete(sync)
            return
        begin = _ts(meta["deletionTimestamp"]) - grace
        now = sync.now
        rt = sync.rt
        init_list = [dict(s) for s in status.get("initContainerStatuses") or []]
        regular = [dict(s) for s in status.get("containerStatuses") or []]
        specs = {c["name"]: (c, True) for c in spec.get("initContainers") or []}
        specs.update({c["name"]: (c, False) for c in spec.get("containers") or []})
        latest = begin
        running = []
        failed_hooks: list[tuple[Mapping[str, Any], bool]] = []
        for cs in init_list + regular:
            state = cs.get("state") or {}
            if "running" not in state or cs["name"] not in specs:
                continue
            container, is_init = specs[cs["name"]]
            try:
                info: ImageInfo | None = image_info(container.get("image", ""))
            except InvalidImageNameError:
                info = None
            run = sync.run_of(container, info, init=is_init)
            hook = self._hook(container, "preStop")
            remaining = grace
            used = 0.0
            if hook is not None:
                used = min(hook[0], grace)
                remaining = max(grace - used, MINIMUM_GRACE_PERIOD_SECONDS)
                if not hook[1] and not rt.kill_announced:
                    failed_hooks.append((container, is_init))
            stop_at = begin + used + (remaining if run.ignores_sigterm else 0.0)
            if run.ignores_sigterm:
                code = EXIT_SIGKILL
            else:
                code = 0 if self._default_server(container, info) else EXIT_SIGTERM
            running.append((cs, container, is_init, stop_at, code))
            latest = max(latest, stop_at)
        if not rt.kill_announced:
            rt.kill_announced = True
            if now < latest - _EPS:
                # The pod outlives this sync, maybe this command: a command reopening the
                # cluster must know that the kill was announced (the step never fires; it goes
                # with the pod, see _forget_runtime).
                self.schedule_step(sync.cluster, sync.key, rt.uid, _KILLED_STEP, math.inf)
            for _cs, container, is_init, _stop, _code in running:
                sync.event("Normal", "Killing", f"Stopping container {container['name']}", container,
                           "initContainers" if is_init else "containers")
            for container, is_init in failed_hooks:
                sync.event("Warning", "FailedPreStopHook", "PreStopHook failed", container,
                           "initContainers" if is_init else "containers")
        if now < latest - _EPS:
            sync.wake_at(latest)
            return
        for cs, _container, _is_init, stop_at, code in running:
            started = _ts(cs["state"]["running"]["startedAt"])
            cs["state"] = self._terminated_state(code, "Completed" if code == 0 else "Error", started, stop_at,
                                                  cs.get("containerID", ""))
            cs["ready"] = False
            cs["started"] = False
        phase = pod_phase(spec, init_list, regular, terminal=True)
        if phase not in ("Succeeded", "Failed"):
            phase = "Failed"  # a pod stopped before its containers ran to completion
        self._finish_status(sync, status, phase, init_list, regular, sandbox_ready=False)
        self._write_status(sync, status)
        self._delete(sync)

    @staticmethod
    def _default_server(container: Mapping[str, Any], info: ImageInfo | None) -> bool:
        return (not container.get("command") and not container.get("args") and info is not None
                and info.behaviour == "serve")

    @staticmethod
    def _hook(container: Mapping[str, Any], hook: str) -> tuple[float, bool] | None:
        """How long a lifecycle hook runs and whether it succeeds (None: no such hook).

        ``exec`` handlers run the simulated program, which is expected to finish (a command
        that cannot be executed — a path with stray whitespace — or a non-zero exit fails);
        ``sleep`` sleeps; ``httpGet`` succeeds at once; ``tcpSocket`` is not a valid handler
        and fails.
        """
        handler = (container.get("lifecycle") or {}).get(hook)
        if not handler:
            return None
        if "sleep" in handler:
            return float((handler["sleep"] or {}).get("seconds") or 0), True
        if "exec" in handler:
            command = [str(c) for c in (handler["exec"] or {}).get("command") or []]
            if not command or command[0] != command[0].strip():
                return 0.0, False
            run = simulated_run({"name": container.get("name", ""), "command": command}, None, {},
                                runs_to_completion=True)
            return (run.seconds if run.seconds is not None else math.inf), run.exit_code == 0
        if "tcpSocket" in handler:
            return 0.0, False
        return 0.0, True

    def _delete(self, sync: _Sync) -> None:
        meta = sync.pod["metadata"]
        self._own = sync.key
        try:
            sync.cluster.store.delete("v1", "Pod", meta["name"], namespace=meta["namespace"], grace_period_seconds=0,
                                      preconditions={"uid": meta.get("uid", "")}, copy=False)
        except ApiError:
            pass
        finally:
            self._own = None
