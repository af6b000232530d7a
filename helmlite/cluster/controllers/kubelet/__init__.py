"""The kubelet model (one logical kubelet per node) and synthetic container logs.

``controller.py`` runs pods on their nodes; ``podstatus.py`` derives the phase and
conditions; ``probes.py`` computes probe schedules; ``logs.py`` renders ``kubectl logs``.
"""

from __future__ import annotations

from helmlite.cluster.controllers.kubelet.controller import (
    BACKOFF_INITIAL_SECONDS,
    BACKOFF_MAX_SECONDS,
    KUBELET,
    PLEG_SECONDS,
    POD_WORKER_RESYNC_SECONDS,
    SANDBOX_SECONDS,
    KubeletController,
    go_duration,
    node_is_down,
)
from helmlite.cluster.controllers.kubelet.logs import container_logs

__all__ = [
    "KubeletController",
    "container_logs",
    "go_duration",
    "node_is_down",
    "KUBELET",
    "SANDBOX_SECONDS",
    "PLEG_SECONDS",
    "POD_WORKER_RESYNC_SECONDS",
    "BACKOFF_INITIAL_SECONDS",
    "BACKOFF_MAX_SECONDS",
]
