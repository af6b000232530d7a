"""``search repo`` matching and ranking, exactly as Helm's ``pkg/cmd/search`` does it.

Every chart version becomes one line ``name \\v repo/name \\v description \\v keywords``. A
literal search lowercases both sides and looks for the substring; ``regexp`` is
case-sensitive (write ``(?i)``). The score is the field the match starts in (0 name,
1 repo/name, 2 description, 3 keywords). Results are sorted by score, then name, then
version (newest first); the version constraint then keeps the first satisfying version of
each chart, or every satisfying version with ``versions``. Without ``--version`` the
constraint is ``>0.0.0`` (stable only), ``>0.0.0-0`` with ``devel``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from helmlite.repo.index import IndexFile, RepoError, version_precedence

__all__ = ["MAX_SCORE", "SearchResult", "search_charts"]

MAX_SCORE = 25
"""Helm's ``searchMaxScore``: matches scoring this or more are dropped (never, in practice)."""
_SEP = "\v"
_STABLE = ">0.0.0"
_ANY = ">0.0.0-0"


@dataclass(frozen=True)
class SearchResult:
    """One matching chart version: ``name`` is ``repo/chart``; ``chart`` is the index entry."""

    name: str
    score: int
    chart: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.chart.get("version", ""))

    @property
    def app_version(self) -> str:
        return str(self.chart.get("appVersion", ""))

    @property
    def description(self) -> str:
        return str(self.chart.get("description", ""))


def _line(repo: str, entry: dict[str, Any]) -> str:
    name = entry.get("name", "")
    return _SEP.join((name, f"{repo}/{name}", entry.get("description", ""), " ".join(entry.get("keywords", ()))))


def _score(index: int, line: str) -> int:
    """The number of separators before ``index``: which field the match starts in."""
    return line.count(_SEP, 0, index)


def search_charts(indexes: Iterable[tuple[str, IndexFile]], terms: Iterable[str] = (), *, regexp: bool = False,
                  version: str = "", devel: bool = False, versions: bool = False) -> list[SearchResult]:
    """Search the given ``(repository name, index)`` pairs.

    ``terms`` are joined with spaces; none means every chart. Returns the results in Helm's
    order. Raises RepoError for an invalid regular expression and ConstraintError for an
    invalid ``version`` constraint.
    """
    from helmlite.semver import Constraint, parse_version

    query = " ".join(terms)
    matcher: re.Pattern[str] | None = None
    if query and regexp:
        try:
            matcher = re.compile(query)
        except re.error as err:
            raise RepoError(f"error parsing regexp: {err}: `{query}`") from None
    needle = query.lower()
    constraint = Constraint.parse(version or (_ANY if devel else _STABLE))

    found: list[SearchResult] = []
    for repo, index in indexes:
        for entry_list in index.entries.values():
            for entry in entry_list:
                if not query:
                    found.append(SearchResult(f"{repo}/{entry.get('name', '')}", 0, entry))
                    continue
                line = _line(repo, entry)
                if matcher is not None:
                    match = matcher.search(line)
                    start = match.start() if match else -1
                else:
                    start = line.lower().find(needle)
                if start < 0:
                    continue
                score = _score(start, line)
                if score < MAX_SCORE:
                    found.append(SearchResult(f"{repo}/{entry.get('name', '')}", score, entry))

    # Newest first within a chart, then (stable sort) by score and name: Helm's scoreSorter.
    found.sort(key=lambda r: version_precedence(r.version) or (), reverse=True)
    found.sort(key=lambda r: (r.score, r.name))

    kept: list[SearchResult] = []
    seen: set[str] = set()
    for result in found:
        if not versions and result.name in seen:
            continue
        try:
            parsed = parse_version(result.version)
        except ValueError:
            continue
        if constraint.check(parsed):
            kept.append(result)
            seen.add(result.name)
    return kept
