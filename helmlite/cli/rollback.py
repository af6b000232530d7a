"""``helmlite rollback RELEASE [REVISION]``."""

from __future__ import annotations

from typing import Any

import click

from helmlite.cli.install import wait_choice, waits
from helmlite.cli.options import global_options
from helmlite.cli.release_printer import (
    OptionalValueCommand,
    driver_option,
    print_status,
    release_config,
    timeout_option,
)

__all__ = ["rollback"]


@click.command(cls=OptionalValueCommand, short_help="roll back a release to a previous revision")
@global_options
@click.argument("name", metavar="RELEASE")
@click.argument("revision", type=int, required=False, default=0, metavar="[REVISION]")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="show the revision that would be rolled back to, and change nothing")
@wait_choice
@timeout_option
@click.option("--no-hooks", is_flag=True, help="do not run the rollback hooks")
@click.option("--force-conflicts", is_flag=True, help="take over fields other field managers own (server-side apply)")
@click.option("--cleanup-on-fail", is_flag=True, help="delete the resources this rollback created when it fails")
@click.option("--history-max", type=int, default=None, metavar="N",
              help="keep at most N revisions (0: no limit) [default: 10, env HELMLITE_MAX_HISTORY]")
@click.option("--description", default="", help="a custom description (at most 256 characters)")
@driver_option
def rollback(name: str, revision: int, dry_run: str, wait_strategy: str, driver: str | None,
             history_max: int | None, **kwargs: Any) -> None:
    """Roll a release back to a previous revision, as a new revision.

    Without REVISION the release goes back to the newest successful (deployed or superseded)
    revision before the current one; Helm goes to the previous revision even when it failed.
    A release left pending by an operation that died is recovered by a rollback.

    \b
    Examples:
      helmlite rollback web          # the last good revision
      helmlite rollback web 1
    """
    from helmlite.actions.rollback import Rollback

    config = release_config(driver, history_max=history_max)
    action = Rollback(config, dry_run=dry_run != "none", wait=waits(wait_strategy), history_max=config.history_max,
                      **kwargs)
    rel = action.run(name, revision)
    if action.dry_run:
        print_status(config.output, rel, hide_notes=True, show_manifest=False)
        return
    config.output.write("Rollback was a success! Happy Helming!\n")
