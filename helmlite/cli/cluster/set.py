"""``helmlite cluster set image``: kubectl set image."""

from __future__ import annotations

import click

from helmlite.cli.cluster.common import (
    namespace,
    open_cluster,
    parse_targets,
    split_pairs,
    target_names,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options

__all__ = ["set"]


@click.group(name="set", short_help="set specific features on objects (set image)")
@global_options
def set_command() -> None:
    """Set specific features on objects.

    \b
    Examples:
      helmlite cluster set image deploy/web nginx=nginx:1.25
      helmlite cluster set image sts/db '*=postgres:16'
    """


@set_command.command(short_help="update the image of a pod template")
@global_options
@click.argument("args", nargs=-1, required=True, metavar="(TYPE NAME… | TYPE/NAME…) CONTAINER=IMAGE…")
@click.option("-l", "--selector", default="", help="update every object of TYPE whose labels match")
@click.option("--all", "all_objects", is_flag=True, help="update every object of TYPE in the namespace")
@click.option("--record", is_flag=True, hidden=True,
              help="deprecated: record the command line in the kubernetes.io/change-cause annotation")
def image(args: tuple[str, ...], selector: str, all_objects: bool, record: bool) -> None:
    """Update container images of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
    CronJobs and Pods; CONTAINER '*' means every container. A changed pod template starts a
    rollout. Nothing is printed for an object whose images already match.

    \b
    Examples:
      helmlite cluster set image deploy/web nginx=nginx:1.25
      helmlite cluster set image deploy web nginx=nginx:1.25 sidecar=envoy:1.30
      helmlite cluster set image ds,sts --all '*=busybox:1.36'
    """
    import sys

    from helmlite.cluster.errors import ApiError
    from helmlite.cluster.rollout import RolloutError, set_image

    resources, pairs = split_pairs(args, "image")
    if not pairs:
        raise click.UsageError("at least one image update is required")
    images: dict[str, str] = {}
    for pair in pairs:
        container, _, reference = pair.partition("=")
        if not container or not reference:
            raise click.UsageError(f"invalid image update {pair!r}: expected CONTAINER=IMAGE")
        images[container] = reference
    record_text = None
    if record:
        click.echo("Flag --record has been deprecated, --record will be removed in the future", err=True)
        record_text = "helmlite " + " ".join(sys.argv[1:])
    lines: list[str] = []
    errors: list[str] = []
    with open_cluster() as cluster:
        ns = namespace()
        for target in parse_targets(cluster.kinds, resources):
            for name in target_names(cluster, target, ns, selector=selector, all_objects=all_objects):
                try:
                    line = set_image(cluster, target.kind.kind, ns, name, images, record=record_text)
                except (ApiError, RolloutError) as exc:
                    errors.append(error_line(exc))
                    continue
                if line is not None:
                    lines.append(line)
    for line in lines:
        click.echo(line)
    exit_with_errors(errors)


# The verb table imports the group as ``set`` (kubectl's verb); nothing here needs the builtin.
set = set_command
