"""Connection details of a served cluster: self-signed TLS, the endpoint file and kubeconfigs.

``helmlite cluster serve`` records where it listens (URL, token, CA) in the *endpoint file*
beside the cluster file, so ``helmlite cluster kubeconfig`` can write a kubeconfig for the
running server without being told again. With ``--tls`` the server presents a certificate
signed by a private CA kept in the same directory (created once, reused across restarts, so
kubeconfigs stay valid); the kubeconfig carries that CA, and kubectl and Helm verify it.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONTEXT_NAME", "Endpoint", "TlsFiles", "endpoint_dir", "ensure_certificates", "render_kubeconfig"]

# The cluster, user and context name in written kubeconfigs.
CONTEXT_NAME = "helmlite"
_CERT_DAYS = 3650


def endpoint_dir(cluster_path: Path) -> Path:
    """Where a served cluster's endpoint file and TLS material live: ``<cluster file>.apiserver/``."""
    return cluster_path.with_name(cluster_path.name + ".apiserver")


@dataclass(frozen=True)
class Endpoint:
    """How to reach a running server: ``url``, bearer ``token`` ("" = none), CA certificate PEM."""

    url: str
    token: str = ""
    ca_pem: str = ""

    def write(self, directory: Path) -> Path:
        """Record this endpoint (readable by the owner only: it holds the token); returns the file."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "endpoint.json"
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"url": self.url, "token": self.token, "caPEM": self.ca_pem}, handle)
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, directory: Path) -> Endpoint | None:
        """The recorded endpoint, or None if no server recorded one (or the file is unreadable)."""
        try:
            data = json.loads((directory / "endpoint.json").read_text())
            return cls(url=str(data["url"]), token=str(data.get("token", "")), ca_pem=str(data.get("caPEM", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def remove(directory: Path) -> None:
        """Forget the recorded endpoint (the server stopped)."""
        (directory / "endpoint.json").unlink(missing_ok=True)


def render_kubeconfig(endpoint: Endpoint, namespace: str = "default") -> str:
    """A kubeconfig whose current context ``helmlite`` reaches ``endpoint`` (YAML text)."""
    import yaml

    cluster: dict[str, str] = {"server": endpoint.url}
    if endpoint.ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(endpoint.ca_pem.encode()).decode()
    user: dict[str, str] = {"token": endpoint.token} if endpoint.token else {}
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT_NAME, "cluster": cluster}],
        "users": [{"name": CONTEXT_NAME, "user": user}],
        "contexts": [{"name": CONTEXT_NAME, "context": {"cluster": CONTEXT_NAME, "user": CONTEXT_NAME,
                                                        "namespace": namespace}}],
        "current-context": CONTEXT_NAME,
        "preferences": {},
    }
    return str(yaml.safe_dump(config, sort_keys=False))


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for a TLS server: the CA certificate, the server certificate and its key."""

    ca_cert: Path
    cert: Path
    key: Path


def ensure_certificates(directory: Path, hosts: list[str]) -> TlsFiles:
    """The CA and server certificate in ``directory``, created on first use (or when the
    server certificate does not name every host in ``hosts``); keys are owner-only files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    files = TlsFiles(directory / "ca.crt", directory / "tls.crt", directory / "tls.key")
    wanted = sorted(set(hosts) | {"127.0.0.1", "localhost"})
    if files.cert.exists() and files.key.exists() and files.ca_cert.exists():
        existing = x509.load_pem_x509_certificate(files.cert.read_bytes())
        san = existing.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = {str(n) for n in san.get_values_for_type(x509.DNSName)}
        names |= {str(n) for n in san.get_values_for_type(x509.IPAddress)}
        if set(wanted) <= names:
            return files
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    until = now + datetime.timedelta(days=_CERT_DAYS)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helmlite-ca")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(until)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for host in wanted:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helmlite-apiserver")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(until)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    files.ca_cert.write_bytes(ca_cert.public_bytes(pem))
    files.cert.write_bytes(cert.public_bytes(pem))
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return files
