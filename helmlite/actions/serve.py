"""``serve``: Helm v2's ``helm serve`` (127.0.0.1:8879, a local repository directory) grown into
a ChartMuseum-compatible repository server on Starlette + uvicorn.

The action opens (and recovers) the repositories, binds the socket itself — so a port of 0
gets a free port and the printed address is the real one — and hands both to uvicorn, which
writes one access-log line per request (query values that look like secrets redacted; headers,
and so credentials, are never logged).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from helmlite.output import Output
from helmlite.paths import data_home
from helmlite.repo.index import RepoError
from helmlite.repo.server.auth import (
    AuthConfigError,
    AuthPolicy,
    PasswordHash,
    load_auth_file,
)
from helmlite.repo.server.storage import MAX_UPLOAD_BYTES

__all__ = ["DEFAULT_ADDRESS", "MAX_UPLOAD_BYTES", "RedactQuery", "Serve", "default_repo_path", "parse_address"]

DEFAULT_ADDRESS = "127.0.0.1:8879"
"""Where ``helm serve`` listened: loopback only, port 8879."""
_SECRET_PARAMS = re.compile(r"(?i)(token|pass|secret|key|auth|signature|credential)")


def default_repo_path() -> Path:
    """The local repository directory: ``$HELMLITE_DATA/repository/local`` (Helm v2's
    ``$HELM_HOME/repository/local``)."""
    return data_home() / "repository" / "local"


def parse_address(address: str) -> tuple[str, int]:
    """Split ``HOST:PORT``, ``[V6]:PORT`` or ``:PORT`` (every interface, as in Go).

    Returns (host, port); raises RepoError for anything else.
    """
    match = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]*):(\d+)", address.strip())
    if match is None:
        raise RepoError(f'invalid address "{address}": expected HOST:PORT, e.g. {DEFAULT_ADDRESS}')
    host = match.group(1) if match.group(1) is not None else match.group(3)
    port = int(match.group(2) or match.group(4))
    if port > 65535:
        raise RepoError(f'invalid address "{address}": port {port} is out of range')
    return host, port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RedactQuery(logging.Filter):
    """Access-log filter: values of query parameters named like secrets become ``REDACTED``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            path, _, query = args[2].partition("?")
            pairs = [(k, "REDACTED" if _SECRET_PARAMS.search(k) else v) for k, v in parse_qsl(query, keep_blank_values=True)]
            record.args = (*args[:2], f"{path}?{urlencode(pairs)}", *args[3:])
        return True


@dataclass
class Serve:
    """Options of ``helmlite serve``; ``run`` blocks until the server is stopped (SIGINT/SIGTERM)."""

    address: str = DEFAULT_ADDRESS
    repo_path: Path | None = None
    url: str = ""
    multitenant: bool = False
    basic_auth_user: str = ""
    basic_auth_pass: str = ""
    auth_file: Path | None = None
    bearer_tokens: tuple[str, ...] = ()
    anonymous_get: bool = False
    max_upload_size: int = MAX_UPLOAD_BYTES
    allow_overwrite: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca_cert: Path | None = None
    output: Output = field(default_factory=Output)

    def auth_policy(self) -> AuthPolicy:
        """The ``AuthPolicy`` from the credential options. Raises AuthConfigError for a bad
        auth file or a user without a password (or the reverse)."""
        users = load_auth_file(self.auth_file) if self.auth_file else {}
        if bool(self.basic_auth_user) != bool(self.basic_auth_pass):
            raise AuthConfigError("--basic-auth-user and --basic-auth-pass must be given together")
        if self.basic_auth_user:
            if ":" in self.basic_auth_user:
                raise AuthConfigError("--basic-auth-user must not contain ':'")
            users[self.basic_auth_user] = PasswordHash("plain", self.basic_auth_pass)
        tokens = tuple(t for t in self.bearer_tokens if t)
        return AuthPolicy(users=users, tokens=tokens, anonymous_get=self.anonymous_get)

    def run(self) -> None:
        """Recover the repositories, bind, print ``Now serving you on HOST:PORT`` and serve.

        Raises RepoError (bad address, port in use, unusable TLS files, a repository directory
        that cannot be created or written) or AuthConfigError.
        """
        import uvicorn

        from helmlite.repo.server.app import ServerConfig, create_app
        from helmlite.repo.server.storage import RepositorySet

        host, port = parse_address(self.address)
        if bool(self.tls_cert) != bool(self.tls_key):
            raise RepoError("--tls-cert and --tls-key must be given together")
        if self.tls_ca_cert and not self.tls_cert:
            raise RepoError("--tls-ca-cert needs --tls-cert and --tls-key")
        self._check_tls()
        policy = self.auth_policy()
        out = self.output
        reconfigure = getattr(out.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)  # uvicorn's access log goes to stdout: one line per request, now
        root = self.repo_path or default_repo_path()
        out.echo("Regenerating index. This may take a moment.")
        repositories = RepositorySet(root, multitenant=self.multitenant, url=self.url.rstrip("/"),
                                     allow_overwrite=self.allow_overwrite, warn=out.warn)
        try:
            repositories.open()
        except OSError as err:
            raise RepoError(f"cannot open the repository at {root}: {err.strerror or err}") from None
        app = create_app(ServerConfig(repositories, auth=policy, max_upload_size=self.max_upload_size,
                                      public_url=self.url))
        sock = self._bind(host, port)
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_level="info",
            access_log=True,
            server_header=False,
            proxy_headers=False,
            timeout_graceful_shutdown=5,
            ssl_certfile=str(self.tls_cert) if self.tls_cert else None,
            ssl_keyfile=str(self.tls_key) if self.tls_key else None,
            ssl_ca_certs=str(self.tls_ca_cert) if self.tls_ca_cert else None,
            ssl_cert_reqs=ssl.CERT_REQUIRED if self.tls_ca_cert else ssl.CERT_NONE,
        )
        logging.getLogger("uvicorn.access").addFilter(RedactQuery())
        helmlite_log = logging.getLogger("helmlite")
        if not helmlite_log.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(levelname)s:    %(message)s"))
            helmlite_log.addHandler(handler)
            helmlite_log.setLevel(logging.INFO)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        if not policy.enabled and not _is_loopback(bound_host):
            out.warn(f"serving on {shown}:{bound_port} without authentication: "
                     "anyone who can reach it can upload and delete charts")
        out.echo(f"Now serving you on {shown}:{bound_port}")
        out.echo(f"Access: {policy.summary()}")
        try:
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            sock.close()

    def _check_tls(self) -> None:
        """Load the TLS files once here, so a bad one is a one-line error before anything starts."""
        if not self.tls_cert:
            return
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls_cert), str(self.tls_key))
            if self.tls_ca_cert:
                context.load_verify_locations(str(self.tls_ca_cert))
        except (OSError, ssl.SSLError) as err:
            raise RepoError(f"cannot use the TLS certificate or key: {err.strerror or err}") from None

    @staticmethod
    def _bind(host: str, port: int) -> socket.socket:
        from helmlite.netlisten import listen_tcp

        try:
            return listen_tcp(host, port)
        except OSError as err:
            raise RepoError(f"cannot listen on {host or '*'}:{port}: {err.strerror or err}") from None
