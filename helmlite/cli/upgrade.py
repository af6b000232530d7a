"""``helmlite upgrade RELEASE CHART``."""

from __future__ import annotations

import sys
from typing import Any

import click

from helmlite.cli.install import labels_from, wait_choice, waits
from helmlite.cli.options import global_options, value_options_from, values_options
from helmlite.cli.pull import chart_location_options, chart_path_options_from
from helmlite.cli.release_printer import (
    OptionalValueCommand,
    driver_option,
    output_option,
    print_status,
    release_config,
    release_object,
    timeout_option,
    write_data,
)
from helmlite.errors import HelmliteError

__all__ = ["upgrade"]


@click.command(cls=OptionalValueCommand, short_help="upgrade a release")
@global_options
@values_options
@click.argument("name", metavar="RELEASE")
@click.argument("chart_ref", metavar="CHART")
@click.option("-i", "--install", is_flag=True, help="if the release does not exist (or was uninstalled), install it")
@click.option("--reuse-values", is_flag=True,
              help="reuse the last revision's computed values and merge the new flags over them; the new "
                   "chart's defaults are IGNORED (new keys in the chart stay unset)")
@click.option("--reset-values", is_flag=True,
              help="forget the last revision's values: the new chart's defaults plus the new flags only")
@click.option("--reset-then-reuse-values", is_flag=True,
              help="the new chart's defaults, then the last revision's user-supplied values, then the new "
                   "flags: what most people mean by 'keep my settings' when the chart changed")
@click.option("--history-max", type=int, default=None, metavar="N",
              help="keep at most N revisions (0: no limit) [default: 10, env HELMLITE_MAX_HISTORY]")
@click.option("--force-conflicts", is_flag=True, help="take over fields other field managers own (server-side apply)")
@click.option("--cleanup-on-fail", is_flag=True, help="delete the resources this upgrade created when it fails")
@click.option("--rollback-on-failure", is_flag=True,
              help="if the upgrade fails, roll back to the last successful revision (implies --wait)")
@click.option("--atomic", is_flag=True, hidden=True, help="deprecated: use --rollback-on-failure")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="simulate the upgrade and print what would change; a bare --dry-run means 'client'")
@wait_choice
@timeout_option
@click.option("--description", default="", help="add a custom description")
@click.option("-l", "--labels", multiple=True, metavar="KEY=VALUE,...",
              help="labels for the release's storage object, merged with the previous ones ('key=null' removes one)")
@click.option("--no-hooks", is_flag=True, help="do not run hooks")
@click.option("--skip-crds", is_flag=True, help="with --install: do not install the chart's crds/ files")
@click.option("--create-namespace", is_flag=True, help="with --install: create the release namespace if needed")
@click.option("--take-ownership", is_flag=True, help="adopt existing resources not owned by this release")
@click.option("--skip-schema-validation", is_flag=True, help="do not validate values against values.schema.json")
@click.option("--hide-notes", is_flag=True, help="do not print the chart's NOTES")
@output_option
@driver_option
@chart_location_options
def upgrade(name: str, chart_ref: str, wait_strategy: str, atomic: bool, labels: tuple[str, ...],
            output_format: str, driver: str | None, hide_notes: bool, history_max: int | None, **kwargs: Any) -> None:
    """Upgrade a release to a new chart version or new values.

    Every attempt is recorded as the next revision (a failed one too). Which values the new
    revision gets:

    \b
      (no values flags)            the last revision's user-supplied values are reused,
                                   over the new chart's defaults (helmlite says so on stderr)
      --reset-values               only the new flags, over the new chart's defaults
      --reuse-values               the new flags over the last revision's COMPUTED values;
                                   the new chart's defaults are ignored
      --reset-then-reuse-values    new chart defaults < last user-supplied values < new flags

    \b
    Examples:
      helmlite upgrade web charts/mychart --set image.tag=1.2 --wait
      helmlite upgrade --install web local/mychart --version 0.2.0
      helmlite upgrade web charts/mychart --dry-run        # shows the changes only
    """
    from helmlite.actions.upgrade import Upgrade

    values = value_options_from(kwargs)
    chart_options = chart_path_options_from(kwargs)
    config = release_config(driver, history_max=history_max)
    if atomic:
        config.output.warn("--atomic is deprecated: use --rollback-on-failure")
    action = Upgrade(
        config,
        values=values,
        chart_options=chart_options,
        wait=waits(wait_strategy),
        rollback_on_failure=kwargs.pop("rollback_on_failure") or atomic,
        labels=labels_from(labels, allow_null=True),
        history_max=config.history_max,
        **kwargs,
    )
    try:
        rel = action.run(name, chart_ref, stdin=sys.stdin)
    except HelmliteError as exc:
        raise HelmliteError(f"UPGRADE FAILED: {exc}") from exc
    out = config.output
    if output_format != "table":
        write_data(out, release_object(rel), output_format)
        return
    if action.installed:
        out.write(f'Release "{name}" does not exist. Installing it now.\n')
        print_status(out, rel, hide_notes=hide_notes)
        return
    if action.dry_run != "none" and action.previous is not None:
        from helmlite.actions.diff import manifest_changes
        from helmlite.cli.diff import print_changes

        # The changes against the deployed revision, not Helm's full manifest: that is what a
        # dry run of an upgrade is asked for (helm-diff's job, built in).
        print_status(out, rel, hide_notes=True, show_manifest=False)
        out.write(f"CHANGES (against revision {action.previous.version}):\n")
        print_changes(out, manifest_changes(action.previous.manifest, rel.manifest))
        return
    out.write(f'Release "{name}" has been upgraded. Happy Helming!\n')
    print_status(out, rel, hide_notes=hide_notes)
