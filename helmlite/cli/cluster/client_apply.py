"""kubectl's client-side apply: the last-applied annotation and the three-way merge.

In kubectl this logic runs in the client (``pkg/cmd/apply``, ``apimachinery/pkg/util/
strategicpatch``), not in the API server, so it lives beside the ``apply`` verb rather than in
the simulated store. The object a user applies is recorded, as JSON, in the annotation
``kubectl.kubernetes.io/last-applied-configuration``; the next apply merges three versions:

* *original*: what was applied last time (the annotation on the live object);
* *modified*: what is applied now (with its new annotation);
* *current*: the live object, including what controllers, defaulting and other writers added.

Fields in *modified* win; fields in *original* but no longer in *modified* are removed; fields
only in *current* are kept. Lists of built-in kinds with a strategic merge key (containers by
``name``, container ports by ``containerPort``, …) merge item by item, as a strategic merge
patch does; other lists, and every list of a custom resource (JSON merge patch), are replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["LAST_APPLIED_ANNOTATION", "last_applied_json", "three_way_merge", "with_last_applied"]

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"

# patchMergeKey of the built-in types' lists (k8s.io/api struct tags), by field name.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "schedulingGates": "name",
    "resourceClaims": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "conditions": "type",
}
_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_MISSING: Any = object()


def last_applied_json(obj: Mapping[str, Any]) -> str:
    """The annotation's value for ``obj``: Go's ``json.Encoder`` output of the object without the
    annotation (sorted keys, ``<>&`` escaped, a trailing newline), as ``GetModifiedConfiguration``."""
    config = json.loads(json.dumps(obj))
    meta = config.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED_ANNOTATION, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _GO_HTML_ESCAPES.items():
        text = text.replace(char, escape)
    return text + "\n"


def with_last_applied(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` carrying its own last-applied annotation (kubectl's *modified*)."""
    modified: dict[str, Any] = json.loads(json.dumps(obj))
    meta = modified.setdefault("metadata", {})
    meta["annotations"] = {**(meta.get("annotations") or {}), LAST_APPLIED_ANNOTATION: last_applied_json(obj)}
    return modified


def three_way_merge(original: Mapping[str, Any] | None, modified: Mapping[str, Any], current: Mapping[str, Any], *,
                    strategic: bool, kind: str) -> dict[str, Any]:
    """The object ``current`` becomes when kubectl applies ``modified`` over it (a new dict;
    the arguments are not changed). ``original`` is None when the live object has no
    last-applied annotation: nothing is removed then. ``strategic`` (built-in kinds) merges
    keyed lists; ``kind`` tells Service ports (keyed by ``port``) from container ports."""
    merged = _merge(original, modified, current, (), strategic, kind)
    assert isinstance(merged, dict)
    return merged


def _merge_key(path: tuple[str, ...], kind: str) -> str | None:
    field = path[-1] if path else ""
    if field == "ports":
        return "port" if kind == "Service" and path == ("spec", "ports") else "containerPort"
    return _MERGE_KEYS.get(field)


def _merge(original: Any, modified: Any, current: Any, path: tuple[str, ...], strategic: bool, kind: str) -> Any:
    if isinstance(modified, dict) and isinstance(current, dict):
        before = original if isinstance(original, dict) else {}
        out = dict(current)
        for key, value in modified.items():
            if value is None:  # an explicit null deletes, as in a merge patch
                out.pop(key, None)
            else:
                out[key] = _merge(before.get(key), value, current.get(key, _MISSING), path + (key,), strategic, kind)
        for key in before:
            if key not in modified:
                out.pop(key, None)
        return out
    if strategic and isinstance(modified, list) and isinstance(current, list):
        key = _merge_key(path, kind)
        if key is not None and _keyed(modified, key) and _keyed(current, key):
            return _merge_keyed(original, modified, current, key, path, kind)
    return json.loads(json.dumps(modified))


def _keyed(items: list[Any], key: str) -> bool:
    return all(isinstance(item, dict) and key in item for item in items)


def _merge_keyed(original: Any, modified: list[Any], current: list[Any], key: str, path: tuple[str, ...],
                 kind: str) -> list[Any]:
    """Items in the applied order; items another writer added (in neither the applied nor the
    last-applied list) are kept after them, as ``$setElementOrder`` leaves them."""
    before = {item[key]: item for item in original or () if isinstance(item, dict) and key in item}
    live = {item[key]: item for item in current}
    applied = {item[key] for item in modified}
    out = [_merge(before.get(item[key]), item, live.get(item[key], _MISSING), path, True, kind) for item in modified]
    out.extend(item for item in current if item[key] not in applied and item[key] not in before)
    return out
