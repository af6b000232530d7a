"""Strategic merge patch, the ``application/strategic-merge-patch+json`` patch type.

A port of the *apply* half of apimachinery ``util/strategicpatch`` (``StrategicMergeMapPatch``,
as kube-apiserver runs it: parallel lists merged, unmatched nulls ignored), including its
ordering rules and its error messages, which clients print verbatim. What makes a merge
"strategic" is per-field metadata from the ``patchStrategy``/``patchMergeKey`` struct tags of
``kubernetes/api``; ``_SCHEMAS`` carries the tags that matter for the built-in kinds, by type
path (the pod spec sits at ``spec`` of a Pod, ``spec.template.spec`` of the workload kinds and
``spec.jobTemplate.spec.template.spec`` of a CronJob). Any field without tags merges as a plain
JSON merge patch would: maps recursively, lists replaced whole.

Directives: ``$patch: replace|delete`` on a map (``merge`` is refused there, as upstream),
``$patch: replace|delete`` as a list item, ``$setElementOrder/<list>``,
``$deleteFromPrimitiveList/<list>`` and ``$retainKeys``; ``null`` deletes a key.

Custom resources have no struct tags, so the API server refuses strategic merge patches for them
with 415 UnsupportedMediaType; ``apply_strategic_merge_patch`` does the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from helmlite.cluster.errors import (
    ApiError,
    BadRequestError,
    RequestRejectedError,
    UnclassifiedError,
    UnsupportedMediaTypeError,
)
from helmlite.cluster.kinds import BUILTIN_KINDS

__all__ = ["CUSTOM_RESOURCE_PATCH_TYPES", "apply_strategic_merge_patch"]

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
_SET_ELEMENT_ORDER = "$setElementOrder"

# The patch types apiextensions-apiserver accepts for custom resources, in its order.
CUSTOM_RESOURCE_PATCH_TYPES = (
    "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")


# --- schema: the patch strategies of kubernetes/api, by type ---------------------------------

@dataclass(frozen=True)
class _Field:
    """The patch metadata of one struct field: ``merge`` lists merge item by item (by
    ``merge_key`` for lists of objects, as a set for lists of scalars); ``fields`` describes the
    field's own struct (or its list items)."""

    merge: bool = False
    merge_key: str = ""
    fields: Mapping[str, _Field] = field(default_factory=dict)


_PLAIN = _Field()


def _merged(merge_key: str = "", fields: Mapping[str, _Field] | None = None) -> _Field:
    return _Field(merge=True, merge_key=merge_key, fields=fields or {})


def _struct(**fields: _Field) -> _Field:
    return _Field(fields=fields)


_CONDITIONS = _merged("type")
_OBJECT_META = _struct(ownerReferences=_merged("uid"), finalizers=_merged())
_CONTAINER = {
    "ports": _merged("containerPort"),
    "env": _merged("name"),
    "volumeMounts": _merged("mountPath"),
    "volumeDevices": _merged("devicePath"),
}
# Volumes, resourceClaims (and Deployment.spec.strategy) are also tagged retainKeys; that only
# steers how clients compute patches — applying honours any "$retainKeys" a patch carries.
_POD_SPEC = _struct(
    volumes=_merged("name"),
    initContainers=_merged("name", _CONTAINER),
    containers=_merged("name", _CONTAINER),
    ephemeralContainers=_merged("name", _CONTAINER),
    imagePullSecrets=_merged("name"),
    hostAliases=_merged("ip"),
    topologySpreadConstraints=_merged("topologyKey"),
    schedulingGates=_merged("name"),
    resourceClaims=_merged("name"),
)
_POD_STATUS = _struct(conditions=_CONDITIONS, podIPs=_merged("ip"), hostIPs=_merged("ip"))
_POD_TEMPLATE = _struct(metadata=_OBJECT_META, spec=_POD_SPEC)
_STATUS_WITH_CONDITIONS = _struct(conditions=_CONDITIONS)


def _kind(spec: _Field = _PLAIN, status: _Field = _PLAIN, **other: _Field) -> _Field:
    return _struct(metadata=_OBJECT_META, spec=spec, status=status, **other)


_WORKLOAD = _kind(spec=_struct(template=_POD_TEMPLATE), status=_STATUS_WITH_CONDITIONS)

# (group, kind) → the object's patch metadata. Built-in kinds missing here only have ObjectMeta's.
_SCHEMAS: dict[tuple[str, str], _Field] = {
    ("", "Pod"): _kind(spec=_POD_SPEC, status=_POD_STATUS),
    ("", "PodTemplate"): _struct(metadata=_OBJECT_META, template=_POD_TEMPLATE),
    ("", "ReplicationController"): _WORKLOAD,
    ("apps", "Deployment"): _WORKLOAD,
    ("apps", "ReplicaSet"): _WORKLOAD,
    ("apps", "StatefulSet"): _WORKLOAD,
    ("apps", "DaemonSet"): _WORKLOAD,
    ("batch", "Job"): _WORKLOAD,
    ("batch", "CronJob"): _kind(spec=_struct(jobTemplate=_struct(
        metadata=_OBJECT_META, spec=_struct(template=_POD_TEMPLATE)))),
    ("", "Service"): _kind(spec=_struct(ports=_merged("port")), status=_STATUS_WITH_CONDITIONS),
    ("", "Node"): _kind(spec=_struct(podCIDRs=_merged()),
                        status=_struct(conditions=_CONDITIONS, addresses=_merged("type"))),
    ("", "Namespace"): _kind(status=_STATUS_WITH_CONDITIONS),
    ("", "PersistentVolumeClaim"): _kind(status=_STATUS_WITH_CONDITIONS),
    ("", "ServiceAccount"): _struct(metadata=_OBJECT_META, secrets=_merged("name")),
    ("autoscaling", "HorizontalPodAutoscaler"): _kind(status=_STATUS_WITH_CONDITIONS),
    ("policy", "PodDisruptionBudget"): _kind(status=_STATUS_WITH_CONDITIONS),
}
_BUILTIN = frozenset((kind.group, kind.kind) for kind in BUILTIN_KINDS)
_DEFAULT_SCHEMA = _struct(metadata=_OBJECT_META)


# --- errors: apimachinery's messages, mapped to the status the API server answers with --------

class _PatchError(Exception):
    """A merge failure; ``status`` is the ApiError class patch.go's
    ``interpretStrategicMergePatchError`` picks for it."""

    def __init__(self, message: str, status: Callable[[str], ApiError] = UnclassifiedError) -> None:
        super().__init__(message)
        self.status = status


def _bad_format(message: str) -> _PatchError:
    return _PatchError(message, BadRequestError)


_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
_BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"


def _no_merge_key(item: Mapping[str, Any], key: str) -> _PatchError:
    return _PatchError(f"map: {_go(item)} does not contain declared merge key: {key}")


def _bad_arg_type(expected: str, actual: Any) -> _PatchError:
    return _PatchError(f"expected a {expected}, but received a {_go_type(actual)}")


def _bad_patch_type(directive: Any, item: Mapping[str, Any]) -> _PatchError:
    return _PatchError(f"unknown patch type: {_go(directive)} in map: {_go(item)}")


# --- the merge --------------------------------------------------------------------------------

def apply_strategic_merge_patch(original: Mapping[str, Any], patch: Mapping[str, Any],
                                group: str, kind: str) -> dict[str, Any]:
    """The object the API server stores after applying the strategic merge ``patch`` to
    ``original``, an object of the built-in ``group``/``kind``; neither argument is modified.

    Like the API server's decode of the merged map into its Go type, the result drops ``null``
    values and ``$``-directive keys the merge left behind (from list items it appended verbatim).
    Raises ``UnsupportedMediaTypeError`` (415) for kinds that are not built in,
    ``BadRequestError`` (400) for malformed directives, ``RequestRejectedError`` (422) for lists of
    lists, and ``UnclassifiedError`` (500) for the rest (e.g. an item without its merge key).
    """
    if (group, kind) not in _BUILTIN:
        raise UnsupportedMediaTypeError.accepting(CUSTOM_RESOURCE_PATCH_TYPES)
    if not isinstance(patch, Mapping):
        raise BadRequestError(f"json: cannot unmarshal {_go_json_kind(patch)} into Go value of type "
                              "map[string]interface {}")
    schema = _SCHEMAS.get((group, kind), _DEFAULT_SCHEMA)
    try:
        merged = _merge_map(_copy(original), _copy(patch), schema)
    except _PatchError as failure:
        raise failure.status(str(failure)) from None
    except RecursionError:
        raise BadRequestError("strategic merge patch nests too deeply") from None
    return _as_decoded(merged)


def _merge_map(original: dict[str, Any] | None, patch: dict[str, Any], schema: _Field) -> dict[str, Any]:
    """apimachinery ``mergeMap`` (mutates both arguments, like upstream)."""
    if _DIRECTIVE in patch:
        directive = patch[_DIRECTIVE]
        if directive == "replace":
            del patch[_DIRECTIVE]
            return patch
        if directive == "delete":
            return {}
        raise _bad_patch_type(directive, patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, schema)

    for key, patch_value in list(patch.items()):
        is_delete_list = key.startswith(_DELETE_FROM_PRIMITIVE_LIST)
        if is_delete_list:
            key = _strip_prefix(key, _DELETE_FROM_PRIMITIVE_LIST, _BAD_PRIMITIVE_LIST)
        if patch_value is None:
            original.pop(key, None)
            continue
        if key not in original or _go_type(original[key]) != _go_type(patch_value):
            # A new (or retyped) value is taken as is, minus the nulls and directives it carries.
            if not is_delete_list:
                _discard_nulls(patch_value)
                kept, keep = _remove_directives(patch_value)
                if keep:
                    original[key] = kept
                else:
                    original.pop(key, None)
            continue
        field_meta = schema.fields.get(key, _PLAIN)
        if isinstance(patch_value, dict):
            original[key] = _merge_map(original[key], patch_value, field_meta)
        elif isinstance(patch_value, list):
            original[key] = _merge_list_field(original[key], patch_value, field_meta, is_delete_list)
        else:
            original[key] = patch_value
    return original


def _merge_list_field(original: list[Any], patch: list[Any], meta: _Field, is_delete_list: bool) -> list[Any]:
    """``mergeSliceHandler``: lists without a merge strategy are replaced whole, but a
    ``$deleteFromPrimitiveList`` deletes from any list."""
    if not meta.merge and not is_delete_list:
        return patch
    return _merge_list(original, patch, meta, is_delete_list)


def _merge_list(original: list[Any], patch: list[Any], meta: _Field, is_delete_list: bool) -> list[Any]:
    """apimachinery ``mergeSlice``."""
    if not original and not patch:
        return original
    element_kind = _element_kind(original, patch)
    merge_key = meta.merge_key
    if element_kind != "map":
        if is_delete_list:
            doomed = _GoSet(patch)
            return [item for item in original if item not in doomed]
        merged = _deduplicate_scalars(original + patch)
    else:
        if not merge_key:
            raise _PatchError("cannot merge lists without merge key")
        original, patch = _apply_list_directives(original, patch, merge_key)
        merged = _merge_items(original, patch, merge_key, meta)
    patch_items, server_only = _partition(merged, patch, merge_key)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, element_kind)


def _apply_list_directives(original: list[Any], patch: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """``mergeSliceWithSpecialElements``: ``$patch: delete`` items remove their match from the
    live list; one ``$patch: replace`` item makes the rest of the patch the new list."""
    plain: list[Any] = []
    replace = False
    for item in patch:
        if _DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[_DIRECTIVE]
        if directive == "delete":
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            original = _delete_matching(original, merge_key, item[merge_key])
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, item)
    if replace:
        return plain, []
    return original, plain


def _delete_matching(items: list[Any], merge_key: str, value: Any) -> list[Any]:
    kept = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _PatchError(f"value for key {index} is not a map.")
        if not (merge_key in item and _go_equal(item[merge_key], value)):
            kept.append(item)
    return kept


def _merge_items(original: list[Any], patch: list[Any], merge_key: str, meta: _Field) -> list[Any]:
    """``mergeSliceWithoutSpecialElements``: patch items merge into the live item with the same
    merge key value; unmatched ones are appended verbatim."""
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        position = _find_by_key(merged, merge_key, item[merge_key])
        if position is None:
            merged.append(item)
        else:
            merged[position] = _merge_map(merged[position], item, _Field(fields=meta.fields))
    return merged


def _find_by_key(items: list[Any], merge_key: str, value: Any) -> int | None:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _PatchError(f"value for key {index} is not a map.")
        if merge_key in item and _go_equal(item[merge_key], value):
            return index
    return None


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    """``$retainKeys``: every field the patch sets must be listed; unlisted live fields go."""
    if _RETAIN_KEYS not in patch:
        return
    retain = patch.pop(_RETAIN_KEYS)
    if not isinstance(retain, list):
        raise _bad_format(_BAD_RETAIN_KEYS)
    kept = _GoSet(retain)
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_FROM_PRIMITIVE_LIST, _SET_ELEMENT_ORDER)):
            continue
        if key not in kept:
            raise _bad_format(_BAD_RETAIN_KEYS)
    for key in [key for key in original if key not in kept]:
        del original[key]


def _merge_ordered_lists(original: dict[str, Any], patch: dict[str, Any], schema: _Field) -> None:
    """``mergePatchIntoOriginal``: each ``$setElementOrder/<list>`` merges ``<list>`` now and puts
    the result in that order (patch order for the items it names, live order for the others)."""
    for key in [key for key in patch if key.startswith(_SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _bad_arg_type("[]interface {}", order)
        list_key = _strip_prefix(key, _SET_ELEMENT_ORDER, _BAD_SET_ELEMENT_ORDER)
        found_original, found_patch = list_key in original, list_key in patch
        original_list = original.get(list_key)
        patch_list = patch.get(list_key)
        if found_original and not isinstance(original_list, list):
            raise _bad_arg_type("[]interface {}", original_list)
        if found_patch and not isinstance(patch_list, list):
            raise _bad_arg_type("[]interface {}", patch_list)
        original_items: list[Any] = original_list if isinstance(original_list, list) else []
        patch_items: list[Any] = patch_list if isinstance(patch_list, list) else []
        meta = schema.fields.get(list_key, _PLAIN)
        _check_order_covers_patch(patch_items, order, meta.merge_key)
        if found_original and found_patch:
            merged = _merge_list_field(original_items, patch_items, meta, False)
        elif found_patch:
            merged, _ = _remove_directives(patch_items)
        elif found_original:
            merged = original_items
        else:
            continue
        in_order, server_only = _partition(merged, order, meta.merge_key)
        element_kind = _element_kind(original_items, patch_items)
        original[list_key] = _normalize_element_order(in_order, server_only, order, original_items,
                                                      meta.merge_key, element_kind)
        patch.pop(list_key, None)


def _check_order_covers_patch(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """``validatePatchWithSetOrderList``: the patch's items appear in ``order``, in its order."""
    if not order or not patch_list:
        return
    items = [item for item in patch_list if not (merge_key and _is_delete_item(item))]
    patch_index = order_index = 0
    while patch_index < len(items) and order_index < len(order):
        if isinstance(items[patch_index], dict) and _DIRECTIVE in items[patch_index]:
            patch_index += 1
            continue
        if _merge_key_equal(items[patch_index], order[order_index], merge_key):
            patch_index += 1
        order_index += 1
    if patch_index < len(items) and order_index >= len(order):
        raise _PatchError(f"The order in patch list:\n{_go(patch_list)}\n doesn't match "
                          f"{_SET_ELEMENT_ORDER} list:\n{_go(order)}\n")


def _is_delete_item(item: Any) -> bool:
    if not isinstance(item, dict):
        raise _bad_arg_type("map[string]interface {}", item)
    return item.get(_DIRECTIVE) == "delete"


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _go_equal(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise _bad_arg_type("map[string]interface {}", item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
    return _go_equal(left[merge_key], right[merge_key])


def _strip_prefix(key: str, prefix: str, bad_format: str) -> str:
    """``extractKey``: ``<prefix>/<list>`` → ``<list>``."""
    head, slash, rest = key.partition("/")
    if not slash or head != prefix:
        raise _bad_format(bad_format)
    return rest


# --- ordering (apimachinery normalizeElementOrder and friends, kept faithful) ----------------

def _partition(items: list[Any], present_in: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Items whose identity (merge key value, or the scalar itself) occurs in ``present_in``,
    and the others."""
    inside: list[Any] = []
    outside: list[Any] = []
    if not merge_key:
        wanted = _GoSet(present_in)
        for item in items:
            (inside if item in wanted else outside).append(item)
        return inside, outside
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type("map[string]interface {}", item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        found = False
        for index, candidate in enumerate(present_in):
            if not isinstance(candidate, dict):
                raise _PatchError(f"value for key {index} is not a map.")
            if merge_key in candidate and _go_equal(candidate[merge_key], item[merge_key]):
                found = True
                break
        (inside if found else outside).append(item)
    return inside, outside


def _normalize_element_order(patch_items: list[Any], server_only: list[Any], patch_order: list[Any],
                             server_order: list[Any], merge_key: str, element_kind: str) -> list[Any]:
    patch_items = _normalize_slice_order(patch_items, patch_order, merge_key, element_kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, element_kind)
    return _merge_sorted(server_only, patch_items, server_order, merge_key, element_kind)


def _normalize_slice_order(items: list[Any], order: list[Any], merge_key: str, element_kind: str) -> list[Any]:
    """Sort ``items`` by their position in ``order``; ``$patch: delete`` items go last."""
    doomed: list[Any] = []
    if element_kind == "map":
        for candidate in (*items, *order):
            if not isinstance(candidate, dict):
                raise _bad_arg_type("map[string]interface {}", candidate)
            if merge_key not in candidate:
                raise _no_merge_key(candidate, merge_key)
        doomed = [item for item in items if item.get(_DIRECTIVE) == "delete"]
        items = [item for item in items if item.get(_DIRECTIVE) != "delete"]

    def less(left: Any, right: Any) -> bool:
        left_index = _index_in(order, left, merge_key, element_kind)
        if left_index >= 0:
            right_index = _index_in(order, right, merge_key, element_kind)
            if right_index >= 0:
                return left_index < right_index
        return True  # upstream's comparator: anything not in ``order`` sorts first

    return _go_stable_sort(items, less) + doomed


def _merge_sorted(left: list[Any], right: list[Any], server_order: list[Any], merge_key: str,
                  element_kind: str) -> list[Any]:
    """``mergeSortedSlice``: interleave live-only items (left) with patch items (right), keeping
    each side's order and preferring live order where both sides' items are live."""
    merged: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            merged.append(right[j])
            j += 1
        elif j >= len(right):
            merged.append(left[i])
            i += 1
        else:
            left_index = _index_in(server_order, left[i], merge_key, element_kind)
            right_index = _index_in(server_order, right[j], merge_key, element_kind)
            if left_index >= 0 and right_index >= 0 and left_index < right_index:
                merged.append(left[i])
                i += 1
            else:
                merged.append(right[j])
                j += 1
    return merged


def _index_in(items: list[Any], value: Any, merge_key: str, element_kind: str) -> int:
    def identity(item: Any) -> Any:
        if element_kind != "map":
            return item
        return item.get(merge_key) if isinstance(item, dict) else None

    wanted = identity(value)
    for index, item in enumerate(items):
        if _go_equal(identity(item), wanted):
            return index
    return -1


def _go_stable_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> list[Any]:
    """Go's ``sort.SliceStable`` step for step — insertion sort of 20-item blocks, then
    SymMerge — because upstream's comparator is not a strict order when an item is missing from
    the order list, and only the same algorithm then gives the same result."""
    data = list(items)
    size = len(data)

    def insertion_sort(start: int, end: int) -> None:
        for i in range(start + 1, end):
            j = i
            while j > start and less(data[j], data[j - 1]):
                data[j], data[j - 1] = data[j - 1], data[j]
                j -= 1

    def swap_range(a: int, b: int, n: int) -> None:
        for i in range(n):
            data[a + i], data[b + i] = data[b + i], data[a + i]

    def rotate(a: int, m: int, b: int) -> None:
        i, j = m - a, b - m
        while i != j:
            if i > j:
                swap_range(m - i, m, j)
                i -= j
            else:
                swap_range(m - i, m + j - i, i)
                j -= i
        swap_range(m - i, m, i)

    def sym_merge(a: int, m: int, b: int) -> None:
        if m - a == 1:
            i, j = m, b
            while i < j:
                h = (i + j) // 2
                if less(data[h], data[a]):
                    i = h + 1
                else:
                    j = h
            for k in range(a, i - 1):
                data[k], data[k + 1] = data[k + 1], data[k]
            return
        if b - m == 1:
            i, j = a, m
            while i < j:
                h = (i + j) // 2
                if not less(data[m], data[h]):
                    i = h + 1
                else:
                    j = h
            for k in range(m, i, -1):
                data[k], data[k - 1] = data[k - 1], data[k]
            return
        mid = (a + b) // 2
        n = mid + m
        if m > mid:
            start, r = n - b, mid
        else:
            start, r = a, m
        p = n - 1
        while start < r:
            c = (start + r) // 2
            if not less(data[p - c], data[c]):
                start = c + 1
            else:
                r = c
        end = n - start
        if start < m < end:
            rotate(start, m, end)
        if a < start < mid:
            sym_merge(a, start, mid)
        if mid < end < b:
            sym_merge(mid, end, b)

    block = 20
    start, end = 0, block
    while end <= size:
        insertion_sort(start, end)
        start, end = end, end + block
    insertion_sort(start, size)
    while block < size:
        start, end = 0, 2 * block
        while end <= size:
            sym_merge(start, start + block, end)
            start, end = end, end + 2 * block
        if start + block < size:
            sym_merge(start, start + block, size)
        block *= 2
    return data


def _deduplicate_scalars(items: list[Any]) -> list[Any]:
    """Upstream's in-place dedup: a duplicate is overwritten by the last item (order changes)."""
    items = list(items)
    last = len(items) - 1
    i = 0
    while i < last:
        j = i + 1
        while j <= last:
            if _go_equal(items[i], items[j]):
                items[j] = items[last]
                items = items[:last]
                last -= 1
                j -= 1
            j += 1
        i += 1
    return items


# --- values: Go's view of decoded JSON --------------------------------------------------------

def _go_type(value: Any) -> str:
    """The Go type encoding/json (with PreserveInts) decodes ``value`` into."""
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "<nil>"


def _element_kind(*lists: list[Any]) -> str:
    """``sliceElementType``: every item of every list has one Go type, which is not a list."""
    seen = ""
    for items in lists:
        for item in items:
            current = _go_type(item)
            if not seen:
                seen = current
                if isinstance(item, list):
                    raise _PatchError("lists of lists are not supported", RequestRejectedError)
            elif current != seen:
                raise _PatchError(f"list element types are not identical: {_go(list(lists))}")
    if not seen:
        raise _PatchError("no elements in any of the given slices")
    return "map" if seen.startswith("map") else seen


def _go_equal(left: Any, right: Any) -> bool:
    """Go's ``==`` on decoded JSON scalars: same type and value (int64 3 is not float64 3.0)."""
    return _go_type(left) == _go_type(right) and left == right


class _GoSet:
    """Membership by Go equality (Python's would make ``True`` equal ``1``)."""

    def __init__(self, items: Sequence[Any]) -> None:
        self._keys = {(_go_type(item), item) for item in items if not isinstance(item, (dict, list))}

    def __contains__(self, item: Any) -> bool:
        return not isinstance(item, (dict, list)) and (_go_type(item), item) in self._keys


def _go(value: Any) -> str:
    """``fmt.Sprintf("%v", value)`` for decoded JSON, as upstream's error messages print it."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{_go(value[key])}" for key in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go(item) for item in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """``%v`` of a float64: the shortest digits, in exponent form when the decimal exponent is
    below -4 or at least 6 (strconv's ``'g'`` with shortest precision), e.g. ``1e+06``."""
    if not math.isfinite(value):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    if value == 0:
        return "-0" if repr(value).startswith("-") else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # where the decimal point goes in ``digits``
    prefix = "-" if sign else ""
    if not -4 <= point - 1 < 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if point < 1 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def _go_json_kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "bool", int: "number",
            float: "number"}.get(type(value), "null")


# --- copies and clean-ups ---------------------------------------------------------------------

def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _discard_nulls(value: Any) -> None:
    """``discardNullValuesFromPatch``: a null in a subtree that is new to the object deletes nothing."""
    if isinstance(value, dict):
        for key in [key for key, item in value.items() if item is None]:
            del value[key]
        for item in value.values():
            _discard_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """``removeDirectives``: a map carrying ``$patch`` vanishes (with its key or list slot)."""
    if isinstance(value, dict):
        if _DIRECTIVE in value:
            return None, False
        for key in list(value):
            kept, keep = _remove_directives(value[key])
            if keep:
                value[key] = kept
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        result = []
        for item in value:
            kept, keep = _remove_directives(item)
            if keep:
                result.append(kept)
        return result, True
    return value, True


def _as_decoded(value: Any) -> Any:
    """What survives decoding into the Go type: no nulls, no leftover ``$`` directive keys."""
    if isinstance(value, dict):
        return {key: _as_decoded(item) for key, item in value.items()
                if item is not None and not key.startswith("$")}
    if isinstance(value, list):
        return [_as_decoded(item) for item in value]
    return value
