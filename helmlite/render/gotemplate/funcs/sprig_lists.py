"""Sprig's list functions (list.go, v3.3.0).

Every function accepts any Go slice (``[]interface {}``, ``[]string``, ``[]int``…) and, apart
from ``slice``, returns a new ``[]interface {}``: ``append`` never mutates its argument.
Membership (``has``, ``without``, ``uniq``) is ``reflect.DeepEqual``, so ``has 1 (list 1.0)``
is false. The plain variants fail with the same text as their ``must…`` twins (Sprig panics
with the error, and text/template reports a panic like an error); a nil list is a nil-pointer
panic, except for ``has``/``mustHas``, which answer false.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from helmlite.gofmt import go_kind, is_nil
from helmlite.render.gotemplate.funcs.gotypes import SliceOfSlices, StringList, is_go_slice
from helmlite.render.gotemplate.funcs.sprig_defaults import empty
from helmlite.render.gotemplate.funcs.sprig_numbers import to_int64
from helmlite.render.gotemplate.funcs.sprig_reflect import deep_equal
from helmlite.render.gotemplate.funcs.sprig_strings import strslice, strval
from helmlite.render.gotemplate.funcspec import ANY, INT, FuncError, gofunc

__all__: list[str] = []

_NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"
_MAKESLICE = "runtime error: makeslice: len out of range"


def _float_div(a: int, b: int) -> float:
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


def _float_floor(x: float) -> float:
    return x if not math.isfinite(x) else float(math.floor(x))


def _items(value: Any, message: str) -> list[Any]:
    """The elements of a Go slice; ``message`` (with the value's kind for %s) otherwise."""
    if is_nil(value):
        raise FuncError(_NIL_DEREFERENCE)
    if not is_go_slice(value):
        raise FuncError(message % go_kind(value))
    return list(value)


def _register(name: str, fn: Callable[..., Any], *params: Any, variadic: Any = None) -> None:
    """Register ``name`` and its ``must`` twin: the same Go behaviour, both fail alike."""
    gofunc(name, *params, variadic=variadic)(fn)
    must = "must" + name[0].upper() + name[1:]
    gofunc(must, *params, variadic=variadic, returns_error=True)(fn)


@gofunc("list", variadic=ANY)
def list_(*values: Any) -> list[Any]:
    return list(values)


gofunc("tuple", variadic=ANY)(list_)


def push(values: Any, item: Any) -> list[Any]:
    return [*_items(values, "Cannot push on type %s"), item]


_register("append", push, ANY, ANY)
_register("push", push, ANY, ANY)


def prepend(values: Any, item: Any) -> list[Any]:
    return [item, *_items(values, "Cannot prepend on type %s")]


_register("prepend", prepend, ANY, ANY)


def chunk(size: int, values: Any) -> list[list[Any]]:
    items = _items(values, "Cannot chunk type %s")
    length = len(items)
    # Sprig counts chunks in float64: size 0 gives an infinite (or NaN) count, and a negative
    # size a zero or negative one; impossible lengths fail in makeslice.
    count = _float_floor(_float_div(length - 1, size)) + 1
    if not math.isfinite(count) or count < 0:
        raise FuncError(_MAKESLICE)
    chunks = SliceOfSlices()
    for i in range(int(count)):
        width = size
        if i == count - 1:
            width = int(math.fmod(length, size)) or size
        if width < 0:
            raise FuncError(_MAKESLICE)
        chunks.append(items[i * size:i * size + width])
    return chunks


_register("chunk", chunk, INT, ANY)


def first(values: Any) -> Any:
    items = _items(values, "Cannot find first on type %s")
    return items[0] if items else None


def last(values: Any) -> Any:
    items = _items(values, "Cannot find last on type %s")
    return items[-1] if items else None


def rest(values: Any) -> list[Any]:
    return _items(values, "Cannot find rest on type %s")[1:]


def initial(values: Any) -> list[Any]:
    return _items(values, "Cannot find initial on type %s")[:-1]


def reverse(values: Any) -> list[Any]:
    return _items(values, "Cannot find reverse on type %s")[::-1]


def compact(values: Any) -> list[Any]:
    return [item for item in _items(values, "Cannot compact on type %s") if not empty(item)]


def uniq(values: Any) -> list[Any]:
    result: list[Any] = []
    for item in _items(values, "Cannot find uniq on type %s"):
        if not any(deep_equal(item, seen) for seen in result):
            result.append(item)
    return result


def without(values: Any, *omit: Any) -> list[Any]:
    return [item for item in _items(values, "Cannot find without on type %s")
            if not any(deep_equal(item, o) for o in omit)]


def has(needle: Any, haystack: Any) -> bool:
    if is_nil(haystack):
        return False
    return any(deep_equal(needle, item) for item in _items(haystack, "Cannot find has on type %s"))


_register("first", first, ANY)
_register("last", last, ANY)
_register("rest", rest, ANY)
_register("initial", initial, ANY)
_register("reverse", reverse, ANY)
_register("compact", compact, ANY)
_register("uniq", uniq, ANY)
_register("without", without, ANY, variadic=ANY)
_register("has", has, ANY, ANY)


def slice_(values: Any, *indices: Any) -> Any:
    """``slice list [start [end]]``: keeps the list's Go type; nil for an empty list."""
    items = _items(values, "list should be type of slice or array but %s")
    if not items:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) > 1 else len(items)
    if start < 0 or end < start or end > len(items):
        raise FuncError("reflect.Value.Slice: slice index out of bounds")
    part = items[start:end]
    if isinstance(values, (bytes, bytearray)):
        return bytes(part)
    return part if type(values) is list else type(values)(part)


_register("slice", slice_, ANY, variadic=ANY)


@gofunc("concat", variadic=ANY)
def concat(*lists: Any) -> list[Any]:
    result: list[Any] = []
    for values in lists:
        result.extend(_items(values, "Cannot concat type %s as list"))
    return result


@gofunc("sortAlpha", ANY)
def sort_alpha(values: Any) -> list[str]:
    """Sorts the elements' strings byte-wise; a value that is not a list becomes one string.

    A ``[]string`` is sorted in place, as Sprig does: the list the caller holds changes too.
    """
    if is_go_slice(values):
        strings = strslice(values)
        strings.sort()
        return strings
    return StringList([strval(values)])
