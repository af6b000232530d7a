"""Applying a release to a cluster: Helm's kube-client logic, once, for every mutating verb.

What install, upgrade, rollback and uninstall share (Helm's ``pkg/kube/client.go``,
``pkg/action/validate.go`` and ``hooks.go``):

- ``build_resources``: a release manifest → API objects with their namespaces resolved (a
  namespaced object without one goes to the release namespace);
- ownership: every applied object carries ``app.kubernetes.io/managed-by: Helm`` and the
  ``meta.helm.sh/release-name``/``-namespace`` annotations; an existing object without them
  (or owned by another release) is not adopted unless ``--take-ownership``, with Helm's text;
- ``precheck``: a server-side dry run of every object, so an immutable-field change or an
  invalid object is reported before anything is applied (Helm finds out half-way through);
- ``sync``: create/update by server-side apply (field manager ``helmlite``, or
  ``Config.field_manager``), then delete what the chart dropped, keyed by
  apiVersion/kind/namespace/name, sparing ``helm.sh/resource-policy: keep`` and objects another
  release owns; ``precheck`` first takes over the fields Helm's field manager owns
  (``managedfields``), so a release Helm installed upgrades without conflicts;
- ``run_hooks``: hooks of one event by (weight, name), delete policies, ``last_run`` phases
  recorded as they happen; ``delete_hook_objects`` removes them on uninstall (helmlite's
  addition: Helm leaves hook objects behind);
- ``wait_until_ready``: ``--wait`` with progress.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from helmlite.actions.action import Config, HeldLease
from helmlite.actions.managedfields import (
    OwnershipMoveError,
    move_ownership,
    moved_managed_fields,
)
from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    ResourceError,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    Session,
    UnknownKind,
    WaitResult,
    WaitTarget,
)
from helmlite.errors import HelmliteError, ManifestError
from helmlite.output import Output
from helmlite.release.model import Hook, HookExecution, HookPhase, Release, Timestamp
from helmlite.render.manifests import INSTALL_ORDER, UNINSTALL_ORDER, sort_by_kind

__all__ = [
    "CASCADE_POLICIES",
    "KEEP_POLICY",
    "MANAGED_BY_HELM",
    "MANAGED_BY_LABEL",
    "RELEASE_NAMESPACE_ANNOTATION",
    "RELEASE_NAME_ANNOTATION",
    "RESOURCE_POLICY_ANNOTATION",
    "ApplyError",
    "HookError",
    "PhaseOutcome",
    "ReleasePlan",
    "Resource",
    "SyncResult",
    "WaitProgress",
    "build_resources",
    "check_adoption",
    "checked_update",
    "cleanup_created",
    "delete_hook_objects",
    "delete_resources",
    "format_duration",
    "manifest_documents",
    "ownership_problem",
    "perform",
    "precheck",
    "run_hooks",
    "stamp_ownership",
    "sync",
    "wait_until_ready",
]

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_HELM = "Helm"
RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name"
RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace"
RESOURCE_POLICY_ANNOTATION = "helm.sh/resource-policy"
KEEP_POLICY = "keep"
HOOK_ANNOTATION = "helm.sh/hook"
# --cascade values → the API's propagationPolicy.
CASCADE_POLICIES = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}

_SOURCE = re.compile(r"^# Source: (.*)$", re.MULTILINE)
_SEPARATOR = re.compile(r"(?m)^---[ \t]*")


class ApplyError(HelmliteError):
    """The cluster refused a resource (the message is Helm's: ``failed to create resource: …``)."""


class HookError(HelmliteError):
    """A hook could not be created, failed, or did not finish in time."""


@dataclass(frozen=True)
class Resource:
    """One object of a manifest, with its identity resolved and the file it came from."""

    ref: ResourceRef
    obj: dict[str, Any]
    source: str = ""

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def annotations(self) -> dict[str, Any]:
        return dict((self.obj.get("metadata") or {}).get("annotations") or {})

    def describe(self) -> str:
        """Helm's ``resourceString``: ``ConfigMap "web" in namespace "default"``."""
        return f'{self.ref.kind} "{self.ref.name}" in namespace "{self.ref.namespace}"'


def manifest_documents(manifest: str) -> list[tuple[str, str]]:
    """``(source path, document)`` pairs of a release manifest, blank documents dropped."""
    out = []
    for piece in _SEPARATOR.split(manifest):
        if not piece.strip():
            continue
        match = _SOURCE.search(piece)
        out.append((match.group(1).strip() if match else "", piece))
    return out


def build_resources(session: Session, manifest: str, namespace: str) -> list[Resource]:
    """The objects of a release (or hook) manifest, in manifest order, ``List`` kinds flattened.

    A namespaced object without ``metadata.namespace`` is placed in ``namespace``; a
    cluster-scoped one has ``""``. Raises ManifestError for a document that is not an
    object with apiVersion, kind and name, and ApplyError (Helm's "resource mapping not
    found" text) for a kind the cluster does not serve.
    """
    from helmlite.values.yamlio import load_yaml

    resources: list[Resource] = []
    for source, doc in manifest_documents(manifest):
        try:
            data = load_yaml(doc, source or "manifest")
        except HelmliteError as exc:
            raise ManifestError(f"unable to build kubernetes objects from release manifest: {exc}") from None
        if data is None:
            continue
        items = data.get("items") if isinstance(data, dict) and str(data.get("kind", "")).endswith("List") else None
        for obj in items if isinstance(items, list) else [data]:
            resources.append(_resource(session, obj, source, namespace))
    return resources


def _resource(session: Session, obj: Any, source: str, namespace: str) -> Resource:
    where = f" in {source}" if source else ""
    if not isinstance(obj, dict):
        raise ManifestError(f"unable to build kubernetes objects from release manifest: a document{where} is not an object")
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    raw_meta = obj.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    name = str(meta.get("name") or "")
    if not api_version or not kind:
        raise ManifestError(
            f"unable to build kubernetes objects from release manifest: an object{where} has no apiVersion or kind"
        )
    if not name:
        raise ManifestError(f"unable to build kubernetes objects from release manifest: {kind}{where} has no name")
    try:
        namespaced = session.namespaced(api_version, kind)
    except UnknownKind:
        raise ApplyError(
            f'unable to build kubernetes objects from release manifest: resource mapping not found for name: "{name}" '
            f'namespace: "{meta.get("namespace") or ""}" from "": no matches for kind "{kind}" in version '
            f'"{api_version}"; ensure CRDs are installed first'
        ) from None
    obj = copy.deepcopy(obj)
    ns = str(meta.get("namespace") or namespace) if namespaced else ""
    metadata = obj.setdefault("metadata", {})
    if namespaced:
        metadata["namespace"] = ns
    else:
        metadata.pop("namespace", None)
    return Resource(ResourceRef(api_version, kind, ns, name), obj, source)


# --- ownership ---------------------------------------------------------------------------


def stamp_ownership(resources: Iterable[Resource], release: str, namespace: str) -> list[Resource]:
    """Copies of ``resources`` carrying Helm's ownership label and annotations."""
    out = []
    for res in resources:
        obj = copy.deepcopy(res.obj)
        meta = obj.setdefault("metadata", {})
        meta["labels"] = {**(meta.get("labels") or {}), MANAGED_BY_LABEL: MANAGED_BY_HELM}
        meta["annotations"] = {
            **(meta.get("annotations") or {}),
            RELEASE_NAME_ANNOTATION: release,
            RELEASE_NAMESPACE_ANNOTATION: namespace,
        }
        out.append(replace(res, obj=obj))
    return out


def _require(found: dict[str, Any], key: str, value: str) -> str | None:
    if key not in found:
        return f'missing key "{key}": must be set to "{value}"'
    if found[key] != value:
        return f'key "{key}" must equal "{value}": current value is "{found[key]}"'
    return None


def ownership_problem(live: dict[str, Any], release: str, namespace: str) -> str | None:
    """Why ``live`` is not owned by the release (Helm's ``checkOwnership`` text), or None."""
    meta = live.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    problems = []
    if err := _require(labels, MANAGED_BY_LABEL, MANAGED_BY_HELM):
        problems.append(f"label validation error: {err}")
    if err := _require(annotations, RELEASE_NAME_ANNOTATION, release):
        problems.append(f"annotation validation error: {err}")
    if err := _require(annotations, RELEASE_NAMESPACE_ANNOTATION, namespace):
        problems.append(f"annotation validation error: {err}")
    return "invalid ownership metadata; " + "; ".join(problems) if problems else None


def check_adoption(
    session: Session, resources: Iterable[Resource], release: str, namespace: str, *, verb: str, take_ownership: bool
) -> list[Resource]:
    """The resources that already exist in the cluster (they will be updated, not created).

    Raises ApplyError with Helm's text when one exists without this release's ownership
    metadata and ``take_ownership`` is False: ``unable to continue with install: ConfigMap
    "x" in namespace "default" exists and cannot be imported into the current release:
    invalid ownership metadata; …``.
    """
    existing = []
    for res in resources:
        live = session.get(res.ref)
        if live is None:
            continue
        if not take_ownership and (problem := ownership_problem(live, release, namespace)):
            raise ApplyError(
                f"unable to continue with {verb}: {res.describe()} exists and cannot be imported into the "
                f"current release: {problem}"
            )
        existing.append(res)
    return existing


# --- applying ----------------------------------------------------------------------------


def _refused(res: Resource, exists: bool, exc: ResourceError) -> str:
    """Helm's wording for an object the API refused."""
    if exists:
        return f'cannot patch "{res.ref.name}" with kind {res.ref.kind}: {exc}'
    return f"failed to create resource: {exc}"


def precheck(
    session: Session, resources: Iterable[Resource], *, field_manager: str, force: bool, take_over: bool
) -> None:
    """A server-side dry run of every resource, before anything is applied.

    Catches what would otherwise fail half-way through an apply: immutable-field changes,
    invalid objects and field-manager conflicts. Objects whose namespace does not exist
    yet (created by the same release) cannot be checked and are skipped. Raises ApplyError
    naming every refused resource.

    Fields a release manager (Helm) owns are ``field_manager``'s to change: with ``take_over``
    their ownership is moved first, for real (``managedfields.move_ownership``; it changes no
    content). A dry run of the operation cannot move it, so those objects are checked with
    force: their conflicts with other managers show only in the real run. When the API
    refuses the move, the object is checked as it is, and the refusal is told with any
    problem the check finds (a conflict with ``helm``, most likely).
    """
    problems = []
    for res in resources:
        live = session.get(res.ref)
        forced = force
        not_moved: OwnershipMoveError | None = None
        if live is not None and _owned_by_release_managers(live, field_manager):
            if not take_over:
                forced = True
            else:
                try:
                    move_ownership(session, res.ref, field_manager)
                except OwnershipMoveError as exc:
                    not_moved = exc
        try:
            session.apply(res.obj, field_manager=field_manager, force=forced, dry_run=True)
        except ResourceNotFound:
            continue
        except ResourceError as exc:
            problem = _refused(res, live is not None, exc)
            problems.append(f"{problem} ({not_moved})" if not_moved else problem)
    if problems:
        raise ApplyError("; ".join(problems) + " (found by a dry run before applying: nothing was changed)")


def _owned_by_release_managers(live: dict[str, Any], field_manager: str) -> bool:
    entries = (live.get("metadata") or {}).get("managedFields") or []
    return moved_managed_fields(list(entries), field_manager) is not None


def checked_update(
    session: Session,
    current: Release,
    new: Release,
    *,
    verb: str,
    field_manager: str,
    force: bool,
    take_ownership: bool,
    take_over: bool,
) -> tuple[list[Resource], list[Resource]]:
    """The objects of revision ``current`` and of ``new`` (ownership stamped) for an upgrade or
    a rollback, after the checks made before anything is recorded: the objects ``new`` adds
    must be adoptable (``check_adoption``; ``verb`` names the operation in its message) and
    every object passes ``precheck``. Raises ApplyError (and what ``build_resources`` raises).
    """
    name, namespace = new.name, new.namespace
    old_objects = stamp_ownership(build_resources(session, current.manifest, namespace), name, namespace)
    new_objects = stamp_ownership(build_resources(session, new.manifest, namespace), name, namespace)
    known = {res.ref for res in old_objects}
    check_adoption(session, [r for r in new_objects if r.ref not in known], name, namespace, verb=verb,
                   take_ownership=take_ownership)
    precheck(session, new_objects, field_manager=field_manager, force=force, take_over=take_over)
    return old_objects, new_objects


@dataclass
class SyncResult:
    """What ``sync``/``delete_resources`` did, for ``--cleanup-on-fail`` and the kept-resources report."""

    created: list[Resource] = field(default_factory=list)
    updated: list[Resource] = field(default_factory=list)
    deleted: list[Resource] = field(default_factory=list)
    kept: list[Resource] = field(default_factory=list)
    not_owned: list[Resource] = field(default_factory=list)


def sync(
    session: Session,
    current: Sequence[Resource],
    target: Sequence[Resource],
    *,
    release: str,
    namespace: str,
    field_manager: str = DEFAULT_FIELD_MANAGER,
    force: bool = False,
    result: SyncResult | None = None,
) -> SyncResult:
    """Make the cluster match ``target``: apply each (in install order) as ``field_manager``,
    then delete what is in ``current`` but not in ``target`` (in uninstall order, background
    propagation).

    ``result`` (when given) is filled as work is done, so a caller still knows what was
    created when this raises. Raises ApplyError at the first object the API refuses.
    """
    result = result if result is not None else SyncResult()
    for res in sort_by_kind(target, INSTALL_ORDER):
        exists = session.get(res.ref) is not None
        try:
            session.apply(res.obj, field_manager=field_manager, force=force)
        except ResourceError as exc:
            raise ApplyError(_refused(res, exists, exc)) from None
        (result.updated if exists else result.created).append(res)
    wanted = {res.ref for res in target}
    dropped = [res for res in current if res.ref not in wanted]
    delete_resources(session, dropped, release=release, namespace=namespace, result=result)
    return result


def delete_resources(
    session: Session,
    resources: Sequence[Resource],
    *,
    release: str,
    namespace: str,
    propagation: str = "Background",
    result: SyncResult | None = None,
) -> SyncResult:
    """Delete ``resources`` in uninstall order, sparing ``helm.sh/resource-policy: keep`` (on the
    manifest or the live object) and live objects that are not this release's.

    Raises ApplyError when the API refuses a deletion.
    """
    result = result if result is not None else SyncResult()
    for res in sort_by_kind(resources, UNINSTALL_ORDER):
        live = session.get(res.ref)
        if live is None:
            continue
        live_annotations = (live.get("metadata") or {}).get("annotations") or {}
        if KEEP_POLICY in (res.annotations.get(RESOURCE_POLICY_ANNOTATION), live_annotations.get(RESOURCE_POLICY_ANNOTATION)):
            result.kept.append(res)
            continue
        if ownership_problem(live, release, namespace):
            result.not_owned.append(res)
            continue
        try:
            session.delete(res.ref, propagation=propagation)
        except ResourceError as exc:
            raise ApplyError(f"failed to delete {res.describe()}: {exc}") from None
        result.deleted.append(res)
    return result


# --- waiting -----------------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """Go's ``time.Duration`` text for whole seconds: ``5m0s``, ``1h0m0s``, ``45s``."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


class WaitProgress:
    """``--wait`` progress on stderr: one rewritten line on a terminal (ready/total and the
    current blocker), one plain line per change of the ready count otherwise."""

    def __init__(self, output: Output) -> None:
        self._output = output
        isatty = getattr(output.stderr, "isatty", None)
        self._tty = bool(isatty and isatty())
        self._last_ready = -1
        self._width = 0

    def __call__(self, statuses: Sequence[ResourceStatus]) -> None:
        ready = sum(1 for s in statuses if s.ready)
        blocker = next((s for s in statuses if not s.ready), None)
        line = f"waiting: {ready}/{len(statuses)} resources ready"
        if blocker is not None:
            line += f"; {blocker.describe()}"
        if self._tty:
            self._output.stderr.write("\r" + line.ljust(self._width))
            self._width = len(line)
            self._output.stderr.flush()
        elif ready != self._last_ready:
            self._output.stderr.write(line + "\n")
        self._last_ready = ready

    def done(self) -> None:
        """End the progress line (terminal only)."""
        if self._tty and self._width:
            self._output.stderr.write("\n")
            self._width = 0


def wait_until_ready(
    session: Session, resources: Sequence[Resource], timeout: float, *, output: Output | None = None
) -> WaitResult:
    """``--wait``: every resource Current (kstatus) within ``timeout`` seconds of cluster time.

    Raises WaitError naming each resource that is not ready and why.
    """
    progress = WaitProgress(output) if output is not None else None
    try:
        result = session.wait_ready([r.ref for r in resources], timeout, progress=progress)
    finally:
        if progress is not None:
            progress.done()
    result.raise_for_status()
    return result


# --- hooks -------------------------------------------------------------------------------

BEFORE_HOOK_CREATION = "before-hook-creation"
HOOK_SUCCEEDED = "hook-succeeded"
HOOK_FAILED = "hook-failed"


def _policies(hook: Hook) -> tuple[str, ...]:
    return hook.delete_policies or (BEFORE_HOOK_CREATION,)


def _delete_hook(session: Session, hook: Hook, namespace: str, timeout: float) -> None:
    """Delete a hook's objects and wait until they are gone (CRDs never: it would cascade)."""
    if hook.kind == "CustomResourceDefinition":
        return
    resources = build_resources(session, hook.manifest, namespace)
    deleted = []
    for res in resources:
        try:
            if session.delete(res.ref, propagation="Background"):
                deleted.append(res.ref)
        except ResourceError as exc:
            raise HookError(f"unable to delete hook {hook.path}: {exc}") from None
    if deleted:
        session.wait_deleted(deleted, timeout)


def _hook_failure(result: WaitResult, timeout: float) -> str:
    parts = [f"resource {s.ref} not ready. status: {s.status.value}, message: {s.message}" for s in result.not_ready]
    text = "; ".join(parts)
    return f"{text}: timed out after {format_duration(timeout)}" if result.timed_out else text


def run_hooks(
    session: Session,
    release: Release,
    event: str,
    *,
    timeout: float,
    record: Callable[[Release], None],
    now: Callable[[], Timestamp] = Timestamp.now,
    names: Callable[[Hook], bool] | None = None,
    field_manager: str = DEFAULT_FIELD_MANAGER,
) -> Release:
    """Run the hooks of ``event`` (``pre-install``, ``test``…) in (weight, name) order.

    Each hook: delete the previous run's objects (``before-hook-creation``, the default
    policy), apply (as ``field_manager``), wait until done (a Job complete, a Pod succeeded,
    anything else at once), with ``last_run`` recorded through ``record`` when it starts and
    when it ends. After all succeed, ``hook-succeeded`` ones are deleted in reverse order.
    When one fails it is deleted if it says ``hook-failed``, and the ones that succeeded
    before it are deleted if they say ``hook-succeeded``, as Helm does. ``names`` filters the
    hooks (``test --filter``).

    Returns the release with the updated ``last_run`` phases; raises HookError (after
    recording the failure) when a hook cannot be created, fails or times out.
    """
    hooks = list(release.hooks)
    chosen = [i for i, h in enumerate(hooks) if event in h.events and (names is None or names(h))]
    chosen.sort(key=lambda i: (hooks[i].weight, hooks[i].name))
    current = release

    def update(index: int, run: HookExecution) -> None:
        nonlocal current
        hooks[index] = replace(hooks[index], last_run=run)
        current = replace(current, hooks=tuple(hooks))
        record(current)

    finished: list[int] = []
    for index in chosen:
        hook = hooks[index]
        if BEFORE_HOOK_CREATION in _policies(hook):
            _delete_hook(session, hook, release.namespace, timeout)
        resources = build_resources(session, hook.manifest, release.namespace)
        started = now()
        update(index, HookExecution(started_at=started, phase=HookPhase.RUNNING))
        try:
            for res in resources:
                session.apply(res.obj, field_manager=field_manager)
        except ResourceError as exc:
            update(index, HookExecution(started_at=started, completed_at=now(), phase=HookPhase.FAILED))
            raise HookError(f"warning: Hook {event} {hook.path} failed: {exc}") from None
        result = session.wait_ready([r.ref for r in resources], timeout, target=WaitTarget.HOOKS)
        phase = HookPhase.SUCCEEDED if result.ready else HookPhase.FAILED
        update(index, HookExecution(started_at=started, completed_at=now(), phase=phase))
        if not result.ready:
            if HOOK_FAILED in _policies(hook):
                _delete_hook(session, hook, release.namespace, timeout)
            _delete_succeeded(session, [hooks[i] for i in finished], release.namespace, timeout)
            raise HookError(_hook_failure(result, timeout))
        finished.append(index)
    _delete_succeeded(session, [hooks[i] for i in finished], release.namespace, timeout)
    return current


def _delete_succeeded(session: Session, succeeded: Sequence[Hook], namespace: str, timeout: float) -> None:
    """Delete the ``hook-succeeded`` hooks among ``succeeded``, the last run first."""
    for hook in reversed(succeeded):
        if HOOK_SUCCEEDED in _policies(hook):
            _delete_hook(session, hook, namespace, timeout)


def delete_hook_objects(session: Session, release: Release) -> list[str]:
    """Remove the objects the release's hooks left in the cluster (helmlite's uninstall addition).

    Only live objects that still carry the ``helm.sh/hook`` annotation are removed, never a
    CRD and never one annotated ``helm.sh/resource-policy: keep``. Returns ``Kind/name`` of
    each object deleted; a hook manifest the cluster cannot map is skipped.
    """
    removed = []
    for hook in release.hooks:
        if hook.kind == "CustomResourceDefinition":
            continue
        try:
            resources = build_resources(session, hook.manifest, release.namespace)
        except HelmliteError:
            continue
        for res in resources:
            live = session.get(res.ref)
            annotations = (live or {}).get("metadata", {}).get("annotations") or {}
            if live is None or HOOK_ANNOTATION not in annotations:
                continue
            if annotations.get(RESOURCE_POLICY_ANNOTATION) == KEEP_POLICY:
                continue
            if session.delete(res.ref, propagation="Background"):
                removed.append(f"{res.ref.kind}/{res.ref.name}")
    return removed



# --- the apply phase shared by install, upgrade and rollback -------------------------------


@dataclass(frozen=True)
class ReleasePlan:
    """What the apply phase of an operation does: the pending record (already stored), the
    objects of the revision being replaced and of the new one, and the hook events around it.

    ``hook_error`` formats a hook failure the way the verb reports it (Helm's texts differ:
    ``failed pre-install: …``, ``pre-upgrade hooks failed: …``); it gets ``event`` and ``error``.
    """

    release: Release
    current: Sequence[Resource]
    target: Sequence[Resource]
    pre_event: str
    post_event: str
    hook_error: str = "{event} hooks failed: {error}"


@dataclass
class PhaseOutcome:
    """How the apply phase ended: the record as it now is (hook runs recorded), what was
    applied, and the error that stopped it (None on success)."""

    release: Release
    applied: SyncResult
    error: HelmliteError | None


def perform(
    config: Config,
    held: HeldLease,
    plan: ReleasePlan,
    *,
    wait: bool,
    timeout: float,
    force: bool = False,
    no_hooks: bool = False,
) -> PhaseOutcome:
    """Pre hooks → apply/delete → ``--wait`` → post hooks, in one backend session.

    Errors a user can cause are caught and returned, so the session still commits what was
    applied (a failed wait does not un-apply anything on a real cluster either) and the
    caller can record the failure.
    """
    rel = plan.release
    applied = SyncResult()
    error: HelmliteError | None = None
    with config.session() as session:
        storage = config.storage(session, rel.namespace)
        held.renew(storage)

        def record(updated: Release) -> None:
            nonlocal rel
            rel = updated
            storage.update(updated)

        def hooks(event: str) -> None:
            if no_hooks:
                return
            try:
                run_hooks(session, rel, event, timeout=timeout, record=record, now=config.clock,
                          field_manager=config.field_manager)
            except HookError as exc:
                raise HookError(plan.hook_error.format(event=event, error=exc)) from None

        try:
            hooks(plan.pre_event)
            sync(session, plan.current, plan.target, release=rel.name, namespace=rel.namespace,
                 field_manager=config.field_manager, force=force, result=applied)
            if wait:
                wait_until_ready(session, plan.target, timeout, output=config.output)
            hooks(plan.post_event)
        except HelmliteError as exc:
            error = exc
    return PhaseOutcome(rel, applied, error)


def cleanup_created(config: Config, namespace: str, created: Sequence[Resource]) -> None:
    """``--cleanup-on-fail``: delete what a failed operation created (it was not there before)."""
    if not created:
        return
    with config.session() as session:
        for res in sort_by_kind(created, UNINSTALL_ORDER):
            try:
                session.delete(res.ref, propagation="Background")
            except ResourceError as exc:
                config.output.warn(f"--cleanup-on-fail could not delete {res.describe()}: {exc}")
