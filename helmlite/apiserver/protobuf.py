"""The Kubernetes protobuf wire format (``application/vnd.kubernetes.protobuf``) for the kinds
client-go's typed clients send: Helm's release Secrets, kubectl's imperative ``create``
commands (Deployment, Service, Namespace, Job, CronJob, ServiceAccount, Role, …) and
DeleteOptions.

A body is the magic ``k8s\\0`` followed by a ``runtime.Unknown`` message: ``typeMeta``
(apiVersion, kind), ``raw`` (the object's own message), ``contentEncoding``, ``contentType``.
The object message is read and written by one generic walker over the table in
``protoschema.py`` (message → field number → JSON name, type, shape). Decoding yields the
object as its JSON form would carry it (timestamps as RFC 3339 strings, ``bytes`` as base64,
``IntOrString`` as an int or a string, ``fieldsV1`` as JSON, unset non-pointer fields left out),
so the rest of the server handles one shape. Encoding writes fields the way Go's generated
marshallers do (non-pointer fields always, in field-number order, map keys sorted), so
``encode_object`` of a decoded client-go body gives back the same bytes.

Hand-written and bounded (body size, message nesting), with no protobuf dependency.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from helmlite.apiserver.protoschema import KINDS, FieldSpec, fields_of
from helmlite.cluster.errors import (
    BadRequestError,
    RequestEntityTooLargeError,
    UnsupportedMediaTypeError,
)

__all__ = ["MAGIC", "MAX_BODY_BYTES", "decode_delete_options", "decode_object", "encode_object"]

MAGIC = b"k8s\x00"
# kube-apiserver's default --max-request-body-bytes (3 MiB).
MAX_BODY_BYTES = 3 * 1024 * 1024
# Deeper than any path through the schema (Unknown → CronJob → … → LabelSelectorRequirement is 13).
_MAX_DEPTH = 32
_JSON_MEDIA_TYPES = ("application/json", "application/yaml")

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

Fields = dict[int, list[Any]]  # field number → values in wire order (ints or bytes)

# --- wire level --------------------------------------------------------------------------------

def _malformed(what: str) -> BadRequestError:
    return BadRequestError(f"malformed protobuf body: {what}")


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data):
            raise _malformed("truncated varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
        if shift >= 64:
            raise _malformed("varint longer than 10 bytes")


def _parse(data: bytes) -> Fields:
    """The fields of one message; unknown fields are kept too (callers pick what they know)."""
    fields: Fields = {}
    position = 0
    while position < len(data):
        tag, position = _read_varint(data, position)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise _malformed("field number 0")
        value: Any
        if wire_type == _VARINT:
            value, position = _read_varint(data, position)
        elif wire_type == _LENGTH:
            length, position = _read_varint(data, position)
            if position + length > len(data):
                raise _malformed(f"field {number} runs past the end of its message")
            value = data[position:position + length]
            position += length
        elif wire_type in (_FIXED64, _FIXED32):
            size = 8 if wire_type == _FIXED64 else 4
            if position + size > len(data):
                raise _malformed(f"field {number} runs past the end of its message")
            value = int.from_bytes(data[position:position + size], "little")
            position += size
        else:
            raise _malformed(f"unsupported wire type {wire_type} (field {number})")
        fields.setdefault(number, []).append(value)
    return fields


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are ten-byte two's complement varints
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _tagged(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _length_field(number: int, payload: bytes) -> bytes:
    return _tagged(number, _LENGTH) + _varint(len(payload)) + payload


def _varint_field(number: int, value: int) -> bytes:
    return _tagged(number, _VARINT) + _varint(value)


# --- typed readers -----------------------------------------------------------------------------

class _Message:
    """One parsed message, at a known nesting depth."""

    def __init__(self, data: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _malformed(f"messages nested deeper than {_MAX_DEPTH}")
        if not isinstance(data, bytes):
            raise _malformed("expected an embedded message")
        self.fields = _parse(data)
        self.depth = depth

    def last(self, number: int) -> Any:
        values = self.fields.get(number)
        return values[-1] if values else None  # protobuf: the last occurrence wins

    def string(self, number: int) -> str | None:
        raw = self.last(number)
        return None if raw is None else _text(raw, number)

    def int64(self, number: int) -> int | None:
        raw = self.last(number)
        return None if raw is None else _signed(raw, number)

    def message(self, number: int) -> _Message | None:
        raw = self.last(number)
        return None if raw is None else _Message(raw, self.depth + 1)


def _text(raw: Any, number: int) -> str:
    if not isinstance(raw, bytes):
        raise _malformed(f"field {number} should be a string")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise _malformed(f"field {number} is not valid UTF-8") from None


def _signed(raw: Any, number: int) -> int:
    if not isinstance(raw, int):
        raise _malformed(f"field {number} should be a varint")
    return raw - (1 << 64) if raw >= 1 << 63 else raw


def _unpacked(raw: Any, number: int) -> list[int]:
    """A repeated integer's values: one varint, or a packed run of them."""
    if isinstance(raw, int):
        return [_signed(raw, number)]
    values, position = [], 0
    while position < len(raw):
        value, position = _read_varint(raw, position)
        values.append(_signed(value, number))
    return values


# --- decoding ----------------------------------------------------------------------------------

def _unwrap(body: bytes) -> tuple[str, str, _Message]:
    """The envelope's apiVersion, kind and the object message."""
    if len(body) > MAX_BODY_BYTES:
        raise RequestEntityTooLargeError(f"Request entity too large: limit is {MAX_BODY_BYTES}")
    if not body.startswith(MAGIC):
        raise _malformed("it does not start with the Kubernetes protobuf prefix k8s\\x00")
    unknown = _Message(body[len(MAGIC):], 0)
    type_meta = unknown.message(1)
    api_version = (type_meta.string(1) if type_meta else None) or ""
    kind = (type_meta.string(2) if type_meta else None) or ""
    encoding = unknown.string(3) or ""
    if encoding:
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES, f"protobuf content encoding {encoding!r} is not supported")
    raw = unknown.last(2)
    return api_version, kind, _Message(raw if raw is not None else b"", 1)


def decode_object(body: bytes) -> dict[str, Any]:
    """The object in a protobuf request body, shaped as its JSON form.

    Raises ``UnsupportedMediaTypeError`` (415) for a kind ``protoschema.KINDS`` does not list,
    ``BadRequestError`` (400) for a malformed body and ``RequestEntityTooLargeError`` (413) over
    ``MAX_BODY_BYTES``.
    """
    api_version, kind, message = _unwrap(body)
    name = KINDS.get((api_version, kind))
    if name is None:
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES,
            f"helmlite has no protobuf schema for {api_version or '?'} {kind or '?'}; send it as JSON")
    obj: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    obj.update(_decode_message(name, message))
    return obj


def decode_delete_options(body: bytes) -> dict[str, Any]:
    """The DeleteOptions in a protobuf DELETE body, shaped as their JSON form (same errors as
    ``decode_object``)."""
    api_version, kind, message = _unwrap(body)
    if kind != "DeleteOptions":
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES, f"expected DeleteOptions in the DELETE body, got {api_version} {kind}")
    return {"kind": kind, "apiVersion": api_version, **_decode_message("DeleteOptions", message)}


def _decode_message(name: str, message: _Message) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields_of(name):
        values = message.fields.get(spec.number)
        if not values:
            continue
        if spec.json == "_":  # an embedded struct: its fields inline
            out.update(_decode_message(spec.type, _Message(values[-1], message.depth + 1)))
        elif spec.is_map:
            entries: dict[str, Any] = {}
            for raw in values:
                entry = _Message(raw, message.depth + 1)
                value = entry.last(2)
                entries[entry.string(1) or ""] = _decode_value(spec, value, entry.depth, in_map=True)
            out[spec.json] = entries
        elif spec.repeated:
            if spec.type == "int":
                out[spec.json] = [v for raw in values for v in _unpacked(raw, spec.number)]
            else:
                out[spec.json] = [_decode_value(spec, raw, message.depth) for raw in values]
        else:
            value = _decode_value(spec, values[-1], message.depth)
            if spec.pointer or not _is_zero(value):
                out[spec.json] = value
    return out


def _is_zero(value: Any) -> bool:
    """What Go's non-pointer zero value looks like once decoded (JSON's ``omitempty`` drops it)."""
    return value is None or value == "" or value == 0 or value == {} or value is False


def _decode_value(spec: FieldSpec, raw: Any, depth: int, *, in_map: bool = False) -> Any:
    kind = spec.type
    if kind == "str":
        return _text(raw if raw is not None else b"", spec.number)
    if kind == "int":
        return _signed(raw if raw is not None else 0, spec.number)
    if kind == "bool":
        return _signed(raw if raw is not None else 0, spec.number) != 0
    if kind == "bytes":
        if raw is not None and not isinstance(raw, bytes):
            raise _malformed(f"field {spec.number} should be bytes")
        return base64.b64encode(raw or b"").decode()
    message = _Message(raw if raw is not None else b"", depth + 1)
    if kind == "Time":
        return _decode_time(message)
    if kind == "Quantity":
        return message.string(1) or ""
    if kind == "IntOrString":
        return (message.string(3) or "") if message.int64(1) == 1 else (message.int64(2) or 0)
    if kind == "FieldsV1":
        try:
            return json.loads(message.last(1) or b"{}")
        except (TypeError, ValueError):
            raise _malformed("managedFields fieldsV1 is not JSON") from None
    return _decode_message(kind, message)


def _decode_time(message: _Message) -> str | None:
    """metav1.Time: seconds since the epoch (nanos are not carried by its JSON form)."""
    seconds = message.int64(1) or 0
    if seconds == 0 and not message.int64(2):
        return None  # Go's zero time marshals to an empty message
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed(f"timestamp {seconds} is out of range") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- encoding ----------------------------------------------------------------------------------

def encode_object(obj: Mapping[str, Any]) -> bytes:
    """The protobuf body for an object in its JSON form (the inverse of ``decode_object``);
    raises ``UnsupportedMediaTypeError`` (415) for kinds without a schema and
    ``BadRequestError`` (400) for values of the wrong type (e.g. Secret data not base64)."""
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    name = KINDS.get((api_version, kind))
    if name is None:
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES, f"helmlite has no protobuf schema for {api_version or '?'} {kind or '?'}")
    type_meta = _length_field(1, api_version.encode()) + _length_field(2, kind.encode())
    unknown = (_length_field(1, type_meta) + _length_field(2, _encode_message(name, obj, name))
               + _length_field(3, b"") + _length_field(4, b""))
    return MAGIC + unknown


def _encode_message(name: str, obj: Any, where: str) -> bytes:
    if obj is None:
        obj = {}
    if not isinstance(obj, Mapping):
        raise BadRequestError(f"{where}: expected an object, got {type(obj).__name__}")
    out = bytearray()
    for spec in fields_of(name):
        path = f"{where}.{spec.json}"
        if spec.json == "_":
            out += _length_field(spec.number, _encode_message(spec.type, obj, where))
            continue
        value = obj.get(spec.json)
        if spec.is_map:
            if value is None:
                continue
            if not isinstance(value, Mapping):
                raise BadRequestError(f"{path}: expected a map, got {type(value).__name__}")
            for key in sorted(value):
                entry = _string_field(1, key) + _encode_value(spec, 2, value[key], f"{path}[{key}]")
                out += _length_field(spec.number, entry)
        elif spec.repeated:
            if value is None:
                continue
            if not isinstance(value, list):
                raise BadRequestError(f"{path}: expected a list, got {type(value).__name__}")
            for index, item in enumerate(value):
                out += _encode_value(spec, spec.number, item, f"{path}[{index}]")
        elif value is not None or not spec.pointer:
            out += _encode_value(spec, spec.number, value, path)
    return bytes(out)


def _encode_value(spec: FieldSpec, number: int, value: Any, where: str) -> bytes:
    kind = spec.type
    if kind == "str":
        return _string_field(number, value)
    if kind in ("int", "bool"):
        try:
            return _varint_field(number, int(value or 0))
        except (TypeError, ValueError):
            raise BadRequestError(f"{where}: expected an integer, got {value!r}") from None
    if kind == "bytes":
        return _length_field(number, _from_base64(value))
    if kind == "Time":
        payload = _encode_time(value)
    elif kind == "Quantity":
        payload = _string_field(1, "0" if value is None else value)
    elif kind == "IntOrString":
        if isinstance(value, str):
            payload = _varint_field(1, 1) + _varint_field(2, 0) + _string_field(3, value)
        else:
            payload = _varint_field(1, 0) + _varint_field(2, int(value or 0)) + _string_field(3, "")
    elif kind == "FieldsV1":
        payload = _length_field(1, json.dumps(value, separators=(",", ":")).encode())
    else:
        payload = _encode_message(kind, value, where)
    return _length_field(number, payload)


def _string_field(number: int, value: Any) -> bytes:
    return _length_field(number, ("" if value is None else str(value)).encode())


def _from_base64(value: Any) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (ValueError, TypeError):
        raise BadRequestError(f"illegal base64 data in a bytes field: {str(value)[:40]!r}") from None


def _encode_time(value: Any) -> bytes:
    """metav1.Time: ``{1: seconds, 2: nanos}``, both always written; zero time is empty."""
    if not value:
        return b""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadRequestError(f"timestamp {value!r} is not RFC 3339") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _varint_field(1, int(moment.timestamp())) + _varint_field(2, 0)
