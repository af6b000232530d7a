"""Go types that Python's builtins cannot stand for, as small subclasses naming their Go type.

The base model (``funcspec``): ``None`` nil, ``bool``, ``int`` Go ``int``, ``float`` ``float64``,
``str``, ``list`` ``[]interface {}``, ``dict`` ``map[string]interface {}``, ``bytes`` ``[]byte``.
The classes here behave as their Python base everywhere (so every function accepts them) and
only differ where Go does: ``typeOf``/``kindOf`` (``GO_TYPE``/``GO_KIND``), the type checks of
function arguments (an ``int64`` is not an ``int``), and printing (``__go_str__``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Duration", "Int64", "IntList", "StringList", "StringMap", "Values", "format_duration"]


class Int64(int):
    """Go ``int64``: ``--set`` integers, and what Sprig's arithmetic returns."""

    __slots__ = ()
    GO_TYPE = "int64"
    GO_KIND = "int64"


class Duration(int):
    """Go ``time.Duration`` (nanoseconds); prints as Go does: ``1h0m0s``, ``1.5s``, ``0s``."""

    __slots__ = ()
    GO_TYPE = "time.Duration"
    GO_KIND = "int64"

    def __go_str__(self) -> str:
        return format_duration(int(self))

    def __str__(self) -> str:
        return format_duration(int(self))


class StringList(list[Any]):
    """Go ``[]string`` (``splitList``, ``sortAlpha``, ``keys``…)."""

    __slots__ = ()
    GO_TYPE = "[]string"


class IntList(list[Any]):
    """Go ``[]int`` (``until``, ``untilStep``)."""

    __slots__ = ()
    GO_TYPE = "[]int"


class StringMap(dict[str, Any]):
    """Go ``map[string]string`` (``split``, ``splitn``)."""

    __slots__ = ()
    GO_TYPE = "map[string]string"


class Values(dict[str, Any]):
    """Helm's ``common.Values``: the type of ``.``, ``.Values`` and ``.Template`` (a named map type)."""

    __slots__ = ()
    GO_TYPE = "common.Values"


_UNITS = ((3600 * 10**9, "h"), (60 * 10**9, "m"))


def format_duration(nanos: int) -> str:
    """Go's ``time.Duration.String()``: ``72h3m0.5s``, ``1.5µs``, ``0s``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    n = abs(nanos)
    if n < 10**9:
        # Sub-second durations use the largest fitting unit with a fraction.
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if n >= size:
                return sign + _fraction(n, size) + unit
    hours, rest = divmod(n, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = _fraction(rest, 10**9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def go_json_values(value: Any) -> Any:
    """A decoded YAML/JSON document as Go's ``json.Unmarshal`` into ``interface{}`` gives it.

    Every number becomes ``float64`` (so ``1000000`` prints ``1e+06``), except integers marked
    as ``int64`` (``Int64``, e.g. what ``--set`` typed), which stay integers. Returns a new
    structure: mutating it never touches ``value``.
    """
    value_type = type(value)  # the commonest types first, decided by identity
    if value_type is str or value_type is bool or value_type is float or value is None:
        return value
    if value_type is dict:
        return {k: go_json_values(v) for k, v in value.items()}
    if value_type is int:
        return float(value)
    if isinstance(value, dict):
        return {k: go_json_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [go_json_values(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        # An int64 stays one (an int subclass naming that Go type, e.g. what --set typed).
        if getattr(type(value), "GO_TYPE", None) == "int64":
            return value if type(value) is Int64 else Int64(value)
        return float(value)
    return value
