"""Chart references → chart packages: ``repo/chart``, ``--repo URL chart`` and plain chart URLs.

Follows Helm's ``ChartDownloader.ResolveChartVersion`` and ``LocateChart``:

* ``repo/chart`` is looked up in the cached index of the configured repository ``repo``;
  the version is the one equal to ``--version``, else the newest satisfying it, else (no
  version) the newest stable one, or any with ``--devel``;
* ``--repo URL chart`` downloads that repository's index first (nothing is configured);
* an absolute URL is downloaded as is, with the credentials and TLS settings (and the
  digest) of a configured repository whose index lists that URL;
* for ``template``/``install`` a reference that is an existing path is used as it is.

Every download is checked against the digest in the index (helmlite's addition). Packages
fetched for rendering are kept in a content cache keyed by that digest and re-verified on
every use, so a poisoned cache entry is never trusted.

``template``/``install`` of a local chart directory import this module (for
``ChartPathOptions`` and ``locate_chart``) but never resolve anything, so the repository
client and index (YAML, tarfile, hashlib, requests) are imported by the functions that use them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from helmlite.paths import cache_home

if TYPE_CHECKING:
    from helmlite.repo.client import RepoEntry, RepositoryFile
    from helmlite.repo.index import IndexFile

__all__ = [
    "ACCEPT_CHART",
    "ChartLocation",
    "ChartPathOptions",
    "download_chart",
    "locate",
    "locate_chart",
    "lookup_version",
]

ACCEPT_CHART = "application/gzip,application/octet-stream"
"""The Accept header Helm sends for chart downloads."""
_DEVEL_CONSTRAINT = ">0.0.0-0"

WarnFn = Callable[[str], None]


@dataclass(frozen=True)
class ChartPathOptions:
    """Helm's chart-location flags: ``--version --devel --repo`` and the credentials/TLS
    flags that apply to a ``--repo`` URL or a plain chart URL."""

    version: str = ""
    devel: bool = False
    repo_url: str = ""
    username: str = ""
    password: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    pass_credentials: bool = False
    # Seconds per download; None: the repository client's DEFAULT_TIMEOUT (see _download_timeout).
    timeout: float | None = None

    def constraint(self) -> str:
        """The version to look up: ``--version``, else ``>0.0.0-0`` with ``--devel``, else ""."""
        version = self.version.strip()
        return version or (_DEVEL_CONSTRAINT if self.devel else "")

    def adhoc_entry(self, url: str) -> RepoEntry:
        """A repository entry for ``url`` carrying these flags' credentials and TLS settings."""
        from helmlite.repo.client import RepoEntry

        return RepoEntry(name="", url=url, username=self.username, password=self.password,
                         cert_file=self.cert_file, key_file=self.key_file, ca_file=self.ca_file,
                         insecure_skip_tls_verify=self.insecure_skip_tls_verify,
                         pass_credentials_all=self.pass_credentials)

    def __repr__(self) -> str:
        from helmlite.repo.client import redact_url

        return f"ChartPathOptions(version={self.version!r}, devel={self.devel}, repo_url={redact_url(self.repo_url)!r})"


@dataclass(frozen=True)
class ChartLocation:
    """Where one chart version lives: its absolute URL, the digest the index gives (``""``
    when unknown) and the repository whose credentials and TLS settings apply."""

    url: str
    digest: str
    name: str
    version: str
    repo: RepoEntry | None

    def file_name(self) -> str:
        """The local file name: the URL's last path segment, as Helm names downloads."""
        base = posixpath.basename(unquote(urlsplit(self.url).path))
        if base in ("", ".", "..") or "\\" in base:
            return f"{self.name}-{self.version}.tgz"
        return base


def _download_timeout(timeout: float | None) -> float:
    """``timeout`` (seconds), or the repository client's DEFAULT_TIMEOUT when it is None."""
    from helmlite.repo.client import DEFAULT_TIMEOUT

    return DEFAULT_TIMEOUT if timeout is None else timeout


def _is_url(ref: str) -> bool:
    parts = urlsplit(ref)
    return bool(parts.scheme and parts.netloc and parts.path)


def lookup_version(index: IndexFile, name: str, constraint: str, where: str) -> dict[str, Any]:
    """The entry ``index.get`` picks, or RepoError with Helm's messages naming ``where``."""
    from helmlite.repo.index import RepoError

    entry = index.get(name, constraint)
    if entry is not None:
        return entry
    reason = "no chart name found" if name not in index.entries else f"no chart version found for {name}-{constraint}"
    raise RepoError(f'chart "{name}" matching {constraint} not found in {where} index. '
                    f"(try 'helmlite repo update'): {reason}")


def _location(repo_url: str, entry: dict[str, Any], repo: RepoEntry | None) -> ChartLocation:
    from helmlite.repo.client import resolve_reference_url
    from helmlite.repo.index import RepoError

    urls = entry.get("urls") or []
    if not urls:
        raise RepoError(f'chart "{entry.get("name")}" has no downloadable URLs')
    return ChartLocation(resolve_reference_url(repo_url, urls[0]), str(entry.get("digest", "")),
                         str(entry["name"]), str(entry["version"]), repo)


def locate(ref: str, options: ChartPathOptions, *, repositories: RepositoryFile | None = None,
           warn: WarnFn | None = None) -> ChartLocation:
    """Resolve a chart reference (``repo/chart``, an absolute URL, or a name with ``--repo``).

    Returns where to download it from. Raises RepoError (unknown repository, chart or version,
    a name without a repository), IndexLoadError (no usable cached index), DownloadError (the
    ``--repo`` index cannot be fetched) or ConstraintError (a bad ``--version``).
    """
    from helmlite.repo.client import (
        RepositoryFile,
        cached_index,
        download_index,
        redact_url,
        repositories_path,
    )
    from helmlite.repo.index import RepoError

    constraint = options.constraint()
    if options.repo_url:
        adhoc = options.adhoc_entry(options.repo_url)
        _data, index = download_index(adhoc, timeout=_download_timeout(options.timeout), warn=warn)
        entry = index.get(ref, constraint)
        if entry is None:
            where = redact_url(options.repo_url)
            if constraint:
                raise RepoError(f'chart "{ref}" version "{constraint}" not found in {where} repository')
            raise RepoError(f'chart "{ref}" not found in {where} repository')
        return _location(options.repo_url, entry, adhoc)

    repos = repositories if repositories is not None else RepositoryFile.load(repositories_path())
    if _is_url(ref):
        return _locate_url(ref, options, repos, warn)
    repo_name, sep, chart = ref.partition("/")
    if not sep or not chart:
        raise RepoError(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {ref}")
    repo = repos.get(repo_name)
    if repo is None:
        raise RepoError(f"repo {repo_name} not found")
    index = cached_index(repo_name, warn=warn)
    return _location(repo.url, lookup_version(index, chart, constraint, repo_name), repo)


def _locate_url(url: str, options: ChartPathOptions, repos: RepositoryFile, warn: WarnFn | None) -> ChartLocation:
    """A plain chart URL: borrow the settings and digest of a configured repository listing it."""
    from helmlite.repo.client import cached_index, resolve_reference_url
    from helmlite.repo.index import IndexLoadError

    for repo in repos.repositories:
        try:
            index = cached_index(repo.name, warn=warn)
        except IndexLoadError:
            continue
        for _name, entry in index.iter_entries():
            for candidate in entry.get("urls") or []:
                if resolve_reference_url(repo.url, candidate) == url:
                    return ChartLocation(url, str(entry.get("digest", "")), str(entry.get("name", "")),
                                         str(entry.get("version", "")), repo)
    name = posixpath.basename(urlsplit(url).path).removesuffix(".tgz")
    return ChartLocation(url, "", name, "", options.adhoc_entry(url))


def download_chart(location: ChartLocation, *, timeout: float | None = None, warn: WarnFn | None = None) -> bytes:
    """Download the package and check it against the index digest, waiting ``timeout`` seconds
    (None: the repository client's DEFAULT_TIMEOUT).

    Returns the bytes. Raises DownloadError or DigestMismatchError. Without a digest to check
    (a URL no configured index lists) the download is used unverified, with a warning.
    """
    from helmlite.chart.archive import MAX_ARCHIVE_BYTES
    from helmlite.repo.client import Getter, redact_url, verify_digest

    getter = Getter(location.repo, timeout=_download_timeout(timeout))
    try:
        data = getter.get(location.url, limit=MAX_ARCHIVE_BYTES, accept=ACCEPT_CHART)
    finally:
        getter.close()
    if location.digest:
        verify_digest(data, location.digest, redact_url(location.url))
    elif warn is not None:
        warn(f"no repository index lists {redact_url(location.url)}; its digest was not verified")
    return data


def _content_path(digest: str, file_name: str) -> Path:
    return cache_home() / "content" / digest / file_name


def locate_chart(ref: str, options: ChartPathOptions, *, warn: WarnFn | None = None) -> Path:
    """Helm's ``LocateChart``: a local chart path for ``template``/``install``/``upgrade``.

    An existing directory or archive is returned as it is (unless ``--repo`` is given); a
    reference that looks like a path but does not exist is an error; anything else is
    resolved with ``locate`` and downloaded into the content cache (reused while its sha256
    still equals the index digest). Returns the path. Raises ChartLoadError for a missing
    path and the errors of ``locate``/``download_chart``.
    """
    from helmlite.chart.metadata import quoted
    from helmlite.errors import ChartLoadError

    if not options.repo_url:
        path = Path(ref)
        if path.exists():
            return path
        if path.is_absolute() or ref.startswith("."):
            raise ChartLoadError(f"path {quoted(ref)} not found")
    # Only a reference to download gets here; a local chart never loads the repository code.
    import hashlib

    from helmlite.repo.client import verify_digest
    from helmlite.repo.index import RepoError, atomic_write

    location = locate(ref, options, warn=warn)
    if location.digest:
        cached = _content_path(location.digest.lower().removeprefix("sha256:"), location.file_name())
        try:
            verify_digest(cached.read_bytes(), location.digest, str(cached))
            return cached
        except (OSError, RepoError):
            pass  # missing, unreadable or tampered with: fetch it again
    data = download_chart(location, timeout=options.timeout, warn=warn)
    target = _content_path(hashlib.sha256(data).hexdigest(), location.file_name())
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return target
