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

    Workload controllers come first, so that within one reconcile the pods they create are
    scheduled and started by the scheduler and kubelet, which come last.
    """
    from helmlite.cluster.controllers.daemonset import DaemonSetController
    from helmlite.cluster.controllers.deployment import DeploymentController
    from helmlite.cluster.controllers.replicaset import ReplicaSetController
    from helmlite.cluster.controllers.statefulset import StatefulSetController
    from helmlite.cluster.controllers.cronjob import CronJobController
    from helmlite.cluster.controllers.endpoints import EndpointsController, EndpointSliceController
    from helmlite.cluster.controllers.hpa import HorizontalPodAutoscalerController
    from helmlite.cluster.controllers.job import JobController, TTLAfterFinishedController
    from helmlite.cluster.controllers.persistentvolume import PersistentVolumeController
    from helmlite.cluster.controllers.service import ServiceController
    from helmlite.cluster.controllers.kubelet import KubeletController
    from helmlite.cluster.controllers.nodelifecycle import (
        NodeLifecycleController,
        PodGCController,
        TaintEvictionController,
    )
    from helmlite.cluster.controllers.scheduler import SchedulerController
    from helmlite.cluster.controllers.serviceaccount import RootCACertPublisher, ServiceAccountsController

    return [
        ServiceAccountsController(),
        RootCACertPublisher(),
        DeploymentController(),
        ReplicaSetController(),
        DaemonSetController(),
        StatefulSetController(),
        JobController(),
        CronJobController(),
        TTLAfterFinishedController(),
        HorizontalPodAutoscalerController(),
        EndpointsController(),
        EndpointSliceController(),
        ServiceController(),
        PersistentVolumeController(),
        PodGCController(),
        NodeLifecycleController(),
        TaintEvictionController(),
        # the scheduler and the kubelets last: workload controllers create pods first
        SchedulerController(),
        KubeletController(),
    ]
