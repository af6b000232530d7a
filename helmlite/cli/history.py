"""``helmlite history RELEASE`` (alias ``hist``)."""

from __future__ import annotations

import click

from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    driver_option,
    output_option,
    print_history,
    release_config,
)

__all__ = ["history"]


@click.command(short_help="fetch release history")
@global_options
@click.argument("name", metavar="RELEASE_NAME")
@click.option("--max", "maximum", type=int, default=256, show_default=True,
              help="maximum number of revisions to include in history")
@click.option("--show-rollback-revision", is_flag=True, help="show the ROLLBACK column (the revision rolled back to)")
@output_option
@driver_option
def history(name: str, maximum: int, show_rollback_revision: bool, output_format: str, driver: str | None) -> None:
    """Print the revisions of a release, oldest first.

    \b
    REVISION  UPDATED                   STATUS      CHART          APP VERSION  DESCRIPTION
    1         Mon Jan  5 10:41:20 2026  superseded  mychart-0.1.0  1.0          Install complete
    """
    from helmlite.actions.history import History

    config = release_config(driver)
    releases = History(config, max=maximum).run(name)
    print_history(config.output, releases, output_format, rollback_revision=show_rollback_revision)
