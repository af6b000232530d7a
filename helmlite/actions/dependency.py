"""``dependency list|update|build``: a chart's dependencies in ``charts/`` and ``Chart.lock``.

``update`` resolves each declared dependency to one chart version, puts it into ``charts/``
and records the result in ``Chart.lock`` (``requirements.lock`` for v1 charts) with Helm's
digest, so ``build`` can reproduce exactly that set later. Dependencies resolve from local
directories (``file://``), from ``charts/`` itself (no repository), and from chart
repositories: a URL (configured with ``repo add`` or not) or a configured repository's name
as ``@name`` / ``alias:name``. As in Helm, an aliased repository is recorded under its URL in
the lock and its digest. Downloads are checked against the index digest; nothing in
``charts/`` changes until every dependency has been resolved, fetched and packaged.

Progress goes to an ``echo`` callback as it happens (Helm's ``Manager.Out``), so a failure
still shows the lines before it: ``Saving N charts`` and Helm's ``Save error occurred:  …``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helmlite.chart.model import API_VERSION_V1, Chart, Dependency
from helmlite.errors import DependencyError, HelmliteError
from helmlite.repo.client import DEFAULT_TIMEOUT
from helmlite.repo.index import RepoError, atomic_write

__all__ = ["DependencyBuild", "DependencyList", "DependencyUpdate", "lock_digest"]

FILE_SCHEME = "file://"

Echo = Callable[[str], None]


def _discard(line: str) -> None:
    """The default ``echo``: callers such as ``package --dependency-update`` print no progress."""


def lock_digest(requested: tuple[Dependency, ...], locked: list[Dependency]) -> str:
    """Helm's ``HashReq``: sha256 of the JSON pair ``[requested, locked]``, Go field order."""

    payload = json.dumps([[d.to_json() for d in requested], [d.to_json() for d in locked]],
                         separators=(",", ":"), sort_keys=False)
    # Go's encoder escapes these three for HTML safety; match it so digests agree with Helm's.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class DependencyList:
    def run(self, chart_path: Path) -> list[tuple[str, str, str, str]]:
        """Rows ``(NAME, VERSION, REPOSITORY, STATUS)`` as ``helm dependency list`` shows them."""
        from helmlite.chart.dependencies import dependency_status

        return dependency_status(chart_path)


@dataclass
class DependencyUpdate:
    """Options of ``dependency update``: ``skip_refresh`` uses the cached repository indexes."""

    skip_refresh: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def run(self, chart_dir: Path, echo: Echo = _discard) -> None:
        """Resolve, fetch into ``charts/`` and lock every declared dependency.

        Progress lines go to ``echo`` as they happen. Raises DependencyError naming every
        dependency that has no matching version (before ``charts/`` is touched), a repository
        that is not configured, or a dependency that could not be fetched or packaged (see
        ``_Sources.fetch_all``).
        """
        from helmlite.chart.loader import load_chart

        chart = load_chart(chart_dir)
        declared = _declared(chart)
        if not declared:
            return
        _require_local_dirs(chart_dir, declared)
        sources = _Sources(self.timeout, echo)
        requested = sources.resolve_names(declared)
        sources.refresh(requested, skip_configured=self.skip_refresh)
        locked = [sources.lock(chart_dir, dep) for dep in requested]
        failures = [dep for dep, lock in zip(requested, locked) if lock is None]
        if failures:
            names = ", ".join(f'"{d.name}" (repository "{d.repository}", version "{d.version}")' for d in failures)
            raise DependencyError(
                f"can't get a valid version for {len(failures)} subchart(s): {names}. Make sure a matching chart "
                "version exists in the repo, or change the version constraint in Chart.yaml"
            )
        final = [lock for lock in locked if lock is not None]
        sources.fetch_all(chart_dir, final)
        digest = lock_digest(requested, final)
        if chart.lock is None or chart.lock.digest != digest:
            _write_lock(chart_dir, chart, requested, final)


@dataclass
class DependencyBuild:
    """Options of ``dependency build``: ``skip_refresh`` uses the cached repository indexes."""

    skip_refresh: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def run(self, chart_dir: Path, echo: Echo = _discard) -> None:
        """Rebuild ``charts/`` from the lock file; without a lock file, behave as ``update``.

        Progress lines go to ``echo`` as they happen. Raises DependencyError when the lock no
        longer matches the declared dependencies or a locked version cannot be fetched.
        """
        from helmlite.chart.loader import load_chart

        chart = load_chart(chart_dir)
        if chart.lock is None:
            DependencyUpdate(self.skip_refresh, self.timeout).run(chart_dir, echo)
            return
        _require_local_dirs(chart_dir, _declared(chart))
        sources = _Sources(self.timeout, echo)
        requested = sources.resolve_names(_declared(chart))
        if lock_digest(requested, list(chart.lock.dependencies)) != chart.lock.digest:
            lock_name = "requirements.lock" if chart.metadata.api_version == API_VERSION_V1 else "Chart.lock"
            deps_name = "requirements.yaml" if chart.metadata.api_version == API_VERSION_V1 else "Chart.yaml"
            raise DependencyError(f"the lock file ({lock_name}) is out of sync with the dependencies file "
                                  f"({deps_name}). Please update the dependencies")
        locked = sources.resolve_names(chart.lock.dependencies)
        sources.refresh(locked, skip_configured=self.skip_refresh)
        sources.fetch_all(chart_dir, list(locked))


def _declared(chart: Chart) -> tuple[Dependency, ...]:
    return chart.metadata.dependencies


def _is_repository(dep: Dependency) -> bool:
    return bool(dep.repository) and not dep.repository.startswith(FILE_SCHEME)


def _same_url(a: str, b: str) -> bool:
    # Helm's urlutil.Equal: the same URL up to a trailing slash on the path.
    return a.rstrip("/") == b.rstrip("/")


class _Sources:
    """The repositories one ``update``/``build`` run needs, each index fetched or loaded once."""

    def __init__(self, timeout: float, echo: Echo) -> None:
        from helmlite.repo.client import RepositoryFile, repositories_path

        self.timeout = timeout
        self.echo = echo
        self.repos = RepositoryFile.load(repositories_path()).repositories
        self.indexes: dict[str, Any] = {}  # repository URL -> IndexFile

    def _configured(self, url: str) -> Any:
        # The last entry wins when several names share a URL, as Helm's dedupeRepos does.
        found = None
        for repo in self.repos:
            if _same_url(repo.url, url):
                found = repo
        return found

    def resolve_names(self, deps: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
        """Helm's ``resolveRepoNames``: ``@name``/``alias:name`` become the repository's URL.

        Raises DependencyError listing every repository that is neither configured nor a URL.
        """
        out: list[Dependency] = []
        missing: list[str] = []
        for dep in deps:
            repository = dep.repository
            if repository.startswith("oci://"):
                raise DependencyError(f'dependency "{dep.name}": oci:// repositories are not supported')
            alias = repository[1:] if repository.startswith("@") else (
                repository[len("alias:"):] if repository.startswith("alias:") else None)
            if alias is not None:
                repo = next((r for r in self.repos if r.name == alias), None)
                if repo is None:
                    missing.append(repository)
                    out.append(dep)
                else:
                    out.append(replace(dep, repository=repo.url))
                continue
            if _is_repository(dep) and self._configured(repository) is None and not _is_url(repository):
                missing.append(repository)
            out.append(dep)
        if missing:
            raise DependencyError(f"no repository definition for {', '.join(missing)}. "
                                  "Please add them via 'helmlite repo add'")
        return tuple(out)

    def refresh(self, deps: tuple[Dependency, ...], *, skip_configured: bool) -> None:
        """Fetch the indexes the dependencies need: always for URLs no repository is configured
        for, and (unless ``skip_configured``) for the configured repositories they use."""
        from helmlite.repo.client import (
            RepoEntry,
            download_index,
            redact_url,
            refresh_index,
        )

        urls: list[str] = []
        for dep in deps:
            if _is_repository(dep) and not any(_same_url(u, dep.repository) for u in urls):
                urls.append(dep.repository)
        unmanaged = [u for u in urls if self._configured(u) is None]
        if unmanaged:
            self.echo("Getting updates for unmanaged Helm repositories...")
            for url in unmanaged:
                try:
                    self.indexes[url.rstrip("/")] = download_index(RepoEntry("", url), timeout=self.timeout)[1]
                    self.echo(f'...Successfully got an update from the "{redact_url(url)}" chart repository')
                except RepoError as err:
                    self.echo(f'...Unable to get an update from the "{redact_url(url)}" chart repository:'
                              f"\n\t{err}")
        configured = [self._configured(u) for u in urls if self._configured(u) is not None]
        if skip_configured or not configured:
            return
        self.echo("Hang tight while we grab the latest from your chart repositories...")
        for repo in configured:
            try:
                index = refresh_index(repo, timeout=self.timeout)
            except RepoError as err:
                self.echo(f'...Unable to get an update from the "{repo.name}" chart repository '
                          f"({redact_url(repo.url)}):\n\t{err}")
                continue
            self.indexes[repo.url.rstrip("/")] = index
            self.echo(f'...Successfully got an update from the "{repo.name}" chart repository')
        self.echo("Update Complete. ⎈Happy Helming!⎈")

    def index(self, url: str) -> Any:
        """The index of the repository at ``url``. Raises DependencyError without one."""
        from helmlite.repo.client import cached_index

        key = url.rstrip("/")
        if key not in self.indexes:
            repo = self._configured(url)
            if repo is None:
                raise DependencyError(f"no repository index for {url} (it could not be downloaded)")
            try:
                self.indexes[key] = cached_index(repo.name)
            except RepoError:
                raise DependencyError(f"no cached repository for {repo.name} found. "
                                      "(try 'helmlite repo update')") from None
        return self.indexes[key]

    def lock(self, chart_dir: Path, dep: Dependency) -> Dependency | None:
        """The locked form of ``dep`` (name, repository, chosen version); None if no version fits."""
        from helmlite.semver import Constraint, parse_version

        if dep.repository.startswith(FILE_SCHEME):
            hit = _resolve_local(chart_dir, dep)
            return None if hit is None else Dependency(dep.name, hit[1].metadata.version, dep.repository)
        try:
            constraint = Constraint.parse(dep.version)
        except ValueError as err:
            raise DependencyError(f'dependency "{dep.name}" has an invalid version/constraint format: {err}') from None
        if not dep.repository:
            if not (chart_dir / "charts" / dep.name).is_dir():
                raise DependencyError(f"directory {chart_dir / 'charts' / dep.name} not found")
            return Dependency(dep.name, dep.version, "")
        versions = self.index(dep.repository).entries.get(dep.name)
        if versions is None:
            raise DependencyError(f"{dep.name} chart not found in repo {dep.repository}")
        # Index versions are sorted newest first: the first that fits is the newest that fits.
        for entry in versions:
            try:
                parsed = parse_version(entry.get("version", ""))
            except ValueError:
                continue
            if entry.get("urls") and constraint.check(parsed):
                return Dependency(dep.name, entry["version"], dep.repository)
        return None

    def fetch_all(self, chart_dir: Path, locked: list[Dependency]) -> None:
        """Fetch or package every locked dependency, then replace ``charts/`` archives in one step.

        As Helm's ``downloadAll``: ``charts/`` is created, ``Saving N charts`` printed, and a
        dependency that cannot be saved (a ``file://`` chart that does not package or no longer
        has the locked version, a chart in ``charts/`` that misses its constraint, a failed
        download) prints ``Save error occurred:  <error>`` and raises that error; ``charts/``
        keeps its archives in that case. A chart in ``charts/`` that does not load raises
        DependencyError without the save-error line, as in Helm.
        """
        charts_dir = chart_dir / "charts"
        charts_dir.mkdir(exist_ok=True)
        self.echo(f"Saving {len(locked)} charts")
        archives: dict[str, bytes] = {}
        with tempfile.TemporaryDirectory(prefix="helmlite-charts-") as staging:
            for dep in locked:
                save_error = self._save(chart_dir, dep, Path(staging), archives)
                if save_error is not None:
                    self.echo(f"Save error occurred:  {save_error}")
                    raise save_error
        for file_name, data in archives.items():
            atomic_write(charts_dir / file_name, data)
        self.echo("Deleting outdated charts")
        for archive_path in charts_dir.glob("*.tgz"):
            if archive_path.name not in archives:
                archive_path.unlink()

    def _save(self, chart_dir: Path, dep: Dependency, staging: Path, archives: dict[str, bytes]) -> HelmliteError | None:
        """Add ``dep``'s archive to ``archives`` (a chart in ``charts/`` is only checked).

        Returns the error Helm calls a save error, if any, so the caller can print it before
        raising; a chart in ``charts/`` that does not load raises at once instead.
        """
        if not dep.repository:
            self.echo(f"Dependency {dep.name} did not declare a repository. Assuming it exists in the charts directory")
            return _vendored_mismatch(chart_dir / "charts", dep)
        try:
            if dep.repository.startswith(FILE_SCHEME):
                archive = _package_local(chart_dir, dep, staging)
                archives[archive.name] = archive.read_bytes()
            else:
                self.echo(f"Downloading {dep.name} from repo {dep.repository}")
                file_name, data = self._download(dep)
                archives[file_name] = data
        except HelmliteError as err:
            return err
        return None

    def _download(self, dep: Dependency) -> tuple[str, bytes]:
        """The locked version's package from its repository, checked against the index digest."""
        from helmlite.repo.client import resolve_reference_url
        from helmlite.repo.resolve import ChartLocation, download_chart, lookup_version

        try:
            entry = lookup_version(self.index(dep.repository), dep.name, dep.version, dep.repository)
            urls = entry.get("urls") or []
            if not urls:
                raise RepoError(f'chart "{dep.name}" has no downloadable URLs')
            location = ChartLocation(resolve_reference_url(dep.repository, urls[0]), str(entry.get("digest", "")),
                                     dep.name, str(entry["version"]), self._configured(dep.repository))
            data = download_chart(location, timeout=self.timeout)
        except RepoError as err:
            raise DependencyError(f'could not download {dep.name} {dep.version} from "{dep.repository}": {err}') \
                from None
        return location.file_name(), data


def _is_url(text: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    return bool(parts.scheme and parts.netloc)


def _local_dir(chart_dir: Path, dep: Dependency) -> Path:
    """The directory a ``file://`` dependency names; DependencyError if there is none."""
    source = (chart_dir / dep.repository[len(FILE_SCHEME):]).resolve()
    if not source.is_dir():
        raise DependencyError(f'dependency "{dep.name}": directory "{source}" not found')
    return source


def _require_local_dirs(chart_dir: Path, deps: tuple[Dependency, ...]) -> None:
    """Fail before any progress output when a ``file://`` directory is missing, as Helm's
    ``resolveRepoNames`` does for both ``update`` and ``build``."""
    for dep in deps:
        if dep.repository.startswith(FILE_SCHEME):
            _local_dir(chart_dir, dep)


def _resolve_local(chart_dir: Path, dep: Dependency) -> tuple[Path, Chart] | None:
    """The local chart a ``file://`` dependency names, if its version satisfies the constraint."""
    from helmlite.chart.loader import load_chart
    from helmlite.semver import satisfies

    source = _local_dir(chart_dir, dep)
    sub = load_chart(source)
    if sub.name != dep.name:
        raise DependencyError(f'dependency "{dep.name}": the chart at "{source}" is named "{sub.name}"')
    if dep.version and not satisfies(dep.version, sub.metadata.version):
        return None
    return source, sub


def _package_local(chart_dir: Path, dep: Dependency, staging: Path) -> Path:
    """Package the ``file://`` chart ``dep`` locks into ``staging``; return the archive.

    Raises DependencyError (Helm's words) when the chart there no longer has the locked
    version, or the packaging error (such as an invalid values.schema.json).
    """
    from helmlite.chart.archive import package_chart

    found = _resolve_local(chart_dir, dep)
    if found is None:
        raise DependencyError(f"can't get a valid version for dependency {dep.name}")
    return package_chart(found[0], staging)


def _vendored_mismatch(charts_dir: Path, dep: Dependency) -> DependencyError | None:
    """Helm's check of a dependency without a repository: ``charts/NAME`` must be a chart whose
    version meets the constraint. Returns the mismatch (a save error in Helm); raises
    DependencyError when the chart does not load or the constraint does not parse."""
    from helmlite.chart.loader import load_chart
    from helmlite.semver import Constraint, parse_version

    path = charts_dir / dep.name
    try:
        vendored = load_chart(path)
    except HelmliteError as err:
        raise DependencyError(f"unable to load chart '{path}': {err}") from None
    try:
        constraint = Constraint.parse(dep.version)
    except ValueError as err:
        raise DependencyError(f"dependency {dep.name} has an invalid version/constraint format: {err}") from None
    try:
        satisfied = constraint.check(parse_version(vendored.metadata.version))
    except ValueError as err:
        raise DependencyError(f"invalid version {dep.version} for dependency {dep.name}: {err}") from None
    if satisfied:
        return None
    return DependencyError(f"dependency {dep.name} at version {vendored.metadata.version} "
                           f"does not satisfy the constraint {dep.version}")


def _write_lock(chart_dir: Path, chart: Chart, requested: tuple[Dependency, ...], locked: list[Dependency]) -> None:
    """Write ``Chart.lock`` (``requirements.lock`` for v1) atomically, in Helm's layout."""
    from helmlite.values.yamlio import dump_yaml

    now = datetime.now(UTC)
    generated = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}000Z"
    document = {
        "dependencies": [{"name": d.name, "repository": d.repository, "version": d.version} for d in locked],
        "digest": lock_digest(requested, locked),
        "generated": generated,
    }
    name = "requirements.lock" if chart.metadata.api_version == API_VERSION_V1 else "Chart.lock"
    target = chart_dir / name
    fd, tmp = tempfile.mkstemp(dir=chart_dir, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump_yaml(document))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
