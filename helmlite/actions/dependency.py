"""``dependency list|update|build``: a chart's dependencies in ``charts/`` and ``Chart.lock``.

``update`` resolves each declared dependency to one chart version, packages it into
``charts/`` and records the result in ``Chart.lock`` (``requirements.lock`` for v1 charts) with
Helm's digest, so ``build`` can reproduce exactly that set later. Dependencies from local
directories (``file://``) resolve here; chart repositories are resolved by the repository
client.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from helmlite.chart.model import API_VERSION_V1, Chart, Dependency
from helmlite.errors import DependencyError

__all__ = ["DependencyList", "DependencyUpdate", "DependencyBuild", "lock_digest"]

FILE_SCHEME = "file://"


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
    def run(self, chart_dir: Path) -> list[str]:
        """Resolve, package into ``charts/`` and lock every declared dependency.

        Returns the progress lines to print. Raises DependencyError naming every dependency
        that has no matching version, before ``charts/`` is touched.
        """
        from helmlite.chart.loader import load_chart

        chart = load_chart(chart_dir)
        requested = _declared(chart)
        if not requested:
            return []
        found = {dep: _resolve_local(chart_dir, dep) for dep in requested}
        failures = [dep for dep, hit in found.items() if hit is None]
        if failures:
            names = ", ".join(f'"{d.name}" (repository "{d.repository}", version "{d.version}")' for d in failures)
            raise DependencyError(
                f"can't get a valid version for {len(failures)} subchart(s): {names}. Make sure a matching chart "
                "version exists in the repo, or change the version constraint in Chart.yaml"
            )
        resolved = [(dep, hit) for dep, hit in found.items() if hit is not None]
        charts_dir = chart_dir / "charts"
        charts_dir.mkdir(exist_ok=True)
        kept = {_package_into(charts_dir, source_dir) for _dep, (source_dir, _sub) in resolved}
        for archive in charts_dir.glob("*.tgz"):
            if archive.name not in kept:
                archive.unlink()
        locked = [Dependency(name=dep.name, version=sub.metadata.version, repository=dep.repository)
                  for dep, (_dir, sub) in resolved]
        _write_lock(chart_dir, chart, requested, locked)
        return [f"Saving {len(resolved)} charts", "Deleting outdated charts"]


@dataclass
class DependencyBuild:
    def run(self, chart_dir: Path) -> list[str]:
        """Rebuild ``charts/`` from the lock file; without a lock file, behave as ``update``.

        Raises DependencyError when the lock no longer matches the declared dependencies.
        """
        from helmlite.chart.loader import load_chart

        chart = load_chart(chart_dir)
        if chart.lock is None:
            return DependencyUpdate().run(chart_dir)
        requested = _declared(chart)
        if lock_digest(requested, list(chart.lock.dependencies)) != chart.lock.digest:
            lock_name = "requirements.lock" if chart.metadata.api_version == API_VERSION_V1 else "Chart.lock"
            deps_name = "requirements.yaml" if chart.metadata.api_version == API_VERSION_V1 else "Chart.yaml"
            raise DependencyError(f"the lock file ({lock_name}) is out of sync with the dependencies file "
                                  f"({deps_name}). Please update the dependencies")
        charts_dir = chart_dir / "charts"
        charts_dir.mkdir(exist_ok=True)
        for locked in chart.lock.dependencies:
            found = _resolve_local(chart_dir, locked)
            if found is None:
                raise DependencyError(f'dependency "{locked.name}" version {locked.version} from '
                                      f'"{locked.repository}" is not available')
            _package_into(charts_dir, found[0])
        return [f"Saving {len(chart.lock.dependencies)} charts", "Deleting outdated charts"]


def _declared(chart: Chart) -> tuple[Dependency, ...]:
    return chart.metadata.dependencies


def _resolve_local(chart_dir: Path, dep: Dependency) -> tuple[Path, Chart] | None:
    """The local chart a ``file://`` dependency names, if its version satisfies the constraint."""
    from helmlite.chart.loader import load_chart
    from helmlite.semver import satisfies

    if not dep.repository.startswith(FILE_SCHEME):
        raise DependencyError(
            f'dependency "{dep.name}": repository "{dep.repository}" is a chart repository; only file:// '
            "dependencies can be resolved until `helmlite repo add` is available"
        )
    source = (chart_dir / dep.repository[len(FILE_SCHEME):]).resolve()
    if not source.is_dir():
        raise DependencyError(f'dependency "{dep.name}": directory "{source}" not found')
    sub = load_chart(source)
    if sub.name != dep.name:
        raise DependencyError(f'dependency "{dep.name}": the chart at "{source}" is named "{sub.name}"')
    if dep.version and not satisfies(dep.version, sub.metadata.version):
        return None
    return source, sub


def _package_into(charts_dir: Path, source_dir: Path) -> str:
    from helmlite.chart.archive import package_chart

    return package_chart(source_dir, charts_dir).name


def _write_lock(chart_dir: Path, chart: Chart, requested: tuple[Dependency, ...], locked: list[Dependency]) -> None:
    """Write ``Chart.lock`` (``requirements.lock`` for v1) atomically, in Helm's layout."""
    from helmlite.values.yamlio import dump_yaml

    now = datetime.now(timezone.utc)
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
