"""``repo add|list|remove|update|index``: the configured chart repositories and their indexes.

Messages and failure modes are Helm's (``pkg/cmd/repo_*.go``): ``add`` validates the
repository by downloading its index before anything is written, ``update`` fetches every
index in parallel and keeps the old cache of a repository that fails, ``remove`` drops the
cached index too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helmlite.output import Output
from helmlite.repo.client import (
    DEFAULT_TIMEOUT,
    DownloadError,
    RepoEntry,
    RepositoryFile,
    redact_url,
    refresh_index,
    remove_index_cache,
    repositories_lock,
    repositories_path,
)
from helmlite.repo.index import IndexFile, IndexLoadError, RepoError, index_directory

__all__ = ["MAX_PARALLEL_UPDATES", "RepoAdd", "RepoIndex", "RepoList", "RepoRemove", "RepoUpdate"]

MAX_PARALLEL_UPDATES = 8
"""Indexes fetched at once by ``repo update`` (Helm starts one goroutine per repository)."""


@dataclass
class RepoAdd:
    """``repo add NAME URL``: validate the repository, cache its index, remember it."""

    output: Output
    entry: RepoEntry
    force_update: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def run(self) -> None:
        """Raises RepoError for a name with "/", a name taken by another configuration, or a
        URL that does not serve a valid index."""
        name, url = self.entry.name, self.entry.url
        if "/" in name:
            raise RepoError(f"repository name ({name}) contains '/', please specify a different name without '/'")
        path = repositories_path()
        with repositories_lock(path):
            repos = RepositoryFile.load(path)
            existing = repos.get(name)
            if existing is not None and not self.force_update:
                if existing == self.entry:
                    self.output.echo(f'"{name}" already exists with the same configuration, skipping')
                    return
                raise RepoError(f"repository name ({name}) already exists, please specify a different name")
            try:
                refresh_index(self.entry, timeout=self.timeout, warn=self.output.warn)
            except (DownloadError, IndexLoadError) as err:
                raise RepoError(
                    f'looks like "{redact_url(url)}" is not a valid chart repository or cannot be reached: {err}'
                ) from None
            repos.update(self.entry)
            repos.write(path)
        self.output.echo(f'"{name}" has been added to your repositories')


@dataclass
class RepoList:
    """``repo list``: the configured repositories, in the order they were added."""

    def run(self) -> list[RepoEntry]:
        """Returns the entries (possibly none). Raises RepoError for an unreadable file."""
        return RepositoryFile.load(repositories_path()).repositories


@dataclass
class RepoRemove:
    """``repo remove NAME...``: forget repositories and delete their cached indexes."""

    output: Output
    names: tuple[str, ...] = ()

    def run(self) -> None:
        """Removes the names in order; raises RepoError at the first one that is not configured."""
        path = repositories_path()
        with repositories_lock(path):
            repos = RepositoryFile.load(path)
            for name in self.names:
                if not repos.remove(name):
                    raise RepoError(f'no repo named "{name}" found')
                repos.write(path)
                remove_index_cache(name)
                self.output.echo(f'"{name}" has been removed from your repositories')


@dataclass
class RepoUpdate:
    """``repo update [NAME...]``: download fresh indexes (all repositories, or the named ones)."""

    output: Output
    names: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT

    def run(self) -> None:
        """Prints Helm's progress lines. Raises RepoError when nothing is configured, a name is
        unknown, or any repository failed (their old caches are kept)."""
        repos = RepositoryFile.load(repositories_path()).repositories
        if not repos:
            raise RepoError("no repositories found. You must add one before updating")
        if self.names:
            known = {r.name for r in repos}
            missing = [n for n in self.names if n not in known]
            if missing:
                raise RepoError(f"no repositories found matching '{', '.join(missing)}'.  Nothing will be updated")
            repos = [r for r in repos if r.name in set(self.names)]
        out = self.output
        out.echo("Hang tight while we grab the latest from your chart repositories...")
        warnings: dict[str, list[str]] = {r.name: [] for r in repos}

        def refresh(repo: RepoEntry) -> IndexFile | RepoError:
            try:
                return refresh_index(repo, timeout=self.timeout, warn=warnings[repo.name].append)
            except RepoError as err:
                return err

        failed: list[str] = []
        # Only `repo update` needs threads: the import stays out of every other repo command.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_UPDATES, len(repos))) as pool:
            for repo, result in zip(repos, pool.map(refresh, repos)):
                for message in warnings[repo.name]:
                    out.warn(message)
                if isinstance(result, RepoError):
                    failed.append(redact_url(repo.url))
                    out.echo(f'...Unable to get an update from the "{repo.name}" chart repository '
                             f"({redact_url(repo.url)}):\n\t{result}")
                    continue
                out.echo(f'...Successfully got an update from the "{repo.name}" chart repository')
        if failed:
            raise RepoError(f"failed to update the following repositories: [{' '.join(failed)}]")
        out.echo("Update Complete. ⎈Happy Helming!⎈")


@dataclass
class RepoIndex:
    """``repo index DIR [--url URL] [--merge FILE] [--json]``: write ``DIR/index.yaml``."""

    output: Output
    directory: Path
    url: str = ""
    merge: Path | None = None
    json: bool = False

    def run(self) -> IndexFile:
        """Index the directory (incrementally) and write ``DIR/index.yaml`` atomically.

        Returns the index. Raises RepoError for a missing directory and IndexLoadError for a
        bad merge file.
        """
        index = index_directory(self.directory, url=self.url, merge=self.merge, warn=self.output.warn)
        index.write(Path(self.directory) / "index.yaml", json=self.json)
        return index
