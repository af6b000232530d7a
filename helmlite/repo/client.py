"""The repository client: ``repositories.yaml``, the index cache and HTTP downloads.

Files are where a Helm user expects them, under helmlite's directories:

* ``config_home()/repositories.yaml`` (mode 0600, Helm's layout, guarded by
  ``repositories.lock``);
* ``cache_home()/repository/<name>-index.yaml``: the verbatim bytes the repository served,
  ``<name>-charts.txt``: its chart names, and ``<name>-index.json``: the parsed index in a
  form that loads ~50× faster than the YAML (rebuilt whenever the YAML changes), and
  ``<name>-index.validators.json``: the ETag it was served with, so ``repo update`` asks with
  If-None-Match and a 304 costs no download and no parse.

Downloads follow Helm's getter: credentials are sent only when both username and password are
set *and* the target has the repository's scheme and host:port (or ``pass_credentials_all``
is set); TLS options map onto ``requests``. Unlike Helm, a chart download is checked against
the index digest. ``requests`` is imported on first download only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from helmlite import __version__
from helmlite.paths import cache_home, config_home
from helmlite.repo.index import (
    MAX_INDEX_BYTES,
    ZERO_TIME,
    IndexFile,
    IndexLoadError,
    RepoError,
    atomic_write,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "LOCK_TIMEOUT",
    "USER_AGENT",
    "DigestMismatchError",
    "DownloadError",
    "Getter",
    "RepoEntry",
    "RepositoryFile",
    "cached_index",
    "chart_names_path",
    "download_index",
    "index_cache_path",
    "redact_url",
    "refresh_index",
    "remove_index_cache",
    "repositories_lock",
    "repositories_path",
    "repository_cache_dir",
    "resolve_reference_url",
    "verify_digest",
    "write_index_cache",
]

DEFAULT_TIMEOUT = 120.0
"""Seconds per HTTP request (Helm's ``getter.DefaultHTTPTimeout``); ``--timeout`` overrides it."""
LOCK_TIMEOUT = 30.0
"""Seconds to wait for ``repositories.lock`` (Helm's ``repo add`` waits as long)."""
USER_AGENT = f"helmlite/{__version__}"
_JSON_CACHE_FORMAT = 1
_CHUNK = 64 * 1024

WarnFn = Callable[[str], None]


class DownloadError(RepoError):
    """An HTTP request that failed: connection, TLS, timeout, status code or size limit."""


class DigestMismatchError(RepoError):
    """A downloaded chart whose sha256 is not the digest its repository index lists."""


# --- repositories.yaml ------------------------------------------------------------------------


@dataclass(frozen=True)
class RepoEntry:
    """One configured repository (Helm's ``repo.Entry``); field names map to Helm's YAML keys."""

    name: str
    url: str
    username: str = ""
    password: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    insecure_skip_tls_verify: bool = False
    pass_credentials_all: bool = False

    _YAML_KEYS: ClassVar[dict[str, str]] = {
        "caFile": "ca_file", "certFile": "cert_file", "insecure_skip_tls_verify": "insecure_skip_tls_verify",
        "keyFile": "key_file", "name": "name", "pass_credentials_all": "pass_credentials_all",
        "password": "password", "url": "url", "username": "username",
    }

    def to_yaml_dict(self) -> dict[str, Any]:
        """Helm's keys, every one written (Helm's struct has no omitempty)."""
        return {key: getattr(self, attr) for key, attr in self._YAML_KEYS.items()}

    @classmethod
    def from_yaml_dict(cls, data: dict[str, Any], source: str) -> RepoEntry:
        """Build from a repositories.yaml item. Raises RepoError for a missing name or url."""
        values: dict[str, Any] = {}
        for key, attr in cls._YAML_KEYS.items():
            value = data.get(key)
            if attr in ("insecure_skip_tls_verify", "pass_credentials_all"):
                values[attr] = bool(value)
            else:
                values[attr] = "" if value is None else str(value)
        if not values["name"] or not values["url"]:
            raise RepoError(f"{source}: every repository needs a name and a url")
        return cls(**values)

    def __repr__(self) -> str:
        # The password must never reach a log or a traceback.
        return f"RepoEntry(name={self.name!r}, url={redact_url(self.url)!r})"


@dataclass
class RepositoryFile:
    """``repositories.yaml``: the configured repositories, in the order they were added."""

    repositories: list[RepoEntry] = field(default_factory=list)
    api_version: str = ""
    generated: str = ZERO_TIME

    @classmethod
    def load(cls, path: Path) -> RepositoryFile:
        """Read ``path``; a missing file is an empty configuration. Raises RepoError if malformed."""
        import yaml

        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as err:
            raise RepoError(f"{path}: {err.strerror or err}") from None
        try:
            doc = yaml.load(data, Loader=yaml.CSafeLoader) or {}
        except yaml.YAMLError as err:
            raise RepoError(f"{path}: invalid YAML: {' '.join(str(err).split())}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("repositories") or [], list):
            raise RepoError(f"{path}: not a repositories file")
        repos = [RepoEntry.from_yaml_dict(item, str(path)) for item in doc.get("repositories") or []
                 if isinstance(item, dict)]
        return cls(repos, str(doc.get("apiVersion") or ""), str(doc.get("generated") or ZERO_TIME))

    def get(self, name: str) -> RepoEntry | None:
        return next((r for r in self.repositories if r.name == name), None)

    def update(self, entry: RepoEntry) -> None:
        """Replace the repository with the same name, or append a new one."""
        for i, existing in enumerate(self.repositories):
            if existing.name == entry.name:
                self.repositories[i] = entry
                return
        self.repositories.append(entry)

    def remove(self, name: str) -> bool:
        """Drop the named repository; True if it was there."""
        before = len(self.repositories)
        self.repositories = [r for r in self.repositories if r.name != name]
        return len(self.repositories) != before

    def to_yaml(self) -> str:
        """The file as Helm writes it (every key of every repository, keys sorted)."""
        from helmlite.values.yamlio import dump_yaml

        doc = {"apiVersion": self.api_version, "generated": self.generated,
               "repositories": [r.to_yaml_dict() for r in self.repositories]}
        return dump_yaml(doc)

    def write(self, path: Path) -> None:
        """Write atomically with mode 0600 (it holds passwords in plain text, as Helm's does)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, self.to_yaml().encode("utf-8"), mode=0o600)


def repositories_path() -> Path:
    """``config_home()/repositories.yaml``."""
    return config_home() / "repositories.yaml"


@contextlib.contextmanager
def repositories_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``<path without suffix>.lock`` exclusively, as Helm's ``repo add`` does.

    Raises RepoError when another process holds it for longer than ``timeout`` seconds.
    """
    lock_path = path.with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise RepoError(f"{lock_path}: could not lock the repositories file within {timeout:g}s") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the flock


# --- URLs ---------------------------------------------------------------------------------------


def redact_url(url: str) -> str:
    """``url`` without ``user:password@``, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def resolve_reference_url(base_url: str, ref: str) -> str:
    """Helm's ``ResolveReferenceURL``: ``ref`` if absolute, else resolved against ``base_url``
    with a trailing ``/`` forced onto its path; the base URL's query replaces ``ref``'s."""
    if urlsplit(ref).scheme:
        return ref
    base = urlsplit(base_url)
    with_slash = urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + "/", "", ""))
    resolved = urlsplit(urljoin(with_slash, ref))
    return urlunsplit((resolved.scheme, resolved.netloc, resolved.path, base.query, resolved.fragment))


def _host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.rpartition("@")[2]


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validators:
    """The HTTP cache validator a response came with.

    Only the ETag: Last-Modified has one-second resolution, so an index rewritten within the
    second of the previous download would be answered 304 (``http.server`` does exactly that).
    """

    etag: str = ""


@dataclass(frozen=True)
class Fetched:
    """A GET's outcome: the body (None when the server answered 304 Not Modified) and validators."""

    body: bytes | None
    validators: Validators


class Getter:
    """HTTP GETs with one repository's credentials and TLS settings (Helm's ``HTTPGetter``).

    ``entry`` may be None for an unconfigured URL (no credentials, default TLS).
    """

    def __init__(self, entry: RepoEntry | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.entry = entry
        self.timeout = timeout
        self._session: Any = None

    def _open(self) -> Any:
        import requests

        if self._session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            # Credentials come only from the repository entry, never from ~/.netrc.
            session.trust_env = False
            entry = self.entry
            if entry is not None:
                if entry.insecure_skip_tls_verify:
                    session.verify = False
                elif entry.ca_file:
                    session.verify = entry.ca_file
                if entry.cert_file:
                    session.cert = (entry.cert_file, entry.key_file) if entry.key_file else entry.cert_file
            self._session = session
        return self._session

    def _auth_for(self, url: str) -> tuple[str, str] | None:
        entry = self.entry
        if entry is None or not entry.username or not entry.password:
            return None
        if entry.pass_credentials_all or _host(url) == _host(entry.url):
            return entry.username, entry.password
        return None

    def get(self, url: str, *, limit: int, accept: str | None = None) -> bytes:
        """GET ``url`` and return the body, at most ``limit`` bytes.

        Raises DownloadError (``failed to fetch <url> : 404 Not Found``, connection and TLS
        failures, a body over ``limit``). Only http and https URLs are fetched.
        """
        body = self.fetch(url, limit=limit, accept=accept).body
        assert body is not None  # no validators were sent, so no 304
        return body

    def fetch(self, url: str, *, limit: int, accept: str | None = None,
              validators: Validators | None = None) -> Fetched:
        """``get`` that may be conditional: with ``validators`` the request carries
        If-None-Match, and a 304 answer returns ``Fetched(body=None)``."""
        import requests

        shown = redact_url(url)
        if urlsplit(url).scheme not in ("http", "https"):
            raise DownloadError(f"failed to fetch {shown} : only http and https URLs are supported")
        headers = {"Accept": accept} if accept else {}
        if validators is not None and validators.etag:
            headers["If-None-Match"] = validators.etag
        try:
            with _quiet_insecure_warning():
                response = self._open().get(url, headers=headers, auth=self._auth_for(url), timeout=self.timeout,
                                            stream=True)
            with response:
                if response.status_code == 304 and validators is not None:
                    return Fetched(None, validators)
                if response.status_code != 200:
                    raise DownloadError(f"failed to fetch {shown} : {response.status_code} {response.reason}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise DownloadError(f"failed to fetch {shown} : larger than the {limit}-byte limit")
                body = bytearray()
                for chunk in response.iter_content(_CHUNK):
                    body += chunk
                    if len(body) > limit:
                        raise DownloadError(f"failed to fetch {shown} : larger than the {limit}-byte limit")
                served = Validators(response.headers.get("ETag", ""))
                return Fetched(bytes(body), served)
        except requests.RequestException as err:
            raise DownloadError(f"failed to fetch {shown} : {_describe(err)}") from None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


@contextlib.contextmanager
def _quiet_insecure_warning() -> Iterator[None]:
    # --insecure-skip-tls-verify is the user's explicit choice; one warning per request is noise.
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        yield


def _describe(err: Exception) -> str:
    """A one-line reason for a requests failure, without the library's nesting."""
    import requests

    if isinstance(err, requests.exceptions.SSLError):
        return f"TLS error: {_innermost(err)}"
    if isinstance(err, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(err, requests.exceptions.ConnectionError):
        return f"connection failed: {_innermost(err)}"
    return _innermost(err)


def _innermost(err: BaseException) -> str:
    seen = err
    while True:
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        nested = nested or getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if not isinstance(nested, BaseException) or nested is seen:
            break
        seen = nested
    return " ".join(str(seen).split()) or type(seen).__name__


def verify_digest(data: bytes, expected: str, what: str) -> str:
    """Check ``data`` against an index digest (hex, or ``sha256:hex`` as Helm v4 accepts).

    Returns the actual sha256 hex. Raises DigestMismatchError naming both digests; an empty
    ``expected`` verifies nothing.
    """
    actual = hashlib.sha256(data).hexdigest()
    wanted = expected.strip().lower().removeprefix("sha256:")
    if wanted and wanted != actual:
        raise DigestMismatchError(
            f"digest mismatch for {what}: the repository index lists sha256:{wanted} but the downloaded "
            f"file is sha256:{actual}; the package changed after it was indexed or was tampered with"
        )
    return actual


# --- index cache --------------------------------------------------------------------------------


def repository_cache_dir() -> Path:
    """``cache_home()/repository``: downloaded indexes."""
    return cache_home() / "repository"


def index_cache_path(name: str) -> Path:
    """``<cache>/repository/<name>-index.yaml``: the index bytes exactly as served."""
    return repository_cache_dir() / f"{name}-index.yaml"


def chart_names_path(name: str) -> Path:
    """``<cache>/repository/<name>-charts.txt``: one chart name per line (shell completion)."""
    return repository_cache_dir() / f"{name}-charts.txt"


def _json_cache_path(name: str) -> Path:
    return repository_cache_dir() / f"{name}-index.json"


def download_index(entry: RepoEntry, *, timeout: float = DEFAULT_TIMEOUT,
                   warn: WarnFn | None = None) -> tuple[bytes, IndexFile]:
    """Fetch and validate ``<repo url>/index.yaml``.

    Returns (the bytes as served, the parsed index). Raises DownloadError or IndexLoadError.
    """
    url = resolve_reference_url(entry.url, "index.yaml")
    getter = Getter(entry, timeout=timeout)
    try:
        data = getter.get(url, limit=MAX_INDEX_BYTES)
    finally:
        getter.close()
    return data, IndexFile.load(data, redact_url(url), warn=warn)


def refresh_index(entry: RepoEntry, *, timeout: float = DEFAULT_TIMEOUT,
                  warn: WarnFn | None = None) -> IndexFile:
    """Bring repository ``entry``'s cached index up to date and return it.

    When the cache still holds the bytes a previous refresh stored with an ETag, the request
    is conditional: a 304 leaves the cache as it is and the index
    comes from the fast JSON form — no download, no YAML parse. Otherwise as ``download_index``
    followed by ``write_index_cache``. Raises DownloadError or IndexLoadError (the old cache is kept).
    """
    url = resolve_reference_url(entry.url, "index.yaml")
    getter = Getter(entry, timeout=timeout)
    try:
        fetched = getter.fetch(url, limit=MAX_INDEX_BYTES, validators=_stored_validators(entry.name, url))
    finally:
        getter.close()
    if fetched.body is None:
        return cached_index(entry.name, warn=warn)
    index = IndexFile.load(fetched.body, redact_url(url), warn=warn)
    write_index_cache(entry.name, fetched.body, index, url=url, validators=fetched.validators)
    return index


def _validators_path(name: str) -> Path:
    return repository_cache_dir() / f"{name}-index.validators.json"


def _stored_validators(name: str, url: str) -> Validators | None:
    """The validators stored with the cached index, if they still describe the cached bytes
    of this URL (a cache replaced by hand or from another URL is never revalidated)."""
    try:
        doc = json.loads(_validators_path(name).read_bytes())
        st = index_cache_path(name).stat()
        if doc.get("url") != url or doc.get("source") != {"size": st.st_size, "mtime_ns": st.st_mtime_ns}:
            return None
        etag = str(doc.get("etag") or "")
    except (OSError, ValueError, AttributeError):
        return None
    return Validators(etag) if etag else None


def write_index_cache(name: str, data: bytes, index: IndexFile, *, url: str = "",
                      validators: Validators | None = None) -> None:
    """Store a downloaded index: verbatim YAML, chart names and the fast JSON form, each
    atomically; with ``url`` and ``validators``, also what a later refresh revalidates with."""
    directory = repository_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    yaml_path = index_cache_path(name)
    _validators_path(name).unlink(missing_ok=True)  # never pair old validators with new bytes
    atomic_write(yaml_path, data)
    atomic_write(chart_names_path(name), "".join(f"{n}\n" for n in sorted(index.entries)).encode("utf-8"))
    _write_json_cache(name, yaml_path, index)
    if url and validators is not None and validators.etag:
        st = yaml_path.stat()
        doc = {"url": url, "etag": validators.etag, "source": {"size": st.st_size, "mtime_ns": st.st_mtime_ns}}
        atomic_write(_validators_path(name), json.dumps(doc).encode("utf-8"))


def _write_json_cache(name: str, yaml_path: Path, index: IndexFile) -> None:
    st = yaml_path.stat()
    doc = {
        "format": _JSON_CACHE_FORMAT,
        "source": {"size": st.st_size, "mtime_ns": st.st_mtime_ns},
        "apiVersion": index.api_version,
        "generated": index.generated,
        "extra": index.extra,
        "entries": index.entries,
    }
    try:
        atomic_write(_json_cache_path(name), json.dumps(doc, separators=(",", ":")).encode("utf-8"))
    except OSError:
        pass  # the YAML is authoritative; only the next read gets slower


def cached_index(name: str, *, warn: WarnFn | None = None) -> IndexFile:
    """The cached index of repository ``name``, from the fast JSON form when it is current.

    The JSON form is trusted only while the YAML beside it has the size and mtime it was made
    from; otherwise the YAML is parsed (Helm's rules) and the JSON rebuilt. Raises
    IndexLoadError when there is no cached index or it is invalid.
    """
    yaml_path = index_cache_path(name)
    try:
        st = yaml_path.stat()
    except OSError:
        raise IndexLoadError(f"no cached index for repository \"{name}\" (try 'helmlite repo update')") from None
    try:
        doc = json.loads(_json_cache_path(name).read_bytes())
        if (doc.get("format") == _JSON_CACHE_FORMAT
                and doc.get("source") == {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
                and isinstance(doc.get("entries"), dict)):
            return IndexFile(api_version=doc["apiVersion"], entries=doc["entries"], generated=doc["generated"],
                             extra=doc.get("extra") or {})
    except (OSError, ValueError, AttributeError):
        pass
    index = IndexFile.load_path(yaml_path, warn=warn)
    _write_json_cache(name, yaml_path, index)
    return index


def remove_index_cache(name: str) -> None:
    """Delete every cache file of repository ``name`` (missing ones are fine)."""
    for path in (index_cache_path(name), chart_names_path(name), _json_cache_path(name), _validators_path(name)):
        path.unlink(missing_ok=True)

