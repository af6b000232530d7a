"""``helmlite cluster scale``: kubectl scale through the scale subresource."""

from __future__ import annotations

import click

from helmlite.cli.cluster.common import (
    namespace,
    open_cluster,
    parse_targets,
    target_names,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options

__all__ = ["scale"]


@click.command(short_help="set a new size for a deployment, replica set or stateful set")
@global_options
@click.argument("resources", nargs=-1, required=True, metavar="(TYPE NAME… | TYPE/NAME…)")
@click.option("--replicas", type=int, required=True, help="the new desired number of replicas")
@click.option("--current-replicas", type=int, default=-1,
              help="precondition: scale only if the current size is this (-1: no precondition)")
@click.option("-l", "--selector", default="", help="scale every object of TYPE whose labels match")
@click.option("--all", "all_objects", is_flag=True, help="scale every object of TYPE in the namespace")
def scale(resources: tuple[str, ...], replicas: int, current_replicas: int, selector: str, all_objects: bool) -> None:
    """Set the desired number of replicas of Deployments, ReplicaSets and StatefulSets.

    The change goes through the scale subresource under the field manager kubectl (kubectl
    scale names none, so the API server records its user agent); the controllers then add or remove pods as virtual time passes
    (a StatefulSet removes the highest ordinal first).

    \b
    Examples:
      helmlite cluster scale deploy/web --replicas=5
      helmlite cluster scale sts web --replicas=3
      helmlite cluster scale deploy web --replicas=2 --current-replicas=3
      helmlite cluster scale deploy -l app=web --replicas=0
    """
    from helmlite.cluster.errors import ApiError
    from helmlite.cluster.rollout import RolloutError
    from helmlite.cluster.rollout import scale as scale_workload

    if replicas < 0:
        raise click.UsageError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    errors: list[str] = []
    lines: list[str] = []
    with open_cluster() as cluster:
        ns = namespace()
        for target in parse_targets(cluster.kinds, resources):
            for name in target_names(cluster, target, ns, selector=selector, all_objects=all_objects):
                try:
                    lines.append(scale_workload(cluster, target.kind.kind, ns, name, replicas,
                                                current_replicas=None if current_replicas < 0 else current_replicas))
                except (ApiError, RolloutError) as exc:
                    errors.append(error_line(exc))
    for line in lines:
        click.echo(line)
    exit_with_errors(errors)
