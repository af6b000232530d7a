"""Field-manager migration: taking over the fields Helm (or another helmlite setting) applied.

helmlite applies with server-side apply as one field manager (``Config.field_manager``,
``helmlite`` unless ``HELMLITE_FIELD_MANAGER`` says otherwise). An object of a release that the
real Helm installed or upgraded is owned by manager ``helm``: an ``Apply`` entry (Helm v4's
server-side apply) or ``Update`` entries (Helm 3's client-side apply). Applying over it as
``helmlite`` would conflict on every field the new chart changes and would never remove a
field the new chart drops, because ``helm`` still owns it.

So before an object of a release is applied, the entries of the release managers
(``RELEASE_FIELD_MANAGERS``) are folded into the applying manager's ``Apply`` entry — what
client-go's ``csaupgrade.UpgradeManagedFields`` does for Helm's own CSA → SSA switch
(``upgradeClientSideFieldManager``) — and ``metadata.managedFields`` is rewritten with the JSON
patch ``csaupgrade.UpgradeManagedFieldsPatch`` builds, guarded by the object's
``resourceVersion`` and retried on conflict. Afterwards the apply behaves as if
helmlite had installed the object. Entries of anybody else (``kubectl``, controllers, an
HPA's ``scale``) are left alone: their conflicts are real.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    ResourceConflict,
    ResourceError,
    ResourceNotFound,
    ResourceRef,
    Session,
)
from helmlite.errors import HelmliteError

__all__ = [
    "HELM_FIELD_MANAGER",
    "RELEASE_FIELD_MANAGERS",
    "OwnershipMoveError",
    "managed_fields_patch",
    "move_ownership",
    "moved_managed_fields",
]

# Helm's field manager: its program name (``getManagedFieldsManager``), for SSA and CSA alike.
HELM_FIELD_MANAGER = "helm"
# Managers whose ownership of a release's objects the applying manager takes over: Helm's, and
# helmlite's default (so switching HELMLITE_FIELD_MANAGER either way needs no --force-conflicts).
RELEASE_FIELD_MANAGERS = (HELM_FIELD_MANAGER, DEFAULT_FIELD_MANAGER)
# client-go's retry.DefaultRetry: how often a write that lost a resourceVersion race is retried.
_CONFLICT_ATTEMPTS = 5
_APPLY = "Apply"


class OwnershipMoveError(HelmliteError):
    """The managedFields of an object could not be rewritten."""


def _is_target(entry: Mapping[str, Any], manager: str) -> bool:
    return entry.get("manager") == manager and entry.get("operation") == _APPLY and not entry.get("subresource")


def _moves(entry: Mapping[str, Any], manager: str) -> bool:
    # The applying manager's own Update entries fold in too (csaupgrade does the same).
    return (
        entry.get("manager") in (*RELEASE_FIELD_MANAGERS, manager)
        and not entry.get("subresource")
        and not _is_target(entry, manager)
    )


def _union(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The union of two FieldsV1 trees (or subtrees): children merged, ``"."`` (the node itself
    is owned) kept when either side has it."""
    out: dict[str, Any] = {".": {}} if "." in a or "." in b else {}
    for key in sorted((set(a) | set(b)) - {"."}):
        if key in a and key in b:
            out[key] = _union_child(a[key], b[key])
        else:
            out[key] = copy.deepcopy(a[key] if key in a else b[key])
    return out


def _union_child(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    # Below the root an empty node is an owned leaf; once it gains children its own membership
    # has to be spelled "." or it would read as a mere prefix of them.
    merged = _union(a, b)
    owned = not a or not b or "." in a or "." in b
    if owned and merged and "." not in merged:
        merged = {".": {}, **merged}
    return merged


def moved_managed_fields(entries: list[dict[str, Any]], manager: str) -> list[dict[str, Any]] | None:
    """``entries`` (an object's managedFields) with every release manager's entry folded into
    ``manager``'s Apply entry, or None when there is nothing to move.

    Without an Apply entry of ``manager``, the moving entry that best stands for the last
    apply (an Apply entry before an Update, then the newest) becomes it. Fields are merged
    from the moving entries of the same apiVersion; entries of another apiVersion are dropped,
    as csaupgrade drops them (their paths need not mean the same in this version).
    """
    moving = [i for i, entry in enumerate(entries) if _moves(entry, manager)]
    if not moving:
        return None
    target = next((i for i, entry in enumerate(entries) if _is_target(entry, manager)), None)
    if target is None:
        target = max(moving, key=lambda i: (entries[i].get("operation") == _APPLY, entries[i].get("time", "")))
    base = entries[target]
    fields: dict[str, Any] = dict(base.get("fieldsV1") or {})
    for i in moving:
        if i != target and entries[i].get("apiVersion") == base.get("apiVersion"):
            fields = _union(fields, entries[i].get("fieldsV1") or {})
    merged = {**base, "manager": manager, "operation": _APPLY, "fieldsV1": fields}
    return [merged if i == target else entry for i, entry in enumerate(entries) if i == target or i not in moving]


def managed_fields_patch(managed_fields: list[dict[str, Any]], resource_version: str) -> list[dict[str, Any]]:
    """The JSON patch (RFC 6902) of ``csaupgrade.UpgradeManagedFieldsPatch``: replace
    ``/metadata/managedFields`` and, as the guard, ``/metadata/resourceVersion`` with the version
    read. client-go replaces the version rather than ``test``-ing it so that a stale one fails
    as a 409 Conflict (retried) and not as a 422 from the patch itself."""
    return [
        {"op": "replace", "path": "/metadata/managedFields", "value": managed_fields},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": resource_version},
    ]


def move_ownership(session: Session, ref: ResourceRef, manager: str) -> bool:
    """Rewrite the managedFields of the live object ``ref`` as ``moved_managed_fields`` says.

    The rewrite is ``managed_fields_patch`` sent as ``manager`` to the object at ``ref``'s
    apiVersion (what Helm's ``upgradeClientSideFieldManager`` sends); it fails with a conflict
    when another writer got in after the read, and is then read and built again (client-go's
    ``retry.DefaultRetry``). Returns whether anything was rewritten (False: nothing to move,
    or the object does not exist). Raises OwnershipMoveError when the API refuses the patch
    or the object keeps changing.
    """
    for _attempt in range(_CONFLICT_ATTEMPTS):
        live = session.get(ref)
        if live is None:
            return False
        meta = live.get("metadata") or {}
        moved = moved_managed_fields(list(meta.get("managedFields") or []), manager)
        if moved is None:
            return False
        patch = managed_fields_patch(moved, str(meta.get("resourceVersion") or ""))
        try:
            session.patch(ref, patch, patch_type="json", field_manager=manager)
        except ResourceConflict:
            continue
        except ResourceNotFound:
            return False
        except ResourceError as exc:
            raise OwnershipMoveError(f'unable to move the field ownership of {ref} to "{manager}": {exc}') from None
        return True
    raise OwnershipMoveError(
        f'unable to move the field ownership of {ref} to "{manager}": the object kept changing '
        f"({_CONFLICT_ATTEMPTS} attempts); try again"
    )
