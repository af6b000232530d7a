"""ControllerRevisions: the revision history StatefulSets and DaemonSets keep of their pod
template (``pkg/controller/history``), plus what ``kubectl rollout history|undo`` does with it.

A revision stores the template as the patch that restores it —
``{"spec": {"template": {"$patch": "replace", ...}}}`` — and a ``revision`` number. The
controllers name and label revisions differently (and own the policy of when to create,
renumber and prune them), so this module provides the shared pieces:

* building, hashing, naming, sorting and comparing revisions;
* ``claim``, the ControllerRefManager both controllers use to adopt orphans matching their
  selector (pods and revisions) and release what stopped matching;
* ``history_of`` and ``undo`` for the rollout commands, with kubectl's messages;
* ``OrderedKeys``, the "next nodes/ordinals to act on" both controllers keep between syncs so
  that a sync does not sort every node or replica.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from helmlite.cluster.controllers.base import controller_ref
from helmlite.cluster.errors import NotFoundError, SimulatorError
from helmlite.cluster.selectors import LabelSelector
from helmlite.cluster.store import copy_object

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = [
    "CHANGE_CAUSE_ANNOTATION",
    "CONTROLLER_MANAGER",
    "REVISION_HASH_LABEL",
    "ROLLOUT_FIELD_MANAGER",
    "OrderedKeys",
    "RollbackError",
    "build_revision",
    "claim",
    "controlled_revisions",
    "create_revision",
    "equal_revision",
    "find_equal_revisions",
    "hash_revision",
    "history_of",
    "next_revision",
    "owner_reference",
    "revision_name",
    "selector_matcher",
    "set_revision_number",
    "sort_revisions",
    "template_of",
    "template_patch",
    "undo",
]

_Key = TypeVar("_Key", str, int, tuple[int, int])


class OrderedKeys(Generic[_Key]):
    """A set that yields its smallest keys in O(k log n): a heap with lazy deletion.

    Membership changes one key at a time as watch events arrive; a sync asks for the first
    few (the next nodes to update, the lowest unhealthy ordinal) without sorting them all.
    """

    def __init__(self) -> None:
        self._members: set[_Key] = set()
        self._heap: list[_Key] = []

    def __len__(self) -> int:
        return len(self._members)

    def set(self, key: _Key, member: bool) -> None:
        """Add ``key`` (member) or remove it."""
        if member and key not in self._members:
            self._members.add(key)
            heapq.heappush(self._heap, key)
        elif not member and key in self._members:
            self._members.remove(key)
            if len(self._heap) > 2 * len(self._members) + 64:
                # mostly removed keys: rebuild, so a long-lived controller's heap stays bounded
                self._heap = list(self._members)
                heapq.heapify(self._heap)

    def first(self, count: int) -> list[_Key]:
        """The ``count`` smallest keys, ascending (fewer if the set is smaller)."""
        if count <= 0:
            return []
        out: list[_Key] = []
        keys = self.ascending()
        for key in keys:
            out.append(key)
            if len(out) == count:
                break
        keys.close()
        return out

    def ascending(self) -> Generator[_Key, None, None]:
        """The keys in ascending order, found as they are asked for; the set must not change
        until the iterator is exhausted or closed (closing puts the keys back)."""
        taken: list[_Key] = []
        heap, members = self._heap, self._members
        try:
            while heap:
                key = heapq.heappop(heap)
                if key in members and (not taken or taken[-1] != key):  # a key re-added is in twice
                    taken.append(key)
                    yield key
        finally:
            for key in taken:
                heapq.heappush(heap, key)


# The field manager of everything kube-controller-manager writes (pods, revisions, status).
CONTROLLER_MANAGER = "kube-controller-manager"
# history.ControllerRevisionHashLabel: the hash of a StatefulSet revision's data.
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
# kubectl rollout undo's field manager.
ROLLOUT_FIELD_MANAGER = "kubectl-rollout"
# ControllerRevisionName truncates the owner's name so `<prefix>-<hash>` stays within 253.
_MAX_PREFIX = 223
_KINDS = {"statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
          "daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet"}


class RollbackError(SimulatorError):
    """``kubectl rollout undo`` refused: no such revision, or no previous one."""


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """``metav1.NewControllerRef(owner)``: controller and blockOwnerDeletion set."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"], "uid": meta["uid"],
            "controller": True, "blockOwnerDeletion": True}


def _sorted_keys(value: Any) -> Any:
    # Go re-encodes the patch from a map[string]interface{}: keys come out sorted.
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def template_patch(owner: Mapping[str, Any]) -> dict[str, Any]:
    """The revision data for ``owner``'s current template (``getPatch``)."""
    template = dict((owner.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": _sorted_keys(template)}}


def template_of(revision: Mapping[str, Any]) -> dict[str, Any]:
    """The pod template a revision restores (``ApplyRevision`` of the ``$patch: replace``)."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template") or {}
    return {k: copy_object(v) for k, v in template.items() if k != "$patch"}


def _fnv32(data: bytes) -> int:
    # hash/fnv New32: FNV-1 (multiply, then xor).
    value = 0x811C9DC5
    for byte in data:
        value = (value * 0x01000193) & 0xFFFFFFFF
        value ^= byte
    return value


def hash_revision(data: Mapping[str, Any], collision_count: int | None) -> str:
    """``HashControllerRevision``: FNV-32 of the data (plus the collision count as decimal),
    safe-encoded like every Kubernetes hash suffix.

    Go hashes the raw JSON bytes; this hashes the canonical (sorted, compact) JSON.
    """
    from helmlite.cluster.podutil import NAME_ALPHABET

    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        raw += str(collision_count).encode()
    return "".join(NAME_ALPHABET[ord(ch) % len(NAME_ALPHABET)] for ch in str(_fnv32(raw)))


def revision_name(prefix: str, hash_: str) -> str:
    """``<owner>-<hash>`` (``ControllerRevisionName``)."""
    return f"{prefix[:_MAX_PREFIX]}-{hash_}"


def build_revision(owner: Mapping[str, Any], *, name: str, labels: Mapping[str, str],
                   data: Mapping[str, Any], revision: int) -> dict[str, Any]:
    """A ControllerRevision owned by ``owner``; it carries the owner's annotations (the
    ``kubernetes.io/change-cause`` that ``rollout history`` shows)."""
    meta = owner["metadata"]
    rev_meta: dict[str, Any] = {"name": name, "namespace": meta.get("namespace", ""), "labels": dict(labels)}
    if meta.get("annotations"):
        rev_meta["annotations"] = dict(meta["annotations"])
    rev_meta["ownerReferences"] = [owner_reference(owner)]
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": rev_meta,
            "data": copy_object(dict(data)), "revision": revision}


def sort_revisions(revisions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """By ``revision``, ties broken by creation time, then name (``SortControllerRevisions``)."""
    return sorted(revisions, key=lambda r: (r.get("revision", 0), r["metadata"].get("creationTimestamp", ""),
                                            r["metadata"]["name"]))


def equal_revision(lhs: Mapping[str, Any] | None, rhs: Mapping[str, Any] | None) -> bool:
    """Both None, or both store the same data (``EqualRevision``)."""
    if lhs is None or rhs is None:
        return lhs is rhs
    return lhs.get("data") == rhs.get("data")


def find_equal_revisions(revisions: Iterable[Mapping[str, Any]], needle: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The revisions equal to ``needle``, in their given order."""
    return [r for r in revisions if equal_revision(r, needle)]


def next_revision(revisions: Sequence[Mapping[str, Any]]) -> int:
    """One more than the last revision's number (1 for none); ``revisions`` sorted."""
    return (revisions[-1].get("revision", 0) + 1) if revisions else 1


def create_revision(cluster: Cluster, owner: Mapping[str, Any], revision: Mapping[str, Any],
                    collision_count: int) -> tuple[dict[str, Any], int]:
    """Store ``revision`` as ``<owner>-<hash of data and collision count>`` and return it with
    the collision count used (``CreateControllerRevision``): an existing revision with the same
    name and data is returned as is; one with other data is a collision, retried with the
    count bumped.

    Raises:
        ApiError: the create failed for another reason.
    """
    from helmlite.cluster.errors import AlreadyExistsError

    namespace = owner["metadata"]["namespace"]
    while True:
        clone = copy_object(dict(revision))
        clone["metadata"]["name"] = revision_name(owner["metadata"]["name"],
                                                  hash_revision(revision["data"], collision_count))
        try:
            created = cluster.store.create(clone, field_manager=CONTROLLER_MANAGER, copy=False)
        except AlreadyExistsError:
            existing = cluster.store.peek("apps", "ControllerRevision", namespace, clone["metadata"]["name"])
            if existing is not None and existing.get("data") == clone["data"]:
                return existing, collision_count
            collision_count += 1
            continue
        return created, collision_count


def set_revision_number(cluster: Cluster, revision: Mapping[str, Any], number: int) -> dict[str, Any]:
    """``UpdateControllerRevision``: renumber a revision (a rollback to an older template)."""
    if revision.get("revision") == number:
        return dict(revision)
    meta = revision["metadata"]
    return cluster.store.patch("apps/v1", "ControllerRevision", meta["name"], {"revision": number},
                               namespace=meta["namespace"], field_manager=CONTROLLER_MANAGER, copy=False)


def claim(cluster: Cluster, owner: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]], *,
          api_version: str, kind: str, match: Callable[[Mapping[str, Any]], bool]) -> list[dict[str, Any]]:
    """The ControllerRefManager's ``Claim*``: the candidates ``owner`` controls after adopting
    orphans that ``match`` (unless the owner or the orphan is being deleted) and releasing the
    ones it controls that no longer match (unless the owner is being deleted), in name order.

    Raises:
        ApiError: an adoption or release failed (NotFound is ignored).
    """
    meta = owner["metadata"]
    uid, deleting = meta["uid"], bool(meta.get("deletionTimestamp"))
    claimed: list[dict[str, Any]] = []
    # By name, not in the store's order: a live store iterates in creation order, a restored
    # one in storage order, and the adoptions' resourceVersions must not depend on which.
    for obj in sorted(candidates, key=lambda candidate: candidate["metadata"]["name"]):
        ref = controller_ref(obj)
        obj_meta = obj["metadata"]
        if ref is not None:
            if ref.get("uid") != uid:
                continue
            if match(obj):
                claimed.append(obj)  # type: ignore[arg-type]
            elif not deleting:
                refs = [r for r in obj_meta.get("ownerReferences") or [] if r.get("uid") != uid]
                _patch_refs(cluster, api_version, kind, obj_meta, refs)
            continue
        if deleting or obj_meta.get("deletionTimestamp") or not match(obj):
            continue
        refs = [*(obj_meta.get("ownerReferences") or []), owner_reference(owner)]
        adopted = _patch_refs(cluster, api_version, kind, obj_meta, refs)
        if adopted is not None:
            claimed.append(adopted)
    return claimed


def _patch_refs(cluster: Cluster, api_version: str, kind: str, meta: Mapping[str, Any],
                refs: list[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return cluster.store.patch(api_version, kind, meta["name"],
                                   {"metadata": {"ownerReferences": refs, "uid": meta["uid"]}},
                                   namespace=meta.get("namespace", ""), field_manager=CONTROLLER_MANAGER, copy=False)
    except NotFoundError:
        return None


def controlled_revisions(cluster: Cluster, owner: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ControllerRevisions ``owner`` controls, sorted (what ``rollout history`` lists)."""
    uid = owner["metadata"]["uid"]
    return sort_revisions(r for _kind, r in cluster.store.children_of(uid)
                          if r.get("kind") == "ControllerRevision" and (controller_ref(r) or {}).get("uid") == uid)


def _workload(cluster: Cluster, kind: str, namespace: str, name: str) -> dict[str, Any]:
    canonical = _KINDS.get(kind.lower(), kind)
    if canonical not in ("StatefulSet", "DaemonSet"):
        raise ValueError(f"revision history is kept by StatefulSets and DaemonSets, not {kind!r}")
    return cluster.store.get("apps/v1", canonical, name, namespace=namespace, copy=False)


def history_of(cluster: Cluster, kind: str, namespace: str, name: str) -> list[tuple[int, str | None]]:
    """``kubectl rollout history``: ``(revision, change-cause or None)`` oldest first.

    Raises:
        NotFoundError: no such StatefulSet/DaemonSet. ValueError: another kind.
    """
    owner = _workload(cluster, kind, namespace, name)
    return [(r.get("revision", 0), (r["metadata"].get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION))
            for r in controlled_revisions(cluster, owner)]


def undo(cluster: Cluster, kind: str, namespace: str, name: str, to_revision: int | None = None) -> str:
    """``kubectl rollout undo``: restore the template of ``to_revision`` (default: the one before
    the latest) and return what kubectl prints after the object's name — ``rolled back`` or
    ``skipped rollback (current template already matches revision N)``.

    The controller then records the restored template as a new revision number.

    Raises:
        NotFoundError: no such object. RollbackError: ``no last revision to roll back to``,
        ``unable to find specified revision N in history``. ValueError: another kind.
    """
    owner = _workload(cluster, kind, namespace, name)
    history = controlled_revisions(cluster, owner)
    wanted = to_revision or 0
    if wanted == 0 and len(history) <= 1:
        raise RollbackError("no last revision to roll back to")
    target: Mapping[str, Any] | None = None
    if wanted == 0:
        target = history[-2]
    else:
        target = next((r for r in history if r.get("revision") == wanted), None)
    if target is None:
        raise RollbackError(f"unable to find specified revision {wanted} in history")
    if template_patch(owner) == target.get("data"):
        return f"skipped rollback (current template already matches revision {wanted})"
    restored = copy_object(owner)
    restored["spec"]["template"] = template_of(target)
    cluster.store.replace(restored, field_manager=ROLLOUT_FIELD_MANAGER, copy=False)
    return "rolled back"


def selector_matcher(owner: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate: does an object's labels match ``owner``'s ``spec.selector``?"""
    selector = LabelSelector.from_label_selector((owner.get("spec") or {}).get("selector"))
    return lambda obj: selector.matches((obj.get("metadata") or {}).get("labels") or {})
