"""JSON patch (RFC 6902), the ``application/json-patch+json`` patch type, as kube-apiserver applies it.

The API server runs ``gopkg.in/evanphx/json-patch.v4`` (apiserver ``handlers/patch.go``), whose
behaviour differs from the RFC in ways clients can observe, and this module reproduces them:

* ``replace`` of a missing object member adds it (only a missing *array index* is an error);
* negative array indices count from the end (``/list/-1``); ``-`` appends, for ``add`` only;
* a member whose value is ``null`` counts as absent when a path walks *through* it, and a
  ``test`` for ``null`` (or without a ``value``) passes on a missing member;
* the root path ``""`` is not supported; an operation without ``value`` uses ``null``.

Errors are the API server's: a body that is not a list of operation objects is a 400, more than
10,000 operations a 413, and an operation that does not apply a 422 ``Invalid`` whose cause
carries evanphx's message (``testing value /spec/replicas failed: test failed``), word for word.
"""

from __future__ import annotations

import json
import re
from typing import Any

from helmlite.cluster.errors import (
    BadRequestError,
    RequestEntityTooLargeError,
    RequestRejectedError,
)

__all__ = ["MAX_COPY_BYTES", "MAX_OPERATIONS", "apply_json_patch"]

# apiserver handlers/patch.go maxJSONPatchOperations.
MAX_OPERATIONS = 10_000
# apiserver server.Config JSONPatchMaxCopyBytes (3 MiB): bounds the growth ``copy`` can cause.
MAX_COPY_BYTES = 3 * 1024 * 1024

_MISSING = "missing value"  # evanphx ErrMissing
_INVALID_INDEX = "invalid index referenced"  # evanphx ErrInvalidIndex
_GO_INT = re.compile(r"[+-]?[0-9]+\Z")  # what Go's strconv.Atoi accepts
_INT64_MAX = 2**63 - 1

# Go's encoding/json names for the JSON value kinds, as its unmarshal errors print them.
_GO_KIND = {str: "string", bool: "bool", int: "number", float: "number", dict: "object", list: "array"}


class _OperationFailed(Exception):
    """An operation that does not apply; the message is evanphx's error text."""


def apply_json_patch(doc: Any, operations: Any) -> Any:
    """The result of applying the RFC 6902 ``operations`` to ``doc``; neither is modified.

    ``operations`` is the decoded request body. Raises ``BadRequestError`` (400) when it is not
    a list of objects, ``RequestEntityTooLargeError`` (413) over ``MAX_OPERATIONS`` operations,
    and ``RequestRejectedError`` (422) when an operation does not apply.
    """
    if not isinstance(operations, list):
        raise BadRequestError(f"json: cannot unmarshal {_go_kind(operations)} into Go value of type jsonpatch.Patch")
    for operation in operations:
        if not isinstance(operation, dict) and operation is not None:
            raise BadRequestError(
                f"json: cannot unmarshal {_go_kind(operation)} into Go value of type jsonpatch.Operation")
    if len(operations) > MAX_OPERATIONS:
        raise RequestEntityTooLargeError(
            f"The allowed maximum operations in a JSON patch is {MAX_OPERATIONS}, got {len(operations)}")
    result = _copy(doc)
    copied_bytes = [0]
    try:
        for operation in operations:
            _apply_operation(result, operation or {}, copied_bytes)
    except _OperationFailed as failure:
        raise RequestRejectedError(str(failure)) from None
    return result


def _apply_operation(doc: Any, operation: dict[str, Any], copied_bytes: list[int]) -> None:
    kind = operation.get("op")
    if not isinstance(kind, str):
        kind = "unknown"
    if kind == "add":
        path = _path(operation, "path", "add operation failed to decode path", wrap_cause=False)
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(f'add operation does not apply: doc is missing path: "{path}": {_MISSING}')
        _within(f"error in add for path: '{path}'", _add, container, key, _copy(operation.get("value")))
    elif kind == "remove":
        path = _path(operation, "path", "remove operation failed to decode path", wrap_cause=False)
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}')
        _within(f"error in remove for path: '{path}'", _remove, container, key)
    elif kind == "replace":
        path = _path(operation, "path", "replace operation failed to decode path")
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(f"replace operation does not apply: doc is missing path: {path}: {_MISSING}")
        try:
            _get(container, key)
        except _OperationFailed:
            raise _OperationFailed(
                f"replace operation does not apply: doc is missing key: {path}: {_MISSING}") from None
        _set(container, key, _copy(operation.get("value")))
    elif kind == "move":
        source = _path(operation, "from", "move operation failed to decode from")
        container, key = _find_container(doc, source)
        if container is None:
            raise _OperationFailed(
                f"move operation does not apply: doc is missing from path: {source}: {_MISSING}")
        # evanphx names the last path segment, not the whole path, in these two messages.
        value = _within(f"error in move for path: '{key}'", _get, container, key)
        _within(f"error in move for path: '{key}'", _remove, container, key)
        path = _path(operation, "path", "move operation failed to decode path")
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(
                f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}")
        _within(f"error in move for path: '{path}'", _add, container, key, value)
    elif kind == "test":
        path = _path(operation, "path", "test operation failed to decode path")
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(f"test operation does not apply: is missing path: {path}: {_MISSING}")
        actual = _within(f"error in test for path: '{path}'", _get, container, key)
        expected = operation.get("value")
        if not _json_equal(actual, expected):
            raise _OperationFailed(f"testing value {path} failed: test failed")
    elif kind == "copy":
        source = _path(operation, "from", "copy operation failed to decode from")
        container, key = _find_container(doc, source)
        if container is None:
            raise _OperationFailed(
                f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}")
        value = _within(f"error in copy for from: '{source}'", _get, container, key)
        path = _path(operation, "path", "copy operation failed to decode path", wrap_cause=False)
        container, key = _find_container(doc, path)
        if container is None:
            raise _OperationFailed(
                f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}")
        copied_bytes[0] += len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        if copied_bytes[0] > MAX_COPY_BYTES:
            raise _OperationFailed(
                f"Unable to complete the copy, the accumulated size increase of copy is {copied_bytes[0]}, "
                f"exceeding the limit {MAX_COPY_BYTES}")
        _within("error while adding value during copy", _add, container, key, _copy(value))
    else:
        raise _OperationFailed(f"Unexpected kind: {kind}")


def _path(operation: dict[str, Any], field: str, context: str, *, wrap_cause: bool = True) -> str:
    """The ``path``/``from`` pointer of ``operation``. evanphx wraps the decoding cause into
    some messages and replaces it by ``missing value`` in others; ``wrap_cause`` says which."""
    value = operation.get(field)
    if isinstance(value, str):
        return value
    if value is None:
        cause = ("operation missing path field" if field == "path" else "operation, missing from field") \
            + f": {_MISSING}"
    else:
        cause = f"json: cannot unmarshal {_go_kind(value)} into Go value of type string"
    raise _OperationFailed(f"{context}: {cause if wrap_cause else _MISSING}")


def _within(context: str, action: Any, *args: Any) -> Any:
    """Run one container action, prefixing its failure the way evanphx's ``errors.Wrapf`` does."""
    try:
        return action(*args)
    except _OperationFailed as failure:
        raise _OperationFailed(f"{context}: {failure}") from None


def _decode_segment(segment: str) -> str:
    # RFC 6901: "~1" before "~0", so that "~01" decodes to "~1".
    return segment.replace("~1", "/").replace("~0", "~")


def _find_container(doc: Any, path: str) -> tuple[Any, str]:
    """evanphx ``findObject``: the object or array that holds the last segment of ``path``,
    and that segment; ``(None, "")`` when the path does not lead to a container."""
    segments = path.split("/")
    if len(segments) < 2:
        return None, ""
    container = doc
    for segment in segments[1:-1]:
        try:
            child = _get(container, _decode_segment(segment))
        except _OperationFailed:
            return None, ""
        if not isinstance(child, (dict, list)):
            return None, ""
        container = child
    if not isinstance(container, (dict, list)):
        return None, ""
    return container, _decode_segment(segments[-1])


def _index(text: str) -> int:
    """Go's ``strconv.Atoi``, with its error messages."""
    if not _GO_INT.match(text):
        raise _OperationFailed(f'strconv.Atoi: parsing "{text}": invalid syntax')
    value = int(text)
    if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise _OperationFailed(f'strconv.Atoi: parsing "{text}": value out of range')
    return value


def _resolve_index(raw: int, length: int) -> int:
    """A negative index counts from the end; anything outside ``[-length, length)`` fails."""
    index = raw + length if raw < 0 else raw
    if not 0 <= index < length:
        raise _OperationFailed(f"Unable to access invalid index: {raw}: {_INVALID_INDEX}")
    return index


def _get(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)  # a missing member reads as null, without an error
    return container[_resolve_index(_index(key), len(container))]


def _set(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    else:
        container[_resolve_index(_index(key), len(container))] = value


def _add(container: Any, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
        return
    if key == "-":
        container.append(value)
        return
    try:
        raw = _index(key)
    except _OperationFailed as failure:
        raise _OperationFailed(f"value was not a proper array index: '{key}': {failure}") from None
    # Inserting makes the array one longer, so its length is a valid (appending) position.
    container.insert(_resolve_index(raw, len(container) + 1), value)


def _remove(container: Any, key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise _OperationFailed(f"Unable to remove nonexistent key: {key}: {_MISSING}")
        del container[key]
    else:
        del container[_resolve_index(_index(key), len(container))]


def _json_equal(left: Any, right: Any) -> bool:
    """JSON value equality: unlike Python's ``==``, ``true`` is not ``1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, dict):
        return (isinstance(right, dict) and left.keys() == right.keys()
                and all(_json_equal(value, right[key]) for key, value in left.items()))
    if isinstance(left, list):
        return (isinstance(right, list) and len(left) == len(right)
                and all(_json_equal(a, b) for a, b in zip(left, right)))
    if isinstance(left, (int, float)):
        return isinstance(right, (int, float)) and left == right
    return type(left) is type(right) and left == right


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value (much faster than ``copy.deepcopy`` for plain data)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _go_kind(value: Any) -> str:
    return _GO_KIND.get(type(value), "value")
