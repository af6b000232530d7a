"""The Deployment controller (``pkg/controller/deployment/``).

A Deployment manages ReplicaSets, never pods. Each sync follows ``syncDeployment``:

1. claim ReplicaSets (adopt matching orphans, release owned ones that stopped matching);
2. a Deployment being deleted only gets its status refreshed;
3. ``Progressing`` becomes Unknown/``DeploymentPaused`` or ``DeploymentResumed`` on a pause
   change; a paused Deployment is only scaled (proportionally) and cleaned up;
4. a *scaling event* (an active ReplicaSet's ``desired-replicas`` annotation differs from
   ``spec.replicas``) is handled by ``scale``: proportional scaling across the active
   ReplicaSets, leftovers to the largest;
5. otherwise a rollout step: ``RollingUpdate`` (scale the new ReplicaSet up within
   ``replicas + maxSurge``; scale old ones down while ``replicas - maxUnavailable`` stay
   available, unhealthy old replicas first) or ``Recreate`` (old to zero, wait until no old
   pod runs, new to full size); then history cleanup and the rollout status with the
   ``Progressing``/``Available``/``ReplicaFailure`` conditions and Kubernetes' reasons.

The new ReplicaSet is ``<deployment>-<pod-template-hash>``; it is the oldest ReplicaSet whose
template equals the Deployment's ignoring that label, so changing only the Deployment's own
labels or annotations never rolls pods. Revisions live in the
``deployment.kubernetes.io/revision`` annotations; re-using an old template bumps that
ReplicaSet to a new revision and records the old number in ``revision-history``.

The real controller writes the Deployment's revision annotation in the same status update as
its conditions (the status subresource of Deployments keeps metadata changes); this store's
status writes only carry ``status``, so the annotation is a separate metadata patch by the
same field manager.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import parse_time as parse_timestamp
from helmlite.cluster.controllers.base import (
    KindController,
    SelectorCache,
    controller_ref,
    object_key,
    split_key,
)
from helmlite.cluster.controllers.replicaset import (
    CONTROLLER_FIELD_MANAGER,
    claim_objects,
    owner_reference,
)
from helmlite.cluster.errors import AlreadyExistsError, ApiError, NotFoundError
from helmlite.cluster.podutil import template_hash
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.store import WatchEvent

__all__ = [
    "ANNOTATIONS_TO_SKIP",
    "DESIRED_REPLICAS_ANNOTATION",
    "MAX_REPLICAS_ANNOTATION",
    "MAX_REVISION_HISTORY_CHARS",
    "POD_TEMPLATE_HASH_LABEL",
    "REVISION_ANNOTATION",
    "REVISION_HISTORY_ANNOTATION",
    "DeploymentController",
    "equal_ignore_hash",
    "has_progress_deadline",
    "max_surge",
    "max_unavailable",
    "new_rs_new_replicas",
    "replica_set_proportion",
    "resolve_fenceposts",
    "revision",
    "scaled_value",
]

POD_TEMPLATE_HASH_LABEL = "pod-template-hash"  # apps.DefaultDeploymentUniqueLabelKey
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
_ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to"
_LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# Deployment annotations never copied onto its ReplicaSets (deployment_util.annotationsToSkip).
ANNOTATIONS_TO_SKIP = frozenset({_LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
                                 DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, _ROLLBACK_TO_ANNOTATION})
# sync.go maxRevHistoryLengthInChars.
MAX_REVISION_HISTORY_CHARS = 2000
# progressDeadlineSeconds == MaxInt32 disables progress reporting.
_NO_DEADLINE = 2**31 - 1

# Condition reasons (deployment_util.go).
_NEW_RS_REASON = "NewReplicaSetCreated"
_FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
_RS_UPDATED_REASON = "ReplicaSetUpdated"
_NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
_TIMED_OUT_REASON = "ProgressDeadlineExceeded"
_PAUSED_REASON = "DeploymentPaused"
_RESUMED_REASON = "DeploymentResumed"
_FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
_MIN_AVAILABLE_REASON = "MinimumReplicasAvailable"
_MIN_UNAVAILABLE_REASON = "MinimumReplicasUnavailable"

_COMPONENT = "deployment-controller"
_RS_GK = ("apps", "ReplicaSet")


# --- arithmetic and template helpers (pure, table-tested) ------------------------------------


def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """intstr ``GetScaledValueFromIntOrPercent``: an int as is, ``"25%"`` of ``total`` rounded
    up or down (computed in floating point, as Go does).

    Raises:
        ValueError: a string that is not a percentage.
    """
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    raise ValueError(f"invalid value for IntOrString: invalid type: string is not a percentage: {value!r}")


def resolve_fenceposts(surge: int | str | None, unavailable: int | str | None, desired: int) -> tuple[int, int]:
    """``ResolveFenceposts``: (maxSurge rounded up, maxUnavailable rounded down); when both are
    0, maxUnavailable becomes 1."""
    s = scaled_value(surge, desired, True)
    u = scaled_value(unavailable, desired, False)
    if s == 0 and u == 0:
        u = 1
    return s, u


def _replicas(obj: Mapping[str, Any]) -> int:
    return int((obj.get("spec") or {}).get("replicas", 1))


def _rolling(d: Mapping[str, Any]) -> dict[str, Any] | None:
    strategy = (d.get("spec") or {}).get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    return strategy.get("rollingUpdate") or {}


def max_surge(d: Mapping[str, Any]) -> int:
    """``MaxSurge``: 0 for Recreate."""
    rolling = _rolling(d)
    if rolling is None:
        return 0
    return resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), _replicas(d))[0]


def max_unavailable(d: Mapping[str, Any]) -> int:
    """``MaxUnavailable``: 0 for Recreate or zero replicas, capped at ``replicas``."""
    rolling = _rolling(d)
    replicas = _replicas(d)
    if rolling is None or replicas == 0:
        return 0
    unavailable = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas)[1]
    return min(unavailable, replicas)


def new_rs_new_replicas(d: Mapping[str, Any], all_rss: Sequence[Mapping[str, Any]], new_rs: Mapping[str, Any]) -> int:
    """``NewRSNewReplicas``: the size the new ReplicaSet may grow to in this step."""
    replicas = _replicas(d)
    rolling = _rolling(d)
    if rolling is None:
        return replicas
    surge = scaled_value(rolling.get("maxSurge"), replicas, True)
    current = sum(_replicas(rs) for rs in all_rss)
    max_total = replicas + surge
    if current >= max_total:
        return _replicas(new_rs)
    return _replicas(new_rs) + min(max_total - current, replicas - _replicas(new_rs))


def _int_annotation(obj: Mapping[str, Any], key: str) -> int | None:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(key)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def replica_set_proportion(rs: Mapping[str, Any] | None, d: Mapping[str, Any], to_add: int, added: int) -> int:
    """``GetReplicaSetProportion``: this ReplicaSet's share of ``to_add`` during proportional scaling."""
    if rs is None or _replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _replica_set_fraction(rs: Mapping[str, Any], d: Mapping[str, Any]) -> int:
    if _replicas(d) == 0:
        return -_replicas(rs)
    deployment_max = _replicas(d) + max_surge(d)
    before = _int_annotation(rs, MAX_REPLICAS_ANNOTATION)
    if not before:
        # No annotation: fall back to the current size (a scale before the RS existed).
        before = int((d.get("status") or {}).get("replicas", 0))
        if before == 0:
            return 0
    size = _replicas(rs) * deployment_max / before
    return int(size + 0.5) - _replicas(rs)  # integer.RoundToInt32 (sizes are never negative)


def _strip_empty(value: Any) -> Any:
    # apimachinery's semantic equality treats nil and empty maps/slices as equal.
    if isinstance(value, dict):
        out = {k: _strip_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != {} and v != []}
    if isinstance(value, list):
        return [_strip_empty(v) for v in value]
    return value


def _comparable_template(template: Mapping[str, Any] | None) -> Any:
    """A pod template without its ``pod-template-hash`` label, empty maps and lists dropped."""
    t = dict(template or {})
    meta = dict(t.get("metadata") or {})
    meta["labels"] = {k: v for k, v in (meta.get("labels") or {}).items() if k != POD_TEMPLATE_HASH_LABEL}
    t["metadata"] = meta
    return _strip_empty(t)


def equal_ignore_hash(t1: Mapping[str, Any] | None, t2: Mapping[str, Any] | None) -> bool:
    """``EqualIgnoreHash``: two pod templates are equal apart from the ``pod-template-hash`` label."""
    return bool(_comparable_template(t1) == _comparable_template(t2))


def revision(obj: Mapping[str, Any] | None) -> int | None:
    """The ``deployment.kubernetes.io/revision`` number: 0 when absent, None when unparseable."""
    value = (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(REVISION_ANNOTATION)
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return None


def has_progress_deadline(d: Mapping[str, Any]) -> bool:
    """``HasProgressDeadline``: set and not MaxInt32."""
    deadline = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return deadline is not None and deadline != _NO_DEADLINE


def _max_revision(rss: Iterable[Mapping[str, Any]]) -> int:
    return max((v for v in (revision(rs) for rs in rss) if v is not None), default=0)


def _by_creation(rs: Mapping[str, Any]) -> tuple[str, str]:
    meta = rs["metadata"]
    return meta.get("creationTimestamp", ""), meta["name"]


def _sorted_by_size_newer(rss: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = sorted(rss, key=_by_creation, reverse=True)
    out.sort(key=lambda rs: -_replicas(rs))
    return out


def _sorted_by_size_older(rss: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rss, key=lambda rs: (-_replicas(rs), *_by_creation(rs)))


def _sorted_by_revision(rss: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rss, key=lambda rs: (revision(rs) or 0, *_by_creation(rs)))


def _active(rss: Iterable[dict[str, Any] | None]) -> list[dict[str, Any]]:
    return [rs for rs in rss if rs is not None and _replicas(rs) > 0]


def _condition(status: Mapping[str, Any], condition_type: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == condition_type), None)


def _set_condition(status: dict[str, Any], condition: dict[str, Any]) -> None:
    """``SetDeploymentCondition``: no-op if status and reason are unchanged; keeps
    lastTransitionTime while the status stays the same; the updated condition moves last."""
    current = _condition(status, condition["type"])
    if current is not None and current.get("status") == condition["status"] and \
            current.get("reason") == condition["reason"]:
        return
    if current is not None and current.get("status") == condition["status"]:
        condition["lastTransitionTime"] = current.get("lastTransitionTime")
    status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    status["conditions"].append(condition)


def _remove_condition(status: dict[str, Any], condition_type: str) -> None:
    conditions = [c for c in status.get("conditions") or () if c.get("type") != condition_type]
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)


# --- the controller -------------------------------------------------------------------------


class DeploymentController(KindController):
    """Rolls Deployments out through ReplicaSets and reports their status."""

    name = "deployment-controller"
    kind = ("apps", "Deployment")
    owns = (_RS_GK,)

    def __init__(self) -> None:
        self._selectors = SelectorCache()
        # ReplicaSets without a controller, per namespace (see ReplicaSetController._orphans).
        self._orphans: dict[str, set[str]] = {}
        # Comparable pod templates by object uid, valid for one generation.
        self._templates: dict[str, tuple[int, Any]] = {}

    @property
    def watches(self) -> tuple[tuple[str, str], ...]:
        """Deployments, ReplicaSets, and Pods (a Recreate rollout waits for old pods to go)."""
        return (self.kind, _RS_GK, ("", "Pod"))

    def keys_for(self, cluster: Cluster, event: WatchEvent) -> Iterable[str]:
        """Deployments: their key. ReplicaSets: their controller's key, and for orphans every
        Deployment whose selector matches. Deleted pods: their Recreate Deployment."""
        obj = event.object
        group_kind = event.kind.group_kind
        if group_kind == self.kind:
            if event.type == "DELETED":
                self._selectors.forget(obj["metadata"].get("uid", ""))
                self._templates.pop(obj["metadata"].get("uid", ""), None)
            return (object_key(obj),)
        if group_kind == ("", "Pod"):
            return self._recreate_key_for_deleted_pod(cluster, event) if event.type == "DELETED" else ()
        keys = list(super().keys_for(cluster, event))
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        if event.type == "DELETED":
            self._templates.pop(meta.get("uid", ""), None)
        orphan = controller_ref(obj) is None
        names = self._orphans.get(namespace)
        if names is not None:
            if orphan and event.type != "DELETED":
                names.add(meta["name"])
            else:
                names.discard(meta["name"])
        if orphan and event.type != "DELETED" and not meta.get("deletionTimestamp"):
            old = event.old
            if old is None or old["metadata"].get("labels") != meta.get("labels") or controller_ref(old) is not None:
                # sorted: the store's order differs after a restore, and the Deployments sync in this order
                for key in sorted(object_key(d) for d in cluster.store.peek_all(*self.kind, namespace)
                                  if self.selector_of(d).matches(meta.get("labels"))):
                    if key not in keys:
                        keys.append(key)
        return keys

    def _recreate_key_for_deleted_pod(self, cluster: Cluster, event: WatchEvent) -> list[str]:
        ref = controller_ref(event.object)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return []
        namespace = event.object["metadata"].get("namespace", "")
        rs = cluster.store.peek("apps", "ReplicaSet", namespace, ref.get("name", ""))
        owner = controller_ref(rs) if rs is not None else None
        if owner is None or owner.get("kind") != "Deployment":
            return []
        d = cluster.store.peek("apps", "Deployment", namespace, owner.get("name", ""))
        if d is None or ((d.get("spec") or {}).get("strategy") or {}).get("type") != "Recreate":
            return []
        return [object_key(d)]

    def selector_of(self, d: Mapping[str, Any]) -> LabelSelector:
        """The compiled ``spec.selector`` of a Deployment (immutable, so cached by uid)."""
        return self._selectors.get(d)

    def comparable_template(self, obj: Mapping[str, Any]) -> Any:
        """``obj``'s pod template as ``equal_ignore_hash`` compares it (cached per generation)."""
        meta = obj["metadata"]
        uid, generation = meta.get("uid", ""), meta.get("generation", 0)
        cached = self._templates.get(uid)
        if cached is None or cached[0] != generation:
            cached = self._templates[uid] = (generation, _comparable_template((obj.get("spec") or {}).get("template")))
        return cached[1]

    def orphan_replica_sets(self, cluster: Cluster, namespace: str) -> list[dict[str, Any]]:
        """ReplicaSets in ``namespace`` without a controller (read-only snapshots)."""
        names = self._orphans.get(namespace)
        if names is None:
            names = self._orphans[namespace] = {
                rs["metadata"]["name"] for rs in cluster.store.peek_all(*_RS_GK, namespace) if controller_ref(rs) is None}
        out = []
        for name in sorted(names):
            rs = cluster.store.peek(*_RS_GK, namespace, name)
            if rs is not None and controller_ref(rs) is None:
                out.append(rs)
        return out

    def sync(self, cluster: Cluster, key: str) -> None:
        """One ``syncDeployment`` pass (see the module docstring).

        Raises:
            ApiError: a write failed (a hash collision, a ReplicaSet that could not be created…);
            the key is retried with back-off.
        """
        namespace, name = split_key(key)
        d = cluster.store.peek(*self.kind, namespace, name)
        if d is None:
            return
        try:
            _DeploymentSync(self, cluster, d).run()
        except NotFoundError:
            # The Deployment (or a ReplicaSet) vanished mid-sync; its deletion wakes us again.
            if cluster.store.peek(*self.kind, namespace, name) is not None:
                raise


class _DeploymentSync:
    """The state of one sync: the Deployment as last written and its working status."""

    def __init__(self, controller: DeploymentController, cluster: Cluster, d: dict[str, Any]) -> None:
        self.controller = controller
        self.cluster = cluster
        self.store = cluster.store
        self.d = d
        self.status: dict[str, Any] = copy_object(d.get("status") or {})
        self.key = object_key(d)

    # --- plumbing --------------------------------------------------------------------------

    @property
    def replicas(self) -> int:
        return _replicas(self.d)

    def _event(self, type_: str, reason: str, message: str) -> None:
        self.cluster.events.record(self.d, type_, reason, message, component=_COMPONENT)

    def _new_condition(self, type_: str, status: str, reason: str, message: str) -> dict[str, Any]:
        now = self.cluster.clock.now_rfc3339()
        return {"type": type_, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
                "reason": reason, "message": message}

    def _write_status(self, status: dict[str, Any]) -> None:
        meta = self.d["metadata"]
        self.d = self.store.update_status(
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": meta["name"], "namespace": meta["namespace"]}, "status": status},
            field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
        self.status = copy_object(self.d.get("status") or {})

    def _set_revision(self, value: str) -> bool:
        """``SetDeploymentRevision``, written at once; True if it changed."""
        if (self.d["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION) == value:
            return False
        meta = self.d["metadata"]
        self.d = self.store.patch("apps/v1", "Deployment", meta["name"], namespace=meta["namespace"],
                                  patch={"metadata": {"annotations": {REVISION_ANNOTATION: value}}},
                                  field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
        return True

    def _update_rs(self, rs: Mapping[str, Any], *, replicas: int | None = None,
                   annotations: dict[str, str] | None = None, min_ready: int | None = None) -> dict[str, Any]:
        """A full ReplicaSet update, as the controller's ``Update`` calls send."""
        new = copy_object(rs)
        new.pop("status", None)
        if replicas is not None:
            new["spec"]["replicas"] = replicas
        if annotations is not None:
            new["metadata"]["annotations"] = annotations
        if min_ready is not None:
            if min_ready:
                new["spec"]["minReadySeconds"] = min_ready
            else:
                new["spec"].pop("minReadySeconds", None)
        return self.store.replace(new, field_manager=CONTROLLER_FIELD_MANAGER, copy=False)

    # --- syncDeployment --------------------------------------------------------------------

    def run(self) -> None:
        d = self.d
        spec = d.get("spec") or {}
        if spec.get("selector") == {}:
            self._event("Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
            generation = d["metadata"].get("generation", 0)
            if self.status.get("observedGeneration", 0) < generation:
                self._write_status({**self.status, "observedGeneration": generation})
            return
        rs_list = self._claim_replica_sets()
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old_rss = self._all_replica_sets(rs_list, create=False)
            self._sync_deployment_status([*old_rss, new_rs], new_rs)
            return
        self._check_paused_conditions()
        if spec.get("paused"):
            self._sync(rs_list)
            return
        if self._is_scaling_event(rs_list):
            self._sync(rs_list)
            return
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            self._rollout_recreate(rs_list)
        else:
            self._rollout_rolling(rs_list)

    def _claim_replica_sets(self) -> list[dict[str, Any]]:
        uid = self.d["metadata"]["uid"]
        owned = [rs for kind, rs in self.store.children_of(uid) if kind.group_kind == _RS_GK]
        orphans = self.controller.orphan_replica_sets(self.cluster, self.d["metadata"]["namespace"])
        claimed = claim_objects(self.cluster, self.d, self.controller.selector_of(self.d), owned, orphans,
                                api_version="apps/v1", kind="ReplicaSet")
        return sorted(claimed, key=_by_creation)

    def _check_paused_conditions(self) -> None:
        if not has_progress_deadline(self.d):
            return
        cond = _condition(self.status, "Progressing")
        if cond is not None and cond.get("reason") == _TIMED_OUT_REASON:
            return
        paused = bool((self.d.get("spec") or {}).get("paused"))
        paused_cond = cond is not None and cond.get("reason") == _PAUSED_REASON
        if paused and not paused_cond:
            condition = self._new_condition("Progressing", "Unknown", _PAUSED_REASON, "Deployment is paused")
        elif not paused and paused_cond:
            condition = self._new_condition("Progressing", "Unknown", _RESUMED_REASON, "Deployment is resumed")
        else:
            return
        _set_condition(self.status, condition)
        self._write_status(self.status)

    def _is_scaling_event(self, rs_list: list[dict[str, Any]]) -> bool:
        new_rs, old_rss = self._all_replica_sets(rs_list, create=False)
        for rs in _active([*old_rss, new_rs]):
            desired = _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
            if desired is not None and desired != self.replicas:
                return True
        return False

    # --- new and old ReplicaSets -----------------------------------------------------------

    def _find_new(self, rs_list: list[dict[str, Any]]) -> dict[str, Any] | None:
        template = self.controller.comparable_template(self.d)
        for rs in rs_list:  # oldest first: the oldest matching one wins
            if self.controller.comparable_template(rs) == template:
                return rs
        return None

    def _all_replica_sets(self, rs_list: list[dict[str, Any]], *,
                          create: bool) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """``getAllReplicaSetsAndSyncRevision``: (new ReplicaSet or None, all old ones).

        ``rs_list`` is re-read first, as an informer cache would be current by now.
        """
        rs_list = [fresh for rs in rs_list
                   if (fresh := self.store.peek(*_RS_GK, rs["metadata"]["namespace"], rs["metadata"]["name"])) is not None
                   and fresh["metadata"]["uid"] == rs["metadata"]["uid"]]
        existing = self._find_new(rs_list)
        old_rss = [rs for rs in rs_list if existing is None or rs["metadata"]["uid"] != existing["metadata"]["uid"]]
        return self._new_replica_set(existing, old_rss, create=create), old_rss

    def _new_rs_annotations(self, annotations: dict[str, str], new_revision: int, *, exists: bool) -> bool:
        """``SetNewReplicaSetAnnotations`` on ``annotations`` (changed in place); True if changed."""
        changed = False
        for k, v in (self.d["metadata"].get("annotations") or {}).items():
            if k in ANNOTATIONS_TO_SKIP or annotations.get(k) == v:
                continue
            annotations[k] = v
            changed = True
        old_text = annotations.get(REVISION_ANNOTATION)
        if old_text is None:
            old_revision = 0
        else:
            try:
                old_revision = int(old_text)
            except ValueError:
                return False
        if old_revision < new_revision:
            annotations[REVISION_ANNOTATION] = str(new_revision)
            changed = True
            if old_text is not None:
                # Re-used by a rollback: keep the old number in the history.
                history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
                if not history:
                    annotations[REVISION_HISTORY_ANNOTATION] = old_text
                else:
                    old = history.split(",")
                    total, start = len(history) + len(old_text) + 1, 0
                    while total > MAX_REVISION_HISTORY_CHARS and start < len(old):
                        total -= len(old[start]) + 1
                        start += 1
                    if total <= MAX_REVISION_HISTORY_CHARS:
                        annotations[REVISION_HISTORY_ANNOTATION] = ",".join([*old[start:], old_text])
        if not exists:
            changed = self._replica_annotations(annotations) or changed
        return changed

    def _replica_annotations(self, annotations: dict[str, str]) -> bool:
        """``SetReplicasAnnotations``: desired-replicas and max-replicas; True if changed."""
        desired, maximum = str(self.replicas), str(self.replicas + max_surge(self.d))
        changed = annotations.get(DESIRED_REPLICAS_ANNOTATION) != desired or \
            annotations.get(MAX_REPLICAS_ANNOTATION) != maximum
        annotations[DESIRED_REPLICAS_ANNOTATION] = desired
        annotations[MAX_REPLICAS_ANNOTATION] = maximum
        return changed

    def _new_replica_set(self, existing: dict[str, Any] | None, old_rss: list[dict[str, Any]], *,
                         create: bool) -> dict[str, Any] | None:
        """``getNewReplicaSet``: sync the existing new ReplicaSet's annotations and the
        Deployment's revision, or create the new ReplicaSet when ``create``."""
        new_revision = _max_revision(old_rss) + 1
        min_ready = (self.d.get("spec") or {}).get("minReadySeconds") or 0
        if existing is not None:
            annotations = dict(existing["metadata"].get("annotations") or {})
            changed = self._new_rs_annotations(annotations, new_revision, exists=True)
            if changed or ((existing.get("spec") or {}).get("minReadySeconds") or 0) != min_ready:
                return self._update_rs(existing, annotations=annotations, min_ready=min_ready)
            needs_update = False
            rs_revision = (existing["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION)
            if rs_revision is not None:
                self._set_revision(rs_revision)
            if has_progress_deadline(self.d) and _condition(self.status, "Progressing") is None:
                _set_condition(self.status, self._new_condition(
                    "Progressing", "True", _FOUND_NEW_RS_REASON, f'Found new replica set "{existing["metadata"]["name"]}"'))
                needs_update = True
            if needs_update:
                self._write_status(self.status)
            return existing
        if not create:
            return None
        return self._create_new_replica_set(old_rss, new_revision, min_ready)

    def _create_new_replica_set(self, old_rss: list[dict[str, Any]], new_revision: int,
                                min_ready: int) -> dict[str, Any]:
        d = self.d
        spec = d.get("spec") or {}
        collision_count = self.status.get("collisionCount")
        template = copy.deepcopy(spec.get("template") or {})
        pod_hash = template_hash(spec.get("template") or {}, collision_count or 0)
        template_meta = template.setdefault("metadata", {})
        template_meta["labels"] = {**(template_meta.get("labels") or {}), POD_TEMPLATE_HASH_LABEL: pod_hash}
        selector = copy.deepcopy(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), POD_TEMPLATE_HASH_LABEL: pod_hash}
        rs_name = f"{d['metadata']['name']}-{pod_hash}"
        new_rs: dict[str, Any] = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs_name, "namespace": d["metadata"]["namespace"],
                         "labels": dict(template_meta["labels"]), "ownerReferences": [owner_reference(d)]},
            "spec": {"replicas": 0, "selector": selector, "template": template},
        }
        if min_ready:
            new_rs["spec"]["minReadySeconds"] = min_ready
        new_replicas = new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
        new_rs["spec"]["replicas"] = new_replicas
        annotations: dict[str, str] = {}
        self._new_rs_annotations(annotations, new_revision, exists=False)
        new_rs["metadata"]["annotations"] = annotations
        already_exists = False
        try:
            created = self.store.create(new_rs, field_manager=CONTROLLER_FIELD_MANAGER, copy=False)
        except AlreadyExistsError:
            found = self.store.peek(*_RS_GK, d["metadata"]["namespace"], rs_name)
            ref = controller_ref(found) if found is not None else None
            if found is not None and ref is not None and ref.get("uid") == d["metadata"]["uid"] and \
                    equal_ignore_hash(spec.get("template"), (found.get("spec") or {}).get("template")):
                created, already_exists = found, True
            else:
                # A hash collision: bump collisionCount and try again with a new hash.
                self._write_status({**self.status, "collisionCount": (collision_count or 0) + 1})
                raise
        except ApiError as err:
            ns = self.store.peek("", "Namespace", "", d["metadata"]["namespace"])
            if ns is None or ns["metadata"].get("deletionTimestamp"):
                raise
            message = f'Failed to create new replica set "{rs_name}": {err}'
            if has_progress_deadline(d):
                _set_condition(self.status, self._new_condition("Progressing", "False", _FAILED_RS_CREATE_REASON, message))
                self._write_status(self.status)
            self._event("Warning", _FAILED_RS_CREATE_REASON, message)
            raise
        if not already_exists and new_replicas > 0:
            self._event("Normal", "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {new_replicas}")
        self._set_revision(str(new_revision))
        if not already_exists and has_progress_deadline(d):
            _set_condition(self.status, self._new_condition(
                "Progressing", "True", _NEW_RS_REASON, f'Created new replica set "{rs_name}"'))
            self._write_status(self.status)
        return created

    # --- scaling ---------------------------------------------------------------------------

    def _scale_rs(self, rs: dict[str, Any], new_scale: int, operation: str) -> tuple[bool, dict[str, Any]]:
        """``scaleReplicaSet``: size and replica annotations; a ScalingReplicaSet event if resized."""
        old_scale = _replicas(rs)
        annotations = dict(rs["metadata"].get("annotations") or {})
        annotations_changed = self._replica_annotations(annotations)
        if old_scale == new_scale and not annotations_changed:
            return False, rs
        updated = self._update_rs(rs, replicas=new_scale, annotations=annotations)
        if old_scale != new_scale:
            self._event("Normal", "ScalingReplicaSet",
                        f"Scaled {operation} replica set {rs['metadata']['name']} from {old_scale} to {new_scale}")
            return True, updated
        return False, updated

    def _scale_rs_and_record(self, rs: dict[str, Any], new_scale: int) -> tuple[bool, dict[str, Any]]:
        if _replicas(rs) == new_scale:
            return False, rs
        return self._scale_rs(rs, new_scale, "up" if _replicas(rs) < new_scale else "down")

    def _scale(self, new_rs: dict[str, Any] | None, old_rss: list[dict[str, Any]]) -> None:
        """``scale``: proportional scaling of the active ReplicaSets (paused or scaled mid-rollout)."""
        d = self.d
        replicas = self.replicas
        candidates = sorted(old_rss, key=_by_creation, reverse=True)
        active = _active([*candidates, new_rs])
        if new_rs is not None or old_rss:
            if not active:
                latest = new_rs if new_rs is not None else candidates[0]
            elif len(active) == 1:
                latest = active[0]
            else:
                latest = None
            if latest is not None:
                if _replicas(latest) != replicas:
                    self._scale_rs_and_record(latest, replicas)
                return
        if self._is_saturated(new_rs):
            for old in _active(old_rss):
                self._scale_rs_and_record(old, 0)
            return
        if _rolling(d) is None:
            return
        all_rss = _active([*old_rss, new_rs])
        allowed = replicas + max_surge(d) if replicas > 0 else 0
        to_add = allowed - sum(_replicas(rs) for rs in all_rss)
        operation = ""
        if to_add > 0:
            all_rss = _sorted_by_size_newer(all_rss)
            operation = "up"
        elif to_add < 0:
            all_rss = _sorted_by_size_older(all_rss)
            operation = "down"
        added = 0
        sizes: dict[str, int] = {}
        for rs in all_rss:
            if to_add != 0:
                proportion = replica_set_proportion(rs, d, to_add, added)
                sizes[rs["metadata"]["name"]] = _replicas(rs) + proportion
                added += proportion
            else:
                sizes[rs["metadata"]["name"]] = _replicas(rs)
        for i, rs in enumerate(all_rss):
            name = rs["metadata"]["name"]
            if i == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)  # leftovers to the largest
            self._scale_rs(rs, sizes[name], operation)

    def _is_saturated(self, rs: Mapping[str, Any] | None) -> bool:
        if rs is None:
            return False
        desired = _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
        return desired is not None and _replicas(rs) == self.replicas and desired == self.replicas and \
            int((rs.get("status") or {}).get("availableReplicas", 0)) == self.replicas

    def _sync(self, rs_list: list[dict[str, Any]]) -> None:
        """``sync``: scaling events and paused Deployments."""
        new_rs, old_rss = self._all_replica_sets(rs_list, create=False)
        self._scale(new_rs, old_rss)
        if (self.d.get("spec") or {}).get("paused"):
            self._cleanup(old_rss)
        self._sync_deployment_status([*old_rss, new_rs], new_rs)

    # --- RollingUpdate ---------------------------------------------------------------------

    def _rollout_rolling(self, rs_list: list[dict[str, Any]]) -> None:
        new_rs, old_rss = self._all_replica_sets(rs_list, create=True)
        assert new_rs is not None  # created above or an ApiError was raised
        all_rss: list[dict[str, Any] | None] = [*old_rss, new_rs]
        if self._reconcile_new_replica_set(all_rss, new_rs):
            self._sync_rollout_status(all_rss, new_rs)
            return
        if self._reconcile_old_replica_sets(all_rss, _active(old_rss), new_rs):
            self._sync_rollout_status(all_rss, new_rs)
            return
        if self._complete(self.status):
            self._cleanup(old_rss)
        self._sync_rollout_status(all_rss, new_rs)

    def _reconcile_new_replica_set(self, all_rss: list[dict[str, Any] | None], new_rs: dict[str, Any]) -> bool:
        replicas = self.replicas
        if _replicas(new_rs) == replicas:
            return False
        if _replicas(new_rs) > replicas:
            return self._scale_rs_and_record(new_rs, replicas)[0]
        count = new_rs_new_replicas(self.d, [rs for rs in all_rss if rs is not None], new_rs)
        return self._scale_rs_and_record(new_rs, count)[0]

    def _reconcile_old_replica_sets(self, all_rss: list[dict[str, Any] | None], old_rss: list[dict[str, Any]],
                                    new_rs: dict[str, Any]) -> bool:
        if sum(_replicas(rs) for rs in old_rss) == 0:
            return False
        all_pods = sum(_replicas(rs) for rs in all_rss if rs is not None)
        min_available = self.replicas - max_unavailable(self.d)
        new_unavailable = _replicas(new_rs) - int((new_rs.get("status") or {}).get("availableReplicas", 0))
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleanup = self._cleanup_unhealthy_replicas(old_rss, max_scaled_down)
        if cleanup is None:
            return False  # upstream logs the invalid request and ends the step
        old_rss, cleaned = cleanup
        scaled = self._scale_down_old_replica_sets([*old_rss, new_rs], old_rss)
        return cleaned + scaled > 0

    def _cleanup_unhealthy_replicas(self, old_rss: list[dict[str, Any]],
                                    max_cleanup: int) -> tuple[list[dict[str, Any]], int] | None:
        """Scale old ReplicaSets down by their unavailable replicas, oldest first.

        None when a ReplicaSet's status is behind its spec (more available than desired: it
        was just scaled down), which upstream reports as "invalid request to scale down".
        """
        old_rss = sorted(old_rss, key=_by_creation)
        total = 0
        for i, rs in enumerate(old_rss):
            if total >= max_cleanup:
                break
            spec_replicas = _replicas(rs)
            available = int((rs.get("status") or {}).get("availableReplicas", 0))
            if spec_replicas == 0 or spec_replicas == available:
                continue
            count = min(max_cleanup - total, spec_replicas - available)
            if count < 0:
                return None
            _, old_rss[i] = self._scale_rs_and_record(rs, spec_replicas - count)
            total += count
        return old_rss, total

    def _scale_down_old_replica_sets(self, all_rss: list[dict[str, Any]], old_rss: list[dict[str, Any]]) -> int:
        """Scale old ReplicaSets down while ``replicas - maxUnavailable`` stay available."""
        min_available = self.replicas - max_unavailable(self.d)
        available = sum(int((rs.get("status") or {}).get("availableReplicas", 0)) for rs in all_rss)
        if available <= min_available:
            return 0
        total, wanted = 0, available - min_available
        for rs in sorted(old_rss, key=_by_creation):
            if total >= wanted:
                break
            if _replicas(rs) == 0:
                continue
            count = min(_replicas(rs), wanted - total)
            self._scale_rs_and_record(rs, _replicas(rs) - count)
            total += count
        return total

    # --- Recreate --------------------------------------------------------------------------

    def _rollout_recreate(self, rs_list: list[dict[str, Any]]) -> None:
        new_rs, old_rss = self._all_replica_sets(rs_list, create=False)
        all_rss: list[dict[str, Any] | None] = [*old_rss, new_rs]
        scaled_down = False
        for rs in _active(old_rss):
            scaled_down = self._scale_rs_and_record(rs, 0)[0] or scaled_down
        if scaled_down:
            self._sync_rollout_status(all_rss, new_rs)
            return
        if self._old_pods_running(new_rs, old_rss):
            self._sync_rollout_status(all_rss, new_rs)
            return
        if new_rs is None:
            new_rs, old_rss = self._all_replica_sets(rs_list, create=True)
            all_rss = [*old_rss, new_rs]
        assert new_rs is not None
        self._scale_rs_and_record(new_rs, self.replicas)
        if self._complete(self.status):
            self._cleanup(old_rss)
        self._sync_rollout_status(all_rss, new_rs)

    def _old_pods_running(self, new_rs: Mapping[str, Any] | None, old_rss: list[dict[str, Any]]) -> bool:
        if sum(int((rs.get("status") or {}).get("replicas", 0)) for rs in old_rss) > 0:
            return True
        selector = self.controller.selector_of(self.d)
        for rs in old_rss:
            uid = rs["metadata"]["uid"]
            for kind, pod in self.store.children_of(uid):
                if kind.group_kind != ("", "Pod") or not selector.matches(pod["metadata"].get("labels")):
                    continue
                ref = controller_ref(pod)
                if ref is None or ref.get("uid") != uid:
                    continue
                if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                    return True
        return False

    # --- history ---------------------------------------------------------------------------

    def _cleanup(self, old_rss: list[dict[str, Any]]) -> None:
        """``cleanupDeployment``: delete the oldest idle ReplicaSets beyond revisionHistoryLimit."""
        limit = (self.d.get("spec") or {}).get("revisionHistoryLimit")
        if limit is None:
            return
        cleanable = [rs for rs in old_rss if not rs["metadata"].get("deletionTimestamp")]
        diff = len(cleanable) - limit
        if diff <= 0:
            return
        for rs in _sorted_by_revision(cleanable)[:diff]:
            status = rs.get("status") or {}
            if status.get("replicas", 0) != 0 or _replicas(rs) != 0 or \
                    rs["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
                continue
            try:
                self.store.delete("apps/v1", "ReplicaSet", rs["metadata"]["name"],
                                  namespace=rs["metadata"]["namespace"], copy=False)
            except NotFoundError:
                pass

    # --- status ----------------------------------------------------------------------------

    def _complete(self, status: Mapping[str, Any]) -> bool:
        """``DeploymentComplete``."""
        replicas = self.replicas
        return bool(status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
                    and status.get("availableReplicas", 0) == replicas
                    and status.get("observedGeneration", 0) >= self.d["metadata"].get("generation", 0))

    def _calculate_status(self, all_rss: list[dict[str, Any] | None],
                          new_rs: Mapping[str, Any] | None) -> dict[str, Any]:
        """``calculateStatus``: counters from the ReplicaSets, the Available condition."""
        rss = [rs for rs in all_rss if rs is not None]
        statuses = [rs.get("status") or {} for rs in rss]
        available = sum(int(s.get("availableReplicas", 0)) for s in statuses)
        unavailable = max(0, sum(_replicas(rs) for rs in rss) - available)
        counters = {
            "observedGeneration": self.d["metadata"].get("generation", 0),
            "replicas": sum(int(s.get("replicas", 0)) for s in statuses),
            "updatedReplicas": int(((new_rs or {}).get("status") or {}).get("replicas", 0)),
            "readyReplicas": sum(int(s.get("readyReplicas", 0)) for s in statuses),
            "availableReplicas": available,
            "unavailableReplicas": unavailable,
        }
        status: dict[str, Any] = {k: v for k, v in counters.items() if v}
        # DeploymentReplicaSetTerminatingReplicas (beta, on since 1.35): unknown while any
        # ReplicaSet has not reported it.
        if all("terminatingReplicas" in s for s in statuses):
            status["terminatingReplicas"] = sum(int(s["terminatingReplicas"]) for s in statuses)
        conditions = [dict(c) for c in self.status.get("conditions") or ()]
        if conditions:
            status["conditions"] = conditions
        if available >= self.replicas - max_unavailable(self.d):
            condition = self._new_condition("Available", "True", _MIN_AVAILABLE_REASON,
                                            "Deployment has minimum availability.")
        else:
            condition = self._new_condition("Available", "False", _MIN_UNAVAILABLE_REASON,
                                            "Deployment does not have minimum availability.")
        _set_condition(status, condition)
        if self.status.get("collisionCount") is not None:
            status["collisionCount"] = self.status["collisionCount"]
        return status

    def _sync_deployment_status(self, all_rss: list[dict[str, Any] | None], new_rs: Mapping[str, Any] | None) -> None:
        status = self._calculate_status(all_rss, new_rs)
        if status != self.status:
            self._write_status(status)

    def _progressing(self, new_status: Mapping[str, Any]) -> bool:
        """``DeploymentProgressing``: more updated, fewer old, more ready or more available."""
        old = self.status
        old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
        new_old = new_status.get("replicas", 0) - new_status.get("updatedReplicas", 0)
        return bool(new_status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_old < old_old
                    or new_status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
                    or new_status.get("availableReplicas", 0) > old.get("availableReplicas", 0))

    def _deadline(self) -> int:
        return int((self.d.get("spec") or {}).get("progressDeadlineSeconds") or 0)

    def _timed_out(self, new_status: Mapping[str, Any]) -> bool:
        """``DeploymentTimedOut``: no progress reported for progressDeadlineSeconds."""
        condition = _condition(new_status, "Progressing")
        if condition is None or condition.get("reason") == _NEW_RS_AVAILABLE_REASON:
            return False
        if condition.get("reason") == _TIMED_OUT_REASON:
            return True
        since = parse_timestamp(condition["lastUpdateTime"])
        return since + self._deadline() < self.cluster.clock.now

    def _sync_rollout_status(self, all_rss: list[dict[str, Any] | None], new_rs: Mapping[str, Any] | None) -> None:
        """``syncRolloutStatus``: status plus the Progressing and ReplicaFailure conditions."""
        new_status = self._calculate_status(all_rss, new_rs)
        deadline = has_progress_deadline(self.d)
        if not deadline:
            _remove_condition(new_status, "Progressing")
        current = _condition(self.status, "Progressing")
        complete_before = new_status.get("replicas", 0) == new_status.get("updatedReplicas", 0) and \
            current is not None and current.get("reason") == _NEW_RS_AVAILABLE_REASON
        name = f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs is not None else \
            f'Deployment "{self.d["metadata"]["name"]}"'
        if deadline and not complete_before:
            if self._complete(new_status):
                _set_condition(new_status, self._new_condition(
                    "Progressing", "True", _NEW_RS_AVAILABLE_REASON, f"{name} has successfully progressed."))
            elif self._progressing(new_status):
                condition = self._new_condition("Progressing", "True", _RS_UPDATED_REASON, f"{name} is progressing.")
                if current is not None:
                    if current.get("status") == "True":
                        condition["lastTransitionTime"] = current.get("lastTransitionTime")
                    _remove_condition(new_status, "Progressing")
                _set_condition(new_status, condition)
            elif self._timed_out(new_status):
                _set_condition(new_status, self._new_condition(
                    "Progressing", "False", _TIMED_OUT_REASON, f"{name} has timed out progressing."))
        failure = self._replica_failure(all_rss, new_rs)
        if failure is not None:
            _set_condition(new_status, failure)
        else:
            _remove_condition(new_status, "ReplicaFailure")
        if new_status == self.status:
            self._requeue_stuck(new_status)
            return
        self._write_status(new_status)

    @staticmethod
    def _replica_failure(all_rss: list[dict[str, Any] | None], new_rs: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The first ``ReplicaFailure`` condition, the new ReplicaSet's first."""
        for rs in [new_rs, *all_rss]:
            for c in ((rs or {}).get("status") or {}).get("conditions") or ():
                if c.get("type") == "ReplicaFailure":
                    return {"type": "ReplicaFailure", "status": c.get("status"),
                            "lastUpdateTime": c.get("lastTransitionTime"),
                            "lastTransitionTime": c.get("lastTransitionTime"),
                            "reason": c.get("reason"), "message": c.get("message")}
        return None

    def _requeue_stuck(self, new_status: Mapping[str, Any]) -> None:
        """``requeueStuckDeployment``: wake up when the progress deadline would pass."""
        current = _condition(self.status, "Progressing")
        if not has_progress_deadline(self.d) or current is None:
            return
        if self._complete(new_status) or current.get("reason") == _TIMED_OUT_REASON:
            return
        after = parse_timestamp(current["lastUpdateTime"]) + self._deadline() - self.cluster.clock.now
        name = self.controller.name
        if after < 1:
            # Upstream retries rate-limited (5 ms steps) until the deadline has passed;
            # waking just after it gives the same result in one step.
            self.cluster.enqueue_after(name, self.key, max(after, 0) + 0.005)
        else:
            # "Add a second to avoid milliseconds skew in AddAfter."
            self.cluster.enqueue_after(name, self.key, after + 1)
