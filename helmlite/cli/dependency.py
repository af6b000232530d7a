"""``helmlite dependency list|update|build CHART``."""

from __future__ import annotations

from pathlib import Path

import click

from helmlite.cli.options import global_options
from helmlite.output import Output

_DEPENDENCY_HELP = """Manage the dependencies of a chart.

Dependencies are declared in Chart.yaml (or requirements.yaml for apiVersion v1 charts)
and vendored into charts/, as archives or directories:

\b
    dependencies:
    - name: mariadb
      version: "^11.0.0"
      repository: "file://../mariadb"
      condition: mariadb.enabled
      tags: [database]

'update' resolves each constraint, packages the chosen version into charts/ and writes
Chart.lock; 'build' reproduces charts/ from Chart.lock; 'list' shows what is declared
and whether charts/ satisfies it.
"""


@click.group(short_help="manage a chart's dependencies", help=_DEPENDENCY_HELP)
@global_options
def dependency() -> None:
    pass


@dependency.command("list", short_help="list the dependencies for the given chart")
@global_options
@click.argument("chart", default=".")
def list_(chart: str) -> None:
    """List the declared dependencies of CHART (a directory or archive) and their status in charts/."""
    from helmlite.actions.dependency import DependencyList

    out = Output()
    rows = DependencyList().run(Path(chart))
    if not rows:
        out.echo(f"WARNING: no dependencies at {Path(chart) / 'charts'}")
        return
    out.table(("NAME", "VERSION", "REPOSITORY", "STATUS"), rows)
    out.echo()


@dependency.command("update", short_help="update charts/ based on the contents of Chart.yaml")
@global_options
@click.argument("chart", default=".")
@click.option("--skip-refresh", is_flag=True, help="do not refresh the local repository cache")
def update(chart: str, skip_refresh: bool) -> None:
    """Resolve the declared dependencies, fetch them into charts/ and write Chart.lock."""
    from helmlite.actions.dependency import DependencyUpdate

    DependencyUpdate(skip_refresh=skip_refresh).run(Path(chart), Output().echo)


@dependency.command("build", short_help="rebuild charts/ based on the Chart.lock file")
@global_options
@click.argument("chart", default=".")
@click.option("--skip-refresh", is_flag=True, help="do not refresh the local repository cache")
def build(chart: str, skip_refresh: bool) -> None:
    """Reproduce charts/ exactly from Chart.lock (falls back to 'update' without a lock file)."""
    from helmlite.actions.dependency import DependencyBuild

    DependencyBuild(skip_refresh=skip_refresh).run(Path(chart), Output().echo)


dependency.add_command(list_, "ls")
dependency.add_command(update, "up")
