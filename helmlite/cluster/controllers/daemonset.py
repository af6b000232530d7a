"""The DaemonSet controller (kubernetes-simulation.md §1.4; ``pkg/controller/daemon``).

One pod per node the DaemonSet should run on (``NodeShouldRunDaemonPod``): the node must pass
the template's ``nodeName``, ``nodeSelector`` and required node affinity, and its NoSchedule
and NoExecute taints must be tolerated — counting the tolerations every DaemonSet pod gets
(``node.kubernetes.io/not-ready`` and ``unreachable`` NoExecute, ``disk-pressure``,
``memory-pressure``, ``pid-pressure`` and ``unschedulable`` NoSchedule, plus
``network-unavailable`` for host-network pods). A pod already running stays while only
NoSchedule taints are untolerated.

The controller does not bind: each pod (``<ds>-<5 random chars>``) carries a required node
affinity ``matchFields metadata.name In [<node>]`` and the scheduler places it. Nodes being
added, removed or relabelled wake the DaemonSets whose verdict for that node changed.

The sync follows ``syncDaemonSet``: the template is recorded as a ControllerRevision
``<ds>-<hash>`` (the hash is the pod-template hash; pods carry it as ``controller-revision-hash``;
an older equal revision is renumbered instead of duplicated), then ``manage`` creates missing
pods (at most 250 per sync, in slow-start batches) and deletes pods on nodes that should not
run them, failed pods (with back-off) and surplus pods; then ``RollingUpdate`` replaces old
pods — with ``maxSurge`` 0 by deleting up to ``maxUnavailable`` available old pods (unavailable
ones first; the replacement is created once the old pod is gone), with ``maxSurge`` > 0 by
creating the new pod beside the old one and deleting the old one once the new one is
available — while ``OnDelete`` waits for the user; then old revisions beyond
``revisionHistoryLimit`` are pruned and the status is written.

The Go loops over every node are kept as per-node contributions (``_NodeView``) that a sync
recomputes only for the nodes whose pods or node changed (``_DaemonState``): the simulator syncs
a set on every pod transition, and a rolling update must stay linear in the node count.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import (
    KindController,
    SelectorCache,
    controller_ref,
    object_key,
    orphan_adopters,
    split_key,
)
from helmlite.cluster.controllers.scheduler import (
    find_untolerated_taint,
    node_matches_required_affinity,
)
from helmlite.cluster.errors import AlreadyExistsError, ApiError, NotFoundError
from helmlite.cluster.history import (
    CONTROLLER_MANAGER,
    OrderedKeys,
    build_revision,
    claim,
    owner_reference,
    selector_matcher,
    set_revision_number,
    sort_revisions,
    template_patch,
)
from helmlite.cluster.podutil import (
    is_pod_available,
    is_pod_ready,
    parse_time,
    template_hash,
)
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from datetime import datetime

    from helmlite.cluster.clock import VirtualClock
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "BURST_REPLICAS",
    "DAEMON_TOLERATIONS",
    "REVISION_LABEL",
    "TEMPLATE_GENERATION_LABEL",
    "DaemonSetController",
    "daemon_tolerations",
    "node_should_run",
    "target_node",
]

REVISION_LABEL = "controller-revision-hash"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
# The API server records spec.templateGeneration (extensions/v1beta1) under this annotation.
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
# The most pods one sync creates or deletes (daemon_controller.go BurstReplicas).
BURST_REPLICAS = 250
# failedPodsBackoff: 1 s doubling to 15 min between deletions of failed pods on one node.
FAILED_POD_BACKOFF_INITIAL = 1.0
FAILED_POD_BACKOFF_MAX = 900.0
# Timer keys ``daemonset-controller|failed-backoff:<ds uid>/<generation>/<node>#<backoff>#<since>``
# persist that back-off (see ``_Backoff``).
_FAILED_BACKOFF_STEP = "failed-backoff:"
_COMPONENT = "daemonset-controller"
_NOT_READY, _UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
# util.AddOrUpdateDaemonPodTolerations, in its order.
DAEMON_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": _NOT_READY, "operator": "Exists", "effect": "NoExecute"},
    {"key": _UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
_NETWORK_UNAVAILABLE = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


# --- node eligibility (the scheduler's predicates, with the daemon tolerations) ----------------

def daemon_tolerations(pod_spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pod's tolerations with the DaemonSet defaults added or updated
    (``AddOrUpdateTolerationInPodSpec``: one equal in key, operator, value and effect is replaced)."""
    tolerations = [dict(t) for t in pod_spec.get("tolerations") or []]
    extra = [*DAEMON_TOLERATIONS, *((_NETWORK_UNAVAILABLE,) if pod_spec.get("hostNetwork") else ())]
    for wanted in extra:
        same = [i for i, t in enumerate(tolerations)
                if all((t.get(k) or "") == (wanted.get(k) or "") for k in ("key", "operator", "value", "effect"))]
        if not same:
            tolerations.append(dict(wanted))
        elif tolerations[same[0]] != wanted:
            for i in same:
                tolerations[i] = dict(wanted)
    return tolerations


def node_should_run(node: Mapping[str, Any], ds: Mapping[str, Any]) -> tuple[bool, bool]:
    """``NodeShouldRunDaemonPod``: (should run a pod there, should keep one running there)."""
    pod_spec = (ds["spec"].get("template") or {}).get("spec") or {}
    node_name = node["metadata"]["name"]
    if pod_spec.get("nodeName") and pod_spec["nodeName"] != node_name:
        return False, False
    if not node_matches_required_affinity(pod_spec, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    if not taints:
        return True, True
    tolerations = daemon_tolerations(pod_spec)
    if find_untolerated_taint(taints, tolerations, ("NoSchedule", "NoExecute")) is None:
        return True, True
    # A pod already there stays unless a NoExecute taint is untolerated.
    return False, find_untolerated_taint(taints, tolerations, ("NoExecute",)) is None


def target_node(pod: Mapping[str, Any]) -> str | None:
    """``GetTargetNodeName``: the pod's node, or the one its node affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("nodeSelectorTerms") or []:
        for req in term.get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                values = req.get("values") or []
                return str(values[0]) if len(values) == 1 else None
    return None


def _pin_to_node(affinity: Mapping[str, Any] | None, node_name: str) -> dict[str, Any]:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    out = copy_object(dict(affinity or {}))
    node_affinity = out.setdefault("nodeAffinity", {})
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}
    else:
        required["nodeSelectorTerms"] = [term]
    return out


# --- helpers ---------------------------------------------------------------------------------------

def _scaled_value(value: Any, total: int, round_up: bool) -> int:
    # intstr.GetScaledValueFromIntOrPercent
    if value is None:
        return 0
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value)


def _phase(pod: Mapping[str, Any]) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def _deleting(pod: Mapping[str, Any]) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _by_age(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``podByCreationTimestampAndPhase``: scheduled first, then oldest, then by name."""
    return sorted(pods, key=lambda p: (not (p.get("spec") or {}).get("nodeName"),
                                       p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))


def _hash_of(pod: Mapping[str, Any]) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_LABEL, "")


class _Backoff:
    """client-go ``flowcontrol.Backoff`` per key, on the virtual clock.

    Each entry is mirrored in a timer key at +∞ that never fires (``<prefix><key>#<backoff>#<last
    update>``), so a command reopening the cluster keeps the back-off of the failures an earlier
    command saw; entries are loaded from those keys on first use. An entry idle for more than
    twice the maximum acts as absent (client-go's ``GC`` drops it): such entries, and their
    timers, are dropped whenever an entry is added.
    """

    def __init__(self, initial: float, maximum: float, timer_prefix: str) -> None:
        self._initial, self._max, self._prefix = initial, maximum, timer_prefix
        # (the clock the entries belong to, key -> (backoff, last update)); None until loaded.
        self._loaded: tuple[VirtualClock, dict[str, tuple[float, float]]] | None = None

    def _entries(self, clock: VirtualClock) -> dict[str, tuple[float, float]]:
        if self._loaded is None or self._loaded[0] is not clock:
            entries: dict[str, tuple[float, float]] = {}
            for _at, timer in clock.pending_with_prefix(self._prefix):
                key, backoff, last = timer[len(self._prefix):].rsplit("#", 2)
                entries[key] = (float(backoff), float(last))
            self._loaded = (clock, entries)
        return self._loaded[1]

    def _timer(self, key: str, entry: tuple[float, float]) -> str:
        return f"{self._prefix}{key}#{entry[0]!r}#{entry[1]!r}"

    def _expired(self, entry: tuple[float, float], now: float) -> bool:
        return now - entry[1] > 2 * self._max

    def in_backoff(self, clock: VirtualClock, key: str) -> bool:
        """Whether ``key`` failed less than its back-off ago."""
        entry = self._entries(clock).get(key)
        if entry is None or self._expired(entry, clock.now):
            return False
        return clock.now - entry[1] < entry[0]

    def get(self, clock: VirtualClock, key: str) -> float:
        """``key``'s current back-off (0 if none)."""
        return self._entries(clock).get(key, (0.0, 0.0))[0]

    def next(self, clock: VirtualClock, key: str) -> None:
        """Record a failure of ``key`` now: the back-off starts at the initial value or doubles."""
        entries, now = self._entries(clock), clock.now
        entry = entries.get(key)
        if entry is None or self._expired(entry, now):
            updated = (self._initial, now)
        else:
            updated = (min(entry[0] * 2, self._max), now)
        for stale in [k for k, e in entries.items() if k == key or self._expired(e, now)]:
            clock.cancel(self._timer(stale, entries.pop(stale)))
        entries[key] = updated
        clock.schedule(math.inf, self._timer(key, updated))


class _NodeView:
    """What one node (or a vanished node that still has pods) contributes to one sync of a
    DaemonSet: a function of the node, the set's pods on it, the set's spec and current hash —
    and of the clock only while a pod there is ready but not yet ``minReadySeconds`` old."""

    __slots__ = (
        "allowed",
        "available",
        "candidate",
        "creates",
        "deletes",
        "ghost",
        "live_manage",
        "replacement",
        "should_not_run",
        "status",
        "surge_candidate",
        "surge_delete",
        "surging",
        "time_dependent",
        "unavailable",
    )

    def __init__(self) -> None:
        self.ghost = False  # the node is gone; ``deletes`` are its pods bound to no node
        # (desired, current, misscheduled, ready, available, updated) for updateDaemonSetStatus
        self.status: tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)
        # podsShouldBeOnNode, remembered unless live_manage (failed or succeeded pods there:
        # each manage pass records events and consults the back-off, so it must run then)
        self.creates = False
        self.deletes: tuple[str, ...] = ()
        self.live_manage = False
        self.time_dependent = False
        # rollingUpdate without surge: unavailable count, an unavailable old pod to replace,
        # an available old pod that may be deleted
        self.unavailable = 0
        self.replacement: str | None = None
        self.candidate: str | None = None
        # rollingUpdate with surge
        self.surging = 0
        self.available = 0
        self.surge_delete: str | None = None
        self.should_not_run: str | None = None
        self.allowed = False
        self.surge_candidate = False


class _DaemonState:
    """One DaemonSet's pods by node and every node's contribution to its sync, kept between
    syncs so that a sync costs what changed since the last one, not the node count.

    The simulator syncs a set on every transition of one of its pods; recomputing the whole
    picture each time made a rolling update quadratic in the node count. The pods are indexed
    from the watch events (``observe_pod``); a node whose pods or node object changed is
    *dirty* and its ``_NodeView`` is recomputed before the next phase reads the totals.
    The state is only a cache: it is rebuilt from the store when the controller has none (a
    new command, a restored cluster file), when the spec or the current hash changes, or when
    an orphan or a no-longer-matching pod needs the ControllerRefManager's claim.
    """

    def __init__(self, store: object, ds: Mapping[str, Any], hash_: str, selector: LabelSelector) -> None:
        self.store, self.uid, self.spec, self.hash = store, ds["metadata"]["uid"], ds["spec"], hash_
        self.selector = selector
        self.needs_claim = False
        # Every claimed pod by name, with its position in the store's order (the order
        # getNodesToDaemonPods lists them in, which decides the order of some deletions).
        self.pods: dict[str, tuple[int, Mapping[str, Any]]] = {}
        self.by_node: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
        self.hash_counts: Counter[str] = Counter()
        self._next_seq = 0
        self.dirty: set[str] = set()
        self.views: dict[str, _NodeView] = {}
        self.time_dependent: set[str] = set()
        self.actionable: set[str] = set()  # nodes whose remembered manage result does something
        self.live_manage: set[str] = set()
        self.ghost_deletes: dict[str, tuple[str, ...]] = {}  # pods bound to no node, by vanished node
        self.totals = [0] * 6
        self.unavailable = self.surging = self.available = 0
        self.replacements: dict[str, str] = {}
        self.candidates = OrderedKeys[str]()
        self.surge_deletes: dict[str, str] = {}
        self.should_not_run: dict[str, str] = {}
        self.allowed: set[str] = set()
        self.surge_candidates = OrderedKeys[str]()

    def fits(self, store: object, ds: Mapping[str, Any], hash_: str) -> bool:
        """Still describes ``ds`` as stored now (else it must be rebuilt)."""
        return (self.store is store and not self.needs_claim and self.hash == hash_
                and self.uid == ds["metadata"]["uid"] and (ds["spec"] is self.spec or ds["spec"] == self.spec))

    # --- the pod index ---------------------------------------------------------------------

    def add_claimed(self, pods: Iterable[Mapping[str, Any]]) -> None:
        """Index the pods ``claim`` returned, in the store's order."""
        for pod in pods:
            self._index(pod, self._take_seq())

    def observe_pod(self, event: WatchEvent) -> None:
        """Follow one watch event of a pod this set controls (before or after the event)."""
        name = event.object["metadata"]["name"]
        known = self.pods.pop(name, None)
        if known is not None:
            self._unindex(known[1])
        if event.type == "DELETED":
            return
        pod = event.object
        if (controller_ref(pod) or {}).get("uid") != self.uid:
            return
        if not self.selector.matches(pod["metadata"].get("labels") or {}):
            self.needs_claim = True  # claim must release it
            return
        self._index(pod, known[0] if known is not None else self._take_seq())

    def _take_seq(self) -> int:
        self._next_seq += 1
        return self._next_seq

    def _index(self, pod: Mapping[str, Any], seq: int) -> None:
        self.pods[pod["metadata"]["name"]] = (seq, pod)
        self.hash_counts[_hash_of(pod)] += 1
        if _deleting(pod) and _phase(pod) in ("Succeeded", "Failed"):
            return
        node_name = target_node(pod)
        if node_name is None:
            return
        on_node = self.by_node.setdefault(node_name, [])
        bisect.insort(on_node, (seq, pod), key=lambda entry: entry[0])
        self.dirty.add(node_name)

    def _unindex(self, pod: Mapping[str, Any]) -> None:
        pod_hash = _hash_of(pod)
        self.hash_counts[pod_hash] -= 1
        if not self.hash_counts[pod_hash]:
            del self.hash_counts[pod_hash]
        node_name = target_node(pod)
        on_node = self.by_node.get(node_name) if node_name is not None else None
        if not on_node:
            return
        name = pod["metadata"]["name"]
        on_node[:] = [entry for entry in on_node if entry[1]["metadata"]["name"] != name]
        if not on_node:
            del self.by_node[node_name]  # type: ignore[arg-type]
        self.dirty.add(node_name)  # type: ignore[arg-type]

    def pods_on(self, node_name: str) -> list[Mapping[str, Any]]:
        return [pod for _seq, pod in self.by_node.get(node_name, ())]

    def live_hashes(self) -> set[str]:
        """The revision hashes the set's pods (deleted terminal ones included) carry."""
        return set(self.hash_counts)

    # --- the totals ------------------------------------------------------------------------

    def replace_view(self, node_name: str, view: _NodeView | None) -> None:
        """Swap the node's contribution to the totals for ``view`` (None: it contributes nothing)."""
        old = self.views.pop(node_name, None)
        if old is not None:
            self._add(node_name, old, -1)
        if view is not None:
            self.views[node_name] = view
            self._add(node_name, view, 1)
        else:
            for members in (self.time_dependent, self.actionable, self.live_manage, self.allowed):
                members.discard(node_name)
            for by_name in (self.replacements, self.surge_deletes, self.should_not_run, self.ghost_deletes):
                by_name.pop(node_name, None)
            self.candidates.set(node_name, False)
            self.surge_candidates.set(node_name, False)

    def _add(self, node_name: str, view: _NodeView, sign: int) -> None:
        totals = self.totals
        for i, value in enumerate(view.status):
            totals[i] += sign * value
        self.unavailable += sign * view.unavailable
        self.surging += sign * view.surging
        self.available += sign * view.available
        if sign < 0:
            return
        _toggle(self.time_dependent, node_name, view.time_dependent)
        _toggle(self.actionable, node_name,
                not view.ghost and not view.live_manage and (view.creates or bool(view.deletes)))
        _assign_many(self.ghost_deletes, node_name, view.deletes if view.ghost else ())
        _toggle(self.live_manage, node_name, view.live_manage)
        _toggle(self.allowed, node_name, view.allowed)
        _assign(self.replacements, node_name, view.replacement)
        _assign(self.surge_deletes, node_name, view.surge_delete)
        _assign(self.should_not_run, node_name, view.should_not_run)
        self.candidates.set(node_name, view.candidate is not None)
        self.surge_candidates.set(node_name, view.surge_candidate)


def _toggle(members: set[str], name: str, member: bool) -> None:
    if member:
        members.add(name)
    else:
        members.discard(name)


def _assign_many(by_name: dict[str, tuple[str, ...]], name: str, values: tuple[str, ...]) -> None:
    if values:
        by_name[name] = values
    else:
        by_name.pop(name, None)


def _assign(by_name: dict[str, str], name: str, value: str | None) -> None:
    if value is None:
        by_name.pop(name, None)
    else:
        by_name[name] = value


class DaemonSetController(KindController):
    """Keeps one pod of each DaemonSet on every eligible node, its revisions and status."""

    name = _COMPONENT
    kind = ("apps", "DaemonSet")
    owns = (("", "Pod"),)

    def __init__(self) -> None:
        self._selectors = SelectorCache()
        self._failed_backoff = _Backoff(FAILED_POD_BACKOFF_INITIAL, FAILED_POD_BACKOFF_MAX,
                                        f"{self.name}|{_FAILED_BACKOFF_STEP}")
        # Each DaemonSet's pods by node and per-node contributions, by uid (see _DaemonState).
        self._states: dict[str, _DaemonState] = {}
        # (store, node name -> node), followed from the watch events once built.
        self._node_index: tuple[object, dict[str, Mapping[str, Any]]] | None = None
        # How many times a node's contribution to a sync was computed: the work of the syncs,
        # which the scale regression test and the benchmark report (never a time).
        self.node_visits = 0
        # node name -> (node, pod template spec, node_should_run): nodes rarely change while a
        # set rolls, and every sync asks about every node.
        self._verdicts: dict[str, tuple[Mapping[str, Any], Mapping[str, Any], tuple[bool, bool]]] = {}

    @property
    def watches(self) -> tuple[tuple[str, str], ...]:
        """DaemonSets, their pods, and nodes."""
        return (self.kind, *self.owns, ("", "Node"))

    # --- wakeups ---------------------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """The DaemonSet itself; a pod's controlling DaemonSet (or, for an orphan, the ones
        selecting it); for a node, the DaemonSets whose verdict about it changed."""
        group_kind = event.kind.group_kind
        if group_kind == ("", "Node"):
            self._observe_node(cluster, event)
            return self._keys_for_node(cluster, event)
        if group_kind == self.kind and event.type == "DELETED":
            uid = event.object["metadata"].get("uid", "")
            self._selectors.forget(uid)
            self._states.pop(uid, None)
        if group_kind == ("", "Pod"):
            self._observe_pod(event)
        keys = list(super().keys_for(cluster, event))
        for ds in orphan_adopters(cluster, event, "apps", "DaemonSet", self._selectors):
            state = self._states.get(ds["metadata"].get("uid", ""))
            if state is not None:
                state.needs_claim = True  # an orphan to adopt
            key = object_key(ds)
            if key not in keys:
                keys.append(key)
        return keys

    def _observe_pod(self, event: WatchEvent) -> None:
        """Keep the pod index of the set(s) controlling the pod before and after the event."""
        if not self._states:
            return
        uids: list[str] = []
        for obj in (event.old, event.object):
            uid = (controller_ref(obj) or {}).get("uid") if obj is not None else None
            if uid is not None and uid not in uids:
                uids.append(uid)
        for uid in uids:
            state = self._states.get(uid)
            if state is not None:
                state.observe_pod(event)

    def _observe_node(self, cluster: Cluster, event: WatchEvent) -> None:
        """Keep the node index; a node whose verdict may have changed is dirty for every set."""
        if self._node_index is None or self._node_index[0] is not cluster.store:
            return
        nodes, name = self._node_index[1], event.object["metadata"]["name"]
        if event.type == "DELETED":
            nodes.pop(name, None)
        else:
            nodes[name] = event.object
            if event.type == "MODIFIED" and event.old is not None and _ignorable_node_update(event.old, event.object):
                return  # a heartbeat: every verdict stays
        for state in self._states.values():
            state.dirty.add(name)

    def _nodes(self, cluster: Cluster) -> dict[str, Mapping[str, Any]]:
        """Every node by name (built once per store, then followed from the watch events)."""
        if self._node_index is None or self._node_index[0] is not cluster.store:
            self._node_index = (cluster.store, {n["metadata"]["name"]: n for n in cluster.store.peek_all("", "Node")})
        return self._node_index[1]

    def _keys_for_node(self, cluster: Cluster, event: WatchEvent) -> list[str]:
        node, old = event.object, event.old
        # sorted: the sets sync in this order, and the store's order differs after a restore
        daemonsets = sorted(cluster.store.peek_all("apps", "DaemonSet"), key=object_key)
        if event.type == "DELETED":
            return [object_key(ds) for ds in daemonsets]
        if event.type == "ADDED" or old is None:
            return [object_key(ds) for ds in daemonsets if node_should_run(node, ds)[0]]
        if _ignorable_node_update(old, node):
            return []
        return [object_key(ds) for ds in daemonsets if node_should_run(old, ds) != node_should_run(node, ds)]

    def _selector(self, ds: Mapping[str, Any]) -> LabelSelector:
        return self._selectors.get(ds)

    # --- sync ------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge one DaemonSet (``syncDaemonSet``)."""
        namespace, name = split_key(key)
        ds = cluster.store.peek("apps", "DaemonSet", namespace, name)
        if ds is None:
            return
        selector = ds["spec"].get("selector")
        if selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions"):
            cluster.events.record(ds, "Warning", "SelectingAll",
                                  "This daemon set is selecting all pods. A non-empty selector is required.",
                                  component=self.name)
            return
        if ds["metadata"].get("deletionTimestamp"):
            return
        current, old = self._construct_history(cluster, ds)
        hash_ = (current["metadata"].get("labels") or {}).get(REVISION_LABEL, "")
        failure: ApiError | None = None
        try:
            state = self._state(cluster, ds, hash_)
            self._manage(cluster, ds, state)
            if (ds["spec"].get("updateStrategy") or {}).get("type") == "RollingUpdate":
                self._rolling_update(cluster, ds, state)
            self._cleanup_history(cluster, ds, old, state)
        except ApiError as error:
            failure = error
        self._update_status(cluster, key, ds, hash_)
        if failure is not None:
            raise failure

    def _now(self, cluster: Cluster) -> datetime:
        now = parse_time(cluster.clock.now_rfc3339())
        assert now is not None
        return now

    def _nodes_to_pods(self, cluster: Cluster, ds: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
        """``getNodesToDaemonPods`` with deleted terminal pods included: a full scan, for the
        rare revision dedup (the syncs use the ``_DaemonState`` index)."""
        out: dict[str, list[Mapping[str, Any]]] = {}
        for pod in self._claim_pods(cluster, ds):
            node_name = target_node(pod)
            if node_name is not None:
                out.setdefault(node_name, []).append(pod)
        return out

    @staticmethod
    def _claim_pods(cluster: Cluster, ds: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The ControllerRefManager's claim over the namespace's pods, in name order.

        Raises:
            ApiError: adopting or releasing a pod failed.
        """
        uid = ds["metadata"]["uid"]
        candidates = []
        for pod in cluster.store.peek_all("", "Pod", ds["metadata"]["namespace"]):
            ref = controller_ref(pod)
            if ref is None or ref.get("uid") == uid:
                candidates.append(pod)
        return claim(cluster, ds, candidates, api_version="v1", kind="Pod", match=selector_matcher(ds))

    def _state(self, cluster: Cluster, ds: Mapping[str, Any], hash_: str) -> _DaemonState:
        """The set's ``_DaemonState``, rebuilt from a claim over the store when it no longer fits.

        Raises:
            ApiError: the claim's adoption or release failed.
        """
        uid = ds["metadata"]["uid"]
        state = self._states.get(uid)
        if state is not None and state.fits(cluster.store, ds, hash_):
            return state
        # Unregistered while claiming, so that the adoptions' watch events are not indexed twice.
        self._states.pop(uid, None)
        pods = self._claim_pods(cluster, ds)
        state = _DaemonState(cluster.store, ds, hash_, self._selector(ds))
        state.add_claimed(pods)
        state.dirty.update(self._nodes(cluster))
        self._states[uid] = state
        return state

    def _refresh(self, cluster: Cluster, ds: Mapping[str, Any], state: _DaemonState) -> None:
        """Recompute the contribution of every node that changed, or that the clock can change."""
        min_ready = ds["spec"].get("minReadySeconds") or 0
        now = self._now(cluster)
        nodes = self._nodes(cluster)
        for node_name in state.dirty | state.time_dependent:
            state.replace_view(node_name, self._view(cluster, ds, state, nodes.get(node_name), node_name,
                                                     min_ready, now))
        state.dirty.clear()

    def _view(self, cluster: Cluster, ds: Mapping[str, Any], state: _DaemonState, node: Mapping[str, Any] | None,
              node_name: str, min_ready: int, now: datetime) -> _NodeView | None:
        """One node's contribution to manage, rolling update and status (the bodies of their
        per-node loops in the Go controller); None when it has neither a node nor pods."""
        self.node_visits += 1
        pods = state.pods_on(node_name)
        if node is None and not pods:
            return None
        hash_ = state.hash

        def available(pod: Mapping[str, Any]) -> bool:
            return is_pod_available(pod, min_ready, now)

        view = _NodeView()
        view.time_dependent = min_ready > 0 and any(is_pod_ready(p) and not available(p) for p in pods)
        should_run = False
        if node is None:
            view.ghost = True
            view.deletes = tuple(p["metadata"]["name"] for p in pods if not (p.get("spec") or {}).get("nodeName"))
        else:
            should_run = self._should_run(node, ds)[0]
            view.live_manage = any(not _deleting(p) and _phase(p) in ("Failed", "Succeeded") for p in pods)
            if not view.live_manage:
                create, delete = self._pods_should_be_on_node(cluster, node, {node_name: pods}, ds, hash_)
                view.creates, view.deletes = bool(create), tuple(delete)
            view.status = _node_status(should_run, pods, hash_, min_ready, now)
        if not pods and not should_run:
            return view
        found = _updated_pods_on_node(pods, hash_)
        if found is None:
            view.unavailable = view.surging = 1
            return view
        new_pod, old_pod = found
        # rollingUpdate without surge
        if (old_pod is None) == (new_pod is None):
            view.unavailable = 1
        elif new_pod is not None:
            view.unavailable = int(not available(new_pod))
        elif old_pod is not None and not available(old_pod):
            view.unavailable, view.replacement = 1, old_pod["metadata"]["name"]
        elif old_pod is not None:
            view.candidate = old_pod["metadata"]["name"]
        # rollingUpdate with surge
        if old_pod is not None:
            view.available = int(available(old_pod))
        elif new_pod is not None:
            view.available = int(available(new_pod))
        if old_pod is None:
            return view
        if new_pod is None:
            runs = node is not None and should_run
            if not available(old_pod):
                if runs:
                    view.allowed = True
                else:
                    view.surge_delete = old_pod["metadata"]["name"]
            elif runs:
                view.surge_candidate = True
            else:
                view.should_not_run = old_pod["metadata"]["name"]
        elif not available(new_pod):
            view.surging = 1
        else:
            view.surge_delete = old_pod["metadata"]["name"]
        return view

    def _should_run(self, node: Mapping[str, Any], ds: Mapping[str, Any]) -> tuple[bool, bool]:
        """``node_should_run``, remembered per node while the node and the pod template stay
        the same objects (stored snapshots are immutable)."""
        pod_spec = (ds["spec"].get("template") or {}).get("spec") or {}
        name = node["metadata"]["name"]
        known = self._verdicts.get(name)
        if known is not None and known[0] is node and known[1] is pod_spec:
            return known[2]
        verdict = node_should_run(node, ds)
        self._verdicts[name] = (node, pod_spec, verdict)
        return verdict

    # --- manage ----------------------------------------------------------------------------

    def _manage(self, cluster: Cluster, ds: Mapping[str, Any], state: _DaemonState) -> None:
        """``manage``: podsShouldBeOnNode over the nodes in name order — only the nodes where it
        does something, or must run again (failed or succeeded pods) — then the pods of
        vanished nodes that were never bound."""
        self._refresh(cluster, ds, state)
        nodes = self._nodes(cluster)
        needing: list[str] = []
        to_delete: list[str] = []
        for node_name in sorted(state.actionable | state.live_manage):
            view = state.views[node_name]
            if view.live_manage:
                create, delete = self._pods_should_be_on_node(
                    cluster, nodes[node_name], {node_name: state.pods_on(node_name)}, ds, state.hash)
                needing.extend(create)
                to_delete.extend(delete)
            else:
                if view.creates:
                    needing.append(node_name)
                to_delete.extend(view.deletes)
        for node_name in sorted(state.ghost_deletes):
            to_delete.extend(state.ghost_deletes[node_name])
        self._sync_nodes(cluster, ds, to_delete, needing, state.hash)

    def _pods_should_be_on_node(self, cluster: Cluster, node: Mapping[str, Any],
                                node_to_pods: Mapping[str, list[Mapping[str, Any]]], ds: Mapping[str, Any],
                                hash_: str) -> tuple[list[str], list[str]]:
        """``podsShouldBeOnNode``: (nodes needing a pod, pods to delete) for one node."""
        node_name = node["metadata"]["name"]
        should_run, should_continue = self._should_run(node, ds)
        pods = node_to_pods.get(node_name)
        if should_run and not pods:
            return [node_name], []
        if should_continue:
            to_delete: list[str] = []
            running: list[Mapping[str, Any]] = []
            for pod in pods or []:
                if _deleting(pod):
                    continue
                phase = _phase(pod)
                if phase == "Failed":
                    backoff_key = (f"{ds['metadata']['uid']}/{(ds.get('status') or {}).get('observedGeneration', 0)}"
                                   f"/{node_name}")
                    if self._failed_backoff.in_backoff(cluster.clock, backoff_key):
                        cluster.enqueue_after(self.name, object_key(ds),
                                              self._failed_backoff.get(cluster.clock, backoff_key))
                        continue
                    self._failed_backoff.next(cluster.clock, backoff_key)
                    cluster.events.record(ds, "Warning", "FailedDaemonPod",
                                          f"Found failed daemon pod {pod['metadata']['namespace']}/"
                                          f"{pod['metadata']['name']} on node {node_name}, will try to kill it",
                                          component=self.name)
                    to_delete.append(pod["metadata"]["name"])
                elif phase == "Succeeded":
                    cluster.events.record(ds, "Normal", "SucceededDaemonPod",
                                          f"Found succeeded daemon pod {pod['metadata']['namespace']}/"
                                          f"{pod['metadata']['name']} on node {node_name}, will try to delete it",
                                          component=self.name)
                    to_delete.append(pod["metadata"]["name"])
                else:
                    running.append(pod)
            if not _allows_surge(ds):
                if len(running) > 1:
                    to_delete.extend(p["metadata"]["name"] for p in _by_age(running)[1:])
                return [], to_delete
            if len(running) <= 1:
                return ([node_name] if not running and should_run else []), to_delete
            oldest_new: Mapping[str, Any] | None = None
            oldest_old: Mapping[str, Any] | None = None
            for pod in _by_age(running):
                if _hash_of(pod) == hash_:
                    if oldest_new is None:
                        oldest_new = pod
                        continue
                elif oldest_old is None:
                    oldest_old = pod
                    continue
                to_delete.append(pod["metadata"]["name"])
            if oldest_new is not None and oldest_old is not None:
                min_ready = ds["spec"].get("minReadySeconds") or 0
                if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, min_ready, self._now(cluster)):
                    to_delete.append(oldest_old["metadata"]["name"])
            return [], to_delete
        if pods:
            return [], [p["metadata"]["name"] for p in pods if not _deleting(p)]
        return [], []

    def _sync_nodes(self, cluster: Cluster, ds: Mapping[str, Any], to_delete: list[str], needing: list[str],
                    hash_: str) -> None:
        """``syncNodes``: create pods for ``needing`` (slow start) and delete ``to_delete``,
        at most ``BURST_REPLICAS`` of each.

        Raises:
            ApiError: the first create or delete that failed.
        """
        meta = ds["metadata"]
        namespace = meta["namespace"]
        create_count = min(len(needing), BURST_REPLICAS)
        errors: list[ApiError] = []
        ns = cluster.store.peek("", "Namespace", "", namespace)
        if create_count and not (ns is not None and ns["metadata"].get("deletionTimestamp")):
            template = self._pod_template(ds, hash_)
            batch, pos = min(create_count, 1), 0
            while create_count > pos:
                failed_before = len(errors)
                for node_name in needing[pos:pos + batch]:
                    try:
                        self._create_pod(cluster, ds, template, node_name)
                    except ApiError as error:
                        errors.append(error)
                skipped = create_count - (pos + batch)
                if len(errors) > failed_before and skipped > 0:
                    break
                batch, pos = min(2 * batch, create_count - (pos + batch)), pos + batch
        for pod_name in to_delete[:BURST_REPLICAS]:
            try:
                cluster.store.delete("v1", "Pod", pod_name, namespace=namespace, copy=False)
            except NotFoundError:
                continue
            except ApiError as error:
                cluster.events.record(ds, "Warning", "FailedDelete", f"Error deleting: {error}", component=self.name)
                errors.append(error)
                continue
            cluster.events.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}", component=self.name)
        if errors:
            raise errors[0]

    @staticmethod
    def _pod_template(ds: Mapping[str, Any], hash_: str) -> dict[str, Any]:
        """``CreatePodTemplate``: the template with the daemon tolerations and the hash label."""
        template = copy_object(ds["spec"].get("template") or {})
        spec = template.setdefault("spec", {})
        spec["tolerations"] = daemon_tolerations(spec)
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        if generation is not None and generation.lstrip("-").isdigit():
            labels[TEMPLATE_GENERATION_LABEL] = str(int(generation))
        if hash_:
            labels[REVISION_LABEL] = hash_
        return template

    def _create_pod(self, cluster: Cluster, ds: Mapping[str, Any], template: Mapping[str, Any],
                    node_name: str) -> None:
        """``CreatePods`` for one node: ``generateName: <ds>-``, pinned by node affinity."""
        template_meta = template.get("metadata") or {}
        meta: dict[str, Any] = {"generateName": f"{ds['metadata']['name']}-", "namespace": ds["metadata"]["namespace"],
                                "labels": dict(template_meta.get("labels") or {})}
        if template_meta.get("annotations"):
            meta["annotations"] = dict(template_meta["annotations"])
        if template_meta.get("finalizers"):
            meta["finalizers"] = list(template_meta["finalizers"])
        meta["ownerReferences"] = [owner_reference(ds)]
        spec = copy_object(template.get("spec") or {})
        spec["affinity"] = _pin_to_node(spec.get("affinity"), node_name)
        try:
            created = cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec},
                                           field_manager=CONTROLLER_MANAGER, copy=False)
        except ApiError as error:
            cluster.events.record(ds, "Warning", "FailedCreate", f"Error creating: {error}", component=self.name)
            raise
        cluster.events.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}",
                              component=self.name)

    # --- rolling update --------------------------------------------------------------------

    def _rolling_update(self, cluster: Cluster, ds: Mapping[str, Any], state: _DaemonState) -> None:
        """``rollingUpdate``: which old pods to delete, or (with surge) which nodes get a new pod.

        The Go loop walks the nodes in name order and takes a candidate only while fewer than
        the budget are unavailable (or surging) *so far*; when the total is under the budget
        every prefix is too, and when it is not nothing is taken — so the totals and the first
        candidates by name give the same answer without the walk.
        """
        self._refresh(cluster, ds, state)
        desired = state.totals[0]
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_unavailable = _scaled_value(rolling.get("maxUnavailable"), desired, round_up=True)
        max_surge = _scaled_value(rolling.get("maxSurge"), desired, round_up=True)
        if desired > 0 and max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        views = state.views
        if max_surge == 0:
            replacements = [state.replacements[n] for n in sorted(state.replacements)]
            remaining = max(max_unavailable - state.unavailable, 0)
            candidates = [views[n].candidate or "" for n in state.candidates.first(remaining)]
            self._sync_nodes(cluster, ds, replacements + candidates, [], state.hash)
            return
        to_delete = [state.surge_deletes[n] for n in sorted(state.surge_deletes)]
        deletable = state.available - desired
        if deletable > 0:
            to_delete.extend(state.should_not_run[n] for n in sorted(state.should_not_run)[:deletable])
        remaining = max(max_surge - state.surging, 0)
        self._sync_nodes(cluster, ds, to_delete, sorted(state.allowed) + state.surge_candidates.first(remaining),
                         state.hash)

    # --- history ---------------------------------------------------------------------------

    def _construct_history(self, cluster: Cluster,
                           ds: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """``constructHistory``: (the revision of the current template, the older ones)."""
        uid, namespace = ds["metadata"]["uid"], ds["metadata"]["namespace"]
        candidates = [r for r in cluster.store.peek_all("apps", "ControllerRevision", namespace)
                      if (controller_ref(r) or {}).get("uid", uid) == uid]
        histories = claim(cluster, ds, candidates, api_version="apps/v1", kind="ControllerRevision",
                          match=selector_matcher(ds))
        wanted = template_patch(ds)
        current: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        for history in histories:
            if REVISION_LABEL not in (history["metadata"].get("labels") or {}):
                history = cluster.store.patch(
                    "apps/v1", "ControllerRevision", history["metadata"]["name"],
                    {"metadata": {"labels": {REVISION_LABEL: history["metadata"]["name"]}}},
                    namespace=namespace, field_manager=CONTROLLER_MANAGER, copy=False)
            (current if history.get("data") == wanted else old).append(history)
        number = max((h.get("revision", 0) for h in old), default=0) + 1
        if not current:
            return self._snapshot(cluster, ds, number), old
        keep = self._dedup(cluster, ds, current)
        if keep.get("revision", 0) < number:
            set_revision_number(cluster, keep, number)
        return keep, old

    def _snapshot(self, cluster: Cluster, ds: Mapping[str, Any], number: int) -> dict[str, Any]:
        """Record the current template as revision ``number``.

        Raises:
            AlreadyExistsError: the name is taken by another template; ``collisionCount`` was
            bumped and the sync is retried.
        """
        template = ds["spec"].get("template") or {}
        collision_count = (ds.get("status") or {}).get("collisionCount")
        hash_ = template_hash(template, int(collision_count or 0))
        name = f"{ds['metadata']['name']}-{hash_}"
        labels = {**((template.get("metadata") or {}).get("labels") or {}), REVISION_LABEL: hash_}
        revision = build_revision(ds, name=name, labels=labels, data=template_patch(ds), revision=number)
        try:
            return cluster.store.create(revision, field_manager=CONTROLLER_MANAGER, copy=False)
        except AlreadyExistsError:
            existing = cluster.store.peek("apps", "ControllerRevision", ds["metadata"]["namespace"], name)
            if existing is not None and existing.get("data") == revision["data"]:
                return existing
            status = dict(ds.get("status") or {})
            status["collisionCount"] = int(collision_count or 0) + 1
            cluster.store.update_status({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
                "name": ds["metadata"]["name"], "namespace": ds["metadata"]["namespace"]}, "status": status},
                field_manager=CONTROLLER_MANAGER, copy=False)
            raise

    def _dedup(self, cluster: Cluster, ds: Mapping[str, Any], current: list[dict[str, Any]]) -> dict[str, Any]:
        """``dedupCurHistories``: keep the highest-numbered equal revision, relabel pods to it."""
        if len(current) == 1:
            return current[0]
        keep = current[0]
        for history in current:
            if history.get("revision", 0) >= keep.get("revision", 0):
                keep = history
        keep_hash = (keep["metadata"].get("labels") or {}).get(REVISION_LABEL, "")
        for pods in self._nodes_to_pods(cluster, ds).values():
            for pod in pods:
                if _hash_of(pod) != keep_hash:
                    cluster.store.patch("v1", "Pod", pod["metadata"]["name"],
                                        {"metadata": {"labels": {REVISION_LABEL: keep_hash}}},
                                        namespace=pod["metadata"]["namespace"], field_manager=CONTROLLER_MANAGER,
                                        copy=False)
        for history in current:
            if history["metadata"]["name"] != keep["metadata"]["name"]:
                try:
                    cluster.store.delete("apps/v1", "ControllerRevision", history["metadata"]["name"],
                                         namespace=history["metadata"]["namespace"], copy=False)
                except NotFoundError:
                    pass
        return keep

    def _cleanup_history(self, cluster: Cluster, ds: Mapping[str, Any], old: list[dict[str, Any]],
                         state: _DaemonState) -> None:
        """Delete the oldest revisions no pod runs, beyond ``revisionHistoryLimit``."""
        to_kill = len(old) - int(ds["spec"].get("revisionHistoryLimit", 10))
        if to_kill <= 0:
            return
        live = state.live_hashes()
        live.discard("")
        for history in sort_revisions(old):
            if to_kill <= 0:
                break
            if (history["metadata"].get("labels") or {}).get(REVISION_LABEL) in live:
                continue
            try:
                cluster.store.delete("apps/v1", "ControllerRevision", history["metadata"]["name"],
                                     namespace=history["metadata"]["namespace"], copy=False)
            except NotFoundError:
                pass
            to_kill -= 1

    # --- status ----------------------------------------------------------------------------

    def _update_status(self, cluster: Cluster, key: str, ds: Mapping[str, Any], hash_: str) -> None:
        """``updateDaemonSetStatus``: the per-node counts, summed; write only what changed.

        Raises:
            ApiError: the claim needed to rebuild the set's state failed.
        """
        ds = cluster.store.peek("apps", "DaemonSet", ds["metadata"]["namespace"], ds["metadata"]["name"]) or ds
        min_ready = ds["spec"].get("minReadySeconds") or 0
        state = self._state(cluster, ds, hash_)
        self._refresh(cluster, ds, state)
        desired, current, misscheduled, ready, available, updated = state.totals
        counts = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": desired, "numberReady": ready, "updatedNumberScheduled": updated,
                  "numberAvailable": available, "numberUnavailable": desired - available}
        old = ds.get("status") or {}
        generation = ds["metadata"].get("generation", 0)
        if all(old.get(k, 0) == v for k, v in counts.items()) and old.get("observedGeneration", 0) >= generation:
            pass
        else:
            status = {k: v for k, v in old.items() if k not in counts and k != "observedGeneration"}
            status.update(_status_json(counts, generation))
            try:
                cluster.store.update_status({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
                    "name": ds["metadata"]["name"], "namespace": ds["metadata"]["namespace"]}, "status": status},
                    field_manager=CONTROLLER_MANAGER, copy=False)
            except NotFoundError:
                return
        if min_ready > 0 and ready != available:
            cluster.enqueue_after(self.name, key, min_ready)


def _status_json(counts: Mapping[str, int], generation: int) -> dict[str, Any]:
    """DaemonSetStatus as Go serialises it (omitempty counters left out when zero)."""
    out: dict[str, Any] = {"currentNumberScheduled": counts["currentNumberScheduled"],
                           "numberMisscheduled": counts["numberMisscheduled"],
                           "desiredNumberScheduled": counts["desiredNumberScheduled"],
                           "numberReady": counts["numberReady"]}
    if generation:
        out["observedGeneration"] = generation
    for field in ("updatedNumberScheduled", "numberAvailable", "numberUnavailable"):
        if counts[field]:
            out[field] = counts[field]
    return out


def _node_status(should_run: bool, pods: Sequence[Mapping[str, Any]], hash_: str, min_ready: int,
                 now: datetime) -> tuple[int, int, int, int, int, int]:
    """One node's (desired, current, misscheduled, ready, available, updated) counts: its
    oldest pod decides ready, available and updated."""
    if not should_run:
        return 0, 0, int(bool(pods)), 0, 0, 0
    if not pods:
        return 1, 0, 0, 0, 0, 0
    pod = _by_age(pods)[0]
    ready = is_pod_ready(pod)
    available = ready and is_pod_available(pod, min_ready, now)
    return 1, 1, 0, int(ready), int(available), int(bool(hash_) and _hash_of(pod) == hash_)


def _allows_surge(ds: Mapping[str, Any]) -> bool:
    strategy = ds["spec"].get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        return False
    return _scaled_value((strategy.get("rollingUpdate") or {}).get("maxSurge"), 1, round_up=True) > 0


def _updated_pods_on_node(pods: Iterable[Mapping[str, Any]], hash_: str,
                          ) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] | None:
    """``findUpdatedPodsOnNode``: (new pod, old pod) among the live pods, None if several of either."""
    new_pod: Mapping[str, Any] | None = None
    old_pod: Mapping[str, Any] | None = None
    for pod in pods:
        if _deleting(pod):
            continue
        if hash_ and _hash_of(pod) == hash_:
            if new_pod is not None:
                return None
            new_pod = pod
        else:
            if old_pod is not None:
                return None
            old_pod = pod
    return new_pod, old_pod


def _ignorable_node_update(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """``shouldIgnoreNodeUpdate``: only heartbeats changed (same set of True conditions)."""
    def true_conditions(node: Mapping[str, Any]) -> set[str]:
        return {c.get("type", "") for c in (node.get("status") or {}).get("conditions") or []
                if c.get("status") == "True"}

    if true_conditions(old) != true_conditions(new):
        return False

    def rest(node: Mapping[str, Any]) -> tuple[Any, ...]:
        meta = {k: v for k, v in node["metadata"].items() if k not in ("resourceVersion", "managedFields")}
        status = {k: v for k, v in (node.get("status") or {}).items() if k != "conditions"}
        return meta, node.get("spec"), status

    return rest(old) == rest(new)
