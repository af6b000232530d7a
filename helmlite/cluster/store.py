"""The simulated API server's object store: CRUD, apply, patch, delete, and watch events.

Objects are plain dicts keyed by ``(group, kind, namespace, name)`` and stored once, in their
storage version. Every write goes through the API server's pipeline: decode checks,
defaulting, admission, the registry strategy, validation, server-set metadata (uid,
resourceVersion, generation, creationTimestamp, managedFields), then storage and a watch
event to listeners.

Stored objects are never mutated in place: a write stores a new dict. So the snapshots that
``peek``/``peek_all`` and ``copy=False`` reads return stay consistent, but they are shared and
must be treated as read-only (copy before changing, as with client-go informer caches).
"""

from __future__ import annotations

import builtins
import json
import marshal
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from helmlite.cluster.admission import Admission, name_suffix
from helmlite.cluster.allocation import ServiceAllocator
from helmlite.cluster.apply import FieldSchema, server_side_apply, track_update
from helmlite.cluster.clock import VirtualClock, format_time
from helmlite.cluster.defaults import apply_defaults
from helmlite.cluster.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConflictError,
    NotFoundError,
)
from helmlite.cluster.kinds import Kind, KindRegistry, crd_kind
from helmlite.cluster.patch import json_merge_patch
from helmlite.cluster.selectors import FieldSelector, LabelSelector
from helmlite.cluster.strategy import (
    allocate_service,
    prepare_for_create,
    prepare_for_update,
)
from helmlite.cluster.validation import (
    check_decodable,
    validate_create,
    validate_update,
)

__all__ = ["ObjectStore", "WatchEvent", "ObjectKey", "copy_object", "DEFAULT_FIELD_MANAGER", "PROPAGATION_POLICIES"]

ObjectKey = tuple[str, str, str, str]  # (group, kind, namespace, name)

# The manager recorded for Update operations when the caller names none (the API server
# derives one from the user agent; "helmlite" is ours).
DEFAULT_FIELD_MANAGER = "helmlite"
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")
_STALE = "the object has been modified; please apply your changes to the latest version and try again"
_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields")


def copy_object(obj: Any) -> Any:
    """A deep copy of a JSON-shaped value (the fast path used for every snapshot handed out)."""
    return marshal.loads(marshal.dumps(obj))


# Built-in fields typed map[string]string or map[string][]byte: Go's JSON decoding keeps a
# null member as the key with an empty value (``data: {tls.crt: null}`` stores ``tls.crt: ""``).
_STRING_MAPS = frozenset({"labels", "annotations", "data", "binaryData", "stringData", "nodeSelector", "matchLabels"})


def _decode(value: Any, where: str = "") -> Any:
    """A private copy of client input as the API server would decode it: JSON types only,
    tuples as lists, ``null`` members dropped (typed decoding leaves them unset) except in
    string maps, where they become empty strings.

    Raises:
        BadRequestError: a value that is not JSON (a datetime, a set, a non-string key).
    """
    kind = type(value)
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        out = {}
        for key, child in value.items():
            if child is None:
                if where in _STRING_MAPS:
                    out[key] = ""
                continue
            if type(key) is not str:
                raise BadRequestError(f"invalid object: non-string key {key!r}{' in ' + where if where else ''}")
            child_kind = type(child)
            # Leaves are the bulk of an object: copy them without a call.
            out[key] = child if child_kind is str or child_kind is int or child_kind is bool else _decode(child, key)
        return out
    if kind is list or kind is tuple:
        return [v if type(v) is str or type(v) is int or type(v) is bool else _decode(v, where) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise BadRequestError(f"invalid object: {type(value).__name__} value{' in ' + where if where else ''} is not JSON")


# ObjectMeta's field order, which JSON output follows.
_META_ORDER = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
               "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
               "ownerReferences", "finalizers", "managedFields")


def _ordered_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: meta[k] for k in _META_ORDER if k in meta}
    if len(ordered) != len(meta):
        ordered.update((k, v) for k, v in meta.items() if k not in ordered)
    return ordered


def _share_unchanged(new: Any, old: Any) -> Any:
    """``new``, with each part that equals the same part of ``old`` replaced by old's object.

    Stored objects are immutable, so versions can share what a write left alone (most of a
    status write): the store then keeps one copy, and the garbage collector, whose full passes
    over a large cluster's heap are most of a large simulation's cost, sees fewer new objects.
    """
    new_type = type(new)
    if new is old or (new_type is not dict and new_type is not list) or new_type is not type(old):
        return new  # scalars cost the collector nothing; and 1 == 1.0 == True must not merge
    if new == old:
        # Equal is not identical: 1 == 1.0 == True, and dict equality ignores key order (which
        # JSON output shows). marshal's encoding tells those apart.
        return old if marshal.dumps(new, 2) == marshal.dumps(old, 2) else new
    if new_type is dict:
        return {k: _share_unchanged(v, old[k]) if k in old else v for k, v in new.items()}
    if len(new) == len(old):
        return [_share_unchanged(a, b) for a, b in zip(new, old)]
    return new


def _spec_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _owner_uids(obj: Mapping[str, Any]) -> set[str]:
    return {r["uid"] for r in obj.get("metadata", {}).get("ownerReferences") or [] if r.get("uid")}


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change, as a watch would report it. ``object`` is the stored snapshot (for DELETED,
    the last state); ``old`` is the previous snapshot for MODIFIED and DELETED."""

    type: str  # ADDED | MODIFIED | DELETED
    kind: Kind
    object: dict[str, Any]
    old: dict[str, Any] | None


def _hpa_v2_to_v1(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    out: dict[str, Any] = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                           "metadata": obj.get("metadata", {})}
    v1_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    for metric in spec.get("metrics") or []:
        resource = metric.get("resource") or {}
        target = resource.get("target") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu" and "averageUtilization" in target:
            v1_spec["targetCPUUtilizationPercentage"] = target["averageUtilization"]
    out["spec"] = v1_spec
    if "status" in obj:
        v1_status = {k: status[k] for k in ("observedGeneration", "lastScaleTime", "currentReplicas",
                                             "desiredReplicas") if k in status}
        for metric in status.get("currentMetrics") or []:
            resource = metric.get("resource") or {}
            if metric.get("type") == "Resource" and resource.get("name") == "cpu":
                current = (resource.get("current") or {}).get("averageUtilization")
                if current is not None:
                    v1_status["currentCPUUtilizationPercentage"] = current
        out["status"] = v1_status
    return out


def _hpa_v1_to_v2(obj: dict[str, Any], stored: Mapping[str, Any] | None) -> dict[str, Any]:
    # Minimal conversion: v2-only fields of the stored object (behavior, non-CPU metrics)
    # survive a v1 write, since v1 cannot express them.
    spec = obj.get("spec") or {}
    old_spec = (stored or {}).get("spec") or {}
    v2_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    metrics = [m for m in old_spec.get("metrics") or []
               if not (m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu")]
    if "targetCPUUtilizationPercentage" in spec:
        metrics.insert(0, {"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    if metrics:
        v2_spec["metrics"] = metrics
    if "behavior" in old_spec:
        v2_spec["behavior"] = old_spec["behavior"]
    out = {**obj, "apiVersion": "autoscaling/v2", "spec": v2_spec}
    if "status" in obj:
        status = obj["status"] or {}
        v2_status = {k: status[k] for k in ("observedGeneration", "lastScaleTime", "currentReplicas",
                                             "desiredReplicas") if k in status}
        if "currentCPUUtilizationPercentage" in status:
            v2_status["currentMetrics"] = [{"type": "Resource", "resource": {
                "name": "cpu", "current": {"averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
        out["status"] = v2_status
    return out


class ObjectStore:
    """Every object of one cluster, with the indexes controllers need."""

    def __init__(self, kinds: KindRegistry, clock: VirtualClock, rng: random.Random, *,
                 resource_version: int = 0) -> None:
        self.kinds = kinds
        self._clock = clock
        self._rng = rng
        self._rv = resource_version
        # (group, kind) -> namespace -> name -> object
        # Objects loaded from storage stay JSON text until first read (see _decoded).
        self._objects: dict[tuple[str, str], dict[str, dict[str, dict[str, Any] | str]]] = {}
        self._by_uid: dict[str, ObjectKey] = {}
        self._children: dict[str, set[ObjectKey]] = {}
        self._dirty: dict[ObjectKey, dict[str, Any] | None] = {}
        self._changes = 0
        self._listeners: list[Callable[[WatchEvent], None]] = []
        self._schemas: dict[tuple[str, str], FieldSchema] = {}
        self.allocator = ServiceAllocator(rng)
        self._admission = Admission(self, rng)

    # --- bookkeeping ---------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The cluster-wide resourceVersion counter (the last value handed out)."""
        return self._rv

    @property
    def change_count(self) -> int:
        """How many changes (writes and removals) this store has seen. Unlike resourceVersion it
        also moves when an object is finally removed, so an unchanged count means unchanged
        contents: what a controller's per-sync cache can key on."""
        return self._changes

    def add_listener(self, listener: Callable[[WatchEvent], None]) -> None:
        """Call ``listener`` synchronously after every stored change."""
        self._listeners.append(listener)

    def load(self, rows: Iterable[tuple[str, str, str, str, str, str, str]]) -> int:
        """Insert rows read from storage — ``(group, kind, namespace, name, uid, owner uids as
        JSON, object as JSON)`` — without the write pipeline or events.

        Objects stay undecoded until first read, so opening a large cluster only costs what
        the command touches; the indexes are built from the uid and owner columns. Service
        addresses are reserved and the kinds of stored CRDs served. Returns the row count.
        """
        count = 0
        objects, by_uid, children = self._objects, self._by_uid, self._children
        for group, kind_name, namespace, name, uid, owners, data in rows:
            objects.setdefault((group, kind_name), {}).setdefault(namespace, {})[name] = data
            key = (group, kind_name, namespace, name)
            if uid:
                by_uid[uid] = key
            if owners:
                for owner in json.loads(owners):
                    children.setdefault(owner, set()).add(key)
            count += 1
        self._changes += count
        for service in self.peek_all("", "Service"):
            self.allocator.reserve(service)
        for crd in self.peek_all("apiextensions.k8s.io", "CustomResourceDefinition"):
            self._serve_crd(crd)
        return count

    def take_dirty(self) -> dict[ObjectKey, dict[str, Any] | None]:
        """Objects written (or deleted: None) since the last call, for persistence."""
        dirty, self._dirty = self._dirty, {}
        return dirty

    def _schema(self, kind: Kind) -> FieldSchema:
        schema = self._schemas.get(kind.group_kind)
        if schema is None:
            schema = self._schemas[kind.group_kind] = FieldSchema(kind)
        return schema

    def _new_uid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _notify(self, event: WatchEvent) -> None:
        for listener in self._listeners:
            listener(event)

    def _put(self, kind: Kind, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        meta = obj["metadata"] = _ordered_metadata(obj["metadata"])
        namespace, name = meta.get("namespace", ""), meta["name"]
        self._objects.setdefault(kind.group_kind, {}).setdefault(namespace, {})[name] = obj
        key = (kind.group, kind.kind, namespace, name)
        self._by_uid[meta["uid"]] = key
        new_owners = _owner_uids(obj)
        old_owners = _owner_uids(old) if old is not None else set()
        if new_owners != old_owners:
            for owner in old_owners - new_owners:
                children = self._children.get(owner)
                if children is not None:
                    children.discard(key)
                    if not children:
                        del self._children[owner]
            for owner in new_owners - old_owners:
                self._children.setdefault(owner, set()).add(key)
        self._dirty[key] = obj
        self._changes += 1
        self._notify(WatchEvent("ADDED" if old is None else "MODIFIED", kind, obj, old))

    def _remove(self, kind: Kind, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        bucket = self._objects.get(kind.group_kind, {})
        names = bucket.get(namespace)
        if names is None or names.get(name) is None:
            return
        del names[name]
        if not names:
            del bucket[namespace]
        key = (kind.group, kind.kind, namespace, name)
        self._by_uid.pop(meta.get("uid", ""), None)
        for owner in _owner_uids(obj):
            children = self._children.get(owner)
            if children is not None:
                children.discard(key)
                if not children:
                    del self._children[owner]
        self._dirty[key] = None
        self._changes += 1
        if kind.group_kind == ("", "Service"):
            self.allocator.release(obj)
        elif kind.group_kind == ("apiextensions.k8s.io", "CustomResourceDefinition"):
            self._remove_crd(obj)
        self._notify(WatchEvent("DELETED", kind, obj, obj))

    # --- reads ---------------------------------------------------------------------------

    @staticmethod
    def _decoded(names: dict[str, dict[str, Any] | str], name: str) -> dict[str, Any] | None:
        obj = names.get(name)
        if isinstance(obj, str):  # loaded from storage, not read yet
            decoded: dict[str, Any] = json.loads(obj)
            names[name] = decoded
            return decoded
        return obj

    def peek(self, group: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored snapshot (storage version, read-only), or None."""
        names = self._objects.get((group, kind), {}).get(namespace)
        return self._decoded(names, name) if names else None

    def peek_all(self, group: str, kind: str, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        """Stored snapshots of one kind (read-only, unordered), optionally in one namespace."""
        bucket = self._objects.get((group, kind), {})
        groups = [bucket.get(namespace, {})] if namespace is not None else list(bucket.values())
        for names in groups:
            for name in list(names):
                obj = self._decoded(names, name)
                if obj is not None:
                    yield obj

    def peek_uid(self, uid: str) -> tuple[Kind, dict[str, Any]] | None:
        """The kind and stored snapshot of the object with ``uid``, or None."""
        key = self._by_uid.get(uid)
        if key is None:
            return None
        kind = self.kinds.get(key[0], key[1])
        obj = self.peek(*key)
        return (kind, obj) if kind is not None and obj is not None else None

    def children_of(self, uid: str) -> list[tuple[Kind, dict[str, Any]]]:
        """Objects whose ownerReferences name ``uid`` (read-only snapshots, in key order)."""
        out = []
        for key in sorted(self._children.get(uid, ())):
            kind, obj = self.kinds.get(key[0], key[1]), self.peek(*key)
            if kind is not None and obj is not None:
                out.append((kind, obj))
        return out

    def has_children(self, uid: str) -> bool:
        """Whether any object's ownerReferences name ``uid``."""
        return bool(self._children.get(uid))

    def objects_in_namespace(self, namespace: str) -> list[tuple[Kind, dict[str, Any]]]:
        """Every object stored in ``namespace`` (read-only snapshots, in a stable order)."""
        out = []
        for kind in self.kinds.namespaced_kinds():
            names = self._objects.get(kind.group_kind, {}).get(namespace, {})
            for n in sorted(names):
                obj = self._decoded(names, n)
                if obj is not None:
                    out.append((kind, obj))
        return out

    def _out(self, kind: Kind, version: str, obj: dict[str, Any], copy: bool) -> dict[str, Any]:
        if version != kind.storage_version:
            if kind.group_kind == ("autoscaling", "HorizontalPodAutoscaler"):
                obj = _hpa_v2_to_v1(obj)
            else:
                obj = {**obj, "apiVersion": kind.api_version(version)}
        return copy_object(obj) if copy else obj

    def _namespace_arg(self, kind: Kind, namespace: str, name: str) -> str:
        if not kind.namespaced:
            return ""
        if not namespace:
            raise BadRequestError("an empty namespace may not be set when a resource name is provided")
        return namespace

    def get(self, api_version: str, kind: str, name: str, *, namespace: str = "", copy: bool = True) -> dict[str, Any]:
        """One object, in the requested version.

        ``copy=False`` returns the shared stored snapshot (read-only) when no conversion is needed.

        Raises:
            NoKindMatchError: unknown kind. NotFoundError: ``deployments.apps "web" not found``.
            BadRequestError: no namespace for a namespaced kind.
        """
        k, version = self.kinds.resolve(api_version, kind)
        namespace = self._namespace_arg(k, namespace, name)
        obj = self.peek(k.group, k.kind, namespace, name)
        if obj is None:
            raise NotFoundError.for_object(k.plural, k.group, name)
        return self._out(k, version, obj, copy)

    def list(self, api_version: str, kind: str, *, namespace: str = "",
             label_selector: str | LabelSelector | None = None,
             field_selector: str | FieldSelector | None = None, copy: bool = True) -> list[dict[str, Any]]:
        """Objects of one kind ordered by namespace and name; ``namespace=""`` lists all.

        Raises:
            NoKindMatchError: unknown kind. BadRequestError: a malformed selector.
        """
        k, version = self.kinds.resolve(api_version, kind)
        labels = label_selector if isinstance(label_selector, LabelSelector) else LabelSelector.parse(label_selector)
        fields = (field_selector if isinstance(field_selector, FieldSelector)
                  else FieldSelector.parse(field_selector, k.group, k.kind))
        bucket = self._objects.get(k.group_kind, {})
        namespaces = [namespace] if (namespace and k.namespaced) else sorted(bucket)
        out = []
        for ns in namespaces:
            names = bucket.get(ns, {})
            for name in sorted(names):
                obj = self._decoded(names, name)
                if obj is None:
                    continue
                if (labels.empty or labels.matches(obj.get("metadata", {}).get("labels"))) and (
                        fields.empty or fields.matches(obj)):
                    out.append(self._out(k, version, obj, copy))
        return out

    # --- writes --------------------------------------------------------------------------

    def _to_storage(self, kind: Kind, version: str, obj: dict[str, Any], stored: Mapping[str, Any] | None) -> dict[str, Any]:
        if version != kind.storage_version and kind.group_kind == ("autoscaling", "HorizontalPodAutoscaler"):
            obj = _hpa_v1_to_v2(obj, stored)
        obj["apiVersion"] = kind.storage_api_version
        obj["kind"] = kind.kind
        return obj

    def _metadata(self, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            raise BadRequestError("metadata must be an object")
        return meta

    def _place(self, kind: Kind, meta: dict[str, Any]) -> str:
        """The namespace an incoming object lives in (kubectl's default for namespaced kinds)."""
        if not kind.namespaced:
            meta.pop("namespace", None)
            return ""
        namespace = meta.get("namespace") or "default"
        meta["namespace"] = namespace
        return namespace

    def create(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER,
               copy: bool = True) -> dict[str, Any]:
        """Create an object (``metadata.generateName`` supported). Returns it as stored.

        Raises:
            AlreadyExistsError, InvalidError, NotFoundError (namespace), ForbiddenError
            (terminating namespace), NoKindMatchError, BadRequestError.
        """
        kind, version = self.kinds.for_object(obj)
        new = self._to_storage(kind, version, _decode(obj), None)
        stored = self._create(kind, new, manager=field_manager, api_version=kind.api_version(version))
        return self._out(kind, version, stored, copy)

    def _create(self, kind: Kind, new: dict[str, Any], *, manager: str, api_version: str,
                managed: builtins.list[dict[str, Any]] | None = None) -> dict[str, Any]:
        check_decodable(kind, kind.storage_version, new)
        meta = self._metadata(new)
        namespace = self._place(kind, meta)
        for field_name in _SERVER_META:
            meta.pop(field_name, None)
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["name"] = self._generate_name(kind, namespace, meta["generateName"])
        if name and self.peek(kind.group, kind.kind, namespace, name) is not None:
            raise AlreadyExistsError.for_object(kind.plural, kind.group, name)
        if kind.namespaced:
            self._admission.check_namespace(kind, namespace, name)
        if kind.status_subresource and kind.group_kind != ("", "Node"):
            new.pop("status", None)  # status is written through its subresource
        apply_defaults(kind, new)
        now = self._clock.now_rfc3339()
        # Ownership is recorded for the decoded, defaulted request, before admission and the
        # registry add their own fields (as the API server's field manager sees it).
        if managed is None:
            managed = track_update(None, new, [], manager=manager, api_version=api_version, subresource=None,
                                   now=now, schema=self._schema(kind))
        self._admission.mutate_create(kind, new)
        meta["uid"] = self._new_uid()
        meta["creationTimestamp"] = now
        prepare_for_create(kind, new, now=now)
        validate_create(kind, new)
        if kind.group_kind == ("", "Service"):
            allocate_service(self.allocator, kind, new, None)
        if kind.tracks_generation:
            meta["generation"] = 1
        meta["managedFields"] = managed
        meta["resourceVersion"] = self._next_rv()
        self._put(kind, new, None)
        if kind.group_kind == ("apiextensions.k8s.io", "CustomResourceDefinition"):
            self._serve_crd(new)
        return new

    def _generate_name(self, kind: Kind, namespace: str, prefix: str) -> str:
        base = prefix[:58]
        for _ in range(16):
            candidate = base + name_suffix(self._rng)
            if self.peek(kind.group, kind.kind, namespace, candidate) is None:
                return candidate
        raise AlreadyExistsError.for_object(kind.plural, kind.group, base + "*")

    def replace(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER,
                subresource: str | None = None, copy: bool = True) -> dict[str, Any]:
        """Replace an object (PUT). A ``metadata.resourceVersion`` in ``obj`` is a precondition.

        For kinds with a status subresource, status changes are ignored here; use
        ``update_status`` (``subresource="status"``), which ignores everything but status.

        Raises:
            NotFoundError, ConflictError (stale resourceVersion), InvalidError, BadRequestError.
        """
        kind, version = self.kinds.for_object(obj)
        if subresource == "status":
            # Only status (and the object's identity) matters: skip decoding the rest.
            meta_in = obj.get("metadata")
            obj = {k: obj[k] for k in ("apiVersion", "kind", "status") if k in obj}
            if isinstance(meta_in, Mapping):
                obj["metadata"] = {k: v for k, v in meta_in.items() if k in ("name", "namespace", "resourceVersion", "uid")}
        new = _decode(obj)
        meta = self._metadata(new)
        namespace = self._place(kind, meta)
        stored = self.peek(kind.group, kind.kind, namespace, meta.get("name") or "")
        new = self._to_storage(kind, version, new, stored)
        result = self._update(kind, new, manager=field_manager, subresource=subresource,
                              api_version=kind.api_version(version))
        return self._out(kind, version, result, copy)

    def update_status(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER,
                      copy: bool = True) -> dict[str, Any]:
        """Write only ``status`` (the status subresource). Same errors as ``replace``."""
        return self.replace(obj, field_manager=field_manager, subresource="status", copy=copy)

    def patch(self, api_version: str, kind: str, name: str, patch: Mapping[str, Any], *, namespace: str = "",
              field_manager: str = DEFAULT_FIELD_MANAGER, subresource: str | None = None,
              copy: bool = True) -> dict[str, Any]:
        """Apply a JSON merge patch (RFC 7386) to an object; ``subresource="status"`` patches status.

        Raises:
            NotFoundError, ConflictError (resourceVersion in the patch is stale), InvalidError.
        """
        k, version = self.kinds.resolve(api_version, kind)
        namespace = self._namespace_arg(k, namespace, name)
        stored = self.peek(k.group, k.kind, namespace, name)
        if stored is None:
            raise NotFoundError.for_object(k.plural, k.group, name)
        current = self._out(k, version, stored, copy=False)
        new = _decode(json_merge_patch(current, patch))
        meta = self._metadata(new)
        meta["name"], meta["namespace"] = name, namespace
        if "resourceVersion" not in ((patch.get("metadata") or {}) if isinstance(patch, Mapping) else {}):
            meta.pop("resourceVersion", None)
        new = self._to_storage(k, version, new, stored)
        result = self._update(k, new, manager=field_manager, subresource=subresource, api_version=api_version)
        return self._out(k, version, result, copy)

    def apply(self, obj: Mapping[str, Any], *, field_manager: str, force: bool = False,
              subresource: str | None = None, copy: bool = True) -> dict[str, Any]:
        """Server-side apply ``obj`` as ``field_manager`` (creates the object if missing).

        Raises:
            ConflictError: another manager owns a field this apply changes (unless ``force``).
            BadRequestError: no field manager, no name, or malformed associative lists.
            InvalidError / NotFoundError / ForbiddenError as for create and replace.
        """
        if not field_manager:
            raise BadRequestError("PATCH /apply requests require a fieldManager")
        kind, version = self.kinds.for_object(obj)
        config = _decode(obj)
        meta = self._metadata(config)
        namespace = self._place(kind, meta)
        name = meta.get("name") or ""
        if not name:
            raise BadRequestError("resource name may not be empty")
        stored = self.peek(kind.group, kind.kind, namespace, name)
        config = self._to_storage(kind, version, config, stored)
        request_version = kind.api_version(version)
        ignore_status = kind.status_subresource and subresource != "status"
        merged, managed = server_side_apply(
            stored, config, manager=field_manager, api_version=request_version, subresource=subresource,
            force=force, now=self._clock.now_rfc3339(), schema=self._schema(kind), ignore_status=ignore_status)
        merged["apiVersion"], merged["kind"] = kind.storage_api_version, kind.kind
        merged_meta = merged.setdefault("metadata", {})
        merged_meta["name"] = name
        if kind.namespaced:
            merged_meta["namespace"] = namespace
        if meta.get("resourceVersion"):
            merged_meta["resourceVersion"] = meta["resourceVersion"]
        if stored is None:
            if subresource:
                raise NotFoundError.for_object(kind.plural, kind.group, name)
            result = self._create(kind, merged, manager=field_manager, api_version=request_version, managed=managed)
        else:
            merged_meta["managedFields"] = managed
            result = self._update(kind, merged, manager=field_manager, subresource=subresource,
                                  api_version=request_version, managed=managed)
        return self._out(kind, version, result, copy)

    def _update(self, kind: Kind, new: dict[str, Any], *, manager: str, subresource: str | None,
                api_version: str, managed: builtins.list[dict[str, Any]] | None = None) -> dict[str, Any]:
        if subresource not in (None, "status", "scale"):
            raise BadRequestError(f"unsupported subresource {subresource!r}")
        if subresource == "status" and not kind.status_subresource:
            raise NotFoundError("the server could not find the requested resource")
        check_decodable(kind, kind.storage_version, new)
        meta = self._metadata(new)
        namespace = self._place(kind, meta)
        name = meta.get("name") or ""
        old = self.peek(kind.group, kind.kind, namespace, name)
        if old is None:
            raise NotFoundError.for_object(kind.plural, kind.group, name)
        old_meta = old["metadata"]
        if meta.get("resourceVersion") and meta["resourceVersion"] != old_meta["resourceVersion"]:
            raise ConflictError.for_object(kind.plural, kind.group, name, _STALE)
        if meta.get("uid") and meta["uid"] != old_meta["uid"]:
            raise ConflictError.for_object(
                kind.plural, kind.group, name,
                f"Precondition failed: UID in precondition: {meta['uid']}, UID in object meta: {old_meta['uid']}")

        now = self._clock.now_rfc3339()
        if subresource == "status":
            result = {k: v for k, v in old.items() if k != "status"}
            if new.get("status") is not None:
                result["status"] = new["status"]
            result["metadata"] = dict(old_meta)
            entries = old_meta.get("managedFields") or []
        else:
            result = new
            for field_name in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                if field_name in old_meta:
                    meta[field_name] = old_meta[field_name]
                else:
                    meta.pop(field_name, None)
            if kind.status_subresource:
                if "status" in old:
                    result["status"] = old["status"]
                else:
                    result.pop("status", None)
            apply_defaults(kind, result)
            entries = self._client_managed_fields(meta, old_meta)
        if managed is None:
            managed = track_update(old, result, entries, manager=manager, api_version=api_version,
                                   subresource=subresource, now=now, schema=self._schema(kind))
        if subresource != "status":
            prepare_for_update(kind, result, old)
        validate_update(kind, result, old, subresource=subresource)

        result_meta = result["metadata"]
        if kind.tracks_generation and subresource != "status" and _spec_view(result) != _spec_view(old):
            result_meta["generation"] = old_meta.get("generation", 0) + 1
        result_meta["managedFields"] = managed
        result_meta["resourceVersion"] = old_meta["resourceVersion"]
        if result == old:
            return old
        if kind.group_kind == ("", "Service") and subresource != "status":
            allocate_service(self.allocator, kind, result, old)
        result_meta["resourceVersion"] = self._next_rv()
        result = _share_unchanged(result, old)
        self._put(kind, result, old)
        if self._finished(kind, result):
            self._remove(kind, result)
        elif kind.group_kind == ("apiextensions.k8s.io", "CustomResourceDefinition"):
            self._serve_crd(result)
        return result

    @staticmethod
    def _client_managed_fields(meta: Mapping[str, Any], old_meta: Mapping[str, Any]) -> builtins.list[dict[str, Any]]:
        """The managedFields an update starts from: the stored ones unless the client rewrote
        them (Helm does, switching to server-side apply). ``[]`` means "unchanged" and ``[{}]``
        clears them, as in the API server."""
        given = meta.get("managedFields")
        if not given:
            return old_meta.get("managedFields") or []
        if given == [{}]:
            return []
        return [e for e in given if isinstance(e, dict) and e]

    # --- subresources --------------------------------------------------------------------

    def get_scale(self, api_version: str, kind: str, name: str, *, namespace: str = "") -> dict[str, Any]:
        """The ``autoscaling/v1`` Scale of a Deployment, ReplicaSet or StatefulSet.

        Raises:
            NotFoundError: no such object, or the kind has no scale subresource.
        """
        k, _version = self.kinds.resolve(api_version, kind)
        if not k.scale_subresource:
            raise NotFoundError("the server could not find the requested resource")
        namespace = self._namespace_arg(k, namespace, name)
        obj = self.peek(k.group, k.kind, namespace, name)
        if obj is None:
            raise NotFoundError.for_object(k.plural, k.group, name)
        return self._scale_of(obj)

    @staticmethod
    def _scale_of(obj: Mapping[str, Any]) -> dict[str, Any]:
        meta = obj["metadata"]
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0),
                       "selector": str(LabelSelector.from_label_selector(spec.get("selector") or {}))},
        }

    def update_scale(self, api_version: str, kind: str, name: str, replicas: int, *, namespace: str = "",
                     field_manager: str = DEFAULT_FIELD_MANAGER) -> dict[str, Any]:
        """Set ``spec.replicas`` through the scale subresource; returns the new Scale.

        Ownership of ``.spec.replicas`` is recorded with ``subresource: scale``.

        Raises:
            NotFoundError, InvalidError (negative replicas).
        """
        k, _version = self.kinds.resolve(api_version, kind)
        if not k.scale_subresource:
            raise NotFoundError("the server could not find the requested resource")
        namespace = self._namespace_arg(k, namespace, name)
        obj = self.peek(k.group, k.kind, namespace, name)
        if obj is None:
            raise NotFoundError.for_object(k.plural, k.group, name)
        new = copy_object(obj)
        new["spec"]["replicas"] = replicas
        new["metadata"].pop("resourceVersion", None)
        result = self._update(k, new, manager=field_manager, subresource="scale", api_version=k.storage_api_version)
        return self._scale_of(result)

    def bind_pod(self, name: str, node_name: str, *, namespace: str) -> dict[str, Any]:
        """Assign a pod to a node (``pods/binding``): sets ``spec.nodeName`` and PodScheduled.

        Raises:
            NotFoundError: no such pod. ConflictError: already assigned, or being deleted.
        """
        k = self.kinds.resolve("v1", "Pod")[0]
        pod = self.peek("", "Pod", namespace, name)
        if pod is None:
            raise NotFoundError.for_object("pods", "", name)
        if pod["metadata"].get("deletionTimestamp"):
            raise ConflictError.for_object("pods/binding", "", name,
                                           f"pod {name} is being deleted, cannot be assigned to a host")
        if (pod.get("spec") or {}).get("nodeName"):
            raise ConflictError.for_object("pods/binding", "", name,
                                           f'pod {name} is already assigned to node "{pod["spec"]["nodeName"]}"')
        now = self._clock.now_rfc3339()
        status = dict(pod.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conditions.insert(0, {"type": "PodScheduled", "status": "True", "lastTransitionTime": now})
        status["conditions"] = conditions
        result = {**pod, "spec": {**pod["spec"], "nodeName": node_name}, "status": status,
                  "metadata": {**pod["metadata"], "resourceVersion": self._next_rv()}}
        self._put(k, result, pod)
        return copy_object(result)  # type: ignore[no-any-return]

    def finalize_namespace(self, name: str) -> dict[str, Any] | None:
        """Clear the ``kubernetes`` finalizer of a terminating namespace (``namespaces/finalize``).

        Returns the namespace, or None once it is gone.
        """
        k = self.kinds.resolve("v1", "Namespace")[0]
        ns = self.peek("", "Namespace", "", name)
        if ns is None:
            return None
        finalizers = [f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != "kubernetes"]
        spec = {k2: v for k2, v in (ns.get("spec") or {}).items() if k2 != "finalizers"}
        if finalizers:
            spec["finalizers"] = finalizers
        result = {**ns, "spec": spec, "metadata": {**ns["metadata"], "resourceVersion": self._next_rv()}}
        self._put(k, result, ns)
        if self._finished(k, result):
            self._remove(k, result)
            return None
        return result

    # --- deletion ------------------------------------------------------------------------

    @staticmethod
    def _finished(kind: Kind, obj: Mapping[str, Any]) -> bool:
        """Whether a terminating object has nothing left holding it (finalizers, grace period)."""
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return False
        if kind.group_kind == ("", "Namespace"):
            return not (obj.get("spec") or {}).get("finalizers")
        return not meta.get("deletionGracePeriodSeconds")

    def delete(self, api_version: str, kind: str, name: str, *, namespace: str = "",
               propagation_policy: str | None = None, grace_period_seconds: int | None = None,
               preconditions: Mapping[str, str] | None = None, copy: bool = True) -> dict[str, Any]:
        """Delete an object. Returns its last state: with ``deletionTimestamp`` set if it is still
        terminating (finalizers, a pod's grace period, a namespace), else as it was removed.

        ``propagation_policy``: Background (dependents collected afterwards), Foreground
        (``foregroundDeletion`` finalizer: dependents first) or Orphan (``orphan`` finalizer:
        dependents lose their ownerReference); default is the kind's (Orphan for batch/v1 Job).

        Raises:
            NotFoundError, ConflictError (precondition), ForbiddenError (immortal namespace),
            BadRequestError (unknown propagation policy).
        """
        k, version = self.kinds.resolve(api_version, kind)
        namespace = self._namespace_arg(k, namespace, name)
        old = self.peek(k.group, k.kind, namespace, name)
        if old is None:
            raise NotFoundError.for_object(k.plural, k.group, name)
        meta = old["metadata"]
        for field_name, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            want = (preconditions or {}).get(field_name)
            if want and want != meta.get(field_name):
                raise ConflictError.for_object(
                    k.plural, k.group, name,
                    f"Precondition failed: {label} in precondition: {want}, {label} in object meta: {meta.get(field_name)}")
        self._admission.check_delete(k, name)
        policy = propagation_policy or k.default_propagation
        if policy not in PROPAGATION_POLICIES:
            raise BadRequestError(f'propagationPolicy: Unsupported value: "{policy}": supported values: '
                                  '"Foreground", "Background", "Orphan"')
        result = self._delete(k, old, policy, grace_period_seconds)
        return self._out(k, version, result, copy)

    def _delete(self, kind: Kind, old: dict[str, Any], policy: str, grace: int | None) -> dict[str, Any]:
        meta = old["metadata"]
        finalizers = list(meta.get("finalizers") or [])
        if self._children.get(meta["uid"]):
            # The garbage collector's finalizers; needless (and skipped) without dependents.
            if policy == "Orphan" and "orphan" not in finalizers:
                finalizers = [f for f in finalizers if f != "foregroundDeletion"] + ["orphan"]
            elif policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers = [f for f in finalizers if f != "orphan"] + ["foregroundDeletion"]
        spec = old.get("spec") or {}
        if kind.group_kind == ("", "Pod"):
            unstarted = not spec.get("nodeName") or (old.get("status") or {}).get("phase") in ("Succeeded", "Failed")
            grace = 0 if unstarted else (grace if grace is not None else spec.get("terminationGracePeriodSeconds", 30))
        else:
            grace = 0
        if meta.get("deletionTimestamp") is not None:
            grace = min(grace, meta.get("deletionGracePeriodSeconds") or 0)
        namespace_pending = kind.group_kind == ("", "Namespace") and bool(spec.get("finalizers"))
        if not finalizers and not grace and not namespace_pending:
            self._remove(kind, old)
            return old
        now = self._clock.now
        new_meta = {**meta, "finalizers": finalizers, "deletionGracePeriodSeconds": grace}
        if not finalizers:
            del new_meta["finalizers"]
        first = meta.get("deletionTimestamp") is None
        if first or grace < (meta.get("deletionGracePeriodSeconds") or 0):
            new_meta["deletionTimestamp"] = format_time(now + grace)
        if first and kind.tracks_generation:
            new_meta["generation"] = meta.get("generation", 0) + 1
        result = {**old, "metadata": new_meta}
        if kind.group_kind == ("", "Namespace"):
            result["status"] = {**(old.get("status") or {}), "phase": "Terminating"}
        if result == old:
            return old
        new_meta["resourceVersion"] = self._next_rv()
        self._put(kind, result, old)
        if self._finished(kind, result):
            self._remove(kind, result)
        return result

    # --- custom resource definitions -----------------------------------------------------

    def _serve_crd(self, crd: Mapping[str, Any]) -> None:
        if crd["metadata"].get("deletionTimestamp"):
            return
        kind = crd_kind(crd)
        existing = self.kinds.get(kind.group, kind.kind)
        if kind.kind and kind.versions and (existing is None or not existing.builtin):
            self.kinds.register(kind)
            self._schemas.pop(kind.group_kind, None)

    def _remove_crd(self, crd: Mapping[str, Any]) -> None:
        # The CRD's cleanup finalizer deletes every instance before the kind stops being
        # served; instances' own finalizers cannot be honoured once nothing can serve them.
        kind = crd_kind(crd)
        served = self.kinds.get(kind.group, kind.kind)
        if served is None or served.builtin:
            return
        for obj in list(self.peek_all(served.group, served.kind)):
            self._remove(served, obj)
        self.kinds.unregister(served.group, served.kind)
