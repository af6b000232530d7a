"""``upgrade``: apply a new chart or new values as the next revision (Helm's ``pkg/action/upgrade.go``).

Revision rules (Helm's): the new revision is last + 1 whatever the last one's status, so a
failed attempt is recorded too; the revision it replaces ("current") is the last one if it
is deployed, else the deployed one, else the last one if it failed or was superseded. A
``pending-*`` last revision means another operation: refused, unless helmlite knows that
operation died (its lease was abandoned), in which case the revision is marked failed and
the upgrade goes ahead. ``--install`` installs when there is no history or the release was
uninstalled with ``--keep-history`` (numbering continues).

Values (Helm's four modes, ``--help`` explains them): ``--reset-values`` uses only the new
flags; ``--reuse-values`` merges the new flags over the previous *computed* values (the new
chart's defaults are ignored); ``--reset-then-reuse-values`` merges the new flags over the
previous *user* values on top of the new chart's defaults; with none of them and no values
given, the previous user values are reused — and helmlite says so on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helmlite.actions.action import (
    Config,
    HeldLease,
    acquire_lease,
    recover_interrupted,
    render_release,
    session_lookup,
    supersede_deployed,
)
from helmlite.actions.apply import ReleasePlan, checked_update, cleanup_created, perform
from helmlite.actions.install import (
    Install,
    check_labels,
    load_chart_reference,
    release_hooks,
)
from helmlite.actions.rollback import Rollback
from helmlite.actions.template import validate_release_name
from helmlite.backends.base import DEFAULT_WAIT_TIMEOUT
from helmlite.chart.model import Chart
from helmlite.errors import HelmliteError
from helmlite.release.history import Storage
from helmlite.release.model import ApplyMethod, Info, Release, Status, chart_to_json
from helmlite.release.storage.driver import (
    SYSTEM_LABELS,
    NoDeployedReleases,
    ReleaseNotFound,
)
from helmlite.repo.resolve import ChartPathOptions
from helmlite.values.options import ValueOptions

__all__ = ["Upgrade", "UpgradeError", "select_current"]

# How many reused value paths the stderr notice names before "…".
_NOTICE_KEYS = 8


class UpgradeError(HelmliteError):
    """An upgrade that cannot go ahead, or one that failed (after the failure is recorded)."""


def select_current(history: list[Release]) -> Release:
    """The revision an upgrade replaces (Helm's rule, module docstring); raises NoDeployedReleases."""
    last = history[-1]
    if last.status is Status.DEPLOYED:
        return last
    deployed = [rel for rel in history if rel.status is Status.DEPLOYED]
    if deployed:
        return deployed[-1]
    if last.status in (Status.FAILED, Status.SUPERSEDED):
        return last
    raise NoDeployedReleases(last.name)


def _leaf_paths(values: dict[str, Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for key in sorted(values, key=str):
        path = f"{prefix}{key}"
        value = values[key]
        if isinstance(value, dict) and value:
            paths.extend(_leaf_paths(value, path + "."))
        else:
            paths.append(path)
    return paths


def _describe_keys(values: dict[str, Any]) -> str:
    paths = _leaf_paths(values)
    shown = ", ".join(paths[:_NOTICE_KEYS])
    return shown + (", …" if len(paths) > _NOTICE_KEYS else "")


@dataclass
class Upgrade:
    """Options of ``helmlite upgrade``; ``run`` returns the new revision's record.

    After ``run``: ``installed`` says whether ``--install`` installed instead, ``previous``
    is the revision the upgrade replaced (for ``--dry-run``'s diff).
    """

    config: Config
    namespace: str | None = None
    values: ValueOptions = field(default_factory=ValueOptions)
    chart_options: ChartPathOptions = field(default_factory=ChartPathOptions)
    install: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    reset_then_reuse_values: bool = False
    history_max: int | None = None
    force_conflicts: bool = False
    cleanup_on_fail: bool = False
    rollback_on_failure: bool = False
    wait: bool = False
    timeout: float = DEFAULT_WAIT_TIMEOUT
    description: str = ""
    labels: dict[str, str | None] = field(default_factory=dict)
    dry_run: str = "none"
    no_hooks: bool = False
    skip_crds: bool = False
    create_namespace: bool = False
    take_ownership: bool = False
    skip_schema_validation: bool = False
    installed: bool = field(default=False, init=False)
    previous: Release | None = field(default=None, init=False)

    @property
    def release_namespace(self) -> str:
        return self.namespace or self.config.namespace

    def run(self, name: str, chart_ref: str, stdin: Any = None) -> Release:
        """Upgrade ``name`` to ``chart_ref`` with the values flags.

        Raises UpgradeError (``"x" has no deployed releases``, a failed apply/hook/wait after
        the failed revision is recorded, the rollback-on-failure outcome), ReleaseError
        (another operation in progress), and chart/values/render errors.
        """
        validate_release_name(name)
        check_labels({k: v for k, v in self.labels.items() if v is not None})
        chart = load_chart_reference(self.config, chart_ref, self.chart_options)
        user_values = self.values.merge(stdin)
        prepared = self._prepare(name, chart, user_values)
        if isinstance(prepared, Release):
            return prepared
        if isinstance(prepared, _InstallInstead):
            self.installed = True
            installer = self._installer(name, replace_uninstalled=prepared.replace)
            return installer.install_chart(chart, user_values, lease=prepared.held)
        plan, held = prepared
        return self._finish(plan, held)

    def _installer(self, name: str, *, replace_uninstalled: bool = False) -> Install:
        return Install(
            self.config, release_name=name, namespace=self.release_namespace, create_namespace=self.create_namespace,
            dry_run=self.dry_run, wait=self.wait, timeout=self.timeout, rollback_on_failure=self.rollback_on_failure,
            description=self.description, labels={k: v for k, v in self.labels.items() if v is not None},
            replace=replace_uninstalled, skip_crds=self.skip_crds, no_hooks=self.no_hooks,
            take_ownership=self.take_ownership, force_conflicts=self.force_conflicts,
            skip_schema_validation=self.skip_schema_validation,
        )

    # --- step 1 ----------------------------------------------------------------------

    def _prepare(self, name: str, chart: Chart, user_values: dict[str, Any]) -> Any:
        from helmlite.render.context import ReleaseInfo
        from helmlite.render.manifests import release_manifest

        config, ns = self.config, self.release_namespace
        # Both dry-run modes read the release and the cluster (an upgrade has to compare with
        # something); neither writes.
        dry_run = self.dry_run != "none"
        with config.session() as session:
            storage = config.storage(session, ns, history_max=self.history_max)
            held: HeldLease | None = None
            try:
                if dry_run:
                    history = _history(storage, name)
                else:
                    held, abandoned = acquire_lease(config, storage, name, "upgrade")
                    history = recover_interrupted(storage, name, abandoned, unleased_ok=False)
                if not history or history[-1].status is Status.UNINSTALLED:
                    if not self.install:
                        raise NoDeployedReleases(name)
                    result = _InstallInstead(held, replace=bool(history))
                    held = None  # handed over to the install
                    return result
                current = select_current(history)
                values = self._values(current, chart, user_values)
                revision = history[-1].version + 1
                info = ReleaseInfo(name=name, namespace=ns, revision=revision, is_install=False, is_upgrade=True)
                rendered = render_release(
                    chart, values, release=info, capabilities=session.capabilities(),
                    lookup=session_lookup(session), skip_schema_validation=self.skip_schema_validation,
                    warn=config.output.warn,
                )
                now = config.clock()
                rel = Release(
                    name=name,
                    namespace=ns,
                    version=revision,
                    info=Info(status=Status.PENDING_UPGRADE, description="Preparing upgrade",
                              first_deployed=current.info.first_deployed, last_deployed=now, notes=rendered.notes),
                    chart=chart_to_json(chart),
                    config=values,
                    manifest=release_manifest(rendered.manifests),
                    hooks=release_hooks(rendered.hooks),
                    apply_method=ApplyMethod.SERVER_SIDE,
                    labels=self._merged_labels(current),
                )
                old, new = checked_update(session, current, rel, verb="update", field_manager=config.field_manager,
                                          force=self.force_conflicts, take_ownership=self.take_ownership,
                                          take_over=not dry_run)
                self.previous = current
                if dry_run:
                    return rel.with_status(Status.PENDING_UPGRADE, self.description or "Dry run complete")
                storage.create(rel)
            except BaseException:
                if held is not None:
                    held.release(storage)
                raise
        assert held is not None
        return ReleasePlan(rel, old, new, "pre-upgrade", "post-upgrade"), held

    def _values(self, current: Release, chart: Chart, user_values: dict[str, Any]) -> dict[str, Any]:
        """Helm's ``reuseValues``: which user values the new revision records (module docstring).

        ``--reuse-values`` also replaces the new chart's defaults by the previous computed
        values, as Helm does.
        """
        from helmlite.values.coalesce import coalesce_tables

        previous = current.config
        if self.reset_values:
            return user_values
        if self.reuse_values:
            stored = current.chart.get("values")
            old_defaults: dict[str, Any] = stored if isinstance(stored, dict) else {}
            chart.values = coalesce_tables(previous, old_defaults)
            if previous:
                self.config.output.info(
                    f"reusing the computed values of revision {current.version} (--reuse-values; the new chart's "
                    f"defaults are ignored): {_describe_keys(previous)}"
                )
            return coalesce_tables(user_values, previous)
        if self.reset_then_reuse_values:
            if previous:
                self.config.output.info(
                    f"reusing the user-supplied values of revision {current.version} under the new ones "
                    f"(--reset-then-reuse-values): {_describe_keys(previous)}"
                )
            return coalesce_tables(user_values, previous)
        if not user_values and previous:
            self.config.output.info(
                f"no values given: reusing the user-supplied values of revision {current.version} "
                f"({_describe_keys(previous)}); pass --reset-values to use only the chart's defaults"
            )
            return dict(previous)
        return user_values

    def _merged_labels(self, current: Release) -> dict[str, str]:
        """The previous revision's user labels with ``--labels`` merged in (``null`` removes one)."""
        merged = {k: v for k, v in current.labels.items() if k not in SYSTEM_LABELS}
        for key, value in self.labels.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    # --- steps 2 and 3 ---------------------------------------------------------------

    def _finish(self, plan: ReleasePlan, held: HeldLease) -> Release:
        config, name, ns = self.config, plan.release.name, plan.release.namespace
        wait = self.wait or self.rollback_on_failure
        outcome = perform(config, held, plan, wait=wait, timeout=self.timeout, force=self.force_conflicts,
                          no_hooks=self.no_hooks)
        rel = outcome.release
        if outcome.error is not None and self.cleanup_on_fail:
            cleanup_created(config, ns, outcome.applied.created)
        with config.session() as session:
            storage = config.storage(session, ns)
            if outcome.error is None:
                supersede_deployed(storage, name, rel.version)
                done = rel.with_status(Status.DEPLOYED, self.description or "Upgrade complete")
                storage.update(done)
                held.release(storage)
                return done
            storage.update(rel.with_status(Status.FAILED, f'Upgrade "{name}" failed: {outcome.error}'))
            if not self.rollback_on_failure:
                held.release(storage)
        if not self.rollback_on_failure:
            raise UpgradeError(str(outcome.error)) from outcome.error
        rollback = Rollback(config, namespace=ns, wait=True, timeout=self.timeout, no_hooks=self.no_hooks,
                            force_conflicts=self.force_conflicts, cleanup_on_fail=self.cleanup_on_fail,
                            history_max=self.history_max)
        try:
            rollback.rollback_held(name, held)
        except HelmliteError as exc:
            raise UpgradeError(
                f"an error occurred while rolling back the release. original upgrade error: {outcome.error}: {exc}"
            ) from exc
        raise UpgradeError(
            f"release {name} failed, and has been rolled back due to rollback-on-failure being set: {outcome.error}"
        ) from outcome.error


@dataclass
class _InstallInstead:
    """``upgrade --install`` found nothing to upgrade: install, with the lease already held."""

    held: HeldLease | None
    replace: bool


def _history(storage: Storage, name: str) -> list[Release]:
    """Every revision of ``name``, ``[]`` when there is none (a dry run reads without the lease)."""
    try:
        return storage.history(name)
    except ReleaseNotFound:
        return []
