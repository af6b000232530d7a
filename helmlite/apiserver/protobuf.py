"""The Kubernetes protobuf wire format (``application/vnd.kubernetes.protobuf``) for the few
types client-go's typed clients send: Secret and ConfigMap (Helm's release storage) and
DeleteOptions.

A body is the magic ``k8s\\0`` followed by a ``runtime.Unknown`` message: ``typeMeta``
(apiVersion, kind), ``raw`` (the object's own message), ``contentEncoding``, ``contentType``.
Field numbers are the ``protobuf:"…"`` tags of ``kubernetes/api`` ``core/v1/types.go`` and
apimachinery ``meta/v1/types.go``. Decoding yields the object as its JSON form would carry it
(timestamps as RFC 3339 strings, ``bytes`` as base64, ``fieldsV1`` as JSON), so the rest of the
server handles one shape. Encoding writes fields the way Go's generated marshallers do
(non-pointer fields always, in field-number order, map keys sorted), so ``encode_object`` of a
decoded client-go body gives back the same bytes.

Hand-written and bounded (body size, message nesting), with no protobuf dependency.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from helmlite.cluster.errors import (
    BadRequestError,
    RequestEntityTooLargeError,
    UnsupportedMediaTypeError,
)

__all__ = ["MAGIC", "MAX_BODY_BYTES", "decode_delete_options", "decode_object", "encode_object"]

MAGIC = b"k8s\x00"
# kube-apiserver's default --max-request-body-bytes (3 MiB).
MAX_BODY_BYTES = 3 * 1024 * 1024
# Deeper than any message this module knows (Unknown → Secret → ObjectMeta → ManagedFields → Time).
_MAX_DEPTH = 8
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
    """Typed access to one parsed message, at a known nesting depth."""

    def __init__(self, data: bytes, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _malformed(f"messages nested deeper than {_MAX_DEPTH}")
        if not isinstance(data, bytes):
            raise _malformed("expected an embedded message")
        self.fields = _parse(data)
        self.depth = depth

    def _last(self, number: int) -> Any:
        values = self.fields.get(number)
        return values[-1] if values else None  # protobuf: the last occurrence wins

    def string(self, number: int) -> str | None:
        raw = self._last(number)
        if raw is None:
            return None
        if not isinstance(raw, bytes):
            raise _malformed(f"field {number} should be a string")
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise _malformed(f"field {number} is not valid UTF-8") from None

    def strings(self, number: int) -> list[str]:
        return [_text(raw, number) for raw in self.fields.get(number, [])]

    def raw_bytes(self, number: int) -> bytes | None:
        raw = self._last(number)
        if raw is not None and not isinstance(raw, bytes):
            raise _malformed(f"field {number} should be bytes")
        return raw

    def int64(self, number: int) -> int | None:
        raw = self._last(number)
        if raw is None:
            return None
        if not isinstance(raw, int):
            raise _malformed(f"field {number} should be a varint")
        return raw - (1 << 64) if raw >= 1 << 63 else raw

    def boolean(self, number: int) -> bool | None:
        raw = self.int64(number)
        return None if raw is None else raw != 0

    def message(self, number: int) -> _Message | None:
        raw = self._last(number)
        return None if raw is None else _Message(raw, self.depth + 1)

    def messages(self, number: int) -> list[_Message]:
        return [_Message(raw, self.depth + 1) for raw in self.fields.get(number, [])]

    def string_map(self, number: int, value: Callable[[bytes | None], Any]) -> dict[str, Any]:
        """A ``map<string, …>``: repeated entries ``{1: key, 2: value}``."""
        result: dict[str, Any] = {}
        for entry in self.messages(number):
            result[entry.string(1) or ""] = value(entry.raw_bytes(2))
        return result


def _text(raw: Any, number: int) -> str:
    if not isinstance(raw, bytes):
        raise _malformed(f"field {number} should be a string")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise _malformed(f"field {number} is not valid UTF-8") from None


def _as_text(raw: bytes | None) -> str:
    return _text(raw or b"", 2)


def _as_base64(raw: bytes | None) -> str:
    return base64.b64encode(raw or b"").decode()


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
    return api_version, kind, _Message(unknown.raw_bytes(2) or b"", 1)


def decode_object(body: bytes) -> dict[str, Any]:
    """The object in a protobuf request body, shaped as its JSON form.

    Raises ``UnsupportedMediaTypeError`` (415) for kinds other than v1 Secret and ConfigMap,
    ``BadRequestError`` (400) for a malformed body and ``RequestEntityTooLargeError`` (413) over
    ``MAX_BODY_BYTES``.
    """
    api_version, kind, message = _unwrap(body)
    decoder = _OBJECT_DECODERS.get((api_version, kind))
    if decoder is None:
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES,
            f"helmlite decodes protobuf only for v1 Secret and ConfigMap, not {api_version or '?'} "
            f"{kind or '?'}; send JSON")
    obj: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    obj.update(decoder(message))
    return obj


def decode_delete_options(body: bytes) -> dict[str, Any]:
    """The DeleteOptions in a protobuf DELETE body, shaped as their JSON form (same errors as
    ``decode_object``)."""
    api_version, kind, message = _unwrap(body)
    if kind != "DeleteOptions":
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES, f"expected DeleteOptions in the DELETE body, got {api_version} {kind}")
    options: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    _put(options, "gracePeriodSeconds", message.int64(1))
    preconditions = message.message(2)
    if preconditions is not None:
        options["preconditions"] = {}
        _put(options["preconditions"], "uid", preconditions.string(1))
        _put(options["preconditions"], "resourceVersion", preconditions.string(2))
    _put(options, "orphanDependents", message.boolean(3))
    _put(options, "propagationPolicy", message.string(4))
    if message.fields.get(5):
        options["dryRun"] = message.strings(5)
    return options


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless the value is absent or a zero Go's JSON encoder would omit."""
    if value is not None and value != "" and value != {} and value != []:
        target[key] = value


def _decode_time(message: _Message | None) -> str | None:
    """metav1.Time: seconds since the epoch (nanos are not carried by its JSON form)."""
    if message is None:
        return None
    seconds = message.int64(1) or 0
    if seconds == 0 and not message.int64(2):
        return None  # Go's zero time marshals to an empty message
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed(f"timestamp {seconds} is out of range") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode_metadata(message: _Message | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if message is None:
        return meta
    for number, key in ((1, "name"), (2, "generateName"), (3, "namespace"), (4, "selfLink"), (5, "uid"),
                        (6, "resourceVersion")):
        _put(meta, key, message.string(number))
    if message.int64(7):
        meta["generation"] = message.int64(7)
    _put(meta, "creationTimestamp", _decode_time(message.message(8)))
    _put(meta, "deletionTimestamp", _decode_time(message.message(9)))
    _put(meta, "deletionGracePeriodSeconds", message.int64(10))
    _put(meta, "labels", message.string_map(11, _as_text))
    _put(meta, "annotations", message.string_map(12, _as_text))
    _put(meta, "ownerReferences", [_decode_owner_reference(ref) for ref in message.messages(13)])
    _put(meta, "finalizers", message.strings(14))
    _put(meta, "managedFields", [_decode_managed_fields(entry) for entry in message.messages(17)])
    return meta


def _decode_owner_reference(message: _Message) -> dict[str, Any]:
    ref: dict[str, Any] = {}
    for number, key in ((5, "apiVersion"), (1, "kind"), (3, "name"), (4, "uid")):
        ref[key] = message.string(number) or ""
    _put(ref, "controller", message.boolean(6))
    _put(ref, "blockOwnerDeletion", message.boolean(7))
    return ref


def _decode_managed_fields(message: _Message) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for number, key in ((1, "manager"), (2, "operation"), (3, "apiVersion")):
        _put(entry, key, message.string(number))
    _put(entry, "time", _decode_time(message.message(4)))
    _put(entry, "fieldsType", message.string(6))
    fields_v1 = message.message(7)
    if fields_v1 is not None:
        raw = fields_v1.raw_bytes(1) or b"{}"
        try:
            entry["fieldsV1"] = json.loads(raw)
        except ValueError:
            raise _malformed("managedFields fieldsV1 is not JSON") from None
    _put(entry, "subresource", message.string(8))
    return entry


def _decode_secret(message: _Message) -> dict[str, Any]:
    secret: dict[str, Any] = {"metadata": _decode_metadata(message.message(1))}
    _put(secret, "data", message.string_map(2, _as_base64))
    _put(secret, "type", message.string(3))
    _put(secret, "stringData", message.string_map(4, _as_text))
    _put(secret, "immutable", message.boolean(5))
    return secret


def _decode_config_map(message: _Message) -> dict[str, Any]:
    config_map: dict[str, Any] = {"metadata": _decode_metadata(message.message(1))}
    _put(config_map, "data", message.string_map(2, _as_text))
    _put(config_map, "binaryData", message.string_map(3, _as_base64))
    _put(config_map, "immutable", message.boolean(4))
    return config_map


_OBJECT_DECODERS: dict[tuple[str, str], Callable[[_Message], dict[str, Any]]] = {
    ("v1", "Secret"): _decode_secret,
    ("v1", "ConfigMap"): _decode_config_map,
}


# --- encoding ----------------------------------------------------------------------------------

def encode_object(obj: Mapping[str, Any]) -> bytes:
    """The protobuf body for a v1 Secret or ConfigMap in its JSON form (the inverse of
    ``decode_object``); raises ``UnsupportedMediaTypeError`` (415) for other kinds and
    ``BadRequestError`` (400) for values of the wrong type (e.g. Secret data not base64)."""
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    encoder = _OBJECT_ENCODERS.get((api_version, kind))
    if encoder is None:
        raise UnsupportedMediaTypeError.accepting(
            _JSON_MEDIA_TYPES,
            f"helmlite encodes protobuf only for v1 Secret and ConfigMap, not {api_version or '?'} {kind or '?'}")
    type_meta = _length_field(1, api_version.encode()) + _length_field(2, kind.encode())
    unknown = (_length_field(1, type_meta) + _length_field(2, encoder(obj))
               + _length_field(3, b"") + _length_field(4, b""))
    return MAGIC + unknown


def _string_field(number: int, value: Any) -> bytes:
    return _length_field(number, ("" if value is None else str(value)).encode())


def _encode_map(number: int, entries: Any, encode_value: Callable[[Any], bytes]) -> bytes:
    if entries is None:
        return b""
    if not isinstance(entries, Mapping):
        raise BadRequestError(f"expected a map for protobuf field {number}, got {type(entries).__name__}")
    return b"".join(
        _length_field(number, _string_field(1, key) + _length_field(2, encode_value(entries[key])))
        for key in sorted(entries))


def _utf8(value: Any) -> bytes:
    return ("" if value is None else str(value)).encode()


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


def _optional_bool(number: int, value: Any) -> bytes:
    return b"" if value is None else _varint_field(number, 1 if value else 0)


def _optional_int(number: int, value: Any) -> bytes:
    return b"" if value is None else _varint_field(number, int(value))


def _iterate(values: Any) -> Iterator[Any]:
    return iter(values or ())


def _encode_metadata(meta: Mapping[str, Any]) -> bytes:
    out = b"".join(_string_field(number, meta.get(key)) for number, key in (
        (1, "name"), (2, "generateName"), (3, "namespace"), (4, "selfLink"), (5, "uid"), (6, "resourceVersion")))
    out += _varint_field(7, int(meta.get("generation") or 0))
    out += _length_field(8, _encode_time(meta.get("creationTimestamp")))
    if meta.get("deletionTimestamp"):
        out += _length_field(9, _encode_time(meta["deletionTimestamp"]))
    out += _optional_int(10, meta.get("deletionGracePeriodSeconds"))
    out += _encode_map(11, meta.get("labels"), _utf8)
    out += _encode_map(12, meta.get("annotations"), _utf8)
    for ref in _iterate(meta.get("ownerReferences")):
        out += _length_field(13, _string_field(1, ref.get("kind")) + _string_field(3, ref.get("name"))
                             + _string_field(4, ref.get("uid")) + _string_field(5, ref.get("apiVersion"))
                             + _optional_bool(6, ref.get("controller"))
                             + _optional_bool(7, ref.get("blockOwnerDeletion")))
    for finalizer in _iterate(meta.get("finalizers")):
        out += _string_field(14, finalizer)
    for entry in _iterate(meta.get("managedFields")):
        body = _string_field(1, entry.get("manager")) + _string_field(2, entry.get("operation"))
        body += _string_field(3, entry.get("apiVersion"))
        if entry.get("time"):
            body += _length_field(4, _encode_time(entry["time"]))
        body += _string_field(6, entry.get("fieldsType"))
        if entry.get("fieldsV1") is not None:
            raw = json.dumps(entry["fieldsV1"], separators=(",", ":")).encode()
            body += _length_field(7, _length_field(1, raw))
        body += _string_field(8, entry.get("subresource"))
        out += _length_field(17, body)
    return out


def _encode_secret(obj: Mapping[str, Any]) -> bytes:
    out = _length_field(1, _encode_metadata(obj.get("metadata") or {}))
    out += _encode_map(2, obj.get("data"), _from_base64)
    out += _string_field(3, obj.get("type"))
    out += _encode_map(4, obj.get("stringData"), _utf8)
    return out + _optional_bool(5, obj.get("immutable"))


def _encode_config_map(obj: Mapping[str, Any]) -> bytes:
    out = _length_field(1, _encode_metadata(obj.get("metadata") or {}))
    out += _encode_map(2, obj.get("data"), _utf8)
    out += _encode_map(3, obj.get("binaryData"), _from_base64)
    return out + _optional_bool(4, obj.get("immutable"))


_OBJECT_ENCODERS: dict[tuple[str, str], Callable[[Mapping[str, Any]], bytes]] = {
    ("v1", "Secret"): _encode_secret,
    ("v1", "ConfigMap"): _encode_config_map,
}
