"""Coalescing: the one algorithm that layers values (Helm's pkg/chart/common/util/coalesce.go).

Every merge in helmlite is ``_fill(dst, src)``: ``dst`` has precedence, maps merge
recursively, anything else in ``dst`` is kept, and ``src`` fills in what ``dst`` lacks.
``merge_maps`` (``-f`` files), ``coalesce_tables`` (``--reuse-values``) and
``coalesce_values`` (user values over the chart tree) are that function with different inputs.

The precedence ladder of ``coalesce_values``, highest first (helm-behaviour.md §3.1)::

    user values  >  root values.yaml  >  subchart values.yaml  >  its subcharts' values.yaml …
    global: a parent's ``global`` (after everything above it) wins over a subchart's own ``global``

A ``null`` deletes the key at *every* lower level, wherever the null comes from. That
includes a null in a parent's values.yaml aimed at a subchart default, which Helm
v4.2–4.3.1 ignores (issue #32132). A null that deletes nothing stays visible as ``None``
when it came from the user (Helm keeps ``--set u=null`` as ``u: null``); nulls written in a
chart's values.yaml never show, as in Helm v4.3.1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from helmlite.errors import ValuesError

if TYPE_CHECKING:
    from helmlite.chart.model import Chart

__all__ = ["GLOBAL_KEY", "merge_maps", "coalesce_tables", "coalesce_values", "scoped_values"]

GLOBAL_KEY = "global"

Warn = Callable[[str], None]


class _Deleted:
    """Marks a key that a null deleted: it keeps deleting lower levels, then disappears."""

    def __repr__(self) -> str:
        return "<deleted>"


_DELETED: Any = _Deleted()


def _copy(value: Any) -> Any:
    """A deep copy of plain values (dicts and lists; everything else is immutable here)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _copy_defaults(value: Any) -> Any:
    """A copy of a chart's values.yaml in which every null of a map is a deletion marker."""
    if isinstance(value, dict):
        return {k: _DELETED if v is None else _copy_defaults(v) for k, v in value.items()}
    return _copy(value)


def _fill(dst: dict[str, Any], src: dict[str, Any], path: str, warn: Warn | None, null: Any) -> dict[str, Any]:
    """Merge ``src`` into ``dst`` with ``dst`` winning; both are owned, ``src`` is consumed.

    A null (or deletion marker) in ``dst`` shadowing a key of ``src`` becomes ``null``:
    ``_DELETED`` when coalescing, so it goes on deleting lower levels and vanishes at the
    end; ``None`` when merging user values, so it is kept for a later coalesce.
    Returns ``dst``.
    """
    for key, low in src.items():
        if key not in dst:
            dst[key] = low
            continue
        high = dst[key]
        if high is None or high is _DELETED:
            dst[key] = null
        elif isinstance(high, dict):
            if isinstance(low, dict):
                _fill(high, low, f"{path}{key}.", warn, null)
            elif warn is not None and low is not None and low is not _DELETED:
                warn(f"destination for {path}{key} is a table; ignoring non-table value {low!r}")
        elif warn is not None and isinstance(low, dict):
            warn(f"cannot overwrite table with non-table value for {path}{key}; keeping {high!r}")
    return dst


def _drop_deleted(values: dict[str, Any]) -> None:
    """Remove every deletion marker from ``values`` (maps only: lists are replaced, never merged)."""
    deleted = [key for key, value in values.items() if value is _DELETED]
    for key in deleted:
        del values[key]
    for value in values.values():
        if isinstance(value, dict):
            _drop_deleted(value)


def _log_warning(message: str) -> None:
    # Imported here: logging costs a few ms at startup and the CLI always passes its own ``warn``.
    import logging

    logging.getLogger(__name__).warning("%s", message)


def merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's ``MergeMaps`` for ``-f`` files: ``override`` wins, maps merge recursively,
    everything else (lists included) is replaced; a null in ``override`` is kept as None.

    Returns a new dict sharing nothing with the arguments. Raises nothing.
    """
    return _fill(_copy(override), _copy(base), "", None, None)


def coalesce_tables(dst: dict[str, Any], src: dict[str, Any], warn: Warn | None = None) -> dict[str, Any]:
    """Helm's ``CoalesceTables`` (``--reuse-values``): ``dst`` wins, ``src`` fills in what it lacks.

    Nulls in ``dst`` are kept as None, so they still delete chart defaults when the result
    is coalesced. Table/non-table conflicts keep ``dst``'s value and are reported through
    ``warn`` (default: the ``helmlite.values.coalesce`` logger). Returns a new dict; the
    arguments are not modified. Raises nothing.
    """
    return _fill(_copy(dst), _copy(src), "", warn or _log_warning, None)


def coalesce_values(chart: Chart, user_values: dict[str, Any], warn: Warn | None = None) -> dict[str, Any]:
    """The computed values of the whole chart tree, as Helm's ``CoalesceValues`` (module docstring).

    ``values[sub.name]`` of every (pruned, aliased) subchart holds that subchart's values
    with its defaults underneath, and a ``global`` map that the parent's ``global`` has been
    merged into (the parent wins). Table/non-table conflicts keep the higher-precedence
    value and are reported through ``warn`` (default: the ``helmlite.values.coalesce``
    logger). Returns a new dict; neither ``chart`` nor ``user_values`` is modified. The work
    is linear in the size of the values. Raises ValuesError when the values for a subchart
    are neither a map nor null ("type mismatch on <name>").
    """
    values: dict[str, Any] = _copy(user_values)
    _coalesce_chart(chart, values, "", warn or _log_warning)
    _drop_deleted(values)
    return values


def _coalesce_chart(chart: Chart, values: dict[str, Any], path: str, warn: Warn) -> None:
    _fill(values, _copy_defaults(chart.values), path, warn, _DELETED)
    for sub in chart.dependencies:
        scope = values.get(sub.name)
        if scope is None or scope is _DELETED:
            # A null for a whole subchart drops what higher levels set for it; its own
            # defaults still apply (Helm fails with "type mismatch" on a user null here).
            scope = values[sub.name] = {}
        elif not isinstance(scope, dict):
            raise ValuesError(
                f"type mismatch on {path}{sub.name}: the values of subchart {sub.name!r} must be a map, "
                f"got {type(scope).__name__}"
            )
        _inherit_globals(scope, values, f"{path}{sub.name}", warn)
        _coalesce_chart(sub, scope, f"{path}{sub.name}.", warn)


def _inherit_globals(scope: dict[str, Any], parent: dict[str, Any], path: str, warn: Warn) -> None:
    """Merge the parent's ``global`` into a subchart's ``global``, the parent winning."""
    inherited = parent.get(GLOBAL_KEY)
    if inherited is None or inherited is _DELETED:
        inherited = {}
    elif not isinstance(inherited, dict):
        warn(f"skipping globals for {path}: the parent's {GLOBAL_KEY} is not a table")
        return
    own = scope.get(GLOBAL_KEY)
    if own is None or own is _DELETED:
        own = {}
    elif not isinstance(own, dict):
        warn(f"skipping globals for {path}: its {GLOBAL_KEY} is not a table")
        return
    scope[GLOBAL_KEY] = _fill(_copy(inherited), own, f"{path}.{GLOBAL_KEY}.", warn, _DELETED)


def scoped_values(values: dict[str, Any], chart: Chart) -> dict[str, Any]:
    """The values ``chart``'s templates see: ``values`` (of the root chart) walked down by
    the subchart names from the root to ``chart``.

    Returns the nested dict itself (not a copy), or {} when the path is missing or not a
    map. Raises nothing.
    """
    names: list[str] = []
    node = chart
    while node.parent is not None:
        names.append(node.name)
        node = node.parent
    scope = values
    for name in reversed(names):
        child = scope.get(name)
        if not isinstance(child, dict):
            return {}
        scope = child
    return scope
