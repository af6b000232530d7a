"""Sprig's reflection functions (reflect.go, and ``deepEqual`` = Go's ``reflect.DeepEqual``).

Types are named as Go's ``%T`` prints them (``float64`` for every number from values files,
``int`` for template literals, ``map[string]interface {}``), kinds as ``reflect.Kind`` does
(``map``, ``slice``, ``invalid`` for nil); both come from ``helmlite.gofmt``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from helmlite.gofmt import go_kind, go_type, is_nil
from helmlite.render.gotemplate.funcs.gotypes import is_go_map, is_go_slice
from helmlite.render.gotemplate.funcspec import ANY, STRING, gofunc

__all__ = ["deep_equal"]


_SCALARS = frozenset((str, int, float, bool))


def deep_equal(x: Any, y: Any) -> bool:
    """``reflect.DeepEqual``: equal Go types and equal contents (``1`` is not ``1.0``)."""
    x_type = type(x)
    if x_type is type(y) and x_type in _SCALARS:
        return bool(x == y)  # the rules below, for the commonest operands
    if go_type(x) != go_type(y):
        return False
    if is_nil(x):
        return True
    if is_go_slice(x):
        return len(x) == len(y) and all(deep_equal(a, b) for a, b in zip(x, y, strict=True))
    if is_go_map(x):
        return x.keys() == y.keys() and all(deep_equal(v, y[k]) for k, v in x.items())
    if isinstance(x, _dt.datetime):
        # time.Time compares its fields: the same instant seen from the same location.
        return x == y and x.tzinfo == y.tzinfo
    return bool(x == y)


gofunc("typeOf", ANY)(go_type)
gofunc("kindOf", ANY)(go_kind)
gofunc("deepEqual", ANY, ANY)(deep_equal)


@gofunc("typeIs", STRING, ANY)
def type_is(target: str, src: Any) -> bool:
    return target == go_type(src)


@gofunc("typeIsLike", STRING, ANY)
def type_is_like(target: str, src: Any) -> bool:
    name = go_type(src)
    return target == name or "*" + target == name


@gofunc("kindIs", STRING, ANY)
def kind_is(target: str, src: Any) -> bool:
    return target == go_kind(src)
