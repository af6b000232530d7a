"""What every action shares: the injected ``Config`` and the one render pipeline.

Like Helm's ``pkg/action/action.go``: ``template``, ``install --dry-run``, ``install`` and
``lint`` all turn a chart plus user values into manifests through ``render_release``, so
they can never disagree about what a chart renders to. ``Config`` also says where releases
are applied (``backend``) and recorded (``driver``), and builds the release ``Storage`` for a
backend session, so the records of the default ``secret`` driver live in the very cluster
(and the very transaction) the resources are applied to.

``template`` imports this module for the render pipeline and builds only a ``RenderConfig``,
so the release machinery (storage drivers, sqlite3, leases, backends) is imported where it is
first used, never at module level.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helmlite.chart.model import Chart
from helmlite.errors import HelmliteError, IncompatibleChartError
from helmlite.output import Output
from helmlite.render.capabilities import Capabilities

if TYPE_CHECKING:
    from helmlite.backends.base import Backend, Session
    from helmlite.release.history import Storage
    from helmlite.release.lock import LeaseHolder, OperationLease
    from helmlite.release.model import Release, Timestamp
    from helmlite.release.storage.driver import Driver
    from helmlite.release.storage.memory import MemoryDriver
    from helmlite.release.storage.sql import SQLDriver

__all__ = [
    "DEFAULT_DRIVER",
    "DRIVERS",
    "FIELD_MANAGER_ENV",
    "SQL_CONNECTION_ENV",
    "Config",
    "RenderConfig",
    "RenderedRelease",
    "check_chart_usable",
    "crd_manifests",
    "crd_sources",
    "default_field_manager",
    "normalize_driver",
    "render_release",
    "session_lookup",
    "supersede_deployed",
]

Lookup = Callable[[str, str, str, str], dict[str, Any]]

# --driver / HELMLITE_DRIVER values (Helm's HELM_DRIVER, including its plural spellings).
DRIVERS = ("secret", "configmap", "memory", "sql")
DEFAULT_DRIVER = "secret"
_DRIVER_ALIASES = {"": DEFAULT_DRIVER, "secrets": "secret", "configmaps": "configmap"}
SQL_CONNECTION_ENV = "HELMLITE_DRIVER_SQL_CONNECTION_STRING"
# Who applies: HELMLITE_FIELD_MANAGER=helm makes helmlite's applies indistinguishable from
# Helm's, so the real Helm can upgrade a helmlite release without field-manager conflicts.
FIELD_MANAGER_ENV = "HELMLITE_FIELD_MANAGER"


def default_field_manager() -> str:
    """The server-side apply field manager: ``$HELMLITE_FIELD_MANAGER``, else ``helmlite``."""
    from helmlite.backends.base import DEFAULT_FIELD_MANAGER

    return os.environ.get(FIELD_MANAGER_ENV, "").strip() or DEFAULT_FIELD_MANAGER


# Config's release defaults live with the release code; they are looked up when a Config is
# built (by release commands, which load that code anyway), not when this module is imported.
def _default_history_max() -> int:
    from helmlite.release.history import DEFAULT_MAX_HISTORY

    return DEFAULT_MAX_HISTORY


def _default_lease_ttl() -> float:
    from helmlite.release.lock import DEFAULT_LEASE_TTL_SECONDS

    return DEFAULT_LEASE_TTL_SECONDS


def _default_clock() -> Callable[[], Timestamp]:
    from helmlite.release.model import Timestamp

    return Timestamp.now


@dataclass
class RenderConfig:
    """What rendering needs from outside: where to print (warnings), what the cluster looks
    like, and how templates' ``lookup`` reads it (None: every lookup finds nothing).

    ``template`` builds just this; every other action takes the full ``Config``.
    """

    output: Output = field(default_factory=Output)
    capabilities: Capabilities = field(default_factory=Capabilities)
    lookup: Lookup | None = None


@dataclass
class Config(RenderConfig):
    """Everything an action needs from outside: a ``RenderConfig`` plus where releases are
    applied (``backend``) and recorded (``driver`` in ``namespace``).

    Tests build it directly (``Config(backend=SimulatorBackend.in_memory(), driver="memory")``);
    the CLI builds it from flags. ``history_max`` is ``--history-max`` for the actions that
    prune (upgrade, rollback); ``lease_ttl`` bounds how long a dead operation's lease can block
    a release held from another host; ``field_manager`` is who server-side applies the
    release's objects (and takes over Helm's ownership of them: ``actions.managedfields``).
    """

    backend: Backend | None = None
    namespace: str = "default"
    driver: str = DEFAULT_DRIVER
    history_max: int = field(default_factory=_default_history_max)
    sql_connection: str = ""
    lease_ttl: float = field(default_factory=_default_lease_ttl)
    field_manager: str = field(default_factory=default_field_manager)
    # When revisions are stamped (first/last deployed, deleted, hook runs): Helm's wall clock.
    clock: Callable[[], Timestamp] = field(default_factory=_default_clock)
    # The memory driver's records and the SQL connections outlive one session (the memory
    # driver would otherwise forget everything between the sessions of one operation).
    _memory: MemoryDriver | None = field(default=None, init=False, repr=False)
    _sql: dict[str, SQLDriver] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.driver = normalize_driver(self.driver)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A backend session (see ``helmlite.backends.base``).

        Raises HelmliteError when no backend is configured, BackendUnavailable when the
        cluster cannot be opened.
        """
        if self.backend is None:
            raise HelmliteError("no cluster backend is configured for this command")
        with self.backend.session() as session:
            yield session

    def driver_for(self, session: Session | None, namespace: str | None = None) -> Driver:
        """The release-record driver reading ``namespace`` (``""``: every namespace).

        ``secret`` and ``configmap`` keep the records as objects of ``session``'s cluster, so
        they need a session; ``memory`` and ``sql`` do not. Raises HelmliteError for a
        cluster-backed driver without a session, SQLStorageError when the SQL store cannot
        be opened.
        """
        from helmlite.release.storage.memory import MemoryDriver
        from helmlite.release.storage.objects import ConfigMapDriver, SecretDriver

        ns = self.namespace if namespace is None else namespace
        if self.driver == "memory":
            if self._memory is None:
                self._memory = MemoryDriver("default")
            return self._memory.for_namespace(ns)
        if self.driver == "sql":
            return self._sql_driver(ns)
        if session is None:
            raise HelmliteError(f"the {self.driver} release driver needs a cluster backend")
        client = session.object_client()
        return SecretDriver(client, ns) if self.driver == "secret" else ConfigMapDriver(client, ns)

    def storage(self, session: Session | None, namespace: str | None = None, *, history_max: int | None = None) -> Storage:
        """Release history over ``driver_for(session, namespace)`` with ``history_max`` pruning."""
        from helmlite.release.history import Storage

        keep = self.history_max if history_max is None else history_max
        return Storage(self.driver_for(session, namespace), max_history=keep)

    @contextmanager
    def reading(self, namespace: str | None = None) -> Iterator[Storage]:
        """Storage for read-only commands (history, list, get): the cluster is opened only
        when the records live in it (``secret``/``configmap``)."""
        if self.driver in ("memory", "sql"):
            yield self.storage(None, namespace)
            return
        with self.session() as session:
            yield self.storage(session, namespace)

    def _sql_driver(self, namespace: str) -> SQLDriver:
        from helmlite.release.storage.sql import SQLDriver

        url = self.sql_connection or os.environ.get(SQL_CONNECTION_ENV, "")
        if not url:
            raise HelmliteError(f"the sql release driver needs a connection string: set {SQL_CONNECTION_ENV}")
        if namespace not in self._sql:
            self._sql[namespace] = SQLDriver(url, namespace)
        return self._sql[namespace]


def normalize_driver(name: str) -> str:
    """A ``--driver``/``HELMLITE_DRIVER`` value as one of DRIVERS; raises HelmliteError otherwise."""
    lowered = name.strip().lower()
    driver = _DRIVER_ALIASES.get(lowered, lowered)
    if driver not in DRIVERS:
        raise HelmliteError(f'unknown release driver "{name}": choose one of {", ".join(DRIVERS)}')
    return driver


def session_lookup(session: Session) -> Lookup:
    """Templates' ``lookup`` over a backend session: the object, a ``<Kind>List`` of every match
    when ``name`` is ``""``, ``{}`` when there is nothing (or the kind is unknown), as in Helm."""
    from helmlite.backends.base import ResourceError, ResourceRef

    def lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        try:
            if name:
                found = session.get(ResourceRef(api_version, kind, namespace, name))
                return found or {}
            items = session.list(api_version, kind, namespace=namespace)
        except ResourceError:
            return {}
        return {"apiVersion": api_version, "kind": f"{kind}List", "metadata": {}, "items": items}

    return lookup


@dataclass(frozen=True)
class RenderedRelease:
    """A chart rendered for one release: what ``template`` prints and ``install`` applies."""

    chart: Chart
    values: dict[str, Any]
    manifests: list[Any]  # helmlite.render.manifests.Manifest, in install order
    hooks: list[Any]  # helmlite.render.manifests.Hook
    notes: str


def check_chart_usable(chart: Chart, capabilities: Capabilities) -> None:
    """Refuse charts that cannot be installed here.

    Raises IncompatibleChartError for library charts and for a ``kubeVersion`` constraint
    that the target Kubernetes version does not satisfy (Helm's messages).
    """
    meta = chart.metadata
    if meta.is_library:
        raise IncompatibleChartError(f"{meta.type} charts are not installable")
    if not meta.kube_version:
        return
    # Only a kubeVersion constraint needs the semver machinery: most charts render without it.
    from helmlite.semver import satisfies

    kube = capabilities.kube_version.version
    if not satisfies(meta.kube_version, kube):
        raise IncompatibleChartError(
            f"chart requires kubeVersion: {meta.kube_version} which is incompatible with Kubernetes {kube}"
        )


def render_release(
    chart: Chart,
    user_values: dict[str, Any],
    *,
    release: Any,
    capabilities: Capabilities,
    lookup: Lookup | None = None,
    skip_schema_validation: bool = False,
    warn: Callable[[str], None] | None = None,
) -> RenderedRelease:
    """Process dependencies, coalesce and validate values, render, and sort the manifests.

    ``release`` is a ``helmlite.render.context.ReleaseInfo``. Mutates ``chart`` (disabled
    subcharts are pruned, imported values merged), as Helm does. Raises ChartError,
    ValuesError, RenderError or ManifestError.
    """
    from helmlite.chart.dependencies import process_dependencies
    from helmlite.render.engine import render_templates
    from helmlite.render.manifests import sort_manifests
    from helmlite.values.coalesce import coalesce_values
    from helmlite.values.schema import validate_values

    check_chart_usable(chart, capabilities)
    process_dependencies(chart, user_values, warn=warn)
    values = coalesce_values(chart, user_values, warn=warn)
    if not skip_schema_validation:
        validate_values(chart, values)
    rendered = render_templates(chart, values, release=release, capabilities=capabilities, lookup=lookup)
    hooks, manifests, notes = sort_manifests(rendered, chart_name=chart.name)
    # crds/ files are read only where they are used (install applies them, --include-crds prints
    # them): like Helm, rendering does not parse them, so an invalid one fails only those.
    return RenderedRelease(chart, values, manifests, hooks, notes)


def crd_sources(chart: Chart) -> list[tuple[str, str]]:
    """The un-templated ``crds/`` files of the chart and its enabled subcharts, as (source path,
    text) — Helm's paths: ``<chart>/crds/x.yaml`` and ``<chart>/charts/<sub>/crds/x.yaml``."""
    return [(f"{sub.full_path()}/{f.name}", f.data.decode("utf-8")) for sub in chart.walk() for f in sub.crd_files()]


def crd_manifests(chart: Chart) -> list[Any]:
    """``crd_sources`` split into one Manifest per document (what install applies)."""
    from helmlite.render.manifests import split_documents

    return [doc for path, text in crd_sources(chart) for doc in split_documents(path, text)]


def supersede_deployed(storage: Storage, name: str, keep: int) -> None:
    """Mark every ``deployed`` revision of ``name`` but revision ``keep`` superseded (descriptions
    kept), so one deployed revision remains even in a history another tool corrupted (Helm's
    rule since helm/helm#2941). Raises ReleaseNotFound when ``name`` has no history."""
    from helmlite.release.model import Status

    for rel in storage.history(name):
        if rel.status is Status.DEPLOYED and rel.version != keep:
            storage.update(rel.with_status(Status.SUPERSEDED, rel.info.description))


# --- operation leases --------------------------------------------------------------------


@dataclass
class HeldLease:
    """A release's operation lease, held across the backend sessions of one operation.

    Each session builds its own driver, so the lease is re-bound to the session's store
    every time it is touched.
    """

    config: Config
    holder: LeaseHolder

    def _bound(self, storage: Storage) -> OperationLease:
        from helmlite.release.lock import OperationLease, OperationLock

        return OperationLease(OperationLock(storage.driver, ttl=self.config.lease_ttl), self.holder)

    def renew(self, storage: Storage) -> None:
        """Push the expiry forward; raises LeaseLost when another process took the lease over."""
        bound = self._bound(storage)
        bound.renew()
        self.holder = bound.holder

    def release(self, storage: Storage) -> None:
        """Give the lease up (a no-op when it is no longer ours)."""
        self._bound(storage).release()


def acquire_lease(config: Config, storage: Storage, name: str, operation: str) -> tuple[HeldLease, LeaseHolder | None]:
    """Take ``name``'s operation lease for ``operation``.

    Returns the held lease and, when the lease was taken over from a holder that died or let
    it expire, that holder (its operation never finished). Raises OperationInProgress
    (``another operation (upgrade by pid N on host H since T) is in progress``) when a live
    process holds it.
    """
    from helmlite.release.lock import OperationLock

    lock = OperationLock(storage.driver, ttl=config.lease_ttl)
    previous = lock.holder(name)
    lease = lock.acquire(name, operation)
    abandoned = previous if previous is not None and previous.token != lease.holder.token else None
    return HeldLease(config, lease.holder), abandoned


def recover_interrupted(
    storage: Storage, name: str, abandoned: LeaseHolder | None, *, unleased_ok: bool
) -> list[Release]:
    """The history of ``name`` (oldest first, ``[]`` when there is none), with revisions left
    ``pending-*``/``uninstalling`` by an operation that died marked ``failed``.

    Call it holding the lease. A pending revision is known to be dead when the lease was
    taken over from its holder (``abandoned``). With no lease at all a pending revision was
    written by Helm itself, which may still be running: it is recovered only when
    ``unleased_ok`` (rollback and uninstall, which Helm also lets through); otherwise this
    raises ReleaseError with Helm's "another operation … is in progress" and how to recover.
    """
    from helmlite.release.model import ReleaseError, Status
    from helmlite.release.storage.driver import ReleaseNotFound

    # What the revision's failed description says, by the operation that was interrupted.
    interrupted = {
        Status.PENDING_INSTALL: 'Release "{name}" failed',
        Status.PENDING_UPGRADE: 'Upgrade "{name}" failed',
        Status.PENDING_ROLLBACK: 'Rollback "{name}" failed',
        Status.UNINSTALLING: 'Uninstallation of "{name}" failed',
    }
    try:
        history = storage.history(name)
    except ReleaseNotFound:
        return []
    stuck = [rel for rel in history if rel.status in interrupted]
    if not stuck:
        return history
    if abandoned is None and not unleased_ok:
        last = stuck[-1]
        raise ReleaseError(
            f"another operation (install/upgrade/rollback) is in progress: revision {last.version} of "
            f'"{name}" is {last.status.value} and no helmlite operation holds the release; if no Helm '
            f'process is working on it, "helmlite rollback {name}" recovers it'
        )
    who = f"{abandoned.describe()} ended before finishing" if abandoned else "no operation was holding the release"
    by_version = {rel.version: rel for rel in history}
    for rel in stuck:
        head = interrupted[rel.status].format(name=name)
        fixed = rel.with_status(Status.FAILED, f"{head}: interrupted ({who})")
        storage.update(fixed)
        by_version[rel.version] = fixed
    return [by_version[v] for v in sorted(by_version)]
