"""Declarative fault injection: what should go wrong in the simulated cluster.

Faults live *in* the cluster, in the ConfigMap ``kube-system/helmlite-faults`` (one data key
per fault id, the value is the fault as JSON), so they persist with the cluster file, show up
in ``get configmap -n kube-system``, and wake the kubelet and node lifecycle models when they
change. ``add_fault``/``remove_fault``/``list_faults`` are the API the CLI and tests use::

    fid = add_fault(cluster, {"kind": "image-pull", "image": "nginx:1.99"})
    add_fault(cluster, {"kind": "container-exit", "selector": "app=web", "exitCode": 1, "after": 5})
    add_fault(cluster, {"kind": "readiness", "pod": "web-*", "after": 60})
    add_fault(cluster, {"kind": "node-not-ready", "node": "node-2"})
    remove_fault(cluster, fid)

Kinds and their fields (every pod-level fault also takes ``namespace``, ``pod`` — a name glob —
``selector`` — a label selector — and ``container``; omitted means "any"):

``image-pull``        ``image`` (glob on the reference as written or normalised), ``error``:
                      ``NotFound`` (default), ``Unauthorized``, ``RegistryUnavailable``, ``Timeout``;
                      optional ``message``.
``container-exit``    ``exitCode`` (default 1), ``after`` seconds after each start (default 0),
                      ``reason`` (``Error``/``OOMKilled``/…; default from the code), ``times``
                      (only the first N runs; default every run), ``message`` (a log line).
``readiness``         the readiness probe fails from ``after`` seconds after start (default 0:
                      never passes); optional ``message``.
``liveness``          the liveness probe fails from ``after`` seconds after start.
``startup``           the startup probe fails from ``after`` seconds after start.
``node-not-ready``    ``node``; ``mode`` ``unreachable`` (default: the kubelet stops reporting)
                      or ``not-ready`` (it reports NotReady); ``since`` (RFC 3339; default now).
``resource-pressure`` ``node``; ``resource`` ``memory`` (default), ``disk`` or ``pid``.
"""

from __future__ import annotations

import fnmatch
import json
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.errors import ApiError, SimulatorError
from helmlite.cluster.selectors import LabelSelector

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = [
    "Fault",
    "FaultSet",
    "FaultError",
    "add_fault",
    "remove_fault",
    "list_faults",
    "clear_faults",
    "fault_set",
    "get_fault",
    "FAULTS_CONFIGMAP",
    "FAULTS_NAMESPACE",
    "FAULT_KINDS",
    "POD_FAULT_KINDS",
    "NODE_FAULT_KINDS",
    "PULL_ERRORS",
]

FAULTS_NAMESPACE = "kube-system"
FAULTS_CONFIGMAP = "helmlite-faults"
_NEXT_ID_ANNOTATION = "helmlite.io/next-fault-id"
_FIELD_MANAGER = "helmlite-faults"
POD_FAULT_KINDS = ("container-exit", "readiness", "liveness", "startup")
NODE_FAULT_KINDS = ("node-not-ready", "resource-pressure")
FAULT_KINDS = ("image-pull", *POD_FAULT_KINDS, *NODE_FAULT_KINDS)
PULL_ERRORS = ("NotFound", "Unauthorized", "RegistryUnavailable", "Timeout")
_POD_FIELDS = ("namespace", "pod", "selector", "container")
_FIELDS: dict[str, tuple[str, ...]] = {
    "image-pull": ("image", "error", "message"),
    "container-exit": (*_POD_FIELDS, "exitCode", "after", "reason", "times", "message"),
    "readiness": (*_POD_FIELDS, "after", "message"),
    "liveness": (*_POD_FIELDS, "after", "message"),
    "startup": (*_POD_FIELDS, "after", "message"),
    "node-not-ready": ("node", "mode", "since"),
    "resource-pressure": ("node", "resource"),
}


class FaultError(SimulatorError):
    """A fault specification is invalid, or no fault has the given id."""


@dataclass(frozen=True)
class Fault:
    """One injected fault: its id, kind and (normalised) specification."""

    id: str
    kind: str
    spec: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the specification."""
        return self.spec.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        """``{"id": …, **spec}`` (what ``list_faults`` callers print)."""
        return {"id": self.id, **self.spec}

    # --- matching ------------------------------------------------------------------------

    def matches_pod(self, pod: Mapping[str, Any], container: str | None = None) -> bool:
        """Whether this pod-level fault applies to ``pod`` (and ``container``, if given)."""
        meta = pod.get("metadata") or {}
        namespace = self.spec.get("namespace")
        if namespace and namespace != meta.get("namespace"):
            return False
        pattern = self.spec.get("pod")
        if pattern and not fnmatch.fnmatchcase(meta.get("name", ""), pattern):
            return False
        selector = self.spec.get("selector")
        if selector and not LabelSelector.parse(selector).matches(meta.get("labels") or {}):
            return False
        wanted = self.spec.get("container")
        return not (wanted and container is not None and wanted != container)

    def matches_image(self, image: str, normalized: str) -> bool:
        """Whether this ``image-pull`` fault applies to an image reference."""
        pattern = self.spec.get("image", "*")
        return fnmatch.fnmatchcase(image, pattern) or fnmatch.fnmatchcase(normalized, pattern)


def _number(spec: dict[str, Any], key: str, *, minimum: float = 0, integer: bool = False) -> None:
    if key not in spec:
        return
    value = spec[key]
    if isinstance(value, str):
        try:
            value = float(value) if not integer else int(value)
        except ValueError:
            raise FaultError(f"fault field {key!r} must be a number, not {spec[key]!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise FaultError(f"fault field {key!r} must be a number >= {minimum:g}, not {spec[key]!r}")
    spec[key] = int(value) if integer or float(value).is_integer() else float(value)


def _normalize(spec: Mapping[str, Any], now: float) -> dict[str, Any]:
    """Check a specification and fill in defaults.

    Raises:
        FaultError: unknown kind or field, or a bad value.
    """
    if not isinstance(spec, Mapping):
        raise FaultError("a fault must be a mapping with a 'kind'")
    kind = spec.get("kind")
    if kind not in FAULT_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; expected one of: {', '.join(FAULT_KINDS)}")
    allowed = _FIELDS[kind]
    unknown = sorted(k for k in spec if k not in allowed and k not in ("kind", "id", "added"))
    if unknown:
        raise FaultError(f"unknown field(s) for a {kind} fault: {', '.join(unknown)} "
                         f"(allowed: {', '.join(allowed)})")
    out: dict[str, Any] = {"kind": kind, "added": format_time(now)}
    for key in allowed:
        if key in spec and spec[key] is not None:
            out[key] = spec[key]
    for key in ("namespace", "pod", "selector", "container", "image", "message", "node", "reason"):
        if key in out and not isinstance(out[key], str):
            raise FaultError(f"fault field {key!r} must be a string")
    if "selector" in out:
        try:
            LabelSelector.parse(out["selector"])
        except ApiError as exc:
            raise FaultError(f"invalid selector {out['selector']!r}: {exc}") from None
    if kind == "image-pull":
        out.setdefault("image", "*")
        out.setdefault("error", "NotFound")
        if out["error"] not in PULL_ERRORS:
            raise FaultError(f"image-pull error must be one of: {', '.join(PULL_ERRORS)}")
    elif kind == "container-exit":
        out.setdefault("exitCode", 1)
        out.setdefault("after", 0)
        _number(out, "exitCode", integer=True)
        _number(out, "after")
        _number(out, "times", minimum=1, integer=True)
        out.setdefault("reason", "Completed" if out["exitCode"] == 0 else "Error")
    elif kind in ("readiness", "liveness", "startup"):
        out.setdefault("after", 0)
        _number(out, "after")
    elif kind == "node-not-ready":
        if not out.get("node"):
            raise FaultError("a node-not-ready fault needs a 'node'")
        out.setdefault("mode", "unreachable")
        if out["mode"] not in ("unreachable", "not-ready"):
            raise FaultError("node-not-ready mode must be 'unreachable' or 'not-ready'")
        since = out.get("since")
        if since is None:
            out["since"] = format_time(now)
        else:
            try:
                parse_time(str(since).replace("Z", "+00:00"))
            except ValueError:
                raise FaultError(f"'since' must be an RFC 3339 time, not {since!r}") from None
    elif kind == "resource-pressure":
        if not out.get("node"):
            raise FaultError("a resource-pressure fault needs a 'node'")
        out.setdefault("resource", "memory")
        if out["resource"] not in ("memory", "disk", "pid"):
            raise FaultError("resource-pressure resource must be 'memory', 'disk' or 'pid'")
    return out


# --- storage ----------------------------------------------------------------------------

def _configmap(cluster: Cluster) -> Mapping[str, Any] | None:
    return cluster.store.peek("", "ConfigMap", FAULTS_NAMESPACE, FAULTS_CONFIGMAP)


def add_fault(cluster: Cluster, spec: Mapping[str, Any]) -> str:
    """Inject a fault; returns its id (``fault-1``, ``fault-2``, … never reused).

    Raises:
        FaultError: the specification is invalid.
    """
    fault = _normalize(spec, cluster.clock.now)
    existing = _configmap(cluster)
    if existing is None:
        next_id = 1
        data: dict[str, str] = {}
    else:
        next_id = int((existing["metadata"].get("annotations") or {}).get(_NEXT_ID_ANNOTATION, "1"))
        data = dict(existing.get("data") or {})
    fault_id = f"fault-{next_id}"
    data[fault_id] = json.dumps(fault, sort_keys=True, separators=(",", ":"))
    _write(cluster, data, next_id + 1)
    return fault_id


def remove_fault(cluster: Cluster, fault_id: str) -> None:
    """Remove an injected fault.

    Raises:
        FaultError: no fault has that id.
    """
    existing = _configmap(cluster)
    data = dict((existing or {}).get("data") or {})
    if fault_id not in data:
        raise FaultError(f'fault "{fault_id}" not found')
    del data[fault_id]
    next_id = int(((existing or {})["metadata"].get("annotations") or {}).get(_NEXT_ID_ANNOTATION, "1"))
    _write(cluster, data, next_id)


def clear_faults(cluster: Cluster) -> int:
    """Remove every fault; returns how many there were."""
    existing = _configmap(cluster)
    count = len((existing or {}).get("data") or {})
    if existing is not None:
        next_id = int((existing["metadata"].get("annotations") or {}).get(_NEXT_ID_ANNOTATION, "1"))
        _write(cluster, {}, next_id)
    return count


def _write(cluster: Cluster, data: dict[str, str], next_id: int) -> None:
    manifest = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": FAULTS_CONFIGMAP, "namespace": FAULTS_NAMESPACE,
                     "labels": {"app.kubernetes.io/managed-by": "helmlite"},
                     "annotations": {_NEXT_ID_ANNOTATION: str(next_id)}},
        "data": dict(sorted(data.items(), key=lambda kv: _id_order(kv[0]))),
    }
    if _configmap(cluster) is None:
        cluster.store.create(manifest, field_manager=_FIELD_MANAGER, copy=False)
    else:
        cluster.store.replace(manifest, field_manager=_FIELD_MANAGER, copy=False)


def _id_order(fault_id: str) -> tuple[int, str]:
    number = fault_id.rpartition("-")[2]
    return (int(number), fault_id) if number.isdigit() else (1 << 62, fault_id)


def list_faults(cluster: Cluster) -> list[Fault]:
    """The injected faults, oldest first."""
    return list(fault_set(cluster))


# --- the view the simulator consults -------------------------------------------------------

class FaultSet:
    """The parsed faults of one version of the ConfigMap, indexed for the kubelet and the node
    lifecycle controller."""

    def __init__(self, faults: Iterable[Fault]) -> None:
        self.faults = sorted(faults, key=lambda f: _id_order(f.id))
        self.by_kind: dict[str, list[Fault]] = {}
        for fault in self.faults:
            self.by_kind.setdefault(fault.kind, []).append(fault)

    def __iter__(self) -> Any:
        return iter(self.faults)

    def __len__(self) -> int:
        return len(self.faults)

    def image_pull(self, image: str, normalized: str) -> Fault | None:
        """The first image-pull fault for this image, or None (the image can be pulled)."""
        for fault in self.by_kind.get("image-pull", ()):
            if fault.matches_image(image, normalized):
                return fault
        return None

    def for_pod(self, kind: str, pod: Mapping[str, Any], container: str) -> Fault | None:
        """The first pod-level fault of ``kind`` that applies to a container of ``pod``."""
        for fault in self.by_kind.get(kind, ()):
            if fault.matches_pod(pod, container):
                return fault
        return None

    def has_pod_faults(self) -> bool:
        """Whether any pod-level fault exists (lets the kubelet skip matching entirely)."""
        return any(kind in self.by_kind for kind in POD_FAULT_KINDS)

    def node_not_ready(self, node: str) -> Fault | None:
        """The node-not-ready fault for ``node``, or None."""
        for fault in self.by_kind.get("node-not-ready", ()):
            if fault.get("node") == node:
                return fault
        return None

    def pressure(self, node: str) -> set[str]:
        """Resources (``memory``/``disk``/``pid``) under pressure on ``node``."""
        return {f.get("resource") for f in self.by_kind.get("resource-pressure", ()) if f.get("node") == node}

    def nodes(self) -> set[str]:
        """Nodes named by node-level faults."""
        return {f.get("node") for kind in NODE_FAULT_KINDS for f in self.by_kind.get(kind, ())}


_EMPTY = FaultSet(())
# Parsed views per cluster, keyed by the ConfigMap's (uid, resourceVersion): re-parsed only
# after a change.
_cache: weakref.WeakKeyDictionary[Cluster, tuple[tuple[str, str], FaultSet]] = weakref.WeakKeyDictionary()


def fault_set(cluster: Cluster) -> FaultSet:
    """The current faults of ``cluster`` (cheap: cached until the ConfigMap changes)."""
    cm = _configmap(cluster)
    if cm is None:
        return _EMPTY
    meta = cm["metadata"]
    version = (meta.get("uid", ""), meta.get("resourceVersion", ""))
    cached = _cache.get(cluster)
    if cached is not None and cached[0] == version:
        return cached[1]
    faults = []
    for fault_id, text in (cm.get("data") or {}).items():
        try:
            spec = json.loads(text)
        except ValueError:
            continue  # hand-edited garbage: ignored, as a controller ignores bad config
        if isinstance(spec, dict) and spec.get("kind") in FAULT_KINDS:
            faults.append(Fault(fault_id, spec["kind"], {k: v for k, v in spec.items()}))
    parsed = FaultSet(faults)
    _cache[cluster] = (version, parsed)
    return parsed


def get_fault(cluster: Cluster, fault_id: str) -> Fault:
    """One fault by id.

    Raises:
        FaultError: no such fault.
    """
    for fault in fault_set(cluster):
        if fault.id == fault_id:
            return fault
    raise FaultError(f'fault "{fault_id}" not found')
