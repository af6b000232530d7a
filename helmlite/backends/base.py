"""The backend contract: what the release engine needs from a cluster.

Like Helm's ``pkg/kube.Interface`` (Create/Update/Delete/Wait/WatchUntilReady/WaitForDelete),
cut down to what ``helmlite.actions`` uses. A ``Backend`` hands out ``Session`` objects; a
session is one command's view of one cluster::

    with backend.session() as s:                 # the simulator: one SQLite transaction
        s.apply(obj)                              # server-side apply, field manager "helmlite"
        result = s.wait_ready(refs, timeout=300)  # virtual seconds: fast-forwards the simulator
        result.raise_for_status()                 # WaitError naming each blocker
    # committed on a normal exit; on an exception nothing of the session is kept

Objects are plain Kubernetes API dicts. Errors form one subtree of ``HelmliteError``::

    BackendError                   the backend cannot do what was asked
    ├── BackendUnavailable         unknown backend, busy or unreadable cluster file
    ├── ResourceError              the API refused a request; ``reason``/``code`` as Kubernetes'
    │   ├── ResourceNotFound       404  deployments.apps "web" not found
    │   │   └── UnknownKind        404  no matches for kind "X" in version "g/v"
    │   ├── ResourceExists         409  deployments.apps "web" already exists
    │   ├── ResourceConflict       409  stale resourceVersion, or fields owned by another manager
    │   ├── ResourceInvalid        422/400  validation, immutable fields, malformed objects
    │   └── ResourceForbidden      403/405  terminating namespace, …
    └── WaitError                  --wait gave up: timeout or a Failed resource (``.result``)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from helmlite.errors import HelmliteError

if TYPE_CHECKING:
    from helmlite.release.storage.objects import ObjectClient
    from helmlite.render.capabilities import Capabilities

__all__ = [
    "DEFAULT_FIELD_MANAGER",
    "DEFAULT_WAIT_TIMEOUT",
    "PATCH_TYPES",
    "PROPAGATION_POLICIES",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "PatchType",
    "Progress",
    "ReadyStatus",
    "ResourceConflict",
    "ResourceError",
    "ResourceExists",
    "ResourceForbidden",
    "ResourceInvalid",
    "ResourceNotFound",
    "ResourceRef",
    "ResourceStatus",
    "Session",
    "UnknownKind",
    "WaitError",
    "WaitResult",
    "WaitTarget",
    "resource_error",
]

# The field manager of every server-side apply helmlite sends (Helm uses its program name, "helm").
DEFAULT_FIELD_MANAGER = "helmlite"
# Helm's --timeout default (5m0s), in seconds; virtual seconds on the simulator.
DEFAULT_WAIT_TIMEOUT = 300.0
# --cascade values, as the API's DeleteOptions.propagationPolicy spells them.
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")
# Session.patch's patch types, as ``kubectl patch --type`` names them: JSON patch (RFC 6902),
# JSON merge patch (RFC 7386), strategic merge patch (built-in kinds only).
PatchType = Literal["json", "merge", "strategic"]
PATCH_TYPES: tuple[PatchType, ...] = ("json", "merge", "strategic")


# --- errors ----------------------------------------------------------------------------------


class BackendError(HelmliteError):
    """The backend cannot do what was asked; ``str(err)`` is the one-line message."""


class BackendUnavailable(BackendError):
    """The cluster cannot be used at all: unknown backend, busy or unreadable cluster file."""


class ResourceError(BackendError):
    """A request the Kubernetes API refused; the message is the API server's.

    ``reason`` and ``code`` are Kubernetes' (``NotFound``/404, ``Conflict``/409, …).
    """

    reason: str = "InternalError"
    code: int = 500

    def __init__(self, message: str, *, reason: str | None = None, code: int | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        if code is not None:
            self.code = code


class ResourceNotFound(ResourceError):
    """The object does not exist (``deployments.apps "web" not found``)."""

    reason = "NotFound"
    code = 404


class UnknownKind(ResourceNotFound):
    """The cluster serves no such kind (``no matches for kind "X" in version "g/v"``)."""


class ResourceExists(ResourceError):
    """Create of a name that is taken (``deployments.apps "web" already exists``)."""

    reason = "AlreadyExists"
    code = 409


class ResourceConflict(ResourceError):
    """A stale ``resourceVersion`` precondition, or a server-side apply changing fields another
    field manager owns (``Apply failed with 1 conflict: …``; retry with ``force=True``)."""

    reason = "Conflict"
    code = 409


class ResourceInvalid(ResourceError):
    """An object the API rejects: failed validation (including changes to immutable fields) or
    a malformed request."""

    reason = "Invalid"
    code = 422


class ResourceForbidden(ResourceError):
    """A request the API refuses outright (creating in a terminating namespace, deleting an
    immortal one)."""

    reason = "Forbidden"
    code = 403


def resource_error(message: str, *, reason: str = "", code: int = 500) -> ResourceError:
    """The error for a request the API refused, chosen by the HTTP ``code`` and Kubernetes
    ``reason`` of its ``Status`` (both backends see the same pair: the simulator's errors carry
    them, a real API server sends them), so one refusal is one error class on either backend."""
    if code == 404:
        return ResourceNotFound(message, reason=reason or None)
    if code == 409:
        if reason == "AlreadyExists":
            return ResourceExists(message)
        return ResourceConflict(message, reason=reason or None)
    if code == 422:
        return ResourceInvalid(message, reason=reason or None)
    if code == 400:
        return ResourceInvalid(message, reason=reason or "BadRequest", code=400)
    if code in (401, 403, 405):
        return ResourceForbidden(message, reason=reason or None, code=code)
    return ResourceError(message, reason=reason or "InternalError", code=code)


class WaitError(BackendError):
    """A wait that ended without every resource ready; ``result`` holds each status."""

    def __init__(self, result: WaitResult) -> None:
        super().__init__(result.message())
        self.result = result


# --- identities and statuses -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ResourceRef:
    """Which object: ``apiVersion``, ``kind``, ``namespace`` (``""`` when cluster-scoped), ``name``.

    ``str(ref)`` is Helm's ``Kind/namespace/name`` (``Kind/name`` when cluster-scoped).
    """

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Mapping[str, Any], default_namespace: str = "") -> ResourceRef:
        """The ref of an API object; ``default_namespace`` fills a missing ``metadata.namespace``.

        The caller decides scope: pass ``""`` for cluster-scoped kinds (``Session.namespaced``).
        """
        meta = obj.get("metadata") or {}
        return cls(
            str(obj.get("apiVersion", "")),
            str(obj.get("kind", "")),
            str(meta.get("namespace") or default_namespace),
            str(meta.get("name", "")),
        )

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"


class ReadyStatus(str, Enum):
    """kstatus' statuses (``cli-utils/pkg/kstatus/status``)."""

    CURRENT = "Current"
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    TERMINATING = "Terminating"
    NOT_FOUND = "NotFound"
    UNKNOWN = "Unknown"


class WaitTarget(str, Enum):
    """What a wait waits for — Helm's three waiter calls.

    READY   ``Wait`` (``--wait``): every resource Current by kstatus; a Job counts once started.
    JOBS    ``WaitWithJobs`` (``--wait-for-jobs``): as READY, and Jobs must have completed.
    HOOKS   ``WatchUntilReady`` (hooks): Jobs complete, Pods succeeded; other kinds at once.
    """

    READY = "ready"
    JOBS = "jobs"
    HOOKS = "hooks"


@dataclass(frozen=True)
class ResourceStatus:
    """One resource's readiness: kstatus ``status`` and a human ``message`` saying why.

    ``message`` names what blocks, e.g. ``0/3 ready, pod web-7d4b9c8f5-x2k9q: ImagePullBackOff``.
    """

    ref: ResourceRef
    status: ReadyStatus
    message: str

    @property
    def ready(self) -> bool:
        """Whether the resource counts as done (Current)."""
        return self.status is ReadyStatus.CURRENT

    def describe(self) -> str:
        """``Deployment/default/web: 0/3 ready, pod web-…: ImagePullBackOff``."""
        return f"{self.ref}: {self.message}"


@dataclass(frozen=True)
class WaitResult:
    """How a wait ended: each resource's last status, in the order asked for.

    ``ready``: every resource reached ``desired`` (Current; NotFound when waiting for deletion).
    ``timed_out``: the timeout expired first (False when the wait ended early because a
    resource Failed, as Helm's watcher does). ``elapsed``: seconds of backend time the wait
    took (virtual seconds on the simulator).
    """

    ready: bool
    statuses: tuple[ResourceStatus, ...]
    elapsed: float
    timed_out: bool
    desired: ReadyStatus = ReadyStatus.CURRENT

    @property
    def not_ready(self) -> tuple[ResourceStatus, ...]:
        """The statuses that have not reached ``desired``."""
        return tuple(s for s in self.statuses if s.status is not self.desired)

    def message(self) -> str:
        """One line for the user: ``""`` when ready, else why and what blocks, e.g.
        ``timed out waiting for the condition: Deployment/default/web: 0/3 ready, pod …: ImagePullBackOff``."""
        if self.ready:
            return ""
        head = "timed out waiting for the condition" if self.timed_out else "resources failed"
        return f"{head}: " + "; ".join(s.describe() for s in self.not_ready)

    def raise_for_status(self) -> None:
        """Return quietly when ready.

        Raises:
            WaitError: some resource is not Current (the message names each, and why).
        """
        if not self.ready:
            raise WaitError(self)


# Called with every resource's status each time the set of statuses changes during a wait.
Progress = Callable[[Sequence[ResourceStatus]], None]


# --- the protocol ----------------------------------------------------------------------------


@runtime_checkable
class Session(Protocol):
    """One command's view of one cluster (see the module docstring for commit semantics)."""

    def namespaced(self, api_version: str, kind: str) -> bool:
        """Whether objects of the kind live in a namespace (Helm's REST mapping).

        Raises:
            UnknownKind: the cluster serves no such kind.
        """
        ...

    def capabilities(self) -> Capabilities:
        """What templates see of this cluster: its Kubernetes version and served API versions
        (``group/version`` and ``group/version/Kind``)."""
        ...

    def now(self) -> float:
        """The cluster's current time in epoch seconds, what its timestamps are relative to
        (the virtual clock on the simulator; the wall clock on a real cluster)."""
        ...

    def get(self, ref: ResourceRef) -> dict[str, Any] | None:
        """The object as stored, or None when it does not exist.

        Raises:
            UnknownKind: the cluster serves no such kind.
        """
        ...

    def list(
        self, api_version: str, kind: str, *, namespace: str = "", label_selector: str = ""
    ) -> builtins.list[dict[str, Any]]:
        """Objects of one kind ordered by namespace and name (``namespace=""``: every namespace),
        filtered by a Kubernetes label selector string (``app=web,tier!=db``).

        Raises:
            UnknownKind, ResourceInvalid (a malformed selector).
        """
        ...

    def create(self, obj: Mapping[str, Any], *, field_manager: str = DEFAULT_FIELD_MANAGER) -> dict[str, Any]:
        """Create an object (POST); returns it as stored.

        Raises:
            ResourceExists, ResourceInvalid, ResourceNotFound (no such namespace), ResourceForbidden,
            UnknownKind.
        """
        ...

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str = DEFAULT_FIELD_MANAGER,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply ``obj`` (created when missing); returns the object as stored.

        ``force`` takes over fields other managers own (``--force-conflicts``). ``dry_run`` runs
        every check (validation, immutable fields, conflicts) and returns the would-be object
        without changing the cluster.

        Raises:
            ResourceConflict, ResourceInvalid, ResourceNotFound (no such namespace),
            ResourceForbidden, UnknownKind.
        """
        ...

    def patch(
        self,
        ref: ResourceRef,
        patch: Any,
        *,
        patch_type: PatchType = "json",
        field_manager: str = DEFAULT_FIELD_MANAGER,
    ) -> dict[str, Any]:
        """Patch the object ``ref`` names at its ``api_version`` (``kubectl patch --type``);
        returns the object as stored.

        ``patch`` is a list of RFC 6902 operations (``json``) or a partial object (``merge``,
        ``strategic``). A ``/metadata/resourceVersion`` the patch sets is a precondition, so a
        read-modify-patch fails with ResourceConflict when another writer got in between.

        Raises:
            ResourceNotFound, ResourceConflict, ResourceInvalid (a malformed patch, a ``test``
            operation that fails, an invalid result), ResourceError (415: strategic merge of a
            custom resource), UnknownKind.
        """
        ...

    def delete(self, ref: ResourceRef, *, propagation: str = "Background") -> bool:
        """Delete an object with ``propagation`` (one of PROPAGATION_POLICIES) for its dependents.

        Returns False when the object was already gone. The object may linger while
        finalizers or a grace period run; ``wait_deleted`` waits for it to disappear.

        Raises:
            ResourceForbidden, ResourceInvalid (unknown propagation policy), UnknownKind.
        """
        ...

    def status(
        self, refs: Iterable[ResourceRef], *, target: WaitTarget = WaitTarget.READY
    ) -> builtins.list[ResourceStatus]:
        """Each resource's readiness now (NotFound for a missing object), in the order given."""
        ...

    def wait_ready(
        self,
        refs: Iterable[ResourceRef],
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        *,
        target: WaitTarget = WaitTarget.READY,
        progress: Progress | None = None,
    ) -> WaitResult:
        """Wait until every resource is Current, one is Failed and the rest Current, or
        ``timeout`` seconds pass. The simulator fast-forwards virtual time instead of sleeping.

        ``progress`` is called with every status whenever the statuses change (once at the start).
        Deployments with ``spec.paused`` are left out, as Helm does. Never raises for
        readiness; call ``raise_for_status`` on the result.
        """
        ...

    def wait_deleted(
        self, refs: Iterable[ResourceRef], timeout: float = DEFAULT_WAIT_TIMEOUT, *, progress: Progress | None = None
    ) -> WaitResult:
        """Wait until none of the objects exists (Helm's ``WaitForDelete``); ``ready`` means all gone.

        Statuses of objects still present are Terminating (or their readiness if not deleting).
        """
        ...

    def events(self, ref: ResourceRef) -> builtins.list[dict[str, Any]]:
        """Events whose ``involvedObject`` is the object (core/v1 Event dicts), oldest first."""
        ...

    def logs(self, namespace: str, pod: str, container: str | None = None) -> str:
        """The log of one container of a pod (``kubectl logs``; ``container`` defaults as
        kubectl picks it). Raises ResourceNotFound (no such pod) or ResourceInvalid (no such
        container, or it has not started: the API server's message)."""
        ...

    def object_client(self) -> ObjectClient:
        """An ``ObjectClient`` over this session for the Secret/ConfigMap release drivers."""
        ...


@runtime_checkable
class Backend(Protocol):
    """A cluster helmlite can install into; hands out sessions."""

    @property
    def name(self) -> str:
        """``simulator`` or ``kube`` (the ``--backend`` value)."""
        ...

    def session(self) -> AbstractContextManager[Session]:
        """Open a session. Its writes are kept when the block exits normally, and none of them
        when it raises (on backends that can: the simulator's cluster file).

        Raises:
            BackendUnavailable: the cluster cannot be opened (busy past its timeout, unreadable).
        """
        ...
