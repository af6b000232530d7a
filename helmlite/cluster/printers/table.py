"""``table()``: the ``meta.k8s.io/v1`` Table the API server answers ``kubectl get`` with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helmlite.cluster.kinds import Kind
from helmlite.cluster.printers.builtin import BUILTIN_PRINTERS, Printer
from helmlite.cluster.printers.custom import custom_resource_printer, default_printer

__all__ = ["printer_for", "table"]


def printer_for(kind: Kind, crd: Mapping[str, Any] | None = None) -> Printer:
    """The printer the API server uses for ``kind`` (``crd``: the defining CRD of a custom kind)."""
    if not kind.builtin:
        return custom_resource_printer(crd, kind.storage_version)
    return BUILTIN_PRINTERS.get(kind.group_kind) or default_printer()


def table(kind: Kind, objects: Sequence[Mapping[str, Any]], *, now: float,
          include_object: bool = False, crd: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table: {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {...},
    "columnDefinitions": [{"name","type","format","description","priority"}], "rows": [{"cells": [...],
    "object": <PartialObjectMetadata or full object when include_object>}]}

    ``now`` is the cluster's virtual time (ages are computed against it). Every row carries
    all cells, ``-o wide`` ones included, as the API server's do; clients drop the columns
    whose ``priority`` they do not show. ``metadata`` is empty: the caller sets the list's
    ``resourceVersion`` when it has one. For a custom kind, pass its CRD as ``crd`` (see
    ``find_crd``) to get its ``additionalPrinterColumns``; without it the table is NAME AGE.
    """
    printer = printer_for(kind, crd)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": printer.cells(obj, now)}
        conditions = printer.row_conditions(obj)
        if conditions:
            row["conditions"] = conditions
        if include_object:
            row["object"] = obj
        else:
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj.get("metadata") or {}}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
            "columnDefinitions": [column.definition() for column in printer.columns], "rows": rows}
