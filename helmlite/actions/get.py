"""``get``: one revision of a release, as recorded (Helm's ``pkg/action/get*.go``).

``get values``/``manifest``/``notes``/``hooks``/``metadata``/``all`` read the same record
and differ only in what they print (the CLI); ``computed_values`` is ``get values --all``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helmlite.actions.action import Config
from helmlite.actions.template import validate_release_name
from helmlite.release.model import Release

__all__ = ["Get", "computed_values", "metadata"]


@dataclass
class Get:
    """Options of ``helmlite get``; ``run`` returns the record."""

    config: Config
    namespace: str | None = None
    revision: int = 0

    def run(self, name: str) -> Release:
        """Revision ``revision`` of ``name`` (0: the last one). Raises ReleaseNotFound."""
        validate_release_name(name)
        with self.config.reading(self.namespace) as storage:
            return storage.get(name, self.revision) if self.revision > 0 else storage.last(name)


def _drop_nulls(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _drop_nulls(v) if isinstance(v, dict) else v for k, v in values.items() if v is not None}


def computed_values(release: Release) -> dict[str, Any]:
    """The recorded chart's defaults with the user values over them (Helm's ``CoalesceValues``
    on the stored chart; a ``null`` user value deletes the default)."""
    from helmlite.values.coalesce import coalesce_tables

    defaults = release.chart.get("values")
    return _drop_nulls(coalesce_tables(release.config, defaults if isinstance(defaults, dict) else {}))


def metadata(release: Release) -> dict[str, Any]:
    """``get metadata``'s object, with Helm's keys and key order."""
    meta = release.chart_metadata
    deployed = release.info.last_deployed
    out: dict[str, Any] = {
        "name": release.name,
        "chart": release.chart_name,
        "version": release.chart_version,
        "appVersion": release.app_version,
    }
    if meta.get("annotations"):
        out["annotations"] = meta["annotations"]
    if release.labels:
        out["labels"] = dict(sorted(release.labels.items()))
    if meta.get("dependencies"):
        out["dependencies"] = meta["dependencies"]
    out["namespace"] = release.namespace
    out["revision"] = release.version
    out["status"] = release.status.value
    out["deployedAt"] = _rfc3339(deployed) if deployed else "0001-01-01T00:00:00Z"
    if release.apply_method:
        out["applyMethod"] = release.apply_method.value
    return out


def _rfc3339(stamp: Any) -> str:
    """Go's ``time.RFC3339`` (seconds, no fraction) in the recorded zone."""
    moment = stamp.to_datetime()
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    offset = stamp.utc_offset
    if offset == 0:
        return text + "Z"
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"
