"""``helmlite cluster faults add|list|remove|clear``: declarative fault injection.

Each ``add`` flag family maps onto one fault kind of ``helmlite.cluster.faults`` (see
docs/simulator.md, "Fault injection"); the faults live in the cluster, so they persist.
"""

from __future__ import annotations

from typing import Any, ClassVar

import click

from helmlite.cli.cluster.common import DryRunCommand, open_cluster
from helmlite.cli.options import global_options, settings
from helmlite.cli.pull import DURATION

__all__ = ["faults"]

_DEFAULT_PULL_ERROR = "NotFound"


@click.group(short_help="inject, list and clear simulated failures")
@global_options
def faults() -> None:
    """Make things go wrong in the simulated cluster, on purpose and reproducibly.

    \b
    Examples:
      helmlite cluster faults add --image nginx:broken --pull-error
      helmlite cluster faults add --exit-code 1 --after 5s -l app=web
      helmlite cluster faults add --readiness-fail --pod 'web-*'
      helmlite cluster faults add --node-not-ready node-2
      helmlite cluster faults list
      helmlite cluster faults remove fault-1
      helmlite cluster faults clear
    """


class _AddCommand(DryRunCommand):
    """``--pull-error`` alone means ``--pull-error=NotFound``."""

    optional_values: ClassVar[dict[str, str]] = {"--pull-error": _DEFAULT_PULL_ERROR}


@faults.command(cls=_AddCommand, short_help="inject a fault")
@global_options
@click.option("--image", default=None, metavar="GLOB", help="image-pull: pulling images matching GLOB fails")
@click.option("--pull-error", type=click.Choice(["NotFound", "Unauthorized", "RegistryUnavailable", "Timeout"]),
              default=None, help="image-pull: how the pull fails [bare flag: NotFound]")
@click.option("--exit-code", type=int, default=None, help="container-exit: the container exits with this code")
@click.option("--times", type=click.IntRange(min=1), default=None,
              help="container-exit: only the first N runs exit (default: every run)")
@click.option("--reason", default=None, help="container-exit: the termination reason (e.g. OOMKilled)")
@click.option("--readiness-fail", is_flag=True, help="readiness: the readiness probe fails (never ready)")
@click.option("--liveness-fail", is_flag=True, help="liveness: the liveness probe fails (restarts)")
@click.option("--startup-fail", is_flag=True, help="startup: the startup probe fails")
@click.option("--after", type=DURATION, default=None,
              help="container-exit and probes: from this long after each container start")
@click.option("--node-not-ready", "not_ready_node", default=None, metavar="NODE",
              help="node-not-ready: NODE's kubelet stops reporting")
@click.option("--mode", type=click.Choice(["unreachable", "not-ready"]), default=None,
              help="node-not-ready: the kubelet goes silent (unreachable) or reports NotReady")
@click.option("--pressure", "pressure_node", default=None, metavar="NODE",
              help="resource-pressure: NODE reports pressure")
@click.option("--resource", type=click.Choice(["memory", "disk", "pid"]), default=None,
              help="resource-pressure: which resource")
@click.option("--pod", default=None, metavar="GLOB", help="pod faults: only pods whose name matches GLOB")
@click.option("-l", "--selector", default=None, help="pod faults: only pods whose labels match")
@click.option("-c", "--container", default=None, help="pod faults: only this container")
@click.option("--message", default=None, help="the message the fault reports (a log line for container-exit)")
def add(image: str | None, pull_error: str | None, exit_code: int | None, times: int | None, reason: str | None,
        readiness_fail: bool, liveness_fail: bool, startup_fail: bool, after: float | None,
        not_ready_node: str | None, mode: str | None, pressure_node: str | None, resource: str | None,
        pod: str | None, selector: str | None, container: str | None, message: str | None) -> None:
    """Inject one fault; prints its id. Pod faults apply in the namespace given with -n
    (every namespace without -n) and can be narrowed with --pod, -l and -c.

    \b
    Kinds (give exactly one):
      --image GLOB [--pull-error=ERR]          ErrImagePull, then ImagePullBackOff
      --exit-code N [--after D] [--times N]    the container exits; CrashLoopBackOff
      --readiness-fail [--after D]             never Ready (or unready after D)
      --liveness-fail / --startup-fail         probe failures, restarts
      --node-not-ready NODE [--mode M]         the node goes NotReady/Unknown
      --pressure NODE [--resource R]           Memory/Disk/PIDPressure and its taint

    \b
    Examples:
      helmlite cluster faults add --image nginx:broken --pull-error
      helmlite cluster faults add --image 'registry.example.com/*' --pull-error=Unauthorized
      helmlite cluster faults add --exit-code 137 --reason OOMKilled --after 30s --pod 'memleak-*'
      helmlite cluster faults add --readiness-fail --after 1m -l app=web
      helmlite cluster faults add --node-not-ready node-2
      helmlite cluster faults add --pressure node-1 --resource disk
    """
    from helmlite.cluster.faults import add_fault

    chosen = {
        "image-pull": image is not None or pull_error is not None,
        "container-exit": exit_code is not None,
        "readiness": readiness_fail,
        "liveness": liveness_fail,
        "startup": startup_fail,
        "node-not-ready": not_ready_node is not None,
        "resource-pressure": pressure_node is not None,
    }
    kinds = [kind for kind, given in chosen.items() if given]
    if len(kinds) != 1:
        raise click.UsageError("give exactly one fault: --image, --exit-code, --readiness-fail, --liveness-fail, "
                               "--startup-fail, --node-not-ready or --pressure (see --help)")
    kind = kinds[0]
    spec: dict[str, Any] = {"kind": kind, "message": message}
    if kind == "image-pull":
        spec.update(image=image or "*", error=pull_error or _DEFAULT_PULL_ERROR)
    elif kind == "node-not-ready":
        spec.update(node=not_ready_node, mode=mode)
    elif kind == "resource-pressure":
        spec.update(node=pressure_node, resource=resource)
        spec.pop("message")
    else:
        scope = settings()
        spec.update(pod=pod, selector=selector, container=container, after=after,
                    namespace=scope.namespace if scope.namespace_given else None)
        if kind == "container-exit":
            spec.update(exitCode=exit_code, times=times, reason=reason)
    _reject_unused(kind, pod=pod, selector=selector, container=container, after=after, times=times, reason=reason,
                   mode=mode, resource=resource)
    with open_cluster() as cluster:
        fault_id = add_fault(cluster, {k: v for k, v in spec.items() if v is not None})
    click.echo(f"fault/{fault_id} created")


# Which optional flags make sense with which fault kind; anything else is a mistake worth naming.
_FLAGS_FOR = {
    "image-pull": set(),
    "container-exit": {"pod", "selector", "container", "after", "times", "reason"},
    "readiness": {"pod", "selector", "container", "after"},
    "liveness": {"pod", "selector", "container", "after"},
    "startup": {"pod", "selector", "container", "after"},
    "node-not-ready": {"mode"},
    "resource-pressure": {"resource"},
}


def _reject_unused(kind: str, **flags: Any) -> None:
    unused = sorted(name for name, value in flags.items() if value is not None and name not in _FLAGS_FOR[kind])
    if unused:
        listed = ", ".join("--" + name for name in unused)
        raise click.UsageError(f"{listed} cannot be used with a {kind} fault")


@faults.command(name="list", short_help="list the injected faults")
@global_options
@click.option("-o", "--output", type=click.Choice(["table", "yaml", "json"]), default="table", show_default=True,
              help="table, or every field as YAML or JSON")
def list_faults(output: str) -> None:
    """List the injected faults, oldest first.

    \b
    Examples:
      helmlite cluster faults list
      helmlite cluster faults list -o yaml
    """
    from helmlite.cluster.faults import list_faults as stored_faults

    with open_cluster() as cluster:
        entries = [fault.to_dict() for fault in stored_faults(cluster)]
    if output == "json":
        import json

        click.echo(json.dumps(entries, indent=4, sort_keys=True))
        return
    if output == "yaml":
        from helmlite.values.yamlio import dump_yaml

        click.echo(dump_yaml(entries) if entries else "[]\n", nl=False)
        return
    if not entries:
        click.echo("No faults injected", err=True)
        return
    rows = [("ID", "KIND", "DETAILS", "ADDED")]
    for entry in entries:
        details = " ".join(f"{k}={entry[k]}" for k in sorted(entry) if k not in ("id", "kind", "added"))
        rows.append((entry["id"], entry["kind"], details or "<none>", entry.get("added", "")))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("   ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "   " + row[3])


@faults.command(short_help="remove injected faults")
@global_options
@click.argument("fault_ids", nargs=-1, required=True, metavar="ID…")
def remove(fault_ids: tuple[str, ...]) -> None:
    """Remove faults by id; what they broke recovers at its next retry.

    \b
    Examples:
      helmlite cluster faults remove fault-1
    """
    from helmlite.cluster.faults import remove_fault

    with open_cluster() as cluster:
        for fault_id in fault_ids:
            remove_fault(cluster, fault_id)
    for fault_id in fault_ids:
        click.echo(f'fault "{fault_id}" deleted')


@faults.command(short_help="remove every injected fault")
@global_options
def clear() -> None:
    """Remove every fault.

    \b
    Examples:
      helmlite cluster faults clear
    """
    from helmlite.cluster.faults import clear_faults

    with open_cluster() as cluster:
        count = clear_faults(cluster)
    click.echo(f"{count} fault{'' if count == 1 else 's'} deleted")
