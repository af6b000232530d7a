"""Backends: where releases are applied (see ``base`` for the contract).

``get_backend("simulator")`` is the embedded default: the simulated cluster in one SQLite file
(``helmlite.paths.cluster_file()``). ``kube`` (a real cluster) is not built yet.
Importing this package is cheap: the simulator loads only when a backend is built.
"""

from __future__ import annotations

from pathlib import Path

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    DEFAULT_WAIT_TIMEOUT,
    PROPAGATION_POLICIES,
    Backend,
    BackendError,
    BackendUnavailable,
    Progress,
    ReadyStatus,
    ResourceConflict,
    ResourceError,
    ResourceExists,
    ResourceForbidden,
    ResourceInvalid,
    ResourceNotFound,
    ResourceRef,
    ResourceStatus,
    Session,
    UnknownKind,
    WaitError,
    WaitResult,
    WaitTarget,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_FIELD_MANAGER",
    "DEFAULT_WAIT_TIMEOUT",
    "PROPAGATION_POLICIES",
    "Backend",
    "BackendError",
    "BackendUnavailable",
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
    "get_backend",
]

# The --backend choices.
BACKENDS = ("simulator", "kube")


def get_backend(
    name: str = "simulator",
    *,
    cluster: str | Path | None = None,
    kubeconfig: str = "",
    kube_context: str = "",
) -> Backend:
    """The backend called ``name`` (the ``--backend`` value).

    ``cluster`` is the simulator's cluster file (default ``helmlite.paths.cluster_file()``);
    ``kubeconfig`` and ``kube_context`` are for ``kube``.

    Raises:
        BackendUnavailable: an unknown name, or ``kube`` (not available yet).
    """
    if name == "simulator":
        from helmlite.backends.simulator import SimulatorBackend
        from helmlite.paths import cluster_file

        return SimulatorBackend(Path(cluster) if cluster else cluster_file())
    if name == "kube":
        raise BackendUnavailable('backend "kube" is not available yet: use the built-in simulator '
                                 "(--backend simulator)")
    raise BackendUnavailable(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
