"""``package``: a chart directory → a reproducible ``NAME-VERSION.tgz``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helmlite.errors import ChartError, DependencyError

__all__ = ["Package"]


@dataclass
class Package:
    version: str | None = None
    app_version: str | None = None
    destination: Path = Path(".")
    dependency_update: bool = False

    def run(self, chart_dir: Path) -> Path:
        """Validate the chart, optionally refresh its dependencies, and write the archive.

        Returns the archive path. Raises ChartError (not a directory, invalid chart or
        version, declared dependencies missing from ``charts/``) before anything is written.
        """
        from helmlite.chart.archive import package_chart
        from helmlite.chart.dependencies import check_dependencies_present
        from helmlite.chart.loader import load_chart
        from helmlite.semver import parse_version

        if not chart_dir.is_dir():
            raise ChartError(f'"{chart_dir}" is not a chart directory: package a chart directory, not an archive')
        if self.version is not None:
            parse_version(self.version)
        if self.dependency_update:
            from helmlite.actions.dependency import DependencyUpdate

            DependencyUpdate().run(chart_dir)
        chart = load_chart(chart_dir)  # refuse to package a chart that does not load
        missing = check_dependencies_present(chart)
        if missing:
            raise DependencyError(f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}")
        self.destination.mkdir(parents=True, exist_ok=True)
        try:
            return package_chart(chart_dir, self.destination, version=self.version, app_version=self.app_version)
        except ChartError as err:
            raise ChartError(f"failed to save: {err}") from None  # Helm wraps what its chartutil.Save refuses
