"""Server-side printing: the ``meta.k8s.io/v1`` Tables the API server answers ``kubectl get``
with, and kubectl's way of laying them out as text.

``table(kind, objects, now=…)`` builds the Table (``pkg/printers/internalversion``: columns,
priorities and cell text per kind; CRD printer columns; defaults for everything else);
``format_tables`` prints Tables as kubectl does; ``human_duration`` is Kubernetes' age format;
``tabwrite`` is Go's ``text/tabwriter``, which ``describe`` also uses.
"""

from __future__ import annotations

from helmlite.cluster.printers.custom import find_crd
from helmlite.cluster.printers.duration import human_duration, since
from helmlite.cluster.printers.jsonpath import JSONPathError
from helmlite.cluster.printers.jsonpath import render as render_jsonpath
from helmlite.cluster.printers.table import printer_for, table
from helmlite.cluster.printers.tabwriter import (
    DESCRIBE_SETTINGS,
    GET_SETTINGS,
    tabwrite,
)
from helmlite.cluster.printers.text import (
    PrintOptions,
    TableBlock,
    format_cell,
    format_tables,
    kind_prefix,
)

__all__ = [
    "DESCRIBE_SETTINGS",
    "GET_SETTINGS",
    "JSONPathError",
    "PrintOptions",
    "TableBlock",
    "find_crd",
    "format_cell",
    "format_tables",
    "human_duration",
    "kind_prefix",
    "printer_for",
    "render_jsonpath",
    "since",
    "table",
    "tabwrite",
]
