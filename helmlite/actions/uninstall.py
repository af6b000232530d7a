"""``uninstall``: delete a release's resources and its history (Helm's ``pkg/action/uninstall.go``).

Sessions: (1) lease, record ``uninstalling``; (2) pre-delete hooks, delete the resources in
uninstall order (sparing ``helm.sh/resource-policy: keep`` and objects another release
owns), ``--wait`` for them to go, post-delete hooks, then delete the objects the hooks left
behind (helmlite's addition: Helm leaves them); (3) purge the records, or with
``--keep-history`` mark the last one ``uninstalled``; give the lease back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from helmlite.actions.action import (
    Config,
    HeldLease,
    acquire_lease,
    recover_interrupted,
    supersede_deployed,
)
from helmlite.actions.apply import (
    CASCADE_POLICIES,
    HookError,
    Resource,
    SyncResult,
    build_resources,
    delete_hook_objects,
    delete_resources,
    run_hooks,
)
from helmlite.backends.base import DEFAULT_WAIT_TIMEOUT
from helmlite.errors import HelmliteError
from helmlite.release.history import Storage
from helmlite.release.model import Release, Status
from helmlite.release.storage.driver import ReleaseNotFound

__all__ = ["Uninstall", "UninstallResult"]


class UninstallError(HelmliteError):
    """An uninstall that could not finish."""


@dataclass
class UninstallResult:
    """What ``uninstall`` did: the last record (``uninstalled`` when history is kept), the
    resources kept by policy, those left because another release owns them, and the hook
    objects removed. ``release`` is None when ``--ignore-not-found`` found nothing."""

    release: Release | None
    kept: list[Resource] = field(default_factory=list)
    not_owned: list[Resource] = field(default_factory=list)
    hooks_removed: list[str] = field(default_factory=list)


@dataclass
class Uninstall:
    """Options of ``helmlite uninstall``; ``run`` uninstalls one release."""

    config: Config
    namespace: str | None = None
    keep_history: bool = False
    cascade: str = "background"
    wait: bool = False
    timeout: float = DEFAULT_WAIT_TIMEOUT
    ignore_not_found: bool = False
    no_hooks: bool = False
    dry_run: bool = False
    description: str = ""

    @property
    def release_namespace(self) -> str:
        return self.namespace or self.config.namespace

    def run(self, name: str) -> UninstallResult:
        """Uninstall ``name``.

        Raises ReleaseNotFound (``release: not found``) unless ``ignore_not_found``,
        UninstallError (``the release named "x" is already deleted`` when it is uninstalled and
        ``keep_history`` is asked again, hook failures), OperationInProgress.
        """
        if self.cascade not in CASCADE_POLICIES:
            raise UninstallError(f'invalid cascade value ({self.cascade}). Must be "background", "foreground", or "orphan"')
        config, ns = self.config, self.release_namespace
        with config.session() as session:
            storage = config.storage(session, ns)
            if self.dry_run:
                try:
                    return UninstallResult(storage.last(name))
                except ReleaseNotFound:
                    if self.ignore_not_found:
                        return UninstallResult(None)
                    raise
            held, abandoned = acquire_lease(config, storage, name, "uninstall")
            try:
                history = recover_interrupted(storage, name, abandoned, unleased_ok=True)
                if not history:
                    held.release(storage)
                    if self.ignore_not_found:
                        return UninstallResult(None)
                    raise ReleaseNotFound()
                last = history[-1]
                if last.status is Status.UNINSTALLED:
                    if self.keep_history:
                        raise UninstallError(f'the release named "{name}" is already deleted')
                    _purge(storage, history)
                    held.release(storage)
                    return UninstallResult(last)
            except BaseException:
                held.release(storage)
                raise
        return self.uninstall_held(name, held)

    def uninstall_held(self, name: str, held: HeldLease) -> UninstallResult:
        """Uninstall ``name`` with its lease already held (also ``install --rollback-on-failure``);
        the lease is given back at the end. Raises like ``run``."""
        config, ns = self.config, self.release_namespace
        with config.session() as session:
            storage = config.storage(session, ns)
            history = storage.history(name)
            previous = history[-1]
            rel = replace(previous, info=replace(previous.info, deleted=config.clock()))
            rel = rel.with_status(Status.UNINSTALLING, "Deletion in progress (or silently failed)")
            storage.update(rel)
        outcome = SyncResult()
        hooks_removed: list[str] = []
        error: HelmliteError | None = None
        hook_error = False
        with config.session() as session:
            storage = config.storage(session, ns)
            held.renew(storage)

            def record(updated: Release) -> None:
                nonlocal rel
                rel = updated
                storage.update(updated)

            try:
                if not self.no_hooks:
                    try:
                        run_hooks(session, rel, "pre-delete", timeout=self.timeout, record=record, now=config.clock,
                                  field_manager=config.field_manager)
                    except HookError:
                        hook_error = True
                        raise
                resources = build_resources(session, rel.manifest, ns)
                delete_resources(session, resources, release=name, namespace=ns,
                                 propagation=CASCADE_POLICIES[self.cascade], result=outcome)
                if self.wait:
                    session.wait_deleted([r.ref for r in outcome.deleted], self.timeout).raise_for_status()
                if not self.no_hooks:
                    run_hooks(session, rel, "post-delete", timeout=self.timeout, record=record, now=config.clock,
                              field_manager=config.field_manager)
                hooks_removed = delete_hook_objects(session, rel)
            except HelmliteError as exc:
                error = exc
        with config.session() as session:
            storage = config.storage(session, ns)
            if hook_error:
                # Nothing was deleted: the release is as it was before the attempt.
                restored = replace(rel, info=previous.info)
                storage.update(restored)
                held.release(storage)
                raise UninstallError(str(error)) from error
            done = rel.with_status(Status.UNINSTALLED, self.description or "Uninstallation complete")
            if self.keep_history:
                supersede_deployed(storage, name, done.version)
                storage.update(done)
            else:
                _purge(storage, storage.history(name))
            held.release(storage)
        if error is not None:
            raise UninstallError(f"uninstallation completed with 1 error(s): {error}") from error
        return UninstallResult(done, outcome.kept, outcome.not_owned, hooks_removed)


def _purge(storage: Storage, history: list[Release]) -> None:
    """Delete every record of the release (a concurrent prune may have removed some already)."""
    for rel in history:
        try:
            storage.delete(rel.name, rel.version)
        except ReleaseNotFound:
            continue
