"""Sprig's hashing, crypto and random functions against the outputs of the real Helm v4.3.1 (``helm template``).

The tables were recorded by rendering each call with the helm binary (``include`` piped to
``toJson``, so the exact text survives): a row gives the function, its arguments as the runtime
passes them, what Helm printed for the result and the result's ``typeOf``. Error rows give the
text after ``error calling NAME:`` — a Sprig panic and a returned error read the same.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
from cryptography import x509
from sprig_support import assert_error, assert_result

from helmlite.gofmt import go_type
from helmlite.render.gotemplate.funcs import sprig_crypto  # noqa: F401 - registers its functions
from helmlite.render.gotemplate.funcspec import REGISTRY

# --- helm table CASES
CASES = [
    ('sha1sum', ('',), 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'string'),
    ('sha1sum', ('hello',), 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d', 'string'),
    ('sha1sum', ('héllo',), '35b5ea45c5e41f78b46a937cc74d41dfea920890', 'string'),
    ('sha256sum', ('',), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'string'),
    ('sha256sum', ('hello',), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', 'string'),
    ('sha256sum', ('héllo\n',), 'b95becd154aa095f76c4ca47a5aeb8350d6dfcb838404edfc9dae06628de938d', 'string'),
    ('sha512sum', ('',), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e', 'string'),
    ('sha512sum', ('hello',), '9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043', 'string'),
    ('adler32sum', ('',), '1', 'string'),
    ('adler32sum', ('hello',), '103547413', 'string'),
    ('adler32sum', ('Wikipedia',), '300286872', 'string'),
    ('derivePassword', (1, 'long', 'password', 'user', 'example.com'), 'ZedaFaxcZaso9*', 'string'),
    ('derivePassword', (3, 'maximum', 'pässword', 'üser', 'site'), 'm5])PEypj5jh2YRFqmMv', 'string'),
    ('derivePassword', (1, 'pin', 'p', 'u', 's'), '2461', 'string'),
    ('derivePassword', (1, 'basic', 'p', 'u', 's'), 'tGf1NEr0', 'string'),
    ('derivePassword', (1, 'short', 'p', 'u', 's'), 'Rud1', 'string'),
    ('derivePassword', (1, 'medium', 'p', 'u', 's'), 'Rud1@Nel', 'string'),
    ('derivePassword', (1, 'nope', 'p', 'u', 's'), 'cannot find password template nope', 'string'),
    ('derivePassword', (0, 'long', 'p', 'u', 's'), 'WupeHanuFiyi6@', 'string'),
    ('derivePassword', (4294967295, 'long', 'p', 'u', 's'), 'TevwJixhQoko8:', 'string'),
    ('htpasswd', ('us:er', 'pass'), 'invalid username: us:er', 'string'),
    ('genPrivateKey', ('foo',), 'Unknown type foo', 'string'),
    ('bcrypt', ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',), 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes', 'string'),
    ('htpasswd', ('u', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'), 'u:failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes', 'string'),
    ('randAlphaNum', (0,), '', 'string'),
    ('randAlpha', (-1,), '', 'string'),
    ('randNumeric', (0,), '', 'string'),
    ('randAscii', (-5,), '', 'string'),
    ('randBytes', (0,), '', 'string'),
    ('encryptAES', ('k', ''), '', 'string'),
    ('decryptAES', ('k', ''), '', 'string'),
    ('decryptAES', ('secretkey', '0gz750JWOAVceqWIhAXBcq6Z7S1pBYF1IUs1jRloZUw='), 'plaintext', 'string'),
]
# --- end of helm table CASES
# --- helm table ERRORS
ERRORS = [
    ('randBytes', (-1,), 'runtime error: makeslice: len out of range'),
    ('decryptAES', ('secretkey', '!!'), 'illegal base64 data at input byte 0'),
    ('decryptAES', ('secretkey', 'YWJj'), 'runtime error: slice bounds out of range [:16] with capacity 3'),
    ('decryptAES', ('secretkey', 'MDEyMzQ1Njc4OWFiY2RlZg=='), 'runtime error: index out of range [-1]'),
    ('decryptAES', ('secretkey', 'MDEyMzQ1Njc4OWFiY2RlZjAx'), 'crypto/cipher: input not full blocks'),
    ('buildCustomCert', ('!!', 'x'), 'unable to decode base64 certificate'),
    ('buildCustomCert', ('', '!!'), 'unable to decode base64 private key'),
    ('buildCustomCert', ('', ''), 'unable to decode certificate'),
    ('buildCustomCert', ('aGVsbG8=', ''), 'unable to decode certificate'),
    ('genSelfSignedCert', ('x', ['300.1.1.1'], None, 1), 'error parsing ip: 300.1.1.1'),
    ('genSelfSignedCert', ('x', [1], None, 1), 'error parsing ip: 1 is not a string'),
    ('genSelfSignedCert', ('x', None, [2], 1), 'error processing alternate dns name: 2 is not a string'),
    ('genSelfSignedCert', ('x', ['fe80::1%eth0'], None, 1), 'error parsing ip: fe80::1%eth0'),
    ('genCAWithKey', ('x', 1, ''), 'parsing private key: no PEM data in input'),
    ('genCAWithKey', ('x', 1, '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n'), 'parsing private key: no private key data in PEM block of type FOO'),
    ('genCAWithKey', ('x', 1, '-----BEGIN WEIRD PRIVATE KEY-----\nAAAA\n-----END WEIRD PRIVATE KEY-----\n'), 'parsing private key: invalid private key type WEIRD PRIVATE KEY'),
]
# --- end of helm table ERRORS


@pytest.mark.parametrize(("name", "args", "printed", "type_name"), CASES)
def test_result_matches_helm(name: str, args: tuple[Any, ...], printed: str, type_name: str) -> None:
    assert_result(REGISTRY[name].fn, args, printed, type_name)


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_error_matches_helm(name: str, args: tuple[Any, ...], message: str) -> None:
    assert_error(REGISTRY[name].fn, args, message)


# Produced by Helm: `htpasswd "user" "pass"` and `encryptAES "secretkey" "plaintext"`.
HELM_HTPASSWD = "user:$2a$10$OlTYC8P9FBHK02k/f22DFeK32iJvRUK/RcRZhYlScKQ5.jYOIp1GK"
HELM_AES = "0gz750JWOAVceqWIhAXBcq6Z7S1pBYF1IUs1jRloZUw="


def test_bcrypt_hashes_have_helms_shape_and_verify() -> None:
    import bcrypt as bcrypt_lib

    line = REGISTRY["htpasswd"].fn("user", "pass")
    user, _, hashed = line.partition(":")
    assert user == "user" and re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", hashed)
    assert bcrypt_lib.checkpw(b"pass", hashed.encode()) and bcrypt_lib.checkpw(b"pass", HELM_HTPASSWD[5:].encode())
    assert REGISTRY["bcrypt"].fn("pass") != REGISTRY["bcrypt"].fn("pass")


def test_aes_round_trips_and_reads_helms_ciphertext() -> None:
    encrypted = REGISTRY["encryptAES"].fn("secretkey", "plaintext")
    assert len(base64.b64decode(encrypted)) == 32 and encrypted != HELM_AES
    assert REGISTRY["decryptAES"].fn("secretkey", encrypted) == "plaintext"
    assert REGISTRY["decryptAES"].fn("secretkey", HELM_AES) == "plaintext"


def test_random_strings_have_their_alphabet_and_length() -> None:
    alphabets = {"randAlphaNum": r"[A-Za-z0-9]", "randAlpha": r"[A-Za-z]", "randNumeric": r"[0-9]", "randAscii": r"[ -~]"}
    for name, alphabet in alphabets.items():
        assert re.fullmatch(alphabet + "{40}", REGISTRY[name].fn(40)), name
    assert len(base64.b64decode(REGISTRY["randBytes"].fn(12))) == 12
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", REGISTRY["uuidv4"].fn())


@pytest.mark.parametrize(("kind", "header"), [("ecdsa", "EC PRIVATE KEY"), ("ed25519", "PRIVATE KEY"),
                                               ("dsa", "DSA PRIVATE KEY"), ("rsa", "RSA PRIVATE KEY")])
def test_private_keys_use_sprigs_pem_blocks(kind: str, header: str) -> None:
    pem = REGISTRY["genPrivateKey"].fn(kind)
    assert pem.startswith(f"-----BEGIN {header}-----\n") and pem.endswith(f"-----END {header}-----\n")


def _extensions(cert: x509.Certificate) -> dict[str, Any]:
    return {ext.oid._name: (ext.critical, ext.value) for ext in cert.extensions}


def test_certificates_follow_sprigs_template() -> None:
    ca = REGISTRY["genCA"].fn("my-ca", 365)
    assert go_type(ca) == "sprig.certificate" and ca.Key.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    ca_cert = x509.load_pem_x509_certificate(ca.Cert.encode())
    assert ca_cert.subject.rfc4514_string() == "CN=my-ca" and ca_cert.issuer == ca_cert.subject
    assert ca_cert.public_key().key_size == 2048 and 0 < ca_cert.serial_number < 2**128
    assert ca_cert.not_valid_after_utc - ca_cert.not_valid_before_utc == dt.timedelta(days=365)
    ca_ext = _extensions(ca_cert)
    assert ca_ext["basicConstraints"][0] is True and ca_ext["basicConstraints"][1].ca is True
    assert ca_ext["keyUsage"][1].key_cert_sign and "subjectKeyIdentifier" in ca_ext
    assert "authorityKeyIdentifier" not in ca_ext

    signed = REGISTRY["genSignedCert"].fn("foo.example", ["10.0.0.1", "::1"], ["a.example"], 30, ca)
    cert = x509.load_pem_x509_certificate(signed.Cert.encode())
    cert.verify_directly_issued_by(ca_cert)
    ext = _extensions(cert)
    assert ext["basicConstraints"][1].ca is False and not ext["keyUsage"][1].key_cert_sign
    assert [u._name for u in ext["extendedKeyUsage"][1]] == ["serverAuth", "clientAuth"]
    assert ext["authorityKeyIdentifier"][1].key_identifier == ca_ext["subjectKeyIdentifier"][1].digest
    san = ext["subjectAltName"][1]
    assert san.get_values_for_type(x509.DNSName) == ["a.example"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["10.0.0.1", "::1"]
    assert "subjectKeyIdentifier" not in ext

    self_signed = REGISTRY["genSelfSignedCertWithKey"].fn("self", None, None, 1, REGISTRY["genPrivateKey"].fn("ecdsa"))
    assert self_signed.Key.startswith("-----BEGIN EC PRIVATE KEY-----")
    again = REGISTRY["genCAWithKey"].fn("ca2", 2, ca.Key)
    assert again.Key == ca.Key and again.Cert != ca.Cert
    rebuilt = REGISTRY["buildCustomCert"].fn(base64.b64encode(ca.Cert.encode()).decode(),
                                             base64.b64encode(ca.Key.encode()).decode())
    assert rebuilt == ca
