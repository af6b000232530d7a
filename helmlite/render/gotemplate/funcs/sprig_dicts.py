"""Sprig's dict functions (dict.go, v3.3.0), with mergo v1.0.1's merge rules.

``set``, ``unset``, ``merge`` and ``mergeOverwrite`` change the map they are given and return
it, as Sprig does; since Helm hands every template of a chart the same ``.Values``, a ``set``
on it is seen by the templates rendered after. ``merge`` fills the keys that ``dst`` lacks
or holds empty (``""``, ``0``, ``false``, nil, empty list or map) and merges nested maps in
place; ``mergeOverwrite`` lets every non-nil source value win, and a nil one too. Values
that end up in ``dst`` are the source's own objects, not copies (``deepCopy`` first to avoid
sharing). ``keys``/``values`` follow insertion order where Go's map order is random.
"""

from __future__ import annotations

import copy
from typing import Any

from helmlite.gofmt import go_type, is_nil
from helmlite.render.gotemplate.funcs.gotypes import StringList, is_go_map, is_go_slice
from helmlite.render.gotemplate.funcs.sprig_defaults import empty
from helmlite.render.gotemplate.funcs.sprig_strings import strval
from helmlite.render.gotemplate.funcspec import ANY, DICT, STRING, FuncError, gofunc

__all__ = ["merge_into"]

_PLAIN_MAP = "map[string]interface {}"


@gofunc("dict", variadic=ANY)
def dict_(*pairs: Any) -> dict[str, Any]:
    """``dict k1 v1 k2 v2…``; keys are printed as strings, a last key without value gets ""."""
    result: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        result[strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return result


@gofunc("get", DICT, STRING)
def get(d: dict[str, Any] | None, key: str) -> Any:
    if d is None or key not in d:
        return ""
    return d[key]


@gofunc("set", DICT, STRING, ANY)
def set_(d: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    if d is None:
        raise FuncError("assignment to entry in nil map")
    d[key] = value
    return d


@gofunc("unset", DICT, STRING)
def unset(d: dict[str, Any] | None, key: str) -> dict[str, Any]:
    if d is None:
        # Deleting from a nil map is allowed; the nil map prints as an empty one.
        return {}
    d.pop(key, None)
    return d


@gofunc("hasKey", DICT, STRING)
def has_key(d: dict[str, Any] | None, key: str) -> bool:
    return d is not None and key in d


@gofunc("pluck", STRING, variadic=DICT)
def pluck(key: str, *dicts: dict[str, Any] | None) -> list[Any]:
    return [d[key] for d in dicts if d is not None and key in d]


@gofunc("keys", variadic=DICT)
def keys(*dicts: dict[str, Any] | None) -> list[str]:
    return StringList(k for d in dicts if d is not None for k in d)


@gofunc("values", DICT)
def values(d: dict[str, Any] | None) -> list[Any]:
    return list(d.values()) if d is not None else []


@gofunc("pick", DICT, variadic=STRING)
def pick(d: dict[str, Any] | None, *names: str) -> dict[str, Any]:
    source = d or {}
    return {k: source[k] for k in names if k in source}


@gofunc("omit", DICT, variadic=STRING)
def omit(d: dict[str, Any] | None, *names: str) -> dict[str, Any]:
    dropped = set(names)
    return {k: v for k, v in (d or {}).items() if k not in dropped}


def merge_into(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's ``deepMerge`` of two maps: ``src`` into ``dst``, in place."""
    for key, value in src.items():
        present = key in dst
        current = dst.get(key)
        if is_nil(value):
            if overwrite:
                dst[key] = value
            continue
        if is_go_map(value) and present and is_go_map(current):
            merge_into(dst[key], value, overwrite)
        elif is_go_slice(value) and overwrite:
            dst[key] = value
        if present and not empty(current):
            # A non-empty destination keeps its list, and its map after the recursive merge.
            if is_go_slice(value) or (is_go_map(value) and is_go_map(current)):
                continue
        if overwrite or not present or empty(current):
            dst[key] = value


def _merge(dst: dict[str, Any] | None, *srcs: dict[str, Any] | None, overwrite: bool) -> dict[str, Any]:
    # mergo gives a nil destination a fresh map (and a nil map prints as an empty one).
    result = {} if dst is None else dst
    for src in srcs:
        if src is not None:
            merge_into(result, src, overwrite)
    return result


@gofunc("merge", DICT, variadic=DICT)
def merge(dst: dict[str, Any] | None, *srcs: dict[str, Any] | None) -> Any:
    return _merge(dst, *srcs, overwrite=False)


@gofunc("mergeOverwrite", DICT, variadic=DICT)
def merge_overwrite(dst: dict[str, Any] | None, *srcs: dict[str, Any] | None) -> Any:
    return _merge(dst, *srcs, overwrite=True)


gofunc("mustMerge", DICT, variadic=DICT, returns_error=True)(merge)
gofunc("mustMergeOverwrite", DICT, variadic=DICT, returns_error=True)(merge_overwrite)


def _interface_conversion(value: Any, wanted: str) -> FuncError:
    actual = "nil" if is_nil(value) else go_type(value)
    return FuncError(f"interface conversion: interface {{}} is {actual}, not {wanted}")


@gofunc("dig", variadic=ANY, returns_error=True)
def dig(*args: Any) -> Any:
    """``dig "a" "b" DEFAULT MAP``: walks nested maps; the default for a missing key."""
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    current = args[-1]
    if go_type(current) != _PLAIN_MAP:
        raise _interface_conversion(current, _PLAIN_MAP)
    default = args[-2]
    path = args[:-2]
    for key in path:
        if not isinstance(key, str):
            raise _interface_conversion(key, "string")
    for i, key in enumerate(path):
        if key not in current:
            return default
        current = current[key]
        if i < len(path) - 1 and go_type(current) != _PLAIN_MAP:
            raise _interface_conversion(current, _PLAIN_MAP)
    return current


def deep_copy(value: Any) -> Any:
    if is_nil(value):
        # copystructure asks a nil value for its type.
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    return copy.deepcopy(value)


gofunc("deepCopy", ANY)(deep_copy)
gofunc("mustDeepCopy", ANY, returns_error=True)(deep_copy)
