"""Provenance files (``NAME-VERSION.tgz.prov``) as a repository server checks them on upload.

A provenance file is an OpenPGP clear-signed message whose body is the chart's Chart.yaml, a
``...`` line, and a ``files:`` map of package file name to ``sha256:<hex>`` (Helm's
``pkg/provenance``). The server holds no keyring, so it does not verify the signature (that
is the client's job with ``--verify``); it checks what a server can: the armour is complete,
the body names a valid chart and version, and the ``files:`` digest matches the package it is
stored beside — so a ``.prov`` that can never verify is refused instead of served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from helmlite.errors import HelmliteError

__all__ = ["MAX_PROVENANCE_BYTES", "InvalidProvenance", "Provenance", "parse_provenance"]

MAX_PROVENANCE_BYTES = 1024 * 1024
"""Largest provenance file accepted (real ones are a few kilobytes: Chart.yaml plus a signature)."""

_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"
_END = "-----END PGP SIGNATURE-----"
_SHA256 = re.compile(r"^sha256:([0-9a-f]{64})$")


class InvalidProvenance(HelmliteError):
    """Bytes that are not a usable provenance file; the message says why."""


@dataclass(frozen=True)
class Provenance:
    """What a provenance file claims: the chart it signs and the digests of the signed files."""

    name: str
    version: str
    files: dict[str, str]  # package file name -> sha256 hex

    def digest_of(self, filename: str) -> str | None:
        """The sha256 hex the signature covers for ``filename``, or None if it is not listed."""
        return self.files.get(filename)


def parse_provenance(data: bytes) -> Provenance:
    """Parse a clear-signed provenance file without verifying its signature.

    Returns the chart name, version and file digests from the signed body. Raises
    ``InvalidProvenance`` for data over ``MAX_PROVENANCE_BYTES``, text that is not a complete
    clear-signed message, a body without a valid Chart.yaml, or a malformed ``files:`` map.
    """
    from helmlite.chart.metadata import parse_metadata

    if len(data) > MAX_PROVENANCE_BYTES:
        raise InvalidProvenance(f"provenance file is larger than the {MAX_PROVENANCE_BYTES}-byte limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidProvenance("invalid provenance file: not UTF-8 text") from None
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != _BEGIN:
        raise InvalidProvenance(f"invalid provenance file: it must start with {_BEGIN}")
    try:
        blank = lines.index("", 1)  # armour headers (Hash: SHA512) end at the first empty line
        signature = lines.index(_SIGNATURE, blank)
        lines.index(_END, signature)
    except ValueError:
        raise InvalidProvenance("invalid provenance file: incomplete PGP clear-signed message") from None
    # RFC 4880 §7.1 dash-escaping: signed lines that begin with "-" are sent as "- -…".
    body = [line.removeprefix("- ") for line in lines[blank + 1 : signature]]
    try:
        separator = body.index("...")
    except ValueError:
        raise InvalidProvenance("invalid provenance file: no '...' line between Chart.yaml and files") from None
    chart_yaml = "\n".join(body[:separator]).encode("utf-8")
    try:
        metadata = parse_metadata(chart_yaml, "provenance file: Chart.yaml")
    except HelmliteError as err:
        raise InvalidProvenance(f"invalid provenance file: {err}") from None
    return Provenance(metadata.name, metadata.version, _parse_files("\n".join(body[separator + 1 :])))


def _parse_files(text: str) -> dict[str, str]:
    try:
        doc = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        raise InvalidProvenance("invalid provenance file: the files section is not YAML") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict) or not files:
        raise InvalidProvenance("invalid provenance file: no files section")
    out: dict[str, str] = {}
    for name, value in files.items():
        match = _SHA256.match(value) if isinstance(value, str) else None
        if not isinstance(name, str) or match is None:
            raise InvalidProvenance(f"invalid provenance file: bad digest for {name!r} (want sha256:<hex>)")
        out[name] = match.group(1)
    return out
