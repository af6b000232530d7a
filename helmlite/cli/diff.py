"""``helmlite diff upgrade NAME CHART`` and ``helmlite diff revision NAME R1 R2``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from helmlite.cli.options import global_options, value_options_from, values_options
from helmlite.cli.pull import chart_location_options, chart_path_options_from
from helmlite.cli.release_printer import (
    driver_option,
    output_option,
    release_config,
    write_data,
)
from helmlite.output import Output

__all__ = ["diff", "print_changes"]

_MARKS = {"create": "+", "update": "~", "delete": "-", "keep": "=", "unchanged": " "}


def print_changes(out: Output, changes: Sequence[Any], *, show_unchanged: bool = False) -> None:
    """One ``<mark> Kind/namespace/name (action)`` line per resource, its diff, then a summary."""
    counts = dict.fromkeys(("create", "update", "delete", "keep", "unchanged"), 0)
    for change in changes:
        counts[change.action] += 1
        if change.action == "unchanged" and not show_unchanged:
            continue
        suffix = " (kept: helm.sh/resource-policy)" if change.action == "keep" else ""
        out.write(f"{_MARKS[change.action]} {change.title} ({change.action}){suffix}\n")
        out.write(change.diff)
    out.write(
        f"Plan: {counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete, "
        f"{counts['keep']} kept, {counts['unchanged']} unchanged.\n"
    )


def _changes_json(changes: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"action": c.action, "apiVersion": c.api_version, "kind": c.kind, "namespace": c.namespace, "name": c.name,
         "diff": c.diff}
        for c in changes
    ]


@click.group(short_help="preview an upgrade or compare two revisions")
@global_options
def diff() -> None:
    """Show per-resource differences (Secret values are redacted).

    \b
      helmlite diff upgrade web charts/mychart --set image.tag=1.2   # what upgrade would change
      helmlite diff revision web 1 3                                  # what changed from 1 to 3
    """


@diff.command("upgrade")
@global_options
@values_options
@click.argument("name", metavar="RELEASE")
@click.argument("chart_ref", metavar="CHART")
@click.option("-i", "--install", is_flag=True, help="diff against nothing when the release does not exist")
@click.option("--reuse-values", is_flag=True, help="as upgrade --reuse-values")
@click.option("--reset-values", is_flag=True, help="as upgrade --reset-values")
@click.option("--reset-then-reuse-values", is_flag=True, help="as upgrade --reset-then-reuse-values")
@click.option("--take-ownership", is_flag=True, help="as upgrade --take-ownership")
@click.option("--show-unchanged", is_flag=True, help="also list resources that would not change")
@output_option
@driver_option
@chart_location_options
def diff_upgrade(name: str, chart_ref: str, output_format: str, driver: str | None, show_unchanged: bool,
                 **kwargs: Any) -> None:
    """Show what `helmlite upgrade RELEASE CHART` with the same flags would change."""
    from helmlite.actions.diff import DiffUpgrade

    values = value_options_from(kwargs)
    chart_options = chart_path_options_from(kwargs)
    config = release_config(driver)
    _, _, changes = DiffUpgrade(config, values=values, chart_options=chart_options, **kwargs).run(
        name, chart_ref, stdin=sys.stdin)
    if output_format == "table":
        print_changes(config.output, changes, show_unchanged=show_unchanged)
    else:
        write_data(config.output, _changes_json(changes), output_format)


@diff.command("revision")
@global_options
@click.argument("name", metavar="RELEASE")
@click.argument("first", type=int, metavar="REVISION1")
@click.argument("second", type=int, metavar="REVISION2")
@click.option("--show-unchanged", is_flag=True, help="also list resources that did not change")
@output_option
@driver_option
def diff_revision(name: str, first: int, second: int, output_format: str, driver: str | None,
                  show_unchanged: bool) -> None:
    """Show how revision REVISION2 of a release differs from REVISION1."""
    from helmlite.actions.diff import DiffRevision

    config = release_config(driver)
    changes = DiffRevision(config).run(name, first, second)
    if output_format == "table":
        print_changes(config.output, changes, show_unchanged=show_unchanged)
    else:
        write_data(config.output, _changes_json(changes), output_format)
