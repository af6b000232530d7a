"""``helmlite cluster label``: kubectl label (add, overwrite and remove labels)."""

from __future__ import annotations

from typing import Any

import click

from helmlite.cli.cluster.common import (
    DryRunCommand,
    dry_run_suffix,
    name_of,
    namespace,
    open_cluster_for,
    parse_targets,
    split_pairs,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
from helmlite.cli.options import global_options

__all__ = ["label"]

LABEL_FIELD_MANAGER = "kubectl-label"


def parse_label_changes(pairs: list[str]) -> tuple[dict[str, str], list[str]]:
    """kubectl's ``parseLabels``: ``k=v`` to set, ``k-`` to remove.

    Raises:
        click.UsageError: ``invalid label spec``, ``unknown label spec``, or a key both set and removed.
    """
    new: dict[str, str] = {}
    remove: list[str] = []
    for spec in pairs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise click.UsageError(f"invalid label spec: {spec}")
            new[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise click.UsageError(f"unknown label spec: {spec}")
    if any(key in new for key in remove):
        raise click.UsageError("can not both modify and remove a label in the same command")
    return new, remove


def change_message(old: dict[str, str], new: dict[str, str], overwrite: bool) -> str:
    """kubectl's ``updateDataChangeMsg``, including its quirk: a removal reads "unlabeled"
    only without --overwrite."""
    if old == new:
        return "not labeled"
    if not overwrite and len(new) < len(old):
        return "unlabeled"
    return "labeled"


@click.command(cls=DryRunCommand, short_help="update the labels on a resource")
@global_options
@click.argument("args", nargs=-1, required=True, metavar="(TYPE NAME… | TYPE/NAME…) KEY=VALUE… KEY-…")
@click.option("--overwrite", is_flag=True, help="allow changing the value of a label that is already set")
@click.option("-l", "--selector", default="", help="label every object of TYPE whose labels match")
@click.option("--all", "all_objects", is_flag=True, help="label every object of TYPE in the namespace")
@click.option("--list", "list_labels", is_flag=True, help="print the labels of the objects instead")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="only show what would change")
def label(args: tuple[str, ...], overwrite: bool, selector: str, all_objects: bool, list_labels: bool,
          dry_run: str) -> None:
    """Add, change or remove labels, as kubectl label does (field manager kubectl-label).

    KEY=VALUE sets a label (changing an existing value needs --overwrite); KEY- removes it.
    Relabelling nodes moves DaemonSet pods and changes where new pods may be scheduled.

    \b
    Examples:
      helmlite cluster label pods web-0 tier=frontend
      helmlite cluster label nodes node-2 disktype=ssd
      helmlite cluster label deploy/web app=web2 --overwrite
      helmlite cluster label pods --all env-
      helmlite cluster label pods -l app=web canary=true
    """
    from helmlite.cluster.errors import ApiError

    resources, pairs = split_pairs(args, "label")
    new_labels, remove = parse_label_changes(pairs)
    if not new_labels and not remove and not list_labels:
        raise click.UsageError("at least one label update is required")
    if all_objects and selector:
        raise click.UsageError("cannot set --all and --selector at the same time")
    lines: list[str] = []
    errors: list[str] = []
    with open_cluster_for(dry_run) as cluster:
        ns = namespace()
        for target in parse_targets(cluster.kinds, resources):
            kind = target.kind
            target_ns = ns if kind.namespaced else ""
            if target.name is not None:
                try:
                    objects = [cluster.store.get(kind.storage_api_version, kind.kind, target.name, namespace=target_ns,
                                                 copy=False)]
                except ApiError as exc:
                    errors.append(error_line(exc))
                    continue
            elif selector or all_objects:
                objects = cluster.store.list(kind.storage_api_version, kind.kind, namespace=target_ns,
                                             label_selector=selector or None, copy=False)
            else:
                raise click.UsageError("resource(s) were provided, but no name was specified")
            for obj in objects:
                name = obj["metadata"]["name"]
                old: dict[str, str] = dict(obj["metadata"].get("labels") or {})
                if list_labels:
                    lines.extend(f"{k}={v}" for k, v in old.items())
                    continue
                if not overwrite:
                    taken = [f"Error: '{k}' already has a value ({old[k]}), and --overwrite is false"
                             for k in new_labels if k in old]
                    if taken:
                        errors.extend(taken)
                        continue
                lines.extend(f'label "{key}" not found.' for key in remove if key not in old)
                updated = {**{k: v for k, v in old.items() if k not in remove}, **new_labels}
                message = change_message(old, updated, overwrite)
                if updated != old and dry_run != "client":
                    patch: dict[str, Any] = {k: v for k, v in new_labels.items()}
                    patch.update({k: None for k in remove if k in old})
                    try:
                        cluster.store.patch(kind.storage_api_version, kind.kind, name, {"metadata": {"labels": patch}},
                                            namespace=target_ns, field_manager=LABEL_FIELD_MANAGER, copy=False)
                    except ApiError as exc:
                        errors.append(error_line(exc))
                        continue
                lines.append(f"{name_of(kind, name)} {message}{dry_run_suffix(dry_run)}")
    for line in lines:
        click.echo(line)
    exit_with_errors(errors)
