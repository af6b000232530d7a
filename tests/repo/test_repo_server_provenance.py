"""Provenance files as the repository server reads them (the signature is the client's business)."""

from __future__ import annotations

import pytest

from helmlite.repo.server.provenance import (
    MAX_PROVENANCE_BYTES,
    InvalidProvenance,
    parse_provenance,
)

DIGEST = "cd23b7cea8eb593b8401f7fbb87b466987baeb19752789f44fa280c266a788d4"

# The shape `helm package --sign` writes: armour header, Chart.yaml, "...", files, signature.
HELM_PROV = f"""\
-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

apiVersion: v2
appVersion: 1.16.0
description: A Helm chart for Kubernetes
keywords:
- - web
name: mychart
type: application
version: 0.1.0

...
files:
  mychart-0.1.0.tgz: sha256:{DIGEST}
-----BEGIN PGP SIGNATURE-----

wsBcBAEBCgAQBQJh5E3kCRBDwOBKR4Q0VwAAi5QIAJn2
=xNTe
-----END PGP SIGNATURE-----
"""


def test_helm_provenance_file_is_read() -> None:
    prov = parse_provenance(HELM_PROV.encode())
    assert (prov.name, prov.version) == ("mychart", "0.1.0")
    assert prov.digest_of("mychart-0.1.0.tgz") == DIGEST
    assert prov.digest_of("other.tgz") is None


def test_crlf_line_endings_are_accepted() -> None:
    assert parse_provenance(HELM_PROV.replace("\n", "\r\n").encode()).name == "mychart"


@pytest.mark.parametrize("text, message", [
    ("hello", "must start with"),
    (HELM_PROV.replace("-----END PGP SIGNATURE-----\n", ""), "incomplete"),
    (HELM_PROV.replace("-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP XXX-----"), "incomplete"),
    (HELM_PROV.replace("\n...\n", "\n"), "no '...' line"),
    (HELM_PROV.replace("name: mychart\n", ""), "name"),
    (HELM_PROV.replace("version: 0.1.0", "version: banana"), "SemVer"),
    (HELM_PROV.replace(f"sha256:{DIGEST}", "md5:abc"), "bad digest"),
    (HELM_PROV.replace(f"  mychart-0.1.0.tgz: sha256:{DIGEST}\n", ""), "no files section"),
])
def test_malformed_provenance_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidProvenance, match=message):
        parse_provenance(text.encode())


def test_oversized_and_binary_provenance_is_refused() -> None:
    with pytest.raises(InvalidProvenance, match="larger than"):
        parse_provenance(b"x" * (MAX_PROVENANCE_BYTES + 1))
    with pytest.raises(InvalidProvenance, match="not UTF-8"):
        parse_provenance(b"\xff\xfe\x00")
