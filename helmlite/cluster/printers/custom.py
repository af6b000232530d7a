"""Tables for kinds without a built-in printer: CRD ``additionalPrinterColumns``, else the
API server's defaults.

A custom resource gets NAME plus its CRD's printer columns for the served version (JSONPath,
type and priority as declared; ``date`` columns as ages), or NAME AGE when the CRD declares
none (``serveDefaultColumnsIfEmpty``). Built-in kinds without a printer (Role, ClusterRole,
LimitRange, and CSIStorageCapacity, whose store registers the default convertor although
upstream has a print function for it) get the default table convertor's NAME CREATED AT.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from helmlite.cluster.clock import format_time, parse_time
from helmlite.cluster.printers.builtin import Printer
from helmlite.cluster.printers.columns import AGE, CREATED_AT, NAME, Column
from helmlite.cluster.printers.duration import since
from helmlite.cluster.printers.jsonpath import (
    JSONPathError,
    find,
    format_value,
    parse_field_path,
)

if TYPE_CHECKING:
    from helmlite.cluster.kinds import Kind
    from helmlite.cluster.store import ObjectStore

__all__ = ["custom_resource_printer", "default_printer", "find_crd"]


def find_crd(store: ObjectStore, kind: Kind) -> dict[str, Any] | None:
    """The CustomResourceDefinition that defines ``kind`` (None for built-in kinds)."""
    if kind.builtin:
        return None
    return store.peek("apiextensions.k8s.io", "CustomResourceDefinition", "", f"{kind.plural}.{kind.group}")


def default_printer() -> Printer:
    """The default table convertor: the name and the creation time (RFC 3339, UTC)."""
    def cells(obj: Mapping[str, Any], now: float) -> list[Any]:
        meta = obj.get("metadata") or {}
        created = meta.get("creationTimestamp")
        return [meta.get("name", ""), format_time(parse_time(created)) if created else ""]

    return Printer((NAME, CREATED_AT), cells)


def custom_resource_printer(crd: Mapping[str, Any] | None, version: str) -> Printer:
    """The printer for a custom kind's objects stored at ``version``."""
    declared: list[Mapping[str, Any]] = []
    for served in ((crd or {}).get("spec") or {}).get("versions") or []:
        if served.get("name") == version:
            declared = list(served.get("additionalPrinterColumns") or [])
    if not declared:
        declared = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
                     "description": AGE.description}]
    columns = tuple(Column(str(c.get("name", "")), str(c.get("type", "string")),
                           str(c.get("description") or
                               f"Custom resource definition column (in JSONPath format): {c.get('jsonPath', '')}"),
                           int(c.get("priority") or 0), str(c.get("format") or ""))
                    for c in declared)
    paths: list[list[str | int | None] | None] = []
    for c in declared:
        try:
            paths.append(parse_field_path(str(c.get("jsonPath", ""))))
        except JSONPathError:
            paths.append(None)  # the API server validated it; a path beyond our subset prints empty

    def cells(obj: Mapping[str, Any], now: float) -> list[Any]:
        row: list[Any] = [(obj.get("metadata") or {}).get("name", "")]
        for column, path in zip(columns, paths):
            found = find(obj, path) if path is not None else []
            row.append(_cell(column.type, found[0], now) if found else None)
        return row

    return Printer((NAME, *columns), cells)


def _cell(column_type: str, value: Any, now: float) -> Any:
    """``cellForJSONValue``: typed cells; strings printed as JSONPath prints them, dates as ages."""
    if value is None:
        return None
    if column_type == "string":
        return format_value(value)
    if column_type == "integer":
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if column_type == "number":
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if column_type == "boolean":
        return value if isinstance(value, bool) else None
    if column_type == "date" and isinstance(value, str):
        try:
            parse_time(value)
        except ValueError:
            return "<invalid>"
        return since(value, now)
    return None
