"""``install``: render a chart and apply it as revision 1 of a new release (Helm's ``pkg/action/install.go``).

The operation runs in three backend sessions, so a crash anywhere leaves committed,
recoverable state and concurrent operations see each other's leases:

1. take the release's lease, check the name, install ``crds/``, render, check ownership and
   run a server-side dry run of every object, record ``pending-install``;
2. pre-install hooks, apply, ``--wait``, post-install hooks (``apply.perform``);
3. record ``deployed``/``failed`` and give the lease back.

``--dry-run=client`` renders without a cluster (memory storage, default capabilities);
``--dry-run=server`` does step 1's checks against the cluster and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from helmlite.actions.action import (
    Config,
    HeldLease,
    acquire_lease,
    recover_interrupted,
    render_release,
    session_lookup,
)
from helmlite.actions.apply import (
    ReleasePlan,
    Resource,
    build_resources,
    check_adoption,
    perform,
    precheck,
    stamp_ownership,
)
from helmlite.actions.managedfields import OwnershipMoveError, move_ownership
from helmlite.actions.template import validate_release_name
from helmlite.backends.base import (
    DEFAULT_WAIT_TIMEOUT,
    ResourceError,
    ResourceRef,
    Session,
)
from helmlite.chart.model import Chart
from helmlite.errors import HelmliteError
from helmlite.release.model import (
    ApplyMethod,
    Hook,
    Info,
    Release,
    Status,
    chart_to_json,
)
from helmlite.release.storage.driver import SYSTEM_LABELS
from helmlite.repo.resolve import ChartPathOptions
from helmlite.values.options import ValueOptions

__all__ = ["CRD_ESTABLISH_TIMEOUT", "DRY_RUN_MODES", "Install", "InstallError", "check_labels", "load_chart_reference", "release_hooks"]

# --dry-run values: "none" is a real run; a bare --dry-run means "client", as in Helm.
DRY_RUN_MODES = ("none", "client", "server")
# Helm waits a fixed 60 s for CRDs from crds/ to be Established, whatever --timeout says.
CRD_ESTABLISH_TIMEOUT = 60.0


class InstallError(HelmliteError):
    """An install that cannot go ahead (the name is taken, the chart cannot be applied)."""


def check_labels(labels: dict[str, Any]) -> None:
    """Refuse ``--labels`` that use the storage drivers' own names (Helm's message)."""
    if any(key in SYSTEM_LABELS for key in labels):
        raise InstallError(
            "user supplied labels contains system reserved label name. "
            "System labels: [name owner status version createdAt modifiedAt]"
        )


def load_chart_reference(config: Config, chart_ref: str, options: ChartPathOptions) -> Chart:
    """Load a chart given as a path, ``repo/chart``, a URL or a name with ``--repo`` (as ``template``)."""
    from helmlite.chart.loader import load_chart
    from helmlite.repo.resolve import locate_chart

    return load_chart(locate_chart(chart_ref, options, warn=config.output.warn))


@dataclass
class Install:
    """Options of ``helmlite install``; ``run`` installs and returns the release record.

    ``namespace`` defaults to the config's. ``wait`` is implied by ``rollback_on_failure``,
    as in Helm.
    """

    config: Config
    release_name: str = ""
    namespace: str | None = None
    values: ValueOptions = field(default_factory=ValueOptions)
    chart_options: ChartPathOptions = field(default_factory=ChartPathOptions)
    create_namespace: bool = False
    dry_run: str = "none"
    wait: bool = False
    timeout: float = DEFAULT_WAIT_TIMEOUT
    rollback_on_failure: bool = False
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    replace: bool = False
    skip_crds: bool = False
    no_hooks: bool = False
    take_ownership: bool = False
    force_conflicts: bool = False
    skip_schema_validation: bool = False

    @property
    def release_namespace(self) -> str:
        return self.namespace or self.config.namespace

    def run(self, chart_ref: str, stdin: Any = None) -> Release:
        """Install ``chart_ref`` as ``release_name``.

        Returns the final record (``deployed``; ``pending-install``/"Dry run complete" for a
        dry run). Raises HelmliteError subclasses: an invalid or taken name, an unusable
        chart or values, OperationInProgress, ApplyError/HookError/WaitError wrapped in
        InstallError after the failure is recorded (or the release removed with
        ``rollback_on_failure``).
        """
        validate_release_name(self.release_name)
        check_labels(self.labels)
        chart = load_chart_reference(self.config, chart_ref, self.chart_options)
        return self.install_chart(chart, self.values.merge(stdin))

    def install_chart(self, chart: Chart, user_values: dict[str, Any], *, lease: HeldLease | None = None) -> Release:
        """Install an already loaded chart with ``user_values``; ``lease``: one the caller holds
        (``upgrade --install``) and hands over (it is given back here), else the lease is taken
        here. See ``run``."""
        if self.dry_run == "client":
            return self._client_dry_run(chart, user_values)
        prepared = self._prepare(chart, user_values, lease)
        if isinstance(prepared, Release):
            return prepared
        plan, held = prepared
        return self._finish(plan, held)

    # --- step 1 ----------------------------------------------------------------------

    def _client_dry_run(self, chart: Chart, user_values: dict[str, Any]) -> Release:
        """Render with no cluster at all, as Helm's client dry run (default capabilities)."""
        from helmlite.render.context import ReleaseInfo

        info = ReleaseInfo(name=self.release_name, namespace=self.release_namespace)
        rendered = render_release(
            chart, user_values, release=info, capabilities=self.config.capabilities, lookup=None,
            skip_schema_validation=self.skip_schema_validation, warn=self.config.output.warn,
        )
        rel = _record(self, chart, user_values, rendered, revision=1)
        return rel.with_status(Status.PENDING_INSTALL, self.description or "Dry run complete")

    def _prepare(
        self, chart: Chart, user_values: dict[str, Any], lease: HeldLease | None
    ) -> Release | tuple[ReleasePlan, HeldLease]:
        from helmlite.render.context import ReleaseInfo

        config, name, ns = self.config, self.release_name, self.release_namespace
        dry_run = self.dry_run == "server"
        with config.session() as session:
            storage = config.storage(session, ns)
            held: HeldLease | None = lease
            try:
                history = []
                # A dry run reads no history, takes no lease and neither creates nor needs the
                # namespace: Helm's returns before any of it.
                if not dry_run:
                    # The namespace first: with the secret driver the lease and the records live in it.
                    if self.create_namespace:
                        _ensure_namespace(session, ns, config.field_manager)
                    elif session.get(ResourceRef("v1", "Namespace", "", ns)) is None:
                        # Helm's secret driver fails here too, before anything is recorded.
                        raise InstallError(f'create: failed to create: namespaces "{ns}" not found')
                    if held is None:
                        held, abandoned = acquire_lease(config, storage, name, "install")
                        history = recover_interrupted(storage, name, abandoned, unleased_ok=False)
                    else:
                        history = recover_interrupted(storage, name, None, unleased_ok=True)
                replaced = history[-1] if history else None
                if replaced is not None and not (self.replace and replaced.status in (Status.UNINSTALLED, Status.FAILED)):
                    raise InstallError("release name check failed: cannot reuse a name that is still in use")
                revision = replaced.version + 1 if replaced is not None else 1
                if not dry_run and not self.skip_crds:
                    _install_crds(session, chart, ns, config.field_manager)
                info = ReleaseInfo(name=name, namespace=ns, revision=revision)
                rendered = render_release(
                    chart, user_values, release=info, capabilities=session.capabilities(),
                    lookup=session_lookup(session), skip_schema_validation=self.skip_schema_validation,
                    warn=config.output.warn,
                )
                rel = _record(self, chart, user_values, rendered, revision=revision)
                target = stamp_ownership(build_resources(session, rel.manifest, ns), name, ns)
                check_adoption(session, target, name, ns, verb="install", take_ownership=self.take_ownership)
                precheck(session, target, field_manager=config.field_manager, force=self.force_conflicts,
                         take_over=not dry_run)
                if dry_run:
                    return rel.with_status(Status.PENDING_INSTALL, self.description or "Dry run complete")
                if replaced is not None and replaced.status is not Status.FAILED:
                    storage.update(replaced.with_status(Status.SUPERSEDED, "superseded by new release"))
                storage.create(rel, prune=False)
            except BaseException:
                # A lease handed over by the caller is ours to give back too.
                if held is not None:
                    held.release(storage)
                raise
        assert held is not None
        plan = ReleasePlan(rel, [], target, "pre-install", "post-install", hook_error="failed {event}: {error}")
        return plan, held

    # --- steps 2 and 3 ---------------------------------------------------------------

    def _finish(self, plan: ReleasePlan, held: HeldLease) -> Release:
        config = self.config
        wait = self.wait or self.rollback_on_failure
        outcome = perform(config, held, plan, wait=wait, timeout=self.timeout, force=self.force_conflicts,
                          no_hooks=self.no_hooks)
        rel = outcome.release
        with config.session() as session:
            storage = config.storage(session, rel.namespace)
            if outcome.error is None:
                done = rel.with_status(Status.DEPLOYED, self.description or "Install complete")
                storage.update(done)
                held.release(storage)
                return done
            failed = rel.with_status(Status.FAILED, f'Release "{rel.name}" failed: {outcome.error}')
            storage.update(failed)
            if not self.rollback_on_failure:
                held.release(storage)
        if not self.rollback_on_failure:
            raise InstallError(str(outcome.error)) from outcome.error
        from helmlite.actions.uninstall import Uninstall

        try:
            Uninstall(config, namespace=rel.namespace, timeout=self.timeout, no_hooks=self.no_hooks).uninstall_held(
                rel.name, held)
        except HelmliteError as exc:
            raise InstallError(
                f"an error occurred while uninstalling the release. original install error: {outcome.error}: {exc}"
            ) from exc
        raise InstallError(
            f"release {rel.name} failed, and has been uninstalled due to rollback-on-failure being set: {outcome.error}"
        ) from outcome.error


def _record(action: Install, chart: Chart, user_values: dict[str, Any], rendered: Any, *, revision: int) -> Release:
    """The pending-install record of a rendered chart (Helm's ``createRelease``)."""
    from helmlite.render.manifests import release_manifest

    now = action.config.clock()
    return Release(
        name=action.release_name,
        namespace=action.release_namespace,
        version=revision,
        info=Info(
            status=Status.PENDING_INSTALL,
            description="Initial install underway",
            first_deployed=now,
            last_deployed=now,
            notes=rendered.notes,
        ),
        chart=chart_to_json(chart),
        config=user_values,
        manifest=release_manifest(rendered.manifests),
        hooks=release_hooks(rendered.hooks),
        apply_method=ApplyMethod.SERVER_SIDE,
        labels=dict(action.labels),
    )


def release_hooks(rendered: Iterable[Any]) -> tuple[Hook, ...]:
    """Rendered hooks (``render.manifests.Hook``) as release record hooks, not run yet."""
    return tuple(
        Hook(
            name=hook.name,
            kind=hook.kind,
            path=hook.path,
            manifest=hook.manifest,
            events=hook.events,
            weight=hook.weight,
            delete_policies=hook.delete_policies,
            output_log_policies=hook.output_log_policies,
        )
        for hook in rendered
    )


def _ensure_namespace(session: Session, namespace: str, field_manager: str) -> None:
    """``--create-namespace``: the namespace with Helm's ``name`` label, unless it exists."""
    if session.get(ResourceRef("v1", "Namespace", "", namespace)) is None:
        session.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {"name": namespace}}},
                      field_manager=field_manager)


def _install_crds(session: Session, chart: Chart, namespace: str, field_manager: str) -> list[Resource]:
    """Apply the chart tree's ``crds/`` files (server-side apply as ``field_manager``, as Helm v4;
    a CRD Helm applied is taken over first, like the release's objects) and wait until they
    are Established. Raises InstallError when one is refused or never established."""
    from helmlite.actions.action import crd_manifests
    from helmlite.render.manifests import release_manifest

    manifests = crd_manifests(chart)
    if not manifests:
        return []
    crds = build_resources(session, release_manifest(manifests), namespace)
    for res in crds:
        not_moved = ""
        try:
            move_ownership(session, res.ref, field_manager)
        except OwnershipMoveError as exc:
            not_moved = f" ({exc})"  # it matters only if the apply then conflicts with Helm's fields
        try:
            session.apply(res.obj, field_manager=field_manager)
        except ResourceError as exc:
            raise InstallError(f"failed to install CRD {res.source}: {exc}{not_moved}") from None
    result = session.wait_ready([r.ref for r in crds], CRD_ESTABLISH_TIMEOUT)
    if not result.ready:
        raise InstallError(f"CRDs from crds/ were not established: {result.message()}")
    return crds
