"""``list``: the releases of a namespace (or all), newest revision each (Helm's ``pkg/action/list.go``).

Helm v4's rules: every status is listed unless status flags narrow it; only the highest
revision of each release is considered, except when the only status asked for is
``superseded`` (then every superseded revision is); ``--filter`` is a regular expression on
the name, ``--selector`` a label query on the storage labels; sorted by name (``-d``: by last
deployment, oldest first; ``-r`` reverses), then ``--offset`` and ``--max``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from helmlite.actions.action import Config
from helmlite.errors import HelmliteError
from helmlite.release.history import latest_revisions
from helmlite.release.model import Release, Status

__all__ = ["DEFAULT_LIST_MAX", "ListError", "ReleaseList"]

# `list --max` default, as Helm's.
DEFAULT_LIST_MAX = 256


class ListError(HelmliteError):
    """A ``--filter`` or ``--selector`` that cannot be used."""


def _selector(text: str) -> Callable[[dict[str, str]], bool]:
    """``--selector`` as a predicate on release labels: the API server's label-selector syntax
    (``a=b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``), as Helm's ``labels.Parse``.
    Raises ListError for a malformed selector."""
    if not text.strip():
        return lambda labels: True
    # The simulator's parser is the API server's; imported only when a selector is given.
    from helmlite.cluster.errors import BadRequestError
    from helmlite.cluster.selectors import LabelSelector

    try:
        return LabelSelector.parse(text).matches
    except BadRequestError as exc:
        raise ListError(str(exc)) from None


@dataclass
class ReleaseList:
    """Options of ``helmlite list``; ``run`` returns the releases to show, in order."""

    config: Config
    all_namespaces: bool = False
    namespace: str | None = None
    states: Collection[Status] = field(default_factory=frozenset)
    filter: str = ""
    selector: str = ""
    by_date: bool = False
    reverse: bool = False
    limit: int = DEFAULT_LIST_MAX
    offset: int = 0

    def run(self) -> list[Release]:
        """The matching releases. Raises ListError for a bad ``filter`` or ``selector``."""
        try:
            pattern = re.compile(self.filter) if self.filter else None
        except re.error as exc:
            raise ListError(f"error parsing regexp: {exc}: `{self.filter}`") from None
        selected = _selector(self.selector)
        namespace = "" if self.all_namespaces else self.namespace
        with self.config.reading(namespace) as storage:
            records = storage.list_releases()
        states = frozenset(self.states)
        candidates = records if states == {Status.SUPERSEDED} else latest_revisions(records)
        chosen = [
            rel
            for rel in candidates
            if (not states or rel.status in states)
            and (pattern is None or pattern.search(rel.name))
            and selected(rel.labels)
        ]
        chosen.sort(key=lambda r: (r.name, r.namespace, r.version))
        if self.by_date:
            chosen.sort(key=lambda r: r.info.last_deployed.unix_nanos if r.info.last_deployed else 0)
        if self.reverse:
            chosen.reverse()
        if self.offset >= len(chosen):
            return []
        end = len(chosen) if self.limit <= 0 else min(len(chosen), self.offset + self.limit)
        return chosen[self.offset : end]
