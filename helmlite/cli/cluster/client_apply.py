"""kubectl's client-side apply: the last-applied annotation and the three-way patch.

In kubectl this logic runs in the client (``pkg/cmd/apply``, ``apimachinery/pkg/util/
strategicpatch``), not in the API server, so it lives beside the ``apply`` verb rather than in
the simulated store. The object a user applies is recorded, as JSON, in the annotation
``kubectl.kubernetes.io/last-applied-configuration``; the next apply compares three versions:

* *original*: what was applied last time (the annotation on the live object);
* *modified*: what is applied now (with its new annotation);
* *current*: the live object, including what controllers, defaulting and other writers added.

As ``CreateThreeWayMergePatch`` does, the patch is the difference from *current* to *modified*
without deletions, plus the deletions from *original* to *modified*: fields in *modified* win,
fields in *original* but no longer in *modified* are removed (``null``, ``$patch: delete``
items, ``$deleteFromPrimitiveList``), fields only in *current* are kept. Lists of built-in
kinds with a strategic merge key (containers by ``name``, container ports by
``containerPort``, …) are diffed item by item with ``$setElementOrder``; other lists, and every
list of a custom resource (whose patch is a JSON merge patch), are replaced. An empty patch
means "unchanged": kubectl then sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["LAST_APPLIED_ANNOTATION", "last_applied_json", "three_way_patch", "with_last_applied"]

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"

# patchMergeKey of the built-in types' lists (k8s.io/api struct tags), by field name; "" marks
# a list of scalars merged as a set (``patchStrategy:"merge"`` without a key).
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
    "ownerReferences": "uid",
    "finalizers": "",
}
# Maps tagged ``patchStrategy:"retainKeys"`` (a Deployment's strategy, each volume): the patch
# lists the keys it keeps, so switching a union member (RollingUpdate → Recreate) drops the old one.
_RETAIN_KEYS_FIELDS = frozenset({"strategy", "volumes"})
_GO_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SET_ELEMENT_ORDER = "$setElementOrder/"
_DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"
_RETAIN_KEYS = "$retainKeys"


def last_applied_json(obj: Mapping[str, Any]) -> str:
    """The annotation's value for ``obj``: Go's ``json.Encoder`` output of the object without the
    annotation (sorted keys, ``<>&`` escaped, a trailing newline), as ``GetModifiedConfiguration``
    makes it — which always sets ``metadata.annotations``, so an object without annotations
    records ``"annotations":{}``."""
    config = json.loads(json.dumps(obj))
    meta = config.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED_ANNOTATION, None)
    meta["annotations"] = annotations
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


def three_way_patch(original: Mapping[str, Any] | None, modified: Mapping[str, Any], current: Mapping[str, Any], *,
                    strategic: bool, kind: str) -> dict[str, Any]:
    """The patch kubectl sends to turn ``current`` into what ``modified`` asks for: a strategic
    merge patch (``strategic``, the built-in kinds; ``kind`` tells Service ports, keyed by
    ``port``, from container ports) or a JSON merge patch. ``original`` is None when the live
    object has no last-applied annotation: nothing is deleted then. ``{}`` means no change."""
    delta = _diff_maps(current, modified, (), _Diff(strategic, kind, ignore_deletions=True))
    deletions = _diff_maps(original or {}, modified, (), _Diff(strategic, kind, ignore_changes=True))
    return _merge_patches(deletions, delta, (), kind)


class _Diff:
    """``DiffOptions``: which half of a diff to compute, and for which kind."""

    def __init__(self, strategic: bool, kind: str, *, ignore_deletions: bool = False,
                 ignore_changes: bool = False) -> None:
        self.strategic = strategic
        self.kind = kind
        self.ignore_deletions = ignore_deletions
        self.ignore_changes = ignore_changes


def _merge_key(path: tuple[str, ...], kind: str) -> str | None:
    """The list at ``path``'s merge key, ``""`` for a set of scalars, None for a replaced list."""
    field = path[-1] if path else ""
    if field == "ports":
        return "port" if kind == "Service" and path == ("spec", "ports") else "containerPort"
    return _MERGE_KEYS.get(field)


def _retains_keys(path: tuple[str, ...], kind: str) -> bool:
    field = path[-1] if path else ""
    return field in _RETAIN_KEYS_FIELDS and (field == "volumes" or (kind == "Deployment" and path == ("spec", "strategy")))


def _diff_maps(original: Mapping[str, Any], modified: Mapping[str, Any], path: tuple[str, ...], options: _Diff, *,
               retain_keys: bool = False) -> dict[str, Any]:
    """apimachinery ``diffMaps``."""
    patch: dict[str, Any] = {}
    for key, value in modified.items():
        if key not in original:
            if not options.ignore_changes:
                patch[key] = value
            continue
        before = original[key]
        if type(before) is not type(value):
            if not options.ignore_changes:
                patch[key] = value
        elif isinstance(value, dict):
            keep = options.strategic and _retains_keys(path + (key,), options.kind)
            sub = _diff_maps(before, value, path + (key,), options, retain_keys=keep)
            if sub:
                patch[key] = sub
        elif isinstance(value, list):
            _diff_list_field(key, before, value, path + (key,), options, patch)
        elif before != value and not options.ignore_changes:
            patch[key] = value
    if not options.ignore_deletions:
        patch.update({key: None for key in original if key not in modified})
    if retain_keys and modified and (patch or any(key not in original for key in modified)):
        patch[_RETAIN_KEYS] = sorted(key for key, value in modified.items() if value is not None)
    return patch


def _diff_list_field(key: str, original: list[Any], modified: list[Any], path: tuple[str, ...], options: _Diff,
                     patch: dict[str, Any]) -> None:
    """apimachinery ``handleSliceDiff``: a merged list gives items, deletions and an order."""
    merge_key = _merge_key(path, options.kind) if options.strategic else None
    if merge_key is None:
        if original != modified and not options.ignore_changes:
            patch[key] = modified
        return
    if not original:
        if modified and not options.ignore_changes:
            patch[key] = modified
        return
    if merge_key and all(isinstance(item, dict) for item in original + modified):
        items = _diff_lists_of_maps(original, modified, merge_key, path, options)
        # isOrderSame: the same keys at the same places (so a longer live list counts as reordered).
        reordered = [item.get(merge_key) for item in original] != [item.get(merge_key) for item in modified]
        if items:
            patch[key] = items
        if (not options.ignore_changes and (items or reordered)) or (not options.ignore_deletions and items):
            patch[_SET_ELEMENT_ORDER + key] = [{merge_key: item.get(merge_key)} for item in modified]
        return
    added = [item for item in _unique(modified) if item not in original] if not options.ignore_changes else []
    removed = sorted(_unique([item for item in original if item not in modified]), key=str) \
        if not options.ignore_deletions else []
    if added:
        patch[key] = added
    if removed:
        patch[_DELETE_FROM_PRIMITIVE_LIST + key] = removed
    if (not options.ignore_deletions and removed) or (not options.ignore_changes and original != modified):
        patch[_SET_ELEMENT_ORDER + key] = modified


def _unique(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _diff_lists_of_maps(original: list[Any], modified: list[Any], merge_key: str, path: tuple[str, ...],
                        options: _Diff) -> list[Any]:
    """apimachinery ``diffListsOfMaps`` + ``normalizeSliceOrder``: changed and added items in
    the applied order, then ``$patch: delete`` items sorted by their key."""
    before = {str(item.get(merge_key)): item for item in original}
    applied = {str(item.get(merge_key)) for item in modified}
    items: list[Any] = []
    for item in modified:
        old = before.get(str(item.get(merge_key)))
        if old is None:
            if not options.ignore_changes:
                items.append(item)
            continue
        sub = _diff_maps(old, item, path, options, retain_keys=options.strategic and _retains_keys(path, options.kind))
        if sub:
            sub[merge_key] = item.get(merge_key)
            items.append(sub)
    if not options.ignore_deletions:
        items.extend({"$patch": "delete", merge_key: before[value].get(merge_key)}
                     for value in sorted(before) if value not in applied)
    return items


def _merge_patches(first: dict[str, Any], second: dict[str, Any], path: tuple[str, ...], kind: str) -> dict[str, Any]:
    """``mergeMap(deletions, delta)`` for two patches of the same object: maps merge, keyed
    list items merge by key, anything else from ``second`` wins."""
    out = dict(first)
    for key, value in second.items():
        mine = out.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            out[key] = _merge_patches(mine, value, path + (key,), kind)
        elif isinstance(mine, list) and isinstance(value, list) and _merge_key(path + (key,), kind):
            merge_key = str(_merge_key(path + (key,), kind))
            merged = list(mine)
            for item in value:
                at = next((i for i, m in enumerate(merged) if isinstance(m, dict) and isinstance(item, dict)
                           and m.get(merge_key) == item.get(merge_key)), None)
                if at is None:
                    merged.append(item)
                else:
                    merged[at] = _merge_patches(merged[at], item, path + (key,), kind)
            out[key] = merged
        else:
            out[key] = value
    return out
