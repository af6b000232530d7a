"""Backends: where releases are applied (see ``base`` for the contract).

``get_backend("simulator")`` is the embedded default: the simulated cluster in one SQLite file
(``helmlite.paths.cluster_file()``); ``get_backend("kube", kube=KubeConnection(...))`` is a real
cluster through the official ``kubernetes`` client (the optional extra ``helmlite[kube]``).
Importing this package is cheap: the simulator and the client load only when a backend is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from helmlite.backends.base import (
    DEFAULT_FIELD_MANAGER,
    DEFAULT_WAIT_TIMEOUT,
    PATCH_TYPES,
    PROPAGATION_POLICIES,
    Backend,
    BackendError,
    BackendUnavailable,
    PatchType,
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

if TYPE_CHECKING:
    from helmlite.backends.kube import KubeConnection

__all__ = [
    "BACKENDS",
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
    "get_backend",
]

# The --backend choices.
BACKENDS = ("simulator", "kube")


def get_backend(
    name: str = "simulator",
    *,
    cluster: str | Path | None = None,
    kube: KubeConnection | None = None,
) -> Backend:
    """The backend called ``name`` (the ``--backend`` value).

    ``cluster`` is the simulator's cluster file (default ``helmlite.paths.cluster_file()``);
    ``kube`` is how ``kube`` reaches its cluster (default: the kubeconfig of ``$KUBECONFIG``
    or ``~/.kube/config``, else in-cluster). Nothing is connected until a session opens.

    Raises:
        BackendUnavailable: an unknown name.
    """
    if name == "simulator":
        from helmlite.backends.simulator import SimulatorBackend
        from helmlite.paths import cluster_file

        return SimulatorBackend(Path(cluster) if cluster else cluster_file())
    if name == "kube":
        from helmlite.backends.kube import KubeBackend

        return KubeBackend(kube)
    raise BackendUnavailable(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
