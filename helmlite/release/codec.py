"""Helm's storage encoding of a release: ``base64(gzip(json))``.

``encode`` is what Helm's ``encodeRelease`` produces (``pkg/storage/driver/util.go``): the
release JSON, gzipped at best compression, base64 (standard alphabet, padded). The JSON text
is written the way Go's ``encoding/json`` writes it (``release_json``): no spaces, ``<``, ``>``,
``&``, U+2028 and U+2029 escaped, non-ASCII left as UTF-8, floats in Go's shortest form
(``1`` for 1.0, ``1e-7``, ``1e+21``), so a record helmlite writes is byte-comparable with one
Helm writes. The gzip header is Go's (mtime 0), so the same release always encodes to the same text.

``decode`` accepts what Helm accepts: base64 of gzipped JSON, or base64 of plain JSON (releases
written before Helm compressed them), told apart by the gzip magic ``1f 8b 08``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
import zlib
from typing import Any

from helmlite.release.model import Release, ReleaseDecodeError

__all__ = ["MAX_RELEASE_JSON_BYTES", "decode", "encode", "release_json"]

_GZIP_MAGIC = b"\x1f\x8b\x08"
_GO_GZIP_HEADER = _GZIP_MAGIC + b"\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
# Kubernetes caps a stored object at 1 MiB of (compressed) data; a release JSON inflating past
# this is not a release but a gzip bomb, and is refused before it exhausts memory.
MAX_RELEASE_JSON_BYTES = 64 * 1024 * 1024
# Characters Go's encoder escapes that Python's (ensure_ascii=False) leaves as they are.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _go_float(value: float) -> str:
    """A float64 as Go's ``encoding/json`` writes it (shortest digits, 'f' or 'e' form)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    text = repr(value)  # Python's repr is the shortest text that round-trips, as Go's is
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exp_text = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    exponent = int(exp_text or "0") - len(frac_part)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    # ``scientific`` is the power of ten of the first digit.
    scientific = len(digits) - 1 + exponent
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{head}e{'-' if scientific < 0 else '+'}{abs(scientific)}"
    if scientific >= len(digits) - 1:
        return sign + digits + "0" * (scientific - len(digits) + 1)
    if scientific >= 0:
        return f"{sign}{digits[: scientific + 1]}.{digits[scientific + 1 :]}"
    return f"{sign}0.{'0' * (-scientific - 1)}{digits}"


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False).translate(_GO_ESCAPES))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            _write(str(key), out)
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_go_float(value))
    else:
        raise TypeError(f"json: unsupported type {type(value).__name__} in release record")


def release_json(release: Release) -> str:
    """The release as the compact JSON text Go's ``json.Marshal`` gives for Helm's struct.

    Raises TypeError for a value JSON cannot hold and ValueError for NaN or infinity.
    """
    out: list[str] = []
    _write(release.to_json(), out)
    return "".join(out)


def _gzip(data: bytes) -> bytes:
    """A gzip member with the header Go's ``gzip.NewWriterLevel(w, BestCompression)`` writes:
    no name, mtime 0, XFL 2 (best compression), OS 255 (unknown). Python's own gzip writes the
    OS byte of the running system, which would make the same release encode differently."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflater.compress(data) + deflater.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _GO_GZIP_HEADER + body + trailer


def encode(release: Release) -> str:
    """``base64(gzip(json))`` of the release, as Helm stores it; deterministic (gzip mtime 0)."""
    return base64.b64encode(_gzip(release_json(release).encode("utf-8"))).decode("ascii")


def _gunzip(data: bytes) -> bytes:
    """Inflate a gzip stream, refusing output beyond MAX_RELEASE_JSON_BYTES."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, MAX_RELEASE_JSON_BYTES + 1)
    if len(out) > MAX_RELEASE_JSON_BYTES:
        raise ReleaseDecodeError(f"release data inflates beyond {MAX_RELEASE_JSON_BYTES} bytes")
    if not inflater.eof:
        raise ReleaseDecodeError("release data is not valid gzip: truncated stream")
    return out


def decode(text: str | bytes) -> Release:
    """Read a stored release (``base64(gzip(json))`` or ``base64(json)``).

    Raises ReleaseDecodeError when the text is not base64, the gzip stream is corrupt or too
    large, the JSON does not parse, or it is not a release record.
    """
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReleaseDecodeError(f"release data is not valid base64: {exc}") from None
    if data[:3] == _GZIP_MAGIC:
        try:
            data = _gunzip(data)
        except zlib.error as exc:
            raise ReleaseDecodeError(f"release data is not valid gzip: {exc}") from None
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseDecodeError(f"release data is not valid JSON: {exc}") from None
    return Release.from_json(obj)
