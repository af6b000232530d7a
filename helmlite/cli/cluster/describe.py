"""``helmlite cluster describe``: kubectl describe against the simulated cluster."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import namespace, open_cluster, parse_targets
from helmlite.cli.options import global_options

if TYPE_CHECKING:
    from helmlite.cluster.kinds import Kind

__all__ = ["describe"]


@click.command(short_help="show details of a specific resource or group of resources")
@global_options
@click.argument("resources", nargs=-1, metavar="(TYPE [NAME_PREFIX] | TYPE/NAME)")
@click.option("-A", "--all-namespaces", is_flag=True, help="describe the requested objects across all namespaces")
@click.option("-l", "--selector", default="", help="label selector (-l key1=value1,key2=value2)")
@click.option("--show-events/--no-show-events", default=None,
              help="display events related to the described object (default: only for a single object, "
                   "never for prefix matching)")
@click.pass_context
def describe(ctx: click.Context, resources: tuple[str, ...], all_namespaces: bool, selector: str,
             show_events: bool | None) -> None:
    """Show details of resources, with their recent events, as kubectl describe does.

    A NAME that matches no object exactly describes every object whose name starts with it
    (kubectl's prefix match).

    \b
    Examples:
      helmlite cluster describe deploy/web
      helmlite cluster describe pods -l app=web
      helmlite cluster describe node node-1
    """
    from helmlite.cluster.describe import describe as describe_object

    found: list[tuple[Kind, dict[str, Any]]] = []
    errors: list[str] = []
    prefix_matched = False
    with open_cluster() as cluster:
        targets = parse_targets(cluster.kinds, resources)
        ns = "" if all_namespaces else namespace()
        for target in targets:
            kind = target.kind
            objects = cluster.store.list(kind.storage_api_version, kind.kind, namespace=ns,
                                         label_selector=selector or None, copy=False)
            if target.name is not None:
                exact = [o for o in objects if o["metadata"]["name"] == target.name]
                objects = exact or [o for o in objects if o["metadata"]["name"].startswith(target.name)]
                prefix_matched = prefix_matched or not exact
                if not objects:
                    errors.append(f'Error from server (NotFound): {kind.resource} "{target.name}" not found')
                    continue
            found.extend((kind, obj) for obj in objects)
        # kubectl's --show-events default: only for a single object, never for a prefix match.
        events = show_events if show_events is not None else len(found) == 1 and not prefix_matched
        pages = [describe_object(cluster, kind, obj, show_events=events) for kind, obj in found]
    # A prefix match prints each page followed by a newline; otherwise pages are separated
    # by two, as kubectl's two code paths do.
    sys.stdout.write("".join(page + "\n" for page in pages) if prefix_matched else "\n\n".join(pages))
    if not pages and not errors:
        sys.stderr.write(f"No resources found in {ns} namespace.\n" if ns else "No resources found\n")
    for line in errors:
        sys.stderr.write(line + "\n")
    if errors:
        ctx.exit(1)
