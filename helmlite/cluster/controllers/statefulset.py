"""The StatefulSet controller (kubernetes-simulation.md §1.3; ``pkg/controller/statefulset``).

Pods are ``<set>-<ordinal>`` over ``[spec.ordinals.start, start + replicas)``, each with its
own PersistentVolumeClaims ``<template>-<set>-<ordinal>`` created before it. The sync follows
``stateful_set_control.go``:

1. revisions: the template is recorded as a ControllerRevision ``<set>-<hash>``; an equal older
   revision is renumbered (a rollback) rather than duplicated; ``status.currentRevision`` is
   the revision pods ``[0, currentReplicas)`` run, ``status.updateRevision`` the template's;
2. replicas in ordinal order: failed/succeeded pods are deleted (and recreated on a later
   sync), missing pods are created at the current revision below the partition and at the
   update revision from it. ``OrderedReady`` stops at the first pod created, terminating, or
   not Running+Ready+available; ``Parallel`` goes through all of them;
3. condemned pods (ordinals outside the range) are deleted highest first — in
   ``OrderedReady`` one at a time, each only once its successor is gone and every other pod is
   healthy; PVCs stay unless ``persistentVolumeClaimRetentionPolicy`` says ``Delete`` (then the
   claims are owned by the set and/or the condemned pod and the garbage collector removes them);
4. ``RollingUpdate``: up to ``maxUnavailable`` (default 1, percentages of replicas rounded
   down, at least 1) pods at or above the partition whose revision is not the update revision
   are deleted, highest ordinal first, and recreated at the update revision by step 2;
   ``OnDelete`` leaves that to the user;
5. status, and the revision history trimmed to ``revisionHistoryLimit`` non-live revisions.

Events are the controller's own (``create Pod web-0 in StatefulSet web successful``,
``create Claim www-web-0 Pod web-0 in StatefulSet web success``, ``delete Pod web-4 …``).

The per-replica loops are kept as per-ordinal contributions (``_OrdinalView``) that a sync
recomputes only for the ordinals whose pods or claims changed (``_SetState``), so that an
``OrderedReady`` scale-up or rolling update stays linear in the replica count although the
simulator syncs the set on every pod transition.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import (
    KindController,
    SelectorCache,
    controller_ref,
    object_key,
    orphan_adopters,
    split_key,
)
from helmlite.cluster.errors import AlreadyExistsError, ApiError, NotFoundError
from helmlite.cluster.history import (
    CONTROLLER_MANAGER,
    REVISION_HASH_LABEL,
    OrderedKeys,
    build_revision,
    claim,
    create_revision,
    equal_revision,
    find_equal_revisions,
    hash_revision,
    next_revision,
    owner_reference,
    revision_name,
    selector_matcher,
    set_revision_number,
    sort_revisions,
    template_of,
    template_patch,
)
from helmlite.cluster.podutil import is_pod_available, is_pod_ready, parse_time
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from datetime import datetime

    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "POD_INDEX_LABEL",
    "POD_NAME_LABEL",
    "REVISION_LABEL",
    "StatefulSetController",
    "claim_name",
    "parent_and_ordinal",
    "pod_name",
]

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"
# Parallel pod management creates and deletes in slow-start batches of at most this size.
MAX_BATCH_SIZE = 500
_COMPONENT = "statefulset-controller"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")
_INT32_MAX = 2**31 - 1


def pod_name(set_name: str, ordinal: int) -> str:
    """``<set>-<ordinal>``."""
    return f"{set_name}-{ordinal}"


def claim_name(template_name: str, set_name: str, ordinal: int) -> str:
    """``<claim template>-<set>-<ordinal>``: the PVC of one pod."""
    return f"{template_name}-{set_name}-{ordinal}"


@functools.lru_cache(maxsize=65536)
def parent_and_ordinal(name: str) -> tuple[str, int]:
    """The set name and ordinal a pod name encodes; ``("", -1)`` if it encodes none.

    Cached: every sync of a set parses the name of each of its pods again.
    """
    match = _ORDINAL.match(name)
    if match is None:
        return "", -1
    ordinal = int(match.group(2))
    return match.group(1), (ordinal if ordinal <= _INT32_MAX else -1)


def _ordinal(pod: Mapping[str, Any]) -> int:
    return parent_and_ordinal(pod["metadata"]["name"])[1]


def _phase(pod: Mapping[str, Any]) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def _terminating(pod: Mapping[str, Any]) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _running_and_ready(pod: Mapping[str, Any]) -> bool:
    return _phase(pod) == "Running" and is_pod_ready(pod)


def _available(pod: Mapping[str, Any], min_ready: int, now: datetime) -> bool:
    return _phase(pod) == "Running" and is_pod_available(pod, min_ready, now)


def _unavailable(pod: Mapping[str, Any], min_ready: int, now: datetime) -> bool:
    return not is_pod_available(pod, min_ready, now) or _terminating(pod)


def _revision_of(pod: Mapping[str, Any]) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_LABEL, "")


def _start(sts: Mapping[str, Any]) -> int:
    return int(((sts["spec"].get("ordinals") or {}).get("start")) or 0)


def _scaled_value(value: Any, total: int, round_up: bool) -> int:
    # intstr.GetScaledValueFromIntOrPercent
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value)


def _retention(sts: Mapping[str, Any]) -> tuple[str, str]:
    policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
    return policy.get("whenDeleted") or "Retain", policy.get("whenScaled") or "Retain"


class _OrdinalView:
    """What one ordinal contributes to a sync of its StatefulSet: a function of the set's spec
    and revisions, the pods with that ordinal, their claims — and of the clock only while a pod
    there is ready but not yet ``minReadySeconds`` old."""

    __slots__ = ("condemned", "counts", "member_unavailable", "outdated", "pending", "time_dependent",
                 "unavailable_condemned", "unsettled_condemned")

    def __init__(self) -> None:
        # (replicas, ready, available, current, updated) as updateStatus counts them
        self.counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
        self.time_dependent = False
        # in range: the member is missing or unavailable / processReplica must look at it /
        # it runs an old revision and is not terminating (a rolling update victim)
        self.member_unavailable = self.pending = self.outdated = False
        # out of range: its pods (seq, pod), the unavailable ones, the ones whose claims'
        # owners do not match the retention policy yet
        self.condemned: list[tuple[int, dict[str, Any]]] = []
        self.unavailable_condemned: list[tuple[int, dict[str, Any]]] = []
        self.unsettled_condemned: list[tuple[int, dict[str, Any]]] = []


class _SetState:
    """One StatefulSet's pods by ordinal and every ordinal's contribution to its sync, kept
    between syncs so that an ``OrderedReady`` sync costs what changed, not the replica count.

    The simulator syncs a set on every transition of one of its pods, and the Go loop walks
    every replica each time (quadratic over a scale-up or a rolling update). Here the pods are
    indexed from the watch events, *applied at the start of a sync* so that the whole sync sees
    the snapshot it claimed (as ``updateStatefulSet`` does with its pod list); an ordinal whose
    pods or claims changed is dirty and its ``_OrdinalView`` is recomputed; the totals and the
    ordered "pending", "unavailable", "outdated" and "condemned" keys follow. The state is only a
    cache: rebuilt from a claim over the store when the controller has none (a new command, a
    restored cluster file) or an orphan or a no-longer-matching pod needs the claim.
    """

    def __init__(self, store: object, sts: Mapping[str, Any], selector: LabelSelector) -> None:
        meta = sts["metadata"]
        self.store, self.uid, self.name, self.namespace = store, meta["uid"], meta["name"], meta["namespace"]
        self.selector = selector
        self.needs_claim = False
        self._events: list[WatchEvent] = []
        self.pods: dict[str, tuple[int, dict[str, Any]]] = {}
        self.by_ordinal: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        self.revisions: Counter[str] = Counter()
        self._next_seq = 0
        self.dirty: set[int] = set()
        self.context: tuple[Any, ...] | None = None
        self.start = 0
        self.views: dict[int, _OrdinalView] = {}
        self.time_dependent: set[int] = set()
        self.totals = [0] * 5
        self.unavailable_members = OrderedKeys[int]()  # member index
        self.pending = OrderedKeys[int]()  # member index
        self.outdated = OrderedKeys[int]()  # -member index: highest first
        self.condemned = OrderedKeys[tuple[int, int]]()  # (-ordinal, seq): highest first
        self.unavailable_condemned = OrderedKeys[tuple[int, int]]()  # (ordinal, -seq): reversed order
        self.unsettled_condemned: dict[tuple[int, int], dict[str, Any]] = {}  # (-ordinal, seq)
        self.condemned_pods: dict[tuple[int, int], dict[str, Any]] = {}  # (-ordinal, seq)

    # --- the pod index ---------------------------------------------------------------------

    def add_claimed(self, pods: Iterable[dict[str, Any]]) -> None:
        """Index the pods ``claim`` returned, in the store's order."""
        for pod in pods:
            self._index(pod, self._take_seq())

    def observe(self, event: WatchEvent) -> None:
        """Remember a watch event of one of its pods, to apply at the next sync."""
        self._events.append(event)

    def apply_events(self) -> None:
        """Bring the index up to the store, marking the ordinals whose pods changed."""
        events, self._events = self._events, []
        for event in events:
            name = event.object["metadata"]["name"]
            known = self.pods.pop(name, None)
            if known is not None:
                self._unindex(known[1])
            if event.type == "DELETED":
                continue
            pod = event.object
            if (controller_ref(pod) or {}).get("uid") != self.uid:
                continue
            if (parent_and_ordinal(name)[0] != self.name
                    or not self.selector.matches(pod["metadata"].get("labels") or {})):
                self.needs_claim = True  # claim must release it
                continue
            self._index(pod, known[0] if known is not None else self._take_seq())

    def _take_seq(self) -> int:
        self._next_seq += 1
        return self._next_seq

    def _index(self, pod: dict[str, Any], seq: int) -> None:
        self.pods[pod["metadata"]["name"]] = (seq, pod)
        self.revisions[_revision_of(pod)] += 1
        ordinal = _ordinal(pod)
        if ordinal >= 0:
            bisect.insort(self.by_ordinal.setdefault(ordinal, []), (seq, pod), key=lambda entry: entry[0])
            self.dirty.add(ordinal)

    def _unindex(self, pod: Mapping[str, Any]) -> None:
        revision = _revision_of(pod)
        self.revisions[revision] -= 1
        if not self.revisions[revision]:
            del self.revisions[revision]
        ordinal = _ordinal(pod)
        at = self.by_ordinal.get(ordinal)
        if not at:
            return
        name = pod["metadata"]["name"]
        at[:] = [entry for entry in at if entry[1]["metadata"]["name"] != name]
        if not at:
            del self.by_ordinal[ordinal]
        self.dirty.add(ordinal)

    def member(self, ordinal: int) -> dict[str, Any] | None:
        """The pod at an in-range ordinal (the last in the store's order if names collide)."""
        at = self.by_ordinal.get(ordinal)
        return at[-1][1] if at else None

    def all_pods(self) -> list[dict[str, Any]]:
        return [pod for _seq, pod in self.pods.values()]

    # --- the totals ------------------------------------------------------------------------

    def replace_view(self, ordinal: int, view: _OrdinalView | None) -> None:
        """Swap the ordinal's contribution for ``view`` (None: it contributes nothing)."""
        old = self.views.pop(ordinal, None)
        if old is not None:
            self._add(ordinal, old, False)
        if view is not None:
            self.views[ordinal] = view
            self._add(ordinal, view, True)

    def _add(self, ordinal: int, view: _OrdinalView, adding: bool) -> None:
        sign = 1 if adding else -1
        totals = self.totals
        for i, value in enumerate(view.counts):
            totals[i] += sign * value
        index = ordinal - self.start
        if view.time_dependent:
            (self.time_dependent.add if adding else self.time_dependent.discard)(ordinal)
        if view.member_unavailable:
            self.unavailable_members.set(index, adding)
        if view.pending:
            self.pending.set(index, adding)
        if view.outdated:
            self.outdated.set(-index, adding)
        for seq, pod in view.condemned:
            self.condemned.set((-ordinal, seq), adding)
            if adding:
                self.condemned_pods[(-ordinal, seq)] = pod
            else:
                self.condemned_pods.pop((-ordinal, seq), None)
        for seq, _pod in view.unavailable_condemned:
            self.unavailable_condemned.set((ordinal, -seq), adding)
        for seq, pod in view.unsettled_condemned:
            if adding:
                self.unsettled_condemned[(-ordinal, seq)] = pod
            else:
                self.unsettled_condemned.pop((-ordinal, seq), None)

    def first_condemned(self) -> dict[str, Any] | None:
        """The condemned pod processCondemned looks at first: the highest ordinal."""
        first = self.condemned.first(1)
        return self.condemned_pods[first[0]] if first else None

    def first_unhealthy(self) -> dict[str, Any] | None:
        """The first missing or unavailable member, else the first unavailable condemned pod
        in ascending order (None for a missing member, as in the Go loop)."""
        first = self.unavailable_members.first(1)
        if first:
            return self.member(first[0] + self.start)
        condemned = self.unavailable_condemned.first(1)
        return self.condemned_pods[(-condemned[0][0], -condemned[0][1])] if condemned else None


class StatefulSetController(KindController):
    """Keeps each StatefulSet's ordinal pods, their claims, revisions and status."""

    name = _COMPONENT
    kind = ("apps", "StatefulSet")
    owns = (("", "Pod"),)

    def __init__(self) -> None:
        self._selectors = SelectorCache()
        # Each set's pods by ordinal and per-ordinal contributions, by uid (see _SetState).
        self._states: dict[str, _SetState] = {}
        # How many times an ordinal's contribution to a sync was computed: the work of the
        # syncs, which the scale regression test and the benchmark report (never a time).
        self.ordinal_visits = 0

    @property
    def watches(self) -> tuple[tuple[str, str], ...]:
        """StatefulSets and their pods; claims only to notice that a pod's claims changed
        (they wake no set, as in the Go controller)."""
        return (self.kind, *self.owns, ("", "PersistentVolumeClaim"))

    # --- wakeups ---------------------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """The set itself; a pod's controlling set; for an orphan pod, the sets selecting it."""
        group_kind = event.kind.group_kind
        if group_kind == ("", "PersistentVolumeClaim"):
            self._observe_claim(event)
            return ()
        if group_kind == self.kind and event.type == "DELETED":
            uid = event.object["metadata"].get("uid", "")
            self._selectors.forget(uid)
            self._states.pop(uid, None)
        if group_kind == ("", "Pod") and self._states:
            uids: list[str] = []
            for obj in (event.old, event.object):
                uid = (controller_ref(obj) or {}).get("uid") if obj is not None else None
                if uid is not None and uid not in uids:
                    uids.append(uid)
                    if uid in self._states:
                        self._states[uid].observe(event)
        keys = list(super().keys_for(cluster, event))
        for sts in orphan_adopters(cluster, event, "apps", "StatefulSet", self._selectors):
            state = self._states.get(sts["metadata"].get("uid", ""))
            if state is not None:
                state.needs_claim = True  # an orphan to adopt
            key = object_key(sts)
            if key not in keys:
                keys.append(key)
        return keys

    def _observe_claim(self, event: WatchEvent) -> None:
        """A claim ``<template>-<set>-<ordinal>`` changed: that ordinal's pod may need its
        claims fixed, so its contribution is recomputed at the next sync."""
        meta = event.object["metadata"]
        prefix, ordinal = parent_and_ordinal(meta["name"])
        if ordinal < 0:
            return
        for state in self._states.values():
            if state.namespace == meta.get("namespace") and prefix.endswith(f"-{state.name}"):
                state.dirty.add(ordinal)

    def _selector(self, sts: Mapping[str, Any]) -> LabelSelector:
        return self._selectors.get(sts)

    def _state(self, cluster: Cluster, sts: Mapping[str, Any]) -> _SetState:
        """The set's ``_SetState`` as of now, rebuilt from a claim over the store when needed.

        Raises:
            ApiError: the claim's adoption or release failed.
        """
        uid = sts["metadata"]["uid"]
        state = self._states.get(uid)
        if state is not None and state.store is cluster.store:
            state.apply_events()
            if not state.needs_claim:
                return state
        # Unregistered while claiming, so that the adoptions' watch events are not indexed twice.
        self._states.pop(uid, None)
        matches, name = selector_matcher(sts), sts["metadata"]["name"]
        pods = claim(cluster, sts, self._pod_candidates(cluster, sts), api_version="v1", kind="Pod",
                     match=lambda pod: matches(pod) and parent_and_ordinal(pod["metadata"]["name"])[0] == name)
        state = _SetState(cluster.store, sts, self._selector(sts))
        state.add_claimed(pods)
        self._states[uid] = state
        return state

    def _refresh(self, cluster: Cluster, state: _SetState, sts: Mapping[str, Any], current_name: str,
                 update_name: str, min_ready: int, now: datetime) -> None:
        """Recompute the contribution of every ordinal that changed, or that the clock can change
        (every ordinal when the spec or the revisions did)."""
        spec = sts["spec"]
        start, count = _start(sts), int(spec.get("replicas", 1))
        context = (spec, current_name, update_name, min_ready)  # the spec is the same object while unchanged
        if context != state.context:
            for ordinal in list(state.views):
                state.replace_view(ordinal, None)
            state.context, state.start = context, start
            state.dirty.update(range(start, start + count))
            state.dirty.update(state.by_ordinal)
        for ordinal in state.dirty | state.time_dependent:
            state.replace_view(ordinal, self._view(cluster, state, sts, ordinal, start, count,
                                                   current_name, update_name, min_ready, now))
        state.dirty.clear()

    def _view(self, cluster: Cluster, state: _SetState, sts: Mapping[str, Any], ordinal: int, start: int,
              count: int, current_name: str, update_name: str, min_ready: int,
              now: datetime) -> _OrdinalView | None:
        """One ordinal's contribution: what the Go loops would find there."""
        self.ordinal_visits += 1
        at = state.by_ordinal.get(ordinal, [])
        in_range = start <= ordinal < start + count
        if not at and not in_range:
            return None
        view = _OrdinalView()
        counted = ([at[-1][1]] if at else []) if in_range else [pod for _seq, pod in at]
        status: dict[str, Any] = {}
        _count(status, min_ready, now, current_name, update_name, counted)
        view.counts = (status["replicas"], status["readyReplicas"], status["availableReplicas"],
                       status["currentReplicas"], status["updatedReplicas"])
        view.time_dependent = min_ready > 0 and any(
            is_pod_ready(pod) and not is_pod_available(pod, min_ready, now) for pod in counted)
        if not in_range:
            view.condemned = list(at)
            view.unavailable_condemned = [(seq, pod) for seq, pod in at if _unavailable(pod, min_ready, now)]
            view.unsettled_condemned = [(seq, pod) for seq, pod in at
                                        if not self._claims_match_retention(cluster, sts, pod)]
            return view
        member = counted[0] if counted else None
        if member is None:
            view.member_unavailable = view.pending = True
            return view
        view.member_unavailable = _unavailable(member, min_ready, now)
        view.pending = not self._settled(cluster, sts, member, min_ready, now)
        view.outdated = _revision_of(member) != update_name and not _terminating(member)
        return view

    def _settled(self, cluster: Cluster, sts: Mapping[str, Any], pod: dict[str, Any], min_ready: int,
                 now: datetime) -> bool:
        """``processReplica`` would pass this pod by without a write: Running, ready, available,
        not terminating, with its identity labels, volumes and claim owners as they should be."""
        if (_phase(pod) != "Running" or _terminating(pod) or not _running_and_ready(pod)
                or not _available(pod, min_ready, now)):
            return False
        name = pod["metadata"]["name"]
        labels = pod["metadata"].get("labels") or {}
        if labels.get(POD_NAME_LABEL) != name or labels.get(POD_INDEX_LABEL) != str(_ordinal(pod)):
            return False
        if not _storage_matches(sts, pod):
            return False
        try:
            return self._claims_match_retention(cluster, sts, pod)
        except ApiError:
            return True

    # --- sync ------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Converge one StatefulSet (``StatefulSetController.sync``)."""
        namespace, name = split_key(key)
        sts = cluster.store.peek("apps", "StatefulSet", namespace, name)
        if sts is None:
            return
        revisions = claim(cluster, sts, self._revision_candidates(cluster, sts), api_version="apps/v1",
                          kind="ControllerRevision", match=selector_matcher(sts))
        status = self._update_stateful_set(cluster, sts, self._state(cluster, sts), revisions)
        min_ready = sts["spec"].get("minReadySeconds") or 0
        if min_ready > 0 and status.get("availableReplicas", 0) != sts["spec"].get("replicas", 1):
            cluster.enqueue_after(self.name, key, min_ready)

    @staticmethod
    def _revision_candidates(cluster: Cluster, sts: Mapping[str, Any]) -> list[dict[str, Any]]:
        uid = sts["metadata"]["uid"]
        out = []
        for rev in cluster.store.peek_all("apps", "ControllerRevision", sts["metadata"]["namespace"]):
            ref = controller_ref(rev)
            if ref is None or ref.get("uid") == uid:
                out.append(rev)
        return out

    @staticmethod
    def _pod_candidates(cluster: Cluster, sts: Mapping[str, Any]) -> list[dict[str, Any]]:
        uid = sts["metadata"]["uid"]
        out = []
        for pod in cluster.store.peek_all("", "Pod", sts["metadata"]["namespace"]):
            refs = pod["metadata"].get("ownerReferences")
            if not refs:
                out.append(pod)
                continue
            ref = controller_ref(pod)
            if ref is None or ref.get("uid") == uid:
                out.append(pod)
        return out

    def _update_stateful_set(self, cluster: Cluster, sts: dict[str, Any], state: _SetState,
                             revisions: list[dict[str, Any]]) -> dict[str, Any]:
        """``UpdateStatefulSet``: revisions, pods, status, history; returns the status written."""
        revisions = sort_revisions(revisions)
        current, update, collision_count = self._revisions(cluster, sts, revisions)
        status: dict[str, Any] = {}
        failure: ApiError | None = None
        try:
            status = self._converge(cluster, sts, current, update, collision_count, state)
        except _Interrupted as interrupted:
            status, failure = interrupted.status, interrupted.error
        self._write_status(cluster, sts, status)
        self._truncate_history(cluster, sts, state, revisions, current, update)
        if failure is not None:
            raise failure
        return status

    # --- revisions -------------------------------------------------------------------------

    def _revisions(self, cluster: Cluster, sts: Mapping[str, Any],
                   revisions: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], int]:
        """``getStatefulSetRevisions``: (current, update, collision count)."""
        collision_count = int((sts.get("status") or {}).get("collisionCount") or 0)
        data = template_patch(sts)
        hash_ = hash_revision(data, collision_count)
        labels = dict(((sts["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {})
        labels[REVISION_HASH_LABEL] = hash_
        wanted = build_revision(sts, name=revision_name(sts["metadata"]["name"], hash_), labels=labels,
                                data=data, revision=next_revision(revisions))
        equal = find_equal_revisions(revisions, wanted)
        if equal and equal_revision(revisions[-1], equal[-1]):
            update = revisions[-1]
        elif equal:
            update = set_revision_number(cluster, equal[-1], wanted["revision"])
        else:
            update, collision_count = create_revision(cluster, sts, wanted, collision_count)
        current_name = (sts.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == current_name), None)
        return (current if current is not None else update), update, collision_count

    def _truncate_history(self, cluster: Cluster, sts: Mapping[str, Any], state: _SetState,
                          revisions: list[dict[str, Any]], current: Mapping[str, Any],
                          update: Mapping[str, Any]) -> None:
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update(state.revisions)  # the sync's snapshot: its own writes are applied at the next one
        history = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = sts["spec"].get("revisionHistoryLimit", 10)
        if limit is None or limit < 0 or len(history) <= limit:
            return
        for rev in history[:len(history) - limit]:
            try:
                cluster.store.delete("apps/v1", "ControllerRevision", rev["metadata"]["name"],
                                     namespace=rev["metadata"]["namespace"], copy=False)
            except NotFoundError:
                pass

    # --- the update loop -------------------------------------------------------------------

    def _converge(self, cluster: Cluster, sts: dict[str, Any], current: Mapping[str, Any],
                  update: Mapping[str, Any], collision_count: int, state: _SetState) -> dict[str, Any]:
        """``updateStatefulSet``: returns the status, or raises ``_Interrupted`` carrying it.

        ``OrderedReady`` visits only the replicas the Go loop would act on or stop at (the
        pending ordinals, lowest first; the highest condemned pod) — every other replica would
        be passed by without a write. ``Parallel`` walks them all, in slow-start batches.
        """
        spec = sts["spec"]
        now = parse_time(cluster.clock.now_rfc3339())
        assert now is not None
        min_ready = spec.get("minReadySeconds") or 0
        current_name, update_name = current["metadata"]["name"], update["metadata"]["name"]
        current_set = {**sts, "spec": {**spec, "template": template_of(current)}}
        update_set = {**sts, "spec": {**spec, "template": template_of(update)}}

        status: dict[str, Any] = {"observedGeneration": sts["metadata"].get("generation", 0),
                                  "currentRevision": current_name, "updateRevision": update_name,
                                  "collisionCount": collision_count}

        start, count = _start(sts), int(spec.get("replicas", 1))
        if sts["metadata"].get("deletionTimestamp"):
            _count(status, min_ready, now, current_name, update_name, state.all_pods())
            return status
        # The views look at the claims, identity labels and health of pods, which the update
        # revision's template does not change: the stored set (whose spec object stays the same
        # while it is unchanged) stands for update_set.
        self._refresh(cluster, state, sts, current_name, update_name, min_ready, now)
        monotonic = spec.get("podManagementPolicy") != "Parallel"
        # The counters over the snapshot the sync started from (updateStatus counts its pod list).
        counted = dict(zip(("replicas", "readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas"),
                           state.totals))
        first_unhealthy = state.first_unhealthy()

        def missing(i: int) -> dict[str, Any]:
            return self._new_versioned_pod(current_set, update_set, current_name, update_name, start + i)

        def member(i: int) -> dict[str, Any] | None:
            return state.member(start + i)

        def interrupted(error: ApiError | None) -> dict[str, Any]:
            status.update(counted)
            if error is not None:
                raise _Interrupted(status, error)
            return status

        try:
            if monotonic:
                if self._ordered_pass(cluster, sts, update_set, state, first_unhealthy, member, missing,
                                      min_ready, now):
                    return interrupted(None)
            else:
                members = [member(i) for i in range(count)]
                condemned = [state.condemned_pods[key] for key in state.condemned.first(len(state.condemned))]
                for errors in (
                        _slow_start(len(members), lambda i: self._process_replica(
                            cluster, sts, update_set, False, members[i], i, missing, min_ready, now)),
                        _slow_start(len(condemned), lambda i: self._fix_claims(cluster, update_set, condemned[i])),
                        _slow_start(len(condemned), lambda i: self._process_condemned(
                            cluster, sts, first_unhealthy, False, condemned, i, min_ready, now))):
                    if errors:
                        interrupted(errors[0])
        except ApiError as error:
            return interrupted(error)
        interrupted(None)

        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type") == "OnDelete":
            return status
        return self._rolling_update(cluster, sts, state, count, update_name, status)

    def _ordered_pass(self, cluster: Cluster, sts: dict[str, Any], update_set: dict[str, Any], state: _SetState,
                      first_unhealthy: dict[str, Any] | None, member: Callable[[int], dict[str, Any] | None],
                      missing: Callable[[int], dict[str, Any]], min_ready: int, now: datetime) -> bool:
        """The ``OrderedReady`` passes (replicas, condemned claims, condemned pods); True when
        one stopped at a pod.

        Raises:
            ApiError: a write failed.
        """
        pending = state.pending.ascending()
        try:
            for i in pending:
                if self._process_replica(cluster, sts, update_set, True, member(i), i, missing, min_ready, now):
                    return True
        finally:
            pending.close()
        for key in sorted(state.unsettled_condemned):
            self._fix_claims(cluster, update_set, state.unsettled_condemned[key])
        victim = state.first_condemned()
        if victim is None:
            return False
        return self._process_condemned(cluster, sts, first_unhealthy, True, [victim], 0, min_ready, now)

    def _rolling_update(self, cluster: Cluster, sts: Mapping[str, Any], state: _SetState, count: int,
                        update_name: str, status: dict[str, Any]) -> dict[str, Any]:
        """``updateStatefulSetAfterInvariantEstablished`` (MaxUnavailableStatefulSet, beta since 1.35):
        the highest outdated replicas at or above the partition, within the unavailability budget."""
        rolling = (sts["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        partition = int(rolling.get("partition") or 0)
        max_unavailable = max(1, _scaled_value(rolling.get("maxUnavailable", 1), count, round_up=False))
        unavailable = len(state.unavailable_members)
        if unavailable > max_unavailable:
            return status
        start = _start(sts)
        for negated in state.outdated.first(max_unavailable - unavailable):
            if -negated < partition:
                break
            pod = state.member(start - negated)
            assert pod is not None
            try:
                self._delete_pod(cluster, sts, pod)
            except NotFoundError:
                pass
            except ApiError as error:
                raise _Interrupted(status, error) from error
            status["currentReplicas"] = status.get("currentReplicas", 0) - 1
        return status

    def _process_replica(self, cluster: Cluster, sts: dict[str, Any], update_set: dict[str, Any], monotonic: bool,
                         pod: dict[str, Any] | None, i: int, missing: Callable[[int], dict[str, Any]],
                         min_ready: int, now: datetime) -> bool:
        """``processReplica`` for member ``i`` (``pod``, None if missing): True when a monotonic
        pass must stop at this pod."""
        if pod is None:
            pod = missing(i)
        phase = _phase(pod)
        if phase in ("Failed", "Succeeded"):
            if not _terminating(pod):
                self._delete_pod(cluster, sts, pod)
            return True
        if not phase:
            if self._claims_stale(cluster, sts, pod):
                cluster.enqueue_after(self.name, object_key(sts), 1.0)
                return True
            self._create_pod(cluster, sts, pod)  # still uncreated as far as this pass counts
            return monotonic
        if phase == "Pending":
            self._create_claims(cluster, sts, pod)
        if monotonic and (_terminating(pod) or not _running_and_ready(pod)
                          or not _available(pod, min_ready, now)):
            return True
        self._update_pod(cluster, update_set, pod)
        return False

    def _process_condemned(self, cluster: Cluster, sts: Mapping[str, Any], first_unhealthy: Mapping[str, Any] | None,
                           monotonic: bool, condemned: list[dict[str, Any]], i: int, min_ready: int,
                           now: datetime) -> bool:
        """``processCondemned``: delete a pod above the range (highest first)."""
        pod = condemned[i]
        if _terminating(pod):
            return monotonic
        if monotonic and pod is not first_unhealthy and (
                not _running_and_ready(pod) or not _available(pod, min_ready, now)):
            return True
        self._delete_pod(cluster, sts, pod)
        return True

    # --- pods ------------------------------------------------------------------------------

    @staticmethod
    def _new_versioned_pod(current_set: Mapping[str, Any], update_set: Mapping[str, Any], current_name: str,
                           update_name: str, ordinal: int) -> dict[str, Any]:
        """``newVersionedStatefulSetPod``: below the partition at the current revision."""
        spec = current_set["spec"]
        strategy = spec.get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        start = _start(current_set)
        current_replicas = int((current_set.get("status") or {}).get("currentReplicas") or 0)
        if (strategy.get("type") == "RollingUpdate" and rolling is None and ordinal < start + current_replicas) or (
                rolling is not None and ordinal < start + int(rolling.get("partition") or 0)):
            return _new_pod(current_set, ordinal, current_name)
        return _new_pod(update_set, ordinal, update_name)

    def _create_pod(self, cluster: Cluster, sts: Mapping[str, Any], pod: dict[str, Any]) -> dict[str, Any]:
        """``CreateStatefulPod``: claims first, then the pod, then the claims' owners."""
        try:
            self._create_claims(cluster, sts, pod)
        except ApiError as error:
            self._pod_event(cluster, sts, "create", pod, error)
            raise
        try:
            created = cluster.store.create(pod, field_manager=CONTROLLER_MANAGER, copy=False)
        except AlreadyExistsError:
            raise
        except ApiError as error:
            self._pod_event(cluster, sts, "create", pod, error)
            raise
        try:
            self._set_claim_owners(cluster, sts, created)
        except ApiError as error:
            self._pod_event(cluster, sts, "update", created, error)
            raise
        self._pod_event(cluster, sts, "create", created, None)
        return created

    def _update_pod(self, cluster: Cluster, sts: Mapping[str, Any], pod: dict[str, Any]) -> None:
        """``UpdateStatefulPod``: restore identity labels, missing claims, claim owners."""
        name = pod["metadata"]["name"]
        _parent, ordinal = parent_and_ordinal(name)
        labels = pod["metadata"].get("labels") or {}
        identity = labels.get(POD_NAME_LABEL) == name and labels.get(POD_INDEX_LABEL) == str(ordinal)
        storage = _storage_matches(sts, pod)
        try:
            retention = self._claims_match_retention(cluster, sts, pod)
        except ApiError:
            retention = True
        if identity and storage and retention:
            return
        try:
            if not storage:
                self._create_claims(cluster, sts, pod)
            if not retention:
                self._set_claim_owners(cluster, sts, pod)
            if not identity:
                cluster.store.patch("v1", "Pod", name, {"metadata": {"labels": {
                    POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal)}}},
                    namespace=pod["metadata"]["namespace"], field_manager=CONTROLLER_MANAGER, copy=False)
        except ApiError as error:
            self._pod_event(cluster, sts, "update", pod, error)
            raise
        self._pod_event(cluster, sts, "update", pod, None)

    def _delete_pod(self, cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> None:
        """``DeleteStatefulPod``: the pod goes; its claims stay (unless owned by it)."""
        try:
            cluster.store.delete("v1", "Pod", pod["metadata"]["name"], namespace=pod["metadata"]["namespace"],
                                 copy=False)
        except ApiError as error:
            self._pod_event(cluster, sts, "delete", pod, error)
            raise
        self._pod_event(cluster, sts, "delete", pod, None)

    def _pod_event(self, cluster: Cluster, sts: Mapping[str, Any], verb: str, pod: Mapping[str, Any],
                   error: ApiError | None) -> None:
        pod_ref = pod["metadata"]["name"]
        set_name = sts["metadata"]["name"]
        if error is None:
            cluster.events.record(sts, "Normal", f"Successful{verb.title()}",
                                  f"{verb} Pod {pod_ref} in StatefulSet {set_name} successful", component=self.name)
        else:
            cluster.events.record(sts, "Warning", f"Failed{verb.title()}",
                                  f"{verb} Pod {pod_ref} in StatefulSet {set_name} failed error: {error}",
                                  component=self.name)

    # --- claims ----------------------------------------------------------------------------

    def _create_claims(self, cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> None:
        """``createPersistentVolumeClaims``: every missing claim of the pod, with an event each.

        Raises:
            ApiError: a claim could not be created, or one is being deleted.
        """
        errors: list[str] = []
        for claim_obj in _claims(sts, pod):
            name, namespace = claim_obj["metadata"]["name"], claim_obj["metadata"]["namespace"]
            existing = cluster.store.peek("", "PersistentVolumeClaim", namespace, name)
            if existing is None:
                try:
                    cluster.store.create(claim_obj, field_manager=CONTROLLER_MANAGER, copy=False)
                except AlreadyExistsError as error:
                    errors.append(f"failed to create PVC {name}: {error}")
                except ApiError as error:
                    errors.append(f"failed to create PVC {name}: {error}")
                    self._claim_event(cluster, sts, pod, name, error)
                else:
                    self._claim_event(cluster, sts, pod, name, None)
            elif existing["metadata"].get("deletionTimestamp"):
                errors.append(f"pvc {name} is being deleted")
        if errors:
            raise ApiError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")

    def _claim_event(self, cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any], name: str,
                     error: ApiError | None) -> None:
        pod_ref, set_name = pod["metadata"]["name"], sts["metadata"]["name"]
        if error is None:
            cluster.events.record(sts, "Normal", "SuccessfulCreate",
                                  f"create Claim {name} Pod {pod_ref} in StatefulSet {set_name} success",
                                  component=self.name)
        else:
            cluster.events.record(sts, "Warning", "FailedCreate",
                                  f"create Claim {name} for Pod {pod_ref} in StatefulSet {set_name} failed "
                                  f"error: {error}",
                                  component=self.name)

    @staticmethod
    def _claims_stale(cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
        """``PodClaimIsStale``: with ``whenScaled: Delete``, a claim still owned by an earlier pod
        of this name is on its way out; wait for it."""
        if _retention(sts)[1] != "Delete":
            return False
        for claim_obj in _claims(sts, pod):
            meta = claim_obj["metadata"]
            existing = cluster.store.peek("", "PersistentVolumeClaim", meta["namespace"], meta["name"])
            if existing is not None and _stale_ref(existing, pod, "v1", "Pod"):
                return True
        return False

    def _claims_match_retention(self, cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
        """``ClaimsMatchRetentionPolicy``: every existing claim's owners are as the policy says."""
        retain_all = _retention(sts) == ("Retain", "Retain")
        namespace, set_name, ordinal = sts["metadata"]["namespace"], sts["metadata"]["name"], _ordinal(pod)
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            name = (template.get("metadata") or {}).get("name")
            if not name:
                continue
            existing = cluster.store.peek("", "PersistentVolumeClaim", namespace, claim_name(name, set_name, ordinal))
            if existing is None or (retain_all and not existing["metadata"].get("ownerReferences")):
                continue
            if not _claim_owners_up_to_date(existing, sts, pod):
                return False
        return True

    def _fix_claims(self, cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
        """For a condemned pod: make its claims' owners match the retention policy."""
        if not self._claims_match_retention(cluster, sts, pod):
            self._set_claim_owners(cluster, sts, pod)
        return False

    @staticmethod
    def _set_claim_owners(cluster: Cluster, sts: Mapping[str, Any], pod: Mapping[str, Any]) -> None:
        """``UpdatePodClaimForRetentionPolicy``."""
        for claim_obj in _claims(sts, pod):
            meta = claim_obj["metadata"]
            existing = cluster.store.peek("", "PersistentVolumeClaim", meta["namespace"], meta["name"])
            if existing is None or _claim_owners_up_to_date(existing, sts, pod):
                continue
            refs = _claim_owner_refs(existing, sts, pod)
            cluster.store.patch("v1", "PersistentVolumeClaim", meta["name"],
                                {"metadata": {"ownerReferences": refs}}, namespace=meta["namespace"],
                                field_manager=CONTROLLER_MANAGER, copy=False)

    # --- status ----------------------------------------------------------------------------

    def _write_status(self, cluster: Cluster, sts: Mapping[str, Any], status: dict[str, Any]) -> None:
        """``updateStatefulSetStatus``: complete a finished rolling update, write if changed."""
        if not status:
            return
        spec = sts["spec"]
        replicas = spec.get("replicas", 1)
        if ((spec.get("updateStrategy") or {}).get("type") == "RollingUpdate"
                and status.get("updatedReplicas", 0) == replicas and status.get("readyReplicas", 0) == replicas
                and status.get("replicas", 0) == replicas):
            status["currentReplicas"] = status.get("updatedReplicas", 0)
            status["currentRevision"] = status["updateRevision"]
        old = sts.get("status") or {}
        if not (status.get("observedGeneration", 0) > old.get("observedGeneration", 0)
                or any(status.get(k, 0) != old.get(k, 0) for k in (
                    "replicas", "currentReplicas", "readyReplicas", "updatedReplicas", "availableReplicas"))
                or any(status.get(k, "") != old.get(k, "") for k in ("currentRevision", "updateRevision"))):
            return
        try:
            cluster.store.update_status({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {
                "name": sts["metadata"]["name"], "namespace": sts["metadata"]["namespace"]},
                "status": _status_json(status)}, field_manager=CONTROLLER_MANAGER, copy=False)
        except NotFoundError:
            pass


class _Interrupted(Exception):
    """An ApiError in the middle of the update loop, with the status computed so far."""

    def __init__(self, status: dict[str, Any], error: ApiError) -> None:
        super().__init__(str(error))
        self.status, self.error = status, error


def _slow_start(total: int, step: Any) -> list[ApiError]:
    """``slowStartBatch``: run ``step`` for 0..total-1 in batches 1, 2, 4 … (≤ 500), stopping
    after the first batch with errors; returns the errors."""
    done, batch = 0, min(total, 1)
    while batch > 0:
        errors: list[ApiError] = []
        for i in range(done, done + batch):
            try:
                step(i)
            except ApiError as error:
                errors.append(error)
        if errors:
            return errors
        done += batch
        batch = min(2 * batch, total - done, MAX_BATCH_SIZE)
    return []


def _count(status: dict[str, Any], min_ready: int, now: datetime, current_name: str, update_name: str,
           *pod_lists: Iterable[Mapping[str, Any] | None]) -> None:
    """``updateStatus``: the replica counters over the given pods (created ones only)."""
    replicas = ready = available = current = updated = 0
    for pods in pod_lists:
        for pod in pods:
            if pod is None:
                continue
            created = bool(_phase(pod))
            if created:
                replicas += 1
            if _running_and_ready(pod):
                ready += 1
                if _available(pod, min_ready, now):
                    available += 1
            if created and not _terminating(pod):
                revision = _revision_of(pod)
                current += revision == current_name
                updated += revision == update_name
    status.update(replicas=replicas, readyReplicas=ready, availableReplicas=available, currentReplicas=current,
                  updatedReplicas=updated)


def _status_json(status: Mapping[str, Any]) -> dict[str, Any]:
    """StatefulSetStatus as Go serialises it: omitempty fields left out when zero."""
    out: dict[str, Any] = {}
    if status.get("observedGeneration"):
        out["observedGeneration"] = status["observedGeneration"]
    out["replicas"] = status.get("replicas", 0)
    for field in ("readyReplicas", "currentReplicas", "updatedReplicas", "currentRevision", "updateRevision"):
        if status.get(field):
            out[field] = status[field]
    out["collisionCount"] = status.get("collisionCount", 0)
    out["availableReplicas"] = status.get("availableReplicas", 0)
    return out


def _new_pod(sts: Mapping[str, Any], ordinal: int, revision: str) -> dict[str, Any]:
    """``newStatefulSetPod`` + ``setPodRevision``: the pod for ``ordinal`` from ``sts``'s template."""
    meta, spec = sts["metadata"], sts["spec"]
    template = spec.get("template") or {}
    template_meta = template.get("metadata") or {}
    name = pod_name(meta["name"], ordinal)
    labels = dict(template_meta.get("labels") or {})
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    labels[REVISION_LABEL] = revision
    pod_meta: dict[str, Any] = {"name": name, "generateName": f"{meta['name']}-", "namespace": meta["namespace"],
                                "labels": labels}
    if template_meta.get("annotations"):
        pod_meta["annotations"] = dict(template_meta["annotations"])
    if template_meta.get("finalizers"):
        pod_meta["finalizers"] = list(template_meta["finalizers"])
    pod_meta["ownerReferences"] = [owner_reference(sts)]
    pod_spec = copy_object(template.get("spec") or {})
    pod_spec["hostname"] = name
    if spec.get("serviceName"):
        pod_spec["subdomain"] = spec["serviceName"]
    templates = [t for t in spec.get("volumeClaimTemplates") or [] if (t.get("metadata") or {}).get("name")]
    if templates:
        claimed = {t["metadata"]["name"] for t in templates}
        pod_spec["volumes"] = [
            {"name": t["metadata"]["name"],
             "persistentVolumeClaim": {"claimName": claim_name(t["metadata"]["name"], meta["name"], ordinal)}}
            for t in templates] + [v for v in pod_spec.get("volumes") or [] if v.get("name") not in claimed]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": pod_spec}


def _claims(sts: Mapping[str, Any], pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``getPersistentVolumeClaims``: the pod's claims, named and labelled from the templates."""
    meta = sts["metadata"]
    ordinal = _ordinal(pod)
    match_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
    out = []
    for template in sts["spec"].get("volumeClaimTemplates") or []:
        template_meta = template.get("metadata") or {}
        if not template_meta.get("name"):
            continue
        claim_obj = copy_object(template)
        claim_obj["apiVersion"], claim_obj["kind"] = "v1", "PersistentVolumeClaim"
        claim_obj.pop("status", None)
        claim_meta = claim_obj.setdefault("metadata", {})
        claim_meta["name"] = claim_name(template_meta["name"], meta["name"], ordinal)
        claim_meta["namespace"] = meta["namespace"]
        claim_meta["labels"] = {**(template_meta.get("labels") or {}), **match_labels}
        out.append(claim_obj)
    return out


def _storage_matches(sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    ordinal = _ordinal(pod)
    if ordinal < 0:
        return False
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for template in sts["spec"].get("volumeClaimTemplates") or []:
        name = str((template.get("metadata") or {}).get("name") or "")
        source = (volumes.get(name) or {}).get("persistentVolumeClaim")
        if not source or source.get("claimName") != claim_name(name, sts["metadata"]["name"], ordinal):
            return False
    return True


# --- claim ownership under persistentVolumeClaimRetentionPolicy (stateful_set_utils.go) -----------

def _matches_ref(ref: Mapping[str, Any], obj: Mapping[str, Any], api_version: str, kind: str) -> bool:
    return (ref.get("apiVersion") == api_version and ref.get("kind") == kind
            and ref.get("name") == obj["metadata"]["name"])


def _stale_ref(claim_obj: Mapping[str, Any], obj: Mapping[str, Any], api_version: str, kind: str) -> bool:
    for ref in claim_obj["metadata"].get("ownerReferences") or []:
        if _matches_ref(ref, obj, api_version, kind):
            return ref.get("uid") != obj["metadata"].get("uid")
    return False


def _has_ref(claim_obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    uid = owner["metadata"].get("uid")
    return any(ref.get("uid") == uid for ref in claim_obj["metadata"].get("ownerReferences") or [])


def _unexpected_controller(claim_obj: Mapping[str, Any], sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    if _retention(sts) == ("Retain", "Retain"):
        return False
    for ref in claim_obj["metadata"].get("ownerReferences") or []:
        if _matches_ref(ref, sts, "apps/v1", "StatefulSet"):
            if ref.get("uid") != sts["metadata"]["uid"]:
                return True
            continue
        if _matches_ref(ref, pod, "v1", "Pod"):
            if ref.get("uid") != pod["metadata"].get("uid"):
                return True
            continue
        if ref.get("controller"):
            return True
    return False


def _scaled_down(sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    ordinal, start = _ordinal(pod), _start(sts)
    return not (start <= ordinal < start + int(sts["spec"].get("replicas", 1)))


def _claim_owners_up_to_date(claim_obj: Mapping[str, Any], sts: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    """``isClaimOwnerUpToDate``: Retain/Retain → no refs; Delete on set deletion → a set ref;
    Delete on scale-down → a pod ref once the pod is condemned."""
    if _stale_ref(claim_obj, sts, "apps/v1", "StatefulSet") or _stale_ref(claim_obj, pod, "v1", "Pod"):
        return True
    if _unexpected_controller(claim_obj, sts, pod):
        return not (_has_ref(claim_obj, sts) or _has_ref(claim_obj, pod))
    uids = {sts["metadata"]["uid"], pod["metadata"].get("uid")}
    if any(ref.get("uid") in uids and not ref.get("controller")
           for ref in claim_obj["metadata"].get("ownerReferences") or []):
        return False
    when_deleted, when_scaled = _retention(sts)
    set_ref, pod_ref = _has_ref(claim_obj, sts), _has_ref(claim_obj, pod)
    if when_scaled == "Delete":
        scaled_down = _scaled_down(sts, pod)
        if when_deleted == "Delete" and scaled_down == set_ref:
            return False
        if when_deleted != "Delete" and set_ref:
            return False
        return scaled_down == pod_ref
    if when_deleted == "Delete":
        return set_ref and not pod_ref
    return not (set_ref or pod_ref)


def _claim_owner_refs(claim_obj: Mapping[str, Any], sts: Mapping[str, Any],
                      pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``updateClaimOwnerRefForSetAndPod``: the claim's ownerReferences under the policy."""
    unexpected = _unexpected_controller(claim_obj, sts, pod)
    refs = [dict(ref) for ref in claim_obj["metadata"].get("ownerReferences") or []
            if not (_matches_ref(ref, sts, "apps/v1", "StatefulSet") or _matches_ref(ref, pod, "v1", "Pod"))]
    if unexpected:
        return refs
    when_deleted, when_scaled = _retention(sts)
    scaled_down = _scaled_down(sts, pod)
    if when_scaled == "Delete" and scaled_down and pod["metadata"].get("uid"):
        refs.append(owner_reference(pod))
    if when_deleted == "Delete" and not (when_scaled == "Delete" and scaled_down):
        refs.append(owner_reference(sts))
    return refs
