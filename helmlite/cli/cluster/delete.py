"""``helmlite cluster delete``: kubectl delete, with cascading and waiting in virtual time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import click

from helmlite.cli.cluster.common import (
    DryRunCommand,
    dry_run_suffix,
    name_of,
    namespace,
    open_cluster,
    parse_targets,
    place_in_namespace,
    read_manifests,
    target_names,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options
from helmlite.cli.pull import DURATION

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster
    from helmlite.cluster.kinds import Kind

__all__ = ["delete"]

_CASCADE = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}
# kubectl's --timeout=0 means "wait for a week"; virtual time gets there at once when
# nothing is pending.
_WAIT_FOREVER_SECONDS = 7 * 24 * 3600.0


class DeleteCommand(DryRunCommand):
    """``--cascade`` alone is ``background``; ``--wait`` alone is ``true`` (pflag's NoOptDefVal)."""

    optional_values: ClassVar[dict[str, str]] = {"--dry-run": "client", "--cascade": "background",
                                                 "--wait": "true"}


@click.command(cls=DeleteCommand, short_help="delete resources by file names, stdin, resources and names")
@global_options
@click.argument("resources", nargs=-1, metavar="(TYPE [NAME…] | TYPE/NAME…)")
@click.option("-f", "--filename", "filenames", multiple=True, metavar="FILE",
              help="delete the objects of a manifest file, a directory of them, or - for stdin")
@click.option("-R", "--recursive", is_flag=True, help="read the directories given with -f recursively")
@click.option("-l", "--selector", default="", help="delete the objects of TYPE whose labels match (e.g. app=web)")
@click.option("--all", "all_objects", is_flag=True, help="delete every object of TYPE in the namespace")
@click.option("--cascade", type=click.Choice(list(_CASCADE)), default="background", show_default=True,
              help="what happens to dependents: collected afterwards, collected first, or orphaned")
@click.option("--wait", type=click.BOOL, default=True, show_default=True, metavar="BOOL",
              help="advance virtual time until the objects are gone (--wait=false returns at once)")
@click.option("--timeout", type=DURATION, default="0s", show_default=True,
              help="how long (virtual) to wait; 0 waits as long as it takes")
@click.option("--grace-period", type=int, default=-1, show_default=True,
              help="seconds a pod gets to terminate (-1: the pod's own terminationGracePeriodSeconds)")
@click.option("--now", is_flag=True, help="a grace period of 1 second")
@click.option("--force", is_flag=True, help="remove at once, without waiting for termination (grace period 0)")
@click.option("--ignore-not-found", is_flag=True, help="names that do not exist are not an error")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="only show what would be deleted")
@click.option("-o", "--output", type=click.Choice(["name"]), default=None, help="print resource/name only")
def delete(resources: tuple[str, ...], filenames: tuple[str, ...], recursive: bool, selector: str, all_objects: bool,
           cascade: str, wait: bool, timeout: float, grace_period: int, now: bool, force: bool,
           ignore_not_found: bool, dry_run: str, output: str | None) -> None:
    """Delete objects by TYPE and NAME, by label selector, or as listed in manifests.

    Dependents follow --cascade: background (the default) deletes the object now and its
    dependents right after; foreground deletes the dependents first; orphan leaves them
    running without an owner. Like kubectl, delete waits until the objects are gone: here
    it advances the cluster's virtual time through pods' graceful termination.

    \b
    Examples:
      helmlite cluster delete deploy web
      helmlite cluster delete pod/web-0 pod/web-1 --now
      helmlite cluster delete sts web --cascade=orphan       # its pods keep running
      helmlite cluster delete pods -l app=web
      helmlite cluster delete pods --all --force
      helmlite cluster delete -f web.yaml --ignore-not-found
    """
    wait_seconds = timeout or _WAIT_FOREVER_SECONDS
    if now:
        if grace_period >= 0:
            raise click.UsageError("--now and --grace-period cannot be specified together")
        grace_period = 1
    if force and grace_period < 0:
        grace_period = 0
    if grace_period == 0 and not force:
        grace_period = 1  # kubectl: an immediate deletion needs --force
    if force and grace_period == 0:
        click.echo("Warning: Immediate deletion does not wait for confirmation that the running resource has been "
                   "terminated. The resource may continue to run on the cluster indefinitely.", err=True)
    if filenames and (resources or selector or all_objects):
        raise click.UsageError("you may not specify individual resources and bulk resources in the same call")
    if not filenames and not resources:
        raise click.UsageError("You must provide one or more resources by argument or filename.")
    if all_objects and selector:
        raise click.UsageError("cannot set --all and --selector at the same time")
    manifests = read_manifests(filenames, recursive=recursive, verb="delete") if filenames else []
    deleted: list[tuple[Kind, str, str, str]] = []  # kind, namespace, name, uid
    errors: list[str] = []
    with open_cluster() as cluster:
        if manifests:
            targets = _manifest_targets(cluster, manifests)
        else:
            targets = _argument_targets(cluster, resources, selector, all_objects)
        if not targets:
            click.echo("No resources found")
        from helmlite.cluster.errors import ApiError, NotFoundError

        for kind, ns, name, source in targets:
            try:
                obj = cluster.store.get(kind.storage_api_version, kind.kind, name, namespace=ns, copy=False)
                if dry_run == "none":
                    cluster.store.delete(kind.storage_api_version, kind.kind, name, namespace=ns,
                                         propagation_policy=_CASCADE[cascade],
                                         grace_period_seconds=grace_period if grace_period >= 0 else None,
                                         copy=False)
            except NotFoundError as exc:
                if not ignore_not_found:
                    errors.append(error_line(exc, f'error when deleting "{source}": ' if source else ""))
                continue
            except ApiError as exc:
                errors.append(error_line(exc, f'error when deleting "{source}": ' if source else ""))
                continue
            deleted.append((kind, ns, name, obj["metadata"].get("uid", "")))
            operation = "force deleted" if grace_period == 0 else "deleted"
            kind_string = name_of(kind, name).rpartition("/")[0]
            where = f" from {ns} namespace" if ns else ""  # kubectl ≥ 1.33 names the namespace
            click.echo(f"{kind_string}/{name}" if output == "name"
                       else f'{kind_string} "{name}" {operation}{where}{dry_run_suffix(dry_run)}')
        waiting = wait and dry_run == "none" and deleted
        if waiting and not cluster.run_until(lambda: _gone(cluster, deleted), wait_seconds):
            kind, ns, name, _ = next(d for d in deleted if not _gone(cluster, [d]))
            errors.append(f"Error: timed out waiting for the condition on {kind.plural}/{name}")
    exit_with_errors(errors)


def _gone(cluster: Cluster, deleted: list[tuple[Kind, str, str, str]]) -> bool:
    """Whether none of the deleted objects is left (a new object of the same name does not count)."""
    for kind, ns, name, uid in deleted:
        obj = cluster.store.peek(kind.group, kind.kind, ns, name)
        if obj is not None and obj["metadata"].get("uid") == uid:
            return False
    return True


# What delete acts on: kind, namespace, name, and the manifest it came from ("" for arguments).
_Target = tuple["Kind", str, str, str]


def _manifest_targets(cluster: Cluster, manifests: list[tuple[str, dict[str, Any]]]) -> list[_Target]:
    targets: list[_Target] = []
    for source, obj in manifests:
        kind, _version = cluster.kinds.for_object(obj)
        ns = place_in_namespace(kind, obj, source)
        targets.append((kind, ns, str((obj.get("metadata") or {}).get("name") or ""), source))
    return targets


def _argument_targets(cluster: Cluster, resources: tuple[str, ...], selector: str,
                      all_objects: bool) -> list[_Target]:
    targets: list[_Target] = []
    ns = namespace()
    for target in parse_targets(cluster.kinds, resources):
        target_ns = ns if target.kind.namespaced else ""
        if target.name is not None:
            if selector:
                raise click.UsageError("name cannot be provided when a selector is specified")
            if all_objects:
                raise click.UsageError("name cannot be provided when --all is specified")
        targets.extend((target.kind, target_ns, name, "")
                       for name in target_names(cluster, target, target_ns, selector=selector, all_objects=all_objects))
    return targets
