"""The ReplicaSet controller (``pkg/controller/replicaset/replica_set.go``).

Each sync claims the pods the ReplicaSet should own (adopting matching orphans, releasing
owned pods that stopped matching), creates or deletes pods until the number of active pods
equals ``spec.replicas``, and writes the status (replicas, fullyLabeledReplicas,
readyReplicas, availableReplicas, terminatingReplicas, observedGeneration and the
``ReplicaFailure`` condition).

* Pods are created from the template as ``generateName: <rs>-`` (the API server appends five
  characters of Kubernetes' alphabet from the cluster's seeded RNG), with a controller
  ownerReference (``blockOwnerDeletion``), at most ``BURST_REPLICAS`` per sync, in slow-start
  batches 1, 2, 4, … that stop at the first batch with a failure.
* Victims of a scale-down are chosen by ``pods_to_delete``: Kubernetes' ``ActivePodsWithRanks``
  order (unassigned, pending, not ready, low deletion cost, doubled-up, recently ready, many
  restarts, young — the last two with LogarithmicScaleDown's log2 buckets).
* client-go's expectations exist because informer caches lag behind the writes a controller
  made; this store is synchronous, so every sync already sees its previous writes and never
  creates or deletes twice for the same need.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from helmlite.cluster.controllers.base import (
    KindController,
    SelectorCache,
    controller_ref,
    object_key,
    split_key,
)
from helmlite.cluster.errors import ApiError, ForbiddenError, NotFoundError
from helmlite.cluster.podutil import is_pod_active, is_pod_ready, parse_time
from helmlite.cluster.selectors import NOTHING, LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "BURST_REPLICAS",
    "CONTROLLER_FIELD_MANAGER",
    "POD_DELETION_COST_ANNOTATION",
    "SLOW_START_INITIAL_BATCH_SIZE",
    "ReplicaSetController",
    "claim_objects",
    "owner_reference",
    "pods_to_delete",
]

# replicaset.BurstReplicas: creates/deletes per sync.
BURST_REPLICAS = 500
# controller.SlowStartInitialBatchSize.
SLOW_START_INITIAL_BATCH_SIZE = 1
# Every kube-controller-manager loop writes as this field manager.
CONTROLLER_FIELD_MANAGER = "kube-controller-manager"
POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"

_COMPONENT = "replicaset-controller"
_NO_LABELS: dict[str, str] = {}
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """``metav1.NewControllerRef``: the reference a controller puts on what it creates."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"], "uid": meta["uid"],
            "controller": True, "blockOwnerDeletion": True}


# --- claiming (ControllerRefManager) -----------------------------------------------------


def claim_objects(cluster: Cluster, owner: Mapping[str, Any], selector: LabelSelector,
                  owned: Iterable[Mapping[str, Any]], orphans: Iterable[Mapping[str, Any]], *,
                  api_version: str, kind: str) -> list[dict[str, Any]]:
    """``ClaimObject`` over candidates: the objects ``owner`` controls after adoption and release.

    ``owned`` are objects whose controllerRef names ``owner``: kept while its selector matches
    their labels, else released (the reference removed by a patch) unless ``owner`` is being
    deleted. ``orphans`` (no controllerRef) that match and are not being deleted are adopted
    by a patch adding the controller reference, unless ``owner`` is being deleted.
    """
    uid = owner["metadata"]["uid"]
    deleting = bool(owner["metadata"].get("deletionTimestamp"))
    claimed: list[dict[str, Any]] = []
    for obj in owned:
        ref = controller_ref(obj)
        if ref is None or ref.get("uid") != uid:
            continue
        if selector.matches(obj["metadata"].get("labels")):
            claimed.append(obj)  # type: ignore[arg-type]
        elif not deleting:
            refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            _patch_owner_refs(cluster, obj, refs, api_version=api_version, kind=kind)
    if deleting:
        return claimed
    for obj in orphans:
        meta = obj["metadata"]
        if controller_ref(obj) is not None or meta.get("deletionTimestamp"):
            continue
        if meta.get("namespace") != owner["metadata"].get("namespace") or not selector.matches(meta.get("labels")):
            continue
        refs = [*(meta.get("ownerReferences") or []), owner_reference(owner)]
        adopted = _patch_owner_refs(cluster, obj, refs, api_version=api_version, kind=kind)
        if adopted is not None:
            claimed.append(adopted)
    return claimed


def _patch_owner_refs(cluster: Cluster, obj: Mapping[str, Any], refs: list[dict[str, Any]], *,
                      api_version: str, kind: str) -> dict[str, Any] | None:
    meta = obj["metadata"]
    try:
        # The uid makes the patch a precondition, as the controllers' strategic patches do.
        return cluster.store.patch(api_version, kind, meta["name"], namespace=meta.get("namespace", ""),
                                   patch={"metadata": {"ownerReferences": refs or None, "uid": meta["uid"]}},
                                   field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
    except NotFoundError:
        return None


# --- victims (ActivePodsWithRanks) --------------------------------------------------------


def _max_restarts(pod: Mapping[str, Any]) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or ()), default=0)
    sidecars = {c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or ()
                if c.get("restartPolicy") == "Always"}
    sidecar = max((c.get("restartCount", 0) for c in status.get("initContainerStatuses") or ()
                   if c.get("name") in sidecars), default=0)
    return regular, sidecar


def _deletion_cost(pod: Mapping[str, Any]) -> int:
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(POD_DELETION_COST_ANNOTATION)
    try:
        cost = int(value) if value is not None else 0
    except ValueError:
        return 0
    return cost if -2**31 <= cost < 2**31 else 0


def _ready_time(pod: Mapping[str, Any]) -> float | None:
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            t = parse_time(condition.get("lastTransitionTime"))
            return t.timestamp() if t is not None else None
    return None


class _RankFacts:
    """What ``ActivePodsWithRanks.Less`` compares of one pod, apart from its node rank."""

    __slots__ = ("cost", "created", "node", "phase", "pod", "ready", "ready_time", "restarts", "uid")

    def __init__(self, pod: Mapping[str, Any]) -> None:
        meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
        self.pod = pod
        self.node = spec.get("nodeName") or ""
        self.phase = _PHASE_ORDINAL.get((pod.get("status") or {}).get("phase", ""), 0)
        self.ready = is_pod_ready(pod)
        self.cost = _deletion_cost(pod)
        self.ready_time = _ready_time(pod) if self.ready else None
        self.restarts = _max_restarts(pod)
        created = parse_time(meta.get("creationTimestamp"))
        self.created = created.timestamp() if created is not None else None
        self.uid = meta.get("uid", "")


_Ranked = tuple[_RankFacts, int]  # (facts, pods of the same owner on its node)


def _log_rank(t: float, now: float) -> int:
    # logarithmicRankDiff works on time.Duration, i.e. nanoseconds.
    nanos = round((now - t) * 1e9)
    return int(math.log2(nanos)) if nanos > 0 else -1


def _newer_first(t1: float | None, t2: float | None, a: _RankFacts, b: _RankFacts, now: float) -> int:
    """Rules 6 and 8: zero time first, then more recent first in log2 buckets, ties by uid."""
    if t1 is None or t2 is None:
        return -1 if t1 is None else 1  # afterOrZero: a zero time is "less"
    diff = _log_rank(t1, now) - _log_rank(t2, now)
    if diff == 0:
        return -1 if a.uid < b.uid else (1 if a.uid > b.uid else 0)
    return -1 if diff < 0 else 1


def _compare(x: _Ranked, y: _Ranked, now: float) -> int:
    a, b = x[0], y[0]
    # 1. unassigned < assigned
    if a.node != b.node and (not a.node or not b.node):
        return -1 if not a.node else 1
    # 2. Pending < Unknown < Running
    if a.phase != b.phase:
        return -1 if a.phase < b.phase else 1
    # 3. not ready < ready
    if a.ready != b.ready:
        return -1 if not a.ready else 1
    # 4. lower pod-deletion-cost first
    if a.cost != b.cost:
        return -1 if a.cost < b.cost else 1
    # 5. more co-located pods of the same owner first
    if x[1] != y[1]:
        return -1 if x[1] > y[1] else 1
    # 6. ready for a shorter time first
    if a.ready and b.ready and a.ready_time != b.ready_time:
        result = _newer_first(a.ready_time, b.ready_time, a, b, now)
        if result:
            return result
    # 7. more restarts first (regular containers, then sidecars)
    if a.restarts != b.restarts:
        return -1 if a.restarts > b.restarts else 1
    # 8. newer first
    if a.created != b.created:
        return _newer_first(a.created, b.created, a, b, now)
    return 0


def _rank_victims(candidates: Sequence[_RankFacts], on_node: Mapping[str, int], diff: int,
                  now: float) -> list[Mapping[str, Any]]:
    if diff >= len(candidates):
        return [c.pod for c in candidates]
    ranked = [(c, on_node.get(c.node, 0)) for c in candidates]
    # nsmallest is sorted(...)[:diff] (stable), in O(n log diff) comparisons.
    def compare(x: _Ranked, y: _Ranked) -> int:
        return _compare(x, y, now)

    chosen = heapq.nsmallest(diff, ranked, key=functools.cmp_to_key(compare))
    return [c.pod for c, _rank in chosen]


def pods_to_delete(pods: Sequence[Mapping[str, Any]], related_pods: Iterable[Mapping[str, Any]], diff: int,
                   now: float) -> list[Mapping[str, Any]]:
    """The ``diff`` pods a scale-down removes first (``getPodsToDelete``).

    ``related_pods`` are the active pods of the ReplicaSet and of its sibling ReplicaSets (the
    same controller owns them); a pod's rank is how many of them share its node. ``now`` is
    virtual time in seconds (for the logarithmic age buckets).
    """
    if diff >= len(pods):
        return list(pods)
    on_node: dict[str, int] = {}
    for pod in related_pods:
        if is_pod_active(pod):
            node = (pod.get("spec") or {}).get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    return _rank_victims([_RankFacts(pod) for pod in pods], on_node, diff, now)


# --- the controller -------------------------------------------------------------------------


class _PodFacts:
    """What a sync needs of one owned pod, worked out once per write of that pod."""

    __slots__ = (
        "_rank",
        "active",
        "deleting",
        "labeled",
        "labeled_for",
        "matches",
        "node",
        "pod",
        "ready",
        "ready_since",
    )

    def __init__(self, pod: dict[str, Any], selector: LabelSelector) -> None:
        meta, status = pod["metadata"], pod.get("status") or {}
        terminal = status.get("phase") in ("Succeeded", "Failed")
        self.pod = pod
        self.deleting = bool(meta.get("deletionTimestamp")) and not terminal
        self.active = not terminal and not meta.get("deletionTimestamp")
        self.matches = selector.matches(meta.get("labels"))
        self.node = (pod.get("spec") or {}).get("nodeName") or ""
        self.ready = is_pod_ready(pod)
        self.ready_since = _ready_time(pod) if self.ready else None
        # fullyLabeled, cached for the template labels it was last checked against.
        self.labeled_for: Mapping[str, str] | None = None
        self.labeled = False
        self._rank: _RankFacts | None = None

    def fully_labeled(self, template_labels: Mapping[str, str]) -> bool:
        if self.labeled_for != template_labels:
            labels = self.pod["metadata"].get("labels") or {}
            self.labeled = all(labels.get(k) == v for k, v in template_labels.items())
            self.labeled_for = template_labels
        return self.labeled

    @property
    def rank_facts(self) -> _RankFacts:
        if self._rank is None:
            self._rank = _RankFacts(self.pod)
        return self._rank


class _OwnedPods:
    """The pods one ReplicaSet controls, with running counts of the ones its status reports."""

    __slots__ = ("active", "deleting", "facts", "labeled", "labels_key", "ready", "strays")

    def __init__(self) -> None:
        self.facts: dict[str, _PodFacts] = {}
        self.active = 0  # active and selected: what spec.replicas is compared with
        self.ready = 0
        self.deleting = 0  # terminating and selected (terminatingReplicas)
        self.strays = 0  # active but no longer selected: to release
        self.labels_key: dict[str, str] | None = None
        self.labeled = 0

    def put(self, name: str, facts: _PodFacts) -> None:
        self.remove(name)
        self.facts[name] = facts
        self._count(facts, 1)

    def remove(self, name: str) -> None:
        facts = self.facts.pop(name, None)
        if facts is not None:
            self._count(facts, -1)

    def _count(self, facts: _PodFacts, sign: int) -> None:
        if facts.active:
            if facts.matches:
                self.active += sign
                if facts.ready:
                    self.ready += sign
                if self.labels_key is not None and facts.fully_labeled(self.labels_key):
                    self.labeled += sign
            else:
                self.strays += sign
        elif facts.deleting and facts.matches:
            self.deleting += sign

    def active_facts(self) -> list[_PodFacts]:
        return [f for f in self.facts.values() if f.active and f.matches]

    def fully_labeled(self, template_labels: Mapping[str, str]) -> int:
        """fullyLabeledReplicas: recounted only when the template's labels change."""
        if self.labels_key != template_labels:
            self.labels_key = dict(template_labels)
            self.labeled = sum(1 for f in self.active_facts() if f.fully_labeled(self.labels_key))
        return self.labeled


class ReplicaSetController(KindController):
    """Keeps ``spec.replicas`` active pods per ReplicaSet and reports their state in ``status``."""

    name = "replicaset-controller"
    kind = ("apps", "ReplicaSet")
    owns = (("", "Pod"),)

    def __init__(self) -> None:
        # Compiled selectors by ReplicaSet uid (the selector is immutable).
        self._selectors = SelectorCache()
        # The pods each ReplicaSet controls, by ReplicaSet uid then pod name — an informer's
        # index: built from the store on a ReplicaSet's first sync, then kept current from
        # watch events, so a sync costs little per pod even with a thousand of them.
        self._pods: dict[str, _OwnedPods] = {}
        # Names of pods without a controller, per namespace (same scheme).
        self._orphans: dict[str, set[str]] = {}

    # --- wakeups and indexes ---------------------------------------------------------------

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """ReplicaSets: their key. Pods: their controller's key (old and new), and for orphans
        the key of every ReplicaSet whose selector matches (added pods, label or owner changes)."""
        obj = event.object
        meta = obj["metadata"]
        if event.kind.group_kind == self.kind:
            if event.type == "DELETED":
                self._selectors.forget(meta.get("uid", ""))
                self._pods.pop(meta.get("uid", ""), None)
            return (object_key(obj),)
        keys = list(super().keys_for(cluster, event))
        namespace, name = meta.get("namespace", ""), meta["name"]
        new_ref = controller_ref(obj) if event.type != "DELETED" else None
        old_ref = controller_ref(event.old) if event.old is not None else None
        new_uid = new_ref.get("uid") if new_ref is not None and new_ref.get("kind") == "ReplicaSet" else None
        old_uid = old_ref.get("uid") if old_ref is not None and old_ref.get("kind") == "ReplicaSet" else None
        if old_uid and old_uid != new_uid and old_uid in self._pods:
            self._pods[old_uid].remove(name)
        if new_uid and new_uid in self._pods:
            self._pods[new_uid].put(name, _PodFacts(obj, self._selector_of(cluster, new_uid, namespace, new_ref)))
        orphan = event.type != "DELETED" and new_ref is None
        names = self._orphans.get(namespace)
        if names is not None:
            if orphan:
                names.add(name)
            else:
                names.discard(name)
        if orphan and not meta.get("deletionTimestamp"):
            old = event.old
            if old is None or old["metadata"].get("labels") != meta.get("labels") or old_ref is not None:
                # sorted: the store's order differs after a restore, and the sets sync in this order
                for key in sorted(object_key(rs) for rs in cluster.store.peek_all("apps", "ReplicaSet", namespace)
                                  if self._selector(rs).matches(meta.get("labels"))):
                    if key not in keys:
                        keys.append(key)
        return keys

    def _selector(self, rs: Mapping[str, Any]) -> LabelSelector:
        return self._selectors.get(rs)

    def _selector_of(self, cluster: Cluster, uid: str, namespace: str, ref: Mapping[str, Any] | None) -> LabelSelector:
        selector = self._selectors.cached(uid)
        if selector is not None:
            return selector
        rs = cluster.store.peek("apps", "ReplicaSet", namespace, (ref or {}).get("name", ""))
        return self._selector(rs) if rs is not None and rs["metadata"].get("uid") == uid else NOTHING

    def _owned_pods(self, cluster: Cluster, rs: Mapping[str, Any], selector: LabelSelector) -> _OwnedPods:
        uid = rs["metadata"]["uid"]
        owned = self._pods.get(uid)
        if owned is None:
            owned = self._pods[uid] = _OwnedPods()
            for kind, pod in cluster.store.children_of(uid):
                if kind.group_kind == ("", "Pod") and (controller_ref(pod) or {}).get("uid") == uid:
                    owned.put(pod["metadata"]["name"], _PodFacts(pod, selector))
        return owned

    def _orphan_pods(self, cluster: Cluster, namespace: str) -> list[dict[str, Any]]:
        names = self._orphans.get(namespace)
        if names is None:
            names = self._orphans[namespace] = {
                p["metadata"]["name"] for p in cluster.store.peek_all("", "Pod", namespace) if controller_ref(p) is None}
        out = []
        for name in sorted(names):
            pod = cluster.store.peek("", "Pod", namespace, name)
            if pod is not None and controller_ref(pod) is None:
                out.append(pod)
        return out

    # --- sync ------------------------------------------------------------------------------

    def sync(self, cluster: Cluster, key: str) -> None:
        """Claim pods, create or delete to match ``spec.replicas``, write status.

        Raises:
            ApiError: a pod could not be created or deleted (the key is retried with back-off
            after the failure is recorded in the ``ReplicaFailure`` condition).
        """
        namespace, name = split_key(key)
        store = cluster.store
        rs = store.peek("apps", "ReplicaSet", namespace, name)
        if rs is None:
            return
        selector = self._selector(rs)
        owned = self._owned_pods(cluster, rs, selector)
        self._claim(cluster, rs, selector, owned)  # the index follows the adoptions and releases
        # Status describes the pods as found, before this sync's creates and deletes (as upstream).
        counts = self._counts(cluster, rs, owned)

        error: ApiError | None = None
        if not rs["metadata"].get("deletionTimestamp"):
            try:
                self._manage_replicas(cluster, rs, owned)
            except ApiError as err:
                error = err
        rs = store.peek("apps", "ReplicaSet", namespace, name) or rs
        updated = self._update_status(cluster, rs, counts, error)
        min_ready = (updated.get("spec") or {}).get("minReadySeconds") or 0
        if error is None and min_ready > 0:
            self._requeue_for_availability(cluster, key, owned, min_ready)
        if error is not None:
            raise error

    def _claim(self, cluster: Cluster, rs: dict[str, Any], selector: LabelSelector, owned: _OwnedPods) -> None:
        """``claimPods`` over active pods: release owned ones that stopped matching, adopt
        matching orphans (the patches' watch events update ``owned``)."""
        strays = [f.pod for f in owned.facts.values() if f.active and not f.matches] if owned.strays else []
        orphans = [p for p in self._orphan_pods(cluster, rs["metadata"]["namespace"]) if is_pod_active(p)]
        if strays or orphans:
            claim_objects(cluster, rs, selector, strays, orphans, api_version="v1", kind="Pod")

    def _counts(self, cluster: Cluster, rs: Mapping[str, Any], owned: _OwnedPods) -> dict[str, int]:
        spec = rs.get("spec") or {}
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or _NO_LABELS
        min_ready = spec.get("minReadySeconds") or 0
        if min_ready <= 0:
            available = owned.ready
        else:  # podutil.IsPodAvailable: ready for at least minReadySeconds
            now = cluster.clock.now
            available = sum(1 for f in owned.active_facts()
                            if f.ready_since is not None and now - f.ready_since >= min_ready)
        return {"replicas": owned.active, "fullyLabeledReplicas": owned.fully_labeled(template_labels),
                "readyReplicas": owned.ready, "availableReplicas": available, "terminatingReplicas": owned.deleting}

    def _manage_replicas(self, cluster: Cluster, rs: dict[str, Any], owned: _OwnedPods) -> None:
        replicas = (rs.get("spec") or {}).get("replicas", 1)
        diff = owned.active - replicas
        if diff < 0:
            self._create_pods(cluster, rs, min(-diff, BURST_REPLICAS))
        elif diff > 0:
            diff = min(diff, BURST_REPLICAS)
            candidates = sorted(owned.active_facts(), key=lambda f: f.pod["metadata"]["name"])
            on_node = self._pods_per_node(cluster, rs, candidates)
            victims = _rank_victims([f.rank_facts for f in candidates], on_node, diff, cluster.clock.now)
            self._delete_pods(cluster, rs, victims)

    def _pods_per_node(self, cluster: Cluster, rs: Mapping[str, Any], own: list[_PodFacts]) -> dict[str, int]:
        """Active pods per node of every ReplicaSet the same controller owns
        (``getIndirectlyRelatedPods``: none for a ReplicaSet without a controller, so all ranks tie)."""
        related: list[_PodFacts] = []
        ref = controller_ref(rs)
        if ref is not None:
            for kind, sibling in cluster.store.children_of(ref["uid"]):
                if kind.group_kind != self.kind:
                    continue
                if sibling["metadata"]["uid"] == rs["metadata"]["uid"]:
                    related.extend(own)
                else:
                    related.extend(self._owned_pods(cluster, sibling, self._selector(sibling)).facts.values())
        on_node: dict[str, int] = {}
        for facts in related:
            if facts.active:
                on_node[facts.node] = on_node.get(facts.node, 0) + 1
        return on_node

    def _pod_from_template(self, rs: Mapping[str, Any]) -> dict[str, Any]:
        """``GetPodFromTemplate``: labels, annotations, finalizers and spec of the template."""
        template = (rs.get("spec") or {}).get("template") or {}
        template_meta = template.get("metadata") or {}
        meta: dict[str, Any] = {"generateName": f"{rs['metadata']['name']}-", "namespace": rs["metadata"]["namespace"]}
        for field_name in ("labels", "annotations", "finalizers"):
            if template_meta.get(field_name):
                meta[field_name] = template_meta[field_name]
        meta["ownerReferences"] = [owner_reference(rs)]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template.get("spec") or {}}

    def _create_pods(self, cluster: Cluster, rs: dict[str, Any], count: int) -> None:
        """``slowStartBatch``: batches of 1, 2, 4, …; the first batch with a failure ends it."""
        pod = self._pod_from_template(rs)
        remaining, batch = count, min(count, SLOW_START_INITIAL_BATCH_SIZE)
        while batch > 0:
            first_error: ApiError | None = None
            for _ in range(batch):
                try:
                    created = cluster.store.create(pod, field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
                except ApiError as err:
                    if isinstance(err, ForbiddenError) and self._namespace_terminating(cluster, rs):
                        continue  # every create would fail; nothing to report
                    cluster.events.record(rs, "Warning", "FailedCreate", f"Error creating: {err}",
                                          component=_COMPONENT)
                    first_error = first_error or err
                else:
                    cluster.events.record(rs, "Normal", "SuccessfulCreate",
                                          f"Created pod: {created['metadata']['name']}", component=_COMPONENT)
            if first_error is not None:
                raise first_error
            remaining -= batch
            batch = min(2 * batch, remaining)

    @staticmethod
    def _namespace_terminating(cluster: Cluster, rs: Mapping[str, Any]) -> bool:
        ns = cluster.store.peek("", "Namespace", "", rs["metadata"]["namespace"])
        return ns is None or bool(ns["metadata"].get("deletionTimestamp"))

    def _delete_pods(self, cluster: Cluster, rs: dict[str, Any], victims: list[Mapping[str, Any]]) -> None:
        first_error: ApiError | None = None
        for pod in victims:
            pod_name = pod["metadata"]["name"]
            try:
                cluster.store.delete("v1", "Pod", pod_name, namespace=rs["metadata"]["namespace"], copy=False)
            except NotFoundError:
                continue
            except ApiError as err:
                cluster.events.record(rs, "Warning", "FailedDelete", f"Error deleting: {err}", component=_COMPONENT)
                first_error = first_error or err
            else:
                cluster.events.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}",
                                      component=_COMPONENT)
        if first_error is not None:
            raise first_error

    # --- status ----------------------------------------------------------------------------

    def _update_status(self, cluster: Cluster, rs: dict[str, Any], counts: Mapping[str, int],
                       error: ApiError | None) -> dict[str, Any]:
        """``calculateStatus`` + ``updateReplicaSetStatus``; returns the stored ReplicaSet."""
        spec = rs.get("spec") or {}
        old = rs.get("status") or {}
        conditions = [dict(c) for c in old.get("conditions") or ()]
        failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
        if error is not None and failure is None:
            diff = counts["replicas"] - spec.get("replicas", 1)
            reason = "FailedCreate" if diff < 0 else ("FailedDelete" if diff > 0 else "")
            conditions.append({"type": "ReplicaFailure", "status": "True",
                               "lastTransitionTime": cluster.clock.now_rfc3339(), "reason": reason,
                               "message": str(error)})
        elif error is None and failure is not None:
            conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]

        # replicas is always written; the other counters are omitempty.
        status: dict[str, Any] = {"replicas": counts["replicas"]}
        for field_name in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
            if counts[field_name]:
                status[field_name] = counts[field_name]
        status["terminatingReplicas"] = counts["terminatingReplicas"]
        generation = rs["metadata"].get("generation", 0)
        if generation:
            status["observedGeneration"] = generation
        if conditions:
            status["conditions"] = conditions
        if status == old:
            return rs
        meta = rs["metadata"]
        try:
            return cluster.store.update_status(
                {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                 "metadata": {"name": meta["name"], "namespace": meta["namespace"]}, "status": status},
                field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
        except NotFoundError:
            return rs

    def _requeue_for_availability(self, cluster: Cluster, key: str, owned: _OwnedPods, min_ready: int) -> None:
        """Wake up when the next ready pod has been ready for ``minReadySeconds``."""
        now = cluster.clock.now
        due = None
        for facts in owned.active_facts():
            if facts.ready_since is None:
                continue
            at = facts.ready_since + min_ready
            if at > now and (due is None or at < due):
                due = at
        if due is not None:
            cluster.enqueue_after(self.name, key, due - now)
