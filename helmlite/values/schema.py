"""values.schema.json validation (Helm's pkg/chart/common/util/jsonschema.go; helm-behaviour.md §4.5).

Each chart with a schema is validated against its own coalesced values (a subchart sees
only ``values[sub.name]``, its copied ``global`` included). The JSON Schema draft is
detected from ``$schema`` (2020-12 when absent, as Helm's validator does), and every
violation of every chart is reported at once.

Helm validates with santhosh-tekuri/jsonschema v6 and prints that library's messages; helmlite
validates with the Python ``jsonschema`` library and rewrites its errors into the same text,
tree and order (``_evaluate``), so ``helmlite template`` fails with the bytes ``helm template``
prints. What had to be matched, all checked against Helm v4.3.1:

- the messages (``got string, want number``, ``minLength: got 2, want 3``, ``missing
  properties 'a', 'c'``, ``'anyOf' failed`` with its causes indented below it, …), their Go
  formatting of numbers (``1×10⁰⁶``, ``12,345.5``) and strings (Go ``%q`` in single quotes);
- santhosh-tekuri's evaluation: a failing ``type``, ``const``, ``enum`` or ``format`` hides
  every other keyword of that schema; ``required``/``dependentRequired`` report all missing
  properties in one line; a sub-schema that fails twice under ``allOf``/``anyOf``/``oneOf``/
  ``contains``/``$ref`` shows as ``validation failed`` with the two causes below it;
- the order: keywords in santhosh-tekuri's evaluation order, an object's properties in the
  order of the values. (Helm walks a Go map there, so its order changes from run to run; the
  values' own order is the one it prints most often.)
- ``format`` is asserted for drafts 4, 6 and 7 only, with santhosh-tekuri's checks and reasons.

The rewriting runs only when the values are invalid: valid values cost one jsonschema pass.

``$ref`` may name other JSON files of the same chart by a relative path. Remote references
are never downloaded (Helm fetches http(s) refs): the error says so, so the schema can be
vendored into the chart. Unresolvable ``urn:`` refs accept anything, as Helm's do.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
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


class _JsonFloat(float):
    """A number written with a fraction or exponent in a schema file, with its spelling.

    Helm prints ``enum`` and ``const`` numbers as the schema writes them (``1.50``, ``1E3``).
    """

    literal: str

    def __new__(cls, literal: str) -> Self:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


def _json_int(literal: str) -> int | float:
    """An integer of a schema file; ``-0`` keeps its sign for the messages that print it."""
    return _JsonFloat(literal) if literal == "-0" else int(literal)


def _chart_json(chart: Chart, name: str, data: bytes) -> Any:
    try:
        return json.loads(
            data.decode("utf-8-sig"), parse_float=_JsonFloat, parse_int=_json_int
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaValidationError(
            f"{chart.full_path()}/{name}: invalid JSON: {exc}", {}
        ) from None


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
            else:
                return referencing.Resource.from_contents(
                    contents, default_specification=specification
                )
        raise LookupError(refused[uri])

    helm_class = _helm_validator_class(validator_class)
    validator = helm_class(
        schema,
        registry=referencing.Registry(retrieve=retrieve),  # type: ignore[call-arg]
        format_checker=_format_checker() if _asserts_formats(validator_class) else None,
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
    if not errors:
        return []
    return [
        (_quote(_pointer(failure.location))[1:-1], _message(failure))
        for failure in _evaluate(errors, ())
    ]


# --- santhosh-tekuri's error tree from jsonschema's errors -------------------------------------
#
# jsonschema yields a flat stream of errors; santhosh-tekuri keeps the failures of allOf/anyOf/
# oneOf/contains/propertyNames/$ref sub-schemas as causes under one error. The keyword functions
# below therefore collect what a sub-schema yields into one error whose ``context`` holds it
# (as jsonschema itself does for anyOf/oneOf), and ``_evaluate`` turns that tree into
# santhosh-tekuri's. Each function defers to jsonschema's own, so validity never changes.

# Keywords whose sub-schema errors are gathered under one error (``_nesting``).
_NESTING_KEYWORDS = (
    "properties", "patternProperties", "additionalProperties", "items", "prefixItems", "additionalItems",
    "dependentSchemas", "dependencies", "if", "allOf", "$ref", "$dynamicRef", "$recursiveRef",
)  # fmt: skip
# Keywords whose failure hides the schema's other keywords, in the order santhosh-tekuri checks them.
_BLOCKING_KEYWORDS = ("type", "const", "enum", "format")
# santhosh-tekuri's evaluation order of a schema's keywords (validator.go). The keywords of one
# rank apply per object property or array item, and are ordered by it first.
_RANK = {
    "$ref": 0,
    "minProperties": 1, "maxProperties": 2, "required": 3, "dependencies": 4,
    "properties": 5, "patternProperties": 5, "additionalProperties": 5,  # + 1: additionalProperties false
    "propertyNames": 7, "dependentSchemas": 8, "dependentRequired": 9,
    "minItems": 10, "maxItems": 11, "uniqueItems": 12, "prefixItems": 13, "items": 13, "additionalItems": 13,
    "contains": 15,
    "minLength": 16, "maxLength": 17, "pattern": 18,
    "minimum": 20, "maximum": 21, "exclusiveMinimum": 22, "exclusiveMaximum": 23, "multipleOf": 24,
    "$recursiveRef": 25, "$dynamicRef": 26, "not": 27, "allOf": 28, "anyOf": 29, "oneOf": 30, "if": 31,
    "unevaluatedProperties": 32, "unevaluatedItems": 33,
}  # fmt: skip
_UNRANKED = 40
# Per property: ``properties``, then ``patternProperties`` (in schema order), then ``additionalProperties``.
_MEMBER_STEP = {"properties": 0, "prefixItems": 0, "items": 0, "patternProperties": 1, "additionalProperties": 2,
                "additionalItems": 2, "unevaluatedProperties": 0, "unevaluatedItems": 0}  # fmt: skip
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
_COMBINATORS = {
    "allOf": "'allOf' failed",
    "anyOf": "'anyOf' failed",
    "oneOf": "'oneOf' failed, none matched",
}
# Which subschemas of a ``oneOf`` matched, when more than one did (set by ``_one_of``).
_MATCHED_ATTRIBUTE = "helmlite_matched"

_HELM_VALIDATORS: dict[Any, Any] = {}


def _helm_validator_class(base: Any) -> Any:
    """``base`` with the keyword functions that keep santhosh-tekuri's error structure (one per draft)."""
    found = _HELM_VALIDATORS.get(base)
    if found is None:
        from jsonschema import Draft4Validator, Draft6Validator
        from jsonschema.validators import extend

        keywords = {
            name: _nesting(base.VALIDATORS[name])
            for name in _NESTING_KEYWORDS
            if name in base.VALIDATORS
        }
        for name, wrap in (("contains", _contains), ("oneOf", _one_of), ("unevaluatedProperties", _unevaluated),
                           ("unevaluatedItems", _unevaluated)):  # fmt: skip
            if name in base.VALIDATORS:
                keywords[name] = wrap(base.VALIDATORS[name])
        if "propertyNames" in base.VALIDATORS:
            keywords["propertyNames"] = _property_names
        # santhosh-tekuri takes 1.0 for an integer in every draft; jsonschema's draft 4 does not.
        type_checker = Draft6Validator.TYPE_CHECKER if base is Draft4Validator else None
        found = _HELM_VALIDATORS[base] = extend(
            base, keywords, type_checker=type_checker
        )
    return found


def _asserts_formats(validator_class: Any) -> bool:
    """Helm's validator asserts ``format`` up to draft 7; from 2019-09 on it is an annotation."""
    from jsonschema import Draft201909Validator, Draft202012Validator

    return validator_class not in (Draft201909Validator, Draft202012Validator)


def _is_subschema_error(error: Any) -> bool:
    """True for an error jsonschema's ``descend`` produced (a sub-schema's), false for the keyword's own."""
    return error.validator is None or isinstance(error.validator, str)


class _FalseSchemaPaths:
    """A validator whose ``descend`` puts the path on a false schema's error too.

    jsonschema's ``descend`` returns the error of a ``false`` sub-schema before it adds the
    property or index it descended into; santhosh-tekuri's message needs it (``at '/a': false
    schema``). Used only once validation has failed.
    """

    def __init__(self, validator: Any) -> None:
        self._validator = validator

    def __getattr__(self, name: str) -> Any:
        return getattr(self._validator, name)

    def descend(self, instance: Any, schema: Any, path: Any = None, schema_path: Any = None,
                resolver: Any = None) -> Iterator[Any]:  # fmt: skip
        for error in self._validator.descend(
            instance, schema, path, schema_path, resolver
        ):
            if schema is False:
                if path is not None:
                    error.path.appendleft(path)
                if schema_path is not None:
                    error.schema_path.appendleft(schema_path)
            yield error


def _nesting(keyword: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """``keyword``, with the errors of its sub-schemas gathered in the ``context`` of one error."""
    from jsonschema.exceptions import ValidationError

    def nesting(
        validator: Any, value: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        nested = []
        for error in keyword(validator, value, instance, schema) or ():
            if _is_subschema_error(error):
                nested.append(error)
            else:
                yield error
        if any(error.validator is None for error in nested):
            with_paths = (
                keyword(_FalseSchemaPaths(validator), value, instance, schema) or ()
            )
            nested = [error for error in with_paths if _is_subschema_error(error)]
        if nested:
            yield ValidationError("subschemas failed", context=nested)

    return nesting


def _contains(keyword: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """``contains``; on failure the errors of every item that does not match are its context."""
    from jsonschema.exceptions import ValidationError

    def contains(
        validator: Any, contained: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        for error in keyword(validator, contained, instance, schema) or ():
            descending = _FalseSchemaPaths(validator)
            items = [
                e
                for index, item in enumerate(instance)
                for e in descending.descend(item, contained, path=index)
            ]
            yield ValidationError(error.message, validator="contains", context=items)

    return contains


def _one_of(keyword: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """``oneOf``; when several subschemas match, the first two are remembered for the message."""

    def one_of(
        validator: Any, subschemas: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        for error in keyword(validator, subschemas, instance, schema) or ():
            if not error.context:
                valid = (
                    i
                    for i, sub in enumerate(subschemas)
                    if validator.evolve(schema=sub).is_valid(instance)
                )
                setattr(error, _MATCHED_ATTRIBUTE, list(islice(valid, 2)))
            yield error

    return one_of


def _unevaluated(keyword: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """``unevaluatedProperties``/``Items``; on failure each rejected member's errors are its context."""
    from jsonschema.exceptions import ValidationError

    def unevaluated(
        validator: Any, value: Any, instance: Any, schema: Any
    ) -> Iterator[Any]:
        for error in keyword(validator, value, instance, schema) or ():
            from jsonschema import (
                _utils,  # only on failure: which members the other keywords evaluated
            )

            if isinstance(instance, dict):
                evaluated = _utils.find_evaluated_property_keys_by_schema(
                    validator, instance, schema
                )
                members: Iterable[Any] = (
                    key for key in instance if key not in evaluated
                )
            else:
                evaluated = _utils.find_evaluated_item_indexes_by_schema(
                    validator, instance, schema
                )
                members = (
                    index for index in range(len(instance)) if index not in evaluated
                )
            descending = _FalseSchemaPaths(validator)
            nested = [
                e
                for member in members
                for e in descending.descend(instance[member], value, path=member)
            ]
            yield ValidationError(error.message, context=nested) if nested else error

    return unevaluated


def _property_names(
    validator: Any, names: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    """``propertyNames``: one error per rejected name (its ``instance``), with the name's errors as context."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    for name in instance:
        nested = list(validator.descend(instance=name, schema=names))
        if nested:
            yield ValidationError(
                "invalid property name", instance=name, context=nested
            )


@dataclass
class _Failure:
    """One santhosh-tekuri validation error: where, what, and the failures that caused it."""

    location: tuple[str | int, ...]
    message: str
    causes: list[_Failure] = field(default_factory=list)


_Ranked = tuple[tuple[int, ...], list[_Failure]]


def _evaluate(errors: list[Any], location: tuple[str | int, ...]) -> list[_Failure]:
    """The failures of one schema applied to the value at ``location``, given jsonschema's errors
    for that schema's keywords, in santhosh-tekuri's order (its ``validator.validate``)."""
    failed = {error.validator for error in errors}
    for keyword in _BLOCKING_KEYWORDS:
        if keyword in failed:
            errors = [error for error in errors if error.validator == keyword]
            break
    ranked: list[_Ranked] = []
    reported: set[str] = set()
    for order, error in enumerate(errors):
        ranked.extend(_ranked_failures(error, location, order, reported))
    ranked.sort(key=lambda entry: entry[0])
    return [failure for _, failures in ranked for failure in failures]


def _groups(errors: Iterable[Any], by_schema: bool = False) -> dict[Any, list[Any]]:
    """``errors`` of sub-schemas, grouped by value member (or by sub-schema), in first-seen order."""
    groups: dict[Any, list[Any]] = {}
    for error in errors:
        if by_schema:
            key = error.relative_schema_path[0] if error.relative_schema_path else None
        else:
            key = error.relative_path[0] if error.relative_path else None
        groups.setdefault(key, []).append(error)
    return groups


def _cause(failures: list[_Failure], location: tuple[str | int, ...]) -> _Failure:
    """One sub-schema's failures as a single cause: santhosh-tekuri groups two or more."""
    return (
        failures[0]
        if len(failures) == 1
        else _Failure(location, "validation failed", failures)
    )


def _ranked_failures(
    error: Any, location: tuple[str | int, ...], order: int, reported: set[str]
) -> list[_Ranked]:
    keyword = error.validator
    rank = _RANK.get(keyword, _UNRANKED)
    nested = error.context
    if keyword in _MEMBER_STEP and nested:
        return _member_failures(error, location, order)
    if keyword in ("dependentSchemas", "dependencies", "if") and nested:
        positions = (
            list(error.validator_value)
            if isinstance(error.validator_value, dict)
            else []
        )
        return [
            (
                (rank, positions.index(key) if key in positions else 0, 0, 0, order),
                _evaluate(children, location),
            )
            for key, children in _groups(nested, by_schema=True).items()
        ]
    if keyword in _REFERENCES and nested:
        return [
            (
                (rank, 0, 0, 0, order),
                [_cause(_evaluate(list(nested), location), location)],
            )
        ]
    if keyword in _COMBINATORS and nested:
        causes = [
            _cause(_evaluate(children, location), location)
            for children in _groups(nested, True).values()
        ]
        return [
            (
                (rank, 0, 0, 0, order),
                [_Failure(location, _COMBINATORS[keyword], causes)],
            )
        ]
    if keyword == "items" and error.validator_value is False:
        # 2020-12 ``items: false``: each item after the prefixItems fails the false schema.
        start = (
            len(error.schema.get("prefixItems", ()))
            if isinstance(error.schema, dict)
            else 0
        )
        return [((rank, index, 0, 0, order), [_Failure(location + (index,), "false schema")])
                for index in range(start, len(error.instance))]  # fmt: skip
    if (
        keyword == "additionalProperties"
    ):  # ``false``: one line listing them, after every property's errors
        return [((rank + 1, 0, 0, 0, order), _leaf_failures(error, location))]
    if keyword == "additionalItems":  # after every item's own errors
        return [
            (
                (rank, len(error.instance), _MEMBER_STEP[keyword], 0, order),
                _leaf_failures(error, location),
            )
        ]
    if keyword in ("required", "dependentRequired", "dependencies"):
        if keyword in reported:
            return []  # jsonschema reports each missing property; santhosh-tekuri all at once
        reported.add(keyword)
        return _missing_failures(error, location, rank, order)
    return [((rank, 0, 0, 0, order), _leaf_failures(error, location))]


def _member_failures(
    error: Any, location: tuple[str | int, ...], order: int
) -> list[_Ranked]:
    """The failures of the sub-schemas applied to each property or item, ordered by it."""
    keyword, instance = error.validator, error.instance
    ranked: list[_Ranked] = []
    positions = (
        {key: index for index, key in enumerate(instance)}
        if isinstance(instance, dict)
        else {}
    )
    patterns = list(error.validator_value) if keyword == "patternProperties" else []
    grouped = _groups(error.context)
    for member, children in grouped.items():
        position = positions.get(member, member if isinstance(member, int) else 0)
        for pattern, pattern_children in (
            _groups(children, by_schema=True) if patterns else {None: children}
        ).items():
            step = (
                _MEMBER_STEP[keyword],
                patterns.index(pattern) if pattern in patterns else 0,
            )
            ranked.append(
                (
                    (_RANK[keyword], position, *step, order),
                    _evaluate(pattern_children, location + (member,)),
                )
            )
    return ranked


def _missing_failures(
    error: Any, location: tuple[str | int, ...], rank: int, order: int
) -> list[_Ranked]:
    """``required``/``dependentRequired``/``dependencies`` (property lists): one line per property."""
    instance = error.instance
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        return (
            [((rank, 0, 0, 0, order), [_Failure(location, _missing_message(missing))])]
            if missing
            else []
        )
    ranked: list[_Ranked] = []
    for position, (name, needed) in enumerate(error.validator_value.items()):
        if name in instance and isinstance(needed, list):
            missing = [other for other in needed if other not in instance]
            if missing:
                message = f"properties {_quoted_list(missing)} required, if {_quote(name)} exists"
                ranked.append(
                    ((rank, position, 0, 0, order), [_Failure(location, message)])
                )
    return ranked


def _missing_message(missing: list[str]) -> str:
    if len(missing) == 1:
        return f"missing property {_quote(missing[0])}"
    return f"missing properties {_quoted_list(missing)}"


def _leaf_failures(error: Any, location: tuple[str | int, ...]) -> list[_Failure]:
    """The failure of a keyword without sub-schema errors, in santhosh-tekuri's words."""
    keyword, expected, instance, schema = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    if keyword is None:
        return [_Failure(location, "false schema")]
    if keyword == "propertyNames" and error.context:
        causes = _evaluate(list(error.context), ())
        return [_Failure(location, f"invalid propertyName {_quote(instance)}", causes)]
    if keyword == "contains":
        return [_contains_failure(error, location)]
    if keyword == "oneOf":
        first, second = getattr(error, _MATCHED_ATTRIBUTE, [0, 1])[:2]
        return [
            _Failure(location, f"'oneOf' failed, subschemas {first}, {second} matched")
        ]
    return [
        _Failure(location, _leaf_message(keyword, expected, instance, schema, error))
    ]


def _contains_failure(error: Any, location: tuple[str | int, ...]) -> _Failure:
    schema, instance = error.schema, error.instance
    failing = {
        index: _cause(_evaluate(children, location + (index,)), location + (index,))
        for index, children in _groups(error.context).items()
    }
    matched = [index for index in range(len(instance)) if index not in failing]
    at = " ".join(_go_int(index) for index in matched)
    most, least = schema.get("maxContains"), schema.get("minContains")
    if isinstance(most, int) and len(matched) > most:
        return _Failure(location, f"max {_go_int(most)} items required to match contains schema, "
                                  f"but matched {_go_int(len(matched))} items at {at}")  # fmt: skip
    causes = list(failing.values())
    if isinstance(least, int):
        found = (
            f"matched {_go_int(len(matched))} items at {at}"
            if matched
            else "none matched"
        )
        return _Failure(
            location,
            f"min {_go_int(least)} items required to match contains schema, but {found}",
            causes,
        )
    return _Failure(location, "no items match contains schema", causes)


def _leaf_message(
    keyword: str, expected: Any, instance: Any, schema: Any, error: Any
) -> str:
    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        names = [name for name in _TYPE_ORDER if name in wanted] + [
            n for n in wanted if n not in _TYPE_ORDER
        ]
        return f"got {_json_type(instance)}, want {' or '.join(names)}"
    if keyword == "const":
        return (
            "'const' failed"
            if isinstance(expected, (list, dict))
            else f"value must be {_display(expected)}"
        )
    if keyword == "enum":
        if any(isinstance(item, (list, dict)) for item in expected):
            return "'enum' failed"
        if len(expected) == 1:
            return f"value must be {_display(expected[0])}"
        return f"value must be one of {', '.join(_display(item) for item in expected)}"
    if keyword == "format":
        return f"{_display(instance)} is not valid {expected}: {error.cause}"
    if keyword in (
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ):
        return f"{keyword}: got {_go_int(len(instance))}, want {_go_int(expected)}"
    if keyword == "pattern":
        return f"{_quote(instance)} does not match pattern {_quote(expected)}"
    if (
        keyword in ("minimum", "maximum")
        and isinstance(schema, dict)
        and schema.get(f"exclusive{keyword.title()}") is True
    ):
        keyword = (
            f"exclusive{keyword.title()}"  # draft 4: a boolean beside minimum/maximum
        )
    if keyword in (
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ):
        return f"{keyword}: got {_go_number(instance)}, want {_go_number(expected)}"
    if keyword == "uniqueItems":
        first, second = _first_duplicate(instance)
        return f"items at {_go_int(first)} and {_go_int(second)} are equal"
    if keyword == "additionalProperties":
        return f"additional properties {_quoted_list(_additional_properties(instance, schema))} not allowed"
    if keyword == "additionalItems":
        allowed = schema.get("items") if isinstance(schema, dict) else None
        extra = len(instance) - (len(allowed) if isinstance(allowed, list) else 0)
        return f"last {_go_int(extra)} additionalItem(s) not allowed"
    if keyword == "not":
        return "'not' failed"
    return str(error.message)


_TYPE_ORDER = ("null", "boolean", "number", "integer", "string", "array", "object")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _json_equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            _json_equal(left[key], right[key]) for key in left
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _json_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return False
    return bool(left == right)


def _first_duplicate(items: list[Any]) -> tuple[int, int]:
    for first, item in enumerate(items):
        for second in range(first + 1, len(items)):
            if _json_equal(item, items[second]):
                return first, second
    return 0, 0


def _additional_properties(
    instance: dict[str, Any], schema: dict[str, Any]
) -> list[str]:
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        key
        for key in instance
        if key not in declared and not any(re.search(p, key) for p in patterns)
    ]


def _message(failure: _Failure, depth: int = 0) -> str:
    """``failure``'s message, each cause on its own line below it, indented one step per level."""
    text = failure.message
    for cause in failure.causes:
        text += f"\n{'  ' * (depth + 1)}- at {_quote(_pointer(cause.location))}: {_message(cause, depth + 1)}"
    return text


# --- Go formatting -----------------------------------------------------------------------------


def _pointer(path: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) from a path of keys and indexes."""
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )


def _go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: double quotes, Go escapes for what is not printable."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out) + '"'


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _quote(text: str) -> str:
    """santhosh-tekuri's ``quote``: Go's ``%q`` turned into single quotes (``'it\\'s'``).

    Like the original, it unescapes ``\\"`` in the quoted text *with* its closing quote, so a
    string ending in a backslash loses one (``a\\`` prints as ``'a\\'``, not ``'a\\\\'``).
    """
    quoted = _go_quote(text).replace('\\"', '"').replace("'", "\\'")
    return f"'{quoted[1:-1]}'"


def _quoted_list(names: Iterable[str]) -> str:
    return ", ".join(_quote(name) for name in names)


def _go_quote_rune(char: str) -> str:
    """Go's ``%q`` of one character: ``'x'``."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + _go_quote(char)[1:-1] + "'"


def _go_int(number: int) -> str:
    """An integer as Helm's message printer writes it: thousands separated by commas."""
    return f"{number:,}"


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _shortest_digits(number: float) -> tuple[str, int]:
    """The shortest digits that identify ``number`` (> 0) and the exponent of the first one."""
    mantissa, _, exponent = f"{number!r}".partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    return digits.rstrip("0") or "0", point - 1


def _go_number(number: float) -> str:
    """A number as Helm prints minimum/maximum/multipleOf (Go ``%v`` through golang.org/x/text):
    shortest digits, thousands separators, and ``1.5×10⁰⁶`` from 10⁶ on and below 10⁻⁴."""
    try:
        value = float(number)
    except OverflowError:
        value = math.copysign(math.inf, number)
    if math.isinf(value) or math.isnan(value):
        return {math.inf: "∞", -math.inf: "-∞"}.get(value, "NaN")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}×10{_superscript(exponent)}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole, fraction = (
        digits[: exponent + 1].ljust(exponent + 1, "0"),
        digits[exponent + 1 :],
    )
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def _superscript(exponent: int) -> str:
    """Go's exponent (at least two digits, a sign only when negative) in superscript digits."""
    return (("-" if exponent < 0 else "") + f"{abs(exponent):02d}").translate(
        _SUPERSCRIPTS
    )


def _go_float_v(number: float) -> str:
    """Go's plain ``%v`` of a float64 (``1e+21``, ``1e-05``, ``123456``)."""
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    digits, exponent = _shortest_digits(abs(number))
    if exponent < -4 or exponent >= 21:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole, fraction = (
        digits[: exponent + 1].ljust(exponent + 1, "0"),
        digits[exponent + 1 :],
    )
    return sign + whole + (f".{fraction}" if fraction else "")


def _display(value: Any) -> str:
    """A value of an ``enum``/``const``/``format`` message, as santhosh-tekuri's ``display``."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _JsonFloat):
        return value.literal
    if isinstance(value, float):
        return _go_float_v(value)
    if isinstance(value, (list, dict)):
        return "value"
    return str(value)


# --- format (drafts 4 to 7): santhosh-tekuri's checks and reasons -------------------------------
#
# Each check returns why ``text`` is not of its format (None when it is). Where santhosh-tekuri
# hands over to Go's library (net/netip, time, net/url, regexp), the reason is that library's
# error text for the common mistakes.


class _FormatProblem(ValueError):
    """Why a string is not of its format; jsonschema keeps it as the error's ``cause``."""


def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name, raises=_FormatProblem)(_asserting(check))
    return checker


def _asserting(check: Callable[[str], str | None]) -> Callable[[Any], bool]:
    def conforms(value: Any) -> bool:
        if isinstance(value, str) and (reason := check(value)) is not None:
            raise _FormatProblem(reason)
        return True

    return conforms


def _go_atoi(text: str) -> tuple[int | None, str | None]:
    """Go's ``strconv.Atoi``: the number, or its error text."""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        number = int(text)
        if -(2**63) <= number < 2**63:
            return number, None
        return None, f"strconv.Atoi: parsing {_go_quote(text)}: value out of range"
    return None, f"strconv.Atoi: parsing {_go_quote(text)}: invalid syntax"


def _json_pointer(text: str) -> str | None:
    if text == "":
        return None
    if not text.startswith("/"):
        return "not starting with /"
    for token in text.split("/")[1:]:
        if re.search(r"~(?![01])", token):
            return "~ must be followed by 0 or 1"
    return None


def _relative_json_pointer(text: str) -> str | None:
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits == 0:
        return "must start with non-negative integer"
    if digits > 1 and text.startswith("0"):
        return "starts with zero"
    rest = text[digits:]
    return None if rest == "#" else _json_pointer(rest)


def _uuid(text: str) -> str | None:
    groups = text.split("-")
    if len(groups) != 5:
        return "must have 5 elements"
    for number, (group, size) in enumerate(
        zip(groups, (8, 4, 4, 4, 12), strict=True), start=1
    ):
        if len(group.encode()) != size:
            return f"element {number} must be {size} characters long"
        for char in group:
            if char not in "0123456789abcdefABCDEF":
                return f"non-hex character {_go_quote_rune(char)}"
    return None


def _duration(text: str) -> str | None:
    if not text.startswith("P"):
        return "must start with P"
    text = text[1:]
    if text == "":
        return "nothing after P"
    if text.endswith("W"):
        weeks = text[:-1]
        if weeks == "":
            return "no number in week"
        return None if weeks.isdigit() and weeks.isascii() else "invalid week"
    all_units = ("YMD", "HMS")
    for part_index, part in enumerate(text.split("T")):
        if part_index != 0 and part == "":
            return "no time elements"
        if part_index >= len(all_units):
            return "more than one T"
        units = all_units[part_index]
        while part:
            digits = len(part) - len(part.lstrip("0123456789"))
            if digits == 0:
                return "missing number"
            part = part[digits:]
            if part == "":
                return "missing unit"
            unit = part[0]
            if unit not in units:
                if unit in all_units[part_index]:
                    return f"unit {_go_quote_rune(unit)} out of order"
                return f"invalid unit {_go_quote_rune(unit)}"
            units = units[units.index(unit) + 1 :]
            part = part[1:]
    return None


def _ipv4(text: str) -> str | None:
    groups = text.split(".")
    if len(groups) != 4:
        return "expected four decimals"
    for group in groups:
        if len(group) > 1 and group[0] == "0":
            return "leading zeros"
        number, problem = _go_atoi(group)
        if number is None:
            return problem
        if not 0 <= number <= 255:
            return "decimal must be between 0 and 255"
    return None


def _parse_addr_error(whole: str, message: str, at: str = "") -> str:
    suffix = f" (at {_go_quote(at)})" if at else ""
    return f"ParseAddr({_go_quote(whole)}): {message}{suffix}"


def _ipv4_fields(whole: str, text: str) -> tuple[int, str | None]:
    """Go's ``parseIPv4Fields``: how many fields, or the error of ``netip.ParseAddr``."""
    value, position, digits = 0, 0, 0
    for index, char in enumerate(text):
        if "0" <= char <= "9":
            if digits == 1 and value == 0:
                return 0, _parse_addr_error(
                    whole, "IPv4 field has octet with leading zero"
                )
            value, digits = value * 10 + int(char), digits + 1
            if value > 255:
                return 0, _parse_addr_error(whole, "IPv4 field has value >255")
        elif char == ".":
            if index == 0 or index == len(text) - 1 or text[index - 1] == ".":
                return 0, _parse_addr_error(
                    whole, "IPv4 field must have at least one digit", text[index:]
                )
            if position == 3:
                return 0, _parse_addr_error(whole, "IPv4 address too long")
            position, value, digits = position + 1, 0, 0
        else:
            return 0, _parse_addr_error(whole, "unexpected character", text[index:])
    if position < 3:
        return 0, _parse_addr_error(whole, "IPv4 address too short")
    return 4, None


def _parse_addr(text: str) -> str | None:
    """Go's ``netip.ParseAddr`` error for ``text`` (its ``parseIPv6`` for an IPv6 address), or None."""
    for char in text:  # the first separator picks the address family
        if char == ".":
            return _ipv4_fields(text, text)[1]
        if char == "%":
            return _parse_addr_error(text, "missing IPv6 address")
        if char == ":":
            break
    else:
        return _parse_addr_error(text, "unable to parse IP")
    rest, _, zone = text.partition("%")
    if "%" in text and zone == "":
        return _parse_addr_error(text, "zone must be a non-empty string")
    size, ellipsis = 0, -1
    if rest.startswith("::"):
        ellipsis, rest = 0, rest[2:]
        if rest == "":
            return None
    while size < 16:
        digits = len(rest) - len(rest.lstrip("0123456789abcdefABCDEF"))
        if digits > 4:
            return _parse_addr_error(
                text, "each group must have 4 or less digits", rest
            )
        if digits == 0:
            return _parse_addr_error(
                text, "each colon-separated field must have at least one digit", rest
            )
        if digits < len(rest) and rest[digits] == ".":
            if ellipsis < 0 and size != 12:
                return _parse_addr_error(
                    text,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    rest,
                )
            if size + 4 > 16:
                return _parse_addr_error(
                    text,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    rest,
                )
            problem = _ipv4_fields(text, rest)[1]
            if problem:
                return problem
            rest, size = "", size + 4
            break
        size, rest = size + 2, rest[digits:]
        if rest == "":
            break
        if rest[0] != ":":
            return _parse_addr_error(text, "unexpected character, want colon", rest)
        if len(rest) == 1:
            return _parse_addr_error(
                text, "colon must be followed by more characters", rest
            )
        rest = rest[1:]
        if rest[0] == ":":
            if ellipsis >= 0:
                return _parse_addr_error(text, "multiple :: in address", rest)
            ellipsis, rest = size, rest[1:]
            if rest == "":
                break
    if rest:
        return _parse_addr_error(text, "trailing garbage after address", rest)
    if size < 16 and ellipsis < 0:
        return _parse_addr_error(text, "address string too short")
    if size == 16 and ellipsis >= 0:
        return _parse_addr_error(
            text, "the :: must expand to at least one field of zeros"
        )
    return None


def _ipv6(text: str) -> str | None:
    if ":" not in text:
        return "missing colon"
    if problem := _parse_addr(text):
        return problem
    return "zone id is not a part of ipv6 address" if "%" in text else None


def _hostname(text: str) -> str | None:
    text = text.removesuffix(".")
    if len(text.encode()) > 253:
        return "more than 253 characters long"
    for label in text.split("."):
        if not 1 <= len(label.encode()) <= 63:
            return "label must be 1 to 63 characters long"
        if label.startswith("-"):
            return "label starts with hyphen"
        if label.endswith("-"):
            return "label ends with hyphen"
        for char in label:
            if not (char.isascii() and (char.isalnum() or char == "-")):
                return f"invalid character {_go_quote_rune(char)}"
    return None


def _email(text: str) -> str | None:
    if len(text.encode()) > 254:
        return "more than 255 characters long"
    if "@" not in text:
        return "missing @"
    local, _, domain = text.rpartition("@")
    if len(local.encode()) > 64:
        return "local part more than 64 characters long"
    if len(local) > 1 and local.startswith('"') and local.endswith('"'):
        if "\\" in local[1:-1] or '"' in local[1:-1]:
            return "backslash and quote are not allowed within quoted local part"
    else:
        if local.startswith("."):
            return "starts with dot"
        if local.endswith("."):
            return "ends with dot"
        if ".." in local:
            return "consecutive dots"
        for char in local:
            if not (
                char.isascii() and (char.isalnum() or char in ".!#$%&'*+-/=?^_`{|}~")
            ):
                return f"invalid character {_go_quote_rune(char)}"
    if domain.startswith("[") and domain.endswith("]"):
        address = domain[1:-1]
        if address.startswith("IPv6:"):
            problem = _ipv6(address[5:])
            return f"invalid ipv6 address: {problem}" if problem else None
        problem = _ipv4(address)
        return f"invalid ipv4 address: {problem}" if problem else None
    problem = _hostname(domain)
    return f"invalid domain: {problem}" if problem else None


def _date(text: str) -> str | None:
    """Go's ``time.Parse("2006-01-02", text)`` error, or None."""

    def cannot(rest: str, element: str) -> str:
        return f'parsing time {_go_quote(text)} as "2006-01-02": cannot parse {_go_quote(rest)} as {_go_quote(element)}'

    rest = text
    if len(rest) < 4 or not rest[:4].isdigit() or not rest[:4].isascii():
        return cannot(rest, "2006")
    year, rest = int(rest[:4]), rest[4:]
    numbers = []
    for element in ("01", "02"):
        if not rest.startswith("-"):
            return cannot(rest, "-")
        rest = rest[1:]
        if len(rest) < 2 or not rest[:2].isdigit() or not rest[:2].isascii():
            return cannot(rest, element)
        numbers.append(int(rest[:2]))
        rest = rest[2:]
    month, day = numbers
    if not 1 <= month <= 12:
        return f"parsing time {_go_quote(text)}: month out of range"
    if rest:
        return f"parsing time {_go_quote(text)}: extra text: {_go_quote(rest)}"
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days:
        return f"parsing time {_go_quote(text)}: day out of range"
    return None


def _time(text: str) -> str | None:
    if len(text.encode()) < 9:
        return "less than 9 characters long"
    if text[2] != ":" or text[5] != ":":
        return "missing colon in correct place"
    clock = []
    for token in text[:8].split(":", 2):
        number, _ = _go_atoi(token)
        if number is None:
            return "invalid hour/min/sec"
        if number < 0:
            return "non-positive hour/min/sec"
        clock.append(number)
    hour, minute, second = clock
    if hour > 23 or minute > 59 or second > 60:
        return "hour/min/sec out of range"
    rest = text[8:]
    if rest.startswith("."):
        digits = len(rest[1:]) - len(rest[1:].lstrip("0123456789"))
        if digits == 0:
            return "no digits in second fraction"
        rest = rest[1 + digits :]
    if rest not in ("z", "Z"):
        if len(rest.encode()) != 6:
            return "offset must be 6 characters long"
        if rest[0] not in "+-":
            return "offset must begin with plus/minus"
        sign, rest = (-1 if rest[0] == "+" else 1), rest[1:]
        if rest[2] != ":":
            return "missing colon in offset in correct place"
        offset = []
        for token in rest.split(":", 1):
            number, _ = _go_atoi(token)
            if number is None:
                return "invalid hour/min in offset"
            if number < 0:
                return "non-positive hour/min in offset"
            offset.append(number)
        if offset[0] > 23 or offset[1] > 59:
            return "hour/min in offset out of range"
        minutes = (hour * 60 + minute + sign * (offset[0] * 60 + offset[1])) % (24 * 60)
        hour, minute = divmod(minutes, 60)
    if second >= 60 and (hour != 23 or minute != 59):
        return "invalid leap second"
    return None


def _date_time(text: str) -> str | None:
    if len(text.encode()) < 20:
        return "less than 20 characters long"
    if text[10] not in "tT":
        return "11th character must be t or T"
    if problem := _date(text[:10]):
        return f"invalid date element: {problem}"
    if problem := _time(text[11:]):
        return f"invalid time element: {problem}"
    return None


def _url_unescape_problem(text: str) -> str | None:
    """Go's ``url`` unescape error: a ``%`` not followed by two hex digits."""
    for index, char in enumerate(text):
        if char == "%" and not re.fullmatch(
            r"[0-9a-fA-F]{2}", text[index + 1 : index + 3]
        ):
            return f"invalid URL escape {_go_quote(text[index : index + 3])}"
    return None


def _host_problem(host: str) -> str | None:
    """Go's ``url.parseHost`` error for the host (and port) of an authority."""
    if host.startswith("["):
        closing = host.rfind("]")
        if closing < 0:
            return "missing ']' in host"
        port = host[closing + 1 :]
        if port and not re.fullmatch(r":[0-9]*", port):
            return f"invalid port {_go_quote(port)} after host"
        if problem := _parse_addr(unquote(host[1:closing])):
            return f"invalid host: {problem}"
        return None
    if ":" in host:
        port = host[host.index(":") :]
        if not re.fullmatch(r":[0-9]*", port):
            return f"invalid port {_go_quote(port)} after host"
    if problem := _url_unescape_problem(host):
        return problem
    for char in host:
        if char.isascii() and not (char.isalnum() or char in "-._~!$&'()*+,;=:[]<>\"%"):
            return f"invalid character {_go_quote(char)} in host name"
    return None


def _parse_url(text: str) -> tuple[bool, str | None]:
    """Go's ``url.Parse``: whether the URL is absolute (has a scheme), or its error."""
    reference, _, fragment = text.partition("#")

    def failed(problem: str, whole: str = reference) -> tuple[bool, str | None]:
        return False, f"parse {_go_quote(whole)}: {problem}"

    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return failed("net/url: invalid control character in URL")
    scheme, rest = "", reference
    for index, char in enumerate(reference):
        if char.isascii() and char.isalpha():
            continue
        if char.isascii() and (char.isdigit() or char in "+-."):
            if index == 0:
                break
            continue
        if char == ":":
            if index == 0:
                return failed("missing protocol scheme")
            scheme, rest = reference[:index], reference[index + 1 :]
        break
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return True, None  # opaque: mailto:x, urn:y
        if ":" in rest.partition("/")[0]:
            return failed("first path segment in URL cannot contain colon")
    elif rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        if problem := _host_problem(authority.rpartition("@")[2]):
            return failed(problem)
        rest = slash + path
    if problem := _url_unescape_problem(rest):
        return failed(problem)
    if fragment and (problem := _url_unescape_problem(fragment)):
        return failed(problem, text)
    return bool(scheme), None


def _resource_identifier(reference: bool) -> Callable[[str], str | None]:
    """uri/iri (absolute) and uri-reference/iri-reference: Helm's validator checks them alike."""

    def check(text: str) -> str | None:
        if reference and "\\" in text:
            return "contains \\"
        absolute, problem = _parse_url(text)
        if problem:
            return problem
        return None if reference or absolute else "relative url"

    return check


def _uri_template(text: str) -> str | None:
    _, problem = _parse_url(text)
    if problem:
        return problem
    path = text.partition("#")[0].partition("?")[0]
    for token in path.split("/"):
        open_brace = False
        for char in token:
            if char in "{}":
                if (char == "{") == open_brace:
                    return "nested curly braces"
                open_brace = not open_brace
        if open_brace:
            return "no matching closing brace"
    return None


def _period(text: str) -> str | None:
    if "/" not in text:
        return "missing slash"
    start, _, end = text.partition("/")
    if start.startswith("P"):
        if problem := _duration(start):
            return f"invalid start duration: {problem}"
        if problem := _date_time(end):
            return f"invalid end date-time: {problem}"
        return None
    if problem := _date_time(start):
        return f"invalid start date-time: {problem}"
    if end.startswith("P"):
        if problem := _duration(end):
            return f"invalid end duration: {problem}"
    elif problem := _date_time(end):
        return f"invalid end date-time: {problem}"
    return None


def _semver(text: str) -> str | None:
    def identifier_problem(identifier: str, what: str) -> str | None:
        for char in identifier:
            if not (char.isascii() and (char.isalnum() or char == "-")):
                return f"invalid character {_go_quote_rune(char)} in {what} identifier"
        return None

    if "+" in text:
        text, _, build = text.partition("+")
        if build == "":
            return "build is empty"
        for identifier in build.split("."):
            if identifier == "":
                return "build identifier is empty"
            if problem := identifier_problem(identifier, "build"):
                return problem
    if "-" in text:
        text, _, pre_release = text.partition("-")
        for identifier in pre_release.split("."):
            if identifier == "":
                return "pre-release identifier is empty"
            if problem := identifier_problem(identifier, "pre-release"):
                return problem
            if identifier.isdigit() and len(identifier) > 1 and identifier[0] == "0":
                return "pre-release numeric identifier starts with zero"
    versions = text.split(".")
    if len(versions) != 3:
        return "versionCore must have 3 numbers separated by dot"
    for name, version in zip(("major", "minor", "patch"), versions, strict=True):
        if version == "":
            return f"{name} is empty"
        if len(version) > 1 and version[0] == "0":
            return f"{name} starts with zero"
        if not (version.isdigit() and version.isascii()):
            return f"{name} contains non-digit"
    return None


# Python's regular-expression errors as Go's regexp names them (the common ones).
_REGEX_PROBLEMS = (
    ("missing ), unterminated subpattern", "missing closing )"),
    ("unterminated character set", "missing closing ]"),
    ("unbalanced parenthesis", "unexpected )"),
    ("nothing to repeat", "missing argument to repetition operator"),
    ("multiple repeat", "invalid nested repetition operator"),
    ("bad escape", "invalid escape sequence"),
)


def _regex(text: str) -> str | None:
    """Go's regexp compile error, judged with Python's ``re`` (RE2 and Python differ at the edges)."""
    try:
        re.compile(text)
    except re.error as exc:
        code = next(
            (go for python, go in _REGEX_PROBLEMS if str(exc.msg).startswith(python)),
            str(exc.msg),
        )
        return f"error parsing regexp: {code}: `{text}`"
    return None


_FORMATS: dict[str, Callable[[str], str | None]] = {
    "json-pointer": _json_pointer,
    "relative-json-pointer": _relative_json_pointer,
    "uuid": _uuid,
    "duration": _duration,
    "period": _period,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "hostname": _hostname,
    "email": _email,
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "uri": _resource_identifier(reference=False),
    "iri": _resource_identifier(reference=False),
    "uri-reference": _resource_identifier(reference=True),
    "iri-reference": _resource_identifier(reference=True),
    "uri-template": _uri_template,
    "semver": _semver,
    "regex": _regex,
}


def _collect(
    chart: Chart, values: dict[str, Any], violations: dict[str, list[tuple[str, str]]]
) -> None:
    if chart.schema is not None:
        found = _schema_violations(chart, chart.schema, values)
        if found:
            violations.setdefault(chart.name, []).extend(found)
    for sub in chart.dependencies:
        sub_values = values.get(sub.name)
        if sub_values is None:
            continue  # nothing to validate, as in Helm
        if not isinstance(sub_values, dict):
            violations.setdefault(sub.name, []).append(
                (
                    "",
                    f"invalid type for values: expected object (map), got {type(sub_values).__name__}",
                )
            )
            continue
        _collect(sub, sub_values, violations)


def validate_values(chart: Chart, values: dict[str, Any]) -> None:
    """Validate the coalesced ``values`` of ``chart`` against the values.schema.json of the
    chart and of every subchart (each against ``values[sub.name]``).

    Returns None when every schema is satisfied (or there is none). Raises
    SchemaValidationError listing every violation in Helm's format::

        values don't meet the specifications of the schema(s) in the following chart(s):
        mychart:
        - at '/age': minimum: got -5, want 0

    with ``.violations == {chart_name: [(json_pointer, message), …]}`` (the pointer as Helm
    quotes it, the message with any nested causes on indented lines); also, with empty
    violations, for a schema file that is not JSON or not a valid schema, or a ``$ref`` that
    cannot be resolved (the message names the chart's schema file).
    """
    violations: dict[str, list[tuple[str, str]]] = {}
    _collect(chart, values, violations)
    if not violations:
        return
    # Helm ends each chart's list with a newline, so its ``Error:`` line is followed by a blank one.
    lines = [_HEADLINE]
    for name, found in violations.items():
        lines.append(f"{name}:")
        lines.extend(f"- at '{pointer}': {message}" for pointer, message in found)
    raise SchemaValidationError("\n".join(lines) + "\n", violations)
