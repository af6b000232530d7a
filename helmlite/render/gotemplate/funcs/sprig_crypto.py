"""Sprig's hashing, crypto and random functions (crypto.go, strings.go; v3.3.0).

Hashes and ``derivePassword`` (the Master Password algorithm: scrypt, then HMAC-SHA256 picks
a template and its characters) are deterministic. Everything else is random by nature, so only
its shape can match Helm's: ``bcrypt``/``htpasswd`` give ``$2a$10$…`` hashes, the ``gen…``
functions give PEM text (RSA keys are PKCS#1 ``RSA PRIVATE KEY``, ECDSA SEC 1 ``EC PRIVATE
KEY``, Ed25519 PKCS#8 ``PRIVATE KEY``) and certificates built from Go's ``x509`` template:
a 128-bit random serial, the common name as subject, validity from now for ``days``×24h,
key usage digital signature + key encipherment (+ certificate signing for a CA), extended
key usage server + client auth, basic constraints, and Go's key identifiers. Errors a
function only returns in Go (``genPrivateKey "foo"``, a ``:`` in an htpasswd user) come
back as the function's text, as Sprig does.

``cryptography`` and ``bcrypt`` are imported when first needed: most charts never call them.
So are ``hashlib`` (OpenSSL's initialisation), ``hmac``, ``secrets`` and ``uuid``: every
render registers these functions, but a chart calls them a few times at most, where the
function-level import (a ``sys.modules`` lookup, about 80 ns) is lost in the hashing itself.
"""

from __future__ import annotations

import base64
import datetime as _dt
import struct
import zlib
from typing import TYPE_CHECKING, Any

from helmlite.gofmt import fmt_value, go_type
from helmlite.render.gotemplate.funcs.gotypes import CERTIFICATE, UINT32, Certificate
from helmlite.render.gotemplate.funcs.sprig_encoding import CorruptInputError, go_b64decode
from helmlite.render.gotemplate.funcs.sprig_strings import from_go_bytes, go_bytes
from helmlite.render.gotemplate.funcspec import INT, LIST, STRING, FuncError, gofunc

if TYPE_CHECKING:
    from cryptography import x509

__all__: list[str] = []

_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_ASCII = "".join(chr(c) for c in range(32, 127))
_BCRYPT_COST = 10
_RSA_CERT_BITS = 2048
_RSA_KEY_BITS = 4096
_SERIAL_BITS = 128

_MASTER_PASSWORD_SEED = b"com.lyndir.masterpassword"
_PASSWORD_TEMPLATES = {
    "maximum": ("anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"),
    "long": ("CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
             "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
             "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
             "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
             "CvccCvcvCvccno"),
    "medium": ("CvcnoCvc", "CvcCvcno"),
    "short": ("Cvcn",),
    "basic": ("aaanaaan", "aannaaan", "aaannaaa"),
    "pin": ("nnnn",),
}
_TEMPLATE_CHARACTERS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}


@gofunc("sha1sum", STRING)
def sha1sum(s: str) -> str:
    import hashlib

    return hashlib.sha1(go_bytes(s)).hexdigest()


@gofunc("sha256sum", STRING)
def sha256sum(s: str) -> str:
    import hashlib

    return hashlib.sha256(go_bytes(s)).hexdigest()


@gofunc("sha512sum", STRING)
def sha512sum(s: str) -> str:
    import hashlib

    return hashlib.sha512(go_bytes(s)).hexdigest()


@gofunc("adler32sum", STRING)
def adler32sum(s: str) -> str:
    return str(zlib.adler32(go_bytes(s)))


def _random_string(count: int, alphabet: str) -> str:
    import secrets

    # goutils rejects a negative count with an error that Sprig drops.
    return "".join(secrets.choice(alphabet) for _ in range(count)) if count > 0 else ""


@gofunc("randAlphaNum", INT)
def rand_alpha_num(count: int) -> str:
    return _random_string(count, _ALPHA + _DIGITS)


@gofunc("randAlpha", INT)
def rand_alpha(count: int) -> str:
    return _random_string(count, _ALPHA)


@gofunc("randNumeric", INT)
def rand_numeric(count: int) -> str:
    return _random_string(count, _DIGITS)


@gofunc("randAscii", INT)
def rand_ascii(count: int) -> str:
    return _random_string(count, _ASCII)


@gofunc("randBytes", INT, returns_error=True)
def rand_bytes(count: int) -> str:
    if count < 0:
        raise FuncError("runtime error: makeslice: len out of range")
    import secrets

    return base64.b64encode(secrets.token_bytes(count)).decode("ascii")


@gofunc("uuidv4")
def uuidv4() -> str:
    import uuid

    return str(uuid.uuid4())


@gofunc("bcrypt", STRING)
def bcrypt(s: str) -> str:
    import bcrypt as bcrypt_lib

    password = go_bytes(s)
    if len(password) > 72:
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    return bcrypt_lib.hashpw(password, bcrypt_lib.gensalt(_BCRYPT_COST, prefix=b"2a")).decode("ascii")


@gofunc("htpasswd", STRING, STRING)
def htpasswd(username: str, password: str) -> str:
    if ":" in username:
        return f"invalid username: {username}"
    return f"{username}:{bcrypt(password)}"


@gofunc("derivePassword", UINT32, STRING, STRING, STRING, STRING)
def derive_password(counter: int, password_type: str, password: str, user: str, site: str) -> str:
    templates = _PASSWORD_TEMPLATES.get(password_type)
    if templates is None:
        return f"cannot find password template {password_type}"
    import hashlib
    import hmac

    user_bytes, site_bytes = go_bytes(user), go_bytes(site)
    salt = _MASTER_PASSWORD_SEED + struct.pack(">I", len(user_bytes)) + user_bytes
    key = hashlib.scrypt(go_bytes(password), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=2**27)
    message = _MASTER_PASSWORD_SEED + struct.pack(">I", len(site_bytes)) + site_bytes + struct.pack(">I", counter)
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(_TEMPLATE_CHARACTERS[c][seed[i + 1] % len(_TEMPLATE_CHARACTERS[c])]
                   for i, c in enumerate(template))


def _aes_key(password: str) -> bytes:
    return go_bytes(password)[:32].ljust(32, b"\0")


@gofunc("encryptAES", STRING, STRING, returns_error=True)
def encrypt_aes(password: str, plaintext: str) -> str:
    """AES-256-CBC with a random IV in front, PKCS#7 padded, base64; the key is the password
    cut or zero-padded to 32 bytes."""
    if plaintext == "":
        return ""
    import secrets

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    content = go_bytes(plaintext)
    padding = 16 - len(content) % 16
    content += bytes([padding]) * padding
    iv = secrets.token_bytes(16)
    encryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(content) + encryptor.finalize()).decode("ascii")


@gofunc("decryptAES", STRING, STRING, returns_error=True)
def decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    try:
        crypt = go_b64decode(go_bytes(crypt64))
    except CorruptInputError as error:
        raise FuncError(str(error)) from None
    if len(crypt) < 16:
        raise FuncError(f"runtime error: slice bounds out of range [:16] with capacity {len(crypt)}")
    iv, body = crypt[:16], crypt[16:]
    if len(body) % 16:
        raise FuncError("crypto/cipher: input not full blocks")
    if not body:
        raise FuncError("runtime error: index out of range [-1]")
    decryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).decryptor()
    decrypted = decryptor.update(body) + decryptor.finalize()
    # Go trusts the last byte as the padding length, unchecked.
    end = len(decrypted) - decrypted[-1]
    if end < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{end}]")
    return from_go_bytes(decrypted[:end])


def _pem_private_key(key: Any) -> str:
    """Sprig's ``pemBlockForKey``: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    if isinstance(key, ed25519.Ed25519PrivateKey):
        fmt = serialization.PrivateFormat.PKCS8
    else:
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode("ascii")


@gofunc("genPrivateKey", STRING)
def gen_private_key(kind: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    if kind in ("", "rsa"):
        key: Any = rsa.generate_private_key(65537, _RSA_KEY_BITS)
    elif kind == "dsa":
        key = dsa.generate_private_key(2048)
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        return f"Unknown type {kind}"
    return _pem_private_key(key)


def _pem_blocks(text: str) -> tuple[str, bytes] | None:
    """The first PEM block of ``text`` as (type, DER), or None (Go's ``pem.Decode``)."""
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("-----BEGIN ") and line.endswith("-----"):
            kind = line[len("-----BEGIN "):-5]
            end = f"-----END {kind}-----"
            if end in lines[i + 1:]:
                body = "".join(lines[i + 1:lines.index(end, i + 1)])
                try:
                    return kind, base64.b64decode(body, validate=True)
                except ValueError:
                    return None
    return None


def _parse_private_key(pem_text: str) -> Any:
    """Sprig's ``parsePrivateKeyPEM``; ValueError with its message."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    block = _pem_blocks(pem_text)
    if block is None:
        raise ValueError("no PEM data in input")
    kind, der = block
    if kind == "PRIVATE KEY":
        try:
            return serialization.load_der_private_key(der, None)
        except (ValueError, TypeError) as error:
            raise ValueError(f"decoding PEM as PKCS#8: {error}") from None
    if not kind.endswith(" PRIVATE KEY"):
        raise ValueError(f"no private key data in PEM block of type {kind}")
    algorithm = kind[:-len(" PRIVATE KEY")]
    if algorithm not in ("RSA", "EC", "DSA"):
        raise ValueError(f"invalid private key type {kind}")
    try:
        key = serialization.load_der_private_key(der, None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"parsing {algorithm} private key from PEM: {error}") from None
    if algorithm == "DSA" and not isinstance(key, dsa.DSAPrivateKey):
        raise ValueError("parsing DSA private key from PEM: asn1: structure error")
    return key


def _string_items(values: list[Any] | None, what: str) -> list[str]:
    items = []
    for value in values or []:
        if not isinstance(value, str):
            raise FuncError(f"{what}: {fmt_value(value)} is not a string")
        items.append(value)
    return items


def _ip_addresses(values: list[Any] | None) -> list[Any]:
    import ipaddress

    addresses = []
    for text in _string_items(values, "error parsing ip"):
        try:
            if "%" in text:
                raise ValueError(text)
            addresses.append(ipaddress.ip_address(text))
        except ValueError:
            raise FuncError(f"error parsing ip: {text}") from None
    return addresses


def _certificate(cn: str, ips: list[Any] | None, dns_names: list[Any] | None, days: int, key: Any,
                 issuer: tuple[x509.Certificate, Any] | None, is_ca: bool = False) -> Certificate:
    """Sprig's ``getBaseCertTemplate`` + ``x509.CreateCertificate`` (self-signed without issuer)."""
    import secrets

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    addresses = _ip_addresses(ips)
    names = _string_items(dns_names, "error processing alternate dns name")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        raise FuncError("error creating certificate: x509: only RSA, ECDSA and Ed25519 keys supported")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    public_key = key.public_key()
    signer_cert, signer_key = issuer if issuer else (None, key)
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(signer_cert.subject if signer_cert else subject)
               .public_key(public_key)
               .serial_number(secrets.randbits(_SERIAL_BITS) or 1)
               .not_valid_before(now)
               .not_valid_after(now + _dt.timedelta(days=days))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=True, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=is_ca, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                     ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if is_ca:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if signer_cert is not None and signer_cert.subject != subject:
        try:
            ski = signer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False)
        except x509.ExtensionNotFound:
            pass
    if names or addresses:
        general = [x509.DNSName(n) for n in names] + [x509.IPAddress(a) for a in addresses]
        builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=not cn)
    algorithm = None if isinstance(signer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    try:
        cert = builder.sign(signer_key, algorithm)
    except (ValueError, TypeError) as error:
        raise FuncError(f"error creating certificate: {error}") from None
    return Certificate(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), _pem_private_key(key))


def _new_rsa_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(65537, _RSA_CERT_BITS)


def _key_from_pem(pem_text: str) -> Any:
    try:
        return _parse_private_key(pem_text)
    except ValueError as error:
        raise FuncError(f"parsing private key: {error}") from None


def _signer(ca: Certificate) -> tuple[x509.Certificate, Any]:
    from cryptography import x509

    if not isinstance(ca, Certificate):
        raise FuncError(f"wrong type for value; expected sprig.certificate; got {go_type(ca)}")
    block = _pem_blocks(ca.Cert)
    if block is None:
        raise FuncError("unable to decode certificate")
    try:
        cert = x509.load_der_x509_certificate(block[1])
    except ValueError as error:
        raise FuncError(f"error parsing certificate: decodedSignerCert.Bytes: {error}") from None
    try:
        key = _parse_private_key(ca.Key)
    except ValueError as error:
        raise FuncError(f"error parsing private key: {error}") from None
    return cert, key


@gofunc("genCA", STRING, INT, returns_error=True)
def gen_ca(cn: str, days: int) -> Certificate:
    return _certificate(cn, None, None, days, _new_rsa_key(), None, is_ca=True)


@gofunc("genCAWithKey", STRING, INT, STRING, returns_error=True)
def gen_ca_with_key(cn: str, days: int, key_pem: str) -> Certificate:
    return _certificate(cn, None, None, days, _key_from_pem(key_pem), None, is_ca=True)


@gofunc("genSelfSignedCert", STRING, LIST, LIST, INT, returns_error=True)
def gen_self_signed_cert(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int) -> Certificate:
    return _certificate(cn, ips, dns, days, _new_rsa_key(), None)


@gofunc("genSelfSignedCertWithKey", STRING, LIST, LIST, INT, STRING, returns_error=True)
def gen_self_signed_cert_with_key(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int,
                                  key_pem: str) -> Certificate:
    return _certificate(cn, ips, dns, days, _key_from_pem(key_pem), None)


@gofunc("genSignedCert", STRING, LIST, LIST, INT, CERTIFICATE, returns_error=True)
def gen_signed_cert(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int,
                    ca: Certificate) -> Certificate:
    signer = _signer(ca)
    return _certificate(cn, ips, dns, days, _new_rsa_key(), signer)


@gofunc("genSignedCertWithKey", STRING, LIST, LIST, INT, CERTIFICATE, STRING, returns_error=True)
def gen_signed_cert_with_key(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int,
                             ca: Certificate, key_pem: str) -> Certificate:
    key = _key_from_pem(key_pem)
    return _certificate(cn, ips, dns, days, key, _signer(ca))


@gofunc("buildCustomCert", STRING, STRING, returns_error=True)
def build_custom_cert(b64cert: str, b64key: str) -> Certificate:
    """A certificate struct from base64 PEM texts, after checking that both parse."""
    from cryptography import x509

    try:
        cert_pem = go_b64decode(go_bytes(b64cert))
    except CorruptInputError:
        raise FuncError("unable to decode base64 certificate") from None
    try:
        key_pem = go_b64decode(go_bytes(b64key))
    except CorruptInputError:
        raise FuncError("unable to decode base64 private key") from None
    cert_text, key_text = from_go_bytes(cert_pem), from_go_bytes(key_pem)
    block = _pem_blocks(cert_text)
    if block is None:
        raise FuncError("unable to decode certificate")
    try:
        x509.load_der_x509_certificate(block[1])
    except ValueError as error:
        raise FuncError(f"error parsing certificate: decodedCert.Bytes: {error}") from None
    try:
        _parse_private_key(key_text)
    except ValueError as error:
        raise FuncError(f"error parsing private key: {error}") from None
    return Certificate(cert_text, key_text)
