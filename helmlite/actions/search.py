"""``search repo``: search the cached indexes of the configured repositories."""

from __future__ import annotations

from dataclasses import dataclass

from helmlite.errors import ConstraintError
from helmlite.output import Output
from helmlite.repo.client import RepositoryFile, cached_index, repositories_path
from helmlite.repo.index import IndexFile, IndexLoadError, RepoError
from helmlite.repo.search import SearchResult, search_charts

__all__ = ["SearchRepo"]


@dataclass
class SearchRepo:
    """Options of ``search repo``; ``run`` returns the results in Helm's order."""

    output: Output
    regexp: bool = False
    version: str = ""
    devel: bool = False
    versions: bool = False

    def run(self, terms: tuple[str, ...] = ()) -> list[SearchResult]:
        """Search every configured repository's cached index (no network).

        A repository whose cache is missing or corrupt is skipped with a warning, as Helm
        does. Raises RepoError when no repository is configured, for an invalid regular
        expression or an invalid ``version`` constraint.
        """
        repos = RepositoryFile.load(repositories_path()).repositories
        if not repos:
            raise RepoError("no repositories configured")
        indexes: list[tuple[str, IndexFile]] = []
        for repo in repos:
            try:
                indexes.append((repo.name, cached_index(repo.name, warn=self.output.warn)))
            except IndexLoadError as err:
                self.output.warn(f"Repo \"{repo.name}\" is corrupt or missing. Try 'helmlite repo update'.")
                self.output.warn(str(err))
        try:
            return search_charts(indexes, terms, regexp=self.regexp, version=self.version, devel=self.devel,
                                 versions=self.versions)
        except ConstraintError as err:
            raise RepoError(f"an invalid version/constraint format: {err}") from None
