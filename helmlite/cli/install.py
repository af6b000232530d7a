"""``helmlite install [NAME] CHART``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

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

__all__ = ["WAIT_STRATEGIES", "install", "labels_from", "wait_choice"]

# --wait values: Helm v4's strategies; "hookOnly" (the default) waits for hooks only.
WAIT_STRATEGIES = ("watcher", "hookOnly", "legacy", "true", "false")


def wait_choice(f: Any) -> Any:
    """``--wait[=watcher|hookOnly|legacy]``: a bare ``--wait`` waits for every resource."""
    return click.option("--wait", "wait_strategy", type=click.Choice(WAIT_STRATEGIES), default="hookOnly",
                        show_default=True,
                        help="wait until every resource is ready (Deployments rolled out, Jobs started, Pods "
                             "ready, PVCs bound, Services with endpoints) before marking the release successful; "
                             "a bare --wait means 'watcher'")(f)


def waits(strategy: str) -> bool:
    """Whether a ``--wait`` value waits for the release's resources (not only its hooks)."""
    return strategy in ("watcher", "legacy", "true")


def labels_from(items: tuple[str, ...], *, allow_null: bool = False) -> dict[str, Any]:
    """``--labels k=v,k2=v2`` (repeatable) as a dict; with ``allow_null`` a value ``null`` is None."""
    labels: dict[str, Any] = {}
    for item in items:
        for pair in (p for p in item.split(",") if p):
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise click.BadParameter(f'"{pair}" must be formatted as key=value', param_hint="--labels")
            labels[key.strip()] = None if allow_null and value == "null" else value
    return labels


def generated_name(chart_ref: str) -> str:
    """``--generate-name``: ``<chart base name>-<unix time>``, as Helm."""
    base = Path(chart_ref.rstrip("/")).name.split(".")[0] or "chart"
    return f"{base}-{int(time.time())}"


@click.command(cls=OptionalValueCommand, short_help="install a chart")
@global_options
@values_options
@click.argument("args", nargs=-1, required=True, metavar="[NAME] CHART")
@click.option("-g", "--generate-name", is_flag=True, help="generate the name (and omit the NAME parameter)")
@click.option("--create-namespace", is_flag=True, help="create the release namespace if not present")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="simulate an install: 'client' renders without a cluster, 'server' also checks against the "
                   "cluster; a bare --dry-run means 'client'")
@wait_choice
@timeout_option
@click.option("--rollback-on-failure", is_flag=True,
              help="if the install fails, uninstall it (implies --wait)")
@click.option("--atomic", is_flag=True, hidden=True, help="deprecated: use --rollback-on-failure")
@click.option("--description", default="", help="add a custom description")
@click.option("-l", "--labels", multiple=True, metavar="KEY=VALUE,...",
              help="labels added to the release's storage object (not to the resources)")
@click.option("--replace", is_flag=True, help="reuse the name of an uninstalled or failed release")
@click.option("--skip-crds", is_flag=True, help="do not install the chart's crds/ files")
@click.option("--no-hooks", is_flag=True, help="do not run hooks")
@click.option("--take-ownership", is_flag=True,
              help="adopt existing resources that are not owned by this release instead of failing")
@click.option("--force-conflicts", is_flag=True, help="take over fields other field managers own (server-side apply)")
@click.option("--skip-schema-validation", is_flag=True, help="do not validate values against values.schema.json")
@click.option("--hide-notes", is_flag=True, help="do not print the chart's NOTES")
@output_option
@driver_option
@chart_location_options
def install(args: tuple[str, ...], generate_name: bool, wait_strategy: str, atomic: bool, labels: tuple[str, ...],
            output_format: str, driver: str | None, hide_notes: bool, **kwargs: Any) -> None:
    """Install a chart as a new release.

    The chart is rendered with its values (-f files in order, then --set-json, --set,
    --set-string, --set-file, --set-literal) and applied to the cluster (the built-in
    simulator unless --backend kube); the release is recorded as revision 1. The chart may be
    a directory, a .tgz, a repo/chart reference or a URL.

    \b
    Examples:
      helmlite install web charts/mychart --wait
      helmlite install web local/mychart --version 0.1.0 --set replicaCount=3
      helmlite install --generate-name charts/mychart --dry-run
    """
    from helmlite.actions.install import Install

    values = value_options_from(kwargs)
    chart_options = chart_path_options_from(kwargs)
    if len(args) > 2:
        raise click.UsageError(f"expected at most 2 arguments, received {len(args)}")
    if generate_name and len(args) == 2:
        raise click.UsageError("cannot set --generate-name and also specify a name")
    if len(args) == 1 and not generate_name:
        raise click.UsageError("must either provide a name or specify --generate-name")
    chart_ref = args[-1]
    name = args[0] if len(args) == 2 else generated_name(chart_ref)
    config = release_config(driver)
    if atomic:
        config.output.warn("--atomic is deprecated: use --rollback-on-failure")
    action = Install(
        config,
        release_name=name,
        values=values,
        chart_options=chart_options,
        wait=waits(wait_strategy),
        rollback_on_failure=kwargs.pop("rollback_on_failure") or atomic,
        labels=labels_from(labels),
        **kwargs,
    )
    try:
        rel = action.run(chart_ref, stdin=sys.stdin)
    except HelmliteError as exc:
        raise HelmliteError(f"INSTALLATION FAILED: {exc}") from exc
    if output_format == "table":
        print_status(config.output, rel, hide_notes=hide_notes)
    else:
        write_data(config.output, release_object(rel), output_format)
