"""``helmlite cluster apply -f FILE|DIR|-``: kubectl apply, client-side or server-side."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from helmlite.cli.cluster.common import (
    DryRunCommand,
    dry_run_suffix,
    format_objects,
    open_cluster_for,
    place_in_namespace,
    read_manifests,
)
from helmlite.cli.cluster.failures import error_line, exit_with_errors
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
    if output in ("yaml", "json") and results:
        # kubectl hides metadata.managedFields from printed objects, and prints several as a List.
        shown = [{**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}
                 for _, obj in results]
        click.echo(format_objects(shown, output), nl=False)
    else:
        for operation, obj in results:
            line = _object_name(obj) if output == "name" else f"{_object_name(obj)} {operation}{suffix}"
            click.echo(line)
    exit_with_errors(errors)


class _ApplyFailed(Exception):
    """One object could not be applied; ``str()`` is kubectl's line for it (``Error…``)."""


# kubectl's advice after a server-side apply conflict (pkg/cmd/apply), verbatim.
_SERVER_SIDE_CONFLICT_ADVICE = """\
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""


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
        raise _ApplyFailed(f'Error: resource mapping not found for name: "{name}" from "{source}": {exc}; '
                           "ensure CRDs are installed first") from None
    except ApiError as exc:
        raise _ApplyFailed(f'Error: error validating "{source}": {exc}') from None
    namespace = place_in_namespace(kind, obj, source)
    if not name:
        raise _ApplyFailed(f'Error: error when retrieving current configuration of {kind.kind} from "{source}": '
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
        if server_side:  # kubectl wraps the server's conflict in its own advice
            raise _ApplyFailed(f"Error: {exc}\n{_SERVER_SIDE_CONFLICT_ADVICE}") from None
        raise _ApplyFailed(error_line(exc, f'error when applying patch to "{source}": ')) from None
    except ApiError as exc:
        verb = "creating" if live is None else "applying"
        raise _ApplyFailed(error_line(exc, f'error when {verb} "{source}": ')) from None


def _server_side(cluster: Cluster, obj: dict[str, Any], live: dict[str, Any] | None, *, manager: str,
                 force: bool) -> dict[str, Any]:
    from helmlite.cli.cluster.client_apply import LAST_APPLIED_ANNOTATION

    result = cluster.store.apply(obj, field_manager=manager, force=force)
    annotations = result["metadata"].get("annotations") or {}
    # kubectl's saveLastApplyAnnotationIfNecessary: an object once applied client-side keeps its
    # annotation (as it is, not updated) under a manager of its own, so that going back to
    # client-side apply still works; it applies with force, so it never conflicts.
    if manager == SERVER_SIDE_MANAGER and LAST_APPLIED_ANNOTATION in annotations:
        meta = {k: v for k, v in obj["metadata"].items() if k in ("name", "namespace")}
        meta["annotations"] = {LAST_APPLIED_ANNOTATION: annotations[LAST_APPLIED_ANNOTATION]}
        result = cluster.store.apply({"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta},
                                     field_manager=LAST_APPLIED_MANAGER, force=True)
    upgraded = _upgraded_managed_fields(result["metadata"].get("managedFields") or [], manager)
    if upgraded is not None:
        migrated = {**result, "metadata": {**result["metadata"], "managedFields": upgraded}}
        migrated["metadata"].pop("resourceVersion", None)
        cluster.store.replace(migrated, field_manager=manager)
        # kubectl applies once more: now that the apply manager owns what the client-side
        # manager did, fields the manifest no longer has are released (and removed).
        result = cluster.store.apply(obj, field_manager=manager, force=force)
    return result


def _upgraded_managed_fields(entries: list[dict[str, Any]], manager: str) -> list[dict[str, Any]] | None:
    """kubectl's ``migrateToSSAIfNecessary`` (``csaupgrade.UpgradeManagedFields``): the fields of
    every client-side apply manager (an Update entry owning the last-applied annotation) become
    the server-side ``manager``'s Apply fields, so a later apply that drops a field removes it.
    None when there is nothing to migrate."""
    from helmlite.cli.cluster.client_apply import LAST_APPLIED_ANNOTATION

    def owns_last_applied(entry: dict[str, Any]) -> bool:
        annotations = (((entry.get("fieldsV1") or {}).get("f:metadata") or {}).get("f:annotations") or {})
        return f"f:{LAST_APPLIED_ANNOTATION}" in annotations

    def is_client_side(entry: dict[str, Any], name: str) -> bool:
        return entry.get("manager") == name and entry.get("operation") == "Update" and not entry.get("subresource")

    client_side = sorted({e["manager"] for e in entries if e.get("operation") == "Update" and owns_last_applied(e)})
    if not client_side:
        return None
    upgraded = [dict(e) for e in entries]
    for name in client_side:
        target = next((e for e in upgraded if e.get("manager") == manager and e.get("operation") == "Apply"
                       and not e.get("subresource")), None)
        if target is None:
            target = next((e for e in upgraded if is_client_side(e, name)), None)
            if target is None:
                continue
            target.update(manager=manager, operation="Apply")
        for entry in upgraded:
            if entry is not target and is_client_side(entry, name):
                target["fieldsV1"] = _union_fields(target.get("fieldsV1") or {}, entry.get("fieldsV1") or {})
        upgraded = [e for e in upgraded if e is target or not is_client_side(e, name)]
    return upgraded


def _union_fields(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """The union of two FieldsV1 trees."""
    out = dict(left)
    for key, value in right.items():
        out[key] = _union_fields(out.get(key) or {}, value) if isinstance(value, dict) else value
    return out


def _client_side(cluster: Cluster, source: str, obj: dict[str, Any], live: dict[str, Any] | None, *, manager: str,
                 dry_run: str) -> tuple[str, dict[str, Any]]:
    from helmlite.cli.cluster.client_apply import (
        LAST_APPLIED_ANNOTATION,
        three_way_patch,
        with_last_applied,
    )
    from helmlite.cluster.patch import json_merge_patch
    from helmlite.cluster.strategicpatch import apply_strategic_merge_patch

    modified = with_last_applied(obj)
    if live is None:
        if dry_run == "client":
            return "created", modified
        return "created", cluster.store.create(modified, field_manager=manager)
    kind, _ = cluster.kinds.for_object(obj)
    last_applied = ((live["metadata"].get("annotations") or {}).get(LAST_APPLIED_ANNOTATION))
    if last_applied is None:
        click.echo(f"Warning: resource {kind.plural}/{obj['metadata']['name']} is missing the "
                   f"{LAST_APPLIED_ANNOTATION} annotation which is required by helmlite cluster apply. "
                   "helmlite cluster apply should only be used on resources created declaratively by "
                   "helmlite cluster apply. The missing annotation will be patched automatically.", err=True)
    try:
        original = json.loads(last_applied) if last_applied else None
    except ValueError:
        original = None  # a hand-edited, unreadable annotation: patch two ways, as kubectl does
    patch = three_way_patch(original, modified, live, strategic=kind.builtin, kind=kind.kind)
    if not patch:  # kubectl sends nothing
        return "unchanged", live
    meta = live["metadata"]
    if not kind.builtin:  # custom resources take a JSON merge patch
        if dry_run == "client":
            return "configured", json_merge_patch(live, patch)
        return "configured", cluster.store.patch(obj["apiVersion"], kind.kind, meta["name"], patch,
                                                 namespace=meta.get("namespace", ""), field_manager=manager)
    patched = apply_strategic_merge_patch(live, patch, kind.group, kind.kind)
    if dry_run == "client":  # kubectl patches its copy of the live object and shows that
        return "configured", patched
    patched["metadata"].pop("resourceVersion", None)  # a patch carries no precondition
    return "configured", cluster.store.replace(patched, field_manager=manager)
