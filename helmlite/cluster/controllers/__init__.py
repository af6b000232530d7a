"""Controllers of the simulated control plane, one module per kind.

``base.py`` defines the contract (``Controller``, ``KindController``, ``WorkQueue``).
``default_controllers()`` is the registration point: the list the cluster starts with when
the caller passes none. The API machinery's own loops (garbage collector, namespace
lifecycle, event expiry) are part of ``helmlite.cluster`` and always run.
"""

from __future__ import annotations

from helmlite.cluster.controllers.base import (
    WILDCARD,
    Controller,
    GroupKind,
    KindController,
    WorkQueue,
    controller_ref,
    object_key,
    split_key,
)

__all__ = [
    "Controller",
    "KindController",
    "WorkQueue",
    "WILDCARD",
    "GroupKind",
    "object_key",
    "split_key",
    "controller_ref",
    "default_controllers",
]


def default_controllers() -> list[Controller]:
    """Fresh instances of the workload controllers a cluster runs by default.

    Each controller module adds its class here, in kube-controller-manager's start order;
    none is implemented yet, so a default cluster runs only the API machinery's loops.
    """
    return []
