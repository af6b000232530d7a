"""``helmlite status RELEASE``."""

from __future__ import annotations

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    driver_option,
    output_option,
    print_status,
    release_config,
    release_object,
    write_data,
)

__all__ = ["status"]


@click.command(short_help="display the status of the named release")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@click.option("--revision", type=int, default=0, help="if set, display the status of the named release with revision")
@click.option("--show-resources", is_flag=True, help="also list the release's live resources and their pods")
@output_option
@driver_option
def status(name: str, revision: int, show_resources: bool, output_format: str, driver: str | None) -> None:
    """Show a release's status: last deployment time, namespace, status, revision, description,
    the last test run, the chart's notes (and, with --show-resources, its live objects)."""
    from helmlite.actions.status import ReleaseStatus

    config = release_config(driver)
    result = ReleaseStatus(config, revision=revision, show_resources=show_resources).run(name)
    if output_format == "table":
        print_status(config.output, result.release, resources=result.resources, now=result.now)
    else:
        write_data(config.output, release_object(result.release, with_chart=False), output_format)
