"""``helmlite cluster apply -f FILE|DIR|-``: kubectl apply, client-side or server-side."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import (
    DryRunCommand,
    dry_run_suffix,
    format_objects,
    name_of,
    open_cluster_for,
    place_in_namespace,
    read_manifests,
    report_errors,
)
from helmlite.cli.options import global_options

if TYPE_CHECKING:
    from helmlite.cluster.cluster import Cluster

__all__ = ["apply"]

# kubectl's field managers: --field-manager's default names the client-side one; a
# server-side apply that keeps the default applies as "kubectl" instead.
CLIENT_SIDE_MANAGER = "kubectl-client-side-apply"
SERVER_SIDE_MANAGER = "kubectl"
# Keeps the last-applied annotation of a client-side applied object alive under server-side apply.
LAST_APPLIED_MANAGER = "kubectl-last-applied"


@click.command(cls=DryRunCommand, short_help="apply a configuration to a resource by file name or stdin")
@global_options
@click.option("-f", "--filename", "filenames", multiple=True, required=True, metavar="FILE",
              help="a manifest file, a directory of them, or - for stdin (repeatable)")
@click.option("-R", "--recursive", is_flag=True, help="read the directories given with -f recursively")
@click.option("--server-side", is_flag=True, help="apply on the server (field ownership in managedFields)")
@click.option("--force-conflicts", is_flag=True,
              help="with --server-side: take over fields another field manager owns instead of failing")
@click.option("--field-manager", default=CLIENT_SIDE_MANAGER, show_default=True,
              help="the name recorded as the owner of the fields this apply sets")
@click.option("--dry-run", type=click.Choice(["none", "client", "server"]), default="none",
              help="client: only show what would happen; server: validate on the server, keep nothing")
@click.option("-o", "--output", type=click.Choice(["yaml", "json", "name"]), default=None,
              help="print the applied objects instead of one line per object")
def apply(filenames: tuple[str, ...], recursive: bool, server_side: bool, force_conflicts: bool,
          field_manager: str, dry_run: str, output: str | None) -> None:
    """Create or update objects from manifests, as kubectl apply does.

    Client-side apply (the default) records the applied object in the annotation
    kubectl.kubernetes.io/last-applied-configuration and merges three ways on the next
    apply: a field removed from the manifest is removed from the object, fields that
    controllers or other writers set are kept. --server-side lets the cluster merge and
    records field ownership instead; a field another manager owns is a conflict unless
    --force-conflicts.

    \b
    Examples:
      helmlite cluster apply -f web.yaml
      helmlite cluster apply -f manifests/ -R
      cat web.yaml | helmlite cluster apply -f -
      helmlite cluster apply -f web.yaml --server-side --force-conflicts
      helmlite cluster apply -f web.yaml --dry-run=server -o yaml
    """
    if force_conflicts and not server_side:
        raise click.UsageError("--force-conflicts only works with --server-side")
    if server_side and dry_run == "client":
        raise click.UsageError("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)")
    manager = SERVER_SIDE_MANAGER if server_side and field_manager == CLIENT_SIDE_MANAGER else field_manager
    objects = read_manifests(filenames, recursive=recursive)
    results: list[tuple[str, dict[str, Any]]] = []
    errors: list[str] = []
    with open_cluster_for(dry_run) as cluster:
        for source, obj in objects:
            try:
                results.append(_apply_one(cluster, source, obj, manager=manager, server_side=server_side,
                                          force=force_conflicts, dry_run=dry_run))
            except _ApplyFailed as exc:
                errors.append(str(exc))
    suffix = dry_run_suffix(dry_run)
    if output in ("yaml", "json"):
        separator = "---\n" if output == "yaml" else ""
        click.echo(separator.join(format_objects([obj], output) for _, obj in results), nl=False)
    else:
        for operation, obj in results:
            line = _object_name(obj) if output == "name" else f"{_object_name(obj)} {operation}{suffix}"
            click.echo(line)
    report_errors(errors)


class _ApplyFailed(Exception):
    """One object could not be applied; ``str()`` is kubectl's line for it."""


def _object_name(obj: dict[str, Any]) -> str:
    return format_objects([obj], "name").rstrip("\n")


def _apply_one(cluster: Cluster, source: str, obj: dict[str, Any], *, manager: str, server_side: bool, force: bool,
               dry_run: str) -> tuple[str, dict[str, Any]]:
    """Apply one object; returns kubectl's operation word and the resulting object.

    Raises:
        _ApplyFailed: the API refused it (with where and why).
    """
    from helmlite.cluster.errors import (
        ApiError,
        ConflictError,
        NoKindMatchError,
        NotFoundError,
    )

    name = str((obj.get("metadata") or {}).get("name") or "")
    try:
        kind, _version = cluster.kinds.for_object(obj)
    except NoKindMatchError as exc:
        raise _ApplyFailed(f'resource mapping not found for name: "{name}" from "{source}": {exc}; '
                           "ensure CRDs are installed first") from None
    except ApiError as exc:
        raise _ApplyFailed(f'error validating "{source}": {exc}') from None
    namespace = place_in_namespace(kind, obj, source)
    if not name:
        raise _ApplyFailed(f'error when retrieving current configuration of {kind.kind} from "{source}": '
                           "resource name may not be empty")
    try:
        live: dict[str, Any] | None = cluster.store.get(obj["apiVersion"], kind.kind, name, namespace=namespace)
    except NotFoundError:
        live = None
    try:
        if server_side:
            return "serverside-applied", _server_side(cluster, obj, live, manager=manager, force=force)
        return _client_side(cluster, source, obj, live, manager=manager, dry_run=dry_run)
    except ConflictError as exc:
        hint = " (re-run with --force-conflicts to take these fields over)" if server_side else ""
        raise _ApplyFailed(f'error when applying "{source}" ({name_of(kind, name)}): {exc}{hint}') from None
    except ApiError as exc:
        verb = "creating" if live is None else "applying"
        raise _ApplyFailed(f'error when {verb} "{source}": {exc}') from None


def _server_side(cluster: Cluster, obj: dict[str, Any], live: dict[str, Any] | None, *, manager: str,
                 force: bool) -> dict[str, Any]:
    from helmlite.cli.cluster.client_apply import (
        LAST_APPLIED_ANNOTATION,
        last_applied_json,
    )

    result = cluster.store.apply(obj, field_manager=manager, force=force)
    live_annotations = ((live or {}).get("metadata") or {}).get("annotations") or {}
    applied_annotations = (obj.get("metadata") or {}).get("annotations") or {}
    # kubectl's saveLastApplyAnnotationIfNecessary: an object once applied client-side keeps
    # an up-to-date annotation, so going back to client-side apply still merges correctly.
    if (manager == SERVER_SIDE_MANAGER and LAST_APPLIED_ANNOTATION in live_annotations
            and LAST_APPLIED_ANNOTATION not in applied_annotations):
        meta = {k: v for k, v in obj["metadata"].items() if k in ("name", "namespace")}
        meta["annotations"] = {LAST_APPLIED_ANNOTATION: last_applied_json(obj)}
        result = cluster.store.apply({"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta},
                                     field_manager=LAST_APPLIED_MANAGER)
    return result


def _client_side(cluster: Cluster, source: str, obj: dict[str, Any], live: dict[str, Any] | None, *, manager: str,
                 dry_run: str) -> tuple[str, dict[str, Any]]:
    from helmlite.cli.cluster.client_apply import (
        LAST_APPLIED_ANNOTATION,
        three_way_merge,
        with_last_applied,
    )

    modified = with_last_applied(obj)
    if live is None:
        if dry_run == "client":
            return "created", modified
        return "created", cluster.store.create(modified, field_manager=manager)
    if dry_run == "client":  # kubectl does not compute the patch of a client dry run
        return "configured", live
    last_applied = ((live["metadata"].get("annotations") or {}).get(LAST_APPLIED_ANNOTATION))
    if last_applied is None:
        kind, _ = cluster.kinds.for_object(obj)
        click.echo(f"Warning: resource {kind.plural}/{obj['metadata']['name']} is missing the "
                   f"{LAST_APPLIED_ANNOTATION} annotation which is required by helmlite cluster apply. "
                   "helmlite cluster apply should only be used on resources created declaratively by "
                   "helmlite cluster apply. The missing annotation will be patched automatically.", err=True)
    try:
        original = json.loads(last_applied) if last_applied else None
    except ValueError:
        original = None  # a hand-edited, unreadable annotation: merge two ways, as kubectl does
    kind, _ = cluster.kinds.for_object(obj)
    merged = three_way_merge(original, modified, live, strategic=kind.builtin, kind=kind.kind)
    if merged == live:
        return "unchanged", live
    return "configured", cluster.store.replace(merged, field_manager=manager)
