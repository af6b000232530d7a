"""What kubectl prints for server-side Tables (cli-runtime ``tableprinter.go`` and ``get.go``).

``format_tables`` takes one Table per resource type, in the order kubectl asked for them,
and lays each out with kubectl's tabwriter: headers upper-cased, columns padded with three
spaces (at least six wide), ``-o wide`` columns only when asked, NAMESPACE first with
``-A``, LABELS last with ``--show-labels``, names prefixed ``deployment.apps/`` when several
types are printed, a blank line between types, and nothing at all for an empty table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helmlite.cluster.printers.builtin import format_labels
from helmlite.cluster.printers.tabwriter import GET_SETTINGS, tabwrite

__all__ = ["PrintOptions", "TableBlock", "format_cell", "format_tables", "kind_prefix"]


@dataclass(frozen=True)
class PrintOptions:
    """kubectl's human-readable print flags."""

    wide: bool = False
    no_headers: bool = False
    show_labels: bool = False
    # -L/--label-columns: one upper-cased column per label key.
    label_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableBlock:
    """One resource type's Table and how kubectl decorates it."""

    table: Mapping[str, Any]
    kind_prefix: str  # "deployment.apps", "pod": used when several types are printed
    with_namespace: bool = False  # -A on a namespaced kind


def kind_prefix(group: str, kind: str) -> str:
    """``strings.ToLower(GroupKind.String())``: ``deployment.apps``, ``pod``."""
    return f"{kind.lower()}.{group}" if group else kind.lower()


def format_cell(cell: Any) -> str:
    """A cell as kubectl prints it: strings cut at the first line break (``...`` appended),
    numbers and booleans as Go's ``fmt`` does, nothing for null."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        for i, ch in enumerate(cell):
            if ch in "\f\n\r":
                return cell[:i] + "..."
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _block_text(block: TableBlock, options: PrintOptions, with_kind: bool, print_headers: bool) -> str:
    table = block.table
    columns = list(table.get("columnDefinitions") or [])
    rows = table.get("rows") or []
    if not rows:
        return ""
    shown = [i for i, c in enumerate(columns) if options.wide or not c.get("priority")]
    name_column = next((i for i, c in enumerate(columns) if c.get("format") == "name" and c.get("type") == "string"),
                       None) if with_kind else None
    lines: list[list[str]] = []
    if print_headers:
        header = [str(columns[i].get("name", "")).upper() for i in shown]
        if block.with_namespace:
            header.insert(0, "NAMESPACE")
        header.extend(key.upper() for key in options.label_columns)
        if options.show_labels:
            header.append("LABELS")
        lines.append(header)
    for row in rows:
        cells = list(row.get("cells") or [])
        if name_column is not None and name_column < len(cells):
            cells[name_column] = f"{block.kind_prefix}/{cells[name_column]}"
        line = [format_cell(cells[i]) if i < len(cells) else "" for i in shown]
        meta = (row.get("object") or {}).get("metadata") or {}
        if block.with_namespace:
            line.insert(0, str(meta.get("namespace", "")))
        labels = meta.get("labels") or {}
        line.extend(str(labels.get(key, "")) for key in options.label_columns)
        if options.show_labels:
            line.append(format_labels(labels))
        lines.append(line)
    return tabwrite("".join("\t".join(line) + "\n" for line in lines), GET_SETTINGS)


def format_tables(blocks: Sequence[TableBlock], options: PrintOptions = PrintOptions()) -> str:
    """kubectl's output for one Table per requested resource type ("" when every table is
    empty: the caller then prints "No resources found …" on stderr).

    Names get their kind prefix whenever more than one type was requested, even if only one
    has rows (``get all`` in an empty namespace prints ``service/kubernetes``).
    """
    with_kind = len(blocks) > 1
    out: list[str] = []
    for block in blocks:
        text = _block_text(block, options, with_kind, not options.no_headers)
        if not text:
            continue
        if out and not options.no_headers:
            out.append("\n")
        out.append(text)
    return "".join(out)
