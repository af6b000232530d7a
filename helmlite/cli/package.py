"""``helmlite package CHART_PATH...``."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.cli.options import global_options
from helmlite.output import Output


@click.command(short_help="package a chart directory into a chart archive")
@global_options
@click.argument("paths", nargs=-1, required=True, metavar="CHART_PATH...")
@click.option("--version", help="set the version on the chart to this semver version")
@click.option("--app-version", help="set the appVersion on the chart to this version")
@click.option("-d", "--destination", default=".", show_default=True, type=click.Path(file_okay=False),
              help="location to write the chart")
@click.option("-u", "--dependency-update", is_flag=True,
              help="update dependencies from Chart.yaml into charts/ before packaging (local file:// dependencies)")
def package(paths: tuple[str, ...], version: str | None, app_version: str | None, destination: str,
            dependency_update: bool) -> None:
    """Package each chart directory into a versioned archive NAME-VERSION.tgz.

    Archives are reproducible: identical input gives byte-identical output (fixed
    timestamps, or SOURCE_DATE_EPOCH when set), so the sha256 digest is stable.
    """
    from helmlite.actions.package import Package

    out = Output()
    action = Package(version=version, app_version=app_version, destination=Path(destination),
                     dependency_update=dependency_update)
    for path in paths:
        written = action.run(Path(path))
        out.echo(f"Successfully packaged chart and saved it to: {written}")
