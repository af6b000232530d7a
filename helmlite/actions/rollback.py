"""``rollback``: re-deploy an earlier revision as a new one (Helm's ``pkg/action/rollback.go``).

The new revision (last + 1) copies the target's chart, values, manifest and hooks, with
description ``Rollback to N`` and ``info.rollback_revision = N``. Without a revision helmlite
goes to the newest *successful* (deployed or superseded) revision before the current one;
Helm goes to current − 1 even when that one failed, which re-applies a broken revision and
can leave no deployed revision at all.

Like Helm, rollback goes ahead over a ``pending-*`` revision: it is how a release stuck by a
dead operation is recovered (the dead revision is marked ``failed``). A live operation's
lease is still respected.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helmlite.actions.action import (
    Config,
    HeldLease,
    acquire_lease,
    recover_interrupted,
    supersede_deployed,
)
from helmlite.actions.apply import ReleasePlan, checked_update, cleanup_created, perform
from helmlite.backends.base import DEFAULT_WAIT_TIMEOUT
from helmlite.errors import HelmliteError
from helmlite.release.model import HookExecution, Info, Release, Status

__all__ = ["MAX_DESCRIPTION_RUNES", "SUCCESSFUL", "Rollback", "rollback_target"]

# Helm refuses longer --description values on rollback.
MAX_DESCRIPTION_RUNES = 256
# A revision that was deployed at some point and not replaced by a failure.
SUCCESSFUL = (Status.DEPLOYED, Status.SUPERSEDED)


class RollbackError(HelmliteError):
    """A rollback that cannot go ahead or failed."""


def rollback_target(history: list[Release], revision: int) -> Release:
    """The revision to roll back to: ``revision`` itself, or (0) the newest successful revision
    before the last one. Raises RollbackError (``release has no 9 version`` as Helm, or no
    successful revision to go back to)."""
    last = history[-1]
    if revision:
        for rel in history:
            if rel.version == revision:
                return rel
        raise RollbackError(f"release has no {revision} version")
    for rel in reversed(history[:-1]):
        if rel.status in SUCCESSFUL:
            return rel
    raise RollbackError(
        f'release "{last.name}" has no successful revision before revision {last.version} to roll back to'
    )


@dataclass
class Rollback:
    """Options of ``helmlite rollback``; ``run`` returns the new revision's record."""

    config: Config
    namespace: str | None = None
    wait: bool = False
    timeout: float = DEFAULT_WAIT_TIMEOUT
    dry_run: bool = False
    no_hooks: bool = False
    force_conflicts: bool = False
    cleanup_on_fail: bool = False
    history_max: int | None = None
    description: str = ""

    @property
    def release_namespace(self) -> str:
        return self.namespace or self.config.namespace

    def run(self, name: str, revision: int = 0) -> Release:
        """Roll ``name`` back to ``revision`` (0: the newest successful one before the current).

        Raises ReleaseNotFound, RollbackError, OperationInProgress, and RollbackError wrapping
        the apply/hook/wait failure after it is recorded.
        """
        if len(self.description) > MAX_DESCRIPTION_RUNES:
            raise RollbackError(f"description must be {MAX_DESCRIPTION_RUNES} characters or less")
        if self.dry_run:
            with self.config.session() as session:
                history = self.config.storage(session, self.release_namespace).history(name)
                target = rollback_target(history, revision)
                return self._record(history[-1], target)
        with self.config.session() as session:
            storage = self.config.storage(session, self.release_namespace)
            held, abandoned = acquire_lease(self.config, storage, name, "rollback")
            try:
                recover_interrupted(storage, name, abandoned, unleased_ok=True)
            except BaseException:
                held.release(storage)
                raise
        return self.rollback_held(name, held, revision)

    def rollback_held(self, name: str, held: HeldLease, revision: int = 0) -> Release:
        """Roll back with the lease already held (``upgrade --rollback-on-failure``); the lease
        is given back at the end. Raises like ``run``."""
        config, ns = self.config, self.release_namespace
        with config.session() as session:
            storage = config.storage(session, ns, history_max=self.history_max)
            try:
                history = storage.history(name)
                current = history[-1]
                target = rollback_target(history, revision)
                rel = self._record(current, target)
                old, new = checked_update(session, current, rel, verb="rollback", field_manager=config.field_manager,
                                          force=self.force_conflicts, take_ownership=False, take_over=True)
                storage.create(rel)
            except BaseException:
                held.release(storage)
                raise
        plan = ReleasePlan(rel, old, new, "pre-rollback", "post-rollback")
        outcome = perform(config, held, plan, wait=self.wait, timeout=self.timeout, force=self.force_conflicts,
                          no_hooks=self.no_hooks)
        rel = outcome.release
        if outcome.error is not None and self.cleanup_on_fail:
            cleanup_created(config, ns, outcome.applied.created)
        with config.session() as session:
            storage = config.storage(session, ns)
            if outcome.error is None:
                supersede_deployed(storage, name, rel.version)
                rel = rel.with_status(Status.DEPLOYED, rel.info.description)
            else:
                rel = rel.with_status(Status.FAILED, f'Rollback "{name}" failed: {outcome.error}')
            storage.update(rel)
            held.release(storage)
        if outcome.error is not None:
            raise RollbackError(str(outcome.error)) from outcome.error
        return rel

    def _record(self, current: Release, target: Release) -> Release:
        """The pending-rollback record: the target's content as revision ``current + 1``."""
        now = self.config.clock()
        return replace(
            target,
            version=current.version + 1,
            info=Info(
                status=Status.PENDING_ROLLBACK,
                description=self.description or f"Rollback to {target.version}",
                first_deployed=current.info.first_deployed,
                last_deployed=now,
                notes=target.info.notes,
                rollback_revision=target.version,
            ),
            hooks=tuple(replace(h, last_run=HookExecution()) for h in target.hooks),
            labels=dict(target.labels),
        )
