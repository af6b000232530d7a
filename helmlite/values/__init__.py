"""Helm's values semantics: YAML in Helm's dialect, the --set grammar, coalescing, schemas.

    yamlio    load_yaml / load_values / dump_yaml, bounded for untrusted input
    strvals   --set, --set-string, --set-json, --set-file, --set-literal
    coalesce  the one merge algorithm: merge_maps, coalesce_tables, coalesce_values
    schema    values.schema.json validation of a chart tree
    gojson    Go's JSON rules where Helm applies them (json.Valid, lone surrogates → U+FFFD)
    options   ValueOptions: the values flags, merged in Helm's order

The public names below are re-exported lazily (PEP 562), so importing one submodule (the
CLI's value flags need only ``options``) does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helmlite.lazyexports import lazy_exports

__all__ = [
    "MAX_YAML_BYTES",
    "load_yaml",
    "load_yaml_documents",
    "load_values",
    "dump_yaml",
    "parse_set",
    "parse_set_string",
    "parse_set_json",
    "parse_set_literal",
    "parse_set_file",
    "merge_maps",
    "coalesce_values",
    "coalesce_tables",
    "scoped_values",
    "validate_values",
    "ValueOptions",
]

_HOMES = {
    "helmlite.values.coalesce": ("coalesce_tables", "coalesce_values", "merge_maps", "scoped_values"),
    "helmlite.values.options": ("ValueOptions",),
    "helmlite.values.schema": ("validate_values",),
    "helmlite.values.strvals": (
        "parse_set", "parse_set_file", "parse_set_json", "parse_set_literal", "parse_set_string",
    ),
    "helmlite.values.yamlio": ("MAX_YAML_BYTES", "dump_yaml", "load_values", "load_yaml", "load_yaml_documents"),
}
__getattr__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:
    from helmlite.values.coalesce import (
        coalesce_tables,
        coalesce_values,
        merge_maps,
        scoped_values,
    )
    from helmlite.values.options import ValueOptions
    from helmlite.values.schema import validate_values
    from helmlite.values.strvals import (
        parse_set,
        parse_set_file,
        parse_set_json,
        parse_set_literal,
        parse_set_string,
    )
    from helmlite.values.yamlio import (
        MAX_YAML_BYTES,
        dump_yaml,
        load_values,
        load_yaml,
        load_yaml_documents,
    )
