"""values.schema.json validation (Helm's pkg/chart/common/util/jsonschema.go; helm-behaviour.md §4.5).

Each chart with a schema is validated against its own coalesced values (a subchart sees
only ``values[sub.name]``, its copied ``global`` included). The JSON Schema draft is
detected from ``$schema`` (2020-12 when absent, as Helm's validator does), and every
violation of every chart is reported at once.

Helm validates with santhosh-tekuri/jsonschema v6 and prints that library's messages; helmlite
validates with the Python ``jsonschema`` library and rewrites its errors into the same text,
tree and order, so ``helmlite template`` fails with the bytes ``helm template`` prints (all
checked against Helm v4.3.1). The rewriting runs only when the values are invalid: valid values
cost one jsonschema pass. The package, one concern a module:

    __init__   this driver: load each chart's schema, resolve its ``$ref``s, check it against
               its meta-schema (once per schema, remembered in the cache), validate, and raise
               one SchemaValidationError for the whole chart tree
    tree       santhosh-tekuri's error tree, order and messages from jsonschema's errors
    formats    the ``format`` checks of drafts 4 to 7 with santhosh-tekuri's reasons
    display    how values print in the messages (``'quoted'``, ``12,345``, ``1×10⁰⁶``)

Only this driver is loaded by ``import helmlite.values.schema``; jsonschema and the other
modules are imported when a chart actually has a schema.

``$ref`` may name other JSON files of the same chart by a relative path. Remote references
are never downloaded (Helm fetches http(s) refs): the error says so, so the schema can be
vendored into the chart. Unresolvable ``urn:`` refs accept anything, as Helm's do.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag

from helmlite.errors import SchemaValidationError

if TYPE_CHECKING:
    from helmlite.chart.model import Chart

__all__ = ["SCHEMA_FILE", "validate_values"]

SCHEMA_FILE = "values.schema.json"
# Set (as for the compiled-template cache) to check every schema against its meta-schema each time.
DISABLE_CACHE_ENV = "HELMLITE_NO_TEMPLATE_CACHE"

_HEADLINE = (
    "values don't meet the specifications of the schema(s) in the following chart(s):"
)


MAX_SCHEMA_DEPTH = 100
"""How deeply a schema file may nest arrays and objects in helmlite (Helm: Go's 10,000).

The jsonschema library recurses, about five Python frames for each level, when it checks a
schema against its meta-schema and validates with it; 100 levels stay well inside the
interpreter's recursion limit wherever helmlite validates (docs/differences.md)."""

# santhosh-tekuri's UnmarshalJSON says this, without Go's character, for anything after the value.
_TRAILING_DATA = "invalid character after top-level value"
# A surrogate in the decoded text: a byte that is not UTF-8, or an unpaired \uD800 escape.
_MAY_HOLD_SURROGATES = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")


class _RefusedByGo(ValueError):
    """A schema file Go's JSON decoder refuses (NaN, a truncated or empty file, a stray byte…).

    The text is Go's ``encoding/json`` error (scan_json's), which is all Helm prints for such a
    schema file.
    """


class _NotGoJson(ValueError):
    """NaN, Infinity or -Infinity, which Python's reader takes as numbers and Go's refuses."""


def _refuse_constant(constant: str) -> Any:
    raise _NotGoJson(constant)


def _chart_json(chart: Chart, name: str, data: bytes) -> Any:
    """The JSON file ``name`` of ``chart`` read as Helm reads it, its numbers keeping their
    spelling for the messages.

    Go's decoder takes bytes that are not UTF-8 inside strings and an unpaired surrogate
    escape, each read as U+FFFD, and nesting to 10,000 levels. Raises _RefusedByGo with Go's
    error for a file Go refuses, and SchemaValidationError naming the file for one nested
    deeper than MAX_SCHEMA_DEPTH.
    """
    from helmlite.values.gojson import scan_json, well_formed
    from helmlite.values.schema.display import JsonFloat, json_int

    # C speed first: Go's scanner is a Python loop, asked only for the reason of a refusal.
    text = data.decode("utf-8", "surrogateescape")
    try:
        document = json.loads(text, parse_float=JsonFloat, parse_int=json_int, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, _NotGoJson, RecursionError):
        scan = scan_json(data)
        if scan.error is not None:
            raise _RefusedByGo(scan.error) from None
        if scan.trailing:
            raise _RefusedByGo(_TRAILING_DATA) from None
        # Python's reader takes all that Go's does, only not as deeply nested.
        depth = scan.depth
    else:
        depth = _nesting_depth(document, data)
    if depth > MAX_SCHEMA_DEPTH:
        raise SchemaValidationError(
            f"{chart.full_path()}/{name}: arrays and objects nested {depth} levels deep; helmlite reads "
            f"schema files to {MAX_SCHEMA_DEPTH} levels (Helm to 10,000): move inner schemas to $defs "
            "and refer to them with $ref",
            {},
        )
    return well_formed(document) if _MAY_HOLD_SURROGATES.search(text) else document


def _nesting_depth(document: Any, data: bytes) -> int:
    """How deeply ``document`` (decoded from ``data``) nests lists and dicts, walked without
    recursion; 0 without a walk when ``data`` has too few brackets to nest past the limit."""
    if data.count(b"[") + data.count(b"{") <= MAX_SCHEMA_DEPTH:
        return 0
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _validator_class(schema: Any) -> Any:
    """The jsonschema validator class for ``schema``'s ``$schema`` (2020-12 when absent or unknown)."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    dialect = schema.get("$schema") if isinstance(schema, dict) else None
    if isinstance(dialect, str):
        # Charts write the draft URIs with http or https, with or without the final "#".
        stem = dialect.strip().rstrip("#").split("://", 1)[-1]
        for scheme in ("http://", "https://"):
            for suffix in ("#", ""):
                found = validator_for({"$schema": scheme + stem + suffix}, default=None)
                if found is not None:
                    return found
    return Draft202012Validator


def _checked_marker(schema_json: bytes, validator_class: Any) -> Path | None:
    """Where a schema that passed its meta-schema is remembered (None: the cache is disabled).

    Checking a schema against its meta-schema costs far more than validating values with it
    (0.14 s of 0.15 s for bitnami/redis) and its answer never changes, so a schema that passed
    once is not checked again: the marker's name is the sha256 of the schema's bytes and its
    dialect. A schema that fails is never remembered.
    """
    import hashlib
    import os

    from helmlite.paths import cache_home

    if os.environ.get(DISABLE_CACHE_ENV):
        return None
    # The meta-schema is fixed by the dialect (the validator class); the answer does not
    # depend on the library's version beyond that.
    salt = f"{validator_class.__name__}|".encode()
    digest = hashlib.sha256(salt + schema_json).hexdigest()
    return cache_home() / "schemas" / digest[:2] / digest


def _remember(marker: Path | None) -> None:
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        marker.touch()
    except OSError:
        pass  # an unwritable cache only costs the next render the check again


def _schema_violations(
    chart: Chart, schema_json: bytes, values: dict[str, Any]
) -> list[tuple[str, str]]:
    """Every violation of ``chart``'s own schema by ``values``, in Helm's order and words.

    Each entry is ``(pointer, message)``: the JSON pointer as Helm prints it between quotes,
    and the message, whose nested causes follow on indented ``- at …`` lines.
    """
    import referencing
    import referencing.jsonschema
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    # Here, not at the top: most charts have no schema, and rendering them need not load these.
    from helmlite.values.schema.formats import format_checker_for
    from helmlite.values.schema.tree import helm_validator_class, helm_violations

    schema = _chart_json(chart, SCHEMA_FILE, schema_json)
    validator_class = _validator_class(schema)
    checked = _checked_marker(schema_json, validator_class)
    if checked is None or not checked.exists():
        try:
            validator_class.check_schema(schema)
        except SchemaError as exc:
            raise SchemaValidationError(
                f"{chart.full_path()}/{SCHEMA_FILE}: invalid schema: {exc.message}", {}
            ) from None
        _remember(checked)
    meta_schema = validator_class.META_SCHEMA
    specification = referencing.jsonschema.specification_with(
        meta_schema.get("$id") or meta_schema.get("id", "")
    )
    refused: dict[str, str] = {}

    def retrieve(uri: str) -> referencing.Resource[Any]:
        if uri.startswith("urn:"):
            return referencing.Resource.from_contents(
                True, default_specification=specification
            )
        name = posixpath.normpath(unquote(uri))
        scheme = uri.split(":", 1)[0].lower() if ":" in uri.split("/", 1)[0] else ""
        if scheme in ("http", "https"):
            refused[uri] = (
                "remote schemas are not downloaded; copy the schema into the chart and refer to it by relative path"
            )
        elif scheme or name.startswith(("/", "../")) or name == "..":
            refused[uri] = (
                "only files inside the chart can be referenced, by a relative path"
            )
        elif (data := chart.raw_file(name)) is None:
            refused[uri] = f"the chart has no file {name!r}"
        else:
            try:
                contents = _chart_json(chart, name, data)
            except SchemaValidationError as exc:
                refused[uri] = str(exc)
            except _RefusedByGo as exc:
                refused[uri] = f"{chart.full_path()}/{name}: invalid JSON: {exc}"
            else:
                return referencing.Resource.from_contents(
                    contents, default_specification=specification
                )
        raise LookupError(refused[uri])

    helm_class = helm_validator_class(validator_class)
    validator = helm_class(
        schema,
        registry=referencing.Registry(retrieve=retrieve),  # type: ignore[call-arg]
        format_checker=format_checker_for(validator_class),
    )
    try:
        errors = list(validator.iter_errors(values))
    except Unresolvable as exc:
        ref = getattr(exc, "ref", str(exc))
        reason = refused.get(urldefrag(ref).url, "it does not resolve")
        message = (
            f"{chart.full_path()}/{SCHEMA_FILE}: cannot resolve $ref {ref!r}: {reason}"
        )
        raise SchemaValidationError(message, {}) from None
    return helm_violations(errors)


def _collect(
    chart: Chart,
    values: dict[str, Any],
    violations: dict[str, list[tuple[str, str]]],
    refused: dict[str, str],
    report: dict[str, str],
) -> None:
    """Validate ``chart`` and its subcharts, adding each chart's violations to ``violations``,
    the error of a schema file Go's reader refuses to ``refused``, and what Helm prints under
    the chart's name to ``report`` (all in Helm's chart order)."""
    if chart.schema is not None:
        try:
            found = _schema_violations(chart, chart.schema, values)
        except _RefusedByGo as exc:
            refused[chart.name] = str(exc)
            # Helm prints the decoder's error alone, without the newline that ends a list of
            # violations, so the next chart's name follows on the same line.
            report[chart.name] = report.get(chart.name, "") + str(exc)
        else:
            _add(chart.name, found, violations, report)
    for sub in chart.dependencies:
        sub_values = values.get(sub.name)
        if sub_values is None:
            continue  # nothing to validate, as in Helm
        if not isinstance(sub_values, dict):
            problem = f"invalid type for values: expected object (map), got {type(sub_values).__name__}"
            _add(sub.name, [("", problem)], violations, report)
            continue
        _collect(sub, sub_values, violations, refused, report)


def _add(
    name: str,
    found: list[tuple[str, str]],
    violations: dict[str, list[tuple[str, str]]],
    report: dict[str, str],
) -> None:
    if found:
        violations.setdefault(name, []).extend(found)
        lines = "".join(f"- at '{pointer}': {message}\n" for pointer, message in found)
        report[name] = report.get(name, "") + lines


def validate_values(chart: Chart, values: dict[str, Any]) -> None:
    """Validate the coalesced ``values`` of ``chart`` against the values.schema.json of the
    chart and of every subchart (each against ``values[sub.name]``).

    Returns None when every schema is satisfied (or there is none). Raises
    SchemaValidationError listing every violation in Helm's format::

        values don't meet the specifications of the schema(s) in the following chart(s):
        mychart:
        - at '/age': minimum: got -5, want 0

    with ``.violations == {chart_name: [(json_pointer, message), …]}`` (the pointer as Helm
    quotes it, the message with any nested causes on indented lines). A schema file with NaN
    or Infinity is listed the same way, with Go's JSON error in place of the violations
    (``invalid character 'N' looking for beginning of value``), as Helm lists it, and that
    error is in ``.refused == {chart_name: error}``. Also raises
    SchemaValidationError, with empty violations, for a schema file that is not JSON or not a
    valid schema, or a ``$ref`` that cannot be resolved (the message names the chart's file).
    """
    violations: dict[str, list[tuple[str, str]]] = {}
    refused: dict[str, str] = {}
    report: dict[str, str] = {}
    _collect(chart, values, violations, refused, report)
    if not report:
        return
    sections = "".join(f"{name}:\n{text}" for name, text in report.items())
    raise SchemaValidationError(f"{_HEADLINE}\n{sections}", violations, refused)
