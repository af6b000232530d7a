"""santhosh-tekuri/jsonschema's error tree, order and words, rebuilt from jsonschema's errors.

jsonschema yields a flat stream of errors; santhosh-tekuri (Helm's validator) keeps the failures
of allOf/anyOf/oneOf/contains/propertyNames/$ref sub-schemas as causes under one error. So
``helm_validator_class`` extends jsonschema's validator with keyword functions that collect what
a sub-schema yields into one error whose ``context`` holds it (as jsonschema itself does for
anyOf/oneOf); each defers to jsonschema's own keyword, so validity never changes. Once the
values are known to be invalid, ``helm_violations`` turns that tree into santhosh-tekuri's:

- a failing ``type``, ``const``, ``enum`` or ``format`` hides every other keyword of its schema;
- ``required``/``dependentRequired`` report all missing properties in one line;
- a sub-schema that fails twice under ``allOf``/``anyOf``/``oneOf``/``contains``/``$ref`` shows
  as ``validation failed`` with the two causes below it;
- keywords come in santhosh-tekuri's evaluation order, an object's properties in the order of
  the values (Helm walks a Go map there, so its order changes from run to run; the values' own
  order is the one it prints most often);
- each message in santhosh-tekuri's words (``got string, want number``, ``'anyOf' failed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from helmlite.values.schema.display import (
    display,
    go_int,
    go_number,
    quote,
    quoted_list,
)

__all__ = ["helm_validator_class", "helm_violations"]

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


def helm_validator_class(base: Any) -> Any:
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


def helm_violations(errors: list[Any]) -> list[tuple[str, str]]:
    """The failures behind jsonschema's ``errors`` (from a ``helm_validator_class`` validator,
    for the whole values) as Helm lists them: ``(pointer, message)`` in santhosh-tekuri's order,
    the JSON pointer as Helm prints it between quotes, the message's nested causes on indented
    ``- at …`` lines below it."""
    return [
        (quote(_pointer(failure.location))[1:-1], _message(failure))
        for failure in _evaluate(errors, ())
    ]


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
                message = f"properties {quoted_list(missing)} required, if {quote(name)} exists"
                ranked.append(
                    ((rank, position, 0, 0, order), [_Failure(location, message)])
                )
    return ranked


def _missing_message(missing: list[str]) -> str:
    if len(missing) == 1:
        return f"missing property {quote(missing[0])}"
    return f"missing properties {quoted_list(missing)}"


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
        return [_Failure(location, f"invalid propertyName {quote(instance)}", causes)]
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
    at = " ".join(go_int(index) for index in matched)
    most, least = schema.get("maxContains"), schema.get("minContains")
    if isinstance(most, int) and len(matched) > most:
        return _Failure(location, f"max {go_int(most)} items required to match contains schema, "
                                  f"but matched {go_int(len(matched))} items at {at}")  # fmt: skip
    causes = list(failing.values())
    if isinstance(least, int):
        found = (
            f"matched {go_int(len(matched))} items at {at}"
            if matched
            else "none matched"
        )
        return _Failure(
            location,
            f"min {go_int(least)} items required to match contains schema, but {found}",
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
            else f"value must be {display(expected)}"
        )
    if keyword == "enum":
        if any(isinstance(item, (list, dict)) for item in expected):
            return "'enum' failed"
        if len(expected) == 1:
            return f"value must be {display(expected[0])}"
        return f"value must be one of {', '.join(display(item) for item in expected)}"
    if keyword == "format":
        return f"{display(instance)} is not valid {expected}: {error.cause}"
    if keyword in (
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ):
        return f"{keyword}: got {go_int(len(instance))}, want {go_int(expected)}"
    if keyword == "pattern":
        return f"{quote(instance)} does not match pattern {quote(expected)}"
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
        return f"{keyword}: got {go_number(instance)}, want {go_number(expected)}"
    if keyword == "uniqueItems":
        first, second = _first_duplicate(instance)
        return f"items at {go_int(first)} and {go_int(second)} are equal"
    if keyword == "additionalProperties":
        return f"additional properties {quoted_list(_additional_properties(instance, schema))} not allowed"
    if keyword == "additionalItems":
        allowed = schema.get("items") if isinstance(schema, dict) else None
        extra = len(instance) - (len(allowed) if isinstance(allowed, list) else 0)
        return f"last {go_int(extra)} additionalItem(s) not allowed"
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
        text += f"\n{'  ' * (depth + 1)}- at {quote(_pointer(cause.location))}: {_message(cause, depth + 1)}"
    return text


def _pointer(path: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) from a path of keys and indexes."""
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )
