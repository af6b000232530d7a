"""``helmlite cluster rollout status|history|undo|pause|resume|restart``: kubectl rollout.

The operations themselves are ``helmlite.cluster.rollout``'s; this module parses kubectl's
arguments and prints its lines. ``status`` watches by fast-forwarding virtual time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from helmlite.cli.cluster.common import (
    ResourceTarget,
    namespace,
    open_cluster,
    parse_targets,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options
from helmlite.cli.pull import DURATION

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["rollout"]

# kubectl's --timeout=0 waits forever; virtual time reaches a week at once when nothing is pending.
_WATCH_FOREVER_SECONDS = 7 * 24 * 3600.0


@click.group(short_help="manage the rollout of a deployment, daemonset or statefulset")
@global_options
def rollout() -> None:
    """Manage the rollout of Deployments, DaemonSets and StatefulSets.

    \b
    Examples:
      helmlite cluster rollout status deploy/web          # advances virtual time until done
      helmlite cluster rollout history deploy/web
      helmlite cluster rollout history deploy/web --revision=2
      helmlite cluster rollout undo deploy/web --to-revision=1
      helmlite cluster rollout pause deploy/web
      helmlite cluster rollout restart sts/db
    """


def _run(resources: tuple[str, ...], action: Callable[[Cluster, ResourceTarget, str], str]) -> None:
    """Run ``action`` on each named resource in one cluster transaction; print its lines, then
    every error (after the commit, so the work done and the time that passed are kept)."""
    from helmlite.cluster.errors import ApiError
    from helmlite.cluster.rollout import RolloutError

    lines: list[str] = []
    errors: list[str] = []
    with open_cluster() as cluster:
        ns = namespace()
        for target in parse_targets(cluster.kinds, resources):
            if target.name is None:
                raise click.UsageError(f"required resource name not specified for {target.kind.plural}")
            try:
                lines.append(action(cluster, target, ns))
            except (ApiError, RolloutError) as exc:
                errors.append(error_line(exc))
    for line in lines:
        click.echo(line, nl=not line.endswith("\n"))
    exit_with_errors(errors)


@rollout.command(short_help="show the status of a rollout")
@global_options
@click.argument("resources", nargs=-1, required=True, metavar="(TYPE NAME | TYPE/NAME)")
@click.option("-w", "--watch", type=click.BOOL, default=True, show_default=True, metavar="BOOL",
              help="advance virtual time until the rollout finishes (--watch=false: show the state once)")
@click.option("--timeout", type=DURATION, default="0s", show_default=True,
              help="how long (virtual) to watch before giving up; 0 watches as long as it takes")
@click.option("--revision", type=int, default=0, help="the revision to expect (Deployments; 0: the latest)")
def status(resources: tuple[str, ...], watch: bool, timeout: float, revision: int) -> None:
    """Show a rollout's progress, watching it to the end as virtual time passes.

    Prints kubectl's lines ("Waiting for deployment "web" rollout to finish: 1 out of 3 new
    replicas have been updated...") as the state changes, then the success line; a
    Deployment past its progress deadline is an error.

    \b
    Examples:
      helmlite cluster rollout status deploy/web
      helmlite cluster rollout status sts web --timeout=5m
      helmlite cluster rollout status ds/agent --watch=false
    """
    from helmlite.cluster.rollout import rollout_status, watch_rollout_status

    if len(resources) > 2 or (len(resources) == 2 and "/" in resources[0]):
        raise click.UsageError("rollout status is only supported on individual resources")

    def show(cluster: Cluster, target: ResourceTarget, ns: str) -> str:
        assert target.name is not None
        if not watch:
            return rollout_status(cluster, target.kind.kind, ns, target.name, revision_number=revision)[1]
        if revision:
            rollout_status(cluster, target.kind.kind, ns, target.name, revision_number=revision)
        done, lines = watch_rollout_status(cluster, target.kind.kind, ns, target.name,
                                           timeout=timeout or _WATCH_FOREVER_SECONDS)
        text = "".join(f"{line}\n" for line in lines)
        if not done:
            click.echo(text, nl=False)
            raise _TimedOut("timed out waiting for the condition")
        return text

    _run(resources, _catching_timeout(show))


class _TimedOut(Exception):
    """``rollout status`` watched past ``--timeout``."""


def _catching_timeout(action: Callable[[Cluster, ResourceTarget, str], str]) -> Callable[[Cluster, ResourceTarget, str], str]:
    """Turn a watch timeout into a RolloutError (reported after the commit, as the others)."""
    from helmlite.cluster.rollout import RolloutError

    def run(cluster: Cluster, target: ResourceTarget, ns: str) -> str:
        try:
            return action(cluster, target, ns)
        except _TimedOut as exc:
            raise RolloutError(str(exc)) from None

    return run


@rollout.command(short_help="view rollout history")
@global_options
@click.argument("resources", nargs=-1, required=True, metavar="(TYPE NAME | TYPE/NAME)")
@click.option("--revision", type=int, default=0, help="show the pod template of this revision")
def history(resources: tuple[str, ...], revision: int) -> None:
    """List the revisions of a rollout, with their change-cause, or show one revision.

    \b
    Examples:
      helmlite cluster rollout history deploy/web
      helmlite cluster rollout history deploy/web --revision=2
      helmlite cluster rollout history ds agent
    """
    from helmlite.cluster.rollout import format_rollout_history, rollout_history

    def show(cluster: Cluster, target: ResourceTarget, ns: str) -> str:
        assert target.name is not None
        entries = rollout_history(cluster, target.kind.kind, ns, target.name)
        return format_rollout_history(target.kind.kind, target.name, entries, revision_number=revision)

    _run(resources, show)


@rollout.command(short_help="undo a previous rollout")
@global_options
@click.argument("resources", nargs=-1, required=True, metavar="(TYPE NAME | TYPE/NAME)")
@click.option("--to-revision", type=int, default=0, help="the revision to roll back to (0: the previous one)")
def undo(resources: tuple[str, ...], to_revision: int) -> None:
    """Roll back to a previous revision: its pod template becomes the current one again.

    A Deployment re-uses the old ReplicaSet, which becomes the newest revision (so the
    revision numbers move: check the history before undoing again).

    \b
    Examples:
      helmlite cluster rollout undo deploy/web
      helmlite cluster rollout undo deploy/web --to-revision=1
      helmlite cluster rollout undo sts/db --to-revision=2
    """
    from helmlite.cluster.rollout import rollout_undo, undo_warning

    def run(cluster: Cluster, target: ResourceTarget, ns: str) -> str:
        assert target.name is not None
        warning = undo_warning(cluster, target.kind.kind, ns, target.name)
        if warning:
            click.echo(f"Warning: {warning}", err=True)
        return rollout_undo(cluster, target.kind.kind, ns, target.name, to_revision or None)

    _run(resources, run)


def _simple(name: str, operation: str, summary: str, doc: str) -> None:
    """Register a ``rollout NAME TYPE/NAME…`` command that calls ``helmlite.cluster.rollout.<operation>``."""

    def command(resources: tuple[str, ...]) -> None:
        from helmlite.cluster import rollout as operations

        act = getattr(operations, operation)
        _run(resources, lambda cluster, target, ns: act(cluster, target.kind.kind, ns, target.name))

    command.__doc__ = doc
    rollout.command(name=name, short_help=summary)(
        global_options(click.argument("resources", nargs=-1, required=True, metavar="(TYPE NAME | TYPE/NAME)")(command)))


_simple("pause", "pause", "mark a deployment as paused", """Pause a Deployment: template changes wait until it is resumed.

    Scaling still applies while paused; resume rolls every change out at once.

    \b
    Examples:
      helmlite cluster rollout pause deploy/web
    """)
_simple("resume", "resume", "resume a paused deployment", """Resume a paused Deployment, rolling out what changed meanwhile.

    \b
    Examples:
      helmlite cluster rollout resume deploy/web
    """)
_simple("restart", "restart", "restart a deployment, daemonset or statefulset", """Restart every pod of a workload by stamping its pod template (a new rollout).

    \b
    Examples:
      helmlite cluster rollout restart deploy/web
      helmlite cluster rollout restart sts/db
    """)
