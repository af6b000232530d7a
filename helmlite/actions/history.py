"""``history``: the revisions of one release, oldest first (Helm's ``pkg/action/history.go``)."""

from __future__ import annotations

from dataclasses import dataclass

from helmlite.actions.action import Config
from helmlite.actions.template import validate_release_name
from helmlite.release.model import Release

__all__ = ["DEFAULT_HISTORY_MAX", "History"]

# `history --max` default, as Helm's.
DEFAULT_HISTORY_MAX = 256


@dataclass
class History:
    """Options of ``helmlite history``; ``run`` returns the newest ``max`` revisions, oldest first."""

    config: Config
    namespace: str | None = None
    max: int = DEFAULT_HISTORY_MAX

    def run(self, name: str) -> list[Release]:
        """The revisions of ``name``; raises ReleaseNotFound (``release: not found``)."""
        validate_release_name(name)
        with self.config.reading(self.namespace) as storage:
            history = storage.history(name)
        return history[-self.max :] if self.max > 0 else history
